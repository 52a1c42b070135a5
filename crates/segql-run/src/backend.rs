//! Where a project's SQL runs: the embedded DuckDB over the bindings ([`Engine`], the
//! default) or a warehouse target ([`crate::warehouse::TargetBackend`]). `run`, `preview`,
//! `test` and asserts are written against this trait only, compile for its
//! [`Backend::dialect`], and read every result as DuckDB's text for it.
//!
//! The trait is small on purpose, so that other state (membership snapshots, say) can
//! later live on a target too: run one statement, read rows, keep a result for the
//! session, stop what is running.

use crate::engine::{Engine, Error, Interrupter, Result, Rows};
use segql_plan::dialect::{self, Dialect};

/// What a result column holds, for writers that keep types (JSON): numbers (integers,
/// decimals and floats, whose text is written as is, so a decimal keeps every digit),
/// booleans, or anything else as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Number,
    Bool,
    Text,
}

impl ValueKind {
    /// The kind of a DuckDB type name (`DECIMAL(18,3)`, `BIGINT`, `BOOLEAN`, ...).
    pub fn of_duckdb(type_name: &str) -> ValueKind {
        let t = type_name.trim().to_ascii_uppercase();
        let base = t.split('(').next().unwrap_or("").trim();
        match base {
            "TINYINT" | "SMALLINT" | "INTEGER" | "BIGINT" | "HUGEINT" | "UTINYINT"
            | "USMALLINT" | "UINTEGER" | "UBIGINT" | "UHUGEINT" | "DECIMAL" | "FLOAT"
            | "DOUBLE" => ValueKind::Number,
            "BOOLEAN" => ValueKind::Bool,
            _ => ValueKind::Text,
        }
    }
}

/// Rows with their column names and kinds.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<String>,
    pub kinds: Vec<ValueKind>,
    pub rows: Rows,
}

pub trait Backend {
    /// How messages name it: `DuckDB`, or `target `pg``.
    fn label(&self) -> String;
    /// The dialect its SQL is compiled to.
    fn dialect(&self) -> &'static dyn Dialect;
    /// Runs one statement.
    fn execute(&self, sql: &str) -> Result<()>;
    /// Every row of a query, each value as DuckDB's text for it, with the column names.
    fn rows(&self, sql: &str) -> Result<(Vec<String>, Rows)>;
    /// [`Backend::rows`] ordered by the first column as DuckDB orders it (numbers as
    /// numbers, text by its bytes, NULLs last), whatever the server's collation. `sql`
    /// has no ORDER BY of its own.
    fn rows_ordered(&self, sql: &str) -> Result<(Vec<String>, Rows)>;
    /// [`Backend::rows`] (or, `ordered`, [`Backend::rows_ordered`]) with what each column
    /// holds, from the same statement's result where the client says it.
    fn table(&self, sql: &str, ordered: bool) -> Result<Table>;
    /// Keeps a query's result for the rest of the session under `name` (a name of
    /// segql's own: a temporary table, or on Spark a cached temporary view).
    fn keep(&self, name: &str, query: &str) -> Result<()>;
    /// Stops the running statement from another thread (Ctrl-C).
    fn interrupter(&self) -> Interrupter;
    /// The embedded DuckDB, when this is it (`--output` writes with its COPY).
    fn engine(&self) -> Option<&Engine> {
        None
    }

    /// The first cell of a query as a number, 0 when empty.
    fn count(&self, sql: &str) -> Result<u64> {
        let (_, rows) = self.rows(sql)?;
        let cell = rows.first().and_then(|r| r.first()).cloned().flatten();
        match cell {
            None => Ok(0),
            Some(s) => s.parse().map_err(|_| Error {
                context: "reading a count".into(),
                message: format!("`{s}` is not a count"),
            }),
        }
    }

    /// The first column of a query, as text.
    fn first_column(&self, sql: &str) -> Result<Vec<Option<String>>> {
        Ok(self
            .rows(sql)?
            .1
            .into_iter()
            .map(|r| r.into_iter().next().flatten())
            .collect())
    }

    /// A name quoted for the dialect.
    fn ident(&self, name: &str) -> String {
        self.dialect().render_ident(name)
    }

    /// A dotted relation name (`analytics.events`) quoted for the dialect.
    fn relation(&self, parts: &[String]) -> String {
        parts
            .iter()
            .map(|p| self.ident(p))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// A string literal of the dialect.
    fn literal(&self, s: &str) -> String {
        self.dialect().render_string(s)
    }
}

impl Backend for Engine {
    fn label(&self) -> String {
        "DuckDB".to_string()
    }

    fn dialect(&self) -> &'static dyn Dialect {
        &dialect::DuckDb
    }

    fn execute(&self, sql: &str) -> Result<()> {
        Engine::execute(self, sql)
    }

    fn rows(&self, sql: &str) -> Result<(Vec<String>, Rows)> {
        Engine::rows(self, sql)
    }

    fn rows_ordered(&self, sql: &str) -> Result<(Vec<String>, Rows)> {
        Engine::rows(self, &format!("{sql} ORDER BY 1"))
    }

    fn table(&self, sql: &str, ordered: bool) -> Result<Table> {
        let sql = if ordered {
            format!("{sql} ORDER BY 1")
        } else {
            sql.to_string()
        };
        Engine::table(self, &sql)
    }

    fn keep(&self, name: &str, query: &str) -> Result<()> {
        Engine::execute(
            self,
            &format!(
                "CREATE TEMP TABLE {} AS\n{query}\n",
                crate::sqltext::ident(name)
            ),
        )
    }

    fn interrupter(&self) -> Interrupter {
        Engine::interrupter(self)
    }

    fn engine(&self) -> Option<&Engine> {
        Some(self)
    }

    fn count(&self, sql: &str) -> Result<u64> {
        Engine::count(self, sql)
    }

    fn ident(&self, name: &str) -> String {
        crate::sqltext::ident(name)
    }

    fn literal(&self, s: &str) -> String {
        crate::sqltext::literal(s)
    }
}

/// A backend borrowed (one connection shared by a command's steps).
impl<T: Backend + ?Sized> Backend for &T {
    fn label(&self) -> String {
        (**self).label()
    }
    fn dialect(&self) -> &'static dyn Dialect {
        (**self).dialect()
    }
    fn execute(&self, sql: &str) -> Result<()> {
        (**self).execute(sql)
    }
    fn rows(&self, sql: &str) -> Result<(Vec<String>, Rows)> {
        (**self).rows(sql)
    }
    fn rows_ordered(&self, sql: &str) -> Result<(Vec<String>, Rows)> {
        (**self).rows_ordered(sql)
    }
    fn table(&self, sql: &str, ordered: bool) -> Result<Table> {
        (**self).table(sql, ordered)
    }
    fn keep(&self, name: &str, query: &str) -> Result<()> {
        (**self).keep(name, query)
    }
    fn interrupter(&self) -> Interrupter {
        (**self).interrupter()
    }
    fn engine(&self) -> Option<&Engine> {
        (**self).engine()
    }
    fn count(&self, sql: &str) -> Result<u64> {
        (**self).count(sql)
    }
    fn first_column(&self, sql: &str) -> Result<Vec<Option<String>>> {
        (**self).first_column(sql)
    }
    fn ident(&self, name: &str) -> String {
        (**self).ident(name)
    }
    fn relation(&self, parts: &[String]) -> String {
        (**self).relation(parts)
    }
    fn literal(&self, s: &str) -> String {
        (**self).literal(s)
    }
}
