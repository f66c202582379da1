//! VAL001–VAL006: values people copy from onboarding guides and get wrong.

use super::*;
use crate::diagnostic::{Finding, Severity};
use crate::model::policy::Statement;
use crate::parse::json::{Kind, Node};
use crate::rules::delivery::BILLING_PRINCIPALS;
use crate::rules::Ctx;

declare! {
    family "values", "the values in a policy (ARNs, account IDs, placeholders)";
    VAL001 "unreplaced-placeholder" Error aa[] on[Policy] fix[Safe];
    VAL002 "invalid-account-id" Error aa["INVALID_ARN_ACCOUNT"] on[Policy] fix[Safe];
    VAL003 "s3-arn-region-or-account" Error aa["ARN_REGION_NOT_ALLOWED", "ARN_ACCOUNT_NOT_ALLOWED"] on[Policy] fix[];
    VAL004 "malformed-arn" Error aa["MISSING_ARN_FIELD", "INVALID_ARN_PREFIX", "INVALID_PARTITION"] on[Policy] fix[];
    VAL005 "s3-url-not-arn" Error aa[] on[Policy] fix[];
    VAL006 "wildcard-without-like-operator" Warning aa["WILDCARD_WITHOUT_LIKE_OPERATOR"] on[Policy] fix[Safe];
}

/// Condition keys whose values are AWS account IDs.
pub const ACCOUNT_KEYS: &[&str] = &[
    "aws:SourceAccount",
    "aws:ResourceAccount",
    "aws:PrincipalAccount",
    "aws:SourceOwner",
    "s3:ResourceAccount",
];
/// Condition keys whose values are ARNs.
pub const ARN_KEYS: &[&str] = &["aws:SourceArn", "aws:PrincipalArn", "aws:ResourceArn"];
const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];
/// S3 resource types whose ARNs do carry a region and an account.
const S3_TYPED: &[&str] = &[
    "accesspoint/",
    "job/",
    "storage-lens/",
    "storage-lens-group/",
    "access-grants/",
    "async-request/",
    "multi-region-access-point-request/",
];
const EXAMPLE_ACCOUNTS: &[&str] = &[
    "123456789012",
    "111122223333",
    "444455556666",
    "000000000000",
];

pub fn is_account_key(key: &str) -> bool {
    ACCOUNT_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}
pub fn is_arn_key(key: &str) -> bool {
    ARN_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
}

pub fn check(ctx: &mut Ctx) {
    let root = &ctx.doc.root;
    placeholders(ctx, root);
    let stmts = std::mem::take(&mut ctx.statements);
    for stmt in &stmts {
        for key in ["Resource", "NotResource"] {
            for (value, node) in stmt.strings(key) {
                resource_value(ctx, node, value);
            }
        }
        for (value, node) in principal_aws_values(stmt) {
            account_value(ctx, node, value, "an `AWS` principal");
        }
        for cond in stmt.conditions() {
            // `Null` takes `true` or `false` (whether the key is absent), not the key's values
            if cond.base_op().eq_ignore_ascii_case("Null") {
                continue;
            }
            for v in cond.values() {
                if is_account_key(&cond.key.key) {
                    match &v.kind {
                        Kind::Number(n) => number_account(ctx, v, n, &cond.key.key),
                        Kind::String(s) => account_value(ctx, v, s, &format!("`{}`", cond.key.key)),
                        _ => {}
                    }
                } else if is_arn_key(&cond.key.key) {
                    if let Some(s) = v.as_str() {
                        arn_account_field(ctx, v, s);
                        if s.starts_with("s3://") {
                            s3_url(ctx, v, s);
                        }
                    }
                }
            }
        }
        wildcard_operators(ctx, stmt);
    }
    ctx.statements = stmts;
}

fn principal_aws_values<'a>(stmt: &Statement<'a>) -> Vec<(&'a str, &'a Node)> {
    ["Principal", "NotPrincipal"]
        .iter()
        .filter_map(|k| stmt.get(k))
        .filter_map(|p| p.get("AWS"))
        .flat_map(|v| v.one_or_many().iter())
        .filter_map(|n| n.as_str().map(|s| (s, n)))
        .collect()
}

