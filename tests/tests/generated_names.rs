//! The CTEs segql generates (`events_per_user`, `sequences`, ...) never take the name of
//! an unqualified relation of the catalog: a CTE of that name would hide the table from
//! the statement, which would then read the CTE instead (or fail as recursive).

use segql_tests::{inline_project, run_test_blocks};
use std::path::Path;

const PROJECT: &str = r#"
entity user {
  table sequences
  key user_id
  columns {
    plan string
  }
}

events of user {
  table events_per_user
  key user_id
  name event_name
  time occurred_at
}

segment busy_activated {
  where did "login" at least 2 times
    and did "signup" then "project_created"
    and not did "signup" then "project_created" then "invite_sent"
}

test tables_named_like_generated_ctes {
  as_of 2026-01-01T00:00:00Z
  given user {
    | user_id | plan   |
    | "u1"    | "free" |
    | "u2"    | "free" |
    | "u3"    | "pro"  |
  }
  given events {
    | user_id | event_name        | occurred_at          |
    | "u1"    | "login"           | 2025-12-01T00:00:00Z |
    | "u1"    | "login"           | 2025-12-02T00:00:00Z |
    | "u1"    | "signup"          | 2025-11-01T00:00:00Z |
    | "u1"    | "project_created" | 2025-11-02T00:00:00Z |
    | "u2"    | "login"           | 2025-12-01T00:00:00Z |
    | "u2"    | "login"           | 2025-12-02T00:00:00Z |
    | "u2"    | "signup"          | 2025-11-01T00:00:00Z |
    | "u2"    | "project_created" | 2025-11-02T00:00:00Z |
    | "u2"    | "invite_sent"     | 2025-11-03T00:00:00Z |
    | "u3"    | "login"           | 2025-12-01T00:00:00Z |
    | "u3"    | "signup"          | 2025-11-01T00:00:00Z |
    | "u3"    | "project_created" | 2025-11-02T00:00:00Z |
  }
  # u2 went on to invite; u3 logged in once
  expect busy_activated = ["u1"]
}
"#;

#[test]
fn tables_named_like_generated_ctes_are_still_read() {
    let (map, program) = inline_project("names.seg", PROJECT);
    // The statement does have the CTEs whose names the tables would have had.
    let sql = segql_plan::compile::to_sql(
        &segql_plan::compile::compile(
            &program,
            &segql_plan::compile::Request::Segment(0),
            &segql_plan::dialect::DuckDb,
            segql_plan::compile::Options::literal(1_767_225_600_000_000),
        )
        .expect("compiles"),
    );
    assert!(sql.contains("FROM\n    events_per_user AS ev"), "{sql}");
    // The sequences' shared scan is named after `sequences`, taken by the users' table.
    assert!(sql.contains("sequences_2_steps AS ("), "{sql}");
    let (expectations, failures) = run_test_blocks(&map, &program, Path::new("."));
    assert_eq!(expectations, 1);
    assert!(failures.is_empty(), "{}\n{sql}", failures.join("\n"));
}
