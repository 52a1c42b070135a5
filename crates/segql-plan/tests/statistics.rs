//! What the project's statistics (`segql stats`) change in a plan, per dialect: DuckDB
//! tests a lapse of a rare event as its last time, gives a scan's name list the range
//! its rows are mostly outside of, and joins a sequence's steps where the per-key maxima
//! bound the pairs; without statistics, and on the dialects that take none of these
//! shapes, nothing changes. (That the members do not change either is
//! tests/tests/statistics.rs's.)

mod common;

use common::{options, project};
use segql_plan::compile::{self, Request};
use segql_plan::dialect;
use segql_plan::stats::{NameCounts, Statistics};

const CATALOG: &str = common::USERS_AND_EVENTS;

const SEGMENTS: &str = r#"
segment gone_quiet {
  where stopped "login" for 30 days
}

segment lapsed_buyers {
  where stopped "purchase" for 60 days
}

segment bought_or_upgraded {
  where did ["purchase", "upgrade"] in last 30 days
}

segment browsed_or_bought {
  where did ["page_view", "purchase"] in last 30 days
}

segment converted {
  where did "signup" then "upgrade" within 7 days then "purchase" within 30 days
}

segment browsed_then_logged_in {
  where did "page_view" then "login" within 1 hour
}
"#;

/// The shares of a product's events: page views and logins most of the rows.
fn stats() -> Statistics {
    let names = [
        ("page_view", 600),
        ("login", 250),
        ("purchase", 20),
        ("signup", 30),
        ("upgrade", 10),
    ];
    let mut c = NameCounts::default();
    for (n, k) in names {
        c.names.insert(n.to_string(), k);
        c.sampled += k;
    }
    c.sampled += 90; // names the catalog's segments do not read
    c.rows = c.sampled * 1000;
    // The most one user has: signups once, page views and logins by the thousand.
    for (n, m) in [
        ("page_view", 9000),
        ("login", 4000),
        ("purchase", 20),
        ("signup", 1),
        ("upgrade", 3),
    ] {
        c.max_per_key.insert(n.to_string(), m);
    }
    Statistics {
        relations: [("app.events".to_string(), c)].into(),
    }
}

#[test]
fn statistics_choose_lapses_and_name_ranges_on_duckdb_only() {
    let (_, mut p) = project(&[("catalog.seg", CATALOG), ("segments.seg", SEGMENTS)]);
    let mut out = String::new();
    for with in [false, true] {
        p.stats = if with { stats() } else { Statistics::default() };
        for d in ["duckdb", "postgres"] {
            let d = dialect::by_name(d).expect("a dialect");
            for (i, s) in p.segments.iter().enumerate() {
                let st = compile::statement(&p, segql_plan::ir::Target::Segment(i), d, options())
                    .expect("compiles");
                let plan = compile::plan(&p, &Request::Segment(i), d, options()).expect("plans");
                out.push_str(&format!(
                    "## {}, {}, {}\n{}\n{}\n",
                    s.name,
                    d.name(),
                    if with { "with statistics" } else { "without" },
                    st.text(),
                    plan.display(&p)
                ));
            }
        }
    }
    insta::assert_snapshot!(out);
}

