//! Conditions: `where` trees, attribute tests and the types of their operands.

use super::*;

impl<'a> Checker<'a> {
    pub(super) fn cond(&mut self, c: &ast::Cond, ctx: &Ctx) -> Option<Cond> {
        use ast::CondKind as K;
        match &c.kind {
            K::And(ops) | K::Or(ops) => {
                let mut out = Vec::new();
                let mut ok = true;
                for op in ops {
                    match self.cond(op, ctx) {
                        Some(x) => out.push(x),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Some(if matches!(c.kind, K::And(_)) {
                    Cond::And(out)
                } else {
                    any_of(out)
                })
            }
            K::Not(inner) => Some(Cond::Not(Box::new(self.cond(inner, ctx)?))),
            K::Const(b) => Some(Cond::Const(*b)),
            K::Test(v, p) => {
                let (value, ty) = self.value(v, ctx)?;
                self.pred(value, ty, v, p, c.span)
            }
            K::Did(d) => {
                self.no_filter(ctx, c.span, "`did`")?;
                self.did(d, ctx)
            }
            K::Stopped(st) => {
                self.no_filter(ctx, c.span, "`stopped`")?;
                self.stopped(st, ctx)
            }
            K::Restarted(r) => {
                self.no_filter(ctx, c.span, "`restarted`")?;
                self.restarted(r, ctx)
            }
            K::InSegment(name) => {
                self.no_filter(ctx, c.span, "`in SEGMENT`")?;
                Some(Cond::Segment(self.segment_ref(
                    name,
                    Some(ctx.entity),
                    true,
                )?))
            }
            K::Quantified(q) => {
                self.no_filter(ctx, c.span, "a quantifier")?;
                self.quantified(q, ctx)
            }
            K::Sql(s) => {
                match super::sql_predicate::check(&self.program.catalog, s, ctx.entity, ctx.filter)
                {
                    Ok(p) => Some(Cond::Sql(Box::new(p))),
                    Err(diags) => {
                        diags.into_iter().for_each(|d| self.err(d));
                        None
                    }
                }
            }
        }
    }

    /// Behaviour cannot nest inside a property filter.
    pub(super) fn no_filter(&mut self, ctx: &Ctx, span: Span, what: &str) -> Option<()> {
        if let Some(events) = ctx.filter {
            let ev = &self.program.catalog.events[events];
            let props = list_names(ev.properties.iter().map(|c| c.name.as_str()));
            let d = Diagnostic::error(
                codes::WRONG_PLACE,
                span,
                format!("{what} cannot be used inside a `with` filter"),
            )
            .with_label("not a test of the event's properties")
            .with_hint(format!(
                "a `with` filter tests each event's own properties (of `{}`: {props}); to combine behaviours, join two conditions with `and` outside the filter",
                ev.name
            ));
            self.err(d);
            return None;
        }
        Some(())
    }

    pub(super) fn pred(
        &mut self,
        value: Scalar,
        ty: Type,
        v: &ast::Value,
        p: &ast::Pred,
        span: Span,
    ) -> Option<Cond> {
        use ast::Pred as P;
        let vspan = v.span;
        match p {
            P::Cmp(op, operand) => {
                let (rhs, rty, rspan) = self.operand(operand);
                let rhs = rhs?;
                if !comparable(ty, rty) {
                    self.mismatch(vspan, ty, Rhs::operand(operand, rspan, rty), v);
                    return None;
                }
                if ty == Type::Bool && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    let vt = value_text(v);
                    self.err(
                        Diagnostic::error(codes::NOT_ORDERABLE, span, "booleans have no order")
                            .with_label(format!("`{}` on a bool", op.symbol()))
                            .with_hint(format!(
                                "compare booleans with = or !=: {vt} = true, {vt} = false"
                            )),
                    );
                    return None;
                }
                Some(self.compare(value, ty, *op, rhs))
            }
            P::In(list) | P::NotIn(list) => self.pred_in(value, ty, v, p, list),
            P::Between(a, b) => self.pred_between(value, ty, v, a, b, span),
            P::Contains(s) | P::StartsWith(s) | P::EndsWith(s) => {
                self.need_string(ty, vspan, v, p)?;
                let op = match p {
                    P::Contains(_) => TextOp::Contains,
                    P::StartsWith(_) => TextOp::StartsWith,
                    _ => TextOp::EndsWith,
                };
                Some(Cond::Text {
                    value,
                    op,
                    pattern: s.value.clone(),
                })
            }
            P::Matches(s) => self.pred_matches(value, ty, v, p, s),
            P::IgnoringCase(inner) => self.pred_ignoring_case(value, ty, v, inner, span),
            P::IsSet => Some(Cond::IsSet(value)),
            P::IsNotSet => Some(Cond::Not(Box::new(Cond::IsSet(value)))),
            P::InLast(d) => {
                if !timeish(ty) {
                    self.err(
                        Diagnostic::error(
                            codes::NOT_TIME,
                            vspan,
                            format!("`{}` is {}, not a date or timestamp", value_text(v), article(ty)),
                        )
                        .with_label("`in last` needs a time")
                        .with_hint("`in last N days` tests a date or timestamp column; for events write did \"...\" in last N days"),
                    );
                    return None;
                }
                self.positive_duration(d)?;
                Some(Cond::And(vec![
                    self.compare(
                        value.clone(),
                        ty,
                        CmpOp::Ge,
                        Scalar::Time(TimePoint::Ago(duration(d))),
                    ),
                    self.compare(value, ty, CmpOp::Lt, Scalar::Time(TimePoint::AsOf)),
                ]))
            }
        }
    }

    /// A comparison, with "a date is a day" when a timestamp meets a date literal.
    /// `in [...]` and `not in [...]`: a list of literals of the value's type.
    fn pred_in(
        &mut self,
        value: Scalar,
        ty: Type,
        v: &ast::Value,
        p: &ast::Pred,
        list: &[ast::Literal],
    ) -> Option<Cond> {
        use ast::Pred as P;
        let vspan = v.span;
        let mut lits = Vec::new();
        for l in list {
            let x = lit(&l.kind)?;
            if !comparable(ty, x.ty()) {
                let rhs = Rhs {
                    span: l.span,
                    ty: x.ty(),
                    text: segql_syntax::fmt::literal_text(&l.kind),
                    is_ago: false,
                };
                self.mismatch(vspan, ty, rhs, v);
                return None;
            }
            lits.push(x);
        }
        // A list of days for a timestamp: each day whole.
        let cond = if ty == Type::Timestamp && lits.iter().any(|l| matches!(l, Lit::Date(_))) {
            Cond::Or(
                lits.into_iter()
                    .map(|l| self.compare(value.clone(), ty, CmpOp::Eq, Scalar::Lit(l)))
                    .collect(),
            )
        } else {
            Cond::In {
                value: value.clone(),
                list: lits,
            }
        };
        Some(if matches!(p, P::NotIn(_)) {
            // NULL makes the comparison false: `not in` needs a value.
            Cond::And(vec![Cond::IsSet(value), Cond::Not(Box::new(cond))])
        } else {
            cond
        })
    }

    /// `between A and B`: both ends of the value's type, in order.
    fn pred_between(
        &mut self,
        value: Scalar,
        ty: Type,
        v: &ast::Value,
        a: &ast::Operand,
        b: &ast::Operand,
        span: Span,
    ) -> Option<Cond> {
        let vspan = v.span;
        let (lo, lty, lspan) = self.operand(a);
        let (hi, hty, hspan) = self.operand(b);
        let (lo, hi) = (lo?, hi?);
        for (t, s, o) in [(lty, lspan, a), (hty, hspan, b)] {
            if !comparable(ty, t) {
                self.mismatch(vspan, ty, Rhs::operand(o, s, t), v);
                return None;
            }
        }
        if ty == Type::Bool {
            let vt = value_text(v);
            self.err(
                Diagnostic::error(codes::NOT_ORDERABLE, span, "booleans have no order")
                    .with_label("`between` on a bool")
                    .with_hint(format!(
                        "compare booleans with = or !=: {vt} = true, {vt} = false"
                    )),
            );
            return None;
        }
        if let (Some(x), Some(y)) = (order_key(&lo), order_key(&hi)) {
            if x.0 == y.0 && x.1 > y.1 {
                let (at, bt) = (operand_text(a), operand_text(b));
                let (msg, label, hint) = if timeish(ty) {
                    (
                        "this range starts after it ends",
                        format!("`{at}` is later than `{bt}`"),
                        format!("write the earlier point first: between {bt} and {at}"),
                    )
                } else {
                    (
                        "this range starts after it ends",
                        format!("{at} is more than {bt}"),
                        format!("write the smaller bound first: between {bt} and {at}"),
                    )
                };
                self.err(
                    Diagnostic::error(codes::BAD_RANGE, lspan.to(hspan), msg)
                        .with_label(label)
                        .with_hint(hint),
                );
                return None;
            }
        }
        if timeish(ty) {
            // [lo, hi): a date as the upper bound includes that whole day.
            Some(Cond::And(vec![
                self.compare(value.clone(), ty, CmpOp::Ge, lo),
                self.compare(value, ty, CmpOp::Le, hi),
            ]))
            .map(|c| match (c, &hi_is_point(b)) {
                (Cond::And(mut parts), true) => {
                    // A point in time (timestamp or `ago`) ends the range
                    // exclusively: half-open like every window.
                    if let Some(Cond::Cmp(v, CmpOp::Le, h)) = parts.pop() {
                        parts.push(Cond::Cmp(v, CmpOp::Lt, h));
                    }
                    Cond::And(parts)
                }
                (c, _) => c,
            })
        } else {
            Some(Cond::And(vec![
                Cond::Cmp(value.clone(), CmpOp::Ge, lo),
                Cond::Cmp(value, CmpOp::Le, hi),
            ]))
        }
    }

    /// `matches "regex"`: a pattern every engine reads alike.
    fn pred_matches(
        &mut self,
        value: Scalar,
        ty: Type,
        v: &ast::Value,
        p: &ast::Pred,
        s: &ast::StrLit,
    ) -> Option<Cond> {
        let vspan = v.span;
        self.need_string(ty, vspan, v, p)?;
        if let Err(e) = regex_syntax::Parser::new().parse(&s.value) {
            // The problem and where in the pattern it is.
            let (what, at) = match &e {
                regex_syntax::Error::Parse(e) => (e.kind().to_string(), Some(*e.span())),
                regex_syntax::Error::Translate(e) => (e.kind().to_string(), Some(*e.span())),
                _ => (e.to_string(), None),
            };
            let span = at
                .and_then(|a| inside_string(s, a.start.offset, a.end.offset))
                .unwrap_or(s.span);
            self.err(
                Diagnostic::error(codes::BAD_REGEX, span, format!("invalid regular expression: {what}"))
                    .with_label(what)
                    .with_hint("patterns use the RE2 syntax every engine shares; write \\\\ for a backslash in the string"),
            );
            return None;
        }
        Some(Cond::Regex {
            value,
            pattern: s.value.clone(),
        })
    }

    pub(super) fn compare(&mut self, value: Scalar, ty: Type, op: CmpOp, rhs: Scalar) -> Cond {
        if ty == Type::Timestamp {
            if let Scalar::Lit(Lit::Date(d)) = rhs {
                let start = Scalar::Lit(Lit::Timestamp(day_start(d)));
                let next = Scalar::Lit(Lit::Timestamp(day_start(d + 1)));
                return match op {
                    CmpOp::Lt => Cond::Cmp(value, CmpOp::Lt, start),
                    CmpOp::Le => Cond::Cmp(value, CmpOp::Lt, next),
                    CmpOp::Gt => Cond::Cmp(value, CmpOp::Ge, next),
                    CmpOp::Ge => Cond::Cmp(value, CmpOp::Ge, start),
                    CmpOp::Eq => Cond::And(vec![
                        Cond::Cmp(value.clone(), CmpOp::Ge, start),
                        Cond::Cmp(value, CmpOp::Lt, next),
                    ]),
                    CmpOp::Ne => Cond::And(vec![
                        Cond::IsSet(value.clone()),
                        Cond::Not(Box::new(Cond::And(vec![
                            Cond::Cmp(value.clone(), CmpOp::Ge, start),
                            Cond::Cmp(value, CmpOp::Lt, next),
                        ]))),
                    ]),
                };
            }
        }
        Cond::Cmp(value, op, rhs)
    }

    pub(super) fn need_string(
        &mut self,
        ty: Type,
        vspan: Span,
        v: &ast::Value,
        p: &ast::Pred,
    ) -> Option<()> {
        if ty != Type::String {
            let word = match p {
                ast::Pred::Contains(_) => "contains",
                ast::Pred::StartsWith(_) => "starts with",
                ast::Pred::EndsWith(_) => "ends with",
                _ => "matches",
            };
            self.err(
                Diagnostic::error(
                    codes::NOT_STRING,
                    vspan,
                    format!(
                        "`{}` is {}, but `{word}` works on strings",
                        value_text(v),
                        article(ty)
                    ),
                )
                .with_label(article(ty))
                .with_hint(if numeric(ty) {
                    "`contains`, `starts with`, `ends with` and `matches` test text; compare numbers with =, <, >, `in [...]` or `between`"
                } else {
                    "`contains`, `starts with`, `ends with` and `matches` test text; compare other values with =, <, >, `in [...]` or `between`"
                }),
            );
            return None;
        }
        Some(())
    }

    /// `v` (of type `ty`) compared with a literal or `N units ago` of type `rty`, written
    /// `rtext`.
    pub(super) fn mismatch(&mut self, vspan: Span, ty: Type, rhs: Rhs, v: &ast::Value) {
        let Rhs {
            span: rspan,
            ty: rty,
            text: rtext,
            is_ago,
        } = rhs;
        let vt = value_text(v);
        let rdesc = if is_ago {
            "a point in time".to_string()
        } else {
            article(rty)
        };
        let hint = match (ty, rty) {
            (Type::String, t) if numeric(t) && !is_ago => {
                format!("if `{vt}` holds text, write the value in quotes: \"{rtext}\"")
            }
            (t, Type::String) if numeric(t) => {
                let unquoted = rtext.trim_matches('"');
                if unquoted.parse::<f64>().is_ok() {
                    format!("write the number without quotes: {unquoted}")
                } else {
                    format!(
                        "`{vt}` holds numbers: compare it with a number, as in {}",
                        example(ty)
                    )
                }
            }
            (t, Type::String) if timeish(t) => {
                "dates and timestamps are written without quotes: 2024-01-31, 2024-01-31T09:30:00Z"
                    .to_string()
            }
            _ if is_ago => format!(
                "`N days ago` is for date and timestamp columns; compare `{vt}` with {}, as in {}",
                article(ty),
                example(ty)
            ),
            _ => format!(
                "`{vt}` holds {}s: compare it with one, as in {}",
                ty.keyword(),
                example(ty)
            ),
        };
        self.err(
            Diagnostic::error(
                codes::TYPE_MISMATCH,
                rspan,
                format!("`{vt}` is {}, but `{rtext}` is {rdesc}", article(ty)),
            )
            .with_label(rdesc)
            .with_secondary(vspan, article(ty))
            .with_hint(hint),
        );
    }

    /// The right-hand side of a predicate: its value, type and span.
    pub(super) fn operand(&mut self, o: &ast::Operand) -> (Option<Scalar>, Type, Span) {
        match o {
            ast::Operand::Lit(l) => match lit(&l.kind) {
                Some(x) => {
                    let t = x.ty();
                    (Some(Scalar::Lit(x)), t, l.span)
                }
                None => (None, Type::String, l.span),
            },
            ast::Operand::Ago(d) => {
                if self.positive_duration(d).is_none() {
                    return (None, Type::Timestamp, d.span);
                }
                (
                    Some(Scalar::Time(TimePoint::Ago(duration(d)))),
                    Type::Timestamp,
                    d.span,
                )
            }
        }
    }

    pub(super) fn positive_duration(&mut self, d: &ast::Duration) -> Option<()> {
        if d.n <= 0 {
            self.err(
                Diagnostic::error(
                    codes::EMPTY_WINDOW,
                    d.span,
                    format!("a duration of {} {} is empty", d.n, d.unit.plural()),
                )
                .with_label("an empty duration")
                .with_hint(format!(
                    "durations are at least 1: `1 {}`",
                    d.unit.word_for(1)
                )),
            );
            return None;
        }
        if d.n > 100_000 {
            self.err(
                Diagnostic::error(
                    codes::BAD_COUNT,
                    d.span,
                    "a duration longer than 100000 units",
                )
                .with_label("too long")
                .with_hint("write `ever` for all of history"),
            );
            return None;
        }
        Some(())
    }
}

/// An `or`, with its tests "did one of these names in W" over one relation and window
/// (no property condition) merged into one test of all their names: `did "a" in last 365
/// days or did "b" in last 365 days` is `did ["a", "b"] in last 365 days`, one count of
/// the events of either name instead of one per name.
fn any_of(ops: Vec<Cond>) -> Cond {
    fn names_seen(c: &Cond) -> Option<(&EventFilter, &Vec<String>)> {
        let f = &c.did()?.filter;
        match (&f.names, &f.pred, f.action) {
            (Some(names), None, None) => Some((f, names)),
            _ => None,
        }
    }
    let mut out: Vec<Cond> = Vec::new();
    for op in ops {
        let Some((f, names)) = names_seen(&op) else {
            out.push(op);
            continue;
        };
        let earlier = out.iter_mut().find(|o| {
            names_seen(o).is_some_and(|(g, _)| g.events == f.events && g.window == f.window)
        });
        match earlier {
            Some(Cond::Cmp(Scalar::Agg(agg), _, _)) => {
                let all = agg.filter.names.get_or_insert_with(Vec::new);
                for n in names {
                    if !all.contains(n) {
                        all.push(n.clone());
                    }
                }
            }
            _ => out.push(op),
        }
    }
    if out.len() == 1 {
        out.pop().unwrap_or(Cond::Const(false))
    } else {
        Cond::Or(out)
    }
}
