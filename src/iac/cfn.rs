//! CloudFormation templates (JSON or YAML, already parsed into a [`Node`] tree, short forms of
//! intrinsic functions already in long form).
//!
//! Intrinsic functions are resolved where the template itself determines the value: a `Ref` to
//! a parameter with a `Default`, pseudo parameters (`AWS::Partition`, `AWS::URLSuffix`, and
//! `AWS::AccountId` from `--account-id`), a `Ref` or `Fn::GetAtt` of a bucket, user or role with
//! a literal name, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::FindInMap` and an `Fn::If` whose
//! branches agree. Anything else becomes an unknown value.
//!
//! Resolution is paid for from a per-template [`Budget`] of steps and bytes: names that refer
//! to each other and fan out (a bucket name joined from sixteen `Ref`s of another, and so on)
//! stop with a finding instead of building gigabytes.

use super::{policy_root, string, unknown, Body, Embedded, Suppression, Template};
use crate::model::{IdentityScope, PolicyKind};
use crate::parse::json::{Issue, IssueKind, Kind, Member, Node};
use crate::parse::{weight, Budget};
use crate::source::Span;
use std::collections::HashMap;

/// Resolution goes no deeper (a `Ref` chain through names that refer to each other).
const MAX_RESOLVE_DEPTH: usize = 16;

/// Whether a parsed JSON or YAML document is a CloudFormation template.
pub fn is_template(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    root.get("Resources")
        .and_then(Node::as_object)
        .is_some_and(|rs| {
            !rs.is_empty()
                && rs.iter().all(|r| {
                    r.value
                        .get("Type")
                        .and_then(Node::as_str)
                        .is_some_and(|t| t.contains("::"))
                })
        })
}

struct Resolver<'a> {
    text: &'a str,
    root: &'a Node,
    account: Option<&'a str>,
    /// The template's resources and parameters by name (the last of a name, as
    /// [`Node::get`] finds it).
    resources: HashMap<&'a str, &'a Node>,
    parameters: HashMap<&'a str, &'a Node>,
    conditions: HashMap<&'a str, &'a Node>,
    budget: Budget,
    /// Billing ARNs built with `${AWS::Region}`, as they are read.
    region_arns: std::cell::RefCell<Vec<crate::source::Span>>,
    /// Parameter values the deployment gives.
    given: &'a [(String, String)],
    /// Which branch of every `Fn::If` this pass reads (`None`: a value only where both agree).
    branch: Option<bool>,
}

/// The members of an object by key, the last of a key winning.
fn by_key(node: Option<&Node>) -> HashMap<&str, &Node> {
    node.and_then(Node::as_object)
        .unwrap_or(&[])
        .iter()
        .map(|m| (m.key.as_str(), &m.value))
        .collect()
}

