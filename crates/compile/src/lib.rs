//! The compilation targets of `slac build`: from a checked model to the files that monitoring
//! systems load. Each target is a module that turns the model into [`Artifact`]s, in memory; the
//! CLI decides where and how they are written. Output is deterministic: the same model gives
//! byte-identical files.
//!
//! Targets must only run on a model without errors.

mod alertmanager;
mod grafana;
mod mask;
mod openslo;
mod prometheus;
pub mod promql;
mod yaml;

use std::path::PathBuf;

use slac_model::Model;

/// A target of `slac build`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Prometheus,
    Alertmanager,
    Grafana,
    OpenSlo,
    Docs,
}

impl Target {
    pub const ALL: [Target; 5] = [
        Target::Prometheus,
        Target::Alertmanager,
        Target::Grafana,
        Target::OpenSlo,
        Target::Docs,
    ];

    /// The folder of the target below the output folder, and its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Target::Prometheus => "prometheus",
            Target::Alertmanager => "alertmanager",
            Target::Grafana => "grafana",
            Target::OpenSlo => "openslo",
            Target::Docs => "docs",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// One generated file: its path relative to the output folder, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub path: PathBuf,
    pub contents: String,
}

/// What a build produced: the files, and notes for the person running it (what was left out and
/// why).
#[derive(Debug, Default)]
pub struct Build {
    pub artifacts: Vec<Artifact>,
    pub notes: Vec<String>,
    /// Problems that make the output unusable (a setting of `slac.toml` missing, say): when
    /// there is any, nothing may be written.
    pub errors: Vec<String>,
    /// An error in a contract-document template: nothing may be written either.
    pub template_error: Option<slac_docs::TemplateError>,
    /// Notes of one kind about many subjects, gathered into one note each by [`build`].
    grouped: Vec<(&'static str, Vec<(String, String)>)>,
}

impl Build {
    /// A note that may repeat for many subjects (one per agreement, say): the first one is
    /// printed in full, the others are counted and named, so that a large workspace gives a few
    /// lines rather than thousands.
    pub(crate) fn note_about(&mut self, kind: &'static str, subject: String, text: String) {
        match self.grouped.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, notes)) => notes.push((subject, text)),
            None => self.grouped.push((kind, vec![(subject, text)])),
        }
    }

    fn gather_notes(&mut self) {
        for (_, notes) in std::mem::take(&mut self.grouped) {
            let mut notes = notes.into_iter();
            let Some((_, first)) = notes.next() else {
                continue;
            };
            let others: Vec<String> = notes.map(|(subject, _)| subject).collect();
            self.notes.push(match others.len() {
                0 => first,
                n => {
                    let shown: Vec<String> =
                        others.iter().take(5).map(|s| format!("`{s}`")).collect();
                    let more = if n > 5 {
                        format!(" and {} more", n - 5)
                    } else {
                        String::new()
                    };
                    format!("{first}; the same for {}{more}", shown.join(", "))
                }
            });
        }
    }
}

/// What a build depends on besides the model.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The build date: an open-ended agreement's calendar mask runs two years from it.
    pub today: chrono::NaiveDate,
    /// The workspace's `slac.toml` (`[prometheus]`, `[alertmanager]`).
    pub config: slac_model::Config,
    /// The workspace root: `[docs] templates` is relative to it.
    pub root: PathBuf,
}

/// Builds the given targets from a model that has no errors.
pub fn build(model: &Model, targets: &[Target], options: &BuildOptions) -> Build {
    let mut build = Build::default();
    for target in targets {
        match target {
            Target::Prometheus => prometheus::build(model, options, &mut build),
            Target::Alertmanager => alertmanager::build(model, options, &mut build),
            Target::Grafana => grafana::build(model, options, &mut build),
            Target::OpenSlo => openslo::build(model, options, &mut build),
            Target::Docs => docs(model, options, &mut build),
        }
    }
    build.gather_notes();
    build.artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    build
}

/// The contract documents, from `slac-docs`.
fn docs(model: &Model, options: &BuildOptions, build: &mut Build) {
    let templates = options
        .config
        .docs
        .templates
        .as_ref()
        .map(|folder| options.root.join(folder));
    if let Some(folder) = &templates {
        if !folder.is_dir() {
            build.errors.push(format!(
                "slac.toml: `[docs] templates` is `{}`, which is not a folder",
                folder.display()
            ));
            return;
        }
    }
    match slac_docs::build(model, &options.config.docs.languages, templates.as_deref()) {
        Ok(documents) => build
            .artifacts
            .extend(documents.into_iter().map(|d| Artifact {
                path: d.path,
                contents: d.contents,
            })),
        Err(slac_docs::DocsError::Template(error)) => build.template_error = Some(*error),
        Err(error) => build.errors.push(error.to_string()),
    }
}
