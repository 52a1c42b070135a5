//! Random segments and random events on DuckDB, against the oracle.
//!
//! Each round (segql_tests::random) generates segments of one or two behavioural
//! conditions over windows that sit on and around the window tiers' edges, and users
//! with events around those edges (some exactly on a window's start). Most segments
//! alone are one scan (a tier needs two columns), while all of them in one batch fill
//! every tier. Each segment's members, from its own statement and from the batch, must
//! equal the oracle's (segql_tests::oracle: the condition evaluated in Rust from
//! docs/semantics.md, without SQL). The seeds are fixed, so a failure reproduces; the
//! failing round's project, data and statements are printed.

use segql_plan::compile::Request;
use segql_plan::compile::{self, Options};
use segql_plan::dialect;
use segql_run::engine::Engine;
use segql_tests::keys::{compare, Keys};
use segql_tests::random::{self, load_sql, round};
use segql_tests::{inline_project, members, oracle};
use std::collections::BTreeMap;

/// Rounds in CI; `SEGQL_RANDOM_ROUNDS=N` runs more (seeds 1 to N) locally.
const ROUNDS: u64 = 12;
const SEGMENTS: usize = 24;
const USERS: usize = 30;

#[test]
fn single_and_batch_members_equal_the_oracles() {
    let duckdb = dialect::by_name("duckdb").expect("duckdb");
    assert!(
        duckdb.capabilities().windows.splits(),
        "this suite is about DuckDB's tiers"
    );
    let rounds = random::rounds(ROUNDS);
    let mut tiered_rounds = 0;
    for seed in 1..=rounds {
        let rd = round(seed, SEGMENTS, USERS);
        let opts = Options::literal(rd.as_of_micros());
        let text = &rd.text;
        let (_, p) = inline_project(&format!("round {seed}"), text);
        let engine = Engine::in_memory().expect("DuckDB");
        engine
            .execute_script(&load_sql(&rd))
            .expect("the round's data loads");
        let ids: Vec<usize> = (0..p.segments.len()).collect();
        // One batch per entity (users, accounts), as `segql run` makes them.
        let mut by_entity: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &id in &ids {
            by_entity.entry(p.segments[id].entity).or_default().push(id);
        }
        // Each segment's members in the batch: the keys of the rows where its column is
        // true, every copy kept.
        let mut in_batch: BTreeMap<String, Vec<Option<String>>> = BTreeMap::new();
        let mut batch_sql = String::new();
        let mut tiered = false;
        for group in by_entity.values() {
            let batch = compile::compile(&p, &Request::batch(group), duckdb, opts)
                .expect("the batch compiles");
            let sql = compile::to_sql(&batch);
            tiered |= sql.contains("_last_month AS") || sql.contains("_last_quarter AS");
            let (cols, rows) = engine.rows(&sql).unwrap_or_else(|e| panic!("{e}\n{sql}"));
            // A batch has one row per entity.
            let keys = Keys::new(rows.iter().map(|r| r[0].clone()));
            if let Some(d) = keys.defects() {
                panic!("round {seed}: the batch's rows are not one per entity: {d}\n{sql}");
            }
            for row in &rows {
                for (col, cell) in cols.iter().zip(row).skip(1) {
                    let keys = in_batch.entry(col.clone()).or_default();
                    if cell.as_deref() == Some("true") {
                        keys.push(row[0].clone());
                    }
                }
            }
            batch_sql.push_str(&sql);
            batch_sql.push('\n');
        }
        tiered_rounds += usize::from(tiered);
        for &id in &ids {
            let seg = &p.segments[id];
            let single = compile::to_sql(
                &compile::compile(&p, &Request::Segment(id), duckdb, opts)
                    .expect("the segment compiles"),
            );
            let alone = members(&engine, &single);
            let together = Keys::new(in_batch.get(&seg.name).cloned().unwrap_or_default());
            let expected = Keys::of(oracle::expected(&rd, &seg.name));
            let problems: Vec<String> = [("alone", &alone), ("in the batch", &together)]
                .iter()
                .filter_map(|(how, got)| {
                    compare(&expected, got).err().map(|e| format!("{how}: {e}"))
                })
                .collect();
            if !problems.is_empty() {
                let differ: Vec<String> = alone
                    .minus(&expected)
                    .iter()
                    .chain(expected.minus(&alone).iter())
                    .chain(together.minus(&expected).iter())
                    .chain(expected.minus(&together).iter())
                    .flatten()
                    .map(|k| format!("'{k}'"))
                    .collect();
                let keys = if differ.is_empty() {
                    "NULL".to_string()
                } else {
                    differ.join(", ")
                };
                let events = engine
                    .rows(&format!(
                        "SELECT * FROM app.events WHERE user_id IN ({keys}) OR user_id IN \
                         (SELECT user_id FROM app.users WHERE account_id IN ({keys})) ORDER BY ALL"
                    ))
                    .map(|(_, rows)| format!("{rows:?}"))
                    .unwrap_or_else(|e| e.to_string());
                panic!(
                    "round {seed}, segment {}: {}\nthe oracle {expected:?}, alone {alone:?}, \
                     in the batch {together:?}\n\
                     events of the users (or of the accounts' users) that differ: {events}\n\
                     the project:\n{text}\nalone:\n{single}\nthe batch:\n{batch_sql}",
                    seg.name,
                    problems.join("\n")
                );
            }
        }
    }
    assert!(
        tiered_rounds >= rounds as usize / 2,
        "only {tiered_rounds} of {rounds} rounds had a tiered batch: the generator no longer covers tiers"
    );
}
