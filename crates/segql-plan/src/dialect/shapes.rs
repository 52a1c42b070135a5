//! The plan shapes each dialect takes, as docs/dialects.md shows them: a row per choice
//! of [`Capabilities`], a column per dialect (dialects that choose alike share one),
//! written from each dialect's `capabilities()` so that the page says what the planner
//! does. Owns the wording of each choice; must not decide anything (the dialects do).

use super::capabilities::*;
use super::{all, Dialect};

/// The name docs use for a dialect.
fn title(d: &dyn Dialect) -> &'static str {
    match d.name() {
        "duckdb" => "DuckDB",
        "postgres" => "Postgres",
        "redshift" => "Redshift",
        "snowflake" => "Snowflake",
        "bigquery" => "BigQuery",
        "databricks" => "Spark (databricks)",
        "clickhouse" => "ClickHouse",
        "trino" => "Trino",
        other => other,
    }
}

/// A dialect's column: each row's heading and the dialect's cell.
type Column = Vec<(&'static str, String)>;

/// Each row's heading and the dialect's cell. The destructuring names every field, so a
/// new choice does not compile until it has a row (or is said not to be a shape).
fn cells(c: Capabilities) -> Column {
    let Capabilities {
        distinct,
        windows,
        active_periods,
        // How the SQL is written, not the plan's shape: the SQL table above the shapes
        // on the same page.
        unmatched: _,
        cond_agg: _,
        sequences,
        long_batch,
        ntiles,
        ntiles_alone,
        lapses,
        name_ranges,
        sequence_joins,
        sequence_lists,
        lookups,
        name_windows,
        rare_tiers,
    } = c;
    let s = |t: &str| t.to_string();
    vec![
        (
            "the shared aggregate split by window tier (last month, last quarter, the rest)",
            s(match windows {
                WindowTiers::OneScan => "no: one scan",
                WindowTiers::ByWindow => "yes",
                WindowTiers::ByWindowAndNames => {
                    "yes, and a one-column tier whose names no wider tier reads"
                }
            }),
        ),
        (
            "each event name bounded by its own windows in a scan's `WHERE`",
            // A batch's own lists aggregate bounds its names on every dialect
            // (`emit::scans`: it reads names for different windows by construction).
            s(match (name_windows, sequence_lists.own_aggregate()) {
                (NameWindows::PerName, _) => "yes",
                (NameWindows::Never, true) => "in a batch's lists aggregate",
                (NameWindows::Never, false) => "no",
            }),
        ),
        (
            "a batch's sequences (stats: the pairs bounded)",
            s(match sequence_lists {
                SequenceLists::Never => "window passes",
                SequenceLists::InBatchWhenStatisticsBound => {
                    "lists of the steps' times in the shared aggregate"
                }
                SequenceLists::InOwnAggregateWhenStatisticsBound {
                    rare_columns: false,
                } => "lists in an aggregate of their own",
                SequenceLists::InOwnAggregateWhenStatisticsBound { rare_columns: true } => {
                    "lists in an aggregate of their own, with the columns over rare names"
                }
            }),
        ),
        (
            "a window tier over rare names only (stats)",
            s(match (rare_tiers, sequence_lists.own_aggregate()) {
                (RareTiers::IntoLists, true) => "in the sequences' lists aggregate",
                _ => "its own scan",
            }),
        ),
        (
            "distinct counts",
            s(match distinct {
                DistinctScan::Shared => "in the shared aggregate",
                DistinctScan::OwnScan => "a scan of their own",
                DistinctScan::OwnScanOrLists if sequence_lists.own_aggregate() => {
                    "a scan of their own, or the size of a set in a batch's lists aggregate"
                }
                DistinctScan::OwnScanOrLists => "a scan of their own",
                DistinctScan::OwnScanAsGroups => {
                    "a scan of their own, counting (key, value) groups"
                }
            }),
        ),
        (
            "active in N of the last M periods",
            match active_periods {
                ActivePeriods::DistinctCount => s("a distinct count of periods"),
                ActivePeriods::BitsUpTo(n) => format!("a bit per period, up to {n}"),
            },
        ),
        (
            "other sequences",
            s(match (sequences, sequence_joins) {
                (Sequences::WindowPasses, SequenceJoins::Never) => "window passes",
                (Sequences::WindowPasses, SequenceJoins::WhenStatisticsBound) => {
                    "window passes; a lone sequence as joins of its steps (stats)"
                }
                (Sequences::TimeBuckets, SequenceJoins::Never) => "time buckets",
                (Sequences::TimeBuckets, SequenceJoins::WhenStatisticsBound) => {
                    "time buckets; a lone sequence as joins of its steps (stats)"
                }
            }),
        ),
        (
            "a frequent event in a batch's `or` (stats)",
            s(match lookups {
                Lookups::Never => "a column",
                Lookups::InBatchWhenStatisticsSay => "looked up only for the keys the rest leaves",
            }),
        ),
        (
            "`last time of E < T` in one segment's statement",
            s(match lapses {
                Lapses::Aggregate => "an aggregate",
                Lapses::KeySets => "key sets (stats: for frequent events)",
            }),
        ),
        (
            "a name list with its range (stats)",
            s(match name_ranges {
                NameRanges::Never => "no",
                NameRanges::WhenStatisticsSay => "yes, where the range keeps few rows",
            }),
        ),
        (
            "ntiles of the wide batch",
            s(match ntiles {
                Ntiles::OwnCte => "their own CTE",
                Ntiles::InWideSelect => "in the batch's `SELECT`, over narrow rows",
            }),
        ),
        (
            "ntiles of one segment's statement",
            s(match ntiles_alone {
                NtilesAlone::OwnCte => "their own CTE",
                NtilesAlone::Qualify => "in its `SELECT`, the condition in `QUALIFY`",
            }),
        ),
        (
            "the long batch (`--long`)",
            s(match long_batch {
                LongBatch::UnionAll => "`UNION ALL` of the segments",
                LongBatch::ArrayJoin => "one `ARRAY JOIN`",
            }),
        ),
    ]
}

/// The dialects grouped by their column, in [`all`]'s order: dialects whose choices are
/// all the same share one.
fn groups() -> Vec<(Vec<&'static str>, Column)> {
    let mut groups: Vec<(Vec<&'static str>, Column)> = vec![];
    for d in all() {
        let column = cells(d.capabilities());
        match groups.iter_mut().find(|(_, c)| *c == column) {
            Some((names, _)) => names.push(title(d)),
            None => groups.push((vec![title(d)], column)),
        }
    }
    groups
}

/// The table of plan shapes, in Markdown: a column per group of dialects that choose
/// alike.
pub fn shapes_table() -> String {
    let groups = groups();
    let mut out = String::from("| shape |");
    for (names, _) in &groups {
        out.push_str(&format!(" {} |", names.join(", ")));
    }
    out.push_str("\n| --- |");
    out.push_str(&" --- |".repeat(groups.len()));
    out.push('\n');
    let rows = groups.first().map_or(0, |(_, c)| c.len());
    for r in 0..rows {
        out.push_str(&format!("| {} |", groups[0].1[r].0));
        for (_, column) in &groups {
            out.push_str(&format!(" {} |", column[r].1));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dialect_is_in_one_column_and_no_two_columns_are_alike() {
        let groups = groups();
        for d in all() {
            let holding = groups.iter().filter(|(names, _)| names.contains(&title(d)));
            assert_eq!(holding.count(), 1, "{}", title(d));
        }
        for (i, (a, x)) in groups.iter().enumerate() {
            for (b, y) in &groups[i + 1..] {
                assert_ne!(x, y, "{a:?} and {b:?} choose alike but have two columns");
            }
        }
        // Each line of the table has a cell per column.
        let table = shapes_table();
        let cells = |l: &str| l.matches(" |").count();
        let heading = cells(table.lines().next().unwrap_or_default());
        assert_eq!(heading, groups.len() + 1);
        assert!(table.lines().all(|l| cells(l) == heading), "{table}");
    }
}
