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
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

mod postgres;
mod python;
pub use postgres::{parse_csv, PostgresEngine};
pub use python::{python, ClickHouseEngine, SparkEngine};

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
            loader_ident(self.dialect(), schema)
        )
    }

    /// Creates the table (replacing an earlier one) and inserts the given rows.
    fn load(&mut self, t: &Table) -> Result<()> {
        let d = self.dialect();
        let name = match t.name.as_slice() {
            [table] => loader_ident(d, table),
            [schema, table] => {
                self.execute(&self.create_schema(schema))?;
                format!("{}.{}", loader_ident(d, schema), loader_ident(d, table))
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
                    loader_ident(d, &c.name),
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
            let cols: Vec<String> = t.columns.iter().map(|c| loader_ident(d, &c.name)).collect();
            self.execute(&format!(
                "INSERT INTO {name} ({}) VALUES\n{}",
                cols.join(", "),
                values.join(",\n")
            ))?;
        }
        Ok(())
    }
}

/// A name as the loader writes it: always quoted, because a word an engine reserves only
/// in `CREATE TABLE` (ClickHouse's `constraint`) never appears in segql's own SQL, whose
/// dialects quote what their queries need (`Dialect::render_ident`, which quotes the
/// other names here).
pub fn loader_ident(d: &dyn Dialect, name: &str) -> String {
    if dialect::plain(name, &[]) {
        let q = d.ident_quote();
        format!("{q}{name}{q}")
    } else {
        d.render_ident(name)
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

/// Whether this run is CI (the product's own rule, `segql_run::ci`). In CI every engine
/// must run (a missing one fails the suite instead of being skipped) and PostgreSQL must
/// sort text by ICU's rules.
pub use segql_run::ci::in_ci;

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

/// Why an engine is not there: skipped locally, a failure in CI.
#[derive(Debug, Clone)]
pub struct Missing(pub String);

impl Missing {
    fn broken(e: String) -> Missing {
        Missing(format!("could not start: {e}"))
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

/// [`start_selected`], or `None` after reporting why the engine is not there (skipped
/// locally; in CI, where every engine is required, a panic).
pub fn start_or_skip(suite: &str, name: &str) -> Option<Box<dyn Engine>> {
    match start_selected(name) {
        Ok(e) => Some(e),
        Err(m) => {
            report_skip(suite, name, &m);
            assert!(!in_ci(), "{name} is required in CI: {}", m.0);
            None
        }
    }
}

/// Every engine the suite knows, in report order.
pub const ENGINES: [&str; 4] = ["duckdb", "postgres", "clickhouse", "spark"];

/// The name of the dialect whose SQL an engine of [`ENGINES`] runs, known before it is
/// started (Spark runs the databricks dialect).
pub fn dialect_name(engine: &'static str) -> &'static str {
    match engine {
        "spark" => "databricks",
        n => n,
    }
}
