//! The project seen as a whole: every item, what it reads, what uses it, and the tests
//! and assertions that name it.

use crate::model::{self, Item, Kind};
use crate::reads::{self, Reads, Rel};
use segql_plan::ir::{Program, Target};
use segql_syntax::ast;
use segql_syntax::SourceMap;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

pub struct Analysis<'a> {
    pub program: &'a Program,
    pub map: &'a SourceMap,
    pub root: Option<&'a Path>,
    pub items: Vec<Item<'a>>,
    /// What each item reads, by item index.
    pub reads: Vec<Reads>,
    by_ir: HashMap<(Kind, usize), usize>,
    by_name: HashMap<(Kind, String), usize>,
    /// The items that name each item (segments, traits, actions) or read it (relations,
    /// through traits and actions too), by item index.
    pub used_by: Vec<BTreeSet<usize>>,
    /// Lineage edges `(read, reader)`: what each item names itself.
    pub edges: Vec<(usize, usize)>,
}

impl<'a> Analysis<'a> {
    pub fn new(
        program: &'a Program,
        files: &[&'a ast::File],
        map: &'a SourceMap,
        root: Option<&'a Path>,
    ) -> Self {
        let items = model::items(program, files, map, root);
        let mut by_ir = HashMap::new();
        let mut by_name = HashMap::new();
        for (i, it) in items.iter().enumerate() {
            by_ir.insert((it.kind, it.index), i);
            by_name.insert((it.kind, it.name.clone()), i);
        }
        let reads: Vec<Reads> = items
            .iter()
            .map(|it| {
                let named = reads::named_traits(program, it.ast, it.entity);
                match it.kind {
                    Kind::Segment => reads::segment(program, it.index, named),
                    Kind::Trait => reads::trait_(program, it.index, named),
                    Kind::Action => reads::action(program, it.index, names_events(it.ast)),
                    Kind::Report => reads::report(program, it.index, named),
                    Kind::Split => reads::split(program, it.index),
                    Kind::Priority => reads::priority(program, it.index),
                    Kind::Entity | Kind::Events => Reads::default(),
                }
            })
            .collect();
        let mut a = Analysis {
            program,
            map,
            root,
            items,
            reads,
            by_ir,
            by_name,
            used_by: Vec::new(),
            edges: Vec::new(),
        };
        a.used_by = vec![BTreeSet::new(); a.items.len()];
        let mut edges = BTreeSet::new();
        for i in 0..a.items.len() {
            let r = &a.reads[i];
            let mut direct: Vec<usize> = Vec::new();
            direct.extend(r.direct.relations.iter().filter_map(|rel| a.rel(*rel)));
            direct.extend(r.direct.traits.iter().filter_map(|t| a.ir(Kind::Trait, *t)));
            direct.extend(
                r.direct
                    .actions
                    .iter()
                    .filter_map(|x| a.ir(Kind::Action, *x)),
            );
            direct.extend(
                r.direct
                    .segments
                    .iter()
                    .filter_map(|s| a.ir(Kind::Segment, *s)),
            );
            for d in direct {
                edges.insert((d, i));
                a.used_by[d].insert(i);
            }
            let through: Vec<usize> = r.all.relations.iter().filter_map(|x| a.rel(*x)).collect();
            for d in through {
                a.used_by[d].insert(i);
            }
        }
        a.edges = edges.into_iter().collect();
        a
    }

    /// The item of an IR index.
    pub fn ir(&self, kind: Kind, index: usize) -> Option<usize> {
        self.by_ir.get(&(kind, index)).copied()
    }

    pub fn named(&self, kind: Kind, name: &str) -> Option<usize> {
        self.by_name.get(&(kind, name.to_string())).copied()
    }

    /// The item declaring a relation.
    pub fn rel(&self, r: Rel) -> Option<usize> {
        match r {
            Rel::Entity(e) => self.ir(Kind::Entity, e),
            Rel::Events(e) => self.ir(Kind::Events, e),
        }
    }

    /// The dotted table name of a relation.
    pub fn table(&self, r: Rel) -> String {
        let cat = &self.program.catalog;
        match r {
            Rel::Entity(e) => cat.entities[e].table.join("."),
            Rel::Events(e) => cat.events[e].table.join("."),
        }
    }

    /// The dotted table holding a column of a relation: an extra table's for its
    /// columns, else the relation's own.
    pub fn column_table(&self, r: Rel, column: &str) -> String {
        if let Rel::Entity(e) = r {
            let ent = &self.program.catalog.entities[e];
            if let Some(x) = ent.extra_of(column) {
                return ent.extras[x].table.join(".");
            }
        }
        self.table(r)
    }

    /// The tests whose expectations name the item, with what they expect.
    pub fn tests_of(&self, item: usize) -> Vec<(usize, usize)> {
        let it = &self.items[item];
        let mut out = Vec::new();
        for (ti, t) in self.program.tests.iter().enumerate() {
            for (ei, e) in t.expects.iter().enumerate() {
                let hit = match (&e.target, it.kind) {
                    (Target::Segment(s), Kind::Segment) => *s == it.index,
                    (Target::Split(s), Kind::Split) => *s == it.index,
                    (Target::Priority(p), Kind::Priority) => *p == it.index,
                    _ => false,
                };
                if hit {
                    out.push((ti, ei));
                }
            }
        }
        out
    }

    /// `file:line:col` of a span, as the site shows it.
    pub fn location(&self, span: segql_syntax::Span) -> String {
        model::location(self.map, span, self.root)
    }

    /// The node id of an item in the lineage graph (its page without `.html`).
    pub fn node_id(&self, item: usize) -> String {
        let p = &self.items[item].path;
        p.strip_suffix(".html").unwrap_or(p).to_string()
    }
}

/// Whether an action names events itself: one of its alternatives is more than the name
/// of another action.
fn names_events(item: &ast::Item) -> bool {
    match &item.kind {
        ast::ItemKind::Action(a) => a.alternatives.iter().any(|s| {
            !matches!(s.event.names, ast::EventNames::Action(_))
                || s.filter.is_some()
                || s.event.from.is_some()
        }),
        _ => true,
    }
}
