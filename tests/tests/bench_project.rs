//! The benchmark's project (bench/) must keep checking cleanly and compiling in every
//! dialect, so that the figures in docs/benchmarks.md can always be reproduced.

use segql_plan::compile::Request;
use segql_plan::compile::{self, Options};
use segql_plan::dialect;
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

/// Each hand-written comparison in bench/handwritten/ finds exactly the members of
/// segql's statement for its segment, on generated data (3,000 users, the generator's
/// defaults), so that docs/benchmarks.md compares statements that mean the same.
#[test]
fn the_hand_written_comparisons_find_segqls_members() {
    use segql_run::engine::Engine;
    let data = tempfile::tempdir().expect("a temporary directory");
    let cfg = segql_datagen::Config {
        users: 3_000,
        out: data.path().to_path_buf(),
        format: segql_datagen::Format::Parquet,
        ..Default::default()
    };
    segql_datagen::generate(&cfg).expect("the data");
    let engine = Engine::in_memory().expect("DuckDB");
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
    let as_of = "2026-01-01";
    let (_, program) = load_project(&root().join("bench"));
    let opts = Options::literal(segql_syntax::time::parse_instant(as_of).expect("a date"));
    let members = |sql: &str| -> Vec<Option<String>> {
        // One statement without comments (the engine refuses anything else).
        let sql: Vec<&str> = sql
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect();
        let sql = sql.join("\n");
        let sql = sql.trim_end().trim_end_matches(';');
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
        let hand = std::fs::read_to_string(&f)
            .unwrap()
            .replace("{as_of}", &format!("{as_of} 00:00:00"));
        let ours = compile::to_sql(
            &compile::compile(&program, &Request::Segment(id), &dialect::DuckDb, opts)
                .expect("compiles"),
        );
        let (h, s) = (members(&hand), members(&ours));
        assert!(
            !s.is_empty(),
            "{stem}: no members on this data, nothing compared"
        );
        let only = |a: &[Option<String>], b: &[Option<String>]| -> Vec<Option<String>> {
            a.iter()
                .filter(|x| !b.contains(x))
                .take(10)
                .cloned()
                .collect()
        };
        assert!(
            h == s,
            "{stem}: the hand-written SQL finds {} members, segql {}; only by hand (first 10): {:?}; only segql's: {:?}",
            h.len(),
            s.len(),
            only(&h, &s),
            only(&s, &h)
        );
    }
}
