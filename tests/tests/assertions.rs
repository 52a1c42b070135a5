//! `assert` blocks, as `segql test` checks them (segql_run::assertions), on known data:
//! every kind of check (`size` with each comparison and `between`, `disjoint with`,
//! `subset of`) both holding and failing, with what it measured. `subset of` is checked
//! in both directions (a segment inside a larger one, and the larger one not inside it)
//! and from an empty segment.

use segql_plan::compile::Options;
use segql_run::assertions::run_assert;
use segql_run::Engine;
use segql_tests::inline_project;

const PROJECT: &str = r#"
entity user {
  table app.users
  key user_id
  columns {
    plan string
  }
}

segment everyone {
  where true
}

segment trial {
  where plan = "trial"
}

segment pro {
  where plan = "pro"
}

segment trial_or_pro {
  where plan in ["trial", "pro"]
}

segment nobody {
  where false
}

assert trial {
  size = 2
  size = 3
  size != 3
  size != 2
  size < 3
  size < 2
  size <= 2
  size <= 1
  size > 1
  size > 2
  size >= 2
  size >= 3
  size between 2 and 2
  size between 0 and 1
  size between 3 and 9
  disjoint with pro
  disjoint with nobody
  disjoint with trial_or_pro
  subset of trial_or_pro
  subset of everyone
  subset of pro
}

assert trial_or_pro {
  subset of trial
  disjoint with everyone
}

assert nobody {
  size = 0
  size > 0
  subset of pro
  disjoint with everyone
}

assert pro {
  size between 1 and 2
  subset of trial_or_pro
  disjoint with trial
}
"#;

/// u1 and u2 are on trial, u3 and u4 on pro, u5 has no plan.
const DATA: &str = "
CREATE SCHEMA app;
CREATE TABLE app.users (user_id VARCHAR, plan VARCHAR);
INSERT INTO app.users VALUES ('u1', 'trial'), ('u2', 'trial'), ('u3', 'pro'), ('u4', 'pro'),
  ('u5', NULL);
";

/// (segment, check as the runner writes it, holds, what it measured), in the order of
/// PROJECT.
const EXPECTED: &[(&str, &str, bool, &str)] = &[
    ("trial", "size = 2", true, "2 members"),
    ("trial", "size = 3", false, "2 members"),
    ("trial", "size != 3", true, "2 members"),
    ("trial", "size != 2", false, "2 members"),
    ("trial", "size < 3", true, "2 members"),
    ("trial", "size < 2", false, "2 members"),
    ("trial", "size <= 2", true, "2 members"),
    ("trial", "size <= 1", false, "2 members"),
    ("trial", "size > 1", true, "2 members"),
    ("trial", "size > 2", false, "2 members"),
    ("trial", "size >= 2", true, "2 members"),
    ("trial", "size >= 3", false, "2 members"),
    ("trial", "size between 2 and 2", true, "2 members"),
    ("trial", "size between 0 and 1", false, "2 members"),
    ("trial", "size between 3 and 9", false, "2 members"),
    ("trial", "disjoint with pro", true, "0 members in both"),
    ("trial", "disjoint with nobody", true, "0 members in both"),
    (
        "trial",
        "disjoint with trial_or_pro",
        false,
        "2 members in both",
    ),
    (
        "trial",
        "subset of trial_or_pro",
        true,
        "0 members not in trial_or_pro",
    ),
    (
        "trial",
        "subset of everyone",
        true,
        "0 members not in everyone",
    ),
    ("trial", "subset of pro", false, "2 members not in pro"),
    (
        "trial_or_pro",
        "subset of trial",
        false,
        "2 members not in trial",
    ),
    (
        "trial_or_pro",
        "disjoint with everyone",
        false,
        "4 members in both",
    ),
    ("nobody", "size = 0", true, "0 members"),
    ("nobody", "size > 0", false, "0 members"),
    ("nobody", "subset of pro", true, "0 members not in pro"),
    (
        "nobody",
        "disjoint with everyone",
        true,
        "0 members in both",
    ),
    ("pro", "size between 1 and 2", true, "2 members"),
    (
        "pro",
        "subset of trial_or_pro",
        true,
        "0 members not in trial_or_pro",
    ),
    ("pro", "disjoint with trial", true, "0 members in both"),
];

/// Which blocks pass: only `pro`, whose every check holds.
const BLOCKS: &[(&str, bool)] = &[
    ("trial", false),
    ("trial_or_pro", false),
    ("nobody", false),
    ("pro", true),
];

#[test]
fn every_kind_of_check_holds_and_fails_where_it_should() {
    let (_, p) = inline_project("assertions.seg", PROJECT);
    let engine = Engine::in_memory().expect("DuckDB");
    engine.execute_script(DATA).expect("the data loads");
    let opts = Options::literal(
        segql_syntax::time::parse_instant("2026-01-01T00:00:00Z").expect("an instant"),
    );
    let mut got = Vec::new();
    let mut blocks = Vec::new();
    for a in &p.asserts {
        let outcome = run_assert(&engine, &p, a, opts);
        assert_eq!(outcome.error, None, "assert {}", outcome.segment);
        assert_eq!(outcome.checks.len(), a.checks.len(), "every check runs");
        blocks.push((outcome.segment.clone(), outcome.passed()));
        for c in &outcome.checks {
            got.push((
                outcome.segment.clone(),
                c.check.clone(),
                c.passed,
                c.detail.clone(),
            ));
        }
    }
    let want: Vec<(String, String, bool, String)> = EXPECTED
        .iter()
        .map(|(s, c, ok, d)| (s.to_string(), c.to_string(), *ok, d.to_string()))
        .collect();
    // Every check that differs, not just the first.
    let differ: Vec<String> = got
        .iter()
        .zip(&want)
        .filter(|(g, w)| g != w)
        .map(|(g, w)| format!("  got {g:?}\n  not {w:?}"))
        .collect();
    assert!(
        differ.is_empty(),
        "(segment, check, holds, measured) differ:\n{}",
        differ.join("\n")
    );
    assert_eq!(got.len(), want.len(), "{got:#?}");
    let want: Vec<(String, bool)> = BLOCKS.iter().map(|(s, b)| (s.to_string(), *b)).collect();
    assert_eq!(blocks, want, "(block, passes)");
}
