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

/// The most files of a Terraform module read beside an open one, and the most bytes of them
/// (and, apart, of the policy files it reads).
const MODULE_FILES: usize = 64;
const MODULE_BYTES: u64 = 8 * 1024 * 1024;
/// The largest configuration file read.
const CONFIG_BYTES: u64 = 1024 * 1024;

/// The code action kind of "fix all": `source.fixAll.finops-lint`.
fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.finops-lint")
}

/// Serve on standard input and output until the client says exit; the process's exit code: 0
/// after `shutdown` and `exit`, 1 when the client exits without `shutdown`, breaks the protocol
/// or goes away.
pub fn stdio() -> i32 {
    let (connection, threads) = Connection::stdio();
    let served = serve(&connection);
    drop(connection);
    let code = match served {
        Ok(()) => 0,
        Err(e) => {
            report(&e);
            1
        }
    };
    // the reader thread ends with standard input; a client gone without `exit` is not waited on
    if code == 0 {
        if let Err(e) = threads.join() {
            report(&format!("the client broke the protocol: {e}"));
            return 1;
        }
    }
    code
}

/// An error on standard error (an editor's log): secrets masked, no control characters, and
/// short: the protocol library quotes whole messages, documents included.
fn report(error: &str) {
    eprintln!("finops-lint server: {}", crate::contain::shown(error));
}

