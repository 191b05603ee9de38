-- The state store schema (SQLite). Timestamps are UTC ISO-8601 TEXT of fixed width
-- (YYYY-MM-DDTHH:MM:SS.ffffffZ), so text order is time order. JSON is stored as TEXT.

-- One row per cycle.
CREATE TABLE run (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    outcome         TEXT CHECK (outcome IN ('succeeded', 'failed', 'held')),
    failure_reason  TEXT,
    counts          TEXT NOT NULL DEFAULT '{}',
    held_status     TEXT CHECK (held_status IN ('waiting', 'approved', 'rejected')),
    held_actions    INTEGER NOT NULL DEFAULT 0,
    held_decided_at TEXT
);

-- Source rows rejected by validation, per run.
CREATE TABLE run_rejection (
    run_id     INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    row_number INTEGER NOT NULL,
    anchor     TEXT,
    reason     TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- Identities held as conflicts by the planner, per run.
CREATE TABLE run_conflict (
    run_id INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    anchor TEXT NOT NULL,
    email  TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- Disables and deletes a held run would have queued; waiting for an operator.
CREATE TABLE held_action (
    run_id       INTEGER NOT NULL REFERENCES run (id) ON DELETE CASCADE,
    anchor       TEXT NOT NULL,
    action       TEXT NOT NULL,
    desired_hash TEXT NOT NULL,
    payload      TEXT NOT NULL,
    PRIMARY KEY (run_id, anchor)
);

-- The queue: one row per anchor.
CREATE TABLE item (
    anchor       TEXT PRIMARY KEY,
    action       TEXT NOT NULL,
    desired_hash TEXT NOT NULL,
    payload      TEXT NOT NULL,
    desired_gen  INTEGER NOT NULL,
    applied_gen  INTEGER NOT NULL DEFAULT 0,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'held', 'dead')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    run_after    TEXT NOT NULL,
    lease_owner  TEXT,
    lease_until  TEXT,
    lease_token  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    run_id       INTEGER REFERENCES run (id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX item_ready ON item (run_after, anchor) WHERE state = 'pending';
CREATE INDEX item_leases ON item (lease_until) WHERE state = 'running';
CREATE INDEX item_state ON item (state, anchor);

-- Append-only attempt history (the provisioning log).
CREATE TABLE attempt (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    anchor        TEXT NOT NULL,
    at            TEXT NOT NULL,
    owner         TEXT,
    lease_token   INTEGER NOT NULL,
    action        TEXT NOT NULL,
    desired_gen   INTEGER NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('succeeded', 'retry', 'snoozed', 'dead')),
    run_after     TEXT,
    reason        TEXT,
    error_class   TEXT,
    error_code    TEXT,
    error_message TEXT,
    request_id    TEXT,
    status        INTEGER
);
CREATE INDEX attempt_anchor ON attempt (anchor, id);
CREATE TRIGGER attempt_append_only BEFORE UPDATE ON attempt
BEGIN
    SELECT RAISE(ABORT, 'attempt history is append-only');
END;

-- Anchor <-> guest links: what guestsync owns.
CREATE TABLE link (
    anchor              TEXT PRIMARY KEY,
    object_id           TEXT NOT NULL,
    user_principal_name TEXT,
    email               TEXT NOT NULL,
    invited_at          TEXT,
    redeem_url          TEXT,
    disabled_by_us      INTEGER NOT NULL DEFAULT 0,
    last_applied        TEXT NOT NULL DEFAULT '{}',
    last_applied_at     TEXT NOT NULL,
    deleted_at          TEXT
);
CREATE INDEX link_object_id ON link (object_id);
