//! Building the index: declarations first (so a name may be used before it is
//! declared, in any file), then every use, resolved in its scope.

mod actions;

use super::*;
use segql_syntax::ast::{CondKind, EventNames, ItemKind, ValueKind};
use segql_syntax::fmt::{cond_text, ident_text, value_text};

pub(super) fn build(files: &[(FileId, &ast::File)]) -> Index {
    let mut w = Walker {
        ix: Index::default(),
        alternatives: HashMap::new(),
    };
    for (_, f) in files {
        for item in &f.items {
            w.declare(item);
        }
    }
    w.ix.default_entity = if w.ix.entities.contains_key("user") {
        Some("user".to_string())
    } else if w.ix.entities.len() == 1 {
        w.ix.entities.keys().next().cloned()
    } else {
        None
    };
    let default = w.ix.default_entity.clone();
    for info in w.ix.segments.values_mut() {
        if info.entity.is_none() {
            info.entity.clone_from(&default);
        }
    }
    for info in w.ix.traits.values_mut() {
        if info.entity.is_none() {
            info.entity.clone_from(&default);
        }
    }
    for info in w.ix.actions.values_mut() {
        if info.entity.is_none() {
            info.entity.clone_from(&default);
        }
    }
    w.resolve_actions();
    for (_, f) in files {
        for item in &f.items {
            w.uses(item);
        }
    }
    for names in w.ix.event_names.values_mut() {
        names.sort();
        names.dedup();
    }
    w.ix.occurrences
        .sort_by_key(|o| (o.span.file, o.span.start, o.span.end));
    w.ix
}

/// Where a condition is: whose columns its names are.
#[derive(Clone, Default)]
struct Scope {
    entity: Option<String>,
    /// Inside `with`: the events relation whose properties are in scope.
    filter: Option<String>,
}

struct Walker {
    ix: Index,
    /// Each declared action's alternatives, to find the relation its events are in.
    alternatives: HashMap<String, Vec<actions::Alternative>>,
}

fn columns(cols: &[ast::Column]) -> Vec<ColumnInfo> {
    cols.iter()
        .map(|c| ColumnInfo {
            name: c.name.name.clone(),
            ty: c.ty.ty,
            span: c.name.span,
            references: c.references.as_ref().map(|r| {
                let nav = r.alias.as_ref().unwrap_or(&r.entity);
                (r.entity.name.clone(), nav.name.clone())
            }),
            extra: None,
        })
        .collect()
}

fn meta_text(s: &Option<ast::StrLit>) -> Option<String> {
    s.as_ref().map(|s| s.value.clone())
}

impl Walker {
    /// An event name of relation `rel`: an occurrence (its declaration when `def`) and a
    /// name completion offers.
    fn event_name(&mut self, rel: &str, lit: &ast::StrLit, def: bool) {
        let sym = Symbol::Event {
            events: rel.to_string(),
            name: lit.value.clone(),
        };
        self.occ(lit.span, sym, def);
        self.ix
            .event_names
            .entry(rel.to_string())
            .or_default()
            .push(lit.value.clone());
    }

    fn occ(&mut self, span: Span, symbol: Symbol, def: bool) {
        self.ix.occurrences.push(Occurrence {
            span,
            symbol,
            def,
            via: None,
        });
    }

