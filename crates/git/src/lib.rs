//! A slac workspace as it was at a git revision, for `slac diff` and history views.
//!
//! This crate runs the `git` binary (every user has it) with [`std::process::Command`]; it never
//! goes through a shell, and it never lets a user's text reach git where git could read it as an
//! option:
//!
//! - a revision is passed after `--end-of-options` (so `--output=x` or `-p` is a revision name,
//!   unknown or not, never an option);
//! - paths are passed after `--`, with `--literal-pathspecs` (so `*` or `:(exclude)` in a path is
//!   a character of the name);
//! - everything else git is given (commit ids, blob ids) comes from git itself.
//!
//! Every command runs with `LC_ALL=C`, so that git's messages are stable, and in the top folder
//! of the working tree, so that the paths git prints are relative to it.
//!
//! [`Repo::workspace_at`] reads `slac.toml` and the included `.sla` files as they are in a commit
//! (all of them through one `git cat-file --batch` process), and loads them with
//! [`slac_model::load_listed`] under the paths the working tree would give them, so that the
//! workspace of a commit and that of the working tree name the same files the same way.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use slac_model::{normalize, Discovery, FileProvider, LoadError, Options, Workspace, CONFIG_FILE};

/// The oldest git whose `rev-parse` honours `--end-of-options` (2.30, December 2020).
pub const MIN_GIT_VERSION: (u32, u32) = (2, 30);

/// Something git could not do, or that is not in the repository. Each message is written for the
/// user; the CLI exits with status 2 on any of them.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The `git` binary could not be started.
    #[error("git is not installed (or not on the PATH): {source}")]
    NotInstalled { source: io::Error },
    /// The installed git is older than [`MIN_GIT_VERSION`].
    #[error("git {version} is too old: slac needs git 2.30 or later")]
    TooOld { version: String },
    /// The path is not inside the working tree of a git repository.
    #[error("not a git repository: {}", path.display())]
    NotARepository { path: PathBuf },
    /// The path lies outside the working tree of the repository.
    #[error("`{}` is outside the git repository `{}`", path.display(), top.display())]
    OutsideRepository { path: PathBuf, top: PathBuf },
    /// The revision names no commit.
    #[error("unknown revision `{rev}`")]
    UnknownRevision { rev: String },
    /// git ran and failed; `message` is what it printed on stderr.
    #[error("git failed: {message}")]
    Failed { message: String },
    /// A path given could not be read.
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    /// The workspace at the commit could not be loaded (an invalid include glob, a named file
    /// that is not `.sla`).
    #[error(transparent)]
    Load(#[from] LoadError),
}

/// A commit, by its full id (hexadecimal, as git prints it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Commit {
    id: String,
}

impl Commit {
    /// The full id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl std::fmt::Display for Commit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id)
    }
}

/// One commit of [`Repo::log`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// The commit.
    pub commit: Commit,
    /// The abbreviated id, as short as is unambiguous in the repository (at least 7 digits).
    pub short_id: String,
    /// The author date in strict ISO 8601, with the author's offset: `2026-03-01T10:00:00+01:00`.
    pub date: String,
    /// The first line of the message.
    pub subject: String,
}

/// A git repository, by the top folder of its working tree.
#[derive(Debug, Clone)]
pub struct Repo {
    top: PathBuf,
}

