//! The formatted text of each input under `tests/inputs`, compared with its reviewed snapshot.
//!
//! `tests/inputs/spec` holds the `sla` examples of the language reference, copied as written;
//! the ones that are not whole files (bare `objective` blocks) do not parse and are skipped.
//! Run `INSTA_UPDATE=always cargo test -p slac-fmt` after a deliberate layout change, then read
//! every changed `.snap` file.

mod common;

use common::{check_format, inputs_dir, parses, sla_files};

#[test]
fn formatted_inputs_match_their_snapshots() {
    let root = inputs_dir();
    let files = sla_files(&root);
    assert!(files.len() >= 15, "the inputs are missing: {files:?}");
    for path in files {
        let source = std::fs::read_to_string(&path).expect("an input is readable");
        if !parses(&source) {
            continue;
        }
        let relative = path.strip_prefix(&root).unwrap_or(&path);
        let name = relative
            .with_extension("")
            .to_string_lossy()
            .replace(['/', '\\'], "__");
        let formatted = check_format(&name, &source);
        insta::with_settings!({
            snapshot_path => "snapshots",
            prepend_module_to_snapshot => false,
            input_file => &path,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, formatted);
        });
    }
}
