//! Every `test` block in fixtures/results runs on DuckDB and must find exactly its
//! hand-checked members (through `segql test`'s runner, and again as multisets through
//! the conformance harness: see `segql_tests::run_test_blocks`).
//!
//! The number of test blocks and expectations of each file is pinned, so a fixture that
//! goes missing (a deleted block, a file that no longer loads, an `expect` line lost in
//! a merge) fails here instead of quietly shrinking the suite.

use segql_tests::{load_project, root, run_test_blocks};
use std::collections::BTreeMap;

/// Per file of fixtures/results: (test blocks, `expect` lines). After adding or removing
/// fixtures on purpose, update this table (the failure message prints the new counts).
const PINNED: &[(&str, usize, usize)] = &[
    ("actions.seg", 1, 9),
    ("adversarial.seg", 1, 18),
    ("anchored_windows.seg", 1, 9),
    ("behaviour.seg", 7, 29),
    ("composition.seg", 4, 20),
    ("counts_between.seg", 1, 6),
    ("dialects.seg", 2, 8),
    ("edges.seg", 22, 98),
    ("first_last_values.seg", 1, 9),
    ("extra_tables.seg", 1, 13),
    ("ignoring_case.seg", 1, 11),
    ("lapses.seg", 1, 11),
    ("ntile_population.seg", 1, 9),
    ("periods_counted.seg", 2, 8),
    ("reports.seg", 1, 6),
    ("sql_predicates.seg", 2, 14),
    ("tiers.seg", 1, 15),
    ("truth.seg", 2, 10),
    ("windows.seg", 5, 14),
];

#[test]
fn results_fixtures_find_their_hand_checked_members() {
    let dir = root().join("fixtures/results");
    let (map, program) = load_project(&dir);

    // The counts per file, before anything runs.
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for t in &program.tests {
        let (file, _) = segql_tests::conformance::test_label(&map, t);
        let c = counts.entry(file).or_default();
        c.0 += 1;
        c.1 += t.expects.len();
    }
    let pinned: BTreeMap<String, (usize, usize)> = PINNED
        .iter()
        .map(|(f, b, e)| (f.to_string(), (*b, *e)))
        .collect();
    // One line per file that differs, saying what to write in PINNED.
    let files: std::collections::BTreeSet<&String> = counts.keys().chain(pinned.keys()).collect();
    let mut changes = Vec::new();
    for f in files {
        match (pinned.get(f), counts.get(f)) {
            (Some(p), Some(c)) if p == c => {}
            (Some((pb, pe)), Some((b, e))) => changes.push(format!(
                "  {f}: pinned {pb} blocks of {pe} expectations, found {b} of {e}; if on \
                 purpose, make its line ({f:?}, {b}, {e}),"
            )),
            (None, Some((b, e))) => changes.push(format!(
                "  {f}: not pinned, found {b} blocks of {e} expectations; if a new file, add \
                 the line ({f:?}, {b}, {e}),"
            )),
            (Some((pb, pe)), None) => changes.push(format!(
                "  {f}: pinned {pb} blocks of {pe} expectations, found no test block (the file \
                 is gone or holds none); if on purpose, remove its line"
            )),
            (None, None) => unreachable!(),
        }
    }
    assert!(
        changes.is_empty(),
        "the test blocks of fixtures/results are not the pinned ones (PINNED in \
         tests/tests/results.rs): a fixture was lost, or some were added or removed on \
         purpose.\n{}",
        changes.join("\n")
    );

    let (expectations, failures) = run_test_blocks(&map, &program, &dir);
    assert!(
        failures.is_empty(),
        "{} failures ({expectations} expectations):\n{}",
        failures.len(),
        failures.join("\n")
    );
    let total: usize = PINNED.iter().map(|(_, _, e)| e).sum();
    assert_eq!(expectations, total, "every pinned expectation ran");
}
