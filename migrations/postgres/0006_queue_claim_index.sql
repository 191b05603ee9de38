-- Queue throughput (issue 7): the claim's index.
--
-- The claim reads `state = 'pending' AND run_after <= now ORDER BY run_after, anchor LIMIT n`.
-- 0001's partial index `item_ready (run_after, anchor)` serves that order, but without
-- statistics SQLite's planner prefers `item_state (state, anchor)` for the equality on state
-- and then sorts every pending row for each claim (about 20 ms per claim at 100,000 pending
-- rows). With `state` as the leading column the claim is an equality plus a range on one
-- index, in the claim's order, and both planners pick it with or without statistics. It also
-- serves `next_run_after` (MIN) and `pending_runnable` (COUNT) from the index alone.
DROP INDEX item_ready;
CREATE INDEX item_due ON item (state, run_after, anchor) WHERE state = 'pending';
