//! [`Scope`]: the `[[scope]]` rules, in the style of Entra's scoping filters: the clauses of a
//! rule are AND-ed, the rules OR-ed; no rule = everyone in scope. Evaluated by the planner on
//! an identity's mapped (normalised) attribute values or on scope-only source columns.
//!
//! Entra's semantics are kept: every comparison is case-sensitive, and a null or blank value
//! makes every operator false except `is_null` (true) — so `not_equals`, `not_regex` are false
//! on null. `regex` matches anywhere in the value (anchor with `^…$`), as .NET's `IsMatch`.

use regex::Regex;

use crate::identity::{Identity, Property};

/// What a clause looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A mapped Graph property: its normalised value (a `null` entry counts as null).
    Property(Property),
    /// A source column not mapped to Graph, by its slot in the mapping's scope columns.
    Column {
        /// The column's name (for messages).
        name: String,
        /// Its slot in [`crate::identity::RowExtras`].
        slot: usize,
    },
}

/// A clause's test.
#[derive(Debug, Clone)]
pub enum Operator {
    /// The value is exactly this.
    Equals(String),
    /// The value is not null and not this.
    NotEquals(String),
    /// The value starts with this.
    StartsWith(String),
    /// The value ends with this.
    EndsWith(String),
    /// The value is one of these.
    In(Vec<String>),
    /// The value is null or blank.
    IsNull,
    /// The value is not null.
    IsNotNull,
    /// The value matches.
    Regex(Regex),
    /// The value is not null and does not match.
    NotRegex(Regex),
}

impl PartialEq for Operator {
    fn eq(&self, other: &Self) -> bool {
        use Operator::*;
        match (self, other) {
            (Equals(a), Equals(b))
            | (NotEquals(a), NotEquals(b))
            | (StartsWith(a), StartsWith(b))
            | (EndsWith(a), EndsWith(b)) => a == b,
            (In(a), In(b)) => a == b,
            (IsNull, IsNull) | (IsNotNull, IsNotNull) => true,
            (Regex(a), Regex(b)) | (NotRegex(a), NotRegex(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

impl Operator {
    /// The operator names the configuration accepts.
    pub const NAMES: [&'static str; 9] = [
        "equals",
        "not_equals",
        "starts_with",
        "ends_with",
        "in",
        "is_null",
        "is_not_null",
        "regex",
        "not_regex",
    ];

    /// Whether `value` (`None` = null) passes.
    pub fn test(&self, value: Option<&str>) -> bool {
        let Some(v) = value else {
            return matches!(self, Operator::IsNull);
        };
        match self {
            Operator::Equals(x) => v == x,
            Operator::NotEquals(x) => v != x,
            Operator::StartsWith(x) => v.starts_with(x.as_str()),
            Operator::EndsWith(x) => v.ends_with(x.as_str()),
            Operator::In(xs) => xs.iter().any(|x| x == v),
            Operator::IsNull => false,
            Operator::IsNotNull => true,
            Operator::Regex(re) => re.is_match(v),
            Operator::NotRegex(re) => !re.is_match(v),
        }
    }
}

/// One condition on one value.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// What is tested.
    pub target: Target,
    /// The test.
    pub operator: Operator,
}

impl Clause {
    fn matches(&self, identity: &Identity) -> bool {
        let value = match &self.target {
            Target::Property(p) => identity.attributes.get(*p),
            Target::Column { slot, .. } => identity.extras.scope_value(*slot),
        };
        self.operator.test(value.filter(|v| !v.is_empty()))
    }
}

/// One rule: all its clauses must hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The rule's name (for messages).
    pub name: String,
    /// The clauses, AND-ed; never empty.
    pub clauses: Vec<Clause>,
}

/// The scope: any rule may hold; no rule at all = everyone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    rules: Vec<Rule>,
}

impl Scope {
    /// A scope of these rules.
    pub fn new(rules: Vec<Rule>) -> Self {
        Self { rules }
    }

    /// Whether there are rules.
    pub fn is_restricted(&self) -> bool {
        !self.rules.is_empty()
    }

    /// The rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether `identity` is in scope.
    pub fn contains(&self, identity: &Identity) -> bool {
        self.rules.is_empty()
            || self
                .rules
                .iter()
                .any(|r| r.clauses.iter().all(|c| c.matches(identity)))
    }
}
