-- Several replicas on one database: the leader lease, the shared Graph throttle, and the claim
-- time of each lease in the attempt history.

-- The leader lease: one row per role ('cycle'). `epoch` is the fencing token: it grows each
-- time another replica takes the lease over.
CREATE TABLE leader_lease (
    role        text PRIMARY KEY,
    holder      text NOT NULL,
    epoch       bigint NOT NULL,
    acquired_at timestamptz NOT NULL,
    lease_until timestamptz NOT NULL
);

-- The Graph throttle shared by every replica: one row per tenant. `next_read`/`next_write`
-- are the next free pacing slots, `paused_until` the end of the Retry-After pause in force.
CREATE TABLE graph_throttle (
    tenant       text PRIMARY KEY,
    next_read    timestamptz,
    next_write   timestamptz,
    paused_until timestamptz
);

-- When the lease an attempt was settled under began (NULL for attempts recorded before).
ALTER TABLE item ADD COLUMN claimed_at timestamptz;
ALTER TABLE attempt ADD COLUMN claimed_at timestamptz;
