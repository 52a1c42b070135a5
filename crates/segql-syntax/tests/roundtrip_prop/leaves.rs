//! The leaves of the random syntax trees (see main.rs): names, strings, literals,
//! numbers, dates, durations, operators, predicates, windows and meta blocks, the
//! pieces `gen.rs` builds conditions, values and items from.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use segql_syntax::ast::*;
use segql_syntax::time::{days_from_civil, MICROS_PER_DAY};
use segql_syntax::Span;

// ---------------------------------------------------------------------------------------
// Leaves
// ---------------------------------------------------------------------------------------

pub(crate) fn sp() -> Span {
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
            "stopped", "restarted", "after", "names", "then", "times", "where", "with", "within", "segment", "entity",
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

pub(crate) fn ident() -> BoxedStrategy<Ident> {
    name().prop_map(|name| Ident { name, span: sp() }).boxed()
}

pub(crate) fn path() -> BoxedStrategy<Path> {
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

pub(crate) fn strlit() -> BoxedStrategy<StrLit> {
    string()
        .prop_map(|value| StrLit { value, span: sp() })
        .boxed()
}

pub(crate) fn comment_text() -> impl Strategy<Value = String> {
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

pub(crate) fn int_lit() -> BoxedStrategy<IntLit> {
    nonneg()
        .prop_map(|value| IntLit { value, span: sp() })
        .boxed()
}

pub(crate) fn number() -> BoxedStrategy<Number> {
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

pub(crate) fn literal(allow_null: bool) -> BoxedStrategy<Literal> {
    lit_kind(allow_null)
        .prop_map(|kind| Literal { kind, span: sp() })
        .boxed()
}

pub(crate) fn time_literal() -> BoxedStrategy<Literal> {
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

pub(crate) fn duration() -> BoxedStrategy<Duration> {
    (nonneg(), unit())
        .prop_map(|(n, unit)| Duration {
            n,
            unit,
            span: sp(),
        })
        .boxed()
}

pub(crate) fn count_quant() -> impl Strategy<Value = CountQuant> {
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

pub(crate) fn pred() -> BoxedStrategy<Pred> {
    let plain = plain_pred();
    prop_oneof![
        4 => plain.clone(),
        1 => plain.prop_map(|p| Pred::IgnoringCase(Box::new(p))),
    ]
    .boxed()
}

fn plain_pred() -> BoxedStrategy<Pred> {
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

pub(crate) fn window() -> BoxedStrategy<Window> {
    let time_point = prop_oneof![
        3 => time_literal().prop_map(TimePoint::Lit),
        3 => duration().prop_map(TimePoint::Ago),
        1 => Just(TimePoint::Now),
    ];
    prop_oneof![
        duration().prop_map(WindowKind::Last),
        (time_point.clone(), time_point.clone()).prop_map(|(a, b)| WindowKind::Between(a, b)),
        time_point.prop_map(WindowKind::Since),
        Just(WindowKind::Ever),
        (
            count_quant(),
            int_lit(),
            int_lit(),
            unit(),
            option::of(int_lit())
        )
            .prop_map(|(quant, k, n, unit, length)| WindowKind::Periods {
                quant,
                k,
                n,
                unit,
                length
            }),
    ]
    .prop_map(|kind| Window { kind, span: sp() })
    .boxed()
}

pub(crate) fn meta() -> BoxedStrategy<Meta> {
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
