//! TRU001–TRU004: a role's trust policy lets the FinOps platform, and only it, assume the role:
//! its principal pinned, `sts:AssumeRole` allowed, `sts:ExternalId` required as the platform
//! sends it, and no condition a machine caller cannot meet.

use super::*;
use crate::diagnostic::{Finding, Severity};
use crate::model::policy::Statement;
use crate::model::PolicyKind;
use crate::parse::json::Node;
use crate::platform::{self, Profile};

declare! {
    family "trust", "a role's trust policy lets the platform, and only it, assume the role";
    TRU001 "trust-principal" Error aa[] on[Policy] fix[];
    TRU002 "trust-external-id" Error aa[] on[Policy] fix[];
    TRU003 "trust-assume-role-not-allowed" Error aa[] on[Policy] fix[];
    TRU004 "trust-condition-unmeetable" Error aa[] on[Policy] fix[];
}

/// The AWS principals of a statement's `Principal`, with their nodes; `*` (the whole element or
/// `{"AWS": "*"}`) included.
fn aws_principals<'a>(stmt: &Statement<'a>) -> Vec<(&'a str, &'a Node)> {
    let Some(p) = stmt.get("Principal") else {
        return Vec::new();
    };
    if let Some(s) = p.as_str() {
        return vec![(s, p)];
    }
    p.get("AWS")
        .map(|v| {
            v.one_or_many()
                .iter()
                .filter_map(|n| n.as_str().map(|s| (s, n)))
                .collect()
        })
        .unwrap_or_default()
}

/// The accounts (or principal ARNs) a condition restricts a statement's principal to, when it
/// does: `aws:PrincipalAccount` or `aws:PrincipalArn` compared with a positive operator, without
/// `IfExists`. `*` so restricted is not every AWS principal.
fn restricted_to<'a>(stmt: &Statement<'a>) -> Option<Vec<&'a str>> {
    let mut out = Vec::new();
    for c in stmt.conditions() {
        let op = c.op();
        if (c.key_is("aws:PrincipalAccount") || c.key_is("aws:PrincipalArn"))
            && !c.base_op().contains("Not")
            && !op.starts_with("ForAllValues")
            && !op.ends_with("IfExists")
            && (c.base_op().starts_with("String") || c.base_op().starts_with("Arn"))
        {
            out.extend(c.values().iter().filter_map(Node::as_str));
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Whether the statement's actions include `sts:AssumeRole` (exactly, or by a wildcard).
fn allows_assume_role(stmt: &Statement) -> bool {
    stmt.strings("Action")
        .iter()
        .any(|(a, _)| crate::eval::glob(a, "sts:AssumeRole", true))
}

/// The platform whose principal the trust policy names, if one.
pub fn named_platform(doc: &crate::model::PolicyDoc) -> Option<&'static Profile> {
    names_platform(&doc.root)
}

/// The platform whose principal the trust policy `root` names, if one.
pub fn names_platform(root: &Node) -> Option<&'static Profile> {
    let stmts = crate::model::policy::statements(root);
    stmts
        .iter()
        .flat_map(aws_principals)
        .find_map(|(arn, _)| platform::all().iter().find(|p| p.owns_principal(arn)))
}

/// The checks of a role trust policy.
pub fn check(ctx: &mut Ctx) {
    if ctx.doc.kind != PolicyKind::Trust {
        return;
    }
    let stmts = std::mem::take(&mut ctx.statements);
    // the platform of this role: the one its principal names, else the run's (when it uses
    // roles) for a trust that may be the platform's role: not another role of the template
    // (`--role` names the platform's), and not a role only services or identity providers
    // assume (a Lambda function's, a federated one)
    let named = named_platform(ctx.doc);
    let candidate = ctx.doc.for_platform && stmts.iter().any(|s| !aws_principals(s).is_empty());
    let platform = named.or(ctx.opts.platform().filter(|p| p.uses_role() && candidate));
    let guarded = external_id_guard(&stmts);
    for stmt in &stmts {
        external_id(ctx, stmt, platform, guarded);
    }
    if let Some(p) = platform {
        pinned(ctx, &stmts, p);
        for stmt in &stmts {
            unmeetable(ctx, stmt, p);
        }
    } else {
        for stmt in &stmts {
            anyone(ctx, stmt, None);
        }
    }
    ctx.statements = stmts;
}

