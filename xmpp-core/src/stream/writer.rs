//! [`StreamWriter`]: one direction of an XMPP stream as bytes — the stream header,
//! top-level elements, stream errors and the closing tag.

use std::fmt;

use xmpp_stanza::{
    Attribute, CompactStr, Element, Namespace, NsContext, SerializeError, StreamError,
};

use super::event::StreamVersion;

/// The attributes of a stream header to write (RFC 6120 §4.7).
///
/// ```
/// use xmpp_core::{StreamAttributes, StreamVersion};
///
/// let attrs = StreamAttributes::new()
///     .to("im.example.com")
///     .lang("en");
/// assert_eq!(attrs.version, Some(StreamVersion::V1_0));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamAttributes {
    /// `to`: the peer's address (a domain, or on the response stream the
    /// initiating entity's JID).
    pub to: Option<CompactStr>,
    /// `from`: our address.
    pub from: Option<CompactStr>,
    /// `id`: the stream id (set by the receiving entity only).
    pub id: Option<CompactStr>,
    /// `version`: `1.0` by default; `None` leaves the attribute out (pre-XMPP 1.0).
    pub version: Option<StreamVersion>,
    /// `xml:lang`: the default language of the content we send.
    pub lang: Option<CompactStr>,
}

impl StreamAttributes {
    /// No `to`, `from`, `id` or `xml:lang`; version 1.0.
    pub fn new() -> StreamAttributes {
        StreamAttributes {
            version: Some(StreamVersion::V1_0),
            ..StreamAttributes::default()
        }
    }

    /// With `to`.
    pub fn to(mut self, to: impl Into<CompactStr>) -> Self {
        self.to = Some(to.into());
        self
    }

    /// With `from`.
    pub fn from(mut self, from: impl Into<CompactStr>) -> Self {
        self.from = Some(from.into());
        self
    }

    /// With `id`.
    pub fn id(mut self, id: impl Into<CompactStr>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// With `xml:lang`.
    pub fn lang(mut self, lang: impl Into<CompactStr>) -> Self {
        self.lang = Some(lang.into());
        self
    }

    /// With another `version` (or none).
    pub fn version(mut self, version: Option<StreamVersion>) -> Self {
        self.version = version;
        self
    }
}

/// Why the writer refused to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WriteError {
    /// An element or attribute that XML cannot carry (a name that is not an XML
    /// name, a character XML 1.0 forbids); nothing was written.
    Serialize(SerializeError),
    /// Content before the stream header was written.
    NotOpen,
    /// A stream header when one was already written (call
    /// [`StreamWriter::reset`] for a stream restart).
    AlreadyOpen,
    /// Anything after the closing tag.
    Closed,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::Serialize(e) => write!(f, "cannot serialize: {e}"),
            WriteError::NotOpen => f.write_str("the stream header has not been written"),
            WriteError::AlreadyOpen => f.write_str("the stream header was already written"),
            WriteError::Closed => f.write_str("the stream is closed"),
        }
    }
}

impl std::error::Error for WriteError {}

impl From<SerializeError> for WriteError {
    fn from(e: SerializeError) -> Self {
        WriteError::Serialize(e)
    }
}

/// Where the writer is in its stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// The header has not been written.
    Start,
    /// Between the header and the closing tag.
    Open,
    /// After the closing tag.
    Closed,
}

/// Writes one direction of an XMPP stream into caller-supplied output buffers.
///
/// The stream header declares the content namespace (`jabber:client` or
/// `jabber:server`) as the default namespace and the `stream` prefix for the stream
/// namespace; every element is then written once, relative to that context, so
/// stanzas carry no namespace redeclarations.
///
/// ```
/// use xmpp_core::{StreamAttributes, StreamWriter};
/// use xmpp_stanza::{Element, Namespace, StreamError, StreamErrorCondition};
///
/// let mut writer = StreamWriter::new(Namespace::CLIENT);
/// let mut out = Vec::new();
/// writer.open(&mut out, &StreamAttributes::new().to("im.example.com")).unwrap();
/// let message = Element::new("message", Namespace::CLIENT)
///     .with_attr("to", "juliet@im.example.com")
///     .with_child(Element::new("body", Namespace::CLIENT).with_text("Art thou not Romeo?"));
/// writer.element(&mut out, &message).unwrap();
/// writer.stream_error(&mut out, &StreamError::new(StreamErrorCondition::PolicyViolation)).unwrap();
/// writer.close(&mut out).unwrap();
/// assert_eq!(
///     String::from_utf8(out).unwrap(),
///     "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
///      xmlns:stream='http://etherx.jabber.org/streams' to='im.example.com' version='1.0'>\
///      <message to='juliet@im.example.com'><body>Art thou not Romeo?</body></message>\
///      <stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>\
///      </stream:error></stream:stream>"
/// );
/// ```
#[derive(Clone, Debug)]
pub struct StreamWriter {
    context: NsContext,
    state: State,
}

