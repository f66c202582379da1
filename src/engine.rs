//! The engine: classify each parsed source, run the rules on each document, collect findings
//! in a stable order.

use crate::diagnostic::Finding;
use crate::model::policy::{self, Statement};
use crate::model::{self, Content, PolicyDoc};
use crate::parse::json;
use crate::rules;
use crate::source::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ExportType {
    /// CUR 2.0 Standard data export, delivered by `bcm-data-exports.amazonaws.com`.
    #[default]
    Cur2,
    /// Legacy CUR report, delivered by `billingreports.amazonaws.com`.
    Legacy,
}

impl ExportType {
    pub fn service_principal(self) -> &'static str {
        match self {
            ExportType::Cur2 => "bcm-data-exports.amazonaws.com",
            ExportType::Legacy => "billingreports.amazonaws.com",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ExportType::Cur2 => "cur2",
            ExportType::Legacy => "legacy",
        }
    }
}

/// What the run knows about the onboarding.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub bucket: Option<String>,
    /// The export's S3 prefix (`S3Prefix`), when known.
    pub prefix: Option<String>,
    pub account_id: Option<String>,
    pub export_type: ExportType,
    /// `--export-name`: the export (CUR 2.0) or report (legacy) name.
    pub export_name: Option<String>,
    /// `--scenario`: check the run's policies against this onboarding profile.
    pub scenario: Option<String>,
    /// Keep documents for the checks across documents.
    pub keep_docs: bool,
}

/// Everything a policy rule may look at.
pub struct Ctx<'a> {
    pub source: &'a Source,
    pub source_id: usize,
    pub doc: &'a PolicyDoc,
    pub opts: &'a Options,
    pub statements: Vec<Statement<'a>>,
    pub findings: Vec<Finding>,
}

impl Ctx<'_> {
    pub fn report(&mut self, f: Finding) {
        self.findings.push(f);
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
}

/// Check one source.
pub fn check_source(
    source: &Source,
    source_id: usize,
    invalid_utf8_at: Option<usize>,
    opts: &Options,
) -> FileReport {
    let parsed = json::parse_file(&source.text, invalid_utf8_at);
    let mut issues = parsed.issues;
    let mut report = FileReport::default();
    let mut secrets = Vec::new();
    if let Some(root) = &parsed.root {
        rules::secrets::check(source_id, root, &mut secrets);
    }
    let content = match parsed.root {
        Some(root) => model::classify(source, root, &mut issues, opts.bucket.as_deref()),
        None => Content::Nothing,
    };
    report.findings = rules::syntax::findings(source_id, &issues);
    report.findings.append(&mut secrets);
    match content {
        Content::Policy(doc) => {
            report.kind = Some(match doc.container {
                model::Container::Bare => doc.kind.describe().to_string(),
                c => format!("{} ({})", doc.kind.describe(), c.describe()),
            });
            let mut ctx = Ctx {
                source,
                source_id,
                doc: &doc,
                opts,
                statements: policy::statements(&doc.root),
                findings: Vec::new(),
            };
            rules::grammar::check(&mut ctx);
            rules::values::check(&mut ctx);
            rules::catalog::check(&mut ctx);
            rules::delivery::check(&mut ctx);
            report.findings.append(&mut ctx.findings);
            // kept for the checks across documents: the policies for `--scenario`, and bucket
            // policies for the consistency of the export's destination
            if opts.scenario.is_some()
                || (opts.keep_docs && doc.kind == crate::model::PolicyKind::Bucket)
            {
                report.docs.push(doc);
            }
        }
        Content::Cost(doc) => {
            report.kind = Some(doc.describe());
            let mut ctx = rules::exports::CostCtx {
                source,
                source_id,
                opts,
                findings: Vec::new(),
            };
            rules::exports::check(&mut ctx, &doc);
            report.findings.append(&mut ctx.findings);
            if opts.scenario.is_some() || opts.keep_docs {
                report.costs.push(doc);
            }
        }
        Content::Unknown(why) => report.skipped = Some(why),
        Content::Nothing => {}
    }
    sort(&mut report.findings);
    report
}

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
