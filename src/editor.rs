//! The findings of a run as an editor or a web page shows them: positions in UTF-16 code units
//! (what the Language Server Protocol and JavaScript count), every string masked as the command
//! line masks it, and the rule's documentation link; and what a pointer resting on a word
//! shows: an IAM action's or condition key's entry in the catalog, or a rule's documentation.
//! The language server (`finops-lint server`) and the WebAssembly playground both use it, so an
//! editor and a web page show what `check` prints.

use crate::diagnostic::{Applicability, Finding, Severity};
use crate::emit::mask::Mask;
use crate::engine::RunResult;
use serde::Serialize;
use std::fmt::Write as _;

/// A place in a text: the 0-based line and the UTF-16 code units before it on its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

/// Where the lines of a text start, to turn byte offsets into [`Position`]s and back.
pub struct LineIndex<'a> {
    text: &'a str,
    /// The byte offset of each line's start.
    starts: Vec<usize>,
    /// The UTF-16 offset of each line's start (JavaScript's string index).
    utf16_starts: Vec<u32>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        let mut utf16_starts = vec![0u32];
        let mut units = 0u32;
        let mut from = 0;
        // line breaks as the Language Server Protocol counts them: `\n`, `\r\n` and a lone `\r`
        let bytes = text.as_bytes();
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                continue;
            }
            units = units.saturating_add(utf16_len(&text[from..=at]));
            from = at + 1;
            starts.push(from);
            utf16_starts.push(units);
        }
        LineIndex {
            text,
            starts,
            utf16_starts,
        }
    }

    /// The line holding a byte offset (clamped to the text, and back to a character boundary).
    fn line_of(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        (line, offset)
    }

    /// The position of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        let (line, offset) = self.line_of(offset);
        Position {
            line: line as u32,
            character: utf16_len(&self.text[self.starts[line]..offset]),
        }
    }

    /// The UTF-16 offset of a byte offset from the start of the text.
    pub fn utf16(&self, offset: usize) -> u32 {
        let (line, offset) = self.line_of(offset);
        self.utf16_starts[line].saturating_add(utf16_len(&self.text[self.starts[line]..offset]))
    }

    /// The byte offset of a position; a character past the line's end is its end, a line past
    /// the text's end is the text's end.
    pub fn offset(&self, p: Position) -> usize {
        let Some(&start) = self.starts.get(p.line as usize) else {
            return self.text.len();
        };
        // the line's end, before its line break
        let end = self
            .starts
            .get(p.line as usize + 1)
            .map_or(self.text.len(), |&next| {
                let before = &self.text.as_bytes()[start..next];
                next - if before.ends_with(b"\r\n") { 2 } else { 1 }
            });
        let mut units = 0u32;
        for (i, c) in self.text[start..end].char_indices() {
            if units >= p.character {
                return start + i;
            }
            units += c.len_utf16() as u32;
        }
        end
    }

    /// The byte offset of a UTF-16 offset from the start of the text.
    pub fn from_utf16(&self, units: u32) -> usize {
        let line = self.utf16_starts.partition_point(|&s| s <= units) - 1;
        self.offset(Position {
            line: line as u32,
            character: units - self.utf16_starts[line],
        })
    }
}

fn utf16_len(s: &str) -> u32 {
    if s.is_ascii() {
        return s.len() as u32;
    }
    s.chars().map(|c| c.len_utf16() as u32).sum()
}

