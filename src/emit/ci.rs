//! Formats for CI gates: SARIF 2.1.0 (GitHub code scanning), GitHub workflow annotations, JUnit
//! XML and GitLab's code quality report. Each is written from the same findings as the others.

use super::{escape, position, Others};
use crate::diagnostic::{Finding, Severity};
use crate::rules::{Rule, ALL};
use crate::source::{Source, Span};
use serde_json::{json, Value};

/// Where a rule's documentation is published: its README in the repository.
pub fn help_uri(rule: &Rule) -> String {
    format!(
        "{}/blob/main/rules/{}/README.md",
        env!("CARGO_PKG_REPOSITORY"),
        rule.folder()
    )
}

/// A stable fingerprint of a finding that survives line shifts: the rule, the file, the message
/// and the underlined text (FNV-1a, 64 bits, hex).
pub fn fingerprint(f: &Finding, source: &Source) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        f.rule.code,
        source.name.as_str(),
        f.message.as_str(),
        source.snippet(f.span),
    ] {
        for b in part.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A SARIF region: 1-based lines and columns in Unicode code points, end column exclusive.
fn region(source: &Source, span: Span) -> Value {
    let s = position(source, span.start);
    let e = position(source, span.end.max(span.start));
    let (end_line, end_col) = if span.is_empty() {
        (s.line, s.column + 1)
    } else {
        (e.line, e.column)
    };
    json!({"startLine": s.line, "startColumn": s.column, "endLine": end_line, "endColumn": end_col})
}

/// Where the printed paths of SARIF and GitHub annotations are made relative: the files under
/// `root` are named relative to it, the others by their absolute path. Build it with
/// [`Paths::new`], which normalizes the folders. The command line gives
/// its working folder as `cwd` and as `root` (GitHub's `GITHUB_WORKSPACE` for annotations); a
/// front end that gives neither gets the names as they are.
#[derive(Debug, Clone, Default)]
pub struct Paths {
    /// The absolute folder relative names are read from.
    cwd: Option<String>,
    /// The absolute folder the names are made relative to.
    root: Option<String>,
}

impl Paths {
    /// The folders, normalized once (not for every name printed).
    pub fn new(cwd: Option<String>, root: Option<String>) -> Self {
        Paths {
            cwd: cwd.map(|c| normal(&c)),
            root: root.map(|r| normal(&r)),
        }
    }

    /// A file's name relative to `root` when it is under it (`Ok`), else its absolute name
    /// (`Err`); the name as given when the folders are unknown.
    pub fn place(&self, name: &str) -> Result<String, String> {
        let name = name.strip_prefix("./").unwrap_or(name);
        let absolute = if name.starts_with('/') {
            name.to_string()
        } else {
            match &self.cwd {
                Some(cwd) => format!("{}/{name}", cwd.trim_end_matches('/')),
                None => return Ok(name.to_string()),
            }
        };
        let absolute = normal(&absolute);
        match &self.root {
            Some(root) => {
                let under = if root == "/" {
                    absolute.strip_prefix('/')
                } else {
                    absolute
                        .strip_prefix(root.as_str())
                        .and_then(|rest| rest.strip_prefix('/'))
                };
                under.map(str::to_string).ok_or(absolute)
            }
            None if name.starts_with('/') => Err(absolute),
            None => Ok(name.to_string()),
        }
    }
}

/// An absolute path without `.` and `..` components or doubled slashes (read as written).
fn normal(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

/// A SARIF artifact location: a relative reference under `%SRCROOT%`, or an absolute `file://`
/// URI without a base (a relative reference may not begin with a slash: SARIF1004).
fn artifact(name: &str, paths: &Paths) -> Value {
    match paths.place(name) {
        Ok(rel) => json!({"uri": uri(&rel), "uriBaseId": "%SRCROOT%"}),
        Err(abs) => json!({"uri": format!("file://{}", uri(&abs))}),
    }
}

/// A path as a relative URI reference (forward slashes, percent-encoded where needed).
fn uri(name: &str) -> String {
    let name = name.strip_prefix("./").unwrap_or(name);
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b'\\' => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn location(source: &Source, span: Span, message: Option<&str>, paths: &Paths) -> Value {
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": artifact(&source.name, paths),
            "region": region(source, span),
        }
    });
    if let Some(m) = message {
        loc["message"] = json!({ "text": m });
    }
    loc
}

