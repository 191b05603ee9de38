//! Unit tests of [`super`].
use super::*;

#[test]
fn set_get_iter_in_property_order() {
    let mut a = Attributes::new();
    a.set(Property::Surname, "Lovelace");
    a.set(Property::DisplayName, "Ada");
    a.set(Property::JobTitle, "");
    a.set(Property::DisplayName, "Ada L.");
    assert_eq!(a.get(Property::DisplayName), Some("Ada L."));
    assert_eq!(a.get(Property::JobTitle), Some(""));
    assert_eq!(a.get(Property::GivenName), None);
    let all: Vec<_> = a.iter().collect();
    assert_eq!(
        all,
        [
            (Property::DisplayName, "Ada L."),
            (Property::Surname, "Lovelace"),
            (Property::JobTitle, ""),
        ]
    );
}

#[test]
fn equality_ignores_insertion_order_and_empty_is_not_absent() {
    let mut a = Attributes::new();
    a.set(Property::CompanyName, "X");
    a.set(Property::DisplayName, "Ada");
    let mut b = Attributes::new();
    b.set(Property::DisplayName, "Ada");
    b.set(Property::CompanyName, "X");
    assert_eq!(a, b);
    let mut c = Attributes::new();
    c.set(Property::Department, "");
    assert_ne!(c, Attributes::new());
}

#[test]
fn serde_is_an_object_keyed_by_graph_name() {
    let mut a = Attributes::new();
    a.set(Property::OfficeLocation, "B1");
    a.set(Property::DisplayName, "Ada");
    let json = serde_json::to_string(&a).unwrap();
    assert_eq!(json, r#"{"displayName":"Ada","officeLocation":"B1"}"#);
    let back: Attributes = serde_json::from_str(&json).unwrap();
    assert_eq!(back, a);
    assert!(serde_json::from_str::<Attributes>(r#"{"mail":"x"}"#).is_err());
    let long = "é".repeat(5000);
    let mut b = a.clone();
    b.set(Property::Surname, long.as_str());
    assert_eq!(b.get(Property::Surname), Some(long.as_str()));
    assert_eq!(b.get(Property::OfficeLocation), Some("B1"));
    assert_eq!(
        format!("{a:?}"),
        r#"Attributes({DisplayName: "Ada", OfficeLocation: "B1"})"#
    );
}

#[test]
fn nulls_and_the_last_properties_round_trip() {
    let mut a = Attributes::new();
    a.set(Property::ExtensionAttribute15, "x".repeat(1024));
    a.set_null(Property::City);
    a.set(Property::DisplayName, "Ada");
    assert_eq!(a.get(Property::City), None);
    assert_eq!(a.entry(Property::City), Some(None));
    assert_eq!(a.entry(Property::State), None);
    assert_eq!(
        a.get(Property::ExtensionAttribute15).map(str::len),
        Some(1024)
    );
    let entries: Vec<_> = a.entries().map(|(p, e)| (p, e.map(str::len))).collect();
    assert_eq!(
        entries,
        [
            (Property::DisplayName, Some(3)),
            (Property::City, None),
            (Property::ExtensionAttribute15, Some(1024)),
        ]
    );
    assert_eq!(a.iter().count(), 2);
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["city"], serde_json::Value::Null);
    let back: Attributes = serde_json::from_value(json).unwrap();
    assert_eq!(back, a);
    assert_eq!(a.without_nulls().entry(Property::City), None);
    assert!(format!("{a:?}").contains("City: null"), "{a:?}");
    a.put(Property::City, Some("Oslo"));
    assert_eq!(a.get(Property::City), Some("Oslo"));
    let mut empty = Attributes::new();
    empty.set_null(Property::City);
    assert!(!empty.is_empty());
    assert!(empty.without_nulls().is_empty());
}
