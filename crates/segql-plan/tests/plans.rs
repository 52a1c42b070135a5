//! The plan of every results fixture, as insta snapshots: what each statement computes,
//! before any SQL is written.
//!
//! For each file of `fixtures/results` (one project with its catalog), the segments the
//! file declares are planned as one batch per entity, and each report, split and
//! priority list it declares on its own, for two plan shapes: DuckDB's (window tiers,
//! distinct aggregates in a scan of their own, active periods as bits) and the one
//! scan warehouses get (Snowflake's). Tests about the plan's shape read these, or the
//! `Plan` itself (`tests/tests/tiers.rs`), never the SQL taken apart.
//!
//! After an intended change to planning:
//!
//! ```sh
//! INSTA_UPDATE=always cargo test -p segql-plan --test plans
//! git diff crates/segql-plan/tests/snapshots   # read every changed snapshot
//! ```

mod common;

use common::{declared_segments, options, project};
use segql_plan::compile::{self, Request};
use segql_plan::dialect;
use segql_plan::ir::Program;
use segql_syntax::ast::{File, ItemKind};
use std::path::PathBuf;

fn results_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/results")
}

/// The requests a file's declarations make: a batch per entity of its segments (in
/// declaration order), and each report, split and priority list.
fn requests(p: &Program, file: &File) -> Vec<(String, Request)> {
    let mut out = Vec::new();
    let mut entities: Vec<usize> = Vec::new();
    let segments: Vec<usize> = declared_segments(file)
        .iter()
        .map(|n| p.segment_by_name(n).expect("declared"))
        .collect();
    for &id in &segments {
        let e = p.segments[id].entity;
        if !entities.contains(&e) {
            entities.push(e);
        }
    }
    for e in entities {
        let ids: Vec<usize> = segments
            .iter()
            .copied()
            .filter(|&i| p.segments[i].entity == e)
            .collect();
        out.push((
            format!("batch of {}", p.catalog.entities[e].name),
            Request::Batch {
                segments: ids,
                traits: vec![],
                long: false,
            },
        ));
    }
    for item in &file.items {
        let found = match &item.kind {
            ItemKind::Report(r) => p
                .reports
                .iter()
                .position(|x| x.name == r.name.name)
                .map(|i| (format!("report {}", r.name.name), Request::Report(i))),
            ItemKind::Split(s) => p
                .splits
                .iter()
                .position(|x| x.name == s.name.name)
                .map(|i| (format!("split {}", s.name.name), Request::Split(i))),
            ItemKind::Priority(x) => p
                .priorities
                .iter()
                .position(|y| y.name == x.name.name)
                .map(|i| (format!("priority {}", x.name.name), Request::Priority(i))),
            _ => None,
        };
        out.extend(found);
    }
    out
}

#[test]
fn results_fixtures_plan_as_snapshotted() {
    let dir = results_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/results")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    paths.sort();
    let texts: Vec<(String, String)> = paths
        .iter()
        .map(|p| {
            (
                p.file_name()
                    .expect("a name")
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read_to_string(p).expect("a fixture"),
            )
        })
        .collect();
    let sources: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let (files, p) = project(&sources);
    for ((name, _), file) in texts.iter().zip(&files) {
        if name == "catalog.seg" {
            continue;
        }
        let mut out = String::new();
        for (what, r) in requests(&p, file) {
            for d in ["duckdb", "snowflake"] {
                let d = dialect::by_name(d).expect("a dialect");
                let plan = compile::plan(&p, &r, d, options())
                    .unwrap_or_else(|e| panic!("{name}: {what}: {e}"));
                out.push_str(&format!("## {what}, {}\n{}\n", d.name(), plan.display(&p)));
            }
        }
        insta::assert_snapshot!(name.trim_end_matches(".seg").to_string(), out);
    }
}
