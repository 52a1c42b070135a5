//! Strings and quoted names: their tokens, the mistakes in their quotes and escapes,
//! and decoding and encoding their text.

use super::*;

impl Lexer<'_> {
    /// A string or quoted identifier: escapes are checked here and decoded by
    /// [`unescape`]. Neither may span lines.
    pub(super) fn string(&mut self, kind: TokKind, quote: u8) {
        let start = self.pos;
        self.pos += 1;
        let what = if kind == TokKind::Str {
            "string"
        } else {
            "quoted name"
        };
        loop {
            let Some(b) = self.peek_byte(0) else {
                let sp = self.span(start, self.pos);
                self.error(
                    Diagnostic::error(
                        codes::UNTERMINATED_STRING,
                        sp,
                        format!("unterminated {what}"),
                    )
                    .with_label(format!("this {what} never ends"))
                    .with_hint(format!("close it with {}", quote as char)),
                );
                break;
            };
            match b {
                b'\n' | b'\r' => {
                    let sp = self.span(start, self.pos);
                    self.error(
                        Diagnostic::error(
                            codes::UNTERMINATED_STRING,
                            sp,
                            format!("unterminated {what}"),
                        )
                        .with_label("the line ends before the closing quote")
                        .with_hint(format!(
                            "close it with {} on the same line; write \\n for a line break",
                            quote as char
                        )),
                    );
                    break;
                }
                b'\\' => {
                    let esc_start = self.pos;
                    self.pos += 1;
                    let Some(c) = self.cur_char() else { continue };
                    match c {
                        '\\' | '"' | '`' | 'n' | 't' | 'r' | '0' => self.pos += 1,
                        'u' => {
                            self.pos += 1;
                            self.unicode_escape(esc_start);
                        }
                        '\n' | '\r' => {}
                        other => {
                            self.pos += other.len_utf8();
                            let sp = self.span(esc_start, self.pos);
                            self.error(
                                Diagnostic::error(
                                    codes::UNKNOWN_ESCAPE,
                                    sp,
                                    if other.is_control() {
                                        format!(
                                            "unknown escape: a backslash before U+{:04X}",
                                            other as u32
                                        )
                                    } else {
                                        format!("unknown escape `\\{other}`")
                                    },
                                )
                                .with_label("not an escape")
                                .with_hint(
                                    "the escapes are \\\\ \\\" \\` \\n \\t \\r \\0 and \\u{...}; write \\\\ for a backslash",
                                ),
                            );
                        }
                    }
                }
                _ if b == quote => {
                    self.pos += 1;
                    if kind == TokKind::QuotedIdent && self.pos - start == 2 {
                        let sp = self.span(start, self.pos);
                        self.error(
                            Diagnostic::error(
                                codes::EMPTY_QUOTED_NAME,
                                sp,
                                "a quoted name cannot be empty",
                            )
                            .with_label("nothing between the backticks")
                            .with_hint("write the name between the backticks, as in `weird col`"),
                        );
                    }
                    break;
                }
                _ => {
                    let c = self.cur_char().unwrap_or('\u{FFFD}');
                    self.pos += c.len_utf8();
                }
            }
        }
        self.push(kind, start);
    }

    /// `'text'` or `“text”`: a string in quotes segql does not use (SQL habits, word
    /// processors). Read to the closing quote on the same line as one string token, so
    /// that one mistake makes one diagnostic rather than three.
    pub(super) fn wrongly_quoted_string(&mut self, open: char, close: char) {
        let start = self.pos;
        self.pos += open.len_utf8();
        let mut closed = false;
        while let Some(c) = self.cur_char() {
            if matches!(c, '\n' | '\r') {
                break;
            }
            self.pos += c.len_utf8();
            if c == close || c == open {
                closed = true;
                break;
            }
        }
        let sp = self.span(start, self.pos);
        let body_end = if closed {
            self.pos - close.len_utf8()
        } else {
            self.pos
        };
        let body = &self.src[start + open.len_utf8()..body_end.max(start + open.len_utf8())];
        let (what, label) = if open == '\'' {
            ("single quotes", "single quotes")
        } else {
            ("typographic quotes", "typographic quotes")
        };
        let d = Diagnostic::error(
            codes::WRONG_QUOTES,
            sp,
            format!("strings are written in double quotes, not {what}"),
        )
        .with_label(label)
        .with_hint(format!("write {}", escape(body, '"')));
        self.error(d);
        self.push(TokKind::Str, start);
    }

    /// After `\u`: expects `{` 1-6 hex digits `}` naming a Unicode scalar value.
    pub(super) fn unicode_escape(&mut self, esc_start: usize) {
        let bad = |lx: &mut Lexer, msg: &str| {
            let sp = lx.span(esc_start, lx.pos);
            lx.error(
                Diagnostic::error(codes::BAD_UNICODE_ESCAPE, sp, msg.to_string())
                    .with_label("invalid escape")
                    .with_hint("write a code point in hexadecimal between braces, as in \\u{e9} or \\u{1F600}"),
            );
        };
        if self.peek_byte(0) != Some(b'{') {
            bad(self, "`\\u` must be followed by `{hex digits}`");
            return;
        }
        self.pos += 1;
        let digits_start = self.pos;
        while matches!(self.peek_byte(0), Some(b) if b.is_ascii_hexdigit()) {
            self.pos += 1;
        }
        let digits = &self.src[digits_start..self.pos];
        if self.peek_byte(0) != Some(b'}') {
            bad(self, "unterminated `\\u{...}` escape");
            return;
        }
        self.pos += 1;
        let ok = !digits.is_empty()
            && digits.len() <= 6
            && u32::from_str_radix(digits, 16)
                .ok()
                .and_then(char::from_u32)
                .is_some();
        if !ok {
            bad(
                self,
                &format!("`\\u{{{digits}}}` is not a Unicode character"),
            );
        }
    }
}

/// Decodes the body of a string or quoted-name token (quotes included in `raw`).
/// Escapes were validated by the lexer; anything invalid decodes to U+FFFD.
pub fn unescape(raw: &str) -> String {
    // The opening quote may be several bytes long (`“`, from a string the lexer
    // reported as wrongly quoted).
    let mut chars = raw.chars();
    let open = chars.next();
    let rest = chars.as_str();
    let close = match open {
        Some('\u{201C}') => ['\u{201D}', '\u{201C}'],
        Some('\u{2018}') => ['\u{2019}', '\u{2018}'],
        Some(q) => [q, q],
        None => return String::new(),
    };
    // An unterminated token has no closing quote: keep its last character.
    let inner = rest.strip_suffix(close).unwrap_or(rest);
    if !inner.contains('\\') {
        return inner.to_string();
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('u') => {
                if chars.peek() == Some(&'{') {
                    chars.next();
                    let mut hex = String::new();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        hex.push(c);
                    }
                    out.push(
                        u32::from_str_radix(&hex, 16)
                            .ok()
                            .and_then(char::from_u32)
                            .unwrap_or('\u{FFFD}'),
                    );
                } else {
                    out.push('\u{FFFD}');
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Source text as quoted in a message: control characters (which would garble a
/// terminal or a log) are written as `\u{..}` escapes.
pub fn shown_in_message(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                format!("\\u{{{:x}}}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Writes `s` as a string literal with `quote`, escaping what must be.
pub fn escape(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control()
                || matches!(c, '\u{0085}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}') =>
            {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}
