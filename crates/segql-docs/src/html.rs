//! HTML pieces built in Rust (the pages themselves are askama templates): escaping,
//! conditions in words, JSON inside a script.

use crate::model::Kind;
use crate::words::{Phrase, Piece, Words};

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Finds an item's page from the page being written (`../segment/paying.html`).
pub trait Links {
    fn href(&self, kind: Kind, name: &str) -> Option<String>;
}

/// A phrase: names in `<code>`, items linked.
pub fn phrase(p: &Phrase, links: &dyn Links) -> String {
    let mut out = String::new();
    for piece in p {
        match piece {
            Piece::Text(t) => out.push_str(&escape(t)),
            Piece::Code(c) => out.push_str(&format!("<code>{}</code>", escape(c))),
            Piece::Link(kind, name) => match links.href(*kind, name) {
                Some(h) => out.push_str(&format!(
                    "<a class=\"ref {}\" href=\"{}\"><code>{}</code></a>",
                    kind.word(),
                    escape(&h),
                    escape(name)
                )),
                None => out.push_str(&format!("<code>{}</code>", escape(name))),
            },
        }
    }
    out
}

/// A condition after its subject (`users`): one sentence when short, else nested lists
/// of "all of" / "any of".
pub fn words(subject: &str, w: &Words, links: &dyn Links) -> String {
    if w.is_simple() {
        let body = match w {
            Words::Clause(p) => phrase(p, links),
            Words::All(v) | Words::Any(v) => {
                let word = if matches!(w, Words::All(_)) {
                    "and"
                } else {
                    "or"
                };
                let parts: Vec<String> = v
                    .iter()
                    .map(|x| match x {
                        Words::Clause(p) => phrase(p, links),
                        _ => String::new(),
                    })
                    .collect();
                crate::words::join_words(&parts, word)
            }
        };
        return format!(
            "<p class=\"words\">{} {body}.</p>",
            escape(&capitalize(subject))
        );
    }
    format!(
        "<div class=\"words\"><p>{}:</p>{}</div>",
        escape(&capitalize(subject)),
        list(w, links)
    )
}

fn list(w: &Words, links: &dyn Links) -> String {
    match w {
        Words::Clause(p) => format!("<ul><li>{}</li></ul>", phrase(p, links)),
        Words::All(v) | Words::Any(v) => {
            let lead = if matches!(w, Words::All(_)) {
                "all of these"
            } else {
                "any of these"
            };
            let mut out = format!("<p class=\"join\">{lead}:</p><ul>");
            for x in v {
                match x {
                    Words::Clause(p) => out.push_str(&format!("<li>{}</li>", phrase(p, links))),
                    nested => out.push_str(&format!("<li>{}</li>", list(nested, links))),
                }
            }
            out.push_str("</ul>");
            out
        }
    }
}

pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// JSON for a `<script>` file or element: `<` escaped so that no `</script>` or `<!--`
/// can appear; U+2028/2029 escaped for old parsers.
pub fn script_json(v: &serde_json::Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".to_string())
        .replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}
