//! Byte offsets to LSP positions and back.
//!
//! LSP counts lines at `\n`, `\r\n` and `\r`, and characters in UTF-16 code units (the
//! default `positionEncoding`, the one every client supports). Spans are byte ranges, so
//! every position crosses this table. A leading byte-order mark is no column: an editor
//! does not show it.

use lsp_types::{Position, Range};

/// Where each line of a text starts.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of each line's first character.
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let first = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
        let mut starts = vec![first];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i as u32 + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i as u32 + 2);
                    i += 1;
                }
                b'\r' => starts.push(i as u32 + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex {
            starts,
            len: text.len() as u32,
        }
    }

    /// The position of a byte offset (clamped to the text, moved back to a character
    /// boundary).
    pub fn position(&self, text: &str, offset: u32) -> Position {
        let mut offset = offset.min(self.len) as usize;
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&(offset as u32)) {
            Ok(l) => l,
            Err(l) => l.saturating_sub(1),
        };
        let start = (self.starts[line] as usize).min(offset);
        let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, text: &str, start: u32, end: u32) -> Range {
        Range::new(self.position(text, start), self.position(text, end))
    }

    /// The byte offset of a position. A character past the end of its line is the end
    /// of the line; a line past the last is the end of the text; a position inside a
    /// surrogate pair is the start of its character.
    pub fn offset(&self, text: &str, pos: Position) -> u32 {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return self.len;
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map_or(self.len, |&s| s);
        let line = &text[start as usize..end as usize];
        let line = line.trim_end_matches(['\n', '\r']);
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            if units + c.len_utf16() as u32 > pos.character {
                return start + i as u32;
            }
            units += c.len_utf16() as u32;
        }
        start + line.len() as u32
    }

    /// The position just past the text.
    pub fn end(&self, text: &str) -> Position {
        self.position(text, self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_columns_after_emoji_and_accents() {
        // 😀 is two UTF-16 units and four bytes; é is one unit and two bytes.
        let text = "a\n\"😀é\" x\r\ny\rz";
        let ix = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(ix.position(text, x), Position::new(1, 6));
        assert_eq!(ix.offset(text, Position::new(1, 6)), x);
        let y = text.find('y').unwrap() as u32;
        assert_eq!(ix.position(text, y), Position::new(2, 0));
        let z = text.find('z').unwrap() as u32;
        assert_eq!(ix.position(text, z), Position::new(3, 0));
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(ix.offset(text, Position::new(1, 2)), 3);
        // Past the end of a line: the line's end, before its break.
        assert_eq!(ix.offset(text, Position::new(1, 99)), x + 1);
        assert_eq!(ix.offset(text, Position::new(9, 0)), text.len() as u32);
        assert_eq!(ix.end(text), Position::new(3, 1));
    }

    #[test]
    fn a_byte_order_mark_is_no_column() {
        let text = "\u{FEFF}ab";
        let ix = LineIndex::new(text);
        assert_eq!(ix.position(text, 3), Position::new(0, 0));
        assert_eq!(ix.position(text, 4), Position::new(0, 1));
        assert_eq!(ix.offset(text, Position::new(0, 1)), 4);
    }
}
