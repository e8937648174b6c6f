//! A real Prometheus server for the tests: started on 127.0.0.1 with a free port and the rule
//! files under test, evaluating every second, queried through its HTTP API, and killed when
//! dropped. The tests that use it fail (they are not skipped) when `prometheus` is missing: run
//! `scripts/install-test-tools`.

// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::server::{free_port, request, Server};

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
    server: Server,
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
        Prometheus::launch(dir, &config, &dir.join("tsdb"), &[])
    }

    /// Starts Prometheus, without rules, on a TSDB folder prepared by [`backfill`], keeping
    /// samples of any age (a retention of 100 years: the default 15 days would delete the blocks
    /// of past data at once), and waits until it is ready.
    pub fn start_on_tsdb(dir: &Path, tsdb: &Path) -> Prometheus {
        Prometheus::launch(
            dir,
            "global:\n  evaluation_interval: 1m\n",
            tsdb,
            &["--storage.tsdb.retention.time=100y"],
        )
    }

    fn launch(dir: &Path, config: &str, tsdb: &Path, extra: &[&str]) -> Prometheus {
        let config_file = dir.join("prometheus.yml");
        fs::write(&config_file, config).unwrap();
        let port = free_port();
        let mut command = Command::new("prometheus");
        command
            .arg(format!("--config.file={}", config_file.display()))
            .arg(format!("--storage.tsdb.path={}", tsdb.display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .args(extra);
        let server = Server::start(
            "prometheus",
            command,
            port,
            dir.join("prometheus.log"),
            "/-/ready",
        );
        Prometheus { server }
    }

    /// The base URL of the server's API: `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.server.port)
    }

    pub fn log_tail(&self) -> String {
        self.server.log_tail()
    }

    /// The `data` of a successful API answer.
    pub fn api(&self, target: &str) -> Result<Value, String> {
        Ok(self.answer(target)?["data"].clone())
    }

    /// A successful API answer, whole (`status`, `data`, and `warnings` or `infos` if any).
    pub fn answer(&self, target: &str) -> Result<Value, String> {
        let (status, body) = http_get(self.server.port, target)?;
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

/// Writes the samples of an OpenMetrics file (ending with `# EOF`) as TSDB blocks into `tsdb`
/// with `promtool tsdb create-blocks-from openmetrics`, in blocks of up to 30 days (promtool's
/// default of 2 hours reads the whole file again for every block).
pub fn backfill(openmetrics: &Path, tsdb: &Path) {
    let output = super::promtool::promtool(&[
        "tsdb",
        "create-blocks-from",
        "openmetrics",
        "--max-block-duration=720h",
        openmetrics.to_str().unwrap(),
        tsdb.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "promtool could not make blocks of {}:\n{}",
        openmetrics.display(),
        super::promtool::output_text(&output)
    );
}

/// `GET target` over a new connection: the status and the body.
pub fn http_get(port: u16, target: &str) -> Result<(u16, String), String> {
    request(port, "GET", target, None)
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
