//! Unit tests of [`super`].
use super::*;

#[test]
fn names_round_trip() {
    for p in Property::ALL {
        assert_eq!(Property::from_graph_name(p.graph_name()), Some(p));
        assert_eq!(Property::from_config_name(&p.full_name()), Some(p));
        assert_eq!(Property::ALL[p.slot()], p);
    }
    let p = Property::ExtensionAttribute15;
    assert_eq!(p.graph_name(), "extensionAttribute15");
    assert_eq!(
        p.full_name(),
        "onPremisesExtensionAttributes.extensionAttribute15"
    );
    assert_eq!(p.select_name(), EXTENSIONS);
    assert_eq!(p.extension_slot(), Some(14));
    assert_eq!(Property::MobilePhone.extension_slot(), None);
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(json, r#""extensionAttribute15""#);
}

#[test]
fn config_names_are_case_insensitive_and_strict() {
    assert_eq!(
        Property::from_config_name("JOBTITLE"),
        Some(Property::JobTitle)
    );
    assert_eq!(
        Property::from_config_name("extensionattribute3"),
        Some(Property::ExtensionAttribute3)
    );
    assert_eq!(
        Property::from_config_name("onPremisesExtensionAttributes.city"),
        None
    );
    assert_eq!(Property::from_config_name("x.jobTitle"), None);
    assert_eq!(Property::from_config_name("mail"), None);
    assert_eq!(Property::from_config_name("extensionAttribute16"), None);
}

#[test]
fn usage_location_is_two_letters_upper_cased() {
    let p = Property::UsageLocation;
    assert_eq!(p.normalize(" de ").unwrap().as_deref(), Some("DE"));
    assert!(p.normalize("DEU").is_err());
    assert!(p.normalize("D1").is_err());
    assert_eq!(p.normalize("").unwrap(), None);
}

#[test]
fn limits_follow_graph() {
    assert!(Property::EmployeeId.normalize(&"1".repeat(16)).is_ok());
    let e = Property::EmployeeId.normalize(&"1".repeat(17)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "employeeId is 17 characters, the limit is 16"
    );
    assert!(
        Property::ExtensionAttribute1
            .normalize(&"x".repeat(1024))
            .is_ok()
    );
    assert!(
        Property::ExtensionAttribute1
            .normalize(&"x".repeat(1025))
            .is_err()
    );
    assert!(Property::MobilePhone.normalize(&"1".repeat(65)).is_err());
}

#[test]
fn property_set() {
    let set: PropertySet = [Property::City, Property::ExtensionAttribute15]
        .into_iter()
        .collect();
    assert!(set.contains(Property::City) && !set.contains(Property::State));
    assert_eq!(set.iter().count(), 2);
    assert!(PropertySet::EMPTY.is_empty());
}
