//! Emitters: the same findings as annotated excerpts (miette), concise lines or JSON.

pub mod ci;

use crate::cli::RunResult;
use crate::diagnostic::{Finding, Severity};
use crate::rules;
use crate::source::{LineCol, Source};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};
use serde_json::json;
use std::fmt;

/// Counts for the summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub files: usize,
    pub skipped: usize,
}

pub fn counts(result: &RunResult) -> Counts {
    let mut c = Counts {
        files: result.sources.len(),
        ..Default::default()
    };
    for f in result.findings() {
        match f.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Info => c.infos += 1,
        }
    }
    c.skipped = result
        .reports
        .iter()
        .filter(|r| r.skipped.is_some())
        .count();
    c
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub fn summary_line(c: &Counts) -> String {
    format!(
        "{}, {}, {} in {} checked{}",
        plural(c.errors, "error"),
        plural(c.warnings, "warning"),
        plural(c.infos, "info"),
        plural(c.files, "file"),
        if c.skipped > 0 {
            format!(" ({} of no known kind)", c.skipped)
        } else {
            String::new()
        }
    )
}

struct Rendered<'a> {
    f: &'a Finding,
    source: &'a Source,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.f.message)
    }
}
impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.f.message)
    }
}
impl std::error::Error for Rendered<'_> {}

fn sspan(s: crate::source::Span) -> SourceSpan {
    SourceSpan::new(s.start.into(), s.len())
}

impl Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}({})",
            self.f.rule.code, self.f.rule.name
        )))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.f
            .help
            .as_ref()
            .map(|h| Box::new(h.clone()) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        if self.source.text.is_empty() {
            None
        } else {
            Some(self as &dyn miette::SourceCode)
        }
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.text.is_empty() {
            return None;
        }
        let primary = LabeledSpan::new_primary_with_span(self.f.note.clone(), sspan(self.f.span));
        let others = self
            .f
            .labels
            .iter()
            .filter(|l| l.source.is_none())
            .map(|l| LabeledSpan::new_with_span(Some(l.message.clone()), sspan(l.span)));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }
}

impl miette::SourceCode for Rendered<'_> {
    /// Reads the lines around a span through the source's line index: miette's own reader
    /// counts lines from the start of the file for every finding.
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, miette::MietteError> {
        let text: &str = &self.source.display;
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).min(text.len());
        let first = self.source.line_col(start).line - 1;
        let last = self
            .source
            .line_col(end.saturating_sub(usize::from(end > start)))
            .line
            - 1;
        let from_line = first.saturating_sub(context_lines_before);
        let to_line = last + context_lines_after;
        let line_start = self.source.line_start(from_line).unwrap_or(0);
        // as miette's own reader: without leading context, the contents (and the column that
        // the header shows) start at the span itself
        let (from, column) = if context_lines_before == 0 {
            (start, start - line_start)
        } else {
            (line_start, 0)
        };
        let to = self
            .source
            .line_start(to_line + 1)
            .unwrap_or(text.len())
            .max(from);
        let data = text.get(from..to).unwrap_or("");
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.source.name.clone(),
            data.as_bytes(),
            SourceSpan::new(from.into(), data.len()),
            from_line,
            column,
            data.lines().count().max(1),
        )))
    }
}

/// Annotated excerpts for a person at a terminal.
pub fn human(result: &RunResult, color: bool, verbose: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for (source, report) in result.sources.iter().zip(&result.reports) {
        if verbose {
            out.push_str(&verbose_line(&source.name, report));
        }
        for f in &report.findings {
            let r = Rendered { f, source };
            if source.text.is_empty() {
                out.push_str(&format!("{}: ", source.name));
            }
            let mut buf = String::new();
            if handler.render_report(&mut buf, &r).is_err() {
                buf = format!(
                    "{}: {}[{}] {}\n",
                    source.name,
                    f.severity.as_str(),
                    f.rule.code,
                    f.message
                );
            }
            out.push_str(&buf);
            for l in f
                .labels
                .iter()
                .filter(|l| l.source.is_some_and(|s| s != f.source))
            {
                if let Some(other) = l.source.and_then(|i| result.sources.get(i)) {
                    let p = other.line_col(l.span.start);
                    out.push_str(&format!(
                        "  related: {}:{}:{}: {} (`{}`)\n",
                        other.name,
                        p.line,
                        p.column,
                        l.message,
                        other.snippet(l.span)
                    ));
                }
            }
            out.push('\n');
        }
    }
    out.push_str(&summary_line(&counts(result)));
    out.push('\n');
    out
}

/// With `--verbose`: what each file was checked as, or why it was skipped.
fn verbose_line(name: &str, report: &crate::engine::FileReport) -> String {
    match (&report.skipped, &report.kind) {
        (Some(why), _) => format!("{name}: skipped: JSON of no known kind ({why})\n"),
        (None, Some(kind)) => format!("{name}: checked as {kind}\n"),
        (None, None) => String::new(),
    }
}

fn position(source: &Source, offset: usize) -> LineCol {
    source.line_col(offset)
}

