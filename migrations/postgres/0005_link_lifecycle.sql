-- Housekeeping (issue 4 item 4): how often guestsync re-invited a guest still pending
-- acceptance and when it last did, and when guestsync disabled the guest (delete_after counts
-- from there), and when it expired the guest. `deleted_at` (0001) keeps when guestsync deleted it, for restores.
ALTER TABLE link ADD COLUMN reinvites bigint NOT NULL DEFAULT 0;
ALTER TABLE link ADD COLUMN reinvited_at timestamptz;
ALTER TABLE link ADD COLUMN disabled_at timestamptz;
-- When guestsync expired the guest (pending acceptance too long); such a guest is not
-- enabled, renewed or restored again while its anchor stays in the source.
ALTER TABLE link ADD COLUMN expired_at timestamptz;
-- A disable is guestsync's last write to a disabled guest, so last_applied_at is its time.
UPDATE link SET disabled_at = last_applied_at WHERE disabled_by_us;
