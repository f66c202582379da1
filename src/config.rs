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

/// The configuration file in `dir` or its nearest parent that has one.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(dir).ok()?;
    let found = start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())?;
    // shown relative to the current folder when it is below it
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| std::fs::canonicalize(c).ok());
    Some(
        cwd.and_then(|c| found.strip_prefix(&c).ok().map(Path::to_path_buf))
            .unwrap_or(found),
    )
}

#[derive(Debug, Default, Clone)]
pub struct Onboarding {
    pub account_id: Option<String>,
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    pub export_name: Option<String>,
    pub export_type: Option<String>,
    pub scenario: Option<String>,
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
    /// The folder globs are relative to.
    pub dir: PathBuf,
    pub onboarding: Onboarding,
    /// `None`: every rule.
    pub select: Option<Vec<String>>,
    pub severity: Vec<(String, Option<Severity>)>,
    pub ignores: Vec<Ignore>,
    pub include: Option<globset::GlobSet>,
    pub exclude: Vec<String>,
    /// `[files] max-file-size`, in MiB.
    pub max_file_size: Option<u64>,
    /// Problems of the configuration itself, on source index 0 (moved when added to a run).
    pub findings: Vec<Finding>,
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

fn globs(list: &[(String, Span)], findings: &mut Vec<Finding>) -> Option<globset::GlobSet> {
    let mut b = globset::GlobSetBuilder::new();
    for (g, span) in list {
        match globset::Glob::new(g) {
            Ok(glob) => {
                b.add(glob);
            }
            Err(e) => findings.push(
                Finding::new(&rules::CFG001, 0, *span, format!("invalid glob `{g}`: {e}"))
                    .help("write a glob such as `infra/**/*.json`"),
            ),
        }
    }
    b.build().ok()
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

/// Read a configuration file. `Err` only when it cannot be read at all.
pub fn load(path: &Path) -> Result<Config, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let mut cfg = Config {
        source: Source::new(path.to_string_lossy().to_string(), text.clone()),
        dir,
        onboarding: Onboarding::default(),
        select: None,
        severity: Vec::new(),
        ignores: Vec::new(),
        include: None,
        exclude: Vec::new(),
        max_file_size: None,
        findings: Vec::new(),
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
            return Ok(cfg);
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
        cfg.onboarding = Onboarding {
            account_id: text_of(o.get("account-id")),
            bucket: text_of(o.get("bucket")),
            prefix: text_of(o.get("prefix")),
            export_name: text_of(o.get("export-name")),
            export_type: text_of(o.get("export-type")),
            scenario: text_of(o.get("scenario")),
        };
    }
    if let Some(r) = root.get("rules") {
        if let Some(sel) = r.get("select") {
            let list = strings(Some(sel));
            for (e, span) in &list {
                if !rules::names_some(e) {
                    cfg.findings.push(unknown_rule(e, *span));
                }
            }
            cfg.select = Some(list.into_iter().map(|(e, _)| e).collect());
        }
        for m in r.get("severity").and_then(Node::as_object).unwrap_or(&[]) {
            if !rules::names_some(&m.key) {
                cfg.findings.push(unknown_rule(&m.key, m.key_span));
                continue;
            }
            let sev = match m.value.as_str() {
                Some("error") => Some(Severity::Error),
                Some("warning") => Some(Severity::Warning),
                Some("info") => Some(Severity::Info),
                _ => None,
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
            .map(|p| globs(&strings(Some(p)), &mut cfg.findings));
        if ok {
            cfg.ignores.push(Ignore {
                rules: list,
                paths: paths.flatten(),
                reason,
                span: entry.span,
                used: false,
            });
        }
    }
    if let Some(files) = root.get("files") {
        if let Some(inc) = files.get("include") {
            cfg.include = globs(&strings(Some(inc)), &mut cfg.findings);
        }
        cfg.max_file_size = files.get("max-file-size").and_then(|n| match &n.kind {
            Kind::Number(t) => t.parse().ok(),
            _ => None,
        });
        cfg.exclude = strings(files.get("exclude"))
            .into_iter()
            .map(|(g, _)| g)
            .collect();
    }
    Ok(cfg)
}

impl Config {
    /// A path relative to the configuration's folder, for its globs.
    pub fn relative(&self, name: &str) -> PathBuf {
        let p = Path::new(name);
        let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let dir = std::fs::canonicalize(&self.dir).unwrap_or_else(|_| self.dir.clone());
        abs.strip_prefix(&dir).map(Path::to_path_buf).unwrap_or(abs)
    }

    /// Whether a file found by a directory walk is read (`files.include`).
    pub fn includes(&self, name: &str) -> bool {
        self.include
            .as_ref()
            .is_none_or(|g| g.is_match(self.relative(name)))
    }

    /// Apply selection, severities and ignores to a file's findings.
    pub fn apply(&mut self, file: &str, findings: &mut Vec<Finding>) {
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
        let rel = self.relative(file);
        for ig in self.ignores.iter_mut().filter(|i| i.reason.is_some()) {
            if ig.paths.as_ref().is_some_and(|g| !g.is_match(&rel)) {
                continue;
            }
            let before = findings.len();
            findings.retain(|f| !ig.rules.iter().any(|(e, _)| f.rule.named_by(e)));
            if findings.len() != before {
                ig.used = true;
            }
        }
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
        crate::engine::sort(&mut out);
        out
    }
}
