//! The `$filter` subset of `GET /users` (graph.md, "Listing / filtering"): `eq` on indexed
//! properties, `startswith`, `otherMails/any(x:x eq '…')`, `and`/`or` with parentheses. Anything
//! needing advanced query parameters (`ne`, `not`, `endsWith`, …) is rejected as Graph rejects it
//! without `ConsistencyLevel: eventual`; string comparison is case-insensitive.

use serde_json::{Map, Value};

use super::exchange::{GraphResponse, unsupported};
use super::filter_lex::{Token, lex, syntax};

/// A parsed filter.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    /// Both hold.
    And(Box<Filter>, Box<Filter>),
    /// Either holds.
    Or(Box<Filter>, Box<Filter>),
    /// `prop eq literal` (`None` = `null`).
    Eq(String, Literal),
    /// `startswith(prop,'x')`.
    StartsWith(String, String),
    /// `prop/any(x:x eq 'v')` on a string collection.
    AnyEq(String, String),
}

/// A comparison literal.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A string.
    Str(String),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
}

const EQ_STRING: &[&str] = &[
    "userType",
    "mail",
    "employeeId",
    "creationType",
    "externalUserState",
    "displayName",
    "userPrincipalName",
    "givenName",
    "surname",
    "id",
    "companyName",
    "jobTitle",
    "department",
];
/// The properties graph.md's `$filter` table lists with `eq null` (not, e.g., `creationType`).
const EQ_NULL: &[&str] = &[
    "userType",
    "mail",
    "employeeId",
    "displayName",
    "givenName",
    "surname",
    "companyName",
    "jobTitle",
    "department",
];
const STARTS_WITH: &[&str] = &[
    "mail",
    "displayName",
    "userPrincipalName",
    "givenName",
    "surname",
    "employeeId",
    "companyName",
    "jobTitle",
];
const COLLECTIONS: &[&str] = &["otherMails", "proxyAddresses"];

fn clause(prop: &str) -> GraphResponse {
    unsupported(format!(
        "Unsupported or invalid query filter clause specified for property '{prop}' of resource 'User'."
    ))
}

fn advanced(op: &str) -> GraphResponse {
    unsupported(format!(
        "Operator '{op}' is not supported because the required parameters might be missing. Try adding $count with a value of true and ConsistencyLevel header with a value of eventual."
    ))
}

/// Parses a `$filter` value.
pub(crate) fn parse(filter: &str) -> Result<Filter, GraphResponse> {
    let tokens = lex(filter)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        text: filter,
    };
    let expr = p.or()?;
    match p.tokens.get(p.pos) {
        None => Ok(expr),
        Some(_) => Err(syntax(filter, "Syntax error at the end of the expression")),
    }
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    text: &'a str,
}