fn rule_descriptor(rule: &Rule) -> Value {
    // the README without its title line
    let body = rule
        .docs
        .split_once('\n')
        .map(|(_, b)| b.trim())
        .unwrap_or(rule.docs);
    json!({
        "id": rule.code,
        "name": pascal(rule.name),
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": body.split("\n## ").next().unwrap_or(body).trim()},
        "help": {"text": body, "markdown": body},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {"tags": ["finops", "aws"], "precision": "very-high"},
    })
}

/// `missing-delivery-principal` → `MissingDeliveryPrincipal` (SARIF's convention for rule names).
fn pascal(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// The SARIF 2.1.0 log around its results, as GitHub code scanning reads it.
pub fn sarif_doc() -> Value {
    let rules: Vec<Value> = ALL.iter().map(|r| rule_descriptor(r)).collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "finops-lint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": [],
        }],
    })
}

/// One SARIF result.
pub fn sarif_result(f: &Finding, source: &Source, others: Others, paths: &Paths) -> Value {
    let index = ALL.iter().position(|r| r.code == f.rule.code).unwrap_or(0);
    let mut text = f.message.clone();
    if let Some(h) = &f.help {
        text.push_str(&format!(" (help: {h})"));
    }
    let mut r = json!({
        "ruleId": f.rule.code,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": {"text": text},
        "locations": [location(source, f.span, None, paths)],
        "partialFingerprints": {"finopsLint/v1": fingerprint(f, source)},
    });
    let related: Vec<Value> = f
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let src = l.source.and_then(others).unwrap_or(source);
            let mut loc = location(src, l.span, Some(&l.message), paths);
            loc["id"] = json!(i + 1);
            loc
        })
        .collect();
    if !related.is_empty() {
        r["relatedLocations"] = json!(related);
    }
    // a display-only fix is no edit a viewer may apply: its text is in the help
    let applicable = f
        .fix
        .as_ref()
        .filter(|x| x.applicability != crate::diagnostic::Applicability::DisplayOnly);
    if let Some(fix) = applicable {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .map(|e| {
                json!({"deletedRegion": region_or_insertion(source, e.span), "insertedContent": {"text": e.replacement}})
            })
            .collect();
        r["fixes"] = json!([{
            "description": {"text": fix.message},
            "artifactChanges": [{
                "artifactLocation": artifact(&source.name, paths),
                "replacements": replacements,
            }],
        }]);
    }
    r
}

/// A deleted region; an insertion (empty span) is a zero-length region at its position.
fn region_or_insertion(source: &Source, span: Span) -> Value {
    let s = position(source, span.start);
    if span.is_empty() {
        return json!({"startLine": s.line, "startColumn": s.column, "endLine": s.line, "endColumn": s.column});
    }
    region(source, span)
}

