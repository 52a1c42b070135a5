//! What each item reads: relations, columns, events, traits, actions and segments.
//!
//! The checked IR says exactly which columns and events a condition reads, but it has
//! inlined every trait and action into the conditions that use it. An action's use keeps
//! its id (`EventFilter::action`, `SeqStep::action`), and its events and condition are
//! the action's: the item reads them through the action, as through a trait; a `with`
//! the use adds (`did checkout with amount > 100`) is the item's own. The traits an item
//! names are found in its syntax tree, by the checker's own rule (a name alone is a
//! column of the entity in scope if there is one, else a trait of that entity); a value
//! of the IR equal to such a trait's value is that trait. Reads inside a trait or an
//! action count for the item (`all`) but the lineage graph draws them as the trait's or
//! the action's (`direct` holds what the item names itself).

use segql_plan::ir::{
    ColumnOwner, Cond, EntityId, EventFilter, EventSource, EventsId, MetricKind, Program, Scalar,
    SegmentId, SqlExpr,
};
use segql_syntax::ast::{self, CondKind, ItemKind, ValueKind};
use std::collections::BTreeSet;

/// A warehouse relation, as declared in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rel {
    Entity(EntityId),
    Events(EventsId),
}

/// References of one kind of reading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refs {
    pub relations: BTreeSet<Rel>,
    /// `(relation, column)`.
    pub columns: BTreeSet<(Rel, String)>,
    /// `(relation, event name)`; `None` is any event.
    pub events: BTreeSet<(EventsId, Option<String>)>,
    pub traits: BTreeSet<usize>,
    pub actions: BTreeSet<usize>,
    pub segments: BTreeSet<SegmentId>,
}

/// What an item reads: named by itself (`direct`) and in all (through its traits too).
#[derive(Debug, Clone, Default)]
pub struct Reads {
    pub direct: Refs,
    pub all: Refs,
}

struct Walker<'a> {
    p: &'a Program,
    /// The traits the item names (candidates for a value of the IR).
    named: BTreeSet<usize>,
    out: Reads,
}