/// TRU001 for `*`: every AWS principal may assume the role.
fn anyone(ctx: &mut Ctx, stmt: &Statement, p: Option<&Profile>) -> bool {
    if !stmt.is_allow() || !allows_assume_role(stmt) {
        return false;
    }
    let Some((_, node)) = aws_principals(stmt).into_iter().find(|(a, _)| *a == "*") else {
        return false;
    };
    // `*` restricted by a condition to named accounts or principals is those
    if restricted_to(stmt).is_some() {
        return false;
    }
    let mut f = Finding::new(&TRU001, ctx.source_id, node.inner_span(), format!("{} lets every AWS principal assume the role (`*`)", stmt.label()))
        .note("any AWS account can then assume the role (an external ID is no secret: it is shown to whoever sets up the connection); the platform needs its own principal trusted, and only it");
    f = match p.and_then(|p| p.access.principals.first().map(|a| (p, a))) {
        Some((p, a)) => f.help(format!("trust {}'s principal: `\"Principal\": {{\"AWS\": \"{a}\"}}`", p.title)),
        None => f.help("name the account or role that assumes the role: `\"Principal\": {\"AWS\": \"arn:aws:iam::<account>:root\"}`"),
    };
    ctx.report(f);
    true
}

/// TRU001 and TRU003 with a platform: its principal is trusted, with `sts:AssumeRole`.
fn pinned(ctx: &mut Ctx, stmts: &[Statement], p: &'static Profile) {
    if p.access.principals.is_empty() {
        // the platform assumes the role from the customer's own account (Kubecost) or has no
        // fixed principal (OptScale's assumed role): only `*` is wrong
        for stmt in stmts {
            anyone(ctx, stmt, Some(p));
        }
        return;
    }
    let mut any_star = false;
    for stmt in stmts {
        any_star |= anyone(ctx, stmt, Some(p));
    }
    if denied_to_all(ctx, stmts, p) {
        return;
    }
    let allowing: Vec<&Statement> = stmts
        .iter()
        .filter(|s| s.is_allow() && allows_assume_role(s))
        .collect();
    let trusted = allowing.iter().any(|s| {
        aws_principals(s).iter().any(|(a, _)| {
            p.owns_principal(a)
                || *a == "*"
                    && restricted_to(s).is_some_and(|r| r.iter().any(|x| p.owns_principal(x)))
        })
    });
    if trusted || any_star {
        return;
    }
    // named, but not allowed to assume the role
    if let Some((stmt, node)) = stmts.iter().find_map(|s| {
        aws_principals(s)
            .into_iter()
            .find(|(a, _)| p.owns_principal(a))
            .map(|(_, n)| (s, n))
    }) {
        let what = if !stmt.is_allow() {
            format!("{} denies it", stmt.label())
        } else {
            format!("{} does not allow `sts:AssumeRole`", stmt.label())
        };
        let at = stmt
            .get("Action")
            .map(Node::inner_span)
            .unwrap_or(node.inner_span());
        let f = Finding::new(&TRU003, ctx.source_id, at, format!("{}'s principal cannot assume the role: {what}", p.title))
            .label(node.inner_span(), "the platform's principal")
            .note(format!("{} connects by calling `sts:AssumeRole` on the role; without an Allow for it, every call is refused", p.title))
            .help("allow it: `\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\"`");
        ctx.report(f);
        return;
    }
    let own = ctx.opts.account_id.as_deref();
    let principal = allowing
        .iter()
        .flat_map(|s| aws_principals(s))
        .next()
        .or_else(|| stmts.iter().flat_map(aws_principals).next());
    let want = &p.access.principals[0];
    let (at, message) = match principal {
        Some((arn, node)) => {
            let mistaken = own.is_some() && platform::principal_account(arn) == own;
            let message = if mistaken {
                format!("the role trusts its own account `{arn}`, not {}", p.title)
            } else {
                format!("the role trusts `{arn}`, not {}'s principal", p.title)
            };
            (node.inner_span(), message)
        }
        None => (
            stmts
                .first()
                .map(|s| s.node.inner_span())
                .unwrap_or(ctx.doc.root.inner_span()),
            format!("no statement trusts {}'s principal", p.title),
        ),
    };
    let accounts = p
        .access
        .principals
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let unverified = p.export.unverified.iter().any(|u| u == "principals");
    let f = Finding::new(&TRU001, ctx.source_id, at, message)
        .severity(if unverified { Severity::Warning } else { Severity::Error })
        .note(format!("{} assumes the role from {accounts} (its profile, read on {}){}; any other principal leaves the platform unable to connect", p.title, p.read, if unverified { ", a principal its sources did not confirm, so a warning" } else { "" }))
        .help(format!("`\"Principal\": {{\"AWS\": \"{want}\"}}`"));
    ctx.report(f);
}

