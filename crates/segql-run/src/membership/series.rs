//! Backtests: the selected segments' size, entered and left at each instant of a
//! series, computed and forgotten (nothing is recorded).
//!
//! The members of each instant go into the temporary table `segql_series(step,
//! segment, key)`, and [`figures`] turns them into one row per (step, segment).
//!
//! `segql backtest` fills it with one batch statement per entity and step
//! ([`fill_step`]), holding two steps' members at a time. Computing many steps in one
//! statement (the instants joined LATERAL to the batch statement) was built and
//! measured slower on DuckDB at 100k users (docs/benchmarks.md, "Backtests at 100k
//! users"; the code is in commit 6792a4c).

use super::store::Flavor;
use super::{insert_members, Failed};
use crate::backend::Backend;
use crate::codes;
use segql_plan::compile::Options;
use segql_plan::ir::{Program, SegmentId};
use segql_syntax::time::{civil_from_days, days_from_civil, days_in_month};

use super::store::StateError;

/// The most instants a backtest evaluates.
pub const MAX_STEPS: usize = 1000;

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

/// The figures of step `k` of `segql_series(step, segment, key)`, over the grid
/// `segql_grid(step, segment)`: size, and the keys entered and left since step `k - 1`
/// (NULL at step 0, the first), which must still be in `segql_series`. One full join of
/// the step's members with the step before's, counted per segment: a hash join, where
/// correlated `NOT EXISTS` per segment cost as much as the batch statement itself on
/// 100k users.
pub fn figures(k: usize) -> String {
    format!(
        "WITH cur AS (SELECT segment, \"key\" FROM segql_series WHERE step = {k}), \
         prev AS (SELECT segment, \"key\" FROM segql_series WHERE step + 1 = {k}), \
         counted AS (SELECT coalesce(c.segment, p.segment) AS segment, \
           count(c.\"key\") AS size, \
           count(*) FILTER (WHERE p.\"key\" IS NULL) AS entered, \
           count(*) FILTER (WHERE c.\"key\" IS NULL) AS left_count \
           FROM cur AS c FULL JOIN prev AS p ON c.segment = p.segment AND c.\"key\" = p.\"key\" \
           GROUP BY 1) \
         SELECT g.step, g.segment, coalesce(n.size, 0) AS size, \
         CASE WHEN g.step > 0 THEN coalesce(n.entered, 0) END AS entered, \
         CASE WHEN g.step > 0 THEN coalesce(n.left_count, 0) END AS left_count \
         FROM segql_grid AS g LEFT JOIN counted AS n ON n.segment = g.segment \
         ORDER BY g.segment"
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
    )
}

/// The backtest of `ids` over `instants` (see the module's documentation). Only two
/// steps' members are held at a time. `progress` is told each step done.
pub fn backtest(
    engine: &dyn Backend,
    p: &Program,
    ids: &[SegmentId],
    instants: &[i64],
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
    let mut out = Vec::new();
    for (k, &instant) in instants.iter().enumerate() {
        fill_step(engine, p, ids, k, instant)?;
        run("DELETE FROM segql_grid")?;
        let grid: Vec<String> = ids
            .iter()
            .map(|&id| format!("({k}, {})", crate::sqltext::literal(&p.segments[id].name)))
            .collect();
        if !grid.is_empty() {
            run(&format!(
                "INSERT INTO segql_grid VALUES {}",
                grid.join(", ")
            ))?;
        }
        let (_, rows) = engine
            .rows(&figures(k))
            .map_err(|e| Failed::Computing(Vec::new(), e))?;
        for r in rows {
            let s = |i: usize| r.get(i).cloned().flatten();
            out.push(Step {
                instant,
                segment: s(1).unwrap_or_default(),
                size: s(2).and_then(|v| v.parse().ok()).unwrap_or(0),
                entered: s(3).and_then(|v| v.parse().ok()),
                left: s(4).and_then(|v| v.parse().ok()),
            });
        }
        // Step k stays: the next step's entered and left compare with it.
        run(&format!("DELETE FROM segql_series WHERE step < {k}"))?;
        progress(k);
    }
    Ok(out)
}
