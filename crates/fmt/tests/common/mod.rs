//! What every formatter test checks, and where the `.sla` files to check are.
//!
//! The formatter is tested twice over (ruff's `ensure_stability_when_formatting_twice` and
//! `ensure_unchanged_ast`): formatting is idempotent, and it changes neither the meaning of the
//! file (the tree without spans and layout) nor its comments.

#![allow(dead_code)] // Each test crate uses its own part of this module.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use slac_source::FileId;
use slac_syntax::{dedent_text_block, unescape, Node, TokenKind};

/// The root of the workspace.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// This crate's own inputs.
pub fn inputs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inputs")
}

/// Every `.sla` file below `dir`, sorted.
pub fn sla_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "sla") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

pub fn parses(source: &str) -> bool {
    !slac_syntax::parse(FileId::new(0), source).has_errors()
}

/// The tree of a file without spans or layout: node kinds, ids, doc texts and token values, with
/// strings and text blocks compared by value.
pub fn tree_dump(source: &str) -> String {
    let parse = slac_syntax::parse(FileId::new(0), source);
    let mut dump = String::new();
    for item in &parse.tree.items {
        dump_node(source, item, 0, &mut dump);
    }
    dump
}

fn dump_node(source: &str, node: &Node, depth: usize, dump: &mut String) {
    let _ = write!(dump, "{}{:?}", "  ".repeat(depth), node.kind);
    if let Some(name) = node.name_text(source) {
        let _ = write!(dump, " id={name}");
    }
    if let Some(doc) = &node.doc {
        let _ = write!(dump, " doc={:?}", doc.text);
    }
    for token in &node.args {
        let text = token.text(source);
        let value = match token.kind {
            TokenKind::String => unescape(text).0,
            TokenKind::TextBlock => dedent_text_block(text),
            _ => text.to_string(),
        };
        let _ = write!(dump, " {:?}({value:?})", token.kind);
    }
    dump.push('\n');
    for item in node.items() {
        dump_node(source, item, depth + 1, dump);
    }
}

/// The comments of a file, in order, as printed (without trailing whitespace).
pub fn comment_texts(source: &str) -> Vec<String> {
    slac_syntax::parse(FileId::new(0), source)
        .tree
        .comments
        .iter()
        .map(|comment| source[comment.span.range()].trim_end().to_string())
        .collect()
}

/// Formats `source` (which must parse) and checks every property of the formatter on it; returns
/// the formatted text.
pub fn check_format(name: &str, source: &str) -> String {
    let formatted = match slac_fmt::format(source) {
        Ok(formatted) => formatted,
        Err(error) => panic!("{name}: {error}: {:?}", error.diagnostics),
    };
    let again = match slac_fmt::format(&formatted) {
        Ok(again) => again,
        Err(error) => panic!(
            "{name}: the formatted text does not parse: {:?}\n{formatted}",
            error.diagnostics
        ),
    };
    assert_eq!(
        again, formatted,
        "{name}: formatting is not idempotent; first pass:\n{formatted}"
    );
    assert_eq!(
        comment_texts(&formatted),
        comment_texts(source),
        "{name}: comments changed:\n{formatted}"
    );
    assert_eq!(
        tree_dump(&formatted),
        tree_dump(source),
        "{name}: the tree changed:\n{formatted}"
    );
    check_layout(name, &formatted);
    formatted
}

/// Layout facts that hold for every formatted file.
fn check_layout(name: &str, formatted: &str) {
    if formatted.is_empty() {
        return;
    }
    assert!(formatted.ends_with('\n'), "{name}: no final newline");
    assert!(
        !formatted.ends_with("\n\n"),
        "{name}: blank line at the end"
    );
    assert!(
        !formatted.starts_with('\n'),
        "{name}: blank line at the start"
    );
    assert!(
        !formatted.contains("\n\n\n"),
        "{name}: two blank lines in a row"
    );
    for (number, line) in formatted.lines().enumerate() {
        assert_eq!(
            line.trim_end(),
            line,
            "{name}: trailing whitespace on line {}",
            number + 1
        );
    }
}
