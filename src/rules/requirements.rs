//! Onboarding requirement profiles (`rules/profiles/`): what the FinOps platform calls per
//! scenario, checked against the run's policies with the offline evaluator, and turned into
//! least-privilege policies by `generate`.

use crate::context::{ExportType, Options, Scenario};
use crate::diagnostic::FileReport;
use crate::diagnostic::{Finding, Severity};
use crate::eval::{self, Decision, PolicyRef, PolicyType, Principal, RequestContext, SimRequest};
use crate::model::{PolicyDoc, PolicyKind};
use crate::rules;
use crate::source::{Source, Span};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

declare! {
    family "requirements", "the policies grant what the onboarding scenario needs";
    REQ001 "missing-permission" Error aa[] on[Run] fix[Safe];
    REQ002 "permission-denied" Error aa[] on[Run] fix[];
    REQ003 "delivery-refused" Error aa[] on[Run] fix[];
}

const PROFILES: &[(&str, &str)] = &[
    (
        "discover-resources",
        include_str!("../../rules/profiles/discover-resources.json"),
    ),
    (
        "root-existing-export",
        include_str!("../../rules/profiles/root-existing-export.json"),
    ),
    (
        "root-create-export",
        include_str!("../../rules/profiles/root-create-export.json"),
    ),
    ("linked", include_str!("../../rules/profiles/linked.json")),
];

/// The scenarios a user can name (the Discover Resources set is part of each).

#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    pub name: String,
    pub description: String,
    pub source: String,
    #[serde(default)]
    pub includes: Vec<String>,
    #[serde(default)]
    pub delivery: bool,
    pub requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Requirement {
    pub group: String,
    pub action: String,
    pub resource: String,
    pub severity: String,
    pub why: String,
    pub call: String,
    #[serde(default)]
    pub export_types: Vec<String>,
    /// The Sid of the guides' statement that grants it (`BucketOperations`, `GetObject`, ...).
    #[serde(default)]
    pub statement: Option<String>,
}

impl Requirement {
    fn applies_to(&self, export: ExportType) -> bool {
        self.export_types.is_empty() || self.export_types.iter().any(|t| t == export.as_str())
    }
    pub fn severity(&self) -> Severity {
        self.severity.parse().unwrap_or(Severity::Error)
    }
}

fn profile(name: &str) -> Result<Profile, String> {
    let text = PROFILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| format!("unknown requirement profile `{name}`"))?;
    serde_json::from_str(text).map_err(|e| format!("rules/profiles/{name}.json: {e}"))
}

/// The scenario's requirements for the export type, includes first: OptScale's profiles
/// (`rules/profiles/`) without a platform or for OptScale, else the platform profile's scenario.
pub fn requirements(
    platform: Option<&crate::platform::Profile>,
    scenario: Scenario,
    export: ExportType,
) -> Result<(Profile, Vec<Requirement>), String> {
    if let Some(pl) = platform.filter(|p| p.name != "optscale") {
        let Some(spec) = pl.scenarios.get(scenario.as_str()) else {
            return Err(format!(
                "{} has no `{scenario}` scenario (its profile has {})",
                pl.title,
                pl.scenarios.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        };
        let reqs: Vec<Requirement> = spec
            .requirements
            .iter()
            .map(|r| serde_json::from_value(r.clone()))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("rules/platforms/{}.json, `{scenario}`: {e}", pl.name))?;
        let p = Profile {
            name: scenario.as_str().to_string(),
            description: spec.description.clone().unwrap_or_default(),
            source: format!(
                "{} profile (rules/platforms/{}.json, read {})",
                pl.title, pl.name, pl.read
            ),
            includes: Vec::new(),
            delivery: scenario.needs_bucket_and_account(),
            requirements: Vec::new(),
        };
        let out = reqs.into_iter().filter(|r| r.applies_to(export)).collect();
        return Ok((p, out));
    }
    let p = profile(scenario.as_str())?;
    let mut out = Vec::new();
    for inc in &p.includes {
        out.extend(
            profile(inc)?
                .requirements
                .into_iter()
                .filter(|r| r.applies_to(export)),
        );
    }
    out.extend(
        p.requirements
            .iter()
            .filter(|r| r.applies_to(export))
            .cloned(),
    );
    Ok((p, out))
}

/// The calls one Deny statement blocks: where to point, and each requirement with its resource.
type Blocked<'a> = (Span, Vec<(&'a Requirement, String)>);

/// The `(action, resource)` calls of a scenario, for IAM's simulator.
pub fn calls(
    scenario: Scenario,
    export: ExportType,
    bucket: &str,
    prefix: Option<&str>,
    export_name: Option<&str>,
    account: &str,
    role: Option<&str>,
) -> Vec<(String, String)> {
    let Ok((_, reqs)) = requirements(None, scenario, export) else {
        return Vec::new();
    };
    let values = Values {
        bucket,
        prefix,
        export_name,
        account,
        role,
    };
    reqs.iter()
        .map(|r| (r.action.clone(), values.probe(&r.resource)))
        .collect()
}

/// What the templates are filled with.
pub struct Values<'a> {
    pub bucket: &'a str,
    pub prefix: Option<&'a str>,
    pub export_name: Option<&'a str>,
    pub account: &'a str,
    /// `--role`: the role the platform assumes (`{role}`); `finops-platform` when not named.
    pub role: Option<&'a str>,
}

