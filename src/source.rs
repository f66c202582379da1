//! Sources: the bytes of one input (file, standard input or a virtual document), its display
//! name, and a line index that turns byte offsets into 1-based lines and columns at the edge.

use std::sync::Arc;

pub use crate::span::{LineCol, Span};

/// One input. `text` is what the user wrote (lossily decoded when it was not UTF-8);
/// `display` is the same text with secrets masked, byte for byte the same length, and is the
/// only text any emitter may print.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: Arc<str>,
    pub display: Arc<str>,
    /// The secrets `display` hides: those found in the text, then those the checks found.
    pub secrets: Vec<crate::secrets::Secret>,
    line_starts: Vec<usize>,
    /// Columns are byte distances when the text is ASCII (a minified document's one long line
    /// would otherwise be counted again for every finding on it).
    ascii: bool,
    /// For a file that was not UTF-8: where each U+FFFD of the decoded text stands for invalid
    /// bytes, as `(offset in the text, offset in the file, bytes in the file)`.
    replaced: Vec<(usize, usize, usize)>,
}

impl Source {
    pub fn new(name: impl Into<String>, text: String) -> Self {
        let secrets = crate::secrets::find(&text);
        let spans: Vec<Span> = secrets.iter().map(|s| s.span).collect();
        let display = crate::secrets::hide(&text, &spans);
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
            secrets,
            line_starts,
            replaced: Vec::new(),
        }
    }

    /// A file's bytes, decoded (each invalid sequence becomes U+FFFD), and where the first
    /// invalid byte is, if any. Offsets into the text map back to the file's bytes with
    /// [`Source::file_offset`].
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> (Self, Option<usize>) {
        let bytes = match String::from_utf8(bytes) {
            Ok(text) => return (Source::new(name, text), None),
            Err(e) => e.into_bytes(),
        };
        let mut text = String::with_capacity(bytes.len() + 16);
        let mut replaced = Vec::new();
        let mut at = 0;
        for chunk in bytes.utf8_chunks() {
            text.push_str(chunk.valid());
            at += chunk.valid().len();
            let bad = chunk.invalid().len();
            if bad > 0 {
                replaced.push((text.len(), at, bad));
                text.push('\u{fffd}');
                at += bad;
            }
        }
        let first = replaced.first().map(|r| r.1);
        let mut source = Source::new(name, text);
        source.replaced = replaced;
        (source, first)
    }

    /// The offset in the file's bytes of an offset into the text (they differ after invalid
    /// UTF-8, whose bytes the text holds as U+FFFD).
    pub fn file_offset(&self, offset: usize) -> usize {
        let i = self.replaced.partition_point(|r| r.0 <= offset);
        let Some(&(text_at, file_at, bad)) = i.checked_sub(1).and_then(|i| self.replaced.get(i))
        else {
            return offset;
        };
        let width = '\u{fffd}'.len_utf8();
        if offset < text_at + width {
            // inside the replacement: its first byte
            file_at
        } else {
            offset - (text_at + width) + file_at + bad
        }
    }

    /// Hide more secrets (those the checks found in the parsed document, such as a key written
    /// with escapes) in `display`.
    pub fn hide(&mut self, found: &[crate::secrets::Secret]) {
        let new: Vec<&crate::secrets::Secret> =
            found.iter().filter(|s| !self.secrets.contains(s)).collect();
        if new.is_empty() {
            return;
        }
        self.secrets.extend(new.into_iter().cloned());
        let spans: Vec<Span> = self.secrets.iter().map(|s| s.span).collect();
        if let Some(masked) = crate::secrets::hide(&self.text, &spans) {
            self.display = Arc::from(masked);
        }
    }

    /// The same source shown as `display` (of the same length: masked or escaped further).
    pub fn shown_as(&self, display: String) -> Source {
        debug_assert_eq!(display.len(), self.display.len());
        Source {
            display: Arc::from(display),
            ..self.clone()
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

    /// The span of bytes `start..end` of a string value whose contents are written at `inner`,
    /// when they are written literally there (no escape, no interpolation a template rendered);
    /// `None` otherwise: a part of a rendered or decoded string has no place of its own.
    pub fn part(&self, inner: Span, value: &str, start: usize, end: usize) -> Option<Span> {
        (start <= end
            && end <= value.len()
            && value.is_char_boundary(start)
            && value.is_char_boundary(end)
            && inner.len() == value.len()
            && self.snippet(inner) == value)
            .then(|| Span::new(inner.start + start, inner.start + end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_of_a_string_has_a_place_only_where_it_is_written_literally() {
        // `"s4:Get"` written as is, `"${x}s4:Get"` rendered to `s4:Get`, `"\u0073é"` decoded
        let src = Source::new("t", r#"["s4:Get", "${x}s4:Get", "\u0073é"]"#.to_string());
        let lit = Span::new(2, 8);
        assert_eq!(src.part(lit, "s4:Get", 0, 2), Some(Span::new(2, 4)));
        assert_eq!(src.part(lit, "s4:Get", 0, 7), None);
        let rendered = Span::new(12, 22);
        assert_eq!(src.part(rendered, "s4:Get", 0, 2), None);
        let decoded = Span::new(26, 34);
        assert_eq!(src.part(decoded, "sé", 0, 1), None);
        assert_eq!(src.part(Span::new(27, 33), "0073é", 0, 5), None);
    }

    #[test]
    fn offsets_map_back_to_the_bytes_of_a_file_that_is_not_utf8() {
        // one invalid byte, a truncated 3-byte sequence, two invalid bytes in a row
        let bytes = b"a\xe9b\xe2\x82c\xff\xfed".to_vec();
        let (source, first) = Source::from_bytes("x", bytes.clone());
        assert_eq!(first, Some(1));
        assert_eq!(&*source.text, "a\u{fffd}b\u{fffd}c\u{fffd}\u{fffd}d");
        for (ch, at) in [('a', 0), ('b', 2), ('c', 5), ('d', 8)] {
            let i = source.text.find(ch).unwrap();
            assert_eq!(source.file_offset(i), at, "{ch}");
            assert_eq!(bytes[source.file_offset(i)], ch as u8);
        }
        assert_eq!(source.file_offset(source.text.len()), bytes.len());
        // inside a replacement: where its bytes start
        assert_eq!(source.file_offset(2), 1);
        // valid UTF-8 maps to itself
        let (source, first) = Source::from_bytes("y", "é".as_bytes().to_vec());
        assert_eq!((first, source.file_offset(2)), (None, 2));
    }
}
