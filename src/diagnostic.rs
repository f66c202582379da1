//! Findings: plain data produced by rules and consumed by emitters.

use crate::source::Span;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}` (expected error, warning or info)"
            )),
        }
    }
}

/// A rule: its identity and documentation (the registry is `crate::rules::ALL`).
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// IAM Access Analyzer `ValidatePolicy` issue codes this rule corresponds to.
    pub access_analyzer: &'static [&'static str],
    /// The documents the rule reads.
    pub applies_to: &'static [Applies],
    /// The fixes its findings may carry (none when it offers no fix).
    pub fixes: &'static [Applicability],
    /// The rule's README.
    pub docs: &'static str,
}

impl Rule {
    /// The one-line summary: the first paragraph of the README after its title.
    pub fn summary(&self) -> &'static str {
        self.docs
            .lines()
            .skip_while(|l| l.starts_with('#') || l.trim().is_empty())
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim()
    }
    /// Whether `entry` names this rule: its code, its name, or a code prefix such as `EXP`
    /// (case-insensitive), as selections, severities, ignores and suppressions write them.
    pub fn named_by(&self, entry: &str) -> bool {
        self.code.eq_ignore_ascii_case(entry)
            || self.name.eq_ignore_ascii_case(entry)
            || (entry.len() >= 2
                && entry.bytes().all(|b| b.is_ascii_alphabetic())
                && self
                    .code
                    .to_ascii_uppercase()
                    .strip_prefix(&entry.to_ascii_uppercase())
                    .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit())))
    }

    /// The documentation as `finops-lint rule CODE` prints it: the README without its sections
    /// for contributors (`## Fixtures`).
    pub fn reader_docs(&self) -> String {
        let mut out = String::new();
        let mut skipping = false;
        for line in self.docs.lines() {
            if line.starts_with("## ") {
                skipping = line.trim() == "## Fixtures";
            }
            if !skipping {
                out.push_str(line);
                out.push('\n');
            }
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('\n');
        out
    }

    /// The folder under `rules/` holding the docs and fixtures.
    pub fn folder(&self) -> String {
        format!("{}-{}", self.code, self.name)
    }
}

/// The kinds of document a rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applies {
    /// Any file checked: its text, whatever it holds.
    Text,
    /// An IAM policy: identity, bucket, trust or another resource policy, alone or in a
    /// template.
    Policy,
    /// A CUR 2.0 export (`bcm-data-exports`), or its status.
    Export,
    /// A legacy CUR report definition.
    Report,
    /// A platform's connection settings (OptScale's data source).
    Connection,
    /// The listing of the delivered files (`aws s3api list-objects-v2`).
    Listing,
    /// The output of `aws iam simulate-principal-policy`.
    Simulation,
    /// The live audit's records (the caller, a step that failed).
    Audit,
    /// A CloudFormation or Terraform template, or a Terraform plan.
    Template,
    /// Several documents of one run together.
    Run,
    /// `finops-lint.toml`.
    Config,
}

impl Applies {
    pub fn as_str(self) -> &'static str {
        match self {
            Applies::Text => "text",
            Applies::Policy => "policy",
            Applies::Export => "export",
            Applies::Report => "report",
            Applies::Connection => "connection",
            Applies::Listing => "listing",
            Applies::Simulation => "simulation",
            Applies::Audit => "audit",
            Applies::Template => "template",
            Applies::Run => "run",
            Applies::Config => "config",
        }
    }
}

/// The rules a run reports: all but those the configuration selects off (`select` without
/// them, or severity `off`). The checks of a rule that is off are not run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// The codes of the rules that are off.
    off: Vec<&'static str>,
}

impl Selection {
    /// Every rule on but these.
    pub fn without(off: impl IntoIterator<Item = &'static Rule>) -> Self {
        let mut off: Vec<_> = off.into_iter().map(|r| r.code).collect();
        off.sort_unstable();
        off.dedup();
        Selection { off }
    }
    /// Whether the run reports this rule.
    pub fn on(&self, rule: &Rule) -> bool {
        self.off.is_empty() || self.off.binary_search(&rule.code).is_err()
    }
    /// Whether the run reports at least one of these rules.
    pub fn any_on(&self, rules: &[&Rule]) -> bool {
        rules.iter().any(|r| self.on(r))
    }
}

