#!/usr/bin/env python3
"""Soak harness for guestsync: the real `guestsync run` against `guestsync emulator`, both as
separate processes, with a SQLite source that a mutator changes after every cycle and the
emulator's faults on (random 5xx, latency, replication lag, a write budget below guestsync's so
429s happen, the Retry-After mode rotating through computed, fixed, zero and missing).

It samples the daemon after every finished cycle (RSS from /proc/PID/status, open fds from
/proc/PID/fd, established TCP connections from the process's sockets matched against
/proc/PID/net/tcp{,6}, queue items by state, stuck items), stops by itself after --minutes (or
--cycles), lets the system converge with the faults off, checks the tenant against the source,
stops the daemon with SIGTERM, prints a table (first, median, last, max) and a verdict.

Exit status: 0 when every check passed, 1 when one failed, 2 on a harness error. The checks:
  * RSS: median of the last quarter of the samples <= median of the first quarter
    + max(--rss-tolerance-pct %, --rss-tolerance-mib MiB); the samples taken while the first
    load is applied (until the queue first drains) are warm-up and not judged;
  * open fds and established TCP connections: max of the last quarter <= max of the first
    quarter + --fd-tolerance / --conn-tolerance;
  * every cycle that started finished (failed cycles are reported with their reason);
  * after the quiet period: no item pending, running or dead, no lease expired, a cycle with
    zero Graph writes (invariant 4);
  * every source identity has exactly one guest, enabled; every removed identity's guest is
    disabled; no address has two guests; the unowned guests seeded at start are untouched;
    no invitation e-mail was sent; no more requests reached the emulator inside a Retry-After
    window it announced than could have been in flight when it sent the 429 (throttled x
    (max in flight - 1)); the daemon exits 0 on SIGTERM.

Only the Python standard library is used (Python >= 3.11). Example (100+ cycles):

    cargo build --release --locked
    python3 bench/soak.py --binary target/release/guestsync --cycles 110 --interval 3s \
        --identities 1000

and the 30-minute soak:

    python3 bench/soak.py --binary target/release/guestsync --minutes 30 --interval 10s \
        --identities 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ADMIN_TOKEN = "soak-admin-token-0123456789"
RETRY_AFTER_MODES = ["Computed", {"Fixed": 2}, "Zero", "Missing"]
UNOWNED_GUESTS = 25
MIB = 1024 * 1024


class HarnessError(Exception):
    """The harness itself could not do its job (not a verdict on guestsync)."""


def parse_duration(text: str) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)", text.strip())
    if not m:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 500ms, 10s, 5m)")
    value, unit = float(m.group(1)), m.group(2)
    return value * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body=None, token: str | None = None, timeout: float = 30):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read()
        ctype = resp.headers.get("Content-Type", "")
        return json.loads(raw) if raw and "json" in ctype else raw.decode()


# ---------------------------------------------------------------------------------------------
# The source and its mutator


@dataclass
class Source:
    """The SQLite source table and what the mutator did to it."""

    path: Path
    pool: int
    rng: random.Random
    present: set[int] = field(default_factory=set)
    version: dict[int, int] = field(default_factory=dict)
    mutations: dict[str, int] = field(
        default_factory=lambda: {"added": 0, "returned": 0, "updated": 0, "removed": 0}
    )
    ever: set[int] = field(default_factory=set)

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    @staticmethod
    def anchor(i: int) -> str:
        return f"P{i:06d}"

    @staticmethod
    def email(i: int) -> str:
        return f"partner{i:06d}@soak{i % 37}.example"

    def row(self, i: int) -> tuple:
        v = self.version.get(i, 0)
        return (
            self.anchor(i),
            self.email(i),
            f"Partner {i} v{v}",
            "Partner",
            f"{i}",
            f"Title {v % 11}",
            f"Dept {(i + v) % 13}",
            f"Company {i % 29}",
        )

    def create(self, initial: int) -> None:
        conn = self.connect()
        conn.execute(
            "CREATE TABLE partners (anchor TEXT PRIMARY KEY, email TEXT, display_name TEXT,"
            " given_name TEXT, surname TEXT, job_title TEXT, department TEXT, company TEXT)"
        )
        conn.execute("BEGIN")
        for i in range(initial):
            conn.execute("INSERT INTO partners VALUES (?,?,?,?,?,?,?,?)", self.row(i))
            self.present.add(i)
            self.ever.add(i)
        # Rows a real table holds and guestsync must reject (recorded, never sent to Graph).
        conn.execute(
            "INSERT INTO partners VALUES ('BAD1', 'not-an-address', 'Bad', NULL, NULL,"
            " NULL, NULL, NULL)"
        )
        conn.execute(
            "INSERT INTO partners VALUES ('', 'noanchor@soak.example', 'No anchor', NULL,"
            " NULL, NULL, NULL, NULL)"
        )
        conn.execute("COMMIT")
        conn.close()

    def mutate(self, adds: int, updates: int, removes: int) -> None:
        """Removes `removes` rows, brings back or adds `adds` absent ones, changes `updates`."""
        absent = sorted(set(range(self.pool)) - self.present)
        back = self.rng.sample(absent, min(adds, len(absent)))
        gone = self.rng.sample(sorted(self.present), min(removes, len(self.present)))
        staying = sorted(self.present - set(gone))
        changed = self.rng.sample(staying, min(updates, len(staying)))
        conn = self.connect()
        conn.execute("BEGIN IMMEDIATE")
        for i in gone:
            conn.execute("DELETE FROM partners WHERE anchor = ?", (self.anchor(i),))
            self.present.discard(i)
            self.mutations["removed"] += 1
        for i in back:
            self.version[i] = self.version.get(i, 0) + 1
            conn.execute("INSERT INTO partners VALUES (?,?,?,?,?,?,?,?)", self.row(i))
            self.present.add(i)
            self.mutations["returned" if i in self.ever else "added"] += 1
            self.ever.add(i)
        for i in changed:
            self.version[i] = self.version.get(i, 0) + 1
            _, _, name, _, _, title, dept, _ = self.row(i)
            conn.execute(
                "UPDATE partners SET display_name = ?, job_title = ?, department = ?"
                " WHERE anchor = ?",
                (name, title, dept, self.anchor(i)),
            )
            self.mutations["updated"] += 1
        conn.execute("COMMIT")
        conn.close()


QUERY = (
    "SELECT anchor, email, display_name, given_name, surname, job_title, department,"
    " company AS company_name FROM partners"
)


# ---------------------------------------------------------------------------------------------
# Processes


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None


def start_emulator(binary: str, workdir: Path, args) -> tuple[Proc, str]:
    port = free_port()
    log = workdir / "emulator.log"
    cmd = [
        binary, "emulator", "--listen", f"127.0.0.1:{port}",
        "--write-budget", str(args.emulator_write_budget),
        "--read-budget", str(args.emulator_read_budget),
    ]
    popen = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _get_ok(f"{base}/_emulator/knobs"), 60, "the emulator to listen")
    return Proc("emulator", popen, log), base


def _get_ok(url: str) -> bool:
    try:
        http("GET", url, timeout=2)
        return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_for(cond, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(0.5)
    raise HarnessError(f"timed out after {seconds:.0f}s waiting for {what}")


def write_config(workdir: Path, emulator: str, source: Path, args) -> tuple[Path, str]:
    port = free_port()
    config = workdir / "guestsync.toml"
    config.write_text(
        f"""[graph]
