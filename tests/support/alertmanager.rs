//! Alertmanager's own tools for the tests: `amtool`, and a real Alertmanager server started on
//! 127.0.0.1 with a free port, no clustering and a configuration under test, fed and read
//! through its v2 HTTP API, and killed when dropped. The tests that use them fail (they are not
//! skipped) when the tools are missing: run `scripts/install-test-tools`.

// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::io::ErrorKind;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use super::server::{free_port, request, Server};

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

pub use super::promtool::output_text;

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
    server: Server,
}

impl Alertmanager {
    /// Starts Alertmanager with `config_file`, its state in `dir`, and waits until it is ready.
    pub fn start(dir: &Path, config_file: &Path) -> Alertmanager {
        let name = require_alertmanager();
        let port = free_port();
        let mut command = Command::new(name);
        command
            .arg(format!("--config.file={}", config_file.display()))
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            // Empty: no cluster, so no gossip port and no waiting for peers.
            .arg("--cluster.listen-address=");
        let server = Server::start(
            name,
            command,
            port,
            dir.join("alertmanager.log"),
            "/-/ready",
        );
        Alertmanager { server }
    }

    pub fn log_tail(&self) -> String {
        self.server.log_tail()
    }

    /// `POST /api/v2/alerts`: the alerts fire from now on.
    pub fn post_alerts(&self, alerts: &Value) {
        let body = alerts.to_string();
        match request(self.server.port, "POST", "/api/v2/alerts", Some(&body)) {
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
        match request(self.server.port, "GET", "/api/v2/alerts", None) {
            Ok((200, body)) => serde_json::from_str::<Vec<Value>>(&body)
                .unwrap_or_else(|error| panic!("GET /api/v2/alerts: not JSON ({error}): {body}")),
            Ok((status, body)) => panic!("GET /api/v2/alerts: HTTP {status}: {body}"),
            Err(error) => panic!("{error}\n{}", self.log_tail()),
        }
    }
}
