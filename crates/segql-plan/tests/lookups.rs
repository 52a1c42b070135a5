//! A frequent event looked up for the rest of an `or` (`plan::lookups`): in a DuckDB
//! batch with statistics, `did A or did F` over a long window reads `F` only for the
//! keys `A` leaves, and the shared aggregate no longer reads `F`'s rows; a `did` of
//! several names with a frequent one is split so. Not for one segment's statement, a
//! short window, a rare event, an event the batch reads anyway over a long window, or
//! another dialect. (That the members do not change is tests/tests/statistics.rs's: the
//! fixtures and random rounds with every name frequent.)

mod common;

use common::{options, project};
use segql_plan::compile::{self, Request};
use segql_plan::dialect;
use segql_plan::ir::Program;
use segql_plan::stats::{NameCounts, Statistics};

const CATALOG: &str = common::USERS_AND_EVENTS;

const SEGMENTS: &str = r#"
segment dormant {
  where last time of "login" < 60 days ago
}

segment active_this_year {
  where did ["login", "page_view"] in last 365 days
}

segment browsed_lately_or_bought {
  where did "purchase" in last 30 days or did "page_view" in last 30 days
}

segment bought_or_signed_up {
  where did "purchase" in last 365 days or did "signup" in last 365 days
}

segment heavy_browsers {
  where did "page_view" at least 100 times in last 400 days
}

segment browsed_or_bought {
  where did "purchase" in last 2 years or did "page_view" in last 2 years
}

segment regulars {
  where did "login" at least 3 times in last 7 days
}
"#;

/// Page views are most of the rows, logins a quarter, the rest rare.
fn stats() -> Statistics {
    let mut c = NameCounts::default();
    for (n, k) in [
        ("page_view", 600),
        ("login", 250),
        ("purchase", 20),
        ("signup", 30),
    ] {
        c.names.insert(n.to_string(), k);
        c.sampled += k;
    }
    c.rows = c.sampled;
    let mut s = Statistics::default();
    s.relations.insert("app.events".to_string(), c);
    s
}

fn batch(ids: &[usize]) -> Request {
    Request::batch(ids)
}

fn plan(p: &Program, r: &Request, d: &dyn dialect::Dialect) -> String {
    compile::plan(p, r, d, options()).expect("plans").display(p)
}

fn sql(p: &Program, r: &Request, d: &dyn dialect::Dialect) -> String {
    compile::to_sql(&compile::compile(p, r, d, options()).expect("compiles"))
}

#[test]
fn a_batch_looks_a_frequent_event_up_for_the_rest_of_its_or() {
    let (_, mut p) = project(&[("catalog.seg", CATALOG), ("segments.seg", SEGMENTS)]);
    p.stats = stats();
    let duckdb = dialect::by_name("duckdb").expect("duckdb");
    // The batch without `heavy_browsers`, which reads page views over 400 days anyway,
    // and `browsed_or_bought`, which would look them up over another window; with
    // `regulars`, so that the last month's tier has its two columns and scan.
    let four = batch(&[0, 1, 2, 3, 6]);
    let shown = plan(&p, &four, duckdb);
    let text = sql(&p, &four, duckdb);
    // `active_this_year` is split, its logins read from the last login `dormant` has,
    // its page views looked up; the 30-day page views (the checker's one list with the
    // purchases, in the last month's scan) and the rare signups are columns.
    assert!(
        shown.contains("derived page_view_365d_looked_up"),
        "{shown}"
    );
    assert!(shown.contains("purchase_etc_30d"), "{shown}");
    assert!(shown.contains("purchase_etc_365d"), "{shown}");
    let shared = text
        .split("), ")
        .next()
        .expect("the first CTE, the shared aggregate");
    assert!(
        !shared.contains("'page_view', ") && !shared.contains("'page_view')"),
        "the shared aggregate still reads page views:\n{text}"
    );
    assert!(
        text.contains(
            "ev.name = 'page_view' AND ev.user_id IN (SELECT u.id AS id FROM app.users AS u"
        ),
        "{text}"
    );
    insta::assert_snapshot!("duckdb", shown);

    // Beside a segment that reads page views over a longer window, or the 30-day ones
    // without a tier of their own, the shared aggregate reads them anyway; two lookups
    // over two windows would read them twice: no lookup.
    for ids in [
        &[0, 1, 2, 3, 4, 6][..],
        &[0, 1, 2, 3, 5, 6],
        &[0, 1, 2, 3],
        &[0, 1, 2, 3, 4, 5, 6],
    ] {
        let shown = plan(&p, &batch(ids), duckdb);
        assert!(!shown.contains("looked_up"), "{ids:?}\n{shown}");
        assert!(shown.contains("page_view_365d"), "{ids:?}\n{shown}");
    }

    // One segment's statement, another dialect, or no statistics: no lookup.
    for id in 0..p.segments.len() {
        let t = sql(&p, &Request::Segment(id), duckdb);
        assert!(!t.contains("looked_up"), "{t}");
    }
    for d in dialect::all().iter().filter(|d| d.name() != "duckdb") {
        let t = sql(&p, &four, *d);
        assert!(!t.contains("looked_up"), "{}: {t}", d.name());
    }
    p.stats = Statistics::default();
    let t = sql(&p, &four, duckdb);
    assert!(!t.contains("looked_up"), "{t}");
}
