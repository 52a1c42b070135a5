//! Spans and diagnostics in LSP terms.

use crate::workspace::Analysis;
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range, Uri,
};
use segql_syntax::{Diagnostic, FileId, Severity, Span};

/// segql.toml's file id in an analysis.
pub const CONFIG_ID: FileId = FileId(0);

/// The URI and range of a span.
pub fn location(a: &Analysis, span: Span) -> Option<Location> {
    if span.file == CONFIG_ID {
        let c = a.config.as_ref()?;
        let range = c.lines.range(&c.text, span.start, span.end);
        return Some(Location::new(c.uri.clone()?, range));
    }
    let f = a.file(span.file)?;
    let range = f.lines.range(&f.text, span.start, span.end);
    Some(Location::new(f.uri.clone()?, range))
}

pub fn range(a: &Analysis, span: Span) -> Option<Range> {
    location(a, span).map(|l| l.range)
}

/// A diagnostic as LSP shows it: the code and message of `segql check`, its hint on a
/// line of its own (`hint: ...`), the label under the caret and every secondary label
/// as related information.
pub fn diagnostic(a: &Analysis, d: &Diagnostic) -> Option<(Uri, lsp_types::Diagnostic)> {
    let at = location(a, d.span)?;
    let mut message = d.message.clone();
    if let Some(h) = &d.hint {
        message.push_str("\nhint: ");
        message.push_str(h);
    }
    let mut related = Vec::new();
    if !d.label.is_empty() {
        related.push(DiagnosticRelatedInformation {
            location: at.clone(),
            message: d.label.clone(),
        });
    }
    for l in &d.labels {
        if let Some(location) = location(a, l.span) {
            related.push(DiagnosticRelatedInformation {
                location,
                message: l.message.clone(),
            });
        }
    }
    let out = lsp_types::Diagnostic {
        range: at.range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: None,
        source: Some("segql".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    };
    Some((at.uri, out))
}
