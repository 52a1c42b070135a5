//! Where the cursor is, grammatically: read from the tokens before it.
//!
//! Completion happens in text that does not parse yet (`where ` with nothing after
//! it), so the position is found from the tokens before the cursor, not from the AST:
//! which item the cursor is in and of which entity, which block and field, whether it
//! is inside a `with` filter or a quantifier, and the last few tokens. The grammar is
//! docs/language.md's.

use segql_syntax::lexer::{lex, TokKind, Token};
use segql_syntax::{codes, FileId};

/// What may come at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// The word that starts an item.
    Item,
    /// A field of a block (`where`, `description`, `table`, ...), and, within a
    /// condition that may go on, `and` / `or`.
    Field {
        block: &'static str,
        in_condition: bool,
    },
    /// An entity's name (`of`, `references`).
    Entity,
    /// A column type.
    Type,
    /// A segment's name (`in`, `segments [..]`, `split .. of`, `assert`, ...).
    Segment,
    /// What `expect` names: a segment, a split or a priority list.
    ExpectTarget,
    /// After `SPLIT.` or `PRIORITY.` in `expect`.
    ExpectPart(String),
    /// An entity or events relation (`given`).
    Relation,
    /// An events relation of the scope entity (`from`).
    EventsRelation,
    /// Event names and actions (`did`, `then`, `stopped`, `count of`, an action's `=`
    /// and `or`, ...).
    Event {
        in_list: bool,
    },
    /// A condition starts: columns, references, traits, keywords.
    Condition,
    /// A value starts (`ntile(5) of`, a report's `avg(`, a trait's `=`).
    Value,
    /// Properties of the filter's relation (inside `with`), or of every relation of
    /// the entity (`sum(`).
    Property,
    /// After `REFERENCE.`: the referenced entity's columns.
    RefColumn(String),
    /// After a value: a predicate.
    Predicate,
    /// After an event selection: `then`, `with`, `from`, counts, windows.
    AfterStep,
    /// A report's metric after `=`.
    Metric,
    /// These words only.
    Words(&'static [&'static str]),
    Nothing,
}

#[derive(Debug, Clone)]
pub struct Context {
    pub want: Want,
    /// The item the cursor is in: its keyword and name.
    pub item: Option<(&'static str, Option<String>)>,
    /// `segment NAME of ENTITY` / `trait NAME of ENTITY` / `action NAME of ENTITY`, as
    /// written.
    pub of: Option<String>,
    /// Inside a quantifier (`any user where ...`): the related entity.
    pub quantified: Option<String>,
    /// Inside `with`: the event names and `from` of the step it filters.
    pub filter: Option<Step>,
    /// The byte range the completion replaces: the word or string being typed.
    pub replace: (u32, u32),
    /// True when the cursor is inside a string (`did "lo|`).
    pub in_string: bool,
}

/// An event selection, as far as it is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    pub names: Vec<String>,
    pub from: Option<String>,
    pub any: bool,
    /// A declared action's name (`did checkout with`).
    pub action: Option<String>,
}

const ITEMS: &[&str] = segql_syntax::parser::TOP_LEVEL;

/// Words after which a condition starts.
const COND_START: &[&str] = &["where", "and", "or", "not", "if"];

/// Words before an event selection.
const STEP_START: &[&str] = &["did", "then", "stopped", "restarted", "of"];

/// The fields of each block, as the parser accepts them; an assert's two-word checks
/// are offered whole.
pub fn fields(block: &str) -> &'static [&'static str] {
    match block {
        "assert" => &["size", "size change within", "disjoint with", "subset of"],
        other => segql_syntax::parser::block_fields(other),
    }
}

/// A brace block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// The item's own `{ ... }`.
    Item,
    /// `columns { }` / `properties { }`.
    Columns,
    /// `score { }`, in a segment or a trait.
    Score,
    /// A test's `given X { | .. | }`.
    Table,
}

