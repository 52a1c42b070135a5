//! segql-run: segments executed on DuckDB, over data where it lies.
//!
//! Owns the in-process DuckDB engine: creating the catalog's relations (as views over
//! local files, or as tables holding a test's given rows), executing the SQL segql-plan
//! compiles for the DuckDB dialect, and checking `test` blocks. It never writes to a
//! source file. It does not parse or plan (segql-syntax and segql-plan do) and does
//! not print (segql-cli does).

pub mod assertions;
pub mod bind;
pub mod engine;
pub mod testing;

pub use engine::Engine;
