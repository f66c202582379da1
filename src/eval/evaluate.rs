//! IAM's evaluation logic for one request in one account (or across two): identity policies,
//! an optional resource policy, permissions boundaries; explicit Deny first; principals,
//! actions, resources and conditions matched with IAM's rules. `simulate` and the onboarding
//! requirement checks both call [`evaluate`].

use super::condition::{self, Context, Lookup};
use super::pattern::{self, Vars};
use super::Tri;
use crate::model::policy::{statements, Statement};
use crate::parse::json::Node;
use crate::source::Span;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PolicyType {
    Identity,
    Resource,
    PermissionsBoundary,
}

impl PolicyType {
    /// The name AWS's simulator uses (`SourcePolicyType`).
    pub fn aws_name(self) -> &'static str {
        match self {
            PolicyType::Identity => "IAM Policy",
            PolicyType::Resource => "Resource Policy",
            PolicyType::PermissionsBoundary => "PermissionsBoundaryPolicy",
        }
    }
}

/// A policy taking part in an evaluation.
#[derive(Debug, Clone)]
pub struct PolicyRef<'a> {
    pub id: String,
    pub kind: PolicyType,
    pub root: &'a Node,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An IAM user, role, assumed-role session or account root ARN.
    Arn(String),
    /// A service principal such as `bcm-data-exports.amazonaws.com`.
    Service(String),
    Anonymous,
}

impl Principal {
    /// The 12-digit account of an ARN principal.
    pub fn account(&self) -> Option<&str> {
        match self {
            Principal::Arn(a) => a.split(':').nth(4).filter(|s| !s.is_empty()),
            _ => None,
        }
    }
}

/// The request context: keys are matched case-insensitively.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    values: HashMap<String, Vec<String>>,
}

impl RequestContext {
    pub fn insert(&mut self, key: &str, values: Vec<String>) {
        self.values.insert(key.to_ascii_lowercase(), values);
    }
    pub fn get(&self, key: &str) -> Option<&Vec<String>> {
        self.values.get(&key.to_ascii_lowercase())
    }
}

#[derive(Debug, Clone)]
pub struct SimRequest {
    pub principal: Principal,
    pub action: String,
    pub resource: String,
    /// The account that owns the resource; the principal's account when `None`.
    pub resource_account: Option<String>,
    pub context: RequestContext,
}

impl Vars for SimRequest {
    /// A multi-valued key cannot be a policy variable: with several values it has none.
    fn var(&self, key: &str) -> Option<Option<String>> {
        match self.context.get(key).map(Vec::as_slice) {
            Some([one]) => Some(Some(one.clone())),
            _ => None,
        }
    }
}

impl Context for SimRequest {
    fn lookup(&self, key: &str) -> Lookup {
        match self.context.get(key) {
            Some(v) => Lookup::Values(v.clone()),
            None => Lookup::Absent,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
}

impl Decision {
    /// AWS's `EvalDecision` value.
    pub fn aws_name(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ExplicitDeny => "explicitDeny",
            Decision::ImplicitDeny => "implicitDeny",
        }
    }
}

/// A statement that decided (or took part in) the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub policy_id: String,
    pub policy_type: PolicyType,
    /// 0-based position in the policy's `Statement` array.
    pub statement: usize,
    pub span: Span,
    pub effect_deny: bool,
}

#[derive(Debug, Clone)]
pub struct Evaluation {
    pub decision: Decision,
    /// The Deny statements that applied, or else the Allow statements that granted.
    pub matched: Vec<Matched>,
    /// Condition keys the applicable statements test that the request does not carry.
    pub missing_context: BTreeSet<String>,
    /// `Some(false)` when a permissions boundary did not allow the request.
    pub allowed_by_boundary: Option<bool>,
}

/// How a resource policy's principal matched the request's principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PrincipalMatch {
    No,
    /// The principal's account (`123456789012`, `arn:aws:iam::123456789012:root`): a grant to
    /// the account, which its identity policies must pass on.
    Account,
    /// A role ARN, for a session of that role: the role's permissions boundary still applies.
    Role,
    /// `*`, or a service.
    Broad,
    /// The exact user or session ARN.
    Direct,
}