impl Values<'_> {
    fn objects(&self) -> String {
        let mut path = String::new();
        if let Some(p) = self
            .prefix
            .map(|p| p.trim_matches('/'))
            .filter(|p| !p.is_empty())
        {
            path.push_str(p);
            path.push('/');
            if let Some(n) = self.export_name {
                path.push_str(n);
                path.push('/');
            }
        }
        format!("arn:aws:s3:::{}/{path}*", self.bucket)
    }
    /// The resource a policy should grant (least privilege).
    pub fn grant(&self, template: &str) -> String {
        template
            .replace("{objects}", &self.objects())
            .replace(
                "{export_arn}",
                &format!(
                    "arn:aws:bcm-data-exports:us-east-1:{}:export/*",
                    self.account
                ),
            )
            .replace(
                "{role}",
                &format!(
                    "arn:aws:iam::{}:role/{}",
                    self.account,
                    self.role.unwrap_or("finops-platform")
                ),
            )
            .replace("{bucket}", self.bucket)
            .replace("{account}", self.account)
    }
    /// A concrete resource the platform calls, for evaluation.
    pub fn probe(&self, template: &str) -> String {
        let name = self.export_name.unwrap_or("finops-export");
        let grant = self.grant(template);
        match template {
            "{objects}" => format!(
                "{}{name}/data/BILLING_PERIOD=2026-11/{name}-00001.csv.gz",
                grant
                    .trim_end_matches('*')
                    .trim_end_matches(&format!("{name}/"))
            ),
            "{export_arn}" => format!(
                "arn:aws:bcm-data-exports:us-east-1:{}:export/{name}",
                self.account
            ),
            _ => grant,
        }
    }
}

/// One statement per resource, in requirement order, for a policy to add or generate.
pub fn statements_for(reqs: &[&Requirement], values: &Values) -> Vec<Value> {
    let mut by_resource: BTreeMap<String, (usize, Vec<String>, String)> = BTreeMap::new();
    for (i, r) in reqs.iter().enumerate() {
        let res = values.grant(&r.resource);
        let entry = by_resource
            .entry(res)
            .or_insert((i, Vec::new(), r.group.clone()));
        if !entry.1.contains(&r.action) {
            entry.1.push(r.action.clone());
        }
    }
    let mut list: Vec<(usize, String, Vec<String>, String)> = by_resource
        .into_iter()
        .map(|(res, (i, acts, g))| (i, res, acts, g))
        .collect();
    list.sort();
    let mut used: Vec<String> = Vec::new();
    list.into_iter()
        .map(|(_, res, actions, group)| {
            let camel: String = group
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            let kind = match res.strip_prefix("arn:aws:s3:::") {
                Some(r) if r.contains('/') => "Objects",
                Some(_) => "Bucket",
                None => "",
            };
            let base = format!("FinOps{camel}{kind}");
            let mut sid = base.clone();
            let mut n = 2;
            while used.contains(&sid) {
                sid = format!("{base}{n}");
                n += 1;
            }
            used.push(sid.clone());
            json!({"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": res})
        })
        .collect()
}

/// A policy of the run: `(source, index of the document in the source)`.
type DocId = (usize, usize);

fn doc_key(id: DocId) -> String {
    format!("{}.{}", id.0, id.1)
}

fn parse_key(key: &str) -> DocId {
    let (s, k) = key.split_once('.').unwrap_or((key, "0"));
    (s.parse().unwrap_or(0), k.parse().unwrap_or(0))
}

fn doc_at(reports: &[FileReport], id: DocId) -> Option<&PolicyDoc> {
    reports.get(id.0)?.docs.get(id.1)
}

fn policy_refs<'a>(
    docs: &'a [(DocId, &'a PolicyDoc)],
    bucket: &str,
) -> (Vec<PolicyRef<'a>>, Option<DocId>) {
    let mut refs = Vec::new();
    let mut bucket_policy = None;
    for (id, doc) in docs {
        match doc.kind {
            PolicyKind::Identity(_) => refs.push(PolicyRef {
                id: doc_key(*id),
                kind: PolicyType::Identity,
                root: doc.eval_root(),
            }),
            PolicyKind::Bucket if bucket_policy.is_none() && names_bucket(doc, bucket) => {
                bucket_policy = Some(*id);
                refs.push(PolicyRef {
                    id: doc_key(*id),
                    kind: PolicyType::Resource,
                    root: doc.eval_root(),
                });
            }
            _ => {}
        }
    }
    (refs, bucket_policy)
}

fn names_bucket(doc: &PolicyDoc, bucket: &str) -> bool {
    crate::model::policy::statements(&doc.root).iter().any(|s| {
        s.strings("Resource").iter().any(|(r, _)| {
            r.strip_prefix("arn:aws:s3:::")
                .is_some_and(|rest| rest.split('/').next() == Some(bucket))
        })
    })
}

