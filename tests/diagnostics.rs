//! Data-driven test of `slac check`, run the way users run it: the real
//! binary with `--format json`, on the fixtures of `tests/fixtures/`.
//!
//! It proves two things:
//!
//! - every fixture of `tests/fixtures/diagnostics/` gets exactly the
//!   diagnostics written inline in its `.sla` files, no more and no fewer,
//!   compared as a multiset of (file, line, code); and `slac` exits with 1
//!   when an error is expected, with 0 when only warnings are;
//! - every fixture of `tests/fixtures/spec/` (the examples of the language
//!   reference) is clean: no diagnostic at all, exit status 0.
//!
//! A fixture is a `.sla` file (a one-file workspace) or a folder (a
//! workspace with its `slac.toml`). An expectation is a comment at the end of
//! the line where the diagnostic's primary span starts, `// expect: E002`,
//! or a line `// expect-next-line: E001` just above a line that cannot carry
//! one; several codes are separated by spaces.
//!
//! Every line that `slac` prints must also follow the JSON format of
//! `docs/cli.md`. Today's date is fixed with `SLAC_TODAY` so that W003
//! does not depend on the day the test runs. Mismatches of all fixtures are
//! collected and reported together, so one run shows everything that is
//! wrong.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Read;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

/// The date W003 compares against, passed as `SLAC_TODAY`.
const TODAY: &str = "2026-11-25";

/// How long one `slac check` may take before it counts as hung.
const TIMEOUT: Duration = Duration::from_secs(120);

/// How many lines of `slac`'s stderr a report shows.
const STDERR_LINES: usize = 30;

const EXPECT: &str = "// expect:";
const EXPECT_NEXT_LINE: &str = "// expect-next-line:";

/// Each diagnostic fixture gets exactly the diagnostics it writes inline.
#[test]
fn diagnostic_fixtures_report_exactly_the_expected_diagnostics() {
    let dir = fixtures_dir("diagnostics");
    let fixtures = list_fixtures(&dir).unwrap_or_else(|error| panic!("{error}"));
    assert!(
        !fixtures.is_empty(),
        "no fixture in {}: the test would prove nothing",
        dir.display()
    );
    let cwd = empty_working_dir();
    let failures = in_parallel(&fixtures, |fixture| match inline_expectations(fixture) {
        Ok(expected) => check_fixture(fixture, &expected, &cwd),
        Err(problems) => problems,
    });
    report(&dir, &fixtures, &failures);
}

/// The language reference's examples check clean; an empty or missing
/// folder fails, since a test that cannot fail proves nothing.
#[test]
fn spec_fixtures_have_no_diagnostics() {
    let dir = fixtures_dir("spec");
    let fixtures = list_fixtures(&dir).unwrap_or_else(|error| panic!("{error}"));
    assert!(
        !fixtures.is_empty(),
        "no fixture in {}: the examples of the language reference must be there",
        dir.display()
    );
    let cwd = empty_working_dir();
    let failures = in_parallel(&fixtures, |fixture| check_fixture(fixture, &[], &cwd));
    report(&dir, &fixtures, &failures);
}

/// One entry of a fixtures folder.
struct Fixture {
    /// The entry's name: `e005_bad_date.sla` or `e009_import_cycle`.
    name: String,
    /// What `slac check` is given.
    path: PathBuf,
    /// The folder that the file names of expectations and diagnostics are
    /// relative to: the fixture folder, or the folder of a one-file fixture.
    root: PathBuf,
    /// The fixture's `.sla` files, relative to `root`.
    sources: Vec<PathBuf>,
}

/// A diagnostic as far as fixtures pin it down.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    /// Relative to the fixture's root, with `/` separators.
    file: String,
    /// 1-based line where the primary span starts.
    line: u64,
    code: String,
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{} {}", self.file, self.line, self.code)
    }
}

/// A diagnostic that `slac` printed.
struct Reported {
    key: Key,
    message: String,
}

/// What one run of `slac check` did.
struct Run {
    /// `None` when the run was killed after [`TIMEOUT`].
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

fn fixtures_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(kind)
}

/// A folder of our own to run `slac` in, so that no workspace is found by
/// accident around the current folder.
fn empty_working_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("diagnostics-cwd");
    fs::create_dir_all(&dir)
        .unwrap_or_else(|error| panic!("cannot create {}: {error}", dir.display()));
    dir
}

