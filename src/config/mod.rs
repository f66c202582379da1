//! `finops-lint.toml`: the onboarding context, rule selection, severity overrides, ignores with
//! reasons, and the files a run reads. The file is read with `toml_edit` (positions kept) into
//! the same spanned tree as JSON and validated with `schemas/config.schema.json`, so an unknown
//! key, a bad value or an unknown rule is a finding pointing into the configuration, with "did
//! you mean".

use crate::diagnostic::{Finding, Severity};
use crate::parse::json::{Kind, Member, Node};
use crate::rules;
use crate::source::{Source, Span};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "finops-lint.toml";

#[cfg(feature = "cli")]
pub mod files;
#[cfg(feature = "cli")]
pub use files::{discover, parse};

/// The onboarding values of the configuration; an invalid one is left out (and is a CFG001
/// finding), so that the default or the flag applies.
#[derive(Debug, Default, Clone)]
pub struct Onboarding {
    pub account_id: Option<String>,
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    pub export_name: Option<String>,
    pub export_type: Option<crate::context::ExportType>,
    pub scenario: Option<crate::context::Scenario>,
    pub platform: Option<&'static crate::platform::Profile>,
    /// Where each key given is (valid or not): `("scenario", span of its value)`.
    pub given: Vec<(&'static str, Span)>,
}

impl Onboarding {
    /// The span of the value of `key`, when the configuration gives one.
    pub fn at(&self, key: &str) -> Option<Span> {
        self.given.iter().find(|(k, _)| *k == key).map(|(_, s)| *s)
    }
}

/// A 12-digit AWS account ID (the flags and the configuration accept the same).
pub fn valid_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// What is wrong with an account ID that is not 12 digits, said for what was written.
pub fn account_id_problem(id: &str) -> Option<String> {
    if valid_account_id(id) {
        return None;
    }
    let digits: String = id.chars().filter(char::is_ascii_digit).collect();
    let separators = id
        .chars()
        .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
    Some(if separators && digits.len() == 12 {
        format!("it has separators: write it as `{digits}`")
    } else if let Some(c) = id
        .chars()
        .find(|c| !c.is_ascii_digit() && *c != '-' && *c != ' ')
    {
        format!("`{c}` is not a digit (an account ID is 12 digits)")
    } else {
        format!("it has {} digits, not 12", digits.len())
    })
}

/// A bucket's name only: not empty, not an `s3://` URL, an ARN or a path.
pub fn valid_bucket_name(name: &str) -> bool {
    !(name.is_empty()
        || name.starts_with("s3://")
        || name.starts_with("arn:")
        || name.contains('/'))
}

#[derive(Debug, Clone)]
pub struct Ignore {
    pub rules: Vec<(String, Span)>,
    pub paths: Option<globset::GlobSet>,
    pub reason: Option<String>,
    pub span: Span,
    pub used: bool,
}

#[derive(Debug)]
pub struct Config {
    /// The configuration file, as a source of the run (its findings point into it).
    pub source: Source,
    /// The folder globs are relative to: the configuration's, absolute with its links resolved.
    pub dir: PathBuf,
    pub onboarding: Onboarding,
    /// `None`: every rule.
    pub select: Option<Vec<String>>,
    /// Severity overrides; `None` is "off". An invalid value is left out (the rule keeps its
    /// default) and is a CFG001 finding.
    pub severity: Vec<(String, Option<Severity>)>,
    pub ignores: Vec<Ignore>,
    pub include: Option<globset::GlobSet>,
    /// Where `[files] include` is (its findings point at it).
    pub include_span: Span,
    /// `[files] exclude`: each glob, and everything below it when it names a folder.
    pub exclude: Option<globset::GlobSet>,
    /// `[files] max-file-size`, in MiB.
    pub max_file_size: Option<u64>,
    /// Problems of the configuration itself, on source index 0 (moved when added to a run).
    pub findings: Vec<Finding>,
    /// The last file's folder and that folder resolved (files come folder by folder).
    #[cfg(feature = "cli")]
    pub(crate) resolved: std::sync::Mutex<Option<(PathBuf, PathBuf)>>,
}

/// TOML into the spanned tree.
fn item_node(item: &toml_edit::Item) -> Option<Node> {
    use toml_edit::Item;
    match item {
        Item::None => None,
        Item::Value(v) => Some(value_node(v)),
        Item::Table(t) => Some(table_node(
            t.iter().filter_map(|(k, _)| t.get_key_value(k)),
            t.span(),
        )),
        Item::ArrayOfTables(a) => {
            let span = Span::of(a.span());
            let items = a
                .iter()
                .map(|t| table_node(t.iter().filter_map(|(k, _)| t.get_key_value(k)), t.span()))
                .collect();
            Some(Node {
                span,
                inner: span,
                kind: Kind::Array(items),
            })
        }
    }
}

fn table_node<'a>(
    entries: impl Iterator<Item = (&'a toml_edit::Key, &'a toml_edit::Item)>,
    span: Option<std::ops::Range<usize>>,
) -> Node {
    let mut members = Vec::new();
    let mut first = None;
    for (k, i) in entries {
        let key_span = Span::of(k.span());
        first.get_or_insert(key_span);
        if let Some(value) = item_node(i) {
            members.push(Member {
                key: k.get().to_string(),
                key_span,
                value,
            });
        }
    }
    let span = span
        .map(|r| Span::new(r.start, r.end))
        .or(first)
        .unwrap_or_default();
    Node {
        span,
        inner: span,
        kind: Kind::Object(members),
    }
}

