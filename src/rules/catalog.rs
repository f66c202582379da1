//! IAM001–IAM008: checks against the action catalog (services, actions, resource types,
//! condition keys).

use super::*;
use crate::catalog::{self, Action, Service};
use crate::diagnostic::{Finding, Severity};
use crate::eval::glob;
use crate::fuzzy;
use crate::model::policy::Statement;
use crate::parse::json::Node;
use crate::rules::Ctx;

declare! {
    family "catalog", "actions, resources and condition keys against the IAM catalog";
    IAM001 "unknown-service" Error aa["INVALID_SERVICE", "INVALID_SERVICE_IN_ACTION"] on[Policy] fix[];
    IAM002 "unknown-action" Error aa["INVALID_ACTION"] on[Policy] fix[];
    IAM003 "wildcard-matches-nothing" Error aa["INVALID_ACTION"] on[Policy] fix[];
    IAM004 "resource-type-mismatch" Error aa[] on[Policy] fix[];
    IAM005 "unknown-condition-key" Warning aa["INVALID_GLOBAL_CONDITION_KEY", "INVALID_SERVICE_CONDITION_KEY"] on[Policy] fix[];
    IAM006 "redundant-action" Info aa["REDUNDANT_ACTION"] on[Policy] fix[Safe];
    IAM007 "redundant-resource" Info aa["REDUNDANT_RESOURCE"] on[Policy] fix[Safe];
    IAM008 "pass-role-with-star" Warning aa["PASS_ROLE_WITH_STAR_IN_RESOURCE", "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", "PASS_ROLE_WITH_NOT_RESOURCE", "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION"] on[Policy] fix[];
}

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