/// Every fixture of `dir`, sorted by name. `.md` files document the folder
/// and hidden entries belong to tools; anything else that is neither a `.sla`
/// file nor a folder is a mistake.
fn list_fixtures(dir: &Path) -> Result<Vec<Fixture>, String> {
    let dir = dir
        .canonicalize()
        .map_err(|error| format!("cannot open the fixtures folder {}: {error}", dir.display()))?;
    let mut fixtures = Vec::new();
    for path in sorted_entries(&dir)? {
        let name = file_name(&path);
        if name.starts_with('.') || has_extension(&path, "md") {
            continue;
        }
        if path.is_dir() {
            let mut sources = Vec::new();
            collect_sources(&path, &path, &mut sources)?;
            if sources.is_empty() {
                return Err(format!(
                    "fixture folder {} has no .sla file",
                    path.display()
                ));
            }
            fixtures.push(Fixture {
                name,
                root: path.clone(),
                path,
                sources,
            });
        } else if has_extension(&path, "sla") {
            fixtures.push(Fixture {
                sources: vec![PathBuf::from(&name)],
                name,
                root: dir.clone(),
                path,
            });
        } else {
            return Err(format!(
                "{} is not a fixture: fixtures are .sla files or folders",
                path.display()
            ));
        }
    }
    Ok(fixtures)
}

/// The `.sla` files below `dir`, relative to `root`, in a stable order.
fn collect_sources(root: &Path, dir: &Path, sources: &mut Vec<PathBuf>) -> Result<(), String> {
    for path in sorted_entries(dir)? {
        if path.is_dir() {
            collect_sources(root, &path, sources)?;
        } else if has_extension(&path, "sla") {
            let relative = path
                .strip_prefix(root)
                .map_err(|error| format!("{}: {error}", path.display()))?;
            sources.push(relative.to_path_buf());
        }
    }
    Ok(())
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        fs::read_dir(dir).map_err(|error| format!("cannot list {}: {error}", dir.display()))?;
    let mut paths = entries
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| format!("cannot list {}: {error}", dir.display()))?;
    paths.sort();
    Ok(paths)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|found| found == extension)
}

/// `path` with `/` separators whatever the platform, as fixtures write it.
fn slash_path(path: &Path) -> String {
    path.components()
        .map(|component| component.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The diagnostics that the fixture's `.sla` files expect, or every
/// malformed expectation.
fn inline_expectations(fixture: &Fixture) -> Result<Vec<Key>, Vec<String>> {
    let mut expected = Vec::new();
    let mut problems = Vec::new();
    for source in &fixture.sources {
        let file = slash_path(source);
        match fs::read_to_string(fixture.root.join(source)) {
            Ok(text) => parse_expectations(&file, &text, &mut expected, &mut problems),
            Err(error) => problems.push(format!("cannot read {file}: {error}")),
        }
    }
    if expected.is_empty() && problems.is_empty() {
        problems.push(
            "expects no diagnostic: clean inputs belong in tests/fixtures/spec, \
             and a diagnostic fixture must say what it expects"
                .to_owned(),
        );
    }
    if problems.is_empty() {
        Ok(expected)
    } else {
        Err(problems)
    }
}

/// Adds the expectations of one source file to `expected`, and each
/// malformed one to `problems`: a marker without codes, something that is not
/// a code, or `expect-next-line` with no next line.
fn parse_expectations(file: &str, text: &str, expected: &mut Vec<Key>, problems: &mut Vec<String>) {
    let line_count = text.lines().count();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let (codes, target) = if let Some(rest) = line.trim_start().strip_prefix(EXPECT_NEXT_LINE) {
            if number == line_count {
                problems.push(format!(
                    "{file}:{number}: `{EXPECT_NEXT_LINE}` on the last line"
                ));
                continue;
            }
            (rest, number + 1)
        } else if let Some(start) = line.find(EXPECT) {
            (&line[start + EXPECT.len()..], number)
        } else {
            continue;
        };
        let codes: Vec<&str> = codes.split_whitespace().collect();
        if codes.is_empty() {
            problems.push(format!("{file}:{number}: an expectation without any code"));
        }
        for code in codes {
            if is_code(code) {
                expected.push(Key {
                    file: file.to_owned(),
                    line: target as u64,
                    code: code.to_owned(),
                });
            } else {
                problems.push(format!(
                    "{file}:{number}: `{code}` is not a diagnostic code (E001, W003, …)"
                ));
            }
        }
    }
}

fn is_code(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some('E' | 'W')) && text.len() == 4 && chars.all(|c| c.is_ascii_digit())
}

