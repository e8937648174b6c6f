//! Ratio and latency objectives measured from a Prometheus HTTP API: Prometheus itself, or
//! anything that serves the same API (Thanos's querier or query frontend, Mimir's
//! `…/prometheus` prefix, VictoriaMetrics).
//!
//! [`measure_monitoring`] fills in, after [`crate::measure`], every ratio and latency objective
//! of a [`Report`] that is still [`Status::NotMeasured`]: its measure, status, counts, weeks and
//! trend.
//! Credits and the watermelon warning of the agreements concerned are worked out again.
//!
//! # Semantics
//!
//! - **Steps.** The period of an objective (its `from`..`to`: local midnights in the objective
//!   calendar's zone) is cut into five-minute steps `(t − 5m, t]`, for `t = from + 5m,
//!   from + 10m, …, to`. The steps tile the period: none overlaps another, none is missed. A tail
//!   shorter than five minutes (only with a zone whose offset is not a whole number of five
//!   minutes) is not measured.
//! - **Events of a step.** Two queries are evaluated at every `t` with `/api/v1/query_range`
//!   and `step=300`: the events of the step and the bad events of the step. With `E`, `G` and
//!   `T` the objective's `errors`, `good` and `total` expressions, `$window` replaced by `5m`:
//!   - `errors`: total = `300 * sum(T)`, bad = `300 * sum((E) or (0 * (T)))`;
//!   - `good`: total = `300 * sum(T)`, bad = `300 * sum((T) - ((G) or (0 * (T))))`;
//!   - `latency` on histogram `h_bucket{m}` and threshold `x`: total =
//!     `sum(increase(h_count{m}[5m]))`, bad = that minus `sum(increase(h_bucket{m,le="x"}[5m]))`
//!     (a whole number of seconds matches `le="1"` and `le="1.0"`).
//!
//!   These are the expressions of the masked five-minute rates that `slac build` generates for
//!   business-hours objectives (crates/compile/src/prometheus.rs, `errors_and_total`), built
//!   from the same pieces (`slac_compile::promql`: `$window`, histogram series, `le` matchers,
//!   selectors). The expressions are rates per second (language reference §4.1),
//!   and Prometheus's `increase` over a range is exactly its `rate` times the range, so
//!   `300 * rate(…[5m])` is the number of events in the step, extrapolated to the step's edges
//!   as Prometheus does. `or (0 * (T))`: no error series at all means no errors, not no data.
//! - **Counter resets** are handled by `rate` and `increase` inside each step: a counter that
//!   drops counts from zero again.
//! - **Business hours.** A step counts only when the objective's calendar is open for the whole
//!   five minutes `[t − 5m, t)` (five minutes of open time); a step that straddles an opening or
//!   a closing is left out whole, as the masked rates of `slac build` leave it out. Time zones,
//!   daylight saving and holidays come from the calendar engine. On `always` every step counts.
//! - **Clamping.** A step's total below 0 counts as 0, and its bad events are kept between 0
//!   and its total (extrapolation can make errors exceed the total by a fraction).
//! - **Missing data.** A step with no total (no series, or `NaN`) has no data and does not
//!   count. A step with a total but no bad value does not count either, and is reported: for a
//!   latency objective it usually means that the threshold is not one of the histogram's buckets.
//! - **Counts and measure.** The bad and good events of the counted steps are summed and rounded
//!   to whole events; `total = good + bad`; the measure is `good / total`, in percent, as for
//!   the other objectives; the objective is met when the measure is at least the target, and has
//!   no data when no event was counted.
//! - **Weeks.** A step counts in the ISO week of its start `t − 5m`, read in the calendar's zone,
//!   among the weeks that overlap the period (as in [`crate::weeks`]). The weeks' counts are the
//!   period's, split by rounding the running sums, so that they add up to the period's counts.
//! - **Trend.** The earlier periods of the trend are those of the other objectives: the `n`
//!   periods of the same kind before the period ([`Period::earlier`], `n` given by the caller:
//!   `slac report --trend N`), each from local midnight to local midnight in the objective
//!   calendar's zone ([`Period::bounds`]). Each is measured exactly as the period of the review
//!   (steps, business hours, clamping, missing data, rounding through the weeks, status), and is
//!   listed in the objective's `trend`, the oldest first, when at least one event is counted in
//!   it; a period without any (before the series existed, beyond the retention of the server)
//!   is not listed, as a period without tickets is not. An objective not measured over the
//!   period of the review has no trend.
//! - **Requests.** At most [`STEPS_PER_QUERY`] steps (a week) per request, far below the 11,000
//!   points Prometheus allows in one answer. The instants are multiples of five minutes since
//!   the epoch (zone offsets are whole quarters of an hour), so a query frontend that aligns
//!   queries to their step answers the same. Queries are sent as `POST` forms (long expressions
//!   do not hit URL length limits), with the extra headers of the [`Source`] (Mimir's
//!   `X-Scope-OrgID`, an `Authorization`). An objective costs two requests per week of each
//!   period measured, the period of the review and those of the trend (none for a week in which
//!   its calendar is never open).
//! - **Failures.** A server that cannot be reached, an HTTP error, or an answer that is not the
//!   Prometheus API's is a [`ProblemKind::Source`] problem: the objectives not yet measured stay
//!   not measured, nothing more is asked, and the report says why. A query that Prometheus
//!   rejects (`bad_data`, `execution`: a PromQL error, a limit of the server) is a
//!   [`ProblemKind::Query`] problem of that objective only, which stays not measured; the other
//!   objectives are measured. Warnings of the server (a partial answer of Thanos, say) and steps
//!   without bad values are [`ProblemKind::Data`] problems: the objective is measured anyway.
//!   A failure while measuring an earlier period of the trend, whatever its kind, never changes
//!   the measure of the period of the review: it is a [`ProblemKind::Data`] problem of the
//!   objective, the trend keeps the nearer periods already measured and leaves out that period
//!   and those before it; after a source failure, the trends of the next objectives are not
//!   asked for (each says so), their periods of the review still are.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use slac_calendar::BusinessCalendar;
use slac_model::model::Sli;
use slac_model::Model;

