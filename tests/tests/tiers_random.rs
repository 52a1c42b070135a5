//! Window tiers against random segments and random events, on DuckDB.
//!
//! Each round generates segments of one behavioural condition over windows that sit on
//! and around the tiers' edges (1 to 365 days, whole months; sequences within days or
//! months, active weeks and months), and users with events around those edges (some
//! exactly on a window's start). A one-condition segment alone is one scan (a tier needs
//! two columns), while all of them in one batch fill every tier: each segment's batch
//! members must equal its own statement's members. The seeds are fixed, so a failure
//! reproduces; the failing round's project, data and statements are printed.

use segql_plan::compile::{self, Options};
use segql_plan::dialect;
use segql_run::engine::Engine;
use segql_tests::inline_project;
use std::collections::{BTreeMap, BTreeSet};

const ROUNDS: u64 = 12;
const SEGMENTS: usize = 24;
const USERS: usize = 30;
const DAY: i64 = 86_400;

/// xorshift64*: enough to pick from small lists, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const NAMES: [&str; 3] = ["a", "b", "c"];
const DAYS: [i64; 11] = [1, 7, 14, 30, 31, 32, 60, 91, 92, 93, 365];
const MONTHS: [i64; 4] = [1, 2, 3, 4];

fn condition(r: &mut Rng) -> String {
    let e = r.pick(&NAMES);
    let n = *r.pick(&DAYS);
    match r.below(12) {
        9 => format!(
            "did \"{e}\" then \"{}\" within {}",
            r.pick(&NAMES),
            if r.below(2) == 0 {
                format!("{n} days")
            } else {
                format!("{} months", r.pick(&MONTHS))
            }
        ),
        10 => format!(
            "did \"{e}\" in at least 2 of last {} months",
            2 + r.below(3)
        ),
        11 => format!("did \"{e}\" in at least 2 of last {} weeks", 2 + r.below(8)),
        0 => format!("did \"{e}\" in last {n} days"),
        1 => format!(
            "did \"{e}\" at least {} times in last {n} days",
            2 + r.below(2)
        ),
        2 => {
            // Two different lengths, the longer first.
            let i = r.below(DAYS.len() - 1);
            let j = i + 1 + r.below(DAYS.len() - 1 - i);
            let (a, b) = (DAYS[j], DAYS[i]);
            format!("did \"{e}\" between {a} days ago and {b} days ago")
        }
        3 => format!("sum(amount) of \"{e}\" in last {n} days >= 20"),
        4 => format!("last time of \"{e}\" < {n} days ago"),
        5 => format!("first time of \"{e}\" in last {n} days"),
        6 => format!("did \"{e}\" in last {} months", r.pick(&MONTHS)),
        7 => format!("not did \"{e}\" in last {n} days"),
        _ => format!("stopped \"{e}\" for {n} days"),
    }
}

const CATALOG: &str = r#"
entity user {
  table app.users
  key user_id
  columns {
    plan string
  }
}

events of user {
  table app.events
  key user_id
  name event_name
  time occurred_at
  properties {
    amount decimal
  }
}
"#;

