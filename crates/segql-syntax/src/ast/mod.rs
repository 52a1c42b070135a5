//! The abstract syntax tree of a `.seg` file.
//!
//! Every node carries a [`Span`]. Spans never take part in equality (see [`Span`]), so two
//! trees parsed from differently laid-out sources compare equal when they mean the same
//! thing; that is what the formatter's round-trip guarantee is stated in.

use crate::span::Span;

/// A name as written, without backticks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A dotted name: `analytics.users`, `account.industry`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    pub parts: Vec<Ident>,
    pub span: Span,
}

impl Path {
    /// The parts joined with `.` (unquoted; for messages and lookups).
    pub fn dotted(&self) -> String {
        let mut out = String::new();
        for (i, p) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            out.push_str(&p.name);
        }
        out
    }
}

/// A string literal, unescaped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StrLit {
    pub value: String,
    pub span: Span,
}

/// One parsed file: its items in source order and its comments.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct File {
    pub items: Vec<Item>,
    /// Comments in source order; the formatter puts them back, the checker ignores them.
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    /// The text after `#`, without the line break.
    pub text: String,
    pub span: Span,
    /// True when code precedes the comment on its line (`where x = 1  # why`).
    pub trailing: bool,
    /// True when an empty line separates this comment from what came before it.
    pub blank_before: bool,
    /// True when an empty line separates this comment from what comes after it.
    pub blank_after: bool,
}

impl PartialEq for Comment {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind {
    Entity(Entity),
    Events(Events),
    Segment(Segment),
    Trait(Trait),
    Action(Action),
    Report(Report),
    Split(Split),
    Priority(Priority),
    Test(Test),
    Assert(Assert),
}

impl ItemKind {
    /// The keyword that starts the item.
    pub fn keyword(&self) -> &'static str {
        match self {
            ItemKind::Entity(_) => "entity",
            ItemKind::Events(_) => "events",
            ItemKind::Segment(_) => "segment",
            ItemKind::Trait(_) => "trait",
            ItemKind::Action(_) => "action",
            ItemKind::Report(_) => "report",
            ItemKind::Split(_) => "split",
            ItemKind::Priority(_) => "priority",
            ItemKind::Test(_) => "test",
            ItemKind::Assert(_) => "assert",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Catalog declarations
// ---------------------------------------------------------------------------------------

/// `entity user { table analytics.users  key user_id  columns { ... } }`
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub name: Ident,
    pub description: Option<StrLit>,
    pub table: Path,
    pub key: Ident,
    pub columns: Vec<Column>,
    /// From `{` to `}` of the `columns` block (empty when there is none).
    pub columns_span: Span,
    /// `extra NAME { table .. key .. columns {..} }`: more of the entity's columns, in
    /// another table keyed by the entity's key (one row per entity, or none).
    pub extras: Vec<Extra>,
}

/// `extra crm { table crm.contacts  key user_id  columns { owner string } }`
#[derive(Debug, Clone, PartialEq)]
pub struct Extra {
    pub name: Ident,
    pub table: Path,
    /// The column of `table` holding the entity's key; the entity's key column's name
    /// when unsaid.
    pub key: Option<Ident>,
    pub columns: Vec<Column>,
    pub columns_span: Span,
    /// From `extra` to its `}`.
    pub span: Span,
}

/// `country string`, `account_id string references account [as owner]`
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: Ident,
    pub ty: TypeRef,
    pub references: Option<Reference>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The referenced entity.
    pub entity: Ident,
    /// The name this reference is navigated by (`account.industry`); the entity's name
    /// when not given.
    pub alias: Option<Ident>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    String,
    Int,
    Decimal,
    Float,
    Bool,
    Date,
    Timestamp,
}

impl Type {
    pub const ALL: [Type; 7] = [
        Type::String,
        Type::Int,
        Type::Decimal,
        Type::Float,
        Type::Bool,
        Type::Date,
        Type::Timestamp,
    ];

