//! The `[[scope]]` rules on a table of cases with Entra's semantics (null is false for every
//! operator but is_null; equals is case-sensitive), AND within a rule and OR across rules, and
//! the start-up errors of `[mapping]` and `[[scope]]`, which name the key and the rule.

use std::io::Write;

use guestsync::identity::{Anchor, Attributes, Email, Identity, Property};
use guestsync::settings::Settings;

fn settings(toml: &str) -> Result<Settings, String> {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    file.write_all(toml.as_bytes()).unwrap();
    Settings::load_with_env(Some(file.path()), Vec::new()).map_err(|e| e.to_string())
}

fn company(value: Option<&str>, department: Option<&str>) -> Identity {
    let mut attributes = Attributes::new();
    value
        .into_iter()
        .for_each(|v| attributes.set(Property::CompanyName, v));
    department
        .into_iter()
        .for_each(|v| attributes.set(Property::Department, v));
    Identity {
        anchor: Anchor::parse("1").unwrap(),
        email: Email::parse("a@partner.example").unwrap(),
        attributes,
        extras: Default::default(),
    }
}

fn rule(clause: &str) -> String {
    format!("[[scope]]\nname = \"r\"\nclauses = [{{ property = \"companyName\", {clause} }}]\n")
}

#[test]
fn operators_follow_entra_semantics() {
    let cases: &[(&str, Option<&str>, bool)] = &[
        (
            r#"operator = "equals", value = "Contoso""#,
            Some("Contoso"),
            true,
        ),
        (
            r#"operator = "equals", value = "Contoso""#,
            Some("contoso"),
            false,
        ),
        (r#"operator = "equals", value = "Contoso""#, None, false),
        (
            r#"operator = "not_equals", value = "Contoso""#,
            Some("Fabrikam"),
            true,
        ),
        (
            r#"operator = "not_equals", value = "Contoso""#,
            Some("Contoso"),
            false,
        ),
        (
            r#"operator = "not_equals", value = "Contoso""#,
            Some("CONTOSO"),
            true,
        ),
        (r#"operator = "not_equals", value = "Contoso""#, None, false),
        (
            r#"operator = "starts_with", value = "Con""#,
            Some("Contoso"),
            true,
        ),
        (
            r#"operator = "starts_with", value = "con""#,
            Some("Contoso"),
            false,
        ),
        (r#"operator = "starts_with", value = "Con""#, None, false),
        (
            r#"operator = "ends_with", value = "Ltd""#,
            Some("Partner Ltd"),
            true,
        ),
        (
            r#"operator = "ends_with", value = "ltd""#,
            Some("Partner Ltd"),
            false,
        ),
        (r#"operator = "ends_with", value = "Ltd""#, None, false),
        (r#"operator = "in", values = ["A", "B"]"#, Some("B"), true),
        (r#"operator = "in", values = ["A", "B"]"#, Some("b"), false),
        (r#"operator = "in", values = ["A", "B"]"#, None, false),
        (r#"operator = "is_null""#, None, true),
        (r#"operator = "is_null""#, Some("x"), false),
        (r#"operator = "is_not_null""#, Some("x"), true),
        (r#"operator = "is_not_null""#, None, false),
        (
            r#"operator = "regex", value = "^[A-Z][a-z]+$""#,
            Some("Contoso"),
            true,
        ),
        (
            r#"operator = "regex", value = "([1-9][0-9])""#,
            Some("Unit 42"),
            true,
        ),
        (
            r#"operator = "regex", value = "^[A-Z][a-z]+$""#,
            Some("contoso"),
            false,
        ),
        (r#"operator = "regex", value = ".*""#, None, false),
        (
            r#"operator = "not_regex", value = "^C""#,
            Some("Fabrikam"),
            true,
        ),
        (
            r#"operator = "not_regex", value = "^C""#,
            Some("Contoso"),
            false,
        ),
        (r#"operator = "not_regex", value = "^C""#, None, false),
    ];
    for (clause, value, expected) in cases {
        let scope = settings(&rule(clause)).unwrap().scope;
        let got = scope.contains(&company(*value, None));
        assert_eq!(got, *expected, "{clause} on {value:?}");
    }
}

#[test]
fn clauses_are_and_ed_and_rules_or_ed() {
    let toml = r#"
[[scope]]
name = "contoso sales"
clauses = [
  { property = "companyName", operator = "equals", value = "Contoso" },
  { property = "department", operator = "equals", value = "Sales" },
]
[[scope]]
name = "fabrikam"
clauses = [{ property = "companyName", operator = "equals", value = "Fabrikam" }]
"#;
    let scope = settings(toml).unwrap().scope;
    let cases = [
        (Some("Contoso"), Some("Sales"), true),
        (Some("Contoso"), Some("R&D"), false),
        (Some("Contoso"), None, false),
        (Some("Fabrikam"), None, true),
        (None, Some("Sales"), false),
    ];
    for (company_name, department, expected) in cases {
        let got = scope.contains(&company(company_name, department));
        assert_eq!(got, expected, "{company_name:?} {department:?}");
    }
    let everyone = settings("").unwrap().scope;
    assert!(everyone.contains(&company(None, None)));
}

#[test]
fn a_column_not_mapped_to_graph_is_carried_for_the_scope() {
    let toml = "[[scope]]\nclauses = [{ column = \"Status\", operator = \"equals\", value = \"active\" }]\n";
    let settings = settings(toml).unwrap();
    assert_eq!(settings.mapping.scope_columns(), ["Status".to_string()]);
}

#[test]
fn start_up_errors_name_the_key_and_the_rule() {
    let cases = [
        (
            "[mapping.favouriteColour]\ncolumn = \"c\"\n",
            "mapping.favouriteColour: unknown Graph user property",
        ),
        (
            "[[scope]]\nname = \"partners\"\nclauses = [{ property = \"companyName\", operator = \"regex\", value = \"(unclosed\" }]\n",
            "scope[0] (\"partners\").clauses[0].value: invalid regex",
        ),
        (
            "[[scope]]\nname = \"p\"\nclauses = [{ property = \"city\", operator = \"is_null\" }]\n",
            "city is not mapped",
        ),
        (
            "[[scope]]\nname = \"p\"\nclauses = [{ column = \"s\", operator = \"like\", value = \"x\" }]\n",
            "scope[0] (\"p\").clauses[0].operator: must be one of",
        ),
        (
            "[[scope]]\nname = \"empty\"\nclauses = []\n",
            "at least one clause",
        ),
    ];
    for (toml, expected) in cases {
        let e = settings(toml).unwrap_err();
        assert!(e.contains(expected), "{expected} not in:\n{e}");
    }
}
