//! Typed documents built from spanned trees. Classification is by content: the shape of the
//! JSON (a bare policy or an AWS CLI output that wraps one) and, for a bare policy, whether its
//! statements carry `Principal`, what they grant and the hints around it.

pub mod policy;
pub mod unknown;

use crate::parse::embedded;
use crate::parse::json::{self, Issue, Node};
use crate::source::Source;

/// Who the policy is attached to, as far as the file tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityScope {
    /// A bare identity policy or a managed policy version: assumed to be a managed policy.
    Managed,
    UserInline,
    RoleInline,
    GroupInline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    Identity(IdentityScope),
    /// An S3 bucket policy.
    Bucket,
    /// A role trust policy (`sts:AssumeRole` for principals).
    Trust,
    /// Another resource-based policy.
    Resource,
    /// An AWS Organizations service control policy (SCP).
    ServiceControl,
    /// An AWS Organizations resource control policy (RCP).
    ResourceControl,
}

impl PolicyKind {
    pub fn describe(self) -> &'static str {
        match self {
            PolicyKind::Identity(IdentityScope::Managed) => "identity policy",
            PolicyKind::Identity(IdentityScope::UserInline) => "user inline policy",
            PolicyKind::Identity(IdentityScope::RoleInline) => "role inline policy",
            PolicyKind::Identity(IdentityScope::GroupInline) => "group inline policy",
            PolicyKind::Bucket => "S3 bucket policy",
            PolicyKind::Trust => "role trust policy",
            PolicyKind::Resource => "resource policy",
            PolicyKind::ServiceControl => "service control policy",
            PolicyKind::ResourceControl => "resource control policy",
        }
    }
    /// "a role trust policy", "an S3 bucket policy".
    pub fn with_article(self) -> String {
        let d = self.describe();
        let article = if d.starts_with(['a', 'e', 'i', 'o', 'u', 'S']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {d}")
    }
    pub fn is_identity(self) -> bool {
        matches!(self, PolicyKind::Identity(_))
    }
    /// The kind of an AWS Organizations policy by its `Type` (CloudFormation) or `type`
    /// (Terraform, where it defaults to an SCP): SCPs and RCPs are IAM policies, the other
    /// Organizations policy types (tag, backup, ...) are not.
    pub fn from_organizations_type(ty: Option<&str>) -> Option<PolicyKind> {
        match ty {
            Some("SERVICE_CONTROL_POLICY") => Some(PolicyKind::ServiceControl),
            Some("RESOURCE_CONTROL_POLICY") => Some(PolicyKind::ResourceControl),
            _ => None,
        }
    }
    /// The kind `--policy-type` names: Access Analyzer's policy types (`identity`, `resource`,
    /// `scp`, `rcp`) and finops-lint's finer ones (`trust`, `bucket`).
    pub fn from_flag(name: &str) -> Option<PolicyKind> {
        Some(match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "identity" | "identity-policy" => PolicyKind::Identity(IdentityScope::Managed),
            "resource" | "resource-policy" => PolicyKind::Resource,
            "trust" | "role-trust" | "role-trust-policy" => PolicyKind::Trust,
            "bucket" | "s3-bucket" | "bucket-policy" => PolicyKind::Bucket,
            "scp" | "service-control" | "service-control-policy" => PolicyKind::ServiceControl,
            "rcp" | "resource-control" | "resource-control-policy" => PolicyKind::ResourceControl,
            _ => return None,
        })
    }
}

impl Container {
    /// How the document was found, for verbose output.
    pub fn describe(self) -> &'static str {
        match self {
            Container::Bare => "policy document",
            Container::GetBucketPolicy => "`aws s3api get-bucket-policy` output",
            Container::PolicyVersion => "`aws iam get-policy-version` output",
            Container::InlinePolicy => "`aws iam get-*-policy` output",
            Container::Template => "infrastructure-as-code template",
        }
    }
}

