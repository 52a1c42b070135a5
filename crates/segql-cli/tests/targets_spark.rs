//! `--target`, `segql seed` and `segql doctor` on a real Spark Connect server (the
//! databricks dialect, through adbc-driver-spark): the example project seeded into it,
//! every segment, report, split and priority list run there equals the embedded
//! DuckDB's result, `segql test --target` passes the example's tests and asserts, and a
//! failing statement or a relation missing there is coded and names the target.
//!
//! The server is started once per test run by scripts/target-servers (scripts/test does
//! it and exports SEGQL_TEST_SPARK_URI). Without it the tests print why and pass
//! locally; in CI (CI set and not false/0) they fail.

#[macro_use]
mod common;
#[path = "common/targets.rs"]
mod targets_common;

use common::{code, stderr, stdout};
use targets_common::{example, seed_once, Targets, AS_OF};

fn spark() -> Option<Targets> {
    let v = targets_common::server(
        &["SEGQL_TEST_SPARK_URI"],
        "scripts/test starts a Spark Connect server with scripts/target-servers",
    )?;
    Some(Targets::new(&format!(
        r#"
[targets.sp]
type = "spark"
uri = "{uri}"
schemas = {{ analytics = "t_analytics", billing = "t_billing", sales = "t_sales" }}

[targets.sp.environments.empty]
schemas = {{ analytics = "t_nothing_here", billing = "t_nothing_here", sales = "t_nothing_here" }}
"#,
        uri = v[0]
    )))
}

#[test]
fn every_result_on_spark_equals_duckdbs() {
    let Some(t) = spark() else { return };
    seed_once(&t, "sp");
    targets_common::every_result_equals_duckdbs(&t, "sp", &[]);
}

#[test]
fn the_examples_tests_and_asserts_pass_on_spark() {
    let Some(t) = spark() else { return };
    seed_once(&t, "sp");
    targets_common::tests_and_asserts_pass(&t, "sp");
}

#[test]
fn preview_and_doctor_on_spark() {
    let Some(t) = spark() else { return };
    seed_once(&t, "sp");
    let ex = example();
    let ex = ex.to_str().unwrap();
    let keep = |o: &std::process::Output| -> String {
        stdout(o)
            .lines()
            .take_while(|l| !l.starts_with("sql ("))
            .filter(|l| !l.starts_with("took"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let local = t.segql(&["preview", ex, "-s", "weekly_active", "--as-of", AS_OF]);
    assert_eq!(code(&local), 0, "{}", stderr(&local));
    let remote = t.segql(&[
        "preview",
        ex,
        "-s",
        "weekly_active",
        "--as-of",
        AS_OF,
        "--target",
        "sp",
    ]);
    assert_eq!(code(&remote), 0, "{}", stderr(&remote));
    assert_eq!(keep(&local), keep(&remote));
    assert!(stdout(&remote).contains("sql (databricks)"));
    let out = t.segql(&["doctor", ex, "--target", "sp"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("libadbc_driver_spark"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("5 relations checked"),
        "{}",
        stdout(&out)
    );
    // Relations that are not there: the run stops before any statement.
    let out = t.segql(&[
        "run", ex, "--as-of", AS_OF, "--target", "sp:empty", "--color", "never",
    ]);
    let e = stderr(&out);
    assert_eq!(code(&out), 1, "{e}");
    assert!(e.contains("error[E0701]: "), "{e}");
    assert!(e.contains("on target `sp:empty`"), "{e}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_refused_connection_on_spark_is_coded() {
    let Some(_) = spark() else { return };
    let t = Targets::new("[targets.down]\ntype = \"spark\"\nuri = \"sc://127.0.0.1:1\"\n");
    let ex = example();
    let out = t.segql(&[
        "run",
        ex.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--target",
        "down",
    ]);
    let e = stderr(&out);
    assert_eq!(code(&out), 1, "{e}");
    assert!(e.contains("error[E0803]"), "{e}");
    assert!(e.contains("target `down`"), "{e}");
}

/// `segql backtest --target sp` is refused before any step (E0719): the series is built
/// in session tables each step inserts into and deletes from, which Spark's temporary
/// views do not allow. The message is about the backtest, not about snapshots.
#[test]
fn a_backtest_on_spark_is_refused_with_what_to_do() {
    let Some(t) = spark() else { return };
    let ex = example();
    let ex = ex.to_str().unwrap();
    let out = t.segql(&[
        "backtest",
        "-C",
        ex,
        "--from",
        "2025-12-01T00:00:00Z",
        "--to",
        AS_OF,
        "--every",
        "1",
        "month",
        "--target",
        "sp",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let e = stderr(&out);
    assert!(e.contains("error[E0719]"), "{e}");
    assert!(e.contains("cannot run a backtest"), "{e}");
    assert!(!e.contains("snapshots"), "{e}");
    assert!(e.contains("PostgreSQL target"), "{e}");
    assert!(stdout(&out).is_empty());
}
