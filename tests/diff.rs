#![allow(clippy::unwrap_used)]
//! `slac diff` and `slac log`, run the way a reviewer and a CI job run them: in temporary git
//! repositories built from the fixture pairs of `tests/fixtures/diff/<case>/{before,after}/`
//! (each copied over `tests/fixtures/diff/_common/`), with the review of every kind of change in
//! its three formats (snapshots in `tests/snapshots/diff__*`), the version verdicts of
//! `--check-version`, revisions that look like options, the history of `slac log`, and the CI
//! recipes of `docs/ci.md`, whose commands are read from the page and run as written.
//!
//! The repositories need no git configuration of the machine: the author, the committer and
//! their dates are given to every commit, signing is off and the first branch is `main`.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{slac, slac_with, Run, DEADLINE};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/diff")
}

/// Runs `git ARGS` in `dir` without reading the machine's git configuration; fails the test if
/// git fails. Returns its standard output.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = git_command(dir, args).output().unwrap();
    assert!(
        output.status.success(),
        "`git {}` failed in {}:\n{}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "tag.gpgsign=false",
            "-c",
            "core.autocrlf=false",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", dir.join(".no-global-gitconfig"))
        .env("GIT_AUTHOR_NAME", "Contract Manager")
        .env("GIT_AUTHOR_EMAIL", "contracts@provider.example")
        .env("GIT_COMMITTER_NAME", "Contract Manager")
        .env("GIT_COMMITTER_EMAIL", "contracts@provider.example")
        .env("LC_ALL", "C");
    command
}

/// Commits everything in `dir` with a fixed date, so that commit ids are the same on every
/// machine.
fn commit(dir: &Path, message: &str, date: &str) {
    git(dir, &["add", "--all"]);
    let output = git_command(dir, &["commit", "--quiet", "--allow-empty", "-m", message])
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "`git commit` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn copy_files(from: &Path, to: &Path) {
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            fs::create_dir_all(&target).unwrap();
            copy_files(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

/// Makes the working tree of `repo` the shared files with one side of a case over them: every
/// file absent from that side is deleted.
fn put_side(repo: &Path, case: &str, side: &str) {
    for entry in fs::read_dir(repo).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == ".git" {
            continue;
        }
        if path.is_dir() {
            fs::remove_dir_all(&path).unwrap();
        } else {
            fs::remove_file(&path).unwrap();
        }
    }
    copy_files(&fixtures().join("_common"), repo);
    let side = fixtures().join(case).join(side);
    assert!(side.is_dir(), "no fixture {}", side.display());
    copy_files(&side, repo);
}

/// A new repository whose first commit is `before/` of the case.
fn repo_before(case: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "--quiet"]);
    put_side(dir.path(), case, "before");
    commit(dir.path(), "before", "2026-03-02T09:00:00+01:00");
    dir
}

/// A repository with `before/` and then `after/` of the case committed.
fn repo_of(case: &str) -> tempfile::TempDir {
    let dir = repo_before(case);
    put_side(dir.path(), case, "after");
    commit(dir.path(), "after", "2026-03-03T09:00:00+01:00");
    dir
}

fn diff(repo: &Path, args: &[&str]) -> Run {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    slac(repo, &all)
}

/// The JSON `slac` printed, parsed and pretty-printed with its keys in order, whatever the
/// features of serde_json.
fn pretty_json(run: &Run) -> String {
    fn sorted(value: serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => {
                let entries: BTreeMap<String, serde_json::Value> =
                    map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
                serde_json::Value::Object(entries.into_iter().collect())
            }
            serde_json::Value::Array(items) => items.into_iter().map(sorted).collect(),
            other => other,
        }
    }
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|error| {
        panic!(
            "`{}` printed no JSON ({error}):\n{}",
            run.command, run.stdout
        )
    });
    serde_json::to_string_pretty(&sorted(value)).unwrap()
}