/// A parenthesis or bracket group.
#[derive(Debug, Clone)]
struct Group {
    close: TokKind,
    /// `with (`: the filter's step.
    filter: Option<Step>,
    /// `sum(`, `avg(`, ...: an aggregate's argument.
    agg: bool,
    /// `did [` / `then [`: a list of event names; `segments [`: of segment names.
    events_list: bool,
    segments_list: bool,
    /// The quantifier scope when the group opened.
    quantified: Option<String>,
}

struct Scan<'a> {
    text: &'a str,
    toks: Vec<Token>,
}

impl Scan<'_> {
    fn word(&self, i: usize) -> Option<&str> {
        let t = self.toks.get(i)?;
        (t.kind == TokKind::Word).then(|| &self.text[t.start as usize..t.end as usize])
    }

    fn is(&self, i: usize, w: &str) -> bool {
        self.word(i) == Some(w)
    }

    fn kind(&self, i: usize) -> Option<TokKind> {
        self.toks.get(i).map(|t| t.kind)
    }

    fn name(&self, i: usize) -> Option<String> {
        let t = self.toks.get(i)?;
        let raw = &self.text[t.start as usize..t.end as usize];
        match t.kind {
            TokKind::Word => Some(raw.to_string()),
            TokKind::QuotedIdent => Some(segql_syntax::lexer::unescape(raw)),
            _ => None,
        }
    }

    /// The event selection that ends just before token `end` (exclusive): strings,
    /// `[...]`, `any event`, `from NAME`.
    fn step_before(&self, end: usize) -> Step {
        let mut step = Step::default();
        let mut i = end;
        while i > 0 {
            i -= 1;
            let t = self.toks[i];
            match t.kind {
                TokKind::Str => step.names.push(segql_syntax::lexer::unescape(
                    &self.text[t.start as usize..t.end as usize],
                )),
                TokKind::LBracket | TokKind::RBracket | TokKind::Comma => {}
                TokKind::Word | TokKind::QuotedIdent => {
                    let w = self.word(i).unwrap_or("");
                    if w == "event" && self.is(i.wrapping_sub(1), "any") {
                        step.any = true;
                        break;
                    }
                    if i > 0 && self.is(i - 1, "from") {
                        step.from = self.name(i);
                        i -= 1;
                        continue;
                    }
                    // A name where an event goes: an action.
                    let after = i.checked_sub(1).map(|j| (self.word(j), self.kind(j)));
                    let at_step = match after {
                        Some((Some(w), _)) => STEP_START.contains(&w) || w == "or",
                        Some((None, Some(TokKind::Eq))) => true,
                        _ => false,
                    };
                    if step.names.is_empty() && at_step && !STEP_START.contains(&w) {
                        step.action = self.name(i);
                    }
                    break;
                }
                _ => break,
            }
        }
        step.names.reverse();
        step
    }
}

/// The context at byte `offset` of `text`.
pub fn at(text: &str, offset: usize) -> Context {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let prefix = &text[..offset];
    let lexed = lex(prefix, FileId(0));
    let mut toks = lexed.tokens;
    toks.pop(); // Eof
    let mut ctx = Context {
        want: Want::Nothing,
        item: None,
        of: None,
        quantified: None,
        filter: None,
        replace: (offset as u32, offset as u32),
        in_string: false,
    };
    // In a comment: nothing.
    if lexed
        .comments
        .last()
        .is_some_and(|c| c.span.end as usize == offset && !prefix.ends_with('\n'))
    {
        return ctx;
    }
    // The word or string being typed is replaced, and is not context.
    if let Some(last) = toks.last().copied() {
        if last.end as usize == offset {
            match last.kind {
                TokKind::Word | TokKind::QuotedIdent => {
                    ctx.replace = (last.start, last.end);
                    toks.pop();
                }
                TokKind::Str => {
                    let open = lexed.diags.iter().any(|d| {
                        d.code == codes::UNTERMINATED_STRING && d.span.start == last.start
                    });
                    if open {
                        ctx.in_string = true;
                        // An editor that closes quotes left one after the cursor.
                        let end = if text[offset..].starts_with('"') {
                            offset + 1
                        } else {
                            offset
                        };
                        ctx.replace = (last.start, end as u32);
                        toks.pop();
                    }
                }
                _ => {}
            }
        }
    }
    let s = Scan { text: prefix, toks };
    let want = scan(&s, &mut ctx, offset);
    ctx.want = want;
    ctx
}

