//! `segql seed --target NAME`: every catalog relation's bound local data copied into
//! the target, where the target's mapping says it lives. The bound files are read
//! (never written) by the embedded DuckDB, as Arrow, and bulk-ingested by the driver;
//! a target without bulk ingest gets the rows as INSERT statements of typed literals.
//!
//! Nothing is left half-written: each relation is loaded into a staging table beside
//! it (`<table>__segql_seed`), then swapped in (drop and rename, in one transaction
//! where the target has them). A relation that already exists is replaced only when
//! asked (`replace`); that is checked for every relation before anything is written.

use super::{error, TargetBackend};
use crate::backend::Backend;
use crate::bind::relations;
use crate::engine::{Engine, Error, Result};
use crate::sqltext;
use segql_plan::ir::Program;
use segql_syntax::ast::Type;
use segql_target::client::Client;
use segql_target::{codes, TargetError};

/// One relation seeded.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The catalog's name (`analytics.events`).
    pub relation: String,
    /// Where it is on the target (`analytics_dev.events`).
    pub on_target: String,
    pub rows: usize,
}

fn staging(remote: &[String]) -> Vec<String> {
    let mut s = remote.to_vec();
    if let Some(last) = s.last_mut() {
        *last = format!("{last}__segql_seed");
    }
    s
}

/// Seeds every relation of `p` from `engine` (bound to the project's files) into `t`.
pub fn seed(engine: &Engine, p: &Program, t: &TargetBackend, replace: bool) -> Result<Vec<Seeded>> {
    let rels = relations(&p.catalog);
    let name = t.name().to_string();
    // Every refusal before any write.
    if !replace {
        let mut existing = Vec::new();
        for (_, (table, _)) in &rels {
            let remote = t.target().relation(table);
            let found = t.client().table_schema(&remote).map_err(error)?;
            if found.is_some() {
                existing.push(remote.join("."));
            }
        }
        if !existing.is_empty() {
            return Err(error(
                TargetError::new(
                    codes::UNSUPPORTED,
                    &name,
                    format!(
                        "seeding would replace {} (already on the target); nothing was written",
                        existing.join(", ")
                    ),
                )
                .with_hint(
                    "run `segql seed --target NAME --replace` to replace them with the bound files",
                ),
            ));
        }
    }
    // Every relation into its staging table first; a failure drops every staging
    // table made, and the target's relations are as they were.
    let mut staged: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let mut out = Vec::new();
    for (_, (table, columns)) in &rels {
        let remote = t.target().relation(table);
        match stage_one(engine, t, table, &remote, columns) {
            Ok(rows) => {
                staged.push((staging(&remote), remote.clone()));
                out.push(Seeded {
                    relation: table.join("."),
                    on_target: remote.join("."),
                    rows,
                });
            }
            Err(e) => {
                for (stage, _) in &staged {
                    t.drop_quietly(stage);
                }
                return Err(e);
            }
        }
    }
    if let Err(e) = swap(t, &staged) {
        for (stage, _) in &staged {
            t.drop_quietly(stage);
        }
        return Err(e);
    }
    Ok(out)
}

/// One relation's rows into its staging table (`<table>__segql_seed`); on failure the
/// staging table is dropped.
fn stage_one(
    engine: &Engine,
    t: &TargetBackend,
    table: &[String],
    remote: &[String],
    columns: &[(String, Type)],
) -> Result<usize> {
    let cols: Vec<String> = columns.iter().map(|(c, _)| sqltext::ident(c)).collect();
    let select = format!("SELECT {} FROM {}", cols.join(", "), sqltext::dotted(table));
    if remote.len() == 2 {
        t.execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS {}",
            t.ident(&remote[0])
        ))?;
    }
    let stage = staging(remote);
    t.drop_quietly(&stage);
    // The table is made with the catalog's types (NUMERIC(38, 9), not the driver's
    // choice for an Arrow decimal), then filled.
    let loaded = create_table(t, &stage, columns).and_then(|_| {
        if t.capabilities().bulk_ingest {
            let (schema, batches) = engine.arrow(&select)?;
            let n = batches.iter().map(|b| b.num_rows()).sum();
            t.client()
                .ingest(&stage, schema, batches, true, false)
                .map(|_| n)
                .map_err(error)
        } else {
            insert_values(engine, t, &select, &stage, columns)
        }
    });
    if loaded.is_err() {
        t.drop_quietly(&stage);
    }
    loaded
}

/// Every staging table renamed to its relation, replacing it: all in one transaction
/// where the target has them (PostgreSQL's DDL is transactional), so a reader sees the
/// old tables or the new ones. Without transactions (Spark Connect) each relation is
/// swapped in turn: a failure there can leave some relations replaced and others not
/// (docs/targets.md).
fn swap(t: &TargetBackend, staged: &[(Vec<String>, Vec<String>)]) -> Result<()> {
    let statements: Vec<String> = staged
        .iter()
        .flat_map(|(stage, remote)| {
            let last = remote.last().cloned().unwrap_or_default();
            [
                format!("DROP TABLE IF EXISTS {}", t.relation(remote)),
                format!(
                    "ALTER TABLE {} RENAME TO {}",
                    t.relation(stage),
                    if t.kind() == segql_target::Kind::Spark {
                        // Spark's RENAME TO takes the whole name.
                        t.relation(remote)
                    } else {
                        t.ident(&last)
                    }
                ),
            ]
        })
        .collect();
    if !t.capabilities().transactions {
        return statements.iter().try_for_each(|s| t.execute(s));
    }
    t.client().begin().map_err(error)?;
    let done = statements
        .iter()
        .try_for_each(|s| t.execute(s))
        .and_then(|_| t.client().commit().map_err(error));
    if done.is_err() {
        let _ = t.client().rollback();
    }
    done
}

/// The table `name` with the catalog's columns and types (on Spark, a parquet table).
fn create_table(t: &TargetBackend, name: &[String], columns: &[(String, Type)]) -> Result<()> {
    let d = t.dialect();
    let defs: Vec<String> = columns
        .iter()
        .map(|(c, ty)| format!("{} {}", t.ident(c), d.cast_type(*ty)))
        .collect();
    let using = if t.kind() == segql_target::Kind::Spark {
        " USING parquet"
    } else {
        ""
    };
    t.execute(&format!(
        "CREATE TABLE {} ({}){using}",
        t.relation(name),
        defs.join(", ")
    ))
}

/// Rows as `INSERT ... SELECT` over a VALUES list, 2,000 a statement, into the table
/// (for targets whose driver has no bulk ingest). Values are DuckDB's text for them,
/// cast to the column's type on the target ([`TargetBackend::values`]).
fn insert_values(
    engine: &Engine,
    t: &TargetBackend,
    select: &str,
    stage: &[String],
    columns: &[(String, Type)],
) -> Result<usize> {
    let (_, rows) = engine.rows(select)?;
    let names: Vec<String> = columns.iter().map(|(c, _)| t.ident(c)).collect();
    for chunk in rows.chunks(2000) {
        t.execute(&format!(
            "INSERT INTO {} ({})\n{}",
            t.relation(stage),
            names.join(", "),
            t.values(chunk, columns)
        ))
        .map_err(|e| Error {
            context: e.context,
            message: format!("loading {}: {}", stage.join("."), e.message),
        })?;
    }
    Ok(rows.len())
}