use slac_compile::promql::{latency_series, with_window};

use crate::period::Period;
use crate::weeks::{monday, WeekMeasure};
use crate::{credits, Counts, ObjectiveReport, Report, Status, TrendPoint};

/// The length of a step, in seconds.
pub const STEP_SECONDS: i64 = 300;

/// The most steps asked for in one request: a week.
pub const STEPS_PER_QUERY: usize = 2016;

/// The largest answer read, in bytes.
const ANSWER_LIMIT: u64 = 256 * 1024 * 1024;

/// Where monitoring data is read: the base URL of a Prometheus HTTP API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// `http://prometheus:9090`, `https://thanos.example/`, `http://mimir/prometheus`: the part
    /// before `/api/v1/…`.
    pub url: String,
    /// How long one request may take, answer included.
    pub timeout: Duration,
    /// Sent with every request: `("X-Scope-OrgID", "tenant")`.
    pub headers: Vec<(String, String)>,
}

impl Source {
    /// A source at `url`, which must be an `http://` or `https://` URL, with a 60-second
    /// timeout and no extra header.
    pub fn new(url: &str) -> Result<Source, String> {
        let url = url.trim();
        let rest = url
            .strip_prefix("http://")
            .or_else(|| url.strip_prefix("https://"))
            .ok_or_else(|| format!("`{url}` is not an http:// or https:// URL"))?;
        if rest.is_empty() || rest.starts_with('/') {
            return Err(format!("`{url}` has no host"));
        }
        if url.contains(['?', '#']) {
            return Err(format!(
                "`{url}`: give the base URL of the API, without a query or a fragment"
            ));
        }
        Ok(Source {
            url: url.to_string(),
            timeout: Duration::from_secs(60),
            headers: Vec::new(),
        })
    }

    /// Reads a header written `Name: value`.
    pub fn parse_header(text: &str) -> Result<(String, String), String> {
        let Some((name, value)) = text.split_once(':') else {
            return Err(format!("`{text}` is not a header: write `Name: value`"));
        };
        let name = name.trim();
        let value = value.trim();
        let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if name.is_empty() || !name.chars().all(token) {
            return Err(format!("`{name}` is not a header name"));
        }
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(format!(
                "the value of header `{name}` has a control character"
            ));
        }
        Ok((name.to_string(), value.to_string()))
    }

    fn endpoint(&self) -> String {
        format!("{}/api/v1/query_range", self.url.trim_end_matches('/'))
    }
}

/// What kind of trouble a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// The server could not be asked, or did not answer as a Prometheus API: every objective not
    /// measured yet stays so.
    Source,
    /// The server rejected an objective's query: that objective stays not measured.
    Query,
    /// The objective is measured, with a caveat (a warning of the server, steps left out).
    Data,
}