impl Repo {
    /// The repository whose working tree holds `path` (a file or a folder), after checking that
    /// git is installed and recent enough.
    pub fn discover(path: &Path) -> Result<Repo, GitError> {
        let metadata = std::fs::metadata(path).map_err(|source| GitError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let folder = if metadata.is_dir() {
            path.to_path_buf()
        } else {
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        check_version()?;
        let output = output(
            git()
                .arg("-C")
                .arg(&folder)
                .args(["rev-parse", "--show-toplevel"]),
        )?;
        let stdout = trim_newline(&output.stdout);
        if !output.status.success() {
            let message = String::from_utf8_lossy(&output.stderr);
            // In a `.git` folder or a bare repository there is no working tree either.
            return Err(
                if message.contains("not a git repository")
                    || message.contains("must be run in a work tree")
                {
                    GitError::NotARepository {
                        path: path.to_path_buf(),
                    }
                } else {
                    failed(&output)
                },
            );
        }
        if stdout.is_empty() {
            return Err(GitError::NotARepository {
                path: path.to_path_buf(),
            });
        }
        let top = bytes_to_path(stdout);
        let top = top
            .canonicalize()
            .map_err(|source| GitError::Io { path: top, source })?;
        Ok(Repo { top })
    }

    /// The top folder of the working tree, as an absolute path without symbolic links.
    pub fn top(&self) -> &Path {
        &self.top
    }

    /// The commit a revision names (`HEAD`, `HEAD~1`, a branch, a tag, an id, `main@{1}`…).
    ///
    /// Whatever it looks like, `rev` is only ever a revision to git: `--output=x` names a branch
    /// or nothing. A revision that names no commit is [`GitError::UnknownRevision`].
    pub fn resolve(&self, rev: &str) -> Result<Commit, GitError> {
        let unknown = || GitError::UnknownRevision {
            rev: rev.to_string(),
        };
        if rev.contains('\0') {
            return Err(unknown());
        }
        let output = output(
            self.git()
                .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
                .arg(format!("{rev}^{{commit}}")),
        )?;
        if !output.status.success() {
            // `--verify --quiet` exits with 1, silently, when the revision names no commit.
            return Err(if output.status.code() == Some(1) {
                unknown()
            } else {
                failed(&output)
            });
        }
        let id = String::from_utf8_lossy(trim_newline(&output.stdout)).into_owned();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(GitError::Failed {
                message: format!("`git rev-parse` printed `{id}` for `{rev}`, not a commit id"),
            });
        }
        Ok(Commit { id })
    }

    /// The workspace of `path` (a folder or a `.sla` file of the working tree, which need not
    /// exist any more) as it was at `commit`, loaded and checked.
    ///
    /// The workspace is found as [`slac_model::load`] finds it on the disk, but in the commit's
    /// tree: the nearest `slac.toml` at or above the folder, up to the top of the repository, and
    /// the `.sla` files below its root that its include globs select at that commit. Files are
    /// named by the paths the working tree gives them, in the form of `path` (relative stays
    /// relative), so diagnostics point at familiar files and the two workspaces compare file by
    /// file. A folder absent from the commit gives a workspace without files.
    ///
    /// The text of a file is its blob as committed (no `.gitattributes` conversion); symbolic
    /// links and submodules are not followed.
    pub fn workspace_at(
        &self,
        commit: &Commit,
        path: &Path,
        options: &Options,
    ) -> Result<Workspace, GitError> {
        let relative = self.relative(path)?;
        // Which kind `path` is in the commit, and where `slac.toml` files are above it.
        let mut candidates: Vec<PathBuf> = relative
            .ancestors()
            .map(|folder| folder.join(CONFIG_FILE))
            .collect();
        if !relative.as_os_str().is_empty() {
            candidates.push(relative.clone());
        }
        let kinds = self.object_kinds(commit, &candidates)?;
        let is_file = match kinds.get(&relative).map(String::as_str) {
            Some("tree") => false,
            Some(_) => true,
            None if relative.as_os_str().is_empty() => false,
            None => path.is_file(),
        };
        if is_file && path.extension().is_none_or(|e| e != "sla") {
            return Err(LoadError::NotSla {
                path: path.to_path_buf(),
            }
            .into());
        }
        let (folder, relative_folder) = if is_file {
            let folder = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            let relative_folder = relative
                .parent()
                .map_or_else(PathBuf::new, Path::to_path_buf);
            (folder, relative_folder)
        } else {
            (path.to_path_buf(), relative.clone())
        };
        let config_folder = relative_folder
            .ancestors()
            .enumerate()
            .find(|(_, folder)| {
                kinds
                    .get(&folder.join(CONFIG_FILE))
                    .is_some_and(|kind| kind == "blob")
            })
            .map(|(ups, folder)| (ups, folder.to_path_buf()));
        // The root in the form of `path`, as `slac_model::discover` gives it.
        let mut root = normalize(&folder);
        if let Some((ups, _)) = &config_folder {
            for _ in 0..*ups {
                root.push("..");
            }
            root = normalize(&root);
        }
        if root.as_os_str().is_empty() {
            root = PathBuf::from(".");
        }
        let relative_root = config_folder
            .as_ref()
            .map_or(relative_folder, |(_, folder)| folder.clone());
        let config_path = config_folder
            .is_some()
            .then(|| normalize(&root.join(CONFIG_FILE)));

        // Every regular file below the root, relative to it.
        let entries = self.list(commit, &relative_root)?;
        let mut files = Vec::new();
        let mut blobs = HashMap::new();
        for entry in entries {
            let Ok(below) = entry.path.strip_prefix(&relative_root) else {
                continue;
            };
            if !(entry.mode == "100644" || entry.mode == "100755") {
                continue;
            }
            blobs.insert(key(&root.join(below)), entry.oid);
            files.push(below.to_path_buf());
        }
        let mut single_file = (is_file && config_path.is_none()).then(|| normalize(path));
        if single_file
            .as_ref()
            .is_some_and(|file| !blobs.contains_key(&key(file)))
        {
            // The file did not exist yet: nothing to load.
            single_file = None;
            files.clear();
        }

        // Read the `.sla` files and `slac.toml` at once; any other file an import names is
        // read when the loader asks for it.
        let wanted: Vec<&str> = blobs
            .iter()
            .filter(|(path, _)| {
                path.extension().is_some_and(|e| e == "sla")
                    || config_path.as_ref().is_some_and(|c| key(c) == **path)
            })
            .map(|(_, oid)| oid.as_str())
            .collect();
        let contents = self.read_blobs(&wanted)?;
        let provider = CommitFiles {
            repo: self,
            commit,
            blobs,
            contents,
        };
        let discovery = Discovery {
            root,
            config_path,
            single_file,
        };
        Ok(slac_model::load_listed(
            &discovery, &files, options, &provider,
        )?)
    }

    /// The workspace of `path` in the working tree, uncommitted changes included: exactly
    /// [`slac_model::load`], beside [`Repo::workspace_at`].
    pub fn working_tree(&self, path: &Path, options: &Options) -> Result<Workspace, GitError> {
        Ok(slac_model::load(path, options)?)
    }

    /// The commits reachable from `HEAD` that changed any of `paths` (files or folders of the
    /// working tree, which need not exist any more), newest first; every commit when `paths` is
    /// empty, none in a repository without commits.
    pub fn log(&self, paths: &[PathBuf]) -> Result<Vec<LogEntry>, GitError> {
        let head = match self.resolve("HEAD") {
            Ok(head) => head,
            Err(GitError::UnknownRevision { .. }) => return Ok(Vec::new()),
            Err(error) => return Err(error),
        };
        let mut relative = Vec::new();
        for path in paths {
            let path = self.relative(path)?;
            relative.push(if path.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                path
            });
        }
        let output = output(
            self.git()
                .args(["-c", "log.showSignature=false", "log", "-z"])
                .arg("--format=%H%x00%h%x00%aI%x00%s")
                .arg(head.id())
                .arg("--")
                .args(&relative),
        )?;
        if !output.status.success() {
            return Err(failed(&output));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let text = text.strip_suffix('\0').unwrap_or(&text);
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let fields: Vec<&str> = text.split('\0').collect();
        if fields.len() % 4 != 0 {
            return Err(GitError::Failed {
                message: "`git log` printed an unexpected listing".to_string(),
            });
        }
        Ok(fields
            .chunks(4)
            .map(|entry| LogEntry {
                commit: Commit {
                    id: entry[0].to_string(),
                },
                short_id: entry[1].to_string(),
                date: entry[2].to_string(),
                subject: entry[3].to_string(),
            })
            .collect())
    }

    /// `git` in the top folder, with literal pathspecs.
    fn git(&self) -> Command {
        let mut command = git();
        command.arg("-C").arg(&self.top).arg("--literal-pathspecs");
        command
    }

    /// `path` relative to the top folder, through the real location of the nearest part of it
    /// that exists (so a path through a symbolic link, or one deleted since, still maps).
    fn relative(&self, path: &Path) -> Result<PathBuf, GitError> {
        let absolute = std::path::absolute(path).map_err(|source| GitError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let absolute = normalize(&absolute);
        let mut existing = absolute.as_path();
        let mut missing = Vec::new();
        let real = loop {
            if let Ok(real) = existing.canonicalize() {
                break real;
            }
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    missing.push(name);
                    existing = parent;
                }
                _ => break existing.to_path_buf(),
            }
        };
        let real = missing
            .iter()
            .rev()
            .fold(real, |path, name| path.join(name));
        match real.strip_prefix(&self.top) {
            Ok(relative) => Ok(relative.to_path_buf()),
            Err(_) => Err(GitError::OutsideRepository {
                path: path.to_path_buf(),
                top: self.top.clone(),
            }),
        }
    }

