//! BP001–BP010: the bucket policy that lets AWS deliver the cost export (DOMAIN §7.1, BP-01 to
//! BP-09; BP-10, the policy version, is POL001/POL003).

use super::*;
use crate::context::ExportType;
use crate::diagnostic::{Finding, Severity};
use crate::eval::{self, Request, Tri};
use crate::model::policy::Statement;
use crate::model::PolicyKind;
use crate::parse::json::Node;
use crate::rules::grammar::anchor;
use crate::rules::values::{is_account_key, is_arn_key, literal_wildcard};
use crate::rules::Ctx;

declare! {
    family "delivery", "the billing bucket policy lets the cost export be delivered";
    BP001 "missing-delivery-principal" Error aa[] on[Policy] fix[];
    BP002 "delivery-cannot-put-object" Error aa[] on[Policy] fix[Safe];
    BP003 "delivery-cannot-get-bucket-policy" Error aa[] on[Policy] fix[Safe];
    BP004 "delivery-wrong-bucket" Error aa[] on[Policy] fix[Safe];
    BP005 "source-account-mismatch" Error aa[] on[Policy] fix[Safe];
    BP006 "source-arn-mismatch" Error aa[] on[Policy] fix[Safe];
    BP007 "delivery-wildcard-without-like" Error aa[] on[Policy] fix[Safe];
    BP008 "deny-blocks-delivery" Error aa[] on[Policy] fix[];
    BP009 "deny-blocks-reader" Warning aa[] on[Policy] fix[];
    BP010 "delivery-without-source-condition" Warning aa["RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL"] on[Policy] fix[];
}

pub const BILLING_PRINCIPALS: &[&str] = &[
    "billingreports.amazonaws.com",
    "bcm-data-exports.amazonaws.com",
];

fn service_of(export: ExportType) -> (&'static str, &'static str) {
    match export {
        ExportType::Cur2 => ("bcm-data-exports", "export"),
        ExportType::Legacy => ("cur", "definition"),
    }
}

/// The service principals a statement names under `Principal.Service`.
fn services<'a>(stmt: &Statement<'a>) -> Vec<(&'a str, &'a Node)> {
    stmt.get("Principal")
        .and_then(|p| p.get("Service"))
        .map(|s| {
            s.one_or_many()
                .iter()
                .filter_map(|n| n.as_str().map(|v| (v, n)))
                .collect()
        })
        .unwrap_or_default()
}

fn names(stmt: &Statement, principal: &str) -> bool {
    services(stmt)
        .iter()
        .any(|(s, _)| s.eq_ignore_ascii_case(principal))
}

/// What a help says when it shows `<bucket>` or `<account-id>` because the run does not know
/// them: they stand for values to fill in, and the flags that make the help exact. Empty when
/// the run knows both.
pub fn fill_in(bucket_known: bool, account_known: bool) -> String {
    match (bucket_known, account_known) {
        (true, true) => String::new(),
        (false, true) => " (`<bucket>` stands for the export's bucket: with `--bucket` this help shows the exact text)".into(),
        (true, false) => " (`<account-id>` stands for the 12-digit ID of the account that owns the export: with `--account-id` this help shows the exact text)".into(),
        (false, false) => " (`<bucket>` and `<account-id>` stand for the export's bucket and the 12-digit ID of its account: with `--bucket` and `--account-id` this help shows the exact text)".into(),
    }
}

/// The account a delivery statement names: `--account-id`, its own `aws:SourceAccount`, or
/// the account field of its `aws:SourceArn` values, when one is a plain 12-digit ID.
fn statement_account(ctx: &Ctx, stmt: &Statement) -> Option<String> {
    expected_account(ctx, stmt).or_else(|| {
        stmt.conditions()
            .iter()
            .filter(|c| c.key_is("aws:SourceArn"))
            .flat_map(|c| c.values().iter())
            .filter_map(Node::as_str)
            .filter_map(|v| v.split(':').nth(4))
            .find(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_string)
    })
}

