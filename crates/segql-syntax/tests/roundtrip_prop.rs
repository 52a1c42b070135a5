//! Property tests of the formatter: for random syntax trees the parser could have
//! produced, the formatted text parses back, without diagnostics, to the same tree, and
//! formatting it again changes nothing. Two more properties check comments: one adds
//! comments and blank lines at the ends of the formatted lines, the other lays the
//! tokens out anew with comments, line breaks, tabs and CRLF wherever the language
//! allows them; formatting must keep every comment, and stay a fixed point.
//!
//! The generators cover every construct in `ast.rs`, names that need backticks, strings
//! that need escapes, negative numbers, decimals, dates and timestamps. They only build
//! trees the parser can produce: `and`/`or` have two operands or more, lists the parser
//! rejects when empty are not empty, names hold no NUL, counts and durations are not
//! negative, dates fall in years 1 to 9999 (timestamps too, give or take a UTC offset),
//! table rows match their header, and a value ending in an aggregate without a window
//! is not followed by a predicate that starts like a window (`in`, `between`): the
//! parser would read those words as the aggregate's window.
//!
//! Runs 256 cases per property by default; set `PROPTEST_CASES` for more.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use segql_syntax::ast::*;
use segql_syntax::lexer::{lex, TokKind};
use segql_syntax::time::{days_from_civil, MICROS_PER_DAY};
use segql_syntax::{format_file, parse, FileId, Span};

// ---------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------

