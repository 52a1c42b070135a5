//! A batch's conditions over the last times it computes anyway: conditions of the same
//! meaning, rewritten in the program before planning so that collection, the joins and
//! emission all read one program (`crate::compile` applies [`batch`] to every batch
//! request; the program a project checked is not changed).
//!
//! Where a batch computes `E`'s last time over all history (`last time of E`, `stopped E
//! for D`), two more conditions over `E` are tests of that time, and the batch's window
//! tiers no longer read `E`'s events for them:
//!
//! - `did E between A and B ago and not did E in last B` (the first window ends where
//!   the second starts, the second ends at the as-of, the two filters the same): some
//!   `E` in `[A, B)` and none since exactly when the last `E` is in `[A, B)`;
//! - `E`'s last time in a window `[A, as-of)` (`stopped E for D in last N days`): set
//!   exactly when the last `E` of all history is at or after `A`, and then equal to it,
//!   so any comparison of it is `last >= A` and the same comparison of the last.
//!
//! - `did E in [A, as-of)`: the last `E` is at or after `A`.
//!
//! Measured on the bench suite's batch at 1M users (b44 beside b26 and b30, which read
//! the last login; docs/benchmarks.md, "Last times a batch has"): the last quarter's
//! scan no longer reads logins.
//!
//! Where the dialect looks a frequent event up for the rest of an `or`
//! ([`Lookups`](crate::dialect::Lookups), `plan::lookups`), a `did` of several names one
//! of which the statistics call frequent, over a window longer than the last quarter's,
//! is first written as an `or` of the other names' `did` and that name's (the same
//! events: at least one of either), in place among the alternatives of an `or` it is
//! one of, so that the frequent name can be looked up for the keys the others leave.

use crate::dialect::{Capabilities, Lookups};
use crate::ir::*;
use segql_syntax::ast::CmpOp;

/// The program with the batch's conditions rewritten, or `None` when nothing changes.
pub fn batch(
    p: &Program,
    segments: &[SegmentId],
    caps: &Capabilities,
    as_of: i64,
    at_run: bool,
) -> Option<Program> {
    let mut lasts = Vec::new();
    let mut seen = vec![false; p.segments.len()];
    for &s in segments {
        lasts_in(p, &p.segments[s].cond, &mut seen, &mut lasts);
    }
    let split = caps.lookups == Lookups::InBatchWhenStatisticsSay && !p.stats.is_empty();
    if lasts.is_empty() && !split {
        return None;
    }
    let mut out = p.clone();
    let mut changed = false;
    for seg in &mut out.segments {
        if split {
            let frequent = |a: &EventAgg| super::lookups::frequent_name(p, a, as_of, at_run);
            changed |= split_names(&mut seg.cond, &frequent);
        }
        changed |= rewrite(&mut seg.cond, &lasts);
    }
    changed.then_some(out)
}

/// Writes each `did` of several names with a frequent one (`frequent`: its index) as an
/// `or` of the others' `did` and its own, spliced into the `or` it is an alternative of;
/// whether anything changed.
fn split_names(c: &mut Cond, frequent: &dyn Fn(&EventAgg) -> Option<usize>) -> bool {
    let pieces = |c: &Cond| -> Option<[Cond; 2]> {
        let did = c.did()?;
        let i = frequent(did)?;
        let mut names = did.filter.names.clone()?;
        let one = names.remove(i);
        let with = |names: Vec<String>| {
            let mut a = did.clone();
            a.filter.names = Some(names);
            // An action stands for its names and condition, now split.
            a.filter.action = None;
            Cond::Cmp(
                Scalar::Agg(Box::new(a)),
                CmpOp::Ge,
                Scalar::Lit(Lit::Int(1)),
            )
        };
        Some([with(names), with(vec![one])])
    };
    match c {
        Cond::Or(v) => {
            let mut changed = false;
            let mut out = Vec::with_capacity(v.len() + 1);
            for mut alt in std::mem::take(v) {
                match pieces(&alt) {
                    Some(two) => {
                        out.extend(two);
                        changed = true;
                    }
                    None => {
                        changed |= split_names(&mut alt, frequent);
                        out.push(alt);
                    }
                }
            }
            *v = out;
            changed
        }
        Cond::And(v) => v
            .iter_mut()
            .fold(false, |changed, c| split_names(c, frequent) | changed),
        Cond::Not(inner) => split_names(inner, frequent),
        _ => match pieces(c) {
            Some(two) => {
                *c = Cond::Or(two.to_vec());
                true
            }
            None => false,
        },
    }
}

/// The last times over all history that a condition reads, through the segments it
/// refers to (not over related entities: those are another block's).
fn lasts_in(p: &Program, c: &Cond, seen: &mut [bool], out: &mut Vec<EventAgg>) {
    match c {
        Cond::And(v) | Cond::Or(v) => v.iter().for_each(|c| lasts_in(p, c, seen, out)),
        Cond::Not(c) => lasts_in(p, c, seen, out),
        Cond::Cmp(a, _, b) => {
            for s in [a, b] {
                if let Scalar::Agg(a) = s {
                    if a.kind == AggKind::Last && a.filter.window == TimeWindow::EVER {
                        out.push((**a).clone());
                    }
                }
            }
        }
        Cond::Segment(id) if !seen[*id] => {
            seen[*id] = true;
            lasts_in(p, &p.segments[*id].cond, seen, out);
        }
        _ => {}
    }
}

