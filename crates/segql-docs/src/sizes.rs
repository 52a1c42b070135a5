//! Sizes, samples and history of segments, when a run or snapshots exist.
//!
//! segql-docs never runs anything: whoever has the figures hands them over as a
//! [`Sizes`], in Rust (the CLI, from the membership state) or as a JSON file of the same
//! shape (`segql docs generate --sizes FILE.json`, docs/docs-site.md). A site built
//! without them simply has no size sections.
//!
//! ```json
//! {
//!   "as_of": "2026-01-01T00:00:00Z",
//!   "segments": {
//!     "paying": {
//!       "size": 312, "population": 2000, "sample": ["u1", "u7"],
//!       "history": [{ "as_of": "2025-12-01", "size": 290, "entered": 30, "left": 8 }]
//!     }
//!   }
//! }
//! ```

use crate::codes::{BAD_SIZES, SIZES_UNKNOWN};
use segql_plan::ir::Program;
use segql_syntax::diag::Diagnostic;
use segql_syntax::time::parse_instant;
use segql_syntax::{FileId, Span};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The figures of every segment that has some.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sizes {
    /// When the latest figures (`size`, `population`, `sample`) were computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// By segment name.
    #[serde(default)]
    pub segments: BTreeMap<String, SegmentSizes>,
}

/// One segment's figures; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentSizes {
    /// Members at `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The entity's population at `as_of` (for the share).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub population: Option<u64>,
    /// A few members' keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sample: Vec<Key>,
    /// Size per recorded run or backtest step, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryPoint>,
}

/// A key as the data holds it: a string or a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Key {
    Str(String),
    Int(i64),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Str(s) => f.write_str(s),
            Key::Int(i) => write!(f, "{i}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryPoint {
    /// `2025-12-01` or `2025-12-01T00:00:00Z`.
    pub as_of: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entered: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<u64>,
}

const HINT: &str = "a sizes file is {\"segments\": {\"NAME\": {\"size\": 312, \"population\": 2000, \"sample\": [\"u1\"], \"history\": [{\"as_of\": \"2025-12-01\", \"size\": 290}]}}} (docs/docs-site.md)";

/// Reads a sizes file (its text in the source map as `file`). Malformed JSON, a field
/// of the wrong type or an unknown field is an E0901 pointing at it; then each figure
/// is checked ([`Sizes::check`]).
pub fn parse(text: &str, file: FileId) -> Result<Sizes, Box<Diagnostic>> {
    serde_json::from_str::<Sizes>(text).map_err(|e| {
        let at = offset(text, e.line(), e.column());
        let message = e.to_string();
        // serde_json appends " at line L column C"; the span says it.
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        Box::new(
            Diagnostic::error(
                BAD_SIZES,
                Span::new(file, at, at),
                format!("invalid sizes file: {message}"),
            )
            .with_label("here")
            .with_hint(HINT),
        )
    })
}

/// The byte offset of a 1-based line and column (serde_json counts columns in bytes).
fn offset(text: &str, line: usize, column: usize) -> u32 {
    let mut at = 0usize;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            at += column.saturating_sub(1).min(l.len());
            break;
        }
        at += l.len();
    }
    at.min(text.len()) as u32
}

impl Sizes {
    /// Checks the figures against the project: instants that parse, a history in time
    /// order, sizes within the population (errors, E0901), and segments the project
    /// does not declare (warnings, W0902: their figures are left out). Problems name the
    /// field (`segments.paying.history[2].as_of`) and point at the file.
    pub fn check(&self, p: &Program, file: FileId) -> Vec<Diagnostic> {
        let at = Span::new(file, 0, 0);
        let mut out = Vec::new();
        let err = |field: String, msg: String| {
            Diagnostic::error(BAD_SIZES, at, format!("invalid sizes file: {field} {msg}"))
                .with_label("in this file")
                .with_hint(HINT)
        };
        if let Some(a) = &self.as_of {
            if let Err(e) = parse_instant(a) {
                out.push(err("as_of".to_string(), e));
            }
        }
        for (name, s) in &self.segments {
            let here = format!("segments.{}", field_name(name));
            if p.segment_by_name(name).is_none() {
                let mut d = Diagnostic::warning(
                    SIZES_UNKNOWN,
                    at,
                    format!("the sizes file names `{name}`, which is not a segment of the project; its figures are left out"),
                )
                .with_label("in this file");
                let names = p.segments.iter().map(|s| s.name.as_str());
                d = match segql_syntax::parser::did_you_mean(name, names) {
                    Some(m) => d.with_hint(format!("did you mean `{m}`? A renamed segment's history is kept under its old name")),
                    None => d.with_hint("a renamed or removed segment's figures stay in the file; they are shown once the name is a segment again"),
                };
                out.push(d);
            }
            if let (Some(size), Some(pop)) = (s.size, s.population) {
                if size > pop {
                    out.push(err(
                        format!("{here}.size"),
                        format!("is {size}, more than its population ({pop})"),
                    ));
                }
            }
            let mut last: Option<i64> = None;
            for (i, h) in s.history.iter().enumerate() {
                match parse_instant(&h.as_of) {
                    Err(e) => out.push(err(format!("{here}.history[{i}].as_of"), e)),
                    Ok(t) => {
                        if last.is_some_and(|l| t <= l) {
                            out.push(err(
                                format!("{here}.history[{i}].as_of"),
                                format!(
                                    "`{}` is not after the point before it; history is oldest first, one point per instant",
                                    h.as_of
                                ),
                            ));
                        }
                        last = Some(t);
                    }
                }
            }
        }
        out
    }
}

