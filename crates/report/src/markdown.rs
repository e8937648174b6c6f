//! The report as Markdown: for a service review meeting or a pull request, readable without
//! knowing the syntax.

use std::fmt::Write as _;

use slac_calendar::Duration;
use slac_escape::markdown::{self, cell, code, inline};

use crate::{ObjectiveReport, Report, Status};

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

/// A ratio or latency objective: measured from monitoring data, in events.
pub(crate) fn is_monitoring(o: &ObjectiveReport) -> bool {
    matches!(o.sli, "ratio" | "latency")
}

/// A measure of monitoring data to four decimals, cut rather than rounded: 99.99996% is not
/// shown as 100%, and a measure below a target written with four decimals or fewer never reads
/// as equal to it.
pub(crate) fn fine_percent(value: f64) -> String {
    let cut = (value * 10_000.0 + 1e-6).floor() / 10_000.0;
    let text = format!("{cut:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

/// The measure of an objective as the tables show it.
pub(crate) fn measured(o: &ObjectiveReport) -> String {
    match o.measured {
        Some(value) if is_monitoring(o) => fine_percent(value),
        Some(value) => percent(value),
        None => "—".to_string(),
    }
}

/// What a measured ratio or latency objective says, in one sentence: `99.95% of events good
/// (target 99.9%): 12 bad of 24000, over the open hours of calendar `office`.` `None` for other
/// objectives and when nothing was counted.
pub(crate) fn monitoring_sentence(o: &ObjectiveReport) -> Option<String> {
    let value = o.measured.filter(|_| is_monitoring(o))?;
    let (what, bad) = if o.sli == "latency" {
        ("of requests within the latency threshold", "too slow")
    } else {
        ("of events good", "bad")
    };
    let over = if o.calendar == slac_model::model::ALWAYS {
        "over the whole period".to_string()
    } else {
        format!(
            "over the open hours of calendar `{}` (five-minute steps open throughout)",
            o.calendar
        )
    };
    Some(format!(
        "{} {what} (target {}): {} {bad} of {} events, {over}.",
        fine_percent(value),
        percent(o.target),
        o.counts.bad,
        o.counts.good + o.counts.bad
    ))
}

/// The trend in words: each earlier period the data covers, then this one, and the change
/// from the nearest: "Trend: 2026-01 97.5% (met) · 2026-02 92% (missed) · this period 99.2%
/// (met), up 7.2 points from 2026-02." `None` without earlier periods.
pub(crate) fn trend_sentence(o: &ObjectiveReport) -> Option<String> {
    let last = o.trend.last()?;
    let show = |value: Option<f64>| match value {
        Some(v) if is_monitoring(o) => fine_percent(v),
        Some(v) => percent(v),
        None => "no data".into(),
    };
    let mut parts: Vec<String> = o
        .trend
        .iter()
        .map(|p| format!("{} {} ({})", p.period, show(p.measured), status(p.status)))
        .collect();
    parts.push(format!(
        "this period {} ({})",
        show(o.measured),
        status(o.status)
    ));
    let change = match (o.measured, last.measured) {
        (Some(now), Some(before)) => {
            let points = now - before;
            // Monitoring measures are shown to four decimals, the others to two.
            let (shown, least) = if is_monitoring(o) {
                (fine_percent(points.abs()), 0.00005)
            } else {
                (percent(points.abs()), 0.005)
            };
            if points.abs() < least {
                format!(", unchanged from {}", last.period)
            } else {
                format!(
                    ", {} {} point(s) from {}",
                    if points > 0.0 { "up" } else { "down" },
                    shown.trim_end_matches('%'),
                    last.period
                )
            }
        }
        _ => String::new(),
    };
    Some(format!("Trend: {}{change}.", parts.join(" · ")))
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

/// Text slac wrote, quoting identifiers in backticks, around values from the contract or the
/// data: identifiers stay code, the rest is escaped.
fn words(text: &str) -> String {
    markdown::inline_keeping_code(text, false)
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Service review: {}\n",
        inline(&report.period.to_string())
    );
    let s = &report.summary;
    let _ = writeln!(
        out,
        "{} file(s), {} line(s) read, {} event(s) used, {} bad line(s), {} outside the period.\n",
        s.files, s.lines, s.events, s.bad_lines, s.outside_period
    );
    for agreement in &report.agreements {
        let _ = writeln!(
            out,
            "## {} ({})\n",
            inline(agreement.title.as_deref().unwrap_or(&agreement.id)),
            code(&agreement.id)
        );
        if agreement.watermelon {
            out.push_str(
                "> ⚠ Watermelon effect: the technical objectives are met but satisfaction is missed.\n\n",
            );
        }
        for warning in &agreement.warnings {
            let _ = writeln!(out, "> {}\n", words(warning));
        }
        out.push_str("| objective | measured | target | status | counted | breached | pending | unmatched |\n");
        out.push_str("|---|---:|---:|---|---:|---:|---:|---:|\n");
        for o in &agreement.objectives {
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} | {} | {} | {} | {} | {} |",
                cell(o.title.as_deref().unwrap_or(&o.id)),
                code(&o.id),
                measured(o),
                percent(o.target),
                status(o.status),
                o.counts.good + o.counts.bad,
                o.counts.bad,
                o.counts.pending,
                o.counts.unmatched
            );
        }
        for o in &agreement.objectives {
            let sentence = monitoring_sentence(o);
            let trend = trend_sentence(o);
            if sentence.is_none()
                && trend.is_none()
                && o.breaches.is_empty()
                && o.pending.is_empty()
                && o.unmatched.is_empty()
                && o.escalations.is_empty()
                && o.deliveries.iter().all(|d| d.met)
            {
                continue;
            }
            let _ = writeln!(
                out,
                "\n### {}\n",
                inline(o.title.as_deref().unwrap_or(&o.id))
            );
            if let Some(sentence) = sentence {
                let _ = writeln!(out, "{}\n", words(&sentence));
                let weeks: Vec<String> = o
                    .weeks
                    .iter()
                    .map(|w| match w.measured {
                        Some(value) => format!(
                            "{} {} ({} of {})",
                            w.label(),
                            fine_percent(value),
                            w.bad,
                            w.good + w.bad
                        ),
                        None => format!("{} no events", w.label()),
                    })
                    .collect();
                if !weeks.is_empty() {
                    let _ = writeln!(out, "Per ISO week (bad of all): {}.\n", weeks.join(" · "));
                }
            }
            if let Some(trend) = trend {
                let _ = writeln!(out, "{}\n", words(&trend));
            }
            let [breached_note, pending_note, unmatched_note, escalated_note] = o.listed_notes();
            let note = |out: &mut String, note: &Option<String>| {
                if let Some(note) = note {
                    let _ = writeln!(out, "{note}\n");
                }
            };
            if !o.breaches.is_empty() {
                out.push_str("Breached:\n\n| ticket | case | allowed | opened | due | late (open time) | late (wall time) |\n|---|---|---|---|---|---:|---:|\n");
                for b in &o.breaches {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} | {} | {} |",
                        cell(&b.ticket),
                        cell(&b.case),
                        cell(&b.within),
                        instant(b.opened),
                        instant(b.due),
                        clock(b.late_open_seconds),
                        clock(b.late_wall_seconds)
                    );
                }
                out.push('\n');
                note(&mut out, &breached_note);
            }
            if !o.pending.is_empty() {
                let list: Vec<String> = o.pending.iter().map(|p| inline(&p.ticket)).collect();
                let _ = writeln!(
                    out,
                    "Pending at the end of the period: {}.\n",
                    list.join(", ")
                );
                note(&mut out, &pending_note);
            }
            if !o.unmatched.is_empty() {
                let list: Vec<String> = o.unmatched.iter().map(|t| inline(t)).collect();
                let _ = writeln!(
                    out,
                    "Matching no case (not counted): {}.\n",
                    list.join(", ")
                );
                note(&mut out, &unmatched_note);
            }
            if !o.escalations.is_empty() {
                out.push_str("Escalations that would have fired:\n\n");
                for e in &o.escalations {
                    for level in &e.levels {
                        let _ = writeln!(
                            out,
                            "- {}: level {} at {}, told {}",
                            inline(&e.ticket),
                            level.level,
                            instant(level.at),
                            inline(&level.notify.join(", "))
                        );
                    }
                }
                out.push('\n');
                note(&mut out, &escalated_note);
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
                            "{} at {} (below {}): {}",
                            code(&t.objective),
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
                    let (amount, currency, fee) = (inline(amount), inline(currency), inline(fee));
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
                markdown::inline_keeping_code(&bad.reason, true)
            );
        }
    }
    out
}
