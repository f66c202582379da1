//! OS001–OS009: a FinOps platform's AWS data-source settings (OptScale `Aws.BILLING_CREDS`,
//! DOMAIN §1.1 and §7.5). Unknown keys (OS-10) are SCH003.

use super::*;
use crate::diagnostic::{Finding, Severity};
use crate::parse::json::{Kind, Node};
use crate::rules::exports::{bucket_name_problem, prefix_checks, CostCtx};

declare! {
    family "connection", "the platform connection settings";
    SCH003 "connection-schema" Error aa[] on[Connection] fix[];
    OS001 "connection-credentials" Error aa[] on[Connection] fix[];
    OS002 "connection-cur-version" Warning aa[] on[Connection] fix[];
    OS003 "connection-bucket" Error aa[] on[Connection] fix[];
    OS004 "connection-prefix" Error aa[] on[Connection] fix[];
    OS005 "connection-report-name" Error aa[] on[Connection] fix[];
    OS007 "linked-with-bucket-settings" Warning aa[] on[Connection] fix[];
    OS009 "connection-assume-role" Error aa[] on[Connection] fix[];
}

/// The export rules this family's checks also report: the bucket and prefix a connection names.
pub const SHARED: &[&Rule] = &[&BKT001, &PFX001];

pub fn check(ctx: &mut CostCtx, c: &Node) {
    let linked = matches!(c.get("linked").map(|n| &n.kind), Some(Kind::Bool(true)));
    credentials(ctx, c);
    let scheme = c
        .get("config_scheme")
        .and_then(Node::as_str)
        .unwrap_or("find_report");
    // OS002
    if !linked && c.get("cur_version").is_none() {
        let f = Finding::new(&OS002, ctx.source_id, Span::new(c.span.start, c.span.start + 1), "`cur_version` is not set")
            .severity(Severity::Warning)
            .note("without it the platform looks for legacy CUR reports; a CUR 2.0 export is then not found by auto-detection")
            .help(format!("add `\"cur_version\": {}` ({} export)", if ctx.opts.export_type() == crate::context::ExportType::Legacy { 1 } else { 2 }, ctx.opts.export_type().as_str()));
        ctx.report(f);
    }
    if linked {
        // OS007
        for key in [
            "bucket_name",
            "bucket_prefix",
            "report_name",
            "config_scheme",
        ] {
            if let Some(m) = c.member(key) {
                let f = Finding::new(&OS007, ctx.source_id, m.key_span, format!("`{key}` is set on a linked account"))
                    .note("a linked account gets its costs from the payer's export; the platform ignores these settings (and its policy generator rejects `bucket_name`)")
                    .help(format!("remove `{key}`, or connect this account as root if it owns the export"));
                ctx.report(f);
            }
        }
    } else {
        // OS003
        let needed: &[&str] = match scheme {
            "bucket_only" => &["bucket_name", "report_name", "bucket_prefix"],
            "create_report" => &["bucket_name"],
            _ => &[],
        };
        for key in needed {
            if c.get(key).is_none() {
                let f = Finding::new(
                    &OS003,
                    ctx.source_id,
                    Span::new(c.span.start, c.span.start + 1),
                    format!("`{key}` is required with `config_scheme` `{scheme}`"),
                )
                .note(format!(
                    "the platform fails the connection with `{key} is required`"
                ))
                .help(format!("add `\"{key}\"`"));
                ctx.report(f);
            }
        }
    }
    // OS004
    if let Some(p) = c.get("bucket_prefix") {
        if let Some(text) = p.as_str() {
            if text.trim().is_empty() && !text.is_empty() {
                let f = Finding::new(
                    &OS004,
                    ctx.source_id,
                    p.inner_span(),
                    "`bucket_prefix` is only whitespace",
                )
                .note("the platform rejects a prefix of only whitespace")
                .help("use the export's S3 prefix");
                ctx.report(f);
            } else {
                prefix_checks(ctx, p, text, &OS004);
                if let (Some(name), false) =
                    (c.get("report_name").and_then(Node::as_str), text.is_empty())
                {
                    if text.trim_end_matches('/').ends_with(&format!("/{name}")) {
                        let f = Finding::new(&OS004, ctx.source_id, p.inner_span(), format!("`bucket_prefix` ends with the export name `{name}`"))
                            .severity(Severity::Warning)
                            .note("the console shows the destination as `<prefix>/<export name>`; the platform adds the name itself and only strips it in 'bucket only' mode")
                            .help(format!("use `\"{}\"`", text.trim_end_matches('/').trim_end_matches(name).trim_end_matches('/')));
                        ctx.report(f);
                    }
                }
            }
        }
    }
    // OS005
    if let Some(n) = c.get("report_name") {
        if let Some(name) = n.as_str() {
            let cur2 =
                !matches!(c.get("cur_version").map(|v| &v.kind), Some(Kind::Number(v)) if v == "1");
            let ok = if cur2 {
                !name.is_empty()
                    && name.len() <= 128
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            } else {
                !name.is_empty()
                    && name.len() <= 256
                    && name
                        .chars()
                        .all(|ch| ch.is_ascii_alphanumeric() || "!-_.*'()".contains(ch))
            };
            if !ok {
                let f = Finding::new(&OS005, ctx.source_id, n.inner_span(), format!("`report_name` `{name}` is not a valid {} name", if cur2 { "CUR 2.0 export" } else { "legacy report" }))
                    .note(if cur2 { "export names are letters, digits, `-` and `_` only" } else { "report names are letters, digits and `! - _ . * ' ( )` only" })
                    .help("use the export's name exactly as in Billing and Cost Management > Data Exports");
                ctx.report(f);
            } else if let Some(want) = ctx.opts.export_name.as_deref().filter(|w| *w != name) {
                let f = Finding::new(
                    &OS005,
                    ctx.source_id,
                    n.inner_span(),
                    format!("`report_name` is `{name}`, but the export is named `{want}`"),
                )
                .note("names are case-sensitive; the platform finds no files under another name")
                .help(format!("use `\"{want}\"`"));
                ctx.report(f);
            }
        }
    }
    // BKT001 for bucket_name, and the run's bucket
    if let Some(b) = c.get("bucket_name") {
        if let Some(name) = b.as_str() {
            if let Some(problem) = bucket_name_problem(name) {
                let f = Finding::new(
                    &BKT001,
                    ctx.source_id,
                    b.inner_span(),
                    format!("`{name}` is not a valid S3 bucket name: {problem}"),
                )
                .note("the platform fails with `Bucket name has incorrect format`")
                .help("use the bucket's real name");
                ctx.report(f);
            } else if let Some(want) = ctx.opts.bucket.as_deref().filter(|w| *w != name) {
                let f = Finding::new(
                    &OS003,
                    ctx.source_id,
                    b.inner_span(),
                    format!("`bucket_name` is `{name}`, but the export delivers to `{want}`"),
                )
                .note("the platform reads the bucket it is given; the export's files are elsewhere")
                .help(format!("use `\"{want}\"`"));
                ctx.report(f);
            }
        }
    }
    // OS009
    if let Some(r) = c
        .get("region_name")
        .and_then(|r| r.as_str().map(|t| (r, t)))
    {
        let parts: Vec<&str> = r.1.split('-').collect();
        if parts.len() < 3
            || !parts
                .last()
                .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
        {
            let f = Finding::new(
                &OS009,
                ctx.source_id,
                r.0.inner_span(),
                format!("`region_name` `{}` is not a region code", r.1),
            )
            .note("the platform rejects it with `Invalid region`")
            .help("use a region code such as `eu-central-1`");
            ctx.report(f);
        }
    }
    if let Some(a) = c.get("assume_role_account_id") {
        let text = a
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| crate::schema::to_value(a).to_string());
        if !(text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) && a.as_str().is_some()) {
            let f = Finding::new(&OS009, ctx.source_id, a.inner_span(), format!("`assume_role_account_id` `{text}` is not a 12-digit account ID string"))
                .note("the platform builds `arn:aws:iam::<id>:role/<name>` from it; any other value makes `sts:AssumeRole` fail")
                .help("write the 12 digits as a string, without dashes");
            ctx.report(f);
        }
    }
    // the assumed-role connection: both fields, the account of the run, an external ID
    let account = c.get("assume_role_account_id");
    let role = c.get("assume_role_name");
    match (account, role) {
        (Some(n), None) | (None, Some(n)) => {
            let (given, missing) = if account.is_some() {
                ("assume_role_account_id", "assume_role_name")
            } else {
                ("assume_role_name", "assume_role_account_id")
            };
            let f = Finding::new(&OS009, ctx.source_id, n.inner_span(), format!("`{given}` without `{missing}`"))
                .note("the platform assumes the role only when both are set; with one, it connects with the access keys alone and the role is never used")
                .help(format!("add `{missing}`"));
            ctx.report(f);
        }
        (Some(a), Some(_)) => {
            if let (Some(acct), Some(want)) = (a.as_str(), ctx.opts.account_id.as_deref()) {
                if acct != want && acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit()) {
                    let f = Finding::new(&OS009, ctx.source_id, a.inner_span(), format!("the role is in account `{acct}`, not `{want}`"))
                        .note("the platform assumes `arn:aws:iam::<assume_role_account_id>:role/<assume_role_name>`: the role must be in the account being connected")
                        .help(format!("use `\"{want}\"`, the account the role is created in"));
                    ctx.report(f);
                }
            }
            // the role against `--role`: across the run's files (`consistency::roles`), where
            // a template says which name a logical ID or label stands for
            let ext = c.get("assume_role_external_id");
            if ext
                .and_then(Node::as_str)
                .is_none_or(|t| t.trim().is_empty())
            {
                let at = ext.map(Node::inner_span).unwrap_or(c.span);
                let at = if ext.is_some() {
                    at
                } else {
                    Span::new(c.span.start, c.span.start + 1)
                };
                let f = Finding::new(&OS009, ctx.source_id, at, "the assumed-role connection has no `assume_role_external_id`")
                    .severity(Severity::Warning)
                    .note("without an external ID the role's trust policy cannot require `sts:ExternalId`, which protects the role from being used through the platform by someone else who learns its ARN (a warning: the field is OptScale's since its 2025 'Assumed Role' connection, pull request #721, and could not be read in its source here)")
                    .help("set `assume_role_external_id`, and require the same value in the role's trust policy (`StringEquals` `sts:ExternalId`)");
                ctx.report(f);
            }
        }
        (None, None) => {}
    }
    if let Some(r) = c
        .get("assume_role_name")
        .and_then(|r| r.as_str().map(|t| (r, t)))
    {
        if r.1.is_empty()
            || r.1.len() > 64
            || !r
                .1
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "+=,.@_-".contains(ch))
        {
            let f = Finding::new(
                &OS009,
                ctx.source_id,
                r.0.inner_span(),
                format!("`assume_role_name` `{}` is not a valid role name", r.1),
            )
            .note("role names are 1 to 64 letters, digits and `+ = , . @ _ -` (no path)")
            .help("use the role's name without its path or ARN");
            ctx.report(f);
        }
    }
}

