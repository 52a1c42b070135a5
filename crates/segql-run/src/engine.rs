//! An in-memory DuckDB database holding a project's relations.

use crate::sqltext;
use segql_plan::ir::{Catalog, Lit, Relation};
use segql_syntax::ast::Type;
use std::fmt;

/// A failure talking to DuckDB, with what was being done.
#[derive(Debug)]
pub struct Error {
    pub context: String,
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.context, self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// Rows of text cells (`None` for NULL).
pub type Rows = Vec<Vec<Option<String>>>;

/// A relation's dotted name (one part per element) and its typed columns.
pub type Shape = (Vec<String>, Vec<(String, Type)>);

fn err(context: impl Into<String>) -> impl FnOnce(duckdb::Error) -> Error {
    let context = context.into();
    move |e| Error {
        context,
        message: clean_message(&e.to_string()),
    }
}

/// DuckDB's message, its first paragraph: what went wrong. Left out are the excerpt of
/// the SQL it quotes (`LINE 1: ...` and a row of carets), which is segql's and not the
/// user's, and the CSV reader's page of suggestions and sniffed settings; the file those
/// settings name is kept (`File: /data/events.csv`), since a CSV error's line number
/// means nothing without it.
pub fn clean_message(message: &str) -> String {
    let mut cut = message;
    for end in ["\n\n", "\nLINE "] {
        if let Some(i) = cut.find(end) {
            cut = &cut[..i];
        }
    }
    let mut out = cut.trim_end().to_string();
    let file = message[cut.len()..]
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("file = "));
    if let Some(file) = file
        .map(str::trim_end)
        .filter(|f| !f.is_empty() && !out.contains(f))
    {
        out.push_str(&format!("\nFile: {file}"));
    }
    out
}

#[test]
fn messages_keep_their_first_paragraph() {
    assert_eq!(
        clean_message("Binder Error: no column x\n\nLINE 1: SELECT x\n       ^"),
        "Binder Error: no column x"
    );
    assert_eq!(
        clean_message(
            "Conversion Error: CSV Error on Line: 2\nOriginal Line: a,b\n\nPossible solutions:\n* ..."
        ),
        "Conversion Error: CSV Error on Line: 2\nOriginal Line: a,b"
    );
    assert_eq!(clean_message("IO Error: no file\n"), "IO Error: no file");
    assert_eq!(
        clean_message(
            "Conversion Error: CSV Error on Line: 3\nOriginal Line: a,lots\n\nColumn amount ...\n\n  file = /p/data/e.csv\n  delimiter = ,\n"
        ),
        "Conversion Error: CSV Error on Line: 3\nOriginal Line: a,lots\nFile: /p/data/e.csv"
    );
}

/// DuckDB's type for a catalog type.
pub fn duckdb_type(t: Type) -> &'static str {
    match t {
        Type::String => "VARCHAR",
        Type::Int => "BIGINT",
        Type::Decimal => "DECIMAL(38, 9)",
        Type::Float => "DOUBLE",
        Type::Bool => "BOOLEAN",
        Type::Date => "DATE",
        Type::Timestamp => "TIMESTAMP",
    }
}

/// A literal as text DuckDB casts back to the same value.
pub fn lit_text(l: &Lit) -> String {
    match l {
        Lit::Str(s) => s.clone(),
        Lit::Int(v) => v.to_string(),
        Lit::Decimal(d) => d.clone(),
        Lit::Bool(b) => b.to_string(),
        Lit::Date(d) => segql_plan::dialect::date_text(*d),
        Lit::Timestamp(t) => segql_plan::dialect::timestamp_text(*t),
    }
}

/// The name and columns (with types) of a catalog relation.
pub fn relation_shape(cat: &Catalog, rel: &Relation) -> Shape {
    let (cols, _) = cat.relation_columns(rel);
    (
        cat.relation_table(rel).to_vec(),
        cols.into_iter().map(|c| (c.name, c.ty)).collect(),
    )
}

pub struct Engine {
    conn: duckdb::Connection,
    /// Set once external access is off ([`Engine::lock_down`]).
    locked: std::cell::Cell<bool>,
    /// Where DuckDB spills to disk once locked down: a directory of this engine's own,
    /// removed with it (DuckDB's default, `.tmp` in the working directory, would stay
    /// writable).
    spill: std::cell::OnceCell<crate::spill::SpillDir>,
}

