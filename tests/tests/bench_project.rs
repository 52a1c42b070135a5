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
