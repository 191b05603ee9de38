-- Replicas: the leader lease and the claim time of each lease in the attempt history. Same
-- logical schema as migrations/postgres/0002_replicas.sql, except the shared Graph throttle:
-- a SQLite store serves one process, whose throttle state stays in memory.

-- The leader lease: one row per role ('cycle'). `epoch` is the fencing token: it grows each
-- time another replica takes the lease over.
CREATE TABLE leader_lease (
    role        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    epoch       INTEGER NOT NULL,
    acquired_at TEXT NOT NULL,
    lease_until TEXT NOT NULL
);

-- When the lease an attempt was settled under began (NULL for attempts recorded before).
ALTER TABLE item ADD COLUMN claimed_at TEXT;
ALTER TABLE attempt ADD COLUMN claimed_at TEXT;
