//! The language server of slac, over stdio with tower-lsp. This is the only crate that knows
//! LSP: it keeps the editor's buffers, re-checks the workspace on every change (the editor's
//! unsaved text in place of the disk), and converts between LSP positions and the byte offsets
//! of [`slac_ide`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use slac_diagnostics::{Diagnostic, Severity};
use slac_model::{FileProvider, Workspace};
use slac_source::{FileId, LineCol, PositionEncoding, SourceFile, Span};
use tokio::sync::Notify;
use tower_lsp::jsonrpc::{Error, Request, Result};
use tower_lsp::lsp_types::*;
use tower_lsp::{Client, LanguageServer, LspService, Server};

/// Serves the language server on stdin and stdout until the client says `exit` or closes its
/// end. Returns whether the client asked for `shutdown` first (the exit status is then 0, else
/// 1). Every answer already due is written before it returns.
pub fn run() -> std::io::Result<bool> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let shut_down = Arc::new(AtomicBool::new(false));
    let ending = Arc::new(Ending::default());
    let flag = shut_down.clone();
    runtime.block_on(async {
        let (service, socket) = LspService::new(|client| Backend {
            client,
            state: Mutex::new(State::default()),
            shut_down: flag,
            ending: ending.clone(),
        });
        let service = Gate {
            inner: service,
            ending: ending.clone(),
        };
        let input = Input {
            inner: tokio::io::stdin(),
            ending: ending.clone(),
        };
        let server = Server::new(input, tokio::io::stdout(), socket).serve(service);
        tokio::pin!(server);
        // Once the input ends (`exit`, or the client closed its end), tower-lsp finishes the
        // requests in flight, writes their answers and returns. Handlers stop talking to the
        // client then (see [`Backend::tell`]), so nothing should hold it; should something
        // still wait for the client, which is gone, it gets a moment, not more.
        tokio::select! {
            () = &mut server => {}
            () = ending.input_ended.notified() => {
                let _ = tokio::time::timeout(FINISH_AFTER_INPUT, &mut server).await;
            }
        }
    });
    // Reading stdin blocks a thread that cannot be cancelled: after `exit`, the process ends
    // without waiting for the client to close its end.
    runtime.shutdown_background();
    Ok(shut_down.load(Ordering::SeqCst))
}

/// How long the requests in flight may take to be answered once the input has ended.
const FINISH_AFTER_INPUT: std::time::Duration = std::time::Duration::from_secs(3);

/// The end of the client's input, shared by [`Gate`] (which sees `exit`) and [`Input`] (which
/// then reads no further, and sees the client close its end).
#[derive(Default)]
struct Ending {
    /// `exit` arrived: the input is over, whatever follows it.
    exited: AtomicBool,
    /// The read waiting for input, woken when `exit` arrives.
    reader: Mutex<Option<std::task::Waker>>,
    /// The input is over, by `exit` or by its end.
    over: AtomicBool,
    /// Notified once the input is over: [`run`] waits on it.
    input_ended: Notify,
    /// Wakes every handler talking to the client once the input is over.
    over_waiters: Notify,
}