fn placeholders(ctx: &mut Ctx, node: &Node) {
    match &node.kind {
        Kind::String(s) => {
            // both looks start with a quick one that most strings (actions, ARNs) fail
            if let Some((a, b)) = crate::syntax::find_placeholder(s) {
                let text = &s[a..b];
                let lower = text.to_ascii_lowercase();
                let replacement = if lower.contains("bucket") {
                    ctx.opts.bucket.clone()
                } else if lower.contains("account") {
                    ctx.opts.account_id.clone()
                } else {
                    None
                };
                let mut f = Finding::new(&VAL001, ctx.source_id, node.inner_span(), format!("unreplaced placeholder `{text}`"))
                    .note("the onboarding guides show placeholders that must be replaced; AWS takes this text literally, so the statement matches nothing or is rejected");
                f = match replacement {
                    // the run's value is certain: a safe fix, where the string is written
                    // without escapes (its text in the file is the text read)
                    Some(r) => {
                        let fixed = s.replace(text, &r);
                        let span = node.inner_span();
                        let plain = ctx.source.text.get(span.start..span.end) == Some(s.as_str());
                        let f = f.help(format!("use `\"{fixed}\"`"));
                        if plain {
                            f.fix(format!("use `\"{fixed}\"`"), span, fixed)
                        } else {
                            f
                        }
                    }
                    None if lower.contains("account") => f.help("replace it with the 12-digit AWS account ID, without dashes (or pass `--account-id` to see the corrected value)"),
                    None if lower.contains("bucket") => f.help("replace it with the bucket's name (or pass `--bucket` to see the corrected value)"),
                    None => f.help("replace the placeholder with the real value"),
                };
                ctx.report(f);
                return;
            }
            if !crate::syntax::has_twelve_digits(s) {
                return;
            }
            for ex in twelve_digit_runs(s).filter(|r| EXAMPLE_ACCOUNTS.contains(r)) {
                if ctx.opts.account_id.as_deref() != Some(ex) {
                    let mut f = Finding::new(&VAL001, ctx.source_id, node.inner_span(), format!("`{ex}` is the example account ID from AWS's documentation"))
                        .severity(Severity::Warning)
                        .note("no real account has this ID; the value was probably copied from an example");
                    f = match &ctx.opts.account_id {
                        Some(a) => f.help(format!("use `\"{}\"`", s.replace(ex, a))),
                        None => f.help("replace it with your 12-digit account ID"),
                    };
                    ctx.report(f);
                    return;
                }
            }
        }
        Kind::Array(items) => items.iter().for_each(|i| placeholders(ctx, i)),
        Kind::Object(members) => members.iter().for_each(|m| placeholders(ctx, &m.value)),
        _ => {}
    }
}

/// Every run of exactly 12 digits in `s`.
fn twelve_digit_runs(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 12)
}

pub fn has_placeholder(s: &str) -> bool {
    crate::syntax::find_placeholder(s).is_some()
}

fn number_account(ctx: &mut Ctx, node: &Node, n: &str, key: &str) {
    let padded = if n.len() < 12 && n.bytes().all(|b| b.is_ascii_digit()) {
        format!("{n:0>12}")
    } else {
        n.to_string()
    };
    let mut f = Finding::new(&VAL002, ctx.source_id, node.span, format!("account ID `{n}` in `{key}` is a JSON number"))
        .note("account IDs are strings: as a number, leading zeros are lost and the condition compares against the wrong text");
    f = if padded != n {
        f.help(format!(
            "write it as a string with its 12 digits: `\"{padded}\"`"
        ))
    } else {
        f.help(format!("write it as a string: `\"{n}\"`"))
    };
    // an account ID has 12 digits: the string is certain when the number has at most 12
    if padded.len() == 12 && padded.bytes().all(|b| b.is_ascii_digit()) {
        f = f.fix(
            format!("write `\"{padded}\"`"),
            node.span,
            format!("\"{padded}\""),
        );
    }
    ctx.report(f);
}

/// An account ID as a whole value (condition keys, `AWS` principals).
fn account_value(ctx: &mut Ctx, node: &Node, s: &str, what: &str) {
    if s.starts_with("arn:") {
        arn_account_field(ctx, node, s);
        return;
    }
    if s == "*" || s.contains('*') || s.contains('?') || s.contains("${") || has_placeholder(s) {
        return;
    }
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        return;
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let mut f = Finding::new(
        &VAL002,
        ctx.source_id,
        node.inner_span(),
        format!("`{s}` in {what} is not a 12-digit account ID"),
    )
    .note("an AWS account ID is exactly 12 digits, written without dashes or spaces");
    f = if digits.len() == 12 {
        let f = f.help(format!("use `\"{digits}\"`"));
        // dashes or spaces between the 12 digits: certain where the value is written plainly
        if ctx.source.snippet(node.inner_span()) == s
            && s.chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        {
            f.fix(format!("use `{digits}`"), node.inner_span(), digits.clone())
        } else {
            f
        }
    } else {
        f.help(format!("the value has {} digits; copy the ID from the account menu of the AWS console and remove the dashes", digits.len()))
    };
    ctx.report(f);
}

