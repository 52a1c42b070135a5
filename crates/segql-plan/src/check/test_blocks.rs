//! `test` blocks (given rows, expectations) and `assert` blocks, checked against the
//! catalog.

use super::*;

impl<'a> Checker<'a> {
    pub(super) fn test(&mut self, t: &ast::Test, _span: Span) {
        let as_of = match t.as_of.kind {
            LitKind::Date(d) => day_start(d),
            LitKind::Timestamp(ts) => ts,
            _ => return,
        };
        let mut ok = true;
        let since = t.since.as_ref().and_then(|l| match l.kind {
            LitKind::Date(d) => Some((day_start(d), l.span)),
            LitKind::Timestamp(ts) => Some((ts, l.span)),
            _ => None,
        });
        if let Some((since, span)) = since {
            if since >= as_of {
                self.err(
                    Diagnostic::error(
                        codes::BAD_TEST,
                        span,
                        "`since` must be before the test's `as_of`",
                    )
                    .with_label("not before as_of")
                    .with_hint("`expect X entered = [...]` lists who is in X at as_of and was not at since: give since an earlier instant"),
                );
                ok = false;
            }
        }
        let mut givens = Vec::new();
        for g in &t.givens {
            self.given(g, &mut ok, &mut givens);
        }
        let mut expects = Vec::new();
        for e in &t.expects {
            if let (Some(c), None) = (e.change, since) {
                self.err(
                    Diagnostic::error(
                        codes::BAD_TEST,
                        e.span,
                        format!(
                            "`expect ... {}` needs the test's `since`: the instant to compare as_of with",
                            c.keyword()
                        ),
                    )
                    .with_label(format!("{} since when?", c.keyword()))
                    .with_hint("add `since 2024-05-01` (before as_of) to the test"),
                );
                ok = false;
            }
            let Some((target, rows, entity)) = self.target(&e.target) else {
                ok = false;
                continue;
            };
            let key_ty = self.program.catalog.entities[entity].key_ty;
            let mut members = Vec::new();
            for m in &e.members {
                let Some(l) = lit(&m.kind) else { continue };
                if !(l.ty() == key_ty || (key_ty == Type::Int && l.ty() == Type::Int)) {
                    self.err(
                        Diagnostic::error(
                            codes::BAD_TEST,
                            m.span,
                            format!(
                                "keys of `{}` are {}s, but `{}` is {}",
                                self.program.catalog.entities[entity].name,
                                key_ty.keyword(),
                                segql_syntax::fmt::literal_text(&m.kind),
                                article(l.ty())
                            ),
                        )
                        .with_label(article(l.ty()))
                        .with_hint(if key_ty == Type::String {
                            "write keys in quotes: [\"u1\", \"u2\"]"
                        } else {
                            "write integer keys without quotes: [1, 2]"
                        }),
                    );
                    ok = false;
                    continue;
                }
                members.push(l);
            }
            expects.push(ExpectDef {
                target,
                rows,
                change: e.change,
                members,
                span: e.span,
            });
        }
        if ok {
            self.program.tests.push(TestDef {
                name: t.name.name.clone(),
                description: t.description.as_ref().map(|d| d.value.clone()),
                as_of,
                since: since.map(|(t, _)| t),
                givens,
                expects,
                span: t.name.span,
            });
        }
    }

    /// What `expect` names: a segment, `split.group` or `priority.segment`.
    /// One `given` of a test: its relation, and its rows or file checked against the
    /// relation's columns. Problems clear `ok`.
    fn given(&mut self, g: &ast::Given, ok: &mut bool, givens: &mut Vec<GivenDef>) {
        let relation = if let Some(&e) = self.entity_ids.get(&g.relation.name) {
            Relation::Entity(e)
        } else if let Some(&i) = self.events_ids.get(&g.relation.name) {
            Relation::Events(i)
        } else if let Some(&(e, x)) = self.extra_ids.get(&g.relation.name) {
            Relation::Extra(e, x)
        } else {
            *ok = false;
            if self.broken_events.contains(&g.relation.name) {
                return; // already reported where it is declared
            }
            let mut cands: Vec<&str> = self.entity_ids.keys().map(|s| s.as_str()).collect();
            cands.extend(self.events_ids.keys().map(|s| s.as_str()));
            cands.extend(self.extra_ids.keys().map(|s| s.as_str()));
            cands.sort();
            let mut d = Diagnostic::error(
                codes::BAD_TEST,
                g.relation.span,
                format!(
                    "`{}` is not an entity, an extra table or an events relation",
                    g.relation.name
                ),
            )
            .with_label("rows for an unknown relation");
            d = match did_you_mean(&g.relation.name, cands.iter().copied()) {
                Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                None => d.with_hint(format!(
                    "rows are given for {}",
                    list_names(cands.iter().copied())
                )),
            };
            self.err(d);
            return;
        };
        let source = match &g.source {
            ast::GivenSource::File(f) => GivenSourceDef::File(f.value.clone()),
            ast::GivenSource::Rows(table) => self.given_rows(&relation, table, ok),
        };
        givens.push(GivenDef {
            relation,
            source,
            span: g.span,
        });
    }

