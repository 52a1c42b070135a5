//! The engines the conformance suite runs SQL on, behind one trait.
//!
//! Each engine loads a test's given rows into tables with its own column types, written
//! as SQL text in its own dialect (so loading is also a test of the dialect's literals
//! and names), and returns every row of a query as text. DuckDB runs in process (the
//! duckdb crate, through segql-run); PostgreSQL is a private cluster driven with `psql`;
//! ClickHouse (chdb) and Spark (pyspark) are long-lived Python helpers in
//! `tests/engines/` speaking line-delimited JSON (see `tests/engines/protocol.py`).
//!
//! [`start`] returns either a running engine or the reason it is missing. Locally a
//! missing engine is skipped with that reason printed ([`report_skip`]); in CI ([`in_ci`]:
//! `CI` set to anything but empty, `false` or `0`) the suite fails, and so does a
//! PostgreSQL cluster that cannot sort by ICU.

use segql_plan::dialect::{self, Dialect};
use segql_plan::ir::Lit;
use segql_syntax::ast::Type;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Rows of text cells (`None` for NULL).
pub type Rows = Vec<Vec<Option<String>>>;

pub type Result<T> = std::result::Result<T, String>;

/// A column of a table to load.
#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub ty: Type,
    /// The entity's key column (never NULL; ClickHouse makes it non-Nullable).
    pub key: bool,
}

/// Given rows: the column names written, and the rows (`None` for null).
pub type Given = (Vec<String>, Vec<Vec<Option<Lit>>>);

/// One relation of a test: its dotted name, columns and the given rows (cells by the
/// `given` column names; other columns are NULL).
#[derive(Debug, Clone)]
pub struct Table {
    pub name: Vec<String>,
    pub columns: Vec<Column>,
    pub given: Vec<Given>,
}

/// An engine the suite runs a dialect's SQL on.
pub trait Engine: Send {
    /// The engine, as the report names it (`postgres`).
    fn name(&self) -> &'static str;
    /// The dialect whose SQL it runs.
    fn dialect(&self) -> &'static dyn Dialect;
    /// The engine's version, for the report.
    fn version(&self) -> String;
    /// Runs a statement that returns nothing of interest.
    fn execute(&mut self, sql: &str) -> Result<()>;
    /// Every row of a query, every value as the engine's text for it.
    fn rows(&mut self, sql: &str) -> Result<Rows>;
    /// The engine's type for a catalog type.
    fn column_type(&self, ty: Type, key: bool) -> String;
    /// What follows the column list of `CREATE TABLE`.
    fn table_options(&self) -> &'static str {
        ""
    }
    /// A decimal cell as SQL text that the engine reads exactly.
    fn decimal_literal(&self, text: &str) -> String {
        text.to_string()
    }
    /// The statement creating a schema (the first part of a two-part name).
    fn create_schema(&self, schema: &str) -> String {
        format!(
            "CREATE SCHEMA IF NOT EXISTS {}",
            self.dialect().render_ident(schema)
        )
    }

    /// Creates the table (replacing an earlier one) and inserts the given rows.
    fn load(&mut self, t: &Table) -> Result<()> {
        let d = self.dialect();
        let name = match t.name.as_slice() {
            [table] => d.render_ident(table),
            [schema, table] => {
                self.execute(&self.create_schema(schema))?;
                format!("{}.{}", d.render_ident(schema), d.render_ident(table))
            }
            _ => {
                return Err(format!(
                    "`{}`: the conformance suite loads one- and two-part names only",
                    t.name.join(".")
                ))
            }
        };
        self.execute(&format!("DROP TABLE IF EXISTS {name}"))?;
        let defs: Vec<String> = t
            .columns
            .iter()
            .map(|c| {
                format!(
                    "{} {}",
                    d.render_ident(&c.name),
                    self.column_type(c.ty, c.key)
                )
            })
            .collect();
        self.execute(&format!(
            "CREATE TABLE {name} ({}){}",
            defs.join(", "),
            self.table_options()
        ))?;
        for (given, rows) in &t.given {
            if rows.is_empty() {
                continue;
            }
            // Every column is written (NULL where not given), in the table's order.
            let values: Vec<String> = rows
                .iter()
                .map(|row| {
                    let cells: Vec<String> = t
                        .columns
                        .iter()
                        .map(|c| match given.iter().position(|g| *g == c.name) {
                            Some(i) => match row.get(i).and_then(|v| v.as_ref()) {
                                Some(Lit::Decimal(t)) => self.decimal_literal(t),
                                v => literal(d, v),
                            },
                            None => "NULL".to_string(),
                        })
                        .collect();
                    format!("({})", cells.join(", "))
                })
                .collect();
            let cols: Vec<String> = t.columns.iter().map(|c| d.render_ident(&c.name)).collect();
            self.execute(&format!(
                "INSERT INTO {name} ({}) VALUES\n{}",
                cols.join(", "),
                values.join(",\n")
            ))?;
        }
        Ok(())
    }
}

