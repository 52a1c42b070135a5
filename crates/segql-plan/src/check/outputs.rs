//! Reports, splits and priority lists: statements over several segments of one entity.

use super::*;

impl<'a> Checker<'a> {
    pub(super) fn same_entity_segments(
        &mut self,
        names: &[ast::Ident],
        what: &str,
    ) -> Option<(EntityId, Vec<SegmentId>)> {
        let mut ids = Vec::new();
        let mut entity: Option<(EntityId, &ast::Ident)> = None;
        let mut ok = true;
        for n in names {
            let Some(id) = self.segment_ref(n, None, false) else {
                ok = false;
                continue;
            };
            let e = self.program.segments[id].entity;
            match entity {
                None => entity = Some((e, n)),
                Some((first, first_name)) if first != e => {
                    let cat = &self.program.catalog;
                    self.err(
                        Diagnostic::error(
                            codes::ENTITY_MISMATCH,
                            n.span,
                            format!(
                                "`{}` is of {}, but `{}` is of {}",
                                n.name,
                                cat.entities[e].name,
                                first_name.name,
                                cat.entities[first].name
                            ),
                        )
                        .with_label(format!("of {}", cat.entities[e].name))
                        .with_secondary(first_name.span, format!("of {}", cat.entities[first].name))
                        .with_hint(format!(
                            "the segments of one {what} are all of one entity; list the segments of {} in another {what}",
                            cat.entities[e].name
                        )),
                    );
                    ok = false;
                }
                _ => {}
            }
            if ids.contains(&id) {
                let first = names
                    .iter()
                    .find(|m| m.name == n.name)
                    .map_or(n.span, |m| m.span);
                self.err(
                    Diagnostic::error(
                        codes::DUPLICATE_NAME,
                        n.span,
                        format!("`{}` is listed twice", n.name),
                    )
                    .with_label("listed again here")
                    .with_secondary(first, "first listed here")
                    .with_hint("list each segment once"),
                );
                ok = false;
            }
            ids.push(id);
        }
        if !ok {
            return None;
        }
        Some((entity?.0, ids))
    }

    pub(super) fn report(&mut self, r: &ast::Report, _span: Span) {
        if r.segments.is_empty() {
            self.err(
                Diagnostic::error(
                    codes::BAD_COUNT,
                    r.name.span,
                    format!("report `{}` lists no segments", r.name.name),
                )
                .with_label("no segments")
                .with_hint("a report has a row per segment: segments [paying, trial_idle]"),
            );
            return;
        }
        let Some((entity, segments)) = self.same_entity_segments(&r.segments, "report") else {
            return;
        };
        let ctx = Ctx {
            entity,
            score: None,
            filter: None,
        };
        let mut metrics = Vec::new();
        let mut names: HashMap<&str, Span> = HashMap::new();
        let mut ok = true;
        for m in &r.metrics {
            if let Some(first) = names.get(m.name.name.as_str()) {
                self.err(
                    Diagnostic::error(
                        codes::DUPLICATE_NAME,
                        m.name.span,
                        format!("metric `{}` is defined twice", m.name.name),
                    )
                    .with_label("defined again here")
                    .with_secondary(*first, "first defined here")
                    .with_hint("give each metric its own name"),
                );
                ok = false;
                continue;
            }
            names.insert(&m.name.name, m.name.span);
            let kind = match &m.expr {
                ast::MetricExpr::Count(None) => Some(MetricKind::Count(None)),
                ast::MetricExpr::Count(Some(c)) => {
                    self.cond(c, &ctx).map(|c| MetricKind::Count(Some(c)))
                }
                ast::MetricExpr::Share(c) => self.cond(c, &ctx).map(MetricKind::Share),
                ast::MetricExpr::Agg(f, v) => self.value(v, &ctx).and_then(|(s, ty)| {
                    let needs_number = matches!(f, ast::AggFunc::Avg | ast::AggFunc::Sum);
                    if (needs_number && !numeric(ty)) || !orderable(ty) {
                        let needs = if needs_number { "numbers" } else { "values with an order" };
                        self.err(
                            Diagnostic::error(
                                codes::NOT_NUMERIC,
                                v.span,
                                format!(
                                    "`{}` is {}; {} needs {needs}",
                                    value_text(v),
                                    article(ty),
                                    f.keyword()
                                ),
                            )
                            .with_label(article(ty))
                            .with_hint(if needs_number {
                                "sum and avg take an int, decimal or float value; for other values, count the members with `count where ...`"
                            } else {
                                "min and max take a value with an order; for a bool, count the members with `count where ... = true`"
                            }),
                        );
                        return None;
                    }
                    Some(match f {
                        ast::AggFunc::Avg => MetricKind::Avg(s),
                        ast::AggFunc::Sum => MetricKind::Sum(s),
                        ast::AggFunc::Min => MetricKind::Min(s),
                        _ => MetricKind::Max(s),
                    })
                }),
            };
            match kind {
                Some(kind) => metrics.push(MetricDef {
                    name: m.name.name.clone(),
                    kind,
                }),
                None => ok = false,
            }
        }
        if ok {
            self.program.reports.push(ReportDef {
                name: r.name.name.clone(),
                entity,
                description: r.meta.description.as_ref().map(|d| d.value.clone()),
                segments,
                metrics,
                span: r.name.span,
            });
        }
    }