/// The statement the guides prescribe, for help texts.
pub fn recommended_statement(bucket: Option<&str>, account: Option<&str>) -> String {
    let b = bucket.unwrap_or("<bucket>");
    let a = account.unwrap_or("<account-id>");
    format!(
        r#"{{
  "Sid": "EnableAWSDataExportsToWriteToS3AndCheckPolicy",
  "Effect": "Allow",
  "Principal": {{"Service": ["billingreports.amazonaws.com", "bcm-data-exports.amazonaws.com"]}},
  "Action": ["s3:PutObject", "s3:GetBucketPolicy"],
  "Resource": ["arn:aws:s3:::{b}/*", "arn:aws:s3:::{b}"],
  "Condition": {{"StringLike": {{
    "aws:SourceAccount": "{a}",
    "aws:SourceArn": ["arn:aws:cur:us-east-1:{a}:definition/*", "arn:aws:bcm-data-exports:us-east-1:{a}:export/*"]
  }}}}
}}"#
    )
}

/// The account the delivery conditions should name: `--account-id`, else the statement's own
/// `aws:SourceAccount` when it is a plain 12-digit ID.
fn expected_account(ctx: &Ctx, stmt: &Statement) -> Option<String> {
    if let Some(a) = &ctx.opts.account_id {
        return Some(a.clone());
    }
    stmt.conditions()
        .iter()
        .filter(|c| c.key_is("aws:SourceAccount"))
        .flat_map(|c| c.values().iter())
        .filter_map(Node::as_str)
        .find(|v| v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_string)
}

/// What a delivery request from a billing service looks like.
struct DeliveryRequest {
    account: Option<String>,
    service: &'static str,
    export: ExportType,
}

impl Request for DeliveryRequest {
    fn context(&self, key: &str) -> Option<Option<Vec<String>>> {
        let k = key.to_ascii_lowercase();
        match k.as_str() {
            "aws:sourceaccount" => Some(self.account.clone().map(|a| vec![a])),
            "aws:sourcearn" => Some(self.account.as_ref().map(|a| {
                let (svc, ty) = service_of(self.export);
                vec![format!("arn:aws:{svc}:us-east-1:{a}:{ty}/finops-export")]
            })),
            "aws:securetransport" => Some(Some(vec!["true".into()])),
            "aws:principalservicename" => Some(Some(vec![self.service.into()])),
            _ => None,
        }
    }
}

/// A same-account IAM user reading the bucket over TLS.
struct ReaderRequest {
    account: Option<String>,
}

impl Request for ReaderRequest {
    fn context(&self, key: &str) -> Option<Option<Vec<String>>> {
        match key.to_ascii_lowercase().as_str() {
            "aws:securetransport" => Some(Some(vec!["true".into()])),
            "aws:principalaccount" | "aws:resourceaccount" => {
                Some(self.account.clone().map(|a| vec![a]))
            }
            "aws:principalarn" | "aws:userid" | "aws:username" | "aws:sourceip"
            | "aws:principalorgid" | "aws:principaltype" => Some(None),
            _ => None,
        }
    }
}

pub fn check(ctx: &mut Ctx) {
    if ctx.doc.kind != PolicyKind::Bucket {
        return;
    }
    let stmts = std::mem::take(&mut ctx.statements);
    let mentions_billing = stmts
        .iter()
        .any(|s| BILLING_PRINCIPALS.iter().any(|p| names(s, p)));
    let mentions_bucket = ctx.opts.bucket.as_deref().is_some_and(|b| {
        stmts.iter().any(|s| {
            s.strings("Resource").iter().any(|(r, _)| {
                r.strip_prefix("arn:aws:s3:::")
                    .is_some_and(|rest| rest.split('/').next() == Some(b))
            })
        })
    });
    if mentions_billing || mentions_bucket {
        delivery(ctx, &stmts);
    }
    ctx.statements = stmts;
}

/// The bucket ARN and the ARN of an object the export would write (under `--prefix` when given).
fn bucket_arns(ctx: &Ctx) -> Option<(String, String)> {
    let b = ctx.opts.bucket.as_deref()?;
    let key = match ctx.opts.prefix.as_deref().map(|p| p.trim_matches('/')) {
        Some(p) if !p.is_empty() => format!("{p}/export/data/part-00001.csv.gz"),
        _ => "export/data/part-00001.csv.gz".to_string(),
    };
    Some((
        format!("arn:aws:s3:::{b}"),
        format!("arn:aws:s3:::{b}/{key}"),
    ))
}

