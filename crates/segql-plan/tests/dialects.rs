//! The SQL of every fixture segment, report, split and priority list in every dialect,
//! as insta snapshots.
//!
//! `fixtures/lang/*.seg` form one project. For each fixture file and each dialect, the
//! segments, reports, splits and priority lists the file declares are compiled (as of
//! 2024-06-01T00:00:00Z) in declaration order into one snapshot
//! (`snapshots/dialects__FILE@DIALECT.snap`), and every statement must parse back with
//! that dialect's sqlparser parser. A second snapshot per file
//! (`dialects__FILE@diff.snap`) shows each dialect's SQL as a unified diff against
//! DuckDB's, so a review reads only what a dialect changes.
//!
//! A construct a dialect cannot express is a failure, unless it is listed in
//! `EXPECTED_UNSUPPORTED` with the reason; a listed one that compiles fails too, so the
//! list cannot go stale.
//!
//! After an intended change to the SQL:
//!
//! ```sh
//! INSTA_UPDATE=always cargo test -p segql-plan --test dialects
//! git diff crates/segql-plan/tests/snapshots   # read every changed snapshot
//! ```

mod common;

use common::{options, project, reparse};
use segql_plan::compile::{self, to_sql, Request};
use segql_plan::dialect::{self, Dialect, DistinctScan, Lapses, Ntiles, NtilesAlone};
use segql_plan::ir::Program;
use segql_syntax::ast::{File, ItemKind};
use std::path::PathBuf;

/// (dialect, `kind name`, why): constructs of `fixtures/lang` a dialect cannot express.
/// Every dialect expresses every construct today.
const EXPECTED_UNSUPPORTED: &[(&str, &str, &str)] = &[];

/// The items of a file that compile to a statement, in declaration order.
fn declared(file: &File) -> Vec<(&'static str, String)> {
    file.items
        .iter()
        .filter_map(|it| match &it.kind {
            ItemKind::Segment(s) => Some(("segment", s.name.name.clone())),
            ItemKind::Report(r) => Some(("report", r.name.name.clone())),
            ItemKind::Split(s) => Some(("split", s.name.name.clone())),
            ItemKind::Priority(p) => Some(("priority", p.name.name.clone())),
            _ => None,
        })
        .collect()
}

/// Compiles one item by kind and name to SQL text.
fn compile_item(
    p: &Program,
    kind: &str,
    name: &str,
    d: &dyn Dialect,
) -> Result<String, compile::Unsupported> {
    let o = options();
    let q = match kind {
        "segment" => {
            let id = p
                .segment_by_name(name)
                .unwrap_or_else(|| panic!("no segment {name}"));
            compile::compile(p, &Request::Segment(id), d, o)
        }
        "report" => {
            let i = p.reports.iter().position(|r| r.name == name);
            let i = i.unwrap_or_else(|| panic!("no report {name}"));
            compile::compile(p, &Request::Report(i), d, o)
        }
        "split" => {
            let i = p.splits.iter().position(|s| s.name == name);
            let i = i.unwrap_or_else(|| panic!("no split {name}"));
            compile::compile(p, &Request::Split(i), d, o)
        }
        "priority" => {
            let i = p.priorities.iter().position(|s| s.name == name);
            let i = i.unwrap_or_else(|| panic!("no priority list {name}"));
            compile::compile(p, &Request::Priority(i), d, o)
        }
        other => unreachable!("{other}"),
    }?;
    Ok(to_sql(&q))
}

fn fixtures() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/lang");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read fixtures/lang")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let stem = p
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&p).expect("read a fixture");
            (stem, text)
        })
        .collect()
}

