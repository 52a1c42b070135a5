//! Membership over time: snapshots recorded in segql's state (who entered and who left
//! each segment, and why), and backtests (a segment's size, entered and left over a
//! series of instants, nothing recorded).
//!
//! A snapshot computes the selected segments' members (one batch statement per
//! entity, as `segql run` does) into the engine's temporary table `segql_staged`, then
//! [`store::Store::publish`] compares them with the recorded members and writes the
//! run in one transaction. The state is reached only through [`store::Store`] over a
//! [`Backend`]: the state file attached to the embedded engine ([`attach`]), or a
//! schema of a PostgreSQL target ([`open_on`]), where the members are computed too.

pub mod faults;
mod publish;
pub mod series;
pub mod store;

use crate::backend::Backend;
use crate::codes;
use crate::engine::{Engine, Error as EngineError};
use crate::sqltext;
use segql_plan::compile::{self, Options, Unsupported};
use segql_plan::dialect::DuckDb;
use segql_plan::ir::{Program, SegmentId};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::{Duration, Instant};
use store::{Flavor, Point, Publish, PublishSegment, StateError, Store};

/// The name the state file is attached under in the engine.
pub const ALIAS: &str = "segql_state";

/// The prefix of the state's tables in the engine it is attached to.
pub fn prefix() -> String {
    format!("{}.{}", sqltext::ident(ALIAS), sqltext::ident("main"))
}

/// The store over the state file attached to `engine` ([`attach`]).
pub fn attached_store(engine: &Engine) -> Store<'_> {
    Store::new(engine, prefix())
}

/// Attaches the state file (before the engine is locked down), checks its version and,
/// unless `read_only`, creates its tables when it is new. A file another process holds
/// is E0712; one that is not a DuckDB database E0711; a newer state E0710. Returns
/// whether any run is recorded.
pub fn attach(engine: &Engine, path: &Path, read_only: bool) -> Result<bool, StateError> {
    let mut sql = format!(
        "ATTACH {} AS {}",
        sqltext::literal(&path.to_string_lossy()),
        sqltext::ident(ALIAS)
    );
    if read_only {
        sql.push_str(" (READ_ONLY)");
    }
    engine.execute(&sql).map_err(|e| attach_error(&e))?;
    let store = attached_store(engine);
    if !store.open(Some(ALIAS), "main", !read_only)? {
        return Ok(false);
    }
    Ok(store.head()? > 0)
}

/// Where the state is on a target: a quoted schema and the SQL to speak there. Its
/// [`StoreAt::store`] over the target's connection is the [`Store`].
#[derive(Debug, Clone)]
pub struct StoreAt {
    pub prefix: String,
    pub flavor: Flavor,
}

impl StoreAt {
    pub fn store<'a>(&self, sql: &'a dyn Backend) -> Store<'a> {
        Store::with_flavor(sql, self.prefix.clone(), self.flavor)
    }
}

/// E0719: `what` (`target `sp``) cannot hold the state, its dialect having no
/// [`Flavor`].
pub fn unsupported(what: &str, dialect: &str) -> StateError {
    StateError::new(
        codes::STATE_UNSUPPORTED,
        format!(
            "{what} cannot hold segql's state: snapshots on a target need transactions and temporary tables; segql keeps them in the project's state file or on a PostgreSQL target (this target's dialect: {dialect})"
        ),
    )
    .hint("leave out --target: the snapshots are then recorded in the project's state file (`state` in segql.toml)")
}

/// E0719 for `backtest --target` on an engine whose session tables segql cannot update
/// step by step (Spark: no INSERT or DELETE on a temporary view): nothing is recorded,
/// but the series is built in such tables.
pub fn backtest_unsupported(what: &str, dialect: &str) -> StateError {
    StateError::new(
        codes::STATE_UNSUPPORTED,
        format!(
            "{what} cannot run a backtest: its steps are kept in temporary tables of the session that each step inserts into and deletes from, which this engine does not allow (dialect: {dialect})"
        ),
    )
    .hint("leave out --target (the embedded DuckDB over the bindings), or use a PostgreSQL target; `run --target` at one instant works here")
}