    pub fn keyword(self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Int => "int",
            Type::Decimal => "decimal",
            Type::Float => "float",
            Type::Bool => "bool",
            Type::Date => "date",
            Type::Timestamp => "timestamp",
        }
    }

    pub fn from_keyword(s: &str) -> Option<Type> {
        Type::ALL.into_iter().find(|t| t.keyword() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeRef {
    pub ty: Type,
    pub span: Span,
}

/// `events [NAME] of ENTITY { table T  key K  name N | event "E"  time T  properties {..} }`
#[derive(Debug, Clone, PartialEq)]
pub struct Events {
    /// Defaults to `events` when not written.
    pub name: Option<Ident>,
    pub entity: Ident,
    pub description: Option<StrLit>,
    pub table: Path,
    pub key: Ident,
    pub event: EventSource,
    pub time: Ident,
    /// `names ["signup", "login"]`: the event names the name column holds, when declared.
    pub names: Option<NameList>,
    pub properties: Vec<Column>,
    /// From `{` to `}` of the `properties` block (empty when there is none).
    pub properties_span: Span,
}

/// A list of event names, `[` to `]`.
#[derive(Debug, Clone, PartialEq)]
pub struct NameList {
    pub names: Vec<StrLit>,
    pub span: Span,
}

/// Where an event's name comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum EventSource {
    /// `name event_name`: a column holds the event name (one table, many events).
    Column(Ident),
    /// `event "purchase"`: every row is this one event (an orders table, say).
    Fixed(StrLit),
}

// ---------------------------------------------------------------------------------------
// Segments and traits
// ---------------------------------------------------------------------------------------

/// `segment NAME [of ENTITY] { description .. owner .. tags [..] score {..} where COND }`
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub name: Ident,
    pub entity: Option<Ident>,
    pub meta: Meta,
    pub score: Option<ScoreBlock>,
    pub condition: Option<Cond>,
    /// The `score` and `where` keywords (empty when absent): a comment written after a
    /// keyword, before what follows it, is put back after the keyword by the formatter.
    pub score_span: Span,
    pub where_span: Span,
}

/// Descriptive fields shared by segments, reports, splits and priority lists.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Meta {
    pub description: Option<StrLit>,
    pub owner: Option<StrLit>,
    pub tags: Vec<StrLit>,
}

/// `trait NAME [of ENTITY] = VALUE`
#[derive(Debug, Clone, PartialEq)]
pub struct Trait {
    pub name: Ident,
    pub entity: Option<Ident>,
    pub value: Value,
}

/// `action NAME [of ENTITY] = STEP or STEP ...`: a named event definition, usable
/// wherever an event is (`did checkout`, `sum(amount) of checkout`).
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub name: Ident,
    pub entity: Option<Ident>,
    /// One or more alternatives, each an event (or events, or another action) with its
    /// own `with` filter.
    pub alternatives: Vec<EventStep>,
}

/// `score { WEIGHT if COND ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreBlock {
    pub rules: Vec<ScoreRule>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRule {
    pub weight: Number,
    pub cond: Cond,
    pub span: Span,
}

// ---------------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    pub kind: CondKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CondKind {
    /// `a and b and c` (two or more operands).
    And(Vec<Cond>),
    /// `a or b or c` (two or more operands).
    Or(Vec<Cond>),
    /// `not c`
    Not(Box<Cond>),
    /// `true` / `false`
    Const(bool),
    /// A value tested by a predicate: `plan = "trial"`, `last_seen_at < 30 days ago`.
    Test(Box<Value>, Pred),
    /// `did ...`
    Did(Box<Did>),
    /// `stopped "login" [with ..] for 30 days [in last 90 days]`
    Stopped(Box<Stopped>),
    /// `restarted "login" [with ..] after 30 days in last 7 days`
    Restarted(Box<Restarted>),
    /// `in SEGMENT`
    InSegment(Ident),
    /// `any user where COND`, `at least 3 user did ...`
    Quantified(Box<Quantified>),
    /// `sql "..."`: a raw predicate, checked and re-emitted by segql-plan.
    Sql(StrLit),
}

