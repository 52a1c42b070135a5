//! The planner and SQL emission: checked IR to one SQL statement per request.
//!
//! Planning happens in two passes over the conditions a statement needs:
//!
//! 1. **collect**: every behavioural value becomes a *feature*: an aggregate column of
//!    the one CTE that scans its events relation (`events_per_user`), a sequence, an
//!    `ntile` bucket, or a count over related entities. Identical features are
//!    registered once, whichever segment asked for them.
//! 2. **emit**: the CTEs are written (each events relation scanned once, its earliest
//!    window pushed into `WHERE`), then each condition becomes a boolean expression over
//!    the entity's table and the features it joins.
//!
//! Conditions are two-valued: a comparison with NULL is false. Only a `NOT` can turn
//! SQL's unknown into true, so the operand of every `NOT` that may be NULL is wrapped
//! in `COALESCE(.., FALSE)`; everything else already behaves (see docs/semantics.md).

use crate::dialect::{fixed_micros, AggFn, Dialect};
use crate::ir::*;
use crate::sql::{and, bin, derived, is_not_null, not, or, proj, proj_bare, raw, From, Sql};
use segql_syntax::ast::{CmpOp, Type, Unit};
use segql_syntax::time::{civil_from_days, days_from_civil, days_in_month, MICROS_PER_DAY};
pub use sqlparser::ast::Query;
use sqlparser::ast::{BinaryOperator, Expr};
use std::collections::{BTreeSet, HashSet};
use std::ops::ControlFlow;

mod report;
pub use report::report;

/// What every statement is compiled against.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The instant every relative time is measured from (microseconds since the epoch).
    pub as_of: i64,
}

/// Something the chosen dialect cannot express.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `SELECT key` of the members of one segment.
pub fn segment(
    p: &Program,
    id: SegmentId,
    d: &dyn Dialect,
    o: Options,
) -> Result<Query, Unsupported> {
    let mut pl = Planner::new(p, d, o);
    let seg = &p.segments[id];
    pl.collect_cond(&seg.cond, seg.entity);
    let mut scope = pl.scope(seg.entity);
    let cond = pl.cond(&seg.cond, &mut scope).0;
    let key = pl.key_expr(&scope);
    let key_name = p.catalog.entities[seg.entity].key.clone();
    let from = pl.from(&scope);
    let body = pl
        .sql
        .select(vec![proj(key, &key_name)], Some(from), Some(cond), vec![]);
    pl.finish(body)
}

/// One row per entity with a boolean column per segment (all of one entity): the batch
/// form, scanning each events relation once for every segment together.
pub fn batch(
    p: &Program,
    ids: &[SegmentId],
    d: &dyn Dialect,
    o: Options,
) -> Result<Query, Unsupported> {
    batch_with_traits(p, ids, &[], d, o)
}

/// [`batch`] with a column per trait (traits of other entities are skipped).
pub fn batch_with_traits(
    p: &Program,
    ids: &[SegmentId],
    traits: &[usize],
    d: &dyn Dialect,
    o: Options,
) -> Result<Query, Unsupported> {
    let entity = batch_entity(p, ids)?;
    let traits: Vec<usize> = traits
        .iter()
        .copied()
        .filter(|&t| p.traits[t].entity == entity)
        .collect();
    let mut pl = Planner::new(p, d, o);
    for &id in ids {
        pl.collect_cond(&p.segments[id].cond, entity);
    }
    for &t in &traits {
        pl.collect_scalar(&p.traits[t].value, entity);
    }
    let mut scope = pl.scope(entity);
    let key_name = p.catalog.entities[entity].key.clone();
    let mut projection = vec![proj(pl.key_expr(&scope), &key_name)];
    let mut used = HashSet::new();
    used.insert(key_name.clone());
    for &id in ids {
        let seg = &p.segments[id];
        let e = pl.two_valued(&seg.cond, &mut scope);
        let name = unique_column(&seg.name, &mut used);
        projection.push(proj(e, &name));
    }
    for &t in &traits {
        let (e, _) = pl.scalar(&p.traits[t].value, &mut scope);
        let name = unique_column(&p.traits[t].name, &mut used);
        projection.push(proj(e, &name));
    }
    let from = pl.from(&scope);
    let body = pl.sql.select(projection, Some(from), None, vec![]);
    pl.finish(body)
}

/// The long form of [`batch`]: one row per (segment, member), the segment by name.
/// The memberships are computed once, in a CTE, and read once per segment.
pub fn batch_long(
    p: &Program,
    ids: &[SegmentId],
    d: &dyn Dialect,
    o: Options,
) -> Result<Query, Unsupported> {
    let wide = batch(p, ids, d, o)?;
    let entity = batch_entity(p, ids)?;
    let sql = Sql::new(d);
    let key = p.catalog.entities[entity].key.clone();
    // The wide statement's columns, as `batch` named them.
    let mut used = HashSet::new();
    used.insert(key.clone());
    let columns: Vec<String> = ids
        .iter()
        .map(|&id| unique_column(&p.segments[id].name, &mut used))
        .collect();
    let cte = "memberships".to_string();
    let arms: Vec<Query> = ids
        .iter()
        .zip(&columns)
        .map(|(&id, col)| {
            let from = From {
                base: sql.table(std::slice::from_ref(&cte), None),
                joins: vec![],
            };
            sql.select(
                vec![
                    proj(sql.string(&p.segments[id].name), "segment"),
                    proj_bare(sql.bare(&key)),
                ],
                Some(from),
                Some(sql.bare(col)),
                vec![],
            )
        })
        .collect();
    if let Some(why) = ids
        .iter()
        .find_map(|&id| d.unrepresentable(&p.segments[id].name))
    {
        return Err(Unsupported(why.to_string()));
    }
    // The wide statement's own CTEs come first, then it becomes `memberships`.
    let mut wide = wide;
    let inner = wide.with.take();
    let mut ctes: Vec<(String, Query)> = Vec::new();
    if let Some(w) = inner {
        for c in w.cte_tables {
            ctes.push((c.alias.name.value.clone(), *c.query));
        }
    }
    ctes.push((cte, wide));
    let body = sql.union_all(arms);
    Ok(sql.with_raw_names(ctes, body))
}

fn batch_entity(p: &Program, ids: &[SegmentId]) -> Result<EntityId, Unsupported> {
    let Some(&first) = ids.first() else {
        return Err(Unsupported("no segments selected".to_string()));
    };
    let entity = p.segments[first].entity;
    if let Some(&other) = ids.iter().find(|&&i| p.segments[i].entity != entity) {
        return Err(Unsupported(format!(
            "`{}` is of {} but `{}` is of {}; one statement covers one entity",
            p.segments[first].name,
            p.catalog.entities[entity].name,
            p.segments[other].name,
            p.catalog.entities[p.segments[other].entity].name
        )));
    }
    Ok(entity)
}

fn unique_column(name: &str, used: &mut HashSet<String>) -> String {
    let mut n = name.to_string();
    let mut i = 2;
    while used.contains(&n) {
        n = format!("{name}_{i}");
        i += 1;
    }
    used.insert(n.clone());
    n
}

