//! Unit tests of the `$filter` parser and evaluator.

use serde_json::{Map, Value, json};

use super::filter::{Filter, Literal, matches, parse};

fn user(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn code(filter: &str) -> String {
    parse(filter)
        .err()
        .and_then(|e| e.code().map(str::to_owned))
        .unwrap_or_default()
}

#[test]
fn and_binds_tighter_than_or() {
    let parsed = parse("mail eq 'a' or userType eq 'Guest' and accountEnabled eq false").unwrap();
    let Filter::Or(left, right) = parsed else {
        panic!("not an or: {parsed:?}")
    };
    assert_eq!(*left, Filter::Eq("mail".into(), Literal::Str("a".into())));
    assert!(matches!(*right, Filter::And(_, _)));
}

#[test]
fn string_comparison_is_case_insensitive() {
    let u = user(
        json!({"mail": "Ann@X.example", "otherMails": ["B@y.example"], "userType": "Guest", "accountEnabled": true}),
    );
    for f in [
        "mail eq 'ann@x.EXAMPLE'",
        "startswith(mail,'ANN')",
        "otherMails/any(o:o eq 'b@Y.example')",
        "(userType eq 'guest') and accountEnabled eq true",
        "employeeId eq null",
    ] {
        assert!(matches(&parse(f).unwrap(), &u), "{f}");
    }
    assert!(!matches(&parse("accountEnabled eq false").unwrap(), &u));
}

#[test]
fn unsupported_constructs_are_rejected() {
    assert_eq!(code("mail ne 'a'"), "Request_UnsupportedQuery");
    assert_eq!(code("not(mail eq 'a')"), "Request_UnsupportedQuery");
    assert_eq!(code("favourite eq 'a'"), "Request_UnsupportedQuery");
    assert_eq!(code("accountEnabled eq 'yes'"), "Request_UnsupportedQuery");
    assert_eq!(code("otherMails/any(o:p eq 'a')"), "BadRequest");
    assert_eq!(code("mail eq"), "BadRequest");
    assert_eq!(code("(mail eq 'a'"), "BadRequest");
    assert_eq!(code("mail eq 'a' mail"), "BadRequest");
}

#[test]
fn eq_null_only_where_graph_supports_it() {
    // graph.md §2 ($filter table): `eq null` on userType, mail, displayName, employeeId and the
    // profile texts; not on creationType, externalUserState or userPrincipalName.
    for ok in ["mail eq null", "userType eq null", "jobTitle eq null"] {
        assert!(parse(ok).is_ok(), "{ok}");
    }
    for refused in [
        "creationType eq null",
        "externalUserState eq null",
        "userPrincipalName eq null",
    ] {
        assert_eq!(code(refused), "Request_UnsupportedQuery", "{refused}");
    }
}