/// One dialect's SQL for the items of one file; statements that fail to parse back, and
/// constructs the dialect cannot express, go to `failures` (unless expected), expected
/// ones that did compile to `stale`.
fn render(
    program: &Program,
    items: &[(&'static str, String)],
    d: &dyn Dialect,
    failures: &mut Vec<String>,
    unsupported_seen: &mut Vec<(String, String)>,
) -> String {
    let mut out = String::new();
    for (kind, name) in items {
        let item = format!("{kind} {name}");
        out.push_str(&format!("-- {item}\n"));
        let expected = EXPECTED_UNSUPPORTED
            .iter()
            .find(|(dn, it, _)| *dn == d.name() && *it == item);
        match (compile_item(program, kind, name, d), expected) {
            (Ok(sql), expected) => {
                if let Some((_, _, why)) = expected {
                    failures.push(format!(
                        "{}: {item} is listed in EXPECTED_UNSUPPORTED ({why}) but compiles now; remove it",
                        d.name()
                    ));
                }
                if let Err(e) = reparse(d, &sql) {
                    failures.push(format!(
                        "{}: {item} does not parse back: {e}\n{sql}",
                        d.name()
                    ));
                }
                out.push_str(&sql);
                out.push_str(";\n\n");
            }
            (Err(e), Some((_, _, why))) => {
                unsupported_seen.push((d.name().to_string(), item.clone()));
                out.push_str(&format!("-- not supported (expected: {why}): {e}\n\n"));
            }
            (Err(e), None) => {
                failures.push(format!("{}: {item} is not supported: {e}", d.name()));
                out.push_str(&format!("-- not supported: {e}\n\n"));
            }
        }
    }
    out
}

#[test]
fn fixture_segments_in_every_dialect() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 5, "fixtures/lang went missing");
    let sources: Vec<(&str, &str)> = fixtures
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let (files, program) = project(&sources);

    let mut failures = Vec::new();
    let mut unsupported_seen = Vec::new();
    let mut compiled = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for ((stem, _), file) in fixtures.iter().zip(&files) {
        let items = declared(file);
        if items.is_empty() {
            continue;
        }
        kinds.extend(items.iter().map(|(k, _)| *k));
        let mut per_dialect = Vec::new();
        for d in dialect::all() {
            let text = render(&program, &items, d, &mut failures, &mut unsupported_seen);
            insta::assert_snapshot!(format!("{stem}@{}", d.name()), text);
            compiled += items.len();
            per_dialect.push((d.name(), text));
        }

        let (base_name, base) = &per_dialect[0];
        assert_eq!(*base_name, "duckdb", "the diff is against DuckDB's SQL");
        let mut diff = String::new();
        for (name, text) in &per_dialect[1..] {
            let udiff = similar::TextDiff::from_lines(base.as_str(), text.as_str())
                .unified_diff()
                .context_radius(1)
                .header("duckdb", name)
                .to_string();
            diff.push_str(&format!("=== {name}\n"));
            if udiff.is_empty() {
                diff.push_str("(same as duckdb)\n");
            } else {
                diff.push_str(&udiff);
            }
            diff.push('\n');
        }
        insta::assert_snapshot!(format!("{stem}@diff"), diff);
    }
    assert!(compiled > 0, "nothing was compiled");
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["priority", "report", "segment", "split"],
        "fixtures/lang has every kind of statement"
    );
    assert!(
        failures.is_empty(),
        "{} statement(s) fail:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    for (dn, item, _) in EXPECTED_UNSUPPORTED {
        assert!(
            unsupported_seen.iter().any(|(d, i)| d == dn && i == item),
            "{dn}: {item} is listed in EXPECTED_UNSUPPORTED but is not in fixtures/lang"
        );
    }
}

