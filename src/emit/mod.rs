//! Emitters: the same findings as annotated excerpts (miette), concise lines or JSON.

pub mod ci;
pub mod escape;
pub mod mask;

use crate::diagnostic::{Finding, Severity};
use crate::engine::FileReport;
use crate::engine::RunResult;
use crate::rules;
use crate::source::{LineCol, Source};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};
use serde_json::json;
use std::borrow::Cow;
use std::fmt;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    /// Annotated source excerpts
    Human,
    /// One line per finding: `path:line:col: severity[CODE] message`
    Concise,
    /// The documented JSON contract (schemas/findings.schema.json)
    Json,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers
    Sarif,
    /// GitHub Actions workflow annotations
    Github,
    /// JUnit XML, a test suite per file
    Junit,
    /// GitLab code quality report
    Gitlab,
}

/// Counts for the summary.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub files: usize,
    pub skipped: usize,
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

/// A finding as miette renders it: its strings already masked and escaped (`text_finding`), its
/// source shown masked and escaped (`text_source`).
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

/// A finding for a text format: the message and labels on one line, the note (miette's primary
/// label) and help as the tool wrote them (`escape::lines`).
fn text_finding(f: &Finding) -> Cow<'_, Finding> {
    let message = escape::line(&f.message);
    let note = f.note.as_deref().map(escape::lines);
    let help = f.help.as_deref().map(escape::lines);
    let labels: Vec<Cow<str>> = f.labels.iter().map(|l| escape::line(&l.message)).collect();
    let owned = |c: &Option<Cow<str>>| matches!(c, Some(Cow::Owned(_)));
    if matches!(message, Cow::Borrowed(_))
        && !owned(&note)
        && !owned(&help)
        && labels.iter().all(|l| matches!(l, Cow::Borrowed(_)))
    {
        return Cow::Borrowed(f);
    }
    let mut out = f.clone();
    out.message = message.into_owned();
    out.note = note.map(Cow::into_owned);
    out.help = help.map(Cow::into_owned);
    for (l, m) in out.labels.iter_mut().zip(labels) {
        l.message = m.into_owned();
    }
    Cow::Owned(out)
}

/// A source for a text format: its name on one line, and its text (miette's excerpts) with the
/// run's known secrets masked and no terminal controls, of the same length.
fn text_source<'a>(source: &'a Source, mask: &crate::emit::mask::Mask) -> Cow<'a, Source> {
    let name = escape::line(&source.name);
    let known = mask.excerpt(&source.display);
    let display = match escape::excerpt(&known) {
        Cow::Owned(d) => Some(d),
        Cow::Borrowed(_) => match known {
            Cow::Owned(k) => Some(k),
            Cow::Borrowed(_) => None,
        },
    };
    if display.is_none() && matches!(name, Cow::Borrowed(_)) {
        return Cow::Borrowed(source);
    }
    let mut shown = match display {
        Some(d) => source.shown_as(d),
        None => source.clone(),
    };
    shown.name = name.into_owned();
    Cow::Owned(shown)
}

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
    /// The help, then where to read more: `finops-lint rule CODE`.
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let more = format!("`finops-lint rule {}` explains the rule", self.f.rule.code);
        Some(Box::new(match &self.f.help {
            Some(h) => format!("{h}\n{more}"),
            None => more,
        }))
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

