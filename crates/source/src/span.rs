use serde::Serialize;

/// Identifies a file of a [`crate::SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct FileId(u32);

impl FileId {
    pub const fn new(raw: u32) -> Self {
        FileId(raw)
    }

    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// A half-open byte range `start..end` into one file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }

    /// Builds a span from `usize` offsets; files are limited to 4 GiB by the loader.
    pub fn from_range(range: std::ops::Range<usize>) -> Self {
        Span::new(range.start as u32, range.end as u32)
    }

    pub const fn empty(at: u32) -> Self {
        Span { start: at, end: at }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub const fn len(self) -> u32 {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn contains(self, offset: u32) -> bool {
        self.start <= offset && offset < self.end
    }
}
