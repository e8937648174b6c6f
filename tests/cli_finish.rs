//! The finish of the command line: `--version` with the git commit, shell completions, manual
//! pages rendered by `man`, `--color` and `NO_COLOR`, `--quiet` and `--verbose`, progress bars
//! only on a terminal, and environment errors that say what to do.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{slac, slac_with, DEADLINE};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A workspace with one warning (an agreement that ended before today, W003) and, when
/// `broken`, one error (an unknown calendar).
fn workspace(broken: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let calendar = if broken { "nowhere" } else { "always" };
    std::fs::write(dir.path().join("slac.toml"), "[workspace]\n").unwrap();
    std::fs::write(
        dir.path().join("a.sla"),
        format!(
            r#"party acme {{
  name "Acme"
}}

party desk {{
  name "Desk"
  kind internal
}}

agreement support {{
  kind customer
  version 1.0.0
  effective 2020-01-01 to 2021-01-01
  provider desk
  customer acme

  objective response {{
    sli response_time
    calendar {calendar}
    target 90%
    window month
    within 4h
  }}
}}
"#
        ),
    )
    .unwrap();
    dir
}

#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let run = slac(&root(), &["--version"]);
    run.assert_code(0);
    let commit = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(root())
        .output()
        .unwrap();
    let commit = String::from_utf8(commit.stdout).unwrap();
    assert!(!commit.trim().is_empty(), "the tests run in a git checkout");
    let line = run.stdout.trim();
    assert!(
        line.starts_with(&format!(
            "slac {} ({} ",
            env!("CARGO_PKG_VERSION"),
            commit.trim()
        )),
        "{line}"
    );
    // Every command says the same.
    let check = slac(&root(), &["check", "--version"]);
    assert_eq!(
        check.stdout.trim().strip_prefix("slac-check "),
        line.strip_prefix("slac ")
    );
}

