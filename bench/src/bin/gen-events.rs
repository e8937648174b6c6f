//! `gen-events <OUT.jsonl> <N> [--agreement ID] [--month YYYY-MM] [--months K]`: writes `N` ticket events
//! for `slac report` (see `bench/report/README.md`) and prints what it wrote.
//!
//! - One JSON object a line, as `slac report --data` reads them:
//!   `{"ticket":"T-202603-00000001","at":"2026-03-01T07:12:40Z","event":"opened",
//!   "agreement":"acme_printers","attrs":{"priority":"P2","region":"rural"}}`, then `responded`,
//!   `paused` / `resumed`, `resolved`, `reopened` (no `attrs` on those).
//! - Attributes fit the `acme_printers` agreement of `examples/`: `priority` P1 (10 %), P2
//!   (35 %) or P3 (55 %), `region` rural (30 %) or urban, so every `within` case but the default
//!   is used.
//! - A ticket's life: opened; sometimes paused for details before the response (4 %); responded
//!   (or, 3 %, resolved without a response) — in wall time, within half the time allowed for
//!   95.5 % of the tickets, in the escalation band (past half of it) for 3 %, past all of it for
//!   1.5 % (fewer are breached, as the clock only runs in `paris_office` hours); paused after
//!   the response for 25 %; resolved; reopened and resolved again for 5 %. Events of a ticket
//!   are at least a second apart and all within `MAX_LIFE` (3 days) of its opening.
//! - Tickets are opened evenly (with jitter) over the month (or the `--months K` months from
//!   `--month` on), read in Europe/Paris like the `paris_office` calendar, minus its last three
//!   days, so every event lies inside the period and no ticket is cut by its end. The file is in time order across tickets (the
//!   order of an export), so many tickets are open at once — a bounded number, since each
//!   lives at most three days. Times are written in UTC (`Z`).
//! - Deterministic: fixed LCG seeds, so the same arguments always give the same bytes. The
//!   number of tickets is found by a first pass over the same random lives; the last ticket is
//!   cut so that exactly `N` events are written.
//!
//! Ticket ids name the month (`T-202603-…`), so files of several months can be read together.
//! The generator's memory is bounded by the tickets open at once (about 61,000 at 10 million
//! events in a month), not by `N`.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str =
    "usage: gen-events <OUT.jsonl> <N> [--agreement ID] [--month YYYY-MM] [--months K]";

/// The longest life of a ticket, in seconds: opening to last event.
const MAX_LIFE: u32 = 3 * 86_400;

/// Seeds of the two generators: the lives of tickets, and the jitter of their openings.
const LIFE_SEED: u64 = 0x5eed_0f11_fe5e_ed01;
const ARRIVAL_SEED: u64 = 0x0a11_7a15_5eed_0002;

/// A 64-bit linear congruential generator (Knuth's MMIX constants); the top 53 bits are used.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)` (whole seconds).
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.unit() * f64::from(hi - lo)) as u32
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Opened,
    Responded,
    Paused,
    Resumed,
    Resolved,
    Reopened,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Opened => "opened",
            Kind::Responded => "responded",
            Kind::Paused => "paused",
            Kind::Resumed => "resumed",
            Kind::Resolved => "resolved",
            Kind::Reopened => "reopened",
        }
    }
}

/// The most events a life has: opened, paused, resumed, responded, paused, resumed, resolved,
/// reopened, resolved.
const MAX_STEPS: usize = 9;

/// A ticket's life: its attributes and its events, as offsets in seconds from its opening.
#[derive(Debug, Clone, Copy)]
struct Life {
    priority: &'static str,
    rural: bool,
    steps: [(u32, Kind); MAX_STEPS],
    len: usize,
}

impl Life {
    fn push(&mut self, offset: u32, kind: Kind) {
        // Cut at the longest life: the later events of this ticket are not in the export.
        if offset <= MAX_LIFE && self.len < MAX_STEPS {
            self.steps[self.len] = (offset, kind);
            self.len += 1;
        }
    }

