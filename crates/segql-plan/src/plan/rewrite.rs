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
//! Measured on the bench suite's batch at 1M users (b44 beside b26 and b30, which read
//! the last login; docs/benchmarks.md, "Last times a batch has"): the last quarter's
//! scan no longer reads logins.

use crate::ir::*;
use segql_syntax::ast::CmpOp;

/// The program with the batch's conditions rewritten, or `None` when nothing changes.
pub fn batch(p: &Program, segments: &[SegmentId]) -> Option<Program> {
    let mut lasts = Vec::new();
    let mut seen = vec![false; p.segments.len()];
    for &s in segments {
        lasts_in(p, &p.segments[s].cond, &mut seen, &mut lasts);
    }
    if lasts.is_empty() {
        return None;
    }
    let mut out = p.clone();
    let mut changed = false;
    for seg in &mut out.segments {
        changed |= rewrite(&mut seg.cond, &lasts);
    }
    changed.then_some(out)
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
            let mut changed = false;
            for c in v.iter_mut() {
                changed |= rewrite(c, lasts);
            }
            while let Some((i, j, new)) = window_then_none(v, lasts) {
                v[i] = new;
                v.remove(j);
                changed = true;
            }
            changed
        }
        Cond::Or(v) => v
            .iter_mut()
            .fold(false, |changed, c| rewrite(c, lasts) | changed),
        Cond::Not(c) => rewrite(c, lasts),
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
