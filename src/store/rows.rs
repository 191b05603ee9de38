//! Row decoding both adapters share: the item column list, stored enums, counts and bounded
//! integers. Backend-specific decoding (timestamps, JSON) stays in each adapter's `codec`.

use sqlx::{ColumnIndex, Decode, Row, Type};

use super::{
    HeldConflict, ItemState, MailState, RedemptionState, RejectedRow, StoreError, StoreResult,
};

/// The item columns, in the order the adapters' `item_from_row` read them.
pub(crate) const ITEM_COLUMNS: &str = "anchor, action, desired_hash, payload, desired_gen, \
    applied_gen, state, attempts, run_after, lease_owner, lease_until, lease_token, last_error, \
    run_id, created_at, updated_at";

/// Live links (not deleted) that guestsync made by inviting (adopted guests have no
/// `invited_at`); the same SQL on both backends.
pub(crate) const INVITED_LINKS_SQL: &str =
    "SELECT COUNT(*) FROM link WHERE deleted_at IS NULL AND invited_at IS NOT NULL";

/// Parses a stored item state.
pub(crate) fn parse_state(s: &str) -> StoreResult<ItemState> {
    ItemState::parse(s).ok_or_else(|| StoreError::Corrupt(format!("item state {s:?}")))
}

/// Parses a stored redemption state (`NULL` = not observed yet).
pub(crate) fn redemption_state(s: Option<String>) -> StoreResult<Option<RedemptionState>> {
    s.map(|s| {
        RedemptionState::parse(&s)
            .ok_or_else(|| StoreError::Corrupt(format!("redemption state {s:?}")))
    })
    .transpose()
}

/// Every redemption state with its count; `NULL` (never observed) counts as unknown.
pub(crate) fn redemption_tally(
    rows: Vec<(Option<String>, i64)>,
) -> StoreResult<std::collections::BTreeMap<RedemptionState, u64>> {
    let mut counts: std::collections::BTreeMap<RedemptionState, u64> =
        RedemptionState::ALL.into_iter().map(|s| (s, 0)).collect();
    for (state, n) in rows {
        let state = redemption_state(state)?.unwrap_or(RedemptionState::Unknown);
        *counts.entry(state).or_default() += count(n);
    }
    Ok(counts)
}

/// Parses a stored mail state.
pub(crate) fn mail_state(s: &str) -> StoreResult<MailState> {
    MailState::parse(s).ok_or_else(|| StoreError::Corrupt(format!("mail state {s:?}")))
}

/// The columns of a claimed mail, in the order the adapters read them.
pub(crate) const MAIL_COLUMNS: &str =
    "anchor, generation, object_id, email, display_name, redeem_url, invited_at, attempts";

/// The columns of a mail record.
pub(crate) const MAIL_RECORD_COLUMNS: &str =
    "anchor, generation, state, attempts, run_after, last_error, sent_at";

/// Converts a stored count to `u64` (counts are never negative).
pub(crate) fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Reads a non-negative integer column as `u32`.
pub(crate) fn col_u32<R>(row: &R, col: &str) -> StoreResult<u32>
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
{
    let v: i64 = row.try_get(col)?;
    u32::try_from(v).map_err(|_| StoreError::Corrupt(format!("{col} = {v}")))
}

/// Decodes a `run_rejection` row (`row_number, anchor, reason`).
pub(crate) fn rejected_row<R>(row: &R) -> StoreResult<RejectedRow>
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(RejectedRow {
        row_number: count(row.try_get("row_number")?),
        anchor: row.try_get("anchor")?,
        reason: row.try_get("reason")?,
    })
}

/// Decodes a `run_conflict` row (`anchor, email, reason`).
pub(crate) fn held_conflict<R>(row: &R) -> StoreResult<HeldConflict>
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
{
    Ok(HeldConflict {
        anchor: row.try_get("anchor")?,
        email: row.try_get("email")?,
        reason: row.try_get("reason")?,
    })
}
