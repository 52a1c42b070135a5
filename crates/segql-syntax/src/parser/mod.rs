//! Recursive-descent parser: tokens to [`ast::File`], with error recovery.
//!
//! Every mistake becomes a [`Diagnostic`]; after one, the parser skips to the next item
//! of the enclosing block (or the next top-level item) and goes on, so one run reports
//! every independent mistake in a file. Nesting is limited to [`MAX_DEPTH`], so no input
//! can overflow the stack, and every loop consumes a token, so no input can hang it.

use crate::ast::*;
use crate::codes;
use crate::diag::Diagnostic;
use crate::lexer::{lex, shown_in_message, unescape, TokKind, Token, MAX_ERRORS};
use crate::span::{FileId, Span};
use crate::time::{days_from_civil, days_in_month};

mod catalog;
mod clauses;
mod conditions;
mod declarations;
mod items;
mod test_blocks;
mod values;

/// How deep conditions and values may nest (parentheses, `not`, filters, quantifiers).
pub const MAX_DEPTH: u32 = 64;

/// Words that start the items of a file.
pub const TOP_LEVEL: &[&str] = &[
    "entity", "events", "segment", "trait", "action", "report", "split", "priority", "test",
    "assert",
];

/// Words that cannot be a bare name where a condition or value starts; write them in
/// backticks (`` `last` ``) to use them as names.
pub const RESERVED: &[&str] = &[
    "ago",
    "all",
    "and",
    "any",
    "at",
    "between",
    "did",
    "ever",
    "exactly",
    "false",
    "for",
    "from",
    "in",
    "is",
    "last",
    "no",
    "not",
    "null",
    "of",
    "or",
    "restarted",
    "sql",
    "stopped",
    "then",
    "times",
    "true",
    "where",
    "with",
    "within",
];

/// The result of parsing one file.
pub struct Parsed {
    pub file: File,
    pub diags: Vec<Diagnostic>,
}

/// Parses raw bytes: checks UTF-8 first (reporting the first bad byte), then parses.
pub fn parse_bytes(bytes: &[u8], file: FileId) -> Parsed {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text, file),
        Err(e) => {
            let at = e.valid_up_to() as u32;
            Parsed {
                file: File::default(),
                diags: vec![Diagnostic::error(
                    codes::NOT_UTF8,
                    Span::new(file, at, at),
                    format!("the file is not valid UTF-8 (byte {at})"),
                )
                .with_label("the first byte that is not UTF-8")
                .with_hint("segment files are UTF-8 text; is this the right file?")],
            }
        }
    }
}

/// Parses one file's text.
pub fn parse(text: &str, file: FileId) -> Parsed {
    let lexed = lex(text, file);
    let reported = |which: &[&str]| {
        let mut v: Vec<u32> = lexed
            .diags
            .iter()
            .filter(|d| which.contains(&d.code))
            .map(|d| d.span.start)
            .collect();
        v.sort_unstable();
        v
    };
    let malformed = reported(&[codes::BAD_DATE, codes::BAD_NUMBER]);
    let cut_short = reported(&[codes::UNTERMINATED_STRING]);
    let mut p = Parser {
        src: text,
        toks: lexed.tokens,
        pos: 0,
        file,
        // When the lexer stopped at the error cap it said so (E0010): the parser adds
        // nothing more, not even a second E0010.
        gave_up: lexed.diags.iter().any(|d| d.code == codes::TOO_MANY_ERRORS),
        diags: lexed.diags,
        depth: 0,
        item_closed: false,
        in_extra: false,
        malformed,
        cut_short,
        too_deep: false,
        unclosed_at_eof: false,
    };
    let items = p.file();
    let mut diags = p.diags;
    diags.sort_by_key(|d| d.span.start);
    Parsed {
        file: File {
            items,
            comments: lexed.comments,
        },
        diags,
    }
}

/// An error already recorded as a diagnostic; unwinds to the nearest recovery point.
#[derive(Debug)]
pub struct Stop;

type PResult<T> = Result<T, Stop>;

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    file: FileId,
    diags: Vec<Diagnostic>,
    depth: u32,
    gave_up: bool,
    /// Set when an item's own block has been closed: an error found after that (a
    /// missing field) needs no recovery, the next item starts right here.
    item_closed: bool,
    /// Set while the columns of an `extra` table are read (no references there).
    in_extra: bool,
    /// Starts of number, date and timestamp tokens the lexer reported as malformed: their
    /// value is not checked again (one mistake, one diagnostic).
    malformed: Vec<u32>,
    /// Starts of strings and quoted names the lexer reported as unterminated: they ran to
    /// the end of the line, so whatever the parser finds missing right after one is a
    /// consequence, not a second mistake.
    cut_short: Vec<u32>,
    /// Set by a depth error: the rest of the item is not checked (its nesting is beyond
    /// repair, and every enclosing level would report something).
    too_deep: bool,
    /// Set once a block was reported unclosed at the end of the file: the blocks around
    /// it are unclosed for the same reason.
    unclosed_at_eof: bool,
}

