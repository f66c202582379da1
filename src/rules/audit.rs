//! AUD001–AUD004: what the live audit could not read, and whose account it read. The audit
//! writes each failed step as a document; saved `aws sts get-caller-identity` output is read too.

use super::*;
use crate::diagnostic::Finding;
use crate::parse::json::{Kind, Node};
use crate::rules::exports::CostCtx;

declare! {
    family "audit", "the live audit";
    AUD001 "audit-access-denied" Error aa[] on[Audit] fix[];
    AUD002 "audit-account-mismatch" Error aa[] on[Audit] fix[];
    AUD003 "missing-bucket-policy" Error aa[] on[Audit] fix[];
    AUD004 "audit-step-failed" Error aa[] on[Audit] fix[];
}

/// AUD002: the caller's account against `--account-id`.
pub fn caller(ctx: &mut CostCtx, root: &Node) {
    let (Some(acct), Some(want)) = (root.get("Account"), ctx.opts.account_id.as_deref()) else {
        return;
    };
    if acct.as_str() != Some(want) {
        let f = Finding::new(&AUD002, ctx.source_id, acct.inner_span(), format!("the credentials belong to account `{}`, not `{want}`", acct.as_str().unwrap_or("?")))
            .note("the platform connects as the account its keys belong to; the export, the bucket and the policies checked must be in that account")
            .help("use the payer account's credentials (AWS_PROFILE), or pass its ID with --account-id");
        ctx.report(f);
    }
}

/// AUD001, AUD003, AUD004: a step the audit could not do.
pub fn step(ctx: &mut CostCtx, root: &Node) {
    let step = root.get("AuditStep").and_then(Node::as_str).unwrap_or("?");
    let Some(err) = root.get("Error") else { return };
    let message = err.get("Message").and_then(Node::as_str).unwrap_or("");
    let denied = matches!(
        err.get("AccessDenied").map(|n| &n.kind),
        Some(Kind::Bool(true))
    );
    let code = err.get("Code").and_then(Node::as_str).unwrap_or("");
    let at = err
        .member("Message")
        .map(|m| m.value.inner_span())
        .unwrap_or(root.span);
    let f = if code == "NoSuchBucketPolicy" {
        Finding::new(&AUD003, ctx.source_id, at, "the bucket has no bucket policy")
            .note("without a policy AWS cannot deliver the export into the bucket: the export becomes UNHEALTHY (INSUFFICIENT_PERMISSION) and no file arrives")
            .help(format!("add the delivery statement (`finops-lint generate` prints it):\n{}{}", crate::rules::delivery::recommended_statement(ctx.opts.bucket.as_deref(), ctx.opts.account_id.as_deref()), crate::rules::delivery::fill_in(ctx.opts.bucket.is_some(), ctx.opts.account_id.is_some())))
    } else if denied {
        let permission = err.get("Permission").and_then(Node::as_str).unwrap_or(step);
        Finding::new(&AUD001, ctx.source_id, at, format!("access denied to `{step}`"))
            .note(format!("the audit's credentials lack `{permission}`, so this part of the account was not checked ({message})"))
            .help(format!("run the audit with credentials that may call `{permission}` (read-only), or grant it to the auditing user"))
    } else {
        Finding::new(
            &AUD004,
            ctx.source_id,
            at,
            format!("`{step}` failed: {message}"),
        )
        .note("this part of the account was not checked; the other steps were")
        .help("check the endpoint, region and network, then run the audit again")
    };
    ctx.report(f);
}