/// OS001: the access key and secret.
fn credentials(ctx: &mut CostCtx, c: &Node) {
    if let Some(k) = c
        .get("access_key_id")
        .and_then(|k| k.as_str().map(|t| (k, t)))
    {
        let key = k.1;
        if key.trim() != key || key.is_empty() {
            let f = Finding::new(
                &OS001,
                ctx.source_id,
                k.0.inner_span(),
                "`access_key_id` has surrounding whitespace or is empty",
            )
            .note("AWS rejects the key: the connection fails with a credentials error")
            .help("copy the key ID without spaces");
            ctx.report(f);
        } else if key.starts_with("ASIA") {
            let f = Finding::new(&OS001, ctx.source_id, k.0.inner_span(), "`access_key_id` is a temporary key (`ASIA...`)")
                .note("temporary credentials need a session token, which the platform cannot take, and they expire within hours")
                .help("create a long-term access key for the platform's IAM user (it starts with `AKIA`)");
            ctx.report(f);
        } else if !(key.len() == 20
            && key.starts_with("AKIA")
            && key
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
        {
            let f = Finding::new(
                &OS001,
                ctx.source_id,
                k.0.inner_span(),
                "`access_key_id` does not look like an IAM access key ID",
            )
            .severity(Severity::Warning)
            .note("IAM users' access key IDs are 20 characters starting with `AKIA`")
            .help("copy the key ID from the access key's CSV file");
            ctx.report(f);
        }
    }
    if let Some(s) = c
        .get("secret_access_key")
        .and_then(|s| s.as_str().map(|t| (s, t)))
    {
        if s.1.trim() != s.1 || s.1.is_empty() {
            let f = Finding::new(
                &OS001,
                ctx.source_id,
                s.0.inner_span(),
                "`secret_access_key` has surrounding whitespace or is empty",
            )
            .note("AWS rejects the signature: the connection fails with a credentials error")
            .help("copy the secret without spaces");
            ctx.report(f);
        } else if s.1.len() != 40 && !s.1.starts_with('<') {
            let f = Finding::new(
                &OS001,
                ctx.source_id,
                s.0.inner_span(),
                format!("`secret_access_key` has {} characters", s.1.len()),
            )
            .severity(Severity::Warning)
            .note("IAM secret access keys are 40 characters: this one is probably truncated")
            .help("copy the whole secret from the access key's CSV file");
            ctx.report(f);
        }
    }
}

use crate::source::Span;
