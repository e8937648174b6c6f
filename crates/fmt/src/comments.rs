//! Walks the comments of a file in source order, once.
//!
//! The printer asks for "the comments before this offset" and "the comment on the same line
//! after this offset"; both only look at the next comment, so every comment is visited once and
//! the whole walk is linear in the number of comments. Lines are compared through a
//! [`LineIndex`], so no text is rescanned either.

use slac_source::LineIndex;
use slac_syntax::Comment;

use crate::line::LineComment;

pub(crate) struct CommentCursor<'s> {
    source: &'s str,
    comments: &'s [Comment],
    lines: &'s LineIndex,
    next: usize,
}

impl<'s> CommentCursor<'s> {
    pub fn new(source: &'s str, comments: &'s [Comment], lines: &'s LineIndex) -> Self {
        CommentCursor {
            source,
            comments,
            lines,
            next: 0,
        }
    }

    /// Takes the next comment if it starts before `end`.
    pub fn take_before(&mut self, end: u32) -> Option<Comment> {
        let comment = *self.comments.get(self.next)?;
        if comment.span.start >= end {
            return None;
        }
        self.next += 1;
        Some(comment)
    }

    /// Takes the next comment if it starts before `limit` on the line where `after` is.
    pub fn take_trailing(&mut self, after: u32, limit: u32) -> Option<Comment> {
        let comment = *self.comments.get(self.next)?;
        if comment.span.start >= limit || !self.same_line(after, comment.span.start) {
            return None;
        }
        self.next += 1;
        Some(comment)
    }

    /// True when a comment is left that starts before `end`.
    pub fn any_before(&self, end: u32) -> bool {
        self.comments
            .get(self.next)
            .is_some_and(|comment| comment.span.start < end)
    }

    fn same_line(&self, a: u32, b: u32) -> bool {
        self.lines.line_of(a) == self.lines.line_of(b)
    }

    /// True when at least one empty line separates the two offsets in the source.
    pub fn blank_line_between(&self, end: u32, start: u32) -> bool {
        self.lines.line_of(start) >= self.lines.line_of(end) + 2
    }

    pub fn printed(&self, comment: Comment, attached: bool) -> LineComment<'s> {
        let text = self.source.get(comment.span.range()).unwrap_or("//");
        LineComment {
            text: text.trim_end(),
            is_doc: comment.is_doc,
            attached,
        }
    }
}
