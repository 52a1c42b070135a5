//! The oracle's evaluation: whether a condition holds for a user (`holds`) or an
//! account (`account_holds`) at the round's `as_of`, with the calendar months, windows,
//! filters, sequences (`chain`) and ntiles it needs, and the members it expects.

use super::{
    AccountCond, Agg, AttrCond, Cmp, Cond, Filter, NtileOf, Quant, Sel, Span, Window, ACTIONS,
};
use crate::random::{Account, Round, User, DAY};
use segql_syntax::time::{civil_from_days, days_from_civil};
use std::collections::BTreeSet;

impl Cmp {
    fn holds<T: Ord>(self, x: T, v: T) -> bool {
        match self {
            Cmp::Gt => x > v,
            Cmp::Ge => x >= v,
            Cmp::Lt => x < v,
            Cmp::Le => x <= v,
            Cmp::Eq => x == v,
        }
    }
}

/// `t` (microseconds since 1970, UTC) plus `months` calendar months, the day clamped to the
/// end of a shorter month (`2024-03-31` minus one month is `2024-02-29`), the time of
/// day kept.
pub fn add_months(t: i64, months: i64) -> i64 {
    let (days, second) = (t.div_euclid(DAY), t.rem_euclid(DAY));
    let (y, m, d) = civil_from_days(days);
    let index = y * 12 + i64::from(m) - 1 + months;
    let (ny, nm) = (index.div_euclid(12), index.rem_euclid(12) as u32 + 1);
    let first = days_from_civil(ny, nm, 1);
    let (after_y, after_m) = if nm == 12 { (ny + 1, 1) } else { (ny, nm + 1) };
    let length = days_from_civil(after_y, after_m, 1) - first;
    (first + i64::from(d).min(length) - 1) * DAY + second
}

/// One event as the oracle sees it: name, instant (microseconds), properties (the
/// amount in thousandths, so that sums are exact).
struct Ev {
    name: &'static str,
    t: i64,
    amount: Option<i64>,
    page: Option<&'static str>,
}

impl Sel {
    fn matches(self, e: &Ev) -> bool {
        match self {
            Sel::Name(n) => e.name == n,
            Sel::Action(i) => ACTIONS[i]
                .alternatives
                .iter()
                .any(|(n, f)| n.is_none_or(|n| e.name == n) && f.matches(e)),
        }
    }
}

impl Window {
    fn contains(self, t: i64, as_of: i64) -> bool {
        let start = match self {
            Window::Days(n) => as_of - n * DAY,
            Window::Months(n) => add_months(as_of, -n),
            Window::Between(a, _) => as_of - a * DAY,
            Window::Ever => i64::MIN,
            Window::Since(p) => p,
        };
        let end = match self {
            Window::Between(_, b) => as_of - b * DAY,
            _ => as_of,
        };
        start <= t && t < end
    }
}

impl Span {
    fn after(self, t: i64) -> i64 {
        match self {
            Span::Days(n) => t + n * DAY,
            Span::Months(n) => add_months(t, n),
        }
    }
    fn before(self, t: i64, times: i64) -> i64 {
        match self {
            Span::Days(n) => t - times * n * DAY,
            Span::Months(n) => add_months(t, -times * n),
        }
    }
}

impl Filter {
    /// Two-valued: an unset property matches no comparison, and `not` is the complement.
    fn matches(self, e: &Ev) -> bool {
        match self {
            Filter::None => true,
            Filter::AmountGt(v) => e.amount.is_some_and(|x| x > v),
            Filter::PageEq(p) => e.page == Some(p),
            Filter::PageNotEq(p) => e.page != Some(p),
        }
    }
}

