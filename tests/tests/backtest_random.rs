//! A backtest's steps in one statement, against the oracle, on random rounds.
//!
//! `segql backtest` on DuckDB computes many instants in one statement per entity: the
//! instants as a relation joined LATERAL to the batch statement, which reads its as-of
//! from that relation's column (`segql_run::membership::series::fill_steps`). Each step's
//! members must be those of a run at its instant. Each round (segql_tests::random: every
//! construct the generator makes, users with events around the windows' edges) is
//! computed at three instants in one statement — the round's as-of, and instants before
//! and after it that move its edge events across the windows — and every segment's
//! members at every step must equal the oracle's (segql_tests::oracle) at that instant.
//! The figures of a whole backtest, computed both ways (the instants as data, and a
//! batch statement per step), must be equal too.

use segql_plan::compile::{self, Options, Request};
use segql_run::engine::Engine;
use segql_run::membership::series::{self, Strategy};
use segql_tests::keys::{compare, Keys};
use segql_tests::random::{self, load_sql, round};
use segql_tests::{inline_project, oracle};
use std::collections::BTreeMap;

const ROUNDS: u64 = 6;
const SEGMENTS: usize = 20;
const USERS: usize = 30;
const HOUR: i64 = 3_600_000_000;

#[test]
fn every_step_of_a_backtest_in_one_statement_equals_the_oracle() {
    for seed in 1..=random::rounds(ROUNDS) {
        let rd = round(seed, SEGMENTS, USERS);
        let (_, p) = inline_project(&format!("round {seed}"), &rd.text);
        let engine = Engine::in_memory().expect("DuckDB");
        engine
            .execute_script(&load_sql(&rd))
            .expect("the round's data loads");
        let a = rd.as_of_micros();
        let instants = [a - 25 * HOUR, a, a + 73 * HOUR];
        let steps: Vec<(usize, i64)> = instants.iter().copied().enumerate().collect();
        let ids: Vec<usize> = (0..p.segments.len()).collect();
        engine
            .execute(
                "CREATE OR REPLACE TEMP TABLE segql_series \
                 (step INTEGER, segment VARCHAR, \"key\" VARCHAR)",
            )
            .unwrap();
        series::fill_steps(&engine, &p, &ids, &steps)
            .unwrap_or_else(|e| panic!("round {seed}: the series fails: {e:?}\n{}", rd.text));
        let (_, rows) = engine
            .rows("SELECT step, segment, \"key\" FROM segql_series")
            .unwrap();
        let mut got: BTreeMap<(usize, String), Vec<Option<String>>> = BTreeMap::new();
        for r in rows {
            let step: usize = r[0].as_deref().unwrap().parse().unwrap();
            got.entry((step, r[1].clone().unwrap()))
                .or_default()
                .push(r[2].clone());
        }
        for &(k, t) in &steps {
            let mut at = rd.clone();
            at.as_of = Box::leak(segql_syntax::time::format_timestamp(t).into_boxed_str());
            for seg in &p.segments {
                let expected = Keys::of(oracle::expected(&at, &seg.name));
                let members =
                    Keys::new(got.get(&(k, seg.name.clone())).cloned().unwrap_or_default());
                if let Err(e) = compare(&expected, &members) {
                    let single = compile::to_sql(
                        &compile::compile(
                            &p,
                            &Request::Segment(
                                p.segments.iter().position(|s| s.name == seg.name).unwrap(),
                            ),
                            engine_dialect(),
                            Options::literal(t),
                        )
                        .unwrap(),
                    );
                    panic!(
                        "round {seed}, step {k} ({}), segment {}: {e}\n\
                         the oracle {expected:?}, the series {members:?}\n\
                         the project:\n{}\na run at that instant:\n{single}",
                        at.as_of, seg.name, rd.text
                    );
                }
            }
        }
        // A whole backtest both ways: the same figures.
        let both: Vec<Vec<series::Step>> = [Strategy::Instants, Strategy::PerStep]
            .into_iter()
            .map(|s| {
                series::backtest_with(&engine, &p, &ids, &instants, s, &|_| {})
                    .unwrap_or_else(|e| panic!("round {seed}: {s:?}: {e:?}"))
            })
            .collect();
        assert_eq!(both[0], both[1], "round {seed}");
        assert_eq!(both[0].len(), instants.len() * ids.len());
    }
}

fn engine_dialect() -> &'static dyn segql_plan::dialect::Dialect {
    segql_plan::dialect::by_name("duckdb").expect("duckdb")
}
