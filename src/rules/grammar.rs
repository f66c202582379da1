//! POL001–POL020: the IAM policy grammar, with IAM Access Analyzer's issue codes as aliases.

use super::*;
use crate::diagnostic::{Finding, Severity};
use crate::fuzzy;
use crate::model::policy::{Statement, STATEMENT_ELEMENTS, TOP_ELEMENTS};
use crate::model::{IdentityScope, PolicyKind};
use crate::parse::json::{Kind, Member, Node};
use crate::rules::Ctx;
use crate::source::Span;

declare! {
    family "grammar", "the policy grammar";
    POL001 "missing-version" Warning aa["MISSING_VERSION"] on[Policy] fix[Safe];
    POL002 "invalid-version" Error aa["INVALID_VERSION"] on[Policy] fix[];
    POL003 "legacy-version" Warning aa[] on[Policy] fix[];
    POL004 "invalid-statement" Error aa["MISSING_STATEMENT"] on[Policy] fix[];
    POL005 "invalid-effect" Error aa["MISSING_EFFECT", "INVALID_EFFECT"] on[Policy] fix[Safe];
    POL006 "action-element" Error aa["MISSING_ACTION", "UNSUPPORTED_ELEMENT_COMBINATION"] on[Policy] fix[];
    POL007 "resource-element" Error aa["MISSING_RESOURCE", "UNSUPPORTED_ELEMENT_COMBINATION"] on[Policy] fix[];
    POL008 "invalid-action-syntax" Error aa["INVALID_ACTION"] on[Policy] fix[];
    POL009 "principal-in-identity-policy" Error aa["UNSUPPORTED_PRINCIPAL"] on[Policy] fix[];
    POL010 "missing-principal" Error aa["MISSING_PRINCIPAL"] on[Policy] fix[];
    POL011 "invalid-principal" Error aa["INVALID_PRINCIPAL_KEY", "INVALID_PRINCIPAL_FORMAT", "INVALID_SERVICE_PRINCIPAL_FORMAT", "INVALID_ROLE_REFERENCE", "INVALID_USER_REFERENCE"] on[Policy] fix[];
    POL012 "invalid-condition-operator" Error aa["INVALID_CONDITION_OPERATOR", "NULL_WITH_IF_EXISTS"] on[Policy] fix[];
    POL013 "invalid-condition-block" Error aa["DATA_TYPE_MISMATCH", "INVALID_CONDITION_KEY_FORMAT"] on[Policy] fix[];
    POL014 "invalid-sid" Error aa["UNSUPPORTED_SID", "EMPTY_SID_VALUE"] on[Policy] fix[];
    POL015 "duplicate-sid" Error aa["UNIQUE_SIDS_REQUIRED", "UNIQUE_SIDS_RECOMMENDED"] on[Policy] fix[];
    POL016 "policy-size" Warning aa["POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", "POLICY_SIZE_EXCEEDS_SCP_QUOTA", "POLICY_SIZE_EXCEEDS_RCP_QUOTA"] on[Policy] fix[];
    POL017 "empty-array" Info aa["EMPTY_ARRAY_ACTION", "EMPTY_ARRAY_RESOURCE", "EMPTY_ARRAY_PRINCIPAL", "EMPTY_ARRAY_CONDITION", "EMPTY_ARRAY_CONDITION_FORALLVALUES", "EMPTY_ARRAY_CONDITION_FORANYVALUE", "EMPTY_ARRAY_CONDITION_IFEXISTS", "EMPTY_OBJECT_PRINCIPAL"] on[Policy] fix[];
    POL018 "invalid-element" Error aa["INVALID_POLICY_ELEMENT"] on[Policy] fix[];
    POL019 "data-type-mismatch" Error aa["DATA_TYPE_MISMATCH"] on[Policy] fix[];
    POL020 "mixed-principal" Error aa[] on[Policy] fix[];
}

pub const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

const PRINCIPAL_KEYS: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

/// Where to point when a statement as a whole is at fault: its Sid, its Effect, or its brace.
pub fn anchor(stmt: &Statement) -> Span {
    if let Some(m) = stmt.member("Sid") {
        return m.key_span;
    }
    if let Some(m) = stmt.member("Effect") {
        return m.key_span;
    }
    brace(stmt.node)
}

/// Where to point at a statement for what its effect does (a Deny that blocks a call): its
/// `"Effect": "Deny"`, else its Sid or first character.
pub fn effect_anchor(stmt: &Statement) -> Span {
    match stmt.member("Effect") {
        Some(m) => Span::new(m.key_span.start, m.value.span.end.max(m.key_span.end)),
        None => anchor(stmt),
    }
}

