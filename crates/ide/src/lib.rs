//! What an editor asks of slac, answered in plain data with byte offsets: no LSP types here
//! (the `lsp` crate converts positions and shapes). Every query reads a checked
//! [`Workspace`]: the one `slac check` builds, with the editor's unsaved buffers in place of
//! the files on disk.

mod complete;
mod hover;
mod tokens;

use std::path::{Path, PathBuf};

use slac_model::{Definition, Reference, SymbolKind, Workspace};
use slac_source::{FileId, Span};
use slac_syntax::{Node, NodeKind};

pub use complete::{completions, Completion, CompletionKind};
pub use hover::hover;
pub use tokens::{semantic_tokens, SemanticToken, TokenType, TOKEN_TYPES};

/// A place in a file of the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub file: FileId,
    pub span: Span,
}

/// One replacement in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub path: PathBuf,
    pub file: FileId,
    pub span: Span,
    pub text: String,
}

/// The file id of a path, if the workspace has that file.
pub fn file_of(workspace: &Workspace, path: &Path) -> Option<FileId> {
    workspace.sources.find(path).map(|f| f.id())
}

fn location(workspace: &Workspace, file: FileId, span: Span) -> Option<Location> {
    let source = workspace.sources.get(file)?;
    Some(Location {
        path: source.path().to_path_buf(),
        file,
        span,
    })
}

/// What is under the cursor: a definition or a reference to a name.
#[derive(Debug, Clone, Copy)]
pub enum Target<'w> {
    Definition(&'w Definition),
    Reference(&'w Reference),
}

impl Target<'_> {
    pub fn kind(&self) -> SymbolKind {
        match self {
            Target::Definition(d) => d.kind,
            Target::Reference(r) => r.kind,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Target::Definition(d) => &d.name,
            Target::Reference(r) => &r.name,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Target::Definition(d) => d.at.span,
            Target::Reference(r) => r.at.span,
        }
    }
}

fn touches(span: Span, offset: u32) -> bool {
    span.start <= offset && offset <= span.end
}

/// The definition or reference at `offset` of `file`.
pub fn target_at(workspace: &Workspace, file: FileId, offset: u32) -> Option<Target<'_>> {
    let symbols = &workspace.symbols;
    if let Some(reference) = symbols
        .references
        .iter()
        .find(|r| r.at.file == file && touches(r.at.span, offset))
    {
        return Some(Target::Reference(reference));
    }
    symbols
        .definitions
        .iter()
        .find(|d| d.at.file == file && touches(d.at.span, offset))
        .map(Target::Definition)
}

/// Where the name under the cursor is declared.
pub fn definition(workspace: &Workspace, file: FileId, offset: u32) -> Option<Location> {
    let target = target_at(workspace, file, offset)?;
    let definition = workspace.symbols.definition(target.kind(), target.name())?;
    location(workspace, definition.at.file, definition.at.span)
}

/// Every use of the name under the cursor, across the workspace, in file and position order;
/// with its declaration first when asked.
pub fn references(
    workspace: &Workspace,
    file: FileId,
    offset: u32,
    include_declaration: bool,
) -> Vec<Location> {
    let Some(target) = target_at(workspace, file, offset) else {
        return Vec::new();
    };
    let (kind, name) = (target.kind(), target.name().to_string());
    let mut out = Vec::new();
    if include_declaration {
        if let Some(d) = workspace.symbols.definition(kind, &name) {
            out.extend(location(workspace, d.at.file, d.at.span));
        }
    }
    // A party is also used by `party.contact`, an agreement by `agreement.objective`: those
    // uses are its first segment, as rename edits them.
    let owned = match kind {
        SymbolKind::Party => Some(SymbolKind::Contact),
        SymbolKind::Agreement => Some(SymbolKind::Objective),
        _ => None,
    };
    let mut uses: Vec<(FileId, Span)> = Vec::new();
    for reference in &workspace.symbols.references {
        let (file, span) = (reference.at.file, reference.at.span);
        if reference.kind == kind && reference.name == name {
            uses.push((file, span));
        } else if Some(reference.kind) == owned
            && reference
                .name
                .split_once('.')
                .is_some_and(|(owner, _)| owner == name)
        {
            let written = workspace
                .sources
                .get(file)
                .map(|source| source.slice(span))
                .unwrap_or_default();
            if let Some((prefix, _)) = written.split_once('.') {
                uses.push((
                    file,
                    Span::new(span.start, span.start + prefix.len() as u32),
                ));
            }
        }
    }
    uses.sort_by_key(|(file, span)| (*file, span.start));
    uses.dedup();
    out.extend(
        uses.into_iter()
            .filter_map(|(file, span)| location(workspace, file, span)),
    );
    out
}

