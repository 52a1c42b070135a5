//! Stage 5, planning: the checked IR and a request to a [`Plan`], the data emission reads.
//!
//! The plan says which CTEs a statement defines and what each computes: the aggregate
//! scans of every events relation (the shared one, a scan for distinct aggregates, one
//! per window tier), the sequences and their chain of window passes, the derived CTEs
//! (ntile buckets, counts over related entities) in the order they must be defined, and
//! for every query block the joins its expressions need. Planning reads the dialect only
//! through [`Capabilities`]; it writes no SQL. Emission (`crate::emit`) reads the plan and
//! cannot add to it: a lookup of something not planned is an internal error.
//!
//! Planning happens in four steps, each in its own file: `collect` registers every
//! behavioural value as a column of its relation's scan (identical ones once, whichever
//! segment asked; an `or`'s frequent event may instead be looked up for the keys the
//! rest of it leaves, `lookups`), `tiers` splits scans by window, the body's and the
//! sequences' names are taken (`chains`: the sequences' CTE chains and the names of
//! their CTEs), and `needs` finds the joins of each block and the order of the derived
//! CTEs.

mod chains;
mod collect;
mod derived;
mod display;
pub use derived::{matching_column, Derived, Tile};
pub(crate) mod lapses;
mod lists;
pub(crate) mod lookups;
pub(crate) mod names;
mod needs;
pub(crate) mod rewrite;
pub(crate) mod starts;
mod tiers;

use crate::as_of::RunAsOf;
use crate::dialect::fixed_micros;
use crate::ir::*;
use segql_syntax::ast::Unit;
use segql_syntax::time::{civil_from_days, days_from_civil, days_in_month, MICROS_PER_DAY};
use std::collections::BTreeSet;

/// What planning reads of a dialect: the statement shapes it takes (declared by each
/// dialect in `dialect.rs`, with no defaults).
pub use crate::dialect::{
    ActivePeriods, Capabilities, DistinctScan, Lapses, Lookups, Ntiles, NtilesAlone, RareTiers,
    SequenceJoins, SequenceLists, Sequences, Unmatched, WindowTiers,
};

/// What a statement computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `SELECT key` of the members of one segment.
    Segment(SegmentId),
    /// One row per entity with a boolean column per segment (all of one entity) and a
    /// column per trait of that entity; `long`: one row per (segment, member) instead.
    Batch {
        segments: Vec<SegmentId>,
        traits: Vec<usize>,
        long: bool,
    },
    /// One row per segment of the report, a column per metric.
    Report(usize),
    /// Each member of the split's segment with its group.
    Split(usize),
    /// Each entity in the first listed segment it belongs to.
    Priority(usize),
}

impl Request {
    /// The wide batch of some segments: a boolean column per segment.
    pub fn batch(segments: &[SegmentId]) -> Request {
        Request::batch_with_traits(segments, &[])
    }

    /// The wide batch with a column per trait (traits of other entities are skipped).
    pub fn batch_with_traits(segments: &[SegmentId], traits: &[usize]) -> Request {
        Request::Batch {
            segments: segments.to_vec(),
            traits: traits.to_vec(),
            long: false,
        }
    }

    /// The long batch: one row per (segment, member).
    pub fn batch_long(segments: &[SegmentId]) -> Request {
        Request::Batch {
            segments: segments.to_vec(),
            traits: vec![],
            long: true,
        }
    }
}

/// An aggregate column of a scan: what it computes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FactKey {
    Agg(EventAgg),
    /// The number of rows a nullable aggregate saw a value in: its guard.
    Seen(EventAgg),
    /// The times of the filter's events, a list per key: a batch's sequence step
    /// ([`SequenceLists`]), unset for a key without one.
    Times(EventFilter),
    /// Whether a sequence on lists matched, computed in the scan of its steps' times
    /// from them, so that the joins to the entities carry a boolean and not the lists
    /// (the batch at 100k users: 0.96x of the lists joined, docs/benchmarks.md); `first` is
    /// its first step's filter, which places it in the tier of its times.
    Matched {
        seq: Box<Sequence>,
        first: EventFilter,
    },
}

