//! [`ReadError`]: why the stream reader stopped, where, and the RFC 6120 stream
//! error condition to answer with.

use std::fmt;

use xmpp_stanza::{ParseError, StreamErrorCondition, XmlRule};

use super::limits::Limits;
use super::scan::Fault;

/// What was wrong with the peer's stream.
///
/// Every kind maps to the RFC 6120 §4.9.3 condition a receiving entity closes the
/// stream with: see [`ReadErrorKind::condition`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// Malformed or restricted XML (comments, processing instructions, DTDs, entity
    /// references other than the predefined five, bad syntax, mismatched tags,
    /// undeclared prefixes, …), found by the framer or by the tree builder; the
    /// [`XmlRule`] names it and gives its condition.
    Xml(XmlRule),
    /// Bytes that are not UTF-8 (RFC 6120 §11.6): `not-well-formed`.
    InvalidUtf8,
    /// The stream starts with a UTF-16 or UTF-32 byte-order mark or is encoded in
    /// UTF-16 (RFC 6120 §11.6 requires UTF-8): `unsupported-encoding`.
    NotUtf8,
    /// A top-level element (or the stream header, or the closing tag) longer than
    /// `limit` bytes: `policy-violation`.
    StanzaTooLarge {
        /// The configured [`Limits::max_stanza_bytes`].
        limit: usize,
    },
    /// Elements nested deeper than `limit`: `policy-violation`.
    TooDeep {
        /// The configured [`Limits::max_depth`].
        limit: u32,
    },
    /// More than `limit` attributes on one element: `policy-violation`.
    TooManyAttributes {
        /// The configured [`Limits::max_attributes`].
        limit: u32,
    },
    /// More than `limit` namespace declarations in one top-level element or in the
    /// stream header: `policy-violation`.
    TooManyNamespaceDeclarations {
        /// The configured [`Limits::max_namespace_declarations`].
        limit: u32,
    },
    /// The stream header closed itself (`<stream:stream … />`): `not-well-formed`.
    EmptyStream,
    /// An end tag at stream level that is not the stream's own (`</stream:stream>`
    /// with the prefix the header used): `not-well-formed`.
    MismatchedStreamClose,
    /// Something other than whitespace after the stream's closing tag:
    /// `not-well-formed`.
    DataAfterClose,
    /// The root element is not qualified by the stream namespace
    /// `http://etherx.jabber.org/streams` (RFC 6120 §4.8.1): `invalid-namespace`.
    StreamNamespace,
    /// The root element is in the stream namespace but is not named `stream`:
    /// `bad-format`.
    NotStreamElement,
    /// The stream element has no prefix: the stream namespace was made the default
    /// namespace, where the content namespace belongs (RFC 6120 §4.8.5):
    /// `bad-namespace-prefix`.
    UnprefixedStream,
    /// The default namespace of the stream header is neither the expected content
    /// namespace (`jabber:client`, `jabber:server`) nor absent (RFC 6120 §4.8.2):
    /// `invalid-namespace`.
    ContentNamespace,
    /// The stream header's `version` has a major version other than 0 or 1, or is not
    /// of the form `major.minor` (RFC 6120 §4.7.5): `unsupported-version`.
    UnsupportedVersion,
    /// A top-level element in the content namespace other than `message`,
    /// `presence` and `iq`, or in the stream namespace other than `features` and
    /// `error` (RFC 6120 §4.9.3.24): `unsupported-stanza-type`.
    UnsupportedStanzaType,
    /// A top-level element in no namespace at all (the stream declared no content
    /// namespace and the element none either): `invalid-namespace`.
    UnqualifiedElement,
    /// A first-level `message`, `presence` or `iq` qualified by a namespace other than
    /// the stream's content namespace — `jabber:server` stanzas on a client stream,
    /// say (RFC 6120 §4.8.3, §4.9.3.10): `invalid-namespace`.
    StanzaNamespace,
}

