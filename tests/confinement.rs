//! No path read from `slac.toml` or a `.sla` file leads out of the workspace, and `slac build`
//! replaces or removes only files it wrote itself (those its `.slac-manifest` lists): whatever
//! else is in the output folder stays, and what is outside the workspace is never touched
//! unless the user names it with `--out`.

// A panic is how a test fails: unwrapping is the point here.
#![allow(clippy::unwrap_used)]
#![cfg(unix)]

mod support;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use support::tree::hashes;
use support::{ratio_agreement, slac, PARTIES};

/// A folder holding the workspace `ws/` (agreements `api_0`, `api_1`, with `slac.toml` as
/// given) and, beside it, a folder `victim/` with files of someone else's.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(config: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path().join("ws");
        fs::create_dir(&ws).unwrap();
        fs::write(ws.join("slac.toml"), config).unwrap();
        fs::write(ws.join("common.sla"), PARTIES).unwrap();
        for id in ["api_0", "api_1"] {
            fs::write(ws.join(format!("{id}.sla")), ratio_agreement(id, "99.9%")).unwrap();
        }
        let victim = dir.path().join("victim");
        fs::create_dir_all(victim.join("prometheus")).unwrap();
        fs::write(victim.join("prometheus/rules.yml"), "mine: true\n").unwrap();
        fs::write(victim.join("notes.txt"), "do not delete\n").unwrap();
        Setup { dir }
    }

    fn ws(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    fn victim(&self) -> PathBuf {
        self.dir.path().join("victim")
    }
}

/// The victim's files, as [`Setup::new`] wrote them.
fn untouched(victim: &Path) {
    assert_eq!(
        hashes(victim).into_keys().collect::<Vec<_>>(),
        ["notes.txt", "prometheus/", "prometheus/rules.yml"]
    );
    assert_eq!(
        fs::read_to_string(victim.join("prometheus/rules.yml")).unwrap(),
        "mine: true\n"
    );
}

