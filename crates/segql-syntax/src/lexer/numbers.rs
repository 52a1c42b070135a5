//! Numbers, dates and timestamps: their tokens and the mistakes in them.

use super::*;

impl Lexer<'_> {
    pub(super) fn digits(&mut self) {
        while matches!(self.peek_byte(0), Some(b'0'..=b'9' | b'_')) {
            self.pos += 1;
        }
    }

    pub(super) fn all_digits(&self, at: usize, n: usize) -> bool {
        self.bytes
            .get(at..at + n)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    }

    pub(super) fn number(&mut self) {
        let start = self.pos;
        // A date: exactly four digits, then `-`.
        if self.all_digits(start, 4) && self.bytes.get(start + 4) == Some(&b'-') {
            self.date_or_timestamp(start);
            return;
        }
        self.digits();
        let mut kind = TokKind::Int;
        if self.peek_byte(0) == Some(b'.') && matches!(self.peek_byte(1), Some(b'0'..=b'9')) {
            self.pos += 1;
            self.digits();
            kind = TokKind::Decimal;
        }
        let text = &self.src[start..self.pos];
        if text.ends_with('_') || text.contains("__") || text.contains("_.") || text.contains("._")
        {
            let sp = self.span(start, self.pos);
            self.error(
                Diagnostic::error(codes::BAD_NUMBER, sp, format!("malformed number `{text}`"))
                    .with_label("misplaced `_`")
                    .with_hint("`_` may only separate digits, as in 1_000_000"),
            );
        }
        // A letter glued to a number (`30days`, `1e5`) is an error, not two tokens.
        if let Some(c) = self.cur_char() {
            if is_ident_continue(c) {
                let word_start = self.pos;
                while let Some(c) = self.cur_char() {
                    if is_ident_continue(c) {
                        self.pos += c.len_utf8();
                    } else {
                        break;
                    }
                }
                let sp = self.span(start, self.pos);
                let word = &self.src[word_start..self.pos];
                let is_unit = crate::ast::Unit::from_word(word).is_some();
                let hint = if is_unit {
                    format!(
                        "put a space between the number and the unit: `{} {}`",
                        &self.src[start..word_start],
                        word
                    )
                } else {
                    "numbers are written as digits with an optional `.` fraction".to_string()
                };
                self.error(
                    Diagnostic::error(
                        codes::BAD_NUMBER,
                        sp,
                        format!("malformed number `{}`", &self.src[start..self.pos]),
                    )
                    .with_label(if is_unit {
                        "the unit is glued to the number"
                    } else {
                        "letters glued to a number"
                    })
                    .with_hint(hint),
                );
                if is_unit && kind == TokKind::Int {
                    // `30days`: reported; read on as `30 days` so the rest is checked.
                    let end = self.pos;
                    self.pos = word_start;
                    self.push(kind, start);
                    self.pos = end;
                    self.push(TokKind::Word, word_start);
                    return;
                }
            }
        }
        self.push(kind, start);
    }

    /// `YYYY-MM-DD` optionally followed by `THH:MM[:SS[.ffffff]][Z|±HH:MM]`. The shape is
    /// checked here; the calendar (month 13, February 30) by the parser.
    pub(super) fn date_or_timestamp(&mut self, start: usize) {
        let ok_date = self.bytes.get(start + 4) == Some(&b'-')
            && self.all_digits(start + 5, 2)
            && self.bytes.get(start + 7) == Some(&b'-')
            && self.all_digits(start + 8, 2)
            && !matches!(self.bytes.get(start + 10), Some(b'0'..=b'9'));
        if !ok_date {
            // Consume the malformed literal: digits and dashes.
            self.pos = start;
            while matches!(self.peek_byte(0), Some(b'0'..=b'9' | b'-')) {
                self.pos += 1;
            }
            let sp = self.span(start, self.pos);
            self.error(
                Diagnostic::error(
                    codes::BAD_DATE,
                    sp,
                    format!("malformed date `{}`", &self.src[start..self.pos]),
                )
                .with_label("not YYYY-MM-DD")
                .with_hint("dates are written YYYY-MM-DD, as in 2024-03-01"),
            );
            self.push(TokKind::Date, start);
            return;
        }
        self.pos = start + 10;
        if self.peek_byte(0) != Some(b'T') {
            self.push(TokKind::Date, start);
            return;
        }
        self.pos += 1;
        let mut ok = self.all_digits(self.pos, 2)
            && self.peek_byte(2) == Some(b':')
            && self.all_digits(self.pos + 3, 2);
        if ok {
            self.pos += 5;
            if self.peek_byte(0) == Some(b':') {
                ok = self.all_digits(self.pos + 1, 2);
                // Past the seconds only when they are there: `10:00:` may end the file.
                self.pos += if ok { 3 } else { 1 };
                if ok && self.peek_byte(0) == Some(b'.') {
                    self.pos += 1;
                    let f = self.pos;
                    while matches!(self.peek_byte(0), Some(b'0'..=b'9')) {
                        self.pos += 1;
                    }
                    ok = self.pos > f;
                }
            }
        }
        if ok {
            match self.peek_byte(0) {
                Some(b'Z') => self.pos += 1,
                Some(b'+' | b'-') => {
                    ok = self.all_digits(self.pos + 1, 2)
                        && self.peek_byte(3) == Some(b':')
                        && self.all_digits(self.pos + 4, 2);
                    if ok {
                        self.pos += 6;
                    }
                }
                _ => {}
            }
        }
        if ok {
            if let Some(c) = self.cur_char() {
                ok = !is_ident_continue(c);
            }
        }
        if !ok {
            while let Some(c) = self.cur_char() {
                if is_ident_continue(c) || matches!(c, ':' | '.' | '+' | '-') {
                    self.pos += c.len_utf8();
                } else {
                    break;
                }
            }
            let sp = self.span(start, self.pos);
            self.error(
                Diagnostic::error(
                    codes::BAD_DATE,
                    sp,
                    format!("malformed timestamp `{}`", &self.src[start..self.pos]),
                )
                .with_label("not YYYY-MM-DDTHH:MM:SS")
                .with_hint("timestamps are written 2024-03-01T09:30:00Z (UTC; an offset like +02:00 is converted)"),
            );
        }
        self.push(TokKind::Timestamp, start);
    }
}
