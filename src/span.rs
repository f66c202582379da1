//! Byte ranges into a source's text, and the lines and columns they are shown as.

/// A half-open byte range `[start, end)` into a source's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    /// A parser's optional byte range (`hcl-edit`, `toml_edit`); empty at 0 when it has none.
    pub fn of(range: Option<std::ops::Range<usize>>) -> Self {
        range.map(|r| Span::new(r.start, r.end)).unwrap_or_default()
    }
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A line and column, both 1-based; the column counts Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}
