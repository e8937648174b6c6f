//! Finding a workspace and reading its files: discovery, `slac.toml`, include globs, imports.
//!
//! File access goes through a [`FileProvider`], so that an editor can serve unsaved text.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobSetBuilder};
use slac_diagnostics::{Code, Diagnostic, Label};
use slac_source::{FileId, SourceMap, Span};
use slac_syntax::{NodeKind, SyntaxTree, TokenKind};

use crate::config::Config;

/// Where the text of a file comes from: the disk, or an editor's buffers over it.
pub trait FileProvider {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;

    /// Where `path` lies once every symbolic link is followed, so that an import cannot leave the
    /// workspace through a link (E010); `None` when that cannot be known, as for a file that is
    /// not on the disk. The default asks the disk.
    fn real_path(&self, path: &Path) -> Option<PathBuf> {
        std::fs::canonicalize(path).ok()
    }
}

/// Reads files from the disk.
pub struct Disk;

impl FileProvider for Disk {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path)
    }
}

/// A problem with the environment rather than with the input: the CLI exits with status 2.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: not a `.sla` file or a folder")]
    NotSla { path: PathBuf },
    #[error("invalid include glob `{glob}` in slac.toml: {message}")]
    Glob { glob: String, message: String },
}

/// What a path names: the workspace root, its config file, and whether only one file was named
/// (a file outside any workspace with a `slac.toml`).
#[derive(Debug, Clone)]
pub struct Discovery {
    pub root: PathBuf,
    pub config_path: Option<PathBuf>,
    pub single_file: Option<PathBuf>,
}

pub const CONFIG_FILE: &str = "slac.toml";

/// The workspace of a path: for a folder, the nearest `slac.toml` at or above it, else the folder
/// itself, and every included `.sla` file below the root; for a file, its workspace the same way
/// when a `slac.toml` is found above it, else the file alone (with its imports).
pub fn discover(path: &Path) -> Result<Discovery, LoadError> {
    let metadata = std::fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let folder = if metadata.is_dir() {
        path.to_path_buf()
    } else {
        if path.extension().is_none_or(|e| e != "sla") {
            return Err(LoadError::NotSla {
                path: path.to_path_buf(),
            });
        }
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let folder = match normalize(&folder) {
        empty if empty.as_os_str().is_empty() => PathBuf::from("."),
        normalized => normalized,
    };
    let config_root = nearest_config(&folder);
    let root = config_root.clone().unwrap_or_else(|| folder.clone());
    let config_path = config_root.map(|r| normalize(&r.join(CONFIG_FILE)));
    let single_file = (!metadata.is_dir() && config_path.is_none()).then(|| normalize(path));
    Ok(Discovery {
        root,
        config_path,
        single_file,
    })
}

/// The nearest folder at or above `folder` holding a `slac.toml`, keeping the path's form
/// (relative stays relative) so that diagnostics name files as the user did.
fn nearest_config(folder: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(folder).ok()?;
    for (ups, ancestor) in absolute.ancestors().enumerate() {
        if ancestor.join(CONFIG_FILE).is_file() {
            let mut found = folder.to_path_buf();
            for _ in 0..ups {
                found.push("..");
            }
            let found = normalize(&found);
            return Some(if found.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                found
            });
        }
    }
    None
}

/// The `.sla` files below `root` that the include globs select, in path order, skipping hidden
/// folders, `target` and the output folder.
pub(crate) fn included_files(root: &Path, config: &Config) -> Result<Vec<PathBuf>, LoadError> {
    let out = root.join(&config.workspace.out);
    let mut files = Vec::new();
    // The walk prunes what `select_included` would refuse anyway, so as not to descend into it.
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || !(name.starts_with('.') || name == "target" || e.path() == out)
        });
    for entry in walker {
        let entry = entry.map_err(|e| LoadError::Io {
            path: e
                .path()
                .map_or_else(|| root.to_path_buf(), Path::to_path_buf),
            source: e.into(),
        })?;
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
            files.push(relative.to_path_buf());
        }
    }
    select_included(root, config, &files)
}