/// Service prefixes that AWS's managed policies still name but the Service Authorization
/// Reference no longer lists: services AWS retired or renamed (AWS DeepRacer, Mobile Hub, IoT
/// 1-Click, DeepComposer, DeepLens, Elastic Inference, Sumerian, WorkDocs' `zocalo`, ...).
/// Found by `../shared/corpus/managed-policies` against the catalog.
const RETIRED: &[&str] = &[
    "applicationwizard",
    "builderid",
    "catalog",
    "catalog-admin",
    "catalog-user",
    "crowd",
    "datazonecontrol",
    "deepcomposer",
    "deeplens",
    "deepracer",
    "ec2-reports",
    "elastic-inference",
    "iot1click",
    "iotroborunner",
    "mobilehub",
    "sagemaker-groundtruth-synthetic",
    "sumerian",
    "zocalo",
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

/// The checks of one policy; `work` is what the redundancy checks of its file may still do.
pub fn check(ctx: &mut Ctx, work: &mut Work) {
    let stmts = std::mem::take(&mut ctx.statements);
    let entry_bytes: u64 = stmts
        .iter()
        .flat_map(|s| [s.strings("Action"), s.strings("Resource")])
        .flatten()
        .map(|(v, _)| v.len() as u64)
        .sum();
    work.left = work
        .left
        .saturating_add(entry_bytes.saturating_mul(REDUNDANT_WORK_PER_BYTE));
    work.spent = false;
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
        // the costly comparisons run only for a rule that is on
        if ctx.opts.rules.on(&REDUNDANT_ACTION_RULE) {
            redundant(ctx, stmt, "Action", true, &REDUNDANT_ACTION_RULE, work);
        }
        if ctx.opts.rules.on(&REDUNDANT_RESOURCE_RULE) {
            redundant(ctx, stmt, "Resource", false, &REDUNDANT_RESOURCE_RULE, work);
        }
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
        let at = prefix_span(ctx.source, node, text, prefix);
        if RETIRED.iter().any(|r| r.eq_ignore_ascii_case(prefix)) {
            let f = Finding::new(&IAM001, ctx.source_id, at, format!("the service prefix `{prefix}` is retired"))
                .aa("INVALID_SERVICE_IN_ACTION")
                .severity(Severity::Warning)
                .note(format!("`{prefix}` is no longer in the Service Authorization Reference (catalog {}): AWS retired or renamed the service, though some of its managed policies still name it; the action grants nothing today", catalog::version()))
                .help("remove the action, or check the service's current prefix");
            ctx.report(f);
            return None;
        }
        let mut f = Finding::new(
            &IAM001,
            ctx.source_id,
            at,
            format!("unknown service prefix `{prefix}`"),
        )
        .aa("INVALID_SERVICE_IN_ACTION")
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

/// The service prefix of an action string, where it is written; the whole string when its
/// text is not written literally (a template rendered it).
fn prefix_span(
    source: &crate::source::Source,
    node: &Node,
    text: &str,
    prefix: &str,
) -> crate::source::Span {
    let inner = node.inner_span();
    source.part(inner, text, 0, prefix.len()).unwrap_or(inner)
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
        // `aws:ARN` and a tag key without its tag name are IAM009's, with their own advice
        let lower = key.to_ascii_lowercase();
        if lower == "aws:arn"
            || ["aws:resourcetag", "aws:requesttag", "aws:principaltag"].contains(&lower.as_str())
            || lower.ends_with("tag/")
        {
            continue;
        }
        let (prefix, _) = key.split_once(':').unwrap_or(("", ""));
        // keys of federation providers (`saml:`, `accounts.google.com:`) are no service's
        let provider = prefix.contains(['.', '/']) || prefix.eq_ignore_ascii_case("saml");
        if known_condition_key(key).is_none()
            && !prefix.is_empty()
            && !provider
            && !prefix.contains(['*', '?', '$', '<'])
        {
            if RETIRED.iter().any(|r| r.eq_ignore_ascii_case(prefix)) {
                let f = Finding::new(&IAM001, ctx.source_id, cond.key.key_span, format!("the service prefix `{prefix}` of the condition key `{key}` is retired"))
                    .aa("INVALID_SERVICE")
                    .severity(Severity::Warning)
                    .note(format!("`{prefix}` is no longer in the Service Authorization Reference (catalog {}): AWS retired, renamed or never documented it, though some of its managed policies still name it", catalog::version()))
                    .help("check whether the condition still applies");
                ctx.report(f);
                continue;
            }
            let mut f = Finding::new(&IAM001, ctx.source_id, cond.key.key_span, format!("unknown service prefix `{prefix}` in the condition key `{key}`"))
                .aa("INVALID_SERVICE")
                .note(format!("no AWS service has the prefix `{prefix}` (catalog {}), so no request carries this key: a positive operator never matches and a negated one always does", catalog::version()));
            f = match fuzzy::suggest(prefix, catalog::prefixes()) {
                Some(s) => f.help(format!("did you mean `{s}:{}`?", &key[prefix.len() + 1..])),
                None => f.help("check the key in the Service Authorization Reference"),
            };
            ctx.report(f);
            continue;
        }
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

/// The comparisons the redundancy checks (IAM006/IAM007) may make in one file, in bytes
/// compared: this much to start with, and [`REDUNDANT_WORK_PER_BYTE`] more per byte of the
/// `Action` and `Resource` entries of each policy the file holds. The checks compare only
/// entries that can cover each other (an identical one, or one whose start and end fit a
/// wildcard's literal start and end), so a policy as people write it stays far below; a list
/// made so that each wildcard fits many others would otherwise take a time quadratic in its
/// length. Past the budget a policy's later comparisons are not made, and a note says so.
pub const REDUNDANT_WORK_PER_FILE: u64 = 1 << 26;
pub const REDUNDANT_WORK_PER_BYTE: u64 = 64;

/// What the redundancy checks of one file may still compare (see [`REDUNDANT_WORK_PER_FILE`]).
pub struct Work {
    left: u64,
    /// The budget ran out in the policy being checked: its later statements are not compared.
    spent: bool,
}

impl Default for Work {
    fn default() -> Self {
        Work {
            left: REDUNDANT_WORK_PER_FILE,
            spent: false,
        }
    }
}

/// The work of one comparison of a wildcard with another entry: a `*`-only pattern matches in
/// one pass over both, a pattern with `*` and `?` may try each of its starts.
fn comparison_cost(pattern: &str, text: &str) -> u64 {
    let (p, t) = (pattern.len() as u64, text.len() as u64);
    if pattern.contains('?') && pattern.contains('*') {
        1 + p.saturating_mul(t.max(1))
    } else {
        1 + p + t
    }
}

/// The positions of a sorted list still to look at: [`Alive::next`] skips the removed ones
/// (a union-find over them), so a run is walked in the time of what is left in it.
struct Alive(Vec<u32>);

impl Alive {
    fn new(n: usize) -> Self {
        Alive((0..=n as u32).collect())
    }
    /// The first position at `p` or after that is not removed (the list's length when none).
    fn next(&mut self, mut p: usize) -> usize {
        while self.0[p] as usize != p {
            let up = self.0[self.0[p] as usize];
            self.0[p] = up;
            p = up as usize;
        }
        p
    }
    fn remove(&mut self, p: usize) {
        self.0[p] = p as u32 + 1;
    }
}

/// Some of the entries (the plain ones, or the wildcards) sorted by their text, or by their
/// text read backwards, with the ones not yet covered.
struct Sorted {
    entries: Vec<u32>,
    alive: Alive,
    backwards: bool,
}

impl Sorted {
    fn new(mut entries: Vec<u32>, norm: &[&str], backwards: bool, at: &mut [u32]) -> Self {
        if backwards {
            entries.sort_by(|&a, &b| {
                let (x, y) = (norm[a as usize].as_bytes(), norm[b as usize].as_bytes());
                x.iter().rev().cmp(y.iter().rev()).then(a.cmp(&b))
            });
        }
        for (p, &i) in entries.iter().enumerate() {
            at[i as usize] = p as u32;
        }
        let alive = Alive::new(entries.len());
        Sorted {
            entries,
            alive,
            backwards,
        }
    }
    /// Does the entry at `p` start with `part` (end with it, read backwards)?
    fn fits(&self, norm: &[&str], part: &str, p: usize) -> bool {
        let v = norm[self.entries[p] as usize];
        if self.backwards {
            v.ends_with(part)
        } else {
            v.starts_with(part)
        }
    }
    /// [`Sorted::run`] when the entry at `at` is known to be in it: found from there by steps
    /// that double, near `at` in memory and in the time of the run's logarithm.
    fn run_around(&self, norm: &[&str], part: &str, at: usize) -> std::ops::Range<usize> {
        let fits = |p: usize| self.fits(norm, part, p);
        // the first position that fits, at or before `at`
        let (mut inside, mut step) = (at, 1);
        let mut outside = loop {
            if step > inside {
                break if fits(0) { None } else { Some(0) };
            }
            if fits(inside - step) {
                inside -= step;
                step *= 2;
            } else {
                break Some(inside - step);
            }
        };
        let start = match outside {
            None => 0,
            Some(mut out) => {
                // `out` does not fit, `inside` does
                while out + 1 < inside {
                    let mid = out + (inside - out) / 2;
                    if fits(mid) {
                        inside = mid;
                    } else {
                        out = mid;
                    }
                }
                inside
            }
        };
        // the first position after the run
        let len = self.entries.len();
        let (mut inside, mut step) = (at, 1);
        outside = loop {
            if inside + step >= len {
                break if fits(len - 1) { None } else { Some(len - 1) };
            }
            if fits(inside + step) {
                inside += step;
                step *= 2;
            } else {
                break Some(inside + step);
            }
        };
        let end = match outside {
            None => len,
            Some(mut out) => {
                while inside + 1 < out {
                    let mid = inside + (out - inside) / 2;
                    if fits(mid) {
                        inside = mid;
                    } else {
                        out = mid;
                    }
                }
                out
            }
        };
        start..end
    }
    /// The positions of the entries that start with `part` (end with it, read backwards).
    fn run(&self, norm: &[&str], part: &str) -> std::ops::Range<usize> {
        let part = part.as_bytes();
        let (start, len) = if self.backwards {
            let below = |i: &u32| {
                let v = norm[*i as usize].as_bytes();
                v.iter().rev().lt(part.iter().rev())
            };
            let start = self.entries.partition_point(below);
            let len = self.entries[start..]
                .partition_point(|i| norm[*i as usize].as_bytes().ends_with(part));
            (start, len)
        } else {
            let start = self
                .entries
                .partition_point(|i| norm[*i as usize].as_bytes() < part);
            let len = self.entries[start..]
                .partition_point(|i| norm[*i as usize].as_bytes().starts_with(part));
            (start, len)
        };
        start..start + len
    }
}

/// One of the sorted lists: of plain values (`k` 0) or wildcards (1), forwards or backwards.
fn pick<'a>(
    forwards: &'a mut [Sorted; 2],
    backwards: &'a mut Option<[Sorted; 2]>,
    back: bool,
    k: usize,
) -> &'a mut Sorted {
    match backwards {
        Some(b) if back => &mut b[k],
        _ => &mut forwards[k],
    }
}

/// IAM006/IAM007: an entry already covered by another entry of the same element: a duplicate
/// written before it, else the first wildcard (in the element's order) that covers it. Only an
/// identical entry or a wildcard can cover another, and a wildcard only the entries that start
/// with its literal start and end with its literal end: those are runs of the entries sorted
/// forwards and backwards, and each wildcard walks the shorter run, skipping what is already
/// covered.
fn redundant(
    ctx: &mut Ctx,
    stmt: &Statement,
    key: &str,
    case_insensitive: bool,
    rule: &'static Rule,
    work: &mut Work,
) {
    if work.spent {
        return;
    }
    let values = stmt.strings(key);
    let n = values.len();
    if n < 2 || n >= u32::MAX as usize {
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
    let covered = coverers(&norm, work);
    let mut cut = None;
    if work.spent {
        cut = stmt.get(key);
    }
    // each value's place in the array (the values are its strings, in order): found in one
    // walk, not one search per finding
    let items = stmt.get(key).and_then(Node::as_array).unwrap_or(&[]);
    let mut walk = items.iter().enumerate();
    let places: Vec<Option<usize>> = values
        .iter()
        .map(|(_, node)| {
            walk.by_ref()
                .find(|(_, item)| item.span == node.span)
                .map(|(k, _)| k)
        })
        .collect();
    for (i, (v, node)) in values.iter().enumerate() {
        if let Some(j) = covered[i] {
            let (w, other) = values[j as usize];
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
            let f = match places[i].and_then(|k| removal(items, k)) {
                Some(span) => f.fix(format!("remove `\"{v}\"`"), span, ""),
                None => f,
            };
            ctx.report(f);
        }
    }
    if let Some(element) = cut {
        let what = if key == "Action" {
            "actions"
        } else {
            "resources"
        };
        let f = Finding::new(
            rule,
            ctx.source_id,
            element.span,
            format!("the check for redundant {what} stopped at this statement"),
        )
        .note(format!(
            "its {n} entries hold wildcards that fit many other entries, and comparing them all would go past what finops-lint compares in one file ({} MiB, and {REDUNDANT_WORK_PER_BYTE} bytes more per byte of its policies' entries): the redundant entries of this statement and of the policy's later statements may not all be reported",
            REDUNDANT_WORK_PER_FILE >> 20
        ))
        .help("split the list, or replace the wildcards that overlap by fewer, broader ones");
        ctx.report(f);
    }
}

/// What covers each of the values (lower-case for actions): the index of a duplicate written
/// before it, else of the first wildcard (in their order) that covers it. Stops, with
/// `work.spent`, when the comparisons would go past the budget.
fn coverers(norm: &[&str], work: &mut Work) -> Vec<Option<u32>> {
    let n = norm.len();
    // where each value's first wildcard is
    let wild: Vec<Option<usize>> = norm
        .iter()
        .map(|v| memchr::memchr2(b'*', b'?', v.as_bytes()))
        .collect();
    // the values in sorted order: equal ones are neighbours
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|&a, &b| norm[a as usize].cmp(norm[b as usize]).then(a.cmp(&b)));
    // what covers each value: first a duplicate written before it, else the first wildcard
    let mut covered: Vec<Option<u32>> = vec![None; n];
    for w in order.windows(2) {
        if norm[w[0] as usize] == norm[w[1] as usize] {
            covered[w[1] as usize] = covered[w[0] as usize].or(Some(w[0]));
        }
    }
    if wild.iter().any(Option::is_some) {
        let (plain, wildcards): (Vec<u32>, Vec<u32>) =
            order.iter().partition(|&&i| wild[i as usize].is_none());
        drop(order);
        // each value's position in the lists of its kind, forwards and backwards
        let mut at_forwards = vec![0u32; n];
        let mut at_backwards = vec![0u32; n];
        // [plain, wildcards], forwards; the backward lists are made when a wildcard needs them
        let mut forwards = [
            Sorted::new(plain, norm, false, &mut at_forwards),
            Sorted::new(wildcards, norm, false, &mut at_forwards),
        ];
        let mut backwards: Option<[Sorted; 2]> = None;
        let kind = |i: usize| usize::from(wild[i].is_some());
        for i in 0..n {
            if covered[i].is_some() {
                forwards[kind(i)].alive.remove(at_forwards[i] as usize);
            }
        }
        let wildcard_order: Vec<u32> = (0..n as u32)
            .filter(|&j| wild[j as usize].is_some())
            .collect();
        'wildcards: for j in wildcard_order {
            let j = j as usize;
            let (w, star) = (norm[j], wild[j].unwrap_or(0));
            let literal = &w[..star];
            // `ec2:Describe*`, the usual form, covers every plain value that starts like it
            let trailing_star = w.len() == star + 1 && w.ends_with('*');
            // the literal end, after the last wildcard
            let end = w.rfind(['*', '?']).map(|last| &w[last + 1..]).unwrap_or("");
            if !trailing_star && !end.is_empty() && backwards.is_none() {
                let mut lists = [Vec::new(), Vec::new()];
                for i in 0..n {
                    lists[kind(i)].push(i as u32);
                }
                let [p, wl] = lists;
                let mut made = [
                    Sorted::new(p, norm, true, &mut at_backwards),
                    Sorted::new(wl, norm, true, &mut at_backwards),
                ];
                for i in 0..n {
                    if covered[i].is_some() {
                        made[kind(i)].alive.remove(at_backwards[i] as usize);
                    }
                }
                backwards = Some(made);
            }
            for k in 0..2 {
                if forwards[k].entries.is_empty() {
                    continue;
                }
                // the wildcard is in the runs of its own list: they are found from its place
                let ahead = if k == 1 {
                    forwards[k].run_around(norm, literal, at_forwards[j] as usize)
                } else {
                    forwards[k].run(norm, literal)
                };
                // the shorter of the two runs the covered values are in
                let from_end = match &backwards {
                    Some(b) if !trailing_star && !end.is_empty() => {
                        let r = if k == 1 {
                            b[k].run_around(norm, end, at_backwards[j] as usize)
                        } else {
                            b[k].run(norm, end)
                        };
                        (r.len() < ahead.len()).then_some(r)
                    }
                    _ => None,
                };
                let back = from_end.is_some();
                let run = from_end.unwrap_or(ahead);
                let mut p = pick(&mut forwards, &mut backwards, back, k)
                    .alive
                    .next(run.start);
                while p < run.end {
                    let i = pick(&mut forwards, &mut backwards, back, k).entries[p] as usize;
                    let v = norm[i];
                    let covers = if i == j {
                        false
                    } else if trailing_star && (k == 0 || j < i) {
                        // `x*` matches every text that starts with `x`, and a later wildcard
                        // that starts like it is one of them
                        true
                    } else {
                        let cost =
                            comparison_cost(w, v) + if k == 1 { comparison_cost(v, w) } else { 0 };
                        if cost > work.left {
                            work.spent = true;
                            break 'wildcards;
                        }
                        work.left -= cost;
                        v.starts_with(literal)
                            && v.ends_with(end)
                            && glob(w, v, false)
                            && (k == 0 || !glob(v, w, false) || j < i)
                    };
                    if covers {
                        covered[i] = Some(j as u32);
                        forwards[k].alive.remove(at_forwards[i] as usize);
                        if let Some(b) = &mut backwards {
                            b[k].alive.remove(at_backwards[i] as usize);
                        }
                    }
                    p = pick(&mut forwards, &mut backwards, back, k)
                        .alive
                        .next(p + 1);
                }
            }
        }
    }
    covered
}

