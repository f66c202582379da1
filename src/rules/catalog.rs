//! IAM001–IAM008: checks against the action catalog (services, actions, resource types,
//! condition keys).

use super::*;
use crate::catalog::{self, Action, Service};
use crate::diagnostic::{Finding, Severity};
use crate::engine::Ctx;
use crate::eval::glob;
use crate::fuzzy;
use crate::model::policy::Statement;
use crate::parse::json::Node;

/// Global condition keys (AWS IAM User Guide, "AWS global condition context keys"); a trailing
/// `/` means a tag-style key with a name after it.
pub const GLOBAL_KEYS: &[&str] = &[
    "aws:AssumedRoot",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:ChatbotSourceArn",
    "aws:CurrentTime",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:Ec2InstanceSourceVpc",
    "aws:EpochTime",
    "aws:FederatedProvider",
    "aws:IsMcpServiceAction",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgMasterAccountId",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalTag/",
    "aws:PrincipalType",
    "aws:Referer",
    "aws:RequestedRegion",
    "aws:RequestTag/",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceTag/",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIdentity",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceOwner",
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:TagKeys",
    "aws:TokenIssueTime",
    "aws:UserAgent",
    "aws:userid",
    "aws:username",
    "aws:ViaAWSService",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:VpcSourceIp",
];

/// Services whose resource types the onboarding depends on and whose model was checked.
const VERIFIED_SERVICES: &[&str] = &["s3", "cur", "bcm-data-exports"];

/// The actions of a service that a pattern (`s3:Get*`) names.
/// The actions of a service that a pattern (`s3:Get*`) names, in catalog order.
pub fn expand<'a>(
    service: &'static Service,
    name_pattern: &'a str,
) -> impl Iterator<Item = &'static Action> + 'a {
    // only the actions that start with the pattern's literal prefix can match: a run of the
    // sorted list
    let star = memchr::memchr2(b'*', b'?', name_pattern.as_bytes()).unwrap_or(name_pattern.len());
    let literal = &name_pattern[..star];
    let run = service.actions_starting_with(&literal.to_ascii_lowercase());
    // `ec2:Describe*`, the usual form: the whole run
    let whole = name_pattern.len() == literal.len() + 1 && name_pattern.ends_with('*');
    run.iter()
        .filter(move |a| whole || glob(name_pattern, a.name(), true))
}

pub fn check(ctx: &mut Ctx) {
    let stmts = std::mem::take(&mut ctx.statements);
    for stmt in &stmts {
        // the entries of `Action` that name one action of the catalog
        let mut resolved: Vec<(&Node, &'static Service, &'static Action)> = Vec::new();
        for key in ["Action", "NotAction"] {
            for (a, node) in stmt.strings(key) {
                if let Some((service, Some(one))) = action(ctx, node, a) {
                    if key == "Action" {
                        resolved.push((node, service, one));
                    }
                }
            }
        }
        resource_types(ctx, stmt, &resolved);
        condition_keys(ctx, stmt);
        redundant(ctx, stmt, "Action", true, &REDUNDANT_ACTION_RULE);
        redundant(ctx, stmt, "Resource", false, &REDUNDANT_RESOURCE_RULE);
        pass_role(ctx, stmt);
    }
    ctx.statements = stmts;
}

// Aliases keep the registry's names readable here.
use self::IAM006 as REDUNDANT_ACTION_RULE;
use self::IAM007 as REDUNDANT_RESOURCE_RULE;

