//! segql's state: the tables that record snapshots, behind a small interface.
//!
//! A [`Store`] is a set of tables under one prefix, written and read through a [`Backend`]
//! (one statement at a time, with `BEGIN`/`COMMIT`/`ROLLBACK`). On the embedded
//! default the prefix is the state file attached to the run's engine
//! (`"segql_state"."main"`), so members computed in the engine are compared with the
//! recorded ones inside DuckDB. On a PostgreSQL target the same tables live in a
//! schema of the target (`segql_state` unless the target's `state` says otherwise),
//! and members computed there are compared there: nothing crosses the network but the
//! figures. The statements differ only where the engines do ([`Flavor`]).
//!
//! The tables (schema version [`SCHEMA_VERSION`]):
//!
//! | table | one row per |
//! | --- | --- |
//! | `meta` | setting: `schema_version`, `created_by` |
//! | `runs` | published snapshot: `seq` (commit order), `run_id`, `as_of`, `observed_at`, `status`, `backfill`, timings |
//! | `run_segments` | segment of a run: its `definition` hash, `size`, `entered`, `left_count`, `cause` |
//! | `changes` | key that entered or left a segment: `change`, `as_of` (effective), `observed_at`, `cause`, the run |
//! | `current_members` | member of a segment at its latest snapshot |
//! | `stays` (view) | stay of a key in a segment: `valid_from`, `valid_to` (NULL while it lasts) |

use crate::backend::Backend;
use crate::codes;
use crate::engine::{Error as EngineError, Rows};
use crate::sqltext::{ident, literal};
use segql_plan::dialect::timestamp_text;

/// The version of the tables this segql writes and reads.
pub const SCHEMA_VERSION: i64 = 1;

/// The SQL the state is written in: DuckDB's (the state file, the default) or
/// PostgreSQL's (a schema of a PostgreSQL target). The statements are the same text
/// except where the two engines differ, which is here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    DuckDb,
    Postgres,
}

impl Flavor {
    /// The flavor for a dialect (by its name); `None` where the state cannot live:
    /// an engine without transactions or temporary tables (Spark), or one not tested
    /// with it yet.
    pub fn of(dialect: &str) -> Option<Flavor> {
        match dialect {
            "duckdb" => Some(Flavor::DuckDb),
            "postgres" => Some(Flavor::Postgres),
            _ => None,
        }
    }

    /// Microseconds since 1970 of a TIMESTAMP expression, as a BIGINT.
    pub(super) fn epoch_us(self, e: &str) -> String {
        match self {
            Flavor::DuckDb => format!("epoch_us({e})"),
            // EXTRACT is exact (numeric) from PostgreSQL 14 on.
            Flavor::Postgres => format!("CAST(EXTRACT(EPOCH FROM {e}) * 1000000 AS BIGINT)"),
        }
    }

    /// The statements that make `name` a temporary table of the session, replacing
    /// one of that name: `rest` is `AS <query>` or a column list.
    pub fn temp_table(self, name: &str, rest: &str) -> Vec<String> {
        let n = ident(name);
        match self {
            Flavor::DuckDb => vec![format!("CREATE OR REPLACE TEMP TABLE {n} {rest}")],
            Flavor::Postgres => vec![
                format!("DROP TABLE IF EXISTS pg_temp.{n}"),
                format!("CREATE TEMP TABLE {n} {rest}"),
            ],
        }
    }
}

/// A problem with the state, with its code and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateError {
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl StateError {
    pub fn new(code: &'static str, message: impl Into<String>) -> StateError {
        StateError {
            code,
            message: message.into(),
            hint: None,
        }
    }
    pub fn hint(mut self, hint: impl Into<String>) -> StateError {
        self.hint = Some(hint.into());
        self
    }
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for StateError {}

/// A failed statement on the state (E0713).
pub fn failed(doing: &str) -> impl FnOnce(EngineError) -> StateError + '_ {
    move |e| StateError::new(codes::STATE_FAILED, format!("{doing}: {}", e.message))
}

pub type Result<T> = std::result::Result<T, StateError>;

