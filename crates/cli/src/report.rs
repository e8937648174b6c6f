//! `slac report`: measured service against the agreement over a period.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use crate::args::{ReportArgs, ReportFormat};
use crate::{render, Outcome};

pub fn run(args: &ReportArgs) -> Outcome {
    let period: slac_report::Period = match args.period.parse() {
        Ok(period) => period,
        Err(error) => return Outcome::Environment(format!("--period: {error}")),
    };
    let options = match slac_model::today_from_env() {
        Ok(today) => slac_model::Options { today },
        Err(message) => return Outcome::Environment(message),
    };
    let path = args.workspace.clone().unwrap_or_else(|| PathBuf::from("."));
    let workspace = match slac_model::load(&path, &options) {
        Ok(workspace) => workspace,
        Err(error) => return Outcome::Environment(error.to_string()),
    };
    if workspace.has_errors() {
        render::human(&workspace.diagnostics, &workspace.sources);
        eprintln!("error: the workspace has errors: fix them to measure against it");
        return Outcome::InputErrors;
    }
    // Files are opened one after the other, as the report reads them: a missing one is an
    // environment error before anything is measured.
    let mut inputs: Vec<(PathBuf, Box<dyn BufRead>)> = Vec::new();
    for file in &args.data {
        match std::fs::File::open(file) {
            Ok(handle) => inputs.push((file.clone(), Box::new(BufReader::new(handle)))),
            Err(error) => return Outcome::Environment(format!("{}: {error}", file.display())),
        }
    }
    let report =
        match slac_report::measure(&workspace.model, args.agreement.as_deref(), &period, inputs) {
            Ok(report) => report,
            Err(error) => return Outcome::Environment(error.to_string()),
        };
    let text = match args.format {
        ReportFormat::Markdown => slac_report::markdown::render(&report),
        ReportFormat::Html => slac_report::html::render(&report),
        ReportFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(json) => format!("{json}\n"),
            Err(error) => return Outcome::Environment(error.to_string()),
        },
    };
    let written = match &args.out {
        Some(out) => std::fs::write(out, text.as_bytes())
            .map_err(|error| format!("{}: {error}", out.display())),
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|error| error.to_string()),
    };
    if let Err(message) = written {
        return Outcome::Environment(message);
    }
    for bad in report.bad_lines.iter().take(20) {
        eprintln!(
            "warning: {}:{}: {}",
            bad.file.display(),
            bad.line,
            bad.reason
        );
    }
    if report.summary.bad_lines > 20 {
        eprintln!(
            "warning: {} more bad line(s), listed in the report",
            report.summary.bad_lines - 20
        );
    }
    if report.all_met() {
        Outcome::Success
    } else {
        Outcome::InputErrors
    }
}
