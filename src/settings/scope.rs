//! `[[scope]]`: parses the scoping rules into a [`Scope`]. A clause names either a mapped Graph
//! `property` (its normalised value is tested) or a source `column` that need not be mapped
//! (read for scoping only); the reader is told which columns to carry
//! ([`Mapping::with_scope_columns`]). Errors name the rule and the key.

use regex::Regex;
use serde_json::{Map, Value};

use super::error::Problems;
use crate::identity::Property;
use crate::plan::scope::{Clause, Operator, Rule, Scope, Target};
use crate::source::Mapping;

const RULE_KEYS: [&str; 2] = ["name", "clauses"];
const CLAUSE_KEYS: [&str; 5] = ["property", "column", "operator", "value", "values"];

/// Parses `[[scope]]` against `mapping`; returns the scope and the mapping with the scope-only
/// columns added.
pub fn parse_scope(raw: &[Value], mapping: Mapping, problems: &mut Problems) -> (Scope, Mapping) {
    let mut columns: Vec<String> = Vec::new();
    let mut rules = Vec::new();
    for (i, rule) in raw.iter().enumerate() {
        let key = format!("scope[{i}]");
        let mut ctx = Ctx {
            mapping: &mapping,
            columns: &mut columns,
            problems,
        };
        if let Some(rule) = ctx.rule(&key, rule) {
            rules.push(rule);
        }
    }
    (Scope::new(rules), mapping.with_scope_columns(columns))
}

struct Ctx<'a> {
    mapping: &'a Mapping,
    columns: &'a mut Vec<String>,
    problems: &'a mut Problems,
}

fn unknown_keys(map: &Map<String, Value>, known: &[&str]) -> Vec<String> {
    map.keys()
        .filter(|k| !known.contains(&k.as_str()))
        .cloned()
        .collect()
}

impl Ctx<'_> {
    fn rule(&mut self, key: &str, raw: &Value) -> Option<Rule> {
        let Some(map) = raw.as_object() else {
            self.problems
                .add(key, "must be a table with name and clauses");
            return None;
        };
        for unknown in unknown_keys(map, &RULE_KEYS) {
            let known = RULE_KEYS.join(", ");
            self.problems.add(
                &format!("{key}.{unknown}"),
                format!("unknown key (known: {known})"),
            );
        }
        let name = match map.get("name") {
            None => key.to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                self.problems.add(&format!("{key}.name"), "must be text");
                return None;
            }
        };
        let label = format!("{key} (\"{name}\")");
        let clauses = match map.get("clauses") {
            Some(Value::Array(c)) if !c.is_empty() => c,
            _ => {
                let message = "rule needs at least one clause (clauses = [{ … }])";
                self.problems.add(&format!("{label}.clauses"), message);
                return None;
            }
        };
        let parsed: Vec<Option<Clause>> = clauses
            .iter()
            .enumerate()
            .map(|(j, c)| self.clause(&format!("{label}.clauses[{j}]"), c))
            .collect();
        let clauses = parsed.into_iter().collect::<Option<Vec<_>>>()?;
        Some(Rule { name, clauses })
    }

    fn clause(&mut self, key: &str, raw: &Value) -> Option<Clause> {
        let Some(map) = raw.as_object() else {
            self.problems.add(
                key,
                "must be a table with property or column, operator, value",
            );
            return None;
        };
        for unknown in unknown_keys(map, &CLAUSE_KEYS) {
            let known = CLAUSE_KEYS.join(", ");
            self.problems.add(
                &format!("{key}.{unknown}"),
                format!("unknown key (known: {known})"),
            );
        }
        let target = self.target(key, map)?;
        let operator = self.operator(key, map)?;
        Some(Clause { target, operator })
    }

    fn target(&mut self, key: &str, map: &Map<String, Value>) -> Option<Target> {
        match (map.get("property"), map.get("column")) {
            (Some(Value::String(name)), None) => {
                let key = format!("{key}.property");
                let Some(property) = Property::from_config_name(name) else {
                    self.problems.add(&key, "unknown Graph user property");
                    return None;
                };
                if self.mapping.get(property).is_none() {
                    let message = format!(
                        "{} is not mapped; map it under [mapping] or test a source column with column = …",
                        property.full_name()
                    );
                    self.problems.add(&key, message);
                    return None;
                }
                Some(Target::Property(property))
            }
            (None, Some(Value::String(name))) if !name.trim().is_empty() => {
                let name = name.trim().to_string();
                let slot = match self
                    .columns
                    .iter()
                    .position(|c| c.eq_ignore_ascii_case(&name))
                {
                    Some(slot) => slot,
                    None => {
                        self.columns.push(name.clone());
                        self.columns.len() - 1
                    }
                };
                Some(Target::Column { name, slot })
            }
            _ => {
                self.problems.add(
                    key,
                    "needs exactly one of property = \"…\" or column = \"…\"",
                );
                None
            }
        }
    }

    fn operator(&mut self, key: &str, map: &Map<String, Value>) -> Option<Operator> {
        let name = map
            .get("operator")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let value = map.get("value").and_then(Value::as_str).map(str::to_string);
        let values = map.get("values");
        let needs_value = |problems: &mut Problems| {
            problems.add(
                &format!("{key}.value"),
                format!("operator {name} needs value = \"…\""),
            );
        };
        let operator = match name {
            "is_null" => Operator::IsNull,
            "is_not_null" => Operator::IsNotNull,
            "in" => return self.list(key, values),
            "equals" | "not_equals" | "starts_with" | "ends_with" | "regex" | "not_regex" => {
                let Some(value) = value else {
                    needs_value(self.problems);
                    return None;
                };
                return self.valued(key, name, value);
            }
            _ => {
                let known = Operator::NAMES.join(", ");
                self.problems.add(
                    &format!("{key}.operator"),
                    format!("must be one of {known}"),
                );
                return None;
            }
        };
        Some(operator)
    }

    fn valued(&mut self, key: &str, name: &str, value: String) -> Option<Operator> {
        Some(match name {
            "equals" => Operator::Equals(value),
            "not_equals" => Operator::NotEquals(value),
            "starts_with" => Operator::StartsWith(value),
            "ends_with" => Operator::EndsWith(value),
            _ => {
                let regex = match Regex::new(&value) {
                    Ok(regex) => regex,
                    Err(e) => {
                        self.problems
                            .add(&format!("{key}.value"), format!("invalid regex: {e}"));
                        return None;
                    }
                };
                if name == "regex" {
                    Operator::Regex(regex)
                } else {
                    Operator::NotRegex(regex)
                }
            }
        })
    }

    fn list(&mut self, key: &str, values: Option<&Value>) -> Option<Operator> {
        let list: Option<Vec<String>> = values.and_then(Value::as_array).and_then(|items| {
            items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect()
        });
        match list {
            Some(list) if !list.is_empty() => Some(Operator::In(list)),
            _ => {
                let message = "operator in needs values = [\"…\", …] (text, at least one)";
                self.problems.add(&format!("{key}.values"), message);
                None
            }
        }
    }
}
