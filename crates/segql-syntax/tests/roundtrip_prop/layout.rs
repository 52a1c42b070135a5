//! Other layouts of formatted text: comments and blank lines added at line ends
//! ([`sprinkle`]), tokens laid out anew ([`relayout`]), and where each comment sits
//! ([`comment_places`]), to check that formatting keeps a comment where it was written.

use segql_syntax::lexer::{lex, TokKind};
use segql_syntax::FileId;

/// Inserts comments and blank lines into formatted text, as `plan` says line by line:
/// (own-line comment before the line, blank line before it, trailing comment after it).
pub fn sprinkle(text: &str, plan: &[(Option<String>, bool, Option<String>)]) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let (before, blank, after) = &plan[i % plan.len()];
        if *blank {
            out.push('\n');
        }
        if let Some(c) = before {
            out.push_str(&format!("#{c}\n"));
        }
        out.push_str(line);
        if let Some(c) = after {
            out.push_str(&format!("  #{c}"));
        }
        out.push('\n');
    }
    if let Some((Some(c), _, _)) = plan.first() {
        out.push_str(&format!("# end {c}\n"));
    }
    out
}

/// Writes the tokens of `text` again with other whitespace between them, chosen in turn
/// from `seps`: spaces, tabs, CRLF, line breaks, blank lines and comments. Line breaks
/// (and so comments) go only where the language lets them: where the canonical text
/// breaks the line (in a table, a break stays a break), and anywhere inside a condition.
/// Elsewhere a field's value ends with its line, so only spaces and tabs go there.
pub fn relayout(text: &str, seps: &[u8]) -> String {
    let toks = lex(text, FileId(0)).tokens;
    let word = |i: usize| {
        let t = toks[i];
        if t.kind == TokKind::Word {
            &text[t.start as usize..t.end as usize]
        } else {
            ""
        }
    };
    let mut out = String::new();
    let mut in_table = false;
    // Inside a condition, and how many `(` of it are open.
    let mut in_cond = false;
    let mut depth = 0i32;
    // A comment went where the canonical text has no line break, since the last break.
    let mut free_comment = false;
    for (i, t) in toks.iter().enumerate() {
        if t.kind == TokKind::Eof {
            break;
        }
        if i > 0 {
            let had_break = text[toks[i - 1].end as usize..t.start as usize].contains('\n');
            if had_break && in_cond && depth == 0 && !matches!(word(i), "and" | "or" | "then") {
                in_cond = false;
            }
            let free = if in_table {
                had_break
            } else {
                had_break || in_cond
            };
            // A comment where the canonical text breaks the line is named `k..` (its
            // place is checked: see `comments_moved`), unless a comment inside the same
            // canonical line came first: formatting joins that line again and puts only
            // the first of them at its end.
            let tag = if had_break && !free_comment { "k" } else { "c" };
            let choice = seps[i % seps.len()];
            let sep = match (free, choice) {
                (true, 0..=2) | (false, 0..=7) => " ".to_string(),
                (true, 3) => "\n".to_string(),
                (true, 4) => "\n\n".to_string(),
                (true, 5 | 6) => format!("  # {tag}{i}\n"),
                (true, 7 | 8) => format!("\n# {tag}{i}\n"),
                (true, 9) => "\r\n".to_string(),
                (true, 10) => format!(" # {tag}a{i}\n# {tag}b{i}\n\n"),
                _ => "\t".to_string(),
            };
            if had_break {
                free_comment = false;
            } else if sep.contains('#') {
                free_comment = true;
            }
            // A break stays a break.
            if had_break && !sep.contains('\n') {
                out.push('\n');
            }
            out.push_str(&sep);
        }
        out.push_str(&text[t.start as usize..t.end as usize]);
        match t.kind {
            TokKind::LBrace if toks.get(i + 1).map(|n| n.kind) == Some(TokKind::Pipe) => {
                in_table = true;
            }
            TokKind::RBrace => in_table = false,
            TokKind::LParen if in_cond => depth += 1,
            // A `)` that closes what the condition did not open ends the condition.
            TokKind::RParen if in_cond && depth == 0 => in_cond = false,
            TokKind::RParen if in_cond => depth -= 1,
            TokKind::Word => {
                let after_weight =
                    i > 0 && matches!(toks[i - 1].kind, TokKind::Int | TokKind::Decimal);
                if word(i) == "where" || (word(i) == "if" && after_weight) {
                    if !in_cond {
                        depth = 0;
                    }
                    in_cond = true;
                }
            }
            _ => {}
        }
    }
    out.push('\n');
    out
}

/// Where a comment sits in a text.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// Code precedes it on its line.
    pub trailing: bool,
    /// How many tokens come before it.
    pub tokens_before: usize,
    /// Its line (0-based).
    pub line: usize,
}

