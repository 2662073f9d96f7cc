//! Domainpart preparation: IP literals, label splitting, the trailing dot, and the
//! per-label rules of IDNA2003 (RFC 6122) and IDNA2008 (RFC 7622).

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use idna::uts46::{AsciiDenyList, Hyphens, Uts46};
use precis_core::{IdentifierClass, StringClass};
use unicode_normalization::UnicodeNormalization;

use super::ascii::{self, AsciiLabel};
use crate::error::{JidError, JidPart};
use crate::profiles::{self, ProfileError};

/// The label separators IDNA recognises: FULL STOP, IDEOGRAPHIC FULL STOP, FULLWIDTH
/// FULL STOP, HALFWIDTH IDEOGRAPHIC FULL STOP.
fn is_dot(c: char) -> bool {
    matches!(c, '.' | '\u{3002}' | '\u{ff0e}' | '\u{ff61}')
}

/// Which label rules to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rules {
    /// RFC 6122: nameprep per label, IDNA2003 ToASCII with UseSTD3ASCIIRules,
    /// A-labels converted with ToUnicode when they round-trip (kept otherwise).
    Idna2003,
    /// RFC 7622: RFC 5895 mapping, IDNA2008 validity, A-labels must convert.
    Idna2008,
}

/// Prepares a whole domainpart (not the ASCII fast path; that is in `ascii`).
pub(crate) fn prepare(s: &str, rules: Rules) -> Result<Cow<'_, str>, JidError> {
    if let Some(inner) = s.strip_prefix('[') {
        return ip_literal(inner).map(Cow::Owned);
    }
    // Drop one trailing label separator (RFC 6122 §2.2, RFC 7622 §3.2).
    let s = match s.chars().next_back() {
        Some(c) if is_dot(c) => &s[..s.len() - c.len_utf8()],
        _ => s,
    };
    if s.is_empty() {
        return Err(JidError::Empty(JidPart::Domainpart));
    }
    if s.parse::<Ipv4Addr>().is_ok() {
        return Ok(Cow::Borrowed(s));
    }
    let mut out = String::with_capacity(s.len());
    for (i, label) in s.split(is_dot).enumerate() {
        if i > 0 {
            out.push('.');
        }
        let prepared = match rules {
            Rules::Idna2003 => label_2003(label)?,
            Rules::Idna2008 => label_2008(label)?,
        };
        out.push_str(&prepared);
    }
    if rules == Rules::Idna2008 && !out.is_ascii() {
        whole_domain_2008(&out)?;
    }
    ascii::check_len(JidPart::Domainpart, out.len())?;
    if out == s {
        Ok(Cow::Borrowed(s))
    } else {
        Ok(Cow::Owned(out))
    }
}

/// `[IPv6]` (the `[` already stripped): RFC 3986 IP-literal without zone or IPvFuture.
/// Normalised to the RFC 5952 text form so that equal addresses compare equal.
fn ip_literal(inner: &str) -> Result<String, JidError> {
    let addr = inner
        .strip_suffix(']')
        .and_then(|a| a.parse::<Ipv6Addr>().ok())
        .ok_or(JidError::IpLiteral)?;
    Ok(format!("[{addr}]"))
}

/// An all-ASCII label: LDH rules and lowercasing; A-labels handled by `alabel`.
fn ascii_label(
    label: &str,
    alabel: impl Fn(&str) -> Result<Cow<'_, str>, JidError>,
) -> Result<Cow<'_, str>, JidError> {
    match ascii::check_ascii_label(label.as_bytes())? {
        AsciiLabel::Ok { upper: false } => Ok(Cow::Borrowed(label)),
        AsciiLabel::Ok { upper: true } => Ok(Cow::Owned(label.to_ascii_lowercase())),
        AsciiLabel::ALabel => {
            let lower = label.to_ascii_lowercase();
            match alabel(&lower)? {
                Cow::Borrowed(_) => Ok(Cow::Owned(lower)),
                Cow::Owned(u) => Ok(Cow::Owned(u)),
            }
        }
    }
}

/// Decodes the Punycode of a lowercase `xn--` label; `None` if it is not decodable or
/// decodes to pure ASCII (which no valid A-label does).
fn decode_alabel(lower: &str) -> Option<String> {
    let decoded = idna::punycode::decode_to_string(lower.get(4..)?)?;
    (!decoded.is_ascii()).then_some(decoded)
}

/// Length in octets of the ACE form (`xn--` + Punycode) of a non-ASCII label.
fn ace_len(label: &str) -> usize {
    // Punycode spends at most 8 digits per code point here (deltas below 36^8), so
    // labels of up to 7 characters fit 63 octets without encoding them.
    let chars = label.chars().count();
    if chars <= 7 {
        return 4 + 1 + chars * 8;
    }
    idna::punycode::encode_str(label).map_or(usize::MAX, |p| p.len() + 4)
}

