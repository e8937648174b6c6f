//! `slac build`, and the build that `slac watch` repeats: check, compile every target, then put
//! the new output folder in place of the old one in one step.
//!
//! The output folder is written whole beside itself (a hidden sibling, so the final rename stays
//! on one file system) and swapped in atomically: on Linux and macOS by exchanging the two
//! folders (`renameat2(RENAME_EXCHANGE)`, `renameatx_np(RENAME_SWAP)`), elsewhere by renaming
//! the old one aside and the new one in. A build that fails, or is killed, leaves the previous
//! output exactly as it was.
//!
//! slac replaces only what it wrote itself: each output folder holds a manifest,
//! `.slac-manifest`, listing the files the build generated there. The next build drops the
//! listed files of the targets it builds (so the file of a deleted agreement goes) and carries
//! everything else into the new folder: the files of the targets not built this time, and every
//! file the manifest does not list (a README, notes, a whole folder that was there before slac
//! wrote into it). A generated file that would land on such a file stops the build instead: slac
//! never replaces or deletes a file it did not write. This module must never write outside the
//! output folder and its hidden siblings: every artifact path is checked first.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use slac_compile::{Artifact, Target};

use crate::args::BuildArgs;
use crate::check::load_all;
use crate::{render, Outcome};

/// Set by tests to a file path: once the new output is complete, the build writes that file and
/// waits until it is removed before swapping, so that a test can kill it at exactly that point.
const PAUSE_BEFORE_SWAP: &str = "SLAC_TEST_PAUSE_BEFORE_SWAP";

pub fn run(args: &BuildArgs) -> Outcome {
    let targets = match targets_named(&args.target) {
        Ok(targets) => targets,
        Err(message) => return Outcome::Environment(message),
    };
    let started = std::time::Instant::now();
    let report = build_workspaces(&args.paths, args.out.as_deref(), &targets);
    for (out, files) in &report.written {
        if !crate::ui::quiet() {
            crate::ui::say!("wrote {files} file(s) to {}", out.display());
        }
    }
    crate::ui::detail!("built in {} ms", started.elapsed().as_millis());
    match report.failure {
        None => Outcome::Success,
        Some(BuildFailure::Input(_)) => {
            crate::ui::tell!("error: the input has errors: nothing was written");
            Outcome::InputErrors
        }
        Some(BuildFailure::Environment(message)) => Outcome::Environment(message),
    }
}

/// The targets of `--target`, sorted and without repeats; all of them when none is named.
pub fn targets_named(names: &[String]) -> Result<Vec<Target>, String> {
    if names.is_empty() {
        return Ok(Target::ALL.to_vec());
    }
    let mut targets = Vec::new();
    for name in names {
        match Target::from_name(name.trim()) {
            Some(target) => targets.push(target),
            None => {
                let known: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
                return Err(format!(
                    "unknown target `{name}`: the targets are {}",
                    known.join(", ")
                ));
            }
        }
    }
    targets.sort();
    targets.dedup();
    Ok(targets)
}

/// What one build of the workspaces did.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Each output folder written (as the user named it), with its number of files, in the
    /// order written.
    pub written: Vec<(PathBuf, usize)>,
    /// The output folder of every workspace that could be loaded, written or not: absolute, and
    /// also where it leads when it is a symbolic link.
    pub outputs: Vec<PathBuf>,
    /// The template folders (`[docs] templates`), absolute.
    pub templates: Vec<PathBuf>,
    /// Why the build stopped; the output folders not in `written` are untouched.
    pub failure: Option<BuildFailure>,
}

#[derive(Debug)]
pub enum BuildFailure {
    /// This many errors in the input, already printed.
    Input(usize),
    /// A problem of the environment (or of usage), not yet printed.
    Environment(String),
}

