//! The calendar engine in process: `BusinessCalendar::due` and `open_seconds` on a
//! `paris_office`-like calendar (Europe/Paris, mon-fri 08:00-17:00, sat 09:00-12:00, French
//! holidays with Easter-relative ones), over 10,000 start instants drawn uniformly from 2026-2027
//! by a fixed LCG (the same instants on every run). Throughput is in deadlines (or spans) per
//! second. `scripts/bench-calendar` times the real binary and compares with Python libraries;
//! `examples/calendar_throughput.rs` measures the same by thread CPU time.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use slac_calendar::Duration;

#[path = "../fixtures/calendar.rs"]
mod fixture;

use fixture::{duration, paris_office, span_cases, starts, warm, WITHINS};

fn due(c: &mut Criterion) {
    let calendar = paris_office();
    let starts = starts();
    let withins = WITHINS;
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
    let cases = span_cases(&starts);
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
