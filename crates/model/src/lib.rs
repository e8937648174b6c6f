//! The semantic layer of slac: a workspace of `.sla` files becomes one typed [`Model`], and every
//! problem becomes a [`Diagnostic`].
//!
//! Data flow: [`discover`] finds the workspace root and its `slac.toml`; the loader reads and
//! parses the files, following imports; `lower` turns each tree into declarations; `resolve`
//! checks names across the workspace and applies `extends`; `checks` runs the rules of the
//! language reference §7. This crate reads files through a [`FileProvider`] and never prints.

mod checks;
mod config;
mod loader;
mod lower;
pub mod model;
mod resolve;
mod symbols;
mod values;

pub use checks::today_from_env;
pub use config::{
    AlertmanagerConfig, Config, DocsConfig, PagerKind, PrometheusConfig, RuleFormat,
    WorkspaceConfig,
};
pub use loader::{
    discover, normalize, outside_root, select_included, Discovery, Disk, FileProvider, LoadError,
    Outside, CONFIG_FILE,
};
pub use model::Model;
pub use symbols::{Definition, Reference, SymbolKind, Symbols};

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use slac_diagnostics::{Code, Diagnostic, Severity};
use slac_source::{FileId, SourceMap, Span};
use slac_syntax::SyntaxTree;

/// What a check depends on besides the files.
#[derive(Debug, Clone)]
pub struct Options {
    /// The date W003 compares with.
    pub today: NaiveDate,
}

/// A loaded and checked workspace.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub config: Config,
    pub sources: SourceMap,
    /// The syntax tree of each file, by file id; `None` for a file that could not be read as text
    /// (and for `slac.toml`).
    pub trees: Vec<Option<SyntaxTree>>,
    pub model: Model,
    pub symbols: Symbols,
    /// Every diagnostic, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Workspace {
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Warning)
            .count()
    }

    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }
}

/// Loads the workspace of `path` from the disk and checks it.
pub fn load(path: &Path, options: &Options) -> Result<Workspace, LoadError> {
    load_with(path, options, &Disk)
}

/// Loads the workspace of `path`, reading files through `provider`, and checks it.
pub fn load_with(
    path: &Path,
    options: &Options,
    provider: &dyn FileProvider,
) -> Result<Workspace, LoadError> {
    let discovery = discover(path)?;
    load_discovered(&discovery, options, provider, |config| {
        loader::included_files(&discovery.root, config)
    })
}

/// Loads the workspace that `discovery` describes when its files are known as a list rather than
/// found on the disk (the tree of a git commit): `files` are the paths, relative to the root, of
/// the regular files below it, of which the include globs of `slac.toml` choose as on the disk
/// (see [`select_included`]). Every file, `slac.toml` included, is read through `provider`.
pub fn load_listed(
    discovery: &Discovery,
    files: &[PathBuf],
    options: &Options,
    provider: &dyn FileProvider,
) -> Result<Workspace, LoadError> {
    load_discovered(discovery, options, provider, |config| {
        select_included(&discovery.root, config, files)
    })
}

/// Reads `slac.toml`, lists the included files with `included` (unless one file alone is
/// named), loads and checks them.
fn load_discovered(
    discovery: &Discovery,
    options: &Options,
    provider: &dyn FileProvider,
    included: impl FnOnce(&Config) -> Result<Vec<PathBuf>, LoadError>,
) -> Result<Workspace, LoadError> {
    // The problems of slac.toml itself, reported in it once the workspace is checked.
    let mut config_problems = Vec::new();
    let mut config_text = None;
    let config = match &discovery.config_path {
        Some(config_path) => {
            let bytes = provider.read(config_path).map_err(|source| LoadError::Io {
                path: config_path.clone(),
                source,
            })?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let config = match toml::from_str::<Config>(&text) {
                Ok(config) => {
                    config_problems = path_problems(&discovery.root, &text, provider);
                    config_problems.extend(config::value_problems(&text).into_iter().map(
                        |problem| {
                            Diagnostic::new(
                                Code::E005,
                                FileId::new(0),
                                Span::from_range(problem.span),
                                problem.message,
                            )
                            .with_primary_message("invalid value")
                            .with_help(problem.help)
                        },
                    ));
                    config
                }
                Err(error) => {
                    let span = error.span().map_or(Span::empty(0), Span::from_range);
                    config_problems.push(
                        Diagnostic::new(
                            Code::E001,
                            FileId::new(0),
                            span,
                            format!("invalid slac.toml: {}", error.message()),
                        )
                        .with_help(
                            "keys are `[workspace] include, out`, `[docs] languages, templates`, `[prometheus] format, namespace, labels` and `[alertmanager] smtp_smarthost, smtp_from, smtp_require_tls, pager, pager_url, repeat_interval`",
                        ),
                    );
                    Config::default()
                }
            };
            config_text = Some((config_path.clone(), text));
            config
        }
        None => Config::default(),
    };
    let files = match &discovery.single_file {
        Some(file) => vec![file.clone()],
        None => included(&config)?,
    };
    let mut loaded = loader::load_files(&discovery.root, &files, provider);
    if let Some((path, source)) = loaded.unreadable.pop() {
        return Err(LoadError::Io { path, source });
    }
    let mut workspace = analyze(discovery.root.clone(), config, loaded, options);
    if let (false, Some((config_path, text))) = (config_problems.is_empty(), config_text) {
        let id = workspace.sources.add(config_path, text);
        workspace.trees.push(None);
        workspace
            .diagnostics
            .extend(config_problems.into_iter().map(|mut problem| {
                problem.primary.file = id;
                problem
            }));
        slac_diagnostics::sort(&mut workspace.diagnostics);
    }
    Ok(workspace)
}