impl Ending {
    fn exit(&self) {
        self.exited.store(true, Ordering::SeqCst);
        let waker = match self.reader.lock() {
            Ok(mut reader) => reader.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        self.end();
    }

    /// The input is over (set before tower-lsp stops reading and stops passing messages to
    /// the client).
    fn end(&self) {
        self.over.store(true, Ordering::SeqCst);
        self.over_waiters.notify_waiters();
        self.input_ended.notify_one();
    }

    fn has_exited(&self) -> bool {
        self.exited.load(Ordering::SeqCst)
    }

    /// Returns once the input is over.
    async fn input_over(&self) {
        loop {
            let notified = self.over_waiters.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.over.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

/// The client's input, which ends at `exit`: tower-lsp then stops reading, answers the requests
/// in flight and returns, as at the end of its input (where it would otherwise wait for the
/// next message).
struct Input<R> {
    inner: R,
    ending: Arc<Ending>,
}

impl<R: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Input<R> {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        use std::task::Poll;
        let this = self.get_mut();
        match this.ending.reader.lock() {
            Ok(mut reader) => *reader = Some(cx.waker().clone()),
            Err(poisoned) => *poisoned.into_inner() = Some(cx.waker().clone()),
        }
        // Checked after the waker is stored, so that an `exit` in between still wakes this.
        if this.ending.has_exited() {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut this.inner).poll_read(cx, buf);
        match &polled {
            Poll::Ready(Ok(())) if buf.filled().len() == before && buf.remaining() > 0 => {
                this.ending.end();
            }
            Poll::Ready(Err(_)) => this.ending.end(),
            _ => {}
        }
        polled
    }
}

/// What every message of the client goes through before the server:
///
/// - `"params": null` is taken as no params. tower-lsp refuses it for the methods without
///   params ("Unexpected params: null"), and Helix sends `shutdown` and `exit` that way.
/// - `exit` ends the input (see [`Input`]) and is answered here: tower-lsp's own handling would
///   cancel the requests in flight (the answer of a `shutdown` sent just before, say) and then
///   refuse every message, which stops its reading loop without ever returning.
struct Gate<S> {
    inner: S,
    ending: Arc<Ending>,
}

type Answer<E> = std::result::Result<Option<tower_lsp::jsonrpc::Response>, E>;

impl<S> tower_service::Service<Request> for Gate<S>
where
    S: tower_service::Service<Request, Response = Option<tower_lsp::jsonrpc::Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Answer<S::Error>> + Send>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::result::Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let request = without_null_params(request);
        if request.method() == "exit" {
            self.ending.exit();
            return Box::pin(std::future::ready(Ok(None)));
        }
        Box::pin(self.inner.call(request))
    }
}

/// `request` without its params when they are `null`.
fn without_null_params(request: Request) -> Request {
    if !request.params().is_some_and(serde_json::Value::is_null) {
        return request;
    }
    let (method, id, _) = request.into_parts();
    let builder = Request::build(method);
    match id {
        Some(id) => builder.id(id).finish(),
        None => builder.finish(),
    }
}

#[derive(Default)]
struct State {
    /// Where to look for the workspace: the client's root, else the folder of the first file
    /// opened.
    root: Option<PathBuf>,
    /// The open documents' text, by path.
    buffers: HashMap<PathBuf, String>,
    workspace: Option<Workspace>,
    /// UTF-16 unless the client offers UTF-8.
    utf8: bool,
    /// The files that were sent diagnostics, so that they can be cleared.
    published: HashSet<Url>,
}

struct Backend {
    client: Client,
    state: Mutex<State>,
    shut_down: Arc<AtomicBool>,
    ending: Arc<Ending>,
}

/// The editor's buffers over the disk.
struct Overlay<'a>(&'a HashMap<PathBuf, String>);

impl FileProvider for Overlay<'_> {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        match self.0.get(&slac_model::normalize(path)) {
            Some(text) => Ok(text.as_bytes().to_vec()),
            None => std::fs::read(path),
        }
    }
}

fn today() -> chrono::NaiveDate {
    slac_model::today_from_env().unwrap_or_else(|_| chrono::Local::now().date_naive())
}

fn path_of(uri: &Url) -> Option<PathBuf> {
    uri.to_file_path().ok()
}

fn uri_of(path: &Path) -> Option<Url> {
    Url::from_file_path(path).ok()
}

impl State {
    fn encoding(&self) -> PositionEncoding {
        if self.utf8 {
            PositionEncoding::Utf8
        } else {
            PositionEncoding::Utf16
        }
    }

    /// Re-checks the workspace with the current buffers. A workspace that cannot be loaded
    /// (its folder vanished, say) keeps the previous analysis.
    fn analyze(&mut self) -> std::result::Result<(), String> {
        let Some(root) = self.root.clone() else {
            return Ok(());
        };
        let options = slac_model::Options { today: today() };
        match slac_model::load_with(&root, &options, &Overlay(&self.buffers)) {
            Ok(workspace) => {
                self.workspace = Some(workspace);
                Ok(())
            }
            Err(error) => Err(error.to_string()),
        }
    }

    fn file(&self, uri: &Url) -> Option<(&Workspace, FileId)> {
        let workspace = self.workspace.as_ref()?;
        let path = path_of(uri)?;
        let file = slac_ide::file_of(workspace, &path)?;
        Some((workspace, file))
    }

    fn source(&self, file: FileId) -> Option<&SourceFile> {
        self.workspace.as_ref()?.sources.get(file)
    }

