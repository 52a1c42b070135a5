//! Window tiers (`Capabilities::windows`): which aggregate column goes to which scan.
//!
//! fixtures/results/tiers.seg checks the members on every engine (the conformance
//! suite's batch); this checks the plan itself (the `Plan`, not its SQL taken apart): on DuckDB the batch of that file has a
//! CTE for the last month, one for the last quarter and the relation's own for the
//! rest, each column in the tier its window's start falls in, each scan restricted to
//! its tier's earliest window. Dialects without tiers keep one CTE, and a tier with one
//! column stays with the next wider one.

use segql_plan::compile::{self, Options, Request};
use segql_plan::dialect::{self, Dialect};
use segql_plan::ir::Program;
use segql_plan::plan::{Plan, ScanKind};
use segql_tests::{load_project, root};

fn as_of() -> Options {
    Options::literal(segql_syntax::time::parse_instant("2024-06-01T00:00:00Z").expect("an instant"))
}

fn tier_segments(p: &Program) -> Vec<usize> {
    let ids: Vec<usize> = (0..p.segments.len())
        .filter(|&i| p.segments[i].name.starts_with("tier_"))
        .collect();
    assert_eq!(ids.len(), 15, "fixtures/results/tiers.seg has 15 segments");
    ids
}

fn plan(p: &Program, r: &Request, d: &dyn Dialect) -> Plan {
    compile::plan(p, r, d, as_of()).unwrap_or_else(|e| panic!("{}: {e}", d.name()))
}

fn batch(p: &Program, ids: &[usize], d: &dyn Dialect) -> Plan {
    let r = Request::Batch {
        segments: ids.to_vec(),
        traits: vec![],
        long: false,
    };
    plan(p, &r, d)
}

/// The aggregate scans (without the distinct-count scan some dialects add), each with
/// its kind and its columns.
fn scans(plan: &Plan) -> Vec<(String, ScanKind, Vec<String>)> {
    plan.scans
        .iter()
        .filter(|s| s.kind != ScanKind::Distinct)
        .map(|s| {
            (
                s.cte.clone(),
                s.kind,
                s.columns.iter().map(|(_, n)| n.clone()).collect(),
            )
        })
        .collect()
}

fn names(plan: &Plan) -> Vec<String> {
    scans(plan).into_iter().map(|(n, _, _)| n).collect()
}

#[test]
fn duckdb_splits_the_batch_into_three_tiers() {
    let (_, p) = load_project(&root().join("fixtures/results"));
    let ids = tier_segments(&p);
    let duckdb = dialect::by_name("duckdb").expect("duckdb");
    assert!(duckdb.capabilities().windows.splits());
    let plan = batch(&p, &ids, duckdb);
    let scans = scans(&plan);
    let kinds: Vec<(&str, ScanKind)> = scans.iter().map(|(n, k, _)| (n.as_str(), *k)).collect();
    assert_eq!(
        kinds,
        [
            ("events_per_user", ScanKind::Shared),
            ("events_per_user_last_month", ScanKind::Tier("last_month")),
            (
                "events_per_user_last_quarter",
                ScanKind::Tier("last_quarter")
            ),
        ],
        "{scans:#?}"
    );
    let cols = |name: &str| -> Vec<String> {
        scans
            .iter()
            .find(|(n, _, _)| n == name)
            .expect("the scan")
            .2
            .clone()
    };
    // Windows starting up to 31 days back (a month, as of 06-01), then up to 92 (three
    // months), then the rest. (`tier_login_7d` is a test of the last login the batch
    // has: `plan::rewrite`.)
    assert_eq!(
        cols("events_per_user_last_month"),
        [
            "login_30d",
            "purchase_1mo",
            "purchase_amount_sum_30d",
            "purchase_amount_avg_30d_seen"
        ]
    );
    assert_eq!(
        cols("events_per_user_last_quarter"),
        [
            "login_window",
            "purchase_3mo",
            "login_active_weeks_8w",
            "login_90d",
            "page_viewed_32d"
        ]
    );
    assert_eq!(
        cols("events_per_user"),
        // tier_lapsed (`stopped "login" for 30 days`) and tier_login_7d read
        // tier_dormant's last login time: one column for all three.
        ["login_last_at", "unsubscribed", "login_365d"]
    );
    // Each scan reaches back as far as its earliest window and no further: the month's
    // columns all start within 31 days, the quarter's within 92, and the relation's own
    // scan keeps the unbounded ones (so its WHERE has no lower bound).
    let day = 86_400_000_000i64;
    for s in &plan.scans {
        let reach: Vec<Option<i64>> = s
            .columns
            .iter()
            .map(|(k, _)| {
                k.filter()
                    .window
                    .start
                    .as_ref()
                    .map(|t| plan.as_of - plan.instant(t))
            })
            .collect();
        match s.kind {
            ScanKind::Tier("last_month") => {
                assert!(reach.iter().all(|r| r.is_some_and(|r| r <= 31 * day)))
            }
            ScanKind::Tier(_) => assert!(reach
                .iter()
                .all(|r| r.is_some_and(|r| r > 31 * day && r <= 92 * day))),
            _ => assert!(reach.iter().any(Option::is_none), "{reach:?}"),
        }
    }
}

