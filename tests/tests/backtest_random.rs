//! A backtest's steps against the oracle, on random rounds.
//!
//! `segql backtest` computes each instant's members with the batch statement at that
//! instant (`segql_run::membership::series::fill_step`) and counts size, entered and
//! left from them (`series::figures`). Each step's members must be those of a run at
//! its instant. Each round (segql_tests::random: every construct the generator makes,
//! users with events around the windows' edges) is evaluated at three instants — the
//! round's as-of, and instants before and after it that move its edge events across the
//! windows — and every segment's members at every step must equal the oracle's
//! (segql_tests::oracle) at that instant; the backtest's figures must be the sizes and
//! differences of the oracle's sets.

use segql_run::engine::Engine;
use segql_run::membership::series;
use segql_tests::keys::{compare, Keys};
use segql_tests::random::{self, load_sql, round};
use segql_tests::{inline_project, oracle};
use std::collections::{BTreeMap, BTreeSet};

const ROUNDS: u64 = 6;
const SEGMENTS: usize = 20;
const USERS: usize = 30;
const HOUR: i64 = 3_600_000_000;

#[test]
fn every_step_of_a_backtest_equals_the_oracle_at_its_instant() {
    for seed in 1..=random::rounds(ROUNDS) {
        let rd = round(seed, SEGMENTS, USERS);
        let (_, p) = inline_project(&format!("round {seed}"), &rd.text);
        let engine = Engine::in_memory().expect("DuckDB");
        engine
            .execute_script(&load_sql(&rd))
            .expect("the round's data loads");
        let a = rd.as_of_micros();
        let instants = [a - 25 * HOUR, a, a + 73 * HOUR];
        let ids: Vec<usize> = (0..p.segments.len()).collect();
        engine
            .execute(
                "CREATE OR REPLACE TEMP TABLE segql_series \
                 (step INTEGER, segment VARCHAR, \"key\" VARCHAR)",
            )
            .unwrap();
        // The oracle's members of each segment at each step.
        let mut expected: Vec<BTreeMap<String, Vec<String>>> = Vec::new();
        for (k, &t) in instants.iter().enumerate() {
            series::fill_step(&engine, &p, &ids, k, t)
                .unwrap_or_else(|e| panic!("round {seed}: step {k} fails: {e:?}\n{}", rd.text));
            let mut at = rd.clone();
            at.as_of = Box::leak(segql_syntax::time::format_timestamp(t).into_boxed_str());
            let (_, rows) = engine
                .rows(&format!(
                    "SELECT segment, \"key\" FROM segql_series WHERE step = {k}"
                ))
                .unwrap();
            let mut got: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
            for r in rows {
                got.entry(r[0].clone().unwrap())
                    .or_default()
                    .push(r[1].clone());
            }
            let mut step = BTreeMap::new();
            for seg in &p.segments {
                let members = oracle::expected(&at, &seg.name);
                let got = Keys::new(got.get(&seg.name).cloned().unwrap_or_default());
                if let Err(e) = compare(&Keys::of(members.clone()), &got) {
                    panic!(
                        "round {seed}, step {k} ({}), segment {}: {e}\nthe oracle {members:?}, \
                         the step {got:?}\nthe project:\n{}",
                        at.as_of, seg.name, rd.text
                    );
                }
                step.insert(seg.name.clone(), members);
            }
            expected.push(step);
        }
        // The whole backtest: its figures are the sizes and differences of those sets.
        let steps = series::backtest(&engine, &p, &ids, &instants, &|_| {})
            .unwrap_or_else(|e| panic!("round {seed}: {e:?}"));
        assert_eq!(steps.len(), instants.len() * ids.len());
        for s in &steps {
            let k = instants.iter().position(|&t| t == s.instant).unwrap();
            let now: BTreeSet<&String> = expected[k][&s.segment].iter().collect();
            assert_eq!(s.size, now.len() as i64, "round {seed}, {s:?}");
            if k == 0 {
                assert_eq!((s.entered, s.left), (None, None), "round {seed}, {s:?}");
                continue;
            }
            let before: BTreeSet<&String> = expected[k - 1][&s.segment].iter().collect();
            let entered = now.difference(&before).count() as i64;
            let left = before.difference(&now).count() as i64;
            assert_eq!(
                (s.entered, s.left),
                (Some(entered), Some(left)),
                "round {seed}, {s:?}"
            );
        }
    }
}
