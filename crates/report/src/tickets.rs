//! The life of a ticket, event by event, and its clocks against a ticket objective.
//!
//! Semantics (see the crate documentation): pauses stop both clocks; the response clock stops at
//! the first `responded` (or the first `resolved` when no response came before it); the
//! resolution clock stops at `resolved`, and a `reopened` ticket runs again until the next
//! `resolved` (the time between a resolution and the reopening does not count). A ticket is
//! judged as it stands at the end of the period.

use chrono::{DateTime, Utc};
use slac_calendar::{BusinessCalendar, Duration};
use slac_model::model::{Escalation, Threshold};

use crate::input::EventKind;
use crate::{EscalationFired, TicketEscalation};

type Instant = DateTime<Utc>;

/// What is kept of a ticket opened in the period until the period ends.
#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    pub opened: Instant,
    pub attrs: Vec<(String, String)>,
    last: Instant,
    last_kind: EventKind,
    responded: Option<Instant>,
    /// `[paused, resumed)`; the last may still run.
    pauses: Vec<(Instant, Option<Instant>)>,
    /// `[resolved, reopened)`; the last may still hold.
    closures: Vec<(Instant, Option<Instant>)>,
}

impl Ticket {
    pub fn new(opened: Instant, attrs: Vec<(String, String)>) -> Self {
        Ticket {
            opened,
            attrs,
            last: opened,
            last_kind: EventKind::Opened,
            responded: None,
            pauses: Vec::new(),
            closures: Vec::new(),
        }
    }

    fn is_paused(&self) -> bool {
        self.pauses.last().is_some_and(|p| p.1.is_none())
    }

    fn is_resolved(&self) -> bool {
        self.closures.last().is_some_and(|c| c.1.is_none())
    }

    /// Applies a later event; `Err` says why the event cannot follow the ticket's history (the
    /// ticket is left unchanged).
    pub fn apply(&mut self, kind: EventKind, at: Instant) -> Result<(), String> {
        if kind == self.last_kind && at == self.last {
            return Err(format!("duplicate `{}` event", kind.name()));
        }
        if at < self.last {
            return Err(format!(
                "out of order: `{}` at {} comes before the ticket's previous event (`{}` at {})",
                kind.name(),
                at.to_rfc3339(),
                self.last_kind.name(),
                self.last.to_rfc3339()
            ));
        }
        match kind {
            EventKind::Opened => {
                return Err(format!(
                    "ticket already opened at {}",
                    self.opened.to_rfc3339()
                ))
            }
            EventKind::Responded => {
                // Only the first response stops the clock; later ones are accepted.
                if self.responded.is_none() {
                    self.responded = Some(at);
                }
            }
            EventKind::Paused => {
                if self.is_paused() {
                    return Err("`paused` while the ticket is already paused".into());
                }
                if self.is_resolved() {
                    return Err("`paused` while the ticket is resolved".into());
                }
                self.pauses.push((at, None));
            }
            EventKind::Resumed => {
                if !self.is_paused() {
                    return Err("`resumed` while the ticket is not paused".into());
                }
                if let Some(last) = self.pauses.last_mut() {
                    last.1 = Some(at);
                }
            }
            EventKind::Resolved => {
                if self.is_resolved() {
                    return Err(
                        "`resolved` while the ticket is already resolved (send `reopened` first)"
                            .into(),
                    );
                }
                // A resolution ends a pause.
                if self.is_paused() {
                    if let Some(last) = self.pauses.last_mut() {
                        last.1 = Some(at);
                    }
                }
                self.closures.push((at, None));
            }
            EventKind::Reopened => {
                if !self.is_resolved() {
                    return Err("`reopened` while the ticket is not resolved".into());
                }
                if let Some(last) = self.closures.last_mut() {
                    last.1 = Some(at);
                }
            }
            EventKind::Delivered | EventKind::Survey => {
                return Err(format!("`{}` is not a ticket event", kind.name()))
            }
        }
        self.last = at;
        self.last_kind = kind;
        Ok(())
    }

    /// When the clock of `clock` stopped, as known at `cutoff` (events at or after the cutoff
    /// are not known yet).
    fn stop(&self, clock: Clock, cutoff: Instant) -> Option<Instant> {
        match clock {
            Clock::Response => {
                let first_resolved = self.closures.first().map(|c| c.0);
                let stop = match (self.responded, first_resolved) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                stop.filter(|t| *t < cutoff)
            }
            Clock::Resolution => {
                let (resolved, reopened) = *self.closures.iter().rev().find(|c| c.0 < cutoff)?;
                match reopened {
                    Some(r) if r < cutoff => None,
                    _ => Some(resolved),
                }
            }
        }
    }

