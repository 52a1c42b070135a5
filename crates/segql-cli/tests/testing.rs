//! `segql test` end to end on the shop: passing and failing tests and asserts, GitHub
//! annotations, SARIF, JUnit, --fail-fast, selections, given files, and the checks made
//! before anything runs.

#[macro_use]
mod common;
#[path = "common/run_shop.rs"]
mod run_shop;

use common::{code, stderr, stdout, without_timings};
use run_shop::*;

// ---------------------------------------------------------------------------------------
// test
// ---------------------------------------------------------------------------------------

#[test]
fn testing_a_passing_project() {
    let p = shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["test"]))));
    assert_eq!(code(&out), 0);
    assert!(stderr(&out).contains("3 checks: 3 passed, 0 failed"));
}

const FAILING: &str = "\
test french_are_french {
  as_of 2024-06-01T00:00:00Z
  given user {
    | user_id | country |
    | \"a\"     | \"FR\"    |
    | \"b\"     | \"DE\"    |
    | \"c\"     | \"FR\"    |
  }
  expect french = [\"a\", \"b\"]
}

assert french {
  size between 5 and 10
  disjoint with paying
}
";

#[test]
fn testing_a_failing_test_and_a_failing_assert() {
    let p = shop();
    p.write("segments/failing.seg", FAILING);
    let out = run_snapshot!(p, p.segql(&args(&at(&["test"]))));
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.contains("FAIL  test french_are_french (segments/failing.seg:1:6)"));
    assert!(text.contains("missing    b"));
    assert!(text.contains("unexpected c"));
    assert!(text.contains("FAIL size between 5 and 10: 2 members"));
    assert!(text.contains("FAIL disjoint with paying: 1 member in both"));
    assert!(stderr(&out).contains("5 checks: 3 passed, 2 failed"));
}

