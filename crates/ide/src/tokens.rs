//! Semantic tokens: the class of every token of a file, from the syntax tree, so that an editor
//! colours a word by what it is where it is (`target` is a keyword as a field, an id elsewhere).

use slac_model::Workspace;
use slac_source::{FileId, Span};
use slac_syntax::{Node, NodeKind, TokenKind};

/// The token types, in the order of the legend the server announces.
pub const TOKEN_TYPES: [&str; 10] = [
    "keyword",
    "type",
    "property",
    "variable",
    "string",
    "number",
    "comment",
    "operator",
    "enumMember",
    "parameter",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenType {
    Keyword = 0,
    /// The id of a top-level declaration.
    Type = 1,
    /// The id of a contact or an objective.
    Property = 2,
    /// A reference to a name.
    Variable = 3,
    String = 4,
    Number = 5,
    Comment = 6,
    Operator = 7,
    /// A word from a fixed set (`customer`, `mon-fri`, `ratio`).
    EnumMember = 8,
    /// A condition's attribute or value (`priority = P1`).
    Parameter = 9,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SemanticToken {
    pub span: Span,
    pub ty: TokenType,
    /// A doc comment (`///`): the `documentation` modifier.
    pub documentation: bool,
}

fn node_tokens(node: &Node, out: &mut Vec<SemanticToken>) {
    let token = |span: Span, ty: TokenType| SemanticToken {
        span,
        ty,
        documentation: false,
    };
    if node.kind != NodeKind::Error && !node.keyword.is_empty() {
        out.push(token(node.keyword, TokenType::Keyword));
    }
    if let Some(name) = node.name {
        let ty = if node.kind.is_declaration() {
            TokenType::Type
        } else {
            TokenType::Property
        };
        out.push(token(name.span, ty));
    }
    for arg in &node.args {
        let ty = match arg.kind {
            TokenKind::Keyword => TokenType::Keyword,
            TokenKind::Ident | TokenKind::Reference => TokenType::Variable,
            TokenKind::Word | TokenKind::WeekdaySet => {
                if node.kind == NodeKind::Within {
                    TokenType::Parameter
                } else {
                    TokenType::EnumMember
                }
            }
            TokenKind::String | TokenKind::TextBlock => TokenType::String,
            TokenKind::Int
            | TokenKind::SignedInt
            | TokenKind::Percent
            | TokenKind::Decimal
            | TokenKind::Currency
            | TokenKind::Duration
            | TokenKind::Date
            | TokenKind::AnnualDate
            | TokenKind::Time
            | TokenKind::TimeRange
            | TokenKind::Version => TokenType::Number,
            TokenKind::Comma | TokenKind::Eq => TokenType::Operator,
        };
        out.push(token(arg.span, ty));
    }
    for item in node.items() {
        node_tokens(item, out);
    }
}

/// Every classified token of the file, in source order, without overlaps.
pub fn semantic_tokens(workspace: &Workspace, file: FileId) -> Vec<SemanticToken> {
    let Some(Some(tree)) = workspace.trees.get(file.index()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for node in &tree.items {
        node_tokens(node, &mut out);
    }
    out.extend(tree.comments.iter().map(|c| SemanticToken {
        span: c.span,
        ty: TokenType::Comment,
        documentation: c.is_doc,
    }));
    out.retain(|t| !t.span.is_empty());
    out.sort_by_key(|t| (t.span.start, t.span.end));
    // A token inside the previous one (never expected) is dropped rather than sent overlapping.
    let mut kept: Vec<SemanticToken> = Vec::with_capacity(out.len());
    for token in out {
        if kept
            .last()
            .is_none_or(|last| token.span.start >= last.span.end)
        {
            kept.push(token);
        }
    }
    kept
}
