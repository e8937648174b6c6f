//! The comparison of one agreement before and after, field by field.

use std::collections::BTreeSet;

use slac_calendar::{CalendarSpec, Duration, HolidayRule, Window};
use slac_model::model::{
    Agreement, Cadence, Condition, ContactRef, Escalation, Objective, Side, Sli, Threshold,
    WithinCase, ALWAYS,
};
use slac_model::Model;

use crate::{Bump, Change, Impact};

const STRICTER: (Impact, Bump) = (Impact::StricterForProvider, Bump::Minor);
const WEAKER: (Impact, Bump) = (Impact::WeakerForCustomer, Bump::Major);
const WORDING: (Impact, Bump) = (Impact::Wording, Bump::Patch);
const CHANGED: (Impact, Bump) = (Impact::Changed, Bump::Major);

struct Changes {
    out: Vec<Change>,
}

impl Changes {
    fn push(
        &mut self,
        subject: impl Into<String>,
        description: impl Into<String>,
        (impact, bump): (Impact, Bump),
        inherited: bool,
    ) {
        self.out.push(Change {
            subject: subject.into(),
            description: description.into(),
            impact,
            bump,
            inherited,
        });
    }
}

fn percent(value: f64) -> String {
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

/// A length of time, largest units first (`3h36m`, `43m12s`).
fn clock(seconds: u64) -> String {
    Duration::Millis(seconds * 1000).to_string()
}

/// The window as a complement: "over 30d", "per month".
fn window_words(window: Window) -> String {
    match window {
        Window::Rolling(d) => format!("over {d}"),
        Window::Week => "per week".into(),
        Window::Month => "per month".into(),
        Window::Quarter => "per quarter".into(),
        Window::Year => "per year".into(),
    }
}

/// A target change with what it allows to fail, both ways: "error budget 3h36m → 43m12s over
/// 30d", or "5% → 3% of tickets may miss their deadline per month".
fn budget_change(before: &Objective, after: &Objective) -> String {
    let share = |target: f64| (100.0 - target).max(0.0) / 100.0;
    let timed = |o: &Objective| o.sli.is_monitoring() && o.calendar == ALWAYS;
    if timed(before) && timed(after) {
        let clock_of = |o: &Objective| {
            clock((share(o.target) * o.window.nominal_seconds() as f64).round() as u64)
        };
        if before.window == after.window {
            return format!(
                "error budget {} → {} {}",
                clock_of(before),
                clock_of(after),
                window_words(after.window)
            );
        }
        return format!(
            "error budget {} {} → {} {}",
            clock_of(before),
            window_words(before.window),
            clock_of(after),
            window_words(after.window)
        );
    }
    let what = match after.sli {
        Sli::Ratio { .. } | Sli::Latency { .. } => "of requests in open hours may fail",
        Sli::Delivery => "of deliveries may be late",
        Sli::Satisfaction { .. } => "of answers may be unsatisfied",
        _ => "of tickets may miss their deadline",
    };
    format!(
        "{} → {} {what} {}",
        percent(100.0 - before.target),
        percent(100.0 - after.target),
        window_words(after.window)
    )
}

/// Which of two deadlines is shorter, when they can be compared: both lengths of open time, or
/// both business days.
fn shorter(a: Duration, b: Duration) -> Option<bool> {
    match (a, b) {
        (Duration::Millis(x), Duration::Millis(y)) => Some(x < y),
        (Duration::BusinessDays(x), Duration::BusinessDays(y)) => Some(x < y),
        _ => None,
    }
}

fn conditions(case: &WithinCase) -> String {
    if case.conditions.is_empty() {
        return "by default".into();
    }
    let mut key: Vec<&Condition> = case.conditions.iter().collect();
    key.sort();
    let parts: Vec<String> = key
        .iter()
        .map(|c| format!("{} = {}", c.attribute, c.value))
        .collect();
    format!("for {}", parts.join(" and "))
}

fn deadline_change(subject: &str, before: Duration, after: Duration) -> (String, (Impact, Bump)) {
    let description = format!("{subject}: {before} → {after}");
    let class = match shorter(after, before) {
        Some(true) => STRICTER,
        Some(false) => WEAKER,
        None => CHANGED,
    };
    (description, class)
}

fn within(
    changes: &mut Changes,
    subject: &str,
    before: &Objective,
    after: &Objective,
    inherited: bool,
) {
    let key = |c: &WithinCase| c.condition_key();
    let default_before = before.within.iter().find(|c| c.is_default());
    let default_after = after.within.iter().find(|c| c.is_default());
    for case in &after.within {
        match before.within.iter().find(|b| key(b) == key(case)) {
            Some(old) if old.duration != case.duration => {
                let (description, class) = deadline_change(
                    &format!("deadline {}", conditions(case)),
                    old.duration,
                    case.duration,
                );
                changes.push(subject, description, class, inherited);
            }
            Some(_) => {}
            None => {
                // Those tickets fell under the default case before, if there was one.
                let (description, class) = match default_before.filter(|_| !case.is_default()) {
                    Some(default) => {
                        let class = match shorter(case.duration, default.duration) {
                            Some(true) => STRICTER,
                            Some(false) => WEAKER,
                            None => CHANGED,
                        };
                        (
                            format!(
                                "new deadline {}: {} (was {} by default)",
                                conditions(case),
                                case.duration,
                                default.duration
                            ),
                            class,
                        )
                    }
                    None => (
                        format!("new deadline {}: {}", conditions(case), case.duration),
                        STRICTER,
                    ),
                };
                changes.push(subject, description, class, inherited);
            }
        }
    }
    for case in &before.within {
        if after.within.iter().any(|a| key(a) == key(case)) {
            continue;
        }
        let (description, class) = match default_after.filter(|_| !case.is_default()) {
            Some(default) => {
                let class = match shorter(default.duration, case.duration) {
                    Some(true) => STRICTER,
                    Some(false) => WEAKER,
                    None => CHANGED,
                };
                (
                    format!(
                        "deadline {} removed: {} (now {} by default)",
                        conditions(case),
                        case.duration,
                        default.duration
                    ),
                    class,
                )
            }
            None => (
                format!(
                    "deadline {} removed: {} (those tickets now match no case)",
                    conditions(case),
                    case.duration
                ),
                WEAKER,
            ),
        };
        changes.push(subject, description, class, inherited);
    }
}

/// The open minutes of a calendar's week, from its weekly ranges.
fn weekly_minutes(spec: &CalendarSpec) -> u32 {
    let mut minutes = BTreeSet::new();
    for range in &spec.open {
        for (start, end) in range.week_intervals() {
            minutes.extend(start..end);
        }
    }
    minutes.len() as u32
}

fn hours(minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    if m == 0 {
        format!("{h}h")
    } else {
        format!("{h}h{m:02}")
    }
}

fn holiday_names(spec: &CalendarSpec) -> BTreeSet<String> {
    spec.holidays
        .iter()
        .map(|rule| match rule {
            HolidayRule::Annual { month, day, name } => format!("{name} ({month:02}-{day:02})"),
            HolidayRule::Easter { offset, name } => format!("{name} (Easter {offset:+})"),
            HolidayRule::Date { date, from, name } => match from {
                Some(from) => format!("{name} ({date} from {from})"),
                None => format!("{name} ({date})"),
            },
        })
        .collect()
}

fn spec_of(model: &Model, id: &str) -> Option<CalendarSpec> {
    if id == ALWAYS {
        return Some(CalendarSpec::always());
    }
    model.calendars.get(id).map(|c| c.spec(model))
}

/// Service hours: more open time is stricter for the provider, less is weaker for the customer.
fn calendar(
    changes: &mut Changes,
    subject: &str,
    (base, before): (&Model, &str),
    (head, after): (&Model, &str),
    inherited: bool,
) {
    let (Some(old), Some(new)) = (spec_of(base, before), spec_of(head, after)) else {
        return;
    };
    if before == after && old == new {
        return;
    }
    let (old_minutes, new_minutes) = (weekly_minutes(&old), weekly_minutes(&new));
    let name = if before == after {
        format!("calendar `{after}`")
    } else {
        format!("calendar `{before}` → `{after}`")
    };
    if old_minutes != new_minutes {
        changes.push(
            subject,
            format!(
                "{name}: open {} a week → {}",
                hours(old_minutes),
                hours(new_minutes)
            ),
            if new_minutes > old_minutes {
                STRICTER
            } else {
                WEAKER
            },
            inherited,
        );
    }
    if old.timezone != new.timezone {
        changes.push(
            subject,
            format!("{name}: time zone {} → {}", old.timezone, new.timezone),
            CHANGED,
            inherited,
        );
    }
    let (old_holidays, new_holidays) = (holiday_names(&old), holiday_names(&new));
    for added in new_holidays.difference(&old_holidays) {
        changes.push(
            subject,
            format!("{name}: holiday added: {added}"),
            WEAKER,
            inherited,
        );
    }
    for removed in old_holidays.difference(&new_holidays) {
        changes.push(
            subject,
            format!("{name}: holiday removed: {removed}"),
            STRICTER,
            inherited,
        );
    }
    if old.closed != new.closed {
        let added = new
            .closed
            .iter()
            .filter(|c| !old.closed.contains(c))
            .count();
        let removed = old
            .closed
            .iter()
            .filter(|c| !new.closed.contains(c))
            .count();
        changes.push(
            subject,
            format!("{name}: closed periods: {added} added, {removed} removed"),
            if removed > 0 && added == 0 {
                STRICTER
            } else {
                WEAKER
            },
            inherited,
        );
    }
}

fn threshold(threshold: &Threshold) -> String {
    match threshold {
        Threshold::Percent(p) => percent(*p),
        Threshold::After(d) => d.to_string(),
        Threshold::Breach => "breach".into(),
    }
}

fn contacts(refs: &[ContactRef]) -> BTreeSet<String> {
    refs.iter().map(ToString::to_string).collect()
}

/// Escalation levels: reached earlier is stricter, later weaker; who is told, changed.
fn escalation(
    changes: &mut Changes,
    subject: &str,
    before: Option<&Escalation>,
    after: Option<&Escalation>,
    inherited: bool,
) {
    let (before, after) = match (before, after) {
        (None, None) => return,
        (Some(b), None) => {
            changes.push(
                subject,
                format!("escalation policy `{}` removed", b.id),
                WEAKER,
                inherited,
            );
            return;
        }
        (None, Some(a)) => {
            changes.push(
                subject,
                format!("escalation policy `{}` added", a.id),
                STRICTER,
                inherited,
            );
            return;
        }
        (Some(b), Some(a)) => (b, a),
    };
    let name = if before.id == after.id {
        format!("`{}`", after.id)
    } else {
        format!("`{}` (was `{}`)", after.id, before.id)
    };
    for level in &after.levels {
        match before.levels.iter().find(|l| l.level == level.level) {
            None => changes.push(
                subject,
                format!(
                    "level {} of {name} added, at {}",
                    level.level,
                    threshold(&level.threshold)
                ),
                STRICTER,
                inherited,
            ),
            Some(old) => {
                if old.threshold != level.threshold {
                    let earlier = match (old.threshold, level.threshold) {
                        (Threshold::Percent(a), Threshold::Percent(b)) => Some(b < a),
                        (Threshold::After(a), Threshold::After(b)) => shorter(b, a),
                        (Threshold::Breach, Threshold::Percent(_)) => Some(true),
                        (Threshold::Percent(_), Threshold::Breach) => Some(false),
                        _ => None,
                    };
                    changes.push(
                        subject,
                        format!(
                            "level {} of {name} reached at {} → {}",
                            level.level,
                            threshold(&old.threshold),
                            threshold(&level.threshold)
                        ),
                        match earlier {
                            Some(true) => STRICTER,
                            Some(false) => WEAKER,
                            None => CHANGED,
                        },
                        inherited,
                    );
                }
                let (old_who, new_who) = (contacts(&old.notify), contacts(&level.notify));
                if old_who != new_who {
                    let added: Vec<&String> = new_who.difference(&old_who).collect();
                    let removed: Vec<&String> = old_who.difference(&new_who).collect();
                    let mut parts = Vec::new();
                    if !added.is_empty() {
                        parts.push(format!(
                            "now also tells {}",
                            added
                                .iter()
                                .map(|c| format!("`{c}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                    if !removed.is_empty() {
                        parts.push(format!(
                            "no longer tells {}",
                            removed
                                .iter()
                                .map(|c| format!("`{c}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                    changes.push(
                        subject,
                        format!("level {} of {name} {}", level.level, parts.join(", ")),
                        match (added.is_empty(), removed.is_empty()) {
                            (_, true) => STRICTER,
                            (true, false) => WEAKER,
                            (false, false) => CHANGED,
                        },
                        inherited,
                    );
                }
            }
        }
    }
    for old in &before.levels {
        if !after.levels.iter().any(|l| l.level == old.level) {
            changes.push(
                subject,
                format!(
                    "level {} of {name} (at {}) removed",
                    old.level,
                    threshold(&old.threshold)
                ),
                WEAKER,
                inherited,
            );
        }
    }
}

fn objective(
    changes: &mut Changes,
    (base, before_agreement, before): (&Model, &Agreement, &Objective),
    (head, after_agreement, after): (&Model, &Agreement, &Objective),
) {
    let subject = format!("objective `{}`", after.id);
    let inherited = after.inherited;
    if before.target != after.target {
        let description = format!(
            "target {} → {}: {}",
            percent(before.target),
            percent(after.target),
            budget_change(before, after)
        );
        changes.push(
            &subject,
            description,
            if after.target > before.target {
                STRICTER
            } else {
                WEAKER
            },
            inherited,
        );
    }
    if before.window != after.window {
        let longer = after.window.nominal_seconds() > before.window.nominal_seconds();
        changes.push(
            &subject,
            format!(
                "measured {} → {}: {}; {}",
                window_words(before.window),
                window_words(after.window),
                budget_change(before, after),
                if longer {
                    "a bad day weighs less in a longer window"
                } else {
                    "a bad day weighs more in a shorter window"
                }
            ),
            CHANGED,
            inherited,
        );
    }
    if before.sli != after.sli {
        let description = match (&before.sli, &after.sli) {
            (Sli::Latency { threshold: a, .. }, Sli::Latency { threshold: b, .. }) if a != b => {
                format!("latency threshold {a} → {b}")
            }
            (a, b) if a.name() != b.name() => format!("indicator `{}` → `{}`", a.name(), b.name()),
            _ => "indicator query changed".to_string(),
        };
        let class = match (&before.sli, &after.sli) {
            (Sli::Latency { threshold: a, .. }, Sli::Latency { threshold: b, .. }) => {
                match shorter(*b, *a) {
                    Some(true) => STRICTER,
                    Some(false) if a != b => WEAKER,
                    _ => CHANGED,
                }
            }
            _ => CHANGED,
        };
        changes.push(&subject, description, class, inherited);
    }
    within(changes, &subject, before, after, inherited);
    calendar(
        changes,
        &subject,
        (base, &before.calendar),
        (head, &after.calendar),
        inherited,
    );
    if before.due != after.due {
        changes.push(&subject, "delivery schedule changed", CHANGED, inherited);
    }
    if before.owner != after.owner {
        changes.push(
            &subject,
            format!(
                "indicator owner {} → {}",
                before
                    .owner
                    .as_ref()
                    .map_or("none".into(), |o| format!("`{o}`")),
                after
                    .owner
                    .as_ref()
                    .map_or("none".into(), |o| format!("`{o}`"))
            ),
            WORDING,
            inherited,
        );
    }
    let names = |o: &Objective| -> BTreeSet<String> {
        o.supports
            .iter()
            .map(|r| format!("{}.{}", r.agreement, r.objective))
            .collect()
    };
    let (old_supports, new_supports) = (names(before), names(after));
    for added in new_supports.difference(&old_supports) {
        changes.push(
            &subject,
            format!("now underpins `{added}`"),
            STRICTER,
            inherited,
        );
    }
    for removed in old_supports.difference(&new_supports) {
        changes.push(
            &subject,
            format!("no longer underpins `{removed}`"),
            WEAKER,
            inherited,
        );
    }
    if before.title != after.title
        || before.description != after.description
        || before.doc != after.doc
    {
        changes.push(
            &subject,
            "title, description or comment reworded",
            WORDING,
            inherited,
        );
    }
    // The agreement's own policy is compared once, for the agreement; here only an objective
    // that names a policy of its own (before or after).
    if before.escalation.is_some() || after.escalation.is_some() {
        escalation(
            changes,
            &subject,
            base.escalation_for(before_agreement, before),
            head.escalation_for(after_agreement, after),
            inherited,
        );
    }
}

fn cadence(cadence: &Cadence) -> (String, u64) {
    match cadence {
        Cadence::Weekly => ("weekly".into(), 7),
        Cadence::Monthly => ("monthly".into(), 30),
        Cadence::Quarterly => ("quarterly".into(), 91),
        Cadence::Yearly => ("yearly".into(), 365),
        Cadence::Every(d) => (
            format!("every {d}"),
            Window::Rolling(*d).nominal_seconds() / 86_400,
        ),
    }
}

/// Every difference between two versions of one agreement.
pub(crate) fn agreement(
    base: &Model,
    head: &Model,
    before: &Agreement,
    after: &Agreement,
) -> Vec<Change> {
    let mut changes = Changes { out: Vec::new() };
    let inherited = |field: &str| after.inherited_fields.iter().any(|f| f == field);

    if before.provider != after.provider {
        changes.push(
            "provider",
            format!("`{}` → `{}`", before.provider, after.provider),
            CHANGED,
            inherited("provider"),
        );
    }
    if before.customer != after.customer {
        changes.push(
            "customer",
            format!("`{}` → `{}`", before.customer, after.customer),
            CHANGED,
            inherited("customer"),
        );
    }
    if before.kind != after.kind {
        changes.push(
            "kind",
            format!("{:?} → {:?}", before.kind, after.kind).to_lowercase(),
            CHANGED,
            inherited("kind"),
        );
    }
    let (bf, af) = (before.effective, after.effective);
    if bf.from != af.from {
        changes.push(
            "effective period",
            format!("starts {} → {}", bf.from, af.from),
            if af.from < bf.from { STRICTER } else { WEAKER },
            inherited("effective"),
        );
    }
    if bf.to != af.to {
        let show = |d: Option<chrono::NaiveDate>| d.map_or("no end".to_string(), |d| d.to_string());
        let longer = match (bf.to, af.to) {
            (Some(a), Some(b)) => b > a,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => false,
        };
        changes.push(
            "effective period",
            format!("ends {} → {}", show(bf.to), show(af.to)),
            if longer { STRICTER } else { WEAKER },
            inherited("effective"),
        );
    }
    if before.fee != after.fee {
        let show = |fee: &Option<slac_model::model::Money>| {
            fee.as_ref().map_or("none".to_string(), |m| {
                let per = m
                    .per
                    .map(|p| format!(" per {p:?}").to_lowercase())
                    .unwrap_or_default();
                format!("{} {}{per}", m.amount, m.currency)
            })
        };
        let amount = |fee: &Option<slac_model::model::Money>| {
            fee.as_ref().and_then(|m| m.amount.parse::<f64>().ok())
        };
        let same_terms = before.fee.as_ref().map(|m| (&m.currency, m.per))
            == after.fee.as_ref().map(|m| (&m.currency, m.per));
        let class = match (amount(&before.fee), amount(&after.fee)) {
            (Some(a), Some(b)) if same_terms && b > a => WEAKER,
            (Some(a), Some(b)) if same_terms && b < a => STRICTER,
            _ => CHANGED,
        };
        changes.push(
            "fee",
            format!("{} → {}", show(&before.fee), show(&after.fee)),
            class,
            inherited("fee"),
        );
    }
    let (old_services, new_services): (BTreeSet<&String>, BTreeSet<&String>) = (
        before.services.iter().collect(),
        after.services.iter().collect(),
    );
    for added in new_services.difference(&old_services) {
        changes.push(
            "services",
            format!("`{added}` now covered"),
            STRICTER,
            inherited("services"),
        );
    }
    for removed in old_services.difference(&new_services) {
        changes.push(
            "services",
            format!("`{removed}` no longer covered"),
            WEAKER,
            inherited("services"),
        );
    }

    escalation(
        &mut changes,
        "escalation procedure",
        before
            .escalation
            .as_deref()
            .and_then(|id| base.escalations.get(id)),
        after
            .escalation
            .as_deref()
            .and_then(|id| head.escalations.get(id)),
        inherited("escalation"),
    );

    for new in &after.objectives {
        match before.objective(&new.id) {
            Some(old) => objective(&mut changes, (base, before, old), (head, after, new)),
            None => changes.push(
                format!("objective `{}`", new.id),
                format!("added: target {} over {}", percent(new.target), new.window),
                STRICTER,
                new.inherited,
            ),
        }
    }
    for old in &before.objectives {
        if after.objective(&old.id).is_none() {
            changes.push(
                format!("objective `{}`", old.id),
                format!(
                    "removed (was target {} over {})",
                    percent(old.target),
                    old.window
                ),
                WEAKER,
                old.inherited,
            );
        }
    }

    match (&before.credit, &after.credit) {
        (Some(old), Some(new)) => {
            let key =
                |t: &slac_model::model::CreditTier| (t.objective.clone(), format!("{}", t.below));
            for tier in &new.tiers {
                match old.tiers.iter().find(|o| key(o) == key(tier)) {
                    Some(o) if o.refund != tier.refund => changes.push(
                        "service credits",
                        format!(
                            "`{}` below {}: refund {} → {}",
                            tier.objective,
                            percent(tier.below),
                            percent(o.refund),
                            percent(tier.refund)
                        ),
                        if tier.refund > o.refund {
                            STRICTER
                        } else {
                            WEAKER
                        },
                        new.inherited,
                    ),
                    Some(_) => {}
                    None => changes.push(
                        "service credits",
                        format!(
                            "new tier: `{}` below {} refunds {}",
                            tier.objective,
                            percent(tier.below),
                            percent(tier.refund)
                        ),
                        STRICTER,
                        new.inherited,
                    ),
                }
            }
            for tier in &old.tiers {
                if !new.tiers.iter().any(|n| key(n) == key(tier)) {
                    changes.push(
                        "service credits",
                        format!(
                            "tier removed: `{}` below {} refunded {}",
                            tier.objective,
                            percent(tier.below),
                            percent(tier.refund)
                        ),
                        WEAKER,
                        new.inherited,
                    );
                }
            }
            if old.cap != new.cap {
                let show = |cap: Option<f64>| cap.map_or("no cap".to_string(), percent);
                let higher = match (old.cap, new.cap) {
                    (Some(a), Some(b)) => b > a,
                    (Some(_), None) => true,
                    _ => false,
                };
                changes.push(
                    "service credits",
                    format!("cap {} → {}", show(old.cap), show(new.cap)),
                    if higher { STRICTER } else { WEAKER },
                    new.inherited,
                );
            }
        }
        (None, Some(new)) => changes.push(
            "service credits",
            format!("added: {} tier(s)", new.tiers.len()),
            STRICTER,
            new.inherited,
        ),
        (Some(old), None) => changes.push(
            "service credits",
            format!("removed: {} tier(s)", old.tiers.len()),
            WEAKER,
            old.inherited,
        ),
        (None, None) => {}
    }

    for side in [Side::Provider, Side::Customer] {
        let texts = |a: &Agreement| -> BTreeSet<String> {
            a.responsibilities
                .iter()
                .filter(|r| r.side == side)
                .map(|r| r.text.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect()
        };
        let (old, new) = (texts(before), texts(after));
        let who = if side == Side::Provider {
            "provider"
        } else {
            "customer"
        };
        for added in new.difference(&old) {
            // A new duty of the provider is stricter for it; a new duty of the customer is
            // weaker for the customer.
            let class = if side == Side::Provider {
                STRICTER
            } else {
                WEAKER
            };
            changes.push(
                format!("{who} responsibilities"),
                format!("added: “{added}”"),
                class,
                false,
            );
        }
        for removed in old.difference(&new) {
            let class = if side == Side::Provider {
                WEAKER
            } else {
                STRICTER
            };
            changes.push(
                format!("{who} responsibilities"),
                format!("removed: “{removed}”"),
                class,
                false,
            );
        }
    }

    for clause in &after.clauses {
        match before.clauses.iter().find(|c| c.heading == clause.heading) {
            None => changes.push(
                format!("clause “{}”", clause.heading),
                "added",
                CHANGED,
                clause.inherited,
            ),
            Some(old) if old.text != clause.text => {
                // The same words, laid out or punctuated differently, are wording; any other
                // change of a clause may change an obligation: it must be read.
                let words = |text: &str| -> Vec<String> {
                    text.split(|c: char| !c.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .map(str::to_lowercase)
                        .collect()
                };
                let (description, class) = if words(&old.text) == words(&clause.text) {
                    ("text reworded (same words)", WORDING)
                } else {
                    ("text changed: read it", CHANGED)
                };
                changes.push(
                    format!("clause “{}”", clause.heading),
                    description,
                    class,
                    clause.inherited,
                );
            }
            Some(_) => {}
        }
    }
    for clause in &before.clauses {
        if !after.clauses.iter().any(|c| c.heading == clause.heading) {
            changes.push(
                format!("clause “{}”", clause.heading),
                "removed",
                CHANGED,
                clause.inherited,
            );
        }
    }

    if before.review.as_ref().map(|r| &r.cadence) != after.review.as_ref().map(|r| &r.cadence) {
        let show = |r: &Option<slac_model::model::Review>| r.as_ref().map(|r| cadence(&r.cadence));
        let (old, new) = (show(&before.review), show(&after.review));
        let class = match (&old, &new) {
            (Some((_, a)), Some((_, b))) if b < a => STRICTER,
            (None, Some(_)) => STRICTER,
            _ => WEAKER,
        };
        changes.push(
            "service review",
            format!(
                "{} → {}",
                old.map_or("none".into(), |(w, _)| w),
                new.map_or("none".into(), |(w, _)| w)
            ),
            class,
            inherited("review"),
        );
    } else if before.review.as_ref().map(|r| contacts(&r.with))
        != after.review.as_ref().map(|r| contacts(&r.with))
    {
        changes.push(
            "service review",
            "participants changed",
            WORDING,
            inherited("review"),
        );
    }

    if before.title != after.title
        || before.description != after.description
        || before.doc != after.doc
        || before.language != after.language
    {
        changes.push(
            "agreement",
            "title, description, comment or language reworded",
            WORDING,
            false,
        );
    }
    changes.out
}
