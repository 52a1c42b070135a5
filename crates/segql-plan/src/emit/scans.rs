//! The aggregate scans: one CTE per [`Scan`](crate::plan::Scan) of an events relation,
//! grouped by key, its earliest window and (when every column names events) its event
//! names pushed into `WHERE`, and a conditional aggregate per column.

use super::{Emitter, Scope, EV};
use crate::dialect::pick::Pick;
use crate::dialect::{fixed_micros, AggFn};
use crate::ir::*;
use crate::plan::lapses::Lapse;
use crate::plan::{Block, FactKey, ScanKind};
use crate::sql::{and, bin, derived, is_not_null, proj, From};
use segql_syntax::ast::{Type, Unit};
use sqlparser::ast::{BinaryOperator, Expr, Query};

impl Emitter<'_> {
    /// `ev.name IN (...)` for a step's names.
    pub(crate) fn name_filter(
        &mut self,
        events: EventsId,
        names: &Option<Vec<String>>,
    ) -> Option<Expr> {
        let ev = &self.p.catalog.events[events];
        match (&ev.source, names) {
            (EventSource::Column(col), Some(ns)) => {
                let col = self.sql.col(EV, col);
                let list: Vec<Expr> = ns.iter().map(|n| self.string_lit(n)).collect();
                Some(if list.len() == 1 {
                    bin(
                        col,
                        BinaryOperator::Eq,
                        list.into_iter().next().expect("one"),
                    )
                } else {
                    Expr::InList {
                        expr: Box::new(col),
                        list,
                        negated: false,
                    }
                })
            }
            _ => None,
        }
    }

    /// `ev.name >= lo AND ev.name <= hi` beside a scan's list of names, where the dialect
    /// tests ranges in the reader and the statistics say the range leaves most rows out
    /// ([`NameRanges`](crate::dialect::NameRanges)); the list stays, so the rows are the
    /// same.
    fn name_range(&mut self, events: EventsId, names: &[String]) -> Vec<Expr> {
        let ev = &self.p.catalog.events[events];
        let EventSource::Column(col) = &ev.source else {
            return Vec::new();
        };
        if self.d.capabilities().name_ranges != crate::dialect::NameRanges::WhenStatisticsSay {
            return Vec::new();
        }
        let Some((lo, hi)) = self.p.stats.range_pays(&ev.table, names) else {
            return Vec::new();
        };
        let col = self.sql.col(EV, col);
        let (lo, hi) = (self.string_lit(lo), self.string_lit(hi));
        vec![
            bin(col.clone(), BinaryOperator::GtEq, lo),
            bin(col, BinaryOperator::LtEq, hi),
        ]
    }

    /// The conditions an event must meet for a filter: names, properties, window start
    /// and end (the `< as_of` bound is in every scan's WHERE).
    /// `scan_names`: the names the scan's WHERE already restricts to; a filter on
    /// exactly those is implied and left out.
    pub(crate) fn filter_parts(
        &mut self,
        f: &EventFilter,
        skip_start: bool,
        scan_names: Option<&[String]>,
    ) -> Vec<Expr> {
        let time = self.sql.col(EV, &self.p.catalog.events[f.events].time);
        let mut parts = Vec::new();
        let implied = match (&f.names, scan_names) {
            (Some(mine), Some(scan)) => {
                mine.iter().all(|n| scan.contains(n)) && scan.iter().all(|n| mine.contains(n))
            }
            _ => false,
        };
        if !implied {
            if let Some(n) = self.name_filter(f.events, &f.names) {
                parts.push(n);
            }
        }
        if let Some(pred) = &f.pred {
            parts.push(self.cond(pred, Scope::Events).0);
        }
        if let Some(start) = &f.window.start {
            if !skip_start {
                let s = self.time_point(start);
                parts.push(bin(time.clone(), BinaryOperator::GtEq, s));
            }
        }
        if f.window.end != TimePoint::AsOf {
            let e = self.time_point(&f.window.end);
            parts.push(bin(time, BinaryOperator::Lt, e));
        }
        parts
    }

    /// The scan WHERE shared by every feature of a relation: before as_of, after the
    /// earliest window start, and (when every feature names events) only those names.
    /// Also returns the one start the WHERE bounds the scan by, which a column with that
    /// start need not repeat; `None` when unbounded, or when the bound is the `least` of
    /// several starts (an as-of read at run time, where no one start is earliest at every
    /// run: `plan::starts`).
    pub(crate) fn scan_where(
        &mut self,
        events: EventsId,
        filters: &[&EventFilter],
    ) -> (Expr, Option<TimePoint>, Option<Vec<String>>) {
        let per_name = self.name_windows(None);
        self.scan_where_by(events, filters, per_name)
    }

    /// Whether a scan (of `kind`, where it is one of the plan's) bounds each name by its
    /// own windows: where the dialect says so ([`NameWindows`](crate::dialect::NameWindows)),
    /// and in a batch's own lists aggregate on every dialect, which reads names for
    /// different windows by construction (all of history for the steps, the last month
    /// for a distinct count).
    fn name_windows(&self, kind: Option<ScanKind>) -> bool {
        kind == Some(ScanKind::Lists)
            || self.d.capabilities().name_windows == crate::dialect::NameWindows::PerName
    }

    /// [`Self::scan_where`], each name bounded by its own windows where `name_windows`
    /// says so ([`NameWindows`](crate::dialect::NameWindows)).
    fn scan_where_by(
        &mut self,
        events: EventsId,
        filters: &[&EventFilter],
        name_windows: bool,
    ) -> (Expr, Option<TimePoint>, Option<Vec<String>>) {
        let time = self.sql.col(EV, &self.p.catalog.events[events].time);
        let mut parts = vec![bin(time.clone(), BinaryOperator::Lt, self.as_of())];
        let starts: Vec<&TimePoint> = filters
            .iter()
            .map(|f| f.window.start.as_ref())
            .collect::<Option<_>>()
            .unwrap_or_default();
        let earliest = self.plan.earliest_starts(&starts);
        let bound = match earliest.as_slice() {
            [] => None,
            [one] => Some(self.time_point(one)),
            // least(a, least(b, c)): two arguments, which every engine's least takes.
            several => several
                .iter()
                .rev()
                .map(|s| self.time_point(s))
                .reduce(|later, e| self.sql.func("least", vec![e, later])),
        };
        // Each name's own bound is weighed against the scan's one start, or against
        // none: not against the `least` of several.
        let per_name = name_windows && earliest.len() <= 1;
        if let Some(b) = bound {
            parts.push(bin(time, BinaryOperator::GtEq, b));
        }
        let earliest = match <[TimePoint; 1]>::try_from(earliest) {
            Ok([one]) => Some(one),
            Err(_) => None,
        };
        let mut scan_names = None;
        if filters.iter().all(|f| f.names.is_some()) {
            let mut all: Vec<String> = Vec::new();
            for f in filters {
                for n in f.names.iter().flatten() {
                    if !all.contains(n) {
                        all.push(n.clone());
                    }
                }
            }
            if let Some(n) = self.name_filter(events, &Some(all.clone())) {
                let own = per_name
                    .then(|| self.names_by_window(events, filters, &all, earliest.as_ref()));
                parts.push(own.flatten().unwrap_or(n));
                parts.extend(self.name_range(events, &all));
                scan_names = Some(all);
            }
        }
        (and(parts), earliest, scan_names)
    }

    /// The scan's names each bounded by the earliest start of the columns reading it,
    /// where that is one start that leaves out much of the scan's own (`scan_start`, the
    /// `WHERE`'s one start, `None` when it has none): `name IN (<the others>) OR (name IN
    /// (<names read from S on>) AND time >= S) ...`
    /// ([`NameWindows`](crate::dialect::NameWindows)); `None` where no name gets a bound
    /// of its own.
    fn names_by_window(
        &mut self,
        events: EventsId,
        filters: &[&EventFilter],
        all: &[String],
        scan_start: Option<&TimePoint>,
    ) -> Option<Expr> {
        // (a bound of its own, its names); the names with none.
        let mut by_start: Vec<(TimePoint, Vec<String>)> = Vec::new();
        let mut whole: Vec<String> = Vec::new();
        for n in all {
            let starts: Option<Vec<&TimePoint>> = filters
                .iter()
                .filter(|f| f.names.iter().flatten().any(|m| m == n))
                .map(|f| f.window.start.as_ref())
                .collect();
            let bound = starts.map(|v| self.plan.earliest_starts(&v));
            match bound {
                Some(b)
                    if b.len() == 1
                        && Some(&b[0]) != scan_start
                        && crate::plan::starts::bound_pays(&b[0], scan_start) =>
                {
                    let b = b.into_iter().next().expect("one start");
                    match by_start.iter_mut().find(|(t, _)| *t == b) {
                        Some((_, names)) => names.push(n.clone()),
                        None => by_start.push((b, vec![n.clone()])),
                    }
                }
                _ => whole.push(n.clone()),
            }
        }
        if by_start.is_empty() {
            return None;
        }
        let time = self.sql.col(EV, &self.p.catalog.events[events].time);
        let mut alternatives = Vec::new();
        if !whole.is_empty() {
            alternatives.extend(self.name_filter(events, &Some(whole)));
        }
        for (start, names) in by_start {
            let names = self.name_filter(events, &Some(names))?;
            let start = self.time_point(&start);
            alternatives.push(and(vec![
                names,
                bin(time.clone(), BinaryOperator::GtEq, start),
            ]));
        }
        Some(crate::sql::or(alternatives))
    }

    /// A lapse as two sets of keys (`plan::lapses`): `key NOT IN (the keys with an
    /// event from T on) AND key IN (the keys with one before T)`, each a scan of the
    /// events the last time would aggregate; the first without unset keys, which would
    /// make `NOT IN` unknown for every key.
    /// A segment's absence (`plan::lapses::Split::absent`) as `ANTI JOIN (SELECT key FROM
    /// events WHERE <the filter>) AS absent ON absent.key = <the entity's key>`.
    pub(crate) fn absent_join(&mut self, a: &EventAgg, block: &Block) -> sqlparser::ast::Join {
        let sql = self.sql;
        let f = &a.filter;
        let ev = &self.p.catalog.events[f.events];
        let (selection, earliest, scan_names) = self.scan_where(f.events, &[f]);
        let skip_start = earliest.as_ref() == f.window.start.as_ref();
        let parts = self.filter_parts(f, skip_start, scan_names.as_deref());
        let from = self.events_from(ev);
        let keys = sql.select(
            vec![proj(sql.col(EV, &ev.key), &ev.key)],
            Some(from),
            Some(and(std::iter::once(selection).chain(parts).collect())),
            vec![],
        );
        let alias = match &self.plan.absent_alias {
            Some(a) => a.clone(),
            None => {
                self.internal("an absence as an anti join without its alias".to_string());
                "absent".to_string()
            }
        };
        let on = bin(
            sql.col(&alias, &ev.key),
            BinaryOperator::Eq,
            self.key_expr(block),
        );
        sql.anti_join(crate::sql::derived(keys, &alias, &sql), on)
    }

    pub(crate) fn lapse_sets(&mut self, l: &Lapse<'_>, block: &Block) -> Expr {
        let sql = self.sql;
        let f = &l.agg.filter;
        let ev = &self.p.catalog.events[f.events];
        let (selection, earliest, scan_names) = self.scan_where(f.events, &[f]);
        let skip_start = earliest.as_ref() == f.window.start.as_ref();
        let parts = self.filter_parts(f, skip_start, scan_names.as_deref());
        let time = sql.col(EV, &ev.time);
        let ev_key = sql.col(EV, &ev.key);
        let t = self.time_point(&l.before);
        let (before, since) = if l.inclusive {
            (BinaryOperator::LtEq, BinaryOperator::Gt)
        } else {
            (BinaryOperator::Lt, BinaryOperator::GtEq)
        };
        let keys = |extra: Vec<Expr>| {
            let cond = and(std::iter::once(selection.clone())
                .chain(parts.iter().cloned())
                .chain(extra)
                .collect());
            let from = self.events_from(ev);
            Box::new(sql.select(
                vec![proj(ev_key.clone(), &ev.key)],
                Some(from),
                Some(cond),
                vec![],
            ))
        };
        let key = self.key_expr(block);
        // The keys with a recent event first: DuckDB probes in this order, and the
        // recent ones are the fewer (b30 at 1M users: 0.89x this way, 1.07x the other).
        and(vec![
            Expr::InSubquery {
                expr: Box::new(key.clone()),
                subquery: keys(vec![
                    bin(time.clone(), since, t.clone()),
                    is_not_null(ev_key.clone()),
                ]),
                negated: true,
            },
            Expr::InSubquery {
                expr: Box::new(key),
                subquery: keys(vec![bin(time, before, t)]),
                negated: false,
            },
        ])
    }

    /// The CTE of one aggregate scan.
    pub(crate) fn scan_cte(&mut self, si: usize) -> Query {
        let sql = self.sql;
        let scan = &self.plan.scans[si];
        let events = scan.events;
        let ev = &self.p.catalog.events[events];
        let entity = &self.p.catalog.entities[ev.entity];
        let cols = &scan.columns;
        let kind = scan.kind;
        let filters: Vec<&EventFilter> = cols.iter().map(|(k, _)| k.filter()).collect();
        let name_windows = self.name_windows(Some(kind));
        let (selection, earliest, scan_names) = self.scan_where_by(events, &filters, name_windows);
        let mut col_parts: Vec<Vec<Expr>> = filters
            .iter()
            .map(|f| {
                let skip_start = earliest.as_ref() == f.window.start.as_ref();
                self.filter_parts(f, skip_start, scan_names.as_deref())
            })
            .collect();
        // What every column's filter requires is the scan's `WHERE` (the reader can use
        // it), not each aggregate's: a key left with no rows is then absent from the
        // CTE, which its readers already take as no events (counts are coalesced, other
        // values guarded). b41 at 1M users: 0.86x, as hand-written (docs/benchmarks.md).
        let common: Vec<Expr> = match col_parts.split_first() {
            Some((first, rest)) => first
                .iter()
                .filter(|p| rest.iter().all(|ps| ps.contains(p)))
                .cloned()
                .collect(),
            None => vec![],
        };
        for ps in &mut col_parts {
            ps.retain(|p| !common.contains(p));
        }
        let selection = and(std::iter::once(selection).chain(common).collect());
        if let Some(q) = self.distinct_as_groups(si, &selection, &col_parts) {
            return q;
        }
        let key = sql.col(EV, &ev.key);
        let time = sql.col(EV, &ev.time);
        let mut projection = vec![proj(key.clone(), &entity.key)];
        for ((k, name), parts) in cols.iter().zip(col_parts) {
            let cond = if parts.is_empty() {
                None
            } else {
                Some(and(parts.clone()))
            };
            let (agg, seen) = match k {
                FactKey::Agg(a) => (a, false),
                FactKey::Seen(a) => (a, true),
                FactKey::Times(_) => {
                    let expr = self.d.cond_agg(&sql, AggFn::List, Some(time.clone()), cond);
                    projection.push(proj(expr, name));
                    continue;
                }
                // Computed from the times below.
                FactKey::Matched { .. } => continue,
            };
            let col = |c: &str| sql.col(EV, c);
            let prop_ty = |c: &str| ev.property(c).map(|p| p.ty);
            let expr = if seen {
                let arg = match &agg.kind {
                    AggKind::Avg(c)
                    | AggKind::Min(c)
                    | AggKind::Max(c)
                    | AggKind::FirstValue(c)
                    | AggKind::LastValue(c) => col(c),
                    _ => time.clone(),
                };
                self.d.cond_agg(
                    &sql,
                    AggFn::Count,
                    None,
                    Some(and(cond.into_iter().chain([is_not_null(arg)]).collect())),
                )
            } else {
                match &agg.kind {
                    AggKind::Count => self.d.cond_agg(&sql, AggFn::Count, None, cond),
                    AggKind::CountDistinct(c) if kind == ScanKind::Lists => {
                        self.d.set_size(&sql, col(c), cond)
                    }
                    AggKind::CountDistinct(c) => {
                        self.d
                            .cond_agg(&sql, AggFn::CountDistinct, Some(col(c)), cond)
                    }
                    AggKind::Sum(c) => self.d.cond_agg(&sql, AggFn::Sum, Some(col(c)), cond),
                    AggKind::Avg(c) if prop_ty(c) == Some(Type::Decimal) => {
                        self.d.avg_decimal(&sql, col(c), cond)
                    }
                    AggKind::Avg(c) => self.d.cond_agg(&sql, AggFn::Avg, Some(col(c)), cond),
                    // The least and greatest strings by their bytes, as comparisons see them.
                    AggKind::Min(c) | AggKind::Max(c) => {
                        let f = if matches!(agg.kind, AggKind::Min(_)) {
                            AggFn::Min
                        } else {
                            AggFn::Max
                        };
                        let arg = if prop_ty(c) == Some(Type::String) {
                            self.d.byte_order(&sql, col(c))
                        } else {
                            col(c)
                        };
                        self.d.cond_agg(&sql, f, Some(arg), cond)
                    }
                    AggKind::FirstValue(c) | AggKind::LastValue(c) => {
                        let value = col(c);
                        let ty = prop_ty(c).unwrap_or(Type::Timestamp);
                        let tie = if ty == Type::String {
                            self.d.byte_order(&sql, value.clone())
                        } else {
                            value.clone()
                        };
                        // Only events where it is set (once, if the filter says so too).
                        let mut parts = parts;
                        let set = is_not_null(value.clone());
                        if !parts.contains(&set) {
                            parts.push(set);
                        }
                        self.d.pick_value(
                            &sql,
                            Pick {
                                cond: and(parts),
                                value,
                                tie,
                                time: time.clone(),
                                last: matches!(agg.kind, AggKind::LastValue(_)),
                                ty,
                            },
                        )
                    }
                    AggKind::First => self.d.cond_agg(&sql, AggFn::Min, Some(time.clone()), cond),
                    AggKind::Last => self.d.cond_agg(&sql, AggFn::Max, Some(time.clone()), cond),
                    AggKind::ActivePeriods {
                        n,
                        unit,
                        length,
                        min_events: 1,
                    } => {
                        let bucket = self.period_bucket(*n, *unit, *length, time.clone());
                        self.d.active_periods(&sql, bucket, *n, cond)
                    }
                    // A conditional count per period, each compared with the minimum.
                    AggKind::ActivePeriods {
                        n,
                        unit,
                        length,
                        min_events,
                    } => {
                        let bucket = self.period_bucket(*n, *unit, *length, time.clone());
                        let counted = (0..*n).map(|i| {
                            let here = bin(bucket.clone(), BinaryOperator::Eq, sql.int(i));
                            let c = and(cond.iter().cloned().chain([here]).collect());
                            let count = self.d.cond_agg(&sql, AggFn::Count, None, Some(c));
                            sql.case(
                                vec![(
                                    bin(count, BinaryOperator::GtEq, sql.int(*min_events)),
                                    sql.int(1),
                                )],
                                Some(sql.int(0)),
                            )
                        });
                        counted
                            .reduce(|a, b| bin(a, BinaryOperator::Plus, b))
                            .unwrap_or_else(|| sql.int(0))
                    }
                }
            };
            projection.push(proj(expr, name));
        }
        let from = self.events_from(ev);
        let aggregate = sql.select(projection, Some(from), Some(selection), vec![key]);
        if cols
            .iter()
            .any(|(k, _)| matches!(k, FactKey::Matched { .. }))
        {
            self.matched_over(si, aggregate)
        } else {
            aggregate
        }
    }

    /// A distinct scan as a count of groups, where the dialect asks for it
    /// ([`DistinctScan::OwnScanAsGroups`](crate::dialect::DistinctScan)) and every column
    /// counts the distinct values of one property: the rows (under the scan's `WHERE`)
    /// grouped by key and value, with each column's own filter as a count of the group's
    /// rows that pass it, then per key the values whose group has rows for the column.
    /// NULLs are left out of the groups, as `COUNT(DISTINCT)` skips them. Postgres at
    /// 100k users, the suite's one distinct count alone: 0.79x (parallel hash aggregates
    /// instead of a sort in the leader; docs/benchmarks.md).
    fn distinct_as_groups(
        &self,
        si: usize,
        selection: &Expr,
        col_parts: &[Vec<Expr>],
    ) -> Option<Query> {
        const G: &str = "g";
        const VALUE: &str = "value";
        let scan = &self.plan.scans[si];
        if scan.kind != ScanKind::Distinct
            || self.d.capabilities().distinct != crate::dialect::DistinctScan::OwnScanAsGroups
        {
            return None;
        }
        let mut props = scan.columns.iter().map(|(k, _)| match k {
            FactKey::Agg(EventAgg {
                kind: AggKind::CountDistinct(c),
                ..
            }) => Some(c),
            _ => None,
        });
        let first = props.next()??;
        if !props.all(|c| c == Some(first)) {
            return None;
        }
        let sql = self.sql;
        let ev = &self.p.catalog.events[scan.events];
        let key = &self.p.catalog.entities[ev.entity].key;
        if key == VALUE {
            return None;
        }
        let mut inner = vec![
            proj(sql.col(EV, &ev.key), key),
            proj(sql.col(EV, first), VALUE),
        ];
        let mut outer = vec![proj(sql.col(G, key), key)];
        for ((_, name), parts) in scan.columns.iter().zip(col_parts) {
            let cond = if parts.is_empty() {
                None
            } else {
                let rows = self
                    .d
                    .cond_agg(&sql, AggFn::Count, None, Some(and(parts.clone())));
                inner.push(proj(rows, name));
                Some(bin(sql.col(G, name), BinaryOperator::Gt, sql.int(0)))
            };
            outer.push(proj(self.d.cond_agg(&sql, AggFn::Count, None, cond), name));
        }
        let groups = sql.select(
            inner,
            Some(self.events_from(ev)),
            Some(and(vec![
                selection.clone(),
                is_not_null(sql.col(EV, first)),
            ])),
            vec![sql.col(EV, &ev.key), sql.col(EV, first)],
        );
        let from = From::bare(derived(groups, G, &sql));
        Some(sql.select(outer, Some(from), None, vec![sql.col(G, key)]))
    }

    /// A scan with sequences on lists ([`FactKey::Matched`]): its aggregate, then each
    /// sequence's match computed from the lists of its steps' times, which stay inside.
    fn matched_over(&mut self, si: usize, aggregate: Query) -> Query {
        const AGG: &str = "agg";
        let sql = self.sql;
        let scan = &self.plan.scans[si];
        let ev = &self.p.catalog.events[scan.events];
        let key = &self.p.catalog.entities[ev.entity].key;
        let mut projection = vec![proj(sql.col(AGG, key), key)];
        for (k, name) in &scan.columns {
            match k {
                FactKey::Times(_) => {}
                FactKey::Matched { seq, .. } => {
                    let lists = match self.plan.step_times(seq) {
                        Some(columns) => columns
                            .into_iter()
                            .map(|(at, col)| {
                                if at != si {
                                    self.internal(format!(
                                        "a sequence's times are in scan {at}, its match in {si}"
                                    ));
                                }
                                sql.col(AGG, col)
                            })
                            .collect(),
                        None => {
                            self.internal("a sequence's match without its times".to_string());
                            continue;
                        }
                    };
                    projection.push(proj(self.sequence_on_lists(seq, lists), name));
                }
                _ => projection.push(proj(sql.col(AGG, name), name)),
            }
        }
        let from = From::bare(derived(aggregate, AGG, &sql));
        sql.select(projection, Some(from), None, vec![])
    }

    /// Which bucket of `us` microseconds before as_of an event falls in: bucket i is
    /// [as_of - (i+1) us, as_of - i us), so an event exactly `us` back is in bucket 0.
    /// The scan keeps time < as_of, so the difference is at least 1 µs and (diff - 1)
    /// div us is never negative.
    pub(crate) fn fixed_bucket(&mut self, us: i64, time: Expr) -> Expr {
        let sql = self.sql;
        let diff = bin(
            bin(
                self.d.epoch_micros(&sql, self.as_of()),
                BinaryOperator::Minus,
                self.d.epoch_micros(&sql, time),
            ),
            BinaryOperator::Minus,
            sql.int(1),
        );
        self.d.int_div(&sql, diff, sql.int(us))
    }

    /// Which of the `n` periods of `length` units before as_of an event falls in: 0 is
    /// the latest.
    fn period_bucket(&mut self, n: i64, unit: Unit, length: i64, time: Expr) -> Expr {
        let sql = self.sql;
        match fixed_micros(unit) {
            Some(us) => self.fixed_bucket(us * length, time),
            None => {
                let mut whens = Vec::new();
                for i in 1..=n {
                    let per = length * if unit == Unit::Year { 12 } else { 1 };
                    let bound = self.time_point(&TimePoint::Ago(Duration {
                        n: i * per,
                        unit: Unit::Month,
                    }));
                    whens.push((
                        bin(time.clone(), BinaryOperator::GtEq, bound),
                        sql.int(i - 1),
                    ));
                }
                sql.case(whens, None)
            }
        }
    }
}