/// Loads and checks every workspace named, prints its diagnostics, and, when no workspace has
/// errors, compiles the targets and writes each workspace's output folder (`out`, else the one
/// of its `slac.toml`).
pub fn build_workspaces(paths: &[PathBuf], out: Option<&Path>, targets: &[Target]) -> BuildReport {
    let mut report = BuildReport::default();
    let progress = crate::ui::Progress::spinner("checking");
    let workspaces = match load_all(paths) {
        Ok(workspaces) => workspaces,
        Err(message) => {
            report.failure = Some(BuildFailure::Environment(message));
            return report;
        }
    };
    // Each workspace's output folder as the user named it (for messages) and as the swap needs
    // it: absolute, without `.` or `..`, and, when it is a symbolic link, the folder it points
    // to (the link stays as the user made it).
    let mut folders = Vec::new();
    for workspace in &workspaces {
        let shown = out.map_or_else(
            || workspace.root.join(&workspace.config.workspace.out),
            Path::to_path_buf,
        );
        let folder = absolute(&shown);
        let resolved = match fs::symlink_metadata(&folder) {
            Ok(meta) if meta.file_type().is_symlink() => {
                fs::canonicalize(&folder).unwrap_or_else(|_| folder.clone())
            }
            _ => folder.clone(),
        };
        if resolved != folder {
            report.outputs.push(resolved.clone());
        }
        report.outputs.push(folder);
        if let Some(templates) = &workspace.config.docs.templates {
            report
                .templates
                .push(absolute(&workspace.root.join(templates)));
        }
        folders.push((shown, resolved));
    }
    if out.is_some() && workspaces.len() > 1 {
        report.failure = Some(BuildFailure::Environment(
            "`--out` takes one workspace at a time".into(),
        ));
        return report;
    }
    let mut errors = 0;
    for workspace in &workspaces {
        render::human(&workspace.diagnostics, &workspace.sources);
        errors += workspace.error_count();
    }
    if errors > 0 {
        report.failure = Some(BuildFailure::Input(errors));
        return report;
    }
    for (workspace, (_, folder)) in workspaces.iter().zip(&folders) {
        let refused = match out {
            None => refuse_output_outside(workspace),
            Some(_) => Ok(()),
        };
        if let Err(message) = refused.and_then(|()| refuse_output_over(folder, &workspace.root)) {
            report.failure = Some(BuildFailure::Environment(message));
            return report;
        }
    }
    let today = match slac_model::today_from_env() {
        Ok(today) => today,
        Err(message) => {
            report.failure = Some(BuildFailure::Environment(message));
            return report;
        }
    };
    for (workspace, (shown, folder)) in workspaces.iter().zip(folders) {
        progress.set_message(&format!("compiling {}", workspace.root.display()));
        let options = slac_compile::BuildOptions {
            today,
            config: workspace.config.clone(),
            root: workspace.root.clone(),
        };
        let build = slac_compile::build(&workspace.model, targets, &options);
        for note in &build.notes {
            crate::ui::note!("{note}");
        }
        if let Some(error) = &build.template_error {
            render::template_error(error);
            report.failure = Some(BuildFailure::Input(1));
            return report;
        }
        if !build.errors.is_empty() {
            for error in &build.errors {
                crate::ui::tell!("error: {error}");
            }
            report.failure = Some(BuildFailure::Input(build.errors.len()));
            return report;
        }
        progress.set_message(&format!("writing {}", shown.display()));
        if let Err(message) = write_output(&folder, targets, &build.artifacts) {
            report.failure = Some(BuildFailure::Environment(message));
            return report;
        }
        crate::ui::detail!(
            "{}: {} agreement(s), {} file(s) written to {}",
            workspace.root.display(),
            workspace.model.agreements.len(),
            build.artifacts.len(),
            shown.display()
        );
        report.written.push((shown, build.artifacts.len()));
    }
    report
}

