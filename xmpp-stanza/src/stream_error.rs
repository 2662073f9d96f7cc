//! Stream errors (RFC 6120 §4.9): [`StreamErrorCondition`] and the
//! `<stream:error/>` element, [`StreamError`].

use crate::condition::{conditions, read_error_body, write_error_body};
use crate::convert::{InvalidElement, LangText, Problem, expect, other_attrs};
use crate::element::{Attribute, Element};
use crate::ns::{self, Namespace};
use crate::text::CompactStr;

conditions! {
    /// The defined stream error conditions of RFC 6120 §4.9.3 (all 25), plus the two
    /// RFC 3920 conditions that RFC 6120 dropped, accepted from old peers.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    #[non_exhaustive]
    pub enum StreamErrorCondition {
        /// §4.9.3.1: the entity sent XML that cannot be processed.
        BadFormat = "bad-format",
        /// §4.9.3.2: an unsupported namespace prefix, or none where one is needed.
        BadNamespacePrefix = "bad-namespace-prefix",
        /// §4.9.3.3: a new stream conflicts with an existing one.
        Conflict = "conflict",
        /// §4.9.3.4: no traffic for too long.
        ConnectionTimeout = "connection-timeout",
        /// §4.9.3.5: the `to` host is no longer served.
        HostGone = "host-gone",
        /// §4.9.3.6: the `to` host is not served.
        HostUnknown = "host-unknown",
        /// §4.9.3.7: a stanza lacks a required `to` or `from`, or it is not allowed.
        ImproperAddressing = "improper-addressing",
        /// §4.9.3.8: the server has a misconfiguration or internal error.
        InternalServerError = "internal-server-error",
        /// §4.9.3.9: the `from` address is not authorized for this stream.
        InvalidFrom = "invalid-from",
        /// §4.9.3.10: a wrong stream or content namespace.
        InvalidNamespace = "invalid-namespace",
        /// §4.9.3.11: XML that fails validation, where validation is done.
        InvalidXml = "invalid-xml",
        /// §4.9.3.12: data sent before the stream was authenticated.
        NotAuthorized = "not-authorized",
        /// §4.9.3.13: XML that is not well-formed (XML 1.0, Namespaces in XML).
        NotWellFormed = "not-well-formed",
        /// §4.9.3.14: a local service policy was violated (limits, rate, ...).
        PolicyViolation = "policy-violation",
        /// §4.9.3.15: the server could not connect to a remote entity it needs.
        RemoteConnectionFailed = "remote-connection-failed",
        /// §4.9.3.16: the stream must be reset (security or credentials changed).
        Reset = "reset",
        /// §4.9.3.17: the server lacks the resources to serve the stream.
        ResourceConstraint = "resource-constraint",
        /// §4.9.3.18: comments, PIs, DTDs, entity references or other restricted XML.
        RestrictedXml = "restricted-xml",
        /// §4.9.3.19: the entity should connect to another host (given as content).
        SeeOtherHost = "see-other-host",
        /// §4.9.3.20: the server is shutting down.
        SystemShutdown = "system-shutdown",
        /// §4.9.3.21: a condition not defined here (with an application condition).
        UndefinedCondition = "undefined-condition",
        /// §4.9.3.22: an encoding other than UTF-8.
        UnsupportedEncoding = "unsupported-encoding",
        /// §4.9.3.23: a mandatory-to-negotiate feature the receiver does not support.
        UnsupportedFeature = "unsupported-feature",
        /// §4.9.3.24: a first-level child that is not a supported stanza or nonza.
        UnsupportedStanzaType = "unsupported-stanza-type",
        /// §4.9.3.25: an unsupported stream version.
        UnsupportedVersion = "unsupported-version",
        /// RFC 3920 §4.7.3 only (replaced by `not-well-formed`); never sent by us.
        XmlNotWellFormed = "xml-not-well-formed",
        /// RFC 3920 §4.7.3 only (stream id or dialback id invalid); never sent by us.
        InvalidId = "invalid-id",
    }
}

impl StreamErrorCondition {
    /// Whether the condition is one of the 25 RFC 6120 defines (not an RFC 3920 one).
    pub fn is_rfc6120(self) -> bool {
        !matches!(
            self,
            StreamErrorCondition::XmlNotWellFormed | StreamErrorCondition::InvalidId
        )
    }
}

