//! `[[scope]]` end to end: an identity leaving the scope has its guest disabled through the
//! brake (never deleted) and enabled again when it comes back.

use super::{People, Row, s};

const CONFIG: &str = r#"
[[scope]]
name = "active partners"
clauses = [
  { column = "status", operator = "equals", value = "active" },
  { property = "companyName", operator = "is_not_null" },
]

[[scope]]
name = "board"
clauses = [{ column = "status", operator = "equals", value = "board" }]
"#;

fn rows(n: usize, status: impl Fn(usize) -> &'static str) -> Vec<Row> {
    (0..n)
        .map(|i| {
            vec![
                s(&format!("{i}")),
                s(&format!("p{i}@partner.example")),
                s("Partner Ltd"),
                s(status(i)),
            ]
        })
        .collect()
}

fn enabled(people: &People, i: usize) -> bool {
    people.user(&format!("p{i}@partner.example"))["accountEnabled"] == true
}

#[tokio::test]
async fn out_of_scope_guests_are_disabled_through_the_brake_and_come_back() {
    let people = People::start(&["anchor", "email", "company_name", "status"], CONFIG).await;
    people
        .set_rows(&rows(40, |i| match i {
            0 => "board",
            39 => "left",
            _ => "active",
        }))
        .await;
    let (first, drained) = people.sync_once().await;
    assert_eq!(
        (first.counts.invites, drained.dead()),
        (39, 0),
        "{:?}",
        first.counts
    );
    assert!(
        people
            .world
            .users_with_mail("p39@partner.example")
            .is_empty()
    );

    // One of 39 owned guests leaves the scope (p39 was never in it): under the brake's 5 %, disabled at once.
    people
        .set_rows(&rows(
            40,
            |i| if i == 1 || i == 39 { "left" } else { "active" },
        ))
        .await;
    let (second, _) = people.sync_once().await;
    assert_eq!(second.counts.disables, 1, "{:?}", second.counts);
    assert!(!second.is_held());
    assert!(!enabled(&people, 1));
    assert!(enabled(&people, 0) && enabled(&people, 2));

    // Eleven more leave: over the brake, held for an operator, nobody disabled.
    people
        .set_rows(&rows(
            40,
            |i| if i < 12 || i == 39 { "left" } else { "active" },
        ))
        .await;
    let (third, _) = people.sync_once().await;
    assert!(third.is_held(), "{:?}", third.outcome);
    assert_eq!(third.held_disables, 11);
    assert!((2..12).all(|i| enabled(&people, i)) && enabled(&people, 0));

    // Everyone back in scope: the disabled guest is enabled again, none was deleted.
    people.set_rows(&rows(40, |_| "active")).await;
    let (fourth, drained) = people.sync_once().await;
    assert_eq!(
        (fourth.counts.enables, drained.dead()),
        (1, 0),
        "{:?}",
        fourth.counts
    );
    assert!((0..39).all(|i| enabled(&people, i)));
    assert_eq!(fourth.counts.invites, 1, "p39 is invited now");
}