/// A given cell as a literal of the dialect.
pub fn literal(d: &dyn Dialect, l: Option<&Lit>) -> String {
    match l {
        None => "NULL".to_string(),
        Some(Lit::Str(s)) => d.render_string(s),
        Some(Lit::Int(v)) => v.to_string(),
        Some(Lit::Decimal(t)) => t.clone(),
        Some(Lit::Bool(b)) => d.render_bool(*b).to_string(),
        Some(Lit::Date(days)) => d.date(*days).to_string(),
        Some(Lit::Timestamp(us)) => d.timestamp(*us).to_string(),
    }
}

/// Whether this run is CI: the `CI` variable set to anything but empty, `false` or `0`
/// (CI services set `true`, `1`, `yes` or their own name). In CI every engine must run
/// (a missing one fails the suite instead of being skipped) and PostgreSQL must sort
/// text by ICU's rules.
pub fn in_ci() -> bool {
    is_ci_value(std::env::var("CI").ok().as_deref())
}

/// [`in_ci`] for a value of `CI` (`None`: not set).
pub fn is_ci_value(v: Option<&str>) -> bool {
    match v.map(str::trim) {
        None | Some("") | Some("0") => false,
        Some(v) => !v.eq_ignore_ascii_case("false"),
    }
}

/// Says that `suite` skips engine `name`, and why, straight to the terminal: the test
/// harness captures `print!` and `eprint!` of a passing test, and a skipped engine must
/// show in a plain `cargo test` run. In CI the caller must then fail the suite.
pub fn report_skip(suite: &str, name: &str, m: &Missing) {
    let consequence = if in_ci() {
        " (CI is set: a failure)"
    } else {
        ""
    };
    let line = format!("{suite}: {name} SKIPPED{consequence}: {}\n", m.0);
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// A fresh directory under the system's temporary directory.
fn temp_dir(prefix: &str) -> Result<PathBuf> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "{prefix}-{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    Ok(dir)
}

fn run(cmd: &mut Command, what: &str) -> Result<String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot run {:?}: {e}", cmd.get_program()))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The last lines of a log file, for an error message.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(15);
    lines[start..].join("\n")
}

// ---------------------------------------------------------------------------------------
// DuckDB
// ---------------------------------------------------------------------------------------

pub struct DuckDbEngine {
    db: segql_run::Engine,
}

impl DuckDbEngine {
    pub fn start() -> Result<Self> {
        let db = segql_run::Engine::in_memory().map_err(|e| e.to_string())?;
        Ok(DuckDbEngine { db })
    }
}

impl Engine for DuckDbEngine {
    fn name(&self) -> &'static str {
        "duckdb"
    }
    fn dialect(&self) -> &'static dyn Dialect {
        &dialect::DuckDb
    }
    fn version(&self) -> String {
        self.db
            .first_column("SELECT version()")
            .ok()
            .and_then(|v| v.into_iter().next().flatten())
            .map(|v| format!("DuckDB {v} (duckdb crate)"))
            .unwrap_or_else(|| "DuckDB".into())
    }
    fn execute(&mut self, sql: &str) -> Result<()> {
        self.db.execute(sql).map_err(|e| e.to_string())
    }
    fn rows(&mut self, sql: &str) -> Result<Rows> {
        self.db.rows(sql).map(|(_, r)| r).map_err(|e| e.to_string())
    }
    fn column_type(&self, ty: Type, _key: bool) -> String {
        segql_run::engine::duckdb_type(ty).to_string()
    }
}