/// Runs `slac check` on the fixture and lists everything that differs from
/// `expected`; empty when the fixture passes.
fn check_fixture(fixture: &Fixture, expected: &[Key], cwd: &Path) -> Vec<String> {
    let run = match run_check(&fixture.path, cwd) {
        Ok(run) => run,
        Err(error) => return vec![error],
    };
    let mut problems = Vec::new();
    let mut reported = Vec::new();
    for (index, line) in run.stdout.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_diagnostic(line, fixture, cwd) {
            Ok(diagnostic) => reported.push(diagnostic),
            Err(error) => problems.push(format!(
                "stdout line {} does not follow the JSON format ({error}):\n    {line}",
                index + 1
            )),
        }
    }

    let (missing, unexpected) = compare(expected, reported);
    if !missing.is_empty() {
        let lines: Vec<String> = missing.iter().map(|key| format!("    {key}")).collect();
        problems.push(format!(
            "missing (expected, not reported):\n{}",
            lines.join("\n")
        ));
    }
    if !unexpected.is_empty() {
        let lines: Vec<String> = unexpected
            .iter()
            .map(|diagnostic| format!("    {}  {}", diagnostic.key, diagnostic.message))
            .collect();
        problems.push(format!(
            "unexpected (reported, not expected):\n{}",
            lines.join("\n")
        ));
    }

    let expected_status = if expected.iter().any(|key| key.code.starts_with('E')) {
        1
    } else {
        0
    };
    let status_is_right = run.status.and_then(|status| status.code()) == Some(expected_status);
    if !status_is_right {
        problems.push(format!(
            "exit status: {}, expected {expected_status}",
            describe_status(run.status)
        ));
    }
    if !problems.is_empty() && !run.stderr.trim().is_empty() {
        problems.push(format!("stderr:\n{}", excerpt(&run.stderr)));
    }
    problems
}

/// Runs `slac check <path> --format json`, killing it after [`TIMEOUT`].
fn run_check(path: &Path, cwd: &Path) -> Result<Run, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_slac"))
        .arg("check")
        .arg(path)
        .args(["--format", "json"])
        .env("SLAC_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run slac: {error}"))?;

    // Both pipes are drained while the child runs, so that a large output
    // cannot block it.
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let stdout = thread::spawn(move || read_all(stdout));
    let stderr = thread::spawn(move || read_all(stderr));

    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                // The run is reported as hung whether or not these succeed.
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(error) => return Err(format!("cannot wait for slac: {error}")),
        }
    };
    let stdout = stdout
        .join()
        .map_err(|_| "the stdout reader panicked".to_owned())?;
    let stderr = stderr
        .join()
        .map_err(|_| "the stderr reader panicked".to_owned())?;
    Ok(Run {
        status,
        stdout,
        stderr,
    })
}

fn read_all(pipe: Option<impl Read>) -> String {
    let mut bytes = Vec::new();
    if let Some(mut pipe) = pipe {
        // A read error leaves what was read so far, which the report shows.
        let _ = pipe.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn describe_status(status: Option<ExitStatus>) -> String {
    match status.map(|status| status.code()) {
        None => format!("none, killed after {} s", TIMEOUT.as_secs()),
        Some(Some(101)) => "101 (a panic, which is always a bug)".to_owned(),
        Some(Some(code)) => code.to_string(),
        Some(None) => "none, ended by a signal".to_owned(),
    }
}

fn excerpt(text: &str) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let mut shown: Vec<String> = lines
        .iter()
        .take(STDERR_LINES)
        .map(|line| format!("    | {line}"))
        .collect();
    if lines.len() > STDERR_LINES {
        shown.push(format!("    | … {} more lines", lines.len() - STDERR_LINES));
    }
    shown.join("\n")
}

/// Reads one line of `slac check --format json` and checks it against the
/// format of `docs/cli.md`.
fn parse_diagnostic(line: &str, fixture: &Fixture, cwd: &Path) -> Result<Reported, String> {
    let value: Value = serde_json::from_str(line).map_err(|error| error.to_string())?;
    let object = value.as_object().ok_or("not a JSON object")?;

    let code = string_field(object, "code")?;
    if !is_code(code) {
        return Err(format!("`code` {code:?} is not a diagnostic code"));
    }
    let severity = string_field(object, "severity")?;
    let expected_severity = if code.starts_with('E') {
        "error"
    } else {
        "warning"
    };
    if severity != expected_severity {
        return Err(format!(
            "`severity` is {severity:?} but {code} is an {expected_severity}"
        ));
    }
    let message = string_field(object, "message")?;
    let (file, line) = span_fields(object)?;

    let labels = object
        .get("labels")
        .and_then(Value::as_array)
        .ok_or("`labels` is missing or not an array")?;
    for label in labels {
        let label = label.as_object().ok_or("a label is not an object")?;
        string_field(label, "message").map_err(|error| format!("in a label: {error}"))?;
        span_fields(label).map_err(|error| format!("in a label: {error}"))?;
    }
    match object.get("help") {
        Some(Value::String(_) | Value::Null) => {}
        _ => return Err("`help` is missing or neither a string nor null".to_owned()),
    }

    Ok(Reported {
        key: Key {
            file: fixture_file(file, fixture, cwd),
            line,
            code: code.to_owned(),
        },
        message: message.to_owned(),
    })
}

fn string_field<'a>(object: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    object
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("`{name}` is missing or not a string"))
}

