//! Presenting diagnostics: rendered for people, JSON for machines.

use segql_syntax::diag::{render, Diagnostic, RenderOptions, Severity};
use segql_syntax::span::line_col;
use segql_syntax::SourceMap;
use serde::Serialize;

/// Writes to standard output; when the reader is gone (`segql run | head`), stops
/// quietly with 141, as a program killed by SIGPIPE would, instead of reporting it.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            segql_run::spill::remove_all();
            std::process::exit(141);
        }
        eprintln!("segql: cannot write to standard output: {e}");
        segql_run::spill::remove_all();
        std::process::exit(2);
    }
}

/// `print!` through [`write_stdout`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!($($arg)*)) };
}

/// `println!` through [`write_stdout`].
macro_rules! outln {
    () => { $crate::output::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::write_stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// Colour only on a terminal, and never with NO_COLOR set or TERM=dumb.
pub fn stderr_supports_color() -> bool {
    // anstream's detection: a terminal, NO_COLOR, CLICOLOR, CLICOLOR_FORCE and TERM.
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

pub fn render_options(color: bool) -> RenderOptions {
    RenderOptions {
        color,
        unicode: color,
    }
}

/// Prints diagnostics to stderr, errors and warnings in source order.
pub fn print_diagnostics(map: &SourceMap, diags: &[Diagnostic], color: bool) {
    if !diags.is_empty() {
        eprint!("{}", render(map, diags, render_options(color)));
    }
}

/// `2 errors, 1 warning`
pub fn count_summary(diags: &[Diagnostic]) -> String {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => "no problems".to_string(),
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

#[derive(Serialize)]
pub struct JsonPos {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

#[derive(Serialize)]
pub struct JsonLabel {
    #[serde(flatten)]
    pub pos: JsonPos,
    pub message: String,
}

#[derive(Serialize)]
pub struct JsonDiagnostic {
    pub code: &'static str,
    pub severity: String,
    pub message: String,
    #[serde(flatten)]
    pub pos: JsonPos,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub label: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<JsonLabel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

fn pos(map: &SourceMap, span: segql_syntax::Span) -> JsonPos {
    let f = map.get(span.file);
    let (line, column) = line_col(&f.text, span.start as usize);
    let (end_line, end_column) = line_col(&f.text, span.end as usize);
    JsonPos {
        file: f.name.clone(),
        line,
        column,
        end_line,
        end_column,
    }
}

pub fn json_diagnostics(map: &SourceMap, diags: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    diags
        .iter()
        .map(|d| JsonDiagnostic {
            code: d.code,
            severity: d.severity.to_string(),
            message: d.message.clone(),
            pos: pos(map, d.span),
            label: d.label.clone(),
            labels: d
                .labels
                .iter()
                .map(|l| JsonLabel {
                    pos: pos(map, l.span),
                    message: l.message.clone(),
                })
                .collect(),
            hint: d.hint.clone(),
        })
        .collect()
}

/// An error with a diagnostic code but no place in a source file (a query that failed
/// on the data): printed as `error[E0705]: what was being done: the message`.
#[derive(Debug)]
pub struct Coded {
    pub code: &'static str,
    pub message: String,
}

impl std::fmt::Display for Coded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Coded {}

/// A bad command line found after parsing (an unknown dialect, a bad `--as-of`, a
/// `--select` naming nothing): exit status 2, like clap's own usage errors.
#[derive(Debug)]
pub struct Usage(pub String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

/// A coded error that is also a bad command line (`--target` naming no configured
/// target): printed with its code, exit status 2.
#[derive(Debug)]
pub struct CodedUsage(pub Coded);

impl std::fmt::Display for CodedUsage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for CodedUsage {}

/// The exit status of a failed command: 2 for a bad command line, 1 otherwise.
pub fn exit_status(e: &anyhow::Error) -> u8 {
    if e.chain().any(|c| {
        c.is::<Usage>() || c.is::<CodedUsage>() || c.is::<segql_project::select::SelectError>()
    }) {
        2
    } else {
        1
    }
}

/// `error: ...`, or `error[CODE]: ...` when the error carries a code, then its hint:
/// drawn as every diagnostic is ([`segql_syntax::diag::render_plain`]).
pub fn print_error(e: &anyhow::Error, color: bool) {
    let coded = |c: &(dyn std::error::Error + 'static)| {
        c.downcast_ref::<Coded>()
            .or_else(|| c.downcast_ref::<CodedUsage>().map(|u| &u.0))
            .map(|c| c.code)
            .or_else(|| {
                c.downcast_ref::<segql_project::select::SelectError>()
                    .map(|s| s.code)
            })
    };
    print_plain(
        Severity::Error,
        e.chain().find_map(coded),
        &format!("{e:#}"),
        color,
    );
}

/// A coded error with its hint, given as parts (`segql_docs::Error`), drawn as
/// [`print_error`] draws one.
pub fn print_coded(code: &str, message: &str, hint: Option<&str>, color: bool) {
    draw(Severity::Error, Some(code), message, hint, color);
}

/// A warning without a place in a file (`warning[W0701]: ...`), drawn as
/// [`print_error`] draws an error.
pub fn print_warning(code: &str, text: &str, color: bool) {
    print_plain(Severity::Warning, Some(code), text, color);
}

/// `text` is a message, perhaps followed by `\n  hint: ...` (the way errors without a
/// span carry their hint through anyhow's chain).
fn print_plain(severity: Severity, code: Option<&str>, text: &str, color: bool) {
    let (message, hint) = match text.split_once("\n  hint: ") {
        Some((m, h)) => (m, Some(h)),
        None => (text, None),
    };
    draw(severity, code, message, hint, color);
}

/// An error or warning without a span, on stderr, through the one rendering path.
fn draw(severity: Severity, code: Option<&str>, message: &str, hint: Option<&str>, color: bool) {
    eprint!(
        "{}",
        segql_syntax::diag::render_plain(severity, code, message, hint, render_options(color))
    );
}
