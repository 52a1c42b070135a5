//! Stage 6, emission: a [`Plan`] to one `sqlparser` query, through the dialect.
//!
//! Emission reads the plan and the program and writes SQL; it cannot add to the plan. It
//! writes the CTEs in the plan's order (the aggregate scans, the sequences' chains, the
//! derived CTEs, then the body's own), then the body. Something the dialect cannot write
//! (a NUL in a string, on most engines) is collected and returned as
//! [`Unsupported`](crate::compile::Unsupported); a lookup of something not planned is an
//! internal error, returned the same way with a message that says so.
//!
//! `expr` writes conditions and values (`regex_prefix` finds the prefixes an anchored
//! pattern needs, tested before it), `scans` the aggregate scans, `sequences` the
//! sequence chains, `derived` the ntile and quantifier CTEs, `sql_pred` the `sql "..."`
//! predicates, and this file the statements' bodies.

mod derived;
mod expr;
mod regex_prefix;
mod scans;
mod sequences;
mod sql_pred;
mod wide;

pub(crate) use expr::cmp_op;

use crate::as_of::RunAsOf;
use crate::dialect::{AggFn, Dialect, LongBatch};
use crate::ir::*;
use crate::plan::{Block, Body, Plan};
use crate::sql::{bin, derived, or, proj, proj_bare, From, Sql};
use segql_syntax::ast::Type;
use sqlparser::ast::{BinaryOperator, Expr, Query};
use std::collections::HashSet;

/// The alias of the events relation inside a scan.
pub(crate) const EV: &str = "ev";
/// The presence flag of a referenced table where outer joins fill in type defaults.
pub(crate) const PRESENT: &str = "segql_present";

/// Where an expression is written.
#[derive(Clone, Copy)]
pub(crate) enum Scope<'b> {
    /// A block over an entity's table, with the joins the plan gave it.
    Block(&'b Block),
    /// Inside a scan of an events relation: columns are the event's (`ev`).
    Events,
}

pub(crate) struct Emitter<'a> {
    pub(crate) p: &'a Program,
    pub(crate) plan: &'a Plan,
    pub(crate) d: &'a dyn Dialect,
    pub(crate) sql: Sql<'a>,
    /// What the dialect cannot write.
    pub(crate) problems: Vec<String>,
    /// Lookups of what the plan does not hold (bugs).
    internal: Vec<String>,
    /// The as-of where the SQL uses it: a literal, or read at run time.
    as_of: Expr,
}

/// Why a statement could not be written: the dialect cannot say something, or (a bug)
/// emission looked up something the plan does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmitError {
    Unsupported(String),
    Internal(String),
}

/// Writes the statement a plan describes.
pub fn emit(p: &Program, plan: &Plan, d: &dyn Dialect) -> Result<Query, EmitError> {
    let mut e = Emitter {
        p,
        plan,
        d,
        sql: Sql::new(d),
        problems: Vec::new(),
        internal: Vec::new(),
        as_of: as_of_expr(plan, d)?,
    };
    let q = e.statement();
    if !e.internal.is_empty() {
        return Err(EmitError::Internal(e.internal.join("; ")));
    }
    if !e.problems.is_empty() {
        return Err(EmitError::Unsupported(e.problems.join("; ")));
    }
    Ok(q)
}

/// The as-of as the SQL writes it at every use: the planning instant as a literal (a
/// constant the engine folds into every window bound, so that partitions and row groups
/// outside the window are pruned; a parameter joined from a CTE defeats both, see
/// docs/architecture.md), or the plan's [`RunAsOf`], which every engine also takes as a
/// constant of the statement.
fn as_of_expr(plan: &Plan, d: &dyn Dialect) -> Result<Expr, EmitError> {
    Ok(match plan.at_run {
        None => d.timestamp(plan.as_of),
        Some(RunAsOf::Now) => d.now_utc(),
        Some(RunAsOf::Param(name)) => {
            if !crate::as_of::param_name_ok(name) {
                return Err(EmitError::Unsupported(format!(
                    "`{name}` cannot be a parameter name: use ASCII letters, digits and `_`"
                )));
            }
            d.timestamp_param(name).map_err(EmitError::Unsupported)?
        }
        Some(RunAsOf::Template(text)) => d.timestamp_of_text(text),
    })
}

