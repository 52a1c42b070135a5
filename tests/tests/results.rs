//! Every `test` block in fixtures/results runs on DuckDB and must find exactly its
//! hand-checked members.

use segql_tests::{load_project, root, run_test_blocks};

#[test]
fn results_fixtures_find_their_hand_checked_members() {
    let dir = root().join("fixtures/results");
    let (map, program) = load_project(&dir);
    assert!(
        program.tests.len() >= 10,
        "expected the results fixtures to hold their test blocks, found {}",
        program.tests.len()
    );
    let (expectations, failures) = run_test_blocks(&map, &program, &dir);
    assert!(
        failures.is_empty(),
        "{} of {expectations} expectations failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(expectations >= 40, "only {expectations} expectations ran");
}
