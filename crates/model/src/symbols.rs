//! Definitions and references by name: what resolution checks, and what an editor needs for
//! go-to-definition, find-references and rename.

use serde::Serialize;

use crate::model::At;

/// The kinds of names of the language. Each kind is its own namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolKind {
    Party,
    /// `party.contact`.
    Contact,
    Service,
    Holidays,
    Calendar,
    Escalation,
    Agreement,
    /// `agreement.objective`.
    Objective,
}

impl SymbolKind {
    pub fn describe(self) -> &'static str {
        match self {
            SymbolKind::Party => "party",
            SymbolKind::Contact => "contact",
            SymbolKind::Service => "service",
            SymbolKind::Holidays => "holidays set",
            SymbolKind::Calendar => "calendar",
            SymbolKind::Escalation => "escalation policy",
            SymbolKind::Agreement => "agreement",
            SymbolKind::Objective => "objective",
        }
    }
}

/// A declared name. Contacts are named `party.contact`, objectives `agreement.objective`.
#[derive(Debug, Clone, Serialize)]
pub struct Definition {
    pub kind: SymbolKind,
    pub name: String,
    /// The id where it is declared.
    #[serde(skip)]
    pub at: At,
    /// The whole declaration.
    #[serde(skip)]
    pub declaration: At,
    pub doc: Option<String>,
}

/// A use of a name. `name` is the full name it resolves to (`helpdesk.oncall`,
/// `acme_printers.response`), also for a credit's `when response`, which names an objective of
/// its own agreement.
#[derive(Debug, Clone, Serialize)]
pub struct Reference {
    pub kind: SymbolKind,
    pub name: String,
    #[serde(skip)]
    pub at: At,
    /// The text as written, when it differs from `name` (a credit's local objective id, or a
    /// bare party standing for any of its contacts).
    pub written: Option<String>,
}

/// Every definition and reference of the workspace.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Symbols {
    pub definitions: Vec<Definition>,
    pub references: Vec<Reference>,
}

impl Symbols {
    pub fn definition(&self, kind: SymbolKind, name: &str) -> Option<&Definition> {
        self.definitions
            .iter()
            .find(|d| d.kind == kind && d.name == name)
    }
}