/// A predicate on a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Pred {
    Cmp(CmpOp, Operand),
    In(Vec<Literal>),
    NotIn(Vec<Literal>),
    Between(Operand, Operand),
    Contains(StrLit),
    StartsWith(StrLit),
    EndsWith(StrLit),
    Matches(StrLit),
    IsSet,
    IsNotSet,
    /// `in last 7 days` on a time value: [as_of - 7 days, as_of).
    InLast(Duration),
    /// `PRED ignoring case`: the value and the predicate's strings lowercased
    /// (`email contains "acme" ignoring case`). The parser never nests it; the checker
    /// accepts it on `=`, `!=`, `in`, `not in`, `contains`, `starts with`, `ends with`
    /// and `matches` of a string.
    IgnoringCase(Box<Pred>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Lit(Literal),
    /// `30 days ago`
    Ago(Duration),
}

/// `did STEP [then STEP [within D]]... [at least N times] [WINDOW]`
#[derive(Debug, Clone, PartialEq)]
pub struct Did {
    pub first: EventStep,
    pub then: Vec<ThenStep>,
    pub freq: Option<Freq>,
    pub window: Option<Window>,
}

/// An event (or set of events) with an optional property filter.
#[derive(Debug, Clone, PartialEq)]
pub struct EventStep {
    pub event: EventSel,
    /// `with COND` over the event's properties.
    pub filter: Option<Cond>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventSel {
    pub names: EventNames,
    /// `from NAME`: which events relation, when more than one could hold the event.
    pub from: Option<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EventNames {
    /// `"purchase"`
    One(StrLit),
    /// `["purchase", "refund"]`
    Many(Vec<StrLit>),
    /// `any event`
    Any,
    /// `checkout`: a declared action.
    Action(Ident),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThenStep {
    pub step: EventStep,
    /// `within 7 days` of the previous step.
    pub within: Option<Duration>,
}

/// `at least 3 times`
#[derive(Debug, Clone, PartialEq)]
pub struct Freq {
    pub quant: CountQuant,
    pub n: IntLit,
    /// `between N and MAX times` (then `quant` is `AtLeast`): both bounds included.
    pub max: Option<IntLit>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountQuant {
    AtLeast,
    AtMost,
    Exactly,
}

impl CountQuant {
    pub fn words(self) -> &'static str {
        match self {
            CountQuant::AtLeast => "at least",
            CountQuant::AtMost => "at most",
            CountQuant::Exactly => "exactly",
        }
    }
}

/// Which events count, by time.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub kind: WindowKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WindowKind {
    /// `in last 30 days`
    Last(Duration),
    /// `between 2024-01-01 and 2024-02-01`, `between 60 days ago and 30 days ago`
    Between(TimePoint, TimePoint),
    /// `ever`
    Ever,
    /// `since 2024-01-01`: from the point to `as_of`.
    Since(TimePoint),
    /// `in at least 3 of last 4 weeks`, `in at least 3 of last 4 periods of 3 days`
    Periods {
        quant: CountQuant,
        k: IntLit,
        n: IntLit,
        unit: Unit,
        /// `periods of LENGTH UNIT`: each period is LENGTH units long (else one).
        length: Option<IntLit>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum TimePoint {
    Lit(Literal),
    Ago(Duration),
    /// `now`: the run's `as_of`.
    Now,
}

/// `stopped STEP for DURATION [WINDOW]`: with a window, the earlier activity must be
/// inside it (`stopped "login" for 14 days in last 60 days`).
#[derive(Debug, Clone, PartialEq)]
pub struct Stopped {
    pub step: EventStep,
    pub for_: Duration,
    pub window: Option<Window>,
}

/// `restarted STEP after DURATION WINDOW`: done before the lapse, not during it, and
/// again in the window (`restarted "login" after 30 days in last 7 days`).
#[derive(Debug, Clone, PartialEq)]
pub struct Restarted {
    pub step: EventStep,
    pub after: Duration,
    pub window: Window,
}

/// `QUANT NAME where COND` over the entities that reference this one.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantified {
    pub quant: Quant,
    /// The related entity, as the reference is navigated from this side.
    pub relation: Ident,
    pub cond: Cond,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Quant {
    Any,
    All,
    No,
    Count(CountQuant, IntLit),
}

// ---------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// A column, a column of a referenced entity, an event property, a trait, or the
    /// segment's `score`: resolved by the checker.
    Path(Path),
    /// `sum(amount) of "purchase" in last 365 days`
    Agg(Box<Aggregate>),
    /// `first time of "signup"`, `last time of "login" with ..`
    TimeOf(Box<TimeOf>),
    /// `ntile(5) of lifetime_value [descending] [ties together] [among COND]`
    Ntile(Box<Ntile>),
    /// `score { .. }` (in a trait)
    Score(Box<ScoreBlock>),
}

/// `ntile(K) of VALUE [descending] [ties together] [among COND]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ntile {
    pub k: IntLit,
    pub value: Value,
    /// Bucket 1 holds the highest values (and unset ones go last).
    pub descending: bool,
    /// Equal values share a bucket (the one where the first of them falls).
    pub ties_together: bool,
    /// The population ranked: `among buyers` (a segment, kept as `in buyers`) or
    /// `among did "purchase" in last 365 days`; others have no bucket.
    pub among: Option<Cond>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggFunc {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
    /// `first(prop)`: the value in the earliest matching event where it is set.
    First,
    /// `last(prop)`: the value in the latest matching event where it is set.
    Last,
}

impl AggFunc {
    pub fn keyword(self) -> &'static str {
        match self {
            AggFunc::Count => "count",
            AggFunc::CountDistinct => "count distinct",
            AggFunc::Sum => "sum",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::First => "first",
            AggFunc::Last => "last",
        }
    }
}

/// `FUNC(prop) of STEP [WINDOW]`, or `count of STEP [WINDOW]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub func: AggFunc,
    /// The property aggregated; `None` only for `count`.
    pub prop: Option<Ident>,
    pub step: EventStep,
    pub window: Option<Window>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FirstLast {
    First,
    Last,
}

/// `first time of STEP` / `last time of STEP`: a timestamp over all history up to as_of.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeOf {
    pub which: FirstLast,
    pub step: EventStep,
}

// ---------------------------------------------------------------------------------------
// Literals and time
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub kind: LitKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LitKind {
    Str(String),
    Int(i64),
    /// Exact decimal text: an optional `-`, digits, `.`, digits; no exponent.
    Decimal(String),
    Bool(bool),
    /// Days since 1970-01-01.
    Date(i32),
    /// Microseconds since 1970-01-01T00:00:00Z.
    Timestamp(i64),
    /// Only in test tables.
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IntLit {
    pub value: i64,
    pub span: Span,
}

/// A signed integer or decimal (score weights, percentages).
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub kind: LitKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    Hour,
    Day,
    Week,
    Month,
    Year,
}

impl Unit {
    pub const ALL: [Unit; 5] = [Unit::Hour, Unit::Day, Unit::Week, Unit::Month, Unit::Year];

    pub fn singular(self) -> &'static str {
        match self {
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Week => "week",
            Unit::Month => "month",
            Unit::Year => "year",
        }
    }

    pub fn plural(self) -> &'static str {
        match self {
            Unit::Hour => "hours",
            Unit::Day => "days",
            Unit::Week => "weeks",
            Unit::Month => "months",
            Unit::Year => "years",
        }
    }

    pub fn from_word(s: &str) -> Option<Unit> {
        Unit::ALL
            .into_iter()
            .find(|u| u.singular() == s || u.plural() == s)
    }

    /// The word for a count of `n`.
    pub fn word_for(self, n: i64) -> &'static str {
        if n == 1 {
            self.singular()
        } else {
            self.plural()
        }
    }
}

/// `30 days`
#[derive(Debug, Clone, PartialEq)]
pub struct Duration {
    pub n: i64,
    pub unit: Unit,
    pub span: Span,
}

mod blocks;
pub use blocks::*;
