//! The report as one self-contained HTML page, printable on A4: what the Markdown says, and for
//! each objective measured per week an inline SVG chart of the measure of each week against the
//! target. No script, no external resource, no date of generation: the same report gives the
//! same bytes. Every text that comes from the data or the agreements is escaped.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::markdown::{
    clock, fine_percent, instant, is_monitoring, measured, monitoring_sentence, percent,
    trend_sentence,
};
use crate::{AgreementReport, ObjectiveReport, Report, Status, WeekMeasure};

/// The style of the page: the contract documents' (crates/docs/templates/style.css), with the
/// report's figures, and the same print rules: A4, headings kept with what follows, tables and
/// charts not split across pages.
const STYLE: &str = r#":root { color-scheme: light; }
body {
  font-family: "DejaVu Serif", Georgia, "Times New Roman", serif;
  font-size: 11pt;
  line-height: 1.45;
  color: #1a1a1a;
  max-width: 48em;
  margin: 2em auto;
  padding: 0 1.5em;
}
h1, h2, h3 { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; line-height: 1.2; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; border-bottom: 1px solid #999; padding-bottom: 0.15em; margin-top: 1.6em; }
h3 { font-size: 1.08em; margin-top: 1.2em; }
.subtitle { color: #444; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; }
th[scope="row"] { background: none; font-weight: normal; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.met { color: #1d6b30; }
.missed { color: #a3221a; font-weight: bold; }
.warning { border-left: 4px solid #c77700; background: #fff4e0; padding: 0.4em 0.8em; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; }
figure.chart { margin: 0.6em 0 1em; }
figure.chart svg { display: block; width: 100%; height: auto; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.2em; }
.when { white-space: nowrap; }
figcaption { font-size: 0.85em; color: #444; }
.total { font-weight: bold; }
@page { size: A4; margin: 18mm 16mm 20mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 10.5pt; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  table, figure, .keep { break-inside: avoid; page-break-inside: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
}
"#;

/// `text` with the characters that mean something in HTML (and in attribute values, quoted
/// either way) replaced by their references, and control characters shown escaped.
pub fn escape(text: &str) -> String {
    slac_escape::html::text(text)
}

/// An instant in UTC, to the minute, for tables whose caption says they are in UTC.
fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

fn status(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Met => ("met", "met"),
        Status::Missed => ("missed", "missed"),
        Status::NoData => ("no-data", "no data"),
        Status::NotMeasured => ("not-measured", "not measured (monitoring data)"),
    }
}

/// A title with its id: `Response time (<code>response</code>)`, or the id alone.
fn named(title: Option<&str>, id: &str) -> String {
    match title {
        Some(title) => format!("{} (<code>{}</code>)", escape(title), escape(id)),
        None => format!("<code>{}</code>", escape(id)),
    }
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    items
        .into_iter()
        .map(|item| escape(&item))
        .collect::<Vec<_>>()
        .join(", ")
}

fn header_row(out: &mut String, columns: &[(&str, bool)]) {
    out.push_str("<thead><tr>");
    for (name, numeric) in columns {
        let class = if *numeric { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th scope=\"col\"{class}>{name}</th>");
    }
    out.push_str("</tr></thead>\n");
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let title = format!("Service review: {}", escape(&report.period.text));
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"generator\" content=\"slac\">\n");
    let _ = writeln!(out, "<title>{title}</title>");
    let _ = writeln!(out, "<style>\n{STYLE}</style>\n</head>\n<body>\n<header>");
    let _ = writeln!(out, "<h1>{title}</h1>");
    let _ = writeln!(
        out,
        "<p class=\"subtitle\">From {} to {} inclusive, in each objective calendar’s time zone.</p>",
        report.period.from,
        report.period.last_day()
    );
    let s = &report.summary;
    let _ = writeln!(
        out,
        "<p>{} file(s), {} line(s) read, {} event(s) used, {} bad line(s), {} outside the period.</p>\n</header>\n<main>",
        s.files, s.lines, s.events, s.bad_lines, s.outside_period
    );
    let mut charts = 0;
    for agreement in &report.agreements {
        render_agreement(&mut out, agreement, &mut charts);
    }
    if !report.bad_lines.is_empty() {
        out.push_str("<section>\n<h2>Input lines not used</h2>\n<table>\n");
        header_row(
            &mut out,
            &[("file", false), ("line", true), ("reason", false)],
        );
        out.push_str("<tbody>\n");
        for bad in &report.bad_lines {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                escape(&bad.file.display().to_string()),
                if bad.line == 0 {
                    "—".to_string()
                } else {
                    bad.line.to_string()
                },
                escape(&bad.reason)
            );
        }
        out.push_str("</tbody>\n</table>\n");
        let unlisted = s.bad_lines.saturating_sub(report.bad_lines.len() as u64);
        if unlisted > 0 {
            let _ = writeln!(out, "<p>{unlisted} more bad line(s), not listed.</p>");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn render_agreement(out: &mut String, agreement: &AgreementReport, charts: &mut usize) {
    out.push_str("<section class=\"agreement\">\n");
    let _ = writeln!(
        out,
        "<h2>{}</h2>",
        named(agreement.title.as_deref(), &agreement.id)
    );
    if agreement.watermelon {
        out.push_str(
            "<p class=\"warning\" role=\"note\">⚠ Watermelon effect: the technical objectives are met but satisfaction is missed.</p>\n",
        );
    }
    for warning in &agreement.warnings {
        let _ = writeln!(
            out,
            "<p class=\"warning\" role=\"note\">{}</p>",
            escape(warning)
        );
    }
    out.push_str("<table class=\"objectives\">\n");
    header_row(
        out,
        &[
            ("objective", false),
            ("measured", true),
            ("target", true),
            ("status", false),
            ("counted", true),
            ("breached", true),
            ("pending", true),
            ("unmatched", true),
        ],
    );
    out.push_str("<tbody>\n");
    for o in &agreement.objectives {
        let (class, text) = status(o.status);
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"{class}\">{text}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            named(o.title.as_deref(), &o.id),
            measured(o),
            percent(o.target),
            o.counts.good + o.counts.bad,
            o.counts.bad,
            o.counts.pending,
            o.counts.unmatched
        );
    }
    out.push_str("</tbody>\n</table>\n");
    for o in &agreement.objectives {
        render_objective(out, o, charts);
    }
    if let Some(credit) = &agreement.credit {
        out.push_str("<div class=\"keep\">\n<h3>Service credits</h3>\n");
        if credit.tiers.is_empty() {
            out.push_str("<p>None owed.</p>\n");
        } else {
            out.push_str("<table class=\"credits\">\n");
            header_row(
                out,
                &[
                    ("objective", false),
                    ("measured", true),
                    ("below", true),
                    ("refund", true),
                ],
            );
            out.push_str("<tbody>\n");
            for t in &credit.tiers {
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\"><code>{}</code></th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    escape(&t.objective),
                    percent(t.measured),
                    percent(t.below),
                    percent(t.refund)
                );
            }
            out.push_str("</tbody>\n</table>\n<p class=\"total\">");
            let _ = write!(out, "Refunds {}", percent(credit.uncapped_percent));
            if let Some(cap) = credit.cap_percent {
                let _ = write!(out, ", capped at {}", percent(cap));
            }
            let _ = write!(out, " → {} of the period’s fee", percent(credit.percent));
            if let (Some(amount), Some(currency), Some(fee)) =
                (&credit.amount, &credit.currency, &credit.period_fee)
            {
                let currency = escape(currency);
                let _ = write!(
                    out,
                    " ({} {currency}): <strong>{} {currency}</strong>",
                    escape(fee),
                    escape(amount)
                );
            }
            out.push_str(".</p>\n");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n");
}

fn render_objective(out: &mut String, o: &ObjectiveReport, charts: &mut usize) {
    let has_chart = !o.weeks.is_empty();
    let missed: Vec<String> = o
        .deliveries
        .iter()
        .filter(|d| !d.met)
        .map(|d| instant(d.due))
        .collect();
    let trend = trend_sentence(o);
    if !has_chart
        && trend.is_none()
        && o.breaches.is_empty()
        && o.pending.is_empty()
        && o.unmatched.is_empty()
        && o.escalations.is_empty()
        && missed.is_empty()
    {
        return;
    }
    out.push_str("<section class=\"objective\">\n<div class=\"keep\">\n");
    let _ = writeln!(out, "<h3>{}</h3>", named(o.title.as_deref(), &o.id));
    if let Some(sentence) = monitoring_sentence(o) {
        let _ = writeln!(out, "<p>{}</p>", code_spans(&escape(&sentence)));
    }
    if has_chart {
        *charts += 1;
        chart(out, o, &format!("chart-{charts}"));
    }
    if let Some(trend) = trend {
        let _ = writeln!(out, "<p class=\"trend\">{}</p>", escape(&trend));
    }
    out.push_str("</div>\n");
    let [breached_note, pending_note, unmatched_note, escalated_note] = o.listed_notes();
    let note = |out: &mut String, note: &Option<String>| {
        if let Some(note) = note {
            let _ = writeln!(out, "<p class=\"listed\">{}</p>", escape(note));
        }
    };
    if !o.breaches.is_empty() {
        out.push_str("<table class=\"breaches\">\n<caption>Breached (times in UTC)</caption>\n");
        header_row(
            out,
            &[
                ("ticket", false),
                ("case", false),
                ("allowed", false),
                ("opened", false),
                ("due", false),
                ("clock stopped", false),
                ("late (open time)", true),
                ("late (wall time)", true),
            ],
        );
        out.push_str("<tbody>\n");
        for b in &o.breaches {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td class=\"when\">{}</td><td class=\"when\">{}</td><td class=\"when\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(&b.ticket),
                escape(&b.case),
                escape(&b.within),
                when(b.opened),
                when(b.due),
                b.actual.map_or("still running".to_string(), when),
                clock(b.late_open_seconds),
                clock(b.late_wall_seconds)
            );
        }
        out.push_str("</tbody>\n</table>\n");
        note(out, &breached_note);
    }
    if !o.pending.is_empty() {
        let _ = writeln!(
            out,
            "<p>Pending at the end of the period: {}.</p>",
            list(o.pending.iter().map(|p| p.ticket.clone()))
        );
        note(out, &pending_note);
    }
    if !o.unmatched.is_empty() {
        let _ = writeln!(
            out,
            "<p>Matching no case (not counted): {}.</p>",
            list(o.unmatched.iter().cloned())
        );
        note(out, &unmatched_note);
    }
    if !o.escalations.is_empty() {
        out.push_str("<table class=\"escalations\">\n<caption>Escalations that would have fired (times in UTC)</caption>\n");
        header_row(
            out,
            &[
                ("ticket", false),
                ("level", true),
                ("at", false),
                ("told", false),
            ],
        );
        out.push_str("<tbody>\n");
        for e in &o.escalations {
            for level in &e.levels {
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"when\">{}</td><td>{}</td></tr>",
                    escape(&e.ticket),
                    level.level,
                    when(level.at),
                    list(level.notify.iter().cloned())
                );
            }
        }
        out.push_str("</tbody>\n</table>\n");
        note(out, &escalated_note);
    }
    if !missed.is_empty() {
        let _ = writeln!(out, "<p>Deliveries missed: {}.</p>", missed.join(", "));
    }
    out.push_str("</section>\n");
}

// ─── The chart ──────────────────────────────────────────────────────────────

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 88.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 62.0;
const MET: &str = "#4f8a5b";
const MISSED: &str = "#c0392b";
const INK: &str = "#1a1a1a";
const GREY: &str = "#666666";
/// The room, in pixels, that a bar's value (`88.9%`), a week's name (`W10`) and a Monday
/// (`23 Feb`) need: fewer labels are drawn when the weeks are narrower (the `<desc>` and the
/// bars' tooltips still give every value).
const VALUE_ROOM: f64 = 32.0;
const NAME_ROOM: f64 = 32.0;
const DATE_ROOM: f64 = 44.0;

/// A coordinate, to a tenth of a pixel, without a trailing `.0`.
fn px(value: f64) -> String {
    let text = format!("{value:.1}");
    match text.strip_suffix(".0") {
        Some(whole) => whole.to_string(),
        None => text,
    }
}

/// A measure to a tenth of a percent, for the labels of the bars: `92.3%`.
fn short_percent(value: f64) -> String {
    format!("{}%", px(value))
}

/// Escaped text with its Markdown code spans (`` `office` ``) as `<code>`.
fn code_spans(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    for (i, part) in escaped.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

fn week_text(week: &WeekMeasure, monitoring: bool) -> String {
    let value = match week.measured {
        Some(measured) => format!(
            "{} ({} of {})",
            if monitoring {
                fine_percent(measured)
            } else {
                percent(measured)
            },
            week.good,
            week.good + week.bad
        ),
        None => "no data".to_string(),
    };
    format!("{} (from {}): {value}", week.label(), week.start)
}

/// An inline SVG bar chart of `o.weeks`: one bar per week with a measure, from 0 to 100%, a
/// dashed line at the target, the weeks (ISO names and Mondays) along the bottom, the
/// percentages along the left; its `<title>` and `<desc>` say the same in words.
fn chart(out: &mut String, o: &ObjectiveReport, id: &str) {
    let weeks = &o.weeks;
    let n = weeks.len();
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h * (1.0 - v.clamp(0.0, 100.0) / 100.0);
    let bottom = y(0.0);
    let slot = plot_w / n.max(1) as f64;
    let bar = slot * 0.6;
    let labelled = bar >= VALUE_ROOM;
    // Every `step`-th week is named, every `date_step`-th dated.
    let step = ((NAME_ROOM / slot).ceil() as usize).max(1);
    let date_step = step * ((DATE_ROOM / (slot * step as f64)).ceil() as usize).max(1);
    let name = escape(o.title.as_deref().unwrap_or(&o.id));
    let target = percent(o.target);

    out.push_str("<figure class=\"chart\">\n");
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"13\">",
        px(WIDTH),
        px(HEIGHT),
        px(WIDTH),
        px(HEIGHT)
    );
    let _ = writeln!(
        out,
        "<title id=\"{id}-title\">{name}: measure per week against the {target} target</title>"
    );
    let monitoring = is_monitoring(o);
    let values: Vec<String> = weeks
        .iter()
        .map(|w| escape(&week_text(w, monitoring)))
        .collect();
    let _ = writeln!(
        out,
        "<desc id=\"{id}-desc\">Target {target}. {}.</desc>",
        values.join("; ")
    );

    // The percentages: grid lines and their labels.
    out.push_str("<g class=\"y-axis\">\n");
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let at = px(y(tick));
        let _ = writeln!(
            out,
            "<line x1=\"{}\" y1=\"{at}\" x2=\"{}\" y2=\"{at}\" stroke=\"#dddddd\" stroke-width=\"1\"/>",
            px(LEFT),
            px(LEFT + plot_w)
        );
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{GREY}\">{}</text>",
            px(LEFT - 6.0),
            px(y(tick) + 4.0),
            short_percent(tick)
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"14\" y=\"{mid}\" text-anchor=\"middle\" fill=\"{GREY}\" transform=\"rotate(-90 14 {mid})\">measured</text>",
        mid = px(TOP + plot_h / 2.0)
    );
    out.push_str("</g>\n");

    // The weeks.
    out.push_str("<g class=\"weeks\">\n");
    for (i, week) in weeks.iter().enumerate() {
        let centre = LEFT + slot * (i as f64 + 0.5);
        let _ = writeln!(out, "<g class=\"week\" data-week=\"{}\">", week.start);
        match week.measured {
            Some(measured) => {
                let height = (bottom - y(measured)).max(2.0);
                let fill = if measured >= o.target { MET } else { MISSED };
                let _ = writeln!(
                    out,
                    "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"><title>{}</title></rect>",
                    px(centre - bar / 2.0),
                    px(bottom - height),
                    px(bar),
                    px(height),
                    escape(&week_text(week, monitoring))
                );
                if labelled {
                    // Inside the foot of the bar when it is tall enough (clear of the target
                    // line unless the target is tiny), else above it.
                    let (at, colour) = if height >= 18.0 {
                        (bottom - 6.0, "#ffffff")
                    } else {
                        (bottom - height - 4.0, INK)
                    };
                    let _ = writeln!(
                        out,
                        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{colour}\">{}</text>",
                        px(centre),
                        px(at),
                        if monitoring {
                            // Cut, not rounded: 99.96% of events is not a bar of 100%.
                            short_percent((measured * 10.0 + 1e-6).floor() / 10.0)
                        } else {
                            short_percent(measured)
                        }
                    );
                }
            }
            None if labelled => {
                let _ = writeln!(
                    out,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{GREY}\">no data</text>",
                    px(centre),
                    px(bottom - 4.0)
                );
            }
            None => {}
        }
        if i % step == 0 {
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                px(centre),
                px(bottom + 16.0),
                week.label()
            );
        }
        if i % date_step == 0 {
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{GREY}\">{}</text>",
                px(centre),
                px(bottom + 29.0),
                week.start.format("%-d %b")
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");

    // The axes, the target and the title of the weeks.
    let _ = writeln!(
        out,
        "<line class=\"x-axis\" x1=\"{}\" y1=\"{b}\" x2=\"{}\" y2=\"{b}\" stroke=\"{INK}\" stroke-width=\"1\"/>",
        px(LEFT),
        px(LEFT + plot_w),
        b = px(bottom)
    );
    let _ = writeln!(
        out,
        "<line class=\"y-axis-line\" x1=\"{l}\" y1=\"{}\" x2=\"{l}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1\"/>",
        px(TOP),
        px(bottom),
        l = px(LEFT)
    );
    let at = px(y(o.target));
    let _ = writeln!(
        out,
        "<line class=\"target\" x1=\"{}\" y1=\"{at}\" x2=\"{}\" y2=\"{at}\" stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>",
        px(LEFT),
        px(LEFT + plot_w)
    );
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" fill=\"{INK}\">target {target}</text>",
        px(LEFT + plot_w + 6.0),
        px(y(o.target) + 4.0)
    );
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{GREY}\">ISO week (from Monday)</text>",
        px(LEFT + plot_w / 2.0),
        px(HEIGHT - 8.0)
    );
    out.push_str("</svg>\n");
    let _ = writeln!(
        out,
        "<figcaption>{name}: measure per ISO week against the target of {target} ({}).</figcaption>\n</figure>",
        match o.sli {
            "response_time" | "resolution_time" => "tickets by the week they were opened",
            "delivery" => "due instants by the week they fall due",
            "satisfaction" => "answers by the week they were given",
            "ratio" | "latency" => "events of the five-minute steps counted, by the week they start in",
            _ => "per week",
        }
    );
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape("<script>alert('x' & \"y\")</script>"),
            "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;"
        );
        assert_eq!(escape("Délai — P1"), "Délai — P1");
        assert_eq!(escape(""), "");
    }

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    /// A hand-made report with what the examples' month lacks: a watermelon, a missed
    /// delivery, an unmatched ticket, no credit owed, a bad line, and markup everywhere.
    #[test]
    fn every_part_of_the_report_is_rendered_and_escaped() {
        let period = crate::Period::parse("2026-W10").unwrap();
        let week = |good, bad, measured| WeekMeasure {
            start: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            good,
            bad,
            measured,
        };
        let objective = |id: &str, sli, status, measured, weeks| ObjectiveReport {
            id: id.into(),
            title: Some(format!("<b>{id}</b>")),
            sli,
            calendar: "office".into(),
            from: t("2026-03-01T23:00:00Z"),
            to: t("2026-03-08T23:00:00Z"),
            target: 80.0,
            measured,
            status,
            counts: crate::Counts::default(),
            breaches: Vec::new(),
            pending: Vec::new(),
            unmatched: Vec::new(),
            escalations: Vec::new(),
            deliveries: Vec::new(),
            weeks,
            trend: Vec::new(),
        };
        let mut report_objective = objective(
            "report",
            "delivery",
            Status::Met,
            Some(100.0),
            vec![week(1, 0, Some(100.0))],
        );
        report_objective.deliveries = vec![crate::DueReport {
            due: t("2026-03-02T09:00:00Z"),
            delivered: None,
            met: false,
        }];
        report_objective.unmatched = vec!["<u>T-9</u>".into()];
        let report = Report {
            period,
            agreements: vec![AgreementReport {
                id: "desk".into(),
                title: Some("Desk <script>alert(1)</script>".into()),
                objectives: vec![
                    report_objective,
                    objective(
                        "happiness",
                        "satisfaction",
                        Status::Missed,
                        Some(0.0),
                        vec![week(0, 2, Some(0.0))],
                    ),
                    objective("availability", "ratio", Status::NotMeasured, None, vec![]),
                ],
                credit: Some(crate::CreditReport {
                    tiers: vec![],
                    uncapped_percent: 0.0,
                    cap_percent: None,
                    percent: 0.0,
                    period_fee: None,
                    amount: None,
                    currency: None,
                }),
                watermelon: true,
                warnings: vec!["watermelon & <co>".into()],
            }],
            summary: crate::Summary {
                bad_lines: 3,
                ..crate::Summary::default()
            },
            bad_lines: vec![crate::BadLine {
                file: "a<b>.jsonl".into(),
                line: 0,
                reason: "unknown kind of file: <x>".into(),
            }],
        };
        let html = render(&report);
        for raw in ["<script", "<b>", "<u>", "<co>", "<x>", "a<b>"] {
            assert!(!html.contains(raw), "{raw} in:\n{html}");
        }
        for part in [
            "<h2>Desk &lt;script&gt;alert(1)&lt;/script&gt; (<code>desk</code>)</h2>",
            "⚠ Watermelon effect",
            "<p class=\"warning\" role=\"note\">watermelon &amp; &lt;co&gt;</p>",
            "<td class=\"not-measured\">not measured (monitoring data)</td>",
            "Deliveries missed: 2026-03-02 09:00 UTC.",
            "Matching no case (not counted): &lt;u&gt;T-9&lt;/u&gt;.",
            "<p>None owed.</p>",
            "<tr><td>a&lt;b&gt;.jsonl</td><td class=\"num\">—</td><td>unknown kind of file: &lt;x&gt;</td></tr>",
            "<p>2 more bad line(s), not listed.</p>",
            "<title id=\"chart-1-title\">&lt;b&gt;report&lt;/b&gt;: measure per week against the 80% target</title>",
            "<title id=\"chart-2-title\">&lt;b&gt;happiness&lt;/b&gt;",
            "(answers by the week they were given)",
        ] {
            assert!(html.contains(part), "{part} missing from:\n{html}");
        }
        // One chart per objective measured per week; none for the ratio objective.
        assert_eq!(html.matches("<svg").count(), 2);
        assert!(!html.contains("chart-3"));
        assert_eq!(render(&report), html, "deterministic");
    }

    #[test]
    fn coordinates_are_short_and_stable() {
        assert_eq!(px(56.0), "56");
        assert_eq!(px(12.345), "12.3");
        assert_eq!(short_percent(92.3077), "92.3%");
        assert_eq!(short_percent(100.0), "100%");
    }
}