/// Where the policy document came from inside the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Bare,
    /// `aws s3api get-bucket-policy`: `{"Policy": "<JSON string>"}`.
    GetBucketPolicy,
    /// `aws iam get-policy-version`: `{"PolicyVersion": {"Document": ...}}`.
    PolicyVersion,
    /// `aws iam get-user-policy` / `get-role-policy` / `get-group-policy`.
    InlinePolicy,
    /// A resource of a CloudFormation template or a Terraform configuration or plan.
    Template,
}

#[derive(Debug)]
pub struct PolicyDoc {
    pub kind: PolicyKind,
    pub container: Container,
    pub root: Node,
    /// Characters of the document, whitespace not counted (IAM's size measure).
    pub size: usize,
    /// Why a bare policy without any `Principal` is believed to be a bucket policy.
    pub principal_expected_because: Option<String>,
    /// The optimistic reading of a policy with unknown values ([`unknown::optimistic`]).
    pub eval: Option<Node>,
    /// Whether the platform's principal uses this policy. False for a template's policy that is
    /// attached only to other principals (a role, another user): the requirement checks skip it.
    pub for_platform: bool,
}

impl PolicyDoc {
    /// The document the checks of what a policy grants read.
    /// Whether the policy is held in a JSON string of its file (get-bucket-policy output,
    /// IAM's URL-encoded form), where edits written as JSON text do not apply.
    pub fn embedded_in(&self, source: &crate::source::Source) -> bool {
        let at = self.root.span.start;
        at > 0 && source.text.as_bytes().get(at - 1) == Some(&b'"')
            || source.text.get(at..).is_some_and(|t| t.starts_with("%7B"))
    }
    pub fn eval_root(&self) -> &Node {
        self.eval.as_ref().unwrap_or(&self.root)
    }
}

/// What one file turned out to hold.
#[derive(Debug)]
pub enum Content {
    Policy(PolicyDoc),
    /// A cost export, report definitions or a platform's connection settings.
    Cost(CostDoc),
    /// JSON of no kind the tool knows; reported only in verbose output.
    Unknown(String),
    /// Nothing to check (the parse failed or the file was empty).
    Nothing,
    /// JSON of no kind the tool knows, close to one it knows (a key misspelled, an object
    /// where AWS writes a list).
    NearMiss(NearMiss),
}

/// What a document of no known kind is close to: where, what it is, and what to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMiss {
    pub span: crate::source::Span,
    pub message: String,
    pub help: String,
}

/// The top-level keys that tell what a document is.
const KNOWN_KEYS: &[&str] = &[
    "Statement",
    "Version",
    "Policy",
    "PolicyVersion",
    "PolicyDocument",
    "Export",
    "Exports",
    "ExportStatus",
    "ReportDefinition",
    "ReportDefinitions",
    "EvaluationResults",
    "DeliveredFiles",
    "DataQuery",
    "DestinationConfigurations",
    "ReportName",
    "access_key_id",
    "config_scheme",
    "bucket_name",
    "report_name",
    "config",
    "AWSTemplateFormatVersion",
    "Resources",
];