fn scan(s: &Scan, ctx: &mut Context, offset: usize) -> Want {
    let n = s.toks.len();
    let mut blocks: Vec<Block> = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    // The field of the item's block the cursor is in, and where it started.
    let mut field: Option<&'static str> = None;
    let mut quantified: Option<String> = None;
    // The token of the item's keyword.
    let mut item_at = 0;
    let mut i = 0;
    while i < n {
        let t = s.toks[i];
        match t.kind {
            TokKind::Word if blocks.is_empty() && groups.is_empty() => {
                let w = s.word(i).unwrap_or("");
                if let Some(k) = ITEMS.iter().find(|k| **k == w) {
                    item_at = i;
                    ctx.item = Some((k, None));
                    ctx.of = None;
                    field = None;
                    quantified = None;
                    if let Some(name) = s
                        .name(i + 1)
                        .filter(|_| *k != "events" || !s.is(i + 1, "of"))
                    {
                        ctx.item = Some((k, Some(name)));
                    }
                    // `segment NAME of ENTITY`, `events [NAME] of ENTITY`.
                    for j in i + 1..(i + 4).min(n) {
                        if s.is(j, "of") {
                            ctx.of = s.name(j + 1);
                            break;
                        }
                        if s.kind(j) == Some(TokKind::LBrace) || s.kind(j) == Some(TokKind::Eq) {
                            break;
                        }
                    }
                }
            }
            TokKind::Word if blocks == [Block::Item] && groups.is_empty() => {
                let w = s.word(i).unwrap_or("");
                let block = ctx.item.as_ref().map_or("", |(k, _)| *k);
                let starts = t.line_start || s.kind(i.wrapping_sub(1)) == Some(TokKind::LBrace);
                if starts {
                    if let Some(f) = fields(block)
                        .iter()
                        .find(|f| f.split(' ').next() == Some(w))
                    {
                        field = Some(f);
                        quantified = None;
                    }
                }
            }
            TokKind::LBrace => {
                let prev = i.checked_sub(1).and_then(|j| s.word(j));
                blocks.push(if blocks.is_empty() {
                    Block::Item
                } else {
                    match prev {
                        Some("columns" | "properties") => Block::Columns,
                        Some("score") => Block::Score,
                        _ => Block::Table,
                    }
                });
            }
            TokKind::RBrace => {
                blocks.pop();
                if blocks.is_empty() {
                    groups.clear();
                    field = None;
                }
            }
            TokKind::LParen | TokKind::LBracket => {
                let prev = i.checked_sub(1).and_then(|j| s.word(j));
                let close = if t.kind == TokKind::LParen {
                    TokKind::RParen
                } else {
                    TokKind::RBracket
                };
                let filter = if prev == Some("with") {
                    Some(s.step_before(i - 1))
                } else {
                    groups.last().and_then(|g| g.filter.clone())
                };
                groups.push(Group {
                    close,
                    filter,
                    agg: matches!(
                        prev,
                        Some("sum" | "avg" | "min" | "max" | "distinct" | "first" | "last")
                    ),
                    events_list: t.kind == TokKind::LBracket
                        && matches!(prev, Some("did" | "then" | "stopped" | "restarted" | "of")),
                    segments_list: t.kind == TokKind::LBracket && prev == Some("segments"),
                    quantified: quantified.clone(),
                });
            }
            TokKind::RParen | TokKind::RBracket => {
                if let Some(pos) = groups.iter().rposition(|g| g.close == t.kind) {
                    quantified = groups[pos].quantified.clone();
                    groups.truncate(pos);
                }
            }
            _ => {}
        }
        // `any user where`, `at least 3 user did`: the scope of what follows.
        if t.kind == TokKind::Word && matches!(s.word(i), Some("where" | "did")) && i >= 2 {
            let quant = s.is(i - 2, "any")
                || s.is(i - 2, "all")
                || s.is(i - 2, "no")
                || (s.kind(i - 2) == Some(TokKind::Int)
                    && i >= 4
                    && (s.is(i - 3, "least") || s.is(i - 3, "most") || s.is(i - 3, "exactly")));
            if quant && s.kind(i - 1) == Some(TokKind::Word) {
                quantified = s.name(i - 1);
            }
        }
        i += 1;
    }
    ctx.quantified = quantified;
    ctx.filter = groups.last().and_then(|g| g.filter.clone());
    let prev = n.checked_sub(1);
    let word = |k: usize| prev.and_then(|p| p.checked_sub(k)).and_then(|j| s.word(j));
    let kind = |k: usize| prev.and_then(|p| p.checked_sub(k)).and_then(|j| s.kind(j));
    let item = ctx.item.as_ref().map(|(k, _)| *k);
    let on_new_line = match prev {
        None => true,
        Some(p) => s.text[s.toks[p].end as usize..offset].contains(['\n', '\r']),
    };

    // Outside every item.
    if blocks.is_empty() && groups.is_empty() {
        match (item, word(0), kind(0)) {
            (None, ..) | (_, _, Some(TokKind::RBrace)) => return Want::Item,
            (Some("segment" | "trait" | "action" | "events"), Some("of"), _) => {
                return Want::Entity
            }
            (Some("split"), Some("of"), _) => return Want::Segment,
            (Some("assert"), Some("assert"), _) => return Want::Segment,
            (Some("trait"), _, Some(TokKind::Eq)) => return Want::Value,
            _ if item == Some("trait") && on_new_line && prev.is_some() => return Want::Item,
            // `action NAME [of ENTITY] = |`, and each `or |` at its top level.
            (Some("action"), Some("or"), _) => return Want::Event { in_list: false },
            (Some("action"), _, Some(TokKind::Eq))
                if prev.is_some_and(|p| first_eq_after(s, item_at) == Some(p)) =>
            {
                return Want::Event { in_list: false }
            }
            (Some("action"), ..) if on_new_line && prev.is_some() => return Want::Item,
            (Some("action"), ..) if action_name_before(s, prev, true) => {
                return Want::Words(&["with", "or"])
            }
            (Some("action"), _, Some(TokKind::Str | TokKind::RBracket))
                if action_events_before(s, prev, item_at) =>
            {
                return Want::Words(&["with", "from", "or"])
            }
            _ => {}
        }
    }
    if let Some(g) = groups.last() {
        if g.segments_list && matches!(kind(0), Some(TokKind::LBracket | TokKind::Comma)) {
            return Want::Segment;
        }
        if g.events_list && matches!(kind(0), Some(TokKind::LBracket | TokKind::Comma)) {
            return Want::Event { in_list: true };
        }
        if g.agg && kind(0) == Some(TokKind::LParen) {
            return if item == Some("report") {
                Want::Value
            } else {
                Want::Property
            };
        }
    }
    if blocks.last() == Some(&Block::Columns) {
        // `name TYPE [references ENTITY [as NAV]]`, one per line.
        return match (word(0), kind(0)) {
            (Some("references"), _) => Want::Entity,
            (Some(_), _) if !on_new_line && s.toks[prev.unwrap_or(0)].line_start => Want::Type,
            (Some(w), _)
                if !on_new_line
                    && segql_syntax::ast::Type::from_keyword(w).is_some()
                    && prev.is_some_and(|p| p > 0 && s.toks[p - 1].line_start) =>
            {
                Want::Words(&["references"])
            }
            _ => Want::Nothing,
        };
    }
    if blocks.last() == Some(&Block::Table) {
        return Want::Nothing;
    }
    // Keywords that say what comes next.
    match word(0) {
        Some("of") => {
            // `ntile(5) of VALUE`; the other `of`s take events.
            let before = kind(1);
            if before == Some(TokKind::RParen) && prev.is_some_and(|p| ntile_before(s, p - 1)) {
                return Want::Value;
            }
            if item == Some("assert") && word(1) == Some("subset") {
                return Want::Segment;
            }
            return Want::Event { in_list: false };
        }
        Some("did" | "then" | "stopped" | "restarted") => return Want::Event { in_list: false },
        Some("from") if item != Some("test") => return Want::EventsRelation,
        Some("references") => return Want::Entity,
        Some("given") => return Want::Relation,
        Some("expect") => return Want::ExpectTarget,
        Some("with") if item == Some("assert") && word(1) == Some("disjoint") => {
            return Want::Segment
        }
        Some("with") if !matches!(word(1), Some("starts" | "ends")) => {
            ctx.filter = Some(s.step_before(prev.unwrap_or(0)));
            return Want::Property;
        }
        Some("in") => {
            // `in SEGMENT` where a condition starts; otherwise a predicate's `in`.
            let starts = match (word(1), kind(1)) {
                (Some(w), _) if COND_START.contains(&w) => {
                    w != "not" || cond_starts_before(s, prev, 2)
                }
                (_, Some(TokKind::LParen)) => true,
                _ => false,
            };
            return if starts { Want::Segment } else { Want::Nothing };
        }
        Some(w) if COND_START.contains(&w) => {
            if w == "where" && item == Some("report") && matches!(word(1), Some("count" | "share"))
            {
                return Want::Condition;
            }
            return if ctx.filter.is_some() {
                Want::Property
            } else {
                Want::Condition
            };
        }
        _ => {}
    }
    if kind(0) == Some(TokKind::LParen) {
        return if ctx.filter.is_some() {
            Want::Property
        } else {
            Want::Condition
        };
    }
    if kind(0) == Some(TokKind::Dot) {
        if let Some(first) = prev.and_then(|p| p.checked_sub(1)).and_then(|j| s.name(j)) {
            if item == Some("test") && word(2) == Some("expect") {
                return Want::ExpectPart(first);
            }
            return Want::RefColumn(first);
        }
    }
    if item == Some("report") && field == Some("metric") && kind(0) == Some(TokKind::Eq) {
        return Want::Metric;
    }
    // At the start of a line of the item's block: a field, or the condition going on.
    if blocks == [Block::Item]
        && groups.is_empty()
        && (on_new_line || kind(0) == Some(TokKind::LBrace))
    {
        let in_condition = field == Some("where") && kind(0) != Some(TokKind::LBrace);
        return Want::Field {
            block: fields_block(item),
            in_condition,
        };
    }
    if blocks.last() == Some(&Block::Score) && on_new_line {
        return Want::Nothing;
    }
    // After an event selection in a behavioural condition.
    if matches!(kind(0), Some(TokKind::Str | TokKind::RBracket)) && step_context(s, prev) {
        return Want::AfterStep;
    }
    if word(0) == Some("event") && word(1) == Some("any") {
        return Want::AfterStep;
    }
    // After an action's name (`did checkout |`); `ntile(5) of VALUE` takes a value.
    let value_of = word(1) == Some("of")
        && kind(2) == Some(TokKind::RParen)
        && prev.is_some_and(|p| p >= 2 && ntile_before(s, p - 2));
    if !blocks.is_empty()
        && !value_of
        && item != Some("assert")
        && action_name_before(s, prev, false)
    {
        return Want::AfterStep;
    }
    // After a value where a condition started: a predicate.
    if matches!(kind(0), Some(TokKind::Word | TokKind::QuotedIdent)) {
        let value_start = match (kind(1), word(1)) {
            (Some(TokKind::Dot), _) => true,
            (_, Some(w)) => COND_START.contains(&w),
            (Some(TokKind::LParen), _) => true,
            _ => false,
        };
        if value_start && matches!(field, Some("where") | Some("score") | None) {
            return Want::Predicate;
        }
    }
    Want::Nothing
}

