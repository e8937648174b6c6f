//! Puts the git commit `slac` is built from into its version line (`slac --version`):
//! `0.1.0 (3f2a9c1d4e5b 2026-12-01)`, or `0.1.0 (not built from a git checkout)`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn main() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    let date = git(&["log", "-1", "--format=%cs", "HEAD"]);
    let text = match (commit, date) {
        (Some(commit), Some(date)) => format!("{commit} {date}"),
        (Some(commit), None) => commit,
        _ => "not built from a git checkout".to_string(),
    };
    println!("cargo:rustc-env=SLAC_GIT_COMMIT={text}");
    // Built again when HEAD moves: HEAD itself (a checkout), the branch it points to (a
    // commit), and the packed refs.
    if let Some(dir) = git(&["rev-parse", "--absolute-git-dir"]).map(PathBuf::from) {
        let head = dir.join("HEAD");
        rerun_if_changed(&head);
        rerun_if_changed(&dir.join("packed-refs"));
        // A worktree keeps its HEAD apart and its branches in the common folder.
        let common = git(&["rev-parse", "--path-format=absolute", "--git-common-dir"])
            .map_or_else(|| dir.clone(), PathBuf::from);
        rerun_if_changed(&common.join("packed-refs"));
        if let Ok(text) = std::fs::read_to_string(&head) {
            if let Some(reference) = text.trim().strip_prefix("ref: ") {
                rerun_if_changed(&common.join(reference));
            }
        }
    }
}

fn rerun_if_changed(path: &Path) {
    println!("cargo:rerun-if-changed={}", path.display());
}