    fn draw(rng: &mut Lcg) -> Life {
        const MIN: u32 = 60;
        const HOUR: u32 = 3_600;
        const DAY: u32 = 86_400;
        let p = rng.unit();
        let priority = if p < 0.10 {
            "P1"
        } else if p < 0.45 {
            "P2"
        } else {
            "P3"
        };
        let rural = rng.chance(0.30);
        let mut life = Life {
            priority,
            rural,
            steps: [(0, Kind::Opened); MAX_STEPS],
            len: 0,
        };
        life.push(0, Kind::Opened);
        // Wall time to the response. Allowed (open time, `paris_office`): P1 1h, P2 4h, P2 rural
        // 8h, P3 2bd. Open time never exceeds wall time, so "in time" is always met; the
        // escalation band is past half the allowance in wall time; late is past it.
        let band = rng.unit();
        let response = match (priority, band < 0.015, band < 0.045) {
            ("P1", true, _) => rng.range(90 * MIN, 6 * HOUR),
            ("P1", _, true) => rng.range(35 * MIN, 55 * MIN),
            ("P1", _, _) => rng.range(2 * MIN, 25 * MIN),
            ("P2", true, _) => rng.range(10 * HOUR, 30 * HOUR),
            ("P2", _, true) => rng.range(150 * MIN, 230 * MIN),
            ("P2", _, _) => rng.range(5 * MIN, 100 * MIN),
            (_, true, _) => rng.range(DAY, 2 * DAY),
            (_, _, true) => rng.range(10 * HOUR, 16 * HOUR),
            _ => rng.range(10 * MIN, 5 * HOUR),
        };
        let mut t = response;
        if rng.chance(0.04) {
            // Waiting on the customer for details before the response: the clock stops.
            let paused = rng.range(1, response.max(2));
            let resumed = paused + rng.range(10 * MIN, 4 * HOUR);
            life.push(paused, Kind::Paused);
            life.push(resumed, Kind::Resumed);
            t = resumed + (response - paused).max(1);
        }
        if rng.chance(0.97) {
            life.push(t, Kind::Responded);
            if rng.chance(0.25) {
                let paused = t + rng.range(5 * MIN, 4 * HOUR);
                let resumed = paused + rng.range(10 * MIN, 12 * HOUR);
                life.push(paused, Kind::Paused);
                life.push(resumed, Kind::Resumed);
                t = resumed;
            }
            t += rng.range(10 * MIN, 20 * HOUR);
        }
        life.push(t, Kind::Resolved);
        if rng.chance(0.05) {
            let reopened = t + rng.range(HOUR, 12 * HOUR);
            life.push(reopened, Kind::Reopened);
            life.push(reopened + rng.range(30 * MIN, 8 * HOUR), Kind::Resolved);
        }
        life
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Seconds since the epoch of midnight on the first of `month`, in Europe/Paris (UTC+2 from
/// April to October, UTC+1 otherwise: the first of a month is never in a week of change).
fn paris_month_start(year: i64, month: u32) -> i64 {
    let offset = if (4..=10).contains(&month) { 2 } else { 1 };
    days_from_civil(year, month, 1) * 86_400 - offset * 3_600
}

/// Writes instants as `2026-03-01T07:12:40Z`, the date part computed once a day.
struct Clock {
    day: i64,
    date: [u8; 11],
}

impl Clock {
    fn write(&mut self, out: &mut Vec<u8>, at: i64) {
        let day = at.div_euclid(86_400);
        if day != self.day {
            let (y, m, d) = civil_from_days(day);
            let text = format!("{y:04}-{m:02}-{d:02}T");
            self.date.copy_from_slice(text.as_bytes());
            self.day = day;
        }
        out.extend_from_slice(&self.date);
        let s = at.rem_euclid(86_400);
        for (value, sep) in [(s / 3_600, b':'), (s / 60 % 60, b':'), (s % 60, b'Z')] {
            out.push(b'0' + (value / 10) as u8);
            out.push(b'0' + (value % 10) as u8);
            out.push(sep);
        }
    }
}

struct Options {
    out: String,
    n: u64,
    agreement: String,
    year: i64,
    month: u32,
    /// How many months the tickets are spread over, from `month` on.
    months: u32,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut positional = Vec::new();
    let mut agreement = "acme_printers".to_string();
    let mut month_text = "2026-03".to_string();
    let mut months_text = "1".to_string();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--agreement" => agreement = it.next().ok_or("--agreement needs an id")?.clone(),
            "--month" => month_text = it.next().ok_or("--month needs YYYY-MM")?.clone(),
            "--months" => months_text = it.next().ok_or("--months needs a number")?.clone(),
            flag if flag.starts_with("--") => return Err(format!("unknown option `{flag}`")),
            _ => positional.push(arg.clone()),
        }
    }
    let [out, n] = positional.as_slice() else {
        return Err("expected OUT.jsonl and N".into());
    };
    let n = n
        .replace('_', "")
        .parse::<u64>()
        .map_err(|_| format!("N must be a non-negative integer, got `{n}`"))?;
    let bad_month = || format!("--month must be YYYY-MM, got `{month_text}`");
    let (y, m) = month_text.split_once('-').ok_or_else(bad_month)?;
    let year: i64 = y.parse().map_err(|_| bad_month())?;
    let month: u32 = m.parse().map_err(|_| bad_month())?;
    if y.len() != 4 || m.len() != 2 || !(1..=12).contains(&month) {
        return Err(bad_month());
    }
    let months: u32 = months_text
        .parse()
        .ok()
        .filter(|k| (1..=1200).contains(k))
        .ok_or_else(|| format!("--months must be 1 to 1200, got `{months_text}`"))?;
    if agreement.is_empty() || agreement.contains(['"', '\\']) {
        return Err(format!("--agreement must be a plain id, got `{agreement}`"));
    }
    Ok(Options {
        out: out.clone(),
        n,
        agreement,
        year,
        month,
        months,
    })
}

/// The number of tickets whose lives hold `n` events, and how many events the last one keeps.
fn count_tickets(n: u64) -> (u64, usize) {
    let mut rng = Lcg(LIFE_SEED);
    let (mut tickets, mut events) = (0u64, 0u64);
    while events < n {
        let len = Life::draw(&mut rng).len as u64;
        tickets += 1;
        if events + len >= n {
            return (tickets, (n - events) as usize);
        }
        events += len;
    }
    (0, 0)
}

struct Written {
    tickets: u64,
    bytes: u64,
    first: i64,
    last: i64,
    most_open: usize,
}

fn generate(options: &Options, out: &mut impl Write) -> std::io::Result<Written> {
    let start = paris_month_start(options.year, options.month);
    let after = i64::from(options.month - 1) + i64::from(options.months);
    let end = paris_month_start(options.year + after / 12, (after % 12) as u32 + 1);
    let span = (end - start - i64::from(MAX_LIFE) - 1).max(1);
    let (tickets, last_len) = count_tickets(options.n);

    let mut lives = Lcg(LIFE_SEED);
    let mut jitter = Lcg(ARRIVAL_SEED);
    let arrival = |i: u64, jitter: &mut Lcg| -> i64 {
        start + ((i as f64 + jitter.unit()) * span as f64 / tickets as f64) as i64
    };
    // Tickets still to write, from `base` on: opening instant, life, and whether it is done.
    let mut open: VecDeque<(i64, Life, bool)> = VecDeque::new();
    let mut base = 0u64;
    let mut next = 0u64;
    let mut next_at = if tickets > 0 {
        arrival(0, &mut jitter)
    } else {
        0
    };
    // Next event of each open ticket: (instant, ticket, step).
    let mut queue: BinaryHeap<Reverse<(i64, u64, usize)>> = BinaryHeap::new();
    let mut clock = Clock {
        day: i64::MIN,
        date: [0; 11],
    };
    let mut line = Vec::with_capacity(256);
    let agreement = options.agreement.as_bytes();
    let prefix = format!("T-{:04}{:02}-", options.year, options.month);
    let mut written = Written {
        tickets,
        bytes: 0,
        first: 0,
        last: 0,
        most_open: 0,
    };
    let mut events = 0u64;
    loop {
        // Open every ticket due before the next event of those already open.
        while next < tickets && queue.peek().is_none_or(|Reverse(e)| next_at <= e.0) {
            let mut life = Life::draw(&mut lives);
            if next + 1 == tickets {
                life.len = last_len;
            }
            open.push_back((next_at, life, false));
            queue.push(Reverse((next_at, next, 0)));
            next += 1;
            if next < tickets {
                next_at = arrival(next, &mut jitter);
            }
        }
        written.most_open = written.most_open.max(queue.len());
        let Some(Reverse((at, ticket, step))) = queue.pop() else {
            break;
        };
        let slot = (ticket - base) as usize;
        let (opened, life, _) = open[slot];
        let kind = life.steps[step].1;

        line.clear();
        line.extend_from_slice(b"{\"ticket\":\"");
        line.extend_from_slice(prefix.as_bytes());
        line.extend_from_slice(format!("{:08}", ticket + 1).as_bytes());
        line.extend_from_slice(b"\",\"at\":\"");
        clock.write(&mut line, at);
        line.extend_from_slice(b"\",\"event\":\"");
        line.extend_from_slice(kind.name().as_bytes());
        line.extend_from_slice(b"\",\"agreement\":\"");
        line.extend_from_slice(agreement);
        if kind == Kind::Opened {
            line.extend_from_slice(b"\",\"attrs\":{\"priority\":\"");
            line.extend_from_slice(life.priority.as_bytes());
            line.extend_from_slice(b"\",\"region\":\"");
            line.extend_from_slice(if life.rural { b"rural" } else { b"urban" });
            line.extend_from_slice(b"\"}}\n");
        } else {
            line.extend_from_slice(b"\"}\n");
        }
        out.write_all(&line)?;
        written.bytes += line.len() as u64;
        if events == 0 {
            written.first = at;
        }
        written.last = at;
        events += 1;

        if step + 1 < life.len {
            queue.push(Reverse((
                opened + i64::from(life.steps[step + 1].0),
                ticket,
                step + 1,
            )));
        } else {
            open[slot].2 = true;
            while open.front().is_some_and(|t| t.2) {
                open.pop_front();
                base += 1;
            }
        }
    }
    debug_assert_eq!(events, options.n);
    Ok(written)
}

fn iso(at: i64) -> String {
    let mut out = Vec::new();
    Clock {
        day: i64::MIN,
        date: [0; 11],
    }
    .write(&mut out, at);
    String::from_utf8_lossy(&out).into_owned()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match parse_args(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("gen-events: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let written = File::create(&options.out).and_then(|file| {
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let written = generate(&options, &mut out)?;
        out.flush()?;
        Ok(written)
    });
    match written {
        Ok(w) => {
            println!(
                "{}: {} events, {} tickets, {} bytes, {} to {}, at most {} tickets open at once",
                options.out,
                options.n,
                w.tickets,
                w.bytes,
                iso(w.first),
                iso(w.last),
                w.most_open
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-events: cannot write {}: {e}", options.out);
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2026, 3, 31)), (2026, 3, 31));
        assert_eq!(civil_from_days(days_from_civil(2028, 2, 29)), (2028, 2, 29));
        // 2026-03-01T00:00:00+01:00
        assert_eq!(iso(paris_month_start(2026, 3)), "2026-02-28T23:00:00Z");
        assert_eq!(iso(paris_month_start(2026, 4)), "2026-03-31T22:00:00Z");
    }

