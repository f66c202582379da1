//! POL025: service control policies (SCP) and resource control policies (RCP), as AWS
//! Organizations takes them.

use super::*;
use crate::model::policy::Statement;
use crate::model::PolicyKind;

pub fn statement(ctx: &mut Ctx, stmt: &Statement) {
    match ctx.doc.kind {
        PolicyKind::ServiceControl => scp(ctx, stmt),
        PolicyKind::ResourceControl => rcp(ctx, stmt),
        _ => {}
    }
}

fn scp(ctx: &mut Ctx, stmt: &Statement) {
    for key in ["Principal", "NotPrincipal"] {
        if let Some(m) = stmt.member(key) {
            let f = finding(ctx, &POL025, "SCP_SYNTAX_ERROR_PRINCIPAL", m.key_span, format!("`{key}` in a service control policy"))
                .note("an SCP applies to the principals of the accounts it is attached to; AWS Organizations refuses `Principal` and `NotPrincipal` in it")
                .help(format!("remove `{key}`; to except principals, use a condition on `aws:PrincipalArn`"));
            ctx.report(f);
        }
    }
    for key in ["Action", "NotAction"] {
        for (a, node) in stmt.strings(key) {
            let inner = a.trim_end_matches('*');
            if inner.contains(['*', '?']) {
                let f = finding(ctx, &POL025, "SCP_SYNTAX_ERROR_ACTION_WILDCARD", node.inner_span(), format!("wildcard inside the action `{}` of a service control policy", shown(a)))
                    .note("in an SCP, Access Analyzer accepts a wildcard only at the end of an action (`ec2:Describe*`)")
                    .help("list the actions, or end the pattern with the wildcard");
                ctx.report(f);
            }
        }
    }
}

fn rcp(ctx: &mut Ctx, stmt: &Statement) {
    if let Some(np) = stmt.member("NotPrincipal") {
        let f = finding(ctx, &POL025, "RCP_SYNTAX_ERROR_PRINCIPAL", np.key_span, "`NotPrincipal` in a resource control policy")
            .note("an RCP's `Principal` is always `\"*\"`; AWS Organizations refuses `NotPrincipal`")
            .help("write `\"Principal\": \"*\"` and except principals with conditions such as `aws:PrincipalOrgID`");
        ctx.report(f);
    }
    if let Some(p) = stmt.member("Principal") {
        if p.value.as_str() != Some("*") && !p.value.has_unknown() {
            let f = finding(ctx, &POL025, "RCP_SYNTAX_ERROR_PRINCIPAL", p.value.span, "the `Principal` of a resource control policy is not `\"*\"`")
                .note("AWS Organizations takes only `\"Principal\": \"*\"` in an RCP")
                .help("write `\"Principal\": \"*\"` and narrow it with conditions such as `aws:PrincipalOrgID`");
            ctx.report(f);
        }
    }
    if let Some(na) = stmt.member("NotAction") {
        let f = finding(
            ctx,
            &POL025,
            "RCP_SYNTAX_ERROR_NOTACTION",
            na.key_span,
            "`NotAction` in a resource control policy",
        )
        .note("AWS Organizations refuses `NotAction` in an RCP")
        .help("list the actions with `Action`");
        ctx.report(f);
    }
    if stmt.is_allow() {
        let plain = stmt.get("Principal").and_then(|p| p.as_str()) == Some("*")
            && stmt.strings("Action").iter().all(|(a, _)| *a == "*")
            && stmt.strings("Resource").iter().all(|(r, _)| *r == "*")
            && stmt.get("Condition").is_none();
        if !plain {
            let at = stmt
                .member("Effect")
                .map(|m| m.value.span)
                .unwrap_or(stmt.node.span);
            let f = finding(ctx, &POL025, "RCP_SYNTAX_ERROR_ALLOW", at, format!("{} of a resource control policy allows with limits", stmt.label()))
                .note("an RCP allows only in the form `{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"*\", \"Resource\": \"*\"}` (RCPFullAWSAccess); it restricts with Deny statements")
                .help("write the restriction as a Deny statement");
            ctx.report(f);
        }
    }
    if stmt.is_deny() {
        let conds = stmt.conditions();
        let is_service = |want: &str| {
            conds.iter().any(|c| {
                c.key_is("aws:PrincipalIsAWSService")
                    && c.values().iter().any(|v| {
                        v.as_str().is_some_and(|s| s.eq_ignore_ascii_case(want))
                            || matches!(v.kind, crate::parse::json::Kind::Bool(b) if b.to_string() == want)
                    })
            })
        };
        let principal_key = conds.iter().find(|c| {
            [
                "aws:PrincipalOrgID",
                "aws:PrincipalAccount",
                "aws:PrincipalOrgPaths",
            ]
            .iter()
            .any(|k| c.key_is(k))
        });
        if let Some(c) = principal_key {
            if !is_service("false") {
                let f = finding(ctx, &POL025, "RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY", c.key.key_span, format!("`{}` without `aws:PrincipalIsAWSService` set to `false`", c.key.key))
                    .note("AWS services acting for you have no principal in your organization: without the exception the Deny blocks them too")
                    .help("add `\"BoolIfExists\": {\"aws:PrincipalIsAWSService\": \"false\"}`");
                ctx.report(f);
            }
        }
        let source_key = conds.iter().find(|c| {
            ["aws:SourceOrgID", "aws:SourceAccount", "aws:SourceOrgPaths"]
                .iter()
                .any(|k| c.key_is(k))
        });
        if let Some(c) = source_key {
            if !is_service("true") {
                let f = finding(ctx, &POL025, "RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY", c.key.key_span, format!("`{}` without `aws:PrincipalIsAWSService` set to `true`", c.key.key))
                    .note("requests from your own principals carry no source key: without the limit to service principals the Deny blocks them too")
                    .help("add `\"Bool\": {\"aws:PrincipalIsAWSService\": \"true\"}`");
                ctx.report(f);
            }
        }
    }
}
