//! Adversarial strings and names through every dialect.
//!
//! A small project puts one string in every place a `.seg` string literal reaches the SQL
//! (a comparison, a list, contains/starts/ends with, a regex, an event name, an event
//! property filter, a `sql "..."` predicate) and one name in every place a quoted name
//! does (a column and a table). Each segment is compiled twice per dialect: with a
//! benign marker and with the adversarial value. For every dialect, either compilation
//! says the dialect cannot write the value (a NUL, where that is so), or:
//!
//! - the SQL parses back with the dialect's sqlparser parser;
//! - tokenized by that dialect's tokenizer, the two statements have the same tokens,
//!   except that wherever the benign one has the marker the adversarial one has exactly
//!   one string token (or quoted name) whose value, decoded here by the engine's own
//!   escape rules (not sqlparser's), is the adversarial value. So the value survives
//!   whole and nothing outside the literal changed: no comment opened, no quote closed
//!   early, no conjunct added.
//!
//! The decoders below follow each engine's documentation: standard SQL doubling
//! (DuckDB, Postgres, Trino); Redshift's Postgres-8 escapes (`''`, `\\`, octal, `\x`);
//! Snowflake's (`\ooo` octal, `\xhh`, `\uhhhh`, `\0`); BigQuery's (no `''`, unknown
//! escapes are errors); Spark's (`''` is two adjacent literals, `\ooo`, `\uXXXX`,
//! `\%` keeps its backslash); ClickHouse's (`''` and `\xHH`, no octal).

mod common;

use common::tokens::{decode_quoted, shapes, Shape};
use common::{options, project, reparse};
use proptest::prelude::*;
use segql_plan::compile;
use segql_plan::compile::Request;
use segql_plan::dialect;
use segql_syntax::lexer::escape;

const MARK: &str = "benign";
const MARK_NAME: &str = "benign col";

/// The strings every dialect must carry through, or refuse.
const STRINGS: &[&str] = &[
    "it's",
    "''",
    "'",
    "\\'",
    "\\",
    "ends with \\",
    "\\\\",
    "say \"hi\"",
    "back\\slash",
    "line\nbreak",
    "tab\there",
    "cr\rlf",
    "$$",
    "$tag$ body $tag$",
    "back`tick",
    "-- not a comment",
    "/* not a comment",
    "*/",
    "😀 e\u{301} \u{202E}rtl\u{202C} עברית",
    "\u{2028}\u{feff}",
    "SELECT * FROM t; DROP TABLE users; --",
    "' OR '1'='1",
    "\\' OR 1=1 --",
    "%_",
    "\\%\\_",
    "\\x41\\u0041\\101\\0",
    "nul\0here",
    "\x0012", // a NUL, then digits an octal escape would swallow
    "\0",
    "",
];

/// The names every dialect must carry through, or refuse.
const NAMES: &[&str] = &[
    "it's",
    "say \"hi\"",
    "\"",
    "back`tick",
    "`",
    "``",
    "back\\slash",
    "ends with \\",
    "\\`",
    "line\nbreak",
    "tab\there",
    "$$",
    "-- not a comment",
    "/* not a comment",
    "😀 e\u{301} עברית",
    "select",
    "from",
    "Upper Case",
];

fn project_text(lit: &str, name: &str) -> String {
    let s = escape(lit, '"');
    let rx = escape(&regex_syntax::escape(lit), '"');
    let pred = escape(&format!("country = '{}'", lit.replace('\'', "''")), '"');
    let n = escape(name, '`');
    format!(
        r#"entity user {{
  table analytics.{n}
  key user_id
  columns {{
    country string
    email   string
    {n} string
  }}
}}

events of user {{
  table analytics.events
  key user_id
  name event_name
  time occurred_at
  properties {{
    page string
  }}
}}

segment by_value {{ where country = {s} }}
segment by_list {{ where country in [{s}] }}
segment by_text {{ where email contains {s} and email starts with {s} and email ends with {s} }}
segment by_regex {{ where email matches {rx} }}
segment by_event {{ where did {s} in last 7 days }}
segment by_property {{ where did "page_viewed" with page = {s} }}
segment by_sql {{ where sql {pred} }}
segment by_name {{ where {n} = "x" }}
"#
    )
}