fn config() -> ProptestConfig {
    ProptestConfig {
        // Shrunk failures are kept as unit tests below, not in a persistence file.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Formats `file`, checks the output parses cleanly to `file` and is a fixed point.
fn check_round_trip(file: &File) -> Result<(), TestCaseError> {
    let text = format_file(file);
    let parsed = parse(&text, FileId(0));
    prop_assert!(
        parsed.diags.is_empty(),
        "the formatted text has diagnostics: {:#?}\n--- text ---\n{}",
        parsed.diags,
        text
    );
    prop_assert_eq!(&parsed.file, file, "--- text ---\n{}", text);
    let again = format_file(&parsed.file);
    prop_assert_eq!(&again, &text, "formatting is not idempotent");
    Ok(())
}

/// Inserts comments and blank lines into formatted text, as `plan` says line by line:
/// (own-line comment before the line, blank line before it, trailing comment after it).
fn sprinkle(text: &str, plan: &[(Option<String>, bool, Option<String>)]) -> String {
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

fn check_comments_kept(
    file: &File,
    plan: &[(Option<String>, bool, Option<String>)],
) -> Result<(), TestCaseError> {
    let text = sprinkle(&format_file(file), plan);
    let p1 = parse(&text, FileId(0));
    prop_assert!(
        p1.diags.is_empty(),
        "diagnostics: {:#?}\n--- text ---\n{}",
        p1.diags,
        text
    );
    prop_assert_eq!(&p1.file.items, &file.items, "--- text ---\n{}", text);
    let f1 = format_file(&p1.file);
    let p2 = parse(&f1, FileId(0));
    prop_assert!(
        p2.diags.is_empty(),
        "the formatted text has diagnostics: {:#?}\n--- input ---\n{}\n--- formatted ---\n{}",
        p2.diags,
        text,
        f1
    );
    // Equality of files compares the comments' texts, in order.
    prop_assert_eq!(
        &p2.file,
        &p1.file,
        "--- input ---\n{}\n--- formatted ---\n{}",
        text,
        f1
    );
    let f2 = format_file(&p2.file);
    prop_assert_eq!(
        &f2,
        &f1,
        "formatting is not idempotent\n--- input ---\n{}",
        text
    );
    Ok(())
}

/// Writes the tokens of `text` again with other whitespace between them, chosen in turn
/// from `seps`: spaces, tabs, CRLF, line breaks, blank lines and comments. Line breaks
/// (and so comments) go only where the language lets them: where the canonical text
/// breaks the line (in a table, a break stays a break), and anywhere inside a condition.
/// Elsewhere a field's value ends with its line, so only spaces and tabs go there.
fn relayout(text: &str, seps: &[u8]) -> String {
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
            let choice = seps[i % seps.len()];
            let sep = match (free, choice) {
                (true, 0..=2) | (false, 0..=7) => " ".to_string(),
                (true, 3) => "\n".to_string(),
                (true, 4) => "\n\n".to_string(),
                (true, 5 | 6) => format!("  # c{i}\n"),
                (true, 7 | 8) => format!("\n# c{i}\n"),
                (true, 9) => "\r\n".to_string(),
                (true, 10) => format!(" # a{i}\n# b{i}\n\n"),
                _ => "\t".to_string(),
            };
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

/// The canonical text of `file`, laid out anew by [`relayout`], must parse to `file`'s
/// items, and formatting it must keep the guarantees (comments included).
fn check_relayout(file: &File, seps: &[u8]) -> Result<(), TestCaseError> {
    let text = relayout(&format_file(file), seps);
    let p1 = parse(&text, FileId(0));
    prop_assert!(
        p1.diags.is_empty(),
        "diagnostics: {:#?}\n--- text ---\n{}",
        p1.diags,
        text
    );
    prop_assert_eq!(&p1.file.items, &file.items, "--- text ---\n{}", text);
    let f1 = format_file(&p1.file);
    let p2 = parse(&f1, FileId(0));
    prop_assert!(
        p2.diags.is_empty(),
        "the formatted text has diagnostics: {:#?}\n--- input ---\n{}\n--- formatted ---\n{}",
        p2.diags,
        text,
        f1
    );
    prop_assert_eq!(
        &p2.file,
        &p1.file,
        "--- input ---\n{}\n--- formatted ---\n{}",
        text,
        f1
    );
    let f2 = format_file(&p2.file);
    prop_assert_eq!(
        &f2,
        &f1,
        "formatting is not idempotent\n--- input ---\n{}",
        text
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn formatted_trees_parse_back(file in file()) {
        check_round_trip(&file)?;
    }

    #[test]
    fn any_layout_formats_the_same(
        file in file(),
        seps in vec(0u8..12, 1..40),
    ) {
        check_relayout(&file, &seps)?;
    }

    #[test]
    fn formatting_keeps_comments(
        file in file(),
        plan in vec((option::of(comment_text()), prop::bool::weighted(0.15), option::of(comment_text())), 1..12),
    ) {
        check_comments_kept(&file, &plan)?;
    }
}

// ---------------------------------------------------------------------------------------
// Shrunk failures, kept as regressions
// ---------------------------------------------------------------------------------------

/// Parses `text` (cleanly), formats it, and checks the result reparses to the same tree
/// and is a fixed point. Returns the formatted text.
fn format_checked(text: &str) -> String {
    let p = parse(text, FileId(0));
    assert!(p.diags.is_empty(), "{:#?}", p.diags);
    let f1 = format_file(&p.file);
    let p2 = parse(&f1, FileId(0));
    assert!(p2.diags.is_empty(), "{:#?}\n{f1}", p2.diags);
    assert_eq!(p2.file, p.file, "\n{f1}");
    assert_eq!(format_file(&p2.file), f1, "not idempotent");
    f1
}

/// A column named `references` (or `as`) after another column read as that column's
/// reference clause once formatted bare.
#[test]
fn regression_column_named_references() {
    let f = format_checked(
        "entity _ { table a key a columns { a string `references` string b int references c `as` bool } }",
    );
    assert!(f.contains("`references` string"), "{f}");
    assert!(f.contains("`as`         bool"), "{f}");
}

/// A comment after the `(` of a broken group moved to the next nested `(` on every
/// format.
#[test]
fn regression_comment_after_open_paren_stays() {
    let text = "\
segment _ {
  score {
    0 if false
      and (  # B
        (  # C
          false and x = 1
        )
        and false
      )
  }
  where false
}
";
    let f = format_checked(text);
    assert_eq!(f, text);
}

/// With an empty `segments []`, comments between the item keyword and its name were
/// placed by the name's position, differently on every format.
#[test]
fn regression_comments_around_empty_segments() {
    let f = format_checked("report # a\n# b\n\na {\n segments [ ]\n }\n");
    assert_eq!(f, "report a {  # a\n  # b\n\n  segments []\n}\n");
    let f = format_checked("priority p { # a\n segments [] # b\n }\n");
    // The AST has no position for an empty list, so a comment after it goes above it.
    assert_eq!(f, "priority p {  # a\n  # b\n  segments []\n}\n");
}

/// A comment inside the last operand of `and`/`or`, or inside the last step of a
/// sequence, broke the condition over lines; formatted, the comment ends up after the
/// condition, which then went back on one line: formatting was not idempotent.
#[test]
fn regression_comment_in_last_part_of_condition() {
    let f = format_checked(
        "segment _ {\n where did any event then \"\"  # c\nat least 0 times and false\n}\n",
    );
    assert_eq!(
        f,
        "segment _ {\n  where did any event then \"\" at least 0 times  # c\n    and false\n}\n"
    );
    let f = format_checked("segment _ {\n where a = 1 and b # c\n = 1\n}\n");
    assert_eq!(f, "segment _ {\n  where a = 1 and b = 1  # c\n}\n");
    // A comment between the parts still breaks the condition there.
    let f = format_checked("segment _ {\n where a = 1 # c\n and b = 1\n}\n");
    assert_eq!(f, "segment _ {\n  where a = 1  # c\n    and b = 1\n}\n");
}

/// A timestamp whose UTC offset moves it out of years 1 to 9999 was read, then written
/// with a `±23:59` offset (it has no UTC form), and failed on Postgres at run time. The
/// parser now refuses it (E0114); every timestamp it reads is written in UTC.
#[test]
fn regression_timestamp_offset_out_of_years() {
    for (ts, canonical) in [
        ("0001-01-01T01:30:00+01:00", "0001-01-01T00:30:00Z"),
        ("0001-01-01T23:59:00+23:59", "0001-01-01T00:00:00Z"),
        ("9999-12-31T22:30:00.5-01:00", "9999-12-31T23:30:00.5Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z"),
    ] {
        let f = format_checked(&format!("test t {{ as_of {ts} }}"));
        assert_eq!(f, format!("test t {{\n  as_of {canonical}\n}}\n"), "{ts}");
    }
    for out_of_range in [
        "0001-01-01T00:30:00+01:00",
        "0001-01-01T00:00:00+23:59",
        "9999-12-31T23:30:00-01:00",
        "9999-12-31T23:59:59.999999-23:59",
    ] {
        let p = segql_syntax::parse(
            &format!("test t {{ as_of {out_of_range} }}"),
            segql_syntax::FileId(0),
        );
        let codes: Vec<&str> = p.diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["E0114"], "{out_of_range}");
    }
}

// ---------------------------------------------------------------------------------------
// Leaves
// ---------------------------------------------------------------------------------------

fn sp() -> Span {
    Span::default()
}

/// Names: mostly plain, often ones that need backticks. Never a NUL, which no warehouse
/// can hold in a name (E0123); strings may hold one.
fn name() -> BoxedStrategy<String> {
    any_name().prop_map(|n| n.replace('\0', "_")).boxed()
}

fn any_name() -> BoxedStrategy<String> {
    prop_oneof![
        6 => "[a-z_][a-z0-9_]{0,8}",
        // Reserved words, item and field keywords, units, aggregate words.
        3 => select(vec![
            "in", "and", "or", "not", "did", "last", "ago", "all", "any", "no", "at", "between",
            "ever", "exactly", "false", "true", "for", "from", "is", "null", "of", "sql",
            "stopped", "then", "times", "where", "with", "within", "segment", "entity",
            "events", "trait", "report", "split", "priority", "test", "assert", "table", "key",
            "columns", "properties", "description", "owner", "tags", "score", "metric",
            "group", "salt", "segments", "given", "expect", "as_of", "size", "disjoint",
            "subset", "count", "sum", "avg", "min", "max", "first", "time", "ntile",
            "distinct", "days", "day", "hour", "weeks", "months", "year", "event", "name",
            "references", "as", "if", "share", "least", "most", "set", "contains", "starts",
            "ends", "matches", "select", "_", "é", "naïve", "日本",
        ])
        .prop_map(str::to_string),
        2 => "[ -~]{1,8}",
        1 => vec(special_char(), 1..6).prop_map(|cs| cs.into_iter().collect()),
        1 => vec(any::<char>(), 1..6).prop_map(|cs| cs.into_iter().collect()),
    ]
    .boxed()
}

fn special_char() -> impl Strategy<Value = char> {
    select(vec![
        '"', '\\', '`', '\n', '\r', '\t', '\0', '#', '|', '{', '}', '(', ')', '[', ']', ',', '.',
        '-', '%', ' ', 'a', '1', 'é', '😀', '\u{2028}', '\u{2029}', '\u{85}', '\u{FEFF}', '\u{B}',
        '\u{C}', '\u{7F}', '\u{200B}', '\u{301}', '\u{1F}',
    ])
}

fn ident() -> BoxedStrategy<Ident> {
    name().prop_map(|name| Ident { name, span: sp() }).boxed()
}

fn path() -> BoxedStrategy<Path> {
    vec(ident(), 1..4)
        .prop_map(|parts| Path { parts, span: sp() })
        .boxed()
}

/// String contents: anything at all.
fn string() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-z_ /@.-]{0,12}",
        2 => vec(special_char(), 0..8).prop_map(|cs| cs.into_iter().collect()),
        1 => vec(any::<char>(), 0..8).prop_map(|cs| cs.into_iter().collect()),
        1 => "[a-z ]{60,120}",
    ]
    .boxed()
}

