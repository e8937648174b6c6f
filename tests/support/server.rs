//! A server the tests start on 127.0.0.1 (Prometheus, Alertmanager): a free port, a log file,
//! a readiness wait, plain HTTP requests, and a kill when dropped, a failed assertion included.

// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::tail;

/// How long a server may take to answer its readiness endpoint.
pub const READY_WAIT: Duration = Duration::from_secs(30);

/// A free port: the system picks one for a listener that is closed at once.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running server, killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `command` (already listening on `port` by its arguments) with its output in `log`,
    /// and waits until `GET ready` answers 200; fails the test with the log's tail when it
    /// exits or is not ready in time.
    pub fn start(name: &str, mut command: Command, port: u16, log: PathBuf, ready: &str) -> Server {
        let log_file = fs::File::create(&log).unwrap();
        let child = command
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {name}: {error}"));
        let mut server = Server { child, port, log };
        let started = Instant::now();
        loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!(
                    "{name} exited ({status}) before it was ready:\n{}",
                    server.log_tail()
                );
            }
            if matches!(request(port, "GET", ready, None), Ok((200, _))) {
                return server;
            }
            if started.elapsed() > READY_WAIT {
                panic!(
                    "{name} was not ready after {READY_WAIT:?}:\n{}",
                    server.log_tail()
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log_tail(&self) -> String {
        tail(&fs::read_to_string(&self.log).unwrap_or_default()).to_string()
    }
}

/// One request over a new connection (`Connection: close`): the status and the body, a
/// chunked body reassembled. A JSON `body` is sent with its length.
pub fn request(
    port: u16,
    method: &str,
    target: &str,
    body: Option<&str>,
) -> Result<(u16, String), String> {
    let shown = target.split('?').next().unwrap_or(target);
    let fail = |error: std::io::Error| format!("{method} {shown}: {error}");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(fail)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(fail)?;
    let mut message =
        format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    match body {
        Some(body) => message.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )),
        None => message.push_str("\r\n"),
    }
    // One write: the request leaves in one segment.
    stream.write_all(message.as_bytes()).map_err(fail)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(fail)?;
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{method} {shown}: no HTTP header in {raw}"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("{method} {shown}: bad status line in {head}"))?;
    let chunked = head.lines().any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("transfer-encoding:") && line.contains("chunked")
    });
    let body = if chunked {
        dechunk(body).ok_or_else(|| format!("{method} {shown}: bad chunked body"))?
    } else {
        body.to_string()
    };
    Ok((status, body))
}

/// The body of a `Transfer-Encoding: chunked` answer.
fn dechunk(mut body: &str) -> Option<String> {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n")?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        out.push_str(rest.get(..size)?);
        body = rest.get(size..)?.strip_prefix("\r\n")?;
    }
}