/// A text's tokens (their text, line and kind) and its comments (their text and place).
pub struct Layout<'a> {
    pub tokens: Vec<(&'a str, usize, TokKind)>,
    pub comments: Vec<(&'a str, Place)>,
}

pub fn layout(text: &str) -> Layout<'_> {
    let lexed = lex(text, FileId(0));
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line = |offset: u32| line_starts.partition_point(|&s| s <= offset as usize) - 1;
    let tokens: Vec<(&str, usize, TokKind)> = lexed
        .tokens
        .iter()
        .filter(|t| t.kind != TokKind::Eof)
        .map(|t| {
            (
                &text[t.start as usize..t.end as usize],
                line(t.start),
                t.kind,
            )
        })
        .collect();
    let comments = lexed
        .comments
        .iter()
        .map(|c| {
            let start = c.span.start;
            let tokens_before = lexed
                .tokens
                .iter()
                .filter(|t| t.kind != TokKind::Eof)
                .take_while(|t| t.end <= start)
                .count();
            let l = line(start);
            // Code before it on its line: the last token before it is on the same line.
            let trailing = tokens_before > 0 && tokens[tokens_before - 1].1 == l;
            assert_eq!(
                trailing, c.trailing,
                "the lexer and the layout disagree on whether {:?} trails code",
                c.text
            );
            (
                &text[start as usize..c.span.end as usize],
                Place {
                    trailing,
                    tokens_before,
                    line: l,
                },
            )
        })
        .collect();
    Layout { tokens, comments }
}

/// Whether formatting (`input` to `formatted`) kept every comment where it was written.
/// The code's tokens must be of the same kinds (a literal may be written anew: `1 times`
/// is `1 time`, a timestamp's offset becomes UTC), and no comment may move before a token
/// it followed (but for `and`, `or` and `then`, which begin their operand's line). A
/// comment that `placed` accepts must also keep its place: after code on
/// its line, it still ends the line holding that same token; on a line of its own, it
/// still is. Each comment is matched with the one of the same rank (formatting keeps
/// their order). Lists every comment that moved.
pub fn comments_moved(
    input: &str,
    formatted: &str,
    placed: &dyn Fn(&str) -> bool,
) -> Result<(), String> {
    let a = layout(input);
    let b = layout(formatted);
    let kinds = |l: &Layout| l.tokens.iter().map(|t| t.2).collect::<Vec<_>>();
    if kinds(&a) != kinds(&b) {
        let texts = |l: &Layout| l.tokens.iter().map(|t| t.0.to_string()).collect::<Vec<_>>();
        return Err(format!(
            "formatting changed the tokens:\n  {:?}\n  {:?}",
            texts(&a),
            texts(&b)
        ));
    }
    if a.comments.len() != b.comments.len() {
        return Err(format!(
            "{} comments became {}",
            a.comments.len(),
            b.comments.len()
        ));
    }
    let token = |l: &Layout, i: usize| {
        format!(
            "`{}` (token {i}, line {})",
            l.tokens[i].0,
            l.tokens[i].1 + 1
        )
    };
    let mut moved = Vec::new();
    for ((text, was), (_, now)) in a.comments.iter().zip(&b.comments) {
        // Only an operator may go from before a comment to after it: `and`, `or` and
        // `then` start the line of the operand they precede.
        let back_over = &a.tokens[now.tokens_before.min(was.tokens_before)..was.tokens_before];
        let operators_only = back_over
            .iter()
            .all(|t| matches!(t.0, "and" | "or" | "then"));
        if !operators_only || (placed(text) && !back_over.is_empty()) {
            moved.push(format!(
                "{text:?} came after {} tokens and moved back before {}",
                was.tokens_before,
                token(&b, now.tokens_before)
            ));
        } else if !placed(text) {
        } else if was.trailing {
            let after = was.tokens_before - 1;
            if !now.trailing {
                moved.push(format!(
                    "{text:?} followed {} and is now on a line of its own (line {})",
                    token(&a, after),
                    now.line + 1
                ));
            } else if b.tokens[after].1 != now.line {
                moved.push(format!(
                    "{text:?} followed {} and now ends line {}, not that token's line",
                    token(&a, after),
                    now.line + 1
                ));
            }
        } else if now.trailing {
            moved.push(format!(
                "{text:?} was on a line of its own (line {}) and now follows {}",
                was.line + 1,
                token(&b, now.tokens_before - 1)
            ));
        }
    }
    if moved.is_empty() {
        Ok(())
    } else {
        Err(format!("comments moved:\n  {}", moved.join("\n  ")))
    }
}