    /// The object type (`blob`, `tree`, `commit`) of each of `paths` (relative to the top) that
    /// exists in `commit`.
    fn object_kinds(
        &self,
        commit: &Commit,
        paths: &[PathBuf],
    ) -> Result<HashMap<PathBuf, String>, GitError> {
        // `<commit>:<path>` lines cannot carry a line break; such a path is simply not found.
        let asked: Vec<&PathBuf> = paths
            .iter()
            .filter(|p| !p.as_os_str().as_encoded_bytes().contains(&b'\n'))
            .collect();
        let mut input = Vec::new();
        for path in &asked {
            input.extend_from_slice(commit.id.as_bytes());
            input.push(b':');
            input.extend_from_slice(path.as_os_str().as_encoded_bytes());
            input.push(b'\n');
        }
        let output = self.batch(&["cat-file", "--batch-check=%(objecttype)"], &input)?;
        let lines: Vec<&[u8]> = output.split(|&b| b == b'\n').collect();
        let mut kinds = HashMap::new();
        for (path, line) in asked.into_iter().zip(lines) {
            // A path that is not in the commit is echoed back followed by ` missing`.
            if !line.ends_with(b" missing") {
                kinds.insert(path.clone(), String::from_utf8_lossy(line).into_owned());
            }
        }
        Ok(kinds)
    }