/// Of `files`, the paths relative to `root` of regular files, those that the workspace `config`
/// includes, as paths joined to `root` and normalized, in path order (the order of a walk of the
/// folders with names sorted). A file is included when it is a `.sla` file, its relative path
/// matches an include glob, and no component of it is hidden (starts with `.`), is `target`, or
/// is the output folder. The walk of the disk selects with this, and so can a listing of the
/// files of another tree, such as a git commit.
pub fn select_included(
    root: &Path,
    config: &Config,
    files: &[PathBuf],
) -> Result<Vec<PathBuf>, LoadError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in &config.workspace.include {
        let glob = Glob::new(pattern).map_err(|e| LoadError::Glob {
            glob: pattern.clone(),
            message: e.to_string(),
        })?;
        builder.add(glob);
    }
    let globs = builder.build().map_err(|e| LoadError::Glob {
        glob: config.workspace.include.join(", "),
        message: e.to_string(),
    })?;
    let out = root.join(&config.workspace.out);
    let skipped = |relative: &Path| {
        let mut prefix = PathBuf::new();
        relative.components().any(|component| {
            prefix.push(component);
            let hidden = match component {
                Component::Normal(name) => {
                    let name = name.to_string_lossy();
                    name.starts_with('.') || name == "target"
                }
                _ => false,
            };
            hidden || root.join(&prefix) == out
        })
    };
    let mut selected: Vec<PathBuf> = files
        .iter()
        .filter(|relative| {
            relative.extension().is_some_and(|e| e == "sla")
                && !skipped(relative)
                && globs.is_match(relative)
        })
        .map(|relative| normalize(&root.join(relative)))
        .collect();
    // `Path` orders by component, as a walk with sorted names visits: `a/b.sla` before `a-b.sla`.
    selected.sort();
    selected.dedup();
    Ok(selected)
}

/// How a path that the workspace names (a setting of `slac.toml`) leaves the workspace root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outside {
    /// It is absolute: paths of the workspace are relative to its root.
    Absolute,
    /// Its `..` climb above the root.
    Above,
    /// As written it stays below the root, but a symbolic link on the way leads to this place
    /// outside it.
    Link(PathBuf),
}

/// Whether `relative`, a path relative to the workspace `root`, leaves the root: as written
/// (absolute, or with `..` that climb above it), or through a symbolic link in the part of it
/// that exists. Links are followed as the system follows them (a `..` after a link is taken
/// from where the link leads); the part that does not exist yet is taken as written.
/// `None` when it stays inside, or when the disk cannot say (a root not on the disk).
pub fn outside_root(root: &Path, relative: &Path, provider: &dyn FileProvider) -> Option<Outside> {
    if relative.has_root()
        || relative
            .components()
            .any(|c| matches!(c, Component::Prefix(_)))
    {
        return Some(Outside::Absolute);
    }
    let absolute_root = absolute_key(root);
    let joined = absolute_root.join(relative);
    if !normalize(&joined).starts_with(&absolute_root) {
        return Some(Outside::Above);
    }
    let real_root = provider.real_path(root)?;
    let (existing, real) = joined
        .ancestors()
        .find_map(|ancestor| Some((ancestor, provider.real_path(ancestor)?)))?;
    let rest = joined.strip_prefix(existing).unwrap_or(Path::new(""));
    let resolved = normalize(&real.join(rest));
    (!resolved.starts_with(&real_root)).then_some(Outside::Link(resolved))
}

/// Removes `.` and resolves `..` without touching the disk.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

/// The files read so far and the parsed trees, by file id.
pub(crate) struct Loaded {
    pub sources: SourceMap,
    pub trees: Vec<Option<SyntaxTree>>,
    pub diagnostics: Vec<Diagnostic>,
    /// Files of the workspace that could not be read: an environment problem, not an input one.
    pub unreadable: Vec<(PathBuf, std::io::Error)>,
}