/// Serve on a connection (standard input and output, or an in-memory one in tests and
/// benchmarks) from the `initialize` handshake to `exit`. Before `initialize`, requests are
/// answered "not initialized" and notifications dropped; after `shutdown`, requests are
/// answered "invalid request" until `exit`. `Err` for an `exit` without `shutdown` or a
/// connection closed without `exit`.
pub fn serve(connection: &Connection) -> Result<(), String> {
    let send = |m: Message| connection.sender.send(m).map_err(|e| e.to_string());
    let mut server = Server::default();
    // the handshake
    loop {
        let Ok(message) = connection.receiver.recv() else {
            return Err("the client went away before `initialize`".into());
        };
        match message {
            Message::Request(r) if r.method == lsp_types::request::Initialize::METHOD => {
                let params: lsp_types::InitializeParams = serde_json::from_value(r.params)
                    .unwrap_or_else(|_| {
                        serde_json::from_value(serde_json::json!({"capabilities": {}}))
                            .unwrap_or_default()
                    });
                server.start(&params);
                send(Response::new_ok(r.id, initialize_result()).into())?;
                for m in server.registrations() {
                    send(m.into())?;
                }
                break;
            }
            Message::Request(r) => send(
                Response::new_err(
                    r.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server is not initialized".into(),
                )
                .into(),
            )?,
            Message::Notification(n) if n.method == lsp_types::notification::Exit::METHOD => {
                return Err("`exit` before `initialize`".into());
            }
            _ => {}
        }
    }
    let mut shut_down = false;
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                let response = if shut_down {
                    Response::new_err(
                        request.id,
                        ErrorCode::InvalidRequest as i32,
                        "the server is shutting down".into(),
                    )
                } else if request.method == lsp_types::request::Shutdown::METHOD {
                    shut_down = true;
                    Response::new_ok(request.id, ())
                } else {
                    server.request(request)
                };
                send(response.into())?;
            }
            Message::Notification(n) if n.method == lsp_types::notification::Exit::METHOD => {
                return if shut_down {
                    Ok(())
                } else {
                    Err("`exit` without `shutdown`".into())
                };
            }
            Message::Notification(_) if shut_down => {}
            Message::Notification(n) => {
                for out in server.notification(n) {
                    send(out.into())?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Err("the connection closed without `exit`".into())
}

fn initialize_result() -> serde_json::Value {
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
    serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo {
            name: "finops-lint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    })
}

struct Doc {
    text: String,
    version: Option<i32>,
    /// The findings published for `text`.
    marks: Vec<Mark>,
    /// The policy files its last check read (`file(...)`): given with the next check at once,
    /// so an edit checks once, not once and again with the files it names.
    included: std::cell::RefCell<Vec<PathBuf>>,
}

/// The open documents and what was published for them.
#[derive(Default)]
pub struct Server {
    docs: HashMap<Url, Doc>,
    /// The workspace's folders (from `initialize`): files a document names (a module's other
    /// files, a policy file a template reads, the configuration through a link) are read only
    /// from inside them or the document's own folder.
    roots: crate::contain::Roots,
    /// The client registers file watchers on request.
    watches: bool,
}

impl Server {
    fn start(&mut self, params: &lsp_types::InitializeParams) {
        let mut folders: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| f.uri.to_file_path().ok())
            .collect();
        #[allow(deprecated)]
        folders.extend(params.root_uri.as_ref().and_then(|u| u.to_file_path().ok()));
        // a workspace that is the whole file system (or a home) says nothing about the tree
        folders.retain(|f| f.components().count() > 1);
        self.roots = crate::contain::Roots::new(folders);
        self.watches = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
    }

    /// The requests sent after `initialize`: watching `finops-lint.toml` and `.tf` files, when
    /// the client can (a configuration or a module file changed outside the editor is then
    /// seen).
    fn registrations(&self) -> Vec<Request> {
        if !self.watches {
            return Vec::new();
        }
        let options = serde_json::json!({"watchers": [
            {"globPattern": "**/finops-lint.toml"},
            {"globPattern": "**/*.tf"},
        ]});
        vec![Request::new(
            RequestId::from("finops-lint/watch".to_string()),
            "client/registerCapability".into(),
            serde_json::json!({"registrations": [{
                "id": "finops-lint/watch",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": options,
            }]}),
        )]
    }

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
                        included: Default::default(),
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
                    let uri = p.text_document.uri;
                    self.docs.remove(&uri);
                    let mut out = vec![publish(&uri, Vec::new(), None)];
                    // its text on disk applies again: to every document (a configuration) or
                    // to the module's other open files
                    let module = module_of(&uri);
                    let again: Vec<Url> = self
                        .docs
                        .keys()
                        .filter(|u| is_config(&uri) || module.is_some() && module_of(u) == module)
                        .cloned()
                        .collect();
                    out.extend(again.iter().filter_map(|u| self.check(u)));
                    return out;
                }
            }
            note::DidChangeWatchedFiles::METHOD => {
                changed.extend(self.docs.keys().cloned());
            }
            _ => {}
        }
        // a configuration changed: every open document is checked again; a module file
        // changed: the module's other open files
        if changed.iter().any(is_config) {
            changed = self.docs.keys().cloned().collect();
        } else {
            let modules: Vec<String> = changed.iter().filter_map(module_of).collect();
            if !modules.is_empty() {
                changed.extend(
                    self.docs
                        .keys()
                        .filter(|u| module_of(u).is_some_and(|m| modules.contains(&m)))
                        .cloned(),
                );
            }
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
            // a bug in a check is said in the document, and the server goes on
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.lint(uri, &doc.text)))
                .unwrap_or_else(|_| {
                    Err("checking it hit a bug in finops-lint; please report it".into())
                })
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
                message: crate::secrets::mask(&format!("finops-lint cannot check this file: {e}")),
                ..Diagnostic::default()
            });
        }
        let doc = self.docs.get_mut(uri)?;
        doc.marks = marks;
        Some(publish(uri, diagnostics, doc.version))
    }

    fn lint(&self, uri: &Url, text: &str) -> Result<Vec<Mark>, String> {
        Ok(self
            .run(uri, text)?
            .map(|(result, at)| editor::marks(&result, at))
            .unwrap_or_default())
    }

    /// The run that checks an open document's text, and the document's place in it (`None`
    /// when the configuration leaves it out, or the file has no extension `check` reads in a
    /// folder: a TOML file other than `finops-lint.toml`, a Markdown file). A JSON or YAML
    /// file of another tool is skipped quietly, as the folder walk of `check` skips it (no
    /// IO002). The nearest `finops-lint.toml` above it
    /// applies (its open text when it is open); a Terraform file is checked with the other
    /// `.tf` files of its folder and the policy files it reads, given for context only.
    fn run(&self, uri: &Url, text: &str) -> Result<Option<(crate::RunResult, usize)>, String> {
        let path = uri.to_file_path().ok().map(|p| {
            // the folder with its links resolved, as the configuration's folder is
            match (
                p.parent().and_then(|f| std::fs::canonicalize(f).ok()),
                p.file_name(),
            ) {
                (Some(folder), Some(name)) => folder.join(name),
                _ => p,
            }
        });
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
        let is_config = file_name == crate::config::FILE_NAME;
        let checked_kind = Path::new(&file_name)
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| crate::walk::EXTENSIONS.contains(&x));
        if !is_config && !checked_kind {
            return Ok(None);
        }
        let folder = path.as_deref().and_then(Path::parent);
        let config = match folder {
            Some(f) => self.config(f)?,
            None => None,
        };
        // names relative to the configuration's folder, as its globs see them (without one,
        // to the document's folder)
        let base = config.as_ref().map(|(dir, _)| dir.as_path()).or(folder);
        let name_of = |p: &Path| -> String {
            base.and_then(|b| p.strip_prefix(b).ok())
                .map(|rel| rel.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|| p.to_string_lossy().into_owned())
        };
        let own = path.as_deref().map_or_else(|| file_name.clone(), name_of);
        if is_config {
            // the configuration itself: its own findings (CFG001)
            let fresh = crate::Linter::new(crate::Options::default())
                .config(crate::config::FILE_NAME, text)
                .lint(std::iter::empty())?;
            let at = fresh.sources.len().checked_sub(1);
            return Ok(at.map(|i| (fresh, i)));
        }
        let linter = || {
            let l = crate::Linter::new(crate::Options::default());
            match &config {
                Some((_, text)) => l.config(crate::config::FILE_NAME, text),
                None => l,
            }
        };
        let mut context: Vec<(String, Vec<u8>)> = Vec::new();
        if let (Some(path), Some(folder)) = (path.as_deref(), folder) {
            if file_name.ends_with(".tf") {
                context = self.module_files(folder, path, &name_of);
            }
        }
        let documents = [(own.as_str(), text.as_bytes())];
        let with = |context: &[(String, Vec<u8>)]| {
            linter().lint_with_context(
                documents,
                context.iter().map(|(n, b)| (n.as_str(), b.as_slice())),
            )
        };
        // the policy files the template reads (`file(...)`), read from inside the tree: those
        // of the last check at once, any other it names then, with a second check
        let mut budget = MODULE_BYTES;
        let mut read = |found: &Path, context: &mut Vec<(String, Vec<u8>)>| -> bool {
            let name = name_of(found);
            if context.iter().any(|(n, _)| *n == name) {
                return false;
            }
            match crate::fs::read_limited(found, budget) {
                Ok(bytes) => {
                    budget = budget.saturating_sub(bytes.len() as u64);
                    context.push((name, bytes));
                    true
                }
                Err(_) => false,
            }
        };
        let doc = self.docs.get(uri);
        if let Some(d) = doc {
            for found in d.included.borrow().iter() {
                read(found, &mut context);
            }
        }
        let mut result = with(&context)?;
        let mut at = result.sources.iter().position(|s| s.name == own);
        if let (Some(i), Some(folder)) = (at, folder) {
            let found: Vec<PathBuf> = result.reports[i]
                .includes
                .iter()
                .filter_map(|inc| self.roots.resolve(folder, &inc.path).ok())
                .collect();
            let mut added = false;
            for f in &found {
                added |= read(f, &mut context);
            }
            if let Some(d) = doc {
                *d.included.borrow_mut() = found;
            }
            if added {
                result = with(&context)?;
                at = result.sources.iter().position(|s| s.name == own);
            }
        }
        // a document of no kind finops-lint checks is skipped quietly, as in a folder (its
        // text is still checked: a secret in it is reported)
        if let Some(i) = at {
            let report = &mut result.reports[i];
            if report.kind.is_none() {
                report
                    .findings
                    .retain(|f| f.rule.code != crate::rules::IO002.code);
            }
        }
        Ok(at.map(|i| (result, i)))
    }

    /// The nearest `finops-lint.toml` above `folder`: its folder and text (the open document's
    /// text when it is open). One that is a link leading out of its own folder and the
    /// workspace, or that cannot be read, is an error: the document is not checked without
    /// the configuration that governs it.
    fn config(&self, folder: &Path) -> Result<Option<(PathBuf, String)>, String> {
        // found as `check` finds it; a link is judged against the workspace, not the server's
        // working folder (`discover` judges against the current folder)
        let Some(found) = crate::config::files::nearest(folder) else {
            return Ok(None);
        };
        let dir = found.parent().map(Path::to_path_buf).unwrap_or_default();
        let shown = crate::contain::shown(&found.to_string_lossy());
        if self.roots.resolve(&dir, crate::config::FILE_NAME).is_err() {
            return Err(format!(
                "the configuration {shown} is a link that leads out of its folder and the workspace; it is not read"
            ));
        }
        let open = Url::from_file_path(&found)
            .ok()
            .and_then(|u| self.docs.get(&u))
            .map(|d| d.text.clone());
        let text = match open {
            Some(t) => t,
            None => {
                let bytes = crate::fs::read_limited(&found, CONFIG_BYTES)
                    .map_err(|e| format!("cannot read the configuration {shown}: {e}"))?;
                String::from_utf8_lossy(&bytes).into_owned()
            }
        };
        Ok(Some((dir, text)))
    }

    /// The other `.tf` files of a Terraform file's folder (its module), for context: open ones
    /// as edited, the others as on disk, not following symbolic links (as `check` reads a
    /// module), at most `MODULE_FILES` files and `MODULE_BYTES` bytes.
    fn module_files(
        &self,
        folder: &Path,
        own: &Path,
        name_of: &dyn Fn(&Path) -> String,
    ) -> Vec<(String, Vec<u8>)> {
        let Ok(entries) = std::fs::read_dir(folder) else {
            return Vec::new();
        };
        let mut names: Vec<std::ffi::OsString> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .filter(|n| Path::new(n).extension().is_some_and(|x| x == "tf"))
            .filter(|n| Some(n.as_os_str()) != own.file_name())
            .collect();
        // open files of the folder not saved yet
        for uri in self.docs.keys() {
            let Ok(p) = uri.to_file_path() else { continue };
            let same = p
                .parent()
                .and_then(|f| std::fs::canonicalize(f).ok())
                .as_deref()
                == Some(folder);
            if same && p.extension().is_some_and(|x| x == "tf") && p.file_name() != own.file_name()
            {
                names.extend(p.file_name().map(|n| n.to_os_string()));
            }
        }
        names.sort();
        names.dedup();
        let mut budget = MODULE_BYTES;
        let mut out = Vec::new();
        for n in names.into_iter().take(MODULE_FILES) {
            let as_named = folder.join(&n);
            let open = Url::from_file_path(&as_named)
                .ok()
                .and_then(|u| self.docs.get(&u))
                .map(|d| d.text.clone().into_bytes());
            let bytes = match open {
                Some(b) => b,
                None => {
                    // as `check` reads a module: links are not followed
                    if as_named
                        .symlink_metadata()
                        .is_ok_and(|m| m.file_type().is_symlink())
                    {
                        continue;
                    }
                    let Ok(p) = self.roots.resolve(folder, &n.to_string_lossy()) else {
                        continue;
                    };
                    match crate::fs::read_limited(&p, budget) {
                        Ok(b) => b,
                        Err(_) => continue,
                    }
                }
            };
            if bytes.len() as u64 > budget {
                break;
            }
            budget -= bytes.len() as u64;
            out.push((name_of(&as_named), bytes));
        }
        out
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
                    title: format!("Apply finops-lint's safe fixes ({applied} edits)"),
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

/// The folder of a Terraform file (its module), as the URI names it.
fn module_of(uri: &Url) -> Option<String> {
    let path = uri.path();
    path.ends_with(".tf").then(|| {
        path.rsplit_once('/')
            .map_or("", |(folder, _)| folder)
            .to_string()
    })
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