base_url = "{emulator}/v1.0"
write_budget_per_second = {args.daemon_write_budget}
retry_base = "500ms"
retry_cap = "10s"
retry_fallback = "2s"

[auth]
authority_url = "{emulator}"
tenant_id = "00000000-0000-0000-0000-0000000000aa"
client_id = "11111111-1111-1111-1111-1111111111bb"
client_secret = "emulator-secret"

[state]
url = "sqlite://{workdir / 'state.db'}"

[source]
url = "sqlite://{source}"
query = "{QUERY}"

[sync]
interval = "{args.interval_text}"
replication_window = "15s"

[workers]
lease = "30s"

[http]
listen = "127.0.0.1:{port}"
admin_token = "{ADMIN_TOKEN}"

[log]
level = "{args.log_level}"
format = "json"
"""
    )
    return config, f"http://127.0.0.1:{port}"


def start_daemon(binary: str, workdir: Path, config: Path, api: str, wrapper: str) -> Proc:
    log = workdir / "daemon.log"
    popen = subprocess.Popen(
        wrapper.split() + [binary, "--config", str(config), "run"],
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
    )
    proc = Proc("daemon", popen, log)

    def live():
        if not proc.alive():
            raise HarnessError(f"the daemon exited at start; see {log}")
        return _get_ok(f"{api}/health/live")

    wait_for(live, 120, "the daemon to serve /health/live")
    return proc


# ---------------------------------------------------------------------------------------------
# Sampling


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise HarnessError(f"no VmRSS for {pid}")


def fds_and_connections(pid: int) -> tuple[int, int]:
    """Open fds, and the process's TCP sockets in state ESTABLISHED."""
    inodes = set()
    fds = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        fds += 1
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    established = 0
    for table in ("tcp", "tcp6"):
        try:
            lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[3] == "01" and cols[9] in inodes:
                established += 1
    return fds, established


