//! Reports across engines: every report of fixtures/results, on the rows of each test
//! block of its file, on DuckDB, PostgreSQL, ClickHouse (chdb) and Spark SQL (the
//! databricks dialect), each running its own dialect's SQL. Every engine must return
//! exactly the hand-checked rows of fixtures/results/reports.expected (cells compared
//! after the normalisation in `segql_tests::reports`), and so the same rows as DuckDB.
//!
//! A missing engine is skipped with the reason printed; in CI (`CI` set, `engines::in_ci`) it fails, as in
//! the conformance suite (`SEGQL_ENGINES` selects engines the same way).

use segql_tests::engines::{self, Engine, Missing, ENGINES};
use segql_tests::reports::{compare, parse_expected, run_reports, ReportRun};
use segql_tests::{load_project, root};
use std::collections::BTreeSet;

#[test]
fn every_engine_returns_the_hand_checked_report_rows() {
    let dir = root().join("fixtures/results");
    let (map, program) = load_project(&dir);
    let text = std::fs::read_to_string(dir.join("reports.expected")).expect("reports.expected");
    let expected = parse_expected(&text).unwrap_or_else(|e| panic!("reports.expected: {e}"));
    assert!(!program.reports.is_empty(), "fixtures/results has reports");

    // Every table names a report and a test block, and its header is the report's.
    for e in &expected {
        let r = program
            .reports
            .iter()
            .find(|r| r.name == e.report)
            .unwrap_or_else(|| panic!("reports.expected line {}: no report {}", e.line, e.report));
        assert!(
            program.tests.iter().any(|t| t.name == e.test),
            "reports.expected line {}: no test block {}",
            e.line,
            e.test
        );
        let mut header = vec!["segment".to_string()];
        header.extend(r.metrics.iter().map(|m| m.name.clone()));
        assert_eq!(e.header, header, "reports.expected line {}", e.line);
        let segments: Vec<Option<String>> = r
            .segments
            .iter()
            .map(|&id| Some(program.segments[id].name.clone()))
            .collect();
        let first: Vec<Option<String>> = e.rows.iter().map(|row| row[0].clone()).collect();
        assert_eq!(
            first, segments,
            "reports.expected line {}: a row per segment, in order",
            e.line
        );
    }

    let handles: Vec<_> = ENGINES
        .iter()
        .map(|&name| {
            let program = program.clone();
            let map = map.clone();
            std::thread::spawn(move || -> (&'static str, Result<Vec<ReportRun>, Missing>) {
                match engines::start_selected(name) {
                    Err(m) => (name, Err(m)),
                    Ok(mut e) => {
                        let e: &mut dyn Engine = e.as_mut();
                        (name, Ok(run_reports(e, &map, &program)))
                    }
                }
            })
        })
        .collect();
    let runs: Vec<(&str, Result<Vec<ReportRun>, Missing>)> = handles
        .into_iter()
        .map(|h| h.join().expect("an engine thread panicked"))
        .collect();

    let mut failures = Vec::new();
    let mut missing = Vec::new();
    let mut checked = 0;
    for (name, outcome) in &runs {
        let reports = match outcome {
            Err(m) => {
                engines::report_skip("reports", name, m);
                missing.push(format!("{name}: {}", m.0));
                continue;
            }
            Ok(r) => r,
        };
        // Every report ran on every test block of its file, and each has its table.
        let ran: BTreeSet<(String, String)> = reports
            .iter()
            .map(|r| (r.report.clone(), r.test.clone()))
            .collect();
        let tables: BTreeSet<(String, String)> = expected
            .iter()
            .map(|e| (e.report.clone(), e.test.clone()))
            .collect();
        assert_eq!(
            ran, tables,
            "{name}: the (report, test block) pairs run and those in reports.expected"
        );
        for run in reports {
            let want = expected
                .iter()
                .find(|e| e.report == run.report && e.test == run.test)
                .expect("checked above");
            checked += 1;
            let diffs = compare(run, want);
            if diffs.is_empty() {
                println!("reports: {name}: {} on {} ✓", run.report, run.test);
            } else {
                failures.push(format!(
                    "{name} | {} on {}:\n  {}",
                    run.report,
                    run.test,
                    diffs.join("\n  ")
                ));
            }
        }
    }
    if !missing.is_empty() && engines::in_ci() {
        failures.push(format!(
            "CI is set, so every engine must run; missing:\n  {}",
            missing.join("\n  ")
        ));
    }
    assert!(
        failures.is_empty(),
        "{} report failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(checked > 0, "no report ran on any engine");
}