/// The items a block accepts, for recovery and for "did you mean".
const ENTITY_FIELDS: &[&str] = &["table", "key", "description", "columns", "extra"];
const EXTRA_FIELDS: &[&str] = &["table", "key", "columns"];
const EVENTS_FIELDS: &[&str] = &[
    "table",
    "key",
    "name",
    "event",
    "time",
    "names",
    "description",
    "properties",
];
const SEGMENT_FIELDS: &[&str] = &["description", "owner", "tags", "score", "where"];
const REPORT_FIELDS: &[&str] = &["description", "owner", "tags", "segments", "metric"];
const SPLIT_FIELDS: &[&str] = &["description", "owner", "tags", "salt", "group"];
const PRIORITY_FIELDS: &[&str] = &["description", "owner", "tags", "segments"];
const TEST_FIELDS: &[&str] = &["description", "as_of", "since", "given", "expect"];
const ASSERT_FIELDS: &[&str] = &["size", "disjoint", "subset"];

/// The fields a block accepts (`entity`, `events`, `segment`, `report`, `split`,
/// `priority`, `test`, `assert`), as the parser knows them: the editor's completion
/// offers exactly these. An assert's checks start with their first word.
pub fn block_fields(block: &str) -> &'static [&'static str] {
    match block {
        "entity" => ENTITY_FIELDS,
        "extra" => EXTRA_FIELDS,
        "events" => EVENTS_FIELDS,
        "segment" => SEGMENT_FIELDS,
        "report" => REPORT_FIELDS,
        "split" => SPLIT_FIELDS,
        "priority" => PRIORITY_FIELDS,
        "test" => TEST_FIELDS,
        "assert" => ASSERT_FIELDS,
        _ => &[],
    }
}
/// Every field word of every block, to recognise a field found outside its block.
const FIELD_WORDS: &[&str] = &[
    "table",
    "key",
    "description",
    "columns",
    "name",
    "time",
    "properties",
    "owner",
    "tags",
    "score",
    "where",
    "segments",
    "metric",
    "salt",
    "group",
    "as_of",
    "given",
    "expect",
    "size",
    "disjoint",
    "subset",
];
/// Fields that may be given more than once (every field of an `assert` block may too).
const REPEATABLE: &[&str] = &["metric", "group", "given", "expect", "extra"];

/// The field `word` was probably meant to be: a near spelling (`whre`), or a field
/// with something added (`primary_key`, `table_name`).
fn suggest_field(word: &str, fields: &'static [&'static str]) -> Option<&'static str> {
    did_you_mean(word, fields.iter().copied()).or_else(|| {
        fields.iter().copied().find(|f| {
            word.strip_suffix(f).is_some_and(|rest| rest.ends_with('_'))
                || word
                    .strip_prefix(f)
                    .is_some_and(|rest| rest.starts_with('_'))
        })
    })
}

/// The closest candidate to `word`, if close enough to suggest.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(word, c);
        if score > 0.8 && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

impl<'a> Parser<'a> {
    // -----------------------------------------------------------------------------------
    // Token plumbing
    // -----------------------------------------------------------------------------------

    fn tok(&self) -> Token {
        self.toks[self.pos]
    }

    fn nth(&self, k: usize) -> Token {
        self.toks[(self.pos + k).min(self.toks.len() - 1)]
    }

    fn kind(&self) -> TokKind {
        self.tok().kind
    }