/// Check the run's policies against the scenario; findings are added to the reports.
pub fn check(sources: &[Source], reports: &mut [FileReport], opts: &Options) -> Result<(), String> {
    let Some(scenario) = opts.scenario else {
        return Ok(());
    };
    let (profile, reqs) = requirements(opts.platform(), scenario, opts.export_type())?;
    if !FAMILY.runs(opts) {
        return Ok(());
    }
    let account = opts.account_id.as_deref().unwrap_or("123456789012");
    let bucket = opts.bucket.as_deref().unwrap_or("");
    let values = Values {
        bucket,
        prefix: opts.prefix.as_deref(),
        export_name: opts.export_name.as_deref(),
        account,
        role: opts.role.as_deref(),
    };
    let docs: Vec<(DocId, &PolicyDoc)> = reports
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.docs.iter().enumerate().map(move |(k, d)| ((i, k), d)))
        .filter(|(_, d)| d.for_platform)
        .collect();
    let identity: Vec<DocId> = docs
        .iter()
        .filter(|(_, d)| d.kind.is_identity())
        .map(|(i, _)| *i)
        .collect();
    let (refs, bucket_policy) = policy_refs(&docs, bucket);
    let mut new: Vec<Finding> = Vec::new();
    let caller = format!("arn:aws:iam::{account}:user/finops-platform");
    if !identity.is_empty() {
        let mut missing: BTreeMap<String, Vec<&Requirement>> = BTreeMap::new();
        // (source, statement) -> the calls it blocks
        let mut denied: BTreeMap<(DocId, usize), Blocked> = BTreeMap::new();
        for r in &reqs {
            let req = SimRequest {
                principal: Principal::Arn(caller.clone()),
                action: r.action.clone(),
                resource: values.probe(&r.resource),
                resource_account: Some(account.to_string()),
                context: RequestContext::default(),
            };
            let ev = eval::evaluate(&refs, &req);
            match ev.decision {
                Decision::Allowed => {}
                Decision::ExplicitDeny => {
                    for m in &ev.matched {
                        let id = parse_key(&m.policy_id);
                        let span = statement_anchor(reports, id, m.statement).unwrap_or(m.span);
                        denied
                            .entry((id, m.statement))
                            .or_insert((span, Vec::new()))
                            .1
                            .push((r, req.resource.clone()));
                    }
                }
                Decision::ImplicitDeny => missing.entry(r.group.clone()).or_default().push(r),
            }
        }
        for ((source, stmt), (span, calls)) in denied {
            let severity = calls
                .iter()
                .map(|(r, _)| r.severity())
                .max()
                .unwrap_or(Severity::Error);
            let names: Vec<String> = calls
                .iter()
                .map(|(r, res)| format!("`{}` on `{res}`", r.action))
                .collect();
            let why: Vec<String> = calls
                .iter()
                .map(|(r, _)| format!("- {} ({})", r.call, r.why))
                .collect();
            let matches = doc_at(reports, source)
                .and_then(|d| {
                    crate::model::policy::statements(&d.root)
                        .into_iter()
                        .find(|s| s.index == stmt)
                })
                .map(|s| {
                    crate::rules::grammar::deny_condition(
                        &sources[source.0],
                        &s,
                        "the platform's requests",
                    )
                })
                .unwrap_or_default();
            let f = Finding::new(&rules::REQ002, source.0, span, format!("this Deny blocks {} of the platform", plural_calls(calls.len())))
                .severity(severity)
                .note(format!("an explicit Deny overrides every Allow; {matches}; in the {} scenario it blocks {}:\n{}", profile.name, names.join(", "), why.join("\n")))
                .help("exclude the platform's IAM user from this Deny (for example with a condition on `aws:PrincipalArn`), or narrow the Deny so that it spares these calls");
            new.push(f);
        }
        let mut placed: BTreeMap<(String, Place), Vec<&Requirement>> = BTreeMap::new();
        for (group, list) in missing {
            for r in list {
                // granted on a guide's placeholder: VAL001's finding says what it breaks
                let Some(at) = place(reports, &identity, r, &values) else {
                    continue;
                };
                placed.entry((group.clone(), at)).or_default().push(r);
            }
        }
        for ((group, at), list) in placed {
            new.push(missing_finding(
                sources, reports, &reqs, &group, at, &list, &values, &profile, opts,
            ));
        }
    }
    // the platform's role is in the run (`--role` names a role a template declares, or a
    // trust policy names the run's platform) and no policy of the run is that role's: the
    // role grants none of the calls (at its trust policy, the role's own document)
    if identity.is_empty() && !reqs.is_empty() {
        let run_platform = opts.platform().map(|p| p.name.as_str());
        let the_role = docs.iter().find(|((i, _), d)| {
            d.kind == PolicyKind::Trust
                && match opts.role.as_deref() {
                    Some(_) => !reports[*i].role_names.is_empty(),
                    None => {
                        run_platform.is_some()
                            && crate::rules::trust::names_platform(&d.root).map(|p| p.name.as_str())
                                == run_platform
                    }
                }
        });
        if let Some((id, _)) = the_role {
            let role = opts.role.as_deref().unwrap_or("the platform assumes");
            let severity = reqs
                .iter()
                .map(|r| r.severity())
                .max()
                .unwrap_or(Severity::Error);
            let mut actions: Vec<&str> = Vec::new();
            for r in &reqs {
                if !actions.contains(&r.action.as_str()) {
                    actions.push(&r.action);
                }
            }
            let calls: Vec<String> = reqs
                .iter()
                .map(|r| format!("- without `{}`: {} ({})", r.action, r.call, r.why))
                .collect();
            let at = doc_at(reports, *id)
                .map(|d| d.root.span)
                .unwrap_or_default();
            // with a policy the run does not hold (AWS-managed), the calls may be granted there
            let outside = reports.iter().any(|r| r.role_policies_outside);
            let (severity, message, unknown) = if outside {
                (
                    Severity::Warning,
                    format!("the role {} has no policy in the run, only policies it does not hold: none of the {} actions the platform calls could be checked", quoted(role), actions.len()),
                    " (its AWS-managed or external policies are not evaluated: check them, or hold them in the run)",
                )
            } else {
                (
                    severity,
                    format!("the role {} has no policy in the run: it grants none of the {} actions the platform calls", quoted(role), actions.len()),
                    "",
                )
            };
            let f = Finding::new(&rules::REQ001, id.0, at, message)
                .severity(severity)
                .note(format!(
                    "the {} scenario ({}) needs them{unknown}:\n{}",
                    profile.name,
                    opts.export_type().as_str(),
                    calls.join("\n")
                ))
                .help(format!(
                    "attach a policy to the role that allows {}",
                    actions
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            new.push(f);
        }
    }
    if profile.delivery {
        if let Some(bp) = bucket_policy {
            if !reports[bp.0]
                .findings
                .iter()
                .any(|f| f.rule.code.starts_with("BP") && f.severity == Severity::Error)
            {
                new.extend(delivery(&refs, bp, &sources[bp.0], &values, opts));
            }
        }
    }
    for f in new.into_iter().filter(|f| opts.rules.on(f.rule)) {
        let i = f.source;
        reports[i].findings.push(f);
        crate::diagnostic::sort(&mut reports[i].findings);
    }
    Ok(())
}

/// A role's name in backticks; the words for the platform's role unquoted.
fn quoted(role: &str) -> String {
    if role.contains(' ') {
        role.to_string()
    } else {
        format!("`{role}`")
    }
}

fn plural_calls(n: usize) -> String {
    if n == 1 {
        "a call".to_string()
    } else {
        format!("{n} calls")
    }
}

/// Where to point at the Deny statement `index` of the policy `id`: its `"Effect": "Deny"`.
fn statement_anchor(reports: &[FileReport], id: DocId, index: usize) -> Option<Span> {
    let doc = doc_at(reports, id)?;
    crate::model::policy::statements(&doc.root)
        .iter()
        .find(|s| s.index == index)
        .map(crate::rules::grammar::effect_anchor)
}

/// Where a grant the scenario needs and the policies lack should go.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    /// The action is granted by statement `stmt` of policy `doc`, on other resources: its
    /// Resource value number `value` is the one to change.
    Resource {
        doc: DocId,
        stmt: usize,
        value: usize,
    },
    /// Into the `Action` list of statement `stmt` of policy `doc`; `certain` when the statement
    /// allows, without a condition, on resources that cover what the call needs.
    Action {
        doc: DocId,
        stmt: usize,
        certain: bool,
    },
    /// A statement of its own, in this policy.
    New(DocId),
}