fn strlit() -> BoxedStrategy<StrLit> {
    string()
        .prop_map(|value| StrLit { value, span: sp() })
        .boxed()
}

fn comment_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ a-z#`\"]{0,20}",
        vec(any::<char>(), 0..10).prop_map(|cs| cs
            .into_iter()
            .filter(|c| !matches!(c, '\n' | '\r'))
            .collect()),
    ]
}

fn min_day() -> i64 {
    days_from_civil(1, 1, 1)
}

fn max_day() -> i64 {
    days_from_civil(9999, 12, 31)
}

fn date_days() -> BoxedStrategy<i32> {
    prop_oneof![
        3 => days_from_civil(1990, 1, 1)..days_from_civil(2030, 1, 1),
        1 => min_day()..=max_day(),
        1 => select(vec![min_day(), max_day(), 0, -1, days_from_civil(2024, 2, 29)]),
    ]
    .prop_map(|d| d as i32)
    .boxed()
}

fn timestamp_micros() -> BoxedStrategy<i64> {
    // What the parser can read: the years 1 to 9999, in UTC.
    let lo = min_day() * MICROS_PER_DAY;
    let hi = (max_day() + 1) * MICROS_PER_DAY - 1;
    prop_oneof![
        // Whole seconds in recent years.
        2 => (date_days(), 0i64..86_400).prop_map(|(d, s)| i64::from(d) * MICROS_PER_DAY + s * 1_000_000),
        // Any microsecond.
        2 => lo..=hi,
        1 => select(vec![lo, hi, 0, -1, 1, 250_000]),
    ]
    .boxed()
}

