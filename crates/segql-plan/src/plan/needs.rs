//! The joins of every query block, and the order of the derived CTEs.
//!
//! A block is the statement's body over its entity, or a derived CTE (an entity's
//! ntiles, counts over related entities). Its expressions read columns of the entity's
//! table, of referenced entities (a LEFT JOIN each), of aggregate scans, sequences and
//! derived CTEs (a LEFT JOIN on the key each): this walk finds which, exactly as
//! emission will name them, so that a block's FROM is known before any expression is
//! written. A derived CTE is defined in collection order, except that it waits for the
//! derived CTEs it joins.

use super::names::{slug, Names};
use super::{
    avg_against_literal, entity_alias, sum_of, Block, Body, Derived, FactKey, Needs, Plan,
};
use crate::ir::*;
use std::collections::BTreeSet;

/// The alias of the statement's parameters in the first design, and of the events
/// relation inside scans: never a reference's alias.
const RESERVED_ALIASES: [&str; 2] = ["p", "ev"];

pub(super) fn resolve(
    p: &Program,
    plan: &mut Plan,
    body_names: &Names,
    names: &Names,
) -> Result<(), String> {
    // The body's block.
    let mut needs = Needs::default();
    {
        let w = Walker {
            p,
            plan,
            inline_ntiles: plan.inline_ntiles,
            body: true,
        };
        let entity = plan.block.entity;
        match &plan.body {
            Body::Segment(id) if plan.lapses_as_sets => {
                // The lapses join nothing (`super::lapses`).
                for c in super::lapses::split(p, &p.segments[*id].cond).rest {
                    w.cond(c, entity, &mut needs)?;
                }
            }
            Body::Segment(id) => w.cond(&p.segments[*id].cond, entity, &mut needs)?,
            Body::Batch {
                segments, traits, ..
            } => {
                for &id in segments {
                    w.cond(&p.segments[id].cond, entity, &mut needs)?;
                }
                for &t in traits {
                    w.scalar(&p.traits[t].value, entity, &mut needs)?;
                }
            }
            Body::Report { index, .. } => {
                let r = &p.reports[*index];
                for &id in &r.segments {
                    w.cond(&p.segments[id].cond, entity, &mut needs)?;
                }
                for m in &r.metrics {
                    match &m.kind {
                        MetricKind::Count(None) => {}
                        MetricKind::Count(Some(c)) | MetricKind::Share(c) => {
                            w.cond(c, entity, &mut needs)?
                        }
                        MetricKind::Avg(v)
                        | MetricKind::Sum(v)
                        | MetricKind::Min(v)
                        | MetricKind::Max(v) => w.scalar(v, entity, &mut needs)?,
                    }
                }
            }
            Body::Split { index, .. } => {
                let seg = &p.segments[p.splits[*index].segment];
                w.cond(&seg.cond, entity, &mut needs)?;
            }
            Body::Priority(pi) => {
                for &id in &p.priorities[*pi].segments {
                    w.cond(&p.segments[id].cond, entity, &mut needs)?;
                }
            }
        }
    }
    plan.block.ref_aliases = ref_aliases(p, &plan.block.alias, entity_of(plan), &needs, body_names);
    plan.block.extra_aliases = extra_aliases(p, &plan.block, &needs, body_names);
    plan.block.needs = needs;
    // Each derived CTE's block.
    for di in 0..plan.derived.len() {
        let mut needs = Needs::default();
        let entity = {
            let w = Walker {
                p,
                plan,
                inline_ntiles: false,
                body: false,
            };
            match &plan.derived[di] {
                Derived::Ntile { entity, tiles, .. } => {
                    for t in tiles {
                        w.scalar(&t.value, *entity, &mut needs)?;
                        if let Some(c) = &t.among {
                            w.cond(c, *entity, &mut needs)?;
                        }
                    }
                    *entity
                }
                Derived::Quant { inner, conds, .. } => {
                    for c in conds {
                        w.cond(c, *inner, &mut needs)?;
                    }
                    *inner
                }
                Derived::Lookup {
                    entity,
                    alternatives,
                    looked_up,
                    ..
                } => {
                    for (j, c) in alternatives.iter().enumerate() {
                        if j != *looked_up {
                            w.cond(c, *entity, &mut needs)?;
                        }
                    }
                    *entity
                }
            }
        };
        let alias = entity_alias(p, entity);
        let refs = ref_aliases(p, &alias, entity, &needs, names);
        let block = plan.derived[di].block_mut();
        let mut b = Block {
            entity,
            alias,
            needs: Needs::default(),
            ref_aliases: refs,
            extra_aliases: Vec::new(),
        };
        b.extra_aliases = extra_aliases(p, &b, &needs, names);
        b.needs = needs;
        *block = b;
    }
    // In collection order, except that a CTE waits for the ones it joins: a
    // relationship's CTE collected early may have gained a condition that joins a later
    // one.
    let joined = joined_derived(plan);
    let mut pending: Vec<(usize, BTreeSet<usize>)> = (0..plan.derived.len())
        .filter(|di| joined.contains(di))
        .map(|di| (di, plan.derived[di].block().needs.derived.clone()))
        .collect();
    let mut defined: BTreeSet<usize> = BTreeSet::new();
    let mut order = Vec::new();
    while !pending.is_empty() {
        let next = pending
            .iter()
            .position(|(di, needs)| needs.iter().all(|n| n == di || defined.contains(n)))
            .unwrap_or(0);
        let (di, _) = pending.remove(next);
        defined.insert(di);
        order.push(di);
    }
    plan.derived_order = order;
    Ok(())
}

