//! Windows, time points, durations and the predicates after a value.

use super::*;

impl Parser<'_> {
    pub(super) fn opt_window(&mut self) -> PResult<Option<Window>> {
        let start = self.tok().start;
        let kind = if self.is_word("ever") {
            self.bump();
            WindowKind::Ever
        } else if self.is_word("between") {
            self.bump();
            let a = self.time_point()?;
            if !self.eat_word("and") {
                return Err(self.expected_with_hint(
                    "`and`",
                    "a window between two points in time is `between 2024-01-01 and 2024-04-01`",
                ));
            }
            let b = self.time_point()?;
            WindowKind::Between(a, b)
        } else if self.is_word("since") {
            self.bump();
            WindowKind::Since(self.time_point()?)
        } else if self.is_word("in") {
            self.bump();
            if self.eat_word("last") {
                WindowKind::Last(self.duration()?)
            } else if self.is_word("at") || self.is_word("exactly") {
                let quant = self.count_quant()?;
                let k = self.int_lit("a count of periods")?;
                self.expect_word("of")?;
                if !self.eat_word("last") {
                    return Err(self.expected_with_hint(
                        "`last`",
                        "for example: in at least 3 of last 4 weeks",
                    ));
                }
                let n = self.int_lit("a number of periods")?;
                if self.eat_word("periods") || self.eat_word("period") {
                    if !self.eat_word("of") {
                        return Err(self.expected_with_hint(
                            "`of` and the length of a period",
                            "periods of several units: in at least 3 of last 4 periods of 3 days",
                        ));
                    }
                    let length = self.int_lit("the length of a period")?;
                    let unit = self.unit()?;
                    WindowKind::Periods {
                        quant,
                        k,
                        n,
                        unit,
                        length: Some(length),
                    }
                } else {
                    let unit = self.unit()?;
                    WindowKind::Periods {
                        quant,
                        k,
                        n,
                        unit,
                        length: None,
                    }
                }
            } else if self.tok().kind == TokKind::Int && !self.is_unit_at(1) {
                // `in 3 of last 4 weeks`: say which count of periods is meant.
                return Err(self.expected_with_hint(
                    "`at least`, `at most` or `exactly` before a count of periods",
                    "say how many periods: `in at least 3 of last 4 weeks`, `in exactly 3 of ..` or `in at most 3 of ..`",
                ));
            } else {
                return Err(self.expected_with_hint(
                    "`last` or `at least`",
                    "a window is `in last 30 days`, `in at least 3 of last 4 weeks`, `between .. and ..`, `since ..` or `ever`",
                ));
            }
        } else {
            return Ok(None);
        };
        Ok(Some(Window {
            kind,
            span: self.span_from(start),
        }))
    }

    /// `between N and M times` after an event (`between` is the current word).
    pub(super) fn freq_between(&mut self) -> PResult<Freq> {
        let start = self.tok().start;
        self.bump();
        let n = self.int_lit("a count")?;
        if !self.eat_word("and") {
            return Err(self.expected_with_hint(
                "`and`",
                "a count between two bounds is `between 1 and 3 times` (both included)",
            ));
        }
        let max = self.int_lit("a count")?;
        if !self.eat_word("times") && !self.eat_word("time") {
            return Err(self.expected_with_hint(
                "`times`",
                "a count between two bounds is `between 1 and 3 times` (both included)",
            ));
        }
        Ok(Freq {
            quant: CountQuant::AtLeast,
            n,
            max: Some(max),
            span: self.span_from(start),
        })
    }

    pub(super) fn time_point(&mut self) -> PResult<TimePoint> {
        if self.is_word("now") {
            self.bump();
            return Ok(TimePoint::Now);
        }
        if self.kind() == TokKind::Int && self.is_unit_at(1) {
            let d = self.duration()?;
            if !self.eat_word("ago") {
                return Err(self.ago_missing(d.span));
            }
            return Ok(TimePoint::Ago(d));
        }
        let lit = self.literal(false)?;
        if !matches!(lit.kind, LitKind::Date(_) | LitKind::Timestamp(_)) {
            let d = Diagnostic::error(
                codes::UNEXPECTED_TOKEN,
                lit.span,
                "expected a point in time",
            )
            .with_label("not a date, a timestamp, a duration ago or `now`")
            .with_hint(
                "write a date (2024-01-31), a timestamp (2024-01-31T09:00:00Z), `30 days ago` or `now`",
            );
            self.push_diag(d);
            return Err(Stop);
        }
        Ok(TimePoint::Lit(lit))
    }

    pub(super) fn ago_missing(&mut self, span: Span) -> Stop {
        let d = Diagnostic::error(
            codes::AGO_MISSING,
            span,
            "a duration is not a point in time",
        )
        .with_label("add `ago` after this")
        .with_hint("write `30 days ago` for a point in time, or `in last 30 days` for a window");
        self.push_diag(d);
        Stop
    }

    pub(super) fn is_unit_at(&self, k: usize) -> bool {
        let t = self.nth(k);
        t.kind == TokKind::Word && Unit::from_word(self.text_of(t)).is_some()
    }

    pub(super) fn unit(&mut self) -> PResult<Unit> {
        let t = self.tok();
        if t.kind == TokKind::Word {
            let w = self.text_of(t);
            if let Some(u) = Unit::from_word(w) {
                self.bump();
                return Ok(u);
            }
            let words: Vec<&str> = Unit::ALL
                .iter()
                .flat_map(|u| [u.singular(), u.plural()])
                .collect();
            let hint = match w {
                "minute" | "minutes" | "second" | "seconds" => {
                    "the smallest time unit is the hour: round to hours, as in `in last 1 hour`"
                        .to_string()
                }
                "d" | "h" | "w" | "m" | "y" => {
                    "write the unit in full: days, hours, weeks, months, years".to_string()
                }
                _ => did_you_mean(w, words.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        "the units are hours, days, weeks, months and years".to_string()
                    }),
            };
            let d = Diagnostic::error(
                codes::UNKNOWN_UNIT,
                self.span_of(t),
                format!("unknown time unit `{w}`"),
            )
            .with_label("not a time unit")
            .with_hint(hint);
            self.push_diag(d);
            return Err(Stop);
        }
        Err(self.expected_with_hint(
            "a time unit",
            "the units are hours, days, weeks, months and years",
        ))
    }

    pub(super) fn duration(&mut self) -> PResult<Duration> {
        let start = self.tok().start;
        let n = self.int_lit("a number")?;
        let unit = self.unit()?;
        Ok(Duration {
            n: n.value,
            unit,
            span: self.span_from(start),
        })
    }

    /// A predicate after a value, with its `ignoring case` if one follows.
    pub(super) fn pred(&mut self) -> PResult<Pred> {
        let p = self.pred_plain()?;
        if self.is_word("ignoring") {
            self.bump();
            if !self.eat_word("case") {
                return Err(self.expected_with_hint(
                    "`case` after `ignoring`",
                    "write `email contains \"acme\" ignoring case`",
                ));
            }
            return Ok(Pred::IgnoringCase(Box::new(p)));
        }
        Ok(p)
    }

    fn pred_plain(&mut self) -> PResult<Pred> {
        let t = self.tok();
        let op = match t.kind {
            TokKind::Eq => Some(CmpOp::Eq),
            TokKind::Ne => Some(CmpOp::Ne),
            TokKind::Lt => Some(CmpOp::Lt),
            TokKind::Le => Some(CmpOp::Le),
            TokKind::Gt => Some(CmpOp::Gt),
            TokKind::Ge => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.bump();
            return Ok(Pred::Cmp(op, self.operand()?));
        }
        let w = if t.kind == TokKind::Word {
            self.text_of(t)
        } else {
            ""
        };
        match w {
            "in" => {
                self.bump();
                if self.eat_word("last") {
                    return Ok(Pred::InLast(self.duration()?));
                }
                Ok(Pred::In(self.literal_list()?))
            }
            "not" => {
                self.bump();
                if !self.eat_word("in") {
                    return Err(self.expected_with_hint(
                        "`in` after `not`",
                        "to negate a comparison, put `not` first: not (email contains \"test\")",
                    ));
                }
                Ok(Pred::NotIn(self.literal_list()?))
            }
            "between" => {
                self.bump();
                let a = self.operand()?;
                if !self.eat_word("and") {
                    return Err(self.expected_with_hint(
                        "`and`",
                        "a range is written `between 18 and 25` (both ends included)",
                    ));
                }
                let b = self.operand()?;
                Ok(Pred::Between(a, b))
            }
            "contains" => {
                self.bump();
                Ok(Pred::Contains(self.string("a string")?))
            }
            "starts" => {
                self.bump();
                self.expect_word("with")?;
                Ok(Pred::StartsWith(self.string("a string")?))
            }
            "ends" => {
                self.bump();
                self.expect_word("with")?;
                Ok(Pred::EndsWith(self.string("a string")?))
            }
            "matches" => {
                self.bump();
                Ok(Pred::Matches(self.string("a regular expression, as a string")?))
            }
            "is" => {
                let is = self.bump();
                let not = self.eat_word("not");
                if self.is_word("null") {
                    // SQL's `is null`: say what segql writes, then read on as meant.
                    let null = self.bump();
                    let (wrote, meant) = if not {
                        ("is not null", "is set")
                    } else {
                        ("is null", "is not set")
                    };
                    let d = Diagnostic::error(
                        codes::NULL_OUTSIDE_TABLE,
                        Span::new(self.file, is.start, null.end),
                        format!("`{wrote}` is written `{meant}`"),
                    )
                    .with_label(format!("write `{meant}`"))
                    .with_hint("test for a missing value with `is not set`, for a present one with `is set`");
                    self.push_diag(d);
                    return Ok(if not { Pred::IsSet } else { Pred::IsNotSet });
                }
                if !self.eat_word("set") {
                    return Err(self.expected_with_hint("`set`", "write `is set` or `is not set`"));
                }
                Ok(if not { Pred::IsNotSet } else { Pred::IsSet })
            }
            _ => Err(self.expected_with_hint(
                "a comparison",
                "compare with = != < <= > >=, or use in [..], not in [..], between .. and .., contains, starts with, ends with, matches, is set, in last ..",
            )),
        }
    }

    pub(super) fn operand(&mut self) -> PResult<Operand> {
        if self.kind() == TokKind::Int && self.is_unit_at(1) {
            let d = self.duration()?;
            if !self.eat_word("ago") {
                return Err(self.ago_missing(d.span));
            }
            return Ok(Operand::Ago(d));
        }
        Ok(Operand::Lit(self.literal(false)?))
    }

    pub(super) fn literal_list(&mut self) -> PResult<Vec<Literal>> {
        let start = self.tok().start;
        if self.kind() != TokKind::LBracket {
            return Err(self.expected_with_hint(
                "`[` and a list of values",
                "for example: country in [\"FR\", \"DE\"]; for a segment write `in SEGMENT` as its own condition",
            ));
        }
        self.bump();
        let mut out = Vec::new();
        while self.kind() != TokKind::RBracket {
            out.push(self.literal(false)?);
            if !self.eat(TokKind::Comma) {
                break;
            }
        }
        self.expect_close_bracket()?;
        if out.is_empty() {
            let d = Diagnostic::error(codes::EMPTY_LIST, self.span_from(start), "an empty list")
                .with_label("nothing in this list")
                .with_hint("`in []` is never true; list one value at least");
            self.push_diag(d);
        }
        Ok(out)
    }
}