    fn offset(&self, file: FileId, position: Position) -> Option<u32> {
        let source = self.source(file)?;
        let at = LineCol {
            line: position.line,
            col: position.character,
        };
        Some(
            source
                .line_index()
                .offset(source.text(), at, self.encoding()),
        )
    }

    fn position(&self, source: &SourceFile, offset: u32) -> Position {
        let at = source
            .line_index()
            .line_col(source.text(), offset, self.encoding());
        Position::new(at.line, at.col)
    }

    fn range(&self, file: FileId, span: Span) -> Option<Range> {
        let source = self.source(file)?;
        Some(Range::new(
            self.position(source, span.start),
            self.position(source, span.end),
        ))
    }

    fn location(&self, file: FileId, span: Span) -> Option<Location> {
        let source = self.source(file)?;
        Some(Location::new(
            uri_of(source.path())?,
            self.range(file, span)?,
        ))
    }

    fn lsp_diagnostic(&self, diagnostic: &Diagnostic) -> Option<tower_lsp::lsp_types::Diagnostic> {
        let range = self.range(diagnostic.primary.file, diagnostic.primary.span)?;
        let mut message = diagnostic.message.clone();
        if let Some(label) = &diagnostic.primary.message {
            message.push_str(&format!("\n{label}"));
        }
        if let Some(help) = &diagnostic.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let related: Vec<DiagnosticRelatedInformation> = diagnostic
            .labels
            .iter()
            .filter_map(|label| {
                Some(DiagnosticRelatedInformation {
                    location: self.location(label.file, label.span)?,
                    message: label.message.clone().unwrap_or_default(),
                })
            })
            .collect();
        Some(tower_lsp::lsp_types::Diagnostic {
            range,
            severity: Some(match diagnostic.severity() {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
            }),
            code: Some(NumberOrString::String(diagnostic.code.as_str().to_string())),
            source: Some("slac".to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..Default::default()
        })
    }

    /// The diagnostics of every file of the workspace (an empty list for a clean file), and an
    /// empty list for each file that had some and is no longer in the workspace.
    fn diagnostics(&mut self) -> Vec<(Url, Vec<tower_lsp::lsp_types::Diagnostic>)> {
        let Some(workspace) = &self.workspace else {
            return Vec::new();
        };
        let mut by_file: BTreeMap<FileId, Vec<tower_lsp::lsp_types::Diagnostic>> = workspace
            .sources
            .iter()
            .map(|source| (source.id(), Vec::new()))
            .collect();
        for diagnostic in &workspace.diagnostics {
            if let Some(converted) = self.lsp_diagnostic(diagnostic) {
                by_file
                    .entry(diagnostic.primary.file)
                    .or_default()
                    .push(converted);
            }
        }
        let mut out: Vec<(Url, Vec<_>)> = by_file
            .into_iter()
            .filter_map(|(file, diagnostics)| {
                let source = workspace.sources.get(file)?;
                Some((uri_of(source.path())?, diagnostics))
            })
            .collect();
        let now: HashSet<Url> = out.iter().map(|(uri, _)| uri.clone()).collect();
        for gone in self.published.difference(&now) {
            out.push((gone.clone(), Vec::new()));
        }
        self.published = now;
        out
    }

    fn edit(&self, edits: Vec<slac_ide::TextEdit>) -> WorkspaceEdit {
        let mut changes: HashMap<Url, Vec<TextEdit>> = HashMap::new();
        for edit in edits {
            let (Some(uri), Some(range)) = (uri_of(&edit.path), self.range(edit.file, edit.span))
            else {
                continue;
            };
            changes
                .entry(uri)
                .or_default()
                .push(TextEdit::new(range, edit.text));
        }
        WorkspaceEdit::new(changes)
    }
}

impl Backend {
    /// Re-checks and publishes the diagnostics of the whole workspace: an edit in one file can
    /// cause or clear errors in another.
    async fn refresh(&self) {
        let (published, problem) = {
            let Ok(mut state) = self.state.lock() else {
                return;
            };
            let problem = state.analyze().err();
            (state.diagnostics(), problem)
        };
        if let Some(problem) = problem {
            self.tell(
                self.client
                    .log_message(MessageType::WARNING, format!("slac: {problem}")),
            )
            .await;
        }
        for (uri, diagnostics) in published {
            self.tell(self.client.publish_diagnostics(uri, diagnostics, None))
                .await;
        }
    }