fn value_node(v: &toml_edit::Value) -> Node {
    use toml_edit::Value;
    let span = Span::of(v.span());
    let kind = match v {
        Value::String(s) => Kind::String(s.value().clone()),
        Value::Integer(i) => Kind::Number(i.value().to_string()),
        Value::Float(f) => Kind::Number(f.value().to_string()),
        Value::Boolean(b) => Kind::Bool(*b.value()),
        Value::Datetime(d) => Kind::String(d.value().to_string()),
        Value::Array(a) => Kind::Array(a.iter().map(value_node).collect()),
        Value::InlineTable(t) => {
            return table_node(t.iter().filter_map(|(k, _)| t.get_key_value(k)), t.span());
        }
    };
    let inner = if matches!(v, Value::String(_)) && span.len() >= 2 {
        Span::new(span.start + 1, span.end - 1)
    } else {
        span
    };
    Node { span, inner, kind }
}

fn strings(n: Option<&Node>) -> Vec<(String, Span)> {
    n.and_then(Node::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|i| i.as_str().map(|s| (s.to_string(), i.inner_span())))
        .collect()
}

/// The valid globs of a list (an invalid one is a finding); `below` adds `GLOB/**` for each, so
/// that a folder's glob covers what it holds. A set that cannot be built matches nothing.
fn globs(list: &[(String, Span)], below: bool, findings: &mut Vec<Finding>) -> globset::GlobSet {
    let mut b = globset::GlobSetBuilder::new();
    for (g, span) in list {
        let mut add = |text: &str| match globset::Glob::new(text) {
            Ok(glob) => {
                b.add(glob);
                true
            }
            Err(e) => {
                findings.push(
                    Finding::new(&rules::CFG001, 0, *span, format!("invalid glob `{g}`: {e}"))
                        .help("write a glob such as `infra/**/*.json`"),
                );
                false
            }
        };
        if add(g) && below && !g.ends_with("/**") {
            add(&format!("{}/**", g.trim_end_matches('/')));
        }
    }
    b.build().unwrap_or_else(|_| globset::GlobSet::empty())
}

fn unknown_rule(entry: &str, span: Span) -> Finding {
    Finding::new(
        &rules::CFG001,
        0,
        span,
        format!("`{entry}` is not a finops-lint rule"),
    )
    .help(rules::unknown_rule_help(entry))
}

