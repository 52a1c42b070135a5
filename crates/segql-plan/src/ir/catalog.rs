//! The catalog part of the IR: entities with their extra tables, events relations,
//! and the relations they make (what binding, `given` rows and key checks go over).

use super::{EntityId, EventsId};
use segql_syntax::ast::Type;
use segql_syntax::Span;

/// The warehouse relations, from `entity` and `events` declarations.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub entities: Vec<Entity>,
    pub events: Vec<Events>,
}

#[derive(Debug, Clone)]
pub struct Entity {
    pub name: String,
    /// The relation's dotted name, one part per element.
    pub table: Vec<String>,
    pub key: String,
    pub key_ty: Type,
    /// The columns of its own table (the key first when it was not declared).
    pub columns: Vec<Column>,
    /// Many-to-one references declared on this entity's columns.
    pub refs: Vec<Ref>,
    /// More of its columns, in other tables keyed by the entity's key.
    pub extras: Vec<Extra>,
    pub span: Span,
}

impl Entity {
    /// A column of the entity, in its own table or in one of its extra tables.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .chain(self.extras.iter().flat_map(|x| &x.columns))
            .find(|c| c.name == name)
    }

    /// The extra table holding column `name` (`None`: the entity's own table, or no
    /// such column).
    pub fn extra_of(&self, name: &str) -> Option<usize> {
        if self.columns.iter().any(|c| c.name == name) {
            return None;
        }
        self.extras
            .iter()
            .position(|x| x.columns.iter().any(|c| c.name == name))
    }

    /// Every column: its own table's, then each extra table's.
    pub fn all_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns
            .iter()
            .chain(self.extras.iter().flat_map(|x| &x.columns))
    }
}

/// `extra NAME { table T key K columns {..} }`: more columns of an entity in a table
/// with one row per entity or none (no row: the columns are unset).
#[derive(Debug, Clone)]
pub struct Extra {
    /// The name `given` rows use.
    pub name: String,
    /// The relation's dotted name, one part per element.
    pub table: Vec<String>,
    /// The column holding the entity's key (of the entity's key type).
    pub key: String,
    /// Its columns, the key not among them.
    pub columns: Vec<Column>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Column {
    pub name: String,
    pub ty: Type,
}

/// `account_id string references account`: navigated as `account.COLUMN`.
#[derive(Debug, Clone)]
pub struct Ref {
    /// The name it is navigated by.
    pub nav: String,
    /// The referencing column on this entity.
    pub column: String,
    pub target: EntityId,
}

#[derive(Debug, Clone)]
pub struct Events {
    pub name: String,
    pub entity: EntityId,
    pub table: Vec<String>,
    /// The column holding the entity key.
    pub key: String,
    pub source: EventSource,
    /// The column holding the event time.
    pub time: String,
    /// The event names the name column holds, when the catalog declares them (`names
    /// [...]`): a name outside them is an error.
    pub names: Option<Vec<String>>,
    pub properties: Vec<Column>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventSource {
    /// A column holds the event name.
    Column(String),
    /// Every row is this event.
    Fixed(String),
}

impl Events {
    pub fn property(&self, name: &str) -> Option<&Column> {
        self.properties.iter().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relation {
    Entity(EntityId),
    Events(EventsId),
    /// An entity's extra table number `n`.
    Extra(EntityId, usize),
}

impl Catalog {
    /// Every relation: entities, their extra tables, events relations.
    pub fn relations(&self) -> Vec<Relation> {
        let mut out: Vec<Relation> = Vec::new();
        for (e, ent) in self.entities.iter().enumerate() {
            out.push(Relation::Entity(e));
            out.extend((0..ent.extras.len()).map(|x| Relation::Extra(e, x)));
        }
        out.extend((0..self.events.len()).map(Relation::Events));
        out
    }

    /// The name a relation is declared by (`given` uses it).
    pub fn relation_name(&self, rel: &Relation) -> &str {
        match rel {
            Relation::Entity(e) => &self.entities[*e].name,
            Relation::Events(i) => &self.events[*i].name,
            Relation::Extra(e, x) => &self.entities[*e].extras[*x].name,
        }
    }

    /// The key column of an entity's table or of an extra table: one row per key
    /// there. `None` for events.
    pub fn unique_key(&self, rel: &Relation) -> Option<&str> {
        match rel {
            Relation::Entity(e) => Some(&self.entities[*e].key),
            Relation::Extra(e, x) => Some(&self.entities[*e].extras[*x].key),
            Relation::Events(_) => None,
        }
    }

    /// The relation's table, one part per element.
    pub fn relation_table(&self, rel: &Relation) -> &[String] {
        match rel {
            Relation::Entity(e) => &self.entities[*e].table,
            Relation::Events(i) => &self.events[*i].table,
            Relation::Extra(e, x) => &self.entities[*e].extras[*x].table,
        }
    }

    /// The relation's columns with their types, and the ones every row needs (keys,
    /// an event's time and name).
    pub fn relation_columns(&self, rel: &Relation) -> (Vec<Column>, Vec<String>) {
        match rel {
            Relation::Entity(e) => {
                let e = &self.entities[*e];
                (e.columns.clone(), vec![e.key.clone()])
            }
            Relation::Extra(e, x) => {
                let ent = &self.entities[*e];
                let x = &ent.extras[*x];
                let mut cols = vec![Column {
                    name: x.key.clone(),
                    ty: ent.key_ty,
                }];
                cols.extend(x.columns.iter().cloned());
                (cols, vec![x.key.clone()])
            }
            Relation::Events(i) => {
                let ev = &self.events[*i];
                let key_ty = self.entities[ev.entity].key_ty;
                let mut cols = vec![
                    Column {
                        name: ev.key.clone(),
                        ty: key_ty,
                    },
                    Column {
                        name: ev.time.clone(),
                        ty: Type::Timestamp,
                    },
                ];
                let mut required = vec![ev.key.clone(), ev.time.clone()];
                if let EventSource::Column(c) = &ev.source {
                    cols.push(Column {
                        name: c.clone(),
                        ty: Type::String,
                    });
                    required.push(c.clone());
                }
                for p in &ev.properties {
                    if !cols.iter().any(|c| c.name == p.name) {
                        cols.push(p.clone());
                    }
                }
                (cols, required)
            }
        }
    }
}
