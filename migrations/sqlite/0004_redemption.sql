-- Redemption tracking on links, and the outbox of guestsync's own invitation mails.

-- What the last cycle saw of externalUserState: the state (pending, accepted, unknown, other),
-- Graph's externalUserStateChangeDateTime, and when guestsync first saw this state.
ALTER TABLE link ADD COLUMN redemption_state TEXT;
ALTER TABLE link ADD COLUMN redemption_changed_at TEXT;
ALTER TABLE link ADD COLUMN redemption_seen_at TEXT;
CREATE INDEX link_redemption ON link (redemption_state) WHERE deleted_at IS NULL;

-- One invitation mail per anchor: written in the transaction that records the invitation,
-- marked sent once the SMTP server accepted it. A newer invitation replaces the row (generation + 1).
CREATE TABLE invitation_mail (
    anchor       TEXT PRIMARY KEY,
    generation          INTEGER NOT NULL,
    object_id    TEXT NOT NULL,
    email        TEXT NOT NULL,
    display_name TEXT,
    redeem_url   TEXT NOT NULL,
    invited_at   TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    run_after    TEXT NOT NULL,
    lease_until  TEXT,
    last_error   TEXT,
    sent_at      TEXT
);
CREATE INDEX invitation_mail_due ON invitation_mail (run_after) WHERE state = 'pending';
