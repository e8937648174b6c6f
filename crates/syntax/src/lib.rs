//! The `.sla` syntax: the pest grammar binding and the owned syntax tree.
//!
//! [`parse`] never fails: it returns a [`SyntaxTree`] with error nodes and every syntax error as a
//! [`Diagnostic`]. The tree keeps byte spans, every comment, and doc comments attached to the
//! declaration or field they document, so that the formatter and the language server can work
//! from it. This crate knows tokens and shapes, not meanings: whether a reference resolves or a
//! date exists is the model's business.

mod builder;
mod messages;
mod parser;
mod strings;
mod tree;

pub use builder::{MAX_BRACE_DEPTH, MAX_FILE_BYTES};
pub use messages::{field_usage, fields_of};
pub use strings::{dedent_text_block, source_offset, unescape};
pub use tree::{Body, Comment, Doc, Node, NodeKind, SyntaxTree, Token, TokenKind};

use slac_diagnostics::Diagnostic;
use slac_source::FileId;

/// The result of parsing one file: always a tree, plus the syntax errors found on the way.
#[derive(Debug, Clone)]
pub struct Parse {
    pub tree: SyntaxTree,
    pub errors: Vec<Diagnostic>,
}

impl Parse {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// Parses the text of one file. Never fails and never panics.
pub fn parse(file: FileId, text: &str) -> Parse {
    builder::build(file, text)
}
