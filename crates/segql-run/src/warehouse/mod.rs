//! Running on a warehouse target: [`TargetBackend`] is a [`Backend`] over a
//! segql-target client. The project's catalog names are mapped to where each relation
//! lives on the target ([`on_target`]) before compiling, for the target's dialect.
//!
//! Also here: `segql seed` ([`seed`]: the bound local files bulk-ingested into the
//! target's relations) and `segql doctor` ([`doctor`]: the catalog checked against the
//! target's information schema).

mod doctor;
mod seed;

pub use doctor::{doctor, Report};
pub use seed::{seed, Seeded};

use crate::backend::{Backend, Table, ValueKind};
use crate::engine::{Error, Interrupter, Result, Rows};
use segql_plan::dialect::{self, Dialect};
use segql_plan::ir::Program;
use segql_syntax::ast::Type;
use segql_target::client::{AdbcClient, Capabilities, Client};
use segql_target::config::{Kind, Target};
use segql_target::{text, TargetError};
use std::cell::RefCell;

/// A target's error as the runner's: its code, the target's name and hint in the
/// message (`[E0805] target `pg`: ...`), never a secret (the client redacted them).
pub fn error(e: TargetError) -> Error {
    Error {
        context: if e.target.is_empty() {
            "a target".to_string()
        } else {
            format!("target `{}`", e.target)
        },
        message: e.to_string(),
    }
}

fn arrow_error(target: &str, e: impl std::fmt::Display) -> Error {
    error(TargetError::new(
        segql_target::codes::STATEMENT,
        target,
        format!("reading the result: {e}"),
    ))
}

/// The program as the target sees it: every entity, extra and events relation renamed to
/// where it lives there (the target's `schemas` and `relations`).
pub fn on_target(p: &Program, t: &Target) -> Program {
    let mut q = p.clone();
    for e in &mut q.catalog.entities {
        e.table = t.relation(&e.table);
        for x in &mut e.extras {
            x.table = t.relation(&x.table);
        }
    }
    for ev in &mut q.catalog.events {
        ev.table = t.relation(&ev.table);
    }
    q
}

/// A connected target.
pub struct TargetBackend {
    target: Target,
    client: RefCell<AdbcClient>,
    /// What [`Backend::keep`] made, dropped with the backend.
    kept: RefCell<Vec<String>>,
}

impl TargetBackend {
    /// Finds and loads the target's driver and connects (E0801–E0804 otherwise).
    pub fn connect(target: Target) -> Result<TargetBackend> {
        let client = segql_target::connect(&target).map_err(error)?;
        Ok(TargetBackend {
            target,
            client: RefCell::new(client),
            kept: RefCell::new(Vec::new()),
        })
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    pub fn name(&self) -> &str {
        &self.target.name
    }

    pub fn kind(&self) -> Kind {
        self.target.kind
    }

    pub fn capabilities(&self) -> Capabilities {
        Capabilities::of(self.target.kind)
    }

    /// The client, for what the trait does not cover (ingest, catalog, transactions).
    pub fn client(&self) -> std::cell::RefMut<'_, AdbcClient> {
        self.client.borrow_mut()
    }

    /// The driver's library and how it was found (`segql doctor`).
    pub fn driver(&self) -> String {
        let c = self.client.borrow();
        let f = c.driver();
        format!("{} (found through {})", f.path.display(), f.how)
    }

    /// The server's and driver's names and versions.
    pub fn info(&self) -> Vec<(String, String)> {
        self.client.borrow_mut().info()
    }

    fn query(&self, sql: &str) -> Result<segql_target::Results> {
        self.client.borrow_mut().query(sql).map_err(error)
    }

    /// Loads `engine`'s result of `select` (the catalog's `columns`, in order) into a
    /// table of segql's own for this session, `name`: bulk-ingested as Arrow into a
    /// temporary table where the driver can, otherwise (Spark Connect) a temporary view
    /// over the rows as typed literals, which the session's end drops.
    pub fn load_temporary(
        &self,
        engine: &crate::Engine,
        select: &str,
        name: &[String],
        columns: &[(String, Type)],
    ) -> Result<()> {
        let caps = self.capabilities();
        if caps.bulk_ingest {
            let (schema, batches) = engine.arrow(select)?;
            return self
                .client
                .borrow_mut()
                .ingest(name, schema, batches, false, caps.temporary_tables)
                .map_err(error);
        }
        let (_, rows) = engine.rows(select)?;
        let body = self.values(&rows, columns);
        self.execute(&format!(
            "CREATE OR REPLACE TEMPORARY VIEW {} AS\n{body}",
            self.relation(name)
        ))
    }

    /// A query of `rows` (each value DuckDB's text for it) as the catalog's `columns`:
    /// string literals in a VALUES list, each column cast to its type on the target.
    pub fn values(&self, rows: &[Vec<Option<String>>], columns: &[(String, Type)]) -> String {
        let d = self.dialect();
        if rows.is_empty() {
            let nulls: Vec<String> = columns
                .iter()
                .map(|(c, ty)| format!("CAST(NULL AS {}) AS {}", d.cast_type(*ty), self.ident(c)))
                .collect();
            return format!("SELECT {} WHERE 1 = 0", nulls.join(", "));
        }
        let names: Vec<String> = columns.iter().map(|(c, _)| self.ident(c)).collect();
        let casts: Vec<String> = columns
            .iter()
            .map(|(c, ty)| {
                let c = self.ident(c);
                format!("CAST(v.{c} AS {}) AS {c}", d.cast_type(*ty))
            })
            .collect();
        let values: Vec<String> = rows
            .iter()
            .map(|r| {
                let cells: Vec<String> = r
                    .iter()
                    .map(|v| match v {
                        None => "NULL".to_string(),
                        Some(s) => self.literal(s),
                    })
                    .collect();
                format!("({})", cells.join(", "))
            })
            .collect();
        format!(
            "SELECT {} FROM (VALUES\n{}\n) AS v({})",
            casts.join(", "),
            values.join(",\n"),
            names.join(", ")
        )
    }

