//! Values: columns, references, traits, aggregates of events and `ntile`, with their
//! types.

use super::*;

impl<'a> Checker<'a> {
    pub(crate) fn value(&mut self, v: &ast::Value, ctx: &Ctx) -> Option<(Scalar, Type)> {
        use ast::ValueKind as V;
        match &v.kind {
            V::Path(p) => self.path(p, ctx),
            V::Agg(a) => self.aggregate(v, a, ctx),
            V::TimeOf(t) => {
                self.no_filter(ctx, v.span, "`first time of` / `last time of`")?;
                let step = self.step(&t.step, ctx)?;
                let kind = match t.which {
                    ast::FirstLast::First => AggKind::First,
                    ast::FirstLast::Last => AggKind::Last,
                };
                Some((
                    Scalar::Agg(Box::new(EventAgg {
                        kind,
                        filter: step.filter(TimeWindow::EVER),
                    })),
                    Type::Timestamp,
                ))
            }
            V::Ntile(n) => {
                let (k, inner) = (&n.k, &n.value);
                self.no_filter(ctx, v.span, "`ntile`")?;
                if k.value < 1 || k.value > 1000 {
                    self.err(
                        Diagnostic::error(
                            codes::BAD_COUNT,
                            k.span,
                            "ntile needs between 1 and 1000 buckets",
                        )
                        .with_label(format!("{} buckets", k.value))
                        .with_hint("ntile(5) makes quintiles, ntile(10) deciles"),
                    );
                    return None;
                }
                let (value, ty) = self.value(inner, ctx)?;
                if !orderable(ty) {
                    self.err(
                        Diagnostic::error(
                            codes::NOT_ORDERABLE,
                            inner.span,
                            format!("`{}` is a bool and cannot be ranked", value_text(inner)),
                        )
                        .with_label("a bool")
                        .with_hint("ntile ranks numbers, dates, timestamps or strings; test a bool with = true"),
                    );
                    return None;
                }
                let among = match &n.among {
                    Some(c) => Some(Box::new(self.among(c, ctx)?)),
                    None => None,
                };
                Some((
                    Scalar::Ntile {
                        k: k.value,
                        value: Box::new(value),
                        descending: n.descending,
                        ties_together: n.ties_together,
                        among,
                    },
                    Type::Int,
                ))
            }
            V::Score(sb) => {
                self.no_filter(ctx, v.span, "a score")?;
                self.score_block(sb, ctx)
            }
        }
    }

    /// The population of an ntile: a condition about the same entity. The segment's
    /// `score` is not in scope there (a population ranked by the segment's own score
    /// would depend on itself).
    fn among(&mut self, c: &ast::Cond, ctx: &Ctx) -> Option<Cond> {
        let inner = Ctx {
            entity: ctx.entity,
            score: None,
            filter: None,
        };
        self.cond(c, &inner)
    }

    /// An aggregate of events: `sum(amount) of "purchase" in last 30 days`.
    fn aggregate(
        &mut self,
        v: &ast::Value,
        a: &ast::Aggregate,
        ctx: &Ctx,
    ) -> Option<(Scalar, Type)> {
        self.no_filter(ctx, v.span, "an aggregate")?;
        let step = self.step(&a.step, ctx)?;
        let events = step.events;
        if let Some(ast::Window {
            kind: ast::WindowKind::Periods { .. },
            span,
        }) = &a.window
        {
            self.err(
                Diagnostic::error(
                    codes::WRONG_PLACE,
                    *span,
                    "an aggregate's window is `in last ..`, `between ..` or `ever`",
                )
                .with_label("a count of periods")
                .with_hint("`in at least K of last N weeks` belongs to `did`"),
            );
            return None;
        }
        let window = self.window(a.window.as_ref()).ok()?;
        let (kind, ty) = match (&a.func, &a.prop) {
            (ast::AggFunc::Count, _) => (AggKind::Count, Type::Int),
            (f, Some(prop)) => {
                let col = self.property(events, prop)?;
                match f {
                    ast::AggFunc::CountDistinct => (AggKind::CountDistinct(col.name), Type::Int),
                    ast::AggFunc::Sum | ast::AggFunc::Avg => {
                        if !numeric(col.ty) {
                            self.err(
                                Diagnostic::error(
                                    codes::NOT_NUMERIC,
                                    prop.span,
                                    format!(
                                        "`{}` is {}; {} needs numbers",
                                        prop.name,
                                        article(col.ty),
                                        f.keyword()
                                    ),
                                )
                                .with_label(article(col.ty))
                                .with_hint(
                                    "sum and avg work on int, decimal and float properties; count distinct(..) counts the different values of any property",
                                ),
                            );
                            return None;
                        }
                        if *f == ast::AggFunc::Sum {
                            (AggKind::Sum(col.name), col.ty)
                        } else {
                            (
                                AggKind::Avg(col.name),
                                if col.ty == Type::Float {
                                    Type::Float
                                } else {
                                    Type::Decimal
                                },
                            )
                        }
                    }
                    ast::AggFunc::Min | ast::AggFunc::Max => {
                        if !orderable(col.ty) {
                            self.err(
                                Diagnostic::error(
                                    codes::NOT_ORDERABLE,
                                    prop.span,
                                    format!(
                                        "`{}` is a bool; min and max need an order",
                                        prop.name
                                    ),
                                )
                                .with_label("a bool")
                                .with_hint(format!(
                                    "count the events where it is true instead: count of ... with {} = true",
                                    prop.name
                                )),
                            );
                            return None;
                        }
                        if *f == ast::AggFunc::Min {
                            (AggKind::Min(col.name), col.ty)
                        } else {
                            (AggKind::Max(col.name), col.ty)
                        }
                    }
                    // Any type: the value itself, as the chosen event holds it.
                    ast::AggFunc::First => (AggKind::FirstValue(col.name), col.ty),
                    ast::AggFunc::Last => (AggKind::LastValue(col.name), col.ty),
                    ast::AggFunc::Count => unreachable!(),
                }
            }
            (_, None) => return None,
        };
        Some((
            Scalar::Agg(Box::new(EventAgg {
                kind,
                filter: step.filter(window),
            })),
            ty,
        ))
    }

