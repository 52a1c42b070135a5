//! Behaviour: windows and points in time, events relations, `did`, sequences and
//! quantifiers over related entities (`stopped` and `restarted` are in `lapses`).

use super::*;

impl<'a> Checker<'a> {
    pub(super) fn time_point(
        &mut self,
        t: &ast::TimePoint,
    ) -> Option<(TimePoint, Option<i64>, bool)> {
        // (point, absolute micros when known, whether it is a whole day)
        match t {
            ast::TimePoint::Lit(l) => match l.kind {
                LitKind::Date(d) => Some((TimePoint::At(day_start(d)), Some(day_start(d)), true)),
                LitKind::Timestamp(ts) => Some((TimePoint::At(ts), Some(ts), false)),
                _ => None,
            },
            ast::TimePoint::Ago(d) if d.n == 0 => {
                self.err(
                    Diagnostic::error(
                        codes::EMPTY_WINDOW,
                        d.span,
                        format!("`0 {} ago` is written `now`", d.unit.plural()),
                    )
                    .with_label("write `now`")
                    .with_hint("`now` is the run's as_of: `between 2024-01-01 and now`, or `since 2024-01-01`"),
                );
                None
            }
            ast::TimePoint::Ago(d) => {
                self.positive_duration(d)?;
                Some((TimePoint::Ago(duration(d)), None, false))
            }
            ast::TimePoint::Now => Some((TimePoint::AsOf, None, false)),
        }
    }

    /// A window that starts at `now` holds no event: nothing at or after as_of counts.
    pub(super) fn starts_now(&mut self, w: &ast::Window) -> Result<(), ()> {
        self.err(
            Diagnostic::error(codes::EMPTY_WINDOW, w.span, "this window starts at `now`, so it holds no event")
                .with_label("nothing at or after `now` counts")
                .with_hint("`now` is the run's as_of and ends every window: `since 2024-01-01`, `between 2024-01-01 and now`"),
        );
        Err(())
    }

    /// A window written after an event. `Err(())` after an error; `Ok(None)` for
    /// `in at least K of last N` (handled by the caller).
    pub(super) fn window(&mut self, w: Option<&ast::Window>) -> Result<TimeWindow, ()> {
        let Some(w) = w else {
            return Ok(TimeWindow::EVER);
        };
        match &w.kind {
            ast::WindowKind::Ever => Ok(TimeWindow::EVER),
            ast::WindowKind::Last(d) => {
                self.positive_duration(d).ok_or(())?;
                Ok(TimeWindow {
                    start: Some(TimePoint::Ago(duration(d))),
                    end: TimePoint::AsOf,
                })
            }
            ast::WindowKind::Since(ast::TimePoint::Now)
            | ast::WindowKind::Between(ast::TimePoint::Now, _) => {
                self.starts_now(w).map(|_| TimeWindow::EVER)
            }
            ast::WindowKind::Since(a) => {
                let (start, _, _) = self.time_point(a).ok_or(())?;
                Ok(TimeWindow {
                    start: Some(start),
                    end: TimePoint::AsOf,
                })
            }
            ast::WindowKind::Between(a, b) => {
                let (start, sa, _) = self.time_point(a).ok_or(())?;
                let (mut end, sb, whole_day) = self.time_point(b).ok_or(())?;
                if whole_day {
                    if let TimePoint::At(t) = end {
                        end = TimePoint::At(t + MICROS_PER_DAY);
                    }
                }
                let rel = |p: &ast::TimePoint| match p {
                    ast::TimePoint::Ago(d) => Some(duration(d)),
                    _ => None,
                };
                let backwards = match (sa, sb, rel(a), rel(b)) {
                    (Some(x), Some(y), _, _) => x > y,
                    (_, _, Some(x), Some(y)) if x.unit == y.unit => x.n < y.n,
                    _ => false,
                };
                if backwards {
                    let (at, bt) = (time_point_text(a), time_point_text(b));
                    self.err(
                        Diagnostic::error(
                            codes::BAD_RANGE,
                            w.span,
                            "this window starts after it ends",
                        )
                        .with_label(format!("`{at}` is later than `{bt}`"))
                        .with_hint(format!(
                            "write the earlier point first: between {bt} and {at}"
                        )),
                    );
                    return Err(());
                }
                Ok(TimeWindow {
                    start: Some(start),
                    end,
                })
            }
            ast::WindowKind::Periods { .. } => unreachable!("handled by the caller"),
        }
    }