/// TRU003 for a Deny without a condition of `sts:AssumeRole` to every principal (`*`) or to the
/// platform's: it overrides any Allow, so the platform can never assume the role.
fn denied_to_all(ctx: &mut Ctx, stmts: &[Statement], p: &'static Profile) -> bool {
    let Some((stmt, node)) = stmts.iter().find_map(|s| {
        if s.is_allow() || s.get("Condition").is_some() || !allows_assume_role(s) {
            return None;
        }
        aws_principals(s)
            .into_iter()
            .find(|(a, _)| *a == "*" || p.owns_principal(a))
            .map(|(_, n)| (s, n))
    }) else {
        return false;
    };
    let at = stmt
        .get("Effect")
        .map(Node::inner_span)
        .unwrap_or(node.inner_span());
    let f = Finding::new(&TRU003, ctx.source_id, at, format!("{}'s principal cannot assume the role: {} denies `sts:AssumeRole` without a condition", p.title, stmt.label()))
        .label(node.inner_span(), "the principals it denies")
        .note(format!("an explicit Deny overrides every Allow: {} connects by calling `sts:AssumeRole` on the role, and every call is refused", p.title))
        .help("remove the Deny, or give it a condition that spares the platform's principal");
    ctx.report(f);
    true
}

/// The placeholders of the guides and vendor templates, and values that are no secret: empty,
/// the field's own name (`EXTERNAL_ID`, `your-external-id`), `changeme`, or only `x`, `0` and `-`.
pub(crate) fn placeholder_id(v: &str) -> bool {
    let norm: String = v
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    const WORDS: &[&str] = &[
        "externalid",
        "yourexternalid",
        "myexternalid",
        "theexternalid",
        "externalidhere",
        "insertexternalid",
        "changeme",
        "replaceme",
        "placeholder",
        "todo",
    ];
    norm.is_empty() || WORDS.contains(&norm.as_str()) || norm.chars().all(|c| c == 'x' || c == '0')
}

/// Whether a Deny refuses `sts:AssumeRole` to everyone unless the external ID is the expected
/// one (`StringNotEquals` `sts:ExternalId`, which matches a request without the key too): the
/// Allow statements then need no condition of their own.
fn external_id_guard(stmts: &[Statement]) -> bool {
    stmts.iter().any(|s| {
        !s.is_allow()
            && allows_assume_role(s)
            && aws_principals(s).iter().any(|(a, _)| *a == "*")
            && s.conditions().iter().all(|c| {
                c.key_is("sts:ExternalId")
                    && c.base_op() == "StringNotEquals"
                    && !c.op().starts_with("For")
                    && !c.op().ends_with("IfExists")
            })
            && !s.conditions().is_empty()
    })
}