/// IAM001–IAM003 for one action string; returns its service and, when it names exactly one
/// action, that action.
fn action(
    ctx: &mut Ctx,
    node: &Node,
    text: &str,
) -> Option<(&'static Service, Option<&'static Action>)> {
    if text == "*" || !crate::syntax::is_action(text) {
        return None;
    }
    let (prefix, name) = text.split_once(':')?;
    if prefix.contains(['*', '?']) {
        return None;
    }
    let Some(service) = catalog::service(prefix) else {
        let mut f = Finding::new(
            &IAM001,
            ctx.source_id,
            prefix_span(node, prefix),
            format!("unknown service prefix `{prefix}`"),
        )
        .note(format!(
            "no AWS service has the prefix `{prefix}` (catalog {}), so the action matches nothing",
            catalog::version()
        ));
        f = match fuzzy::suggest(prefix, catalog::prefixes()) {
            Some(s) => f.help(format!("did you mean `{s}:{name}`?")),
            None => f.help("check the service prefix in the Service Authorization Reference"),
        };
        ctx.report(f);
        return None;
    };
    if name.contains(['*', '?']) {
        let mut matched = expand(service, name);
        let first = matched.next();
        if first.is_none() {
            let f = Finding::new(
                &IAM003,
                ctx.source_id,
                node.inner_span(),
                format!("`{text}` matches no action of {}", service.name()),
            )
            .note("a wildcard that matches no action grants nothing")
            .help(
                match fuzzy::suggest(
                    name.trim_end_matches('*'),
                    service.actions().iter().map(|a| a.name()),
                ) {
                    Some(s) => format!("did you mean `{prefix}:{s}`?"),
                    None => format!(
                        "check the actions of `{prefix}` in the Service Authorization Reference"
                    ),
                },
            );
            ctx.report(f);
        }
        return Some((service, first.filter(|_| matched.next().is_none())));
    }
    match service.action(name) {
        Some(a) => Some((service, Some(a))),
        None => {
            let mut f = Finding::new(&IAM002, ctx.source_id, node.inner_span(), format!("unknown action `{text}`"))
                .note(format!("{} has no action `{name}` (catalog {}); IAM accepts the policy but the entry grants nothing", service.name(), catalog::version()));
            // A near name is a typo, and an S3 API operation is not an action: errors. An
            // unknown name near nothing may be newer than the catalog or undocumented (AWS's
            // own policies grant such actions): a warning, as a stale catalog must not fail a
            // build.
            f = match (
                api_operation(prefix, name),
                fuzzy::suggest(name, service.actions().iter().map(|a| a.name())),
            ) {
                (Some(needs), _) => f
                    .note(format!("`{text}` is an API operation, not an IAM action; AWS authorizes it with {needs}"))
                    .help(format!("grant {needs} instead")),
                (None, Some(s)) => f.help(format!("did you mean `{prefix}:{s}`?")),
                (None, None) => f
                    .severity(Severity::Warning)
                    .note(format!("{} has no action `{name}` in the catalog ({}); no documented action is close to it, so it may be newer than the catalog or undocumented, and IAM grants it if it exists", service.name(), catalog::version()))
                    .help(format!(
                        "check the actions of `{prefix}` in the Service Authorization Reference, and update finops-lint if the action is new"
                    )),
            };
            ctx.report(f);
            None
        }
    }
}

/// S3 API operations written as actions, with the actions AWS authorizes them with (Amazon S3
/// API Reference, each operation's permissions).
fn api_operation(prefix: &str, name: &str) -> Option<&'static str> {
    if !prefix.eq_ignore_ascii_case("s3") {
        return None;
    }
    const OPERATIONS: &[(&str, &str)] = &[
        ("HeadBucket", "`s3:ListBucket`"),
        ("ListObjects", "`s3:ListBucket`"),
        ("ListObjectsV2", "`s3:ListBucket`"),
        ("ListObjectVersions", "`s3:ListBucketVersions`"),
        ("ListBuckets", "`s3:ListAllMyBuckets`"),
        ("HeadObject", "`s3:GetObject`"),
        (
            "CopyObject",
            "`s3:GetObject` on the source and `s3:PutObject` on the destination",
        ),
        ("CreateMultipartUpload", "`s3:PutObject`"),
        ("UploadPart", "`s3:PutObject`"),
        ("CompleteMultipartUpload", "`s3:PutObject`"),
        ("DeleteObjects", "`s3:DeleteObject`"),
    ];
    OPERATIONS
        .iter()
        .find(|(op, _)| op.eq_ignore_ascii_case(name))
        .map(|(_, needs)| *needs)
}

fn prefix_span(node: &Node, prefix: &str) -> crate::source::Span {
    let inner = node.inner_span();
    if inner.len() > prefix.len() {
        crate::source::Span::new(inner.start, inner.start + prefix.len())
    } else {
        inner
    }
}