/// A finding of one document as an editor shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Mark {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub note: Option<String>,
    pub help: Option<String>,
    pub access_analyzer_code: Option<&'static str>,
    /// The rule's documentation.
    pub url: String,
    pub start: Position,
    pub end: Position,
    /// The UTF-16 offsets of the underlined text from the start of the document.
    pub from: u32,
    pub to: u32,
    /// Places in the same document that explain the finding.
    pub labels: Vec<MarkLabel>,
    pub fix: Option<MarkFix>,
    /// The byte range underlined.
    #[serde(skip)]
    pub span: crate::source::Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct MarkLabel {
    pub message: String,
    pub start: Position,
    pub end: Position,
    pub from: u32,
    pub to: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct MarkFix {
    pub applicability: &'static str,
    pub message: String,
    pub edits: Vec<MarkEdit>,
    #[serde(skip)]
    pub safe: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct MarkEdit {
    pub start: Position,
    pub end: Position,
    pub from: u32,
    pub to: u32,
    pub replacement: String,
}

/// The findings of the run's document `source`, in text order, with every string masked as the
/// command line masks it (the secrets of every document of the run). A fix whose replacement
/// would need masking is left out: applied, it would write the mask into the document.
pub fn marks(result: &RunResult, source: usize) -> Vec<Mark> {
    let Some((src, report)) = result.sources.get(source).zip(result.reports.get(source)) else {
        return Vec::new();
    };
    let mut mask = Mask::default();
    result.sources.iter().for_each(|s| mask.learn_source(s));
    let index = LineIndex::new(&src.text);
    let mut findings: Vec<&Finding> = report.findings.iter().collect();
    findings.sort_by_key(|f| (f.span.start, f.span.end, f.rule.code));
    findings
        .into_iter()
        .map(|original| {
            let masked = mask.finding(original);
            let fix_changed = masked.as_ref().is_some_and(|m| m.fix != original.fix);
            let f = masked.as_ref().unwrap_or(original);
            let range = |span: crate::source::Span| {
                (
                    index.position(span.start),
                    index.position(span.end),
                    index.utf16(span.start),
                    index.utf16(span.end),
                )
            };
            let (start, end, from, to) = range(f.span);
            Mark {
                code: f.rule.code,
                name: f.rule.name,
                severity: f.severity,
                message: f.message.clone(),
                note: f.note.clone(),
                help: f.help.clone(),
                access_analyzer_code: f.access_analyzer_code(),
                url: crate::emit::ci::help_uri(f.rule),
                start,
                end,
                from,
                to,
                labels: f
                    .labels
                    .iter()
                    .filter(|l| l.source.is_none_or(|s| s == source))
                    .map(|l| {
                        let (start, end, from, to) = range(l.span);
                        MarkLabel {
                            message: l.message.clone(),
                            start,
                            end,
                            from,
                            to,
                        }
                    })
                    .collect(),
                fix: f.fix.as_ref().filter(|_| !fix_changed).map(|x| MarkFix {
                    applicability: x.applicability.as_str(),
                    message: x.message.clone(),
                    safe: x.applicability == Applicability::Safe,
                    edits: x
                        .edits
                        .iter()
                        .map(|e| {
                            let (start, end, from, to) = range(e.span);
                            MarkEdit {
                                start,
                                end,
                                from,
                                to,
                                replacement: e.replacement.clone(),
                            }
                        })
                        .collect(),
                }),
                span: f.span,
            }
        })
        .collect()
}

/// The file name a document of this kind is checked under (the engine reads the kind of a
/// document from its name and its content), and the policy type it is read as. `auto` and
/// unknown kinds guess the form from the text: `{` or `[` first is JSON, HCL blocks are
/// Terraform, anything else YAML.
pub fn document_name(kind: &str, text: &str) -> (&'static str, Option<crate::model::PolicyKind>) {
    let policy = crate::model::PolicyKind::from_flag(kind);
    if policy.is_some() {
        return ("policy.json", policy);
    }
    let first = text.trim_start_matches('\u{feff}').trim_start();
    let name = match kind {
        "terraform" => "main.tf",
        "cloudformation" if first.starts_with('{') => "template.json",
        "cloudformation" => "template.yaml",
        "json" => "document.json",
        _ if first.starts_with(['{', '[']) => "document.json",
        _ if looks_like_hcl(text) => "main.tf",
        _ => "document.yaml",
    };
    (name, None)
}

/// A line that opens a Terraform block: `resource "…" "…" {`, `data`, `module`, `variable`,
/// `locals {`, `provider`, `output`, `terraform {`.
fn looks_like_hcl(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        let word = l.split([' ', '{']).next().unwrap_or("");
        matches!(
            word,
            "resource"
                | "data"
                | "module"
                | "variable"
                | "locals"
                | "provider"
                | "output"
                | "terraform"
        ) && l.trim_end().ends_with('{')
    })
}

/// What a pointer resting on `offset` shows: the byte range of the word under it and Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub start: usize,
    pub end: usize,
    pub markdown: String,
}

/// The catalog's entry for the IAM action (`s3:GetObject`, or a wildcard such as `s3:Get*`) or
/// condition key (`s3:prefix`) under `offset`, or the documentation of the rule whose code
/// (`VAL001`) or name (`unreplaced-placeholder`) is under it; `None` for any other word.
pub fn hover(text: &str, offset: usize) -> Option<Hover> {
    let (start, end) = word_at(text, offset)?;
    let word = &text[start..end];
    let markdown = action_hover(word)
        .or_else(|| key_hover(word))
        .or_else(|| rule_hover(word))?;
    Some(Hover {
        start,
        end,
        markdown,
    })
}

