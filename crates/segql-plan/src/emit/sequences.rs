//! The CTE chain of the sequences over one events relation: one scan giving a row per
//! (entity, time) with a flag per step of each sequence, then one window pass per step
//! position finding, for every sequence at once, the latest valid previous step strictly
//! before each row. A sequence alone keeps plain names (`s1`, `prev1`, `matched`);
//! several prefix theirs with the sequence's name.
//!
//! Sequences the plan gives [`ChainForm::TimeBuckets`] take hash aggregates and joins
//! instead, no sort of the events at all: a lone two-step sequence groups its own scan;
//! otherwise one scan of the steps' events with a flag per distinct step feeds each
//! sequence's aggregates, and a sequence that starts a longer one reads that one's
//! valid events of its last step ([`crate::plan::Buckets::prefix_rows`]).

use super::{Emitter, EV};
use crate::ir::*;
use crate::plan::{Buckets, ChainForm, SeqChain};
use crate::sql::{and, bin, is_not_null, or, proj, proj_bare, From, Order, Proj};
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
        if let ChainForm::TimeBuckets(buckets) = &chain.form {
            return self.bucket_chain(chain, buckets);
        }
        if let ChainForm::Joins(middles) = &chain.form {
            return self.join_chain(chain, middles);
        }
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

    /// The CTEs of a chain in time buckets: a lone two-step sequence over its own grouped
    /// scan; otherwise the scan of every step's events with a flag per distinct step
    /// (DuckDB materializes a CTE read more than once), then each sequence over it.
    fn bucket_chain(&mut self, chain: &SeqChain, buckets: &[Buckets]) -> Vec<(String, Query)> {
        if let ([b], [si]) = (buckets, chain.members.as_slice()) {
            if b.withins.len() == 1 {
                return self.bucketed(chain, *si, b, None);
            }
        }
        let (steps, flags) = self.flag_rows(chain);
        let mut out = vec![(chain.steps_cte.clone(), steps)];
        for ((b, &si), flags) in buckets.iter().zip(&chain.members).zip(&flags) {
            if b.prefix_rows.is_some() {
                continue;
            } else if b.withins.len() == 1 {
                out.extend(self.bucketed(chain, si, b, Some(flags)));
            } else {
                out.extend(self.bucketed_steps(chain, si, b, flags));
            }
        }
        // The sequences that start a longer one, after it: the keys of its valid events
        // of their last step.
        for (b, &si) in buckets.iter().zip(&chain.members) {
            if let Some(rows) = &b.prefix_rows {
                out.push((
                    self.plan.sequences[si].cte.clone(),
                    self.keys_of(chain, rows),
                ));
            }
        }
        out
    }

    /// A sequence alone as joins ([`ChainForm::Joins`]): its steps' flag rows, then per
    /// middle step its valid events (`k`, `t`, each once: an event of the step strictly
    /// after a valid event of the step before, within that step's `within`), and the
    /// keys with a valid event of the last step. Each join pairs a step's rows with the
    /// next's of the same key, which the statistics bound.
    fn join_chain(&mut self, chain: &SeqChain, middles: &[String]) -> Vec<(String, Query)> {
        let sql = self.sql;
        let si = chain.members[0];
        let seq = &self.plan.sequences[si];
        let (steps, flags) = self.flag_rows(chain);
        let flags = &flags[0];
        let mut out = vec![(chain.steps_cte.clone(), steps)];
        // The earlier step's rows: the flag rows of the first step, then a middle's CTE.
        let mut earlier = (chain.steps_cte.clone(), Some(flags[0].clone()));
        let n = seq.seq.steps.len();
        for j in 1..n {
            let mut on = vec![
                bin(sql.col("b", "k"), BinaryOperator::Eq, sql.col("a", "k")),
                bin(sql.col("b", "t"), BinaryOperator::Gt, sql.col("a", "t")),
            ];
            if let Some(d) = seq.seq.steps[j].within {
                on.push(bin(
                    sql.col("b", "t"),
                    BinaryOperator::LtEq,
                    self.d.plus(&sql, sql.col("a", "t"), d),
                ));
            }
            let mut holds = vec![sql.col("b", &flags[j])];
            if let Some(f) = &earlier.1 {
                holds.push(sql.col("a", f));
            }
            let from = From {
                base: sql.table(&[earlier.0.clone()], Some("a")),
                joins: vec![sql.inner_join(
                    sql.table(std::slice::from_ref(&chain.steps_cte), Some("b")),
                    and(on),
                )],
            };
            if j + 1 < n {
                let (k, t) = (sql.col("b", "k"), sql.col("b", "t"));
                let q = sql.select(
                    vec![proj(k.clone(), "k"), proj(t.clone(), "t")],
                    Some(from),
                    Some(and(holds)),
                    vec![k, t],
                );
                out.push((middles[j - 1].clone(), q));
                earlier = (middles[j - 1].clone(), None);
            } else {
                let q = self.matched(
                    chain.events,
                    sql.col("b", "k"),
                    from,
                    Some(and(holds)),
                    true,
                );
                out.push((seq.cte.clone(), q));
            }
        }
        out
    }

    /// `SELECT k AS key, 1 AS matched FROM rows GROUP BY k`: a sequence's result from the
    /// valid events of its last step.
    fn keys_of(&self, chain: &SeqChain, rows: &str) -> Query {
        let from = From::bare(self.sql.table(&[rows.to_string()], None));
        self.matched(chain.events, self.sql.bare("k"), from, None, true)
    }

    /// A sequence's result CTE: `SELECT key AS <the entity's key>, 1 AS matched FROM from
    /// [WHERE selection] [GROUP BY key]` (`grouped`: when a key may have several rows).
    fn matched(
        &self,
        events: EventsId,
        key: Expr,
        from: From,
        selection: Option<Expr>,
        grouped: bool,
    ) -> Query {
        let sql = self.sql;
        let ev = &self.p.catalog.events[events];
        let entity_key = &self.p.catalog.entities[ev.entity].key;
        let group = if grouped { vec![key.clone()] } else { vec![] };
        sql.select(
            vec![proj(key, entity_key), proj(sql.int(1), "matched")],
            Some(from),
            selection,
            group,
        )
    }

    /// The chain's scan for time buckets: a row per event of any step (`k`, `t`) with a
    /// boolean per distinct step condition; per member, the flag column of each step.
    fn flag_rows(&mut self, chain: &SeqChain) -> (Query, Vec<Vec<String>>) {
        let plan = self.plan;
        let sql = self.sql;
        let ev = &self.p.catalog.events[chain.events];
        let filters: Vec<Vec<EventFilter>> = chain
            .members
            .iter()
            .map(|&si| plan.sequences[si].seq.step_filters())
            .collect();
        let refs: Vec<&EventFilter> = filters.iter().flatten().collect();
        let (selection, _, _) = self.scan_where(chain.events, &refs);
        let mut projection = vec![
            proj(sql.col(EV, &ev.key), "k"),
            proj(sql.col(EV, &ev.time), "t"),
        ];
        let flags = self.flag_columns(
            &filters,
            &mut projection,
            |holds| holds,
            |_, _, distinct| format!("s{}", distinct + 1),
        );
        let from = self.events_from(ev);
        let q = sql.select(projection, Some(from), Some(selection), vec![]);
        (q, flags)
    }

    /// `did A then B [within D]` (D a fixed length) as hash aggregates
    /// ([`ChainForm::TimeBuckets`]): the steps' events grouped by key and bucket of D
    /// before as_of (bucket i is [as_of - (i+1) D, as_of - i D)) keep each step's earliest
    /// and latest time. A pair a < b <= a + D lies in one bucket, where the bucket's
    /// earliest A is before its latest B (any two times of a bucket are less than D
    /// apart), or in two neighbouring ones, where the later bucket's earliest B is at
    /// most D after the earlier bucket's latest A (both the best choice there); pairs
    /// further apart are more than D apart. Without D one bucket holds everything. Alone
    /// (`shared` is `None`) the grouping is the events' scan itself; beside other
    /// sequences it reads the chain's flag rows, `shared` naming the steps' flags.
    fn bucketed(
        &mut self,
        chain: &SeqChain,
        si: usize,
        b: &Buckets,
        shared: Option<&[String]>,
    ) -> Vec<(String, Query)> {
        let plan = self.plan;
        let seq = &plan.sequences[si].seq;
        let within = b.withins[0];
        let sql = self.sql;
        let ev = &self.p.catalog.events[chain.events];
        let (from, selection, key, time, holds, mut names) = match shared {
            None => {
                let filters = seq.step_filters();
                let refs: Vec<&EventFilter> = filters.iter().collect();
                let (selection, _, _) = self.scan_where(chain.events, &refs);
                let holds = vec![self.step_holds(&filters[0]), self.step_holds(&filters[1])];
                let from = self.events_from(ev);
                let mut names = vec![chain.steps_cte.clone()];
                names.extend(b.ctes.iter().cloned());
                let (key, time) = (sql.col(EV, &ev.key), sql.col(EV, &ev.time));
                (from, selection, key, time, holds, names)
            }
            Some(flags) => {
                let holds: Vec<Expr> = flags.iter().map(|f| sql.bare(f)).collect();
                let selection = if flags[0] == flags[1] {
                    holds[0].clone()
                } else {
                    or(holds.clone())
                };
                let from = From::bare(sql.table(std::slice::from_ref(&chain.steps_cte), None));
                let (key, time) = (sql.bare("k"), sql.bare("t"));
                (from, selection, key, time, holds, b.ctes.clone())
            }
        };
        let mut projection = vec![proj(key.clone(), "k")];
        let mut group = vec![key];
        if let Some((_, us)) = within {
            let bucket = self.fixed_bucket(us, time.clone());
            projection.push(proj(bucket.clone(), "j"));
            group.push(bucket);
        }
        // The columns the tests read: min1 < max2 within a bucket, max1 and min2 across.
        let wanted = if within.is_some() {
            vec![
                ("MIN", 0, "min1"),
                ("MAX", 0, "max1"),
                ("MIN", 1, "min2"),
                ("MAX", 1, "max2"),
            ]
        } else {
            vec![("MIN", 0, "min1"), ("MAX", 1, "max2")]
        };
        for (agg, step, name) in wanted {
            let t = sql.case(vec![(holds[step].clone(), time.clone())], None);
            projection.push(proj(sql.func(agg, vec![t]), name));
        }
        let steps = sql.select(projection, Some(from), Some(selection), group);
        if names.len() != 1 + usize::from(within.is_some()) {
            self.internal(format!(
                "a two-step sequence in time buckets with {} CTEs",
                names.len()
            ));
            names.resize(2, String::new());
        }
        let steps_name = names[0].clone();
        let result_name = plan.sequences[si].cte.clone();
        let same_bucket = bin(
            sql.col("s", "min1"),
            BinaryOperator::Lt,
            sql.col("s", "max2"),
        );
        let Some((d, _)) = within else {
            let from = From::bare(sql.table(std::slice::from_ref(&steps_name), Some("s")));
            let result = self.matched(
                chain.events,
                sql.col("s", "k"),
                from,
                Some(same_bucket),
                false,
            );
            return vec![(steps_name, steps), (result_name, result)];
        };
        // The latest A of each bucket, numbered as the bucket after it.
        let earlier_name = names[1].clone();
        let earlier = sql.select(
            vec![
                proj_bare(sql.bare("k")),
                proj(bin(sql.bare("j"), BinaryOperator::Minus, sql.int(1)), "j"),
                proj_bare(sql.bare("max1")),
            ],
            Some(From::bare(
                sql.table(std::slice::from_ref(&steps_name), None),
            )),
            Some(is_not_null(sql.bare("max1"))),
            vec![],
        );
        let on = and(vec![
            bin(sql.col("p", "k"), BinaryOperator::Eq, sql.col("s", "k")),
            bin(sql.col("p", "j"), BinaryOperator::Eq, sql.col("s", "j")),
        ]);
        let across = bin(
            sql.col("s", "min2"),
            BinaryOperator::LtEq,
            self.d.plus(&sql, sql.col("p", "max1"), d),
        );
        let from = From {
            base: sql.table(std::slice::from_ref(&steps_name), Some("s")),
            joins: vec![sql.left_join(
                sql.table(std::slice::from_ref(&earlier_name), Some("p")),
                on,
            )],
        };
        let test = or(vec![same_bucket, across]);
        let result = self.matched(chain.events, sql.col("s", "k"), from, Some(test), true);
        vec![
            (steps_name, steps),
            (earlier_name, earlier),
            (result_name, result),
        ]
    }

    /// A sequence of three steps or more as hash aggregates and joins over the chain's
    /// flag rows (`flags` its steps' columns; [`ChainForm::TimeBuckets`]), a step at a
    /// time, with the argument of [`Self::bucketed`]: the first step's events grouped by key and bucket of the
    /// second step's `within` keep their earliest and latest time; a second step's event
    /// is valid where its own bucket's earliest first step is before it or the bucket
    /// before holds one at most `within` earlier; the valid events are grouped by the
    /// next `within`'s buckets in turn, and the last step's events, grouped alike, are
    /// tested against them. Without a `within` a step's bucket is the whole key.
    fn bucketed_steps(
        &mut self,
        chain: &SeqChain,
        si: usize,
        b: &Buckets,
        flags: &[String],
    ) -> Vec<(String, Query)> {
        let plan = self.plan;
        let sql = self.sql;
        let ws = &b.withins;
        let steps_name = chain.steps_cte.clone();
        let mut out = Vec::new();
        let steps =
            |alias: Option<&str>| From::bare(sql.table(std::slice::from_ref(&steps_name), alias));
        let flag = |i: usize| sql.bare(&flags[i]);
        let last = flags.len() - 1;
        // The first step's buckets, (rows, buckets) per middle step, the last's buckets.
        let names = &b.ctes;
        if names.len() != 2 * last {
            self.internal(format!(
                "a sequence of {} steps with {} step CTEs",
                last + 1,
                names.len()
            ));
            return out;
        }
        let mut earlier = names[0].clone();
        let q = self.times_by_bucket(steps(None), Some(flag(0)), ws[0]);
        out.push((earlier.clone(), q));
        for i in 1..last {
            let (rows, grouped) = (names[2 * i - 1].clone(), names[2 * i].clone());
            let e = |c: &str| sql.col("e", c);
            let mut from = steps(Some("e"));
            let bucket = ws[i - 1].map(|(_, us)| self.fixed_bucket(us, e("t")));
            from.joins = self.earlier_joins(&earlier, e("k"), bucket);
            let valid = self.after_earlier(e("t"), e("t"), ws[i - 1]);
            let q = sql.select(
                vec![proj_bare(e("k")), proj_bare(e("t"))],
                Some(from),
                Some(and(vec![sql.col("e", &flags[i]), valid])),
                vec![],
            );
            out.push((rows.clone(), q));
            let from = From::bare(sql.table(std::slice::from_ref(&rows), None));
            let q = self.times_by_bucket(from, None, ws[i]);
            out.push((grouped.clone(), q));
            earlier = grouped;
        }
        let final_name = names[2 * last - 1].clone();
        let q = self.times_by_bucket(steps(None), Some(flag(last)), ws[last - 1]);
        out.push((final_name.clone(), q));
        let l = |c: &str| sql.col("l", c);
        let mut from = From::bare(sql.table(std::slice::from_ref(&final_name), Some("l")));
        let bucket = ws[last - 1].map(|_| l("j"));
        from.joins = self.earlier_joins(&earlier, l("k"), bucket);
        let test = self.after_earlier(l("mn"), l("mx"), ws[last - 1]);
        let result = self.matched(chain.events, l("k"), from, Some(test), true);
        out.push((plan.sequences[si].cte.clone(), result));
        out
    }

    /// `SELECT k[, bucket AS j], MIN(t) AS mn, MAX(t) AS mx FROM from [WHERE selection]
    /// GROUP BY k[, bucket]` over rows of `k` and `t`: the earliest and latest time per
    /// key and bucket of `within` before as_of (per key without one).
    fn times_by_bucket(
        &mut self,
        from: From,
        selection: Option<Expr>,
        within: Option<(Duration, i64)>,
    ) -> Query {
        let sql = self.sql;
        let (key, time) = (sql.bare("k"), sql.bare("t"));
        let mut projection = vec![proj_bare(key.clone())];
        let mut group = vec![key];
        if let Some((_, us)) = within {
            let bucket = self.fixed_bucket(us, time.clone());
            projection.push(proj(bucket.clone(), "j"));
            group.push(bucket);
        }
        projection.push(proj(sql.func("MIN", vec![time.clone()]), "mn"));
        projection.push(proj(sql.func("MAX", vec![time]), "mx"));
        sql.select(projection, Some(from), selection, group)
    }

    /// The outer joins of an earlier step's buckets (`earlier`, from
    /// [`Self::times_by_bucket`]) to the key and, with a `within`, the bucket of a later
    /// step's time: `s` that bucket, `p` the one before it.
    fn earlier_joins(
        &self,
        earlier: &str,
        key: Expr,
        bucket: Option<Expr>,
    ) -> Vec<sqlparser::ast::Join> {
        let sql = self.sql;
        let table = |alias| sql.table(&[earlier.to_string()], Some(alias));
        let on = |alias: &str, b: Option<Expr>| {
            let mut parts = vec![bin(sql.col(alias, "k"), BinaryOperator::Eq, key.clone())];
            if let Some(b) = b {
                parts.push(bin(sql.col(alias, "j"), BinaryOperator::Eq, b));
            }
            and(parts)
        };
        match bucket {
            None => vec![sql.left_join(table("s"), on("s", None))],
            Some(b) => {
                let before = bin(b.clone(), BinaryOperator::Plus, sql.int(1));
                vec![
                    sql.left_join(table("s"), on("s", Some(b))),
                    sql.left_join(table("p"), on("p", Some(before))),
                ]
            }
        }
    }

    /// A later step's times (the earliest `lo` and the latest `hi` of a bucket, or one
    /// event's time for both) follow an earlier step's joined by
    /// [`Self::earlier_joins`]: the same bucket's earliest is before `hi`, or the bucket
    /// before's latest is at most `within` before `lo`.
    fn after_earlier(&self, lo: Expr, hi: Expr, within: Option<(Duration, i64)>) -> Expr {
        let sql = self.sql;
        let same = bin(sql.col("s", "mn"), BinaryOperator::Lt, hi);
        match within {
            None => same,
            Some((d, _)) => {
                let across = bin(
                    lo,
                    BinaryOperator::LtEq,
                    self.d.plus(&sql, sql.col("p", "mx"), d),
                );
                or(vec![same, across])
            }
        }
    }

    /// Whether an event of the scan is one of a step's (its names, property condition and
    /// the sequence's window).
    fn step_holds(&mut self, f: &EventFilter) -> Expr {
        let mut parts = self.filter_parts(f, false, None);
        if parts.is_empty() {
            parts.push(self.sql.bool(true));
        }
        and(parts)
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
        let filters: Vec<Vec<EventFilter>> = seqs.iter().map(|seq| seq.step_filters()).collect();
        let refs: Vec<&EventFilter> = filters.iter().flatten().collect();
        let (selection, _, _) = self.scan_where(events, &refs);
        let key = sql.col(EV, &ev.key);
        let time = sql.col(EV, &ev.time);
        let mut projection = vec![proj(key.clone(), "k"), proj(time.clone(), "t")];
        // A row per (key, time): each flag is the most of its events' at that time.
        let flags = self.flag_columns(
            &filters,
            &mut projection,
            |holds| {
                let flag = sql.case(vec![(holds, sql.int(1))], Some(sql.int(0)));
                sql.func("MAX", vec![flag])
            },
            |a, i, _| format!("{}s{}", prefixes[a], i + 1),
        );
        let prevs = prev_columns(&seqs, &prefixes, &flags);
        let from = self.events_from(ev);
        let q = sql.select(projection, Some(from), Some(selection), vec![key, time]);
        (q, Shape { seqs, flags, prevs })
    }

    /// Per sequence, the flag column of each step (`filters[a][i]`): steps whose
    /// conditions are the same share the first one's column; each new one is added to
    /// `projection` as `column(condition)`, named `name(a, i, distinct columns so far)`.
    fn flag_columns(
        &mut self,
        filters: &[Vec<EventFilter>],
        projection: &mut Vec<Proj>,
        column: impl Fn(Expr) -> Expr,
        name: impl Fn(usize, usize, usize) -> String,
    ) -> Vec<Vec<String>> {
        let mut flag_of: Vec<(String, String)> = Vec::new();
        let mut flags = Vec::new();
        for (a, steps) in filters.iter().enumerate() {
            let mut cols = Vec::new();
            for (i, f) in steps.iter().enumerate() {
                let holds = self.step_holds(f);
                let text = holds.to_string();
                let col = match flag_of.iter().find(|(t, _)| *t == text) {
                    Some((_, c)) => c.clone(),
                    None => {
                        let c = name(a, i, flag_of.len());
                        projection.push(proj(column(holds), &c));
                        flag_of.push((text, c.clone()));
                        c
                    }
                };
                cols.push(col);
            }
            flags.push(cols);
        }
        flags
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
        let from = From::bare(sql.table(&[prev_name.to_string()], None));
        sql.select(projection, Some(from), None, vec![])
    }

    /// The result: per key, whether the sequence matched (`matched`), or one flag per
    /// sequence when several share the chain.
    fn chain_result(&self, chain: &SeqChain, shape: &Shape<'_>, last: &str) -> Query {
        let sql = self.sql;
        let ev = &self.p.catalog.events[chain.events];
        let entity_key = &self.p.catalog.entities[ev.entity].key;
        let from = From::bare(sql.table(&[last.to_string()], None));
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
            self.matched(chain.events, sql.bare("k"), from, Some(v), true)
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
