//! `guestsync demo`, the README's first command: two cycles against the in-process emulator
//! with their summary, then the daemon with the status page, probes, metrics and admin API
//! until SIGTERM; `--once` stops after the summary; a taken `--listen` fails before any work.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use crate::crash::daemon::poll_until;
use crate::http::daemon::wait_for;
use crate::support::json::json;

fn demo(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_guestsync"));
    command
        .env_clear()
        .args(["demo", "--partners", "12", "--dir"])
        .arg(dir)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// The summary both modes print: 12 partners and the sample's bad rows, all good ones
/// invited in cycle 1, nothing written in cycle 2.
fn assert_summary(stdout: &str) {
    assert!(
        stdout.contains("run 1: read 19, rejected 4, held 2, invited 13"),
        "{stdout}"
    );
    assert!(stdout.contains("cycle 2 (nothing changed)"), "{stdout}");
    assert!(stdout.contains("Graph writes in cycle 2: 0"), "{stdout}");
    assert!(stdout.contains("0 invitation e-mails sent"), "{stdout}");
}

#[tokio::test]
async fn demo_once_prints_the_two_cycles_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let output = demo(dir.path()).arg("--once").output().await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert_summary(&stdout);
    assert!(!stdout.contains("status page"), "{stdout}");
}

#[tokio::test]
async fn demo_refuses_a_taken_listen_address_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = demo(dir.path())
        .args(["--listen", &address])
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&address) && stderr.contains("--listen"),
        "{stderr}"
    );
    assert!(!dir.path().join("source.db").exists(), "work was done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_goes_on_as_the_daemon_with_the_status_page_until_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let address = free_address();
    let stdout_path = dir.path().join("stdout");
    let mut daemon = demo(&dir.path().join("demo"))
        .args(["--listen", &address])
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://{address}");
    let client = reqwest::Client::new();
    let page = async || {
        let Ok(response) = client.get(format!("{base}/")).send().await else {
            return false;
        };
        let html = response.text().await.unwrap_or_default();
        // The two demo cycles and the daemon's first one, in the chart.
        [
            "data-run=\"1\"",
            "data-run=\"2\"",
            "data-run=\"3\"",
            "id=\"runs-chart\"",
        ]
        .iter()
        .all(|needle| html.contains(needle))
    };
    let every = Duration::from_millis(200);
    poll_until(
        "the status page shows three runs",
        Duration::from_secs(120),
        every,
        page,
    )
    .await;
    // Run 3 shows on the page when it starts; readiness follows once it has finished.
    wait_for(&format!("{base}/health/ready"), 200).await;
    let metrics = client.get(format!("{base}/metrics")).send().await.unwrap();
    let metrics = metrics.text().await.unwrap();
    assert!(
        metrics.contains("guestsync_cycles_total{outcome=\"succeeded\"} 3"),
        "the demo's cycles are counted: {metrics}"
    );

    let token_file = dir.path().join("demo/admin-token");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the admin token is readable by others");
    }
    let token = std::fs::read_to_string(&token_file).unwrap();
    let runs = client.get(format!("{base}/api/v1/runs"));
    assert_eq!(
        runs.try_clone().unwrap().send().await.unwrap().status(),
        401
    );
    let runs = json(runs.bearer_auth(&token)).await;
    assert_eq!(runs.as_array().map(Vec::len), Some(3), "{runs}");

    let pid = daemon.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    assert!(killed.unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(60), daemon.wait())
        .await
        .expect("SIGTERM did not stop the demo")
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let stdout = std::fs::read_to_string(&stdout_path).unwrap();
    assert_summary(&stdout);
    assert!(
        stdout.contains(&format!("status page  {base}/")),
        "{stdout}"
    );
    assert!(!stdout.contains(&token), "the token is printed");
}