impl Parser<'_> {
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some(Token::Ident(w)) if w == word)
    }

    fn expect(&mut self, token: Token) -> Result<(), GraphResponse> {
        match self.next() {
            Some(t) if t == token => Ok(()),
            _ => Err(syntax(self.text, &format!("Expected {token:?}"))),
        }
    }

    fn string(&mut self) -> Result<String, GraphResponse> {
        match self.next() {
            Some(Token::Str(s)) => Ok(s),
            _ => Err(syntax(self.text, "Expected a string literal")),
        }
    }

    fn or(&mut self) -> Result<Filter, GraphResponse> {
        let mut left = self.and()?;
        while self.is_word("or") {
            self.pos += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, GraphResponse> {
        let mut left = self.primary()?;
        while self.is_word("and") {
            self.pos += 1;
            left = Filter::And(Box::new(left), Box::new(self.primary()?));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Filter, GraphResponse> {
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close)?;
                Ok(inner)
            }
            Some(Token::Ident(word)) => self.word(word),
            _ => Err(syntax(self.text, "Expression expected")),
        }
    }

    fn word(&mut self, word: String) -> Result<Filter, GraphResponse> {
        match word.to_ascii_lowercase().as_str() {
            "not" => return Err(advanced("Not")),
            "endswith" => return Err(advanced("endsWith")),
            "startswith" => return self.starts_with(),
            _ => {}
        }
        if self.tokens.get(self.pos) == Some(&Token::Slash) {
            self.pos += 1;
            return self.any(word);
        }
        match self.next() {
            Some(Token::Ident(op)) if op == "eq" => self.eq(word),
            Some(Token::Ident(op)) if op == "ne" => Err(advanced("ne")),
            Some(Token::Ident(op)) if ["in", "ge", "le", "gt", "lt"].contains(&op.as_str()) => {
                Err(clause(&word))
            }
            _ => Err(syntax(self.text, &format!("Syntax error after '{word}'"))),
        }
    }

    fn eq(&mut self, prop: String) -> Result<Filter, GraphResponse> {
        let literal = match self.next() {
            Some(Token::Str(s)) => Literal::Str(s),
            Some(Token::Ident(w)) if w == "true" || w == "false" => Literal::Bool(w == "true"),
            Some(Token::Ident(w)) if w == "null" => Literal::Null,
            _ => return Err(syntax(self.text, "Expected a literal after 'eq'")),
        };
        let fits = match &literal {
            Literal::Bool(_) => prop == "accountEnabled",
            Literal::Str(_) => EQ_STRING.contains(&prop.as_str()),
            Literal::Null => EQ_NULL.contains(&prop.as_str()),
        };
        if !fits {
            return Err(clause(&prop));
        }
        Ok(Filter::Eq(prop, literal))
    }

    fn starts_with(&mut self) -> Result<Filter, GraphResponse> {
        self.expect(Token::Open)?;
        let prop = match self.next() {
            Some(Token::Ident(p)) => p,
            _ => return Err(syntax(self.text, "Expected a property in startswith")),
        };
        self.expect(Token::Comma)?;
        let prefix = self.string()?;
        self.expect(Token::Close)?;
        if !STARTS_WITH.contains(&prop.as_str()) {
            return Err(clause(&prop));
        }
        Ok(Filter::StartsWith(prop, prefix))
    }

    fn any(&mut self, prop: String) -> Result<Filter, GraphResponse> {
        match self.next() {
            Some(Token::Ident(w)) if w == "any" => {}
            Some(Token::Ident(w)) if w == "$count" => return Err(advanced("$count")),
            _ => return Err(syntax(self.text, "Expected 'any' after '/'")),
        }
        self.expect(Token::Open)?;
        let var = match self.next() {
            Some(Token::Ident(v)) => v,
            _ => return Err(syntax(self.text, "Expected a range variable")),
        };
        self.expect(Token::Colon)?;
        self.expect(Token::Ident(var))?;
        self.expect(Token::Ident("eq".into()))?;
        let value = self.string()?;
        self.expect(Token::Close)?;
        if !COLLECTIONS.contains(&prop.as_str()) {
            return Err(clause(&prop));
        }
        Ok(Filter::AnyEq(prop, value))
    }
}

/// Whether `user` matches `filter`.
pub(crate) fn matches(filter: &Filter, user: &Map<String, Value>) -> bool {
    let text = |p: &str| user.get(p).and_then(Value::as_str).map(str::to_lowercase);
    match filter {
        Filter::And(a, b) => matches(a, user) && matches(b, user),
        Filter::Or(a, b) => matches(a, user) || matches(b, user),
        Filter::Eq(p, Literal::Str(s)) => text(p).is_some_and(|v| v == s.to_lowercase()),
        Filter::Eq(p, Literal::Bool(b)) => user.get(p).and_then(Value::as_bool) == Some(*b),
        Filter::Eq(p, Literal::Null) => user.get(p).is_none_or(Value::is_null),
        Filter::StartsWith(p, s) => text(p).is_some_and(|v| v.starts_with(&s.to_lowercase())),
        Filter::AnyEq(p, s) => user.get(p).and_then(Value::as_array).is_some_and(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .any(|v| v.eq_ignore_ascii_case(s))
        }),
    }
}
