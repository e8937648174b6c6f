//! Thousands of random edits of the example workspace never make slac panic or hang.
//!
//! Each case takes one `.sla` file of `examples/` and applies one to three edits drawn from a
//! seeded generator: deletions and duplications of lines and spans, swapped lines, a truncated
//! file, junk tokens, huge numbers, impossible dates, deep nesting of braces, odd Unicode (right-
//! to-left marks, combining characters, NUL, a byte-order mark inside the text, line separators),
//! bytes that are not UTF-8, a byte-order mark, CRLF or CR line endings, long identifiers and
//! repeated declarations. The workspace, with that file replaced, then goes through what `slac
//! check`, `slac fmt --check` and `slac build` do:
//!
//! - in-process, through the library crates, for most cases (no process start, so thousands fit
//!   in the time of a test): loading through `slac_model::load_with` (the disk's discovery,
//!   include globs and UTF-8 check, with the mutated file served from memory), rendering every
//!   diagnostic as JSON and for people, formatting (a file that formats is stable), and building
//!   every target when the workspace has no errors;
//! - through the real binary for a sample of them, each run killed and failed after
//!   [`BINARY_DEADLINE`].
//!
//! A case is `(base seed, index)`: the same pair gives the same mutant on every machine. A
//! failure prints the case, its edits and where the mutant was saved; `SLAC_MUTATION_CASE=<index>`
//! replays one case (and saves its mutant), `SLAC_MUTATION_SEED=<seed>` draws another series, and
//! `SLAC_MUTATION_CASES=<n>` changes how many cases run in-process.

mod support;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use slac_compile::{BuildOptions, Target};
use slac_model::{FileProvider, Options};
use slac_source::FileId;
use support::{slac_with, tail};

/// The series of cases drawn when `SLAC_MUTATION_SEED` is not set.
const BASE_SEED: u64 = 0x5e1a_c0de_2026_0009;

/// In-process cases per run: enough to reach every edit on every file many times, few enough to
/// stay well under two minutes in a debug build on two cores.
const IN_PROCESS_CASES: u64 = 2_000;

/// Cases also run through the real binary (`check --format json`, `check`, `fmt --check`,
/// `build`).
const BINARY_CASES: u64 = 36;

/// How long one run of the binary may take before it counts as a hang.
const BINARY_DEADLINE: Duration = Duration::from_secs(10);

/// How long one in-process case may take before it counts as a hang.
const IN_PROCESS_DEADLINE: Duration = Duration::from_secs(60);

fn examples() -> PathBuf {
    slac_model::normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples"))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date")
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

fn base_seed() -> u64 {
    env_number("SLAC_MUTATION_SEED").unwrap_or(BASE_SEED)
}

// ---------------------------------------------------------------------------------------------
// A seeded generator (splitmix64): no dependency, the same numbers everywhere.

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The seed of case `index` of the series `base`.
fn case_seed(base: u64, index: u64) -> u64 {
    Rng::new(base ^ index.wrapping_mul(0xd6e8_feb8_6659_fd93)).next()
}

// ---------------------------------------------------------------------------------------------
// Edits.

/// Tokens of the language and of what goes wrong with it.
const JUNK: &[&str] = &[
    "{",
    "}",
    "{ }",
    "\"",
    "\"\"\"",
    "//",
    "///",
    "/* */",
    "=",
    ",",
    ".",
    "%",
    "-",
    "+",
    ":",
    "party",
    "service",
    "holidays",
    "calendar",
    "escalation",
    "agreement",
    "import",
    "objective",
    "credit",
    "sli",
    "ratio",
    "latency",
    "within",
    "for",
    "and",
    "target",
    "window",
    "month",
    "extends",
    "supports",
    "level",
    "at",
    "breach",
    "notify",
    "open",
    "closed",
    "easter",
    "annual",
    "date",
    "from",
    "to",
    "every",
    "due",
    "cap",
    "when",
    "below",
    "refund",
    "always",
    "P1",
    "99.9%",
    "100%",
    "0%",
    "101%",
    "2bd",
    "0bd",
    "30d",
    "1h30m",
    "0s",
    "24:00",
    "08:00-17:00",
    "22:00-06:00",
    "mon-fri",
    "sun-thu",
    "daily",
    "2026-02-29",
    "2024-02-29",
    "02-29",
    "EUR",
    "import \"../outside.sla\"",
    "import \"/etc/passwd\"",
    "import \"missing.sla\"",
    "\\u{110000}",
    "\\q",
    "\"\\u{1F600}\"",
    "acme.",
    ".oncall",
    "helpdesk.oncall",
];

