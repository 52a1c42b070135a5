//! Window tiers: each shared aggregate split by how far back its columns look, on
//! dialects whose [`WindowTiers::ByWindow`](super::WindowTiers) ask for it.
//!
//! The columns whose window starts within a tier of [`TIERS`] move to a scan of their
//! own that keeps only that tier's rows, so that most rows (the old ones) are tested
//! against a few long-window aggregates instead of all of them. A tier needs
//! [`MIN_TIER_COLUMNS`] columns to be worth its scan, hash table and join; a smaller one
//! stays with the next wider tier. The widest tier present keeps the relation's scan
//! (and its name). Measured in docs/benchmarks.md.

use super::collect::Collected;
use super::{instant, FactKey, Scan, ScanKind};
use crate::ir::TimePoint;
use segql_syntax::time::MICROS_PER_DAY;

/// How far back (in days) a column's window may start to belong to the tier, and the
/// suffix of the tier's CTE. Marketing windows cluster below a month (7, 14, 28, 30
/// days) and below a quarter (60, 90 days); event tables are appended in time order, so
/// a scan restricted to the last month or quarter skips most row groups or partitions.
pub(crate) const TIERS: [(i64, &str); 2] = [(31, "last_month"), (92, "last_quarter")];

/// The fewest columns a tier must have to get its own scan. One recent column does not
/// pay for a scan, a hash table and a join (a segment with `did "login" in last 30 days`
/// and `stopped "login" for 30 days` is slower split); two usually do, because the
/// remaining scan then filters fewer columns and often fewer event names (measured per
/// segment in docs/benchmarks.md). One column of names the wider tiers do not read
/// does too ([`apart`]).
pub(crate) const MIN_TIER_COLUMNS: usize = 2;

/// Whether tier `t`'s columns name events none of the wider tiers' columns name: then
/// even one column pays for its scan on DuckDB, as each scan reads only its own names
/// and row groups (b13, pricing views in 14 days and no purchase in 90, at 1M users:
/// 0.50x split; on Postgres, which reads the whole table per scan, 1.34x at 100k).
/// Columns of any event are apart from nothing.
fn apart(tier_of: &[usize], names: &[Option<&Vec<String>>], t: usize) -> bool {
    let of = |pick: &dyn Fn(usize) -> bool| -> Option<Vec<&String>> {
        let mut out = Vec::new();
        for (i, n) in names.iter().enumerate() {
            if pick(tier_of[i]) {
                out.extend(n.as_ref()?.iter());
            }
        }
        Some(out)
    };
    match (of(&|x| x == t), of(&|x| x > t)) {
        (Some(ours), Some(wider)) => {
            !ours.is_empty() && !wider.is_empty() && ours.iter().all(|n| !wider.contains(n))
        }
        _ => false,
    }
}

/// Splits every shared scan of `c` by its columns' window tiers at `as_of`.
///
/// Tiers decide only speed: every scan's lower bound comes from its own columns' starts
/// (`plan::starts`), so a column in any tier counts the same events. With an as-of read
/// at run time (`at_run`), a window from a fixed instant (`since 2025-06-01`) reaches
/// further back at every run, so it goes with the unbounded windows rather than into the
/// tier it fits at the planning instant; a window in months reaches 28 to 31 days a
/// month back whatever the as-of, within the same tier (1 month: at most 31 days, 2
/// months 62, 3 months 92), so the planning instant places it as every run would.
/// `by_names`: a tier of fewer columns still gets its scan when it is [`apart`]
/// ([`WindowTiers::ByWindowAndNames`](super::WindowTiers)).
pub(super) fn split(c: &mut Collected, as_of: i64, at_run: bool, by_names: bool) {
    for si in 0..c.scans.len() {
        if matches!(c.scans[si].kind, ScanKind::Distinct | ScanKind::Lists) {
            continue;
        }
        // The tier of each column: the first whose reach covers the window's start,
        // TIERS.len() for longer or unbounded windows.
        let mut tier_of: Vec<usize> = c.scans[si]
            .columns
            .iter()
            .map(|(k, _)| match &k.filter().window.start {
                None => TIERS.len(),
                Some(TimePoint::At(_)) if at_run => TIERS.len(),
                Some(start) => {
                    let reach = as_of - instant(as_of, start);
                    TIERS
                        .iter()
                        .position(|&(days, _)| reach <= days * MICROS_PER_DAY)
                        .unwrap_or(TIERS.len())
                }
            })
            .collect();
        let names: Vec<Option<&Vec<String>>> = c.scans[si]
            .columns
            .iter()
            .map(|(k, _)| k.filter().names.as_ref())
            .collect();
        for t in 0..TIERS.len() {
            // A sequence's match is computed from its times, not aggregated: it counts
            // for nothing, and goes where its times go.
            let columns = tier_of
                .iter()
                .zip(&c.scans[si].columns)
                .filter(|&(&x, (k, _))| x == t && !matches!(k, FactKey::Matched { .. }))
                .count();
            let few = columns < MIN_TIER_COLUMNS;
            if few && !(by_names && apart(&tier_of, &names, t)) {
                tier_of
                    .iter_mut()
                    .filter(|x| **x == t)
                    .for_each(|x| *x = t + 1);
            }
        }
        let widest = tier_of.iter().copied().max().unwrap_or(0);
        // Each column with its tier; the tiers narrower than the widest move out.
        let mut tagged: Vec<_> = tier_of
            .into_iter()
            .zip(std::mem::take(&mut c.scans[si].columns))
            .collect();
        for (t, &(_, label)) in TIERS.iter().enumerate().take(widest) {
            let (ours, rest): (Vec<_>, Vec<_>) = tagged.into_iter().partition(|(x, _)| *x == t);
            tagged = rest;
            if ours.is_empty() {
                continue;
            }
            let cte = c.names.fresh(&format!("{}_{label}", c.scans[si].cte));
            let events = c.scans[si].events;
            c.scans.push(Scan {
                events,
                kind: ScanKind::Tier(label),
                cte,
                columns: ours.into_iter().map(|(_, col)| col).collect(),
            });
        }
        c.scans[si].columns = tagged.into_iter().map(|(_, col)| col).collect();
    }
}
