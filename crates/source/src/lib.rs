//! Source files, byte spans and line indexes.
//!
//! Every other crate speaks in byte offsets into a file's text ([`Span`]); this crate is the one
//! place that turns them into human or editor positions ([`LineIndex`]). It knows nothing of the
//! `.sla` language.

mod line_index;
mod span;

pub use line_index::{LineCol, LineIndex, PositionEncoding};
pub use span::{FileId, Span};

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One source file: its path as the user named it, its text and its line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    id: FileId,
    path: PathBuf,
    text: Arc<str>,
    line_index: Arc<LineIndex>,
}

impl SourceFile {
    pub fn new(id: FileId, path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        let text = text.into();
        let line_index = Arc::new(LineIndex::new(&text));
        SourceFile {
            id,
            path: path.into(),
            text,
            line_index,
        }
    }

    pub fn id(&self) -> FileId {
        self.id
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn shared_text(&self) -> Arc<str> {
        self.text.clone()
    }

    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }

    /// The text under `span`, or an empty string when the span is out of bounds.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

/// The files of one workspace, indexed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> FileId {
        let id = FileId::new(self.files.len() as u32);
        self.files.push(SourceFile::new(id, path, text));
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.index())
    }

    /// The file with this id. Ids come from this map, so a miss is a programming error.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.index()]
    }

    pub fn find(&self, path: &Path) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.path == path)
    }

    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
