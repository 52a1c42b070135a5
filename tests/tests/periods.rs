//! `did E in at least K of last N weeks|days|hours`: the periods of docs/semantics.md
//! ("[as_of - 1 week, as_of) is the latest") on instants exactly at period boundaries.
//!
//! Fixed-length periods are numbered `(as_of - t - 1µs) div unit` (segql-plan,
//! compile.rs `period_bucket`): an event exactly `as_of - k units` back is in period
//! k - 1, and one exactly at the window's start is in the oldest period, not an extra one.

use segql_tests::{inline_project, run_test_blocks};
use std::path::Path;

const PROJECT: &str = r#"
entity user {
  table app.users
  key user_id
  columns {
    plan string
  }
}

events of user {
  table app.events
  key user_id
  name event_name
  time occurred_at
}

segment two_of_two_weeks {
  where did "login" in at least 2 of last 2 weeks
}

segment three_of_three_days {
  where did "login" in at least 3 of last 3 days
}

test period_boundaries {
  as_of 2026-01-01T00:00:00Z
  given user {
    | user_id |
    | "u1"    |
    | "u2"    |
    | "u3"    |
    | "u4"    |
  }
  given events {
    | user_id | event_name | occurred_at          |
    | "u1"    | "login"    | 2025-12-18T00:00:00Z |
    | "u1"    | "login"    | 2025-12-22T00:00:00Z |
    | "u2"    | "login"    | 2025-12-25T00:00:00Z |
    | "u2"    | "login"    | 2025-12-20T00:00:00Z |
    | "u3"    | "login"    | 2025-12-29T00:00:00Z |
    | "u3"    | "login"    | 2025-12-30T12:00:00Z |
    | "u3"    | "login"    | 2025-12-31T12:00:00Z |
    | "u4"    | "login"    | 2025-12-30T00:00:00Z |
    | "u4"    | "login"    | 2025-12-30T12:00:00Z |
    | "u4"    | "login"    | 2025-12-31T12:00:00Z |
  }
  # weeks [12-25, 01-01) and [12-18, 12-25): u1's logins are both in the older one
  # (the first at its very start); u2 has one in each (the first at the start of the
  # latest)
  expect two_of_two_weeks = ["u2"]
  # days [12-31, 01-01), [12-30, 12-31), [12-29, 12-30): u3 was active on each (the
  # first at the oldest's start); u4 on two (the first at the start of the middle one)
  expect three_of_three_days = ["u3"]
}
"#;

#[test]
fn events_at_period_boundaries_fall_in_the_later_period() {
    let (map, program) = inline_project("periods.seg", PROJECT);
    let (expectations, failures) = run_test_blocks(&map, &program, Path::new("."));
    assert_eq!(expectations, 2);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