/// A segment name as a path element: bare when it is a plain name.
fn field_name(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        name.to_string()
    } else {
        serde_json::to_string(name).unwrap_or_default()
    }
}

/// A size over time as an SVG line chart (inline in the page; no script).
pub fn chart(history: &[HistoryPoint]) -> Option<String> {
    let points: Vec<(i64, u64, &HistoryPoint)> = history
        .iter()
        .filter_map(|h| parse_instant(&h.as_of).ok().map(|t| (t, h.size, h)))
        .collect();
    if points.is_empty() {
        return None;
    }
    let (w, h) = (640.0_f64, 220.0_f64);
    let (left, right, top, bottom) = (56.0, 16.0, 16.0, 36.0);
    let t0 = points.first().map(|p| p.0).unwrap_or(0);
    let t1 = points.last().map(|p| p.0).unwrap_or(0);
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let x = |t: i64| {
        if t1 == t0 {
            left + (w - left - right) / 2.0
        } else {
            left + (t - t0) as f64 / (t1 - t0) as f64 * (w - left - right)
        }
    };
    let y = |v: u64| top + (1.0 - v as f64 / max as f64) * (h - top - bottom);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"size over time\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    // Axes and the two labels of each.
    svg.push_str(&format!(
        "<line class=\"axis\" x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        h - bottom,
        w - right,
        h - bottom
    ));
    svg.push_str(&format!(
        "<line class=\"axis\" x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\"/>",
        h - bottom
    ));
    svg.push_str(&format!(
        "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{max}</text>",
        left - 6.0,
        top + 4.0
    ));
    svg.push_str(&format!(
        "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">0</text>",
        left - 6.0,
        h - bottom + 4.0
    ));
    let date = |t: i64| segql_syntax::time::format_date((t.div_euclid(86_400_000_000)) as i32);
    svg.push_str(&format!(
        "<text class=\"tick\" x=\"{left}\" y=\"{}\">{}</text>",
        h - 12.0,
        date(t0)
    ));
    if t1 != t0 {
        svg.push_str(&format!(
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            w - right,
            h - 12.0,
            date(t1)
        ));
    }
    let line: Vec<String> = points
        .iter()
        .map(|(t, v, _)| format!("{:.1},{:.1}", x(*t), y(*v)))
        .collect();
    svg.push_str(&format!(
        "<polyline class=\"series\" points=\"{}\"/>",
        line.join(" ")
    ));
    for (t, v, p) in &points {
        let mut tip = format!("{}: {v}", p.as_of);
        if let Some(e) = p.entered {
            tip.push_str(&format!(", {e} entered"));
        }
        if let Some(l) = p.left {
            tip.push_str(&format!(", {l} left"));
        }
        svg.push_str(&format!(
            "<circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\"><title>{}</title></circle>",
            x(*t),
            y(*v),
            crate::html::escape(&tip)
        ));
    }
    svg.push_str("</svg>");
    Some(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_lines_and_bytes() {
        let text = "{\n  \"a\": é1\n}";
        assert_eq!(offset(text, 1, 1), 0);
        assert_eq!(offset(text, 2, 8), 9);
        assert_eq!(offset(text, 9, 9), text.len() as u32);
    }

    #[test]
    fn a_chart_has_a_point_per_instant_and_escapes_its_labels() {
        let h = vec![
            HistoryPoint {
                as_of: "2025-11-01".into(),
                size: 10,
                entered: Some(3),
                left: None,
            },
            HistoryPoint {
                as_of: "2025-12-01".into(),
                size: 30,
                entered: None,
                left: Some(1),
            },
        ];
        let svg = chart(&h).expect("a chart");
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("2025-11-01: 10, 3 entered"), "{svg}");
        assert!(svg.contains(">30</text>"), "{svg}");
        assert!(chart(&[]).is_none());
    }
}
