//! Mail templates: text with `{placeholder}` fields. The placeholders are fixed
//! ([`PLACEHOLDERS`]); an unknown one is refused when the template is parsed (start-up), by
//! name. `{{` and `}}` write literal braces.

use std::fmt;

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 4] = [
    "display_name",
    "redeem_url",
    "inviting_organisation",
    "anchor",
];

/// One piece of a parsed template.
#[derive(Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(Field),
}

/// A known placeholder.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    DisplayName,
    RedeemUrl,
    InvitingOrganisation,
    Anchor,
}

impl Field {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "display_name" => Some(Field::DisplayName),
            "redeem_url" => Some(Field::RedeemUrl),
            "inviting_organisation" => Some(Field::InvitingOrganisation),
            "anchor" => Some(Field::Anchor),
            _ => None,
        }
    }
}

/// The values a template is rendered with.
#[derive(Clone, Copy)]
pub struct MailFields<'a> {
    /// The invitee's display name (or the address when there is none).
    pub display_name: &'a str,
    /// The redeem URL.
    pub redeem_url: &'a str,
    /// The inviting organisation, from configuration.
    pub inviting_organisation: &'a str,
    /// The identity's anchor.
    pub anchor: &'a str,
}

impl fmt::Debug for MailFields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailFields")
            .field("anchor", &self.anchor)
            .field("redeem_url", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// A parsed template.
#[derive(Clone, PartialEq, Eq)]
pub struct MailTemplate(Vec<Piece>);

impl fmt::Debug for MailTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MailTemplate({} pieces)", self.0.len())
    }
}

impl MailTemplate {
    /// Parses `text`; the error names the unknown placeholder or the unmatched brace.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                    let field = Field::parse(name.trim()).ok_or_else(|| {
                        format!(
                            "unknown placeholder {{{name}}} (known: {})",
                            PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                        )
                    })?;
                    pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    pieces.push(Piece::Field(field));
                }
                '}' => return Err("unmatched \"}\" (write \"}}\" for a brace)".into()),
                c => literal.push(c),
            }
        }
        pieces.push(Piece::Text(literal));
        pieces.retain(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
        Ok(Self(pieces))
    }

    /// The text with every placeholder replaced.
    pub fn render(&self, fields: &MailFields<'_>) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Field(Field::DisplayName) => out.push_str(fields.display_name),
                Piece::Field(Field::RedeemUrl) => out.push_str(fields.redeem_url),
                Piece::Field(Field::InvitingOrganisation) => {
                    out.push_str(fields.inviting_organisation)
                }
                Piece::Field(Field::Anchor) => out.push_str(fields.anchor),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{MailFields, MailTemplate};

    const FIELDS: MailFields<'static> = MailFields {
        display_name: "Ada",
        redeem_url: "https://login.example/redeem?rd=SECRET",
        inviting_organisation: "Contoso",
        anchor: "P-1",
    };

    #[test]
    fn placeholders_are_replaced_and_braces_escaped() {
        let t = MailTemplate::parse(
            "Hi {display_name} ({anchor}), {{x}}: {redeem_url} — {inviting_organisation}",
        )
        .unwrap();
        assert_eq!(
            t.render(&FIELDS),
            "Hi Ada (P-1), {x}: https://login.example/redeem?rd=SECRET — Contoso"
        );
        assert!(!format!("{t:?} {FIELDS:?}").contains("SECRET"));
    }

    #[test]
    fn an_unknown_placeholder_is_named() {
        let err = MailTemplate::parse("Hello {first_name}").unwrap_err();
        assert!(err.contains("{first_name}"), "{err}");
        assert!(MailTemplate::parse("a } b").is_err());
    }
}
