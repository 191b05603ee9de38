//! Building user objects: from a seed (admin action) and for a new invited guest.

use serde_json::{Map, Value, json};

use super::config::SeedUser;

/// `alice@fabrikam.com` → `alice_fabrikam.com#EXT#@{tenant_domain}`.
pub(crate) fn guest_upn(mail: &str, tenant_domain: &str) -> String {
    format!("{}#EXT#@{tenant_domain}", mail.replace('@', "_"))
}

fn base(id: &str, created: &str) -> Map<String, Value> {
    let mut user = Map::new();
    for name in [
        "givenName",
        "surname",
        "jobTitle",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "employeeId",
        "companyName",
        "department",
        "employeeType",
        "city",
        "state",
        "country",
        "streetAddress",
        "postalCode",
        "usageLocation",
    ] {
        user.insert(name.into(), Value::Null);
    }
    // Graph returns the complex type with all fifteen attributes, unset ones null.
    let extensions: Map<String, Value> = (1..=15)
        .map(|n| (format!("extensionAttribute{n}"), Value::Null))
        .collect();
    user.insert(
        "onPremisesExtensionAttributes".into(),
        Value::Object(extensions),
    );
    user.insert("id".into(), json!(id));
    user.insert("businessPhones".into(), json!([]));
    user.insert("createdDateTime".into(), json!(created));
    user.insert("proxyAddresses".into(), json!([]));
    user
}

/// A user object for a seed; `extra` overrides the defaults. An `id` string in `extra` is kept
/// (a benchmark seeds state-store links that point at known ids); otherwise a random one.
pub(crate) fn from_seed(seed: &SeedUser, tenant_domain: &str, created: &str) -> Map<String, Value> {
    let id = match seed.extra.get("id") {
        Some(Value::String(id)) => id.clone(),
        _ => uuid::Uuid::new_v4().to_string(),
    };
    let mut user = base(&id, created);
    let guest = seed.user_type.eq_ignore_ascii_case("Guest");
    let upn = if guest {
        guest_upn(&seed.mail, tenant_domain)
    } else {
        format!(
            "{}@{tenant_domain}",
            seed.mail.split('@').next().unwrap_or_default()
        )
    };
    let invited = seed.creation_type.as_deref() == Some("Invitation");
    user.insert("userPrincipalName".into(), json!(upn));
    user.insert("mail".into(), json!(seed.mail));
    user.insert("displayName".into(), json!(seed.display_name));
    user.insert(
        "userType".into(),
        json!(if seed.user_type.is_empty() {
            "Member"
        } else {
            &seed.user_type
        }),
    );
    user.insert("creationType".into(), json!(seed.creation_type));
    user.insert("accountEnabled".into(), json!(seed.account_enabled));
    user.insert("otherMails".into(), json!(seed.other_mails));
    user.insert(
        "externalUserState".into(),
        if invited {
            json!("Accepted")
        } else {
            Value::Null
        },
    );
    user.insert(
        "externalUserStateChangeDateTime".into(),
        if invited { json!(created) } else { Value::Null },
    );
    user.extend(seed.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    user.insert("id".into(), json!(id));
    user
}

/// A new guest created by an invitation.
pub(crate) fn invited_guest(
    mail: &str,
    display_name: &str,
    user_type: &str,
    tenant_domain: &str,
    now: &str,
) -> Map<String, Value> {
    let id = uuid::Uuid::new_v4().to_string();
    let mut user = base(&id, now);
    user.insert(
        "userPrincipalName".into(),
        json!(guest_upn(mail, tenant_domain)),
    );
    user.insert("mail".into(), json!(mail));
    user.insert("otherMails".into(), json!([]));
    user.insert("displayName".into(), json!(display_name));
    user.insert("userType".into(), json!(user_type));
    user.insert("creationType".into(), json!("Invitation"));
    user.insert("externalUserState".into(), json!("PendingAcceptance"));
    user.insert("externalUserStateChangeDateTime".into(), json!(now));
    user.insert("accountEnabled".into(), json!(true));
    user.insert(
        "mailNickname".into(),
        json!(format!("{}#EXT#", mail.replace('@', "_"))),
    );
    user
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_keeps_its_id_and_gets_a_random_one_otherwise() {
        let mut seed = SeedUser::guest("kim@partner.example");
        let random = from_seed(&seed, "t.example", "2026-01-01T00:00:00Z");
        assert_eq!(random["id"].as_str().map(str::len), Some(36));
        let id = "00000000-0000-0000-0000-000000000001";
        seed.extra.insert("id".into(), json!(id));
        let kept = from_seed(&seed, "t.example", "2026-01-01T00:00:00Z");
        assert_eq!(kept["id"], json!(id));
    }
}
