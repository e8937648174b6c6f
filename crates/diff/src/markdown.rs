//! The review as Markdown: a pull-request comment a contract manager reads without knowing the
//! syntax. A summary table, a section per agreement, the version verdict, details folded.

use std::fmt::Write as _;

use slac_escape::markdown::{self, cell, code};

use crate::{Impact, Review, Status, Verdict};

fn status_words(status: Status) -> &'static str {
    match status {
        Status::Added => "new agreement",
        Status::Removed => "removed",
        Status::Changed => "changed",
        Status::Unchanged => "unchanged",
    }
}

fn verdict_words(verdict: &Verdict) -> String {
    match verdict {
        Verdict::NotNeeded => "—".to_string(),
        Verdict::Ok { required: Some(b) } => format!("✅ {} bump or more: done", b.word()),
        Verdict::Ok { required: None } => "✅".to_string(),
        Verdict::TooLow { required, .. } => format!("❌ needs a {} bump", required.word()),
    }
}

/// Text slac wrote about a change, quoting identifiers in backticks and holding values from
/// the contract (holiday names, contacts, owners): identifiers stay code, the rest is escaped.
fn words(text: &str) -> String {
    markdown::inline_keeping_code(text, false)
}

pub fn render(review: &Review) -> String {
    let mut out = String::new();
    let touched: Vec<_> = review.touched().collect();
    let _ = writeln!(
        out,
        "## Contract review: {} → {}\n",
        code(&review.base),
        code(&review.head)
    );
    if touched.is_empty() {
        out.push_str("No agreement's obligations changed.\n");
        return out;
    }
    out.push_str("| agreement | change | stricter for the provider | weaker for the customer | both ways | version | verdict |\n");
    out.push_str("|---|---|---:|---:|---:|---|---|\n");
    for a in &touched {
        let stricter = a
            .changes
            .iter()
            .filter(|c| c.impact == Impact::StricterForProvider)
            .count();
        let weaker = a
            .changes
            .iter()
            .filter(|c| c.impact == Impact::WeakerForCustomer)
            .count();
        let both = a
            .changes
            .iter()
            .filter(|c| c.impact == Impact::Changed)
            .count();
        let change = if a.status == Status::Unchanged && !a.broken_support.is_empty() {
            "⚠ underpinning broken".to_string()
        } else if !a.broken_support.is_empty() {
            format!("{}, ⚠ underpinning broken", status_words(a.status))
        } else {
            status_words(a.status).to_string()
        };
        let version = match (&a.version_before, &a.version_after) {
            (Some(b), Some(n)) if b != n => format!("{b} → {n}"),
            (Some(b), Some(_)) => b.clone(),
            (None, Some(n)) => n.clone(),
            (Some(b), None) => b.clone(),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            out,
            "| {} ({}) | {change} | {stricter} | {weaker} | {both} | {} | {} |",
            cell(&a.title),
            code(&a.id),
            cell(&version),
            verdict_words(&a.verdict)
        );
    }
    for a in touched {
        let _ = writeln!(
            out,
            "\n### {} ({})\n",
            markdown::inline(&a.title),
            code(&a.id)
        );
        match a.status {
            Status::Added => {
                let _ = writeln!(
                    out,
                    "New {} agreement, version {}.",
                    a.kind,
                    markdown::inline(a.version_after.as_deref().unwrap_or_default())
                );
            }
            Status::Removed => {
                let _ = writeln!(
                    out,
                    "Removed (was version {}): every obligation it held is gone.",
                    markdown::inline(a.version_before.as_deref().unwrap_or_default())
                );
            }
            _ => {}
        }
        for (impact, heading) in [
            (Impact::StricterForProvider, "Stricter for the provider"),
            (Impact::WeakerForCustomer, "Weaker for the customer"),
            (Impact::Changed, "Changed both ways (read them)"),
            (Impact::Wording, "Wording"),
        ] {
            let changes: Vec<_> = a.changes.iter().filter(|c| c.impact == impact).collect();
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "**{heading}**\n");
            for c in changes {
                let _ = writeln!(
                    out,
                    "- {}: {}{}",
                    words(&c.subject),
                    words(&c.description),
                    if c.inherited {
                        " (inherited from the parent agreement)"
                    } else {
                        ""
                    }
                );
            }
            out.push('\n');
        }
        if !a.broken_support.is_empty() {
            out.push_str("**Underpinning broken** (E008):\n\n");
            for message in &a.broken_support {
                let _ = writeln!(out, "- {}", words(message));
            }
            out.push('\n');
        }
        match &a.verdict {
            Verdict::TooLow { required, because } => {
                let _ = writeln!(
                    out,
                    "**Version**: {} → {} does not follow the policy: these changes need a {} bump.\n",
                    markdown::inline(a.version_before.as_deref().unwrap_or_default()),
                    markdown::inline(a.version_after.as_deref().unwrap_or_default()),
                    required.word()
                );
                out.push_str("<details><summary>Changes that demand it</summary>\n\n");
                for line in because {
                    let _ = writeln!(out, "- {}", words(line));
                }
                out.push_str("\n</details>\n");
            }
            Verdict::Ok {
                required: Some(required),
            } => {
                let _ = writeln!(
                    out,
                    "**Version**: {} → {}, a {} bump or more, as the changes need.",
                    markdown::inline(a.version_before.as_deref().unwrap_or_default()),
                    markdown::inline(a.version_after.as_deref().unwrap_or_default()),
                    required.word()
                );
            }
            _ => {}
        }
    }
    out
}
