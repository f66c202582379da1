//! Infrastructure as code: the documents a CloudFormation template, a Terraform configuration
//! (HCL) or a Terraform plan (`terraform show -json`) declares, lowered to the shapes the rules
//! read (policy documents, the CUR 2.0 `Export`, the legacy `ReportDefinition`), every value
//! keeping the span of the template text it came from. What the template does not determine is
//! [`Kind::Unknown`](crate::parse::json::Kind::Unknown), and never a false alarm.

pub mod cfn;
pub mod hcl;
pub mod plan;

use crate::model::PolicyKind;
use crate::parse::embedded;
use crate::parse::json::{self, Issue, Kind, Member, Node};
use crate::source::Span;

/// How `file("...")` is read, where the template leaves the policy in another file: an unknown
/// value whose text starts with this mark, then the path.
pub const FILE_MARK: &str = "\u{1}file:";

/// The same for `templatefile(path, vars)`: the mark, the path, `\u{1}`, then the variables the
/// configuration determines as a JSON object of strings.
pub const TEMPLATE_MARK: &str = "\u{1}template:";

/// A policy a template reads from another file (`policy = file("policies/read.json")`): the run
/// checks that file as a policy of this kind.
#[derive(Debug, Clone)]
pub struct Include {
    /// The path as written, relative to the template's folder.
    pub path: String,
    pub kind: PolicyKind,
    /// The `file(...)` call, where a file that cannot be read is reported.
    pub at: Span,
    /// For `templatefile(...)`: the variables the configuration determines (the others are
    /// unknown), substituted into the file's strings before it is checked.
    pub vars: Option<Vec<(String, String)>>,
}

/// One document a template declares.
#[derive(Debug)]
pub struct Embedded {
    /// How the user names the resource: `BillingBucketPolicy`, `aws_s3_bucket_policy.billing`.
    pub resource: String,
    /// The resource's whole text, for the suppressions written on it.
    pub scope: Span,
    pub body: Body,
    /// The resource that uses this document, when it is declared apart from it (a policy
    /// document data source): findings name it.
    pub used_by: Option<String>,
}

#[derive(Debug)]
pub enum Body {
    Policy {
        /// `None` when the template does not say (a policy-document data source used nowhere
        /// in the file): the kind is then inferred from the statements, as for a bare file.
        kind: Option<PolicyKind>,
        root: Node,
        /// False when the policy is attached only to principals other than the platform's.
        for_platform: bool,
    },
    /// A CUR 2.0 export in the API's `Export` shape.
    Export(Node),
    /// A legacy report in the API's `ReportDefinition` shape.
    Report(Node),
}

/// A rule silenced for one resource, written in the template.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// Rule codes or names as written.
    pub rules: Vec<(String, Span)>,
    pub reason: Option<String>,
    /// The suppression's own text.
    pub span: Span,
    /// The resource it applies to.
    pub scope: Span,
}

