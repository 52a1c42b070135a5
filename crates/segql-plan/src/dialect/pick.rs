//! `first(prop)` / `last(prop)` of events: the value of one row of a group, chosen by an
//! order. Engines say it three ways (docs/semantics.md, "First and last values"):
//!
//! - a "by" aggregate over a row value (`arg_max(v, ROW(t, v))` in DuckDB, `max_by(v,
//!   struct(t, v))` in Spark, `argMaxIf(v, (t, v), c)` in ClickHouse, `max_by(v, ROW(t,
//!   v))` in Trino): the value is its own tie-break, so equal instants never pick at random;
//! - the first element of an ordered array (`(ARRAY_AGG(v ORDER BY t DESC, v DESC))[1]`
//!   in PostgreSQL, `ARRAY_AGG(.. IGNORE NULLS ORDER BY .. LIMIT 1)[SAFE_OFFSET(0)]` in
//!   BigQuery, `ARRAY_AGG(..) WITHIN GROUP (ORDER BY ..)[0]` in Snowflake);
//! - Redshift has neither (no `max_by`, no ordered `ARRAY_AGG`): the greatest string of
//!   the time's digits followed by the value's text, cut and cast back.

use super::{CondAgg, Dialect};
use crate::sql::{number, Sql};
use segql_syntax::ast::Type;
use sqlparser::ast::{self, Expr};

/// What to pick: `value` in the first (or last) row where `cond` holds, rows ordered by
/// `time` and then by `tie` (the value; strings in byte order). `cond` already requires
/// the value to be set.
pub struct Pick {
    pub value: Expr,
    pub tie: Expr,
    pub time: Expr,
    pub cond: Expr,
    pub last: bool,
    pub ty: Type,
}

/// `f(value, row(time, tie)) FILTER (WHERE cond)`, `f` the `(min, max)` "by" aggregate
/// and `row` the engine's row constructor; rows whose order is NULL are skipped by every
/// such aggregate, which the CASE form relies on.
pub(super) fn by_row(
    d: &dyn Dialect,
    sql: &Sql<'_>,
    (min, max): (&str, &str),
    row: &str,
    p: Pick,
) -> Expr {
    let f = if p.last { max } else { min };
    let order = sql.func(row, vec![p.time, p.tie]);
    match d.capabilities().cond_agg {
        CondAgg::Filter => {
            let mut func = sql.function(f, vec![p.value, order]);
            func.filter = Some(Box::new(p.cond));
            Expr::Function(func)
        }
        CondAgg::Case => sql.func(f, vec![p.value, sql.case(vec![(p.cond, order)], None)]),
    }
}

/// `ARRAY_AGG(x ORDER BY time, tie)` (both descending for `last`), as a function to
/// which a dialect adds its own clauses.
pub(super) fn ordered_array_agg(sql: &Sql<'_>, x: Expr, p: &Pick) -> ast::Function {
    let mut f = sql.function("ARRAY_AGG", vec![x]);
    if let ast::FunctionArguments::List(l) = &mut f.args {
        l.clauses
            .push(ast::FunctionArgumentClause::OrderBy(order_by(p)));
    }
    f
}

/// `ORDER BY time, tie`, descending for `last`.
pub(super) fn order_by(p: &Pick) -> Vec<ast::OrderByExpr> {
    [p.time.clone(), p.tie.clone()]
        .into_iter()
        .map(|expr| ast::OrderByExpr {
            expr,
            options: ast::OrderByOptions {
                sort: Some(if p.last {
                    ast::OrderBySort::Desc
                } else {
                    ast::OrderBySort::Asc
                }),
                nulls_first: None,
            },
            with_fill: None,
        })
        .collect()
}

/// `e[index]`, the array parenthesized (PostgreSQL reads `f(..)[1]` as an error).
pub(super) fn element(e: Expr, index: Expr) -> Expr {
    Expr::CompoundFieldAccess {
        root: Box::new(Expr::Nested(Box::new(e))),
        access_chain: vec![ast::AccessExpr::Subscript(ast::Subscript::Index { index })],
    }
}

/// `1`, for the dialects whose arrays count from one.
pub(super) fn one() -> Expr {
    number("1")
}
