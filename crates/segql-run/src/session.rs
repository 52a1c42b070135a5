//! What `segql preview` computes, on a bound engine: the segment's members, their
//! count, the population and a stable sample. The CLI only prints it.

use crate::engine::{Engine, Error, Rows};
use crate::sqltext;
use segql_plan::compile::Request;
use segql_plan::compile::{self, Options};
use segql_plan::dialect::DuckDb;
use segql_plan::ir::{Program, SegmentId};
use std::time::{Duration, Instant};

/// The step of a preview that failed, with DuckDB's error.
#[derive(Debug)]
pub enum Failed {
    /// The segment cannot be compiled for DuckDB.
    Compiling(compile::Unsupported),
    Computing(Error),
    Counting(Error),
    Population(Error),
    Sampling(Error),
}

/// A segment's preview.
#[derive(Debug)]
pub struct Preview {
    /// The segment's SQL (DuckDB).
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
pub fn population(engine: &Engine, p: &Program, entity: usize) -> Result<u64, Error> {
    let e = &p.catalog.entities[entity];
    engine.count(&format!(
        "SELECT count(*) FROM {}",
        sqltext::dotted(&e.table)
    ))
}

/// Computes segment `id`'s members into a temporary table, then counts them, the
/// population, and reads a sample of ten ordered by a hash of the key.
/// `computed` is called once the members are computed (to stop a progress display).
pub fn preview(
    engine: &Engine,
    p: &Program,
    id: SegmentId,
    opts: Options,
    computed: impl FnOnce(),
) -> Result<Preview, Failed> {
    let seg = &p.segments[id];
    let entity = &p.catalog.entities[seg.entity];
    let q = compile::compile(p, &Request::Segment(id), &DuckDb, opts).map_err(Failed::Compiling)?;
    let sql = compile::to_sql(&q);
    let started = Instant::now();
    engine
        .execute(&format!("CREATE TEMP TABLE \"segql_preview\" AS\n{sql}\n"))
        .map_err(Failed::Computing)?;
    let elapsed = started.elapsed();
    computed();
    let size = engine
        .count("SELECT count(*) FROM \"segql_preview\"")
        .map_err(Failed::Counting)? as usize;
    let total = population(engine, p, seg.entity).map_err(Failed::Population)?;
    let key = sqltext::ident(&entity.key);
    let cols: Vec<String> = entity
        .columns
        .iter()
        .map(|c| format!("e.{}", sqltext::ident(&c.name)))
        .collect();
    let sample_sql = format!(
        "SELECT {} FROM {} AS e JOIN \"segql_preview\" AS m ON m.{key} = e.{key} ORDER BY md5(CAST(e.{key} AS VARCHAR)) LIMIT 10",
        cols.join(", "),
        sqltext::dotted(&entity.table)
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
