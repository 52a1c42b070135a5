//! Check and compile throughput on a generated project of 1,000 segments.
//!
//! The project comes from a seeded generator (no external data): a catalog of two
//! entities (users referencing accounts) with two events relations, 24 traits, and
//! 1,000 segments mixing every construct the language has: attribute tests of every
//! predicate, `did` with counts, every kind of window and property filters, aggregates,
//! first/last time, sequences, `stopped`, `in at least K of last N`, scores, `ntile`,
//! references to earlier segments, `sql` predicates, and account segments with every
//! quantifier. The generator asserts that the project checks without a diagnostic.
//!
//! What is timed:
//!
//! - **check**: `segql_plan::check` of the parsed project (catalog, names, types, IR).
//! - **compile_all_dialects**: for each of the eight dialects, `compile::segment` and
//!   `compile::to_sql` of every segment: 8,000 SQL statements.
//!
//! Run: `cargo bench -p segql-plan --bench compile`. Results: docs/benchmarks.md.

use criterion::{criterion_group, criterion_main, Criterion};
use segql_plan::compile::Request;
use segql_plan::compile::{self, Options};
use segql_plan::dialect;
use segql_plan::ir::Program;
use segql_syntax::{parse, FileId};
use std::hint::black_box;

#[path = "common/project_gen.rs"]
mod project_gen;

/// How many segments the project has.
pub const SEGMENTS: usize = 1_000;

/// 2024-06-01T00:00:00Z in microseconds since the epoch.
const AS_OF: i64 = 1_717_200_000_000_000;

/// Parses and checks the project; panics on any diagnostic.
fn project() -> (String, segql_syntax::ast::File, Program) {
    let text = project_gen::project_text(SEGMENTS);
    let parsed = parse(&text, FileId(0));
    assert!(
        parsed.diags.is_empty(),
        "the generated project does not parse: {:?}",
        &parsed.diags[..parsed.diags.len().min(5)]
    );
    let (program, diags) = segql_plan::check(&[&parsed.file]);
    assert!(
        diags.is_empty(),
        "the generated project does not check: {:?}",
        &diags[..diags.len().min(5)]
    );
    assert_eq!(program.segments.len(), SEGMENTS);
    (text, parsed.file, program)
}

/// Every segment in every dialect; returns the total SQL length (so nothing is elided).
fn compile_all(p: &Program) -> usize {
    let o = Options::literal(AS_OF);
    let mut bytes = 0;
    for d in dialect::all() {
        for id in 0..p.segments.len() {
            match compile::compile(p, &Request::Segment(id), d, o) {
                Ok(q) => bytes += compile::to_sql(&q).len(),
                Err(e) => bytes += e.0.len(),
            }
        }
    }
    bytes
}

fn bench(c: &mut Criterion) {
    let (text, file, program) = project();
    let sql_bytes = compile_all(&program);
    let unsupported: usize = dialect::all()
        .iter()
        .map(|d| {
            (0..program.segments.len())
                .filter(|&id| {
                    compile::compile(&program, &Request::Segment(id), *d, Options::literal(AS_OF))
                        .is_err()
                })
                .count()
        })
        .sum();
    eprintln!(
        "project: {} bytes, {} lines, {} segments ({} of account), {} traits; \
         all dialects: {} statements, {sql_bytes} bytes of SQL, {unsupported} unsupported",
        text.len(),
        text.lines().count(),
        program.segments.len(),
        program
            .segments
            .iter()
            .filter(|s| program.catalog.entities[s.entity].name == "account")
            .count(),
        program.traits.len(),
        program.segments.len() * dialect::all().len(),
    );

    let mut group = c.benchmark_group("compile");
    group.sample_size(20);
    group.bench_function("check", |b| {
        b.iter_with_large_drop(|| segql_plan::check(black_box(&[&file])))
    });
    // About half a second per iteration: give the 20 samples the time they need.
    group.measurement_time(std::time::Duration::from_secs(15));
    group.bench_function("compile_all_dialects", |b| {
        b.iter(|| compile_all(black_box(&program)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
