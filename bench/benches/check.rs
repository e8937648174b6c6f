//! Parse throughput and `check` of a 1,000-agreement workspace, in memory (no disk I/O), so the
//! figures measure the language core alone. `scripts/bench-check` times the real binary end to end.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use slac_model::{check_files, Config, Options};
use slac_source::FileId;

fn workspace(n: usize) -> Vec<(PathBuf, String)> {
    slac_bench::generate_workspace(n)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".sla"))
        .map(|(path, text)| (PathBuf::from("/bench").join(path), text))
        .collect()
}

fn parse(c: &mut Criterion) {
    let files = workspace(1000);
    let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.bench_function("1000 agreements", |b| {
        b.iter(|| {
            for (index, (_, text)) in files.iter().enumerate() {
                let parse = slac_syntax::parse(FileId::new(index as u32), text);
                assert!(parse.errors.is_empty());
            }
        });
    });
    group.finish();
}

fn check(c: &mut Criterion) {
    let files = workspace(1000);
    let options = Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default(),
    };
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    group.bench_function("1000 agreements", |b| {
        b.iter(|| {
            let workspace = check_files(Path::new("/bench"), Config::default(), &files, &options);
            assert_eq!(workspace.error_count(), 0);
        });
    });
    group.finish();
}

criterion_group!(benches, parse, check);
criterion_main!(benches);
