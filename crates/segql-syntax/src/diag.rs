//! Diagnostics: errors and warnings as data, and the one way every error of segql is
//! shown to a person.
//!
//! A [`Diagnostic`] has a stable code (`E0102`), a message, a primary span, optional
//! secondary labels and an optional hint. Codes are listed once, in [`codes`], so that
//! documentation and tests can enumerate them.
//!
//! Every error looks the same, whether it has a place in a file or not (a query that
//! failed on the data, a bad command line): a header `error[E0705]: message` (as clap's
//! own `error: ...` and [`render_short`]'s lines), the excerpt of the file with the
//! labels when there is one (drawn by ariadne), then `  hint: ...`. [`render`] draws
//! diagnostics, [`render_plain`] the errors without a span.

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

/// Bytes of a leading byte-order mark: rendering leaves it out (it is no column in an
/// editor) and shifts spans accordingly.
fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{FEFF}') {
        '\u{FEFF}'.len_utf8()
    } else {
        0
    }
}

/// The text as shown under a diagnostic, without a leading byte-order mark. Control
/// characters and invisible ones (a zero-width space) would print raw or take no
/// column, leaving the caret beside the mistake; each is shown as one visible character
/// of the same UTF-8 length, so byte offsets and columns stay exact. Line breaks and
/// tabs are kept.
fn displayed(text: &str) -> String {
    let text = &text[bom_len(text)..];
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
    text.chars()
        .map(|c| match c {
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
    let bom = bom_len(text);
    let text = &text[bom..];
    let fix = |i: u32| {
        let mut i = (i as usize).saturating_sub(bom).min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = fix(span.start);
    let end = fix(span.end).max(start);
    ASpan {
        file: span.file,
        start,
        end,
    }
}

/// Lines longer than this (in bytes) are shown as an excerpt around the labels: a
/// minified or generated file can be one line of megabytes, and printing it whole under
/// each of a hundred diagnostics would take minutes and bury the message.
const LONG_LINE: usize = 400;
/// Bytes of context kept on each side of the labels in an excerpt.
const EXCERPT_CONTEXT: usize = 60;

/// A single source for ariadne: the excerpt a diagnostic on a long line is drawn from.
struct Excerpt {
    id: FileId,
    name: String,
    src: ariadne::Source<String>,
}

impl ariadne::Cache<FileId> for Excerpt {
    type Storage = String;

    fn fetch(&mut self, id: &FileId) -> Result<&ariadne::Source<String>, impl fmt::Debug> {
        if *id == self.id {
            Ok(&self.src)
        } else {
            Err(format!("no source {id:?} in an excerpt"))
        }
    }

    fn display<'b>(&self, _: &'b FileId) -> Option<impl fmt::Display + 'b> {
        Some(self.name.clone())
    }
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";

/// `error[E0705]: message`, coloured as a terminal shows it when `opts.color`.
fn header(severity: Severity, code: Option<&str>, message: &str, opts: RenderOptions) -> String {
    let tag = match code {
        Some(code) => format!("{severity}[{code}]"),
        None => severity.to_string(),
    };
    if opts.color {
        let colour = match severity {
            Severity::Error => "\x1b[1;31m",
            Severity::Warning => "\x1b[1;33m",
        };
        format!("{colour}{tag}{RESET}{BOLD}: {message}{RESET}\n")
    } else {
        format!("{tag}: {message}\n")
    }
}

/// `  hint: ...`, the last line of an error that has a hint.
fn hint_line(hint: &str, opts: RenderOptions) -> String {
    if opts.color {
        format!("  \x1b[1;36mhint{RESET}: {hint}\n")
    } else {
        format!("  hint: {hint}\n")
    }
}

/// An error or warning without a place in a source file (a query that failed on the
/// data, a bad command line, a file that cannot be written), drawn as a [`Diagnostic`]
/// is: `error[E0705]: message`, then `  hint: ...` when there is a hint.
pub fn render_plain(
    severity: Severity,
    code: Option<&str>,
    message: &str,
    hint: Option<&str>,
    opts: RenderOptions,
) -> String {
    let mut out = header(severity, code, message, opts);
    if let Some(h) = hint {
        out.push_str(&hint_line(h, opts));
    }
    out
}

/// ariadne's drawing of a report without its header line (the report is built with an
/// empty message, so the header is one line): [`header`] draws ours.
fn without_header(drawn: &[u8]) -> String {
    let text = String::from_utf8_lossy(drawn);
    match text.split_once('\n') {
        Some((_, body)) => body.to_string(),
        None => String::new(),
    }
}

/// Renders diagnostics as text: each its header, the excerpt with its labels, and its
/// hint; a blank line between two.
pub fn render(map: &SourceMap, diags: &[Diagnostic], opts: RenderOptions) -> String {
    let mut cache = Cache {
        map,
        built: HashMap::new(),
    };
    let mut out = String::new();
    for (i, d) in diags.iter().enumerate() {
        if i > 0 {
            // A blank line between diagnostics, as rustc and clap leave.
            out.push('\n');
        }
        out.push_str(&header(d.severity, Some(d.code), &d.message, opts));
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
        if let Some(text) = render_excerpt(map, &mut cache, d, &primary, &labels, opts) {
            out.push_str(&text);
        } else {
            let mut drawn = Vec::new();
            // Writing into a Vec cannot fail.
            let _ = report(d, primary, labels, opts).write(&mut cache, &mut drawn);
            out.push_str(&without_header(&drawn));
        }
        if let Some(h) = &d.hint {
            out.push_str(&hint_line(h, opts));
        }
    }
    out
}

fn report<'a>(
    d: &Diagnostic,
    primary: ASpan,
    labels: Vec<(ASpan, &str, bool)>,
    opts: RenderOptions,
) -> ariadne::Report<'a, ASpan> {
    use ariadne::{CharSet, Config, IndexType, Label as ALabel, Report, ReportKind};
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
    // No code and no message: the header ariadne draws is one line, which `render`
    // replaces by segql's own.
    let mut report = Report::build(kind, primary).with_config(config);
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
    report.finish()
}

