//! The catalog: entities, their extras, columns and types, and events relations.

use super::*;

impl Parser<'_> {
    pub(super) fn entity(&mut self) -> PResult<Entity> {
        self.bump(); // the item keyword, checked by `item`
        let name = self.name("an entity name")?;
        let owner = format!("entity `{}`", name.name);
        let mut description = None;
        let mut table = None;
        let mut key = None;
        let mut columns = Vec::new();
        let mut columns_span = Span::default();
        let mut extras = Vec::new();
        let seen = self.block(&owner, ENTITY_FIELDS, |p, w, t| {
            p.bump();
            match w {
                "table" => table = Some(p.path("a table name, such as analytics.users")?),
                "key" => key = Some(p.ident("the key column")?),
                "description" => description = Some(p.string("a description string")?),
                "columns" => (columns, columns_span) = p.columns("columns", true)?,
                "extra" => {
                    let x = p.extra(t);
                    // The extra's `}` does not close the entity.
                    p.item_closed = false;
                    extras.push(x?);
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let ok_table = self.require(
            table.is_some(),
            &seen,
            name.span,
            &owner,
            "table",
            "table analytics.users",
        );
        let ok_key = self.require(
            key.is_some(),
            &seen,
            name.span,
            &owner,
            "key",
            "key user_id",
        );
        let (true, true, Some(table), Some(key)) = (ok_table, ok_key, table, key) else {
            return Err(Stop);
        };
        Ok(Entity {
            name,
            description,
            table,
            key,
            columns,
            columns_span,
            extras,
        })
    }

    /// `extra NAME { table T  [key K]  columns { .. } }`, after `extra`.
    pub(super) fn extra(&mut self, kw: Token) -> PResult<Extra> {
        let name = self.name("a name for the extra table, such as crm")?;
        let owner = format!("extra `{}`", name.name);
        let mut table = None;
        let mut key = None;
        let mut columns = Vec::new();
        let mut columns_span = Span::default();
        let seen = self.block(&owner, EXTRA_FIELDS, |p, w, _| {
            p.bump();
            match w {
                "table" => table = Some(p.path("a table name, such as crm.contacts")?),
                "key" => key = Some(p.ident("the column holding the entity's key")?),
                "columns" => {
                    p.in_extra = true;
                    let r = p.columns("columns", false);
                    p.in_extra = false;
                    (columns, columns_span) = r?;
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let ok_table = self.require(
            table.is_some(),
            &seen,
            name.span,
            &owner,
            "table",
            "table crm.contacts",
        );
        let ok_columns = self.require(
            !columns.is_empty(),
            &seen,
            name.span,
            &owner,
            "columns",
            "columns { owner string }",
        );
        let (true, true, Some(table)) = (ok_table, ok_columns, table) else {
            return Err(Stop);
        };
        Ok(Extra {
            name,
            table,
            key,
            columns,
            columns_span,
            span: self.span_from(kw.start),
        })
    }

    pub(super) fn columns(&mut self, what: &str, allow_refs: bool) -> PResult<(Vec<Column>, Span)> {
        let open = self.expect(TokKind::LBrace)?;
        let mut cols = Vec::new();
        loop {
            match self.kind() {
                TokKind::RBrace => {
                    self.bump();
                    return Ok((cols, self.span_from(open.start)));
                }
                TokKind::Eof => {
                    let d = Diagnostic::error(
                        codes::UNCLOSED_BLOCK,
                        self.span_of(open),
                        format!("the `{what}` block is never closed"),
                    )
                    .with_label("this `{` has no matching `}`");
                    self.push_diag(d);
                    return Err(Stop);
                }
                _ => {}
            }
            let t = self.tok();
            let next = self.nth(1);
            if t.line_start
                && t.kind == TokKind::Word
                && TOP_LEVEL.contains(&self.text_of(t))
                && !(next.kind == TokKind::Word && Type::from_keyword(self.text_of(next)).is_some())
            {
                let d = Diagnostic::error(
                    codes::UNCLOSED_BLOCK,
                    self.span_of(open),
                    format!("the `{what}` block is never closed"),
                )
                .with_label("this `{` has no matching `}`")
                .with_secondary(self.span_of(t), "the next item starts here")
                .with_hint(format!("add `}}` after the last of the {what}"));
                self.push_diag(d);
                return Err(Stop);
            }
            let from = self.pos;
            match self.column(allow_refs) {
                Ok(Some(col)) => cols.push(col),
                Ok(None) => {}
                Err(Stop) if self.gave_up => return Err(Stop),
                Err(Stop) => self.skip_line_in_block(from),
            }
            self.eat(TokKind::Comma);
        }
    }

    /// `NAME TYPE [references ENTITY [as NAME]]`; `None` (reported) for a name
    /// without a type.
    pub(super) fn column(&mut self, allow_refs: bool) -> PResult<Option<Column>> {
        let start = self.tok().start;
        let name = self.ident("a column name")?;
        let after = self.tok();
        if after.line_start || matches!(after.kind, TokKind::RBrace | TokKind::Eof) {
            let d = Diagnostic::error(
                codes::UNEXPECTED_TOKEN,
                name.span,
                format!("column `{}` has no type", name.name),
            )
            .with_label("a type must follow the name")
            .with_hint(format!(
                "write the column's name and then its type: `{} string`; the types are string, int, decimal, float, bool, date, timestamp",
                name.name
            ));
            self.push_diag(d);
            return Ok(None);
        }
        let ty = self.type_ref()?;
        let references = if self.is_word("references") {
            let kw = self.bump();
            if !allow_refs {
                let (message, label) = if self.in_extra {
                    (
                        "columns of an extra table cannot reference entities",
                        "not allowed in an extra table",
                    )
                } else {
                    (
                        "event properties cannot reference entities",
                        "not allowed on an event property",
                    )
                };
                let d = Diagnostic::error(codes::UNEXPECTED_TOKEN, self.span_of(kw), message)
                    .with_label(label)
                    .with_hint("declare the reference on the columns of the entity's own table");
                self.push_diag(d);
            }
            let entity = self.name("the referenced entity")?;
            let alias = if self.eat_word("as") {
                Some(self.name("a name for the reference")?)
            } else {
                None
            };
            Some(Reference { entity, alias })
        } else {
            None
        };
        Ok(Some(Column {
            name,
            ty,
            references,
            span: self.span_from(start),
        }))
    }

    pub(super) fn type_ref(&mut self) -> PResult<TypeRef> {
        let t = self.tok();
        if t.kind == TokKind::Word {
            let w = self.text_of(t);
            if let Some(ty) = Type::from_keyword(w) {
                self.bump();
                return Ok(TypeRef {
                    ty,
                    span: self.span_of(t),
                });
            }
            let aliases = [
                ("text", "string"),
                ("varchar", "string"),
                ("integer", "int"),
                ("bigint", "int"),
                ("number", "decimal"),
                ("numeric", "decimal"),
                ("double", "float"),
                ("boolean", "bool"),
                ("datetime", "timestamp"),
            ];
            let hint = aliases
                .iter()
                .find(|(a, _)| *a == w)
                .map(|(_, t)| format!("write `{t}`"))
                .or_else(|| {
                    did_you_mean(w, Type::ALL.iter().map(|t| t.keyword()))
                        .map(|s| format!("did you mean `{s}`?"))
                })
                .unwrap_or_else(|| {
                    "the types are string, int, decimal, float, bool, date, timestamp".to_string()
                });
            let d = Diagnostic::error(
                codes::UNKNOWN_TYPE,
                self.span_of(t),
                format!("unknown type `{w}`"),
            )
            .with_label("not a segql type")
            .with_hint(hint);
            self.push_diag(d);
            self.bump();
            return Err(Stop);
        }
        Err(self.expected_with_hint(
            "a column type",
            "write the column's name and then its type: `country string`",
        ))
    }

    pub(super) fn events(&mut self) -> PResult<Events> {
        self.bump(); // the item keyword, checked by `item`
        let name = if self.is_word("of") {
            None
        } else {
            Some(self.name("a name for the events relation")?)
        };
        if !self.eat_word("of") {
            let hint = match &name {
                Some(n) if self.kind() == TokKind::LBrace => format!(
                    "write `events of {0} {{ ... }}` for the events of `{0}`, or `events NAME of {0} {{ ... }}` to name them",
                    n.name
                ),
                _ => "write `events of user { ... }`, or `events NAME of user { ... }`".to_string(),
            };
            return Err(self.expected_with_hint("`of` and the entity the events belong to", hint));
        }
        let entity = self.name("an entity name")?;
        let owner = match &name {
            Some(n) => format!("events `{}`", n.name),
            None => format!("events of `{}`", entity.name),
        };
        let mut description = None;
        let mut table = None;
        let mut key = None;
        let mut event = None;
        let mut time = None;
        let mut names = None;
        let mut properties = Vec::new();
        let mut properties_span = Span::default();
        let mut event_field_span: Option<Span> = None;
        let seen = self.block(&owner, EVENTS_FIELDS, |p, w, t| {
            p.bump();
            match w {
                "table" => table = Some(p.path("a table name, such as analytics.events")?),
                "key" => key = Some(p.ident("the column holding the entity key")?),
                "name" | "event" => {
                    let src = if w == "name" {
                        EventSource::Column(p.ident("the column holding the event name")?)
                    } else {
                        EventSource::Fixed(p.string("the event name, as a string")?)
                    };
                    if let Some(first) = event_field_span {
                        let d = Diagnostic::error(
                            codes::DUPLICATE_FIELD,
                            p.span_of(t),
                            "an events relation has either `name COLUMN` or `event \"NAME\"`, not both",
                        )
                        .with_label("the second of the two")
                        .with_secondary(first, "first given here")
                        .with_hint("`name` when a column holds event names; `event` when every row is one event");
                        p.push_diag(d);
                    }
                    event_field_span = Some(p.span_of(t));
                    event = Some(src);
                }
                "time" => time = Some(p.ident("the column holding the event time")?),
                "names" => {
                    let start = p.tok().start;
                    let list = p.string_list("an event name")?;
                    if list.is_empty() {
                        let d = Diagnostic::error(
                            codes::EMPTY_LIST,
                            p.span_from(start),
                            "an empty list of event names declares no event",
                        )
                        .with_label("no names")
                        .with_hint("list the names the name column holds: names [\"signup\", \"login\"], or leave `names` out");
                        p.push_diag(d);
                    }
                    names = Some(NameList {
                        names: list,
                        span: p.span_from(start),
                    });
                }
                "description" => description = Some(p.string("a description string")?),
                "properties" => (properties, properties_span) = p.columns("properties", false)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let at = name.as_ref().map(|n| n.span).unwrap_or(entity.span);
        let mut ok = self.require(
            table.is_some(),
            &seen,
            at,
            &owner,
            "table",
            "table analytics.events",
        );
        ok &= self.require(key.is_some(), &seen, at, &owner, "key", "key user_id");
        let event_seen = if seen.contains(&"event") {
            &["name"][..]
        } else {
            &seen[..]
        };
        ok &= self.require(
            event.is_some(),
            event_seen,
            at,
            &owner,
            "name",
            "name event_name  (or: event \"purchase\")",
        );
        ok &= self.require(
            time.is_some(),
            &seen,
            at,
            &owner,
            "time",
            "time occurred_at",
        );
        if !ok {
            return Err(Stop);
        }
        Ok(Events {
            name,
            entity,
            description,
            table: table.expect("checked"),
            key: key.expect("checked"),
            event: event.expect("checked"),
            time: time.expect("checked"),
            names,
            properties,
            properties_span,
        })
    }
}
