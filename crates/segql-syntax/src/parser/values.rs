//! Values, aggregates and literals: numbers, decimals, strings, dates and timestamps.

use super::*;

impl Parser<'_> {
    pub(super) fn value(&mut self) -> PResult<Value> {
        self.enter()?;
        let r = self.value_inner();
        self.leave();
        r
    }

    pub(super) fn value_inner(&mut self) -> PResult<Value> {
        let t = self.tok();
        let start = t.start;
        let w = if t.kind == TokKind::Word {
            self.text_of(t)
        } else {
            ""
        };
        let next = self.nth(1);
        let kind = match w {
            "sum" | "avg" | "min" | "max" if next.kind == TokKind::LParen => {
                self.bump();
                let func = match w {
                    "sum" => AggFunc::Sum,
                    "avg" => AggFunc::Avg,
                    "min" => AggFunc::Min,
                    _ => AggFunc::Max,
                };
                self.aggregate_rest(func)?
            }
            "count" if self.is_word_at(1, "distinct") => {
                self.bump();
                self.bump();
                self.aggregate_rest(AggFunc::CountDistinct)?
            }
            "count" if self.is_word_at(1, "of") => {
                self.bump();
                self.bump();
                let step = self.step()?;
                let window = self.opt_window()?;
                ValueKind::Agg(Box::new(Aggregate {
                    func: AggFunc::Count,
                    prop: None,
                    step,
                    window,
                }))
            }
            "first" | "last" if next.kind == TokKind::LParen => {
                self.bump();
                let func = if w == "first" {
                    AggFunc::First
                } else {
                    AggFunc::Last
                };
                self.aggregate_rest(func)?
            }
            "first" | "last" if self.is_word_at(1, "time") => {
                self.bump();
                self.bump();
                self.expect_word("of")?;
                let step = self.step()?;
                let which = if w == "first" {
                    FirstLast::First
                } else {
                    FirstLast::Last
                };
                ValueKind::TimeOf(Box::new(TimeOf { which, step }))
            }
            "ntile" if next.kind == TokKind::LParen => {
                self.bump();
                self.bump();
                let k = self.int_lit("the number of buckets")?;
                self.expect(TokKind::RParen)?;
                self.expect_word("of")?;
                let value = self.value()?;
                let descending = self.eat_word("descending");
                let ties_together = if self.is_word("ties") {
                    self.bump();
                    if !self.eat_word("together") {
                        return Err(self.expected_with_hint(
                            "`together`",
                            "`ties together` puts equal values in one bucket: ntile(5) of lifetime_value ties together",
                        ));
                    }
                    true
                } else {
                    false
                };
                let among = if self.eat_word("among") {
                    Some(self.among()?)
                } else {
                    None
                };
                ValueKind::Ntile(Box::new(Ntile {
                    k,
                    value,
                    descending,
                    ties_together,
                    among,
                }))
            }
            "score" if next.kind == TokKind::LBrace => {
                self.bump();
                ValueKind::Score(Box::new(self.score_block_body()?))
            }
            _ if t.kind == TokKind::Word && RESERVED.contains(&w) => {
                let d = Diagnostic::error(
                    codes::RESERVED_WORD,
                    self.cur_span(),
                    format!("expected a value, found the reserved word `{w}`"),
                )
                .with_label("a reserved word")
                .with_hint(format!(
                    "a value is a column, a trait or an aggregate; if `{w}` is a column, write its name between backticks"
                ));
                self.push_diag(d);
                return Err(Stop);
            }
            _ if matches!(t.kind, TokKind::Word | TokKind::QuotedIdent) => {
                ValueKind::Path(self.path("a name")?)
            }
            _ => {
                let d = Diagnostic::error(
                    codes::EXPECTED_VALUE,
                    self.cur_span(),
                    format!("expected a value, found {}", self.found()),
                )
                .with_label("expected a column, a trait or an aggregate here")
                .with_hint(if matches!(t.kind, TokKind::Int | TokKind::Decimal | TokKind::Str | TokKind::Date | TokKind::Timestamp | TokKind::Minus) {
                    "a constant is not a value of each entity; compare with it in a condition instead: `where lifetime_value >= 1000`"
                } else {
                    "a value is a column (`age`), a trait (`lifetime_value`) or an aggregate (`sum(amount) of \"purchase\"`)"
                });
                self.push_diag(d);
                return Err(Stop);
            }
        };
        Ok(Value {
            kind,
            span: self.span_from(start),
        })
    }

    /// After `sum`/`avg`/`min`/`max`/`count distinct`: `(prop) of STEP [WINDOW]`.
    /// After `among`: a segment's name (read as `in NAME`), or a condition that starts
    /// with a keyword or a parenthesis (`did ...`, `not ...`, `(plan = "pro")`).
    pub(super) fn among(&mut self) -> PResult<Cond> {
        let t = self.tok();
        let bare_name = (t.kind == TokKind::Word && !RESERVED.contains(&self.text_of(t)))
            || t.kind == TokKind::QuotedIdent;
        if !bare_name {
            self.enter()?;
            let c = self.unary();
            self.leave();
            return c;
        }
        let name = self.ident("a segment name")?;
        Ok(Cond {
            span: name.span,
            kind: CondKind::InSegment(name),
        })
    }

    pub(super) fn aggregate_rest(&mut self, func: AggFunc) -> PResult<ValueKind> {
        self.expect(TokKind::LParen)?;
        let prop = self.ident("a property name")?;
        self.expect(TokKind::RParen)?;
        if !self.eat_word("of") {
            return Err(self.expected_with_hint(
                "`of` and an event",
                format!(
                    "for example: {}({}) of \"purchase\" in last 90 days",
                    func.keyword(),
                    prop.name
                ),
            ));
        }
        let step = self.step()?;
        let window = self.opt_window()?;
        Ok(ValueKind::Agg(Box::new(Aggregate {
            func,
            prop: Some(prop),
            step,
            window,
        })))
    }

    // -----------------------------------------------------------------------------------
    // Literals
    // -----------------------------------------------------------------------------------

    pub(super) fn int_lit(&mut self, what: &str) -> PResult<IntLit> {
        let t = self.tok();
        if t.kind != TokKind::Int {
            return Err(self.expected(what));
        }
        self.bump();
        let value = self.int_value(t, false)?;
        Ok(IntLit {
            value,
            span: self.span_of(t),
        })
    }

    pub(super) fn int_value(&mut self, t: Token, negative: bool) -> PResult<i64> {
        if self.lexer_reported(t) {
            // `1e5`, `1_000_`: already reported; any value will do from here on.
            return Ok(0);
        }
        let digits: String = self.text_of(t).chars().filter(|c| *c != '_').collect();
        let parsed = digits.parse::<i128>().ok().and_then(|v| {
            let v = if negative { -v } else { v };
            i64::try_from(v).ok()
        });
        match parsed {
            Some(v) => Ok(v),
            None => {
                let d =
                    Diagnostic::error(codes::INT_TOO_LARGE, self.span_of(t), "integer too large")
                        .with_label("outside the 64-bit range")
                        .with_hint(
                            "integers range from -9223372036854775808 to 9223372036854775807",
                        );
                self.push_diag(d);
                Err(Stop)
            }
        }
    }

    pub(super) fn decimal_text(&mut self, t: Token, negative: bool) -> PResult<String> {
        if self.lexer_reported(t) {
            return Ok("0".to_string());
        }
        let digits: String = self.text_of(t).chars().filter(|c| *c != '_').collect();
        // Leading zeros are not significant: 0.5 has one digit, as DECIMAL(38, 38) holds
        // 0. and 38 fractional digits.
        let count = digits
            .trim_start_matches('0')
            .chars()
            .filter(char::is_ascii_digit)
            .count();
        if count > 38 {
            let d = Diagnostic::error(
                codes::DECIMAL_TOO_LONG,
                self.span_of(t),
                format!("decimal too long: {count} digits"),
            )
            .with_label("more than 38 digits")
            .with_hint("decimals hold at most 38 digits in all, before and after the point");
            self.push_diag(d);
            return Err(Stop);
        }
        Ok(if negative {
            format!("-{digits}")
        } else {
            digits
        })
    }

    /// A signed integer or decimal.
    pub(super) fn number(&mut self, what: &str) -> PResult<Number> {
        let start = self.tok().start;
        let negative = self.eat(TokKind::Minus);
        let t = self.tok();
        let kind = match t.kind {
            TokKind::Int => {
                self.bump();
                LitKind::Int(self.int_value(t, negative)?)
            }
            TokKind::Decimal => {
                self.bump();
                LitKind::Decimal(self.decimal_text(t, negative)?)
            }
            _ => return Err(self.expected(what)),
        };
        Ok(Number {
            kind,
            span: self.span_from(start),
        })
    }

    /// A literal value. `null` only where `allow_null`.
    pub(super) fn literal(&mut self, allow_null: bool) -> PResult<Literal> {
        let t = self.tok();
        let start = t.start;
        let kind = match t.kind {
            TokKind::Str => {
                self.bump();
                LitKind::Str(unescape(self.text_of(t)))
            }
            TokKind::Int | TokKind::Decimal | TokKind::Minus => {
                let n = self.number("a number")?;
                return Ok(Literal {
                    kind: n.kind,
                    span: n.span,
                });
            }
            TokKind::Date => {
                self.bump();
                LitKind::Date(self.date_value(t)?)
            }
            TokKind::Timestamp => {
                self.bump();
                LitKind::Timestamp(self.timestamp_value(t)?)
            }
            TokKind::Word => match self.text_of(t) {
                "true" => {
                    self.bump();
                    LitKind::Bool(true)
                }
                "false" => {
                    self.bump();
                    LitKind::Bool(false)
                }
                "null" if allow_null => {
                    self.bump();
                    LitKind::Null
                }
                "null" => {
                    let d = Diagnostic::error(
                        codes::NULL_OUTSIDE_TABLE,
                        self.cur_span(),
                        "`null` is not a value to compare with",
                    )
                    .with_label("`null` is only for empty cells of a test table")
                    .with_hint("test for a missing value with `is not set`, for a present one with `is set`");
                    self.push_diag(d);
                    return Err(Stop);
                }
                w => {
                    let d = Diagnostic::error(
                        codes::EXPECTED_LITERAL,
                        self.cur_span(),
                        format!("expected a value such as \"text\", 42 or 2024-01-31, found `{w}`"),
                    )
                    .with_label("a name, not a value")
                    .with_hint(format!(
                        "strings are written in double quotes: \"{w}\"; values are compared with literals, not with other columns"
                    ));
                    self.push_diag(d);
                    return Err(Stop);
                }
            },
            _ => {
                let d = Diagnostic::error(
                    codes::EXPECTED_LITERAL,
                    self.cur_span(),
                    format!(
                        "expected a value such as \"text\", 42 or 2024-01-31, found {}",
                        self.found()
                    ),
                );
                self.push_diag(d);
                return Err(Stop);
            }
        };
        Ok(Literal {
            kind,
            span: self.span_from(start),
        })
    }

    pub(super) fn invalid_date(&mut self, t: Token, what: String, label: &str) -> Stop {
        let hint = if label == "too precise" {
            "write at most 6 digits after the point, as in 2024-03-01T09:30:00.123456Z"
        } else {
            "dates are YYYY-MM-DD; times HH:MM[:SS[.ffffff]] in 24-hour form, UTC or with an offset"
        };
        let d = Diagnostic::error(codes::INVALID_DATE, self.span_of(t), what)
            .with_label(label)
            .with_hint(hint);
        self.push_diag(d);
        Stop
    }

    /// Days since the epoch; validates the calendar.
    pub(super) fn date_value(&mut self, t: Token) -> PResult<i32> {
        let s = self.text_of(t);
        if self.lexer_reported(t) || s.len() != 10 {
            // Already reported by the lexer as malformed; any value will do from here on.
            return Ok(0);
        }
        let y: i64 = s[0..4].parse().unwrap_or(0);
        let m: u32 = s[5..7].parse().unwrap_or(0);
        let d: u32 = s[8..10].parse().unwrap_or(0);
        if y == 0 || m == 0 || m > 12 || d == 0 || d > days_in_month(y, m) {
            const MONTHS: [&str; 12] = [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ];
            let label = if y == 0 {
                "there is no year 0".to_string()
            } else if m == 0 || m > 12 {
                format!("there is no month {m}")
            } else if d == 0 {
                "there is no day 0".to_string()
            } else {
                format!(
                    "{} {y} has {} days",
                    MONTHS[m as usize - 1],
                    days_in_month(y, m)
                )
            };
            return Err(self.invalid_date(
                t,
                format!("`{s}` is not a date in the calendar"),
                &label,
            ));
        }
        Ok(days_from_civil(y, m, d) as i32)
    }

    /// Microseconds since the epoch, in UTC.
    pub(super) fn timestamp_value(&mut self, t: Token) -> PResult<i64> {
        let s = self.text_of(t);
        if self.lexer_reported(t) || s.len() < 16 || !s.is_char_boundary(10) {
            // Already reported by the lexer as malformed; any value will do from here on.
            return Ok(0);
        }
        let date_tok = Token {
            end: t.start + 10,
            ..t
        };
        let days = i64::from(self.date_value(date_tok)?);
        let rest = &s[11..];
        let num = |a: &str| a.parse::<i64>().unwrap_or(-1);
        let hh = num(&rest[0..2]);
        let mm = num(&rest[3..5]);
        let mut i = 5;
        let mut ss = 0;
        let mut micros = 0;
        if rest[i..].starts_with(':') {
            ss = num(&rest[i + 1..i + 3]);
            i += 3;
            if rest[i..].starts_with('.') {
                let f: String = rest[i + 1..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                i += 1 + f.len();
                if f.len() > 6 {
                    return Err(self.invalid_date(
                        t,
                        format!("`{s}` has more than 6 fractional digits (microseconds are the finest unit)"),
                        "too precise",
                    ));
                }
                micros = format!("{f:0<6}").parse::<i64>().unwrap_or(0);
            }
        }
        let mut offset_min = 0;
        match rest[i..].chars().next() {
            Some('+') | Some('-') => {
                let sign = if rest[i..].starts_with('-') { -1 } else { 1 };
                let oh = num(&rest[i + 1..i + 3]);
                let om = num(&rest[i + 4..i + 6]);
                if !(0..24).contains(&oh) || !(0..60).contains(&om) {
                    return Err(self.invalid_date(
                        t,
                        format!("`{s}` has an invalid UTC offset"),
                        "no such offset",
                    ));
                }
                offset_min = sign * (oh * 60 + om);
            }
            _ => {}
        }
        if !(0..24).contains(&hh) || !(0..60).contains(&mm) || !(0..60).contains(&ss) {
            return Err(self.invalid_date(
                t,
                format!("`{s}` is not a time of day"),
                "no such time",
            ));
        }
        let secs = days * 86_400 + hh * 3600 + mm * 60 + ss - offset_min * 60;
        let total = secs * 1_000_000 + micros;
        // An offset can push the instant out of the years 1 to 9999 that dates allow (and
        // that every engine's timestamp type holds).
        if let Err(why) = crate::time::check_range(total) {
            return Err(self.invalid_date(
                t,
                format!("`{s}` is {why} once converted to UTC"),
                "out of range in UTC",
            ));
        }
        Ok(total)
    }
}
