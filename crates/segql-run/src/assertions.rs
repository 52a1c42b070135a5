//! `assert` blocks: checks on the members of segments over the bound (real) data.

use crate::backend::Backend;
use crate::engine::Error;
use segql_plan::compile::Request;
use segql_plan::compile::{self, Options, Overlap, Query};
use segql_plan::dialect::Dialect;
use segql_plan::ir::{AssertCheck, AssertDef, Program, SegmentId};
use segql_syntax::ast::CmpOp;

/// What one check of an `assert` block found.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    /// The check as written: `size between 10 and 500`, `disjoint with paying`.
    pub check: String,
    pub passed: bool,
    /// What was measured: `412 members`, `3 members in both`.
    pub detail: String,
}

#[derive(Debug, Clone)]
pub struct AssertOutcome {
    pub segment: String,
    pub checks: Vec<CheckOutcome>,
    pub error: Option<String>,
}

impl AssertOutcome {
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.checks.iter().all(|c| c.passed)
    }
}

fn members(p: &Program, id: SegmentId, d: &dyn Dialect, o: Options) -> Result<Query, Error> {
    compile::compile(p, &Request::Segment(id), d, o).map_err(|u| Error {
        context: format!("compiling `{}`", p.segments[id].name),
        message: u.to_string(),
    })
}

fn count(engine: &dyn Backend, q: &Query) -> Result<i64, Error> {
    Ok(engine.count(&compile::to_sql(q))? as i64)
}

/// Runs every check of one `assert` block against the engine's bound data (or a
/// target's tables), compiled for the backend's dialect.
pub fn run_assert(engine: &dyn Backend, p: &Program, a: &AssertDef, o: Options) -> AssertOutcome {
    let seg = &p.segments[a.segment];
    let mut outcome = AssertOutcome {
        segment: seg.name.clone(),
        checks: Vec::new(),
        error: None,
    };
    let key = &p.catalog.entities[seg.entity].key;
    let d = engine.dialect();
    let run = |outcome: &mut AssertOutcome| -> Result<(), Error> {
        let mine = members(p, a.segment, d, o)?;
        for c in &a.checks {
            let result = match c {
                AssertCheck::Size(parts, _) => {
                    let n = count(engine, &compile::count(mine.clone(), d))?;
                    let passed = parts.iter().all(|(op, v)| match op {
                        CmpOp::Eq => n == *v,
                        CmpOp::Ne => n != *v,
                        CmpOp::Lt => n < *v,
                        CmpOp::Le => n <= *v,
                        CmpOp::Gt => n > *v,
                        CmpOp::Ge => n >= *v,
                    });
                    let text = match parts.as_slice() {
                        [(CmpOp::Ge, lo), (CmpOp::Le, hi)] => format!("size between {lo} and {hi}"),
                        _ => parts
                            .iter()
                            .map(|(op, v)| format!("size {} {v}", op.symbol()))
                            .collect::<Vec<_>>()
                            .join(" and "),
                    };
                    CheckOutcome {
                        check: text,
                        passed,
                        detail: format!("{n} member{}", if n == 1 { "" } else { "s" }),
                    }
                }
                AssertCheck::DisjointWith(other, _) => {
                    let theirs = members(p, *other, d, o)?;
                    let q = compile::overlap(mine.clone(), theirs, key, Overlap::Both, d);
                    let n = count(engine, &q)?;
                    CheckOutcome {
                        check: format!("disjoint with {}", p.segments[*other].name),
                        passed: n == 0,
                        detail: format!("{n} member{} in both", if n == 1 { "" } else { "s" }),
                    }
                }
                // A change needs a before: `segql diff` checks it (see `size_change`).
                AssertCheck::SizeChange(..) => continue,
                AssertCheck::SubsetOf(other, _) => {
                    let theirs = members(p, *other, d, o)?;
                    let q = compile::overlap(mine.clone(), theirs, key, Overlap::OnlyFirst, d);
                    let n = count(engine, &q)?;
                    CheckOutcome {
                        check: format!("subset of {}", p.segments[*other].name),
                        passed: n == 0,
                        detail: format!(
                            "{n} member{} not in {}",
                            if n == 1 { "" } else { "s" },
                            p.segments[*other].name
                        ),
                    }
                }
            };
            outcome.checks.push(result);
        }
        Ok(())
    };
    if let Err(e) = run(&mut outcome) {
        outcome.error = Some(e.to_string());
    }
    outcome
}
