//! segql-datagen: deterministic SaaS data for the example project and for benchmarks.
//!
//! Everything is generated inside DuckDB with SQL over `range()`. Every random draw is
//! a hash of the row's identity (a user's index, a session's number, ...), a tag naming
//! the draw, and the seed, so the data does not depend on the number of threads or on
//! the order DuckDB happens to process rows in; every output is written sorted on a key
//! that identifies each row, so the files are byte-identical from run to run.
//!
//! The shape, per user: a heavy-tailed activity rate (sessions per week: most users
//! are light, a few are very heavy), a signup time (more signups recently: the product
//! grows), a trial (14 days) that converts to a paid plan (a `purchase`, then one every
//! month or every year) or ends (`plan_changed` to free, and most trialists churn), a
//! lifetime after which activity stops, sessions on weekdays and working hours more
//! than weekends and nights (a `login`, then page views and other actions), weekly
//! newsletters some users open, some unsubscribe. Users mostly belong to accounts
//! (companies with an industry, a size, a CRM, a warehouse and a tech stack; team
//! sizes are heavy-tailed too); paid purchases of account members are the accounts'
//! invoices.

mod sql;

use sql::build_sql;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How files are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The example project's layout: users and events in parquet, accounts and invoices
    /// in CSV.
    Example,
    /// Every table in parquet.
    Parquet,
    /// Every table in CSV.
    Csv,
}

impl Format {
    fn ext(self, table: Table) -> &'static str {
        match (self, table) {
            (Format::Parquet, _) => "parquet",
            (Format::Csv, _) => "csv",
            (Format::Example, Table::Users | Table::Events) => "parquet",
            (Format::Example, Table::Accounts | Table::Invoices) => "csv",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Users,
    Accounts,
    Events,
    Invoices,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Config {
    /// Number of users; accounts, events and invoices scale with it.
    pub users: u64,
    /// Months of history before `as_of`; every user signs up in it.
    pub months: u32,
    pub seed: u64,
    /// The end of the history (exclusive), UTC: `2026-01-01` or `2026-01-01T00:00:00Z`.
    pub as_of: String,
    pub out: PathBuf,
    pub format: Format,
    /// DuckDB's worker threads (None: DuckDB's default, one per core).
    pub threads: Option<usize>,
    /// DuckDB's memory limit (`4GB`). With one, the tables live in a temporary database
    /// file that DuckDB can move out of memory; without, in memory, up to DuckDB's
    /// default limit (80% of RAM).
    pub memory_limit: Option<String>,
    /// Users whose events are generated at once ([`DEFAULT_USERS_PER_CHUNK`]): memory
    /// holds one chunk's events (about 6 GB per million users). With more users than
    /// this, each month's events are written as one file per chunk
    /// (`events/month=YYYY-MM/part-K.*`, each sorted by time); the rows are the same.
    pub users_per_chunk: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            users: 3000,
            months: 24,
            seed: 42,
            as_of: DEFAULT_AS_OF.to_string(),
            out: PathBuf::from("data"),
            format: Format::Example,
            threads: None,
            memory_limit: None,
            users_per_chunk: DEFAULT_USERS_PER_CHUNK,
        }
    }
}

/// Users per chunk unless told otherwise: a million users' events (62M) fit the memory
/// of a 16 GB machine, and every data set up to a million users is one chunk.
pub const DEFAULT_USERS_PER_CHUNK: u64 = 1_000_000;

/// The end of the generated history unless told otherwise.
pub const DEFAULT_AS_OF: &str = "2026-01-01T00:00:00Z";

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub users: u64,
    pub accounts: u64,
    pub events: u64,
    pub invoices: u64,
    /// Every file written, relative to the output directory, sorted.
    pub files: Vec<PathBuf>,
    /// Total size of the files written, in bytes.
    pub bytes: u64,
    /// Seconds spent generating (inside DuckDB) and writing.
    pub generate_secs: f64,
    pub write_secs: f64,
}

