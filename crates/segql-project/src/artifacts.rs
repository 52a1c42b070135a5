//! The files segql leaves for CI and schedulers under a target directory (`target/` in
//! the project by default, as dbt's): `manifest.json`, what the project declares, and
//! `run_results.json`, what a `run` or `test` did. Their JSON Schemas are generated from
//! these types with schemars and committed under `schemas/` (a test checks that the
//! committed files are the generated ones, and that written files validate).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of both formats; raised when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

pub const MANIFEST_FILE: &str = "manifest.json";
pub const RUN_RESULTS_FILE: &str = "run_results.json";

/// Where and by what an artifact was written.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// The format's version: 1 (raised when a field changes meaning or goes away).
    pub schema_version: u32,
    /// The segql that wrote it.
    pub segql_version: String,
    /// The project's `name` in segql.toml.
    pub project: Option<String>,
    /// The command that wrote it: `compile`, `run` or `test`.
    pub command: String,
    /// When it was written (UTC, RFC 3339).
    pub generated_at: String,
    /// The instant relative times were measured from (UTC, RFC 3339).
    pub as_of: String,
}

/// `manifest.json`: every declaration of the project.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub metadata: Metadata,
    /// The dialects `compiled_sql` holds.
    pub dialects: Vec<String>,
    /// By unique id, `kind.name` (`segment.paying`, `trait.spend`).
    pub nodes: BTreeMap<String, ManifestNode>,
}

/// One segment, trait, report, split, priority list or test.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ManifestNode {
    /// `kind.name`.
    pub unique_id: String,
    /// `segment`, `trait`, `report`, `split`, `priority` or `test`.
    pub kind: String,
    pub name: String,
    /// The entity it is about (none for a test).
    pub entity: Option<String>,
    /// The file declaring it, relative to the project directory, with `/`.
    pub file: String,
    /// 1-based line and column of its name.
    pub line: usize,
    pub column: usize,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    /// `sha256:` and the hex digest of the declaration in its canonical layout (as
    /// `segql fmt` writes it, without comments): a change of layout or comment is no
    /// change, any other edit is. `state:modified` compares it.
    pub checksum: String,
    /// The unique ids of the segments, traits and (for reports, splits, priority lists
    /// and tests) targets it uses directly.
    pub depends_on: Vec<String>,
    /// Every relation (`schema.table`) its SQL reads, with the columns read, including
    /// through the segments and traits it uses.
    pub reads: BTreeMap<String, Vec<String>>,
    /// Its statement per dialect (segments, reports, splits, priority lists).
    pub compiled_sql: BTreeMap<String, String>,
    /// Why a dialect has no statement for it (what that dialect cannot express).
    pub unsupported: BTreeMap<String, String>,
}

/// `run_results.json`: what one `run` or `test` did, node by node.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RunResults {
    pub metadata: Metadata,
    /// The whole command's wall time, in seconds.
    pub elapsed_seconds: f64,
    pub results: Vec<RunResult>,
}

/// What happened to one node.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RunResult {
    /// `kind.name` as in manifest.json; an assert is `assert.SEGMENT`.
    pub unique_id: String,
    pub status: Status,
    /// Seconds its statement (or test) took. Segments of one entity are computed in
    /// one statement: each has that statement's time.
    pub elapsed_seconds: f64,
    /// Members (segments), rows (reports, splits, priority lists).
    pub size: Option<u64>,
    /// The entity's population, for segments.
    pub population: Option<u64>,
    /// What failed, for a failure or an error.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Computed (`run`).
    Success,
    /// Passed (`test`).
    Pass,
    /// A test's expectation or an assert's check did not hold.
    Fail,
    /// It could not be computed or run.
    Error,
}

/// The JSON Schema of `manifest.json`, as committed in `schemas/manifest.schema.json`.
pub fn manifest_schema() -> String {
    schema_text(schemars::schema_for!(Manifest))
}

/// The JSON Schema of `run_results.json`, as committed in
/// `schemas/run_results.schema.json`.
pub fn run_results_schema() -> String {
    schema_text(schemars::schema_for!(RunResults))
}

fn schema_text(s: schemars::Schema) -> String {
    let mut text = serde_json::to_string_pretty(&s).unwrap_or_default();
    text.push('\n');
    text
}

/// Writes `value` as pretty JSON to `dir/name` through a temporary file renamed over it
/// (a reader never sees half a file), creating `dir`.
pub fn write_json<T: Serialize>(
    dir: &std::path::Path,
    name: &str,
    value: &T,
) -> Result<std::path::PathBuf, String> {
    let path = dir.join(name);
    let shown = crate::display_path(&path);
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create {}: {e}", crate::display_path(dir)))?;
    let mut text =
        serde_json::to_string_pretty(value).map_err(|e| format!("cannot write {shown}: {e}"))?;
    text.push('\n');
    let mut builder = tempfile::Builder::new();
    // Readable as any file the user writes (the umask applies), not 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder
        .prefix(&format!(".{name}."))
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write {shown}: {e}"))?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())
        .map_err(|e| format!("cannot write {shown}: {e}"))?;
    tmp.persist(&path)
        .map_err(|e| format!("cannot write {shown}: {}", e.error))?;
    Ok(path)
}
