//! The fuzz targets' oracles (`fuzz/fuzz_targets/`) as property tests, so `cargo test` checks
//! them on random input every run (cargo-fuzz explores further with coverage guidance):
//! normalisation is idempotent and never lets through what graph.md §1 forbids; OData literals
//! parse back as exactly the value they quote; a pause taken from any `Retry-After` can be
//! scheduled.

use std::time::Instant;

use guestsync::emulator::{Filter, Literal, parse_filter};
use guestsync::graph::backoff::{retry_delay, throttle_pause};
use guestsync::graph::odata::{email_filter, eq, query_value};
use guestsync::graph::{RetryPolicy, classify};
use guestsync::identity::{Email, Property};
use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderValue};

/// graph.md §1, `invitedUserEmailAddress`: characters not permitted.
const GRAPH_FORBIDDEN: &str = "~!#$%^&*()+=[]{}\\/|;:\"<>?,";

/// Address-like text: mostly plausible characters, with the hostile ones mixed in.
fn address_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-zA-Z0-9._'-]{1,8}",
        1 => Just("@".to_string()),
        1 => "[\u{0}-\u{1f}\u{7f}-\u{a0}\u{200b}-\u{200f}\u{202a}-\u{202e}\u{feff}]",
        1 => "[\u{430}\u{3bf}\u{e9}\u{fc}\u{308}\u{301}\u{ff20}\u{4f8b}]",
        1 => "[~!#$%^&*()+=\\[\\]{}\\\\/|;:\"<>?, .]",
        1 => Just("xn--".to_string()),
    ];
    proptest::collection::vec(piece, 1..12).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn accepted_addresses_are_stable_and_hold_nothing_graph_forbids(raw in address_like()) {
        if let Ok(email) = Email::parse(&raw) {
            let text = email.as_str();
            prop_assert_eq!(Email::parse(text), Ok(email.clone()));
            let (local, domain) = text.rsplit_once('@').unwrap();
            prop_assert!(!local.is_empty() && domain.contains('.') && domain.is_ascii());
            prop_assert!(!local.starts_with(['.', '-']) && !local.ends_with(['.', '-']));
            prop_assert!(!text.chars().any(|c| {
                c.is_whitespace() || c.is_control() || GRAPH_FORBIDDEN.contains(c)
            }), "{:?}", text);
            let upper = Email::parse(&text.to_uppercase()).map(|e| e.match_key());
            prop_assert_eq!(upper, Ok(email.match_key()));
        }
    }

    #[test]
    fn normalised_attributes_are_stable_clean_and_within_limits(raw in "\\PC{0,40}|[\u{0}-\u{ff}\u{200b}-\u{206f}\u{feff}]{0,40}") {
        for property in Property::ALL {
            if let Ok(Some(value)) = property.normalize(&raw) {
                prop_assert!(!value.chars().any(char::is_control), "{:?}", value);
                prop_assert_eq!(value.trim(), value.as_str());
                prop_assert!(value.chars().count() <= property.max_chars());
                prop_assert_eq!(property.normalize(&value), Ok(Some(value.clone())));
            }
        }
    }

    #[test]
    fn odata_literals_parse_back_as_exactly_their_value(value in "\\PC{0,30}|['()\\s%#&+=?,:/$]{0,12}") {
        let mail = Filter::Eq("mail".into(), Literal::Str(value.clone()));
        prop_assert_eq!(parse_filter(&eq("mail", &value)), Ok(mail.clone()));
        let any = Filter::AnyEq("otherMails".into(), value.clone());
        let both = Filter::Or(Box::new(mail), Box::new(any));
        let filter = email_filter(&value);
        prop_assert_eq!(parse_filter(&filter), Ok(both));
        let query = format!("$filter={}&$top=1", query_value(&filter));
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        prop_assert_eq!(pairs.len(), 2);
        prop_assert_eq!(&pairs[0].1, &filter);
    }

    #[test]
    fn any_retry_after_gives_a_pause_that_can_be_scheduled(seconds in "[0-9]{1,26}", status in 400u16..600) {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_str(&seconds).unwrap());
        let error = classify(status, &headers, b"{}");
        let policy = RetryPolicy::default();
        let now = Instant::now();
        prop_assert!(now.checked_add(throttle_pause(&policy, &error)).is_some());
        prop_assert!(now.checked_add(retry_delay(&policy, 3, &error, 0.5)).is_some());
    }
}
