//! No input makes `slac` panic or hang.
//!
//! Each hostile input (invalid UTF-8, NUL bytes, a 10 MB line, a file over the 16 MiB limit,
//! deep nesting, numbers that overflow, five-digit years, impossible dates and times, odd line
//! endings, a byte-order mark, files that are empty or hold only comments or a lone token) is
//! written to a file and given to the real binary four times: `slac check --format json`, `slac check` (the rendering for people),
//! `slac fmt --check` and `slac fmt`. Every run
//! must end before its deadline with exit code 0, 1 or 2 (never 101, the code of a panic, nor a
//! signal), print no "panicked" message, print only JSON lines under `--format json`, and leave
//! a file that does not parse byte-for-byte as it was. Where a user expects a given diagnostic
//! (E005 for an overflowing duration, E014 past a limit, a clean check for CRLF line endings),
//! the test says so. The limits of docs/language.md have their tests at the end: files too
//! large or nested too deep (E014), calendar queries far in the future (a clear error), and
//! imports that leave the workspace through `..` or a symbolic link (E010).

mod support;

use std::fs;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{slac_with, tail, Run, DEADLINE};

/// The deadline of a run on a 10 MB input: a debug build needs a few seconds for one (up to
/// ten for some inputs), so this leaves room for a slow runner, yet stays far from a hang.
const BIG_DEADLINE: Duration = Duration::from_secs(90);

/// The 10 MB inputs run one at a time, so that two of them never share the two cores of a CI
/// runner and their timings stay meaningful.
static BIG_INPUTS: Mutex<()> = Mutex::new(());

const TEN_MB: usize = 10 * 1024 * 1024;

/// A valid agreement: it checks clean.
const VALID: &str = r#"// A valid agreement.
party acme {
  name "Acme Industries SA"
  kind external
}

party helpdesk {
  name "Service Desk"
  kind internal
}

calendar office {
  timezone "Europe/Paris"
  open mon-fri 08:00-17:00
}

agreement acme_printers {
  title "Printer support for Acme"
  kind customer
  version 1.0.0
  effective from 2026-01-01
  provider helpdesk
  customer acme

  objective response {
    sli response_time
    calendar office
    target 95%
    window month
    within 4h for priority = P1
    within 2bd
  }
}
"#;

/// What the three runs on one input did.
struct Outcome {
    check: Run,
    diagnostics: Vec<Value>,
    human: Run,
    fmt_check: Run,
    fmt: Run,
    /// How long the four runs took together.
    elapsed: Duration,
}

impl Outcome {
    fn codes(&self) -> Vec<&str> {
        self.diagnostics
            .iter()
            .map(|d| d["code"].as_str().unwrap_or("?"))
            .collect()
    }
}

/// Runs `check --format json`, `check`, `fmt --check` and `fmt` on `bytes` saved as
/// `input.sla`, and asserts that none of them crashes or hangs.
fn exercise(name: &str, bytes: &[u8], deadline: Duration) -> Outcome {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("input.sla");
    fs::write(&file, bytes).expect("the input can be written");
    let started = Instant::now();

    let check = slac_with(
        dir.path(),
        &["check", "--format", "json", "input.sla"],
        &[],
        deadline,
    );
    assert_survived(name, &check);
    let diagnostics = check
        .stdout
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap_or_else(|error| {
                panic!(
                    "{name}: `slac check --format json` printed a line that is not JSON \
                     ({error}): {}",
                    tail(line)
                )
            })
        })
        .collect::<Vec<_>>();
    assert_eq!(
        check.code() == 1,
        diagnostics.iter().any(|d| d["severity"] == "error"),
        "{name}: `slac check` exits 1 exactly when it reports an error:\n{}",
        tail(&check.stdout)
    );

    let human = slac_with(dir.path(), &["check", "input.sla"], &[], deadline);
    assert_survived(name, &human);
    assert_eq!(
        human.code(),
        check.code(),
        "{name}: the output format does not change the exit code"
    );

    let fmt_check = slac_with(dir.path(), &["fmt", "--check", "input.sla"], &[], deadline);
    assert_survived(name, &fmt_check);
    // `assert!` rather than `assert_eq!`, so that a failure does not print 10 MB.
    assert!(
        fs::read(&file).expect("the input is still there") == bytes,
        "{name}: `slac fmt --check` never writes"
    );

    let fmt = slac_with(dir.path(), &["fmt", "input.sla"], &[], deadline);
    assert_survived(name, &fmt);
    if fmt.code() != 0 {
        assert!(
            fs::read(&file).expect("the input is still there") == bytes,
            "{name}: a file that `slac fmt` refuses stays byte-for-byte as it was"
        );
    }
    Outcome {
        check,
        diagnostics,
        human,
        fmt_check,
        fmt,
        elapsed: started.elapsed(),
    }
}

