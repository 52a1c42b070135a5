//! Actions: `action checkout = "cart_viewed" with page = "/checkout" or "purchase"`, a
//! named event definition. Each alternative is checked as an event step of the action's
//! entity; together they become one relation, one list of names and one condition
//! (`(name in [...] and COND) or ...`), which every use copies into its filter, so the
//! planner and the dialects see events as they always have.

use super::*;

/// A checked event step: which events of which relation, and the declared action it
/// was written as.
#[derive(Clone)]
pub(crate) struct Step {
    pub events: EventsId,
    pub names: Option<Vec<String>>,
    pub pred: Option<Cond>,
    pub action: Option<ActionId>,
}

impl Step {
    pub fn filter(self, window: TimeWindow) -> EventFilter {
        EventFilter {
            events: self.events,
            action: self.action,
            names: self.names,
            pred: self.pred,
            window,
        }
    }

    pub fn seq_step(self, within: Option<Duration>) -> SeqStep {
        SeqStep {
            action: self.action,
            names: self.names,
            pred: self.pred,
            within,
        }
    }
}

impl<'a> Checker<'a> {
    /// Checks an action (once) and returns its id. `at`: the span of the reference that
    /// asked for it, for cycle messages.
    pub(super) fn action_by_name(&mut self, name: &str, at: Option<Span>) -> Option<ActionId> {
        match self.action_state.get(name) {
            Some(State::Done(id)) => return *id,
            Some(State::Visiting) => {
                self.cycle_error(name, at.unwrap_or_default(), "action");
                return None;
            }
            None => {}
        }
        let a = *self.action_asts.get(name)?;
        self.action_state.insert(name.to_string(), State::Visiting);
        self.stack.push((name.to_string(), at));
        let result = self.action(a);
        self.stack.pop();
        let id = result.map(|def| {
            self.program.actions.push(def);
            self.program.actions.len() - 1
        });
        self.action_state.insert(name.to_string(), State::Done(id));
        id
    }

    fn action(&mut self, a: &'a ast::Action) -> Option<ActionDef> {
        let entity = self.owner_entity(a.entity.as_ref(), &a.name, "action")?;
        let ctx = Ctx {
            entity,
            score: None,
            filter: None,
        };
        let mut steps = Vec::new();
        for alt in &a.alternatives {
            steps.push((alt, self.step(alt, &ctx)));
        }
        let mut checked: Vec<(&ast::EventStep, Step)> = Vec::new();
        for (alt, s) in steps {
            checked.push((alt, s?));
        }
        let (first_alt, first) = &checked[0];
        let events = first.events;
        if let Some((alt, other)) = checked.iter().find(|(_, s)| s.events != events) {
            let cat = &self.program.catalog;
            let (this, first_rel) = (&cat.events[other.events].name, &cat.events[events].name);
            self.err(
                Diagnostic::error(
                    codes::ACTION_SHAPE,
                    alt.span,
                    format!("this event is in `{this}`, the action's first in `{first_rel}`"),
                )
                .with_label(format!("an event of `{this}`"))
                .with_secondary(first_alt.span, format!("an event of `{first_rel}`"))
                .with_hint(format!(
                    "an action's events come from one events relation; declare another action for the events of `{this}`, and combine them in a segment with `or`"
                )),
            );
            return None;
        }
        let name_column = match &self.program.catalog.events[events].source {
            EventSource::Column(c) => Some(c.clone()),
            EventSource::Fixed(_) => None,
        };
        let mut actions: Vec<ActionId> = Vec::new();
        for u in checked.iter().filter_map(|(_, s)| s.action) {
            if !actions.contains(&u) {
                actions.push(u);
            }
        }
        let (names, pred) = combine(checked.into_iter().map(|(_, s)| s), name_column);
        Some(ActionDef {
            name: a.name.name.clone(),
            entity,
            events,
            names,
            pred,
            actions,
            span: a.name.span,
        })
    }

