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
    let ws = project::workspace(paths)?;
    let what = match (&ws.inputs.root, &ws.inputs.config.name) {
        (Some(_), Some(name)) => format!("project {name}, "),
        (Some(root), None) => format!("project {}, ", project::display_path(root)),
        _ => String::new(),
    };
    finish(&ws.map, &what, ws.files.len(), ws.diags, json, color)
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
