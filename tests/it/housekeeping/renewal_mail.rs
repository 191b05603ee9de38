//! With guestsync's own invitation mail on, a renewal of a pending invitation mails the new
//! redeem URL (once), and still counts the re-invitation.

use std::time::Duration;

use super::{Timed, rows};
use crate::redemption::mail::with_smtp;
use crate::support::smtp::{SinkMail, SmtpSink};

const POLICY: [(&str, &str); 2] = [
    ("GUESTSYNC__LIFECYCLE__REINVITE_PENDING_AFTER", "7d"),
    ("GUESTSYNC__LIFECYCLE__MAX_REINVITES", "2"),
];

/// Cycles until the sink holds `n` mails (each cycle ends with a delivery pass).
async fn mails_after(t: &Timed, sink: &SmtpSink, n: usize) -> Vec<SinkMail> {
    for _ in 0..50 {
        if sink.mails().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        t.sync().await;
    }
    sink.mails()
}

fn urls(mails: &[SinkMail]) -> Vec<String> {
    let mut urls: Vec<String> = mails.iter().filter_map(SinkMail::redeem_url).collect();
    urls.sort();
    urls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_mails_the_new_redeem_url_once_and_is_counted() {
    let sink = SmtpSink::start().await;
    let mut t = Timed::start(&rows(2), &POLICY).await;
    with_smtp(&mut t.world, sink.addr.port());
    let (first, _) = t.sync().await;
    assert_eq!(first.counts.invites, 2);
    let invited = mails_after(&t, &sink, 2).await;
    assert_eq!(invited.len(), 2, "one mail per invitation");

    t.advance_days(8);
    let (renewed, _) = t.sync().await;
    assert_eq!(renewed.counts.renewals, 2, "{:?}", renewed.counts);
    let all = mails_after(&t, &sink, 4).await;
    assert_eq!(all.len(), 4, "one more mail per renewal");
    let new_urls = urls(&all[2..]);
    let mut stored = Vec::new();
    for anchor in ["P00001", "P00002"] {
        let link = t.link(anchor).await;
        assert_eq!(link.reinvites, 1, "the renewal is counted");
        stored.push(link.redeem_url.unwrap().expose().to_string());
    }
    stored.sort();
    assert_eq!(new_urls, stored, "the mails carry the renewed redeem URLs");
    assert!(
        urls(&invited).iter().all(|u| !new_urls.contains(u)),
        "new URLs"
    );
    t.sync().await;
    assert_eq!(sink.mails().len(), 4, "nothing mailed twice");
    assert_eq!(t.world.emulator.counters().invitation_emails_sent, 0);
}