/// An `import` edge: which file imports which, and where the path is written.
struct Import {
    from: FileId,
    to: FileId,
    span: Span,
}

/// A file read and parsed, before it joins the [`SourceMap`].
struct Prepared {
    path: PathBuf,
    text: String,
    /// The offset of the first byte that is not UTF-8, when the file is not text.
    invalid_at: Option<usize>,
    parse: Option<slac_syntax::Parse>,
}

/// Decodes and parses one file that will get the id `id`. Files are independent until their
/// imports are followed, so this runs in parallel.
fn prepare(id: FileId, path: PathBuf, bytes: Vec<u8>) -> Prepared {
    let (text, invalid_at) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            (
                String::from_utf8_lossy(error.as_bytes()).into_owned(),
                Some(at),
            )
        }
    };
    let parse = invalid_at.is_none().then(|| slac_syntax::parse(id, &text));
    Prepared {
        path,
        text,
        invalid_at,
        parse,
    }
}

/// Reads and parses the files, following imports. The included files are parsed in parallel and
/// numbered in the order given (path order), then imported files after them, so ids and
/// diagnostics do not depend on scheduling.
pub(crate) fn load_files(root: &Path, files: &[PathBuf], provider: &dyn FileProvider) -> Loaded {
    use rayon::prelude::*;

    let mut loader = Loader {
        loaded: Loaded {
            sources: SourceMap::new(),
            trees: Vec::new(),
            diagnostics: Vec::new(),
            unreadable: Vec::new(),
        },
        absolute_root: normalize(&std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf())),
        real_root: provider.real_path(root),
        root: root.to_path_buf(),
        by_path: HashMap::new(),
        imports: Vec::new(),
        queue: Vec::new(),
    };
    // The files in the order given, each once (a set of keys: a search of the list made a
    // check of 10,000 files spend seconds comparing paths).
    let mut initial: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut seen: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    for file in files {
        let path = normalize(file);
        let key = absolute_key(&path);
        if seen.insert(key.clone()) {
            initial.push((path, key));
        }
    }
    // Reading goes through the provider, which need not be thread-safe; parsing is the work.
    let contents: Vec<(PathBuf, PathBuf, std::io::Result<Vec<u8>>)> = initial
        .into_iter()
        .map(|(path, key)| {
            let bytes = provider.read(&path);
            (path, key, bytes)
        })
        .collect();
    let prepared: Vec<(PathBuf, PathBuf, Result<Prepared, std::io::Error>)> = contents
        .into_par_iter()
        .enumerate()
        .map(|(index, (path, key, bytes))| {
            let prepared =
                bytes.map(|bytes| prepare(FileId::new(index as u32), path.clone(), bytes));
            (path, key, prepared)
        })
        .collect();
    for (path, key, result) in prepared {
        match result {
            Ok(prepared) => loader.admit(key, prepared, None, provider),
            Err(error) => loader.unreadable_root_file(path, error),
        }
    }
    while let Some((path, importer)) = loader.queue.pop() {
        let key = absolute_key(&path);
        if let Some(&id) = loader.by_path.get(&key) {
            loader.imports.push(Import {
                from: importer.0,
                to: id,
                span: importer.1,
            });
            continue;
        }
        match provider.read(&path) {
            Ok(bytes) => {
                let id = FileId::new(loader.loaded.sources.len() as u32);
                let prepared = prepare(id, path, bytes);
                loader.admit(key, prepared, Some(importer), provider);
            }
            Err(error) => loader.loaded.diagnostics.push(
                Diagnostic::new(
                    Code::E002,
                    importer.0,
                    importer.1,
                    format!("cannot read imported file `{}`: {error}", path.display()),
                )
                .with_primary_message("imported here"),
            ),
        }
    }
    report_import_cycles(&loader.imports, &mut loader.loaded.diagnostics);
    loader.loaded
}

