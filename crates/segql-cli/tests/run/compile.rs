//! `compile` (one segment, every dialect, batches, a directory of files, bad input) and
//! `dialects`, end to end on the shop of common/run_shop.rs; part of run.rs.

use crate::common::{code, stderr, stdout, Project};
use crate::run_shop::*;

#[test]
fn compile_one_segment_for_duckdb() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["compile", "-d", "duckdb", "-s", "paying"])))
    );
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).starts_with("-- segment paying, duckdb, as of 2024-06-01T00:00:00Z\n"));
}

#[test]
fn compile_one_segment_for_postgres() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "compile",
            "--dialect",
            "postgres",
            "--select",
            "buyers"
        ])))
    );
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("TIMESTAMP '2024-06-01 00:00:00'"));
}

#[test]
fn compile_for_every_dialect() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["compile", "-d", "all", "-s", "french"])))
    );
    assert_eq!(code(&out), 0);
    let headers: Vec<String> = stdout(&out)
        .lines()
        .filter(|l| l.starts_with("-- "))
        .map(String::from)
        .collect();
    let dialects = [
        "duckdb",
        "postgres",
        "redshift",
        "snowflake",
        "bigquery",
        "databricks",
        "clickhouse",
        "trino",
    ];
    assert_eq!(
        headers,
        dialects.map(|d| format!("-- segment french, {d}, as of 2024-06-01T00:00:00Z"))
    );
}

#[test]
fn compile_several_dialects_named_once_each() {
    let p = shop();
    let out = p
        .segql(&args(&at(&[
            "compile",
            "-d",
            "duckdb,postgres",
            "-d",
            "duckdb",
            "-s",
            "french",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0);
    assert_eq!(stdout(&out).matches("-- segment french").count(), 2);
}

#[test]
fn compile_a_batch() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "compile",
            "-d",
            "duckdb",
            "--batch",
            "-s",
            "paying,buyers"
        ])))
    );
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("AS paying") && stdout(&out).contains("AS buyers"));
}

#[test]
fn compile_a_batch_of_what_is_not_one() {
    let p = shop();
    // A report is not a segment.
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "compile", "-d", "duckdb", "--batch", "-s", "paying", "-s", "overview"
        ])))
    );
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty());
    // Segments of two entities are two statements.
    p.write(
        "segments/accounts.seg",
        "entity account {\n  table app.accounts\n  key account_id\n  columns {\n    industry string\n  }\n}\n\n\
         segment software of account {\n  where industry = \"software\"\n}\n",
    );
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["compile", "-d", "duckdb", "--batch"])))
    );
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("1 of account and 3 of user"),
        "{}",
        stderr(&out)
    );
    // One entity's segments are one.
    let out = p
        .segql(&args(&at(&[
            "compile", "-d", "duckdb", "--batch", "-s", "software",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn compile_a_report_a_split_and_a_priority_list() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "compile",
            "-d",
            "duckdb",
            "-s",
            "overview,pricing_test,stage"
        ])))
    );
    assert_eq!(code(&out), 0);
    for header in [
        "-- report overview",
        "-- split pricing_test",
        "-- priority stage",
    ] {
        assert!(stdout(&out).contains(header), "{header}");
    }
}

#[test]
fn compile_into_a_directory() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "compile",
            "-d",
            "duckdb,postgres",
            "-s",
            "paying,overview",
            "--out",
            "sql"
        ])))
    );
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).is_empty(), "the SQL goes to the files");
    let written: Vec<String> = p
        .listing()
        .into_iter()
        .filter(|f| f.starts_with("sql/"))
        .collect();
    assert_eq!(
        written,
        [
            "sql/duckdb/overview.sql",
            "sql/duckdb/paying.sql",
            "sql/postgres/overview.sql",
            "sql/postgres/paying.sql",
        ]
    );
    // Each file holds what `compile` prints for that segment and dialect alone.
    for (dialect, name) in [("duckdb", "paying"), ("postgres", "overview")] {
        let printed = p
            .segql(&args(&at(&["compile", "-d", dialect, "-s", name])))
            .output()
            .unwrap();
        assert_eq!(
            p.read(&format!("sql/{dialect}/{name}.sql")),
            stdout(&printed)
        );
    }
}

#[test]
fn compile_an_unknown_segment() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["compile", "-d", "duckdb", "-s", "payng"])))
    );
    assert_eq!(code(&out), 2, "a bad command line");
    assert!(stderr(&out).contains("did you mean `paying`?"));
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["compile", "-d", "duckdb", "-s", "churned"])))
    );
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty());
}

#[test]
fn compile_for_an_unknown_dialect() {
    let p = shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["compile", "-d", "postgress"]))));
    assert_eq!(code(&out), 2, "a bad command line");
    assert!(stderr(&out).contains("did you mean `postgres`?"));
    let out = run_snapshot!(p, p.segql(&args(&at(&["compile", "-d", "oracle"]))));
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty());
}

#[test]
fn compile_needs_a_dialect_and_a_valid_instant() {
    let p = shop();
    let out = run_snapshot!(p, p.segql(&["compile"]));
    assert_eq!(code(&out), 2, "a bad command line");
    let out = run_snapshot!(
        p,
        p.segql(&["compile", "-d", "duckdb", "--as-of", "yesterday"])
    );
    assert_eq!(code(&out), 2, "a bad --as-of is a bad command line");
}

#[test]
fn compile_a_project_with_errors() {
    let p = broken_shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["compile", "-d", "duckdb"]))));
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty(), "no SQL for a project with errors");
}

#[test]
fn dialects() {
    let p = Project::empty();
    let out = run_snapshot!(p, p.segql(&["dialects"]));
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("duckdb      executed"));
}
