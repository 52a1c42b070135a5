//! What every name in a project's files stands for: the declarations (entities,
//! columns, events relations and their properties, event names, segments, traits,
//! actions, reports, splits and their groups, priority lists, tests) and every place one
//! is named.
//!
//! The index is built from the parsed files alone, by the checker's scoping rules
//! (docs/language.md): a segment's names are its entity's columns, its references
//! (`company.industry`) and traits; a `with` filter's are its events relation's
//! properties (after an action, `did checkout with ...`, the action's relation's); an
//! event name belongs to the relation `from` names, else to the one that holds it; an
//! action's alternatives are event steps of its entity. It does not need the files to
//! check, so navigation keeps working while a file is half-written; a name that does not
//! resolve is simply not in the index (the checker reports it). The first declaration of
//! a name wins, as in the checker.

mod walk;

use segql_syntax::ast::{self, Type};
use segql_syntax::{FileId, Span};
use std::collections::HashMap;

/// Something a name can stand for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Symbol {
    Entity(String),
    /// A column of an entity (its key included).
    Column {
        entity: String,
        name: String,
    },
    /// An events relation.
    Events(String),
    /// A column of an events relation: a property, or its key, name or time column.
    Property {
        events: String,
        name: String,
    },
    /// An event name (`"purchase"`) in the relation that holds it.
    Event {
        events: String,
        name: String,
    },
    Segment(String),
    Trait(String),
    /// A named action (`action checkout = ...`), used where an event goes.
    Action(String),
    Report(String),
    Metric {
        report: String,
        name: String,
    },
    Split(String),
    Group {
        split: String,
        name: String,
    },
    Priority(String),
    Test(String),
}

/// A reference navigated by name: `company` in `company.industry` (the reference
/// declared on `user.account_id`), or `user` in `at least 3 user did ...` (the same
/// reference, seen from the account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// The entity that declares the reference.
    pub entity: String,
    /// Its referencing column.
    pub column: String,
    /// The name the reference is navigated by.
    pub nav: String,
    /// The referenced entity.
    pub target: String,
}

#[derive(Debug, Clone)]
pub struct Occurrence {
    pub span: Span,
    pub symbol: Symbol,
    /// True where the symbol is declared.
    pub def: bool,
    pub via: Option<Via>,
}

