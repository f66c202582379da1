//! Documents embedded in other documents: a policy held in a JSON string (as printed by
//! `aws s3api get-bucket-policy`) or URL-encoded (as returned by IAM). Decoding keeps, for every
//! byte of the decoded text, the source offset it came from, so findings inside the embedded
//! document point at the text the user sees.

use super::json::{Node, OffsetMap};

/// Decoded text plus `offsets[i]` = source offset of decoded byte `i` (one extra entry for the end).
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    offsets: Vec<usize>,
}

impl OffsetMap for Decoded {
    fn map(&self, offset: usize) -> usize {
        self.offsets
            .get(offset)
            .or(self.offsets.last())
            .copied()
            .unwrap_or(0)
    }
}

/// Decode the JSON string literal that `node` spans in `source` (quotes included).
pub fn string_literal(source: &str, node: &Node) -> Option<Decoded> {
    let raw = source.get(node.span.start..node.span.end)?;
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let base = node.span.start + 1;
    let mut text = String::with_capacity(inner.len());
    let mut offsets = Vec::with_capacity(inner.len() + 1);
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let at = base + i;
        if bytes[i] != b'\\' {
            let ch = inner[i..].chars().next()?;
            let len = ch.len_utf8();
            text.push(ch);
            offsets.extend((0..len).map(|k| at + k));
            i += len;
            continue;
        }
        let esc = *bytes.get(i + 1)?;
        let (ch, used) = match esc {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => {
                let hex = inner.get(i + 2..i + 6)?;
                let hi = u32::from_str_radix(hex, 16).ok()?;
                if (0xD800..0xDC00).contains(&hi) && inner.get(i + 6..i + 8) == Some("\\u") {
                    let lo = u32::from_str_radix(inner.get(i + 8..i + 12)?, 16).ok()?;
                    let c = char::from_u32(
                        0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF),
                    )?;
                    (c, 12)
                } else {
                    (char::from_u32(hi).unwrap_or('\u{fffd}'), 6)
                }
            }
            _ => return None,
        };
        text.push(ch);
        offsets.extend(std::iter::repeat_n(at, ch.len_utf8()));
        i += used;
    }
    offsets.push(base + inner.len());
    Some(Decoded { text, offsets })
}

/// Percent-decode `decoded` (IAM's URL-encoded policy documents), composing the offset maps.
/// `+` stays a plus sign, as IAM encodes spaces as `%20`.
pub fn url_decode(input: &Decoded) -> Decoded {
    let bytes = input.text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut offsets = Vec::with_capacity(bytes.len() + 1);
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                offsets.push(input.map(i));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        offsets.push(input.map(i));
        i += 1;
    }
    offsets.push(input.map(bytes.len()));
    let text = String::from_utf8_lossy(&out).into_owned();
    if text.len() != out.len() {
        // Lossy decoding changed lengths; fall back to mapping everything to the literal's start.
        let start = input.map(0);
        return Decoded {
            offsets: vec![start; text.len() + 1],
            text,
        };
    }
    Decoded { text, offsets }
}

/// A string value whose text was decoded by another parser (a YAML scalar, an HCL string or
/// heredoc): map each decoded byte to the source by walking both texts side by side. Characters
/// that appear as written map exactly; a character written as an escape or folded away maps to
/// the nearest position, so a finding inside the string still points at the right line.
pub fn align(decoded: &str, source: &str, region: crate::source::Span) -> Decoded {
    const LOOKAHEAD: usize = 8;
    let raw = source.get(region.start..region.end).unwrap_or("");
    let raw_bytes = raw.as_bytes();
    let mut offsets = Vec::with_capacity(decoded.len() + 1);
    let mut at = 0usize;
    for ch in decoded.chars() {
        let mut buf = [0u8; 4];
        let enc = ch.encode_utf8(&mut buf).as_bytes();
        let window_end = (at + LOOKAHEAD + enc.len()).min(raw_bytes.len());
        let found = raw_bytes
            .get(at..window_end)
            .and_then(|w| w.windows(enc.len()).position(|x| x == enc));
        let pos = match found {
            Some(k) => {
                let p = at + k;
                at = p + enc.len();
                p
            }
            None => at.min(raw_bytes.len()),
        };
        offsets.extend((0..enc.len()).map(|k| region.start + (pos + k).min(raw_bytes.len())));
    }
    offsets.push(region.start + at.min(raw_bytes.len()));
    Decoded {
        text: decoded.to_string(),
        offsets,
    }
}

/// Does this text look URL-encoded (IAM's form) rather than plain JSON?
pub fn looks_url_encoded(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("%7B") || t.starts_with("%7b")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::json::{parse_file, parse_text};

    #[test]
    fn escaped_policy_maps_back_to_the_file() {
        let file = r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"}"#;
        let outer = parse_file(file, None).root.unwrap();
        let lit = outer.get("Policy").unwrap();
        let d = string_literal(file, lit).unwrap();
        assert_eq!(d.text, r#"{"Version":"2012-10-17","Statement":[]}"#);
        let inner = parse_text(&d.text, &d).root.unwrap();
        let v = inner.get("Version").unwrap();
        assert_eq!(&file[v.span.start..v.span.end], r#"\"2012-10-17\""#);
    }

    #[test]
    fn aligned_text_maps_back_through_indentation_and_escapes() {
        let file = "Doc: |\n  {\"a\":\n    \"b\"}\nX: 'it''s'\n";
        let start = file.find('{').unwrap();
        let end = file.find("}\n").unwrap() + 1;
        let d = align(
            "{\"a\":\n  \"b\"}\n",
            file,
            crate::source::Span::new(start, end),
        );
        let inner = parse_text(&d.text, &d).root.unwrap();
        let v = inner.get("a").unwrap();
        assert_eq!(&file[v.span.start..v.span.end], "\"b\"");
        let q = file.find('\'').unwrap();
        let d = align(
            "it's",
            file,
            crate::source::Span::new(q + 1, file.len() - 2),
        );
        assert_eq!(d.map(3), file.find("s'\n").unwrap());
    }

    #[test]
    fn url_encoded_document_maps_back() {
        let file = r#"{"PolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D"}"#;
        let outer = parse_file(file, None).root.unwrap();
        let lit = outer.get("PolicyDocument").unwrap();
        let d = string_literal(file, lit).unwrap();
        assert!(looks_url_encoded(&d.text));
        let u = url_decode(&d);
        assert_eq!(u.text, r#"{"Version":"2012-10-17"}"#);
        let inner = parse_text(&u.text, &u).root.unwrap();
        let v = inner.get("Version").unwrap();
        assert_eq!(&file[v.span.start..v.span.end], "%222012-10-17%22");
    }
}
