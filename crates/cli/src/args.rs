use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use slac_calendar::Duration;

use clap::{Parser, Subcommand, ValueEnum};

/// The version line: the package version, the git commit it was built from and its date.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("SLAC_GIT_COMMIT"),
    ")"
);

/// SLA-as-code: check, format and compile `.sla` agreements.
#[derive(Debug, Parser)]
#[command(name = "slac", version = VERSION, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Colours: `auto` on a terminal unless `NO_COLOR` is set, `always`, or `never`.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: crate::ui::ColorChoice,
    /// Print errors only: no warnings, notes, summaries or progress bars.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also print what is read and written, and how long it takes.
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse and check a workspace, printing every diagnostic.
    Check(CheckArgs),
    /// Check, then write monitoring configs and contract documents under the output folder (nothing on any error).
    Build(BuildArgs),
    /// Build, then build again on every change of a `.sla` file or slac.toml, until Ctrl-C (a
    /// build with errors keeps the previous output).
    Watch(BuildArgs),
    /// Rewrite `.sla` files in the canonical layout, keeping every comment.
    Fmt(FmtArgs),
    /// Create a new workspace: slac.toml, an example agreement, a .gitignore.
    Init(InitArgs),
    /// Each objective's allowance in plain words: error budget, or time allowed per ticket.
    Budget(BudgetArgs),
    /// Deadlines and open time on a calendar of the workspace (or `always`).
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Run the language server on stdin and stdout (for editors).
    Lsp,
    /// What changed in the agreements between two git revisions, and for whom.
    Diff(DiffArgs),
    /// The history of an agreement's obligations across the commits that changed it.
    Log(LogArgs),
    /// Measured service against the agreement over a period, from tickets, deliveries and
    /// survey answers.
    Report(ReportArgs),
    /// Print a completion script for a shell (`source <(slac completions bash)`).
    Completions(CompletionsArgs),
    /// Write the manual pages (`slac.1` and one per command) into a folder.
    Man(ManArgs),
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// The folder to write the pages into (created if missing).
    #[arg(long, value_name = "DIR", default_value = "man")]
    pub out: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Workspace folders or `.sla` files (default: the workspace of the current folder).
    pub paths: Vec<PathBuf>,
    /// `human`: rendered with source snippets; `json`: one object per diagnostic per line.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Workspace folders or `.sla` files (default: the workspace of the current folder).
    pub paths: Vec<PathBuf>,
    /// Write nothing: list the files that would change and exit 1 if any.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Folder of the new workspace (default: the current folder).
    pub dir: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct BudgetArgs {
    /// An agreement id, or `agreement.objective` (default: every agreement).
    #[arg(value_name = "AGREEMENT[.OBJECTIVE]")]
    pub objective: Option<String>,
    /// `human`: one sentence per objective; `json`: one object per objective per line.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// The workspace to read (default: the workspace of the current folder).
    #[arg(long, short = 'w', value_name = "PATH")]
    pub workspace: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Human,
    Markdown,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The revision to compare from (a branch, tag or commit; never read as an option).
    #[arg(value_name = "BASE", allow_hyphen_values = true)]
    pub base: String,
    /// The revision to compare to (default: the working tree, uncommitted changes included).
    #[arg(value_name = "HEAD", allow_hyphen_values = true)]
    pub head: Option<String>,
    /// `human` (coloured on a terminal), `markdown` (a pull-request comment) or `json`.
    #[arg(long, value_enum, default_value = "human")]
    pub format: DiffFormat,
    /// Exit 1 when an agreement's obligations changed and its version did not rise as the
    /// change demands (patch: wording; minor: tightening or additions; major: loosening or
    /// removals).
    #[arg(long)]
    pub check_version: bool,
    /// The workspace to read (default: the workspace of the current folder).
    #[arg(long, short = 'w', value_name = "PATH")]
    pub workspace: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Json,
    Markdown,
    Html,
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Input files: `.jsonl` events (tickets, deliveries, surveys) or `.csv` ticket rows
    /// (optional with `--prometheus`).
    #[arg(long, required_unless_present = "prometheus", num_args = 1.., value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// Measure ratio and latency objectives from this Prometheus HTTP API, business hours
    /// applied: the base URL (`http://prometheus:9090`, a Thanos querier, Mimir's
    /// `http://mimir/prometheus`).
    #[arg(long, value_name = "URL")]
    pub prometheus: Option<String>,
    /// A header sent with every request to `--prometheus`, `'NAME: VALUE'`
    /// (`'X-Scope-OrgID: tenant'` for Mimir); repeatable.
    #[arg(long, value_name = "HEADER", requires = "prometheus")]
    pub prometheus_header: Vec<String>,
    /// How long one request to `--prometheus` may take, in seconds.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 60,
        requires = "prometheus"
    )]
    pub prometheus_timeout: u64,
    /// The period: `2026-10`, `2026-Q4`, `2026-W40`, `2026` or `FROM..TO` (dates, inclusive),
    /// in each objective calendar's time zone.
    #[arg(long, value_name = "PERIOD")]
    pub period: String,
    /// The agreement to review (default: every agreement the data names).
    #[arg(long, value_name = "ID")]
    pub agreement: Option<String>,
    /// How many periods of the same kind before `--period` to measure for the trend (listed
    /// when the data covers them); 0 for none.
    #[arg(long, value_name = "N", default_value_t = slac_report::TREND_PERIODS)]
    pub trend: usize,
    /// How long a resolved ticket may still be reopened after its last event (`7d`, `72h`), or
    /// `none`: once the data reaches an event later than that, the ticket is closed and
    /// forgotten (its later events are bad lines), so memory holds only the open tickets.
    #[arg(long, value_name = "DURATION", default_value = "28d", value_parser = parse_window)]
    pub reopen_window: Window,
    /// Write the ticket ledger to this file: one CSV row per ticket and objective (outcome,
    /// deadline, lateness, escalations), every ticket, as each is judged. The report lists the
    /// first 1,000 tickets of each list.
    #[arg(long, value_name = "FILE.csv")]
    pub tickets: Option<PathBuf>,
    /// `markdown`, `json`, or `html` (one self-contained, printable page with a chart of the
    /// measure per week against the target).
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
    /// Write the report to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The workspace to read (default: the workspace of the current folder).
    #[arg(long, short = 'w', value_name = "PATH")]
    pub workspace: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// An agreement id, or `agreement.objective`.
    #[arg(value_name = "AGREEMENT[.OBJECTIVE]")]
    pub subject: String,
    /// The workspace to read (default: the workspace of the current folder).
    #[arg(long, short = 'w', value_name = "PATH")]
    pub workspace: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// The deadline of `--within` open time (or business days) from `--start`.
    Due(DueArgs),
    /// The open time between `--from` and `--to`.
    Elapsed(ElapsedArgs),
}