fn position_field(object: &Map<String, Value>, name: &str) -> Result<u64, String> {
    object
        .get(name)
        .and_then(Value::as_u64)
        .filter(|&position| position >= 1)
        .ok_or_else(|| format!("`{name}` is missing or not a 1-based position"))
}

/// Checks `file`, `line`, `column`, `end_line` and `end_column`, and returns
/// the file and the start line.
fn span_fields(object: &Map<String, Value>) -> Result<(&str, u64), String> {
    let file = string_field(object, "file")?;
    let start = (
        position_field(object, "line")?,
        position_field(object, "column")?,
    );
    let end = (
        position_field(object, "end_line")?,
        position_field(object, "end_column")?,
    );
    if end < start {
        return Err(format!(
            "the span ends ({end:?}) before it starts ({start:?})"
        ));
    }
    Ok((file, start.0))
}

/// The name of a reported file relative to the fixture's root, whether
/// `slac` printed it absolute, relative to the workspace root, or relative to
/// the folder it ran in. A file outside the fixture keeps its printed name,
/// so it can only be unexpected.
fn fixture_file(printed: &str, fixture: &Fixture, cwd: &Path) -> String {
    let printed_path = Path::new(printed);
    let candidates = if printed_path.is_absolute() {
        vec![printed_path.to_path_buf()]
    } else {
        vec![fixture.root.join(printed_path), cwd.join(printed_path)]
    };
    candidates
        .iter()
        .filter_map(|candidate| candidate.canonicalize().ok())
        .find_map(|found| found.strip_prefix(&fixture.root).ok().map(slash_path))
        .unwrap_or_else(|| printed.to_owned())
}

/// Splits the difference of two multisets: expected but not reported, and
/// reported but not expected.
fn compare(expected: &[Key], reported: Vec<Reported>) -> (Vec<Key>, Vec<Reported>) {
    let mut remaining: BTreeMap<&Key, usize> = BTreeMap::new();
    for key in expected {
        *remaining.entry(key).or_default() += 1;
    }
    let mut unexpected = Vec::new();
    for diagnostic in reported {
        match remaining.get_mut(&diagnostic.key) {
            Some(count) if *count > 0 => *count -= 1,
            _ => unexpected.push(diagnostic),
        }
    }
    unexpected.sort_by(|a, b| a.key.cmp(&b.key));
    let missing = remaining
        .into_iter()
        .flat_map(|(key, count)| std::iter::repeat_n(key.clone(), count))
        .collect();
    (missing, unexpected)
}

/// Runs `job` on every item on all cores and returns the results in the
/// order of `items`.
fn in_parallel<T: Sync, R: Send>(items: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let workers = thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(items.len())
        .max(1);
    let mut results: Vec<(usize, R)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(index) else {
                            break done;
                        };
                        done.push((index, job(item)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// Fails the test once, listing every fixture that failed and why.
fn report(dir: &Path, fixtures: &[Fixture], failures: &[Vec<String>]) {
    let failed: Vec<String> = fixtures
        .iter()
        .zip(failures)
        .filter(|(_, problems)| !problems.is_empty())
        .map(|(fixture, problems)| {
            let problems: Vec<String> = problems
                .iter()
                .map(|problem| format!("  {problem}"))
                .collect();
            format!("{}\n{}", fixture.name, problems.join("\n"))
        })
        .collect();
    assert!(
        failed.is_empty(),
        "\n{} of {} fixtures in {} failed \
         (each ran `slac check <fixture> --format json` with SLAC_TODAY={TODAY}):\n\n{}\n",
        failed.len(),
        fixtures.len(),
        dir.display(),
        failed.join("\n\n")
    );
}
