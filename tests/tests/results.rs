//! Every `test` block in fixtures/results runs on DuckDB and must find exactly its
//! hand-checked members.

use segql_run::testing::run_test;
use segql_tests::{load_project, root};

#[test]
fn results_fixtures_find_their_hand_checked_members() {
    let dir = root().join("fixtures/results");
    let (map, program) = load_project(&dir);
    assert!(
        program.tests.len() >= 10,
        "expected the results fixtures to hold their test blocks, found {}",
        program.tests.len()
    );
    let mut failures = Vec::new();
    let mut expectations = 0;
    for t in &program.tests {
        let outcome = run_test(&program, t, &dir);
        if let Some(e) = &outcome.error {
            failures.push(format!(
                "{} ({}): could not run: {e}",
                t.name,
                map.location(t.span)
            ));
            continue;
        }
        assert_eq!(
            outcome.expects.len(),
            t.expects.len(),
            "every expectation is checked"
        );
        for e in &outcome.expects {
            expectations += 1;
            if !e.passed() {
                failures.push(format!(
                    "{} ({}): {}: missing {:?}, unexpected {:?} (got {:?})",
                    t.name,
                    map.location(t.span),
                    e.target,
                    e.missing,
                    e.unexpected,
                    e.actual
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {expectations} expectations failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(expectations >= 40, "only {expectations} expectations ran");
}