    /// Sends a notification to the client, unless its input is over: tower-lsp then stops
    /// passing messages to the client, and a notification waiting for room would wait forever
    /// and keep the server from ending.
    async fn tell(&self, notification: impl std::future::Future<Output = ()>) {
        tokio::select! {
            () = notification => {}
            () = self.ending.input_over() => {}
        }
    }

    fn with_state<T>(&self, f: impl FnOnce(&State) -> Option<T>) -> Option<T> {
        let state = self.state.lock().ok()?;
        f(&state)
    }
}

fn symbol_kind(keyword: &str) -> SymbolKind {
    match keyword {
        "agreement" => SymbolKind::CLASS,
        "objective" => SymbolKind::METHOD,
        "party" => SymbolKind::OBJECT,
        "contact" => SymbolKind::FIELD,
        "service" => SymbolKind::MODULE,
        "calendar" => SymbolKind::EVENT,
        "holidays" => SymbolKind::ENUM,
        "escalation" => SymbolKind::INTERFACE,
        _ => SymbolKind::KEY,
    }
}

fn ide_symbol_kind(kind: slac_model::SymbolKind) -> SymbolKind {
    use slac_model::SymbolKind as K;
    match kind {
        K::Agreement => SymbolKind::CLASS,
        K::Objective => SymbolKind::METHOD,
        K::Party => SymbolKind::OBJECT,
        K::Contact => SymbolKind::FIELD,
        K::Service => SymbolKind::MODULE,
        K::Calendar => SymbolKind::EVENT,
        K::Holidays => SymbolKind::ENUM,
        K::Escalation => SymbolKind::INTERFACE,
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|encodings| encodings.contains(&PositionEncodingKind::UTF8));
        #[allow(deprecated)]
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .and_then(|folder| path_of(&folder.uri))
            .or_else(|| params.root_uri.as_ref().and_then(path_of));
        if let Ok(mut state) = self.state.lock() {
            state.utf8 = utf8;
            state.root = root;
        }
        let legend = SemanticTokensLegend {
            token_types: slac_ide::TOKEN_TYPES
                .iter()
                .map(|t| SemanticTokenType::new(t))
                .collect(),
            token_modifiers: vec![SemanticTokenModifier::DOCUMENTATION],
        };
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "slac".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(if utf8 {
                    PositionEncodingKind::UTF8
                } else {
                    PositionEncodingKind::UTF16
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::FULL),
                        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                        ..Default::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec![" ".into(), ".".into(), "\"".into(), "/".into()]),
                    ..Default::default()
                }),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                document_formatting_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            legend,
                            full: Some(SemanticTokensFullOptions::Bool(true)),
                            range: None,
                            work_done_progress_options: Default::default(),
                        },
                    ),
                ),
                ..Default::default()
            },
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // Files created, changed or deleted on disk re-check the workspace.
        let watchers = ["**/*.sla", "**/slac.toml"]
            .into_iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let registration = Registration {
            id: "slac-watched-files".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        // Not awaited here: the answer of the client may never come (it may send `exit`, or
        // close its end, first), and a handler waiting for it would keep the server from ending.
        let client = self.client.clone();
        tokio::spawn(async move {
            let _ = client.register_capability(vec![registration]).await;
        });
        self.refresh().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.shut_down.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        if let Some(path) = path_of(&params.text_document.uri) {
            if let Ok(mut state) = self.state.lock() {
                if state.root.is_none() {
                    state.root = path.parent().map(Path::to_path_buf);
                }
                state
                    .buffers
                    .insert(slac_model::normalize(&path), params.text_document.text);
            }
        }
        self.refresh().await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = path_of(&params.text_document.uri) else {
            return;
        };
        // Full synchronization: the last change holds the whole text.
        if let Some(change) = params.content_changes.into_iter().last() {
            if let Ok(mut state) = self.state.lock() {
                state
                    .buffers
                    .insert(slac_model::normalize(&path), change.text);
            }
        }
        self.refresh().await;
    }

    async fn did_save(&self, _: DidSaveTextDocumentParams) {
        self.refresh().await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        if let Some(path) = path_of(&params.text_document.uri) {
            if let Ok(mut state) = self.state.lock() {
                state.buffers.remove(&slac_model::normalize(&path));
            }
        }
        self.refresh().await;
    }

    async fn did_change_watched_files(&self, _: DidChangeWatchedFilesParams) {
        self.refresh().await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        Ok(self.with_state(|state| {
            let (workspace, file) = state.file(&at.text_document.uri)?;
            let offset = state.offset(file, at.position)?;
            let hover = slac_ide::hover(workspace, file, offset, today())?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: hover.markdown,
                }),
                range: state.range(file, hover.span),
            })
        }))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        Ok(self.with_state(|state| {
            let (workspace, file) = state.file(&at.text_document.uri)?;
            let offset = state.offset(file, at.position)?;
            let items: Vec<CompletionItem> = slac_ide::completions(workspace, file, offset)
                .into_iter()
                .map(|c| {
                    let kind = match c.kind {
                        slac_ide::CompletionKind::Keyword => CompletionItemKind::KEYWORD,
                        slac_ide::CompletionKind::Reference(_) => CompletionItemKind::REFERENCE,
                        slac_ide::CompletionKind::TimeZone => CompletionItemKind::VALUE,
                        slac_ide::CompletionKind::Value => CompletionItemKind::ENUM_MEMBER,
                    };
                    let range = state.range(file, Span::new(c.start, offset));
                    CompletionItem {
                        label: c.label.clone(),
                        kind: Some(kind),
                        detail: c.detail,
                        text_edit: range
                            .map(|range| CompletionTextEdit::Edit(TextEdit::new(range, c.label))),
                        ..Default::default()
                    }
                })
                .collect();
            Some(CompletionResponse::Array(items))
        }))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        Ok(self.with_state(|state| {
            let (workspace, file) = state.file(&at.text_document.uri)?;
            let offset = state.offset(file, at.position)?;
            let target = slac_ide::definition(workspace, file, offset)?;
            Some(GotoDefinitionResponse::Scalar(
                state.location(target.file, target.span)?,
            ))
        }))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        Ok(self.with_state(|state| {
            let (workspace, file) = state.file(&at.text_document.uri)?;
            let offset = state.offset(file, at.position)?;
            Some(
                slac_ide::references(workspace, file, offset, params.context.include_declaration)
                    .into_iter()
                    .filter_map(|l| state.location(l.file, l.span))
                    .collect(),
            )
        }))
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let found = self.with_state(|state| {
            let (workspace, file) = state.file(&params.text_document.uri)?;
            let offset = state.offset(file, params.position)?;
            let target = slac_ide::target_at(workspace, file, offset)?;
            let source = state.source(file)?;
            // The part that is renamed: the last segment of a dotted name.
            let span = target.span();
            let written = source.slice(span);
            let start = written
                .rfind('.')
                .map_or(span.start, |dot| span.start + dot as u32 + 1);
            let local = Span::new(start, span.end);
            Some(PrepareRenameResponse::RangeWithPlaceholder {
                range: state.range(file, local)?,
                placeholder: source.slice(local).to_string(),
            })
        });
        match found {
            Some(answer) => Ok(Some(answer)),
            None => Err(Error::invalid_params("there is no name to rename here")),
        }
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let at = params.text_document_position;
        let result = self.with_state(|state| {
            let (workspace, file) = state.file(&at.text_document.uri)?;
            let offset = state.offset(file, at.position)?;
            Some(
                slac_ide::rename(workspace, file, offset, &params.new_name)
                    .map(|edits| state.edit(edits)),
            )
        });
        match result {
            Some(Ok(edit)) => Ok(Some(edit)),
            Some(Err(message)) => Err(Error::invalid_params(message)),
            None => Err(Error::invalid_params("there is no name to rename here")),
        }
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        Ok(self.with_state(|state| {
            let (workspace, file) = state.file(&params.text_document.uri)?;
            fn convert(
                state: &State,
                file: FileId,
                symbol: slac_ide::DocumentSymbol,
            ) -> Option<DocumentSymbol> {
                #[allow(deprecated)]
                Some(DocumentSymbol {
                    name: symbol.name,
                    detail: symbol.detail,
                    kind: symbol_kind(symbol.kind),
                    tags: None,
                    deprecated: None,
                    range: state.range(file, symbol.span)?,
                    selection_range: state.range(file, symbol.selection)?,
                    children: Some(
                        symbol
                            .children
                            .into_iter()
                            .filter_map(|c| convert(state, file, c))
                            .collect(),
                    ),
                })
            }
            Some(DocumentSymbolResponse::Nested(
                slac_ide::document_symbols(workspace, file)
                    .into_iter()
                    .filter_map(|s| convert(state, file, s))
                    .collect(),
            ))
        }))
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<Vec<SymbolInformation>>> {
        Ok(self.with_state(|state| {
            let workspace = state.workspace.as_ref()?;
            #[allow(deprecated)]
            Some(
                slac_ide::workspace_symbols(workspace, &params.query)
                    .into_iter()
                    .filter_map(|s| {
                        Some(SymbolInformation {
                            name: s.name,
                            kind: ide_symbol_kind(s.kind),
                            tags: None,
                            deprecated: None,
                            location: state.location(s.location.file, s.location.span)?,
                            container_name: None,
                        })
                    })
                    .collect(),
            )
        }))
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        Ok(self.with_state(|state| {
            let (workspace, file) = state.file(&params.text_document.uri)?;
            let formatted = slac_ide::format(workspace, file)?;
            let source = state.source(file)?;
            let whole = state.range(file, Span::new(0, source.text().len() as u32))?;
            Some(vec![TextEdit::new(whole, formatted)])
        }))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        Ok(self.with_state(|state| {
            let (workspace, file) = state.file(&params.text_document.uri)?;
            Some(
                slac_ide::folding_ranges(workspace, file)
                    .into_iter()
                    .filter_map(|fold| {
                        let range = state.range(file, fold.span)?;
                        // A body or text block ends on the line of its closing `}` or `"""`:
                        // that line stays visible when the block is folded, as editors show
                        // folded blocks (`objective x { ⋯` then `}`). Comments fold whole.
                        let end_line = if fold.comment {
                            range.end.line
                        } else {
                            range.end.line.saturating_sub(1)
                        };
                        if end_line <= range.start.line {
                            return None;
                        }
                        Some(FoldingRange {
                            start_line: range.start.line,
                            end_line,
                            kind: Some(if fold.comment {
                                FoldingRangeKind::Comment
                            } else {
                                FoldingRangeKind::Region
                            }),
                            ..Default::default()
                        })
                    })
                    .collect(),
            )
        }))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        Ok(self.with_state(|state| {
            let (workspace, file) = state.file(&params.text_document.uri)?;
            let start = state.offset(file, params.range.start)?;
            let end = state.offset(file, params.range.end)?;
            let actions = slac_ide::fixes(workspace, file, Span::new(start, end))
                .into_iter()
                .map(|fix| {
                    let diagnostics: Vec<tower_lsp::lsp_types::Diagnostic> = params
                        .context
                        .diagnostics
                        .iter()
                        .filter(|d| d.code == Some(NumberOrString::String(fix.code.to_string())))
                        .cloned()
                        .collect();
                    CodeActionOrCommand::CodeAction(CodeAction {
                        title: fix.title.clone(),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
                        edit: Some(state.edit(vec![fix.edit])),
                        is_preferred: Some(true),
                        ..Default::default()
                    })
                })
                .collect();
            Some(actions)
        }))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        Ok(self.with_state(|state| {
            let (workspace, file) = state.file(&params.text_document.uri)?;
            let source = state.source(file)?;
            let text = source.text();
            let mut data = Vec::new();
            let (mut last_line, mut last_start) = (0u32, 0u32);
            for token in slac_ide::semantic_tokens(workspace, file) {
                // A token over several lines (a text block) is sent line by line.
                let mut start = token.span.start;
                while start < token.span.end {
                    let end = text[start as usize..token.span.end as usize]
                        .find('\n')
                        .map_or(token.span.end, |n| start + n as u32);
                    if end > start {
                        let from = state.position(source, start);
                        let to = state.position(source, end);
                        let delta_line = from.line - last_line;
                        let delta_start = if delta_line == 0 {
                            from.character - last_start
                        } else {
                            from.character
                        };
                        data.push(SemanticToken {
                            delta_line,
                            delta_start,
                            length: to.character.saturating_sub(from.character),
                            token_type: token.ty as u32,
                            token_modifiers_bitset: u32::from(token.documentation),
                        });
                        last_line = from.line;
                        last_start = from.character;
                    }
                    start = end + 1;
                }
            }
            Some(SemanticTokensResult::Tokens(SemanticTokens {
                result_id: None,
                data,
            }))
        }))
    }
}