/// Where the grant `r` goes: the statement that already grants its action on other resources
/// (when it names the action itself), else the best statement of the same effect on resources
/// that cover the call (no condition, the same resources, actions of the same service and the
/// guides' statement first), else the guides' statement for it, else a new statement;
/// `None` when it is granted on a Resource still a guide's placeholder (VAL001's finding).
fn place(
    reports: &[FileReport],
    identity: &[DocId],
    r: &Requirement,
    values: &Values,
) -> Option<Place> {
    let grant = values.grant(&r.resource);
    let probe = values.probe(&r.resource);
    let service = r.action.split(':').next().unwrap_or("");
    let bucket_arn = format!("arn:aws:s3:::{}", values.bucket);
    let mut wrong: Option<Place> = None;
    let mut best: Option<((bool, bool, bool, bool), Place)> = None;
    let mut named: Option<Place> = None;
    for &doc in identity {
        let Some(d) = doc_at(reports, doc) else {
            continue;
        };
        for s in crate::model::policy::statements(&d.root) {
            if !s.is_allow() || s.get("Action").is_none() {
                continue;
            }
            let resources = s.strings("Resource");
            if s.get("Resource").is_some() && resources.is_empty() {
                continue;
            }
            let lists = s
                .strings("Action")
                .iter()
                .any(|(a, _)| a.eq_ignore_ascii_case(&r.action));
            if lists && !resources.is_empty() && !eval::covers_resource(&s, &probe) {
                // granted on a guide's placeholder: VAL001's finding says what it breaks
                if resources
                    .iter()
                    .any(|(v, _)| crate::syntax::find_placeholder(v).is_some())
                {
                    return None;
                }
                if wrong.is_none() {
                    let value = resources
                        .iter()
                        .position(|(v, _)| !values.bucket.is_empty() && v.starts_with(&bucket_arn))
                        .unwrap_or(0);
                    wrong = Some(Place::Resource {
                        doc,
                        stmt: s.index,
                        value,
                    });
                }
                continue;
            }
            // a statement on `*` is no place for a call scoped to a resource (least privilege)
            let covers = resources
                .iter()
                .any(|(p, _)| eval::glob(p, &grant, false) && (*p != "*" || grant == "*"));
            let named_here = r.statement.as_deref().is_some_and(|n| s.sid() == Some(n));
            let same_service = s.strings("Action").iter().any(|(a, _)| {
                a.split(':')
                    .next()
                    .is_some_and(|x| x.eq_ignore_ascii_case(service))
            });
            // a call joins a statement of its service, or the guides' statement for it
            if covers && (same_service || named_here) {
                let exact = resources.iter().any(|(p, _)| *p == grant);
                let score = (
                    exact && s.get("Condition").is_none(),
                    s.get("Condition").is_none(),
                    named_here,
                    same_service,
                );
                if best.as_ref().is_none_or(|(b, _)| score > *b) {
                    best = Some((
                        score,
                        Place::Action {
                            doc,
                            stmt: s.index,
                            certain: score.0,
                        },
                    ));
                }
            } else if named.is_none() && named_here {
                named = Some(Place::Action {
                    doc,
                    stmt: s.index,
                    certain: false,
                });
            }
        }
    }
    Some(
        wrong
            .or(best.map(|(_, p)| p))
            .or(named)
            .unwrap_or_else(|| Place::New(pick_policy(identity, reports, &[r], values))),
    )
}

