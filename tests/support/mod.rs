//! Running the real `slac` binary the way a user does, for the integration tests of `tests/`:
//! in a folder of the test's choosing, without colours, with today's date fixed, and with a
//! deadline, so that a hang fails the test instead of stalling the suite.

// Each test crate that includes this module uses a part of it.
#![allow(dead_code)]

pub mod alertmanager;
pub mod chromium;
pub mod diagnostics;
pub mod lsp;
pub mod markdown;
pub mod openslo;
pub mod prometheus;
pub mod promtool;
pub mod running;
pub mod server;
pub mod terminal;
pub mod tree;

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The date W003 compares against, passed as `SLAC_TODAY`.
pub const TODAY: &str = "2026-11-25";

/// Two parties and an escalation policy, for workspaces whose agreements the test writes
/// (`provider ops`, `customer acme`, `escalation standard`).
pub const PARTIES: &str = r#"party acme {
  name "Acme"
  kind external
}

party ops {
  name "Operations"
  kind internal
  contact oncall "oncall@ops.example"
}

escalation standard {
  level 1 at 50% notify ops.oncall
  level 2 at breach notify ops.oncall
}
"#;

/// Agreement `id` between `ops` and `acme` (see [`PARTIES`]) with one availability objective of
/// `target` on the requests of service `id`: every generated file of a target depends on both.
pub fn ratio_agreement(id: &str, target: &str) -> String {
    format!(
        r#"agreement {id} {{
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider ops
  customer acme
  escalation standard

  objective availability {{
    sli ratio {{
      errors """sum(rate(http_requests_total{{code=~"5..",service="{id}"}}[$window]))"""
      total """sum(rate(http_requests_total{{service="{id}"}}[$window]))"""
    }}
    target {target}
    window 30d
  }}
}}
"#
    )
}

/// How long one run of `slac` may take on a small input before it counts as hung.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// What one run of `slac` did.
pub struct Run {
    /// What the user typed, for failure messages.
    pub command: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The exit code; a run killed by a signal fails the test.
    pub fn code(&self) -> i32 {
        self.status.code().unwrap_or_else(|| {
            panic!(
                "`{}` was killed by a signal ({:?})\nstderr:\n{}",
                self.command,
                self.status,
                tail(&self.stderr)
            )
        })
    }

    /// Asserts the exit code, showing what `slac` printed when it differs.
    pub fn assert_code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code(),
            expected,
            "`{}` exited with {:?}, expected {expected}\nstdout:\n{}\nstderr:\n{}",
            self.command,
            self.status,
            tail(&self.stdout),
            tail(&self.stderr)
        );
        self
    }
}

/// Runs `slac ARGS` in `dir` with `NO_COLOR=1` and `SLAC_TODAY` set, within [`DEADLINE`].
pub fn slac(dir: &Path, args: &[&str]) -> Run {
    slac_with(dir, args, &[], DEADLINE)
}

/// Runs `slac ARGS` in `dir` with extra environment variables and a deadline; a run that
/// outlives the deadline is killed and fails the test.
pub fn slac_with(dir: &Path, args: &[&str], env: &[(&str, &str)], deadline: Duration) -> Run {
    let (command, mut child) = start(dir, args, env);
    // Both pipes are drained while the child runs, so that a large output cannot block it.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "`{command}` in {} took more than {deadline:?}: it hangs",
                    dir.display()
                );
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(error) => panic!("cannot wait for `{command}`: {error}"),
        }
    };
    Run {
        command,
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// Starts `slac ARGS` in `dir` with `NO_COLOR=1`, `SLAC_TODAY` and `env`, stdin empty and
/// both outputs piped; with the command line as the user would type it, for messages.
pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (String, std::process::Child) {
    let command = format!("slac {}", args.join(" "));
    let child = Command::new(env!("CARGO_BIN_EXE_slac"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SLAC_TODAY", TODAY)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start `{command}`: {error}"));
    (command, child)
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// The end of a long output, for failure messages.
pub fn tail(text: &str) -> &str {
    const LIMIT: usize = 4000;
    if text.len() <= LIMIT {
        return text;
    }
    let mut start = text.len() - LIMIT;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}
