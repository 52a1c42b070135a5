//! A relation's rare rows aggregated apart from its frequent ones: where a batch's
//! sequences collect their steps' lists in an aggregate of their own
//! ([`SequenceLists::InOwnAggregateWhenStatisticsBound`](super::SequenceLists)) and the
//! dialect asks for its rare columns there too, the shared aggregate's columns that read only rare names (by the project's statistics)
//! move into it. The shared aggregate is then left with the frequent rows and the few
//! columns that read them, so an engine that evaluates every `FILTER` on every row it
//! aggregates (Postgres) evaluates the many rare columns' filters only on the rare
//! rows, as a data engineer splits the pass by hand (bench/hand_batch_postgres.sql:
//! `seen` and `rare`).

use super::collect::Collected;
use super::{FactKey, ScanKind};
use crate::ir::Program;
use crate::stats::FREQUENT;

/// Moves each shared scan's columns over rare names only into the lists' scan of the
/// same relation, where there is one and no column of that name is there already.
pub(super) fn into_lists(c: &mut Collected, p: &Program) {
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
            let (moved, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut c.scans[si].columns)
                .into_iter()
                .partition(|(k, name)| {
                    rare(k) && !c.scans[li].columns.iter().any(|(_, n)| n == name)
                });
            c.scans[si].columns = kept;
            c.scans[li].columns.extend(moved);
        }
    }
    c.scans.retain(|s| !s.columns.is_empty());
}
