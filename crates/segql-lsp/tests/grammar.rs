//! The VS Code extension's TextMate grammar (editors/vscode/syntaxes/segql.tmLanguage.json)
//! checked against segql's own lexer, without npm: a small TextMate engine below runs
//! the grammar's rules (first match wins, the earliest position first, `begin`/`end`
//! blocks with captures) over every fixture and example file, and each token the lexer
//! finds must get the scope its kind calls for: strings, quoted names, numbers, dates,
//! timestamps, comments, and every keyword of the language.

use regex::Regex;
use segql_syntax::lexer::{lex, TokKind};
use segql_syntax::FileId;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn grammar() -> Value {
    let path = root().join("editors/vscode/syntaxes/segql.tmLanguage.json");
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).expect("the grammar is JSON")
}

enum Rule {
    Match {
        re: Regex,
        name: Vec<String>,
        captures: HashMap<usize, Vec<String>>,
    },
    Block {
        begin: Regex,
        end: Regex,
        name: Vec<String>,
        content: Vec<String>,
        begin_captures: HashMap<usize, Vec<String>>,
        end_captures: HashMap<usize, Vec<String>>,
        patterns: Vec<Rule>,
    },
}

fn scopes(v: &Value) -> Vec<String> {
    v.as_str()
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn captures(v: &Value) -> HashMap<usize, Vec<String>> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.parse().unwrap(), scopes(&v["name"])))
                .collect()
        })
        .unwrap_or_default()
}

fn regex(s: &Value, rule: &Value) -> Regex {
    let s = s.as_str().unwrap();
    Regex::new(s).unwrap_or_else(|e| panic!("{rule}: {e}"))
}

/// The grammar's rules, includes resolved. `source.sql` (another grammar) is left out:
/// the embedded SQL keeps the `sql` block's scopes here.
fn rules(list: &Value, repo: &Value) -> Vec<Rule> {
    let mut out = Vec::new();
    for r in list.as_array().unwrap() {
        if let Some(inc) = r["include"].as_str() {
            if let Some(key) = inc.strip_prefix('#') {
                let target = &repo[key];
                assert!(!target.is_null(), "include of a missing rule {inc}");
                if target.get("patterns").is_some() && target.get("begin").is_none() {
                    out.extend(rules(&target["patterns"], repo));
                } else {
                    out.extend(rules(&Value::Array(vec![target.clone()]), repo));
                }
            } else {
                assert_eq!(inc, "source.sql", "an unexpected external grammar");
            }
            continue;
        }
        if let Some(m) = r.get("match") {
            out.push(Rule::Match {
                re: regex(m, r),
                name: scopes(&r["name"]),
                captures: captures(&r["captures"]),
            });
        } else if let Some(b) = r.get("begin") {
            let end = r["end"].as_str().unwrap();
            // Strings are one line: every block ends at the end of the line at the
            // latest, so lines can be tokenized one at a time.
            assert!(
                end.ends_with("|$"),
                "{r}: a block must end at the line's end"
            );
            out.push(Rule::Block {
                begin: regex(b, r),
                end: regex(&r["end"], r),
                name: scopes(&r["name"]),
                content: scopes(&r["contentName"]),
                begin_captures: captures(&r["beginCaptures"]),
                end_captures: captures(&r["endCaptures"]),
                patterns: rules(r.get("patterns").unwrap_or(&Value::Array(vec![])), repo),
            });
        } else {
            panic!("a rule with neither match nor begin: {r}");
        }
    }
    out
}

struct Tokenizer {
    rules: Vec<Rule>,
}

fn paint(out: &mut [Vec<String>], from: usize, to: usize, s: &[String]) {
    for v in &mut out[from..to] {
        v.extend(s.iter().cloned());
    }
}

fn paint_captures(
    out: &mut [Vec<String>],
    caps: &regex::Captures,
    names: &HashMap<usize, Vec<String>>,
) {
    for (i, s) in names {
        if let Some(m) = caps.get(*i) {
            paint(out, m.start(), m.end(), s);
        }
    }
}

impl Tokenizer {
    /// The scopes of every byte of a line.
    fn line(&self, line: &str) -> Vec<Vec<String>> {
        let mut out = vec![vec!["source.segql".to_string()]; line.len()];
        run(line, 0, &self.rules, None, &mut out);
        out
    }
}

