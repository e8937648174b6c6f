//! promtool, Prometheus's own tool, as the tests of the generated rules run it, and the traffic
//! they feed its unit tests.

use std::fmt::Write as _;
use std::io::ErrorKind;
use std::process::{Command, Output};

/// Runs promtool; fails the test, saying how to install it, when it is not on PATH.
pub fn promtool(args: &[&str]) -> Output {
    match Command::new("promtool").args(args).output() {
        Ok(output) => output,
        Err(error) if error.kind() == ErrorKind::NotFound => panic!(
            "promtool is not on PATH: the Prometheus tests check the generated rules with it. \
             Run scripts/install-test-tools (it installs Debian's `prometheus` package), \
             then run the tests again."
        ),
        Err(error) => panic!("cannot run promtool: {error}"),
    }
}

/// What a run printed, stdout then stderr.
pub fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A YAML double-quoted scalar (a JSON string is one).
pub fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// Traffic of the API: `minutes` minutes at `total` requests per minute, `errors` of them 5xx.
#[derive(Clone, Copy)]
pub struct Phase {
    pub minutes: u32,
    pub total: u64,
    pub errors: u64,
}

/// Traffic given per second, with whole numbers (per-minute counts are multiples of 60), so
/// that the recording rule of the 5m window is exact: its rates are whole numbers, and their
/// ratio is the floating-point number nearest to the injected ratio, so `0.02` compares equal
/// (promtool compares sample values exactly). The 5m window is exact under both range rules:
/// Prometheus 2 reads the 6 samples of `[t - 5m, t]` over 300 s; Prometheus 3 reads the 5 of
/// `(t - 5m, t]` over 240 s and extrapolates by 300/240 = 1.25, exact in binary. Longer windows
/// are not exact under Prometheus 3 (60/59 for 1h), so only ratios of 0 are checked on them.
pub const fn steady(minutes: u32, errors_per_second: u64, total_per_second: u64) -> Phase {
    Phase {
        minutes,
        total: total_per_second * 60,
        errors: errors_per_second * 60,
    }
}

/// The values of a counter that starts at 0 at t = 0 and grows by `per_minute(phase)` each
/// minute of each phase, in promtool's expanding notation (`a+bxn` is a, a+b, …, a+n·b): the
/// increase from minute m - 1 to minute m belongs to the phase that holds minute m.
pub fn counter(phases: &[Phase], per_minute: impl Fn(&Phase) -> u64) -> String {
    let mut values = String::from("0");
    let mut value = 0;
    for phase in phases {
        let step = per_minute(phase);
        write!(values, " {}+{}x{}", value + step, step, phase.minutes - 1).expect("a String");
        value += step * u64::from(phase.minutes);
    }
    values
}

/// One expected alert: its labels besides `alertname`, and its annotations.
pub struct Alert {
    pub labels: Vec<(&'static str, String)>,
    pub annotations: Vec<(&'static str, String)>,
}

/// The objective whose alerts a test expects, and the policy of its escalation levels (levels
/// 1 and 2 at 50% and 75% telling `platform.oncall` and `platform.lead`, level 3 at breach
/// telling `platform.lead` and `acme.account_manager`).
pub struct Objective {
    pub agreement: &'static str,
    pub objective: &'static str,
    pub title: &'static str,
    /// The `budget` annotation.
    pub budget: &'static str,
    pub policy: &'static str,
}

impl Objective {
    fn labels(&self) -> Vec<(&'static str, String)> {
        vec![
            ("agreement", self.agreement.to_string()),
            ("objective", self.objective.to_string()),
        ]
    }

    /// `SlacErrorBudgetBurn`: `page` when the budget burns fast, `ticket` when it burns
    /// steadily.
    pub fn burn(&self, severity: &str) -> Alert {
        let speed = if severity == "page" {
            "fast"
        } else {
            "steadily"
        };
        let mut labels = self.labels();
        labels.push(("severity", severity.to_string()));
        Alert {
            labels,
            annotations: vec![
                (
                    "summary",
                    format!(
                        "{}.{} is burning its error budget {speed}",
                        self.agreement, self.objective
                    ),
                ),
                ("budget", self.budget.to_string()),
                ("title", self.title.to_string()),
            ],
        }
    }

    /// `SlacEscalation` for a level of the policy.
    pub fn escalation(&self, level: u32) -> Alert {
        let (share, notify, severity) = match level {
            1 => ("50% of", "platform.oncall", "ticket"),
            2 => ("75% of", "platform.lead", "ticket"),
            3 => ("more than", "platform.lead, acme.account_manager", "page"),
            _ => panic!("{} has levels 1 to 3", self.policy),
        };
        let mut labels = self.labels();
        labels.push(("escalation_level", level.to_string()));
        labels.push(("severity", severity.to_string()));
        Alert {
            labels,
            annotations: vec![
                (
                    "summary",
                    format!(
                        "{}.{} has used {share} its error budget over 30d: escalation level {level} ({})",
                        self.agreement, self.objective, self.policy
                    ),
                ),
                ("notify", notify.to_string()),
                ("budget", self.budget.to_string()),
                ("title", self.title.to_string()),
            ],
        }
    }
}
