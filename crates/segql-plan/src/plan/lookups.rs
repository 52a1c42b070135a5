//! A frequent event's existence looked up for the rest of an `or`
//! ([`Lookups::InBatchWhenStatisticsSay`]).
//!
//! `did A in last 365 days or did F in last 365 days` is true for the keys the first
//! alternative holds for whatever `F`'s events are; `F`'s only matter for the others. When
//! `F` is frequent (most of the relation's rows, by the statistics) and the window long
//! (its rows are in the relation's shared aggregate, which reads all history), the batch
//! looks `F` up only for those other keys: a CTE of the keys with an `F` in the window
//! among the keys for which no other alternative holds (`Derived::Lookup`, a block over
//! the entity that joins what the other alternatives read), and the `or` becomes `<the
//! others> OR <the key is in that CTE>`. The shared aggregate no longer reads `F`'s rows,
//! and the lookup's scan keeps them only for the few keys probed (the parquet reader
//! applies the name's equality; DuckDB probes a small hash table).
//!
//! The same `or` gives the same answer both ways for every key: where another
//! alternative holds, both are true; where none does, the key is probed and the lookup
//! says whether it has an `F` in the window, which is what the `did` says. Only the
//! body's block of a batch uses it (an `or` inside an ntile's population or a
//! quantifier's condition is emitted in another block and keeps its column), and only
//! where no other column of the shared aggregate reads `F`: otherwise it reads `F`'s
//! rows anyway and the lookup would read them a second time ([`conflicts`]).

use super::collect::Collected;
use super::tiers::TIERS;
use super::{instant, Capabilities, Derived, Lookups, ScanKind};
use crate::ir::*;
use crate::stats::FREQUENT;
use segql_syntax::time::MICROS_PER_DAY;

/// Which alternative of an `or` a batch looks up (its index), if any: a `did` of one
/// frequent event name over a window longer than the last quarter's tier, beside at
/// least one other alternative; of several, the most frequent name (the first of
/// equals).
pub(crate) fn choice(
    p: &Program,
    caps: &Capabilities,
    alternatives: &[Cond],
    as_of: i64,
    at_run: bool,
) -> Option<usize> {
    if caps.lookups != Lookups::InBatchWhenStatisticsSay || alternatives.len() < 2 {
        return None;
    }
    most_frequent(
        alternatives.iter().enumerate().filter_map(|(i, c)| {
            let did = c.did()?;
            let name = single_name(&did.filter)?;
            long(did, as_of, at_run).then_some((i, did, name))
        }),
        p,
    )
}

/// The index of the name a batch would look up among a `did`'s several names, where
/// it is written as an `or` first (`plan::rewrite`): the most frequent, if the statistics
/// call it frequent and the window reaches beyond the last quarter's tier.
pub(crate) fn frequent_name(
    p: &Program,
    did: &EventAgg,
    as_of: i64,
    at_run: bool,
) -> Option<usize> {
    let names = did.filter.names.as_ref().filter(|n| n.len() >= 2)?;
    if !long(did, as_of, at_run) {
        return None;
    }
    most_frequent(
        names.iter().enumerate().map(|(i, n)| (i, did, n.as_str())),
        p,
    )
}

/// Whether a `did`'s window reaches beyond the last quarter's tier.
fn long(did: &EventAgg, as_of: i64, at_run: bool) -> bool {
    reaches_beyond(&did.filter.window, TIERS[TIERS.len() - 1].0, as_of, at_run)
}

/// Of some (index, `did`, one of its names), the index of the most frequent name the
/// statistics call frequent (the first of equals).
fn most_frequent<'a>(
    candidates: impl Iterator<Item = (usize, &'a EventAgg, &'a str)>,
    p: &Program,
) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (i, did, name) in candidates {
        let table = &p.catalog.events[did.filter.events].table;
        let Some(share) = p.stats.share(table, [name]) else {
            continue;
        };
        if share >= FREQUENT && best.is_none_or(|(_, s)| share > s) {
            best = Some((i, share));
        }
    }
    best.map(|(i, _)| i)
}

/// The one event name a filter reads, when it names exactly one.
fn single_name(f: &EventFilter) -> Option<&str> {
    match f.names.as_deref() {
        Some([one]) => Some(one),
        _ => None,
    }
}

/// Whether a window starts more than `days` back from the as-of: unbounded, a fixed
/// instant when the as-of is read at run time (later runs reach further back), or a start
/// further back than that at the planning instant.
fn reaches_beyond(w: &TimeWindow, days: i64, as_of: i64, at_run: bool) -> bool {
    match &w.start {
        None => true,
        Some(TimePoint::At(_)) if at_run => true,
        Some(start) => as_of - instant(as_of, start) > days * MICROS_PER_DAY,
    }
}

/// The lookups collected whose event the relation's shared aggregate reads anyway
/// (after the window tiers: a column of the last month's tier has its own scan), or that
/// another lookup collected first reads (one scan of the event's rows is enough): their
/// `or`s, which collection must then leave as they are.
pub(super) fn conflicts(c: &Collected) -> Vec<Vec<Cond>> {
    let mut seen: Vec<(EventsId, &str)> = Vec::new();
    let mut out = Vec::new();
    for d in &c.derived {
        let Derived::Lookup {
            alternatives,
            looked_up,
            ..
        } = d
        else {
            continue;
        };
        let Some(did) = alternatives[*looked_up].did() else {
            continue;
        };
        let Some(name) = single_name(&did.filter) else {
            continue;
        };
        let events = did.filter.events;
        let read_anyway = c
            .scans
            .iter()
            .filter(|s| s.events == events && s.kind == ScanKind::Shared)
            .flat_map(|s| &s.columns)
            .any(|(k, _)| {
                k.filter()
                    .names
                    .as_ref()
                    .is_none_or(|n| n.iter().any(|n| n == name))
            });
        if read_anyway || seen.contains(&(events, name)) {
            out.push(alternatives.clone());
        } else {
            seen.push((events, name));
        }
    }
    out
}
