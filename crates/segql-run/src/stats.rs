//! Counting each events relation's event names for the planner's statistics (`segql
//! stats`; the planner's side is `segql_plan::stats`, the file's segql-project's
//! `stats`).
//!
//! One exact pass per relation: the rows of each name and the most rows of it one key
//! has (which no sample can tell: a sequence's joins are bounded by it). 3.1 s over the
//! bench data's 62M parquet rows at 1M users on two threads.

use crate::engine::{Engine, Result};
use crate::sqltext::{dotted, ident};
use segql_plan::ir::{EventSource, Program};
use segql_plan::stats::NameCounts;

/// One events relation's name counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    /// The relation's table, dotted.
    pub table: String,
    pub counts: NameCounts,
}

/// Counts every events relation of `p` whose names are a column, as bound in `engine`
/// (each relation a view named as its table).
pub fn count(engine: &Engine, p: &Program) -> Result<Vec<Counted>> {
    let mut out: Vec<Counted> = Vec::new();
    for ev in &p.catalog.events {
        let EventSource::Column(name) = &ev.source else {
            continue;
        };
        let table = ev.table.join(".");
        if out.iter().any(|s| s.table == table) {
            continue;
        }
        let (_, rows) = engine.rows(&format!(
            "SELECT n, sum(c), max(c) FROM (SELECT {n} AS n, count(*) AS c FROM {rel} \
             GROUP BY {n}, {k}) GROUP BY n",
            n = ident(name),
            k = ident(&ev.key),
            rel = dotted(&ev.table)
        ))?;
        let number = |r: &[Option<String>], i: usize| -> u64 {
            r.get(i)
                .cloned()
                .flatten()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        let mut counts = NameCounts::default();
        for r in rows {
            let (n, max) = (number(&r, 1), number(&r, 2));
            counts.rows += n;
            if let Some(Some(name)) = r.first() {
                counts.names.insert(name.clone(), n);
                counts.max_per_key.insert(name.clone(), max);
            }
        }
        counts.sampled = counts.rows;
        out.push(Counted { table, counts });
    }
    Ok(out)
}
