//! The typed model as later stages read it: what a declaration becomes, what `extends` inherits,
//! and which files a workspace holds. Each test loads real files through the public API.

// A panic is how a test fails: unwrapping is the point here.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use slac_model::model::{AgreementKind, Sli};
use slac_model::{load, Options, Workspace};

fn options() -> Options {
    Options {
        today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
    }
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn examples() -> Workspace {
    let workspace = load(&repo("examples"), &options()).unwrap();
    assert_eq!(workspace.diagnostics, vec![], "the examples check clean");
    workspace
}

/// The spec's agreement, as serialized for every later stage (documents, monitoring, diff).
#[test]
fn the_spec_agreement_becomes_this_model() {
    let workspace = load(&repo("tests/fixtures/spec/06_agreement.sla"), &options()).unwrap();
    assert!(!workspace.has_errors(), "{:?}", workspace.diagnostics);
    let agreement = &workspace.model.agreements["acme_printers"];
    insta::assert_json_snapshot!(agreement);
}

#[test]
fn a_child_inherits_what_it_does_not_redefine() {
    let workspace = examples();
    let parent = &workspace.model.agreements["corporate_baseline"];
    let child = &workspace.model.agreements["acme_manufacturing_sla"];
    let grandchild = &workspace.model.agreements["acme_manufacturing_printers"];

    assert_eq!(child.extends.as_deref(), Some("corporate_baseline"));
    // Objectives the child redefines are its own; the others come from the parent, marked.
    let satisfaction = child.objective("satisfaction").unwrap();
    assert!(satisfaction.inherited);
    assert_eq!(
        satisfaction.target,
        parent.objective("satisfaction").unwrap().target
    );
    let response = child.objective("response").unwrap();
    assert!(!response.inherited);
    assert!(response.target >= parent.objective("response").unwrap().target);
    // Responsibilities add up, the parent's first; clauses are inherited by heading.
    assert!(child.responsibilities.len() > parent.responsibilities.len());
    assert!(child.responsibilities[0].inherited);
    assert!(!child.responsibilities.last().unwrap().inherited);
    for clause in &parent.clauses {
        assert!(child.clauses.iter().any(|c| c.heading == clause.heading));
    }
    // Three levels: the grandchild sees the corporate terms through its parent.
    assert_eq!(
        grandchild.extends.as_deref(),
        Some("acme_manufacturing_sla")
    );
    assert!(grandchild.clauses.iter().any(|c| c.inherited));
    assert_eq!(grandchild.kind, AgreementKind::Customer);
}

#[test]
fn supporting_agreements_name_what_they_underpin() {
    let workspace = examples();
    let ola = &workspace.model.agreements["network_ola"];
    assert_eq!(ola.kind, AgreementKind::Operational);
    let dispatch = &ola.objectives[0];
    assert!(matches!(dispatch.sli, Sli::ResponseTime));
    assert!(dispatch
        .supports
        .iter()
        .any(|s| s.agreement == "acme_printers" && s.objective == "response"));
    // Every supports reference is also a reference an editor can follow.
    let found = workspace
        .symbols
        .references
        .iter()
        .any(|r| r.name == "acme_printers.response");
    assert!(found);
}

#[test]
fn the_serialized_model_does_not_depend_on_layout() {
    let dir = tempfile::tempdir().unwrap();
    let compact = "party p { name \"P\" kind internal contact c \"c@x.example\" }\n\
        agreement a { kind internal version 1.0.0 effective from 2026-01-01 provider p customer p \
        objective o { sli delivery due every mon 10:00 target 100% window quarter } }\n";
    let spread = "// a comment\nparty p {\n  name \"P\"\n  kind internal\n  contact c \"c@x.example\"\n}\n\n\
        agreement a {\n  kind internal\n  version 1.0.0\n  effective from 2026-01-01\n  provider p\n  customer p\n\n\
        \x20 objective o {\n    sli delivery\n    due every mon 10:00   // Monday morning\n    target 100%\n    window quarter\n  }\n}\n";
    let mut models = Vec::new();
    for (name, text) in [("compact.sla", compact), ("spread.sla", spread)] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let workspace = load(&path, &options()).unwrap();
        assert_eq!(workspace.diagnostics, vec![]);
        models.push(serde_json::to_value(&workspace.model).unwrap());
    }
    assert_eq!(models[0], models[1]);
}

#[test]
fn a_workspace_is_found_from_any_folder_below_its_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("slac.toml"),
        "[workspace]\ninclude = [\"contracts/**/*.sla\"]\nout = \"out\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("contracts/deep")).unwrap();
    std::fs::create_dir_all(root.join("out")).unwrap();
    std::fs::create_dir_all(root.join("drafts")).unwrap();
    std::fs::write(
        root.join("contracts/parties.sla"),
        "party p { name \"P\" }\n",
    )
    .unwrap();
    std::fs::write(
        root.join("contracts/deep/more.sla"),
        "party q { name \"Q\" }\n",
    )
    .unwrap();
    // Outside `include`: not part of the workspace, so its error is not reported.
    std::fs::write(root.join("drafts/broken.sla"), "party {\n").unwrap();
    std::fs::write(root.join("out/generated.sla"), "party {\n").unwrap();

    let workspace = load(&root.join("contracts/deep"), &options()).unwrap();
    assert_eq!(workspace.diagnostics, vec![]);
    let mut names: Vec<String> = workspace
        .sources
        .iter()
        .map(|f| f.path().file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["more.sla", "parties.sla"]);
    assert_eq!(workspace.model.parties.len(), 2);
}

#[test]
fn an_import_pulls_in_a_file_outside_include() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("slac.toml"),
        "[workspace]\ninclude = [\"main.sla\"]\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("shared")).unwrap();
    std::fs::write(
        root.join("main.sla"),
        "import \"shared/parties.sla\"\nservice s { owner p }\n",
    )
    .unwrap();
    std::fs::write(root.join("shared/parties.sla"), "party p { name \"P\" }\n").unwrap();
    let workspace = load(root, &options()).unwrap();
    assert_eq!(workspace.diagnostics, vec![]);
    assert_eq!(workspace.model.services["s"].owner.as_deref(), Some("p"));
}

/// Deadlines on different calendars are computed by the engine, and the first ticket for which
/// the supporting deadline is later is named.
#[test]
fn e008_across_calendars_names_a_counter_example() {
    let workspace = load(
        &repo("tests/fixtures/diagnostics/e008_different_calendars.sla"),
        &options(),
    )
    .unwrap();
    let e008: Vec<_> = workspace
        .diagnostics
        .iter()
        .filter(|d| d.code == slac_diagnostics::Code::E008)
        .collect();
    assert_eq!(e008.len(), 1, "{:?}", workspace.diagnostics);
    let example = e008[0]
        .labels
        .iter()
        .filter_map(|l| l.message.as_deref())
        .find(|m| m.starts_with("a ticket"))
        .unwrap();
    // From 25 November 2026 (a Wednesday): opened at midnight UTC, the office (08:00-17:00
    // Paris) answers by 12:00 Paris, 11:00 UTC; on `always` the 4 hours end at 04:00 UTC.
    assert_eq!(
        example,
        "a ticket that matches no condition opened Wed 25 Nov 2026 00:00 is due Wed 25 Nov 2026 11:00 \
         here, Wed 25 Nov 2026 04:00 under `acme_printers.response` (UTC)"
    );
}
