//! Walks the syntax tree and its comments together and decides the lines of the output.
//!
//! This is where the layout rules live: one field per line, blocks opened on their keyword's
//! line, blank lines kept (at most one) inside bodies and forced between top-level
//! declarations, and every comment kept in order. A comment that stands on its own line stays
//! on its own line before the same item; one that ends a line stays at the end of that line; one
//! written between the tokens of a field or a block header moves to the end of that line (the
//! first one) or to lines of their own right after it (the others). A `///` comment that
//! documents the next node always goes on its own line right before that node.

use slac_source::LineIndex;
use slac_syntax::{Body, Comment, Node, NodeKind, SyntaxTree};

use crate::comments::CommentCursor;
use crate::line::{Line, Role};
use crate::tokens::{node_tokens, token_lines};

pub(crate) struct Printer<'s> {
    source: &'s str,
    comments: CommentCursor<'s>,
    lines: Vec<Line<'s>>,
}

/// Where a printer stands in a sequence of items and own-line comments.
struct Sequence {
    /// End of the last source text printed in this sequence.
    previous_end: u32,
    /// Nothing printed yet in this sequence: no blank line may come first.
    at_start: bool,
    /// The kind of the item just printed, if the last thing printed was an item.
    after_item: Option<NodeKind>,
    /// The top level, where declarations are always separated by a blank line.
    top_level: bool,
}

