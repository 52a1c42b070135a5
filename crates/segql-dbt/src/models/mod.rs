//! `segql compile --dbt DIR`: segments as dbt models.
//!
//! Writes, under `DIR/models/segql/`, one model per segment (`<segment>.sql`) or, with
//! [`Layout::Batch`], one per entity (`segql_<entity>.sql`, a boolean column per
//! segment), a `schema.yml` describing them (the key tested `unique` and `not_null`),
//! and a `sources.yml` declaring every catalog relation they read as a dbt source.
//!
//! The SQL is `segql_plan::compile::compile`'s, for the chosen dialect, with two things
//! put in as dbt Jinja after printing ([`jinja`]): each catalog relation (compiled under
//! a placeholder name) becomes `{{ source('schema', 'table') }}` or `{{ ref('model') }}`,
//! and the as-of instant (compiled with a placeholder through `RunAsOf::Template`) becomes the var `segql_as_of`.
//! Every `{` segql wrote itself (in a string literal or a quoted name) is escaped first,
//! so no text from a segment is read as Jinja.

mod jinja;
pub use jinja::AS_OF_VAR;
mod yml;

use crate::error::{DbtError, ErrorKind};
use segql_plan::compile::{self, Options, Request};
use segql_plan::dialect::Dialect;
use segql_plan::ir::{EntityId, Program, SegmentId};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One model per segment, or one per entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `models/segql/<segment>.sql`: the members' keys.
    PerSegment,
    /// `models/segql/segql_<entity>.sql`: every key of the entity, with one boolean
    /// column per segment.
    Batch,
}

/// How the models are written.
#[derive(Clone, Copy)]
pub struct ModelsOptions<'a> {
    /// The dialect of the dbt adapter the models run on.
    pub dialect: &'a dyn Dialect,
    pub layout: Layout,
    /// Catalog tables the dbt project already has, by the table's dotted name as the
    /// catalog writes it (`analytics.accounts`): read as that model or source, and not
    /// declared in sources.yml ([`crate::import::known_relations`] reads them from the
    /// project's manifest). Empty: every table is a source of sources.yml.
    pub known: &'a BTreeMap<String, Known>,
}

/// How the dbt project already knows a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    /// A model, seed or snapshot: `{{ ref('NAME') }}`.
    Ref(String),
    /// A declared source: `{{ source('SOURCE', 'TABLE') }}`.
    Source { source: String, table: String },
}

/// A file of the models directory: its path relative to the dbt project and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFile {
    pub path: PathBuf,
    pub text: String,
}

/// The directory, relative to the dbt project, that the models are written to.
pub const MODELS_DIR: &str = "models/segql";

/// The model files for `segments` (none: every segment of the program), in order: the
/// models, `schema.yml`, `sources.yml`.
pub fn models(
    p: &Program,
    segments: &[SegmentId],
    o: &ModelsOptions,
) -> Result<Vec<ModelFile>, DbtError> {
    let segments: Vec<SegmentId> = if segments.is_empty() {
        (0..p.segments.len()).collect()
    } else {
        segments.to_vec()
    };
    if segments.is_empty() {
        return Err(DbtError::new(
            ErrorKind::NothingSelected,
            "nothing to write: the project declares no segments",
            "dbt models are written for segments; declare one",
        ));
    }
    let rels = jinja::Relations::new(p, o.known);
    let mut out = Vec::new();
    let mut schema = yml::Schema::default();
    match o.layout {
        Layout::PerSegment => {
            for &s in &segments {
                let seg = &p.segments[s];
                let header = format!(
                    "-- segment {} of {}, written by segql for dbt ({})",
                    seg.name,
                    p.catalog.entities[seg.entity].name,
                    o.dialect.name()
                );
                let sql = rels.compile(&Request::Segment(s), o.dialect, &seg.name)?;
                out.push(model_file(&seg.name, &header, &sql));
                schema.segment(p, s);
            }
        }
        Layout::Batch => {
            for (e, ids) in by_entity(p, &segments) {
                let name = format!("segql_{}", p.catalog.entities[e].name);
                let names: Vec<&str> = ids.iter().map(|&i| p.segments[i].name.as_str()).collect();
                let header = format!(
                    "-- segments {} of {}, written by segql for dbt ({})",
                    names.join(", "),
                    p.catalog.entities[e].name,
                    o.dialect.name()
                );
                let sql = rels.compile(&Request::batch(&ids), o.dialect, &name)?;
                out.push(model_file(&name, &header, &sql));
                schema.batch(p, e, &name, &ids);
            }
        }
    }
    out.push(ModelFile {
        path: Path::new(MODELS_DIR).join("schema.yml"),
        text: schema.text(),
    });
    out.push(ModelFile {
        path: Path::new(MODELS_DIR).join("sources.yml"),
        text: rels.sources_yml(),
    });
    Ok(out)
}