fn assert_survived(name: &str, run: &Run) {
    let code = run.code();
    assert!(
        [0, 1, 2].contains(&code),
        "{name}: `{}` exited with {code} (101 is a panic)\nstderr:\n{}",
        run.command,
        tail(&run.stderr)
    );
    assert!(
        !run.stderr.contains("panicked"),
        "{name}: `{}` panicked:\n{}",
        run.command,
        tail(&run.stderr)
    );
}

/// `VALID` with `from` replaced by `to`, as bytes.
fn valid_with(from: &str, to: &str) -> Vec<u8> {
    assert!(VALID.contains(from), "`{from}` is in the valid agreement");
    VALID.replacen(from, to, 1).into_bytes()
}

/// Asserts that the check reported `code` at the line of `VALID` holding `marker`.
fn assert_reported_at(outcome: &Outcome, code: &str, marker: &str) {
    let line = VALID
        .lines()
        .position(|l| l.contains(marker))
        .expect("the marker is in the valid agreement")
        + 1;
    assert!(
        outcome
            .diagnostics
            .iter()
            .any(|d| d["code"] == code && d["line"] == line),
        "expected {code} on line {line}, got:\n{}",
        outcome.check.stdout
    );
    assert_eq!(outcome.check.code(), 1);
}

#[test]
fn the_valid_agreement_checks_clean() {
    let outcome = exercise("valid", VALID.as_bytes(), DEADLINE);
    assert_eq!(outcome.check.code(), 0, "{}", outcome.check.stdout);
    assert!(outcome.diagnostics.is_empty(), "{}", outcome.check.stdout);
    assert_eq!(
        outcome.fmt_check.code(),
        0,
        "the valid agreement is formatted"
    );
}

#[test]
fn invalid_utf8_is_a_diagnostic_naming_the_file() {
    let mut bytes = b"party acme {\n  name \"Acme ".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, 0xc3]);
    bytes.extend_from_slice(b"\"\n  kind external\n}\n");
    let outcome = exercise("invalid UTF-8", &bytes, DEADLINE);
    assert_eq!(outcome.check.code(), 1);
    assert!(
        outcome.diagnostics.iter().any(|d| d["file"] == "input.sla"
            && d["message"].as_str().is_some_and(|m| m.contains("UTF-8"))),
        "{}",
        outcome.check.stdout
    );
    for run in [&outcome.fmt_check, &outcome.fmt] {
        assert_eq!(
            run.code(),
            1,
            "`{}` fails on a file it cannot read",
            run.command
        );
        assert!(run.stderr.contains("input.sla"), "{}", run.stderr);
        assert!(run.stderr.contains("UTF-8"), "{}", run.stderr);
    }
}

