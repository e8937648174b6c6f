//! `gen-workspace <DIR> [N=1000]`: writes a synthetic slac workspace of `N`
//! agreements below `DIR` (see `slac_bench::generate_workspace`) and prints
//! the number of files, lines and bytes written.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: gen-workspace <DIR> [N=1000]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let (dir, n) = match args.as_slice() {
        [dir] => (PathBuf::from(dir), 1000),
        [dir, n] => match n.parse::<usize>() {
            Ok(n) => (PathBuf::from(dir), n),
            Err(_) => {
                eprintln!("gen-workspace: N must be a non-negative integer, got `{n}`\n{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };

    let files = slac_bench::generate_workspace(n);
    let lines: usize = files.iter().map(|(_, c)| c.lines().count()).sum();
    let bytes: usize = files.iter().map(|(_, c)| c.len()).sum();
    if let Err(e) = slac_bench::write_workspace(&dir, n) {
        eprintln!("gen-workspace: cannot write {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    println!(
        "{}: {n} agreements, {} files, {lines} lines, {bytes} bytes",
        dir.display(),
        files.len()
    );
    ExitCode::SUCCESS
}
