//! A `slac` that keeps running while the test acts (`slac watch`, a build held before its swap):
//! its output read as it comes, waits that end in a failure with the output shown, signals.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::tail;

pub struct Running {
    pub command: String,
    child: Child,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

/// Starts `slac ARGS` in `dir` with `NO_COLOR=1`, `SLAC_TODAY` and `env`, its output piped.
pub fn spawn(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Running {
    let (command, mut child) = super::start(dir, args, env);
    let stdout = collect(child.stdout.take());
    let stderr = collect(child.stderr.take());
    Running {
        command,
        child,
        stdout,
        stderr,
    }
}

/// Appends everything read from `pipe` to a shared string, as it comes.
fn collect(pipe: Option<impl Read + Send + 'static>) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&text);
    thread::spawn(move || {
        let Some(mut pipe) = pipe else { return };
        let mut buffer = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buffer) {
            if n == 0 {
                break;
            }
            let chunk = String::from_utf8_lossy(&buffer[..n]).into_owned();
            sink.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push_str(&chunk);
        }
    });
    text
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn stdout(&self) -> String {
        self.stdout
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// What it printed so far, for failure messages.
    pub fn output(&self) -> String {
        format!(
            "`{}`\nstdout:\n{}\nstderr:\n{}",
            self.command,
            tail(&self.stdout()),
            tail(&self.stderr())
        )
    }

    /// Waits until `done` holds, failing the test with `what` and the output after `timeout`.
    pub fn wait_for(&self, what: &str, timeout: Duration, done: impl Fn(&Running) -> bool) {
        let started = Instant::now();
        while !done(self) {
            assert!(
                started.elapsed() < timeout,
                "waited {timeout:?} for {what}\n{}",
                self.output()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether it has ended.
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Sends SIGINT, as Ctrl-C in a terminal does.
    pub fn interrupt(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.pid().to_string()])
            .status()
            .expect("cannot run `kill`");
        assert!(status.success(), "`kill -INT` failed");
    }

    /// Ends it with SIGKILL, which it cannot catch, and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for its exit within `timeout` (else kills it and fails the test).
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the readers take the last of the output.
                thread::sleep(Duration::from_millis(20));
                return status;
            }
            if started.elapsed() > timeout {
                self.kill();
                panic!(
                    "`{}` did not exit within {timeout:?}\n{}",
                    self.command,
                    self.output()
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Waits until `done` holds, failing the test with `what` after `timeout`.
pub fn wait_until(what: &str, timeout: Duration, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < timeout, "waited {timeout:?} for {what}");
        thread::sleep(Duration::from_millis(5));
    }
}
