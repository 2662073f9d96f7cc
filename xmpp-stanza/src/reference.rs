//! Reference resolution and end-of-line / attribute-value normalisation.
//!
//! Replaces the five predefined entities and character references, refuses every
//! other entity (RFC 6120 §11.1: no entity may be declared, so none may be used),
//! applies XML 1.0 §2.11 line-end normalisation (CR LF and lone CR become LF) and,
//! in attribute values, §3.3.3 normalisation (literal tab, CR, LF become spaces).

use crate::error::{ParseError, XmlRule};

/// Whether `raw` needs [`resolve_into`] (otherwise it can be used as it is).
pub(crate) fn needs_resolving(raw: &str, attribute: bool) -> bool {
    if attribute {
        raw.bytes()
            .any(|b| matches!(b, b'&' | b'\r' | b'\n' | b'\t'))
    } else {
        raw.bytes().any(|b| matches!(b, b'&' | b'\r'))
    }
}

/// Appends `raw` with references resolved and whitespace normalised to `out`.
/// `offset` is where `raw` starts in the input, for error positions.
pub(crate) fn resolve_into(
    raw: &str,
    offset: usize,
    attribute: bool,
    out: &mut String,
) -> Result<(), ParseError> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    let mut run = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'&' => {
                out.push_str(&raw[run..i]);
                let rest = &raw[i + 1..];
                let Some(end) = rest.find(';') else {
                    return Err(ParseError::new(XmlRule::MalformedReference, offset + i));
                };
                let c = resolve_reference(&rest[..end], offset + i)?;
                out.push(c);
                i += end + 2;
                run = i;
            }
            b'\r' => {
                out.push_str(&raw[run..i]);
                out.push(if attribute { ' ' } else { '\n' });
                i += 1;
                if bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
                run = i;
            }
            b'\n' | b'\t' if attribute => {
                out.push_str(&raw[run..i]);
                out.push(' ');
                i += 1;
                run = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&raw[run..]);
    Ok(())
}

/// Resolves the reference whose body (between `&` and `;`) is `body`.
fn resolve_reference(body: &str, offset: usize) -> Result<char, ParseError> {
    match body {
        "lt" => return Ok('<'),
        "gt" => return Ok('>'),
        "amp" => return Ok('&'),
        "apos" => return Ok('\''),
        "quot" => return Ok('"'),
        _ => {}
    }
    if let Some(num) = body.strip_prefix('#') {
        let (digits, radix) = match num.strip_prefix('x') {
            Some(hex) => (hex, 16),
            None => (num, 10),
        };
        let well_formed = !digits.is_empty()
            && digits.bytes().all(|b| {
                if radix == 16 {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            });
        if !well_formed {
            return Err(ParseError::new(XmlRule::MalformedReference, offset));
        }
        let illegal = ParseError::new(XmlRule::IllegalCharacterReference, offset);
        let value = u32::from_str_radix(digits, radix).map_err(|_| illegal)?;
        let c = char::from_u32(value).ok_or(illegal)?;
        return if is_xml_char(c) { Ok(c) } else { Err(illegal) };
    }
    if is_xml_name(body) {
        Err(ParseError::new(XmlRule::UndefinedEntity, offset))
    } else {
        Err(ParseError::new(XmlRule::MalformedReference, offset))
    }
}

/// Whether `c` is an XML 1.0 `Char` (§2.2).
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether `c` may start an XML name (§2.3 `NameStartChar`, without `:`).
pub(crate) fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// Whether `c` may continue an XML name (§2.3 `NameChar`, without `:`).
pub(crate) fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Whether `s` is an XML NCName (a name without `:`).
pub(crate) fn is_xml_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if is_name_start_char(c) => chars.all(is_name_char),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(raw: &str, attribute: bool) -> Result<String, XmlRule> {
        let mut out = String::new();
        resolve_into(raw, 0, attribute, &mut out)
            .map(|()| out)
            .map_err(|e| e.rule())
    }

    #[test]
    fn predefined_and_numeric() {
        assert_eq!(
            resolve("a&lt;b&gt;c&amp;d&apos;e&quot;f", false).unwrap(),
            "a<b>c&d'e\"f"
        );
        assert_eq!(resolve("&#65;&#x42;&#x1F600;", false).unwrap(), "AB😀");
        assert_eq!(resolve("&#xA;&#9;", true).unwrap(), "\n\t");
    }

    #[test]
    fn normalisation() {
        assert_eq!(resolve("a\r\nb\rc\nd", false).unwrap(), "a\nb\nc\nd");
        assert_eq!(resolve("a\r\nb\tc\nd", true).unwrap(), "a b c d");
        assert!(!needs_resolving("plain text > here", false));
        assert!(needs_resolving("tab\there", true));
        assert!(!needs_resolving("tab\there", false));
    }

    #[test]
    fn refused_references() {
        assert_eq!(resolve("&foo;", false), Err(XmlRule::UndefinedEntity));
        assert_eq!(resolve("&foo", false), Err(XmlRule::MalformedReference));
        assert_eq!(resolve("& x;", false), Err(XmlRule::MalformedReference));
        assert_eq!(resolve("&#;", false), Err(XmlRule::MalformedReference));
        assert_eq!(resolve("&#xZ;", false), Err(XmlRule::MalformedReference));
        assert_eq!(
            resolve("&#0;", false),
            Err(XmlRule::IllegalCharacterReference)
        );
        assert_eq!(
            resolve("&#x1;", false),
            Err(XmlRule::IllegalCharacterReference)
        );
        assert_eq!(
            resolve("&#xD800;", false),
            Err(XmlRule::IllegalCharacterReference)
        );
        assert_eq!(
            resolve("&#xFFFE;", false),
            Err(XmlRule::IllegalCharacterReference)
        );
        assert_eq!(
            resolve("&#x110000;", false),
            Err(XmlRule::IllegalCharacterReference)
        );
        assert_eq!(
            resolve("&#99999999999999999999;", false),
            Err(XmlRule::IllegalCharacterReference)
        );
    }

    #[test]
    fn names() {
        assert!(is_xml_name("message"));
        assert!(is_xml_name("x-y.z_1"));
        assert!(is_xml_name("ünïcode"));
        assert!(!is_xml_name(""));
        assert!(!is_xml_name("1a"));
        assert!(!is_xml_name("a:b"));
        assert!(!is_xml_name("a b"));
    }
}