impl<'s> Printer<'s> {
    pub fn print(source: &'s str, tree: &'s SyntaxTree, lines: &'s LineIndex) -> Vec<Line<'s>> {
        let mut printer = Printer {
            source,
            comments: CommentCursor::new(source, &tree.comments, lines),
            lines: Vec::new(),
        };
        let sequence = Sequence {
            previous_end: 0,
            at_start: true,
            after_item: None,
            top_level: true,
        };
        // Every comment starts before `u32::MAX`, so the top level takes every comment left.
        printer.items(&tree.items, 0, u32::MAX, sequence);
        printer.lines
    }

    /// The items of a body (or of the file) and the own-line comments around them, up to `end`.
    fn items(&mut self, items: &[Node], depth: usize, end: u32, mut sequence: Sequence) {
        for (index, item) in items.iter().enumerate() {
            let documented_from = doc_start(item);
            while let Some(comment) = self.comments.take_before(item.span.start) {
                let attached = comment.span.start >= documented_from;
                self.own_line_comment(comment, depth, Some(item.kind), attached, &mut sequence);
            }
            self.separate(&sequence, Some(item.kind), item.span.start);
            let next = items.get(index + 1);
            let printed = self.node(item, depth, next.map_or(end, doc_start));
            sequence.previous_end = printed.end;
            sequence.at_start = false;
            sequence.after_item = Some(item.kind);
            for comment in printed.overflow {
                // Moved comments stay right after their field; only the blank line that
                // separates top-level declarations may come before them.
                if self.forced_blank(&sequence, next.map(|next| next.kind)) {
                    self.lines.push(Line::blank());
                }
                self.lines
                    .push(Line::comment(depth, self.comments.printed(comment, false)));
                sequence.after_item = None;
            }
        }
        while let Some(comment) = self.comments.take_before(end) {
            self.own_line_comment(comment, depth, None, false, &mut sequence);
        }
    }

    fn own_line_comment(
        &mut self,
        comment: Comment,
        depth: usize,
        next_item: Option<NodeKind>,
        attached: bool,
        sequence: &mut Sequence,
    ) {
        self.separate(sequence, next_item, comment.span.start);
        self.lines.push(Line::comment(
            depth,
            self.comments.printed(comment, attached),
        ));
        sequence.previous_end = comment.span.end;
        sequence.at_start = false;
        sequence.after_item = None;
    }

    /// Prints the blank line that goes before the text starting at `start`, if any: the one
    /// that separates top-level declarations, or one that the source has.
    ///
    /// `next_item` is the item that this text starts or leads to (none for the comments at the
    /// end of a body or file).
    fn separate(&mut self, sequence: &Sequence, next_item: Option<NodeKind>, start: u32) {
        if sequence.at_start {
            return;
        }
        if self.forced_blank(sequence, next_item)
            || self
                .comments
                .blank_line_between(sequence.previous_end, start)
        {
            self.lines.push(Line::blank());
        }
    }

    /// A top-level declaration is followed by a blank line, unless it is an import followed by
    /// another import (or by the end of the file): a group of imports keeps its own spacing.
    fn forced_blank(&self, sequence: &Sequence, next_item: Option<NodeKind>) -> bool {
        match sequence.after_item {
            Some(previous) if sequence.top_level => {
                previous != NodeKind::Import
                    || next_item.is_some_and(|next| next != NodeKind::Import)
            }
            _ => false,
        }
    }

    /// Prints one node; `limit` is where the next node's doc comment starts, which no trailing
    /// comment of this node may take.
    fn node(&mut self, node: &Node, depth: usize, limit: u32) -> Printed {
        match &node.body {
            Some(body) => Printed {
                end: self.block(node, body, depth, limit),
                overflow: Vec::new(),
            },
            None => self.field(node, depth, limit),
        }
    }

    /// A field on one line (or a few, for a text block). The comments written between its
    /// tokens, and the one after it on its last line, follow it: the first one ends its last
    /// line, the others overflow onto lines of their own.
    fn field(&mut self, node: &Node, depth: usize, limit: u32) -> Printed {
        self.lines.extend(token_lines(
            self.source,
            node.kind,
            node_tokens(node),
            depth,
        ));
        let mut end = last_token_end(node);
        let mut following = Vec::new();
        while let Some(comment) = self.comments.take_before(end) {
            following.push(comment);
        }
        if let Some(comment) = self.comments.take_trailing(end, limit) {
            following.push(comment);
            end = comment.span.end;
        }
        let mut following = following.into_iter();
        if let Some(first) = following.next() {
            self.end_line_with(first, depth);
        }
        Printed {
            end,
            overflow: following.collect(),
        }
    }

    fn block(&mut self, node: &Node, body: &Body, depth: usize, limit: u32) -> u32 {
        let close = if body.closed {
            body.span.end.saturating_sub(1)
        } else {
            body.span.end
        };
        let empty = body.items.is_empty() && !self.comments.any_before(close);
        self.lines.extend(token_lines(
            self.source,
            node.kind,
            node_tokens(node),
            depth,
        ));
        if empty {
            self.end_header(" {}", Role::Code);
        } else {
            self.end_header(" {", Role::Open);
            // Comments in the header and after `{`: the first ends the `{` line, the others
            // open the body.
            let mut sequence = Sequence {
                previous_end: body.open.end,
                at_start: true,
                after_item: None,
                top_level: false,
            };
            let first_doc = body.items.first().map_or(close, doc_start);
            let mut first = true;
            while let Some(comment) = self
                .comments
                .take_before(body.open.start)
                .or_else(|| self.comments.take_trailing(body.open.end, first_doc))
            {
                if first {
                    self.end_line_with(comment, depth + 1);
                    first = false;
                } else {
                    self.lines.push(Line::comment(
                        depth + 1,
                        self.comments.printed(comment, false),
                    ));
                    sequence.at_start = false;
                }
                sequence.previous_end = comment.span.end;
            }
            self.items(&body.items, depth + 1, close, sequence);
            self.lines
                .push(Line::code(depth, Role::Close, "}".to_string()));
        }
        match self.comments.take_trailing(body.span.end, limit) {
            Some(comment) => {
                self.end_line_with(comment, depth);
                comment.span.end
            }
            None => body.span.end,
        }
    }

    /// Ends the header line of a block with ` {` (or ` {}` for an empty block).
    fn end_header(&mut self, suffix: &str, role: Role) {
        if let Some(line) = self.lines.last_mut() {
            line.text.push_str(suffix);
            line.role = role;
        }
    }

    /// Makes `comment` the trailing comment of the last line printed (or, should that line
    /// have one already, a line of its own at `depth`).
    fn end_line_with(&mut self, comment: Comment, depth: usize) {
        let printed = self.comments.printed(comment, false);
        match self.lines.last_mut() {
            Some(line) if line.comment.is_none() && line.role != Role::Comment => {
                line.comment = Some(printed);
            }
            _ => self.lines.push(Line::comment(depth, printed)),
        }
    }
}

/// What printing a node leaves to its sequence.
struct Printed {
    /// The end of the source text printed, trailing comment included.
    end: u32,
    /// Comments moved out of the node that go on lines of their own right after it.
    overflow: Vec<Comment>,
}

/// Where the last token of a field ends.
///
/// Taken from the tokens rather than from `node.span`: pest lets the span of a rule that ends
/// with an optional part (`within 1h` without `for`) run over the whitespace and comments after
/// it, and those comments belong after the field, not inside it.
fn last_token_end(node: &Node) -> u32 {
    node.args
        .last()
        .or(node.name.as_ref())
        .map_or(node.keyword.end, |token| token.span.end)
}

/// Where a node starts, its doc comment included.
fn doc_start(node: &Node) -> u32 {
    node.doc
        .as_ref()
        .map_or(node.span.start, |doc| doc.span.start)
}
