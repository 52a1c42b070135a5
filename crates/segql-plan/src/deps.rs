//! What each declaration of a checked program depends on: the segments and traits it
//! uses, and the warehouse relations and columns its SQL reads.
//!
//! One graph serves `segql graph` (drawn), the selectors' `+name` / `name+` (walked)
//! and `run` (which binds only the relations the selected statements read). Traits are
//! inlined by the checker, so a value equal to a trait's value of the same entity is
//! read as a use of that trait. Actions are inlined too, and each use keeps the action's
//! id (`EventFilter::action`).

use crate::ir::{
    AggKind, ColumnOwner, Cond, EntityId, EventAgg, EventFilter, EventSource, EventsId, MetricKind,
    Program, Scalar, SqlExpr, Target,
};
use segql_syntax::Span;
use std::collections::{BTreeMap, BTreeSet};

/// A declaration of a program that other declarations can depend on, or that depends
/// on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    Segment(usize),
    Trait(usize),
    Action(usize),
    Report(usize),
    Split(usize),
    Priority(usize),
    Test(usize),
}

impl Node {
    /// `segment`, `trait`, `action`, `report`, `split`, `priority` or `test`.
    pub fn kind(self) -> &'static str {
        match self {
            Node::Segment(_) => "segment",
            Node::Trait(_) => "trait",
            Node::Action(_) => "action",
            Node::Report(_) => "report",
            Node::Split(_) => "split",
            Node::Priority(_) => "priority",
            Node::Test(_) => "test",
        }
    }

    pub fn name(self, p: &Program) -> &str {
        match self {
            Node::Segment(i) => &p.segments[i].name,
            Node::Trait(i) => &p.traits[i].name,
            Node::Action(i) => &p.actions[i].name,
            Node::Report(i) => &p.reports[i].name,
            Node::Split(i) => &p.splits[i].name,
            Node::Priority(i) => &p.priorities[i].name,
            Node::Test(i) => &p.tests[i].name,
        }
    }

    pub fn span(self, p: &Program) -> Span {
        match self {
            Node::Segment(i) => p.segments[i].span,
            Node::Trait(i) => p.traits[i].span,
            Node::Action(i) => p.actions[i].span,
            Node::Report(i) => p.reports[i].span,
            Node::Split(i) => p.splits[i].span,
            Node::Priority(i) => p.priorities[i].span,
            Node::Test(i) => p.tests[i].span,
        }
    }

    /// The statement it compiles to, for segments, reports, splits and priority lists.
    pub fn target(self) -> Option<Target> {
        match self {
            Node::Segment(i) => Some(Target::Segment(i)),
            Node::Report(i) => Some(Target::Report(i)),
            Node::Split(i) => Some(Target::Split(i)),
            Node::Priority(i) => Some(Target::Priority(i)),
            Node::Trait(_) | Node::Action(_) | Node::Test(_) => None,
        }
    }

    /// Every node of a program in declaration order (by file, then position).
    pub fn all(p: &Program) -> Vec<Node> {
        let mut all: Vec<Node> = (0..p.segments.len())
            .map(Node::Segment)
            .chain((0..p.traits.len()).map(Node::Trait))
            .chain((0..p.actions.len()).map(Node::Action))
            .chain((0..p.reports.len()).map(Node::Report))
            .chain((0..p.splits.len()).map(Node::Split))
            .chain((0..p.priorities.len()).map(Node::Priority))
            .chain((0..p.tests.len()).map(Node::Test))
            .collect();
        all.sort_by_key(|n| {
            let s = n.span(p);
            (s.file, s.start)
        });
        all
    }
}

impl From<Target> for Node {
    fn from(t: Target) -> Node {
        match t {
            Target::Segment(i) => Node::Segment(i),
            Target::Report(i) => Node::Report(i),
            Target::Split(i) => Node::Split(i),
            Target::Priority(i) => Node::Priority(i),
        }
    }
}

/// What one node reads directly: the nodes it uses, and per relation (`schema.table`)
/// the columns its own conditions and values read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reads {
    pub nodes: BTreeSet<Node>,
    pub columns: BTreeMap<String, BTreeSet<String>>,
    /// Per events relation with a name column, the event names its conditions name.
    pub event_names: BTreeMap<EventsId, BTreeSet<String>>,
}

