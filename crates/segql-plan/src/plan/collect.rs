//! Collection: every behavioural value a statement needs becomes a *feature*: an
//! aggregate column of the scan of its events relation, a sequence, an `ntile` bucket,
//! or a count over related entities. Identical features are registered once, whichever
//! segment asked for them. This is the only place that registers anything.

use super::names::{names_slug, slug, window_suffix, Names};
use super::{avg_against_literal, sum_of, Capabilities, Derived, FactKey, Request, Scan, ScanKind};
use super::{Block, Needs, SeqFeature, Tile};
use crate::ir::*;

/// What collection found, before tiering and naming the rest.
pub(super) struct Collected {
    pub(super) scans: Vec<Scan>,
    pub(super) sequences: Vec<SeqFeature>,
    /// The CTE shared by the sequences of an events relation that has more than one.
    pub(super) seq_groups: Vec<(EventsId, String)>,
    pub(super) derived: Vec<Derived>,
    pub(super) names: Names,
}

pub(super) struct Collector<'a> {
    p: &'a Program,
    caps: &'a Capabilities,
    /// The statement is a batch, whose sequences may take lists
    /// ([`SequenceLists`](super::SequenceLists)).
    batch: bool,
    /// The sequences that took lists, and the entity asking.
    listed: Vec<(Sequence, EntityId)>,
    /// Collecting what the body's block of a batch emits (not an ntile's or a
    /// quantifier's block): where an `or` may be looked up (`super::lookups`).
    body: bool,
    as_of: i64,
    at_run: bool,
    /// The `or`s that must keep their columns (`super::lookups::conflicts`).
    denied: &'a [Vec<Cond>],
    c: Collected,
}

impl<'a> Collector<'a> {
    pub(super) fn new(
        p: &'a Program,
        caps: &'a Capabilities,
        as_of: i64,
        at_run: bool,
        denied: &'a [Vec<Cond>],
    ) -> Self {
        Collector {
            p,
            caps,
            batch: false,
            listed: Vec::new(),
            body: false,
            as_of,
            at_run,
            denied,
            c: Collected {
                scans: Vec::new(),
                sequences: Vec::new(),
                seq_groups: Vec::new(),
                derived: Vec::new(),
                names: Names::new(p),
            },
        }
    }

    /// Collects what a request's statement needs; `entity` is the statement's.
    pub(super) fn request(&mut self, r: &Request, entity: EntityId) {
        let p = self.p;
        match r {
            Request::Segment(id) => {
                let seg = &p.segments[*id];
                if super::lapses_as_sets(self.caps, r) {
                    // The lapses read no column (`super::lapses`).
                    for c in super::lapses::split(p, &seg.cond).rest {
                        self.cond(c, seg.entity);
                    }
                } else {
                    self.cond(&seg.cond, seg.entity);
                }
            }
            Request::Batch {
                segments, traits, ..
            } => {
                self.batch = true;
                self.body = true;
                for &id in segments {
                    self.cond(&p.segments[id].cond, entity);
                }
                for &t in traits {
                    self.scalar(&p.traits[t].value, entity);
                }
                self.body = false;
                self.unlist_alone();
            }
            Request::Report(ri) => {
                let rep = &p.reports[*ri];
                for &id in &rep.segments {
                    self.cond(&p.segments[id].cond, rep.entity);
                }
                for m in &rep.metrics {
                    match &m.kind {
                        MetricKind::Count(None) => {}
                        MetricKind::Count(Some(x)) | MetricKind::Share(x) => {
                            self.cond(x, rep.entity)
                        }
                        MetricKind::Avg(v)
                        | MetricKind::Sum(v)
                        | MetricKind::Min(v)
                        | MetricKind::Max(v) => self.scalar(v, rep.entity),
                    }
                }
            }
            Request::Split(si) => {
                let seg = &p.segments[p.splits[*si].segment];
                self.cond(&seg.cond, seg.entity);
            }
            Request::Priority(pi) => {
                for &id in &p.priorities[*pi].segments {
                    self.cond(&p.segments[id].cond, p.priorities[*pi].entity);
                }
            }
        }
    }

    pub(super) fn finish(self) -> Collected {
        self.c
    }