/// The first `=` after token `from`: an action's, after its name.
fn first_eq_after(s: &Scan, from: usize) -> Option<usize> {
    (from..s.toks.len()).find(|&j| s.kind(j) == Some(TokKind::Eq))
}

/// Whether the token at `prev` is an action's name where an event goes: after a word
/// that starts a step (`did checkout`), or, in an action (`in_action`), after its `=` or
/// an `or`.
fn action_name_before(s: &Scan, prev: Option<usize>, in_action: bool) -> bool {
    let Some(p) = prev else { return false };
    if !matches!(s.kind(p), Some(TokKind::Word | TokKind::QuotedIdent)) || p == 0 {
        return false;
    }
    if s.word(p)
        .is_some_and(|w| STEP_START.contains(&w) || w == "or")
    {
        return false;
    }
    match s.word(p - 1) {
        Some("or") => in_action,
        Some(w) => STEP_START.contains(&w),
        None => in_action && s.kind(p - 1) == Some(TokKind::Eq),
    }
}

/// Whether the string or `]` at `prev` ends an action's event names: after its first
/// `=` (the action's) or an `or`, past the strings of a list.
fn action_events_before(s: &Scan, prev: Option<usize>, item_at: usize) -> bool {
    let Some(mut i) = prev else { return false };
    loop {
        match s.kind(i) {
            Some(TokKind::Str | TokKind::Comma | TokKind::RBracket | TokKind::LBracket) => {}
            Some(TokKind::Eq) => return first_eq_after(s, item_at) == Some(i),
            Some(TokKind::Word) => return s.is(i, "or"),
            _ => return false,
        }
        if i == 0 {
            return false;
        }
        i -= 1;
    }
}

