//! Sources: the bytes of one input (file, standard input or a virtual document), its display
//! name, and a line index that turns byte offsets into 1-based lines and columns at the edge.

use std::sync::Arc;

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

/// One input. `text` is what the user wrote (lossily decoded when it was not UTF-8);
/// `display` is the same text with secrets masked, byte for byte the same length, and is the
/// only text any emitter may print.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: Arc<str>,
    pub display: Arc<str>,
    line_starts: Vec<usize>,
    /// Columns are byte distances when the text is ASCII (a minified document's one long line
    /// would otherwise be counted again for every finding on it).
    ascii: bool,
}

impl Source {
    pub fn new(name: impl Into<String>, text: String) -> Self {
        let display = crate::secrets::masked(&text);
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        let text: Arc<str> = Arc::from(text);
        // the same text when nothing was masked (most files): one copy in memory
        let display = match display {
            Some(masked) => Arc::from(masked),
            None => Arc::clone(&text),
        };
        let ascii = text.is_ascii();
        Source {
            ascii,
            name: name.into(),
            display,
            text,
            line_starts,
        }
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        if self.ascii {
            return LineCol {
                line: line + 1,
                column: offset - start + 1,
            };
        }
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[start..end].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Byte offset where 0-based line `line` starts, if the text has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).copied()
    }

    /// The (masked) text under a span, for messages and tests.
    pub fn snippet(&self, span: Span) -> &str {
        let mut s = span.start.min(self.display.len());
        let mut e = span.end.min(self.display.len()).max(s);
        while !self.display.is_char_boundary(s) {
            s -= 1;
        }
        while !self.display.is_char_boundary(e) {
            e += 1;
        }
        &self.display[s..e]
    }
}