/// STD3 rules for a label with non-ASCII characters, shared by IDNA2003 and
/// IDNA2008: its ASCII characters are letters, digits or hyphens (no NR-LDH
/// exceptions), and it neither starts nor ends with a hyphen.
fn std3_rules(label: &str) -> Result<(), JidError> {
    if let Some(ch) = label
        .chars()
        .find(|&c| c.is_ascii() && !(c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(JidError::Prohibited {
            part: JidPart::Domainpart,
            ch,
        });
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Err(JidError::LabelHyphen);
    }
    Ok(())
}

/// The ACE form (`xn--` + Punycode) of a non-ASCII label fits 63 octets.
fn check_ace_len(label: &str) -> Result<(), JidError> {
    let len = ace_len(label);
    if len > 63 {
        Err(JidError::LabelTooLong { len })
    } else {
        Ok(())
    }
}

/// RFC 6122 label: nameprep, then IDNA2003 ToASCII checks with UseSTD3ASCIIRules.
fn label_2003(label: &str) -> Result<Cow<'_, str>, JidError> {
    if label.is_ascii() {
        return ascii_label(label, alabel_2003);
    }
    let prepared = profiles::nameprep(label).map_err(|e| e.in_part(JidPart::Domainpart))?;
    if prepared.is_ascii() {
        // Mapping made it ASCII (e.g. fullwidth letters): ASCII rules from here on.
        let owned = prepared.into_owned();
        return ascii_label(&owned, alabel_2003).map(|c| Cow::Owned(c.into_owned()));
    }
    u_label_2003(&prepared)?;
    Ok(prepared)
}

/// IDNA2003 ToASCII steps 3, 5 and 8 for a nameprepped label containing non-ASCII:
/// STD3 (ASCII characters must be LDH, no leading/trailing hyphen), no ACE prefix,
/// ACE form 1..=63 octets.
fn u_label_2003(label: &str) -> Result<(), JidError> {
    std3_rules(label)?;
    if label.len() >= 4 && label.as_bytes()[..4].eq_ignore_ascii_case(b"xn--") {
        return Err(JidError::InvalidALabel);
    }
    check_ace_len(label)
}

/// IDNA2003 ToUnicode of an A-label: the U-label if it round-trips through ToASCII,
/// otherwise the label unchanged (ToUnicode never fails).
fn alabel_2003(lower: &str) -> Result<Cow<'_, str>, JidError> {
    let Some(decoded) = decode_alabel(lower) else {
        return Ok(Cow::Borrowed(lower));
    };
    let round_trips = matches!(profiles::nameprep(&decoded), Ok(Cow::Borrowed(_)))
        && u_label_2003(&decoded).is_ok()
        && idna::punycode::encode_str(&decoded).is_some_and(|p| p == lower[4..]);
    if round_trips {
        Ok(Cow::Owned(decoded))
    } else {
        Ok(Cow::Borrowed(lower))
    }
}

/// RFC 5895 mapping for IDNA2008 as RFC 7622 §3.2.2 asks: width mapping (fullwidth and
/// halfwidth forms to their decompositions), lowercase, NFC.
fn map_5895(label: &str) -> String {
    let mut widened = String::with_capacity(label.len());
    for c in label.chars() {
        if c == '\u{3000}' || ('\u{ff01}'..='\u{ffee}').contains(&c) {
            widened.extend(core::iter::once(c).nfkc());
        } else {
            widened.push(c);
        }
    }
    widened.chars().flat_map(char::to_lowercase).nfc().collect()
}

/// RFC 7622 label.
fn label_2008(label: &str) -> Result<Cow<'_, str>, JidError> {
    if label.is_ascii() {
        return ascii_label(label, alabel_2008);
    }
    let mapped = map_5895(label);
    if mapped.is_ascii() {
        return ascii_label(&mapped, alabel_2008).map(|c| Cow::Owned(c.into_owned()));
    }
    u_label_2008(&mapped)?;
    Ok(Cow::Owned(mapped))
}

/// An A-label must decode to a valid U-label that encodes back to it (RFC 5891 §5.4);
/// RFC 7622 §3.2.1 requires using the U-label.
fn alabel_2008(lower: &str) -> Result<Cow<'_, str>, JidError> {
    let decoded = decode_alabel(lower).ok_or(JidError::InvalidALabel)?;
    if map_5895(&decoded) != decoded || u_label_2008(&decoded).is_err() {
        return Err(JidError::InvalidALabel);
    }
    if idna::punycode::encode_str(&decoded).is_none_or(|p| p != lower[4..]) {
        return Err(JidError::InvalidALabel);
    }
    Ok(Cow::Owned(decoded))
}

/// IDNA2008 rules for one mapped label holding non-ASCII characters.
fn u_label_2008(label: &str) -> Result<(), JidError> {
    std3_rules(label)?;
    // RFC 5891 §4.2.3.1: no "--" in the third and fourth positions.
    if label.get(2..4) == Some("--") {
        return Err(JidError::LabelHyphen);
    }
    // PVALID / CONTEXTJ / CONTEXTO: the PRECIS IdentifierClass derivation (RFC 8264 §9)
    // is the IDNA2008 one (RFC 5892) without the "unstable" category; case was mapped
    // above and UTS 46 mapping stability is checked for the whole domain.
    IdentifierClass::default()
        .allows(label)
        .map_err(|e| precis_error(e).in_part(JidPart::Domainpart))?;
    check_ace_len(label)
}

