//! Diagnostics: errors and warnings as data, rendered with ariadne.
//!
//! A [`Diagnostic`] has a stable code (`E0102`), a message, a primary span, optional
//! secondary labels and an optional hint. Codes are listed once, in [`codes`], so that
//! documentation and tests can enumerate them.

use crate::span::{line_col, FileId, Span};
use std::collections::HashMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    /// What the primary span is (shown under the caret); may be empty.
    pub label: String,
    pub labels: Vec<Label>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            label: String::new(),
            labels: Vec::new(),
            hint: None,
        }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// The text under the primary caret.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    /// A secondary span with its own text.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// One source file: the name it is shown by and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

/// Every file of a run, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 4 billion files"));
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
        });
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// `name:line:col` of a span's start.
    pub fn location(&self, span: Span) -> String {
        let f = self.get(span.file);
        let (line, col) = line_col(&f.text, span.start as usize);
        format!("{}:{}:{}", f.name, line, col)
    }
}

/// How a diagnostic is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderOptions {
    pub color: bool,
    /// Unicode box drawing; ASCII otherwise (used for snapshots and dumb terminals).
    pub unicode: bool,
}

impl RenderOptions {
    /// Plain ASCII without colour: stable text for tests and logs.
    pub const PLAIN: RenderOptions = RenderOptions {
        color: false,
        unicode: false,
    };
}

#[derive(Clone)]
struct ASpan {
    file: FileId,
    start: usize,
    end: usize,
}

impl ariadne::Span for ASpan {
    type SourceId = FileId;
    fn source(&self) -> &FileId {
        &self.file
    }
    fn start(&self) -> usize {
        self.start
    }
    fn end(&self) -> usize {
        self.end
    }
}

struct Cache<'a> {
    map: &'a SourceMap,
    built: HashMap<FileId, ariadne::Source<String>>,
}

impl ariadne::Cache<FileId> for Cache<'_> {
    type Storage = String;

    fn fetch(&mut self, id: &FileId) -> Result<&ariadne::Source<String>, impl fmt::Debug> {
        let map = self.map;
        let src = self
            .built
            .entry(*id)
            .or_insert_with(|| ariadne::Source::from(displayed(&map.get(*id).text)));
        Ok::<_, String>(src)
    }

    fn display<'b>(&self, id: &'b FileId) -> Option<impl fmt::Display + 'b> {
        Some(self.map.get(*id).name.clone())
    }
}

/// The text as shown under a diagnostic. Control characters and invisible ones (a
/// zero-width space, a byte-order mark) would print raw or take no column, leaving the
/// caret beside the mistake; each is shown as one visible character of the same UTF-8
/// length, so byte offsets and columns stay exact. Line breaks and tabs are kept.
fn displayed(text: &str) -> String {
    let odd = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0B' | '\x0C' | '\u{0085}'))
            || matches!(
                c,
                '\u{00AD}'
                    | '\u{200B}'..='\u{200F}'
                    | '\u{202A}'..='\u{202E}'
                    | '\u{2060}'..='\u{2064}'
                    | '\u{FEFF}'
            )
    };
    if !text.chars().any(odd) {
        return text.to_string();
    }
    text.char_indices()
        .map(|(i, c)| match c {
            // A byte-order mark at the start is not a mistake: show a blank.
            '\u{FEFF}' if i == 0 => '\u{2002}',
            c if odd(c) => match c.len_utf8() {
                1 => '?',
                2 => '\u{00BF}',
                _ => '\u{FFFD}',
            },
            c => c,
        })
        .collect()
}

/// A span clamped to its file and to character boundaries, so that rendering never
/// panics on a span produced from damaged input.
fn clamp(map: &SourceMap, span: Span) -> ASpan {
    let text = &map.get(span.file).text;
    let fix = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = fix(span.start as usize);
    let end = fix(span.end as usize).max(start);
    ASpan {
        file: span.file,
        start,
        end,
    }
}

/// Renders diagnostics as text, each followed by a blank line.
pub fn render(map: &SourceMap, diags: &[Diagnostic], opts: RenderOptions) -> String {
    use ariadne::{CharSet, Config, IndexType, Label as ALabel, Report, ReportKind};
    let mut cache = Cache {
        map,
        built: HashMap::new(),
    };
    let mut out = Vec::new();
    for d in diags {
        let kind = match d.severity {
            Severity::Error => ReportKind::Error,
            Severity::Warning => ReportKind::Warning,
        };
        let config = Config::default()
            .with_color(opts.color)
            .with_char_set(if opts.unicode {
                CharSet::Unicode
            } else {
                CharSet::Ascii
            })
            .with_index_type(IndexType::Byte)
            .with_compact(false);
        let primary = clamp(map, d.span);
        // Every label is drawn with an arrow and a message: ariadne draws no caret at
        // all for a label without one, which would leave the reader guessing where the
        // mistake is.
        let mut labels: Vec<(ASpan, &str, bool)> = vec![(
            primary.clone(),
            if d.label.is_empty() { "here" } else { &d.label },
            true,
        )];
        for l in &d.labels {
            labels.push((clamp(map, l.span), &l.message, false));
        }
        // Labels go in source order: ariadne starts a new section (with a misleading
        // header) whenever a label lies on an earlier line than the one before it.
        labels.sort_by_key(|(s, _, primary)| (s.file, s.start, !primary));
        let mut report = Report::build(kind, primary)
            .with_config(config)
            .with_code(d.code)
            .with_message(&d.message);
        for (i, (span, message, is_primary)) in labels.into_iter().enumerate() {
            let mut label = ALabel::new(span)
                .with_message(message)
                .with_order(i32::try_from(i).unwrap_or(i32::MAX));
            if opts.color {
                label = label.with_color(match (is_primary, d.severity) {
                    (false, _) => ariadne::Color::Blue,
                    (true, Severity::Error) => ariadne::Color::Red,
                    (true, Severity::Warning) => ariadne::Color::Yellow,
                });
            }
            report = report.with_label(label);
        }
        if let Some(h) = &d.hint {
            report = report.with_help(h);
        }
        // Writing into a Vec cannot fail.
        let _ = report.finish().write(&mut cache, &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One line per diagnostic: `file:line:col: error[E0102]: message` (grep- and
/// editor-friendly).
pub fn render_short(map: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&format!(
            "{}: {}[{}]: {}\n",
            map.location(d.span),
            d.severity,
            d.code,
            d.message
        ));
    }
    out
}
