//! Random segments on every engine: DuckDB's members are the expectation.
//!
//! Each round (segql_tests::random) is a project of random one-condition segments and a
//! test block with random events around the windows' edges. DuckDB computes each
//! segment's members one statement at a time; they become the block's `expect` lines,
//! and the conformance harness then runs the block on DuckDB, PostgreSQL, ClickHouse and
//! Spark, each segment alone and all of them in one batch (where the window tiers fill).
//! Every engine must find DuckDB's members. Engines that are not installed are skipped
//! with the reason printed, and fail the suite with `CI=true`, as in conformance.rs.

use segql_plan::compile::{self, Options};
use segql_plan::dialect;
use segql_run::engine::Engine as DuckDb;
use segql_tests::conformance::run_all;
use segql_tests::engines::{self, ENGINES};
use segql_tests::inline_project;
use segql_tests::random::{given, load_sql, round};

const ROUNDS: u64 = 3;
const SEGMENTS: usize = 20;
const USERS: usize = 20;
const AS_OF: &str = "2024-06-01T00:00:00Z";

/// The round's project with a test block whose expectations are DuckDB's members.
fn project_with_expectations(seed: u64) -> String {
    let rd = round(1000 + seed, SEGMENTS, USERS);
    let as_of_us = segql_syntax::time::parse_instant(AS_OF).expect("an instant");
    let (_, p) = inline_project(&format!("round {seed}"), &rd.text);
    let duckdb = DuckDb::in_memory().expect("DuckDB");
    duckdb
        .execute(&load_sql(&rd, as_of_us / 1_000_000))
        .expect("the round's data loads");
    let d = dialect::by_name("duckdb").expect("duckdb");
    let mut block = format!(
        "\ntest random_{seed} {{\n  as_of {AS_OF}\n{}",
        given(&rd, as_of_us / 1_000_000)
    );
    for (id, seg) in p.segments.iter().enumerate() {
        let sql = compile::to_sql(
            &compile::segment(&p, id, d, Options { as_of: as_of_us }).expect("compiles"),
        );
        let members: Vec<String> = segql_tests::members(&duckdb, &sql)
            .into_iter()
            .map(|k| format!("\"{k}\""))
            .collect();
        block.push_str(&format!(
            "  expect {} = [{}]\n",
            seg.name,
            members.join(", ")
        ));
    }
    block.push_str("}\n");
    format!("{}{block}", rd.text)
}

#[test]
fn every_engine_finds_duckdbs_members_of_random_segments() {
    let texts: Vec<String> = (1..=ROUNDS).map(project_with_expectations).collect();
    let mut failures = Vec::new();
    for name in ENGINES {
        let mut engine = match engines::start_selected(name) {
            Ok(e) => e,
            Err(m) => {
                assert!(!engines::required(), "{name} is required in CI: {}", m.0);
                eprintln!("skipped {name}: {}", m.0);
                continue;
            }
        };
        for (i, text) in texts.iter().enumerate() {
            let (_, p) = inline_project(&format!("round {}", i + 1), text);
            let labels = vec![format!("random_{}", i + 1)];
            for run in run_all(engine.as_mut(), &p, &labels) {
                if let Some(e) = &run.error {
                    failures.push(format!("{name}, {}: could not run: {e}", run.test));
                }
                for x in run.expects.iter().filter(|x| !x.passed()) {
                    failures.push(format!(
                        "{name}, {}, {}: expected {:?}, got {:?}",
                        run.test, x.target, x.expected, x.members
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences from DuckDB:\n{}\n\nthe rounds:\n{}",
        failures.len(),
        failures.join("\n"),
        texts.join("\n")
    );
}