/// The last recorded run of a segment, or of a segment before an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRun {
    pub segment: String,
    pub run_id: String,
    pub seq: i64,
    pub as_of: i64,
    pub definition: String,
}

/// A published run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub run_id: String,
    pub seq: i64,
    pub as_of: i64,
}

/// Where `changes --since` starts: after an instant, or after a run (its as_of and
/// its place among runs of the same as_of).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// The latest run of each segment: its own changes.
    LastRun,
    /// After `(as_of, seq)`: changes of runs later in the timeline.
    After { as_of: i64, seq: i64 },
}

/// One segment of a run to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishSegment {
    pub segment: String,
    pub entity: String,
    pub definition: String,
    /// `first run`, `data` or `definition`.
    pub cause: &'static str,
    /// Inserted before later runs (`--backfill`): compared with the members
    /// reconstructed at its as_of, and the next run's changes recomputed.
    pub backfill: bool,
}

/// What a snapshot publishes: the run and its segments. Members are in the engine's
/// temporary table `segql_staged(segment, key)`.
#[derive(Debug, Clone)]
pub struct Publish {
    pub run_id: String,
    pub as_of: i64,
    pub observed_at: i64,
    pub started_at: i64,
    pub compute_ms: i64,
    /// The head read before computing: publishing fails if another run committed since.
    pub head: i64,
    pub segments: Vec<PublishSegment>,
}

/// Places in [`Store::publish`] where a test can make it fail or stop (see
/// [`crate::membership::faults`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Point {
    /// The members are computed and compared; nothing is written yet.
    Staged,
    /// Inside the transaction, changes written.
    Changes,
    /// Inside the transaction, current members updated.
    Current,
    /// Inside the transaction, the run row written; COMMIT is next.
    Run,
    /// Committed.
    Committed,
}

impl Point {
    pub const ALL: [Point; 5] = [
        Point::Staged,
        Point::Changes,
        Point::Current,
        Point::Run,
        Point::Committed,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Point::Staged => "staged",
            Point::Changes => "changes",
            Point::Current => "current",
            Point::Run => "run",
            Point::Committed => "committed",
        }
    }
}

/// The state's tables under a prefix, written and read through a [`Backend`].
pub struct Store<'a> {
    pub(super) sql: &'a dyn Backend,
    prefix: String,
    pub(super) flavor: Flavor,
}

pub(super) fn ts(micros: i64) -> String {
    format!("CAST({} AS TIMESTAMP)", literal(&timestamp_text(micros)))
}

fn cell(rows: &Rows, r: usize, c: usize) -> Option<&str> {
    rows.get(r)
        .and_then(|row| row.get(c))
        .and_then(|v| v.as_deref())
}

