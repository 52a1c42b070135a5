//! Lapses: `last time of E < T` (and `stopped E for D`, which is that) among the
//! top-level conditions of one segment's `WHERE`, on a dialect with
//! [`Lapses::KeySets`](crate::dialect::Lapses::KeySets), is tested as two sets of keys
//! instead of the last time per key: the keys with an `E` before `T` and none of the
//! keys with an `E` from `T` on. The last time aggregates every `E` of the history (1.06
//! s of b49's 1.25 s at 1M users); the two sets are probed, not aggregated (b49 0.72x,
//! b30 0.87x on DuckDB; over rarer events the second scan costs more than the
//! aggregate saved, b31 1.11x: docs/benchmarks.md). With the project's statistics
//! (`crate::stats`) only a lapse of a frequent event is split; without them every one.
//!
//! Only at the top of the `WHERE` (through `and` and segment references): under an `or`
//! the sets cost twice the aggregate. `last < a or last < b` of one `E` is the
//! lapse before the later of `a` and `b` when the two compare whatever the as-of is.
//! Collection, the joins (`needs`) and emission all split a segment's condition with
//! [`split`], so none of them can disagree about which conditions are sets. The split
//! also finds a segment's absence that is its only event condition ([`absence`]), which
//! emission anti-joins.

use crate::dialect::fixed_micros;
use crate::ir::*;
use segql_syntax::ast::{CmpOp, Unit};
use std::cmp::Ordering;

/// `last time of E < before` (`<=` when `inclusive`).
#[derive(Debug)]
pub struct Lapse<'a> {
    pub agg: &'a EventAgg,
    pub inclusive: bool,
    pub before: TimePoint,
}

/// A segment's top-level conditions: the lapses, the one absence tested as an anti join
/// (see [`absence`]), and the rest, in their order.
pub struct Split<'a> {
    pub lapses: Vec<Lapse<'a>>,
    pub absent: Option<&'a EventAgg>,
    pub rest: Vec<&'a Cond>,
}

/// A segment's top-level conditions split.
pub fn split<'a>(p: &'a Program, c: &'a Cond) -> Split<'a> {
    let mut lapses = Vec::new();
    let mut rest = Vec::new();
    conjuncts(p, c, &mut lapses, &mut rest);
    let mut absent = None;
    if lapses.is_empty() {
        let found: Vec<(usize, &EventAgg)> = rest
            .iter()
            .enumerate()
            .filter_map(|(i, c)| absence(p, c).map(|a| (i, a)))
            .collect();
        if let [(i, a)] = found.as_slice() {
            let others_plain = rest.iter().enumerate().all(|(j, c)| j == *i || plain(p, c));
            if others_plain {
                rest.remove(*i);
                absent = Some(*a);
            }
        }
    }
    Split {
        lapses,
        absent,
        rest,
    }
}

/// `not did E ...` (no event of the filter): the only event condition of a segment whose
/// other conditions read no events is tested as an anti join of the entities to the keys
/// with such an event (DuckDB at 1M users, b40: 0.876x of the count joined to the users;
/// as `NOT IN` 1.03x). Beside other event conditions over the same scan a second scan
/// costs more (`NOT IN`: b42 1.42x, b46 1.43x), so only alone.
fn absence<'a>(p: &'a Program, c: &'a Cond) -> Option<&'a EventAgg> {
    match c {
        Cond::Segment(id) => absence(p, &p.segments[*id].cond),
        Cond::Not(inner) => inner.did(),
        _ => None,
    }
}

/// Whether a condition reads no events (columns, literals and instants only).
fn plain(p: &Program, c: &Cond) -> bool {
    let value = plain_value;
    match c {
        Cond::Const(_) => true,
        Cond::And(v) | Cond::Or(v) => v.iter().all(|c| plain(p, c)),
        Cond::Not(c) => plain(p, c),
        Cond::Cmp(a, _, b) => value(a) && value(b),
        Cond::In { value: v, .. }
        | Cond::Text { value: v, .. }
        | Cond::Regex { value: v, .. }
        | Cond::IsSet(v) => value(v),
        Cond::Segment(id) => plain(p, &p.segments[*id].cond),
        _ => false,
    }
}

fn plain_value(s: &Scalar) -> bool {
    match s {
        Scalar::Column(_) | Scalar::Lit(_) | Scalar::Time(_) => true,
        Scalar::Folded(s) => plain_value(s),
        _ => false,
    }
}