/// Where a delivery action that is not granted should go, as the finding `f` says: the Resource
/// of the delivery statement that lists the action on other resources (add the right one), else
/// the `Action` of the delivery statement whose resources cover the call (add the action), each
/// as a safe fix when the statement is plain JSON; else the first delivery statement.
#[allow(clippy::too_many_arguments)]
fn missing_grant(
    ctx: &Ctx,
    f: Finding,
    allows: &[&Statement],
    action: &str,
    resource_for: impl Fn(&str) -> String,
    covers: &dyn Fn(&Statement) -> bool,
    bucket: &str,
) -> Finding {
    let named_bucket = |s: &Statement| {
        ctx.opts.bucket.clone().or_else(|| {
            s.strings("Resource").iter().find_map(|(r, _)| {
                let name = r.strip_prefix("arn:aws:s3:::")?.split('/').next()?;
                (!name.is_empty() && !name.contains(['*', '?', '<', '$'])).then(|| name.to_string())
            })
        })
    };
    let plain = |node: &crate::parse::json::Node| {
        ctx.doc.container != crate::model::Container::Template
            && ctx
                .source
                .text
                .get(node.span.start..node.span.end)
                .is_some_and(|t| serde_json::from_str::<serde_json::Value>(t).is_ok())
    };
    // the action listed, on other resources: the Resource is what to change
    if let Some(s) = allows.iter().find(|s| eval::covers_action(s, action)) {
        if let (Some(res), Some(name)) = (s.get("Resource"), named_bucket(s)) {
            let wanted = resource_for(&name);
            let item = serde_json::Value::from(wanted.clone()).to_string();
            let at = s
                .strings("Resource")
                .first()
                .map(|(_, n)| n.span)
                .unwrap_or(res.span);
            let f = Finding { span: at, ..f }
                .label(s.get("Action").map_or(at, |a| a.span), "allowed here")
                .help(format!("add `{item}` to the `Resource` of {}", s.label()));
            return match crate::parse::json::append_items(
                &ctx.source.text,
                res,
                std::slice::from_ref(&item),
            ) {
                Some((span, text)) if plain(res) => f.fix(
                    format!("add `{wanted}` to the `Resource` of {}", s.label()),
                    span,
                    text,
                ),
                _ => f,
            };
        }
    }
    // else the action is missing: add it to the delivery statement on the right resources
    let target = allows.iter().find(|s| covers(s)).unwrap_or(&allows[0]);
    let known = named_bucket(target);
    let more = fill_in(known.is_some(), true);
    let bucket = known.as_deref().unwrap_or(bucket);
    let item = serde_json::Value::from(action).to_string();
    let Some(list) = target.get("Action") else {
        return Finding {
            span: anchor(target),
            ..f
        }
        .help(format!(
            "allow `{item}` on `\"{}\"` in {}{more}",
            resource_for(bucket),
            target.label()
        ));
    };
    let f = Finding {
        span: list.span,
        ..f
    };
    if covers(target) {
        let f = f.help(format!(
            "add `{item}` to the `Action` of {}",
            target.label()
        ));
        match crate::parse::json::append_items(&ctx.source.text, list, &[item]) {
            Some((span, text)) if plain(list) => {
                f.fix(format!("add `{action}` to {}", target.label()), span, text)
            }
            _ => f,
        }
    } else {
        f.help(format!(
            "allow `{item}` on `\"{}\"` in {}{more}",
            resource_for(bucket),
            target.label()
        ))
    }
}

/// Does the statement allow writing some object of the bucket? Without `--prefix`, a statement
/// scoped to any folder of the bucket may be the right one, so any object pattern counts.
fn covers_some_object(ctx: &Ctx, stmt: &Statement, object_probe: &str) -> bool {
    if eval::covers_resource(stmt, object_probe) {
        return true;
    }
    match (&ctx.opts.bucket, &ctx.opts.prefix) {
        (Some(b), None) => {
            let objects = format!("arn:aws:s3:::{b}/");
            stmt.strings("Resource")
                .iter()
                .any(|(r, _)| r.starts_with(&objects))
        }
        _ => false,
    }
}

