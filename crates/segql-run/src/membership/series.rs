//! Backtests: the selected segments' size, entered and left at each instant of a
//! series, computed and forgotten (nothing is recorded).
//!
//! The members of each instant go into the temporary table `segql_series(step,
//! segment, key)`, and [`FIGURES`] turns it into one row per (step, segment).
//!
//! On DuckDB the instants are data: [`fill_steps`] puts them in `segql_instants(step,
//! as_of)` and joins them LATERAL to the entity's batch statement, compiled to read its
//! as-of from that column ([`RunAsOf::Column`]), so that one statement computes the
//! members of many steps and DuckDB decorrelates it into joins on the instants. The
//! steps go [`STEPS_PER_STATEMENT`] at a time, which bounds the members held at once.
//! Elsewhere (PostgreSQL runs a LATERAL subquery once per outer row, no faster than a
//! statement per step) one batch statement per entity and step fills it
//! ([`fill_step`]). Either way a step's members are those of a run at its instant: the
//! tests compare the two ways, and both with single runs.

use super::store::Flavor;
use super::{members_into, Failed};
use crate::backend::Backend;
use crate::codes;
use segql_plan::as_of::RunAsOf;
use segql_plan::compile::{self, Options};
use segql_plan::ir::{Program, SegmentId};
use segql_syntax::time::{civil_from_days, days_from_civil, days_in_month};

use super::store::StateError;

/// The most instants a backtest evaluates.
pub const MAX_STEPS: usize = 1000;

/// The steps one statement evaluates on an engine that takes the instants as data: their
/// members are held together, so this bounds the memory a long series takes.
pub const STEPS_PER_STATEMENT: usize = 16;

/// How a backtest evaluates its steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// One batch statement per entity and step, the as-of a literal.
    PerStep,
    /// One statement per entity for up to [`STEPS_PER_STATEMENT`] steps: the instants
    /// joined LATERAL to the batch statement.
    Instants,
}

impl Strategy {
    /// The way for the engine: the instants as data where the engine decorrelates the
    /// LATERAL join (DuckDB), a statement per step elsewhere.
    pub fn for_engine(engine: &dyn Backend) -> Strategy {
        if engine.dialect().name() == "duckdb" {
            Strategy::Instants
        } else {
            Strategy::PerStep
        }
    }
}

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The distance between two instants of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// A fixed length (hours, days, weeks), in microseconds.
    Micros(i64),
    /// Calendar months (a month after Jan 31 is Feb 28 or 29).
    Months(i64),
}

/// `1 week`, `2 days`, `1month`, `week`, `12 hours`: a step, or why not.
pub fn parse_every(text: &str) -> Result<Every, StateError> {
    let t = text.trim().to_ascii_lowercase();
    let digits: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    let unit = t[digits.len()..].trim();
    let bad = |why: &str| {
        StateError::new(codes::BAD_SERIES, format!("--every `{text}`: {why}"))
            .hint("give a number and a unit: `1 week`, `2 days`, `12 hours`, `1 month`")
    };
    let n: i64 = if digits.is_empty() {
        1
    } else {
        digits.parse().map_err(|_| bad("not a number"))?
    };
    if n <= 0 {
        return Err(bad("a step must be at least 1"));
    }
    let unit = unit.trim_end_matches('s');
    let per = match unit {
        "hour" | "h" => 3_600_000_000,
        "day" | "d" => MICROS_PER_DAY,
        "week" | "w" => 7 * MICROS_PER_DAY,
        "month" | "mo" => return Ok(Every::Months(n)),
        "" => return Err(bad("no unit")),
        _ => return Err(bad(&format!("unknown unit `{unit}`"))),
    };
    n.checked_mul(per)
        .map(Every::Micros)
        .ok_or_else(|| bad("too long"))
}

/// `t` plus `n` calendar months, the day clamped to the month's last.
fn add_months(t: i64, n: i64) -> i64 {
    let days = t.div_euclid(MICROS_PER_DAY);
    let rem = t.rem_euclid(MICROS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let total = y * 12 + i64::from(m) - 1 + n;
    let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    let nd = d.min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd) * MICROS_PER_DAY + rem
}