/// The derived CTEs the statement defines: every relationship's, and an ntile's when
/// the body's block or another defined CTE joins it (the wide batch may compute its
/// ntiles in its own `SELECT` instead).
fn joined_derived(plan: &Plan) -> BTreeSet<usize> {
    let mut joined: BTreeSet<usize> = plan.block.needs.derived.clone();
    joined.extend(
        (0..plan.derived.len()).filter(|&di| matches!(plan.derived[di], Derived::Quant { .. })),
    );
    loop {
        let more: BTreeSet<usize> = joined
            .iter()
            .flat_map(|&di| plan.derived[di].block().needs.derived.iter().copied())
            .filter(|di| !joined.contains(di))
            .collect();
        if more.is_empty() {
            return joined;
        }
        joined.extend(more);
    }
}

fn entity_of(plan: &Plan) -> EntityId {
    plan.block.entity
}

/// The alias of each reference a block joins: the reference's name, unless it is taken
/// (by the block's own alias, a reserved alias or a CTE of the statement).
fn ref_aliases(
    p: &Program,
    alias: &str,
    entity: EntityId,
    needs: &Needs,
    names: &Names,
) -> Vec<(usize, String)> {
    needs
        .refs
        .iter()
        .map(|&ri| {
            let s = slug(&p.catalog.entities[entity].refs[ri].nav);
            let a = if s == alias || RESERVED_ALIASES.contains(&s.as_str()) || names.contains(&s) {
                format!("{s}_ref")
            } else {
                s
            };
            (ri, a)
        })
        .collect()
}

/// The alias of each extra table a block joins: the extra's name (after the
/// reference's alias for one reached through a reference), unless it is taken.
fn extra_aliases(
    p: &Program,
    block: &Block,
    needs: &Needs,
    names: &Names,
) -> Vec<(Option<usize>, usize, String)> {
    let mut taken: Vec<String> = block.ref_aliases.iter().map(|(_, a)| a.clone()).collect();
    taken.push(block.alias.clone());
    let mut out = Vec::new();
    for &(via, x) in &needs.extras {
        let ent = &p.catalog.entities[block.entity];
        let (owner, prefix) = match via {
            None => (ent, String::new()),
            Some(ri) => (
                &p.catalog.entities[ent.refs[ri].target],
                format!("{}_", slug(&ent.refs[ri].nav)),
            ),
        };
        let base = format!("{prefix}{}", slug(&owner.extras[x].name));
        let mut a = base.clone();
        let mut n = 1;
        while taken.contains(&a) || RESERVED_ALIASES.contains(&a.as_str()) || names.contains(&a) {
            a = if n == 1 {
                format!("{base}_x")
            } else {
                format!("{base}_x{n}")
            };
            n += 1;
        }
        taken.push(a.clone());
        out.push((via, x, a));
    }
    out
}

struct Walker<'a> {
    p: &'a Program,
    plan: &'a Plan,
    /// An `ntile` that [`super::ntile_inline`] allows needs what its value reads, not
    /// its CTE (the body's block when [`super::Plan::inline_ntiles`]).
    inline_ntiles: bool,
    /// The body's block, where an `or` may be looked up ([`super::Plan::lookup`]).
    body: bool,
}