/// Read a configuration from its bytes (the caller reads the file with the rules of every input:
/// a regular file within the size limit). Problems are findings in it, never an error.
/// Globs and ignores see the names of the files checked as written (the command line resolves
/// them against the configuration's folder: `files::parse`).
pub fn parse_text(name: &str, bytes: &[u8]) -> Config {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let mut cfg = Config {
        source: Source::new(name.to_string(), text.clone()),
        dir: PathBuf::new(),
        onboarding: Onboarding::default(),
        select: None,
        severity: Vec::new(),
        ignores: Vec::new(),
        include: None,
        include_span: Span::default(),
        exclude: None,
        max_file_size: None,
        findings: Vec::new(),
        #[cfg(feature = "cli")]
        resolved: std::sync::Mutex::new(None),
    };
    let doc = match toml_edit::Document::parse(text.clone()) {
        Ok(d) => d,
        Err(e) => {
            let span = Span::of(e.span());
            let span = if span.is_empty() {
                Span::new(span.start, (span.start + 1).min(text.len()))
            } else {
                span
            };
            let message = e.message().trim().to_string();
            cfg.findings.push(
                Finding::new(&rules::CFG001, 0, span, format!("invalid TOML: {message}"))
                    .help("fix the TOML syntax at the marked position; nothing else in the configuration was read"),
            );
            return cfg;
        }
    };
    let table = doc.as_table();
    let root = table_node(
        table.iter().filter_map(|(k, _)| table.get_key_value(k)),
        Some(0..text.len()),
    );
    for issue in crate::schema::validate(crate::schema::SchemaKind::Config, &root) {
        // an ignore without a reason is SUP002, said once
        if issue.message.ends_with("has no `reason`") {
            continue;
        }
        let message = issue.message.replace(
            ", which AWS does not accept",
            ", which is not a valid value",
        );
        let mut f = Finding::new(&rules::CFG001, 0, issue.span, message);
        if let Some(h) = issue.help {
            f = f.help(h);
        }
        cfg.findings.push(f);
    }
    let text_of = |n: Option<&Node>| n.and_then(Node::as_str).map(str::to_string);
    if let Some(o) = root.get("onboarding") {
        onboarding(o, &mut cfg);
    }
    if let Some(r) = root.get("rules") {
        if let Some(sel) = r.get("select") {
            let list = strings(Some(sel));
            let mut known = Vec::new();
            for (e, span) in &list {
                if rules::names_some(e) {
                    known.push(e.clone());
                } else {
                    cfg.findings.push(unknown_rule(e, *span));
                }
            }
            // a selection of nothing but typos selects nothing: every rule runs, as without one
            let only_typos = known.is_empty() && !list.is_empty();
            cfg.select = (!only_typos).then_some(known);
        }
        for m in r.get("severity").and_then(Node::as_object).unwrap_or(&[]) {
            if !rules::names_some(&m.key) {
                cfg.findings.push(unknown_rule(&m.key, m.key_span));
                continue;
            }
            let sev = match m.value.as_str() {
                // the spellings other linters take, too (ESLint's `warn`, `ignore`)
                Some("error" | "err") => Some(Severity::Error),
                Some("warning" | "warn") => Some(Severity::Warning),
                Some("info") => Some(Severity::Info),
                Some("off" | "ignore") => None,
                // the schema reported it (CFG001): the rule keeps its default severity
                _ => continue,
            };
            cfg.severity.push((m.key.clone(), sev));
        }
    }
    for entry in root.get("ignore").and_then(Node::as_array).unwrap_or(&[]) {
        let list = strings(entry.get("rules"));
        let mut ok = !list.is_empty();
        for (e, span) in &list {
            if !rules::names_some(e) {
                ok = false;
                cfg.findings.push(unknown_rule(e, *span));
            }
        }
        let reason = text_of(entry.get("reason")).filter(|r| !r.trim().is_empty());
        let paths = entry
            .get("paths")
            .map(|p| globs(&strings(Some(p)), false, &mut cfg.findings));
        if ok {
            cfg.ignores.push(Ignore {
                rules: list,
                paths,
                reason,
                span: entry.span,
                used: false,
            });
        }
    }
    if let Some(files) = root.get("files") {
        if let Some(inc) = files.get("include") {
            cfg.include = Some(globs(&strings(Some(inc)), false, &mut cfg.findings));
            cfg.include_span = inc.span;
        }
        cfg.max_file_size = files.get("max-file-size").and_then(|n| match &n.kind {
            Kind::Number(t) => t.parse().ok().filter(|n| *n > 0),
            _ => None,
        });
        if let Some(exc) = files.get("exclude") {
            cfg.exclude = Some(globs(&strings(Some(exc)), true, &mut cfg.findings));
        }
    }
    cfg
}