/// The instants from `from` to `to` (both included when the steps land on it).
pub fn instants(from: i64, to: i64, every: Every) -> Result<Vec<i64>, StateError> {
    if from > to {
        return Err(StateError::new(
            codes::BAD_SERIES,
            format!(
                "--from ({}) is after --to ({})",
                segql_syntax::time::format_timestamp(from),
                segql_syntax::time::format_timestamp(to)
            ),
        )
        .hint("swap them: a series goes forward in time"));
    }
    let mut out = Vec::new();
    let mut k: i64 = 0;
    loop {
        let t = match every {
            Every::Micros(m) => k.checked_mul(m).and_then(|d| from.checked_add(d)),
            Every::Months(n) => k.checked_mul(n).map(|months| add_months(from, months)),
        };
        let Some(t) = t.filter(|&t| t <= to) else {
            break;
        };
        if out.len() == MAX_STEPS {
            return Err(StateError::new(
                codes::BAD_SERIES,
                format!("this series has more than {MAX_STEPS} instants"),
            )
            .hint("take a longer step (--every) or a shorter span (--from, --to)"));
        }
        out.push(t);
        k += 1;
    }
    Ok(out)
}

/// A segment's figures at one instant. `entered` and `left` compare with the instant
/// before (none at the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub instant: i64,
    pub segment: String,
    pub size: i64,
    pub entered: Option<i64>,
    pub left: Option<i64>,
}

/// The figures of every (step, segment) of `segql_series(step, segment, key)`, over the
/// grid `segql_grid(step, segment)`: size, and the keys entered and left since the step
/// before (NULL at step 0, the first).
pub const FIGURES: &str = "SELECT g.step, g.segment, \
 (SELECT count(*) FROM segql_series AS s WHERE s.step = g.step AND s.segment = g.segment) AS size, \
 CASE WHEN g.step > 0 THEN (SELECT count(*) FROM segql_series AS s WHERE s.step = g.step AND s.segment = g.segment AND NOT EXISTS (SELECT 1 FROM segql_series AS b WHERE b.step = g.step - 1 AND b.segment = s.segment AND b.\"key\" = s.\"key\")) END AS entered, \
 CASE WHEN g.step > 0 THEN (SELECT count(*) FROM segql_series AS b WHERE b.step = g.step - 1 AND b.segment = g.segment AND NOT EXISTS (SELECT 1 FROM segql_series AS s WHERE s.step = g.step AND s.segment = b.segment AND s.\"key\" = b.\"key\")) END AS left_count \
 FROM segql_grid AS g ORDER BY g.step, g.segment";

/// Adds step `k`'s members (at `instant`) to `segql_series`: one batch statement per
/// entity.
pub fn fill_step(
    engine: &dyn Backend,
    p: &Program,
    ids: &[SegmentId],
    k: usize,
    instant: i64,
) -> Result<(), Failed> {
    members_into(engine, p, ids, instant, "segql_step")?;
    engine
        .execute(&format!(
            "INSERT INTO segql_series SELECT {k}, segment, \"key\" FROM segql_step"
        ))
        .map_err(|e| Failed::Computing(Vec::new(), e))
}

/// Adds the members of `steps` (step number, instant) to `segql_series`: one statement
/// per entity, the entity's batch statement joined LATERAL to the instants in
/// `segql_instants` and reading its as-of from there.
pub fn fill_steps(
    engine: &dyn Backend,
    p: &Program,
    ids: &[SegmentId],
    steps: &[(usize, i64)],
) -> Result<(), Failed> {
    let Some(&(_, planning)) = steps.last() else {
        return Ok(());
    };
    let d = engine.dialect();
    let flavor = Flavor::of(d.name()).unwrap_or(Flavor::DuckDb);
    let run = |sql: &str, names: &[String]| {
        engine
            .execute(sql)
            .map_err(|e| Failed::Computing(names.to_vec(), e))
    };
    for s in flavor.temp_table("segql_instants", "(step INTEGER, as_of TIMESTAMP)") {
        run(&s, &[])?;
    }
    let values: Vec<String> = steps
        .iter()
        .map(|(k, t)| format!("({k}, {})", d.timestamp(*t)))
        .collect();
    run(
        &format!("INSERT INTO segql_instants VALUES {}", values.join(", ")),
        &[],
    )?;
    let at = RunAsOf::column("segql_instants", "as_of").map_err(Failed::Compiling)?;
    let mut entities: Vec<usize> = ids.iter().map(|&i| p.segments[i].entity).collect();
    entities.sort_unstable();
    entities.dedup();
    for entity in entities {
        let of: Vec<SegmentId> = ids
            .iter()
            .copied()
            .filter(|&i| p.segments[i].entity == entity)
            .collect();
        let names: Vec<String> = of.iter().map(|&i| p.segments[i].name.clone()).collect();
        let opts = Options {
            as_of: planning,
            at_run: Some(at),
        };
        let q = compile::batch_statement(p, &of, true, d, opts)
            .map_err(Failed::Compiling)?
            .query;
        // The long form's columns are the segment, then the entity's key.
        run(
            &format!(
                "INSERT INTO segql_series SELECT segql_instants.step,                  CAST(segql_batch.segment AS VARCHAR), CAST(segql_batch.\"key\" AS VARCHAR)                  FROM segql_instants, LATERAL (\n{}\n) AS segql_batch(segment, \"key\")",
                compile::to_sql(&q)
            ),
            &names,
        )?;
    }
    run("DROP TABLE segql_instants", &[])
}