pub fn evaluate(policies: &[PolicyRef], req: &SimRequest) -> Evaluation {
    let mut missing = BTreeSet::new();
    let mut denies = Vec::new();
    let mut identity_allows = Vec::new();
    let mut boundary_allows = Vec::new();
    let mut resource_allows: Vec<(Matched, PrincipalMatch)> = Vec::new();
    let has_boundary = policies
        .iter()
        .any(|p| p.kind == PolicyType::PermissionsBoundary);
    let anonymous = req.principal == Principal::Anonymous;
    let resource = effective_resource(&req.action, &req.resource);
    for p in policies {
        let variables = p.root.get("Version").and_then(Node::as_str) == Some("2012-10-17");
        for stmt in statements(p.root) {
            let pm = if p.kind == PolicyType::Resource {
                principal_match(&stmt, &req.principal, has_boundary)
            } else {
                PrincipalMatch::Direct
            };
            if pm == PrincipalMatch::No {
                continue;
            }
            if !super::covers_action(&stmt, &req.action)
                || !resource_matches(&stmt, resource, req, variables, p.kind)
            {
                continue;
            }
            for c in stmt.conditions() {
                if req.context.get(&c.key.key).is_none() && c.base_op() != "Null" {
                    missing.insert(c.key.key.clone());
                }
            }
            let applies = stmt.conditions().iter().fold(Tri::True, |acc, c| {
                acc.and(condition::evaluate(
                    c.op(),
                    &c.key.key,
                    c.values(),
                    req,
                    variables,
                ))
            });
            if applies != Tri::True {
                continue;
            }
            let m = Matched {
                policy_id: p.id.clone(),
                policy_type: p.kind,
                statement: stmt.index,
                span: stmt.node.span,
                effect_deny: stmt.is_deny(),
            };
            if stmt.is_deny() {
                denies.push(m);
            } else if stmt.is_allow() {
                match p.kind {
                    PolicyType::Identity => identity_allows.push(m),
                    PolicyType::PermissionsBoundary => boundary_allows.push(m),
                    PolicyType::Resource => resource_allows.push((m, pm)),
                }
            }
        }
    }
    let allowed_by_boundary = has_boundary.then_some(!boundary_allows.is_empty());
    // AWS documents that no permission is needed for this call, and that a Deny does not stop it
    if req.action.eq_ignore_ascii_case("sts:GetCallerIdentity") {
        return Evaluation {
            decision: Decision::Allowed,
            matched: Vec::new(),
            missing_context: missing,
            allowed_by_boundary,
        };
    }
    if !denies.is_empty() {
        return Evaluation {
            decision: Decision::ExplicitDeny,
            matched: denies,
            missing_context: missing,
            allowed_by_boundary,
        };
    }
    if aws_owned(&req.action, &req.resource) {
        return Evaluation {
            decision: Decision::ImplicitDeny,
            matched: Vec::new(),
            missing_context: missing,
            allowed_by_boundary,
        };
    }
    let boundary_ok = !has_boundary || !boundary_allows.is_empty();
    let same_account = match (&req.resource_account, req.principal.account()) {
        (Some(r), Some(p)) => r == p,
        _ => true,
    };
    let at_least = |min: PrincipalMatch| -> Vec<Matched> {
        resource_allows
            .iter()
            .filter(|(_, pm)| *pm >= min)
            .map(|(m, _)| m.clone())
            .collect()
    };
    let identity_ok = !identity_allows.is_empty() && boundary_ok;
    // KMS key policies and role trust policies must admit the caller's account before identity
    // policies count, even in the same account
    let resource_gates = is_key_or_trust_action(&req.action, &req.resource);
    let granted: Vec<Matched> = if anonymous || matches!(req.principal, Principal::Service(_)) {
        at_least(PrincipalMatch::Broad)
    } else if same_account {
        // a resource policy naming the caller (or everyone) is not limited by its boundary;
        // one naming the role of a session is
        let bypass = at_least(PrincipalMatch::Broad);
        let via_role = at_least(PrincipalMatch::Role);
        if !bypass.is_empty() {
            bypass
        } else if !via_role.is_empty() && boundary_ok {
            via_role
        } else if identity_ok && (!resource_gates || !at_least(PrincipalMatch::Account).is_empty())
        {
            identity_allows.clone()
        } else {
            Vec::new()
        }
    } else {
        // across accounts both sides must allow
        let resource = at_least(PrincipalMatch::Account);
        if identity_ok && !resource.is_empty() {
            identity_allows.iter().cloned().chain(resource).collect()
        } else {
            Vec::new()
        }
    };
    let decision = if granted.is_empty() {
        Decision::ImplicitDeny
    } else {
        Decision::Allowed
    };
    Evaluation {
        decision,
        matched: granted,
        missing_context: missing,
        allowed_by_boundary,
    }
}

