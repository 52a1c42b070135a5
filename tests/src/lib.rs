//! segql-tests: test suites that span crates, driven by the files under `fixtures/`.
//!
//! This library loads fixture projects and drives the engines of the conformance suite
//! (`engines`, `conformance`; `reports` for the reports' rows), and generates random
//! projects and data (`random`) with the members an independent reference evaluator
//! expects (`oracle`); the suites are in `tests/`. Members are compared as multisets of
//! keys (`keys`). It owns no product code, and the oracle must not call the compiler.

pub mod bench_files;
pub mod conformance;
pub mod engines;
pub mod keys;
pub mod oracle;
pub mod random;
pub mod reports;

use segql_plan::ir::Program;
use segql_syntax::diag::{render, RenderOptions};
use segql_syntax::SourceMap;
use std::path::{Path, PathBuf};

/// The repository's root directory.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the repository")
        .to_path_buf()
}

/// Keeps a generated section of a file of the repository (`rel`, e.g. `docs/dialects.md`)
/// equal to `text`: what stands between the markers `begin` and `end`. With
/// `SEGQL_UPDATE_DOCS=1` the section is rewritten; otherwise a difference fails, naming
/// `what` and `rerun`, the command that rewrites it.
pub fn keep_generated(rel: &str, begin: &str, end: &str, text: &str, what: &str, rerun: &str) {
    let path = root().join(rel);
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let (Some(b), Some(e)) = (doc.find(begin), doc.find(end)) else {
        panic!("{rel} lacks the markers of {what}");
    };
    let wanted = format!("\n{text}");
    if doc[b + begin.len()..e] == wanted {
        return;
    }
    if std::env::var("SEGQL_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        let new = format!("{}{begin}{wanted}{}", &doc[..b], &doc[e..]);
        std::fs::write(&path, new).unwrap_or_else(|e| panic!("write {rel}: {e}"));
        println!("{what}: {rel} updated");
    } else {
        panic!(
            "{what} in {rel} is out of date; run SEGQL_UPDATE_DOCS=1 {rerun} and commit it. \
             Now:\n{text}"
        );
    }
}

/// Every `.seg` file of a fixture directory, sorted.
pub fn seg_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .collect();
    files.sort();
    files
}

/// Parses and checks a fixture directory as one project, with its `segql-stats.json`
/// when it has one; panics with rendered diagnostics on any error.
pub fn load_project(dir: &Path) -> (SourceMap, Program) {
    let mut map = SourceMap::new();
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for path in seg_files(dir) {
        let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
        let name = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .display()
            .to_string();
        let id = map.add(name, text.clone());
        let parsed = segql_syntax::parse(&text, id);
        diags.extend(parsed.diags);
        files.push(parsed.file);
    }
    let refs: Vec<&segql_syntax::ast::File> = files.iter().collect();
    let (mut program, check_diags) = segql_plan::check(&refs);
    diags.extend(check_diags);
    // Its statistics, as segql-project reads them for the CLI.
    match segql_project::stats::read(dir, &mut map) {
        Ok(s) => program.stats = s.unwrap_or_default(),
        Err(d) => diags.push(*d),
    }
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).cloned().collect();
    assert!(
        errors.is_empty(),
        "fixture project {} has errors:\n{}",
        dir.display(),
        render(&map, &errors, RenderOptions::PLAIN)
    );
    (map, program)
}

/// Parses and checks one project given as text (a suite's inline `.seg`); panics with
/// rendered diagnostics on any error.
pub fn inline_project(name: &str, text: &str) -> (SourceMap, Program) {
    let mut map = SourceMap::new();
    let id = map.add(name.to_string(), text.to_string());
    let parsed = segql_syntax::parse(text, id);
    let (program, check_diags) = segql_plan::check(&[&parsed.file]);
    let errors: Vec<_> = parsed
        .diags
        .into_iter()
        .chain(check_diags)
        .filter(|d| d.is_error())
        .collect();
    assert!(
        errors.is_empty(),
        "{name} has errors:\n{}",
        render(&map, &errors, RenderOptions::PLAIN)
    );
    (map, program)
}

/// Runs every `test` block of a program on DuckDB (given paths relative to `base`):
/// how many expectations ran, and a line per block that could not run or expectation
/// whose members differ.
///
/// Each block runs twice. First through `segql test`'s own runner
/// (`segql_run::testing`); then, when its given rows are all inline, through the
/// conformance harness on DuckDB (`conformance::run_test`), which compares members as
/// multisets (a key returned twice or a NULL key fails, which the runner's comparison
/// of distinct keys does not show) and runs the block's segments in one batch too.
pub fn run_test_blocks(map: &SourceMap, program: &Program, base: &Path) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut expectations = 0;
    let mut duckdb = engines::DuckDbEngine::start().expect("DuckDB starts");
    let mut empty = std::collections::HashSet::new();
    for t in &program.tests {
        let outcome = segql_run::testing::run_test(program, t, base);
        if let Some(e) = &outcome.error {
            failures.push(format!(
                "{} ({}): could not run: {e}",
                t.name,
                map.location(t.span)
            ));
            continue;
        }
        assert_eq!(
            outcome.expects.len(),
            t.expects.len(),
            "every expectation is checked"
        );
        for e in &outcome.expects {
            expectations += 1;
            if !e.passed() {
                failures.push(format!(
                    "{} ({}): {}: missing {:?}, unexpected {:?} (got {:?})",
                    t.name,
                    map.location(t.span),
                    e.target,
                    e.missing,
                    e.unexpected,
                    e.actual
                ));
            }
        }
        let inline = t
            .givens
            .iter()
            .all(|g| matches!(g.source, segql_plan::ir::GivenSourceDef::Rows { .. }));
        if inline {
            let run = conformance::run_test(&mut duckdb, program, t, t.name.clone(), &mut empty);
            if let Some(e) = &run.error {
                failures.push(format!("{} (as multisets): could not run: {e}", t.name));
            }
            for x in &run.expects {
                if let Some(why) = x.failure() {
                    failures.push(format!(
                        "{} ({}), {} (as multisets): {why}",
                        t.name,
                        map.location(t.span),
                        x.target
                    ));
                }
            }
        }
    }
    (expectations, failures)
}

/// The keys a statement returns (its first column) on DuckDB, every copy and NULL kept;
/// panics with the SQL when it fails.
pub fn members(engine: &segql_run::engine::Engine, sql: &str) -> keys::Keys {
    keys::Keys::new(
        engine
            .first_column(sql)
            .unwrap_or_else(|e| panic!("{e}\n{sql}")),
    )
}