/// The account field of an ARN.
fn arn_account_field(ctx: &mut Ctx, node: &Node, s: &str) {
    let (fields, n) = crate::syntax::arn_fields(s);
    let parts = &fields[..n];
    if parts.len() < 6 || has_placeholder(s) {
        return;
    }
    let acct = parts[4];
    if acct.is_empty() || acct == "aws" || acct.contains(['*', '?']) || acct.contains("${") {
        return;
    }
    // the legacy principal of a CloudFront origin access identity
    if acct == "cloudfront"
        && parts[2] == "iam"
        && parts[5].starts_with("user/CloudFront Origin Access Identity ")
    {
        return;
    }
    if acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit()) {
        return;
    }
    let digits: String = acct.chars().filter(char::is_ascii_digit).collect();
    let start = parts[..4].iter().map(|p| p.len() + 1).sum::<usize>();
    let span = ctx
        .source
        .part(node.inner_span(), s, start, start + acct.len())
        .unwrap_or(node.inner_span());
    let mut f = Finding::new(&VAL002, ctx.source_id, span, format!("`{acct}` in ARN `{s}` is not a 12-digit account ID"))
        .note("the account field of an ARN is exactly 12 digits; IAM matches the ARN literally, so this one matches nothing");
    if digits.len() == 12 {
        f = f.help(format!("use `\"{}\"`", s.replacen(acct, &digits, 1)));
        if span.len() == acct.len()
            && ctx.source.snippet(span) == acct
            && acct
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == ' ')
        {
            f = f.fix(format!("use `{digits}`"), span, digits.clone());
        }
    } else {
        f = f.help("use the 12-digit account ID, without dashes");
    }
    ctx.report(f);
}

/// What is wrong with a `Resource` value, if anything (the account field aside).
#[derive(Debug, PartialEq, Eq)]
pub enum ResourceShape {
    /// `*`, a placeholder (VAL001), or a well-formed ARN.
    Fine,
    S3Url,
    NotArn,
    MissingFields,
    BadPartition,
    /// An S3 bucket or object ARN with a region or account field.
    S3RegionOrAccount,
}

/// A field of only `*` also matches the empty field, so `arn:aws:s3::*:name` is fine.
fn matches_empty(field: &str) -> bool {
    field.chars().all(|c| c == '*')
}

pub fn resource_shape(s: &str) -> ResourceShape {
    if s == "*" || has_placeholder(s) {
        return ResourceShape::Fine;
    }
    if s.starts_with("s3://") {
        return ResourceShape::S3Url;
    }
    if !s.starts_with("arn:") {
        return ResourceShape::NotArn;
    }
    let (fields, n) = crate::syntax::arn_fields(s);
    let parts = &fields[..n];
    if parts.len() < 6 {
        return ResourceShape::MissingFields;
    }
    if !PARTITIONS.contains(&parts[1]) && !parts[1].contains(['*', '?', '$']) {
        return ResourceShape::BadPartition;
    }
    if parts[2] == "s3"
        && (!matches_empty(parts[3]) || !matches_empty(parts[4]))
        && !S3_TYPED.iter().any(|t| parts[5].starts_with(t))
    {
        return ResourceShape::S3RegionOrAccount;
    }
    ResourceShape::Fine
}

