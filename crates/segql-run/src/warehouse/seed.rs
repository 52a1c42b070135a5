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
    let mut out = Vec::new();
    for (_, (table, columns)) in &rels {
        let remote = t.target().relation(table);
        let rows = seed_one(engine, t, table, &remote, columns)?;
        out.push(Seeded {
            relation: table.join("."),
            on_target: remote.join("."),
            rows,
        });
    }
    Ok(out)
}

fn seed_one(
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
    let loaded = if t.capabilities().bulk_ingest {
        let (schema, batches) = engine.arrow(&select)?;
        let n = batches.iter().map(|b| b.num_rows()).sum();
        t.client()
            .ingest(&stage, schema, batches, false, false)
            .map(|_| n)
            .map_err(error)
    } else {
        insert_values(engine, t, &select, &stage, columns)
    };
    let n = match loaded {
        Ok(n) => n,
        Err(e) => {
            t.drop_quietly(&stage);
            return Err(e);
        }
    };
    if let Err(e) = swap(t, &stage, remote) {
        t.drop_quietly(&stage);
        return Err(e);
    }
    Ok(n)
}

/// The staging table renamed to the relation, replacing it: in one transaction where
/// the target has them, so a reader sees the old table or the new one.
fn swap(t: &TargetBackend, stage: &[String], remote: &[String]) -> Result<()> {
    let last = remote.last().cloned().unwrap_or_default();
    let drop = format!("DROP TABLE IF EXISTS {}", t.relation(remote));
    let rename = format!(
        "ALTER TABLE {} RENAME TO {}",
        t.relation(stage),
        if t.kind() == segql_target::Kind::Spark {
            // Spark's RENAME TO takes the whole name.
            t.relation(remote)
        } else {
            t.ident(&last)
        }
    );
    if !t.capabilities().transactions {
        t.execute(&drop)?;
        return t.execute(&rename);
    }
    t.client().begin().map_err(error)?;
    let done = t
        .execute(&drop)
        .and_then(|_| t.execute(&rename))
        .and_then(|_| t.client().commit().map_err(error));
    if done.is_err() {
        let _ = t.client().rollback();
    }
    done
}

/// Rows as `INSERT ... VALUES` of typed literals, 500 a statement, into a new table
/// (for targets whose driver has no bulk ingest). Values are DuckDB's text for them,
/// cast to the column's type on the target.
fn insert_values(
    engine: &Engine,
    t: &TargetBackend,
    select: &str,
    stage: &[String],
    columns: &[(String, Type)],
) -> Result<usize> {
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
        t.relation(stage),
        defs.join(", ")
    ))?;
    let (_, rows) = engine.rows(select)?;
    let names: Vec<String> = columns.iter().map(|(c, _)| t.ident(c)).collect();
    for chunk in rows.chunks(500) {
        let values: Vec<String> = chunk
            .iter()
            .map(|r| {
                let cells: Vec<String> = r
                    .iter()
                    .zip(columns)
                    .map(|(v, (_, ty))| match v {
                        None => format!("CAST(NULL AS {})", d.cast_type(*ty)),
                        Some(s) => format!("CAST({} AS {})", t.literal(s), d.cast_type(*ty)),
                    })
                    .collect();
                format!("({})", cells.join(", "))
            })
            .collect();
        t.execute(&format!(
            "INSERT INTO {} ({}) VALUES\n{}",
            t.relation(stage),
            names.join(", "),
            values.join(",\n")
        ))
        .map_err(|e| Error {
            context: e.context,
            message: format!("loading {}: {}", stage.join("."), e.message),
        })?;
    }
    Ok(rows.len())
}