class StateDb:
    """Read-only look into the daemon's SQLite state store."""

    def __init__(self, path: Path):
        self.path = path

    def query(self, sql: str, params=()) -> list[tuple]:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def items_by_state(self) -> dict[str, int]:
        return dict(self.query("SELECT state, COUNT(*) FROM item GROUP BY state"))

    def stuck(self, now: dt.datetime, slack_s: float) -> dict[str, int]:
        """Leases expired more than `slack_s` ago; pending items overdue by more than it."""
        limit = now - dt.timedelta(seconds=slack_s)
        expired = overdue = 0
        for state, lease_until, run_after in self.query(
            "SELECT state, lease_until, run_after FROM item WHERE state IN ('running','pending')"
        ):
            if state == "running" and lease_until and parse_ts(lease_until) < limit:
                expired += 1
            if state == "pending" and parse_ts(run_after) < limit:
                overdue += 1
        return {"lease_expired": expired, "pending_overdue": overdue}

    def runs(self) -> list[tuple]:
        return self.query(
            "SELECT id, kind, started_at, finished_at, outcome, failure_reason, held_status"
            " FROM run ORDER BY id"
        )

    def links(self) -> dict[str, tuple[str, str, int]]:
        return {
            a: (o, e, d)
            for a, o, e, d in self.query(
                "SELECT anchor, object_id, email, disabled_by_us FROM link"
                " WHERE deleted_at IS NULL"
            )
        }


def parse_ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class Sample:
    t: float
    cycle: int
    rss_kib: int
    fds: int
    conns: int
    emulator_rss_kib: int
    items: dict
    stuck: dict


# ---------------------------------------------------------------------------------------------
# The run