    /// Drops a table of segql's own if it is there (a test's given rows, a kept
    /// result); failures are ignored, as the session's end drops temporary ones anyway.
    /// On Spark a name of segql's own may be a temporary view (a kept result, a test's
    /// given rows) or a table (a seed's staging table): both are tried.
    pub fn drop_quietly(&self, name: &[String]) {
        let mut c = self.client.borrow_mut();
        if self.target.kind == Kind::Spark {
            let _ = c.execute(&format!("DROP VIEW IF EXISTS {}", self.relation(name)));
        }
        let _ = c.execute(&format!("DROP TABLE IF EXISTS {}", self.relation(name)));
    }
}

impl Drop for TargetBackend {
    fn drop(&mut self) {
        let kept: Vec<String> = self.kept.borrow_mut().drain(..).collect();
        for k in kept {
            if self.target.kind == Kind::Spark {
                let _ = self
                    .client
                    .borrow_mut()
                    .execute(&format!("UNCACHE TABLE IF EXISTS {}", self.ident(&k)));
            }
            self.drop_quietly(&[k]);
        }
    }
}

impl Backend for TargetBackend {
    fn label(&self) -> String {
        format!("target `{}`", self.target.name)
    }

    fn dialect(&self) -> &'static dyn Dialect {
        dialect::by_name(self.target.dialect).unwrap_or(&dialect::Postgres)
    }

    fn execute(&self, sql: &str) -> Result<()> {
        self.client.borrow_mut().execute(sql).map_err(error)
    }

    fn rows(&self, sql: &str) -> Result<(Vec<String>, Rows)> {
        let r = self.query(sql)?;
        text::rows(&r).map_err(|e| arrow_error(&self.target.name, e))
    }

    fn rows_ordered(&self, sql: &str) -> Result<(Vec<String>, Rows)> {
        let r = self.query(sql)?;
        let sorted = text::sorted_by_first(&r).map_err(|e| arrow_error(&self.target.name, e))?;
        text::rows(&sorted).map_err(|e| arrow_error(&self.target.name, e))
    }

    fn table(&self, sql: &str, ordered: bool) -> Result<Table> {
        let mut r = self.query(sql)?;
        if ordered {
            r = text::sorted_by_first(&r).map_err(|e| arrow_error(&self.target.name, e))?;
        }
        let kinds = r.schema.fields().iter().map(|f| value_kind(f)).collect();
        let (columns, rows) = text::rows(&r).map_err(|e| arrow_error(&self.target.name, e))?;
        Ok(Table {
            columns,
            kinds,
            rows,
        })
    }

    fn keep(&self, name: &str, query: &str) -> Result<()> {
        let n = self.ident(name);
        if self.capabilities().temporary_tables {
            self.execute(&format!("CREATE TEMPORARY TABLE {n} AS\n{query}"))?;
        } else {
            // Spark Connect: a temporary view of the session, cached so that the
            // statement runs once.
            self.execute(&format!("CACHE TABLE {n} AS\n{query}"))?;
        }
        self.kept.borrow_mut().push(name.to_string());
        Ok(())
    }

    fn interrupter(&self) -> Interrupter {
        let c = self.client.borrow().canceller();
        Interrupter::new(move || c.cancel())
    }
}

/// What an Arrow column holds, for [`Backend::table`]. The PostgreSQL driver hands
/// `NUMERIC` back as text (its digits, with exactly the column's scale), tagged with the
/// field metadata `ADBC:postgresql:typname = numeric`: a number all the same.
fn value_kind(f: &arrow_schema::Field) -> ValueKind {
    use arrow_schema::DataType as T;
    let typname = f
        .metadata()
        .get("ADBC:postgresql:typname")
        .map(String::as_str);
    if matches!(typname, Some("numeric") | Some("decimal")) {
        return ValueKind::Number;
    }
    match f.data_type() {
        T::Int8
        | T::Int16
        | T::Int32
        | T::Int64
        | T::UInt8
        | T::UInt16
        | T::UInt32
        | T::UInt64
        | T::Float16
        | T::Float32
        | T::Float64
        | T::Decimal32(..)
        | T::Decimal64(..)
        | T::Decimal128(..)
        | T::Decimal256(..) => ValueKind::Number,
        T::Boolean => ValueKind::Bool,
        _ => ValueKind::Text,
    }
}

#[cfg(test)]
mod kind_tests {
    use super::*;
    use arrow_schema::{DataType, Field};

    #[test]
    fn numeric_text_of_postgresql_is_a_number() {
        let tagged = Field::new("share", DataType::Utf8, true).with_metadata(
            std::collections::HashMap::from([(
                "ADBC:postgresql:typname".to_string(),
                "numeric".to_string(),
            )]),
        );
        assert_eq!(value_kind(&tagged), ValueKind::Number);
        assert_eq!(
            value_kind(&Field::new("k", DataType::Utf8, true)),
            ValueKind::Text
        );
        assert_eq!(
            value_kind(&Field::new("n", DataType::Int64, true)),
            ValueKind::Number
        );
        assert_eq!(
            value_kind(&Field::new("b", DataType::Boolean, true)),
            ValueKind::Bool
        );
    }
}