impl Walker<'_> {
    fn rel(&mut self, r: Rel, direct: bool) {
        self.out.all.relations.insert(r);
        if direct {
            self.out.direct.relations.insert(r);
        }
    }

    fn col(&mut self, r: Rel, name: &str, direct: bool) {
        self.rel(r, direct);
        self.out.all.columns.insert((r, name.to_string()));
        if direct {
            self.out.direct.columns.insert((r, name.to_string()));
        }
    }

    fn segment(&mut self, id: SegmentId, direct: bool) {
        self.out.all.segments.insert(id);
        if direct {
            self.out.direct.segments.insert(id);
        }
    }

    /// An entity's population: its table and key.
    fn population(&mut self, e: EntityId, direct: bool) {
        let key = self.p.catalog.entities[e].key.clone();
        self.col(Rel::Entity(e), &key, direct);
    }

    fn cond(&mut self, c: &Cond, scope: EntityId, ev: Option<EventsId>, direct: bool) {
        match c {
            Cond::Const(_) => {}
            Cond::And(v) | Cond::Or(v) => v.iter().for_each(|c| self.cond(c, scope, ev, direct)),
            Cond::Not(c) => self.cond(c, scope, ev, direct),
            Cond::Cmp(a, _, b) => {
                self.scalar(a, scope, ev, direct);
                self.scalar(b, scope, ev, direct);
            }
            Cond::In { value, .. }
            | Cond::Text { value, .. }
            | Cond::Regex { value, .. }
            | Cond::IsSet(value) => self.scalar(value, scope, ev, direct),
            Cond::Segment(id) => self.segment(*id, direct),
            Cond::Quantified {
                entity,
                via_ref,
                cond,
                ..
            } => {
                let inner = &self.p.catalog.entities[*entity];
                let column = inner.refs.get(*via_ref).map(|r| r.column.clone());
                self.population(*entity, direct);
                if let Some(column) = column {
                    self.col(Rel::Entity(*entity), &column, direct);
                }
                self.cond(cond, *entity, None, direct);
            }
            Cond::Sequence(s) => {
                for step in &s.steps {
                    self.selection(
                        s.events,
                        step.action,
                        step.names.as_deref(),
                        step.pred.as_ref(),
                        scope,
                        direct,
                    );
                }
            }
            Cond::Sql(pred) => self.sql(&pred.expr, scope, ev, direct),
        }
    }

    fn sql(&mut self, e: &SqlExpr, scope: EntityId, ev: Option<EventsId>, direct: bool) {
        for c in e.columns() {
            self.column(c, scope, ev, direct);
        }
    }

    fn column(
        &mut self,
        c: &segql_plan::ir::ColRef,
        scope: EntityId,
        ev: Option<EventsId>,
        direct: bool,
    ) {
        match c.owner {
            ColumnOwner::Entity => self.col(Rel::Entity(scope), &c.name, direct),
            ColumnOwner::Ref(i) => {
                let r = self.p.catalog.entities[scope].refs.get(i).cloned();
                if let Some(r) = r {
                    self.col(Rel::Entity(scope), &r.column, direct);
                    self.population(r.target, direct);
                    self.col(Rel::Entity(r.target), &c.name, direct);
                }
            }
            ColumnOwner::Event => {
                if let Some(ev) = ev {
                    self.col(Rel::Events(ev), &c.name, direct);
                }
            }
        }
    }

    /// The relation, its key, time and name columns, and the event names.
    fn events_read(&mut self, ev: EventsId, names: Option<&[String]>, direct: bool) {
        let rel = Rel::Events(ev);
        let e = &self.p.catalog.events[ev];
        let mut cols = vec![e.key.clone(), e.time.clone()];
        let fixed = match &e.source {
            EventSource::Column(c) => {
                cols.push(c.clone());
                None
            }
            EventSource::Fixed(name) => Some(name.clone()),
        };
        for c in cols {
            self.col(rel, &c, direct);
        }
        let add = |name: Option<String>, out: &mut Refs| {
            out.events.insert((ev, name));
        };
        let listed: Vec<Option<String>> = match (names, fixed) {
            (_, Some(f)) => vec![Some(f)],
            (Some(ns), None) => ns.iter().cloned().map(Some).collect(),
            (None, None) => vec![None],
        };
        for n in listed {
            add(n.clone(), &mut self.out.all);
            if direct {
                add(n, &mut self.out.direct);
            }
        }
    }

    fn filter(&mut self, f: &EventFilter, scope: EntityId, direct: bool) {
        self.selection(
            f.events,
            f.action,
            f.names.as_deref(),
            f.pred.as_ref(),
            scope,
            direct,
        );
    }

    /// Events of a filter or a sequence's step. Written as an action, its names and
    /// condition are read through the action, and what the step adds is its own.
    fn selection(
        &mut self,
        ev: EventsId,
        action: Option<usize>,
        names: Option<&[String]>,
        pred: Option<&Cond>,
        scope: EntityId,
        direct: bool,
    ) {
        let Some(id) = action else {
            self.events_read(ev, names, direct);
            if let Some(pred) = pred {
                self.cond(pred, scope, Some(ev), direct);
            }
            return;
        };
        self.action(id, direct);
        let p = self.p;
        let a = &p.actions[id];
        self.events_read(ev, names, false);
        if let Some(base) = &a.pred {
            self.cond(base, scope, Some(ev), false);
        }
        if let Some(own) = own_condition(a.pred.as_ref(), pred) {
            self.cond(own, scope, Some(ev), direct);
        }
    }

    /// An action used, and (in all) those it uses in turn.
    fn action(&mut self, id: usize, direct: bool) {
        if direct {
            self.out.direct.actions.insert(id);
        }
        let p = self.p;
        if self.out.all.actions.insert(id) {
            for &u in &p.actions[id].actions {
                self.action(u, false);
            }
        }
    }

    fn scalar(&mut self, s: &Scalar, scope: EntityId, ev: Option<EventsId>, direct: bool) {
        if ev.is_none() {
            let p = self.p;
            let hit = self
                .named
                .iter()
                .copied()
                .find(|t| p.traits[*t].entity == scope && p.traits[*t].value == *s);
            if let Some(t) = hit {
                self.out.all.traits.insert(t);
                if direct {
                    self.out.direct.traits.insert(t);
                }
                self.scalar_inside(s, scope, ev, false);
                return;
            }
        }
        self.scalar_inside(s, scope, ev, direct);
    }

    fn scalar_inside(&mut self, s: &Scalar, scope: EntityId, ev: Option<EventsId>, direct: bool) {
        use segql_plan::ir::AggKind;
        match s {
            Scalar::Column(c) => self.column(c, scope, ev, direct),
            Scalar::Lit(_) | Scalar::Time(_) => {}
            Scalar::Agg(a) => {
                self.filter(&a.filter, scope, direct);
                match &a.kind {
                    AggKind::CountDistinct(c)
                    | AggKind::Sum(c)
                    | AggKind::Avg(c)
                    | AggKind::Min(c)
                    | AggKind::Max(c)
                    | AggKind::FirstValue(c)
                    | AggKind::LastValue(c) => self.col(Rel::Events(a.filter.events), c, direct),
                    _ => {}
                }
            }
            Scalar::Ntile { value, among, .. } => {
                // Buckets are over the whole population (or its part `among` keeps).
                self.population(scope, direct);
                self.scalar(value, scope, ev, direct);
                if let Some(c) = among {
                    self.cond(c, scope, ev, direct);
                }
            }
            Scalar::Score(rules) => rules
                .iter()
                .for_each(|(_, c)| self.cond(c, scope, ev, direct)),
            Scalar::Folded(v) => self.scalar_inside(v, scope, ev, direct),
        }
    }
}