    /// A given table of rows: each column one of the relation's, each cell a literal of
    /// its type, the key present. Problems clear `ok`.
    fn given_rows(
        &mut self,
        relation: &Relation,
        table: &ast::Table,
        ok: &mut bool,
    ) -> GivenSourceDef {
        let (rel_name, cols, required) = self.relation_columns(relation);
        // The type of each column of the table; `None` for an unknown one
        // (reported once, its cells not checked).
        let mut types: Vec<Option<Type>> = Vec::new();
        for c in &table.columns {
            match cols.iter().find(|x| x.name == c.name) {
                Some(col) => types.push(Some(col.ty)),
                None => {
                    let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
                    let mut d = Diagnostic::error(
                        codes::BAD_TEST,
                        c.span,
                        format!("`{}` is not a column of `{rel_name}`", c.name),
                    )
                    .with_label(format!("not a column of `{rel_name}`"));
                    d = match did_you_mean(&c.name, names.iter().copied()) {
                        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                        None => d.with_hint(format!(
                            "its columns are {}",
                            list_names(names.iter().copied())
                        )),
                    };
                    self.err(d);
                    *ok = false;
                    types.push(None);
                }
            }
        }
        let missing: Vec<&String> = required
            .iter()
            .filter(|r| !table.columns.iter().any(|c| &c.name == *r))
            .collect();
        if !missing.is_empty() {
            let header = match (table.columns.first(), table.columns.last()) {
                (Some(a), Some(b)) => a.span.to(b.span),
                _ => table.span,
            };
            let names = list_names(missing.iter().map(|r| r.as_str()));
            let cells: Vec<String> = missing.iter().map(|r| format!("| {r} ")).collect();
            self.err(
                Diagnostic::error(
                    codes::BAD_TEST,
                    header,
                    if missing.len() == 1 {
                        format!("rows of `{rel_name}` need a {names} column")
                    } else {
                        format!("rows of `{rel_name}` need the columns {names}")
                    },
                )
                .with_label(format!("no {names} in this header"))
                .with_hint(format!("add {}| to the header", cells.concat())),
            );
            *ok = false;
        }
        let mut rows = Vec::new();
        // Per column: the first cell that does not fit, and how many do not.
        let mut misfits: Vec<Option<(usize, Span, Type, String)>> = vec![None; types.len()];
        for row in &table.rows {
            let mut out = Vec::new();
            for (i, (cell, ty)) in row.iter().zip(&types).enumerate() {
                match lit(&cell.kind) {
                    None => out.push(None),
                    Some(l) => {
                        if let Some(ty) = *ty {
                            let fits =
                                comparable(ty, l.ty()) && !(ty == Type::Int && l.ty() != Type::Int);
                            if !fits {
                                let text = segql_syntax::fmt::literal_text(&cell.kind);
                                match &mut misfits[i] {
                                    Some((n, ..)) => *n += 1,
                                    slot => *slot = Some((1, cell.span, l.ty(), text)),
                                }
                            }
                        }
                        out.push(Some(l));
                    }
                }
            }
            rows.push(out);
        }
        self.misfits(table, &types, misfits, ok);
        GivenSourceDef::Rows {
            columns: table.columns.iter().map(|c| c.name.clone()).collect(),
            rows,
        }
    }

