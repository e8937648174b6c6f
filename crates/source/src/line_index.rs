/// How a column is counted: editors speak UTF-16 code units by default, some UTF-8 bytes, and
/// people read characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionEncoding {
    Utf8,
    Utf16,
    Chars,
}

/// A zero-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// The byte offset of every line start, so that an offset becomes a line by binary search.
///
/// Built once per file; pest's own `line_col` rescans the text on every call and must not be used.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<u32>,
    /// Lines of only ASCII text, where a column in any encoding is a byte count: positions on
    /// them cost nothing, even on a line of megabytes.
    ascii_lines: Vec<bool>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        let mut ascii_lines = Vec::new();
        let mut ascii = true;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
                ascii_lines.push(ascii);
                ascii = true;
            } else if !b.is_ascii() {
                ascii = false;
            }
        }
        ascii_lines.push(ascii);
        LineIndex {
            line_starts,
            ascii_lines,
            len: text.len() as u32,
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The zero-based line holding `offset` (an offset past the end is on the last line).
    pub fn line_of(&self, offset: u32) -> u32 {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line as u32,
            Err(next) => next as u32 - 1,
        }
    }

    /// The byte offset where zero-based `line` starts, if the file has it.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.line_starts.get(line as usize).copied()
    }

    /// Line and column of `offset`, the column counted in `encoding` units.
    pub fn line_col(&self, text: &str, offset: u32, encoding: PositionEncoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(self.len) as usize);
        let line = self.line_of(offset as u32);
        let start = self.line_starts[line as usize] as usize;
        if self
            .ascii_lines
            .get(line as usize)
            .copied()
            .unwrap_or(false)
        {
            return LineCol {
                line,
                col: (offset - start) as u32,
            };
        }
        let prefix = &text[start..offset];
        let col = match encoding {
            PositionEncoding::Utf8 => prefix.len(),
            PositionEncoding::Utf16 => prefix.encode_utf16().count(),
            PositionEncoding::Chars => prefix.chars().count(),
        } as u32;
        LineCol { line, col }
    }

    /// The byte offset of a line and column counted in `encoding` units; a column past the end of
    /// the line clamps to the line's end, a line past the end of the file to the file's end.
    pub fn offset(&self, text: &str, at: LineCol, encoding: PositionEncoding) -> u32 {
        let Some(start) = self.line_start(at.line) else {
            return self.len;
        };
        let end = self
            .line_start(at.line + 1)
            .map_or(self.len, |next| next - 1);
        let line = &text[start as usize..end as usize];
        let mut units = 0u32;
        for (i, ch) in line.char_indices() {
            if units >= at.col {
                return start + i as u32;
            }
            units += match encoding {
                PositionEncoding::Utf8 => ch.len_utf8() as u32,
                PositionEncoding::Utf16 => ch.len_utf16() as u32,
                PositionEncoding::Chars => 1,
            };
        }
        end
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_every_encoding() {
        let text = "ab\nécole 😀x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(
            index.line_col(text, x, PositionEncoding::Utf8),
            LineCol { line: 1, col: 11 }
        );
        assert_eq!(
            index.line_col(text, x, PositionEncoding::Utf16),
            LineCol { line: 1, col: 8 }
        );
        assert_eq!(
            index.line_col(text, x, PositionEncoding::Chars),
            LineCol { line: 1, col: 7 }
        );
        for encoding in [
            PositionEncoding::Utf8,
            PositionEncoding::Utf16,
            PositionEncoding::Chars,
        ] {
            let at = index.line_col(text, x, encoding);
            assert_eq!(index.offset(text, at, encoding), x);
        }
    }

    #[test]
    fn offsets_past_the_end_clamp() {
        let text = "one\ntwo";
        let index = LineIndex::new(text);
        assert_eq!(index.line_of(100), 1);
        assert_eq!(
            index.offset(text, LineCol { line: 9, col: 0 }, PositionEncoding::Utf8),
            7
        );
        assert_eq!(
            index.offset(text, LineCol { line: 0, col: 99 }, PositionEncoding::Utf8),
            3
        );
    }
}