impl<'a> Resolver<'a> {
    fn new(
        text: &'a str,
        root: &'a Node,
        account: Option<&'a str>,
        given: &'a [(String, String)],
        branch: Option<bool>,
    ) -> Self {
        Resolver {
            text,
            root,
            account,
            resources: by_key(root.get("Resources")),
            parameters: by_key(root.get("Parameters")),
            conditions: by_key(root.get("Conditions")),
            budget: Budget::for_template(text.len()),
            region_arns: Default::default(),
            given,
            branch,
        }
    }
    fn resource(&self, name: &str) -> Option<&'a Node> {
        self.resources.get(name).copied()
    }
    fn parameter(&self, name: &str) -> Option<&'a Node> {
        self.parameters.get(name).copied()
    }
    /// A condition of the template's `Conditions`, when the parameters (their defaults, the
    /// values the deployment gives) determine it.
    fn condition(&self, name: &str, depth: usize) -> Option<bool> {
        let c = self.conditions.get(name).copied()?;
        self.truth(c, depth + 1)
    }

    /// The value of a condition function (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, a
    /// `Condition` reference): `None` where it is not determined. `Fn::And` with a false operand
    /// and `Fn::Or` with a true one are known whatever the others are.
    fn truth(&self, node: &Node, depth: usize) -> Option<bool> {
        if depth > MAX_RESOLVE_DEPTH || !self.spend(0) {
            return None;
        }
        let f = match node.as_object() {
            Some([f]) => f,
            _ => return node.as_str().and_then(|s| s.parse().ok()),
        };
        let args = || f.value.as_array().unwrap_or(&[]);
        match f.key.as_str() {
            "Condition" => self.condition(f.value.as_str()?, depth),
            "Fn::Equals" => {
                let [a, b] = args() else { return None };
                let (a, b) = (self.resolve(a, depth + 1)?, self.resolve(b, depth + 1)?);
                if a.has_unknown() || b.has_unknown() {
                    return None;
                }
                let scalar = Node::scalar_text;
                match (scalar(&a), scalar(&b)) {
                    (Some(x), Some(y)) => Some(x == y),
                    _ => Some(crate::schema::to_value(&a) == crate::schema::to_value(&b)),
                }
            }
            "Fn::Not" => match args() {
                [c] => self.truth(c, depth + 1).map(|b| !b),
                _ => None,
            },
            "Fn::And" | "Fn::Or" => {
                let stop = f.key == "Fn::Or";
                let mut all_known = true;
                for c in args() {
                    match self.truth(c, depth + 1) {
                        Some(b) if b == stop => return Some(stop),
                        Some(_) => {}
                        None => all_known = false,
                    }
                }
                all_known.then_some(!stop)
            }
            _ => None,
        }
    }

    /// Whether a resource is declared with a `Condition` the parameters make false: it is
    /// not created.
    fn never_created(&self, resource: &Node) -> bool {
        resource
            .get("Condition")
            .and_then(Node::as_str)
            .is_some_and(|c| self.condition(c, 0) == Some(false))
    }

    fn unknown(&self, n: &Node) -> Node {
        unknown(self.text, n.span)
    }
    /// Pay for a step and a string of `bytes`; false once the budget has run out.
    fn spend(&self, bytes: usize) -> bool {
        self.budget.spend(1, bytes)
    }
    /// `v`, once paid for.
    fn paid(&self, v: String) -> Option<String> {
        self.spend(v.len()).then_some(v)
    }
    /// A copy of `n`, once paid for.
    fn copy(&self, n: &Node) -> Option<Node> {
        let (nodes, bytes) = weight(n);
        self.budget.spend(nodes, bytes).then(|| n.clone())
    }

    /// The value of `node` with its intrinsic functions resolved. `None` for `AWS::NoValue`.
    fn resolve(&self, node: &Node, depth: usize) -> Option<Node> {
        if depth > MAX_RESOLVE_DEPTH || !self.spend(0) {
            return Some(self.unknown(node));
        }
        match &node.kind {
            Kind::Object(members) if members.len() == 1 && is_function(&members[0].key) => {
                self.function(node, &members[0], depth)
            }
            Kind::Object(members) => {
                let mut out = Vec::with_capacity(members.len());
                for m in members {
                    if !self.spend(m.key.len()) {
                        return Some(self.unknown(node));
                    }
                    if let Some(v) = self.resolve(&m.value, depth) {
                        out.push(Member {
                            key: m.key.clone(),
                            key_span: m.key_span,
                            value: v,
                        });
                    }
                }
                Some(Node {
                    kind: Kind::Object(out),
                    ..node.clone()
                })
            }
            Kind::Array(items) => Some(Node {
                kind: Kind::Array(
                    items
                        .iter()
                        .filter_map(|i| self.resolve(i, depth))
                        .collect(),
                ),
                ..node.clone()
            }),
            _ => Some(self.copy(node).unwrap_or_else(|| self.unknown(node))),
        }
    }

    fn function(&self, node: &Node, f: &Member, depth: usize) -> Option<Node> {
        let arg = &f.value;
        let known = |v: Option<String>| match v.and_then(|s| self.paid(s)) {
            Some(s) => string(s, node.span, node.span),
            None => self.unknown(node),
        };
        Some(match f.key.as_str() {
            "Ref" => match arg.as_str() {
                Some("AWS::NoValue") => return None,
                // a list parameter (`CommaDelimitedList`, `List<...>`): its default split at
                // the commas, as CloudFormation gives it
                Some(name)
                    if self.parameter(name).is_some_and(|p| {
                        p.get("Type")
                            .and_then(Node::as_str)
                            .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"))
                    }) =>
                {
                    match self.reference(name, depth) {
                        Some(list) => Node {
                            span: node.span,
                            inner: node.span,
                            kind: Kind::Array(
                                list.split(',')
                                    .map(|item| string(item.trim(), node.span, node.span))
                                    .collect(),
                            ),
                        },
                        None => self.unknown(node),
                    }
                }
                Some(name) => known(self.reference(name, depth)),
                None => self.unknown(node),
            },
            "Fn::GetAtt" => {
                let parts: Vec<String> = match &arg.kind {
                    Kind::String(s) => s.splitn(2, '.').map(str::to_string).collect(),
                    Kind::Array(a) => a
                        .iter()
                        .filter_map(|p| p.as_str().map(str::to_string))
                        .collect(),
                    _ => Vec::new(),
                };
                match parts.as_slice() {
                    [res, attr] => known(self.attribute(res, attr, depth)),
                    _ => self.unknown(node),
                }
            }
            "Fn::Sub" => {
                let (template, vars) = match &arg.kind {
                    Kind::String(_) => (arg, None),
                    Kind::Array(a) if !a.is_empty() => (&a[0], a.get(1)),
                    _ => return Some(self.unknown(node)),
                };
                let Some(t) = template.as_str() else {
                    return Some(self.unknown(node));
                };
                if super::deployment_region_arn(t) {
                    if let Ok(mut r) = self.region_arns.try_borrow_mut() {
                        if !r.contains(&template.span) {
                            r.push(template.span);
                        }
                    }
                }
                match self.substitute(t, vars, depth).and_then(|s| self.paid(s)) {
                    // underline the string, not the function name
                    Some(v) => string(v, template.span, template.inner),
                    None => self.unknown(node),
                }
            }
            "Fn::Join" => {
                let joined = arg.as_array().and_then(|a| {
                    let delim = a.first()?.as_str()?;
                    let list = self.resolve(a.get(1)?, depth + 1)?;
                    let parts: Option<Vec<&str>> =
                        list.as_array()?.iter().map(Node::as_str).collect();
                    Some(parts?.join(delim))
                });
                known(joined)
            }
            "Fn::Select" => {
                let picked = arg.as_array().and_then(|a| {
                    let index = self.resolve(a.first()?, depth + 1)?;
                    let i: usize = match &index.kind {
                        Kind::Number(n) | Kind::String(n) => n.parse().ok()?,
                        _ => return None,
                    };
                    let list = self.resolve(a.get(1)?, depth + 1)?;
                    self.copy(list.as_array()?.get(i)?)
                });
                match picked {
                    Some(v) if !v.is_unknown() => Node {
                        span: node.span,
                        inner: node.span,
                        kind: v.kind,
                    },
                    _ => self.unknown(node),
                }
            }
            "Fn::FindInMap" => {
                let found = arg.as_array().and_then(|a| {
                    let keys: Vec<Node> = a
                        .iter()
                        .take(3)
                        .map(|k| self.resolve(k, depth + 1))
                        .collect::<Option<_>>()?;
                    let names: Vec<&str> = keys.iter().map(Node::as_str).collect::<Option<_>>()?;
                    let v = self
                        .root
                        .get("Mappings")?
                        .get(names.first()?)?
                        .get(names.get(1)?)?
                        .get(names.get(2)?)?;
                    self.resolve(v, depth + 1)
                });
                match found {
                    Some(v) if !v.has_unknown() => v,
                    _ => self.unknown(node),
                }
            }
            // a condition the parameters determine: its branch, in every pass
            "Fn::If"
                if arg.as_array().is_some_and(|a| {
                    a.len() == 3
                        && a[0]
                            .as_str()
                            .is_some_and(|c| self.condition(c, depth).is_some())
                }) =>
            {
                let a = arg.as_array().unwrap_or(&[]);
                let known = a[0].as_str().and_then(|c| self.condition(c, depth));
                let side = if known == Some(true) { 1 } else { 2 };
                return self.resolve(&a[side], depth + 1);
            }
            // a pass that reads one side of every condition: that branch (its
            // `AWS::NoValue` removes the property)
            "Fn::If" if self.branch.is_some() && arg.as_array().is_some_and(|a| a.len() == 3) => {
                let a = arg.as_array().unwrap_or(&[]);
                let side = if self.branch == Some(true) { 1 } else { 2 };
                return self.resolve(&a[side], depth + 1);
            }
            "Fn::If" => {
                let branches = arg.as_array().filter(|a| a.len() == 3).map(|a| {
                    (
                        self.resolve(&a[1], depth + 1),
                        self.resolve(&a[2], depth + 1),
                    )
                });
                match branches {
                    Some((Some(x), Some(y)))
                        if !x.has_unknown()
                            && crate::schema::to_value(&x) == crate::schema::to_value(&y) =>
                    {
                        x
                    }
                    _ => self.unknown(node),
                }
            }
            _ => self.unknown(node),
        })
    }

    /// The value of `Ref name`, when the template determines it.
    fn reference(&self, name: &str, depth: usize) -> Option<String> {
        match name {
            "AWS::Partition" => return Some("aws".into()),
            "AWS::URLSuffix" => return Some("amazonaws.com".into()),
            "AWS::AccountId" => return self.account.map(str::to_string),
            n if n.starts_with("AWS::") => return None,
            _ => {}
        }
        if let Some(p) = self.parameter(name) {
            // a value the deployment gives (`--parameter`, `--parameters`) wins over the default
            if let Some((_, v)) = self.given.iter().rev().find(|(k, _)| k == name) {
                return self.paid(v.clone());
            }
            let d = self.resolve(p.get("Default")?, depth + 1)?;
            return match &d.kind {
                // an empty default is a value the deployer is expected to give
                Kind::String(s) | Kind::Number(s) if !s.is_empty() => self.paid(s.clone()),
                _ => None,
            };
        }
        let r = self.resource(name)?;
        let ty = r.get("Type")?.as_str()?;
        let prop = match ty {
            "AWS::S3::Bucket" => "BucketName",
            "AWS::IAM::User" => "UserName",
            "AWS::IAM::Role" => "RoleName",
            "AWS::IAM::Group" => "GroupName",
            "AWS::CUR::ReportDefinition" => "ReportName",
            _ => return None,
        };
        self.property(r, prop, depth)
    }

    fn property(&self, resource: &Node, prop: &str, depth: usize) -> Option<String> {
        let v = self.resolve(resource.get("Properties")?.get(prop)?, depth + 1)?;
        self.paid(v.as_str()?.to_string())
    }

    /// The value of `Fn::GetAtt [res, attr]`, when the template determines it.
    fn attribute(&self, res: &str, attr: &str, depth: usize) -> Option<String> {
        let r = self.resource(res)?;
        let ty = r.get("Type")?.as_str()?;
        match (ty, attr) {
            ("AWS::S3::Bucket", "Arn") => Some(format!(
                "arn:aws:s3:::{}",
                self.property(r, "BucketName", depth)?
            )),
            ("AWS::S3::Bucket", "DomainName") => Some(format!(
                "{}.s3.amazonaws.com",
                self.property(r, "BucketName", depth)?
            )),
            ("AWS::IAM::User" | "AWS::IAM::Role", "Arn") => {
                let (kind, prop) = if ty == "AWS::IAM::User" {
                    ("user", "UserName")
                } else {
                    ("role", "RoleName")
                };
                let name = self.property(r, prop, depth)?;
                let path = match r.get("Properties").and_then(|p| p.get("Path")) {
                    Some(p) => self.resolve(p, depth + 1)?.as_str()?.to_string(),
                    None => "/".to_string(),
                };
                Some(format!("arn:aws:iam::{}:{kind}{path}{name}", self.account?))
            }
            _ => None,
        }
    }

    /// `Fn::Sub`: every `${Name}` replaced, or `None` when one is not determined.
    fn substitute(&self, template: &str, vars: Option<&Node>, depth: usize) -> Option<String> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let end = after.find('}')?;
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                let from_map = vars
                    .and_then(|v| v.get(name))
                    .and_then(|v| self.resolve(v, depth + 1))
                    .and_then(|v| v.as_str().map(str::to_string));
                let value = match from_map {
                    Some(v) => v,
                    None if vars.and_then(|v| v.get(name)).is_some() => return None,
                    None => match name.split_once('.') {
                        Some((res, attr)) if self.resource(res).is_some() => {
                            self.attribute(res, attr, depth)?
                        }
                        _ => self.reference(name, depth)?,
                    },
                };
                out.push_str(&value);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}

