//! Backtests: the selected segments' size, entered and left at each instant of a
//! series, computed and forgotten (nothing is recorded).
//!
//! The members of each instant go into the temporary table `segql_series(step,
//! segment, key)`, and [`figures`] turns them into one row per (step, segment).
//!
//! `segql backtest` fills it with one batch statement per entity and step
//! ([`fill_step`], [`Strategy::PerStep`]), holding two steps' members at a time.
//!
//! [`Strategy::Instants`] computes many steps in one statement: the instants go into
//! `segql_instants(step, as_of)` and are joined LATERAL to the entity's batch statement,
//! compiled to read its as-of from that column ([`RunAsOf::Column`]); DuckDB decorrelates
//! it. Its steps' members equal a run at each instant (tests/tests/backtest_random.rs,
//! against the oracle), but on the bench suite at 100k users it is slower than a
//! statement per step (docs/benchmarks.md): the decorrelated plan joins each event to
//! every instant whose windows reach it, which costs more than reading the events again.
//! It stays as the form a plan that aggregates once for all instants (per-key cumulative
//! counts read at each instant) would fill; `backtest` does not use it.

use super::store::Flavor;
use super::{insert_members, Failed};
use crate::backend::Backend;
use crate::codes;
use segql_plan::as_of::RunAsOf;
use segql_plan::compile::Options;
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

/// The figures of the steps `first..=last` of `segql_series(step, segment, key)`, over
/// the grid `segql_grid(step, segment)`: size, and the keys entered and left since the
/// step before (NULL at step 0, the first), which must still be in `segql_series`. One
/// full join of each step's members with the step before's, counted per (step,
/// segment): a hash join, where correlated `NOT EXISTS` per grid cell cost as much as
/// the batch statement itself on 100k users.
pub fn figures(first: usize, last: usize) -> String {
    format!(
        "WITH cur AS (SELECT step, segment, \"key\" FROM segql_series WHERE step BETWEEN {first} AND {last}), \
         prev AS (SELECT step + 1 AS step, segment, \"key\" FROM segql_series WHERE step + 1 BETWEEN {first} AND {last}), \
         counted AS (SELECT coalesce(c.step, p.step) AS step, coalesce(c.segment, p.segment) AS segment, \
           count(c.\"key\") AS size, \
           count(*) FILTER (WHERE p.\"key\" IS NULL) AS entered, \
           count(*) FILTER (WHERE c.\"key\" IS NULL) AS left_count \
           FROM cur AS c FULL JOIN prev AS p \
           ON c.step = p.step AND c.segment = p.segment AND c.\"key\" = p.\"key\" \
           GROUP BY 1, 2) \
         SELECT g.step, g.segment, coalesce(n.size, 0) AS size, \
         CASE WHEN g.step > 0 THEN coalesce(n.entered, 0) END AS entered, \
         CASE WHEN g.step > 0 THEN coalesce(n.left_count, 0) END AS left_count \
         FROM segql_grid AS g LEFT JOIN counted AS n ON n.step = g.step AND n.segment = g.segment \
         ORDER BY g.step, g.segment"
    )
}

/// Adds step `k`'s members (at `instant`) to `segql_series`: one batch statement per
/// entity, the as-of a literal.
pub fn fill_step(
    engine: &dyn Backend,
    p: &Program,
    ids: &[SegmentId],
    k: usize,
    instant: i64,
) -> Result<(), Failed> {
    insert_members(
        engine,
        p,
        ids,
        Options::literal(instant),
        "segql_series",
        &format!("{k}, "),
        "",
    )
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
    let opts = Options {
        as_of: planning,
        at_run: Some(at),
    };
    insert_members(
        engine,
        p,
        ids,
        opts,
        "segql_series",
        "segql_instants.step, ",
        "segql_instants, LATERAL ",
    )?;
    run("DROP TABLE segql_instants", &[])
}

/// The backtest of `ids` over `instants` (see the module's documentation), a batch
/// statement per step: on DuckDB too, where the instants as data measured slower at
/// 100k users ([`Strategy::Instants`]).
pub fn backtest(
    engine: &dyn Backend,
    p: &Program,
    ids: &[SegmentId],
    instants: &[i64],
    progress: &dyn Fn(usize),
) -> Result<Vec<Step>, Failed> {
    backtest_with(engine, p, ids, instants, Strategy::PerStep, progress)
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
        let (first, last) = (chunk[0].0, chunk[chunk.len() - 1].0);
        let (_, rows) = engine
            .rows(&figures(first, last))
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
