//! segql-plan: from checked syntax to SQL.
//!
//! Owns the catalog (entities, events relations, references), name resolution and type
//! checking (AST → checked IR, [`ir::Program`]), the planner (shared scans, conditional
//! aggregates, CTEs) and SQL generation for every dialect through sqlparser's AST. It
//! reads ASTs from segql-syntax and returns SQL text; it never touches a database or
//! the file system (that is segql-run's and segql-cli's work). The data's statistics
//! ([`stats`]) reach it already read, in the program.

pub mod as_of;
pub mod check;
pub mod codes;
pub mod compile;
pub mod deps;
pub mod dialect;
pub mod emit;
pub mod ir;
pub mod plan;
mod sql;
pub mod stats;

pub use check::check;
