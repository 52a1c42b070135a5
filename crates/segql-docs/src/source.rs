//! An item's definition as `segql fmt` writes it, highlighted, names of other items
//! linked to their pages.

use crate::html::escape;
use segql_syntax::ast;
use segql_syntax::lexer::{lex, TokKind};
use segql_syntax::FileId;
use std::collections::HashMap;

/// Words the highlighter shows as keywords (where the grammar gives them meaning;
/// the lexer itself does not tell keywords from names).
const KEYWORDS: &[&str] = &[
    "action",
    "after",
    "ago",
    "all",
    "and",
    "any",
    "as",
    "as_of",
    "assert",
    "at",
    "avg",
    "between",
    "columns",
    "contains",
    "count",
    "description",
    "did",
    "disjoint",
    "distinct",
    "ends",
    "entity",
    "event",
    "events",
    "ever",
    "exactly",
    "expect",
    "false",
    "first",
    "for",
    "from",
    "given",
    "group",
    "if",
    "in",
    "is",
    "key",
    "last",
    "least",
    "matches",
    "max",
    "metric",
    "min",
    "most",
    "name",
    "no",
    "not",
    "ntile",
    "null",
    "of",
    "or",
    "owner",
    "priority",
    "properties",
    "references",
    "report",
    "restarted",
    "salt",
    "score",
    "segment",
    "segments",
    "set",
    "share",
    "size",
    "split",
    "sql",
    "starts",
    "stopped",
    "subset",
    "sum",
    "table",
    "tags",
    "test",
    "then",
    "time",
    "times",
    "trait",
    "true",
    "where",
    "with",
    "within",
    "hour",
    "hours",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "string",
    "int",
    "decimal",
    "float",
    "bool",
    "date",
    "timestamp",
];

/// The item's declaration in canonical layout, with the comments inside it and those
/// directly above it (no blank line between).
pub fn definition(item: &ast::Item, comments: &[ast::Comment], prev_end: u32) -> String {
    let start = item.span.start;
    let end = item.span.end;
    let mut lead: Vec<ast::Comment> = Vec::new();
    for c in comments
        .iter()
        .rev()
        .filter(|c| c.span.end <= start && c.span.start >= prev_end)
    {
        if c.trailing || c.blank_after {
            break;
        }
        lead.push(c.clone());
        if c.blank_before {
            break;
        }
    }
    lead.reverse();
    let inside = comments
        .iter()
        .filter(|c| c.span.start >= start && c.span.end <= end)
        .cloned();
    let file = ast::File {
        items: vec![item.clone()],
        comments: lead.into_iter().chain(inside).collect(),
    };
    segql_syntax::format_file(&file)
}

/// HTML for `.seg` text: `<span class="k">` keywords, `s` strings, `n` numbers, `d`
/// dates, `c` comments; a word in `links` (name → page) becomes a link.
pub fn highlight(text: &str, links: &HashMap<String, String>) -> String {
    let lexed = lex(text, FileId(0));
    let mut marks: Vec<(usize, usize, Mark)> = Vec::new();
    for tok in &lexed.tokens {
        let (s, e) = (tok.start as usize, tok.end as usize);
        let word = &text[s..e];
        let mark = match tok.kind {
            TokKind::Word if KEYWORDS.contains(&word) && !links.contains_key(word) => {
                Mark::Class("k")
            }
            TokKind::Word => match links.get(word) {
                Some(href) => Mark::Link(href.clone()),
                None => continue,
            },
            TokKind::QuotedIdent => {
                let name = segql_syntax::lexer::unescape(word);
                match links.get(&name) {
                    Some(href) => Mark::Link(href.clone()),
                    None => continue,
                }
            }
            TokKind::Str => Mark::Class("s"),
            TokKind::Int | TokKind::Decimal => Mark::Class("n"),
            TokKind::Date | TokKind::Timestamp => Mark::Class("d"),
            _ => continue,
        };
        marks.push((s, e, mark));
    }
    for c in &lexed.comments {
        marks.push((c.span.start as usize, c.span.end as usize, Mark::Class("c")));
    }
    marks.sort_by_key(|m| m.0);
    let mut out = String::with_capacity(text.len() * 2);
    let mut at = 0;
    for (s, e, mark) in marks {
        if s < at || e > text.len() {
            continue; // overlapping (never expected): leave it plain
        }
        out.push_str(&escape(&text[at..s]));
        let inner = escape(&text[s..e]);
        match mark {
            Mark::Class(c) => out.push_str(&format!("<span class=\"{c}\">{inner}</span>")),
            Mark::Link(href) => out.push_str(&format!("<a href=\"{}\">{inner}</a>", escape(&href))),
        }
        at = e;
    }
    out.push_str(&escape(&text[at..]));
    out
}

enum Mark {
    Class(&'static str),
    Link(String),
}
