//! The SQL of every fixture segment in every dialect, as insta snapshots.
//!
//! `fixtures/lang/*.seg` form one project. For each fixture file and each dialect, the
//! segments the file declares are compiled (as of 2024-06-01T00:00:00Z) in declaration
//! order into one snapshot (`snapshots/dialects__FILE@DIALECT.snap`), and every
//! statement must parse back with that dialect's sqlparser parser. A second snapshot
//! per file (`dialects__FILE@diff.snap`) shows each dialect's SQL as a unified diff
//! against DuckDB's, so a review reads only what a dialect changes.
//!
//! After an intended change to the SQL:
//!
//! ```sh
//! INSTA_UPDATE=always cargo test -p segql-plan --test dialects
//! git diff crates/segql-plan/tests/snapshots   # read every changed snapshot
//! ```

mod common;

use common::{compile_segment, declared_segments, project, reparse};
use segql_plan::dialect::{self, Dialect};
use std::path::PathBuf;

fn fixtures() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/lang");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read fixtures/lang")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let stem = p
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&p).expect("read a fixture");
            (stem, text)
        })
        .collect()
}

/// One dialect's SQL for the segments of one file, and the statements that failed to
/// parse back.
fn render(
    program: &segql_plan::ir::Program,
    segments: &[String],
    d: &dyn Dialect,
    failures: &mut Vec<String>,
) -> String {
    let mut out = String::new();
    for name in segments {
        out.push_str(&format!("-- segment {name}\n"));
        match compile_segment(program, name, d) {
            Ok(sql) => {
                if let Err(e) = reparse(d, &sql) {
                    failures.push(format!(
                        "{}: segment {name} does not parse back: {e}\n{sql}",
                        d.name()
                    ));
                }
                out.push_str(&sql);
                out.push_str(";\n\n");
            }
            Err(e) => out.push_str(&format!("-- not supported: {e}\n\n")),
        }
    }
    out
}

#[test]
fn fixture_segments_in_every_dialect() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 5, "fixtures/lang went missing");
    let sources: Vec<(&str, &str)> = fixtures
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let (files, program) = project(&sources);

    let mut failures = Vec::new();
    let mut compiled = 0;
    for ((stem, _), file) in fixtures.iter().zip(&files) {
        let segments = declared_segments(file);
        if segments.is_empty() {
            continue;
        }
        let mut per_dialect = Vec::new();
        for d in dialect::all() {
            let text = render(&program, &segments, d, &mut failures);
            insta::assert_snapshot!(format!("{stem}@{}", d.name()), text);
            compiled += segments.len();
            per_dialect.push((d.name(), text));
        }

        let (base_name, base) = &per_dialect[0];
        assert_eq!(*base_name, "duckdb", "the diff is against DuckDB's SQL");
        let mut diff = String::new();
        for (name, text) in &per_dialect[1..] {
            let udiff = similar::TextDiff::from_lines(base.as_str(), text.as_str())
                .unified_diff()
                .context_radius(1)
                .header("duckdb", name)
                .to_string();
            diff.push_str(&format!("=== {name}\n"));
            if udiff.is_empty() {
                diff.push_str("(same as duckdb)\n");
            } else {
                diff.push_str(&udiff);
            }
            diff.push('\n');
        }
        insta::assert_snapshot!(format!("{stem}@diff"), diff);
    }
    assert!(compiled > 0, "no segment was compiled");
    assert!(
        failures.is_empty(),
        "{} statement(s) do not parse back:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
