//! A small synchronous client of the language server, `slac lsp` run as an editor runs it: over
//! its stdin and stdout, with `Content-Length` framing. A reader thread turns the server's
//! output into messages on a channel; every wait has a deadline, so that a wedged server fails
//! the test instead of stalling the suite.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::TODAY;

/// How long one answer may take before the server counts as wedged.
pub const ANSWER_DEADLINE: Duration = Duration::from_secs(20);

/// How long the process may take to end after `exit`.
pub const EXIT_DEADLINE: Duration = Duration::from_secs(5);

/// How a client starts the server.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Offer UTF-8 positions (`general.positionEncodings`); the default is UTF-16.
    pub utf8: bool,
    /// Extra environment variables of the server.
    pub env: Vec<(String, String)>,
}

/// A running `slac lsp`, initialized on a workspace folder.
pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    stderr: Option<thread::JoinHandle<String>>,
    next_id: i64,
    /// The workspace folder (canonical) and its URI, without a trailing slash.
    pub root: PathBuf,
    pub root_uri: String,
    /// The `initialize` result.
    pub capabilities: Value,
    /// The latest diagnostics published for each URI.
    diagnostics: HashMap<String, Vec<Value>>,
    /// The URIs that were published since their diagnostics were last taken.
    fresh: HashSet<String>,
    /// How many times each URI was published.
    publish_counts: HashMap<String, usize>,
    /// The server's requests to the client (`client/registerCapability` …), by method.
    pub server_requests: Vec<Value>,
    /// `window/logMessage` and `window/showMessage` texts.
    pub log: Vec<String>,
    /// Answers read while waiting for another one.
    answers: HashMap<i64, Value>,
}

/// The `file://` URI of a path.
pub fn uri_of(path: &Path) -> String {
    let text = path
        .to_str()
        .unwrap_or_else(|| panic!("non-UTF-8 path {path:?}"));
    let mut out = String::from("file://");
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).unwrap_or_else(|error| {
        panic!(
            "the server sent a body that is not JSON ({error}): {}",
            String::from_utf8_lossy(&body)
        )
    }))
}

