//! JSON001–JSON007: the text is not the strict JSON that AWS accepts.

use super::*;
use crate::diagnostic::Finding;
use crate::parse::json::{Issue, IssueKind};

declare! {
    family "syntax", "the text of a file is not the strict JSON AWS accepts";
    JSON001 "json-syntax-error" Error aa["JSON_SYNTAX_ERROR"] on[Text] fix[];
    JSON002 "trailing-comma" Error aa["JSON_SYNTAX_ERROR"] on[Text] fix[Safe];
    JSON003 "json-comment" Error aa["JSON_SYNTAX_ERROR"] on[Text] fix[];
    JSON004 "duplicate-key" Warning aa[] on[Text] fix[];
    JSON005 "invalid-utf8" Error aa[] on[Text] fix[];
    JSON006 "byte-order-mark" Warning aa[] on[Text] fix[];
    JSON007 "empty-file" Warning aa[] on[Text] fix[];
}

pub fn findings(source: usize, issues: &[Issue]) -> Vec<Finding> {
    issues
        .iter()
        .map(|i| {
            let f = match i.kind {
                IssueKind::Syntax => Finding::new(&JSON001, source, i.span, if i.message.starts_with("invalid ") { i.message.clone() } else { format!("invalid JSON: {}", i.message) })
                    .note("AWS rejects the document with `MalformedPolicyDocument`; nothing else in this file was checked")
                    .help("fix the JSON syntax at the marked position"),
                IssueKind::TrailingComma => Finding::new(&JSON002, source, i.span, "trailing comma")
                    .note("IAM and S3 reject documents with a comma before `]` or `}` (MalformedPolicyDocument)")
                    .help("remove this comma")
                    .fix("remove the comma", i.span, ""),
                IssueKind::Comment => Finding::new(&JSON003, source, i.span, "comment in JSON")
                    .note("IAM and S3 reject documents with comments (MalformedPolicyDocument)")
                    .help("remove the comment, or move the explanation into a `Sid`"),
                IssueKind::DuplicateKey => {
                    let f = Finding::new(&JSON004, source, i.span, i.message.clone())
                        .note("IAM silently keeps only the last value of a repeated key, so the earlier one has no effect")
                        .help("merge the two values into one key");
                    match i.related {
                        Some(r) => f.label(r, "first defined here, and silently discarded"),
                        None => f,
                    }
                }
                IssueKind::InvalidUtf8 => Finding::new(&JSON005, source, i.span, "invalid UTF-8 byte sequence")
                    .note("AWS reads policy documents as UTF-8 text; this byte cannot be read")
                    .help("save the file as UTF-8"),
                IssueKind::ByteOrderMark => Finding::new(&JSON006, source, i.span, "the file starts with a UTF-8 byte order mark")
                    .note("some AWS tools pass the mark through and the document is then rejected as malformed")
                    .help("save the file as UTF-8 without a byte order mark"),
                IssueKind::Limit => Finding::new(&JSON001, source, i.span, i.message.clone())
                    .note("a file may expand (YAML aliases, Terraform references and functions) only so far, so that a small file cannot exhaust the memory or time of the run; nothing else in this file was checked")
                    .help("write the repeated values out, or reduce what the marked value expands to"),
                IssueKind::Empty => Finding::new(&JSON007, source, i.span, "empty file")
                    .note("there is no document to check")
                    .help("add the policy document, or delete the file"),
            };
            f
        })
        .collect()
}