#[test]
fn testing_with_github_annotations_and_fail_fast() {
    let p = shop();
    p.write("segments/failing.seg", FAILING);
    let out = p
        .segql(&args(&at(&["test", "--format", "github"])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    // The lines for people, and an annotation on each failure's declaration.
    assert!(text.contains("FAIL  test french_are_french (segments/failing.seg:1:6)"));
    assert!(
        text.contains("::error file=segments/failing.seg,line=1,col=6,endLine=1,endColumn=23,title=segql test french_are_french failed::french:%0A  missing    b%0A  unexpected c%0A"),
        "{text}"
    );
    assert!(
        text.contains("::error file=segments/failing.seg,line=12,col=1,endLine=15,endColumn=2,title=segql assert french failed::FAIL size between 5 and 10: 2 members%0AFAIL disjoint with paying: 1 member in both\n"),
        "{text}"
    );
    assert_eq!(text.matches("::error ").count(), 2, "{text}");
    // --fail-fast: the first failure stops the run; what was not run is counted.
    let out = p
        .segql(&args(&at(&["test", "--fail-fast"])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let e = stderr(&out);
    assert_eq!(stdout(&out).matches("FAIL").count(), 1, "{}", stdout(&out));
    assert!(
        e.contains("stopped at the first failure (--fail-fast): 4 checks not run"),
        "{e}"
    );
    // Passing, --fail-fast changes nothing.
    std::fs::remove_file(p.path("segments/failing.seg")).unwrap();
    let out = p
        .segql(&args(&at(&["test", "--fail-fast"])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("3 checks: 3 passed, 0 failed"));
}

/// `test --format sarif`: stdout is one SARIF 2.1.0 log, a result per failed test or
/// assert at its declaration; the lines for people go to stderr.
#[test]
fn testing_with_a_sarif_log() {
    let p = shop();
    p.write("segments/failing.seg", FAILING);
    let out = p
        .segql(&args(&at(&["test", "--format", "sarif"])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    let log: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("SARIF alone on stdout");
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{log}");
    assert_eq!(results[0]["ruleId"], "segql-test");
    assert_eq!(results[1]["ruleId"], "segql-assert");
    let region = &results[1]["locations"][0]["physicalLocation"];
    assert_eq!(region["artifactLocation"]["uri"], "segments/failing.seg");
    assert_eq!(region["region"]["startLine"], 12);
    assert!(
        results[1]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("FAIL size between 5 and 10: 2 members"),
        "{log}"
    );
    assert!(
        stderr(&out).contains("FAIL  test french_are_french"),
        "{}",
        stderr(&out)
    );
    // Passing: an empty log.
    std::fs::remove_file(p.path("segments/failing.seg")).unwrap();
    let out = p
        .segql(&args(&at(&["test", "--format", "sarif"])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn one_table_out_is_checked_before_running() {
    let p = shop();
    // Segments and a report: not one table, refused before anything runs.
    for extra in [&["--output", "out.csv"][..], &["--format", "csv"][..]] {
        let mut a = vec!["run"];
        a.extend_from_slice(extra);
        let out = p.segql(&args(&at(&a))).output().unwrap();
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        let e = stderr(&out);
        assert!(
            e.contains("among them report `overview`, whose columns are its own"),
            "{e}"
        );
        assert!(!e.contains("computing"), "nothing ran: {e}");
    }
    assert!(!p.path("out.csv").exists());
    // Segments of one entity are one table.
    let out = p
        .segql(&args(&at(&[
            "run",
            "-s",
            "kind:segment",
            "--format",
            "csv",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("result,user_id\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_instant_after_the_data_is_warned_about() {
    let p = shop();
    // The shop's events end in 2024; now is long after.
    let out = p
        .segql(&["run", "-s", "buyers", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let e = stderr(&out);
    assert!(e.contains("warning[W0720]: as of "), "{e}");
    assert!(
        e.contains("after the last event in app.events (2024-"),
        "{e}"
    );
    assert!(e.contains("hint: pass --as-of 2024-"), "{e}");
    // At the data's end: no warning; a segment that reads no events: none either.
    let out = p
        .segql(&args(&at(&["run", "-s", "buyers"])))
        .output()
        .unwrap();
    assert!(!stderr(&out).contains("W0720"), "{}", stderr(&out));
    let out = p.segql(&["run", "-s", "paying"]).output().unwrap();
    assert!(!stderr(&out).contains("W0720"), "{}", stderr(&out));
}

#[test]
fn the_engine_takes_the_memory_limit() {
    let p = shop();
    // A limit no query fits in: DuckDB itself refuses, so the limit reached it.
    let out = p
        .segql(&args(&at(&[
            "--memory-limit",
            "1KB",
            "run",
            "-s",
            "paying",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("Out of Memory"), "{}", stderr(&out));
    let out = p
        .segql(&args(&at(&[
            "--memory-limit",
            "256MB",
            "--threads",
            "1",
            "run",
            "-s",
            "paying",
        ])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn testing_with_a_junit_report() {
    let p = shop();
    p.write("segments/failing.seg", FAILING);
    let out = run_snapshot!(p, p.segql(&args(&at(&["test", "--junit", "junit.xml"]))));
    assert_eq!(code(&out), 1);
    let xml = p.read("junit.xml");
    insta::assert_snapshot!(without_timings(&xml));
    // Read loosely: the counts on <testsuites>, and one <testcase> per test and assert.
    let attr = |name: &str| -> u32 {
        let tag = &xml[xml.find("<testsuites").unwrap()..];
        let tag = &tag[..tag.find('>').unwrap()];
        let at = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    };
    assert_eq!(attr("tests"), 5);
    assert_eq!(attr("failures"), 2);
    assert_eq!(xml.matches("<testcase ").count(), 5);
    assert_eq!(xml.matches("<failure").count(), 2);
}

#[test]
fn testing_with_a_junit_report_nowhere() {
    let p = shop();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&["test", "--junit", "reports/junit.xml"])))
    );
    assert_eq!(code(&out), 1);
    assert!(stdout(&out).is_empty(), "nothing was run");
}

#[test]
fn testing_selected_tests_and_asserts() {
    let p = shop();
    p.write("segments/failing.seg", FAILING);
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "test",
            "--select",
            "paying_is_pro_or_business,paying"
        ])))
    );
    assert_eq!(code(&out), 0, "the failing ones are not run");
    assert!(stderr(&out).contains("2 checks: 2 passed, 0 failed"));
    // A name that is no test and no segment with asserts is a bad command line, not
    // an empty pass.
    let out = p
        .segql(&args(&at(&["test", "-s", "paying_is_pro_or_busines"])))
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("did you mean `paying_is_pro_or_business`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn testing_a_given_file_that_is_not_there() {
    let p = shop();
    std::fs::remove_file(p.path("tests/events.csv")).unwrap();
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "test",
            "-s",
            "buyers_bought_in_the_last_30_days"
        ])))
    );
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("could not run: [E0701] reading \"tests/events.csv\": no such file")
    );
    assert!(!stdout(&out).contains("LINE 1"));
}

#[test]
fn testing_a_given_file_with_a_bad_value() {
    let p = shop();
    p.write(
        "tests/events.csv",
        "user_id,event_name,occurred_at,amount\na,purchase,2024-05-20 10:00:00,lots\n",
    );
    let out = run_snapshot!(
        p,
        p.segql(&args(&at(&[
            "test",
            "-s",
            "buyers_bought_in_the_last_30_days"
        ])))
    );
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(text.contains("reading \"tests/events.csv\""), "{text}");
    assert!(text.contains("\"lots\""), "the value is named: {text}");
    assert!(
        !text.contains("Possible solutions"),
        "DuckDB's first paragraph only: {text}"
    );
}

#[test]
fn testing_asserts_on_data_that_does_not_fit() {
    let p = shop();
    p.write(
        "data/users.csv",
        "user_id,plan,country,age\nu1,pro,FR,thirty\n",
    );
    let out = run_snapshot!(p, p.segql(&args(&at(&["test"]))));
    assert_eq!(code(&out), 1);
    // The tests run on their own rows; the assert cannot.
    assert!(stdout(&out).contains("ok    test paying_is_pro_or_business"));
    assert!(stdout(&out).contains("FAIL  assert paying: the data could not be bound"));
}

#[test]
fn testing_a_project_with_errors() {
    let p = broken_shop();
    let out = run_snapshot!(p, p.segql(&args(&at(&["test"]))));
    assert_eq!(code(&out), 1);
}
