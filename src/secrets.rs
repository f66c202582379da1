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
    for caps in pattern().captures_iter(text) {
        if let Some(m) = caps.get(2) {
            let keep = 4.min(m.len());
            let masked: String = "*".repeat(m.len() - keep);
            out.replace_range(m.start() + keep..m.end(), &masked);
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
    fn leaves_other_text_alone() {
        let text = r#"{"Action": "s3:GetObject"}"#;
        assert_eq!(mask(text), text);
    }
}
