//! SEC001: an AWS secret access key or session token committed in a scanned file.

use super::*;
use crate::diagnostic::Finding;
use crate::parse::json::{Kind, Node};

/// Whether a key names a secret: `secret_access_key`, `AwsSecretAccessKey`,
/// `PlatformSecretAccessKey`, `secret_key` (Terraform's provider), `aws_session_token`.
fn secret_key(key: &str) -> bool {
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

/// Report every secret-looking value under a secret key; the message never shows it.
pub fn check(source_id: usize, root: &Node, out: &mut Vec<Finding>) {
    walk(source_id, root, out, 0);
}

fn walk(source_id: usize, n: &Node, out: &mut Vec<Finding>, depth: usize) {
    if depth > 64 {
        return;
    }
    match &n.kind {
        Kind::Object(members) => {
            for m in members {
                if secret_key(&m.key) {
                    let key = m.key.to_ascii_lowercase();
                    // a CloudFormation parameter holds it in `Default`
                    let value = m.value.get("Default").unwrap_or(&m.value);
                    if let Some(v) = value.as_str() {
                        if v.len() >= 16
                            && crate::syntax::find_placeholder(v).is_none()
                            && !v.starts_with("${")
                        {
                            let token = key.contains("token");
                            let f = Finding::new(&SEC001, source_id, value.inner_span(), format!("{} in `{}` ({}…, {} characters)", if token { "a session token" } else { "an AWS secret access key" }, m.key, v.chars().take(4).collect::<String>(), v.len()))
                                .note("anyone who can read this file (or its history) can act as the key's user; a secret belongs in a secrets manager or an environment variable, never in a repository")
                                .help("deactivate and rotate the key in IAM now, remove it from the file and from the repository's history, and pass it to the platform at connection time");
                            out.push(f);
                        }
                    }
                }
                walk(source_id, &m.value, out, depth + 1);
            }
        }
        Kind::Array(items) => items
            .iter()
            .for_each(|i| walk(source_id, i, out, depth + 1)),
        _ => {}
    }
}
