//! The lexer: source text to tokens and comments.
//!
//! Words (identifiers and keywords alike) are one token kind; the parser decides by
//! position which words are keywords, so a column may be called `name` or `time`.

use crate::ast::Comment;
use crate::codes;
use crate::diag::Diagnostic;
use crate::span::{FileId, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// An identifier or keyword.
    Word,
    /// `` `any text` ``
    QuotedIdent,
    /// `"text"`
    Str,
    Int,
    Decimal,
    /// `2024-01-31`
    Date,
    /// `2024-01-31T10:00:00Z`
    Timestamp,
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Pipe,
    Minus,
    Percent,
    Colon,
    /// `&&` or `&`: not an operator. The lexer reports it; the parser reads it as `and`
    /// so that the rest of the condition is still checked.
    AndAnd,
    Eof,
}

impl TokKind {
    /// How the token is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            TokKind::Word => "a name",
            TokKind::QuotedIdent => "a quoted name",
            TokKind::Str => "a string",
            TokKind::Int => "an integer",
            TokKind::Decimal => "a decimal number",
            TokKind::Date => "a date",
            TokKind::Timestamp => "a timestamp",
            TokKind::LBrace => "`{`",
            TokKind::RBrace => "`}`",
            TokKind::LParen => "`(`",
            TokKind::RParen => "`)`",
            TokKind::LBracket => "`[`",
            TokKind::RBracket => "`]`",
            TokKind::Comma => "`,`",
            TokKind::Dot => "`.`",
            TokKind::Eq => "`=`",
            TokKind::Ne => "`!=`",
            TokKind::Lt => "`<`",
            TokKind::Le => "`<=`",
            TokKind::Gt => "`>`",
            TokKind::Ge => "`>=`",
            TokKind::Pipe => "`|`",
            TokKind::Minus => "`-`",
            TokKind::Percent => "`%`",
            TokKind::Colon => "`:`",
            TokKind::AndAnd => "`&&`",
            TokKind::Eof => "the end of the file",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub kind: TokKind,
    pub start: u32,
    pub end: u32,
    /// True when a line break separates this token from the previous one.
    pub line_start: bool,
}

/// Diagnostics per file stop after this many; the lexer then stops too.
pub const MAX_ERRORS: usize = 100;

pub struct Lexed {
    pub tokens: Vec<Token>,
    pub comments: Vec<Comment>,
    pub diags: Vec<Diagnostic>,
}

/// Tokenizes `text`. A leading byte-order mark is skipped; offsets stay those of `text`.
pub fn lex(text: &str, file: FileId) -> Lexed {
    let mut lx = Lexer {
        src: text,
        bytes: text.as_bytes(),
        pos: 0,
        file,
        tokens: Vec::with_capacity(text.len() / 4 + 1),
        comments: Vec::new(),
        diags: Vec::new(),
        newlines_since_token: 0,
        line_has_code: false,
        last_was_comment: false,
    };
    if text.starts_with('\u{FEFF}') {
        lx.pos = 3;
    }
    lx.run();
    let end = text.len() as u32;
    lx.tokens.push(Token {
        kind: TokKind::Eof,
        start: end,
        end,
        line_start: lx.newlines_since_token > 0,
    });
    Lexed {
        tokens: lx.tokens,
        comments: lx.comments,
        diags: lx.diags,
    }
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    file: FileId,
    tokens: Vec<Token>,
    comments: Vec<Comment>,
    diags: Vec<Diagnostic>,
    newlines_since_token: u32,
    line_has_code: bool,
    last_was_comment: bool,
}

fn is_ident_start(c: char) -> bool {
    c == '_' || unicode_ident::is_xid_start(c)
}

fn is_ident_continue(c: char) -> bool {
    unicode_ident::is_xid_continue(c)
}

/// Whether `s` can be written as a bare word (otherwise it needs backticks).
pub fn is_plain_ident(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_ident_start(c) => chars.all(is_ident_continue),
        _ => false,
    }
}

