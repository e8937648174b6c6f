//! `slac-git` against throwaway repositories built with the `git` binary.

// A panic is how a test fails: unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use slac_git::{GitError, Repo};
use slac_model::{Options, Workspace};

fn options() -> Options {
    Options {
        today: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
    }
}

/// A repository in a temporary folder, committing with a fixed identity and no signing, so that
/// it works on a machine without any git configuration.
struct TestRepo {
    dir: tempfile::TempDir,
    commits: u32,
}

impl TestRepo {
    fn new() -> TestRepo {
        let repo = TestRepo {
            dir: tempfile::tempdir().unwrap(),
            commits: 0,
        };
        repo.git(&["init", "-q"]);
        repo
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .arg("-C")
            .arg(self.dir.path())
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.com",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "tag.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_string()
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn remove(&self, relative: &str) {
        std::fs::remove_file(self.path(relative)).unwrap();
    }

    /// Commits everything, a day after the previous commit; returns the commit id.
    fn commit(&mut self, message: &str) -> String {
        self.commits += 1;
        let date = format!("2026-03-{:02}T10:00:00+01:00", self.commits);
        self.git(&["add", "-A"]);
        let output = Command::new("git")
            .arg("-C")
            .arg(self.dir.path())
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.com",
                "-c",
                "commit.gpgsign=false",
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                message,
            ])
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        self.git(&["rev-parse", "HEAD"])
    }

    fn repo(&self) -> Repo {
        Repo::discover(self.dir.path()).unwrap()
    }
}

const PARTIES: &str = r#"
party acme {
  name "Acme Industries SA"
  kind external
  contact account_manager "marie.dupont@acme.example"
}

party helpdesk {
  name "Service Desk"
  kind internal
  contact manager "it-manager@provider.example"
}

service printers {
  name "Printer support"
  owner helpdesk
}
"#;

fn agreement(target: &str) -> String {
    format!(
        r#"
agreement acme_printers {{
  title "Printer support"
  kind customer
  version 1.0.0
  effective 2026-01-01 to 2026-12-31
  provider helpdesk
  customer acme
  services printers

  objective response {{
    sli response_time
    target {target}
    window month
    within 4h
  }}
}}
"#
    )
}

const EXTRA: &str = r#"
service scanners {
  name "Scanner support"
  owner helpdesk
}
"#;

fn target(workspace: &Workspace) -> f64 {
    workspace.model.agreements["acme_printers"]
        .objective("response")
        .unwrap()
        .target
}

fn paths(workspace: &Workspace) -> Vec<PathBuf> {
    workspace
        .sources
        .iter()
        .map(|f| f.path().to_path_buf())
        .collect()
}

fn assert_clean(workspace: &Workspace) {
    assert!(
        workspace.diagnostics.is_empty(),
        "{:#?}",
        workspace.diagnostics
    );
}

#[test]
fn each_commit_gives_its_own_model() {
    let mut t = TestRepo::new();
    t.write("parties.sla", PARTIES);
    t.write("agreement.sla", &agreement("95%"));
    t.write("extra.sla", EXTRA);
    t.write("notes.txt", "not a workspace file");
    let first = t.commit("First agreement");
    t.write("agreement.sla", &agreement("99%"));
    t.remove("extra.sla");
    let second = t.commit("Tighten the response target");
    // Uncommitted: only the working tree sees it.
    t.write("agreement.sla", &agreement("90%"));

    let repo = t.repo();
    let root = t.dir.path();
    let first = repo.resolve(&first).unwrap();
    let second = repo.resolve(&second).unwrap();

    let old = repo.workspace_at(&first, root, &options()).unwrap();
    assert_clean(&old);
    assert_eq!(target(&old), 95.0);
    assert!(old.model.services.contains_key("scanners"));
    assert_eq!(
        paths(&old),
        vec![
            root.join("agreement.sla"),
            root.join("extra.sla"),
            root.join("parties.sla")
        ]
    );

    let new = repo.workspace_at(&second, root, &options()).unwrap();
    assert_clean(&new);
    assert_eq!(target(&new), 99.0);
    assert!(!new.model.services.contains_key("scanners"));

    let now = repo.working_tree(root, &options()).unwrap();
    assert_eq!(target(&now), 90.0);
    // The same files under the same names as in the working tree.
    assert_eq!(paths(&new), paths(&now));
    assert_eq!(new.root, now.root);

    // A file of the workspace names its workspace, as on the disk.
    let by_file = repo
        .workspace_at(&first, &root.join("agreement.sla"), &options())
        .unwrap();
    assert_eq!(by_file.sources.len(), 1);
    assert!(by_file.has_errors(), "alone, its parties are unknown");
    // A file deleted since is read from the commit.
    let deleted = repo
        .workspace_at(&first, &root.join("extra.sla"), &options())
        .unwrap();
    assert_eq!(paths(&deleted), vec![root.join("extra.sla")]);
    // …and absent from a commit, it gives an empty workspace.
    let absent = repo
        .workspace_at(&second, &root.join("extra.sla"), &options())
        .unwrap();
    assert!(absent.sources.is_empty());
    // A file that is not `.sla` is refused as on the disk.
    let error = repo
        .workspace_at(&first, &root.join("notes.txt"), &options())
        .unwrap_err();
    assert!(error.to_string().contains("not a `.sla` file"), "{error}");
}