// ---------------------------------------------------------------------------------------
// PostgreSQL: a private cluster on a Unix socket in a temporary directory
// ---------------------------------------------------------------------------------------

pub struct PostgresEngine {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    version: String,
    /// How the cluster sorts text: ICU's en-US, or bytes when ICU failed (never in CI).
    collation: &'static str,
}

/// The newest Debian PostgreSQL binaries (`/usr/lib/postgresql/<ver>/bin`), or those in
/// `SEGQL_PG_BIN`.
fn postgres_bin() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("SEGQL_PG_BIN") {
        return Some(PathBuf::from(p));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v: u32 = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, b)| b)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PostgresEngine {
    /// initdb into a temporary directory and start a server listening only on a socket
    /// there. As root (CI), the server runs as the `postgres` user (initdb refuses root).
    pub fn start() -> std::result::Result<Self, Missing> {
        let bin = postgres_bin().ok_or_else(|| {
            Missing("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (apt-get install postgresql, or set SEGQL_PG_BIN)".into())
        })?;
        let as_postgres = is_root();
        let dir = temp_dir("segql-pg").map_err(Missing::broken)?;
        let mut engine = PostgresEngine {
            dir,
            bin,
            as_postgres,
            version: String::new(),
            collation: "ICU en-US",
        };
        engine.init().map_err(Missing::broken)?;
        engine.version = engine
            .rows("SELECT version()")
            .map_err(Missing::broken)?
            .first()
            .and_then(|r| r[0].clone())
            .map(|v| v.split(" on ").next().unwrap_or(&v).to_string())
            .unwrap_or_default();
        Ok(engine)
    }

    fn server_cmd(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn init(&mut self) -> Result<()> {
        if self.as_postgres {
            run(
                Command::new("chown").arg("postgres").arg(&self.dir),
                "chown of the cluster directory",
            )?;
        }
        let data = self.dir.join("data");
        // Like most servers, the cluster sorts text by a language's rules (ICU's
        // en-US: a < A < b < B), not by bytes; segql's SQL must not depend on it.
        let initdb = |icu: bool| {
            let mut c = self.server_cmd("initdb");
            c.arg("-D")
                .arg(&data)
                .args(["-A", "trust", "-U", "postgres", "-E", "UTF8"])
                .arg("--locale=C.UTF-8")
                .arg("--no-sync");
            if icu {
                c.args(["--locale-provider=icu", "--icu-locale=en-US"]);
            }
            run(&mut c, "initdb")
        };
        if let Err(e) = initdb(true) {
            // Without ICU the cluster sorts by bytes, as segql does, so a statement that
            // depends on the server's collation would pass unseen: a failure in CI.
            let why = format!(
                "initdb with the ICU locale provider (en-US) failed, so this cluster would \
                 sort text by bytes and could not show SQL that depends on a language's \
                 collation: {}",
                e.trim_end()
            );
            if in_ci() {
                return Err(format!("{why}\n(CI is set: ICU is required)"));
            }
            let _ = std::fs::remove_dir_all(&data);
            initdb(false)?;
            let line = format!("postgres: C collation instead of ICU: {why}\n");
            let _ = std::io::stderr().write_all(line.as_bytes());
            self.collation = "bytes (C: ICU failed)";
        }
        let opts = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c TimeZone=UTC",
            self.dir.display()
        );
        run(
            self.server_cmd("pg_ctl")
                .arg("-D")
                .arg(&data)
                .args(["-o", &opts, "-l"])
                .arg(self.dir.join("server.log"))
                .args(["-w", "-t", "60", "start"]),
            "pg_ctl start",
        )
        .map_err(|e| format!("{e}\n{}", log_tail(&self.dir.join("server.log"))))?;
        Ok(())
    }

    fn psql(&self, sql: &str) -> Result<String> {
        let mut child = Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-h"])
            .arg(&self.dir)
            .args(["-d", "postgres", "-f", "-"])
            .env("PGCLIENTENCODING", "UTF8")
            .env("PGTZ", "UTC")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run psql: {e}"))?;
        let mut stdin = child.stdin.take().expect("piped");
        let text = sql.to_string();
        let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
        let out = child.wait_with_output().map_err(|e| format!("psql: {e}"))?;
        let _ = writer.join();
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        String::from_utf8(out.stdout).map_err(|e| format!("psql wrote invalid UTF-8: {e}"))
    }
}