/// Renders `d` from an excerpt of its file when its labels lie on a long line; `None`
/// when the lines are short enough to show whole.
fn render_excerpt(
    map: &SourceMap,
    cache: &mut Cache,
    d: &Diagnostic,
    primary: &ASpan,
    labels: &[(ASpan, &str, bool)],
    opts: RenderOptions,
) -> Option<String> {
    use ariadne::Cache as _;
    let file = primary.file;
    if labels.iter().any(|(s, _, _)| s.file != file) {
        return None;
    }
    let lo = labels.iter().map(|(s, _, _)| s.start).min()?;
    let hi = labels.iter().map(|(s, _, _)| s.end).max()?;
    let src = cache.fetch(&file).ok()?;
    let text: &str = src.text();
    // The lines the labels are on, in bytes.
    let line_of = |at: usize| {
        let (line, idx, col) = src.get_byte_line(at)?;
        let start = at - col;
        let len = src.get_line_text(line).map_or(0, str::len);
        Some((idx, start, start + len))
    };
    let (first_line, line_start, _) = line_of(lo)?;
    let (_, _, line_end) = line_of(hi.saturating_sub(1).max(lo))?;
    if line_end - line_start <= LONG_LINE {
        return None;
    }
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let ceil = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i += 1;
        }
        i
    };
    let from = floor(lo.saturating_sub(EXCERPT_CONTEXT).max(line_start));
    let to = ceil((hi + EXCERPT_CONTEXT).min(line_end));
    let ellipsis = if opts.unicode { "…" } else { "..." };
    let mut excerpt = String::new();
    if from > line_start {
        excerpt.push_str(ellipsis);
    }
    let shift = excerpt.len();
    excerpt.push_str(&text[from..to]);
    if to < line_end && !text[from..to].ends_with(['\n', '\r']) {
        excerpt.push_str(ellipsis);
    }
    // The primary's line and column in the file, for the header.
    let (primary_line, primary_line_start, _) = line_of(primary.start)?;
    let real_col = text[primary_line_start..primary.start].chars().count() + 1;
    let move_span = |s: &ASpan| ASpan {
        file,
        start: s.start - from + shift,
        end: s.end - from + shift,
    };
    let moved_primary = move_span(primary);
    let moved: Vec<(ASpan, &str, bool)> = labels
        .iter()
        .map(|(s, m, p)| (move_span(s), *m, *p))
        .collect();
    let name = map.get(file).name.clone();
    let mut single = Excerpt {
        id: file,
        name: name.clone(),
        src: ariadne::Source::from(excerpt).with_display_line_offset(first_line),
    };
    // The column ariadne computes from the excerpt, which the header will show.
    let excerpt_col = {
        let (line, _, col) = single.src.get_byte_line(moved_primary.start)?;
        let line_text = single.src.get_line_text(line).unwrap_or_default();
        line_text.get(..col).map_or(0, |t| t.chars().count()) + 1
    };
    let mut out = Vec::new();
    let _ = report(d, moved_primary, moved, opts).write(&mut single, &mut out);
    let rendered = without_header(&out);
    // The excerpt's first line names the excerpt's column; put the file's back.
    let line_no = primary_line + 1;
    Some(rendered.replacen(
        &format!("{name}:{line_no}:{excerpt_col}"),
        &format!("{name}:{line_no}:{real_col}"),
        1,
    ))
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