pub(crate) fn absolute_key(path: &Path) -> PathBuf {
    normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

struct Loader {
    loaded: Loaded,
    root: PathBuf,
    absolute_root: PathBuf,
    /// The root with symbolic links followed, when it is on the disk.
    real_root: Option<PathBuf>,
    by_path: HashMap<PathBuf, FileId>,
    imports: Vec<Import>,
    /// Imports still to follow: the path and where it is imported.
    queue: Vec<(PathBuf, (FileId, Span))>,
}

impl Loader {
    /// A file named on the command line or by the include globs that cannot be read.
    /// It keeps its id (ids follow path order) with an empty text.
    fn unreadable_root_file(&mut self, path: PathBuf, error: std::io::Error) {
        self.loaded.sources.add(&path, "");
        self.loaded.trees.push(None);
        self.loaded.unreadable.push((path, error));
    }

    /// Adds a prepared file to the workspace and queues its imports.
    fn admit(
        &mut self,
        key: PathBuf,
        prepared: Prepared,
        importer: Option<(FileId, Span)>,
        provider: &dyn FileProvider,
    ) {
        let Prepared {
            path,
            text,
            invalid_at,
            parse,
        } = prepared;
        let id = self.loaded.sources.add(&path, text);
        self.by_path.insert(key, id);
        if let Some((from, span)) = importer {
            self.imports.push(Import { from, to: id, span });
        }
        if let Some(at) = invalid_at {
            self.loaded.trees.push(None);
            // The text kept has U+FFFD where the bytes were invalid: the span covers that
            // character whole (3 bytes), not a part of it.
            let width = self
                .loaded
                .sources
                .file(id)
                .text()
                .get(at..)
                .unwrap_or_default()
                .chars()
                .next()
                .map_or(0, char::len_utf8);
            self.loaded.diagnostics.push(
                Diagnostic::new(
                    Code::E001,
                    id,
                    Span::new(at as u32, (at + width) as u32),
                    format!(
                        "`{}` is not valid UTF-8 (first invalid byte at offset {at})",
                        path.display()
                    ),
                )
                .with_primary_message("not UTF-8")
                .with_help("save the file as UTF-8"),
            );
            return;
        }
        let Some(parse) = parse else {
            self.loaded.trees.push(None);
            return;
        };
        self.loaded.diagnostics.extend(parse.errors);
        let text = self.loaded.sources.file(id).shared_text();
        let folder = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
        let mut found = Vec::new();
        for node in parse
            .tree
            .items
            .iter()
            .filter(|n| n.kind == NodeKind::Import)
        {
            let Some(token) = node.arg(TokenKind::String) else {
                continue;
            };
            let relative = slac_syntax::unescape(token.text(&text)).0;
            let target = normalize(&folder.join(&relative));
            if Path::new(&relative).is_absolute()
                || !absolute_key(&target).starts_with(&self.absolute_root)
            {
                self.loaded.diagnostics.push(
                    Diagnostic::new(
                        Code::E010,
                        id,
                        token.span,
                        format!(
                            "`{relative}` is outside the workspace root `{}`",
                            self.root.display()
                        ),
                    )
                    .with_primary_message("leaves the workspace")
                    .with_help(
                        "imports are relative paths that stay below the folder holding slac.toml",
                    ),
                );
                continue;
            }
            // A path that stays below the root as written may still leave it through a link.
            let real = provider.real_path(&target);
            if let (Some(real_root), Some(real)) = (&self.real_root, &real) {
                if !real.starts_with(real_root) {
                    self.loaded.diagnostics.push(
                        Diagnostic::new(
                            Code::E010,
                            id,
                            token.span,
                            format!(
                                "`{relative}` leads out of the workspace root `{}` through a symbolic link, to `{}`",
                                self.root.display(),
                                real.display()
                            ),
                        )
                        .with_primary_message("leaves the workspace through a link")
                        .with_help(
                            "imports are relative paths that stay below the folder holding slac.toml: copy the file below it rather than linking to it",
                        ),
                    );
                    continue;
                }
            }
            found.push((target, (id, token.span)));
        }
        self.loaded.trees.push(Some(parse.tree));
        // The queue is a stack: push in reverse so that imports are followed in source order.
        self.queue.extend(found.into_iter().rev());
    }
}

/// E009 once per import cycle, at the import of its first member in file order.
fn report_import_cycles(imports: &[Import], diagnostics: &mut Vec<Diagnostic>) {
    let mut edges: HashMap<FileId, Vec<&Import>> = HashMap::new();
    for import in imports {
        edges.entry(import.from).or_default().push(import);
    }
    let mut reported: HashSet<Vec<FileId>> = HashSet::new();
    let mut starts: Vec<FileId> = edges.keys().copied().collect();
    starts.sort();
    for start in starts {
        // Depth-first search for a path back to `start`.
        let mut stack: Vec<(FileId, Vec<&Import>)> = vec![(start, Vec::new())];
        let mut seen: HashSet<FileId> = HashSet::new();
        while let Some((file, path)) = stack.pop() {
            for import in edges.get(&file).map_or(&[][..], Vec::as_slice) {
                let mut next = path.clone();
                next.push(*import);
                if import.to == start {
                    let mut members: Vec<FileId> = next.iter().map(|i| i.from).collect();
                    members.sort();
                    if reported.insert(members) {
                        let first = next[0];
                        let mut diagnostic = Diagnostic::new(
                            Code::E009,
                            first.from,
                            first.span,
                            "import cycle: these files import each other",
                        )
                        .with_primary_message("the cycle starts here")
                        .with_help(
                            "imports only pull files into the workspace: remove one of the imports",
                        );
                        for import in &next[1..] {
                            diagnostic = diagnostic.with_label(Label::new(
                                import.from,
                                import.span,
                                "which imports",
                            ));
                        }
                        diagnostics.push(diagnostic);
                    }
                } else if seen.insert(import.to) {
                    stack.push((import.to, next));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{normalize, select_included};
    use crate::config::Config;
    use std::path::{Path, PathBuf};

    #[test]
    fn select_included_filters_a_listing_like_the_walk() {
        let mut config = Config::default();
        config.workspace.include = vec!["a/**/*.sla".to_string(), "top.sla".to_string()];
        config.workspace.out = "a/gen".to_string();
        let listed: Vec<PathBuf> = [
            "a.sla",
            "top.sla",
            "a/x.sla",
            "a/x.txt",
            "a/b/y.sla",
            "a-b.sla",
            "a/.hidden/z.sla",
            "a/.z.sla",
            "a/target/t.sla",
            "a/gen/g.sla",
            "b/n.sla",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let selected = select_included(Path::new("root"), &config, &listed).unwrap();
        let expected: Vec<PathBuf> = ["root/a/b/y.sla", "root/a/x.sla", "root/top.sla"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(selected, expected);
        let bad = Config {
            workspace: crate::config::WorkspaceConfig {
                include: vec!["a/[".to_string()],
                out: "build".to_string(),
            },
            ..Config::default()
        };
        assert!(select_included(Path::new("."), &bad, &listed).is_err());
    }

    #[test]
    fn select_included_orders_like_a_sorted_walk() {
        let listed: Vec<PathBuf> = ["a.sla", "a-b.sla", "a/b.sla"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let selected = select_included(Path::new("."), &Config::default(), &listed).unwrap();
        let expected: Vec<PathBuf> = ["a/b.sla", "a-b.sla", "a.sla"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(selected, expected);
    }

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(normalize(Path::new("a/./b/../c.sla")), Path::new("a/c.sla"));
        assert_eq!(normalize(Path::new("../x.sla")), Path::new("../x.sla"));
        assert_eq!(normalize(Path::new("a/../../x.sla")), Path::new("../x.sla"));
        assert_eq!(normalize(Path::new("a/..")), Path::new(""));
        assert_eq!(normalize(Path::new("/../x")), Path::new("/x"));
    }
}
