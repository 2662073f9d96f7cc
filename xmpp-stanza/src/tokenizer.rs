//! The tokenizer seam: the only module that knows about `xmlparser`.
//!
//! `xmlparser` (pinned, frozen upstream) splits a complete `&str` into tokens and
//! checks the grammar of each token and the characters in it; it does not match end
//! tags, resolve namespaces or references, or refuse comments, PIs and DTDs. This
//! module turns its output into [`Token`]s carrying byte offsets and classifies its
//! errors into [`XmlRule`]s, so that swapping the tokenizer touches this file only.

use xmlparser::{ElementEnd, Error as XpError, StreamError as XpStreamError};

use crate::error::{Construct, ParseError, XmlRule};

/// A token of element content, with byte offsets into the tokenized input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// `<prefix:local` — attributes follow, then [`Token::StartTagEnd`].
    StartTag {
        prefix: &'a str,
        local: &'a str,
        offset: usize,
    },
    /// One attribute of the open start tag; `value` is raw (references unresolved).
    Attribute {
        prefix: &'a str,
        local: &'a str,
        value: &'a str,
        offset: usize,
    },
    /// `>` (or `/>` when `empty`) closing the start tag.
    StartTagEnd { empty: bool },
    /// `</prefix:local>`.
    EndTag {
        prefix: &'a str,
        local: &'a str,
        offset: usize,
    },
    /// Raw character data (references unresolved).
    Text { raw: &'a str, offset: usize },
    /// The content of a CDATA section (taken literally).
    Cdata { text: &'a str, offset: usize },
    /// A comment, PI or DTD construct: always refused by the builder.
    Restricted { rule: XmlRule, offset: usize },
}

/// Tokens of element content over a complete input.
pub(crate) struct Tokenizer<'a> {
    input: &'a str,
    inner: xmlparser::Tokenizer<'a>,
    /// End of the last token returned: where the next one (or an error) starts.
    resume: usize,
    failed: bool,
}

impl<'a> Tokenizer<'a> {
    /// Tokenizes `input` as element content (no prolog, any number of elements).
    pub(crate) fn new(input: &'a str) -> Tokenizer<'a> {
        Tokenizer {
            input,
            inner: xmlparser::Tokenizer::from_fragment(input, 0..input.len()),
            resume: 0,
            failed: false,
        }
    }

    /// The next token, `None` at the end of input, or the first error (after which
    /// the tokenizer returns `None`).
    pub(crate) fn next_token(&mut self) -> Option<Result<Token<'a>, ParseError>> {
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

    fn all(input: &str) -> Vec<Result<Token<'_>, ParseError>> {
        let mut t = Tokenizer::new(input);
        std::iter::from_fn(|| t.next_token()).collect()
    }

    #[test]
    fn tokens_carry_offsets() {
        let toks = all("<a x='1'>t<![CDATA[c]]></a>");
        assert_eq!(
            toks,
            vec![
                Ok(Token::StartTag {
                    prefix: "",
                    local: "a",
                    offset: 0
                }),
                Ok(Token::Attribute {
                    prefix: "",
                    local: "x",
                    value: "1",
                    offset: 3
                }),
                Ok(Token::StartTagEnd { empty: false }),
                Ok(Token::Text {
                    raw: "t",
                    offset: 9
                }),
                Ok(Token::Cdata {
                    text: "c",
                    offset: 10
                }),
                Ok(Token::EndTag {
                    prefix: "",
                    local: "a",
                    offset: 23
                }),
            ]
        );
    }

    #[test]
    fn restricted_markup_is_named() {
        let last = |s| all(s).pop().unwrap();
        assert!(matches!(
            all("<a><!-- c --></a>")[2],
            Ok(Token::Restricted {
                rule: XmlRule::Comment,
                ..
            })
        ));
        assert!(matches!(
            last("<a><?pi x?>"),
            Ok(Token::Restricted {
                rule: XmlRule::ProcessingInstruction,
                ..
            })
        ));
        assert_eq!(last("<a><!DOCTYPE a>").unwrap_err().rule(), XmlRule::Dtd);
        assert_eq!(
            last("<a><?xml version='1.0'?>").unwrap_err().rule(),
            XmlRule::ProcessingInstruction
        );
    }

    #[test]
    fn errors_are_classified() {
        let last = |s| all(s).pop().unwrap().unwrap_err();
        assert_eq!(last("<a>\u{1}</a>").rule(), XmlRule::IllegalCharacter);
        assert_eq!(last("<a>\u{FFFE}</a>").rule(), XmlRule::IllegalCharacter);
        assert_eq!(
            last("<a x=1/>").rule(),
            XmlRule::Syntax(Construct::Attribute)
        );
        assert_eq!(
            last("<a x='<'/>").rule(),
            XmlRule::Syntax(Construct::Attribute)
        );
        assert_eq!(last("<a>]]></a>").rule(), XmlRule::Syntax(Construct::Text));
        assert_eq!(last("<a></ b>").rule(), XmlRule::Syntax(Construct::EndTag));
    }

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