fn is_function(key: &str) -> bool {
    key == "Ref" || key.starts_with("Fn::")
}

/// The names a `Users`/`Roles`/`Groups` list or a `Ref` refers to.
fn refs_in(node: Option<&Node>) -> Vec<String> {
    let mut out = Vec::new();
    for n in node.map(Node::one_or_many).unwrap_or(&[]) {
        match n.get("Ref").and_then(Node::as_str) {
            Some(r) => out.push(r.to_string()),
            None => {
                if let Some(s) = n.as_str() {
                    out.push(s.to_string());
                } else if let Some(g) = n.get("Fn::GetAtt") {
                    // `!GetAtt Policy.PolicyArn`, `{"Fn::GetAtt": ["Policy", "PolicyArn"]}`:
                    // the logical ID
                    let logical = match g.as_str() {
                        Some(s) => s.split('.').next(),
                        None => g.as_array().and_then(|a| a.first()).and_then(Node::as_str),
                    };
                    out.extend(logical.map(str::to_string));
                }
            }
        }
    }
    out
}

/// Read a template's documents. `json` says whether the text is JSON (policy strings are then
/// JSON string literals); `account` is `--account-id`.
pub fn extract(
    text: &str,
    root: &Node,
    json: bool,
    account: Option<&str>,
    given: &[(String, String)],
    branch: Option<bool>,
) -> Template {
    let r = Resolver::new(text, root, account, given, branch);
    let mut t = Template {
        format: "CloudFormation template",
        ..Default::default()
    };
    let Some(resources) = root.get("Resources").and_then(Node::as_object) else {
        return t;
    };
    // the platform's user: the one an access key is made for, else the only user
    let users: Vec<&str> = resources
        .iter()
        .filter(|m| m.value.get("Type").and_then(Node::as_str) == Some("AWS::IAM::User"))
        .map(|m| m.key.as_str())
        .collect();
    let keyed: Vec<String> = resources
        .iter()
        .filter(|m| m.value.get("Type").and_then(Node::as_str) == Some("AWS::IAM::AccessKey"))
        .flat_map(|m| refs_in(m.value.get("Properties").and_then(|p| p.get("UserName"))))
        .collect();
    let users_declared = users.clone();
    let platform_user: Option<String> = keyed
        .first()
        .cloned()
        .or_else(|| (users.len() == 1).then(|| users[0].to_string()));
    // managed policies attached through a user's `ManagedPolicyArns`: whether one of the
    // users they are attached to is the platform's
    let mut attached: HashMap<String, bool> = HashMap::new();
    for u in resources
        .iter()
        .filter(|m| m.value.get("Type").and_then(Node::as_str) == Some("AWS::IAM::User"))
    {
        let is_platform = platform_user.as_deref().is_none_or(|p| p == u.key);
        for a in refs_in(
            u.value
                .get("Properties")
                .and_then(|p| p.get("ManagedPolicyArns")),
        ) {
            *attached.entry(a).or_default() |= is_platform;
        }
    }
    let attached_to_user = |policy: &str| -> Option<bool> { attached.get(policy).copied() };
    // the first bucket policy of each bucket (`Bucket: !Ref Name`)
    let mut bucket_policies: HashMap<&str, &str> = HashMap::new();
    for m in resources {
        if m.value.get("Type").and_then(Node::as_str) == Some("AWS::S3::BucketPolicy")
            && !r.never_created(&m.value)
        {
            if let Some(target) = m
                .value
                .get("Properties")
                .and_then(|p| p.get("Bucket"))
                .and_then(|b| b.get("Ref"))
                .and_then(Node::as_str)
            {
                bucket_policies.entry(target).or_insert(m.key.as_str());
            }
        }
    }
    for res in resources {
        let Some(ty) = res.value.get("Type").and_then(Node::as_str) else {
            continue;
        };
        suppressions(text, res, &mut t.suppressions);
        // a resource whose `Condition` is false for the parameters given is not created
        if r.never_created(&res.value) {
            continue;
        }
        let Some(props_raw) = res.value.get("Properties") else {
            continue;
        };
        let resolved = r.resolve(props_raw, 0);
        if let Some(e) = r.budget.exceeded() {
            // what was resolved is incomplete: one finding, at the resource, and no documents
            return Template {
                format: t.format,
                issues: vec![Issue {
                    kind: IssueKind::Limit,
                    span: res.key_span,
                    message: format!(
                        "the template expands to {} (intrinsic functions included)",
                        e.describe("resolution steps")
                    ),
                    related: None,
                }],
                ..Default::default()
            };
        }
        let Some(props) = resolved else {
            continue;
        };
        let name = res.key.clone();
        let scope = Span::new(res.key_span.start, res.value.span.end);
        let mut push = |body: Body| {
            t.docs.push(Embedded {
                resource: name.clone(),
                scope,
                body,
                used_by: None,
            })
        };
        let policy = |doc: Option<&Node>,
                      kind: PolicyKind,
                      for_platform: bool,
                      issues: &mut Vec<Issue>|
         -> Option<Body> {
            let doc = doc?;
            // a JSON string in a JSON template is a JSON literal; in YAML, aligned
            let literal = json && text.as_bytes().get(doc.span.start) == Some(&b'"');
            let root = policy_root(text, doc, literal, issues)?;
            Some(Body::Policy {
                kind: Some(kind),
                root,
                for_platform,
            })
        };
        let mut issues = Vec::new();
        // attached to the platform's user (or to a user the template does not declare)
        let for_user = |list: Option<&Node>, roles: Option<&Node>| -> bool {
            let users = refs_in(list);
            if !users.is_empty() {
                return match &platform_user {
                    Some(p) => users
                        .iter()
                        .any(|u| u == p || !users_declared.contains(&u.as_str())),
                    None => true,
                };
            }
            refs_in(roles).is_empty() || platform_user.is_none()
        };
        match ty {
            // an SCP or RCP (the other Organizations policy types are not IAM policies)
            "AWS::Organizations::Policy" => {
                let kind = PolicyKind::from_organizations_type(
                    props_raw.get("Type").and_then(Node::as_str),
                );
                if let Some(b) =
                    kind.and_then(|k| policy(props.get("Content"), k, false, &mut issues))
                {
                    push(b);
                }
            }
            "AWS::S3::BucketPolicy" => {
                if let Some(b) = policy(
                    props.get("PolicyDocument"),
                    PolicyKind::Bucket,
                    true,
                    &mut issues,
                ) {
                    push(b);
                }
            }
            // a policy of the users, roles and groups it names, and the inline policy
            // resources of one role, user or group
            "AWS::IAM::Policy"
            | "AWS::IAM::RolePolicy"
            | "AWS::IAM::UserPolicy"
            | "AWS::IAM::GroupPolicy" => {
                let p = props_raw;
                let (scope, fp) = match ty {
                    "AWS::IAM::RolePolicy" => (IdentityScope::RoleInline, platform_user.is_none()),
                    "AWS::IAM::UserPolicy" => {
                        (IdentityScope::UserInline, for_user(p.get("UserName"), None))
                    }
                    "AWS::IAM::GroupPolicy" => (IdentityScope::GroupInline, true),
                    _ => {
                        let scope = if p.get("Users").is_some() {
                            IdentityScope::UserInline
                        } else if p.get("Roles").is_some() {
                            IdentityScope::RoleInline
                        } else if p.get("Groups").is_some() {
                            IdentityScope::GroupInline
                        } else {
                            IdentityScope::Managed
                        };
                        (scope, for_user(p.get("Users"), p.get("Roles")))
                    }
                };
                if let Some(b) = policy(
                    props.get("PolicyDocument"),
                    PolicyKind::Identity(scope),
                    fp,
                    &mut issues,
                ) {
                    push(b);
                }
            }
            "AWS::IAM::ManagedPolicy" => {
                let p = props_raw;
                let fp = attached_to_user(&res.key)
                    .unwrap_or_else(|| for_user(p.get("Users"), p.get("Roles")));
                if let Some(b) = policy(
                    props.get("PolicyDocument"),
                    PolicyKind::Identity(IdentityScope::Managed),
                    fp,
                    &mut issues,
                ) {
                    push(b);
                }
            }
            "AWS::IAM::User" | "AWS::IAM::Role" | "AWS::IAM::Group" => {
                let (scope, fp) = match ty {
                    "AWS::IAM::User" => (
                        IdentityScope::UserInline,
                        platform_user.as_deref().is_none_or(|p| p == res.key),
                    ),
                    "AWS::IAM::Role" => (IdentityScope::RoleInline, platform_user.is_none()),
                    _ => (IdentityScope::GroupInline, false),
                };
                if ty == "AWS::IAM::Role" {
                    // the platform's role, unless `--role` names another (`apply_role`)
                    if let Some(b) = policy(
                        props.get("AssumeRolePolicyDocument"),
                        PolicyKind::Trust,
                        true,
                        &mut issues,
                    ) {
                        push(b);
                    }
                }
                for p in props
                    .get("Policies")
                    .and_then(Node::as_array)
                    .unwrap_or(&[])
                {
                    if let Some(b) = policy(
                        p.get("PolicyDocument"),
                        PolicyKind::Identity(scope),
                        fp,
                        &mut issues,
                    ) {
                        push(b);
                    }
                }
            }
            // SAM: `Policies` is a managed policy's name, a policy template, a policy
            // document, or a list of those; the documents are the function's role's inline
            // policies (names and policy templates are AWS's own, not checked here)
            t if t.starts_with("AWS::Serverless::") => {
                for p in props.get("Policies").map(Node::one_or_many).unwrap_or(&[]) {
                    if p.get("Statement").is_none() {
                        continue;
                    }
                    if let Some(b) = policy(
                        Some(p),
                        PolicyKind::Identity(IdentityScope::RoleInline),
                        false,
                        &mut issues,
                    ) {
                        push(b);
                    }
                }
            }
            "AWS::CUR::ReportDefinition" | "AWS::BCMDataExports::Export" => {
                if let Some(link) = link(&r, &bucket_policies, res, ty) {
                    t.links.push(link);
                }
            }
            _ => {}
        }
        match ty {
            "AWS::CUR::ReportDefinition" => {
                // CloudFormation converts "true" and "false" for a Boolean property, and
                // `AdditionalSchemaElements` is optional there (no element: no resource IDs,
                // which CUR002 says)
                let mut props = props;
                if let Kind::Object(members) = &mut props.kind {
                    if !members.iter().any(|m| m.key == "AdditionalSchemaElements") {
                        let at = props.span;
                        let at = crate::source::Span::new(at.start, at.start);
                        t.defaults.push(super::Omitted {
                            span: at,
                            message: "`AdditionalSchemaElements` is not set, so the report does not include resource IDs".into(),
                            help: "add `AdditionalSchemaElements: [RESOURCES]` (\"Include resource IDs\")".into(),
                        });
                        members.push(super::member(
                            "AdditionalSchemaElements",
                            at,
                            Node {
                                span: at,
                                inner: at,
                                kind: Kind::Array(Vec::new()),
                            },
                        ));
                    }
                    for m in members
                        .iter_mut()
                        .filter(|m| m.key == "RefreshClosedReports")
                    {
                        match m.value.as_str() {
                            Some(t) if t.eq_ignore_ascii_case("true") => {
                                m.value.kind = Kind::Bool(true)
                            }
                            Some(t) if t.eq_ignore_ascii_case("false") => {
                                m.value.kind = Kind::Bool(false)
                            }
                            _ => {}
                        }
                    }
                }
                push(Body::Report(props))
            }
            "AWS::BCMDataExports::Export" => {
                if let Some(e) = props.get("Export") {
                    push(Body::Export(e.clone()));
                }
            }
            _ => {}
        }
        t.issues.append(&mut issues);
    }
    t.region_arns = r.region_arns.take();
    t.not_allowed = not_allowed(root, given);
    t
}