/// The review of one case in every format, committed and from the working tree. Every fixture
/// but the `version_*` ones raises the versions as the policy demands.
fn review_case(case: &str) {
    let repo = repo_before(case);
    let repo = repo.path();
    put_side(repo, case, "after");

    // The working tree is the default HEAD: the same review, uncommitted.
    let uncommitted = diff(repo, &["HEAD", "--format", "json"]);
    uncommitted.assert_code(0);
    let uncommitted: serde_json::Value = serde_json::from_str(&uncommitted.stdout).unwrap();
    assert_eq!(uncommitted["head"], "working tree");

    commit(repo, "after", "2026-03-03T09:00:00+01:00");
    for format in ["human", "markdown", "json"] {
        let run = diff(repo, &["HEAD~1", "HEAD", "--format", format]);
        run.assert_code(0);
        assert!(run.stderr.is_empty(), "{}:\n{}", run.command, run.stderr);
        let text = if format == "json" {
            pretty_json(&run)
        } else {
            run.stdout.clone()
        };
        insta::assert_snapshot!(format!("{case}_{format}"), text);
        if format == "json" {
            let mut committed: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
            assert_eq!(committed["base"], "HEAD~1");
            assert_eq!(committed["head"], "HEAD");
            committed["head"] = "working tree".into();
            committed["base"] = "HEAD".into();
            assert_eq!(
                committed, uncommitted,
                "{case}: the working tree and the commit of the same files review differently"
            );
        }
    }
    // The human format is the default.
    let default = diff(repo, &["HEAD~1", "HEAD"]);
    default.assert_code(0);
    let human = diff(repo, &["HEAD~1", "HEAD", "--format", "human"]);
    assert_eq!(default.stdout, human.stdout);

    if !case.starts_with("version_") {
        let check = diff(repo, &["HEAD~1", "HEAD", "--check-version"]);
        check.assert_code(0);
        assert!(check.stderr.is_empty(), "{case}: {}", check.stderr);
    }
}

macro_rules! review_cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                review_case(stringify!($name));
            }
        )*
    };
}

review_cases!(
    target_tightened,
    target_loosened,
    within_cases,
    objective_added,
    objective_removed,
    window_changed,
    calendar_changed,
    escalation_changed,
    credits_changed,
    provider_changed,
    effective_dates,
    fee_raised,
    responsibilities_clauses,
    inherited,
    broken_support,
    wording_only,
    agreement_added,
    agreement_removed,
    version_not_bumped,
    version_too_little,
);

/// Every case folder has its test above, so that a new fixture cannot go unreviewed.
#[test]
fn every_fixture_is_a_case() {
    let source =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/diff.rs"))
            .unwrap();
    let listed = &source[source.find("review_cases!(\n").unwrap()..];
    let listed = &listed[..listed.find(");").unwrap()];
    for entry in fs::read_dir(fixtures()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name == "_common" {
            continue;
        }
        assert!(
            listed.contains(&format!("    {name},\n")),
            "tests/fixtures/diff/{name} has no test in review_cases!"
        );
    }
}

#[test]
fn the_review_names_what_each_change_means() {
    // A few statements the snapshots hold, asserted so that their meaning cannot drift unseen.
    let cases: &[(&str, &[&str])] = &[
        (
            "target_tightened",
            &[
                "+ stricter for the provider: objective `availability`: target 99.5% → 99.9%: error budget 3h36m → 43m12s over 30d",
                "version 1.0.0 → 1.1.0: minor bump or more",
            ],
        ),
        (
            "target_loosened",
            &["- weaker for the customer: objective `availability`: target 99.5% → 99%: error budget 3h36m → 7h12m over 30d"],
        ),
        (
            "inherited",
            &["Acme printers `printers`", "Acme laptops `laptops`", "(inherited)"],
        ),
        ("broken_support", &["E008: `network_ola.dispatch` allows 2h"]),
        ("wording_only", &["  wording: "]),
        ("agreement_added", &["Network OLA `network_ola` (operational): added"]),
        ("agreement_removed", &["Network OLA `network_ola` (operational): removed"]),
    ];
    for (case, expected) in cases {
        let repo = repo_of(case);
        let run = diff(repo.path(), &["HEAD~1", "HEAD"]);
        run.assert_code(0);
        for line in *expected {
            assert!(
                run.stdout.contains(line),
                "{case}: no `{line}` in\n{}",
                run.stdout
            );
        }
    }
}

#[test]
fn an_unchanged_workspace_says_so() {
    let repo = repo_of("target_tightened");
    let run = diff(repo.path(), &["HEAD", "HEAD"]);
    run.assert_code(0);
    assert_eq!(
        run.stdout,
        "no agreement's obligations changed between HEAD and HEAD\n"
    );
    let run = diff(
        repo.path(),
        &["HEAD", "--format", "markdown", "--check-version"],
    );
    run.assert_code(0);
    assert!(run.stdout.contains("No agreement's obligations changed."));
}