impl FactKey {
    /// The events the column reads.
    pub fn filter(&self) -> &EventFilter {
        match self {
            FactKey::Agg(a) | FactKey::Seen(a) => &a.filter,
            FactKey::Times(f) | FactKey::Matched { first: f, .. } => f,
        }
    }

    /// A sequence's match on its lists ([`FactKey::Matched`]).
    pub fn matched(s: &Sequence) -> FactKey {
        let first = s.step_filters().swap_remove(0);
        FactKey::Matched {
            seq: Box::new(s.clone()),
            first,
        }
    }
}

/// Which rows of an events relation a scan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanKind {
    /// The relation's shared aggregate (the widest window tier present).
    Shared,
    /// Only distinct aggregates, on dialects that scan for them separately.
    Distinct,
    /// The columns whose window starts within the tier (`last_month`, `last_quarter`).
    Tier(&'static str),
    /// Only the lists of a batch's sequence steps' times and the sequences matched on
    /// them, on dialects that collect them apart from the shared aggregate
    /// ([`SequenceLists::InOwnAggregateWhenStatisticsBound`]).
    Lists,
}

/// One CTE scanning an events relation, grouped by key: a column per aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    pub events: EventsId,
    pub kind: ScanKind,
    pub cte: String,
    pub columns: Vec<(FactKey, String)>,
}

/// A sequence, and its name: its CTE when it is alone over its relation, its column in
/// the relation's shared `sequences` CTE otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeqFeature {
    pub seq: Sequence,
    pub cte: String,
}

/// The CTE chain of every sequence over one events relation: one scan of the steps,
/// then a window pass per step position, then the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeqChain {
    pub events: EventsId,
    /// The sequences (indices into [`Plan::sequences`]), in collection order.
    pub members: Vec<usize>,
    /// The shared result CTE when more than one sequence reads the relation in
    /// [`ChainForm::WindowPasses`]; in time buckets each sequence has its own.
    pub group: Option<String>,
    /// The scan of the steps' events. In [`ChainForm::TimeBuckets`] a lone two-step
    /// sequence's scan is grouped by bucket; otherwise it is a row per event with a flag
    /// per step, which every sequence of the chain reads.
    pub steps_cte: String,
    /// The window pass for step positions 2, 3, ... of the longest sequence (empty in
    /// [`ChainForm::TimeBuckets`], whose CTEs are each sequence's own).
    pub step_ctes: Vec<String>,
    pub form: ChainForm,
}

/// How a chain finds its sequences' matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainForm {
    /// A row per (key, instant) and a window pass per step position.
    WindowPasses,
    /// Every sequence of the chain as hash aggregates and joins over the chain's one scan,
    /// no sort ([`Sequences::TimeBuckets`]; emission's `sequences::bucketed` has the
    /// argument), a [`Buckets`] per member in order.
    TimeBuckets(Vec<Buckets>),
    /// One sequence alone over its relation ([`SequenceJoins`]): the steps' events (the
    /// chain's scan, a flag per step) joined step to step on the key within the time
    /// range; each middle step's valid events (distinct key and time) in the CTE named
    /// here, in order, so that every join's pairs stay within what the statistics bound.
    Joins(Vec<String>),
}

/// One sequence in time buckets: per step after the first, its `within` and that length
/// in microseconds (the buckets its test groups the earlier step's times by), or `None`
/// without one (per key); and the CTEs it adds before its result. Two steps: alone, the
/// CTE holding each bucket's latest first step (none without a `within`); beside others,
/// first its steps grouped by bucket. Three steps or more: the first step's buckets, per
/// middle step its valid events and their buckets, then the last step's buckets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buckets {
    pub withins: Vec<Option<(Duration, i64)>>,
    pub ctes: Vec<String>,
    /// A sequence that starts another of the chain (a funnel's earlier stage: the same
    /// window and first steps, each with the same `within`) computes nothing of its own:
    /// its members are the keys of this CTE of the longer one's, the valid events of the
    /// step that is its last. `ctes` is then empty.
    pub prefix_rows: Option<String>,
}

impl SeqChain {
    /// The CTE holding the result.
    pub fn result_cte<'p>(&'p self, plan: &'p Plan) -> &'p str {
        match &self.group {
            Some(g) => g,
            None => &plan.sequences[self.members[0]].cte,
        }
    }
}

