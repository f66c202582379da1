//! The library's front door: lint documents held in memory.
//!
//! ```
//! use finops_lint::{Linter, Options};
//!
//! let policy = r#"{
//!   "Version": "2012-10-17",
//!   "Statement": [{
//!     "Effect": "Allow",
//!     "Principal": {"Service": "bcm-data-exports.amazonaws.com"},
//!     "Action": "s3:PutObject",
//!     "Resource": "arn:aws:s3:::<bucket_name>/*"
//!   }]
//! }"#;
//! let options = Options {
//!     bucket: Some("acme-billing".into()),
//!     account_id: Some("402938475610".into()),
//!     ..Options::default()
//! };
//! let linted = Linter::new(options)
//!     .lint([("bucket-policy.json", policy.as_bytes())])
//!     .unwrap();
//! let codes: Vec<&str> = linted.findings().map(|f| f.rule.code).collect();
//! // the guide's placeholder left in (its fix takes the run's bucket), and the delivery
//! // service's missing `s3:GetBucketPolicy`; `s3:PutObject` on the placeholder is not
//! // reported again as missing
//! assert!(codes.contains(&"VAL001") && codes.contains(&"BP003"));
//! assert!(!codes.contains(&"BP002"));
//! let fix = linted.findings().find(|f| f.rule.code == "VAL001").and_then(|f| f.fix.as_ref());
//! assert_eq!(fix.unwrap().edits[0].replacement, "arn:aws:s3:::acme-billing/*");
//! ```

use crate::config::Config;
use crate::context::Options;
use crate::diagnostic::FileReport;
use crate::engine::{self, RunResult, Session};
use crate::source::Source;
use std::path::{Component, Path, PathBuf};

/// Lints documents held in memory with one onboarding context and, optionally, a
/// configuration (`finops-lint.toml` given as text). No file is read: a Terraform file's
/// module is the other `.tf` documents given with it from the same folder, and a policy file
/// that a template reads with `file(...)` is the document given under that path.
pub struct Linter {
    options: Options,
    config: Option<Config>,
}

impl Linter {
    /// A linter with this onboarding context (bucket, account, export, scenario).
    pub fn new(options: Options) -> Self {
        Linter {
            options,
            config: None,
        }
    }

    /// Use a configuration given as text (`finops-lint.toml`): its rule selection, severities,
    /// ignores and `[files]`, and the `[onboarding]` values the options leave out. Its problems
    /// are findings in it (CFG001), reported with the documents' findings.
    pub fn config(mut self, name: &str, text: &str) -> Self {
        self.config = Some(crate::config::parse_text(name, text.as_bytes()));
        self
    }

    /// Lint the documents, given as (name, bytes); the names are paths relative to the
    /// configuration's folder, such as `infra/bucket-policy.json`. The result holds each
    /// document in the order the command line prints them: the documents no check across files
    /// reads, in the order given, then those it reads, then the configuration when it has
    /// findings of its own; `Finding::source` is a document's place in that order.
    ///
    /// An error is a context that cannot be checked (a scenario without a bucket and an account
    /// ID given in the options).
    pub fn lint<'a>(
        &mut self,
        documents: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Result<RunResult, String> {
        self.lint_with_context(documents, std::iter::empty())
    }

    /// [`Linter::lint`] with documents given for context only: the other files of a Terraform
    /// module (their variables and locals) and the policy files a template reads with
    /// `file(...)`, which are not checked for themselves (an editor checks the file it shows,
    /// not the whole module again at each keystroke). The result holds the checked documents
    /// first, as `lint` orders them.
    pub fn lint_with_context<'a>(
        &mut self,
        documents: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        context: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Result<RunResult, String> {
        let mut documents: Vec<(&str, &[u8])> = documents.into_iter().collect();
        if let Some(c) = &self.config {
            documents.retain(|(name, _)| c.takes_file(name));
        }
        let checked_count = documents.len();
        documents.extend(context);
        let mut opts = self.options.clone();
        opts.keep_docs = true;
        if let Some(c) = self.config.as_mut() {
            c.fill(&mut opts);
        }
        if let Some(sc) = opts.scenario.filter(|s| s.needs_bucket_and_account()) {
            if opts.bucket.is_none() || opts.account_id.is_none() {
                match self.config.as_mut() {
                    Some(c) if self.options.scenario.is_none() => c.scenario_not_checked(sc),
                    _ => {
                        return Err(format!(
                            "the scenario `{sc}` needs a bucket and an account ID"
                        ))
                    }
                }
                opts.scenario = None;
            }
        }
        // without a platform given, the one the documents name (trust policies, connections)
        if opts.platform.is_none() {
            let mut named: Vec<&'static crate::platform::Profile> = Vec::new();
            for (_, bytes) in &documents {
                for p in crate::platform::named_in(bytes) {
                    if !named.iter().any(|n| n.name == p.name) {
                        named.push(p);
                    }
                }
            }
            // one whose profile lacks the run's scenario is not chosen: the scenario's
            // requirements stay OptScale's
            if let [one] = named.as_slice() {
                if opts.scenario.is_none_or(|s| one.has_scenario(s.as_str())) {
                    opts.platform = Some(*one);
                }
            }
        }
        let checked = check_documents(&documents, checked_count, &opts);
        let mut out = RunResult {
            sources: Vec::new(),
            reports: Vec::new(),
        };
        let mut session = Session::new(&opts, self.config.as_mut());
        for (id, (source, report)) in checked.into_iter().enumerate() {
            if let Some((source, mut report)) = session.file(id, source, report) {
                let at = out.sources.len();
                renumber(&mut report, |s| (s == id).then_some(at));
                out.sources.push(source);
                out.reports.push(report);
            }
        }
        let finished = session.finish()?;
        let first = out.sources.len();
        for (source, mut report) in finished.held.sources.into_iter().zip(finished.held.reports) {
            renumber(&mut report, |s| Some(first + s));
            out.sources.push(source);
            out.reports.push(report);
        }
        if let Some((source, mut report)) = finished.config {
            let at = out.sources.len();
            renumber(&mut report, |s| (s == 0).then_some(at));
            out.sources.push(source);
            out.reports.push(report);
        }
        Ok(out)
    }
}