/// The state in `schema` (one part, or `database.schema`) of a target reached through
/// `backend`, its schema and tables created there unless `read_only`. `None` when it
/// has no tables and `read_only`. A target whose engine cannot hold the state is
/// E0719; a newer or damaged state as for [`attach`].
pub fn open_on(
    backend: &dyn Backend,
    schema: &[String],
    read_only: bool,
) -> Result<Option<StoreAt>, StateError> {
    let dialect = backend.dialect().name();
    let Some(flavor) = Flavor::of(dialect) else {
        return Err(unsupported(&backend.label(), dialect));
    };
    let (catalog, name) = match schema {
        [db, s] => (Some(db.as_str()), s.as_str()),
        [s] => (None, s.as_str()),
        _ => {
            return Err(StateError::new(
                codes::STATE_CORRUPT,
                "the state's schema is a name or database.schema",
            ))
        }
    };
    let at = StoreAt {
        prefix: schema
            .iter()
            .map(|p| backend.ident(p))
            .collect::<Vec<_>>()
            .join("."),
        flavor,
    };
    if !read_only {
        backend
            .execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", at.prefix))
            .map_err(store::failed("creating the state's schema"))?;
    }
    if !at.store(backend).open(catalog, name, !read_only)? {
        return Ok(None);
    }
    Ok(Some(at))
}

fn attach_error(e: &EngineError) -> StateError {
    let m = &e.message;
    if m.contains("Could not set lock") || m.contains("Conflicting lock") {
        // `... Conflicting lock is held in /usr/bin/segql (PID 123) by user me.`
        let pid = m
            .split("(PID ")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .map(|p| format!(" (process {p})"))
            .unwrap_or_default();
        return StateError::new(
            codes::STATE_LOCKED,
            format!(
                "the state is in use by another segql{pid}: one command uses the state at a time"
            ),
        )
        .hint("wait for the other command to finish and run this one again; nothing was changed");
    }
    StateError::new(
        codes::STATE_CORRUPT,
        format!("cannot open the state: {m}"),
    )
    .hint("`state` in segql.toml names segql's own DuckDB file; move a damaged one aside (its history is lost) or restore it from a copy")
}

/// The hash of a segment's definition: of its SQL for DuckDB at a fixed instant, which
/// holds everything it computes (its condition, the segments and traits it refers to,
/// the catalog's tables and columns) and nothing of comments or layout.
pub fn definition(p: &Program, id: SegmentId) -> Result<String, Unsupported> {
    let q = compile::compile(
        p,
        &compile::Request::from(segql_plan::ir::Target::Segment(id)),
        &DuckDb,
        Options::literal(0),
    )?;
    Ok(short_hash(compile::to_sql(&q).as_bytes()))
}

fn short_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// A run's id: a hash of its as_of and each segment's name and definition (sorted by
/// name), so the same snapshot has the same id.
pub fn run_id(as_of: i64, definitions: &[(String, String)]) -> String {
    let mut defs: Vec<&(String, String)> = definitions.iter().collect();
    defs.sort();
    let mut text = format!("segql snapshot v1\nas_of {as_of}\n");
    for (name, hash) in defs {
        text.push_str(&format!("{}\t{hash}\n", name.replace(['\n', '\t'], " ")));
    }
    short_hash(text.as_bytes())
}

/// What to snapshot.
#[derive(Debug, Clone)]
pub struct Request {
    pub segments: Vec<SegmentId>,
    pub as_of: i64,
    /// Allow an as_of older than a segment's last recorded one.
    pub backfill: bool,
    /// Now, in microseconds: when the changes were observed.
    pub observed_at: i64,
}

