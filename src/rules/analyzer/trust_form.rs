//! TRU005 (what a role trust policy may hold, and which assume action fits which principal)
//! and TRU006 (the conditions a federated, OIDC principal needs).

use super::*;
use crate::model::policy::Statement;
use crate::model::PolicyKind;
use crate::parse::json::Node;

const GITHUB: &str = "token.actions.githubusercontent.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    /// An AWS principal or a service.
    Aws,
    Saml,
    /// An OIDC provider: its host (the condition keys' prefix).
    Oidc,
}

/// What a `Federated` value names: a SAML provider, an OIDC provider (and its host), or
/// nothing IAM accepts.
fn federated(s: &str) -> Option<(Who, String)> {
    if let Some(rest) = s.strip_prefix("arn:") {
        let (f, n) = crate::syntax::arn_fields(s);
        let _ = rest;
        if n != 6 || f[2] != "iam" {
            return None;
        }
        if let Some(name) = f[5].strip_prefix("saml-provider/") {
            return (!name.is_empty()).then(|| (Who::Saml, name.to_string()));
        }
        if let Some(host) = f[5].strip_prefix("oidc-provider/") {
            return (!host.is_empty()).then(|| (Who::Oidc, host.to_string()));
        }
        return None;
    }
    // a web identity provider named by its domain (`accounts.google.com`,
    // `cognito-identity.amazonaws.com`)
    let domain = s.contains('.')
        && !s.starts_with('.')
        && !s.ends_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
    domain.then(|| (Who::Oidc, s.to_string()))
}