/// Applies `rules` from `pos` until `end` matches (inside a block) or the line ends;
/// returns where the end's match starts and stops (the line's end without one).
fn run(
    line: &str,
    mut pos: usize,
    rules: &[Rule],
    end: Option<(&Regex, &HashMap<usize, Vec<String>>)>,
    out: &mut [Vec<String>],
) -> (usize, usize) {
    while pos <= line.len() {
        // The earliest match; ties go to the block's end, then to the first rule.
        let mut best: Option<(usize, usize, Option<usize>)> = None; // (start, end, rule)
        if let Some((re, _)) = end {
            if let Some(m) = re.find_at(line, pos) {
                best = Some((m.start(), m.end(), None));
            }
        }
        for (i, r) in rules.iter().enumerate() {
            let re = match r {
                Rule::Match { re, .. } => re,
                Rule::Block { begin, .. } => begin,
            };
            if let Some(m) = re.find_at(line, pos) {
                if best.is_none_or(|(s, ..)| m.start() < s) {
                    best = Some((m.start(), m.end(), Some(i)));
                }
            }
        }
        let Some((start, stop, rule)) = best else {
            return (line.len(), line.len());
        };
        match rule {
            None => {
                let (re, caps) = end.unwrap();
                let c = re.captures_at(line, pos).unwrap();
                paint_captures(out, &c, caps);
                return (start, stop);
            }
            Some(i) => match &rules[i] {
                Rule::Match { re, name, captures } => {
                    paint(out, start, stop, name);
                    let c = re.captures_at(line, pos).unwrap();
                    paint_captures(out, &c, captures);
                    pos = if stop > start {
                        stop
                    } else {
                        next_char(line, start)
                    };
                }
                Rule::Block {
                    begin,
                    end,
                    name,
                    content,
                    begin_captures,
                    end_captures,
                    patterns,
                } => {
                    let c = begin.captures_at(line, pos).unwrap();
                    let mut inner = vec![Vec::new(); line.len()];
                    paint_captures(&mut inner, &c, begin_captures);
                    let (close, after) =
                        run(line, stop, patterns, Some((end, end_captures)), &mut inner);
                    for (b, extra) in inner.into_iter().enumerate().take(after).skip(start) {
                        out[b].extend(name.iter().cloned());
                        if b >= stop && b < close {
                            out[b].extend(content.iter().cloned());
                        }
                        out[b].extend(extra);
                    }
                    if after >= line.len() {
                        return (line.len(), line.len());
                    }
                    pos = if after > start {
                        after
                    } else {
                        next_char(line, start)
                    };
                }
            },
        }
    }
    (line.len(), line.len())
}

fn next_char(line: &str, at: usize) -> usize {
    line[at..]
        .chars()
        .next()
        .map_or(at + 1, |c| at + c.len_utf8())
}

fn tokenizer() -> Tokenizer {
    let g = grammar();
    assert_eq!(g["scopeName"], "source.segql");
    assert_eq!(g["fileTypes"], serde_json::json!(["seg"]));
    Tokenizer {
        rules: rules(&g["patterns"], &g["repository"]),
    }
}

/// The .seg files of the fixtures and the example that parse.
fn files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [
        "fixtures/lang",
        "fixtures/results",
        "fixtures/check-errors",
        "examples/saas",
    ] {
        for e in walk(&root().join(dir)) {
            if e.extension().is_some_and(|x| x == "seg") {
                out.push(e);
            }
        }
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Every word the language uses as a keyword somewhere.
fn keywords() -> Vec<&'static str> {
    let mut k: Vec<&str> = segql_syntax::parser::TOP_LEVEL.to_vec();
    k.extend(segql_syntax::parser::RESERVED);
    for block in [
        "entity", "events", "segment", "report", "split", "priority", "test", "assert",
    ] {
        for f in segql_lsp::completion::context::fields(block) {
            k.extend(f.split(' '));
        }
    }
    k.extend([
        "references",
        "as",
        "least",
        "most",
        "time",
        "contains",
        "starts",
        "ends",
        "matches",
        "ignoring",
        "case",
        "since",
        "now",
        "set",
        "if",
        "share",
        "count",
        "distinct",
        "sum",
        "avg",
        "min",
        "max",
        "ntile",
        "first",
        "metric",
    ]);
    k.sort();
    k.dedup();
    k
}

fn has(s: &[String], prefix: &str) -> bool {
    s.iter().any(|x| x.starts_with(prefix))
}

