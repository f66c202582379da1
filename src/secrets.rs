//! Secrets never leave the process: any AWS secret access key or session token found in an
//! input is masked (all but its first 4 characters become `*`) in the text emitters print.
//! Masking keeps byte lengths, so every span stays valid.

use crate::span::Span;
use regex::Regex;
use std::sync::OnceLock;

/// A secret found in a text: the bytes that hold it (as written: escaped, URL-encoded or plain)
/// and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub span: Span,
    pub value: String,
    /// Found as the value of a key that names a secret (not only by its shape): the run masks
    /// it wherever else it appears.
    pub named: bool,
}

/// Whether a key names a secret: `secret_access_key`, `AwsSecretAccessKey`,
/// `PlatformSecretAccessKey`, `secret-key`, `secret_key` (Terraform's provider),
/// `aws_session_token`. SEC001 reports the values under such keys, and masking hides them.
pub fn names_secret(key: &str) -> bool {
    // every such key is at least `secretkey` long and ends in `y` or `n`: most keys are
    // rejected without building the normalised copy
    if key.len() < 9 || !matches!(key.as_bytes()[key.len() - 1] | 0x20, b'y' | b'n') {
        return false;
    }
    let norm: String = key
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .collect::<String>()
        .to_ascii_lowercase();
    norm.ends_with("secretaccesskey") || norm.ends_with("sessiontoken") || norm == "secretkey"
}

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // A JSON, YAML, HCL or INI assignment whose key names a secret key or session token, up
        // to its value on the same line: the quotes and separator may be written escaped (`\"`,
        // a document in a JSON string) or URL-encoded (`%22`, `%3A`, IAM's form), with spaces
        // around them. (Not across a line break: `SecretAccessKey:` over a template's
        // `Description:` names the block, not a value.)
        Regex::new(
            r#"(?i)(secret[_-]?access[_-]?key|secret[_-]?key|session[_-]?token|security[_-]?token)(?:["']|%22|\\"|\\u0022)?(?:[ \t]|%20)*(?:[:=]|%3a|%3d)(?:[ \t]|%20)*(?:["']|%22|\\"|\\u0022)?(?:[ \t]|%20)*"#,
        )
        .unwrap_or_else(|_| unreachable!("the secret pattern is a valid regex"))
    })
}

/// A byte a key's value is written with: base64 (`A-Z a-z 0-9 / + =`).
const fn is64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'/' || b == b'+' || b == b'='
}

/// The character one escaped or encoded unit at the start of `b` stands for, and its length:
/// `\/`, `\uXXXX` (JSON and YAML), `%XX` (URL encoding); `None` for anything else.
fn unit(b: &[u8]) -> Option<(char, usize)> {
    let hex = |s: &[u8]| {
        s.iter()
            .try_fold(0u32, |n, &c| Some(n * 16 + char::from(c).to_digit(16)?))
            .and_then(char::from_u32)
    };
    match b {
        [b'\\', b'/', ..] => Some(('/', 2)),
        [b'\\', b'u', rest @ ..] if rest.len() >= 4 => Some((hex(&rest[..4])?, 6)),
        [b'%', rest @ ..] if rest.len() >= 2 => Some((hex(&rest[..2])?, 3)),
        _ => None,
    }
}

/// The value written at `b[at..]` as base64 characters, plain, escaped or URL-encoded: where it
/// ends and what it decodes to.
fn value_at(b: &[u8], at: usize) -> (usize, String) {
    let mut i = at;
    let mut value = String::new();
    while i < b.len() {
        if is64(b[i]) {
            value.push(char::from(b[i]));
            i += 1;
            continue;
        }
        match unit(&b[i..]) {
            Some((c, n)) if c.is_ascii() && is64(c as u8) => {
                value.push(c);
                i += n;
            }
            _ => break,
        }
    }
    (i, value)
}

