//! `bench-lsp [EDITS=30] [WARMUP=5]`: the latency of `slac lsp` from a `didChange` to the
//! `publishDiagnostics` of the changed file, on one generated file of about 5,000 lines.
//!
//! Starts the server (`$SLAC_BIN`, else `target/release/slac`) in a temporary workspace of
//! `slac.toml`, the shared declarations of `gen-workspace` and `big.sla` (the first 82 generated
//! agreements in one file), opens `big.sla`, then sends full-text changes one at a time, each
//! a small edit of the first agreement's title, and waits for the diagnostics of `big.sla`
//! before the next. Every other edit also misspells a provider, so that each answer is
//! checked against its edit (diagnostics or none). Prints the median, p90 and max in ms.
//!
//! The client is written by hand (the bench crate has no JSON dependency): it only needs to
//! frame messages, answer the server's requests and spot the diagnostics of one URI.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Agreements in the big file: 82 × ~61 lines ≈ 5,000 lines.
const AGREEMENTS: usize = 82;
const DEADLINE: Duration = Duration::from_secs(30);

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

struct Server {
    stdin: std::process::ChildStdin,
    messages: Receiver<String>,
    child: std::process::Child,
}

impl Server {
    fn send(&mut self, body: &str) {
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.stdin
            .write_all(frame.as_bytes())
            .and_then(|()| self.stdin.flush())
            .unwrap_or_else(|e| panic!("cannot write to the server: {e}"));
    }

    /// The next message, answering the server's requests (`client/registerCapability`) on the
    /// way; `None` after `timeout`.
    fn next(&mut self, timeout: Duration) -> Option<String> {
        match self.messages.recv_timeout(timeout) {
            Ok(message) => {
                if message.contains("\"method\":\"client/") {
                    if let Some(id) = field_after(&message, "\"id\":") {
                        self.send(&format!(r#"{{"jsonrpc":"2.0","id":{id},"result":null}}"#));
                    }
                }
                Some(message)
            }
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// Waits for a message that satisfies `wanted`.
    fn wait(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.next(left) {
                Some(message) if wanted(&message) => return message,
                Some(_) => {}
                None => panic!("no {what} within {DEADLINE:?}"),
            }
        }
    }

    /// Handles messages until none came for `quiet`.
    fn settle(&mut self, quiet: Duration) {
        while self.next(quiet).is_some() {}
    }
}

/// The JSON number or string right after `key` (enough for an `id`).
fn field_after(message: &str, key: &str) -> Option<String> {
    let start = message.find(key)? + key.len();
    let rest = message[start..].trim_start();
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim().to_string())
}

fn read_message(reader: &mut impl BufRead) -> Option<String> {
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
        if let Some(value) = line
            .to_ascii_lowercase()
            .strip_prefix("content-length:")
            .map(str::trim)
        {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    String::from_utf8(body).ok()
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() -> ExitCode {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse()
                .unwrap_or_else(|_| panic!("usage: bench-lsp [EDITS=30] [WARMUP=5]"))
        })
        .collect();
    let edits = args.first().copied().unwrap_or(30).max(1);
    let warmup = args.get(1).copied().unwrap_or(5);
    let slac = std::env::var_os("SLAC_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/slac"));

    // The workspace: the shared declarations and one big file of agreements.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let root = dir.path().canonicalize().expect("a canonical path");
    let files = slac_bench::generate_workspace(AGREEMENTS);
    let mut big = String::new();
    for (path, text) in &files {
        if path.starts_with("agreements/") {
            big.push_str(text);
            big.push('\n');
        } else {
            std::fs::write(root.join(path), text).expect("write the workspace");
        }
    }
    let big_path = root.join("big.sla");
    std::fs::write(&big_path, &big).expect("write big.sla");
    let lines = big.lines().count();

    let mut child = Command::new(&slac)
        .arg("lsp")
        .current_dir(&root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {} lsp: {e}", slac.display()));
    let stdout = child.stdout.take().expect("stdout");
    let (sender, messages) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        while let Some(message) = read_message(&mut reader) {
            if sender.send(message).is_err() {
                break;
            }
        }
    });
    let mut server = Server {
        stdin: child.stdin.take().expect("stdin"),
        messages,
        child,
    };

    let root_uri = uri_of(&root);
    let uri = uri_of(&big_path);
    server.send(&format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"processId":null,"rootUri":"{root_uri}","capabilities":{{"workspace":{{"didChangeWatchedFiles":{{"dynamicRegistration":true}}}}}}}}}}"#
    ));
    server.wait("initialize answer", |m| {
        m.contains("\"id\":1") && m.contains("\"result\"")
    });
    server.send(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#);
    server.send(&format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{uri}","languageId":"sla","version":1,"text":"{}"}}}}}}"#,
        escape(&big)
    ));
    let is_ours = |m: &str| {
        m.contains("textDocument/publishDiagnostics") && m.contains(&format!("\"uri\":\"{uri}\""))
    };
    server.wait("diagnostics of big.sla", is_ours);
    // Every publication of the opening is in: the next one of big.sla answers the next edit.
    server.settle(Duration::from_millis(500));

    let title = "title \"Managed platform";
    assert!(
        big.contains(title),
        "the generated file has a title to edit"
    );
    let mut times = Vec::with_capacity(edits);
    for i in 0..warmup + edits {
        let broken = i % 2 == 1;
        let mut text = big.replacen(title, &format!("title \"Managed platform {i}"), 1);
        if broken {
            text = text.replacen("provider helpdesk", "provider helpdsk", 1);
        }
        let body = format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{uri}","version":{}}},"contentChanges":[{{"text":"{}"}}]}}}}"#,
            i + 2,
            escape(&text)
        );
        let started = Instant::now();
        server.send(&body);
        let answer = server.wait("diagnostics of the edit", is_ours);
        let elapsed = started.elapsed();
        let clean = answer.contains("\"diagnostics\":[]");
        assert_eq!(
            clean, !broken,
            "edit {i}: the diagnostics do not match the edit: {answer:.300}"
        );
        if i >= warmup {
            times.push(elapsed.as_secs_f64() * 1000.0);
        }
    }

    server.send(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#);
    server.wait("shutdown answer", |m| m.contains("\"id\":2"));
    server.send(r#"{"jsonrpc":"2.0","method":"exit"}"#);
    let status = server.child.wait().expect("the server ends");

    times.sort_by(f64::total_cmp);
    let median = percentile(&times, 50.0);
    println!(
        "big.sla: {lines} lines, {} bytes, {AGREEMENTS} agreements (+ shared.sla)",
        big.len()
    );
    println!(
        "didChange → publishDiagnostics over {edits} edits ({warmup} warm-up): \
         median {median:.1} ms, p90 {:.1} ms, max {:.1} ms (min {:.1} ms)",
        percentile(&times, 90.0),
        times[times.len() - 1],
        times[0]
    );
    println!("server exit status: {status}");
    if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
