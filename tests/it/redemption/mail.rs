//! guestsync's own invitation mail, end to end: the emulator, a SQLite state store and the
//! in-process SMTP sink. Each invited guest gets exactly one mail whose redeem URL works, even
//! when the first process could not reach the SMTP server and is dropped (killed) before the
//! mail went out; the emulator never sends one.

use std::time::Duration;

use guestsync::emulator::Knobs;
use guestsync::settings::Settings;
use guestsync::store::{ItemFilter, MailState, RedemptionState};
use tokio_util::sync::CancellationToken;

use super::rows;
use crate::support::smtp::SmtpSink;
use crate::support::world::World;

const TEMPLATE: &str = "Hello {display_name},\n\n{inviting_organisation} invites you. \
    Accept here:\n{redeem_url}\n\n(ref {anchor})\n";

/// Configures own mail through `port` (plain SMTP, quick retries).
pub(crate) fn with_smtp(world: &mut World, port: u16) {
    let template = world.dir.path().join("invitation.txt");
    std::fs::write(&template, TEMPLATE).unwrap();
    world
        .extra_env
        .retain(|(k, _)| !k.starts_with("GUESTSYNC__NOTIFY__"));
    let env = [
        ("HOST", "127.0.0.1".to_string()),
        ("PORT", port.to_string()),
        ("SECURITY", "none".into()),
        ("FROM", "Contoso IT <it@contoso.example>".into()),
        ("TEMPLATE_PATH", template.display().to_string()),
        ("INVITING_ORGANISATION", "Contoso".into()),
        ("RETRY_BASE", "50ms".into()),
        ("TIMEOUT", "5s".into()),
    ];
    for (key, value) in env {
        world
            .extra_env
            .push((format!("GUESTSYNC__NOTIFY__SMTP__{key}"), value));
    }
}

fn all_items() -> ItemFilter {
    ItemFilter {
        limit: 1000,
        ..ItemFilter::default()
    }
}

/// A port nothing listens on: the SMTP server is down.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_invitation_is_mailed_once_across_a_crash_and_the_url_redeems() {
    let mut world = World::start(Knobs::default(), Vec::new(), &rows(3)).await;
    with_smtp(&mut world, closed_port().await);

    // First process: invites, but the SMTP server is down; then it is gone (dropped, no
    // graceful anything) with the mails still owed.
    {
        let (report, drained) = world.sync_once().await;
        assert_eq!((report.counts.invites, drained.dead()), (3, 0));
        let parts = world.parts().await;
        let counts = parts.store.mail_counts().await.unwrap();
        assert_eq!(counts[&MailState::Pending], 3, "{counts:?}");
        let items = parts.store.item_list(all_items()).await.unwrap();
        assert_eq!(items.len(), 3);
        for item in items {
            let error = item.last_error.expect("the mail failure shows on the item");
            assert_eq!(error.class, "mail");
            assert!(!error.message.contains("redeem"), "{error:?}");
        }
    }

    // Second process, the SMTP server is up: every owed mail goes out, once.
    let sink = SmtpSink::start().await;
    with_smtp(&mut world, sink.addr.port());
    let parts = world.parts().await;
    for _ in 0..100 {
        parts
            .pool
            .drain(CancellationToken::new(), |_| {})
            .await
            .unwrap();
        if sink.mails().len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mails = sink.mails();
    let mut recipients: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    recipients.sort();
    let mut expected: Vec<String> = rows(3).iter().map(|r| r.email.to_lowercase()).collect();
    expected.sort();
    assert_eq!(recipients, expected, "exactly one mail per invitee");
    for item in parts.store.item_list(all_items()).await.unwrap() {
        assert!(
            item.last_error.is_none(),
            "sent mail clears the error: {item:?}"
        );
        let mail = parts.store.mail_get(&item.anchor).await.unwrap().unwrap();
        assert_eq!(mail.state, MailState::Sent);
    }

    // More cycles send nothing more; the mailed URLs redeem in the emulator.
    world.sync_once().await;
    assert_eq!(sink.mails().len(), 3);
    for mail in &mails {
        assert_eq!(mail.from, "it@contoso.example");
        let url = mail.redeem_url().expect("the mail carries the redeem URL");
        assert!(
            mail.body().contains("Contoso invites you"),
            "{}",
            mail.body()
        );
        assert!(world.emulator.redeem_url(&url), "the mailed URL works");
    }
    world.sync_once().await;
    let counts = parts.store.link_redemption_counts().await.unwrap();
    assert_eq!(counts[&RedemptionState::Accepted], 3, "{counts:?}");
    assert_eq!(sink.mails().len(), 3);
    assert_eq!(world.emulator.counters().invitation_emails_sent, 0);
}