impl AttrCond {
    /// Two-valued: a comparison with an unset attribute is false.
    fn holds(&self, u: &User, round: &Round) -> bool {
        let age = u.age.map(i64::from);
        let account = round.accounts.iter().find(|c| Some(c.id) == u.account_id);
        match self {
            AttrCond::PlanEq(p) => u.plan == Some(*p),
            AttrCond::PlanNe(p) => u.plan.is_some_and(|x| x != *p),
            AttrCond::PlanNotIn(ps) => u.plan.is_some_and(|x| !ps.contains(&x)),
            AttrCond::PlanIsNotSet => u.plan.is_none(),
            // Rust's `str` order is the order of the UTF-8 bytes.
            AttrCond::CountryLt(c) => u.country.is_some_and(|x| x < *c),
            AttrCond::AgeBetween(lo, hi) => age.is_some_and(|x| *lo <= x && x <= *hi),
            AttrCond::AgeGe(v) => age.is_some_and(|x| x >= *v),
            AttrCond::CountryStartsWith(p) => u.country.is_some_and(|x| x.starts_with(p)),
            AttrCond::CountryEqIc(p) => u.country.is_some_and(|x| lower(x) == lower(p)),
            AttrCond::CountryInIc(ps) => u
                .country
                .is_some_and(|x| ps.iter().any(|p| lower(x) == lower(p))),
            AttrCond::CountryStartsWithIc(p) => {
                u.country.is_some_and(|x| lower(x).starts_with(&lower(p)))
            }
            AttrCond::CountryContainsIc(p) => {
                u.country.is_some_and(|x| lower(x).contains(&lower(p)))
            }
            AttrCond::PlanNeIc(p) => u.plan.is_some_and(|x| lower(x) != lower(p)),
            AttrCond::AccountEmployeesGe(v) => account
                .and_then(|c| c.employees)
                .is_some_and(|x| i64::from(x) >= *v),
            AttrCond::AccountIndustryEq(i) => account.is_some_and(|c| c.industry == Some(*i)),
            AttrCond::OwnerEq(o) => u.crm.is_some_and(|(x, _)| x == Some(*o)),
            AttrCond::OwnerIsNotSet => u.crm.is_none_or(|(x, _)| x.is_none()),
            AttrCond::LifetimeValueGe(v) => u.crm.and_then(|(_, x)| x).is_some_and(|x| x >= *v),
            AttrCond::AccountTierEq(t) => account
                .and_then(|c| c.billing)
                .is_some_and(|x| x == Some(*t)),
        }
    }
}

/// Unicode's simple lowercase of each character (docs/semantics.md, `ignoring case`):
/// one character for one, so `İ` is `i` (its full lowercase adds a combining dot).
fn lower(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == 'İ' {
                return 'i';
            }
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) => x,
                _ => c,
            }
        })
        .collect()
}

/// Is there a chain of events for `steps`, each strictly after the previous one and
/// within its bound, starting with an event of `steps[0]` at a time `from` allows?
fn chain(steps: &[Sel], within: &[Option<Span>], evs: &[&Ev], from: &dyn Fn(i64) -> bool) -> bool {
    let Some((first, rest)) = steps.split_first() else {
        return true;
    };
    evs.iter()
        .filter(|e| first.matches(e) && from(e.t))
        .any(|e| {
            let t = e.t;
            let bound = within.first().copied().flatten();
            rest.is_empty()
                || chain(rest, &within[1..], evs, &|u| {
                    t < u && bound.is_none_or(|b| u <= b.after(t))
                })
        })
}

/// A user's events that happened at some instant. An event without a time (NULL) is at
/// no instant, so it is in no window and before no `as_of`: it never counts, in any
/// condition (as events at or after `as_of`, which every window and `named` below
/// leave out).
fn events_of(round: &Round, u: &User) -> Vec<Ev> {
    round
        .events
        .iter()
        .filter(|e| e.user == u.id)
        .filter_map(|e| {
            Some(Ev {
                name: e.name,
                t: e.time?,
                amount: e.amount,
                page: e.page,
            })
        })
        .collect()
}