/// Whether machine edits written as JSON text can be applied to this policy: not a template's
/// resource (its text is YAML or HCL) and not a document held in a JSON string.
fn editable(source: &Source, doc: &PolicyDoc) -> bool {
    doc.container != crate::model::Container::Template && !doc.embedded_in(source)
}

/// A statement's text with an edit applied, as the help shows it: without the indentation of
/// the line it starts on.
fn as_it_will_read(
    source: &Source,
    stmt: &crate::model::policy::Statement,
    edit: (Span, &str),
) -> String {
    let node = stmt.node.span;
    let Some(mut text) = source.text.get(node.start..node.end).map(str::to_string) else {
        return String::new();
    };
    let (span, with) = edit;
    if span.start >= node.start && span.end <= node.end {
        text.replace_range(span.start - node.start..span.end - node.start, with);
    }
    let line_start = source.text[..node.start].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = source.text[line_start..node.start]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    text.lines()
        .map(|l| l.strip_prefix(indent.as_str()).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The missing actions for the message: each named while they are few, grouped by service
/// when they are many.
fn action_list(list: &[&Requirement]) -> String {
    if list.len() <= 3 {
        return list
            .iter()
            .map(|r| format!("`{}`", r.action))
            .collect::<Vec<_>>()
            .join(", ");
    }
    let mut by_service: Vec<(&str, Vec<&str>)> = Vec::new();
    for r in list {
        let (svc, name) = r.action.split_once(':').unwrap_or(("", &r.action));
        match by_service.iter_mut().find(|(s, _)| *s == svc) {
            Some((_, names)) => names.push(name),
            None => by_service.push((svc, vec![name])),
        }
    }
    let groups: Vec<String> = by_service
        .iter()
        .map(|(svc, names)| format!("{svc}: {}", names.join(", ")))
        .collect();
    format!("{} actions ({})", list.len(), groups.join("; "))
}

/// The finding for the grants of one purpose that go in one place.
#[allow(clippy::too_many_arguments)]
fn missing_finding(
    sources: &[Source],
    reports: &[FileReport],
    reqs: &[Requirement],
    group: &str,
    at: Place,
    list: &[&Requirement],
    values: &Values,
    profile: &Profile,
    opts: &Options,
) -> Finding {
    // who the platform is: the role it assumes, or (the guides) its IAM user
    let who = if opts.role.is_some()
        || opts
            .platform()
            .is_some_and(|p| p.name != "optscale" && p.uses_role())
    {
        "role"
    } else {
        "user"
    };
    let severity = list
        .iter()
        .map(|r| r.severity())
        .max()
        .unwrap_or(Severity::Error);
    let calls: Vec<String> = list
        .iter()
        .map(|r| format!("- without `{}`: {} ({})", r.action, r.call, r.why))
        .collect();
    let note = format!(
        "the {} scenario ({}) needs them:\n{}",
        profile.name,
        opts.export_type().as_str(),
        calls.join("\n")
    );
    let statement = |doc: DocId, index: usize| {
        doc_at(reports, doc).and_then(|d| {
            crate::model::policy::statements(&d.root)
                .into_iter()
                .find(|s| s.index == index)
                .map(|s| (d, s))
        })
    };
    let new_statements = |doc: DocId| {
        let root = doc_at(reports, doc).map(|d| &d.root);
        let span = root
            .and_then(|d| d.member("Statement"))
            .map(|m| m.key_span)
            .unwrap_or(Span::new(0, 1));
        let stmts = statements_for(list, values);
        let help = format!(
            "add to `Statement`:\n{}",
            stmts
                .iter()
                .map(|s| serde_json::to_string_pretty(s).unwrap_or_default())
                .collect::<Vec<_>>()
                .join(",\n")
        );
        Finding::new(
            &rules::REQ001,
            doc.0,
            span,
            format!(
                "{group}: the platform's {who} is not granted {}",
                action_list(list)
            ),
        )
        .severity(severity)
        .note(note.clone())
        .help(help)
    };
    match at {
        Place::New(doc) => new_statements(doc),
        Place::Action { doc, stmt, certain } => {
            let Some((d, s)) = statement(doc, stmt) else {
                return new_statements(doc);
            };
            let source = &sources[doc.0];
            let Some(action) = s.get("Action") else {
                return new_statements(doc);
            };
            let items: Vec<String> = list
                .iter()
                .map(|r| serde_json::Value::from(r.action.clone()).to_string())
                .collect();
            let names = list
                .iter()
                .map(|r| format!("`{}`", r.action))
                .collect::<Vec<_>>()
                .join(", ");
            let mut f = Finding::new(
                &rules::REQ001,
                doc.0,
                action.span,
                format!(
                    "{group}: the platform's {who} is not granted {}",
                    action_list(list)
                ),
            )
            .severity(severity)
            .note(note);
            match crate::parse::json::append_items(&source.text, action, &items) {
                Some((span, text)) => {
                    let shown = as_it_will_read(source, &s, (span, &text));
                    let resources = if certain {
                        String::new()
                    } else {
                        let grants: Vec<String> = list
                            .iter()
                            .map(|r| format!("`{}`", values.grant(&r.resource)))
                            .collect();
                        format!(
                            "; check that its `Resource` and `Condition` let the calls through (they need {})",
                            dedup(grants).join(", ")
                        )
                    };
                    f = f.help(format!(
                        "add {names} to the `Action` of {}{resources}; it will read:\n{shown}",
                        s.label()
                    ));
                    if certain && editable(source, d) {
                        f = f.fix(format!("add {names} to {}", s.label()), span, text);
                    }
                    f
                }
                None => f.help(format!("add {names} to the `Action` of {}", s.label())),
            }
        }
        Place::Resource { doc, stmt, value } => {
            let Some((d, s)) = statement(doc, stmt) else {
                return new_statements(doc);
            };
            let source = &sources[doc.0];
            let resources = s.strings("Resource");
            let Some((wrong, node)) = resources.get(value).copied() else {
                return new_statements(doc);
            };
            let grants: Vec<String> =
                dedup(list.iter().map(|r| values.grant(&r.resource)).collect());
            let fixed = grants[0].clone();
            let names = list
                .iter()
                .map(|r| format!("`{}`", r.action))
                .collect::<Vec<_>>()
                .join(", ");
            let mut f = Finding::new(
                &rules::REQ001,
                doc.0,
                node.span,
                format!(
                    "{group}: {names} {} granted on `{wrong}`, not on `{fixed}`",
                    if list.len() == 1 { "is" } else { "are" }
                ),
            )
            .severity(severity)
            .label(
                s.get("Action").map_or(node.span, |a| a.span),
                "granted here",
            )
            .note(note);
            // certain when every action of the statement needs the corrected resource
            let all_need_it = grants.len() == 1
                && s.strings("Action").iter().all(|(a, _)| {
                    list.iter().any(|r| r.action.eq_ignore_ascii_case(a))
                        || profile_grant(a, reqs, values).as_deref() == Some(fixed.as_str())
                })
                && s.strings("Action").len()
                    == s.get("Action").map_or(0, |n| n.one_or_many().len());
            let literal = serde_json::Value::from(fixed.clone()).to_string();
            let plain = source
                .text
                .get(node.span.start..node.span.end)
                .is_some_and(|t| serde_json::from_str::<serde_json::Value>(t).is_ok());
            if all_need_it {
                f = f.help(format!(
                    "use `{literal}`; it will read:\n{}",
                    as_it_will_read(source, &s, (node.span, &literal))
                ));
                if plain && editable(source, d) && !values.bucket.is_empty() {
                    f = f.fix(format!("use `{fixed}`"), node.span, literal);
                }
            } else {
                f = f.help(format!(
                    "grant {names} on `{fixed}`: add `{literal}` to the `Resource` of {} if its other actions may have it too, or move {names} to a statement of {} own with that `Resource`",
                    s.label(),
                    if list.len() == 1 { "its" } else { "their" }
                ));
            }
            f
        }
    }
}

/// The resource a statement of the scenario should grant action `a` on, when the scenario
/// needs it.
fn profile_grant(a: &str, reqs: &[Requirement], values: &Values) -> Option<String> {
    reqs.iter()
        .find(|r| r.action.eq_ignore_ascii_case(a))
        .map(|r| values.grant(&r.resource))
}

fn dedup(mut list: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    list.retain(|x| seen.insert(x.clone()));
    list
}

fn deny_anchor(source: &Source, root: &crate::parse::json::Node, statement: Span) -> Span {
    crate::model::policy::statements(root)
        .iter()
        .find(|s| s.node.span == statement)
        .map(crate::rules::grammar::effect_anchor)
        .unwrap_or_else(|| {
            // the statement's first line is enough to find it
            let text = source.snippet(statement);
            let end = text
                .find('\n')
                .map(|i| statement.start + i)
                .unwrap_or(statement.end);
            Span::new(statement.start, end.max(statement.start + 1))
        })
}

/// The identity policy that should carry the missing grants: the one whose statements name
/// the same resources (the bucket), else the same services, else the first.
fn pick_policy(
    identity: &[DocId],
    reports: &[FileReport],
    reqs: &[&Requirement],
    values: &Values,
) -> DocId {
    let services: Vec<&str> = reqs
        .iter()
        .filter_map(|r| r.action.split(':').next())
        .collect();
    let bucket_arn = format!("arn:aws:s3:::{}", values.bucket);
    identity
        .iter()
        .copied()
        .max_by_key(|&i| {
            let Some(doc) = doc_at(reports, i) else {
                return (0, 0, std::cmp::Reverse(i));
            };
            let stmts = crate::model::policy::statements(&doc.root);
            let same_resource = stmts
                .iter()
                .filter(|s| {
                    s.strings("Resource")
                        .iter()
                        .any(|(r, _)| !values.bucket.is_empty() && r.starts_with(&bucket_arn))
                })
                .count();
            let same_service = stmts
                .iter()
                .flat_map(|s| s.strings("Action"))
                .filter(|(a, _)| {
                    services
                        .iter()
                        .any(|svc| a.to_ascii_lowercase().starts_with(&format!("{svc}:")))
                })
                .count();
            (same_resource, same_service, std::cmp::Reverse(i))
        })
        .unwrap_or(identity[0])
}

/// REQ003: the bucket policy, evaluated for the billing service's delivery.
fn delivery(
    refs: &[PolicyRef],
    bp: DocId,
    source: &Source,
    values: &Values,
    opts: &Options,
) -> Vec<Finding> {
    let service = opts.export_type().service_principal();
    let (svc, ty) = match opts.export_type() {
        ExportType::Cur2 => ("bcm-data-exports", "export"),
        ExportType::Legacy => ("cur", "definition"),
    };
    let name = values.export_name.unwrap_or("finops-export");
    let mut context = RequestContext::default();
    context.insert("aws:SourceAccount", vec![values.account.to_string()]);
    context.insert(
        "aws:SourceArn",
        vec![format!(
            "arn:aws:{svc}:us-east-1:{}:{ty}/{name}",
            values.account
        )],
    );
    context.insert("aws:SecureTransport", vec!["true".to_string()]);
    let bucket_only: Vec<PolicyRef> = refs
        .iter()
        .filter(|r| r.kind == PolicyType::Resource)
        .cloned()
        .collect();
    let mut refused = Vec::new();
    let mut span = None;
    // for a Deny in the way: why it matches the delivery
    let mut why_denied: Option<String> = None;
    for (action, resource) in [
        ("s3:PutObject", values.probe("{objects}")),
        (
            "s3:GetBucketPolicy",
            format!("arn:aws:s3:::{}", values.bucket),
        ),
    ] {
        let req = SimRequest {
            principal: Principal::Service(service.to_string()),
            action: action.to_string(),
            resource: resource.clone(),
            resource_account: None,
            context: context.clone(),
        };
        let ev = eval::evaluate(&bucket_only, &req);
        if ev.decision == Decision::Allowed {
            continue;
        }
        if ev.decision == Decision::ExplicitDeny {
            span = span.or_else(|| {
                let m = ev.matched.first()?;
                let root = reports_doc(refs, bp)?;
                if let Some(stmt) = crate::model::policy::statements(root)
                    .iter()
                    .find(|s| s.node.span == m.span)
                {
                    why_denied = Some(crate::rules::grammar::deny_condition(
                        source,
                        stmt,
                        "the delivery",
                    ));
                }
                Some(deny_anchor(source, root, m.span))
            });
        }
        refused.push(format!(
            "`{action}` on `{resource}` ({})",
            ev.decision.aws_name()
        ));
    }
    if refused.is_empty() {
        return Vec::new();
    }
    // an implicit deny: point at the delivery statement whose conditions did not hold
    let span = span.or_else(|| {
        let doc = reports_doc(refs, bp)?;
        let stmts = crate::model::policy::statements(doc);
        let stmt = stmts
            .iter()
            .find(|s| s.is_allow() && crate::rules::values::is_delivery_statement(s))?;
        Some(
            stmt.member("Condition")
                .map(|m| m.key_span)
                .unwrap_or_else(|| crate::rules::grammar::anchor(stmt)),
        )
    });
    let arn = context
        .get("aws:SourceArn")
        .and_then(|v| v.first())
        .cloned()
        .unwrap_or_default();
    let f = Finding::new(&rules::REQ003, bp.0, span.unwrap_or(Span::new(0, 1)), format!("the bucket policy refuses the export's delivery by `{service}`"))
        .note(format!("evaluated as AWS would for the delivery (aws:SourceAccount `{}`, aws:SourceArn `{arn}`): {}{}", values.account, refused.join(", "), why_denied.map(|w| format!("; an explicit Deny matches: {w}")).unwrap_or_default()))
        .help(format!("allow the delivery:\n{}", crate::rules::delivery::recommended_statement(Some(values.bucket), Some(values.account))));
    vec![f]
}

fn reports_doc<'a>(refs: &[PolicyRef<'a>], id: DocId) -> Option<&'a crate::parse::json::Node> {
    let key = doc_key(id);
    refs.iter().find(|r| r.id == key).map(|r| r.root)
}

