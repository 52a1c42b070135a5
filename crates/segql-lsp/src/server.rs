//! The message loop: requests answered in order, document changes applied, and the
//! diagnostics of every project that changed published once the messages waiting have
//! been read (a burst of keystrokes is analysed once).

use crate::workspace::{DocKey, ProjectKey, Workspace};
use crate::{completion, convert, hover, nav};
use anyhow::{Context as _, Result};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CompletionOptions, Diagnostic, FileChangeType, HoverProviderCapability, InitializeParams,
    OneOf, PrepareRenameResponse, PublishDiagnosticsParams, RenameOptions, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri, WorkDoneProgressOptions,
};
use serde_json::Value;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into(), "\"".into(), "(".into(), "[".into()]),
            ..CompletionOptions::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        ..ServerCapabilities::default()
    }
}

/// Runs the server on a connection until the client says `exit`. An `exit` without a
/// `shutdown` first is an error (the LSP asks for exit code 1 then).
pub fn run(conn: Connection) -> Result<()> {
    let caps = serde_json::to_value(capabilities()).context("server capabilities")?;
    let (id, params) = conn
        .initialize_start()
        .context("waiting for the client's `initialize`")?;
    let params: InitializeParams =
        serde_json::from_value(params).context("reading the client's `initialize`")?;
    let result = serde_json::json!({
        "capabilities": caps,
        "serverInfo": { "name": "segql", "version": env!("CARGO_PKG_VERSION") },
    });
    conn.initialize_finish(id, result)
        .context("answering `initialize`")?;
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let mut server = Server {
        conn,
        ws: Workspace::default(),
        shown: HashMap::new(),
        next_request: 0,
    };
    if watch {
        server.watch_files();
    }
    server.main_loop()
}

struct Server {
    conn: Connection,
    ws: Workspace,
    /// The diagnostics last published for each URI.
    shown: HashMap<Uri, Vec<Diagnostic>>,
    next_request: i32,
}

impl Server {
    fn send(&self, m: impl Into<Message>) {
        // A closed channel means the client is gone; the loop ends on the next read.
        let _ = self.conn.sender.send(m.into());
    }

    /// Asks the client to tell us when .seg files or segql.toml change on disk.
    fn watch_files(&mut self) {
        self.next_request += 1;
        let params = serde_json::json!({
            "registrations": [{
                "id": "segql-files",
                "method": note::DidChangeWatchedFiles::METHOD,
                "registerOptions": { "watchers": [
                    { "globPattern": "**/*.seg" },
                    { "globPattern": "**/segql.toml" },
                ]},
            }],
        });
        let r = Request::new(
            format!("segql-{}", self.next_request).into(),
            req::RegisterCapability::METHOD.to_string(),
            params,
        );
        self.send(r);
    }

    fn main_loop(&mut self) -> Result<()> {
        while let Ok(first) = self.conn.receiver.recv() {
            let mut batch = vec![first];
            batch.extend(self.conn.receiver.try_iter());
            let mut changed: Vec<ProjectKey> = Vec::new();
            for m in batch {
                match m {
                    Message::Request(r) => {
                        if self.conn.handle_shutdown(&r)? {
                            return Ok(());
                        }
                        let resp = self.request(r);
                        self.send(resp);
                    }
                    Message::Notification(n) => {
                        if n.method == note::Exit::METHOD {
                            anyhow::bail!("the client sent `exit` without `shutdown`");
                        }
                        for pk in self.notification(n) {
                            if !changed.contains(&pk) {
                                changed.push(pk);
                            }
                        }
                    }
                    Message::Response(_) => {}
                }
            }
            self.prune();
            for pk in changed {
                self.publish(&pk);
            }
        }
        Ok(())
    }