/// A split: each member of the segment with its group, by a hash of salt and key that
/// every engine computes alike (the first 8 hex digits of an MD5, modulo 10,000).
pub fn split(p: &Program, si: usize, d: &dyn Dialect, o: Options) -> Result<Query, Unsupported> {
    let s = &p.splits[si];
    let seg = &p.segments[s.segment];
    let entity = &p.catalog.entities[seg.entity];
    let mut pl = Planner::new(p, d, o);
    pl.collect_cond(&seg.cond, seg.entity);
    let sql = pl.sql;
    let mut scope = pl.scope(seg.entity);
    let cond = pl.cond(&seg.cond, &mut scope).0;
    let key = pl.key_expr(&scope);
    let salted = bin(
        pl.string_lit(&format!("{}:", s.salt)),
        BinaryOperator::StringConcat,
        sql.cast(key.clone(), d.string_type()),
    );
    let hex = d.substr(&sql, d.md5_hex(&sql, salted), 1, 8);
    let bucket = d.modulo(&sql, d.hex8_to_int(&sql, hex), sql.int(10_000));
    let from = pl.from(&scope);
    let members_name = pl.fresh(&format!("{}_members", s.name));
    let members = sql.select(
        vec![proj(key, &entity.key), proj(bucket, "bucket")],
        Some(from),
        Some(cond),
        vec![],
    );
    let mut whens = Vec::new();
    let mut upto: i64 = 0;
    let mut last = None;
    for (i, (g, bp)) in s.groups.iter().enumerate() {
        upto += i64::from(*bp);
        let name = pl.string_lit(g);
        if i + 1 == s.groups.len() {
            last = Some(name);
        } else {
            whens.push((
                bin(sql.bare("bucket"), BinaryOperator::Lt, sql.int(upto)),
                name,
            ));
        }
    }
    let group = if whens.is_empty() {
        last.unwrap_or_else(|| sql.bool(false))
    } else {
        sql.case(whens, last)
    };
    let body = sql.select(
        vec![proj_bare(sql.bare(&entity.key)), proj(group, "split_group")],
        Some(From {
            base: sql.table(std::slice::from_ref(&members_name), None),
            joins: vec![],
        }),
        None,
        vec![],
    );
    pl.derived_tail.push((members_name, members));
    pl.finish(body)
}

/// A priority list: each entity in the first listed segment it belongs to.
pub fn priority(p: &Program, pi: usize, d: &dyn Dialect, o: Options) -> Result<Query, Unsupported> {
    let pr = &p.priorities[pi];
    let mut pl = Planner::new(p, d, o);
    for &id in &pr.segments {
        pl.collect_cond(&p.segments[id].cond, pr.entity);
    }
    let sql = pl.sql;
    let mut scope = pl.scope(pr.entity);
    let mut whens = Vec::new();
    let mut any = Vec::new();
    for &id in &pr.segments {
        let (c, _) = pl.cond(&p.segments[id].cond, &mut scope);
        let name = pl.string_lit(&p.segments[id].name);
        whens.push((c.clone(), name));
        any.push(c);
    }
    let key = pl.key_expr(&scope);
    let from = pl.from(&scope);
    let key_name = p.catalog.entities[pr.entity].key.clone();
    let body = sql.select(
        vec![proj(key, &key_name), proj(sql.case(whens, None), "segment")],
        Some(from),
        Some(or(any)),
        vec![],
    );
    pl.finish(body)
}

/// Pretty-printed SQL text of a query.
pub fn to_sql(q: &Query) -> String {
    format!("{q:#}")
}

pub(crate) struct Planner<'a> {
    pub(crate) p: &'a Program,
    pub(crate) d: &'a dyn Dialect,
    pub(crate) sql: Sql<'a>,
    pub(crate) o: Options,
    facts: Vec<Facts>,
    seqs: Vec<SeqFeat>,
    /// The CTE holding every sequence of an events relation that has more than one.
    seq_groups: Vec<(EventsId, String)>,
    /// Ntile and quantifier CTEs, in the order they must be defined.
    derived: Vec<Derived>,
    names: HashSet<String>,
    pub(crate) problems: Vec<String>,
    /// CTEs defined after the features (a report's base, a split's members).
    derived_tail: Vec<(String, Query)>,
    /// Whether the aggregates have been split by window ([`Planner::tier_facts`]).
    tiered: bool,
}

struct Facts {
    events: EventsId,
    /// Holds only distinct counts (on dialects that scan for them separately).
    distinct: bool,
    cte: String,
    cols: Vec<(FactKey, String)>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum FactKey {
    Agg(EventAgg),
    /// The number of rows a nullable aggregate saw a value in: its guard.
    Seen(EventAgg),
}

struct Tile {
    k: i64,
    value: Box<Scalar>,
    name: String,
}

struct SeqFeat {
    seq: Sequence,
    cte: String,
}

enum Derived {
    /// Every `ntile` of one entity: one pass over its table, a window column per tile.
    /// One tile alone is its own CTE (`ntile_10`, column `bucket`); several share
    /// `ntiles`, a column each named like the tile.
    Ntile {
        entity: EntityId,
        tiles: Vec<Tile>,
        cte: String,
    },
    /// Every quantifier over one relationship (outer entity, inner entity, reference):
    /// one pass over the inner table, one `matching` count per condition.
    Quant {
        outer: EntityId,
        inner: EntityId,
        via_ref: usize,
        conds: Vec<Cond>,
        cte: String,
    },
}

impl Derived {
    fn cte(&self) -> &str {
        match self {
            Derived::Ntile { cte, .. } | Derived::Quant { cte, .. } => cte,
        }
    }
}

/// One query block over an entity's table: its alias and what it joins.
pub(crate) struct Scope {
    pub(crate) entity: EntityId,
    pub(crate) alias: String,
    needs: Needs,
}

#[derive(Default)]
struct Needs {
    facts: BTreeSet<usize>,
    refs: BTreeSet<usize>,
    seqs: BTreeSet<usize>,
    derived: BTreeSet<usize>,
}

const P: &str = "p";
const EV: &str = "ev";
const PRESENT: &str = "segql_present";

/// The window tiers of [`Planner::tier_facts`]: how far back (in days) a column's window
/// may start to belong to the tier, and the suffix of the tier's CTE. Marketing windows
/// cluster below a month (7, 14, 28, 30 days) and below a quarter (60, 90 days); event
/// tables are appended in time order, so a scan restricted to the last month or quarter
/// skips most row groups or partitions.
const TIERS: [(i64, &str); 2] = [(31, "last_month"), (92, "last_quarter")];

/// The fewest columns a tier must have to get its own scan. One recent column does not
/// pay for a scan, a hash table and a join (a segment with `did "login" in last 30 days`
/// and `stopped "login" for 30 days` is slower split); two usually do, because the
/// remaining scan then filters fewer columns and often fewer event names (measured per
/// segment in docs/benchmarks.md).
const MIN_TIER_COLUMNS: usize = 2;

/// Lowercase ASCII letters, digits and `_`, for generated names.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    match out.chars().next() {
        None => "x".to_string(),
        Some(c) if c.is_ascii_digit() => format!("x{out}"),
        _ => out,
    }
}

fn unit_suffix(d: Duration) -> String {
    let u = match d.unit {
        Unit::Hour => "h",
        Unit::Day => "d",
        Unit::Week => "w",
        Unit::Month => "mo",
        Unit::Year => "y",
    };
    format!("{}{u}", d.n)
}

fn window_suffix(w: &TimeWindow) -> String {
    match (&w.start, &w.end) {
        (None, TimePoint::AsOf) => String::new(),
        (Some(TimePoint::Ago(d)), TimePoint::AsOf) => format!("_{}", unit_suffix(*d)),
        (None, TimePoint::Ago(d)) => format!("_before_{}", unit_suffix(*d)),
        _ => "_window".to_string(),
    }
}

