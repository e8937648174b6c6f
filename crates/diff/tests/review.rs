//! Reviews of before/after pairs of sources: what each change means, for whom, and the version
//! bump it demands.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use slac_diff::{review, Bump, Impact, Review, Status, Verdict};
use slac_model::{check_files, Config, Model, Options};

const PARTIES: &str = r#"
party acme {
  name "Acme Industries SA"
  kind external
  contact it_lead "it-lead@acme.example"
}

party desk {
  name "Service Desk"
  kind internal
  contact manager "manager@provider.example"
  contact oncall "oncall@provider.example"
}

calendar office {
  timezone "Europe/Paris"
  open mon-fri 08:00-17:00
}

calendar long_office {
  timezone "Europe/Paris"
  open mon-fri 08:00-19:00
}

escalation standard {
  level 1 at 50% notify desk.oncall
  level 2 at breach notify desk.manager, acme.it_lead
}
"#;

fn model(agreement: &str) -> (Model, Vec<slac_diagnostics::Diagnostic>) {
    let files = vec![
        (PathBuf::from("/ws/parties.sla"), PARTIES.to_string()),
        (PathBuf::from("/ws/agreement.sla"), agreement.to_string()),
    ];
    let options = Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
    };
    let workspace = check_files(Path::new("/ws"), Config::default(), &files, &options);
    let errors: Vec<_> = workspace
        .diagnostics
        .iter()
        .filter(|d| d.severity() == slac_diagnostics::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{agreement}");
    (workspace.model, workspace.diagnostics)
}

fn agreement(version: &str, body: &str) -> String {
    format!(
        r#"agreement api {{
  title "API"
  kind customer
  version {version}
  effective 2026-01-01 to 2026-12-31
  provider desk
  customer acme
  fee 1000 EUR per month
  escalation standard
{body}
}}
"#
    )
}

const AVAILABILITY: &str = r#"
  objective availability {
    sli ratio {
      errors "sum(rate(e[$window]))"
      total "sum(rate(t[$window]))"
    }
    target 99.5%
    window 30d
  }
"#;

const RESPONSE: &str = r#"
  objective response {
    sli response_time
    calendar office
    target 95%
    window month
    within 1h for priority = P1
    within 4h
  }
"#;

fn diff(before: &str, after: &str) -> Review {
    let (base, base_diagnostics) = model(before);
    let (head, diagnostics) = model(after);
    review(
        "base",
        "head",
        &base,
        &head,
        &base_diagnostics,
        &diagnostics,
    )
}

fn only(review: &Review) -> &slac_diff::AgreementReview {
    let touched: Vec<_> = review.touched().collect();
    assert_eq!(touched.len(), 1, "{review:#?}");
    touched[0]
}

#[test]
fn a_tighter_target_is_stricter_for_the_provider_with_the_budgets_both_ways() {
    let before = agreement("1.0.0", AVAILABILITY);
    let after = agreement("1.1.0", &AVAILABILITY.replace("99.5%", "99.9%"));
    let review = diff(&before, &after);
    let a = only(&review);
    assert_eq!(a.status, Status::Changed);
    assert_eq!(a.changes.len(), 1, "{a:#?}");
    let change = &a.changes[0];
    assert_eq!(change.impact, Impact::StricterForProvider);
    assert_eq!(change.bump, Bump::Minor);
    assert_eq!(
        change.description,
        "target 99.5% → 99.9%: error budget 3h36m → 43m12s over 30d"
    );
    assert_eq!(
        a.verdict,
        Verdict::Ok {
            required: Some(Bump::Minor)
        }
    );
}

#[test]
fn a_looser_target_needs_a_major_version() {
    let before = agreement("1.0.0", AVAILABILITY);
    let after = agreement("1.1.0", &AVAILABILITY.replace("99.5%", "99%"));
    let review = diff(&before, &after);
    let a = only(&review);
    assert_eq!(a.changes[0].impact, Impact::WeakerForCustomer);
    match &a.verdict {
        Verdict::TooLow { required, because } => {
            assert_eq!(*required, Bump::Major);
            assert!(because[0].contains("target 99.5% → 99%"), "{because:?}");
        }
        other => panic!("expected a too-low verdict, got {other:?}"),
    }
    assert!(!review.versions_ok());
    let fixed = diff(
        &before,
        &agreement("2.0.0", &AVAILABILITY.replace("99.5%", "99%")),
    );
    assert!(fixed.versions_ok());
}

#[test]
fn unchanged_obligations_need_no_bump_and_rewording_needs_a_patch() {
    let before = agreement("1.0.0", AVAILABILITY);
    let same = diff(&before, &before);
    assert_eq!(same.touched().count(), 0);
    assert!(same.versions_ok());
    let reworded =
        agreement("1.0.0", AVAILABILITY).replace("title \"API\"", "title \"Public API\"");
    let review = diff(&before, &reworded);
    let a = only(&review);
    assert_eq!(a.changes[0].impact, Impact::Wording);
    assert!(matches!(
        a.verdict,
        Verdict::TooLow {
            required: Bump::Patch,
            ..
        }
    ));
}