/// The excerpt of a finding longer than this (in bytes) is cut to the span and
/// `EXCERPT_CONTEXT` bytes on either side.
const LONG_EXCERPT: usize = 4096;
const EXCERPT_CONTEXT: usize = 160;
/// A line longer than this (in bytes; a policy printed by `get-bucket-policy` on one line) is
/// shown as a window of `LINE_CONTEXT` bytes on either side of the span.
const LONG_LINE: usize = 200;
const LINE_CONTEXT: usize = 60;

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
        let mut to = self
            .source
            .line_start(to_line + 1)
            .unwrap_or(text.len())
            .max(from);
        let (mut from, mut from_line, mut column) = (from, from_line, column);
        // a very long line (a minified document): a window around the span, not the whole
        // line for each of its findings
        let first_start = self.source.line_start(first).unwrap_or(0);
        let first_len = self
            .source
            .line_start(first + 1)
            .unwrap_or(text.len())
            .saturating_sub(first_start);
        let long_line = first == last && first_len > LONG_LINE;
        if to - from > LONG_EXCERPT || long_line {
            let context = if long_line {
                LINE_CONTEXT
            } else {
                EXCERPT_CONTEXT
            };
            // without leading context (the location miette prints), from the span itself
            let mut a = if context_lines_before == 0 {
                start
            } else {
                start.saturating_sub(context).max(first_start)
            };
            while !text.is_char_boundary(a) {
                a -= 1;
            }
            let last_end = self.source.line_start(last + 1).unwrap_or(text.len());
            let mut b = (end + context).min(last_end).max(a);
            while !text.is_char_boundary(b) {
                b += 1;
            }
            (from, from_line, column, to) = (a, first, a - first_start, b);
        }
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

/// How a run is presented.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub format: Format,
    /// Colour in the annotated excerpts.
    pub color: bool,
    /// What each file was checked as, or why it was skipped (text formats).
    pub verbose: bool,
    /// Counts per rule instead of the findings (text formats).
    pub statistics: bool,
    /// No summary line (text formats).
    pub quiet: bool,
}

impl Style {
    pub fn new(format: Format) -> Self {
        Style {
            format,
            color: false,
            verbose: false,
            statistics: false,
            quiet: false,
        }
    }
    fn text(&self) -> bool {
        matches!(self.format, Format::Human | Format::Concise)
    }
}

/// The files of the run that a finding's related locations may name: a streamed file sees
/// itself; the files held for the checks across files see each other.
pub type Others<'a> = &'a dyn Fn(usize) -> Option<&'a Source>;

/// Writes a run's output file by file, as the files are checked: nothing but counts (and, for
/// the formats whose totals come first or whose lists close last, a line per file) is kept
/// between files. Every format goes through it, so a run of one file and a run of a million
/// print the same way.
pub struct Emitter {
    style: Style,
    handler: GraphicalReportHandler,
    pub counts: Counts,
    per_rule: Vec<(usize, &'static rules::Rule, Severity)>,
    array: Option<ArrayStream>,
    documents: Vec<serde_json::Value>,
    skipped: Vec<serde_json::Value>,
    junit: String,
    junit_tests: usize,
    junit_failures: usize,
    fingerprints: std::collections::HashMap<String, usize>,
    /// Every string printed goes through it.
    mask: crate::emit::mask::Mask,
    /// How SARIF and GitHub annotations name the files.
    paths: ci::Paths,
}

/// A JSON array written element by element inside a pretty-printed document, byte for byte
/// as `serde_json::to_string_pretty` prints the whole document.
struct ArrayStream {
    /// The indentation of the array's closing bracket.
    indent: String,
    count: usize,
}

impl ArrayStream {
    fn push(&mut self, out: &mut String, v: &serde_json::Value) {
        out.push_str(if self.count == 0 { "\n" } else { ",\n" });
        let inner = format!("{}  ", self.indent);
        let text = escape::json(serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into()));
        out.push_str(&inner);
        // strings in JSON text hold no raw line breaks: every line break is the printer's
        out.push_str(&text.replace('\n', &format!("\n{inner}")));
        self.count += 1;
    }
    fn close(&self, out: &mut String) {
        if self.count > 0 {
            out.push('\n');
            out.push_str(&self.indent);
        }
        out.push(']');
    }
}

