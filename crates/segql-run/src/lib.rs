//! segql-run: segments executed on DuckDB, over data where it lies.
//!
//! Runs on the in-process DuckDB engine (the default) or on a warehouse target
//! ([`warehouse`], over segql-target's client), behind one [`Backend`] trait. Owns the
//! DuckDB engine: creating the catalog's relations (as views over
//! local files, or as tables holding a test's given rows), executing the SQL segql-plan
//! compiles for the DuckDB dialect, checking `test` blocks, and sampling the bound data's
//! event names for the planner's statistics ([`stats`]). It never writes to a
//! source file: once the bindings are made, DuckDB's file access is off but for the
//! bound files and the one output being written ([`Engine::lock_down`]), and
//! [`guard`] refuses any path segql itself would write that a source covers. It does
//! not parse or plan (segql-syntax and segql-plan do) and does not print (segql-cli
//! does).

pub mod assertions;
pub mod backend;
pub mod bind;
pub mod checks;
pub mod ci;
pub mod codes;
pub mod engine;
pub mod guard;
pub mod membership;
pub mod run;
pub mod session;
pub mod spill;
pub mod sqltext;
pub mod stats;
pub mod testing;
pub mod warehouse;

pub use backend::Backend;
pub use engine::Engine;
