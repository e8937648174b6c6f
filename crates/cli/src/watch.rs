//! `slac watch`: build, then build again after every change of the workspace's `.sla` files,
//! `slac.toml` or document templates, until Ctrl-C. Each build is `slac build`'s
//! ([`build::build_workspaces`]), so a build with errors keeps the previous output whole.
//!
//! Changes come from `notify`, debounced, on each workspace root watched recursively (folders
//! created later are watched too). This module decides which changes matter; it must never act
//! on the changes that its own builds make (the output folder and its hidden siblings), or it
//! would build forever.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{CreateKind, EventKind, MetadataKind, ModifyKind, RemoveKind};
use notify::{Event, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult};
use slac_compile::Target;

use crate::args::BuildArgs;
use crate::build::{self, BuildFailure};
use crate::check::paths_or_current;
use crate::Outcome;

/// How long the files must be quiet before a build: an editor's save (write, rename, touch) and
/// `git checkout` give one build, not several.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// What wakes the loop up.
enum Wake {
    Changes(DebounceEventResult),
    Interrupt,
}

pub fn run(args: &BuildArgs) -> Outcome {
    let targets = match build::targets_named(&args.target) {
        Ok(targets) => targets,
        Err(message) => return Outcome::Environment(message),
    };
    let mut roots = Vec::new();
    for path in paths_or_current(&args.paths) {
        match slac_model::discover(&path) {
            Ok(discovery) => {
                let root = build::absolute(&discovery.root);
                if !roots.contains(&root) {
                    roots.push(root);
                }
            }
            Err(error) => return Outcome::Environment(error.to_string()),
        }
    }

    let (sender, wakes) = mpsc::channel();
    let changes = sender.clone();
    let debouncer = new_debouncer(DEBOUNCE, None, move |result| {
        let _ = changes.send(Wake::Changes(result));
    });
    let mut debouncer = match debouncer {
        Ok(debouncer) => debouncer,
        Err(error) => return Outcome::Environment(format!("cannot watch for changes: {error}")),
    };
    for root in &roots {
        if let Err(error) = debouncer.watch(root, RecursiveMode::Recursive) {
            return Outcome::Environment(format!("cannot watch `{}`: {error}", root.display()));
        }
    }
    if let Err(error) = ctrlc::set_handler(move || {
        let _ = sender.send(Wake::Interrupt);
    }) {
        return Outcome::Environment(format!("cannot handle Ctrl-C: {error}"));
    }

    let mut session = Session {
        args,
        targets,
        roots,
        outputs: Vec::new(),
        templates: Vec::new(),
        builds: 0,
        terminal: std::io::stdout().is_terminal(),
    };
    if !session.terminal {
        crate::ui::tell!("{}", session.watching());
    }
    session.build();
    while let Ok(wake) = wakes.recv() {
        let Wake::Changes(result) = wake else {
            break;
        };
        let mut rebuild = session.matters(result);
        // Changes that arrived during the build are answered by one more build, not one each.
        loop {
            match wakes.try_recv() {
                Ok(Wake::Changes(result)) => rebuild |= session.matters(result),
                Ok(Wake::Interrupt) => return stop(),
                Err(_) => break,
            }
        }
        if rebuild {
            session.build();
        }
    }
    stop()
}

fn stop() -> Outcome {
    crate::ui::tell!("stopped watching");
    Outcome::Success
}

/// The state kept between builds.
struct Session<'a> {
    args: &'a BuildArgs,
    targets: Vec<Target>,
    roots: Vec<PathBuf>,
    /// Every output folder built so far: changes there are the builds' own.
    outputs: Vec<PathBuf>,
    /// The template folders of the last build, whose files matter like `.sla` files.
    templates: Vec<PathBuf>,
    builds: usize,
    /// Whether stdout is a terminal, whose screen is cleared before each build.
    terminal: bool,
}