/// `finops-lint generate`: the least-privilege user policy, the bucket policy and the export
/// definition for a scenario.
pub fn generate(
    platform: Option<&crate::platform::Profile>,
    scenario: Scenario,
    export: ExportType,
    values: &Values,
    region: &str,
    external_id: Option<&str>,
) -> Result<Value, String> {
    if let Some(pl) = platform {
        if !pl.imports(export.into()) {
            return Err(format!(
                "{} imports {} only: use --export-type {}",
                pl.title,
                pl.export.types.join(" and "),
                pl.export
                    .types
                    .first()
                    .map(String::as_str)
                    .unwrap_or("cur2")
            ));
        }
        if let Some(regions) = pl
            .bucket
            .regions
            .as_ref()
            .filter(|r| !r.iter().any(|x| x == region))
        {
            return Err(format!(
                "{} reads buckets in {} only: give --region with one of them",
                pl.title,
                regions.join(", ")
            ));
        }
    }
    let (profile, reqs) = requirements(platform, scenario, export)?;
    let refs: Vec<&Requirement> = reqs.iter().collect();
    let policy = json!({"Version": "2012-10-17", "Statement": statements_for(&refs, values)});
    let mut out = json!({"scenario": profile.name, "exportType": export.as_str()});
    // who the platform is: its IAM user (OptScale's guides), or a role it assumes
    match platform.filter(|p| p.name != "optscale") {
        None => out["userPolicy"] = policy,
        Some(pl) if pl.uses_role() => {
            out["platform"] = json!(pl.name);
            if !refs.is_empty() {
                out["rolePolicy"] = policy;
            }
            out["trustPolicy"] = trust_policy(pl, values, external_id)?;
        }
        Some(pl) => {
            // no role of the platform's (the export goes to its own bucket)
            out["platform"] = json!(pl.name);
        }
    }
    if profile.delivery {
        let stmt: Value = serde_json::from_str(&crate::rules::delivery::recommended_statement(
            Some(values.bucket),
            Some(values.account),
        ))
        .map_err(|e| e.to_string())?;
        out["bucketPolicy"] = json!({"Version": "2012-10-17", "Statement": [stmt]});
        out["exportDefinition"] = export_definition(platform, export, values, region);
    }
    Ok(out)
}

