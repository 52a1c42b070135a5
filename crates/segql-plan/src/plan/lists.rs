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
//!
//! A window tier whose columns all read rare names, where the dialect asks
//! ([`RareTiers`](crate::dialect::RareTiers)): moved whole into the lists' aggregate
//! (Postgres, whose hand-written pass reads the last quarter's purchases in `rare`), one
//! scan of the relation less.

use super::collect::Collected;
use super::{FactKey, Scan, ScanKind};
use crate::ir::Program;

/// Whether a column reads only rare names, by the project's statistics.
fn rare(p: &Program, k: &FactKey) -> bool {
    let f = k.filter();
    let table = &p.catalog.events[f.events].table;
    f.names
        .as_ref()
        .is_some_and(|names| names.iter().all(|n| p.stats.rare(table, n)))
}

/// Moves each shared scan's columns over rare names only into the lists' scan of the
/// same relation, where there is one and no column of that name is there already.
pub(super) fn rare_columns(c: &mut Collected, p: &Program) {
    into_lists(c, |s| s.kind == ScanKind::Shared, |k| rare(p, k));
}

/// Moves every column of a window tier's scan whose columns all read rare names into
/// the lists' scan of the same relation, where there is one
/// ([`RareTiers`](crate::dialect::RareTiers)).
pub(super) fn rare_tiers(c: &mut Collected, p: &Program) {
    let all_rare =
        |s: &Scan| matches!(s.kind, ScanKind::Tier(_)) && s.columns.iter().all(|(k, _)| rare(p, k));
    into_lists(c, all_rare, |_| true);
}

/// Moves each distinct scan's columns into the lists' scan of the same relation, where
/// there is one and no column of that name is there already.
pub(super) fn distinct_columns(c: &mut Collected) {
    into_lists(c, |s| s.kind == ScanKind::Distinct, |_| true);
}

/// Moves the columns that `pick` chooses from every scan that `from` chooses into the
/// lists' scan of the same relation, but none whose name that scan has; drops emptied
/// scans.
fn into_lists(c: &mut Collected, from: impl Fn(&Scan) -> bool, pick: impl Fn(&FactKey) -> bool) {
    for li in 0..c.scans.len() {
        if c.scans[li].kind != ScanKind::Lists {
            continue;
        }
        let events = c.scans[li].events;
        for si in 0..c.scans.len() {
            if si == li || !from(&c.scans[si]) || c.scans[si].events != events {
                continue;
            }
            let (moved, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut c.scans[si].columns)
                .into_iter()
                .partition(|(k, name)| {
                    pick(k) && !c.scans[li].columns.iter().any(|(_, n)| n == name)
                });
            c.scans[si].columns = kept;
            c.scans[li].columns.extend(moved);
        }
    }
    c.scans.retain(|s| !s.columns.is_empty());
}
