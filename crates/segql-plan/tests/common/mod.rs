//! Helpers shared by the dialect test suites: building a project from `.seg` text and
//! checking that emitted SQL parses back with the dialect's sqlparser parser.

#![allow(dead_code)] // each test binary uses a different part of this module

pub mod tokens;

use segql_plan::compile::Request;
use segql_plan::compile::{self, Options, Unsupported};
use segql_plan::dialect::Dialect;
use segql_plan::ir::Program;
use segql_syntax::ast::{File, ItemKind};
use segql_syntax::{parse, FileId, Severity};
use sqlparser::ast::Statement;
use sqlparser::parser::Parser;

/// Users and their events (`app.users` keyed by `id`; `app.events` with `name`, `at` and
/// a `page`), the catalog of the plan tests that need no more.
pub const USERS_AND_EVENTS: &str = r#"
entity user {
  table app.users
  key id
}

events of user {
  table app.events
  key user_id
  name name
  time at
  properties { page string }
}
"#;

/// 2024-06-01T00:00:00Z in microseconds since the epoch.
pub const AS_OF: i64 = 1_717_200_000_000_000;

pub fn options() -> Options {
    Options::literal(AS_OF)
}

/// Parses and checks `.seg` sources as one project; panics on any error.
pub fn project(sources: &[(&str, &str)]) -> (Vec<File>, Program) {
    let mut files = Vec::new();
    for (i, (name, text)) in sources.iter().enumerate() {
        let parsed = parse(text, FileId(i as u32));
        let errors: Vec<_> = parsed
            .diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect();
        assert!(
            errors.is_empty(),
            "{name} does not parse: {errors:#?}\n{text}"
        );
        files.push(parsed.file);
    }
    let refs: Vec<&File> = files.iter().collect();
    let (program, diags) = segql_plan::check(&refs);
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    assert!(errors.is_empty(), "the project does not check: {errors:#?}");
    (files, program)
}

/// The names of the segments a file declares, in declaration order.
pub fn declared_segments(file: &File) -> Vec<String> {
    file.items
        .iter()
        .filter_map(|it| match &it.kind {
            ItemKind::Segment(s) => Some(s.name.name.clone()),
            _ => None,
        })
        .collect()
}

/// Compiles one segment by name to SQL text.
pub fn compile_segment(p: &Program, name: &str, d: &dyn Dialect) -> Result<String, Unsupported> {
    let id = p
        .segment_by_name(name)
        .unwrap_or_else(|| panic!("no segment {name}"));
    compile::compile(p, &Request::Segment(id), d, options()).map(|q| compile::to_sql(&q))
}

/// Parses SQL text with the dialect's own sqlparser dialect; it must be one statement.
pub fn reparse(d: &dyn Dialect, sql: &str) -> Result<Statement, String> {
    let parser = d.parser();
    let mut stmts = Parser::parse_sql(&*parser, sql).map_err(|e| e.to_string())?;
    if stmts.len() != 1 {
        return Err(format!("{} statements, expected one", stmts.len()));
    }
    Ok(stmts.remove(0))
}
