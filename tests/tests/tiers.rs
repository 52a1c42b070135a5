//! Window tiers (`Dialect::tier_by_window`): which aggregate column goes to which scan.
//!
//! fixtures/results/tiers.seg checks the members on every engine (the conformance
//! suite's batch); this checks the plan itself: on DuckDB the batch of that file has a
//! CTE for the last month, one for the last quarter and the relation's own for the
//! rest, each column in the tier its window's start falls in, each scan restricted to
//! its tier's earliest window. Dialects without tiers keep one CTE, and a tier with one
//! column stays with the next wider one.

use segql_plan::compile::{self, Options, Query};
use segql_plan::dialect::{self, Dialect};
use segql_plan::ir::Program;
use segql_tests::{load_project, root};
use sqlparser::ast::{SelectItem, SetExpr};

fn as_of() -> Options {
    Options {
        as_of: segql_syntax::time::parse_instant("2024-06-01T00:00:00Z").expect("an instant"),
    }
}

fn tier_segments(p: &Program) -> Vec<usize> {
    let ids: Vec<usize> = (0..p.segments.len())
        .filter(|&i| p.segments[i].name.starts_with("tier_"))
        .collect();
    assert_eq!(ids.len(), 15, "fixtures/results/tiers.seg has 15 segments");
    ids
}

/// Each CTE reading the events: its name, its column aliases and its WHERE, as SQL.
fn event_ctes(q: &Query) -> Vec<(String, Vec<String>, String)> {
    let with = q.with.as_ref().expect("a WITH clause");
    with.cte_tables
        .iter()
        .filter_map(|cte| {
            let SetExpr::Select(s) = cte.query.body.as_ref() else {
                return None;
            };
            let reads_events = s
                .from
                .iter()
                .any(|t| t.relation.to_string().starts_with("app.events"));
            if !reads_events || cte.alias.name.value.starts_with("sequences") {
                return None;
            }
            let cols = s
                .projection
                .iter()
                .filter_map(|item| match item {
                    SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.clone()),
                    _ => None,
                })
                .collect();
            let selection = s
                .selection
                .as_ref()
                .map(|e| e.to_string())
                .unwrap_or_default();
            Some((cte.alias.name.value.clone(), cols, selection))
        })
        .collect()
}

/// The names of the CTEs holding the shared aggregates, without the distinct-count scan
/// some dialects add (`separate_distinct_scan`).
fn shared_aggregates(q: &Query) -> Vec<String> {
    event_ctes(q)
        .into_iter()
        .map(|(n, _, _)| n)
        .filter(|n| !n.contains("distinct"))
        .collect()
}

fn batch(p: &Program, ids: &[usize], d: &dyn Dialect) -> Query {
    compile::batch(p, ids, d, as_of()).unwrap_or_else(|e| panic!("{}: {e}", d.name()))
}

#[test]
fn duckdb_splits_the_batch_into_three_tiers() {
    let (_, p) = load_project(&root().join("fixtures/results"));
    let ids = tier_segments(&p);
    let duckdb = dialect::by_name("duckdb").expect("duckdb");
    assert!(duckdb.tier_by_window());
    let ctes = event_ctes(&batch(&p, &ids, duckdb));
    let names: Vec<&str> = ctes.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "events_per_user",
            "events_per_user_last_month",
            "events_per_user_last_quarter"
        ],
        "{ctes:#?}"
    );
    let cols = |name: &str| -> Vec<String> {
        let (_, cols, _) = ctes.iter().find(|(n, _, _)| n == name).expect("the CTE");
        cols.iter().filter(|c| *c != "user_id").cloned().collect()
    };
    // Windows starting up to 31 days back (a month, as of 06-01), then up to 92 (three
    // months), then the rest.
    assert_eq!(
        cols("events_per_user_last_month"),
        [
            "login_7d",
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
        [
            "unsubscribed",
            "login_last_at",
            "login_365d",
            "login_before_30d"
        ]
    );
    // Each scan reaches back as far as its earliest window and no further.
    let selection = |name: &str| {
        ctes.iter()
            .find(|(n, _, _)| n == name)
            .expect("CTE")
            .2
            .clone()
    };
    assert!(selection("events_per_user_last_month").contains("INTERVAL '-1' MONTH"));
    assert!(selection("events_per_user_last_quarter").contains("INTERVAL '-3' MONTH"));
    assert!(
        !selection("events_per_user").contains(">="),
        "the widest tier has unbounded windows: {}",
        selection("events_per_user")
    );
}

#[test]
fn dialects_without_tiers_keep_one_scan() {
    let (_, p) = load_project(&root().join("fixtures/results"));
    let ids = tier_segments(&p);
    for d in dialect::all() {
        if d.tier_by_window() {
            continue;
        }
        let names = shared_aggregates(&batch(&p, &ids, d));
        assert_eq!(names, ["events_per_user"], "{}", d.name());
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
    let names =
        |q: &Query| -> Vec<String> { event_ctes(q).into_iter().map(|(n, _, _)| n).collect() };
    // One month column and an unbounded one: one scan.
    let ids = [id("tier_login_7d"), id("tier_unsubscribed")];
    assert_eq!(names(&batch(&p, &ids, duckdb)), ["events_per_user"]);
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
    // One column from each tier, in one segment: the month's lone column joins the
    // quarter's, which makes two; the unbounded one keeps the relation's CTE.
    let mixed = compile::segment(&p, id("tier_mixed"), duckdb, as_of()).expect("compiles");
    let ctes = event_ctes(&mixed);
    let got: Vec<(&str, &[String])> = ctes.iter().map(|(n, c, _)| (n.as_str(), &c[1..])).collect();
    assert_eq!(
        got,
        [
            ("events_per_user", &["unsubscribed".to_string()][..]),
            (
                "events_per_user_last_quarter",
                &["login_7d".to_string(), "purchase_3mo".to_string()][..]
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
        .filter(|d| d.tier_by_window())
        .map(|d| d.name())
        .collect();
    assert_eq!(tiering, ["duckdb", "postgres", "clickhouse"]);
    for d in dialect::all().into_iter().filter(|d| d.tier_by_window()) {
        let names = shared_aggregates(&batch(&p, &ids, d));
        assert_eq!(
            names,
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