/// A document close to a known shape: `{"Exports": {...}}` (one export where the list output
/// has a list), `{"Export": [...]}`, `{"ReportDefinitions": {...}}`, or a top-level key that is
/// a known one misspelled or in another case (`{"export": ...}`, `{"Statements": [...]}`).
pub fn near_miss(root: &Node) -> Option<NearMiss> {
    let members = root.as_object()?;
    for m in members {
        let shape = match (m.key.as_str(), &m.value.kind) {
            ("Exports", crate::parse::json::Kind::Object(_)) => Some((
                "`Exports` holds an object: `aws bcm-data-exports list-exports` writes a list, and a single export is `{\"Export\": {...}}`",
                "for one export write `{\"Export\": {...}}` (the CreateExport request, or `get-export` output); for several, `\"Exports\": [{...}, ...]`",
            )),
            ("Export", crate::parse::json::Kind::Array(_)) => Some((
                "`Export` holds a list: one export is an object, several are `{\"Exports\": [...]}`",
                "write `{\"Export\": {...}}` for one export, or rename the key to `Exports` for a list",
            )),
            ("ReportDefinitions", crate::parse::json::Kind::Object(_)) => Some((
                "`ReportDefinitions` holds an object: `aws cur describe-report-definitions` writes a list, and a single report is `{\"ReportDefinition\": {...}}`",
                "for one report write `{\"ReportDefinition\": {...}}`; for several, `\"ReportDefinitions\": [{...}, ...]`",
            )),
            ("ReportDefinition", crate::parse::json::Kind::Array(_)) => Some((
                "`ReportDefinition` holds a list: one report is an object, several are `{\"ReportDefinitions\": [...]}`",
                "write `{\"ReportDefinition\": {...}}` for one report, or rename the key to `ReportDefinitions` for a list",
            )),
            _ => None,
        };
        if let Some((message, help)) = shape {
            return Some(NearMiss {
                span: m.key_span,
                message: message.to_string(),
                help: help.to_string(),
            });
        }
    }
    for m in members {
        if KNOWN_KEYS.contains(&m.key.as_str()) {
            continue;
        }
        // `Statements`, `statement`, `export`, `reportDefinition`: a known key misspelled
        if let Some(known) = crate::fuzzy::suggest(&m.key, KNOWN_KEYS.iter().copied())
            .filter(|k| k.len() > 4 || k.eq_ignore_ascii_case(&m.key))
        {
            return Some(NearMiss {
                span: m.key_span,
                message: format!(
                    "`{}` is not a key finops-lint knows: did you mean `{known}`?",
                    m.key
                ),
                help: format!("rename `{}` to `{known}` (keys are case-sensitive)", m.key),
            });
        }
    }
    None
}

/// A policy declared in a template, of a kind the template tells.
pub fn template_policy(root: Node, kind: PolicyKind, for_platform: bool) -> PolicyDoc {
    let size = size_of(&crate::schema::to_value(&root).to_string());
    PolicyDoc {
        kind,
        container: Container::Template,
        eval: unknown::optimistic(&root),
        root,
        size,
        principal_expected_because: None,
        for_platform,
    }
}

fn size_of(text: &str) -> usize {
    if text.is_ascii() {
        // byte sums over blocks that cannot overflow one: the compiler vectorises them
        text.len()
            - text
                .as_bytes()
                .chunks(255)
                .map(|block| {
                    let n: u8 = block
                        .iter()
                        .map(|&b| u8::from(matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)))
                        .sum();
                    usize::from(n)
                })
                .sum::<usize>()
    } else {
        text.chars().filter(|c| !c.is_whitespace()).count()
    }
}