/// The parameters whose value is not one of their `AllowedValues`: the value the deployment
/// gives, else the `Default` (each element of a list parameter). CloudFormation refuses to
/// create or update the stack with it.
fn not_allowed(root: &Node, given: &[(String, String)]) -> Vec<super::NotAllowed> {
    let mut out = Vec::new();
    for p in root
        .get("Parameters")
        .and_then(Node::as_object)
        .unwrap_or(&[])
    {
        let Some(allowed) = p.value.get("AllowedValues") else {
            continue;
        };
        let scalar = Node::scalar_text;
        let Some(values) = allowed
            .one_or_many()
            .iter()
            .map(scalar)
            .collect::<Option<Vec<String>>>()
        else {
            continue;
        };
        let list = p
            .value
            .get("Type")
            .and_then(Node::as_str)
            .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
        let (value, at, from_deployment) = match given.iter().rev().find(|(k, _)| *k == p.key) {
            Some((_, v)) => (v.clone(), allowed.span, true),
            None => match p.value.get("Default") {
                Some(d) => match scalar(d) {
                    Some(v) => (v, d.inner_span(), false),
                    None => continue,
                },
                None => continue,
            },
        };
        let items: Vec<&str> = if list {
            value.split(',').map(str::trim).collect()
        } else {
            vec![value.as_str()]
        };
        if let Some(bad) = items.iter().find(|v| !values.iter().any(|a| a == *v)) {
            let no_echo = p.value.get("NoEcho").is_some_and(|n| match &n.kind {
                Kind::Bool(b) => *b,
                Kind::String(s) => s.eq_ignore_ascii_case("true"),
                _ => false,
            });
            out.push(super::NotAllowed {
                secret: no_echo
                    || crate::secrets::names_secret(&p.key)
                    || crate::secrets::shaped(bad),
                at,
                parameter: p.key.clone(),
                value: bad.to_string(),
                allowed: values.clone(),
                given: from_deployment,
            });
        }
    }
    out
}

