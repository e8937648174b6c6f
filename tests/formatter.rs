//! `slac fmt` never changes what a file means: on every fixture, example and spec file that
//! parses, formatting twice gives the same text as formatting once, and the formatted workspace
//! has the same serialized model, the same diagnostics (codes and messages) and the same comments
//! as the original.

// A panic is how a test fails: unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use slac_model::{check_files, Config, Options, Workspace};
use slac_source::FileId;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.sla` file below `dir`, grouped by the fixture (or workspace) it belongs to.
fn groups(dir: &Path) -> Vec<Vec<PathBuf>> {
    let mut groups = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            let mut files = Vec::new();
            collect(&entry, &mut files);
            if !files.is_empty() {
                groups.push(files);
            }
        } else if entry.extension().is_some_and(|e| e == "sla") {
            groups.push(vec![entry]);
        }
    }
    groups
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "sla") {
            files.push(path);
        }
    }
    files.sort();
}

fn check(files: &[(PathBuf, String)]) -> Workspace {
    let options = Options {
        today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
    };
    check_files(Path::new("/fixture"), Config::default(), files, &options)
}

fn comments(text: &str) -> Vec<String> {
    let parse = slac_syntax::parse(FileId::new(0), text);
    parse
        .tree
        .comments
        .iter()
        .map(|c| text[c.span.range()].trim_end().to_string())
        .collect()
}

fn diagnostics(workspace: &Workspace) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = workspace
        .diagnostics
        .iter()
        .map(|d| (d.code.to_string(), d.message.clone()))
        .collect();
    found.sort();
    found
}

#[test]
fn formatting_keeps_the_meaning_of_every_fixture() {
    let root = repo();
    let mut all = groups(&root.join("tests/fixtures/diagnostics"));
    all.extend(groups(&root.join("tests/fixtures/spec")));
    let mut examples = Vec::new();
    collect(&root.join("examples"), &mut examples);
    all.push(examples);

    let mut compared = 0;
    let mut failures = Vec::new();
    for group in all {
        // In-memory paths, so that imports between the files of a fixture still resolve.
        let base = group[0].parent().unwrap().to_path_buf();
        let mut original = Vec::new();
        let mut formatted = Vec::new();
        let mut parses = true;
        for path in &group {
            let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
            let virtual_path = Path::new("/fixture").join(path.strip_prefix(&base).unwrap_or(path));
            match slac_fmt::format(&text) {
                Ok(once) => {
                    let twice = slac_fmt::format(&once).unwrap();
                    if once != twice {
                        failures.push(format!(
                            "{}: formatting twice differs from once",
                            path.display()
                        ));
                    }
                    if comments(&text) != comments(&once) {
                        failures.push(format!("{}: comments changed", path.display()));
                    }
                    original.push((virtual_path.clone(), text));
                    formatted.push((virtual_path, once));
                }
                Err(_) => parses = false,
            }
        }
        if !parses {
            continue;
        }
        let (before, after) = (check(&original), check(&formatted));
        let name = group[0].display();
        if serde_json::to_value(&before.model).unwrap()
            != serde_json::to_value(&after.model).unwrap()
        {
            failures.push(format!("{name}: the model changed"));
        }
        if diagnostics(&before) != diagnostics(&after) {
            failures.push(format!(
                "{name}: diagnostics changed\n  before: {:?}\n  after:  {:?}",
                diagnostics(&before),
                diagnostics(&after)
            ));
        }
        compared += 1;
    }
    assert!(
        compared >= 40,
        "only {compared} fixtures compared: are the fixtures missing?"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
