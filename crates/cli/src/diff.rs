//! `slac diff BASE [HEAD]` and `slac log AGREEMENT[.OBJECTIVE]`: the workspace read at git
//! revisions (HEAD defaults to the working tree), compared agreement by agreement.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use slac_diff::{Impact, Review, Status, Verdict};
use slac_git::Repo;
use slac_model::Workspace;

use crate::args::{DiffArgs, DiffFormat, LogArgs};
use crate::{render, Outcome};

fn options() -> Result<slac_model::Options, String> {
    Ok(slac_model::Options {
        today: slac_model::today_from_env()?,
    })
}

/// The workspace folder the command works on.
fn folder(workspace: &Option<PathBuf>) -> PathBuf {
    workspace.clone().unwrap_or_else(|| PathBuf::from("."))
}

fn load_at(repo: &Repo, rev: &str, path: &Path) -> Result<Workspace, String> {
    let commit = repo.resolve(rev).map_err(|e| e.to_string())?;
    repo.workspace_at(&commit, path, &options()?)
        .map_err(|e| e.to_string())
}

pub fn run(args: &DiffArgs) -> Outcome {
    let path = folder(&args.workspace);
    let repo = match Repo::discover(&path) {
        Ok(repo) => repo,
        Err(error) => return Outcome::Environment(error.to_string()),
    };
    let base = match load_at(&repo, &args.base, &path) {
        Ok(workspace) => workspace,
        Err(message) => return Outcome::Environment(message),
    };
    let (head, head_name) = match &args.head {
        Some(rev) => match load_at(&repo, rev, &path) {
            Ok(workspace) => (workspace, rev.clone()),
            Err(message) => return Outcome::Environment(message),
        },
        None => {
            let options = match options() {
                Ok(options) => options,
                Err(message) => return Outcome::Environment(message),
            };
            match slac_model::load(&path, &options) {
                Ok(workspace) => (workspace, "working tree".to_string()),
                Err(error) => return Outcome::Environment(crate::check::explain_load(&error)),
            }
        }
    };
    // A support broken by the change (E008) is part of the review; any other error leaves the
    // model incomplete, and a review of it would mislead.
    let blocking: Vec<slac_diagnostics::Diagnostic> = head
        .diagnostics
        .iter()
        .filter(|d| {
            d.severity() == slac_diagnostics::Severity::Error
                && d.code != slac_diagnostics::Code::E008
        })
        .cloned()
        .collect();
    if !blocking.is_empty() {
        render::human(&blocking, &head.sources);
        let place = if args.head.is_some() {
            format!("at {head_name}")
        } else {
            "in the working tree".to_string()
        };
        crate::ui::tell!("error: the sources {place} have errors: fix them to review the change");
        return Outcome::InputErrors;
    }
    let review = slac_diff::review(
        &args.base,
        &head_name,
        &base.model,
        &head.model,
        &base.diagnostics,
        &head.diagnostics,
    );
    let text = match args.format {
        DiffFormat::Markdown => slac_diff::markdown::render(&review),
        DiffFormat::Json => match serde_json::to_string_pretty(&review) {
            Ok(json) => format!("{json}\n"),
            Err(error) => return Outcome::Environment(error.to_string()),
        },
        DiffFormat::Human => human(&review, render::use_colour(std::io::stdout().is_terminal())),
    };
    let _ = std::io::stdout().write_all(text.as_bytes());
    if args.check_version && !review.versions_ok() {
        for a in &review.agreements {
            if let Verdict::TooLow { required, because } = &a.verdict {
                crate::ui::tell!(
                    "error: `{}` changed but its version went {} → {}: a {} bump is needed because of:",
                    a.id,
                    a.version_before.clone().unwrap_or_default(),
                    a.version_after.clone().unwrap_or_default(),
                    required.word()
                );
                for line in because {
                    crate::ui::tell!("  - {line}");
                }
            }
        }
        return Outcome::InputErrors;
    }
    Outcome::Success
}