    pub(super) fn cond(&mut self, c: &Cond, entity: EntityId) {
        match c {
            Cond::Const(_) | Cond::Sql(_) => {}
            Cond::Or(v) if self.body && !self.denied.contains(v) => {
                match super::lookups::choice(self.p, self.caps, v, self.as_of, self.at_run) {
                    Some(i) => self.lookup(v, i, entity),
                    None => v.iter().for_each(|c| self.cond(c, entity)),
                }
            }
            Cond::And(v) | Cond::Or(v) => v.iter().for_each(|c| self.cond(c, entity)),
            Cond::Not(c) => self.cond(c, entity),
            Cond::Cmp(a, op, b) => {
                if let Some((agg, _, _)) = avg_against_literal(a, *op, b) {
                    // Compared exactly, as a sum against the literal times a count.
                    self.fact(FactKey::Agg(sum_of(agg)));
                    self.fact(FactKey::Seen(agg.clone()));
                    return;
                }
                self.scalar(a, entity);
                self.scalar(b, entity);
            }
            Cond::In { value, .. }
            | Cond::Text { value, .. }
            | Cond::Regex { value, .. }
            | Cond::IsSet(value) => self.scalar(value, entity),
            Cond::Segment(id) => {
                let seg = &self.p.segments[*id];
                self.cond(&seg.cond, seg.entity);
            }
            Cond::Quantified {
                entity: inner,
                via_ref,
                cond,
                ..
            } => {
                let body = std::mem::replace(&mut self.body, false);
                self.cond(cond, *inner);
                self.body = body;
                let group = self.c.derived.iter_mut().find_map(|d| match d {
                    Derived::Quant {
                        outer,
                        inner: i,
                        via_ref: r,
                        conds,
                        ..
                    } if *outer == entity && i == inner && r == via_ref => Some(conds),
                    _ => None,
                });
                match group {
                    Some(conds) => {
                        if !conds.contains(cond) {
                            conds.push((**cond).clone());
                        }
                    }
                    None => {
                        let name = format!(
                            "{}_per_{}",
                            self.p.catalog.entities[*inner].name,
                            self.p.catalog.entities[entity].name
                        );
                        let cte = self.c.names.fresh(&name);
                        self.c.derived.push(Derived::Quant {
                            outer: entity,
                            inner: *inner,
                            via_ref: *via_ref,
                            conds: vec![(**cond).clone()],
                            cte,
                            block: empty_block(*inner),
                        });
                    }
                }
            }
            Cond::Sequence(s) if self.takes_lists(s) => {
                for f in s.step_filters() {
                    self.fact(FactKey::Times(f));
                }
                self.fact(FactKey::matched(s));
                self.listed.push(((**s).clone(), entity));
            }
            Cond::Sequence(s) => {
                if !self.c.sequences.iter().any(|f| &f.seq == s.as_ref()) {
                    let step_slug = |st: &crate::ir::SeqStep| match st.action {
                        Some(a) => slug(&self.p.actions[a].name),
                        None => names_slug(&st.names),
                    };
                    let first = step_slug(&s.steps[0]);
                    let last = step_slug(&s.steps[s.steps.len() - 1]);
                    let cte = self.c.names.fresh(&format!("{first}_then_{last}"));
                    // A second sequence over the same events: they share one scan.
                    if self.c.sequences.iter().any(|f| f.seq.events == s.events)
                        && !self.c.seq_groups.iter().any(|(e, _)| *e == s.events)
                    {
                        let group = self.c.names.fresh("sequences");
                        self.c.seq_groups.push((s.events, group));
                    }
                    self.c.sequences.push(SeqFeature {
                        seq: (**s).clone(),
                        cte,
                    });
                }
            }
        }
    }

    /// The sequences over a relation the batch aggregates only for their lists take their
    /// chain instead: the lists pay where they join an aggregate the batch makes anyway
    /// (one segment alone measured 1.31x of its joins, docs/benchmarks.md).
    fn unlist_alone(&mut self) {
        let alone = |c: &Collected, e: EventsId| {
            c.scans
                .iter()
                .filter(|sc| sc.events == e && sc.kind == ScanKind::Shared)
                .all(|sc| {
                    sc.columns
                        .iter()
                        .all(|(k, _)| matches!(k, FactKey::Times(_) | FactKey::Matched { .. }))
                })
        };
        let (unlisted, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.listed)
            .into_iter()
            .partition(|(s, _)| alone(&self.c, s.events));
        self.listed = kept;
        if unlisted.is_empty() {
            return;
        }
        for sc in &mut self.c.scans {
            if unlisted.iter().any(|(s, _)| s.events == sc.events) {
                sc.columns
                    .retain(|(k, _)| !matches!(k, FactKey::Times(_) | FactKey::Matched { .. }));
            }
        }
        self.c.scans.retain(|sc| !sc.columns.is_empty());
        let batch = std::mem::replace(&mut self.batch, false);
        for (s, entity) in unlisted {
            self.cond(&Cond::Sequence(Box::new(s)), entity);
        }
        self.batch = batch;
    }