/// Something that went wrong while measuring from the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// `agreement.objective`, for the problems of one objective.
    pub objective: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.objective {
            Some(objective) => write!(f, "{objective}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Measures every ratio and latency objective of `report` that is not measured yet from
/// `source`, and works out again the credits and the watermelon warning of their agreements.
/// `trend` earlier periods of the same kind are measured too, for each objective's trend (0 for
/// none; the `trend` given to [`crate::measure_with`]). The problems are also written in
/// the warnings of the agreements concerned, so that the report itself says why an objective is
/// not measured.
pub fn measure_monitoring(
    report: &mut Report,
    model: &Model,
    source: &Source,
    trend: usize,
) -> Vec<Problem> {
    let client = Client::new(source);
    let mut problems: Vec<Problem> = Vec::new();
    let mut unreachable: Option<String> = None;
    let period = report.period.clone();
    // The earlier periods of the trend, the nearest first, as `crate::measure_with` takes
    // them.
    let earlier = period.earlier(trend.min(usize::from(u8::MAX) - 1));
    // A source failure while measuring a trend: the trends of the next objectives are not asked.
    let mut trend_unavailable: Option<String> = None;
    for agreement_report in &mut report.agreements {
        let Some(agreement) = model.agreements.get(&agreement_report.id) else {
            continue;
        };
        let mut measured_any = false;
        let mut left_out = 0;
        for o in &mut agreement_report.objectives {
            if o.status != Status::NotMeasured {
                continue;
            }
            let Some(objective) = agreement.objectives.iter().find(|x| x.id == o.id) else {
                continue;
            };
            let Some(queries) = Queries::of(&objective.sli) else {
                continue;
            };
            if unreachable.is_some() {
                left_out += 1;
                continue;
            }
            let Some(engine) = model.engine(&objective.calendar) else {
                continue;
            };
            let name = format!("{}.{}", agreement.id, objective.id);
            match measure_objective(&client, &queries, &engine, o.from, o.to, &period) {
                Ok(measure) => {
                    for warning in &measure.warnings {
                        problems.push(Problem {
                            kind: ProblemKind::Data,
                            objective: Some(name.clone()),
                            message: warning.clone(),
                        });
                        agreement_report
                            .warnings
                            .push(format!("`{}`: {warning}", o.id));
                    }
                    if measure.without_bad > 0 {
                        let message = without_bad_message(&objective.sli, measure.without_bad);
                        agreement_report
                            .warnings
                            .push(format!("`{}`: {message}", o.id));
                        problems.push(Problem {
                            kind: ProblemKind::Data,
                            objective: Some(name.clone()),
                            message,
                        });
                    }
                    fill(o, &measure, &period);
                    measured_any = true;
                    let notes = match &trend_unavailable {
                        _ if earlier.is_empty() => Vec::new(),
                        Some(message) => vec![format!("the trend is not measured: {message}")],
                        None => {
                            let trend = measure_trend(
                                &client,
                                &queries,
                                &engine,
                                &earlier,
                                o.target,
                                &measure.warnings,
                            );
                            if let Some((_, Failure::Source(message))) = &trend.failure {
                                trend_unavailable = Some(format!("{}: {message}", source.url));
                            }
                            let notes = trend.notes(&objective.sli, &earlier, &source.url);
                            o.trend = trend.points;
                            notes
                        }
                    };
                    for note in notes {
                        agreement_report
                            .warnings
                            .push(format!("`{}`: {note}", o.id));
                        problems.push(Problem {
                            kind: ProblemKind::Data,
                            objective: Some(name.clone()),
                            message: note,
                        });
                    }
                }
                Err(Failure::Query(message)) => {
                    agreement_report.warnings.push(format!(
                        "`{}` is not measured: the monitoring source rejected its query: {message}",
                        o.id
                    ));
                    problems.push(Problem {
                        kind: ProblemKind::Query,
                        objective: Some(name),
                        message: format!("the monitoring source rejected the query: {message}"),
                    });
                }
                Err(Failure::Source(message)) => {
                    let message = format!("{}: {message}", source.url);
                    problems.push(Problem {
                        kind: ProblemKind::Source,
                        objective: None,
                        message: message.clone(),
                    });
                    unreachable = Some(message);
                    left_out += 1;
                }
            }
        }
        if left_out > 0 {
            if let Some(message) = &unreachable {
                agreement_report.warnings.push(format!(
                    "{left_out} ratio or latency objective(s) not measured: {message}"
                ));
            }
        }
        if measured_any {
            agreement_report.credit =
                credits::credits(agreement, &agreement_report.objectives, &period);
            let others_missed = agreement_report
                .objectives
                .iter()
                .any(|o| o.sli != "satisfaction" && o.status == Status::Missed);
            if agreement_report.watermelon && others_missed {
                agreement_report.watermelon = false;
                agreement_report
                    .warnings
                    .retain(|w| !w.starts_with("watermelon effect"));
            }
        }
    }
    problems
}

fn without_bad_message(sli: &Sli, steps: usize) -> String {
    match sli {
        Sli::Latency { threshold, .. } => format!(
            "{steps} five-minute step(s) with requests but no bucket at {threshold}: they are not counted (is {threshold} one of the histogram's `le` buckets?)"
        ),
        _ => format!(
            "{steps} five-minute step(s) with events but no value of bad events: they are not counted (do the expressions have the same labels?)"
        ),
    }
}

/// The two queries of an objective, each giving events per five-minute step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queries {
    pub total: String,
    pub bad: String,
}

impl Queries {
    /// The queries of a ratio or latency SLI (see the module's documentation); `None` for the
    /// other kinds of objective.
    pub fn of(sli: &Sli) -> Option<Queries> {
        let window = "5m";
        let step = STEP_SECONDS.to_string();
        Some(match sli {
            Sli::Ratio {
                errors: Some(errors),
                total,
                ..
            } => {
                let total = with_window(total, window);
                let errors = with_window(errors, window);
                Queries {
                    bad: format!("{step} * sum(({errors}) or (0 * ({total})))"),
                    total: format!("{step} * sum({total})"),
                }
            }
            Sli::Ratio {
                good: Some(good),
                total,
                ..
            } => {
                let total = with_window(total, window);
                let good = with_window(good, window);
                Queries {
                    bad: format!("{step} * sum(({total}) - (({good}) or (0 * ({total}))))"),
                    total: format!("{step} * sum({total})"),
                }
            }
            Sli::Latency {
                histogram,
                threshold,
            } => {
                let series = latency_series(histogram, threshold.as_millis().unwrap_or(0))?;
                let count = format!("sum(increase({}[{window}]))", series.count);
                Queries {
                    bad: format!("{count} - sum(increase({}[{window}]))", series.bucket),
                    total: count,
                }
            }
            _ => return None,
        })
    }
}

/// Why a measure could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    Source(String),
    Query(String),
}

