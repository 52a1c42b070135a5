//! A batch's conditions over the last times it computes anyway (`plan::rewrite`): "a
//! window and nothing since", a last time within a window and an event in a window up to
//! the as-of become tests of the last time over all history where the batch has it, on every dialect; a batch without that
//! last time, another filter, and every segment's own statement keep their counts. (That
//! the members do not change is the conformance suite's: fixtures/results/lapses.seg
//! runs each expectation alone and in a batch on every engine.)

mod common;

use common::{options, project};
use segql_plan::compile::{self, Request};
use segql_plan::dialect;
use segql_plan::ir::Target;

const CATALOG: &str = common::USERS_AND_EVENTS;

const SEGMENTS: &str = r#"
segment dormant {
  where last time of "login" < 60 days ago
}

segment quarter_not_month {
  where did "login" between 90 days ago and 30 days ago and not did "login" in last 30 days
}

segment lapsed_recently {
  where stopped "login" for 14 days in last 60 days
}

segment still_around {
  where not stopped "login" for 14 days in last 60 days
}

segment pricing_then_nothing {
  where did "login" with page = "/pricing" between 90 days ago and 30 days ago
    and not did "login" in last 30 days
}

segment bought_then_nothing {
  where did "purchase" between 90 days ago and 30 days ago and not did "purchase" in last 30 days
}
"#;

fn batch(ids: &[usize]) -> Request {
    Request::Batch {
        segments: ids.to_vec(),
        traits: vec![],
        long: false,
    }
}

#[test]
fn a_batch_tests_windows_by_the_last_time_it_has() {
    let (_, p) = project(&[("catalog.seg", CATALOG), ("segments.seg", SEGMENTS)]);
    let all: Vec<usize> = (0..p.segments.len()).collect();
    let mut duckdb = String::new();
    for d in dialect::all() {
        let with_last = compile::plan(&p, &batch(&all), d, options())
            .expect("plans")
            .display(&p);
        let without = compile::plan(&p, &batch(&all[1..]), d, options())
            .expect("plans")
            .display(&p);
        // `quarter_not_month` and the two lapses read the last login; the other filter
        // and the purchases keep their counts; without `dormant` nothing changes.
        for (column, rewritten) in [
            ("login_window:", true),
            ("login_30d:", true),
            ("login_last_at_60d:", true),
            ("login_window_filtered:", false),
            ("purchase_window:", false),
        ] {
            assert_eq!(
                with_last.contains(column),
                !rewritten,
                "{}: {column}\n{with_last}",
                d.name()
            );
            assert!(
                without.contains(column),
                "{}: {column}\n{without}",
                d.name()
            );
        }
        // A segment's own statement has no last time to read: its counts stay.
        let own = compile::statement(&p, Target::Segment(1), d, options())
            .expect("compiles")
            .text();
        assert!(own.contains("login_window"), "{}:\n{own}", d.name());
        if d.name() == "duckdb" {
            duckdb = format!("with `dormant`:\n{with_last}\nwithout it:\n{without}");
        }
    }
    insta::assert_snapshot!(duckdb);
}
