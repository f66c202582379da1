//! The engine: classify each parsed source, run the rules on each document, collect findings
//! in a stable order.

use crate::diagnostic::Finding;
use crate::model::policy;
use crate::model::{self, Content, CostDoc, PolicyDoc};
use crate::parse::{json, yaml};
use crate::rules;
use crate::source::Source;
use crate::source::Span;

pub use crate::context::{ExportType, Options};
pub use crate::diagnostic::{sort, FileReport};
pub use crate::rules::Ctx;

/// The outcome of checking every input: sources in input order with their reports.
pub struct RunResult {
    pub sources: Vec<Source>,
    pub reports: Vec<FileReport>,
}

impl RunResult {
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.reports.iter().flat_map(|r| r.findings.iter())
    }
}

/// How a source is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Yaml,
    /// Terraform's HCL (`.tf`).
    Hcl,
}

/// The syntax of a source: by its extension, else by its first character.
pub fn syntax_of(name: &str, text: &str) -> Syntax {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tf") {
        return Syntax::Hcl;
    }
    if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        return Syntax::Yaml;
    }
    if lower.ends_with(".json") || lower.starts_with("aws://") {
        return Syntax::Json;
    }
    match text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .next()
    {
        None | Some('{') | Some('[') => Syntax::Json,
        // binary or other text: read as JSON, which reports it clearly
        Some(c) if c.is_control() => Syntax::Json,
        _ if text.contains("AWSTemplateFormatVersion") || text.contains("Resources:") => {
            Syntax::Yaml
        }
        _ => Syntax::Json,
    }
}

/// Check one source.
pub fn check_source(
    source: &Source,
    source_id: usize,
    invalid_utf8_at: Option<usize>,
    opts: &Options,
) -> FileReport {
    check_source_in(source, source_id, invalid_utf8_at, opts, &[])
}

