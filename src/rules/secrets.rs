//! SEC001: an AWS secret access key or session token committed in a scanned file.

use super::*;
use crate::diagnostic::Finding;
use crate::parse::json::{Kind, Node};
use crate::secrets::{names_secret, Secret};

declare! {
    family "secrets", "secrets committed in the checked files";
    SEC001 "committed-secret" Error aa[] on[Text] fix[];
}

/// Report every secret-looking value under a secret key; the message never shows it. Each one
/// is also given to `found` (where it is written and what it decodes to), so that masking hides
/// exactly what this rule read, however the value was escaped.
pub fn check(source_id: usize, root: &Node, out: &mut Vec<Finding>, found: &mut Vec<Secret>) {
    walk(source_id, root, out, found, 0);
}

fn walk(source_id: usize, n: &Node, out: &mut Vec<Finding>, found: &mut Vec<Secret>, depth: usize) {
    if depth > 64 {
        return;
    }
    match &n.kind {
        Kind::Object(members) => {
            for m in members {
                if names_secret(&m.key) {
                    let key = m.key.to_ascii_lowercase();
                    // a CloudFormation parameter holds it in `Default`
                    let value = m.value.get("Default").unwrap_or(&m.value);
                    if let Some(v) = value.as_str() {
                        if v.len() >= 16
                            && crate::syntax::find_placeholder(v).is_none()
                            && !v.starts_with("${")
                        {
                            found.push(Secret {
                                span: value.inner_span(),
                                value: v.to_string(),
                                named: true,
                            });
                            let token = key.contains("token");
                            let f = Finding::new(&SEC001, source_id, value.inner_span(), format!("{} in `{}` ({}…, {} characters)", if token { "a session token" } else { "an AWS secret access key" }, m.key, v.chars().take(4).collect::<String>(), v.len()))
                                .note("anyone who can read this file (or its history) can act as the key's user; a secret belongs in a secrets manager or an environment variable, never in a repository")
                                .help("deactivate and rotate the key in IAM now, remove it from the file and from the repository's history, and pass it to the platform at connection time");
                            out.push(f);
                        }
                    }
                }
                walk(source_id, &m.value, out, found, depth + 1);
            }
        }
        Kind::Array(items) => items
            .iter()
            .for_each(|i| walk(source_id, i, out, found, depth + 1)),
        _ => {}
    }
}