/// A catalog `timestamp` is a BigQuery TIMESTAMP (docs/dialects.md, "BigQuery
/// timestamps"): every time value the BigQuery SQL compares is a TIMESTAMP. Literals
/// carry their zone, and the DATETIME that month arithmetic goes through (TIMESTAMP_SUB
/// has no months) is made a TIMESTAMP again at once, so no DATETIME value meets a
/// TIMESTAMP column (BigQuery has no comparison between the two).
#[test]
fn bigquery_compares_timestamps_with_timestamps() {
    let fixtures = fixtures();
    let sources: Vec<(&str, &str)> = fixtures
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let (files, program) = project(&sources);
    let d = &dialect::BigQuery;
    let (mut literals, mut months, mut fixed) = (0, 0, 0);
    for file in &files {
        for (kind, name) in declared(file) {
            let sql = compile_item(&program, kind, &name, d).expect("compiles");
            let ctx = || format!("{kind} {name}:\n{sql}");
            for (i, _) in sql.match_indices("TIMESTAMP '") {
                let end = sql[i + 11..].find('\'').expect("a closed literal") + i + 11;
                assert!(
                    sql[..end].ends_with("+00"),
                    "a timestamp literal without its zone: {}",
                    ctx()
                );
                literals += 1;
            }
            for f in ["DATETIME_SUB(", "DATETIME_ADD("] {
                for (i, _) in sql.match_indices(f) {
                    assert!(
                        sql[..i].ends_with("TIMESTAMP(")
                            && sql[i + f.len()..].starts_with("DATETIME("),
                        "month arithmetic that is not TIMESTAMP(DATETIME_...(DATETIME(ts), ...)): {}",
                        ctx()
                    );
                    months += 1;
                }
            }
            fixed += sql.matches("TIMESTAMP_SUB(").count() + sql.matches("TIMESTAMP_ADD(").count();
            let datetimes = sql.matches("DATETIME").count();
            assert_eq!(
                datetimes,
                sql.matches("TIMESTAMP(DATETIME_SUB(DATETIME(").count() * 2
                    + sql.matches("TIMESTAMP(DATETIME_ADD(DATETIME(").count() * 2,
                "a DATETIME outside month arithmetic: {}",
                ctx()
            );
            assert!(
                !sql.contains("DATE_SUB(") && !sql.contains("DATE_ADD("),
                "{}",
                ctx()
            );
        }
    }
    assert!(
        literals > 0 && months > 0 && fixed > 0,
        "the fixtures exercise timestamps"
    );
}

/// ClickHouse's and Spark's wide batches compute an `ntile` of an aggregate in their own `SELECT`
/// (`Ntiles::InWideSelect`): the users are joined to the aggregate once, with no ntile
/// CTE to join back, and the window computed over a subquery of the joined rows that
/// carries only the segments and the values the window reads; a tile over a population
/// keeps the CTE, as every other dialect does. A single segment (whose `WHERE` would cut the window's rows) computes it in its
/// `SELECT` with the condition in `QUALIFY` on DuckDB (`NtilesAlone::Qualify`), in the
/// CTE elsewhere.
#[test]
fn the_wide_batch_computes_its_ntiles_in_its_select_on_clickhouse_and_spark() {
    let src = "entity user {\n  table app.users\n  key user_id\n  columns {\n    plan string\n  }\n}\n\
               events of user {\n  table app.events\n  key user_id\n  name event_name\n  time occurred_at\n  properties {\n    amount decimal\n  }\n}\n\
               trait spend = sum(amount) of \"purchase\"\n\
               segment top { where ntile(10) of spend = 10 }\n\
               segment paying { where plan = \"pro\" }\n\
               segment top_payers { where ntile(4) of spend among paying = 4 }\n";
    let (_, p) = project(&[("tiles.seg", src)]);
    let ids: Vec<usize> = (0..p.segments.len()).collect();
    let mut shown = String::new();
    for d in dialect::all() {
        let batch = to_sql(
            &compile::compile(&p, &Request::batch(&ids), d, options())
                .unwrap_or_else(|e| panic!("{}: {e}", d.name())),
        );
        reparse(d, &batch).unwrap_or_else(|e| panic!("{}: {e}\n{batch}", d.name()));
        let single = to_sql(
            &compile::compile(&p, &Request::Segment(0), d, options())
                .unwrap_or_else(|e| panic!("{}: {e}", d.name())),
        );
        // One segment: in QUALIFY where the dialect says so, else the CTE.
        if d.capabilities().ntiles_alone == NtilesAlone::Qualify {
            assert!(!single.contains("ntile_10 AS ("), "{}: {single}", d.name());
            assert!(
                single.contains("QUALIFY\nNTILE(10) OVER"),
                "{}: {single}",
                d.name()
            );
        } else {
            assert!(single.contains("ntile_10 AS ("), "{}: {single}", d.name());
            assert!(!single.contains("QUALIFY"), "{}: {single}", d.name());
        }
        // the tile over a population keeps its CTE everywhere
        assert!(batch.contains("ntile_4 AS ("), "{}: {batch}", d.name());
        if d.capabilities().ntiles == Ntiles::InWideSelect {
            assert!(!batch.contains("ntile_10 AS ("), "{batch}");
            let body = &batch[batch.rfind(")\nSELECT").expect("the body") + 2..];
            assert!(body.contains("NTILE(10) OVER"), "{body}");
            // The window over a subquery of narrow rows: every segment, and only the
            // joined columns the windows read.
            let (outer, rest) = body.split_once("FROM\n  (").expect("a subquery");
            let rows = rest.strip_suffix("\n  ) AS wide").expect("named wide");
            assert!(
                outer.contains("ORDER BY COALESCE(segql_value, 0)"),
                "{outer}"
            );
            assert!(!rows.contains(" OVER "), "{rows}");
            assert!(rows.contains(".user_id AS segql_value_2"), "{rows}");
            shown.push_str(&format!("-- {}\n{body}\n", d.name()));
        } else {
            assert!(batch.contains("ntile_10 AS ("), "{}: {batch}", d.name());
        }
    }
    insta::assert_snapshot!(shown);
}

