//! `slac fmt`: rewrite files in the canonical layout. A file with syntax errors is left as it is
//! and its diagnostics are printed; a file is replaced atomically, so a crash never leaves it
//! half-written.

use std::path::{Path, PathBuf};

use slac_source::SourceMap;

use crate::args::FmtArgs;
use crate::check::paths_or_current;
use crate::{render, Outcome};

pub fn run(args: &FmtArgs) -> Outcome {
    let mut files: Vec<PathBuf> = Vec::new();
    for path in paths_or_current(&args.paths) {
        match slac_model::workspace_files(&path) {
            Ok(found) => {
                for file in found {
                    if !files.contains(&file) {
                        files.push(file);
                    }
                }
            }
            Err(error) => return Outcome::Environment(error.to_string()),
        }
    }
    let (mut failed, mut changed) = (false, 0usize);
    for file in &files {
        let text = match std::fs::read(file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    crate::ui::tell!(
                        "error: {} is not valid UTF-8; left as it is",
                        file.display()
                    );
                    failed = true;
                    continue;
                }
            },
            Err(error) => return Outcome::Environment(format!("{}: {error}", file.display())),
        };
        match slac_fmt::format(&text) {
            Ok(formatted) if formatted == text => {}
            Ok(formatted) => {
                changed += 1;
                if args.check {
                    crate::ui::say!("{}", file.display());
                } else if let Err(error) = replace(file, &formatted) {
                    return Outcome::Environment(format!("{}: {error}", file.display()));
                } else if !crate::ui::quiet() {
                    crate::ui::say!("formatted {}", file.display());
                }
            }
            Err(error) => {
                failed = true;
                let mut sources = SourceMap::new();
                sources.add(file.clone(), text);
                render::human(&error.diagnostics, &sources);
                crate::ui::tell!("{}: syntax errors, left as it is", file.display());
            }
        }
    }
    if args.check && changed > 0 && !crate::ui::quiet() {
        crate::ui::tell!("{changed} of {} file(s) would be reformatted", files.len());
    }
    crate::ui::detail!("{} file(s) read, {changed} changed", files.len());
    if failed || (args.check && changed > 0) {
        Outcome::InputErrors
    } else {
        Outcome::Success
    }
}

/// Writes beside the file, then renames over it.
fn replace(path: &Path, text: &str) -> std::io::Result<()> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{name}.slac-fmt-{}", std::process::id()));
    std::fs::write(&temporary, text)?;
    if let Ok(metadata) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&temporary, metadata.permissions());
    }
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}
