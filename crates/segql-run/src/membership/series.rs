//! Backtests: the selected segments' size, entered and left at each instant of a
//! series, computed and forgotten (nothing is recorded).
//!
//! The members of each instant go into the temporary table `segql_series(step,
//! segment, key)`, and [`FIGURES`] turns it into one row per (step, segment). Today one
//! batch statement per entity and step fills it ([`fill_step`]); a plan computing the
//! whole series in one statement (the instants as data) would fill it with every step
//! at once, and the same figures query reads it.

use super::store::Flavor;
use super::{members_into, Failed};
use crate::backend::Backend;
use crate::codes;
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
        for &id in ids {
            run(&format!(
                "INSERT INTO segql_grid VALUES ({k}, {})",
                crate::sqltext::literal(&p.segments[id].name)
            ))?;
        }
        let (_, rows) = engine
            .rows(FIGURES)
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
        run(&format!("DELETE FROM segql_series WHERE step < {k}"))?;
        progress(k);
    }
    Ok(out)
}
