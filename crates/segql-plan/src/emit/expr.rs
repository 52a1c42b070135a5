//! Conditions and values as SQL expressions, in a block over an entity's table or inside
//! a scan of an events relation.
//!
//! Conditions are two-valued: a comparison with NULL is false. Only a `NOT` can turn
//! SQL's unknown into true, so the operand of every `NOT` that may be NULL is wrapped in
//! `COALESCE(.., FALSE)`; everything else already behaves (see docs/semantics.md).

use super::{Emitter, Scope, EV, PRESENT};
use crate::ir::*;
use crate::plan::{avg_against_literal, ntile_inline, sum_of, Block, FactKey, Tile};
use crate::sql::{and, bin, derived, is_not_null, not, or, proj, proj_bare, raw, From};
use segql_syntax::ast::{CmpOp, Type};
use sqlparser::ast::{BinaryOperator, Expr};

pub(crate) fn cmp_op(op: CmpOp) -> BinaryOperator {
    match op {
        CmpOp::Eq => BinaryOperator::Eq,
        CmpOp::Ne => BinaryOperator::NotEq,
        CmpOp::Lt => BinaryOperator::Lt,
        CmpOp::Le => BinaryOperator::LtEq,
        CmpOp::Gt => BinaryOperator::Gt,
        CmpOp::Ge => BinaryOperator::GtEq,
    }
}