/// What a template declares.
#[derive(Debug, Default)]
pub struct Template {
    /// "CloudFormation template", "Terraform configuration", "Terraform plan".
    pub format: &'static str,
    /// The names of the role `--role` names, as the template declares it (`apply_role`).
    pub role_names: Vec<String>,
    /// That role has policies the template does not hold (an AWS-managed policy's ARN).
    pub role_policies_outside: bool,
    pub docs: Vec<Embedded>,
    /// Syntax problems, of the template or of a policy held in a string.
    pub issues: Vec<Issue>,
    pub suppressions: Vec<Suppression>,
    /// Exports whose bucket the template creates, and how the bucket's policy is ordered
    /// before them.
    pub links: Vec<Link>,
    /// Legacy reports created through a provider of another region than us-east-1: the
    /// report (or its `provider` argument) and that region.
    pub cur_regions: Vec<(Span, String)>,
    /// Policies read from other files.
    pub includes: Vec<Include>,
    /// Every value of a template that is not a JSON or YAML document (HCL), for the secret scan.
    pub values: Option<Node>,
    /// Values the template leaves out and a default supplies: a finding at `span` is about the
    /// omission, and says so.
    pub defaults: Vec<Omitted>,
    /// The kinds of cost export the configuration declares across its module (a Terraform
    /// folder's files), when it is read more widely than `docs`: (legacy reports, CUR 2.0
    /// exports of the cost and usage table).
    pub declared: Option<(bool, bool)>,
    /// Billing ARNs (`arn:aws:cur:...`, `arn:aws:bcm-data-exports:...`) built with the
    /// deployment's region (`${AWS::Region}`, `data.aws_region.*`, `var.region`): the text.
    pub region_arns: Vec<Span>,
    /// Values read through a reference (a variable's default, a local of the same file) that
    /// keep the place they are written: (where written, where used).
    pub relocated: Vec<(Span, Span)>,
    /// Whether a conditional whose condition is not known, with branches that differ, was
    /// read: a pass reading each branch may find more (Terraform).
    pub branched: bool,
    /// In a pass that reads one branch of every such conditional: the branches' text. A
    /// finding of that pass inside one of them holds in that branch.
    pub picked: Vec<Span>,
    /// The files of the local modules this file calls, read with the values of the call.
    pub calls: Vec<ModuleCall>,
    /// CloudFormation parameters whose value (the deployment's, else the `Default`) is not one
    /// of their `AllowedValues`: where to report it, the parameter, the value and whether the
    /// deployment gave it.
    pub not_allowed: Vec<NotAllowed>,
    /// When `branched`: the template read again, once with the first branch of every such
    /// conditional and once with the second.
    pub passes: Vec<Template>,
    /// Whether the documents read a value a calling module gives (a module's file read for a
    /// call: without one, it reads as on its own).
    pub inputs_read: bool,
}

/// A CloudFormation parameter value outside its `AllowedValues` (see [`Template::not_allowed`]).
#[derive(Debug, Clone)]
pub struct NotAllowed {
    pub at: Span,
    pub parameter: String,
    pub value: String,
    pub allowed: Vec<String>,
    pub given: bool,
    /// The value may be a secret: the parameter is `NoEcho`, its name names a secret, or the
    /// value has a secret's shape. Messages show only its start.
    pub secret: bool,
}

/// A file of a local module that a configuration calls (`module "x" { source = "./x" }`), read
/// with the values the call gives to its variables, and as it reads on its own. Its positions
/// are in `text`: the caller's text, a line break, then the module file's; a finding of `with`
/// before the module file is at the caller's text (a value the call gives).
#[derive(Debug)]
pub struct ModuleCall {
    /// The call's name (`module "cur"`), its source as written and the module's file.
    pub module: String,
    pub source: String,
    pub file: String,
    /// The call's label in the caller.
    pub at: Span,
    pub text: String,
    pub with: Box<Template>,
    pub alone: Box<Template>,
}

/// Whether a template string (as written) builds a billing service's ARN with the region of
/// the deployment, where AWS always writes us-east-1.
pub fn deployment_region_arn(written: &str) -> bool {
    ["cur:${", "bcm-data-exports:${"].iter().any(|service| {
        written.match_indices(service).any(|(at, _)| {
            let rest = &written[at + service.len()..];
            let inner = rest.split('}').next().unwrap_or("");
            inner.to_ascii_lowercase().contains("region")
        })
    })
}

/// Whether a Data Exports export (API shape) reads the cost and usage table (or a table not
/// determined): the exports of other tables (recommendations, FOCUS, carbon) are not CUR 2.0.
pub fn is_cur2_export(export: &Node) -> bool {
    let Some(q) = export.get("DataQuery") else {
        return true;
    };
    let query = q.get("QueryStatement");
    let tables = q.get("TableConfigurations").and_then(Node::as_object);
    match (query.and_then(Node::as_str), tables) {
        (Some(text), _) => text.to_ascii_uppercase().contains("COST_AND_USAGE_REPORT"),
        (None, Some(t)) if !t.is_empty() => t.iter().any(|m| m.key == "COST_AND_USAGE_REPORT"),
        _ => true,
    }
}