const SEGMENTS: &[&str] = &[
    "by_value",
    "by_list",
    "by_text",
    "by_regex",
    "by_event",
    "by_property",
    "by_sql",
    "by_name",
];

// ---------------------------------------------------------------------------------------
// The round trip
// ---------------------------------------------------------------------------------------

/// Compiles every segment with the benign marker and with `lit`/`name`, and checks the
/// contract above; returns the problems found.
fn round_trip(lit: &str, name: &str, what: &str) -> Vec<String> {
    let benign_text = project_text(MARK, MARK_NAME);
    let text = project_text(lit, name);
    let (_, benign) = project(&[("benign.seg", &benign_text)]);
    let (_, program) = project(&[("adversarial.seg", &text)]);
    let expect_lit = |seg: &str| {
        if seg == "by_regex" {
            regex_syntax::escape(lit)
        } else {
            lit.to_string()
        }
    };
    let mut problems = Vec::new();
    for d in dialect::all() {
        for seg in SEGMENTS {
            let compile = |p: &segql_plan::ir::Program| {
                let id = p.segment_by_name(seg).expect("segment");
                compile::compile(p, &Request::Segment(id), d, options())
                    .map(|q| compile::to_sql(&q))
            };
            let base = compile(&benign).expect("the benign project compiles");
            let sql = match compile(&program) {
                Ok(sql) => sql,
                Err(e) => {
                    let nul = lit.contains('\0') || name.contains('\0');
                    if !(nul && e.0.contains("NUL")) {
                        problems.push(format!("{}/{seg}: {what}: refused: {e}", d.name()));
                    }
                    continue;
                }
            };
            let ctx = || format!("{}/{seg}: {what}:\n{sql}", d.name());
            if sql.contains('\0') {
                problems.push(format!("a raw NUL in the SQL: {}", ctx()));
                continue;
            }
            if let Err(e) = reparse(d, &sql) {
                problems.push(format!("does not parse back ({e}): {}", ctx()));
                continue;
            }
            let base_shapes = match shapes(d, &base) {
                Ok(s) => s,
                Err(e) => panic!("{}/{seg}: the benign SQL: {e}\n{base}", d.name()),
            };
            // Where the benign statement has the marker, the adversarial one must have
            // the value; everywhere else the same token. A bare plain name is a word.
            let mark_lit = if *seg == "by_regex" {
                regex_syntax::escape(MARK)
            } else {
                MARK.to_string()
            };
            let want: Vec<Shape> = base_shapes
                .into_iter()
                .map(|s| match s {
                    Shape::Str(v) if v == mark_lit => Shape::Str(expect_lit(seg)),
                    Shape::Name(v) if v == MARK_NAME => {
                        if dialect::plain(name, d.reserved_words()) {
                            Shape::Token(name.to_string())
                        } else {
                            Shape::Name(name.to_string())
                        }
                    }
                    other => other,
                })
                .collect();
            match shapes(d, &sql) {
                Ok(got) if got == want => {}
                Ok(got) => {
                    let diff: Vec<String> = want
                        .iter()
                        .zip(&got)
                        .filter(|(a, b)| a != b)
                        .take(3)
                        .map(|(a, b)| format!("expected {a:?}, got {b:?}"))
                        .collect();
                    problems.push(format!(
                        "tokens differ ({} vs {}; {}): {}",
                        want.len(),
                        got.len(),
                        diff.join("; "),
                        ctx()
                    ));
                }
                Err(e) => problems.push(format!("{e}: {}", ctx())),
            }
        }
    }
    problems
}

/// A name of the shape written bare (lower-case letters, digits and `_`), reserved or
/// not: the reserved ones are `tests/reserved_words.rs`'s subject.
fn is_plain(name: &str) -> bool {
    dialect::plain(name, &[])
}

fn assert_clean(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} problem(s):\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