/// `path` made absolute, without `.` or `..`.
pub fn absolute(path: &Path) -> PathBuf {
    slac_model::normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// Refuses an output folder of slac.toml (or the default `build`) that leads outside the
/// workspace. Written in slac.toml, it is an E010 of the check already; this also covers the
/// default when it is a link leading out. `--out` may name any folder: the user chose it.
fn refuse_output_outside(workspace: &slac_model::Workspace) -> Result<(), String> {
    let setting = Path::new(&workspace.config.workspace.out);
    let Some(outside) = slac_model::outside_root(&workspace.root, setting, &slac_model::Disk)
    else {
        return Ok(());
    };
    let how = match outside {
        slac_model::Outside::Link(real) => {
            format!("through a symbolic link, to `{}`", real.display())
        }
        _ => format!("`{}`", setting.display()),
    };
    Err(format!(
        "the output folder (`out` in slac.toml, default `build`) leads outside the workspace \
         `{}`: {how}; name a folder outside it with --out",
        workspace.root.display()
    ))
}

/// Refuses an output folder that holds the workspace (`--out .`, `--out ..`): swapping it would
/// move the agreements themselves.
fn refuse_output_over(out: &Path, root: &Path) -> Result<(), String> {
    let root = fs::canonicalize(root).unwrap_or_else(|_| absolute(root));
    let out_real = fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf());
    if root.starts_with(&out_real) {
        return Err(format!(
            "the output folder `{}` holds the workspace `{}`: choose a folder inside or beside it",
            out.display(),
            root.display()
        ));
    }
    Ok(())
}

/// Makes `artifacts` the content of the folder `out` (absolute, and not a symbolic link)
/// in one step, keeping what is there besides the folders of `targets`. On any error the
/// previous output stays as it was and the message says what failed.
pub(crate) fn write_output(
    out: &Path,
    targets: &[Target],
    artifacts: &[Artifact],
) -> Result<(), String> {
    for artifact in artifacts {
        check_artifact_path(&artifact.path, targets)?;
    }
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return Err(format!(
            "`{}` cannot be the output folder: it has no parent folder",
            out.display()
        ));
    };
    let name = name.to_string_lossy().into_owned();
    let context = |what: &str, path: &Path, error: io::Error| {
        let hint = match error.kind() {
            io::ErrorKind::PermissionDenied
            | io::ErrorKind::ReadOnlyFilesystem
            | io::ErrorKind::NotADirectory
            | io::ErrorKind::StorageFull
            | io::ErrorKind::AlreadyExists
            | io::ErrorKind::NotFound => {
                "; choose a folder you can write with --out, or set `out` under [workspace] \
                 in slac.toml"
            }
            _ => "",
        };
        format!("cannot {what} `{}`: {error}{hint}", path.display())
    };
    match fs::metadata(out) {
        Ok(meta) if !meta.is_dir() => {
            return Err(format!("the output `{}` is not a folder", out.display()))
        }
        _ => {}
    }
    fs::create_dir_all(parent).map_err(|e| context("create", parent, e))?;
    let _lock = lock_folder(parent).map_err(|e| context("lock", parent, e))?;
    recover_and_clean(parent, &name, out).map_err(|e| context("clean up beside", out, e))?;

    let staging = parent.join(format!(".{name}{NEW}{}", std::process::id()));
    let result = stage(out, &staging, targets, artifacts)
        .map_err(|(path, e)| {
            if e.get_ref().is_some_and(|inner| inner.is::<NotOurs>()) {
                format!(
                    "`{}` is where slac generates a file, but slac did not write it (it is not \
                     listed in `{MANIFEST}`), and slac never replaces or deletes such a file: \
                     nothing was written; move it away, or choose an empty output folder",
                    path.display()
                )
            } else {
                context("write", &path, e)
            }
        })
        .and_then(|()| {
            pause_before_swap(&staging);
            swap_in(&staging, out, parent, &name)
        });
    // After a swap the staging name holds the previous output; after a failure, the unfinished
    // new one. Either way it goes.
    let _ = fs::remove_dir_all(&staging);
    result
}