    fn request(&mut self, r: Request) -> Response {
        let id = r.id.clone();
        let method = r.method.clone();
        let answer = catch_unwind(AssertUnwindSafe(|| self.answer(r)));
        match answer {
            Ok(Ok(v)) => Response::new_ok(id, v),
            Ok(Err(e)) => Response::new_err(id, e.code as i32, e.message),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("segql: internal error while answering {method}; this is a bug in segql, please report it with the file"),
            ),
        }
    }

    fn answer(&mut self, r: Request) -> Result<Value, Failure> {
        match r.method.as_str() {
            req::HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = params(r)?;
                let tp = p.text_document_position_params;
                let Some((a, file, offset)) = self.locate(&tp.text_document.uri, tp.position)
                else {
                    return Ok(Value::Null);
                };
                let ix = a.index();
                let Some(occ) = ix.at(file, offset) else {
                    return Ok(Value::Null);
                };
                let Some(text) = hover::text(&a, occ) else {
                    return Ok(Value::Null);
                };
                let h = lsp_types::Hover {
                    contents: lsp_types::HoverContents::Markup(lsp_types::MarkupContent {
                        kind: lsp_types::MarkupKind::Markdown,
                        value: text,
                    }),
                    range: convert::range(&a, occ.span),
                };
                to_value(h)
            }
            req::GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = params(r)?;
                let tp = p.text_document_position_params;
                let Some((a, file, offset)) = self.locate(&tp.text_document.uri, tp.position)
                else {
                    return Ok(Value::Null);
                };
                to_value(nav::definition(&a, file, offset))
            }
            req::References::METHOD => {
                let p: lsp_types::ReferenceParams = params(r)?;
                let tp = p.text_document_position;
                let Some((a, file, offset)) = self.locate(&tp.text_document.uri, tp.position)
                else {
                    return Ok(Value::Null);
                };
                to_value(nav::references(
                    &a,
                    file,
                    offset,
                    p.context.include_declaration,
                ))
            }
            req::DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = params(r)?;
                let Some((a, file)) = self.ws.analysis_for(&p.text_document.uri) else {
                    return Ok(Value::Null);
                };
                to_value(nav::outline(&a, file))
            }
            req::Completion::METHOD => {
                let p: lsp_types::CompletionParams = params(r)?;
                let tp = p.text_document_position;
                let Some((a, file, offset)) = self.locate(&tp.text_document.uri, tp.position)
                else {
                    return Ok(Value::Null);
                };
                let Some(f) = a.file(file) else {
                    return Ok(Value::Null);
                };
                to_value(completion::complete(
                    a.index(),
                    file,
                    &f.text,
                    &f.lines,
                    offset,
                ))
            }
            req::Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = params(r)?;
                self.format(&p.text_document.uri)
            }
            req::PrepareRenameRequest::METHOD => {
                let p: lsp_types::TextDocumentPositionParams = params(r)?;
                let Some((a, file, offset)) = self.locate(&p.text_document.uri, p.position) else {
                    return Ok(Value::Null);
                };
                match nav::prepare_rename(&a, file, offset) {
                    Ok((name, range)) => to_value(PrepareRenameResponse::RangeWithPlaceholder {
                        range,
                        placeholder: name,
                    }),
                    Err(nav::Refusal(m)) => Err(Failure::new(ErrorCode::RequestFailed, m)),
                }
            }
            req::Rename::METHOD => {
                let p: lsp_types::RenameParams = params(r)?;
                let tp = p.text_document_position;
                let Some((a, file, offset)) = self.locate(&tp.text_document.uri, tp.position)
                else {
                    return Err(Failure::new(
                        ErrorCode::RequestFailed,
                        "the file is not open".to_string(),
                    ));
                };
                match nav::rename(&a, file, offset, &p.new_name) {
                    Ok(edit) => to_value(edit),
                    Err(nav::Refusal(m)) => Err(Failure::new(ErrorCode::RequestFailed, m)),
                }
            }
            other => Err(Failure::new(
                ErrorCode::MethodNotFound,
                format!("segql does not answer `{other}`"),
            )),
        }
    }

    /// The analysis, file and byte offset of a position in a document.
    fn locate(
        &mut self,
        uri: &Uri,
        pos: lsp_types::Position,
    ) -> Option<(
        std::rc::Rc<crate::workspace::Analysis>,
        segql_syntax::FileId,
        u32,
    )> {
        let (a, file) = self.ws.analysis_for(uri)?;
        let f = a.file(file)?;
        let offset = f.lines.offset(&f.text, pos);
        Some((a, file, offset))
    }

    /// The formatter's output as one edit of the whole document (none when it is
    /// formatted already). A file with syntax errors is not formatted: the formatter
    /// would drop what it could not read.
    fn format(&mut self, uri: &Uri) -> Result<Value, Failure> {
        let Some((a, file)) = self.ws.analysis_for(uri) else {
            return Ok(Value::Null);
        };
        let Some(f) = a.file(file) else {
            return Ok(Value::Null);
        };
        if let Some(d) = f.parsed.diags.iter().find(|d| d.is_error()) {
            let pos = f.lines.position(&f.text, d.span.start);
            return Err(Failure::new(
                ErrorCode::RequestFailed,
                format!(
                    "not formatted: the file has syntax errors ({} at {}:{}: {})",
                    d.code,
                    pos.line + 1,
                    pos.character + 1,
                    d.message
                ),
            ));
        }
        let formatted = segql_syntax::format_file(&f.parsed.file);
        if formatted == f.text {
            return to_value(Vec::<TextEdit>::new());
        }
        let range = lsp_types::Range::new(lsp_types::Position::new(0, 0), f.lines.end(&f.text));
        to_value(vec![TextEdit::new(range, formatted)])
    }

    /// Applies a notification; returns the projects whose diagnostics may have changed.
    fn notification(&mut self, n: Notification) -> Vec<ProjectKey> {
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidOpenTextDocumentParams>(
                    note::DidOpenTextDocument::METHOD,
                ) else {
                    return Vec::new();
                };
                vec![self.ws.open(p.text_document.uri, p.text_document.text)]
            }
            note::DidChangeTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidChangeTextDocumentParams>(
                    note::DidChangeTextDocument::METHOD,
                ) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                let key = DocKey::from_uri(&uri);
                let Some(doc) = self.ws.docs.get(&key) else {
                    return Vec::new();
                };
                let mut text = doc.text.clone();
                for c in p.content_changes {
                    match c.range {
                        // Full sync is what the server asks for; a client that sends
                        // ranges anyway is followed.
                        Some(r) => {
                            let lines = crate::lines::LineIndex::new(&text);
                            let start = lines.offset(&text, r.start) as usize;
                            let end = (lines.offset(&text, r.end) as usize).max(start);
                            text.replace_range(start..end, &c.text);
                        }
                        None => text = c.text,
                    }
                }
                self.ws.change(&uri, text).into_iter().collect()
            }
            note::DidCloseTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidCloseTextDocumentParams>(
                    note::DidCloseTextDocument::METHOD,
                ) else {
                    return Vec::new();
                };
                self.ws.close(&p.text_document.uri).into_iter().collect()
            }
            note::DidSaveTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidSaveTextDocumentParams>(
                    note::DidSaveTextDocument::METHOD,
                ) else {
                    return Vec::new();
                };
                match DocKey::from_uri(&p.text_document.uri) {
                    DocKey::Path(path) => self.ws.disk_changed(&path, false),
                    DocKey::Uri(_) => Vec::new(),
                }
            }
            note::DidChangeWatchedFiles::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidChangeWatchedFilesParams>(
                    note::DidChangeWatchedFiles::METHOD,
                ) else {
                    return Vec::new();
                };
                let mut out = Vec::new();
                for c in p.changes {
                    let key = DocKey::from_uri(&c.uri);
                    let Some(path) = key.path() else { continue };
                    let listing = c.typ != FileChangeType::CHANGED;
                    for pk in self.ws.disk_changed(path, listing) {
                        if !out.contains(&pk) {
                            out.push(pk);
                        }
                    }
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// Drops the projects of loose documents that were closed or now belong to a
    /// project, clearing what was shown for them.
    fn prune(&mut self) {
        let gone: Vec<ProjectKey> = self
            .ws
            .projects
            .keys()
            .filter(|pk| match pk {
                ProjectKey::Loose(k) => {
                    !self.ws.docs.contains_key(k)
                        || k.path().and_then(segql_project::find_root).is_some()
                }
                ProjectKey::Root(_) => false,
            })
            .cloned()
            .collect();
        for pk in gone {
            if let Some(p) = self.ws.projects.remove(&pk) {
                for uri in p.published {
                    self.show(uri, Vec::new());
                }
            }
        }
    }

    /// Publishes a project's diagnostics: every file with problems, and every file that
    /// had some and has none now.
    // lsp-types' `Uri` caches its parsed parts inside; its hash and equality are
    // those of its text, so it is a sound key (rust-analyzer allows the lint too).
    #[allow(clippy::mutable_key_type)]
    fn publish(&mut self, pk: &ProjectKey) {
        let Some(a) = self.ws.analysis(pk) else {
            return;
        };
        let mut by_uri: HashMap<Uri, Vec<Diagnostic>> = HashMap::new();
        for d in &a.diags {
            if let Some((uri, d)) = convert::diagnostic(&a, d) {
                by_uri.entry(uri).or_default().push(d);
            }
        }
        let Some(project) = self.ws.projects.get_mut(pk) else {
            return;
        };
        let before = std::mem::take(&mut project.published);
        project.published = by_uri.keys().cloned().collect();
        for uri in before {
            by_uri.entry(uri).or_default();
        }
        for (uri, diags) in by_uri {
            self.show(uri, diags);
        }
    }

    fn show(&mut self, uri: Uri, diags: Vec<Diagnostic>) {
        let same = match self.shown.get(&uri) {
            Some(old) => *old == diags,
            None => diags.is_empty(),
        };
        if same {
            return;
        }
        let params = PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics: diags.clone(),
            version: None,
        };
        self.send(Notification::new(
            note::PublishDiagnostics::METHOD.to_string(),
            params,
        ));
        if diags.is_empty() {
            self.shown.remove(&uri);
        } else {
            self.shown.insert(uri, diags);
        }
    }
}

/// A request that could not be answered: an LSP error code and a message.
struct Failure {
    code: ErrorCode,
    message: String,
}

impl Failure {
    fn new(code: ErrorCode, message: String) -> Failure {
        Failure { code, message }
    }
}

fn params<P: serde::de::DeserializeOwned>(r: Request) -> Result<P, Failure> {
    serde_json::from_value(r.params).map_err(|e| {
        Failure::new(
            ErrorCode::InvalidParams,
            format!("invalid parameters for {}: {e}", r.method),
        )
    })
}

fn to_value(v: impl serde::Serialize) -> Result<Value, Failure> {
    serde_json::to_value(v).map_err(|e| Failure::new(ErrorCode::InternalError, e.to_string()))
}