/// Classify a parsed file. Syntax issues found inside embedded documents are appended to `issues`.
/// `bucket` is the run's `--bucket`, a hint for telling a delivery policy that lost its
/// `Principal` from an identity policy.
pub fn classify(
    source: &Source,
    root: Node,
    issues: &mut Vec<Issue>,
    bucket: Option<&str>,
) -> Content {
    if root.as_object().is_none() {
        return Content::Unknown(format!(
            "the top-level value is {} {}",
            article(root.type_name()),
            root.type_name()
        ));
    }
    // aws s3api get-bucket-policy
    if let Some(p) = root.get("Policy") {
        if p.as_str().is_some() {
            return embedded_doc(
                source,
                p,
                Container::GetBucketPolicy,
                Some(PolicyKind::Bucket),
                issues,
                bucket,
            );
        }
    }
    // aws iam get-policy-version
    if let Some(doc) = root.get("PolicyVersion").and_then(|v| v.get("Document")) {
        return match doc.as_str() {
            Some(_) => embedded_doc(
                source,
                doc,
                Container::PolicyVersion,
                Some(PolicyKind::Identity(IdentityScope::Managed)),
                issues,
                bucket,
            ),
            None => policy_doc(
                source,
                doc.clone(),
                Container::PolicyVersion,
                Some(PolicyKind::Identity(IdentityScope::Managed)),
                size_of(source.text.get(doc.span.start..doc.span.end).unwrap_or("")),
                bucket,
            ),
        };
    }
    // aws iam get-user-policy / get-role-policy / get-group-policy
    if let Some(doc) = root.get("PolicyDocument") {
        let scope = if root.get("UserName").is_some() {
            IdentityScope::UserInline
        } else if root.get("RoleName").is_some() {
            IdentityScope::RoleInline
        } else if root.get("GroupName").is_some() {
            IdentityScope::GroupInline
        } else {
            IdentityScope::Managed
        };
        let kind = Some(PolicyKind::Identity(scope));
        return match doc.as_str() {
            Some(_) => embedded_doc(source, doc, Container::InlinePolicy, kind, issues, bucket),
            None if doc.as_object().is_some() => {
                let size = size_of(source.text.get(doc.span.start..doc.span.end).unwrap_or(""));
                policy_doc(
                    source,
                    doc.clone(),
                    Container::InlinePolicy,
                    kind,
                    size,
                    bucket,
                )
            }
            None => Content::Unknown("`PolicyDocument` is neither an object nor a string".into()),
        };
    }
    if root.get("Statement").is_some()
        || (root.get("Version").is_some() && root.as_object().is_some_and(|m| m.len() <= 3))
    {
        let size = size_of(&source.text);
        return policy_doc(source, root, Container::Bare, None, size, bucket);
    }
    if let Some(doc) = cost_doc(&root) {
        return Content::Cost(doc);
    }
    match near_miss(&root) {
        Some(n) => Content::NearMiss(n),
        None => Content::Unknown("no `Statement`, `Policy`, `PolicyVersion`, `PolicyDocument`, `Export`, `ReportDefinition` or connection key".into()),
    }
}

/// The documents of a cost export's configuration.
#[derive(Debug)]
pub enum CostDoc {
    /// A CUR 2.0 `Export` (a CreateExport body, `get-export` output, or the bare object) and
    /// the `ExportStatus` printed beside it.
    Export {
        export: Node,
        status: Option<Node>,
        container: &'static str,
    },
    /// `aws bcm-data-exports list-exports` output: the exports' summaries.
    ExportList { exports: Node },
    /// Legacy `ReportDefinition`s (a PutReportDefinition body, `describe-report-definitions`
    /// output, or the bare object).
    Reports {
        definitions: Vec<Node>,
        container: &'static str,
    },
    /// A FinOps platform's AWS data-source settings (`config` of an `aws_cnr` data source).
    Connection { config: Node },
    /// `aws iam simulate-principal-policy` / `simulate-custom-policy` output.
    Simulation { root: Node },
    /// `aws sts get-caller-identity` output.
    CallerIdentity { root: Node },
    /// A step of the live audit that failed (`{"AuditStep": ..., "Error": ...}`).
    AuditError { root: Node },
    /// The export's files in the bucket, as the live audit lists them (`{"DeliveredFiles": ...}`).
    Delivered { root: Node },
}

impl CostDoc {
    pub fn describe(&self) -> String {
        match self {
            CostDoc::Export { container, .. } => format!("CUR 2.0 export ({container})"),
            CostDoc::ExportList { .. } => {
                "CUR 2.0 export list (`aws bcm-data-exports list-exports` output)".to_string()
            }
            CostDoc::Reports {
                definitions,
                container,
            } => format!(
                "legacy CUR report definition{} ({container})",
                if definitions.len() == 1 { "" } else { "s" }
            ),
            CostDoc::Connection { .. } => "FinOps platform AWS connection settings".to_string(),
            CostDoc::Simulation { .. } => "IAM policy simulation output".to_string(),
            CostDoc::CallerIdentity { .. } => {
                "caller identity (`aws sts get-caller-identity` output)".to_string()
            }
            CostDoc::AuditError { .. } => "a failed audit step".to_string(),
            CostDoc::Delivered { .. } => "the export's delivered files".to_string(),
        }
    }
}

