//! Errors of the tree builder ([`ParseError`], [`XmlRule`]) and of the serializer
//! ([`SerializeError`]).

use std::fmt;

use crate::stream_error::StreamErrorCondition;

/// The markup construct a syntax error was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Construct {
    /// A start tag (`<name ...>`), including its name.
    StartTag,
    /// An attribute (`name='value'`) or the end of the start tag.
    Attribute,
    /// An end tag (`</name>`).
    EndTag,
    /// Character data.
    Text,
    /// A CDATA section.
    Cdata,
    /// The XML declaration (`<?xml version='1.0'?>`).
    Declaration,
    /// Markup that starts with `<` but is none of the above.
    Markup,
}

impl Construct {
    fn describe(self) -> &'static str {
        match self {
            Construct::StartTag => "start tag",
            Construct::Attribute => "attribute",
            Construct::EndTag => "end tag",
            Construct::Text => "character data",
            Construct::Cdata => "CDATA section",
            Construct::Declaration => "XML declaration",
            Construct::Markup => "markup",
        }
    }
}

/// The rule a rejected input broke.
///
/// Each rule maps to the RFC 6120 §4.9.3 stream error condition a receiving entity
/// must close the stream with: see [`XmlRule::condition`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum XmlRule {
    /// Malformed markup in the named construct (XML 1.0 grammar): `not-well-formed`.
    Syntax(Construct),
    /// The input ended inside a tag or before every element was closed: `not-well-formed`.
    Truncated,
    /// A character XML 1.0 does not allow (U+0000, other C0 controls, U+FFFE, U+FFFF):
    /// `not-well-formed`.
    IllegalCharacter,
    /// A character reference to a character XML 1.0 does not allow (`&#0;`, a
    /// surrogate, U+FFFE, out of range): `not-well-formed`.
    IllegalCharacterReference,
    /// An `&` that does not start a well-formed reference: `not-well-formed`.
    MalformedReference,
    /// A reference to an entity other than the five predefined ones; RFC 6120 §11.1
    /// forbids entity declarations, so every other entity is refused:
    /// `restricted-xml`.
    UndefinedEntity,
    /// A comment (RFC 6120 §11.1): `restricted-xml`.
    Comment,
    /// A processing instruction (RFC 6120 §11.1): `restricted-xml`.
    ProcessingInstruction,
    /// A document type declaration or other DTD markup (RFC 6120 §11.1):
    /// `restricted-xml`.
    Dtd,
    /// An end tag whose name differs from the open element's: `not-well-formed`.
    MismatchedEndTag,
    /// An end tag with no element open: `not-well-formed`.
    UnexpectedEndTag,
    /// The same attribute twice on one element, by name or by expanded name through
    /// two prefixes bound to one namespace (Namespaces in XML §6.3): `not-well-formed`.
    DuplicateAttribute,
    /// A prefix with no namespace declaration in scope: `bad-namespace-prefix`.
    UndeclaredPrefix,
    /// A misuse of the reserved `xml` / `xmlns` prefixes or namespaces (Namespaces in
    /// XML §3): `not-well-formed`.
    ReservedPrefix,
    /// A prefix declared with an empty namespace (`xmlns:p=''`, not allowed in
    /// Namespaces in XML 1.0): `not-well-formed`.
    EmptyPrefixBinding,
    /// A prefix the stream fixed (the `stream` prefix) bound to another namespace
    /// (RFC 6120 §4.8.5): `invalid-namespace`.
    RebindsFixedPrefix,
    /// Non-whitespace character data outside the element: `not-well-formed`.
    TextOutsideElement,
    /// More than one element where one was expected: `not-well-formed`.
    MultipleElements,
    /// No element at all: `not-well-formed`.
    NoElement,
    /// Elements nested deeper than the configured limit: `policy-violation`.
    TooDeep,
    /// More attributes on one element than the configured limit: `policy-violation`.
    TooManyAttributes,
    /// An XML declaration for a version other than 1.0: `not-well-formed`
    /// (RFC 6120 §11 allows XML 1.0 only).
    UnsupportedXmlVersion,
    /// An XML declaration naming an encoding other than UTF-8 (RFC 6120 §11.6):
    /// `unsupported-encoding`.
    UnsupportedEncoding,
}

impl XmlRule {
    /// The RFC 6120 §4.9.3 stream error condition this violation produces.
    pub fn condition(self) -> StreamErrorCondition {
        use StreamErrorCondition as C;
        match self {
            XmlRule::UndefinedEntity
            | XmlRule::Comment
            | XmlRule::ProcessingInstruction
            | XmlRule::Dtd => C::RestrictedXml,
            XmlRule::UndeclaredPrefix => C::BadNamespacePrefix,
            XmlRule::RebindsFixedPrefix => C::InvalidNamespace,
            XmlRule::TooDeep | XmlRule::TooManyAttributes => C::PolicyViolation,
            XmlRule::UnsupportedEncoding => C::UnsupportedEncoding,
            XmlRule::Syntax(_)
            | XmlRule::Truncated
            | XmlRule::IllegalCharacter
            | XmlRule::IllegalCharacterReference
            | XmlRule::MalformedReference
            | XmlRule::MismatchedEndTag
            | XmlRule::UnexpectedEndTag
            | XmlRule::DuplicateAttribute
            | XmlRule::ReservedPrefix
            | XmlRule::EmptyPrefixBinding
            | XmlRule::TextOutsideElement
            | XmlRule::MultipleElements
            | XmlRule::NoElement
            | XmlRule::UnsupportedXmlVersion => C::NotWellFormed,
        }
    }
}

