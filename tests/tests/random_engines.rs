//! Random segments on every engine, against the oracle's members.
//!
//! Each round (segql_tests::random) is a project of random segments of one or two
//! conditions and a test block with random events around the windows' edges. The oracle
//! (segql_tests::oracle, which evaluates each condition in Rust from docs/semantics.md,
//! without SQL) computes each segment's members; they become the block's `expect` lines,
//! and the conformance harness then runs the block on DuckDB, PostgreSQL, ClickHouse and
//! Spark, each segment alone and all of them in one batch (where the window tiers fill).
//! Every engine must find the oracle's members. Engines that are not installed are skipped
//! with the reason printed, and fail the suite in CI, as in conformance.rs.

use segql_tests::conformance::run_all;
use segql_tests::engines::{self, ENGINES};
use segql_tests::inline_project;
use segql_tests::random::{self, round, CI_SEEDS_AFTER};

/// Rounds in CI; `SEGQL_RANDOM_ROUNDS=N` runs more (seeds 1 to N) locally.
const ROUNDS: u64 = 3;
const SEGMENTS: usize = 20;
const USERS: usize = 20;

/// The round's project with a test block whose expectations are the oracle's members.
fn project_with_expectations(seed: u64) -> String {
    let rd = round(CI_SEEDS_AFTER + seed, SEGMENTS, USERS);
    random::with_expectations(&rd, &format!("random_{seed}"))
}

#[test]
fn every_engine_finds_the_oracles_members_of_random_segments() {
    let rounds = random::rounds(ROUNDS);
    let texts: Vec<String> = (1..=rounds).map(project_with_expectations).collect();
    let mut failures = Vec::new();
    for name in ENGINES {
        let Some(mut engine) = engines::start_or_skip("random_engines", name) else {
            continue;
        };
        for (i, text) in texts.iter().enumerate() {
            let (_, p) = inline_project(&format!("round {}", i + 1), text);
            let labels = vec![format!("random_{}", i + 1)];
            for run in run_all(engine.as_mut(), &p, &labels) {
                failures.extend(run.problems().into_iter().map(|f| format!("{name}, {f}")));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences from the oracle:\n{}\n\nthe rounds:\n{}",
        failures.len(),
        failures.join("\n"),
        texts.join("\n")
    );
}
