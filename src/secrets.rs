//! Secrets never leave the process: any AWS secret access key or session token found in an
//! input is masked (all but its first 4 characters become `*`) in the text emitters print.
//! Masking keeps byte lengths, so every span stays valid.

use regex::Regex;
use std::sync::OnceLock;

fn pattern() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // A JSON, YAML, HCL or INI assignment whose key names a secret key or session token.
        Regex::new(
            r#"(?i)(secret_?access_?key|secret_?key|session_?token|security_?token)["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{8,})"#,
        )
        .unwrap_or_else(|_| unreachable!("the secret pattern is a valid regex"))
    })
}

/// The text with secret values masked; the same length in bytes as the input.
pub fn mask(text: &str) -> String {
    masked(text).unwrap_or_else(|| text.to_string())
}

/// The text with its secrets masked, or `None` when it holds none (most files: the text is
/// then shown as it is, without a copy).
pub fn masked(text: &str) -> Option<String> {
    if !mentions_secret(text) {
        return None;
    }
    let mut out: Option<String> = None;
    let mut hide = |start: usize, end: usize| {
        let keep = 4.min(end - start);
        out.get_or_insert_with(|| text.to_string())
            .replace_range(start + keep..end, &"*".repeat(end - start - keep));
    };
    for caps in pattern().captures_iter(text) {
        if let Some(m) = caps.get(2) {
            hide(m.start(), m.end());
        }
    }
    for (start, end) in base64_runs(text.as_bytes()) {
        let run = &text.as_bytes()[start..end];
        let mixed =
            run.iter().any(u8::is_ascii_uppercase) && run.iter().any(u8::is_ascii_lowercase);
        if mixed && (end - start == 40 || end - start >= 100) {
            hide(start, end);
        }
    }
    out
}

fn base64_runs(b: &[u8]) -> Vec<(usize, usize)> {
    // a table: this runs over every byte of a file that names a secret
    const IS64: [bool; 256] = {
        let mut t = [false; 256];
        let mut c = 0;
        while c < 256 {
            let u = c as u8;
            t[c] = u.is_ascii_alphanumeric() || u == b'/' || u == b'+' || u == b'=';
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
        if !IS64[usize::from(b[i])] {
            i += SHORTEST;
            continue;
        }
        let mut start = i;
        while start > 0 && IS64[usize::from(b[start - 1])] {
            start -= 1;
        }
        let mut stop = i + 1;
        while stop < b.len() && IS64[usize::from(b[stop])] {
            stop += 1;
        }
        let mut end = stop;
        while end > start && b[end - 1] == b'=' && end - start != 40 {
            end -= 1;
        }
        // only a key's length matters to the caller
        if end - start == 40 || end - start >= 100 {
            out.push((start, end));
        }
        // the next run starts after `stop`; if it is long enough it holds `stop + 40`
        i = stop + SHORTEST;
    }
    out
}

/// Whether the text names a secret or a token anywhere (a key may be written apart from its
/// name). It runs on every file: the text is case-folded a block at a time into a buffer on the
/// stack (no copy of the file) and each block searched with `memchr`'s vectorised substring
/// search; blocks overlap by the longest word less one byte, so a word across two blocks is
/// found. No regex is compiled (a one-file run would pay for that).
fn mentions_secret(text: &str) -> bool {
    const BLOCK: usize = 4096;
    const OVERLAP: usize = "secret".len() - 1;
    let (secret, token) = (
        memchr::memmem::Finder::new(b"secret"),
        memchr::memmem::Finder::new(b"token"),
    );
    let bytes = text.as_bytes();
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
                        assert_eq!(
                            base64_runs(text.as_bytes()),
                            naive(text.as_bytes()),
                            "{text}"
                        );
                        n += 1;
                    }
                }
            }
        }
        assert!(n > 700);
    }
}