    /// One diagnostic per column whose cells do not fit its type: the first such cell,
    /// and how many more.
    fn misfits(
        &mut self,
        table: &ast::Table,
        types: &[Option<Type>],
        misfits: Vec<Option<(usize, Span, Type, String)>>,
        ok: &mut bool,
    ) {
        for (i, misfit) in misfits.into_iter().enumerate() {
            let (Some((n, span, lty, text)), Some(ty)) = (misfit, types[i]) else {
                continue;
            };
            let col = &table.columns[i].name;
            let more = if n > 1 {
                format!(" ({} more cells of this column do not fit either)", n - 1)
            } else {
                String::new()
            };
            let unquoted = text.trim_matches('"');
            let hint = if lty == Type::String
                && ((ty == Type::Int && unquoted.parse::<i64>().is_ok())
                    || (numeric(ty) && unquoted.parse::<f64>().is_ok()))
            {
                format!(
                    "write the number without quotes: {unquoted}; write null for a missing value"
                )
            } else {
                format!(
                    "write {} here, as in {}, or null for a missing value",
                    article(ty),
                    example(ty)
                )
            };
            self.err(
                Diagnostic::error(
                    codes::BAD_TEST,
                    span,
                    format!(
                        "`{col}` is {}, but `{text}` is {}{more}",
                        article(ty),
                        article(lty)
                    ),
                )
                .with_label(article(lty))
                .with_secondary(table.columns[i].span, article(ty))
                .with_hint(hint),
            );
            *ok = false;
        }
    }

    pub(super) fn target(&mut self, p: &ast::Path) -> Option<(Target, Rows, EntityId)> {
        let first = &p.parts[0];
        if p.parts.len() == 1 {
            let id = self.segment_ref(first, None, false)?;
            return Some((
                Target::Segment(id),
                Rows::All,
                self.program.segments[id].entity,
            ));
        }
        let second = &p.parts[1];
        if p.parts.len() == 2 {
            if let Some(&si) = self.split_names.get(&first.name) {
                let split = &self.program.splits[si];
                if split.groups.iter().any(|(g, _)| g == &second.name) {
                    let entity = self.program.segments[split.segment].entity;
                    return Some((Target::Split(si), Rows::Group(second.name.clone()), entity));
                }
                let groups: Vec<&str> = split.groups.iter().map(|(g, _)| g.as_str()).collect();
                let d = Diagnostic::error(
                    codes::BAD_TEST,
                    second.span,
                    format!("split `{}` has no group `{}`", first.name, second.name),
                )
                .with_label(format!("not a group of `{}`", first.name))
                .with_hint(
                    match did_you_mean(&second.name, groups.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("its groups are {}", list_names(groups.iter().copied())),
                    },
                );
                self.err(d);
                return None;
            }
            if let Some(&pi) = self.priority_names.get(&first.name) {
                let pr = self.program.priorities[pi].clone();
                if let Some(&sid) = pr
                    .segments
                    .iter()
                    .find(|&&s| self.program.segments[s].name == second.name)
                {
                    return Some((Target::Priority(pi), Rows::Stage(sid), pr.entity));
                }
                let listed: Vec<&str> = pr
                    .segments
                    .iter()
                    .map(|&s| self.program.segments[s].name.as_str())
                    .collect();
                let d = Diagnostic::error(
                    codes::BAD_TEST,
                    second.span,
                    format!(
                        "priority list `{}` does not list `{}`",
                        first.name, second.name
                    ),
                )
                .with_label(format!("not in `{}`", first.name))
                .with_hint(
                    match did_you_mean(&second.name, listed.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("it lists {}", list_names(listed.iter().copied())),
                    },
                );
                self.err(d);
                return None;
            }
        }
        if matches!(
            self.declared_lists.get(&first.name),
            Some(&"split" | &"priority list")
        ) {
            return None; // the split or priority list was rejected where it is declared
        }
        let mut lists: Vec<&str> = self
            .split_names
            .keys()
            .chain(self.priority_names.keys())
            .map(|s| s.as_str())
            .collect();
        lists.sort();
        self.err(
            Diagnostic::error(
                codes::BAD_TEST,
                p.span,
                format!("`{}` is not a split or a priority list", first.name),
            )
            .with_label(if p.parts.len() == 2 {
                format!("no split or priority list `{}`", first.name)
            } else {
                "at most one dot".to_string()
            })
            .with_hint(match did_you_mean(&first.name, lists.iter().copied()) {
                Some(s) if p.parts.len() == 2 => format!("did you mean `{s}`?"),
                _ => "expect SEGMENT = [...], SPLIT.GROUP = [...] or PRIORITY.SEGMENT = [...]"
                    .to_string(),
            }),
        );
        None
    }