#[test]
fn a_nul_byte_inside_a_declaration() {
    let outcome = exercise(
        "NUL inside a declaration",
        &valid_with("  kind internal\n", "  kind \0internal\n"),
        DEADLINE,
    );
    assert_eq!(outcome.check.code(), 1);
    assert!(
        outcome.codes().contains(&"E001"),
        "{}",
        outcome.check.stdout
    );
    assert_eq!(outcome.fmt.code(), 1);
}

#[test]
fn a_nul_byte_inside_a_string() {
    exercise(
        "NUL inside a string",
        &valid_with("\"Service Desk\"", "\"Service\0Desk\""),
        DEADLINE,
    );
}

#[test]
fn a_nul_byte_between_declarations() {
    let outcome = exercise(
        "NUL between declarations",
        &valid_with("\nparty helpdesk", "\0\nparty helpdesk"),
        DEADLINE,
    );
    assert_eq!(outcome.check.code(), 1);
    assert_eq!(outcome.codes(), ["E001"], "{}", outcome.check.stdout);
    assert_eq!(outcome.fmt.code(), 1);
}

/// Ten megabytes of printable garbage without a newline, a brace or a quote.
fn garbage_line() -> Vec<u8> {
    const ALPHABET: &[u8] = b"abcxyz0189 .,;:=+-*/()@#%&|<>?!~^_";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..TEN_MB)
        .map(|_| {
            // xorshift: a fixed pseudo-random sequence.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ALPHABET[(state % ALPHABET.len() as u64) as usize]
        })
        .collect()
}

#[test]
fn a_ten_megabyte_garbage_line() {
    let _one_at_a_time = BIG_INPUTS.lock().unwrap_or_else(|e| e.into_inner());
    let outcome = exercise("10 MB garbage line", &garbage_line(), BIG_DEADLINE);
    assert_eq!(outcome.check.code(), 1);
    assert!(
        outcome.codes().contains(&"E001"),
        "{}",
        tail(&outcome.check.stdout)
    );
    report_time("10 MB garbage line", &outcome);
}

#[test]
fn a_ten_megabyte_string_value() {
    let _one_at_a_time = BIG_INPUTS.lock().unwrap_or_else(|e| e.into_inner());
    let huge = format!("\"{}\"", "x".repeat(TEN_MB));
    let outcome = exercise(
        "10 MB string",
        &valid_with("\"Service Desk\"", &huge),
        BIG_DEADLINE,
    );
    assert_eq!(outcome.check.code(), 0, "{}", tail(&outcome.check.stdout));
    assert!(outcome.diagnostics.is_empty());
    assert_eq!(outcome.fmt_check.code(), 0, "the file is formatted already");
    report_time("10 MB string", &outcome);
}

/// Prints how long the runs took, for `cargo test -- --nocapture`.
fn report_time(name: &str, outcome: &Outcome) {
    eprintln!("{name}: the four runs took {:?}", outcome.elapsed);
}

#[test]
fn two_hundred_nested_braces() {
    let outcome = exercise("200 `{`", "{".repeat(200).as_bytes(), DEADLINE);
    assert_eq!(outcome.check.code(), 1);
    assert_eq!(outcome.codes(), ["E014"], "{}", outcome.check.stdout);
    // At the 129th `{`, the first one past the limit.
    assert_eq!(outcome.diagnostics[0]["column"], 129);
    let inside = format!("party p {{ name \"P\" {} }}\n", "{ ".repeat(200));
    let outcome = exercise("200 `{` in a party", inside.as_bytes(), DEADLINE);
    assert_eq!(outcome.check.code(), 1);
}

#[test]
fn a_hundred_thousand_nested_braces() {
    let outcome = exercise("100,000 `{`", "{".repeat(100_000).as_bytes(), DEADLINE);
    assert_eq!(outcome.check.code(), 1);
    assert_eq!(outcome.codes(), ["E014"], "{}", outcome.check.stdout);
    let inside = valid_with(
        "  objective response {\n",
        &"  objective response {\n".repeat(100_000),
    );
    let outcome = exercise("100,000 nested objectives", &inside, DEADLINE);
    assert_eq!(outcome.check.code(), 1);
    assert_eq!(outcome.codes(), ["E014"], "{}", outcome.check.stdout);
    assert_eq!(
        outcome.fmt.code(),
        1,
        "a file nested too deep is not formatted"
    );
}

