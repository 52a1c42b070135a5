//! An in-memory DuckDB database holding a project's relations.

use segql_plan::dialect::{Dialect, DuckDb};
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
/// user's, and the CSV reader's page of suggestions and sniffed settings.
pub fn clean_message(message: &str) -> String {
    let mut cut = message;
    for end in ["\n\n", "\nLINE "] {
        if let Some(i) = cut.find(end) {
            cut = &cut[..i];
        }
    }
    cut.trim_end().to_string()
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
    match rel {
        Relation::Entity(e) => {
            let e = &cat.entities[*e];
            let cols = e.columns.iter().map(|c| (c.name.clone(), c.ty)).collect();
            (e.table.clone(), cols)
        }
        Relation::Events(i) => {
            let ev = &cat.events[*i];
            let key_ty = cat.entities[ev.entity].key_ty;
            let mut cols = vec![(ev.key.clone(), key_ty), (ev.time.clone(), Type::Timestamp)];
            if let segql_plan::ir::EventSource::Column(c) = &ev.source {
                cols.push((c.clone(), Type::String));
            }
            for p in &ev.properties {
                if !cols.iter().any(|(n, _)| n == &p.name) {
                    cols.push((p.name.clone(), p.ty));
                }
            }
            (ev.table.clone(), cols)
        }
    }
}

pub struct Engine {
    conn: duckdb::Connection,
}

/// Stops the query running on an [`Engine`] from another thread (on Ctrl-C): the query
/// fails with an error, and the engine stays usable.
#[derive(Clone)]
pub struct Interrupter(std::sync::Arc<duckdb::InterruptHandle>);

impl Interrupter {
    pub fn interrupt(&self) {
        self.0.interrupt();
    }
}

impl Engine {
    pub fn in_memory() -> Result<Engine> {
        let conn = duckdb::Connection::open_in_memory().map_err(err("opening DuckDB"))?;
        Ok(Engine { conn })
    }

    /// A handle that interrupts this engine's running query.
    pub fn interrupter(&self) -> Interrupter {
        Interrupter(self.conn.interrupt_handle())
    }

    pub fn execute(&self, sql: &str) -> Result<()> {
        self.conn
            .execute_batch(sql)
            .map_err(err(format!("running {}", first_line(sql))))
    }

    fn ident(name: &str) -> String {
        DuckDb.render_ident(name)
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
                let attached: bool = self
                    .conn
                    .query_row(
                        "SELECT count(*) > 0 FROM duckdb_databases() WHERE database_name = ?",
                        [db.as_str()],
                        |r| r.get(0),
                    )
                    .map_err(err("listing databases"))?;
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
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(err(format!("preparing rows for {name}")))?;
        for row in rows {
            let values: Vec<Option<String>> =
                row.iter().map(|c| c.as_ref().map(lit_text)).collect();
            stmt.execute(duckdb::params_from_iter(values.iter()))
                .map_err(err(format!("inserting a row into {name}")))?;
        }
        Ok(())
    }

    /// All rows of a query, every value as DuckDB's text for it (NULL as `None`), with
    /// the column names.
    pub fn rows(&self, sql: &str) -> Result<(Vec<String>, Rows)> {
        let text = format!("SELECT CAST(COLUMNS(*) AS VARCHAR) FROM ({sql}) AS segql_result");
        let mut stmt = self
            .conn
            .prepare(&text)
            .map_err(err("preparing the query"))?;
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

    /// The first column of a query, as text.
    pub fn first_column(&self, sql: &str) -> Result<Vec<Option<String>>> {
        Ok(self
            .rows(sql)?
            .1
            .into_iter()
            .map(|r| r.into_iter().next().flatten())
            .collect())
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