fn delivery(ctx: &mut Ctx, stmts: &[Statement]) {
    let mut export = ctx.opts.export_type();
    // a template that declares no export: the principal its delivery statement names
    if ctx.opts.any_billing_principal {
        let legacy = ExportType::Legacy.service_principal();
        let names_legacy = stmts.iter().any(|s| s.is_allow() && names(s, legacy));
        let names_cur2 = stmts
            .iter()
            .any(|s| s.is_allow() && names(s, export.service_principal()));
        if names_legacy && !names_cur2 {
            export = ExportType::Legacy;
        }
    }
    let required = export.service_principal();
    let allows: Vec<&Statement> = stmts
        .iter()
        .filter(|s| s.is_allow() && names(s, required))
        .collect();
    let bucket = ctx.opts.bucket.clone();
    let account = ctx.opts.account_id.clone();

    // BP001 (unless POL010 already says this delivery statement lost its `Principal`)
    if allows.is_empty() && ctx.doc.principal_expected_because.is_none() {
        let other = stmts
            .iter()
            .find(|s| s.is_allow() && BILLING_PRINCIPALS.iter().any(|p| names(s, p)));
        let f = match other.and_then(|s| s.get("Principal").and_then(|p| p.get("Service"))) {
            Some(service) => Finding::new(&BP001, ctx.source_id, service.span, format!("the bucket policy does not allow `{required}`, which delivers {} exports", export_name(export)))
                .note(format!("with `--export-type {}` AWS writes the export as `{required}`; without this principal every delivery fails with access denied", export.as_str()))
                .help(format!("add `\"{required}\"` to `Service`; the guides list both billing principals: `[\"billingreports.amazonaws.com\", \"bcm-data-exports.amazonaws.com\"]`")),
            None => Finding::new(&BP001, ctx.source_id, grammar::brace(&ctx.doc.root), format!("no statement allows `{required}` to deliver the export into this bucket"))
                .note(format!("AWS writes {} exports as `{required}`; without an Allow for it, the export stays UNHEALTHY and no file ever arrives", export_name(export)))
                .help(format!("add this statement:\n{}{}", recommended_statement(bucket.as_deref(), account.as_deref()), fill_in(bucket.is_some(), account.is_some()))),
        };
        ctx.report(f);
    }

    // BP002 / BP003: the needed actions on the needed resources.
    if !allows.is_empty() {
        let probe = bucket_arns(ctx);
        let grants = |action: &str, arn_ok: &dyn Fn(&Statement) -> bool| {
            allows
                .iter()
                .any(|s| eval::covers_action(s, action) && arn_ok(s))
        };
        let (bucket_arn, object_arn) = probe.clone().unzip();
        let put_ok = grants("s3:PutObject", &|s| match &object_arn {
            Some(o) => covers_some_object(ctx, s, o),
            None => s
                .strings("Resource")
                .iter()
                .any(|(r, _)| r.starts_with("arn:aws:s3:::") && r.contains('/') || *r == "*"),
        });
        let get_ok = grants("s3:GetBucketPolicy", &|s| match &bucket_arn {
            Some(b) => eval::covers_resource(s, b),
            None => s
                .strings("Resource")
                .iter()
                .any(|(r, _)| r.starts_with("arn:aws:s3:::") && !r.contains('/') || *r == "*"),
        });
        let b = bucket.as_deref().unwrap_or("<bucket>");
        // an action granted on a Resource that is still a guide's placeholder is VAL001's
        // finding; what it breaks (the delivery) is not reported again as a missing permission
        let on_placeholder = |s: &Statement| {
            s.strings("Resource")
                .iter()
                .any(|(r, _)| crate::syntax::find_placeholder(r).is_some())
        };
        // likewise on another bucket than the run's: BP004's finding, with its fix
        let on_other_bucket = |s: &Statement| {
            bucket.as_deref().is_some_and(|b| {
                s.strings("Resource").iter().any(|(r, _)| {
                    r.strip_prefix("arn:aws:s3:::").is_some_and(|rest| {
                        let name = rest.split('/').next().unwrap_or("");
                        name != b && !name.contains(['*', '?', '<'])
                    })
                })
            })
        };
        let derived =
            |action: &str| grants(action, &on_placeholder) || grants(action, &on_other_bucket);
        if !put_ok && !derived("s3:PutObject") {
            let f = Finding::new(
                &BP002,
                ctx.source_id,
                crate::source::Span::new(0, 0),
                format!("`{required}` is not allowed `s3:PutObject` on the bucket's objects"),
            )
            .note(
                "AWS writes every export file with `s3:PutObject`; without it no file is delivered",
            );
            let f = missing_grant(
                ctx,
                f,
                &allows,
                "s3:PutObject",
                |bucket| format!("arn:aws:s3:::{bucket}/*"),
                &|s| match &object_arn {
                    Some(o) => covers_some_object(ctx, s, o),
                    None => s
                        .strings("Resource")
                        .iter()
                        .any(|(r, _)| r.contains('/') || *r == "*"),
                },
                b,
            );
            ctx.report(f);
        }
        if !get_ok && !derived("s3:GetBucketPolicy") {
            let f = Finding::new(&BP003, ctx.source_id, crate::source::Span::new(0, 0), format!("`{required}` is not allowed `s3:GetBucketPolicy` on the bucket"))
                .note("before delivering, AWS reads the bucket policy to verify it may write there; when it cannot, the export is marked unhealthy");
            let f = missing_grant(
                ctx,
                f,
                &allows,
                "s3:GetBucketPolicy",
                |bucket| format!("arn:aws:s3:::{bucket}"),
                &|s| match &bucket_arn {
                    Some(b) => eval::covers_resource(s, b),
                    None => s.strings("Resource").iter().any(|(r, _)| {
                        r.starts_with("arn:aws:s3:::") && !r.contains('/') || *r == "*"
                    }),
                },
                b,
            );
            ctx.report(f);
        }
    }

    // Per delivery statement (either billing principal): BP004–BP007.
    for stmt in stmts
        .iter()
        .filter(|s| s.is_allow() && BILLING_PRINCIPALS.iter().any(|p| names(s, p)))
    {
        if let Some(b) = &bucket {
            for (r, node) in stmt.strings("Resource") {
                if let Some(rest) = r.strip_prefix("arn:aws:s3:::") {
                    let name = rest.split('/').next().unwrap_or("");
                    if name != b && !name.contains(['*', '?', '<']) {
                        let fixed = format!("arn:aws:s3:::{b}{}", &rest[name.len()..]);
                        let f = Finding::new(&BP004, ctx.source_id, node.inner_span(), format!("the delivery statement names bucket `{name}`, not `{b}`"))
                            .note("AWS delivers the export into the bucket configured in the export (`--bucket`); a policy for another bucket does not let it write there")
                            .help(format!("use `\"{fixed}\"`"));
                        // the run's bucket is known: the edit is certain where the value is
                        // written plainly (no escapes in the text)
                        let plain = ctx.source.snippet(node.inner_span()) == r;
                        let f = if plain {
                            f.fix(format!("use `{fixed}`"), node.inner_span(), fixed.clone())
                        } else {
                            f
                        };
                        ctx.report(f);
                    }
                }
            }
        }
        let acct = expected_account(ctx, stmt);
        let conds = stmt.conditions();
        // BP010: no condition ties the delivery to the account's own exports
        // (a key that is a misspelling of one of them is reported as that: IAM005, POL013)
        let source_keys = ["aws:SourceAccount", "aws:SourceArn"];
        let near = |key: &str| {
            let bare: String = key
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            bare.contains("sourceaccount")
                || bare.contains("sourcearn")
                || crate::fuzzy::suggest(key, source_keys).is_some()
        };
        let keys_anywhere = stmt
            .get("Condition")
            .and_then(Node::as_object)
            .into_iter()
            .flatten()
            .flat_map(|op| {
                let inner = op.value.as_object().unwrap_or(&[]);
                std::iter::once(op.key.as_str())
                    .chain(inner.iter().map(|m| m.key.as_str()))
                    .chain(op.value.as_str())
            })
            .any(near);
        // a condition whose values a template does not determine is left out of the optimistic
        // copy these checks read: its key is still written in the statement's text
        let written = {
            let text = ctx.source.snippet(stmt.node.span).to_ascii_lowercase();
            text.contains("sourceaccount") || text.contains("sourcearn")
        };
        if !keys_anywhere
            && !written
            && !conds
                .iter()
                .any(|c| source_keys.iter().any(|k| c.key_is(k)))
        {
            let at = stmt
                .node
                .as_object()
                .and_then(|ms| ms.iter().find(|m| m.key == "Principal"))
                .map(|m| m.key_span)
                .unwrap_or(stmt.node.span);
            let known = statement_account(ctx, stmt);
            let a = known.as_deref().unwrap_or("<account-id>");
            let more = fill_in(true, known.is_some());
            let f = Finding::new(&BP010, ctx.source_id, at, format!("{} lets the billing service write without `aws:SourceAccount` or `aws:SourceArn`", stmt.label()))
                .note("without them, an export of any AWS account may write into this bucket through the billing service (the confused-deputy problem AWS documents for service principals); the delivery itself works")
                .help(format!("add `\"Condition\": {{\"StringLike\": {{\"aws:SourceAccount\": \"{a}\", \"aws:SourceArn\": [\"arn:aws:cur:us-east-1:{a}:definition/*\", \"arn:aws:bcm-data-exports:us-east-1:{a}:export/*\"]}}}}` to the statement{more}"));
            ctx.report(f);
        }
        for c in conds.iter().filter(|c| c.key_is("aws:SourceAccount")) {
            for v in c.values() {
                if let (Some(s), Some(a)) = (v.as_str(), ctx.opts.account_id.as_deref()) {
                    if s != a && s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
                        let f = Finding::new(&BP005, ctx.source_id, v.inner_span(), format!("`aws:SourceAccount` is `{s}`, but the export is created in account `{a}`"))
                            .note("AWS sends the ID of the account that owns the export; with another ID the condition fails and every delivery is refused")
                            .help(format!("use `\"{a}\"`"));
                        // the run names the export's account: the edit is certain
                        let f = if ctx.source.snippet(v.inner_span()) == s {
                            f.fix(format!("use `{a}`"), v.inner_span(), a.to_string())
                        } else {
                            f
                        };
                        ctx.report(f);
                    }
                }
            }
        }
        source_arns(ctx, stmt, acct.as_deref());
        for c in &conds {
            if !(is_arn_key(&c.key.key) || is_account_key(&c.key.key)) {
                continue;
            }
            if let Some((like, value, node)) = literal_wildcard(c) {
                let cur2_involved =
                    export == ExportType::Cur2 || names(stmt, "bcm-data-exports.amazonaws.com");
                let fixed_like = if like.starts_with("Arn") {
                    "StringLike"
                } else {
                    like
                };
                let fixed = c.op().replacen(c.base_op(), fixed_like, 1);
                let f = Finding::new(&BP007, ctx.source_id, node.inner_span(), format!("`{value}` has a wildcard, but `{}` compares it literally", c.op()))
                    .severity(if cur2_involved { Severity::Error } else { Severity::Warning })
                    .label(c.operator.key_span, "compares literally")
                    .note("AWS sends the full ARN of the export, which never equals a text ending in `*`, so every delivery is refused (an older legacy-CUR guide shows this form; it is a known cause of failed deliveries)")
                    .help(if crate::rules::values::ignores_case(c) {
                        crate::rules::values::like_help(c, &fixed)
                    } else {
                        format!("use `\"{fixed}\"` (or `ArnLike`)")
                    });
                let f = match crate::rules::values::operator_fix(stmt, c, &fixed) {
                    Some((span, text)) => f.fix(format!("use `{fixed}`"), span, text),
                    None => f,
                };
                ctx.report(f);
            }
        }
    }

    // BP008: a Deny in the way of delivery.
    let probe = bucket_arns(ctx);
    for stmt in stmts.iter().filter(|s| s.is_deny()) {
        if !deny_names_service(stmt, required) {
            continue;
        }
        let mut hits = Vec::new();
        for (action, arn) in [
            ("s3:PutObject", probe.as_ref().map(|p| p.1.clone())),
            ("s3:GetBucketPolicy", probe.as_ref().map(|p| p.0.clone())),
        ] {
            if !eval::covers_action(stmt, action) {
                continue;
            }
            if let Some(arn) = arn {
                if !eval::covers_resource(stmt, &arn) {
                    continue;
                }
            }
            hits.push(action);
        }
        if hits.is_empty() {
            continue;
        }
        let req = DeliveryRequest {
            account: ctx
                .opts
                .account_id
                .clone()
                .or_else(|| allows.first().and_then(|s| expected_account(ctx, s))),
            service: required,
            export,
        };
        let verdict = eval::conditions(stmt, &req);
        if verdict == Tri::False {
            continue;
        }
        let f = Finding::new(&BP008, ctx.source_id, grammar::effect_anchor(stmt), format!("Deny {} blocks `{required}` from {}", stmt.label(), hits.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(" and ")))
            .severity(if verdict == Tri::True { Severity::Error } else { Severity::Warning })
            .note(if verdict == Tri::True {
                format!("an explicit Deny overrides every Allow, so AWS cannot deliver the export; {}", grammar::deny_condition(ctx.source, stmt, "the delivery"))
            } else {
                "an explicit Deny overrides every Allow; whether this one applies to the delivery depends on conditions that cannot be decided offline".to_string()
            })
            .help(format!("exclude the billing service, for example with `\"Condition\": {{\"StringNotEquals\": {{\"aws:PrincipalServiceName\": \"{required}\"}}}}` or by limiting the Deny to `aws:SecureTransport` = `false`"));
        ctx.report(f);
    }

    // BP009: a Deny in the way of the platform's reader.
    let reader = ReaderRequest {
        account: account.clone(),
    };
    for stmt in stmts.iter().filter(|s| s.is_deny()) {
        let everyone = match (stmt.get("Principal"), stmt.get("NotPrincipal")) {
            (Some(p), _) => {
                p.as_str() == Some("*")
                    || p.get("AWS").is_some_and(|a| {
                        a.one_or_many().iter().any(|v| {
                            v.as_str() == Some("*")
                                || account.as_deref().is_some_and(|acc| {
                                    v.as_str().is_some_and(|s| {
                                        s == acc || s == format!("arn:aws:iam::{acc}:root")
                                    })
                                })
                        })
                    })
            }
            (None, Some(_)) => true,
            _ => false,
        };
        if !everyone {
            continue;
        }
        let mut hits = Vec::new();
        for (action, arn) in [
            ("s3:ListBucket", probe.as_ref().map(|p| p.0.clone())),
            ("s3:GetBucketLocation", probe.as_ref().map(|p| p.0.clone())),
            ("s3:GetObject", probe.as_ref().map(|p| p.1.clone())),
        ] {
            if eval::covers_action(stmt, action)
                && arn.as_ref().is_none_or(|a| eval::covers_resource(stmt, a))
            {
                hits.push(action);
            }
        }
        if hits.is_empty() {
            continue;
        }
        let verdict = eval::conditions(stmt, &reader);
        if verdict == Tri::False {
            continue;
        }
        let f = Finding::new(&BP009, ctx.source_id, grammar::effect_anchor(stmt), format!("Deny {} may block the platform's user from {}", stmt.label(), hits.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")))
            .note(format!("the FinOps platform lists and downloads the export files with its IAM user's keys; an explicit Deny here overrides the user's own policies and the import fails ({})", grammar::deny_condition(ctx.source, stmt, "the platform's user, as far as can be told offline")))
            .help("exclude the platform's IAM user from this Deny, for example with a `StringNotLike` on `aws:PrincipalArn` listing its ARN");
        ctx.report(f);
    }
}

fn export_name(export: ExportType) -> &'static str {
    match export {
        ExportType::Cur2 => "CUR 2.0 (Data Exports)",
        ExportType::Legacy => "legacy CUR",
    }
}