/// The events of the counted steps of an objective.
#[derive(Debug, Clone, Default, PartialEq)]
struct Measure {
    good: f64,
    bad: f64,
    /// Per week of the period, from the Monday of its first day: good and bad events.
    weeks: Vec<(f64, f64)>,
    /// Counted steps with events but no value of bad events.
    without_bad: usize,
    /// The server's warnings, each once.
    warnings: Vec<String>,
}

fn measure_objective(
    client: &Client,
    queries: &Queries,
    engine: &BusinessCalendar,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    period: &Period,
) -> Result<Measure, Failure> {
    let steps = usize::try_from((to - from).num_seconds() / STEP_SECONDS).unwrap_or(0);
    let open = open_steps(engine, from, steps);
    let tz = engine.timezone();
    let first_monday = monday(period.from);
    let week_count = weeks_of(period);
    let mut measure = Measure {
        weeks: vec![(0.0, 0.0); week_count],
        ..Measure::default()
    };
    let start = from.timestamp();
    let mut chunk = 0;
    while chunk < steps {
        let end = (chunk + STEPS_PER_QUERY).min(steps);
        if open[chunk..end].iter().any(|&o| o) {
            // Step `s` ends at `start + (s + 1) * 300`.
            let first = start + (chunk as i64 + 1) * STEP_SECONDS;
            let last = start + end as i64 * STEP_SECONDS;
            let total = client.query_range(&queries.total, first, last)?;
            let bad = client.query_range(&queries.bad, first, last)?;
            for warning in total.warnings.into_iter().chain(bad.warnings) {
                if !measure.warnings.contains(&warning) {
                    measure.warnings.push(warning);
                }
            }
            let place = |values: Vec<(i64, f64)>| -> HashMap<usize, f64> {
                let mut at: HashMap<usize, f64> = HashMap::new();
                for (t, value) in values {
                    let offset = t - start;
                    if offset <= 0 || offset % STEP_SECONDS != 0 {
                        continue;
                    }
                    let Ok(step) = usize::try_from(offset / STEP_SECONDS - 1) else {
                        continue;
                    };
                    if step >= chunk && step < end {
                        *at.entry(step).or_insert(0.0) += value;
                    }
                }
                at
            };
            let totals = place(total.values);
            let bads = place(bad.values);
            for (step, _) in open
                .iter()
                .enumerate()
                .take(end)
                .skip(chunk)
                .filter(|(_, &o)| o)
            {
                let Some(&total) = totals.get(&step) else {
                    continue;
                };
                if !total.is_finite() {
                    continue;
                }
                let total = total.max(0.0);
                let Some(&bad) = bads.get(&step).filter(|b| b.is_finite()) else {
                    if total > 0.0 {
                        measure.without_bad += 1;
                    }
                    continue;
                };
                let bad = bad.clamp(0.0, total);
                let good = total - bad;
                measure.good += good;
                measure.bad += bad;
                let step_start = from + chrono::Duration::seconds(step as i64 * STEP_SECONDS);
                if let Some(week) = week_index(step_start, tz, first_monday) {
                    if let Some(slot) = measure.weeks.get_mut(week) {
                        slot.0 += good;
                        slot.1 += bad;
                    }
                }
            }
        }
        chunk = end;
    }
    Ok(measure)
}