/// `2024-06-01T00:00:00Z` minus `secs`, as DuckDB's timestamp text.
fn timestamp(as_of: i64, secs: i64) -> String {
    let t = as_of - secs;
    let days = t.div_euclid(DAY);
    let rem = t.rem_euclid(DAY);
    let (y, m, d) = segql_syntax::time::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn members(engine: &Engine, sql: &str) -> BTreeSet<String> {
    engine
        .first_column(sql)
        .unwrap_or_else(|e| panic!("{e}\n{sql}"))
        .into_iter()
        .flatten()
        .collect()
}

#[test]
fn batch_members_equal_single_members_across_tiers() {
    let duckdb = dialect::by_name("duckdb").expect("duckdb");
    assert!(
        duckdb.tier_by_window(),
        "this suite is about DuckDB's tiers"
    );
    let as_of_text = "2024-06-01T00:00:00Z";
    let as_of_us = segql_syntax::time::parse_instant(as_of_text).expect("an instant");
    let as_of = as_of_us / 1_000_000;
    let opts = Options { as_of: as_of_us };
    let mut tiered_rounds = 0;
    for seed in 1..=ROUNDS {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x1000_0001));
        let mut text = CATALOG.to_string();
        for i in 0..SEGMENTS {
            text.push_str(&format!(
                "\nsegment s{i} {{\n  where {}\n}}\n",
                condition(&mut r)
            ));
        }
        let (_, p) = inline_project(&format!("round {seed}"), &text);

        let engine = Engine::in_memory().expect("DuckDB");
        let mut sql = String::from(
            "CREATE SCHEMA app;
             CREATE TABLE app.users (user_id VARCHAR, plan VARCHAR);
             CREATE TABLE app.events (user_id VARCHAR, event_name VARCHAR, occurred_at TIMESTAMP, amount DECIMAL(12, 2));\n",
        );
        for u in 0..USERS {
            sql.push_str(&format!("INSERT INTO app.users VALUES ('u{u}', 'free');\n"));
            for _ in 0..r.below(9) {
                // Exactly on a window's start, a second either side, or anywhere.
                let back = match r.below(4) {
                    0 => r.pick(&DAYS) * DAY,
                    1 => r.pick(&DAYS) * DAY - 1,
                    2 => r.pick(&DAYS) * DAY + 1,
                    _ => 1 + (r.next() % (400 * DAY as u64)) as i64,
                };
                let amount = if r.below(5) == 0 {
                    "NULL".to_string()
                } else {
                    format!("{}", 5 * r.below(6))
                };
                sql.push_str(&format!(
                    "INSERT INTO app.events VALUES ('u{u}', '{}', TIMESTAMP '{}', {amount});\n",
                    r.pick(&NAMES),
                    timestamp(as_of, back)
                ));
            }
        }
        engine.execute(&sql).expect("the round's data loads");

        let ids: Vec<usize> = (0..p.segments.len()).collect();
        let batch = compile::batch(&p, &ids, duckdb, opts).expect("the batch compiles");
        let batch_sql = compile::to_sql(&batch);
        if batch_sql.contains("_last_month AS") || batch_sql.contains("_last_quarter AS") {
            tiered_rounds += 1;
        }
        let (cols, rows) = engine
            .rows(&batch_sql)
            .unwrap_or_else(|e| panic!("{e}\n{batch_sql}"));
        let mut in_batch: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for row in &rows {
            let key = row[0].clone().expect("a key");
            for (col, cell) in cols.iter().zip(row).skip(1) {
                let set = in_batch.entry(col.clone()).or_default();
                if cell.as_deref() == Some("true") {
                    set.insert(key.clone());
                }
            }
        }
        for &id in &ids {
            let seg = &p.segments[id];
            let single = compile::to_sql(
                &compile::segment(&p, id, duckdb, opts).expect("the segment compiles"),
            );
            let alone = members(&engine, &single);
            let together = in_batch.get(&seg.name).cloned().unwrap_or_default();
            if alone != together {
                let differ: Vec<String> = alone
                    .symmetric_difference(&together)
                    .map(|k| format!("'{k}'"))
                    .collect();
                let events = engine
                    .rows(&format!(
                        "SELECT * FROM app.events WHERE user_id IN ({}) ORDER BY ALL",
                        differ.join(", ")
                    ))
                    .map(|(_, rows)| format!("{rows:?}"))
                    .unwrap_or_else(|e| e.to_string());
                panic!(
                    "round {seed}, segment {}: alone {alone:?}, in the batch {together:?}\n\
                     events of the users that differ: {events}\n\
                     the project:\n{text}\nalone:\n{single}\nthe batch:\n{batch_sql}",
                    seg.name
                );
            }
        }
    }
    assert!(
        tiered_rounds >= ROUNDS as usize / 2,
        "only {tiered_rounds} of {ROUNDS} batches were tiered: the generator no longer covers tiers"
    );
}
