//! Every mappable property through invite and update, read back with `$select`; on-create-only;
//! the null policies.

use guestsync::app::build::parts;
use guestsync::identity::{Attributes, Property, PropertySet};
use guestsync::sync::{OnePlan, observed, tenant_select};

use super::{People, Row, s};

fn column(p: Property) -> String {
    format!("p_{}", p.graph_name().to_lowercase())
}

/// A `[mapping]` entry per property; the extension attributes nested as TOML tables.
fn full_mapping() -> String {
    Property::ALL
        .iter()
        .map(|p| format!("[mapping.{}]\ncolumn = \"{}\"\n", p.full_name(), column(*p)))
        .collect()
}

/// A value for `p` within Graph's limits, different per `round` and `person`.
fn value(p: Property, person: usize, round: usize) -> String {
    match p {
        Property::UsageLocation => ["de", "NO", "fr"][round % 3].to_string(),
        Property::EmployeeId => format!("E{person}-{round}"),
        Property::PostalCode => format!("{person}{round}00"),
        _ => format!("{} {person} r{round}", p.graph_name()),
    }
}

fn row(person: usize, round: usize) -> Row {
    let mut row = vec![
        s(&format!("a{person}")),
        s(&format!("p{person}@partner.example")),
    ];
    row.extend(Property::ALL.iter().map(|p| Some(value(*p, person, round))));
    row
}

fn expected(person: usize, round: usize) -> Attributes {
    let mut a = Attributes::new();
    for p in Property::ALL {
        let v = value(p, person, round);
        let v = if p == Property::UsageLocation {
            v.to_uppercase()
        } else {
            v
        };
        a.set(p, v);
    }
    a
}

async fn start() -> People {
    let mut columns = vec!["anchor".to_string(), "email".to_string()];
    columns.extend(Property::ALL.iter().map(|p| column(*p)));
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    People::start(&columns, &full_mapping()).await
}

/// Reads every guest back through Graph with the `$select` the cycle uses.
async fn read_back(people: &People, person: usize) -> Attributes {
    let parts = parts(&people.settings()).await.unwrap();
    let user = people.user(&format!("p{person}@partner.example"));
    let id = user["id"].as_str().unwrap();
    let all: PropertySet = Property::ALL.into_iter().collect();
    let select = tenant_select(all);
    assert!(
        select.contains(&"onPremisesExtensionAttributes"),
        "{select:?}"
    );
    let fetched = parts.graph.get_user(id, &select).await.unwrap();
    observed(fetched).attributes
}

#[tokio::test]
async fn every_property_round_trips_through_invite_and_update() {
    let people = start().await;
    people.set_rows(&[row(1, 0), row(2, 0)]).await;
    let (first, drained) = people.sync_once().await;
    assert_eq!((first.counts.invites, first.counts.rejected), (2, 0));
    assert_eq!(drained.dead(), 0, "{:?}", drained.counts);
    for person in [1, 2] {
        assert_eq!(read_back(&people, person).await, expected(person, 0));
    }
    let raw = people.user("p1@partner.example");
    assert_eq!(
        raw["onPremisesExtensionAttributes"]["extensionAttribute15"],
        "extensionAttribute15 1 r0"
    );
    assert_eq!(raw["usageLocation"], "DE");

    people.set_rows(&[row(1, 1), row(2, 2)]).await;
    let (second, drained) = people.sync_once().await;
    assert_eq!((second.counts.updates, drained.dead()), (2, 0));
    assert_eq!(read_back(&people, 1).await, expected(1, 1));
    assert_eq!(read_back(&people, 2).await, expected(2, 2));

    let writes = people.world.emulator.counters().writes_total;
    let (third, _) = people.sync_once().await;
    assert_eq!(
        third.counts.updates + third.counts.invites,
        0,
        "{:?}",
        third.counts
    );
    assert_eq!(people.world.emulator.counters().writes_total, writes);
}

#[tokio::test]
async fn on_demand_planning_reads_every_mapped_property() {
    // graph.md Gotcha 4: properties outside `$select` are absent, not null. Planning one
    // anchor must select what the mapping manages, or it sees them as unset and rewrites them.
    let mut people = start().await;
    people.set_rows(&[row(1, 0)]).await;
    let (first, drained) = people.sync_once().await;
    assert_eq!((first.counts.invites, drained.dead()), (1, 0));
    // Past the replication window: our own write no longer excuses a difference.
    let window = (
        "GUESTSYNC__SYNC__REPLICATION_WINDOW".to_owned(),
        "1ms".to_owned(),
    );
    people.world.extra_env.push(window);
    let parts = parts(&people.settings()).await.unwrap();
    let plan = parts.engine.plan_one("a1").await.unwrap();
    assert!(matches!(plan, OnePlan::Unchanged), "{plan:?}");
}