/// Numbers no field can hold.
const HUGE: &[&str] = &[
    "99999999999999999999",
    "18446744073709551616",
    "4294967296",
    "340282366920938463463374607431768211456",
    "99999999999999999999h",
    "99999999999999999999bd",
    "4294967296bd",
    "1000000000000000001ms",
    "9999999999999999999999999999999999999999.5%",
    "99999-01-01",
    "0000-01-01",
    "9999-12-31",
    "99999999999999999999.0.0",
];

/// Unicode that confuses columns and directions.
const ODD_UNICODE: &[&str] = &[
    "\u{200f}",        // right-to-left mark
    "\u{202e}",        // right-to-left override
    "\u{2066}",        // left-to-right isolate
    "e\u{301}\u{301}", // combining acute accents
    "\u{0}",           // NUL
    "\u{feff}",        // a byte-order mark in the middle of the text
    "\u{2028}",        // line separator
    "\u{85}",          // next line
    "\u{200d}",        // zero-width joiner
    "\u{1f600}",       // an emoji, four bytes
    "\u{fffd}",        // the replacement character
    "\u{ffff}",        // a noncharacter
    "\t",
    "\u{c}",    // form feed
    "\u{a0}",   // no-break space
    "\u{3000}", // ideographic space
];

/// Bytes that are not UTF-8: a lone continuation byte, a truncated sequence, an encoded
/// surrogate, an overlong encoding, bytes never valid.
const NOT_UTF8: &[&[u8]] = &[
    &[0x80],
    &[0xc3],
    &[0xed, 0xa0, 0x80],
    &[0xc0, 0xaf],
    &[0xff, 0xfe],
    &[0xf4, 0x90, 0x80, 0x80],
];

/// The nearest character boundary at or before `at` (any position when `bytes` is not UTF-8).
fn boundary(bytes: &[u8], at: usize) -> usize {
    let mut at = at.min(bytes.len());
    if let Ok(text) = std::str::from_utf8(bytes) {
        while !text.is_char_boundary(at) {
            at -= 1;
        }
    }
    at
}

/// A random position and a span of up to `max` bytes after it, at character boundaries.
fn span(rng: &mut Rng, bytes: &[u8], max: usize) -> (usize, usize) {
    let start = boundary(bytes, rng.below(bytes.len() + 1));
    let end = boundary(bytes, start + 1 + rng.below(max));
    (start, end.max(start))
}

/// The byte ranges of the lines, each with its newline.
fn lines(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < bytes.len() {
        out.push((start, bytes.len()));
    }
    out
}