fn cost_doc(root: &Node) -> Option<CostDoc> {
    if let Some(d) = root
        .get("DeliveredFiles")
        .filter(|d| d.as_object().is_some())
    {
        return Some(CostDoc::Delivered { root: d.clone() });
    }
    if root.get("AuditStep").is_some() && root.get("Error").is_some() {
        return Some(CostDoc::AuditError { root: root.clone() });
    }
    if root.get("Account").is_some() && root.get("Arn").is_some() && root.get("UserId").is_some() {
        return Some(CostDoc::CallerIdentity { root: root.clone() });
    }
    if root
        .get("EvaluationResults")
        .and_then(Node::as_array)
        .is_some()
    {
        return Some(CostDoc::Simulation { root: root.clone() });
    }
    let is_export =
        |n: &Node| n.get("DataQuery").is_some() || n.get("DestinationConfigurations").is_some();
    if let Some(e) = root.get("Export").filter(|e| e.as_object().is_some()) {
        let container = if root.get("ExportStatus").is_some() {
            "`aws bcm-data-exports get-export` output"
        } else {
            "CreateExport request"
        };
        return Some(CostDoc::Export {
            export: e.clone(),
            status: root.get("ExportStatus").cloned(),
            container,
        });
    }
    if is_export(root) {
        return Some(CostDoc::Export {
            export: root.clone(),
            status: None,
            container: "Export object",
        });
    }
    if let Some(list) = root.get("Exports").filter(|l| l.as_array().is_some()) {
        return Some(CostDoc::ExportList {
            exports: list.clone(),
        });
    }
    if let Some(d) = root
        .get("ReportDefinition")
        .filter(|d| d.as_object().is_some())
    {
        return Some(CostDoc::Reports {
            definitions: vec![d.clone()],
            container: "PutReportDefinition request",
        });
    }
    if let Some(list) = root.get("ReportDefinitions").and_then(Node::as_array) {
        let definitions = list
            .iter()
            .filter(|d| d.as_object().is_some())
            .cloned()
            .collect();
        return Some(CostDoc::Reports {
            definitions,
            container: "`aws cur describe-report-definitions` output",
        });
    }
    if root.get("ReportName").is_some()
        && (root.get("TimeUnit").is_some() || root.get("S3Bucket").is_some())
    {
        return Some(CostDoc::Reports {
            definitions: vec![root.clone()],
            container: "ReportDefinition object",
        });
    }
    if root.get("access_key_id").is_some()
        || root.get("config_scheme").is_some()
        || root.get("bucket_name").is_some() && root.get("report_name").is_some()
    {
        return Some(CostDoc::Connection {
            config: root.clone(),
        });
    }
    if let Some(c) = root.get("config").filter(|c| {
        c.get("access_key_id").is_some()
            || c.get("config_scheme").is_some()
            || c.get("linked").is_some()
    }) {
        return Some(CostDoc::Connection { config: c.clone() });
    }
    None
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'o']) {
        "an"
    } else {
        "a"
    }
}

fn embedded_doc(
    source: &Source,
    lit: &Node,
    container: Container,
    kind: Option<PolicyKind>,
    issues: &mut Vec<Issue>,
    bucket: Option<&str>,
) -> Content {
    let Some(mut decoded) = embedded::string_literal(&source.text, lit) else {
        return Content::Unknown("the embedded policy string could not be decoded".into());
    };
    if embedded::looks_url_encoded(&decoded.text) {
        decoded = embedded::url_decode(&decoded);
    }
    let size = size_of(&decoded.text);
    let parsed = json::parse_text(&decoded.text, &decoded);
    issues.extend(parsed.issues);
    match parsed.root {
        Some(root) if root.as_object().is_some() => {
            policy_doc(source, root, container, kind, size, bucket)
        }
        Some(_) => Content::Unknown("the embedded policy is not a JSON object".into()),
        None => Content::Nothing,
    }
}