impl Reads {
    fn column(&mut self, relation: String, column: &str) {
        self.columns
            .entry(relation)
            .or_default()
            .insert(column.to_string());
    }
}

/// The dependency graph of a program.
#[derive(Debug, Clone)]
pub struct Graph {
    nodes: Vec<Node>,
    reads: BTreeMap<Node, Reads>,
    used_by: BTreeMap<Node, BTreeSet<Node>>,
}

impl Graph {
    pub fn new(p: &Program) -> Graph {
        let w = Walker { p };
        let nodes = Node::all(p);
        let mut reads = BTreeMap::new();
        for &n in &nodes {
            reads.insert(n, w.node(n));
        }
        let mut used_by: BTreeMap<Node, BTreeSet<Node>> = BTreeMap::new();
        for (&n, r) in &reads {
            for &d in &r.nodes {
                used_by.entry(d).or_default().insert(n);
            }
        }
        Graph {
            nodes,
            reads,
            used_by,
        }
    }

    /// Every node, in declaration order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// What `n` reads directly.
    pub fn reads(&self, n: Node) -> &Reads {
        static EMPTY: std::sync::OnceLock<Reads> = std::sync::OnceLock::new();
        self.reads
            .get(&n)
            .unwrap_or_else(|| EMPTY.get_or_init(Reads::default))
    }

    /// The nodes that use `n` directly.
    pub fn used_by(&self, n: Node) -> impl Iterator<Item = Node> + '_ {
        self.used_by.get(&n).into_iter().flatten().copied()
    }

    /// What `n` depends on, up to `depth` steps (every step when `None`); `n` itself is
    /// not included.
    pub fn ancestors(&self, n: Node, depth: Option<usize>) -> BTreeSet<Node> {
        self.walk(n, depth, |m| self.reads(m).nodes.iter().copied().collect())
    }

    /// What depends on `n`, up to `depth` steps (every step when `None`); `n` itself is
    /// not included.
    pub fn descendants(&self, n: Node, depth: Option<usize>) -> BTreeSet<Node> {
        self.walk(n, depth, |m| self.used_by(m).collect())
    }

    fn walk(
        &self,
        n: Node,
        depth: Option<usize>,
        next: impl Fn(Node) -> Vec<Node>,
    ) -> BTreeSet<Node> {
        let mut seen = BTreeSet::new();
        let mut frontier = vec![n];
        let mut step = 0;
        while !frontier.is_empty() && depth.is_none_or(|d| step < d) {
            let mut following = Vec::new();
            for m in frontier {
                for x in next(m) {
                    if x != n && seen.insert(x) {
                        following.push(x);
                    }
                }
            }
            frontier = following;
            step += 1;
        }
        seen
    }

    /// Every relation and column the statement of `n` reads, its own and those of every
    /// segment and trait it uses (which the SQL inlines).
    pub fn reads_all(&self, n: Node) -> BTreeMap<String, BTreeSet<String>> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for m in std::iter::once(n).chain(self.ancestors(n, None)) {
            for (rel, cols) in &self.reads(m).columns {
                out.entry(rel.clone())
                    .or_default()
                    .extend(cols.iter().cloned());
            }
        }
        out
    }

    /// The event names the statements of `nodes` name, per events relation with a name
    /// column (their own and those of every segment and trait they use).
    pub fn event_names(
        &self,
        nodes: impl IntoIterator<Item = Node>,
    ) -> BTreeMap<EventsId, BTreeSet<String>> {
        let mut out: BTreeMap<EventsId, BTreeSet<String>> = BTreeMap::new();
        for n in nodes {
            for m in std::iter::once(n).chain(self.ancestors(n, None)) {
                for (ev, names) in &self.reads(m).event_names {
                    out.entry(*ev).or_default().extend(names.iter().cloned());
                }
            }
        }
        out
    }

    /// The relations the statements of `nodes` read.
    pub fn relations(&self, nodes: impl IntoIterator<Item = Node>) -> BTreeSet<String> {
        nodes
            .into_iter()
            .flat_map(|n| self.reads_all(n).into_keys())
            .collect()
    }
}

/// Where a condition is evaluated: for an entity, or for each event of a relation.
#[derive(Clone, Copy)]
enum Scope {
    Entity(EntityId),
    Events(EventsId),
}

