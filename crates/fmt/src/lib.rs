//! The canonical layout of `.sla` files (`slac fmt`).
//!
//! [`format()`] parses a file and prints it back from its syntax tree: two spaces per level, one
//! field per line, one space between tokens, blank lines kept (at most one) inside bodies and
//! exactly one between top-level declarations, `within` and `easter` values and the trailing
//! comments of consecutive fields lined up. Every token is printed with its source text and
//! every comment is kept, in order, so formatting never changes what a file means. A file with
//! syntax errors is never rewritten.
//!
//! The work is split in passes over a list of `Line`s: the printer decides the lines
//! (`printer`, with `tokens` for the text of a field and `comments` walking the comments), then
//! `docs` keeps loose `///` comments from documenting a node, `align` lines up columns, and
//! `render` writes the text. This crate knows the syntax tree, not the model: it never judges
//! whether a file is meaningful, only how it is laid out.

mod align;
mod comments;
mod docs;
mod error;
mod line;
mod printer;
mod render;
mod tokens;

pub use error::FormatError;

use slac_source::{FileId, LineIndex};

/// Formats the text of one `.sla` file.
///
/// # Errors
///
/// A [`FormatError`] with the syntax diagnostics when the file does not parse.
pub fn format(source: &str) -> Result<String, FormatError> {
    let parse = slac_syntax::parse(FileId::new(0), source);
    if parse.has_errors() {
        return Err(FormatError {
            diagnostics: parse.errors,
        });
    }
    let index = LineIndex::new(source);
    let lines = printer::Printer::print(source, &parse.tree, &index);
    let mut lines = docs::separate_loose_doc_comments(lines);
    align::align_value_columns(&mut lines);
    align::align_trailing_comments(&mut lines);
    Ok(render::render(&lines))
}