/// `[onboarding]`: the valid values; an invalid one is a CFG001 finding at it (the schema's, or
/// the flags' rule for a bucket's name) and is left out.
fn onboarding(o: &Node, cfg: &mut Config) {
    const KEYS: [&str; 7] = [
        "account-id",
        "bucket",
        "prefix",
        "export-name",
        "export-type",
        "scenario",
        "platform",
    ];
    let mut out = Onboarding::default();
    for key in KEYS {
        let Some(node) = o.get(key) else { continue };
        out.given.push((key, node.inner_span()));
        let reported = cfg
            .findings
            .iter()
            .any(|f| f.span.start < node.span.end && node.span.start < f.span.end);
        let Some(value) = node.as_str() else {
            continue; // not a string: the schema said so
        };
        let valid = match key {
            "account-id" => valid_account_id(value),
            "bucket" => valid_bucket_name(value) && value.len() >= 3,
            "export-type" => value.parse::<crate::context::ExportType>().is_ok(),
            "scenario" => value.parse::<crate::context::Scenario>().is_ok(),
            "platform" => crate::platform::find(value).is_some(),
            _ => true,
        };
        if !valid {
            if !reported {
                let message = match key {
                    "bucket" => format!("`bucket` `{value}` must be the bucket's name only, such as `my-billing-bucket`"),
                    "platform" => format!("`platform` `{value}` is not one of {}", crate::platform::names()),
                    _ => format!("`{key}` `{value}` is not a valid value"),
                };
                cfg.findings
                    .push(Finding::new(&rules::CFG001, 0, node.inner_span(), message));
            }
            continue;
        }
        let slot = match key {
            "account-id" => &mut out.account_id,
            "bucket" => &mut out.bucket,
            "prefix" => &mut out.prefix,
            "export-name" => &mut out.export_name,
            "export-type" => {
                out.export_type = value.parse().ok();
                continue;
            }
            "platform" => {
                out.platform = crate::platform::find(value);
                continue;
            }
            _ => {
                out.scenario = value.parse().ok();
                continue;
            }
        };
        *slot = Some(value.to_string());
    }
    cfg.onboarding = out;
}

impl Config {
    /// A file's path as the globs see it: relative to the configuration's folder. Read from a
    /// file (`files::parse`), that folder is resolved on disk; given as text, it is the folder of
    /// the configuration's name, and names are compared as written (`./` aside).
    pub fn relative(&self, name: &str) -> PathBuf {
        #[cfg(feature = "cli")]
        if !self.dir.as_os_str().is_empty() {
            return self.resolve(name);
        }
        // the configuration's folder in the names' space: the folder of its own name
        let normal = |p: &Path| -> PathBuf {
            p.components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect()
        };
        let p = normal(Path::new(name));
        let base = normal(
            Path::new(&self.source.name)
                .parent()
                .unwrap_or(Path::new("")),
        );
        p.strip_prefix(&base).map(Path::to_path_buf).unwrap_or(p)
    }