/// For each of `steps` steps from `from`, whether the calendar is open throughout it.
fn open_steps(engine: &BusinessCalendar, from: DateTime<Utc>, steps: usize) -> Vec<bool> {
    let mut open = vec![false; steps];
    let to = from + chrono::Duration::seconds(steps as i64 * STEP_SECONDS);
    for (a, b) in engine.open_intervals(from, to) {
        // Step `s` covers `[from + 300 s, from + 300 (s + 1))`: inside `[a, b)` when it starts at
        // or after `a` and ends at or before `b`.
        let after_a = (a - from).num_seconds();
        let before_b = (b - from).num_seconds();
        let first =
            after_a.div_euclid(STEP_SECONDS) + i64::from(after_a.rem_euclid(STEP_SECONDS) != 0);
        let end = before_b.div_euclid(STEP_SECONDS);
        let (Ok(first), Ok(end)) = (usize::try_from(first.max(0)), usize::try_from(end.max(0)))
        else {
            continue;
        };
        for slot in open.iter_mut().take(end.min(steps)).skip(first) {
            *slot = true;
        }
    }
    open
}

/// The number of ISO weeks that overlap the period.
fn weeks_of(period: &Period) -> usize {
    let first = monday(period.from);
    let last = monday(period.last_day());
    usize::try_from((last - first).num_days() / 7 + 1).unwrap_or(0)
}

fn week_index(at: DateTime<Utc>, tz: Tz, first_monday: NaiveDate) -> Option<usize> {
    let date = at.with_timezone(&tz).date_naive();
    let days = (date - first_monday).num_days();
    if days < 0 {
        return None;
    }
    usize::try_from(days / 7).ok()
}

/// Whole numbers for `values` that add up to the rounded sum of `values`: each is the rounded
/// running sum less the previous one (all `values` are at least 0, so none is negative).
fn split_rounded(values: impl IntoIterator<Item = f64>) -> Vec<u64> {
    let mut running = 0.0;
    let mut previous = 0u64;
    values
        .into_iter()
        .map(|value| {
            running += value;
            let rounded = whole(running);
            let part = rounded.saturating_sub(previous);
            previous = previous.max(rounded);
            part
        })
        .collect()
}

/// A count of events rounded to a whole number, at least 0.
fn whole(value: f64) -> u64 {
    if value.is_finite() && value > 0.0 {
        value.round() as u64
    } else {
        0
    }
}

fn percent_of(good: u64, bad: u64) -> Option<f64> {
    let total = u128::from(good) + u128::from(bad);
    (total > 0).then(|| (u128::from(good) * 100) as f64 / total as f64)
}

/// The good and bad events of each week of a measure, rounded to whole events so that they add
/// up to the period's.
fn rounded_weeks(measure: &Measure) -> (Vec<u64>, Vec<u64>) {
    (
        split_rounded(measure.weeks.iter().map(|w| w.0)),
        split_rounded(measure.weeks.iter().map(|w| w.1)),
    )
}

/// Met when the measure is at least the target; no data without a measure.
fn status_of(measured: Option<f64>, target: f64) -> Status {
    match measured {
        Some(measured) if measured >= target => Status::Met,
        Some(_) => Status::Missed,
        None => Status::NoData,
    }
}

fn fill(o: &mut ObjectiveReport, measure: &Measure, period: &Period) {
    let (good, bad) = rounded_weeks(measure);
    let first = monday(period.from);
    o.weeks = good
        .iter()
        .zip(&bad)
        .enumerate()
        .map(|(i, (&good, &bad))| WeekMeasure {
            start: first + chrono::Days::new(7 * i as u64),
            good,
            bad,
            measured: percent_of(good, bad),
        })
        .collect();
    let good: u64 = good.iter().sum();
    let bad: u64 = bad.iter().sum();
    o.counts = Counts {
        total: good + bad,
        good,
        bad,
        pending: 0,
        unmatched: 0,
        escalated: 0,
    };
    o.measured = percent_of(good, bad);
    o.status = status_of(o.measured, o.target);
}