fn policy_doc(
    source: &Source,
    root: Node,
    container: Container,
    kind: Option<PolicyKind>,
    size: usize,
    bucket: Option<&str>,
) -> Content {
    let (kind, because) = match kind {
        Some(k) => (k, None),
        None => infer_kind(source, &root, bucket),
    };
    Content::Policy(PolicyDoc {
        kind,
        container,
        eval: unknown::optimistic(&root),
        root,
        size,
        principal_expected_because: because,
        for_platform: true,
    })
}

const TRUST_ACTIONS: &[&str] = &[
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
];

/// Whether a lowercase action pattern covers `sts:assumerole` (`*`, `sts:*`, `sts:assume*`).
fn covers_assume_role(pattern: &str) -> bool {
    crate::glob::glob(pattern, "sts:assumerole", true)
}

/// Decide what a bare policy is, from its statements and the hints around it.
pub fn infer_kind(
    source: &Source,
    root: &Node,
    bucket: Option<&str>,
) -> (PolicyKind, Option<String>) {
    let statements: Vec<&Node> = root
        .get("Statement")
        .map(|s| {
            s.one_or_many()
                .iter()
                .filter(|n| n.as_object().is_some())
                .collect()
        })
        .unwrap_or_default();
    let has_principal =
        |s: &&&Node| s.get("Principal").is_some() || s.get("NotPrincipal").is_some();
    let with = statements.iter().filter(has_principal).count();
    let strings = |s: &Node, key: &str| -> Vec<String> {
        s.get(key)
            .map(|v| {
                v.one_or_many()
                    .iter()
                    .filter_map(|n| n.as_str())
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_default()
    };
    if with == 0 {
        if let Some(why) = delivery_hint(source, &statements, bucket) {
            return (PolicyKind::Bucket, Some(why));
        }
        return (PolicyKind::Identity(IdentityScope::Managed), None);
    }
    if with * 2 < statements.len() {
        // Mostly statements without `Principal`: an identity policy with a stray `Principal`.
        return (PolicyKind::Identity(IdentityScope::Managed), None);
    }
    let touches_s3 = statements.iter().any(|s| {
        strings(s, "Action")
            .iter()
            .chain(strings(s, "NotAction").iter())
            .any(|a| a.starts_with("s3:"))
            || strings(s, "Resource").iter().any(|r| r.contains(":s3:::"))
    });
    // every statement with a principal is about assuming the role: an Allow of the trust
    // actions, or a Deny whose actions cover them (`sts:*`, `*`), without a `Resource`
    let deny = |s: &Node| s.get("Effect").and_then(Node::as_str) == Some("Deny");
    let all_trust = statements.iter().filter(has_principal).all(|s| {
        let acts = strings(s, "Action");
        !acts.is_empty()
            && acts.iter().all(|a| {
                TRUST_ACTIONS.contains(&a.as_str())
                    || deny(s) && s.get("Resource").is_none() && covers_assume_role(a)
            })
    }) && statements.iter().filter(has_principal).any(|s| {
        let acts = strings(s, "Action");
        !acts.is_empty() && acts.iter().all(|a| TRUST_ACTIONS.contains(&a.as_str()))
    });
    if all_trust && !touches_s3 {
        (PolicyKind::Trust, None)
    } else if touches_s3 {
        (PolicyKind::Bucket, None)
    } else {
        (PolicyKind::Resource, None)
    }
}

/// Evidence that a policy without `Principal` is really the billing delivery bucket policy.
fn delivery_hint(source: &Source, statements: &[&Node], bucket: Option<&str>) -> Option<String> {
    for s in statements {
        if let Some(cond) = s.get("Condition").and_then(|c| c.as_object()) {
            for op in cond {
                for key in op.value.as_object().unwrap_or(&[]) {
                    let k = key.key.to_ascii_lowercase();
                    let mentions_billing = key
                        .value
                        .one_or_many()
                        .iter()
                        .filter_map(|v| v.as_str())
                        .any(|v| v.contains(":cur:") || v.contains(":bcm-data-exports:"));
                    if (k == "aws:sourcearn" || k == "aws:sourceaccount") && mentions_billing {
                        return Some(format!(
                            "its condition on `{}` names the billing export services, which only a bucket policy can address",
                            key.key
                        ));
                    }
                }
            }
        }
    }
    // The run's bucket: a statement granting the delivery pair on it is the delivery statement.
    if let Some(b) = bucket {
        let names_bucket = |s: &Node| {
            s.get("Resource").is_some_and(|r| {
                r.one_or_many().iter().filter_map(|n| n.as_str()).any(|r| {
                    r == format!("arn:aws:s3:::{b}") || r.starts_with(&format!("arn:aws:s3:::{b}/"))
                })
            })
        };
        let grants = |s: &Node, action: &str| {
            s.get("Action").is_some_and(|a| {
                a.one_or_many()
                    .iter()
                    .filter_map(|n| n.as_str())
                    .any(|x| x.eq_ignore_ascii_case(action))
            })
        };
        if statements.iter().any(|s| {
            names_bucket(s) && grants(s, "s3:PutObject") && grants(s, "s3:GetBucketPolicy")
        }) {
            return Some(format!(
                "it grants `s3:PutObject` and `s3:GetBucketPolicy` on `{b}`, the pair the billing services need to deliver the export"
            ));
        }
    }
    // A weaker hint needs two signs: the file's name says bucket policy, and a condition uses a
    // key that only requests from AWS services carry.
    let name = source.name.to_ascii_lowercase();
    let file = name.rsplit(['/', '\\']).next().unwrap_or(&name);
    let named_bucket_policy = ["bucket-policy", "bucket_policy", "bucketpolicy"]
        .iter()
        .any(|n| file.contains(n));
    let service_keys = statements.iter().any(|s| {
        s.get("Condition")
            .and_then(|c| c.as_object())
            .is_some_and(|ops| {
                ops.iter().any(|op| {
                    op.value.as_object().unwrap_or(&[]).iter().any(|k| {
                        k.key.eq_ignore_ascii_case("aws:SourceArn")
                            || k.key.eq_ignore_ascii_case("aws:SourceAccount")
                    })
                })
            })
    });
    if named_bucket_policy && service_keys {
        return Some(format!(
            "the file is named `{file}` and its conditions use `aws:SourceArn`/`aws:SourceAccount`, which only requests from AWS services carry"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn action_patterns_that_cover_assume_role() {
        for p in [
            "*",
            "sts:*",
            "sts:assume*",
            "sts:assumerol?",
            "*role",
            "sts:assumerole",
        ] {
            assert!(super::covers_assume_role(p), "{p}");
        }
        for p in ["s3:*", "sts:assumerole?", "sts:get*", "", "sts:tagsession"] {
            assert!(!super::covers_assume_role(p), "{p}");
        }
        // many stars are one pass, not a search over their placements
        let many = format!("{}x", "*".repeat(100_000));
        assert!(!super::covers_assume_role(&many));
        assert!(super::covers_assume_role(&"*".repeat(100_000)));
    }

    #[test]
    fn size_counts_every_character_but_whitespace_in_blocks_of_any_length() {
        for n in [0, 1, 254, 255, 256, 600, 5_000] {
            let text: String = (0..n)
                .map(|i| [' ', 'a', '\n', '{', '\t', '\r', '\u{c}', 'Z'][i % 8])
                .collect();
            let expected = text.chars().filter(|c| !c.is_whitespace()).count();
            assert_eq!(super::size_of(&text), expected, "{n}");
        }
        // non-ASCII text counts characters, not bytes
        assert_eq!(super::size_of("é ü\u{3000}x"), 3);
    }
}