/// The bucket an export delivers to, when the template creates it: its policy and whether the
/// export waits for it.
fn link(
    r: &Resolver,
    bucket_policies: &HashMap<&str, &str>,
    res: &Member,
    ty: &str,
) -> Option<super::Link> {
    let props = res.value.get("Properties")?;
    let bucket_node = if ty == "AWS::CUR::ReportDefinition" {
        props.get("S3Bucket")?
    } else {
        props
            .get("Export")?
            .get("DestinationConfigurations")?
            .get("S3Destination")?
            .get("S3Bucket")?
    };
    let target = bucket_node.get("Ref")?.as_str()?;
    let bucket = r.resource(target)?;
    if bucket.get("Type").and_then(Node::as_str) != Some("AWS::S3::Bucket") {
        return None;
    }
    let policy = bucket_policies.get(target).map(|p| p.to_string());
    let depends = refs_in(res.value.get("DependsOn"));
    let ordered = policy.as_ref().is_some_and(|p| depends.contains(p));
    Some(super::Link {
        export: res.key.clone(),
        at: bucket_node.span,
        bucket: target.to_string(),
        policy,
        ordered,
    })
}

/// `Metadata: {finops-lint: {ignore: [{rules: [CODE], reason: why}]}}` on a resource.
fn suppressions(text: &str, res: &Member, out: &mut Vec<Suppression>) {
    let Some(meta) = res.value.get("Metadata").and_then(|m| m.get("finops-lint")) else {
        return;
    };
    let scope = Span::new(res.key_span.start, res.value.span.end);
    let entries = meta.get("ignore").map(Node::one_or_many).unwrap_or(&[]);
    if entries.is_empty() {
        out.push(Suppression {
            rules: Vec::new(),
            reason: None,
            span: meta.span,
            scope,
        });
    }
    for e in entries {
        let rules: Vec<(String, Span)> = e
            .get("rules")
            .or_else(|| e.get("rule"))
            .map(Node::one_or_many)
            .unwrap_or(&[])
            .iter()
            .map(|n| match n.as_str() {
                Some(s) => (s.to_string(), n.inner_span()),
                None => (super::written(text, n.span), n.span),
            })
            .collect();
        let reason = e
            .get("reason")
            .and_then(Node::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        out.push(Suppression {
            rules,
            reason,
            span: e.span,
            scope,
        });
    }
}

/// `--role NAME`: the platform connects as this role (its logical ID, or its `RoleName`), so the
/// platform's policies are the role's own, those that name it in `Roles`, and the managed
/// policies of its `ManagedPolicyArns`; the others are not. A template that does not declare
/// the role is left as read.
pub fn apply_role(root: &Node, role: &str, t: &mut Template) {
    let Some(resources) = root.get("Resources").and_then(Node::as_object) else {
        return;
    };
    let ty = |m: &Member| {
        m.value
            .get("Type")
            .and_then(Node::as_str)
            .map(str::to_string)
    };
    fn props(m: &Member) -> Option<&Node> {
        m.value.get("Properties")
    }
    let Some(the_role) = resources.iter().find(|m| {
        ty(m).as_deref() == Some("AWS::IAM::Role")
            && (m.key == role
                || props(m)
                    .and_then(|p| p.get("RoleName"))
                    .and_then(Node::as_str)
                    == Some(role))
    }) else {
        return;
    };
    let logical = the_role.key.as_str();
    t.role_names.push(logical.to_string());
    let declared = props(the_role)
        .and_then(|p| p.get("RoleName"))
        .and_then(Node::as_str);
    t.role_names.extend(declared.map(str::to_string));
    // a policy names the role by its logical ID, by `--role`, or by its declared name
    let names_it = |r: &String| r == logical || r == role || Some(r.as_str()) == declared;
    let arns = refs_in(props(the_role).and_then(|p| p.get("ManagedPolicyArns")));
    let defined = |a: &String| resources.iter().any(|m| &m.key == a);
    let listed = props(the_role)
        .and_then(|p| p.get("ManagedPolicyArns"))
        .map(|n| n.one_or_many().len())
        .unwrap_or(0);
    t.role_policies_outside |= listed > arns.iter().filter(|a| defined(a)).count();
    let platform: std::collections::HashSet<&str> = resources
        .iter()
        .filter(|m| match ty(m).as_deref() {
            Some("AWS::IAM::Role") => m.key == logical,
            Some("AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") => {
                refs_in(props(m).and_then(|p| p.get("Roles")))
                    .iter()
                    .any(names_it)
                    || arns.contains(&m.key)
            }
            Some("AWS::IAM::RolePolicy") => refs_in(props(m).and_then(|p| p.get("RoleName")))
                .iter()
                .any(names_it),
            _ => false,
        })
        .map(|m| m.key.as_str())
        .collect();
    for d in &mut t.docs {
        match &mut d.body {
            Body::Policy {
                kind: Some(PolicyKind::Identity(_)),
                for_platform,
                ..
            } => *for_platform = platform.contains(d.resource.as_str()),
            // the trust policies of the template's other roles are not the platform's
            Body::Policy {
                kind: Some(PolicyKind::Trust),
                for_platform,
                ..
            } => *for_platform = d.resource == logical,
            _ => {}
        }
    }
}
