//! Diagnostics after an edit, in a project of 5,000 segments, through the whole server.
//!
//! The project is segql-plan's generated benchmark project
//! (`crates/segql-plan/benches/common/project_gen.rs`) at 5,000 segments: the catalog
//! and traits in `catalog.seg`, the segments 100 to a file in `segments/` (50 files),
//! written to a temporary directory with a `segql.toml`. It checks without a
//! diagnostic (asserted before timing). The server runs in-process and is driven over
//! JSON-RPC on in-memory pipes, as in the tests.
//!
//! What is timed, for each layout:
//!
//! - **edit_to_diagnostics**: one `textDocument/didChange` of an open file, then
//!   waiting for the `textDocument/publishDiagnostics` it causes. Edits alternate
//!   between misspelling a column in one segment (one diagnostic) and fixing it (none),
//!   so every edit changes what is shown and the whole project is checked each time.
//!   The time covers reading the message, parsing the changed file (the other files'
//!   parses are reused), checking all 5,000 segments, converting the diagnostics and
//!   writing the notification.
//!
//! - **check_alone**, **check_and_free** and **parse_edited_file**: parts of that work
//!   measured on their own, outside the server: `segql_plan::check` of the project's
//!   parsed files (without and with freeing the program it returns: the server frees
//!   the previous analysis on each edit), and parsing the edited file's text. The rest
//!   of `edit_to_diagnostics` is the server's: the JSON of the edit (the whole file's
//!   text), reading the other files' texts again, and the notification.
//!
//! Layouts: `files_of_100` (the edit in one 100-segment file of 50) and `one_file`
//! (all 5,000 segments in one file, so every edit re-parses 0.7 MB).
//!
//! Run: `cargo bench -p segql-lsp --bench diagnostics`. Results: docs/benchmarks.md.

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use std::time::{Duration, Instant};

#[path = "../../segql-plan/benches/common/project_gen.rs"]
#[allow(dead_code)]
mod project_gen;

#[path = "../tests/support/mod.rs"]
mod support;

const SEGMENTS: usize = 5_000;
const PER_FILE: usize = 100;

/// The generated project split into files: `(name, text)`.
fn files(per_file: usize) -> Vec<(String, String)> {
    let text = project_gen::project_text(SEGMENTS);
    let starts: Vec<usize> = text
        .match_indices("\nsegment ")
        .map(|(i, _)| i + 1)
        .collect();
    let mut out = vec![("catalog.seg".to_string(), text[..starts[0]].to_string())];
    for (k, group) in starts.chunks(per_file).enumerate() {
        let from = group[0];
        let to = starts
            .get((k + 1) * per_file)
            .copied()
            .unwrap_or(text.len());
        out.push((format!("segments/s{k:03}.seg"), text[from..to].to_string()));
    }
    out
}

fn bench_layout(c: &mut Criterion, name: &str, per_file: usize) {
    let files = files(per_file);
    let mut all: Vec<(&str, &str)> = vec![(
        "segql.toml",
        "name = \"bench\"\npaths = [\"catalog.seg\", \"segments\"]\n",
    )];
    all.extend(files.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    let project = support::Project::new(&all);
    let ws = segql_project::workspace(&[project.dir.path().to_path_buf()]).unwrap();
    assert!(
        ws.diags.is_empty(),
        "the project does not check: {:?}",
        &ws.diags[..ws.diags.len().min(3)]
    );
    assert_eq!(
        ws.program.as_ref().map(|p| p.segments.len()),
        Some(SEGMENTS)
    );
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();

    // The edited file: the last one; a column misspelt in its first segment that
    // tests `country`.
    let (edited, good) = files.last().cloned().unwrap();
    assert!(good.contains("country "), "no country test in {edited}");
    let bad = good.replacen("country ", "countryy ", 1);
    let uri = project.uri(&edited);

    let mut client = support::Client::start();
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "segql", "version": 1, "text": good } }),
    );
    // The first analysis reads and parses everything; not timed.
    let start = Instant::now();
    client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } }),
    );
    eprintln!(
        "{name}: {} files, {bytes} bytes, {SEGMENTS} segments; edited {edited} ({} bytes); first analysis {:.1} ms",
        files.len(),
        good.len(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    let parsed: Vec<segql_syntax::Parsed> = files
        .iter()
        .enumerate()
        .map(|(i, (_, t))| segql_syntax::parse(t, segql_syntax::FileId(i as u32 + 1)))
        .collect();
    let asts: Vec<&segql_syntax::ast::File> = parsed.iter().map(|p| &p.file).collect();
    let mut version = 1;
    let mut broken = false;
    let mut group = c.benchmark_group(format!("lsp_{name}"));
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("edit_to_diagnostics", |b| {
        b.iter(|| {
            version += 1;
            broken = !broken;
            let text = if broken { &bad } else { &good };
            client.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": uri, "version": version },
                        "contentChanges": [{ "text": text }] }),
            );
            let d = client.diagnostics(&uri);
            assert_eq!(d.len(), usize::from(broken), "{d:?}");
        })
    });
    group.bench_function("check_alone", |b| {
        b.iter_with_large_drop(|| segql_plan::check(std::hint::black_box(&asts)))
    });
    group.bench_function("check_and_free", |b| {
        b.iter(|| segql_plan::check(std::hint::black_box(&asts)))
    });
    group.bench_function("parse_edited_file", |b| {
        b.iter_with_large_drop(|| {
            segql_syntax::parse(std::hint::black_box(&bad), segql_syntax::FileId(1))
        })
    });
    group.finish();
    client.shutdown().unwrap();
}

fn bench(c: &mut Criterion) {
    bench_layout(c, "files_of_100", PER_FILE);
    bench_layout(c, "one_file", SEGMENTS);
}

criterion_group!(benches, bench);
criterion_main!(benches);
