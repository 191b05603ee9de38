//! The hostile corpus: a deterministic list of source rows covering every category of bad input
//! in queue-and-reliability.md §3.3 (null and blank columns, malformed and internationalised
//! addresses, confusables, control and invisible characters, huge values, SQL and OData
//! metacharacters, duplicates by case and Unicode form, type surprises), each with the outcome
//! guestsync owes it: invited with these normalised values, rejected with a reason that names
//! the problem, or held as a shared address. Expected values are written out by hand from the
//! documented rules, never computed with guestsync's own code.

/// One source cell, by SQLite storage class.
#[derive(Clone, Debug)]
pub enum Cell {
    Null,
    Text(String),
    Int(i64),
    Real(f64),
    Blob(Vec<u8>),
    /// Bytes stored as TEXT without UTF-8 validation (`CAST(blob AS TEXT)`).
    BadText(Vec<u8>),
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// The mapped attribute columns, in query order, with their Graph property.
pub const ATTRIBUTES: [(&str, &str); 7] = [
    ("display_name", "displayName"),
    ("given_name", "givenName"),
    ("surname", "surname"),
    ("job_title", "jobTitle"),
    ("department", "department"),
    ("company_name", "companyName"),
    ("office_location", "officeLocation"),
];

/// What guestsync owes a row.
#[derive(Clone, Debug)]
pub enum Expect {
    /// Exactly one guest with this `mail` and these attribute values (Graph name, value).
    Invite {
        mail: String,
        attributes: Vec<(&'static str, String)>,
    },
    /// Rejected with a reason that contains this text.
    Reject(String),
    /// Held as a conflict: its address is shared with another anchor.
    Held,
}

/// One generated row.
#[derive(Clone, Debug)]
pub struct Row {
    pub category: &'static str,
    pub anchor: Cell,
    pub email: Cell,
    /// One cell per [`ATTRIBUTES`] column.
    pub attributes: [Cell; 7],
    pub expect: Expect,
}

/// How many variants of each template (each with its own anchor and address).
const VARIANTS: usize = 3;
/// One mebibyte of text.
const MB: usize = 1 << 20;
const DOMAIN: &str = "partner.example";

struct Gen {
    rows: Vec<Row>,
}

impl Gen {
    fn anchor(&self) -> String {
        format!("H{:05}", self.rows.len())
    }

    /// A row with default attributes (display name, job title) and the given address.
    fn row(
        &mut self,
        category: &'static str,
        email: Cell,
        expect_mail: Option<String>,
    ) -> &mut Row {
        let n = self.rows.len();
        let display = format!("Hostile Row {n}");
        let expect = match expect_mail {
            Some(mail) => Expect::Invite {
                mail,
                attributes: vec![
                    ("displayName", display.clone()),
                    ("jobTitle", "Consultant".into()),
                ],
            },
            None => Expect::Reject(String::new()),
        };
        self.rows.push(Row {
            category,
            anchor: t(self.anchor()),
            email,
            attributes: [
                t(display),
                Cell::Null,
                Cell::Null,
                t("Consultant"),
                Cell::Null,
                Cell::Null,
                Cell::Null,
            ],
            expect,
        });
        self.rows.last_mut().expect("just pushed")
    }

    fn email_invite(&mut self, category: &'static str, raw: &str, mail: &str) {
        self.row(category, t(raw), Some(mail.into()));
    }

    fn email_reject(&mut self, category: &'static str, raw: Cell, reason: &str) {
        self.row(category, raw, None).expect = Expect::Reject(reason.into());
    }