#[test]
fn numbers_that_overflow_are_invalid_values() {
    let outcome = exercise(
        "overflowing duration",
        &valid_with("within 4h", "within 99999999999999999999h"),
        DEADLINE,
    );
    assert_reported_at(&outcome, "E005", "within 4h");

    for (from, to) in [
        ("target 95%", "target 99999999999999999999999999999999%"),
        ("version 1.0.0", "version 99999999999999999999.0.0"),
        ("within 2bd", "within 99999999999999999999bd"),
        ("within 2bd", "within 18446744073709551616ms"),
        ("window month", "window 99999999999999999999w"),
    ] {
        let outcome = exercise(to, &valid_with(from, to), DEADLINE);
        assert_reported_at(&outcome, "E005", from);
    }
}

#[test]
fn impossible_dates_and_times_are_invalid_values() {
    let outcome = exercise(
        "February 30",
        &valid_with("from 2026-01-01", "from 2026-02-30"),
        DEADLINE,
    );
    assert_reported_at(&outcome, "E005", "effective from");
    let outcome = exercise("25:61", &valid_with("08:00-17:00", "08:00-25:61"), DEADLINE);
    assert_reported_at(&outcome, "E005", "open mon-fri");
}

#[test]
fn an_escape_beyond_unicode() {
    let outcome = exercise(
        "\\u{110000}",
        &valid_with("\"Service Desk\"", "\"\\u{110000}\""),
        DEADLINE,
    );
    assert_eq!(outcome.check.code(), 1);
    assert!(
        outcome
            .diagnostics
            .iter()
            .any(|d| d["message"].as_str().is_some_and(|m| m.contains("110000"))),
        "{}",
        outcome.check.stdout
    );
}

#[test]
fn an_empty_file_is_clean() {
    let outcome = exercise("empty file", b"", DEADLINE);
    assert_eq!(outcome.check.code(), 0);
    assert!(outcome.diagnostics.is_empty());
    assert_eq!(outcome.fmt_check.code(), 0);
}

#[test]
fn a_file_of_comments_only_is_clean() {
    let text = "// Nothing here yet.\n/// A doc comment that documents nothing.\n\n// The end.\n";
    let outcome = exercise("comments only", text.as_bytes(), DEADLINE);
    assert_eq!(outcome.check.code(), 0, "{}", outcome.check.stdout);
    assert!(outcome.diagnostics.is_empty());
    assert_eq!(outcome.fmt.code(), 0);
}

#[test]
fn a_lone_closing_brace() {
    let outcome = exercise("lone `}`", b"}", DEADLINE);
    assert_eq!(outcome.codes(), ["E001"], "{}", outcome.check.stdout);
}

#[test]
fn a_lone_text_block_quote() {
    let outcome = exercise("lone `\"\"\"`", b"\"\"\"", DEADLINE);
    assert_eq!(outcome.codes(), ["E001"], "{}", outcome.check.stdout);
    let outcome = exercise("lone `\"\"\"` and a newline", b"\"\"\"\n", DEADLINE);
    assert_eq!(outcome.check.code(), 1);
}

#[test]
fn crlf_line_endings_check_clean() {
    let crlf = VALID.replace('\n', "\r\n");
    let outcome = exercise("CRLF", crlf.as_bytes(), DEADLINE);
    assert_eq!(outcome.check.code(), 0, "{}", outcome.check.stdout);
    assert!(outcome.diagnostics.is_empty());
    assert_eq!(outcome.fmt.code(), 0, "a CRLF file is formatted");
}

