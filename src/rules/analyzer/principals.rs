//! POL024: principals a resource policy cannot name, or names too broadly.

use super::*;
use crate::model::policy::Statement;
use crate::model::PolicyKind;

const SOURCE_KEYS: &[&str] = &[
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
];

pub fn statement(ctx: &mut Ctx, stmt: &Statement) {
    let kind = ctx.doc.kind;
    if kind.is_identity() || kind == PolicyKind::ServiceControl {
        return; // POL009, POL025
    }
    for m in [stmt.member("Principal"), stmt.member("NotPrincipal")]
        .into_iter()
        .flatten()
    {
        for pm in m.value.as_object().unwrap_or(&[]) {
            if pm.key == "Federated" && matches!(kind, PolicyKind::Bucket | PolicyKind::Resource) {
                let f = finding(ctx, &POL024, "FEDERATED_PRINCIPAL_NOT_SUPPORTED", pm.key_span, format!("a `Federated` principal in {}", kind.with_article()))
                    .note("only a role trust policy can name a federated (SAML or OIDC) principal; AWS refuses it here")
                    .help("grant the role the federated users assume instead: `{\"AWS\": \"arn:aws:iam::<account-id>:role/<name>\"}`");
                ctx.report(f);
            }
            for v in pm.value.one_or_many() {
                let Some(s) = v.as_str() else { continue };
                if s == "*" && pm.key == "AWS"
                    || crate::rules::values::has_placeholder(s)
                    || s.contains("${")
                {
                    continue;
                }
                if s.contains(['*', '?']) {
                    let f = finding(ctx, &POL024, "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", v.inner_span(), format!("wildcard in the `{}` principal `{}`", pm.key, shown(s)))
                        .note("a principal is named exactly: AWS refuses a partial wildcard (only a whole `\"AWS\": \"*\"` means everyone)")
                        .help("name the principal exactly, or use `\"AWS\": \"*\"` with an `aws:PrincipalArn` condition (`ArnLike`) for a pattern");
                    ctx.report(f);
                }
            }
        }
    }
    if stmt.is_allow() && kind != PolicyKind::Trust {
        if let Some(np) = stmt.member("NotPrincipal") {
            let f = finding(ctx, &POL024, "ALLOW_WITH_NOT_PRINCIPAL", np.key_span, format!("{} allows with `NotPrincipal`", stmt.label()))
                .note("an Allow with `NotPrincipal` grants access to every principal but the listed ones, anonymous users included")
                .help("name who is allowed with `Principal`");
            ctx.report(f);
        }
    }
    service_principal(ctx, stmt);
}

/// RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL: a service principal allowed without a condition on
/// the resource or account it acts for. The billing delivery statement: BP010.
fn service_principal(ctx: &mut Ctx, stmt: &Statement) {
    if !stmt.is_allow() || !matches!(ctx.doc.kind, PolicyKind::Bucket | PolicyKind::Resource) {
        return;
    }
    if crate::rules::values::is_delivery_statement(stmt) {
        return;
    }
    let Some(service) = stmt.get("Principal").and_then(|p| p.member("Service")) else {
        return;
    };
    let conds = stmt.conditions();
    let scoped = conds
        .iter()
        .any(|c| SOURCE_KEYS.iter().any(|k| c.key_is(k)));
    if scoped {
        return;
    }
    if let Some(other) = conds.first() {
        let f = finding(ctx, &POL024, "RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", other.key.key_span, format!("{} limits a service principal with `{}`, not with the resource or account it acts for", stmt.label(), other.key.key))
            .note("a service acts for every AWS customer; `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` and `aws:SourceOrgPaths` name whose resource it acts for (the confused-deputy problem)")
            .help("add a condition on `aws:SourceArn` or `aws:SourceAccount`");
        ctx.report(f);
        return;
    }
    let f = finding(ctx, &POL024, "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", service.key_span, format!("{} allows a service principal without `aws:SourceArn` or `aws:SourceAccount`", stmt.label()))
        .note("the service acts for every AWS customer: without a condition on whose resource it acts for, another account can make it use this access (the confused-deputy problem)")
        .help("add a condition on `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID` or `aws:SourceOrgPaths`");
    ctx.report(f);
}
