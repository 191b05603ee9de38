//! Unit tests of anchors and attribute values.

use super::*;

#[test]
fn anchor_is_trimmed_and_nfc() {
    let a = Anchor::parse("\u{a0} Jose\u{301} ").unwrap();
    assert_eq!(a.as_str(), "Jos\u{e9}");
}

#[test]
fn anchor_rejects_empty_control_invisible_and_long() {
    assert!(
        Anchor::parse(" \u{a0}")
            .unwrap_err()
            .to_string()
            .contains("empty")
    );
    assert!(
        Anchor::parse("a\tb")
            .unwrap_err()
            .to_string()
            .contains("control")
    );
    let e = Anchor::parse("a\u{200b}b").unwrap_err().to_string();
    assert!(e.contains("invisible character U+200B"), "{e}");
    let e = Anchor::parse(&"x".repeat(300)).unwrap_err().to_string();
    assert!(e.contains("300 characters, the limit is 256"), "{e}");
}

#[test]
fn display_name_over_limit_is_rejected_with_numbers() {
    let e = Property::DisplayName
        .normalize(&"é".repeat(300))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "displayName is 300 characters, the limit is 256"
    );
    let e = Property::GivenName.normalize(&"a".repeat(65)).unwrap_err();
    assert_eq!(e.to_string(), "givenName is 65 characters, the limit is 64");
}

#[test]
fn limits_count_characters_not_bytes() {
    let v = "é".repeat(256);
    assert_eq!(Property::DisplayName.normalize(&v).unwrap(), Some(v));
}

#[test]
fn attribute_is_normalised_and_blank_is_absent() {
    let p = Property::Surname;
    assert_eq!(p.normalize("  ").unwrap(), None);
    assert_eq!(p.normalize("\u{200b}").unwrap(), None);
    let got = p.normalize("\u{a0}Lovelace\u{200d}\r\n").unwrap();
    assert_eq!(got.as_deref(), Some("Lovelace"));
}