/// A document pretty-printed and cut at its array `key` (written as `[]`): the text up to and
/// including `[`, the text after `]`, and the indentation of the line that holds the key.
fn cut(doc: &serde_json::Value, key: &str) -> (String, String, String) {
    let text = serde_json::to_string_pretty(doc).unwrap_or_default();
    let marker = format!("\"{key}\": []");
    // at the start of a line: inside a string every quote is escaped
    let at = text
        .match_indices(&marker)
        .map(|(i, _)| i)
        .find(|&i| text[..i].ends_with(' ') || text[..i].ends_with('\n'))
        .unwrap_or(text.len());
    let line_start = text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let indent = text[line_start..at].to_string();
    let open = (at + marker.len() - 1).min(text.len());
    let close = (at + marker.len()).min(text.len());
    (text[..open].to_string(), text[close..].to_string(), indent)
}

fn json_head(doc: &serde_json::Value, key: &str, out: &mut String) -> ArrayStream {
    let (head, _, indent) = cut(doc, key);
    out.push_str(&escape::json(head));
    ArrayStream { indent, count: 0 }
}

fn json_tail(doc: &serde_json::Value, key: &str, out: &mut String) {
    let (_, tail, _) = cut(doc, key);
    out.push_str(&escape::json(tail));
    out.push('\n');
}

impl Emitter {
    pub fn new(style: Style) -> Self {
        let theme = if style.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Emitter {
            style,
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(100)
                .with_links(false),
            counts: Counts::default(),
            per_rule: Vec::new(),
            array: None,
            documents: Vec::new(),
            skipped: Vec::new(),
            junit: String::new(),
            junit_tests: 0,
            junit_failures: 0,
            fingerprints: std::collections::HashMap::new(),
            mask: crate::emit::mask::Mask::default(),
            paths: ci::Paths::default(),
        }
    }

    /// Name the files of SARIF and GitHub annotations relative to `paths.root` (the others by
    /// their absolute path).
    pub fn with_paths(mut self, paths: ci::Paths) -> Self {
        self.paths = paths;
        self
    }

    /// Mask the secrets of `source` in everything printed from now on (a file's secrets may
    /// be named in the findings of another: call it for each file as soon as it is checked).
    pub fn learn(&mut self, source: &Source) {
        self.mask.learn_source(source);
    }

    /// A report's findings with every string masked, as printed and as a baseline records
    /// them.
    pub fn mask(&self, report: &mut FileReport) {
        if report.masked {
            return;
        }
        for f in report.findings.iter_mut() {
            if let Some(m) = self.mask.finding(f) {
                *f = m;
            }
        }
        report.masked = true;
    }