fn precis_error(e: precis_core::Error) -> ProfileError {
    use precis_core::{DerivedPropertyValue as D, Error as E};
    let ch = |cp: u32| char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER);
    match e {
        E::BadCodepoint(info) if info.property == D::Unassigned => {
            ProfileError::Unassigned(ch(info.cp))
        }
        E::BadCodepoint(info) if matches!(info.property, D::ContextJ | D::ContextO) => {
            ProfileError::ContextRule(ch(info.cp))
        }
        E::BadCodepoint(info) => ProfileError::Prohibited(ch(info.cp)),
        E::Unexpected(
            precis_core::UnexpectedError::ContextRuleNotApplicable(info)
            | precis_core::UnexpectedError::MissingContextRule(info),
        ) => ProfileError::ContextRule(ch(info.cp)),
        E::Invalid | E::Unexpected(_) => ProfileError::Prohibited(char::REPLACEMENT_CHARACTER),
    }
}

/// Whole-domain IDNA2008 checks via UTS 46 (non-transitional, STD3 ASCII rules): the
/// Bidi Rule across labels (RFC 5893), CONTEXTJ, leading combining marks, NFC — and that
/// UTS 46 would map nothing further (a character it maps is not valid in a U-label).
fn whole_domain_2008(domain: &str) -> Result<(), JidError> {
    // UTS 46 ToUnicode applies the same validity criteria as ToASCII (without the
    // Punycode step); errors show up in the result and as U+FFFD in the output.
    let (unicode, result) = Uts46::new().to_unicode(
        domain.as_bytes(),
        AsciiDenyList::STD3,
        Hyphens::CheckFirstLast,
    );
    if result.is_ok() && unicode == domain {
        return Ok(());
    }
    let rtl = domain.chars().any(stringprep::tables::bidi_r_or_al);
    Err(if rtl {
        JidError::Bidi(JidPart::Domainpart)
    } else {
        JidError::Idna
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals_are_canonical() {
        assert_eq!(
            prepare("[0:0:0:0:0:0:0:1]", Rules::Idna2003).unwrap(),
            "[::1]"
        );
        assert_eq!(
            prepare("[::FFFF:192.0.2.1]", Rules::Idna2008).unwrap(),
            "[::ffff:192.0.2.1]"
        );
        assert_eq!(prepare("[::1", Rules::Idna2003), Err(JidError::IpLiteral));
        assert_eq!(prepare("[]", Rules::Idna2003), Err(JidError::IpLiteral));
        assert!(matches!(
            prepare("192.0.2.1", Rules::Idna2003),
            Ok(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn short_labels_never_exceed_63_octets() {
        // The `ace_len` shortcut assumes any label of at most 7 characters encodes
        // within 63 octets; check the worst cases (large, scattered code points).
        let worst = [
            "\u{10fffd}\u{10000}\u{10fffd}\u{10000}\u{10fffd}\u{10000}\u{10fffd}",
            "\u{80}\u{10fffd}\u{80}\u{10fffd}\u{80}\u{10fffd}\u{80}",
            "a\u{10fffd}b\u{e000}c\u{80}d",
            "\u{10fffd}\u{10fffc}\u{10fffb}\u{10fffa}\u{10fff9}\u{10fff8}\u{10fff7}",
        ];
        for label in worst {
            let encoded = idna::punycode::encode_str(label).unwrap();
            assert!(
                encoded.len() + 4 <= ace_len(label),
                "{label:?} -> {encoded}"
            );
            assert!(ace_len(label) <= 63);
        }
    }

    #[test]
    fn alabels() {
        assert_eq!(alabel_2003("xn--bcher-kva").unwrap(), "b\u{fc}cher");
        // Undecodable or non-round-tripping A-labels stay as they are under IDNA2003…
        assert_eq!(alabel_2003("xn--zz").unwrap(), "xn--zz");
        assert_eq!(alabel_2003("xn--abc").unwrap(), "xn--abc");
        // …and are rejected under IDNA2008.
        assert_eq!(alabel_2008("xn--zz"), Err(JidError::InvalidALabel));
        assert_eq!(alabel_2008("xn--abc"), Err(JidError::InvalidALabel));
        assert_eq!(alabel_2008("xn--bcher-kva").unwrap(), "b\u{fc}cher");
        // An A-label of an uppercase U-label is not a valid IDNA2008 A-label.
        let upper = format!("xn--{}", idna::punycode::encode_str("B\u{dc}CHER").unwrap());
        assert_eq!(
            alabel_2008(&upper.to_ascii_lowercase()),
            Err(JidError::InvalidALabel)
        );
    }

    #[test]
    fn rfc5895_mapping() {
        assert_eq!(map_5895("\u{ff21}\u{ff22}"), "ab");
        assert_eq!(map_5895("\u{3a3}A\u{301}"), "\u{3c3}\u{e1}");
        // Compatibility characters outside the width forms are not mapped.
        assert_eq!(map_5895("\u{2163}"), "\u{2173}");
    }
}
