//! Generators of random syntax trees the parser could have produced (see main.rs).

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use segql_syntax::ast::*;

use super::leaves::*;

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