pub fn statement(ctx: &mut Ctx, stmt: &Statement) {
    if ctx.doc.kind != PolicyKind::Trust {
        return;
    }
    if let Some(np) = stmt.member("NotPrincipal") {
        let f = finding(
            ctx,
            &TRU005,
            "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL",
            np.key_span,
            "`NotPrincipal` in a role trust policy",
        )
        .note("IAM refuses `NotPrincipal` in a role trust policy")
        .help("name who may assume the role with `Principal`");
        ctx.report(f);
    }
    for key in ["Resource", "NotResource"] {
        if let Some(m) = stmt.member(key) {
            let f = finding(ctx, &TRU005, "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", m.key_span, format!("`{key}` in a role trust policy"))
                .note("the resource of a trust policy is its role: IAM refuses `Resource` and `NotResource` in it")
                .help(format!("remove `{key}`"));
            ctx.report(f);
        }
    }
    let Some(p) = stmt.member("Principal") else {
        return;
    };
    if p.value.as_str() == Some("*") {
        let f = finding(ctx, &TRU005, "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", p.value.span, "`\"Principal\": \"*\"` in a role trust policy")
            .note("Access Analyzer reports the bare wildcard as not supported in the principal of a role trust policy")
            .help("name the principal; for every AWS principal with conditions, write `{\"AWS\": \"*\"}`");
        ctx.report(f);
        return;
    }
    // the kinds of principal named (a set: a statement may name very many principals)
    let mut who: Vec<Who> = Vec::with_capacity(3);
    let mut oidc: Vec<(String, &Node)> = Vec::new();
    let mut hosts: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut roles_anywhere = false;
    for pm in p.value.as_object().unwrap_or(&[]) {
        for v in pm.value.one_or_many() {
            let Some(s) = v.as_str() else { continue };
            match pm.key.as_str() {
                "AWS" | "CanonicalUser" if !who.contains(&Who::Aws) => who.push(Who::Aws),
                "AWS" | "CanonicalUser" => {}
                "Service" => {
                    if !who.contains(&Who::Aws) {
                        who.push(Who::Aws);
                    }
                    roles_anywhere |= s.eq_ignore_ascii_case("rolesanywhere.amazonaws.com");
                }
                "Federated" => {
                    if crate::rules::values::has_placeholder(s) || s.contains("${") {
                        continue;
                    }
                    match federated(s) {
                        Some((w, host)) => {
                            if !who.contains(&w) {
                                who.push(w);
                            }
                            if w == Who::Oidc && hosts.insert(host.to_ascii_lowercase()) {
                                oidc.push((host, v));
                            }
                        }
                        None => {
                            let f = finding(ctx, &TRU005, "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY", v.inner_span(), format!("`{}` is not a federated principal", shown(s)))
                                .note("a `Federated` principal is an identity provider's ARN (`arn:aws:iam::<account-id>:saml-provider/<name>` or `...:oidc-provider/<host>`) or a web identity provider's domain, such as `accounts.google.com`")
                                .help("copy the provider's ARN from the IAM console's identity providers");
                            ctx.report(f);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    // the assume action each principal kind uses
    if !who.is_empty() {
        for (a, node) in stmt.strings("Action") {
            let need = match a.to_ascii_lowercase().as_str() {
                "sts:assumerole" => Who::Aws,
                "sts:assumerolewithsaml" => Who::Saml,
                "sts:assumerolewithwebidentity" => Who::Oidc,
                _ => continue,
            };
            if !who.contains(&need) {
                let describe = |w: &Who| match w {
                    Who::Aws => ("an AWS principal or service", "sts:AssumeRole"),
                    Who::Saml => ("a SAML provider", "sts:AssumeRoleWithSAML"),
                    Who::Oidc => ("an OIDC provider", "sts:AssumeRoleWithWebIdentity"),
                };
                let kinds: Vec<&str> = who.iter().map(|w| describe(w).0).collect();
                let fits: Vec<String> =
                    who.iter().map(|w| format!("`{}`", describe(w).1)).collect();
                let f = finding(ctx, &TRU005, "MISMATCHED_ACTION_FOR_PRINCIPAL", node.inner_span(), format!("`{a}` does not fit the statement's principal ({})", kinds.join(", ")))
                    .note("each kind of principal assumes a role with its own action; none of the principals named uses this one")
                    .help(format!("use {}", fits.join(" or ")));
                ctx.report(f);
            }
        }
    }
    if roles_anywhere && stmt.is_allow() {
        let acts: Vec<String> = stmt
            .strings("Action")
            .iter()
            .map(|(a, _)| a.to_ascii_lowercase())
            .collect();
        let missing: Vec<&str> = ["sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"]
            .into_iter()
            .filter(|need| {
                !acts
                    .iter()
                    .any(|a| crate::glob::glob(a, &need.to_ascii_lowercase(), true))
            })
            .collect();
        if !missing.is_empty() {
            let at = stmt
                .member("Action")
                .map(|m| m.key_span)
                .unwrap_or(p.key_span);
            let f = finding(ctx, &TRU005, "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY", at, format!("IAM Roles Anywhere is trusted without {}", missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")))
                .note("IAM Roles Anywhere assumes the role with `sts:AssumeRole`, `sts:SetSourceIdentity` and `sts:TagSession` together; without all three it fails")
                .help("allow `[\"sts:AssumeRole\", \"sts:SetSourceIdentity\", \"sts:TagSession\"]`");
            ctx.report(f);
        }
    }
    redundant_session(ctx, p);
    if stmt.is_allow() {
        oidc_conditions(ctx, stmt, &oidc);
    }
}

/// REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY: a role and a session of the same role.
fn redundant_session(ctx: &mut Ctx, p: &crate::parse::json::Member) {
    let Some(aws) = p.value.get("AWS") else {
        return;
    };
    let values: Vec<(&str, &Node)> = aws
        .one_or_many()
        .iter()
        .filter_map(|n| n.as_str().map(|s| (s, n)))
        .collect();
    // the roles named, by partition, account and name (a role with a path is named by its
    // last part, as a session names it)
    let roles: std::collections::HashSet<(&str, &str, &str)> = values
        .iter()
        .filter_map(|(r, _)| {
            let (f, n) = crate::syntax::arn_fields(r);
            if n != 6 || f[2] != "iam" {
                return None;
            }
            let name = f[5].strip_prefix("role/")?.rsplit('/').next()?;
            Some((f[1], f[4], name))
        })
        .collect();
    if roles.is_empty() {
        return;
    }
    for (s, node) in &values {
        let (f, n) = crate::syntax::arn_fields(s);
        if n != 6 || f[2] != "sts" {
            continue;
        }
        let Some(rest) = f[5].strip_prefix("assumed-role/") else {
            continue;
        };
        let role = rest.split('/').next().unwrap_or("");
        if roles.contains(&(f[1], f[4], role)) {
            let fd = finding(
                ctx,
                &TRU005,
                "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY",
                node.inner_span(),
                format!(
                    "the session `{}` is of the role the statement already names",
                    shown(s)
                ),
            )
            .note("trusting a role trusts every session of it: the session adds nothing")
            .help("remove the session");
            ctx.report(fd);
        }
    }
}

/// TRU006: an OIDC provider trusted with no condition on its claims, GitHub without a
/// repository, and set qualifiers on the audience claim.
fn oidc_conditions(ctx: &mut Ctx, stmt: &Statement, oidc: &[(String, &Node)]) {
    let conds = stmt.conditions();
    // the condition keys by provider (the key's text before its last `:`), once
    let mut by_provider: std::collections::HashMap<String, Vec<&crate::model::policy::Condition>> =
        std::collections::HashMap::new();
    for c in &conds {
        if let Some((p, _)) = c.key.key.rsplit_once(':') {
            by_provider
                .entry(p.to_ascii_lowercase())
                .or_default()
                .push(c);
        }
    }
    for (host, node) in oidc {
        let mine: Vec<&crate::model::policy::Condition> = by_provider
            .get(&host.to_ascii_lowercase())
            .cloned()
            .unwrap_or_default();
        if host.eq_ignore_ascii_case(GITHUB) {
            let sub: Vec<_> = mine
                .iter()
                .filter(|c| c.key.key.to_ascii_lowercase().ends_with(":sub"))
                .collect();
            if sub.is_empty() {
                let f = finding(ctx, &TRU006, "MISSING_GITHUB_REPO_CONDITION_KEY", node.inner_span(), "GitHub's OIDC provider is trusted without a condition on `token.actions.githubusercontent.com:sub`")
                    .note("without it, a workflow of any GitHub repository, anyone's, can assume the role")
                    .help("add `\"StringLike\": {\"token.actions.githubusercontent.com:sub\": \"repo:<org>/<repo>:ref:refs/heads/<branch>\"}`");
                ctx.report(f);
            }
            for c in sub {
                for v in c.values() {
                    if let Some(s) = v.as_str().filter(|s| s.contains('*')) {
                        let f = finding(ctx, &TRU006, "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED", v.inner_span(), format!("`{}` lets many repositories or branches assume the role", shown(s)))
                            .note("a wildcard in the subject matches workflows of other repositories or branches than the one meant")
                            .help("name the repository and branch: `repo:<org>/<repo>:ref:refs/heads/<branch>`");
                        ctx.report(f);
                    }
                }
            }
        } else if mine.is_empty() {
            let f = finding(ctx, &TRU006, "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", node.inner_span(), format!("the OIDC provider `{}` is trusted without a condition on its claims", shown(host)))
                .note("without a condition on the token's audience or subject (`<provider>:aud`, `<provider>:sub`), any identity the provider issues tokens for can assume the role")
                .help(format!("add a condition such as `\"StringEquals\": {{\"{host}:aud\": \"<client-id>\"}}`"));
            ctx.report(f);
        }
        for c in &mine {
            if !c.key.key.to_ascii_lowercase().ends_with(":aud") {
                continue;
            }
            if c.op().starts_with("ForAnyValue:") {
                let f = finding(ctx, &TRU006, "FORANYVALUE_WITH_AUDIENCE_CLAIM_TYPE", c.operator.key_span, format!("`ForAnyValue` on the audience claim `{}`", c.key.key))
                    .note("the audience claim holds one value; `ForAnyValue` on it is meant for multivalued claims and may match more than meant")
                    .help(format!("write `{}` without `ForAnyValue:`", &c.op()["ForAnyValue:".len()..]));
                ctx.report(f);
            } else if c.op().starts_with("ForAllValues:") {
                let f = finding(ctx, &TRU006, "CONFIRM_AUDIENCE_CLAIM_TYPE", c.operator.key_span, format!("`ForAllValues` on the audience claim `{}`", c.key.key))
                    .note("`ForAllValues` also holds when the token has no audience; it fits only a provider whose audience claim is multivalued")
                    .help(format!("confirm the provider's audience claim type, or write `{}`", &c.op()["ForAllValues:".len()..]));
                ctx.report(f);
            }
        }
    }
}
