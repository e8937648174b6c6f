//! The report as Markdown: for a service review meeting or a pull request, readable without
//! knowing the syntax.

use std::fmt::Write as _;

use slac_calendar::Duration;

use crate::{Report, Status};

pub(crate) fn clock(seconds: i64) -> String {
    if seconds <= 0 {
        return "0s".into();
    }
    Duration::Millis(seconds as u64 * 1000).to_string()
}

pub(crate) fn percent(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

fn status(status: Status) -> &'static str {
    match status {
        Status::Met => "✅ met",
        Status::Missed => "❌ missed",
        Status::NoData => "no data",
        Status::NotMeasured => "not measured (monitoring data)",
    }
}

pub(crate) fn instant(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Service review: {}\n", report.period);
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{} file(s), {} line(s) read, {} event(s) used, {} bad line(s), {} outside the period.\n",
        s.files, s.lines, s.events, s.bad_lines, s.outside_period
    );
    for agreement in &report.agreements {
        let _ = writeln!(
            out,
            "## {} (`{}`)\n",
            cell(agreement.title.as_deref().unwrap_or(&agreement.id)),
            agreement.id
        );
        if agreement.watermelon {
            out.push_str(
                "> ⚠ Watermelon effect: the technical objectives are met but satisfaction is missed.\n\n",
            );
        }
        for warning in &agreement.warnings {
            let _ = writeln!(out, "> {}\n", cell(warning));
        }
        out.push_str("| objective | measured | target | status | counted | breached | pending | unmatched |\n");
        out.push_str("|---|---:|---:|---|---:|---:|---:|---:|\n");
        for o in &agreement.objectives {
            let _ = writeln!(
                out,
                "| {} (`{}`) | {} | {} | {} | {} | {} | {} | {} |",
                cell(o.title.as_deref().unwrap_or(&o.id)),
                o.id,
                o.measured.map_or("—".to_string(), percent),
                percent(o.target),
                status(o.status),
                o.counts.good + o.counts.bad,
                o.counts.bad,
                o.counts.pending,
                o.counts.unmatched
            );
        }
        for o in &agreement.objectives {
            if o.breaches.is_empty()
                && o.pending.is_empty()
                && o.unmatched.is_empty()
                && o.escalations.is_empty()
                && o.deliveries.iter().all(|d| d.met)
            {
                continue;
            }
            let _ = writeln!(out, "\n### {}\n", cell(o.title.as_deref().unwrap_or(&o.id)));
            if !o.breaches.is_empty() {
                out.push_str("Breached:\n\n| ticket | case | allowed | opened | due | late (open time) | late (wall time) |\n|---|---|---|---|---|---:|---:|\n");
                for b in &o.breaches {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} | {} | {} |",
                        cell(&b.ticket),
                        cell(&b.case),
                        b.within,
                        instant(b.opened),
                        instant(b.due),
                        clock(b.late_open_seconds),
                        clock(b.late_wall_seconds)
                    );
                }
                out.push('\n');
            }
            if !o.pending.is_empty() {
                let list: Vec<String> = o.pending.iter().map(|p| cell(&p.ticket)).collect();
                let _ = writeln!(
                    out,
                    "Pending at the end of the period: {}.\n",
                    list.join(", ")
                );
            }
            if !o.unmatched.is_empty() {
                let list: Vec<String> = o.unmatched.iter().map(|t| cell(t)).collect();
                let _ = writeln!(
                    out,
                    "Matching no case (not counted): {}.\n",
                    list.join(", ")
                );
            }
            if !o.escalations.is_empty() {
                out.push_str("Escalations that would have fired:\n\n");
                for e in &o.escalations {
                    for level in &e.levels {
                        let _ = writeln!(
                            out,
                            "- {}: level {} at {}, told {}",
                            cell(&e.ticket),
                            level.level,
                            instant(level.at),
                            level.notify.join(", ")
                        );
                    }
                }
                out.push('\n');
            }
            let missed: Vec<String> = o
                .deliveries
                .iter()
                .filter(|d| !d.met)
                .map(|d| instant(d.due))
                .collect();
            if !missed.is_empty() {
                let _ = writeln!(out, "Deliveries missed: {}.\n", missed.join(", "));
            }
        }
        if let Some(credit) = &agreement.credit {
            out.push_str("\n**Service credits**: ");
            if credit.tiers.is_empty() {
                out.push_str("none owed.\n");
            } else {
                let tiers: Vec<String> = credit
                    .tiers
                    .iter()
                    .map(|t| {
                        format!(
                            "`{}` at {} (below {}): {}",
                            t.objective,
                            percent(t.measured),
                            percent(t.below),
                            percent(t.refund)
                        )
                    })
                    .collect();
                let _ = write!(out, "{}", tiers.join("; "));
                if let Some(cap) = credit.cap_percent {
                    let _ = write!(out, "; capped at {}", percent(cap));
                }
                let _ = write!(out, " → {} of the period's fee", percent(credit.percent));
                if let (Some(amount), Some(currency), Some(fee)) =
                    (&credit.amount, &credit.currency, &credit.period_fee)
                {
                    let _ = write!(out, " ({fee} {currency}): **{amount} {currency}**");
                }
                out.push_str(".\n");
            }
        }
        out.push('\n');
    }
    if !report.bad_lines.is_empty() {
        out.push_str("## Input lines not used\n\n| file | line | reason |\n|---|---:|---|\n");
        for bad in &report.bad_lines {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&bad.file.display().to_string()),
                bad.line,
                cell(&bad.reason)
            );
        }
    }
    out
}