impl Session<'_> {
    fn watching(&self) -> String {
        let roots: Vec<String> = self.roots.iter().map(|r| r.display().to_string()).collect();
        format!("watching {} for changes (Ctrl-C to stop)", roots.join(", "))
    }

    /// Builds once and prints one line about it.
    fn build(&mut self) {
        self.builds += 1;
        if self.terminal {
            print!("\x1b[2J\x1b[3J\x1b[H");
            let _ = std::io::stdout().flush();
        }
        let started = Instant::now();
        let report =
            build::build_workspaces(&self.args.paths, self.args.out.as_deref(), &self.targets);
        let elapsed = started.elapsed().as_millis();
        for output in report.outputs {
            if !self.outputs.contains(&output) {
                self.outputs.push(output);
            }
        }
        self.templates = report.templates;
        let n = self.builds;
        match report.failure {
            None => {
                let files: usize = report.written.iter().map(|(_, files)| files).sum();
                crate::ui::say!("build {n}: {}, ok in {elapsed} ms", count(files, "file"));
            }
            Some(BuildFailure::Input(errors)) => {
                crate::ui::say!(
                    "build {n}: {}, previous output kept",
                    count(errors, "error")
                );
            }
            Some(BuildFailure::Environment(message)) => {
                crate::ui::tell!("error: {message}");
                crate::ui::say!("build {n}: failed, previous output kept");
            }
        }
        if self.terminal {
            crate::ui::tell!("{}", self.watching());
        }
    }

    /// Whether a batch of changes calls for a build. Watching problems are printed and do not.
    fn matters(&self, result: DebounceEventResult) -> bool {
        match result {
            Ok(events) => events.iter().any(|event| self.event_matters(event)),
            Err(errors) => {
                for error in errors {
                    crate::ui::tell!("warning: watching for changes: {error}");
                }
                false
            }
        }
    }

    fn event_matters(&self, event: &Event) -> bool {
        match event.kind {
            // Reading the files (the build itself does) changes nothing.
            EventKind::Access(_)
            | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => return false,
            // The system dropped events: anything may have changed.
            _ if event.need_rescan() => return true,
            _ => {}
        }
        event
            .paths
            .iter()
            .any(|path| self.path_matters(path, &event.kind))
    }

    fn path_matters(&self, path: &Path, kind: &EventKind) -> bool {
        if self.outputs.iter().any(|out| path.starts_with(out)) {
            return false;
        }
        let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
            return false;
        };
        // Editors' backups and autosaves (`api.sla~`, `#api.sla#`); their hidden files
        // (`.api.sla.swp`, `.#api.sla`) are below.
        if name.ends_with('~') || (name.starts_with('#') && name.ends_with('#')) {
            return false;
        }
        if self.templates.iter().any(|folder| path.starts_with(folder)) {
            return true;
        }
        // What the workspace does not read: hidden files and folders (`.git`, the new output
        // being written) and `target`, as in the discovery of `.sla` files.
        let below_root = self
            .roots
            .iter()
            .find_map(|root| path.strip_prefix(root).ok());
        if below_root.is_some_and(|relative| {
            relative.components().any(|c| {
                let c = c.as_os_str().to_string_lossy();
                c.starts_with('.') || c == "target"
            })
        }) {
            return false;
        }
        if name == slac_model::CONFIG_FILE || path.extension().is_some_and(|e| e == "sla") {
            return true;
        }
        // A folder created, removed or renamed may hold `.sla` files that no event names (one
        // created before its folder was watched, or moved out whole). A renamed path that is
        // gone is taken for a folder when its name has no extension.
        match kind {
            EventKind::Create(CreateKind::Folder) | EventKind::Remove(RemoveKind::Folder) => true,
            EventKind::Create(_) | EventKind::Remove(_) => path.is_dir(),
            EventKind::Modify(ModifyKind::Name(_)) => {
                path.is_dir() || (!path.exists() && path.extension().is_none())
            }
            _ => false,
        }
    }
}

fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, RenameMode};

    fn session(args: &BuildArgs) -> Session<'_> {
        Session {
            args,
            targets: Target::ALL.to_vec(),
            roots: vec![PathBuf::from("/ws")],
            outputs: vec![PathBuf::from("/ws/out")],
            templates: vec![PathBuf::from("/ws/templates")],
            builds: 0,
            terminal: false,
        }
    }

    fn event(kind: EventKind, path: &str) -> Event {
        Event::new(kind).add_path(PathBuf::from(path))
    }

    #[test]
    fn only_changes_the_build_reads_call_for_a_build() {
        let args = BuildArgs {
            paths: Vec::new(),
            out: None,
            target: Vec::new(),
        };
        let session = session(&args);
        let write = EventKind::Modify(ModifyKind::Data(notify::event::DataChange::Any));
        let matters = |kind: EventKind, path: &str| session.event_matters(&event(kind, path));
        assert!(matters(write, "/ws/api.sla"));
        assert!(matters(write, "/ws/deep/er/api.sla"));
        assert!(matters(write, "/ws/slac.toml"));
        assert!(matters(write, "/ws/templates/agreement.md"));
        assert!(!matters(write, "/ws/out/prometheus/api.yml"));
        assert!(!matters(write, "/ws/.out.slac-new-12/prometheus/api.yml"));
        assert!(!matters(write, "/ws/.git/index"));
        assert!(!matters(write, "/ws/target/api.sla"));
        assert!(!matters(write, "/ws/api.sla~"));
        assert!(!matters(write, "/ws/.#api.sla"));
        assert!(!matters(write, "/ws/#api.sla#"));
        assert!(!matters(write, "/ws/.api.sla.swp"));
        assert!(!matters(write, "/ws/README.md"));
        assert!(!matters(
            EventKind::Access(AccessKind::Open(notify::event::AccessMode::Any)),
            "/ws/api.sla"
        ));
        assert!(matters(
            EventKind::Remove(RemoveKind::Folder),
            "/ws/contracts"
        ));
        assert!(!matters(
            EventKind::Create(CreateKind::File),
            "/ws/notes.txt"
        ));
        assert!(matters(
            EventKind::Modify(ModifyKind::Name(RenameMode::From)),
            "/ws/moved_away"
        ));
    }
}