impl fmt::Display for XmlRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XmlRule::Syntax(c) => write!(f, "malformed {}", c.describe()),
            XmlRule::Truncated => f.write_str("input ended before the element was complete"),
            XmlRule::IllegalCharacter => f.write_str("character not allowed in XML 1.0"),
            XmlRule::IllegalCharacterReference => {
                f.write_str("character reference to a character not allowed in XML 1.0")
            }
            XmlRule::MalformedReference => f.write_str("malformed entity or character reference"),
            XmlRule::UndefinedEntity => {
                f.write_str("reference to an entity other than the five predefined ones")
            }
            XmlRule::Comment => f.write_str("comment (not allowed in XMPP)"),
            XmlRule::ProcessingInstruction => {
                f.write_str("processing instruction (not allowed in XMPP)")
            }
            XmlRule::Dtd => f.write_str("DTD or entity declaration (not allowed in XMPP)"),
            XmlRule::MismatchedEndTag => f.write_str("end tag does not match the open element"),
            XmlRule::UnexpectedEndTag => f.write_str("end tag with no open element"),
            XmlRule::DuplicateAttribute => f.write_str("duplicate attribute"),
            XmlRule::UndeclaredPrefix => f.write_str("undeclared namespace prefix"),
            XmlRule::ReservedPrefix => f.write_str("misuse of the xml or xmlns prefix"),
            XmlRule::EmptyPrefixBinding => f.write_str("prefix bound to the empty namespace"),
            XmlRule::RebindsFixedPrefix => f.write_str("rebinding of the stream prefix"),
            XmlRule::TextOutsideElement => f.write_str("character data outside the element"),
            XmlRule::MultipleElements => f.write_str("more than one element"),
            XmlRule::NoElement => f.write_str("no element"),
            XmlRule::TooDeep => f.write_str("elements nested too deeply"),
            XmlRule::TooManyAttributes => f.write_str("too many attributes on one element"),
            XmlRule::UnsupportedXmlVersion => f.write_str("XML version other than 1.0"),
            XmlRule::UnsupportedEncoding => f.write_str("encoding other than UTF-8"),
        }
    }
}

/// Why the tree builder rejected its input, and where.
///
/// ```
/// use xmpp_stanza::{parse_element, NsContext, StreamErrorCondition, XmlRule};
///
/// let err = parse_element("<message><body>&foo;</body></message>", &NsContext::client())
///     .unwrap_err();
/// assert_eq!(err.rule(), XmlRule::UndefinedEntity);
/// assert_eq!(err.condition(), StreamErrorCondition::RestrictedXml);
/// assert_eq!(err.offset(), 15);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParseError {
    rule: XmlRule,
    offset: usize,
}

impl ParseError {
    pub(crate) fn new(rule: XmlRule, offset: usize) -> ParseError {
        ParseError { rule, offset }
    }

    /// The rule the input broke.
    pub fn rule(&self) -> XmlRule {
        self.rule
    }

    /// Byte offset in the input where the offending construct starts.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The RFC 6120 §4.9.3 stream error condition this violation produces.
    pub fn condition(&self) -> StreamErrorCondition {
        self.rule.condition()
    }

    /// The same error with its offset moved by `base` (for a caller that parsed a
    /// slice of a larger buffer).
    pub fn shifted(self, base: usize) -> ParseError {
        ParseError {
            rule: self.rule,
            offset: self.offset.saturating_add(base),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at byte {} ({})",
            self.rule,
            self.offset,
            self.rule.condition()
        )
    }
}

impl std::error::Error for ParseError {}

/// Why an element could not be written as XML.
///
/// Elements built by the tree builder always serialize; these errors come from
/// elements built by hand with content XML cannot carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SerializeError {
    /// An element or attribute name that is not an XML NCName (or an attribute named
    /// `xmlns`, or in the `xmlns` namespace).
    InvalidName,
    /// Text or an attribute value holding a character XML 1.0 cannot represent, not
    /// even as a character reference (C0 controls other than tab, LF and CR; U+FFFE;
    /// U+FFFF). Such characters are refused, never replaced or dropped.
    IllegalCharacter {
        /// The first such character found.
        ch: char,
    },
    /// [`Element::write_start_tag`](crate::Element::write_start_tag): the element's
    /// namespace is neither the content context's default namespace nor bound to a
    /// prefix in it, so no matching end tag could be written.
    UnboundNamespace,
}

impl fmt::Display for SerializeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SerializeError::InvalidName => {
                f.write_str("element or attribute name is not an XML name")
            }
            SerializeError::UnboundNamespace => f.write_str(
                "start tag's namespace is neither the context's default nor bound to a prefix",
            ),
            SerializeError::IllegalCharacter { ch } => write!(
                f,
                "text holds U+{:04X}, a character XML 1.0 cannot represent",
                u32::from(*ch)
            ),
        }
    }
}

impl std::error::Error for SerializeError {}