/// Decimal text as the parser keeps it: optional `-`, digits, `.`, digits; 38 digits
/// at most.
fn decimal_text() -> BoxedStrategy<String> {
    (any::<bool>(), "[0-9]{1,19}", "[0-9]{1,19}")
        .prop_map(|(neg, a, b)| format!("{}{a}.{b}", if neg { "-" } else { "" }))
        .boxed()
}

fn int() -> BoxedStrategy<i64> {
    prop_oneof![
        4 => -1000i64..1000,
        1 => any::<i64>(),
        1 => select(vec![i64::MIN, i64::MAX, 0, -1]),
    ]
    .boxed()
}

fn nonneg() -> BoxedStrategy<i64> {
    prop_oneof![4 => 0i64..100, 1 => 0i64..=i64::MAX, 1 => Just(i64::MAX)].boxed()
}

fn int_lit() -> BoxedStrategy<IntLit> {
    nonneg()
        .prop_map(|value| IntLit { value, span: sp() })
        .boxed()
}

fn number() -> BoxedStrategy<Number> {
    prop_oneof![
        int().prop_map(LitKind::Int),
        decimal_text().prop_map(LitKind::Decimal)
    ]
    .prop_map(|kind| Number { kind, span: sp() })
    .boxed()
}

fn lit_kind(allow_null: bool) -> BoxedStrategy<LitKind> {
    let base = prop_oneof![
        string().prop_map(LitKind::Str),
        int().prop_map(LitKind::Int),
        decimal_text().prop_map(LitKind::Decimal),
        any::<bool>().prop_map(LitKind::Bool),
        date_days().prop_map(LitKind::Date),
        timestamp_micros().prop_map(LitKind::Timestamp),
    ];
    if allow_null {
        prop_oneof![6 => base, 1 => Just(LitKind::Null)].boxed()
    } else {
        base.boxed()
    }
}

