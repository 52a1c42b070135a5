//! The page templates (askama, in `templates/`) and the data each one shows. Text
//! fields are escaped by askama; fields rendered with `|safe` hold HTML built and
//! escaped in Rust (`html.rs`).

use askama::Template;

/// What every page shows around its content.
#[derive(Debug, Clone)]
pub struct Page {
    pub title: String,
    pub project: String,
    /// The way back to the site's root: `""` or `"../"`.
    pub root: &'static str,
    /// `index`, `lineage` or the item's kind (for the script and the navigation).
    pub kind: &'static str,
    pub version: &'static str,
    pub files: usize,
    pub as_of: Option<String>,
    pub sizes_as_of: Option<String>,
}

#[derive(Template)]
#[template(path = "index.html")]
pub struct IndexPage {
    pub page: Page,
    /// `(count, what)`: `(12, "segments")`.
    pub counts: Vec<(usize, String)>,
    /// `(kind word, label)` of the kinds present.
    pub kinds: Vec<(String, String)>,
    pub entities: Vec<String>,
    pub owners: Vec<String>,
    pub tags: Vec<String>,
    pub rows: Vec<Row>,
    pub has_sizes: bool,
}

/// A row of the index.
pub struct Row {
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub name: String,
    pub href: String,
    pub entity: String,
    pub description: String,
    pub owner: String,
    pub tags: Vec<String>,
    /// The tags as a JSON array, for the filter script.
    pub tags_attr: String,
    /// Everything searchable, lower-cased.
    pub text: String,
    pub size: String,
}

#[derive(Template)]
#[template(path = "item.html")]
pub struct ItemPage {
    pub page: Page,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub kind_plural: &'static str,
    pub name: String,
    pub description: Option<String>,
    /// `(label, HTML)`.
    pub facts: Vec<(String, String)>,
    /// The node's id in the lineage graph (`segment/paying`).
    pub node_id: String,
    /// The conditions in words (HTML).
    pub words: Option<String>,
    pub notes: Vec<String>,
    pub sizes: Option<SizesView>,
    pub tables: Vec<Table>,
    /// `(group, entries as HTML)`.
    pub reads: Vec<(String, Vec<String>)>,
    /// Entries as HTML.
    pub used_by: Vec<String>,
    /// Tests and assertions, as HTML.
    pub checks: Vec<String>,
    /// The highlighted definition (HTML).
    pub definition: String,
    pub location: String,
    pub sql: Vec<SqlTab>,
}

pub struct SizesView {
    pub size: Option<String>,
    pub share: Option<String>,
    pub population: String,
    pub as_of: Option<String>,
    pub sample: Vec<String>,
    /// SVG.
    pub chart: Option<String>,
    /// `(as_of, size, entered, left)`.
    pub history: Vec<(String, String, String, String)>,
}

/// A table of the page; cells are HTML.
pub struct Table {
    pub id: &'static str,
    pub title: String,
    pub note: Option<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub struct SqlTab {
    pub dialect: &'static str,
    pub support: &'static str,
    pub text: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "lineage.html")]
pub struct LineagePage {
    pub page: Page,
    /// SVG.
    pub svg: String,
    pub nodes: usize,
    pub edges: usize,
    pub note: Option<String>,
    /// `(class, label)`.
    pub legend: Vec<(&'static str, &'static str)>,
}
