//! The reference tokenizer: `xmlparser` (pinned, frozen upstream) behind the seam.
//!
//! `xmlparser` splits a complete `&str` into tokens and checks the grammar of each
//! token and the characters in it. This module turns its output into [`Token`]s
//! carrying byte offsets and classifies its errors into [`XmlRule`]s; it also
//! parses the XML declaration before a stream header.

use xmlparser::{ElementEnd, Error as XpError, StreamError as XpStreamError};

use super::{Token, TokenSource, text_is_plain, value_is_plain};
use crate::error::{Construct, ParseError, XmlRule};

/// Tokens of element content over a complete input, from `xmlparser`.
pub(crate) struct XmlparserTokens<'a> {
    input: &'a str,
    inner: xmlparser::Tokenizer<'a>,
    /// End of the last token returned: where the next one (or an error) starts.
    resume: usize,
    failed: bool,
}

impl<'a> XmlparserTokens<'a> {
    /// Tokenizes `input` as element content (no prolog, any number of elements).
    pub(crate) fn new(input: &'a str) -> XmlparserTokens<'a> {
        XmlparserTokens {
            input,
            inner: xmlparser::Tokenizer::from_fragment(input, 0..input.len()),
            resume: 0,
            failed: false,
        }
    }
}

impl<'a> TokenSource<'a> for XmlparserTokens<'a> {
    fn next_token(&mut self) -> Option<Result<Token<'a>, ParseError>> {
        if self.failed {
            return None;
        }
        let tok = match self.inner.next()? {
            Ok(tok) => tok,
            Err(e) => {
                self.failed = true;
                return Some(Err(self.classify(e)));
            }
        };
        let span = tok.span();
        self.resume = span.end();
        let offset = span.start();
        let token = match tok {
            xmlparser::Token::ElementStart { prefix, local, .. } => Token::StartTag {
                prefix: prefix.as_str(),
                local: local.as_str(),
                offset,
            },
            xmlparser::Token::Attribute {
                prefix,
                local,
                value,
                ..
            } => Token::Attribute {
                prefix: prefix.as_str(),
                local: local.as_str(),
                value: value.as_str(),
                offset,
                plain: value_is_plain(value.as_str()),
            },
            xmlparser::Token::ElementEnd {
                end: ElementEnd::Open,
                ..
            } => Token::StartTagEnd { empty: false },
            xmlparser::Token::ElementEnd {
                end: ElementEnd::Empty,
                ..
            } => Token::StartTagEnd { empty: true },
            xmlparser::Token::ElementEnd {
                end: ElementEnd::Close(prefix, local),
                ..
            } => Token::EndTag {
                prefix: prefix.as_str(),
                local: local.as_str(),
                offset,
            },
            xmlparser::Token::Text { text } => Token::Text {
                raw: text.as_str(),
                offset,
                plain: text_is_plain(text.as_str()),
            },
            xmlparser::Token::Cdata { text, .. } => Token::Cdata {
                text: text.as_str(),
                offset,
            },
            xmlparser::Token::Comment { .. } => Token::Restricted {
                rule: XmlRule::Comment,
                offset,
            },
            xmlparser::Token::ProcessingInstruction { .. }
            | xmlparser::Token::Declaration { .. } => Token::Restricted {
                rule: XmlRule::ProcessingInstruction,
                offset,
            },
            xmlparser::Token::DtdStart { .. }
            | xmlparser::Token::EmptyDtd { .. }
            | xmlparser::Token::EntityDeclaration { .. }
            | xmlparser::Token::DtdEnd { .. } => Token::Restricted {
                rule: XmlRule::Dtd,
                offset,
            },
        };
        Some(Ok(token))
    }
}

impl XmlparserTokens<'_> {
    /// Turns an `xmlparser` error into our rule, located at the start of the token
    /// that failed. Restricted markup is named as such even when `xmlparser` only
    /// calls it an unknown token (`<!DOCTYPE` inside content, `<?xml` again).
    fn classify(&self, e: XpError) -> ParseError {
        let at = self.resume;
        let rest = self.input.get(at..).unwrap_or("");
        let rule = if rest.starts_with("<!--") {
            XmlRule::Comment
        } else if rest.starts_with("<?") {
            XmlRule::ProcessingInstruction
        } else if rest.starts_with("<!") && !rest.starts_with("<![CDATA[") {
            XmlRule::Dtd
        } else {
            match e {
                XpError::InvalidElement(cause, _) => stream_rule(cause, Construct::StartTag),
                XpError::InvalidAttribute(cause, _) => stream_rule(cause, Construct::Attribute),
                XpError::InvalidCharData(cause, _) => stream_rule(cause, Construct::Text),
                XpError::InvalidCdata(cause, _) => stream_rule(cause, Construct::Cdata),
                XpError::InvalidDeclaration(cause, _) => stream_rule(cause, Construct::Declaration),
                XpError::InvalidComment(..) => XmlRule::Comment,
                XpError::InvalidPI(..) => XmlRule::ProcessingInstruction,
                XpError::InvalidDoctype(..) | XpError::InvalidEntity(..) => XmlRule::Dtd,
                XpError::UnknownToken(_) => XmlRule::Syntax(Construct::Markup),
            }
        };
        // An end tag is reported by xmlparser as an element error; name it properly.
        let rule = match rule {
            XmlRule::Syntax(Construct::StartTag) if rest.starts_with("</") => {
                XmlRule::Syntax(Construct::EndTag)
            }
            other => other,
        };
        ParseError::new(rule, at)
    }
}

