//! E-mail and free-text normalisation: never panics; normalising a normalised value changes
//! nothing; an accepted address holds nothing graph.md §1 says Graph refuses in
//! `invitedUserEmailAddress`; a normalised attribute has no control or invisible character and
//! keeps to its Graph length limit.

#![no_main]

use guestsync::identity::{Anchor, Email, Property};
use libfuzzer_sys::fuzz_target;

/// graph.md §1, `invitedUserEmailAddress`: characters not permitted.
const GRAPH_FORBIDDEN: &str = "~!#$%^&*()+=[]{}\\/|;:\"<>?,";

fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

fn check_email(raw: &str) {
    let Ok(email) = Email::parse(raw) else {
        return;
    };
    let text = email.as_str();
    let again = Email::parse(text).unwrap_or_else(|e| panic!("{text:?} does not parse again: {e}"));
    assert_eq!(again, email, "normalising {text:?} changed it");
    let (local, domain) = text.rsplit_once('@').expect("one '@'");
    assert!(!local.is_empty() && !domain.contains('@'), "{text:?}");
    for c in text.chars() {
        assert!(
            !c.is_whitespace() && !c.is_control() && !invisible(c) && !GRAPH_FORBIDDEN.contains(c),
            "{text:?} holds {c:?}"
        );
    }
    for edge in [local.chars().next(), local.chars().last()] {
        assert!(
            !matches!(edge, Some('.' | '-')),
            "{text:?}: '.' or '-' at an edge"
        );
    }
    assert!(domain.contains('.') && domain.is_ascii(), "{text:?}");
    assert!(
        text.chars().count() <= 254 && local.chars().count() <= 64,
        "{text:?}"
    );
    // Entra matches case-insensitively: the upper-cased address is the same mailbox.
    let upper = Email::parse(&text.to_uppercase())
        .unwrap_or_else(|e| panic!("{text:?} upper-cased does not parse: {e}"));
    assert_eq!(upper.match_key(), email.match_key(), "{text:?}");
}

fn check_text(raw: &str) {
    for property in Property::ALL {
        let Ok(Some(value)) = property.normalize(raw) else {
            continue;
        };
        assert!(
            !value.chars().any(|c| c.is_control() || invisible(c)),
            "{property:?}: {value:?}"
        );
        assert_eq!(value.trim(), value, "{property:?}: not trimmed");
        assert!(
            value.chars().count() <= property.max_chars(),
            "{property:?}"
        );
        let again = property.normalize(&value);
        assert_eq!(
            again,
            Ok(Some(value.clone())),
            "{property:?}: not idempotent"
        );
    }
    if let Ok(anchor) = Anchor::parse(raw) {
        assert_eq!(Anchor::parse(anchor.as_str()), Ok(anchor.clone()), "anchor");
    }
}

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    check_email(&raw);
    check_text(&raw);
});
