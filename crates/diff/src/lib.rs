//! What a change of the sources means for each party. Two checked models, before and after,
//! are compared agreement by agreement (after `extends` is applied, so a change in a parent
//! shows in every child), and each difference of an obligation is stated in words, with whom it
//! is stricter for and the version bump it demands:
//!
//! - **patch**: wording only (titles, descriptions, doc comments, clause texts);
//! - **minor**: tightening or additions (a higher target, a shorter deadline, a new objective,
//!   longer service hours, a new provider duty …);
//! - **major**: loosening or removals (a lower target, a longer deadline, an objective removed,
//!   fewer service hours, a higher fee, a new customer duty …), and changes whose direction
//!   cannot be told (a different window, another provider).
//!
//! Output formats live elsewhere; this crate gives plain, serializable data.

mod compare;
pub mod markdown;

use serde::Serialize;
use slac_diagnostics::{Code, Diagnostic};
use slac_model::model::Version;
use slac_model::Model;

/// How much a change weighs on the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn word(self) -> &'static str {
        match self {
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// For whom a change is worse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    /// More is promised: stricter for the provider.
    StricterForProvider,
    /// Less is promised, or the customer owes more: weaker for the customer.
    WeakerForCustomer,
    /// The words changed, not the obligations.
    Wording,
    /// An obligation changed in a way that is neither plainly stricter nor plainly weaker.
    Changed,
}

impl Impact {
    pub fn words(self) -> &'static str {
        match self {
            Impact::StricterForProvider => "stricter for the provider",
            Impact::WeakerForCustomer => "weaker for the customer",
            Impact::Wording => "wording only",
            Impact::Changed => "changed both ways",
        }
    }
}

/// One difference of one agreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What changed: "objective `response`", "fee", "escalation `standard` level 2".
    pub subject: String,
    /// The change in words: "target 99.5% → 99.9%: error budget 3h36m → 43m12s over 30d".
    pub description: String,
    pub impact: Impact,
    pub bump: Bump,
    /// The change comes from the parent agreement through `extends`.
    pub inherited: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Added,
    Removed,
    Changed,
    Unchanged,
}

/// Whether the version follows the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Nothing to check: new, removed, or unchanged.
    NotNeeded,
    Ok {
        required: Option<Bump>,
    },
    /// The version did not rise as the changes demand.
    TooLow {
        required: Bump,
        /// The changes that demand it.
        because: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgreementReview {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub status: Status,
    pub version_before: Option<String>,
    pub version_after: Option<String>,
    pub changes: Vec<Change>,
    /// The greatest bump of the changes.
    pub required: Option<Bump>,
    pub verdict: Verdict,
    /// Supporting objectives (OLAs, UCs) that no longer support this agreement after the change
    /// (E008 in the new sources).
    pub broken_support: Vec<String>,
}

/// The review of a change: every agreement, in id order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Review {
    pub base: String,
    pub head: String,
    pub agreements: Vec<AgreementReview>,
}

impl Review {
    /// The agreements that changed, were added or removed.
    pub fn touched(&self) -> impl Iterator<Item = &AgreementReview> {
        self.agreements
            .iter()
            .filter(|a| a.status != Status::Unchanged || !a.broken_support.is_empty())
    }

    /// Whether every version follows the policy.
    pub fn versions_ok(&self) -> bool {
        self.agreements
            .iter()
            .all(|a| !matches!(a.verdict, Verdict::TooLow { .. }))
    }
}

/// The bump from one version to another: `None` when it did not rise.
pub fn bump_between(before: Version, after: Version) -> Option<Bump> {
    if after <= before {
        None
    } else if after.major > before.major {
        Some(Bump::Major)
    } else if after.minor > before.minor {
        Some(Bump::Minor)
    } else {
        Some(Bump::Patch)
    }
}

/// The changes of one agreement between two models, in the words of [`review`]; empty when the
/// agreement is missing from either.
pub fn agreement_changes(base: &Model, head: &Model, id: &str) -> Vec<Change> {
    match (base.agreements.get(id), head.agreements.get(id)) {
        (Some(before), Some(after)) => compare::agreement(base, head, before, after),
        _ => Vec::new(),
    }
}

/// Compares two models. `base_diagnostics` and `head_diagnostics` are the old and new sources'
/// diagnostics: the E008s of the new sources that the old ones did not have name the supports
/// the change broke.
pub fn review(
    base_name: &str,
    head_name: &str,
    base: &Model,
    head: &Model,
    base_diagnostics: &[Diagnostic],
    head_diagnostics: &[Diagnostic],
) -> Review {
    let already: Vec<&str> = base_diagnostics
        .iter()
        .filter(|d| d.code == Code::E008)
        .map(|d| d.message.as_str())
        .collect();
    // An E008 stands on the `supports` reference it is about: the supporting agreement and the
    // supported one are read from the model, not from the message.
    let mut broken: Vec<(&str, &str, &str)> = Vec::new();
    for agreement in head.agreements.values() {
        for objective in &agreement.objectives {
            for reference in &objective.supports {
                for d in head_diagnostics.iter().filter(|d| {
                    d.code == Code::E008
                        && d.primary.file == reference.at.file
                        && d.primary.span == reference.at.span
                        && !already.contains(&d.message.as_str())
                }) {
                    broken.push((&agreement.id, &reference.agreement, &d.message));
                }
            }
        }
    }
    let mut ids: Vec<&String> = base
        .agreements
        .keys()
        .chain(head.agreements.keys())
        .collect();
    ids.sort();
    ids.dedup();
    let agreements = ids
        .into_iter()
        .map(|id| {
            let before = base.agreements.get(id);
            let after = head.agreements.get(id);
            let shown = after.or(before);
            let title = shown
                .and_then(|a| a.title.clone())
                .unwrap_or_else(|| id.clone());
            let kind = shown
                .map(|a| format!("{:?}", a.kind).to_lowercase())
                .unwrap_or_default();
            let (status, changes) = match (before, after) {
                (None, Some(_)) => (Status::Added, Vec::new()),
                (Some(_), None) => (Status::Removed, Vec::new()),
                (Some(b), Some(a)) => {
                    let changes = compare::agreement(base, head, b, a);
                    let status = if changes.is_empty() {
                        Status::Unchanged
                    } else {
                        Status::Changed
                    };
                    (status, changes)
                }
                (None, None) => (Status::Unchanged, Vec::new()),
            };
            let required = changes.iter().map(|c| c.bump).max();
            let verdict = match (status, before, after, required) {
                (Status::Changed, Some(b), Some(a), Some(required)) => {
                    match bump_between(b.version, a.version) {
                        Some(done) if done >= required => Verdict::Ok {
                            required: Some(required),
                        },
                        _ => Verdict::TooLow {
                            required,
                            because: changes
                                .iter()
                                .filter(|c| c.bump == required)
                                .map(|c| format!("{}: {}", c.subject, c.description))
                                .collect(),
                        },
                    }
                }
                _ => Verdict::NotNeeded,
            };
            let broken_support = broken
                .iter()
                .filter(|(supporting, supported, _)| supporting == id || supported == id)
                .map(|(_, _, message)| message.to_string())
                .collect();
            AgreementReview {
                id: id.clone(),
                title,
                kind,
                status,
                version_before: before.map(|a| a.version.to_string()),
                version_after: after.map(|a| a.version.to_string()),
                changes,
                required,
                verdict,
                broken_support,
            }
        })
        .collect();
    Review {
        base: base_name.to_string(),
        head: head_name.to_string(),
        agreements,
    }
}
