//! The lexer: source text to tokens and comments.
//!
//! Words (identifiers and keywords alike) are one token kind; the parser decides by
//! position which words are keywords, so a column may be called `name` or `time`.

use crate::ast::Comment;
use crate::codes;
use crate::diag::Diagnostic;
use crate::span::{FileId, Span};

mod numbers;
mod strings;

pub use strings::{escape, shown_in_message, unescape};

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
