//! Completion: the keywords valid where the cursor is, names of the right kind after the
//! keyword that takes them, and IANA zone names inside `timezone "…"`.

use slac_model::{SymbolKind, Workspace};
use slac_source::FileId;
use slac_syntax::{field_usage, fields_of, Node, NodeKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    Reference(SymbolKind),
    TimeZone,
    Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// The byte offset where the word being completed starts: the completion replaces
    /// `start..cursor`.
    pub start: u32,
}

/// The top-level declarations, with how each is written.
const DECLARATIONS: [(&str, &str); 7] = [
    ("party", "`party <id> { … }`"),
    ("service", "`service <id> { … }`"),
    ("holidays", "`holidays <id> { … }`"),
    ("calendar", "`calendar <id> { … }`"),
    ("escalation", "`escalation <id> { level … }`"),
    ("agreement", "`agreement <id> { … }`"),
    ("import", "`import \"relative/path.sla\"`"),
];

/// The innermost node whose `{ … }` holds `offset`.
fn enclosing(nodes: &[Node], offset: u32) -> Option<&Node> {
    for node in nodes {
        if let Some(body) = &node.body {
            let inside = body.open.end <= offset && (offset < body.span.end || !body.closed);
            let inside = inside && (body.closed || offset <= body.span.end.max(node.span.end));
            if inside {
                return Some(enclosing(&body.items, offset).unwrap_or(node));
            }
        }
    }
    None
}

/// The values a field keyword takes, as completion items.
fn values_after(
    keyword: &str,
    container: Option<NodeKind>,
) -> Option<Vec<(&'static str, &'static str)>> {
    Some(match (keyword, container) {
        ("kind", Some(NodeKind::Party)) => vec![
            ("external", "a customer or supplier"),
            ("internal", "a team of the provider"),
        ],
        ("kind", Some(NodeKind::Agreement)) => vec![
            ("customer", "service-level agreement (SLA) with a customer"),
            ("internal", "agreement between departments"),
            (
                "operational",
                "operational-level agreement (OLA) between teams",
            ),
            ("underpinning", "underpinning contract (UC) with a supplier"),
        ],
        ("sli", _) => vec![
            (
                "ratio",
                "share of good events: `sli ratio { errors … total … }`",
            ),
            (
                "latency",
                "share of requests under a threshold: `sli latency { histogram … threshold … }`",
            ),
            ("response_time", "ticket response clock"),
            ("resolution_time", "ticket resolution clock"),
            ("delivery", "recurring deliverable: `due every …`"),
            (
                "satisfaction",
                "survey answers: `sli satisfaction { scale 5 satisfied 4 }`",
            ),
        ],
        ("window", _) => vec![
            ("month", "the calendar month"),
            ("week", "the calendar week"),
            ("quarter", "the calendar quarter"),
            ("year", "the calendar year"),
            ("30d", "a rolling 30 days"),
            ("28d", "a rolling 28 days"),
        ],
        ("language", _) => vec![("fr", "French"), ("en", "English")],
        ("responsibility", _) => vec![
            ("provider", "a duty of the provider"),
            ("customer", "a duty of the customer"),
        ],
        ("review", _) => vec![
            ("monthly", "every month"),
            ("quarterly", "every quarter"),
            ("weekly", "every week"),
            ("yearly", "every year"),
            ("every", "`every <duration>`"),
        ],
        ("per", _) => vec![("month", ""), ("year", ""), ("quarter", ""), ("week", "")],
        _ => return None,
    })
}

/// The kind of name a keyword takes.
fn reference_after(keyword: &str, container: Option<NodeKind>) -> Option<SymbolKind> {
    Some(match (keyword, container) {
        ("calendar", Some(NodeKind::Objective)) => SymbolKind::Calendar,
        ("escalation", Some(NodeKind::Agreement | NodeKind::Objective)) => SymbolKind::Escalation,
        ("notify", _) | ("with", _) => SymbolKind::Contact,
        ("owner", Some(NodeKind::Objective)) => SymbolKind::Contact,
        ("owner", Some(NodeKind::Service)) => SymbolKind::Party,
        ("supports", _) => SymbolKind::Objective,
        ("extends", _) => SymbolKind::Agreement,
        ("provider" | "customer", Some(NodeKind::Agreement)) => SymbolKind::Party,
        ("services", _) => SymbolKind::Service,
        ("closed", Some(NodeKind::Calendar)) => SymbolKind::Holidays,
        ("when", Some(NodeKind::Credit)) => SymbolKind::Objective,
        _ => return None,
    })
}

