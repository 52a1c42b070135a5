//! Names that are reserved words, in every dialect.
//!
//! For every word of every dialect's reserved list (`segql_plan::dialect::reserved`) and
//! every keyword sqlparser knows, a project is compiled whose schema, tables, key,
//! columns, event name and time columns, property, a segment, a metric and a split group
//! are named by that word. Every statement (each segment,
//! the batch forms, the report, the split and the priority list) must parse back with
//! the dialect's sqlparser parser and read exactly as the same project named by a
//! neutral word does: the word where the neutral word was, quoted when the dialect's
//! list has it and bare otherwise, never read as a keyword or a function.
//!
//! On Snowflake a quoted name is case-sensitive, so its list stays the documented one;
//! where sqlparser's Snowflake parser cannot read a word bare that Snowflake itself
//! accepts, the word is listed in `SQLPARSER_GAPS` with the reason, and the test fails
//! if such a gap closes (so the list cannot go stale).
//!
//! The engines themselves run such projects in `tests/tests/reserved_words.rs`.

mod common;

use common::{options, project, reparse};
use segql_plan::compile::{self, to_sql, Request};
use segql_plan::dialect::{self, reserved, Dialect};
use segql_plan::ir::Program;
use sqlparser::tokenizer::{Token, Tokenizer};
use std::collections::BTreeSet;

/// A name that no dialect reserves, standing in for the word.
const NEUTRAL: &str = "zzneutral";

/// One dialect's outcome: the failures, the sqlparser gaps that showed (dialect, word),
/// and how many statements were checked.
type DialectOutcome = (Vec<String>, Vec<(String, String)>, usize);

/// (dialect, word, why): words sqlparser's parser for the dialect cannot read bare,
/// which the dialect writes bare all the same because the engine does not reserve them
/// and quoting would change their meaning (Snowflake: a quoted name is case-sensitive).
/// docs/dialects.md lists them.
const SQLPARSER_GAPS: &[(&str, &str, &str)] = &[
    (
        "snowflake",
        "connect_by_root",
        "sqlparser reads it as the CONNECT_BY_ROOT operator",
    ),
    (
        "snowflake",
        "except",
        "sqlparser reads it after a select item as the set operator",
    ),
    (
        "snowflake",
        "interval",
        "sqlparser reads it as the INTERVAL keyword",
    ),
    (
        "snowflake",
        "returning",
        "sqlparser reads it after a select item as a RETURNING clause",
    ),
    (
        "snowflake",
        "top",
        "sqlparser reads `SELECT top, ...` as SELECT TOP n",
    ),
    (
        "snowflake",
        "trim",
        "sqlparser reads it as the TRIM function",
    ),
];

/// The words under test: every reserved list and every sqlparser keyword that is a plain
/// name.
fn words() -> BTreeSet<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    for d in dialect::all() {
        out.extend(d.reserved_words().iter().map(|w| w.to_string()));
    }
    out.extend(
        sqlparser::keywords::ALL_KEYWORDS
            .iter()
            .map(|k| k.to_ascii_lowercase()),
    );
    out.retain(|w| dialect::plain(w, &[]));
    out
}

/// The project, every name that can be a keyword written `w`.
fn project_text(w: &str) -> String {
    let n = format!("`{w}`");
    // Segments, reports, splits and priority lists share one namespace; only the
    // segment is named by the word alone (the others' names reach the SQL only inside
    // longer CTE names).
    let r = format!("`{w}_r`");
    let sp = format!("`{w}_s`");
    let pr = format!("`{w}_p`");
    // Every other name starts with `z`, which no keyword does.
    format!(
        r#"
entity zuser {{
  table {n}.{n}
  key {n}
  columns {{
    zplan string
    zacct_id string references zacct
  }}
}}
entity zacct {{
  table zs.accounts
  key zacct_id
  columns {{
    {n} int
  }}
}}
events zclicks of zuser {{
  table zs.{n}
  key {n}
  name zkind
  time zts
  properties {{
    {n} decimal
  }}
}}
events zviews of zuser {{
  table {n}.zviews
  key zuid
  name {n}
  time zts
}}
events zlogins of zuser {{
  table zs.zlogins
  key zuid
  event "login"
  time {n}
}}
segment {n} of zuser {{
  where zplan = "x" and did "c" from zclicks with {n} > 1 in last 7 days
}}
segment zseen of zuser {{
  where did "v" from zviews at least 2 times in last 30 days and zacct.{n} > 5
}}
segment zregular of zuser {{
  where did "login" from zlogins then "login" from zlogins within 1 day and did "login" from zlogins in at least 2 of last 3 weeks
}}
segment zranked of zuser {{
  where ntile(4) of sum({n}) of "c" from zclicks = 4
}}
segment zbig of zacct {{
  where {n} > 3 and any zuser where zplan = "p"
}}
trait zspend of zuser = sum({n}) of "c" from zclicks
report {r} {{
  segments [{n}, zseen]
  metric {n} = count
  metric zx_share = share where zplan = "x"
  metric zavg_w = avg(zacct.{n})
  metric top_zplan = max(zplan)
  metric zspent = sum(zspend)
}}
split {sp} of {n} {{
  salt "s"
  group {n} 50%
  group zother 50%
}}
priority {pr} {{
  segments [{n}, zseen]
}}
"#
    )
}

