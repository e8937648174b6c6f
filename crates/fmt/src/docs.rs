//! Keeps a `///` comment that documents nothing from documenting something once formatted.
//!
//! The parser attaches `///` lines to the node right below them. A doc comment that documents
//! nothing in the source (say one written between the tokens of a field) may land right above a
//! node once moved, which would change what the node's documentation is. This pass puts a blank
//! line after such a comment; on a `{` line, the comment first moves to a line of its own at the
//! start of the body, since a blank line may not follow a `{` line.

use crate::line::{Line, Role};

pub(crate) fn separate_loose_doc_comments(lines: Vec<Line<'_>>) -> Vec<Line<'_>> {
    let mut out = Vec::with_capacity(lines.len());
    let mut lines = lines.into_iter().peekable();
    while let Some(mut line) = lines.next() {
        let loose = line
            .comment
            .is_some_and(|comment| comment.is_doc && !comment.attached);
        if !loose || !lines.peek().is_some_and(would_be_documented) {
            out.push(line);
            continue;
        }
        if line.role == Role::Open {
            let depth = line.depth;
            let comment = line.comment.take();
            out.push(line);
            if let Some(comment) = comment {
                out.push(Line::comment(depth + 1, comment));
            }
        } else {
            out.push(line);
        }
        out.push(Line::blank());
    }
    out
}

/// Whether a `///` comment on the line before this one would become part of a doc comment.
fn would_be_documented(next: &Line<'_>) -> bool {
    match next.role {
        Role::Blank | Role::Close => false,
        Role::Comment => next.comment.is_some_and(|comment| comment.is_doc),
        _ => true,
    }
}
