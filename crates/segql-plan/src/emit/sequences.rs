//! The CTE chain of the sequences over one events relation: one scan giving a row per
//! (entity, time) with a flag per step of each sequence, then one window pass per step
//! position finding, for every sequence at once, the latest valid previous step strictly
//! before each row. A sequence alone keeps plain names (`s1`, `prev1`, `matched`);
//! several prefix theirs with the sequence's name.

use super::{Emitter, EV};
use crate::ir::*;
use crate::plan::SeqChain;
use crate::sql::{and, bin, is_not_null, proj, proj_bare, From, Order};
use sqlparser::ast::{BinaryOperator, Expr, Query};

/// The columns of one chain: per sequence, its steps' flag columns and the columns that
/// carry its latest valid steps. Identical steps across sequences share a flag column,
/// and sequences that start with the same steps share their `prev` columns.
struct Shape<'p> {
    seqs: Vec<&'p Sequence>,
    /// `flags[a][j - 1]`: the column of sequence `a`'s step `j`.
    flags: Vec<Vec<String>>,
    /// `prevs[a][j - 1]`: the column holding sequence `a`'s latest valid step `j`.
    prevs: Vec<Vec<String>>,
}

impl<'a> Emitter<'a> {
    pub(crate) fn chain_ctes(&mut self, ci: usize) -> Vec<(String, Query)> {
        let plan = self.plan;
        let chain = &plan.chains[ci];
        let (steps, shape) = self.steps_scan(chain);
        let mut out = vec![(chain.steps_cte.clone(), steps)];
        let mut prev_name = chain.steps_cte.clone();
        for (i, name) in chain.step_ctes.iter().enumerate() {
            let q = self.window_pass(&shape, i + 2, &prev_name);
            out.push((name.clone(), q));
            prev_name = name.clone();
        }
        let result = self.chain_result(chain, &shape, &prev_name);
        out.push((chain.result_cte(plan).to_string(), result));
        out
    }

    /// The scan of the steps' events: a row per (key, time) with each step's flag.
    fn steps_scan(&mut self, chain: &SeqChain) -> (Query, Shape<'a>) {
        let sql = self.sql;
        let plan = self.plan;
        let events = chain.events;
        let grouped = chain.group.is_some();
        let seqs: Vec<&Sequence> = chain
            .members
            .iter()
            .map(|&i| &plan.sequences[i].seq)
            .collect();
        let prefixes: Vec<String> = chain
            .members
            .iter()
            .map(|&i| {
                if grouped {
                    format!("{}_", plan.sequences[i].cte)
                } else {
                    String::new()
                }
            })
            .collect();
        let ev = &self.p.catalog.events[events];
        let filters: Vec<Vec<EventFilter>> = seqs
            .iter()
            .map(|seq| {
                seq.steps
                    .iter()
                    .map(|s| EventFilter {
                        events,
                        action: s.action,
                        names: s.names.clone(),
                        pred: s.pred.clone(),
                        window: seq.window.clone(),
                    })
                    .collect()
            })
            .collect();
        let refs: Vec<&EventFilter> = filters.iter().flatten().collect();
        let (selection, _, _) = self.scan_where(events, &refs);
        let key = sql.col(EV, &ev.key);
        let time = sql.col(EV, &ev.time);
        let mut projection = vec![proj(key.clone(), "k"), proj(time.clone(), "t")];
        let mut flag_of: Vec<(String, String)> = Vec::new();
        let mut flags: Vec<Vec<String>> = Vec::new();
        for (steps, prefix) in filters.iter().zip(&prefixes) {
            let mut cols = Vec::new();
            for (i, f) in steps.iter().enumerate() {
                let mut parts = self.filter_parts(f, false, None);
                if parts.is_empty() {
                    parts.push(sql.bool(true));
                }
                let flag = sql.case(vec![(and(parts), sql.int(1))], Some(sql.int(0)));
                let text = flag.to_string();
                let col = match flag_of.iter().find(|(t, _)| *t == text) {
                    Some((_, c)) => c.clone(),
                    None => {
                        let c = format!("{prefix}s{}", i + 1);
                        projection.push(proj(sql.func("MAX", vec![flag]), &c));
                        flag_of.push((text, c.clone()));
                        c
                    }
                };
                cols.push(col);
            }
            flags.push(cols);
        }
        let prevs = prev_columns(&seqs, &prefixes, &flags);
        let from = From {
            base: sql.table(&ev.table, Some(EV)),
            joins: vec![],
        };
        let q = sql.select(projection, Some(from), Some(selection), vec![key, time]);
        (q, Shape { seqs, flags, prevs })
    }