fn literal(allow_null: bool) -> BoxedStrategy<Literal> {
    lit_kind(allow_null)
        .prop_map(|kind| Literal { kind, span: sp() })
        .boxed()
}

fn time_literal() -> BoxedStrategy<Literal> {
    prop_oneof![
        date_days().prop_map(LitKind::Date),
        timestamp_micros().prop_map(LitKind::Timestamp),
    ]
    .prop_map(|kind| Literal { kind, span: sp() })
    .boxed()
}

fn unit() -> impl Strategy<Value = Unit> {
    select(Unit::ALL.to_vec())
}

fn duration() -> BoxedStrategy<Duration> {
    (nonneg(), unit())
        .prop_map(|(n, unit)| Duration {
            n,
            unit,
            span: sp(),
        })
        .boxed()
}

fn count_quant() -> impl Strategy<Value = CountQuant> {
    select(vec![
        CountQuant::AtLeast,
        CountQuant::AtMost,
        CountQuant::Exactly,
    ])
}

fn cmp_op() -> impl Strategy<Value = CmpOp> {
    select(vec![
        CmpOp::Eq,
        CmpOp::Ne,
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
    ])
}

fn operand() -> BoxedStrategy<Operand> {
    prop_oneof![
        3 => literal(false).prop_map(Operand::Lit),
        1 => duration().prop_map(Operand::Ago),
    ]
    .boxed()
}

fn pred() -> BoxedStrategy<Pred> {
    prop_oneof![
        4 => (cmp_op(), operand()).prop_map(|(op, o)| Pred::Cmp(op, o)),
        1 => vec(literal(false), 1..4).prop_map(Pred::In),
        1 => vec(literal(false), 1..4).prop_map(Pred::NotIn),
        1 => (operand(), operand()).prop_map(|(a, b)| Pred::Between(a, b)),
        1 => strlit().prop_map(Pred::Contains),
        1 => strlit().prop_map(Pred::StartsWith),
        1 => strlit().prop_map(Pred::EndsWith),
        1 => strlit().prop_map(Pred::Matches),
        1 => Just(Pred::IsSet),
        1 => Just(Pred::IsNotSet),
        1 => duration().prop_map(Pred::InLast),
    ]
    .boxed()
}

fn window() -> BoxedStrategy<Window> {
    let time_point = prop_oneof![
        time_literal().prop_map(TimePoint::Lit),
        duration().prop_map(TimePoint::Ago),
    ];
    prop_oneof![
        duration().prop_map(WindowKind::Last),
        (time_point.clone(), time_point).prop_map(|(a, b)| WindowKind::Between(a, b)),
        Just(WindowKind::Ever),
        (count_quant(), int_lit(), int_lit(), unit())
            .prop_map(|(quant, k, n, unit)| WindowKind::Periods { quant, k, n, unit }),
    ]
    .prop_map(|kind| Window { kind, span: sp() })
    .boxed()
}