/// The trend of an objective: its earlier periods, each measured as the period of the review.
#[derive(Debug, Default)]
struct Trend {
    /// The periods with a counted event, the oldest first.
    points: Vec<TrendPoint>,
    /// The server's warnings not already given for the period of the review, each once.
    warnings: Vec<String>,
    /// Counted steps with events but no value of bad events, in all the periods.
    without_bad: usize,
    /// The first period that could not be measured (its index in the periods), and why: it and
    /// the periods before it are left out.
    failure: Option<(usize, Failure)>,
}

impl Trend {
    /// What the report says of the trend: the server's warnings, the steps without bad values,
    /// and the periods left out.
    fn notes(&self, sli: &Sli, earlier: &[Period], url: &str) -> Vec<String> {
        let mut notes = self.warnings.clone();
        if self.without_bad > 0 {
            notes.push(format!(
                "in the earlier periods of the trend, {}",
                without_bad_message(sli, self.without_bad)
            ));
        }
        if let Some((index, failure)) = &self.failure {
            let left_out = match earlier.len().saturating_sub(index + 1) {
                0 => format!("`{}`", earlier[*index].text),
                more => format!(
                    "`{}` and the {more} period(s) before it",
                    earlier[*index].text
                ),
            };
            notes.push(match failure {
                Failure::Query(message) => format!(
                    "the trend leaves out {left_out}: the monitoring source rejected the query: {message}"
                ),
                Failure::Source(message) => {
                    format!("the trend leaves out {left_out}: {url}: {message}")
                }
            });
        }
        notes
    }
}

/// Measures the objective of `queries` over each of `earlier` (the nearest first), with the
/// steps, mask and rounding of the period of the review. `known` are the warnings already given.
fn measure_trend(
    client: &Client,
    queries: &Queries,
    engine: &BusinessCalendar,
    earlier: &[Period],
    target: f64,
    known: &[String],
) -> Trend {
    let mut trend = Trend::default();
    for (index, period) in earlier.iter().enumerate() {
        let (from, to) = period.bounds(engine.timezone());
        let measure = match measure_objective(client, queries, engine, from, to, period) {
            Ok(measure) => measure,
            Err(failure) => {
                trend.failure = Some((index, failure));
                break;
            }
        };
        for warning in &measure.warnings {
            if known.contains(warning) {
                continue;
            }
            let warning = format!("in the earlier periods of the trend, {warning}");
            if !trend.warnings.contains(&warning) {
                trend.warnings.push(warning);
            }
        }
        trend.without_bad += measure.without_bad;
        let (good, bad) = rounded_weeks(&measure);
        let (good, bad): (u64, u64) = (good.iter().sum(), bad.iter().sum());
        if good + bad == 0 {
            continue;
        }
        let measured = percent_of(good, bad);
        trend.points.push(TrendPoint {
            period: period.text.clone(),
            from,
            to,
            good,
            bad,
            measured,
            status: status_of(measured, target),
        });
    }
    trend.points.reverse();
    trend
}

/// A blocking client of `/api/v1/query_range`.
struct Client {
    agent: ureq::Agent,
    endpoint: String,
    headers: Vec<(String, String)>,
    timeout: Duration,
}

/// The values of one answer, summed over its series, and its warnings.
struct Answer {
    values: Vec<(i64, f64)>,
    warnings: Vec<String>,
}