/// Why a Deny statement applies to `whom`, for a note: it has no condition, or the condition
/// it has (on one line, cut to a readable length) holds for them.
pub fn deny_condition(source: &crate::source::Source, stmt: &Statement, whom: &str) -> String {
    match stmt.get("Condition") {
        None => "it has no `Condition`, so it applies to every request".to_string(),
        Some(c) => {
            let text = source
                .snippet(c.span)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let shown = match text.char_indices().nth(160) {
                Some((i, _)) => format!("{}…", &text[..i]),
                None => text,
            };
            format!("its `Condition` `{shown}` holds for {whom}")
        }
    }
}

pub fn brace(node: &Node) -> Span {
    Span::new(node.span.start, node.span.start + 1)
}

pub fn check(ctx: &mut Ctx) {
    let root = &ctx.doc.root;
    top_level(ctx, root);
    let stmts = std::mem::take(&mut ctx.statements);
    let with_principal = stmts
        .iter()
        .filter(|s| s.member("Principal").is_some() || s.member("NotPrincipal").is_some())
        .count();
    let mixed = with_principal > 0 && with_principal < stmts.len();
    let mut sids: Vec<(&str, Span)> = Vec::new();
    for stmt in &stmts {
        statement(ctx, stmt, mixed);
        if let (Some(sid), Some(m)) = (stmt.sid(), stmt.member("Sid")) {
            if !sid.is_empty() {
                if let Some((_, first)) = sids.iter().find(|(s, _)| *s == sid) {
                    // IAM requires unique Sids (its policies: identity and trust); for other
                    // resource policies Access Analyzer only recommends them
                    let iam = matches!(
                        ctx.doc.kind,
                        crate::model::PolicyKind::Identity(_) | crate::model::PolicyKind::Trust
                    );
                    let f = Finding::new(
                        &POL015,
                        ctx.source_id,
                        m.value.span,
                        format!("duplicate Sid `{sid}`"),
                    )
                    .label(*first, "first used here");
                    let f = if iam {
                        f.aa("UNIQUE_SIDS_REQUIRED")
                            .note(format!("IAM requires the statement IDs of {} to be unique: it refuses the policy", ctx.doc.kind.with_article()))
                    } else {
                        f.severity(Severity::Warning)
                            .aa("UNIQUE_SIDS_RECOMMENDED")
                            .note(format!("AWS recommends unique statement IDs in {}; tools and people that address statements by Sid cannot tell these apart", ctx.doc.kind.with_article()))
                    };
                    let f = f.help("give each statement its own Sid");
                    ctx.report(f);
                } else {
                    sids.push((sid, m.value.span));
                }
            }
        }
    }
    ctx.statements = stmts;
    size(ctx);
}

fn top_level(ctx: &mut Ctx, root: &Node) {
    for m in root.as_object().unwrap_or(&[]) {
        unknown_element(ctx, m, TOP_ELEMENTS, "policy");
    }
    match root.member("Version") {
        None => {
            let f = Finding::new(&POL001, ctx.source_id, brace(root), "the policy has no `Version`")
                .note("without `Version`, IAM applies the 2008-10-17 language: policy variables such as `${aws:username}` are not replaced");
            // a `version` written in another case is the Version meant: renamed, not doubled
            let written = root
                .as_object()
                .unwrap_or(&[])
                .iter()
                .find(|m| m.key.eq_ignore_ascii_case("Version"));
            let f = match written {
                Some(m) => f.help(format!("rename `{}` to `Version`", m.key)).fix(
                    format!("rename `{}` to `Version`", m.key),
                    m.key_span,
                    "\"Version\"",
                ),
                None => {
                    let (span, text) = crate::parse::json::insert_member(
                        &ctx.source.text,
                        root,
                        "\"Version\": \"2012-10-17\"",
                    );
                    f.help("add `\"Version\": \"2012-10-17\"` as the first element")
                        .fix("add `\"Version\": \"2012-10-17\"`", span, text)
                }
            };
            ctx.report(f);
        }
        Some(m) => match m.value.as_str() {
            None => type_mismatch(ctx, &m.value, "Version", "a string"),
            Some("2012-10-17") => {}
            Some("2008-10-17") => {
                let f = Finding::new(&POL003, ctx.source_id, m.value.span, "the policy uses the legacy language version `2008-10-17`")
                    .note("policy variables are not replaced under 2008-10-17; this is also what a missing Version means")
                    .help("use `\"Version\": \"2012-10-17\"`");
                ctx.report(f);
            }
            Some(other) => {
                let f = Finding::new(&POL002, ctx.source_id, m.value.span, format!("invalid policy version `{other}`"))
                    .note("IAM and S3 accept only `2012-10-17` and `2008-10-17`, and reject the document otherwise")
                    .help("use `\"Version\": \"2012-10-17\"` (it is a date string, not today's date)");
                ctx.report(f);
            }
        },
    }
    match root.member("Statement") {
        None => {
            let f = Finding::new(
                &POL004,
                ctx.source_id,
                brace(root),
                "the policy has no `Statement`",
            )
            .note("a policy without statements grants nothing and is rejected")
            .help("add `\"Statement\": [ ... ]` with at least one statement");
            ctx.report(f);
        }
        Some(m) => match &m.value.kind {
            Kind::Object(_) => {}
            Kind::Array(items) if items.is_empty() => {
                let f = Finding::new(
                    &POL004,
                    ctx.source_id,
                    m.value.span,
                    "`Statement` is an empty array",
                )
                .note("a policy without statements grants nothing and is rejected")
                .help("add at least one statement");
                ctx.report(f);
            }
            Kind::Array(items) => {
                for item in items.iter().filter(|i| i.as_object().is_none()) {
                    let f = Finding::new(&POL004, ctx.source_id, item.span, format!("a statement must be an object, found {}", item.type_name()))
                        .help("write the statement as `{\"Effect\": ..., \"Action\": ..., \"Resource\": ...}`");
                    ctx.report(f);
                }
            }
            _ => {
                let f = Finding::new(
                    &POL004,
                    ctx.source_id,
                    m.value.span,
                    format!(
                        "`Statement` must be an object or an array of objects, found {}",
                        m.value.type_name()
                    ),
                )
                .help("write `\"Statement\": [ { ... } ]`");
                ctx.report(f);
            }
        },
    }
}