/// Every statement of the project, by what it is.
fn statements(p: &Program, d: &dyn Dialect) -> Vec<(String, Result<String, String>)> {
    let o = options();
    let text = |q: Result<compile::Query, compile::Unsupported>| {
        q.map(|q| to_sql(&q)).map_err(|u| u.to_string())
    };
    let mut out = Vec::new();
    let users: Vec<usize> = (0..p.segments.len())
        .filter(|&i| p.catalog.entities[p.segments[i].entity].name == "zuser")
        .collect();
    // The segment named by the word alone, and the account segment (a quantifier's CTE);
    // the long batch holds every user segment's conditions (and the wide batch).
    let last = p.segments.len() - 1;
    assert_eq!(
        p.segments[last].name, "zbig",
        "the account segment is the last one"
    );
    for id in [0, last] {
        out.push((
            format!("segment {}", p.segments[id].name),
            text(compile::compile(p, &Request::Segment(id), d, o)),
        ));
    }
    out.push((
        "batch_long".into(),
        text(compile::compile(p, &Request::batch_long(&users), d, o)),
    ));
    for ri in 0..p.reports.len() {
        out.push((
            "report".into(),
            text(compile::compile(p, &Request::Report(ri), d, o)),
        ));
    }
    for si in 0..p.splits.len() {
        out.push((
            "split".into(),
            text(compile::compile(p, &Request::Split(si), d, o)),
        ));
    }
    for pi in 0..p.priorities.len() {
        out.push((
            "priority".into(),
            text(compile::compile(p, &Request::Priority(pi), d, o)),
        ));
    }
    out
}

/// A token as compared: words by their value and quote (not by whether sqlparser knows
/// them as a keyword), everything else as is; whitespace dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String, Option<char>),
    Other(String),
}

fn tokens(d: &dyn Dialect, sql: &str) -> Result<Vec<Tok>, String> {
    let parser = d.parser();
    let toks = Tokenizer::new(&*parser, sql)
        .tokenize()
        .map_err(|e| e.to_string())?;
    Ok(toks
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .map(|t| match t {
            Token::Word(w) => Tok::Word(w.value, w.quote_style),
            other => Tok::Other(other.to_string()),
        })
        .collect())
}

/// What the neutral statement's tokens become with the word in place of the neutral name.
fn expected(neutral: Vec<Tok>, d: &dyn Dialect, w: &str) -> Vec<Tok> {
    let quoted = !dialect::plain(w, d.reserved_words());
    neutral
        .into_iter()
        .map(|t| match t {
            Tok::Word(v, None) if v == NEUTRAL => {
                Tok::Word(w.to_string(), quoted.then(|| d.ident_quote()))
            }
            Tok::Word(v, q) if v.contains(NEUTRAL) => Tok::Word(v.replace(NEUTRAL, w), q),
            Tok::Other(s) if s.contains(NEUTRAL) => Tok::Other(s.replace(NEUTRAL, w)),
            other => other,
        })
        .collect()
}

/// The parsed statement printed again, as tokens.
fn read_back(d: &dyn Dialect, sql: &str) -> Result<Vec<Tok>, String> {
    let stmt = reparse(d, sql)?;
    tokens(d, &stmt.to_string())
}

#[test]
fn the_lists_are_sorted_lower_case_plain_words() {
    for d in dialect::all() {
        let list = d.reserved_words();
        assert!(!list.is_empty(), "{}: no reserved words", d.name());
        for pair in list.windows(2) {
            assert!(
                pair[0] < pair[1],
                "{}: {:?} before {:?} (sorted, once each)",
                d.name(),
                pair[0],
                pair[1]
            );
        }
        for w in list {
            assert!(
                dialect::plain(w, &[]),
                "{}: {w:?} is not a plain name",
                d.name()
            );
            assert!(
                !dialect::plain(w, list),
                "{}: {w:?} is listed but not quoted",
                d.name()
            );
        }
    }
    // The words of the issue: DuckDB reserves them, and a non-reserved word stays bare.
    for w in ["pivot", "values", "at", "asof", "unpivot", "qualify"] {
        assert!(
            !dialect::plain(w, reserved::DUCKDB),
            "DuckDB must quote {w}"
        );
    }
    assert_eq!(dialect::DuckDb.render_ident("values"), "\"values\"");
    assert_eq!(dialect::DuckDb.render_ident("country"), "country");
    // Snowflake quotes only its documented words: a quoted name is case-sensitive there.
    assert_eq!(dialect::Snowflake.render_ident("user"), "user");
    assert_eq!(dialect::Snowflake.render_ident("values"), "\"values\"");
}