class Soak:
    def __init__(self, args):
        self.args = args
        self.workdir = Path(args.workdir or tempfile.mkdtemp(prefix="guestsync-soak-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(args.seed)
        n = args.identities
        self.source = Source(self.workdir / "source.db", pool=n + max(10, n // 20), rng=self.rng)
        self.samples: list[Sample] = []
        self.failures: list[str] = []
        self.notes: list[str] = []
        self.procs: list[Proc] = []
        self.warmup_until: int | None = None
        self.approved: list[int] = []

    # -- knobs ------------------------------------------------------------------------------

    def knobs(self, cycle: int, quiet: bool = False) -> dict:
        a = self.args
        budget = lambda per_second: {"per_second": per_second, "burst": max(1, int(per_second))}
        return {
            "write_budget": budget(a.emulator_write_budget),
            "read_budget": budget(a.emulator_read_budget),
            "retry_after": RETRY_AFTER_MODES[cycle % len(RETRY_AFTER_MODES)],
            "fault_rate": 0.0 if quiet else a.fault_rate,
            "fault_seed": a.seed + cycle,
            "latency_ms": 0 if quiet else a.latency_ms,
            "replication_lag_max_ms": 0 if quiet else a.lag_ms,
            "token_lifetime_secs": a.token_lifetime_secs,
        }

    def set_knobs(self, cycle: int, quiet: bool = False) -> None:
        http("PUT", f"{self.emulator}/_emulator/knobs", self.knobs(cycle, quiet))

    # -- helpers ----------------------------------------------------------------------------

    def finished_runs(self) -> list[tuple]:
        return [r for r in self.state.runs() if r[3] is not None]

    def approve_held(self) -> None:
        for run in http("GET", f"{self.api}/api/v1/runs?limit=20", token=ADMIN_TOKEN):
            if run.get("held") == "waiting" and run["id"] not in self.approved:
                http("POST", f"{self.api}/api/v1/runs/{run['id']}/approve", {}, ADMIN_TOKEN)
                self.approved.append(run["id"])
                self.notes.append(f"run {run['id']} held by the brake, approved")

    def sample(self, cycle: int) -> Sample:
        fds, conns = fds_and_connections(self.daemon_pid)
        items = self.state.items_by_state()
        s = Sample(
            t=time.monotonic() - self.t0,
            cycle=cycle,
            rss_kib=rss_kib(self.daemon_pid),
            fds=fds,
            conns=conns,
            emulator_rss_kib=rss_kib(self.emulator_proc.pid),
            items=items,
            stuck=self.state.stuck(dt.datetime.now(dt.timezone.utc), self.args.stuck_slack),
        )
        self.samples.append(s)
        backlog = items.get("pending", 0) + items.get("running", 0)
        if self.warmup_until is None and backlog <= 3 * self.per_cycle_changes():
            self.warmup_until = len(self.samples)
        if not self.args.quiet_progress:
            print(
                f"[{s.t:7.1f}s] cycle {cycle:4d}  rss {s.rss_kib / 1024:7.1f} MiB  fds {fds:3d}"
                f"  tcp {conns:2d}  items {json.dumps(items, sort_keys=True)}"
                f"  stuck {json.dumps(s.stuck)}",
                flush=True,
            )
        return s

    def changes(self) -> dict[str, int]:
        a, n = self.args, self.args.identities
        return {
            "adds": a.adds if a.adds is not None else max(1, n // 200),
            "updates": a.updates if a.updates is not None else max(1, n // 100),
            "removes": a.removes if a.removes is not None else max(1, n // 200),
        }

    def per_cycle_changes(self) -> int:
        return sum(self.changes().values())

    def check_alive(self) -> None:
        for p in self.procs:
            if not p.alive():
                raise HarnessError(f"{p.name} exited with {p.popen.returncode}; see {p.log}")

    # -- phases -----------------------------------------------------------------------------

    def start(self) -> None:
        a = self.args
        self.source.create(a.identities)
        self.emulator_proc, self.emulator = start_emulator(a.binary, self.workdir, a)
        self.procs.append(self.emulator_proc)
        for i in range(UNOWNED_GUESTS):
            seed = {
                "mail": f"unowned{i}@elsewhere.example",
                "display_name": f"Unowned {i}",
                "user_type": "Guest",
                "creation_type": "Invitation",
                "account_enabled": True,
            }
            http("POST", f"{self.emulator}/_emulator/users", seed)
        self.unowned_before = self.unowned()
        self.set_knobs(0)
        config, self.api = write_config(self.workdir, self.emulator, self.source.path, a)
        self.state = StateDb(self.workdir / "state.db")
        self.t0 = time.monotonic()
        self.daemon = start_daemon(a.binary, self.workdir, config, self.api, a.daemon_wrapper)
        self.daemon_pid = self.find_daemon_pid()
        self.procs.append(self.daemon)

    def find_daemon_pid(self) -> int:
        """The daemon's own pid (a wrapper such as heaptrack starts it as a child)."""
        if not self.args.daemon_wrapper:
            return self.daemon.pid
        binary = os.path.realpath(self.args.binary)
        for pid in map(int, filter(str.isdigit, os.listdir("/proc"))):
            try:
                exe = os.readlink(f"/proc/{pid}/exe")
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if exe == binary and b"run" in cmd and str(self.workdir).encode() in b" ".join(cmd):
                return pid
        raise HarnessError("cannot find the daemon's pid under the wrapper")

    def unowned(self) -> dict[str, dict]:
        users = http("GET", f"{self.emulator}/_emulator/users", timeout=120)
        return {u["id"]: u for u in users if u.get("mail", "").endswith("@elsewhere.example")}

    def wait_next_cycle(self, after: int) -> int:
        """Waits for a run with id > after to finish; returns its id."""
        stall = max(120.0, 10 * self.args.interval)

        def done():
            self.check_alive()
            self.approve_held()
            runs = self.finished_runs()
            return runs[-1][0] if runs and runs[-1][0] > after else None

        return wait_for(done, stall, f"a cycle to finish after run {after} (stalled?)")

    def soak(self) -> None:
        a = self.args
        deadline = self.t0 + a.minutes * 60 if a.minutes else None
        last, cycles = 0, 0
        while True:
            try:
                last = self.wait_next_cycle(last)
            except HarnessError as e:
                self.failures.append(str(e))
                return
            cycles += 1
            self.sample(last)
            if (deadline and time.monotonic() >= deadline) or (a.cycles and cycles >= a.cycles):
                return
            self.source.mutate(**self.changes())
            self.set_knobs(cycles)

    def converge(self) -> None:
        """Faults off, no more changes; waits for a cycle that writes nothing with an idle queue."""
        self.set_knobs(0, quiet=True)
        deadline = time.monotonic() + self.args.quiet_minutes * 60
        last = self.finished_runs()[-1][0] if self.finished_runs() else 0
        writes_before, items = None, {}
        while time.monotonic() < deadline:
            try:
                last = self.wait_next_cycle(last)
            except HarnessError as e:
                self.failures.append(str(e))
                return
            items = self.state.items_by_state()
            writes = http("GET", f"{self.emulator}/_emulator/counters")["writes_total"]
            idle = not items.get("pending") and not items.get("running")
            if idle and writes_before == writes:
                self.converged_at = time.monotonic() - self.t0
                return
            writes_before = writes if idle else None
        self.failures.append(
            f"no quiet convergence within {self.args.quiet_minutes} min (queue {items})"
        )

    # -- verdict ----------------------------------------------------------------------------

    def judge(self) -> None:
        a = self.args
        judged = self.samples[(self.warmup_until or len(self.samples)) :]
        self.judged = judged
        if len(judged) < 8:
            self.failures.append(
                f"only {len(judged)} samples after warm-up (need 8 to compare quarters);"
                " run longer"
            )
        else:
            q = len(judged) // 4
            first, last = judged[:q], judged[-q:]
            rss0 = statistics.median(s.rss_kib for s in first)
            rss1 = statistics.median(s.rss_kib for s in last)
            allowed = max(rss0 * a.rss_tolerance_pct / 100, a.rss_tolerance_mib * 1024)
            self.rss_quarters = (rss0, rss1, allowed)
            if rss1 - rss0 > allowed:
                self.failures.append(
                    f"RSS grew {(rss1 - rss0) / 1024:.1f} MiB between the first and last quarter"
                    f" (median {rss0 / 1024:.1f} -> {rss1 / 1024:.1f} MiB;"
                    f" allowed {allowed / 1024:.1f} MiB)"
                )
            for name, tol in (("fds", a.fd_tolerance), ("conns", a.conn_tolerance)):
                m0 = max(getattr(s, name) for s in first)
                m1 = max(getattr(s, name) for s in last)
                if m1 - m0 > tol:
                    self.failures.append(
                        f"{name} grew from max {m0} (first quarter) to max {m1} (last quarter);"
                        f" allowed +{tol}"
                    )
        runs = self.state.runs()
        unfinished = [r[0] for r in runs if r[3] is None]
        if unfinished:
            self.failures.append(f"runs that never finished: {unfinished}")
        self.runs_total = len(runs)
        # The cycle SIGTERM interrupted at the very end is finished as cancelled, as designed.
        self.runs_failed = [
            (r[0], r[5])
            for r in runs
            if r[4] == "failed" and not (r is runs[-1] and "cancel" in (r[5] or ""))
        ]
        durations = [
            (parse_ts(r[3]) - parse_ts(r[2])).total_seconds() for r in runs if r[3] is not None
        ]
        self.cycle_seconds = (statistics.median(durations), max(durations)) if durations else None
        self.runs_held = [r[0] for r in runs if r[4] == "held"]
        items = self.state.items_by_state()
        self.final_items = items
        for state in ("pending", "running", "dead"):
            if items.get(state):
                self.failures.append(f"{items[state]} item(s) {state} after the quiet period")
        if items.get("dead"):
            for row in self.state.query(
                "SELECT anchor, action, last_error FROM item WHERE state = 'dead' LIMIT 5"
            ):
                self.notes.append(f"dead: {row}")
        stuck = self.state.stuck(dt.datetime.now(dt.timezone.utc), 0)
        if stuck["lease_expired"]:
            self.failures.append(f"{stuck['lease_expired']} item(s) with an expired lease")

    def check_tenant(self) -> None:
        users = http("GET", f"{self.emulator}/_emulator/users", timeout=120)
        by_id = {u["id"]: u for u in users}
        by_mail: dict[str, list[str]] = {}
        for u in users:
            for m in [u.get("mail") or ""] + list(u.get("otherMails") or []):
                if m:
                    by_mail.setdefault(m.lower(), []).append(u["id"])
        dupes = {m: ids for m, ids in by_mail.items() if len(set(ids)) > 1}
        if dupes:
            self.failures.append(f"{len(dupes)} address(es) with several guests, e.g. {next(iter(dupes))}")
        links = self.state.links()
        missing, wrongly_disabled, not_disabled = [], [], []
        for i in range(self.source.pool):
            anchor = self.source.anchor(i)
            link = links.get(anchor)
            if i in self.source.present:
                user = by_id.get(link[0]) if link else None
                if user is None:
                    missing.append(anchor)
                elif not user.get("accountEnabled"):
                    wrongly_disabled.append(anchor)
                elif (user.get("displayName") or "") != self.source.row(i)[2]:
                    missing.append(f"{anchor} (stale displayName)")
            elif link and by_id.get(link[0], {}).get("accountEnabled"):
                not_disabled.append(anchor)
        for what, lst in (
            ("source identities without their guest", missing),
            ("present identities whose guest is disabled", wrongly_disabled),
            ("removed identities whose guest is still enabled", not_disabled),
        ):
            if lst:
                self.failures.append(f"{len(lst)} {what}, e.g. {lst[:3]}")
        after = self.unowned()
        touched = [
            i for i, u in self.unowned_before.items() if after.get(i) != u
        ]
        if touched:
            self.failures.append(f"{len(touched)} unowned guest(s) changed or deleted")
        self.counters = http("GET", f"{self.emulator}/_emulator/counters")
        if self.counters.get("invitation_emails_sent"):
            self.failures.append("Graph was asked to send invitation e-mails")
        # The emulator counts a request that arrives inside a window it announced; a request
        # another worker sent before guestsync saw the 429 arrives there too. Up to one per
        # other request in flight per 429 is that race; more means a window was ignored.
        c = self.counters
        in_flight_bound = c["throttled"] * max(0, c["max_concurrent"] - 1)
        if c["during_retry_after"] > in_flight_bound:
            self.failures.append(
                f"{c['during_retry_after']} request(s) arrived inside a Retry-After window, more"
                f" than the {in_flight_bound} that were possibly in flight when a 429 was sent"
            )
        self.tenant_users = len(users)

    def stop_daemon(self) -> None:
        if getattr(self, "daemon", None) and self.daemon.alive():
            os.kill(getattr(self, "daemon_pid", self.daemon.pid), signal.SIGTERM)
            try:
                code = self.daemon.popen.wait(timeout=60)
                if code != 0:
                    self.failures.append(f"the daemon exited {code} on SIGTERM")
            except subprocess.TimeoutExpired:
                self.failures.append("the daemon did not stop within 60 s of SIGTERM")

    def stop_all(self) -> None:
        for p in self.procs:
            if p.alive():
                p.popen.send_signal(signal.SIGTERM)
                try:
                    p.popen.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.popen.kill()

    # -- report -----------------------------------------------------------------------------

    def report(self) -> str:
        a = self.args
        out = []
        judged = getattr(self, "judged", self.samples)
        out.append(
            f"guestsync soak: {len(self.samples)} cycles sampled ({len(judged)} judged after"
            f" warm-up), {a.identities} identities, interval {a.interval_text},"
            f" fault_rate {a.fault_rate}, latency {a.latency_ms} ms, replication lag <="
            f" {a.lag_ms} ms, emulator write budget {a.emulator_write_budget}/s vs guestsync"
            f" {a.daemon_write_budget}/s, Retry-After rotating {RETRY_AFTER_MODES}"
        )
        if self.samples:
            dur = self.samples[-1].t
            out.append(f"duration {dur / 60:.1f} min until the last sample")
        out.append("")
        out.append("| metric | first | median | last | max |")
        out.append("|---|---|---|---|---|")
        rows = [
            ("daemon RSS (MiB)", lambda s: s.rss_kib / 1024),
            ("daemon open fds", lambda s: s.fds),
            ("daemon TCP established", lambda s: s.conns),
            ("emulator RSS (MiB)", lambda s: s.emulator_rss_kib / 1024),
            ("items pending", lambda s: s.items.get("pending", 0)),
            ("items dead", lambda s: s.items.get("dead", 0)),
            ("leases expired", lambda s: s.stuck["lease_expired"]),
        ]
        for name, f in rows:
            if not judged:
                break
            vals = [f(s) for s in judged]
            fmt = (lambda v: f"{v:.1f}") if isinstance(vals[0], float) else str
            out.append(
                f"| {name} | {fmt(vals[0])} | {fmt(statistics.median(vals))} | {fmt(vals[-1])}"
                f" | {fmt(max(vals))} |"
            )
        out.append("")
        if hasattr(self, "rss_quarters"):
            r0, r1, allowed = self.rss_quarters
            out.append(
                f"RSS median first quarter {r0 / 1024:.1f} MiB, last quarter {r1 / 1024:.1f} MiB"
                f" ({(r1 - r0) / 1024:+.1f} MiB, {100 * (r1 - r0) / r0:+.1f} %; allowed"
                f" +{allowed / 1024:.1f} MiB)"
            )
        if hasattr(self, "runs_total"):
            out.append(
                f"cycles: {self.runs_total} started, all finished: "
                f"{'yes' if not any('never finished' in f for f in self.failures) else 'NO'};"
                f" failed {len(self.runs_failed)}, held {len(self.runs_held)}"
                f" (approved {self.approved})"
            )
            for rid, reason in self.runs_failed[:5]:
                out.append(f"  failed run {rid}: {reason}")
            if self.cycle_seconds:
                out.append(
                    f"cycle duration (read, plan, record): median {self.cycle_seconds[0]:.2f} s,"
                    f" max {self.cycle_seconds[1]:.2f} s"
                )
            out.append(f"final queue: {self.final_items}")
        if hasattr(self, "counters"):
            c = self.counters
            out.append(
                f"emulator: {c['requests_total']} requests, {c['writes_total']} writes,"
                f" {c['faults_injected']} 5xx injected, {c['throttled']} 429s,"
                f" {c['during_retry_after']} requests arrived inside a Retry-After window"
                f" (max {c['max_concurrent']} in flight),"
                f" {c['invitation_emails_sent']} invitation e-mails, {c['tokens_issued']} tokens;"
                f" {self.tenant_users} users in the tenant"
            )
        out.append(f"source mutations: {self.source.mutations}")
        if hasattr(self, "converged_at"):
            out.append(f"converged (a cycle with zero writes, queue idle) at {self.converged_at:.0f} s")
        for n in self.notes:
            out.append(f"note: {n}")
        out.append("")
        if self.failures:
            out.append("VERDICT: FAIL")
            out.extend(f"  - {f}" for f in self.failures)
        else:
            out.append("VERDICT: PASS")
        return "\n".join(out)

    def save(self, text: str) -> None:
        (self.workdir / "report.txt").write_text(text + "\n")
        (self.workdir / "samples.json").write_text(
            json.dumps([s.__dict__ for s in self.samples], indent=1)
        )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--binary", default=os.environ.get("GUESTSYNC_BIN", "target/release/guestsync"))
    p.add_argument("--minutes", type=float, default=None, help="stop after this long")
    p.add_argument("--cycles", type=int, default=None, help="stop after this many cycles")
    p.add_argument("--interval", default="10s", help="sync.interval")
    p.add_argument("--identities", type=int, default=2000)
    p.add_argument("--adds", type=int, default=None, help="rows added or brought back per cycle")
    p.add_argument("--updates", type=int, default=None, help="rows changed per cycle")
    p.add_argument("--removes", type=int, default=None, help="rows removed per cycle")
    p.add_argument("--fault-rate", type=float, default=0.03)
    p.add_argument("--latency-ms", type=int, default=10)
    p.add_argument("--lag-ms", type=int, default=3000)
    p.add_argument("--token-lifetime-secs", type=int, default=300)
    p.add_argument("--emulator-write-budget", type=float, default=10.0)
    p.add_argument("--emulator-read-budget", type=float, default=50.0)
    p.add_argument("--daemon-write-budget", type=float, default=20.0)
    p.add_argument("--quiet-minutes", type=float, default=5.0, help="longest convergence wait")
    p.add_argument("--stuck-slack", type=float, default=60.0, help="seconds overdue = stuck")
    p.add_argument("--rss-tolerance-pct", type=float, default=10.0)
    p.add_argument("--rss-tolerance-mib", type=float, default=8.0)
    p.add_argument("--fd-tolerance", type=int, default=8)
    p.add_argument("--conn-tolerance", type=int, default=8)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--log-level", default="warn")
    p.add_argument(
        "--daemon-wrapper", default="", help='e.g. "heaptrack -o /tmp/soak/daemon" (RSS then includes it)'
    )
    p.add_argument("--workdir", default=None, help="default: a new temp dir (kept)")
    p.add_argument("--quiet-progress", action="store_true", help="no line per cycle")
    args = p.parse_args()
    if not args.minutes and not args.cycles:
        p.error("give --minutes or --cycles (or both: whichever comes first)")
    args.interval_text = args.interval
    args.interval = parse_duration(args.interval)
    if not Path(args.binary).is_file():
        p.error(f"no guestsync binary at {args.binary} (cargo build --release --locked)")

    def terminate(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    soak = Soak(args)
    print(f"workdir {soak.workdir}", flush=True)
    code = 0
    try:
        soak.start()
        soak.soak()
        if not soak.failures:
            soak.converge()
        soak.check_tenant()
        soak.stop_daemon()
        soak.judge()
    except (HarnessError, OSError, ValueError, KeyError, sqlite3.Error) as e:
        soak.failures.append(f"harness: {e!r}")
        code = 2
    except KeyboardInterrupt:
        soak.failures.append("interrupted")
        code = 2
    finally:
        soak.stop_daemon()
        soak.stop_all()
    text = soak.report()
    print(text, flush=True)
    soak.save(text)
    return code or (1 if soak.failures else 0)


if __name__ == "__main__":
    sys.exit(main())