/// IAM004: a concrete action whose resource types no resource of the statement can name.
fn resource_types(
    ctx: &mut Ctx,
    stmt: &Statement,
    resolved: &[(&Node, &'static Service, &'static Action)],
) {
    if stmt.get("Resource").is_none() {
        return;
    }
    let resources = stmt.strings("Resource");
    // a malformed resource is reported by VAL003–VAL005; judging types on it would repeat that
    let malformed = resources.iter().any(|(r, _)| {
        crate::rules::values::resource_shape(r) != crate::rules::values::ResourceShape::Fine
    });
    if resources.is_empty()
        || malformed
        || resources.iter().any(|(r, _)| r.chars().all(|c| c == '*'))
    {
        return;
    }
    // in the billing delivery statement, BP002/BP003 report these two with the delivery's context
    let delivery = ctx.doc.kind == crate::model::PolicyKind::Bucket
        && crate::rules::values::is_delivery_statement(stmt);
    // whether a resource type's ARN template may match a resource of the statement: many
    // actions share their types (an S3 statement's object actions), so each pair is matched once
    let mut matched: Vec<((*const crate::catalog::ResourceType, usize), bool)> = Vec::new();
    for &(node, service, action) in resolved {
        let text = format!("{}:{}", service.prefix(), action.name());
        if delivery && (text == "s3:PutObject" || text == "s3:GetBucketPolicy") {
            continue;
        }
        let mut fits = |ri: usize, r: &str| {
            action
                .resource_types()
                .iter()
                .filter_map(|&i| service.resource_type(i))
                .any(|t| {
                    let key = (t as *const crate::catalog::ResourceType, ri);
                    match matched.iter().find(|(k, _)| *k == key) {
                        Some((_, m)) => *m,
                        None => {
                            let m = t.arn().may_match(r);
                            matched.push((key, m));
                            m
                        }
                    }
                })
        };
        // An action without resource types is documented with `"Resource": "*"`, yet AWS's own
        // policies grant such actions on ARNs of their own service: only a resource of another
        // service is certainly wrong.
        let fits_star_only = |r: &str| {
            let svc = r.split(':').nth(2).unwrap_or("*");
            svc.contains(['*', '?'])
                || svc.is_empty()
                || services_of(service)
                    .iter()
                    .any(|s| svc.starts_with(s) || s.starts_with(svc))
        };
        let mut ok = |ri: usize, r: &str| {
            r.contains("${")
                || crate::syntax::find_placeholder(r).is_some()
                || !r.starts_with("arn:")
                || if action.resource_types().is_empty() {
                    fits_star_only(r)
                } else {
                    fits(ri, r)
                }
        };
        if resources.iter().enumerate().any(|(ri, (r, _))| ok(ri, r)) {
            continue;
        }
        let (note, help) = if action.resource_types().is_empty() {
            (
                format!("`{text}` does not support resource-level permissions, and the statement names only resources of other services"),
                format!("put `{text}` in a statement with `\"Resource\": \"*\"`"),
            )
        } else {
            let types: Vec<&str> = action
                .resource_types()
                .iter()
                .filter_map(|&i| service.resource_type(i))
                .map(|t| t.name())
                .collect();
            // the simplest template (fewest variables) reads best: `arn:${Partition}:s3:::${BucketName}`
            let example = action
                .resource_types()
                .iter()
                .filter_map(|&i| service.resource_type(i))
                .map(|t| t.arn().text)
                .min_by_key(|t| t.matches("${").count())
                .unwrap_or("");
            let fix = suggest_resource(&resources, &types);
            (
                format!("`{text}` applies to {} (`{example}`), and no resource of this statement is one", types.join(", ")),
                match fix {
                    Some(f) => format!("use `\"{f}\"` for `{text}` (in its own statement if the others need the current resources)"),
                    None => format!("add a resource of the right type for `{text}`, or move it to a statement that has one"),
                },
            )
        };
        // The resource model of the onboarding's services (S3, CUR, Data Exports) is verified:
        // an error there. Elsewhere the catalog may lag behind what a service checks, and for
        // actions it lists as `*`-only services grant some on their own ARNs [UNVERIFIED per
        // service]: a warning.
        let verified = VERIFIED_SERVICES.contains(&service.prefix());
        // A wildcard bucket name (`arn:aws:s3:::*/logs/*`) is a broad, generic statement, not
        // the onboarding's one billing bucket; AWS's own managed policies have such entries and
        // Access Analyzer does not report them: a warning.
        let wildcard_bucket = service.prefix() == "s3"
            && resources.iter().all(|(r, _)| {
                r.strip_prefix("arn:aws:s3:::")
                    .is_none_or(|rest| rest.split('/').next().unwrap_or("").contains(['*', '?']))
            });
        let sev =
            if stmt.is_deny() || action.resource_types().is_empty() || !verified || wildcard_bucket
            {
                Severity::Warning
            } else {
                Severity::Error
            };
        let first = resources.first().map(|(_, n)| n.span).unwrap_or(node.span);
        let f = Finding::new(
            &IAM004,
            ctx.source_id,
            node.inner_span(),
            format!(
                "`{text}` is never granted by {}: its resources are of the wrong type",
                stmt.label()
            ),
        )
        .severity(sev)
        .label(first, "the statement's resources")
        .note(note)
        .help(help);
        ctx.report(f);
    }
}

