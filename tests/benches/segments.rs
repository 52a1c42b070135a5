//! The planner's benchmark in criterion: the 50 segments of `bench/segments.seg` over
//! data from the example's generator, on the DuckDB the workspace bundles.
//!
//! What is timed, each statement materialized (`CREATE OR REPLACE TEMP TABLE ... AS`, so
//! nothing is pruned):
//!
//! - **floor**: one bare aggregate scan of the events, grouped by user;
//! - **batch**: the 50 segments in one statement (`compile::batch`);
//! - **one_by_one**: the 50 single-segment statements, one after another.
//!
//! The data (`SEGQL_BENCH_USERS` users, default 10,000; 591,891 events) is generated
//! once into `bench/data/<users>/` and reused. `cargo bench` builds DuckDB's C++ with
//! optimisation (about an hour on two cores the first time); `--profile dev` reuses the
//! test build's unoptimised DuckDB and gives ratios only:
//!
//! ```sh
//! cargo bench -p segql-tests --bench segments
//! SEGQL_BENCH_USERS=100000 cargo bench -p segql-tests --bench segments
//! ```
//!
//! `bench/run.py` measures the same statements (and hand-written ones, bytes read and
//! memory) in DuckDB's optimized Python build at three scales: docs/benchmarks.md.

use criterion::{criterion_group, criterion_main, Criterion};
use segql_plan::compile::Request;
use segql_plan::compile::{self, Options};
use segql_plan::dialect::DuckDb;
use segql_run::engine::Engine;
use segql_syntax::SourceMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// 2026-01-01T00:00:00Z, the generator's default end of history, in microseconds.
const AS_OF: i64 = 1_767_225_600_000_000;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// The generated data for `users` users, written on the first run.
fn data(users: u64) -> PathBuf {
    let dir = root().join("bench").join("data").join(users.to_string());
    if !dir.join("users.parquet").exists() {
        eprintln!("generating {users} users into {}", dir.display());
        let cfg = segql_datagen::Config {
            users,
            out: dir.clone(),
            format: segql_datagen::Format::Parquet,
            ..Default::default()
        };
        segql_datagen::generate(&cfg).expect("the benchmark's data");
    }
    dir
}

/// The 50 segments: the batch statement and the single ones.
fn statements() -> (String, Vec<String>) {
    let mut map = SourceMap::new();
    let mut files = Vec::new();
    for name in ["catalog.seg", "segments.seg"] {
        let text = std::fs::read_to_string(root().join("bench").join(name)).expect(name);
        let id = map.add(name.to_string(), text.clone());
        let parsed = segql_syntax::parse(&text, id);
        assert!(parsed.diags.is_empty(), "{name}: {:?}", parsed.diags);
        files.push(parsed.file);
    }
    let refs: Vec<_> = files.iter().collect();
    let (program, diags) = segql_plan::check(&refs);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let ids: Vec<usize> = (0..program.segments.len()).collect();
    assert_eq!(ids.len(), 50);
    let o = Options::literal(AS_OF);
    let batch = compile::to_sql(
        &compile::compile(&program, &Request::batch(&ids), &DuckDb, o).expect("batch"),
    );
    let singles = ids
        .iter()
        .map(|&id| {
            compile::to_sql(
                &compile::compile(&program, &Request::Segment(id), &DuckDb, o).expect("one"),
            )
        })
        .collect();
    (batch, singles)
}

fn materialize(engine: &Engine, sql: &str) {
    let sql = sql.trim_end().trim_end_matches(';');
    engine
        .execute(&format!(
            "CREATE OR REPLACE TEMP TABLE bench_result AS {sql}"
        ))
        .expect("the statement runs");
}

fn segments(c: &mut Criterion) {
    let users: u64 = std::env::var("SEGQL_BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = data(users);
    let engine = Engine::in_memory().expect("DuckDB");
    let d = dir.display();
    engine
        .execute_script(&format!(
            "SET memory_limit = '4GB';
             CREATE SCHEMA analytics;
             CREATE VIEW analytics.users AS SELECT * FROM read_parquet('{d}/users.parquet');
             CREATE VIEW analytics.accounts AS SELECT * FROM read_parquet('{d}/accounts.parquet');
             CREATE VIEW analytics.events AS SELECT * FROM
               read_parquet('{d}/events/*/*.parquet', hive_partitioning = true);"
        ))
        .expect("views over the data");
    let (batch, singles) = statements();
    let floor = "SELECT user_id, count(*) AS n FROM analytics.events GROUP BY user_id";

    let mut g = c.benchmark_group(format!("segments_{users}_users"));
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    g.bench_function("floor", |b| b.iter(|| materialize(&engine, floor)));
    g.bench_function("batch", |b| b.iter(|| materialize(&engine, &batch)));
    g.bench_function("one_by_one", |b| {
        b.iter(|| singles.iter().for_each(|s| materialize(&engine, s)))
    });
    g.finish();
}

criterion_group!(benches, segments);
criterion_main!(benches);
