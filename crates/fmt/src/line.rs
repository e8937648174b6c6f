//! The formatter's output model: the lines of the formatted file, before alignment and
//! rendering.
//!
//! The printer decides what goes on which line; the later passes only insert blank lines and
//! padding, so every decision about the text itself is made once, in the printer.

use slac_syntax::NodeKind;

/// One output line.
#[derive(Debug, Clone)]
pub(crate) struct Line<'s> {
    /// Nesting depth; each level is two spaces.
    pub depth: usize,
    pub role: Role,
    /// The code of the line, without indentation (empty for blank and comment lines).
    pub text: String,
    /// The comment of the line: the whole line for [`Role::Comment`], else a trailing comment.
    pub comment: Option<LineComment<'s>>,
    /// The column where a trailing comment starts, when it is aligned with its neighbours'.
    pub comment_column: Option<usize>,
}

/// What a line holds; alignment and blank-line rules look at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Blank,
    /// A comment on its own line.
    Comment,
    /// A field written on one line; runs of them align their trailing comments.
    Field(Option<Column>),
    /// `keyword id {`.
    Open,
    /// `}`.
    Close,
    /// Any other code line: an empty block `keyword id {}`, or the first or last line of a field
    /// with a multi-line text block.
    Code,
    /// A content line of a multi-line text block, printed as given (an empty one stays empty).
    Verbatim,
}

/// A one-line field of a kind whose consecutive fields line up a column:
/// `within 1h  for …` / `within 2bd for …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Column {
    pub kind: NodeKind,
    /// Byte offset in the text where the aligned column starts (after one separating space);
    /// none when the field stops before it (`within 3bd`).
    pub at: Option<usize>,
}

/// A comment as printed: its text without trailing whitespace.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineComment<'s> {
    pub text: &'s str,
    pub is_doc: bool,
    /// True when the comment is part of the doc comment of the node that follows it.
    pub attached: bool,
}

impl<'s> Line<'s> {
    pub fn blank() -> Self {
        Line {
            depth: 0,
            role: Role::Blank,
            text: String::new(),
            comment: None,
            comment_column: None,
        }
    }

    pub fn code(depth: usize, role: Role, text: String) -> Self {
        Line {
            depth,
            role,
            text,
            comment: None,
            comment_column: None,
        }
    }

    pub fn comment(depth: usize, comment: LineComment<'s>) -> Self {
        Line {
            depth,
            role: Role::Comment,
            text: String::new(),
            comment: Some(comment),
            comment_column: None,
        }
    }

    /// Width of the code part in characters, indentation included.
    pub fn code_width(&self) -> usize {
        self.depth * 2 + self.text.chars().count()
    }
}