/// A `<stream:error/>` element (RFC 6120 §4.9.2): a defined condition, optional
/// text, and an optional application-specific condition.
///
/// ```
/// use xmpp_stanza::{NsContext, StreamError, StreamErrorCondition, Element};
///
/// let err = StreamError::see_other_host("[2001:db8::1]:5222");
/// let xml = Element::from(err.clone()).to_xml_in(&NsContext::client()).unwrap();
/// assert_eq!(xml, "<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>\
///                  [2001:db8::1]:5222</see-other-host></stream:error>");
/// let back = StreamError::try_from(&xmpp_stanza::parse_element(&xml, &NsContext::client()).unwrap()).unwrap();
/// assert_eq!(back, err);
/// assert_eq!(back.see_other_host_target(), Some("[2001:db8::1]:5222"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamError {
    /// The defined condition.
    pub condition: StreamErrorCondition,
    /// Character data of the condition element: the new host for `see-other-host`
    /// (RFC 6120 §4.9.3.19); `None` for an empty condition element.
    pub detail: Option<CompactStr>,
    /// Descriptive `<text/>` elements (one per language).
    pub text: Vec<LangText>,
    /// Other child elements: the application-specific condition (RFC 6120 §4.9.4)
    /// and anything else, kept in order.
    pub other: Vec<Element>,
    /// Attributes of `<stream:error/>` itself (none are defined), kept.
    pub attrs: Vec<Attribute>,
}

impl StreamError {
    /// An error with just a condition.
    pub fn new(condition: StreamErrorCondition) -> StreamError {
        StreamError {
            condition,
            detail: None,
            text: Vec::new(),
            other: Vec::new(),
            attrs: Vec::new(),
        }
    }

    /// A `see-other-host` error redirecting to `host` (a domain or IP literal,
    /// optionally with `:port`).
    pub fn see_other_host(host: impl Into<CompactStr>) -> StreamError {
        StreamError {
            detail: Some(host.into()),
            ..StreamError::new(StreamErrorCondition::SeeOtherHost)
        }
    }

    /// Adds a descriptive text.
    pub fn with_text(mut self, lang: Option<&str>, text: impl Into<CompactStr>) -> StreamError {
        self.text.push(LangText {
            lang: lang.map(CompactStr::from),
            text: text.into(),
        });
        self
    }

    /// Adds an application-specific condition element.
    pub fn with_app_condition(mut self, el: Element) -> StreamError {
        self.other.push(el);
        self
    }

    /// The host to reconnect to, for a `see-other-host` error.
    pub fn see_other_host_target(&self) -> Option<&str> {
        match self.condition {
            StreamErrorCondition::SeeOtherHost => self.detail.as_deref(),
            _ => None,
        }
    }

    /// The application-specific condition: the first other child element not in the
    /// stream-errors namespace.
    pub fn app_condition(&self) -> Option<&Element> {
        self.other.iter().find(|e| *e.ns() != ns::XMPP_STREAMS)
    }
}

impl TryFrom<&Element> for StreamError {
    type Error = InvalidElement;

    fn try_from(el: &Element) -> Result<StreamError, InvalidElement> {
        expect(el, "error", ns::STREAM)?;
        let body = read_error_body(el, ns::XMPP_STREAMS, StreamErrorCondition::from_name, true)?;
        let condition =
            body.condition
                .ok_or(InvalidElement::bad_request(Problem::MissingChild(
                    "condition",
                )))?;
        Ok(StreamError {
            condition,
            detail: body.detail,
            text: body.text,
            other: body.other,
            attrs: other_attrs(el, &[], false),
        })
    }
}

impl From<StreamError> for Element {
    fn from(err: StreamError) -> Element {
        let mut el = Element::new(CompactStr::from_static("error"), Namespace::STREAM);
        crate::convert::push_attrs(&mut el, &err.attrs);
        write_error_body(
            &mut el,
            &Namespace::from_static(ns::XMPP_STREAMS),
            Some(err.condition.name()),
            err.detail,
            &err.text,
            err.other,
        );
        el
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_25_rfc6120_conditions() {
        let rfc6120: Vec<_> = StreamErrorCondition::ALL
            .iter()
            .filter(|c| c.is_rfc6120())
            .collect();
        assert_eq!(rfc6120.len(), 25);
        for c in StreamErrorCondition::ALL {
            assert_eq!(StreamErrorCondition::from_name(c.name()), Some(*c));
            let el = Element::from(StreamError::new(*c));
            assert_eq!(StreamError::try_from(&el).unwrap().condition, *c);
        }
        assert_eq!(StreamErrorCondition::from_name("nope"), None);
    }

    #[test]
    fn text_and_app_condition_round_trip() {
        let err = StreamError::new(StreamErrorCondition::NotWellFormed)
            .with_text(
                Some("en"),
                "Some special application diagnostic information!",
            )
            .with_app_condition(Element::new("escape-your-data", "http://example.org/ns"));
        let el = Element::from(err.clone());
        let back = StreamError::try_from(&el).unwrap();
        assert_eq!(back, err);
        assert_eq!(
            back.app_condition().map(|e| e.name()),
            Some("escape-your-data")
        );
    }

    #[test]
    fn invalid_stream_errors() {
        let no_cond = Element::new("error", Namespace::STREAM);
        assert_eq!(
            StreamError::try_from(&no_cond).unwrap_err().problem(),
            Problem::MissingChild("condition")
        );
        let wrong = Element::new("error", Namespace::CLIENT);
        assert_eq!(
            StreamError::try_from(&wrong).unwrap_err().problem(),
            Problem::UnexpectedElement
        );
    }
}