#[test]
fn the_decoders_know_each_engine() {
    // Spot checks of the decoders against the engines' documented examples.
    assert_eq!(
        decode_quoted("postgres", "'it''s'", '\'').as_deref(),
        Ok("it's")
    );
    assert_eq!(
        decode_quoted("postgres", "'a\\'", '\'').as_deref(),
        Ok("a\\")
    );
    assert!(decode_quoted("postgres", "'a\\''", '\'').is_err());
    assert_eq!(
        decode_quoted("redshift", "'a\\\\b'", '\'').as_deref(),
        Ok("a\\b")
    );
    assert_eq!(
        decode_quoted("snowflake", "'\\012'", '\'').as_deref(),
        Ok("\n")
    );
    assert_eq!(
        decode_quoted("snowflake", "'\\x0012'", '\'').as_deref(),
        Ok("\u{0}12")
    );
    assert_eq!(
        decode_quoted("databricks", "'\\101'", '\'').as_deref(),
        Ok("A")
    );
    assert_eq!(
        decode_quoted("databricks", "'\\%'", '\'').as_deref(),
        Ok("\\%")
    );
    assert!(
        decode_quoted("databricks", "'it''s'", '\'').is_err(),
        "two literals in Spark"
    );
    assert_eq!(
        decode_quoted("databricks", "`a``b`", '`').as_deref(),
        Ok("a`b")
    );
    assert!(decode_quoted("bigquery", "'\\d'", '\'').is_err());
    assert_eq!(
        decode_quoted("bigquery", "`a\\x60b`", '`').as_deref(),
        Ok("a`b")
    );
    assert_eq!(decode_quoted("clickhouse", "'\\0' ", '\'').ok(), None);
    assert_eq!(
        decode_quoted("clickhouse", "'\\012'", '\'').as_deref(),
        Ok("\u{0}12")
    );
    assert_eq!(
        decode_quoted("clickhouse", "`a``b\\\\`", '`').as_deref(),
        Ok("a`b\\")
    );
}

#[test]
fn adversarial_strings_round_trip() {
    let mut problems = Vec::new();
    for s in STRINGS {
        problems.extend(round_trip(s, MARK_NAME, &format!("string {s:?}")));
    }
    assert_clean(problems);
}

#[test]
fn adversarial_names_round_trip() {
    let mut problems = Vec::new();
    for n in NAMES {
        problems.extend(round_trip(MARK, n, &format!("name {n:?}")));
    }
    assert_clean(problems);
}

#[test]
fn a_nul_in_a_name_is_refused_by_the_parser() {
    // No dialect can write such a name, so the language does not have it: the parser
    // reports E0123 and nothing reaches the planner.
    let text = project_text(MARK, "nul\0name");
    let parsed = segql_syntax::parse(&text, segql_syntax::FileId(0));
    let codes: Vec<&str> = parsed.diags.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"E0123"), "expected E0123, got {codes:?}");
}

/// Characters that matter to some dialect's quoting, and any others.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select(vec![
            '\'', '"', '`', '\\', '\n', '\r', '\t', '\0', '$', '-', '/', '*', '%', '_', '0', '1',
            '7', 'x', 'u', 'n', ';', '?', '\u{202E}', '\u{301}',
        ]),
        1 => any::<char>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn random_strings_round_trip(chars in prop::collection::vec(tricky_char(), 0..10)) {
        let s: String = chars.into_iter().collect();
        prop_assume!(s != MARK && s != "page_viewed" && s != "x");
        let problems = round_trip(&s, MARK_NAME, &format!("string {s:?}"));
        prop_assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    }

    #[test]
    fn random_names_round_trip(chars in prop::collection::vec(tricky_char(), 1..8)) {
        let n: String = chars.into_iter().collect();
        prop_assume!(!n.contains('\0'));
        // Plain lower-case names are written bare; the others are what quoting is about.
        prop_assume!(!is_plain(&n));
        prop_assume!(!["country", "email", "user_id", MARK_NAME].contains(&n.as_str()));
        let problems = round_trip(MARK, &n, &format!("name {n:?}"));
        prop_assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    }
}