impl Client {
    /// Starts `slac lsp` in `root` (with `SLAC_TODAY` fixed) and initializes it with `root` as
    /// its workspace folder; `initialized` follows.
    pub fn start(root: &Path, options: Options) -> Client {
        let root = root
            .canonicalize()
            .unwrap_or_else(|e| panic!("{root:?}: {e}"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_slac"))
            .arg("lsp")
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .env("SLAC_TODAY", TODAY)
            .envs(options.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start `slac lsp`: {error}"));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let (sender, messages) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut stderr_pipe = child.stderr.take();
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            if let Some(pipe) = stderr_pipe.as_mut() {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        });
        let root_uri = uri_of(&root);
        let mut client = Client {
            stdin: child.stdin.take(),
            child,
            messages,
            stderr: Some(stderr),
            next_id: 1,
            root,
            root_uri: root_uri.clone(),
            capabilities: Value::Null,
            diagnostics: HashMap::new(),
            fresh: HashSet::new(),
            publish_counts: HashMap::new(),
            server_requests: Vec::new(),
            log: Vec::new(),
            answers: HashMap::new(),
        };
        let encodings = if options.utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let result = client.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": root_uri,
                "workspaceFolders": [{ "uri": root_uri, "name": "workspace" }],
                "capabilities": {
                    "general": { "positionEncodings": encodings },
                    "workspace": {
                        "didChangeWatchedFiles": { "dynamicRegistration": true },
                        "workspaceFolders": true,
                        "symbol": { "dynamicRegistration": false }
                    },
                    "textDocument": {
                        "synchronization": { "didSave": true },
                        "hover": { "contentFormat": ["markdown", "plaintext"] },
                        "publishDiagnostics": { "relatedInformation": true },
                        "rename": { "prepareSupport": true },
                        "documentSymbol": { "hierarchicalDocumentSymbolSupport": true }
                    }
                }
            }),
        );
        client.capabilities = result;
        client.notify("initialized", json!({}));
        client
    }

    /// The URI of a path relative to the workspace root.
    pub fn uri(&self, relative: &str) -> String {
        format!("{}/{relative}", self.root_uri)
    }

    /// A URI with the workspace root taken off (`agreements/a.sla`), for stable snapshots.
    pub fn relative<'a>(&self, uri: &'a str) -> &'a str {
        uri.strip_prefix(&self.root_uri)
            .map_or(uri, |rest| rest.trim_start_matches('/'))
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap_or_default();
        let stdin = self
            .stdin
            .as_mut()
            .unwrap_or_else(|| panic!("stdin closed"));
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend_from_slice(&body);
        if let Err(error) = stdin.write_all(&frame).and_then(|()| stdin.flush()) {
            let status = self.child.try_wait().ok().flatten();
            panic!(
                "cannot write to `slac lsp` ({error}); exit status {status:?}\nstderr:\n{}",
                self.stderr_now()
            );
        }
    }

    /// The server's stderr so far, when it ended; a note otherwise.
    fn stderr_now(&mut self) -> String {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            if let Some(handle) = self.stderr.take() {
                return handle.join().unwrap_or_default();
            }
        }
        "(the server is still running)".to_string()
    }

    /// Handles one message of the server: notifications are recorded, requests answered with a
    /// null result, answers kept. Returns the message.
    fn handle(&mut self, message: Value) -> Value {
        let method = message.get("method").and_then(Value::as_str);
        match (method, message.get("id")) {
            (Some(_), Some(id)) => {
                // A request of the server: accepted with no result.
                let id = id.clone();
                self.server_requests.push(message.clone());
                // Unless the client has closed its end (see `close_stdin`).
                if self.stdin.is_some() {
                    self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
                }
            }
            (Some("textDocument/publishDiagnostics"), None) => {
                let params = &message["params"];
                let uri = params["uri"].as_str().unwrap_or_default().to_string();
                let list = params["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                *self.publish_counts.entry(uri.clone()).or_default() += 1;
                self.diagnostics.insert(uri.clone(), list);
                self.fresh.insert(uri);
            }
            (Some("window/logMessage" | "window/showMessage"), None) => {
                self.log.push(
                    message["params"]["message"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                );
            }
            (Some(_), None) => {}
            (None, Some(id)) => {
                if let Some(id) = id.as_i64() {
                    self.answers.insert(id, message.clone());
                }
            }
            (None, None) => panic!("the server sent a message that is neither: {message}"),
        }
        message
    }

    /// Waits for the next message until `deadline`; `None` when the deadline passed.
    fn next_before(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(left) {
            Ok(message) => Some(self.handle(message)),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.wait().ok();
                panic!(
                    "`slac lsp` closed its output (exit status {status:?})\nstderr:\n{}",
                    self.stderr_now()
                )
            }
        }
    }

    /// Handles every message already received, without waiting.
    pub fn drain(&mut self) {
        while let Ok(message) = self.messages.try_recv() {
            self.handle(message);
        }
    }

    /// Sends a request and returns its answer: `Ok(result)` or `Err(error object)`.
    pub fn request_result(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        // JSON-RPC has no null params: they are left out.
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(&message);
        let deadline = Instant::now() + ANSWER_DEADLINE;
        loop {
            if let Some(mut answer) = self.answers.remove(&id) {
                if let Some(error) = answer.get_mut("error") {
                    return Err(error.take());
                }
                return Ok(answer
                    .get_mut("result")
                    .map(Value::take)
                    .unwrap_or_default());
            }
            if self.next_before(deadline).is_none() {
                panic!("`{method}` got no answer within {ANSWER_DEADLINE:?}: the server hangs");
            }
        }
    }

    /// Sends a request and returns its result; an error answer fails the test.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.request_result(method, params)
            .unwrap_or_else(|error| panic!("`{method}` failed: {error}"))
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let mut message = json!({ "jsonrpc": "2.0", "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(&message);
    }

    /// Opens a document of the workspace with the given text.
    pub fn open(&mut self, relative: &str, text: &str) {
        let uri = self.uri(relative);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "sla", "version": 1, "text": text } }),
        );
    }

    /// Replaces the whole text of an open document.
    pub fn change(&mut self, relative: &str, version: i32, text: &str) {
        let uri = self.uri(relative);
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }]
            }),
        );
    }

    pub fn close(&mut self, relative: &str) {
        let uri = self.uri(relative);
        self.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        );
    }

    /// The diagnostics of the next publication for `uri` not yet taken (after handling every
    /// message already received, so that it is the latest one).
    pub fn wait_diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let deadline = Instant::now() + ANSWER_DEADLINE;
        self.drain();
        while !self.fresh.contains(uri) {
            if self.next_before(deadline).is_none() {
                panic!("no diagnostics for {uri} within {ANSWER_DEADLINE:?}");
            }
        }
        self.drain();
        self.fresh.remove(uri);
        self.diagnostics.get(uri).cloned().unwrap_or_default()
    }

    /// Waits until the latest diagnostics of `uri` satisfy `done`, and stay so for `quiet` with
    /// no other publication for it (a late publication from an older text would show). Fails
    /// the test after [`ANSWER_DEADLINE`], showing the last diagnostics seen.
    pub fn wait_diagnostics_until(
        &mut self,
        uri: &str,
        quiet: Duration,
        done: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let deadline = Instant::now() + ANSWER_DEADLINE;
        loop {
            self.drain();
            let holds = self.diagnostics.get(uri).is_some_and(|d| done(d));
            if holds {
                let count = self.publish_counts.get(uri).copied();
                let calm = Instant::now() + quiet;
                while self.next_before(calm.min(deadline)).is_some() {}
                if self.publish_counts.get(uri).copied() == count {
                    self.fresh.remove(uri);
                    return self.diagnostics.get(uri).cloned().unwrap_or_default();
                }
                continue;
            }
            if Instant::now() >= deadline {
                panic!(
                    "the diagnostics of {uri} never became what was expected within \
                     {ANSWER_DEADLINE:?}; last: {:#?}",
                    self.diagnostics.get(uri)
                );
            }
            let _ = self.next_before(deadline);
        }
    }

    /// The latest diagnostics received for `uri`, without waiting.
    pub fn latest_diagnostics(&mut self, uri: &str) -> Option<Vec<Value>> {
        self.drain();
        self.diagnostics.get(uri).cloned()
    }

    /// `shutdown` then `exit`: the process must end with status 0 within [`EXIT_DEADLINE`].
    pub fn shutdown_and_exit(mut self) {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null, "shutdown answered {result}");
        self.notify("exit", Value::Null);
        let started = Instant::now();
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > EXIT_DEADLINE => {
                    panic!("`slac lsp` still runs {EXIT_DEADLINE:?} after `exit`")
                }
                Ok(None) => thread::sleep(Duration::from_millis(5)),
                Err(error) => panic!("cannot wait for `slac lsp`: {error}"),
            }
        };
        let stderr = self.stderr_now();
        assert!(
            status.success(),
            "`slac lsp` exited with {status:?} after shutdown and exit\nstderr:\n{stderr}"
        );
    }

    /// Sends `message` as it is (a client's own framing of a request or notification, `"params":
    /// null` included).
    pub fn send_raw(&mut self, message: &Value) {
        self.send(message);
    }

    /// Waits for the answer to the request of id `id` and returns it whole, reading until the
    /// server closes its output if need be.
    pub fn answer(&mut self, id: i64) -> Value {
        let deadline = Instant::now() + ANSWER_DEADLINE;
        loop {
            if let Some(answer) = self.answers.remove(&id) {
                return answer;
            }
            if self.next_before(deadline).is_none() {
                panic!("no answer to request {id} within {ANSWER_DEADLINE:?}");
            }
        }
    }

    /// Closes the server's stdin, as a client that goes away does.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits, at most [`EXIT_DEADLINE`], for the process to end, and returns its status.
    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status,
                Ok(None) if started.elapsed() > EXIT_DEADLINE => {
                    panic!("`slac lsp` still runs {EXIT_DEADLINE:?} later")
                }
                Ok(None) => thread::sleep(Duration::from_millis(5)),
                Err(error) => panic!("cannot wait for `slac lsp`: {error}"),
            }
        }
    }

    /// Whether the process still runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A test that failed half-way leaves no server behind.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