    /// A report's findings masked: themselves when nothing changes (nearly always) or they are
    /// masked already.
    fn masked<'f>(&self, report: &'f FileReport) -> Cow<'f, [Finding]> {
        let findings = &report.findings;
        if report.masked {
            return Cow::Borrowed(findings);
        }
        let mut out: Option<Vec<Finding>> = None;
        for (i, f) in findings.iter().enumerate() {
            if let Some(m) = self.mask.finding(f) {
                out.get_or_insert_with(|| findings.to_vec())[i] = m;
            }
        }
        out.map_or(Cow::Borrowed(findings), Cow::Owned)
    }

    /// What comes before the first file.
    pub fn begin(&mut self, out: &mut String) {
        match self.style.format {
            Format::Json => {
                self.array = Some(json_head(
                    &json_doc(&[], &[], &self.counts),
                    "findings",
                    out,
                ))
            }
            Format::Sarif => self.array = Some(json_head(&ci::sarif_doc(), "results", out)),
            Format::Gitlab => {
                out.push('[');
                self.array = Some(ArrayStream {
                    indent: String::new(),
                    count: 0,
                });
            }
            _ => {}
        }
    }

    /// One file and its findings. Every string printed is masked here (`crate::emit::mask::Mask`)
    /// and escaped for its format (`escape`).
    pub fn file(&mut self, out: &mut String, source: &Source, report: &FileReport, others: Others) {
        self.learn(source);
        let findings = self.masked(report);
        let findings: &[Finding] = &findings;
        let named = mask_name(source, &self.mask);
        let source: &Source = &named;
        let kind = report.kind.as_deref().map(|k| self.mask.text(k));
        let skipped = report.skipped.as_deref().map(|k| self.mask.text(k));
        let first = out.len();
        self.counts.files += 1;
        if report.skipped.is_some() {
            self.counts.skipped += 1;
        }
        for f in findings {
            match f.severity {
                Severity::Error => self.counts.errors += 1,
                Severity::Warning => self.counts.warnings += 1,
                Severity::Info => self.counts.infos += 1,
            }
        }
        match self.style.format {
            _ if self.style.statistics && self.style.text() => {
                for f in findings {
                    match self.per_rule.iter_mut().find(|c| c.1.code == f.rule.code) {
                        Some(c) => {
                            c.0 += 1;
                            c.2 = c.2.max(f.severity);
                        }
                        None => self.per_rule.push((1, f.rule, f.severity)),
                    }
                }
            }
            Format::Human => {
                if self.style.verbose {
                    out.push_str(&verbose_line(
                        &source.name,
                        kind.as_deref(),
                        skipped.as_deref(),
                    ));
                }
                self.human(out, source, findings, others)
            }
            Format::Concise => {
                if self.style.verbose {
                    out.push_str(&verbose_line(
                        &source.name,
                        kind.as_deref(),
                        skipped.as_deref(),
                    ));
                }
                let name = escape::line(&source.name);
                for f in findings {
                    let p = position(source, f.span.start);
                    out.push_str(&format!(
                        "{}:{}:{}: {}[{}] {}\n",
                        name,
                        p.line,
                        p.column,
                        f.severity.as_str(),
                        f.rule.code,
                        escape::line(&f.message)
                    ));
                }
            }
            Format::Json => {
                for f in findings {
                    let v = json_finding(f, source, others, &self.mask);
                    if let Some(a) = self.array.as_mut() {
                        a.push(out, &v);
                    }
                }
                if let Some(why) = &skipped {
                    self.skipped
                        .push(json!({"file": source.name, "reason": why}));
                }
                if let Some(k) = &kind {
                    self.documents.push(json!({"file": source.name, "kind": k}));
                }
            }
            Format::Sarif => {
                for f in findings {
                    let v = ci::sarif_result(f, source, others, &self.paths);
                    if let Some(a) = self.array.as_mut() {
                        a.push(out, &v);
                    }
                }
            }
            Format::Github => {
                for f in findings {
                    out.push_str(&ci::github_line(f, source, &self.paths));
                }
            }
            Format::Junit => {
                let (suite, tests, failures) = ci::junit_suite(source, findings);
                let suite = escape::guard_line_starts(&suite).into_owned();
                self.junit.push_str(&suite);
                self.junit_tests += tests;
                self.junit_failures += failures;
            }
            Format::Gitlab => {
                for f in findings {
                    let v = ci::gitlab_issue(f, source, &mut self.fingerprints);
                    if let Some(a) = self.array.as_mut() {
                        a.push(out, &v);
                    }
                }
            }
        }
        if self.style.text() {
            // what this file added starts a line: a file name or a wrapped word
            if let Cow::Owned(g) = escape::guard_line_starts(&out[first..]) {
                out.truncate(first);
                out.push_str(&g);
            }
        }
    }

    /// What comes after the last file: totals, closing brackets, the summary line.
    pub fn end(&mut self, out: &mut String) {
        let summary = !self.style.quiet;
        match self.style.format {
            _ if self.style.statistics && self.style.text() => {
                let mut per_rule = std::mem::take(&mut self.per_rule);
                per_rule.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.code.cmp(b.1.code)));
                for (n, r, sev) in &per_rule {
                    out.push_str(&format!(
                        "{n:>6}  {:<8} {:<8} {}\n",
                        r.code,
                        sev.as_str(),
                        r.name
                    ));
                }
                if summary {
                    out.push_str(&summary_line(&self.counts));
                    out.push('\n');
                }
            }
            Format::Human | Format::Concise => {
                if summary {
                    out.push_str(&summary_line(&self.counts));
                    out.push('\n');
                }
            }
            Format::Json => {
                if let Some(a) = self.array.take() {
                    a.close(out);
                }
                let doc = json_doc(&self.documents, &self.skipped, &self.counts);
                json_tail(&doc, "findings", out);
            }
            Format::Sarif => {
                if let Some(a) = self.array.take() {
                    a.close(out);
                }
                json_tail(&ci::sarif_doc(), "results", out);
            }
            Format::Gitlab => {
                if let Some(a) = self.array.take() {
                    a.close(out);
                }
                out.push('\n');
            }
            Format::Github => {}
            Format::Junit => {
                out.push_str(&format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"finops-lint\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n{}</testsuites>\n", self.junit_tests, self.junit_failures, self.junit));
                self.junit.clear();
            }
        }
    }

    fn human(&mut self, out: &mut String, source: &Source, findings: &[Finding], others: Others) {
        if findings.is_empty() {
            return;
        }
        let shown = text_source(source, &self.mask);
        let source: &Source = &shown;
        for f in findings {
            let f = text_finding(f);
            let f: &Finding = &f;
            let r = Rendered { f, source };
            if source.text.is_empty() {
                out.push_str(&format!("{}: ", source.name));
            }
            let mut buf = String::new();
            if self.handler.render_report(&mut buf, &r).is_err() {
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
                if let Some(other) = l.source.and_then(others) {
                    let p = other.line_col(l.span.start);
                    out.push_str(&format!(
                        "  related: {}:{}:{}: {} (`{}`)\n",
                        escape::line(&self.mask.text(&other.name)),
                        p.line,
                        p.column,
                        escape::line(&l.message),
                        escape::line(&self.mask.excerpt(other.snippet(l.span)))
                    ));
                }
            }
            out.push('\n');
        }
    }
}