#[test]
fn a_byte_order_mark_checks_clean() {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend_from_slice(VALID.as_bytes());
    let outcome = exercise("BOM", &bytes, DEADLINE);
    assert_eq!(outcome.check.code(), 0, "{}", outcome.check.stdout);
    assert!(outcome.diagnostics.is_empty());
    assert_eq!(outcome.fmt.code(), 0);
}

#[test]
fn broken_strings_and_escapes() {
    for text in [
        "\"",
        "party p { name \"abc",
        "party p { name \"abc\\",
        "party p { name \"\\u{D800}\" kind internal }",
        "party p { name \"\\u{}\" kind internal }",
        "party p { name \"\\u{FFFFFFFFFFFFFFFFFFFFFFFF}\" kind internal }",
        "party p { name \"\\u{1F600\" kind internal }",
        "party p { name \"\"\" kind internal }",
        "service s { description \"\"\"\n  never closed\n",
    ] {
        let outcome = exercise(text, text.as_bytes(), DEADLINE);
        assert_eq!(outcome.check.code(), 1, "{text}: {}", outcome.check.stdout);
    }
}

#[test]
fn carriage_returns_and_odd_whitespace() {
    for (name, text) in [
        ("CR only", VALID.replace('\n', "\r")),
        ("tabs", VALID.replace("  ", "\t")),
        ("form feeds", VALID.replace("\n\n", "\n\u{c}\n")),
        (
            "no-break spaces",
            VALID.replace("kind internal", "kind\u{a0}internal"),
        ),
    ] {
        exercise(name, text.as_bytes(), DEADLINE);
    }
}

#[test]
fn a_diagnostic_past_column_65535() {
    let long = format!(
        "party p {{ name \"{}\" kind sometimes }} }}\n",
        "x".repeat(70_000)
    );
    let outcome = exercise("diagnostics past column 65,535", long.as_bytes(), DEADLINE);
    assert_eq!(
        outcome.codes(),
        ["E005", "E001"],
        "{}",
        outcome.check.stdout
    );
    assert!(outcome.human.stderr.contains("sometimes"));
}