/// The secrets of a text found without parsing it: the value of an assignment to a secret key
/// (8 characters or more), and the runs of base64 of a secret access key's length (40) or a
/// session token's (100 or more) that mix upper and lower case, in a text that names a secret
/// or a token anywhere. Values are decoded (`\/`, `\u002B`, `%2F`): each is found as what it
/// decodes to, and its whole written form is hidden.
pub fn find(text: &str) -> Vec<Secret> {
    if !mentions_secret(text) {
        return Vec::new();
    }
    let b = text.as_bytes();
    let mut out = Vec::new();
    for m in pattern().find_iter(text) {
        let (end, value) = value_at(b, m.end());
        if value.len() >= 8 {
            out.push(Secret {
                span: Span::new(m.end(), end),
                value,
                named: true,
            });
        }
    }
    for (start, end, value) in base64_runs(b) {
        let mixed = value.bytes().any(|c| c.is_ascii_uppercase())
            && value.bytes().any(|c| c.is_ascii_lowercase());
        if mixed {
            out.push(Secret {
                span: Span::new(start, end),
                value,
                named: false,
            });
        }
    }
    out
}

/// Whether a value has the shape of a secret access key (40 characters of base64) or a session
/// token (100 or more), mixing upper and lower case: for a value seen alone, without the text
/// around it (a value given on the command line).
pub fn shaped(value: &str) -> bool {
    let b = value.as_bytes();
    (b.len() == 40 || b.len() >= 100)
        && b.iter().all(|&c| is64(c))
        && b.iter().any(u8::is_ascii_uppercase)
        && b.iter().any(u8::is_ascii_lowercase)
}

/// A value as messages may show it when it may be a secret: its first 4 characters (as masking
/// keeps them; none of a value shorter than 20) and its length.
pub fn redacted(value: &str) -> String {
    let n = value.chars().count();
    let head: String = value.chars().take(if n >= 20 { 4 } else { 0 }).collect();
    format!("{head}… ({} characters, hidden)", value.chars().count())
}

/// The text with secret values masked; the same length in bytes as the input.
pub fn mask(text: &str) -> String {
    masked(text).unwrap_or_else(|| text.to_string())
}

/// The text with its secrets masked, or `None` when it holds none (most files: the text is
/// then shown as it is, without a copy).
pub fn masked(text: &str) -> Option<String> {
    let spans: Vec<Span> = find(text).into_iter().map(|s| s.span).collect();
    hide(text, &spans)
}

/// The text with every span hidden: each character of a span after its first 4 becomes `*`,
/// once for each of its bytes, so that the text keeps its length and every span into it stays
/// valid. `None` when no character changes.
pub fn hide(text: &str, spans: &[Span]) -> Option<String> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for s in spans {
        let mut start = s.start.min(text.len());
        let mut end = s.end.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let keep = text[start..end]
            .char_indices()
            .nth(4)
            .map_or(end, |(i, _)| start + i);
        if keep < end {
            ranges.push((keep, end));
        }
    }
    if ranges.is_empty() {
        return None;
    }
    ranges.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in ranges {
        let start = start.max(at);
        if start >= end {
            continue;
        }
        out.push_str(&text[at..start]);
        out.extend(std::iter::repeat_n('*', end - start));
        at = end;
    }
    out.push_str(&text[at..]);
    (out != text).then_some(out)
}

/// The runs of base64 of a key's length: 40 characters, or 100 and more (trailing `=` apart, but
/// for a run of exactly 40), as `(start, end, value)`. A run may be written with escapes (`\/`,
/// `\u002B`) or URL-encoded (`%2F`): its length is that of its value.
fn base64_runs(b: &[u8]) -> Vec<(usize, usize, String)> {
    // a table: this runs over every byte of a file that names a secret
    const IN_RUN: [bool; 256] = {
        let mut t = [false; 256];
        let mut c = 0;
        while c < 256 {
            let u = c as u8;
            t[c] = is64(u) || u == b'\\' || u == b'%';
            c += 1;
        }
        t
    };
    // Only a run of 40 bytes or more can hold a key, and such a run holds one byte of every
    // 40th: those are looked at, and a run is measured from the first of them found in it.
    const SHORTEST: usize = 40;
    let mut out = Vec::new();
    let mut i = SHORTEST - 1;
    while i < b.len() {
        if !IN_RUN[usize::from(b[i])] {
            i += SHORTEST;
            continue;
        }
        let mut start = i;
        while start > 0 && IN_RUN[usize::from(b[start - 1])] {
            start -= 1;
        }
        let mut stop = i + 1;
        while stop < b.len() && IN_RUN[usize::from(b[stop])] {
            stop += 1;
        }
        segments(b, start, stop, &mut out);
        // the next run starts after `stop`; if it is long enough it holds `stop + 40`
        i = stop + SHORTEST;
    }
    out
}