#[derive(Debug, clap::Args)]
pub struct DueArgs {
    /// A calendar id of the workspace, or `always`.
    pub calendar: String,
    /// When the clock starts, in RFC 3339 (`2026-03-27T16:30:00+01:00` or `…Z`).
    #[arg(long, value_name = "T", value_parser = parse_instant,
          required_unless_present = "batch", conflicts_with = "batch")]
    pub start: Option<DateTime<FixedOffset>>,
    /// Open time allowed, as in `.sla`: `4h`, `1h30m`, or business days `2bd`.
    #[arg(long, value_name = "D", value_parser = parse_duration,
          required_unless_present = "batch", conflicts_with = "batch")]
    pub within: Option<Duration>,
    /// Read CSV lines `start,within` from FILE (`-`: stdin) and write one deadline per line.
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// `human`: the deadline in words; `json`: `{"due": "…"}`.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// The workspace whose calendars to use (default: the workspace of the current folder).
    #[arg(long, short = 'w', value_name = "PATH")]
    pub workspace: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ElapsedArgs {
    /// A calendar id of the workspace, or `always`.
    pub calendar: String,
    /// Start of the interval, in RFC 3339.
    #[arg(long, value_name = "T", value_parser = parse_instant,
          required_unless_present = "batch", conflicts_with = "batch")]
    pub from: Option<DateTime<FixedOffset>>,
    /// End of the interval, in RFC 3339.
    #[arg(long, value_name = "T", value_parser = parse_instant,
          required_unless_present = "batch", conflicts_with = "batch")]
    pub to: Option<DateTime<FixedOffset>>,
    /// Read CSV lines `from,to` from FILE (`-`: stdin) and write one number of seconds per line.
    #[arg(long, value_name = "FILE")]
    pub batch: Option<PathBuf>,
    /// `human`: the open time in words; `json`: `{"seconds": N}`.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// The workspace whose calendars to use (default: the workspace of the current folder).
    #[arg(long, short = 'w', value_name = "PATH")]
    pub workspace: Option<PathBuf>,
}

/// An RFC 3339 instant, as `--start`, `--from` and `--to` take it.
pub fn parse_instant(text: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(text.trim()).map_err(|error| {
        format!("not an RFC 3339 instant ({error}): write e.g. 2026-03-27T16:30:00+01:00 or 2026-03-27T15:30:00Z")
    })
}

/// `--reopen-window`: a wall-clock duration, or none.
#[derive(Debug, Clone, Copy)]
pub struct Window(pub Option<chrono::Duration>);

fn parse_window(text: &str) -> Result<Window, String> {
    let text = text.trim();
    if text == "none" {
        return Ok(Window(None));
    }
    match Duration::parse(text)? {
        Duration::Millis(ms) => i64::try_from(ms)
            .ok()
            .and_then(chrono::Duration::try_milliseconds)
            .map(|d| Window(Some(d)))
            .ok_or_else(|| format!("`{text}` is too long a window")),
        Duration::BusinessDays(_) => Err(format!(
            "`{text}`: the reopen window is wall-clock time: write e.g. `28d`, `72h`, or `none`"
        )),
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    Duration::parse(text.trim())
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Workspace folders or `.sla` files (default: the workspace of the current folder).
    pub paths: Vec<PathBuf>,
    /// Output folder (default: `[workspace] out` of slac.toml, else `build` in the workspace).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Targets to build, comma-separated (default: all): prometheus, alertmanager, grafana, openslo, docs.
    #[arg(long, value_delimiter = ',')]
    pub target: Vec<String>,
}
