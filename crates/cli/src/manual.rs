//! `slac completions` and `slac man`: shell completions and manual pages, both generated from
//! the command-line definition itself, so they never drift from it.

use std::path::Path;

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs, ManArgs};
use crate::Outcome;

pub fn completions(args: &CompletionsArgs) -> Outcome {
    let mut command = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "slac", &mut out);
    Outcome::Success
}

pub fn man(args: &ManArgs) -> Outcome {
    if let Err(error) = std::fs::create_dir_all(&args.out) {
        return Outcome::Environment(format!(
            "cannot create {}: {error}; choose another folder with --out",
            args.out.display()
        ));
    }
    let command = Cli::command();
    let mut written = Vec::new();
    if let Err(message) = write_pages(&command, "slac", &args.out, &mut written) {
        return Outcome::Environment(message);
    }
    crate::ui::note!(
        "wrote {} manual page(s) to {}; read one with `man -l {}`",
        written.len(),
        args.out.display(),
        args.out.join("slac.1").display()
    );
    Outcome::Success
}

/// Writes the page of `command` as `<name>.1`, then those of its subcommands as
/// `<name>-<sub>.1`.
fn write_pages(
    command: &clap::Command,
    name: &str,
    out: &Path,
    written: &mut Vec<String>,
) -> Result<(), String> {
    let command = command.clone().name(name.to_string());
    let page = clap_mangen::Man::new(command.clone());
    let mut bytes = Vec::new();
    page.render(&mut bytes)
        .map_err(|error| format!("cannot render the page of `{name}`: {error}"))?;
    let file = out.join(format!("{name}.1"));
    std::fs::write(&file, bytes).map_err(|error| {
        format!(
            "cannot write {}: {error}; choose another folder with --out",
            file.display()
        )
    })?;
    written.push(name.to_string());
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        write_pages(sub, &format!("{name}-{}", sub.get_name()), out, written)?;
    }
    Ok(())
}