#[test]
fn every_keyword_as_every_name_in_every_dialect() {
    let words = words();
    assert!(words.len() > 1000, "only {} words", words.len());
    let (_, neutral_program) = project(&[("neutral.seg", &project_text(NEUTRAL))]);
    let mut failures: Vec<String> = Vec::new();
    let mut gaps_seen: BTreeSet<(String, String)> = BTreeSet::new();
    let programs: Vec<(&String, Program)> = words
        .iter()
        .map(|w| (w, project(&[("w.seg", &project_text(w))]).1))
        .collect();
    // One thread per dialect.
    let results: Vec<DialectOutcome> = std::thread::scope(|s| {
        let handles: Vec<_> = dialect::all()
            .into_iter()
            .map(|d| {
                let programs = &programs;
                let neutral_program = &neutral_program;
                s.spawn(move || check_dialect(d, neutral_program, programs))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a dialect's thread panicked"))
            .collect()
    });
    let mut checked = 0;
    for (f, g, n) in results {
        failures.extend(f);
        gaps_seen.extend(g);
        checked += n;
    }
    assert!(checked > 50_000, "only {checked} statements checked");
    assert!(
        failures.is_empty(),
        "{} word(s) break a dialect's SQL:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        gaps_seen.len(),
        SQLPARSER_GAPS.len(),
        "every listed sqlparser gap is still one"
    );
}

/// One dialect over every word's project: the failures, the sqlparser gaps that showed,
/// and how many statements were checked.
fn check_dialect(
    d: &'static dyn Dialect,
    neutral_program: &Program,
    programs: &[(&String, Program)],
) -> DialectOutcome {
    let base: Vec<(String, Vec<Tok>)> = statements(neutral_program, d)
        .into_iter()
        .map(|(what, sql)| {
            let sql = sql.unwrap_or_else(|e| panic!("{}: {what} does not compile: {e}", d.name()));
            let toks = read_back(d, &sql)
                .unwrap_or_else(|e| panic!("{}: {what} does not parse: {e}\n{sql}", d.name()));
            (what, toks)
        })
        .collect();
    let mut failures = Vec::new();
    let mut gaps_seen = Vec::new();
    let mut checked = 0;
    for (w, p) in programs {
        let stmts = statements(p, d);
        assert_eq!(stmts.len(), base.len(), "the same statements");
        let mut word_failures = Vec::new();
        for ((what, sql), (_, base)) in stmts.iter().zip(&base) {
            checked += 1;
            let sql = match sql {
                Ok(s) => s,
                Err(e) => {
                    word_failures.push(format!("{what}: does not compile: {e}"));
                    continue;
                }
            };
            match read_back(d, sql) {
                Err(e) => word_failures.push(format!("{what}: does not parse back: {e}")),
                Ok(got) => {
                    let want = expected(base.clone(), d, w);
                    if got != want {
                        let at = got
                            .iter()
                            .zip(&want)
                            .position(|(a, b)| a != b)
                            .unwrap_or(got.len().min(want.len()));
                        word_failures.push(format!(
                            "{what}: read back differently at token {at}: got {:?}, expected {:?}",
                            got.get(at..(at + 4).min(got.len())),
                            want.get(at..(at + 4).min(want.len()))
                        ));
                    }
                }
            }
        }
        let gap = SQLPARSER_GAPS
            .iter()
            .find(|(dn, gw, _)| *dn == d.name() && gw == w);
        match (gap, word_failures.is_empty()) {
            (Some(_), false) => gaps_seen.push((d.name().to_string(), w.to_string())),
            (Some((_, _, why)), true) => failures.push(format!(
                "{} `{w}`: listed in SQLPARSER_GAPS ({why}) but reads back now; remove it",
                d.name()
            )),
            (None, true) => {}
            (None, false) => failures.push(format!(
                "{} `{w}` ({}):\n  {}",
                d.name(),
                if dialect::plain(w, d.reserved_words()) {
                    "written bare"
                } else {
                    "quoted"
                },
                word_failures.join("\n  ")
            )),
        }
    }
    (failures, gaps_seen, checked)
}