fn unknown_element(ctx: &mut Ctx, m: &Member, known: &[&str], what: &str) {
    if known.contains(&m.key.as_str()) {
        return;
    }
    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(&m.key)) {
        let f = Finding::new(&POL018, ctx.source_id, m.key_span, format!("`{}` should be written `{k}`", m.key))
            .severity(Severity::Warning)
            .note("policy element names are case-sensitive in the policy grammar; other tools read this key as unknown")
            .help(format!("rename the key to `\"{k}\"`"));
        ctx.report(f);
        return;
    }
    let mut f = Finding::new(
        &POL018,
        ctx.source_id,
        m.key_span,
        format!("unknown {what} element `{}`", m.key),
    )
    .note(format!(
        "the elements of a {what} are {}; AWS rejects the document",
        list(known)
    ));
    f = match fuzzy::suggest(&m.key, known.iter().copied()) {
        Some(s) => f.help(format!("did you mean `{s}`?")),
        None => f.help("remove the element"),
    };
    ctx.report(f);
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn type_mismatch(ctx: &mut Ctx, node: &Node, element: &str, expected: &str) {
    let f = Finding::new(
        &POL019,
        ctx.source_id,
        node.span,
        format!("`{element}` must be {expected}, found {}", node.type_name()),
    )
    .note("AWS rejects a policy whose elements have the wrong JSON type")
    .help(match node.kind {
        Kind::Number(ref n) => format!("write it as a string: `\"{n}\"`"),
        _ => format!("write `{element}` as {expected}"),
    });
    ctx.report(f);
}