impl Emitter<'_> {
    /// The FROM clause of a block: its entity's table, then a LEFT JOIN per reference,
    /// aggregate scan, sequence result and derived CTE the plan says it needs.
    pub(crate) fn from(&mut self, block: &Block) -> From {
        let sql = self.sql;
        let e = &self.p.catalog.entities[block.entity];
        let key = self.key_expr(block);
        let mut joins = Vec::new();
        for &ri in &block.needs.refs {
            let r = &e.refs[ri];
            let target = &self.p.catalog.entities[r.target];
            let alias = self.ref_alias(block, ri);
            let relation = self.maybe_present(&target.table, &alias);
            let on = bin(
                sql.col(&alias, &target.key),
                BinaryOperator::Eq,
                sql.col(&block.alias, &r.column),
            );
            joins.push(sql.left_join(relation, on));
        }
        for (via, x, alias) in &block.extra_aliases {
            // Joined on the entity's key, or for a referenced entity's extra table on the
            // key of the referenced row (joined above): none for a dangling reference.
            let (owner, on_value) = match via {
                None => (e, key.clone()),
                Some(ri) => {
                    let target = &self.p.catalog.entities[e.refs[*ri].target];
                    let ref_alias = self.ref_alias(block, *ri);
                    (target, self.joined_col(&ref_alias, &target.key))
                }
            };
            let extra = &owner.extras[*x];
            let relation = self.maybe_present(&extra.table, alias);
            let on = bin(sql.col(alias, &extra.key), BinaryOperator::Eq, on_value);
            joins.push(sql.left_join(relation, on));
        }
        for &si in &block.needs.scans {
            let cte = self.plan.scans[si].cte.clone();
            let on = bin(sql.col(&cte, &e.key), BinaryOperator::Eq, key.clone());
            joins.push(sql.left_join(sql.table(&[cte], None), on));
        }
        let mut seq_ctes: Vec<String> = Vec::new();
        for &si in &block.needs.seqs {
            let (cte, _) = self.plan.sequence_column(si);
            if seq_ctes.contains(&cte) {
                continue;
            }
            seq_ctes.push(cte.clone());
            let on = bin(sql.col(&cte, &e.key), BinaryOperator::Eq, key.clone());
            joins.push(sql.left_join(sql.table(&[cte], None), on));
        }
        for &di in &block.needs.derived {
            let cte = self.plan.derived[di].cte().to_string();
            let on = bin(sql.col(&cte, &e.key), BinaryOperator::Eq, key.clone());
            joins.push(sql.left_join(sql.table(&[cte], None), on));
        }
        From {
            base: sql.table(&e.table, Some(&block.alias)),
            joins,
        }
    }

    /// A table joined with LEFT JOIN as `alias`; on an engine whose columns default
    /// instead of being NULL, with a marker column telling a matched row from none.
    fn maybe_present(&self, table: &[String], alias: &str) -> sqlparser::ast::TableFactor {
        let sql = self.sql;
        if self.type_defaults() {
            let q = sql.select(
                vec![proj_bare(raw("*".into())), proj(sql.int(1), PRESENT)],
                Some(From::bare(sql.table(table, None))),
                None,
                vec![],
            );
            derived(q, alias, &sql)
        } else {
            sql.table(table, Some(alias))
        }
    }

    /// A column of a LEFT JOINed table: NULL where no row matched, on every engine.
    fn joined_col(&self, alias: &str, name: &str) -> Expr {
        let sql = self.sql;
        let col = sql.col(alias, name);
        if self.type_defaults() {
            let present = bin(sql.col(alias, PRESENT), BinaryOperator::Eq, sql.int(1));
            sql.case(vec![(present, col)], None)
        } else {
            col
        }
    }

    fn extra_alias(&mut self, block: &Block, via: Option<usize>, x: usize) -> String {
        match block.extra_alias(via, x) {
            Some(a) => a.to_string(),
            None => {
                self.internal(format!(
                    "the block over entity {} does not join extra table {x} (via {via:?})",
                    block.entity
                ));
                String::new()
            }
        }
    }

    pub(crate) fn key_expr(&self, block: &Block) -> Expr {
        let e = &self.p.catalog.entities[block.entity];
        self.sql.col(&block.alias, &e.key)
    }

    fn ref_alias(&mut self, block: &Block, ri: usize) -> String {
        match block.ref_alias(ri) {
            Some(a) => a.to_string(),
            None => {
                self.internal(format!(
                    "the block over entity {} does not join reference {ri}",
                    block.entity
                ));
                String::new()
            }
        }
    }

    /// `as_of` as the statement writes it (`emit::as_of_expr`): the planning instant as
    /// a literal, or the engine's clock, a parameter or a template read at run time.
    pub(crate) fn as_of(&self) -> Expr {
        self.as_of.clone()
    }

    pub(crate) fn time_point(&self, t: &TimePoint) -> Expr {
        match t {
            TimePoint::AsOf => self.as_of(),
            TimePoint::At(ts) => self.d.timestamp(*ts),
            TimePoint::Ago(d) => self.d.minus(&self.sql, self.as_of(), *d),
        }
    }

    pub(crate) fn lit(&mut self, l: &Lit) -> Expr {
        match l {
            Lit::Str(s) => self.string_lit(s),
            Lit::Int(v) => self.sql.int(*v),
            Lit::Decimal(t) => self.d.decimal(&self.sql, t),
            Lit::Bool(b) => self.sql.bool(*b),
            Lit::Date(d) => self.d.date(*d),
            Lit::Timestamp(t) => self.d.timestamp(*t),
        }
    }

    pub(crate) fn string_lit(&mut self, s: &str) -> Expr {
        if let Some(why) = self.d.unrepresentable(s) {
            self.problems.push(format!("{why}: {s:?}"));
        }
        self.sql.string(s)
    }

    pub(crate) fn scalar_ty(&self, s: &Scalar) -> Type {
        s.ty(self.p)
    }

    /// The scan and column of an aggregate, which the block must join.
    fn planned_column(&mut self, key: &FactKey, scope: Scope<'_>) -> (String, String) {
        match self.plan.column(key) {
            Ok((si, name)) => {
                if let Scope::Block(b) = scope {
                    if !b.needs.scans.contains(&si) {
                        self.internal(format!(
                            "the block over entity {} does not join scan `{}`",
                            b.entity, self.plan.scans[si].cte
                        ));
                    }
                }
                (self.plan.scans[si].cte.clone(), name.to_string())
            }
            Err(e) => {
                self.internal(e.0);
                (String::new(), String::new())
            }
        }
    }

    /// A value in a scope: the expression and whether it may be NULL.
    pub(crate) fn scalar(&mut self, s: &Scalar, scope: Scope<'_>) -> (Expr, bool) {
        let sql = self.sql;
        match s {
            Scalar::Column(c) => match (&c.owner, scope) {
                (ColumnOwner::Entity, Scope::Block(b)) => {
                    let e = &self.p.catalog.entities[b.entity];
                    match e.extra_of(&c.name) {
                        Some(x) => {
                            let alias = self.extra_alias(b, None, x);
                            (self.joined_col(&alias, &c.name), true)
                        }
                        None => (sql.col(&b.alias, &c.name), c.name != e.key),
                    }
                }
                (ColumnOwner::Ref(ri), Scope::Block(b)) => {
                    let e = &self.p.catalog.entities[b.entity];
                    let target = &self.p.catalog.entities[e.refs[*ri].target];
                    let alias = match target.extra_of(&c.name) {
                        Some(x) => self.extra_alias(b, Some(*ri), x),
                        None => self.ref_alias(b, *ri),
                    };
                    (self.joined_col(&alias, &c.name), true)
                }
                (ColumnOwner::Event, _) => (sql.col(EV, &c.name), true),
                (owner, Scope::Events) => {
                    self.internal(format!("a column of {owner:?} inside an events scan"));
                    (sql.col(EV, &c.name), true)
                }
            },
            Scalar::Lit(l) => (self.lit(l), false),
            Scalar::Time(t) => (self.time_point(t), false),
            Scalar::Agg(a) => {
                let (cte, name) = self.planned_column(&FactKey::Agg((**a).clone()), scope);
                let col = sql.col(&cte, &name);
                if a.zero_when_empty() {
                    (sql.coalesce(col, sql.int(0)), false)
                } else if self.type_defaults() {
                    let (_, seen) = self.planned_column(&FactKey::Seen((**a).clone()), scope);
                    let guard = bin(
                        sql.coalesce(sql.col(&cte, &seen), sql.int(0)),
                        BinaryOperator::Gt,
                        sql.int(0),
                    );
                    (sql.case(vec![(guard, col)], None), true)
                } else {
                    (col, true)
                }
            }
            Scalar::Ntile { among, .. } => {
                let Scope::Block(b) = scope else {
                    self.internal("an ntile inside an events scan".to_string());
                    return (sql.int(0), false);
                };
                // The wide batch's own rows are every entity once: the window is
                // computed there ([`crate::dialect::Ntiles::InWideSelect`]).
                if self.plan.inline_ntiles && ntile_inline(s) && std::ptr::eq(b, &self.plan.block) {
                    if let Some(t) = Tile::of(s, String::new()) {
                        return (self.tile_bucket(&t, b), among.is_some());
                    }
                }
                match self.plan.ntile(b.entity, s) {
                    Ok((di, column)) => {
                        self.check_derived(b, di);
                        let cte = self.plan.derived[di].cte().to_string();
                        // Outside its population an entity has no bucket.
                        (sql.col(&cte, &column), among.is_some())
                    }
                    Err(e) => {
                        self.internal(e.0);
                        (sql.int(0), false)
                    }
                }
            }
            Scalar::Score(rules) => {
                let mut sum: Option<Expr> = None;
                for (w, c) in rules {
                    let (cond, _) = self.cond(c, scope);
                    let weight = self.lit(w);
                    let term = sql.case(vec![(cond, weight)], Some(sql.int(0)));
                    sum = Some(match sum {
                        None => term,
                        Some(acc) => bin(acc, BinaryOperator::Plus, term),
                    });
                }
                (sum.unwrap_or_else(|| sql.int(0)), false)
            }
            Scalar::Folded(v) => {
                let (e, n) = self.scalar(v, scope);
                (self.d.fold_case(&sql, e), n)
            }
        }
    }

    fn check_derived(&mut self, b: &Block, di: usize) {
        if !b.needs.derived.contains(&di) {
            self.internal(format!(
                "the block over entity {} does not join `{}`",
                b.entity,
                self.plan.derived[di].cte()
            ));
        }
    }

    /// The lookup of an `or` in the body's block (`plan::lookups`): its derived CTE, the
    /// alternative it stands for, and the block.
    fn looked_up<'b>(&self, v: &[Cond], scope: Scope<'b>) -> Option<(usize, usize, &'b Block)> {
        match scope {
            Scope::Block(b) if std::ptr::eq(b, &self.plan.block) => {
                let (di, i) = self.plan.lookup(b.entity, v)?;
                Some((di, i, b))
            }
            _ => None,
        }
    }

    /// A condition as a boolean that is never NULL (for output columns).
    pub(crate) fn two_valued(&mut self, c: &Cond, scope: Scope<'_>) -> Expr {
        let (e, nullable) = self.cond(c, scope);
        if nullable {
            self.sql.coalesce(e, self.sql.bool(false))
        } else {
            e
        }
    }

    /// A condition as a boolean expression, and whether it may be NULL (for unknown).
    pub(crate) fn cond(&mut self, c: &Cond, scope: Scope<'_>) -> (Expr, bool) {
        let sql = self.sql;
        match c {
            Cond::Const(b) => (sql.bool(*b), false),
            Cond::And(v) | Cond::Or(v) => {
                // An `or` the body looks up reads the lookup instead of its alternative.
                let lookup = match c {
                    Cond::Or(_) => self.looked_up(v, scope),
                    _ => None,
                };
                let mut parts = Vec::new();
                let mut nullable = false;
                for (j, c) in v.iter().enumerate() {
                    if lookup.is_some_and(|(_, looked_up, _)| looked_up == j) {
                        continue;
                    }
                    let (e, n) = self.cond(c, scope);
                    parts.push(e);
                    nullable |= n;
                }
                if let Some((di, _, b)) = lookup {
                    self.check_derived(b, di);
                    let cte = self.plan.derived[di].cte().to_string();
                    let key = &self.p.catalog.entities[b.entity].key;
                    parts.push(is_not_null(sql.col(&cte, key)));
                }
                (
                    if matches!(c, Cond::And(_)) {
                        and(parts)
                    } else {
                        or(parts)
                    },
                    nullable,
                )
            }
            Cond::Not(inner) => {
                let (e, n) = self.cond(inner, scope);
                let e = if n {
                    sql.coalesce(e, sql.bool(false))
                } else {
                    e
                };
                (not(e), false)
            }
            Cond::Cmp(a, op, b) if avg_against_literal(a, *op, b).is_some() => {
                self.avg_cmp(a, *op, b, scope)
            }
            Cond::Cmp(a, op, b) => self.cmp(a, *op, b, scope),
            Cond::In { value, list } => {
                let (e, n) = self.scalar(value, scope);
                // A float in a list of decimals compares as floats (ClickHouse's IN
                // refuses a Decimal list for a Float64 value).
                let float = self.scalar_ty(value) == Type::Float;
                let list = list
                    .iter()
                    .map(|l| match l {
                        Lit::Decimal(t) if float => sql.decimal(t),
                        l => self.lit(l),
                    })
                    .collect();
                (
                    Expr::InList {
                        expr: Box::new(e),
                        list,
                        negated: false,
                    },
                    n,
                )
            }
            Cond::Text { value, op, pattern } => {
                let (e, n) = self.scalar(value, scope);
                let s = self.string_lit(pattern);
                let out = match op {
                    TextOp::Contains => self.d.contains(&sql, e, s),
                    TextOp::StartsWith => self.d.starts_with(&sql, e, s),
                    TextOp::EndsWith => self.d.ends_with(&sql, e, s),
                };
                (out, n)
            }
            Cond::Regex { value, pattern } => {
                let (e, n) = self.scalar(value, scope);
                let s = self.string_lit(pattern);
                let re = self.d.regex(&sql, e.clone(), s);
                // Anchored at the start: a prefix test first, the pattern on the rest.
                match super::regex_prefix::required_prefixes(pattern) {
                    Some(prefixes) => {
                        let tests = prefixes
                            .iter()
                            .map(|p| {
                                let p = self.string_lit(p);
                                self.d.starts_with(&sql, e.clone(), p)
                            })
                            .collect();
                        (and(vec![or(tests), re]), n)
                    }
                    None => (re, n),
                }
            }
            Cond::IsSet(value) => {
                let (e, _) = self.scalar(value, scope);
                (is_not_null(e), false)
            }
            Cond::Segment(id) => {
                let seg = &self.p.segments[*id];
                let (e, n) = self.cond(&seg.cond, scope);
                (Expr::Nested(Box::new(e)), n)
            }
            Cond::Quantified {
                quant,
                entity: inner,
                via_ref,
                cond,
            } => self.quantified(*quant, *inner, *via_ref, cond, scope),
            Cond::Sequence(s) => self.sequence(s, scope),
            Cond::Sql(pred) => (self.sql_predicate(pred, scope), true),
        }
    }

    /// `avg(x) op c` as `count(x) > 0 and sum(x) op c * count(x)`: exact in every
    /// engine's decimal arithmetic, where AVG of a decimal is a double on some (0.1, 0.2,
    /// 0.3 average to 0.19999999999999998) and not on others.
    fn avg_cmp(&mut self, a: &Scalar, op: CmpOp, b: &Scalar, scope: Scope<'_>) -> (Expr, bool) {
        let sql = self.sql;
        let (agg, op, lit) = avg_against_literal(a, op, b).expect("matched");
        let (cte, sum_col) = self.planned_column(&FactKey::Agg(sum_of(agg)), scope);
        let (_, seen_col) = self.planned_column(&FactKey::Seen(agg.clone()), scope);
        let count = sql.coalesce(sql.col(&cte, &seen_col), sql.int(0));
        let lit = self.lit(lit);
        (
            and(vec![
                bin(count.clone(), BinaryOperator::Gt, sql.int(0)),
                bin(
                    sql.col(&cte, &sum_col),
                    cmp_op(op),
                    bin(lit, BinaryOperator::Multiply, count),
                ),
            ]),
            true,
        )
    }

    /// A comparison of two values: dates meet timestamps at midnight, strings order by
    /// their bytes.
    fn cmp(&mut self, a: &Scalar, op: CmpOp, b: &Scalar, scope: Scope<'_>) -> (Expr, bool) {
        let sql = self.sql;
        let (ta, tb) = (self.scalar_ty(a), self.scalar_ty(b));
        let (mut ea, na) = self.scalar(a, scope);
        let (mut eb, nb) = self.scalar(b, scope);
        // A date meets a timestamp at the date's midnight.
        if ta == Type::Date && tb == Type::Timestamp {
            ea = self.d.date_as_timestamp(&sql, ea);
        }
        if tb == Type::Date && ta == Type::Timestamp {
            eb = self.d.date_as_timestamp(&sql, eb);
        }
        // Strings order by their bytes, whatever the database's collation.
        if (ta == Type::String || tb == Type::String) && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
            ea = self.d.byte_order(&sql, ea);
            eb = self.d.byte_order(&sql, eb);
        }
        (bin(ea, cmp_op(op), eb), na || nb)
    }

    /// A quantifier over related entities: its `matching` and `related` counts.
    fn quantified(
        &mut self,
        quant: Quant,
        inner: EntityId,
        via_ref: usize,
        cond: &Cond,
        scope: Scope<'_>,
    ) -> (Expr, bool) {
        let sql = self.sql;
        let Scope::Block(b) = scope else {
            self.internal("a quantifier inside an events scan".to_string());
            return (sql.bool(false), false);
        };
        let (di, column) = match self.plan.quantifier(b.entity, inner, via_ref, cond) {
            Ok(found) => found,
            Err(e) => {
                self.internal(e.0);
                return (sql.bool(false), false);
            }
        };
        self.check_derived(b, di);
        let cte = self.plan.derived[di].cte().to_string();
        let matching = sql.coalesce(sql.col(&cte, &column), sql.int(0));
        let related = sql.coalesce(sql.col(&cte, "related"), sql.int(0));
        let e = match quant {
            Quant::Any => bin(matching, BinaryOperator::GtEq, sql.int(1)),
            Quant::No => bin(matching, BinaryOperator::Eq, sql.int(0)),
            Quant::All => and(vec![
                bin(related.clone(), BinaryOperator::Gt, sql.int(0)),
                bin(matching, BinaryOperator::Eq, related),
            ]),
            Quant::AtLeast(n) => bin(matching, BinaryOperator::GtEq, sql.int(n)),
            Quant::AtMost(n) => bin(matching, BinaryOperator::LtEq, sql.int(n)),
            Quant::Exactly(n) => bin(matching, BinaryOperator::Eq, sql.int(n)),
        };
        (e, false)
    }

    /// Whether a sequence matched: its flag in the sequences' result CTE, or its test on
    /// the lists of its steps' times ([`Self::sequence_on_lists`]).
    fn sequence(&mut self, s: &Sequence, scope: Scope<'_>) -> (Expr, bool) {
        let sql = self.sql;
        if let Some((si, col)) = self.plan.matched(s) {
            let matched = sql.col(&self.plan.scans[si].cte, col);
            return (sql.coalesce(matched, sql.bool(false)), false);
        }
        let si = match self.plan.sequence(s) {
            Ok(si) => si,
            Err(e) => {
                self.internal(e.0);
                return (sql.bool(false), false);
            }
        };
        if let Scope::Block(b) = scope {
            if !b.needs.seqs.contains(&si) {
                self.internal(format!(
                    "the block over entity {} does not join sequence {si}",
                    b.entity
                ));
            }
        }
        let (cte, col) = self.plan.sequence_column(si);
        (
            bin(
                sql.coalesce(sql.col(&cte, &col), sql.int(0)),
                BinaryOperator::Eq,
                sql.int(1),
            ),
            false,
        )
    }
}