/// A step that failed.
#[derive(Debug)]
pub enum Failed {
    Compiling(Unsupported),
    /// Computing the members of these segments.
    Computing(Vec<String>, EngineError),
    State(StateError),
}

impl From<StateError> for Failed {
    fn from(e: StateError) -> Failed {
        Failed::State(e)
    }
}

/// A segment's figures in a recorded run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    pub segment: String,
    pub size: i64,
    pub entered: i64,
    pub left: i64,
    pub cause: String,
    pub backfill: bool,
}

#[derive(Debug)]
pub enum Outcome {
    Recorded {
        run_id: String,
        seq: i64,
        figures: Vec<Figures>,
        /// Segments already recorded at this as_of with this definition.
        unchanged: Vec<String>,
        compute: Duration,
        publish: Duration,
    },
    /// A run with this id (same as_of, same definitions) is recorded: nothing to do.
    AlreadyRecorded { run_id: String },
    /// Every segment is recorded at this as_of with its definition already.
    Unchanged { run_id: String },
}

/// The members of `ids` (segments of any entities) at `as_of`, one batch statement per
/// entity, into the temporary table `into(segment, key)` (keys as text).
pub fn members_into(
    engine: &dyn Backend,
    p: &Program,
    ids: &[SegmentId],
    as_of: i64,
    into: &str,
) -> Result<(), Failed> {
    let flavor = Flavor::of(engine.dialect().name()).unwrap_or(Flavor::DuckDb);
    for s in flavor.temp_table(into, "(segment VARCHAR, \"key\" VARCHAR)") {
        engine
            .execute(&s)
            .map_err(|e| Failed::Computing(Vec::new(), e))?;
    }
    insert_members(engine, p, ids, Options::literal(as_of), into, "")
}

/// Inserts the members of `ids` into the table `into`, one statement per entity:
/// `INSERT INTO into SELECT <lead>segment, key FROM (<batch>)`, the entity's batch
/// statement in long form compiled with `opts`, its segment and key as text. `lead` is
/// what goes before them (`3, ` for a backtest's step).
pub(crate) fn insert_members(
    engine: &dyn Backend,
    p: &Program,
    ids: &[SegmentId],
    opts: Options,
    into: &str,
    lead: &str,
) -> Result<(), Failed> {
    let mut entities: Vec<usize> = ids.iter().map(|&i| p.segments[i].entity).collect();
    entities.sort_unstable();
    entities.dedup();
    for entity in entities {
        let of: Vec<SegmentId> = ids
            .iter()
            .copied()
            .filter(|&i| p.segments[i].entity == entity)
            .collect();
        let names: Vec<String> = of.iter().map(|&i| p.segments[i].name.clone()).collect();
        let q = compile::batch_statement(p, &of, true, engine.dialect(), opts)
            .map_err(Failed::Compiling)?
            .query;
        // The long form's columns are the segment, then the entity's key, whatever
        // their names: the alias's column list names them.
        engine
            .execute(&format!(
                "INSERT INTO {} SELECT {lead}CAST(segql_batch.segment AS VARCHAR), \
                 CAST(segql_batch.\"key\" AS VARCHAR) \
                 FROM (\n{}\n) AS segql_batch(segment, \"key\")",
                sqltext::ident(into),
                compile::to_sql(&q)
            ))
            .map_err(|e| Failed::Computing(names, e))?;
    }
    Ok(())
}