/// Whether two filters select the same events, whatever their windows (an action and
/// the names it stands for are the same events).
fn same_events(a: &EventFilter, b: &EventFilter) -> bool {
    a.events == b.events && a.names == b.names && a.pred == b.pred
}

/// The batch's last time of the events a filter selects, if it computes one.
fn last_of<'a>(lasts: &'a [EventAgg], f: &EventFilter) -> Option<&'a EventAgg> {
    lasts.iter().find(|l| same_events(&l.filter, f))
}

/// Rewrites a condition in place (through `and`, `or` and `not`); whether it changed.
fn rewrite(c: &mut Cond, lasts: &[EventAgg]) -> bool {
    match c {
        Cond::And(v) => {
            // The pairs first: their `not did E in [B, as-of)` would otherwise become a
            // test of the last time alone ([`existence_as_last`]) and the pair be missed.
            let mut changed = false;
            while let Some((i, j, new)) = window_then_none(v, lasts) {
                v[i] = new;
                v.remove(j);
                changed = true;
            }
            for c in v.iter_mut() {
                changed |= rewrite(c, lasts);
            }
            changed
        }
        Cond::Or(v) => v
            .iter_mut()
            .fold(false, |changed, c| rewrite(c, lasts) | changed),
        Cond::Not(c) => rewrite(c, lasts),
        Cond::Cmp(..) if existence_as_last(c, lasts).is_some() => {
            if let Some(new) = existence_as_last(c, lasts) {
                *c = new;
            }
            true
        }
        Cond::Cmp(a, op, b) => match windowed_last(a, b, lasts) {
            Some((start, last, a_side)) => {
                let last = Scalar::Agg(Box::new(last.clone()));
                let (a, b) = if a_side {
                    (last.clone(), b.clone())
                } else {
                    (a.clone(), last.clone())
                };
                *c = Cond::And(vec![
                    Cond::Cmp(last, CmpOp::Ge, Scalar::Time(start)),
                    Cond::Cmp(a, *op, b),
                ]);
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// `did E in [A, as-of)` for events whose last time the batch has: `last >= A`.
fn existence_as_last(c: &Cond, lasts: &[EventAgg]) -> Option<Cond> {
    let did = c.did()?;
    let TimeWindow {
        start: Some(start),
        end: TimePoint::AsOf,
    } = &did.filter.window
    else {
        return None;
    };
    let last = last_of(lasts, &did.filter)?;
    Some(Cond::Cmp(
        Scalar::Agg(Box::new(last.clone())),
        CmpOp::Ge,
        Scalar::Time(start.clone()),
    ))
}

/// A comparison's last time over `[start, as-of)` of events whose last time over all
/// history the batch has: the start, that last time, and whether it is the left side.
fn windowed_last<'a>(
    a: &Scalar,
    b: &Scalar,
    lasts: &'a [EventAgg],
) -> Option<(TimePoint, &'a EventAgg, bool)> {
    let of = |s: &Scalar| match s {
        Scalar::Agg(agg) if agg.kind == AggKind::Last => match &agg.filter.window {
            TimeWindow {
                start: Some(start),
                end: TimePoint::AsOf,
            } => Some((start.clone(), last_of(lasts, &agg.filter)?)),
            _ => None,
        },
        _ => None,
    };
    match (of(a), of(b)) {
        (Some((start, last)), None) => Some((start, last, true)),
        (None, Some((start, last))) => Some((start, last, false)),
        _ => None,
    }
}

/// `did E in [A, B)` and `not did E in [B, as-of)` among some conjuncts, for events
/// whose last time the batch has: their places and the test of the last time replacing
/// the first (the second goes).
fn window_then_none(v: &[Cond], lasts: &[EventAgg]) -> Option<(usize, usize, Cond)> {
    for (i, c) in v.iter().enumerate() {
        let Some(done) = c.did() else { continue };
        let TimeWindow { start, end } = &done.filter.window;
        if *end == TimePoint::AsOf {
            continue;
        }
        let Some(last) = last_of(lasts, &done.filter) else {
            continue;
        };
        let none_since = v.iter().position(|c| match c {
            Cond::Not(c) => c.did().is_some_and(|a| {
                same_events(&a.filter, &done.filter)
                    && a.filter.window.start.as_ref() == Some(end)
                    && a.filter.window.end == TimePoint::AsOf
            }),
            _ => false,
        });
        let Some(j) = none_since else { continue };
        let last = || Scalar::Agg(Box::new(last.clone()));
        let before = Cond::Cmp(last(), CmpOp::Lt, Scalar::Time(end.clone()));
        let new = match start {
            Some(start) => Cond::And(vec![
                Cond::Cmp(last(), CmpOp::Ge, Scalar::Time(start.clone())),
                before,
            ]),
            None => before,
        };
        return Some((i, j, new));
    }
    None
}