    /// Every file below `folder` (relative to the top; the empty path for all) in `commit`.
    fn list(&self, commit: &Commit, folder: &Path) -> Result<Vec<TreeEntry>, GitError> {
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        let output = output(
            self.git()
                .args(["ls-tree", "-r", "-z", "--full-tree"])
                .arg(commit.id())
                .arg("--")
                .arg(folder),
        )?;
        if !output.status.success() {
            return Err(failed(&output));
        }
        let mut entries = Vec::new();
        for record in output.stdout.split(|&b| b == 0) {
            // `<mode> SP <type> SP <object> TAB <path>`
            let Some(tab) = record.iter().position(|&b| b == b'\t') else {
                continue;
            };
            let header = String::from_utf8_lossy(&record[..tab]);
            let mut parts = header.split(' ');
            let (Some(mode), Some(_), Some(oid)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            entries.push(TreeEntry {
                mode: mode.to_string(),
                oid: oid.to_string(),
                path: bytes_to_path(&record[tab + 1..]),
            });
        }
        Ok(entries)
    }

    /// The contents of blobs, by id, through one `git cat-file --batch`.
    fn read_blobs(&self, oids: &[&str]) -> Result<HashMap<String, Vec<u8>>, GitError> {
        let mut unique: Vec<&str> = oids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        if unique.is_empty() {
            return Ok(HashMap::new());
        }
        let mut input = Vec::new();
        for oid in &unique {
            input.extend_from_slice(oid.as_bytes());
            input.push(b'\n');
        }
        let output = self.batch(&["cat-file", "--batch"], &input)?;
        // Each object: `<oid> SP <type> SP <size> LF <contents> LF`, or `<oid> SP missing LF`.
        let mut contents = HashMap::new();
        let mut rest = output.as_slice();
        while !rest.is_empty() {
            let Some(end) = rest.iter().position(|&b| b == b'\n') else {
                break;
            };
            let header = String::from_utf8_lossy(&rest[..end]).into_owned();
            rest = &rest[end + 1..];
            let parts: Vec<&str> = header.split(' ').collect();
            let [oid, _, size] = parts.as_slice() else {
                continue;
            };
            let size: usize = size.parse().map_err(|_| GitError::Failed {
                message: format!("`git cat-file` printed an unexpected header `{header}`"),
            })?;
            if rest.len() < size {
                return Err(GitError::Failed {
                    message: format!("`git cat-file` stopped in the middle of object {oid}"),
                });
            }
            contents.insert(oid.to_string(), rest[..size].to_vec());
            rest = rest.get(size + 1..).unwrap_or_default();
        }
        Ok(contents)
    }

    /// Runs a git command that reads `input` on its standard input, and returns its standard
    /// output. The input is written from another thread, so that neither side waits for the
    /// other with a full pipe.
    fn batch(&self, args: &[&str], input: &[u8]) -> Result<Vec<u8>, GitError> {
        let mut child = self
            .git()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(not_installed)?;
        let mut stdin = child.stdin.take();
        let output = std::thread::scope(|scope| {
            scope.spawn(move || {
                if let Some(stdin) = stdin.as_mut() {
                    // A write error means git stopped reading; its status says why.
                    let _ = stdin.write_all(input);
                }
                drop(stdin);
            });
            child.wait_with_output()
        })
        .map_err(not_installed)?;
        if !output.status.success() {
            return Err(failed(&output));
        }
        Ok(output.stdout)
    }
}

/// One file of a commit's tree.
struct TreeEntry {
    mode: String,
    oid: String,
    /// Relative to the top folder.
    path: PathBuf,
}

/// The files of a commit, by the absolute path they would have in the working tree.
struct CommitFiles<'a> {
    repo: &'a Repo,
    commit: &'a Commit,
    /// Blob id of every regular file below the workspace root.
    blobs: HashMap<PathBuf, String>,
    /// The contents read ahead, by blob id.
    contents: HashMap<String, Vec<u8>>,
}

