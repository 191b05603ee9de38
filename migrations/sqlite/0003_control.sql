-- Operator and breaker state shared by every process on this store: one row.
-- paused_*: an operator paused guestsync (no cycles, no claims) until resumed.
-- quarantine_*: most Graph calls failed with one permanent cause; work stops and a probe runs
-- once per quarantine.retry_every until one succeeds.
CREATE TABLE control (
    id                    INTEGER PRIMARY KEY CHECK (id = 1),
    paused_since          TEXT,
    paused_reason         TEXT,
    quarantine_cause      TEXT,
    quarantine_message    TEXT,
    quarantine_since      TEXT,
    quarantine_next_probe TEXT,
    quarantine_probes     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO control (id) VALUES (1);