/// What a use of an action adds to it: the use's condition is the action's, or the
/// action's and the use's own `with` (`And([action's, own])`, as the checker builds it).
fn own_condition<'c>(action: Option<&Cond>, used: Option<&'c Cond>) -> Option<&'c Cond> {
    match (action, used) {
        (None, used) => used,
        (Some(a), Some(u)) if u == a => None,
        (Some(a), Some(Cond::And(v))) if v.len() == 2 && &v[0] == a => Some(&v[1]),
        (Some(_), used) => used,
    }
}

/// The traits an item names, by the checker's rule for a name alone.
pub fn named_traits(p: &Program, item: &ast::Item, entity: Option<EntityId>) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    let Some(scope) = entity else {
        return out;
    };
    let n = Names { p, out: &mut out };
    let mut n = n;
    match &item.kind {
        ItemKind::Segment(s) => {
            let has_score = s.score.is_some();
            if let Some(block) = &s.score {
                block
                    .rules
                    .iter()
                    .for_each(|r| n.cond(&r.cond, scope, has_score));
            }
            if let Some(c) = &s.condition {
                n.cond(c, scope, has_score);
            }
        }
        ItemKind::Trait(t) => n.value(&t.value, scope, false),
        ItemKind::Report(r) => {
            for m in &r.metrics {
                match &m.expr {
                    ast::MetricExpr::Count(None) => {}
                    ast::MetricExpr::Count(Some(c)) | ast::MetricExpr::Share(c) => {
                        n.cond(c, scope, false)
                    }
                    ast::MetricExpr::Agg(_, v) => n.value(v, scope, false),
                }
            }
        }
        _ => {}
    }
    out
}

struct Names<'a, 'b> {
    p: &'a Program,
    out: &'b mut BTreeSet<usize>,
}

impl Names<'_, '_> {
    fn cond(&mut self, c: &ast::Cond, scope: EntityId, has_score: bool) {
        match &c.kind {
            CondKind::And(v) | CondKind::Or(v) => {
                v.iter().for_each(|c| self.cond(c, scope, has_score))
            }
            CondKind::Not(c) => self.cond(c, scope, has_score),
            CondKind::Test(v, _) => self.value(v, scope, has_score),
            CondKind::Quantified(q) => {
                let cat = &self.p.catalog;
                if let Some(inner) = cat.entities.iter().position(|e| e.name == q.relation.name) {
                    self.cond(&q.cond, inner, false);
                }
            }
            // Inside `did` and `stopped`, names are the events' properties.
            CondKind::Const(_)
            | CondKind::Did(_)
            | CondKind::Stopped(_)
            | CondKind::Restarted(_)
            | CondKind::InSegment(_)
            | CondKind::Sql(_) => {}
        }
    }