fn resource_value(ctx: &mut Ctx, node: &Node, s: &str) {
    let (fields, n) = crate::syntax::arn_fields(s);
    let parts = &fields[..n];
    let f = match resource_shape(s) {
        ResourceShape::Fine => {
            if s.starts_with("arn:") {
                arn_account_field(ctx, node, s);
            }
            return;
        }
        ResourceShape::S3Url => return s3_url(ctx, node, s),
        ResourceShape::NotArn => {
            let help = if s.to_ascii_lowercase().starts_with("arn:") {
                format!("write the prefix in lower case: `\"arn:{}\"`", &s[4..])
            } else if !s.contains(':') && !s.contains('/') {
                format!("for an S3 bucket, use `\"arn:aws:s3:::{s}\"`")
            } else {
                "a resource is `*` or an ARN that starts with `arn:`".to_string()
            };
            Finding::new(
                &VAL004,
                ctx.source_id,
                node.inner_span(),
                format!("resource `{s}` is not an ARN"),
            )
            .aa("INVALID_ARN_PREFIX")
            .note("IAM compares resources as ARNs; this value matches nothing and is rejected")
            .help(help)
        }
        ResourceShape::MissingFields => {
            let help = if parts.get(2) == Some(&"s3") || s.starts_with("arn:aws:s3") {
                let tail = s.trim_start_matches("arn:aws:s3").trim_start_matches(':');
                format!("an S3 ARN has three colons after `s3`: `\"arn:aws:s3:::{tail}\"`")
            } else {
                "an ARN has six fields: `arn:partition:service:region:account:resource`".to_string()
            };
            Finding::new(
                &VAL004,
                ctx.source_id,
                node.inner_span(),
                format!("ARN `{s}` is missing fields"),
            )
            .aa("MISSING_ARN_FIELD")
            .note("IAM rejects an ARN with fewer than six colon-separated fields")
            .help(help)
        }
        ResourceShape::BadPartition => {
            let partition = parts[1];
            Finding::new(
                &VAL004,
                ctx.source_id,
                node.inner_span(),
                format!("unknown partition `{partition}` in ARN `{s}`"),
            )
            .aa("INVALID_PARTITION")
            .note("the partition is `aws`, `aws-cn`, `aws-us-gov` or another AWS partition")
            .help(format!("use `\"{}\"`", s.replacen(partition, "aws", 1)))
        }
        ResourceShape::S3RegionOrAccount => {
            arn_account_field(ctx, node, s);
            let fixed = format!("arn:{}:s3:::{}", parts[1], parts[5]);
            let what = match (matches_empty(parts[3]), matches_empty(parts[4])) {
                (false, false) => "a region and an account",
                (false, true) => "a region",
                _ => "an account",
            };
            Finding::new(&VAL003, ctx.source_id, node.inner_span(), format!("S3 ARN `{s}` has {what}"))
                .aa(if matches_empty(parts[3]) { "ARN_ACCOUNT_NOT_ALLOWED" } else { "ARN_REGION_NOT_ALLOWED" })
                .note("bucket and object ARNs have empty region and account fields; with them the ARN matches no bucket")
                .help(format!("use `\"{fixed}\"`"))
        }
    };
    ctx.report(f);
}

fn s3_url(ctx: &mut Ctx, node: &Node, s: &str) {
    let path = s.trim_start_matches("s3://");
    let fixed = format!("arn:aws:s3:::{path}");
    let f = Finding::new(
        &VAL005,
        ctx.source_id,
        node.inner_span(),
        format!("`{s}` is an S3 URL, not an ARN"),
    )
    .note("policies name buckets and objects by ARN; an `s3://` URL matches nothing")
    .help(if path.contains('/') {
        format!("use `\"{fixed}\"`")
    } else {
        format!("use `\"{fixed}\"` for the bucket and `\"{fixed}/*\"` for its objects")
    });
    ctx.report(f);
}

/// A statement is a billing delivery statement when it names a billing service principal.
pub fn is_delivery_statement(stmt: &Statement) -> bool {
    stmt.get("Principal")
        .and_then(|p| p.get("Service"))
        .map(|s| {
            s.one_or_many()
                .iter()
                .filter_map(Node::as_str)
                .any(|v| BILLING_PRINCIPALS.iter().any(|b| b.eq_ignore_ascii_case(v)))
        })
        .unwrap_or(false)
}

fn wildcard_operators(ctx: &mut Ctx, stmt: &Statement) {
    if ctx.doc.kind == crate::model::PolicyKind::Bucket && is_delivery_statement(stmt) {
        return; // BP007 reports these with the delivery's severity
    }
    for cond in stmt.conditions() {
        if let Some((like, value, node)) = literal_wildcard(&cond) {
            let op = cond.op();
            let fixed = op.replacen(cond.base_op(), like, 1);
            let f = Finding::new(&VAL006, ctx.source_id, node.inner_span(), format!("`{value}` has a wildcard, but `{op}` compares it literally"))
                .label(cond.operator.key_span, format!("`{op}` does not expand `*` or `?`"))
                .note("the condition only matches the literal text, including the `*`, so it probably never matches")
                .help(like_help(&cond, &fixed));
            let f = match operator_fix(stmt, &cond, &fixed) {
                Some((span, text)) => f.fix(format!("use `{fixed}`"), span, text),
                None => f,
            };
            ctx.report(f);
        }
    }
}