impl StreamWriter {
    /// A writer for a stream whose content namespace is `content_ns`.
    pub fn new(content_ns: Namespace) -> StreamWriter {
        StreamWriter {
            context: NsContext::stream(content_ns),
            state: State::Start,
        }
    }

    /// A writer for a client-to-server stream (`jabber:client`), either direction.
    pub fn c2s() -> StreamWriter {
        StreamWriter::new(Namespace::CLIENT)
    }

    /// A writer for a server-to-server stream (`jabber:server`).
    pub fn s2s() -> StreamWriter {
        StreamWriter::new(Namespace::SERVER)
    }

    /// The namespace context elements are written in.
    pub fn context(&self) -> &NsContext {
        &self.context
    }

    /// Whether the header has been written and the closing tag not yet.
    pub fn is_open(&self) -> bool {
        self.state == State::Open
    }

    /// Starts over for a stream restart (RFC 6120 §4.3.3): a new header may be
    /// written.
    pub fn reset(&mut self) {
        self.state = State::Start;
    }

    /// Appends the XML declaration and the stream header to `out`.
    pub fn open(&mut self, out: &mut Vec<u8>, attrs: &StreamAttributes) -> Result<(), WriteError> {
        match self.state {
            State::Start => {}
            State::Open => return Err(WriteError::AlreadyOpen),
            State::Closed => return Err(WriteError::Closed),
        }
        let mut stream = Element::new(CompactStr::from_static("stream"), Namespace::STREAM);
        let plain = [("from", &attrs.from), ("to", &attrs.to), ("id", &attrs.id)];
        let mut list: Vec<Attribute> = plain
            .into_iter()
            .filter_map(|(name, value)| {
                value
                    .as_ref()
                    .map(|v| Attribute::new(CompactStr::from_static(name), v.clone()))
            })
            .collect();
        if let Some(version) = attrs.version {
            list.push(Attribute::new(
                CompactStr::from_static("version"),
                CompactStr::from(version.to_string()),
            ));
        }
        if let Some(lang) = &attrs.lang {
            list.push(Attribute::with_ns(
                Namespace::XML,
                CompactStr::from_static("lang"),
                lang.clone(),
            ));
        }
        for a in list {
            stream.set_attr_ns(a.ns, a.name, a.value);
        }
        let mark = out.len();
        out.extend_from_slice(b"<?xml version='1.0'?>");
        if let Err(e) = stream.write_start_tag(out, &self.context) {
            out.truncate(mark);
            return Err(e.into());
        }
        self.state = State::Open;
        Ok(())
    }

    /// Appends a top-level element (stanza or nonza) to `out`, without the
    /// declarations the stream header already makes. Nothing is written on error.
    pub fn element(&mut self, out: &mut Vec<u8>, element: &Element) -> Result<(), WriteError> {
        self.check_open()?;
        element.write_to(out, &self.context)?;
        Ok(())
    }

    /// Appends a stream error (`<stream:error>…</stream:error>`, RFC 6120 §4.9) to
    /// `out`. A stream error is followed by [`close`](Self::close).
    pub fn stream_error(
        &mut self,
        out: &mut Vec<u8>,
        error: &StreamError,
    ) -> Result<(), WriteError> {
        self.check_open()?;
        Element::from(error.clone()).write_to(out, &self.context)?;
        Ok(())
    }

    /// Appends the stream's closing tag `</stream:stream>` to `out`.
    pub fn close(&mut self, out: &mut Vec<u8>) -> Result<(), WriteError> {
        self.check_open()?;
        out.extend_from_slice(b"</stream:stream>");
        self.state = State::Closed;
        Ok(())
    }

    /// Appends a whitespace keepalive (one space, RFC 6120 §4.6.1) to `out`.
    pub fn keepalive(&mut self, out: &mut Vec<u8>) -> Result<(), WriteError> {
        self.check_open()?;
        out.push(b' ');
        Ok(())
    }