#[test]
fn bash_completes_commands_and_options() {
    let dir = tempfile::tempdir().unwrap();
    let run = slac(dir.path(), &["completions", "bash"]);
    run.assert_code(0);
    let script = dir.path().join("slac.bash");
    std::fs::write(&script, &run.stdout).unwrap();
    // What bash offers after `slac bu<TAB>` and `slac report --pro<TAB>`.
    let complete = |words: &str, cword: usize| -> Vec<String> {
        let output = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source {}; COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE='{words}'; \
                 COMP_POINT=${{#COMP_LINE}}; \
                 _slac slac \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
                 printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                script.display()
            ))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let mut words = complete("slac bu", 1);
    words.sort();
    assert_eq!(words, ["budget", "build"], "{words:?}");
    let words = complete("slac report --pro", 2);
    assert!(
        words.contains(&"--prometheus".to_string())
            && words.contains(&"--prometheus-header".to_string()),
        "{words:?}"
    );
    let words = complete("slac completions ", 2);
    for shell in ["bash", "zsh", "fish", "powershell"] {
        assert!(words.contains(&shell.to_string()), "{words:?}");
    }
    // The other shells get their own scripts, naming every command.
    for shell in ["zsh", "fish", "powershell"] {
        let run = slac(dir.path(), &["completions", shell]);
        run.assert_code(0);
        for command in ["check", "build", "fmt", "report", "calendar", "completions"] {
            assert!(run.stdout.contains(command), "{shell}: no {command}");
        }
    }
    slac(dir.path(), &["completions", "tcsh"]).assert_code(2);
}

#[test]
fn man_renders_the_generated_pages() {
    let dir = tempfile::tempdir().unwrap();
    let run = slac(dir.path(), &["man", "--out", "pages"]);
    run.assert_code(0);
    let pages = dir.path().join("pages");
    for page in [
        "slac.1",
        "slac-build.1",
        "slac-report.1",
        "slac-calendar-due.1",
    ] {
        assert!(pages.join(page).is_file(), "no {page}");
    }
    let render = |page: &str| -> String {
        let output = Command::new("man")
            .args(["-P", "cat", "-l"])
            .arg(pages.join(page))
            .env("MANWIDTH", "100")
            .env("LC_ALL", "C.UTF-8")
            .output()
            .expect("`man` runs (scripts/install-test-tools installs man-db)");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let main = render("slac.1");
    for part in [
        "NAME",
        "SYNOPSIS",
        "SUBCOMMANDS",
        "slac-build(1)",
        "--color",
    ] {
        assert!(main.contains(part), "no {part} in:\n{main}");
    }
    let report = render("slac-report.1");
    for part in ["--prometheus", "--period", "--trend"] {
        assert!(report.contains(part), "no {part} in:\n{report}");
    }
    // A folder that cannot be made is an environment error that says what to do.
    std::fs::write(dir.path().join("file"), "").unwrap();
    let run = slac(dir.path(), &["man", "--out", "file/pages"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("choose another folder with --out"),
        "{}",
        run.stderr
    );
}

const ESC: char = '\u{1b}';

#[test]
fn colours_follow_the_flag_then_no_color() {
    let ws = workspace(true);
    // The support runner sets NO_COLOR=1 and pipes stderr.
    let plain = slac(ws.path(), &["check"]);
    plain.assert_code(1);
    assert!(plain.stderr.contains("E00"), "{}", plain.stderr);
    assert!(!plain.stderr.contains(ESC));
    let always = slac(ws.path(), &["check", "--color", "always"]);
    always.assert_code(1);
    assert!(always.stderr.contains(ESC), "{}", always.stderr);
    let never = slac_with(
        ws.path(),
        &["--color", "never", "check"],
        &[("NO_COLOR", "")],
        DEADLINE,
    );
    assert!(!never.stderr.contains(ESC));
    // `diff` colours its stdout the same way.
    slac(ws.path(), &["check", "--color", "sometimes"]).assert_code(2);
}

#[test]
fn quiet_prints_errors_only_and_verbose_says_more() {
    let fine = workspace(false);
    let normal = slac(fine.path(), &["check"]);
    normal.assert_code(0);
    assert!(normal.stderr.contains("warning"), "{}", normal.stderr);
    let quiet = slac(fine.path(), &["check", "--quiet"]);
    quiet.assert_code(0);
    assert_eq!(quiet.stderr, "", "warnings and the summary are left out");
    let verbose = slac(fine.path(), &["-v", "check"]);
    verbose.assert_code(0);
    assert!(verbose.stderr.contains("checked in "), "{}", verbose.stderr);
    assert!(
        verbose.stderr.contains("read 1 file(s)") || verbose.stderr.contains("read 2 file(s)"),
        "{}",
        verbose.stderr
    );

    let broken = workspace(true);
    let quiet = slac(broken.path(), &["check", "-q"]);
    quiet.assert_code(1);
    assert!(quiet.stderr.contains("E002"), "{}", quiet.stderr);
    assert!(!quiet.stderr.contains("W003"), "{}", quiet.stderr);
    assert!(
        !quiet.stderr.contains("problem"),
        "no summary: {}",
        quiet.stderr
    );
    let normal = slac(broken.path(), &["check"]);
    assert!(normal.stderr.contains("W003"), "{}", normal.stderr);
    slac(broken.path(), &["check", "-q", "-v"]).assert_code(2);
}

/// Runs `command` under a pseudo-terminal (util-linux `script`), returning what it printed.
fn on_terminal(dir: &Path, command: &str, env: &[(&str, &str)]) -> String {
    let output = Command::new("script")
        .args(["-qefc", command, "/dev/null"])
        .current_dir(dir)
        .envs(env.iter().copied())
        .env("SLAC_TODAY", support::TODAY)
        .output()
        .expect("`script` (util-linux) runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_progress_bar_shows_on_a_terminal_only() {
    let dir = tempfile::tempdir().unwrap();
    // Enough ticket events that reading them takes a moment.
    let mut events = String::new();
    for i in 0..20_000 {
        events.push_str(&format!(
            "{{\"ticket\":\"T-{i}\",\"at\":\"2026-03-02T09:00:00+01:00\",\"event\":\"opened\",\"attrs\":{{\"priority\":\"P1\"}}}}\n"
        ));
    }
    std::fs::write(dir.path().join("events.jsonl"), events).unwrap();
    let examples = root().join("examples");
    let command = format!(
        "{} report -w {} --data events.jsonl --period 2026-03 --agreement acme_printers --format json --out report.json",
        env!("CARGO_BIN_EXE_slac"),
        examples.display()
    );
    let shown = on_terminal(dir.path(), &command, &[("SLAC_PROGRESS_AFTER_MS", "0")]);
    assert!(shown.contains("reading ["), "{shown}");
    // Quick work prints no bar: the default is to wait a second.
    let quick = on_terminal(dir.path(), &command, &[]);
    assert!(!quick.contains("reading ["), "{quick}");
    let quiet = on_terminal(
        dir.path(),
        &format!("{command} --quiet"),
        &[("SLAC_PROGRESS_AFTER_MS", "0")],
    );
    assert!(!quiet.contains("reading ["), "{quiet}");
    // Not a terminal: nothing but the report's own lines.
    let piped = slac_with(
        dir.path(),
        &[
            "report",
            "-w",
            examples.to_str().unwrap(),
            "--data",
            "events.jsonl",
            "--period",
            "2026-03",
            "--agreement",
            "acme_printers",
            "--format",
            "json",
            "--out",
            "r.json",
        ],
        &[("SLAC_PROGRESS_AFTER_MS", "0")],
        Duration::from_secs(60),
    );
    assert!(!piped.stderr.contains("reading"), "{}", piped.stderr);
}

#[test]
fn environment_errors_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let run = slac(dir.path(), &["check", "no/such/folder"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("no such file or folder; give the folder of a workspace"),
        "{}",
        run.stderr
    );
    let run = slac(dir.path(), &["check"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("no workspace in .") && run.stderr.contains("slac init"),
        "{}",
        run.stderr
    );
    // An output folder that cannot be written: what to do instead.
    let ws = workspace(false);
    std::fs::write(ws.path().join("file"), "").unwrap();
    let run = slac(ws.path(), &["build", "--out", "file/out"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("choose a folder you can write with --out"),
        "{}",
        run.stderr
    );
    let run = slac(
        dir.path(),
        &[
            "report", "-w", "nowhere", "--data", "x.jsonl", "--period", "2026-03",
        ],
    );
    run.assert_code(2);
    assert!(
        run.stderr.contains("give the folder of a workspace"),
        "{}",
        run.stderr
    );
}