/// Whether `name` can be an id: lower-case letters, digits and `_`, not starting with a digit.
pub fn is_valid_id(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The last segment of a dotted name (`oncall` of `helpdesk.oncall`).
fn local(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// The edits that rename the name under the cursor to `new_name` everywhere, or why not.
///
/// Contacts and objectives are renamed by their own id (`oncall`, not `helpdesk.oncall`); a
/// party's or an agreement's new name also goes into the references that name one of its
/// contacts or objectives (`helpdesk.oncall`).
pub fn rename(
    workspace: &Workspace,
    file: FileId,
    offset: u32,
    new_name: &str,
) -> Result<Vec<TextEdit>, String> {
    let target = target_at(workspace, file, offset)
        .ok_or_else(|| "there is no name to rename here".to_string())?;
    let new_name = new_name.trim();
    if !is_valid_id(new_name) {
        return Err(format!(
            "`{new_name}` is not a valid id: use lower-case letters, digits and `_`, starting with a letter or `_`"
        ));
    }
    let kind = target.kind();
    let name = target.name().to_string();
    let definition = workspace.symbols.definition(kind, &name).ok_or_else(|| {
        format!(
            "`{name}` is not declared: there is nothing to rename ({} unknown)",
            kind.describe()
        )
    })?;
    let full_new = match name.rsplit_once('.') {
        Some((prefix, _)) => format!("{prefix}.{new_name}"),
        None => new_name.to_string(),
    };
    if full_new == name {
        return Ok(Vec::new());
    }
    if workspace.symbols.definition(kind, &full_new).is_some() {
        return Err(format!(
            "a {} named `{full_new}` already exists",
            kind.describe()
        ));
    }
    let text_of = |file: FileId, span: Span| -> Option<(PathBuf, String)> {
        let source = workspace.sources.get(file)?;
        Some((source.path().to_path_buf(), source.slice(span).to_string()))
    };
    let mut edits = Vec::new();
    // The declaration: its id token is the local name.
    if let Some((path, _)) = text_of(definition.at.file, definition.at.span) {
        edits.push(TextEdit {
            path,
            file: definition.at.file,
            span: definition.at.span,
            text: new_name.to_string(),
        });
    }
    // Dotted names whose first part is the renamed party or agreement.
    let owner_of = match kind {
        SymbolKind::Party => Some(SymbolKind::Contact),
        SymbolKind::Agreement => Some(SymbolKind::Objective),
        _ => None,
    };
    for reference in &workspace.symbols.references {
        let Some((path, written)) = text_of(reference.at.file, reference.at.span) else {
            continue;
        };
        let span = reference.at.span;
        if reference.kind == kind && reference.name == name {
            // `helpdesk.oncall` → `helpdesk.new`; `oncall` or `helpdesk` alone → `new`.
            let (start, text) = match written.rsplit_once('.') {
                Some((prefix, _)) => (span.start + prefix.len() as u32 + 1, new_name),
                None => (span.start, new_name),
            };
            // A bare party standing for a contact is a use of the party, not of the contact.
            if written.contains('.') || local(&name) == written {
                edits.push(TextEdit {
                    path,
                    file: reference.at.file,
                    span: Span::new(start, span.end),
                    text: text.to_string(),
                });
            }
        } else if Some(reference.kind) == owner_of
            && reference
                .name
                .split_once('.')
                .is_some_and(|(owner, _)| owner == name)
        {
            if let Some((prefix, _)) = written.split_once('.') {
                edits.push(TextEdit {
                    path,
                    file: reference.at.file,
                    span: Span::new(span.start, span.start + prefix.len() as u32),
                    text: new_name.to_string(),
                });
            } else if kind == SymbolKind::Party && written == name {
                // `notify helpdesk`: a bare party standing for its contacts.
                edits.push(TextEdit {
                    path,
                    file: reference.at.file,
                    span,
                    text: new_name.to_string(),
                });
            }
        }
    }
    edits.sort_by_key(|e| (e.file, e.span.start));
    edits.dedup();
    Ok(edits)
}

/// A symbol of a file's outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    /// The keyword of its declaration (`agreement`, `objective`, `contact` …).
    pub kind: &'static str,
    pub detail: Option<String>,
    /// The whole declaration.
    pub span: Span,
    /// Its id.
    pub selection: Span,
    pub children: Vec<DocumentSymbol>,
}

fn outline(node: &Node, text: &str) -> Option<DocumentSymbol> {
    let named =
        node.kind.is_declaration() || matches!(node.kind, NodeKind::Contact | NodeKind::Objective);
    if !named {
        return None;
    }
    let name = node.name?;
    let title = node
        .items()
        .iter()
        .find(|i| matches!(i.kind, NodeKind::Title | NodeKind::Name))
        .and_then(|i| i.args.first())
        .map(|t| t.text(text).trim_matches('"').to_string());
    Some(DocumentSymbol {
        name: name.text(text).to_string(),
        kind: node.kind.keyword(),
        detail: title,
        span: node.span,
        selection: name.span,
        children: node
            .items()
            .iter()
            .filter_map(|item| outline(item, text))
            .collect(),
    })
}

/// The outline of a file: its declarations, with contacts and objectives nested.
pub fn document_symbols(workspace: &Workspace, file: FileId) -> Vec<DocumentSymbol> {
    let (Some(Some(tree)), Some(source)) = (
        workspace.trees.get(file.index()),
        workspace.sources.get(file),
    ) else {
        return Vec::new();
    };
    tree.items
        .iter()
        .filter_map(|node| outline(node, source.text()))
        .collect()
}

/// A symbol of the whole workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub name: String,
    pub kind: SymbolKind,
    pub location: Location,
}

