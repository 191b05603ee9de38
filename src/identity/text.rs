//! Text normalisation shared by every identity field: Unicode trimming, NFC, invisible and
//! control characters, script detection and length checks.
//!
//! Choices (documented for operators):
//! - Leading and trailing Unicode white space (including NBSP) is trimmed; empty = absent.
//! - Invisible characters (zero-width space/joiners, word joiner, BOM, LRM/RLM, bidi embeddings,
//!   overrides and isolates, soft hyphen) are **stripped** from names; the e-mail parser
//!   **rejects** them instead (see [`first_invisible`]).
//! - In names, a run of white space that contains a control character (tab, newline, any C0/C1
//!   character) or non-ASCII white space (NBSP, ideographic space…) becomes one ASCII space, so
//!   `"Ada\tLovelace"` and `"Ada\u{a0}Lovelace"` both become `"Ada Lovelace"`. Runs of plain
//!   spaces are kept as given.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Whether `c` is an invisible formatting character that must never reach Graph.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// The first invisible character of `s`, if any.
pub(crate) fn first_invisible(s: &str) -> Option<char> {
    s.chars().find(|c| is_invisible(*c))
}

/// `s` in Unicode NFC, borrowing when it already is.
pub(crate) fn nfc(s: &str) -> String {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s.to_owned()
    } else {
        s.nfc().collect()
    }
}

/// Whether `c` separates words: white space or a control character.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// Normalises a free-text value (a name, a title): see the module docs. `None` when nothing is
/// left.
pub(crate) fn normalize_text(raw: &str) -> Option<String> {
    let fast = raw.bytes().all(|b| (0x20..0x7f).contains(&b));
    if fast {
        let trimmed = raw.trim_matches(' ');
        return (!trimmed.is_empty()).then(|| trimmed.to_owned());
    }
    let mut out = String::with_capacity(raw.len());
    let mut run = String::new();
    for c in raw.chars().filter(|c| !is_invisible(*c)) {
        if is_separator(c) {
            run.push(c);
            continue;
        }
        flush_run(&mut out, &mut run);
        out.push(c);
    }
    let trimmed = out.trim();
    (!trimmed.is_empty()).then(|| nfc(trimmed))
}

/// Appends a pending separator run to `out`: kept as is when it is plain spaces, else one space.
fn flush_run(out: &mut String, run: &mut String) {
    if run.is_empty() {
        return;
    }
    if run.bytes().all(|b| b == b' ') {
        out.push_str(run);
    } else {
        out.push(' ');
    }
    run.clear();
}

/// A writing system, as far as confusable detection needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Script {
    /// Latin letters (ASCII and the Latin extensions).
    Latin,
    /// Greek and Coptic.
    Greek,
    /// Cyrillic.
    Cyrillic,
}

impl Script {
    /// The script of a letter, if it is one of the tracked ones.
    fn of(c: char) -> Option<Self> {
        match c {
            'a'..='z' | 'A'..='Z' => Some(Self::Latin),
            '\u{00D7}' | '\u{00F7}' => None,
            '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => Some(Self::Latin),
            '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => Some(Self::Greek),
            '\u{0400}'..='\u{052F}' | '\u{1C80}'..='\u{1C8F}' => Some(Self::Cyrillic),
            '\u{2DE0}'..='\u{2DFF}' | '\u{A640}'..='\u{A69F}' => Some(Self::Cyrillic),
            _ => None,
        }
    }

    /// The script's name for messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Latin => "Latin",
            Self::Greek => "Greek",
            Self::Cyrillic => "Cyrillic",
        }
    }
}

/// The first two different tracked scripts found in `s` (a mixed-script confusable), if any.
pub(crate) fn mixed_scripts(s: &str) -> Option<(Script, Script)> {
    let mut first: Option<Script> = None;
    for script in s.chars().filter_map(Script::of) {
        match first {
            None => first = Some(script),
            Some(seen) if seen != script => return Some((seen, script)),
            Some(_) => {}
        }
    }
    None
}

/// `U+XXXX` notation for messages.
pub(crate) fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_unicode_space_and_strips_invisibles() {
        let got = normalize_text("\u{a0} Ada\u{200b} Lovelace\u{feff}\u{2003}");
        assert_eq!(got.as_deref(), Some("Ada Lovelace"));
    }

    #[test]
    fn control_runs_collapse_to_one_space_but_plain_spaces_stay() {
        assert_eq!(
            normalize_text("Ada\t\n Lovelace").as_deref(),
            Some("Ada Lovelace")
        );
        assert_eq!(
            normalize_text("Ada\u{a0}Lovelace").as_deref(),
            Some("Ada Lovelace")
        );
        assert_eq!(
            normalize_text("Ada  Lovelace").as_deref(),
            Some("Ada  Lovelace")
        );
    }

    #[test]
    fn empty_or_blank_is_absent() {
        assert_eq!(normalize_text(""), None);
        assert_eq!(normalize_text("   "), None);
        assert_eq!(normalize_text("\u{a0}\u{200b}\t"), None);
    }

    #[test]
    fn composes_to_nfc() {
        let decomposed = "Jose\u{301}";
        assert_eq!(normalize_text(decomposed).as_deref(), Some("Jos\u{e9}"));
    }

    #[test]
    fn detects_latin_with_cyrillic() {
        let got = mixed_scripts("p\u{0430}ypal").map(|(a, b)| (a.name(), b.name()));
        assert_eq!(got, Some(("Latin", "Cyrillic")));
        assert_eq!(mixed_scripts("ascii.only"), None);
    }
}