/// `sum(amount) of "NAME" in last DAYS days`: 0 without a set amount.
fn sum_amount(evs: &[Ev], name: &str, days: i64, a: i64) -> i64 {
    evs.iter()
        .filter(|e| e.name == name && Window::Days(days).contains(e.t, a))
        .filter_map(|e| e.amount)
        .sum()
}

/// How an ntile ranks: the direction, whether ties share a bucket, the population.
struct Ranking<'c> {
    k: usize,
    of: NtileOf,
    descending: bool,
    ties_together: bool,
    among: Option<&'c Cond>,
}

/// The bucket (1 to k) of `u` in an ntile, or `None` outside its population. The
/// population (every user, or those `among` holds for) sorted by the value: ascending
/// with unset first, or descending with unset last. Without `ties_together`, ties by
/// key (strings by their bytes), dealt as SQL's NTILE deals: the first `n % k` buckets
/// take one entity more. With it, `(rank - 1) * k / n + 1` (rounded down), where rank
/// is 1 + the number of users whose value comes strictly before.
fn ntile(round: &Round, u: &User, r: &Ranking) -> Option<i64> {
    let a = round.as_of_micros();
    let value = |v: &User| -> Option<i64> {
        match r.of {
            NtileOf::Age => v.age.map(i64::from),
            NtileOf::SumAmount { name, days } => {
                Some(sum_amount(&events_of(round, v), name, days, a))
            }
        }
    };
    let population: Vec<&User> = round
        .users
        .iter()
        .filter(|v| r.among.is_none_or(|c| holds(c, round, v)))
        .collect();
    if !population.iter().any(|v| v.id == u.id) {
        return None;
    }
    // A sort key that orders the values as the ntile does.
    let rank_key = |x: Option<i64>| -> (bool, i64) {
        match (r.descending, x) {
            (false, None) => (false, i64::MIN),
            (false, Some(x)) => (true, x),
            (true, Some(x)) => (false, -x),
            (true, None) => (true, 0),
        }
    };
    let mut order: Vec<((bool, i64), &str)> = population
        .iter()
        .map(|v| (rank_key(value(v)), v.id.as_str()))
        .collect();
    order.sort();
    let (n, k) = (order.len(), r.k);
    if r.ties_together {
        let mine = rank_key(value(u));
        let before = order.iter().filter(|(x, _)| *x < mine).count();
        return Some((before * k / n) as i64 + 1);
    }
    let p = order
        .iter()
        .position(|(_, id)| *id == u.id)
        .expect("a user of the population");
    let (q, rem) = (n / k, n % k);
    let bucket = if p < rem * (q + 1) {
        p / (q + 1)
    } else {
        rem + (p - rem * (q + 1)) / q
    };
    Some(bucket as i64 + 1)
}

