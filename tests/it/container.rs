//! The container as the Dockerfile defines it. No Docker daemon runs here, so the image is not
//! built; what is checked is everything the Dockerfile decides:
//! - the build context holds what the builder copies and what the crate embeds
//!   (`include_str!` paths, the declared benches), and `.dockerignore` leaves it in;
//! - the runtime stage runs as a non-root user with `STOPSIGNAL SIGTERM`;
//! - its `ENV`, `ENTRYPOINT` and `CMD`, run against the emulator with the container's paths
//!   mapped to the host (the `COPY`ed config to the repository's file, the volume to a temporary
//!   folder), start a daemon whose `HEALTHCHECK` command passes, that logs JSON only, and that
//!   exits 0 on the stop signal.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use guestsync::emulator::Knobs;

use crate::crash::daemon::poll_until;
use crate::http::rows;
use crate::support::world::World;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// One instruction of a Dockerfile: its keyword (upper case) and its arguments.
#[derive(Debug)]
struct Instruction {
    keyword: String,
    args: String,
}

/// The instructions of `text`, continuation lines joined, comments and blank lines dropped.
fn instructions(text: &str) -> Vec<Instruction> {
    let mut joined = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || (line.is_empty() && current.is_empty()) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(part) => current.push_str(part),
            None => {
                current.push_str(line);
                joined.push(std::mem::take(&mut current));
            }
        }
    }
    joined
        .into_iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (keyword, args) = l.trim().split_once(char::is_whitespace).unwrap_or((&l, ""));
            Instruction {
                keyword: keyword.to_uppercase(),
                args: args.trim().to_string(),
            }
        })
        .collect()
}

/// The Dockerfile's stages, each the instructions from one `FROM` to the next.
fn stages() -> Vec<Vec<Instruction>> {
    let text = std::fs::read_to_string(Path::new(REPO).join("Dockerfile")).unwrap();
    let mut stages: Vec<Vec<Instruction>> = Vec::new();
    for instruction in instructions(&text) {
        if instruction.keyword == "FROM" {
            stages.push(Vec::new());
        }
        if let Some(stage) = stages.last_mut() {
            stage.push(instruction);
        }
    }
    assert!(stages.len() >= 2, "a multi-stage build: {stages:?}");
    stages
}

fn args_of<'a>(stage: &'a [Instruction], keyword: &str) -> Vec<&'a str> {
    stage
        .iter()
        .filter(|i| i.keyword == keyword)
        .map(|i| i.args.as_str())
        .collect()
}

/// The one `keyword` instruction of `stage`, as a JSON (exec form) array.
fn exec_form(stage: &[Instruction], keyword: &str) -> Vec<String> {
    let args = args_of(stage, keyword);
    assert_eq!(args.len(), 1, "one {keyword} in the runtime stage");
    serde_json::from_str(args[0]).unwrap_or_else(|e| panic!("{keyword} not in exec form: {e}"))
}

/// `(source paths, destination)` of each `COPY` from the build context (not `--from`).
fn context_copies(stage: &[Instruction]) -> Vec<(Vec<String>, String)> {
    args_of(stage, "COPY")
        .into_iter()
        .filter(|a| !a.starts_with("--from"))
        .map(|a| {
            let mut parts: Vec<String> = a.split_whitespace().map(String::from).collect();
            let destination = parts.pop().unwrap();
            (parts, destination)
        })
        .collect()
}