/// The text to delete to remove item `i` from its array, with its comma.
fn removal(items: &[Node], i: usize) -> Option<crate::source::Span> {
    let node = items.get(i)?;
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

/// IAM008: `iam:PassRole` allowed on every role (`*`, `NotResource`, a wildcard action or
/// `NotAction`) without `iam:PassedToService`.
static PASS_ROLE: crate::rules::analyzer::sensitive::Sensitive =
    crate::rules::analyzer::sensitive::Sensitive {
        action: "iam:PassRole",
        limiting: &["iam:PassedToService", "iam:AssociatedResourceArn"],
        rule: &IAM008,
        codes: [
            "PASS_ROLE_WITH_STAR_IN_RESOURCE",
            "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
            "PASS_ROLE_WITH_NOT_RESOURCE",
            "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
            "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE",
            "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION",
        ],
        note: "with `iam:PassRole` on every role, the user can hand any role (an administrator's too) to a service and act with its permissions",
        help: "limit `iam:PassRole` to the roles the user must pass, for example `arn:aws:iam::<account-id>:role/finops-*`, and add an `iam:PassedToService` condition",
    };

fn pass_role(ctx: &mut Ctx, stmt: &Statement) {
    crate::rules::analyzer::sensitive::broad(ctx, stmt, &PASS_ROLE);
}

#[cfg(test)]
mod tests {
    use super::{coverers, Work, REDUNDANT_WORK_PER_BYTE, REDUNDANT_WORK_PER_FILE};
    use crate::eval::glob;

    /// The definition: each value against every wildcard, in the element's order.
    fn every_pair(norm: &[&str]) -> Vec<Option<u32>> {
        let n = norm.len();
        let mut covered: Vec<Option<u32>> = vec![None; n];
        for i in 0..n {
            covered[i] = (0..i).find(|&d| norm[d] == norm[i]).map(|d| d as u32);
        }
        for j in 0..n {
            let w = norm[j];
            let Some(star) = w.find(['*', '?']) else {
                continue;
            };
            let trailing_star = w.len() == star + 1 && w.ends_with('*');
            for i in 0..n {
                let v = norm[i];
                if i == j || covered[i].is_some() || !v.starts_with(&w[..star]) {
                    continue;
                }
                let plain = !v.contains(['*', '?']);
                if (trailing_star && plain) || (glob(w, v, false) && (!glob(v, w, false) || j < i))
                {
                    covered[i] = Some(j as u32);
                }
            }
        }
        covered
    }

    #[test]
    fn the_sorted_runs_find_what_every_pair_finds() {
        // small lists over a small alphabet, so that wildcards overlap in every way
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        for round in 0..20_300 {
            // mostly short lists; the last 300 long ones, with long runs to walk and skip
            let n = if round < 20_000 {
                2 + next(9) as usize
            } else {
                50 + next(150) as usize
            };
            let values: Vec<String> = (0..n)
                .map(|_| {
                    (0..next(6))
                        .map(|_| ['a', 'b', '*', '?', 'a', 'b', '/'][next(7) as usize])
                        .collect()
                })
                .collect();
            let norm: Vec<&str> = values.iter().map(String::as_str).collect();
            let mut work = Work {
                left: u64::MAX,
                spent: false,
            };
            assert_eq!(coverers(&norm, &mut work), every_pair(&norm), "{norm:?}");
        }
    }

    #[test]
    fn the_redundancy_checks_of_rules_that_are_off_are_not_run() {
        use crate::context::Options;
        use crate::diagnostic::Selection;
        use crate::source::Source;
        let actions: Vec<String> = (0..300).map(|i| format!("\"s3:Get*{i}\"")).collect();
        let resources: Vec<String> = (0..300)
            .map(|i| format!("\"arn:aws:s3:::b*{i}\""))
            .collect();
        let text = format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[{}],\"Resource\":[{}]}}]}}",
            actions.join(","),
            resources.join(",")
        );
        let source = Source::new("p.json", text);
        let parsed = crate::parse::json::parse_file(&source.text, None);
        let root = parsed.root.unwrap();
        let content = crate::model::classify(&source, root, &mut Vec::new(), None);
        let crate::model::Content::Policy(doc) = content else {
            panic!("not a policy")
        };
        let spent = |rules: Selection| {
            let opts = Options {
                rules,
                ..Default::default()
            };
            let mut work = Work::default();
            let mut ctx = crate::rules::Ctx {
                source: &source,
                source_id: 0,
                doc: &doc,
                opts: &opts,
                statements: crate::model::policy::statements(&doc.root),
                findings: Vec::new(),
            };
            super::check(&mut ctx, &mut work);
            // the budget: the file's, and the policy's credit for its entries' bytes
            let bytes: u64 = actions
                .iter()
                .chain(&resources)
                .map(|a| a.len() as u64 - 2)
                .sum();
            REDUNDANT_WORK_PER_FILE + bytes * REDUNDANT_WORK_PER_BYTE - work.left
        };
        assert!(spent(Selection::default()) > 0);
        assert_eq!(
            spent(Selection::without([&super::IAM006, &super::IAM007])),
            0
        );
        // one of the two on: only its comparisons run
        let one = spent(Selection::without([&super::IAM007]));
        assert!(one > 0 && one < spent(Selection::default()));
    }

    #[test]
    fn past_the_budget_the_comparisons_stop() {
        let values: Vec<String> = (0..2_000).map(|i| format!("a*{i}*")).collect();
        let norm: Vec<&str> = values.iter().map(String::as_str).collect();
        let mut work = Work {
            left: 10_000,
            spent: false,
        };
        let covered = coverers(&norm, &mut work);
        assert!(work.spent);
        // what was found before the stop is right
        let all = every_pair(&norm);
        for (i, c) in covered.iter().enumerate() {
            if c.is_some() {
                assert_eq!(*c, all[i]);
            }
        }
    }
}
