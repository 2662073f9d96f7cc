//! STARTTLS negotiation elements (RFC 6120 §5.4.2): `<starttls/>`, `<proceed/>`,
//! `<failure/>` in `urn:ietf:params:xml:ns:xmpp-tls`.

use crate::convert::{InvalidElement, Problem, empty};
use crate::element::Element;
use crate::ns;

/// A STARTTLS negotiation element (the feature advertisement is
/// [`StartTlsFeature`](crate::StartTlsFeature)).
///
/// ```
/// use xmpp_stanza::{Element, NsContext, StartTls};
///
/// let xml = Element::from(StartTls::Proceed).to_xml_in(&NsContext::client()).unwrap();
/// assert_eq!(xml, "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StartTls {
    /// `<starttls/>`: the initiating entity asks to upgrade.
    Request,
    /// `<proceed/>`: the receiving entity agrees; TLS negotiation starts right after.
    Proceed,
    /// `<failure/>`: the receiving entity refuses; it closes the stream.
    Failure,
}

impl StartTls {
    /// The element name.
    pub fn name(self) -> &'static str {
        match self {
            StartTls::Request => "starttls",
            StartTls::Proceed => "proceed",
            StartTls::Failure => "failure",
        }
    }
}

impl TryFrom<&Element> for StartTls {
    type Error = InvalidElement;

    /// Reads a STARTTLS element; content is not allowed (RFC 6120 §5.4.2.1).
    fn try_from(el: &Element) -> Result<StartTls, InvalidElement> {
        if *el.ns() != ns::XMPP_TLS {
            return Err(InvalidElement::bad_request(Problem::UnexpectedElement));
        }
        let kind = match el.name() {
            "starttls" => StartTls::Request,
            "proceed" => StartTls::Proceed,
            "failure" => StartTls::Failure,
            _ => return Err(InvalidElement::bad_request(Problem::UnexpectedElement)),
        };
        if !el.attrs().is_empty() || el.nodes().iter().any(|n| !n.is_whitespace()) {
            return Err(InvalidElement::bad_request(Problem::InvalidChild(
                kind.name(),
            )));
        }
        Ok(kind)
    }
}

impl From<StartTls> for Element {
    fn from(s: StartTls) -> Element {
        empty(s.name(), ns::XMPP_TLS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        for s in [StartTls::Request, StartTls::Proceed, StartTls::Failure] {
            assert_eq!(StartTls::try_from(&Element::from(s)), Ok(s));
        }
        let with_child = Element::from(StartTls::Proceed).with_child(Element::new("x", "urn:x"));
        assert!(StartTls::try_from(&with_child).is_err());
        assert!(StartTls::try_from(&Element::new("proceed", ns::XMPP_SASL)).is_err());
    }
}
