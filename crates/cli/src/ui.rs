//! How the command talks to the person at the terminal: colours (`--color`, `NO_COLOR`), how
//! much it says (`--quiet`, `--verbose`) and progress bars for long work. Set once from the
//! global flags, read everywhere in the CLI.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// `--color`: `auto` colours a terminal unless `NO_COLOR` is set to something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// How much the command says besides its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Verbosity {
    /// `--quiet`: errors only.
    Quiet,
    #[default]
    Normal,
    /// `--verbose`: what was read and written, and how long it took.
    Verbose,
}

#[derive(Debug, Clone, Copy, Default)]
struct Settings {
    color: ColorChoice,
    verbosity: Verbosity,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// Sets the choices of the command line; the first call wins.
pub fn init(color: ColorChoice, verbosity: Verbosity) {
    let _ = SETTINGS.set(Settings { color, verbosity });
}

fn settings() -> Settings {
    SETTINGS.get().copied().unwrap_or_default()
}

/// Whether to colour a stream: `--color always|never`, else only a terminal, and never when
/// `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
pub fn colour(stream_is_terminal: bool) -> bool {
    match settings().color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

pub fn verbosity() -> Verbosity {
    settings().verbosity
}

pub fn quiet() -> bool {
    verbosity() == Verbosity::Quiet
}

pub fn verbose() -> bool {
    verbosity() == Verbosity::Verbose
}

/// Text for the terminal, which may hold text from the input (names, paths, ticket ids): its
/// control characters shown escaped (`\u{1b}`), so that none acts on the terminal. Every
/// message of the CLI for people goes through it ([`say`], [`tell`] and the macros below); slac's
/// own escape sequences (colours, clearing the screen) are added after.
pub fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    slac_escape::terminal::escape(text)
}

/// A line for people on stdout, through [`shown`].
macro_rules! say {
    ($($arg:tt)*) => {
        println!("{}", $crate::ui::shown(&format!($($arg)*)))
    };
}

/// A line for people on stderr, through [`shown`].
macro_rules! tell {
    ($($arg:tt)*) => {
        eprintln!("{}", $crate::ui::shown(&format!($($arg)*)))
    };
}

/// A note on stderr (`note: …`), left out with `--quiet`.
macro_rules! note {
    ($($arg:tt)*) => {
        if !$crate::ui::quiet() {
            $crate::ui::tell!("note: {}", format_args!($($arg)*));
        }
    };
}

/// A warning on stderr (`warning: …`), left out with `--quiet`.
macro_rules! warning {
    ($($arg:tt)*) => {
        if !$crate::ui::quiet() {
            $crate::ui::tell!("warning: {}", format_args!($($arg)*));
        }
    };
}

/// A line on stderr only with `--verbose`.
macro_rules! detail {
    ($($arg:tt)*) => {
        if $crate::ui::verbose() {
            $crate::ui::tell!("{}", format_args!($($arg)*));
        }
    };
}

pub(crate) use {detail, note, say, tell, warning};

/// How long work runs before its progress bar appears: a second, or `SLAC_PROGRESS_AFTER_MS`
/// milliseconds (0 shows it at once).
fn show_after() -> Duration {
    std::env::var("SLAC_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|ms| ms.trim().parse().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis)
}

/// A progress bar on stderr: drawn only when stderr is a terminal, not with `--quiet`, and
/// only once the work has run for a second (quick commands print nothing). Cleared when
/// finished or dropped.
pub struct Progress {
    bar: ProgressBar,
    /// Set when the work is over; the bar is shown only while it is not.
    done: Arc<Mutex<bool>>,
}

impl Progress {
    /// A bar over `total` bytes.
    pub fn bytes(total: u64, message: &str) -> Progress {
        Progress::new(
            ProgressBar::new(total),
            "{msg} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
            message,
        )
    }

    /// A spinner for work of unknown length, saying what it does.
    pub fn spinner(message: &str) -> Progress {
        Progress::new(
            ProgressBar::no_length(),
            "{spinner} {msg} ({elapsed})",
            message,
        )
    }

    fn new(bar: ProgressBar, template: &str, message: &str) -> Progress {
        bar.set_draw_target(ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(shown(message).into_owned());
        let done = Arc::new(Mutex::new(false));
        if std::io::stderr().is_terminal() && !quiet() {
            let (bar, done) = (bar.clone(), done.clone());
            // Detached: it sleeps a second, then shows the bar if the work still runs.
            std::thread::spawn(move || {
                std::thread::sleep(show_after());
                let done = done.lock().unwrap_or_else(|e| e.into_inner());
                if !*done {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.enable_steady_tick(Duration::from_millis(120));
                }
            });
        }
        Progress { bar, done }
    }

    /// Says what the work does now (a path, say: shown escaped).
    pub fn set_message(&self, message: &str) {
        self.bar.set_message(shown(message).into_owned());
    }

    /// Wraps a reader so that what is read moves the bar.
    pub fn wrap_read<R: std::io::Read>(&self, read: R) -> indicatif::ProgressBarIter<R> {
        self.bar.wrap_read(read)
    }

    pub fn finish(&self) {
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        if !*done {
            *done = true;
            self.bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
