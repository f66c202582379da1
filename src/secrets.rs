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
            r#"(?i)(secret_?access_?key|secretkey|session_?token|security_?token)["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{8,})"#,
        )
        .unwrap_or_else(|_| unreachable!("the secret pattern is a valid regex"))
    })
}

/// The text with secret values masked; the same length in bytes as the input.
pub fn mask(text: &str) -> String {
    let lower_hit = text.contains("ecret")
        || text.contains("oken")
        || text.contains("ECRET")
        || text.contains("OKEN");
    if !lower_hit {
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

/// Mask a single secret value for messages: the first 4 characters and asterisks.
pub fn mask_value(value: &str) -> String {
    let keep: String = value.chars().take(4).collect();
    format!(
        "{keep}{}",
        "*".repeat(value.chars().count().saturating_sub(4))
    )
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