#[test]
fn check_version_says_which_change_demands_which_bump() {
    // (case, exit status, what stderr must say)
    let cases: &[(&str, i32, &[&str])] = &[
        ("target_tightened", 0, &[]),
        (
            "version_not_bumped",
            1,
            &[
                "error: `api` changed but its version went 1.0.0 → 1.0.0: a minor bump is needed because of:",
                "  - objective `availability`: target 99.5% → 99.9%",
            ],
        ),
        (
            "version_too_little",
            1,
            &[
                "error: `api` changed but its version went 1.0.0 → 1.1.0: a major bump is needed because of:",
                "  - objective `availability`: target 99.5% → 99%",
            ],
        ),
        // A new agreement has no version to raise; a removed one has none left.
        ("agreement_added", 0, &[]),
        ("agreement_removed", 0, &[]),
    ];
    for (case, code, expected) in cases {
        let repo = repo_of(case);
        let run = diff(repo.path(), &["HEAD~1", "HEAD", "--check-version"]);
        run.assert_code(*code);
        if *code == 0 {
            assert!(run.stderr.is_empty(), "{case}: {}", run.stderr);
        } else {
            insta::assert_snapshot!(format!("check_version_{case}"), run.stderr);
        }
        for line in *expected {
            assert!(
                run.stderr.contains(line),
                "{case}: no `{line}` in\n{}",
                run.stderr
            );
        }
        // The review is printed whatever the verdict.
        assert!(run.stdout.contains("`api`") || run.stdout.contains("`network_ola`"));
        let markdown = diff(
            repo.path(),
            &["HEAD~1", "HEAD", "--check-version", "--format", "markdown"],
        );
        markdown.assert_code(*code);
        if *code == 1 {
            assert!(
                markdown.stdout.contains("❌ needs a"),
                "{}",
                markdown.stdout
            );
        }
    }
}

/// Every file below `dir`, by path relative to it, `.git` left out.
fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap() == ".git" {
                continue;
            }
            if path.is_dir() {
                stack.push(path.clone());
            }
            files.push(path.strip_prefix(dir).unwrap().to_path_buf());
        }
    }
    files.sort();
    files
}

#[test]
fn revisions_that_look_like_options_are_only_revisions() {
    let repo = repo_of("target_tightened");
    let repo = repo.path();
    let outside = tempfile::tempdir().unwrap();
    let output = outside.path().join("x");
    let hostile = [
        format!("--output={}", output.display()),
        "-p".to_string(),
        "--exec=touch pwned".to_string(),
        "a name with spaces".to_string(),
        "no-such-revision".to_string(),
        "HEAD~99".to_string(),
    ];
    let files = listing(repo);
    for rev in &hostile {
        for args in [
            vec![rev.as_str(), "HEAD"],
            vec!["HEAD~1", rev.as_str()],
            vec!["--", rev.as_str(), "HEAD"],
        ] {
            let run = diff(repo, &args);
            run.assert_code(2);
            assert!(
                run.stderr
                    .contains(&format!("error: unknown revision `{rev}`")),
                "{}: {}",
                run.command,
                run.stderr
            );
            assert!(run.stdout.is_empty(), "{}: {}", run.command, run.stdout);
        }
    }
    assert!(!output.exists(), "`--output=` reached git");
    assert_eq!(listing(outside.path()), Vec::<PathBuf>::new());
    assert_eq!(listing(repo), files, "a revision created a file");
    assert_eq!(git(repo, &["status", "--porcelain"]), "");
}

#[test]
fn a_branch_named_like_an_option_is_a_base() {
    let repo = repo_of("target_tightened");
    let repo = repo.path();
    git(repo, &["update-ref", "refs/heads/-weird", "HEAD~1"]);
    let expected = diff(repo, &["HEAD~1", "HEAD"]);
    expected.assert_code(0);
    let expected = expected.stdout.replace("HEAD~1", "-weird");
    // After `--`, and without it: BASE takes values that start with `-`.
    for args in [
        &["--", "-weird", "HEAD"][..],
        &["-weird", "HEAD"][..],
        &["-weird", "HEAD", "--format", "human"][..],
    ] {
        let run = diff(repo, args);
        run.assert_code(0);
        assert_eq!(run.stdout, expected, "{}", run.command);
    }
    let markdown = diff(repo, &["-weird", "HEAD", "--format", "markdown"]);
    markdown.assert_code(0);
    assert!(markdown
        .stdout
        .starts_with("## Contract review: `-weird` → `HEAD`\n"));
}