/// The longest word (IAM action, condition key or rule code characters) around `offset`.
fn word_at(text: &str, offset: usize) -> Option<(usize, usize)> {
    const LONGEST: usize = 256;
    if offset > text.len() || !text.is_char_boundary(offset) {
        return None;
    }
    let part =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, ':' | '*' | '?' | '-' | '_' | '/');
    let before = text[..offset]
        .char_indices()
        .rev()
        .take(LONGEST)
        .take_while(|&(_, c)| part(c))
        .last()
        .map_or(offset, |(i, _)| i);
    let after = text[offset..]
        .char_indices()
        .take(LONGEST)
        .find(|&(_, c)| !part(c))
        .map_or(text.len().min(offset + LONGEST), |(i, _)| offset + i);
    let (mut start, mut end) = (before, after);
    // a word ends with a letter, a digit or a wildcard
    while start < end && matches!(text.as_bytes()[start], b':' | b'-' | b'/') {
        start += 1;
    }
    while end > start && matches!(text.as_bytes()[end - 1], b':' | b'-' | b'/') {
        end -= 1;
    }
    (start < end && end - start <= LONGEST).then_some((start, end))
}

fn action_hover(word: &str) -> Option<String> {
    let (prefix, name) = word.split_once(':')?;
    if name.is_empty()
        || name.contains([':', '/'])
        || !name.bytes().next()?.is_ascii_alphabetic() && !name.starts_with('*')
    {
        return None;
    }
    let service = crate::catalog::service(prefix)?;
    let mut md = String::new();
    if name.contains(['*', '?']) {
        let matched: Vec<&crate::catalog::Action> =
            crate::rules::catalog::expand(service, name).collect();
        let _ = writeln!(
            md,
            "**`{word}`**: {} of {}'s {} actions ({})\n",
            matched.len(),
            service.name(),
            service.actions().len(),
            service.prefix()
        );
        for a in matched.iter().take(25) {
            let _ = writeln!(
                md,
                "- `{}:{}` ({})",
                service.prefix(),
                a.name(),
                a.access().name()
            );
        }
        if matched.len() > 25 {
            let _ = writeln!(md, "- and {} more", matched.len() - 25);
        }
        md.push('\n');
    } else {
        let action = service.action(name)?;
        let _ = writeln!(
            md,
            "**`{}:{}`**: {}\n\nAccess level: {}\n",
            service.prefix(),
            action.name(),
            service.name(),
            action.access().name()
        );
        let types: Vec<&crate::catalog::ResourceType> = action
            .resource_types()
            .iter()
            .filter_map(|&i| service.resource_type(i))
            .collect();
        if types.is_empty() {
            md.push_str("Resource types: none (the action takes `\"Resource\": \"*\"`)\n\n");
        } else {
            md.push_str("Resource types:\n");
            for t in types {
                let _ = writeln!(md, "- `{}`: `{}`", t.name(), t.arn().text);
            }
            md.push('\n');
        }
        let keys: Vec<&str> = action.condition_keys().collect();
        if keys.is_empty() {
            md.push_str("Condition keys: none of its own (the global `aws:` keys apply)\n\n");
        } else {
            md.push_str("Condition keys: ");
            md.push_str(
                &keys
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            md.push_str("\n\n");
        }
    }
    let _ = write!(
        md,
        "From AWS's Service Authorization Reference (catalog {}).",
        crate::catalog::version()
    );
    Some(md)
}

fn key_hover(word: &str) -> Option<String> {
    let (prefix, _) = word.split_once(':')?;
    let service = crate::catalog::service(prefix)?;
    let lower = word.to_ascii_lowercase();
    let key = service.condition_keys().iter().find(|k| {
        k.lower() == lower
            || k.lower().split_once('/').is_some_and(|(fixed, _)| {
                lower.starts_with(fixed) && lower[fixed.len()..].starts_with('/')
            })
    })?;
    Some(format!(
        "**`{}`**: condition key of {}\n\nType: {}\n\nFrom AWS's Service Authorization Reference (catalog {}).",
        key.name(),
        service.name(),
        key.ty(),
        crate::catalog::version()
    ))
}

fn rule_hover(word: &str) -> Option<String> {
    let code_shaped = word.len() >= 5
        && word.len() <= 7
        && word.bytes().take_while(u8::is_ascii_uppercase).count() >= 2
        && word.bytes().rev().take(3).all(|b| b.is_ascii_digit());
    if !code_shaped && !word.contains('-') {
        return None;
    }
    let rule = crate::rules::find(word)?;
    Some(format!(
        "{}\n[Documentation]({})",
        rule.reader_docs(),
        crate::emit::ci::help_uri(rule)
    ))
}

/// The text with every safe fix of its findings applied, round after round, as `check --fix`
/// applies them: `check` gives a text's findings. The fixed text and the number of edits; `None`
/// when there is nothing to fix.
pub fn fix_all(text: &str, check: impl FnMut(&str) -> Vec<Finding>) -> Option<(String, usize)> {
    crate::fix::fix_rounds(text, Applicability::Safe, check)
}

/// What the playground asks for: the document's kind and the onboarding fields, each empty
/// when not given (as the page's form sends them).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Request {
    pub kind: String,
    pub bucket: String,
    pub account_id: String,
    pub prefix: String,
    pub export_name: String,
    pub export_type: String,
    pub scenario: String,
    pub platform: String,
}