impl Emitter<'_> {
    /// A sequence on the lists of its steps' times ([`crate::plan::SequenceLists`]): a
    /// chain of times, one from each step's list, each strictly after the one before and
    /// within the step's `within` of it, as the dialect finds one
    /// ([`Dialect::chain_on_lists`](crate::dialect::Dialect::chain_on_lists)). A key
    /// without events of a step has no list (NULL), and then no match.
    pub(super) fn sequence_on_lists(&self, s: &Sequence, lists: Vec<Expr>) -> Expr {
        let sql = self.sql;
        // The condition between step j's time `s{j}` and the next's.
        let pairs = (1..lists.len())
            .map(|j| {
                let (earlier, later) = (format!("s{j}"), format!("s{}", j + 1));
                let mut pair = vec![bin(
                    sql.bare(&later),
                    BinaryOperator::Gt,
                    sql.bare(&earlier),
                )];
                if let Some(d) = s.steps[j].within {
                    pair.push(bin(
                        sql.bare(&later),
                        BinaryOperator::LtEq,
                        self.d.plus(&sql, sql.bare(&earlier), d),
                    ));
                }
                and(pair)
            })
            .collect();
        sql.coalesce(self.d.chain_on_lists(&sql, lists, pairs), sql.bool(false))
    }

    /// Whether unmatched outer-join columns read as type defaults on this dialect.
    fn type_defaults(&self) -> bool {
        self.d.capabilities().unmatched == crate::dialect::Unmatched::TypeDefaults
    }
}