impl Emitter<'_> {
    pub(crate) fn internal(&mut self, what: String) {
        self.internal.push(what);
    }

    /// An events relation read as `ev`, the alias every scan's expressions use.
    pub(crate) fn events_from(&self, ev: &Events) -> From {
        From::bare(self.sql.table(&ev.table, Some(EV)))
    }

    fn statement(&mut self) -> Query {
        let plan = self.plan;
        let p = self.p;
        match &plan.body {
            Body::Segment(id) => {
                let seg = &p.segments[*id];
                let block = &plan.block;
                let split = plan
                    .lapses_as_sets
                    .then(|| crate::plan::lapses::split(p, &seg.cond))
                    .filter(|s| !s.lapses.is_empty() || s.absent.is_some());
                let mut from = self.from(block);
                let cond = if let Some(split) = split {
                    // The other conditions first: the sets are probed by what they leave.
                    let mut parts: Vec<Expr> = split
                        .rest
                        .into_iter()
                        .map(|c| self.cond(c, Scope::Block(block)).0)
                        .collect();
                    for l in &split.lapses {
                        parts.push(self.lapse_sets(l, block));
                    }
                    if let Some(a) = split.absent {
                        from.joins.push(self.absent_join(a, block));
                    }
                    // An absence alone leaves nothing to test in the `WHERE`.
                    (!parts.is_empty()).then(|| crate::sql::and(parts))
                } else {
                    Some(self.cond(&seg.cond, Scope::Block(block)).0)
                };
                let key = self.key_expr(block);
                let key_name = p.catalog.entities[block.entity].key.clone();
                // Ntiles computed in this SELECT (`NtilesAlone::Qualify`) are windows,
                // which a `WHERE` cannot read.
                let body = match cond {
                    Some(cond) if crate::sql::has_window(&cond) => {
                        let mut q =
                            self.sql
                                .select(vec![proj(key, &key_name)], Some(from), None, vec![]);
                        crate::sql::set_qualify(&mut q, cond);
                        q
                    }
                    cond => self
                        .sql
                        .select(vec![proj(key, &key_name)], Some(from), cond, vec![]),
                };
                self.finish(body, vec![])
            }
            Body::Batch {
                segments,
                traits,
                long: false,
            } => self.batch(segments, traits),
            Body::Batch {
                segments,
                traits,
                long: true,
            } => self.batch_long(segments, traits),
            Body::Report { index, base } => self.report(*index, base),
            Body::Split { index, members } => self.split(*index, members),
            Body::Priority(pi) => self.priority(*pi),
        }
    }

    /// The statement: every CTE in the plan's order, then `tail` (the body's own), then
    /// the body.
    fn finish(&mut self, body: Query, tail: Vec<(String, Query)>) -> Query {
        let plan = self.plan;
        let mut ctes: Vec<(String, Query)> = Vec::new();
        for si in 0..plan.scans.len() {
            let q = self.scan_cte(si);
            ctes.push((plan.scans[si].cte.clone(), q));
        }
        for ci in 0..plan.chains.len() {
            ctes.extend(self.chain_ctes(ci));
        }
        for &di in &plan.derived_order {
            let q = self.derived_cte(di);
            ctes.push((plan.derived[di].cte().to_string(), q));
        }
        ctes.extend(tail);
        self.sql.with(ctes, body)
    }

    /// One row per entity with a boolean column per segment and a column per trait.
    fn batch(&mut self, segments: &[SegmentId], traits: &[usize]) -> Query {
        let plan = self.plan;
        let p = self.p;
        let block = &plan.block;
        let key_name = p.catalog.entities[block.entity].key.clone();
        let mut columns = vec![(self.key_expr(block), key_name.clone())];
        let mut used = HashSet::new();
        used.insert(key_name);
        for &id in segments {
            let seg = &p.segments[id];
            let e = self.two_valued(&seg.cond, Scope::Block(block));
            columns.push((e, unique_column(&seg.name, &mut used)));
        }
        for &t in traits {
            let (e, _) = self.scalar(&p.traits[t].value, Scope::Block(block));
            columns.push((e, unique_column(&p.traits[t].name, &mut used)));
        }
        let from = self.from(block);
        let body = self.wide_select(columns, from, &mut used);
        self.finish(body, vec![])
    }

    /// The long form of [`Emitter::batch`]: one row per (segment, member), the segment by
    /// name. The memberships are computed once, in a CTE, and read once per segment.
    fn batch_long(&mut self, segments: &[SegmentId], traits: &[usize]) -> Query {
        let p = self.p;
        let sql = self.sql;
        let mut wide = self.batch(segments, traits);
        let key = p.catalog.entities[self.plan.block.entity].key.clone();
        // The wide statement's columns, as `batch` named them.
        let mut used = HashSet::new();
        used.insert(key.clone());
        let columns: Vec<String> = segments
            .iter()
            .map(|&id| unique_column(&p.segments[id].name, &mut used))
            .collect();
        let cte = "memberships".to_string();
        let names: Vec<&str> = segments
            .iter()
            .map(|&id| p.segments[id].name.as_str())
            .collect();
        let body = match self.d.capabilities().long_batch {
            LongBatch::UnionAll => {
                let arms: Vec<Query> = names
                    .iter()
                    .zip(&columns)
                    .map(|(name, col)| {
                        let from = From::bare(sql.table(std::slice::from_ref(&cte), None));
                        sql.select(
                            vec![proj(sql.string(name), "segment"), proj_bare(sql.bare(&key))],
                            Some(from),
                            Some(sql.bare(col)),
                            vec![],
                        )
                    })
                    .collect();
                sql.union_all(arms)
            }
            LongBatch::ArrayJoin => {
                // The array's alias may not be a column of the CTE (a segment named
                // `segment`), which the array's own elements read.
                let alias = unique_column("segment", &mut used);
                self.array_join_body(&cte, &key, &names, &columns, &alias)
            }
        };
        if let Some(why) = segments
            .iter()
            .find_map(|&id| self.d.unrepresentable(&p.segments[id].name))
        {
            self.problems.push(why.to_string());
        }
        // The wide statement's own CTEs come first, then it becomes `memberships`.
        let inner = wide.with.take();
        let mut ctes: Vec<(String, Query)> = Vec::new();
        if let Some(w) = inner {
            for c in w.cte_tables {
                ctes.push((c.alias.name.value.clone(), *c.query));
            }
        }
        ctes.push((cte, wide));
        sql.with_raw_names(ctes, body)
    }

    /// The long form's body in one read of `cte` ([`LongBatch::ArrayJoin`]): each row
    /// repeated for the names of the segments whose column holds.
    fn array_join_body(
        &mut self,
        cte: &str,
        key: &str,
        names: &[&str],
        columns: &[String],
        alias: &str,
    ) -> Query {
        let sql = self.sql;
        let list = |items: Vec<String>| format!("[{}]", items.join(", "));
        let names = list(names.iter().map(|n| sql.string(n).to_string()).collect());
        let flags = list(columns.iter().map(|c| sql.bare(c).to_string()).collect());
        let inner = format!(
            "SELECT {alias}, {key} FROM {cte} \
             ARRAY JOIN arrayFilter((s, m) -> m, {names}, {flags}) AS {alias}",
            key = sql.bare(key),
            cte = sql.bare(cte),
            alias = sql.bare(alias),
        );
        // Outside the array's own scope when renamed: a ClickHouse alias applies to the
        // whole SELECT, so `AS segment` beside a column `segment` would rewrite it.
        let text = if alias == "segment" {
            inner
        } else {
            format!(
                "SELECT {} AS segment, {} FROM ({inner}) AS unpivoted",
                sql.bare(alias),
                sql.bare(key)
            )
        };
        let parsed = sqlparser::parser::Parser::parse_sql(self.d.parser().as_ref(), &text);
        match parsed.as_deref() {
            Ok([sqlparser::ast::Statement::Query(q)]) => (**q).clone(),
            _ => {
                self.internal(format!(
                    "the long batch's body does not parse as one query: {text}"
                ));
                sql.select(vec![proj_bare(sql.int(1))], None, None, vec![])
            }
        }
    }

    /// A report: one row per segment (in the listed order) and a column per metric.
    fn report(&mut self, ri: usize, base_name: &str) -> Query {
        let plan = self.plan;
        let p = self.p;
        let sql = self.sql;
        let r = &p.reports[ri];
        let block = &plan.block;
        let mut projection = vec![proj(
            self.key_expr(block),
            &p.catalog.entities[r.entity].key,
        )];
        for (i, &id) in r.segments.iter().enumerate() {
            let e = self.two_valued(&p.segments[id].cond, Scope::Block(block));
            projection.push(proj(e, &format!("in_{}", i + 1)));
        }
        for (i, m) in r.metrics.iter().enumerate() {
            let e = match &m.kind {
                MetricKind::Count(None) => continue,
                MetricKind::Count(Some(c)) | MetricKind::Share(c) => {
                    self.two_valued(c, Scope::Block(block))
                }
                MetricKind::Avg(v)
                | MetricKind::Sum(v)
                | MetricKind::Min(v)
                | MetricKind::Max(v) => self.scalar(v, Scope::Block(block)).0,
            };
            projection.push(proj(e, &format!("m_{}", i + 1)));
        }
        let from = self.from(block);
        let base = sql.select(projection, Some(from), None, vec![]);
        // One SELECT per segment over the base, in order.
        let mut arms: Vec<Query> = Vec::new();
        for (i, &id) in r.segments.iter().enumerate() {
            let mut cols = vec![
                proj(self.string_lit(&p.segments[id].name), "segment"),
                proj(sql.int(i as i64 + 1), "segment_position"),
            ];
            let mut used = HashSet::new();
            used.insert("segment".to_string());
            used.insert("segment_position".to_string());
            for (mi, m) in r.metrics.iter().enumerate() {
                let col = sql.bare(&format!("m_{}", mi + 1));
                let e = self.metric(&m.kind, col);
                cols.push(proj(e, &unique_column(&m.name, &mut used)));
            }
            let from = From::bare(sql.table(&[base_name.to_string()], None));
            arms.push(sql.select(
                cols,
                Some(from),
                Some(sql.bare(&format!("in_{}", i + 1))),
                vec![],
            ));
        }
        let union = sql.union_all(arms);
        let mut outer_cols = vec![proj_bare(sql.bare("segment"))];
        let mut used = HashSet::new();
        used.insert("segment".to_string());
        used.insert("segment_position".to_string());
        for m in &r.metrics {
            outer_cols.push(proj_bare(sql.bare(&unique_column(&m.name, &mut used))));
        }
        let outer = sql.select(
            outer_cols,
            Some(From::bare(derived(union, "per_segment", &sql))),
            None,
            vec![],
        );
        let outer = sql.order_by(outer, vec![sql.bare("segment_position")]);
        self.finish(outer, vec![(base_name.to_string(), base)])
    }

    /// One report metric over a segment's rows of the report's base, whose column for it
    /// is `col`. Every metric has one type and one value on every engine
    /// (docs/semantics.md, "Reports"): counts are integers (0 for an empty segment); a
    /// share and an average are exact decimals rounded half away from zero to
    /// [`crate::dialect::REPORT_SCALE`] decimals ([`Dialect::rounded_quotient`]); a sum, a
    /// minimum and a maximum keep the value's type (strings compared by their bytes).
    /// Every metric but the counts is unset when the segment has no member with a set
    /// value, never `nan` or 0 (ClickHouse's `avg` and `sum` over no rows), because each
    /// is guarded by the count of the values it reads.
    fn metric(&self, kind: &MetricKind, col: Expr) -> Expr {
        let (sql, d) = (self.sql, self.d);
        let count_all = || Expr::Function(sql.count_star());
        let count_set = |c: &Expr| Expr::Function(sql.function("COUNT", vec![c.clone()]));
        // `then` when at least one row (of the segment, or with a set value) counts, else
        // unset.
        let when_any = |n: Expr, then: Expr| {
            sql.case(vec![(bin(n, BinaryOperator::Gt, sql.int(0)), then)], None)
        };
        match kind {
            MetricKind::Count(None) => count_all(),
            MetricKind::Count(Some(_)) => d.cond_agg(&sql, AggFn::Count, None, Some(col)),
            MetricKind::Share(_) => {
                let matching = d.cond_agg(&sql, AggFn::Count, None, Some(col));
                when_any(count_all(), d.rounded_quotient(&sql, matching, count_all()))
            }
            MetricKind::Avg(_) => when_any(
                count_set(&col),
                d.rounded_quotient(&sql, sql.func("SUM", vec![col.clone()]), count_set(&col)),
            ),
            MetricKind::Sum(_) => when_any(count_set(&col), sql.func("SUM", vec![col.clone()])),
            MetricKind::Min(v) | MetricKind::Max(v) => {
                let f = if matches!(kind, MetricKind::Min(_)) {
                    "MIN"
                } else {
                    "MAX"
                };
                let arg = if self.scalar_ty(v) == Type::String {
                    d.byte_order(&sql, col.clone())
                } else {
                    col.clone()
                };
                when_any(count_set(&col), sql.func(f, vec![arg]))
            }
        }
    }

    /// A split: each member of the segment with its group, by a hash of salt and key that
    /// every engine computes alike (the first 8 hex digits of an MD5, modulo 10,000).
    fn split(&mut self, si: usize, members_name: &str) -> Query {
        let plan = self.plan;
        let p = self.p;
        let sql = self.sql;
        let d = self.d;
        let s = &p.splits[si];
        let seg = &p.segments[s.segment];
        let entity = &p.catalog.entities[seg.entity];
        let block = &plan.block;
        let cond = self.cond(&seg.cond, Scope::Block(block)).0;
        let key = self.key_expr(block);
        let salted = bin(
            self.string_lit(&format!("{}:", s.salt)),
            BinaryOperator::StringConcat,
            sql.cast(key.clone(), d.string_type()),
        );
        let hex = d.substr(&sql, d.md5_hex(&sql, salted), 1, 8);
        let bucket = d.modulo(&sql, d.hex8_to_int(&sql, hex), sql.int(10_000));
        let from = self.from(block);
        let members = sql.select(
            vec![proj(key, &entity.key), proj(bucket, "bucket")],
            Some(from),
            Some(cond),
            vec![],
        );
        let mut whens = Vec::new();
        let mut upto: i64 = 0;
        let mut last = None;
        for (i, (g, bp)) in s.groups.iter().enumerate() {
            upto += i64::from(*bp);
            let name = self.string_lit(g);
            if i + 1 == s.groups.len() {
                last = Some(name);
            } else {
                whens.push((
                    bin(sql.bare("bucket"), BinaryOperator::Lt, sql.int(upto)),
                    name,
                ));
            }
        }
        let group = if whens.is_empty() {
            last.unwrap_or_else(|| sql.bool(false))
        } else {
            sql.case(whens, last)
        };
        let body = sql.select(
            vec![proj_bare(sql.bare(&entity.key)), proj(group, "split_group")],
            Some(From::bare(sql.table(&[members_name.to_string()], None))),
            None,
            vec![],
        );
        self.finish(body, vec![(members_name.to_string(), members)])
    }

    /// A priority list: each entity in the first listed segment it belongs to.
    fn priority(&mut self, pi: usize) -> Query {
        let plan = self.plan;
        let p = self.p;
        let sql = self.sql;
        let pr = &p.priorities[pi];
        let block = &plan.block;
        let mut whens = Vec::new();
        let mut any = Vec::new();
        for &id in &pr.segments {
            let (c, _) = self.cond(&p.segments[id].cond, Scope::Block(block));
            let name = self.string_lit(&p.segments[id].name);
            whens.push((c.clone(), name));
            any.push(c);
        }
        let key = self.key_expr(block);
        let from = self.from(block);
        let key_name = p.catalog.entities[pr.entity].key.clone();
        let body = sql.select(
            vec![proj(key, &key_name), proj(sql.case(whens, None), "segment")],
            Some(from),
            Some(or(any)),
            vec![],
        );
        self.finish(body, vec![])
    }
}

/// `name`, or `name_2`, `name_3`, ... when taken.
pub(crate) fn unique_column(name: &str, used: &mut HashSet<String>) -> String {
    let mut n = name.to_string();
    let mut i = 2;
    while used.contains(&n) {
        n = format!("{name}_{i}");
        i += 1;
    }
    used.insert(n.clone());
    n
}
