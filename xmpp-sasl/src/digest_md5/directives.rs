//! The RFC 2831 directive list: `name=value` pairs, values tokens or quoted strings,
//! separated by commas with optional linear white space and empty elements.

use crate::SaslError;
use crate::error::{Malformation, MessageKind};

/// Most directives accepted in one message.
const MAX_DIRECTIVES: usize = 64;

/// A parsed directive list; names lower-cased, values unquoted.
#[derive(Debug, Clone, Default)]
pub(crate) struct Directives {
    message: Option<MessageKind>,
    items: Vec<(String, String)>,
}

fn is_separator(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')'
            | b'<'
            | b'>'
            | b'@'
            | b','
            | b';'
            | b':'
            | b'\\'
            | b'"'
            | b'/'
            | b'['
            | b']'
            | b'?'
            | b'='
            | b'{'
            | b'}'
            | b' '
            | b'\t'
    )
}

fn is_token_byte(b: u8) -> bool {
    b > 0x20 && b < 0x7f && !is_separator(b)
}

fn is_lws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl Directives {
    /// Parses `text` (a whole message).
    pub(crate) fn parse(message: MessageKind, text: &str) -> Result<Self, SaslError> {
        let bad = || SaslError::malformed(message, Malformation::InvalidDirectiveSyntax);
        let bytes = text.as_bytes();
        let mut items = Vec::new();
        let mut i = 0;
        loop {
            while i < bytes.len() && (is_lws(bytes[i]) || bytes[i] == b',') {
                i += 1;
            }
            if i == bytes.len() {
                break;
            }
            let start = i;
            while i < bytes.len() && is_token_byte(bytes[i]) {
                i += 1;
            }
            if i == start {
                return Err(bad());
            }
            let name = text[start..i].to_ascii_lowercase();
            while i < bytes.len() && is_lws(bytes[i]) {
                i += 1;
            }
            if bytes.get(i) != Some(&b'=') {
                return Err(bad());
            }
            i += 1;
            while i < bytes.len() && is_lws(bytes[i]) {
                i += 1;
            }
            let value = if bytes.get(i) == Some(&b'"') {
                i += 1;
                let mut value = String::new();
                let mut run = i;
                loop {
                    match bytes.get(i) {
                        None => return Err(bad()),
                        Some(b'"') => {
                            value.push_str(&text[run..i]);
                            i += 1;
                            break;
                        }
                        Some(b'\\') => {
                            value.push_str(&text[run..i]);
                            // The escaped character may be multi-byte: copy one char.
                            let ch = text
                                .get(i + 1..)
                                .and_then(|s| s.chars().next())
                                .ok_or_else(bad)?;
                            value.push(ch);
                            i += 1 + ch.len_utf8();
                            run = i;
                        }
                        Some(_) => i += 1,
                    }
                }
                value
            } else {
                let start = i;
                while i < bytes.len() && is_token_byte(bytes[i]) {
                    i += 1;
                }
                if i == start {
                    return Err(bad());
                }
                text[start..i].to_owned()
            };
            if items.len() == MAX_DIRECTIVES {
                return Err(SaslError::malformed(
                    message,
                    Malformation::TooManyDirectives,
                ));
            }
            items.push((name, value));
            while i < bytes.len() && is_lws(bytes[i]) {
                i += 1;
            }
            if i < bytes.len() && bytes[i] != b',' {
                return Err(bad());
            }
        }
        Ok(Directives {
            message: Some(message),
            items,
        })
    }

    fn message(&self) -> MessageKind {
        self.message.unwrap_or(MessageKind::DigestChallenge)
    }

    /// The value of a directive that may appear at most once.
    pub(crate) fn once(&self, name: &'static str) -> Result<Option<&str>, SaslError> {
        let mut found = self.items.iter().filter(|(n, _)| n == name);
        let first = found.next().map(|(_, v)| v.as_str());
        if found.next().is_some() {
            return Err(SaslError::malformed(
                self.message(),
                Malformation::DuplicateDirective { name },
            ));
        }
        Ok(first)
    }

    /// The value of a directive that must appear exactly once.
    pub(crate) fn required(&self, name: &'static str) -> Result<&str, SaslError> {
        self.once(name)?.ok_or(SaslError::malformed(
            self.message(),
            Malformation::MissingDirective { name },
        ))
    }

    /// Every value of a repeatable directive (such as `realm` in a challenge).
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.items
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn invalid(&self, name: &'static str) -> SaslError {
        SaslError::malformed(self.message(), Malformation::InvalidDirective { name })
    }
}

/// Writes `value` as a quoted string, escaping `"` and `\`.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: MessageKind = MessageKind::DigestChallenge;

    #[test]
    fn parses_rfc2831_challenge() {
        let d = Directives::parse(
            M,
            "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess,charset=utf-8",
        )
        .unwrap();
        assert_eq!(d.required("nonce").unwrap(), "OA6MG9tEQGm2hh");
        assert_eq!(d.once("charset").unwrap(), Some("utf-8"));
        assert_eq!(d.all("realm").collect::<Vec<_>>(), ["elwood.innosoft.com"]);
        assert_eq!(d.once("maxbuf").unwrap(), None);
    }

    #[test]
    fn white_space_empty_elements_escapes_and_case() {
        let d = Directives::parse(M, " , Realm = \"a\\\"b\\\\c\\é\" ,, qop=auth ,\r\n\t").unwrap();
        assert_eq!(d.all("realm").collect::<Vec<_>>(), ["a\"b\\cé"]);
        assert_eq!(d.once("qop").unwrap(), Some("auth"));
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        let round = Directives::parse(M, &format!("x={}", quote("q\"\\é,="))).unwrap();
        assert_eq!(round.once("x").unwrap(), Some("q\"\\é,="));
    }

    #[test]
    fn errors() {
        for bad in [
            "=x", "a", "a=", "a=\"x", "a=b c", "a=b;c", "a=\"x\\", "a b=c", "a=\"x\"y",
        ] {
            assert!(Directives::parse(M, bad).is_err(), "{bad:?}");
        }
        let d = Directives::parse(M, "a=1,a=2").unwrap();
        assert!(matches!(
            d.once("a"),
            Err(SaslError::Malformed {
                what: Malformation::DuplicateDirective { name: "a" },
                ..
            })
        ));
        assert!(matches!(
            d.required("b"),
            Err(SaslError::Malformed {
                what: Malformation::MissingDirective { name: "b" },
                ..
            })
        ));
        let many = vec!["a=b"; MAX_DIRECTIVES + 1].join(",");
        assert!(matches!(
            Directives::parse(M, &many),
            Err(SaslError::Malformed {
                what: Malformation::TooManyDirectives,
                ..
            })
        ));
    }
}
