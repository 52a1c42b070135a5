//! segql-target: warehouse targets, where a project's SQL runs next to its data.
//!
//! Owns a target's configuration (`[targets.NAME]` in segql.toml or in the user-level
//! file, [`config`]), finding and loading its ADBC driver ([`driver`]), and a small
//! client layer over ADBC with capability flags and Arrow results ([`client`],
//! [`text`]). Errors carry codes E0801–E0807 ([`codes`]), name the target and never a
//! secret ([`error::Secrets`]).
//!
//! It never builds DuckDB, and segql-syntax and segql-plan never build it: the
//! compiler's crates stay free of drivers. segql-run decides what to run on a target;
//! this crate only talks to it.

//!
//! Without its default `client` feature only the configuration builds (`config`,
//! `codes`, `error`): the language server checks `[targets]` without ADBC or Arrow.

#[cfg(feature = "client")]
pub mod client;
pub mod codes;
pub mod config;
#[cfg(feature = "client")]
pub mod driver;
pub mod error;
#[cfg(feature = "client")]
pub mod text;

#[cfg(feature = "client")]
pub use client::{connect, AdbcClient, Capabilities, Client, Results};
pub use config::{Kind, Target, TargetConfig};
pub use error::{Result, TargetError};