    pub(super) fn property(&mut self, events: EventsId, prop: &ast::Ident) -> Option<Column> {
        let ev = &self.program.catalog.events[events];
        if let Some(c) = ev.property(&prop.name) {
            return Some(c.clone());
        }
        if prop.name == ev.time {
            return Some(Column {
                name: ev.time.clone(),
                ty: Type::Timestamp,
            });
        }
        let names: Vec<&str> = ev.properties.iter().map(|c| c.name.as_str()).collect();
        let mut d = Diagnostic::error(
            codes::UNKNOWN_PROPERTY,
            prop.span,
            format!("`{}` is not a property of `{}`", prop.name, ev.name),
        )
        .with_label("unknown property");
        let entity = &self.program.catalog.entities[ev.entity];
        d = match did_you_mean(&prop.name, names.iter().copied()) {
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None if entity.column(&prop.name).is_some() => d.with_hint(format!(
                "`{}` is a column of `{}`, not of its events: test it outside the `with` filter",
                prop.name, entity.name
            )),
            None => d.with_hint(format!(
                "the properties of `{}` are {}; declare others in its `properties` block",
                ev.name,
                list_names(names.iter().copied())
            )),
        };
        self.err(d);
        None
    }

    /// A name without a dot: a column of the entity, the segment's `score`, a trait, or
    /// (a mistake) a reference, segment or events relation named alone.
    fn single_name(&mut self, p: &ast::Path, ctx: &Ctx, ent: &Entity) -> Option<(Scalar, Type)> {
        let first = &p.parts[0];
        if first.name == "score" {
            if let Some(s) = &ctx.score {
                let ty = match s {
                    Scalar::Score(rules) if rules.iter().any(|(w, _)| w.ty() == Type::Decimal) => {
                        Type::Decimal
                    }
                    _ => Type::Int,
                };
                return Some((s.clone(), ty));
            }
        }
        if let Some(c) = ent.column(&first.name) {
            return Some((
                Scalar::Column(ColRef {
                    owner: ColumnOwner::Entity,
                    name: c.name.clone(),
                    ty: c.ty,
                }),
                c.ty,
            ));
        }
        if self.trait_asts.contains_key(&first.name) {
            self.used_traits.insert(first.name.clone());
            let id = self.trait_by_name(&first.name, Some(first.span))?;
            let t = self.program.traits[id].clone();
            if t.entity != ctx.entity {
                let cat = &self.program.catalog;
                self.err(
                    Diagnostic::error(
                        codes::ENTITY_MISMATCH,
                        first.span,
                        format!(
                            "`{}` is a trait of {}, not of {}",
                            first.name, cat.entities[t.entity].name, ent.name
                        ),
                    )
                    .with_label(format!("a trait of {}", cat.entities[t.entity].name))
                    .with_hint(format!(
                        "a segment of {} can use only traits of {}",
                        ent.name, ent.name
                    )),
                );
                return None;
            }
            return Some((t.value, t.ty));
        }
        if self
            .broken_refs
            .contains(&(ent.name.clone(), first.name.clone()))
        {
            return None; // the reference was rejected where it is declared
        }
        let mut d = Diagnostic::error(
            codes::UNKNOWN_NAME,
            first.span,
            format!(
                "`{}` is not a column of `{}` or a trait",
                first.name, ent.name
            ),
        )
        .with_label("unknown name");
        let holder = self
            .program
            .catalog
            .events
            .iter()
            .find(|e| e.entity == ctx.entity && e.property(&first.name).is_some());
        if ent.refs.iter().any(|r| r.nav == first.name) {
            d = d.with_hint(format!(
                "`{}` is a related entity; name one of its columns: {}.COLUMN",
                first.name, first.name
            ));
        } else if first.name == "score" {
            d = d.with_hint("`score` is defined by a `score { ... }` block in the same segment");
        } else if self.segment_asts.contains_key(&first.name) {
            d = d.with_hint(format!(
                "`{}` is a segment; test membership with `in {}`",
                first.name, first.name
            ));
        } else if let Some(ev) = holder {
            d = d.with_hint(format!(
                "`{}` is a property of the events in `{}`; test it in a filter: did \"...\" with {} ...",
                first.name, ev.name, first.name
            ));
        } else {
            let mut cands: Vec<&str> = ent.columns.iter().map(|c| c.name.as_str()).collect();
            let mut traits: Vec<&str> = self.trait_asts.keys().map(|s| s.as_str()).collect();
            traits.sort();
            cands.extend(traits);
            d = match did_you_mean(&first.name, cands.iter().copied()) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None => d.with_hint(format!(
                    "the columns of `{}` are {}",
                    ent.name,
                    list_names(ent.columns.iter().map(|c| c.name.as_str()))
                )),
            };
        }
        self.err(d);
        None
    }

    pub(super) fn path(&mut self, p: &ast::Path, ctx: &Ctx) -> Option<(Scalar, Type)> {
        if let Some(events) = ctx.filter {
            if p.parts.len() != 1 {
                self.err(
                    Diagnostic::error(
                        codes::UNKNOWN_PROPERTY,
                        p.span,
                        "a `with` filter tests the event's own properties",
                    )
                    .with_label("not a property of the event")
                    .with_hint("name a property of the event, without a dot; test the entity's columns outside the filter"),
                );
                return None;
            }
            let col = self.property(events, &p.parts[0])?;
            return Some((
                Scalar::Column(ColRef {
                    owner: ColumnOwner::Event,
                    name: col.name,
                    ty: col.ty,
                }),
                col.ty,
            ));
        }
        let ent = self.program.catalog.entities[ctx.entity].clone();
        let first = &p.parts[0];
        if p.parts.len() == 1 {
            return self.single_name(p, ctx, &ent);
        }
        if p.parts.len() > 2 {
            self.err(
                Diagnostic::error(
                    codes::UNKNOWN_NAME,
                    p.span,
                    "names go at most one reference deep",
                )
                .with_label("more than one reference deep")
                .with_hint("write REFERENCE.COLUMN, as in account.industry"),
            );
            return None;
        }
        let Some(ri) = ent.refs.iter().position(|r| r.nav == first.name) else {
            if self
                .broken_refs
                .contains(&(ent.name.clone(), first.name.clone()))
                || self
                    .broken_refs
                    .contains(&(ent.name.clone(), String::new()))
            {
                return None; // the reference was rejected where it is declared
            }
            let navs: Vec<&str> = ent.refs.iter().map(|r| r.nav.as_str()).collect();
            let mut d = Diagnostic::error(
                codes::UNKNOWN_RELATION,
                first.span,
                format!("`{}` has no reference called `{}`", ent.name, first.name),
            )
            .with_label(format!("not a reference of `{}`", ent.name));
            let cat = &self.program.catalog;
            let entity_named = cat.entities.iter().find(|e| e.name == first.name);
            let events_named = cat.events.iter().any(|e| e.name == first.name);
            d = match (did_you_mean(&first.name, navs.iter().copied()), entity_named) {
                (Some(s), _) => d.with_hint(format!("did you mean `{s}`?")),
                (None, Some(t)) => {
                    d.with_hint(format!(
                        "`{}` is an entity, but `{}` does not reference it; declare a reference on a column of `{}`: {} {} references {}",
                        t.name,
                        ent.name,
                        ent.name,
                        segql_syntax::fmt::ident_text(&t.key),
                        t.key_ty.keyword(),
                        segql_syntax::fmt::ident_text(&t.name),
                    ))
                }
                (None, None) if events_named => d.with_hint(format!(
                    "`{}` is an events relation; test its properties in a filter: did \"...\" with {} ...",
                    first.name, second_name(p)
                )),
                (None, None) if navs.is_empty() => d.with_hint(format!(
                    "declare one on a column of `{}`: account_id string references account",
                    ent.name
                )),
                (None, None) => d.with_hint(format!(
                    "its references are {}",
                    list_names(navs.iter().copied())
                )),
            };
            self.err(d);
            return None;
        };
        let target = &self.program.catalog.entities[ent.refs[ri].target];
        let second = &p.parts[1];
        match target.column(&second.name) {
            Some(c) => Some((
                Scalar::Column(ColRef {
                    owner: ColumnOwner::Ref(ri),
                    name: c.name.clone(),
                    ty: c.ty,
                }),
                c.ty,
            )),
            None => {
                let names: Vec<&str> = target.columns.iter().map(|c| c.name.as_str()).collect();
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_COLUMN,
                    second.span,
                    format!("`{}` is not a column of `{}`", second.name, target.name),
                )
                .with_label(format!("not a column of `{}`", target.name));
                d = match did_you_mean(&second.name, names.iter().copied()) {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint(format!(
                        "its columns are {}",
                        list_names(names.iter().copied())
                    )),
                };
                if self.trait_asts.contains_key(&second.name) {
                    d = d.with_hint("traits of related entities cannot be used yet; use the trait in a segment of that entity");
                }
                self.err(d);
                None
            }
        }
    }
}
