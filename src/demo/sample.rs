//! Sample partner rows for the demo: a few hundred plausible external people from a handful of
//! partner companies, plus the bad rows an IDM table really holds (an invalid address, a shared
//! address, a missing anchor, an over-long name, an invisible character) so the demo shows
//! rejection and conflict handling. Deterministic: the same count gives the same rows.

/// One row of the demo's `partners` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRow {
    /// `partner_id`; `None` models a row with a NULL key.
    pub partner_id: Option<String>,
    /// `email`.
    pub email: String,
    /// `display_name`.
    pub display_name: String,
    /// `given_name`.
    pub given_name: String,
    /// `surname`.
    pub surname: String,
    /// `job_title`.
    pub job_title: String,
    /// `department`.
    pub department: String,
    /// `company`.
    pub company: String,
    /// `office`.
    pub office: String,
}

const GIVEN: [&str; 16] = [
    "Ada", "Björn", "Chiara", "Dmitri", "Elif", "Farah", "Gustav", "Hana", "Ines", "Jonas",
    "Kemal", "Lena", "Mateo", "Noor", "Oskar", "Priya",
];
const SURNAMES: [&str; 16] = [
    "Lovelace",
    "Lindqvist",
    "Rossi",
    "Volkov",
    "Yılmaz",
    "Haddad",
    "Berg",
    "Sato",
    "Moreau",
    "Keller",
    "Demir",
    "Fischer",
    "García",
    "Khan",
    "Nilsson",
    "Patel",
];
const COMPANIES: [(&str, &str); 5] = [
    ("Fabrikam", "fabrikam.example"),
    ("Northwind Traders", "northwind.example"),
    ("Tailspin Toys", "tailspin.example"),
    ("Wingtip Partners", "wingtip.example"),
    ("Adatum", "adatum.example"),
];
const TITLES: [&str; 6] = [
    "Consultant",
    "Project Manager",
    "Engineer",
    "Auditor",
    "Account Manager",
    "Designer",
];
const DEPARTMENTS: [&str; 4] = ["Delivery", "Finance", "Engineering", "Sales"];
const OFFICES: [&str; 4] = ["Berlin", "Lyon", "Oslo", "Remote"];

/// `count` good partner rows followed by the bad rows of [`bad_rows`].
pub fn partner_rows(count: usize) -> Vec<PartnerRow> {
    let mut rows: Vec<PartnerRow> = (0..count).map(good_row).collect();
    rows.extend(bad_rows());
    rows
}

fn good_row(i: usize) -> PartnerRow {
    let given = GIVEN[i % GIVEN.len()];
    let surname = SURNAMES[(i / GIVEN.len()) % SURNAMES.len()];
    let (company, domain) = COMPANIES[i % COMPANIES.len()];
    let local = format!("{}.{}{}", ascii_lower(given), ascii_lower(surname), i);
    PartnerRow {
        partner_id: Some(format!("P{:05}", i + 1)),
        email: format!("{local}@{domain}"),
        display_name: format!("{given} {surname} ({company})"),
        given_name: given.to_string(),
        surname: surname.to_string(),
        job_title: TITLES[i % TITLES.len()].to_string(),
        department: DEPARTMENTS[i % DEPARTMENTS.len()].to_string(),
        company: company.to_string(),
        office: OFFICES[i % OFFICES.len()].to_string(),
    }
}

/// The rows a real table holds that guestsync must reject or hold, plus one tricky valid one.
pub fn bad_rows() -> Vec<PartnerRow> {
    let row = |id: Option<&str>, email: &str, name: &str| PartnerRow {
        partner_id: id.map(str::to_string),
        email: email.to_string(),
        display_name: name.to_string(),
        given_name: String::new(),
        surname: String::new(),
        job_title: "Consultant".into(),
        department: "Delivery".into(),
        company: "Contoso Partners".into(),
        office: "Remote".into(),
    };
    vec![
        row(Some("X00001"), "not-an-address", "Invalid Address"),
        row(Some("X00002"), "shared@partner.example", "Shared One"),
        row(Some("X00003"), "Shared@Partner.example", "Shared Two"),
        row(None, "no.anchor@partner.example", "Missing Anchor"),
        row(
            Some("X00005"),
            "long.name@partner.example",
            &"N".repeat(300),
        ),
        row(
            Some("X00006"),
            "zero\u{200B}width@partner.example",
            "Zero Width",
        ),
        row(Some("X00007"), "o'brien@partner.example", "Siobhán O'Brien"),
    ]
}

fn ascii_lower(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ö' => 'o',
            'ı' => 'i',
            'í' => 'i',
            other => other,
        })
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_deterministic_and_unique() {
        let rows = partner_rows(300);
        assert_eq!(rows, partner_rows(300));
        let mut emails: Vec<_> = rows[..300].iter().map(|r| r.email.to_lowercase()).collect();
        emails.sort();
        emails.dedup();
        assert_eq!(emails.len(), 300);
        assert!(rows.iter().any(|r| r.email == "o'brien@partner.example"));
    }
}
