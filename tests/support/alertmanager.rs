//! Alertmanager's own tools for the tests: `amtool`, and a real Alertmanager server started on
//! 127.0.0.1 with a free port, no clustering and a configuration under test, fed and read
//! through its v2 HTTP API, and killed when dropped. The tests that use them fail (they are not
//! skipped) when the tools are missing: run `scripts/install-test-tools`.

// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::tail;

/// How long Alertmanager may take to answer `/-/ready`.
pub const READY_WAIT: Duration = Duration::from_secs(30);

/// The names the Alertmanager server goes by: Debian's, then upstream's.
const SERVERS: [&str; 2] = ["prometheus-alertmanager", "alertmanager"];

fn missing(tool: &str) -> String {
    format!(
        "{tool} is not on PATH: the Alertmanager tests check the generated configuration with \
         Alertmanager's own tools. Run scripts/install-test-tools (it installs Debian's \
         `prometheus-alertmanager` package), then run the tests again."
    )
}

/// Runs `amtool ARGS`; fails the test, saying how to install it, when amtool is missing.
pub fn amtool(args: &[&str]) -> Output {
    match Command::new("amtool")
        .args(args)
        .stdin(Stdio::null())
        .output()
    {
        Ok(output) => output,
        Err(error) if error.kind() == ErrorKind::NotFound => panic!("{}", missing("amtool")),
        Err(error) => panic!("cannot run amtool: {error}"),
    }
}

/// What a tool printed, both streams.
pub fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `amtool check-config FILE` must accept the file.
pub fn assert_check_config(file: &Path) {
    let path = file.to_str().unwrap();
    let output = amtool(&["check-config", path]);
    assert!(
        output.status.success(),
        "`amtool check-config {path}` rejected the file:\n{}\n--- {path}\n{}",
        output_text(&output),
        fs::read_to_string(file).unwrap_or_default()
    );
}

/// The receivers `amtool config routes test` picks for an alert with these labels.
pub fn routed_receivers(file: &Path, labels: &[(&str, &str)]) -> Vec<String> {
    let mut args = vec![
        "config".to_string(),
        "routes".to_string(),
        "test".to_string(),
        format!("--config.file={}", file.display()),
    ];
    args.extend(labels.iter().map(|(name, value)| format!("{name}={value}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = amtool(&args);
    assert!(
        output.status.success(),
        "`amtool {}` failed:\n{}",
        args.join(" "),
        output_text(&output)
    );
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .split(',')
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

/// The path of the Alertmanager server; fails the test, saying how to install it, when missing.
pub fn require_alertmanager() -> &'static str {
    for name in SERVERS {
        match Command::new(name).arg("--version").output() {
            Ok(output) if output.status.success() => return name,
            Ok(output) => panic!(
                "`{name} --version` failed ({}): {}",
                output.status,
                output_text(&output)
            ),
            Err(error) if error.kind() == ErrorKind::NotFound => {}
            Err(error) => panic!("cannot run {name}: {error}"),
        }
    }
    panic!("{}", missing("prometheus-alertmanager (or alertmanager)"))
}

/// An Alertmanager on 127.0.0.1, without clustering, killed when dropped (a failed assertion
/// included).
pub struct Alertmanager {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Alertmanager {
    /// Starts Alertmanager with `config_file`, its state in `dir`, and waits until it is ready.
    pub fn start(dir: &Path, config_file: &Path) -> Alertmanager {
        let server = require_alertmanager();
        let log = dir.join("alertmanager.log");
        let log_file = fs::File::create(&log).unwrap();
        // A free port: the system picks one for a listener that is closed at once.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(server)
            .arg(format!("--config.file={}", config_file.display()))
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            // Empty: no cluster, so no gossip port and no waiting for peers.
            .arg("--cluster.listen-address=")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {server}: {error}"));
        let mut alertmanager = Alertmanager { child, port, log };
        let started = Instant::now();
        loop {
            if let Some(status) = alertmanager.child.try_wait().unwrap() {
                panic!(
                    "{server} exited ({status}) before it was ready:\n{}",
                    alertmanager.log_tail()
                );
            }
            if matches!(request(port, "GET", "/-/ready", None), Ok((200, _))) {
                return alertmanager;
            }
            if started.elapsed() > READY_WAIT {
                panic!(
                    "{server} was not ready after {READY_WAIT:?}:\n{}",
                    alertmanager.log_tail()
                );
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log_tail(&self) -> String {
        tail(&fs::read_to_string(&self.log).unwrap_or_default()).to_string()
    }

    /// `POST /api/v2/alerts`: the alerts fire from now on.
    pub fn post_alerts(&self, alerts: &Value) {
        let body = alerts.to_string();
        match request(self.port, "POST", "/api/v2/alerts", Some(&body)) {
            Ok((200, _)) => {}
            Ok((status, answer)) => panic!(
                "POST /api/v2/alerts: HTTP {status}: {answer}\nsent: {body}\n{}",
                self.log_tail()
            ),
            Err(error) => panic!("{error}\n{}", self.log_tail()),
        }
    }

    /// `GET /api/v2/alerts`: every alert Alertmanager holds, with its `status`.
    pub fn alerts(&self) -> Vec<Value> {
        match request(self.port, "GET", "/api/v2/alerts", None) {
            Ok((200, body)) => serde_json::from_str::<Vec<Value>>(&body)
                .unwrap_or_else(|error| panic!("GET /api/v2/alerts: not JSON ({error}): {body}")),
            Ok((status, body)) => panic!("GET /api/v2/alerts: HTTP {status}: {body}"),
            Err(error) => panic!("{error}\n{}", self.log_tail()),
        }
    }
}

/// One HTTP/1.0 request over a new connection: the status and the body. HTTP/1.0 makes the
/// server close the connection after a plain (never chunked) body.
fn request(
    port: u16,
    method: &str,
    target: &str,
    body: Option<&str>,
) -> Result<(u16, String), String> {
    let fail = |error: std::io::Error| format!("{method} {target}: {error}");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(fail)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(fail)?;
    let mut message = format!("{method} {target} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n");
    if let Some(body) = body {
        message.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ));
    } else {
        message.push_str("\r\n");
    }
    stream.write_all(message.as_bytes()).map_err(fail)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(fail)?;
    let raw = String::from_utf8_lossy(&raw);
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{method} {target}: no HTTP header in {raw}"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("{method} {target}: bad status line in {head}"))?;
    Ok((status, body.to_string()))
}