/// The long batch reads the wide batch (`memberships`) once per segment under `UNION ALL`
/// where engines compute a CTE once, and once in all with `ARRAY JOIN` on ClickHouse,
/// which substitutes a CTE at every reference (twenty segments of a few conditions were
/// over its 50,000-element limit). A segment named `segment` does not clash with the
/// output column.
#[test]
fn the_long_batch_reads_the_memberships_once_on_clickhouse() {
    let src =
        "entity user {\n  table app.users\n  key user_id\n  columns {\n    plan string\n  }\n}\n\
               segment segment { where plan = \"pro\" }\n\
               segment s { where plan = \"free\" }\n\
               segment m { where plan in [\"pro\", \"free\"] }\n";
    let (_, p) = project(&[("long.seg", src)]);
    let ids: Vec<usize> = (0..p.segments.len()).collect();
    let mut shown = String::new();
    for d in dialect::all() {
        let sql = to_sql(
            &compile::compile(&p, &Request::batch_long(&ids), d, options())
                .unwrap_or_else(|e| panic!("{}: {e}", d.name())),
        );
        reparse(d, &sql).unwrap_or_else(|e| panic!("{}: {e}\n{sql}", d.name()));
        // Its definition, then its reads.
        let reads = sql.matches("memberships").count() - 1;
        if d.name() == "clickhouse" {
            assert_eq!(reads, 1, "{sql}");
            let body = &sql[sql.rfind(")\nSELECT").expect("the body") + 2..];
            shown.push_str(body);
        } else {
            assert_eq!(reads, ids.len(), "{}: {sql}", d.name());
            assert_eq!(sql.matches("UNION ALL").count(), ids.len() - 1);
        }
    }
    insta::assert_snapshot!(shown);
}

