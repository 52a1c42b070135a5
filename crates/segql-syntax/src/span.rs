//! Source positions.

use std::fmt;

/// Which file a span points into: an index into a [`crate::SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one file.
///
/// Spans never take part in equality: `PartialEq` is always true and `Hash` writes
/// nothing, so derived equality on syntax trees compares meaning, not layout (as `syn`
/// does). Use [`Span::same_as`] to compare positions.
#[derive(Clone, Copy, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: u32, end: u32) -> Span {
        Span { file, start, end }
    }

    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Exact positional equality.
    pub fn same_as(self, other: Span) -> bool {
        self.file == other.file && self.start == other.start && self.end == other.end
    }

    pub fn is_empty(self) -> bool {
        self.start >= self.end
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}..{}", self.file.0, self.start, self.end)
    }
}

/// Line and column (both 1-based; the column counts characters) of a byte offset.
///
/// Lines end at `\n`, `\r\n` or a lone `\r`, and at the other separators the
/// diagnostic renderer honours (VT, FF, NEL, LS, PS), so positions printed in JSON
/// agree with the rendered ones.
///
/// A leading byte-order mark is not counted: editors do not show it as a column.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let mut line = 1;
    let mut line_start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    for (idx, c) in text[..offset].char_indices() {
        if idx < i {
            continue;
        }
        match c {
            '\r' => {
                line += 1;
                i = idx + 1;
                if bytes.get(idx + 1) == Some(&b'\n') {
                    i += 1;
                }
                line_start = i;
            }
            '\n' | '\x0B' | '\x0C' | '\u{0085}' | '\u{2028}' | '\u{2029}' => {
                line += 1;
                i = idx + c.len_utf8();
                line_start = i;
            }
            _ => {}
        }
    }
    if line_start == 0 && text.starts_with('\u{FEFF}') {
        line_start = 3;
    }
    let line_start = line_start.min(offset);
    let col = text
        .get(line_start..offset)
        .map(|s| s.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_and_line_endings() {
        let t = "ab\r\ncd\ré\nfgh";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 4), (2, 1));
        assert_eq!(line_col(t, 7), (3, 1));
        assert_eq!(line_col(t, 9), (3, 2));
        assert_eq!(line_col(t, 10), (4, 1));
        assert_eq!(line_col(t, 12), (4, 3));
        assert_eq!(line_col(t, 1000), (4, 4));
    }

    #[test]
    fn spans_compare_equal_regardless_of_position() {
        let a = Span::new(FileId(0), 1, 2);
        let b = Span::new(FileId(3), 7, 9);
        assert_eq!(a, b);
        assert!(!a.same_as(b));
        assert!(a.same_as(a));
    }
}
