//! The generator's single conditions (`leaf`): what users did (counts, windows,
//! aggregates, lapses, sequences, periods, actions) and their attributes, each as text
//! and as the oracle's `Cond`, with the small pickers they use (`within`, `sel`, ...).

use super::{
    decimal, Agg, AttrCond, Cmp, Cond, Filter, Rng, Sel, Span, Window, ACTIONS, DAYS, MONTHS,
    NAMES, SINCE, SMALL_AMOUNTS,
};

/// `within N days`, `within N weeks` or `within N months`, as text and span.
fn within(r: &mut Rng) -> (String, Span) {
    match r.below(3) {
        0 => {
            let n = *r.pick(&DAYS);
            (format!("{n} days"), Span::Days(n))
        }
        1 => {
            let w = 1 + r.below(3) as i64;
            (format!("{w} weeks"), Span::Days(7 * w))
        }
        _ => {
            let m = *r.pick(&MONTHS);
            (format!("{m} months"), Span::Months(m))
        }
    }
}

/// A condition that refers to no segment and holds no score or ntile.
pub(super) fn leaf(r: &mut Rng) -> (String, Cond) {
    let e = *r.pick(&NAMES);
    let n = *r.pick(&DAYS);
    // The events of most forms: `"e"`, or one time in three an action of the rounds.
    let s = sel(r, e);
    let st = s.text();
    let did = |names: Option<Vec<&'static str>>, window, times, filter| Cond::Did {
        names,
        window,
        times,
        filter,
    };
    // `did "e"`, the most common form.
    let did_e = |window, times, filter| did(Some(vec![e]), window, times, filter);
    let agg = |agg, window, cmp, value| Cond::Agg {
        agg,
        name: s,
        window,
        cmp,
        value,
    };
    let once = (Cmp::Ge, 1);
    match r.below(49) {
        0 => (
            format!("did \"{e}\" in last {n} days"),
            did_e(Window::Days(n), once, Filter::None),
        ),
        1 => {
            let k = 2 + r.below(2);
            (
                format!("did \"{e}\" at least {k} times in last {n} days"),
                did_e(Window::Days(n), (Cmp::Ge, k), Filter::None),
            )
        }
        2 => {
            // Two different lengths, the longer first.
            let i = r.below(DAYS.len() - 1);
            let j = i + 1 + r.below(DAYS.len() - 1 - i);
            let (a, b) = (DAYS[j], DAYS[i]);
            let between = did_e(Window::Between(a, b), once, Filter::None);
            if r.below(2) == 0 {
                (
                    format!("did \"{e}\" between {a} days ago and {b} days ago"),
                    between,
                )
            } else {
                // And nothing since: a batch with the last time of "e" tests it by that
                // (`plan::rewrite`).
                let since = did_e(Window::Days(b), once, Filter::None);
                (
                    format!(
                        "(did \"{e}\" between {a} days ago and {b} days ago \
                         and not did \"{e}\" in last {b} days)"
                    ),
                    Cond::And(Box::new(between), Box::new(Cond::Not(Box::new(since)))),
                )
            }
        }
        3 => (
            format!("sum(amount) of {st} in last {n} days >= 20"),
            agg(Agg::Sum, Window::Days(n), Cmp::Ge, 20_000),
        ),
        4 => (
            format!("last time of {st} < {n} days ago"),
            Cond::LastTimeBefore { name: s, days: n },
        ),
        5 => (
            format!("first time of {st} in last {n} days"),
            Cond::FirstTimeIn { name: s, days: n },
        ),
        6 => {
            let m = *r.pick(&MONTHS);
            (
                format!("did \"{e}\" in last {m} months"),
                did_e(Window::Months(m), once, Filter::None),
            )
        }
        7 => (
            format!("not did \"{e}\" in last {n} days"),
            Cond::Not(Box::new(did_e(Window::Days(n), once, Filter::None))),
        ),
        8 => match r.below(3) {
            0 => (
                format!("stopped {st} for {n} days"),
                Cond::Stopped {
                    name: s,
                    days: n,
                    within: None,
                },
            ),
            1 => lapse_in_window(r, s, n),
            _ => restarted(r, s, n),
        },
        // Two steps, with or without `within` (DuckDB hash-aggregates them per bucket
        // of the `within`, or per key without one).
        9 => {
            let f = *r.pick(&NAMES);
            let (text, span) = match r.below(4) {
                0 => (String::new(), None),
                _ => {
                    let (t, s) = within(r);
                    (format!(" within {t}"), Some(s))
                }
            };
            (
                format!("did {st} then \"{f}\"{text}"),
                Cond::Then {
                    steps: vec![s, Sel::Name(f)],
                    within: vec![span],
                    window: Window::Ever,
                },
            )
        }
        10 => {
            // Periods of one or two months, each counted back from as_of.
            let periods = 2 + r.below(3) as i64;
            let length = 1 + r.below(2) as i64;
            let unit = if length == 1 {
                format!("{periods} months")
            } else {
                format!("{periods} periods of {length} months")
            };
            (
                format!("did {st} in at least 2 of last {unit}"),
                Cond::Regularly {
                    name: s,
                    min_events: 1,
                    at_least: 2,
                    periods,
                    period: Span::Months(length),
                },
            )
        }
        11 => {
            // One or two events in each counted week.
            let periods = 2 + r.below(8) as i64;
            let min_events = 1 + r.below(2);
            let times = if min_events == 1 {
                String::new()
            } else {
                format!(" at least {min_events} times")
            };
            (
                format!("did {st}{times} in at least 2 of last {periods} weeks"),
                Cond::Regularly {
                    name: s,
                    min_events,
                    at_least: 2,
                    periods,
                    period: Span::Days(7),
                },
            )
        }
        12 => (
            format!("avg(amount) of {st} in last {n} days > 12"),
            agg(Agg::Avg, Window::Days(n), Cmp::Gt, 12_000),
        ),
        13 => (
            format!("max(amount) of {st} in last {n} days >= 20"),
            agg(Agg::Max, Window::Days(n), Cmp::Ge, 20_000),
        ),
        14 => (
            format!("min(amount) of {st} < 10"),
            agg(Agg::Min, Window::Ever, Cmp::Lt, 10_000),
        ),
        15 => (
            format!("count distinct(amount) of {st} in last {n} days >= 2"),
            agg(Agg::CountDistinct, Window::Days(n), Cmp::Ge, 2),
        ),
        16 => {
            let v = *r.pick(&[10_000, 150]);
            (
                format!("did \"{e}\" with amount > {} in last {n} days", decimal(v)),
                did_e(Window::Days(n), once, Filter::AmountGt(v)),
            )
        }
        17 => {
            let f = *r.pick(&NAMES);
            (
                format!("did [\"{e}\", \"{f}\"] in last {n} days"),
                did(Some(vec![e, f]), Window::Days(n), once, Filter::None),
            )
        }
        18 => (
            format!("did any event in last {n} days"),
            did(None, Window::Days(n), once, Filter::None),
        ),
        19 => (
            format!("did \"{e}\" with page = \"/pricing\" in last {n} days"),
            did_e(Window::Days(n), once, Filter::PageEq("/pricing")),
        ),
        20 => (
            format!("did \"{e}\" with not (page = \"/pricing\") in last {n} days"),
            did_e(Window::Days(n), once, Filter::PageNotEq("/pricing")),
        ),
        21 => (
            format!("did \"{e}\" at most 1 time in last {n} days"),
            did_e(Window::Days(n), (Cmp::Le, 1), Filter::None),
        ),
        22 => (
            format!("did \"{e}\" exactly 0 times in last {n} days"),
            did_e(Window::Days(n), (Cmp::Eq, 0), Filter::None),
        ),
        23 => {
            let f = *r.pick(&NAMES);
            let g = *r.pick(&NAMES);
            let (w1, s1) = within(r);
            let (w2, s2) = within(r);
            let three = Cond::Then {
                steps: vec![s, Sel::Name(f), Sel::Name(g)],
                within: vec![Some(s1), Some(s2)],
                window: Window::Ever,
            };
            let text = format!("did {st} then \"{f}\" within {w1} then \"{g}\" within {w2}");
            if r.below(3) > 0 {
                return (text, three);
            }
            // A funnel's drop-outs: its first two steps, not the third. In time buckets
            // the two steps are the keys of the three's valid second steps.
            let two = Cond::Then {
                steps: vec![s, Sel::Name(f)],
                within: vec![Some(s1)],
                window: Window::Ever,
            };
            (
                format!("(did {st} then \"{f}\" within {w1} and not {text})"),
                Cond::And(Box::new(two), Box::new(Cond::Not(Box::new(three)))),
            )
        }
        24 => {
            let f = *r.pick(&NAMES);
            let g = *r.pick(&NAMES);
            let (w, span) = within(r);
            (
                format!("did {st} then \"{f}\" then \"{g}\" within {w} in last {n} days"),
                Cond::Then {
                    steps: vec![s, Sel::Name(f), Sel::Name(g)],
                    within: vec![None, Some(span)],
                    window: Window::Days(n),
                },
            )
        }
        25 => {
            // Periods of one to three days, with one or two events in each.
            let periods = 2 + r.below(9) as i64;
            let length = 1 + r.below(3) as i64;
            let min_events = 1 + r.below(2);
            let unit = if length == 1 {
                format!("{periods} days")
            } else {
                format!("{periods} periods of {length} days")
            };
            let times = if min_events == 1 {
                String::new()
            } else {
                format!(" at least {min_events} times")
            };
            (
                format!("did {st}{times} in at least 2 of last {unit}"),
                Cond::Regularly {
                    name: s,
                    min_events,
                    at_least: 2,
                    periods,
                    period: Span::Days(length),
                },
            )
        }
        26 => attr(r, "plan = \"trial\"", AttrCond::PlanEq("trial")),
        27 => attr(r, "plan != \"trial\"", AttrCond::PlanNe("trial")),
        28 => attr(
            r,
            "plan not in [\"trial\", \"pro\"]",
            AttrCond::PlanNotIn(vec!["trial", "pro"]),
        ),
        29 => attr(r, "plan is not set", AttrCond::PlanIsNotSet),
        30 => attr(r, "country < \"M\"", AttrCond::CountryLt("M")),
        31 => attr(r, "age between 18 and 30", AttrCond::AgeBetween(18, 30)),
        32 => attr(r, "age >= 18", AttrCond::AgeGe(18)),
        33 => attr(
            r,
            "account.employees >= 50",
            AttrCond::AccountEmployeesGe(50),
        ),
        34 => attr(
            r,
            "account.industry = \"software\"",
            AttrCond::AccountIndustryEq("software"),
        ),
        // Columns of extra tables: unset when the row is missing.
        48 => match r.below(4) {
            0 => attr(r, "owner = \"ann\"", AttrCond::OwnerEq("ann")),
            1 => attr(r, "owner is not set", AttrCond::OwnerIsNotSet),
            2 => attr(r, "lifetime_value >= 10", AttrCond::LifetimeValueGe(10_000)),
            _ => attr(
                r,
                "account.tier = \"gold\"",
                AttrCond::AccountTierEq("gold"),
            ),
        },
        // Exact decimals: 0.1 + 0.2 is 0.3, and the average of 0.1, 0.2 and 0.3 is 0.2.
        36 => {
            let v = *r.pick(&SMALL_AMOUNTS);
            (
                format!("sum(amount) of {st} in last {n} days = {}", decimal(v)),
                agg(Agg::Sum, Window::Days(n), Cmp::Eq, v),
            )
        }
        37 => (
            format!("avg(amount) of {st} = 0.2"),
            agg(Agg::Avg, Window::Ever, Cmp::Eq, 200),
        ),
        // Counts between bounds: both included; a lower bound of 0 counts those
        // without events.
        40 => {
            let lo = r.below(3);
            let hi = lo + r.below(3);
            (
                format!("did \"{e}\" between {lo} and {hi} times in last {n} days"),
                Cond::And(
                    Box::new(did_e(Window::Days(n), (Cmp::Ge, lo), Filter::None)),
                    Box::new(did_e(Window::Days(n), (Cmp::Le, hi), Filter::None)),
                ),
            )
        }
        // Windows from an instant to as_of: each instant is where a month back from one
        // of the as_ofs lands (so events sit on it), or one of the as_ofs itself.
        39 => {
            let (p, micros) = *r.pick(&SINCE);
            match r.below(5) {
                0 => (
                    format!("did \"{e}\" since {p}"),
                    did_e(Window::Since(micros), once, Filter::None),
                ),
                1 => (
                    format!("did \"{e}\" between {p} and now"),
                    did_e(Window::Since(micros), once, Filter::None),
                ),
                2 => (
                    format!("did \"{e}\" since {n} days ago"),
                    did_e(Window::Days(n), once, Filter::None),
                ),
                3 => (
                    format!("count of \"{e}\" since {p} >= 2"),
                    did_e(Window::Since(micros), (Cmp::Ge, 2), Filter::None),
                ),
                _ => (
                    format!("sum(amount) of {st} since {p} >= 20"),
                    agg(Agg::Sum, Window::Since(micros), Cmp::Ge, 20_000),
                ),
            }
        }
        41 => lapse_in_window(r, s, n),
        // An action counted, with a filter of its own on top of the action's.
        43 | 44 => {
            let action = any_action(r);
            let k = 1 + r.below(2);
            let (with, filter) = match r.below(3) {
                0 => (" with amount > 10".to_string(), Filter::AmountGt(10_000)),
                1 => (
                    " with page = \"/pricing\"".to_string(),
                    Filter::PageEq("/pricing"),
                ),
                _ => (String::new(), Filter::None),
            };
            (
                format!(
                    "did {}{with} at least {k} times in last {n} days",
                    ACTIONS[action].name
                ),
                Cond::DidAction {
                    action,
                    window: Window::Days(n),
                    times: (Cmp::Ge, k),
                    filter,
                },
            )
        }
        42 => restarted(r, s, n),
        // The value of the first or last event with one: edge times make ties at one
        // instant common, which the value breaks.
        45 => (
            format!("last(amount) of {st} in last {n} days >= 20"),
            agg(Agg::Last, Window::Days(n), Cmp::Ge, 20_000),
        ),
        46 => (
            format!("first(amount) of {st} < 10"),
            agg(Agg::First, Window::Ever, Cmp::Lt, 10_000),
        ),
        47 => {
            let last = r.below(2) == 0;
            let which = if last { "last" } else { "first" };
            let page = *r.pick(&["/pricing", "/docs"]);
            let (window, wtext) = if r.below(2) == 0 {
                (Window::Days(n), format!(" in last {n} days"))
            } else {
                (Window::Ever, String::new())
            };
            (
                format!("{which}(page) of {st}{wtext} = \"{page}\""),
                Cond::PageOf {
                    last,
                    name: s,
                    window,
                    page,
                },
            )
        }
        38 => {
            let (text, c) = match r.below(5) {
                0 => ("country = \"FR\"", AttrCond::CountryEqIc("FR")),
                1 => (
                    "country in [\"izmir\", \"é\"]",
                    AttrCond::CountryInIc(vec!["izmir", "é"]),
                ),
                2 => (
                    "country starts with \"İz\"",
                    AttrCond::CountryStartsWithIc("İz"),
                ),
                3 => ("country contains \"R\"", AttrCond::CountryContainsIc("R")),
                _ => ("plan != \"PRO\"", AttrCond::PlanNeIc("PRO")),
            };
            attr(r, &format!("{text} ignoring case"), c)
        }
        _ => {
            let prefix = *r.pick(&["F", "É", "M"]);
            attr(
                r,
                &format!("country starts with \"{prefix}\""),
                AttrCond::CountryStartsWith(prefix),
            )
        }
    }
}

