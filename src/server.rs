//! `finops-lint server`: a language server over standard input and output. It checks the open
//! documents (JSON, YAML, Terraform, `finops-lint.toml`) as they change, with the nearest
//! `finops-lint.toml` above each (as `check` reads it), and publishes the findings as `check`
//! reports them: codes, underlined ranges, notes, help and related places. It offers each safe
//! fix as a quick fix and all of them as a "fix all" source action, and shows on hover an IAM
//! action's catalog entry or a rule's documentation. Everything it shows comes from
//! [`crate::editor`], which the playground uses too.

use crate::editor::{self, LineIndex, Mark};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, Hover, HoverContents, HoverParams,
    HoverProviderCapability, Location, MarkupContent, MarkupKind, NumberOrString,
    PublishDiagnosticsParams, Range, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Url,
    WorkspaceEdit,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The most Terraform files of a module read from disk beside an open one, and the largest.
const MODULE_FILES: usize = 64;
const MODULE_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// The largest configuration file read.
const CONFIG_BYTES: u64 = 1024 * 1024;

/// The code action kind of "fix all": `source.fixAll.finops-lint`.
fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.finops-lint")
}

/// Serve on standard input and output until the client says exit; the process's exit code.
pub fn stdio() -> i32 {
    let (connection, threads) = Connection::stdio();
    let code = match serve(&connection) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("finops-lint server: {}", crate::emit::escape::line(&e));
            1
        }
    };
    drop(connection);
    // the reader thread ends with standard input; a client gone without `exit` is not waited on
    if code == 0 {
        let _ = threads.join();
    }
    code
}