fn statement(ctx: &mut Ctx, stmt: &Statement, mixed: bool) {
    let kind = ctx.doc.kind;
    for m in stmt.node.as_object().unwrap_or(&[]) {
        unknown_element(ctx, m, STATEMENT_ELEMENTS, "statement");
    }
    let label = stmt.label();
    // Sid
    if let Some(m) = stmt.member("Sid") {
        match m.value.as_str() {
            None => type_mismatch(ctx, &m.value, "Sid", "a string"),
            Some("") => {
                let f = Finding::new(&POL014, ctx.source_id, m.value.span, "the Sid is empty")
                    .aa("EMPTY_SID_VALUE")
                    .severity(Severity::Info)
                    .note("an empty statement ID names nothing")
                    .help("name the statement (letters and digits), or remove `Sid`");
                ctx.report(f);
            }
            Some(sid) if kind.is_identity() && !crate::syntax::is_identity_sid(sid) => {
                let fixed: String = sid.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
                let f = Finding::new(&POL014, ctx.source_id, m.value.span, format!("Sid `{sid}` has characters IAM does not accept"))
                    .note("in identity policies a Sid may contain only ASCII letters and digits; IAM rejects the policy")
                    .help(format!("use `\"{fixed}\"`"));
                ctx.report(f);
            }
            _ => {}
        }
    }
    // Effect
    match stmt.member("Effect") {
        None => {
            let f = Finding::new(&POL005, ctx.source_id, anchor(stmt), format!("{label} has no `Effect`"))
.aa("MISSING_EFFECT")
                .note("every statement needs `\"Effect\": \"Allow\"` or `\"Deny\"`; AWS rejects the policy")
                .help("add `\"Effect\": \"Allow\"`");
            ctx.report(f);
        }
        Some(m) => match m.value.as_str() {
            None => type_mismatch(ctx, &m.value, "Effect", "the string `Allow` or `Deny`"),
            Some("Allow" | "Deny") => {}
            Some(other) => {
                let fixed = if other.eq_ignore_ascii_case("allow") {
                    "Allow"
                } else if other.eq_ignore_ascii_case("deny") {
                    "Deny"
                } else {
                    fuzzy::suggest(other, ["Allow", "Deny"]).unwrap_or("Allow")
                };
                let f = Finding::new(
                    &POL005,
                    ctx.source_id,
                    m.value.span,
                    format!("invalid Effect `{other}`"),
                )
                .aa("INVALID_EFFECT")
                .note("`Effect` is case-sensitive and must be exactly `Allow` or `Deny`")
                .help(format!("use `\"{fixed}\"`"));
                // certain only when the case is all that is wrong
                let f = if other.eq_ignore_ascii_case(fixed) {
                    f.fix(
                        format!("set `\"{fixed}\"`"),
                        m.value.span,
                        format!("\"{fixed}\""),
                    )
                } else {
                    f
                };
                ctx.report(f);
            }
        },
    }
    // Action / NotAction
    pair(ctx, stmt, "Action", "NotAction", &POL006, true);
    for key in ["Action", "NotAction"] {
        if let Some(m) = stmt.member(key) {
            string_or_array(ctx, m);
            for v in m.value.one_or_many() {
                if let Some(a) = v.as_str() {
                    action_syntax(ctx, v, a);
                }
            }
        }
    }
    // Resource / NotResource (a trust policy has none)
    pair(
        ctx,
        stmt,
        "Resource",
        "NotResource",
        &POL007,
        kind != PolicyKind::Trust,
    );
    for key in ["Resource", "NotResource"] {
        if let Some(m) = stmt.member(key) {
            string_or_array(ctx, m);
        }
    }
    // Principal / NotPrincipal
    principal(ctx, stmt, mixed);
    // Condition
    if let Some(m) = stmt.member("Condition") {
        condition(ctx, m);
    }
}

/// Exactly one of `a` and `b` (when `required`); at most one otherwise.
fn pair(ctx: &mut Ctx, stmt: &Statement, a: &str, b: &str, rule: &'static Rule, required: bool) {
    match (stmt.member(a), stmt.member(b)) {
        (Some(ma), Some(mb)) => {
            let f = Finding::new(
                rule,
                ctx.source_id,
                mb.key_span,
                format!("{} has both `{a}` and `{b}`", stmt.label()),
            )
            .label(ma.key_span, format!("`{a}` is here"))
            .aa("UNSUPPORTED_ELEMENT_COMBINATION")
            .note(format!(
                "a statement takes exactly one of `{a}` and `{b}`; AWS rejects the policy"
            ))
            .help(format!(
                "keep `{a}` or `{b}`, not both; split the statement in two if you need both"
            ));
            ctx.report(f);
        }
        (None, None) if required => {
            let f = Finding::new(
                rule,
                ctx.source_id,
                anchor(stmt),
                format!("{} has no `{a}` or `{b}`", stmt.label()),
            )
            .aa(if a == "Action" {
                "MISSING_ACTION"
            } else {
                "MISSING_RESOURCE"
            })
            .note(format!(
                "every statement needs `{a}` (or `{b}`); AWS rejects the policy"
            ))
            .help(format!("add `\"{a}\": [ ... ]`"));
            ctx.report(f);
        }
        _ => {}
    }
}

/// An element that must be a string or a non-empty array of strings.
fn string_or_array(ctx: &mut Ctx, m: &Member) {
    match &m.value.kind {
        Kind::String(_) => {}
        Kind::Array(items) if items.is_empty() => {
            let f = Finding::new(
                &POL017,
                ctx.source_id,
                m.value.span,
                format!("`{}` is an empty array", m.key),
            )
            .aa(match m.key.as_str() {
                "Action" | "NotAction" => "EMPTY_ARRAY_ACTION",
                "Resource" | "NotResource" => "EMPTY_ARRAY_RESOURCE",
                _ => "EMPTY_ARRAY_PRINCIPAL",
            })
            .note("an empty array matches nothing, so the statement has no effect")
            .help(format!(
                "list at least one value in `{}`, or remove the statement",
                m.key
            ));
            ctx.report(f);
        }
        Kind::Array(items) => {
            for item in items.iter().filter(|i| i.as_str().is_none()) {
                type_mismatch(ctx, item, &m.key, "a string");
            }
        }
        _ => type_mismatch(ctx, &m.value, &m.key, "a string or an array of strings"),
    }
}