/// Records a snapshot (see the module's documentation). `fault` is called at each
/// [`Point`] of publishing ([`faults::from_env`] in the binary).
///
/// `p` is the project's program, whose definitions are hashed; `on` the same program as
/// `engine` names its relations (`p` itself on the embedded DuckDB; on a target, its
/// relations renamed to where they live there), whose members are computed. So moving
/// a target's tables is not a change of definition.
pub fn snapshot(
    engine: &dyn Backend,
    store: &Store<'_>,
    p: &Program,
    on: &Program,
    req: &Request,
    fault: &dyn Fn(Point) -> Result<(), String>,
) -> Result<Outcome, Failed> {
    let mut defs: Vec<(String, String)> = Vec::new();
    for &id in &req.segments {
        defs.push((
            p.segments[id].name.clone(),
            definition(p, id).map_err(Failed::Compiling)?,
        ));
    }
    let run_id = run_id(req.as_of, &defs);
    if store.find_run(&run_id)?.is_some_and(|r| r.run_id == run_id) {
        return Ok(Outcome::AlreadyRecorded { run_id });
    }
    let head = store.head()?;
    let names: Vec<String> = defs.iter().map(|(n, _)| n.clone()).collect();
    let last = store.last_runs(&names, None)?;
    let mut older = Vec::new();
    let mut publish = Vec::new();
    let mut unchanged = Vec::new();
    for (&id, (name, def)) in req.segments.iter().zip(&defs) {
        let seg = &p.segments[id];
        let entity = p.catalog.entities[seg.entity].name.clone();
        let latest = last.iter().find(|l| &l.segment == name);
        let backfill = latest.is_some_and(|l| req.as_of < l.as_of);
        if backfill && !req.backfill {
            let l = latest.expect("checked");
            older.push(format!(
                "`{name}` was last recorded as of {} (run {})",
                segql_syntax::time::format_timestamp(l.as_of),
                l.run_id
            ));
            continue;
        }
        // The run just before this one in the timeline: the cause of its changes.
        let before = if backfill {
            store
                .last_runs(std::slice::from_ref(name), Some(req.as_of))?
                .into_iter()
                .next()
        } else {
            latest.cloned()
        };
        let cause = match &before {
            None => "first run",
            Some(b) if b.as_of == req.as_of && &b.definition == def => {
                unchanged.push(name.clone());
                continue;
            }
            Some(b) if &b.definition != def => "definition",
            Some(_) => "data",
        };
        publish.push(PublishSegment {
            segment: name.clone(),
            entity,
            definition: def.clone(),
            cause,
            backfill,
        });
    }
    if !older.is_empty() {
        return Err(StateError::new(
            codes::OLDER_AS_OF,
            format!(
                "this snapshot (as of {}) is older than the last recorded one: {}",
                segql_syntax::time::format_timestamp(req.as_of),
                older.join("; ")
            ),
        )
        .hint("snapshot a later instant, or add --backfill to insert this one in order (the next run's changes are recomputed)")
        .into());
    }
    if publish.is_empty() {
        return Ok(Outcome::Unchanged { run_id });
    }
    let started = Instant::now();
    let ids: Vec<SegmentId> = req
        .segments
        .iter()
        .copied()
        .filter(|&i| publish.iter().any(|s| s.segment == p.segments[i].name))
        .collect();
    members_into(engine, on, &ids, req.as_of, "segql_staged")?;
    let compute = started.elapsed();
    let published = Instant::now();
    let seq = store.publish(
        &Publish {
            run_id: run_id.clone(),
            as_of: req.as_of,
            observed_at: req.observed_at,
            started_at: req.observed_at,
            compute_ms: compute.as_millis() as i64,
            head,
            segments: publish,
        },
        fault,
    )?;
    let publish = published.elapsed();
    fault(Point::Committed).map_err(|m| StateError::new(codes::STATE_FAILED, m))?;
    let figures = store
        .run_figures(seq)?
        .into_iter()
        .map(|r| {
            let s = |i: usize| r.get(i).cloned().flatten().unwrap_or_default();
            let n = |i: usize| s(i).parse::<i64>().unwrap_or(0);
            Figures {
                segment: s(0),
                size: n(1),
                entered: n(2),
                left: n(3),
                cause: s(4),
                backfill: s(5) == "true",
            }
        })
        .collect();
    Ok(Outcome::Recorded {
        run_id,
        seq,
        figures,
        unchanged,
        compute,
        publish,
    })
}