/// Applies one random edit to `bytes` and says what it did.
fn edit(rng: &mut Rng, bytes: &mut Vec<u8>) -> String {
    let kind = rng.below(20);
    let lines = lines(bytes);
    match kind {
        0 | 1 => {
            let (a, b) = span(rng, bytes, 64);
            bytes.drain(a..b);
            format!("delete bytes {a}..{b}")
        }
        2 if !lines.is_empty() => {
            let (a, b) = *rng.pick(&lines);
            bytes.drain(a..b);
            format!("delete the line at {a}")
        }
        3 if !lines.is_empty() => {
            let (a, b) = *rng.pick(&lines);
            let line = bytes[a..b].to_vec();
            let times = 1 + rng.below(3);
            for _ in 0..times {
                bytes.splice(a..a, line.iter().copied());
            }
            format!("repeat the line at {a} {times} more time(s)")
        }
        4 => {
            let (a, b) = span(rng, bytes, 200);
            let piece = bytes[a..b].to_vec();
            let at = boundary(bytes, rng.below(bytes.len() + 1));
            bytes.splice(at..at, piece);
            format!("copy bytes {a}..{b} to {at}")
        }
        5 if lines.len() > 1 => {
            let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
            let (first, second) = (i.min(j), i.max(j));
            let (a, b) = lines[first];
            let (c, d) = lines[second];
            if first != second {
                let mut swapped = bytes[..a].to_vec();
                swapped.extend_from_slice(&bytes[c..d]);
                swapped.extend_from_slice(&bytes[b..c]);
                swapped.extend_from_slice(&bytes[a..b]);
                swapped.extend_from_slice(&bytes[d..]);
                *bytes = swapped;
            }
            format!("swap the lines at {a} and {c}")
        }
        6 => {
            let at = boundary(bytes, rng.below(bytes.len() + 1));
            bytes.truncate(at);
            format!("truncate at {at}")
        }
        7..=9 => {
            let token = *rng.pick(JUNK);
            let at = boundary(bytes, rng.below(bytes.len() + 1));
            let spaced = format!(" {token} ");
            bytes.splice(at..at, spaced.bytes());
            format!("insert {token:?} at {at}")
        }
        10 | 11 => {
            let huge = *rng.pick(HUGE);
            // Over a number of the file when there is one, else anywhere.
            let digits: Vec<usize> = (0..bytes.len())
                .filter(|&i| {
                    bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit())
                })
                .collect();
            let at = if digits.is_empty() {
                boundary(bytes, rng.below(bytes.len() + 1))
            } else {
                *rng.pick(&digits)
            };
            let end = (at..bytes.len())
                .find(|&i| !bytes[i].is_ascii_alphanumeric() && !b".-:%".contains(&bytes[i]))
                .unwrap_or(bytes.len());
            bytes.splice(at..end, huge.bytes());
            format!("replace the value at {at} with {huge}")
        }
        12 => {
            let depth = 100 + rng.below(200);
            let at = boundary(bytes, rng.below(bytes.len() + 1));
            let open = if rng.below(2) == 0 {
                "{"
            } else {
                "objective o {\n"
            };
            bytes.splice(at..at, open.repeat(depth).into_bytes());
            let close = rng.below(2) == 0;
            if close {
                let end = boundary(bytes, at + open.len() * depth + rng.below(64));
                bytes.splice(end..end, "}".repeat(depth).into_bytes());
            }
            format!(
                "nest {open:?} {depth} deep at {at}{}",
                if close { ", closed" } else { "" }
            )
        }
        13 => {
            let odd = *rng.pick(ODD_UNICODE);
            let times = 1 + rng.below(4);
            let at = boundary(bytes, rng.below(bytes.len() + 1));
            bytes.splice(at..at, odd.repeat(times).into_bytes());
            format!("insert {odd:?} x{times} at {at}")
        }
        14 => {
            let bad = *rng.pick(NOT_UTF8);
            let at = rng.below(bytes.len() + 1);
            bytes.splice(at..at, bad.iter().copied());
            format!("insert the bytes {bad:02x?} at {at}")
        }
        15 => {
            bytes.splice(0..0, "\u{feff}".bytes());
            "prepend a byte-order mark".to_string()
        }
        16 => {
            let carriage_only = rng.below(3) == 0;
            let ending: &[u8] = if carriage_only { b"\r" } else { b"\r\n" };
            let mut out = Vec::with_capacity(bytes.len() + lines.len());
            for &b in bytes.iter() {
                if b == b'\n' {
                    out.extend_from_slice(ending);
                } else {
                    out.push(b);
                }
            }
            *bytes = out;
            format!("line endings {ending:?}")
        }
        17 => {
            // An identifier of the file made very long.
            let (a, _) = span(rng, bytes, 1);
            let start = (a..bytes.len()).find(|&i| bytes[i].is_ascii_lowercase());
            let Some(start) = start else {
                return "no identifier to lengthen".to_string();
            };
            let long = "x".repeat(10_000 + rng.below(60_000));
            bytes.splice(start..start, long.bytes());
            format!("lengthen the word at {start} by {} bytes", long.len())
        }
        18 => {
            // A whole top-level declaration repeated, so that names are duplicated many times.
            let starts: Vec<usize> = lines
                .iter()
                .filter(|(a, _)| bytes[*a].is_ascii_lowercase())
                .map(|(a, _)| *a)
                .collect();
            let Some(&start) = starts.get(rng.below(starts.len().max(1))) else {
                return "no declaration to repeat".to_string();
            };
            let end = lines
                .iter()
                .find(|(a, _)| *a > start && bytes[*a] == b'}')
                .map_or(bytes.len(), |(_, b)| *b);
            let declaration = bytes[start..end].to_vec();
            let times = 2 + rng.below(200);
            let mut repeated = Vec::new();
            for _ in 0..times {
                repeated.extend_from_slice(&declaration);
                repeated.push(b'\n');
            }
            bytes.splice(end..end, repeated);
            format!("repeat the declaration at {start} {times} times")
        }
        _ => {
            let (a, b) = span(rng, bytes, 16);
            let token = *rng.pick(JUNK);
            bytes.splice(a..b, token.bytes());
            format!("replace bytes {a}..{b} with {token:?}")
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The workspace and one case.

/// The example workspace as read once: its `.sla` files, by path.
struct Examples {
    root: PathBuf,
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl Examples {
    fn read() -> Self {
        let root = examples();
        let workspace =
            slac_model::load(&root, &Options { today: today() }).expect("the examples load");
        assert!(!workspace.has_errors(), "the examples check clean");
        let files: Vec<(PathBuf, Vec<u8>)> = workspace
            .sources
            .iter()
            .map(|file| (file.path().to_path_buf(), file.text().as_bytes().to_vec()))
            .filter(|(path, _)| path.extension().is_some_and(|e| e == "sla"))
            .collect();
        assert!(files.len() >= 10, "the examples have their files");
        Examples { root, files }
    }
}

/// A mutant: which file, what was done to it, and its bytes.
struct Case {
    index: u64,
    seed: u64,
    file: usize,
    edits: Vec<String>,
    bytes: Vec<u8>,
}

impl Case {
    fn draw(examples: &Examples, base: u64, index: u64) -> Case {
        let seed = case_seed(base, index);
        let mut rng = Rng::new(seed);
        let file = rng.below(examples.files.len());
        let mut bytes = examples.files[file].1.clone();
        let count = 1 + rng.below(3);
        let edits = (0..count).map(|_| edit(&mut rng, &mut bytes)).collect();
        Case {
            index,
            seed,
            file,
            edits,
            bytes,
        }
    }

    fn describe(&self, examples: &Examples) -> String {
        let path = &examples.files[self.file].0;
        let saved = save(self);
        format!(
            "case {} of series {:#x} (seed {:#x}): {} with {}\n  replay: SLAC_MUTATION_SEED={:#x} SLAC_MUTATION_CASE={} cargo test --test mutation\n  mutant saved as {}",
            self.index,
            base_seed(),
            self.seed,
            path.display(),
            self.edits.join("; "),
            base_seed(),
            self.index,
            saved.display()
        )
    }
}

/// Saves a failing mutant where a developer can turn it into a fixture.
fn save(case: &Case) -> PathBuf {
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mutation-failures");
    let path = folder.join(format!("case-{}.sla", case.index));
    let _ = fs::create_dir_all(&folder);
    let _ = fs::write(&path, &case.bytes);
    path
}

/// The example files from the disk, except the one being mutated, served from memory.
struct Mutated<'a> {
    path: &'a Path,
    bytes: &'a [u8],
}

impl FileProvider for Mutated<'_> {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        if slac_model::normalize(path) == slac_model::normalize(self.path) {
            Ok(self.bytes.to_vec())
        } else {
            fs::read(path)
        }
    }
}

