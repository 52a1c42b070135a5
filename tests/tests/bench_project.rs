//! The benchmark's project (bench/) must keep checking cleanly and compiling in every
//! dialect, so that the figures in docs/benchmarks.md can always be reproduced.

use segql_plan::compile::Request;
use segql_plan::compile::{self, Options};
use segql_plan::dialect;
use segql_tests::bench_files::{assert_same_batches, only_in, statement};
use segql_tests::{load_project, root};

#[test]
fn the_benchmark_project_checks_and_compiles() {
    let (_, program) = load_project(&root().join("bench"));
    assert_eq!(program.segments.len(), 50, "the benchmark has 50 segments");
    let opts = Options::literal(segql_syntax::time::parse_instant("2026-01-01").expect("a date"));
    let ids: Vec<usize> = (0..program.segments.len()).collect();
    for d in dialect::all() {
        for &id in &ids {
            compile::compile(&program, &Request::Segment(id), d, opts)
                .unwrap_or_else(|e| panic!("{}: {e}", d.name()));
        }
        let batch = compile::compile(&program, &Request::batch(&ids), d, opts)
            .unwrap_or_else(|e| panic!("{}: {e}", d.name()));
        let sql = compile::to_sql(&batch);
        // One scan of the events for all 50 segments (plus sequences, and distinct
        // counts on DuckDB): far fewer than one per segment.
        let scans = sql.matches("analytics.events AS ev").count();
        assert!(
            scans <= 6,
            "{}: the batch scans the events {scans} times",
            d.name()
        );
    }
}

/// 3,000 generated users (the generator's defaults: 24 months of history up to
/// 2026-01-01) behind the catalog's relation names in an in-memory DuckDB, bound as
/// bench/run.py binds them. The directory lives as long as the returned guard.
fn generated_data() -> (tempfile::TempDir, segql_run::engine::Engine) {
    let data = segql_tests::bench_files::generated_users();
    let engine = segql_run::engine::Engine::in_memory().expect("DuckDB");
    let d = data.path().display();
    engine
        .execute_script(&format!(
            "CREATE SCHEMA analytics;
             CREATE VIEW analytics.users AS SELECT * FROM read_parquet('{d}/users.parquet');
             CREATE VIEW analytics.accounts AS SELECT * FROM read_parquet('{d}/accounts.parquet');
             CREATE VIEW analytics.events AS SELECT * FROM
               read_parquet('{d}/events/*/*.parquet', hive_partitioning = true);"
        ))
        .expect("views over the data");
    (data, engine)
}

/// Each hand-written comparison in bench/handwritten/ finds exactly the members of
/// segql's statement for its segment, on generated data (3,000 users, the generator's
/// defaults), so that docs/benchmarks.md compares statements that mean the same: at the
/// three instants of the hand-written batch's test below (inside the history, at its
/// end, four days after it, where b01's idle trial users first exist); every segment
/// must have members at one of them at least, so that no comparison is only between
/// empty sets.
#[test]
fn the_hand_written_comparisons_find_segqls_members() {
    let (_data, engine) = generated_data();
    let (_, program) = load_project(&root().join("bench"));
    let members = |sql: &str| -> Vec<Option<String>> {
        let mut m = engine
            .first_column(&format!("SELECT user_id FROM ({sql}) AS m ORDER BY 1"))
            .unwrap_or_else(|e| panic!("{e}\n{sql}"));
        m.dedup();
        m
    };
    let mut files: Vec<_> = std::fs::read_dir(root().join("bench/handwritten"))
        .expect("bench/handwritten")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 8, "{files:?}");
    for f in files {
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        let id = program
            .segments
            .iter()
            .position(|s| s.name == stem)
            .unwrap_or_else(|| panic!("no segment {stem} for {}", f.display()));
        let text = std::fs::read_to_string(&f).unwrap();
        let mut seen = 0;
        for as_of in ["2025-12-20", "2026-01-01", "2026-01-05"] {
            let opts = Options::literal(segql_syntax::time::parse_instant(as_of).expect("a date"));
            let ours = statement(
                &compile::to_sql(
                    &compile::compile(&program, &Request::Segment(id), &dialect::DuckDb, opts)
                        .expect("compiles"),
                ),
                as_of,
            );
            let (h, s) = (members(&statement(&text, as_of)), members(&ours));
            seen += s.len();
            assert!(
                h == s,
                "{stem} as of {as_of}: the hand-written SQL finds {} members, segql {}; only by hand (first 10): {:?}; only segql's: {:?}",
                h.len(),
                s.len(),
                only_in(&h, &s),
                only_in(&s, &h)
            );
        }
        assert!(
            seen > 0,
            "{stem}: no members at any instant on this data, nothing compared"
        );
    }
}

/// bench/hand_batch.sql, the hand-written statement that bench/run.py times beside
/// segql's batch (`hand_batch`), has the batch's shape (`user_id`, then one boolean column per
/// segment in the same order, never NULL, one row per user) and finds exactly segql's
/// members for every segment, on the generated data at three instants: inside the
/// history (later events must not count), at its end (the benchmark's instant) and four
/// days after it. Every segment must have members at the last one, where the trial
/// users who signed up in the history's last two weeks have been idle for 14 days
/// (b01 holds for no one before), so that no comparison is between two empty sets.
#[test]
fn the_hand_written_batch_finds_segqls_members() {
    let (_data, engine) = generated_data();
    let (_, program) = load_project(&root().join("bench"));
    let ids: Vec<usize> = (0..program.segments.len()).collect();
    let text =
        std::fs::read_to_string(root().join("bench/hand_batch.sql")).expect("bench/hand_batch.sql");
    let table = |sql: &str| {
        let (columns, rows) = engine
            .rows(&format!("SELECT * FROM ({sql}) AS b ORDER BY user_id"))
            .unwrap_or_else(|e| panic!("{e}\n{sql}"));
        let keys: Vec<Option<String>> = rows.iter().map(|r| r[0].clone()).collect();
        (columns, rows, keys)
    };
    // Each instant, and whether every segment must have members there.
    let instants = [
        ("2025-12-20", false),
        ("2026-01-01", false),
        ("2026-01-05", true),
    ];
    for (as_of, all_have_members) in instants {
        let opts = Options::literal(segql_syntax::time::parse_instant(as_of).expect("a date"));
        let ours = compile::to_sql(
            &compile::compile(&program, &Request::batch(&ids), &dialect::DuckDb, opts)
                .expect("the batch compiles"),
        );
        let (s_cols, s_rows, _) = table(&statement(&ours, as_of));
        let (h_cols, h_rows, _) = table(&statement(&text, as_of));
        assert_eq!(h_cols, s_cols, "{as_of}: the hand-written batch's columns");
        assert_eq!(s_cols.len(), ids.len() + 1, "{as_of}: the batch's columns");
        assert_same_batches(as_of, &s_cols[1..], &h_rows, &s_rows, all_have_members);
    }
}
