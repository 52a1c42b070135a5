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
    built: HashMap<FileId, ariadne::Source<&'a str>>,
}

impl<'a> ariadne::Cache<FileId> for Cache<'a> {
    type Storage = &'a str;

    fn fetch(&mut self, id: &FileId) -> Result<&ariadne::Source<&'a str>, impl fmt::Debug> {
        let map = self.map;
        let src = self
            .built
            .entry(*id)
            .or_insert_with(|| ariadne::Source::from(map.get(*id).text.as_str()));
        Ok::<_, String>(src)
    }

    fn display<'b>(&self, id: &'b FileId) -> Option<impl fmt::Display + 'b> {
        Some(self.map.get(*id).name.clone())
    }
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
        let mut primary_label = ALabel::new(primary.clone());
        if !d.label.is_empty() {
            primary_label = primary_label.with_message(&d.label);
        }
        if opts.color {
            primary_label = primary_label.with_color(match d.severity {
                Severity::Error => ariadne::Color::Red,
                Severity::Warning => ariadne::Color::Yellow,
            });
        }
        let mut report = Report::build(kind, primary)
            .with_config(config)
            .with_code(d.code)
            .with_message(&d.message)
            .with_label(primary_label.with_order(0));
        for (i, l) in d.labels.iter().enumerate() {
            let mut label = ALabel::new(clamp(map, l.span))
                .with_message(&l.message)
                .with_order(i as i32 + 1);
            if opts.color {
                label = label.with_color(ariadne::Color::Blue);
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