#[test]
fn a_workspace_outside_a_repository_is_refused() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("contracts");
    fs::create_dir(&dir).unwrap();
    copy_files(&fixtures().join("_common"), &dir);
    copy_files(&fixtures().join("target_tightened/before"), &dir);
    // Keep git from finding a repository above the temporary folder.
    let ceiling = parent.path().to_str().unwrap();
    let env = [("GIT_CEILING_DIRECTORIES", ceiling)];
    let dir_arg = dir.to_str().unwrap();
    for (cwd, args) in [
        (dir.as_path(), vec!["diff", "HEAD"]),
        (parent.path(), vec!["diff", "HEAD", "-w", dir_arg]),
        (parent.path(), vec!["log", "api", "-w", dir_arg]),
    ] {
        let run = slac_with(cwd, &args, &env, DEADLINE);
        run.assert_code(2);
        assert!(
            run.stderr.starts_with("error: not a git repository"),
            "{}: {}",
            run.command,
            run.stderr
        );
    }
    // A workspace path that does not exist.
    let run = slac(parent.path(), &["diff", "HEAD", "-w", "missing"]);
    run.assert_code(2);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
}

/// A repository with three commits of `api` (and `network_ola`, untouched after the first):
/// added; availability tightened; fee raised and the P1 deadline shortened. Returns it with
/// the short id of each commit, oldest first.
fn history() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "--quiet"]);
    put_side(repo, "agreement_removed", "before");
    commit(
        repo,
        "Add the API agreement and the network OLA",
        "2026-01-05T10:00:00+01:00",
    );
    put_side(repo, "agreement_removed", "before");
    copy_files(&fixtures().join("target_tightened/after"), repo);
    commit(repo, "Tighten the API targets", "2026-02-10T11:30:00+01:00");
    let api = repo.join("api.sla");
    let text = fs::read_to_string(&api).unwrap();
    let text = text
        .replace("version 1.1.0", "version 2.0.0")
        .replace("fee 1000 EUR", "fee 1200 EUR")
        .replace(
            "within 1h for priority = P1",
            "within 30m for priority = P1",
        );
    fs::write(&api, text).unwrap();
    commit(
        repo,
        "Raise the fee, answer P1 tickets sooner",
        "2026-04-01T09:15:00+02:00",
    );
    let ids = git(repo, &["log", "--reverse", "--format=%h"])
        .lines()
        .map(str::to_string)
        .collect();
    (dir, ids)
}

/// `slac log` output with the short ids replaced by `<commit N>`.
fn redact(text: &str, ids: &[String]) -> String {
    let mut text = text.to_string();
    for (n, id) in ids.iter().enumerate() {
        text = text.replace(id.as_str(), &format!("<commit {}>", n + 1));
    }
    text
}

