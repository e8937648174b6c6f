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

use smallvec::SmallVec;

use crate::input::EventKind;
use crate::{EscalationFired, TicketEscalation};

type Instant = DateTime<Utc>;

/// A ticket objective a ticket is measured by and not judged yet: the objective (its index in
/// the agreement's list), the period the ticket counts in (0 the period of the review, then
/// the earlier periods of the trend) and the `within` case it falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Track {
    pub objective: u16,
    pub period: u8,
    pub case: u16,
}

/// What is kept of a ticket while one of its objectives can still change: from its opening
/// until the last of its clocks is judged.
#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    pub id: Box<str>,
    pub opened: Instant,
    last: Instant,
    last_kind: EventKind,
    responded: Option<Instant>,
    /// `[paused, resumed)`; the last may still run.
    pauses: Vec<(Instant, Option<Instant>)>,
    /// `[resolved, reopened)`; the last may still hold.
    closures: Vec<(Instant, Option<Instant>)>,
    pub tracks: SmallVec<[Track; 2]>,
}

impl Ticket {
    pub fn new(id: &str, opened: Instant, tracks: SmallVec<[Track; 2]>) -> Self {
        Ticket {
            id: id.into(),
            opened,
            last: opened,
            last_kind: EventKind::Opened,
            responded: None,
            pauses: Vec::new(),
            closures: Vec::new(),
            tracks,
        }
    }

    fn is_paused(&self) -> bool {
        self.pauses.last().is_some_and(|p| p.1.is_none())
    }

    pub fn is_resolved(&self) -> bool {
        self.closures.last().is_some_and(|c| c.1.is_none())
    }

    /// The instant of the ticket's last event, in milliseconds.
    pub fn last_ms(&self) -> i64 {
        self.last.timestamp_millis()
    }

    /// Whether the response clock has stopped (before `cutoff`).
    pub fn responded_before(&self, cutoff: Instant) -> bool {
        self.stop(Clock::Response, cutoff).is_some()
    }

    /// What is left once every objective is judged: enough to check the ticket's later events.
    pub fn tomb(&self) -> Tomb {
        Tomb {
            last_ms: self.last.timestamp_millis(),
            last_kind: self.last_kind,
            paused: self.is_paused(),
            resolved: self.is_resolved(),
        }
    }

