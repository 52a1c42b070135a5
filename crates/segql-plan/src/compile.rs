//! From checked IR to SQL: the one entry point, [`compile`], runs the two stages —
//! planning ([`crate::plan`]: what the statement computes, as data) and emission
//! ([`crate::emit`]: that plan written as a sqlparser query for one dialect).

use crate::dialect::Dialect;
use crate::emit::{self, EmitError};
use crate::ir::{Program, Rows, SegmentId, Target};
pub use crate::plan::Request;
use crate::plan::{self, Plan};
use crate::sql::{derived, proj, proj_bare, From, Sql};
use segql_syntax::time::format_timestamp;
use sqlparser::ast::Expr;
pub use sqlparser::ast::Query;

pub use crate::as_of::RunAsOf;

/// What every statement is compiled against.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// The instant every relative time is measured from (microseconds since the epoch).
    /// With [`Options::at_run`] it is only the planning instant: what the plan chooses
    /// for speed (a column's window tier) and the header; the SQL does not contain it.
    pub as_of: i64,
    /// `None`: the instant above is written into the SQL as a literal at every use.
    /// `Some(r)`: the statement reads its as-of when it runs, from `r` (the engine's
    /// clock, a named parameter, a template), so one compiled statement can be
    /// scheduled; see [`RunAsOf`] and docs/architecture.md.
    pub at_run: Option<RunAsOf>,
}

impl Options {
    /// The as-of instant written into the SQL (`at_run: None`).
    pub fn literal(as_of: i64) -> Options {
        Options {
            as_of,
            at_run: None,
        }
    }

    /// How the header line names the as-of.
    fn header_as_of(&self) -> String {
        match self.at_run {
            None => format_timestamp(self.as_of),
            Some(r) => format!(
                "run time ({}; planned at {})",
                r.describe(),
                format_timestamp(self.as_of)
            ),
        }
    }
}

/// Something the chosen dialect cannot express (or, a bug, that the plan lacks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

/// How the message of an [`Unsupported`] that is a bug begins.
const INTERNAL: &str = "internal error";

impl Unsupported {
    /// A bug, said as one: `what` went wrong inside segql.
    fn internal(what: std::fmt::Arguments<'_>) -> Unsupported {
        Unsupported(format!("{INTERNAL}{what}"))
    }

