//! What `segql run` computes on a backend (the bound DuckDB, or a warehouse target): the
//! selected segments in one batch statement per entity, kept in a temporary table of
//! memberships, then every selected report, split and priority list in its own
//! temporary table; each result is read back from segql's own table, compiled for the
//! backend's dialect. The CLI prints or writes what [`run`] returns.

use crate::backend::{Backend, Table, ValueKind};
use crate::engine::{Error, Rows};
use crate::session;
use segql_plan::compile::{self, Options, Request};
use segql_plan::ir::{MetricKind, Program, SegmentId, Target};
use segql_syntax::ast::Type;
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
    /// What each column holds.
    pub kinds: Vec<ValueKind>,
    /// Empty unless [`Settings::fetch_rows`].
    pub rows: Rows,
    pub size: usize,
    /// The query over segql's own temporary table that gives these rows, in their order
    /// (for DuckDB's COPY).
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
    /// Cannot be compiled for the backend's dialect.
    Unsupported(compile::Unsupported),
    /// The backend's error (DuckDB's, or a target's with its code).
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
    engine: &dyn Backend,
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
        let q = compile::compile(p, &Request::from(t), engine.dialect(), s.opts)
            .map_err(unsupported(doing.clone()))?;
        let kept = format!("segql_result_{}", k + 1);
        obs.start(doing.clone());
        let started = Instant::now();
        engine
            .keep(&kept, &compile::to_sql(&q))
            .map_err(failed(doing.clone()))?;
        let elapsed = started.elapsed();
        // A report's rows in its own order; the others by their first column.
        let ordered = !matches!(t, Target::Report(_));
        let sql = match t {
            Target::Report(r) if engine.engine().is_none() => {
                as_duckdb_types(engine, p, r, &kept).map_err(failed(doing.clone()))?
            }
            _ => format!("SELECT * FROM {}", engine.ident(&kept)),
        };
        let (table, size) = fetch(engine, &sql, ordered, s.fetch_rows).map_err(failed(doing))?;
        let sql = if ordered {
            format!("{sql} ORDER BY 1")
        } else {
            sql
        };
        obs.finish();
        out.outputs.push(Output {
            target: t,
            title: format!("{} {}", t.kind(), t.name(p)),
            columns: table.columns,
            kinds: table.kinds,
            rows: table.rows,
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
    engine: &dyn Backend,
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
        engine.dialect(),
        s.opts,
    )
    .map_err(unsupported(doing.clone()))?;
    let n = out.batches.len();
    let kept = format!("segql_memberships_{}", n + 1);
    let table = engine.ident(&kept);
    obs.start(format!(
        "computing {} segment{} of {}",
        ids.len(),
        if ids.len() == 1 { "" } else { "s" },
        p.catalog.entities[entity].name
    ));
    let started = Instant::now();
    engine
        .keep(&kept, &compile::to_sql(&q))
        .map_err(failed(doing))?;
    let elapsed = started.elapsed();
    obs.finish();
    let population = session::population(engine, p, entity).map_err(failed(format!(
        "counting the {}",
        plural(&p.catalog.entities[entity].name)
    )))?;
    let key = engine.ident(&p.catalog.entities[entity].key);
    let mut cols = vec![key.clone()];
    cols.extend(traits.iter().map(|&t| engine.ident(&p.traits[t].name)));
    for &id in &ids {
        let seg = &p.segments[id];
        // Ordered by the key, the first column.
        let sql = format!(
            "SELECT {} FROM {table} WHERE {}",
            cols.join(", "),
            engine.ident(&seg.name)
        );
        let (table, size) = fetch(engine, &sql, true, s.fetch_rows)
            .map_err(failed(format!("reading the members of {}", seg.name)))?;
        let sql = format!("{sql} ORDER BY {key}");
        out.outputs.push(Output {
            target: Target::Segment(id),
            title: format!("segment {}", seg.name),
            columns: table.columns,
            kinds: table.kinds,
            rows: table.rows,
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

/// A report's rows read from a target with each metric cast to the type DuckDB gives
/// it (a count a BIGINT, a share or an average the report decimal of a fixed scale, a
/// sum, minimum or maximum the type of its value), so that it prints as a local run's:
/// a driver may hand a NUMERIC over without its trailing zeros (`0.1875` for
/// `0.187500`).
fn as_duckdb_types(
    engine: &dyn Backend,
    p: &Program,
    report: usize,
    kept: &str,
) -> Result<String, Error> {
    let table = engine.ident(kept);
    let (columns, _) = engine.rows(&format!("SELECT * FROM {table} LIMIT 0"))?;
    let metrics = &p.reports[report].metrics;
    if columns.len() != metrics.len() + 1 {
        return Ok(format!("SELECT * FROM {table}"));
    }
    let d = engine.dialect();
    let mut cols = vec![engine.ident(&columns[0])];
    for (c, m) in columns[1..].iter().zip(metrics) {
        let ty = match &m.kind {
            MetricKind::Count(_) => d.cast_type(Type::Int).to_string(),
            // The report decimal (a fixed scale) every dialect writes them as.
            MetricKind::Share(_) | MetricKind::Avg(_) => d.report_decimal_type().to_string(),
            MetricKind::Sum(v) | MetricKind::Min(v) | MetricKind::Max(v) => {
                d.cast_type(v.ty(p)).to_string()
            }
        };
        let c = engine.ident(c);
        cols.push(format!("CAST({c} AS {ty}) AS {c}"));
    }
    Ok(format!("SELECT {} FROM {table}", cols.join(", ")))
}

/// `users` for `user`.
pub fn plural(name: &str) -> String {
    if name.ends_with('s') {
        name.to_string()
    } else {
        format!("{name}s")
    }
}

/// A result's columns, rows and size, from a query over segql's own table; `ordered`:
/// by its first column as DuckDB orders it (whatever the target's collation). Without
/// `rows`, only its columns and size are read: millions of members are not fetched as
/// text to be counted.
fn fetch(
    engine: &dyn Backend,
    sql: &str,
    ordered: bool,
    rows: bool,
) -> Result<(Table, usize), Error> {
    if rows {
        let table = engine.table(sql, ordered)?;
        let n = table.rows.len();
        return Ok((table, n));
    }
    let table = engine.table(&format!("SELECT * FROM ({sql}) AS r LIMIT 0"), false)?;
    let n = engine.count(&format!("SELECT count(*) FROM ({sql}) AS r"))? as usize;
    Ok((table, n))
}