/// The marks in the names of the hidden siblings of the output folder `OUT`: `.OUT.slac-new-PID`
/// is a new output being written (or, after a swap, the previous one being removed);
/// `.OUT.slac-old-PID` is the previous output renamed aside where folders cannot be exchanged.
const NEW: &str = ".slac-new-";
const OLD: &str = ".slac-old-";

/// An artifact path must be relative, made of plain names, and inside a target folder being
/// built: anything else could write outside the output folder or over a file slac does not own.
/// Ids cannot make such a path (the grammar allows `[a-z_][a-z0-9_]*`), so this guards against a
/// bug, before anything is written.
fn check_artifact_path(path: &Path, targets: &[Target]) -> Result<(), String> {
    let in_target = path.components().next().is_some_and(|first| {
        targets
            .iter()
            .any(|t| first == Component::Normal(t.name().as_ref()))
    });
    let plain = path.components().count() >= 2
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(name) if !name.is_empty()));
    if in_target && plain {
        Ok(())
    } else {
        Err(format!(
            "internal error: the generated file `{}` would be written outside the folder of its \
             target: nothing was written",
            path.display()
        ))
    }
}

/// The manifest of an output folder: the files that the build wrote there, one relative path
/// a line (with `/`), after a comment.
pub const MANIFEST: &str = ".slac-manifest";

const MANIFEST_HEADER: &str = "# The files that `slac build` wrote in this folder. The next build \
replaces or removes these, and only these: every other file here is kept.\n";

/// The files that the manifest of `out` lists; `None` when it has none (`out` missing, new, or
/// written by someone else). Lines that are not plain relative paths are ignored: what they
/// name is kept.
fn read_manifest(
    out: &Path,
) -> Result<Option<std::collections::BTreeSet<PathBuf>>, (PathBuf, io::Error)> {
    let path = out.join(MANIFEST);
    let meta = match fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err((path, error)),
    };
    if !meta.is_file() {
        return Err((
            path,
            io::Error::other(format!(
                "`{MANIFEST}` is not a file: slac keeps the list of the files it wrote there; \
                 move it away"
            )),
        ));
    }
    let text = fs::read_to_string(&path).map_err(|e| (path.clone(), e))?;
    let listed = text
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(PathBuf::from)
        .filter(|relative| {
            relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        })
        .collect();
    Ok(Some(listed))
}

/// The text of the manifest listing `files`.
fn manifest_text(files: &mut Vec<PathBuf>) -> String {
    files.sort();
    files.dedup();
    let mut text = String::from(MANIFEST_HEADER);
    for file in files.iter() {
        let parts: Vec<String> = file
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        text.push_str(&parts.join("/"));
        text.push('\n');
    }
    text
}

/// Writes the new output into `staging`: every artifact, an empty folder for a target without
/// files, what the previous output holds besides the files its manifest lists in the folders
/// of `targets`, and the new manifest.
fn stage(
    out: &Path,
    staging: &Path,
    targets: &[Target],
    artifacts: &[Artifact],
) -> Result<(), (PathBuf, io::Error)> {
    let at = |path: &Path| {
        let path = path.to_path_buf();
        move |error| (path, error)
    };
    if fs::symlink_metadata(staging).is_ok() {
        fs::remove_dir_all(staging).map_err(at(staging))?;
    }
    fs::create_dir(staging).map_err(at(staging))?;
    for target in targets {
        let folder = staging.join(target.name());
        fs::create_dir_all(&folder).map_err(at(&folder))?;
    }
    for artifact in artifacts {
        let path = staging.join(&artifact.path);
        if let Some(folder) = path.parent() {
            fs::create_dir_all(folder).map_err(at(folder))?;
        }
        fs::write(&path, &artifact.contents).map_err(at(&path))?;
    }
    let mut generated: Vec<PathBuf> = artifacts.iter().map(|a| a.path.clone()).collect();
    let previous = match fs::symlink_metadata(out) {
        Ok(_) => Some(Previous {
            listed: read_manifest(out)?.unwrap_or_default(),
            targets,
        }),
        Err(error) if error.kind() == io::ErrorKind::NotFound => None,
        Err(error) => return Err((out.to_path_buf(), error)),
    };
    if let Some(previous) = &previous {
        previous.carry(out, staging, Path::new(""), &mut generated)?;
    }
    let manifest = staging.join(MANIFEST);
    fs::write(&manifest, manifest_text(&mut generated)).map_err(at(&manifest))?;
    if previous.is_some() {
        let permissions = fs::metadata(out).map_err(at(out))?.permissions();
        fs::set_permissions(staging, permissions).map_err(at(staging))?;
    }
    Ok(())
}

