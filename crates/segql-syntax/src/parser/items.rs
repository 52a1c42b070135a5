//! Top-level items and blocks: the file's items, recovery after a mistake, a block's
//! fields and the fields it requires.

use super::*;

impl Parser<'_> {
    pub(super) fn file(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        while self.kind() != TokKind::Eof && !self.gave_up {
            let before = self.pos;
            self.item_closed = false;
            self.depth = 0;
            self.too_deep = false;
            match self.item() {
                Ok(item) => items.push(item),
                Err(Stop) if self.item_closed => {}
                Err(Stop) => self.recover_top_level(),
            }
            if self.pos == before {
                // Nothing consumed (cannot happen for a well-behaved item): skip a token.
                self.bump();
            }
        }
        items
    }

    /// Skips to the next top-level keyword that starts a line outside any braces, or at
    /// the start of a line anywhere (a sign of an unclosed block).
    pub(super) fn recover_top_level(&mut self) {
        let mut depth = 0i64;
        let start = self.pos;
        loop {
            let t = self.tok();
            match t.kind {
                TokKind::Eof => return,
                TokKind::LBrace => depth += 1,
                TokKind::RBrace => depth -= 1,
                _ => {}
            }
            if self.pos > start && self.at_top_level_keyword() && t.line_start {
                return;
            }
            self.bump();
            if depth <= 0 && t.kind == TokKind::RBrace {
                // The end of the broken item; continue at what follows.
                if self.at_top_level_keyword() {
                    return;
                }
            }
        }
    }

    /// Inside a block: skips to the next line that starts with one of `fields`, or to the
    /// `}` closing the block, or to a top-level keyword at a line start.
    pub(super) fn recover_in_block(&mut self, fields: &[&str]) {
        let mut depth = 0i64;
        loop {
            let t = self.tok();
            match t.kind {
                TokKind::Eof => return,
                TokKind::RBrace if depth == 0 => return,
                _ => {}
            }
            // Callers have consumed the field keyword already, so a field at the start of
            // the current line is the next field, even before anything is skipped.
            if t.line_start && depth == 0 && t.kind == TokKind::Word {
                let w = self.text_of(t);
                if fields.contains(&w) || TOP_LEVEL.contains(&w) {
                    return;
                }
            }
            if t.line_start && self.at_top_level_keyword() {
                return;
            }
            match t.kind {
                TokKind::LBrace => depth += 1,
                TokKind::RBrace => depth -= 1,
                _ => {}
            }
            self.bump();
        }
    }

    /// Inside a block of one-line entries (score rules, columns, table rows): skips the
    /// rest of the entry that starts at token `from`, up to the next line (outside any
    /// brackets opened meanwhile) or the `}` closing the block.
    pub(super) fn skip_line_in_block(&mut self, from: usize) {
        let mut depth = 0i64;
        loop {
            let t = self.tok();
            match t.kind {
                TokKind::Eof => return,
                TokKind::RBrace if depth <= 0 => return,
                _ => {}
            }
            if self.pos > from && t.line_start && depth <= 0 {
                return;
            }
            match t.kind {
                TokKind::LBrace | TokKind::LParen | TokKind::LBracket => depth += 1,
                TokKind::RBrace | TokKind::RParen | TokKind::RBracket => depth -= 1,
                _ => {}
            }
            self.bump();
        }
    }

    pub(super) fn item(&mut self) -> PResult<Item> {
        let t = self.tok();
        let start = t.start;
        let word = if t.kind == TokKind::Word {
            self.text_of(t)
        } else {
            ""
        };
        let suggestion = if TOP_LEVEL.contains(&word) {
            None
        } else {
            did_you_mean(word, TOP_LEVEL.iter().copied())
        };
        if let Some(s) = suggestion {
            // A misspelt keyword: say so, then read the item as what was meant, so the
            // mistakes inside it are found too.
            let d = Diagnostic::error(
                codes::UNKNOWN_ITEM,
                self.cur_span(),
                format!("unknown item `{word}`"),
            )
            .with_label(format!("did you mean `{s}`?"))
            .with_hint(format!(
                "fix the spelling; the rest of the item was checked as a `{s}`"
            ));
            self.push_diag(d);
        }
        let kind = match suggestion.unwrap_or(word) {
            "entity" => ItemKind::Entity(self.entity()?),
            "events" => ItemKind::Events(self.events()?),
            "segment" => ItemKind::Segment(self.segment()?),
            "trait" => ItemKind::Trait(self.trait_()?),
            "action" => ItemKind::Action(self.action()?),
            "report" => ItemKind::Report(self.report()?),
            "split" => ItemKind::Split(self.split()?),
            "priority" => ItemKind::Priority(self.priority()?),
            "test" => ItemKind::Test(self.test()?),
            "assert" => ItemKind::Assert(self.assert()?),
            _ => {
                const ITEMS: &str = "a file holds `entity`, `events`, `segment`, `trait`, `action`, `report`, `split`, `priority`, `test` and `assert` items";
                let d = if t.kind == TokKind::RBrace {
                    Diagnostic::error(codes::UNKNOWN_ITEM, self.cur_span(), "unmatched `}`")
                        .with_label("no block is open here")
                        .with_hint("remove it, or check the braces of the item above")
                } else if FIELD_WORDS.contains(&word) {
                    Diagnostic::error(
                        codes::UNKNOWN_ITEM,
                        self.cur_span(),
                        format!("`{word}` outside a block"),
                    )
                    .with_label("a field, not an item")
                    .with_hint(format!(
                        "`{word}` belongs inside a block, as in segment NAME {{ where ... }}; is a `}}` above closing the block too early?"
                    ))
                } else if t.kind == TokKind::Word {
                    Diagnostic::error(
                        codes::UNKNOWN_ITEM,
                        self.cur_span(),
                        format!("unknown item `{word}`"),
                    )
                    .with_label("not an item keyword")
                    .with_hint(ITEMS)
                } else {
                    Diagnostic::error(
                        codes::UNKNOWN_ITEM,
                        self.cur_span(),
                        format!("expected an item, found {}", self.found()),
                    )
                    .with_label("expected an item here")
                    .with_hint(ITEMS)
                };
                self.push_diag(d);
                return Err(Stop);
            }
        };
        Ok(Item {
            kind,
            span: self.span_from(start),
        })
    }

    /// Parses `{ field ... }`: calls `field` for each field word; returns false from
    /// `field` to report an unknown field. Handles recovery, duplicates and unclosed
    /// braces. `owner` names the block in messages.
    pub(super) fn block(
        &mut self,
        owner: &str,
        fields: &'static [&'static str],
        mut field: impl FnMut(&mut Self, &str, Token) -> PResult<bool>,
    ) -> PResult<Vec<&'static str>> {
        let open = self.tok();
        if open.kind != TokKind::LBrace {
            return Err(self.expected(&format!("`{{` to open {owner}")));
        }
        self.bump();
        let mut seen: Vec<(&str, Span)> = Vec::new();
        let mut seen_static: Vec<&'static str> = Vec::new();
        loop {
            let t = self.tok();
            match t.kind {
                TokKind::RBrace => {
                    self.bump();
                    self.item_closed = true;
                    return Ok(seen_static);
                }
                TokKind::Eof => {
                    let d = Diagnostic::error(
                        codes::UNCLOSED_BLOCK,
                        self.span_of(open),
                        format!("{owner} is never closed"),
                    )
                    .with_label("this `{` has no matching `}`")
                    .with_hint("add `}` at the end of the block");
                    self.push_diag(d);
                    return Err(Stop);
                }
                TokKind::Word => {
                    let w = self.text_of(t);
                    if !fields.contains(&w) {
                        if t.line_start && TOP_LEVEL.contains(&w) {
                            let d = Diagnostic::error(
                                codes::UNCLOSED_BLOCK,
                                self.span_of(open),
                                format!("{owner} is never closed"),
                            )
                            .with_label("this `{` has no matching `}`")
                            .with_secondary(self.span_of(t), "the next item starts here")
                            .with_hint("add `}` before the next item");
                            self.push_diag(d);
                            // Leave the next item to the file loop.
                            self.item_closed = true;
                            return Ok(seen_static);
                        }
                        let mut d = Diagnostic::error(
                            codes::UNKNOWN_FIELD,
                            self.span_of(t),
                            format!("unknown field `{w}` in {owner}"),
                        )
                        .with_label("not a field here");
                        d = match suggest_field(w, fields) {
                            Some(s) => {
                                // Count the field as given (badly): the misspelling is
                                // the mistake, not a missing field.
                                seen_static.push(s);
                                d.with_label(format!("did you mean `{s}`?"))
                                    .with_hint(format!(
                                        "the fields of {owner} are {}",
                                        fields
                                            .iter()
                                            .map(|f| format!("`{f}`"))
                                            .collect::<Vec<_>>()
                                            .join(", ")
                                    ))
                            }
                            None => d.with_hint(format!(
                                "the fields are {}",
                                fields
                                    .iter()
                                    .map(|f| format!("`{f}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )),
                        };
                        self.push_diag(d);
                        self.bump();
                        self.recover_in_block(fields);
                        continue;
                    }
                    let repeatable = REPEATABLE.contains(&w) || fields == ASSERT_FIELDS;
                    if !repeatable {
                        if let Some((_, first)) = seen.iter().find(|(f, _)| *f == w) {
                            let d = Diagnostic::error(
                                codes::DUPLICATE_FIELD,
                                self.span_of(t),
                                format!("`{w}` is given twice in {owner}"),
                            )
                            .with_label("given again here")
                            .with_secondary(*first, "first given here")
                            .with_hint("keep one of them");
                            self.push_diag(d);
                        }
                        seen.push((w, self.span_of(t)));
                    }
                    if let Some(f) = fields.iter().find(|f| **f == w) {
                        seen_static.push(f);
                    }
                    let field_start = self.pos;
                    match field(self, w, t) {
                        Ok(true) => {
                            if !self.field_ends_here(w, fields) {
                                self.recover_in_block(fields);
                            }
                        }
                        Ok(false) => unreachable!("fields were checked against the list"),
                        Err(Stop) => {
                            if self.gave_up {
                                return Err(Stop);
                            }
                            if self.pos == field_start {
                                self.bump();
                            }
                            self.recover_in_block(fields);
                        }
                    }
                }
                _ => {
                    let d = Diagnostic::error(
                        codes::UNEXPECTED_TOKEN,
                        self.cur_span(),
                        format!(
                            "expected a field of {owner} or `}}`, found {}",
                            self.found()
                        ),
                    )
                    .with_label("not a field")
                    .with_hint(format!(
                        "the fields are {}",
                        fields
                            .iter()
                            .map(|f| format!("`{f}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    self.push_diag(d);
                    self.bump();
                    self.recover_in_block(fields);
                }
            }
        }
    }

    /// After a field's value: the field must end here, at a line break, a `}` or the
    /// next field. Otherwise reports what follows (E0122) and returns false.
    pub(super) fn field_ends_here(&mut self, field: &str, fields: &[&str]) -> bool {
        let t = self.tok();
        if t.line_start || matches!(t.kind, TokKind::RBrace | TokKind::Eof) {
            return true;
        }
        let w = if t.kind == TokKind::Word {
            self.text_of(t)
        } else {
            ""
        };
        if fields.contains(&w) {
            return true;
        }
        let is_condition = matches!(field, "where" | "score");
        let hint = match (t.kind, w) {
            (TokKind::Word, "last") => {
                "a time window starts with `in`: `did \"login\" in last 7 days`".to_string()
            }
            (TokKind::Word, "ago") => {
                "`in last 30 days` already counts back from now; remove `ago`".to_string()
            }
            (TokKind::Int, _) if is_condition => {
                "a frequency is written `at least 3 times`, `at most 3 times` or `exactly 3 times`"
                    .to_string()
            }
            (TokKind::Word, "times" | "time") => {
                "a frequency is written `at least 3 times`, `at most 3 times` or `exactly 3 times`"
                    .to_string()
            }
            _ if is_condition => {
                "join conditions with `and` or `or`; start each field on its own line".to_string()
            }
            _ => format!("`{field}` takes one value; start each field on its own line"),
        };
        let what = if is_condition {
            "the condition".to_string()
        } else {
            format!("`{field}`")
        };
        let d = Diagnostic::error(
            codes::TRAILING_INPUT,
            self.cur_span(),
            format!("unexpected {} after {what}", self.found()),
        )
        .with_label(format!("{what} ends before this"))
        .with_hint(hint);
        self.push_diag(d);
        false
    }

    /// Whether a required field is present. When it is not, reports it as missing,
    /// unless it was written but failed to parse (already reported).
    pub(super) fn require(
        &mut self,
        present: bool,
        seen: &[&str],
        owner_span: Span,
        owner: &str,
        field: &str,
        example: &str,
    ) -> bool {
        if !present && !seen.contains(&field) {
            self.missing(owner_span, owner, field, example);
        }
        present
    }

    pub(super) fn missing(&mut self, owner_span: Span, owner: &str, field: &str, example: &str) {
        let d = Diagnostic::error(
            codes::MISSING_FIELD,
            owner_span,
            format!("{owner} has no `{field}`"),
        )
        .with_label(format!("`{field}` is required"))
        .with_hint(format!("add it, for example: {example}"));
        self.push_diag(d);
    }
}