fn names_slug(names: &Option<Vec<String>>) -> String {
    match names {
        None => "any_event".to_string(),
        Some(v) if v.len() == 1 => slug(&v[0]),
        Some(v) => format!("{}_etc", slug(&v[0])),
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

impl<'a> Planner<'a> {
    pub(crate) fn new(p: &'a Program, d: &'a dyn Dialect, o: Options) -> Self {
        // A CTE named like an unqualified relation of the catalog would hide it from
        // the statement: those names are taken.
        let tables = p.catalog.entities.iter().map(|e| &e.table);
        let names: HashSet<String> = tables
            .chain(p.catalog.events.iter().map(|e| &e.table))
            .filter(|t| t.len() == 1)
            .map(|t| t[0].to_lowercase())
            .collect();
        Planner {
            p,
            d,
            sql: Sql::new(d),
            o,
            facts: Vec::new(),
            seqs: Vec::new(),
            seq_groups: Vec::new(),
            derived: Vec::new(),
            names,
            problems: Vec::new(),
            derived_tail: Vec::new(),
            tiered: false,
        }
    }

    pub(crate) fn fresh(&mut self, base: &str) -> String {
        let base = slug(base);
        let mut name = base.clone();
        let mut i = 2;
        while self.names.contains(&name) {
            name = format!("{base}_{i}");
            i += 1;
        }
        self.names.insert(name.clone());
        name
    }

    /// The instant a time point stands for, with the calendar rules the SQL uses.
    fn instant(&self, t: &TimePoint) -> i64 {
        match t {
            TimePoint::AsOf => self.o.as_of,
            TimePoint::At(ts) => *ts,
            TimePoint::Ago(d) => match fixed_micros(d.unit) {
                Some(us) => self.o.as_of - d.n * us,
                None => months_back(
                    self.o.as_of,
                    if d.unit == Unit::Year { d.n * 12 } else { d.n },
                ),
            },
        }
    }

    // -----------------------------------------------------------------------------------
    // Pass 1: collect features
    // -----------------------------------------------------------------------------------

    pub(crate) fn collect_cond(&mut self, c: &Cond, entity: EntityId) {
        match c {
            Cond::Const(_) | Cond::Sql(_) => {}
            Cond::And(v) | Cond::Or(v) => v.iter().for_each(|c| self.collect_cond(c, entity)),
            Cond::Not(c) => self.collect_cond(c, entity),
            Cond::Cmp(a, op, b) => {
                if let Some((agg, _, _)) = avg_against_literal(a, *op, b) {
                    // Compared exactly, as a sum against the literal times a count.
                    self.fact(FactKey::Agg(sum_of(agg)));
                    self.fact(FactKey::Seen(agg.clone()));
                    return;
                }
                self.collect_scalar(a, entity);
                self.collect_scalar(b, entity);
            }
            Cond::In { value, .. }
            | Cond::Text { value, .. }
            | Cond::Regex { value, .. }
            | Cond::IsSet(value) => self.collect_scalar(value, entity),
            Cond::Segment(id) => {
                let seg = &self.p.segments[*id];
                self.collect_cond(&seg.cond, seg.entity);
            }
            Cond::Quantified {
                entity: inner,
                via_ref,
                cond,
                ..
            } => {
                self.collect_cond(cond, *inner);
                let group = self.derived.iter_mut().find_map(|d| match d {
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
                        let cte = self.fresh(&name);
                        self.derived.push(Derived::Quant {
                            outer: entity,
                            inner: *inner,
                            via_ref: *via_ref,
                            conds: vec![(**cond).clone()],
                            cte,
                        });
                    }
                }
            }
            Cond::Sequence(s) => {
                if !self.seqs.iter().any(|f| &f.seq == s.as_ref()) {
                    let first = names_slug(&s.steps[0].names);
                    let last = names_slug(&s.steps[s.steps.len() - 1].names);
                    let cte = self.fresh(&format!("{first}_then_{last}"));
                    // A second sequence over the same events: they share one scan.
                    if self.seqs.iter().any(|f| f.seq.events == s.events)
                        && !self.seq_groups.iter().any(|(e, _)| *e == s.events)
                    {
                        let group = self.fresh("sequences");
                        self.seq_groups.push((s.events, group));
                    }
                    self.seqs.push(SeqFeat {
                        seq: (**s).clone(),
                        cte,
                    });
                }
            }
        }
    }

    pub(crate) fn collect_scalar(&mut self, s: &Scalar, entity: EntityId) {
        match s {
            Scalar::Column(_) | Scalar::Lit(_) | Scalar::Time(_) => {}
            Scalar::Agg(a) => {
                self.fact(FactKey::Agg((**a).clone()));
                if self.d.outer_join_defaults() && !a.zero_when_empty() {
                    self.fact(FactKey::Seen((**a).clone()));
                }
            }
            Scalar::Ntile { k, value } => {
                self.collect_scalar(value, entity);
                let group = self
                    .derived
                    .iter()
                    .position(|d| matches!(d, Derived::Ntile { entity: e, .. } if *e == entity));
                let name = |this: &mut Self| this.fresh(&format!("ntile_{k}"));
                match group {
                    None => {
                        let name = name(self);
                        self.derived.push(Derived::Ntile {
                            entity,
                            tiles: vec![Tile {
                                k: *k,
                                value: value.clone(),
                                name: name.clone(),
                            }],
                            cte: name,
                        });
                    }
                    Some(di) => {
                        let known = matches!(&self.derived[di], Derived::Ntile { tiles, .. }
                            if tiles.iter().any(|t| t.k == *k && &t.value == value));
                        if !known {
                            let name = name(self);
                            // The second tile: the CTE becomes the entity's shared one.
                            let single = matches!(&self.derived[di],
                                Derived::Ntile { tiles, .. } if tiles.len() == 1);
                            let shared = single.then(|| self.fresh("ntiles"));
                            if let Derived::Ntile { tiles, cte, .. } = &mut self.derived[di] {
                                if let Some(shared) = shared {
                                    *cte = shared;
                                }
                                tiles.push(Tile {
                                    k: *k,
                                    value: value.clone(),
                                    name,
                                });
                            }
                        }
                    }
                }
            }
            Scalar::Score(rules) => rules.iter().for_each(|(_, c)| self.collect_cond(c, entity)),
        }
    }

    fn fact(&mut self, key: FactKey) -> (usize, String) {
        let agg = match &key {
            FactKey::Agg(a) | FactKey::Seen(a) => a.clone(),
        };
        let events = agg.filter.events;
        let distinct = self.d.separate_distinct_scan()
            && match agg.kind {
                AggKind::CountDistinct(_) => true,
                AggKind::ActivePeriods { n, .. } => self.d.active_periods_distinct(n),
                _ => false,
            };
        // A column already planned, in whichever tier it went to.
        let planned = self.facts.iter().enumerate().find_map(|(fi, f)| {
            (f.events == events && f.distinct == distinct)
                .then(|| f.cols.iter().find(|(k, _)| k == &key))
                .flatten()
                .map(|(_, name)| (fi, name.clone()))
        });
        if let Some(found) = planned {
            return found;
        }
        // New columns go to the first CTE of the relation: the widest tier.
        let fi = match self
            .facts
            .iter()
            .position(|f| f.events == events && f.distinct == distinct)
        {
            Some(i) => i,
            None => {
                let ev = &self.p.catalog.events[events];
                let entity = &self.p.catalog.entities[ev.entity];
                let what = if distinct { "distinct_" } else { "" };
                let cte = self.fresh(&format!("{}_{what}per_{}", ev.name, entity.name));
                self.facts.push(Facts {
                    events,
                    distinct,
                    cte,
                    cols: Vec::new(),
                });
                self.facts.len() - 1
            }
        };
        let names = names_slug(&agg.filter.names);
        let what = match &agg.kind {
            AggKind::Count => String::new(),
            AggKind::CountDistinct(c) => format!("_distinct_{}", slug(c)),
            AggKind::Sum(c) => format!("_{}_sum", slug(c)),
            AggKind::Avg(c) => format!("_{}_avg", slug(c)),
            AggKind::Min(c) => format!("_{}_min", slug(c)),
            AggKind::Max(c) => format!("_{}_max", slug(c)),
            AggKind::First => "_first_at".to_string(),
            AggKind::Last => "_last_at".to_string(),
            AggKind::ActivePeriods { unit, .. } => format!("_active_{}s", unit_name(*unit)),
        };
        let filtered = if agg.filter.pred.is_some() {
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
            window_suffix(&agg.filter.window)
        );
        if base.len() > 60 {
            base.truncate(60);
        }
        let key_name = slug(&self.p.catalog.entities[self.p.catalog.events[events].entity].key);
        let mut name = base.clone();
        let mut i = 2;
        while name == key_name || self.facts[fi].cols.iter().any(|(_, n)| n == &name) {
            name = format!("{base}_{i}");
            i += 1;
        }
        self.facts[fi].cols.push((key, name.clone()));
        (fi, name)
    }

    /// Splits each shared aggregate by how far back its columns look, on dialects that
    /// ask for it ([`Dialect::tier_by_window`]): the columns whose window starts within
    /// a tier of [`TIERS`] move to a CTE of their own whose scan keeps only that tier's
    /// rows, so that most rows are tested against a few long-window aggregates instead
    /// of all of them. A tier needs [`MIN_TIER_COLUMNS`] columns to be worth its scan,
    /// hash table and join; a smaller one stays with the next wider tier. The widest
    /// tier present keeps the relation's CTE (and its name). Runs once, before the
    /// first expression names a column.
    fn tier_facts(&mut self) {
        if self.tiered {
            return;
        }
        self.tiered = true;
        if !self.d.tier_by_window() {
            return;
        }
        for fi in 0..self.facts.len() {
            if self.facts[fi].distinct {
                continue;
            }
            // The tier of each column: the first whose reach covers the window's start,
            // TIERS.len() for longer or unbounded windows.
            let mut tier_of: Vec<usize> = self.facts[fi]
                .cols
                .iter()
                .map(|(k, _)| {
                    let agg = match k {
                        FactKey::Agg(a) | FactKey::Seen(a) => a,
                    };
                    match &agg.filter.window.start {
                        None => TIERS.len(),
                        Some(start) => {
                            let reach = self.o.as_of - self.instant(start);
                            TIERS
                                .iter()
                                .position(|&(days, _)| reach <= days * MICROS_PER_DAY)
                                .unwrap_or(TIERS.len())
                        }
                    }
                })
                .collect();
            for t in 0..TIERS.len() {
                if tier_of.iter().filter(|&&x| x == t).count() < MIN_TIER_COLUMNS {
                    tier_of
                        .iter_mut()
                        .filter(|x| **x == t)
                        .for_each(|x| *x = t + 1);
                }
            }
            let widest = tier_of.iter().copied().max().unwrap_or(0);
            // Each column with its tier; the tiers narrower than the widest move out.
            let mut tagged: Vec<(usize, (FactKey, String))> = tier_of
                .into_iter()
                .zip(std::mem::take(&mut self.facts[fi].cols))
                .collect();
            for (t, &(_, label)) in TIERS.iter().enumerate().take(widest) {
                let (ours, rest): (Vec<_>, Vec<_>) = tagged.into_iter().partition(|(x, _)| *x == t);
                tagged = rest;
                if ours.is_empty() {
                    continue;
                }
                let cte = self.fresh(&format!("{}_{label}", self.facts[fi].cte));
                let events = self.facts[fi].events;
                self.facts.push(Facts {
                    events,
                    distinct: false,
                    cte,
                    cols: ours.into_iter().map(|(_, c)| c).collect(),
                });
            }
            self.facts[fi].cols = tagged.into_iter().map(|(_, c)| c).collect();
        }
    }

    // -----------------------------------------------------------------------------------
    // Scopes and FROM clauses
    // -----------------------------------------------------------------------------------

    pub(crate) fn scope(&mut self, entity: EntityId) -> Scope {
        // Expressions name the CTE of each column: the tiers are fixed before the first.
        self.tier_facts();
        let name = &self.p.catalog.entities[entity].name;
        let alias = name
            .chars()
            .find(|c| c.is_ascii_alphabetic())
            .map(|c| c.to_ascii_lowercase().to_string())
            .unwrap_or_else(|| "t".to_string());
        // Single letters that are SQL words or clash with our own aliases.
        let alias = if matches!(alias.as_str(), "p") {
            format!("{alias}0")
        } else {
            alias
        };
        Scope {
            entity,
            alias,
            needs: Needs::default(),
        }
    }

    fn ref_alias(&self, scope: &Scope, ri: usize) -> String {
        let nav = &self.p.catalog.entities[scope.entity].refs[ri].nav;
        let s = slug(nav);
        if s == scope.alias || s == P || s == EV || self.names.contains(&s) {
            format!("{s}_ref")
        } else {
            s
        }
    }

    pub(crate) fn key_expr(&self, scope: &Scope) -> Expr {
        let e = &self.p.catalog.entities[scope.entity];
        self.sql.col(&scope.alias, &e.key)
    }

    /// The FROM clause a scope's expressions need.
    pub(crate) fn from(&mut self, scope: &Scope) -> From {
        let sql = self.sql;
        let e = &self.p.catalog.entities[scope.entity];
        let key = self.key_expr(scope);
        let mut joins = Vec::new();
        for &ri in &scope.needs.refs {
            let r = &e.refs[ri];
            let target = &self.p.catalog.entities[r.target];
            let alias = self.ref_alias(scope, ri);
            let relation = if self.d.outer_join_defaults() {
                let q = sql.select(
                    vec![proj_bare(raw("*".into())), proj(sql.int(1), PRESENT)],
                    Some(From {
                        base: sql.table(&target.table, None),
                        joins: vec![],
                    }),
                    None,
                    vec![],
                );
                derived(q, &alias, &sql)
            } else {
                sql.table(&target.table, Some(&alias))
            };
            let on = bin(
                sql.col(&alias, &target.key),
                BinaryOperator::Eq,
                sql.col(&scope.alias, &r.column),
            );
            joins.push(sql.left_join(relation, on));
        }
        for &fi in &scope.needs.facts {
            let cte = self.facts[fi].cte.clone();
            let on = bin(sql.col(&cte, &e.key), BinaryOperator::Eq, key.clone());
            joins.push(sql.left_join(sql.table(&[cte], None), on));
        }
        let mut seq_ctes: Vec<String> = Vec::new();
        for &si in &scope.needs.seqs {
            let (cte, _) = self.seq_column(si);
            if seq_ctes.contains(&cte) {
                continue;
            }
            seq_ctes.push(cte.clone());
            let on = bin(sql.col(&cte, &e.key), BinaryOperator::Eq, key.clone());
            joins.push(sql.left_join(sql.table(&[cte], None), on));
        }
        for &di in &scope.needs.derived {
            let cte = self.derived[di].cte().to_string();
            let on = bin(sql.col(&cte, &e.key), BinaryOperator::Eq, key.clone());
            joins.push(sql.left_join(sql.table(&[cte], None), on));
        }
        From {
            base: sql.table(&e.table, Some(&scope.alias)),
            joins,
        }
    }

    // -----------------------------------------------------------------------------------
    // Pass 2: expressions
    // -----------------------------------------------------------------------------------

    /// `as_of`, as a literal: a constant the engine folds into every window bound, so
    /// that partitions and row groups outside the window are pruned (a parameter joined
    /// from a CTE defeats both; see docs/architecture.md).
    fn params_col(&mut self, _scope: &mut Scope) -> Expr {
        self.d.timestamp(self.o.as_of)
    }

    fn time_point(&mut self, t: &TimePoint, scope: &mut Scope) -> Expr {
        match t {
            TimePoint::AsOf => self.params_col(scope),
            TimePoint::At(ts) => self.d.timestamp(*ts),
            TimePoint::Ago(d) => {
                let as_of = self.params_col(scope);
                self.d.minus(&self.sql, as_of, *d)
            }
        }
    }

    fn lit(&mut self, l: &Lit) -> Expr {
        match l {
            Lit::Str(s) => self.string_lit(s),
            Lit::Int(v) => self.sql.int(*v),
            Lit::Decimal(t) => self.d.decimal(&self.sql, t),
            Lit::Bool(b) => self.sql.bool(*b),
            Lit::Date(d) => self.d.date(*d),
            Lit::Timestamp(t) => self.d.timestamp(*t),
        }
    }

    pub(crate) fn string_lit(&mut self, s: &str) -> Expr {
        if let Some(why) = self.d.unrepresentable(s) {
            self.problems.push(format!("{why}: {s:?}"));
        }
        self.sql.string(s)
    }

    pub(crate) fn scalar_ty(&self, s: &Scalar) -> Type {
        match s {
            Scalar::Column(c) => c.ty,
            Scalar::Lit(l) => l.ty(),
            Scalar::Time(_) => Type::Timestamp,
            Scalar::Agg(a) => match &a.kind {
                AggKind::Count | AggKind::CountDistinct(_) | AggKind::ActivePeriods { .. } => {
                    Type::Int
                }
                AggKind::First | AggKind::Last => Type::Timestamp,
                AggKind::Avg(_) => Type::Decimal,
                AggKind::Sum(c) | AggKind::Min(c) | AggKind::Max(c) => {
                    let ev = &self.p.catalog.events[a.filter.events];
                    ev.property(c).map(|p| p.ty).unwrap_or(Type::Timestamp)
                }
            },
            Scalar::Ntile { .. } => Type::Int,
            Scalar::Score(rules) => {
                if rules.iter().any(|(w, _)| w.ty() == Type::Decimal) {
                    Type::Decimal
                } else {
                    Type::Int
                }
            }
        }
    }

    /// A value in a scope: the expression and whether it may be NULL.
    pub(crate) fn scalar(&mut self, s: &Scalar, scope: &mut Scope) -> (Expr, bool) {
        let sql = self.sql;
        match s {
            Scalar::Column(c) => match &c.owner {
                ColumnOwner::Entity => (
                    sql.col(&scope.alias, &c.name),
                    c.name != self.p.catalog.entities[scope.entity].key,
                ),
                ColumnOwner::Ref(ri) => {
                    scope.needs.refs.insert(*ri);
                    let alias = self.ref_alias(scope, *ri);
                    let col = sql.col(&alias, &c.name);
                    if self.d.outer_join_defaults() {
                        let present = bin(sql.col(&alias, PRESENT), BinaryOperator::Eq, sql.int(1));
                        (sql.case(vec![(present, col)], None), true)
                    } else {
                        (col, true)
                    }
                }
                ColumnOwner::Event => (sql.col(EV, &c.name), true),
            },
            Scalar::Lit(l) => (self.lit(l), false),
            Scalar::Time(t) => (self.time_point(t, scope), false),
            Scalar::Agg(a) => {
                let (fi, name) = self.fact(FactKey::Agg((**a).clone()));
                scope.needs.facts.insert(fi);
                let cte = self.facts[fi].cte.clone();
                let col = sql.col(&cte, &name);
                if a.zero_when_empty() {
                    (sql.coalesce(col, sql.int(0)), false)
                } else if self.d.outer_join_defaults() {
                    let (_, seen) = self.fact(FactKey::Seen((**a).clone()));
                    let guard = bin(
                        sql.coalesce(sql.col(&cte, &seen), sql.int(0)),
                        BinaryOperator::Gt,
                        sql.int(0),
                    );
                    (sql.case(vec![(guard, col)], None), true)
                } else {
                    (col, true)
                }
            }
            Scalar::Ntile { k, value } => {
                let (di, column) = self
                    .derived
                    .iter()
                    .enumerate()
                    .find_map(|(di, d)| match d {
                        Derived::Ntile { entity, tiles, .. } if *entity == scope.entity => {
                            let t = tiles.iter().find(|t| t.k == *k && &t.value == value)?;
                            let column = if tiles.len() == 1 {
                                "bucket".to_string()
                            } else {
                                t.name.clone()
                            };
                            Some((di, column))
                        }
                        _ => None,
                    })
                    .expect("ntile collected");
                scope.needs.derived.insert(di);
                let cte = self.derived[di].cte().to_string();
                (sql.col(&cte, &column), false)
            }
            Scalar::Score(rules) => {
                let mut sum: Option<Expr> = None;
                for (w, c) in rules {
                    let (cond, _) = self.cond(c, scope);
                    let weight = self.lit(w);
                    let term = sql.case(vec![(cond, weight)], Some(sql.int(0)));
                    sum = Some(match sum {
                        None => term,
                        Some(acc) => bin(acc, BinaryOperator::Plus, term),
                    });
                }
                (sum.unwrap_or_else(|| sql.int(0)), false)
            }
        }
    }

    /// A condition as a boolean that is never NULL (for output columns).
    pub(crate) fn two_valued(&mut self, c: &Cond, scope: &mut Scope) -> Expr {
        let (e, nullable) = self.cond(c, scope);
        if nullable {
            self.sql.coalesce(e, self.sql.bool(false))
        } else {
            e
        }
    }

    /// A condition as a boolean expression, and whether it may be NULL (for unknown).
    pub(crate) fn cond(&mut self, c: &Cond, scope: &mut Scope) -> (Expr, bool) {
        let sql = self.sql;
        match c {
            Cond::Const(b) => (sql.bool(*b), false),
            Cond::And(v) | Cond::Or(v) => {
                let mut parts = Vec::new();
                let mut nullable = false;
                for c in v {
                    let (e, n) = self.cond(c, scope);
                    parts.push(e);
                    nullable |= n;
                }
                (
                    if matches!(c, Cond::And(_)) {
                        and(parts)
                    } else {
                        or(parts)
                    },
                    nullable,
                )
            }
            Cond::Not(inner) => {
                let (e, n) = self.cond(inner, scope);
                let e = if n {
                    sql.coalesce(e, sql.bool(false))
                } else {
                    e
                };
                (not(e), false)
            }
            Cond::Cmp(a, op, b) if avg_against_literal(a, *op, b).is_some() => {
                // `avg(x) op c` as `count(x) > 0 and sum(x) op c * count(x)`: exact in
                // every engine's decimal arithmetic, where AVG of a decimal is a double on
                // some (0.1, 0.2, 0.3 average to 0.19999999999999998) and not on others.
                let (agg, op, lit) = avg_against_literal(a, *op, b).expect("matched");
                let (fi, sum_col) = self.fact(FactKey::Agg(sum_of(agg)));
                let (_, seen_col) = self.fact(FactKey::Seen(agg.clone()));
                scope.needs.facts.insert(fi);
                let cte = self.facts[fi].cte.clone();
                let count = sql.coalesce(sql.col(&cte, &seen_col), sql.int(0));
                let lit = self.lit(lit);
                (
                    and(vec![
                        bin(count.clone(), BinaryOperator::Gt, sql.int(0)),
                        bin(
                            sql.col(&cte, &sum_col),
                            cmp_op(op),
                            bin(lit, BinaryOperator::Multiply, count),
                        ),
                    ]),
                    true,
                )
            }
            Cond::Cmp(a, op, b) => {
                let (ta, tb) = (self.scalar_ty(a), self.scalar_ty(b));
                let (mut ea, na) = self.scalar(a, scope);
                let (mut eb, nb) = self.scalar(b, scope);
                // A date meets a timestamp at the date's midnight.
                if ta == Type::Date && tb == Type::Timestamp {
                    ea = self.d.date_as_timestamp(&sql, ea);
                }
                if tb == Type::Date && ta == Type::Timestamp {
                    eb = self.d.date_as_timestamp(&sql, eb);
                }
                // Strings order by their bytes, whatever the database's collation.
                if (ta == Type::String || tb == Type::String)
                    && !matches!(op, CmpOp::Eq | CmpOp::Ne)
                {
                    ea = self.d.byte_order(&sql, ea);
                    eb = self.d.byte_order(&sql, eb);
                }
                (bin(ea, cmp_op(*op), eb), na || nb)
            }
            Cond::In { value, list } => {
                let (e, n) = self.scalar(value, scope);
                // A float in a list of decimals compares as floats (ClickHouse's IN
                // refuses a Decimal list for a Float64 value).
                let float = self.scalar_ty(value) == Type::Float;
                let list = list
                    .iter()
                    .map(|l| match l {
                        Lit::Decimal(t) if float => sql.decimal(t),
                        l => self.lit(l),
                    })
                    .collect();
                (
                    Expr::InList {
                        expr: Box::new(e),
                        list,
                        negated: false,
                    },
                    n,
                )
            }
            Cond::Text { value, op, pattern } => {
                let (e, n) = self.scalar(value, scope);
                let s = self.string_lit(pattern);
                let out = match op {
                    TextOp::Contains => self.d.contains(&sql, e, s),
                    TextOp::StartsWith => self.d.starts_with(&sql, e, s),
                    TextOp::EndsWith => self.d.ends_with(&sql, e, s),
                };
                (out, n)
            }
            Cond::Regex { value, pattern } => {
                let (e, n) = self.scalar(value, scope);
                let s = self.string_lit(pattern);
                (self.d.regex(&sql, e, s), n)
            }
            Cond::IsSet(value) => {
                let (e, _) = self.scalar(value, scope);
                (is_not_null(e), false)
            }
            Cond::Segment(id) => {
                let seg = &self.p.segments[*id];
                let (e, n) = self.cond(&seg.cond, scope);
                (Expr::Nested(Box::new(e)), n)
            }
            Cond::Quantified {
                quant,
                entity: inner,
                via_ref,
                cond,
            } => {
                let (di, column) = self
                    .derived
                    .iter()
                    .enumerate()
                    .find_map(|(di, d)| match d {
                        Derived::Quant {
                            outer,
                            inner: i,
                            via_ref: r,
                            conds,
                            ..
                        } if *outer == scope.entity && i == inner && r == via_ref => {
                            let ci = conds.iter().position(|c| c == &**cond)?;
                            Some((di, matching_column(conds.len(), ci)))
                        }
                        _ => None,
                    })
                    .expect("quantifier collected");
                scope.needs.derived.insert(di);
                let cte = self.derived[di].cte().to_string();
                let matching = sql.coalesce(sql.col(&cte, &column), sql.int(0));
                let related = sql.coalesce(sql.col(&cte, "related"), sql.int(0));
                let e = match quant {
                    Quant::Any => bin(matching, BinaryOperator::GtEq, sql.int(1)),
                    Quant::No => bin(matching, BinaryOperator::Eq, sql.int(0)),
                    Quant::All => and(vec![
                        bin(related.clone(), BinaryOperator::Gt, sql.int(0)),
                        bin(matching, BinaryOperator::Eq, related),
                    ]),
                    Quant::AtLeast(n) => bin(matching, BinaryOperator::GtEq, sql.int(*n)),
                    Quant::AtMost(n) => bin(matching, BinaryOperator::LtEq, sql.int(*n)),
                    Quant::Exactly(n) => bin(matching, BinaryOperator::Eq, sql.int(*n)),
                };
                (e, false)
            }
            Cond::Sequence(s) => {
                let si = self
                    .seqs
                    .iter()
                    .position(|f| &f.seq == s.as_ref())
                    .expect("sequence collected");
                scope.needs.seqs.insert(si);
                let (cte, col) = self.seq_column(si);
                (
                    bin(
                        sql.coalesce(sql.col(&cte, &col), sql.int(0)),
                        BinaryOperator::Eq,
                        sql.int(1),
                    ),
                    false,
                )
            }
            Cond::Sql(pred) => (self.sql_predicate(pred, scope), true),
        }
    }

    /// A `sql "..."` predicate with its names qualified and its strings re-escaped.
    fn sql_predicate(&mut self, pred: &SqlPredicate, scope: &mut Scope) -> Expr {
        let mut e = pred.expr.clone();
        let sql = self.sql;
        let entity = &self.p.catalog.entities[scope.entity];
        let mut refs_used = Vec::new();
        let mut strings = Vec::new();
        let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
            match x {
                Expr::Identifier(id) => {
                    let q = if scope.alias.is_empty() {
                        EV.to_string()
                    } else {
                        scope.alias.clone()
                    };
                    *x = sql.col(&q, &id.value);
                }
                Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                    if let Some(ri) = entity.refs.iter().position(|r| r.nav == parts[0].value) {
                        refs_used.push(ri);
                        let alias = self.ref_alias(scope, ri);
                        *x = sql.col(&alias, &parts[1].value);
                    }
                }
                Expr::Value(v) => {
                    if let sqlparser::ast::Value::SingleQuotedString(s) = &v.value {
                        strings.push(s.clone());
                        *x = sql.string(s);
                    }
                }
                _ => {}
            }
            ControlFlow::<()>::Continue(())
        });
        for s in strings {
            if let Some(why) = self.d.unrepresentable(&s) {
                self.problems.push(format!("{why}: {s:?}"));
            }
        }
        scope.needs.refs.extend(refs_used);
        Expr::Nested(Box::new(e))
    }

    /// A condition over one event's columns (inside a feature's aggregate).
    fn event_cond(&mut self, c: &Cond, scope: &mut Scope) -> Expr {
        let saved = std::mem::take(&mut scope.alias);
        let (e, _) = self.cond(c, scope);
        scope.alias = saved;
        e
    }

    // -----------------------------------------------------------------------------------
    // CTEs
    // -----------------------------------------------------------------------------------

    /// `ev.name IN (...)` for a step's names.
    fn name_filter(&mut self, events: EventsId, names: &Option<Vec<String>>) -> Option<Expr> {
        let ev = &self.p.catalog.events[events];
        match (&ev.source, names) {
            (EventSource::Column(col), Some(ns)) => {
                let col = self.sql.col(EV, col);
                let list: Vec<Expr> = ns.clone().iter().map(|n| self.string_lit(n)).collect();
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

    /// The conditions an event must meet for a filter: names, properties, window start
    /// and end (the `< as_of` bound is in every scan's WHERE).
    /// `scan_names`: the names the scan's WHERE already restricts to; a filter on
    /// exactly those is implied and left out.
    fn filter_parts(
        &mut self,
        f: &EventFilter,
        scope: &mut Scope,
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
            parts.push(self.event_cond(pred, scope));
        }
        if let Some(start) = &f.window.start {
            if !skip_start {
                let s = self.time_point(start, scope);
                parts.push(bin(time.clone(), BinaryOperator::GtEq, s));
            }
        }
        if f.window.end != TimePoint::AsOf {
            let e = self.time_point(&f.window.end, scope);
            parts.push(bin(time, BinaryOperator::Lt, e));
        }
        parts
    }

    /// The scan WHERE shared by every feature of a relation: before as_of, after the
    /// earliest window start, and (when every feature names events) only those names.
    fn scan_where(
        &mut self,
        events: EventsId,
        filters: &[&EventFilter],
        scope: &mut Scope,
    ) -> (Expr, Option<TimePoint>, Option<Vec<String>>) {
        let time = self.sql.col(EV, &self.p.catalog.events[events].time);
        let as_of = self.params_col(scope);
        let mut parts = vec![bin(time.clone(), BinaryOperator::Lt, as_of)];
        let mut earliest: Option<&TimePoint> = None;
        let mut unbounded = false;
        for f in filters {
            match &f.window.start {
                None => unbounded = true,
                Some(s) => {
                    if earliest.is_none_or(|e| self.instant(s) < self.instant(e)) {
                        earliest = Some(s);
                    }
                }
            }
        }
        let earliest = if unbounded { None } else { earliest.cloned() };
        if let Some(s) = &earliest {
            let e = self.time_point(s, scope);
            parts.push(bin(time, BinaryOperator::GtEq, e));
        }
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
                parts.push(n);
                scan_names = Some(all);
            }
        }
        (and(parts), earliest, scan_names)
    }

    fn facts_cte(&mut self, fi: usize) -> Query {
        let sql = self.sql;
        let events = self.facts[fi].events;
        let ev = self.p.catalog.events[events].clone();
        let entity = &self.p.catalog.entities[ev.entity];
        let cols = self.facts[fi].cols.clone();
        let mut scope = Scope {
            entity: ev.entity,
            alias: String::new(),
            needs: Needs::default(),
        };
        let filters: Vec<EventFilter> = cols
            .iter()
            .map(|(k, _)| match k {
                FactKey::Agg(a) | FactKey::Seen(a) => a.filter.clone(),
            })
            .collect();
        let refs: Vec<&EventFilter> = filters.iter().collect();
        let (selection, earliest, scan_names) = self.scan_where(events, &refs, &mut scope);
        let key = sql.col(EV, &ev.key);
        let time = sql.col(EV, &ev.time);
        let mut projection = vec![proj(key.clone(), &entity.key)];
        for (k, name) in &cols {
            let (agg, seen) = match k {
                FactKey::Agg(a) => (a, false),
                FactKey::Seen(a) => (a, true),
            };
            let skip_start = earliest.as_ref() == agg.filter.window.start.as_ref();
            let parts =
                self.filter_parts(&agg.filter, &mut scope, skip_start, scan_names.as_deref());
            let cond = if parts.is_empty() {
                None
            } else {
                Some(and(parts))
            };
            let col = |c: &str| sql.col(EV, c);
            let prop_ty = |c: &str| ev.property(c).map(|p| p.ty);
            let expr = if seen {
                let arg = match &agg.kind {
                    AggKind::Avg(c) | AggKind::Min(c) | AggKind::Max(c) => col(c),
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
                    AggKind::First => self.d.cond_agg(&sql, AggFn::Min, Some(time.clone()), cond),
                    AggKind::Last => self.d.cond_agg(&sql, AggFn::Max, Some(time.clone()), cond),
                    AggKind::ActivePeriods { n, unit } => {
                        let bucket = self.period_bucket(*n, *unit, time.clone(), &mut scope);
                        self.d.active_periods(&sql, bucket, *n, cond)
                    }
                }
            };
            projection.push(proj(expr, name));
        }
        let from = From {
            base: sql.table(&ev.table, Some(EV)),
            joins: vec![],
        };
        sql.select(projection, Some(from), Some(selection), vec![key])
    }

    /// Which of the `n` periods before as_of an event falls in: 0 is the latest.
    fn period_bucket(&mut self, n: i64, unit: Unit, time: Expr, scope: &mut Scope) -> Expr {
        let sql = self.sql;
        match fixed_micros(unit) {
            Some(us) => {
                // Period i is [as_of - (i+1) units, as_of - i units): an event exactly
                // one unit back is in period 0. The scan keeps time < as_of, so the
                // difference is at least 1 µs and (diff - 1) div unit is never negative.
                let as_of = self.params_col(scope);
                let diff = bin(
                    bin(
                        self.d.epoch_micros(&sql, as_of),
                        BinaryOperator::Minus,
                        self.d.epoch_micros(&sql, time),
                    ),
                    BinaryOperator::Minus,
                    sql.int(1),
                );
                self.d.int_div(&sql, diff, sql.int(us))
            }
            None => {
                let mut whens = Vec::new();
                for i in 1..=n {
                    let per = if unit == Unit::Year { 12 } else { 1 };
                    let bound = self.time_point(
                        &TimePoint::Ago(Duration {
                            n: i * per,
                            unit: Unit::Month,
                        }),
                        scope,
                    );
                    whens.push((
                        bin(time.clone(), BinaryOperator::GtEq, bound),
                        sql.int(i - 1),
                    ));
                }
                sql.case(whens, None)
            }
        }
    }

    /// Finishes a statement: the CTEs in dependency order, then the body.
    pub(crate) fn finish(&mut self, body: Query) -> Result<Query, Unsupported> {
        let mut ctes: Vec<(String, Query)> = Vec::new();
        for fi in 0..self.facts.len() {
            let q = self.facts_cte(fi);
            ctes.push((self.facts[fi].cte.clone(), q));
        }
        let mut done: Vec<EventsId> = Vec::new();
        for si in 0..self.seqs.len() {
            let events = self.seqs[si].seq.events;
            if !done.contains(&events) {
                done.push(events);
                ctes.extend(self.seq_ctes(events));
            }
        }
        // In collection order, except that a CTE waits for the ones it joins: a
        // relationship's CTE collected early may have gained a condition that joins a
        // later one.
        let mut pending: Vec<(usize, Query, BTreeSet<usize>)> = (0..self.derived.len())
            .map(|di| {
                let (q, needs) = self.derived_cte(di);
                (di, q, needs)
            })
            .collect();
        let mut defined: BTreeSet<usize> = BTreeSet::new();
        while !pending.is_empty() {
            let next = pending
                .iter()
                .position(|(di, _, needs)| needs.iter().all(|n| n == di || defined.contains(n)))
                .unwrap_or(0);
            let (di, q, _) = pending.remove(next);
            defined.insert(di);
            ctes.push((self.derived[di].cte().to_string(), q));
        }
        ctes.append(&mut self.derived_tail);
        if !self.problems.is_empty() {
            return Err(Unsupported(self.problems.join("; ")));
        }
        Ok(self.sql.with(ctes, body))
    }

    /// A derived CTE, with the derived CTEs it joins (which must be defined before it).
    fn derived_cte(&mut self, di: usize) -> (Query, BTreeSet<usize>) {
        let sql = self.sql;
        match &self.derived[di] {
            Derived::Ntile { entity, tiles, .. } => {
                let entity = *entity;
                let tiles: Vec<(i64, Scalar, String)> = tiles
                    .iter()
                    .map(|t| (t.k, (*t.value).clone(), t.name.clone()))
                    .collect();
                let mut scope = self.scope(entity);
                let key = self.key_expr(&scope);
                let key_name = self.p.catalog.entities[entity].key.clone();
                let key_order = if self.p.catalog.entities[entity].key_ty == Type::String {
                    self.d.byte_order(&sql, key.clone())
                } else {
                    key.clone()
                };
                let mut projection = vec![proj(key, &key_name)];
                for (k, value, name) in &tiles {
                    let (v, _) = self.scalar(value, &mut scope);
                    let v = if self.scalar_ty(value) == Type::String {
                        self.d.byte_order(&sql, v)
                    } else {
                        v
                    };
                    let f = sql.function("NTILE", vec![sql.int(*k)]);
                    let bucket = sql.window(
                        f,
                        vec![],
                        vec![(v, true), (key_order.clone(), false)],
                        false,
                    );
                    let column = if tiles.len() == 1 { "bucket" } else { name };
                    projection.push(proj(bucket, column));
                }
                let from = self.from(&scope);
                (
                    sql.select(projection, Some(from), None, vec![]),
                    scope.needs.derived,
                )
            }
            Derived::Quant {
                outer,
                inner,
                via_ref,
                conds,
                ..
            } => {
                let (outer, inner, via_ref, conds) = (*outer, *inner, *via_ref, conds.clone());
                let mut scope = self.scope(inner);
                let r = self.p.catalog.entities[inner].refs[via_ref].clone();
                let link = sql.col(&scope.alias, &r.column);
                let outer_key = self.p.catalog.entities[outer].key.clone();
                let related = Expr::Function(sql.count_star());
                let mut projection = vec![proj(link.clone(), &outer_key), proj(related, "related")];
                for (ci, cond) in conds.iter().enumerate() {
                    let (c, _) = self.cond(cond, &mut scope);
                    let matching = self.d.cond_agg(&sql, AggFn::Count, None, Some(c));
                    projection.push(proj(matching, &matching_column(conds.len(), ci)));
                }
                let from = self.from(&scope);
                (
                    sql.select(
                        projection,
                        Some(from),
                        Some(is_not_null(link.clone())),
                        vec![link],
                    ),
                    scope.needs.derived,
                )
            }
        }
    }

    /// Where a sequence's result is: (CTE, column). A sequence alone over its events
    /// relation has its own CTE with a `matched` column; several share one CTE with a
    /// column each.
    fn seq_column(&self, si: usize) -> (String, String) {
        let f = &self.seqs[si];
        match self.seq_groups.iter().find(|(e, _)| *e == f.seq.events) {
            Some((_, group)) => (group.clone(), f.cte.clone()),
            None => (f.cte.clone(), "matched".to_string()),
        }
    }

    /// The CTE chain of the sequences over one events relation: one scan giving a row
    /// per (entity, time) with a flag per step of each sequence, then one window pass per
    /// step position finding, for every sequence at once, the latest valid previous step
    /// strictly before each row. A sequence alone keeps plain names (`s1`, `prev1`,
    /// `matched`); several prefix theirs with the sequence's name.
    fn seq_ctes(&mut self, events: EventsId) -> Vec<(String, Query)> {
        let sql = self.sql;
        let members: Vec<usize> = (0..self.seqs.len())
            .filter(|&i| self.seqs[i].seq.events == events)
            .collect();
        let group = self
            .seq_groups
            .iter()
            .find(|(e, _)| *e == events)
            .map(|(_, g)| g.clone());
        let seqs: Vec<(Sequence, String)> = members
            .iter()
            .map(|&i| {
                let f = &self.seqs[i];
                let prefix = match group {
                    Some(_) => format!("{}_", f.cte),
                    None => String::new(),
                };
                (f.seq.clone(), prefix)
            })
            .collect();
        let cte = group
            .clone()
            .unwrap_or_else(|| self.seqs[members[0]].cte.clone());
        let ev = self.p.catalog.events[events].clone();
        let entity_key = self.p.catalog.entities[ev.entity].key.clone();
        let mut scope = Scope {
            entity: ev.entity,
            alias: String::new(),
            needs: Needs::default(),
        };
        let filters: Vec<Vec<EventFilter>> = seqs
            .iter()
            .map(|(seq, _)| {
                seq.steps
                    .iter()
                    .map(|s| EventFilter {
                        events,
                        names: s.names.clone(),
                        pred: s.pred.clone(),
                        window: seq.window.clone(),
                    })
                    .collect()
            })
            .collect();
        let refs: Vec<&EventFilter> = filters.iter().flatten().collect();
        let (selection, _, _) = self.scan_where(events, &refs, &mut scope);
        let key = sql.col(EV, &ev.key);
        let time = sql.col(EV, &ev.time);
        // Identical steps across sequences share a flag column, and sequences that
        // start with the same steps share their `prev` columns.
        let mut projection = vec![proj(key.clone(), "k"), proj(time.clone(), "t")];
        let mut flag_of: Vec<(String, String)> = Vec::new();
        let mut flags: Vec<Vec<String>> = Vec::new();
        for (steps, (_, prefix)) in filters.iter().zip(&seqs) {
            let mut cols = Vec::new();
            for (i, f) in steps.iter().enumerate() {
                let mut parts = self.filter_parts(f, &mut scope, false, None);
                if parts.is_empty() {
                    parts.push(sql.bool(true));
                }
                let flag = sql.case(vec![(and(parts), sql.int(1))], Some(sql.int(0)));
                let text = flag.to_string();
                let col = match flag_of.iter().find(|(t, _)| *t == text) {
                    Some((_, c)) => c.clone(),
                    None => {
                        let c = format!("{prefix}s{}", i + 1);
                        projection.push(proj(sql.func("MAX", vec![flag]), &c));
                        flag_of.push((text, c.clone()));
                        c
                    }
                };
                cols.push(col);
            }
            flags.push(cols);
        }
        // prevs[a][j - 1]: the column holding sequence a's latest valid step j.
        let mut prev_of: Vec<(String, String)> = Vec::new();
        let mut prevs: Vec<Vec<String>> = Vec::new();
        for ((seq, prefix), cols) in seqs.iter().zip(&flags) {
            let mut mine = Vec::new();
            let mut chain = String::new();
            for j in 1..seq.steps.len() {
                chain.push_str(&format!("{}|{:?}|", cols[j - 1], seq.steps[j - 1].within));
                let col = match prev_of.iter().find(|(c, _)| *c == chain) {
                    Some((_, c)) => c.clone(),
                    None => {
                        let c = format!("{prefix}prev{j}");
                        prev_of.push((chain.clone(), c.clone()));
                        c
                    }
                };
                mine.push(col);
            }
            prevs.push(mine);
        }
        let steps_name = self.fresh(&format!("{cte}_steps"));
        let from = From {
            base: sql.table(&ev.table, Some(EV)),
            joins: vec![],
        };
        let mut out = vec![(
            steps_name.clone(),
            sql.select(projection, Some(from), Some(selection), vec![key, time]),
        )];
        // valid(a, j): sequence a's step j matched at this row, with a valid step j-1
        // strictly before.
        let valid = |this: &mut Self, a: usize, j: usize| -> Expr {
            let s = bin(sql.bare(&flags[a][j - 1]), BinaryOperator::Eq, sql.int(1));
            if j == 1 {
                return s;
            }
            let prev = sql.bare(&prevs[a][j - 2]);
            let mut parts = vec![s, is_not_null(prev.clone())];
            if let Some(w) = seqs[a].0.steps[j - 1].within {
                parts.push(bin(
                    sql.bare("t"),
                    BinaryOperator::LtEq,
                    this.d.plus(&sql, prev, w),
                ));
            }
            and(parts)
        };
        let longest = seqs.iter().map(|(s, _)| s.steps.len()).max().unwrap_or(0);
        let mut prev_name = steps_name;
        for j in 2..=longest {
            let mut projection = vec![proj_bare(sql.bare("k")), proj_bare(sql.bare("t"))];
            let mut named: Vec<String> = Vec::new();
            let mut windows: Vec<(Expr, String)> = Vec::new();
            for (a, (seq, _)) in seqs.iter().enumerate() {
                let n = seq.steps.len();
                let mut keep: Vec<&String> = Vec::new();
                if j > n {
                    // Finished: carry what its last step's test reads.
                    keep.push(&flags[a][n - 1]);
                    keep.push(&prevs[a][n - 2]);
                } else {
                    // Carry the later steps' flags and add prev(j-1).
                    keep.extend(&flags[a][j - 1..]);
                    let col = &prevs[a][j - 2];
                    if !windows.iter().any(|(_, c)| c == col) {
                        let v = valid(self, a, j - 1);
                        let max =
                            sql.function("MAX", vec![sql.case(vec![(v, sql.bare("t"))], None)]);
                        let w = sql.window(
                            max,
                            vec![sql.bare("k")],
                            vec![(sql.bare("t"), false)],
                            true,
                        );
                        windows.push((w, col.clone()));
                    }
                }
                for c in keep {
                    if !named.contains(c) && !windows.iter().any(|(_, w)| w == c) {
                        named.push(c.clone());
                    }
                }
            }
            named.retain(|c| !windows.iter().any(|(_, w)| w == c));
            projection.extend(named.iter().map(|c| proj_bare(sql.bare(c))));
            projection.extend(windows.into_iter().map(|(w, c)| proj(w, &c)));
            let name = self.fresh(&format!("{cte}_step{j}"));
            let from = From {
                base: sql.table(&[prev_name.clone()], None),
                joins: vec![],
            };
            out.push((
                name.clone(),
                sql.select(projection, Some(from), None, vec![]),
            ));
            prev_name = name;
        }
        let from = From {
            base: sql.table(&[prev_name], None),
            joins: vec![],
        };
        let q = match group {
            None => {
                let v = valid(self, 0, seqs[0].0.steps.len());
                sql.select(
                    vec![
                        proj(sql.bare("k"), &entity_key),
                        proj(sql.int(1), "matched"),
                    ],
                    Some(from),
                    Some(v),
                    vec![sql.bare("k")],
                )
            }
            Some(_) => {
                let mut projection = vec![proj(sql.bare("k"), &entity_key)];
                for (a, &si) in members.iter().enumerate() {
                    let v = valid(self, a, seqs[a].0.steps.len());
                    let flag = sql.case(vec![(v, sql.int(1))], Some(sql.int(0)));
                    projection.push(proj(sql.func("MAX", vec![flag]), &self.seqs[si].cte));
                }
                sql.select(projection, Some(from), None, vec![sql.bare("k")])
            }
        };
        out.push((cte, q));
        out
    }
}