fn conjuncts<'a>(
    p: &'a Program,
    c: &'a Cond,
    lapses: &mut Vec<Lapse<'a>>,
    rest: &mut Vec<&'a Cond>,
) {
    match c {
        Cond::And(v) => v.iter().for_each(|c| conjuncts(p, c, lapses, rest)),
        Cond::Segment(id) if matches!(p.segments[*id].cond, Cond::And(_)) => {
            conjuncts(p, &p.segments[*id].cond, lapses, rest)
        }
        _ => match lapse(p, c) {
            Some(l) => lapses.push(l),
            None => rest.push(c),
        },
    }
}

/// The lapse a condition is, if it is one.
fn lapse<'a>(p: &'a Program, c: &'a Cond) -> Option<Lapse<'a>> {
    match c {
        Cond::Cmp(Scalar::Agg(a), op, Scalar::Time(t)) => last_before(p, a, *op, t),
        Cond::Cmp(Scalar::Time(t), op, Scalar::Agg(a)) => {
            let flipped = match op {
                CmpOp::Gt => CmpOp::Lt,
                CmpOp::Ge => CmpOp::Le,
                _ => return None,
            };
            last_before(p, a, flipped, t)
        }
        Cond::Segment(id) => lapse(p, &p.segments[*id].cond),
        // Before the later of the two: `last < a or last < b`.
        Cond::Or(v) => {
            let mut it = v.iter().map(|c| lapse(p, c));
            let mut acc = it.next()??;
            for l in it {
                let l = l?;
                if l.agg != acc.agg || l.inclusive != acc.inclusive {
                    return None;
                }
                if later(&l.before, &acc.before)? == Ordering::Greater {
                    acc = l;
                }
            }
            Some(acc)
        }
        _ => None,
    }
}

fn last_before<'a>(p: &Program, a: &'a EventAgg, op: CmpOp, t: &TimePoint) -> Option<Lapse<'a>> {
    if a.kind != AggKind::Last {
        return None;
    }
    // Over a rare event the aggregate is cheaper (the statistics say which, when the
    // project has them).
    let table = &p.catalog.events[a.filter.events].table;
    if let Some(names) = &a.filter.names {
        if !p
            .stats
            .lapse_as_sets(table, names.iter().map(String::as_str))
        {
            return None;
        }
    }
    let inclusive = match op {
        CmpOp::Lt => false,
        CmpOp::Le => true,
        _ => return None,
    };
    Some(Lapse {
        agg: a,
        inclusive,
        before: t.clone(),
    })
}

/// How `a` compares with `b` at every as-of, when it does: literals with literals, and
/// instants before the as-of in fixed units or in months with their like.
fn later(a: &TimePoint, b: &TimePoint) -> Option<Ordering> {
    let back = |t: &TimePoint| -> Option<(bool, i64)> {
        match t {
            TimePoint::AsOf => Some((true, 0)),
            TimePoint::Ago(d) => match fixed_micros(d.unit) {
                Some(us) => Some((true, d.n.checked_mul(us)?)),
                None => Some((false, d.n * if d.unit == Unit::Year { 12 } else { 1 })),
            },
            TimePoint::At(_) => None,
        }
    };
    match (a, b) {
        (TimePoint::At(x), TimePoint::At(y)) => Some(x.cmp(y)),
        _ => {
            let (fa, na) = back(a)?;
            let (fb, nb) = back(b)?;
            // The as-of itself (0 back) compares with either kind.
            if fa != fb && na != 0 && nb != 0 {
                return None;
            }
            // Further back is earlier.
            Some(nb.cmp(&na))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ago(n: i64, unit: Unit) -> TimePoint {
        TimePoint::Ago(Duration { n, unit })
    }

    #[test]
    fn instants_compare_only_when_they_do_at_every_as_of() {
        assert_eq!(
            later(&ago(30, Unit::Day), &ago(60, Unit::Day)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            later(&ago(1, Unit::Week), &ago(7, Unit::Day)),
            Some(Ordering::Equal)
        );
        assert_eq!(
            later(&ago(1, Unit::Year), &ago(13, Unit::Month)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            later(&TimePoint::AsOf, &ago(1, Unit::Month)),
            Some(Ordering::Greater)
        );
        assert_eq!(later(&ago(1, Unit::Month), &ago(30, Unit::Day)), None);
        assert_eq!(
            later(&TimePoint::At(5), &TimePoint::At(3)),
            Some(Ordering::Greater)
        );
        assert_eq!(later(&TimePoint::At(5), &ago(1, Unit::Day)), None);
    }
}