/// A batch's sequences whose pairs the statistics bound are tested on lists of their
/// steps' times collected by the relation's aggregates (`converted`, all history, and
/// `signed_up_then_upgraded`, the last quarter's), on DuckDB and ClickHouse, and in an
/// aggregate of their own on Postgres and Spark; `browsed_then_logged_in`,
/// of page views and logins by the thousand per user, keeps its chain; without
/// statistics every sequence does, and neither one segment's own statement nor a batch
/// that aggregates the relation only for the lists takes them.
#[test]
fn a_batchs_bounded_sequences_take_lists_on_every_dialect_that_takes_them() {
    let extra = r#"
segment signed_up_then_upgraded {
  where did "signup" then "upgrade" within 1 day in last 90 days
}
"#;
    let mut p = with_more(extra);
    let ids: Vec<usize> = (0..p.segments.len()).collect();
    let batch = |p: &segql_plan::ir::Program, d: &str| {
        let d = dialect::by_name(d).expect("a dialect");
        compile::batch_statement(p, &ids, false, d, options())
            .expect("compiles")
            .text()
    };
    for d in ["duckdb", "postgres"] {
        let without = batch(&p, d);
        assert!(
            !without.contains("LIST("),
            "{d} without statistics:\n{without}"
        );
    }
    p.stats = stats();
    // Postgres and Spark collect the lists in an aggregate of the steps' events of its
    // own; on Postgres it also takes the shared aggregate's columns over rare names only
    // (`purchase`'s last time), leaving the frequent logins to few aggregates.
    let postgres = batch(&p, "postgres");
    let spark = batch(&p, "databricks");
    for (text, list, rare_moved) in [
        (&postgres, "array_agg(", true),
        (&spark, "collect_list(", false),
    ] {
        let own = cte(text, "events_steps_per_user");
        for name in [
            "signup_times",
            "upgrade_times",
            "purchase_times",
            "signup_times_90d",
        ] {
            assert!(own.contains(&format!(") AS {name}")), "{name}:\n{own}");
        }
        assert!(own.contains(list), "{own}");
        let shared = cte(text, "events_per_user");
        assert!(shared.contains(") AS login_last_at"), "{shared}");
        assert!(!shared.contains("_times"), "{shared}");
        assert_eq!(own.contains(") AS purchase_last_at"), rare_moved, "{own}");
        assert_eq!(
            shared.contains(") AS purchase_last_at"),
            !rare_moved,
            "{shared}"
        );
    }
    // Postgres has no lambdas: a chain is one EXISTS over the lists joined by the pairs.
    assert!(
        postgres.contains(
            "EXISTS (SELECT 1 FROM UNNEST(agg.signup_times) AS s1_list (s1) CROSS JOIN \
             UNNEST(agg.upgrade_times) AS s2_list (s2) CROSS JOIN UNNEST(agg.purchase_times) \
             AS s3_list (s3) WHERE s2 > s1 AND s2 <= (s1 + INTERVAL '7' DAY) AND s3 > s2 AND \
             s3 <= (s2 + INTERVAL '30' DAY))"
        ),
        "{postgres}"
    );
    assert!(
        spark.contains("exists(agg.signup_times_90d, s1 -> exists(agg.upgrade_times_90d, s2 ->"),
        "{spark}"
    );
    // ClickHouse collects the same lists with groupArrayIf and tests them with its own
    // higher-order functions.
    let clickhouse = batch(&p, "clickhouse");
    for list in ["signup_times", "upgrade_times", "purchase_times"] {
        assert!(
            clickhouse.contains(&format!(") AS {list}")),
            "{list}:\n{clickhouse}"
        );
    }
    assert!(clickhouse.contains("groupArrayIf("), "{clickhouse}");
    assert!(
        clickhouse.contains("arrayExists(s1 -> arrayExists(s2 -> s2 > s1"),
        "{clickhouse}"
    );
    let duckdb = batch(&p, "duckdb");
    for list in [
        "signup_times",
        "upgrade_times",
        "purchase_times",
        "signup_times_90d",
    ] {
        assert!(
            duckdb.contains(&format!(") AS {list}")),
            "{list}:\n{duckdb}"
        );
    }
    assert!(duckdb.contains("page_view_then_login"), "{duckdb}");
    // Each scan computes its sequences' matches: the joins carry booleans, not lists.
    let last_select = &duckdb[duckdb.rfind("\nSELECT").expect("a final SELECT")..];
    assert!(!last_select.contains("_times"), "{last_select}");
    assert!(
        last_select.contains("COALESCE(events_per_user.signup_then_purchase, FALSE) AS converted"),
        "{last_select}"
    );
    // A batch of sequences alone over their relation aggregates nothing else: joins.
    let d = dialect::by_name("duckdb").expect("a dialect");
    let sequences = ids_of(&p, &["converted", "signed_up_then_upgraded"]);
    for ids in [&sequences[..1], &sequences[..]] {
        let alone = compile::batch_statement(&p, ids, false, d, options())
            .expect("compiles")
            .text();
        assert!(!alone.contains("LIST("), "{alone}");
        // One sequence alone over its relation: its joins, as in its own statement.
        assert_eq!(
            ids.len() == 1,
            alone.contains(" AS b ON b.k = a.k"),
            "{alone}"
        );
    }
    for (i, s) in p.segments.iter().enumerate() {
        let own = compile::statement(&p, segql_plan::ir::Target::Segment(i), d, options())
            .expect("compiles")
            .text();
        assert!(!own.contains("LIST("), "{}:\n{own}", s.name);
    }
    let plan = compile::plan(
        &p,
        &Request::Batch {
            segments: ids.clone(),
            traits: vec![],
            long: false,
        },
        d,
        options(),
    )
    .expect("plans");
    insta::assert_snapshot!(format!("{duckdb}\n{}", plan.display(&p)));
}