/// One segment's lapses at the top of its `WHERE` are two sets of keys on DuckDB
/// (`Lapses::KeySets`): no last time aggregated, the other conditions first, `last < a or
/// last < b` as the later threshold. Under an `or` with something else, in a batch, and
/// on the other dialects, the last time is aggregated as before.
#[test]
fn a_lapse_alone_is_two_sets_of_keys_on_duckdb() {
    let src = "entity user {\n  table app.users\n  key user_id\n  columns {\n    plan string\n  }\n}\n\
               events of user {\n  table app.events\n  key user_id\n  name event_name\n  time occurred_at\n}\n\
               segment lapsed { where stopped \"login\" for 30 days }\n\
               segment either { where (last time of \"login\" < 30 days ago or last time of \"login\" < 60 days ago) and plan = \"pro\" }\n\
               segment or_other { where last time of \"login\" < 30 days ago or plan = \"pro\" }\n\
               segment calendar { where last time of \"login\" < 1 month ago or last time of \"login\" < 30 days ago }\n";
    let (_, p) = project(&[("lapses.seg", src)]);
    let sql = |d: &dyn Dialect, r: Request| compiled_reparsed(&p, d, r);
    for d in dialect::all() {
        let sets = d.capabilities().lapses == Lapses::KeySets;
        let lapsed = sql(d, Request::Segment(0));
        let either = sql(d, Request::Segment(1));
        if sets {
            for s in [&lapsed, &either] {
                assert!(!s.contains("MAX("), "{}: {s}", d.name());
                let not_in = s.find("NOT IN (SELECT").expect("the recent keys");
                let is_in = s.rfind(" IN (SELECT").expect("the earlier keys");
                assert!(not_in < is_in, "the recent keys first: {s}");
            }
            // The later threshold, once; the plan before the sets.
            assert_eq!(either.matches("NOT IN (SELECT").count(), 1, "{either}");
            assert!(either.contains("INTERVAL '30' DAY"), "{either}");
            assert!(!either.contains("INTERVAL '60' DAY"), "{either}");
            assert!(
                either.find("u.plan = 'pro'") < either.find(" IN (SELECT"),
                "{either}"
            );
            // The plan says so, and aggregates nothing.
            let plan = compile::plan(&p, &Request::Segment(1), d, options()).expect("a plan");
            let shown = plan.display(&p);
            assert!(
                shown.contains(
                    "lapse as key sets of app.events: \"login\" ever, before 30 days ago"
                ),
                "{shown}"
            );
            assert!(!shown.contains("scan "), "{shown}");
        } else {
            assert!(!lapsed.contains(" IN (SELECT"), "{}: {lapsed}", d.name());
        }
        // Under an `or` with another condition, with thresholds that do not compare
        // (a month and 30 days), and in a batch: the last time, aggregated.
        for s in [
            sql(d, Request::Segment(2)),
            sql(d, Request::Segment(3)),
            sql(d, Request::batch(&[0, 1, 2, 3])),
        ] {
            assert!(!s.contains(" IN (SELECT"), "{}: {s}", d.name());
        }
    }
}

/// One segment's absence (`not did E ...`) is an anti join of the entities to the keys
/// with such an event on DuckDB, when no other condition of the segment reads events; with
/// another event condition, in a batch, and on the other dialects, the count is joined as
/// before.
#[test]
fn an_absence_alone_is_an_anti_join_on_duckdb() {
    let src = "entity user {\n  table app.users\n  key user_id\n  columns {\n    plan string\n  }\n}\n\
               events of user {\n  table app.events\n  key user_id\n  name event_name\n  time occurred_at\n  properties {\n    device string\n  }\n}\n\
               segment payers { where plan = \"pro\" }\n\
               segment quiet { where not did \"login\" with device = \"ios\" in last 30 days }\n\
               segment quiet_payers { where in payers and in quiet }\n\
               segment quiet_buyers { where did \"purchase\" in last 90 days and not did \"login\" in last 30 days }\n";
    let (_, p) = project(&[("absences.seg", src)]);
    let sql = |d: &dyn Dialect, r: Request| compiled_reparsed(&p, d, r);
    for d in dialect::all() {
        let anti = d.capabilities().lapses == Lapses::KeySets;
        for id in [1, 2] {
            let s = sql(d, Request::Segment(id));
            assert_eq!(s.contains("ANTI JOIN"), anti, "{}: {s}", d.name());
            if anti {
                assert!(!s.contains("COUNT("), "{s}");
                assert!(
                    s.contains("ev.device = 'ios'"),
                    "the event's condition: {s}"
                );
                assert!(s.contains("ON absent.user_id = u.user_id"), "{s}");
            }
        }
        if anti {
            let plan = compile::plan(&p, &Request::Segment(2), d, options()).expect("a plan");
            let shown = plan.display(&p);
            assert!(
                shown.contains("absence as an anti join of app.events: \"login\""),
                "{shown}"
            );
            // Alone, nothing is left for the WHERE.
            assert!(!sql(d, Request::Segment(1)).contains("WHERE\n  TRUE"));
        }
        for s in [
            sql(d, Request::Segment(3)),
            sql(d, Request::batch(&[1, 2, 3])),
        ] {
            assert!(!s.contains("ANTI JOIN"), "{}: {s}", d.name());
        }
    }
}