impl FileProvider for CommitFiles<'_> {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let Some(oid) = self.blobs.get(&key(path)) else {
            let short = self.commit.id.get(..12).unwrap_or(&self.commit.id);
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("not a file in commit {short}"),
            ));
        };
        if let Some(bytes) = self.contents.get(oid) {
            return Ok(bytes.clone());
        }
        let mut contents = self
            .repo
            .read_blobs(&[oid.as_str()])
            .map_err(io::Error::other)?;
        contents
            .remove(oid)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("missing blob {oid}")))
    }
}

/// The absolute, normalized form of a path, by which files of a commit are found.
fn key(path: &Path) -> PathBuf {
    normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// `git`, with messages in English whatever the user's locale.
fn git() -> Command {
    let mut command = Command::new("git");
    command.env("LC_ALL", "C").stdin(Stdio::null());
    command
}

/// Runs a command to the end, capturing both outputs.
fn output(command: &mut Command) -> Result<Output, GitError> {
    command.output().map_err(not_installed)
}

fn not_installed(source: io::Error) -> GitError {
    GitError::NotInstalled { source }
}

/// [`GitError::Failed`] with what git printed.
fn failed(output: &Output) -> GitError {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let message = stderr.trim();
    GitError::Failed {
        message: if message.is_empty() {
            format!("git exited with {}", output.status)
        } else {
            message.to_string()
        },
    }
}

/// Refuses a git older than [`MIN_GIT_VERSION`]. A version that cannot be read is let through.
fn check_version() -> Result<(), GitError> {
    let output = output(git().arg("--version"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    // `git version 2.47.3`, `git version 2.39.5 (Apple Git-154)`, `git version 2.45.1.windows.1`
    let Some(version) = text.trim().strip_prefix("git version ") else {
        return Ok(());
    };
    let mut numbers = version
        .split(['.', ' '])
        .map(|part| part.parse::<u32>().ok());
    if let (Some(Some(major)), Some(Some(minor))) = (numbers.next(), numbers.next()) {
        if (major, minor) < MIN_GIT_VERSION {
            return Err(GitError::TooOld {
                version: version.to_string(),
            });
        }
    }
    Ok(())
}

fn trim_newline(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\n").unwrap_or(bytes)
}

/// A path git printed (bytes on Unix; UTF-8 elsewhere).
fn bytes_to_path(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}