/// Stops the query running on an [`Engine`] or a target ([`crate::backend::Backend`])
/// from another thread (on Ctrl-C): the query fails with an error, and the engine stays
/// usable.
#[derive(Clone)]
pub struct Interrupter(std::sync::Arc<dyn Fn() + Send + Sync>);

impl Interrupter {
    /// An interrupter calling `f` (which must return at once).
    pub fn new(f: impl Fn() + Send + Sync + 'static) -> Interrupter {
        Interrupter(std::sync::Arc::new(f))
    }

    pub fn interrupt(&self) {
        (self.0)();
    }
}

/// What DuckDB may still touch once the bindings are made ([`Engine::lock_down`]).
#[derive(Debug, Default, Clone)]
pub struct Access {
    /// Files (and glob patterns, as written in the views) that may be read.
    pub paths: Vec<String>,
}

/// Limits every engine of the process takes (`--threads`, `--memory-limit`).
#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub threads: Option<u32>,
    /// DuckDB's size text (`4GB`), checked by [`parse_memory_limit`].
    pub memory_limit: Option<String>,
}

static LIMITS: std::sync::OnceLock<Limits> = std::sync::OnceLock::new();

/// Sets the limits of every engine opened afterwards in this process (once; later
/// calls are ignored).
pub fn set_limits(limits: Limits) {
    let _ = LIMITS.set(limits);
}

/// A memory size as DuckDB reads it: a number and a unit (`4GB`, `512 MiB`, `1.5GB`).
pub fn parse_memory_limit(text: &str) -> std::result::Result<String, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let unit = unit.trim();
    let units = ["B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"];
    let ok_num = num.parse::<f64>().is_ok_and(|n| n > 0.0);
    match units.iter().find(|u| u.eq_ignore_ascii_case(unit)) {
        Some(u) if ok_num => Ok(format!("{num}{u}")),
        _ => Err(format!(
            "`{text}` is not a memory size: a number and a unit, e.g. 4GB or 512MiB (units: {})",
            units.join(", ")
        )),
    }
}

impl Engine {
    pub fn in_memory() -> Result<Engine> {
        let conn = duckdb::Connection::open_in_memory().map_err(err("opening DuckDB"))?;
        let engine = Engine {
            conn,
            locked: std::cell::Cell::new(false),
            spill: std::cell::OnceCell::new(),
        };
        // Extensions are what segql links in (parquet, json): none is fetched or loaded
        // from disk on the fly.
        engine.execute("SET autoinstall_known_extensions = false")?;
        engine.execute("SET autoload_known_extensions = false")?;
        if let Some(l) = LIMITS.get() {
            if let Some(n) = l.threads {
                engine.execute(&format!("SET threads = {n}"))?;
            }
            if let Some(m) = &l.memory_limit {
                engine.execute(&format!(
                    "SET memory_limit = {}",
                    crate::sqltext::literal(m)
                ))?;
            }
        }
        Ok(engine)
    }

    /// A handle that interrupts this engine's running query.
    pub fn interrupter(&self) -> Interrupter {
        let h = self.conn.interrupt_handle();
        Interrupter::new(move || h.interrupt())
    }

    /// Every row of a query as Arrow record batches (for `segql seed` and a test's
    /// given rows on a target: bulk-ingested as they are, never as text).
    pub fn arrow(
        &self,
        sql: &str,
    ) -> Result<(arrow_schema::SchemaRef, Vec<arrow_array::RecordBatch>)> {
        let mut stmt = self.prepare(sql)?;
        let batches: Vec<arrow_array::RecordBatch> = stmt
            .query_arrow([])
            .map_err(err(format!("running {}", first_line(sql))))?
            .collect();
        let schema = stmt.schema();
        Ok((schema, batches))
    }