/// Where the dialect asks for it (Postgres), a distinct scan over one property counts
/// groups: the rows grouped by key and value (NULLs left out), each column's own filter a
/// count of the group's rows; over two properties, or elsewhere, `COUNT(DISTINCT)`.
#[test]
fn distinct_counts_are_counts_of_groups_where_the_dialect_asks() {
    let src = "entity user {\n  table app.users\n  key user_id\n}\n\
               events of user {\n  table app.events\n  key user_id\n  name event_name\n  time occurred_at\n  properties {\n    page string\n    device string\n  }\n}\n\
               segment browsers { where count distinct(page) of \"page_view\" in last 30 days >= 3 }\n\
               segment pricing { where count distinct(page) of \"page_view\" with page starts with \"/pricing\" in last 7 days >= 2 }\n\
               segment devices { where count distinct(device) of \"login\" in last 30 days >= 2 }\n";
    let (_, p) = project(&[("distinct.seg", src)]);
    let sql = |d: &dyn Dialect, r: Request| compiled_reparsed(&p, d, r);
    for d in dialect::all() {
        let groups = d.capabilities().distinct == DistinctScan::OwnScanAsGroups;
        let alone = sql(d, Request::Segment(0));
        let pair = sql(d, Request::batch(&[0, 1]));
        let three = sql(d, Request::batch(&[0, 1, 2]));
        for s in [&alone, &pair, &three] {
            assert_eq!(
                s.contains(") AS g\n"),
                groups && s != &three,
                "{}: {s}",
                d.name()
            );
        }
        if !groups {
            continue;
        }
        assert!(three.contains("COUNT(DISTINCT ev.device)"), "{three}");
        assert!(alone.contains("\n    g.user_id AS user_id,"), "{alone}");
        assert!(
            alone.contains("GROUP BY\n        ev.user_id, ev.page\n    ) AS g"),
            "{alone}"
        );
        assert!(alone.contains("AND ev.page IS NOT NULL"), "{alone}");
        assert!(
            alone.contains("COUNT(*) AS page_view_distinct_page_30d"),
            "{alone}"
        );
        // Two filters over pages: the narrower one counted in the groups, then tested.
        assert!(
            pair.contains(") AS page_view_distinct_page_7d_filtered\n"),
            "{pair}"
        );
        assert!(
            pair.contains(
                "COUNT(*) FILTER (WHERE g.page_view_distinct_page_7d_filtered > 0) AS \
                 page_view_distinct_page_7d_filtered"
            ),
            "{pair}"
        );
    }
}

/// A request's SQL on a dialect, checked to parse back with the dialect's parser.
fn compiled_reparsed(p: &segql_plan::ir::Program, d: &dyn Dialect, r: Request) -> String {
    let text = to_sql(
        &compile::compile(p, &r, d, options()).unwrap_or_else(|e| panic!("{}: {e}", d.name())),
    );
    reparse(d, &text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", d.name()));
    text
}
