//! Unit tests of the whole-result rules: duplicate anchors and shared e-mail addresses.

use super::*;
use crate::identity::{Attributes, Email};

fn valid(anchor: &str, email: &str) -> RowOutcome {
    RowOutcome::Valid(Identity {
        anchor: Anchor::parse(anchor).unwrap(),
        email: Email::parse(email).unwrap(),
        attributes: Attributes::new(),
        extras: Default::default(),
    })
}

fn anchors(snapshot: &SourceSnapshot) -> Vec<&str> {
    snapshot
        .identities
        .iter()
        .map(|i| i.anchor.as_str())
        .collect()
}

#[test]
fn duplicate_anchor_rejects_both_rows_but_keeps_it_present() {
    let mut b = SnapshotBuilder::new();
    b.push(valid("1", "a@x.example"));
    b.push(valid("2", "b@x.example"));
    b.push(valid("1", "c@x.example"));
    let s = b.finish();
    assert_eq!(anchors(&s), ["2"]);
    let rejected: Vec<(u64, &str)> = s
        .rejected
        .iter()
        .map(|r| (r.row_number, r.reason.as_str()))
        .collect();
    assert_eq!(rejected, [(1, "duplicate anchor"), (3, "duplicate anchor")]);
    assert_eq!(s.present_anchors.len(), 2);
    assert_eq!(s.rows_read, 3);
}

#[test]
fn emails_equal_by_case_are_held_with_the_other_anchors_named() {
    let mut b = SnapshotBuilder::new();
    b.push(valid("1", "Ada@X.example"));
    b.push(valid("2", "ada@x.example"));
    b.push(valid("3", "ADA@x.EXAMPLE"));
    b.push(valid("4", "bob@x.example"));
    let s = b.finish();
    assert_eq!(anchors(&s), ["4"]);
    let held: Vec<(&str, &str)> = s
        .conflicts
        .iter()
        .map(|c| (c.anchor.as_str(), c.reason.as_str()))
        .collect();
    assert_eq!(
        held,
        [
            ("1", "e-mail shared with anchors 2, 3"),
            ("2", "e-mail shared with anchors 1, 3"),
            ("3", "e-mail shared with anchors 1, 2"),
        ]
    );
    assert_eq!(s.present_anchors.len(), 4);
}

#[test]
fn emails_equal_by_unicode_form_are_held() {
    let mut b = SnapshotBuilder::new();
    b.push(valid("1", "ada@b\u{fc}cher.example"));
    b.push(valid("2", "ada@bu\u{308}cher.example"));
    b.push(valid("3", "ada@xn--bcher-kva.example"));
    let s = b.finish();
    assert!(s.identities.is_empty());
    assert_eq!(s.conflicts.len(), 3);
}

#[test]
fn rejected_rows_with_valid_anchor_are_present_and_no_anchor_rows_are_not() {
    let mut b = SnapshotBuilder::new();
    b.push(RowOutcome::NoAnchor {
        raw: None,
        reason: "anchor is NULL".into(),
    });
    let anchor = Anchor::parse("9").unwrap();
    b.push(RowOutcome::Rejected {
        anchor: anchor.clone(),
        reason: "bad".into(),
    });
    let s = b.finish();
    assert_eq!(s.rows_read, 2);
    assert_eq!(s.rejected.len(), 2);
    assert_eq!(s.rejected[0].row_number, 1);
    assert_eq!(s.rejected[1].anchor.as_deref(), Some("9"));
    assert!(s.present_anchors.contains(&anchor));
    assert_eq!(s.present_anchors.len(), 1);
}

#[test]
fn a_rejected_duplicate_does_not_make_a_conflict() {
    let mut b = SnapshotBuilder::new();
    b.push(valid("1", "a@x.example"));
    b.push(valid("1", "a@x.example"));
    b.push(valid("2", "a@x.example"));
    let s = b.finish();
    assert_eq!(anchors(&s), ["2"]);
    assert!(s.conflicts.is_empty());
}