fn holds(c: &Cond, round: &Round, u: &User) -> bool {
    let a = round.as_of_micros();
    let evs = &events_of(round, u);
    let named = |sel: &Sel| {
        let sel = *sel;
        evs.iter().filter(move |e| sel.matches(e) && e.t < a)
    };
    match c {
        Cond::And(x, y) => holds(x, round, u) && holds(y, round, u),
        Cond::Or(x, y) => holds(x, round, u) || holds(y, round, u),
        Cond::Not(x) => !holds(x, round, u),
        Cond::Attr(x) => x.holds(u, round),
        Cond::In(j) => holds(&round.conds[*j], round, u),
        Cond::Score { rules, cmp, value } => {
            let score: i64 = rules
                .iter()
                .filter(|(_, c)| holds(c, round, u))
                .map(|(w, _)| w)
                .sum();
            cmp.holds(score, *value)
        }
        Cond::Ntile {
            k,
            of,
            descending,
            ties_together,
            among,
            cmp,
            bucket,
        } => {
            let r = Ranking {
                k: *k,
                of: *of,
                descending: *descending,
                ties_together: *ties_together,
                among: among.as_deref(),
            };
            // Outside the population there is no bucket: no comparison holds.
            ntile(round, u, &r).is_some_and(|b| cmp.holds(b, *bucket))
        }
        Cond::Did {
            names,
            window,
            times: (cmp, k),
            filter,
        } => {
            let n = evs
                .iter()
                .filter(|e| names.as_ref().is_none_or(|ns| ns.contains(&e.name)))
                .filter(|e| window.contains(e.t, a))
                .filter(|e| filter.matches(e))
                .count();
            cmp.holds(n, *k)
        }
        Cond::DidAction {
            action,
            window,
            times: (cmp, k),
            filter,
        } => {
            let n = evs
                .iter()
                .filter(|e| Sel::Action(*action).matches(e) && filter.matches(e))
                .filter(|e| window.contains(e.t, a))
                .count();
            cmp.holds(n, *k)
        }
        Cond::Agg {
            agg,
            name,
            window,
            cmp,
            value,
        } => {
            // Thousandths: sums and averages are exact, as decimal arithmetic is.
            let xs: Vec<i64> = named(name)
                .filter(|e| window.contains(e.t, a))
                .filter_map(|e| e.amount)
                .collect();
            let sum: i64 = xs.iter().sum();
            let n = xs.len() as i64;
            match agg {
                // Unset without a value: no comparison holds.
                Agg::Sum => cmp.holds(sum, *value),
                Agg::Avg => n > 0 && cmp.holds(sum, value * n),
                Agg::Min => xs.iter().min().is_some_and(|&x| cmp.holds(x, *value)),
                Agg::Max => xs.iter().max().is_some_and(|&x| cmp.holds(x, *value)),
                Agg::CountDistinct => {
                    // Distinct values, not texts: 10 and 10.000 are one value.
                    let distinct: BTreeSet<i64> = xs.iter().copied().collect();
                    cmp.holds(distinct.len() as i64, *value)
                }
                Agg::First | Agg::Last => {
                    let set = named(name)
                        .filter(|e| window.contains(e.t, a))
                        .filter_map(|e| Some((e.t, e.amount?)));
                    let picked = if matches!(agg, Agg::Last) {
                        set.max()
                    } else {
                        set.min()
                    };
                    picked.is_some_and(|(_, x)| cmp.holds(x, *value))
                }
            }
        }
        Cond::PageOf {
            last,
            name,
            window,
            page,
        } => {
            let set = named(name)
                .filter(|e| window.contains(e.t, a))
                .filter_map(|e| Some((e.t, e.page?)));
            let picked = if *last { set.max() } else { set.min() };
            picked.is_some_and(|(_, p)| p == *page)
        }
        Cond::LastTimeBefore { name, days } => named(name)
            .map(|e| e.t)
            .max()
            .is_some_and(|t| t < a - days * DAY),
        Cond::FirstTimeIn { name, days } => named(name)
            .map(|e| e.t)
            .min()
            .is_some_and(|t| Window::Days(*days).contains(t, a)),
        Cond::Stopped { name, days, within } => {
            // Done before the last DAYS days (and inside the window, if given), not in them.
            let from = within.map_or(i64::MIN, |w| a - w * DAY);
            named(name).any(|e| from <= e.t && e.t < a - days * DAY)
                && !named(name).any(|e| Window::Days(*days).contains(e.t, a))
        }
        Cond::Restarted {
            name,
            after,
            recent,
        } => {
            // Done before the lapse, never in it, again in the last RECENT days; the lapse
            // is the AFTER days just before them.
            let lapse = (a - (recent + after) * DAY, a - recent * DAY);
            named(name).any(|e| e.t < lapse.0)
                && !named(name).any(|e| lapse.0 <= e.t && e.t < lapse.1)
                && named(name).any(|e| Window::Days(*recent).contains(e.t, a))
        }
        Cond::Then {
            steps,
            within,
            window,
        } => {
            // With a window, every step must be inside it.
            let inside: Vec<&Ev> = evs.iter().filter(|e| window.contains(e.t, a)).collect();
            chain(steps, within, &inside, &|_| true)
        }
        Cond::Regularly {
            name,
            min_events,
            at_least,
            periods,
            period,
        } => {
            let active = (0..*periods)
                .filter(|&i| {
                    let (start, end) = (period.before(a, i + 1), period.before(a, i));
                    named(name).filter(|e| start <= e.t && e.t < end).count() >= *min_events
                })
                .count();
            active >= *at_least
        }
    }
}

