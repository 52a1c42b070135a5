//! segql-docs: a project as a static site that works offline.
//!
//! An index of segments, traits, actions, reports, splits, priority lists and the catalog
//! (searchable and filterable in the browser), a page per item (its definition as
//! `segql fmt` writes it, its conditions in plain words, what it reads and what uses it,
//! its tests, its SQL in every dialect, and its size and history when given them), and
//! the lineage graph of the whole project. Every asset is compiled into the binary; the
//! pages load nothing from the network.
//!
//! It reads a checked project (segql-plan's IR and segql-syntax's trees) and writes
//! files or serves them on 127.0.0.1; it never runs a query (no DuckDB): sizes come in
//! as [`Sizes`], from whoever has them. See docs/docs-site.md.

mod analysis;
pub mod codes;
pub mod graph;
mod html;
mod item;
pub mod model;
mod pages;
pub mod reads;
mod relation;
mod serve;
mod site;
pub mod sizes;
pub mod slug;
mod source;
pub mod words;
mod write;

pub use serve::{Running, CSP};
pub use site::{build, Input, Site, ASSETS, MARKER, VERSION};
pub use sizes::Sizes;
pub use write::Written;

/// A problem with where the site goes (no source span to point at): a code, what went
/// wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