/// The column of a quantifier's condition in its relationship's CTE: `matching` when it
/// is the only one, else `matching_1`, `matching_2`, ... in the order collected.
fn matching_column(conds: usize, ci: usize) -> String {
    if conds == 1 {
        "matching".to_string()
    } else {
        format!("matching_{}", ci + 1)
    }
}

/// `avg(x) op literal` (or `literal op avg(x)`), as (the average, the operator with the
/// average on the left, the literal).
fn avg_against_literal<'s>(
    a: &'s Scalar,
    op: CmpOp,
    b: &'s Scalar,
) -> Option<(&'s EventAgg, CmpOp, &'s Lit)> {
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
fn sum_of(avg: &EventAgg) -> EventAgg {
    let AggKind::Avg(col) = &avg.kind else {
        return avg.clone();
    };
    EventAgg {
        kind: AggKind::Sum(col.clone()),
        filter: avg.filter.clone(),
    }
}

fn unit_name(u: Unit) -> &'static str {
    u.singular()
}

fn cmp_op(op: CmpOp) -> BinaryOperator {
    match op {
        CmpOp::Eq => BinaryOperator::Eq,
        CmpOp::Ne => BinaryOperator::NotEq,
        CmpOp::Lt => BinaryOperator::Lt,
        CmpOp::Le => BinaryOperator::LtEq,
        CmpOp::Gt => BinaryOperator::Gt,
        CmpOp::Ge => BinaryOperator::GtEq,
    }
}
