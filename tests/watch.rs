//! `slac watch` as a person uses it: it builds, then builds again on each change of the
//! agreements or `slac.toml` however an editor saves them, keeps the previous output when a
//! change has errors, ignores what does not matter, and ends with status 0 on Ctrl-C.

// A panic is how a test fails: unwrapping is the point here.
#![allow(clippy::unwrap_used)]
#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use support::ratio_agreement;
use support::running::{spawn, Running};
use support::tree::hashes;

/// How long the first build may take (a debug binary on a loaded machine), and each rebuild.
const FIRST_BUILD: Duration = Duration::from_secs(30);
const REBUILD: Duration = Duration::from_secs(15);

/// A workspace of two agreements, `api` and `web`, built into `out/` by a running `slac watch`.
struct Watched {
    dir: tempfile::TempDir,
    watch: Running,
}

impl Watched {
    fn start() -> Watched {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("slac.toml"), "[workspace]\nout = \"out\"\n").unwrap();
        std::fs::write(root.join("common.sla"), support::PARTIES).unwrap();
        std::fs::write(root.join("api.sla"), ratio_agreement("api", "99.9%")).unwrap();
        std::fs::write(root.join("web.sla"), ratio_agreement("web", "99.9%")).unwrap();
        let watch = spawn(root, &["watch"], &[]);
        Watched { dir, watch }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    fn write(&self, relative: &str, text: &str) {
        std::fs::write(self.path(relative), text).unwrap();
    }

    fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap_or_default()
    }

    /// The status lines so far: `(number, what follows "build N: ")`.
    fn builds(&self) -> Vec<(usize, String)> {
        status_lines(&self.watch.stdout())
    }

    fn last_build(&self) -> usize {
        self.builds().last().map_or(0, |(n, _)| *n)
    }

    /// Waits for a build after build `after` whose status satisfies `status` and after which
    /// `output` holds; returns its number.
    fn wait_for_build(
        &self,
        after: usize,
        what: &str,
        status: impl Fn(&str) -> bool,
        output: impl Fn(&Watched) -> bool,
    ) -> usize {
        let timeout = if after == 0 { FIRST_BUILD } else { REBUILD };
        self.watch.wait_for(what, timeout, |_| {
            self.builds()
                .last()
                .is_some_and(|(n, line)| *n > after && status(line))
                && output(self)
        });
        self.last_build()
    }

    fn wait_for_ok(&self, after: usize, what: &str, output: impl Fn(&Watched) -> bool) -> usize {
        self.wait_for_build(after, what, |line| line.contains(", ok in "), output)
    }

    fn wait_for_errors(&self, after: usize, what: &str) -> usize {
        self.wait_for_build(
            after,
            what,
            |line| line.contains("error") && line.ends_with("previous output kept"),
            |_| true,
        )
    }
}

fn status_lines(stdout: &str) -> Vec<(usize, String)> {
    stdout
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("build ")?;
            let (n, status) = rest.split_once(": ")?;
            Some((n.parse().ok()?, status.to_string()))
        })
        .collect()
}