impl Client {
    fn new(source: &Source) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(source.timeout))
            .http_status_as_error(false)
            .build()
            .into();
        Client {
            agent,
            endpoint: source.endpoint(),
            headers: source.headers.clone(),
            timeout: source.timeout,
        }
    }

    /// The query evaluated every five minutes from `start` to `end` (Unix seconds, included).
    fn query_range(&self, query: &str, start: i64, end: i64) -> Result<Answer, Failure> {
        let mut request = self.agent.post(&self.endpoint);
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let (start, end, step) = (start.to_string(), end.to_string(), STEP_SECONDS.to_string());
        let sent = request.send_form([
            ("query", query),
            ("start", start.as_str()),
            ("end", end.as_str()),
            ("step", step.as_str()),
        ]);
        let mut response = sent.map_err(|error| Failure::Source(self.describe(&error)))?;
        let status = response.status();
        let body = response
            .body_mut()
            .with_config()
            .limit(ANSWER_LIMIT)
            .read_to_string()
            .map_err(|error| Failure::Source(self.describe(&error)))?;
        read_answer(status.as_u16(), status.canonical_reason(), &body).map_err(|failure| {
            match failure {
                Failure::Query(message) => Failure::Query(format!(
                    "{message}, in the query `{}`",
                    query.split_whitespace().collect::<Vec<_>>().join(" ")
                )),
                other => other,
            }
        })
    }

    fn describe(&self, error: &ureq::Error) -> String {
        match error {
            ureq::Error::Io(io) => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
                std::io::ErrorKind::ConnectionReset => "connection reset".into(),
                std::io::ErrorKind::TimedOut => self.no_answer(),
                _ => io.to_string(),
            },
            ureq::Error::Timeout(_) => self.no_answer(),
            ureq::Error::HostNotFound => "host not found".into(),
            ureq::Error::BodyExceedsLimit(_) => {
                format!(
                    "the answer is larger than {} MiB",
                    ANSWER_LIMIT / 1024 / 1024
                )
            }
            other => other.to_string(),
        }
    }

    fn no_answer(&self) -> String {
        format!("no answer within {} s", self.timeout.as_secs_f64())
    }
}