    /// The one way SQL reaches DuckDB: the text must be one statement
    /// ([`sqltext::one_statement`]); it is prepared and run. The duckdb crate would run
    /// every statement but the last of a text holding several, so that is refused
    /// before DuckDB sees the text.
    fn prepare(&self, sql: &str) -> Result<duckdb::Statement<'_>> {
        if let Err(r) = sqltext::one_statement(sql) {
            return Err(Error {
                context: format!("running {}", first_line(sql)),
                message: format!(
                    "[{}] refused: not one statement ({} at byte {})",
                    crate::codes::NOT_ONE_STATEMENT,
                    r.what,
                    r.at
                ),
            });
        }
        self.conn
            .prepare(sql)
            .map_err(err(format!("preparing {}", first_line(sql))))
    }

    /// Runs one statement (see [`Engine::prepare`]).
    pub fn execute(&self, sql: &str) -> Result<()> {
        let mut stmt = self.prepare(sql)?;
        stmt.execute([])
            .map(|_| ())
            .map_err(err(format!("running {}", first_line(sql))))
    }

    /// Several statements of trusted text, one by one: for the test suites' fixtures
    /// and the benchmarks, which write their data as SQL scripts. segql-run and
    /// segql-cli never call it (a test checks that).
    pub fn execute_script(&self, sql: &str) -> Result<()> {
        self.conn
            .execute_batch(sql)
            .map_err(err(format!("running {}", first_line(sql))))
    }

    /// Turns DuckDB's access to files off, but for reading `access.paths` and writing
    /// `writable` (an output file) and its own spill directory, and locks the
    /// configuration so that no SQL can turn it back on. Attached database files stay readable (DuckDB adds them itself).
    /// Installing and loading extensions and attaching databases fail from then on.
    pub fn lock_down(&self, access: &Access, writable: &[String]) -> Result<()> {
        let list = |v: &mut dyn Iterator<Item = &String>| {
            let items: Vec<String> = v.map(|p| sqltext::literal(p)).collect();
            format!("[{}]", items.join(", "))
        };
        let mut all = access.paths.iter().chain(writable.iter());
        self.execute(&format!("SET allowed_paths = {}", list(&mut all)))?;
        let spill = crate::spill::create().map_err(|e| Error {
            context: "creating a directory for DuckDB to spill to".into(),
            message: e.to_string(),
        })?;
        self.execute(&format!(
            "SET temp_directory = {}",
            sqltext::literal(&spill.path().to_string_lossy())
        ))?;
        let _ = self.spill.set(spill);
        self.execute("SET enable_external_access = false")?;
        self.execute("SET lock_configuration = true")?;
        self.locked.set(true);
        Ok(())
    }

    /// The directory DuckDB may spill to once locked down.
    pub fn spill_directory(&self) -> Option<&std::path::Path> {
        self.spill.get().map(|d| d.path())
    }

    /// Whether [`Engine::lock_down`] ran.
    pub fn is_locked(&self) -> bool {
        self.locked.get()
    }

    fn ident(name: &str) -> String {
        sqltext::ident(name)
    }

    /// `schema.table` as DuckDB text, creating the schema (or an attached database for a
    /// three-part name) on the way.
    pub fn prepare_name(&self, parts: &[String]) -> Result<String> {
        match parts {
            [table] => Ok(Self::ident(table)),
            [schema, table] => {
                self.execute(&format!(
                    "CREATE SCHEMA IF NOT EXISTS {}",
                    Self::ident(schema)
                ))?;
                Ok(format!("{}.{}", Self::ident(schema), Self::ident(table)))
            }
            [db, schema, table] => {
                let attached = self
                    .first_column(&format!(
                        "SELECT count(*) > 0 FROM duckdb_databases() WHERE database_name = {}",
                        sqltext::literal(db)
                    ))?
                    .first()
                    .cloned()
                    .flatten()
                    .is_some_and(|v| v == "true");
                if !attached {
                    self.execute(&format!("ATTACH ':memory:' AS {}", Self::ident(db)))?;
                }
                self.execute(&format!(
                    "CREATE SCHEMA IF NOT EXISTS {}.{}",
                    Self::ident(db),
                    Self::ident(schema)
                ))?;
                Ok(format!(
                    "{}.{}.{}",
                    Self::ident(db),
                    Self::ident(schema),
                    Self::ident(table)
                ))
            }
            _ => Err(Error {
                context: "naming a relation".into(),
                message: format!("`{}` has more than three parts", parts.join(".")),
            }),
        }
    }

    /// Creates a table with the relation's columns, holding `rows` (cells by column name;
    /// missing columns are NULL).
    pub fn create_table(
        &self,
        table: &[String],
        columns: &[(String, Type)],
        given_columns: &[String],
        rows: &[Vec<Option<Lit>>],
    ) -> Result<()> {
        let name = self.prepare_name(table)?;
        let defs: Vec<String> = columns
            .iter()
            .map(|(c, t)| format!("{} {}", Self::ident(c), duckdb_type(*t)))
            .collect();
        self.execute(&format!(
            "CREATE OR REPLACE TABLE {name} ({})",
            defs.join(", ")
        ))?;
        if rows.is_empty() {
            return Ok(());
        }
        let cols: Vec<(String, Type)> = given_columns
            .iter()
            .map(|g| {
                let ty = columns
                    .iter()
                    .find(|(c, _)| c == g)
                    .map(|(_, t)| *t)
                    .unwrap_or(Type::String);
                (g.clone(), ty)
            })
            .collect();
        let names: Vec<String> = cols.iter().map(|(c, _)| Self::ident(c)).collect();
        let params: Vec<String> = cols
            .iter()
            .map(|(_, t)| format!("CAST(? AS {})", duckdb_type(*t)))
            .collect();
        let sql = format!(
            "INSERT INTO {name} ({}) VALUES ({})",
            names.join(", "),
            params.join(", ")
        );
        let mut stmt = self.prepare(&sql)?;
        for row in rows {
            let values: Vec<Option<String>> =
                row.iter().map(|c| c.as_ref().map(lit_text)).collect();
            stmt.execute(duckdb::params_from_iter(values.iter()))
                .map_err(err(format!("inserting a row into {name}")))?;
        }
        Ok(())
    }

    /// All rows of a query, every value as DuckDB's text for it (NULL as `None`), with
    /// the column names. Decimals print as decimals (`0.300000000`), never as the
    /// nearest binary fraction.
    pub fn rows(&self, sql: &str) -> Result<(Vec<String>, Rows)> {
        // A query's own trailing `;` would end segql's wrapper early.
        let sql = sql.trim_end().trim_end_matches(';');
        let text = format!("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (\n{sql}\n) AS segql_result");
        let mut stmt = self.prepare(&text)?;
        let mut out = Vec::new();
        {
            let mut rows = stmt.query([]).map_err(err("running the query"))?;
            while let Some(row) = rows.next().map_err(err("reading a row"))? {
                let n = row.as_ref().column_count();
                let mut cells = Vec::with_capacity(n);
                for i in 0..n {
                    let v: Option<String> = row.get(i).map_err(err("reading a value"))?;
                    cells.push(v);
                }
                out.push(cells);
            }
        }
        let names = stmt.column_names();
        Ok((names, out))
    }

    /// [`Engine::rows`] with each column's kind, from DuckDB's own description of the
    /// query (a bind, not a second run).
    pub fn table(&self, sql: &str) -> Result<crate::backend::Table> {
        let (columns, rows) = self.rows(sql)?;
        let sql = sql.trim_end().trim_end_matches(';');
        let (_, types) = self.rows(&format!(
            "SELECT column_type FROM (DESCRIBE SELECT * FROM (\n{sql}\n) AS segql_result)"
        ))?;
        let kinds = types
            .iter()
            .map(|r| crate::backend::ValueKind::of_duckdb(r[0].as_deref().unwrap_or("")))
            .collect();
        Ok(crate::backend::Table {
            columns,
            kinds,
            rows,
        })
    }

    /// The first column of a query, as text.
    pub fn first_column(&self, sql: &str) -> Result<Vec<Option<String>>> {
        Ok(self
            .rows(sql)?
            .1
            .into_iter()
            .map(|r| r.into_iter().next().flatten())
            .collect())
    }

    /// A count (the first cell of a query), 0 when empty.
    pub fn count(&self, sql: &str) -> Result<u64> {
        Ok(self
            .first_column(sql)?
            .first()
            .cloned()
            .flatten()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0))
    }
}

fn first_line(sql: &str) -> String {
    let l = sql.lines().next().unwrap_or("");
    if l.chars().count() > 80 {
        format!("{}…", l.chars().take(80).collect::<String>())
    } else {
        l.to_string()
    }
}