fn int(v: Option<&str>) -> i64 {
    v.and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// `IN ('a', 'b')` of names (`IN (NULL)` when empty: matches nothing).
fn in_list(names: &[String]) -> String {
    if names.is_empty() {
        return "IN (NULL)".to_string();
    }
    let items: Vec<String> = names.iter().map(|n| literal(n)).collect();
    format!("IN ({})", items.join(", "))
}

const TABLES: &[&str] = &["meta", "runs", "run_segments", "changes", "current_members"];

impl<'a> Store<'a> {
    /// Tables under `prefix`, e.g. `"segql_state"."main"`, in DuckDB's SQL.
    pub fn new(sql: &'a dyn Backend, prefix: impl Into<String>) -> Store<'a> {
        Store::with_flavor(sql, prefix, Flavor::DuckDb)
    }

    /// Tables under `prefix` (a quoted schema), written in `flavor`'s SQL.
    pub fn with_flavor(
        sql: &'a dyn Backend,
        prefix: impl Into<String>,
        flavor: Flavor,
    ) -> Store<'a> {
        Store {
            sql,
            prefix: prefix.into(),
            flavor,
        }
    }

    /// Runs `flavor`'s statements making `name` a temporary table (see
    /// [`Flavor::temp_table`]).
    pub(super) fn temp(&self, name: &str, rest: &str, doing: &str) -> Result<()> {
        for s in self.flavor.temp_table(name, rest) {
            self.exec(&s, doing)?;
        }
        Ok(())
    }

    fn us(&self, e: &str) -> String {
        self.flavor.epoch_us(e)
    }

    pub(super) fn t(&self, name: &str) -> String {
        format!("{}.{}", self.prefix, ident(name))
    }

    pub(super) fn exec(&self, sql: &str, doing: &str) -> Result<()> {
        self.sql.execute(sql).map_err(failed(doing))
    }

    pub(super) fn query(&self, sql: &str, doing: &str) -> Result<Rows> {
        self.sql.rows(sql).map(|(_, r)| r).map_err(failed(doing))
    }

    /// The tables present under the prefix (catalog and schema as the engine names
    /// them: the prefix's parts, unquoted; no catalog for the connection's own).
    fn tables(&self, catalog: Option<&str>, schema: &str) -> Result<Vec<String>> {
        let catalog = match catalog {
            Some(c) => format!("table_catalog = {}", literal(c)),
            None => "table_catalog = current_database()".to_string(),
        };
        let rows = self.query(
            &format!(
                "SELECT table_name FROM information_schema.tables WHERE {catalog} AND table_schema = {} ORDER BY 1",
                literal(schema)
            ),
            "reading the state's tables",
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|r| r.into_iter().next().flatten())
            .collect())
    }

    /// Checks the state's version, creating the tables when there are none and
    /// `create` is set. Returns whether the state holds tables (false: empty and not
    /// created). `catalog` and `schema`: the prefix's parts, unquoted.
    pub fn open(&self, catalog: Option<&str>, schema: &str, create: bool) -> Result<bool> {
        let tables = self.tables(catalog, schema)?;
        if tables.is_empty() {
            if create {
                self.create()?;
                return Ok(true);
            }
            return Ok(false);
        }
        if !tables.iter().any(|t| t == "meta") {
            return Err(StateError::new(
                codes::STATE_CORRUPT,
                format!(
                    "this is not a segql state: it holds {} but no `meta` table",
                    tables.join(", ")
                ),
            )
            .hint("point `state` in segql.toml at a file of segql's own (default .segql/state.duckdb)"));
        }
        let rows = self.query(
            &format!(
                "SELECT value FROM {} WHERE name = 'schema_version'",
                self.t("meta")
            ),
            "reading the state's version",
        )?;
        let version = cell(&rows, 0, 0).and_then(|v| v.parse::<i64>().ok());
        let Some(version) = version else {
            return Err(StateError::new(
                codes::STATE_CORRUPT,
                "the state is damaged: it records no schema version",
            )
            .hint("move the state file aside and snapshot again (its history is lost), or restore it from a copy"));
        };
        if version > SCHEMA_VERSION {
            let by = self
                .query(
                    &format!(
                        "SELECT value FROM {} WHERE name = 'created_by'",
                        self.t("meta")
                    ),
                    "reading the state's version",
                )
                .ok()
                .and_then(|r| cell(&r, 0, 0).map(str::to_string))
                .unwrap_or_else(|| "a newer segql".to_string());
            return Err(StateError::new(
                codes::STATE_NEWER,
                format!(
                    "the state has schema version {version}, written by {by}; this segql ({}) reads version {SCHEMA_VERSION}",
                    env!("CARGO_PKG_VERSION")
                ),
            )
            .hint("use the newer segql: an older one never reads or writes a newer state"));
        }
        let missing: Vec<&str> = TABLES
            .iter()
            .copied()
            .filter(|t| !tables.iter().any(|x| x == t))
            .collect();
        if !missing.is_empty() {
            return Err(StateError::new(
                codes::STATE_CORRUPT,
                format!("the state is damaged: it lacks the table{} {}", if missing.len() == 1 { "" } else { "s" }, missing.join(", ")),
            )
            .hint("move the state file aside and snapshot again (its history is lost), or restore it from a copy"));
        }
        Ok(true)
    }

    /// The tables and the stays view, in one transaction.
    fn create(&self) -> Result<()> {
        let stmts = [
            format!("CREATE TABLE {} (name VARCHAR, value VARCHAR)", self.t("meta")),
            format!(
                "INSERT INTO {} VALUES ('schema_version', {}), ('created_by', {})",
                self.t("meta"),
                literal(&SCHEMA_VERSION.to_string()),
                literal(&format!("segql {}", env!("CARGO_PKG_VERSION")))
            ),
            format!(
                "CREATE TABLE {} (seq BIGINT, run_id VARCHAR, as_of TIMESTAMP, observed_at TIMESTAMP, status VARCHAR, backfill BOOLEAN, started_at TIMESTAMP, compute_ms BIGINT, publish_ms BIGINT, segql_version VARCHAR)",
                self.t("runs")
            ),
            format!(
                "CREATE TABLE {} (run_id VARCHAR, seq BIGINT, segment VARCHAR, entity VARCHAR, definition VARCHAR, as_of TIMESTAMP, size BIGINT, entered BIGINT, left_count BIGINT, cause VARCHAR, backfill BOOLEAN)",
                self.t("run_segments")
            ),
            format!(
                "CREATE TABLE {} (run_id VARCHAR, seq BIGINT, segment VARCHAR, \"key\" VARCHAR, change VARCHAR, as_of TIMESTAMP, observed_at TIMESTAMP, cause VARCHAR)",
                self.t("changes")
            ),
            format!(
                "CREATE TABLE {} (segment VARCHAR, \"key\" VARCHAR, since TIMESTAMP, run_id VARCHAR)",
                self.t("current_members")
            ),
            // One row per stay: each `entered` with the `left` that follows it (changes
            // of a key alternate), in timeline order (as_of, then commit order).
            format!(
                "CREATE VIEW {} AS SELECT segment, \"key\", as_of AS valid_from, next_as_of AS valid_to, run_id AS entered_run, next_run AS left_run FROM (SELECT segment, \"key\", change, as_of, run_id, lead(as_of) OVER w AS next_as_of, lead(run_id) OVER w AS next_run FROM {} WINDOW w AS (PARTITION BY segment, \"key\" ORDER BY as_of, seq)) AS c WHERE change = 'entered'",
                self.t("stays"),
                // DuckDB resolves a view's names in the state's own catalog, whatever
                // it is attached as; PostgreSQL by the search path, so by schema.
                match self.flavor {
                    Flavor::DuckDb => "changes".to_string(),
                    Flavor::Postgres => self.t("changes"),
                }
            ),
        ];
        self.exec("BEGIN TRANSACTION", "creating the state")?;
        for s in &stmts {
            if let Err(e) = self.exec(s, "creating the state") {
                let _ = self.sql.execute("ROLLBACK");
                return Err(e);
            }
        }
        self.exec("COMMIT", "creating the state")
    }

    /// The last published commit (0 for none).
    pub fn head(&self) -> Result<i64> {
        let rows = self.query(
            &format!(
                "SELECT coalesce(max(seq), 0) FROM {} WHERE status = 'published'",
                self.t("runs")
            ),
            "reading the state",
        )?;
        Ok(int(cell(&rows, 0, 0)))
    }

    /// A published run by id, or by a unique prefix of its id (at least 4 characters).
    pub fn find_run(&self, id: &str) -> Result<Option<RunRow>> {
        let rows = self.query(
            &format!(
                "SELECT run_id, seq, {} FROM {} WHERE status = 'published' AND starts_with(run_id, {}) ORDER BY seq",
                self.us("as_of"),
                self.t("runs"),
                literal(id)
            ),
            "reading the runs",
        )?;
        let exact = rows.iter().position(|r| r[0].as_deref() == Some(id));
        let pick = match (exact, rows.len()) {
            (Some(i), _) => Some(i),
            (None, 1) if id.len() >= 4 => Some(0),
            (None, n) if n > 1 && id.len() >= 4 => {
                return Err(StateError::new(
                    codes::UNKNOWN_RUN,
                    format!("`{id}` is the start of {n} runs' ids"),
                )
                .hint("give more of the id (`segql history` lists them)"))
            }
            _ => None,
        };
        Ok(pick.map(|i| RunRow {
            run_id: cell(&rows, i, 0).unwrap_or("").to_string(),
            seq: int(cell(&rows, i, 1)),
            as_of: int(cell(&rows, i, 2)),
        }))
    }

    /// The latest run (by as_of, then commit order) of each of `segments` at or
    /// before `until` (every run when `None`).
    pub fn last_runs(&self, segments: &[String], until: Option<i64>) -> Result<Vec<SegmentRun>> {
        let bound = until
            .map(|t| format!(" AND s.as_of <= {}", ts(t)))
            .unwrap_or_default();
        let rows = self.query(
            &format!(
                "SELECT segment, run_id, seq, {us}, definition FROM (SELECT s.*, row_number() OVER (PARTITION BY s.segment ORDER BY s.as_of DESC, s.seq DESC) AS rn FROM {rs} AS s JOIN {runs} AS r ON r.seq = s.seq AND r.status = 'published' WHERE s.segment {list}{bound}) AS x WHERE rn = 1 ORDER BY segment",
                rs = self.t("run_segments"),
                runs = self.t("runs"),
                list = in_list(segments),
                us = self.us("as_of"),
            ),
            "reading the last runs",
        )?;
        Ok(rows.iter().map(|r| segment_run(r)).collect())
    }

    /// The first run of each of `segments` after `as_of` (by as_of, then commit order).
    pub fn next_runs(&self, segments: &[String], after: i64) -> Result<Vec<SegmentRun>> {
        let rows = self.query(
            &format!(
                "SELECT segment, run_id, seq, {us}, definition FROM (SELECT s.*, row_number() OVER (PARTITION BY s.segment ORDER BY s.as_of, s.seq) AS rn FROM {rs} AS s JOIN {runs} AS r ON r.seq = s.seq AND r.status = 'published' WHERE s.segment {list} AND s.as_of > {t}) AS x WHERE rn = 1 ORDER BY segment",
                rs = self.t("run_segments"),
                runs = self.t("runs"),
                list = in_list(segments),
                t = ts(after),
                us = self.us("as_of"),
            ),
            "reading the next runs",
        )?;
        Ok(rows.iter().map(|r| segment_run(r)).collect())
    }

    /// `SELECT segment, key` of the members of each `(segment, as_of, seq)` bound in
    /// `bounds` (a table with those columns), rebuilt from the changes: a key whose
    /// last change up to the bound is `entered`.
    pub(super) fn members_at(&self, bounds: &str) -> String {
        format!(
            "SELECT segment, \"key\" FROM (SELECT c.segment, c.\"key\", c.change, row_number() OVER (PARTITION BY c.segment, c.\"key\" ORDER BY c.as_of DESC, c.seq DESC) AS rn FROM {changes} AS c JOIN {runs} AS r ON r.seq = c.seq AND r.status = 'published' JOIN {bounds} AS b ON b.segment = c.segment WHERE c.as_of < b.as_of OR (c.as_of = b.as_of AND c.seq <= b.seq)) AS x WHERE rn = 1 AND change = 'entered'",
            changes = self.t("changes"),
            runs = self.t("runs"),
        )
    }

    /// The figures of each run of `segments`, in timeline order: segment, as_of
    /// (microseconds), run id, size, entered, left, cause, observed_at (microseconds).
    pub fn history(&self, segments: &[String]) -> Result<Rows> {
        self.query(
            &format!(
                "SELECT s.segment, {}, s.run_id, s.size, s.entered, s.left_count, s.cause, {} FROM {} AS s JOIN {} AS r ON r.seq = s.seq AND r.status = 'published' WHERE s.segment {} ORDER BY s.segment, s.as_of, s.seq",
                self.us("s.as_of"),
                self.us("r.observed_at"),
                self.t("run_segments"),
                self.t("runs"),
                in_list(segments)
            ),
            "reading the history",
        )
    }

    /// Who entered and who left: with [`Since::LastRun`], the changes of each
    /// segment's latest run; with [`Since::After`], the net changes from the members
    /// at that point to the current ones (a key that left and came back is not
    /// listed), each with its latest change. Rows: segment, key, change, as_of
    /// (microseconds), run id, cause, observed_at (microseconds).
    pub fn changes(&self, segments: &[String], since: Since) -> Result<Rows> {
        let changes = self.t("changes");
        let runs = self.t("runs");
        let list = in_list(segments);
        let sql = match since {
            Since::LastRun => {
                let last = self.last_runs(segments, None)?;
                let seqs: Vec<String> = last
                    .iter()
                    .map(|r| {
                        format!(
                            "(c.segment = {} AND c.seq = {})",
                            literal(&r.segment),
                            r.seq
                        )
                    })
                    .collect();
                if seqs.is_empty() {
                    return Ok(Vec::new());
                }
                format!(
                    "SELECT c.segment, c.\"key\", c.change, {}, c.run_id, c.cause, {} FROM {changes} AS c WHERE {} ORDER BY c.segment, c.change, c.\"key\"",
                    self.us("c.as_of"),
                    self.us("c.observed_at"),
                    seqs.join(" OR ")
                )
            }
            Since::After { as_of, seq } => {
                let after = format!(
                    "(c.as_of > {t} OR (c.as_of = {t} AND c.seq > {seq}))",
                    t = ts(as_of)
                );
                // A key's changes alternate (entered, left, entered, ...): an odd number
                // after the bound is a net change, the last one; an even number returns
                // it to where it was.
                format!(
                    "SELECT segment, \"key\", change, {us_as_of}, run_id, cause, {us_observed} FROM (\
                     SELECT c.*, row_number() OVER (PARTITION BY c.segment, c.\"key\" ORDER BY c.as_of DESC, c.seq DESC) AS rn, count(*) OVER (PARTITION BY c.segment, c.\"key\") AS n \
                     FROM {changes} AS c JOIN {runs} AS r ON r.seq = c.seq AND r.status = 'published' WHERE c.segment {list} AND {after}) AS x \
                     WHERE rn = 1 AND n % 2 = 1 ORDER BY segment, change, \"key\"",
                    us_as_of = self.us("as_of"),
                    us_observed = self.us("observed_at"),
                )
            }
        };
        self.query(&sql, "reading the changes")
    }

    /// Each segment of the run committed as `seq`: segment, size, entered, left, cause,
    /// backfill.
    pub fn run_figures(&self, seq: i64) -> Result<Rows> {
        self.query(
            &format!(
                "SELECT segment, size, entered, left_count, cause, backfill FROM {} WHERE seq = {seq} ORDER BY segment",
                self.t("run_segments")
            ),
            "reading the run",
        )
    }

    /// The current members of a segment, sorted (for tests and exports).
    pub fn current(&self, segment: &str) -> Result<Vec<String>> {
        let rows = self.query(
            &format!(
                "SELECT \"key\" FROM {} WHERE segment = {} ORDER BY 1",
                self.t("current_members"),
                literal(segment)
            ),
            "reading the current members",
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|r| r.into_iter().next().flatten())
            .collect())
    }

    /// Every segment with a recorded run.
    pub fn segments(&self) -> Result<Vec<String>> {
        let rows = self.query(
            &format!(
                "SELECT DISTINCT s.segment FROM {} AS s JOIN {} AS r ON r.seq = s.seq AND r.status = 'published' ORDER BY 1",
                self.t("run_segments"),
                self.t("runs")
            ),
            "reading the segments",
        )?;
        Ok(rows
            .into_iter()
            .filter_map(|r| r.into_iter().next().flatten())
            .collect())
    }
}

fn segment_run(r: &[Option<String>]) -> SegmentRun {
    let s = |i: usize| r.get(i).cloned().flatten().unwrap_or_default();
    SegmentRun {
        segment: s(0),
        run_id: s(1),
        seq: s(2).parse().unwrap_or(0),
        as_of: s(3).parse().unwrap_or(0),
        definition: s(4),
    }
}