/// What one case gave, for the counts at the end.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    cases: u64,
    not_utf8: u64,
    with_errors: u64,
    built: u64,
    formatted: u64,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.cases += other.cases;
        self.not_utf8 += other.not_utf8;
        self.with_errors += other.with_errors;
        self.built += other.built;
        self.formatted += other.formatted;
    }
}

/// Checks, renders, formats and builds one mutant in-process; panics on a broken promise.
fn run_in_process(examples: &Examples, case: &Case, tally: &mut Tally) {
    let path = &examples.files[case.file].0;
    let provider = Mutated {
        path,
        bytes: &case.bytes,
    };
    let options = Options { today: today() };
    let workspace = slac_model::load_with(&examples.root, &options, &provider)
        .expect("the examples folder loads");
    support::diagnostics::render_every_diagnostic(&workspace, "a mutant");
    tally.cases += 1;

    match String::from_utf8(case.bytes.clone()) {
        Err(_) => {
            tally.not_utf8 += 1;
            assert!(
                workspace
                    .diagnostics
                    .iter()
                    .any(|d| d.message.contains("not valid UTF-8")),
                "a file that is not UTF-8 is reported"
            );
        }
        Ok(text) => {
            let parse = slac_syntax::parse(FileId::new(0), &text);
            match slac_fmt::format(&text) {
                Ok(formatted) => {
                    tally.formatted += 1;
                    assert!(!parse.has_errors(), "only a file that parses formats");
                    assert!(
                        !slac_syntax::parse(FileId::new(0), &formatted).has_errors(),
                        "the formatted text parses"
                    );
                    assert_eq!(
                        slac_fmt::format(&formatted).ok().as_deref(),
                        Some(formatted.as_str()),
                        "formatting twice changes nothing"
                    );
                }
                Err(_) => assert!(parse.has_errors(), "a file that parses formats"),
            }
        }
    }

    if workspace.has_errors() {
        tally.with_errors += 1;
        return;
    }
    let build = slac_compile::build(
        &workspace.model,
        &Target::ALL,
        &BuildOptions {
            today: today(),
            config: workspace.config.clone(),
            root: workspace.root.clone(),
        },
    );
    assert!(build.template_error.is_none(), "{:?}", build.template_error);
    tally.built += 1;
}

