//! `segql check`: parse every file and report every problem.

use crate::output;
use crate::project;
use anyhow::Result;
use segql_syntax::SourceMap;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Serialize)]
struct Report {
    files: usize,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<output::JsonDiagnostic>,
}

pub fn run(paths: &[PathBuf], json: bool, color: bool) -> Result<ExitCode> {
    let mut map = SourceMap::new();
    let inputs = project::resolve(paths, &mut map)?;
    let loaded = project::load(&inputs.files, &mut map)?;
    // Problems in segql.toml first (its file was added to the map first), then the files'.
    let mut diags = inputs.diags.clone();
    for l in &loaded {
        diags.extend(l.parsed.diags.iter().cloned());
    }
    // Names and types are checked once every file parses: a half-parsed file would
    // only add follow-on errors.
    if !diags.iter().any(|d| d.is_error()) {
        let files: Vec<&segql_syntax::ast::File> = loaded.iter().map(|l| &l.parsed.file).collect();
        let (_program, check_diags) = segql_plan::check(&files);
        diags.extend(check_diags);
    }
    let what = match (&inputs.root, &inputs.config.name) {
        (Some(_), Some(name)) => format!("project {name}, "),
        (Some(root), None) => format!("project {}, ", project::display_path(root)),
        _ => String::new(),
    };
    finish(&map, &what, loaded.len(), diags, json, color)
}

fn finish(
    map: &SourceMap,
    what: &str,
    files: usize,
    mut diags: Vec<segql_syntax::Diagnostic>,
    json: bool,
    color: bool,
) -> Result<ExitCode> {
    diags.sort_by_key(|d| (d.span.file, d.span.start));
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if json {
        let report = Report {
            files,
            errors,
            warnings: diags.len() - errors,
            diagnostics: output::json_diagnostics(map, &diags),
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        output::print_diagnostics(map, &diags, color);
        eprintln!(
            "checked {what}{files} file{}: {}",
            if files == 1 { "" } else { "s" },
            output::count_summary(&diags)
        );
    }
    Ok(if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
