//! Generators of random syntax trees the parser could have produced (see main.rs).

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

pub fn comment_text() -> impl Strategy<Value = String> {
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

fn window() -> BoxedStrategy<Window> {
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
        ValueKind::Ntile(n) => {
            n.among.is_none()
                && !n.descending
                && !n.ties_together
                && ends_with_open_aggregate(&n.value)
        }
        _ => false,
    }
}

/// A `Test`, with a predicate the parser will not read as part of the value.
fn test_kind(v: Value, p: Pred) -> CondKind {
    fn not_a_window(p: Pred) -> Pred {
        match p {
            Pred::In(ls) => Pred::NotIn(ls),
            Pred::InLast(d) => Pred::Cmp(CmpOp::Ge, Operand::Ago(d)),
            Pred::Between(a, _) => Pred::Cmp(CmpOp::Lt, a),
            Pred::IgnoringCase(p) => Pred::IgnoringCase(Box::new(not_a_window(*p))),
            p => p,
        }
    }
    let p = if ends_with_open_aggregate(&v) {
        not_a_window(p)
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
        1 => ident().prop_map(EventNames::Action),
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
            AggFunc::First,
            AggFunc::Last,
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
        1 => (
            int_lit(),
            below.value.clone(),
            any::<bool>(),
            any::<bool>(),
            option::weighted(0.3, below.cond.clone()),
        )
            .prop_map(|(k, value, descending, ties_together, among)| {
                // Words after an inner ntile are its own: only the innermost takes them.
                let inner = matches!(value.kind, ValueKind::Ntile(_));
                let (descending, ties_together, among) = if inner {
                    (false, false, None)
                } else {
                    (descending, ties_together, among)
                };
                ValueKind::Ntile(Box::new(Ntile {
                    k,
                    value,
                    descending,
                    ties_together,
                    among,
                }))
            }),
        1 => score_block(below).prop_map(|sb| ValueKind::Score(Box::new(sb))),
    ]
    .prop_map(mk_value)
    .boxed();

    let then_step =
        (step.clone(), option::of(duration())).prop_map(|(step, within)| ThenStep { step, within });
    let freq = prop_oneof![
        3 => (count_quant(), int_lit()).prop_map(|(quant, n)| Freq {
            quant,
            n,
            max: None,
            span: sp(),
        }),
        1 => (int_lit(), int_lit()).prop_map(|(n, max)| Freq {
            quant: CountQuant::AtLeast,
            n,
            max: Some(max),
            span: sp(),
        }),
    ];
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
    let stopped =
        (step.clone(), duration(), option::of(window())).prop_map(|(step, for_, window)| {
            CondKind::Stopped(Box::new(Stopped { step, for_, window }))
        });
    let restarted = (step, duration(), window()).prop_map(|(step, after, window)| {
        CondKind::Restarted(Box::new(Restarted {
            step,
            after,
            window,
        }))
    });
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
        1 => restarted,
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
        vec(extra(), 0..2),
    )
        .prop_map(|(name, description, table, key, columns, extras)| {
            ItemKind::Entity(Entity {
                name,
                description,
                table,
                key,
                columns,
                columns_span: sp(),
                extras,
            })
        })
}

fn extra() -> impl Strategy<Value = Extra> {
    (
        ident(),
        path(),
        option::of(ident()),
        vec(column(false), 1..4),
    )
        .prop_map(|(name, table, key, columns)| Extra {
            name,
            table,
            key,
            columns,
            columns_span: sp(),
            span: sp(),
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
        option::of(vec(strlit(), 1..4).prop_map(|names| NameList { names, span: sp() })),
        vec(column(false), 0..4),
    )
        .prop_map(
            |(name, entity, description, table, key, event, time, names, properties)| {
                ItemKind::Events(Events {
                    name,
                    entity,
                    description,
                    table,
                    key,
                    event,
                    time,
                    names,
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
                score_span: sp(),
                where_span: sp(),
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

fn action(l: &Level) -> impl Strategy<Value = ItemKind> {
    (ident(), option::of(ident()), vec(step(l), 1..4)).prop_map(|(name, entity, alternatives)| {
        ItemKind::Action(Action {
            name,
            entity,
            alternatives,
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
                segments_span: sp(),
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
            segments_span: sp(),
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
    let change = option::of(prop_oneof![Just(Change::Entered), Just(Change::Left)]);
    let expect =
        (path(), change, vec(literal(false), 0..4)).prop_map(|(target, change, members)| Expect {
            target,
            change,
            members,
            span: sp(),
        });
    (
        ident(),
        option::of(strlit()),
        time_literal(),
        option::of(time_literal()),
        vec(given, 0..3),
        vec(expect, 0..3),
    )
        .prop_map(|(name, description, as_of, since, givens, expects)| {
            ItemKind::Test(Test {
                name,
                description,
                as_of,
                since,
                givens,
                expects,
            })
        })
}

fn assert_item() -> impl Strategy<Value = ItemKind> {
    let check = prop_oneof![
        2 => pred().prop_map(CheckKind::Size),
        1 => (number(), any::<bool>())
            .prop_map(|(limit, percent)| CheckKind::SizeChange { limit, percent }),
        1 => ident().prop_map(CheckKind::DisjointWith),
        1 => ident().prop_map(CheckKind::SubsetOf),
    ]
    .prop_map(|kind| Check { kind, span: sp() });
    (ident(), vec(check, 0..4))
        .prop_map(|(target, checks)| ItemKind::Assert(Assert { target, checks }))
}

pub fn file() -> BoxedStrategy<File> {
    let l = levels(3);
    let item = prop_oneof![
        1 => entity(),
        1 => events(),
        4 => segment(&l),
        2 => trait_(&l),
        1 => action(&l),
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
