//! Output escaping: text read from an input reaches a terminal, a CI log or an XML parser only as
//! printable text. A line break in a Sid or a file name never starts a line of the output (a
//! line of a CI log that starts with `::` is a workflow command), and escape sequences (ANSI,
//! OSC), bell, C1 controls, the Unicode line separators and the bidirectional controls are never
//! printed raw.

use std::borrow::Cow;

/// Whether a character is printed escaped: the C0 controls but tab, DEL and the C1 controls; the
/// Unicode line and paragraph separators; the bidirectional marks, embeddings, overrides and
/// isolates (which reorder what a terminal or a review page shows); the noncharacters U+FFFE and
/// U+FFFF (not allowed in XML).
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\0'..='\x08'
        | '\n'..='\x1f'
        | '\x7f'..='\u{9f}'
        | '\u{061c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{fffe}'
        | '\u{ffff}')
}

/// A quick look for a byte that may start an unsafe character; most texts hold none. (ASCII
/// text, the usual case, is told apart from the rest first, a comparison per byte.)
fn may_hold_unsafe(s: &str) -> bool {
    let b = s.as_bytes();
    if b.iter().all(|&c| (0x20..0x7f).contains(&c) || c == b'\t') {
        return false;
    }
    b.iter().any(|&c| {
        (c < 0x20 && c != b'\t') || c == 0x7f || c == 0xc2 || c == 0xd8 || c == 0xe2 || c == 0xef
    })
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// `s` with every character that `keep` does not accept at its position escaped (`\n`, `\r`,
/// `\u{1b}`); `s` itself when none is.
fn escape_with<'a>(s: &'a str, keep: impl Fn(&str, usize, char) -> bool) -> Cow<'a, str> {
    if !may_hold_unsafe(s) {
        return Cow::Borrowed(s);
    }
    let mut out: Option<String> = None;
    for (i, c) in s.char_indices() {
        if is_unsafe(c) && !keep(s, i, c) {
            let o = out.get_or_insert_with(|| s[..i].to_string());
            push_escaped(o, c);
        } else if let Some(o) = out.as_mut() {
            o.push(c);
        }
    }
    out.map_or(Cow::Borrowed(s), Cow::Owned)
}

/// A one-line field (a message, a label, a file name): every unsafe character escaped, line
/// breaks included.
pub fn line(s: &str) -> Cow<'_, str> {
    escape_with(s, |_, _, _| false)
}

/// A field the tool may write on several lines (a note or a help that holds a statement or a
/// list): a line break is kept when the line it starts begins, after spaces, as the tool's own
/// continuation lines do (`{`, `}`, `[`, `]`, `"`, or `- `), so that no line of the output starts
/// with text an input chose; any other line break and every other unsafe character is escaped.
pub fn lines(s: &str) -> Cow<'_, str> {
    escape_with(s, |s, i, c| {
        if c != '\n' {
            return false;
        }
        let rest = s[i + 1..].trim_start_matches(' ');
        rest.is_empty()
            || rest.starts_with('\n')
            || rest.starts_with(['{', '}', '[', ']', '"'])
            || rest.starts_with("- ")
    })
}

/// Text whose line breaks the format escapes itself (GitHub's workflow commands write them as
/// `%0A`): every other unsafe character escaped.
pub fn except_line_breaks(s: &str) -> Cow<'_, str> {
    escape_with(s, |_, _, c| c == '\n' || c == '\r')
}

/// Text of a file shown in an excerpt, byte for byte the same length (the spans that point into
/// it stay valid): line breaks (`\n`, `\r\n`) and tabs are kept; any other unsafe character
/// becomes `?` for each of its bytes, or U+FFFD when it is 3 bytes long.
pub fn excerpt(s: &str) -> Cow<'_, str> {
    if !may_hold_unsafe(s) {
        return Cow::Borrowed(s);
    }
    let mut out: Option<String> = None;
    let bytes = s.as_bytes();
    for (i, c) in s.char_indices() {
        let keep = !is_unsafe(c) || c == '\n' || (c == '\r' && bytes.get(i + 1) == Some(&b'\n'));
        if !keep {
            let o = out.get_or_insert_with(|| s[..i].to_string());
            match c.len_utf8() {
                3 => o.push('\u{fffd}'),
                n => o.extend(std::iter::repeat_n('?', n)),
            }
        } else if let Some(o) = out.as_mut() {
            o.push(c);
        }
    }
    out.map_or(Cow::Borrowed(s), Cow::Owned)
}