    /// A row whose attribute `column` holds `raw`: `Ok(Some(v))` invites with `v`, `Ok(None)`
    /// invites without checking the property, `Err(r)` rejects with `r`.
    fn attribute(&mut self, category: &'static str, column: &str, raw: Cell, want: Want) {
        let mail = format!("attr{}@{DOMAIN}", self.rows.len());
        let index = ATTRIBUTES
            .iter()
            .position(|(c, _)| *c == column)
            .expect("a mapped column");
        let property = ATTRIBUTES[index].1;
        let row = self.row(category, t(mail.as_str()), Some(mail));
        row.attributes[index] = raw;
        if let Expect::Invite { attributes, .. } = &mut row.expect {
            attributes.retain(|(p, _)| *p != property);
        }
        match want {
            Want::Value(v) => {
                if let Expect::Invite { attributes, .. } = &mut row.expect {
                    attributes.push((property, v));
                }
            }
            Want::Unchecked => {}
            Want::Reject(reason) => row.expect = Expect::Reject(reason),
        }
    }
}

/// What an attribute case expects.
enum Want {
    Value(String),
    Unchecked,
    Reject(String),
}

fn same(s: &str) -> (Cell, Want) {
    (t(s), Want::Value(s.into()))
}

fn becomes(raw: &str, value: &str) -> (Cell, Want) {
    (t(raw), Want::Value(value.into()))
}

fn refused(raw: Cell, reason: &str) -> (Cell, Want) {
    (raw, Want::Reject(reason.into()))
}

/// The corpus without the 1 MiB values, deterministic.
pub fn rows() -> Vec<Row> {
    let mut g = Gen { rows: Vec::new() };
    for v in 0..VARIANTS {
        malformed_addresses(&mut g, v);
        forbidden_characters(&mut g, v);
        control_and_invisible_addresses(&mut g, v);
        confusables(&mut g, v);
        international_addresses(&mut g, v);
        metacharacter_addresses(&mut g, v);
        attributes(&mut g);
        null_and_blank(&mut g, v);
        type_surprises(&mut g, v);
        duplicates(&mut g, v);
    }
    g.rows
}

/// The 1 MiB values (kept apart: every read of the source parses them again), after a few
/// ordinary rows.
pub fn huge_rows() -> Vec<Row> {
    let mut g = Gen { rows: Vec::new() };
    for v in 0..2 {
        let mail = format!("before-huge{v}@{DOMAIN}");
        g.email_invite("huge value (1 MiB)", &mail, &mail);
    }
    huge_values(&mut g);
    g.rows
}

fn malformed_addresses(g: &mut Gen, v: usize) {
    let c = "malformed address";
    let label = |ch: char, n: usize| ch.to_string().repeat(n);
    let cases: Vec<(String, &str)> = vec![
        (format!("not-an-address{v}"), "missing '@'"),
        (format!("a{v}@b@{DOMAIN}"), "more than one '@'"),
        (format!("@x{v}.example"), "empty local part"),
        (format!("a{v}@"), "empty domain"),
        (format!(".a{v}@{DOMAIN}"), "starts with '.'"),
        (format!("a{v}.@{DOMAIN}"), "ends with '.'"),
        (format!("-a{v}@{DOMAIN}"), "starts with '-'"),
        (format!("a{v}-@{DOMAIN}"), "ends with '-'"),
        (format!("a..{v}@{DOMAIN}"), "two dots in a row"),
        (format!("\"a{v}\"@{DOMAIN}"), "quoted local parts"),
        (format!("a{v}(comment)@{DOMAIN}"), "comments"),
        (format!("a{v}@[192.0.2.1]"), "IP-literal"),
        (format!("a{v}@192.0.2.1"), "numeric"),
        (format!("a{v}@x.123"), "numeric"),
        (format!("a{v}@localhost"), "has no dot"),
        (format!("a{v}@x_y.example"), "not a valid domain name"),
        (format!("a{v}@-x.example"), "not a valid domain name"),
        (format!("a{v}@x..example"), "domain label"),
        (format!("a{v}@x.example."), "domain label"),
        (format!("a b{v}@{DOMAIN}"), "contains a space"),
        (format!("a{v}@{}.example", label('d', 64)), "1 to 63"),
        (
            format!("{}{v}@{DOMAIN}", label('l', 64)),
            "characters, the limit is 64",
        ),
        (
            format!(
                "{}@{}.{}.{}.example",
                label('l', 60) + &format!("{v:04}"),
                label('a', 63),
                label('b', 63),
                label('c', 54)
            ),
            "255 characters, the limit is 254",
        ),
    ];
    for (raw, reason) in cases {
        g.email_reject(c, t(raw), reason);
    }
}

fn forbidden_characters(g: &mut Gen, v: usize) {
    // graph.md §1: not permitted in invitedUserEmailAddress ('(' ')' '"' have their own reasons).
    for ch in "~!#$%^&*+=[]{}\\/|;:<>?,".chars() {
        let raw = format!("ad{ch}a{v}@{DOMAIN}");
        g.email_reject("graph-forbidden character", t(raw), &format!("'{ch}'"));
    }
}

fn control_and_invisible_addresses(g: &mut Gen, v: usize) {
    for (ch, reason) in [
        ('\u{0}', "control character U+0000"),
        ('\u{1}', "control character U+0001"),
        ('\u{1b}', "control character U+001B"),
        ('\u{7f}', "control character U+007F"),
        ('\u{85}', "control character U+0085"),
        ('\t', "control character U+0009"),
        ('\n', "control character U+000A"),
        ('\u{3000}', "contains a space"),
    ] {
        let raw = format!("a{ch}{v}@{DOMAIN}");
        g.email_reject("control character", t(raw), reason);
    }
    for ch in [
        '\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{202E}', '\u{2066}', '\u{FEFF}',
        '\u{00AD}',
    ] {
        let raw = format!("a{ch}{v}@{DOMAIN}");
        let reason = format!("invisible character U+{:04X}", u32::from(ch));
        g.email_reject("invisible character", t(raw), &reason);
    }
}

fn confusables(g: &mut Gen, v: usize) {
    let c = "confusable";
    let cases = [
        (format!("p\u{430}ypal{v}@{DOMAIN}"), "mixed scripts"),
        (format!("a{v}@p\u{430}ypal.example"), "mixed scripts"),
        (format!("a{v}@g\u{3bf}\u{3bf}gle.example"), "mixed scripts"),
        (format!("a{v}@xn--pypal-4ve.example"), "mixed scripts"),
        (format!("a{v}\u{FF20}{DOMAIN}"), "missing '@'"),
        (format!("\u{FF41}{v}@{DOMAIN}"), "non-ASCII"),
        (format!("jos\u{e9}{v}@{DOMAIN}"), "non-ASCII"),
    ];
    for (raw, reason) in cases {
        g.email_reject(c, t(raw), reason);
    }
    g.attribute(
        c,
        "display_name",
        t("\u{410}da Lovelace"),
        Want::Value("\u{410}da Lovelace".into()),
    );
}

fn international_addresses(g: &mut Gen, v: usize) {
    let c = "internationalised address";
    let cases = [
        (
            format!("idn{v}@b\u{fc}cher.example"),
            format!("idn{v}@xn--bcher-kva.example"),
        ),
        (
            format!("IDN-UP{v}@B\u{dc}CHER.EXAMPLE"),
            format!("IDN-UP{v}@xn--bcher-kva.example"),
        ),
        (
            format!("nfd{v}@bu\u{308}cher.example"),
            format!("nfd{v}@xn--bcher-kva.example"),
        ),
        (
            format!("cyr{v}@\u{43f}\u{440}\u{438}\u{43c}\u{435}\u{440}.example"),
            format!("cyr{v}@xn--e1afmkfd.example"),
        ),
        (
            format!("jp{v}@\u{4f8b}\u{3048}.jp"),
            format!("jp{v}@xn--r8jz45g.jp"),
        ),
        (
            format!("gr{v}@\u{3b5}\u{3bb}\u{3bb}\u{3b7}\u{3bd}\u{3b9}\u{3ba}\u{3ac}.example"),
            format!("gr{v}@xn--hxargifdar.example"),
        ),
        (
            format!("puny{v}@xn--mnchen-3ya.example"),
            format!("puny{v}@xn--mnchen-3ya.example"),
        ),
        (
            format!("Ada.Lovelace{v}@Partner.EXAMPLE"),
            format!("Ada.Lovelace{v}@{DOMAIN}"),
        ),
        (
            format!("\u{a0} nbsp{v}@{DOMAIN}\t"),
            format!("nbsp{v}@{DOMAIN}"),
        ),
        (
            format!("deep{v}@a.b.c.{DOMAIN}"),
            format!("deep{v}@a.b.c.{DOMAIN}"),
        ),
    ];
    for (raw, mail) in cases {
        g.email_invite(c, &raw, &mail);
    }
    let local64 = format!("{}{v:04}", "l".repeat(60));
    g.email_invite(
        c,
        &format!("{local64}@{DOMAIN}"),
        &format!("{local64}@{DOMAIN}"),
    );
    let long = format!(
        "{}@{}.{}.{}.example",
        "l".repeat(60) + &format!("{v:04}"),
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(53)
    );
    g.email_invite(c, &long, &long);
}

fn metacharacter_addresses(g: &mut Gen, v: usize) {
    let c = "SQL/OData metacharacters";
    for local in [
        format!("o'brien{v}"),
        format!("o''brien{v}"),
        format!("'q{v}'"),
        format!("x{v}'or'1'eq'1"),
        format!("a--b{v}"),
        format!("_u{v}_"),
        format!("q{v}"),
    ] {
        let mail = format!("{local}@{DOMAIN}");
        g.email_invite(c, &mail, &mail);
    }
    for (raw, reason) in [
        (format!("a%27{v}@{DOMAIN}"), "'%'"),
        (format!("a&$filter=x{v}@{DOMAIN}"), "'&'"),
        (format!("x{v}' or '1' eq '1@{DOMAIN}"), "contains a space"),
        (
            format!("'; DROP TABLE users; --{v}@{DOMAIN}"),
            "contains a space",
        ),
        (format!("a{v};--@{DOMAIN}"), "';'"),
    ] {
        g.email_reject(c, t(raw), reason);
    }
}

fn attributes(g: &mut Gen) {
    let meta = "SQL/OData metacharacters";
    for (column, (raw, want)) in [
        ("display_name", same("' or 1 eq 1 or mail eq '")),
        ("display_name", same("Robert'); DROP TABLE partners;--")),
        ("display_name", same("$filter=mail eq 'x'&$top=999")),
        ("display_name", same("<script>alert(1)</script>")),
        ("job_title", same("' \" ; -- %")),
        ("job_title", same("'; DELETE FROM users; --")),
        ("job_title", same("%27%20or%20%271%27%3D%271")),
        ("department", same("R&D \\\\server\\share")),
        ("company_name", same("Contoso \"Partners\" Ltd.")),
        ("office_location", same("Room 1; DROP")),
    ] {
        g.attribute(meta, column, raw, want);
    }
    let control = "control character";
    for (column, (raw, want)) in [
        ("display_name", becomes("Ada\tLovelace", "Ada Lovelace")),
        ("display_name", becomes("Ada\r\n\tLovelace", "Ada Lovelace")),
        ("display_name", becomes("Ada\u{0}Lovelace", "Ada Lovelace")),
        (
            "display_name",
            becomes("Ada\u{1b}[31mRed\u{1b}[0m", "Ada [31mRed [0m"),
        ),
        ("job_title", becomes("Consultant\u{0}", "Consultant")),
        ("office_location", becomes("\u{85}Berlin\u{85}", "Berlin")),
    ] {
        g.attribute(control, column, raw, want);
    }
    let invisible = "invisible character";
    for (column, (raw, want)) in [
        (
            "display_name",
            becomes("Ada\u{200b}Lovelace", "AdaLovelace"),
        ),
        (
            "display_name",
            becomes("\u{feff}Ada Lovelace", "Ada Lovelace"),
        ),
        (
            "display_name",
            becomes("\u{202e}ecalevoL adA", "ecalevoL adA"),
        ),
        (
            "display_name",
            becomes("\u{1f469}\u{200d}\u{1f4bb} Ada", "\u{1f469}\u{1f4bb} Ada"),
        ),
        (
            "job_title",
            becomes("Con\u{ad}sul\u{2060}tant", "Consultant"),
        ),
        ("display_name", (t("\u{200b}\u{feff}"), Want::Unchecked)),
    ] {
        g.attribute(invisible, column, raw, want);
    }
    let blank = "null, empty or white space";
    for (column, (raw, want)) in [
        ("display_name", becomes("  Ada Lovelace  ", "Ada Lovelace")),
        (
            "display_name",
            becomes("\u{a0}Ada\u{a0}Lovelace\u{a0}", "Ada Lovelace"),
        ),
        (
            "display_name",
            becomes("Ada\u{3000}Lovelace", "Ada Lovelace"),
        ),
        ("display_name", same("Ada  Lovelace")),
        ("display_name", (Cell::Null, Want::Unchecked)),
        ("display_name", (t(""), Want::Unchecked)),
        ("display_name", (t(" \t "), Want::Unchecked)),
    ] {
        g.attribute(blank, column, raw, want);
    }
    let intl = "internationalised name";
    for (column, (raw, want)) in [
        (
            "display_name",
            becomes("Jose\u{301} Garci\u{301}a", "Jos\u{e9} Garc\u{ed}a"),
        ),
        (
            "company_name",
            becomes("Mu\u{308}ller AG", "M\u{fc}ller AG"),
        ),
        ("display_name", same("Ada \u{1f680} Lovelace")),
        ("display_name", same("\u{639}\u{627}\u{626}\u{634}\u{629}")),
        (
            "display_name",
            same("\u{5e9}\u{5e8}\u{5d4} \u{5db}\u{5d4}\u{5df}"),
        ),
        ("display_name", same("\u{5c71}\u{7530} \u{592a}\u{90ce}")),
        ("given_name", same("Siobh\u{e1}n")),
        ("surname", same("O'Brien")),
    ] {
        g.attribute(intl, column, raw, want);
    }
    let limits = "length limit";
    for (column, (raw, want)) in [
        ("display_name", same(&"N".repeat(256))),
        (
            "display_name",
            refused(
                t("N".repeat(257)),
                "displayName is 257 characters, the limit is 256",
            ),
        ),
        (
            "display_name",
            becomes(&"e\u{301}".repeat(256), &"\u{e9}".repeat(256)),
        ),
        ("job_title", same(&"t".repeat(128))),
        (
            "job_title",
            refused(
                t("t".repeat(129)),
                "jobTitle is 129 characters, the limit is 128",
            ),
        ),
        (
            "department",
            refused(
                t("d".repeat(65)),
                "department is 65 characters, the limit is 64",
            ),
        ),
        (
            "surname",
            refused(
                t("s".repeat(65)),
                "surname is 65 characters, the limit is 64",
            ),
        ),
    ] {
        g.attribute(limits, column, raw, want);
    }
}

fn null_and_blank(g: &mut Gen, v: usize) {
    let c = "null, empty or white space";
    for (anchor, reason) in [
        (Cell::Null, "anchor is NULL"),
        (t(""), "invalid anchor: empty"),
        (t("   "), "invalid anchor: empty"),
        (t("\u{a0}\u{2003}"), "invalid anchor: empty"),
        (t(format!("A\u{0}{v}")), "control characters"),
        (t(format!("A\u{200b}{v}")), "invisible character U+200B"),
    ] {
        let mail = format!("anchorless{}@{DOMAIN}", g.rows.len());
        g.email_reject(c, t(mail), reason);
        g.rows.last_mut().expect("pushed").anchor = anchor;
    }
    for (email, reason) in [
        (Cell::Null, "e-mail is missing (NULL)"),
        (t(""), "empty"),
        (t("   "), "empty"),
        (t("\u{a0}"), "empty"),
        (t("\t\n"), "empty"),
    ] {
        g.email_reject(c, email, reason);
    }
}

fn type_surprises(g: &mut Gen, v: usize) {
    let c = "type surprise";
    let i = i64::try_from(v).expect("small");
    let n = g.rows.len();
    g.email_invite(
        c,
        &format!("int-anchor{n}@{DOMAIN}"),
        &format!("int-anchor{n}@{DOMAIN}"),
    );
    g.rows.last_mut().expect("pushed").anchor = Cell::Int(900_000 + i);
    let n = g.rows.len();
    g.email_invite(
        c,
        &format!("real-anchor{n}@{DOMAIN}"),
        &format!("real-anchor{n}@{DOMAIN}"),
    );
    g.rows.last_mut().expect("pushed").anchor =
        Cell::Real(0.5 + f64::from(u32::try_from(v).expect("small")));
    let n = g.rows.len();
    g.email_invite(
        c,
        &format!("guid-anchor{n}@{DOMAIN}"),
        &format!("guid-anchor{n}@{DOMAIN}"),
    );
    let mut guid = vec![
        0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0x00, 0xF0, 0x28, 0x8C, 0xBC, 0xFF, 0xFE, 0x01,
    ];
    guid.push(u8::try_from(v).expect("small"));
    g.rows.last_mut().expect("pushed").anchor = Cell::Blob(guid);
    let n = g.rows.len();
    let mail = format!("blob{n}@{DOMAIN}");
    g.row(c, Cell::Blob(mail.clone().into_bytes()), Some(mail));
    g.email_reject(c, Cell::Int(12_345 + i), "missing '@'");
    g.attribute(
        c,
        "display_name",
        Cell::Int(4711 + i),
        Want::Value(format!("{}", 4711 + i)),
    );
    g.attribute(c, "job_title", Cell::Real(2.5), Want::Value("2.5".into()));
    g.attribute(
        c,
        "display_name",
        Cell::Blob(vec![0xff, 0xfe, 0x00, 0x41]),
        Want::Reject("displayName: binary value of 4 bytes is not UTF-8 text".into()),
    );
    g.attribute(
        c,
        "job_title",
        Cell::BadText(vec![b'x', 0xff, 0xfe]),
        Want::Reject("jobTitle".into()),
    );
}

fn duplicates(g: &mut Gen, v: usize) {
    let c = "duplicate";
    let groups: [&[String]; 5] = [
        &[
            format!("Dup{v}@Partner.example"),
            format!("dup{v}@{DOMAIN}"),
        ],
        &[
            format!("uc{v}@B\u{dc}CHER.example"),
            format!("uc{v}@b\u{fc}cher.example"),
        ],
        &[
            format!("nf{v}@b\u{fc}cher.example"),
            format!("nf{v}@bu\u{308}cher.example"),
        ],
        &[
            format!("pc{v}@xn--bcher-kva.example"),
            format!("pc{v}@b\u{fc}cher.example"),
        ],
        &[
            format!("tri{v}@{DOMAIN}"),
            format!("TRI{v}@{DOMAIN}"),
            format!("Tri{v}@PARTNER.EXAMPLE"),
        ],
    ];
    for group in groups {
        for raw in group {
            g.row(c, t(raw.as_str()), None).expect = Expect::Held;
        }
    }
    let anchors: [[String; 2]; 3] = [
        [format!("D{v}"), format!("D{v}")],
        [format!("T{v}"), format!(" T{v}\u{a0}")],
        [format!("Jos\u{e9}{v}"), format!("Jose\u{301}{v}")],
    ];
    for pair in anchors {
        for anchor in pair {
            let mail = format!("dupanchor{}@{DOMAIN}", g.rows.len());
            g.email_reject(c, t(mail), "duplicate anchor");
            g.rows.last_mut().expect("pushed").anchor = t(anchor);
        }
    }
    // Anchors are case-sensitive keys: these are two identities.
    for anchor in [format!("case{v}"), format!("CASE{v}")] {
        let mail = format!("caseanchor{}@{DOMAIN}", g.rows.len());
        g.email_invite(c, &mail, &mail);
        g.rows.last_mut().expect("pushed").anchor = t(anchor);
    }
}

fn huge_values(g: &mut Gen) {
    let c = "huge value (1 MiB)";
    g.attribute(
        c,
        "display_name",
        t("x".repeat(MB)),
        Want::Reject(format!("displayName is {MB} characters, the limit is 256")),
    );
    g.attribute(
        c,
        "job_title",
        t("\u{e9}".repeat(MB)),
        Want::Reject(format!("jobTitle is {MB} characters, the limit is 128")),
    );
    g.attribute(c, "display_name", t(" ".repeat(MB)), Want::Unchecked);
    g.email_reject(
        c,
        t(format!("{}@{DOMAIN}", "a".repeat(MB))),
        &format!("local part is {MB} characters, the limit is 64"),
    );
    g.email_reject(c, t("\u{200b}".repeat(MB)), "invisible character U+200B");
    let anchor = format!("invalid anchor: is {MB} characters, the limit is 256");
    g.email_reject(c, t(format!("huge-anchor@{DOMAIN}")), &anchor);
    g.rows.last_mut().expect("pushed").anchor = t("k".repeat(MB));
}