impl Request {
    /// The run's options: a value that cannot be read is an error naming the field.
    pub fn options(&self, text: &str) -> Result<(crate::Options, &'static str), String> {
        let given = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_string);
        let (name, policy_type) = document_name(&self.kind, text);
        let export_type = match self.export_type.trim() {
            "" => None,
            t => Some(t.parse().map_err(|e| format!("export type: {e}"))?),
        };
        let scenario = match self.scenario.trim() {
            "" => None,
            s => Some(s.parse().map_err(|e| format!("scenario: {e}"))?),
        };
        let platform = match self.platform.trim() {
            "" => None,
            p => Some(crate::platform::find(p).ok_or_else(|| {
                format!("platform: `{p}` is not one of {}", crate::platform::names())
            })?),
        };
        Ok((
            crate::Options {
                bucket: given(&self.bucket),
                account_id: given(&self.account_id),
                prefix: given(&self.prefix),
                export_name: given(&self.export_name),
                export_type,
                scenario,
                platform,
                policy_type,
                ..crate::Options::default()
            },
            name,
        ))
    }

    /// Check `text` as this request says: the run and the document's place in it.
    pub fn run(&self, text: &str) -> Result<(RunResult, usize), String> {
        let (options, name) = self.options(text)?;
        let result = crate::Linter::new(options).lint([(name, text.as_bytes())])?;
        let at = result
            .sources
            .iter()
            .position(|s| s.name == name)
            .unwrap_or(0);
        Ok((result, at))
    }

    /// The findings of `text` as JSON for the page: `{"ok": true, "kind": …, "findings": […]}`,
    /// or `{"ok": false, "error": …}`.
    pub fn check_json(&self, text: &str) -> String {
        let out = match self.run(text) {
            Ok((result, at)) => {
                let mut found = marks(&result, at);
                for m in &mut found {
                    for s in std::iter::once(&mut m.message)
                        .chain(m.note.as_mut())
                        .chain(m.help.as_mut())
                    {
                        *s = in_page_words(s);
                    }
                }
                serde_json::json!({
                    "ok": true,
                    "kind": result.reports.get(at).and_then(|r| r.kind.clone()),
                    "findings": found,
                })
            }
            Err(e) => serde_json::json!({"ok": false, "error": e}),
        };
        out.to_string()
    }

    /// `text` with its safe fixes applied, as JSON: `{"text": …, "applied": n}`.
    pub fn fix_json(&self, text: &str) -> String {
        let fixed = fix_all(text, |t| match self.run(t) {
            Ok((mut result, at)) if at < result.reports.len() => {
                std::mem::take(&mut result.reports[at].findings)
            }
            _ => Vec::new(),
        });
        let (text, applied) = fixed.unwrap_or_else(|| (text.to_string(), 0));
        serde_json::json!({"text": text, "applied": applied}).to_string()
    }
}

