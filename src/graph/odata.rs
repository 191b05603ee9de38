//! OData helpers: string literals with their single quotes doubled, and the `$filter`
//! expressions guestsync sends.

/// `value` as an OData string literal: wrapped in single quotes, inner quotes doubled.
pub fn string_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// `prop eq 'value'`.
pub fn eq(property: &str, value: &str) -> String {
    format!("{property} eq {}", string_literal(value))
}

/// The filter that finds users holding `email` as `mail` or in `otherMails`.
pub fn email_filter(email: &str) -> String {
    let literal = string_literal(email);
    format!("mail eq {literal} or otherMails/any(x:x eq {literal})")
}

/// Percent-encodes a query value: everything but unreserved characters and the OData
/// punctuation `$ ' ( ) , : @ /` is escaped, so a space is `%20` and `#` is `%23`.
pub fn query_value(value: &str) -> String {
    encode(value, b"-._~$'(),:@/")
}

/// Percent-encodes one path segment (an object id or a UPN: `#` becomes `%23`).
pub fn path_segment(value: &str) -> String {
    encode(value, b"-._~@")
}

fn encode(value: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The filter for guest users.
pub fn guests_filter() -> String {
    eq("userType", "Guest")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_single_quotes() {
        assert_eq!(string_literal("o'brien@x.com"), "'o''brien@x.com'");
        assert_eq!(string_literal("''"), "''''''");
        assert_eq!(string_literal("plain"), "'plain'");
    }

    #[test]
    fn email_filter_checks_mail_and_other_mails() {
        assert_eq!(
            email_filter("a'b@c.d"),
            "mail eq 'a''b@c.d' or otherMails/any(x:x eq 'a''b@c.d')"
        );
        assert_eq!(guests_filter(), "userType eq 'Guest'");
    }

    #[test]
    fn encodes_query_values_and_path_segments() {
        assert_eq!(
            query_value("mail eq 'a#b+c@d.e' & x=1"),
            "mail%20eq%20'a%23b%2Bc@d.e'%20%26%20x%3D1"
        );
        assert_eq!(path_segment("a_b.c#EXT#@t.x/y"), "a_b.c%23EXT%23@t.x%2Fy");
        assert_eq!(query_value("é"), "%C3%A9");
    }
}
