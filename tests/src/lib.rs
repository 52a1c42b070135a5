//! segql-tests: test suites that span crates, driven by the files under `fixtures/`.
//!
//! This library loads fixture projects and drives the engines of the conformance suite
//! (`engines`, `conformance`); the suites are in `tests/`. It owns no product code.

pub mod conformance;
pub mod engines;

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

/// Parses and checks a fixture directory as one project; panics with rendered
/// diagnostics on any error.
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
    let (program, check_diags) = segql_plan::check(&refs);
    diags.extend(check_diags);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).cloned().collect();
    assert!(
        errors.is_empty(),
        "fixture project {} has errors:\n{}",
        dir.display(),
        render(&map, &errors, RenderOptions::PLAIN)
    );
    (map, program)
}