#[tokio::test]
async fn values_over_graph_limits_reject_the_row_naming_the_property() {
    let people = start().await;
    let mut bad_id = row(1, 0);
    let id_column = 2 + Property::EmployeeId as usize;
    bad_id[id_column] = s(&"9".repeat(17));
    let mut bad_location = row(2, 0);
    bad_location[2 + Property::UsageLocation as usize] = s("Germany");
    people.set_rows(&[bad_id, bad_location, row(3, 0)]).await;
    let parts = parts(&people.settings()).await.unwrap();
    let preview = parts.engine.preview().await.unwrap();
    let reasons: Vec<&str> = preview
        .snapshot
        .rejected
        .iter()
        .map(|r| r.reason.as_str())
        .collect();
    assert_eq!(
        reasons,
        [
            "employeeId is 17 characters, the limit is 16",
            "usageLocation must be a two-letter country code (ISO 3166)"
        ]
    );
    assert_eq!(preview.plan.counts.invites, 1);
}

#[tokio::test]
async fn on_create_only_is_set_on_invite_and_never_updated() {
    let config = "[mapping.jobTitle]\ncolumn = \"title\"\non_create_only = true\n";
    let people = People::start(&["anchor", "email", "title", "display_name"], config).await;
    let ada = |title: &str, name: &str| vec![s("1"), s("ada@partner.example"), s(title), s(name)];
    people.set_rows(&[ada("Engineer", "Ada")]).await;
    people.sync_once().await;
    assert_eq!(people.user("ada@partner.example")["jobTitle"], "Engineer");

    people.set_rows(&[ada("Director", "Ada")]).await;
    let (report, _) = people.sync_once().await;
    assert_eq!(report.counts.updates, 0, "{:?}", report.counts);
    assert_eq!(people.user("ada@partner.example")["jobTitle"], "Engineer");

    people.set_rows(&[ada("Director", "Ada L.")]).await;
    let (report, _) = people.sync_once().await;
    assert_eq!(report.counts.updates, 1);
    let user = people.user("ada@partner.example");
    assert_eq!(
        (&user["displayName"], &user["jobTitle"]),
        (&"Ada L.".into(), &"Engineer".into())
    );
}

#[tokio::test]
async fn null_clears_or_leaves_the_tenant_value_per_policy() {
    let config = "[mapping.city]\ncolumn = \"town\"\nnull = \"clear\"\n\
                  [mapping.department]\ncolumn = \"dept\"\nnull = \"leave\"\n\
                  [mapping.onPremisesExtensionAttributes.extensionAttribute7]\ncolumn = \"x7\"\nnull = \"clear\"\n";
    let people = People::start(&["anchor", "email", "town", "dept", "x7"], config).await;
    let row = |town, dept, x7| vec![s("1"), s("bo@partner.example"), town, dept, x7];
    people
        .set_rows(&[row(s("Oslo"), s("R&D"), s("seven"))])
        .await;
    people.sync_once().await;
    let user = people.user("bo@partner.example");
    assert_eq!(
        (&user["city"], &user["department"]),
        (&"Oslo".into(), &"R&D".into())
    );

    people.set_rows(&[row(None, None, s("  "))]).await;
    let (report, drained) = people.sync_once().await;
    assert_eq!((report.counts.updates, drained.dead()), (1, 0));
    let user = people.user("bo@partner.example");
    assert!(user["city"].is_null(), "{user}");
    assert!(user["onPremisesExtensionAttributes"]["extensionAttribute7"].is_null());
    assert_eq!(user["department"], "R&D");

    let writes = people.world.emulator.counters().writes_total;
    let (again, _) = people.sync_once().await;
    assert_eq!(again.counts.updates, 0, "a cleared value is stable");
    assert_eq!(people.world.emulator.counters().writes_total, writes);
}

#[tokio::test]
async fn a_null_to_clear_on_a_new_guest_writes_nothing_extra() {
    let config = "[mapping.city]\ncolumn = \"town\"\nnull = \"clear\"\n";
    let people = People::start(&["anchor", "email", "town"], config).await;
    people
        .set_rows(&[vec![s("1"), s("cy@partner.example"), None]])
        .await;
    let (first, drained) = people.sync_once().await;
    assert_eq!((first.counts.invites, drained.dead()), (1, 0));
    let (second, _) = people.sync_once().await;
    assert_eq!(
        second.counts.updates + second.counts.invites,
        0,
        "{:?}",
        second.counts
    );
}