    /// Sequence `a`'s step `j` matched at this row, with a valid step `j - 1` strictly
    /// before (and within its window of the previous step).
    fn valid(&self, shape: &Shape<'_>, a: usize, j: usize) -> Expr {
        let sql = self.sql;
        let s = bin(
            sql.bare(&shape.flags[a][j - 1]),
            BinaryOperator::Eq,
            sql.int(1),
        );
        if j == 1 {
            return s;
        }
        let prev = sql.bare(&shape.prevs[a][j - 2]);
        let mut parts = vec![s, is_not_null(prev.clone())];
        if let Some(w) = shape.seqs[a].steps[j - 1].within {
            parts.push(bin(
                sql.bare("t"),
                BinaryOperator::LtEq,
                self.d.plus(&sql, prev, w),
            ));
        }
        and(parts)
    }

    /// The window pass for step position `j`: every sequence's latest valid step `j - 1`
    /// strictly before each row, and the columns later passes read.
    fn window_pass(&self, shape: &Shape<'_>, j: usize, prev_name: &str) -> Query {
        let sql = self.sql;
        let mut projection = vec![proj_bare(sql.bare("k")), proj_bare(sql.bare("t"))];
        let mut named: Vec<String> = Vec::new();
        let mut windows: Vec<(Expr, String)> = Vec::new();
        for (a, seq) in shape.seqs.iter().enumerate() {
            let n = seq.steps.len();
            let mut keep: Vec<&String> = Vec::new();
            if j > n {
                // Finished: carry what its last step's test reads.
                keep.push(&shape.flags[a][n - 1]);
                keep.push(&shape.prevs[a][n - 2]);
            } else {
                // Carry the later steps' flags and add prev(j-1).
                keep.extend(&shape.flags[a][j - 1..]);
                let col = &shape.prevs[a][j - 2];
                if !windows.iter().any(|(_, c)| c == col) {
                    let v = self.valid(shape, a, j - 1);
                    let max = sql.function("MAX", vec![sql.case(vec![(v, sql.bare("t"))], None)]);
                    let w = sql.window(
                        max,
                        vec![sql.bare("k")],
                        vec![(sql.bare("t"), Order::Asc)],
                        true,
                    );
                    windows.push((w, col.clone()));
                }
            }
            for c in keep {
                if !named.contains(c) && !windows.iter().any(|(_, w)| w == c) {
                    named.push(c.clone());
                }
            }
        }
        named.retain(|c| !windows.iter().any(|(_, w)| w == c));
        projection.extend(named.iter().map(|c| proj_bare(sql.bare(c))));
        projection.extend(windows.into_iter().map(|(w, c)| proj(w, &c)));
        let from = From {
            base: sql.table(&[prev_name.to_string()], None),
            joins: vec![],
        };
        sql.select(projection, Some(from), None, vec![])
    }

    /// The result: per key, whether the sequence matched (`matched`), or one flag per
    /// sequence when several share the chain.
    fn chain_result(&self, chain: &SeqChain, shape: &Shape<'_>, last: &str) -> Query {
        let sql = self.sql;
        let ev = &self.p.catalog.events[chain.events];
        let entity_key = &self.p.catalog.entities[ev.entity].key;
        let from = From {
            base: sql.table(&[last.to_string()], None),
            joins: vec![],
        };
        if chain.group.is_some() {
            let mut projection = vec![proj(sql.bare("k"), entity_key)];
            for (a, &si) in chain.members.iter().enumerate() {
                let v = self.valid(shape, a, shape.seqs[a].steps.len());
                let flag = sql.case(vec![(v, sql.int(1))], Some(sql.int(0)));
                projection.push(proj(
                    sql.func("MAX", vec![flag]),
                    &self.plan.sequences[si].cte,
                ));
            }
            sql.select(projection, Some(from), None, vec![sql.bare("k")])
        } else {
            let v = self.valid(shape, 0, shape.seqs[0].steps.len());
            sql.select(
                vec![proj(sql.bare("k"), entity_key), proj(sql.int(1), "matched")],
                Some(from),
                Some(v),
                vec![sql.bare("k")],
            )
        }
    }
}

/// The `prev` columns of each sequence: a column per (flags of the steps so far, their
/// `within`s), shared by the sequences that begin alike.
fn prev_columns(
    seqs: &[&Sequence],
    prefixes: &[String],
    flags: &[Vec<String>],
) -> Vec<Vec<String>> {
    let mut prev_of: Vec<(String, String)> = Vec::new();
    let mut prevs = Vec::new();
    for ((seq, prefix), cols) in seqs.iter().zip(prefixes).zip(flags) {
        let mut mine = Vec::new();
        let mut key_text = String::new();
        for j in 1..seq.steps.len() {
            key_text.push_str(&format!("{}|{:?}|", cols[j - 1], seq.steps[j - 1].within));
            let col = match prev_of.iter().find(|(c, _)| *c == key_text) {
                Some((_, c)) => c.clone(),
                None => {
                    let c = format!("{prefix}prev{j}");
                    prev_of.push((key_text.clone(), c.clone()));
                    c
                }
            };
            mine.push(col);
        }
        prevs.push(mine);
    }
    prevs
}
