//! `calendar_throughput [PASSES=50]`: the calendar engine in process, on one core, by thread CPU
//! time: the figure `scripts/bench-calendar` reports as "calendar deadlines in process".
//!
//! The same workload as the criterion benchmark `benches/calendar.rs` (the shared
//! `fixtures/calendar.rs`): `BusinessCalendar::due` with `4h`, `30m` and `2bd`, and
//! `open_seconds` over spans of 1-24 hours, 1-7 days and 1-6 weeks, each from the same 10,000
//! start instants, the yearly tables warmed first. Each case runs PASSES passes over the
//! 10,000 instants; each pass is timed by the wall clock and by the thread's own CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`), which a busy machine disturbs much less. Prints, per case,
//! the median of each in millions a second, then one line per case for scripts:
//! `case=due/4h elements=10000 median_wall_ns=… median_cpu_ns=…` (`NA` where there is no such
//! clock).

use std::hint::black_box;
use std::time::Instant;

use slac_calendar::Duration;

#[path = "../fixtures/calendar.rs"]
mod fixture;
#[path = "../fixtures/timing.rs"]
mod timing;

use fixture::{duration, paris_office, span_cases, starts, warm, WITHINS};
use timing::{median, thread_cpu_ns};

/// Times `passes` calls of `pass`, each over `elements` elements, and prints the figures.
fn measure(name: &str, elements: usize, passes: usize, mut pass: impl FnMut() -> i64) {
    let mut walls = Vec::with_capacity(passes);
    let mut cpus = Vec::with_capacity(passes);
    for _ in 0..passes {
        let cpu_start = thread_cpu_ns();
        let start = Instant::now();
        black_box(pass());
        walls.push(start.elapsed().as_nanos() as u64);
        if let (Some(before), Some(after)) = (cpu_start, thread_cpu_ns()) {
            cpus.push(after.saturating_sub(before));
        }
    }
    let rate = |ns: u64| {
        if ns == 0 {
            0.0
        } else {
            elements as f64 / (ns as f64 / 1e9) / 1e6
        }
    };
    let wall = median(&mut walls);
    let cpu = (cpus.len() == passes).then(|| median(&mut cpus));
    match cpu {
        Some(cpu) => println!(
            "{name:<28} CPU time {:6.2} M/s   wall {:6.2} M/s",
            rate(cpu),
            rate(wall)
        ),
        None => println!(
            "{name:<28} wall {:6.2} M/s (no thread CPU time)",
            rate(wall)
        ),
    }
    println!(
        "case={name} elements={elements} median_wall_ns={wall} median_cpu_ns={}",
        cpu.map_or_else(|| "NA".to_string(), |c| c.to_string())
    );
}

fn main() {
    let passes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50)
        .max(1);
    let calendar = paris_office();
    let starts = starts();
    let parsed: Vec<Duration> = WITHINS.iter().map(|w| duration(w)).collect();
    warm(&calendar, &starts, &parsed);
    let cases = span_cases(&starts);
    for (_, pairs) in &cases {
        for &(from, to) in pairs {
            black_box(calendar.open_seconds(from, to));
        }
    }

    println!(
        "{} start instants, {passes} passes per case, one thread (median per pass)",
        starts.len()
    );
    for (name, within) in WITHINS.iter().zip(parsed) {
        measure(&format!("due/{name}"), starts.len(), passes, || {
            let mut sum = 0i64;
            for &start in &starts {
                if let Some(deadline) = calendar.due(black_box(start), black_box(within)) {
                    sum = sum.wrapping_add(deadline.timestamp());
                }
            }
            sum
        });
    }
    for (name, pairs) in &cases {
        measure(&format!("open_seconds/{name}"), pairs.len(), passes, || {
            let mut sum = 0i64;
            for &(from, to) in pairs {
                sum = sum.wrapping_add(calendar.open_seconds(black_box(from), black_box(to)));
            }
            sum
        });
    }
}