/// An export (or legacy report) that delivers to a bucket the same template creates.
#[derive(Debug, Clone)]
pub struct Link {
    /// The export's resource name and the span of its bucket setting.
    pub export: String,
    pub at: Span,
    /// The bucket resource (`BillingBucket`, `aws_s3_bucket.billing`).
    pub bucket: String,
    /// The bucket policy resource the template declares for that bucket.
    pub policy: Option<String>,
    /// Whether the export is created only after that policy (`DependsOn`, `depends_on`).
    pub ordered: bool,
}

/// A setting left out of a template, whose default a finding may be about.
#[derive(Debug, Clone)]
pub struct Omitted {
    pub span: Span,
    pub message: String,
    pub help: String,
}

/// A Terraform resource: its type, address and attributes (nested blocks as arrays of objects).
pub struct TfResource<'a> {
    pub ty: &'a str,
    pub address: &'a str,
    pub values: &'a Node,
    /// The resource's whole text.
    pub scope: Span,
    /// Where an omitted setting is reported: the resource's type label.
    pub at: Span,
}

/// The text a template wrote a value with, for naming an unknown value: on one line, at most
/// 80 characters. Reads only as far as it shows, so naming a long expression costs no more
/// than naming a short one.
pub fn written(source: &str, span: Span) -> String {
    let t = source.get(span.start..span.end).unwrap_or("");
    let mut one_line = String::new();
    let mut count = 0;
    let mut space = false;
    for c in t.chars() {
        if c.is_whitespace() {
            space = count > 0;
            continue;
        }
        if space {
            one_line.push(' ');
            count += 1;
            space = false;
        }
        one_line.push(c);
        count += 1;
        if count > 80 {
            let cut: String = one_line.chars().take(77).collect();
            return format!("{cut}...");
        }
    }
    one_line
}

pub fn unknown(source: &str, span: Span) -> Node {
    Node {
        span,
        inner: span,
        kind: Kind::Unknown(written(source, span)),
    }
}

pub fn string(value: impl Into<String>, span: Span, inner: Span) -> Node {
    Node {
        span,
        inner,
        kind: Kind::String(value.into()),
    }
}

pub fn object(members: Vec<Member>, span: Span) -> Node {
    Node {
        span,
        inner: span,
        kind: Kind::Object(members),
    }
}

pub fn member(key: &str, key_span: Span, value: Node) -> Member {
    Member {
        key: key.to_string(),
        key_span,
        value,
    }
}

/// A template's policy attribute as a policy document: an object as it is, a JSON string
/// parsed with its positions ([`policy_from_string`]); `None` for anything else (unknown).
pub fn policy_root(
    source: &str,
    attr: &Node,
    json_literal: bool,
    issues: &mut Vec<Issue>,
) -> Option<Node> {
    match &attr.kind {
        Kind::Object(_) => Some(attr.clone()),
        Kind::String(_) => policy_from_string(source, attr, json_literal, issues),
        _ => None,
    }
}

/// A policy written as a JSON string inside a template: parse it with its positions mapped back
/// to the template. `json_literal` says whether the string is a JSON string literal (its escapes
/// are decoded exactly); otherwise the decoded text is aligned with the written one.
pub fn policy_from_string(
    source: &str,
    node: &Node,
    json_literal: bool,
    issues: &mut Vec<Issue>,
) -> Option<Node> {
    let text = node.as_str()?;
    let decoded = if json_literal {
        embedded::string_literal(source, node)
            .unwrap_or_else(|| embedded::align(text, source, node.inner))
    } else {
        embedded::align(text, source, node.inner)
    };
    let parsed = json::parse_text(&decoded.text, &decoded);
    issues.extend(parsed.issues);
    parsed.root
}

