//! Printing HTML the way a reader does, for the tests of the contract documents: headless
//! Chromium prints a page to PDF (its print CSS applied, A4 when the page asks for it), and
//! poppler's `pdftotext` and `pdfinfo` read the PDF back. The tests that use them fail (they are
//! not skipped) when a tool is missing: run `scripts/install-test-tools`.

// A failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::fs;
use std::io::ErrorKind;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::tail;

/// How long one print may take before Chromium counts as hung and is killed.
pub const PRINT_DEADLINE: Duration = Duration::from_secs(60);

/// Prints `html` to `pdf` with headless Chromium, and fails the test unless a non-empty PDF was
/// written. Chromium runs in a fresh profile of its own (so that runs in parallel do not share
/// one), without sandbox (CI runs as root), without the date, title and URL that it otherwise
/// prints in the margins, and within [`PRINT_DEADLINE`]. What it says on stderr (D-Bus, GPU and
/// launcher complaints, which are normal in a container) only appears when the print fails.
pub fn print_to_pdf(html: &Path, pdf: &Path) {
    let html = html
        .canonicalize()
        .unwrap_or_else(|error| panic!("cannot print {}: {error}", html.display()));
    if pdf.exists() {
        fs::remove_file(pdf).unwrap();
    }
    let scratch = tempfile::tempdir().unwrap();
    let log_path = scratch.path().join("chromium.log");
    let log = fs::File::create(&log_path).unwrap();
    let url = file_url(&html);
    let mut command = Command::new("chromium");
    command
        .arg("--headless")
        .arg("--no-sandbox")
        .arg("--disable-gpu")
        // /dev/shm is 64 MB in many containers; Chromium crashes when it fills up.
        .arg("--disable-dev-shm-usage")
        .arg("--no-first-run")
        .arg("--no-default-browser-check")
        .arg("--disable-extensions")
        .arg("--disable-background-networking")
        .arg("--disable-sync")
        .arg("--disable-breakpad")
        .arg("--no-pdf-header-footer")
        .arg(format!(
            "--user-data-dir={}",
            scratch.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(&url)
        // Caches and settings stay in the scratch folder too.
        .env("XDG_CONFIG_HOME", scratch.path().join("config"))
        .env("XDG_CACHE_HOME", scratch.path().join("cache"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        // Its own process group, so that a hung print is killed with its renderer and helpers.
        .process_group(0);
    let mut child = command.spawn().unwrap_or_else(|error| {
        if error.kind() == ErrorKind::NotFound {
            panic!(
                "chromium is not on PATH: this test prints the generated HTML documents to PDF \
                 with headless Chromium. Run scripts/install-test-tools (it installs Debian's \
                 `chromium` package), then run the tests again."
            )
        }
        panic!("cannot start chromium: {error}")
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait().unwrap() {
            Some(status) => break status,
            None if started.elapsed() > PRINT_DEADLINE => {
                // The leader is not reaped yet, so its group id cannot have been reused.
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "chromium took more than {PRINT_DEADLINE:?} to print {url}: killed\n{}",
                    log_tail(&log_path)
                );
            }
            None => thread::sleep(Duration::from_millis(20)),
        }
    };
    assert!(
        status.success(),
        "chromium failed ({status}) to print {url}\n{}",
        log_tail(&log_path)
    );
    let bytes = fs::read(pdf).unwrap_or_else(|error| {
        panic!(
            "chromium exited successfully but wrote no PDF at {} for {url} ({error})\n{}",
            pdf.display(),
            log_tail(&log_path)
        )
    });
    assert!(
        bytes.starts_with(b"%PDF-"),
        "chromium wrote {} bytes at {} for {url}, and they are not a PDF\n{}",
        bytes.len(),
        pdf.display(),
        log_tail(&log_path)
    );
}

/// The text of the PDF laid out as on paper (`pdftotext -layout`), pages separated by a form
/// feed (`\f`).
pub fn pdf_text(pdf: &Path) -> String {
    poppler(
        "pdftotext",
        &["-layout".as_ref(), pdf.as_os_str(), "-".as_ref()],
    )
}

/// The text of the PDF in reading order (`pdftotext` without `-layout`): a table cell wrapped
/// over two lines stays in one piece, where the layout text interleaves it with the cells beside
/// it.
pub fn pdf_text_reading_order(pdf: &Path) -> String {
    poppler("pdftotext", &[pdf.as_os_str(), "-".as_ref()])
}

/// The text of each page (`pdftotext -layout`), in order.
pub fn pdf_page_texts(pdf: &Path) -> Vec<String> {
    let text = pdf_text(pdf);
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    // pdftotext ends every page with a form feed: the piece after the last one is empty.
    if pages.last().is_some_and(|last| last.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// What `pdfinfo` says about the PDF (`Pages:`, `Page size:`, …).
pub fn pdf_info(pdf: &Path) -> String {
    poppler("pdfinfo", &[pdf.as_os_str()])
}

/// The number of pages of the PDF, from `pdfinfo`.
pub fn pdf_pages(pdf: &Path) -> usize {
    let info = pdf_info(pdf);
    info.lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|pages| pages.trim().parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no `Pages:` line in pdfinfo's answer for {}:\n{info}",
                pdf.display()
            )
        })
}

/// Whether the PDF's pages are A4 (`Page size: … (A4)` from `pdfinfo`).
pub fn pdf_is_a4(pdf: &Path) -> bool {
    pdf_info(pdf)
        .lines()
        .any(|line| line.starts_with("Page size:") && line.contains("(A4)"))
}

/// Text as a reader compares it: no-break, narrow no-break, thin and figure spaces are spaces,
/// typographic apostrophes are `'`, and every run of whitespace (line ends and page breaks
/// included) is one space.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let c = match c {
            '\u{a0}' | '\u{202f}' | '\u{2007}' | '\u{2009}' | '\u{200a}' => ' ',
            '\u{2019}' | '\u{2018}' | '\u{2032}' => '\'',
            c => c,
        };
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// Whether the text of a PDF shows `term` as a whole. Both are normalized, and spaces do not
/// count: pdftotext guesses word spaces from the gaps between glyphs, and drops narrow ones
/// (`1 h` in a table cell, `95 %` with a narrow no-break space, both read without the space)
/// or adds one where a line wraps (an e-mail address cut after `-`). A term that starts (ends)
/// with a letter or digit must not be glued to one before (after) it, so that `5 %` is not found
/// in `95 %`, nor `P1` in `P10`, nor `1 h` in `1 heure`. Compare spacing (French `95 %` against
/// English `95%`) on the HTML, not here.
pub fn contains_term(text: &str, term: &str) -> bool {
    let term: String = normalize(term).chars().filter(|c| *c != ' ').collect();
    if term.is_empty() {
        return true;
    }
    let text: Vec<char> = normalize(text).chars().collect();
    // The text without spaces, and where each of its characters is in `text`.
    let (squeezed, at): (String, Vec<usize>) = text
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != ' ')
        .map(|(i, c)| (*c, i))
        .unzip();
    let alnum = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
    let starts_alnum = alnum(term.chars().next().as_ref());
    let ends_alnum = alnum(term.chars().next_back().as_ref());
    let term_chars = term.chars().count();
    // Every occurrence, overlapping ones included: `char_indices` counts the characters.
    squeezed
        .char_indices()
        .enumerate()
        .any(|(first, (byte, _))| {
            if !squeezed[byte..].starts_with(&term) {
                return false;
            }
            let last = first + term_chars - 1;
            let before = at[first].checked_sub(1).and_then(|i| text.get(i));
            let after = text.get(at[last] + 1);
            let glued_before = starts_alnum && alnum(before);
            let glued_after = ends_alnum && alnum(after);
            !(glued_before || glued_after)
        })
}

/// Runs a poppler tool and returns its stdout; fails the test, with an install hint when the
/// tool is missing.
fn poppler(tool: &str, args: &[&std::ffi::OsStr]) -> String {
    let output: Output = Command::new(tool)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| {
            if error.kind() == ErrorKind::NotFound {
                panic!(
                    "{tool} is not on PATH: this test reads the PDF printed from the generated \
                     HTML. Run scripts/install-test-tools (it installs Debian's `poppler-utils` \
                     package), then run the tests again."
                )
            }
            panic!("cannot run {tool}: {error}")
        });
    assert!(
        output.status.success(),
        "`{tool} {}` failed ({}): {}",
        args.iter()
            .map(|arg| arg.to_string_lossy())
            .collect::<Vec<_>>()
            .join(" "),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap_or_else(|error| panic!("{tool} wrote invalid UTF-8: {error}"))
}

/// `file://` and the absolute path, percent-encoded where a URL needs it.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for byte in path.as_os_str().as_encoded_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(byte) {
            url.push(char::from(*byte));
        } else {
            write!(url, "%{byte:02X}").unwrap();
        }
    }
    url
}

fn log_tail(log: &Path) -> String {
    let log = fs::read_to_string(log).unwrap_or_default();
    format!("chromium's output:\n{}", tail(&log))
}
