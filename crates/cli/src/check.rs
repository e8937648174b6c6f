//! `slac check`: load each workspace named, print its diagnostics, and exit 1 on errors.

use std::path::{Path, PathBuf};

use slac_model::{Options, Workspace};

use crate::args::{CheckArgs, Format};
use crate::{render, Outcome};

/// The paths to work on: those given, else the current folder.
pub fn paths_or_current(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
}

/// Loads every workspace named, or the environment problem that stopped it.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Workspace>, String> {
    let options = Options {
        today: slac_model::today_from_env()?,
    };
    let mut workspaces: Vec<Workspace> = Vec::new();
    for path in paths_or_current(paths) {
        let workspace = slac_model::load(&path, &options).map_err(|e| explain_load(&e))?;
        let has_sla = workspace
            .sources
            .iter()
            .any(|f| f.path().extension().is_some_and(|e| e == "sla"));
        if !has_sla && !workspace.root.join(slac_model::CONFIG_FILE).is_file() {
            return Err(format!(
                "no workspace in {}: it has no slac.toml and no .sla file; run `slac init {}` to \
                 create one, or give the folder of a workspace",
                path.display(),
                path.display()
            ));
        }
        // Two paths of one workspace (`slac check ws ws/a.sla`) are checked once.
        let key = identity(&workspace);
        if !workspaces.iter().any(|w| identity(w) == key) {
            workspaces.push(workspace);
        }
    }
    Ok(workspaces)
}

/// A workspace that cannot be read, and what to do about it.
pub fn explain_load(error: &slac_model::LoadError) -> String {
    use slac_model::LoadError;
    use std::io::ErrorKind;
    match error {
        LoadError::Io { path, source } => match source.kind() {
            ErrorKind::NotFound => format!(
                "{}: no such file or folder; give the folder of a workspace (with its slac.toml) \
                 or .sla files",
                path.display()
            ),
            ErrorKind::PermissionDenied => format!(
                "cannot read {}: permission denied; make it readable (chmod), or run slac as a \
                 user who can read it",
                path.display()
            ),
            _ => format!("cannot read {}: {source}", path.display()),
        },
        other => other.to_string(),
    }
}

fn identity(workspace: &Workspace) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = workspace
        .sources
        .iter()
        .map(|f| {
            slac_model::normalize(
                &std::path::absolute(f.path()).unwrap_or_else(|_| f.path().to_path_buf()),
            )
        })
        .collect();
    paths.sort();
    paths
}

pub fn run(args: &CheckArgs) -> Outcome {
    let started = std::time::Instant::now();
    let progress = crate::ui::Progress::spinner("checking");
    let workspaces = match load_all(&args.paths) {
        Ok(workspaces) => workspaces,
        Err(message) => return Outcome::Environment(message),
    };
    let (mut errors, mut warnings, mut files) = (0, 0, 0);
    for workspace in &workspaces {
        match args.format {
            Format::Human => render::human(&workspace.diagnostics, &workspace.sources),
            Format::Json => render::json(&workspace.diagnostics, &workspace.sources),
        }
        errors += workspace.error_count();
        warnings += workspace.warning_count();
        files += workspace
            .sources
            .iter()
            .filter(|f| f.path().extension().is_some_and(|e| e == "sla"))
            .count();
    }
    progress.finish();
    for workspace in &workspaces {
        crate::ui::detail!(
            "read {} file(s) of {} ({} agreement(s))",
            workspace.sources.len(),
            workspace.root.display(),
            workspace.model.agreements.len()
        );
    }
    crate::ui::detail!("checked in {} ms", started.elapsed().as_millis());
    if args.format == Format::Human && !crate::ui::quiet() {
        crate::ui::tell!("{}", summary(errors, warnings, files, &workspaces[0].root));
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        Outcome::InputErrors
    } else {
        Outcome::Success
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn summary(errors: usize, warnings: usize, files: usize, root: &Path) -> String {
    let checked = format!("checked {} in {}", plural(files, "file"), root.display());
    match (errors, warnings) {
        (0, 0) => format!("{checked}: no problems"),
        _ => format!(
            "{checked}: {}, {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        ),
    }
}