/// The backtest of `ids` over `instants` (see the module's documentation), the steps
/// evaluated the engine's way ([`Strategy::for_engine`]).
pub fn backtest(
    engine: &dyn Backend,
    p: &Program,
    ids: &[SegmentId],
    instants: &[i64],
    progress: &dyn Fn(usize),
) -> Result<Vec<Step>, Failed> {
    backtest_with(
        engine,
        p,
        ids,
        instants,
        Strategy::for_engine(engine),
        progress,
    )
}

/// The backtest of `ids` over `instants`, the steps evaluated by `strategy`. At most
/// one statement's steps and the step before them are held at a time. `progress` is
/// told each step done.
pub fn backtest_with(
    engine: &dyn Backend,
    p: &Program,
    ids: &[SegmentId],
    instants: &[i64],
    strategy: Strategy,
    progress: &dyn Fn(usize),
) -> Result<Vec<Step>, Failed> {
    let run = |sql: &str| {
        engine
            .execute(sql)
            .map_err(|e| Failed::Computing(Vec::new(), e))
    };
    let flavor = Flavor::of(engine.dialect().name()).unwrap_or(Flavor::DuckDb);
    for s in flavor
        .temp_table(
            "segql_series",
            "(step INTEGER, segment VARCHAR, \"key\" VARCHAR)",
        )
        .into_iter()
        .chain(flavor.temp_table("segql_grid", "(step INTEGER, segment VARCHAR)"))
    {
        run(&s)?;
    }
    let steps: Vec<(usize, i64)> = instants.iter().copied().enumerate().collect();
    let per_statement = match strategy {
        Strategy::PerStep => 1,
        Strategy::Instants => STEPS_PER_STATEMENT,
    };
    let mut out = Vec::new();
    for chunk in steps.chunks(per_statement) {
        match strategy {
            Strategy::PerStep => {
                for &(k, instant) in chunk {
                    fill_step(engine, p, ids, k, instant)?;
                }
            }
            Strategy::Instants => fill_steps(engine, p, ids, chunk)?,
        }
        run("DELETE FROM segql_grid")?;
        let grid: Vec<String> = chunk
            .iter()
            .flat_map(|&(k, _)| {
                ids.iter().map(move |&id| {
                    format!("({k}, {})", crate::sqltext::literal(&p.segments[id].name))
                })
            })
            .collect();
        if !grid.is_empty() {
            run(&format!(
                "INSERT INTO segql_grid VALUES {}",
                grid.join(", ")
            ))?;
        }
        let (_, rows) = engine
            .rows(FIGURES)
            .map_err(|e| Failed::Computing(Vec::new(), e))?;
        for r in rows {
            let s = |i: usize| r.get(i).cloned().flatten();
            let step: usize = s(0).and_then(|v| v.parse().ok()).unwrap_or(0);
            out.push(Step {
                instant: instants.get(step).copied().unwrap_or_default(),
                segment: s(1).unwrap_or_default(),
                size: s(2).and_then(|v| v.parse().ok()).unwrap_or(0),
                entered: s(3).and_then(|v| v.parse().ok()),
                left: s(4).and_then(|v| v.parse().ok()),
            });
        }
        // The chunk's last step stays: the next step's entered and left compare with it.
        if let Some(&(last, _)) = chunk.last() {
            run(&format!("DELETE FROM segql_series WHERE step < {last}"))?;
        }
        for &(k, _) in chunk {
            progress(k);
        }
    }
    Ok(out)
}