    pub(super) fn split(&mut self, s: &ast::Split, _span: Span) {
        let Some(segment) = self.segment_ref(&s.segment, None, false) else {
            return;
        };
        if s.salt.value.is_empty() {
            self.err(
                Diagnostic::error(codes::BAD_SPLIT, s.salt.span, "the salt is empty")
                    .with_label("an empty salt")
                    .with_hint("a salt makes this split's groups independent of other splits: salt \"onboarding-2024\""),
            );
            return;
        }
        if s.groups.is_empty() {
            self.err(
                Diagnostic::error(
                    codes::BAD_SPLIT,
                    s.name.span,
                    format!("split `{}` has no groups", s.name.name),
                )
                .with_label("no groups")
                .with_hint("group control 50%\n  group variant 50%"),
            );
            return;
        }
        let mut groups = Vec::new();
        let mut total: u64 = 0;
        let mut names: HashMap<&str, Span> = HashMap::new();
        for g in &s.groups {
            if let Some(first) = names.get(g.name.name.as_str()) {
                self.err(
                    Diagnostic::error(
                        codes::DUPLICATE_NAME,
                        g.name.span,
                        format!("group `{}` is listed twice", g.name.name),
                    )
                    .with_label("listed again here")
                    .with_secondary(*first, "first listed here")
                    .with_hint("give each group its own name"),
                );
                return;
            }
            names.insert(&g.name.name, g.name.span);
            let bp = match &g.percent.kind {
                LitKind::Int(v) if *v > 0 && *v <= 100 => Some(*v as u64 * 100),
                LitKind::Decimal(d) if !d.starts_with('-') => {
                    let (int, frac) = d.split_once('.').unwrap_or((d, ""));
                    if frac.len() > 2 {
                        None
                    } else {
                        let frac = format!("{frac:0<2}");
                        int.parse::<u64>()
                            .ok()
                            .and_then(|i| frac.parse::<u64>().ok().map(|f| i * 100 + f))
                    }
                    .filter(|v| *v > 0 && *v <= 10_000)
                }
                _ => None,
            };
            let Some(bp) = bp else {
                let text = segql_syntax::fmt::literal_text(&g.percent.kind);
                let decimals = text.split_once('.').map_or(0, |(_, f)| f.len());
                let (message, label) = if decimals > 2 {
                    (
                        "a group's share has at most two decimals".to_string(),
                        format!("{decimals} decimals"),
                    )
                } else {
                    (
                        "a group's share is a percentage above 0 and at most 100".to_string(),
                        "out of range".to_string(),
                    )
                };
                self.err(
                    Diagnostic::error(codes::BAD_SPLIT, g.percent.span, message)
                        .with_label(label)
                        .with_hint("shares go to 0.01%, and the groups add up to 100%: group a 33.33%  group b 33.33%  group c 33.34%"),
                );
                return;
            };
            total += bp;
            groups.push((g.name.name.clone(), bp as u32));
        }
        if total != 10_000 {
            let shown = format!("{}.{:02}", total / 100, total % 100);
            let shown = shown
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string();
            self.err(
                Diagnostic::error(
                    codes::BAD_SPLIT,
                    s.name.span,
                    format!(
                        "the groups of `{}` add up to {shown}%, not 100%",
                        s.name.name
                    ),
                )
                .with_label(format!("{shown}% in all"))
                .with_hint(
                    "every member lands in exactly one group: make the shares add up to 100%",
                ),
            );
            return;
        }
        self.split_names
            .insert(s.name.name.clone(), self.program.splits.len());
        self.program.splits.push(SplitDef {
            name: s.name.name.clone(),
            segment,
            salt: s.salt.value.clone(),
            groups,
            span: s.name.span,
        });
    }

    pub(super) fn priority(&mut self, p: &ast::Priority, _span: Span) {
        if p.segments.is_empty() {
            self.err(
                Diagnostic::error(
                    codes::BAD_COUNT,
                    p.name.span,
                    format!("priority list `{}` lists no segments", p.name.name),
                )
                .with_label("no segments")
                .with_hint("list segments in order of priority: segments [champions, at_risk]"),
            );
            return;
        }
        let Some((entity, segments)) = self.same_entity_segments(&p.segments, "priority list")
        else {
            return;
        };
        self.priority_names
            .insert(p.name.name.clone(), self.program.priorities.len());
        self.program.priorities.push(PriorityDef {
            name: p.name.name.clone(),
            entity,
            segments,
            span: p.name.span,
        });
    }

    pub(super) fn relation_columns(&self, rel: &Relation) -> (String, Vec<Column>, Vec<String>) {
        // (name, columns, required columns)
        let cat = &self.program.catalog;
        let (cols, required) = cat.relation_columns(rel);
        (cat.relation_name(rel).to_string(), cols, required)
    }
}
