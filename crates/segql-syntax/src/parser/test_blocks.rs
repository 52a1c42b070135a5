//! Tests and asserts: instants, given tables and their rows, expectations.

use super::*;

impl Parser<'_> {
    /// A test's `as_of` or `since`: a date or a timestamp.
    pub(super) fn instant(&mut self, field: &str) -> PResult<Literal> {
        let lit = self.literal(false)?;
        if !matches!(lit.kind, LitKind::Date(_) | LitKind::Timestamp(_)) {
            let d = Diagnostic::error(
                codes::UNEXPECTED_TOKEN,
                lit.span,
                format!("`{field}` must be a date or a timestamp"),
            )
            .with_label(if matches!(lit.kind, LitKind::Str(_)) {
                "a string, not a date: remove the quotes"
            } else {
                "not a date"
            })
            .with_hint(format!("for example: {field} 2024-06-01T00:00:00Z"));
            self.push_diag(d);
            return Err(Stop);
        }
        Ok(lit)
    }

    pub(super) fn test(&mut self) -> PResult<Test> {
        self.bump(); // the item keyword, checked by `item`
        let name = self.name("a test name")?;
        let owner = format!("test `{}`", name.name);
        let mut description = None;
        let mut as_of = None;
        let mut since = None;
        let mut givens = Vec::new();
        let mut expects = Vec::new();
        let seen = self.block(&owner, TEST_FIELDS, |p, w, t| {
            p.bump();
            match w {
                "description" => description = Some(p.string("a description string")?),
                "as_of" => as_of = Some(p.instant("as_of")?),
                "since" => since = Some(p.instant("since")?),
                "given" => {
                    let relation = p.name("the entity or events relation the rows stand for")?;
                    let source = if p.eat_word("from") {
                        GivenSource::File(p.string("a path to a CSV or parquet file")?)
                    } else if p.kind() == TokKind::LBrace {
                        GivenSource::Rows(p.table()?)
                    } else {
                        return Err(p.expected_with_hint(
                            "`{` and a table of rows, or `from \"path\"`",
                            "given user { | user_id | plan | ... }  or  given events from \"data/events.csv\"",
                        ));
                    };
                    givens.push(Given {
                        relation,
                        source,
                        span: p.span_from(t.start),
                    });
                }
                "expect" => {
                    let target = p.path("a segment name")?;
                    let change = if p.eat_word("entered") {
                        Some(Change::Entered)
                    } else if p.eat_word("left") {
                        Some(Change::Left)
                    } else {
                        None
                    };
                    if !p.eat(TokKind::Eq) {
                        return Err(p.expected_with_hint(
                            "`=`, or `entered =` / `left =` (with `since` in the test)",
                            "expect SEGMENT = [\"key1\", \"key2\"]  or  expect SEGMENT entered = [\"key1\"]",
                        ));
                    }
                    if p.kind() != TokKind::LBracket {
                        return Err(p.expected_with_hint(
                            "`[` and the keys the segment should hold",
                            "expect SEGMENT = [\"key1\", \"key2\"], or [] for none; a single key is a list too: [\"u1\"]",
                        ));
                    }
                    p.bump();
                    let mut members = Vec::new();
                    while p.kind() != TokKind::RBracket {
                        members.push(p.literal(false)?);
                        if !p.eat(TokKind::Comma) {
                            break;
                        }
                    }
                    p.expect_close_bracket()?;
                    expects.push(Expect {
                        target,
                        change,
                        members,
                        span: p.span_from(t.start),
                    });
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let Some(as_of) = as_of else {
            self.require(
                false,
                &seen,
                name.span,
                &owner,
                "as_of",
                "as_of 2024-06-01T00:00:00Z",
            );
            return Err(Stop);
        };
        Ok(Test {
            name,
            description,
            as_of,
            since,
            givens,
            expects,
        })
    }

    /// `{ | col | col | \n | v | v | ... }`: the header is the first line; every
    /// following line is one row.
    pub(super) fn table(&mut self) -> PResult<Table> {
        let open = self.expect(TokKind::LBrace)?;
        let start = open.start;
        let header_start = self.tok().start;
        let columns = match self.table_header() {
            Ok(c) => c,
            Err(Stop) => {
                // Without a header the rows cannot be checked: skip the whole table.
                self.skip_line_in_block(self.pos);
                while !matches!(self.kind(), TokKind::RBrace | TokKind::Eof) {
                    let from = self.pos;
                    self.skip_line_in_block(from);
                }
                self.eat(TokKind::RBrace);
                return Err(Stop);
            }
        };
        let header = self.span_from(header_start);
        let mut rows = Vec::new();
        loop {
            let t = self.tok();
            let from = self.pos;
            match t.kind {
                TokKind::RBrace => {
                    self.bump();
                    break;
                }
                TokKind::Pipe => {}
                TokKind::Eof => {
                    let d = Diagnostic::error(
                        codes::UNCLOSED_BLOCK,
                        self.span_of(open),
                        "the table is never closed",
                    )
                    .with_label("this `{` has no matching `}`")
                    .with_hint("add `}` after the last row");
                    self.push_diag(d);
                    return Err(Stop);
                }
                _ => {
                    self.expected_with_hint(
                        "`|` starting a row, or `}`",
                        "each row is one line: | \"u1\" | \"trial\" |",
                    );
                    if self.gave_up {
                        return Err(Stop);
                    }
                    self.skip_line_in_block(from);
                    continue;
                }
            }
            match self.table_row(columns.len(), header) {
                Ok(cells) => rows.push(cells),
                Err(Stop) if self.gave_up => return Err(Stop),
                Err(Stop) => self.skip_line_in_block(from),
            }
        }
        Ok(Table {
            columns,
            rows,
            span: self.span_from(start),
        })
    }

    /// `| col | col |` up to the end of its line.
    pub(super) fn table_header(&mut self) -> PResult<Vec<Ident>> {
        if self.kind() != TokKind::Pipe {
            return Err(self.expected_with_hint(
                "`|` starting the header row",
                "write the column names as | user_id | plan |, then one row per line",
            ));
        }
        self.bump();
        let mut columns = Vec::new();
        loop {
            columns.push(self.ident("a column name")?);
            self.expect(TokKind::Pipe)?;
            let t = self.tok();
            if t.line_start || t.kind != TokKind::Word && t.kind != TokKind::QuotedIdent {
                break;
            }
        }
        Ok(columns)
    }

    /// One row, `| v | v |`, starting at its first `|`; checks its width.
    pub(super) fn table_row(&mut self, width: usize, header: Span) -> PResult<Vec<Literal>> {
        let row_start = self.bump();
        let mut cells = Vec::new();
        loop {
            let t = self.tok();
            if t.line_start || matches!(t.kind, TokKind::RBrace | TokKind::Eof) {
                break;
            }
            cells.push(self.literal(true)?);
            if self.tok().line_start || matches!(self.kind(), TokKind::RBrace | TokKind::Eof) {
                let end = self.prev_end();
                let d = Diagnostic::error(
                    codes::UNEXPECTED_TOKEN,
                    Span::new(self.file, end, end),
                    "the row does not end with `|`",
                )
                .with_label("add `|` after the last cell")
                .with_hint("every cell ends with `|`, the last one too: | \"u1\" | \"trial\" |");
                self.push_diag(d);
                return Err(Stop);
            }
            if self.kind() != TokKind::Pipe {
                return Err(self.expected_with_hint(
                    "`|` after the cell",
                    "cells are separated by `|`: | \"u1\" | \"trial\" |",
                ));
            }
            self.bump();
        }
        if cells.len() != width {
            let d = Diagnostic::error(
                codes::TABLE_SHAPE,
                self.span_from(row_start.start),
                format!(
                    "this row has {} cell{}, but the header has {} column{}",
                    cells.len(),
                    if cells.len() == 1 { "" } else { "s" },
                    width,
                    if width == 1 { "" } else { "s" }
                ),
            )
            .with_label(format!(
                "{} cell{}",
                cells.len(),
                if cells.len() == 1 { "" } else { "s" }
            ))
            .with_secondary(
                header,
                format!("{width} column{}", if width == 1 { "" } else { "s" }),
            )
            .with_hint("give every column a value in each row; write null for a missing one");
            self.push_diag(d);
        }
        Ok(cells)
    }

    pub(super) fn assert(&mut self) -> PResult<Assert> {
        self.bump(); // the item keyword, checked by `item`
        let target = self.name("a segment name")?;
        let owner = format!("assert `{}`", target.name);
        let mut checks = Vec::new();
        self.block(&owner, ASSERT_FIELDS, |p, w, t| {
            p.bump();
            let kind = match w {
                "size" if p.eat_word("change") => {
                    if !p.eat_word("within") {
                        return Err(p.expected_with_hint(
                            "`within`",
                            "size change within 10% (of the size before), or size change within 500 (members)",
                        ));
                    }
                    let limit = p.number("a number of members, or a percentage like 10%")?;
                    let percent = p.eat(TokKind::Percent);
                    CheckKind::SizeChange { limit, percent }
                }
                "size" => CheckKind::Size(p.pred()?),
                "disjoint" => {
                    p.expect_word("with")?;
                    CheckKind::DisjointWith(p.name("a segment name")?)
                }
                "subset" => {
                    p.expect_word("of")?;
                    CheckKind::SubsetOf(p.name("a segment name")?)
                }
                _ => return Ok(false),
            };
            checks.push(Check {
                kind,
                span: p.span_from(t.start),
            });
            Ok(true)
        })?;
        Ok(Assert { target, checks })
    }
}
