//! Derived CTEs: an entity's ntile buckets (one pass over its table, a window column
//! per tile), the counts over related entities (one pass over the inner table per
//! relationship, a `matching` count per condition) and the keys an `or`'s alternative
//! is looked up for (`plan::lookups`: the event's rows probed against the keys the other
//! alternatives leave).

use super::{Emitter, Scope, EV};
use crate::dialect::AggFn;
use crate::ir::Cond;
use crate::plan::{matching_column, Block, Derived, Tile};
use crate::sql::{and, bin, is_not_null, not, proj, Order};
use segql_syntax::ast::Type;
use sqlparser::ast::{BinaryOperator, Expr, Query};

impl Emitter<'_> {
    pub(crate) fn derived_cte(&mut self, di: usize) -> Query {
        let sql = self.sql;
        let plan = self.plan;
        let p = self.p;
        match &plan.derived[di] {
            Derived::Ntile {
                entity,
                tiles,
                block,
                ..
            } => {
                let key = self.key_expr(block);
                let key_name = p.catalog.entities[*entity].key.clone();
                let mut projection = vec![proj(key, &key_name)];
                for t in tiles {
                    let bucket = self.tile_bucket(t, block);
                    let column = if tiles.len() == 1 { "bucket" } else { &t.name };
                    projection.push(proj(bucket, column));
                }
                let from = self.from(block);
                sql.select(projection, Some(from), None, vec![])
            }
            Derived::Quant {
                outer,
                inner,
                via_ref,
                conds,
                block,
                ..
            } => {
                let r = &p.catalog.entities[*inner].refs[*via_ref];
                let link = sql.col(&block.alias, &r.column);
                let outer_key = p.catalog.entities[*outer].key.clone();
                let related = Expr::Function(sql.count_star());
                let mut projection = vec![proj(link.clone(), &outer_key), proj(related, "related")];
                for (ci, cond) in conds.iter().enumerate() {
                    let (c, _) = self.cond(cond, Scope::Block(block));
                    let matching = self.d.cond_agg(&sql, AggFn::Count, None, Some(c));
                    projection.push(proj(matching, &matching_column(conds.len(), ci)));
                }
                let from = self.from(block);
                sql.select(
                    projection,
                    Some(from),
                    Some(is_not_null(link.clone())),
                    vec![link],
                )
            }
            Derived::Lookup {
                entity,
                alternatives,
                looked_up,
                block,
                ..
            } => {
                let Some(did) = alternatives[*looked_up].did() else {
                    self.internal("a lookup of something other than a did".to_string());
                    return sql.select(vec![], None, None, vec![]);
                };
                let f = &did.filter;
                let ev = &p.catalog.events[f.events];
                let (selection, earliest, scan_names) = self.scan_where(f.events, &[f]);
                let skip_start = earliest.as_ref() == f.window.start.as_ref();
                let parts = self.filter_parts(f, skip_start, scan_names.as_deref());
                // The keys for which none of the other alternatives holds.
                let others: Vec<Cond> = alternatives
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != *looked_up)
                    .map(|(_, c)| c.clone())
                    .collect();
                let holds = self.two_valued(&Cond::Or(others), Scope::Block(block));
                let key_name = p.catalog.entities[*entity].key.clone();
                let from = self.from(block);
                let rest = sql.select(
                    vec![proj(self.key_expr(block), &key_name)],
                    Some(from),
                    Some(not(holds)),
                    vec![],
                );
                let ev_key = sql.col(EV, &ev.key);
                let probe = Expr::InSubquery {
                    expr: Box::new(ev_key.clone()),
                    subquery: Box::new(rest),
                    negated: false,
                };
                let from = self.events_from(ev);
                let cond = and(std::iter::once(selection)
                    .chain(parts)
                    .chain(std::iter::once(probe))
                    .collect());
                sql.select(
                    vec![proj(ev_key.clone(), &key_name)],
                    Some(from),
                    Some(cond),
                    vec![ev_key],
                )
            }
        }
    }

    /// The bucket of one tile of an entity's ntiles, as a window over `block`'s rows
    /// (every entity once): in the ntile CTE, or in the wide batch's own `SELECT`
    /// ([`crate::dialect::Ntiles::InWideSelect`]).
    pub(crate) fn tile_bucket(&mut self, t: &Tile, block: &Block) -> Expr {
        let sql = self.sql;
        let key = self.key_expr(block);
        let key_order = if self.p.catalog.entities[block.entity].key_ty == Type::String {
            self.d.byte_order(&sql, key)
        } else {
            key
        };
        let (v, _) = self.scalar(&t.value, Scope::Block(block));
        let v = if self.scalar_ty(&t.value) == Type::String {
            self.d.byte_order(&sql, v)
        } else {
            v
        };
        // Ascending with unset values first, or descending with them last.
        let value_order = if t.descending {
            (v, Order::DescNullsLast)
        } else {
            (v, Order::AscNullsFirst)
        };
        // A population: ranked apart from the others, who get no bucket.
        let among = t
            .among
            .as_ref()
            .map(|c| self.cond(c, Scope::Block(block)).0);
        let partition: Vec<Expr> = among
            .iter()
            .map(|c| sql.case(vec![(c.clone(), sql.int(1))], Some(sql.int(0))))
            .collect();
        let bucket = if t.ties_together {
            // Equal values share the bucket their first one falls in:
            // (rank - 1) * k / n + 1, rank by value alone.
            let rank = sql.window(
                sql.function("RANK", vec![]),
                partition.clone(),
                vec![value_order],
                false,
            );
            let n = sql.window(sql.count_star(), partition, vec![], false);
            let before = bin(rank, BinaryOperator::Minus, sql.int(1));
            let scaled = bin(before, BinaryOperator::Multiply, sql.int(t.k));
            bin(
                self.d.int_div(&sql, scaled, n),
                BinaryOperator::Plus,
                sql.int(1),
            )
        } else {
            sql.window(
                sql.function("NTILE", vec![sql.int(t.k)]),
                partition,
                vec![value_order, (key_order, Order::Asc)],
                false,
            )
        };
        match among {
            Some(c) => sql.case(vec![(c, bucket)], None),
            None => bucket,
        }
    }
}