    pub(super) fn assert(&mut self, a: &ast::Assert, span: Span) {
        let Some(segment) = self.segment_ref(&a.target, None, false) else {
            return;
        };
        let entity = self.program.segments[segment].entity;
        let mut checks = Vec::new();
        let mut ok = true;
        for c in &a.checks {
            match &c.kind {
                ast::CheckKind::Size(p) => {
                    let int = |o: &ast::Operand| match o {
                        ast::Operand::Lit(ast::Literal {
                            kind: LitKind::Int(v),
                            ..
                        }) if *v >= 0 => Some(*v),
                        _ => None,
                    };
                    let parts = match p {
                        ast::Pred::Cmp(op, o) => int(o).map(|n| vec![(*op, n)]),
                        ast::Pred::Between(lo, hi) => match (int(lo), int(hi)) {
                            (Some(l), Some(h)) if l <= h => {
                                Some(vec![(CmpOp::Ge, l), (CmpOp::Le, h)])
                            }
                            _ => None,
                        },
                        _ => None,
                    };
                    match parts {
                        Some(parts) => checks.push(AssertCheck::Size(parts, c.span)),
                        None => {
                            let backwards = match p {
                                ast::Pred::Between(lo, hi) => match (int(lo), int(hi)) {
                                    (Some(l), Some(h)) if l > h => Some((l, h)),
                                    _ => None,
                                },
                                _ => None,
                            };
                            let d = if let Some((l, h)) = backwards {
                                Diagnostic::error(
                                    codes::BAD_RANGE,
                                    c.span,
                                    "this range starts after it ends",
                                )
                                .with_label(format!("{l} is more than {h}"))
                                .with_hint(format!(
                                    "write the smaller bound first: size between {h} and {l}"
                                ))
                            } else {
                                Diagnostic::error(
                                    codes::BAD_TEST,
                                    c.span,
                                    "a size is compared with whole numbers",
                                )
                                .with_label("not a comparison with a whole number")
                                .with_hint("size >= 100, size between 100 and 5000")
                            };
                            self.err(d);
                            ok = false;
                        }
                    }
                }
                ast::CheckKind::SizeChange { limit, percent } => {
                    let value = match &limit.kind {
                        LitKind::Int(v) => Some(*v as f64),
                        LitKind::Decimal(t) if *percent => t.parse::<f64>().ok(),
                        _ => None,
                    };
                    match value {
                        Some(v) if v >= 0.0 => checks.push(AssertCheck::SizeChange(
                            match (percent, &limit.kind) {
                                (false, LitKind::Int(n)) => ChangeLimit::Members(*n),
                                _ => ChangeLimit::Percent(v),
                            },
                            c.span,
                        )),
                        _ => {
                            let d = Diagnostic::error(
                                codes::BAD_TEST,
                                limit.span,
                                if *percent {
                                    "a size change is bounded by a percentage of 0 or more"
                                } else {
                                    "a size change is bounded by a whole number of members of 0 or more"
                                },
                            )
                            .with_label("not a bound for a change")
                            .with_hint("size change within 10% (of the size before), or size change within 500 (members)");
                            self.err(d);
                            ok = false;
                        }
                    }
                }
                ast::CheckKind::DisjointWith(o) | ast::CheckKind::SubsetOf(o) => {
                    let Some(other) = self.segment_ref(o, Some(entity), false) else {
                        ok = false;
                        continue;
                    };
                    checks.push(if matches!(c.kind, ast::CheckKind::DisjointWith(_)) {
                        AssertCheck::DisjointWith(other, c.span)
                    } else {
                        AssertCheck::SubsetOf(other, c.span)
                    });
                }
            }
        }
        if ok {
            self.program.asserts.push(AssertDef {
                segment,
                checks,
                span,
            });
        }
    }
}