/// The lines of the manifest of `out`, without its comment.
fn manifest(out: &Path) -> Vec<String> {
    fs::read_to_string(out.join(".slac-manifest"))
        .unwrap_or_else(|e| panic!("no manifest in {}: {e}", out.display()))
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn an_out_that_climbs_out_of_the_workspace_is_refused_and_the_victim_untouched() {
    let setup = Setup::new("[workspace]\nout = \"../victim\"\n");
    let run = slac(&setup.ws(), &["build"]);
    run.assert_code(1);
    assert!(run.stderr.contains("E010"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`out` in slac.toml points outside the workspace: ../victim"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("slac.toml:2:7"), "{}", run.stderr);
    untouched(&setup.victim());

    // `slac check` says so too: it is a mistake in slac.toml.
    let run = slac(&setup.ws(), &["check"]);
    run.assert_code(1);
    assert!(run.stderr.contains("E010"), "{}", run.stderr);
}

#[test]
fn an_absolute_out_in_slac_toml_is_refused() {
    let setup = Setup::new("");
    let victim = setup.victim();
    fs::write(
        setup.ws().join("slac.toml"),
        format!("[workspace]\nout = \"{}\"\n", victim.display()),
    )
    .unwrap();
    let run = slac(&setup.ws(), &["build"]);
    run.assert_code(1);
    assert!(run.stderr.contains("E010"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("`out` in slac.toml is an absolute path, outside the workspace"),
        "{}",
        run.stderr
    );
    untouched(&victim);
}

#[test]
fn an_out_that_leaves_through_a_symbolic_link_is_refused() {
    let setup = Setup::new("[workspace]\nout = \"gen/rules\"\n");
    symlink(setup.victim(), setup.ws().join("gen")).unwrap();
    let run = slac(&setup.ws(), &["build"]);
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("`out` in slac.toml leads outside the workspace through a symbolic link"),
        "{}",
        run.stderr
    );
    untouched(&setup.victim());
    assert!(!setup.victim().join("rules").exists());

    // The default `build`, not written in slac.toml, a link leading out: refused as well.
    fs::write(setup.ws().join("slac.toml"), "").unwrap();
    symlink(setup.victim(), setup.ws().join("build")).unwrap();
    let run = slac(&setup.ws(), &["build"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("leads outside the workspace"),
        "{}",
        run.stderr
    );
    untouched(&setup.victim());
}

#[test]
fn a_template_folder_outside_the_workspace_is_refused() {
    let setup = Setup::new("[docs]\ntemplates = \"tpl\"\n");
    let outside = setup.dir.path().join("templates");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("agreement.md"), "stolen {{ agreement.id }}\n").unwrap();
    symlink(&outside, setup.ws().join("tpl")).unwrap();
    let run = slac(&setup.ws(), &["build"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains(
            "`[docs] templates` in slac.toml leads outside the workspace through a symbolic link"
        ),
        "{}",
        run.stderr
    );
    assert!(!setup.ws().join("build").exists());

    fs::write(
        setup.ws().join("slac.toml"),
        "[docs]\ntemplates = \"../templates\"\n",
    )
    .unwrap();
    let run = slac(&setup.ws(), &["build"]);
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("`[docs] templates` in slac.toml points outside the workspace"),
        "{}",
        run.stderr
    );
    assert!(!setup.ws().join("build").exists());
}

#[test]
fn a_template_file_that_links_out_of_its_folder_is_refused() {
    let setup = Setup::new("[docs]\ntemplates = \"tpl\"\n");
    let secret = setup.dir.path().join("secret.md");
    fs::write(&secret, "the secret\n").unwrap();
    fs::create_dir(setup.ws().join("tpl")).unwrap();
    symlink(&secret, setup.ws().join("tpl/agreement.md")).unwrap();
    let run = slac(&setup.ws(), &["build"]);
    assert_ne!(run.code(), 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("this template is a link to a file outside the templates folder"),
        "{}",
        run.stderr
    );
    assert!(!setup.ws().join("build").exists());
}

#[test]
fn imports_that_leave_by_an_absolute_path_or_a_link_are_refused() {
    let setup = Setup::new("");
    let outside = setup.dir.path().join("shared");
    fs::create_dir(&outside).unwrap();
    fs::write(
        outside.join("more.sla"),
        "party other {\n  name \"Other\"\n  kind external\n}\n",
    )
    .unwrap();
    symlink(&outside, setup.ws().join("linked")).unwrap();
    for import in [
        outside.join("more.sla").display().to_string(),
        "linked/more.sla".to_string(),
        "../shared/more.sla".to_string(),
    ] {
        fs::write(
            setup.ws().join("extra.sla"),
            format!("import \"{import}\"\n"),
        )
        .unwrap();
        let run = slac(&setup.ws(), &["build"]);
        run.assert_code(1);
        assert!(run.stderr.contains("E010"), "{import}: {}", run.stderr);
        assert!(!setup.ws().join("build").exists(), "{import}");
    }
}

#[test]
fn an_explicit_out_may_point_anywhere() {
    let setup = Setup::new("[workspace]\nout = \"out\"\n");
    let elsewhere = tempfile::tempdir().unwrap();
    let out = elsewhere.path().join("elsewhere");
    slac(&setup.ws(), &["build", "--out", out.to_str().unwrap()]).assert_code(0);
    assert!(out.join("prometheus/api_0.yml").is_file());
    assert!(manifest(&out).contains(&"prometheus/api_0.yml".to_string()));
    assert!(!setup.ws().join("out").exists());

    // Even into a folder that holds other files: they stay.
    let run = slac(
        &setup.ws(),
        &["build", "--out", setup.victim().to_str().unwrap()],
    );
    run.assert_code(0);
    assert_eq!(
        fs::read_to_string(setup.victim().join("prometheus/rules.yml")).unwrap(),
        "mine: true\n"
    );
    assert_eq!(
        fs::read_to_string(setup.victim().join("notes.txt")).unwrap(),
        "do not delete\n"
    );
    assert!(setup.victim().join("prometheus/api_0.yml").is_file());
}

#[test]
fn files_the_user_put_into_the_output_folder_survive_a_rebuild() {
    let setup = Setup::new("[workspace]\nout = \"out\"\n");
    let (ws, out) = (setup.ws(), setup.ws().join("out"));
    slac(&ws, &["build"]).assert_code(0);
    fs::write(out.join("prometheus/extra_rules.yml"), "mine: true\n").unwrap();
    fs::create_dir_all(out.join("docs/drafts")).unwrap();
    fs::write(out.join("docs/drafts/notes.md"), "draft\n").unwrap();
    fs::write(out.join("README.md"), "read me\n").unwrap();

    fs::write(ws.join("api_0.sla"), ratio_agreement("api_0", "99.5%")).unwrap();
    slac(&ws, &["build"]).assert_code(0);
    assert_eq!(
        fs::read_to_string(out.join("prometheus/extra_rules.yml")).unwrap(),
        "mine: true\n"
    );
    assert_eq!(
        fs::read_to_string(out.join("docs/drafts/notes.md")).unwrap(),
        "draft\n"
    );
    assert_eq!(
        fs::read_to_string(out.join("README.md")).unwrap(),
        "read me\n"
    );
    let listed = manifest(&out);
    assert!(
        !listed.iter().any(|f| f.contains("extra_rules")),
        "{listed:?}"
    );
    assert!(fs::read_to_string(out.join("prometheus/api_0.yml"))
        .unwrap()
        .contains("3h36m over 30d"));
}

#[test]
fn a_file_slac_did_not_write_where_it_generates_one_stops_the_build_and_stays() {
    let setup = Setup::new("[workspace]\nout = \"out\"\n");
    let (ws, out) = (setup.ws(), setup.ws().join("out"));
    // An output folder slac did not make (no manifest), with a file where a rule file goes.
    fs::create_dir_all(out.join("prometheus")).unwrap();
    fs::write(out.join("prometheus/api_0.yml"), "hand-written\n").unwrap();
    let run = slac(&ws, &["build"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("slac did not write it"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("api_0.yml"), "{}", run.stderr);
    assert_eq!(
        fs::read_to_string(out.join("prometheus/api_0.yml")).unwrap(),
        "hand-written\n"
    );
    assert!(!out.join(".slac-manifest").exists());
}

#[test]
fn the_files_of_the_manifest_are_replaced_and_a_deleted_agreement_s_files_go() {
    let setup = Setup::new("[workspace]\nout = \"out\"\n");
    let (ws, out) = (setup.ws(), setup.ws().join("out"));
    slac(&ws, &["build"]).assert_code(0);
    let first = manifest(&out);
    for file in ["prometheus/api_0.yml", "prometheus/api_1.yml"] {
        assert!(first.contains(&file.to_string()), "{first:?}");
    }
    // Every file listed is there, and every generated file is listed.
    let on_disk: Vec<String> = hashes(&out)
        .into_keys()
        .filter(|name| !name.ends_with('/') && name != ".slac-manifest")
        .collect();
    assert_eq!(on_disk, first);

    fs::remove_file(ws.join("api_1.sla")).unwrap();
    fs::write(ws.join("api_0.sla"), ratio_agreement("api_0", "99.5%")).unwrap();
    slac(&ws, &["build"]).assert_code(0);
    assert!(!out.join("prometheus/api_1.yml").exists());
    let second = manifest(&out);
    assert!(!second.iter().any(|f| f.contains("api_1")), "{second:?}");
    assert!(fs::read_to_string(out.join("prometheus/api_0.yml"))
        .unwrap()
        .contains("3h36m over 30d"));
    let on_disk: Vec<String> = hashes(&out)
        .into_keys()
        .filter(|name| !name.ends_with('/') && name != ".slac-manifest")
        .collect();
    assert_eq!(on_disk, second);
}
