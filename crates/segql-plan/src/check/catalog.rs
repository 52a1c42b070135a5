//! The catalog: `entity` and `events` declarations become the relations, columns and
//! references every later check resolves names against.

use super::*;

impl<'a> Checker<'a> {
    pub(super) fn catalog(&mut self, items: &[&'a ast::Item]) {
        let mut first_span: HashMap<String, Span> = HashMap::new();
        // Entities first (events and references point at them).
        for item in items {
            self.entity_decl(item, &mut first_span);
        }
        // References, now that every entity has an id.
        for item in items {
            self.entity_refs(item);
        }
        // Events relations.
        for item in items {
            self.events_decl(item, &mut first_span);
        }
    }

    /// E0201: a relation's name (entity, extra table, events) declared again at `at`.
    fn relation_twice(&mut self, name: &str, at: Span, first: Span, hint: &str) {
        let d = Diagnostic::error(
            codes::DUPLICATE_NAME,
            at,
            format!("`{name}` is declared twice"),
        )
        .with_label("declared again here")
        .with_secondary(first, "first declared here")
        .with_hint(hint);
        self.err(d);
    }

    /// An `entity` declaration: its columns and key (references come after every entity).
    fn entity_decl(&mut self, item: &'a ast::Item, first_span: &mut HashMap<String, Span>) {
        let ast::ItemKind::Entity(e) = &item.kind else {
            return;
        };
        if let Some(&first) = first_span.get(&e.name.name) {
            let hint = "entities and events relations share one set of names";
            self.relation_twice(&e.name.name, e.name.span, first, hint);
            return;
        }
        first_span.insert(e.name.name.clone(), e.name.span);
        let mut columns: Vec<Column> = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for col in &e.columns {
            if let Some(first) = seen.get(col.name.name.as_str()) {
                let d = Diagnostic::error(
                    codes::DUPLICATE_COLUMN,
                    col.name.span,
                    format!(
                        "column `{}` is declared twice in `{}`",
                        col.name.name, e.name.name
                    ),
                )
                .with_label("declared again here")
                .with_secondary(*first, "first declared here")
                .with_hint("remove one of them, or rename it if it is another column");
                self.err(d);
                continue;
            }
            seen.insert(&col.name.name, col.name.span);
            columns.push(Column {
                name: col.name.name.clone(),
                ty: col.ty.ty,
            });
        }
        let key_ty = columns
            .iter()
            .find(|c| c.name == e.key.name)
            .map(|c| c.ty)
            .unwrap_or(Type::String);
        if !columns.iter().any(|c| c.name == e.key.name) {
            columns.insert(
                0,
                Column {
                    name: e.key.name.clone(),
                    ty: key_ty,
                },
            );
        }
        if matches!(
            key_ty,
            Type::Bool | Type::Float | Type::Decimal | Type::Date | Type::Timestamp
        ) {
            let d = Diagnostic::error(
                codes::TYPE_MISMATCH,
                e.key.span,
                format!("the key `{}` is {}", e.key.name, article(key_ty)),
            )
            .with_label(format!("{} key", article(key_ty)))
            .with_hint(format!(
                "keys are strings or integers: declare `{} string` or `{} int`",
                e.key.name, e.key.name
            ));
            self.err(d);
        }
        let id = self.program.catalog.entities.len();
        let extras = self.extras(e, id, &mut seen, first_span);
        self.entity_ids.insert(e.name.name.clone(), id);
        self.program.catalog.entities.push(Entity {
            name: e.name.name.clone(),
            table: e.table.parts.iter().map(|p| p.name.clone()).collect(),
            key: e.key.name.clone(),
            key_ty,
            columns,
            refs: Vec::new(),
            extras,
            span: e.name.span,
        });
    }

    /// An entity's extra tables: each named once among the relations, each column
    /// once among all of the entity's tables (the key is the entity's own).
    fn extras(
        &mut self,
        e: &'a ast::Entity,
        id: EntityId,
        seen: &mut HashMap<&'a str, Span>,
        first_span: &mut HashMap<String, Span>,
    ) -> Vec<Extra> {
        let mut out = Vec::new();
        for x in &e.extras {
            if let Some(&first) = first_span.get(&x.name.name) {
                let hint =
                    "entities, their extra tables and events relations share one set of names";
                self.relation_twice(&x.name.name, x.name.span, first, hint);
            } else {
                first_span.insert(x.name.name.clone(), x.name.span);
                // Rows are given by this name (a name taken twice is reported above;
                // the columns still count, so nothing else is reported for them).
                self.extra_ids.insert(x.name.name.clone(), (id, out.len()));
            }
            let mut columns = Vec::new();
            for col in &x.columns {
                let name = col.name.name.as_str();
                let first = seen
                    .get(name)
                    .copied()
                    .or_else(|| (name == e.key.name).then_some(e.key.span));
                if let Some(first) = first {
                    let d = if name == e.key.name {
                        Diagnostic::error(
                            codes::DUPLICATE_COLUMN,
                            col.name.span,
                            format!(
                                "`{name}` is the key of `{}`: an extra table does not list it",
                                e.name.name
                            ),
                        )
                        .with_label("listed here")
                        .with_secondary(first, "the entity's key")
                        .with_hint("remove it from the columns; an extra table whose key column has another name says so with `key`, for example `key contact_user_id`")
                    } else {
                        Diagnostic::error(
                            codes::DUPLICATE_COLUMN,
                            col.name.span,
                            format!("column `{name}` is declared twice in `{}`", e.name.name),
                        )
                        .with_label("declared again here")
                        .with_secondary(first, "first declared here")
                        .with_hint(
                            "an entity's columns are read by name, whichever of its tables holds them: give each a name of its own",
                        )
                    };
                    self.err(d);
                    continue;
                }
                seen.insert(name, col.name.span);
                columns.push(Column {
                    name: name.to_string(),
                    ty: col.ty.ty,
                });
            }
            out.push(Extra {
                name: x.name.name.clone(),
                table: x.table.parts.iter().map(|p| p.name.clone()).collect(),
                key: x.key.as_ref().unwrap_or(&e.key).name.clone(),
                columns,
                span: x.name.span,
            });
        }
        out
    }

    /// An entity's references, checked against the entities they point at.
    fn entity_refs(&mut self, item: &'a ast::Item) {
        let ast::ItemKind::Entity(e) = &item.kind else {
            return;
        };
        let Some(&id) = self.entity_ids.get(&e.name.name) else {
            return;
        };
        if !self.program.catalog.entities[id].span.same_as(e.name.span) {
            return;
        }
        let mut refs = Vec::new();
        for col in &e.columns {
            let Some(r) = &col.references else { continue };
            let nav = r.alias.as_ref().unwrap_or(&r.entity);
            let Some(target) = self.entity(&r.entity) else {
                // The name it is used by may be the entity meant, not the one written.
                self.broken_refs
                    .insert((e.name.name.clone(), nav.name.clone()));
                self.broken_refs
                    .insert((e.name.name.clone(), String::new()));
                continue;
            };
            self.used_entities.insert(target);
            let target_key_ty = self.program.catalog.entities[target].key_ty;
            if !comparable(col.ty.ty, target_key_ty) {
                let d = Diagnostic::error(
                    codes::TYPE_MISMATCH,
                    col.ty.span,
                    format!(
                        "`{}` is {}, but `{}`'s key is {}",
                        col.name.name,
                        article(col.ty.ty),
                        r.entity.name,
                        article(target_key_ty)
                    ),
                )
                .with_label(article(col.ty.ty))
                .with_hint(format!(
                    "a reference column has the type of the key it points at: {} {} references {}",
                    segql_syntax::fmt::ident_text(&col.name.name),
                    target_key_ty.keyword(),
                    segql_syntax::fmt::ident_text(&r.entity.name),
                ));
                self.err(d);
                self.broken_refs
                    .insert((e.name.name.clone(), nav.name.clone()));
                continue;
            }
            let ent = &self.program.catalog.entities[id];
            if ent.column(&nav.name).is_some() {
                let d = Diagnostic::error(
                    codes::AMBIGUOUS,
                    nav.span,
                    format!(
                        "`{}` is both a column and a reference of `{}`",
                        nav.name, e.name.name
                    ),
                )
                .with_label("also a column")
                .with_hint(format!(
                    "name the reference with `as`: references {} as {}_ref",
                    segql_syntax::fmt::ident_text(&r.entity.name),
                    nav.name
                ));
                self.err(d);
                self.broken_refs
                    .insert((e.name.name.clone(), nav.name.clone()));
                continue;
            }
            if refs.iter().any(|x: &Ref| x.nav == nav.name) {
                let d = Diagnostic::error(
                    codes::AMBIGUOUS,
                    nav.span,
                    format!(
                        "two references of `{}` are both called `{}`",
                        e.name.name, nav.name
                    ),
                )
                .with_label("a second reference by this name")
                .with_hint("give one of them another name with `as`");
                self.err(d);
                continue;
            }
            refs.push(Ref {
                nav: nav.name.clone(),
                column: col.name.name.clone(),
                target,
            });
        }
        self.program.catalog.entities[id].refs = refs;
    }

    /// An `events` declaration: its name, entity, properties and where names come from.
    fn events_decl(&mut self, item: &'a ast::Item, first_span: &mut HashMap<String, Span>) {
        let ast::ItemKind::Events(ev) = &item.kind else {
            return;
        };
        let name = ev
            .name
            .as_ref()
            .map(|n| n.name.clone())
            .unwrap_or_else(|| "events".to_string());
        let span = ev.name.as_ref().map(|n| n.span).unwrap_or(item.span);
        // An unnamed relation is shown by the entity it is of, not the whole block.
        let name_span = ev.name.as_ref().map(|n| n.span).unwrap_or(ev.entity.span);
        if let Some(&first) = first_span.get(&name) {
            let hint = "name each events relation: events orders of user { ... }";
            self.relation_twice(&name, name_span, first, hint);
            return;
        }
        first_span.insert(name.clone(), name_span);
        let Some(entity) = self.entity(&ev.entity) else {
            self.broken_events.insert(name);
            return;
        };
        let mut properties: Vec<Column> = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for p in &ev.properties {
            if let Some(first) = seen.get(p.name.name.as_str()) {
                let d = Diagnostic::error(
                    codes::DUPLICATE_COLUMN,
                    p.name.span,
                    format!("property `{}` is declared twice in `{name}`", p.name.name),
                )
                .with_label("declared again here")
                .with_secondary(*first, "first declared here")
                .with_hint("remove one of them, or rename it if it is another property");
                self.err(d);
                continue;
            }
            seen.insert(&p.name.name, p.name.span);
            properties.push(Column {
                name: p.name.name.clone(),
                ty: p.ty.ty,
            });
        }
        let source = match &ev.event {
            ast::EventSource::Column(c) => EventSource::Column(c.name.clone()),
            ast::EventSource::Fixed(s) => EventSource::Fixed(s.value.clone()),
        };
        let names = self.declared_names(ev, &name);
        let id = self.program.catalog.events.len();
        self.events_ids.insert(name.clone(), id);
        self.program.catalog.events.push(Events {
            name,
            entity,
            table: ev.table.parts.iter().map(|p| p.name.clone()).collect(),
            key: ev.key.name.clone(),
            source,
            time: ev.time.name.clone(),
            names,
            properties,
            span,
        });
    }

    /// The `names [...]` of an events relation: only with a name column, each once.
    fn declared_names(&mut self, ev: &ast::Events, rel: &str) -> Option<Vec<String>> {
        let list = &ev.names.as_ref()?.names;
        if let ast::EventSource::Fixed(e) = &ev.event {
            let at = list.first().map_or(ev.time.span, |n| n.span);
            self.err(
                Diagnostic::error(
                    codes::WRONG_PLACE,
                    at,
                    format!("`{rel}` holds only \"{}\" events: it has no names to declare", e.value),
                )
                .with_label("`names` lists the values of a `name` column")
                .with_hint("remove `names`, or declare the relation with `name COLUMN` if a column holds event names"),
            );
            return None;
        }
        let mut out: Vec<String> = Vec::new();
        let mut first: HashMap<&str, Span> = HashMap::new();
        for n in list {
            if let Some(at) = first.get(n.value.as_str()) {
                self.err(
                    Diagnostic::error(
                        codes::DUPLICATE_NAME,
                        n.span,
                        format!("\"{}\" is declared twice in `{rel}`", n.value),
                    )
                    .with_label("declared again here")
                    .with_secondary(*at, "first declared here")
                    .with_hint("remove one of them"),
                );
                continue;
            }
            first.insert(&n.value, n.span);
            out.push(n.value.clone());
        }
        Some(out)
    }

    pub(super) fn entity(&mut self, name: &ast::Ident) -> Option<EntityId> {
        if let Some(&id) = self.entity_ids.get(&name.name) {
            return Some(id);
        }
        let mut d = Diagnostic::error(
            codes::UNKNOWN_ENTITY,
            name.span,
            format!("there is no entity `{}`", name.name),
        )
        .with_label("not a declared entity");
        let names: Vec<&str> = self
            .program
            .catalog
            .entities
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        d = match did_you_mean(&name.name, names.iter().copied()) {
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None => d.with_hint(format!(
                "the entities are {}",
                list_names(names.iter().copied())
            )),
        };
        self.err(d);
        None
    }
}