impl<'a> Lexer<'a> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start as u32, end as u32)
    }

    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn too_many(&self) -> bool {
        self.diags.len() >= MAX_ERRORS
    }

    fn note_blank_after_comment(&mut self) {
        if self.last_was_comment && self.newlines_since_token >= 2 {
            if let Some(c) = self.comments.last_mut() {
                c.blank_after = true;
            }
        }
    }

    fn push(&mut self, kind: TokKind, start: usize) {
        self.note_blank_after_comment();
        self.last_was_comment = false;
        self.tokens.push(Token {
            kind,
            start: start as u32,
            end: self.pos as u32,
            line_start: self.newlines_since_token > 0 || self.tokens.is_empty(),
        });
        self.newlines_since_token = 0;
        self.line_has_code = true;
    }

    fn peek_byte(&self, k: usize) -> Option<u8> {
        self.bytes.get(self.pos + k).copied()
    }

    fn cur_char(&self) -> Option<char> {
        self.src.get(self.pos..)?.chars().next()
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            if self.too_many() {
                let sp = self.span(self.pos, self.pos);
                self.diags.push(
                    Diagnostic::error(
                        codes::TOO_MANY_ERRORS,
                        sp,
                        "too many errors; stopped reading this file",
                    )
                    .with_label("stopped here")
                    .with_hint("fix the errors above and run again"),
                );
                return;
            }
            let b = self.bytes[self.pos];
            let start = self.pos;
            match b {
                b'\n' => {
                    self.pos += 1;
                    self.newlines_since_token += 1;
                    self.line_has_code = false;
                }
                b'\r' => {
                    self.pos += 1;
                    if self.peek_byte(0) != Some(b'\n') {
                        self.newlines_since_token += 1;
                        self.line_has_code = false;
                    }
                }
                b' ' | b'\t' | 0x0B | 0x0C => self.pos += 1,
                b'#' => self.comment(),
                b'"' => self.string(TokKind::Str, b'"'),
                b'\'' => self.wrongly_quoted_string('\'', '\''),
                b'&' => {
                    self.pos += 1;
                    let op = if self.peek_byte(0) == Some(b'&') {
                        self.pos += 1;
                        "&&"
                    } else {
                        "&"
                    };
                    let sp = self.span(start, self.pos);
                    self.error(
                        Diagnostic::error(
                            codes::UNEXPECTED_CHAR,
                            sp,
                            format!("`{op}` is not an operator"),
                        )
                        .with_label("write `and`")
                        .with_hint("join conditions with `and` and `or`: `plan = \"trial\" and country = \"FR\"`"),
                    );
                    self.push(TokKind::AndAnd, start);
                }
                b'`' => self.string(TokKind::QuotedIdent, b'`'),
                b'0'..=b'9' => self.number(),
                b'{' => self.single(TokKind::LBrace),
                b'}' => self.single(TokKind::RBrace),
                b'(' => self.single(TokKind::LParen),
                b')' => self.single(TokKind::RParen),
                b'[' => self.single(TokKind::LBracket),
                b']' => self.single(TokKind::RBracket),
                b',' => self.single(TokKind::Comma),
                b'.' => self.single(TokKind::Dot),
                b'|' => self.single(TokKind::Pipe),
                b'-' => self.single(TokKind::Minus),
                b'%' => self.single(TokKind::Percent),
                b':' => self.single(TokKind::Colon),
                b'=' => {
                    self.pos += 1;
                    if self.peek_byte(0) == Some(b'=') {
                        self.pos += 1;
                        let sp = self.span(start, self.pos);
                        self.error(
                            Diagnostic::error(codes::DOUBLE_EQUALS, sp, "`==` is not an operator")
                                .with_label("write `=` to compare")
                                .with_hint("equality is a single `=`: `plan = \"pro\"`"),
                        );
                    }
                    self.push(TokKind::Eq, start);
                }
                b'!' => {
                    self.pos += 1;
                    if self.peek_byte(0) == Some(b'=') {
                        self.pos += 1;
                        self.push(TokKind::Ne, start);
                    } else {
                        let sp = self.span(start, self.pos);
                        self.error(
                            Diagnostic::error(
                                codes::UNEXPECTED_CHAR,
                                sp,
                                "unexpected character `!`",
                            )
                            .with_label("write `not`")
                            .with_hint("negate a condition with `not`; `!=` means not equal"),
                        );
                    }
                }
                b'<' => {
                    self.pos += 1;
                    if self.peek_byte(0) == Some(b'=') {
                        self.pos += 1;
                        self.push(TokKind::Le, start);
                    } else if self.peek_byte(0) == Some(b'>') {
                        self.pos += 1;
                        let sp = self.span(start, self.pos);
                        self.error(
                            Diagnostic::error(
                                codes::UNEXPECTED_CHAR,
                                sp,
                                "`<>` is not an operator",
                            )
                            .with_label("write `!=`")
                            .with_hint("not equal is written `!=`: `country != \"FR\"`"),
                        );
                        self.push(TokKind::Ne, start);
                    } else {
                        self.push(TokKind::Lt, start);
                    }
                }
                b'>' => {
                    self.pos += 1;
                    if self.peek_byte(0) == Some(b'=') {
                        self.pos += 1;
                        self.push(TokKind::Ge, start);
                    } else {
                        self.push(TokKind::Gt, start);
                    }
                }
                _ => {
                    let c = self.cur_char().unwrap_or('\u{FFFD}');
                    if is_ident_start(c) {
                        self.word();
                    } else if c == '\u{201C}' {
                        self.wrongly_quoted_string('\u{201C}', '\u{201D}');
                    } else if c == '\u{2018}' {
                        self.wrongly_quoted_string('\u{2018}', '\u{2019}');
                    } else if c.is_whitespace() {
                        self.pos += c.len_utf8();
                        if matches!(c, '\u{0085}' | '\u{2028}' | '\u{2029}') {
                            self.newlines_since_token += 1;
                            self.line_has_code = false;
                        }
                    } else {
                        self.pos += c.len_utf8();
                        let sp = self.span(start, self.pos);
                        // Invisible characters (zero-width spaces, direction marks, soft
                        // hyphens, pasted from web pages and chats) are named by code point.
                        let invisible = matches!(
                            c,
                            '\u{00AD}'
                                | '\u{200B}'..='\u{200F}'
                                | '\u{202A}'..='\u{202E}'
                                | '\u{2060}'..='\u{2064}'
                                | '\u{FEFF}'
                        );
                        let shown = if c.is_control() || invisible {
                            format!("U+{:04X}", c as u32)
                        } else {
                            format!("`{c}`")
                        };
                        let mut d = Diagnostic::error(
                            codes::UNEXPECTED_CHAR,
                            sp,
                            format!("unexpected character {shown}"),
                        );
                        d = match c {
                            ';' => d
                                .with_label("remove this `;`")
                                .with_hint("segql needs no `;`: a line break ends a field"),
                            '\u{201D}' | '\u{2019}' => d
                                .with_label("a closing typographic quote")
                                .with_hint("use plain double quotes \" for strings"),
                            _ if invisible => d.with_label("an invisible character").with_hint(
                                "delete it: invisible characters often come along when text is pasted from a web page or a chat",
                            ),
                            _ => d.with_label("not part of the language").with_hint(
                                "remove it; a character that is part of a name or a string must be inside backticks or double quotes",
                            ),
                        };
                        self.error(d);
                    }
                }
            }
        }
    }

    fn single(&mut self, kind: TokKind) {
        let start = self.pos;
        self.pos += 1;
        self.push(kind, start);
    }

    fn comment(&mut self) {
        self.note_blank_after_comment();
        let start = self.pos;
        while self.pos < self.bytes.len() && !matches!(self.bytes[self.pos], b'\n' | b'\r') {
            self.pos += 1;
        }
        let text = self.src[start + 1..self.pos].trim_end().to_string();
        self.comments.push(Comment {
            text,
            span: self.span(start, self.pos),
            trailing: self.line_has_code,
            blank_before: self.newlines_since_token >= 2,
            blank_after: false,
        });
        self.last_was_comment = true;
        // A comment counts as content for blank-line tracking.
        self.newlines_since_token = 0;
    }

    fn word(&mut self) {
        let start = self.pos;
        while let Some(c) = self.cur_char() {
            if is_ident_continue(c) {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
        self.push(TokKind::Word, start);
    }

    /// A string or quoted identifier: escapes are checked here and decoded by
    /// [`unescape`]. Neither may span lines.
    fn string(&mut self, kind: TokKind, quote: u8) {
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
    fn wrongly_quoted_string(&mut self, open: char, close: char) {
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
    fn unicode_escape(&mut self, esc_start: usize) {
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

    fn digits(&mut self) {
        while matches!(self.peek_byte(0), Some(b'0'..=b'9' | b'_')) {
            self.pos += 1;
        }
    }

    fn all_digits(&self, at: usize, n: usize) -> bool {
        self.bytes
            .get(at..at + n)
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    }

    fn number(&mut self) {
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
    fn date_or_timestamp(&mut self, start: usize) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<TokKind> {
        lex(s, FileId(0)).tokens.iter().map(|t| t.kind).collect()
    }

    #[test]
    fn dates_timestamps_and_numbers() {
        use TokKind::*;
        assert_eq!(
            kinds("2024-01-31 2024-01-31T10:00:00Z 12 1.5 1_000"),
            vec![Date, Timestamp, Int, Decimal, Int, Eof]
        );
        assert_eq!(kinds("1.x"), vec![Int, Dot, Word, Eof]);
        assert_eq!(kinds("-15"), vec![Minus, Int, Eof]);
    }

    #[test]
    fn escape_round_trips() {
        for s in [
            "plain",
            "q\"uote",
            "back\\slash",
            "nl\nx",
            "nul\0",
            "é∂😀",
            "\u{2028}",
            "`",
        ] {
            for q in ['"', '`'] {
                let e = escape(s, q);
                let lexed = lex(&e, FileId(0));
                assert!(lexed.diags.is_empty(), "{e}: {:?}", lexed.diags);
                assert_eq!(unescape(&e), s);
            }
        }
    }

    #[test]
    fn comments_know_whether_they_trail() {
        let l = lex("# head\n\n# second\nx = 1 # tail\n", FileId(0));
        let c: Vec<(bool, bool)> = l
            .comments
            .iter()
            .map(|c| (c.trailing, c.blank_before))
            .collect();
        assert_eq!(c, vec![(false, false), (false, true), (true, false)]);
    }
}