/// Serve on a connection (standard input and output, or an in-memory one in tests and
/// benchmarks) from the `initialize` handshake to `exit`.
pub fn serve(connection: &Connection) -> Result<(), String> {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(
            lsp_types::CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, fix_all_kind()]),
                resolve_provider: Some(false),
                work_done_progress_options: Default::default(),
            },
        )),
        ..ServerCapabilities::default()
    };
    let (id, _params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo {
            name: "finops-lint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server::default();
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection
                    .handle_shutdown(&request)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                let response = server.request(request);
                connection
                    .sender
                    .send(response.into())
                    .map_err(|e| e.to_string())?;
            }
            Message::Notification(n) => {
                for out in server.notification(n) {
                    connection
                        .sender
                        .send(out.into())
                        .map_err(|e| e.to_string())?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

struct Doc {
    text: String,
    version: Option<i32>,
    /// The findings published for `text`.
    marks: Vec<Mark>,
}

/// The open documents and what was published for them.
#[derive(Default)]
pub struct Server {
    docs: HashMap<Url, Doc>,
}

impl Server {
    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        match request.method.as_str() {
            lsp_types::request::HoverRequest::METHOD => {
                match serde_json::from_value::<HoverParams>(request.params) {
                    Ok(p) => ok(id, &self.hover(&p)),
                    Err(e) => invalid(id, e),
                }
            }
            lsp_types::request::CodeActionRequest::METHOD => {
                match serde_json::from_value::<CodeActionParams>(request.params) {
                    Ok(p) => ok(id, &self.code_actions(&p)),
                    Err(e) => invalid(id, e),
                }
            }
            method => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!(
                    "finops-lint does not answer `{}`",
                    crate::emit::escape::line(method)
                ),
            ),
        }
    }

    /// The notifications to send after one from the client (diagnostics to publish).
    fn notification(&mut self, n: Notification) -> Vec<Notification> {
        use lsp_types::notification as note;
        let mut changed: Vec<Url> = Vec::new();
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) {
                    let doc = Doc {
                        text: p.text_document.text,
                        version: Some(p.text_document.version),
                        marks: Vec::new(),
                    };
                    self.docs.insert(p.text_document.uri.clone(), doc);
                    changed.push(p.text_document.uri);
                }
            }
            note::DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) {
                    if let Some(doc) = self.docs.get_mut(&p.text_document.uri) {
                        for change in p.content_changes {
                            match change.range {
                                // a client that sends ranges though the server asked for the
                                // whole text
                                Some(r) => {
                                    let index = LineIndex::new(&doc.text);
                                    let start = index.offset(position(r.start));
                                    let end = index.offset(position(r.end)).max(start);
                                    doc.text.replace_range(start..end, &change.text);
                                }
                                None => doc.text = change.text,
                            }
                        }
                        doc.version = Some(p.text_document.version);
                        changed.push(p.text_document.uri);
                    }
                }
            }
            note::DidSaveTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidSaveTextDocumentParams>(n.params) {
                    if let (Some(text), Some(doc)) =
                        (p.text, self.docs.get_mut(&p.text_document.uri))
                    {
                        doc.text = text;
                    }
                    changed.push(p.text_document.uri);
                }
            }
            note::DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) {
                    let was_config = is_config(&p.text_document.uri);
                    self.docs.remove(&p.text_document.uri);
                    let mut out = vec![publish(&p.text_document.uri, Vec::new(), None)];
                    if was_config {
                        // its text on disk applies again
                        let all: Vec<Url> = self.docs.keys().cloned().collect();
                        out.extend(all.iter().filter_map(|u| self.check(u)));
                    }
                    return out;
                }
            }
            note::DidChangeWatchedFiles::METHOD => {
                changed.extend(self.docs.keys().cloned());
            }
            _ => {}
        }
        // a configuration changed: every open document is checked again
        if changed.iter().any(is_config) {
            changed = self.docs.keys().cloned().collect();
        }
        changed.sort();
        changed.dedup();
        changed.iter().filter_map(|u| self.check(u)).collect()
    }

    /// Check an open document again; the diagnostics to publish.
    pub fn check(&mut self, uri: &Url) -> Option<Notification> {
        let doc = self.docs.get(uri)?;
        let limit = crate::fs::MAX_FILE_SIZE_MIB * 1024 * 1024;
        let checked = if doc.text.len() as u64 > limit {
            Err(format!(
                "it has more than the {} MiB finops-lint reads",
                crate::fs::MAX_FILE_SIZE_MIB
            ))
        } else {
            self.lint(uri, &doc.text)
        };
        let (marks, error) = match checked {
            Ok(marks) => (marks, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        let mut diagnostics: Vec<Diagnostic> = marks.iter().map(|m| diagnostic(uri, m)).collect();
        if let Some(e) = error {
            diagnostics.push(Diagnostic {
                range: Range::default(),
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some("finops-lint".into()),
                message: format!("finops-lint cannot check this file: {e}"),
                ..Diagnostic::default()
            });
        }
        let doc = self.docs.get_mut(uri)?;
        doc.marks = marks;
        Some(publish(uri, diagnostics, doc.version))
    }

    /// The findings of an open document: checked with the nearest configuration above it (its
    /// open text when it is open), and for a Terraform file with the module's other files.
    fn lint(&self, uri: &Url, text: &str) -> Result<Vec<Mark>, String> {
        Ok(self
            .run(uri, text)?
            .map(|(result, at)| editor::marks(&result, at))
            .unwrap_or_default())
    }

    /// The run that checks an open document's text, and the document's place in it (`None`
    /// when the configuration leaves it out).
    fn run(&self, uri: &Url, text: &str) -> Result<Option<(crate::RunResult, usize)>, String> {
        let path = uri.to_file_path().ok();
        let file_name = path
            .as_deref()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .or_else(|| {
                uri.path_segments()
                    .and_then(|mut s| s.next_back().map(str::to_string))
            })
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "document.json".into());
        let folder = path.as_deref().and_then(Path::parent);
        let config = folder.and_then(|f| self.config(f));
        // names relative to the configuration's folder, as its globs see them
        let name_of = |p: &Path| -> String {
            config
                .as_ref()
                .and_then(|(dir, _)| p.strip_prefix(dir).ok())
                .map(|rel| rel.to_string_lossy().replace('\\', "/"))
                .or_else(|| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                .unwrap_or_else(|| file_name.clone())
        };
        let own = path.as_deref().map_or_else(|| file_name.clone(), name_of);
        let mut linter = crate::Linter::new(crate::Options::default());
        if let Some((_, text)) = &config {
            linter = linter.config(crate::config::FILE_NAME, text);
        }
        if file_name == crate::config::FILE_NAME {
            // the configuration itself: its own findings (CFG001)
            let fresh = crate::Linter::new(crate::Options::default())
                .config(crate::config::FILE_NAME, text)
                .lint(std::iter::empty())?;
            let at = fresh.sources.len().checked_sub(1);
            return Ok(at.map(|i| (fresh, i)));
        }
        let mut others: Vec<(String, Vec<u8>)> = Vec::new();
        if let (Some(path), Some(folder)) = (path.as_deref(), folder) {
            if file_name.ends_with(".tf") {
                others = self.module_files(folder, path, &name_of);
            }
        }
        let mut documents: Vec<(&str, &[u8])> = vec![(own.as_str(), text.as_bytes())];
        documents.extend(others.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
        let result = linter.lint(documents)?;
        let at = result.sources.iter().position(|s| s.name == own);
        Ok(at.map(|i| (result, i)))
    }

    /// The nearest `finops-lint.toml` above `folder`: its folder and text (the open document's
    /// text when it is open). A link leading out of the tree is not read, as `check` does.
    fn config(&self, folder: &Path) -> Option<(PathBuf, String)> {
        let found = crate::config::files::discover(folder)?.ok()?;
        let found = std::fs::canonicalize(&found).unwrap_or(found);
        let dir = found.parent()?.to_path_buf();
        let open = Url::from_file_path(&found)
            .ok()
            .and_then(|u| self.docs.get(&u))
            .map(|d| d.text.clone());
        let text = match open {
            Some(t) => t,
            None => {
                let bytes = crate::fs::read_limited(&found, CONFIG_BYTES).ok()?;
                String::from_utf8_lossy(&bytes).into_owned()
            }
        };
        Some((dir, text))
    }

    /// The other `.tf` files of a Terraform file's folder (its module): open ones as edited,
    /// the others as on disk.
    fn module_files(
        &self,
        folder: &Path,
        own: &Path,
        name_of: &dyn Fn(&Path) -> String,
    ) -> Vec<(String, Vec<u8>)> {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "tf") && p != own)
            .take(MODULE_FILES)
            .collect();
        paths.sort();
        paths
            .into_iter()
            .filter_map(|p| {
                let open = Url::from_file_path(&p)
                    .ok()
                    .and_then(|u| self.docs.get(&u))
                    .map(|d| d.text.clone().into_bytes());
                let bytes = match open {
                    Some(b) => b,
                    None => crate::fs::read_limited(&p, MODULE_FILE_BYTES).ok()?,
                };
                Some((name_of(&p), bytes))
            })
            .collect()
    }

    fn hover(&self, p: &HoverParams) -> Option<Hover> {
        let doc = self
            .docs
            .get(&p.text_document_position_params.text_document.uri)?;
        let index = LineIndex::new(&doc.text);
        let offset = index.offset(position(p.text_document_position_params.position));
        let h = editor::hover(&doc.text, offset)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: h.markdown,
            }),
            range: Some(Range {
                start: lsp_position(index.position(h.start)),
                end: lsp_position(index.position(h.end)),
            }),
        })
    }

    /// A quick fix for each safe fix of a finding in the range asked, and "fix all" when the
    /// document has any safe fix.
    fn code_actions(&self, p: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &p.text_document.uri;
        let Some(doc) = self.docs.get(uri) else {
            return Vec::new();
        };
        let wants = |kind: &CodeActionKind| {
            p.context.only.as_ref().is_none_or(|only| {
                only.iter().any(|o| {
                    kind.as_str() == o.as_str()
                        || kind.as_str().starts_with(&format!("{}.", o.as_str()))
                })
            })
        };
        let mut out = Vec::new();
        let asked = (p.range.start, p.range.end);
        if wants(&CodeActionKind::QUICKFIX) {
            for m in &doc.marks {
                let Some(fix) = m.fix.as_ref().filter(|f| f.safe) else {
                    continue;
                };
                let (start, end) = (lsp_position(m.start), lsp_position(m.end));
                if !(before_or_at(start, asked.1) && before_or_at(asked.0, end)) {
                    continue;
                }
                let edits = fix
                    .edits
                    .iter()
                    .map(|e| TextEdit {
                        range: Range {
                            start: lsp_position(e.start),
                            end: lsp_position(e.end),
                        },
                        new_text: e.replacement.clone(),
                    })
                    .collect();
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("{} ({})", fix.message, m.code),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic(uri, m)]),
                    edit: Some(workspace_edit(uri, edits)),
                    is_preferred: Some(true),
                    ..CodeAction::default()
                }));
            }
        }
        let any_safe = doc
            .marks
            .iter()
            .any(|m| m.fix.as_ref().is_some_and(|f| f.safe));
        if any_safe && wants(&fix_all_kind()) {
            let fixed = editor::fix_all(&doc.text, |t| self.lint_findings(uri, t));
            if let Some((text, applied)) = fixed {
                let end = LineIndex::new(&doc.text).position(doc.text.len());
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Apply the {applied} safe fixes of finops-lint"),
                    kind: Some(fix_all_kind()),
                    edit: Some(workspace_edit(
                        uri,
                        vec![TextEdit {
                            range: Range {
                                start: lsp_types::Position::default(),
                                end: lsp_position(end),
                            },
                            new_text: text,
                        }],
                    )),
                    ..CodeAction::default()
                }));
            }
        }
        out
    }

    /// The findings of `text` as the open document `uri` would have them (for fix all).
    fn lint_findings(&self, uri: &Url, text: &str) -> Vec<crate::Finding> {
        match self.run(uri, text) {
            Ok(Some((mut result, at))) => std::mem::take(&mut result.reports[at].findings),
            _ => Vec::new(),
        }
    }
}