/// The paths set in `text` (the `slac.toml` of the workspace rooted at `root`) that leave the
/// root, each an E010 at its value (the file id is set when the file joins the sources).
fn path_problems(root: &Path, text: &str, provider: &dyn FileProvider) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for setting in config::path_settings(text) {
        let Some(outside) = outside_root(root, Path::new(&setting.value), provider) else {
            continue;
        };
        let (message, primary) = match outside {
            Outside::Absolute => (
                format!(
                    "{} is an absolute path, outside the workspace: {}",
                    setting.name, setting.value
                ),
                "an absolute path",
            ),
            Outside::Above => (
                format!(
                    "{} points outside the workspace: {}",
                    setting.name, setting.value
                ),
                "leaves the workspace",
            ),
            Outside::Link(real) => (
                format!(
                    "{} leads outside the workspace through a symbolic link: {} is {}",
                    setting.name,
                    setting.value,
                    real.display()
                ),
                "leaves the workspace through a link",
            ),
        };
        problems.push(
            Diagnostic::new(
                Code::E010,
                FileId::new(0),
                Span::from_range(setting.span),
                message,
            )
            .with_primary_message(primary)
            .with_help(format!(
                "paths in slac.toml are relative to the folder holding it (`{}`) and stay below it; to write the output elsewhere, name the folder with `slac build --out`",
                root.display()
            )),
        );
    }
    problems
}

/// Checks files already in memory (the language server's buffers): `files` are (path, text)
/// pairs of the workspace rooted at `root`.
pub fn check_files(
    root: &Path,
    config: Config,
    files: &[(PathBuf, String)],
    options: &Options,
) -> Workspace {
    /// The editor's buffers, by normalized path; other files come from the disk.
    struct Memory<'a>(std::collections::HashMap<PathBuf, &'a str>);
    impl FileProvider for Memory<'_> {
        fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
            match self.0.get(&normalize(path)) {
                Some(text) => Ok(text.as_bytes().to_vec()),
                None => std::fs::read(path),
            }
        }
    }
    let buffers = files
        .iter()
        .map(|(p, text)| (normalize(p), text.as_str()))
        .collect();
    let paths: Vec<PathBuf> = files.iter().map(|(p, _)| p.clone()).collect();
    let loaded = loader::load_files(root, &paths, &Memory(buffers));
    analyze(root.to_path_buf(), config, loaded, options)
}

fn analyze(root: PathBuf, config: Config, loaded: loader::Loaded, options: &Options) -> Workspace {
    let loader::Loaded {
        sources,
        trees,
        mut diagnostics,
        unreadable,
    } = loaded;
    // From the disk these stop the load (`LoadError`); from an editor's view they are one more
    // problem to show.
    for (path, error) in unreadable {
        if let Some(file) = sources.find(&path) {
            diagnostics.push(Diagnostic::new(
                Code::E001,
                file.id(),
                Span::empty(0),
                format!("cannot read `{}`: {error}", path.display()),
            ));
        }
    }
    let mut declarations = lower::Declarations::default();
    for (index, tree) in trees.iter().enumerate() {
        let Some(tree) = tree else { continue };
        let file = sources.iter().nth(index).map(|f| (f.id(), f.shared_text()));
        let Some((file, text)) = file else { continue };
        let mut lowering = lower::Lowering {
            read: values::Reader {
                file,
                text: &text,
                diagnostics: &mut diagnostics,
            },
            out: &mut declarations,
        };
        for node in &tree.items {
            lowering.declaration(node);
        }
    }
    let (model, symbols) = resolve::resolve(declarations, &mut diagnostics);
    checks::Checker {
        model: &model,
        sources: &sources,
        today: options.today,
        diagnostics: &mut diagnostics,
        engines: Default::default(),
    }
    .run();
    slac_diagnostics::sort(&mut diagnostics);
    diagnostics.dedup();
    Workspace {
        root,
        config,
        sources,
        trees,
        model,
        symbols,
        diagnostics,
    }
}

/// The `.sla` files that `path` names, without reading or checking them: a file itself, or the
/// included files of its workspace that lie below the folder.
pub fn workspace_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let discovery = discover(path)?;
    if let Some(file) = discovery.single_file {
        return Ok(vec![file]);
    }
    let config = match &discovery.config_path {
        Some(config_path) => {
            let text = std::fs::read_to_string(config_path).map_err(|source| LoadError::Io {
                path: config_path.clone(),
                source,
            })?;
            toml::from_str::<Config>(&text).unwrap_or_default()
        }
        None => Config::default(),
    };
    if path.is_file() {
        return Ok(vec![normalize(path)]);
    }
    // Only the files below the folder named, not the whole workspace around it.
    let wanted = loader::absolute_key(path);
    let mut files = loader::included_files(&discovery.root, &config)?;
    files.retain(|file| loader::absolute_key(file).starts_with(&wanted));
    Ok(files)
}