    fn value(&mut self, v: &ast::Value, scope: EntityId, has_score: bool) {
        match &v.kind {
            ValueKind::Path(path) if path.parts.len() == 1 => {
                let name = &path.parts[0].name;
                if (name == "score" && has_score)
                    || self.p.catalog.entities[scope].column(name).is_some()
                {
                    return;
                }
                if let Some(t) = self
                    .p
                    .traits
                    .iter()
                    .position(|t| &t.name == name && t.entity == scope)
                {
                    self.out.insert(t);
                }
            }
            ValueKind::Path(_) | ValueKind::Agg(_) | ValueKind::TimeOf(_) => {}
            ValueKind::Ntile(n) => {
                self.value(&n.value, scope, has_score);
                if let Some(c) = &n.among {
                    self.cond(c, scope, false);
                }
            }
            ValueKind::Score(block) => block
                .rules
                .iter()
                .for_each(|r| self.cond(&r.cond, scope, has_score)),
        }
    }
}

/// What a segment reads.
pub fn segment(p: &Program, id: SegmentId, named: BTreeSet<usize>) -> Reads {
    let s = &p.segments[id];
    let mut w = Walker {
        p,
        named,
        out: Reads::default(),
    };
    w.population(s.entity, true);
    w.cond(&s.cond, s.entity, None, true);
    w.out
}

/// What a trait reads (its own value is not itself).
pub fn trait_(p: &Program, id: usize, mut named: BTreeSet<usize>) -> Reads {
    let t = &p.traits[id];
    named.remove(&id);
    let mut w = Walker {
        p,
        named,
        out: Reads::default(),
    };
    w.population(t.entity, true);
    w.scalar_inside(&t.value, t.entity, None, true);
    w.out
}

/// What an action reads: its events relation, the names and columns its condition
/// reads, and the actions it names. `own`: whether one of its alternatives is more than
/// another action's name (else everything is read through those actions).
pub fn action(p: &Program, id: usize, own: bool) -> Reads {
    let a = &p.actions[id];
    let mut w = Walker {
        p,
        named: BTreeSet::new(),
        out: Reads::default(),
    };
    for &u in &a.actions {
        w.action(u, true);
    }
    w.events_read(a.events, a.names.as_deref(), own);
    if let Some(pred) = &a.pred {
        w.cond(pred, a.entity, Some(a.events), own);
    }
    w.out
}

/// What a report reads: its segments and what its metrics read.
pub fn report(p: &Program, id: usize, named: BTreeSet<usize>) -> Reads {
    let r = &p.reports[id];
    let mut w = Walker {
        p,
        named,
        out: Reads::default(),
    };
    w.population(r.entity, true);
    for s in &r.segments {
        w.segment(*s, true);
    }
    for m in &r.metrics {
        match &m.kind {
            MetricKind::Count(None) => {}
            MetricKind::Count(Some(c)) | MetricKind::Share(c) => w.cond(c, r.entity, None, true),
            MetricKind::Avg(v) | MetricKind::Sum(v) | MetricKind::Min(v) | MetricKind::Max(v) => {
                w.scalar(v, r.entity, None, true)
            }
        }
    }
    w.out
}

/// What a split reads: its segment and the entity's key (hashed with the salt).
pub fn split(p: &Program, id: usize) -> Reads {
    let s = &p.splits[id];
    let mut w = Walker {
        p,
        named: BTreeSet::new(),
        out: Reads::default(),
    };
    w.population(p.segments[s.segment].entity, true);
    w.segment(s.segment, true);
    w.out
}

/// What a priority list reads: its segments.
pub fn priority(p: &Program, id: usize) -> Reads {
    let pr = &p.priorities[id];
    let mut w = Walker {
        p,
        named: BTreeSet::new(),
        out: Reads::default(),
    };
    w.population(pr.entity, true);
    for s in &pr.segments {
        w.segment(*s, true);
    }
    w.out
}
