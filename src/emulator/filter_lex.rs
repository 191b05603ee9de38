//! Tokens of the OData `$filter` subset: identifiers, string literals (quotes doubled inside),
//! parentheses, comma, colon and slash. A syntax error is Graph's 400 `BadRequest`.

use super::exchange::GraphResponse;

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Token {
    /// A name, keyword, `true`, `false` or `null`.
    Ident(String),
    /// A decoded string literal.
    Str(String),
    /// `(`
    Open,
    /// `)`
    Close,
    /// `,`
    Comma,
    /// `:`
    Colon,
    /// `/`
    Slash,
}

/// A syntax error as Graph answers it.
pub(crate) fn syntax(filter: &str, what: &str) -> GraphResponse {
    GraphResponse::error(
        400,
        "BadRequest",
        format!("Invalid filter clause: {what} in '{filter}'."),
    )
}

/// Splits `filter` into tokens.
pub(crate) fn lex(filter: &str) -> Result<Vec<Token>, GraphResponse> {
    let chars: Vec<char> = filter.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => i += 1,
            '(' | ')' | ',' | ':' | '/' => {
                out.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    ',' => Token::Comma,
                    ':' => Token::Colon,
                    _ => Token::Slash,
                });
                i += 1;
            }
            '\'' => {
                let (text, next) = string_literal(&chars, i, filter)?;
                out.push(Token::Str(text));
                i = next;
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' || c == '.' || c == '-' => {
                let start = i;
                while i < chars.len() && is_word(chars[i]) {
                    i += 1;
                }
                out.push(Token::Ident(chars[start..i].iter().collect()));
            }
            other => {
                return Err(syntax(
                    filter,
                    &format!("Syntax error: character '{other}' is not valid at position {i}"),
                ));
            }
        }
    }
    Ok(out)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '$' | '.' | '-' | '@' | '+')
}

fn string_literal(
    chars: &[char],
    start: usize,
    filter: &str,
) -> Result<(String, usize), GraphResponse> {
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => {
                return Err(syntax(
                    filter,
                    &format!("There is an unterminated string literal at position {start}"),
                ));
            }
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                text.push('\'');
                i += 2;
            }
            Some('\'') => return Ok((text, i + 1)),
            Some(c) => {
                text.push(*c);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubled_quote_is_one_quote() {
        let tokens = lex("mail eq 'o''brien@x.com'").unwrap();
        assert_eq!(tokens[2], Token::Str("o'brien@x.com".into()));
    }

    #[test]
    fn lone_quote_is_a_syntax_error() {
        for bad in ["mail eq 'o'brien@x.com'", "mail eq 'abc"] {
            let err = lex(bad).err();
            assert_eq!(
                err.and_then(|e| e.code().map(str::to_owned)).as_deref(),
                Some("BadRequest")
            );
        }
    }
}