/// A finding's text as the playground shows it: the command line's flags named as the page's
/// fields (`pass `--bucket`` is "fill in the Bucket field").
fn in_page_words(text: &str) -> String {
    if !text.contains("`--") {
        return text.to_string();
    }
    const FIELDS: &[(&str, &str)] = &[
        ("--bucket", "Bucket"),
        ("--account-id", "Account ID"),
        ("--prefix", "Prefix"),
        ("--export-name", "Export name"),
        ("--export-type", "Export type"),
        ("--scenario", "Scenario"),
        ("--platform NAME", "Platform"),
        ("--platform", "Platform"),
        ("--policy-type", "Document"),
    ];
    let mut out = text.to_string();
    for (flag, field) in FIELDS {
        out = out
            .replace(
                &format!("pass `{flag}`"),
                &format!("fill in the {field} field"),
            )
            .replace(&format!("`{flag}`"), &format!("the {field} field"));
    }
    out
}

/// A request read from the page's JSON; an error says what is wrong with it.
pub fn request_from_json(json: &str) -> Result<Request, String> {
    serde_json::from_str(json).map_err(|e| format!("the request is not valid: {e}"))
}

/// An error as the page's JSON: `{"ok": false, "error": …}`.
pub fn error_json(error: &str) -> String {
    serde_json::json!({"ok": false, "error": error}).to_string()
}

/// What the playground's form offers, as JSON: the document kinds, scenarios, platforms and
/// export types, and the versions of the tool and of its catalog.
pub fn choices_json() -> String {
    let scenarios: Vec<(String, String)> = std::iter::once((String::new(), "none".to_string()))
        .chain(
            crate::context::Scenario::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), s.as_str().replace('-', " "))),
        )
        .collect();
    let platforms: Vec<(String, String)> = std::iter::once((String::new(), "any".to_string()))
        .chain(
            crate::platform::all()
                .iter()
                .map(|p| (p.name.clone(), p.title.clone())),
        )
        .collect();
    serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "catalog": crate::catalog::version(),
        "kinds": [
            ["auto", "Detect"],
            ["identity", "IAM identity policy"],
            ["bucket", "S3 bucket policy"],
            ["trust", "Role trust policy"],
            ["resource", "Other resource policy"],
            ["scp", "Service control policy"],
            ["rcp", "Resource control policy"],
            ["json", "JSON document (export, report definition, CLI output)"],
            ["cloudformation", "CloudFormation (YAML or JSON)"],
            ["terraform", "Terraform"],
        ],
        "scenarios": scenarios,
        "platforms": platforms,
        "export_types": [["", "detect"], ["cur2", "CUR 2.0"], ["legacy", "Legacy CUR"]],
    })
    .to_string()
}