impl ReadErrorKind {
    /// The RFC 6120 §4.9.3 stream error condition this violation produces.
    pub fn condition(self) -> StreamErrorCondition {
        use ReadErrorKind as K;
        use StreamErrorCondition as C;
        match self {
            K::Xml(rule) => rule.condition(),
            K::InvalidUtf8 | K::EmptyStream | K::MismatchedStreamClose | K::DataAfterClose => {
                C::NotWellFormed
            }
            K::NotUtf8 => C::UnsupportedEncoding,
            K::StanzaTooLarge { .. }
            | K::TooDeep { .. }
            | K::TooManyAttributes { .. }
            | K::TooManyNamespaceDeclarations { .. } => C::PolicyViolation,
            K::StreamNamespace
            | K::ContentNamespace
            | K::UnqualifiedElement
            | K::StanzaNamespace => C::InvalidNamespace,
            K::NotStreamElement => C::BadFormat,
            K::UnprefixedStream => C::BadNamespacePrefix,
            K::UnsupportedVersion => C::UnsupportedVersion,
            K::UnsupportedStanzaType => C::UnsupportedStanzaType,
        }
    }

    /// The kind for a framer fault under `limits`.
    pub(crate) fn from_fault(fault: Fault, limits: &Limits) -> ReadErrorKind {
        use xmpp_stanza::Construct;
        match fault {
            Fault::Comment => ReadErrorKind::Xml(XmlRule::Comment),
            Fault::ProcessingInstruction => ReadErrorKind::Xml(XmlRule::ProcessingInstruction),
            Fault::Dtd => ReadErrorKind::Xml(XmlRule::Dtd),
            Fault::TextOutsideElements => ReadErrorKind::Xml(XmlRule::TextOutsideElement),
            Fault::LtInTag => ReadErrorKind::Xml(XmlRule::Syntax(Construct::StartTag)),
            Fault::LtInAttrValue => ReadErrorKind::Xml(XmlRule::Syntax(Construct::Attribute)),
            Fault::MalformedEndTag => ReadErrorKind::Xml(XmlRule::Syntax(Construct::EndTag)),
            Fault::MismatchedEndTag => ReadErrorKind::Xml(XmlRule::MismatchedEndTag),
            Fault::EndTagInProlog => ReadErrorKind::Xml(XmlRule::UnexpectedEndTag),
            Fault::NotUtf8 => ReadErrorKind::NotUtf8,
            Fault::EmptyStream => ReadErrorKind::EmptyStream,
            Fault::AfterClose => ReadErrorKind::DataAfterClose,
            Fault::TooLarge => ReadErrorKind::StanzaTooLarge {
                limit: limits.max_stanza_bytes,
            },
            Fault::TooDeep => ReadErrorKind::TooDeep {
                limit: limits.max_depth,
            },
            Fault::TooManyAttributes => ReadErrorKind::TooManyAttributes {
                limit: limits.max_attributes,
            },
            Fault::TooManyNamespaceDeclarations => ReadErrorKind::TooManyNamespaceDeclarations {
                limit: limits.max_namespace_declarations,
            },
        }
    }

    /// The kind for a tree-builder error under `limits` (its depth and attribute
    /// limits are reported like the framer's).
    pub(crate) fn from_parse(rule: XmlRule, limits: &Limits) -> ReadErrorKind {
        match rule {
            XmlRule::TooDeep => ReadErrorKind::TooDeep {
                limit: limits.max_depth,
            },
            XmlRule::TooManyAttributes => ReadErrorKind::TooManyAttributes {
                limit: limits.max_attributes,
            },
            other => ReadErrorKind::Xml(other),
        }
    }
}

