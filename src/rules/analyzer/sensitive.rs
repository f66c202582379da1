//! Broad grants of a sensitive IAM action: `iam:PassRole` (IAM008) and
//! `iam:CreateServiceLinkedRole` (IAM011), on every resource (`*`, `NotResource`) or through a
//! wildcard action or `NotAction`, without the condition that limits it.

use super::*;
use crate::diagnostic::Rule;
use crate::eval::glob;
use crate::model::policy::Statement;

/// One sensitive action and how Access Analyzer names its broad grants.
pub struct Sensitive {
    pub action: &'static str,
    /// Keys whose condition (without `IfExists`, without a wildcard) limits the grant.
    pub limiting: &'static [&'static str],
    pub rule: &'static Rule,
    /// star in resource, star in action and resource, NotResource, star in action and
    /// NotResource, NotAction and NotResource, star in resource and NotAction
    pub codes: [&'static str; 6],
    pub note: &'static str,
    pub help: &'static str,
}

pub static CREATE_SLR: Sensitive = Sensitive {
    action: "iam:CreateServiceLinkedRole",
    limiting: &["iam:AWSServiceName"],
    rule: &IAM011,
    codes: [
        "CREATE_SLR_WITH_STAR_IN_RESOURCE",
        "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
        "CREATE_SLR_WITH_NOT_RESOURCE",
        "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
        "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE",
        "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
    ],
    note: "the principal may create the service-linked role of any service, which lets that service act in the account with the role's permissions",
    help: "limit `iam:CreateServiceLinkedRole` with `\"StringEquals\": {\"iam:AWSServiceName\": \"<service>.amazonaws.com\"}`, or name the role's ARN (`arn:aws:iam::*:role/aws-service-role/<service>.amazonaws.com/*`)",
};

pub fn create_slr(ctx: &mut Ctx, stmt: &Statement) {
    broad(ctx, stmt, &CREATE_SLR);
}

/// Whether a condition of the statement limits the grant: one of the keys, compared without
/// `IfExists` and with values without a wildcard.
fn limited(stmt: &Statement, keys: &[&str]) -> bool {
    stmt.conditions().iter().any(|c| {
        keys.iter().any(|k| c.key_is(k))
            && !c.op().ends_with("IfExists")
            && !c.op().starts_with("ForAllValues:")
            && c.values()
                .iter()
                .all(|v| v.as_str().is_some_and(|s| !s.contains(['*', '?'])))
    })
}

/// Report a broad grant of `s.action` in an Allow statement.
pub fn broad(ctx: &mut Ctx, stmt: &Statement, s: &Sensitive) {
    // Access Analyzer checks these in identity policies (an SCP's or RCP's `Allow *` grants
    // nothing by itself)
    if !stmt.is_allow() || !ctx.doc.kind.is_identity() {
        return;
    }
    let star_resource = stmt
        .get("Resource")
        .is_some_and(|r| r.one_or_many().iter().any(|n| n.as_str() == Some("*")));
    let not_resource = stmt.get("NotResource").is_some();
    if !star_resource && !not_resource || limited(stmt, s.limiting) {
        return;
    }
    let service = s.action.split(':').next().unwrap_or("");
    let service_star = format!("{service}:*");
    // only `*` and the action's service (or a wildcard service) may name it: no glob for others
    let may_name = |a: &str| match a.split_once(':') {
        Some((p, _)) => p.eq_ignore_ascii_case(service) || p.contains(['*', '?']),
        None => a.contains(['*', '?']),
    };
    if stmt.get("Action").is_some() {
        let Some((a, node)) = stmt
            .strings("Action")
            .into_iter()
            .find(|(a, _)| may_name(a) && glob(a, s.action, true))
        else {
            return;
        };
        let star = a == "*" || a.eq_ignore_ascii_case(&service_star);
        let code = match (star_resource, star) {
            (true, false) => s.codes[0],
            (true, true) => s.codes[1],
            (false, false) => s.codes[2],
            (false, true) => s.codes[3],
        };
        let on = if star_resource {
            "every resource (`\"Resource\": \"*\"`)"
        } else {
            "every resource but those `NotResource` lists"
        };
        let message = if a.eq_ignore_ascii_case(s.action) {
            format!("`{a}` is allowed on {on}")
        } else {
            format!("`{a}` allows `{}` on {on}", s.action)
        };
        let f = finding(ctx, s.rule, code, node.inner_span(), message)
            .note(s.note)
            .help(s.help);
        ctx.report(f);
    } else if let Some(na) = stmt.member("NotAction") {
        if stmt
            .strings("NotAction")
            .iter()
            .any(|(a, _)| may_name(a) && glob(a, s.action, true))
        {
            return;
        }
        let code = if star_resource {
            s.codes[5]
        } else {
            s.codes[4]
        };
        let f = finding(
            ctx,
            s.rule,
            code,
            na.key_span,
            format!(
                "`NotAction` leaves `{}` allowed on {}",
                s.action,
                if star_resource {
                    "every resource"
                } else {
                    "every resource but those `NotResource` lists"
                }
            ),
        )
        .note(s.note)
        .help(s.help);
        ctx.report(f);
    }
}
