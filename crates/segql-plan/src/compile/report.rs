//! Reports: a row per listed segment and a column per metric.
//!
//! Every metric has one type and one value on every engine (docs/semantics.md,
//! "Reports"): counts are integers (0 for an empty segment); a share and an average are
//! exact decimals rounded half away from zero to
//! [`crate::dialect::REPORT_SCALE`] decimals
//! ([`Dialect::rounded_quotient`]); a sum, a minimum and a maximum keep the value's type
//! (strings compared by their bytes). Every metric but the counts is unset when the
//! segment has no member with a set value, never `nan` or 0 (ClickHouse's `avg` and
//! `sum` over no rows), because each is guarded by the count of the values it reads.

use super::*;

/// A report: one row per segment (in the listed order) and a column per metric.
pub fn report(p: &Program, ri: usize, d: &dyn Dialect, o: Options) -> Result<Query, Unsupported> {
    let r = &p.reports[ri];
    let mut pl = Planner::new(p, d, o);
    for &id in &r.segments {
        pl.collect_cond(&p.segments[id].cond, r.entity);
    }
    for m in &r.metrics {
        match &m.kind {
            MetricKind::Count(None) => {}
            MetricKind::Count(Some(c)) | MetricKind::Share(c) => pl.collect_cond(c, r.entity),
            MetricKind::Avg(v) | MetricKind::Sum(v) | MetricKind::Min(v) | MetricKind::Max(v) => {
                pl.collect_scalar(v, r.entity)
            }
        }
    }
    let sql = pl.sql;
    let mut scope = pl.scope(r.entity);
    // The base: one row per entity, a membership flag per segment and a value per metric.
    let mut projection = vec![proj(pl.key_expr(&scope), &p.catalog.entities[r.entity].key)];
    for (i, &id) in r.segments.iter().enumerate() {
        let e = pl.two_valued(&p.segments[id].cond, &mut scope);
        projection.push(proj(e, &format!("in_{}", i + 1)));
    }
    for (i, m) in r.metrics.iter().enumerate() {
        let e = match &m.kind {
            MetricKind::Count(None) => continue,
            MetricKind::Count(Some(c)) | MetricKind::Share(c) => pl.two_valued(c, &mut scope),
            MetricKind::Avg(v) | MetricKind::Sum(v) | MetricKind::Min(v) | MetricKind::Max(v) => {
                pl.scalar(v, &mut scope).0
            }
        };
        projection.push(proj(e, &format!("m_{}", i + 1)));
    }
    let from = pl.from(&scope);
    let base_name = pl.fresh(&format!("{}_base", r.name));
    let base = sql.select(projection, Some(from), None, vec![]);
    // One SELECT per segment over the base, in order.
    let mut arms: Vec<Query> = Vec::new();
    for (i, &id) in r.segments.iter().enumerate() {
        let mut cols = vec![
            proj(pl.string_lit(&p.segments[id].name), "segment"),
            proj(sql.int(i as i64 + 1), "segment_position"),
        ];
        let mut used = HashSet::new();
        used.insert("segment".to_string());
        used.insert("segment_position".to_string());
        for (mi, m) in r.metrics.iter().enumerate() {
            let col = sql.bare(&format!("m_{}", mi + 1));
            let e = metric(&pl, &m.kind, col);
            cols.push(proj(e, &unique_column(&m.name, &mut used)));
        }
        let from = From {
            base: sql.table(std::slice::from_ref(&base_name), None),
            joins: vec![],
        };
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
        Some(From {
            base: derived(union, "per_segment", &sql),
            joins: vec![],
        }),
        None,
        vec![],
    );
    let outer = sql.order_by(outer, vec![sql.bare("segment_position")]);
    pl.derived_tail.push((base_name, base));
    pl.finish(outer)
}

/// One metric over a segment's rows of the base, whose column for it is `col`.
fn metric(pl: &Planner<'_>, kind: &MetricKind, col: Expr) -> Expr {
    let (sql, d) = (pl.sql, pl.d);
    let count_all = || Expr::Function(sql.count_star());
    let count_set = |c: &Expr| Expr::Function(sql.function("COUNT", vec![c.clone()]));
    // `then` when at least one row (of the segment, or with a set value) counts, else unset.
    let when_any =
        |n: Expr, then: Expr| sql.case(vec![(bin(n, BinaryOperator::Gt, sql.int(0)), then)], None);
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
            let arg = if pl.scalar_ty(v) == Type::String {
                d.byte_order(&sql, col.clone())
            } else {
                col.clone()
            };
            when_any(count_set(&col), sql.func(f, vec![arg]))
        }
    }
}