impl Drop for PostgresEngine {
    fn drop(&mut self) {
        let _ = self
            .server_cmd("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Engine for PostgresEngine {
    fn name(&self) -> &'static str {
        "postgres"
    }
    fn dialect(&self) -> &'static dyn Dialect {
        &dialect::Postgres
    }
    fn version(&self) -> String {
        format!("{}, text sorted by {}", self.version, self.collation)
    }
    fn execute(&mut self, sql: &str) -> Result<()> {
        self.psql(sql).map(|_| ())
    }
    fn rows(&mut self, sql: &str) -> Result<Rows> {
        // Every non-NULL value quoted, NULL as an empty unquoted field.
        let out = self.psql(&format!(
            "COPY ({sql}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *);"
        ))?;
        parse_csv(&out)
    }
    fn column_type(&self, ty: Type, _key: bool) -> String {
        match ty {
            Type::String => "TEXT",
            Type::Int => "BIGINT",
            Type::Decimal => "NUMERIC(38, 9)",
            Type::Float => "DOUBLE PRECISION",
            Type::Bool => "BOOLEAN",
            Type::Date => "DATE",
            Type::Timestamp => "TIMESTAMP",
        }
        .to_string()
    }
}

/// CSV as `COPY ... FORCE_QUOTE *` writes it: quoted fields are values, an empty
/// unquoted field is NULL.
pub fn parse_csv(text: &str) -> Result<Rows> {
    let mut rows = Vec::new();
    let mut row: Vec<Option<String>> = Vec::new();
    let mut chars = text.chars().peekable();
    let mut field = String::new();
    let mut quoted = false;
    let mut in_row = false;
    while let Some(c) = chars.next() {
        in_row = true;
        match c {
            '"' if !quoted && field.is_empty() => {
                quoted = true;
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        Some('"') => break,
                        Some(c) => field.push(c),
                        None => return Err("unterminated quoted CSV field".into()),
                    }
                }
            }
            ',' => {
                row.push(quoted.then(|| std::mem::take(&mut field)));
                field.clear();
                quoted = false;
            }
            '\n' => {
                row.push(quoted.then(|| std::mem::take(&mut field)));
                field.clear();
                quoted = false;
                rows.push(std::mem::take(&mut row));
                in_row = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            c => field.push(c),
        }
    }
    if in_row {
        row.push(quoted.then_some(field));
        rows.push(row);
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------------------
// Python helpers: ClickHouse (chdb) and Spark (pyspark)
// ---------------------------------------------------------------------------------------

/// Why an engine is not there: skipped locally, a failure in CI.
#[derive(Debug, Clone)]
pub struct Missing(pub String);

impl Missing {
    fn broken(e: String) -> Missing {
        Missing(format!("could not start: {e}"))
    }
}

/// The Python with chdb and pyspark: `SEGQL_PYTHON`, or the virtualenv that
/// `scripts/setup-engines` makes.
pub fn python() -> PathBuf {
    if let Ok(p) = std::env::var("SEGQL_PYTHON") {
        return PathBuf::from(p);
    }
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    PathBuf::from(home).join(".cache/segql-venv/bin/python")
}

struct Helper {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    log: PathBuf,
    dir: PathBuf,
    version: String,
}

impl Helper {
    /// Starts `tests/engines/<script>` once the Python module it needs imports.
    fn start(script: &str, module: &str, arg: bool) -> std::result::Result<Helper, Missing> {
        let py = python();
        if !py.exists() {
            return Err(Missing(format!(
                "no Python at {} (run scripts/setup-engines, or set SEGQL_PYTHON)",
                py.display()
            )));
        }
        let probe = Command::new(&py)
            .args(["-c", &format!("import {module}")])
            .output()
            .map_err(|e| Missing(format!("cannot run {}: {e}", py.display())))?;
        if !probe.status.success() {
            return Err(Missing(format!(
                "{} cannot import {module} (run scripts/setup-engines): {}",
                py.display(),
                String::from_utf8_lossy(&probe.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            )));
        }
        let dir = temp_dir(&format!("segql-{module}")).map_err(Missing::broken)?;
        let log = dir.join("engine.log");
        let log_file = std::fs::File::create(&log)
            .map_err(|e| Missing::broken(format!("creating {}: {e}", log.display())))?;
        let path = crate::root().join("tests/engines").join(script);
        let mut cmd = Command::new(&py);
        cmd.arg(&path);
        if arg {
            cmd.arg(dir.join("data"));
        }
        let mut child = cmd
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .map_err(|e| Missing::broken(format!("{}: {e}", path.display())))?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut h = Helper {
            child,
            stdin,
            stdout,
            log,
            dir,
            version: String::new(),
        };
        let ready = h.answer().map_err(Missing::broken)?;
        h.version = ready
            .get("ready")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        Ok(h)
    }

    fn answer(&mut self) -> Result<serde_json::Value> {
        let mut line = String::new();
        let n = self
            .stdout
            .read_line(&mut line)
            .map_err(|e| format!("reading from the engine helper: {e}"))?;
        if n == 0 {
            return Err(format!(
                "the engine helper exited; its log ({}):\n{}",
                self.log.display(),
                log_tail(&self.log)
            ));
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| format!("the engine helper wrote {line:?}: {e}"))?;
        if v.get("ok").and_then(|o| o.as_bool()) == Some(true) {
            Ok(v)
        } else {
            Err(v
                .get("error")
                .and_then(|e| e.as_str())
                .unwrap_or("unknown error")
                .to_string())
        }
    }

    fn request(&mut self, op: &str, sql: &str) -> Result<serde_json::Value> {
        let req = serde_json::json!({ "op": op, "sql": sql });
        let stdin = self.stdin.as_mut().ok_or("the engine helper is closed")?;
        writeln!(stdin, "{req}")
            .and_then(|_| stdin.flush())
            .map_err(|e| {
                format!(
                    "writing to the engine helper: {e}; its log:\n{}",
                    log_tail(&self.log)
                )
            })?;
        self.answer()
    }

    fn rows(&mut self, sql: &str) -> Result<Rows> {
        let v = self.request("query", sql)?;
        let rows = v
            .get("rows")
            .and_then(|r| r.as_array())
            .ok_or("the engine helper returned no rows")?;
        Ok(rows
            .iter()
            .map(|r| {
                r.as_array()
                    .map(|cells| {
                        cells
                            .iter()
                            .map(|c| c.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            })
            .collect())
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        // Closing stdin ends the helper's loop; kill it if it lingers.
        drop(self.stdin.take());
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub struct ClickHouseEngine(Helper);

impl ClickHouseEngine {
    pub fn start() -> std::result::Result<Self, Missing> {
        Helper::start("clickhouse.py", "chdb", false).map(ClickHouseEngine)
    }
}

impl Engine for ClickHouseEngine {
    fn name(&self) -> &'static str {
        "clickhouse"
    }
    fn dialect(&self) -> &'static dyn Dialect {
        &dialect::ClickHouse
    }
    fn version(&self) -> String {
        self.0.version.clone()
    }
    fn execute(&mut self, sql: &str) -> Result<()> {
        self.0.request("execute", sql).map(|_| ())
    }
    fn rows(&mut self, sql: &str) -> Result<Rows> {
        self.0.rows(sql)
    }
    fn column_type(&self, ty: Type, key: bool) -> String {
        let t = match ty {
            Type::String => "String",
            Type::Int => "Int64",
            Type::Decimal => "Decimal(38, 9)",
            Type::Float => "Float64",
            Type::Bool => "Bool",
            Type::Date => "Date32",
            Type::Timestamp => "DateTime64(6, 'UTC')",
        };
        if key {
            t.to_string()
        } else {
            format!("Nullable({t})")
        }
    }
    fn table_options(&self) -> &'static str {
        " ENGINE = Memory"
    }
    fn decimal_literal(&self, text: &str) -> String {
        // `1.5` alone is a Float64 in ClickHouse.
        let scale = text.split_once('.').map_or(0, |(_, f)| f.len());
        format!("toDecimal128('{text}', {scale})")
    }
    fn create_schema(&self, schema: &str) -> String {
        format!(
            "CREATE DATABASE IF NOT EXISTS {}",
            self.dialect().render_ident(schema)
        )
    }
}

pub struct SparkEngine(Helper);

impl SparkEngine {
    pub fn start() -> std::result::Result<Self, Missing> {
        let java = Command::new("java").arg("-version").output();
        if !java.is_ok_and(|o| o.status.success()) {
            return Err(Missing(
                "no Java runtime (`java -version` fails); Spark needs Java 17".into(),
            ));
        }
        Helper::start("spark.py", "pyspark", true).map(SparkEngine)
    }
}

impl Engine for SparkEngine {
    fn name(&self) -> &'static str {
        "spark"
    }
    fn dialect(&self) -> &'static dyn Dialect {
        &dialect::Databricks
    }
    fn version(&self) -> String {
        self.0.version.clone()
    }
    fn execute(&mut self, sql: &str) -> Result<()> {
        self.0.request("execute", sql).map(|_| ())
    }
    fn rows(&mut self, sql: &str) -> Result<Rows> {
        self.0.rows(sql)
    }
    fn column_type(&self, ty: Type, _key: bool) -> String {
        match ty {
            Type::String => "STRING",
            Type::Int => "BIGINT",
            Type::Decimal => "DECIMAL(38, 9)",
            Type::Float => "DOUBLE",
            Type::Bool => "BOOLEAN",
            Type::Date => "DATE",
            Type::Timestamp => "TIMESTAMP",
        }
        .to_string()
    }
    fn table_options(&self) -> &'static str {
        " USING parquet"
    }
}

/// Starts an engine by name.
pub fn start(name: &str) -> std::result::Result<Box<dyn Engine>, Missing> {
    match name {
        "duckdb" => DuckDbEngine::start()
            .map(|e| Box::new(e) as Box<dyn Engine>)
            .map_err(Missing::broken),
        "postgres" => PostgresEngine::start().map(|e| Box::new(e) as Box<dyn Engine>),
        "clickhouse" => ClickHouseEngine::start().map(|e| Box::new(e) as Box<dyn Engine>),
        "spark" => SparkEngine::start().map(|e| Box::new(e) as Box<dyn Engine>),
        other => Err(Missing(format!("unknown engine {other}"))),
    }
}

/// [`start`], unless `SEGQL_ENGINES` (a comma-separated list) leaves the engine out.
pub fn start_selected(name: &str) -> std::result::Result<Box<dyn Engine>, Missing> {
    if let Ok(list) = std::env::var("SEGQL_ENGINES") {
        if !list.split(',').any(|n| n.trim() == name) {
            return Err(Missing(format!("not in SEGQL_ENGINES={list}")));
        }
    }
    start(name)
}

/// Every engine the suite knows, in report order.
pub const ENGINES: [&str; 4] = ["duckdb", "postgres", "clickhouse", "spark"];

#[cfg(test)]
mod tests {
    use super::{is_ci_value, parse_csv};

    #[test]
    fn any_ci_value_but_empty_false_or_0_is_ci() {
        for v in ["true", "1", "yes", "TRUE", "True", "github", "on"] {
            assert!(is_ci_value(Some(v)), "CI={v}");
        }
        for v in [
            None,
            Some(""),
            Some("  "),
            Some("false"),
            Some("FALSE"),
            Some("0"),
        ] {
            assert!(!is_ci_value(v), "CI={v:?}");
        }
    }

    #[test]
    fn csv_tells_null_from_empty() {
        let rows = parse_csv("\"a\"\"b\",,\"\",\"x\ny\"\n\"1\"\n").unwrap();
        assert_eq!(
            rows,
            vec![
                vec![
                    Some("a\"b".to_string()),
                    None,
                    Some(String::new()),
                    Some("x\ny".to_string())
                ],
                vec![Some("1".to_string())]
            ]
        );
    }
}
