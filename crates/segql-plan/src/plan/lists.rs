//! What a batch's own lists aggregate takes besides its sequences' lists
//! ([`SequenceLists::InOwnAggregateWhenStatisticsBound`](super::SequenceLists)).
//!
//! Distinct counts ([`DistinctScan::OwnScanOrLists`](super::DistinctScan)): the lists'
//! aggregate reads the relation apart anyway, so the distinct counts join it rather than
//! scan the relation once more.
//!
//! A relation's rare rows aggregated apart from its frequent ones: where the dialect
//! asks for its rare columns there too, the shared aggregate's columns that read only
//! rare names (by the project's statistics) move into it. The shared aggregate is then
//! left with the frequent rows and the few columns that read them, so an engine that
//! evaluates every `FILTER` on every row it aggregates (Postgres) evaluates the many
//! rare columns' filters only on the rare rows, as a data engineer splits the pass by
//! hand (bench/hand_batch_postgres.sql: `seen` and `rare`).

use super::collect::Collected;
use super::{FactKey, ScanKind};
use crate::ir::Program;
use crate::stats::FREQUENT;

/// Moves each shared scan's columns over rare names only into the lists' scan of the
/// same relation, where there is one and no column of that name is there already.
pub(super) fn rare_columns(c: &mut Collected, p: &Program) {
    for li in 0..c.scans.len() {
        if c.scans[li].kind != ScanKind::Lists {
            continue;
        }
        let events = c.scans[li].events;
        let table = &p.catalog.events[events].table;
        let rare = |k: &FactKey| match &k.filter().names {
            Some(names) => names.iter().all(|n| {
                p.stats
                    .share(table, [n.as_str()])
                    .is_some_and(|s| s < FREQUENT)
            }),
            None => false,
        };
        for si in 0..c.scans.len() {
            if c.scans[si].kind != ScanKind::Shared || c.scans[si].events != events {
                continue;
            }
            take(c, si, li, rare);
        }
    }
    c.scans.retain(|s| !s.columns.is_empty());
}

/// Moves each distinct scan's columns into the lists' scan of the same relation, where
/// there is one and no column of that name is there already.
pub(super) fn distinct_columns(c: &mut Collected) {
    for li in 0..c.scans.len() {
        if c.scans[li].kind != ScanKind::Lists {
            continue;
        }
        let events = c.scans[li].events;
        for si in 0..c.scans.len() {
            if c.scans[si].kind == ScanKind::Distinct && c.scans[si].events == events {
                take(c, si, li, |_| true);
            }
        }
    }
    c.scans.retain(|s| !s.columns.is_empty());
}

/// Moves the columns of scan `from` that `pick` chooses into scan `to`, but none whose
/// name `to` has.
fn take(c: &mut Collected, from: usize, to: usize, pick: impl Fn(&FactKey) -> bool) {
    let (moved, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut c.scans[from].columns)
        .into_iter()
        .partition(|(k, name)| pick(k) && !c.scans[to].columns.iter().any(|(_, n)| n == name));
    c.scans[from].columns = kept;
    c.scans[to].columns.extend(moved);
}
