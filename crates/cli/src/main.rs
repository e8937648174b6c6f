//! `slac`: the command-line interface. The only crate that knows about the terminal: it parses
//! arguments, renders diagnostics (miette for people, JSON for machines) and sets exit codes.
//!
//! Exit codes: 0 success, 1 the input has errors, 2 usage or environment problem.

mod args;
mod budget;
mod build;
mod calendar;
mod check;
mod diff;
mod format;
mod init;
mod manual;
mod render;
mod report;
mod ui;
mod watch;

use std::process::ExitCode;

use clap::Parser;

/// What a command ends with, before it becomes an exit code.
pub(crate) enum Outcome {
    Success,
    InputErrors,
    Environment(String),
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let verbosity = if cli.quiet {
        ui::Verbosity::Quiet
    } else if cli.verbose {
        ui::Verbosity::Verbose
    } else {
        ui::Verbosity::Normal
    };
    ui::init(cli.color, verbosity);
    let outcome = match cli.command {
        args::Command::Check(args) => check::run(&args),
        args::Command::Fmt(args) => format::run(&args),
        args::Command::Init(args) => init::run(&args),
        args::Command::Budget(args) => budget::run(&args),
        args::Command::Build(args) => build::run(&args),
        args::Command::Watch(args) => watch::run(&args),
        args::Command::Calendar(args::CalendarCommand::Due(args)) => calendar::due(&args),
        args::Command::Calendar(args::CalendarCommand::Elapsed(args)) => calendar::elapsed(&args),
        args::Command::Diff(args) => diff::run(&args),
        args::Command::Log(args) => diff::log(&args),
        args::Command::Report(args) => report::run(&args),
        args::Command::Completions(args) => manual::completions(&args),
        args::Command::Man(args) => manual::man(&args),
        args::Command::Lsp => match slac_lsp::run() {
            Ok(true) => Outcome::Success,
            // `exit` without `shutdown` first: status 1, as the protocol says.
            Ok(false) => Outcome::InputErrors,
            Err(error) => Outcome::Environment(format!("the language server stopped: {error}")),
        },
    };
    match outcome {
        Outcome::Success => ExitCode::SUCCESS,
        Outcome::InputErrors => ExitCode::from(1),
        Outcome::Environment(message) => {
            crate::ui::tell!("error: {message}");
            ExitCode::from(2)
        }
    }
}