/// Reads an answer of `/api/v1/query_range`.
fn read_answer(status: u16, reason: Option<&str>, body: &str) -> Result<Answer, Failure> {
    let json: Option<Value> = serde_json::from_str(body).ok();
    let Some(json) = json.filter(|j| j.get("status").is_some()) else {
        let reason = reason.map(|r| format!(" {r}")).unwrap_or_default();
        let hint = "is it the base URL of a Prometheus HTTP API (`http://host:9090`, Mimir's `…/prometheus`)?";
        return Err(Failure::Source(if status == 200 {
            format!("the answer is not a Prometheus API answer: {hint}")
        } else {
            format!("HTTP {status}{reason}{}: {hint}", excerpt(body))
        }));
    };
    if json["status"] != "success" {
        let kind = json["errorType"].as_str().unwrap_or("error");
        let error = json["error"].as_str().unwrap_or("(no message)");
        return Err(if matches!(kind, "bad_data" | "execution") {
            Failure::Query(format!("{error} ({kind})"))
        } else {
            Failure::Source(format!("HTTP {status}: {error} ({kind})"))
        });
    }
    let data = &json["data"];
    if data["resultType"] != "matrix" {
        return Err(Failure::Query(format!(
            "the answer is a {}, not a range of values",
            data["resultType"].as_str().unwrap_or("nothing")
        )));
    }
    let mut values: Vec<(i64, f64)> = Vec::new();
    for series in data["result"].as_array().into_iter().flatten() {
        for point in series["values"].as_array().into_iter().flatten() {
            let Some(t) = point[0].as_f64() else {
                continue;
            };
            let Some(value) = point[1].as_str().and_then(|v| v.parse::<f64>().ok()) else {
                continue;
            };
            values.push((t.round() as i64, value));
        }
    }
    let warnings = json["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w.as_str())
        .map(|w| format!("the monitoring source warned: {w}"))
        .collect();
    Ok(Answer { values, warnings })
}

/// The start of a body, on one line, for an error message.
fn excerpt(body: &str) -> String {
    let line: String = body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect();
    if line.is_empty() {
        String::new()
    } else {
        format!(" ({line})")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::path::PathBuf;

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn queries_mirror_the_masked_rates_of_slac_build() {
        let sli = Sli::Ratio {
            errors: Some("sum(rate(e[$window]))".into()),
            good: None,
            total: "sum(rate(t[$window]))".into(),
        };
        let q = Queries::of(&sli).unwrap();
        assert_eq!(q.total, "300 * sum(sum(rate(t[5m])))");
        assert_eq!(
            q.bad,
            "300 * sum((sum(rate(e[5m]))) or (0 * (sum(rate(t[5m])))))"
        );
        let sli = Sli::Ratio {
            errors: None,
            good: Some("sum(rate(g[$window]))".into()),
            total: "sum(rate(t[$window]))".into(),
        };
        let q = Queries::of(&sli).unwrap();
        assert_eq!(
            q.bad,
            "300 * sum((sum(rate(t[5m]))) - ((sum(rate(g[5m]))) or (0 * (sum(rate(t[5m]))))))"
        );
        let sli = Sli::Latency {
            histogram: "h_bucket{job=\"api\"}".into(),
            threshold: slac_calendar::Duration::parse("300ms").unwrap(),
        };
        let q = Queries::of(&sli).unwrap();
        assert_eq!(q.total, "sum(increase(h_count{job=\"api\"}[5m]))");
        assert_eq!(
            q.bad,
            "sum(increase(h_count{job=\"api\"}[5m])) - sum(increase(h_bucket{job=\"api\",le=\"0.3\"}[5m]))"
        );
        assert_eq!(Queries::of(&Sli::Delivery), None);
    }

    #[test]
    fn only_steps_open_throughout_count() {
        let files = vec![(
            PathBuf::from("/ws/c.sla"),
            "calendar office {\n  timezone \"Europe/Paris\"\n  open mon-fri 09:00-17:00\n}\n"
                .to_string(),
        )];
        let workspace = slac_model::check_files(
            std::path::Path::new("/ws"),
            slac_model::Config::default(),
            &files,
            &slac_model::Options {
                today: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            },
        );
        let engine = workspace.model.engine("office").unwrap();
        // Monday 2 March 2026 from 08:50 Paris (07:50 UTC): steps 08:50, 08:55 closed; 09:00 …
        // 16:55 open (96 steps); 17:00 closed.
        let from = t("2026-03-02T07:50:00Z");
        let open = open_steps(&engine, from, 2 + 96 + 2);
        assert_eq!(open.iter().filter(|&&o| o).count(), 96);
        assert!(!open[0] && !open[1] && open[2] && open[97] && !open[98]);
        // From a start that is not on a step edge of the opening: 08:57:30 → the step starting
        // at 08:57:30 straddles 09:00 and does not count.
        let open = open_steps(&engine, t("2026-03-02T07:57:30Z"), 2);
        assert_eq!(open, [false, true]);
        let always = BusinessCalendar::always();
        assert!(open_steps(&always, from, 10).iter().all(|&o| o));
    }

    #[test]
    fn weekly_counts_add_up_to_the_period() {
        assert_eq!(split_rounded([0.4, 0.4, 0.4]), [0, 1, 0]);
        assert_eq!(split_rounded([2.0, 0.0, 3.0000000001]), [2, 0, 3]);
        assert_eq!(split_rounded([1.6, 1.6]), [2, 1]);
        assert_eq!(percent_of(0, 0), None);
        assert_eq!(percent_of(3, 1), Some(75.0));
    }

    #[test]
    fn answers_are_read_and_errors_told_apart() {
        let ok = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1773792300,"70"],[1773792600,"NaN"]]}]},"warnings":["partial"]}"#;
        let answer = read_answer(200, Some("OK"), ok).ok().unwrap();
        assert_eq!(answer.values[0], (1_773_792_300, 70.0));
        assert!(answer.values[1].1.is_nan());
        assert_eq!(answer.warnings, ["the monitoring source warned: partial"]);
        let bad = r#"{"status":"error","errorType":"bad_data","error":"1:19: parse error"}"#;
        assert_eq!(
            read_answer(400, Some("Bad Request"), bad).err(),
            Some(Failure::Query("1:19: parse error (bad_data)".into()))
        );
        let overloaded = r#"{"status":"error","errorType":"unavailable","error":"busy"}"#;
        assert_eq!(
            read_answer(503, None, overloaded).err(),
            Some(Failure::Source("HTTP 503: busy (unavailable)".into()))
        );
        let Err(Failure::Source(message)) =
            read_answer(404, Some("Not Found"), "404 page not found")
        else {
            panic!("a 404 is a source failure");
        };
        assert!(
            message.starts_with("HTTP 404 Not Found (404 page not found): is it the base URL"),
            "{message}"
        );
        assert!(matches!(
            read_answer(200, Some("OK"), "<html>"),
            Err(Failure::Source(_))
        ));
    }

    #[test]
    fn sources_and_headers_are_checked() {
        assert!(Source::new("http://127.0.0.1:9090").is_ok());
        assert_eq!(
            Source::new("https://mimir.example/prometheus/")
                .unwrap()
                .endpoint(),
            "https://mimir.example/prometheus/api/v1/query_range"
        );
        assert!(Source::new("127.0.0.1:9090").is_err());
        assert!(Source::new("http://").is_err());
        assert!(Source::new("http://h/?x=1").is_err());
        assert_eq!(
            Source::parse_header("X-Scope-OrgID: tenant-1").unwrap(),
            ("X-Scope-OrgID".to_string(), "tenant-1".to_string())
        );
        assert!(Source::parse_header("no colon").is_err());
        assert!(Source::parse_header("bad name: x").is_err());
    }
}