/// The ARN service names a service's resource types use (`s3`, `s3-object-lambda` for `s3`).
fn services_of(service: &Service) -> Vec<&str> {
    let mut v: Vec<&str> = service
        .resource_types()
        .iter()
        .filter_map(|t| t.arn().text.split(':').nth(2))
        .collect();
    v.push(service.prefix());
    v
}

/// The S3 bucket/object correction, the most common mismatch.
fn suggest_resource(resources: &[(&str, &Node)], types: &[&str]) -> Option<String> {
    let (r, _) = resources.first()?;
    let s3 = r.strip_prefix("arn:aws:s3:::")?;
    if types.contains(&"object") && !s3.contains('/') {
        return Some(format!("{r}/*"));
    }
    if types.contains(&"bucket") && s3.contains('/') {
        return Some(format!(
            "arn:aws:s3:::{}",
            s3.split('/').next().unwrap_or(s3)
        ));
    }
    None
}

/// Is `key` defined by the catalog (or global)? Keys with a name part (`aws:ResourceTag/Team`,
/// `s3:ExistingObjectTag/<key>`) match their template's fixed part.
pub fn known_condition_key(key: &str) -> Option<bool> {
    let (prefix, _) = key.split_once(':')?;
    if prefix.eq_ignore_ascii_case("aws") {
        return Some(GLOBAL_KEYS.iter().any(|g| {
            if g.ends_with('/') {
                key.len() >= g.len() && key.as_bytes()[..g.len()].eq_ignore_ascii_case(g.as_bytes())
            } else {
                key.eq_ignore_ascii_case(g)
            }
        }));
    }
    let service = catalog::service(prefix)?;
    let lower = key.to_ascii_lowercase();
    // service-specific tag keys (`secretsmanager:ResourceTag/Team`) predate the global ones
    let name = &lower[prefix.len() + 1..];
    if name.starts_with("resourcetag/") || name.starts_with("requesttag/") || name == "tagkeys" {
        return Some(true);
    }
    Some(service.defines_key(&lower))
}