fn action_syntax(ctx: &mut Ctx, node: &Node, action: &str) {
    if crate::syntax::is_action(action) || action.contains('<') {
        return;
    }
    let trimmed = action.trim();
    let help = if trimmed != action && crate::syntax::is_action(trimmed) {
        format!("remove the spaces: `\"{trimmed}\"`")
    } else if !action.contains(':') {
        "write the action as `service:ActionName`, for example `s3:GetObject`".to_string()
    } else if action.matches(':').count() > 1 {
        format!("use one colon: `\"{}\"`", action.replacen("::", ":", 1))
    } else {
        "an action is `service:ActionName`; only letters, digits and the wildcards `*` and `?` may follow the colon".to_string()
    };
    let f = Finding::new(
        &POL008,
        ctx.source_id,
        node.inner_span(),
        format!("invalid action `{action}`"),
    )
    .note("IAM rejects actions that are not `service:Action`")
    .help(help);
    ctx.report(f);
}

fn principal(ctx: &mut Ctx, stmt: &Statement, mixed: bool) {
    let kind = ctx.doc.kind;
    let p = stmt.member("Principal");
    let np = stmt.member("NotPrincipal");
    if kind.is_identity() {
        for m in [p, np].into_iter().flatten() {
            let scope = match kind {
                PolicyKind::Identity(IdentityScope::UserInline) => "a user's inline policy",
                PolicyKind::Identity(IdentityScope::RoleInline) => "a role's inline policy",
                PolicyKind::Identity(IdentityScope::GroupInline) => "a group's inline policy",
                _ => "an identity policy",
            };
            let f = Finding::new(&POL009, ctx.source_id, m.key_span, format!("`{}` in {scope}", m.key))
                .note("identity policies apply to the identity they are attached to; IAM rejects `Principal` in them (a bucket policy needs it)")
                .help(format!("remove `{}`; if this is meant to be a bucket policy, attach it to the bucket instead", m.key));
            ctx.report(f);
        }
        return;
    }
    if kind == PolicyKind::ServiceControl {
        return; // an SCP has no principal: POL025
    }
    match (p, np) {
        (Some(a), Some(b)) => {
            let f = Finding::new(
                &POL011,
                ctx.source_id,
                b.key_span,
                format!("{} has both `Principal` and `NotPrincipal`", stmt.label()),
            )
            .aa("INVALID_PRINCIPAL_FORMAT")
            .label(a.key_span, "`Principal` is here")
            .note("a statement takes one of `Principal` and `NotPrincipal`")
            .help("keep one of them");
            ctx.report(f);
        }
        (None, None) if mixed => {
            let f = Finding::new(&POL020, ctx.source_id, anchor(stmt), format!("{} has no `Principal`, but other statements of this policy do", stmt.label()))
                .note(format!("this looks like {}: every statement of it needs a `Principal`, and an identity policy may have none", kind.with_article()))
                .help("add the `Principal` this statement is for, or move the statement into the user's identity policy");
            ctx.report(f);
        }
        (None, None) => {
            let mut f = Finding::new(&POL010, ctx.source_id, anchor(stmt), format!("{} has no `Principal`", stmt.label()))
                .note(match &ctx.doc.principal_expected_because {
                    Some(why) => format!("this file looks like a bucket policy ({why}); a bucket policy statement must name who it applies to, or S3 rejects it"),
                    None => format!("a statement of {} must name who it applies to", kind.with_article()),
                });
            let delivery_like = ctx.doc.principal_expected_because.is_some()
                || stmt
                    .conditions()
                    .iter()
                    .any(|c| c.key_is("aws:SourceArn") || c.key_is("aws:SourceAccount"));
            f = if delivery_like {
                f.help(format!(
                    "add `\"Principal\": {{\"Service\": \"{}\"}}`",
                    ctx.opts.export_type().service_principal()
                ))
            } else {
                f.help("add a `Principal`, for example `\"Principal\": {\"AWS\": \"arn:aws:iam::<account-id>:user/<name>\"}`")
            };
            ctx.report(f);
        }
        _ => {}
    }
    for m in [p, np].into_iter().flatten() {
        principal_value(ctx, m);
    }
}