impl fmt::Display for ReadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadErrorKind::Xml(rule) => write!(f, "{rule}"),
            ReadErrorKind::InvalidUtf8 => f.write_str("invalid UTF-8"),
            ReadErrorKind::NotUtf8 => f.write_str("stream is not encoded in UTF-8"),
            ReadErrorKind::StanzaTooLarge { limit } => {
                write!(f, "top-level element longer than {limit} bytes")
            }
            ReadErrorKind::TooDeep { limit } => {
                write!(f, "elements nested deeper than {limit} levels")
            }
            ReadErrorKind::TooManyAttributes { limit } => {
                write!(f, "more than {limit} attributes on one element")
            }
            ReadErrorKind::TooManyNamespaceDeclarations { limit } => {
                write!(f, "more than {limit} namespace declarations in one element")
            }
            ReadErrorKind::EmptyStream => f.write_str("stream element closed in its start tag"),
            ReadErrorKind::MismatchedStreamClose => {
                f.write_str("end tag at stream level is not the stream's")
            }
            ReadErrorKind::DataAfterClose => f.write_str("data after the stream was closed"),
            ReadErrorKind::StreamNamespace => {
                f.write_str("stream element not in the http://etherx.jabber.org/streams namespace")
            }
            ReadErrorKind::NotStreamElement => f.write_str("root element is not <stream>"),
            ReadErrorKind::UnprefixedStream => {
                f.write_str("stream namespace used as the default namespace")
            }
            ReadErrorKind::ContentNamespace => f.write_str("unsupported content namespace"),
            ReadErrorKind::UnsupportedVersion => f.write_str("unsupported stream version"),
            ReadErrorKind::UnsupportedStanzaType => {
                f.write_str("unsupported top-level element in the content or stream namespace")
            }
            ReadErrorKind::UnqualifiedElement => f.write_str("top-level element in no namespace"),
            ReadErrorKind::StanzaNamespace => {
                f.write_str("stanza in a namespace other than the stream's content namespace")
            }
        }
    }
}

/// Why the stream reader stopped: a [`ReadErrorKind`] and the absolute byte offset
/// (counted from the first byte the reader was given, across resets) where the
/// reader detected it — the first byte of the offending construct when that is
/// known (the `<` of a comment, the bad UTF-8 sequence, the byte past a limit).
///
/// The error is sticky: once returned, every later read returns it again. Send
/// [`ReadError::condition`] as the stream error and close the stream.
///
/// ```
/// use xmpp_core::{StreamReader, ReaderConfig};
/// use xmpp_stanza::StreamErrorCondition;
///
/// let mut reader = StreamReader::new(ReaderConfig::c2s());
/// let input = b"<stream:stream xmlns='jabber:client' \
///               xmlns:stream='http://etherx.jabber.org/streams'><!-- hi -->";
/// let err = reader.feed(input).find_map(Result::err).unwrap();
/// assert_eq!(err.condition(), StreamErrorCondition::RestrictedXml);
/// assert_eq!(err.offset(), 85);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadError {
    kind: ReadErrorKind,
    offset: u64,
}

impl ReadError {
    pub(crate) fn new(kind: ReadErrorKind, offset: u64) -> ReadError {
        ReadError { kind, offset }
    }

    /// A tree-builder error in a unit that starts at absolute offset `unit_start`.
    pub(crate) fn from_parse(e: ParseError, unit_start: u64, limits: &Limits) -> ReadError {
        ReadError {
            kind: ReadErrorKind::from_parse(e.rule(), limits),
            offset: unit_start + e.offset() as u64,
        }
    }

    /// What was wrong.
    pub fn kind(&self) -> ReadErrorKind {
        self.kind
    }

    /// Absolute byte offset in the input where the violation was found.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The RFC 6120 §4.9.3 stream error condition to send.
    pub fn condition(&self) -> StreamErrorCondition {
        self.kind.condition()
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at byte {} ({})",
            self.kind,
            self.offset,
            self.condition()
        )
    }
}