/// Check one source; `siblings` are the other files of its Terraform module (its folder's
/// `.tf` files), whose variables, locals and resources resolve its references.
pub fn check_source_in(
    source: &Source,
    source_id: usize,
    invalid_utf8_at: Option<usize>,
    opts: &Options,
    siblings: &[std::sync::Arc<str>],
) -> FileReport {
    if let Some(why) = not_a_configuration(&source.name) {
        return FileReport {
            skipped: Some(why.into()),
            quiet: true,
            ..Default::default()
        };
    }
    let syntax = syntax_of(&source.name, &source.text);
    if syntax == Syntax::Hcl {
        let with_vars: Vec<std::sync::Arc<str>>;
        let siblings = if opts.tf_vars.is_empty() {
            siblings
        } else {
            with_vars = siblings
                .iter()
                .chain(opts.tf_vars.iter())
                .cloned()
                .collect();
            &with_vars
        };
        let mut tpl = crate::iac::hcl::extract(
            &source.text,
            invalid_utf8_at,
            opts.account_id.as_deref(),
            siblings,
        );
        if let Some(role) = opts.role.as_deref() {
            crate::iac::hcl::apply_role(&source.text, siblings, role, &mut tpl);
            for pass in &mut tpl.passes {
                crate::iac::hcl::apply_role(&source.text, siblings, role, pass);
            }
        }
        let branched = tpl.branched;
        let calls = std::mem::take(&mut tpl.calls);
        let passes = std::mem::take(&mut tpl.passes);
        // what the first pass could not read: a branch pass's finding there is new knowledge
        let undetermined: Vec<Span> = if branched {
            tpl.docs
                .iter()
                .flat_map(|d| match &d.body {
                    crate::iac::Body::Policy { root, .. } => model::unknown::unknown_spans(root),
                    crate::iac::Body::Export(n) | crate::iac::Body::Report(n) => {
                        model::unknown::unknown_spans(n)
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut report = FileReport::default();
        check_template(
            source,
            source_id,
            syntax,
            tpl,
            Vec::new(),
            opts,
            &mut report,
        );
        for call in calls {
            module_call(source, source_id, call, opts, &mut report);
        }
        if branched {
            // a conditional whose condition is not known: each branch read in a pass of its
            // own; a finding of that pass inside a branch's text, or on a value the first pass
            // could not read, holds in that branch (elsewhere, checks across documents keep the
            // first pass's optimistic reading)
            for tpl in passes {
                let picked = tpl.picked.clone();
                let mut other = FileReport::default();
                check_template(source, source_id, syntax, tpl, Vec::new(), opts, &mut other);
                let inside = |f: &Finding| {
                    model::unknown::inside(f.span, &picked)
                        || model::unknown::inside(f.span, &undetermined)
                };
                merge_pass(&mut report, other, inside);
            }
        }
        settle(&mut report, opts);
        return report;
    }
    let parsed = match syntax {
        Syntax::Yaml => yaml::parse_file(&source.text, invalid_utf8_at),
        _ => json::parse_file(&source.text, invalid_utf8_at),
    };
    let mut issues = parsed.issues;
    let mut report = FileReport::default();
    let empty = issues.iter().any(|i| i.kind == json::IssueKind::Empty);
    // a file past the expansion limit is reported whatever it looks like
    let limited = issues.iter().any(|i| i.kind == json::IssueKind::Limit);
    if syntax == Syntax::Yaml
        && parsed.root.is_none()
        && !empty
        && !limited
        && !looks_like_ours(&source.text)
    {
        // a YAML file of another tool (CI settings, a Helm chart) that does not parse
        report.skipped = Some("YAML that does not parse and is not a template or policy".into());
        return report;
    }
    let mut secrets = Vec::new();
    if let Some(root) = &parsed.root {
        rules::secrets::check(source_id, root, &mut secrets, &mut report.secrets);
    }
    if let Some(root) = &parsed.root {
        // a template with `Fn::If`: each branch is read in a pass of its own
        let branches = crate::iac::cfn::is_template(root)
            && (source.text.contains("Fn::If") || source.text.contains("!If"));
        let tpl = if crate::iac::cfn::is_template(root) {
            let mut tpl = crate::iac::cfn::extract(
                &source.text,
                root,
                syntax == Syntax::Json,
                opts.account_id.as_deref(),
                &opts.cfn_parameters,
                branches.then_some(true),
            );
            if let Some(role) = opts.role.as_deref() {
                crate::iac::cfn::apply_role(root, role, &mut tpl);
            }
            Some(tpl)
        } else if crate::iac::plan::is_plan(root) {
            Some(crate::iac::plan::extract(&source.text, root))
        } else {
            None
        };
        if let Some(tpl) = tpl {
            report.findings.append(&mut secrets);
            check_template(source, source_id, syntax, tpl, issues, opts, &mut report);
            if branches {
                // the other branch of each condition: its findings that the first pass did
                // not make (suppressions are judged on the first pass)
                let other_tpl = crate::iac::cfn::extract(
                    &source.text,
                    root,
                    syntax == Syntax::Json,
                    opts.account_id.as_deref(),
                    &opts.cfn_parameters,
                    Some(false),
                );
                let mut other = FileReport::default();
                check_template(
                    source,
                    source_id,
                    syntax,
                    other_tpl,
                    Vec::new(),
                    opts,
                    &mut other,
                );
                merge_pass(&mut report, other, |_| true);
            }
            settle(&mut report, opts);
            return report;
        }
    }
    let content = match parsed.root {
        Some(root) => model::classify(source, root, &mut issues, opts.bucket.as_deref()),
        None => Content::Nothing,
    };
    if rules::syntax::FAMILY.runs(opts) {
        report.findings = rules::syntax::findings(source_id, &issues);
    }
    report.findings.append(&mut secrets);
    match content {
        Content::Policy(mut doc) => {
            // `--policy-type` names the kind of a policy whose file does not tell it
            if let (model::Container::Bare, Some(kind)) = (doc.container, opts.policy_type) {
                doc.kind = kind;
                doc.principal_expected_because = None;
            }
            duplicate_keys_in_policy(source, &doc.root, &mut report.findings);
            report.kind = Some(match doc.container {
                model::Container::Bare => doc.kind.describe().to_string(),
                c => format!("{} ({})", doc.kind.describe(), c.describe()),
            });
            add_policy(source, source_id, doc, opts, &mut report);
        }
        Content::Cost(doc) => {
            report.kind = Some(doc.describe());
            report
                .findings
                .append(&mut check_cost(source, source_id, &doc, opts));
            if opts.scenario.is_some() || opts.keep_docs {
                report.costs.push(doc);
            }
        }
        Content::Unknown(why) => report.skipped = Some(why),
        Content::NearMiss(n) => {
            report.skipped = Some(n.message.clone());
            report.near_miss = Some(n);
        }
        Content::Nothing => {}
    }
    settle(&mut report, opts);
    report
}

/// A local module's file read with the values a call in this file gives: a finding on a value
/// the call writes is reported there; one in the module's text that the module's own check
/// does not make (it comes from the call's values) is reported at the call, the module's text
/// quoted in the note.
fn module_call(
    source: &Source,
    source_id: usize,
    call: crate::iac::ModuleCall,
    opts: &Options,
    report: &mut FileReport,
) {
    let caller_len = source.text.len();
    let combined = Source::new(source.name.clone(), call.text);
    let check = |tpl: crate::iac::Template| {
        let mut r = FileReport::default();
        check_template(
            &combined,
            source_id,
            Syntax::Hcl,
            tpl,
            Vec::new(),
            opts,
            &mut r,
        );
        r.findings
    };
    let alone = check(*call.alone);
    let module_text = |f: &Finding| {
        let at = combined.line_col(f.span.start);
        let module_line = at.line.saturating_sub(source.line_col(caller_len).line + 1) + 1;
        (module_line, crate::iac::written(&combined.display, f.span))
    };
    for mut f in check(*call.with) {
        if f.rule.code.starts_with("SUP") {
            continue;
        }
        let place = format!("`{}/{}`", call.source.trim_end_matches('/'), call.file);
        if f.span.end <= caller_len {
            f.labels.retain(|l| l.span.end <= caller_len);
            f.labels.push(crate::diagnostic::Label {
                span: call.at,
                message: format!("given to module `{}` ({place})", call.module),
                source: None,
            });
        } else {
            let known = alone
                .iter()
                .any(|g| g.rule.code == f.rule.code && g.span == f.span && g.message == f.message);
            if known {
                continue;
            }
            let (line, text) = module_text(&f);
            let why = format!("in {place} line {line} (`{text}`), with the values this call gives");
            f.note = Some(match f.note.take() {
                Some(n) => format!("{why}; {n}"),
                None => why,
            });
            f.span = call.at;
            f.labels.clear();
        }
        f.fix = None;
        let dup = report
            .findings
            .iter()
            .any(|g| g.rule.code == f.rule.code && g.span == f.span && g.message == f.message);
        if !dup {
            report.findings.push(f);
        }
    }
    sort(&mut report.findings);
}

/// The findings of another pass over a template (reading other branches of its conditions)
/// that `keep` accepts and the first pass did not make; suppressions are judged on the first
/// pass.
fn merge_pass(report: &mut FileReport, other: FileReport, keep: impl Fn(&Finding) -> bool) {
    // whatever secret a pass read is hidden, whether or not its finding is kept
    report.secrets.extend(other.secrets);
    for f in other.findings {
        let known = report
            .findings
            .iter()
            .any(|g| g.rule.code == f.rule.code && g.span == f.span && g.message == f.message);
        if !known && !f.rule.code.starts_with("SUP") && keep(&f) {
            report.findings.push(f);
        }
    }
    sort(&mut report.findings);
}

/// A file's findings in their order, without those of rules that are off (the checks of a
/// family that is all off did not run; a family partly off drops the rest here).
fn settle(report: &mut FileReport, opts: &Options) {
    report.findings.retain(|f| opts.rules.on(f.rule));
    sort(&mut report.findings);
}

/// A key repeated inside a policy document is an error, not a warning (JSON004): IAM keeps the
/// last value, so what the first one grants or denies is silently dropped; the note quotes it.
fn duplicate_keys_in_policy(source: &Source, root: &json::Node, findings: &mut [Finding]) {
    fn member_at(node: &json::Node, key_span: Span) -> Option<&json::Member> {
        if !(node.span.start <= key_span.start && key_span.end <= node.span.end) {
            return None;
        }
        if let Some(ms) = node.as_object() {
            for m in ms {
                if m.key_span == key_span {
                    return Some(m);
                }
                if let Some(found) = member_at(&m.value, key_span) {
                    return Some(found);
                }
            }
        }
        node.as_array()?
            .iter()
            .find_map(|item| member_at(item, key_span))
    }
    for f in findings.iter_mut().filter(|f| {
        f.rule.code == rules::JSON004.code
            && root.span.start <= f.span.start
            && f.span.end <= root.span.end
    }) {
        f.severity = crate::diagnostic::Severity::Error;
        let Some(first) = f.labels.first().and_then(|l| member_at(root, l.span)) else {
            continue;
        };
        let text = source
            .text
            .get(first.value.span.start..first.value.span.end)
            .unwrap_or("");
        // on one line, its whitespace collapsed, at most 80 characters
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let shown: String = flat.chars().take(80).collect();
        let more = if shown.len() < flat.len() { " ..." } else { "" };
        f.note = Some(format!(
            "inside a policy, IAM keeps only the last `{}`: the earlier value `{}{more}` is dropped without a word, so what it grants or denies does not apply",
            first.key, shown
        ));
    }
}

/// How often the included files of a run have been checked, and with what: a file that calls
/// render with different values (`templatefile`) is checked with each, at most
/// [`Renderings::MAX`] times, its findings joined ([`join_rendering`]).
pub struct Renderings<K> {
    seen: std::collections::HashMap<K, Vec<IncludeValues>>,
}

/// What a call gives an included file: its policy kind and its variables.
type IncludeValues = (model::PolicyKind, Option<Vec<(String, String)>>);

/// Whether an included file is to be checked for a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// Not checked yet.
    First,
    /// Checked, but with other values: check it again and join the findings.
    Again,
    /// Checked with these values already (or as often as a file is).
    Done,
}

impl<K: std::hash::Hash + Eq> Default for Renderings<K> {
    fn default() -> Self {
        Self {
            seen: std::collections::HashMap::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq> Renderings<K> {
    pub const MAX: usize = 16;

    /// Record that `file` is checked for the call `inc`, and say how.
    pub fn see(&mut self, file: K, inc: &crate::iac::Include) -> Rendering {
        let rendering = (inc.kind, inc.vars.clone());
        match self.seen.get_mut(&file) {
            None => {
                self.seen.insert(file, vec![rendering]);
                Rendering::First
            }
            Some(done) if done.contains(&rendering) || done.len() >= Self::MAX => Rendering::Done,
            Some(done) => {
                done.push(rendering);
                Rendering::Again
            }
        }
    }
}

/// The findings of another rendering of an included file ([`Rendering::Again`]) joined to the
/// file's: the new ones only, every secret either read hidden in its source.
pub fn join_rendering(source: &mut Source, report: &mut FileReport, more: FileReport) {
    merge_pass(report, more, |_| true);
    source.hide(&report.secrets);
}

/// A file that a template reads as a policy (`file(...)`, `templatefile(...)`), read and
/// checked as the call `inc` gives it, its secrets hidden in its source.
pub fn check_include(
    name: String,
    bytes: Vec<u8>,
    id: usize,
    inc: &crate::iac::Include,
    opts: &Options,
) -> (Source, FileReport) {
    let (mut source, bad) = Source::from_bytes(name, bytes);
    let report = check_included_policy(&source, id, bad, inc.kind, inc.vars.as_deref(), opts);
    source.hide(&report.secrets);
    (source, report)
}

/// Check a file that a template reads as a policy of a known kind (`file(...)` in Terraform).
pub fn check_included_policy(
    source: &Source,
    source_id: usize,
    invalid_utf8_at: Option<usize>,
    kind: model::PolicyKind,
    template: Option<&[(String, String)]>,
    opts: &Options,
) -> FileReport {
    let parsed = json::parse_file(&source.text, invalid_utf8_at);
    let mut report = FileReport::default();
    if template.is_some() && (parsed.root.is_none() || !parsed.issues.is_empty()) {
        // a `templatefile` template whose text becomes JSON only once rendered
        // (`${jsonencode(...)}` outside a string, directives): not read
        report.skipped = Some("a Terraform template that is JSON only once rendered".into());
        report.quiet = true;
        return report;
    }
    if rules::syntax::FAMILY.runs(opts) {
        report.findings = rules::syntax::findings(source_id, &parsed.issues);
    }
    if let Some(mut root) = parsed.root {
        if let Some(vars) = template {
            render(&mut root, vars, &source.text);
        }
        rules::secrets::check(source_id, &root, &mut report.findings, &mut report.secrets);
        if root.as_object().is_some() {
            duplicate_keys_in_policy(source, &root, &mut report.findings);
            let doc = model::template_policy(root, kind, true);
            report.kind = Some(format!("{} (read by a template)", kind.describe()));
            add_policy(source, source_id, doc, opts, &mut report);
        }
    }
    settle(&mut report, opts);
    report
}

/// A `templatefile` template's strings with the variables the configuration determines:
/// `${name}` replaced by its value, `$${` and `%%{` the literal `${` and `%{` (a policy variable
/// is written `$${aws:username}`); a string with another interpolation or a directive is unknown.
fn render(node: &mut json::Node, vars: &[(String, String)], text: &str) {
    match &mut node.kind {
        json::Kind::String(s) if s.contains("${") || s.contains("%{") => {
            let mut out = String::with_capacity(s.len());
            let mut rest = s.as_str();
            loop {
                let next = [
                    rest.find("$${"),
                    rest.find("%%{"),
                    rest.find("${"),
                    rest.find("%{"),
                ]
                .into_iter()
                .flatten()
                .min();
                let Some(at) = next else {
                    out.push_str(rest);
                    break;
                };
                out.push_str(&rest[..at]);
                let here = &rest[at..];
                if let Some(after) = here.strip_prefix("$${") {
                    out.push_str("${");
                    rest = after;
                } else if let Some(after) = here.strip_prefix("%%{") {
                    out.push_str("%{");
                    rest = after;
                } else if let Some(after) = here.strip_prefix("${") {
                    let value = after.find('}').and_then(|end| {
                        let name = after[..end].trim();
                        vars.iter().find(|(k, _)| k == name).map(|(_, v)| (v, end))
                    });
                    match value {
                        Some((v, end)) => {
                            out.push_str(v);
                            rest = &after[end + 1..];
                        }
                        None => {
                            *node = crate::iac::unknown(text, node.span);
                            return;
                        }
                    }
                } else {
                    // a directive (`%{ if }`, `%{ for }`)
                    *node = crate::iac::unknown(text, node.span);
                    return;
                }
            }
            *s = out;
        }
        json::Kind::Array(items) => items.iter_mut().for_each(|i| render(i, vars, text)),
        json::Kind::Object(members) => members
            .iter_mut()
            .for_each(|m| render(&mut m.value, vars, text)),
        _ => {}
    }
}

/// Files that look like Terraform but are not configurations: tests (`*.tftest.hcl`),
/// Terragrunt's `*.hcl`, and what `terraform init` downloads into `.terraform/`. Skipped
/// quietly, even when named.
fn not_a_configuration(name: &str) -> Option<&'static str> {
    let path = std::path::Path::new(name);
    if path.components().any(|c| c.as_os_str() == ".terraform") {
        return Some("a file Terraform downloaded (`.terraform/`), not a configuration");
    }
    path.extension()
        .is_some_and(|e| e == "hcl")
        .then_some("a Terraform test or Terragrunt file (`.hcl`), not a configuration")
}

/// A file named explicitly (on the command line, to the library) whose content is of no kind
/// finops-lint checks: IO002, at the near miss when there is one. A file found in a folder is
/// skipped quietly (a repository holds JSON and YAML of other tools).
pub fn named_unknown(source: &Source, source_id: usize, report: &mut FileReport, opts: &Options) {
    if report.kind.is_some() || report.quiet || !opts.rules.on(&rules::IO002) {
        return;
    }
    let Some(why) = report.skipped.clone() else {
        return;
    };
    let expected = "finops-lint checks IAM policies (identity, bucket and trust policies, as written or as the AWS CLI prints them), Data Exports and CUR definitions (requests and the AWS CLI's output), a platform's connection settings, IAM simulation output, CloudFormation templates and Terraform configurations and plans";
    let f = match &report.near_miss {
        Some(n) => Finding::new(&rules::IO002, source_id, n.span, n.message.clone())
            .note(expected)
            .help(n.help.clone()),
        None => Finding::new(
            &rules::IO002,
            source_id,
            Span::new(0, 0),
            format!("`{}` is of no kind finops-lint checks: {why}", source.name),
        )
        .note(expected)
        .help("check that this is the file you meant; remove it from the command (or narrow the pre-commit hook's `files`) if it is another tool's"),
    };
    report.findings.push(f);
    sort(&mut report.findings);
}

/// Whether a file that does not parse was meant for finops-lint.
fn looks_like_ours(text: &str) -> bool {
    ["AWSTemplateFormatVersion", "AWS::", "Statement", "Effect"]
        .iter()
        .any(|k| text.contains(k))
}

/// Keep a policy for the checks across documents: every policy for `--scenario`, and bucket
/// policies for the consistency of the export's destination.
fn keep_policy(doc: PolicyDoc, opts: &Options, report: &mut FileReport) {
    // bucket policies for the export checks, trust policies for the connection's external ID
    if opts.scenario.is_some()
        || (opts.keep_docs
            && matches!(
                doc.kind,
                crate::model::PolicyKind::Bucket | crate::model::PolicyKind::Trust
            ))
    {
        report.docs.push(doc);
    }
}

/// A file's one policy: its findings (with a budget of its own) into the report, and the
/// document kept when the checks across files need it.
fn add_policy(
    source: &Source,
    source_id: usize,
    doc: PolicyDoc,
    opts: &Options,
    report: &mut FileReport,
) {
    report.findings.append(&mut check_policy(
        source,
        source_id,
        &doc,
        opts,
        &mut Default::default(),
    ));
    keep_policy(doc, opts, report);
}

/// The rules of one policy document. The checks of what it grants read its optimistic copy
/// when it holds unknown values.
pub fn check_policy(
    source: &Source,
    source_id: usize,
    doc: &PolicyDoc,
    opts: &Options,
    work: &mut rules::catalog::Work,
) -> Vec<Finding> {
    let mut ctx = Ctx {
        source,
        source_id,
        doc,
        opts,
        statements: policy::statements(&doc.root),
        findings: Vec::new(),
    };
    if rules::grammar::FAMILY.runs(opts) {
        rules::grammar::check(&mut ctx);
    }
    if rules::values::FAMILY.runs(opts) {
        rules::values::check(&mut ctx);
    }
    if rules::catalog::FAMILY.runs(opts) {
        rules::catalog::check(&mut ctx, work);
    }
    if rules::trust::FAMILY.runs(opts) {
        rules::trust::check(&mut ctx);
    }
    if rules::analyzer::FAMILY.runs(opts) {
        rules::analyzer::check(&mut ctx);
    }
    let mut findings = ctx.findings;
    // the delivery rules read what the policy grants: its optimistic copy when it holds
    // unknown values (findings on those values are then dropped)
    let optimistic = doc.eval.as_ref().map(|eval| PolicyDoc {
        kind: doc.kind,
        container: doc.container,
        root: eval.clone(),
        size: doc.size,
        principal_expected_because: doc.principal_expected_because.clone(),
        eval: None,
        for_platform: doc.for_platform,
    });
    if rules::delivery::FAMILY.runs(opts) {
        let grants = optimistic.as_ref().unwrap_or(doc);
        let mut ctx = Ctx {
            source,
            source_id,
            doc: grants,
            opts,
            statements: policy::statements(&grants.root),
            findings: Vec::new(),
        };
        rules::delivery::check(&mut ctx);
        findings.append(&mut ctx.findings);
    }
    if optimistic.is_some() {
        let unknown = model::unknown::unknown_spans(&doc.root);
        findings.retain(|f| !model::unknown::inside(f.span, &unknown));
    }
    embedded_without_fixes(source, doc, findings)
}

/// A document held in a string (get-bucket-policy, IAM's URL-encoded form): edits written for
/// JSON text would break the string, so its findings offer no machine fix.
fn embedded_without_fixes(
    source: &Source,
    doc: &PolicyDoc,
    mut findings: Vec<Finding>,
) -> Vec<Finding> {
    if doc.embedded_in(source) {
        for f in &mut findings {
            f.fix = None;
        }
    }
    findings
}

/// The rules of one cost document.
pub fn check_cost(
    source: &Source,
    source_id: usize,
    doc: &CostDoc,
    opts: &Options,
) -> Vec<Finding> {
    let mut ctx = rules::exports::CostCtx {
        source,
        source_id,
        opts,
        findings: Vec::new(),
    };
    rules::exports::check(&mut ctx, doc);
    ctx.findings
}

/// Check what a template declares: each document with the rules of its kind, findings pointing
/// into the template; then the template's suppressions.
fn check_template(
    source: &Source,
    source_id: usize,
    syntax: Syntax,
    tpl: crate::iac::Template,
    mut issues: Vec<json::Issue>,
    opts: &Options,
    report: &mut FileReport,
) {
    use crate::iac::Body;
    // the export type, when none is given, is the one the template (its module) declares:
    // legacy reports only deliver as `billingreports.amazonaws.com`; a template that declares
    // no cost export (a bucket policy on its own) accepts either billing principal. Exports of
    // other tables than the cost and usage report do not count.
    let (legacy, cur2) = tpl.declared.unwrap_or_else(|| {
        (
            tpl.docs.iter().any(|d| matches!(d.body, Body::Report(_))),
            tpl.docs
                .iter()
                .any(|d| matches!(&d.body, Body::Export(e) if crate::iac::is_cur2_export(e))),
        )
    });
    let inferred;
    let opts = if opts.export_type.is_none() && !cur2 {
        inferred = Options {
            export_type: legacy.then_some(ExportType::Legacy),
            any_billing_principal: !legacy,
            ..opts.clone()
        };
        &inferred
    } else {
        opts
    };
    // a billing ARN built with the deployment's region in `aws:SourceArn`: right only when
    // deployed in us-east-1
    let source_arn_values: Vec<Span> = tpl
        .docs
        .iter()
        .filter_map(|d| match &d.body {
            crate::iac::Body::Policy { root, .. } => Some(root),
            _ => None,
        })
        .flat_map(|root| {
            policy::statements(root)
                .iter()
                .flat_map(|s| s.conditions())
                .filter(|c| c.key_is("aws:SourceArn"))
                .flat_map(|c| c.values().iter().map(|v| v.span))
                .collect::<Vec<_>>()
        })
        .collect();
    report.includes = tpl.includes;
    issues.extend(tpl.issues);
    if rules::syntax::FAMILY.runs(opts) {
        report
            .findings
            .append(&mut rules::syntax::findings(source_id, &issues));
    }
    if let Some(values) = &tpl.values {
        rules::secrets::check(source_id, values, &mut report.findings, &mut report.secrets);
    }
    report.kind = Some(format!(
        "{} ({} document{})",
        tpl.format,
        tpl.docs.len(),
        if tpl.docs.len() == 1 { "" } else { "s" }
    ));
    let mut scoped: Vec<(Span, Vec<Finding>)> = Vec::new();
    // the redundancy checks' budget is the file's, whatever the number of its policies
    let mut work = rules::catalog::Work::default();
    // a template whose role trusts a platform's principal: its other roles are not the
    // platform's (`--role` says which is, when given)
    let mut docs = tpl.docs;
    if opts.role.is_none() {
        let trusts = |e: &crate::iac::Embedded| match &e.body {
            Body::Policy {
                kind: Some(model::PolicyKind::Trust),
                root,
                ..
            } => Some(rules::trust::names_platform(root).is_some()),
            _ => None,
        };
        if docs.iter().any(|e| trusts(e) == Some(true)) {
            for e in docs.iter_mut() {
                if trusts(e) == Some(false) {
                    if let Body::Policy { for_platform, .. } = &mut e.body {
                        *for_platform = false;
                    }
                }
            }
        }
    }
    for e in docs {
        let findings = match e.body {
            Body::Policy {
                kind,
                root,
                for_platform,
            } => {
                let kind = kind
                    .or(opts.policy_type)
                    .unwrap_or_else(|| model::infer_kind(source, &root, opts.bucket.as_deref()).0);
                let doc = model::template_policy(root, kind, for_platform);
                let f = check_policy(source, source_id, &doc, opts, &mut work);
                keep_policy(doc, opts, report);
                f
            }
            Body::Export(export) => {
                let unknown = model::unknown::unknown_spans(&export);
                let doc = CostDoc::Export {
                    export,
                    status: None,
                    container: tpl.format,
                };
                let mut f = check_cost(source, source_id, &doc, opts);
                f.retain(|f| !model::unknown::inside(f.span, &unknown));
                if opts.scenario.is_some() || opts.keep_docs {
                    report.costs.push(doc);
                }
                f
            }
            Body::Report(definition) => {
                let unknown = model::unknown::unknown_spans(&definition);
                let doc = CostDoc::Reports {
                    definitions: vec![definition],
                    container: tpl.format,
                };
                let mut f = check_cost(source, source_id, &doc, opts);
                f.retain(|f| !model::unknown::inside(f.span, &unknown));
                if opts.scenario.is_some() || opts.keep_docs {
                    report.costs.push(doc);
                }
                f
            }
        };
        let mut findings = findings;
        if let Some(user) = &e.used_by {
            // a document declared apart from the resource that uses it: say which
            for f in &mut findings {
                let used = format!("the document is used by `{user}`");
                f.note = Some(match f.note.take() {
                    Some(n) => format!("{n}; {used}"),
                    None => used,
                });
            }
        }
        scoped.push((e.scope, findings));
    }
    let mut findings: Vec<Finding> = scoped.into_iter().flat_map(|(_, f)| f).collect();
    if syntax != Syntax::Json {
        // the machine fixes are written for JSON text
        for f in &mut findings {
            f.fix = None;
        }
    }
    // a finding on a value written elsewhere in the file than where it is used: the uses are
    // related places; the same finding through several uses is one
    if !tpl.relocated.is_empty() {
        for f in &mut findings {
            for (written, used) in &tpl.relocated {
                if written.start <= f.span.start
                    && f.span.end <= written.end
                    && !f.labels.iter().any(|l| l.span == *used)
                {
                    f.labels.push(crate::diagnostic::Label {
                        span: *used,
                        message: "used here".into(),
                        source: None,
                    });
                }
            }
        }
        crate::diagnostic::sort(&mut findings);
        findings.dedup_by(|a, b| {
            a.rule.code == b.rule.code && a.span == b.span && a.message == b.message
        });
    }
    for f in &mut findings {
        if let Some(d) = tpl.defaults.iter().find(|d| d.span == f.span) {
            f.message = d.message.clone();
            f.help = Some(d.help.clone());
            // the value is not written: no edit of its text applies
            f.fix = None;
        }
    }
    if opts.rules.on(&rules::BP006) {
        for at in tpl.region_arns.iter().filter(|at| {
            source_arn_values
                .iter()
                .any(|v| v.start <= at.start && at.end <= v.end)
        }) {
            let text = source.snippet(*at);
            let service = if text.contains("bcm-data-exports") {
                "bcm-data-exports"
            } else {
                "cur"
            };
            let (ty, what) = if service == "cur" {
                ("definition", "legacy CUR report")
            } else {
                ("export", "CUR 2.0 export")
            };
            let account = opts.account_id.as_deref().unwrap_or("<account-id>");
            findings.push(
                Finding::new(&rules::BP006, source_id, *at, "`aws:SourceArn` is built with the deployment's region, but billing exports are always in us-east-1")
                    .note(format!("AWS sends the {what}'s ARN, `arn:aws:{service}:us-east-1:...`, whatever region the template is deployed in: deployed anywhere else, the condition refuses every delivery"))
                    .help(format!("write the region as `us-east-1`: `arn:aws:{service}:us-east-1:{account}:{ty}/*`{}", rules::delivery::fill_in(true, opts.account_id.is_some()))),
            );
        }
    }
    if rules::iac::FAMILY.runs(opts) {
        rules::iac::check(source_id, &tpl.links, &mut findings);
        rules::iac::regions(source_id, &tpl.cur_regions, &mut findings);
        rules::iac::parameters(source_id, &tpl.not_allowed, &mut findings);
    }
    // a refused default that may be a secret (a `NoEcho` parameter's) is hidden in the text
    // every output shows, as the secrets found are
    report.role_names.extend(tpl.role_names.iter().cloned());
    report.role_policies_outside |= tpl.role_policies_outside;
    for n in tpl.not_allowed.iter().filter(|n| n.secret && !n.given) {
        report.secrets.push(crate::secrets::Secret {
            span: n.at,
            value: n.value.clone(),
            // masked wherever the value appears (a message that names it, another file)
            named: true,
        });
    }
    rules::suppress::apply(source_id, &tpl.suppressions, &opts.rules, &mut findings);
    report.findings.append(&mut findings);
}

/// The checks across the files of a run, and the configuration applied to every file: the part
/// of a run that is the same whichever front end reads the files and prints the findings.
///
/// Files come in one at a time, in any order the front end chooses to check them. A file whose
/// documents the checks across files read (exports, connection settings, bucket policies; every
/// policy with a scenario) is held until [`Session::finish`]; any other is returned at once with
/// the configuration applied, ready to print and drop. Findings of the held files are renumbered
/// to their place among the held files (`Finding::source`, and labels in another held file).
pub struct Session<'c> {
    opts: &'c Options,
    config: Option<&'c mut crate::config::Config>,
    held: RunResult,
}

impl<'c> Session<'c> {
    pub fn new(opts: &'c Options, config: Option<&'c mut crate::config::Config>) -> Self {
        Session {
            opts,
            config,
            held: RunResult {
                sources: Vec::new(),
                reports: Vec::new(),
            },
        }
    }

    /// A checked file, numbered `id` in the run: `None` when it is held for the checks across
    /// files, else the file with the configuration applied.
    pub fn file(
        &mut self,
        id: usize,
        source: Source,
        mut report: FileReport,
    ) -> Option<(Source, FileReport)> {
        if !report.docs.is_empty() || !report.costs.is_empty() {
            let local = self.held.sources.len();
            for f in report.findings.iter_mut() {
                f.source = local;
                for l in f.labels.iter_mut() {
                    l.source = l.source.filter(|s| *s == id).map(|_| local);
                }
            }
            self.held.sources.push(source);
            self.held.reports.push(report);
            return None;
        }
        self.configure(&source, &mut report);
        Some((source, report))
    }

    /// Apply the configuration (selection, severities, ignores) to a file's findings.
    fn configure(&mut self, source: &Source, report: &mut FileReport) {
        if let Some(c) = self.config.as_deref_mut() {
            c.apply(&source.name, &mut report.findings);
        }
    }

    /// The checks across the held files; then the held files with the configuration applied
    /// (their findings numbered by their place in `held`), and the configuration's own findings
    /// (unused ignores, ignores without a reason, invalid values) as a file of its own.
    pub fn finish(mut self) -> Result<Finished, String> {
        let mut held = std::mem::replace(
            &mut self.held,
            RunResult {
                sources: Vec::new(),
                reports: Vec::new(),
            },
        );
        crate::rules::requirements::check(&held.sources, &mut held.reports, self.opts)?;
        crate::rules::consistency::check(&held.sources, &mut held.reports, self.opts);
        for (source, report) in held.sources.iter().zip(held.reports.iter_mut()) {
            self.configure(source, report);
        }
        let config = self.config.as_deref().and_then(|c| {
            let own = c.finish(0);
            (!own.is_empty()).then(|| {
                let report = FileReport {
                    findings: own,
                    kind: Some("finops-lint configuration".into()),
                    ..Default::default()
                };
                (c.source.clone(), report)
            })
        });
        Ok(Finished { held, config })
    }
}

/// The end of a [`Session`].
pub struct Finished {
    /// The files held for the checks across files, configured, in the order they came.
    pub held: RunResult,
    /// The configuration's own findings, in the configuration (source 0), when it has any.
    pub config: Option<(Source, FileReport)>,
}

/// The finding at a template's `file(...)` call whose policy file cannot be read: missing
/// (`None`) or failing with this error.
pub fn unreadable_include(
    source: usize,
    include: &crate::iac::Include,
    shown: &str,
    error: Option<&str>,
) -> Finding {
    match error {
        None => Finding::new(
            &rules::IO001,
            source,
            include.at,
            format!("cannot read the policy file `{shown}`"),
        )
        .help("check the path given to `file(...)`, relative to this file's folder"),
        Some(e) => Finding::new(
            &rules::IO001,
            source,
            include.at,
            format!("cannot read the policy file `{shown}`: {e}"),
        )
        .help("check that the file `file(...)` names is a readable policy file"),
    }
}