#[test]
fn watch_rebuilds_on_every_change_and_stops_on_ctrl_c() {
    let ws = Watched::start();
    let rules = |w: &Watched| w.read("out/prometheus/api.yml");
    let n = ws.wait_for_ok(0, "the first build", |w| {
        rules(w).contains("budget: \"43m12s over 30d\"")
            && w.path("out/prometheus/web.yml").is_file()
    });
    assert_eq!(n, 1, "{}", ws.watch.output());
    assert!(
        ws.builds()[0].1.starts_with("14 files, ok in "),
        "{:?}",
        ws.builds()
    );

    // An edit: the rules follow.
    ws.write("api.sla", &ratio_agreement("api", "99.5%"));
    let n = ws.wait_for_ok(n, "a build after an edit", |w| {
        rules(w).contains("budget: \"3h36m over 30d\"")
    });

    // An error: reported, and the output stays byte for byte.
    let before = hashes(&ws.path("out"));
    ws.write("api.sla", &ratio_agreement("api", "199.5%"));
    let n = ws.wait_for_errors(n, "a build with an error");
    assert!(ws.watch.stderr().contains("E005"), "{}", ws.watch.output());
    assert_eq!(hashes(&ws.path("out")), before);

    // A file saved half-written: its syntax errors are reported, the output stays.
    let whole = ratio_agreement("api", "99%");
    ws.write("api.sla", &whole[..whole.len() / 2]);
    let n = ws.wait_for_errors(n, "a build of a half-written file");
    assert!(ws.watch.stderr().contains("E001"), "{}", ws.watch.output());
    assert_eq!(hashes(&ws.path("out")), before);

    // Fixed by an atomic save, as editors do: a temporary file renamed over the agreement.
    ws.write("api.sla.tmp", &whole);
    std::fs::rename(ws.path("api.sla.tmp"), ws.path("api.sla")).unwrap();
    let n = ws.wait_for_ok(n, "a build after an atomic save", |w| {
        rules(w).contains("budget: \"7h12m over 30d\"")
    });

    // A file renamed away, then back, then deleted.
    std::fs::rename(ws.path("web.sla"), ws.path("web.sla.off")).unwrap();
    let n = ws.wait_for_ok(n, "a build after a rename", |w| {
        !w.path("out/prometheus/web.yml").exists()
    });
    std::fs::rename(ws.path("web.sla.off"), ws.path("web.sla")).unwrap();
    let n = ws.wait_for_ok(n, "a build after renaming back", |w| {
        w.path("out/prometheus/web.yml").is_file()
    });
    std::fs::remove_file(ws.path("web.sla")).unwrap();
    let n = ws.wait_for_ok(n, "a build after a deletion", |w| {
        !w.path("out/prometheus/web.yml").exists()
    });

    // A new folder, at once holding a new agreement.
    std::fs::create_dir_all(ws.path("teams/billing")).unwrap();
    ws.write(
        "teams/billing/billing.sla",
        &ratio_agreement("billing", "99%"),
    );
    let n = ws.wait_for_ok(n, "a build after a new folder", |w| {
        w.path("out/prometheus/billing.yml").is_file()
    });
    // A file in a folder created after the watch began.
    ws.write(
        "teams/billing/invoices.sla",
        &ratio_agreement("invoices", "99%"),
    );
    let n = ws.wait_for_ok(n, "a build after a file in the new folder", |w| {
        w.path("out/prometheus/invoices.yml").is_file()
    });

    // slac.toml edited: the output moves, and the new folder is not taken for a change.
    ws.write("slac.toml", "[workspace]\nout = \"generated\"\n");
    let n = ws.wait_for_ok(n, "a build after editing slac.toml", |w| {
        w.path("generated/prometheus/invoices.yml").is_file()
    });

    // Editors' backups and autosaves, files that are not agreements, and the output: no build.
    ws.write("api.sla~", "backup");
    ws.write("#api.sla#", "autosave");
    ws.write(".#api.sla", "lock");
    ws.write(".api.sla.swp", "swap");
    ws.write("NOTES.md", "notes");
    ws.write("generated/README.md", "kept");
    thread::sleep(Duration::from_millis(1200));
    assert_eq!(ws.last_build(), n, "{}", ws.watch.output());
    // Still watching: the next real change is the very next build.
    ws.write("api.sla", &ratio_agreement("api", "99.5%"));
    let next = ws.wait_for_ok(n, "a build after the last edit", |w| {
        w.read("generated/prometheus/api.yml")
            .contains("3h36m over 30d")
    });
    assert_eq!(next, n + 1, "{}", ws.watch.output());
    assert_eq!(ws.read("generated/README.md"), "kept");

    // Not a terminal: the screen is never cleared.
    assert!(
        !ws.watch.stdout().contains('\x1b'),
        "{:?}",
        ws.watch.stdout()
    );

    let mut watch = ws.watch;
    watch.interrupt();
    let status = watch.wait_exit(Duration::from_secs(10));
    assert_eq!(status.code(), Some(0), "{}", watch.output());
    assert!(
        watch.stderr().contains("stopped watching"),
        "{}",
        watch.output()
    );
}

#[test]
fn watch_started_on_errors_writes_nothing_until_they_are_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("slac.toml"), "[workspace]\nout = \"out\"\n").unwrap();
    std::fs::write(root.join("common.sla"), support::PARTIES).unwrap();
    std::fs::write(root.join("api.sla"), ratio_agreement("api", "-1%")).unwrap();
    let mut watch = spawn(root, &["watch", "--target", "prometheus"], &[]);
    watch.wait_for("the first build", FIRST_BUILD, |w| {
        status_lines(&w.stdout()).len() == 1
    });
    let first = &status_lines(&watch.stdout())[0];
    assert_eq!(first.0, 1);
    assert!(
        first.1.ends_with("previous output kept"),
        "{}",
        watch.output()
    );
    assert!(!root.join("out").exists());

    std::fs::write(root.join("api.sla"), ratio_agreement("api", "99%")).unwrap();
    watch.wait_for("a build once fixed", REBUILD, |w| {
        status_lines(&w.stdout())
            .last()
            .is_some_and(|(_, line)| line.starts_with("1 file, ok in "))
    });
    let names: Vec<String> = hashes(&root.join("out")).into_keys().collect();
    assert_eq!(
        names,
        [".slac-manifest", "prometheus/", "prometheus/api.yml"]
    );

    watch.interrupt();
    assert_eq!(watch.wait_exit(Duration::from_secs(10)).code(), Some(0));
}

#[test]
fn watch_refuses_an_unknown_target_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let run = support::slac(dir.path(), &["watch", "--target", "nagios"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("unknown target `nagios`"),
        "{}",
        run.stderr
    );
}