impl std::error::Error for ReadError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_maps_to_its_condition() {
        use StreamErrorCondition as C;
        let l = Limits::c2s();
        let cases = [
            (Fault::Comment, C::RestrictedXml),
            (Fault::ProcessingInstruction, C::RestrictedXml),
            (Fault::Dtd, C::RestrictedXml),
            (Fault::TextOutsideElements, C::NotWellFormed),
            (Fault::LtInTag, C::NotWellFormed),
            (Fault::LtInAttrValue, C::NotWellFormed),
            (Fault::MalformedEndTag, C::NotWellFormed),
            (Fault::MismatchedEndTag, C::NotWellFormed),
            (Fault::EndTagInProlog, C::NotWellFormed),
            (Fault::NotUtf8, C::UnsupportedEncoding),
            (Fault::EmptyStream, C::NotWellFormed),
            (Fault::AfterClose, C::NotWellFormed),
            (Fault::TooLarge, C::PolicyViolation),
            (Fault::TooDeep, C::PolicyViolation),
            (Fault::TooManyAttributes, C::PolicyViolation),
            (Fault::TooManyNamespaceDeclarations, C::PolicyViolation),
        ];
        for (fault, condition) in cases {
            assert_eq!(
                ReadErrorKind::from_fault(fault, &l).condition(),
                condition,
                "{fault:?}"
            );
        }
    }

    /// The table of RFC 6120 §4.9.3 conditions, one row per kind; the match has no
    /// wildcard, so a new kind cannot be added without a row.
    #[test]
    fn every_kind_maps_to_its_rfc_6120_condition() {
        use ReadErrorKind as K;
        use StreamErrorCondition as C;
        let kinds = [
            K::Xml(XmlRule::Comment),
            K::Xml(XmlRule::MismatchedEndTag),
            K::Xml(XmlRule::UndeclaredPrefix),
            K::Xml(XmlRule::RebindsFixedPrefix),
            K::Xml(XmlRule::UnsupportedEncoding),
            K::InvalidUtf8,
            K::NotUtf8,
            K::StanzaTooLarge { limit: 1 },
            K::TooDeep { limit: 1 },
            K::TooManyAttributes { limit: 1 },
            K::TooManyNamespaceDeclarations { limit: 1 },
            K::EmptyStream,
            K::MismatchedStreamClose,
            K::DataAfterClose,
            K::StreamNamespace,
            K::NotStreamElement,
            K::UnprefixedStream,
            K::ContentNamespace,
            K::UnsupportedVersion,
            K::UnsupportedStanzaType,
            K::UnqualifiedElement,
            K::StanzaNamespace,
        ];
        for kind in kinds {
            let want = match kind {
                K::Xml(XmlRule::Comment) => C::RestrictedXml,
                K::Xml(XmlRule::UndeclaredPrefix) => C::BadNamespacePrefix,
                K::Xml(XmlRule::RebindsFixedPrefix) => C::InvalidNamespace,
                K::Xml(XmlRule::UnsupportedEncoding) => C::UnsupportedEncoding,
                K::Xml(_) => C::NotWellFormed,
                K::InvalidUtf8 => C::NotWellFormed,
                K::NotUtf8 => C::UnsupportedEncoding,
                K::StanzaTooLarge { .. }
                | K::TooDeep { .. }
                | K::TooManyAttributes { .. }
                | K::TooManyNamespaceDeclarations { .. } => C::PolicyViolation,
                K::EmptyStream | K::MismatchedStreamClose | K::DataAfterClose => C::NotWellFormed,
                K::StreamNamespace => C::InvalidNamespace,
                K::NotStreamElement => C::BadFormat,
                K::UnprefixedStream => C::BadNamespacePrefix,
                K::ContentNamespace => C::InvalidNamespace,
                K::UnsupportedVersion => C::UnsupportedVersion,
                K::UnsupportedStanzaType => C::UnsupportedStanzaType,
                K::UnqualifiedElement => C::InvalidNamespace,
                K::StanzaNamespace => C::InvalidNamespace,
            };
            assert_eq!(kind.condition(), want, "{kind:?}");
            assert!(want.is_rfc6120());
            assert!(!kind.to_string().is_empty());
        }
    }

    #[test]
    fn builder_limits_are_reported_with_the_configured_values() {
        let l = Limits::c2s();
        assert_eq!(
            ReadErrorKind::from_parse(XmlRule::TooDeep, &l),
            ReadErrorKind::TooDeep { limit: l.max_depth }
        );
        assert_eq!(
            ReadErrorKind::from_parse(XmlRule::UndeclaredPrefix, &l).condition(),
            StreamErrorCondition::BadNamespacePrefix
        );
    }

    #[test]
    fn display_names_the_condition_and_offset() {
        let e = ReadError::new(ReadErrorKind::StanzaTooLarge { limit: 10 }, 42);
        assert_eq!(
            e.to_string(),
            "top-level element longer than 10 bytes at byte 42 (policy-violation)"
        );
    }
}