/// A whole run in one format, written to any writer file by file (the emitter keeps nothing but
/// counts between files): a file, standard output, a socket, a buffer of an editor or a browser.
/// A failed write ends it with the writer's error.
///
/// ```
/// use finops_lint::emit::{self, Format, Style};
/// use finops_lint::{Linter, Options};
///
/// let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Alow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
/// let result = Linter::new(Options::default()).lint([("policy.json", policy.as_bytes())])?;
/// let mut sarif = Vec::new();
/// emit::write(&result, Style::new(Format::Sarif), &mut sarif).map_err(|e| e.to_string())?;
/// assert!(String::from_utf8_lossy(&sarif).contains("POL005"));
/// # Ok::<(), String>(())
/// ```
pub fn write(result: &RunResult, style: Style, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = String::new();
    let mut e = Emitter::new(style);
    e.begin(&mut out);
    let others = |i: usize| result.sources.get(i);
    // a file's secrets may be named in another's findings
    result.sources.iter().for_each(|s| e.learn(s));
    for (source, report) in result.sources.iter().zip(&result.reports) {
        e.file(&mut out, source, report, &others);
        w.write_all(out.as_bytes())?;
        out.clear();
    }
    e.end(&mut out);
    w.write_all(out.as_bytes())?;
    w.flush()
}

