//! The checked IR: what the checker hands the planner.
//!
//! Every name is resolved to an index, every type checked, every relative time turned
//! into an offset from `as_of`, and every behavioural condition into an aggregate over
//! one events relation compared with a number. Conditions are evaluated in the scope of
//! one entity; `Quantified` opens the scope of a related entity.

use segql_syntax::ast::{CmpOp, Type, Unit};
use segql_syntax::Span;

pub type EntityId = usize;
pub type EventsId = usize;
pub type SegmentId = usize;
pub type ActionId = usize;

mod catalog;
pub use catalog::*;
mod sql_walk;

/// A literal, typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lit {
    Str(String),
    Int(i64),
    /// Exact decimal text.
    Decimal(String),
    Bool(bool),
    /// Days since the epoch.
    Date(i32),
    /// Microseconds since the epoch, UTC.
    Timestamp(i64),
}

impl Lit {
    pub fn ty(&self) -> Type {
        match self {
            Lit::Str(_) => Type::String,
            Lit::Int(_) => Type::Int,
            Lit::Decimal(_) => Type::Decimal,
            Lit::Bool(_) => Type::Bool,
            Lit::Date(_) => Type::Date,
            Lit::Timestamp(_) => Type::Timestamp,
        }
    }
}

/// A length of time. Hours, days and weeks are fixed durations; months and years are
/// calendar units (see docs/semantics.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Duration {
    pub n: i64,
    pub unit: Unit,
}

/// A point in time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TimePoint {
    AsOf,
    /// `as_of - duration`
    Ago(Duration),
    /// A timestamp literal.
    At(i64),
}

/// Which events count by time: `[start, end)`, always also before `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeWindow {
    /// `None`: from the beginning.
    pub start: Option<TimePoint>,
    /// `AsOf` unless the window ends earlier.
    pub end: TimePoint,
}

impl TimeWindow {
    pub const EVER: TimeWindow = TimeWindow {
        start: None,
        end: TimePoint::AsOf,
    };
}

/// Which events of a relation a behavioural condition looks at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventFilter {
    pub events: EventsId,
    /// The declared action the filter was written as (`did checkout`); its names and
    /// condition are already in `names` and `pred`.
    pub action: Option<ActionId>,
    /// `None`: any event.
    pub names: Option<Vec<String>>,
    /// A condition over the event's properties (scope: the events relation).
    pub pred: Option<Cond>,
    pub window: TimeWindow,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AggKind {
    Count,
    CountDistinct(String),
    Sum(String),
    Avg(String),
    Min(String),
    Max(String),
    /// The property's value in the earliest matching event where it is set (events
    /// ordered by time, then by the value: strings by their bytes).
    FirstValue(String),
    /// The property's value in the latest matching event where it is set (the last in
    /// that order).
    LastValue(String),
    /// Time of the first matching event.
    First,
    /// Time of the last matching event.
    Last,
    /// The number of periods of `length` `unit`s, counted back from `as_of`, with at
    /// least `min_events` matching events (the window holds `n` of them).
    ActivePeriods {
        n: i64,
        unit: Unit,
        length: i64,
        min_events: i64,
    },
}

/// One aggregate over one events relation, per entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventAgg {
    pub kind: AggKind,
    pub filter: EventFilter,
}

impl EventAgg {
    /// The aggregate's value for an entity without matching events: 0 for counts and
    /// sums, unset for the others.
    pub fn zero_when_empty(&self) -> bool {
        matches!(
            self.kind,
            AggKind::Count
                | AggKind::CountDistinct(_)
                | AggKind::Sum(_)
                | AggKind::ActivePeriods { .. }
        )
    }
}

/// `did A then B within D then C ...` over one events relation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sequence {
    pub events: EventsId,
    /// Each step's names and property condition (their `window` is the sequence's).
    pub steps: Vec<SeqStep>,
    pub window: TimeWindow,
}

