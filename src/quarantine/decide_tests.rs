use super::*;
use chrono::TimeZone;

fn error(class: ErrorClass, status: Option<u16>, code: &str) -> GraphError {
    GraphError {
        class,
        status,
        code: Some(code.to_string()),
        message: format!("{code} message"),
        request_id: None,
        retry_after: None,
    }
}

fn forbidden() -> GraphError {
    error(
        ErrorClass::Permanent,
        Some(403),
        "Authorization_RequestDenied",
    )
}

fn tally(ok: u64, failures: &[GraphError]) -> Tally {
    let mut tally = Tally::default();
    for _ in 0..ok {
        tally.record(Ok(()));
    }
    for e in failures {
        tally.record(Err(e));
    }
    tally
}

#[test]
fn only_credential_and_forbidden_failures_are_causes() {
    let refused = error(ErrorClass::Unauthorised, Some(401), "invalid_client");
    assert_eq!(cause_of(&refused).unwrap().key, "credential");
    assert_eq!(
        cause_of(&forbidden()).unwrap().key,
        "forbidden:Authorization_RequestDenied"
    );
    for other in [
        error(ErrorClass::Throttled, Some(429), "TooManyRequests"),
        error(ErrorClass::Transient, Some(503), "serviceNotAvailable"),
        error(ErrorClass::NotFound, Some(404), "Request_ResourceNotFound"),
        error(ErrorClass::Permanent, Some(400), "BadRequest"),
    ] {
        assert_eq!(cause_of(&other), None, "{other}");
    }
}

#[test]
fn most_calls_failing_with_one_cause_quarantine() {
    let policy = QuarantinePolicy::default();
    let failures = vec![forbidden(); 4];
    let cause = decide(&tally(1, &failures), &policy).unwrap();
    assert_eq!(cause.key, "forbidden:Authorization_RequestDenied");
    assert_eq!(cause.message, "Authorization_RequestDenied message");
}

#[test]
fn half_or_fewer_failing_is_not_most() {
    let policy = QuarantinePolicy::default();
    assert_eq!(decide(&tally(4, &vec![forbidden(); 4]), &policy), None);
    assert_eq!(decide(&tally(10, &vec![forbidden(); 3]), &policy), None);
}

#[test]
fn a_few_failures_on_a_quiet_cycle_are_not_enough() {
    let policy = QuarantinePolicy::default();
    assert_eq!(decide(&tally(0, &vec![forbidden(); 2]), &policy), None);
    assert!(decide(&tally(0, &vec![forbidden(); 3]), &policy).is_some());
}

#[test]
fn mixed_causes_need_one_cause_to_be_the_majority() {
    let policy = QuarantinePolicy::default();
    let refused = error(ErrorClass::Unauthorised, Some(401), "invalid_client");
    let other403 = error(ErrorClass::Permanent, Some(403), "Forbidden");
    let mixed = [
        forbidden(),
        forbidden(),
        forbidden(),
        refused.clone(),
        refused,
        other403.clone(),
        other403,
    ];
    assert_eq!(decide(&tally(0, &mixed), &policy), None, "3 of 7 each");
    let transient = error(ErrorClass::Transient, Some(503), "serviceNotAvailable");
    assert_eq!(
        decide(&tally(0, &vec![transient; 10]), &policy),
        None,
        "transient failures never quarantine"
    );
}

#[test]
fn a_failed_tenant_read_decides_alone() {
    let mut t = tally(0, &[]);
    t.read_failed = cause_of(&error(
        ErrorClass::Unauthorised,
        Some(401),
        "invalid_client",
    ));
    assert_eq!(
        decide(&t, &QuarantinePolicy::default()).unwrap().key,
        "credential"
    );
}

#[test]
fn a_failed_probe_keeps_the_start_and_counts() {
    let policy = QuarantinePolicy::default();
    let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let cause = cause_of(&forbidden()).unwrap();
    let first = enter(None, &cause, t0, &policy);
    assert_eq!((first.since, first.probes), (t0, 0));
    assert_eq!(first.next_probe_at, t0 + chrono::Duration::hours(1));
    let later = t0 + chrono::Duration::hours(1);
    let again = enter(Some(&first), &cause, later, &policy);
    assert_eq!((again.since, again.probes), (t0, 1));
    assert_eq!(again.next_probe_at, later + chrono::Duration::hours(1));
}

#[test]
fn items_dead_of_the_cause_are_recognised() {
    let item = |class: &str, code: &str, status: Option<u16>| ItemError {
        class: class.into(),
        code: code.into(),
        message: "m".into(),
        request_id: None,
        status,
    };
    let key = "forbidden:Authorization_RequestDenied";
    assert!(item_failed_with(
        &item("permanent", "Authorization_RequestDenied", Some(403)),
        key
    ));
    assert!(!item_failed_with(
        &item("permanent", "Forbidden", Some(403)),
        key
    ));
    assert!(!item_failed_with(
        &item("permanent", "BadRequest", Some(400)),
        key
    ));
    assert!(item_failed_with(
        &item("unauthorised", "invalid_client", Some(401)),
        "credential"
    ));
    assert!(!item_failed_with(
        &item("permanent", "BadRequest", Some(400)),
        "credential"
    ));
}
