//! Conditions: `and`/`or`/`not`, atoms, quantified and counted events, sequences' steps.

use super::*;

impl Parser<'_> {
    /// `unary (and unary)* | unary (or unary)*`; mixing needs parentheses.
    pub(super) fn cond(&mut self) -> PResult<Cond> {
        self.enter()?;
        let r = self.cond_inner();
        self.leave();
        r
    }

    pub(super) fn cond_inner(&mut self) -> PResult<Cond> {
        let first = self.unary()?;
        let start = first.span.start;
        let mut op: Option<&str> = None;
        let mut operands = vec![first];
        loop {
            let w = if self.is_word("and") || self.kind() == TokKind::AndAnd {
                // `&&` was reported by the lexer; read it as `and`.
                "and"
            } else if self.is_word("or") {
                "or"
            } else if self.kind() == TokKind::Pipe
                && self.nth(1).kind == TokKind::Pipe
                && self.nth(1).start == self.tok().end
            {
                let a = self.bump();
                let b = self.tok();
                let d = Diagnostic::error(
                    codes::UNEXPECTED_CHAR,
                    Span::new(self.file, a.start, b.end),
                    "`||` is not an operator",
                )
                .with_label("write `or`")
                .with_hint(
                    "join conditions with `and` and `or`: `country = \"FR\" or country = \"DE\"`",
                );
                self.push_diag(d);
                "or"
            } else {
                break;
            };
            let kw = self.bump();
            match op {
                None => op = Some(w),
                Some(prev) if prev != w => {
                    let so_far = self.span_from(start);
                    let d = Diagnostic::error(
                        codes::MIXED_AND_OR,
                        self.span_of(kw),
                        format!("`{w}` follows `{prev}` without parentheses"),
                    )
                    .with_label(format!("this `{w}`"))
                    .with_secondary(so_far, format!("joined by `{prev}`"))
                    .with_hint("add parentheses to say which is meant: `(a and b) or c`, or `a and (b or c)`");
                    self.push_diag(d);
                    // Keep going as if the parentheses were around what came before.
                    let kind = if prev == "and" {
                        CondKind::And(std::mem::take(&mut operands))
                    } else {
                        CondKind::Or(std::mem::take(&mut operands))
                    };
                    operands.push(Cond { kind, span: so_far });
                    op = Some(w);
                }
                Some(_) => {}
            }
            operands.push(self.unary()?);
        }
        if operands.len() == 1 {
            return Ok(operands.pop().expect("one operand"));
        }
        let kind = if op == Some("and") {
            CondKind::And(operands)
        } else {
            CondKind::Or(operands)
        };
        Ok(Cond {
            kind,
            span: self.span_from(start),
        })
    }

    /// `not unary | atom`
    pub(super) fn unary(&mut self) -> PResult<Cond> {
        if self.is_word("not") {
            let start = self.bump().start;
            self.enter()?;
            let inner = self.unary();
            self.leave();
            let inner = inner?;
            return Ok(Cond {
                kind: CondKind::Not(Box::new(inner)),
                span: self.span_from(start),
            });
        }
        self.atom()
    }

    pub(super) fn atom(&mut self) -> PResult<Cond> {
        let t = self.tok();
        let start = t.start;
        let word = if t.kind == TokKind::Word {
            self.text_of(t)
        } else {
            ""
        };
        let kind = match (t.kind, word) {
            (TokKind::LParen, _) => {
                self.bump();
                let inner = self.cond()?;
                if !self.eat(TokKind::RParen) {
                    let (span, label) = self.missing_at("`)`");
                    let d = Diagnostic::error(
                        codes::UNCLOSED_PAREN,
                        span,
                        format!("expected `)`, found {}", self.found()),
                    )
                    .with_label(label)
                    .with_secondary(self.span_of(t), "to close this `(`")
                    .with_hint(
                        if matches!(self.kind(), TokKind::RBrace | TokKind::Eof)
                            || self.tok().line_start
                        {
                            "add `)` where the parenthesised condition ends"
                        } else {
                            "`and`/`or` join conditions; anything else needs its own parentheses"
                        },
                    );
                    self.push_diag(d);
                    return Err(Stop);
                }
                // Parentheses are layout: the inner condition stands for itself.
                return Ok(Cond {
                    kind: inner.kind,
                    span: self.span_from(start),
                });
            }
            (TokKind::Word, "true") => {
                self.bump();
                CondKind::Const(true)
            }
            (TokKind::Word, "false") => {
                self.bump();
                CondKind::Const(false)
            }
            (TokKind::Word, "did") => {
                self.bump();
                CondKind::Did(Box::new(self.did_rest()?))
            }
            (TokKind::Word, "stopped") => {
                self.bump();
                let step = self.step()?;
                if !self.eat_word("for") {
                    return Err(self.expected_with_hint(
                        "`for` and a duration",
                        "stopped \"login\" for 30 days: did it before, not in the last 30 days",
                    ));
                }
                let for_ = self.duration()?;
                let window = self.opt_window()?;
                CondKind::Stopped(Box::new(Stopped { step, for_, window }))
            }
            (TokKind::Word, "restarted") => {
                self.bump();
                let step = self.step()?;
                if !self.eat_word("after") {
                    return Err(self.expected_with_hint(
                        "`after` and a duration",
                        "restarted \"login\" after 30 days in last 7 days: did it before, not for 30 days, then again in the last 7 days",
                    ));
                }
                let after = self.duration()?;
                let Some(window) = self.opt_window()? else {
                    return Err(self.expected_with_hint(
                        "a window, the time of the return",
                        "restarted \"login\" after 30 days in last 7 days: the window is when it was done again",
                    ));
                };
                CondKind::Restarted(Box::new(Restarted {
                    step,
                    after,
                    window,
                }))
            }
            (TokKind::Word, "in") => {
                self.bump();
                if self.is_word("last") {
                    return Err(self.expected_with_hint(
                        "a segment name",
                        "a time window belongs to a value or an event: `last_seen_at in last 7 days`, `did \"login\" in last 7 days`",
                    ));
                }
                CondKind::InSegment(self.name("a segment name")?)
            }
            (TokKind::Word, "sql") => {
                self.bump();
                CondKind::Sql(self.string("a SQL predicate, as a string")?)
            }
            (TokKind::Word, "any" | "all" | "no") => {
                self.bump();
                let quant = match word {
                    "any" => Quant::Any,
                    "all" => Quant::All,
                    _ => Quant::No,
                };
                self.quantified_rest(quant)?
            }
            (TokKind::Word, "at") if self.is_word_at(1, "least") || self.is_word_at(1, "most") => {
                let q = self.count_quant()?;
                let n = self.int_lit("a count")?;
                self.quantified_rest(Quant::Count(q, n))?
            }
            (TokKind::Word, "exactly") => {
                let q = self.count_quant()?;
                let n = self.int_lit("a count")?;
                self.quantified_rest(Quant::Count(q, n))?
            }
            (TokKind::Word, "with") => {
                return Err(self.expected_with_hint(
                    "a condition",
                    "`with` filters an event's properties: did \"page_viewed\" with page = \"/pricing\"",
                ));
            }
            (TokKind::Word, "where") => {
                let d = Diagnostic::error(
                    codes::EXPECTED_CONDITION,
                    self.cur_span(),
                    "`where` is written once, before the whole condition",
                )
                .with_label("remove this `where`")
                .with_hint("write `where a = 1 and b = 2`, not `where a = 1 and where b = 2`");
                self.push_diag(d);
                return Err(Stop);
            }
            (TokKind::Word, _) | (TokKind::QuotedIdent, _) => {
                let v = self.value()?;
                let pred = self.pred()?;
                CondKind::Test(Box::new(v), pred)
            }
            (TokKind::Str, _) => {
                let d = Diagnostic::error(
                    codes::EXPECTED_CONDITION,
                    self.cur_span(),
                    format!("expected a condition, found {}", self.found()),
                )
                .with_label("a string is not a condition")
                .with_hint("to test for an event write `did \"event_name\"`; to compare write `column = \"value\"`");
                self.push_diag(d);
                return Err(Stop);
            }
            _ => {
                let (span, label) = self.missing_at("a condition");
                let d = Diagnostic::error(
                    codes::EXPECTED_CONDITION,
                    span,
                    format!("expected a condition, found {}", self.found()),
                )
                .with_label(label)
                .with_hint("a condition compares a column (`plan = \"trial\"`), tests an event (`did \"login\"`), or names a segment (`in paying`)");
                self.push_diag(d);
                return Err(Stop);
            }
        };
        Ok(Cond {
            kind,
            span: self.span_from(start),
        })
    }

    /// After the quantifier: `NAME where unary` or `NAME did ...`.
    pub(super) fn quantified_rest(&mut self, quant: Quant) -> PResult<CondKind> {
        let relation = self.name("the related entity (as in `any user where ...`)")?;
        let cond = if self.eat_word("where") {
            self.enter()?;
            let c = self.unary();
            self.leave();
            c?
        } else if self.is_word("did") {
            self.unary()?
        } else {
            return Err(self.expected_with_hint(
                "`where` or `did`",
                "for example: at least 3 user did \"invite_sent\" in last 30 days, or any user where plan = \"pro\"",
            ));
        };
        Ok(CondKind::Quantified(Box::new(Quantified {
            quant,
            relation,
            cond,
        })))
    }

    pub(super) fn count_quant(&mut self) -> PResult<CountQuant> {
        if self.eat_word("exactly") {
            return Ok(CountQuant::Exactly);
        }
        if self.eat_word("at") {
            if self.eat_word("least") {
                return Ok(CountQuant::AtLeast);
            }
            if self.eat_word("most") {
                return Ok(CountQuant::AtMost);
            }
            return Err(self.expected("`least` or `most`"));
        }
        Err(self.expected("`at least`, `at most` or `exactly`"))
    }

    /// After `did`.
    pub(super) fn did_rest(&mut self) -> PResult<Did> {
        let first = self.step()?;
        let mut then = Vec::new();
        while self.eat_word("then") {
            let step = self.step()?;
            let within = if self.eat_word("within") {
                Some(self.duration()?)
            } else {
                None
            };
            then.push(ThenStep { step, within });
        }
        let freq =
            if self.is_word("between") && self.nth(1).kind == TokKind::Int && !self.is_unit_at(2) {
                Some(self.freq_between()?)
            } else if self.is_word("exactly")
                || (self.is_word("at")
                    && (self.is_word_at(1, "least") || self.is_word_at(1, "most")))
            {
                let start = self.tok().start;
                let quant = self.count_quant()?;
                let n = self.int_lit("a count")?;
                if !self.eat_word("times") && !self.eat_word("time") {
                    return Err(self.expected_with_hint(
                        "`times`",
                        "for example: did \"login\" at least 3 times in last 30 days",
                    ));
                }
                Some(Freq {
                    quant,
                    n,
                    max: None,
                    span: self.span_from(start),
                })
            } else {
                None
            };
        let window = self.opt_window()?;
        if self.is_word("within") {
            return Err(self.expected_with_hint(
                "the end of the condition",
                "`within` limits the time between two steps: did \"a\" then \"b\" within 7 days; for a time window write `in last 7 days`",
            ));
        }
        Ok(Did {
            first,
            then,
            freq,
            window,
        })
    }

    /// `EVENTS [from NAME] [with unary]`
    pub(super) fn step(&mut self) -> PResult<EventStep> {
        let start = self.tok().start;
        let names = match self.kind() {
            TokKind::Str => EventNames::One(self.string("an event name")?),
            TokKind::LBracket => {
                let list = self.string_list("an event name")?;
                if list.is_empty() {
                    let d = Diagnostic::error(
                        codes::EMPTY_LIST,
                        self.span_from(start),
                        "an empty list of events matches nothing",
                    )
                    .with_hint("name one event at least: [\"purchase\", \"renewal\"]");
                    self.push_diag(d);
                }
                EventNames::Many(list)
            }
            TokKind::Word if self.is_word("any") => {
                self.bump();
                self.expect_word("event")?;
                EventNames::Any
            }
            TokKind::Word if RESERVED.contains(&self.text_of(self.tok())) => {
                return Err(self.expected_with_hint(
                        "an event name in quotes",
                        "for example: did \"login\", did [\"purchase\", \"renewal\"], did any event, or a declared action: did checkout",
                    ));
            }
            // A declared action; an unquoted event name is reported by the checker,
            // which knows the actions.
            TokKind::Word | TokKind::QuotedIdent => {
                EventNames::Action(self.ident("an action name")?)
            }
            _ => {
                return Err(self.expected_with_hint(
                    "an event name in quotes",
                    "for example: did \"login\", did [\"purchase\", \"renewal\"], did any event",
                ))
            }
        };
        let from = if self.eat_word("from") {
            Some(self.name("the name of an events relation")?)
        } else {
            None
        };
        let sel_span = self.span_from(start);
        let filter = if self.is_word("with") {
            let with = self.bump();
            let t = self.tok();
            let window_next = (self.is_word("in")
                && (self.is_word_at(1, "last")
                    || self.is_word_at(1, "at")
                    || self.is_word_at(1, "exactly")))
                || ["ever", "between", "then", "within", "and", "or"]
                    .iter()
                    .any(|w| self.is_word(w));
            if window_next || matches!(t.kind, TokKind::RBrace | TokKind::Eof) {
                let d = Diagnostic::error(
                    codes::EXPECTED_CONDITION,
                    self.span_of(with),
                    "`with` is not followed by a condition",
                )
                .with_label("a condition on the event's properties must follow")
                .with_hint("for example: did \"page_viewed\" with page = \"/pricing\" in last 7 days; remove `with` to count every such event");
                self.push_diag(d);
                return Err(Stop);
            }
            self.enter()?;
            let c = self.unary();
            self.leave();
            Some(c?)
        } else {
            None
        };
        Ok(EventStep {
            event: EventSel {
                names,
                from,
                span: sel_span,
            },
            filter,
            span: self.span_from(start),
        })
    }
}