/// TRU002: `sts:ExternalId` required, and compared exactly.
fn external_id(ctx: &mut Ctx, stmt: &Statement, p: Option<&'static Profile>, guarded: bool) {
    if !stmt.is_allow() || !allows_assume_role(stmt) {
        return;
    }
    let conds: Vec<_> = stmt
        .conditions()
        .into_iter()
        .filter(|c| c.key_is("sts:ExternalId"))
        .collect();
    let for_platform = p.filter(|p| {
        p.access.external_id == "required"
            && aws_principals(stmt)
                .iter()
                .any(|(a, _)| p.owns_principal(a))
    });
    if conds.is_empty() {
        if let Some(p) = for_platform.filter(|_| !guarded) {
            let at = stmt
                .get("Principal")
                .map(Node::inner_span)
                .unwrap_or(stmt.node.inner_span());
            let f = Finding::new(&TRU002, ctx.source_id, at, format!("{} does not require `sts:ExternalId`", stmt.label()))
                .note(format!("{} sends the external ID it shows you when it assumes the role; without the condition, any of its customers who learns the role's ARN can have the platform read this account (the confused-deputy problem)", p.title))
                .help("add `\"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"<the external ID the platform gives you>\"}}`");
            ctx.report(f);
        }
        return;
    }
    for c in conds {
        let op = c.op();
        if c.base_op() != "StringEquals" || op.starts_with("For") || op.ends_with("IfExists") {
            let why = if op.ends_with("IfExists") {
                "with `IfExists`, a request without an external ID passes"
            } else if c.base_op().contains("Like") {
                "a pattern matches external IDs other than the one the platform gives you"
            } else {
                "only an exact comparison makes the external ID a check"
            };
            let f = Finding::new(
                &TRU002,
                ctx.source_id,
                c.operator.key_span,
                format!("`sts:ExternalId` is compared with `{op}`"),
            )
            .note(format!(
                "{why}; AWS's guidance for third-party roles is `StringEquals`"
            ))
            .help("use `\"StringEquals\"`");
            ctx.report(f);
            continue;
        }
        for v in c.values() {
            // a number is compared as its text (`"sts:ExternalId": 123456`)
            let text = match &v.kind {
                crate::parse::json::Kind::String(s) | crate::parse::json::Kind::Number(s) => {
                    s.as_str()
                }
                _ => continue,
            };
            if crate::syntax::find_placeholder(text).is_some() {
                continue;
            }
            if placeholder_id(text) {
                let f = Finding::new(&TRU002, ctx.source_id, v.inner_span(), if text.trim().is_empty() { "the external ID is empty".to_string() } else { format!("the external ID `{text}` is a placeholder") })
                    .note("the platform sends the external ID it generated for your account; a placeholder matches no request, so the platform cannot connect")
                    .help("write the external ID the platform shows you when you add the account");
                ctx.report(f);
            } else if let Some(re) = for_platform.and_then(|p| p.external_id_regex()) {
                if !re.is_match(text) {
                    let p = for_platform.map(|p| p.title.as_str()).unwrap_or_default();
                    let f = Finding::new(
                        &TRU002,
                        ctx.source_id,
                        v.inner_span(),
                        format!("the external ID `{text}` does not have {p}'s form"),
                    )
                    .severity(Severity::Warning)
                    .note(format!(
                        "{p}'s external IDs match `{}` (its profile)",
                        re.as_str()
                    ))
                    .help("copy the external ID from the platform's connection page");
                    ctx.report(f);
                }
            }
        }
    }
}

/// TRU004: conditions the platform's machine credentials cannot meet.
fn unmeetable(ctx: &mut Ctx, stmt: &Statement, p: &'static Profile) {
    if !stmt.is_allow()
        || !allows_assume_role(stmt)
        || !aws_principals(stmt)
            .iter()
            .any(|(a, _)| p.owns_principal(a))
    {
        return;
    }
    for c in stmt.conditions() {
        let key = c.key.key.to_ascii_lowercase();
        let if_exists = c.op().ends_with("IfExists");
        let mfa_required = match key.as_str() {
            "aws:multifactorauthpresent" => {
                c.base_op() == "Bool"
                    && !if_exists
                    && c.values().iter().any(|v| {
                        v.as_str().is_some_and(|t| t.eq_ignore_ascii_case("true"))
                            || matches!(v.kind, crate::parse::json::Kind::Bool(true))
                    })
            }
            "aws:multifactorauthage" => c.base_op().starts_with("Numeric") && !if_exists,
            _ => false,
        };
        let why = match key.as_str() {
            "aws:multifactorauthpresent" | "aws:multifactorauthage" if mfa_required => format!(
                "{} assumes the role with its service's long-term credentials, which never carry multi-factor authentication",
                p.title
            ),
            // only a comparison that requires a match: `StringNotEquals` or `ForAllValues`
            // (true when the key is absent) let the platform's requests through
            "aws:principalorgid" | "aws:principalorgpaths"
                if !c.base_op().contains("Not")
                    && !c.op().starts_with("ForAllValues")
                    && !if_exists =>
            {
                format!(
                    "{}'s account is not in your organization, so `{}` never matches its requests",
                    p.title, c.key.key
                )
            }
            _ => continue,
        };
        let f = Finding::new(
            &TRU004,
            ctx.source_id,
            c.key.key_span,
            format!("`{}` can never hold for {}", c.key.key, p.title),
        )
        .note(format!(
            "{why}: every `sts:AssumeRole` of the platform is refused"
        ))
        .help("remove the condition; require `sts:ExternalId` instead");
        ctx.report(f);
    }
}