fn stream_rule(cause: XpStreamError, construct: Construct) -> XmlRule {
    match cause {
        XpStreamError::NonXmlChar(..) => XmlRule::IllegalCharacter,
        XpStreamError::InvalidReference => XmlRule::MalformedReference,
        XpStreamError::UnexpectedEndOfStream => XmlRule::Truncated,
        _ => XmlRule::Syntax(construct),
    }
}

/// What an XML declaration (`<?xml version='1.0' encoding='UTF-8'?>`) says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XmlDeclaration<'a> {
    /// The `version` (always `1.0` once accepted).
    pub version: &'a str,
    /// The `encoding`, if given (always UTF-8, in any case, once accepted).
    pub encoding: Option<&'a str>,
    /// The `standalone` flag, if given.
    pub standalone: Option<bool>,
}

/// Parses an XML declaration that makes up the whole of `input` (surrounding
/// whitespace allowed), as sent before a stream header.
///
/// Only XML 1.0 in UTF-8 is accepted (RFC 6120 §11): another version is
/// [`XmlRule::UnsupportedXmlVersion`] (`not-well-formed`), another encoding
/// [`XmlRule::UnsupportedEncoding`] (`unsupported-encoding`).
///
/// ```
/// use xmpp_stanza::{parse_xml_declaration, XmlRule};
///
/// let decl = parse_xml_declaration("<?xml version='1.0' encoding='utf-8'?>").unwrap();
/// assert_eq!(decl.encoding, Some("utf-8"));
/// let err = parse_xml_declaration("<?xml version='1.0' encoding='ISO-8859-1'?>").unwrap_err();
/// assert_eq!(err.rule(), XmlRule::UnsupportedEncoding);
/// ```
pub fn parse_xml_declaration(input: &str) -> Result<XmlDeclaration<'_>, ParseError> {
    let start = input.len() - input.trim_start().len();
    let mut tokens = xmlparser::Tokenizer::from(input.trim());
    let decl = match tokens.next() {
        Some(Ok(xmlparser::Token::Declaration {
            version,
            encoding,
            standalone,
            ..
        })) => XmlDeclaration {
            version: version.as_str(),
            encoding: encoding.map(|e| e.as_str()),
            standalone,
        },
        Some(Err(XpError::InvalidDeclaration(cause, _))) => {
            let rule = match cause {
                XpStreamError::NonXmlChar(..) => XmlRule::IllegalCharacter,
                _ => XmlRule::Syntax(Construct::Declaration),
            };
            return Err(ParseError::new(rule, start));
        }
        _ => {
            return Err(ParseError::new(
                XmlRule::Syntax(Construct::Declaration),
                start,
            ));
        }
    };
    if let Some(extra) = tokens.next() {
        let offset = match extra {
            Ok(t) => start + t.span().start(),
            Err(_) => start,
        };
        return Err(ParseError::new(XmlRule::Syntax(Construct::Markup), offset));
    }
    if decl.version != "1.0" {
        return Err(ParseError::new(XmlRule::UnsupportedXmlVersion, start));
    }
    if let Some(enc) = decl.encoding
        && !enc.eq_ignore_ascii_case("utf-8")
        && !enc.eq_ignore_ascii_case("utf8")
    {
        return Err(ParseError::new(XmlRule::UnsupportedEncoding, start));
    }
    Ok(decl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaration() {
        assert!(parse_xml_declaration("<?xml version='1.0'?>").is_ok());
        assert!(parse_xml_declaration(" <?xml version=\"1.0\" encoding=\"UTF-8\"?> ").is_ok());
        assert_eq!(
            parse_xml_declaration("<?xml version='1.1'?>")
                .unwrap_err()
                .rule(),
            XmlRule::UnsupportedXmlVersion
        );
        assert_eq!(
            parse_xml_declaration("<?xml version='1.0' encoding='UTF-16'?>")
                .unwrap_err()
                .rule(),
            XmlRule::UnsupportedEncoding
        );
        assert!(parse_xml_declaration("<?xml version='1.0'?><a/>").is_err());
        assert!(parse_xml_declaration("<a/>").is_err());
    }
}
