//! The CTEs segql generates (`events_per_user`, `sequences`, ...) never take the name of
//! an unqualified relation of the catalog: a CTE of that name would hide the table from
//! the statement, which would then read the CTE instead (or fail as recursive).

use segql_run::testing::run_test;
use segql_syntax::SourceMap;

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
    let mut map = SourceMap::new();
    let id = map.add("names.seg".to_string(), PROJECT.to_string());
    let parsed = segql_syntax::parse(PROJECT, id);
    assert!(parsed.diags.is_empty(), "{:?}", parsed.diags);
    let (program, diags) = segql_plan::check(&[&parsed.file]);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    // The statement does have the CTEs whose names the tables would have had.
    let sql = segql_plan::compile::to_sql(
        &segql_plan::compile::segment(
            &program,
            0,
            &segql_plan::dialect::DuckDb,
            segql_plan::compile::Options {
                as_of: 1_767_225_600_000_000,
            },
        )
        .expect("compiles"),
    );
    assert!(sql.contains("FROM\n    events_per_user AS ev"), "{sql}");
    assert!(sql.contains("sequences_2 AS ("), "{sql}");
    let outcome = run_test(&program, &program.tests[0], std::path::Path::new("."));
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert_eq!(outcome.expects.len(), 1);
    let e = &outcome.expects[0];
    assert!(
        e.passed(),
        "expected {:?}, got {:?}\n{sql}",
        e.expected,
        e.actual
    );
}