/// Rename a condition's operator, when the condition block has no operator of that name yet
/// (values without wildcards compare the same under the Like operator). Never for an
/// `IgnoreCase` operator: no Like operator ignores case, so the rename would change what the
/// condition matches.
pub fn operator_fix(
    stmt: &Statement,
    cond: &crate::model::policy::Condition,
    fixed: &str,
) -> Option<(crate::source::Span, String)> {
    if ignores_case(cond) {
        return None;
    }
    let block = stmt.get("Condition")?;
    if block.get(fixed).is_some() {
        return None;
    }
    Some((cond.operator.key_span, format!("\"{fixed}\"")))
}

pub fn ignores_case(cond: &crate::model::policy::Condition) -> bool {
    cond.base_op().ends_with("IgnoreCase")
}

/// What to do about a wildcard under an operator that compares literally: use `fixed`, which
/// for an `IgnoreCase` operator also makes the comparison case-sensitive.
pub fn like_help(cond: &crate::model::policy::Condition, fixed: &str) -> String {
    if ignores_case(cond) {
        format!("use `\"{fixed}\"` with the value in the case requests carry it (no Like operator ignores case), or list each full value, without a wildcard, under `\"{}\"`", cond.op())
    } else {
        format!("use `\"{fixed}\"`")
    }
}

/// Whether a condition value has a `*` or `?` that a Like operator would expand: not the
/// escapes `${*}`, `${?}` and `${$}`, which stand for the character itself.
fn has_wildcard(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'$' if matches!(b.get(i + 1..i + 4), Some([b'{', b'*' | b'?' | b'$', b'}'])) => {
                i += 4;
                continue;
            }
            b'*' | b'?' => return true,
            _ => {}
        }
        i += 1;
    }
    false
}

/// For a non-Like string operator with a wildcard value: the Like operator to use, the value and its node.
pub fn literal_wildcard<'a>(
    cond: &crate::model::policy::Condition<'a>,
) -> Option<(&'static str, &'a str, &'a Node)> {
    let like = match cond.base_op() {
        "StringEquals" | "StringEqualsIgnoreCase" => {
            if is_arn_key(&cond.key.key) {
                "ArnLike"
            } else {
                "StringLike"
            }
        }
        "StringNotEquals" | "StringNotEqualsIgnoreCase" => {
            if is_arn_key(&cond.key.key) {
                "ArnNotLike"
            } else {
                "StringNotLike"
            }
        }
        _ => return None,
    };
    cond.values()
        .iter()
        .filter_map(|v| v.as_str().map(|s| (s, v)))
        .find(|(s, _)| has_wildcard(s) && !has_placeholder(s))
        .map(|(s, v)| (like, s, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_look_never_misses_what_the_closer_looks_find() {
        let pieces = [
            "YOUR_BUCKET",
            "ACCOUNT_ID",
            "REPLACEME",
            "ListMFADevices",
            "x",
            "A",
            "B",
            "<",
            ">",
            "{",
            "{{",
            "}}",
            "1",
            "_",
            "-",
            ":",
            "/",
            "é",
            "123456789012",
            "12345678901",
        ];
        let mut strings = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = strings
                .iter()
                .flat_map(|s| pieces.iter().map(move |p| format!("{s}{p}")))
                .collect();
            strings.extend(longer);
        }
        let (mut placeholders, mut accounts) = (0, 0);
        for s in &strings {
            let may_placeholder = crate::syntax::may_be_placeholder(s);
            let may_account = crate::syntax::has_twelve_digits(s);
            if crate::syntax::find_placeholder(s).is_some() {
                assert!(may_placeholder, "{s}");
                placeholders += 1;
            }
            if twelve_digit_runs(s).next().is_some() {
                assert!(may_account, "{s}");
                accounts += 1;
            }
        }
        assert!(
            placeholders > 1_000 && accounts > 1_000,
            "{placeholders} {accounts}"
        );
        // a capital pair inside a word is no placeholder's start
        assert!(!crate::syntax::may_be_placeholder("iam:ListMFADevices"));
        assert!(crate::syntax::may_be_placeholder(
            "arn:aws:s3:::YOUR_BUCKET"
        ));
    }
}