struct Walker<'a> {
    p: &'a Program,
}

impl Walker<'_> {
    fn entity_table(&self, e: EntityId) -> String {
        self.p.catalog.entities[e].table.join(".")
    }

    fn events_table(&self, e: EventsId) -> String {
        self.p.catalog.events[e].table.join(".")
    }

    /// A column of an entity's extra table, and the extra's key it is joined on.
    fn extra_column(&self, e: EntityId, x: usize, name: &str, d: &mut Reads) {
        let extra = &self.p.catalog.entities[e].extras[x];
        let table = extra.table.join(".");
        d.column(table.clone(), &extra.key);
        d.column(table, name);
    }

    fn entity_key(&self, e: EntityId, d: &mut Reads) {
        let ent = &self.p.catalog.entities[e];
        d.column(self.entity_table(e), &ent.key);
    }

    fn node(&self, n: Node) -> Reads {
        let p = self.p;
        let mut d = Reads::default();
        match n {
            Node::Segment(i) => {
                let s = &p.segments[i];
                self.entity_key(s.entity, &mut d);
                self.cond(&s.cond, Scope::Entity(s.entity), &mut d);
            }
            Node::Trait(i) => {
                let t = &p.traits[i];
                self.entity_key(t.entity, &mut d);
                // A trait's own value is not a use of itself: walk below it.
                self.scalar_below(&t.value, Scope::Entity(t.entity), &mut d);
                d.nodes.remove(&n);
            }
            Node::Action(i) => {
                let a = &p.actions[i];
                self.filter_columns(a.events, a.names.as_deref(), &mut d);
                if let Some(pred) = &a.pred {
                    self.cond(pred, Scope::Events(a.events), &mut d);
                }
                d.nodes.extend(a.actions.iter().map(|&u| Node::Action(u)));
            }
            Node::Report(i) => {
                let r = &p.reports[i];
                self.entity_key(r.entity, &mut d);
                d.nodes.extend(r.segments.iter().map(|&s| Node::Segment(s)));
                let scope = Scope::Entity(r.entity);
                for m in &r.metrics {
                    match &m.kind {
                        MetricKind::Count(None) => {}
                        MetricKind::Count(Some(c)) | MetricKind::Share(c) => {
                            self.cond(c, scope, &mut d)
                        }
                        MetricKind::Avg(v)
                        | MetricKind::Sum(v)
                        | MetricKind::Min(v)
                        | MetricKind::Max(v) => self.scalar(v, scope, &mut d),
                    }
                }
            }
            Node::Split(i) => {
                let s = &p.splits[i];
                self.entity_key(p.segments[s.segment].entity, &mut d);
                d.nodes.insert(Node::Segment(s.segment));
            }
            Node::Priority(i) => {
                let pr = &p.priorities[i];
                self.entity_key(pr.entity, &mut d);
                d.nodes
                    .extend(pr.segments.iter().map(|&s| Node::Segment(s)));
            }
            Node::Test(i) => {
                // A test runs on its given rows, not on the bound data: it reads no
                // relation, and depends on what it expects members of.
                d.nodes
                    .extend(p.tests[i].expects.iter().map(|e| Node::from(e.target)));
            }
        }
        d
    }

    fn cond(&self, c: &Cond, scope: Scope, d: &mut Reads) {
        match c {
            Cond::Const(_) => {}
            Cond::And(v) | Cond::Or(v) => v.iter().for_each(|c| self.cond(c, scope, d)),
            Cond::Not(c) => self.cond(c, scope, d),
            Cond::Cmp(a, _, b) => {
                self.scalar(a, scope, d);
                self.scalar(b, scope, d);
            }
            Cond::In { value, .. }
            | Cond::Text { value, .. }
            | Cond::Regex { value, .. }
            | Cond::IsSet(value) => self.scalar(value, scope, d),
            Cond::Segment(id) => {
                d.nodes.insert(Node::Segment(*id));
            }
            Cond::Quantified {
                entity: inner,
                via_ref,
                cond,
                ..
            } => {
                if let Scope::Entity(outer) = scope {
                    self.entity_key(outer, d);
                }
                let reference = &self.p.catalog.entities[*inner].refs[*via_ref];
                d.column(self.entity_table(*inner), &reference.column);
                self.entity_key(*inner, d);
                self.cond(cond, Scope::Entity(*inner), d);
            }
            Cond::Sequence(s) => {
                for step in &s.steps {
                    d.nodes.extend(step.action.map(Node::Action));
                    self.filter_columns(s.events, step.names.as_deref(), d);
                    if let Some(pred) = &step.pred {
                        self.cond(pred, Scope::Events(s.events), d);
                    }
                }
            }
            Cond::Sql(sql) => self.sql(&sql.expr, scope, d),
        }
    }

    /// The key and time columns of an events relation, and its name column (and the
    /// names) when the filter names events.
    fn filter_columns(&self, events: EventsId, names: Option<&[String]>, d: &mut Reads) {
        let ev = &self.p.catalog.events[events];
        let table = self.events_table(events);
        d.column(table.clone(), &ev.key);
        d.column(table.clone(), &ev.time);
        if let (Some(names), EventSource::Column(c)) = (names, &ev.source) {
            d.column(table, c);
            d.event_names
                .entry(events)
                .or_default()
                .extend(names.iter().cloned());
        }
    }

    fn filter(&self, f: &EventFilter, d: &mut Reads) {
        d.nodes.extend(f.action.map(Node::Action));
        self.filter_columns(f.events, f.names.as_deref(), d);
        if let Some(pred) = &f.pred {
            self.cond(pred, Scope::Events(f.events), d);
        }
    }

    fn agg(&self, a: &EventAgg, d: &mut Reads) {
        self.filter(&a.filter, d);
        match &a.kind {
            AggKind::CountDistinct(c)
            | AggKind::Sum(c)
            | AggKind::Avg(c)
            | AggKind::Min(c)
            | AggKind::Max(c)
            | AggKind::FirstValue(c)
            | AggKind::LastValue(c) => d.column(self.events_table(a.filter.events), c),
            AggKind::Count | AggKind::First | AggKind::Last | AggKind::ActivePeriods { .. } => {}
        }
    }

    fn scalar(&self, s: &Scalar, scope: Scope, d: &mut Reads) {
        if let Scope::Entity(entity) = scope {
            if let Some(t) = self
                .p
                .traits
                .iter()
                .position(|t| t.entity == entity && &t.value == s)
            {
                d.nodes.insert(Node::Trait(t));
                return;
            }
        }
        self.scalar_below(s, scope, d);
    }

    fn scalar_below(&self, s: &Scalar, scope: Scope, d: &mut Reads) {
        match s {
            Scalar::Column(c) => self.column(&c.owner, &c.name, scope, d),
            Scalar::Lit(_) | Scalar::Time(_) => {}
            Scalar::Agg(a) => self.agg(a, d),
            Scalar::Ntile { value, .. } | Scalar::Folded(value) => self.scalar(value, scope, d),
            Scalar::Score(rules) => rules.iter().for_each(|(_, c)| self.cond(c, scope, d)),
        }
    }

    fn column(&self, owner: &ColumnOwner, name: &str, scope: Scope, d: &mut Reads) {
        let cat = &self.p.catalog;
        let entity = match scope {
            Scope::Entity(e) => e,
            Scope::Events(ev) => cat.events[ev].entity,
        };
        match (owner, scope) {
            (ColumnOwner::Event, Scope::Events(ev)) => d.column(self.events_table(ev), name),
            (ColumnOwner::Ref(ri), _) => {
                let r = &cat.entities[entity].refs[*ri];
                d.column(self.entity_table(entity), &r.column);
                match cat.entities[r.target].extra_of(name) {
                    Some(x) => self.extra_column(r.target, x, name, d),
                    None => {
                        self.entity_key(r.target, d);
                        d.column(self.entity_table(r.target), name);
                    }
                }
            }
            (ColumnOwner::Entity, _) | (ColumnOwner::Event, Scope::Entity(_)) => {
                match cat.entities[entity].extra_of(name) {
                    Some(x) => {
                        self.entity_key(entity, d);
                        self.extra_column(entity, x, name, d);
                    }
                    None => d.column(self.entity_table(entity), name),
                }
            }
        }
    }

    fn sql(&self, e: &SqlExpr, scope: Scope, d: &mut Reads) {
        for c in e.columns() {
            self.column(&c.owner, &c.name, scope, d);
        }
    }
}

#[cfg(test)]
mod tests;