    /// Fill the onboarding values the options leave out from `[onboarding]`: the options (the
    /// flags, a library's caller) win.
    pub fn fill(&self, opts: &mut crate::context::Options) {
        let o = &self.onboarding;
        opts.bucket = opts.bucket.take().or(o.bucket.clone());
        opts.account_id = opts.account_id.take().or(o.account_id.clone());
        opts.prefix = opts.prefix.take().or(o.prefix.clone());
        opts.export_name = opts.export_name.take().or(o.export_name.clone());
        opts.scenario = opts.scenario.or(o.scenario);
        opts.platform = opts.platform.or(o.platform);
        opts.export_type = opts.export_type.or(o.export_type);
        opts.rules = self.selection();
    }

    /// The rules this configuration turns off: those `select` leaves out, and those whose
    /// severity is `off`. Their checks are not run.
    pub fn selection(&self) -> crate::diagnostic::Selection {
        let off = |r: &&'static crate::diagnostic::Rule| {
            let unselected = self.select.as_ref().is_some_and(|sel| {
                !sel.iter()
                    .any(|e| e.eq_ignore_ascii_case("ALL") || r.named_by(e))
            });
            unselected
                || self
                    .severity
                    .iter()
                    .any(|(entry, sev)| sev.is_none() && r.named_by(entry))
        };
        crate::diagnostic::Selection::without(rules::ALL.iter().copied().filter(off))
    }

    /// The scenario the configuration names cannot be checked: it lacks a valid bucket or
    /// account ID (a CFG001 finding at the scenario).
    pub fn scenario_not_checked(&mut self, scenario: crate::context::Scenario) {
        let at = self.onboarding.at("scenario").unwrap_or_default();
        self.findings.push(
            Finding::new(
                &rules::CFG001,
                0,
                at,
                format!("the scenario `{scenario}` needs a valid `bucket` and `account-id`, so its requirements were not checked"),
            )
            .help("give them in `[onboarding]` or as --bucket and --account-id"),
        );
    }

    /// Whether `[files]` takes the file of this name (`include`, else every file, and not
    /// `exclude`).
    pub fn takes_file(&self, name: &str) -> bool {
        let rel = self.relative(name);
        self.takes(&rel) && !self.leaves_out(&rel)
    }

    /// Whether `include` takes a file (every file when it is absent), by its relative path.
    pub(crate) fn takes(&self, rel: &Path) -> bool {
        self.include.as_ref().is_none_or(|g| g.is_match(rel))
    }

    /// Whether `exclude` leaves a file out, by its relative path.
    pub(crate) fn leaves_out(&self, rel: &Path) -> bool {
        self.exclude.as_ref().is_some_and(|g| g.is_match(rel))
    }

    /// Apply selection, severities and ignores to a file's findings.
    pub fn apply(&mut self, file: &str, findings: &mut Vec<Finding>) {
        for i in self.filter(file, findings) {
            self.ignores[i].used = true;
        }
    }

    /// Selection, "off" and ignores, applied to a file's findings: what a run reports of them
    /// (`--fix` fixes only those). The ignores that silenced something, by index.
    pub fn filter(&self, file: &str, findings: &mut Vec<Finding>) -> Vec<usize> {
        if let Some(sel) = &self.select {
            if !sel.iter().any(|e| e.eq_ignore_ascii_case("ALL")) {
                findings.retain(|f| sel.iter().any(|e| f.rule.named_by(e)));
            }
        }
        for (entry, sev) in &self.severity {
            match sev {
                None => findings.retain(|f| !f.rule.named_by(entry)),
                Some(s) => findings
                    .iter_mut()
                    .filter(|f| f.rule.named_by(entry))
                    .for_each(|f| f.severity = *s),
            }
        }
        let mut used = Vec::new();
        if findings.is_empty() {
            return used;
        }
        let rel = self.relative(file);
        for (i, ig) in self.ignores.iter().enumerate() {
            if ig.reason.is_none() || ig.paths.as_ref().is_some_and(|g| !g.is_match(&rel)) {
                continue;
            }
            let before = findings.len();
            findings.retain(|f| !ig.rules.iter().any(|(e, _)| f.rule.named_by(e)));
            if findings.len() != before {
                used.push(i);
            }
        }
        used
    }

    /// The configuration's own findings, with `source` as its index in the run: problems found
    /// while reading it, ignores without a reason, and ignores that silenced nothing.
    pub fn finish(&self, source: usize) -> Vec<Finding> {
        let mut out: Vec<Finding> = self.findings.clone();
        for ig in &self.ignores {
            let names: Vec<String> = ig.rules.iter().map(|(e, _)| format!("`{e}`")).collect();
            if ig.reason.is_none() {
                out.push(
                    Finding::new(&rules::SUP002, 0, ig.span, "the ignore gives no reason")
                        .note("an ignore without a reason silences nothing")
                        .help("add `reason = \"...\"`: why the rule does not apply here"),
                );
            } else if !ig.used {
                out.push(
                    Finding::new(
                        &rules::SUP001,
                        0,
                        ig.span,
                        format!("the ignore of {} silences nothing", names.join(", ")),
                    )
                    .help("remove it"),
                );
            }
        }
        for f in &mut out {
            f.source = source;
        }
        crate::diagnostic::sort(&mut out);
        out
    }
}