#[test]
fn log_lists_the_commits_that_changed_an_agreement_newest_first() {
    let (repo, ids) = history();
    let repo = repo.path();
    assert_eq!(ids.len(), 3);

    let run = slac(repo, &["log", "api"]);
    run.assert_code(0);
    let text = redact(&run.stdout, &ids);
    insta::assert_snapshot!("log_api", text);
    let whole = text.clone();
    // One block per commit, newest first, each with its date, short id and version.
    let headers: Vec<&str> = text.lines().filter(|l| !l.starts_with("  ")).collect();
    assert_eq!(
        headers,
        [
            "2026-04-01T09:15:00+02:00 <commit 3> v2.0.0 Raise the fee, answer P1 tickets sooner",
            "2026-02-10T11:30:00+01:00 <commit 2> v1.1.0 Tighten the API targets",
            "2026-01-05T10:00:00+01:00 <commit 1> v1.0.0 Add the API agreement and the network OLA",
        ]
    );
    assert!(text.contains(
        "  fee: 1000 EUR per month → 1200 EUR per month: weaker for the customer (major)"
    ));

    // One objective: only the commits that changed it.
    let run = slac(repo, &["log", "api.availability"]);
    run.assert_code(0);
    let text = redact(&run.stdout, &ids);
    insta::assert_snapshot!("log_api_availability", text);
    assert!(!text.contains("<commit 3>"), "{text}");
    assert!(
        text.contains("<commit 2>") && text.contains("<commit 1>"),
        "{text}"
    );
    assert!(!text.contains("response"), "{text}");

    let run = slac(repo, &["log", "api.response"]);
    run.assert_code(0);
    let text = redact(&run.stdout, &ids);
    insta::assert_snapshot!("log_api_response", text);
    assert!(!text.contains("availability"), "{text}");

    // An agreement that no commit after the first changed.
    let run = slac(repo, &["log", "network_ola"]);
    run.assert_code(0);
    assert_eq!(
        redact(&run.stdout, &ids),
        "2026-01-05T10:00:00+01:00 <commit 1> v1.0.0 Add the API agreement and the network OLA\n  added\n"
    );

    // From another folder, with `-w`.
    let run = slac(
        repo.parent().unwrap(),
        &["log", "api", "-w", repo.to_str().unwrap()],
    );
    run.assert_code(0);
    assert_eq!(redact(&run.stdout, &ids), whole);

    let run = slac(repo, &["log", "nope"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("has an agreement `nope`"),
        "{}",
        run.stderr
    );
}

// ─── The CI recipes of docs/ci.md ───────────────────────────────────────────────────────────

/// The YAML block of `docs/ci.md` whose first line is `first`.
fn recipe(first: &str) -> serde_norway::Value {
    let page =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/ci.md")).unwrap();
    let start = page
        .find(&format!("```yaml\n{first}\n"))
        .unwrap_or_else(|| panic!("docs/ci.md has no ```yaml block starting with `{first}`"));
    let block = &page[start + "```yaml\n".len()..];
    let block = &block[..block.find("\n```\n").unwrap()];
    serde_norway::from_str(block).unwrap()
}

fn text(value: &serde_norway::Value) -> String {
    match value {
        serde_norway::Value::String(s) => s.clone(),
        serde_norway::Value::Number(n) => n.to_string(),
        serde_norway::Value::Bool(b) => b.to_string(),
        other => panic!("not a scalar: {other:?}"),
    }
}

fn variables(map: Option<&serde_norway::Value>) -> BTreeMap<String, String> {
    map.and_then(serde_norway::Value::as_mapping)
        .into_iter()
        .flatten()
        .map(|(k, v)| (text(k), text(v)))
        .collect()
}

/// A feature branch off `main`, pushed to an "origin" (a local repository, no network) and
/// cloned the way CI clones it. On `main` after the branch is made, another agreement changes
/// (so that a review against the tip of `main` rather than the merge base would show it). The
/// feature branch tightens `api`, with or without the version bump.
struct Pipeline {
    _dir: tempfile::TempDir,
    /// The clone CI works in, on the feature branch.
    clone: PathBuf,
    /// `PATH` with the slac under test first.
    path: String,
}

fn pipeline(bumped: bool) -> Pipeline {
    let dir = tempfile::tempdir().unwrap();
    let origin = dir.path().join("origin");
    fs::create_dir(&origin).unwrap();
    git(&origin, &["init", "--quiet"]);
    put_side(&origin, "agreement_removed", "before");
    commit(&origin, "Contracts", "2026-01-05T10:00:00+01:00");
    git(&origin, &["checkout", "--quiet", "-b", "feature"]);
    let case = if bumped {
        "target_tightened"
    } else {
        "version_not_bumped"
    };
    copy_files(&fixtures().join(case).join("after"), &origin);
    commit(&origin, "Tighten the API", "2026-01-06T10:00:00+01:00");
    git(&origin, &["checkout", "--quiet", "main"]);
    let ola = origin.join("network_ola.sla");
    let text = fs::read_to_string(&ola)
        .unwrap()
        .replace("version 1.0.0", "version 1.1.0")
        .replace("within 2h", "within 1h");
    fs::write(&ola, text).unwrap();
    commit(
        &origin,
        "Faster network dispatch",
        "2026-01-07T10:00:00+01:00",
    );

    let clone = dir.path().join("clone");
    let status = git_command(
        dir.path(),
        &["clone", "--quiet", "--no-local", "origin", "clone"],
    )
    .status()
    .unwrap();
    assert!(status.success());
    git(&clone, &["checkout", "--quiet", "feature"]);
    let bin = Path::new(env!("CARGO_BIN_EXE_slac")).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap()
    .into_string()
    .unwrap();
    Pipeline {
        _dir: dir,
        clone,
        path,
    }
}

impl Pipeline {
    /// Runs a shell script in the clone as a CI runner does (`bash -eo pipefail`), with `env`.
    fn run(&self, script: &str, env: &BTreeMap<String, String>) -> std::process::Output {
        assert!(
            !script.contains("${{"),
            "an expression GitHub would expand is left in `{script}`"
        );
        Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(&self.clone)
            .env("PATH", &self.path)
            .env("NO_COLOR", "1")
            .env("SLAC_TODAY", support::TODAY)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.clone.join(".no-global-gitconfig"))
            .envs(env)
            .output()
            .unwrap()
    }

    fn review(&self) -> String {
        fs::read_to_string(self.clone.join("contract-review.md"))
            .expect("the recipe wrote no contract-review.md")
    }
}