    fn declare(&mut self, item: &ast::Item) {
        match &item.kind {
            ItemKind::Entity(e) => {
                if self.ix.entities.contains_key(&e.name.name) {
                    return;
                }
                let name = e.name.name.clone();
                self.occ(e.name.span, Symbol::Entity(name.clone()), true);
                let mut cols = columns(&e.columns);
                // The columns of its extra tables are the entity's too.
                for x in &e.extras {
                    cols.extend(columns(&x.columns).into_iter().map(|c| ColumnInfo {
                        extra: Some((x.name.name.clone(), x.table.dotted())),
                        ..c
                    }));
                }
                for c in &cols {
                    let sym = Symbol::Column {
                        entity: name.clone(),
                        name: c.name.clone(),
                    };
                    self.occ(c.span, sym, true);
                }
                if !cols.iter().any(|c| c.name == e.key.name) {
                    let sym = Symbol::Column {
                        entity: name.clone(),
                        name: e.key.name.clone(),
                    };
                    self.occ(e.key.span, sym, true);
                } else {
                    let sym = Symbol::Column {
                        entity: name.clone(),
                        name: e.key.name.clone(),
                    };
                    self.occ(e.key.span, sym, false);
                }
                self.ix.entities.insert(
                    name.clone(),
                    EntityInfo {
                        name,
                        span: e.name.span,
                        description: meta_text(&e.description),
                        table: e.table.dotted(),
                        key: e.key.name.clone(),
                        key_span: e.key.span,
                        columns: cols,
                    },
                );
            }
            ItemKind::Events(ev) => {
                let name = ev
                    .name
                    .as_ref()
                    .map_or_else(|| "events".to_string(), |n| n.name.clone());
                if self.ix.events.contains_key(&name) {
                    return;
                }
                // An unnamed relation is declared by its `events` keyword.
                let span = ev.name.as_ref().map_or(
                    Span::new(item.span.file, item.span.start, item.span.start + 6),
                    |n| n.span,
                );
                self.occ(span, Symbol::Events(name.clone()), true);
                let props = columns(&ev.properties);
                let prop = |n: &str| Symbol::Property {
                    events: name.clone(),
                    name: n.to_string(),
                };
                for p in &props {
                    self.occ(p.span, prop(&p.name), true);
                }
                self.occ(ev.key.span, prop(&ev.key.name), true);
                self.occ(ev.time.span, prop(&ev.time.name), true);
                let source = match &ev.event {
                    ast::EventSource::Column(c) => {
                        self.occ(c.span, prop(&c.name), true);
                        // Declared names (`names [...]`) are the events' declarations.
                        for n in ev.names.iter().flat_map(|l| &l.names) {
                            self.event_name(&name, n, true);
                        }
                        EventSourceInfo::Column(c.name.clone(), c.span)
                    }
                    ast::EventSource::Fixed(s) => {
                        self.event_name(&name, s, true);
                        EventSourceInfo::Fixed(s.value.clone(), s.span)
                    }
                };
                self.ix.events.insert(
                    name.clone(),
                    EventsInfo {
                        name,
                        span,
                        entity: ev.entity.name.clone(),
                        description: meta_text(&ev.description),
                        table: ev.table.dotted(),
                        key: ev.key.name.clone(),
                        key_span: ev.key.span,
                        source,
                        time: ev.time.name.clone(),
                        time_span: ev.time.span,
                        properties: props,
                    },
                );
            }
            ItemKind::Segment(s) => {
                if self.ix.segments.contains_key(&s.name.name) {
                    return;
                }
                self.occ(s.name.span, Symbol::Segment(s.name.name.clone()), true);
                self.ix.segments.insert(
                    s.name.name.clone(),
                    SegmentInfo {
                        name: s.name.name.clone(),
                        span: s.name.span,
                        entity: s.entity.as_ref().map(|e| e.name.clone()),
                        description: meta_text(&s.meta.description),
                        owner: meta_text(&s.meta.owner),
                        tags: s.meta.tags.iter().map(|t| t.value.clone()).collect(),
                        condition: s.condition.as_ref().map(cond_text),
                        has_score: s.score.is_some(),
                    },
                );
            }
            ItemKind::Trait(t) => {
                if self.ix.traits.contains_key(&t.name.name) {
                    return;
                }
                self.occ(t.name.span, Symbol::Trait(t.name.name.clone()), true);
                let of = t
                    .entity
                    .as_ref()
                    .map(|e| format!(" of {}", ident_text(&e.name)))
                    .unwrap_or_default();
                self.ix.traits.insert(
                    t.name.name.clone(),
                    TraitInfo {
                        name: t.name.name.clone(),
                        span: t.name.span,
                        entity: t.entity.as_ref().map(|e| e.name.clone()),
                        definition: format!(
                            "trait {}{of} = {}",
                            ident_text(&t.name.name),
                            value_text(&t.value)
                        ),
                    },
                );
            }
            ItemKind::Report(r) => {
                if self.ix.reports.contains_key(&r.name.name) {
                    return;
                }
                let name = r.name.name.clone();
                self.occ(r.name.span, Symbol::Report(name.clone()), true);
                let mut parts = Vec::new();
                for m in &r.metrics {
                    let sym = Symbol::Metric {
                        report: name.clone(),
                        name: m.name.name.clone(),
                    };
                    self.occ(m.name.span, sym, true);
                    parts.push((m.name.name.clone(), metric_text(&m.expr), m.name.span));
                }
                let info = ListInfo {
                    name: name.clone(),
                    span: r.name.span,
                    description: meta_text(&r.meta.description),
                    segments: r.segments.iter().map(|s| s.name.clone()).collect(),
                    parts,
                };
                self.ix.reports.insert(name, info);
            }
            ItemKind::Split(s) => {
                if self.ix.splits.contains_key(&s.name.name) {
                    return;
                }
                let name = s.name.name.clone();
                self.occ(s.name.span, Symbol::Split(name.clone()), true);
                let mut parts = Vec::new();
                for g in &s.groups {
                    let sym = Symbol::Group {
                        split: name.clone(),
                        name: g.name.name.clone(),
                    };
                    self.occ(g.name.span, sym, true);
                    let pct = segql_syntax::fmt::literal_text(&g.percent.kind);
                    parts.push((g.name.name.clone(), format!("{pct}%"), g.name.span));
                }
                let info = ListInfo {
                    name: name.clone(),
                    span: s.name.span,
                    description: meta_text(&s.meta.description),
                    segments: vec![s.segment.name.clone()],
                    parts,
                };
                self.ix.splits.insert(name, info);
            }
            ItemKind::Priority(p) => {
                if self.ix.priorities.contains_key(&p.name.name) {
                    return;
                }
                let name = p.name.name.clone();
                self.occ(p.name.span, Symbol::Priority(name.clone()), true);
                let info = ListInfo {
                    name: name.clone(),
                    span: p.name.span,
                    description: meta_text(&p.meta.description),
                    segments: p.segments.iter().map(|s| s.name.clone()).collect(),
                    parts: Vec::new(),
                };
                self.ix.priorities.insert(name, info);
            }
            ItemKind::Test(t) => {
                if self.ix.tests.contains_key(&t.name.name) {
                    return;
                }
                let name = t.name.name.clone();
                self.occ(t.name.span, Symbol::Test(name.clone()), true);
                let info = ListInfo {
                    name: name.clone(),
                    span: t.name.span,
                    description: meta_text(&t.description),
                    segments: Vec::new(),
                    parts: Vec::new(),
                };
                self.ix.tests.insert(name, info);
            }
            ItemKind::Action(a) => self.declare_action(a),
            ItemKind::Assert(_) => {}
        }
    }