/// Whether the statistics bound the pairs of a sequence's adjacent steps (every step
/// naming its events; [`crate::stats::Statistics::joins_fit`]): what its joins
/// ([`SequenceJoins`]) and its lists ([`SequenceLists`]) both need.
pub(crate) fn pairs_bounded(p: &Program, seq: &Sequence) -> bool {
    let Some(steps) = seq
        .steps
        .iter()
        .map(|s| s.names.as_deref())
        .collect::<Option<Vec<&[String]>>>()
    else {
        return false;
    };
    p.stats
        .joins_fit(&p.catalog.events[seq.events].table, &steps)
}

/// Whether the body may compute this `ntile` in its own `SELECT` (the wide batch's under
/// [`Ntiles::InWideSelect`], one segment's under [`NtilesAlone::Qualify`]): over every
/// entity (no population) and of a value that holds no window itself (an aggregate or a
/// column), since windows do not nest.
pub fn ntile_inline(s: &Scalar) -> bool {
    matches!(s, Scalar::Ntile { among: None, value, .. }
        if matches!(**value, Scalar::Agg(_) | Scalar::Column(_)))
}

/// One query block over an entity's table: its alias and the joins its expressions need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub entity: EntityId,
    pub alias: String,
    pub needs: Needs,
    /// The alias of each reference of the entity the block joins.
    pub ref_aliases: Vec<(usize, String)>,
    /// The alias of each extra table the block joins: the entity's own (`None`) or a
    /// referenced entity's (the reference), and the extra's number.
    pub extra_aliases: Vec<(Option<usize>, usize, String)>,
}

impl Block {
    pub fn extra_alias(&self, via: Option<usize>, x: usize) -> Option<&str> {
        self.extra_aliases
            .iter()
            .find(|(v, i, _)| *v == via && *i == x)
            .map(|(_, _, a)| a.as_str())
    }

    pub fn ref_alias(&self, ri: usize) -> Option<&str> {
        self.ref_aliases
            .iter()
            .find(|(r, _)| *r == ri)
            .map(|(_, a)| a.as_str())
    }
}

/// The CTEs and referenced tables a block joins (indices into the plan).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub refs: BTreeSet<usize>,
    /// Extra tables: of the entity itself (`None`) or through a reference.
    pub extras: BTreeSet<(Option<usize>, usize)>,
    pub scans: BTreeSet<usize>,
    pub seqs: BTreeSet<usize>,
    pub derived: BTreeSet<usize>,
}

/// The statement's own SELECT, by request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Segment(SegmentId),
    Batch {
        segments: Vec<SegmentId>,
        traits: Vec<usize>,
        long: bool,
    },
    /// `base`: the CTE of per-entity flags and metric values the report aggregates.
    Report {
        index: usize,
        base: String,
    },
    /// `members`: the CTE of the segment's members and their hash bucket.
    Split {
        index: usize,
        members: String,
    },
    Priority(usize),
}

/// Everything emission needs to write one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The planning instant; the SQL's as-of when `at_run` is `None`.
    pub as_of: i64,
    /// Where the statement reads its as-of when it runs, if it does: nothing may then
    /// depend on `as_of` for correctness, only for speed.
    pub at_run: Option<RunAsOf>,
    pub body: Body,
    /// The body's block, over the statement's entity.
    pub block: Block,
    /// The aggregate scans, in the order they are defined.
    pub scans: Vec<Scan>,
    pub sequences: Vec<SeqFeature>,
    /// One per events relation with sequences, in order of their first sequence.
    pub chains: Vec<SeqChain>,
    /// In collection order; defined in [`Plan::derived_order`] (an ntile CTE only
    /// when some block joins it).
    pub derived: Vec<Derived>,
    pub derived_order: Vec<usize>,
    /// The body's `SELECT` computes its entity's ntiles itself where [`ntile_inline`]
    /// allows: the wide batch's ([`Ntiles::InWideSelect`]), or one segment's with its
    /// condition in `QUALIFY` ([`NtilesAlone::Qualify`]). Its block joins their values,
    /// not their CTE.
    pub inline_ntiles: bool,
    /// One segment's top-level lapses are tested as sets of keys ([`Lapses::KeySets`],
    /// `plan::lapses`): nothing is collected or joined for them.
    pub lapses_as_sets: bool,
    /// The alias of the keys a segment's absence is anti-joined to, when it has one
    /// ([`lapses::Split::absent`]).
    pub absent_alias: Option<String>,
}