impl Sequence {
    /// The events each step matches, within the sequence's window.
    pub fn step_filters(&self) -> Vec<EventFilter> {
        self.steps
            .iter()
            .map(|s| EventFilter {
                events: self.events,
                action: s.action,
                names: s.names.clone(),
                pred: s.pred.clone(),
                window: self.window.clone(),
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SeqStep {
    /// The declared action the step was written as; already in `names` and `pred`.
    pub action: Option<ActionId>,
    pub names: Option<Vec<String>>,
    pub pred: Option<Cond>,
    /// For steps after the first: at most this long after the previous step.
    pub within: Option<Duration>,
}

/// Where a column lives, seen from a scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnOwner {
    /// The scope entity itself.
    Entity,
    /// The entity reached through the scope entity's reference number `n`.
    Ref(usize),
    /// The events relation (inside an event filter).
    Event,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColRef {
    pub owner: ColumnOwner,
    pub name: String,
    pub ty: Type,
}

/// A value per entity (or per event, inside filters).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scalar {
    Column(ColRef),
    Lit(Lit),
    Time(TimePoint),
    Agg(Box<EventAgg>),
    /// Bucket 1..=k of the value over the population (every entity, or those `among`
    /// holds for; the others have none), ascending unless `descending`; equal values
    /// share a bucket when `ties_together`, else the key breaks ties.
    Ntile {
        k: i64,
        value: Box<Scalar>,
        descending: bool,
        ties_together: bool,
        among: Option<Box<Cond>>,
    },
    /// The sum of the weights of the rules that hold.
    Score(Vec<(Lit, Cond)>),
    /// A string with every letter in its simple lowercase (`ignoring case`;
    /// docs/semantics.md, "Text"); unset when the string is.
    Folded(Box<Scalar>),
}

impl Scalar {
    /// The value's type (an average of events is a decimal; `first`/`last` are
    /// instants; a score is a decimal when a weight is).
    pub fn ty(&self, p: &Program) -> Type {
        match self {
            Scalar::Column(c) => c.ty,
            Scalar::Lit(l) => l.ty(),
            Scalar::Time(_) => Type::Timestamp,
            Scalar::Agg(a) => match &a.kind {
                AggKind::Count | AggKind::CountDistinct(_) | AggKind::ActivePeriods { .. } => {
                    Type::Int
                }
                AggKind::First | AggKind::Last => Type::Timestamp,
                AggKind::Avg(_) => Type::Decimal,
                AggKind::Sum(c)
                | AggKind::Min(c)
                | AggKind::Max(c)
                | AggKind::FirstValue(c)
                | AggKind::LastValue(c) => {
                    let ev = &p.catalog.events[a.filter.events];
                    ev.property(c).map(|p| p.ty).unwrap_or(Type::Timestamp)
                }
            },
            Scalar::Ntile { .. } => Type::Int,
            Scalar::Folded(_) => Type::String,
            Scalar::Score(rules) => {
                if rules.iter().any(|(w, _)| w.ty() == Type::Decimal) {
                    Type::Decimal
                } else {
                    Type::Int
                }
            }
        }
    }
}

/// The simple lowercase of every letter of `s`, the folding of `ignoring case`: each
/// character to the one its Unicode simple lowercase mapping gives (`É` to `é`, `ẞ` to
/// `ß`, `Σ` to `σ`, `İ` to `i`), never to several (`ß` stays `ß`, `İ` does not become
/// `i` with a combining dot) and with no context (a final `Σ` is `σ`).
pub fn fold_case(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            // The one letter whose full lowercase (Rust's) is not one character.
            '\u{130}' => 'i',
            c => {
                let mut l = c.to_lowercase();
                match (l.next(), l.next()) {
                    (Some(x), None) => x,
                    _ => c,
                }
            }
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextOp {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quant {
    Any,
    All,
    No,
    AtLeast(i64),
    AtMost(i64),
    Exactly(i64),
}

/// A condition: true or false for every entity (never unknown).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Cond {
    Const(bool),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    Cmp(Scalar, CmpOp, Scalar),
    In {
        value: Scalar,
        list: Vec<Lit>,
    },
    Text {
        value: Scalar,
        op: TextOp,
        pattern: String,
    },
    Regex {
        value: Scalar,
        pattern: String,
    },
    IsSet(Scalar),
    /// Membership of another segment of the same entity.
    Segment(SegmentId),
    /// Over the entities referencing this one through `(entity, ref index)`.
    Quantified {
        quant: Quant,
        entity: EntityId,
        via_ref: usize,
        cond: Box<Cond>,
    },
    Sequence(Box<Sequence>),
    /// A raw SQL predicate, parsed, with columns checked; rendered per dialect.
    Sql(Box<SqlPredicate>),
}

impl Cond {
    /// `did E ...` as the checker writes it: at least one event of the count's filter.
    pub fn did(&self) -> Option<&EventAgg> {
        match self {
            Cond::Cmp(Scalar::Agg(a), CmpOp::Ge, Scalar::Lit(Lit::Int(1)))
                if a.kind == AggKind::Count =>
            {
                Some(a)
            }
            _ => None,
        }
    }
}

/// A `sql "..."` predicate, checked: an expression over the scope's own columns and
/// literals, built only from the constructs segql knows how to write in every dialect
/// (docs/language.md). Nothing of the user's text reaches the SQL: strings, names and
/// functions are written anew by the dialect.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SqlPredicate {
    pub expr: SqlExpr,
    /// As written, for messages.
    pub text: String,
}

/// A node of a checked `sql` predicate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SqlExpr {
    Column(ColRef),
    Lit(Lit),
    Null,
    Not(Box<SqlExpr>),
    Neg(Box<SqlExpr>),
    Binary(Box<SqlExpr>, SqlOp, Box<SqlExpr>),
    IsNull {
        expr: Box<SqlExpr>,
        negated: bool,
    },
    Between {
        expr: Box<SqlExpr>,
        low: Box<SqlExpr>,
        high: Box<SqlExpr>,
        negated: bool,
    },
    InList {
        expr: Box<SqlExpr>,
        list: Vec<SqlExpr>,
        negated: bool,
    },
    /// `LIKE` with a literal pattern that holds no backslash (so that every engine's
    /// default escape character reads it alike).
    Like {
        expr: Box<SqlExpr>,
        pattern: String,
        negated: bool,
    },
    Case {
        operand: Option<Box<SqlExpr>>,
        whens: Vec<(SqlExpr, SqlExpr)>,
        otherwise: Option<Box<SqlExpr>>,
    },
    Cast {
        expr: Box<SqlExpr>,
        ty: Type,
    },
    Extract {
        part: DatePart,
        expr: Box<SqlExpr>,
    },
    Func {
        f: SqlFn,
        args: Vec<SqlExpr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SqlOp {
    Cmp(CmpOp),
    And,
    Or,
    Plus,
    Minus,
    Times,
    Mod,
    Concat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatePart {
    Year,
    Month,
    Day,
}

/// The functions a `sql` predicate may call: each is written per dialect with the same
/// meaning everywhere (docs/language.md lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SqlFn {
    Lower,
    Upper,
    Length,
    Trim,
    Abs,
    Floor,
    Ceil,
    Coalesce,
    Nullif,
    Mod,
}

impl SqlFn {
    /// Every function, as written in a predicate.
    pub const ALL: [SqlFn; 10] = [
        SqlFn::Lower,
        SqlFn::Upper,
        SqlFn::Length,
        SqlFn::Trim,
        SqlFn::Abs,
        SqlFn::Floor,
        SqlFn::Ceil,
        SqlFn::Coalesce,
        SqlFn::Nullif,
        SqlFn::Mod,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SqlFn::Lower => "lower",
            SqlFn::Upper => "upper",
            SqlFn::Length => "length",
            SqlFn::Trim => "trim",
            SqlFn::Abs => "abs",
            SqlFn::Floor => "floor",
            SqlFn::Ceil => "ceil",
            SqlFn::Coalesce => "coalesce",
            SqlFn::Nullif => "nullif",
            SqlFn::Mod => "mod",
        }
    }

    pub fn by_name(name: &str) -> Option<SqlFn> {
        let lower = name.to_ascii_lowercase();
        let lower = match lower.as_str() {
            "ceiling" => "ceil",
            "char_length" | "character_length" => "length",
            other => other,
        }
        .to_string();
        SqlFn::ALL.into_iter().find(|f| f.name() == lower)
    }
}

#[derive(Debug, Clone)]
pub struct SegmentDef {
    pub name: String,
    pub entity: EntityId,
    pub description: Option<String>,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    pub cond: Cond,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ReportDef {
    pub name: String,
    pub entity: EntityId,
    pub description: Option<String>,
    pub segments: Vec<SegmentId>,
    pub metrics: Vec<MetricDef>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct MetricDef {
    pub name: String,
    pub kind: MetricKind,
}

#[derive(Debug, Clone)]
pub enum MetricKind {
    /// Members (satisfying the condition).
    Count(Option<Cond>),
    /// Fraction of members satisfying the condition.
    Share(Cond),
    Avg(Scalar),
    Sum(Scalar),
    Min(Scalar),
    Max(Scalar),
}

#[derive(Debug, Clone)]
pub struct SplitDef {
    pub name: String,
    pub segment: SegmentId,
    pub salt: String,
    /// `(group, share in basis points)`; the shares add up to 10,000.
    pub groups: Vec<(String, u32)>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct PriorityDef {
    pub name: String,
    pub entity: EntityId,
    pub segments: Vec<SegmentId>,
    pub span: Span,
}

/// A `test` block with its rows resolved against the catalog (run by segql-run).
#[derive(Debug, Clone)]
pub struct TestDef {
    pub name: String,
    pub description: Option<String>,
    /// Microseconds since the epoch.
    pub as_of: i64,
    /// The earlier instant `entered`/`left` expectations compare with (before `as_of`).
    pub since: Option<i64>,
    pub givens: Vec<GivenDef>,
    pub expects: Vec<ExpectDef>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct GivenDef {
    pub relation: Relation,
    pub source: GivenSourceDef,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum GivenSourceDef {
    /// Column names and rows (`None` is null).
    Rows {
        columns: Vec<String>,
        rows: Vec<Vec<Option<Lit>>>,
    },
    /// A CSV or parquet path, as written (relative to the project).
    File(String),
}

#[derive(Debug, Clone)]
pub struct ExpectDef {
    pub target: Target,
    /// Which of the target's rows: a segment's members, a split's group, a priority
    /// list's stage.
    pub rows: Rows,
    /// `entered` or `left` between the test's `since` and `as_of`; none: the rows at
    /// `as_of`.
    pub change: Option<segql_syntax::ast::Change>,
    pub members: Vec<Lit>,
    pub span: Span,
}

impl ExpectDef {
    /// How the test names it: `segment`, `split.group`, `priority.segment`.
    pub fn label(&self, p: &Program) -> String {
        let name = self.target.name(p);
        let rows = match &self.rows {
            Rows::All => name.to_string(),
            Rows::Group(g) => format!("{name}.{g}"),
            Rows::Stage(seg) => format!("{name}.{}", p.segments[*seg].name),
        };
        match self.change {
            Some(c) => format!("{rows} {}", c.keyword()),
            None => rows,
        }
    }
}

/// Something of a project that compiles to one statement: what `compile` and `run`
/// select and what a test expects members of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    Segment(SegmentId),
    Report(usize),
    Split(usize),
    Priority(usize),
}

impl Target {
    pub fn name(self, p: &Program) -> &str {
        match self {
            Target::Segment(i) => &p.segments[i].name,
            Target::Report(i) => &p.reports[i].name,
            Target::Split(i) => &p.splits[i].name,
            Target::Priority(i) => &p.priorities[i].name,
        }
    }

    /// `segment`, `report`, `split` or `priority`.
    pub fn kind(self) -> &'static str {
        match self {
            Target::Segment(_) => "segment",
            Target::Report(_) => "report",
            Target::Split(_) => "split",
            Target::Priority(_) => "priority",
        }
    }

    pub fn span(self, p: &Program) -> Span {
        match self {
            Target::Segment(i) => p.segments[i].span,
            Target::Report(i) => p.reports[i].span,
            Target::Split(i) => p.splits[i].span,
            Target::Priority(i) => p.priorities[i].span,
        }
    }

    /// Every segment, report, split and priority list of a program, in declaration
    /// order (by file, then position).
    pub fn all(p: &Program) -> Vec<Target> {
        let mut all: Vec<Target> = (0..p.segments.len())
            .map(Target::Segment)
            .chain((0..p.reports.len()).map(Target::Report))
            .chain((0..p.splits.len()).map(Target::Split))
            .chain((0..p.priorities.len()).map(Target::Priority))
            .collect();
        all.sort_by_key(|t| {
            let s = t.span(p);
            (s.file, s.start)
        });
        all
    }
}

/// Which rows of a target's statement: all of them, a split's group, or the entities a
/// priority list puts in one segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rows {
    All,
    Group(String),
    Stage(SegmentId),
}

#[derive(Debug, Clone)]
pub struct AssertDef {
    pub segment: SegmentId,
    pub checks: Vec<AssertCheck>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum AssertCheck {
    /// Size compared: `(op, n)` pairs that must all hold.
    Size(Vec<(CmpOp, i64)>, Span),
    DisjointWith(SegmentId, Span),
    SubsetOf(SegmentId, Span),
    /// `size change within ...`: checked by `segql diff` (a size before and after a
    /// change), not by `segql test`.
    SizeChange(ChangeLimit, Span),
}

/// How far `size change within` lets a size move.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ChangeLimit {
    /// At most this many members more or fewer.
    Members(i64),
    /// At most this percentage of the size before.
    Percent(f64),
}

impl ChangeLimit {
    /// Whether a size going from `before` to `after` stays within the limit. From an
    /// empty segment, any member is beyond every percentage.
    pub fn holds(self, before: u64, after: u64) -> bool {
        let moved = before.abs_diff(after);
        match self {
            ChangeLimit::Members(n) => moved <= n.max(0) as u64,
            ChangeLimit::Percent(p) => moved == 0 || (moved as f64) * 100.0 <= p * before as f64,
        }
    }
}

impl std::fmt::Display for ChangeLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChangeLimit::Members(n) => write!(f, "size change within {n}"),
            ChangeLimit::Percent(p) => write!(f, "size change within {p}%"),
        }
    }
}

/// `trait NAME = VALUE`: a named value per entity.
#[derive(Debug, Clone)]
pub struct TraitDef {
    pub name: String,
    pub entity: EntityId,
    pub value: Scalar,
    pub ty: Type,
    pub span: Span,
}

/// `action NAME = STEP or STEP ...`: a named event definition over one events relation.
/// Its uses (`EventFilter::action`, `SeqStep::action`) carry the same `names` and `pred`.
#[derive(Debug, Clone)]
pub struct ActionDef {
    pub name: String,
    pub entity: EntityId,
    pub events: EventsId,
    /// `None`: any event (an alternative is `any event`, or the relation holds one).
    pub names: Option<Vec<String>>,
    /// The alternatives' conditions, each with its event names: `(name in [...] and
    /// COND) or ...`; `None` when every event of `names` matches.
    pub pred: Option<Cond>,
    /// The actions its alternatives name.
    pub actions: Vec<ActionId>,
    pub span: Span,
}

/// Everything a project declares, checked.
#[derive(Debug, Clone, Default)]
pub struct Program {
    pub catalog: Catalog,
    /// Segments in dependency order: a segment comes after those it refers to.
    pub segments: Vec<SegmentDef>,
    pub traits: Vec<TraitDef>,
    /// Actions in dependency order (an action after those it names).
    pub actions: Vec<ActionDef>,
    pub reports: Vec<ReportDef>,
    pub splits: Vec<SplitDef>,
    pub priorities: Vec<PriorityDef>,
    pub tests: Vec<TestDef>,
    pub asserts: Vec<AssertDef>,
    /// What the data holds, sampled (`segql stats`); empty when the project has none.
    /// The planner reads it for choices between statements of the same meaning.
    pub stats: crate::stats::Statistics,
}

impl Program {
    pub fn segment_by_name(&self, name: &str) -> Option<SegmentId> {
        self.segments.iter().position(|s| s.name == name)
    }
}