    /// A use of an entity by name, when it is declared.
    fn entity_use(&mut self, id: &ast::Ident) {
        if self.ix.entities.contains_key(&id.name) {
            self.occ(id.span, Symbol::Entity(id.name.clone()), false);
        }
    }

    fn segment_use(&mut self, id: &ast::Ident) {
        if self.ix.segments.contains_key(&id.name) {
            self.occ(id.span, Symbol::Segment(id.name.clone()), false);
        }
    }

    fn uses(&mut self, item: &ast::Item) {
        match &item.kind {
            ItemKind::Entity(e) => {
                for c in &e.columns {
                    if let Some(r) = &c.references {
                        self.entity_use(&r.entity);
                    }
                }
            }
            ItemKind::Events(ev) => self.entity_use(&ev.entity),
            ItemKind::Segment(s) => {
                if let Some(e) = &s.entity {
                    self.entity_use(e);
                }
                // A second declaration of a name is not indexed: its body is not the
                // declared segment's.
                let Some(info) = self.ix.segments.get(&s.name.name) else {
                    return;
                };
                if !info.span.same_as(s.name.span) {
                    return;
                }
                let scope = Scope {
                    entity: info.entity.clone(),
                    filter: None,
                };
                if let Some(sb) = &s.score {
                    for r in &sb.rules {
                        self.cond(&r.cond, &scope);
                    }
                }
                if let Some(c) = &s.condition {
                    self.cond(c, &scope);
                }
            }
            ItemKind::Trait(t) => {
                if let Some(e) = &t.entity {
                    self.entity_use(e);
                }
                let Some(info) = self.ix.traits.get(&t.name.name) else {
                    return;
                };
                if !info.span.same_as(t.name.span) {
                    return;
                }
                let scope = Scope {
                    entity: info.entity.clone(),
                    filter: None,
                };
                self.value(&t.value, &scope);
            }
            ItemKind::Report(r) => {
                for s in &r.segments {
                    self.segment_use(s);
                }
                let entity = r
                    .segments
                    .iter()
                    .find_map(|s| self.ix.segments.get(&s.name)?.entity.clone());
                let scope = Scope {
                    entity,
                    filter: None,
                };
                for m in &r.metrics {
                    match &m.expr {
                        ast::MetricExpr::Count(c) => {
                            if let Some(c) = c {
                                self.cond(c, &scope);
                            }
                        }
                        ast::MetricExpr::Share(c) => self.cond(c, &scope),
                        ast::MetricExpr::Agg(_, v) => self.value(v, &scope),
                    }
                }
            }
            ItemKind::Split(s) => self.segment_use(&s.segment),
            ItemKind::Priority(p) => {
                for s in &p.segments {
                    self.segment_use(s);
                }
            }
            ItemKind::Test(t) => {
                for g in &t.givens {
                    self.given(g);
                }
                for e in &t.expects {
                    self.target(&e.target);
                }
            }
            ItemKind::Action(a) => self.action_body(a),
            ItemKind::Assert(a) => {
                self.segment_use(&a.target);
                for c in &a.checks {
                    match &c.kind {
                        ast::CheckKind::DisjointWith(s) | ast::CheckKind::SubsetOf(s) => {
                            self.segment_use(s);
                        }
                        ast::CheckKind::Size(_) | ast::CheckKind::SizeChange { .. } => {}
                    }
                }
            }
        }
    }

