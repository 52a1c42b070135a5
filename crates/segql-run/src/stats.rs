//! Sampling each events relation's event names for the planner's statistics (`segql
//! stats`; the planner's side is `segql_plan::stats`, the file's segql-project's
//! `stats`).
//!
//! A relation of at most [`COUNT_ALL_UNDER`] rows is counted whole; a larger one from a
//! repeatable system sample (DuckDB reads only the sampled vectors of a parquet file:
//! 0.06 s for 1% of 62M rows, against 3.3 s for all of them), so the same data gives
//! the same file.

use crate::engine::{Engine, Result};
use crate::sqltext::{dotted, ident};
use segql_plan::ir::{EventSource, Program};
use segql_plan::stats::NameCounts;

/// Relations with at most this many rows are counted whole.
pub const COUNT_ALL_UNDER: u64 = 2_000_000;

/// The sample's seed: the same data, the same sample.
const SEED: u32 = 20261205;

/// One events relation's name counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// The relation's table, dotted.
    pub table: String,
    /// Its rows.
    pub rows: u64,
    /// Whether every row was counted (otherwise `percent` of them, roughly).
    pub whole: bool,
    pub counts: NameCounts,
}

/// Samples every events relation of `p` whose names are a column, as bound in
/// `engine` (each relation a view named as its table), `percent` of the rows of those
/// past [`COUNT_ALL_UNDER`].
pub fn sample(engine: &Engine, p: &Program, percent: f64) -> Result<Vec<Sample>> {
    let mut out: Vec<Sample> = Vec::new();
    for ev in &p.catalog.events {
        let EventSource::Column(name) = &ev.source else {
            continue;
        };
        let table = ev.table.join(".");
        if out.iter().any(|s| s.table == table) {
            continue;
        }
        let rel = dotted(&ev.table);
        let (_, rows) = engine.rows(&format!("SELECT count(*) FROM {rel}"))?;
        let total: u64 = rows
            .first()
            .and_then(|r| r.first().cloned().flatten())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let whole = total <= COUNT_ALL_UNDER;
        let sample = if whole {
            String::new()
        } else {
            format!(" TABLESAMPLE {percent}% (system, {SEED})")
        };
        let (_, rows) = engine.rows(&format!(
            "SELECT {n}, count(*) FROM {rel}{sample} GROUP BY {n}",
            n = ident(name)
        ))?;
        let mut counts = NameCounts::default();
        for r in rows {
            let k: u64 = r
                .get(1)
                .cloned()
                .flatten()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            counts.sampled += k;
            if let Some(Some(n)) = r.first() {
                counts.names.insert(n.clone(), k);
            }
        }
        out.push(Sample {
            table,
            rows: total,
            whole,
            counts,
        });
    }
    Ok(out)
}