#[test]
fn deadlines_tightened_loosened_added_and_removed() {
    let before = agreement("1.0.0", RESPONSE);
    let after = agreement(
        "2.0.0",
        &RESPONSE
            .replace(
                "within 1h for priority = P1",
                "within 30m for priority = P1\n    within 2h for priority = P2",
            )
            .replace("within 4h", "within 8h"),
    );
    let review = diff(&before, &after);
    let a = only(&review);
    let described: Vec<(String, Impact)> = a
        .changes
        .iter()
        .map(|c| (c.description.clone(), c.impact))
        .collect();
    assert!(
        described.contains(&(
            "deadline for priority = P1: 1h → 30m".into(),
            Impact::StricterForProvider
        )),
        "{described:#?}"
    );
    assert!(
        described.contains(&(
            "new deadline for priority = P2: 2h (was 4h by default)".into(),
            Impact::StricterForProvider
        )),
        "{described:#?}"
    );
    assert!(
        described.contains(&(
            "deadline by default: 4h → 8h".into(),
            Impact::WeakerForCustomer
        )),
        "{described:#?}"
    );
    assert_eq!(a.required, Some(Bump::Major));
    assert_eq!(
        a.verdict,
        Verdict::Ok {
            required: Some(Bump::Major)
        }
    );
}

#[test]
fn objectives_added_and_removed() {
    let before = agreement("1.0.0", AVAILABILITY);
    let after = agreement("1.1.0", &format!("{AVAILABILITY}{RESPONSE}"));
    let a = diff(&before, &after);
    let added = only(&a);
    assert_eq!(added.changes[0].subject, "objective `response`");
    assert_eq!(added.changes[0].impact, Impact::StricterForProvider);
    assert!(a.versions_ok());
    let removed = diff(&after, &agreement("1.2.0", AVAILABILITY));
    let r = only(&removed);
    assert_eq!(r.changes[0].impact, Impact::WeakerForCustomer);
    assert!(matches!(
        r.verdict,
        Verdict::TooLow {
            required: Bump::Major,
            ..
        }
    ));
}

#[test]
fn service_hours_fee_and_credits() {
    let before = agreement(
        "1.0.0",
        &format!(
            "{RESPONSE}\n  credit {{\n    when response below 95% refund 5%\n    cap 20%\n  }}\n"
        ),
    );
    let after = agreement(
        "2.0.0",
        &format!(
            "{}\n  credit {{\n    when response below 95% refund 10%\n    cap 10%\n  }}\n",
            RESPONSE.replace("calendar office", "calendar long_office")
        ),
    )
    .replace("fee 1000 EUR per month", "fee 1200 EUR per month");
    let review = diff(&before, &after);
    let a = only(&review);
    let described: Vec<(String, String, Impact)> = a
        .changes
        .iter()
        .map(|c| (c.subject.clone(), c.description.clone(), c.impact))
        .collect();
    let has = |subject: &str, description: &str, impact: Impact| {
        assert!(
            described.contains(&(subject.into(), description.into(), impact)),
            "missing ({subject}, {description}, {impact:?}) in {described:#?}"
        );
    };
    has(
        "fee",
        "1000 EUR per month → 1200 EUR per month",
        Impact::WeakerForCustomer,
    );
    has(
        "objective `response`",
        "calendar `office` → `long_office`: open 45h a week → 55h",
        Impact::StricterForProvider,
    );
    has(
        "service credits",
        "`response` below 95%: refund 5% → 10%",
        Impact::StricterForProvider,
    );
    has(
        "service credits",
        "cap 20% → 10%",
        Impact::WeakerForCustomer,
    );
}

#[test]
fn new_and_removed_agreements_need_no_version() {
    let (base, _) = model(&agreement("1.0.0", AVAILABILITY));
    let (head, diagnostics) =
        model(&agreement("1.0.0", AVAILABILITY).replace("agreement api", "agreement api2"));
    let review = review("base", "head", &base, &head, &[], &diagnostics);
    let statuses: Vec<(String, Status)> =
        review.touched().map(|a| (a.id.clone(), a.status)).collect();
    assert_eq!(
        statuses,
        [
            ("api".to_string(), Status::Removed),
            ("api2".to_string(), Status::Added)
        ]
    );
    assert!(review.versions_ok());
}

#[test]
fn the_markdown_review_reads_without_the_syntax() {
    let before = agreement("1.0.0", &format!("{AVAILABILITY}{RESPONSE}"));
    let after = agreement(
        "1.0.1",
        &format!(
            "{}{}",
            AVAILABILITY.replace("99.5%", "99.9%"),
            RESPONSE.replace("within 4h", "within 8h")
        ),
    );
    let review = diff(&before, &after);
    insta::assert_snapshot!(slac_diff::markdown::render(&review));
}
