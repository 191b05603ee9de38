-- Redemption tracking on links, and the outbox of guestsync's own invitation mails.

-- What the last cycle saw of externalUserState: the state (pending, accepted, unknown, other),
-- Graph's externalUserStateChangeDateTime, and when guestsync first saw this state.
ALTER TABLE link ADD COLUMN redemption_state text;
ALTER TABLE link ADD COLUMN redemption_changed_at timestamptz;
ALTER TABLE link ADD COLUMN redemption_seen_at timestamptz;
CREATE INDEX link_redemption ON link (redemption_state) WHERE deleted_at IS NULL;

-- One invitation mail per anchor: written in the transaction that records the invitation,
-- marked sent once the SMTP server accepted it. A newer invitation replaces the row (generation + 1).
CREATE TABLE invitation_mail (
    anchor       text PRIMARY KEY,
    generation          bigint NOT NULL,
    object_id    text NOT NULL,
    email        text NOT NULL,
    display_name text,
    redeem_url   text NOT NULL,
    invited_at   timestamptz NOT NULL,
    state        text NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
    attempts     bigint NOT NULL DEFAULT 0,
    run_after    timestamptz NOT NULL,
    lease_until  timestamptz,
    last_error   text,
    sent_at      timestamptz
);
CREATE INDEX invitation_mail_due ON invitation_mail (run_after) WHERE state = 'pending';