/// Requests whose resource policy (a KMS key policy, a role trust policy) is always required.
fn is_key_or_trust_action(action: &str, resource: &str) -> bool {
    let a = action.to_ascii_lowercase();
    (a.starts_with("kms:") && resource.contains(":key/") && !resource.contains(['*', '?']))
        || a.starts_with("sts:assumerole")
}

/// Resources AWS owns, which no customer policy can grant changes to: AWS managed policies,
/// roles under `/aws-reserved/`, AWS managed KMS aliases (`alias/aws/...`).
fn aws_owned(action: &str, resource: &str) -> bool {
    let a = action.to_ascii_lowercase();
    let iam_policy_write = [
        "iam:createpolicy",
        "iam:createpolicyversion",
        "iam:deletepolicy",
        "iam:deletepolicyversion",
        "iam:setdefaultpolicyversion",
        "iam:tagpolicy",
        "iam:untagpolicy",
    ];
    if resource.starts_with("arn:aws:iam::aws:policy/") && iam_policy_write.contains(&a.as_str()) {
        return true;
    }
    let role_write = [
        "iam:attachrolepolicy",
        "iam:createrole",
        "iam:createservicelinkedrole",
        "iam:deleterole",
        "iam:deleterolepermissionsboundary",
        "iam:deleterolepolicy",
        "iam:deleteservicelinkedrole",
        "iam:detachrolepolicy",
        "iam:passrole",
        "iam:putrolepermissionsboundary",
        "iam:putrolepolicy",
        "iam:tagrole",
        "iam:untagrole",
        "iam:updateassumerolepolicy",
        "iam:updaterole",
        "iam:updateroledescription",
    ];
    if resource.contains(":role/aws-reserved/") && role_write.contains(&a.as_str()) {
        return true;
    }
    if resource.contains(":alias/aws/")
        && matches!(
            a.as_str(),
            "kms:createalias" | "kms:deletealias" | "kms:updatealias"
        )
    {
        return true;
    }
    false
}

/// How a statement's resource pattern relates to the request's resource.
fn resource_pattern(p: &str, resource: &str, req: &SimRequest, variables: bool) -> (bool, bool) {
    let Ok(tokens) = pattern::compile(p, true, variables, req) else {
        return (false, false);
    };
    if resource == WILDCARD_ONLY {
        // the literal resource `*` of an action without resource-level permissions
        let m = pattern::matches(&tokens, "*", false);
        return (m, m);
    }
    if resource.contains(['*', '?']) {
        // a request for many resources (`*`, `bucket/*`): (overlaps, covers all of it)
        let request = pattern::compile(resource, true, false, req).unwrap_or_default();
        let overlaps = if p.starts_with("arn:") && resource.starts_with("arn:") {
            pattern::intersects_arn(&tokens, &request)
        } else {
            pattern::intersects(&tokens, &request)
        };
        let covers = pattern::matches(&tokens, resource, false);
        return (overlaps, covers);
    }
    let m = if p.starts_with("arn:") {
        pattern::matches_arn(&tokens, resource)
    } else {
        pattern::matches(&tokens, resource, false)
    };
    (m, m)
}

