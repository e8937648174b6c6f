//! `parse_throughput [N=1000] [ITERATIONS=20]`: parse throughput on one core, in MB/s
//! (10^6 bytes a second), the figure `scripts/bench-parse` reports.
//!
//! Generates the `.sla` files of a workspace of N agreements in memory (as `benches/check.rs`
//! does: no disk I/O), parses them all once to warm up, then ITERATIONS more times on this one
//! thread, timing each pass by the wall clock and by the thread's own CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`), which a busy machine disturbs much less than the wall clock.
//! Prints both medians and their spread, then one line for scripts:
//! `bytes=… files=… iterations=… median_wall_ns=… median_cpu_ns=…` (`median_cpu_ns=NA` where
//! there is no such clock).

use std::time::Instant;

use slac_source::FileId;

#[path = "../fixtures/timing.rs"]
mod timing;

use timing::{median, thread_cpu_ns};

fn mb_per_s(bytes: usize, ns: u64) -> f64 {
    if ns == 0 {
        return 0.0;
    }
    bytes as f64 / 1e6 / (ns as f64 / 1e9)
}

fn parse_all(files: &[String]) -> usize {
    let mut declarations = 0;
    for (index, text) in files.iter().enumerate() {
        let parse = slac_syntax::parse(FileId::new(index as u32), text);
        assert!(
            parse.errors.is_empty(),
            "the generated file {index} does not parse clean"
        );
        declarations += parse.tree.items.len();
    }
    declarations
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let iterations: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(20)
        .max(1);

    let files: Vec<String> = slac_bench::generate_workspace(n)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".sla"))
        .map(|(_, text)| text)
        .collect();
    let bytes: usize = files.iter().map(String::len).sum();
    let lines: usize = files.iter().map(|text| text.lines().count()).sum();

    let declarations = std::hint::black_box(parse_all(&files));
    let mut walls = Vec::with_capacity(iterations);
    let mut cpus = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let cpu_start = thread_cpu_ns();
        let start = Instant::now();
        std::hint::black_box(parse_all(std::hint::black_box(&files)));
        let wall = start.elapsed().as_nanos() as u64;
        walls.push(wall);
        if let (Some(before), Some(after)) = (cpu_start, thread_cpu_ns()) {
            cpus.push(after.saturating_sub(before));
        }
    }

    let wall = median(&mut walls);
    println!(
        "parse: {n} agreements, {} files, {lines} lines, {bytes} bytes, {declarations} declarations",
        files.len()
    );
    println!(
        "wall, {iterations} passes after 1 warm-up: median {:.2} ms = {:.1} MB/s (fastest {:.1}, slowest {:.1} MB/s)",
        wall as f64 / 1e6,
        mb_per_s(bytes, wall),
        mb_per_s(bytes, walls[0]),
        mb_per_s(bytes, walls[walls.len() - 1])
    );
    let cpu = if cpus.len() == iterations {
        let cpu = median(&mut cpus);
        println!(
            "thread CPU time: median {:.2} ms = {:.1} MB/s (fastest {:.1}, slowest {:.1} MB/s)",
            cpu as f64 / 1e6,
            mb_per_s(bytes, cpu),
            mb_per_s(bytes, cpus[0]),
            mb_per_s(bytes, cpus[cpus.len() - 1])
        );
        cpu.to_string()
    } else {
        println!("thread CPU time: not available on this system");
        "NA".to_string()
    };
    println!(
        "bytes={bytes} files={} iterations={iterations} median_wall_ns={wall} median_cpu_ns={cpu}",
        files.len()
    );
}