/// The previous output, as the new one takes from it.
struct Previous<'a> {
    /// The files its manifest lists: written by slac.
    listed: std::collections::BTreeSet<PathBuf>,
    /// The targets being built: their listed files are replaced.
    targets: &'a [Target],
}

impl Previous<'_> {
    /// Whether the file at `relative` is one that this build replaces (or removes): listed in
    /// the manifest, in the folder of a target being built.
    fn replaced(&self, relative: &Path) -> bool {
        self.listed.contains(relative)
            && relative.components().next().is_some_and(|first| {
                self.targets
                    .iter()
                    .any(|t| first == Component::Normal(t.name().as_ref()))
            })
    }

    /// Carries what the folder `from` (at `relative` in the previous output) holds into `to`,
    /// but the files this build replaces; files of slac kept this way join `generated`. A
    /// folder is made in the new output only for what it receives, or when it was empty.
    fn carry(
        &self,
        from: &Path,
        to: &Path,
        relative: &Path,
        generated: &mut Vec<PathBuf>,
    ) -> Result<(), (PathBuf, io::Error)> {
        let at = |path: &Path| {
            let path = path.to_path_buf();
            move |error| (path, error)
        };
        let mut entries = Vec::new();
        for entry in fs::read_dir(from).map_err(at(from))? {
            entries.push(entry.map_err(at(from))?.file_name());
        }
        entries.sort();
        let made_here = fs::symlink_metadata(to).is_err();
        if made_here && entries.is_empty() {
            fs::create_dir_all(to).map_err(at(to))?;
        }
        for name in entries {
            let inner = relative.join(&name);
            if inner == Path::new(MANIFEST) {
                continue;
            }
            let (source, target) = (from.join(&name), to.join(&name));
            let meta = fs::symlink_metadata(&source).map_err(at(&source))?;
            if meta.is_dir() {
                match fs::symlink_metadata(&target) {
                    Ok(there) if !there.is_dir() => return Err(not_ours(&source)),
                    _ => {}
                }
                self.carry(&source, &target, &inner, generated)?;
                continue;
            }
            if self.replaced(&inner) {
                continue;
            }
            if fs::symlink_metadata(&target).is_ok() {
                // A file slac did not write (or wrote before it kept a manifest) where this
                // build generates one.
                return Err(not_ours(&source));
            }
            if fs::symlink_metadata(to).is_err() {
                fs::create_dir_all(to).map_err(at(to))?;
            }
            carry_over(&source, &target)?;
            if self.listed.contains(&inner) {
                generated.push(inner);
            }
        }
        if made_here && fs::symlink_metadata(to).is_ok() {
            let permissions = fs::symlink_metadata(from).map_err(at(from))?.permissions();
            fs::set_permissions(to, permissions).map_err(at(to))?;
        }
        Ok(())
    }
}

/// A file of the previous output that the manifest does not list, where the build generates one.
#[derive(Debug)]
struct NotOurs;

impl std::fmt::Display for NotOurs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a file that slac did not write is in the way")
    }
}

impl std::error::Error for NotOurs {}

fn not_ours(path: &Path) -> (PathBuf, io::Error) {
    (path.to_path_buf(), io::Error::other(NotOurs))
}