/// The parts of the run `b[start..stop]` that decode to base64, kept when a key's length.
fn segments(b: &[u8], start: usize, stop: usize, out: &mut Vec<(usize, usize, String)>) {
    let mut keep = |first: usize, ends: &mut Vec<usize>, value: &mut String| {
        // trailing padding is not part of a run, but for a run of exactly 40
        while value.ends_with('=') && value.len() != 40 {
            value.pop();
            ends.pop();
        }
        if value.len() == 40 || value.len() >= 100 {
            let end = ends.last().copied().unwrap_or(first);
            out.push((first, end, std::mem::take(value)));
        }
        ends.clear();
        value.clear();
    };
    let (mut first, mut ends, mut value) = (start, Vec::new(), String::new());
    let mut i = start;
    while i < stop {
        let step = if is64(b[i]) {
            Some((char::from(b[i]), 1))
        } else {
            unit(&b[i..stop]).filter(|(c, _)| c.is_ascii() && is64(*c as u8))
        };
        match step {
            Some((c, n)) => {
                if value.is_empty() {
                    first = i;
                }
                value.push(c);
                i += n;
                ends.push(i);
            }
            None => {
                keep(first, &mut ends, &mut value);
                i += 1;
            }
        }
    }
    keep(first, &mut ends, &mut value);
}

