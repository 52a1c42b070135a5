//! Shared by the docs tests: the example project (examples/saas) and its site.
#![allow(dead_code)]

pub mod browser;

use segql_docs::{build, Input, Site, Sizes};
use std::path::{Path, PathBuf};

/// The instant the tests compile SQL for (the example's data ends here).
pub const AS_OF: i64 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z

pub fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/saas")
}

/// A project read and checked; panics (a test failure) when it has errors.
pub fn workspace(dir: &Path) -> segql_project::Workspace {
    let ws = segql_project::workspace(&[dir.to_path_buf()]).expect("read the project");
    assert!(
        !ws.has_errors(),
        "the project has errors: {:?}",
        ws.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    ws
}

pub fn site_of(ws: &segql_project::Workspace, sizes: Option<&Sizes>) -> Site {
    let program = ws.program.as_ref().expect("a checked program");
    let input = Input {
        name: ws
            .inputs
            .config
            .name
            .clone()
            .unwrap_or_else(|| "project".into()),
        program,
        files: ws.files.iter().map(|l| &l.parsed.file).collect(),
        map: &ws.map,
        root: ws.inputs.root.as_deref(),
        sizes,
        as_of: AS_OF,
    };
    build(&input)
}

pub fn example_site(sizes: Option<&Sizes>) -> Site {
    site_of(&workspace(&example_dir()), sizes)
}

pub fn page(site: &Site, path: &str) -> String {
    String::from_utf8(
        site.files
            .get(path)
            .unwrap_or_else(|| panic!("no page {path}"))
            .clone(),
    )
    .expect("UTF-8")
}
