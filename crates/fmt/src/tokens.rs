//! Joins the tokens of one node into lines.
//!
//! Tokens are printed with their source text, so no value is ever rewritten: one space between
//! tokens, none before a comma. A multi-line text block is the only token that spans lines: its
//! opening `"""` stays on the field's line, its content is re-indented one level deeper, and its
//! closing `"""` goes on a line of its own at the field's depth, where the field continues.

use slac_syntax::{dedent_text_block, Node, NodeKind, Token, TokenKind};

use crate::line::{Column, Line, Role};

const TEXT_BLOCK_QUOTES: &str = "\"\"\"";

/// The tokens of a node before its body, in source order: keyword, id, values.
pub(crate) fn node_tokens(node: &Node) -> impl Iterator<Item = Token> + '_ {
    let keyword = Token {
        kind: TokenKind::Keyword,
        span: node.keyword,
    };
    std::iter::once(keyword)
        .chain(node.name)
        .chain(node.args.iter().copied())
}

/// Fields whose second value starts a column that lines up across consecutive fields.
fn aligned_kind(kind: NodeKind) -> bool {
    matches!(kind, NodeKind::Within | NodeKind::Easter)
}

/// The lines of a node's tokens at `depth`. The last line is the one that ends the tokens; it is
/// a [`Role::Field`] when the whole node fits on one line, else a [`Role::Code`] line.
pub(crate) fn token_lines<'s>(
    source: &str,
    kind: NodeKind,
    tokens: impl Iterator<Item = Token>,
    depth: usize,
) -> Vec<Line<'s>> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut column = aligned_kind(kind).then_some(Column { kind, at: None });
    for (index, token) in tokens.enumerate() {
        let text = token.text(source);
        if index > 0 && token.kind != TokenKind::Comma {
            current.push(' ');
        }
        if index == 2 {
            if let Some(column) = column.as_mut() {
                column.at = Some(current.len());
            }
        }
        if token.kind == TokenKind::TextBlock && text.contains('\n') {
            current.push_str(TEXT_BLOCK_QUOTES);
            lines.push(Line::code(depth, Role::Code, std::mem::take(&mut current)));
            push_text_block_content(&mut lines, text, depth + 1);
            current.push_str(TEXT_BLOCK_QUOTES);
        } else {
            current.push_str(text);
        }
    }
    let role = if lines.is_empty() {
        Role::Field(column)
    } else {
        Role::Code
    };
    lines.push(Line::code(depth, role, current));
    lines
}

/// The content of a multi-line text block, one line per line of its value. Every line gets the
/// same indentation and the value's own common indentation is zero, so the value the parser
/// reads back (common indentation removed) is the value that was written.
fn push_text_block_content(lines: &mut Vec<Line<'_>>, raw: &str, depth: usize) {
    let value = dedent_text_block(raw);
    if value.is_empty() {
        return;
    }
    for content in value.split('\n') {
        lines.push(Line::code(depth, Role::Verbatim, content.to_string()));
    }
}
