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
        printer.items(&tree.items, 0, u32::MAX, sequence);
        while let Some(comment) = printer.comments.take_rest() {
            // Unreachable for a tree from the parser (every comment lies before `u32::MAX`), but a
            // comment is never dropped.
            printer
                .lines
                .push(Line::comment(0, printer.comments.printed(comment, false)));
        }
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
            let limit = items.get(index + 1).map_or(end, doc_start);
            sequence.previous_end = self.node(item, depth, limit);
            sequence.at_start = false;
            sequence.after_item = Some(item.kind);
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

    /// Prints the blank line that goes before the text starting at `start`, if any.
    ///
    /// `next_item` is the item that this text starts or leads to (none for the comments at the
    /// end of a body or file).
    fn separate(&mut self, sequence: &Sequence, next_item: Option<NodeKind>, start: u32) {
        if sequence.at_start {
            return;
        }
        let forced = match sequence.after_item {
            Some(previous) if sequence.top_level => {
                // Consecutive imports form a group that keeps its own spacing.
                let imports = previous == NodeKind::Import
                    && next_item.is_none_or(|next| next == NodeKind::Import);
                !imports
            }
            _ => false,
        };
        if forced
            || self
                .comments
                .blank_line_between(sequence.previous_end, start)
        {
            self.lines.push(Line::blank());
        }
    }

    /// Prints one node; `limit` is where the next node's doc comment starts, which no trailing
    /// comment of this node may take. Returns the end of the source text printed.
    fn node(&mut self, node: &Node, depth: usize, limit: u32) -> u32 {
        match &node.body {
            Some(body) => self.block(node, body, depth, limit),
            None => self.field(node, depth, limit),
        }
    }

    fn field(&mut self, node: &Node, depth: usize, limit: u32) -> u32 {
        self.lines.extend(token_lines(
            self.source,
            node.kind,
            node_tokens(node),
            depth,
        ));
        let mut placed = 0;
        while let Some(comment) = self.comments.take_before(node.span.end) {
            self.after_line(comment, depth, &mut placed);
        }
        match self.comments.take_trailing(node.span.end, limit) {
            Some(comment) => {
                self.after_line(comment, depth, &mut placed);
                comment.span.end
            }
            None => node.span.end,
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
            let mut placed = 0;
            let mut previous_end = body.open.end;
            while let Some(comment) = self.comments.take_before(body.open.start) {
                self.after_line(comment, depth + 1, &mut placed);
                previous_end = comment.span.end;
            }
            let first_doc = body.items.first().map_or(close, doc_start);
            if let Some(comment) = self.comments.take_trailing(body.open.end, first_doc) {
                self.after_line(comment, depth + 1, &mut placed);
                previous_end = comment.span.end;
            }
            let sequence = Sequence {
                previous_end,
                // Only comments that went on lines of their own count as printed in the body.
                at_start: placed <= 1,
                after_item: None,
                top_level: false,
            };
            self.items(&body.items, depth + 1, close, sequence);
            self.lines
                .push(Line::code(depth, Role::Close, "}".to_string()));
        }
        let mut placed = 0;
        match self.comments.take_trailing(body.span.end, limit) {
            Some(comment) => {
                self.after_line(comment, depth, &mut placed);
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

    /// Places a comment that follows the line just printed: the first one (`placed == 0`) ends
    /// that line, the next ones go on lines of their own at `depth`.
    fn after_line(&mut self, comment: Comment, depth: usize, placed: &mut usize) {
        let printed = self.comments.printed(comment, false);
        match self.lines.last_mut() {
            Some(line) if *placed == 0 && line.comment.is_none() => line.comment = Some(printed),
            _ => self.lines.push(Line::comment(depth, printed)),
        }
        *placed += 1;
    }
}

/// Where a node starts, its doc comment included.
fn doc_start(node: &Node) -> u32 {
    node.doc
        .as_ref()
        .map_or(node.span.start, |doc| doc.span.start)
}