/// Does a Deny statement's principal cover the billing service?
fn deny_names_service(stmt: &Statement, service: &str) -> bool {
    if let Some(p) = stmt.get("Principal") {
        return p.as_str() == Some("*")
            || p.get("AWS")
                .is_some_and(|a| a.one_or_many().iter().any(|v| v.as_str() == Some("*")))
            || names(stmt, service);
    }
    if let Some(np) = stmt.get("NotPrincipal") {
        let excluded = np.get("Service").is_some_and(|s| {
            s.one_or_many()
                .iter()
                .any(|v| v.as_str().is_some_and(|v| v.eq_ignore_ascii_case(service)))
        });
        return !excluded;
    }
    false
}

/// BP006: every `aws:SourceArn` value names the export service in us-east-1 and the right account.
fn source_arns(ctx: &mut Ctx, stmt: &Statement, account: Option<&str>) {
    let export = ctx.opts.export_type();
    let (want_svc, _) = service_of(export);
    let conds = stmt.conditions();
    let arn_conds: Vec<_> = conds.iter().filter(|c| c.key_is("aws:SourceArn")).collect();
    let mut services_seen = Vec::new();
    for c in &arn_conds {
        for v in c.values() {
            let Some(s) = v.as_str() else { continue };
            if s.contains('<') {
                continue;
            }
            let (fields, n) = crate::syntax::arn_fields(s);
            let parts = &fields[..n];
            if parts.len() < 6 {
                continue; // VAL004
            }
            let (svc, region, acct, res) = (parts[2], parts[3], parts[4], parts[5]);
            let expected_type = match svc {
                "cur" => "definition/",
                "bcm-data-exports" => "export/",
                _ => {
                    let fixed = format!(
                        "arn:aws:{want_svc}:us-east-1:{}:{}",
                        account.unwrap_or(acct),
                        if want_svc == "cur" {
                            "definition/*"
                        } else {
                            "export/*"
                        }
                    );
                    let f = Finding::new(&BP006, ctx.source_id, v.inner_span(), format!("`aws:SourceArn` `{s}` is not a cost export ARN"))
                        .note("AWS sends the ARN of the CUR report definition (`cur`) or the data export (`bcm-data-exports`) as `aws:SourceArn`")
                        .help(format!("use `\"{fixed}\"`"));
                    ctx.report(f);
                    continue;
                }
            };
            services_seen.push(svc.to_string());
            let right_type = if res.starts_with(expected_type) || res == "*" {
                res.to_string()
            } else {
                format!("{expected_type}*")
            };
            let right_acct = account.unwrap_or(acct);
            let fixed = format!("arn:{}:{svc}:us-east-1:{right_acct}:{right_type}", parts[1]);
            let mut problems = Vec::new();
            if region != "us-east-1" && !region.contains('*') {
                problems.push(format!(
                    "region `{region}` (it must be `us-east-1`, wherever the bucket is)"
                ));
            }
            if let Some(a) = account {
                if acct != a && !acct.contains('*') && acct.len() == 12 {
                    problems.push(format!("account `{acct}` (the export is in `{a}`)"));
                }
            }
            if !(res.starts_with(expected_type) || res == "*") {
                problems.push(format!(
                    "resource `{res}` (a `{svc}` ARN names `{expected_type}...`)"
                ));
            }
            if !problems.is_empty() {
                let f = Finding::new(&BP006, ctx.source_id, v.inner_span(), format!("`aws:SourceArn` has the wrong {}", problems.join(" and the wrong ")))
                    .note("billing exports are created in us-east-1 and AWS compares the whole ARN, so any other value refuses every delivery")
                    .help(format!("use `\"{fixed}\"`"));
                // the region is always us-east-1 and the account the run's: certain where the
                // value is written plainly and its own account is not left in doubt
                let certain = ctx.source.snippet(v.inner_span()) == s
                    && (account.is_some() || acct.len() == 12)
                    && !fixed.contains(['<', '$']);
                let f = if certain {
                    f.fix(format!("use `{fixed}`"), v.inner_span(), fixed.clone())
                } else {
                    f
                };
                ctx.report(f);
            }
        }
    }
    if let Some(c) = arn_conds.first() {
        if !services_seen.is_empty()
            && !services_seen.iter().any(|s| s == want_svc)
            && names(stmt, export.service_principal())
        {
            let a = account.unwrap_or("<account-id>");
            let more = fill_in(true, account.is_some());
            let (svc, ty) = service_of(export);
            let f = Finding::new(&BP006, ctx.source_id, c.key.value.span, format!("`aws:SourceArn` does not allow {} deliveries", export_name(export)))
                .note(format!("`{}` sends a `{svc}` ARN; this condition only accepts other services, so the export is refused", export.service_principal()))
                .help(format!("add `\"arn:aws:{svc}:us-east-1:{a}:{ty}/*\"` to the values{more}"));
            ctx.report(f);
        }
    }
}
