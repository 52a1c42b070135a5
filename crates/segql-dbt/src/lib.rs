//! segql-dbt: segql and dbt, both ways (issue 16).
//!
//! Owns two translations and nothing else:
//!
//! - [`import`]: a dbt `manifest.json` (its sources and models, with their columns and
//!   types) → the text of a catalog `.seg` draft to review, with a report of what was
//!   guessed or left out.
//! - [`models`]: a checked program and some of its segments → dbt models
//!   (`models/segql/*.sql`, one per segment or one batch model per entity), their
//!   `schema.yml` and a `sources.yml` declaring the catalog relations they read. Catalog
//!   tables are written as `{{ source(..) }}` (or `{{ ref(..) }}` for the project's own
//!   models) and the as-of instant
//!   as the dbt var `segql_as_of`.
//!
//! It must not touch a database: no DuckDB, no warehouse client, no dbt. Its only I/O is
//! [`models::write_models`] writing the models directory; the manifest comes in as text
//! (the CLI reads the file). SQL comes from `segql_plan::compile`, unchanged but for the
//! relation names and the as-of literal, which are replaced as text in one place each.

pub mod error;
pub mod import;
pub mod models;
mod yaml;

pub use error::{DbtError, ErrorKind};
pub use import::{import, known_relations, Imported};
pub use models::{models, write_models, Known, Layout, ModelFile, ModelsOptions, Written};
