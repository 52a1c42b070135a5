//! The syntax tree of the items that use segments: reports, splits, priority lists,
//! test blocks and assert blocks (re-exported by `ast`).

use super::*;

// ---------------------------------------------------------------------------------------
// Reports, splits, priority lists
// ---------------------------------------------------------------------------------------

/// `report NAME { segments [..]  metric NAME = EXPR ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub name: Ident,
    pub meta: Meta,
    pub segments: Vec<Ident>,
    /// The `segments [..]` field, from its keyword to `]`: where the formatter puts the
    /// comments around an empty list back.
    pub segments_span: Span,
    pub metrics: Vec<Metric>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: Ident,
    pub expr: MetricExpr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MetricExpr {
    /// `count` or `count where COND`: members (that satisfy COND).
    Count(Option<Cond>),
    /// `share where COND`: the fraction of members that satisfy COND.
    Share(Cond),
    /// `avg(VALUE)`, `sum(..)`, `min(..)`, `max(..)` of a per-member value.
    Agg(AggFunc, Value),
}

/// `split NAME of SEGMENT { salt "s"  group NAME 50% ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub name: Ident,
    pub segment: Ident,
    pub meta: Meta,
    pub salt: StrLit,
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: Ident,
    /// The percentage, as an integer or decimal literal.
    pub percent: Number,
    pub span: Span,
}

/// `priority NAME { segments [a, b, c] }`: each entity lands in the first listed segment
/// it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct Priority {
    pub name: Ident,
    pub meta: Meta,
    pub segments: Vec<Ident>,
    /// The `segments [..]` field, as in [`Report`].
    pub segments_span: Span,
}

// ---------------------------------------------------------------------------------------
// Tests and assertions
// ---------------------------------------------------------------------------------------

/// `test NAME { as_of TS  since TS  given REL {table}|from "path"
/// expect TARGET [entered|left] = [keys] }`
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub name: Ident,
    pub description: Option<StrLit>,
    pub as_of: Literal,
    /// The earlier instant that `expect X entered|left` compare `as_of` with.
    pub since: Option<Literal>,
    pub givens: Vec<Given>,
    pub expects: Vec<Expect>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Given {
    /// The entity or events relation the rows stand for.
    pub relation: Ident,
    pub source: GivenSource,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GivenSource {
    Rows(Table),
    File(StrLit),
}

/// `| a | b |` header, then rows of literals.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: Vec<Ident>,
    pub rows: Vec<Vec<Literal>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    /// A segment, or `split.group`, or `priority.segment`.
    pub target: Path,
    /// `entered` or `left` between the test's `since` and `as_of`; none: the members
    /// at `as_of`.
    pub change: Option<Change>,
    pub members: Vec<Literal>,
    pub span: Span,
}

/// Which keys an `expect` lists: those that entered or left between `since` and `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Entered,
    Left,
}

impl Change {
    pub fn keyword(self) -> &'static str {
        match self {
            Change::Entered => "entered",
            Change::Left => "left",
        }
    }
}

/// `assert SEGMENT { size between 10 and 500  disjoint with X  subset of Y }`
#[derive(Debug, Clone, PartialEq)]
pub struct Assert {
    pub target: Ident,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub kind: CheckKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CheckKind {
    /// `size >= 10`, `size between 10 and 1000`
    Size(Pred),
    /// `size change within 10%` (of the size before) or `size change within 500`
    /// (members): how far a change may move the size, checked by `segql diff` against
    /// the base revision.
    SizeChange { limit: Number, percent: bool },
    /// `disjoint with OTHER`
    DisjointWith(Ident),
    /// `subset of OTHER`
    SubsetOf(Ident),
}