impl Walker<'_> {
    /// A column of the entity's own table needs nothing; one of an extra table or of a
    /// referenced entity needs that table joined.
    fn column(&self, c: &ColRef, entity: EntityId, needs: &mut Needs) {
        let ent = &self.p.catalog.entities[entity];
        match c.owner {
            ColumnOwner::Entity => {
                if let Some(x) = ent.extra_of(&c.name) {
                    needs.extras.insert((None, x));
                }
            }
            ColumnOwner::Ref(ri) => {
                let target = &self.p.catalog.entities[ent.refs[ri].target];
                // An extra table of the referenced entity is joined on the referenced
                // row's key: a reference to no row (a dangling key) reaches no extra row.
                if let Some(x) = target.extra_of(&c.name) {
                    needs.extras.insert((Some(ri), x));
                }
                needs.refs.insert(ri);
            }
            ColumnOwner::Event => {}
        }
    }

    fn cond(&self, c: &Cond, entity: EntityId, needs: &mut Needs) -> Result<(), String> {
        match c {
            Cond::Const(_) => {}
            Cond::And(v) | Cond::Or(v) => {
                // An `or` the body looks up joins the lookup instead of its alternative.
                let lookup = match c {
                    Cond::Or(_) if self.body => self.plan.lookup(entity, v),
                    _ => None,
                };
                if let Some((di, _)) = lookup {
                    needs.derived.insert(di);
                }
                for (j, c) in v.iter().enumerate() {
                    if lookup.is_none_or(|(_, looked_up)| looked_up != j) {
                        self.cond(c, entity, needs)?;
                    }
                }
            }
            Cond::Not(c) => self.cond(c, entity, needs)?,
            Cond::Cmp(a, op, b) => match avg_against_literal(a, *op, b) {
                Some((agg, _, _)) => {
                    let (si, _) = self
                        .plan
                        .column(&FactKey::Agg(sum_of(agg)))
                        .map_err(|e| e.0)?;
                    needs.scans.insert(si);
                }
                None => {
                    self.scalar(a, entity, needs)?;
                    self.scalar(b, entity, needs)?;
                }
            },
            Cond::In { value, .. }
            | Cond::Text { value, .. }
            | Cond::Regex { value, .. }
            | Cond::IsSet(value) => self.scalar(value, entity, needs)?,
            Cond::Segment(id) => self.cond(&self.p.segments[*id].cond, entity, needs)?,
            Cond::Quantified {
                entity: inner,
                via_ref,
                cond,
                ..
            } => {
                let (di, _) = self
                    .plan
                    .quantifier(entity, *inner, *via_ref, cond)
                    .map_err(|e| e.0)?;
                needs.derived.insert(di);
            }
            Cond::Sequence(s) => match self.plan.matched(s) {
                Some((si, _)) => {
                    needs.scans.insert(si);
                }
                None => {
                    needs.seqs.insert(self.plan.sequence(s).map_err(|e| e.0)?);
                }
            },
            Cond::Sql(pred) => {
                for c in pred.expr.columns() {
                    self.column(c, entity, needs);
                }
            }
        }
        Ok(())
    }

    fn scalar(&self, s: &Scalar, entity: EntityId, needs: &mut Needs) -> Result<(), String> {
        match s {
            Scalar::Column(c) => self.column(c, entity, needs),
            Scalar::Lit(_) | Scalar::Time(_) => {}
            Scalar::Agg(a) => {
                let (si, _) = self
                    .plan
                    .column(&FactKey::Agg((**a).clone()))
                    .map_err(|e| e.0)?;
                needs.scans.insert(si);
            }
            Scalar::Ntile { value, .. } if self.inline_ntiles && super::ntile_inline(s) => {
                self.scalar(value, entity, needs)?;
            }
            Scalar::Ntile { .. } => {
                let (di, _) = self.plan.ntile(entity, s).map_err(|e| e.0)?;
                needs.derived.insert(di);
            }
            Scalar::Score(rules) => {
                for (_, c) in rules {
                    self.cond(c, entity, needs)?;
                }
            }
            Scalar::Folded(v) => self.scalar(v, entity, needs)?,
        }
        Ok(())
    }
}