    /// Applies a later event; `Err` says why the event cannot follow the ticket's history (the
    /// ticket is left unchanged).
    pub fn apply(&mut self, kind: EventKind, at: Instant) -> Result<(), String> {
        if kind == self.last_kind && at == self.last {
            return Err(format!("duplicate `{}` event", kind.name()));
        }
        if at < self.last {
            return Err(out_of_order(kind, at, self.last_kind, self.last));
        }
        if kind == EventKind::Opened {
            return Err(format!(
                "ticket already opened at {}",
                self.opened.to_rfc3339()
            ));
        }
        transition(kind, self.is_paused(), self.is_resolved())?;
        match kind {
            EventKind::Responded => {
                // Only the first response stops the clock; later ones are accepted.
                if self.responded.is_none() {
                    self.responded = Some(at);
                }
            }
            EventKind::Paused => self.pauses.push((at, None)),
            EventKind::Resumed => {
                if let Some(last) = self.pauses.last_mut() {
                    last.1 = Some(at);
                }
            }
            EventKind::Resolved => {
                // A resolution ends a pause.
                if self.is_paused() {
                    if let Some(last) = self.pauses.last_mut() {
                        last.1 = Some(at);
                    }
                }
                self.closures.push((at, None));
            }
            EventKind::Reopened => {
                if let Some(last) = self.closures.last_mut() {
                    last.1 = Some(at);
                }
            }
            EventKind::Opened | EventKind::Delivered | EventKind::Survey => {}
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

fn out_of_order(kind: EventKind, at: Instant, last_kind: EventKind, last: Instant) -> String {
    format!(
        "out of order: `{}` at {} comes before the ticket's previous event (`{}` at {})",
        kind.name(),
        at.to_rfc3339(),
        last_kind.name(),
        last.to_rfc3339()
    )
}

/// Whether an event of `kind` may follow in a ticket's state (paused, resolved).
fn transition(kind: EventKind, paused: bool, resolved: bool) -> Result<(), String> {
    match kind {
        EventKind::Paused if paused => Err("`paused` while the ticket is already paused".into()),
        EventKind::Paused if resolved => Err("`paused` while the ticket is resolved".into()),
        EventKind::Resumed if !paused => Err("`resumed` while the ticket is not paused".into()),
        EventKind::Resolved if resolved => {
            Err("`resolved` while the ticket is already resolved (send `reopened` first)".into())
        }
        EventKind::Reopened if !resolved => {
            Err("`reopened` while the ticket is not resolved".into())
        }
        EventKind::Delivered | EventKind::Survey => {
            Err(format!("`{}` is not a ticket event", kind.name()))
        }
        _ => Ok(()),
    }
}

/// What is kept of a ticket whose objectives are all judged: its last event (to the
/// millisecond) and whether it is paused or resolved, so that its later events are checked as
/// those of a live ticket are (order, duplicates, state) — 8 bytes in a [`Slot`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tomb {
    last_ms: i64,
    last_kind: EventKind,
    paused: bool,
    resolved: bool,
}

impl Tomb {
    pub fn is_resolved(&self) -> bool {
        self.resolved
    }

    /// The instant of the ticket's last event, in milliseconds.
    pub fn last_ms(&self) -> i64 {
        self.last_ms
    }

    /// A ticket known from its `opened` event only.
    pub fn opened(at: Instant) -> Tomb {
        Tomb {
            last_ms: at.timestamp_millis(),
            last_kind: EventKind::Opened,
            paused: false,
            resolved: false,
        }
    }

    /// Checks a later event and records it, as [`Ticket::apply`] does.
    pub fn apply(&mut self, kind: EventKind, at: Instant) -> Result<(), String> {
        let at_ms = at.timestamp_millis();
        if kind == self.last_kind && at_ms == self.last_ms {
            return Err(format!("duplicate `{}` event", kind.name()));
        }
        if at_ms < self.last_ms {
            let last = DateTime::from_timestamp_millis(self.last_ms).unwrap_or_default();
            return Err(out_of_order(kind, at, self.last_kind, last));
        }
        if kind == EventKind::Opened {
            return Err("ticket already opened".into());
        }
        transition(kind, self.paused, self.resolved)?;
        match kind {
            EventKind::Paused => self.paused = true,
            EventKind::Resumed => self.paused = false,
            EventKind::Resolved => {
                self.paused = false;
                self.resolved = true;
            }
            EventKind::Reopened => self.resolved = false,
            _ => {}
        }
        self.last_ms = at_ms;
        self.last_kind = kind;
        Ok(())
    }
}

/// A ticket id's entry in the table of an agreement's tickets, packed in 8 bytes: a live ticket
/// (its index among the live ones), a judged ticket (its [`Tomb`]), or a ticket opened before
/// the periods measured (whose later events are left out; its tomb tells when it is resolved,
/// to forget it after the reopen window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot(u64);

pub(crate) enum SlotKind {
    Live(usize),
    Judged(Tomb),
    Before(Tomb),
}

const TAG_LIVE: u64 = 0;
const TAG_JUDGED: u64 = 1;
const TAG_BEFORE: u64 = 2;
/// Milliseconds are stored shifted by 2^56 in the top 57 bits: every instant chrono can hold
/// (years ±262,143) fits.
const MS_OFFSET: i64 = 1 << 56;

impl Slot {
    pub fn live(index: usize) -> Slot {
        Slot(((index as u64) << 2) | TAG_LIVE)
    }

    pub fn before(tomb: Tomb) -> Slot {
        Slot::pack(tomb, TAG_BEFORE)
    }

    pub fn judged(tomb: Tomb) -> Slot {
        Slot::pack(tomb, TAG_JUDGED)
    }

    fn pack(tomb: Tomb, tag: u64) -> Slot {
        let kind = EventKind::ALL
            .iter()
            .position(|k| *k == tomb.last_kind)
            .unwrap_or(0) as u64;
        let ms = (tomb.last_ms.clamp(-MS_OFFSET, MS_OFFSET - 1) + MS_OFFSET) as u64;
        Slot(
            (ms << 7)
                | (u64::from(tomb.resolved) << 6)
                | (u64::from(tomb.paused) << 5)
                | (kind << 2)
                | tag,
        )
    }

    pub fn get(self) -> SlotKind {
        let tomb = || Tomb {
            last_ms: (self.0 >> 7) as i64 - MS_OFFSET,
            last_kind: EventKind::ALL[((self.0 >> 2) & 7) as usize],
            paused: self.0 & (1 << 5) != 0,
            resolved: self.0 & (1 << 6) != 0,
        };
        match self.0 & 3 {
            TAG_LIVE => SlotKind::Live((self.0 >> 2) as usize),
            TAG_JUDGED => SlotKind::Judged(tomb()),
            _ => SlotKind::Before(tomb()),
        }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_slot_holds_what_it_was_given() {
        for index in [0, 1, 6_134, u32::MAX as usize] {
            assert!(matches!(Slot::live(index).get(), SlotKind::Live(i) if i == index));
        }
        let instants = [
            DateTime::parse_from_rfc3339("2026-03-02T09:14:00.123Z")
                .unwrap()
                .to_utc(),
            DateTime::parse_from_rfc3339("1969-12-31T23:59:59.999Z")
                .unwrap()
                .to_utc(),
            DateTime::<Utc>::MAX_UTC,
            DateTime::<Utc>::MIN_UTC,
        ];
        for at in instants {
            let text = at.to_string();
            for kind in EventKind::ALL {
                for (paused, resolved) in [(false, false), (true, false), (false, true)] {
                    let tomb = Tomb {
                        last_ms: at.timestamp_millis(),
                        last_kind: kind,
                        paused,
                        resolved,
                    };
                    match Slot::judged(tomb).get() {
                        SlotKind::Judged(back) => assert_eq!(back, tomb, "{text}"),
                        _ => panic!("not judged"),
                    }
                    match Slot::before(tomb).get() {
                        SlotKind::Before(back) => assert_eq!(back, tomb, "{text}"),
                        _ => panic!("not before"),
                    }
                }
            }
        }
    }

    #[test]
    fn a_tomb_checks_events_as_the_ticket_did() {
        let at = |m: i64| DateTime::from_timestamp(1_772_438_400 + m * 60, 0).unwrap();
        let mut ticket = Ticket::new("T", at(0), SmallVec::new());
        let mut tomb = Tomb::opened(at(0));
        let events = [
            (EventKind::Responded, 5),
            (EventKind::Responded, 5),
            (EventKind::Paused, 4),
            (EventKind::Resumed, 6),
            (EventKind::Paused, 7),
            (EventKind::Paused, 8),
            (EventKind::Resolved, 9),
            (EventKind::Resolved, 10),
            (EventKind::Paused, 11),
            (EventKind::Reopened, 12),
            (EventKind::Reopened, 13),
            (EventKind::Opened, 14),
            (EventKind::Survey, 15),
            (EventKind::Resolved, 16),
        ];
        for (kind, minute) in events {
            let live = ticket.apply(kind, at(minute));
            let judged = tomb.apply(kind, at(minute));
            assert_eq!(live.is_ok(), judged.is_ok(), "{kind:?} at {minute}");
            if let (Err(a), Err(b)) = (&live, &judged) {
                // The same reason, but that a tomb no longer knows when the ticket opened.
                assert_eq!(a.split(" at ").next(), b.split(" at ").next());
            }
        }
        assert_eq!(ticket.tomb(), tomb);
    }
}
