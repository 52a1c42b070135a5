//! Arbitrary bytes as a `.seg` file beside the language fixtures' catalog
//! (fixtures/lang/catalog.seg), through the checker and every dialect's compiler: nothing
//! may panic, every diagnostic must render, and a project that checks must compile
//! each segment, report, split and priority, and each entity's batch (wide and long),
//! in every dialect to SQL that dialect's own sqlparser parser reads back as one
//! statement, or refuse it with `Unsupported` for what the dialect cannot express (an
//! internal error, a plan lacking what its SQL needs, is a failure).
//!
//! Seeded with the fixtures that check against that catalog:
//! `cargo fuzz run -s none check corpus/check ../fixtures/lang -- -dict=check.dict`
//! (docs/testing.md, "Fuzzing").

#![no_main]

use libfuzzer_sys::fuzz_target;
use segql_plan::compile::{self, Options, Request};
use segql_plan::dialect::{self, Dialect};
use segql_plan::ir::Program;
use segql_syntax::diag::{render, render_short};
use segql_syntax::{parse, parse_bytes, RenderOptions, Severity, SourceMap};
use sqlparser::parser::Parser;

const CATALOG: &str = include_str!("../../fixtures/lang/catalog.seg");

/// 2024-06-01T00:00:00Z in microseconds since the epoch.
const AS_OF: i64 = 1_717_200_000_000_000;

fuzz_target!(|data: &[u8]| {
    let mut map = SourceMap::new();
    let catalog_id = map.add("catalog.seg", CATALOG.to_string());
    let id = map.add("fuzz.seg", String::from_utf8_lossy(data).into_owned());
    let catalog = parse(CATALOG, catalog_id);
    let parsed = parse_bytes(data, id);
    if parsed.diags.iter().any(|d| d.is_error()) {
        return;
    }
    let (program, diags) = segql_plan::check(&[&catalog.file, &parsed.file]);
    let _ = render(&map, &diags, RenderOptions::PLAIN);
    let _ = render_short(&map, &diags);
    if diags.iter().any(|d| d.severity == Severity::Error) {
        return;
    }
    for d in dialect::all() {
        for r in requests(&program) {
            compile_and_reparse(&program, &r, d);
        }
    }
});

/// Every statement the project can be compiled to.
fn requests(p: &Program) -> Vec<Request> {
    let mut out: Vec<Request> = (0..p.segments.len()).map(Request::Segment).collect();
    out.extend((0..p.reports.len()).map(Request::Report));
    out.extend((0..p.splits.len()).map(Request::Split));
    out.extend((0..p.priorities.len()).map(Request::Priority));
    for e in 0..p.catalog.entities.len() {
        let segments: Vec<usize> = (0..p.segments.len())
            .filter(|&s| p.segments[s].entity == e)
            .collect();
        if segments.is_empty() {
            continue;
        }
        out.push(Request::batch(&segments));
        out.push(Request::Batch {
            segments,
            traits: Vec::new(),
            long: true,
        });
    }
    out
}

fn compile_and_reparse(p: &Program, r: &Request, d: &dyn Dialect) {
    let q = match compile::compile(p, r, d, Options::literal(AS_OF)) {
        Ok(q) => q,
        // What the dialect cannot express is said to the user; a plan that lacks what
        // its SQL needs is a bug.
        Err(e) if e.is_internal() => panic!("{}: {e}", d.name()),
        Err(_) => return,
    };
    let sql = compile::to_sql(&q);
    let parser = d.parser();
    match Parser::parse_sql(&*parser, &sql) {
        Ok(stmts) => assert_eq!(
            stmts.len(),
            1,
            "{} wrote {} statements:\n{sql}",
            d.name(),
            stmts.len()
        ),
        Err(e) => panic!("{}'s SQL does not parse back: {e}\n{sql}", d.name()),
    }
}