/// Does the statement apply to the request's resource? An Allow applies where it overlaps a
/// request for many resources; a Deny only where it covers all of them.
fn resource_matches(
    stmt: &Statement,
    resource: &str,
    req: &SimRequest,
    variables: bool,
    kind: PolicyType,
) -> bool {
    let deny = stmt.is_deny();
    let pick = |(overlaps, covers): (bool, bool), negated: bool| {
        // for NotResource the roles swap: excluded when the pattern covers (Allow) or overlaps (Deny)
        match (deny, negated) {
            (false, false) => overlaps,
            (true, false) => covers,
            (false, true) => covers,
            (true, true) => overlaps,
        }
    };
    if stmt.get("Resource").is_some() {
        stmt.strings("Resource")
            .iter()
            .any(|(p, _)| pick(resource_pattern(p, resource, req, variables), false))
    } else if stmt.get("NotResource").is_some() {
        !stmt
            .strings("NotResource")
            .iter()
            .any(|(p, _)| pick(resource_pattern(p, resource, req, variables), true))
    } else {
        // a resource policy statement without `Resource` applies to the resource it is attached to
        kind == PolicyType::Resource
    }
}

/// Actions that do not support resource-level permissions are requested on `*`: only a
/// `"Resource": "*"` grants them (AWS IAM User Guide; the catalog says which they are).
fn effective_resource<'r>(action: &str, resource: &'r str) -> &'r str {
    let Some((prefix, name)) = action.split_once(':') else {
        return resource;
    };
    if name.contains(['*', '?']) {
        return resource;
    }
    match crate::catalog::service(prefix).and_then(|s| s.action(name)) {
        Some(a) if a.resource_types().is_empty() => WILDCARD_ONLY,
        _ => resource,
    }
}

/// Marks the request resource of an action that supports only `*`.
const WILDCARD_ONLY: &str = "\u{0}*";

fn principal_match(stmt: &Statement, who: &Principal, has_boundary: bool) -> PrincipalMatch {
    if let Some(p) = stmt.get("Principal") {
        return principal_value_match(p, who);
    }
    if let Some(np) = stmt.get("NotPrincipal") {
        // AWS documents that `NotPrincipal` does not exempt a principal that has a permissions
        // boundary: for it, the statement always applies
        if has_boundary {
            return PrincipalMatch::Broad;
        }
        return match principal_value_match(np, who) {
            PrincipalMatch::No => PrincipalMatch::Broad,
            _ => PrincipalMatch::No,
        };
    }
    PrincipalMatch::No
}

fn principal_value_match(p: &Node, who: &Principal) -> PrincipalMatch {
    match p.as_str() {
        Some("*") => return PrincipalMatch::Broad,
        // `"Principal": "arn:..."` is not the documented form (POL011), but read it as `AWS`
        Some(arn) => {
            return match who {
                Principal::Arn(caller) => aws_principal_match(arn, caller),
                _ => PrincipalMatch::No,
            }
        }
        None => {}
    }
    let mut best = PrincipalMatch::No;
    for m in p.as_object().unwrap_or(&[]) {
        for v in m.value.one_or_many().iter().filter_map(Node::as_str) {
            let found = match (m.key.as_str(), who) {
                ("AWS", _) if v == "*" => PrincipalMatch::Broad,
                ("AWS", Principal::Arn(arn)) => aws_principal_match(v, arn),
                ("Service", Principal::Service(s)) if v.eq_ignore_ascii_case(s) => {
                    PrincipalMatch::Broad
                }
                ("Federated" | "CanonicalUser", Principal::Arn(arn)) if v == arn => {
                    PrincipalMatch::Direct
                }
                _ => PrincipalMatch::No,
            };
            best = best.max(found);
        }
    }
    best
}

fn aws_principal_match(value: &str, arn: &str) -> PrincipalMatch {
    // a caller given as a role ARN stands for a session of that role
    if value == arn {
        return if arn.contains(":role/") {
            PrincipalMatch::Role
        } else {
            PrincipalMatch::Direct
        };
    }
    let account = arn.split(':').nth(4).unwrap_or("");
    if value == account || value == format!("arn:aws:iam::{account}:root") {
        return PrincipalMatch::Account;
    }
    // a role ARN covers the sessions of that role
    if let Some(rest) = arn.strip_prefix("arn:aws:sts::") {
        if let Some((acct, session)) = rest.split_once(":assumed-role/") {
            let role = session.split('/').next().unwrap_or("");
            if value
                .strip_prefix(&format!("arn:aws:iam::{acct}:role/"))
                .is_some_and(|r| r.rsplit('/').next() == Some(role))
            {
                return PrincipalMatch::Role;
            }
        }
    }
    PrincipalMatch::No
}