/// Writes [`models`] into the dbt project `dir` (creating `models/segql`); returns the
/// paths written.
pub fn write_models(
    dir: &Path,
    p: &Program,
    segments: &[SegmentId],
    o: &ModelsOptions,
) -> Result<Written, DbtError> {
    let files = models(p, segments, o)?;
    let sub = dir.join(MODELS_DIR);
    std::fs::create_dir_all(&sub).map_err(|e| io_error(&sub, e))?;
    let mut out = Written::default();
    for f in &files {
        let path = dir.join(&f.path);
        std::fs::write(&path, &f.text).map_err(|e| io_error(&path, e))?;
        out.written.push(path);
    }
    // A model of a segment that is gone (or of the other layout) would still be built
    // by dbt: remove what segql wrote there before and did not write now. Files of the
    // user's own are left alone (segql's start with its header line).
    let entries = std::fs::read_dir(&sub).map_err(|e| io_error(&sub, e))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if out.written.contains(&path) || !path.is_file() {
            continue;
        }
        let first = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| t.lines().next().map(str::to_string))
            .unwrap_or_default();
        if is_segqls(&first) {
            std::fs::remove_file(&path).map_err(|e| io_error(&path, e))?;
            out.removed.push(path);
        }
    }
    out.removed.sort();
    Ok(out)
}

/// What [`write_models`] did in the models directory.
#[derive(Debug, Default)]
pub struct Written {
    pub written: Vec<PathBuf>,
    /// Files segql wrote on an earlier run that this one does not (a removed segment).
    pub removed: Vec<PathBuf>,
}

/// Whether a file's first line is one of segql's headers.
fn is_segqls(first_line: &str) -> bool {
    (first_line.starts_with("-- segment") && first_line.contains(", written by segql for dbt ("))
        || first_line.starts_with("# Written by segql (segql compile --dbt)")
}

fn io_error(path: &Path, e: std::io::Error) -> DbtError {
    DbtError::new(
        ErrorKind::Io,
        format!("cannot write {}: {e}", path.display()),
        "the directory given is the dbt project (the one holding dbt_project.yml)",
    )
}

fn model_file(name: &str, header: &str, sql: &str) -> ModelFile {
    ModelFile {
        path: Path::new(MODELS_DIR).join(format!("{name}.sql")),
        text: format!(
            "{header}\n-- The as-of instant is the dbt var segql_as_of (default: when the run started, UTC).\n{}\n{sql}\n",
            jinja::AS_OF_SET
        ),
    }
}

/// The segments grouped by entity, entities in catalog order.
fn by_entity(p: &Program, segments: &[SegmentId]) -> Vec<(EntityId, Vec<SegmentId>)> {
    (0..p.catalog.entities.len())
        .map(|e| {
            let ids: Vec<SegmentId> = segments
                .iter()
                .copied()
                .filter(|&s| p.segments[s].entity == e)
                .collect();
            (e, ids)
        })
        .filter(|(_, ids)| !ids.is_empty())
        .collect()
}

impl jinja::Relations {
    /// One request's SQL with the dbt Jinja in: compiled with the as-of read at run
    /// time (`RunAsOf::Template`), so that no choice of the plan depends on an instant
    /// (a fixed `since` beside `in last 365 days`, months beside days: the scan's bound
    /// is the least of the starts), then the placeholder made the dbt var.
    fn compile(&self, r: &Request, d: &dyn Dialect, model: &str) -> Result<String, DbtError> {
        let opts = Options {
            as_of: jinja::PLANNING_AS_OF,
            at_run: Some(compile::RunAsOf::template(jinja::AS_OF_PLACEHOLDER)),
        };
        let q = compile::compile(self.program(), r, d, opts).map_err(|e| {
            DbtError::new(
                ErrorKind::Compile,
                format!("`{model}` cannot be compiled for {}: {e}", d.name()),
                "choose another dialect with --dialect, or leave the segment out",
            )
        })?;
        Ok(self.render(&compile::to_sql(&q)))
    }
}