    fn given(&mut self, g: &ast::Given) {
        let rel = &g.relation;
        let table = match &g.source {
            ast::GivenSource::Rows(t) => Some(t),
            ast::GivenSource::File(_) => None,
        };
        if let Some(e) = self.ix.entities.get(&rel.name) {
            let name = e.name.clone();
            let known: Vec<String> = e.columns.iter().map(|c| c.name.clone()).collect();
            let key = e.key.clone();
            self.occ(rel.span, Symbol::Entity(name.clone()), false);
            for c in table.map_or(&[][..], |t| &t.columns[..]) {
                if known.contains(&c.name) || c.name == key {
                    let sym = Symbol::Column {
                        entity: name.clone(),
                        name: c.name.clone(),
                    };
                    self.occ(c.span, sym, false);
                }
            }
        } else if let Some(ev) = self.ix.events.get(&rel.name) {
            let name = ev.name.clone();
            let key_ty = self
                .ix
                .entities
                .get(&ev.entity)
                .map_or(Type::String, EntityInfo::key_type);
            let known: Vec<bool> = table.map_or_else(Vec::new, |t| {
                t.columns
                    .iter()
                    .map(|c| ev.column(&c.name, key_ty).is_some())
                    .collect()
            });
            self.occ(rel.span, Symbol::Events(name.clone()), false);
            for (c, ok) in table.map_or(&[][..], |t| &t.columns[..]).iter().zip(known) {
                if ok {
                    let sym = Symbol::Property {
                        events: name.clone(),
                        name: c.name.clone(),
                    };
                    self.occ(c.span, sym, false);
                }
            }
        }
    }

