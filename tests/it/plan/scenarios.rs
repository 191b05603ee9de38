//! The scenario table: one small world per planning rule of DESIGN.md step 3.

use super::*;

fn changes(pairs: &[(Property, &str)]) -> Attributes {
    attrs(pairs)
}

fn enabled(mut g: ObservedGuest, on: bool) -> ObservedGuest {
    g.account_enabled = Some(on);
    g
}

pub(super) fn all() -> Vec<Case> {
    let mut cases = matching_cases();
    cases.extend(linked_cases());
    cases.extend(scope_cases());
    cases
}

fn matching_cases() -> Vec<Case> {
    let me = || vec![ident("a1", E1, &[(DN, "Ann")])];
    let member = ObservedGuest {
        user_type: Some("Member".into()),
        creation_type: None,
        ..guest("m1", E1, &[])
    };
    let mut by_other = guest("g2", "ann@home.example", &[(DN, "Ann")]);
    by_other.other_mails = vec!["ANN@partner.example".into()];
    vec![
        case(
            "invite",
            input(me(), vec![], vec![]),
            Want::Items(vec![Action::Invite {
                email: email(E1),
                attributes: attrs(&[(DN, "Ann")]),
            }]),
        ),
        case(
            "adopt by mail, case-insensitive, only changed properties",
            input(
                me(),
                vec![guest("g1", "Ann@Partner.Example", &[(DN, "A.")])],
                vec![],
            ),
            Want::Items(vec![Action::Adopt {
                object_id: "g1".into(),
                changes: changes(&[(DN, "Ann")]),
            }]),
        ),
        case(
            "adopt by otherMails",
            input(me(), vec![by_other], vec![]),
            Want::Items(vec![Action::Adopt {
                object_id: "g2".into(),
                changes: changes(&[]),
            }]),
        ),
        case(
            "ambiguous match held",
            input(
                me(),
                vec![guest("g1", E1, &[]), guest("g2", E1, &[])],
                vec![],
            ),
            Want::Conflict(ConflictReason::AmbiguousMatch { candidates: 2 }),
        ),
        case(
            "member-owned address held",
            input(me(), vec![member], vec![]),
            Want::Conflict(ConflictReason::NotAnInvitedGuest {
                object_id: "m1".into(),
            }),
        ),
        case(
            "guest linked to another anchor held",
            PlanInput {
                present_anchors: [anchor("a2")].into(),
                ..input(
                    me(),
                    vec![guest("g1", E1, &[])],
                    vec![link("a2", "g1", "x@y.example", &[], old())],
                )
            },
            Want::Conflict(ConflictReason::LinkedToOtherAnchor {
                object_id: "g1".into(),
                other_anchor: anchor("a2"),
            }),
        ),
    ]
}

fn linked_cases() -> Vec<Case> {
    let me = || vec![ident("a1", E1, &[(DN, "Ann"), (JT, "CTO")])];
    let tenant = || vec![guest("g1", E1, &[(DN, "Ann"), (JT, "Dev"), (DEP, "R&D")])];
    let applied = [(DN, "Ann"), (JT, "CTO")];
    let mut disabled_link = link("a1", "g1", E1, &applied, old());
    disabled_link.disabled_by_us = true;
    vec![
        case(
            "update only the changed property; absent in source = left alone",
            input(
                me(),
                tenant(),
                vec![link("a1", "g1", E1, &[(DN, "Ann"), (JT, "Dev")], old())],
            ),
            Want::Items(vec![Action::Update {
                object_id: "g1".into(),
                changes: changes(&[(JT, "CTO")]),
            }]),
        ),
        case(
            "our write within the replication window is pending, not drift",
            input(
                me(),
                tenant(),
                vec![link("a1", "g1", E1, &applied, fresh())],
            ),
            Want::Quiet { pending: 1 },
        ),
        case(
            "a new desired value within the window is an update",
            input(
                vec![ident("a1", E1, &[(DN, "Ann"), (JT, "CEO")])],
                tenant(),
                vec![link("a1", "g1", E1, &applied, fresh())],
            ),
            Want::Items(vec![Action::Update {
                object_id: "g1".into(),
                changes: changes(&[(JT, "CEO")]),
            }]),
        ),
        case(
            "drift after the window is corrected",
            input(me(), tenant(), vec![link("a1", "g1", E1, &applied, old())]),
            Want::Items(vec![Action::Update {
                object_id: "g1".into(),
                changes: changes(&[(JT, "CTO")]),
            }]),
        ),
        case(
            "disabled by us and back in scope: enable",
            input(
                vec![ident("a1", E1, &[(DN, "Ann")])],
                vec![enabled(guest("g1", E1, &[(DN, "Ann")]), false)],
                vec![disabled_link],
            ),
            Want::Items(vec![Action::Enable {
                object_id: "g1".into(),
                changes: changes(&[]),
            }]),
        ),
        case(
            "e-mail change of an accepted guest: new mail and a reset of redemption",
            input(
                me(),
                tenant(),
                vec![link("a1", "g1", "old@partner.example", &applied, old())],
            ),
            Want::Items(vec![Action::ChangeEmail {
                object_id: "g1".into(),
                email: email(E1),
                changes: changes(&[(JT, "CTO")]),
                reset_redemption: true,
                enable: false,
            }]),
        ),
        case(
            "linked guest gone: reinvite",
            input(me(), vec![], vec![link("a1", "g1", E1, &applied, old())]),
            Want::Items(vec![Action::Reinvite {
                previous_object_id: "g1".into(),
                email: email(E1),
                attributes: attrs(&applied),
            }]),
        ),
        case(
            "linked guest gone within the window after the invite: no reinvite",
            input(me(), vec![], vec![link("a1", "g1", E1, &applied, fresh())]),
            Want::Quiet { pending: 1 },
        ),
        case(
            "linked guest gone but an unowned guest has the address: adopt it, no second guest",
            input(
                me(),
                vec![guest("g2", E1, &applied)],
                vec![link("a1", "g1", E1, &applied, old())],
            ),
            Want::Items(vec![Action::Adopt {
                object_id: "g2".into(),
                changes: changes(&[]),
            }]),
        ),
    ]
}

fn scope_cases() -> Vec<Case> {
    let owned = || vec![link("a1", "g1", E1, &[], old())];
    let unowned = guest("u1", "stranger@else.example", &[(DN, "S")]);
    vec![
        case(
            "out of scope: disable",
            input(vec![], vec![guest("g1", E1, &[])], owned()),
            Want::Items(vec![Action::Disable {
                object_id: "g1".into(),
            }]),
        ),
        case(
            "out of scope and already disabled: nothing",
            input(vec![], vec![enabled(guest("g1", E1, &[]), false)], owned()),
            Want::Quiet { pending: 0 },
        ),
        case(
            "out of scope and gone: nothing",
            input(vec![], vec![], owned()),
            Want::Quiet { pending: 0 },
        ),
        case(
            "rejected or held anchor is never disabled",
            PlanInput {
                present_anchors: [anchor("a1")].into(),
                ..input(vec![], vec![guest("g1", E1, &[])], owned())
            },
            Want::Quiet { pending: 0 },
        ),
        case(
            "unowned, unmatched guest untouched",
            input(vec![ident("a1", E1, &[])], vec![unowned], vec![]),
            Want::Items(vec![Action::Invite {
                email: email(E1),
                attributes: attrs(&[]),
            }]),
        ),
    ]
}