/// The completions at `offset` of `file`.
pub fn completions(workspace: &Workspace, file: FileId, offset: u32) -> Vec<Completion> {
    let Some(source) = workspace.sources.get(file) else {
        return Vec::new();
    };
    let text = source.text();
    let offset = (offset as usize).min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];

    // `timezone "Eur` → zone names.
    if let Some(rest) = before.trim_start().strip_prefix("timezone") {
        if let Some(prefix) = rest.trim_start().strip_prefix('"') {
            if !prefix.contains('"') {
                let start = (offset - prefix.len()) as u32;
                return chrono_tz::TZ_VARIANTS
                    .iter()
                    .map(|tz| tz.name())
                    .filter(|name| name.starts_with(prefix))
                    .map(|name| Completion {
                        label: name.to_string(),
                        kind: CompletionKind::TimeZone,
                        detail: Some("IANA time zone".to_string()),
                        start,
                    })
                    .collect();
            }
        }
    }

    // The word being typed, and the words before it on the line.
    let word_len = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .map(char::len_utf8)
        .sum::<usize>();
    let prefix = &before[before.len() - word_len..];
    let start = (offset - word_len) as u32;
    let words: Vec<&str> = before[..before.len() - word_len]
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();

    let tree = workspace.trees.get(file.index()).and_then(Option::as_ref);
    let container = tree.and_then(|t| enclosing(&t.items, offset as u32));
    let container_kind = container.map(|n| n.kind);

    if !words.is_empty() {
        // After a keyword that takes a name (the last keyword of the line decides: `level 1 at
        // 50% notify a, b` completes contacts after `notify` and after each comma).
        let keyword = words.iter().rev().copied().find(|w| {
            reference_after(w, container_kind).is_some()
                || values_after(w, container_kind).is_some()
        });
        if let Some(keyword) = keyword {
            if let Some(kind) = reference_after(keyword, container_kind) {
                return names(workspace, kind, keyword, prefix, start);
            }
            if let Some(values) = values_after(keyword, container_kind) {
                if words.last() == Some(&keyword) {
                    return values
                        .into_iter()
                        .filter(|(v, _)| v.starts_with(prefix))
                        .map(|(v, detail)| Completion {
                            label: v.to_string(),
                            kind: CompletionKind::Value,
                            detail: (!detail.is_empty()).then(|| detail.to_string()),
                            start,
                        })
                        .collect();
                }
            }
        }
        // Inside a field's values: nothing sensible to offer.
        return Vec::new();
    }

    // At the start of a line: the keywords valid in the enclosing body.
    // At top level a keyword declares (`calendar <id> { … }`); in a body it is a field
    // (`calendar <calendar>`).
    let keywords: Vec<(&str, Option<&str>)> = match container_kind {
        None => DECLARATIONS
            .iter()
            .map(|&(k, usage)| (k, Some(usage)))
            .collect(),
        Some(kind) => fields_of(kind)
            .iter()
            .map(|&k| (k, field_usage(k)))
            .collect(),
    };
    keywords
        .into_iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(k, usage)| Completion {
            label: k.to_string(),
            kind: CompletionKind::Keyword,
            detail: usage.map(str::to_string),
            start,
        })
        .collect()
}

fn names(
    workspace: &Workspace,
    kind: SymbolKind,
    keyword: &str,
    prefix: &str,
    start: u32,
) -> Vec<Completion> {
    let mut out: Vec<Completion> = Vec::new();
    let mut push = |label: String, detail: Option<String>| {
        if label.starts_with(prefix) {
            out.push(Completion {
                label,
                kind: CompletionKind::Reference(kind),
                detail,
                start,
            });
        }
    };
    if kind == SymbolKind::Calendar {
        push(
            "always".to_string(),
            Some("built-in: open all the time, UTC".to_string()),
        );
    }
    // `when` in a credit names an objective of its own agreement by its local id.
    let local_objectives = keyword == "when";
    for definition in &workspace.symbols.definitions {
        if definition.kind != kind {
            continue;
        }
        let detail = definition
            .doc
            .as_ref()
            .and_then(|d| d.lines().next())
            .map(str::to_string)
            .or_else(|| Some(kind.describe().to_string()));
        if local_objectives {
            if let Some((_, local)) = definition.name.split_once('.') {
                push(local.to_string(), detail);
            }
        } else {
            push(definition.name.clone(), detail);
        }
    }
    // `notify helpdesk` names every contact of a party: parties are offered too.
    if kind == SymbolKind::Contact && keyword != "owner" {
        for definition in &workspace.symbols.definitions {
            if definition.kind == SymbolKind::Party {
                push(
                    definition.name.clone(),
                    Some("every contact of the party".to_string()),
                );
            }
        }
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out.dedup_by(|a, b| a.label == b.label);
    out
}