/// The review for a terminal: one block per agreement, colours only on a terminal.
fn human(review: &Review, colour: bool) -> String {
    let paint = |code: &str, text: &str| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    // Text from the contracts and the command line, escaped before slac's colours are added.
    let shown = |text: &str| crate::ui::shown(text).into_owned();
    let mut out = String::new();
    let touched: Vec<_> = review.touched().collect();
    if touched.is_empty() {
        out.push_str(&format!(
            "no agreement's obligations changed between {} and {}\n",
            shown(&review.base),
            shown(&review.head)
        ));
        return out;
    }
    for a in touched {
        let status = match a.status {
            Status::Added => paint("32", "added"),
            Status::Removed => paint("31", "removed"),
            _ => paint("33", "changed"),
        };
        out.push_str(&format!(
            "{} `{}` ({}): {status}\n",
            shown(&a.title),
            a.id,
            a.kind
        ));
        for change in &a.changes {
            let mark = match change.impact {
                Impact::StricterForProvider => paint("32", "+ stricter for the provider"),
                Impact::WeakerForCustomer => paint("31", "- weaker for the customer"),
                Impact::Changed => paint("33", "~ changed both ways"),
                Impact::Wording => paint("2", "  wording"),
            };
            out.push_str(&format!(
                "  {mark}: {}: {}{}\n",
                shown(&change.subject),
                shown(&change.description),
                if change.inherited { " (inherited)" } else { "" }
            ));
        }
        for message in &a.broken_support {
            out.push_str(&format!("  {}: {}\n", paint("31", "E008"), shown(message)));
        }
        match &a.verdict {
            Verdict::TooLow { required, .. } => out.push_str(&format!(
                "  version {} → {}: {}\n",
                shown(a.version_before.as_deref().unwrap_or_default()),
                shown(a.version_after.as_deref().unwrap_or_default()),
                paint("31", &format!("needs a {} bump", required.word()))
            )),
            Verdict::Ok {
                required: Some(required),
            } => out.push_str(&format!(
                "  version {} → {}: {} bump or more, as needed\n",
                shown(a.version_before.as_deref().unwrap_or_default()),
                shown(a.version_after.as_deref().unwrap_or_default()),
                required.word()
            )),
            _ => {}
        }
        out.push('\n');
    }
    out
}

/// `slac log`: each commit that changed the agreement's obligations, with the changes in the
/// words of `slac diff`.
pub fn log(args: &LogArgs) -> Outcome {
    let path = folder(&args.workspace);
    let (agreement, objective_id, objective) = match args.subject.split_once('.') {
        Some((a, o)) => (
            a.to_string(),
            Some(o.to_string()),
            Some(format!("objective `{o}`")),
        ),
        None => (args.subject.clone(), None, None),
    };
    let mut objective_known = objective_id.is_none();
    let repo = match Repo::discover(&path) {
        Ok(repo) => repo,
        Err(error) => return Outcome::Environment(error.to_string()),
    };
    let options = match options() {
        Ok(options) => options,
        Err(message) => return Outcome::Environment(message),
    };
    let entries = match repo.log(std::slice::from_ref(&path)) {
        Ok(entries) => entries,
        Err(error) => return Outcome::Environment(error.to_string()),
    };
    // Oldest first, so that each commit is compared with the one before it; each block is the
    // commit's header and its change lines.
    let mut previous: Option<slac_model::Model> = None;
    let mut blocks: Vec<Vec<String>> = Vec::new();
    let mut known = false;
    for entry in entries.iter().rev() {
        let model = match repo.workspace_at(&entry.commit, &path, &options) {
            Ok(workspace) => workspace.model,
            Err(error) => {
                crate::ui::warning!("commit {} left out: {error}", entry.short_id);
                continue;
            }
        };
        let now = model.agreements.get(&agreement);
        known |= now.is_some();
        if let Some(id) = &objective_id {
            objective_known |= now.and_then(|a| a.objective(id)).is_some();
        }
        let before = previous.as_ref().and_then(|m| m.agreements.get(&agreement));
        let header = |version: Option<String>| {
            format!(
                "{} {} {}{}",
                entry.date,
                entry.short_id,
                version.map(|v| format!("v{v} ")).unwrap_or_default(),
                entry.subject
            )
        };
        match (before, now, &previous) {
            (None, Some(a), _) => blocks.push(vec![
                header(Some(a.version.to_string())),
                "  added".to_string(),
            ]),
            (Some(_), None, _) => blocks.push(vec![header(None), "  removed".to_string()]),
            (Some(_), Some(a), Some(base)) => {
                let lines: Vec<String> = slac_diff::agreement_changes(base, &model, &agreement)
                    .iter()
                    .filter(|c| objective.as_ref().is_none_or(|o| &c.subject == o))
                    .map(|c| {
                        format!(
                            "  {}: {}: {} ({})",
                            c.subject,
                            c.description,
                            c.impact.words(),
                            c.bump.word()
                        )
                    })
                    .collect();
                if !lines.is_empty() {
                    let mut block = vec![header(Some(a.version.to_string()))];
                    block.extend(lines);
                    blocks.push(block);
                }
            }
            _ => {}
        }
        previous = Some(model);
    }
    if !known {
        return Outcome::Environment(format!(
            "no commit of {} has an agreement `{agreement}`",
            path.display()
        ));
    }
    if !objective_known {
        return Outcome::Environment(format!(
            "no commit of {} has an objective `{}` in `{agreement}`",
            path.display(),
            args.subject
        ));
    }
    // Newest first, as git log.
    let mut out = String::new();
    for line in blocks.iter().rev().flatten() {
        out.push_str(line);
        out.push('\n');
    }
    let _ = std::io::stdout().write_all(crate::ui::shown(&out).as_bytes());
    Outcome::Success
}