    /// A use of an action where an event goes: it exists, is of the scope's entity and
    /// has no `from` (the action names its relation).
    pub(super) fn action_use(
        &mut self,
        name: &ast::Ident,
        from: Option<&ast::Ident>,
        ctx: &Ctx,
    ) -> Option<ActionId> {
        if !self.action_asts.contains_key(&name.name) {
            let mut names: Vec<&str> = self.action_asts.keys().map(String::as_str).collect();
            names.sort();
            let mut d = Diagnostic::error(
                codes::UNKNOWN_ACTION,
                name.span,
                format!("there is no action `{}`", name.name),
            )
            .with_label("not a declared action");
            d = match did_you_mean(&name.name, names.iter().copied()) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None => d.with_hint(format!(
                    "event names are strings: did \"{}\"; or declare it: action {} = \"...\"",
                    name.name,
                    segql_syntax::fmt::ident_text(&name.name)
                )),
            };
            self.err(d);
            return None;
        }
        self.used_actions.insert(name.name.clone());
        let id = self.action_by_name(&name.name, Some(name.span))?;
        if let Some(from) = from {
            self.err(
                Diagnostic::error(
                    codes::ACTION_SHAPE,
                    from.span,
                    format!("action `{}` already says which events relation it reads", name.name),
                )
                .with_label("`from` after an action")
                .with_hint("remove `from`; to read another relation, name its events in quotes or declare another action"),
            );
            return None;
        }
        let a = &self.program.actions[id];
        if a.entity != ctx.entity {
            let cat = &self.program.catalog;
            let (of, here) = (&cat.entities[a.entity].name, &cat.entities[ctx.entity].name);
            self.err(
                Diagnostic::error(
                    codes::ENTITY_MISMATCH,
                    name.span,
                    format!("`{}` is an action of {of}, not of {here}", name.name),
                )
                .with_label(format!("events of {of}"))
                .with_hint(format!(
                    "this condition is about {here}s: declare an action of {here} (action NAME of {here} = ...), or ask about their {of}s with a quantifier (any {of} did {})",
                    segql_syntax::fmt::ident_text(&name.name)
                )),
            );
            return None;
        }
        Some(id)
    }
}

/// One relation's alternatives as one selection: the names any of them takes (`None`
/// when one takes any event), and the condition that picks, of those, the events of
/// each alternative (`None` when every event of the names qualifies). Without a name
/// column every event has the relation's one name, so only the conditions remain.
fn combine(
    steps: impl Iterator<Item = Step>,
    name_column: Option<String>,
) -> (Option<Vec<String>>, Option<Cond>) {
    let steps: Vec<Step> = steps.collect();
    if let [one] = steps.as_slice() {
        return (one.names.clone(), one.pred.clone());
    }
    let mut names: Option<Vec<String>> = Some(Vec::new());
    for s in &steps {
        match (&mut names, &s.names) {
            (Some(all), Some(ns)) => {
                for n in ns {
                    if !all.contains(n) {
                        all.push(n.clone());
                    }
                }
            }
            _ => names = None,
        }
    }
    let name_in = |ns: &Option<Vec<String>>| -> Option<Cond> {
        let (Some(ns), Some(col)) = (ns, &name_column) else {
            return None;
        };
        let value = Scalar::Column(ColRef {
            owner: ColumnOwner::Event,
            name: col.clone(),
            ty: Type::String,
        });
        Some(match ns.as_slice() {
            [one] => Cond::Cmp(value, CmpOp::Eq, Scalar::Lit(Lit::Str(one.clone()))),
            _ => Cond::In {
                value,
                list: ns.iter().map(|n| Lit::Str(n.clone())).collect(),
            },
        })
    };
    let mut alternatives: Vec<Cond> = Vec::new();
    for s in &steps {
        // What this alternative adds to the union of names: its own names (when they
        // are not all of them) and its condition.
        let own_names = if s.names == names {
            None
        } else {
            name_in(&s.names)
        };
        let parts: Vec<Cond> = own_names.into_iter().chain(s.pred.clone()).collect();
        match parts.len() {
            // Every event of the union qualifies: no condition at all.
            0 => return (names, None),
            1 => alternatives.extend(parts),
            _ => alternatives.push(Cond::And(parts)),
        }
    }
    let mut unique: Vec<Cond> = Vec::new();
    for c in alternatives {
        if !unique.contains(&c) {
            unique.push(c);
        }
    }
    let pred = if unique.len() == 1 {
        unique.pop()
    } else {
        Some(Cond::Or(unique))
    };
    (names, pred)
}
