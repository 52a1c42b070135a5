//! The CTE chain of the sequences over one events relation: one scan giving a row per
//! (entity, time) with a flag per step of each sequence, then one window pass per step
//! position finding, for every sequence at once, the latest valid previous step strictly
//! before each row. A sequence alone keeps plain names (`s1`, `prev1`, `matched`);
//! several prefix theirs with the sequence's name.

use super::{Emitter, EV};
use crate::ir::*;
use crate::sql::{and, bin, is_not_null, proj, proj_bare, From};
use sqlparser::ast::{BinaryOperator, Expr, Query};

impl Emitter<'_> {
    pub(crate) fn chain_ctes(&mut self, ci: usize) -> Vec<(String, Query)> {
        let sql = self.sql;
        let plan = self.plan;
        let p = self.p;
        let chain = &plan.chains[ci];
        let events = chain.events;
        let members = &chain.members;
        let grouped = chain.group.is_some();
        let seqs: Vec<(&Sequence, String)> = members
            .iter()
            .map(|&i| {
                let f = &plan.sequences[i];
                let prefix = if grouped {
                    format!("{}_", f.cte)
                } else {
                    String::new()
                };
                (&f.seq, prefix)
            })
            .collect();
        let cte = chain.result_cte(plan).to_string();
        let ev = &p.catalog.events[events];
        let entity_key = p.catalog.entities[ev.entity].key.clone();
        let filters: Vec<Vec<EventFilter>> = seqs
            .iter()
            .map(|(seq, _)| {
                seq.steps
                    .iter()
                    .map(|s| EventFilter {
                        events,
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
        // Identical steps across sequences share a flag column, and sequences that
        // start with the same steps share their `prev` columns.
        let mut projection = vec![proj(key.clone(), "k"), proj(time.clone(), "t")];
        let mut flag_of: Vec<(String, String)> = Vec::new();
        let mut flags: Vec<Vec<String>> = Vec::new();
        for (steps, (_, prefix)) in filters.iter().zip(&seqs) {
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
        // prevs[a][j - 1]: the column holding sequence a's latest valid step j.
        let mut prev_of: Vec<(String, String)> = Vec::new();
        let mut prevs: Vec<Vec<String>> = Vec::new();
        for ((seq, prefix), cols) in seqs.iter().zip(&flags) {
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
        let steps_name = chain.steps_cte.clone();
        let from = From {
            base: sql.table(&ev.table, Some(EV)),
            joins: vec![],
        };
        let mut out = vec![(
            steps_name.clone(),
            sql.select(projection, Some(from), Some(selection), vec![key, time]),
        )];
        // valid(a, j): sequence a's step j matched at this row, with a valid step j-1
        // strictly before.
        let valid = |this: &Self, a: usize, j: usize| -> Expr {
            let s = bin(sql.bare(&flags[a][j - 1]), BinaryOperator::Eq, sql.int(1));
            if j == 1 {
                return s;
            }
            let prev = sql.bare(&prevs[a][j - 2]);
            let mut parts = vec![s, is_not_null(prev.clone())];
            if let Some(w) = seqs[a].0.steps[j - 1].within {
                parts.push(bin(
                    sql.bare("t"),
                    BinaryOperator::LtEq,
                    this.d.plus(&sql, prev, w),
                ));
            }
            and(parts)
        };
        let longest = seqs.iter().map(|(s, _)| s.steps.len()).max().unwrap_or(0);
        let mut prev_name = steps_name;
        for j in 2..=longest {
            let mut projection = vec![proj_bare(sql.bare("k")), proj_bare(sql.bare("t"))];
            let mut named: Vec<String> = Vec::new();
            let mut windows: Vec<(Expr, String)> = Vec::new();
            for (a, (seq, _)) in seqs.iter().enumerate() {
                let n = seq.steps.len();
                let mut keep: Vec<&String> = Vec::new();
                if j > n {
                    // Finished: carry what its last step's test reads.
                    keep.push(&flags[a][n - 1]);
                    keep.push(&prevs[a][n - 2]);
                } else {
                    // Carry the later steps' flags and add prev(j-1).
                    keep.extend(&flags[a][j - 1..]);
                    let col = &prevs[a][j - 2];
                    if !windows.iter().any(|(_, c)| c == col) {
                        let v = valid(self, a, j - 1);
                        let max =
                            sql.function("MAX", vec![sql.case(vec![(v, sql.bare("t"))], None)]);
                        let w = sql.window(
                            max,
                            vec![sql.bare("k")],
                            vec![(sql.bare("t"), false)],
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
            let name = chain.step_ctes[j - 2].clone();
            let from = From {
                base: sql.table(&[prev_name.clone()], None),
                joins: vec![],
            };
            out.push((
                name.clone(),
                sql.select(projection, Some(from), None, vec![]),
            ));
            prev_name = name;
        }
        let from = From {
            base: sql.table(&[prev_name], None),
            joins: vec![],
        };
        let q = if grouped {
            let mut projection = vec![proj(sql.bare("k"), &entity_key)];
            for (a, &si) in members.iter().enumerate() {
                let v = valid(self, a, seqs[a].0.steps.len());
                let flag = sql.case(vec![(v, sql.int(1))], Some(sql.int(0)));
                projection.push(proj(sql.func("MAX", vec![flag]), &plan.sequences[si].cte));
            }
            sql.select(projection, Some(from), None, vec![sql.bare("k")])
        } else {
            let v = valid(self, 0, seqs[0].0.steps.len());
            sql.select(
                vec![
                    proj(sql.bare("k"), &entity_key),
                    proj(sql.int(1), "matched"),
                ],
                Some(from),
                Some(v),
                vec![sql.bare("k")],
            )
        };
        out.push((cte, q));
        out
    }
}