    /// Whether this is a bug (the planner or emitter lacking what it needs), not
    /// something the dialect cannot express.
    pub fn is_internal(&self) -> bool {
        self.0.starts_with(INTERNAL)
    }
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The plan of a request for a dialect: what `compile` writes.
pub fn plan(p: &Program, r: &Request, d: &dyn Dialect, o: Options) -> Result<Plan, Unsupported> {
    let rewritten = rewritten(p, r, d, o);
    plan_of(rewritten.as_ref().unwrap_or(p), r, d, o)
}

/// Plans a request over the program as given.
fn plan_of(p: &Program, r: &Request, d: &dyn Dialect, o: Options) -> Result<Plan, Unsupported> {
    plan::plan(p, r, &d.capabilities(), o.as_of, o.at_run).map_err(|e| {
        if e.starts_with('`') || e.starts_with("no ") {
            Unsupported(e)
        } else {
            Unsupported::internal(format_args!(" while planning: {e}"))
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
    let rewritten = rewritten(p, r, d, o);
    let p = rewritten.as_ref().unwrap_or(p);
    let plan = plan_of(p, r, d, o)?;
    emit::emit(p, &plan, d).map_err(|e| match e {
        EmitError::Unsupported(why) => Unsupported(why),
        EmitError::Internal(what) => Unsupported::internal(format_args!(
            ": the plan lacks what the SQL needs ({what}); please report it"
        )),
    })
}

/// The program a request is planned and emitted from: a batch's conditions over the last
/// times it computes anyway rewritten (`plan::rewrite`), the same program otherwise.
fn rewritten(p: &Program, r: &Request, d: &dyn Dialect, o: Options) -> Option<Program> {
    match r {
        Request::Batch { segments, .. } => {
            plan::rewrite::batch(p, segments, &d.capabilities(), o.as_of, o.at_run.is_some())
        }
        _ => None,
    }
}

impl std::convert::From<Target> for Request {
    fn from(t: Target) -> Request {
        match t {
            Target::Segment(i) => Request::Segment(i),
            Target::Report(i) => Request::Report(i),
            Target::Split(i) => Request::Split(i),
            Target::Priority(i) => Request::Priority(i),
        }
    }
}

/// A compiled statement: the query and the comment that says what it is, for which
/// dialect and as of when. Callers that need fewer rows or a count ask for them as
/// queries ([`Statement::count`], [`Statement::no_rows`], [`members`]); none edits SQL
/// text.
#[derive(Debug, Clone)]
pub struct Statement {
    pub query: Query,
    /// `-- segment lapsed, duckdb, as of 2024-06-01T00:00:00Z`
    pub header: String,
}

impl Statement {
    /// The header line, then the pretty-printed SQL.
    pub fn text(&self) -> String {
        format!("{}\n{}", self.header, to_sql(&self.query))
    }

    /// `SELECT count(*) FROM (statement) AS r`
    pub fn count(&self, d: &dyn Dialect) -> Query {
        count(self.query.clone(), d)
    }

    /// `SELECT * FROM (statement) AS r LIMIT 0`: the statement's columns, no rows.
    pub fn no_rows(&self, d: &dyn Dialect) -> Query {
        no_rows(self.query.clone(), d)
    }
}

/// `SELECT count(*) FROM (q) AS r`
pub fn count(q: Query, d: &dyn Dialect) -> Query {
    let sql = Sql::new(d);
    sql.select(
        vec![proj_bare(Expr::Function(sql.count_star()))],
        Some(From::bare(derived(q, "r", &sql))),
        None,
        vec![],
    )
}

/// `SELECT * FROM (q) AS r LIMIT 0`
pub fn no_rows(q: Query, d: &dyn Dialect) -> Query {
    let sql = Sql::new(d);
    let mut q = sql.select(
        vec![proj_bare(crate::sql::raw("*".into()))],
        Some(From::bare(derived(q, "r", &sql))),
        None,
        vec![],
    );
    q.limit_clause = Some(sqlparser::ast::LimitClause::LimitOffset {
        limit: Some(crate::sql::number("0")),
        offset: None,
        limit_by: vec![],
    });
    q
}

/// Which keys of two member queries [`overlap`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// Keys in both (a `disjoint with` check wants none).
    Both,
    /// Keys of the first that the second lacks (a `subset of` check wants none).
    OnlyFirst,
}

/// The number of keys of `a` that are (or are not) in `b`, two queries with the
/// entity's `key` column: `SELECT count(*) FROM (a) AS a WHERE [NOT] EXISTS
/// (SELECT 1 FROM (b) AS b WHERE b.key = a.key)`, written the same on every dialect.
pub fn overlap(a: Query, b: Query, key: &str, which: Overlap, d: &dyn Dialect) -> Query {
    let sql = Sql::new(d);
    let inner = sql.select(
        vec![proj_bare(crate::sql::number("1"))],
        Some(From::bare(derived(b, "b", &sql))),
        Some(crate::sql::bin(
            sql.col("b", key),
            sqlparser::ast::BinaryOperator::Eq,
            sql.col("a", key),
        )),
        vec![],
    );
    sql.select(
        vec![proj_bare(Expr::Function(sql.count_star()))],
        Some(From::bare(derived(a, "a", &sql))),
        Some(sql.exists(inner, which == Overlap::OnlyFirst)),
        vec![],
    )
}

/// The statement of a target, with its header.
pub fn statement(
    p: &Program,
    t: Target,
    d: &dyn Dialect,
    o: Options,
) -> Result<Statement, Unsupported> {
    let query = compile(p, &Request::from(t), d, o)?;
    Ok(Statement {
        query,
        header: format!(
            "-- {} {}, {}, as of {}{}",
            t.kind(),
            t.name(p),
            d.name(),
            o.header_as_of(),
            with_statistics(p, d, false)
        ),
    })
}

/// What a header adds when the project has statistics (`segql stats`) and the dialect
/// makes choices by them for a batch (`batch`) or another statement.
fn with_statistics(p: &Program, d: &dyn Dialect, batch: bool) -> &'static str {
    if p.stats.is_empty() || !d.capabilities().reads_statistics(batch) {
        ""
    } else {
        ", planned with the data's statistics"
    }
}

/// The batch statement of some segments of one entity, with its header.
pub fn batch_statement(
    p: &Program,
    ids: &[SegmentId],
    long: bool,
    d: &dyn Dialect,
    o: Options,
) -> Result<Statement, Unsupported> {
    let r = Request::Batch {
        segments: ids.to_vec(),
        traits: vec![],
        long,
    };
    let query = compile(p, &r, d, o)?;
    let names: Vec<&str> = ids.iter().map(|&i| p.segments[i].name.as_str()).collect();
    Ok(Statement {
        query,
        header: format!(
            "-- segments {}, {}, as of {}{}",
            names.join(", "),
            d.name(),
            o.header_as_of(),
            with_statistics(p, d, true)
        ),
    })
}

/// The keys of some rows of a target: a segment's members, a split's group
/// (`... WHERE split_group = 'g'`) or a priority list's stage (`... WHERE segment = 's'`).
/// One column, the entity's key.
pub fn members(
    p: &Program,
    t: Target,
    rows: &Rows,
    d: &dyn Dialect,
    o: Options,
) -> Result<Query, Unsupported> {
    let q = compile(p, &Request::from(t), d, o)?;
    let sql = Sql::new(d);
    let (column, value) = match (t, rows) {
        (Target::Segment(_), Rows::All) => return Ok(q),
        (Target::Split(_), Rows::Group(g)) => ("split_group", g.clone()),
        (Target::Priority(_), Rows::Stage(seg)) => ("segment", p.segments[*seg].name.clone()),
        (t, rows) => {
            return Err(Unsupported(format!(
                "internal error: {rows:?} of the {} {}",
                t.kind(),
                t.name(p)
            )))
        }
    };
    if let Some(why) = d.unrepresentable(&value) {
        return Err(Unsupported(format!("{why}: {value:?}")));
    }
    let entity = match t {
        Target::Split(si) => p.segments[p.splits[si].segment].entity,
        Target::Priority(pi) => p.priorities[pi].entity,
        _ => unreachable!("matched above"),
    };
    let key = &p.catalog.entities[entity].key;
    Ok(sql.select(
        vec![proj(sql.col("s", key), key)],
        Some(From::bare(derived(q, "s", &sql))),
        Some(crate::sql::bin(
            sql.col("s", column),
            sqlparser::ast::BinaryOperator::Eq,
            sql.string(&value),
        )),
        vec![],
    ))
}

/// Pretty-printed SQL text of a query.
pub fn to_sql(q: &Query) -> String {
    format!("{q:#}")
}

#[cfg(test)]
mod tests {
    use super::Unsupported;

    #[test]
    fn a_bug_is_told_from_what_a_dialect_cannot_express() {
        let bug = Unsupported::internal(format_args!(" while planning: no column x"));
        assert_eq!(bug.0, "internal error while planning: no column x");
        assert!(bug.is_internal());
        assert!(!Unsupported("`ntile` is not supported by this dialect".into()).is_internal());
    }
}
