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

mod clauses;

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

    fn file(&mut self) -> Vec<Item> {
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
    fn recover_top_level(&mut self) {
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
    fn recover_in_block(&mut self, fields: &[&str]) {
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
    fn skip_line_in_block(&mut self, from: usize) {
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

    fn item(&mut self) -> PResult<Item> {
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
    fn block(
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
    fn field_ends_here(&mut self, field: &str, fields: &[&str]) -> bool {
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
    fn require(
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

    fn missing(&mut self, owner_span: Span, owner: &str, field: &str, example: &str) {
        let d = Diagnostic::error(
            codes::MISSING_FIELD,
            owner_span,
            format!("{owner} has no `{field}`"),
        )
        .with_label(format!("`{field}` is required"))
        .with_hint(format!("add it, for example: {example}"));
        self.push_diag(d);
    }

    // -----------------------------------------------------------------------------------
    // Catalog declarations
    // -----------------------------------------------------------------------------------

    fn entity(&mut self) -> PResult<Entity> {
        self.bump(); // the item keyword, checked by `item`
        let name = self.name("an entity name")?;
        let owner = format!("entity `{}`", name.name);
        let mut description = None;
        let mut table = None;
        let mut key = None;
        let mut columns = Vec::new();
        let mut columns_span = Span::default();
        let mut extras = Vec::new();
        let seen = self.block(&owner, ENTITY_FIELDS, |p, w, t| {
            p.bump();
            match w {
                "table" => table = Some(p.path("a table name, such as analytics.users")?),
                "key" => key = Some(p.ident("the key column")?),
                "description" => description = Some(p.string("a description string")?),
                "columns" => (columns, columns_span) = p.columns("columns", true)?,
                "extra" => {
                    let x = p.extra(t);
                    // The extra's `}` does not close the entity.
                    p.item_closed = false;
                    extras.push(x?);
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let ok_table = self.require(
            table.is_some(),
            &seen,
            name.span,
            &owner,
            "table",
            "table analytics.users",
        );
        let ok_key = self.require(
            key.is_some(),
            &seen,
            name.span,
            &owner,
            "key",
            "key user_id",
        );
        let (true, true, Some(table), Some(key)) = (ok_table, ok_key, table, key) else {
            return Err(Stop);
        };
        Ok(Entity {
            name,
            description,
            table,
            key,
            columns,
            columns_span,
            extras,
        })
    }

    /// `extra NAME { table T  [key K]  columns { .. } }`, after `extra`.
    fn extra(&mut self, kw: Token) -> PResult<Extra> {
        let name = self.name("a name for the extra table, such as crm")?;
        let owner = format!("extra `{}`", name.name);
        let mut table = None;
        let mut key = None;
        let mut columns = Vec::new();
        let mut columns_span = Span::default();
        let seen = self.block(&owner, EXTRA_FIELDS, |p, w, _| {
            p.bump();
            match w {
                "table" => table = Some(p.path("a table name, such as crm.contacts")?),
                "key" => key = Some(p.ident("the column holding the entity's key")?),
                "columns" => {
                    p.in_extra = true;
                    let r = p.columns("columns", false);
                    p.in_extra = false;
                    (columns, columns_span) = r?;
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let ok_table = self.require(
            table.is_some(),
            &seen,
            name.span,
            &owner,
            "table",
            "table crm.contacts",
        );
        let ok_columns = self.require(
            !columns.is_empty(),
            &seen,
            name.span,
            &owner,
            "columns",
            "columns { owner string }",
        );
        let (true, true, Some(table)) = (ok_table, ok_columns, table) else {
            return Err(Stop);
        };
        Ok(Extra {
            name,
            table,
            key,
            columns,
            columns_span,
            span: self.span_from(kw.start),
        })
    }

    fn columns(&mut self, what: &str, allow_refs: bool) -> PResult<(Vec<Column>, Span)> {
        let open = self.expect(TokKind::LBrace)?;
        let mut cols = Vec::new();
        loop {
            match self.kind() {
                TokKind::RBrace => {
                    self.bump();
                    return Ok((cols, self.span_from(open.start)));
                }
                TokKind::Eof => {
                    let d = Diagnostic::error(
                        codes::UNCLOSED_BLOCK,
                        self.span_of(open),
                        format!("the `{what}` block is never closed"),
                    )
                    .with_label("this `{` has no matching `}`");
                    self.push_diag(d);
                    return Err(Stop);
                }
                _ => {}
            }
            let t = self.tok();
            let next = self.nth(1);
            if t.line_start
                && t.kind == TokKind::Word
                && TOP_LEVEL.contains(&self.text_of(t))
                && !(next.kind == TokKind::Word && Type::from_keyword(self.text_of(next)).is_some())
            {
                let d = Diagnostic::error(
                    codes::UNCLOSED_BLOCK,
                    self.span_of(open),
                    format!("the `{what}` block is never closed"),
                )
                .with_label("this `{` has no matching `}`")
                .with_secondary(self.span_of(t), "the next item starts here")
                .with_hint(format!("add `}}` after the last of the {what}"));
                self.push_diag(d);
                return Err(Stop);
            }
            let from = self.pos;
            match self.column(allow_refs) {
                Ok(Some(col)) => cols.push(col),
                Ok(None) => {}
                Err(Stop) if self.gave_up => return Err(Stop),
                Err(Stop) => self.skip_line_in_block(from),
            }
            self.eat(TokKind::Comma);
        }
    }

    /// `NAME TYPE [references ENTITY [as NAME]]`; `None` (reported) for a name
    /// without a type.
    fn column(&mut self, allow_refs: bool) -> PResult<Option<Column>> {
        let start = self.tok().start;
        let name = self.ident("a column name")?;
        let after = self.tok();
        if after.line_start || matches!(after.kind, TokKind::RBrace | TokKind::Eof) {
            let d = Diagnostic::error(
                codes::UNEXPECTED_TOKEN,
                name.span,
                format!("column `{}` has no type", name.name),
            )
            .with_label("a type must follow the name")
            .with_hint(format!(
                "write the column's name and then its type: `{} string`; the types are string, int, decimal, float, bool, date, timestamp",
                name.name
            ));
            self.push_diag(d);
            return Ok(None);
        }
        let ty = self.type_ref()?;
        let references = if self.is_word("references") {
            let kw = self.bump();
            if !allow_refs {
                let (message, label) = if self.in_extra {
                    (
                        "columns of an extra table cannot reference entities",
                        "not allowed in an extra table",
                    )
                } else {
                    (
                        "event properties cannot reference entities",
                        "not allowed on an event property",
                    )
                };
                let d = Diagnostic::error(codes::UNEXPECTED_TOKEN, self.span_of(kw), message)
                    .with_label(label)
                    .with_hint("declare the reference on the columns of the entity's own table");
                self.push_diag(d);
            }
            let entity = self.name("the referenced entity")?;
            let alias = if self.eat_word("as") {
                Some(self.name("a name for the reference")?)
            } else {
                None
            };
            Some(Reference { entity, alias })
        } else {
            None
        };
        Ok(Some(Column {
            name,
            ty,
            references,
            span: self.span_from(start),
        }))
    }

    fn type_ref(&mut self) -> PResult<TypeRef> {
        let t = self.tok();
        if t.kind == TokKind::Word {
            let w = self.text_of(t);
            if let Some(ty) = Type::from_keyword(w) {
                self.bump();
                return Ok(TypeRef {
                    ty,
                    span: self.span_of(t),
                });
            }
            let aliases = [
                ("text", "string"),
                ("varchar", "string"),
                ("integer", "int"),
                ("bigint", "int"),
                ("number", "decimal"),
                ("numeric", "decimal"),
                ("double", "float"),
                ("boolean", "bool"),
                ("datetime", "timestamp"),
            ];
            let hint = aliases
                .iter()
                .find(|(a, _)| *a == w)
                .map(|(_, t)| format!("write `{t}`"))
                .or_else(|| {
                    did_you_mean(w, Type::ALL.iter().map(|t| t.keyword()))
                        .map(|s| format!("did you mean `{s}`?"))
                })
                .unwrap_or_else(|| {
                    "the types are string, int, decimal, float, bool, date, timestamp".to_string()
                });
            let d = Diagnostic::error(
                codes::UNKNOWN_TYPE,
                self.span_of(t),
                format!("unknown type `{w}`"),
            )
            .with_label("not a segql type")
            .with_hint(hint);
            self.push_diag(d);
            self.bump();
            return Err(Stop);
        }
        Err(self.expected_with_hint(
            "a column type",
            "write the column's name and then its type: `country string`",
        ))
    }

    fn events(&mut self) -> PResult<Events> {
        self.bump(); // the item keyword, checked by `item`
        let name = if self.is_word("of") {
            None
        } else {
            Some(self.name("a name for the events relation")?)
        };
        if !self.eat_word("of") {
            let hint = match &name {
                Some(n) if self.kind() == TokKind::LBrace => format!(
                    "write `events of {0} {{ ... }}` for the events of `{0}`, or `events NAME of {0} {{ ... }}` to name them",
                    n.name
                ),
                _ => "write `events of user { ... }`, or `events NAME of user { ... }`".to_string(),
            };
            return Err(self.expected_with_hint("`of` and the entity the events belong to", hint));
        }
        let entity = self.name("an entity name")?;
        let owner = match &name {
            Some(n) => format!("events `{}`", n.name),
            None => format!("events of `{}`", entity.name),
        };
        let mut description = None;
        let mut table = None;
        let mut key = None;
        let mut event = None;
        let mut time = None;
        let mut names = None;
        let mut properties = Vec::new();
        let mut properties_span = Span::default();
        let mut event_field_span: Option<Span> = None;
        let seen = self.block(&owner, EVENTS_FIELDS, |p, w, t| {
            p.bump();
            match w {
                "table" => table = Some(p.path("a table name, such as analytics.events")?),
                "key" => key = Some(p.ident("the column holding the entity key")?),
                "name" | "event" => {
                    let src = if w == "name" {
                        EventSource::Column(p.ident("the column holding the event name")?)
                    } else {
                        EventSource::Fixed(p.string("the event name, as a string")?)
                    };
                    if let Some(first) = event_field_span {
                        let d = Diagnostic::error(
                            codes::DUPLICATE_FIELD,
                            p.span_of(t),
                            "an events relation has either `name COLUMN` or `event \"NAME\"`, not both",
                        )
                        .with_label("the second of the two")
                        .with_secondary(first, "first given here")
                        .with_hint("`name` when a column holds event names; `event` when every row is one event");
                        p.push_diag(d);
                    }
                    event_field_span = Some(p.span_of(t));
                    event = Some(src);
                }
                "time" => time = Some(p.ident("the column holding the event time")?),
                "names" => {
                    let start = p.tok().start;
                    let list = p.string_list("an event name")?;
                    if list.is_empty() {
                        let d = Diagnostic::error(
                            codes::EMPTY_LIST,
                            p.span_from(start),
                            "an empty list of event names declares no event",
                        )
                        .with_label("no names")
                        .with_hint("list the names the name column holds: names [\"signup\", \"login\"], or leave `names` out");
                        p.push_diag(d);
                    }
                    names = Some(NameList {
                        names: list,
                        span: p.span_from(start),
                    });
                }
                "description" => description = Some(p.string("a description string")?),
                "properties" => (properties, properties_span) = p.columns("properties", false)?,
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        let at = name.as_ref().map(|n| n.span).unwrap_or(entity.span);
        let mut ok = self.require(
            table.is_some(),
            &seen,
            at,
            &owner,
            "table",
            "table analytics.events",
        );
        ok &= self.require(key.is_some(), &seen, at, &owner, "key", "key user_id");
        let event_seen = if seen.contains(&"event") {
            &["name"][..]
        } else {
            &seen[..]
        };
        ok &= self.require(
            event.is_some(),
            event_seen,
            at,
            &owner,
            "name",
            "name event_name  (or: event \"purchase\")",
        );
        ok &= self.require(
            time.is_some(),
            &seen,
            at,
            &owner,
            "time",
            "time occurred_at",
        );
        if !ok {
            return Err(Stop);
        }
        Ok(Events {
            name,
            entity,
            description,
            table: table.expect("checked"),
            key: key.expect("checked"),
            event: event.expect("checked"),
            time: time.expect("checked"),
            names,
            properties,
            properties_span,
        })
    }

    // -----------------------------------------------------------------------------------
    // Segments, traits, reports, splits, priority lists
    // -----------------------------------------------------------------------------------

    fn of_entity(&mut self) -> PResult<Option<Ident>> {
        if self.eat_word("of") {
            Ok(Some(self.name("an entity name")?))
        } else {
            Ok(None)
        }
    }

    /// `description`, `owner`, `tags`: shared by several blocks. Returns false when `w`
    /// is not one of them.
    fn meta_field(&mut self, meta: &mut Meta, w: &str) -> PResult<bool> {
        match w {
            "description" => meta.description = Some(self.string("a description string")?),
            "owner" => meta.owner = Some(self.string("an owner, as a string")?),
            "tags" => meta.tags = self.string_list("a tag string")?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn segment(&mut self) -> PResult<Segment> {
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
    fn score_block_body(&mut self) -> PResult<ScoreBlock> {
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
    fn score_rule(&mut self) -> PResult<ScoreRule> {
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

    fn trait_(&mut self) -> PResult<Trait> {
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
    fn action(&mut self) -> PResult<Action> {
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

    fn report(&mut self) -> PResult<Report> {
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

    fn metric_expr(&mut self) -> PResult<MetricExpr> {
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

    fn split(&mut self) -> PResult<Split> {
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

    fn priority(&mut self) -> PResult<Priority> {
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

    // -----------------------------------------------------------------------------------
    // Tests and assertions
    // -----------------------------------------------------------------------------------

    /// A test's `as_of` or `since`: a date or a timestamp.
    fn instant(&mut self, field: &str) -> PResult<Literal> {
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

    fn test(&mut self) -> PResult<Test> {
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
    fn table(&mut self) -> PResult<Table> {
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
    fn table_header(&mut self) -> PResult<Vec<Ident>> {
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
    fn table_row(&mut self, width: usize, header: Span) -> PResult<Vec<Literal>> {
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

    fn assert(&mut self) -> PResult<Assert> {
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

    // -----------------------------------------------------------------------------------
    // Conditions
    // -----------------------------------------------------------------------------------

    /// `unary (and unary)* | unary (or unary)*`; mixing needs parentheses.
    fn cond(&mut self) -> PResult<Cond> {
        self.enter()?;
        let r = self.cond_inner();
        self.leave();
        r
    }

    fn cond_inner(&mut self) -> PResult<Cond> {
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
    fn unary(&mut self) -> PResult<Cond> {
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

    fn atom(&mut self) -> PResult<Cond> {
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
    fn quantified_rest(&mut self, quant: Quant) -> PResult<CondKind> {
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

    fn count_quant(&mut self) -> PResult<CountQuant> {
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
    fn did_rest(&mut self) -> PResult<Did> {
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
    fn step(&mut self) -> PResult<EventStep> {
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

    // -----------------------------------------------------------------------------------
    // Values
    // -----------------------------------------------------------------------------------

    fn value(&mut self) -> PResult<Value> {
        self.enter()?;
        let r = self.value_inner();
        self.leave();
        r
    }

    fn value_inner(&mut self) -> PResult<Value> {
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
    fn among(&mut self) -> PResult<Cond> {
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

    fn aggregate_rest(&mut self, func: AggFunc) -> PResult<ValueKind> {
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

    fn int_lit(&mut self, what: &str) -> PResult<IntLit> {
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

    fn int_value(&mut self, t: Token, negative: bool) -> PResult<i64> {
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

    fn decimal_text(&mut self, t: Token, negative: bool) -> PResult<String> {
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
    fn number(&mut self, what: &str) -> PResult<Number> {
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
    fn literal(&mut self, allow_null: bool) -> PResult<Literal> {
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

    fn invalid_date(&mut self, t: Token, what: String, label: &str) -> Stop {
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
    fn date_value(&mut self, t: Token) -> PResult<i32> {
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
    fn timestamp_value(&mut self, t: Token) -> PResult<i64> {
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