/// The onboarding values `finops-lint init` writes into a starter configuration.
#[derive(Debug, Default)]
pub struct Starter<'a> {
    pub account_id: Option<&'a str>,
    pub bucket: Option<&'a str>,
    pub prefix: Option<&'a str>,
    pub export_name: Option<&'a str>,
    pub export_type: Option<&'a str>,
    pub scenario: Option<&'a str>,
    pub platform: Option<&'a str>,
}

/// A starter `finops-lint.toml`: the onboarding values given (the others as comments to fill
/// in), every rule selected, and commented examples of the other sections.
pub fn starter(v: &Starter) -> String {
    let quote = |s: &str| serde_json::Value::from(s).to_string();
    let line = |key: &str, value: Option<&str>, example: &str, about: &str| {
        let set = match value {
            Some(v) => format!("{key} = {}", quote(v)),
            None => format!("# {key} = {}", quote(example)),
        };
        format!("{set:<40} # {about}\n")
    };
    let mut out = String::from(
        "# finops-lint configuration: found by `finops-lint check` in the checked files' folder or\n\
         # the nearest folder above it. Flags given on the command line win over these values.\n\
         # Reference: `finops-lint check --help`, and schemas/config.schema.json for editors.\n\n\
         [onboarding]\n",
    );
    out.push_str(&line(
        "account-id",
        v.account_id,
        "123456789012",
        "the 12-digit ID of the account that owns the export, in quotes",
    ));
    out.push_str(&line(
        "bucket",
        v.bucket,
        "my-billing-bucket",
        "the bucket the export is delivered to (its name only)",
    ));
    out.push_str(&line(
        "prefix",
        v.prefix,
        "reports",
        "the export's S3 path prefix, without `/` at either end",
    ));
    out.push_str(&line(
        "export-name",
        v.export_name,
        "finops",
        "the export's name",
    ));
    out.push_str(&line(
        "export-type",
        v.export_type,
        "cur2",
        "`cur2` (Data Exports) or `legacy` (CUR)",
    ));
    out.push_str(&line(
        "scenario",
        v.scenario,
        "root-existing-export",
        "root-existing-export, root-create-export or linked",
    ));
    out.push_str(&line(
        "platform",
        v.platform,
        "optscale",
        "the FinOps platform: `finops-lint platforms` lists them",
    ));
    out.push_str(
        "\n[rules]\n\
         select = [\"ALL\"]\n\
         # severity = { IAM006 = \"warning\", redundant-resource = \"off\" }\n\n\
         # [[ignore]]                      # every ignore needs a reason\n\
         # rules = [\"EXP004\"]\n\
         # paths = [\"legacy/*.json\"]\n\
         # reason = \"the legacy export is replaced next quarter\"\n\n\
         # [files]                         # globs relative to this file\n\
         # include = [\"infra/**\"]\n\
         # exclude = [\"infra/drafts/**\"]\n",
    );
    out
}