#[test]
fn every_rule_compiles_and_every_token_gets_its_scope() {
    let t = tokenizer();
    let keywords = keywords();
    let files = files();
    assert!(files.len() > 40, "{}", files.len());
    let mut checked = HashMap::<&str, usize>::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let lexed = lex(&text, FileId(0));
        // Scopes of every byte of the file, line by line.
        let mut by_byte: Vec<Vec<String>> = Vec::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            by_byte.extend(t.line(body));
            by_byte.extend(std::iter::repeat_n(vec![], line.len() - body.len()));
        }
        let at = |i: u32| &by_byte[i as usize];
        let show = |i: u32| {
            let line = text[..i as usize].matches('\n').count() + 1;
            format!("{}:{line}", path.display())
        };
        for c in &lexed.comments {
            assert!(
                has(at(c.span.start), "comment.line"),
                "{}: {:?}",
                show(c.span.start),
                at(c.span.start)
            );
            *checked.entry("comment").or_default() += 1;
        }
        for (k, tok) in lexed.tokens.iter().enumerate() {
            if tok.kind == TokKind::Eof {
                continue;
            }
            let s = at(tok.start);
            let word = &text[tok.start as usize..tok.end as usize];
            let (want, what): (&[&str], &str) = match tok.kind {
                TokKind::Str => (&["string.quoted.double"], "string"),
                TokKind::QuotedIdent => (
                    &[
                        "variable.other.quoted",
                        "entity.name",
                        "variable.other.member",
                    ],
                    "quoted name",
                ),
                TokKind::Int | TokKind::Decimal => (&["constant.numeric"], "number"),
                TokKind::Date => (&["constant.other.date"], "date"),
                TokKind::Timestamp => (&["constant.other.timestamp"], "timestamp"),
                TokKind::Word if keywords.contains(&word) => (
                    &[
                        "keyword",
                        "storage.type",
                        "constant.language",
                        "support.type",
                        "entity.name",
                        "variable.other.member",
                    ],
                    "keyword",
                ),
                TokKind::Word if segql_syntax::ast::Type::from_keyword(word).is_some() => (
                    &["support.type", "variable.other.member", "entity.name"],
                    "type",
                ),
                TokKind::Word if segql_syntax::ast::Unit::from_word(word).is_some() => (
                    &[
                        "keyword.other.unit",
                        "keyword",
                        "variable.other.member",
                        "entity.name",
                    ],
                    "unit",
                ),
                _ => continue,
            };
            // A string's whole text is the string; after `sql`, its quotes are, and
            // what is between them is SQL.
            if tok.kind == TokKind::Str {
                let after_sql = k > 0 && {
                    let p = lexed.tokens[k - 1];
                    &text[p.start as usize..p.end as usize] == "sql"
                };
                for b in tok.start..tok.end {
                    let quote = b == tok.start || b + 1 == tok.end;
                    let want = if after_sql && !quote {
                        "meta.embedded.inline.sql"
                    } else {
                        "string.quoted.double"
                    };
                    assert!(
                        has(at(b), want),
                        "{}: {word} at byte {b}: {:?}",
                        show(tok.start),
                        at(b)
                    );
                }
                if after_sql {
                    *checked.entry("sql").or_default() += 1;
                }
            }
            assert!(
                want.iter().any(|w| has(s, w)),
                "{}: {what} {word:?} has scopes {s:?}, wanted one of {want:?}",
                show(tok.start)
            );
            *checked.entry(what).or_default() += 1;
        }
    }
    for what in [
        "sql",
        "comment",
        "string",
        "quoted name",
        "number",
        "date",
        "timestamp",
        "keyword",
        "type",
        "unit",
    ] {
        assert!(
            checked.get(what).copied().unwrap_or(0) > 0,
            "no {what} in the fixtures: {checked:?}"
        );
    }
}

#[test]
fn sql_predicates_strings_escapes_and_durations() {
    let t = tokenizer();
    let line =
        r#"  where sql "lower(country) = 'fr'" and name = "a\"b\u{1F600}\q" and x < 30 days ago"#;
    let s = t.line(line);
    let at = |needle: &str| &s[line.find(needle).unwrap()];
    assert!(has(at("sql"), "keyword.other.sql"));
    assert!(has(at("lower"), "meta.embedded.inline.sql"));
    assert!(
        !has(at("lower"), "string.quoted.double"),
        "SQL is not a string: {:?}",
        at("lower")
    );
    assert!(has(at("\"lower"), "string.quoted.double"));
    assert!(has(at("'fr'\""), "meta.embedded.inline.sql"));
    // The string ends at its closing quote: `and` after it is a keyword again.
    assert!(
        has(at("and name"), "keyword.operator.logical"),
        "{:?}",
        at("and name")
    );
    assert!(has(at("\\\"b"), "constant.character.escape"));
    assert!(has(at("\\u{1F600}"), "constant.character.escape"));
    assert!(has(at("\\q"), "invalid.illegal.escape"));
    assert!(has(at("30 days"), "constant.numeric"));
    assert!(has(at("days"), "keyword.other.unit"));
    assert!(has(at("ago"), "keyword.control"));
    // A string that does not end stops at the end of its line.
    let s = t.line("  owner \"x");
    assert!(has(&s[9], "string.quoted.double"));
    let s = t.line("  `weird col` string  # a comment \"not a string\"");
    assert!(has(&s[2], "variable.other.member"), "{:?}", s[2]);
    assert!(has(&s[14], "support.type"), "{:?}", s[14]);
    assert!(has(&s[30], "comment.line"), "{:?}", s[30]);
    let s = t.line("segment lurkers of account {");
    assert!(has(&s[0], "storage.type") && has(&s[8], "entity.name.type"));
    let s = t.line("action checkout of user = \"purchase\" or engaged");
    assert!(has(&s[0], "storage.type") && has(&s[7], "entity.name.type"));
    assert!(has(&s[16], "keyword.control"), "{:?}", s[16]);
    assert!(has(&s[37], "keyword.operator.logical"), "{:?}", s[37]);
    let s = t.line("  as_of 2024-06-01T00:00:00Z  expect a = [2024-01-31]");
    assert!(has(&s[8], "constant.other.timestamp"), "{:?}", s[8]);
    assert!(has(&s[44], "constant.other.date"), "{:?}", s[44]);
}
