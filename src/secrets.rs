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
    if !mentions_secret(text.as_bytes()) {
        return text.to_string();
    }
    let mut out = text.to_string();
    let mut hide = |start: usize, end: usize| {
        let keep = 4.min(end - start);
        out.replace_range(start + keep..end, &"*".repeat(end - start - keep));
    };
    for caps in pattern().captures_iter(text) {
        if let Some(m) = caps.get(2) {
            hide(m.start(), m.end());
        }
    }
    // a key's value written apart from its name (a CloudFormation parameter's `Default`, a
    // variable's default): any run shaped like a secret access key (40 base64 characters in
    // mixed case) or a session token (100 or more)
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

/// Maximal runs of base64 characters (`=` padding included).
fn base64_runs(b: &[u8]) -> Vec<(usize, usize)> {
    let is64 = |c: u8| c.is_ascii_alphanumeric() || c == b'/' || c == b'+' || c == b'=';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if is64(b[i]) {
            let start = i;
            while i < b.len() && is64(b[i]) {
                i += 1;
            }
            // padding is not part of a 40-character key
            let mut end = i;
            while end > start && b[end - 1] == b'=' && end - start != 40 {
                end -= 1;
            }
            out.push((start, end));
        } else {
            i += 1;
        }
    }
    out
}

/// One pass over the bytes: does "secret" or "token" (any case) occur?
fn mentions_secret(b: &[u8]) -> bool {
    b.windows(5).any(|w| {
        let w = [
            w[0] | 0x20,
            w[1] | 0x20,
            w[2] | 0x20,
            w[3] | 0x20,
            w[4] | 0x20,
        ];
        &w == b"ecret" || &w == b"token"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
