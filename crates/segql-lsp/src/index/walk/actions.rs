//! Actions in the index: `action checkout = "page_viewed" with page = "/checkout" or
//! "purchase"` declares a name used wherever an event goes (`did checkout`,
//! `sum(amount) of checkout`, another action's alternatives). Its alternatives are
//! walked like any event step of its entity, and the relation they are in is the one
//! whose properties an extra `with` on a use names (`did checkout with amount > 100`).

use super::{Scope, Walker};
use crate::index::{ActionInfo, Symbol};
use segql_syntax::ast::{self, EventNames};
use segql_syntax::fmt::{ident_text, step_text};

/// What an action's alternative selects, as far as its relation goes.
pub(super) enum Alternative {
    /// Another action, by name.
    Action(String),
    /// Event names (`None`: any event), and the relation `from` names.
    Events {
        names: Option<Vec<String>>,
        from: Option<String>,
    },
}

impl Walker {
    pub(super) fn declare_action(&mut self, a: &ast::Action) {
        let name = a.name.name.clone();
        if self.ix.actions.contains_key(&name) {
            return;
        }
        self.occ(a.name.span, Symbol::Action(name.clone()), true);
        let of = a
            .entity
            .as_ref()
            .map(|e| format!(" of {}", ident_text(&e.name)))
            .unwrap_or_default();
        let steps: Vec<String> = a.alternatives.iter().map(step_text).collect();
        let definition = format!("action {}{of} = {}", ident_text(&name), steps.join(" or "));
        let alternatives = a
            .alternatives
            .iter()
            .map(|s| match &s.event.names {
                EventNames::Action(id) => Alternative::Action(id.name.clone()),
                EventNames::One(n) => Alternative::Events {
                    names: Some(vec![n.value.clone()]),
                    from: s.event.from.as_ref().map(|f| f.name.clone()),
                },
                EventNames::Many(v) => Alternative::Events {
                    names: Some(v.iter().map(|n| n.value.clone()).collect()),
                    from: s.event.from.as_ref().map(|f| f.name.clone()),
                },
                EventNames::Any => Alternative::Events {
                    names: None,
                    from: s.event.from.as_ref().map(|f| f.name.clone()),
                },
            })
            .collect();
        self.alternatives.insert(name.clone(), alternatives);
        self.ix.actions.insert(
            name.clone(),
            ActionInfo {
                name,
                span: a.name.span,
                entity: a.entity.as_ref().map(|e| e.name.clone()),
                definition,
                events: None,
            },
        );
    }

    /// The relation of every action, once entities are resolved: its first alternative
    /// that resolves (the checker requires them all in one relation).
    pub(super) fn resolve_actions(&mut self) {
        let mut names: Vec<String> = self.ix.actions.keys().cloned().collect();
        names.sort();
        for n in names {
            let rel = self.action_relation(&n, &mut Vec::new());
            if let Some(info) = self.ix.actions.get_mut(&n) {
                info.events = rel;
            }
        }
    }

    /// `seen`: the actions being resolved (a cycle resolves to nothing).
    fn action_relation(&self, name: &str, seen: &mut Vec<String>) -> Option<String> {
        if seen.iter().any(|s| s == name) {
            return None;
        }
        seen.push(name.to_string());
        let entity = self.ix.actions.get(name)?.entity.clone()?;
        for alt in self.alternatives.get(name)? {
            let rel = match alt {
                Alternative::Action(other) => self.action_relation(other, seen),
                Alternative::Events {
                    from: Some(from), ..
                } => self
                    .ix
                    .events
                    .get(from)
                    .filter(|e| e.entity == entity)
                    .map(|e| e.name.clone()),
                Alternative::Events { names, from: None } => self
                    .ix
                    .implied_events(&entity, names.as_deref())
                    .map(|e| e.name.clone()),
            };
            if rel.is_some() {
                return rel;
            }
        }
        None
    }

    /// The body of an action: its entity, and each alternative as an event step of it.
    pub(super) fn action_body(&mut self, a: &ast::Action) {
        if let Some(e) = &a.entity {
            self.entity_use(e);
        }
        // A second declaration of a name is not indexed: its body is not the declared
        // action's.
        let Some(info) = self.ix.actions.get(&a.name.name) else {
            return;
        };
        if !info.span.same_as(a.name.span) {
            return;
        }
        let scope = Scope {
            entity: info.entity.clone(),
            filter: None,
        };
        for alt in &a.alternatives {
            self.step(alt, &scope);
        }
    }

    /// A step that names an action (`did checkout with amount > 100`): the action, and
    /// the properties of its relation in the step's own `with`.
    pub(super) fn action_step(&mut self, id: &ast::Ident, s: &ast::EventStep, entity: String) {
        let Some(info) = self.ix.actions.get(&id.name) else {
            return;
        };
        let rel = info.events.clone();
        self.occ(id.span, Symbol::Action(id.name.clone()), false);
        // `from` after an action is an error (the checker says so); the name is still
        // the relation's.
        if let Some(from) = &s.event.from {
            let found = self
                .ix
                .events
                .get(&from.name)
                .filter(|e| e.entity == entity)
                .map(|e| e.name.clone());
            if let Some(r) = found {
                self.occ(from.span, Symbol::Events(r), false);
            }
        }
        if let (Some(rel), Some(f)) = (rel, &s.filter) {
            let inner = Scope {
                entity: Some(entity),
                filter: Some(rel),
            };
            self.cond(f, &inner);
        }
    }

    /// The relation whose properties an aggregate of a step reads (`sum(amount) of
    /// "purchase"`, `... of checkout`).
    pub(super) fn step_relation(&self, s: &ast::EventStep, entity: &str) -> Option<String> {
        let names: Option<Vec<String>> = match &s.event.names {
            EventNames::Action(id) => return self.ix.actions.get(&id.name)?.events.clone(),
            EventNames::One(n) => Some(vec![n.value.clone()]),
            EventNames::Many(v) => Some(v.iter().map(|n| n.value.clone()).collect()),
            EventNames::Any => None,
        };
        match &s.event.from {
            Some(f) => self.ix.events.get(&f.name).map(|e| e.name.clone()),
            None => self
                .ix
                .implied_events(entity, names.as_deref())
                .map(|e| e.name.clone()),
        }
    }
}