/// IAM005: a condition key no service defines.
fn condition_keys(ctx: &mut Ctx, stmt: &Statement) {
    for cond in stmt.conditions() {
        let key = cond.key.key.as_str();
        if known_condition_key(key) == Some(false) {
            let (prefix, _) = key.split_once(':').unwrap_or((key, ""));
            let candidates: Vec<String> = if prefix.eq_ignore_ascii_case("aws") {
                GLOBAL_KEYS
                    .iter()
                    .map(|g| g.trim_end_matches('/').to_string())
                    .collect()
            } else {
                catalog::service(prefix)
                    .map(|s| {
                        s.condition_keys()
                            .iter()
                            .map(|k| k.name().to_string())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let suggestion =
                fuzzy::suggest(key, candidates.iter().map(String::as_str)).map(|s| s.to_string());
            let global = prefix.eq_ignore_ascii_case("aws");
            let mut f = Finding::new(&IAM005, ctx.source_id, cond.key.key_span, format!("unknown condition key `{key}`"))
                .aa(if global { "INVALID_GLOBAL_CONDITION_KEY" } else { "INVALID_SERVICE_CONDITION_KEY" })
                .note(format!(
                    "no request carries this key (catalog {}), so a positive operator never matches and a negated one always does",
                    catalog::version()
                ));
            f = match suggestion {
                Some(s) => f.help(format!(
                    "did you mean `{}`?",
                    original_case(&s, &candidates)
                )),
                None => f.help("check the key in the Service Authorization Reference"),
            };
            ctx.report(f);
        }
    }
}

fn original_case(s: &str, candidates: &[String]) -> String {
    candidates
        .iter()
        .find(|c| c.eq_ignore_ascii_case(s))
        .cloned()
        .unwrap_or_else(|| s.to_string())
}

/// IAM006/IAM007: an entry already covered by another entry of the same element. Only an
/// identical entry or one with a wildcard can cover another, so the others are not compared.
fn redundant(
    ctx: &mut Ctx,
    stmt: &Statement,
    key: &str,
    case_insensitive: bool,
    rule: &'static Rule,
) {
    let values = stmt.strings(key);
    let n = values.len();
    if n < 2 {
        return;
    }
    // compared as IAM compares them (actions without regard to case): the lower-case values in
    // one buffer, one allocation for the statement
    let mut buffer = String::new();
    if case_insensitive {
        buffer.reserve(values.iter().map(|(v, _)| v.len()).sum());
        values.iter().for_each(|(v, _)| buffer.push_str(v));
        buffer.make_ascii_lowercase();
    }
    let mut at = 0;
    let norm: Vec<&str> = values
        .iter()
        .map(|(v, _)| {
            if case_insensitive {
                at += v.len();
                &buffer[at - v.len()..at]
            } else {
                v
            }
        })
        .collect();
    // the values in sorted order: equal ones are neighbours, and the values a wildcard can
    // match (those that start with its literal prefix) are a run
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| norm[a].cmp(norm[b]).then(a.cmp(&b)));
    // what covers each value: first a duplicate written before it, else the first wildcard
    let mut covered: Vec<Option<usize>> = vec![None; n];
    for w in order.windows(2) {
        if norm[w[0]] == norm[w[1]] {
            covered[w[1]] = covered[w[0]].or(Some(w[0]));
        }
    }
    for j in 0..n {
        let w = values[j].0;
        let Some(star) = memchr::memchr2(b'*', b'?', w.as_bytes()) else {
            continue;
        };
        let literal = &norm[j][..star];
        // `ec2:Describe*`, the usual form, covers every plain value that starts like it
        let trailing_star = w.len() == star + 1 && w.ends_with('*');
        let start = order.partition_point(|&i| norm[i] < literal);
        for &i in order[start..]
            .iter()
            .take_while(|&&i| norm[i].starts_with(literal))
        {
            let v = values[i].0;
            if i == j || covered[i].is_some() {
                continue;
            }
            let plain = memchr::memchr2(b'*', b'?', v.as_bytes()).is_none();
            if (trailing_star && plain)
                || (glob(w, v, case_insensitive) && (!glob(v, w, case_insensitive) || j < i))
            {
                covered[i] = Some(j);
            }
        }
    }
    for (i, (v, node)) in values.iter().enumerate() {
        if let Some(j) = covered[i] {
            let (w, other) = values[j];
            let what = if key == "Action" {
                "action"
            } else {
                "resource"
            };
            let f = Finding::new(
                rule,
                ctx.source_id,
                node.inner_span(),
                format!("{what} `{v}` is already covered by `{w}`"),
            )
            .label(other.inner_span(), "covers it")
            .note(format!(
                "a redundant {what} makes the policy longer without changing it"
            ))
            .help(format!("remove `\"{v}\"`"));
            let f = match removal(stmt, key, node) {
                Some(span) => f.fix(format!("remove `\"{v}\"`"), span, ""),
                None => f,
            };
            ctx.report(f);
        }
    }
}

/// The text to delete to remove `node` from the array of `key`, with its comma.
fn removal(stmt: &Statement, key: &str, node: &Node) -> Option<crate::source::Span> {
    let items = stmt.get(key)?.as_array()?;
    let i = items.iter().position(|n| n.span == node.span)?;
    if i > 0 {
        Some(crate::source::Span::new(
            items[i - 1].span.end,
            node.span.end,
        ))
    } else {
        items
            .get(1)
            .map(|next| crate::source::Span::new(node.span.start, next.span.start))
    }
}

/// IAM008: `iam:PassRole` allowed on every role.
fn pass_role(ctx: &mut Ctx, stmt: &Statement) {
    if !stmt.is_allow() || stmt.get("Resource").is_none() {
        return;
    }
    let star = stmt.strings("Resource").into_iter().any(|(r, _)| r == "*");
    // a condition on the service or resource the role is passed to already limits it
    let limited = stmt
        .conditions()
        .iter()
        .any(|c| c.key_is("iam:PassedToService") || c.key_is("iam:AssociatedResourceArn"));
    if !star || limited {
        return;
    }
    for (a, node) in stmt.strings("Action") {
        if glob(a, "iam:PassRole", true) {
            let broad = a == "*" || a.eq_ignore_ascii_case("iam:*");
            let f = Finding::new(&IAM008, ctx.source_id, node.inner_span(), format!("`{a}` allows passing any role (`\"Resource\": \"*\"`)"))
                .aa(if broad { "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE" } else { "PASS_ROLE_WITH_STAR_IN_RESOURCE" })
                .note("with `iam:PassRole` on every role, the user can hand any role (an administrator's too) to a service and act with its permissions")
                .help("limit `iam:PassRole` to the roles the user must pass, for example `arn:aws:iam::<account-id>:role/finops-*`, and add an `iam:PassedToService` condition");
            ctx.report(f);
            return;
        }
    }
}
