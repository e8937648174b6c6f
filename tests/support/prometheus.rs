//! A real Prometheus server for the tests: started on 127.0.0.1 with a free port and the rule
//! files under test, evaluating every second, queried through its HTTP API, and killed when
//! dropped. The tests that use it fail (they are not skipped) when `prometheus` is missing: run
//! `scripts/install-test-tools`.

// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::tail;

/// How long Prometheus may take to answer `/-/ready`.
pub const READY_WAIT: Duration = Duration::from_secs(30);

/// Fails the test when `prometheus` cannot run, saying how to install it.
pub fn require_prometheus() {
    match Command::new("prometheus").arg("--version").output() {
        Ok(output) if output.status.success() => {}
        Ok(output) => panic!(
            "`prometheus --version` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ),
        Err(error) if error.kind() == ErrorKind::NotFound => panic!(
            "prometheus is not on PATH: this test evaluates generated rules with a real \
             Prometheus server. Run scripts/install-test-tools (it installs Debian's \
             `prometheus` package), then run the tests again."
        ),
        Err(error) => panic!("cannot run prometheus: {error}"),
    }
}

/// A Prometheus server on 127.0.0.1, killed when dropped (a failed assertion included).
pub struct Prometheus {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Prometheus {
    /// Starts Prometheus with the rule files, evaluating every second, and waits until it is
    /// ready.
    pub fn start(dir: &Path, rule_files: &[PathBuf]) -> Prometheus {
        let mut config = String::from("global:\n  evaluation_interval: 1s\nrule_files:\n");
        for file in rule_files {
            let path = serde_json::to_string(file.to_str().unwrap()).unwrap();
            writeln!(config, "  - {path}").unwrap();
        }
        let config_file = dir.join("prometheus.yml");
        fs::write(&config_file, config).unwrap();
        let log = dir.join("prometheus.log");
        let log_file = fs::File::create(&log).unwrap();
        // A free port: the system picks one for a listener that is closed at once.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config_file.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start prometheus: {error}"));
        let mut prometheus = Prometheus { child, port, log };
        let started = Instant::now();
        loop {
            if let Some(status) = prometheus.child.try_wait().unwrap() {
                panic!(
                    "prometheus exited ({status}) before it was ready:\n{}",
                    prometheus.log_tail()
                );
            }
            if matches!(http_get(port, "/-/ready"), Ok((200, _))) {
                return prometheus;
            }
            if started.elapsed() > READY_WAIT {
                panic!(
                    "prometheus was not ready after {READY_WAIT:?}:\n{}",
                    prometheus.log_tail()
                );
            }
            thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log_tail(&self) -> String {
        tail(&fs::read_to_string(&self.log).unwrap_or_default()).to_string()
    }

    /// The `data` of a successful API answer.
    pub fn api(&self, target: &str) -> Result<Value, String> {
        Ok(self.answer(target)?["data"].clone())
    }

    /// A successful API answer, whole (`status`, `data`, and `warnings` or `infos` if any).
    pub fn answer(&self, target: &str) -> Result<Value, String> {
        let (status, body) = http_get(self.port, target)?;
        let answer: Value = serde_json::from_str(&body)
            .map_err(|error| format!("HTTP {status}, not JSON ({error}): {body}"))?;
        if status != 200 || answer["status"] != "success" {
            return Err(format!("HTTP {status}: {body}"));
        }
        Ok(answer)
    }

    /// The value of an instant query at `t`, as Prometheus writes it ("0", "1", …), or what went
    /// wrong.
    pub fn evaluate(&self, query: &str, t: i64) -> Result<String, String> {
        let data = self.api(&format!(
            "/api/v1/query?query={}&time={t}",
            url_encode(query)
        ))?;
        match data["result"].as_array().map(Vec::as_slice) {
            Some([sample]) => sample["value"][1]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("no value in {sample}")),
            _ => Err(format!("not one sample: {data}")),
        }
    }
}

/// `GET target` over a new connection: the status and the body.
pub fn http_get(port: u16, target: &str) -> Result<(u16, String), String> {
    let fail = |error: std::io::Error| format!("GET {}: {error}", short(target));
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(fail)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(fail)?;
    // One write: the request leaves in one segment.
    let request =
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(fail)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(fail)?;
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("GET {}: no HTTP header in {raw}", short(target)))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("GET {}: bad status line in {head}", short(target)))?;
    let chunked = head.lines().any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("transfer-encoding:") && line.contains("chunked")
    });
    let body = if chunked {
        dechunk(body).ok_or_else(|| format!("GET {}: bad chunked body", short(target)))?
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

/// Percent-encodes a query parameter.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            write!(out, "%{byte:02X}").unwrap();
        }
    }
    out
}

fn short(target: &str) -> &str {
    target.split('?').next().unwrap_or(target)
}