/// The declarations whose name contains every character of `query` in order (case-insensitive),
/// the closest matches first.
pub fn workspace_symbols(workspace: &Workspace, query: &str) -> Vec<WorkspaceSymbol> {
    let query = query.to_lowercase();
    let matches = |name: &str| {
        let mut wanted = query.chars().peekable();
        for c in name.chars() {
            if wanted.peek() == Some(&c) {
                wanted.next();
            }
        }
        wanted.peek().is_none()
    };
    let mut out: Vec<(usize, WorkspaceSymbol)> = workspace
        .symbols
        .definitions
        .iter()
        .filter(|d| matches(&d.name.to_lowercase()))
        .filter_map(|d| {
            let location = location(workspace, d.at.file, d.at.span)?;
            let rank = if d.name.contains(&query) { 0 } else { 1 };
            Some((
                rank,
                WorkspaceSymbol {
                    name: d.name.clone(),
                    kind: d.kind,
                    location,
                },
            ))
        })
        .collect();
    out.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
    out.into_iter().map(|(_, s)| s).take(500).collect()
}

/// A range that can be folded: from the line of `span.start` to the line of `span.end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    pub span: Span,
    pub comment: bool,
}

/// The bodies `{ … }`, text blocks and runs of comment lines of a file.
pub fn folding_ranges(workspace: &Workspace, file: FileId) -> Vec<Fold> {
    let (Some(Some(tree)), Some(source)) = (
        workspace.trees.get(file.index()),
        workspace.sources.get(file),
    ) else {
        return Vec::new();
    };
    let index = source.line_index();
    let multi_line = |span: Span| index.line_of(span.start) < index.line_of(span.end);
    let mut folds = Vec::new();
    tree.walk(|node| {
        if let Some(body) = &node.body {
            if multi_line(body.span) {
                folds.push(Fold {
                    span: Span::new(node.span.start, body.span.end),
                    comment: false,
                });
            }
        }
        for token in &node.args {
            if token.kind == slac_syntax::TokenKind::TextBlock && multi_line(token.span) {
                folds.push(Fold {
                    span: token.span,
                    comment: false,
                });
            }
        }
    });
    // Consecutive comment lines fold together.
    let mut run: Option<Span> = None;
    for comment in &tree.comments {
        match run {
            Some(span) if index.line_of(comment.span.start) == index.line_of(span.end) + 1 => {
                run = Some(Span::new(span.start, comment.span.end));
            }
            _ => {
                if let Some(span) = run.take() {
                    if multi_line(span) {
                        folds.push(Fold {
                            span,
                            comment: true,
                        });
                    }
                }
                run = Some(comment.span);
            }
        }
    }
    if let Some(span) = run {
        if multi_line(span) {
            folds.push(Fold {
                span,
                comment: true,
            });
        }
    }
    folds.sort_by_key(|f| (f.span.start, f.span.end));
    folds
}

/// The whole file in `slac fmt`'s layout, or `None` when it has syntax errors (the formatter
/// never rewrites a file it cannot read whole) or is already formatted.
pub fn format(workspace: &Workspace, file: FileId) -> Option<String> {
    let source = workspace.sources.get(file)?;
    let formatted = slac_fmt::format(source.text()).ok()?;
    (formatted != source.text()).then_some(formatted)
}

/// A quick fix: the diagnostics' "did you mean" replacements that touch `span`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub code: &'static str,
    pub edit: TextEdit,
}

pub fn fixes(workspace: &Workspace, file: FileId, span: Span) -> Vec<Fix> {
    workspace
        .diagnostics
        .iter()
        .filter_map(|d| {
            let fix = d.fix.as_ref()?;
            let overlaps =
                fix.file == file && fix.span.start <= span.end && span.start <= fix.span.end;
            if !overlaps {
                return None;
            }
            let path = workspace.sources.get(fix.file)?.path().to_path_buf();
            Some(Fix {
                title: fix.title.clone(),
                code: d.code.as_str(),
                edit: TextEdit {
                    path,
                    file: fix.file,
                    span: fix.span,
                    text: fix.replacement.clone(),
                },
            })
        })
        .collect()
}