fn principal_value(ctx: &mut Ctx, m: &Member) {
    match &m.value.kind {
        Kind::String(s) if s == "*" => {}
        Kind::String(s) => {
            let f = Finding::new(&POL011, ctx.source_id, m.value.span, format!("invalid principal `{s}`"))
.aa("INVALID_PRINCIPAL_FORMAT")
                .note("a principal is `\"*\"` or an object keyed by `AWS`, `Service`, `Federated` or `CanonicalUser`")
                .help(if s.ends_with(".amazonaws.com") {
                    format!("write `{{\"Service\": \"{s}\"}}`")
                } else {
                    format!("write `{{\"AWS\": \"{s}\"}}`")
                });
            ctx.report(f);
        }
        Kind::Object(members) => {
            if members.is_empty() {
                let f = Finding::new(&POL017, ctx.source_id, m.value.span, format!("`{}` is an empty object", m.key))
                    .aa("EMPTY_OBJECT_PRINCIPAL")
                    .note("an empty principal matches nobody")
                    .help("name the principal, for example `{\"Service\": \"bcm-data-exports.amazonaws.com\"}`");
                ctx.report(f);
            }
            for pm in members {
                if !PRINCIPAL_KEYS.contains(&pm.key.as_str()) {
                    let mut f = Finding::new(&POL011, ctx.source_id, pm.key_span, format!("unknown principal type `{}`", pm.key))
.aa("INVALID_PRINCIPAL_KEY")
                        .note("principal types are `AWS`, `Service`, `Federated` and `CanonicalUser` (case-sensitive)");
                    f = match fuzzy::suggest(&pm.key, PRINCIPAL_KEYS.iter().copied()) {
                        Some(s) => f.help(format!("did you mean `{s}`?")),
                        None => f.help("use one of the principal types"),
                    };
                    ctx.report(f);
                    continue;
                }
                string_or_array(ctx, pm);
                for v in pm.value.one_or_many() {
                    if let Some(s) = v.as_str() {
                        principal_format(ctx, &pm.key, v, s);
                    }
                }
            }
        }
        _ => type_mismatch(ctx, &m.value, &m.key, "`\"*\"` or an object"),
    }
}

fn principal_format(ctx: &mut Ctx, key: &str, node: &Node, value: &str) {
    if value.contains('<') || value.contains("${") {
        return; // placeholders: VAL001
    }
    let bad = match key {
        "Service" => (!crate::syntax::is_service_principal(value) && value != "*").then(|| {
            if value.contains('.') {
                "a service principal is the service's DNS name, such as `bcm-data-exports.amazonaws.com`".to_string()
            } else {
                format!("did you mean `{value}.amazonaws.com`?")
            }
        }),
        "AWS" if unique_id(value).is_some() => {
            let (code, what) = unique_id(value).unwrap_or_default();
            let f = Finding::new(&POL011, ctx.source_id, node.inner_span(), format!("`{value}` is the unique ID of an IAM {what}, not its ARN"))
                .aa(code)
                .severity(Severity::Warning)
                .note(format!("IAM shows a principal by its unique ID when the {what} it named was deleted: the policy no longer names anyone, and a new {what} of the same name is not trusted"))
                .help(format!("name the {what} by its ARN, `arn:aws:iam::<account-id>:{what}/<name>`"));
            ctx.report(f);
            None
        }
        "AWS" => {
            let digits = value.chars().filter(char::is_ascii_digit).count();
            let looks_account = value.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
            let ok = value == "*"
                || (value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()))
                || value.starts_with("arn:")
                || (looks_account && digits > 0); // malformed account IDs: VAL002
            (!ok).then(|| "an `AWS` principal is `*`, a 12-digit account ID or an IAM ARN".to_string())
        }
        "CanonicalUser" => (!(value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())))
            .then(|| "a canonical user ID is 64 hexadecimal characters".to_string()),
        _ => None,
    };
    if let Some(help) = bad {
        let f = Finding::new(
            &POL011,
            ctx.source_id,
            node.inner_span(),
            format!("invalid `{key}` principal `{value}`"),
        )
        .aa(if key == "Service" {
            "INVALID_SERVICE_PRINCIPAL_FORMAT"
        } else {
            "INVALID_PRINCIPAL_FORMAT"
        })
        .note("AWS rejects a policy whose principal it cannot resolve")
        .help(help);
        ctx.report(f);
    }
}

