#![allow(dead_code)] // each target suite uses its own part of it
//! What the target suites (targets.rs on PostgreSQL, targets_spark.rs on Spark Connect)
//! share: finding the servers scripts/target-servers started (once per test run, through
//! the environment variables it writes), a targets file, `segql` run with it, and the
//! comparison of a run on a target with the embedded DuckDB's.

use super::common::{code, stderr, stdout, BIN};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const AS_OF: &str = "2026-01-01T00:00:00Z";

/// CI is set, and not empty, `false` or `0`: a missing server is a failure there.
pub fn in_ci() -> bool {
    match std::env::var("CI").ok().as_deref().map(str::trim) {
        None | Some("") | Some("0") => false,
        Some(v) => !v.eq_ignore_ascii_case("false"),
    }
}

/// The value of each variable, or `None` after saying why the test is skipped: straight
/// to the terminal (the harness captures a passing test's `eprintln!`), and a panic in
/// CI.
pub fn server(vars: &[&str], why: &str) -> Option<Vec<String>> {
    let values: Vec<String> = vars
        .iter()
        .map(|v| std::env::var(v).unwrap_or_default())
        .collect();
    if values.iter().all(|v| !v.is_empty()) {
        return Some(values);
    }
    let line = format!("{} not set ({why})", vars.join(" / "));
    if in_ci() {
        panic!("CI is set, so a missing server is a failure: {line}");
    }
    let _ = std::io::stderr().write_all(format!("SKIPPED: {line}\n").as_bytes());
    None
}

pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/saas")
}

/// A targets file (the user-level file, SEGQL_TARGETS_FILE) in a temporary directory,
/// so the example project is used as it is.
pub struct Targets {
    pub dir: tempfile::TempDir,
}

impl Targets {
    pub fn new(text: &str) -> Targets {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("targets.toml"), text).unwrap();
        Targets { dir }
    }

    pub fn file(&self) -> PathBuf {
        self.dir.path().join("targets.toml")
    }

    pub fn segql(&self, args: &[&str]) -> Output {
        self.segql_env(args, &[])
    }

    pub fn segql_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(BIN);
        c.args(args)
            .env("SEGQL_TARGETS_FILE", self.file())
            .env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }
}

/// `segql seed` of the example into `target`, once per test binary and target.
pub fn seed_once(t: &Targets, target: &str) {
    static DONE: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
    if done.iter().any(|d| d == target) {
        return;
    }
    let ex = example();
    let started = std::time::Instant::now();
    let out = t.segql(&[
        "seed",
        ex.to_str().unwrap(),
        "--target",
        target,
        "--replace",
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let _ = std::io::stderr().write_all(
        format!(
            "seeded the example into `{target}` in {:.1} s\n",
            started.elapsed().as_secs_f64()
        )
        .as_bytes(),
    );
    done.push(target.to_string());
}

/// Every segment, report, split and priority list of the example, run on `target` and
/// on the embedded DuckDB as JSON: the same results, in the same order.
pub fn every_result_equals_duckdbs(t: &Targets, target: &str, secrets: &[&str]) {
    let ex = example();
    let ex = ex.to_str().unwrap();
    let local = t.segql(&["run", ex, "--as-of", AS_OF, "--format", "json"]);
    assert_eq!(code(&local), 0, "{}", stderr(&local));
    let started = std::time::Instant::now();
    let remote = t.segql(&[
        "run", ex, "--as-of", AS_OF, "--format", "json", "--target", target,
    ]);
    let _ = std::io::stderr().write_all(
        format!(
            "segql run --target {target}: {:.2} s\n",
            started.elapsed().as_secs_f64()
        )
        .as_bytes(),
    );
    assert_eq!(code(&remote), 0, "{}", stderr(&remote));
    let a: serde_json::Value = serde_json::from_str(&stdout(&local)).unwrap();
    let b: serde_json::Value = serde_json::from_str(&stdout(&remote)).unwrap();
    let (a, b) = (a.as_array().unwrap(), b.as_array().unwrap());
    assert_eq!(a.len(), b.len());
    assert!(
        a.len() > 40,
        "every segment, report, split and priority list: {}",
        a.len()
    );
    let kinds = |v: &[serde_json::Value], k: &str| {
        v.iter()
            .filter(|r| r["result"].as_str().is_some_and(|s| s.starts_with(k)))
            .count()
    };
    for k in ["segment ", "report ", "split ", "priority "] {
        assert!(kinds(a, k) > 0, "the example has no {k}result");
    }
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x, y, "{} differs on {target}", x["result"]);
    }
    for s in secrets {
        assert!(!stdout(&remote).contains(s) && !stderr(&remote).contains(s));
    }
}

/// `segql test --target`: the example's tests and asserts pass, with the same report as
/// on the embedded DuckDB.
pub fn tests_and_asserts_pass(t: &Targets, target: &str) {
    let ex = example();
    let ex = ex.to_str().unwrap();
    let local = t.segql(&["test", ex, "--as-of", AS_OF]);
    assert_eq!(code(&local), 0, "{}{}", stdout(&local), stderr(&local));
    let remote = t.segql(&["test", ex, "--as-of", AS_OF, "--target", target]);
    assert_eq!(code(&remote), 0, "{}{}", stdout(&remote), stderr(&remote));
    assert_eq!(stdout(&local), stdout(&remote));
    let o = stdout(&remote);
    assert!(o.contains("ok    test"), "{o}");
    assert!(o.contains("ok    assert"), "{o}");
}
