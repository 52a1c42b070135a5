//! Diagnostics for CI systems: GitHub Actions workflow commands (`--format github`,
//! one `::error file=…,line=…,col=…::…` line per diagnostic, shown on the pull
//! request's diff) and SARIF 2.1.0 (`--format sarif`, for code-scanning uploads).

use crate::output::json_diagnostics;
use segql_syntax::diag::Diagnostic;
use segql_syntax::SourceMap;
use serde_json::{json, Value};

/// A workflow command's data: `%`, CR and LF escaped.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command per diagnostic (errors as `::error`, warnings as `::warning`),
/// the hint after the message.
pub fn github(map: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let level = if d.is_error() { "error" } else { "warning" };
        let mut message = d.message.clone();
        if let Some(h) = &d.hint {
            message.push_str(&format!("\nhint: {h}"));
        }
        out.push_str(&github_at(
            map,
            d.span,
            level,
            &format!("segql {}", d.code),
            &message,
        ));
    }
    out
}

/// One workflow command at `span`: `level` (`error`, `warning`), a title and a
/// message of any number of lines.
pub fn github_at(
    map: &SourceMap,
    span: segql_syntax::Span,
    level: &str,
    title: &str,
    message: &str,
) -> String {
    let f = map.get(span.file);
    let (line, col) = segql_syntax::span::line_col(&f.text, span.start as usize);
    let (end_line, end_col) = segql_syntax::span::line_col(&f.text, span.end as usize);
    format!(
        "::{level} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}\n",
        property(&f.name),
        property(title),
        data(message)
    )
}

/// A SARIF 2.1.0 log with one run of segql: a rule per code that occurs, a result per
/// diagnostic (columns in Unicode code points, as segql counts them).
pub fn sarif(map: &SourceMap, diags: &[Diagnostic]) -> Value {
    let mut codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes.iter().map(|c| json!({ "id": c })).collect();
    let results: Vec<Value> = diags
        .iter()
        .zip(json_diagnostics(map, diags))
        .map(|(d, j)| {
            let mut text = d.message.clone();
            if let Some(h) = &d.hint {
                text.push_str(&format!(" (hint: {h})"));
            }
            json!({
                "ruleId": d.code,
                "level": if d.is_error() { "error" } else { "warning" },
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": j.pos.file },
                        "region": {
                            "startLine": j.pos.line,
                            "startColumn": j.pos.column,
                            "endLine": j.pos.end_line,
                            "endColumn": j.pos.end_column
                        }
                    }
                }]
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "segql",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules
            } },
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    })
}
