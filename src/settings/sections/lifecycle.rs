//! `[lifecycle]`: the housekeeping policy (issue 4 item 4) — renewal of invitations still
//! pending, expiry of guests pending too long, deletion of guests guestsync disabled long ago.
//! Owns the raw section, its typed form and its validation. Every rule is off by default.

use std::time::Duration;

use serde::Deserialize;

use super::endpoints::{non_empty, positive};
use crate::plan::ExpireAction;
use crate::settings::error::Problems;

/// `[lifecycle]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLifecycle {
    pub reinvite_pending_after: String,
    pub max_reinvites: u32,
    pub expire_pending_after: String,
    pub expire_action: String,
    pub delete_after: String,
}

/// `[lifecycle]`, parsed. `None` turns a rule off.
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleSettings {
    /// Re-invite guests still pending this long after their last invitation.
    pub reinvite_pending_after: Option<Duration>,
    /// The most re-invitations of one guest.
    pub max_reinvites: u32,
    /// Expire guests still pending this long after their first invitation.
    pub expire_pending_after: Option<Duration>,
    /// Disable or delete expired guests.
    pub expire_action: ExpireAction,
    /// Delete guests guestsync disabled this long ago.
    pub delete_after: Option<Duration>,
}

/// An optional positive duration: empty is off.
fn optional(text: &str) -> Result<Option<Duration>, String> {
    non_empty(text).map(|t| positive(&t)).transpose()
}

/// Parses `[lifecycle]`.
pub fn parse_lifecycle(raw: &RawLifecycle, problems: &mut Problems) -> Option<LifecycleSettings> {
    let key = |name: &str| format!("lifecycle.{name}");
    let reinvite = problems.check(
        &key("reinvite_pending_after"),
        optional(&raw.reinvite_pending_after),
    );
    let expire = problems.check(
        &key("expire_pending_after"),
        optional(&raw.expire_pending_after),
    );
    let delete_after = problems.check(&key("delete_after"), optional(&raw.delete_after));
    let expire_action = match raw.expire_action.as_str() {
        "disable" => Some(ExpireAction::Disable),
        "delete" => Some(ExpireAction::Delete),
        other => {
            let message = format!("\"{other}\" is not disable or delete");
            problems.add(&key("expire_action"), message);
            None
        }
    };
    if let (Some(Some(reinvite)), Some(Some(expire))) = (reinvite, expire)
        && expire <= reinvite
    {
        let message = "must be longer than lifecycle.reinvite_pending_after, or no re-invitation would ever happen";
        problems.add(&key("expire_pending_after"), message);
        return None;
    }
    Some(LifecycleSettings {
        reinvite_pending_after: reinvite?,
        max_reinvites: raw.max_reinvites,
        expire_pending_after: expire?,
        expire_action: expire_action?,
        delete_after: delete_after?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(reinvite: &str, expire: &str, action: &str) -> RawLifecycle {
        RawLifecycle {
            reinvite_pending_after: reinvite.into(),
            max_reinvites: 3,
            expire_pending_after: expire.into(),
            expire_action: action.into(),
            delete_after: String::new(),
        }
    }

    fn keys(raw: &RawLifecycle) -> Vec<String> {
        let mut problems = Problems::default();
        let parsed = parse_lifecycle(raw, &mut problems);
        match problems.finish() {
            Ok(()) => {
                assert!(parsed.is_some());
                Vec::new()
            }
            Err(e) => e.keys().map(str::to_string).collect(),
        }
    }

    #[test]
    fn empty_turns_every_rule_off() {
        let mut problems = Problems::default();
        let parsed = parse_lifecycle(&raw("", "", "disable"), &mut problems).unwrap();
        assert_eq!(parsed.reinvite_pending_after, None);
        assert_eq!(parsed.expire_pending_after, None);
        assert_eq!(parsed.delete_after, None);
        assert!(problems.finish().is_ok());
    }

    #[test]
    fn bad_values_name_their_key() {
        assert!(keys(&raw("7d", "30d", "delete")).is_empty());
        assert_eq!(
            keys(&raw("7 days", "", "disable")),
            ["lifecycle.reinvite_pending_after"]
        );
        assert_eq!(
            keys(&raw("", "0s", "disable")),
            ["lifecycle.expire_pending_after"]
        );
        assert_eq!(keys(&raw("", "", "purge")), ["lifecycle.expire_action"]);
        assert_eq!(
            keys(&raw("30d", "7d", "disable")),
            ["lifecycle.expire_pending_after"]
        );
    }
}