/// Copies a file or folder of the previous output into the new one: files as hard links (no
/// bytes copied; a copy where links are not supported), folders with their permissions, symbolic
/// links as links.
fn carry_over(from: &Path, to: &Path) -> Result<(), (PathBuf, io::Error)> {
    let at = |error| (from.to_path_buf(), error);
    let meta = fs::symlink_metadata(from).map_err(at)?;
    if meta.is_dir() {
        fs::create_dir(to).map_err(at)?;
        for entry in fs::read_dir(from).map_err(at)? {
            let entry = entry.map_err(at)?;
            carry_over(&entry.path(), &to.join(entry.file_name()))?;
        }
        fs::set_permissions(to, meta.permissions()).map_err(at)?;
    } else if meta.file_type().is_symlink() {
        copy_symlink(from, to).map_err(at)?;
    } else if fs::hard_link(from, to).is_err() {
        fs::copy(from, to).map_err(at)?;
    }
    Ok(())
}

#[cfg(unix)]
fn copy_symlink(from: &Path, to: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(fs::read_link(from)?, to)
}

/// Elsewhere a link is copied as the file it points to.
#[cfg(not(unix))]
fn copy_symlink(from: &Path, to: &Path) -> io::Result<()> {
    fs::copy(from, to).map(|_| ())
}

/// Puts the complete new output `staging` in place of `out`. Afterwards `staging` names the
/// previous output (or nothing, when there was none).
fn swap_in(staging: &Path, out: &Path, parent: &Path, name: &str) -> Result<(), String> {
    if fs::symlink_metadata(out).is_err() {
        return fs::rename(staging, out).map_err(|e| {
            format!(
                "cannot rename `{}` to `{}`: {e}",
                staging.display(),
                out.display()
            )
        });
    }
    match exchange(staging, out) {
        Ok(true) => return Ok(()),
        Ok(false) => {}
        Err(error) => {
            return Err(format!(
                "cannot swap the new output into `{}` (is it a mount point? mount its parent \
                 folder instead): {error}",
                out.display()
            ))
        }
    }
    let aside = parent.join(format!(".{name}{OLD}{}", std::process::id()));
    rename_aside_and_in(staging, out, &aside)
}

/// The swap where folders cannot be exchanged: `out` is renamed `aside`, `staging` renamed to
/// `out`, and the previous output moved to the name `staging`. `out` is missing between the two
/// renames; a build killed there is repaired by the next one (see [`recover_and_clean`]).
fn rename_aside_and_in(staging: &Path, out: &Path, aside: &Path) -> Result<(), String> {
    fs::rename(out, aside).map_err(|e| format!("cannot rename `{}` aside: {e}", out.display()))?;
    if let Err(error) = fs::rename(staging, out) {
        let _ = fs::rename(aside, out);
        return Err(format!(
            "cannot rename `{}` to `{}`: {error}",
            staging.display(),
            out.display()
        ));
    }
    // `staging` is now free: the previous output goes there, to be removed with it.
    fs::rename(aside, staging)
        .or_else(|_| fs::remove_dir_all(aside))
        .map_err(|e| {
            format!(
                "cannot remove the previous output `{}`: {e}",
                aside.display()
            )
        })
}

