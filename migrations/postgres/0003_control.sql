-- Operator and breaker state shared by every replica: one row.
-- paused_*: an operator paused guestsync (no cycles, no claims) until resumed.
-- quarantine_*: most Graph calls failed with one permanent cause; work stops and a probe runs
-- once per quarantine.retry_every until one succeeds.
CREATE TABLE control (
    id                    smallint PRIMARY KEY CHECK (id = 1),
    paused_since          timestamptz,
    paused_reason         text,
    quarantine_cause      text,
    quarantine_message    text,
    quarantine_since      timestamptz,
    quarantine_next_probe timestamptz,
    quarantine_probes     bigint NOT NULL DEFAULT 0
);
INSERT INTO control (id) VALUES (1);