/// GitHub's `${{ github.base_ref }}`, for a pull request into `main`.
fn github_expand(text: &str) -> String {
    text.replace("${{ github.base_ref }}", "main")
}

/// Runs the `run` steps of the GitHub workflow of docs/ci.md, in order, up to the first that
/// fails; returns each step's name and exit status.
fn run_github(bumped: bool) -> (Pipeline, Vec<(String, i32)>) {
    let workflow = recipe("# .github/workflows/contracts.yml");
    let jobs = workflow["jobs"].as_mapping().unwrap();
    assert_eq!(jobs.len(), 1, "one job");
    let job = jobs.values().next().unwrap();
    let mut env = variables(workflow.get("env"));
    env.extend(variables(job.get("env")));
    let env: BTreeMap<String, String> = env
        .into_iter()
        .map(|(k, v)| (k, github_expand(&v)))
        .collect();
    let pipeline = pipeline(bumped);
    // `actions/checkout` on `pull_request` checks out the merge into the base branch.
    git(
        &pipeline.clone,
        &["checkout", "--quiet", "--detach", "origin/main"],
    );
    git(
        &pipeline.clone,
        &[
            "merge",
            "--quiet",
            "--no-ff",
            "-m",
            "Merge feature into main",
            "origin/feature",
        ],
    );
    let mut results = Vec::new();
    let mut skipped = Vec::new();
    for step in job["steps"].as_sequence().unwrap() {
        let name = step.get("name").map(text).unwrap_or_default();
        let Some(script) = step.get("run") else {
            let uses = text(&step["uses"]);
            if uses.starts_with("actions/checkout@") {
                assert_eq!(text(&step["with"]["fetch-depth"]), "0", "the whole history");
            }
            skipped.push(uses);
            continue;
        };
        let script = github_expand(&text(script));
        if script.contains("cargo install") {
            skipped.push(name);
            continue;
        }
        let mut step_env = env.clone();
        step_env.extend(
            variables(step.get("env"))
                .into_iter()
                .map(|(k, v)| (k, github_expand(&v))),
        );
        let output = pipeline.run(&script, &step_env);
        let code = output.status.code().unwrap();
        results.push((name.clone(), code));
        if code != 0 {
            eprintln!(
                "step `{name}` exited with {code}:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            break;
        }
    }
    // Not run: they need the network (or a pull request to comment on).
    assert_eq!(
        skipped,
        [
            "actions/checkout@v4",
            "Install slac",
            "marocchino/sticky-pull-request-comment@v2"
        ]
    );
    (pipeline, results)
}

#[test]
fn the_github_workflow_of_docs_ci_runs() {
    let (pipeline, results) = run_github(true);
    assert_eq!(
        results,
        [
            ("Check the agreements".to_string(), 0),
            ("Review the change".to_string(), 0),
            ("Check the layout".to_string(), 0),
            ("Check the versions".to_string(), 0),
        ]
    );
    let review = pipeline.review();
    assert!(
        review.starts_with("## Contract review: `origin/main` → `working tree`\n"),
        "{review}"
    );
    assert!(
        review.contains(
            "| Acme API (`api`) | changed | 2 | 0 | 0 | 1.0.0 → 1.1.0 | ✅ minor bump or more: done |"
        ),
        "{review}"
    );
    // The merge: only what the pull request changes.
    assert!(!review.contains("network_ola"), "{review}");

    let (pipeline, results) = run_github(false);
    assert_eq!(
        results,
        [
            ("Check the agreements".to_string(), 0),
            ("Review the change".to_string(), 0),
            ("Check the layout".to_string(), 0),
            ("Check the versions".to_string(), 1),
        ]
    );
    assert!(pipeline.review().contains("❌ needs a minor bump"));
}

/// Runs the `script` of the GitLab job of docs/ci.md as the runner does (one shell, stopping at
/// the first failure), without the line that posts the note; returns the run.
fn run_gitlab(bumped: bool) -> (Pipeline, std::process::Output) {
    let config = recipe("# .gitlab-ci.yml");
    let job = &config["contracts"];
    let mut env = variables(job.get("variables"));
    assert_eq!(
        env.get("GIT_DEPTH").map(String::as_str),
        Some("0"),
        "the whole history"
    );
    env.insert(
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME".to_string(),
        "main".to_string(),
    );
    env.insert(
        "CI_PIPELINE_SOURCE".to_string(),
        "merge_request_event".to_string(),
    );
    let before: Vec<String> = job["before_script"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(text)
        .collect();
    assert!(
        before.iter().all(|line| line.contains("cargo install")),
        "{before:?}"
    );
    let mut lines = Vec::new();
    let mut posts = 0;
    for line in job["script"].as_sequence().unwrap() {
        let line = text(line);
        if line.starts_with("curl ") {
            assert!(line.contains("merge_requests/$CI_MERGE_REQUEST_IID/notes"));
            posts += 1;
            continue;
        }
        lines.push(line);
    }
    assert_eq!(posts, 1, "one line posts the note");
    assert!(lines[0].starts_with("git fetch origin "), "{lines:?}");
    let pipeline = pipeline(bumped);
    // The runner's clone has no local branch of the target: only what `git fetch` brings.
    git(
        &pipeline.clone,
        &["update-ref", "-d", "refs/remotes/origin/main"],
    );
    let output = pipeline.run(&lines.join("\n"), &env);
    (pipeline, output)
}

#[test]
fn the_gitlab_job_of_docs_ci_runs() {
    let (pipeline, output) = run_gitlab(true);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let review = pipeline.review();
    assert!(
        review.contains(
            "| Acme API (`api`) | changed | 2 | 0 | 0 | 1.0.0 → 1.1.0 | ✅ minor bump or more: done |"
        ),
        "{review}"
    );
    // Against the merge base: the later commit of `main` is not shown as undone.
    assert!(!review.contains("network_ola"), "{review}");

    let (pipeline, output) = run_gitlab(false);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error: `api` changed but its version went 1.0.0 → 1.0.0: a minor bump is needed because of:"),
        "{stderr}"
    );
    assert!(pipeline.review().contains("❌ needs a minor bump"));
}

/// `slac diff --format markdown` of a change that adds a holiday to
/// [`support::markdown::contract`] with `text` everywhere.
fn contract_review(text: &str) -> String {
    contract_review_as(text, "markdown").stdout
}

/// The same review in `format`.
fn contract_review_as(text: &str, format: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "--quiet"]);
    fs::write(repo.join("slac.toml"), "[workspace]\n").unwrap();
    fs::write(
        repo.join("hostile.sla"),
        support::markdown::contract(text, false),
    )
    .unwrap();
    commit(repo, "before", "2026-03-02T09:00:00+01:00");
    fs::write(
        repo.join("hostile.sla"),
        support::markdown::contract(text, true),
    )
    .unwrap();
    commit(repo, "after", "2026-03-03T09:00:00+01:00");
    let run = diff(repo, &["HEAD~1", "HEAD", "--format", format]);
    run.assert_code(0);
    run
}

#[test]
fn markdown_in_a_title_or_a_holiday_stays_text_in_the_pull_request_comment() {
    use support::markdown::{assert_same_markup, HARMLESS, HOSTILE};
    let hostile = contract_review(HOSTILE);
    assert_same_markup(&hostile, &contract_review(HARMLESS));
    assert!(
        hostile.contains("holiday added: !\\[x](http:\u{2060}//t/p.png)"),
        "{hostile}"
    );
}

#[test]
fn control_characters_in_a_title_or_a_holiday_reach_the_terminal_escaped() {
    let run = contract_review_as(support::terminal::HOSTILE, "human");
    support::terminal::assert_shown_escaped("stdout", &run.stdout, false);
    let run = contract_review_as(support::terminal::HOSTILE, "markdown");
    support::terminal::assert_shown_escaped("stdout", &run.stdout, false);
}