    /// Whether a sequence is tested on lists of its steps' times
    /// ([`SequenceLists`](super::SequenceLists)): in a batch, every step naming its events,
    /// where the statistics bound the pairs.
    fn takes_lists(&self, s: &Sequence) -> bool {
        if !self.batch || !self.caps.sequence_lists.taken() || s.steps.len() < 2 {
            return false;
        }
        super::pairs_bounded(self.p, s)
    }

    pub(super) fn scalar(&mut self, s: &Scalar, entity: EntityId) {
        match s {
            Scalar::Column(_) | Scalar::Lit(_) | Scalar::Time(_) => {}
            Scalar::Agg(a) => {
                self.fact(FactKey::Agg((**a).clone()));
                if self.caps.unmatched == super::Unmatched::TypeDefaults && !a.zero_when_empty() {
                    self.fact(FactKey::Seen((**a).clone()));
                }
            }
            Scalar::Ntile {
                k, value, among, ..
            } => {
                // Emitted in the ntile's block (or, inlined, a value with no condition).
                let body = std::mem::replace(&mut self.body, false);
                self.scalar(value, entity);
                if let Some(c) = among {
                    self.cond(c, entity);
                }
                self.body = body;
                self.ntile(*k, s, entity);
            }
            Scalar::Score(rules) => rules.iter().for_each(|(_, c)| self.cond(c, entity)),
            Scalar::Folded(v) => self.scalar(v, entity),
        }
    }

    /// An `or` whose alternative `i` is looked up for the keys the others leave
    /// (`super::lookups`): the others' columns, and the lookup once.
    fn lookup(&mut self, alternatives: &[Cond], i: usize, entity: EntityId) {
        for (j, c) in alternatives.iter().enumerate() {
            if j != i {
                self.cond(c, entity);
            }
        }
        let planned = self.c.derived.iter().any(|d| {
            matches!(d, Derived::Lookup { entity: e, alternatives: a, .. }
                if *e == entity && a.as_slice() == alternatives)
        });
        if planned {
            return;
        }
        let Some(did) = alternatives[i].did() else {
            return;
        };
        let base = format!(
            "{}{}_looked_up",
            names_slug(&did.filter.names),
            window_suffix(&did.filter.window)
        );
        let cte = self.c.names.fresh(&base);
        self.c.derived.push(Derived::Lookup {
            entity,
            alternatives: alternatives.to_vec(),
            looked_up: i,
            cte,
            block: empty_block(entity),
        });
    }

    fn ntile(&mut self, k: i64, ntile: &Scalar, entity: EntityId) {
        let planned = self.c.derived.iter().any(
            |d| matches!(d, Derived::Ntile { tiles, .. } if tiles.iter().any(|t| t.is(ntile))),
        );
        if planned {
            return;
        }
        // A tile ranked among a population gets a CTE of its own: the population may
        // ask for another tile's bucket, which a shared CTE could not join.
        let alone = matches!(ntile, Scalar::Ntile { among: Some(_), .. });
        let group = self.c.derived.iter().position(|d| {
            matches!(d, Derived::Ntile { entity: e, tiles, .. }
                if *e == entity && !alone && tiles.iter().all(|t| t.among.is_none()))
        });
        let Some(di) = group else {
            let name = self.c.names.fresh(&format!("ntile_{k}"));
            self.c.derived.push(Derived::Ntile {
                entity,
                tiles: Tile::of(ntile, name.clone()).into_iter().collect(),
                cte: name,
                block: empty_block(entity),
            });
            return;
        };
        let name = self.c.names.fresh(&format!("ntile_{k}"));
        // The second tile: the CTE becomes the entity's shared one.
        let single = matches!(&self.c.derived[di],
            Derived::Ntile { tiles, .. } if tiles.len() == 1);
        let shared = single.then(|| self.c.names.fresh("ntiles"));
        if let Derived::Ntile { tiles, cte, .. } = &mut self.c.derived[di] {
            if let Some(shared) = shared {
                *cte = shared;
            }
            tiles.extend(Tile::of(ntile, name));
        }
    }