/// Exchanges two folders atomically; `Ok(false)` where the system or the file system cannot.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => Ok(false),
        Err(errno) => Err(errno.into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_: &Path, _: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Holds the parent folder of the output locked while the output is replaced, so that two
/// builds into one folder (`slac watch` and a `slac build`) take turns, and a leftover found by
/// the lock holder is sure to be one of a build that died.
#[cfg(unix)]
fn lock_folder(folder: &Path) -> io::Result<fs::File> {
    let handle = fs::File::open(folder)?;
    rustix::fs::flock(&handle, rustix::fs::FlockOperation::LockExclusive)?;
    Ok(handle)
}

#[cfg(not(unix))]
fn lock_folder(_: &Path) -> io::Result<()> {
    Ok(())
}

/// Whether a leftover sibling may be removed: under the lock, always; without one, only when
/// it is an hour old, since a build running beside this one may still own it.
fn is_abandoned(leftover: &Path) -> bool {
    if cfg!(unix) {
        return true;
    }
    fs::symlink_metadata(leftover)
        .and_then(|meta| meta.modified())
        .is_ok_and(|modified| {
            modified
                .elapsed()
                .is_ok_and(|age| age > Duration::from_secs(3600))
        })
}

/// Repairs and removes what killed builds left beside `out`: a previous output renamed aside
/// while `out` is missing goes back in place; other leftovers are removed.
fn recover_and_clean(parent: &Path, name: &str, out: &Path) -> io::Result<()> {
    let new = format!(".{name}{NEW}");
    let old = format!(".{name}{OLD}");
    for entry in fs::read_dir(parent)? {
        let entry = entry?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if !(file_name.starts_with(&new) || file_name.starts_with(&old)) {
            continue;
        }
        let path = entry.path();
        if !is_abandoned(&path) {
            continue;
        }
        if file_name.starts_with(&old) && fs::symlink_metadata(out).is_err() {
            fs::rename(&path, out)?;
        } else {
            fs::remove_dir_all(&path)?;
        }
    }
    Ok(())
}

/// The test hook of [`PAUSE_BEFORE_SWAP`]: writes the flag file and waits, at most a minute,
/// until it is gone.
fn pause_before_swap(staging: &Path) {
    let Some(flag) = std::env::var_os(PAUSE_BEFORE_SWAP) else {
        return;
    };
    let flag = PathBuf::from(flag);
    if fs::write(&flag, staging.display().to_string()).is_err() {
        return;
    }
    let started = Instant::now();
    while flag.exists() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(path: &str) -> Artifact {
        Artifact {
            path: PathBuf::from(path),
            contents: "groups: []\n".into(),
        }
    }

    /// Every path below `dir`, files and folders.
    fn listing(dir: &Path) -> Vec<PathBuf> {
        let mut paths = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(folder) = stack.pop() {
            for entry in fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path.clone());
                }
                paths.push(path);
            }
        }
        paths.sort();
        paths
    }

    /// Every path below `dir`, relative to it, as text.
    fn names(dir: &Path) -> Vec<String> {
        listing(dir)
            .into_iter()
            .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn the_writer_refuses_paths_that_leave_the_folder_of_their_target() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("sub").join("out");
        let targets = [Target::Prometheus, Target::Docs];
        write_output(&out, &targets, &[artifact("prometheus/api.yml")]).unwrap();
        fs::write(out.join("README.md"), "kept\n").unwrap();
        let before = listing(dir.path());
        for crafted in [
            "../escape.yml",
            "prometheus/../../escape.yml",
            "prometheus/../README.md",
            "/tmp/absolute.yml",
            "README.md",
            "grafana/not_built.json",
            "prometheus",
            "./prometheus/api.yml",
        ] {
            let error = write_output(
                &out,
                &targets,
                &[artifact("prometheus/other.yml"), artifact(crafted)],
            )
            .unwrap_err();
            assert!(error.contains("nothing was written"), "{crafted}: {error}");
            assert!(error.contains(crafted), "{crafted}: {error}");
            assert_eq!(before, listing(dir.path()), "{crafted}");
        }
        assert!(!Path::new("/tmp/absolute.yml").exists());
        assert_eq!(fs::read_to_string(out.join("README.md")).unwrap(), "kept\n");
    }

    #[test]
    fn without_an_exchange_the_previous_output_is_renamed_aside_and_ends_under_the_staging_name() {
        let dir = tempfile::tempdir().unwrap();
        let (out, staging, aside) = (
            dir.path().join("out"),
            dir.path().join(".out.slac-new-1"),
            dir.path().join(".out.slac-old-1"),
        );
        fs::create_dir(&out).unwrap();
        fs::write(out.join("a.txt"), "previous").unwrap();
        fs::create_dir(&staging).unwrap();
        fs::write(staging.join("a.txt"), "new").unwrap();
        rename_aside_and_in(&staging, &out, &aside).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "new");
        assert_eq!(
            fs::read_to_string(staging.join("a.txt")).unwrap(),
            "previous"
        );
        assert!(!aside.exists());
    }

    #[test]
    fn a_previous_output_left_aside_by_a_killed_build_is_put_back_first() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let aside = dir.path().join(".out.slac-old-999999");
        fs::create_dir_all(aside.join("prometheus")).unwrap();
        fs::write(aside.join("prometheus/gone.yml"), "old").unwrap();
        fs::write(aside.join("README.md"), "mine").unwrap();
        fs::write(aside.join(MANIFEST), "prometheus/gone.yml\n").unwrap();
        fs::create_dir(dir.path().join(".out.slac-new-999999")).unwrap();
        write_output(
            &out,
            &[Target::Prometheus],
            &[artifact("prometheus/api.yml")],
        )
        .unwrap();
        assert_eq!(
            names(dir.path()),
            [
                "out",
                "out/.slac-manifest",
                "out/README.md",
                "out/prometheus",
                "out/prometheus/api.yml"
            ]
        );
        assert_eq!(fs::read_to_string(out.join("README.md")).unwrap(), "mine");
    }

    #[test]
    fn a_folder_left_empty_by_the_files_that_go_goes_too() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let targets = [Target::Docs];
        write_output(&out, &targets, &[artifact("docs/en/a.md")]).unwrap();
        write_output(&out, &targets, &[artifact("docs/fr/a.md")]).unwrap();
        assert_eq!(
            names(dir.path()),
            [
                "out",
                "out/.slac-manifest",
                "out/docs",
                "out/docs/fr",
                "out/docs/fr/a.md"
            ]
        );
    }

    #[test]
    fn only_the_files_of_the_manifest_are_replaced_and_the_others_stay() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let targets = [Target::Prometheus, Target::Grafana];
        write_output(
            &out,
            &targets,
            &[artifact("prometheus/a.yml"), artifact("prometheus/b.yml")],
        )
        .unwrap();
        assert_eq!(
            fs::read_to_string(out.join(MANIFEST)).unwrap(),
            format!("{MANIFEST_HEADER}prometheus/a.yml\nprometheus/b.yml\n")
        );
        fs::write(out.join("prometheus/mine.yml"), "mine\n").unwrap();
        fs::create_dir_all(out.join("grafana/empty")).unwrap();
        // `b.yml` is no longer generated: it goes, and the user's files stay.
        write_output(&out, &targets, &[artifact("prometheus/a.yml")]).unwrap();
        assert_eq!(
            names(dir.path()),
            [
                "out",
                "out/.slac-manifest",
                "out/grafana",
                "out/grafana/empty",
                "out/prometheus",
                "out/prometheus/a.yml",
                "out/prometheus/mine.yml"
            ]
        );
        // A generated file where the user's file is: refused, nothing changes.
        let before = listing(dir.path());
        let error = write_output(&out, &targets, &[artifact("prometheus/mine.yml")]).unwrap_err();
        assert!(error.contains("slac did not write it"), "{error}");
        assert!(error.contains("mine.yml"), "{error}");
        assert_eq!(listing(dir.path()), before);
        assert_eq!(
            fs::read_to_string(out.join("prometheus/mine.yml")).unwrap(),
            "mine\n"
        );
    }

    #[test]
    fn a_new_output_replaces_the_targets_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write_output(
            &out,
            &[Target::Prometheus, Target::Grafana],
            &[artifact("prometheus/a.yml"), artifact("grafana/a.json")],
        )
        .unwrap();
        fs::write(out.join("README.md"), "kept\n").unwrap();
        write_output(&out, &[Target::Prometheus], &[artifact("prometheus/b.yml")]).unwrap();
        assert_eq!(
            names(dir.path()),
            [
                "out",
                "out/.slac-manifest",
                "out/README.md",
                "out/grafana",
                "out/grafana/a.json",
                "out/prometheus",
                "out/prometheus/b.yml"
            ]
        );
    }
}
