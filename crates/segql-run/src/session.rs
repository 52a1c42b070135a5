//! What `segql preview` computes, on a bound engine or a target: the segment's
//! members, their count, the population and a stable sample. The CLI only prints it.

use crate::backend::Backend;
use crate::engine::{Error, Rows};
use segql_plan::compile::{self, Options, Request};
use segql_plan::ir::{Program, SegmentId};
use std::time::{Duration, Instant};

/// The step of a preview that failed, with DuckDB's error.
#[derive(Debug)]
pub enum Failed {
    /// The segment cannot be compiled for the backend's dialect.
    Compiling(compile::Unsupported),
    Computing(Error),
    Counting(Error),
    Population(Error),
    Sampling(Error),
}

/// A segment's preview.
#[derive(Debug)]
pub struct Preview {
    /// The segment's SQL (in the backend's dialect).
    pub sql: String,
    pub size: usize,
    /// The entity's population.
    pub total: u64,
    /// How long computing the members took.
    pub elapsed: Duration,
    /// Ten members with the entity's columns, the same ones in every run.
    pub columns: Vec<String>,
    pub rows: Rows,
}

/// The number of rows of an entity's table.
pub fn population(engine: &dyn Backend, p: &Program, entity: usize) -> Result<u64, Error> {
    let e = &p.catalog.entities[entity];
    engine.count(&format!(
        "SELECT count(*) FROM {}",
        engine.relation(&e.table)
    ))
}

/// Computes segment `id`'s members into a temporary table, then counts them, the
/// population, and reads a sample of ten ordered by a hash of the key.
/// `computed` is called once the members are computed (to stop a progress display).
pub fn preview(
    engine: &dyn Backend,
    p: &Program,
    id: SegmentId,
    opts: Options,
    computed: impl FnOnce(),
) -> Result<Preview, Failed> {
    let seg = &p.segments[id];
    let entity = &p.catalog.entities[seg.entity];
    let d = engine.dialect();
    let q = compile::compile(p, &Request::Segment(id), d, opts).map_err(Failed::Compiling)?;
    let sql = compile::to_sql(&q);
    let started = Instant::now();
    engine
        .keep("segql_preview", &sql)
        .map_err(Failed::Computing)?;
    let preview = engine.ident("segql_preview");
    let elapsed = started.elapsed();
    computed();
    let size = engine
        .count(&format!("SELECT count(*) FROM {preview}"))
        .map_err(Failed::Counting)? as usize;
    let total = population(engine, p, seg.entity).map_err(Failed::Population)?;
    let key = engine.ident(&entity.key);
    // On a target each column is cast to the catalog's type, so that it prints as the
    // embedded DuckDB prints it (a NUMERIC without a scale would not).
    let on_target = engine.engine().is_none();
    let cols: Vec<String> = entity
        .columns
        .iter()
        .map(|c| {
            let n = engine.ident(&c.name);
            if on_target {
                format!("CAST(e.{n} AS {}) AS {n}", d.cast_type(c.ty))
            } else {
                format!("e.{n}")
            }
        })
        .collect();
    // Ordered by the md5 of the key's text: lowercase hex, the same order on every
    // engine and collation.
    let sample_sql = format!(
        "SELECT {} FROM {} AS e JOIN {preview} AS m ON m.{key} = e.{key} ORDER BY md5(CAST(e.{key} AS {})) LIMIT 10",
        cols.join(", "),
        engine.relation(&entity.table),
        d.string_type()
    );
    let (columns, rows) = engine.rows(&sample_sql).map_err(Failed::Sampling)?;
    Ok(Preview {
        sql,
        size,
        total,
        elapsed,
        columns,
        rows,
    })
}