/// The cases to run: one when `SLAC_MUTATION_CASE` is set, else `0..count`.
fn indices(count: u64) -> Vec<u64> {
    match env_number("SLAC_MUTATION_CASE") {
        Some(index) => vec![index],
        None => (0..count).collect(),
    }
}

/// What one worker of the in-process test found.
#[derive(Default)]
struct Findings {
    tally: Tally,
    failures: Vec<String>,
    slowest: Option<(Duration, String)>,
}

/// Runs the cases of `indices`, catching each panic as a failure of its case; reports each case
/// as it starts on `progress`, and `None` when done.
fn work(
    examples: &Examples,
    base: u64,
    indices: Vec<u64>,
    progress: mpsc::Sender<(usize, Option<u64>)>,
    worker: usize,
) -> Findings {
    let mut findings = Findings::default();
    for index in indices {
        let _ = progress.send((worker, Some(index)));
        let case = Case::draw(examples, base, index);
        if env_number("SLAC_MUTATION_CASE").is_some() {
            eprintln!("mutation: case {index} saved as {}", save(&case).display());
        }
        let case_started = Instant::now();
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            run_in_process(examples, &case, &mut findings.tally)
        }));
        let took = case_started.elapsed();
        if findings.slowest.as_ref().is_none_or(|(t, _)| took > *t) {
            findings.slowest = Some((took, format!("case {index}: {}", case.edits.join("; "))));
        }
        if let Err(payload) = outcome {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            findings.failures.push(format!(
                "{}\n  panicked: {}",
                case.describe(examples),
                tail(&message)
            ));
            if findings.failures.len() >= 5 {
                break;
            }
        }
    }
    let _ = progress.send((worker, None));
    findings
}