fn fields_block(item: Option<&'static str>) -> &'static str {
    item.unwrap_or("")
}

/// Whether the `(` closed by the `)` at token `close` follows `ntile`.
fn ntile_before(s: &Scan, close: usize) -> bool {
    let mut depth = 0;
    let mut i = close + 1;
    while i > 0 {
        i -= 1;
        match s.toks[i].kind {
            TokKind::RParen => depth += 1,
            TokKind::LParen => {
                depth -= 1;
                if depth == 0 {
                    return i > 0 && s.is(i - 1, "ntile");
                }
            }
            _ => {}
        }
    }
    false
}

/// Whether a condition starts before token `prev - k` (`where not in x`).
fn cond_starts_before(s: &Scan, prev: Option<usize>, k: usize) -> bool {
    let Some(j) = prev.and_then(|p| p.checked_sub(k)) else {
        return false;
    };
    match s.word(j) {
        Some(w) => COND_START.contains(&w),
        None => s.kind(j) == Some(TokKind::LParen),
    }
}

/// Whether the string or `]` at `prev` ends an event selection: a `did`, `then`,
/// `stopped` or `of` comes before it, past the strings of a list.
fn step_context(s: &Scan, prev: Option<usize>) -> bool {
    let Some(mut i) = prev else { return false };
    loop {
        match s.kind(i) {
            Some(TokKind::Str | TokKind::Comma | TokKind::RBracket | TokKind::LBracket) => {}
            Some(TokKind::Word) => {
                return matches!(
                    s.word(i),
                    Some("did" | "then" | "stopped" | "restarted" | "of")
                );
            }
            _ => return false,
        }
        if i == 0 {
            return false;
        }
        i -= 1;
    }
}

#[cfg(test)]
mod tests;