fn meta() -> BoxedStrategy<Meta> {
    (
        option::of(strlit()),
        option::of(strlit()),
        prop_oneof![2 => Just(vec![]), 1 => vec(strlit(), 1..4)],
    )
        .prop_map(|(description, owner, tags)| Meta {
            description,
            owner,
            tags,
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Conditions and values: built level by level, each from the one below, so the
// strategies stay small however deep the trees may go.
// ---------------------------------------------------------------------------------------

#[derive(Clone)]
struct Level {
    cond: BoxedStrategy<Cond>,
    value: BoxedStrategy<Value>,
}

fn mk_cond(kind: CondKind) -> Cond {
    Cond { kind, span: sp() }
}

fn mk_value(kind: ValueKind) -> Value {
    Value { kind, span: sp() }
}

/// Whether the value's text ends with an aggregate that has no window, so that a
/// following `in ...` or `between ...` would be read as that aggregate's window.
fn ends_with_open_aggregate(v: &Value) -> bool {
    match &v.kind {
        ValueKind::Agg(a) => a.window.is_none(),
        ValueKind::Ntile(_, inner) => ends_with_open_aggregate(inner),
        _ => false,
    }
}

/// A `Test`, with a predicate the parser will not read as part of the value.
fn test_kind(v: Value, p: Pred) -> CondKind {
    let p = if ends_with_open_aggregate(&v) {
        match p {
            Pred::In(ls) => Pred::NotIn(ls),
            Pred::InLast(d) => Pred::Cmp(CmpOp::Ge, Operand::Ago(d)),
            Pred::Between(a, _) => Pred::Cmp(CmpOp::Lt, a),
            p => p,
        }
    } else {
        p
    };
    CondKind::Test(Box::new(v), p)
}

fn leaf_level() -> Level {
    let value = path().prop_map(|p| mk_value(ValueKind::Path(p))).boxed();
    let cond = prop_oneof![
        any::<bool>().prop_map(CondKind::Const),
        ident().prop_map(CondKind::InSegment),
        strlit().prop_map(CondKind::Sql),
        (value.clone(), pred()).prop_map(|(v, p)| test_kind(v, p)),
    ]
    .prop_map(mk_cond)
    .boxed();
    Level { cond, value }
}

fn step(below: &Level) -> BoxedStrategy<EventStep> {
    let names = prop_oneof![
        3 => strlit().prop_map(EventNames::One),
        1 => vec(strlit(), 1..4).prop_map(EventNames::Many),
        1 => Just(EventNames::Any),
    ];
    (
        names,
        option::of(ident()),
        option::weighted(0.3, below.cond.clone()),
    )
        .prop_map(|(names, from, filter)| EventStep {
            event: EventSel {
                names,
                from,
                span: sp(),
            },
            filter,
            span: sp(),
        })
        .boxed()
}

fn score_block(below: &Level) -> BoxedStrategy<ScoreBlock> {
    vec(
        (number(), below.cond.clone()).prop_map(|(weight, cond)| ScoreRule {
            weight,
            cond,
            span: sp(),
        }),
        0..4,
    )
    .prop_map(|rules| ScoreBlock { rules, span: sp() })
    .boxed()
}

fn next_level(below: &Level) -> Level {
    let step = step(below);
    let agg = (
        select(vec![
            AggFunc::Count,
            AggFunc::CountDistinct,
            AggFunc::Sum,
            AggFunc::Avg,
            AggFunc::Min,
            AggFunc::Max,
        ]),
        ident(),
        step.clone(),
        option::of(window()),
    )
        .prop_map(|(func, prop, step, window)| {
            ValueKind::Agg(Box::new(Aggregate {
                func,
                // `count of ..` is the only aggregate without a property.
                prop: (func != AggFunc::Count).then_some(prop),
                step,
                window,
            }))
        });
    let time_of = (
        select(vec![FirstLast::First, FirstLast::Last]),
        step.clone(),
    )
        .prop_map(|(which, step)| ValueKind::TimeOf(Box::new(TimeOf { which, step })));
    let value = prop_oneof![
        3 => below.value.clone().prop_map(|v| v.kind),
        3 => agg,
        1 => time_of,
        1 => (int_lit(), below.value.clone()).prop_map(|(k, v)| ValueKind::Ntile(k, Box::new(v))),
        1 => score_block(below).prop_map(|sb| ValueKind::Score(Box::new(sb))),
    ]
    .prop_map(mk_value)
    .boxed();

    let then_step =
        (step.clone(), option::of(duration())).prop_map(|(step, within)| ThenStep { step, within });
    let freq = (count_quant(), int_lit()).prop_map(|(quant, n)| Freq {
        quant,
        n,
        span: sp(),
    });
    let did = (
        step.clone(),
        prop_oneof![2 => Just(vec![]), 1 => vec(then_step, 1..4)],
        option::of(freq),
        option::of(window()),
    )
        .prop_map(|(first, then, freq, window)| {
            CondKind::Did(Box::new(Did {
                first,
                then,
                freq,
                window,
            }))
        });
    let stopped = (step, duration())
        .prop_map(|(step, for_)| CondKind::Stopped(Box::new(Stopped { step, for_ })));
    let quant = prop_oneof![
        Just(Quant::Any),
        Just(Quant::All),
        Just(Quant::No),
        (count_quant(), int_lit()).prop_map(|(q, n)| Quant::Count(q, n)),
    ];
    let quantified = (quant, ident(), below.cond.clone()).prop_map(|(quant, relation, cond)| {
        CondKind::Quantified(Box::new(Quantified {
            quant,
            relation,
            cond,
        }))
    });
    let cond = prop_oneof![
        2 => below.cond.clone().prop_map(|c| c.kind),
        1 => vec(below.cond.clone(), 2..4).prop_map(CondKind::And),
        1 => vec(below.cond.clone(), 2..4).prop_map(CondKind::Or),
        1 => below.cond.clone().prop_map(|c| CondKind::Not(Box::new(c))),
        2 => (value.clone(), pred()).prop_map(|(v, p)| test_kind(v, p)),
        2 => did,
        1 => stopped,
        1 => quantified,
    ]
    .prop_map(mk_cond)
    .boxed();
    Level { cond, value }
}

fn levels(depth: usize) -> Level {
    let mut level = leaf_level();
    for _ in 0..depth {
        level = next_level(&level);
    }
    level
}

// ---------------------------------------------------------------------------------------
// Items
// ---------------------------------------------------------------------------------------

fn ty() -> impl Strategy<Value = TypeRef> {
    select(Type::ALL.to_vec()).prop_map(|ty| TypeRef { ty, span: sp() })
}

fn column(allow_refs: bool) -> BoxedStrategy<Column> {
    let reference =
        (ident(), option::of(ident())).prop_map(|(entity, alias)| Reference { entity, alias });
    let refs = if allow_refs {
        option::weighted(0.3, reference).boxed()
    } else {
        Just(None).boxed()
    };
    (ident(), ty(), refs)
        .prop_map(|(name, ty, references)| Column {
            name,
            ty,
            references,
            span: sp(),
        })
        .boxed()
}

fn entity() -> impl Strategy<Value = ItemKind> {
    (
        ident(),
        option::of(strlit()),
        path(),
        ident(),
        vec(column(true), 0..5),
    )
        .prop_map(|(name, description, table, key, columns)| {
            ItemKind::Entity(Entity {
                name,
                description,
                table,
                key,
                columns,
                columns_span: sp(),
            })
        })
}

fn events() -> impl Strategy<Value = ItemKind> {
    let source = prop_oneof![
        ident().prop_map(EventSource::Column),
        strlit().prop_map(EventSource::Fixed),
    ];
    (
        option::of(ident()),
        ident(),
        option::of(strlit()),
        path(),
        ident(),
        source,
        ident(),
        vec(column(false), 0..4),
    )
        .prop_map(
            |(name, entity, description, table, key, event, time, properties)| {
                ItemKind::Events(Events {
                    name,
                    entity,
                    description,
                    table,
                    key,
                    event,
                    time,
                    properties,
                    properties_span: sp(),
                })
            },
        )
}

fn segment(l: &Level) -> impl Strategy<Value = ItemKind> {
    (
        ident(),
        option::of(ident()),
        meta(),
        option::weighted(0.2, score_block(l)),
        l.cond.clone(),
    )
        .prop_map(|(name, entity, meta, score, cond)| {
            ItemKind::Segment(Segment {
                name,
                entity,
                meta,
                score,
                condition: Some(cond),
            })
        })
}

fn trait_(l: &Level) -> impl Strategy<Value = ItemKind> {
    let value = prop_oneof![
        4 => l.value.clone(),
        1 => score_block(l).prop_map(|sb| mk_value(ValueKind::Score(Box::new(sb)))),
    ];
    (ident(), option::of(ident()), value).prop_map(|(name, entity, value)| {
        ItemKind::Trait(Trait {
            name,
            entity,
            value,
        })
    })
}

fn report(l: &Level) -> impl Strategy<Value = ItemKind> {
    let expr = prop_oneof![
        option::of(l.cond.clone()).prop_map(MetricExpr::Count),
        l.cond.clone().prop_map(MetricExpr::Share),
        (
            select(vec![AggFunc::Sum, AggFunc::Avg, AggFunc::Min, AggFunc::Max]),
            l.value.clone()
        )
            .prop_map(|(f, v)| MetricExpr::Agg(f, v)),
    ];
    let metric = (ident(), expr).prop_map(|(name, expr)| Metric {
        name,
        expr,
        span: sp(),
    });
    (ident(), meta(), vec(ident(), 0..4), vec(metric, 0..4)).prop_map(
        |(name, meta, segments, metrics)| {
            ItemKind::Report(Report {
                name,
                meta,
                segments,
                metrics,
            })
        },
    )
}

fn split() -> impl Strategy<Value = ItemKind> {
    let group = (ident(), number()).prop_map(|(name, percent)| Group {
        name,
        percent,
        span: sp(),
    });
    (ident(), ident(), meta(), strlit(), vec(group, 0..4)).prop_map(
        |(name, segment, meta, salt, groups)| {
            ItemKind::Split(Split {
                name,
                segment,
                meta,
                salt,
                groups,
            })
        },
    )
}

fn priority() -> impl Strategy<Value = ItemKind> {
    (ident(), meta(), vec(ident(), 0..5)).prop_map(|(name, meta, segments)| {
        ItemKind::Priority(Priority {
            name,
            meta,
            segments,
        })
    })
}

fn table() -> BoxedStrategy<Table> {
    (1usize..5)
        .prop_flat_map(|n| (vec(ident(), n), vec(vec(literal(true), n), 0..4)))
        .prop_map(|(columns, rows)| Table {
            columns,
            rows,
            span: sp(),
        })
        .boxed()
}

fn test_item() -> impl Strategy<Value = ItemKind> {
    let source = prop_oneof![
        2 => table().prop_map(GivenSource::Rows),
        1 => strlit().prop_map(GivenSource::File),
    ];
    let given = (ident(), source).prop_map(|(relation, source)| Given {
        relation,
        source,
        span: sp(),
    });
    let expect = (path(), vec(literal(false), 0..4)).prop_map(|(target, members)| Expect {
        target,
        members,
        span: sp(),
    });
    (
        ident(),
        option::of(strlit()),
        time_literal(),
        vec(given, 0..3),
        vec(expect, 0..3),
    )
        .prop_map(|(name, description, as_of, givens, expects)| {
            ItemKind::Test(Test {
                name,
                description,
                as_of,
                givens,
                expects,
            })
        })
}

fn assert_item() -> impl Strategy<Value = ItemKind> {
    let check = prop_oneof![
        2 => pred().prop_map(CheckKind::Size),
        1 => ident().prop_map(CheckKind::DisjointWith),
        1 => ident().prop_map(CheckKind::SubsetOf),
    ]
    .prop_map(|kind| Check { kind, span: sp() });
    (ident(), vec(check, 0..4))
        .prop_map(|(target, checks)| ItemKind::Assert(Assert { target, checks }))
}

fn file() -> BoxedStrategy<File> {
    let l = levels(3);
    let item = prop_oneof![
        1 => entity(),
        1 => events(),
        4 => segment(&l),
        2 => trait_(&l),
        1 => report(&l),
        1 => split(),
        1 => priority(),
        1 => test_item(),
        1 => assert_item(),
    ]
    .prop_map(|kind| Item { kind, span: sp() });
    vec(item, 0..5)
        .prop_map(|items| File {
            items,
            comments: vec![],
        })
        .boxed()
}