    /// The intervals during which `clock` did not run, up to `until` (clipped to it).
    fn stopped(&self, clock: Clock, until: Instant) -> Vec<(Instant, Instant)> {
        let mut out: Vec<(Instant, Instant)> = self
            .pauses
            .iter()
            .filter(|p| p.0 < until)
            .map(|&(a, b)| (a, b.map_or(until, |b| b.min(until))))
            .collect();
        if clock == Clock::Resolution {
            out.extend(
                self.closures
                    .iter()
                    .filter(|c| c.0 < until)
                    .map(|&(a, b)| (a, b.map_or(until, |b| b.min(until)))),
            );
        }
        out.retain(|(a, b)| a < b);
        out.sort();
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clock {
    Response,
    Resolution,
}

/// How a ticket stands against its deadline at the end of the period.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Met {
        due: Instant,
        actual: Instant,
    },
    /// `actual` is `None` when the ticket was still running at the end of the period, past its
    /// deadline; lateness is then counted up to the end of the period.
    Breached {
        due: Instant,
        actual: Option<Instant>,
        late_open_seconds: i64,
        late_wall_seconds: i64,
    },
    Pending {
        due: Option<Instant>,
    },
}

pub(crate) struct Judged {
    pub outcome: Outcome,
    pub escalation: Option<TicketEscalation>,
}

/// Judges a ticket against a case's `within` at `cutoff` (the end of the period), with the
/// escalation levels that would have fired.
pub(crate) fn judge(
    ticket: &Ticket,
    id: &str,
    clock: Clock,
    within: Duration,
    engine: &BusinessCalendar,
    cutoff: Instant,
    escalation: Option<&Escalation>,
) -> Judged {
    let stop = ticket.stop(clock, cutoff);
    let end = stop.unwrap_or(cutoff);
    let stopped = ticket.stopped(clock, end);
    let Some(due) = engine.due_with_pauses(ticket.opened, within, &stopped) else {
        // The calendar never opens again: no deadline can pass.
        return Judged {
            outcome: Outcome::Pending { due: None },
            escalation: None,
        };
    };
    let outcome = match stop {
        Some(actual) if actual <= due => Outcome::Met { due, actual },
        _ if end > due => Outcome::Breached {
            due,
            actual: stop,
            late_open_seconds: engine.open_seconds(due, end)
                - stopped_open(engine, &stopped, due, end),
            late_wall_seconds: (end - due).num_seconds(),
        },
        _ => Outcome::Pending { due: Some(due) },
    };
    let escalation = escalation.and_then(|policy| {
        let breached = matches!(outcome, Outcome::Breached { .. });
        let allowance = engine.open_seconds(ticket.opened, due)
            - stopped_open(engine, &stopped, ticket.opened, due);
        let mut fired = Vec::new();
        for level in &policy.levels {
            let at = match level.threshold {
                Threshold::Breach => breached.then_some(due),
                Threshold::Percent(p) => {
                    let share = (allowance as f64 * p / 100.0).ceil().max(0.0) as u64;
                    engine
                        .due_with_pauses(ticket.opened, Duration::Millis(share * 1000), &stopped)
                        .filter(|at| *at < end)
                }
                Threshold::After(d) => match d {
                    Duration::Millis(ms) => i64::try_from(ms.div_ceil(1000)).ok().and_then(|s| {
                        ticket
                            .opened
                            .checked_add_signed(chrono::Duration::seconds(s))
                    }),
                    Duration::BusinessDays(_) => engine.due(ticket.opened, d),
                }
                .filter(|at| *at < end),
            };
            if let Some(at) = at {
                fired.push(EscalationFired {
                    level: level.level,
                    at,
                    notify: level.notify.iter().map(|c| c.to_string()).collect(),
                });
            }
        }
        (!fired.is_empty()).then(|| TicketEscalation {
            ticket: id.to_string(),
            levels: fired,
        })
    });
    Judged {
        outcome,
        escalation,
    }
}

/// Open seconds of the stopped intervals inside `[from, to)`.
fn stopped_open(
    engine: &BusinessCalendar,
    stopped: &[(Instant, Instant)],
    from: Instant,
    to: Instant,
) -> i64 {
    // Merge overlapping intervals so that no open second counts twice.
    let mut merged: Vec<(Instant, Instant)> = Vec::new();
    for &(a, b) in stopped {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
        .iter()
        .map(|&(a, b)| engine.open_seconds(a.max(from), b.min(to)))
        .sum()
}
