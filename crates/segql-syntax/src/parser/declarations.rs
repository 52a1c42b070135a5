//! Segments, scores, traits, actions, reports, splits and priority lists.

use super::*;

impl Parser<'_> {
    pub(super) fn of_entity(&mut self) -> PResult<Option<Ident>> {
        if self.eat_word("of") {
            Ok(Some(self.name("an entity name")?))
        } else {
            Ok(None)
        }
    }

    /// `description`, `owner`, `tags`: shared by several blocks. Returns false when `w`
    /// is not one of them.
    pub(super) fn meta_field(&mut self, meta: &mut Meta, w: &str) -> PResult<bool> {
        match w {
            "description" => meta.description = Some(self.string("a description string")?),
            "owner" => meta.owner = Some(self.string("an owner, as a string")?),
            "tags" => meta.tags = self.string_list("a tag string")?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    pub(super) fn segment(&mut self) -> PResult<Segment> {
        self.bump(); // the item keyword, checked by `item`
        let name = self.name("a segment name")?;
        let entity = self.of_entity()?;
        let owner = format!("segment `{}`", name.name);
        let mut meta = Meta::default();
        let mut score = None;
        let mut condition = None;
        let (mut score_span, mut where_span) = (Span::default(), Span::default());
        let seen = self.block(&owner, SEGMENT_FIELDS, |p, w, t| {
            p.bump();
            let keyword = p.span_of(t);
            match w {
                "score" => {
                    score_span = keyword;
                    score = Some(p.score_block_body()?);
                }
                "where" => {
                    where_span = keyword;
                    condition = Some(p.cond()?);
                }
                _ => return p.meta_field(&mut meta, w),
            }
            Ok(true)
        })?;
        if !self.require(
            condition.is_some(),
            &seen,
            name.span,
            &owner,
            "where",
            "where plan = \"trial\"  (use `where true` for everyone)",
        ) {
            return Err(Stop);
        }
        Ok(Segment {
            name,
            entity,
            meta,
            score,
            condition,
            score_span,
            where_span,
        })
    }

    /// After `score`: `{ WEIGHT if COND ... }`.
    pub(super) fn score_block_body(&mut self) -> PResult<ScoreBlock> {
        let open = self.tok();
        let start = open.start;
        self.expect(TokKind::LBrace)?;
        let mut rules = Vec::new();
        loop {
            match self.kind() {
                TokKind::RBrace => {
                    self.bump();
                    break;
                }
                TokKind::Eof => {
                    let d = Diagnostic::error(
                        codes::UNCLOSED_BLOCK,
                        self.span_of(open),
                        "the `score` block is never closed",
                    )
                    .with_label("this `{` has no matching `}`")
                    .with_hint("add `}` after the last score rule");
                    self.push_diag(d);
                    return Err(Stop);
                }
                _ => {}
            }
            let t = self.tok();
            if t.line_start
                && t.kind == TokKind::Word
                && (SEGMENT_FIELDS.contains(&self.text_of(t)) || self.at_top_level_keyword())
            {
                // A rule starts with a number; a field or an item means the `}` was
                // forgotten. Report it and read on as if it were there.
                let d = Diagnostic::error(
                    codes::UNCLOSED_BLOCK,
                    self.span_of(open),
                    "the `score` block is never closed",
                )
                .with_label("this `{` has no matching `}`")
                .with_secondary(self.span_of(t), "the score rules end before this")
                .with_hint("add `}` after the last score rule");
                self.push_diag(d);
                break;
            }
            let from = self.pos;
            match self.score_rule() {
                Ok(rule) => rules.push(rule),
                Err(Stop) if self.gave_up => return Err(Stop),
                Err(Stop) => self.skip_line_in_block(from),
            }
        }
        Ok(ScoreBlock {
            rules,
            span: self.span_from(start),
        })
    }

    /// `WEIGHT if CONDITION`
    pub(super) fn score_rule(&mut self) -> PResult<ScoreRule> {
        let rs = self.tok().start;
        let weight = self.number("a weight, such as 10 or -15")?;
        if !self.eat_word("if") {
            return Err(self.expected_with_hint(
                "`if`",
                "each score rule is WEIGHT if CONDITION: `10 if did \"email_opened\" in last 14 days`",
            ));
        }
        let cond = self.cond()?;
        Ok(ScoreRule {
            weight,
            cond,
            span: self.span_from(rs),
        })
    }

    pub(super) fn trait_(&mut self) -> PResult<Trait> {
        self.bump(); // the item keyword, checked by `item`
        let name = self.name("a trait name")?;
        let entity = self.of_entity()?;
        if !self.eat(TokKind::Eq) {
            return Err(self.expected_with_hint(
                "`=`",
                "a trait is NAME = VALUE: `trait lifetime_value = sum(amount) of \"purchase\"`",
            ));
        }
        let value = self.value()?;
        Ok(Trait {
            name,
            entity,
            value,
        })
    }

    /// `action NAME [of ENTITY] = STEP (or STEP)*`: each step's `with` takes one
    /// condition (parenthesize an `or` inside it), so `or` before an event starts the
    /// next alternative.
    pub(super) fn action(&mut self) -> PResult<Action> {
        self.bump(); // the item keyword, checked by `item`
        let name = self.name("an action name")?;
        let entity = self.of_entity()?;
        if !self.eat(TokKind::Eq) {
            return Err(self.expected_with_hint(
                "`=`",
                "an action is NAME = EVENTS: `action checkout = \"cart_viewed\" with page = \"/checkout\" or \"purchase\"`",
            ));
        }
        let mut alternatives = vec![self.step()?];
        while self.is_word("or") {
            self.bump();
            let t = self.tok();
            let comparison = t.kind == TokKind::Word
                && (matches!(
                    self.nth(1).kind,
                    TokKind::Eq
                        | TokKind::Ne
                        | TokKind::Lt
                        | TokKind::Le
                        | TokKind::Gt
                        | TokKind::Ge
                ) || [
                    "is", "in", "contains", "starts", "ends", "matches", "ignoring",
                ]
                .iter()
                .any(|w| self.is_word_at(1, w)));
            if comparison {
                let d = Diagnostic::error(
                    codes::UNEXPECTED_TOKEN,
                    self.cur_span(),
                    "expected an event after `or`, found a condition",
                )
                .with_label("each `or` of an action starts another event")
                .with_hint("to allow several values of one event's properties, put the conditions in parentheses: with (page = \"/a\" or page = \"/b\")");
                self.push_diag(d);
                return Err(Stop);
            }
            alternatives.push(self.step()?);
        }
        Ok(Action {
            name,
            entity,
            alternatives,
        })
    }

    pub(super) fn report(&mut self) -> PResult<Report> {
        self.bump(); // the item keyword, checked by `item`
        let name = self.name("a report name")?;
        let owner = format!("report `{}`", name.name);
        let mut meta = Meta::default();
        let mut segments = None;
        let mut metrics = Vec::new();
        let seen = self.block(&owner, REPORT_FIELDS, |p, w, t| {
            p.bump();
            match w {
                "segments" => {
                    let list = p.name_list("a segment name")?;
                    segments = Some((list, p.span_from(t.start)));
                }
                "metric" => {
                    let start = t.start;
                    let name = p.name("a metric name")?;
                    if !p.eat(TokKind::Eq) {
                        return Err(p.expected_with_hint(
                            "`=`",
                            "a metric is NAME = EXPR: `metric avg_age = avg(age)`",
                        ));
                    }
                    let expr = p.metric_expr()?;
                    metrics.push(Metric {
                        name,
                        expr,
                        span: p.span_from(start),
                    });
                }
                _ => return p.meta_field(&mut meta, w),
            }
            Ok(true)
        })?;
        let Some((segments, segments_span)) = segments else {
            self.require(
                false,
                &seen,
                name.span,
                &owner,
                "segments",
                "segments [paying, trial_idle]",
            );
            return Err(Stop);
        };
        Ok(Report {
            name,
            meta,
            segments,
            segments_span,
            metrics,
        })
    }

    pub(super) fn metric_expr(&mut self) -> PResult<MetricExpr> {
        if self.eat_word("count") {
            if self.eat_word("where") {
                return Ok(MetricExpr::Count(Some(self.cond()?)));
            }
            return Ok(MetricExpr::Count(None));
        }
        if self.eat_word("share") {
            self.expect_word("where")?;
            return Ok(MetricExpr::Share(self.cond()?));
        }
        let t = self.tok();
        let func = match (t.kind, self.text_of(t)) {
            (TokKind::Word, "avg") => AggFunc::Avg,
            (TokKind::Word, "sum") => AggFunc::Sum,
            (TokKind::Word, "min") => AggFunc::Min,
            (TokKind::Word, "max") => AggFunc::Max,
            _ => {
                return Err(self.expected_with_hint(
                    "a metric: `count`, `count where ..`, `share where ..`, `avg(..)`, `sum(..)`, `min(..)` or `max(..)`",
                    "for example: metric avg_age = avg(age)",
                ))
            }
        };
        self.bump();
        self.expect(TokKind::LParen)?;
        let v = self.value()?;
        self.expect(TokKind::RParen)?;
        Ok(MetricExpr::Agg(func, v))
    }

    pub(super) fn split(&mut self) -> PResult<Split> {
        self.bump(); // the item keyword, checked by `item`
        let name = self.name("a split name")?;
        if !self.eat_word("of") {
            return Err(self.expected_with_hint(
                "`of` and the segment to split",
                "write `split onboarding of new_signups { ... }`",
            ));
        }
        let segment = self.name("a segment name")?;
        let owner = format!("split `{}`", name.name);
        let mut meta = Meta::default();
        let mut salt = None;
        let mut groups = Vec::new();
        let seen = self.block(&owner, SPLIT_FIELDS, |p, w, t| {
            p.bump();
            match w {
                "salt" => salt = Some(p.string("a salt string")?),
                "group" => {
                    let name = p.name("a group name")?;
                    let percent = p.number("a percentage, such as 50%")?;
                    if !p.eat(TokKind::Percent) {
                        return Err(p.expected_with_hint(
                            "`%`",
                            "write the share as a percentage: `group control 50%`",
                        ));
                    }
                    groups.push(Group {
                        name,
                        percent,
                        span: p.span_from(t.start),
                    });
                }
                _ => return p.meta_field(&mut meta, w),
            }
            Ok(true)
        })?;
        let Some(salt) = salt else {
            self.require(
                false,
                &seen,
                name.span,
                &owner,
                "salt",
                "salt \"onboarding-2024\"",
            );
            return Err(Stop);
        };
        Ok(Split {
            name,
            segment,
            meta,
            salt,
            groups,
        })
    }

    pub(super) fn priority(&mut self) -> PResult<Priority> {
        self.bump(); // the item keyword, checked by `item`
        let name = self.name("a priority list name")?;
        let owner = format!("priority `{}`", name.name);
        let mut meta = Meta::default();
        let mut segments = None;
        let seen = self.block(&owner, PRIORITY_FIELDS, |p, w, t| {
            p.bump();
            match w {
                "segments" => {
                    let list = p.name_list("a segment name")?;
                    segments = Some((list, p.span_from(t.start)));
                }
                _ => return p.meta_field(&mut meta, w),
            }
            Ok(true)
        })?;
        let Some((segments, segments_span)) = segments else {
            self.require(
                false,
                &seen,
                name.span,
                &owner,
                "segments",
                "segments [champions, at_risk, new_users]",
            );
            return Err(Stop);
        };
        Ok(Priority {
            name,
            meta,
            segments,
            segments_span,
        })
    }
}