#[test]
fn a_subfolder_workspace_uses_its_slac_toml_at_the_commit() {
    let mut t = TestRepo::new();
    t.write("README.md", "a repository with a workspace below");
    t.write("outside.sla", "this is not even slac");
    t.write("contracts/parties.sla", PARTIES);
    t.write("contracts/agreements/acme.sla", &agreement("95%"));
    t.write("contracts/drafts/broken.sla", "agreement {{{ broken");
    t.write("contracts/.hidden/h.sla", "hidden {");
    t.write("contracts/target/t.sla", "target {");
    let first = t.commit("Contracts without slac.toml");
    t.write(
        "contracts/slac.toml",
        "[workspace]\ninclude = [\"agreements/**/*.sla\", \"parties.sla\"]\n",
    );
    t.write("contracts/agreements/acme.sla", &agreement("97.5%"));
    let second = t.commit("Add slac.toml");

    let repo = t.repo();
    let contracts = t.path("contracts");
    let first = repo.resolve(&first).unwrap();
    let second = repo.resolve(&second).unwrap();

    // Without slac.toml every `.sla` file below the folder is included, drafts too.
    let old = repo.workspace_at(&first, &contracts, &options()).unwrap();
    assert_eq!(
        paths(&old),
        vec![
            contracts.join("agreements/acme.sla"),
            contracts.join("drafts/broken.sla"),
            contracts.join("parties.sla"),
        ]
    );
    assert!(old.has_errors());
    assert_eq!(target(&old), 95.0);

    // With it, its globs choose, and a folder below the root gives the whole workspace.
    let new = repo
        .workspace_at(&second, &contracts.join("agreements"), &options())
        .unwrap();
    assert_clean(&new);
    assert_eq!(new.root, contracts);
    assert_eq!(target(&new), 97.5);
    let on_disk = slac_model::load(&contracts.join("agreements"), &options()).unwrap();
    assert_eq!(paths(&new), paths(&on_disk));
    assert_eq!(new.config, on_disk.config);
    assert_eq!(new.config.workspace.include.len(), 2);

    // The config of the commit counts, not the one on the disk.
    let again = repo.workspace_at(&first, &contracts, &options()).unwrap();
    assert_eq!(again.sources.len(), 3);

    // A folder that did not exist yet gives a workspace without files.
    let missing = repo
        .workspace_at(&first, &t.path("later"), &options())
        .unwrap();
    assert!(missing.sources.is_empty());
}

#[test]
fn imports_and_invalid_files_are_read_from_the_commit() {
    let mut t = TestRepo::new();
    t.write(
        "slac.toml",
        "[workspace]\ninclude = [\"main.sla\"]\n[docs]\nlanguages = [\"fr\"]\n",
    );
    t.write(
        "main.sla",
        &format!("import \"lib/parties.txt\"\n{}", agreement("95%")),
    );
    t.write("lib/parties.txt", PARTIES);
    let first = t.commit("Import parties");
    t.write("slac.toml", "[workspace]\nnot_a_key = 1\n");
    let second = t.commit("Break slac.toml");

    let repo = t.repo();
    let root = t.dir.path();
    let first = repo.resolve(&first).unwrap();
    let old = repo.workspace_at(&first, root, &options()).unwrap();
    assert_clean(&old);
    assert_eq!(old.config.docs.languages, vec!["fr".to_string()]);
    assert_eq!(
        paths(&old),
        vec![root.join("main.sla"), root.join("lib/parties.txt")]
    );

    // A broken slac.toml is a diagnostic, as on the disk.
    let second = repo.resolve(&second).unwrap();
    let new = repo.workspace_at(&second, root, &options()).unwrap();
    assert!(new.has_errors());
    assert!(
        new.diagnostics
            .iter()
            .any(|d| d.message.contains("invalid slac.toml")),
        "{:#?}",
        new.diagnostics
    );
}