    /// `expect SEGMENT`, `expect SPLIT.GROUP`, `expect PRIORITY.SEGMENT`.
    fn target(&mut self, p: &ast::Path) {
        match p.parts.as_slice() {
            [one] => self.segment_use(one),
            [first, second] => {
                if let Some(split) = self.ix.splits.get(&first.name) {
                    let has = split.parts.iter().any(|(g, ..)| *g == second.name);
                    self.occ(first.span, Symbol::Split(first.name.clone()), false);
                    if has {
                        let sym = Symbol::Group {
                            split: first.name.clone(),
                            name: second.name.clone(),
                        };
                        self.occ(second.span, sym, false);
                    }
                } else if self.ix.priorities.contains_key(&first.name) {
                    self.occ(first.span, Symbol::Priority(first.name.clone()), false);
                    self.segment_use(second);
                }
            }
            _ => {}
        }
    }

    fn cond(&mut self, c: &ast::Cond, scope: &Scope) {
        match &c.kind {
            CondKind::And(v) | CondKind::Or(v) => {
                for c in v {
                    self.cond(c, scope);
                }
            }
            CondKind::Not(c) => self.cond(c, scope),
            CondKind::Const(_) | CondKind::Sql(_) => {}
            CondKind::Test(v, _) => self.value(v, scope),
            CondKind::Did(d) => {
                self.step(&d.first, scope);
                for t in &d.then {
                    self.step(&t.step, scope);
                }
            }
            CondKind::Stopped(s) => self.step(&s.step, scope),
            CondKind::Restarted(r) => self.step(&r.step, scope),
            CondKind::InSegment(id) => self.segment_use(id),
            CondKind::Quantified(q) => {
                let here = scope.entity.clone().unwrap_or_default();
                let via = self
                    .refs_between(&q.relation.name, &here)
                    .map(|(column, nav)| Via {
                        entity: q.relation.name.clone(),
                        column,
                        nav,
                        target: here.clone(),
                    });
                if let Some(via) = via {
                    self.ix.occurrences.push(Occurrence {
                        span: q.relation.span,
                        symbol: Symbol::Entity(q.relation.name.clone()),
                        def: false,
                        via: Some(via),
                    });
                }
                let inner = Scope {
                    entity: Some(q.relation.name.clone()),
                    filter: None,
                };
                self.cond(&q.cond, &inner);
            }
        }
    }