/// `s3_output_configurations` → `S3OutputConfigurations`.
fn pascal(key: &str) -> String {
    key.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

/// Attributes and meta-arguments of Terraform that are not settings of the AWS resource.
const TERRAFORM_ONLY: &[&str] = &[
    "tags",
    "tags_all",
    "id",
    "arn",
    "timeouts",
    "provider",
    "count",
    "for_each",
    "depends_on",
    "lifecycle",
    "provisioner",
    "connection",
];

/// A Terraform resource's attributes (nested blocks as arrays of objects, as `terraform show
/// -json` writes them) in the API's shape: keys in PascalCase, single blocks as objects, unset
/// (null) attributes left out. The keys of `table_configurations` are data, kept as written.
fn api_shape(node: &Node) -> Node {
    match &node.kind {
        Kind::Object(members) => {
            let out = members
                .iter()
                .filter(|m| !matches!(m.value.kind, Kind::Null))
                .filter(|m| !TERRAFORM_ONLY.contains(&m.key.as_str()))
                .map(|m| {
                    let value = if m.key == "table_configurations" {
                        m.value.clone()
                    } else {
                        api_shape(&m.value)
                    };
                    Member {
                        key: pascal(&m.key),
                        key_span: m.key_span,
                        value,
                    }
                })
                .collect();
            Node {
                kind: Kind::Object(out),
                ..node.clone()
            }
        }
        Kind::Array(items) if items.len() == 1 && items[0].as_object().is_some() => {
            api_shape(&items[0])
        }
        Kind::Array(items) => Node {
            kind: Kind::Array(items.iter().map(api_shape).collect()),
            ..node.clone()
        },
        _ => node.clone(),
    }
}

/// Add the documents of one Terraform resource to `t`. `json_literal` says whether policy
/// strings are JSON string literals (plan JSON) rather than HCL strings.
/// The Terraform resource types whose documents [`terraform_resource`] reads.
pub const TERRAFORM_TYPES: &[&str] = &[
    "aws_iam_policy",
    "aws_iam_user_policy",
    "aws_iam_role_policy",
    "aws_iam_group_policy",
    "aws_s3_bucket_policy",
    "aws_iam_role",
    "aws_cur_report_definition",
    "aws_bcmdataexports_export",
    "aws_organizations_policy",
];

pub fn terraform_resource(text: &str, r: &TfResource, json_literal: bool, t: &mut Template) {
    use crate::model::IdentityScope;
    let (ty, values, at) = (r.ty, r.values, r.at);
    let issues = &mut t.issues;
    let mut out = Vec::new();
    let mut push = |body: Body| {
        out.push(Embedded {
            resource: r.address.to_string(),
            scope: r.scope,
            body,
            used_by: None,
        })
    };
    let mut includes = Vec::new();
    let mut policy = |attr: &Node, kind: PolicyKind, issues: &mut Vec<Issue>| -> Option<Body> {
        if let Kind::Unknown(u) = &attr.kind {
            if let Some(path) = u.strip_prefix(FILE_MARK) {
                includes.push(Include {
                    path: path.to_string(),
                    kind,
                    at: attr.span,
                    vars: None,
                });
            } else if let Some((path, vars)) = u
                .strip_prefix(TEMPLATE_MARK)
                .and_then(|r| r.split_once('\u{1}'))
            {
                let vars: Vec<(String, String)> =
                    serde_json::from_str::<std::collections::BTreeMap<String, String>>(vars)
                        .map(|m| m.into_iter().collect())
                        .unwrap_or_default();
                includes.push(Include {
                    path: path.to_string(),
                    kind,
                    at: attr.span,
                    vars: Some(vars),
                });
            }
        }
        let root = policy_root(text, attr, json_literal, issues)?;
        Some(Body::Policy {
            kind: Some(kind),
            root,
            for_platform: true,
        })
    };
    let identity = |scope| PolicyKind::Identity(scope);
    match ty {
        "aws_iam_policy"
        | "aws_iam_user_policy"
        | "aws_iam_role_policy"
        | "aws_iam_group_policy"
        | "aws_s3_bucket_policy" => {
            let kind = match ty {
                "aws_iam_policy" => identity(IdentityScope::Managed),
                "aws_iam_user_policy" => identity(IdentityScope::UserInline),
                "aws_iam_role_policy" => identity(IdentityScope::RoleInline),
                "aws_iam_group_policy" => identity(IdentityScope::GroupInline),
                _ => PolicyKind::Bucket,
            };
            if let Some(b) = values.get("policy").and_then(|p| policy(p, kind, issues)) {
                push(b);
            }
        }
        // an SCP or RCP (the other Organizations policy types are not IAM policies)
        "aws_organizations_policy" => {
            let ty = values.get("type").and_then(Node::as_str);
            let kind = PolicyKind::from_organizations_type(ty.or(Some("SERVICE_CONTROL_POLICY")));
            if let Some(b) = kind
                .and_then(|k| values.get("content").map(|c| (k, c)))
                .and_then(|(k, c)| policy(c, k, issues))
            {
                push(b);
            }
        }
        "aws_iam_role" => {
            if let Some(b) = values
                .get("assume_role_policy")
                .and_then(|p| policy(p, PolicyKind::Trust, issues))
            {
                push(b);
            }
            for ip in values
                .get("inline_policy")
                .map(Node::one_or_many)
                .unwrap_or(&[])
            {
                if let Some(b) = ip
                    .get("policy")
                    .and_then(|p| policy(p, identity(IdentityScope::RoleInline), issues))
                {
                    push(b);
                }
            }
        }
        "aws_cur_report_definition" => {
            let mut def = api_shape(values);
            // the provider's defaults, where the configuration leaves them out
            if let Kind::Object(members) = &mut def.kind {
                if !members.iter().any(|m| m.key == "ReportVersioning") {
                    t.defaults.push(Omitted {
                        span: at,
                        message: "`report_versioning` is not set, and the AWS provider's default is `CREATE_NEW_REPORT`".into(),
                        help: "add `report_versioning = \"OVERWRITE_REPORT\"`".into(),
                    });
                    members.push(member(
                        "ReportVersioning",
                        at,
                        string("CREATE_NEW_REPORT", at, at),
                    ));
                }
                // `s3_prefix` is optional in the provider, which sends an empty prefix
                if !members.iter().any(|m| m.key == "S3Prefix") {
                    members.push(member("S3Prefix", at, string("", at, at)));
                }
                if !members.iter().any(|m| m.key == "RefreshClosedReports") {
                    members.push(member(
                        "RefreshClosedReports",
                        at,
                        Node {
                            span: at,
                            inner: at,
                            kind: Kind::Bool(true),
                        },
                    ));
                }
            }
            push(Body::Report(def));
        }
        "aws_bcmdataexports_export" => {
            if let Some(e) = values.get("export") {
                push(Body::Export(api_shape(e)));
            }
        }
        _ => {}
    }
    t.docs.append(&mut out);
    t.includes.append(&mut includes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_is_one_line_of_at_most_80_characters() {
        // as joining the words of the whole text would give
        let whole = |t: &str| {
            let one: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
            if one.chars().count() > 80 {
                format!("{}...", one.chars().take(77).collect::<String>())
            } else {
                one
            }
        };
        let long = format!("join(\",\",\n  [{}])", vec!["local.é"; 40].join(",  "));
        for t in [
            "",
            "  \n ",
            "var.x",
            "  a \n\t b  ",
            &"x".repeat(80),
            &"x".repeat(81),
            &format!("{} y", "x".repeat(79)),
            &format!("{} y", "x".repeat(78)),
            &format!("{}   ", "x".repeat(80)),
            &long,
        ] {
            assert_eq!(written(t, Span::new(0, t.len())), whole(t), "{t:?}");
        }
    }
}