/// Renumber a file's findings and their labels in another file; a label whose file has no
/// number is the finding's own.
fn renumber(report: &mut FileReport, to: impl Fn(usize) -> Option<usize>) {
    for f in &mut report.findings {
        if let Some(n) = to(f.source) {
            f.source = n;
        }
        for l in &mut f.labels {
            l.source = l.source.and_then(&to);
        }
    }
}

/// A path written relative to a folder, with `.` and `..` resolved by name.
fn joined(base: &Path, written: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in base.join(written).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Check each document on its own: a Terraform file with the other `.tf` documents of its
/// folder, and a policy a template reads with `file(...)` as the policy of that kind.
/// Check the first `checked_count` documents; the others are context (module siblings and
/// include targets), read but not checked for themselves.
fn check_documents(
    documents: &[(&str, &[u8])],
    checked_count: usize,
    opts: &Options,
) -> Vec<(Source, FileReport)> {
    let folder = |name: &str| {
        joined(Path::new(""), name)
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_default()
    };
    let is_tf = |name: &str| Path::new(name).extension().is_some_and(|e| e == "tf");
    let by_path: std::collections::HashMap<PathBuf, usize> = documents
        .iter()
        .enumerate()
        .filter_map(|(i, (name, _))| Some((joined(Path::new(""), name)?, i)))
        .collect();
    let mut out: Vec<Option<(Source, FileReport)>> = documents.iter().map(|_| None).collect();
    // the policies the templates read, each checked with every set of values a call gives it
    let mut renderings = engine::Renderings::default();
    // Terraform first: the policies its templates read are checked with the kind they give
    for (id, (name, bytes)) in documents.iter().enumerate().take(checked_count) {
        if !is_tf(name) {
            continue;
        }
        let siblings: Vec<std::sync::Arc<str>> = documents
            .iter()
            .enumerate()
            .filter(|(i, (n, _))| *i != id && is_tf(n) && folder(n) == folder(name))
            .map(|(_, (_, b))| std::sync::Arc::from(String::from_utf8_lossy(b).as_ref()))
            .collect();
        let (mut source, bad) = Source::from_bytes(name.to_string(), bytes.to_vec());
        let mut report = engine::check_source_in(&source, id, bad, opts, &siblings);
        engine::named_unknown(&source, id, &mut report, opts);
        source.hide(&report.secrets);
        let base = folder(name);
        for inc in report.includes.clone() {
            let target = joined(&base, &inc.path).and_then(|p| by_path.get(&p).copied());
            let Some(target) = target else {
                let shown = joined(&base, &inc.path)
                    .unwrap_or_else(|| base.join(&inc.path))
                    .to_string_lossy()
                    .into_owned();
                report
                    .findings
                    .push(engine::unreadable_include(id, &inc, &shown, None));
                crate::diagnostic::sort(&mut report.findings);
                continue;
            };
            if is_tf(documents[target].0) {
                continue;
            }
            let (t_name, t_bytes) = documents[target];
            let again = match renderings.see(target, &inc) {
                engine::Rendering::Done => continue,
                engine::Rendering::First => false,
                engine::Rendering::Again => true,
            };
            let checked =
                engine::check_include(t_name.to_string(), t_bytes.to_vec(), target, &inc, opts);
            match (again, out[target].as_mut()) {
                (true, Some((source, report))) => engine::join_rendering(source, report, checked.1),
                _ => out[target] = Some(checked),
            }
        }
        out[id] = Some((source, report));
    }
    documents
        .iter()
        .enumerate()
        .map(|(id, (name, bytes))| {
            out[id].take().unwrap_or_else(|| {
                if id >= checked_count {
                    // context only: skipped quietly
                    let source = Source::new(name.to_string(), String::new());
                    let report = FileReport {
                        skipped: Some("given for context".into()),
                        quiet: true,
                        ..FileReport::default()
                    };
                    return (source, report);
                }
                let (mut source, bad) = Source::from_bytes(name.to_string(), bytes.to_vec());
                let mut report = engine::check_source_in(&source, id, bad, opts, &[]);
                engine::named_unknown(&source, id, &mut report, opts);
                source.hide(&report.secrets);
                (source, report)
            })
        })
        .collect()
}