    fn text_of(&self, t: Token) -> &'a str {
        &self.src[t.start as usize..t.end as usize]
    }

    fn span_of(&self, t: Token) -> Span {
        Span::new(self.file, t.start, t.end)
    }

    fn cur_span(&self) -> Span {
        self.span_of(self.tok())
    }

    /// End of the last consumed token.
    fn prev_end(&self) -> u32 {
        if self.pos == 0 {
            0
        } else {
            self.toks[self.pos - 1].end
        }
    }

    fn span_from(&self, start: u32) -> Span {
        Span::new(self.file, start, self.prev_end().max(start))
    }

    fn bump(&mut self) -> Token {
        let t = self.tok();
        if t.kind != TokKind::Eof {
            self.pos += 1;
        }
        t
    }

    fn is_word_at(&self, k: usize, w: &str) -> bool {
        let t = self.nth(k);
        t.kind == TokKind::Word && self.text_of(t) == w
    }

    fn is_word(&self, w: &str) -> bool {
        self.is_word_at(0, w)
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if self.is_word(w) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn eat(&mut self, k: TokKind) -> bool {
        if self.kind() == k {
            self.bump();
            true
        } else {
            false
        }
    }

    /// How the current token is named in "found ..." messages.
    fn found(&self) -> String {
        let t = self.tok();
        match t.kind {
            TokKind::Word
            | TokKind::Int
            | TokKind::Decimal
            | TokKind::Date
            | TokKind::Timestamp => {
                format!("`{}`", self.text_of(t))
            }
            TokKind::Str | TokKind::QuotedIdent => {
                let s = self.text_of(t);
                let s = if s.chars().count() > 30 {
                    format!("{}…", s.chars().take(24).collect::<String>())
                } else {
                    s.to_string()
                };
                format!("{} {}", t.kind.describe(), shown_in_message(&s))
            }
            k => k.describe().to_string(),
        }
    }

    fn lexer_reported(&self, t: Token) -> bool {
        self.malformed.binary_search(&t.start).is_ok()
    }

    /// Whether the last consumed token is a string the lexer cut short at the end of
    /// its line.
    fn after_cut_short(&self) -> bool {
        self.pos > 0
            && self
                .cut_short
                .binary_search(&self.toks[self.pos - 1].start)
                .is_ok()
    }

    fn push_diag(&mut self, d: Diagnostic) {
        if self.gave_up || self.too_deep {
            return;
        }
        if d.code == codes::TOO_DEEP {
            self.too_deep = true;
        }
        if d.code == codes::UNCLOSED_BLOCK && self.kind() == TokKind::Eof {
            if self.unclosed_at_eof {
                return;
            }
            self.unclosed_at_eof = true;
        }
        if self.after_cut_short()
            && matches!(
                d.code,
                codes::UNEXPECTED_TOKEN
                    | codes::UNCLOSED_BLOCK
                    | codes::UNCLOSED_PAREN
                    | codes::EXPECTED_CONDITION
                    | codes::EXPECTED_VALUE
                    | codes::EXPECTED_LITERAL
                    | codes::TRAILING_INPUT
            )
        {
            // The unterminated string swallowed what was expected here.
            return;
        }
        if self.diags.len() < MAX_ERRORS {
            self.diags.push(d);
        } else {
            self.gave_up = true;
            self.diags.push(
                Diagnostic::error(
                    codes::TOO_MANY_ERRORS,
                    d.span,
                    "too many errors; stopped reading this file",
                )
                .with_label("stopped here")
                .with_hint("fix the errors above and run again"),
            );
        }
    }

    /// Where to point when something is missing: at the current token when it is on the
    /// same line as what came before, otherwise (a line that ends too early) just after
    /// the last token of that line. Returns the span and a label saying so.
    fn missing_at(&self, what: &str) -> (Span, String) {
        let t = self.tok();
        if self.pos > 0 && (t.line_start || t.kind == TokKind::Eof) {
            let prev = self.toks[self.pos - 1];
            (
                Span::new(self.file, prev.end, prev.end),
                format!("expected {what} after this"),
            )
        } else {
            (self.cur_span(), format!("expected {what} here"))
        }
    }

    /// Records "expected WHAT, found ..." at the current token.
    fn expected(&mut self, what: &str) -> Stop {
        let (span, label) = self.missing_at(what);
        let d = Diagnostic::error(
            codes::UNEXPECTED_TOKEN,
            span,
            format!("expected {what}, found {}", self.found()),
        )
        .with_label(label);
        self.push_diag(d);
        Stop
    }

    fn expected_with_hint(&mut self, what: &str, hint: impl Into<String>) -> Stop {
        let (span, label) = self.missing_at(what);
        let d = Diagnostic::error(
            codes::UNEXPECTED_TOKEN,
            span,
            format!("expected {what}, found {}", self.found()),
        )
        .with_label(label)
        .with_hint(hint);
        self.push_diag(d);
        Stop
    }

    fn expect(&mut self, k: TokKind) -> PResult<Token> {
        if self.kind() == k {
            Ok(self.bump())
        } else {
            Err(self.expected(k.describe()))
        }
    }

    fn expect_word(&mut self, w: &str) -> PResult<Token> {
        if self.is_word(w) {
            Ok(self.bump())
        } else {
            Err(self.expected(&format!("`{w}`")))
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let d = Diagnostic::error(
                codes::TOO_DEEP,
                self.cur_span(),
                format!("conditions nest more than {MAX_DEPTH} levels deep"),
            )
            .with_label("too deep")
            .with_hint("split the condition into segments and combine them with `in`");
            self.push_diag(d);
            return Err(Stop);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // -----------------------------------------------------------------------------------
    // Names
    // -----------------------------------------------------------------------------------

    /// A name: a word or a quoted name. Reserved words are allowed here; `value_start`
    /// callers check them.
    fn ident(&mut self, what: &str) -> PResult<Ident> {
        let t = self.tok();
        match t.kind {
            TokKind::Word => {
                self.bump();
                Ok(Ident {
                    name: self.text_of(t).to_string(),
                    span: self.span_of(t),
                })
            }
            TokKind::QuotedIdent => {
                self.bump();
                let name = unescape(self.text_of(t));
                if name.contains('\0') {
                    // No warehouse can name a table or column with a NUL.
                    let d = Diagnostic::error(
                        codes::NUL_IN_NAME,
                        self.span_of(t),
                        "a name cannot hold a NUL character",
                    )
                    .with_label("this name holds \\0")
                    .with_hint("remove the \\0 from the name");
                    self.push_diag(d);
                }
                Ok(Ident {
                    name,
                    span: self.span_of(t),
                })
            }
            _ => Err(self.expected(what)),
        }
    }

    /// A name that may not be a reserved word (item names, segment references).
    fn name(&mut self, what: &str) -> PResult<Ident> {
        let t = self.tok();
        if t.kind == TokKind::Word && RESERVED.contains(&self.text_of(t)) {
            let w = self.text_of(t);
            let d = Diagnostic::error(
                codes::RESERVED_WORD,
                self.span_of(t),
                format!("`{w}` is a reserved word and cannot be used as {what}"),
            )
            .with_label("a reserved word")
            .with_hint(format!(
                "choose another name, or write `{w}` between backticks to use the word as a name"
            ));
            self.push_diag(d);
            return Err(Stop);
        }
        self.ident(what)
    }

    fn path(&mut self, what: &str) -> PResult<Path> {
        let first = self.ident(what)?;
        let start = first.span.start;
        let mut parts = vec![first];
        while self.kind() == TokKind::Dot {
            self.bump();
            parts.push(self.ident("a name after `.`")?);
        }
        Ok(Path {
            parts,
            span: self.span_from(start),
        })
    }

    fn string(&mut self, what: &str) -> PResult<StrLit> {
        let t = self.tok();
        if t.kind != TokKind::Str {
            if matches!(t.kind, TokKind::Word | TokKind::Int | TokKind::Decimal) && !t.line_start {
                return Err(self.expected_with_hint(
                    what,
                    "text is written between double quotes: \"like this\"",
                ));
            }
            return Err(self.expected(what));
        }
        self.bump();
        Ok(StrLit {
            value: unescape(self.text_of(t)),
            span: self.span_of(t),
        })
    }

    fn string_list(&mut self, what: &str) -> PResult<Vec<StrLit>> {
        self.expect(TokKind::LBracket)?;
        let mut out = Vec::new();
        while self.kind() != TokKind::RBracket {
            out.push(self.string(what)?);
            if !self.eat(TokKind::Comma) {
                break;
            }
        }
        self.expect_close_bracket()?;
        Ok(out)
    }

    fn name_list(&mut self, what: &str) -> PResult<Vec<Ident>> {
        self.expect(TokKind::LBracket)?;
        let mut out = Vec::new();
        while self.kind() != TokKind::RBracket {
            out.push(self.name(what)?);
            if !self.eat(TokKind::Comma) {
                break;
            }
        }
        self.expect_close_bracket()?;
        Ok(out)
    }

    fn expect_close_bracket(&mut self) -> PResult<()> {
        if self.eat(TokKind::RBracket) {
            Ok(())
        } else {
            Err(self.expected("`,` or `]`"))
        }
    }

    // -----------------------------------------------------------------------------------
    // Files and recovery
    // -----------------------------------------------------------------------------------

    fn at_top_level_keyword(&self) -> bool {
        let t = self.tok();
        t.kind == TokKind::Word && TOP_LEVEL.contains(&self.text_of(t))
    }
}