    #[test]
    fn several_months_spread_the_tickets() {
        let mut out = Vec::new();
        let options = Options {
            out: String::new(),
            n: 1_000,
            agreement: "acme_printers".into(),
            year: 2026,
            month: 11,
            months: 3,
        };
        let written = generate(&options, &mut out).unwrap();
        // From 1 November 2026 00:00 in Paris to the end of January 2027, less three days.
        let start = paris_month_start(2026, 11);
        assert!((start..start + 86_400).contains(&written.first));
        let end = paris_month_start(2027, 2);
        assert!(
            (end - 86_400 * 6..end).contains(&written.last),
            "{}",
            iso(written.last)
        );
    }

    #[test]
    fn lives_are_in_order_and_short() {
        let mut rng = Lcg(LIFE_SEED);
        for _ in 0..10_000 {
            let life = Life::draw(&mut rng);
            assert_eq!(life.steps[0], (0, Kind::Opened));
            assert!(life.steps[..life.len].windows(2).all(|w| w[0].0 < w[1].0));
            assert!(life.steps[life.len - 1].0 <= MAX_LIFE);
        }
    }

    #[test]
    fn exactly_n_events() {
        for n in [0u64, 1, 2, 3, 10, 1_000] {
            let options = Options {
                out: String::new(),
                n,
                agreement: "acme_printers".into(),
                year: 2026,
                month: 3,
                months: 1,
            };
            let mut out = Vec::new();
            generate(&options, &mut out).unwrap();
            assert_eq!(out.iter().filter(|b| **b == b'\n').count() as u64, n);
        }
    }
}