    fn check_open(&self) -> Result<(), WriteError> {
        match self.state {
            State::Open => Ok(()),
            State::Start => Err(WriteError::NotOpen),
            State::Closed => Err(WriteError::Closed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::{ReaderConfig, StreamEvent, StreamReader};
    use xmpp_stanza::{StreamErrorCondition, ns};

    #[test]
    fn header_for_each_role() {
        let mut out = Vec::new();
        let attrs = StreamAttributes::new()
            .from("im.example.com")
            .to("juliet@im.example.com")
            .id("++TR84Sm6A3hnt3Q065SnAbbk3Y=")
            .lang("en");
        StreamWriter::c2s().open(&mut out, &attrs).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
             xmlns:stream='http://etherx.jabber.org/streams' from='im.example.com' \
             to='juliet@im.example.com' id='++TR84Sm6A3hnt3Q065SnAbbk3Y=' version='1.0' \
             xml:lang='en'>"
        );
        let mut out = Vec::new();
        StreamWriter::s2s()
            .open(&mut out, &StreamAttributes::new().version(None).to("a'b"))
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "<?xml version='1.0'?><stream:stream xmlns='jabber:server' \
             xmlns:stream='http://etherx.jabber.org/streams' to='a&apos;b'>"
        );
    }

    #[test]
    fn order_of_calls_is_enforced() {
        let mut w = StreamWriter::c2s();
        let mut out = Vec::new();
        let msg = Element::new("message", Namespace::CLIENT);
        assert_eq!(w.element(&mut out, &msg), Err(WriteError::NotOpen));
        assert_eq!(w.close(&mut out), Err(WriteError::NotOpen));
        assert_eq!(w.keepalive(&mut out), Err(WriteError::NotOpen));
        assert!(out.is_empty());
        w.open(&mut out, &StreamAttributes::new()).unwrap();
        assert!(w.is_open());
        assert_eq!(
            w.open(&mut out, &StreamAttributes::new()),
            Err(WriteError::AlreadyOpen)
        );
        w.keepalive(&mut out).unwrap();
        w.close(&mut out).unwrap();
        assert_eq!(w.element(&mut out, &msg), Err(WriteError::Closed));
        assert_eq!(
            w.open(&mut out, &StreamAttributes::new()),
            Err(WriteError::Closed)
        );
        w.reset();
        let before = out.len();
        w.open(&mut out, &StreamAttributes::new()).unwrap();
        assert!(out.len() > before);
    }

    #[test]
    fn a_bad_element_writes_nothing() {
        let mut w = StreamWriter::c2s();
        let mut out = Vec::new();
        w.open(&mut out, &StreamAttributes::new()).unwrap();
        let before = out.clone();
        let bad = Element::new("message", Namespace::CLIENT)
            .with_child(Element::new("body", Namespace::CLIENT).with_text("\u{1}"));
        assert!(matches!(
            w.element(&mut out, &bad),
            Err(WriteError::Serialize(_))
        ));
        assert_eq!(out, before);
        let bad_name = Element::new("not a name", Namespace::CLIENT);
        assert!(matches!(
            w.element(&mut out, &bad_name),
            Err(WriteError::Serialize(_))
        ));
        assert_eq!(out, before);
    }

    #[test]
    fn what_the_writer_writes_the_reader_reads_back() {
        let mut w = StreamWriter::c2s();
        let mut out = Vec::new();
        w.open(
            &mut out,
            &StreamAttributes::new().to("example.com").lang("fr"),
        )
        .unwrap();
        let elements = vec![
            Element::new("message", Namespace::CLIENT)
                .with_attr("type", "chat")
                .with_child(Element::new("body", Namespace::CLIENT).with_text("<&>'\"\r\n\t é")),
            Element::new("features", Namespace::STREAM)
                .with_child(Element::new("starttls", Namespace::intern(ns::XMPP_TLS))),
            Element::new("presence", Namespace::CLIENT).with_child(
                Element::new("x", Namespace::intern("urn:example")).with_attr("a", "1"),
            ),
        ];
        for e in &elements {
            w.element(&mut out, e).unwrap();
        }
        let err = StreamError::see_other_host("[2001:db8::1]:5222");
        w.stream_error(&mut out, &err).unwrap();
        w.close(&mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert_eq!(text.matches("xmlns='jabber:client'").count(), 1, "{text}");

        let mut reader = StreamReader::new(ReaderConfig::c2s());
        let events: Vec<StreamEvent> = reader.feed(&out).map(Result::unwrap).collect();
        let StreamEvent::StreamOpened(header) = &events[0] else {
            panic!("{events:?}")
        };
        assert_eq!(
            (header.to(), header.lang()),
            (Some("example.com"), Some("fr"))
        );
        for (got, want) in events[1..4].iter().zip(&elements) {
            assert_eq!(got, &StreamEvent::Element(want.clone()));
        }
        let StreamEvent::Element(e) = &events[4] else {
            panic!()
        };
        let back = StreamError::try_from(e).unwrap();
        assert_eq!(back.condition, StreamErrorCondition::SeeOtherHost);
        assert_eq!(back, err);
        assert_eq!(events[5], StreamEvent::StreamClosed);
    }
}
