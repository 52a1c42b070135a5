//! Segments and traits: their names first (so that a reference may come before the
//! declaration), then each body, with cycles and unknown names reported at the reference.

use super::*;

impl<'a> Checker<'a> {
    pub(super) fn collect_names(&mut self, items: &[&'a ast::Item]) {
        // Segments, splits, priority lists and reports share one namespace; traits have
        // their own (they are values, not audiences).
        let mut audiences: HashMap<String, Span> = HashMap::new();
        let mut traits: HashMap<String, Span> = HashMap::new();
        let mut actions: HashMap<String, Span> = HashMap::new();
        for item in items {
            let (name, kind) = match &item.kind {
                ast::ItemKind::Segment(s) => (&s.name, "segment"),
                ast::ItemKind::Split(s) => (&s.name, "split"),
                ast::ItemKind::Priority(p) => (&p.name, "priority"),
                ast::ItemKind::Report(r) => (&r.name, "report"),
                ast::ItemKind::Trait(t) => (&t.name, "trait"),
                ast::ItemKind::Action(a) => (&a.name, "action"),
                _ => continue,
            };
            let table = match kind {
                "trait" => &mut traits,
                "action" => &mut actions,
                _ => &mut audiences,
            };
            if let Some(first) = table.get(&name.name) {
                let d = Diagnostic::error(
                    codes::DUPLICATE_NAME,
                    name.span,
                    format!("`{}` is declared twice", name.name),
                )
                .with_label("declared again here")
                .with_secondary(*first, "first declared here")
                .with_hint(match kind {
                    "trait" => "rename one of the traits",
                    "action" => "rename one of the actions",
                    _ => "segments, splits, priority lists and reports share one set of names",
                });
                self.err(d);
                continue;
            }
            table.insert(name.name.clone(), name.span);
            let kind = match item.kind {
                ast::ItemKind::Split(_) => Some("split"),
                ast::ItemKind::Priority(_) => Some("priority list"),
                ast::ItemKind::Report(_) => Some("report"),
                _ => None,
            };
            if let Some(kind) = kind {
                self.declared_lists.insert(name.name.clone(), kind);
            }
            match &item.kind {
                ast::ItemKind::Segment(s) => {
                    self.segment_asts.insert(s.name.name.clone(), s);
                }
                ast::ItemKind::Trait(t) => {
                    self.trait_asts.insert(t.name.name.clone(), t);
                }
                ast::ItemKind::Action(a) => {
                    self.action_asts.insert(a.name.name.clone(), a);
                }
                _ => {}
            }
        }
    }

    /// The entity a segment or trait is of: as written, else `user` if declared, else
    /// the only entity.
    pub(super) fn owner_entity(
        &mut self,
        of: Option<&ast::Ident>,
        name: &ast::Ident,
        what: &str,
    ) -> Option<EntityId> {
        if let Some(of) = of {
            return self.entity(of);
        }
        if let Some(&id) = self.entity_ids.get("user") {
            return Some(id);
        }
        if self.program.catalog.entities.len() == 1 {
            return Some(0);
        }
        let names: Vec<&str> = self
            .program
            .catalog
            .entities
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        let d = Diagnostic::error(
            codes::NO_DEFAULT_ENTITY,
            name.span,
            format!("which entity is {what} `{}` of?", name.name),
        )
        .with_label("no `of ENTITY`, and there is no entity `user`")
        .with_hint(if names.is_empty() {
            "declare an entity first: entity user { table analytics.users  key user_id }".to_string()
        } else {
            format!(
                "write `{what} {} of ENTITY`; the entities are {} (without `of`, `user` is assumed)",
                name.name,
                list_names(names.iter().copied())
            )
        });
        self.err(d);
        None
    }

    // -----------------------------------------------------------------------------------
    // Items
    // -----------------------------------------------------------------------------------

    pub(super) fn check_items(&mut self, items: &[&'a ast::Item]) {
        for item in items {
            if let ast::ItemKind::Action(a) = &item.kind {
                self.action_by_name(&a.name.name, None);
            }
        }
        for item in items {
            match &item.kind {
                ast::ItemKind::Segment(s) => {
                    self.segment_by_name(&s.name.name, None);
                }
                ast::ItemKind::Trait(t) => {
                    self.trait_by_name(&t.name.name, None);
                }
                _ => {}
            }
        }
        for item in items {
            match &item.kind {
                ast::ItemKind::Report(r) => self.report(r, item.span),
                ast::ItemKind::Split(s) => self.split(s, item.span),
                ast::ItemKind::Priority(p) => self.priority(p, item.span),
                _ => {}
            }
        }
        for item in items {
            match &item.kind {
                ast::ItemKind::Test(t) => self.test(t, item.span),
                ast::ItemKind::Assert(a) => self.assert(a, item.span),
                _ => {}
            }
        }
    }

    pub(super) fn cycle_error(&mut self, name: &str, at: Span, kind: &str) {
        let start = self.stack.iter().position(|(n, _)| n == name).unwrap_or(0);
        let chain = &self.stack[start..];
        let last = chain.last().map(|(n, _)| n.clone()).unwrap_or_default();
        let mut d = if chain.len() <= 1 {
            Diagnostic::error(
                codes::CYCLE,
                at,
                format!("{kind} `{name}` refers to itself"),
            )
            .with_label(format!("`{name}` is the {kind} being defined"))
            .with_hint(format!(
                "a {kind} cannot depend on itself; remove this reference"
            ))
        } else {
            let mut path: Vec<&str> = chain.iter().map(|(n, _)| n.as_str()).collect();
            path.push(name);
            Diagnostic::error(
                codes::CYCLE,
                at,
                format!("{kind} `{name}` refers to itself: {}", path.join(" → ")),
            )
            .with_label(format!("`{last}` refers to `{name}`, closing the cycle"))
            .with_hint(if kind == "action" {
                "an action cannot name itself through other actions: remove one of these references"
            } else {
                "a segment or trait cannot depend on itself through others: remove one of these references"
            })
        };
        // The other references of the cycle, each where it is written.
        for pair in chain.windows(2) {
            if let (Some(span), (from, _)) = (pair[1].1, &pair[0]) {
                d = d.with_secondary(span, format!("`{from}` refers to `{}`", pair[1].0));
            }
        }
        self.err(d);
    }

    /// Checks a segment (once) and returns its id. `at`: the span of the reference that
    /// asked for it, for cycle messages.
    pub(super) fn segment_by_name(&mut self, name: &str, at: Option<Span>) -> Option<SegmentId> {
        match self.segment_state.get(name) {
            Some(State::Done(id)) => return *id,
            Some(State::Visiting) => {
                self.cycle_error(name, at.unwrap_or_default(), "segment");
                return None;
            }
            None => {}
        }
        let s = *self.segment_asts.get(name)?;
        self.segment_state.insert(name.to_string(), State::Visiting);
        self.stack.push((name.to_string(), at));
        let result = self.segment(s);
        self.stack.pop();
        let id = result.map(|def| {
            self.program.segments.push(def);
            self.program.segments.len() - 1
        });
        self.segment_state.insert(name.to_string(), State::Done(id));
        id
    }

    pub(super) fn segment(&mut self, s: &'a ast::Segment) -> Option<SegmentDef> {
        let entity = self.owner_entity(s.entity.as_ref(), &s.name, "segment")?;
        self.used_entities.insert(entity);
        let mut ctx = Ctx {
            entity,
            score: None,
            filter: None,
        };
        if let Some(sb) = &s.score {
            ctx.score = Some(self.score_block(sb, &ctx)?.0);
        }
        let cond = self.cond(s.condition.as_ref()?, &ctx)?;
        Some(SegmentDef {
            name: s.name.name.clone(),
            entity,
            description: s.meta.description.as_ref().map(|d| d.value.clone()),
            owner: s.meta.owner.as_ref().map(|d| d.value.clone()),
            tags: s.meta.tags.iter().map(|t| t.value.clone()).collect(),
            cond,
            span: s.name.span,
        })
    }

    pub(super) fn trait_by_name(&mut self, name: &str, at: Option<Span>) -> Option<usize> {
        match self.trait_state.get(name) {
            Some(State::Done(id)) => return *id,
            Some(State::Visiting) => {
                self.cycle_error(name, at.unwrap_or_default(), "trait");
                return None;
            }
            None => {}
        }
        let t = *self.trait_asts.get(name)?;
        self.trait_state.insert(name.to_string(), State::Visiting);
        self.stack.push((name.to_string(), at));
        let result = self.trait_(t);
        self.stack.pop();
        let id = result.map(|def| {
            self.program.traits.push(def);
            self.program.traits.len() - 1
        });
        self.trait_state.insert(name.to_string(), State::Done(id));
        id
    }

    pub(super) fn trait_(&mut self, t: &'a ast::Trait) -> Option<TraitDef> {
        let entity = self.owner_entity(t.entity.as_ref(), &t.name, "trait")?;
        self.used_entities.insert(entity);
        let ent = &self.program.catalog.entities[entity];
        if ent.column(&t.name.name).is_some() {
            let table = match ent.extra_of(&t.name.name) {
                Some(x) => format!("its extra table `{}`", ent.extras[x].name),
                None => format!("`{}`", ent.table.join(".")),
            };
            let d = Diagnostic::error(
                codes::AMBIGUOUS,
                t.name.span,
                format!(
                    "`{}` is both a trait and a column of `{}` (in {table})",
                    t.name.name, ent.name
                ),
            )
            .with_label("also a column")
            .with_hint(
                "a column of this name would hide the trait wherever it is used: rename the trait",
            );
            self.err(d);
        }
        let ctx = Ctx {
            entity,
            score: None,
            filter: None,
        };
        let (value, ty) = self.value(&t.value, &ctx)?;
        Some(TraitDef {
            name: t.name.name.clone(),
            entity,
            value,
            ty,
            span: t.name.span,
        })
    }

    pub(super) fn score_block(
        &mut self,
        sb: &ast::ScoreBlock,
        ctx: &Ctx,
    ) -> Option<(Scalar, Type)> {
        let mut rules = Vec::new();
        let mut ok = true;
        let mut ty = Type::Int;
        for r in &sb.rules {
            let weight = lit(&r.weight.kind)?;
            if weight.ty() == Type::Decimal {
                ty = Type::Decimal;
            }
            match self.cond(&r.cond, ctx) {
                Some(c) => rules.push((weight, c)),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        Some((Scalar::Score(rules), ty))
    }

    /// A segment named by a reference (`in X`, report lists, ...): must exist and be of
    /// `entity` when given.
    ///
    /// `quantifier_hint`: whether a condition is being checked, where a segment of a
    /// related entity can be reached with a quantifier.
    pub(super) fn segment_ref(
        &mut self,
        name: &ast::Ident,
        entity: Option<EntityId>,
        quantifier_hint: bool,
    ) -> Option<SegmentId> {
        if !self.segment_asts.contains_key(&name.name) {
            let mut d = Diagnostic::error(
                codes::UNKNOWN_SEGMENT,
                name.span,
                format!("there is no segment `{}`", name.name),
            )
            .with_label("not a segment");
            let mut names: Vec<&str> = self.segment_asts.keys().map(|s| s.as_str()).collect();
            names.sort();
            if let Some(s) = did_you_mean(&name.name, names.iter().copied()) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            } else if self.trait_asts.contains_key(&name.name) {
                d = d.with_hint(format!(
                    "`{}` is a trait; compare it with a value: {} >= 10",
                    name.name, name.name
                ));
            } else if let Some(&kind) = self.declared_lists.get(&name.name) {
                d = d.with_hint(match kind {
                    "split" => format!(
                        "`{}` is a split, not a segment; name its groups in a test: expect {}.GROUP = [...]",
                        name.name, name.name
                    ),
                    _ => format!(
                        "`{}` is a {kind}, not a segment; name one of the segments it lists",
                        name.name
                    ),
                });
            } else {
                d = d.with_hint(format!(
                    "the segments are {}",
                    list_names(names.iter().copied())
                ));
            }
            self.err(d);
            return None;
        }
        let id = self.segment_by_name(&name.name, Some(name.span))?;
        if let Some(e) = entity {
            let seg = &self.program.segments[id];
            if seg.entity != e {
                let cat = &self.program.catalog;
                let (of, here) = (&cat.entities[seg.entity].name, &cat.entities[e].name);
                let related = cat.entities[seg.entity]
                    .refs
                    .iter()
                    .filter(|r| r.target == e)
                    .count()
                    == 1;
                let hint = if related && quantifier_hint {
                    format!(
                        "a segment of {here} uses segments of {here}; to ask about the {of}s of {an} {here}, use a quantifier: any {of} where in {}",
                        name.name,
                        an = if here.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" },
                    )
                } else {
                    format!("segments of {here} can only be combined with segments of {here}")
                };
                let d = Diagnostic::error(
                    codes::ENTITY_MISMATCH,
                    name.span,
                    format!("`{}` is a segment of {of}, not of {here}", name.name),
                )
                .with_label(format!("a segment of {of}"))
                .with_hint(hint);
                self.err(d);
                return None;
            }
        }
        Some(id)
    }
}
