//! The generator's composite conditions: one or two conditions of a segment of users
//! (`and`, `or not`), memberships of earlier segments, scores and ntiles (with how they
//! rank), and the conditions of account segments (quantifiers over an account's users,
//! tests of its own columns). Their single conditions come from `leaves`.

use super::leaves::leaf;
use super::{AccountCond, Cmp, Cond, Filter, NtileOf, Quant, Rng, Window, DAYS, NAMES};

/// One random condition of segment `s<earlier>`: its text and what it means (for the
/// oracle). It may refer to the segments before it.
pub fn condition(r: &mut Rng, earlier: usize) -> (String, Cond) {
    // One in four: two conditions, so that single statements have several columns too.
    match r.below(8) {
        0 => {
            let (a, ca) = one_condition(r, earlier);
            let (b, cb) = one_condition(r, earlier);
            (
                format!("{a} and {b}"),
                Cond::And(Box::new(ca), Box::new(cb)),
            )
        }
        1 => {
            let (a, ca) = one_condition(r, earlier);
            let (b, cb) = one_condition(r, earlier);
            (
                format!("{a} or not ({b})"),
                Cond::Or(Box::new(ca), Box::new(Cond::Not(Box::new(cb)))),
            )
        }
        _ => one_condition(r, earlier),
    }
}

fn one_condition(r: &mut Rng, earlier: usize) -> (String, Cond) {
    match r.below(40) {
        // Membership of an earlier segment (the first segment has none to refer to).
        0..=1 if earlier > 0 => {
            let j = r.below(earlier);
            (format!("in s{j}"), Cond::In(j))
        }
        2..=3 => {
            let mut text = String::from("score {");
            let mut rules = Vec::new();
            for _ in 0..2 + r.below(2) {
                let w = *r.pick(&[10, 20, -5]);
                let (t, c) = leaf(r);
                text.push_str(&format!("\n    {w} if {t}"));
                rules.push((w, c));
            }
            let value = *r.pick(&[0, 10, 15, 20]);
            (
                format!("{text}\n  }} >= {value}"),
                Cond::Score {
                    rules,
                    cmp: Cmp::Ge,
                    value,
                },
            )
        }
        4 => {
            let k = 2 + r.below(3);
            let bucket = 1 + r.below(k) as i64;
            let (words, ranking) = ranking(r, earlier);
            let (descending, ties_together, among) = ranking;
            (
                format!("ntile({k}) of age{words} >= {bucket}"),
                Cond::Ntile {
                    k,
                    of: NtileOf::Age,
                    descending,
                    ties_together,
                    among,
                    cmp: Cmp::Ge,
                    bucket,
                },
            )
        }
        5 => {
            let k = 2 + r.below(3);
            let e = *r.pick(&NAMES);
            let n = *r.pick(&DAYS);
            let (words, (descending, ties_together, among)) = ranking(r, earlier);
            (
                format!("ntile({k}) of sum(amount) of \"{e}\" in last {n} days{words} = {k}"),
                Cond::Ntile {
                    k,
                    of: NtileOf::SumAmount { name: e, days: n },
                    descending,
                    ties_together,
                    among,
                    cmp: Cmp::Eq,
                    bucket: k as i64,
                },
            )
        }
        _ => leaf(r),
    }
}

/// How an ntile ranks, as words after its value: half the time as written before
/// (ascending, ties by key, everyone), else descending, ties together and a population
/// (a condition, or an earlier segment), each one time in two.
type Ranking = (bool, bool, Option<Box<Cond>>);

fn ranking(r: &mut Rng, earlier: usize) -> (String, Ranking) {
    if r.below(2) == 0 {
        return (String::new(), (false, false, None));
    }
    let mut words = String::new();
    let descending = r.below(2) == 0;
    if descending {
        words.push_str(" descending");
    }
    let ties_together = r.below(2) == 0;
    if ties_together {
        words.push_str(" ties together");
    }
    let among = match r.below(4) {
        0 | 1 => None,
        2 if earlier > 0 => {
            let j = r.below(earlier);
            words.push_str(&format!(" among s{j}"));
            Some(Box::new(Cond::In(j)))
        }
        _ => {
            let (text, c) = leaf(r);
            words.push_str(&format!(" among ({text})"));
            Some(Box::new(c))
        }
    };
    (words, (descending, ties_together, among))
}

/// One random condition of an account segment: a quantifier over the account's users
/// (`where` a user condition, or `did`), or a test of the account's own columns; one in
/// four joins two of them.
pub fn account_condition(r: &mut Rng) -> (String, AccountCond) {
    match r.below(8) {
        0 => {
            let (a, ca) = one_account_condition(r);
            let (b, cb) = one_account_condition(r);
            (
                format!("{a} and {b}"),
                AccountCond::And(Box::new(ca), Box::new(cb)),
            )
        }
        1 => {
            let (a, ca) = one_account_condition(r);
            let (b, cb) = one_account_condition(r);
            (
                format!("{a} or not ({b})"),
                AccountCond::Or(Box::new(ca), Box::new(AccountCond::Not(Box::new(cb)))),
            )
        }
        _ => one_account_condition(r),
    }
}

fn one_account_condition(r: &mut Rng) -> (String, AccountCond) {
    match r.below(11) {
        0 => ("employees >= 50".into(), AccountCond::EmployeesGe(50)),
        // A column of the account's extra table `billing`.
        10 => (
            "not (tier = \"gold\")".into(),
            AccountCond::Not(Box::new(AccountCond::TierEq("gold"))),
        ),
        1 => (
            "not (industry = \"software\")".into(),
            AccountCond::Not(Box::new(AccountCond::IndustryEq("software"))),
        ),
        _ => {
            let k = 1 + r.below(2);
            let (text, q) = match r.below(6) {
                0 => ("any".to_string(), Quant::Any),
                1 => ("no".to_string(), Quant::No),
                2 => ("all".to_string(), Quant::All),
                3 => (format!("at least {k}"), Quant::AtLeast(k)),
                4 => (format!("at most {k}"), Quant::AtMost(k)),
                _ => (format!("exactly {k}"), Quant::Exactly(k)),
            };
            if r.below(3) == 0 {
                // `did` right after the quantifier.
                let e = *r.pick(&NAMES);
                let n = *r.pick(&DAYS);
                (
                    format!("{text} user did \"{e}\" in last {n} days"),
                    AccountCond::Quant(
                        q,
                        Cond::Did {
                            names: Some(vec![e]),
                            window: Window::Days(n),
                            times: (Cmp::Ge, 1),
                            filter: Filter::None,
                        },
                    ),
                )
            } else {
                let (t, c) = leaf(r);
                (format!("{text} user where ({t})"), AccountCond::Quant(q, c))
            }
        }
    }
}