    /// Resolves an event selection to its relation, checking names against fixed-event
    /// relations.
    pub(super) fn events_of(
        &mut self,
        sel: &ast::EventSel,
        ctx: &Ctx,
    ) -> Option<(EventsId, Option<Vec<String>>)> {
        let names: Option<Vec<String>> = match &sel.names {
            ast::EventNames::One(s) => Some(vec![s.value.clone()]),
            ast::EventNames::Many(v) => Some(v.iter().map(|s| s.value.clone()).collect()),
            // An action is resolved by `step` and never reaches here.
            ast::EventNames::Any | ast::EventNames::Action(_) => None,
        };
        let cat = &self.program.catalog;
        let of_entity: Vec<EventsId> = (0..cat.events.len())
            .filter(|&i| cat.events[i].entity == ctx.entity)
            .collect();
        let entity_name = cat.entities[ctx.entity].name.clone();
        let id = match &sel.from {
            Some(from) => self.events_named(from, &of_entity, &entity_name)?,
            None => self.events_implied(sel, &names, &of_entity, &entity_name)?,
        };
        if let (EventSource::Fixed(e), Some(ns)) = (&self.program.catalog.events[id].source, &names)
        {
            if let Some(bad) = ns.iter().find(|n| *n != e) {
                let rel = self.program.catalog.events[id].name.clone();
                self.err(
                    Diagnostic::error(
                        codes::UNKNOWN_EVENTS,
                        sel.span,
                        format!("`{rel}` holds only \"{e}\" events, not \"{bad}\""),
                    )
                    .with_label(format!("not an event of `{rel}`"))
                    .with_hint(format!(
                        "every row of `{rel}` is one \"{e}\"; for \"{bad}\", name the relation that holds it, or leave out `from`"
                    )),
                );
                return None;
            }
        }
        if let (Some(declared), Some(ns)) = (&self.program.catalog.events[id].names, &names) {
            if let Some(bad) = ns.iter().find(|n| !declared.contains(n)) {
                let rel = self.program.catalog.events[id].name.clone();
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_EVENT_NAME,
                    sel.span,
                    format!("`{rel}` declares no event \"{bad}\""),
                )
                .with_label(format!("not among the names of `{rel}`"));
                d = match did_you_mean(bad, declared.iter().map(String::as_str)) {
                    Some(m) => d.with_hint(format!("did you mean \"{m}\"?")),
                    None => d.with_hint(format!(
                        "`{rel}` declares {}; add \"{bad}\" to its `names` if it is a new event",
                        quoted_names(declared)
                    )),
                };
                self.err(d);
                return None;
            }
        }
        self.used_events.insert(id);
        // Names are redundant for a fixed-event relation: every row matches.
        let names = match &self.program.catalog.events[id].source {
            EventSource::Fixed(_) => None,
            EventSource::Column(_) => names,
        };
        Some((id, names))
    }

    /// An event step: relation, names and property condition.
    /// The events relation `from NAME` names, of the entity.
    fn events_named(
        &mut self,
        from: &ast::Ident,
        of_entity: &[EventsId],
        entity_name: &str,
    ) -> Option<EventsId> {
        let cat = &self.program.catalog;
        match of_entity.iter().find(|&&i| cat.events[i].name == from.name) {
            Some(&i) => Some(i),
            None => {
                if self.broken_events.contains(&from.name) {
                    return None; // already reported where it is declared
                }
                let cands: Vec<&str> = of_entity
                    .iter()
                    .map(|&i| cat.events[i].name.as_str())
                    .collect();
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_EVENTS,
                    from.span,
                    format!("`{entity_name}` has no events relation `{}`", from.name),
                )
                .with_label(format!("not an events relation of `{entity_name}`"));
                if let Some(other) = cat.events.iter().find(|e| e.name == from.name) {
                    let of = &cat.entities[other.entity].name;
                    d = d.with_secondary(
                        other.span,
                        format!("`{}` holds events of `{of}`", other.name),
                    );
                }
                d = match did_you_mean(&from.name, cands.iter().copied()) {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint(format!(
                        "its events relations are {}",
                        list_names(cands.iter().copied())
                    )),
                };
                self.err(d);
                None
            }
        }
    }

    /// The events relation that holds the named events, without `from`: a fixed-event
    /// relation whose event is named, else the one relation with a name column.
    fn events_implied(
        &mut self,
        sel: &ast::EventSel,
        names: &Option<Vec<String>>,
        of_entity: &[EventsId],
        entity_name: &str,
    ) -> Option<EventsId> {
        let cat = &self.program.catalog;
        if of_entity.is_empty() {
            if !self.broken_events.is_empty() {
                return None; // a relation that might hold them was rejected
            }
            self.err(
                Diagnostic::error(
                    codes::UNKNOWN_EVENTS,
                    sel.span,
                    format!("`{entity_name}` has no events"),
                )
                .with_label(format!("no events relation of `{entity_name}` is declared"))
                .with_hint(format!(
                    "declare them: events of {entity_name} {{ table ...  key ...  name ...  time ... }}"
                )),
            );
            return None;
        }
        // A fixed-event relation whose event is named wins; else the one relation with
        // a name column.
        let fixed: Vec<EventsId> = of_entity
            .iter()
            .copied()
            .filter(|&i| match (&cat.events[i].source, names) {
                (EventSource::Fixed(e), Some(ns)) => ns.iter().all(|n| n == e),
                _ => false,
            })
            .collect();
        let mut named: Vec<EventsId> = of_entity
            .iter()
            .copied()
            .filter(|&i| matches!(cat.events[i].source, EventSource::Column(_)))
            .collect();
        // Of several relations with a name column, the one whose declared names hold
        // every name asked for.
        if let (true, Some(ns)) = (named.len() > 1, names) {
            let declaring: Vec<EventsId> = named
                .iter()
                .copied()
                .filter(|&i| {
                    cat.events[i]
                        .names
                        .as_ref()
                        .is_some_and(|d| ns.iter().all(|n| d.contains(n)))
                })
                .collect();
            if declaring.len() == 1 {
                named = declaring;
            }
        }
        match (fixed.as_slice(), named.as_slice()) {
            ([one], _) => Some(*one),
            ([], [one]) => Some(*one),
            ([], []) => {
                if !self.broken_events.is_empty() {
                    return None; // a relation that might hold it was rejected
                }
                let fixed_names: Vec<String> = of_entity
                    .iter()
                    .filter_map(|&i| match &cat.events[i].source {
                        EventSource::Fixed(e) => {
                            Some(format!("`{}` holds \"{e}\"", cat.events[i].name))
                        }
                        _ => None,
                    })
                    .collect();
                let wanted = match names {
                    Some(ns) => ns
                        .iter()
                        .filter(|n| {
                            !of_entity.iter().any(|&i| {
                                matches!(&cat.events[i].source, EventSource::Fixed(e) if e == *n)
                            })
                        })
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", "),
                    None => "this event".to_string(),
                };
                self.err(
                    Diagnostic::error(
                        codes::UNKNOWN_EVENTS,
                        sel.span,
                        format!("no events relation of `{entity_name}` holds {wanted}"),
                    )
                    .with_label("no relation holds this")
                    .with_hint(format!(
                        "each relation of `{entity_name}` holds one event ({}); declare one with a `name` column for others",
                        fixed_names.join(", ")
                    )),
                );
                None
            }
            (many, others) => {
                let mut cands: Vec<&str> =
                    many.iter().map(|&i| cat.events[i].name.as_str()).collect();
                if many.is_empty() {
                    cands = others
                        .iter()
                        .map(|&i| cat.events[i].name.as_str())
                        .collect();
                }
                self.err(
                    Diagnostic::error(
                        codes::AMBIGUOUS,
                        sel.span,
                        format!("more than one events relation of `{entity_name}` could hold this event"),
                    )
                    .with_label(format!("in {}?", cands.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(" or ")))
                    .with_hint(format!(
                        "say which with `from`: {}",
                        cands.iter().map(|c| format!("from {c}")).collect::<Vec<_>>().join(", ")
                    )),
                );
                None
            }
        }
    }

    /// An event step: relation, names and property condition; a declared action's
    /// (`did checkout`), with the step's own `with` condition added.
    pub(super) fn step(&mut self, s: &ast::EventStep, ctx: &Ctx) -> Option<Step> {
        let (events, names, base, action) = match &s.event.names {
            ast::EventNames::Action(name) => {
                let id = self.action_use(name, s.event.from.as_ref(), ctx)?;
                let a = &self.program.actions[id];
                (a.events, a.names.clone(), a.pred.clone(), Some(id))
            }
            _ => {
                let (events, names) = self.events_of(&s.event, ctx)?;
                (events, names, None, None)
            }
        };
        let own = match &s.filter {
            Some(f) => {
                let fctx = Ctx {
                    entity: ctx.entity,
                    score: None,
                    filter: Some(events),
                };
                Some(self.cond(f, &fctx)?)
            }
            None => None,
        };
        let pred = match (base, own) {
            (Some(a), Some(b)) => Some(Cond::And(vec![a, b])),
            (a, b) => a.or(b),
        };
        Some(Step {
            events,
            names,
            pred,
            action,
        })
    }

    pub(super) fn did(&mut self, d: &ast::Did, ctx: &Ctx) -> Option<Cond> {
        let first = self.step(&d.first, ctx)?;
        if !d.then.is_empty() {
            return self.sequence(d, ctx, first);
        }
        if let Some(
            w @ ast::Window {
                kind: ast::WindowKind::Periods { .. },
                ..
            },
        ) = &d.window
        {
            return self.regularly(d, w, first);
        }
        let window = self.window(d.window.as_ref()).ok()?;
        let agg = Scalar::Agg(Box::new(EventAgg {
            kind: AggKind::Count,
            filter: first.filter(window),
        }));
        match &d.freq {
            None => Some(Cond::Cmp(agg, CmpOp::Ge, Scalar::Lit(Lit::Int(1)))),
            Some(f) => {
                if f.n.value < 0 {
                    self.err(
                        Diagnostic::error(codes::BAD_COUNT, f.n.span, "a negative count")
                            .with_label("below 0")
                            .with_hint("counts are 0 or more: at most 0 times, at least 1 time"),
                    );
                    return None;
                }
                if let Some(max) = &f.max {
                    return self.count_between(agg, f, max);
                }
                if f.n.value == 0 && f.quant == ast::CountQuant::AtLeast {
                    self.err(
                        Diagnostic::warning(
                            codes::ALWAYS,
                            f.span,
                            "`at least 0 times` is always true",
                        )
                        .with_label("true for everyone")
                        .with_hint("did you mean `at least 1 time`?"),
                    );
                }
                Some(count_cond(agg, f.quant, f.n.value))
            }
        }
    }

    /// `between N and M times`: N ≤ count ≤ M, both at least 0, in order.
    fn count_between(&mut self, agg: Scalar, f: &ast::Freq, max: &ast::IntLit) -> Option<Cond> {
        if max.value < 0 {
            self.err(
                Diagnostic::error(codes::BAD_COUNT, max.span, "a negative count")
                    .with_label("below 0")
                    .with_hint("counts are 0 or more: between 0 and 3 times"),
            );
            return None;
        }
        if f.n.value > max.value {
            self.err(
                Diagnostic::error(codes::BAD_RANGE, f.span, "this count starts after it ends")
                    .with_label(format!("{} is more than {}", f.n.value, max.value))
                    .with_hint(format!(
                        "write the smaller bound first: between {} and {} times",
                        max.value, f.n.value
                    )),
            );
            return None;
        }
        Some(Cond::And(vec![
            count_cond(agg.clone(), ast::CountQuant::AtLeast, f.n.value),
            count_cond(agg, ast::CountQuant::AtMost, max.value),
        ]))
    }

    /// `did A then B [within D] ...`: one events relation, no count, no periods.
    fn sequence(&mut self, d: &ast::Did, ctx: &Ctx, first: Step) -> Option<Cond> {
        if let Some(f) = &d.freq {
            self.err(
                Diagnostic::error(
                    codes::SEQUENCE_SHAPE,
                    f.span,
                    "a sequence cannot be counted",
                )
                .with_label("a count of a sequence")
                .with_hint("counts apply to one event (did \"login\" at least 3 times); for a sequence, remove the count"),
            );
            return None;
        }
        if let Some(w) = &d.window {
            if matches!(w.kind, ast::WindowKind::Periods { .. }) {
                self.err(
                    Diagnostic::error(
                        codes::SEQUENCE_SHAPE,
                        w.span,
                        "a sequence cannot be counted by periods",
                    )
                    .with_label("periods counted for a sequence")
                    .with_hint("write the window as `in last N days`"),
                );
                return None;
            }
        }
        let window = self.window(d.window.as_ref()).ok()?;
        let events = first.events;
        let mut steps = vec![first.seq_step(None)];
        for t in &d.then {
            let step = self.step(&t.step, ctx)?;
            let ev = step.events;
            if ev != events {
                let cat = &self.program.catalog;
                let (this, first) = (&cat.events[ev].name, &cat.events[events].name);
                self.err(
                    Diagnostic::error(
                        codes::SEQUENCE_SHAPE,
                        t.step.span,
                        format!("this step is in `{this}`, the first in `{first}`"),
                    )
                    .with_label(format!("an event of `{this}`"))
                    .with_secondary(d.first.span, format!("an event of `{first}`"))
                    .with_hint(format!(
                        "the steps of a sequence come from one events relation; this sequence can only use events of `{first}`"
                    )),
                );
                return None;
            }
            let within = match &t.within {
                Some(w) => {
                    self.positive_duration(w)?;
                    Some(duration(w))
                }
                None => None,
            };
            steps.push(step.seq_step(within));
        }
        Some(Cond::Sequence(Box::new(Sequence {
            events,
            steps,
            window,
        })))
    }

    pub(super) fn quantified(&mut self, q: &ast::Quantified, ctx: &Ctx) -> Option<Cond> {
        let cat = &self.program.catalog;
        let here = ctx.entity;
        // Entities with references to this one.
        let mut related: Vec<(EntityId, usize)> = Vec::new();
        for (eid, e) in cat.entities.iter().enumerate() {
            for (ri, r) in e.refs.iter().enumerate() {
                if r.target == here {
                    related.push((eid, ri));
                }
            }
        }
        let matching: Vec<(EntityId, usize)> = related
            .iter()
            .copied()
            .filter(|(eid, _)| cat.entities[*eid].name == q.relation.name)
            .collect();
        let (entity, via_ref) = match matching.as_slice() {
            [one] => *one,
            [] => {
                if self.broken_refs.iter().any(|(e, _)| e == &q.relation.name) {
                    return None; // its reference was rejected where it is declared
                }
                let here_ent = &cat.entities[here];
                let here_name = here_ent.name.clone();
                let mut names: Vec<&str> = related
                    .iter()
                    .map(|(e, _)| cat.entities[*e].name.as_str())
                    .collect();
                names.dedup();
                let other = cat.entities.iter().find(|e| e.name == q.relation.name);
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_RELATION,
                    q.relation.span,
                    format!(
                        "no entity called `{}` references `{here_name}`",
                        q.relation.name
                    ),
                )
                .with_label(match other {
                    Some(_) => format!("`{}` has no reference to `{here_name}`", q.relation.name),
                    None => "not an entity".to_string(),
                });
                let suggestion = if other.is_none() {
                    did_you_mean(&q.relation.name, names.iter().copied())
                } else {
                    None
                };
                d = match (suggestion, other) {
                    (Some(s), _) => d.with_hint(format!("did you mean `{s}`?")),
                    // The other entity has a column named like this one's key: it is
                    // probably the reference, undeclared.
                    (None, Some(o)) if o.column(&here_ent.key).is_some() => d.with_hint(format!(
                        "declare `{}`'s column as a reference: {} {} references {}",
                        o.name,
                        segql_syntax::fmt::ident_text(&here_ent.key),
                        here_ent.key_ty.keyword(),
                        segql_syntax::fmt::ident_text(&here_name),
                    )),
                    (None, _) if names.is_empty() => d.with_hint(format!(
                        "a quantifier counts the entities that reference this one; declare the reference on the other entity: {} {} references {}",
                        segql_syntax::fmt::ident_text(&here_ent.key),
                        here_ent.key_ty.keyword(),
                        segql_syntax::fmt::ident_text(&here_name),
                    )),
                    (None, _) => d.with_hint(format!(
                        "the entities that reference `{here_name}` are {}",
                        list_names(names.iter().copied())
                    )),
                };
                self.err(d);
                return None;
            }
            _ => {
                let here_name = cat.entities[here].name.clone();
                self.err(
                    Diagnostic::error(
                        codes::AMBIGUOUS,
                        q.relation.span,
                        format!(
                            "`{}` references `{here_name}` in more than one column",
                            q.relation.name
                        ),
                    )
                    .with_label("which reference?")
                    .with_hint("quantifiers need exactly one reference between the two entities"),
                );
                return None;
            }
        };
        let inner = Ctx {
            entity,
            score: None,
            filter: None,
        };
        self.used_entities.insert(entity);
        let cond = self.cond(&q.cond, &inner)?;
        let quant = match &q.quant {
            ast::Quant::Any => Quant::Any,
            ast::Quant::All => Quant::All,
            ast::Quant::No => Quant::No,
            ast::Quant::Count(cq, n) => {
                if n.value < 0 {
                    self.err(
                        Diagnostic::error(codes::BAD_COUNT, n.span, "a negative count")
                            .with_label("below 0")
                            .with_hint(format!(
                                "counts are 0 or more: at least 1 {} where ...",
                                q.relation.name
                            )),
                    );
                    return None;
                }
                match cq {
                    ast::CountQuant::AtLeast => Quant::AtLeast(n.value),
                    ast::CountQuant::AtMost => Quant::AtMost(n.value),
                    ast::CountQuant::Exactly => Quant::Exactly(n.value),
                }
            }
        };
        Some(Cond::Quantified {
            quant,
            entity,
            via_ref,
            cond: Box::new(cond),
        })
    }
}

/// The first few declared names, quoted, for a hint.
fn quoted_names(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().take(8).map(|n| format!("\"{n}\"")).collect();
    if names.len() > 8 {
        format!("{} and {} more", shown.join(", "), names.len() - 8)
    } else {
        shown.join(", ")
    }
}