/// A whole run in one format, as a string (the live audit and `simulate` print this way).
pub fn render(result: &RunResult, style: Style) -> String {
    let mut out = Vec::new();
    // writing to memory does not fail, and every part written is a string
    let _ = write(result, style, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// With `--verbose`: what each file was checked as, or why it was skipped.
fn verbose_line(name: &str, kind: Option<&str>, skipped: Option<&str>) -> String {
    let name = escape::line(name);
    match (skipped, kind) {
        (Some(why), _) => format!(
            "{name}: skipped: JSON of no known kind ({})\n",
            escape::line(why)
        ),
        (None, Some(kind)) => format!("{name}: checked as {}\n", escape::line(kind)),
        (None, None) => String::new(),
    }
}

/// The source with its name masked (a name is printed in every format): itself when the name
/// holds no secret.
fn mask_name<'a>(source: &'a Source, mask: &crate::emit::mask::Mask) -> Cow<'a, Source> {
    match mask.text(&source.name) {
        Cow::Borrowed(_) => Cow::Borrowed(source),
        Cow::Owned(name) => {
            let mut s = source.clone();
            s.name = name;
            Cow::Owned(s)
        }
    }
}

fn position(source: &Source, offset: usize) -> LineCol {
    source.line_col(offset)
}

fn range(source: &Source, span: crate::source::Span) -> serde_json::Value {
    let s = position(source, span.start);
    let e = position(source, span.end);
    json!({"start": {"line": s.line, "column": s.column}, "end": {"line": e.line, "column": e.column}})
}

/// One finding of the JSON contract described by `schemas/findings.schema.json`. Offsets are
/// bytes of the file (they differ from the decoded text's after invalid UTF-8).
fn json_finding(
    f: &Finding,
    source: &Source,
    others: Others,
    mask: &crate::emit::mask::Mask,
) -> serde_json::Value {
    let related: Vec<_> = f
        .labels
        .iter()
        .map(|l| {
            let src = l.source.and_then(others).unwrap_or(source);
            json!({"file": mask.text(&src.name), "range": range(src, l.span), "message": l.message})
        })
        .collect();
    let offset = |s: crate::source::Span| json!({"start": source.file_offset(s.start), "end": source.file_offset(s.end)});
    let mut obj = json!({
        "code": f.rule.code,
        "name": f.rule.name,
        "severity": f.severity.as_str(),
        "message": f.message,
        "file": source.name,
        "range": range(source, f.span),
        "offset": offset(f.span),
        "text": mask.excerpt(source.snippet(f.span)),
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
            .map(|e| json!({"range": range(source, e.span), "offset": offset(e.span), "replacement": e.replacement}))
            .collect();
        map.insert("fix".into(), json!({"applicability": fix.applicability.as_str(), "message": fix.message, "edits": edits}));
    }
    obj
}

/// The JSON contract's document around its findings.
fn json_doc(
    documents: &[serde_json::Value],
    skipped: &[serde_json::Value],
    c: &Counts,
) -> serde_json::Value {
    json!({
        "version": 1,
        "tool": {"name": "finops-lint", "version": env!("CARGO_PKG_VERSION")},
        "findings": [],
        "documents": documents,
        "skipped": skipped,
        "summary": {"files": c.files, "errors": c.errors, "warnings": c.warnings, "infos": c.infos, "skipped": c.skipped},
    })
}

pub fn rule_list_text() -> String {
    let mut out = String::new();
    for r in rules::ALL.iter() {
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

/// One rule for tools: code, name, severity, summary, its family, the documents it reads, the
/// fixes it offers, Access Analyzer codes, documentation URL and the documentation itself.
pub fn rule_json(r: &rules::Rule) -> serde_json::Value {
    let applies_to: Vec<&str> = r.applies_to.iter().map(|k| k.as_str()).collect();
    let fixes: Vec<&str> = r.fixes.iter().map(|a| a.as_str()).collect();
    json!({"code": r.code, "name": r.name, "severity": r.severity.as_str(), "summary": r.summary(), "family": rules::family_of(r).map(|f| f.name), "applies_to": applies_to, "fixes": fixes, "access_analyzer": r.access_analyzer, "url": ci::help_uri(r), "docs": r.docs})
}

pub fn rule_list_json() -> String {
    let list: Vec<_> = rules::ALL.iter().map(|r| rule_json(r)).collect();
    let mut s = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