fn is_config(uri: &Url) -> bool {
    uri.path().rsplit('/').next() == Some(crate::config::FILE_NAME)
}

fn before_or_at(a: lsp_types::Position, b: lsp_types::Position) -> bool {
    (a.line, a.character) <= (b.line, b.character)
}

fn position(p: lsp_types::Position) -> editor::Position {
    editor::Position {
        line: p.line,
        character: p.character,
    }
}

fn lsp_position(p: editor::Position) -> lsp_types::Position {
    lsp_types::Position {
        line: p.line,
        character: p.character,
    }
}

fn workspace_edit(uri: &Url, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// A finding as a diagnostic: the rule's code and documentation link, the message with the
/// note and the help under it (as `check` prints them), the labels as related places.
fn diagnostic(uri: &Url, m: &Mark) -> Diagnostic {
    let mut message = m.message.clone();
    if let Some(note) = &m.note {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    if let Some(help) = &m.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = m
        .labels
        .iter()
        .map(|l| DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range: Range {
                    start: lsp_position(l.start),
                    end: lsp_position(l.end),
                },
            },
            message: l.message.clone(),
        })
        .collect();
    Diagnostic {
        range: Range {
            start: lsp_position(m.start),
            end: lsp_position(m.end),
        },
        severity: Some(match m.severity {
            crate::Severity::Error => DiagnosticSeverity::ERROR,
            crate::Severity::Warning => DiagnosticSeverity::WARNING,
            crate::Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(m.code.to_string())),
        code_description: Url::parse(&m.url).ok().map(|href| CodeDescription { href }),
        source: Some("finops-lint".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Diagnostic::default()
    }
}

fn publish(uri: &Url, diagnostics: Vec<Diagnostic>, version: Option<i32>) -> Notification {
    Notification::new(
        lsp_types::notification::PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics,
            version,
        },
    )
}

fn ok<T: serde::Serialize>(id: RequestId, value: &T) -> Response {
    Response::new_ok(id, value)
}

fn invalid(id: RequestId, e: serde_json::Error) -> Response {
    Response::new_err(
        id,
        ErrorCode::InvalidParams as i32,
        format!("invalid parameters: {e}"),
    )
}