/// `path:line:col: severity[CODE] message`, one finding per line.
pub fn concise(result: &RunResult, verbose: bool) -> String {
    let mut out = String::new();
    for (source, report) in result.sources.iter().zip(&result.reports) {
        if verbose {
            out.push_str(&verbose_line(&source.name, report));
        }
        for f in &report.findings {
            let p = position(source, f.span.start);
            out.push_str(&format!(
                "{}:{}:{}: {}[{}] {}\n",
                source.name,
                p.line,
                p.column,
                f.severity.as_str(),
                f.rule.code,
                f.message
            ));
        }
    }
    out.push_str(&summary_line(&counts(result)));
    out.push('\n');
    out
}

fn range(source: &Source, span: crate::source::Span) -> serde_json::Value {
    let s = position(source, span.start);
    let e = position(source, span.end);
    json!({"start": {"line": s.line, "column": s.column}, "end": {"line": e.line, "column": e.column}})
}

/// The JSON contract described by `schemas/findings.schema.json`.
pub fn json(result: &RunResult) -> String {
    let mut findings = Vec::new();
    for (source, report) in result.sources.iter().zip(&result.reports) {
        for f in &report.findings {
            let related: Vec<_> = f
                .labels
                .iter()
                .map(|l| {
                    let src = l
                        .source
                        .and_then(|i| result.sources.get(i))
                        .unwrap_or(source);
                    json!({"file": src.name, "range": range(src, l.span), "message": l.message})
                })
                .collect();
            let mut obj = json!({
                "code": f.rule.code,
                "name": f.rule.name,
                "severity": f.severity.as_str(),
                "message": f.message,
                "file": source.name,
                "range": range(source, f.span),
                "offset": {"start": f.span.start, "end": f.span.end},
                "text": source.snippet(f.span),
            });
            let map = obj
                .as_object_mut()
                .unwrap_or_else(|| unreachable!("built as an object"));
            if let Some(n) = &f.note {
                map.insert("note".into(), json!(n));
            }
            if let Some(h) = &f.help {
                map.insert("help".into(), json!(h));
            }
            if let Some(aa) = f.access_analyzer_code() {
                map.insert("access_analyzer_code".into(), json!(aa));
            }
            if !related.is_empty() {
                map.insert("related".into(), json!(related));
            }
            if let Some(fix) = &f.fix {
                let edits: Vec<_> = fix
                    .edits
                    .iter()
                    .map(|e| json!({"range": range(source, e.span), "offset": {"start": e.span.start, "end": e.span.end}, "replacement": e.replacement}))
                    .collect();
                map.insert("fix".into(), json!({"applicability": if fix.safe { "safe" } else { "unsafe" }, "message": fix.message, "edits": edits}));
            }
            findings.push(obj);
        }
    }
    let skipped: Vec<_> = result
        .sources
        .iter()
        .zip(&result.reports)
        .filter_map(|(s, r)| {
            r.skipped
                .as_ref()
                .map(|why| json!({"file": s.name, "reason": why}))
        })
        .collect();
    let documents: Vec<_> = result
        .sources
        .iter()
        .zip(&result.reports)
        .filter_map(|(s, r)| r.kind.as_ref().map(|k| json!({"file": s.name, "kind": k})))
        .collect();
    let c = counts(result);
    let doc = json!({
        "version": 1,
        "tool": {"name": "finops-lint", "version": env!("CARGO_PKG_VERSION")},
        "findings": findings,
        "documents": documents,
        "skipped": skipped,
        "summary": {"files": c.files, "errors": c.errors, "warnings": c.warnings, "infos": c.infos, "skipped": c.skipped},
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// `--statistics`: the number of findings per rule, most frequent first.
pub fn statistics(result: &RunResult) -> String {
    let mut per_rule: Vec<(usize, &'static rules::Rule, crate::diagnostic::Severity)> = Vec::new();
    for f in result.findings() {
        match per_rule.iter_mut().find(|c| c.1.code == f.rule.code) {
            Some(c) => {
                c.0 += 1;
                c.2 = c.2.max(f.severity);
            }
            None => per_rule.push((1, f.rule, f.severity)),
        }
    }
    per_rule.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.code.cmp(b.1.code)));
    let mut out = String::new();
    for (n, r, sev) in &per_rule {
        out.push_str(&format!(
            "{n:>6}  {:<8} {:<8} {}\n",
            r.code,
            sev.as_str(),
            r.name
        ));
    }
    out.push_str(&summary_line(&counts(result)));
    out.push('\n');
    out
}

pub fn rule_list_text() -> String {
    let mut out = String::new();
    for r in rules::ALL {
        out.push_str(&format!(
            "{:<7} {:<8} {:<34} {}\n",
            r.code,
            r.severity.as_str(),
            r.name,
            r.summary()
        ));
    }
    out
}

/// One rule for tools: code, name, severity, summary, Access Analyzer codes, documentation URL
/// and the documentation itself.
pub fn rule_json(r: &rules::Rule) -> serde_json::Value {
    json!({"code": r.code, "name": r.name, "severity": r.severity.as_str(), "summary": r.summary(), "access_analyzer": r.access_analyzer, "url": ci::help_uri(r), "docs": r.docs})
}

pub fn rule_list_json() -> String {
    let list: Vec<_> = rules::ALL.iter().map(|r| rule_json(r)).collect();
    let mut s = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