/// Something the plan does not hold: a bug in planning, never a user's mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotPlanned(pub String);

impl Plan {
    /// The scan and column of an aggregate.
    pub fn column(&self, key: &FactKey) -> Result<(usize, &str), NotPlanned> {
        self.scans
            .iter()
            .enumerate()
            .find_map(|(si, s)| {
                s.columns
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, name)| (si, name.as_str()))
            })
            .ok_or_else(|| NotPlanned(format!("no scan computes {key:?}")))
    }

    /// The scan and column of a sequence's match when it is tested on lists
    /// ([`SequenceLists`], [`FactKey::Matched`]); `None` when it has a chain.
    pub fn matched(&self, s: &Sequence) -> Option<(usize, &str)> {
        self.column(&FactKey::matched(s)).ok()
    }

    /// The scan and column of each step's times when the sequence is tested on lists
    /// ([`SequenceLists`]); `None` when it has a chain.
    pub fn step_times(&self, s: &Sequence) -> Option<Vec<(usize, &str)>> {
        s.step_filters()
            .into_iter()
            .map(|f| self.column(&FactKey::Times(f)).ok())
            .collect()
    }

    /// The derived CTE and column of an entity's `ntile`.
    pub fn ntile(&self, entity: EntityId, ntile: &Scalar) -> Result<(usize, String), NotPlanned> {
        self.derived
            .iter()
            .enumerate()
            .find_map(|(di, d)| match d {
                Derived::Ntile {
                    entity: e, tiles, ..
                } if *e == entity => {
                    let t = tiles.iter().find(|t| t.is(ntile))?;
                    let column = if tiles.len() == 1 {
                        "bucket".to_string()
                    } else {
                        t.name.clone()
                    };
                    Some((di, column))
                }
                _ => None,
            })
            .ok_or_else(|| NotPlanned(format!("no {ntile:?} for entity {entity}")))
    }

    /// The derived CTE and `matching` column of a quantifier's condition.
    pub fn quantifier(
        &self,
        outer: EntityId,
        inner: EntityId,
        via_ref: usize,
        cond: &Cond,
    ) -> Result<(usize, String), NotPlanned> {
        self.derived
            .iter()
            .enumerate()
            .find_map(|(di, d)| match d {
                Derived::Quant {
                    outer: o,
                    inner: i,
                    via_ref: r,
                    conds,
                    ..
                } if *o == outer && *i == inner && *r == via_ref => {
                    let ci = conds.iter().position(|c| c == cond)?;
                    Some((di, matching_column(conds.len(), ci)))
                }
                _ => None,
            })
            .ok_or_else(|| NotPlanned(format!("no quantifier over entity {inner} for {outer}")))
    }

    /// The lookup of an `or` of the body's block over `entity` (`plan::lookups`): the
    /// derived CTE and the alternative it stands for, if the batch looks one up.
    pub fn lookup(&self, entity: EntityId, alternatives: &[Cond]) -> Option<(usize, usize)> {
        self.derived.iter().enumerate().find_map(|(di, d)| match d {
            Derived::Lookup {
                entity: e,
                alternatives: a,
                looked_up,
                ..
            } if *e == entity && a.as_slice() == alternatives => Some((di, *looked_up)),
            _ => None,
        })
    }

    /// The index of a sequence.
    pub fn sequence(&self, seq: &Sequence) -> Result<usize, NotPlanned> {
        self.sequences
            .iter()
            .position(|f| &f.seq == seq)
            .ok_or_else(|| NotPlanned("a sequence that was not collected".to_string()))
    }

    /// Where a sequence's result is: (CTE, column). A sequence alone over its events
    /// relation has its own CTE with a `matched` column; several share one CTE with a
    /// column each.
    pub fn sequence_column(&self, si: usize) -> (String, String) {
        let f = &self.sequences[si];
        let group = self
            .chains
            .iter()
            .find(|c| c.members.contains(&si))
            .and_then(|c| c.group.clone());
        match group {
            Some(group) => (group, f.cte.clone()),
            None => (f.cte.clone(), "matched".to_string()),
        }
    }

    /// The instant a time point stands for at the planning instant, with the calendar
    /// rules the SQL uses. With an as-of read at run time it is one run's instant of
    /// many: choices that must hold at every run use [`starts`] instead.
    pub fn instant(&self, t: &TimePoint) -> i64 {
        instant(self.as_of, t)
    }

    /// The starts a scan serving windows that start at `starts` must take the least of
    /// as its lower bound: the earliest one, or with an as-of read at run time, each
    /// that is not at or after another at every as-of (`plan::starts`).
    pub fn earliest_starts(&self, starts: &[&TimePoint]) -> Vec<TimePoint> {
        starts::earliest(starts, self.as_of, self.at_run.is_some())
    }
}

