//! The OData literal builder against the emulator's `$filter` parser: whatever the value, the
//! filters guestsync builds parse back to one comparison with exactly that value (no injection,
//! no syntax error), and the percent-encoded query value decodes back to the filter. Arbitrary
//! text parsed as a filter never panics.

#![no_main]

use guestsync::emulator::{Filter, Literal, parse_filter};
use guestsync::graph::odata::{email_filter, eq, path_segment, query_value};
use libfuzzer_sys::fuzz_target;

fn check_literal(value: &str) {
    let filter = eq("mail", value);
    let expected = Filter::Eq("mail".into(), Literal::Str(value.into()));
    assert_eq!(parse_filter(&filter), Ok(expected.clone()), "{filter:?}");

    let filter = email_filter(value);
    let any = Filter::AnyEq("otherMails".into(), value.into());
    let both = Filter::Or(Box::new(expected), Box::new(any));
    assert_eq!(parse_filter(&filter), Ok(both), "{filter:?}");

    let encoded = query_value(&filter);
    assert!(
        encoded
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"&#+=?".contains(&b)),
        "{encoded:?} is not a safe query value"
    );
    let query = format!("$filter={encoded}&$top=1");
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(pairs.len(), 2, "{query:?}");
    assert_eq!(pairs[0], ("$filter".to_owned(), filter), "{query:?}");

    let segment = path_segment(value);
    assert!(!segment.contains(['/', '?', '#']), "{segment:?}");
    let decoded: String = url::form_urlencoded::parse(format!("x={segment}").as_bytes())
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(decoded, value, "{segment:?}");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check_literal(&text);
    let _ = parse_filter(&text);
});
