//! What `segql run` computes on a bound engine: the selected segments in one batch
//! statement per entity, kept in a temporary table of memberships, then every selected
//! report, split and priority list in its own temporary table; each result is read back
//! from segql's own table. The CLI prints or writes what [`run`] returns.

use crate::engine::{Engine, Error, Rows};
use crate::{session, sqltext};
use segql_plan::compile::{self, Options, Request};
use segql_plan::dialect::DuckDb;
use segql_plan::ir::{Program, SegmentId, Target};
use std::time::{Duration, Instant};

/// How to run.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub opts: Options,
    /// Every trait of the segments' entities as columns of each segment's result.
    pub with_traits: bool,
    /// Read the rows (to print them); without, only the columns and the size are read
    /// (the rows go to a file from segql's table, never fetched as text).
    pub fetch_rows: bool,
}

/// Told what the run is doing, to show progress and to stop an interrupted run.
pub trait Observer {
    /// A step that may take a while begins.
    fn start(&mut self, what: String);
    /// That step ended.
    fn finish(&mut self);
    /// Between steps: where an interrupted run stops.
    fn checkpoint(&mut self) {}
}

/// One result: a segment's members, a report's rows, a split's assignment.
#[derive(Debug)]
pub struct Output {
    pub target: Target,
    /// `segment lapsed`, `report plans`.
    pub title: String,
    pub columns: Vec<String>,
    /// Empty unless [`Settings::fetch_rows`].
    pub rows: Rows,
    pub size: usize,
    /// The query over segql's own temporary table that gives these rows (for COPY).
    pub sql: String,
    /// A segment's: the batch it was computed in (an index into [`Run::batches`]).
    pub batch: Option<usize>,
    /// The time its statement took (a segment's: its batch's, shared with the other
    /// segments of the batch).
    pub elapsed: Duration,
}

/// One batch statement: the segments of one entity computed together.
#[derive(Debug)]
pub struct Batch {
    pub entity: usize,
    pub segments: Vec<SegmentId>,
    pub elapsed: Duration,
    /// The entity's population.
    pub population: u64,
}

#[derive(Debug)]
pub struct Run {
    pub outputs: Vec<Output>,
    pub batches: Vec<Batch>,
}

/// What failed, in the user's terms (`computing lapsed, active`), and why.
#[derive(Debug)]
pub struct Failure {
    pub doing: String,
    pub cause: Cause,
}

#[derive(Debug)]
pub enum Cause {
    /// Cannot be compiled for DuckDB.
    Unsupported(compile::Unsupported),
    /// DuckDB's error.
    Query(Error),
}

fn failed(doing: impl Into<String>) -> impl FnOnce(Error) -> Failure {
    let doing = doing.into();
    move |e| Failure {
        doing,
        cause: Cause::Query(e),
    }
}

fn unsupported(doing: impl Into<String>) -> impl FnOnce(compile::Unsupported) -> Failure {
    let doing = doing.into();
    move |u| Failure {
        doing,
        cause: Cause::Unsupported(u),
    }
}

/// Runs `targets` (in their order; segments first, batched per entity).
pub fn run(
    engine: &Engine,
    p: &Program,
    targets: &[Target],
    s: Settings,
    obs: &mut dyn Observer,
) -> Result<Run, Failure> {
    let mut out = Run {
        outputs: Vec::new(),
        batches: Vec::new(),
    };
    let segments: Vec<SegmentId> = targets
        .iter()
        .filter_map(|t| match t {
            Target::Segment(i) => Some(*i),
            _ => None,
        })
        .collect();
    let mut entities: Vec<usize> = segments.iter().map(|&i| p.segments[i].entity).collect();
    entities.sort_unstable();
    entities.dedup();
    for entity in entities {
        obs.checkpoint();
        let ids: Vec<SegmentId> = segments
            .iter()
            .copied()
            .filter(|&i| p.segments[i].entity == entity)
            .collect();
        run_batch(engine, p, entity, ids, s, obs, &mut out)?;
    }
    for (k, &t) in targets
        .iter()
        .filter(|t| !matches!(t, Target::Segment(_)))
        .enumerate()
    {
        obs.checkpoint();
        let doing = format!("running {} {}", t.kind(), t.name(p));
        let q = compile::compile(p, &Request::from(t), &DuckDb, s.opts)
            .map_err(unsupported(doing.clone()))?;
        let table = sqltext::ident(&format!("segql_result_{}", k + 1));
        obs.start(doing.clone());
        let started = Instant::now();
        engine
            .execute(&format!(
                "CREATE TEMP TABLE {table} AS\n{}\n",
                compile::to_sql(&q)
            ))
            .map_err(failed(doing.clone()))?;
        let elapsed = started.elapsed();
        let sql = if matches!(t, Target::Report(_)) {
            format!("SELECT * FROM {table}")
        } else {
            format!("SELECT * FROM {table} ORDER BY 1")
        };
        let (columns, rows, size) = fetch(engine, &sql, s.fetch_rows).map_err(failed(doing))?;
        obs.finish();
        out.outputs.push(Output {
            target: t,
            title: format!("{} {}", t.kind(), t.name(p)),
            columns,
            rows,
            size,
            sql,
            batch: None,
            elapsed,
        });
    }
    Ok(out)
}