/// Spark's batch counts distinct values in the sequences' own lists aggregate (as the
/// size of a set, the page views bounded to their month in the scan), not in a scan of
/// their own; Postgres keeps the distinct scan.
#[test]
fn a_batchs_distinct_counts_join_the_lists_aggregate_on_spark() {
    let many_pages = r#"
segment many_pages {
  where count distinct(page) of "page_view" in last 30 days >= 3
}
"#;
    let mut p = with_more(many_pages);
    p.stats = stats();
    let ids = ids_of(&p, &["gone_quiet", "converted", "many_pages"]);
    let batch = |d: &str| {
        let d = dialect::by_name(d).expect("a dialect");
        compile::batch_statement(&p, &ids, false, d, options())
            .expect("compiles")
            .text()
    };
    let spark = batch("databricks");
    let own = cte(&spark, "events_steps_per_user");
    assert!(
        own.contains(
            "size(collect_set(ev.page) FILTER (WHERE ev.name = 'page_view' AND ev.at >= \
             (TIMESTAMP '2024-06-01 00:00:00Z' - INTERVAL '30' DAY))) AS page_view_distinct_page_30d"
        ),
        "{own}"
    );
    assert!(
        own.contains(
            "(ev.name = 'page_view' AND ev.at >= (TIMESTAMP '2024-06-01 00:00:00Z' - INTERVAL '30' DAY))"
        ),
        "{own}"
    );
    assert!(!spark.contains("distinct_per_user"), "{spark}");
    let postgres = batch("postgres");
    assert!(
        postgres.contains("events_distinct_per_user AS ("),
        "{postgres}"
    );
    assert!(
        !cte(&postgres, "events_steps_per_user").contains("DISTINCT"),
        "{postgres}"
    );
}

/// On Postgres, a batch's last quarter read in a scan of its own joins the lists'
/// aggregate when every column of it reads rare names (one scan of the events less, each
/// column bounded by its own window in its filter); a column over a frequent name keeps
/// the quarter's scan, and every column with it. Spark keeps its rare columns out of
/// the lists' aggregate.
#[test]
fn a_batchs_rare_last_quarter_joins_the_lists_aggregate_on_postgres() {
    let quarter = r#"
segment repeat_buyers {
  where count of "purchase" in last 90 days >= 2
}

segment recent_upgrades {
  where count of "upgrade" in last 2 months >= 2
}

segment quarter_logins {
  where count of "login" in last 60 days >= 20
}
"#;
    let mut p = with_more(quarter);
    p.stats = stats();
    let batch = |d: &str, names: &[&str]| {
        let d = dialect::by_name(d).expect("a dialect");
        compile::batch_statement(&p, &ids_of(&p, names), false, d, options())
            .expect("compiles")
            .text()
    };
    let rare = [
        "converted",
        "gone_quiet",
        "repeat_buyers",
        "recent_upgrades",
    ];
    let postgres = batch("postgres", &rare);
    assert!(
        !postgres.contains("events_per_user_last_quarter"),
        "{postgres}"
    );
    let own = cte(&postgres, "events_steps_per_user");
    for column in [
        "COUNT(*) FILTER (WHERE ev.name = 'purchase' AND ev.at >= (TIMESTAMP '2024-06-01 00:00:00' \
         - INTERVAL '90' DAY)) AS purchase_90d",
        "COUNT(*) FILTER (WHERE ev.name = 'upgrade' AND ev.at >= (TIMESTAMP '2024-06-01 00:00:00' \
         - INTERVAL '2' MONTH)) AS upgrade_2mo",
    ] {
        assert!(own.contains(column), "{column}:\n{own}");
    }
    let spark = batch("databricks", &rare);
    assert!(
        !cte(&spark, "events_steps_per_user").contains("purchase_90d"),
        "{spark}"
    );
    let mut frequent = rare.to_vec();
    frequent.push("quarter_logins");
    let postgres = batch("postgres", &frequent);
    let tier = cte(&postgres, "events_per_user_last_quarter");
    for column in ["purchase_90d", "upgrade_2mo", "login_60d"] {
        assert!(
            tier.contains(&format!(") AS {column}")),
            "{column}:\n{tier}"
        );
    }
}

/// The catalog and the shared segments with `more` (the test's own segments), without
/// statistics.
fn with_more(more: &str) -> segql_plan::ir::Program {
    project(&[
        ("catalog.seg", CATALOG),
        ("segments.seg", SEGMENTS),
        ("more.seg", more),
    ])
    .1
}

/// The ids of the segments named.
fn ids_of(p: &segql_plan::ir::Program, names: &[&str]) -> Vec<usize> {
    names
        .iter()
        .map(|n| {
            p.segments
                .iter()
                .position(|s| s.name == *n)
                .expect("a segment")
        })
        .collect()
}

/// The CTE `name` of a statement's text, from its name to the next CTE.
fn cte<'a>(text: &'a str, name: &str) -> &'a str {
    let start = text
        .find(&format!("{name} AS ("))
        .unwrap_or_else(|| panic!("no CTE {name}:\n{text}"));
    let rest = &text[start..];
    let end = rest.find("\n), ").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}
