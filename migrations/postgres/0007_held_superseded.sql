-- A held run that a newer recorded run supersedes (issue: approving an old held run queued
-- disables the newer cycle no longer wanted): it is closed as rejected and names the newer
-- run here; only the newest held run can be approved.
ALTER TABLE run ADD COLUMN held_superseded_by bigint;