/// The segments `ids` of `entity` in one statement, then one output per segment.
fn run_batch(
    engine: &Engine,
    p: &Program,
    entity: usize,
    ids: Vec<SegmentId>,
    s: Settings,
    obs: &mut dyn Observer,
    out: &mut Run,
) -> Result<(), Failure> {
    let traits: Vec<usize> = if s.with_traits {
        (0..p.traits.len())
            .filter(|&t| p.traits[t].entity == entity)
            .collect()
    } else {
        Vec::new()
    };
    let names: Vec<&str> = ids.iter().map(|&i| p.segments[i].name.as_str()).collect();
    let doing = format!("computing {}", names.join(", "));
    let q = compile::compile(
        p,
        &Request::batch_with_traits(&ids, &traits),
        &DuckDb,
        s.opts,
    )
    .map_err(unsupported(doing.clone()))?;
    let n = out.batches.len();
    let table = sqltext::ident(&format!("segql_memberships_{}", n + 1));
    obs.start(format!(
        "computing {} segment{} of {}",
        ids.len(),
        if ids.len() == 1 { "" } else { "s" },
        p.catalog.entities[entity].name
    ));
    let started = Instant::now();
    engine
        .execute(&format!(
            "CREATE TEMP TABLE {table} AS\n{}\n",
            compile::to_sql(&q)
        ))
        .map_err(failed(doing))?;
    let elapsed = started.elapsed();
    obs.finish();
    let population = session::population(engine, p, entity).map_err(failed(format!(
        "counting the {}",
        plural(&p.catalog.entities[entity].name)
    )))?;
    let key = sqltext::ident(&p.catalog.entities[entity].key);
    let mut cols = vec![key.clone()];
    cols.extend(traits.iter().map(|&t| sqltext::ident(&p.traits[t].name)));
    for &id in &ids {
        let seg = &p.segments[id];
        let sql = format!(
            "SELECT {} FROM {table} WHERE {} ORDER BY {key}",
            cols.join(", "),
            sqltext::ident(&seg.name)
        );
        let (columns, rows, size) = fetch(engine, &sql, s.fetch_rows)
            .map_err(failed(format!("reading the members of {}", seg.name)))?;
        out.outputs.push(Output {
            target: Target::Segment(id),
            title: format!("segment {}", seg.name),
            columns,
            rows,
            size,
            sql,
            batch: Some(n),
            elapsed,
        });
    }
    out.batches.push(Batch {
        entity,
        segments: ids,
        elapsed,
        population,
    });
    Ok(())
}

/// `users` for `user`.
pub fn plural(name: &str) -> String {
    if name.ends_with('s') {
        name.to_string()
    } else {
        format!("{name}s")
    }
}

/// A result's columns, rows and size, from a query over segql's own table. Without
/// `rows`, only its columns and size are read: millions of members are not fetched as
/// text to be counted.
fn fetch(engine: &Engine, sql: &str, rows: bool) -> Result<(Vec<String>, Rows, usize), Error> {
    if rows {
        let (columns, rows) = engine.rows(sql)?;
        let n = rows.len();
        return Ok((columns, rows, n));
    }
    let (columns, _) = engine.rows(&format!("SELECT * FROM ({sql}) AS r LIMIT 0"))?;
    let n = engine.count(&format!("SELECT count(*) FROM ({sql}) AS r"))? as usize;
    Ok((columns, Vec::new(), n))
}