#[test]
fn mutated_examples_never_crash_or_hang_in_process() {
    let examples = std::sync::Arc::new(Examples::read());
    let base = base_seed();
    let count = env_number("SLAC_MUTATION_CASES").unwrap_or(IN_PROCESS_CASES);
    let started = Instant::now();
    // The cases are dealt to one worker per core: a case is cheap, and they are independent.
    let workers = thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
    let all = indices(count);
    let (progress, watch) = mpsc::channel::<(usize, Option<u64>)>();
    let handles: Vec<thread::JoinHandle<Findings>> = (0..workers)
        .map(|worker| {
            let mine: Vec<u64> = all.iter().copied().skip(worker).step_by(workers).collect();
            let (examples, progress) = (examples.clone(), progress.clone());
            thread::spawn(move || work(&examples, base, mine, progress, worker))
        })
        .collect();
    drop(progress);
    // Each worker reports each case as it starts: a worker silent for longer than the deadline
    // is stuck in its case, a hang.
    let mut current: Vec<Option<(u64, Instant)>> = vec![None; workers];
    let mut running = workers;
    while running > 0 {
        match watch.recv_timeout(Duration::from_secs(1)) {
            Ok((worker, Some(index))) => current[worker] = Some((index, Instant::now())),
            Ok((worker, None)) => {
                current[worker] = None;
                running -= 1;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        for &(index, since) in current.iter().flatten() {
            if since.elapsed() > IN_PROCESS_DEADLINE {
                let case = Case::draw(&examples, base, index);
                panic!(
                    "an in-process case ran for more than {IN_PROCESS_DEADLINE:?}: it hangs\n{}",
                    case.describe(&examples)
                );
            }
        }
    }
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    let mut slowest: Option<(Duration, String)> = None;
    for handle in handles {
        let findings = handle.join().expect("a worker reports");
        tally.add(findings.tally);
        failures.extend(findings.failures);
        if let Some((took, case)) = findings.slowest {
            if slowest.as_ref().is_none_or(|(t, _)| took > *t) {
                slowest = Some((took, case));
            }
        }
    }
    if let Some((took, case)) = slowest {
        eprintln!("mutation: the slowest in-process case took {took:.1?} ({case})");
    }
    eprintln!(
        "mutation: {} mutated inputs in-process in {:.1?} on {workers} thread(s) (series {base:#x}): {} not UTF-8, {} with errors, {} clean and built, {} formatted",
        tally.cases,
        started.elapsed(),
        tally.not_utf8,
        tally.with_errors,
        tally.built,
        tally.formatted
    );
    assert!(
        failures.is_empty(),
        "{} mutated input(s) broke a promise:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    if env_number("SLAC_MUTATION_CASE").is_none() {
        // The edits reach all three outcomes, so the test cannot pass by never getting far.
        assert!(
            tally.not_utf8 > 0 && tally.with_errors > 0 && tally.built > 0,
            "{tally:?}"
        );
    }
}

#[test]
fn mutated_examples_never_crash_or_hang_the_binary() {
    let examples = Examples::read();
    let base = base_seed();
    let started = Instant::now();
    let mut runs = 0;
    let mut codes: HashMap<i32, u32> = HashMap::new();
    // The sample is spread over the in-process series, from its end so as to differ from a
    // shortened in-process run.
    let step = (IN_PROCESS_CASES / BINARY_CASES).max(1);
    let sample: Vec<u64> = match env_number("SLAC_MUTATION_CASE") {
        Some(index) => vec![index],
        None => (0..BINARY_CASES)
            .map(|i| IN_PROCESS_CASES - 1 - i * step)
            .collect(),
    };
    for index in sample {
        let case = Case::draw(&examples, base, index);
        let dir = tempfile::tempdir().expect("a temporary folder");
        fs::write(
            dir.path().join("slac.toml"),
            "[docs]\nlanguages = [\"fr\", \"en\"]\n",
        )
        .expect("slac.toml is written");
        for (i, (path, bytes)) in examples.files.iter().enumerate() {
            let relative = path
                .strip_prefix(&examples.root)
                .expect("an example file lies below the examples");
            let target = dir.path().join(relative);
            fs::create_dir_all(target.parent().expect("a parent")).expect("folders are made");
            fs::write(&target, if i == case.file { &case.bytes } else { bytes })
                .expect("a file is written");
        }
        let out = dir.path().join("build");
        let out = out.to_string_lossy();
        for args in [
            &["check", "--format", "json", "."][..],
            &["check", "."][..],
            &["fmt", "--check", "."][..],
            &["build", ".", "--out", &out][..],
        ] {
            let run = panic::catch_unwind(AssertUnwindSafe(|| {
                slac_with(dir.path(), args, &[], BINARY_DEADLINE)
            }))
            .unwrap_or_else(|_| panic!("{}", case.describe(&examples)));
            runs += 1;
            let code = run.code();
            *codes.entry(code).or_default() += 1;
            let mut problem = String::new();
            if ![0, 1, 2].contains(&code) {
                let _ = write!(problem, "exit status {code} (101 is a panic)");
            }
            if run.stderr.contains("panicked") {
                let _ = write!(problem, "a panic message");
            }
            if args[0] == "check"
                && run
                    .stdout
                    .lines()
                    .any(|l| serde_json::from_str::<serde_json::Value>(l).is_err())
            {
                let _ = write!(problem, "a line of `check --format json` that is not JSON");
            }
            assert!(
                problem.is_empty(),
                "`{}`: {problem}\n{}\nstderr:\n{}",
                run.command,
                case.describe(&examples),
                tail(&run.stderr)
            );
        }
    }
    let mut codes: Vec<(i32, u32)> = codes.into_iter().collect();
    codes.sort_unstable();
    eprintln!(
        "mutation: {runs} runs of the binary on mutated inputs in {:.1?}, exit codes {codes:?}",
        started.elapsed()
    );
}