/// A GitHub Actions workflow command: one annotation per finding. Line breaks are written as
/// GitHub's `%0A` and every other control character escaped, so that the command stays on its
/// line.
pub fn github_line(f: &Finding, source: &Source, paths: &Paths) -> String {
    fn data(s: &str) -> String {
        escape::except_line_breaks(s)
            .replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn property(s: &str) -> String {
        data(s).replace(':', "%3A").replace(',', "%2C")
    }
    let command = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let s = position(source, f.span.start);
    let e = position(source, f.span.end);
    let mut message = f.message.clone();
    if let Some(h) = &f.help {
        message.push_str(&format!("\n{h}"));
    }
    format!(
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
        property(&paths.place(&source.name).unwrap_or_else(|abs| abs)),
        s.line,
        s.column,
        e.line,
        e.column,
        property(&format!("{} {}", f.rule.code, f.rule.name)),
        data(&message)
    )
}

/// Text for XML 1.0: markup escaped, and the characters XML does not allow (the C0 controls but
/// tab, line feed and carriage return; U+FFFE and U+FFFF) replaced by U+FFFD. (The text formats'
/// escaping has written those it meets as `\u{...}` already.)
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: a test suite per file, a failing test case per finding, one passing test case for
/// a clean file. The suite's text, its test cases and its failures.
pub fn junit_suite(source: &Source, findings: &[Finding]) -> (String, usize, usize) {
    let mut cases = String::new();
    let n = findings.len();
    let name = escape::line(&source.name);
    for f in findings {
        let p = position(source, f.span.start);
        let message = escape::line(&f.message);
        let detail = format!(
            "{}:{}:{}: {}[{}] {}{}",
            name,
            p.line,
            p.column,
            f.severity.as_str(),
            f.rule.code,
            message,
            f.help
                .as_ref()
                .map(|h| format!("\nhelp: {}", escape::lines(h)))
                .unwrap_or_default()
        );
        cases.push_str(&format!(
            "    <testcase name=\"{} {}:{}\" classname=\"{}\">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
            f.rule.code,
            p.line,
            p.column,
            xml(&name),
            f.severity.as_str(),
            xml(&message),
            xml(&detail)
        ));
    }
    if n == 0 {
        cases.push_str(&format!(
            "    <testcase name=\"finops-lint\" classname=\"{}\"/>\n",
            xml(&name)
        ));
    }
    let cases_count = n.max(1);
    (
        format!(
            "  <testsuite name=\"{}\" tests=\"{cases_count}\" failures=\"{n}\" errors=\"0\" skipped=\"0\">\n{cases}  </testsuite>\n",
            xml(&name)
        ),
        cases_count,
        n,
    )
}

/// One issue of GitLab's code quality report (the Code Climate subset GitLab reads). GitLab
/// needs each fingerprint once: a repeated finding gets its occurrence number (`seen` counts
/// them across the run).
pub fn gitlab_issue(
    f: &Finding,
    source: &Source,
    seen: &mut std::collections::HashMap<String, usize>,
) -> Value {
    let s = position(source, f.span.start);
    let e = position(source, f.span.end);
    let fp = fingerprint(f, source);
    let n = seen.entry(fp.clone()).or_insert(0);
    *n += 1;
    let unique = if *n == 1 { fp } else { format!("{fp}-{n}") };
    let severity = match f.severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    };
    json!({
        "type": "issue",
        "check_name": f.rule.code,
        "description": format!("{} [{}]", f.message, f.rule.code),
        "categories": ["Bug Risk"],
        "severity": severity,
        "fingerprint": unique,
        "location": {
            "path": source.name.strip_prefix("./").unwrap_or(&source.name),
            "lines": {"begin": s.line, "end": e.line},
        },
    })
}

#[cfg(test)]
mod tests {
    use super::Paths;

    #[test]
    fn paths_are_named_relative_to_the_root_or_absolute() {
        let p = Paths::new(Some("/work/repo/sub/".into()), Some("/work/./repo".into()));
        assert_eq!(p.place("a.json"), Ok("sub/a.json".into()));
        assert_eq!(p.place("./a.json"), Ok("sub/a.json".into()));
        assert_eq!(p.place("../b/c.json"), Ok("b/c.json".into()));
        assert_eq!(p.place("/work/repo/x.json"), Ok("x.json".into()));
        assert_eq!(
            p.place("/work/repository/x.json"),
            Err("/work/repository/x.json".into())
        );
        assert_eq!(
            p.place("../../other/x.json"),
            Err("/work/other/x.json".into())
        );
        assert_eq!(p.place("/etc/./x/../y.json"), Err("/etc/y.json".into()));
        // without the folders: the names as given
        let none = Paths::default();
        assert_eq!(none.place("./a.json"), Ok("a.json".into()));
        assert_eq!(none.place("/abs/a.json"), Err("/abs/a.json".into()));
    }
}