#[test]
fn revisions_are_never_options() {
    let mut t = TestRepo::new();
    t.write("a.sla", PARTIES);
    let first = t.commit("one");
    t.write("a.sla", EXTRA);
    let second = t.commit("two");
    t.git(&["tag", "v1", &first]);
    t.git(&["tag", "-a", "-m", "annotated", "v1-annotated", &first]);
    // Valid reference names that look like options.
    t.git(&["update-ref", "refs/heads/-weird", &first]);
    t.git(&["update-ref", "refs/heads/--output=weird", &first]);
    t.git(&["update-ref", "refs/tags/-p", &first]);

    let repo = t.repo();
    let id = |rev: &str| repo.resolve(rev).map(|c| c.id().to_string());
    assert_eq!(id("HEAD").unwrap(), second);
    assert_eq!(id("HEAD~1").unwrap(), first);
    assert_eq!(id("main").unwrap(), second);
    assert_eq!(id("v1").unwrap(), first);
    assert_eq!(id("v1-annotated").unwrap(), first);
    assert_eq!(id(&first[..10]).unwrap(), first);
    assert_eq!(id("-weird").unwrap(), first);
    assert_eq!(id("--output=weird").unwrap(), first);
    assert_eq!(id("-p").unwrap(), first);

    let elsewhere = tempfile::tempdir().unwrap();
    let written = elsewhere.path().join("x");
    let output_option = format!("--output={}", written.display());
    let hostile = [
        output_option.as_str(),
        "--exec=touch pwned",
        "-h",
        "--help",
        "--version",
        "--git-dir=/",
        "--end-of-options",
        "--",
        "-",
        "",
        "name with spaces",
        "HEAD:a.sla",
        "HEAD~5",
        "nope",
        "a\nb",
        "a\0b",
        "HEAD^{tree}",
        "HEAD..HEAD~1",
    ];
    for rev in hostile {
        match repo.resolve(rev) {
            Err(GitError::UnknownRevision { rev: named }) => assert_eq!(named, rev),
            other => panic!("`{rev}`: {other:?}"),
        }
    }
    assert!(!written.exists(), "--output= wrote a file");
    assert!(!t.path("pwned").exists());
    assert!(!Path::new("pwned").exists());
    let message = repo.resolve("nope").unwrap_err().to_string();
    assert_eq!(message, "unknown revision `nope`");
}

#[test]
fn outside_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    let error = Repo::discover(dir.path()).unwrap_err();
    assert!(
        matches!(&error, GitError::NotARepository { path } if path == dir.path()),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("not a git repository: {}", dir.path().display())
    );
    let error = Repo::discover(&dir.path().join("missing")).unwrap_err();
    assert!(matches!(error, GitError::Io { .. }), "{error:?}");

    // A path of another folder is outside the repository.
    let mut t = TestRepo::new();
    t.write("a.sla", PARTIES);
    let head = t.commit("one");
    let repo = t.repo();
    let head = repo.resolve(&head).unwrap();
    let error = repo
        .workspace_at(&head, dir.path(), &options())
        .unwrap_err();
    assert!(
        matches!(error, GitError::OutsideRepository { .. }),
        "{error:?}"
    );
    // Inside a subfolder, the repository is found above it.
    t.write("sub/b.sla", EXTRA);
    let repo = Repo::discover(&t.path("sub/b.sla")).unwrap();
    assert_eq!(repo.top(), t.dir.path().canonicalize().unwrap());
}

#[test]
fn log_lists_the_commits_that_changed_paths_newest_first() {
    let mut t = TestRepo::new();
    let repo = t.repo();
    assert!(repo.log(&[]).unwrap().is_empty(), "no commits yet");

    t.write("contracts/parties.sla", PARTIES);
    let first = t.commit("Parties");
    t.write("other/readme.md", "unrelated");
    t.commit("Unrelated");
    t.write("contracts/agreement.sla", &agreement("95%"));
    let third = t.commit("Agreement: 95%");
    t.remove("contracts/agreement.sla");
    let fourth = t.commit("Drop the agreement");

    let log = repo.log(&[t.path("contracts")]).unwrap();
    let ids: Vec<&str> = log.iter().map(|e| e.commit.id()).collect();
    assert_eq!(ids, vec![fourth.as_str(), third.as_str(), first.as_str()]);
    let subjects: Vec<&str> = log.iter().map(|e| e.subject.as_str()).collect();
    assert_eq!(
        subjects,
        vec!["Drop the agreement", "Agreement: 95%", "Parties"]
    );
    assert_eq!(log[0].date, "2026-03-04T10:00:00+01:00");
    assert!(fourth.starts_with(&log[0].short_id) && log[0].short_id.len() >= 7);

    // A file deleted since still has its history; several paths join theirs.
    let log = repo.log(&[t.path("contracts/agreement.sla")]).unwrap();
    assert_eq!(log.len(), 2);
    let log = repo
        .log(&[t.path("contracts/agreement.sla"), t.path("other")])
        .unwrap();
    assert_eq!(log.len(), 3);
    // The top folder and no path at all: every commit.
    assert_eq!(repo.log(&[t.dir.path().to_path_buf()]).unwrap().len(), 4);
    assert_eq!(repo.log(&[]).unwrap().len(), 4);
    // Paths are literal: a `*` is part of a name.
    assert!(repo.log(&[t.path("contracts/*")]).unwrap().is_empty());
    assert!(matches!(
        repo.log(&[PathBuf::from("/")]),
        Err(GitError::OutsideRepository { .. })
    ));
}