/// The hover of the UTF-16 offset `units` of `text`, as Markdown ("" for none).
pub fn hover_utf16(text: &str, units: u32) -> String {
    let offset = LineIndex::new(text).from_utf16(units);
    hover(text, offset).map(|h| h.markdown).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_playground_request_checks_and_fixes_the_guides_bucket_policy() {
        let text = "{\n \"Version\": \"2012-10-17\",\n \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"bcm-data-exports.amazonaws.com\"},\n  \"Action\": \"s3:PutObject\", \"Resource\": \"arn:aws:s3:::<bucket_name>/*\"}]}";
        let request: Request =
            serde_json::from_str(r#"{"kind": "auto", "bucket": "acme-billing"}"#).unwrap();
        let out: serde_json::Value = serde_json::from_str(&request.check_json(text)).unwrap();
        assert_eq!(out["ok"], true);
        let found = out["findings"].as_array().unwrap();
        let val = found
            .iter()
            .find(|f| f["code"] == "VAL001")
            .expect("VAL001");
        assert_eq!(val["start"]["line"], 3);
        let (from, to) = (
            val["from"].as_u64().unwrap() as usize,
            val["to"].as_u64().unwrap() as usize,
        );
        assert!(
            text[from..to].contains("<bucket_name>"),
            "{}",
            &text[from..to]
        );
        assert_eq!(val["fix"]["applicability"], "safe");
        // the command line's flags are the page's fields
        let unset: Request = serde_json::from_str(r#"{"kind": "auto"}"#).unwrap();
        let out: serde_json::Value = serde_json::from_str(&unset.check_json(text)).unwrap();
        let help = out["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "VAL001")
            .and_then(|f| f["help"].as_str())
            .unwrap()
            .to_string();
        assert!(
            help.contains("fill in the Bucket field") && !help.contains("--"),
            "{help}"
        );
        let fixed: serde_json::Value = serde_json::from_str(&request.fix_json(text)).unwrap();
        assert!(fixed["text"]
            .as_str()
            .unwrap()
            .contains("arn:aws:s3:::acme-billing/*"));
        assert!(fixed["applied"].as_u64().unwrap() >= 1);
        let bad: Request = serde_json::from_str(r#"{"scenario": "nope"}"#).unwrap();
        let out: serde_json::Value = serde_json::from_str(&bad.check_json(text)).unwrap();
        assert_eq!(out["ok"], false);
        assert!(out["error"].as_str().unwrap().starts_with("scenario:"));
        let choices: serde_json::Value = serde_json::from_str(&choices_json()).unwrap();
        assert!(choices["platforms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p[0] == "optscale"));
    }

    #[test]
    fn positions_count_utf16_units_and_map_back() {
        let text = "a\n\u{e9}\u{1f600}x\n";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(
            index.position(x),
            Position {
                line: 1,
                character: 3
            }
        );
        assert_eq!(index.utf16(x), 5);
        assert_eq!(
            index.offset(Position {
                line: 1,
                character: 3
            }),
            x
        );
        assert_eq!(index.from_utf16(5), x);
        // inside a surrogate pair: the character's start; past the line: its end
        assert_eq!(
            index.offset(Position {
                line: 1,
                character: 2
            }),
            x
        );
        assert_eq!(
            index.offset(Position {
                line: 1,
                character: 99
            }),
            x + 1
        );
        assert_eq!(
            index.offset(Position {
                line: 9,
                character: 0
            }),
            text.len()
        );
        // an offset inside a character is its start
        assert_eq!(
            index.position(3),
            Position {
                line: 1,
                character: 0
            }
        );
    }

    #[test]
    fn crlf_and_lone_cr_end_lines_as_lsp_counts_them() {
        let text = "ab\r\ncd\ref\n";
        let index = LineIndex::new(text);
        assert_eq!(
            index.position(text.find('c').unwrap()),
            Position {
                line: 1,
                character: 0
            }
        );
        assert_eq!(
            index.position(text.find('e').unwrap()),
            Position {
                line: 2,
                character: 0
            }
        );
        // past a line's end: before its `\r\n`, not between
        assert_eq!(
            index.offset(Position {
                line: 0,
                character: 9
            }),
            2
        );
        assert_eq!(
            index.offset(Position {
                line: 1,
                character: 9
            }),
            6
        );
    }

    #[test]
    fn hover_names_an_action_a_wildcard_a_key_and_a_rule() {
        let text = r#"{"Action": ["s3:GetObject", "s3:GetObj*"], "c": "s3:prefix", "x": "VAL001"}"#;
        let at = |w: &str| text.find(w).unwrap() + 3;
        let h = hover(text, at("s3:GetObject")).unwrap();
        assert_eq!(&text[h.start..h.end], "s3:GetObject");
        assert!(h.markdown.contains("Access level: Read"), "{}", h.markdown);
        assert!(h.markdown.contains("`object`"), "{}", h.markdown);
        assert!(
            h.markdown.contains("s3:ExistingObjectTag"),
            "{}",
            h.markdown
        );
        let w = hover(text, at("s3:GetObj*")).unwrap();
        assert!(
            w.markdown.contains("`s3:GetObject` (Read)"),
            "{}",
            w.markdown
        );
        let k = hover(text, at("s3:prefix")).unwrap();
        assert!(k.markdown.contains("Type: String"), "{}", k.markdown);
        let r = hover(text, at("VAL001")).unwrap();
        assert!(r.markdown.starts_with("# VAL001"), "{}", r.markdown);
        assert_eq!(hover(text, text.find("Action").unwrap()), None);
        assert_eq!(hover(text, text.len() + 5), None);
    }

    #[test]
    fn the_kind_chosen_names_the_document() {
        assert_eq!(document_name("auto", " {}").0, "document.json");
        assert_eq!(
            document_name("auto", "resource \"aws_s3_bucket\" \"b\" {\n}").0,
            "main.tf"
        );
        assert_eq!(
            document_name("auto", "Resources:\n  B: {}").0,
            "document.yaml"
        );
        assert_eq!(document_name("cloudformation", "{}").0, "template.json");
        let (name, kind) = document_name("bucket", "{}");
        assert_eq!(
            (name, kind),
            ("policy.json", Some(crate::model::PolicyKind::Bucket))
        );
    }
}
