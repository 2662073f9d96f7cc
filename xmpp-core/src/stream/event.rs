//! What the stream reader yields: [`StreamEvent`], [`StreamHeader`] and [`StreamVersion`].

use std::fmt;

use xmpp_stanza::{Element, Namespace, NsContext};

/// One step of the peer's stream, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamEvent {
    /// The stream header (`<stream:stream …>`), checked; after a reset, the header of
    /// the restarted stream. (Boxed: it is large and comes once per stream.)
    StreamOpened(Box<StreamHeader>),
    /// A complete top-level element: a stanza (`message`, `presence`, `iq`) or a
    /// nonza (stream features, STARTTLS and SASL elements, …), namespaces resolved
    /// against the stream header's context.
    Element(Element),
    /// The peer closed its stream (`</stream:stream>`).
    StreamClosed,
}

/// The stream version of a stream header (RFC 6120 §4.7.5): `major.minor`.
///
/// ```
/// use xmpp_core::StreamVersion;
///
/// assert_eq!(StreamVersion::parse("1.0"), Some(StreamVersion::V1_0));
/// assert_eq!(StreamVersion::parse("01.002"), Some(StreamVersion { major: 1, minor: 2 }));
/// assert_eq!(StreamVersion::parse("1"), None);
/// assert_eq!(StreamVersion::V1_0.to_string(), "1.0");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamVersion {
    /// The major version: 1 for RFC 6120 streams.
    pub major: u32,
    /// The minor version.
    pub minor: u32,
}

impl StreamVersion {
    /// Version 1.0, what RFC 6120 (and RFC 3920) streams declare.
    pub const V1_0: StreamVersion = StreamVersion { major: 1, minor: 0 };

    /// Parses `major.minor` (decimal digits only; leading zeros are ignored, as
    /// RFC 6120 §4.7.5 requires).
    pub fn parse(s: &str) -> Option<StreamVersion> {
        let (major, minor) = s.split_once('.')?;
        let number = |part: &str| {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse::<u32>().ok()
        };
        Some(StreamVersion {
            major: number(major)?,
            minor: number(minor)?,
        })
    }
}

impl fmt::Display for StreamVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A checked stream header: the stream element in the stream namespace, an
/// acceptable content namespace, a supported version.
///
/// ```
/// use xmpp_core::{ReaderConfig, StreamEvent, StreamReader, StreamVersion};
///
/// let mut reader = StreamReader::new(ReaderConfig::c2s());
/// let input = b"<?xml version='1.0'?><stream:stream from='im.example.com' id='t7AMCin9' \
///     to='juliet@im.example.com' version='1.0' xml:lang='en' xmlns='jabber:client' \
///     xmlns:stream='http://etherx.jabber.org/streams'>";
/// let Some(Ok(StreamEvent::StreamOpened(header))) = reader.feed(input).next() else { panic!() };
/// assert_eq!(header.from(), Some("im.example.com"));
/// assert_eq!(header.to(), Some("juliet@im.example.com"));
/// assert_eq!(header.id(), Some("t7AMCin9"));
/// assert_eq!(header.version(), Some(StreamVersion::V1_0));
/// assert_eq!(header.lang(), Some("en"));
/// assert_eq!(header.content_namespace().as_str(), "jabber:client");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamHeader {
    pub(crate) element: Element,
    pub(crate) prefix: Option<xmpp_stanza::CompactStr>,
    pub(crate) context: NsContext,
    pub(crate) version: Option<StreamVersion>,
}

impl StreamHeader {
    /// The `to` attribute.
    pub fn to(&self) -> Option<&str> {
        self.element.attr("to")
    }

    /// The `from` attribute.
    pub fn from(&self) -> Option<&str> {
        self.element.attr("from")
    }

    /// The `id` attribute (the stream id, set by the receiving entity).
    pub fn id(&self) -> Option<&str> {
        self.element.attr("id")
    }

    /// The `version` attribute; `None` if absent (a pre-RFC 3920 peer, which
    /// RFC 6120 §4.7.5 says to treat as version 0.9).
    pub fn version(&self) -> Option<StreamVersion> {
        self.version
    }

    /// The `xml:lang` attribute (the default language of the stream's content).
    pub fn lang(&self) -> Option<&str> {
        self.element.lang()
    }

    /// The content namespace: the default namespace the header declared
    /// ([`Namespace::NONE`] if it declared none).
    pub fn content_namespace(&self) -> &Namespace {
        self.context.default_ns()
    }

    /// The namespace context of the stream's content: default namespace, prefix
    /// bindings (the `stream` prefix fixed) and `xml:lang`. Top-level elements are
    /// parsed in it, and a writer answering this stream may write in it.
    pub fn context(&self) -> &NsContext {
        &self.context
    }

    /// The stream element itself with all its attributes (no children).
    pub fn element(&self) -> &Element {
        &self.element
    }

    /// The prefix the stream element was written with (normally `stream`).
    pub fn prefix(&self) -> Option<&str> {
        self.prefix.as_deref()
    }
}