#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<duckdb::Error> for Error {
    fn from(e: duckdb::Error) -> Self {
        Error(format!("DuckDB: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// `as_of` and the start of the history, in seconds since the epoch.
fn parse_as_of(conn: &duckdb::Connection, as_of: &str, months: u32) -> Result<(i64, i64)> {
    let text = as_of.trim();
    let bare = text.strip_suffix('Z').unwrap_or(text);
    let ok = !bare.is_empty()
        && bare
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | 'T' | '.'));
    if !ok || bare.contains('+') {
        return Err(Error(format!(
            "--as-of {as_of}: expected a UTC date or timestamp like 2026-01-01 or 2026-01-01T00:00:00Z"
        )));
    }
    let sql = format!(
        "SELECT CAST(epoch(t) AS BIGINT), CAST(epoch(t - to_months({months})) AS BIGINT)
         FROM (SELECT CAST('{bare}' AS TIMESTAMP) AS t)"
    );
    conn.query_row(&sql, [], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
        .map_err(|e| Error(format!("--as-of {as_of}: {e}")))
}

fn sql_path(p: &Path) -> String {
    p.to_string_lossy().replace('\'', "''")
}

fn copy_options(format: Format, table: Table) -> &'static str {
    match format.ext(table) {
        "parquet" => "(FORMAT parquet, COMPRESSION zstd)",
        _ => "(FORMAT csv, HEADER true, DELIMITER ',')",
    }
}

/// Generates the data set and writes it under `cfg.out`:
/// `users.*`, `accounts.*`, `invoices.*` and `events/month=YYYY-MM/part.*`.
pub fn generate(cfg: &Config) -> Result<Summary> {
    if cfg.users == 0 {
        return Err(Error("--users must be at least 1".into()));
    }
    if cfg.months == 0 {
        return Err(Error("--months must be at least 1".into()));
    }
    // A scratch directory of this run's own (several runs may share a process): DuckDB
    // spills there, and with a memory limit the database file lives there.
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let spill = std::env::temp_dir().join(format!("{}{run}", scratch_prefix()));
    let result = generate_in(cfg, &spill);
    if let Ok(mut r) = RUNNING.lock() {
        *r = None;
    }
    let _ = std::fs::remove_dir_all(&spill);
    result
}

/// Set by [`interrupt`].
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
/// The running generation's connection, for [`interrupt`].
static RUNNING: std::sync::Mutex<Option<std::sync::Arc<duckdb::InterruptHandle>>> =
    std::sync::Mutex::new(None);

/// Stops the running generation from another thread (Ctrl-C): its statement fails,
/// no further one starts, and [`generate`] returns an error after removing its scratch
/// directory. What was written under `out` stays.
pub fn interrupt() {
    INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
    if let Ok(r) = RUNNING.lock() {
        if let Some(h) = r.as_ref() {
            h.interrupt();
        }
    }
}

/// Whether [`interrupt`] was called.
pub fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// One statement, unless the generation was interrupted.
fn run(conn: &duckdb::Connection, sql: &str) -> Result<()> {
    if interrupted() {
        return Err(Error("interrupted".into()));
    }
    conn.execute_batch(sql)?;
    Ok(())
}

/// The names of this process's scratch directories in the temporary directory.
fn scratch_prefix() -> String {
    format!("segql-datagen-{}-", std::process::id())
}

fn generate_in(cfg: &Config, spill: &Path) -> Result<Summary> {
    let conn = match &cfg.memory_limit {
        None => duckdb::Connection::open_in_memory()?,
        Some(limit) => {
            let ok = !limit.is_empty()
                && limit
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == ' ');
            if !ok {
                return Err(Error(format!(
                    "--memory-limit {limit}: expected a size like 4GB or 500MB"
                )));
            }
            std::fs::create_dir_all(spill)?;
            let conn = duckdb::Connection::open(spill.join("generate.duckdb"))?;
            conn.execute_batch(&format!("SET memory_limit = '{limit}'"))
                .map_err(|e| Error(format!("--memory-limit {limit}: {e}")))?;
            conn
        }
    };
    if let Ok(mut r) = RUNNING.lock() {
        *r = Some(conn.interrupt_handle());
    }
    if let Some(t) = cfg.threads {
        conn.execute_batch(&format!("SET threads = {}", t.max(1)))?;
    }
    conn.execute_batch(&format!(
        "SET temp_directory = '{}'; SET preserve_insertion_order = true;",
        sql_path(spill)
    ))?;
    let (as_of, start) = parse_as_of(&conn, &cfg.as_of, cfg.months)?;

    let script = build_sql(cfg, as_of, start);
    let t0 = Instant::now();
    run(&conn, &script.head)?;
    let mut generate_secs = t0.elapsed().as_secs_f64();
    let mut write_secs = 0.0;

    std::fs::create_dir_all(&cfg.out)?;
    remove_previous_events(&cfg.out.join("events"))?;
    let mut files: Vec<PathBuf> = Vec::new();
    let fmt = cfg.format;
    let count = |table: &str| -> Result<u64> {
        Ok(
            conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
                r.get::<_, i64>(0)
            })? as u64,
        )
    };

    // One file per calendar month and chunk of users, in hive layout
    // (events/month=2025-01/part.parquet, or part-K.parquet with several chunks).
    let months: Vec<(String, i64, i64)> = {
        let mut stmt = conn.prepare(&format!(
            "SELECT strftime(m, '%Y-%m'), CAST(epoch(m) AS BIGINT),
               CAST(epoch(m + INTERVAL 1 MONTH) AS BIGINT)
             FROM range(date_trunc('month', ts({start})), ts({as_of}), INTERVAL 1 MONTH) t(m)
             ORDER BY m"
        ))?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<std::result::Result<_, _>>()?
    };
    let per_chunk = cfg.users_per_chunk.max(1);
    let chunks = cfg.users.div_ceil(per_chunk);
    let mut events = 0;
    for c in 0..chunks {
        let t = Instant::now();
        let (lo, hi) = (c * per_chunk, ((c + 1) * per_chunk).min(cfg.users));
        run(
            &conn,
            &format!("CREATE OR REPLACE VIEW uc AS SELECT * FROM u3 WHERE i >= {lo} AND i < {hi}"),
        )?;
        run(&conn, &script.chunk)?;
        events += count("ev")?;
        generate_secs += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let part = if chunks == 1 {
            format!("part.{}", fmt.ext(Table::Events))
        } else {
            format!("part-{c}.{}", fmt.ext(Table::Events))
        };
        files.extend(write_months(&conn, cfg, &months, &part)?);
        run(&conn, "DROP TABLE ev")?;
        write_secs += t.elapsed().as_secs_f64();
    }

    let t = Instant::now();
    run(&conn, &script.tail)?;
    let mut summary = Summary {
        users: count("users")?,
        accounts: count("accounts")?,
        events,
        invoices: count("invoices")?,
        generate_secs: generate_secs + t.elapsed().as_secs_f64(),
        ..Summary::default()
    };

    let t1 = Instant::now();
    let users = PathBuf::from(format!("users.{}", fmt.ext(Table::Users)));
    run(
        &conn,
        &format!(
            "COPY (SELECT user_id, email, country, age, role, plan, lead_source, signup_at,
           last_seen_at, nps, is_verified, mrr, account_id FROM users ORDER BY i)
         TO '{}' {}",
            sql_path(&cfg.out.join(&users)),
            copy_options(fmt, Table::Users)
        ),
    )?;
    files.push(users);

    let accounts = PathBuf::from(format!("accounts.{}", fmt.ext(Table::Accounts)));
    run(
        &conn,
        &format!(
        "COPY (SELECT account_id, name, industry, employees, country, crm, warehouse, tech_stack,
           annual_revenue, lifecycle_stage, renewal_date FROM accounts ORDER BY a)
         TO '{}' {}",
        sql_path(&cfg.out.join(&accounts)),
        copy_options(fmt, Table::Accounts)
    ),
    )?;
    files.push(accounts);

    let invoices = PathBuf::from(format!("invoices.{}", fmt.ext(Table::Invoices)));
    run(
        &conn,
        &format!(
            "COPY (SELECT account_id, paid_at, amount, currency FROM invoices ORDER BY t, i, seq)
         TO '{}' {}",
            sql_path(&cfg.out.join(&invoices)),
            copy_options(fmt, Table::Invoices)
        ),
    )?;
    files.push(invoices);
    summary.write_secs = write_secs + t1.elapsed().as_secs_f64();
    files.sort();
    summary.bytes = files
        .iter()
        .map(|f| {
            std::fs::metadata(cfg.out.join(f))
                .map(|m| m.len())
                .unwrap_or(0)
        })
        .sum();
    summary.files = files;
    Ok(summary)
}

