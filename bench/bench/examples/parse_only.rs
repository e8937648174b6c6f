//! Parses a generated workspace once and prints its size: a fixed workload for instruction
//! counts (`valgrind --tool=callgrind target/release/examples/parse_only 100`).

use slac_source::FileId;

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let files = slac_bench::generate_workspace(n);
    let mut bytes = 0;
    let mut nodes = 0;
    for (index, (_, text)) in files.iter().enumerate() {
        let parse = slac_syntax::parse(FileId::new(index as u32), text);
        bytes += text.len();
        nodes += parse.tree.items.len();
    }
    println!("{bytes} bytes, {nodes} declarations");
}
