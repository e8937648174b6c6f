//! `slac build` as a pipeline uses it: it writes each target under the output folder, the same
//! input gives the same bytes, and a build that fails (bad input, unknown target) leaves the
//! previous output exactly as it was.

// A panic is how a test fails: unwrapping is the point here.
#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use support::{ratio_agreement, slac, PARTIES};

/// The parties and one agreement `api` with a 99.9% availability target.
fn agreement() -> String {
    format!("{PARTIES}\n{}", ratio_agreement("api", "99.9%"))
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("slac.toml"), "[workspace]\nout = \"out\"\n").unwrap();
    std::fs::write(dir.path().join("api.sla"), agreement()).unwrap();
    dir
}

/// Every file below `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                files.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn build_writes_the_prometheus_rules_into_the_configured_folder() {
    let ws = workspace();
    let run = slac(ws.path(), &["build"]);
    run.assert_code(0);
    let rules = std::fs::read_to_string(ws.path().join("out/prometheus/api.yml")).unwrap();
    assert!(
        rules.contains("record: \"slac:sli_error:ratio_rate5m\""),
        "{rules}"
    );
    assert!(rules.contains("alert: \"SlacErrorBudgetBurn\""), "{rules}");
    assert!(rules.contains("escalation_level: \"2\""), "{rules}");
    assert!(rules.contains("budget: \"43m12s over 30d\""), "{rules}");
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let ws = workspace();
    slac(ws.path(), &["build"]).assert_code(0);
    let first = snapshot(&ws.path().join("out"));
    slac(ws.path(), &["build"]).assert_code(0);
    assert_eq!(first, snapshot(&ws.path().join("out")));
}

#[test]
fn a_failed_build_leaves_the_previous_output_whole() {
    let ws = workspace();
    slac(ws.path(), &["build"]).assert_code(0);
    let before = snapshot(&ws.path().join("out"));
    assert!(!before.is_empty());

    // An error in the input: nothing is written.
    let broken = agreement().replace("target 99.9%", "target 199.9%");
    std::fs::write(ws.path().join("api.sla"), broken).unwrap();
    let run = slac(ws.path(), &["build"]);
    run.assert_code(1);
    assert!(run.stderr.contains("E005"), "{}", run.stderr);
    assert_eq!(before, snapshot(&ws.path().join("out")));

    // An unknown target is a usage error, also before anything is written.
    std::fs::write(ws.path().join("api.sla"), agreement()).unwrap();
    let run = slac(ws.path(), &["build", "--target", "nagios"]);
    run.assert_code(2);
    assert!(run.stderr.contains("prometheus"), "{}", run.stderr);
    assert_eq!(before, snapshot(&ws.path().join("out")));
}

#[test]
fn a_rebuild_removes_files_of_agreements_that_are_gone() {
    let ws = workspace();
    slac(ws.path(), &["build"]).assert_code(0);
    let renamed = agreement().replace("agreement api {", "agreement public_api {");
    std::fs::write(ws.path().join("api.sla"), renamed).unwrap();
    slac(ws.path(), &["build"]).assert_code(0);
    let files: Vec<String> = snapshot(&ws.path().join("out")).into_keys().collect();
    assert_eq!(
        files,
        [
            ".slac-manifest",
            "alertmanager/alertmanager.yml",
            "docs/en/catalogue.html",
            "docs/en/catalogue.md",
            "docs/en/public_api.html",
            "docs/en/public_api.md",
            "docs/index.html",
            "grafana/public_api.json",
            "openslo/public_api.yaml",
            "prometheus/public_api.yml"
        ]
    );
}

#[test]
fn out_overrides_the_configured_folder() {
    let ws = workspace();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("rules");
    slac(ws.path(), &["build", "--out", out.to_str().unwrap()]).assert_code(0);
    assert!(out.join("prometheus/api.yml").is_file());
    assert!(!ws.path().join("out").exists());
}