/// Writes the events in `ev` as one file per calendar month, each sorted by time, in
/// hive layout: `events/month=YYYY-MM/<part>`. Returns the files, relative to the
/// output directory.
fn write_months(
    conn: &duckdb::Connection,
    cfg: &Config,
    months: &[(String, i64, i64)],
    part: &str,
) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for (label, lo, hi) in months {
        let rel = PathBuf::from("events")
            .join(format!("month={label}"))
            .join(part);
        let full = cfg.out.join(&rel);
        std::fs::create_dir_all(full.parent().expect("a month directory"))?;
        run(
            conn,
            &format!(
                "COPY (SELECT 'u' || (i + 1) AS user_id, event_name, ts(t) AS occurred_at, page,
               amount, plan, device FROM ev WHERE t >= {lo} AND t < {hi} ORDER BY t, i, seq)
             TO '{}' {}",
                sql_path(&full),
                copy_options(cfg.format, Table::Events)
            ),
        )?;
        files.push(rel);
    }
    Ok(files)
}

/// The whole generation as one SQL script for another DuckDB process (the benchmarks
/// run it in an optimized build of the same DuckDB version): the tables, then `COPY`
/// statements writing parquet under `cfg.out` (events partitioned by month, as
/// `events/month=YYYY-MM/*.parquet`). Same seed, same rows as [`generate`].
pub fn script(cfg: &Config) -> Result<String> {
    let conn = duckdb::Connection::open_in_memory()?;
    let (as_of, start) = parse_as_of(&conn, &cfg.as_of, cfg.months)?;
    let out = |f: &str| sql_path(&cfg.out.join(f));
    let mut sql = String::from("SET preserve_insertion_order = true;\n");
    let script = build_sql(cfg, as_of, start);
    sql.push_str(&script.head);
    sql.push_str("CREATE VIEW uc AS SELECT * FROM u3;\n");
    sql.push_str(&script.chunk);
    sql.push_str(&script.tail);
    let _ = writeln!(
        sql,
        "\nCOPY (SELECT user_id, email, country, age, role, plan, lead_source, signup_at,
           last_seen_at, nps, is_verified, mrr, account_id FROM users ORDER BY i)
         TO '{}' (FORMAT parquet, COMPRESSION zstd);
COPY (SELECT account_id, name, industry, employees, country, crm, warehouse, tech_stack,
           annual_revenue, lifecycle_stage, renewal_date FROM accounts ORDER BY a)
         TO '{}' (FORMAT parquet, COMPRESSION zstd);
COPY (SELECT account_id, paid_at, amount, currency FROM invoices ORDER BY t, i, seq)
         TO '{}' (FORMAT parquet, COMPRESSION zstd);
COPY (SELECT 'u' || (i + 1) AS user_id, event_name, ts(t) AS occurred_at, page, amount, plan,
           device, strftime(ts(t), '%Y-%m') AS month FROM ev ORDER BY t, i, seq)
         TO '{}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (month), OVERWRITE_OR_IGNORE);",
        out("users.parquet"),
        out("accounts.parquet"),
        out("invoices.parquet"),
        out("events"),
    );
    Ok(sql)
}

/// Removes event partitions a previous run wrote (`month=*/part.*` and
/// `month=*/part-K.*`), so that a shorter history or fewer chunks leave no old files. Nothing else is touched.
fn remove_previous_events(dir: &Path) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        let is_month = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("month="));
        if !is_month || !path.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&path)? {
            let part = entry?.path();
            let name = part.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let stem = name
                .strip_suffix(".parquet")
                .or_else(|| name.strip_suffix(".csv"));
            let ours = stem.is_some_and(|s| {
                s == "part"
                    || s.strip_prefix("part-")
                        .is_some_and(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()))
            });
            if ours && part.is_file() {
                std::fs::remove_file(part)?;
            }
        }
        // Only empty directories go; anything else someone put there stays.
        let _ = std::fs::remove_dir(&path);
    }
    Ok(())
}
