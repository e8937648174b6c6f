//! `slac build`: check, then write each target under `OUT/<target>/`. On any error nothing is
//! written, and a target folder is replaced whole, by renaming, so the previous output stays
//! complete until the new one is.

use std::path::{Path, PathBuf};

use slac_compile::{Artifact, Target};

use crate::args::BuildArgs;
use crate::check::load_all;
use crate::{render, Outcome};

pub fn run(args: &BuildArgs) -> Outcome {
    let targets = if args.target.is_empty() {
        Target::ALL.to_vec()
    } else {
        let mut targets = Vec::new();
        for name in &args.target {
            match Target::from_name(name.trim()) {
                Some(target) => targets.push(target),
                None => {
                    let known: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
                    return Outcome::Environment(format!(
                        "unknown target `{name}`: the targets are {}",
                        known.join(", ")
                    ));
                }
            }
        }
        targets.sort();
        targets.dedup();
        targets
    };
    let workspaces = match load_all(&args.paths) {
        Ok(workspaces) => workspaces,
        Err(message) => return Outcome::Environment(message),
    };
    if args.out.is_some() && workspaces.len() > 1 {
        return Outcome::Environment("`--out` takes one workspace at a time".into());
    }
    let mut errors = false;
    for workspace in &workspaces {
        render::human(&workspace.diagnostics, &workspace.sources);
        errors |= workspace.has_errors();
    }
    if errors {
        eprintln!("error: the input has errors: nothing was written");
        return Outcome::InputErrors;
    }
    for workspace in &workspaces {
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| workspace.root.join(&workspace.config.workspace.out));
        let options = slac_compile::BuildOptions {
            today: match slac_model::today_from_env() {
                Ok(today) => today,
                Err(message) => return Outcome::Environment(message),
            },
            config: workspace.config.clone(),
            root: workspace.root.clone(),
        };
        let build = slac_compile::build(&workspace.model, &targets, &options);
        for note in &build.notes {
            eprintln!("note: {note}");
        }
        if let Some(error) = &build.template_error {
            render::template_error(error);
            eprintln!("error: nothing was written");
            return Outcome::InputErrors;
        }
        if !build.errors.is_empty() {
            for error in &build.errors {
                eprintln!("error: {error}");
            }
            eprintln!("error: nothing was written");
            return Outcome::InputErrors;
        }
        if let Err(error) = write_targets(&out, &targets, &build.artifacts) {
            return Outcome::Environment(format!("{}: {error}", out.display()));
        }
        println!(
            "wrote {} file(s) to {}",
            build.artifacts.len(),
            out.display()
        );
    }
    Outcome::Success
}

/// Writes every target into a staging folder beside `out`, then swaps each target folder in.
fn write_targets(out: &Path, targets: &[Target], artifacts: &[Artifact]) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let staging = out.join(format!(".slac-build-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    let result = stage_and_swap(out, &staging, targets, artifacts);
    let _ = std::fs::remove_dir_all(&staging);
    result
}

fn stage_and_swap(
    out: &Path,
    staging: &Path,
    targets: &[Target],
    artifacts: &[Artifact],
) -> std::io::Result<()> {
    for target in targets {
        std::fs::create_dir_all(staging.join(target.name()))?;
    }
    for artifact in artifacts {
        let path = staging.join(&artifact.path);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)?;
        }
        std::fs::write(&path, &artifact.contents)?;
    }
    for target in targets {
        let destination = out.join(target.name());
        let previous: PathBuf = staging.join(format!("{}.previous", target.name()));
        if destination.exists() {
            std::fs::rename(&destination, &previous)?;
        }
        if let Err(error) = std::fs::rename(staging.join(target.name()), &destination) {
            // Put the previous output back rather than leave nothing.
            if previous.exists() {
                let _ = std::fs::rename(&previous, &destination);
            }
            return Err(error);
        }
    }
    Ok(())
}
