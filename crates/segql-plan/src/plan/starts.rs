//! The lower time bound of a scan that serves several windows: the earliest of their
//! starts.
//!
//! With the as-of written into the SQL, the earliest start is found by comparing the
//! instants the starts stand for at that as-of. With an as-of read at run time
//! ([`crate::as_of::RunAsOf`]) that comparison would hold only at the planning instant:
//! `since 2025-06-01` is later than `30 days ago` until 2025-07-01 and earlier after it,
//! and `1 month ago` is 28 to 31 days back depending on the date. A scan bounded by the
//! start that was earliest at planning would then drop events another window needs. So
//! a start is left out only where another one is at or before it at *every* as-of, and
//! the scan's bound is the least of those left (`least(...)` in the SQL when more than
//! one).

use super::instant;
use crate::dialect::fixed_micros;
use crate::ir::TimePoint;
use segql_syntax::ast::Unit;
use segql_syntax::time::MICROS_PER_DAY;

/// The starts a scan's lower bound must take the least of, in first-seen order.
/// `at_run`: whether the as-of is read at run time (otherwise `as_of` is the statement's
/// and the one earliest start at it is returned, the first of equal ones).
pub(crate) fn earliest(starts: &[&TimePoint], as_of: i64, at_run: bool) -> Vec<TimePoint> {
    if !at_run {
        let mut best: Option<&TimePoint> = None;
        for &s in starts {
            if best.is_none_or(|b| instant(as_of, s) < instant(as_of, b)) {
                best = Some(s);
            }
        }
        return best.into_iter().cloned().collect();
    }
    let mut kept: Vec<TimePoint> = Vec::new();
    for &s in starts {
        if kept.iter().any(|k| always_at_or_before(k, s)) {
            continue;
        }
        kept.retain(|k| !always_at_or_before(s, k));
        kept.push(s.clone());
    }
    kept
}

/// How far back of the as-of a relative time point is, as the least and greatest number
/// of microseconds over every as-of; `None` for a fixed instant.
fn reach(t: &TimePoint) -> Option<(i64, i64)> {
    match t {
        TimePoint::AsOf => Some((0, 0)),
        TimePoint::At(_) => None,
        TimePoint::Ago(d) => Some(match fixed_micros(d.unit) {
            Some(us) => (d.n * us, d.n * us),
            // `m` months back (clamped to the month's end, time of day kept) is the
            // lengths of the `m` months before plus what clamping adds: at least 28
            // days a month, and at most 31 (the clamp only makes a short month reach
            // the day it would have had). `y` years back are 365 or 366 days each.
            None if d.unit == Unit::Year => {
                (365 * d.n * MICROS_PER_DAY, 366 * d.n * MICROS_PER_DAY)
            }
            None => (28 * d.n * MICROS_PER_DAY, 31 * d.n * MICROS_PER_DAY),
        }),
    }
}

/// Whether a name's own start `name` leaves out enough of a scan that starts at `scan`
/// (none: the scan is unbounded) to be worth its own bound in the scan's `WHERE`: it
/// reaches back at most three quarters as far, whatever the as-of (a 90-day count in a
/// scan of the last 3 months is not). Fixed instants are always worth it.
pub(crate) fn bound_pays(name: &TimePoint, scan: Option<&TimePoint>) -> bool {
    let Some(scan) = scan else { return true };
    match (reach(name), reach(scan)) {
        (Some((_, name_most)), Some((scan_least, _))) => name_most * 4 <= scan_least * 3,
        _ => true,
    }
}

/// Whether `a` is at or before `b` whatever the as-of.
pub(crate) fn always_at_or_before(a: &TimePoint, b: &TimePoint) -> bool {
    match (a, b) {
        (TimePoint::At(x), TimePoint::At(y)) => x <= y,
        _ => match (reach(a), reach(b)) {
            (Some((a_least, _)), Some((_, b_most))) => a_least >= b_most,
            // A fixed instant against one relative to the as-of: each comes first at
            // some as-of.
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Duration;

    fn ago(n: i64, unit: Unit) -> TimePoint {
        TimePoint::Ago(Duration { n, unit })
    }

    /// 2024-06-01T00:00:00Z
    const AS_OF: i64 = 1_717_200_000_000_000;

    #[test]
    fn fixed_and_relative_starts_are_both_kept_at_run_time() {
        let since = TimePoint::At(AS_OF - 10 * MICROS_PER_DAY);
        let d30 = ago(30, Unit::Day);
        let d7 = ago(7, Unit::Day);
        // At planning, 30 days ago is the earliest.
        assert_eq!(
            earliest(&[&since, &d30, &d7], AS_OF, false),
            vec![d30.clone()]
        );
        // At run time, 7 days ago is never before 30 days ago; the fixed date may be.
        assert_eq!(
            earliest(&[&since, &d30, &d7], AS_OF, true),
            vec![since, d30]
        );
    }

    #[test]
    fn a_names_own_bound_pays_where_it_leaves_out_a_quarter_of_the_scan() {
        let q = ago(3, Unit::Month);
        // A scan of the last quarter (at least 84 days back): 60 days leaves out a
        // quarter at every as-of, 90 days never does.
        assert!(bound_pays(&ago(60, Unit::Day), Some(&q)));
        assert!(!bound_pays(&ago(90, Unit::Day), Some(&q)));
        assert!(bound_pays(&ago(63, Unit::Day), Some(&q)));
        assert!(!bound_pays(&ago(64, Unit::Day), Some(&q)));
        // An unbounded scan: any window pays; a fixed instant always does.
        assert!(bound_pays(&ago(365, Unit::Day), None));
        assert!(bound_pays(&TimePoint::At(AS_OF), Some(&q)));
        // A year within a scan of two: at most 366 of at least 730 days.
        assert!(bound_pays(&ago(1, Unit::Year), Some(&ago(2, Unit::Year))));
    }

    #[test]
    fn months_against_days() {
        let m1 = ago(1, Unit::Month);
        // A month back is 28 to 31 days back.
        assert!(always_at_or_before(&ago(31, Unit::Day), &m1));
        assert!(always_at_or_before(&m1, &ago(28, Unit::Day)));
        assert!(!always_at_or_before(&m1, &ago(30, Unit::Day)));
        assert!(!always_at_or_before(&ago(30, Unit::Day), &m1));
        assert!(always_at_or_before(
            &ago(1, Unit::Year),
            &ago(11, Unit::Month)
        ));
        assert!(always_at_or_before(
            &ago(2, Unit::Week),
            &ago(14, Unit::Day)
        ));
        assert!(always_at_or_before(&ago(1, Unit::Hour), &TimePoint::AsOf));
    }

    /// The bounds of a month's reach hold on every day of 400 years (one cycle of the
    /// calendar), at a time of day that clamping must keep.
    #[test]
    fn month_reach_bounds_hold_on_every_day() {
        let start = segql_syntax::time::days_from_civil(2000, 1, 1);
        let points = [1, 2, 3, 11, 12]
            .map(|m| ago(m, Unit::Month))
            .into_iter()
            .chain([1, 4].map(|y| ago(y, Unit::Year)));
        for t in points {
            let (least, most) = reach(&t).expect("relative");
            for day in start..start + 146_097 {
                let as_of = day * MICROS_PER_DAY + 13 * 3_600_000_000;
                let back = as_of - instant(as_of, &t);
                assert!(least <= back && back <= most, "{t:?} at day {day}");
            }
        }
    }
}