/// Lines of a text format with a backslash before `::` or `##` where it would start a line once
/// leading whitespace is trimmed (how CI runners read workflow commands: GitHub's `::error::`,
/// Azure's `##vso[`, TeamCity's `##teamcity[`). Text from an input can start a line without a
/// line break of its own: a file name starts each line of `concise`, and the human format wraps
/// long lines (between words, and inside a word longer than a line).
pub fn guard_line_starts(text: &str) -> Cow<'_, str> {
    let risky = |line: &str| {
        let t = line.trim_start();
        t.starts_with("::") || t.starts_with("##")
    };
    if !text.split('\n').any(risky) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if risky(line) {
            let indent = line.len() - line.trim_start().len();
            out.push_str(&line[..indent]);
            out.push('\\');
            out.push_str(&line[indent..]);
        } else {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

/// JSON text as `serde_json` writes it, with the unsafe characters it leaves raw (DEL, C1, the
/// line separators, the bidirectional controls, U+FFFE and U+FFFF) written as `\uXXXX` escapes:
/// the same JSON values. They can only stand inside strings (the rest of JSON text is ASCII
/// punctuation, digits and letters), and serde escapes the C0 controls itself.
pub fn json(text: String) -> String {
    // what is left to escape is DEL or not ASCII (the printer's line breaks are its own), and
    // starts with one of these bytes
    if text.is_ascii() && memchr::memchr(0x7f, text.as_bytes()).is_none() {
        return text;
    }
    let mut out: Option<String> = None;
    for (i, c) in text.char_indices() {
        if is_unsafe(c) && !c.is_ascii_control() || c == '\x7f' {
            let o = out.get_or_insert_with(|| text[..i].to_string());
            o.push_str(&format!("\\u{:04x}", c as u32));
        } else if let Some(o) = out.as_mut() {
            o.push(c);
        }
    }
    out.unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_fields_escape_every_line_break_and_control() {
        assert_eq!(
            line("a\n::stop-commands::x\r\u{1b}[31m\u{7}\u{9b}\u{202e}\u{2028}"),
            "a\\n::stop-commands::x\\r\\u{1b}[31m\\u{7}\\u{9b}\\u{202e}\\u{2028}"
        );
        assert!(matches!(
            line("plain `s3:GetObject` — ok\t"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn several_line_fields_keep_only_the_tools_own_line_starts() {
        let ours = "add this statement:\n{\n  \"Sid\": \"x\"\n}\n- a call\n\n";
        assert_eq!(lines(ours), ours);
        assert_eq!(lines("x\n::error::y"), "x\\n::error::y");
        assert_eq!(lines("x\n   ##vso[task]"), "x\\n   ##vso[task]");
        assert_eq!(lines("x\r\n{"), "x\\r\n{");
    }

    #[test]
    fn excerpts_keep_their_length_and_line_breaks() {
        for s in [
            "a\u{1b}]8;;x\u{7}b\r\nc\rd\u{9b}e\u{202e}f\tg\n",
            "\u{2028}\u{ffff}\0",
        ] {
            let e = excerpt(s);
            assert_eq!(e.len(), s.len(), "{e:?}");
            assert!(
                !e.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\r'),
                "{e:?}"
            );
        }
        assert_eq!(excerpt("a\r\nb\rc"), "a\r\nb?c");
    }

    #[test]
    fn no_line_starts_with_a_workflow_command() {
        let text =
            "::error::x.json:1:2: error\n        ::stop-commands::y`\n\t##vso[task]\nok :: ## \n";
        assert_eq!(
            guard_line_starts(text),
            "\\::error::x.json:1:2: error\n        \\::stop-commands::y`\n\t\\##vso[task]\nok :: ## \n"
        );
        assert!(matches!(
            guard_line_starts("a\n b :: c\n"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn json_text_keeps_its_values() {
        let v = serde_json::json!({"m": "a\u{1b}\u{7f}\u{85}\u{2028}\u{202e}\u{ffff}\n"});
        let text = json(serde_json::to_string(&v).unwrap());
        assert!(text.is_ascii(), "{text}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
    }
}