    /// The one reference of `from` to `to`: (column, nav).
    fn refs_between(&self, from: &str, to: &str) -> Option<(String, String)> {
        let refs: Vec<(String, String)> = self
            .ix
            .refs_of(from)
            .into_iter()
            .filter(|(_, _, target)| target == to)
            .map(|(c, n, _)| (c, n))
            .collect();
        match refs.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    fn step(&mut self, s: &ast::EventStep, scope: &Scope) {
        let Some(entity) = scope.entity.clone() else {
            return;
        };
        if let EventNames::Action(id) = &s.event.names {
            self.action_step(id, s, entity);
            return;
        }
        let names: Option<Vec<String>> = match &s.event.names {
            EventNames::One(n) => Some(vec![n.value.clone()]),
            EventNames::Many(v) => Some(v.iter().map(|n| n.value.clone()).collect()),
            EventNames::Any | EventNames::Action(_) => None,
        };
        let rel = match &s.event.from {
            Some(from) => {
                let found = self
                    .ix
                    .events
                    .get(&from.name)
                    .filter(|e| e.entity == entity)
                    .map(|e| e.name.clone());
                if let Some(r) = &found {
                    self.occ(from.span, Symbol::Events(r.clone()), false);
                }
                found
            }
            None => self
                .ix
                .implied_events(&entity, names.as_deref())
                .map(|e| e.name.clone()),
        };
        let Some(rel) = rel else { return };
        let lits: Vec<&ast::StrLit> = match &s.event.names {
            EventNames::One(n) => vec![n],
            EventNames::Many(v) => v.iter().collect(),
            EventNames::Any | EventNames::Action(_) => Vec::new(),
        };
        for l in lits {
            self.event_name(&rel, l, false);
        }
        if let Some(f) = &s.filter {
            let inner = Scope {
                entity: Some(entity),
                filter: Some(rel),
            };
            self.cond(f, &inner);
        }
    }

    fn value(&mut self, v: &ast::Value, scope: &Scope) {
        match &v.kind {
            ValueKind::Path(p) => self.path(p, scope),
            ValueKind::Agg(a) => {
                self.step(&a.step, scope);
                if let (Some(prop), Some(entity)) = (&a.prop, &scope.entity) {
                    if let Some(rel) = self.step_relation(&a.step, entity) {
                        self.property(prop, &rel);
                    }
                }
            }
            ValueKind::TimeOf(t) => self.step(&t.step, scope),
            ValueKind::Ntile(n) => {
                self.value(&n.value, scope);
                if let Some(c) = &n.among {
                    self.cond(c, scope);
                }
            }
            ValueKind::Score(sb) => {
                for r in &sb.rules {
                    self.cond(&r.cond, scope);
                }
            }
        }
    }

    fn property(&mut self, id: &ast::Ident, events: &str) {
        let Some(ev) = self.ix.events.get(events) else {
            return;
        };
        let key_ty = self
            .ix
            .entities
            .get(&ev.entity)
            .map_or(Type::String, EntityInfo::key_type);
        if ev.column(&id.name, key_ty).is_some() {
            let sym = Symbol::Property {
                events: events.to_string(),
                name: id.name.clone(),
            };
            self.occ(id.span, sym, false);
        }
    }

    fn path(&mut self, p: &ast::Path, scope: &Scope) {
        if let Some(events) = &scope.filter {
            if let [one] = p.parts.as_slice() {
                self.property(one, events);
            }
            return;
        }
        let Some(entity) = scope.entity.clone() else {
            return;
        };
        match p.parts.as_slice() {
            [one] => {
                let is_column = self
                    .ix
                    .entities
                    .get(&entity)
                    .is_some_and(|e| e.column(&one.name).is_some() || e.key == one.name);
                if is_column {
                    let sym = Symbol::Column {
                        entity,
                        name: one.name.clone(),
                    };
                    self.occ(one.span, sym, false);
                } else if self.ix.traits.contains_key(&one.name) {
                    self.occ(one.span, Symbol::Trait(one.name.clone()), false);
                }
            }
            [nav, col] => {
                let Some((column, _, target)) = self
                    .ix
                    .refs_of(&entity)
                    .into_iter()
                    .find(|(_, n, _)| *n == nav.name)
                else {
                    return;
                };
                if !self.ix.entities.contains_key(&target) {
                    return;
                }
                self.ix.occurrences.push(Occurrence {
                    span: nav.span,
                    symbol: Symbol::Entity(target.clone()),
                    def: false,
                    via: Some(Via {
                        entity: entity.clone(),
                        column,
                        nav: nav.name.clone(),
                        target: target.clone(),
                    }),
                });
                let known = self
                    .ix
                    .entities
                    .get(&target)
                    .is_some_and(|e| e.column(&col.name).is_some() || e.key == col.name);
                if known {
                    let sym = Symbol::Column {
                        entity: target,
                        name: col.name.clone(),
                    };
                    self.occ(col.span, sym, false);
                }
            }
            _ => {}
        }
    }
}

/// A report's metric as written (normalised).
fn metric_text(m: &ast::MetricExpr) -> String {
    match m {
        ast::MetricExpr::Count(None) => "count".to_string(),
        ast::MetricExpr::Count(Some(c)) => format!("count where {}", cond_text(c)),
        ast::MetricExpr::Share(c) => format!("share where {}", cond_text(c)),
        ast::MetricExpr::Agg(f, v) => format!("{}({})", f.keyword(), value_text(v)),
    }
}