/// `ENV` pairs of `stage` (the `key=value` form, values without spaces).
fn env_pairs(stage: &[Instruction]) -> Vec<(String, String)> {
    args_of(stage, "ENV")
        .into_iter()
        .flat_map(|a| a.split_whitespace())
        .map(|pair| {
            let (k, v) = pair.split_once('=').expect("ENV in key=value form");
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// Whether `.dockerignore` leaves `path` (relative, `/`-separated) in the build context: a
/// pattern excludes the path, or a folder it lies in, by exact name or a `*` suffix glob.
fn in_context(path: &str) -> bool {
    let ignore = std::fs::read_to_string(Path::new(REPO).join(".dockerignore")).unwrap();
    let patterns: Vec<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let prefixes: Vec<&str> = path
        .match_indices('/')
        .map(|(i, _)| &path[..i])
        .chain([path])
        .collect();
    !patterns.iter().any(|p| {
        prefixes.iter().any(|prefix| match p.strip_prefix('*') {
            Some(suffix) => prefix.ends_with(suffix),
            None => prefix == p,
        })
    })
}

/// The paths under `src/` that `include_str!`/`include_bytes!` embed, relative to the repository.
fn embedded_paths() -> Vec<String> {
    let mut found = Vec::new();
    let mut folders = vec![Path::new(REPO).join("src")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for macro_name in ["include_str!(\"", "include_bytes!(\""] {
                for (at, _) in text.match_indices(macro_name) {
                    let rest = &text[at + macro_name.len()..];
                    let relative = &rest[..rest.find('"').unwrap()];
                    let resolved = path.parent().unwrap().join(relative);
                    found.push(normalise(&resolved));
                }
            }
        }
    }
    found
}

/// `path` relative to the repository with `..` resolved.
fn normalise(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for part in path.strip_prefix(REPO).unwrap().components() {
        match part {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts.join("/")
}

#[test]
fn the_builder_copies_all_the_crate_reads_and_the_context_holds_it() {
    let stages = stages();
    let copies = context_copies(&stages[0]);
    let copied: Vec<&String> = copies.iter().flat_map(|(sources, _)| sources).collect();
    let covered = |path: &str| {
        copied
            .iter()
            .any(|c| path == c.as_str() || path.starts_with(&format!("{c}/")))
    };
    for source in &copied {
        assert!(
            Path::new(REPO).join(source).exists(),
            "COPY {source}: no such path"
        );
        assert!(in_context(source), "COPY {source}: .dockerignore drops it");
    }
    let embedded = embedded_paths();
    assert!(
        embedded.contains(&"config/default.toml".to_string()),
        "{embedded:?}"
    );
    for path in embedded {
        assert!(
            covered(&path),
            "the crate embeds {path}; the builder does not copy it"
        );
        assert!(
            in_context(&path),
            "the crate embeds {path}; .dockerignore drops it"
        );
    }
    let manifest = std::fs::read_to_string(Path::new(REPO).join("Cargo.toml")).unwrap();
    for bench in manifest.split("[[bench]]").skip(1) {
        let name = bench.split('"').nth(1).unwrap();
        let path = format!("benches/{name}.rs");
        assert!(
            covered(&path) && Path::new(REPO).join(&path).exists(),
            "{path}"
        );
    }
}

#[test]
fn the_runtime_stage_runs_as_a_non_root_user_and_stops_on_sigterm() {
    let stages = stages();
    let runtime = stages.last().unwrap();
    let user = args_of(runtime, "USER");
    assert_eq!(user.len(), 1, "{user:?}");
    let name = user[0].split(':').next().unwrap();
    assert!(!["root", "0", ""].contains(&name), "USER {}", user[0]);
    assert_eq!(args_of(runtime, "STOPSIGNAL"), ["SIGTERM"]);
    let healthcheck = args_of(runtime, "HEALTHCHECK");
    assert_eq!(healthcheck.len(), 1);
    let copies = context_copies(runtime);
    assert!(
        copies
            .iter()
            .any(|(s, d)| s == &["config/default.toml"] && d.ends_with(".toml")),
        "{copies:?}"
    );
}

/// The container's view of the host: destinations of `COPY`s from the context, and the volume.
struct Mounts {
    copies: Vec<(String, PathBuf)>,
    volume: (String, PathBuf),
}

impl Mounts {
    /// `value` with every container path replaced by its host path.
    fn map(&self, value: &str) -> String {
        let mut mapped = value.to_string();
        for (container, host) in self.copies.iter().chain([&self.volume]) {
            mapped = mapped.replace(container, host.to_str().unwrap());
        }
        mapped
    }
}

fn volume(runtime: &[Instruction]) -> String {
    let volumes = args_of(runtime, "VOLUME");
    assert_eq!(volumes.len(), 1, "{volumes:?}");
    let list: Vec<String> = serde_json::from_str(volumes[0]).unwrap();
    list[0].clone()
}

/// Runs the healthcheck command until it exits 0 (bounded by two minutes, the start period).
async fn wait_healthy(world: &World, env: &[(String, String)], command: &[String]) {
    let healthy = async || {
        world
            .command()
            .envs(env.iter().cloned())
            .args(&command[1..])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await
            .unwrap()
            .success()
    };
    let (limit, every) = (Duration::from_secs(120), Duration::from_millis(200));
    poll_until("the HEALTHCHECK passes", limit, every, healthy).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_containers_command_serves_a_passing_healthcheck_logs_json_and_stops_on_sigterm() {
    let stages = stages();
    let runtime = stages.last().unwrap();
    let state = tempfile::tempdir().unwrap();
    let mounts = Mounts {
        copies: context_copies(runtime)
            .into_iter()
            .filter(|(sources, _)| sources.len() == 1)
            .map(|(sources, dest)| (dest, Path::new(REPO).join(&sources[0])))
            .collect(),
        volume: (volume(runtime), state.path().to_path_buf()),
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let container_env: Vec<(String, String)> = env_pairs(runtime)
        .into_iter()
        .map(|(k, v)| {
            let v = mounts.map(&v);
            match k.as_str() {
                // The port is the one thing changed: tests run in parallel on one host.
                "GUESTSYNC__HTTP__LISTEN" => {
                    assert!(v.starts_with("0.0.0.0:"), "listens on every interface: {v}");
                    (k, format!("0.0.0.0:{port}"))
                }
                _ => (k, v),
            }
        })
        .collect();
    assert!(
        container_env.iter().any(|(k, _)| k == "GUESTSYNC_CONFIG"),
        "{container_env:?}"
    );

    let world = World::start(Knobs::default(), Vec::new(), &rows(3)).await;
    let entrypoint = exec_form(runtime, "ENTRYPOINT");
    let cmd = exec_form(runtime, "CMD");
    assert_eq!(entrypoint, ["guestsync"]);
    let log_path = state.path().join("stderr.log");
    let mut daemon = world
        .command()
        .envs(container_env.iter().cloned())
        .args(&cmd)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();

    let healthcheck = args_of(runtime, "HEALTHCHECK")[0];
    let json = &healthcheck[healthcheck.find("CMD").unwrap() + 3..];
    let probe: Vec<String> = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(probe[0], "guestsync", "{probe:?}");
    wait_healthy(&world, &container_env, &probe).await;
    assert!(
        state.path().join("guestsync.db").exists(),
        "the state store is in the volume"
    );
    assert_eq!(world.emulator.users().len(), 3);

    let pid = daemon.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(60), daemon.wait())
        .await
        .expect("the stop signal did not stop the daemon")
        .unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(!logs.is_empty());
    for line in logs.lines() {
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "not a JSON log line: {line}");
    }
}