/// The trust policy of the role a platform assumes: its principal (the customer's own account
/// for a platform without one), `sts:AssumeRole`, and the external ID it sends.
fn trust_policy(
    pl: &crate::platform::Profile,
    values: &Values,
    external_id: Option<&str>,
) -> Result<Value, String> {
    let principal = pl
        .access
        .principals
        .first()
        .cloned()
        .unwrap_or_else(|| format!("arn:aws:iam::{}:root", values.account));
    let mut stmt = json!({
        "Sid": "FinOpsPlatformAssumesRole",
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
    });
    match (pl.access.external_id.as_str(), external_id) {
        ("required", None) => {
            return Err(format!(
                "{} connects through a role with an external ID: give --external-id (the ID its connection page shows)",
                pl.title
            ))
        }
        ("none", _) => {}
        (_, Some(id)) => {
            // what would be TRU002 in the generated trust policy is refused here
            if crate::rules::trust::placeholder_id(id)
                || crate::syntax::find_placeholder(id).is_some()
            {
                return Err(format!(
                    "--external-id is a placeholder: give the ID {}'s connection page shows",
                    pl.title
                ));
            }
            if let Some(re) = pl.external_id_regex() {
                if !re.is_match(id) {
                    return Err(format!(
                        "--external-id does not have {}'s form (`{}`)",
                        pl.title,
                        re.as_str()
                    ));
                }
            }
            stmt["Condition"] = json!({"StringEquals": {"sts:ExternalId": id}});
        }
        _ => {}
    }
    Ok(json!({"Version": "2012-10-17", "Statement": [stmt]}))
}