/// A user's (`AIDA...`) or role's (`AROA...`) unique ID: its Access Analyzer code and what it
/// names.
fn unique_id(value: &str) -> Option<(&'static str, &'static str)> {
    let shaped = |p: &str| {
        value.strip_prefix(p).is_some_and(|rest| {
            rest.len() >= 12
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
    };
    if shaped("AROA") {
        Some(("INVALID_ROLE_REFERENCE", "role"))
    } else if shaped("AIDA") {
        Some(("INVALID_USER_REFERENCE", "user"))
    } else {
        None
    }
}

fn condition(ctx: &mut Ctx, m: &Member) {
    let Some(ops) = m.value.as_object() else {
        type_mismatch(ctx, &m.value, "Condition", "an object of operators");
        return;
    };
    for op in ops {
        operator(ctx, op);
        let Some(keys) = op.value.as_object() else {
            let f = Finding::new(
                &POL013,
                ctx.source_id,
                op.value.span,
                format!(
                    "the value of `{}` must be an object of condition keys, found {}",
                    op.key,
                    op.value.type_name()
                ),
            )
            .aa("DATA_TYPE_MISMATCH")
            .note("a condition is written `\"Operator\": {\"key\": \"value\"}`")
            .help(format!(
                "write `\"{}\": {{\"aws:SourceAccount\": \"...\"}}`",
                op.key
            ));
            ctx.report(f);
            continue;
        };
        if keys.is_empty() {
            let f = Finding::new(
                &POL013,
                ctx.source_id,
                op.value.span,
                format!("`{}` has no condition keys", op.key),
            )
            .aa("DATA_TYPE_MISMATCH")
            .note("an operator without keys tests nothing")
            .help("add the condition key and value, or remove the operator");
            ctx.report(f);
        }
        for key in keys {
            let parts: Vec<&str> = key.key.splitn(2, ':').collect();
            if parts.len() != 2
                || parts[0].is_empty()
                || parts[1].is_empty()
                || key.key.contains(char::is_whitespace)
            {
                let f = Finding::new(&POL013, ctx.source_id, key.key_span, format!("invalid condition key `{}`", key.key))
.aa("INVALID_CONDITION_KEY_FORMAT")
                    .note("condition keys are `service:KeyName`, such as `aws:SourceAccount` or `s3:prefix`")
                    .help(match fuzzy::suggest(&key.key, ["aws:SourceAccount", "aws:SourceArn", "aws:SecureTransport", "aws:PrincipalArn"]) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "write the key as `service:KeyName`".to_string(),
                    });
                ctx.report(f);
            }
            match &key.value.kind {
                Kind::Array(items) if items.is_empty() => {
                    let (code, note) = if op.key.starts_with("ForAllValues:") {
                        ("EMPTY_ARRAY_CONDITION_FORALLVALUES", "`ForAllValues` with no values holds only when the request has no value for the key: `Null` says that plainly")
                    } else if op.key.starts_with("ForAnyValue:") {
                        (
                            "EMPTY_ARRAY_CONDITION_FORANYVALUE",
                            "`ForAnyValue` with no values never matches",
                        )
                    } else if op.key.ends_with("IfExists") {
                        ("EMPTY_ARRAY_CONDITION_IFEXISTS", "with no values, an `...IfExists` condition holds only when the request has no value for the key: `Null` says that plainly")
                    } else {
                        ("EMPTY_ARRAY_CONDITION", "a condition with no values never matches (or, with a negated operator, always does)")
                    };
                    let f = Finding::new(
                        &POL017,
                        ctx.source_id,
                        key.value.span,
                        format!("`{}` has an empty list of values", key.key),
                    )
                    .aa(code)
                    .note(note)
                    .help("list the values, or remove the condition key");
                    ctx.report(f);
                }
                Kind::Array(items) => {
                    for item in items
                        .iter()
                        .filter(|i| matches!(i.kind, Kind::Null | Kind::Object(_) | Kind::Array(_)))
                    {
                        condition_value_type(ctx, &key.key, item);
                    }
                }
                Kind::Null | Kind::Object(_) => condition_value_type(ctx, &key.key, &key.value),
                _ => {}
            }
        }
    }
}

fn condition_value_type(ctx: &mut Ctx, key: &str, node: &Node) {
    let f = Finding::new(
        &POL013,
        ctx.source_id,
        node.span,
        format!(
            "the value of `{key}` is {} {}",
            if node.type_name() == "object" || node.type_name() == "array" {
                "an"
            } else {
                "a"
            },
            node.type_name()
        ),
    )
    .aa("DATA_TYPE_MISMATCH")
    .note("condition values are strings, numbers or booleans, or an array of them")
    .help("write the value as a string");
    ctx.report(f);
}

fn operator(ctx: &mut Ctx, op: &Member) {
    let name = op.key.as_str();
    let parts = crate::model::policy::operator(name);
    let (prefix, base, if_exists) = (parts.prefix(), parts.base, parts.if_exists);
    if OPERATORS.contains(&base) {
        if base == "Null" && if_exists {
            let f = Finding::new(
                &POL012,
                ctx.source_id,
                op.key_span,
                "`NullIfExists` is not an operator",
            )
            .aa("NULL_WITH_IF_EXISTS")
            .note("`Null` already tests whether the key exists; IAM rejects `IfExists` on it")
            .help(format!("use `\"{prefix}Null\"`"));
            ctx.report(f);
        }
        return;
    }
    let suffix = if if_exists { "IfExists" } else { "" };
    if let Some(exact) = OPERATORS.iter().find(|o| o.eq_ignore_ascii_case(base)) {
        let f = Finding::new(&POL012, ctx.source_id, op.key_span, format!("condition operator `{name}` should be written `{prefix}{exact}{suffix}`"))
.aa("INVALID_CONDITION_OPERATOR")
            .severity(Severity::Warning)
            .note("condition operators are documented with this exact spelling; other tools treat a different case as unknown")
            .help(format!("rename it to `\"{prefix}{exact}{suffix}\"`"));
        ctx.report(f);
        return;
    }
    let prefix_fix = ["ForAllValues:", "ForAnyValue:"].iter().find(|p| {
        name.to_ascii_lowercase()
            .starts_with(&p.to_ascii_lowercase())
            && !name.starts_with(*p)
    });
    let mut f = Finding::new(
        &POL012,
        ctx.source_id,
        op.key_span,
        format!("unknown condition operator `{name}`"),
    )
    .aa("INVALID_CONDITION_OPERATOR")
    .note("IAM rejects a policy with an unknown condition operator");
    f = if let Some(p) = prefix_fix {
        f.help(format!("write the set operator as `{p}`"))
    } else if let Some(s) = fuzzy::suggest(base, OPERATORS.iter().copied()) {
        f.help(format!("did you mean `{prefix}{s}{suffix}`?"))
    } else {
        f.help("use an IAM condition operator such as `StringEquals`, `StringLike` or `ArnLike`")
    };
    ctx.report(f);
}

fn size(ctx: &mut Ctx) {
    let (limit, what, sev) = match ctx.doc.kind {
        PolicyKind::Identity(IdentityScope::UserInline) => (
            2_048,
            "a user's inline policies (all together)",
            Severity::Error,
        ),
        PolicyKind::Identity(IdentityScope::GroupInline) => (
            5_120,
            "a group's inline policies (all together)",
            Severity::Error,
        ),
        PolicyKind::Identity(IdentityScope::RoleInline) => (
            10_240,
            "a role's inline policies (all together)",
            Severity::Error,
        ),
        PolicyKind::Identity(IdentityScope::Managed) => {
            (6_144, "a customer managed policy", Severity::Warning)
        }
        PolicyKind::Bucket => (20_480, "an S3 bucket policy", Severity::Error),
        PolicyKind::Trust => (
            2_048,
            "a role trust policy (default quota)",
            Severity::Warning,
        ),
        PolicyKind::ServiceControl => (5_120, "a service control policy", Severity::Error),
        PolicyKind::ResourceControl => (5_120, "a resource control policy", Severity::Error),
        PolicyKind::Resource => return,
    };
    if ctx.doc.size > limit {
        let root = &ctx.doc.root;
        let f = Finding::new(&POL016, ctx.source_id, brace(root), format!("the policy has {} characters (whitespace not counted); the limit for {what} is {limit}", ctx.doc.size))
            .severity(sev)
            .aa(match ctx.doc.kind {
                PolicyKind::Identity(_) => "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
                PolicyKind::Trust => "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA",
                PolicyKind::ServiceControl => "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
                PolicyKind::ResourceControl => "POLICY_SIZE_EXCEEDS_RCP_QUOTA",
                PolicyKind::Bucket | PolicyKind::Resource => "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
            })
            .note(match ctx.doc.kind {
                PolicyKind::Trust => "IAM rejects a trust policy over the account's quota (2,048 characters unless raised in Service Quotas, up to 8,192)",
                PolicyKind::ServiceControl | PolicyKind::ResourceControl => "AWS Organizations rejects a policy over 5,120 characters; this counts without whitespace, as the console saves it: through the API or the CLI the whitespace counts too",
                _ => "AWS rejects a policy over its size quota (LimitExceeded)",
            })
            .help("split the policy into several smaller ones, or use wildcards such as `ec2:Describe*` to shorten action lists");
        ctx.report(f);
    }
}
