//! Resource binding (RFC 6120 §7) and legacy session establishment (RFC 3921 §3):
//! the IQ payloads [`Bind`] and [`Session`].

use xmpp_jid::FullJid;

use crate::convert::{InvalidElement, Problem, empty, expect, no_text, only_attrs, plain_text};
use crate::element::Element;
use crate::ns::{self, Namespace};
use crate::stanza_error::StanzaErrorCondition;
use crate::text::CompactStr;

/// The `<bind/>` payload of a binding IQ.
///
/// ```
/// use xmpp_stanza::{Bind, Element, NsContext};
///
/// let req = Bind::Request { resource: Some("balcony".into()) };
/// assert_eq!(Element::from(req.clone()).to_xml_in(&NsContext::client()).unwrap(),
///     "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>balcony</resource></bind>");
/// assert_eq!(Bind::try_from(&Element::from(req.clone())).unwrap(), req);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bind {
    /// The client's request (in an IQ `set`), with the resource it wants or `None`
    /// to let the server choose.
    Request {
        /// The requested resourcepart (not yet prepared: the server applies the
        /// resourceprep / OpaqueString profile).
        resource: Option<CompactStr>,
    },
    /// The server's answer (in an IQ `result`): the full JID bound.
    Result {
        /// The bound full JID.
        jid: FullJid,
    },
}

impl TryFrom<&Element> for Bind {
    type Error = InvalidElement;

    fn try_from(el: &Element) -> Result<Bind, InvalidElement> {
        expect(el, "bind", ns::XMPP_BIND)?;
        no_text(el)?;
        only_attrs(el, "bind", &[])?;
        let mut children = el.children();
        let (first, second) = (children.next(), children.next());
        if second.is_some() {
            return Err(InvalidElement::bad_request(Problem::InvalidChild("bind")));
        }
        match first {
            None => Ok(Bind::Request { resource: None }),
            Some(c) if c.is("resource", ns::XMPP_BIND) => {
                let text = plain_text(c, "resource")?;
                if text.is_empty() {
                    return Err(InvalidElement::bad_request(Problem::InvalidChild(
                        "resource",
                    )));
                }
                Ok(Bind::Request {
                    resource: Some(text),
                })
            }
            Some(c) if c.is("jid", ns::XMPP_BIND) => {
                let text = plain_text(c, "jid")?;
                let jid = FullJid::new(&text).map_err(|_| {
                    InvalidElement::new(
                        Problem::InvalidChild("jid"),
                        StanzaErrorCondition::JidMalformed,
                    )
                })?;
                Ok(Bind::Result { jid })
            }
            Some(_) => Err(InvalidElement::bad_request(Problem::InvalidChild("bind"))),
        }
    }
}

impl From<Bind> for Element {
    fn from(b: Bind) -> Element {
        let ns = Namespace::from_static(ns::XMPP_BIND);
        let mut el = Element::new(CompactStr::from_static("bind"), ns.clone());
        let child = |name: &'static str| Element::new(CompactStr::from_static(name), ns.clone());
        match b {
            Bind::Request { resource: None } => {}
            Bind::Request { resource: Some(r) } => el.append_child(child("resource").with_text(r)),
            Bind::Result { jid } => el.append_child(child("jid").with_text(jid.as_str())),
        }
        el
    }
}

/// The legacy `<session/>` payload (RFC 3921 §3), sent in an IQ `set` after binding
/// when the server advertises it as required.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Session;

impl TryFrom<&Element> for Session {
    type Error = InvalidElement;

    fn try_from(el: &Element) -> Result<Session, InvalidElement> {
        expect(el, "session", ns::XMPP_SESSION)?;
        if !el.attrs().is_empty() || el.nodes().iter().any(|n| !n.is_whitespace()) {
            return Err(InvalidElement::bad_request(Problem::InvalidChild(
                "session",
            )));
        }
        Ok(Session)
    }
}

impl From<Session> for Element {
    fn from(_: Session) -> Element {
        empty("session", ns::XMPP_SESSION)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_forms() {
        for b in [
            Bind::Request { resource: None },
            Bind::Request {
                resource: Some("balcony".into()),
            },
            Bind::Result {
                jid: FullJid::new("juliet@im.example.com/balcony").unwrap(),
            },
        ] {
            assert_eq!(Bind::try_from(&Element::from(b.clone())).unwrap(), b);
        }
        let bad_jid = Element::new("bind", ns::XMPP_BIND)
            .with_child(Element::new("jid", ns::XMPP_BIND).with_text("juliet@im.example.com"));
        assert_eq!(
            Bind::try_from(&bad_jid).unwrap_err().condition(),
            StanzaErrorCondition::JidMalformed
        );
        let empty_res =
            Element::new("bind", ns::XMPP_BIND).with_child(Element::new("resource", ns::XMPP_BIND));
        assert!(Bind::try_from(&empty_res).is_err());
        assert_eq!(Session::try_from(&Element::from(Session)), Ok(Session));
    }
}