/// The export the platform expects: OptScale's own template (resource IDs, overwrite, daily,
/// gzip CSV), or the settings the platform's profile asks for (its first accepted value of each).
fn export_definition(
    platform: Option<&crate::platform::Profile>,
    export: ExportType,
    values: &Values,
    region: &str,
) -> Value {
    let name = values.export_name.unwrap_or("finops-export");
    let prefix = values.prefix.unwrap_or("reports").trim_matches('/');
    let e = platform.map(|p| &p.export);
    let first = |list: Option<&Vec<String>>, default: &str| {
        list.and_then(|l| l.first().cloned())
            .unwrap_or_else(|| default.to_string())
    };
    let versioning = first(e.map(|e| &e.versioning), "OVERWRITE_REPORT");
    let granularity = e
        .and_then(|e| {
            // daily where the platform takes it, as the guides do
            e.granularity
                .iter()
                .find(|g| *g == "DAILY")
                .or(e.granularity.first())
                .cloned()
        })
        .unwrap_or_else(|| "DAILY".to_string());
    // CUR 2.0 does not document ZIP: the first other format
    let format = e
        .and_then(|e| {
            e.formats
                .iter()
                .find(|f| !(export == ExportType::Cur2 && *f == "csv-zip"))
                .cloned()
        })
        .unwrap_or_else(|| "csv-gzip".to_string());
    let parquet = format == "parquet";
    let split = platform.is_some_and(|p| p.split_cost(export.into()) == "required");
    match export {
        ExportType::Cur2 => json!({
            "Export": {
                "Name": name,
                "Description": "Cost and usage export for the FinOps platform",
                "DataQuery": {
                    "QueryStatement": "SELECT * FROM COST_AND_USAGE_REPORT",
                    "TableConfigurations": {"COST_AND_USAGE_REPORT": {
                        "INCLUDE_RESOURCES": "TRUE",
                        "INCLUDE_SPLIT_COST_ALLOCATION_DATA": if split { "TRUE" } else { "FALSE" },
                        "INCLUDE_MANUAL_DISCOUNT_COMPATIBILITY": "FALSE",
                        "TIME_GRANULARITY": granularity
                    }}
                },
                "DestinationConfigurations": {"S3Destination": {
                    "S3Bucket": values.bucket,
                    "S3Prefix": prefix,
                    "S3Region": region,
                    "S3OutputConfigurations": {
                        "OutputType": "CUSTOM",
                        "Format": if parquet { "PARQUET" } else { "TEXT_OR_CSV" },
                        "Compression": if parquet { "PARQUET" } else if format == "csv-zip" { "ZIP" } else { "GZIP" },
                        "Overwrite": versioning
                    }
                }},
                "RefreshCadence": {"Frequency": "SYNCHRONOUS"}
            }
        }),
        ExportType::Legacy => {
            let mut elements = vec!["RESOURCES"];
            if split {
                elements.push("SPLIT_COST_ALLOCATION_DATA");
            }
            json!({
                "ReportDefinition": {
                    "ReportName": name,
                    "TimeUnit": granularity,
                    "Format": if parquet { "Parquet" } else { "textORcsv" },
                    "Compression": if parquet { "Parquet" } else if format == "csv-zip" { "ZIP" } else { "GZIP" },
                    "AdditionalSchemaElements": elements,
                    "S3Bucket": values.bucket,
                    "S3Prefix": prefix,
                    "S3Region": region,
                    "RefreshClosedReports": true,
                    "ReportVersioning": versioning
                }
            })
        }
    }
}
