//! Unit tests of [`Email::parse`]: every acceptance rule and every rejection reason.

use super::*;

fn reason(raw: &str) -> String {
    match Email::parse(raw) {
        Ok(email) => panic!("{raw:?} was accepted as {email}"),
        Err(e) => e.to_string(),
    }
}

fn ok(raw: &str) -> String {
    Email::parse(raw)
        .unwrap_or_else(|e| panic!("{raw:?} refused: {e}"))
        .to_string()
}

#[test]
fn accepts_apostrophe_and_keeps_local_case() {
    assert_eq!(ok("o'brien@partner.example"), "o'brien@partner.example");
    assert_eq!(
        ok("Ada.Lovelace@Partner.EXAMPLE"),
        "Ada.Lovelace@partner.example"
    );
    assert_eq!(ok("a_b-c@sub.partner.example"), "a_b-c@sub.partner.example");
}

#[test]
fn trims_unicode_white_space() {
    assert_eq!(ok("\u{a0} ada@partner.example\t"), "ada@partner.example");
}

#[test]
fn idn_domain_becomes_ascii_and_nfc_is_applied_first() {
    assert_eq!(ok("ada@bücher.example"), "ada@xn--bcher-kva.example");
    assert_eq!(ok("ada@bu\u{308}cher.example"), "ada@xn--bcher-kva.example");
    assert_eq!(ok("ada@BÜCHER.example"), "ada@xn--bcher-kva.example");
}

#[test]
fn match_key_lowercases_the_whole_address() {
    let a = Email::parse("Ada@Partner.example").unwrap();
    let b = Email::parse("ada@partner.EXAMPLE").unwrap();
    assert_eq!(a.match_key(), b.match_key());
    assert_ne!(a, b);
}

#[test]
fn rejects_invisible_characters_by_code_point() {
    assert!(reason("ada\u{200b}@partner.example").contains("invisible character U+200B"));
    assert!(reason("\u{feff}ada@partner.example").contains("U+FEFF"));
    assert!(reason("ada@partner.example\u{202e}").contains("U+202E"));
}

#[test]
fn rejects_shape_errors_with_reasons() {
    let cases = [
        ("", "empty"),
        ("   ", "empty"),
        ("ada.partner.example", "missing '@'"),
        ("a@b@partner.example", "more than one '@'"),
        ("@partner.example", "empty local part"),
        ("ada@", "empty domain"),
        ("ada lovelace@partner.example", "contains a space"),
        ("ada\n@partner.example", "control character U+000A"),
        ("\"ada\"@partner.example", "quoted local parts"),
        ("ada(home)@partner.example", "comments"),
        ("ada@[192.0.2.1]", "IP-literal"),
        (".ada@partner.example", "starts with '.'"),
        ("ada.@partner.example", "ends with '.'"),
        ("-ada@partner.example", "starts with '-'"),
        ("ada-@partner.example", "ends with '-'"),
        ("ada..l@partner.example", "two dots in a row"),
        ("ada@localhost", "has no dot"),
        ("ada@192.0.2.1", "numeric"),
        ("ada@part_ner.example", "not a valid domain name"),
        ("ada@-partner.example", "not a valid domain name"),
    ];
    for (raw, expected) in cases {
        let got = reason(raw);
        assert!(
            got.contains(expected),
            "{raw:?}: {got:?} lacks {expected:?}"
        );
    }
}

#[test]
fn rejects_each_graph_forbidden_character() {
    // '+' is on Graph's list (graph.md §1), so plus-addressed mailboxes are refused, not rewritten.
    for c in "~!#$%^&*+=[]{}\\/|;:<>?,".chars() {
        let got = reason(&format!("ad{c}a@partner.example"));
        assert!(got.contains(&format!("'{c}'")), "{c}: {got}");
    }
}

#[test]
fn rejects_lengths_with_numbers() {
    let local = "a".repeat(65);
    assert!(reason(&format!("{local}@partner.example")).contains("65 characters, the limit is 64"));
    let label = "b".repeat(63);
    let long = format!("{}@{label}.{label}.{label}.example", "a".repeat(64));
    assert!(
        reason(&long).contains("the limit is 254"),
        "{}",
        reason(&long)
    );
}

#[test]
fn rejects_non_ascii_and_mixed_script_local_parts() {
    assert!(reason("jos\u{e9}@partner.example").contains("non-ASCII character 'é' (U+00E9)"));
    assert!(reason("p\u{0430}ypal@partner.example").contains("mixed scripts (Latin and Cyrillic)"));
}

#[test]
fn plain_ascii_fast_path_agrees_with_idna() {
    for domain in [
        "partner.example",
        "a-b.example",
        "xn--bcher-kva.example",
        "ab--c.example",
    ] {
        let fast = is_plain_ascii(domain);
        let idna = idna::domain_to_ascii_strict(domain).ok();
        assert!(!fast || idna.as_deref() == Some(domain), "{domain}");
    }
    assert!(is_plain_ascii("partner.example"));
    assert!(!is_plain_ascii("xn--bcher-kva.example"));
}

#[test]
fn rejects_mixed_script_domain_labels_as_unicode_or_punycode() {
    let unicode = reason("ada@p\u{0430}ypal.example");
    assert!(
        unicode.contains("domain label 'p\u{0430}ypal' has mixed scripts (Latin and Cyrillic)"),
        "{unicode}"
    );
    let ascii = idna::domain_to_ascii_strict("p\u{0430}ypal.example").unwrap();
    let punycode = reason(&format!("ada@{ascii}"));
    assert!(punycode.contains("mixed scripts"), "{punycode}");
    // One script per label is fine, also when labels differ.
    assert_eq!(
        ok("ada@\u{043f}\u{0440}\u{0438}\u{043c}\u{0435}\u{0440}.example"),
        "ada@xn--e1afmkfd.example"
    );
}