/// One replacement of source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// How far a fix can be trusted, as ruff models it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Shown, never applied: the edit needs a value only the user knows.
    DisplayOnly,
    /// Applied on request only (`--unsafe-fixes`): it may change what the document means.
    Unsafe,
    /// Certain: applied by `--fix` without review.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::DisplayOnly => "display-only",
        }
    }
}

/// A correction, with how far it can be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<Edit>,
}

/// A secondary place that helps explain a finding; `source` is another input of the run, or the
/// finding's own when `None`.
#[derive(Debug, Clone)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub source: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    /// Index of the source in the run.
    pub source: usize,
    pub span: Span,
    pub labels: Vec<Label>,
    /// Why it matters.
    pub note: Option<String>,
    /// What to do, with the corrected text where it can be computed.
    pub help: Option<String>,
    /// The IAM Access Analyzer issue code for this finding, when the rule has several.
    pub access_analyzer: Option<&'static str>,
    /// A machine-applicable correction.
    pub fix: Option<Fix>,
}

impl Finding {
    pub fn new(rule: &'static Rule, source: usize, span: Span, message: impl Into<String>) -> Self {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            source,
            span,
            labels: Vec::new(),
            note: None,
            help: None,
            access_analyzer: None,
            fix: None,
        }
    }
    /// Attach a safe fix that replaces `span` with `replacement`.
    pub fn fix(
        self,
        message: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Self {
        self.fix_as(Applicability::Safe, message, span, replacement)
    }
    /// Attach a fix of this applicability that replaces `span` with `replacement`.
    pub fn fix_as(
        mut self,
        applicability: Applicability,
        message: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Self {
        self.fix = Some(Fix {
            applicability,
            message: message.into(),
            edits: vec![Edit {
                span,
                replacement: replacement.into(),
            }],
        });
        self
    }
    /// A label in another source of the run.
    pub fn label_in(mut self, source: usize, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            source: Some(source),
        });
        self
    }
    /// The Access Analyzer issue code of this finding: the one set, or the rule's first.
    pub fn access_analyzer_code(&self) -> Option<&'static str> {
        self.access_analyzer
            .or_else(|| self.rule.access_analyzer.first().copied())
    }
    pub fn aa(mut self, code: &'static str) -> Self {
        self.access_analyzer = Some(code);
        self
    }
    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = s;
        self
    }
    pub fn note(mut self, n: impl Into<String>) -> Self {
        self.note = Some(n.into());
        self
    }
    pub fn help(mut self, h: impl Into<String>) -> Self {
        self.help = Some(h.into());
        self
    }
    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
            source: None,
        });
        self
    }
}

/// The outcome for one source.
#[derive(Debug, Default)]
pub struct FileReport {
    pub findings: Vec<Finding>,
    /// Set when the file holds JSON of no known kind (said in verbose output).
    pub skipped: Option<String>,
    /// What the file was checked as, such as "S3 bucket policy (`aws s3api get-bucket-policy` output)".
    pub kind: Option<String>,
    /// Set when checking the file hit a bug in finops-lint (reported on standard error, exit 2).
    pub internal_error: Option<String>,
    /// The policies, kept for the checks across documents (`--scenario`); a template holds
    /// several.
    pub docs: Vec<crate::model::PolicyDoc>,
    /// The cost documents, kept for the checks across documents.
    pub costs: Vec<crate::model::CostDoc>,
    /// Policies this template reads from other files (`file(...)`), checked by the run.
    pub includes: Vec<crate::iac::Include>,
    /// The secrets SEC001 read in the parsed document (whatever the configuration makes of
    /// its findings): the source hides them too.
    pub secrets: Vec<crate::secrets::Secret>,
    /// Set when the findings' strings are masked already (the emitter does not look again).
    pub masked: bool,
    /// Set when a file of no known kind is close to a kind finops-lint knows.
    pub near_miss: Option<crate::model::NearMiss>,
    /// Set for a file skipped quietly even when named (a Terraform test, Terragrunt).
    pub quiet: bool,
    /// The names of the role `--role` names, as this file declares it (a CloudFormation
    /// `RoleName` for a logical ID, a Terraform `name` for a label).
    pub role_names: Vec<String>,
    /// The role `--role` names has policies the run does not hold (AWS-managed, or attached by
    /// an ARN the file does not define).
    pub role_policies_outside: bool,
}

/// The findings in a stable order: source, place, rule, message.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.source, a.span.start, a.span.end, a.rule.code, &a.message).cmp(&(
            b.source,
            b.span.start,
            b.span.end,
            b.rule.code,
            &b.message,
        ))
    });
}
