//! From checked IR to SQL: the one entry point, [`compile`], runs the two stages —
//! planning ([`crate::plan`]: what the statement computes, as data) and emission
//! ([`crate::emit`]: that plan written as a sqlparser query for one dialect).

use crate::dialect::Dialect;
use crate::emit::{self, EmitError};
use crate::ir::{Program, SegmentId};
pub use crate::plan::Request;
use crate::plan::{self, Capabilities, Plan};
pub use sqlparser::ast::Query;

/// What every statement is compiled against.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The instant every relative time is measured from (microseconds since the epoch).
    pub as_of: i64,
}

/// Something the chosen dialect cannot express (or, a bug, that the plan lacks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The plan of a request for a dialect: what `compile` writes.
pub fn plan(p: &Program, r: &Request, d: &dyn Dialect, o: Options) -> Result<Plan, Unsupported> {
    plan::plan(p, r, &Capabilities::of(d), o.as_of).map_err(|e| {
        if e.starts_with('`') || e.starts_with("no ") {
            Unsupported(e)
        } else {
            Unsupported(format!("internal error while planning: {e}"))
        }
    })
}

/// One SQL statement for a request.
pub fn compile(
    p: &Program,
    r: &Request,
    d: &dyn Dialect,
    o: Options,
) -> Result<Query, Unsupported> {
    let plan = plan(p, r, d, o)?;
    emit::emit(p, &plan, d).map_err(|e| match e {
        EmitError::Unsupported(why) => Unsupported(why),
        EmitError::Internal(what) => Unsupported(format!(
            "internal error: the plan lacks what the SQL needs ({what}); please report it"
        )),
    })
}

/// `SELECT key` of the members of one segment.
pub fn segment(
    p: &Program,
    id: SegmentId,
    d: &dyn Dialect,
    o: Options,
) -> Result<Query, Unsupported> {
    compile(p, &Request::Segment(id), d, o)
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
    let r = Request::Batch {
        segments: ids.to_vec(),
        traits: traits.to_vec(),
        long: false,
    };
    compile(p, &r, d, o)
}

/// The long form of [`batch`]: one row per (segment, member), the segment by name.
pub fn batch_long(
    p: &Program,
    ids: &[SegmentId],
    d: &dyn Dialect,
    o: Options,
) -> Result<Query, Unsupported> {
    let r = Request::Batch {
        segments: ids.to_vec(),
        traits: vec![],
        long: true,
    };
    compile(p, &r, d, o)
}

/// A report: one row per segment (in the listed order) and a column per metric.
pub fn report(p: &Program, ri: usize, d: &dyn Dialect, o: Options) -> Result<Query, Unsupported> {
    compile(p, &Request::Report(ri), d, o)
}

/// A split: each member of the segment with its group.
pub fn split(p: &Program, si: usize, d: &dyn Dialect, o: Options) -> Result<Query, Unsupported> {
    compile(p, &Request::Split(si), d, o)
}

/// A priority list: each entity in the first listed segment it belongs to.
pub fn priority(p: &Program, pi: usize, d: &dyn Dialect, o: Options) -> Result<Query, Unsupported> {
    compile(p, &Request::Priority(pi), d, o)
}

/// Pretty-printed SQL text of a query.
pub fn to_sql(q: &Query) -> String {
    format!("{q:#}")
}