fn account_holds(c: &AccountCond, round: &Round, acc: &Account) -> bool {
    match c {
        AccountCond::And(x, y) => account_holds(x, round, acc) && account_holds(y, round, acc),
        AccountCond::Or(x, y) => account_holds(x, round, acc) || account_holds(y, round, acc),
        AccountCond::Not(x) => !account_holds(x, round, acc),
        AccountCond::EmployeesGe(v) => acc.employees.is_some_and(|x| i64::from(x) >= *v),
        AccountCond::IndustryEq(i) => acc.industry == Some(*i),
        AccountCond::TierEq(t) => acc.billing.is_some_and(|x| x == Some(*t)),
        AccountCond::Quant(q, cond) => {
            let related: Vec<&User> = round
                .users
                .iter()
                .filter(|u| u.account_id == Some(acc.id))
                .collect();
            let n = related.iter().filter(|u| holds(cond, round, u)).count();
            match q {
                Quant::Any => n >= 1,
                Quant::No => n == 0,
                Quant::All => !related.is_empty() && n == related.len(),
                Quant::AtLeast(k) => n >= *k,
                Quant::AtMost(k) => n <= *k,
                Quant::Exactly(k) => n == *k,
            }
        }
    }
}

/// The oracle's members of the round's segment `name` (`s<i>` of users, `t<i>` of
/// accounts): each member's key once, sorted (a multiset to compare results with, as
/// `keys::Keys::of`).
pub fn expected(round: &Round, name: &str) -> Vec<String> {
    let index = |prefix| {
        name.strip_prefix(prefix)
            .and_then(|i| i.parse::<usize>().ok())
    };
    match (index('s'), index('t')) {
        (Some(i), _) => members(&round.conds[i], round),
        (_, Some(i)) => account_members(&round.account_conds[i], round),
        _ => panic!("{name} is not a segment of the round"),
    }
}

/// The members of an account condition among the round's accounts.
pub fn account_members(cond: &AccountCond, round: &Round) -> Vec<String> {
    let mut keys: Vec<String> = round
        .accounts
        .iter()
        .filter(|c| account_holds(cond, round, c))
        .map(|c| c.id.to_string())
        .collect();
    keys.sort();
    keys
}