#[tokio::test]
async fn a_permanent_smtp_refusal_gives_the_mail_up_and_shows_on_the_item() {
    let mut world = World::start(Knobs::default(), Vec::new(), &rows(1)).await;
    let sink = SmtpSink::start().await;
    sink.fail_rcpt(Some("550 no such mailbox"));
    with_smtp(&mut world, sink.addr.port());
    world.sync_once().await;
    let parts = world.parts().await;
    let item = &parts.store.item_list(all_items()).await.unwrap()[0];
    let mail = parts.store.mail_get(&item.anchor).await.unwrap().unwrap();
    assert_eq!((mail.state, mail.attempts), (MailState::Failed, 1));
    let error = item.last_error.as_ref().unwrap();
    assert_eq!(
        (error.class.as_str(), error.code.as_str()),
        ("mail", "smtp_550")
    );
    assert!(sink.mails().is_empty());
}

/// `security = "starttls"` means STARTTLS required: against a server that does not offer it,
/// nothing is sent in plain text (neither the password nor the redeem URL), and the item shows
/// why.
#[tokio::test]
async fn starttls_required_sends_nothing_to_a_server_without_it() {
    let mut world = World::start(Knobs::default(), Vec::new(), &rows(1)).await;
    let sink = SmtpSink::start().await;
    with_smtp(&mut world, sink.addr.port());
    let password = "smtp-password-never-in-clear";
    for (key, value) in [
        ("SECURITY", "starttls"),
        ("USERNAME", "guestsync"),
        ("PASSWORD", password),
    ] {
        world
            .extra_env
            .push((format!("GUESTSYNC__NOTIFY__SMTP__{key}"), value.into()));
    }
    world.sync_once().await;
    assert!(sink.mails().is_empty(), "a mail went out without TLS");
    let verbs = sink.verbs();
    assert!(
        verbs.iter().any(|v| v == "EHLO"),
        "never connected: {verbs:?}"
    );
    for verb in ["AUTH", "MAIL", "DATA"] {
        assert!(
            !verbs.iter().any(|v| v == verb),
            "{verb} without TLS: {verbs:?}"
        );
    }
    let parts = world.parts().await;
    let item = &parts.store.item_list(all_items()).await.unwrap()[0];
    let mail = parts.store.mail_get(&item.anchor).await.unwrap().unwrap();
    assert_ne!(mail.state, MailState::Sent);
    assert!(mail.attempts >= 1, "{mail:?}");
    let error = item.last_error.as_ref().unwrap();
    assert_eq!(error.class, "mail", "{error:?}");
    assert!(error.code.starts_with("smtp_"), "{error:?}");
    assert!(!error.message.contains(password), "{error:?}");
}

#[test]
fn an_unknown_placeholder_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("t.txt");
    std::fs::write(&template, "Hi {first_name}: {redeem_url}").unwrap();
    let env = [
        (
            "GUESTSYNC__NOTIFY__SMTP__HOST",
            "smtp.example.com".to_string(),
        ),
        ("GUESTSYNC__NOTIFY__SMTP__FROM", "it@example.com".into()),
        (
            "GUESTSYNC__NOTIFY__SMTP__TEMPLATE_PATH",
            template.display().to_string(),
        ),
    ]
    .map(|(k, v)| (k.to_string(), v));
    let err = Settings::load_with_env(None, env).unwrap_err().to_string();
    assert!(err.contains("notify.smtp.template_path"), "{err}");
    assert!(err.contains("{first_name}"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_daemon_killed_before_the_mail_went_out_leaves_it_to_the_next_process() {
    let mut world = World::start(Knobs::default(), Vec::new(), &rows(2)).await;
    with_smtp(&mut world, closed_port().await);
    let mut daemon = tokio::process::Command::new(env!("CARGO_BIN_EXE_guestsync"))
        .env_clear()
        .envs(world.env())
        .arg("run")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // Wait until both invitations are recorded with their mails owed, then SIGKILL.
    let store = guestsync::store::SqliteStore::connect(&world.state_url()).await;
    let mut owed = 0;
    for _ in 0..200 {
        if let Ok(store) = &store {
            use guestsync::store::Store;
            owed = store
                .mail_counts()
                .await
                .map_or(0, |c| c[&MailState::Pending]);
        }
        if owed == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(owed, 2, "the daemon did not record the invitations");
    daemon.kill().await.unwrap();

    let sink = SmtpSink::start().await;
    with_smtp(&mut world, sink.addr.port());
    let parts = world.parts().await;
    for _ in 0..100 {
        parts
            .pool
            .drain(CancellationToken::new(), |_| {})
            .await
            .unwrap();
        if sink.mails().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    world.sync_once().await;
    let mut recipients: Vec<String> = sink.mails().iter().flat_map(|m| m.to.clone()).collect();
    recipients.sort();
    let mut expected: Vec<String> = rows(2).iter().map(|r| r.email.to_lowercase()).collect();
    expected.sort();
    assert_eq!(recipients, expected, "exactly one mail per invitee");
    assert_eq!(world.emulator.counters().invitation_emails_sent, 0);
}