/// An attribute condition, negated one time in three.
fn attr(r: &mut Rng, text: &str, c: AttrCond) -> (String, Cond) {
    if r.below(3) == 0 {
        (format!("not ({text})"), Cond::Not(Box::new(Cond::Attr(c))))
    } else {
        (text.to_string(), Cond::Attr(c))
    }
}

/// `stopped "E" for N days in last W days`: done in the last W days, not in the last N.
/// One of the rounds' actions, from the generator's high bits: its low bits right after
/// another small pick are not independent of that pick.
fn any_action(r: &mut Rng) -> usize {
    ((r.next_u64() >> 32) % ACTIONS.len() as u64) as usize
}

/// `"e"`, or one time in three one of the rounds' actions.
fn sel(r: &mut Rng, e: &'static str) -> Sel {
    if r.below(3) == 0 {
        Sel::Action(any_action(r))
    } else {
        Sel::Name(e)
    }
}

fn lapse_in_window(r: &mut Rng, e: Sel, n: i64) -> (String, Cond) {
    let longer: Vec<i64> = DAYS.iter().copied().filter(|&d| d > n).collect();
    let w = if longer.is_empty() {
        n + 1
    } else {
        *r.pick(&longer)
    };
    (
        format!("stopped {} for {n} days in last {w} days", e.text()),
        Cond::Stopped {
            name: e,
            days: n,
            within: Some(w),
        },
    )
}

/// `restarted "E" after N days in last R days`: done before, nothing for N days, again
/// in the last R.
fn restarted(r: &mut Rng, e: Sel, n: i64) -> (String, Cond) {
    let recent = *r.pick(&DAYS);
    (
        format!(
            "restarted {} after {n} days in last {recent} days",
            e.text()
        ),
        Cond::Restarted {
            name: e,
            after: n,
            recent,
        },
    )
}
