//! `segql check`: parse every file and report every problem.

use crate::annotate;
use crate::args::Format;
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

/// A file or directory inside a project is checked with its project (its catalog and
/// the segments it uses), and only the problems of what was named are reported — how
/// pre-commit hooks and editors call a checker.
pub fn run(paths: &[PathBuf], format: Format, color: bool) -> Result<ExitCode> {
    let (ws, within) = project::workspace_within(paths)?;
    let project = match (&ws.inputs.root, &ws.inputs.config.name) {
        (Some(_), Some(name)) => format!("project {name}"),
        (Some(root), None) => format!("project {}", project::display_path(root)),
        _ => String::new(),
    };
    let (what, files) = match &within {
        project::Within::Everything if project.is_empty() => (String::new(), ws.files.len()),
        project::Within::Everything => (format!("{project}, "), ws.files.len()),
        project::Within::Named(ids) => (format!("in {project}, "), ids.len()),
    };
    let (mine, others): (Vec<_>, Vec<_>) = ws
        .diags
        .iter()
        .cloned()
        .partition(|d| within.covers(d.span.file, &ws));
    let code = finish(&ws.map, &what, files, mine, format, color)?;
    let elsewhere = others.iter().filter(|d| d.is_error()).count();
    if elsewhere == 0 {
        return Ok(code);
    }
    // Names and types are checked once every file parses: a syntax error elsewhere
    // means the named files were not fully checked, which is not a pass.
    let unchecked = ws.program.is_none();
    if format == Format::Human {
        eprintln!(
            "note: {elsewhere} error{} in other files of the project{} (`segql check` alone shows them)",
            if elsewhere == 1 { "" } else { "s" },
            if unchecked {
                ", so names and types were not checked"
            } else {
                ""
            }
        );
    }
    Ok(if unchecked { ExitCode::from(1) } else { code })
}

fn finish(
    map: &SourceMap,
    what: &str,
    files: usize,
    mut diags: Vec<segql_syntax::Diagnostic>,
    format: Format,
    color: bool,
) -> Result<ExitCode> {
    diags.sort_by_key(|d| (d.span.file, d.span.start));
    let errors = diags.iter().filter(|d| d.is_error()).count();
    match format {
        Format::Github => out!("{}", annotate::github(map, &diags)),
        Format::Short => out!("{}", segql_syntax::diag::render_short(map, &diags)),
        Format::Human => output::print_diagnostics(map, &diags, color),
        Format::Sarif => outln!(
            "{}",
            serde_json::to_string_pretty(&annotate::sarif(map, &diags))?
        ),
        Format::Json => {
            let report = Report {
                files,
                errors,
                warnings: diags.len() - errors,
                diagnostics: output::json_diagnostics(map, &diags),
            };
            outln!("{}", serde_json::to_string_pretty(&report)?);
        }
    }
    // The one-line summary, beside what people read (not after a machine's document).
    if matches!(format, Format::Human | Format::Github | Format::Short) {
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