/// Whether the text names a secret or a token anywhere (a key may be written apart from its
/// name). It runs on every file: the text is case-folded a block at a time into a buffer on the
/// stack (no copy of the file) and each block searched with `memchr`'s vectorised substring
/// search; blocks overlap by the longest word less one byte, so a word across two blocks is
/// found. No regex is compiled (a one-file run would pay for that).
fn mentions_secret(text: &str) -> bool {
    const BLOCK: usize = 4096;
    const OVERLAP: usize = "secret".len() - 1;
    // built once: every string printed is looked at too
    static FINDERS: OnceLock<[memchr::memmem::Finder<'static>; 2]> = OnceLock::new();
    let [secret, token] = FINDERS.get_or_init(|| {
        [
            memchr::memmem::Finder::new(b"secret"),
            memchr::memmem::Finder::new(b"token"),
        ]
    });
    let bytes = text.as_bytes();
    // a printed string (a message, a help) is short: a small buffer, not 4 KiB to clear each time
    if bytes.len() <= 256 {
        let mut small = [0u8; 256];
        let block = &mut small[..bytes.len()];
        for (b, &c) in block.iter_mut().zip(bytes) {
            *b = c | 0x20;
        }
        return secret.find(block).is_some() || token.find(block).is_some();
    }
    let mut buf = [0u8; BLOCK];
    let mut start = 0;
    while start < bytes.len() {
        let end = (start + BLOCK).min(bytes.len());
        let block = &mut buf[..end - start];
        // `| 0x20` folds exactly the ASCII letters onto the lower-case ones (no other byte
        // becomes a letter), which is all the words searched for hold; it vectorises
        for (b, &c) in block.iter_mut().zip(&bytes[start..end]) {
            *b = c | 0x20;
        }
        if secret.find(block).is_some() || token.find(block).is_some() {
            return true;
        }
        if end == bytes.len() {
            break;
        }
        start = end - OVERLAP;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mention_is_found_in_any_block_and_across_blocks() {
        for at in [0, 10, 4090, 4091, 4093, 4095, 4096, 8180, 8187, 9000] {
            for word in ["Secret", "TOKEN"] {
                let mut text = "x".repeat(at);
                text.push_str(word);
                text.push_str(&"y".repeat(10_000 - at));
                assert!(mentions_secret(&text), "{word} at {at}");
            }
        }
        assert!(!mentions_secret(&"secre tokn ".repeat(2_000)));
        assert!(!mentions_secret(""));
        for len in [6, 100, 250, 256, 257, 300] {
            let mut text = "x".repeat(len - 6);
            text.push_str("SeCrEt");
            assert!(mentions_secret(&text), "{len}");
            assert!(!mentions_secret(&text[..len - 1]), "{len}");
        }
    }

    #[test]
    fn masks_json_secret_keeping_length() {
        let text = r#"{"secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}"#;
        let masked = mask(text);
        assert_eq!(masked.len(), text.len());
        assert!(masked.contains("\"wJal****"));
        assert!(!masked.contains("EXAMPLEKEY"));
    }

    #[test]
    fn masks_a_key_written_apart_from_its_name() {
        let text = "PlatformSecretAccessKey:\n  Type: String\n  Default: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
        let masked = mask(text);
        assert_eq!(masked.len(), text.len());
        assert!(!masked.contains("EXAMPLEKEY"), "{masked}");
        // a commit hash (lower-case hex) in a file that mentions a secret is left alone
        let text = "secret: none\ncommit: 0123456789abcdef0123456789abcdef01234567\n";
        assert_eq!(mask(text), text);
    }

    const KEY: &str = "PtYgjmUhBel31iEl2h/ChYgCfrL1+pNxnyVmihA7";

    /// Whether `text` shows 8 characters of `secret` in a row.
    fn shows(text: &str, secret: &str) -> bool {
        secret
            .as_bytes()
            .windows(8)
            .any(|w| text.contains(std::str::from_utf8(w).unwrap()))
    }

    #[test]
    fn a_value_written_with_escapes_or_encoded_is_found_as_what_it_decodes_to() {
        let escaped = KEY
            .replace('/', "\\/")
            .replace('+', "\\u002B")
            .replacen('P', "\\u0050", 1);
        let url = KEY.replace('/', "%2F").replace('+', "%2B");
        for text in [
            format!(r#"{{"secret_access_key": "{escaped}"}}"#),
            format!("SecretAccessKey: \"{}\"\n", KEY.replace('/', "\\/")),
            format!("%7B%22secret_access_key%22%3A%22{url}%22%7D"),
            format!("%7B%22secret_access_key%22%3A%20%22{url}%22%7D"),
            format!(r#"{{"secret_access_key": "    {KEY}"}}"#),
            format!(r#""{{\"aws_secret_access_key\":\"{escaped}\"}}""#),
            format!("aws_session_token={escaped}\n"),
        ] {
            let found = find(&text);
            assert!(
                found.iter().any(|s| s.value == KEY && s.named),
                "{text}: {found:?}"
            );
            let shown = mask(&text);
            assert_eq!(shown.len(), text.len());
            assert!(!shows(&shown, KEY), "{shown}");
            // nor 8 bytes of the value as written
            assert!(!shows(&shown, &escaped) && !shows(&shown, &url), "{shown}");
        }
        // a key of 40 characters apart from its name, escaped, in a file that names a secret
        let text = format!("secret: see below\nkey: \"{escaped}\"\n");
        assert!(!shows(&mask(&text), KEY), "{}", mask(&text));
    }

    #[test]
    fn a_block_named_after_a_secret_is_not_a_value() {
        let text = "Outputs:\n  SecretAccessKey:\n    Description: the user's secret key\n    Value: !GetAtt Key.SecretAccessKey\n";
        assert_eq!(find(text), Vec::new());
        assert_eq!(mask(text), text);
    }

    #[test]
    fn leaves_other_text_alone() {
        let text = r#"{"Action": "s3:GetObject"}"#;
        assert_eq!(mask(text), text);
    }

    #[test]
    fn key_runs_are_found_wherever_they_stand() {
        let naive = |b: &[u8]| {
            let is64 = |c: u8| c.is_ascii_alphanumeric() || c == b'/' || c == b'+' || c == b'=';
            let mut out = Vec::new();
            let mut i = 0;
            while i < b.len() {
                if is64(b[i]) {
                    let start = i;
                    while i < b.len() && is64(b[i]) {
                        i += 1;
                    }
                    let mut end = i;
                    while end > start && b[end - 1] == b'=' && end - start != 40 {
                        end -= 1;
                    }
                    if end - start == 40 || end - start >= 100 {
                        out.push((start, end));
                    }
                } else {
                    i += 1;
                }
            }
            out
        };
        let mut n = 0;
        for before in [0, 1, 38, 39, 40, 41, 79, 80] {
            for len in [39, 40, 41, 42, 99, 100, 101, 150] {
                for pad in ["", "=", "==", "==="] {
                    for gap in [" ", "  x ", &" ".repeat(45)] {
                        let key = "aB3/".repeat(40)[..len].to_string() + pad;
                        let text = format!("{}{gap}{key}{gap}{key}{gap}", "-".repeat(before));
                        let runs: Vec<(usize, usize)> = base64_runs(text.as_bytes())
                            .into_iter()
                            .map(|(s, e, _)| (s, e))
                            .collect();
                        assert_eq!(runs, naive(text.as_bytes()), "{text}");
                        n += 1;
                    }
                }
            }
        }
        assert!(n > 700);
    }
}