/// Months back from a timestamp, clamped to the end of the month.
fn months_back(ts: i64, n: i64) -> i64 {
    let days = ts.div_euclid(MICROS_PER_DAY);
    let rem = ts.rem_euclid(MICROS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let total = y * 12 + i64::from(m) - 1 - n;
    let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    let nd = d.min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd) * MICROS_PER_DAY + rem
}

/// The instant a time point stands for at `as_of`.
pub fn instant(as_of: i64, t: &TimePoint) -> i64 {
    match t {
        TimePoint::AsOf => as_of,
        TimePoint::At(ts) => *ts,
        TimePoint::Ago(d) => match fixed_micros(d.unit) {
            Some(us) => as_of - d.n * us,
            None => months_back(as_of, if d.unit == Unit::Year { d.n * 12 } else { d.n }),
        },
    }
}

/// `avg(x) op literal` (or `literal op avg(x)`), as (the average, the operator with the
/// average on the left, the literal).
pub fn avg_against_literal<'s>(
    a: &'s Scalar,
    op: segql_syntax::ast::CmpOp,
    b: &'s Scalar,
) -> Option<(&'s EventAgg, segql_syntax::ast::CmpOp, &'s Lit)> {
    use segql_syntax::ast::CmpOp;
    let flip = |op: CmpOp| match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    };
    let numeric = |l: &Lit| matches!(l, Lit::Int(_) | Lit::Decimal(_));
    match (a, b) {
        (Scalar::Agg(agg), Scalar::Lit(l)) if matches!(agg.kind, AggKind::Avg(_)) && numeric(l) => {
            Some((agg, op, l))
        }
        (Scalar::Lit(l), Scalar::Agg(agg)) if matches!(agg.kind, AggKind::Avg(_)) && numeric(l) => {
            Some((agg, flip(op), l))
        }
        _ => None,
    }
}

/// The sum beside an average (same property, events and window).
pub fn sum_of(avg: &EventAgg) -> EventAgg {
    let AggKind::Avg(col) = &avg.kind else {
        return avg.clone();
    };
    EventAgg {
        kind: AggKind::Sum(col.clone()),
        filter: avg.filter.clone(),
    }
}

/// The single-letter alias of an entity's table in a block (`p` is taken by nothing
/// today but kept apart, as the first design used it for parameters).
fn entity_alias(p: &Program, entity: EntityId) -> String {
    let name = &p.catalog.entities[entity].name;
    let alias = name
        .chars()
        .find(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase().to_string())
        .unwrap_or_else(|| "t".to_string());
    if alias == "p" {
        format!("{alias}0")
    } else {
        alias
    }
}