/// One column of an entity or events relation, as declared.
#[derive(Debug, Clone)]
pub struct ColumnInfo {
    pub name: String,
    pub ty: Type,
    pub span: Span,
    /// `references ENTITY [as NAV]`: (entity, nav).
    pub references: Option<(String, String)>,
    /// A column of an extra table: (its name, its table).
    pub extra: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct EntityInfo {
    pub name: String,
    pub span: Span,
    pub description: Option<String>,
    pub table: String,
    pub key: String,
    pub key_span: Span,
    pub columns: Vec<ColumnInfo>,
}

impl EntityInfo {
    pub fn column(&self, name: &str) -> Option<&ColumnInfo> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The type of the key column: declared among the columns, else a string.
    pub fn key_type(&self) -> Type {
        self.column(&self.key).map_or(Type::String, |c| c.ty)
    }
}

#[derive(Debug, Clone)]
pub enum EventSourceInfo {
    /// The column holding the event name, and where it is named.
    Column(String, Span),
    /// The one event every row is, and where it is written.
    Fixed(String, Span),
}

#[derive(Debug, Clone)]
pub struct EventsInfo {
    pub name: String,
    pub span: Span,
    pub entity: String,
    pub description: Option<String>,
    pub table: String,
    pub key: String,
    pub key_span: Span,
    pub source: EventSourceInfo,
    pub time: String,
    pub time_span: Span,
    pub properties: Vec<ColumnInfo>,
}

impl EventsInfo {
    /// A column of the relation a `with` filter or a test table can name: a property,
    /// the time, the key or the name column, with its type and declaration.
    pub fn column(&self, name: &str, key_ty: Type) -> Option<(Type, Span)> {
        if let Some(p) = self.properties.iter().find(|p| p.name == name) {
            return Some((p.ty, p.span));
        }
        if name == self.time {
            return Some((Type::Timestamp, self.time_span));
        }
        if name == self.key {
            return Some((key_ty, self.key_span));
        }
        match &self.source {
            EventSourceInfo::Column(c, span) if c == name => Some((Type::String, *span)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SegmentInfo {
    pub name: String,
    pub span: Span,
    /// The entity it is of, resolved (`None` when there is no default entity).
    pub entity: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    /// The condition as the formatter writes it.
    pub condition: Option<String>,
    pub has_score: bool,
}

#[derive(Debug, Clone)]
pub struct TraitInfo {
    pub name: String,
    pub span: Span,
    pub entity: Option<String>,
    /// `trait NAME = VALUE` as the formatter writes it.
    pub definition: String,
}

#[derive(Debug, Clone)]
pub struct ActionInfo {
    pub name: String,
    pub span: Span,
    /// The entity it is of, resolved (`None` when there is no default entity).
    pub entity: Option<String>,
    /// `action NAME = STEP or STEP` as the formatter writes it on one line.
    pub definition: String,
    /// The events relation its events are in, when it resolves.
    pub events: Option<String>,
}

/// A report, split, priority list or test: a name, where, and what it lists.
#[derive(Debug, Clone)]
pub struct ListInfo {
    pub name: String,
    pub span: Span,
    pub description: Option<String>,
    /// Segments listed (a split's one segment).
    pub segments: Vec<String>,
    /// A split's groups with their percentages, a report's metrics.
    pub parts: Vec<(String, String, Span)>,
}

/// The index of a project: declarations by name and every occurrence by file.
#[derive(Debug, Default)]
pub struct Index {
    pub entities: HashMap<String, EntityInfo>,
    pub events: HashMap<String, EventsInfo>,
    pub segments: HashMap<String, SegmentInfo>,
    pub traits: HashMap<String, TraitInfo>,
    pub actions: HashMap<String, ActionInfo>,
    pub reports: HashMap<String, ListInfo>,
    pub splits: HashMap<String, ListInfo>,
    pub priorities: HashMap<String, ListInfo>,
    pub tests: HashMap<String, ListInfo>,
    /// Event names seen anywhere (steps, fixed relations), by relation.
    pub event_names: HashMap<String, Vec<String>>,
    /// The entity a segment, trait or action without `of` is of.
    pub default_entity: Option<String>,
    /// Every occurrence, sorted by file and start.
    occurrences: Vec<Occurrence>,
}

impl Index {
    /// Indexes the files of one project (parsed, possibly with errors).
    pub fn build(files: &[(FileId, &ast::File)]) -> Index {
        walk::build(files)
    }

    /// The occurrence under a byte offset of a file. Occurrences are names, which
    /// never overlap; a cursor just after a name (`plan|`) is on it, unless another
    /// starts right there.
    pub fn at(&self, file: FileId, offset: u32) -> Option<&Occurrence> {
        let upto = self
            .occurrences
            .partition_point(|o| (o.span.file, o.span.start) <= (file, offset));
        let mut touching = None;
        for o in self.occurrences[..upto]
            .iter()
            .rev()
            .take_while(|o| o.span.file == file)
            .take(4)
        {
            if o.span.start <= offset && offset < o.span.end {
                return Some(o);
            }
            if o.span.end == offset {
                touching.get_or_insert(o);
            }
        }
        touching
    }

    /// Every occurrence of a symbol, in file and source order.
    pub fn occurrences_of<'a>(&'a self, s: &'a Symbol) -> impl Iterator<Item = &'a Occurrence> {
        self.occurrences.iter().filter(move |o| &o.symbol == s)
    }

    /// Where a symbol is declared. An event name of a relation with a name column is
    /// declared nowhere: its relation is the nearest thing.
    pub fn definition(&self, s: &Symbol) -> Option<Span> {
        if let Some(o) = self.occurrences_of(s).find(|o| o.def) {
            return Some(o.span);
        }
        match s {
            Symbol::Event { events, .. } => self.events.get(events).map(|e| e.span),
            _ => None,
        }
    }

    /// The actions of an entity, by name.
    pub fn actions_of(&self, entity: &str) -> Vec<&ActionInfo> {
        let mut v: Vec<&ActionInfo> = self
            .actions
            .values()
            .filter(|a| a.entity.as_deref() == Some(entity))
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// The events relations of an entity, by name.
    pub fn events_of(&self, entity: &str) -> Vec<&EventsInfo> {
        let mut v: Vec<&EventsInfo> = self
            .events
            .values()
            .filter(|e| e.entity == entity)
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// The relation that holds these events without `from`: a fixed-event relation
    /// whose event is named, else the one relation with a name column (the checker's
    /// rule).
    pub fn implied_events(&self, entity: &str, names: Option<&[String]>) -> Option<&EventsInfo> {
        let of = self.events_of(entity);
        let fixed: Vec<&EventsInfo> = of
            .iter()
            .copied()
            .filter(|e| match (&e.source, names) {
                (EventSourceInfo::Fixed(f, _), Some(ns)) => ns.iter().all(|n| n == f),
                _ => false,
            })
            .collect();
        let named: Vec<&EventsInfo> = of
            .iter()
            .copied()
            .filter(|e| matches!(e.source, EventSourceInfo::Column(..)))
            .collect();
        match (fixed.as_slice(), named.as_slice()) {
            ([one], _) => Some(one),
            ([], [one]) => Some(one),
            _ => None,
        }
    }

    /// The references declared on an entity's columns: (column, nav, target).
    pub fn refs_of(&self, entity: &str) -> Vec<(String, String, String)> {
        self.entities.get(entity).map_or_else(Vec::new, |e| {
            e.columns
                .iter()
                .filter_map(|c| {
                    let (target, nav) = c.references.as_ref()?;
                    Some((c.name.clone(), nav.clone(), target.clone()))
                })
                .collect()
        })
    }

    /// The entities with a reference to `entity` (what a quantifier can range over).
    pub fn referencing(&self, entity: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .entities
            .values()
            .filter(|e| {
                e.columns.iter().any(|c| {
                    c.references
                        .as_ref()
                        .is_some_and(|(target, _)| target == entity)
                })
            })
            .map(|e| e.name.clone())
            .collect();
        v.sort();
        v
    }
}