#[test]
fn one_diagnostic_on_a_ten_megabyte_line_prints_a_bounded_snippet() {
    let _one_at_a_time = BIG_INPUTS.lock().unwrap_or_else(|e| e.into_inner());
    let outcome = exercise("10 MB word", "x".repeat(TEN_MB).as_bytes(), BIG_DEADLINE);
    assert_eq!(outcome.codes(), ["E001"]);
    for run in [&outcome.human, &outcome.fmt_check] {
        assert!(
            run.stderr.len() < 64 * 1024,
            "`{}` printed {} bytes for one diagnostic",
            run.command,
            run.stderr.len()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Limits (docs/language.md, "Limits"): past each one, a diagnostic with a code and a place, or a
// clear error, never a hang.

/// A generated file of 64-byte comment lines, `bytes` long.
fn comment_lines(bytes: usize) -> Vec<u8> {
    let line = format!("// {:<60}\n", "a generated line of 64 bytes, comments only");
    assert_eq!(line.len(), 64);
    line.repeat(bytes / 64).into_bytes()
}

#[test]
fn a_file_over_sixteen_mebibytes_is_refused_with_e014() {
    let _one_at_a_time = BIG_INPUTS.lock().unwrap_or_else(|e| e.into_inner());
    let limit = slac_syntax::MAX_FILE_BYTES;
    let outcome = exercise("17 MiB", &comment_lines(limit + 1024 * 1024), BIG_DEADLINE);
    assert_eq!(outcome.codes(), ["E014"], "{}", tail(&outcome.check.stdout));
    let diagnostic = &outcome.diagnostics[0];
    // The first line past the limit, at its first character.
    assert_eq!(diagnostic["line"], limit / 64 + 1);
    assert_eq!(diagnostic["column"], 1);
    assert!(
        diagnostic["message"]
            .as_str()
            .is_some_and(|m| m.contains("16 MiB")),
        "{diagnostic}"
    );
    for run in [&outcome.human, &outcome.fmt_check, &outcome.fmt] {
        assert_eq!(run.code(), 1, "`{}` refuses the file", run.command);
        assert!(run.stderr.contains("E014"), "{}", tail(&run.stderr));
    }
    report_time("17 MiB", &outcome);
}

#[test]
fn a_file_just_under_the_limit_is_read() {
    // The same file one line under the limit parses; only the syntax crate is asked, as the four
    // runs of the binary on 16 MiB would take most of a minute in a debug build.
    let bytes = comment_lines(slac_syntax::MAX_FILE_BYTES);
    let text = String::from_utf8(bytes).expect("comments are UTF-8");
    assert_eq!(text.len(), slac_syntax::MAX_FILE_BYTES);
    let parse = slac_syntax::parse(slac_source::FileId::new(0), &text);
    assert!(parse.errors.is_empty(), "{:?}", parse.errors.first());
    assert_eq!(parse.tree.comments.len(), text.len() / 64);
}

#[test]
fn five_digit_years_are_syntax_errors() {
    for (from, to) in [
        ("from 2026-01-01", "from 99999-01-01"),
        ("from 2026-01-01", "2026-01-01 to 99999-12-31"),
    ] {
        let outcome = exercise(to, &valid_with(from, to), DEADLINE);
        assert_reported_at(&outcome, "E001", "effective");
    }
    let holiday = valid_with(
        "calendar office {",
        "holidays h {\n  date 99999-01-01 \"Far\"\n}\n\ncalendar office {",
    );
    let outcome = exercise("a holiday in year 99999", &holiday, DEADLINE);
    assert_eq!(outcome.codes(), ["E001"], "{}", outcome.check.stdout);
}

/// `slac calendar` in a workspace holding `VALID` (calendar `office`, Europe/Paris).
fn calendar_query(args: &[&str], deadline: Duration) -> Run {
    let dir = tempfile::tempdir().expect("a temporary folder");
    fs::write(dir.path().join("input.sla"), VALID).expect("the workspace is written");
    let mut all = vec!["calendar"];
    all.extend_from_slice(args);
    let run = slac_with(dir.path(), &all, &[], deadline);
    assert_survived(&all.join(" "), &run);
    run
}

#[test]
fn calendar_queries_far_in_the_future_are_clear_errors() {
    // The last deadline a four-digit year can write is answered.
    let run = calendar_query(
        &[
            "due",
            "office",
            "--start",
            "9999-12-30T10:00:00Z",
            "--within",
            "2h",
            "--format",
            "json",
        ],
        DEADLINE,
    );
    run.assert_code(0);
    assert!(
        run.stdout.contains("\"9999-12-30T13:00:00+01:00\""),
        "{}",
        run.stdout
    );
    // One past the end of year 9999 is no deadline, not a date of year 10000.
    for (calendar, start, within) in [
        ("office", "9999-12-31T15:00:00Z", "2bd"),
        ("office", "9999-12-31T15:00:00Z", "8h"),
        ("always", "9999-12-31T23:00:00Z", "2h"),
    ] {
        let run = calendar_query(
            &["due", calendar, "--start", start, "--within", within],
            DEADLINE,
        );
        run.assert_code(1);
        assert!(run.stderr.contains("no deadline"), "{}", run.stderr);
        assert!(!run.stdout.contains("10000"), "{}", run.stdout);
    }
    // Durations past what the language can hold are refused as arguments (status 2).
    for within in ["1000000000000bd", "99999999999999999999h", "4294967296bd"] {
        let run = calendar_query(
            &[
                "due",
                "office",
                "--start",
                "2026-01-05T10:00:00Z",
                "--within",
                within,
            ],
            DEADLINE,
        );
        run.assert_code(2);
        assert!(run.stderr.contains("too long a duration"), "{}", run.stderr);
    }
    // The largest business-day count is answered at once: the engine gives up after ten years.
    let run = calendar_query(
        &[
            "due",
            "office",
            "--start",
            "2026-01-05T10:00:00Z",
            "--within",
            "4294967295bd",
        ],
        DEADLINE,
    );
    run.assert_code(1);
    assert!(run.stderr.contains("within ten years"), "{}", run.stderr);
    // Near the end of year 9999 the deadline would be in year 10000: none, and said so.
    let run = calendar_query(
        &[
            "due",
            "office",
            "--start",
            "9999-12-31T10:00:00Z",
            "--within",
            "3bd",
        ],
        DEADLINE,
    );
    run.assert_code(1);
    assert!(
        run.stderr.contains("only after year 9999"),
        "{}",
        run.stderr
    );
}

#[test]
fn open_time_over_ten_thousand_years_ends() {
    let started = Instant::now();
    let run = calendar_query(
        &[
            "elapsed",
            "office",
            "--from",
            "0001-01-01T00:00:00Z",
            "--to",
            "9999-12-31T23:59:59Z",
            "--format",
            "json",
        ],
        BIG_DEADLINE,
    );
    run.assert_code(0);
    let seconds: Value = serde_json::from_str(run.stdout.trim()).expect("JSON");
    // About 45 hours a week over 10,000 years, less the days the holidays close.
    let seconds = seconds["seconds"].as_i64().expect("seconds");
    assert!(
        (80_000_000_000..85_000_000_000).contains(&seconds),
        "{seconds}"
    );
    eprintln!("10,000 years of open time: {:?}", started.elapsed());
}

#[cfg(unix)]
#[test]
fn imports_that_leave_the_root_through_a_link_or_dots_are_e010() {
    use std::os::unix::fs::symlink;

    let dir = tempfile::tempdir().expect("a temporary folder");
    let (root, outside) = (dir.path().join("ws"), dir.path().join("outside"));
    fs::create_dir_all(root.join("shared")).expect("folders");
    fs::create_dir_all(&outside).expect("folders");
    let secret = "party secret {\n  name \"Secret\"\n  kind internal\n}\n";
    fs::write(outside.join("secret.sla"), secret).expect("the outside file");
    // Not a `.sla` file, so that only the import loads it.
    fs::write(
        root.join("shared/parties.txt"),
        secret.replace("secret", "inside"),
    )
    .expect("the inside file");
    fs::write(root.join("slac.toml"), "").expect("slac.toml");
    symlink(outside.join("secret.sla"), root.join("link.sla")).expect("a link to a file");
    symlink(&outside, root.join("linked_folder")).expect("a link to a folder");
    // A link that stays inside the root is followed as usual.
    symlink(
        root.join("shared/parties.txt"),
        root.join("shared/alias.sla"),
    )
    .expect("a link");
    let main = "import \"link.sla\"\nimport \"linked_folder/secret.sla\"\nimport \"../outside/secret.sla\"\nimport \"shared/alias.sla\"\n";
    fs::write(root.join("main.sla"), main).expect("main.sla");

    let run = slac_with(
        &root,
        &["check", "--format", "json", "main.sla"],
        &[],
        DEADLINE,
    );
    assert_survived("links", &run);
    run.assert_code(1);
    let diagnostics: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let places: Vec<(&str, u64, u64)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("?"),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // At each import path (column 8), and nothing else: the outside file is never read, and
    // the alias inside the root loads the party `inside`.
    assert_eq!(
        places,
        [("E010", 1, 8), ("E010", 2, 8), ("E010", 3, 8)],
        "{}",
        run.stdout
    );
    for diagnostic in &diagnostics[..2] {
        assert!(
            diagnostic["message"]
                .as_str()
                .is_some_and(|m| m.contains("symbolic link")),
            "{diagnostic}"
        );
    }
}
