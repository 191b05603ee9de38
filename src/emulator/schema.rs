//! The user resource as the emulator knows it: which properties exist, which are returned by
//! default, which a PATCH may set and with what limits (graph.md, "PATCH /users").

use serde_json::{Map, Value};

use super::exchange::{GraphResponse, bad_request};

/// Properties returned when a request has no `$select`.
pub(crate) const DEFAULT_PROPERTIES: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
];

/// Properties a PATCH may not set.
const READ_ONLY: &[&str] = &[
    "id",
    "creationType",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "createdDateTime",
    "proxyAddresses",
    "identities",
    "deletedDateTime",
    "onPremisesSyncEnabled",
    "onPremisesImmutableId",
    "lastPasswordChangeDateTime",
    "signInSessionsValidFromDateTime",
];

/// How a settable property is validated.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// A string up to this length; `null` allowed.
    Text(usize),
    /// A string up to this length that can be neither `null` nor empty.
    Required(usize),
    /// A boolean, not `null`.
    Bool,
    /// A list of strings, each up to this length, at most `.1` of them.
    List(usize, usize),
    /// Exactly two upper-case letters, or `null`.
    Country,
    /// `Member` or `Guest`.
    UserType,
    /// The `onPremisesExtensionAttributes` complex type.
    Extensions,
}

fn rule(name: &str) -> Option<Rule> {
    Some(match name {
        "displayName" => Rule::Required(256),
        "mail" => Rule::Required(256),
        "userPrincipalName" | "mailNickname" => Rule::Required(113),
        "givenName" | "surname" | "department" | "companyName" | "mobilePhone" => Rule::Text(64),
        "employeeType" | "faxNumber" => Rule::Text(64),
        "jobTitle" | "officeLocation" | "city" | "state" | "country" => Rule::Text(128),
        "employeeId" => Rule::Text(16),
        "streetAddress" => Rule::Text(1024),
        "postalCode" => Rule::Text(40),
        "preferredLanguage" | "ageGroup" | "consentProvidedForMinor" => Rule::Text(64),
        "usageLocation" => Rule::Country,
        "accountEnabled" => Rule::Bool,
        "otherMails" => Rule::List(250, 250),
        "businessPhones" => Rule::List(64, 1),
        "userType" => Rule::UserType,
        "onPremisesExtensionAttributes" => Rule::Extensions,
        _ => return None,
    })
}

/// Whether `name` is a property of the user resource (for `$select` and `$filter`).
pub(crate) fn is_property(name: &str) -> bool {
    READ_ONLY.contains(&name)
        || rule(name).is_some()
        || DEFAULT_PROPERTIES.contains(&name)
        || matches!(
            name,
            "employeeHireDate" | "employeeOrgData" | "externalUserState"
        )
}

fn invalid(name: &str) -> GraphResponse {
    bad_request(format!(
        "Invalid value specified for property '{name}' of resource 'User'."
    ))
}

/// Validates a PATCH body against Graph's rules; `Ok` means every property may be applied.
pub(crate) fn validate_patch(body: &Map<String, Value>) -> Result<(), GraphResponse> {
    for (name, value) in body {
        if READ_ONLY.contains(&name.as_str()) {
            return Err(bad_request(format!(
                "Property '{name}' is read-only and cannot be set."
            )));
        }
        let Some(rule) = rule(name) else {
            return Err(bad_request(format!(
                "Property '{name}' does not exist as a declared property or extension property."
            )));
        };
        if !check(rule, value) {
            return Err(invalid(name));
        }
    }
    Ok(())
}

fn check(rule: Rule, value: &Value) -> bool {
    let chars = |s: &str| s.chars().count();
    match (rule, value) {
        (Rule::Text(_) | Rule::Country, Value::Null) => true,
        (Rule::Text(max), Value::String(s)) => chars(s) <= max,
        (Rule::Required(max), Value::String(s)) => !s.trim().is_empty() && chars(s) <= max,
        (Rule::Bool, Value::Bool(_)) => true,
        (Rule::List(max, count), Value::Array(items)) => {
            items.len() <= count
                && items
                    .iter()
                    .all(|i| i.as_str().is_some_and(|s| chars(s) <= max))
        }
        (Rule::Country, Value::String(s)) => {
            s.len() == 2 && s.chars().all(|c| c.is_ascii_uppercase())
        }
        (Rule::UserType, Value::String(s)) => s == "Member" || s == "Guest",
        (Rule::Extensions, Value::Object(map)) => map.iter().all(|(k, v)| extension_ok(k, v)),
        _ => false,
    }
}

fn extension_ok(name: &str, value: &Value) -> bool {
    let known = name
        .strip_prefix("extensionAttribute")
        .and_then(|n| n.parse::<u8>().ok())
        .is_some_and(|n| (1..=15).contains(&n));
    known && (value.is_null() || value.as_str().is_some_and(|s| s.chars().count() <= 1024))
}

/// Applies a validated PATCH to a user.
pub(crate) fn apply_patch(user: &mut Map<String, Value>, body: &Map<String, Value>) {
    for (name, value) in body {
        if name == "onPremisesExtensionAttributes" {
            let slot = user
                .entry(name.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if let (Some(target), Some(changes)) = (slot.as_object_mut(), value.as_object()) {
                target.extend(changes.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        } else {
            user.insert(name.clone(), value.clone());
        }
    }
}

/// Parses `$select` into property names, rejecting unknown ones as Graph does.
pub(crate) fn parse_select(select: Option<&str>) -> Result<Option<Vec<String>>, GraphResponse> {
    let Some(select) = select else {
        return Ok(None);
    };
    let names: Vec<String> = select.split(',').map(|s| s.trim().to_owned()).collect();
    if let Some(bad) = names.iter().find(|n| !is_property(n)) {
        return Err(bad_request(format!(
            "Could not find a property named '{bad}' on type 'microsoft.graph.user'."
        )));
    }
    Ok(Some(names))
}

/// The user as returned: the selected properties (plus `id`), or the default set.
pub(crate) fn project(user: &Map<String, Value>, select: Option<&[String]>) -> Value {
    let mut out = Map::new();
    let mut put = |name: &str| {
        out.insert(
            name.to_owned(),
            user.get(name).cloned().unwrap_or(Value::Null),
        );
    };
    match select {
        Some(names) => {
            put("id");
            names.iter().for_each(|n| put(n));
        }
        None => DEFAULT_PROPERTIES.iter().for_each(|n| put(n)),
    }
    Value::Object(out)
}