/// The members of `cond` among the round's users, at the round's `as_of`.
pub fn members(cond: &Cond, round: &Round) -> Vec<String> {
    let mut keys: Vec<String> = round
        .users
        .iter()
        .filter(|u| holds(cond, round, u))
        .map(|u| u.id.clone())
        .collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{Event, SECOND};

    fn at(y: i64, m: u32, d: u32, h: i64) -> i64 {
        days_from_civil(y, m, d) * DAY + h * 3600 * SECOND
    }

    #[test]
    fn months_clamp_to_the_end_of_a_shorter_month() {
        assert_eq!(add_months(at(2024, 3, 31, 10), -1), at(2024, 2, 29, 10));
        assert_eq!(add_months(at(2023, 3, 31, 10), -1), at(2023, 2, 28, 10));
        assert_eq!(add_months(at(2024, 1, 31, 0), 1), at(2024, 2, 29, 0));
        assert_eq!(add_months(at(2024, 6, 1, 0), -4), at(2024, 2, 1, 0));
        assert_eq!(add_months(at(2024, 1, 15, 5), -13), at(2022, 12, 15, 5));
        assert_eq!(add_months(at(2024, 12, 31, 0), 2), at(2025, 2, 28, 0));
    }

    #[test]
    fn windows_are_half_open() {
        let a = at(2024, 6, 1, 0);
        assert!(Window::Days(7).contains(a - 7 * DAY, a));
        assert!(!Window::Days(7).contains(a - 7 * DAY - 1, a));
        assert!(!Window::Days(7).contains(a, a));
        assert!(Window::Between(30, 7).contains(a - 30 * DAY, a));
        assert!(!Window::Between(30, 7).contains(a - 7 * DAY, a));
        assert!(Window::Months(1).contains(at(2024, 5, 1, 0), a));
        let may = at(2024, 5, 1, 0);
        assert!(Window::Since(may).contains(may, a));
        assert!(!Window::Since(may).contains(may - 1, a));
        assert!(!Window::Since(may).contains(a, a));
        assert!(!Window::Since(a).contains(a - 1, a));
        assert!(!Window::Months(1).contains(at(2024, 5, 1, 0) - 1, a));
    }

    /// A round of one user `u0` at `2024-06-01T00:00:00Z` with the given events
    /// (name, time, amount in thousandths).
    fn one_user(events: &[(&'static str, Option<i64>, Option<i64>)]) -> Round {
        Round {
            text: String::new(),
            conds: vec![],
            account_conds: vec![],
            as_of: "2024-06-01T00:00:00Z",
            accounts: vec![],
            users: vec![User {
                id: "u0".into(),
                plan: None,
                country: None,
                age: None,
                account_id: None,
                crm: None,
            }],
            events: events
                .iter()
                .map(|&(name, time, amount)| Event {
                    user: "u0".into(),
                    name,
                    time,
                    amount,
                    page: None,
                })
                .collect(),
        }
    }

    fn did_a(window: Window) -> Cond {
        Cond::Did {
            names: Some(vec!["a"]),
            window,
            times: (Cmp::Ge, 1),
            filter: Filter::None,
        }
    }

    #[test]
    fn events_at_or_after_as_of_or_without_a_time_never_count() {
        let a = at(2024, 6, 1, 0);
        for time in [Some(a), Some(a + 1), Some(a + DAY), None] {
            let rd = one_user(&[("a", time, Some(100))]);
            for c in [did_a(Window::Days(7)), did_a(Window::Ever)] {
                assert!(members(&c, &rd).is_empty(), "{time:?} {c:?}");
            }
            let last = Cond::LastTimeBefore {
                name: Sel::Name("a"),
                days: 1,
            };
            assert!(members(&last, &rd).is_empty(), "{time:?}");
        }
        // A microsecond before as_of counts.
        let rd = one_user(&[("a", Some(a - 1), None)]);
        assert_eq!(members(&did_a(Window::Days(1)), &rd), ["u0"]);
    }

    #[test]
    fn decimal_sums_and_averages_are_exact() {
        let a = at(2024, 6, 1, 0);
        let sum_is = |value| Cond::Agg {
            agg: Agg::Sum,
            name: Sel::Name("a"),
            window: Window::Ever,
            cmp: Cmp::Eq,
            value,
        };
        let rd = one_user(&[
            ("a", Some(a - DAY), Some(100)),
            ("a", Some(a - 2 * DAY), Some(200)),
        ]);
        assert_eq!(members(&sum_is(300), &rd), ["u0"]);
        let rd = one_user(&[
            ("a", Some(a - DAY), Some(100)),
            ("a", Some(a - DAY), Some(200)),
            ("a", Some(a - DAY), Some(300)),
        ]);
        let avg_is = Cond::Agg {
            agg: Agg::Avg,
            name: Sel::Name("a"),
            window: Window::Ever,
            cmp: Cmp::Eq,
            value: 200,
        };
        assert_eq!(members(&avg_is, &rd), ["u0"]);
    }
}
