//! The calendar engine in process: `BusinessCalendar::due` and `open_seconds` on a
//! `paris_office`-like calendar (Europe/Paris, mon-fri 08:00-17:00, sat 09:00-12:00, French
//! holidays with Easter-relative ones), over 10,000 start instants drawn uniformly from 2026-2027
//! by a fixed LCG (the same instants on every run). Throughput is in deadlines (or spans) per
//! second. `scripts/bench-calendar` times the real binary and compares with Python libraries.

use std::hint::black_box;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use slac_calendar::{
    BusinessCalendar, CalendarSpec, Duration, HolidayRule, OpenRange, TimeRange, WeekdaySet,
};

/// How many start instants each measured iteration goes through.
const STARTS: usize = 10_000;

/// A 64-bit linear congruential generator (Knuth's MMIX constants): deterministic, no crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        // The high bits are the random ones.
        self.0 >> 33
    }

    /// Uniform enough in `0..n` for a benchmark (n is far below 2^31).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn open(days: &str, range: &str) -> OpenRange {
    OpenRange {
        days: WeekdaySet::parse(days).expect("weekday set"),
        range: TimeRange::parse(range).expect("time range"),
    }
}

fn annual(month: u32, day: u32, name: &str) -> HolidayRule {
    HolidayRule::Annual {
        month,
        day,
        name: name.into(),
    }
}

fn easter(offset: i32, name: &str) -> HolidayRule {
    HolidayRule::Easter {
        offset,
        name: name.into(),
    }
}

/// The French public holidays: eight fixed dates and three relative to Easter.
fn france() -> Vec<HolidayRule> {
    vec![
        annual(1, 1, "Jour de l'an"),
        easter(1, "Lundi de Pâques"),
        annual(5, 1, "Fête du travail"),
        annual(5, 8, "Victoire 1945"),
        easter(39, "Ascension"),
        easter(50, "Lundi de Pentecôte"),
        annual(7, 14, "Fête nationale"),
        annual(8, 15, "Assomption"),
        annual(11, 1, "Toussaint"),
        annual(11, 11, "Armistice"),
        annual(12, 25, "Noël"),
    ]
}

/// `paris_office`: Europe/Paris, mon-fri 08:00-17:00, sat 09:00-12:00, closed on French holidays.
fn paris_office() -> BusinessCalendar {
    BusinessCalendar::new(CalendarSpec {
        timezone: Tz::Europe__Paris,
        open: vec![open("mon-fri", "08:00-17:00"), open("sat", "09:00-12:00")],
        holidays: france(),
        closed: Vec::new(),
    })
}

/// `STARTS` instants, to the second, uniform over 2026-01-01 to 2027-12-31 UTC.
fn starts() -> Vec<DateTime<Utc>> {
    let from = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("valid instant")
        .timestamp();
    let to = Utc
        .with_ymd_and_hms(2028, 1, 1, 0, 0, 0)
        .single()
        .expect("valid instant")
        .timestamp();
    let mut lcg = Lcg(0x5eed_ca1e_da75);
    (0..STARTS)
        .map(|_| {
            let t = from + lcg.below((to - from) as u64) as i64;
            DateTime::from_timestamp(t, 0).expect("in range")
        })
        .collect()
}

/// `(from, to)` pairs from the same starts, with a span drawn from `min_s..max_s` seconds.
fn spans(
    starts: &[DateTime<Utc>],
    min_s: u64,
    max_s: u64,
    seed: u64,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut lcg = Lcg(seed);
    starts
        .iter()
        .map(|&from| {
            let span = min_s + lcg.below(max_s - min_s);
            (from, from + chrono::Duration::seconds(span as i64))
        })
        .collect()
}

fn duration(text: &str) -> Duration {
    Duration::parse(text).expect("duration")
}

/// Builds every yearly table the measured queries will touch (the engine builds them lazily), and
/// checks that each deadline exists.
fn warm(calendar: &BusinessCalendar, starts: &[DateTime<Utc>], withins: &[Duration]) {
    for &start in starts {
        for &within in withins {
            assert!(calendar.due(start, within).is_some(), "no deadline");
        }
    }
}

fn due(c: &mut Criterion) {
    let calendar = paris_office();
    let starts = starts();
    let withins = ["4h", "30m", "2bd"];
    let parsed: Vec<Duration> = withins.iter().map(|w| duration(w)).collect();
    warm(&calendar, &starts, &parsed);

    let mut group = c.benchmark_group("due");
    group.throughput(Throughput::Elements(starts.len() as u64));
    for (name, within) in withins.iter().zip(parsed) {
        group.bench_function(*name, |b| {
            b.iter(|| {
                let mut sum = 0i64;
                for &start in &starts {
                    if let Some(deadline) = calendar.due(black_box(start), black_box(within)) {
                        sum = sum.wrapping_add(deadline.timestamp());
                    }
                }
                sum
            });
        });
    }
    group.finish();
}

fn open_seconds(c: &mut Criterion) {
    let calendar = paris_office();
    let starts = starts();
    const HOUR: u64 = 3_600;
    const DAY: u64 = 24 * HOUR;
    let cases = [
        ("hours (1-24h)", spans(&starts, HOUR, DAY, 1)),
        ("days (1-7d)", spans(&starts, DAY, 7 * DAY, 2)),
        ("weeks (1-6w)", spans(&starts, 7 * DAY, 42 * DAY, 3)),
    ];
    // The longest span ends in 2028 at the latest: warm every year from 2026 to 2028.
    for (_, pairs) in &cases {
        for &(from, to) in pairs {
            black_box(calendar.open_seconds(from, to));
        }
    }

    let mut group = c.benchmark_group("open_seconds");
    group.throughput(Throughput::Elements(starts.len() as u64));
    for (name, pairs) in &cases {
        group.bench_function(*name, |b| {
            b.iter(|| {
                let mut sum = 0i64;
                for &(from, to) in pairs {
                    sum = sum.wrapping_add(calendar.open_seconds(black_box(from), black_box(to)));
                }
                sum
            });
        });
    }
    group.finish();
}

criterion_group!(benches, due, open_seconds);
criterion_main!(benches);
