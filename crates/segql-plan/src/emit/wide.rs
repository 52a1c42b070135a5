//! The wide batch's `SELECT`, with its window functions (the ntiles it computes itself,
//! [`Ntiles::InWideSelect`](crate::dialect::Ntiles)) over narrow rows.

use super::{unique_column, Emitter};
use crate::sql::{derived, has_window, proj, proj_bare, From};
use sqlparser::ast::{visit_expressions_mut, Expr, Query, Visit, Visitor};
use std::collections::HashSet;
use std::ops::ControlFlow;

/// The subquery's alias.
const WIDE: &str = "wide";

impl Emitter<'_> {
    /// `SELECT <columns> FROM <from>`, each column named. Where some columns have a
    /// window function, a subquery computes every other column and, for those, only the
    /// columns of the joined rows that they read (each qualified reference once, as
    /// `segql_value`, `segql_value_2`, ...); the windows are computed over its rows. An
    /// engine sorts the rows a window orders with every column the `SELECT` still
    /// needs: over the joins, the users' strings and every aggregate; over the subquery,
    /// the segments' booleans and the tiles' values. ClickHouse at 1M users: the bench
    /// suite's batch 0.915x, its two ntiles from 1.2 s to 0.3 s (docs/benchmarks.md).
    /// A window that reads an unqualified name is left over the joins.
    pub(crate) fn wide_select(
        &self,
        columns: Vec<(Expr, String)>,
        from: From,
        used: &mut HashSet<String>,
    ) -> Query {
        let sql = self.sql;
        let windowed: Vec<bool> = columns.iter().map(|(e, _)| has_window(e)).collect();
        let bare = columns
            .iter()
            .zip(&windowed)
            .any(|((e, _), &w)| w && reads_bare(e));
        if !windowed.contains(&true) || bare {
            let projection = columns.into_iter().map(|(e, a)| proj(e, &a)).collect();
            return sql.select(projection, Some(from), None, vec![]);
        }
        let mut inner = Vec::new();
        let mut outer = Vec::new();
        let mut read: Vec<(Expr, String)> = Vec::new();
        for ((mut e, alias), w) in columns.into_iter().zip(windowed) {
            if !w {
                inner.push(proj(e, &alias));
                outer.push(proj_bare(sql.bare(&alias)));
                continue;
            }
            let _ = visit_expressions_mut(&mut e, |x| {
                if matches!(x, Expr::CompoundIdentifier(_)) {
                    let name = match read.iter().find(|(r, _)| r == x) {
                        Some((_, n)) => n.clone(),
                        None => {
                            let n = unique_column("segql_value", used);
                            read.push((x.clone(), n.clone()));
                            n
                        }
                    };
                    *x = sql.bare(&name);
                }
                ControlFlow::<()>::Continue(())
            });
            outer.push(proj(e, &alias));
        }
        inner.extend(read.into_iter().map(|(r, n)| proj(r, &n)));
        let rows = sql.select(inner, Some(from), None, vec![]);
        let from = From::bare(derived(rows, WIDE, &sql));
        sql.select(outer, Some(from), None, vec![])
    }
}

/// Whether an expression reads an unqualified name.
fn reads_bare(e: &Expr) -> bool {
    struct Bare;
    impl Visitor for Bare {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            match e {
                Expr::Identifier(_) => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            }
        }
    }
    e.visit(&mut Bare).is_break()
}