/// Plans a request.
pub fn plan(
    p: &Program,
    r: &Request,
    caps: &Capabilities,
    as_of: i64,
    at_run: Option<RunAsOf>,
) -> Result<Plan, String> {
    let entity = request_entity(p, r)?;
    let collect = |denied: &[Vec<Cond>]| {
        let mut c = collect::Collector::new(p, caps, as_of, at_run.is_some(), denied);
        c.request(r, entity);
        let mut collected = c.finish();
        if caps.windows.splits() {
            let by_names = caps.windows == WindowTiers::ByWindowAndNames;
            tiers::split(&mut collected, as_of, at_run.is_some(), by_names);
        }
        if caps.sequence_lists.rare_columns() {
            lists::rare_columns(&mut collected, p);
        }
        if caps.rare_tiers == RareTiers::IntoLists {
            lists::rare_tiers(&mut collected, p);
        }
        if caps.distinct == DistinctScan::OwnScanOrLists {
            lists::distinct_columns(&mut collected);
        }
        collected
    };
    // The lookups whose event the shared aggregate reads anyway are left as columns,
    // until none is (`lookups::conflicts`; each round leaves at least one more).
    let mut denied: Vec<Vec<Cond>> = Vec::new();
    let mut collected = collect(&denied);
    loop {
        let more = lookups::conflicts(&collected);
        if more.is_empty() {
            break;
        }
        denied.extend(more);
        collected = collect(&denied);
    }
    let mut names = std::mem::replace(&mut collected.names, names::Names::new(p));
    // The body's references are named before its own CTEs (a report's base, a split's
    // members), which are named after the features, then the sequences' chains.
    let body_names = names.clone();
    let body = match r {
        Request::Segment(id) => Body::Segment(*id),
        Request::Batch {
            segments,
            traits,
            long,
        } => Body::Batch {
            segments: segments.clone(),
            traits: traits
                .iter()
                .copied()
                .filter(|&t| p.traits[t].entity == entity)
                .collect(),
            long: *long,
        },
        Request::Report(ri) => Body::Report {
            index: *ri,
            base: names.fresh(&format!("{}_base", p.reports[*ri].name)),
        },
        Request::Split(si) => Body::Split {
            index: *si,
            members: names.fresh(&format!("{}_members", p.splits[*si].name)),
        },
        Request::Priority(pi) => Body::Priority(*pi),
    };
    let chains = chains::chains(p, &collected, caps, &mut names);
    // One segment's absence tested as an anti join (`lapses::split`) needs an alias.
    let absent_alias = match r {
        Request::Segment(id)
            if lapses_as_sets(caps, r)
                && lapses::split(p, &p.segments[*id].cond).absent.is_some() =>
        {
            Some(names.fresh("absent"))
        }
        _ => None,
    };
    let mut plan = Plan {
        as_of,
        at_run,
        body,
        block: Block {
            entity,
            alias: entity_alias(p, entity),
            needs: Needs::default(),
            ref_aliases: Vec::new(),
            extra_aliases: Vec::new(),
        },
        scans: collected.scans,
        sequences: collected.sequences,
        chains,
        derived: collected.derived,
        derived_order: Vec::new(),
        inline_ntiles: match r {
            Request::Batch { .. } => caps.ntiles == Ntiles::InWideSelect,
            Request::Segment(_) => caps.ntiles_alone == NtilesAlone::Qualify,
            _ => false,
        },
        lapses_as_sets: lapses_as_sets(caps, r),
        absent_alias,
    };
    needs::resolve(p, &mut plan, &body_names, &names)?;
    Ok(plan)
}

/// Whether a request's lapses are sets of keys ([`lapses`]): one segment's, where the
/// dialect says so.
fn lapses_as_sets(caps: &Capabilities, r: &Request) -> bool {
    caps.lapses == Lapses::KeySets && matches!(r, Request::Segment(_))
}

/// The entity a request's statement is over; every segment of a batch must be of it.
fn request_entity(p: &Program, r: &Request) -> Result<EntityId, String> {
    Ok(match r {
        Request::Segment(id) => p.segments[*id].entity,
        Request::Batch { segments, .. } => {
            let Some(&first) = segments.first() else {
                return Err("no segments selected".to_string());
            };
            let entity = p.segments[first].entity;
            if let Some(&other) = segments.iter().find(|&&i| p.segments[i].entity != entity) {
                return Err(format!(
                    "`{}` is of {} but `{}` is of {}; one statement covers one entity",
                    p.segments[first].name,
                    p.catalog.entities[entity].name,
                    p.segments[other].name,
                    p.catalog.entities[p.segments[other].entity].name
                ));
            }
            entity
        }
        Request::Report(ri) => p.reports[*ri].entity,
        Request::Split(si) => p.segments[p.splits[*si].segment].entity,
        Request::Priority(pi) => p.priorities[*pi].entity,
    })
}
