//! The fixture dbt project (fixtures/dbt) and a segql project drafted from it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/dbt")
}

pub fn manifest() -> String {
    std::fs::read_to_string(fixture().join("target/manifest.json")).expect("the fixture manifest")
}

/// Segments over the catalog drafted from the fixture: each kind of condition the
/// models must carry (events windows, a reference, an entity of its own, a string
/// that looks like Jinja).
pub const SEGMENTS: &str = r#"
segment pricing_lurkers of user {
  description "Looked at pricing 3 times in 2 weeks, bought nothing in 90 days"
  owner "growth@example.com"
  tags ["pricing", "intent"]
  where did "page_viewed" with page = "/pricing" at least 3 times in last 14 days
    and not did "purchase" in last 90 days
}

segment recent_buyers of user {
  where did "purchase" in last 365 days
}

segment pro_users of user {
  description "Verified users of pro accounts"
  where is_verified = true and account.plan = "pro"
}

segment big_accounts of account {
  where employees >= 2
}

segment curly of user {
  description "Emails holding {{ jinja }}"
  where email contains "{{ '{' }}" or email contains "{% raw %}"
}
"#;

/// A segql project of the drafted catalog and [`SEGMENTS`], checked as `segql check`
/// checks it (segql_project::workspace).
pub fn workspace(catalog: &str, segments: &str) -> (tempfile::TempDir, segql_project::Workspace) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("segql.toml"),
        "name = \"shop\"\npaths = [\"catalog.seg\", \"segments.seg\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("catalog.seg"), catalog).unwrap();
    std::fs::write(dir.path().join("segments.seg"), segments).unwrap();
    let ws = segql_project::workspace(&[dir.path().to_path_buf()]).unwrap();
    (dir, ws)
}

/// Every diagnostic, rendered as `segql check` prints them (plain text).
pub fn rendered(ws: &segql_project::Workspace) -> String {
    segql_syntax::diag::render_short(&ws.map, &ws.diags)
}