#[test]
fn dialects_without_tiers_keep_one_scan() {
    let (_, p) = load_project(&root().join("fixtures/results"));
    let ids = tier_segments(&p);
    for d in dialect::all() {
        if d.capabilities().windows.splits() {
            continue;
        }
        assert_eq!(
            names(&batch(&p, &ids, d)),
            ["events_per_user"],
            "{}",
            d.name()
        );
    }
}

#[test]
fn a_tier_needs_two_columns() {
    let (_, p) = load_project(&root().join("fixtures/results"));
    let duckdb = dialect::by_name("duckdb").expect("duckdb");
    let id = |name: &str| {
        p.segments
            .iter()
            .position(|s| s.name == name)
            .expect("a segment")
    };
    let postgres = dialect::by_name("postgres").expect("postgres");
    // One month column and an unbounded one of the same event: one scan.
    let ids = [id("tier_login_7d"), id("tier_logins_year")];
    assert_eq!(names(&batch(&p, &ids, duckdb)), ["events_per_user"]);
    // Of different events: on DuckDB (`WindowTiers::ByWindowAndNames`) the month's lone
    // column gets its scan, as each scan then reads only its own names; not on Postgres.
    let ids = [id("tier_login_7d"), id("tier_unsubscribed")];
    assert_eq!(
        names(&batch(&p, &ids, duckdb)),
        ["events_per_user", "events_per_user_last_month"]
    );
    assert_eq!(names(&batch(&p, &ids, postgres)), ["events_per_user"]);
    // Two month columns: the month gets its own scan.
    let ids = [
        id("tier_login_7d"),
        id("tier_logins_30d"),
        id("tier_unsubscribed"),
    ];
    assert_eq!(
        names(&batch(&p, &ids, duckdb)),
        ["events_per_user", "events_per_user_last_month"]
    );
    // One column from each tier, in one segment: on Postgres the month's lone column
    // joins the quarter's, which makes two; the unbounded one keeps the relation's CTE.
    // On DuckDB each of the three names another event, so each has its scan.
    let got = |d| -> Vec<(String, Vec<String>)> {
        let mixed = plan(&p, &Request::Segment(id("tier_mixed")), d);
        scans(&mixed).into_iter().map(|(n, _, c)| (n, c)).collect()
    };
    assert_eq!(
        got(duckdb),
        [
            (
                "events_per_user".to_string(),
                vec!["unsubscribed".to_string()]
            ),
            (
                "events_per_user_last_month".to_string(),
                vec!["login_7d".to_string()]
            ),
            (
                "events_per_user_last_quarter".to_string(),
                vec!["purchase_3mo".to_string()]
            )
        ]
    );
    let got = got(postgres);
    assert_eq!(
        got,
        [
            (
                "events_per_user".to_string(),
                vec!["unsubscribed".to_string()]
            ),
            (
                "events_per_user_last_quarter".to_string(),
                vec!["login_7d".to_string(), "purchase_3mo".to_string()]
            )
        ]
    );
}

#[test]
fn every_tiering_dialect_has_the_three_tiers() {
    let (_, p) = load_project(&root().join("fixtures/results"));
    let ids = tier_segments(&p);
    let tiering: Vec<&str> = dialect::all()
        .into_iter()
        .filter(|d| d.capabilities().windows.splits())
        .map(|d| d.name())
        .collect();
    assert_eq!(tiering, ["duckdb", "postgres", "clickhouse"]);
    for d in dialect::all()
        .into_iter()
        .filter(|d| d.capabilities().windows.splits())
    {
        assert_eq!(
            names(&batch(&p, &ids, d)),
            [
                "events_per_user",
                "events_per_user_last_month",
                "events_per_user_last_quarter"
            ],
            "{}",
            d.name()
        );
    }
}
