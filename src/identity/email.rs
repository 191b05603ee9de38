//! [`Email`]: a strict subset of the RFC 5321 mailbox that Graph's `invitedUserEmailAddress`
//! accepts. Every refusal says what was wrong, for operators.
//!
//! Rules: one `@`; no quotes, comments, spaces, control or invisible characters; no IP-literal
//! domain; local part 1..=64 characters of ASCII (Graph refuses many non-ASCII local parts), none
//! of Graph's forbidden characters, no leading/trailing `.` or `-`, no `..`; mixed-script
//! confusables (in the local part or in a domain label, Unicode or punycode) are named as such;
//! the domain is NFC, lower-cased and converted to ASCII with
//! UTS-46 (`bücher.example` → `xn--bcher-kva.example`), labels 1..=63, at least one dot, a
//! non-numeric top-level domain; the whole address at most 254 characters. `+` is on Graph's
//! list, so a plus-addressed mailbox is refused with that reason (never rewritten).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::IdentityError;
use super::text::{code_point, first_invisible, mixed_scripts, nfc};

/// Characters Graph does not accept in `invitedUserEmailAddress` (besides spaces).
const FORBIDDEN: &str = "~!#$%^&*()+=[]{}\\/|;:\"<>?,";
/// The longest local part, in characters.
const MAX_LOCAL: usize = 64;
/// The longest address, in characters.
const MAX_TOTAL: usize = 254;
/// The longest domain label, in characters.
const MAX_LABEL: usize = 63;

/// A normalised e-mail address: the local part as given (NFC), the domain lower-case ASCII.
/// Two addresses are the same mailbox when their [`Email::match_key`]s are equal (Entra matches
/// case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

fn fail(reason: impl Into<String>) -> IdentityError {
    IdentityError::Email(reason.into())
}

impl Email {
    /// Parses and normalises an address; see the module docs for the rules.
    pub fn parse(raw: &str) -> Result<Self, IdentityError> {
        if let Some(c) = first_invisible(raw) {
            return Err(fail(format!(
                "contains an invisible character {}",
                code_point(c)
            )));
        }
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(fail("empty"));
        }
        if let Some(c) = trimmed.chars().find(|c| c.is_control()) {
            return Err(fail(format!(
                "contains a control character {}",
                code_point(c)
            )));
        }
        if trimmed.chars().any(char::is_whitespace) {
            return Err(fail("contains a space"));
        }
        let normal = nfc(trimmed);
        let (local, domain) = split(&normal)?;
        check_local(local)?;
        let domain = ascii_domain(domain)?;
        let total = local.chars().count() + 1 + domain.len();
        if total > MAX_TOTAL {
            return Err(fail(format!(
                "address is {total} characters, the limit is {MAX_TOTAL}"
            )));
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key two addresses are compared by: the whole address lower-cased.
    pub fn match_key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Splits at the one `@`.
fn split(address: &str) -> Result<(&str, &str), IdentityError> {
    let mut parts = address.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(match address.contains('@') {
            true => fail("contains more than one '@'"),
            false => fail("missing '@'"),
        });
    };
    if local.is_empty() {
        return Err(fail("empty local part (nothing before '@')"));
    }
    if domain.is_empty() {
        return Err(fail("empty domain (nothing after '@')"));
    }
    Ok((local, domain))
}

/// Checks the local part (before `@`).
fn check_local(local: &str) -> Result<(), IdentityError> {
    if local.contains('"') {
        return Err(fail("quoted local parts are not accepted"));
    }
    if local.contains('(') || local.contains(')') {
        return Err(fail("comments '(…)' are not accepted"));
    }
    if let Some(c) = local.chars().find(|c| FORBIDDEN.contains(*c)) {
        return Err(fail(format!(
            "local part contains '{c}', which Graph does not accept"
        )));
    }
    if let Some((a, b)) = mixed_scripts(local) {
        return Err(fail(format!(
            "local part has mixed scripts ({} and {}), a likely look-alike",
            a.name(),
            b.name()
        )));
    }
    if let Some(c) = local.chars().find(|c| !c.is_ascii()) {
        return Err(fail(format!(
            "local part contains the non-ASCII character '{c}' ({}), which Graph may refuse",
            code_point(c)
        )));
    }
    check_local_shape(local)
}

/// Length and dot/hyphen placement of an ASCII local part.
fn check_local_shape(local: &str) -> Result<(), IdentityError> {
    if local.len() > MAX_LOCAL {
        return Err(fail(format!(
            "local part is {} characters, the limit is {MAX_LOCAL}",
            local.len()
        )));
    }
    for (edge, c) in [
        ("starts", local.chars().next()),
        ("ends", local.chars().last()),
    ] {
        if let Some(c @ ('.' | '-')) = c {
            return Err(fail(format!("local part {edge} with '{c}'")));
        }
    }
    if local.contains("..") {
        return Err(fail("local part contains two dots in a row"));
    }
    Ok(())
}

/// NFC, lower-case and UTS-46 ASCII form of the domain, with Graph's shape rules.
fn ascii_domain(domain: &str) -> Result<String, IdentityError> {
    if domain.starts_with('[') {
        return Err(fail("IP-literal domains are not accepted"));
    }
    let lower = domain.to_lowercase();
    let ascii = if is_plain_ascii(&lower) {
        lower
    } else {
        let ascii = idna::domain_to_ascii_strict(&lower)
            .map_err(|_| fail(format!("domain '{lower}' is not a valid domain name")))?;
        check_domain_scripts(&ascii)?;
        ascii
    };
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.len() < 2 {
        return Err(fail(format!("domain '{ascii}' has no dot")));
    }
    if let Some(label) = labels.iter().find(|l| l.is_empty() || l.len() > MAX_LABEL) {
        return Err(fail(format!(
            "domain label '{label}' must be 1 to {MAX_LABEL} characters"
        )));
    }
    let tld = labels.last().copied().unwrap_or_default();
    if tld.bytes().all(|b| b.is_ascii_digit()) {
        return Err(fail(format!("top-level domain '{tld}' is numeric")));
    }
    Ok(ascii)
}

/// Refuses a domain label that mixes scripts (`pаypal` with a Cyrillic `а`), whether it came
/// as Unicode or as punycode (`xn--pypal-4ve`): the labels are checked in their Unicode form.
fn check_domain_scripts(ascii: &str) -> Result<(), IdentityError> {
    let (unicode, _) = idna::domain_to_unicode(ascii);
    for label in unicode.split('.') {
        if let Some((a, b)) = mixed_scripts(label) {
            return Err(fail(format!(
                "domain label '{label}' has mixed scripts ({} and {}), a likely look-alike",
                a.name(),
                b.name()
            )));
        }
    }
    Ok(())
}

/// Whether UTS-46 would return `domain` unchanged and accept it: lower-case LDH labels, no
/// hyphen at a label's edges or in positions 3–4 (which includes `xn--`), at most 253 bytes.
/// Such domains (nearly all) skip the IDNA mapping, which is the costly part of a row.
fn is_plain_ascii(domain: &str) -> bool {
    let ldh = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
    domain.len() <= 253
        && domain.split('.').all(|label| {
            label.bytes().all(ldh)
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.get(2..4) != Some("--")
        })
}

#[cfg(test)]
mod tests;