    /// Registers an aggregate column in its relation's scan (the first of its kind: the
    /// widest, before tiering), once.
    fn fact(&mut self, key: FactKey) {
        let events = key.filter().events;
        let distinct = self.caps.distinct.apart()
            && match &key {
                FactKey::Agg(a) => match a.kind {
                    AggKind::CountDistinct(_) => true,
                    AggKind::ActivePeriods { n, min_events, .. } => {
                        min_events == 1 && self.caps.active_periods.distinct(n)
                    }
                    _ => false,
                },
                FactKey::Seen(_) | FactKey::Times(_) | FactKey::Matched { .. } => false,
            };
        let own_lists = self.caps.sequence_lists.own_aggregate()
            && matches!(key, FactKey::Times(_) | FactKey::Matched { .. });
        let kind = if distinct {
            ScanKind::Distinct
        } else if own_lists {
            ScanKind::Lists
        } else {
            ScanKind::Shared
        };
        let scan = self
            .c
            .scans
            .iter()
            .position(|s| s.events == events && s.kind == kind);
        if let Some(si) = scan {
            if self.c.scans[si].columns.iter().any(|(k, _)| k == &key) {
                return;
            }
        }
        let si = match scan {
            Some(i) => i,
            None => {
                let ev = &self.p.catalog.events[events];
                let entity = &self.p.catalog.entities[ev.entity];
                let what = match kind {
                    ScanKind::Distinct => "distinct_",
                    ScanKind::Lists => "steps_",
                    _ => "",
                };
                let cte = self
                    .c
                    .names
                    .fresh(&format!("{}_{what}per_{}", ev.name, entity.name));
                self.c.scans.push(Scan {
                    events,
                    kind,
                    cte,
                    columns: Vec::new(),
                });
                self.c.scans.len() - 1
            }
        };
        let name = self.column_name(&key, si);
        self.c.scans[si].columns.push((key, name));
    }

    /// A column's name in its scan: what it computes, unique in the scan.
    fn column_name(&self, key: &FactKey, si: usize) -> String {
        let filter = key.filter();
        let events = filter.events;
        let names = match filter.action {
            Some(a) => slug(&self.p.actions[a].name),
            None => names_slug(&filter.names),
        };
        let what = match key {
            FactKey::Times(_) => "_times".to_string(),
            FactKey::Matched { seq, .. } => {
                let last = &seq.steps[seq.steps.len() - 1];
                let last = match last.action {
                    Some(a) => slug(&self.p.actions[a].name),
                    None => names_slug(&last.names),
                };
                format!("_then_{last}")
            }
            FactKey::Agg(agg) | FactKey::Seen(agg) => Self::agg_suffix(&agg.kind),
        };
        let filtered = if filter.pred.is_some() {
            "_filtered"
        } else {
            ""
        };
        let seen = if matches!(key, FactKey::Seen(_)) {
            "_seen"
        } else {
            ""
        };
        let mut base = format!(
            "{names}{what}{}{filtered}{seen}",
            window_suffix(&filter.window)
        );
        if base.len() > 60 {
            base.truncate(60);
        }
        let key_name = slug(&self.p.catalog.entities[self.p.catalog.events[events].entity].key);
        let mut name = base.clone();
        let mut i = 2;
        while name == key_name || self.c.scans[si].columns.iter().any(|(_, n)| n == &name) {
            name = format!("{base}_{i}");
            i += 1;
        }
        name
    }

    /// What an aggregate computes, in its column's name.
    fn agg_suffix(kind: &AggKind) -> String {
        match kind {
            AggKind::Count => String::new(),
            AggKind::CountDistinct(c) => format!("_distinct_{}", slug(c)),
            AggKind::Sum(c) => format!("_{}_sum", slug(c)),
            AggKind::Avg(c) => format!("_{}_avg", slug(c)),
            AggKind::Min(c) => format!("_{}_min", slug(c)),
            AggKind::Max(c) => format!("_{}_max", slug(c)),
            AggKind::FirstValue(c) => format!("_{}_first", slug(c)),
            AggKind::LastValue(c) => format!("_{}_last", slug(c)),
            AggKind::First => "_first_at".to_string(),
            AggKind::Last => "_last_at".to_string(),
            AggKind::ActivePeriods {
                unit,
                length,
                min_events,
                ..
            } => {
                let len = if *length > 1 {
                    format!("{length}_")
                } else {
                    String::new()
                };
                let each = if *min_events > 1 {
                    format!("_{min_events}_each")
                } else {
                    String::new()
                };
                format!("_active_{len}{}s{each}", unit.singular())
            }
        }
    }
}

/// A block whose alias and joins are filled in by `needs`.
fn empty_block(entity: EntityId) -> Block {
    Block {
        entity,
        alias: String::new(),
        needs: Needs::default(),
        ref_aliases: Vec::new(),
        extra_aliases: Vec::new(),
    }
}
