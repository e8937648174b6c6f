//! `slac report`: measured service against the agreement over a period.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use slac_report::prometheus::{self, ProblemKind, Source};

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
        Err(error) => return Outcome::Environment(crate::check::explain_load(&error)),
    };
    if workspace.has_errors() {
        render::human(&workspace.diagnostics, &workspace.sources);
        crate::ui::tell!("error: the workspace has errors: fix them to measure against it");
        return Outcome::InputErrors;
    }
    // Files are opened one after the other, as the report reads them: a missing one is an
    // environment error before anything is measured.
    let started = std::time::Instant::now();
    let mut handles = Vec::new();
    for file in &args.data {
        match std::fs::File::open(file) {
            Ok(handle) => handles.push((file.clone(), handle)),
            Err(error) => {
                return Outcome::Environment(format!(
                    "{}: {error}; check the path given to --data",
                    file.display()
                ))
            }
        }
    }
    let total: u64 = handles
        .iter()
        .filter_map(|(_, handle)| handle.metadata().ok())
        .map(|m| m.len())
        .sum();
    let progress = crate::ui::Progress::bytes(total, "reading");
    let inputs: Vec<(PathBuf, Box<dyn BufRead>)> = handles
        .into_iter()
        .map(|(file, handle)| {
            let read: Box<dyn BufRead> = Box::new(BufReader::new(progress.wrap_read(handle)));
            (file, read)
        })
        .collect();
    let source = match monitoring_source(args) {
        Ok(source) => source,
        Err(message) => return Outcome::Environment(message),
    };
    // The ledger is written beside its path and renamed into place once the measure is done:
    // a failed report leaves no half-written ledger (nor destroys a previous one).
    let ledger_partial = args.tickets.as_ref().map(|path| {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".partial-{}", std::process::id()));
        path.with_file_name(name)
    });
    let ledger: Option<Box<dyn Write>> = match &ledger_partial {
        Some(partial) => match std::fs::File::create(partial) {
            Ok(file) => Some(Box::new(std::io::BufWriter::with_capacity(1 << 16, file))),
            Err(error) => {
                return Outcome::Environment(format!(
                    "{}: {error}; check the path given to --tickets",
                    args.tickets.as_deref().unwrap_or(partial).display()
                ))
            }
        },
        None => None,
    };
    let measure_options = slac_report::MeasureOptions {
        trend: args.trend,
        reopen_window: args.reopen_window.0,
        ledger,
        // A review from monitoring data covers the agreements it monitors, named or not.
        include_monitored: source.is_some(),
    };
    let mut report = match slac_report::measure_with(
        &workspace.model,
        args.agreement.as_deref(),
        &period,
        measure_options,
        inputs,
    ) {
        Ok(report) => report,
        Err(error) => {
            if let Some(partial) = &ledger_partial {
                let _ = std::fs::remove_file(partial);
            }
            return Outcome::Environment(error.to_string());
        }
    };
    if let (Some(partial), Some(path)) = (&ledger_partial, &args.tickets) {
        if let Err(error) = std::fs::rename(partial, path) {
            let _ = std::fs::remove_file(partial);
            return Outcome::Environment(format!(
                "{}: {error}; check the path given to --tickets",
                path.display()
            ));
        }
    }
    let mut problems = Vec::new();
    if let Some(source) = &source {
        problems =
            prometheus::measure_monitoring(&mut report, &workspace.model, source, args.trend);
    }
    progress.finish();
    crate::ui::detail!(
        "read {} line(s) of {} file(s), {} event(s) used, in {} ms",
        report.summary.lines,
        report.summary.files,
        report.summary.events,
        started.elapsed().as_millis()
    );
    let written = match &args.out {
        Some(out) => std::fs::File::create(out)
            .and_then(|file| write_report(&report, args.format, file))
            .map_err(|error| format!("{}: {error}", out.display())),
        None => write_report(&report, args.format, std::io::stdout().lock())
            .map_err(|error| error.to_string()),
    };
    if let Err(message) = written {
        return Outcome::Environment(message);
    }
    for bad in report.bad_lines.iter().take(20) {
        crate::ui::warning!("{}:{}: {}", bad.file.display(), bad.line, bad.reason);
    }
    if report.summary.bad_lines > 20 {
        crate::ui::warning!(
            "{} more bad line(s), listed in the report",
            report.summary.bad_lines - 20
        );
    }
    for problem in problems.iter().filter(|p| p.kind != ProblemKind::Source) {
        crate::ui::warning!("{problem}");
    }
    // The report is written whatever the source said; a source that cannot be read is an
    // environment error, as an unreadable data file is.
    if let Some(problem) = problems.iter().find(|p| p.kind == ProblemKind::Source) {
        return Outcome::Environment(format!(
            "--prometheus {problem} (its ratio and latency objectives are not measured)"
        ));
    }
    if report.all_met() && !problems.iter().any(|p| p.kind == ProblemKind::Query) {
        Outcome::Success
    } else {
        Outcome::InputErrors
    }
}

/// Writes the report in `format`; JSON is written as it is serialized, without a copy in memory.
fn write_report(
    report: &slac_report::Report,
    format: ReportFormat,
    out: impl Write,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(out);
    match format {
        ReportFormat::Markdown => {
            out.write_all(slac_report::markdown::render(report).as_bytes())?
        }
        ReportFormat::Html => out.write_all(slac_report::html::render(report).as_bytes())?,
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, report)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()
}

/// The monitoring source of `--prometheus`, with its headers and timeout.
fn monitoring_source(args: &ReportArgs) -> Result<Option<Source>, String> {
    let Some(url) = &args.prometheus else {
        return Ok(None);
    };
    let mut source = Source::new(url).map_err(|error| format!("--prometheus: {error}"))?;
    for header in &args.prometheus_header {
        source.headers.push(
            Source::parse_header(header)
                .map_err(|error| format!("--prometheus-header: {error}"))?,
        );
    }
    if args.prometheus_timeout == 0 {
        return Err("--prometheus-timeout: give a number of seconds above 0".into());
    }
    source.timeout = std::time::Duration::from_secs(args.prometheus_timeout);
    Ok(Some(source))
}
