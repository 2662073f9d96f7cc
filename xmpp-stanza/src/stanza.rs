//! [`Stanza`] (any of message, presence, iq) and the conversion error
//! [`InvalidStanza`], which hands the rejected element back untouched for the error
//! reply. What the three kinds' conversions share is in `stanza_parts`.

use std::fmt;

use xmpp_jid::Jid;

use crate::convert::{InvalidElement, Problem};
use crate::element::Element;
use crate::iq::Iq;
use crate::message::Message;
use crate::ns::{self, Namespace};
use crate::presence::Presence;
use crate::stanza_error::{StanzaError, error_reply};

/// Any stanza: the three first-level elements of `jabber:client` / `jabber:server`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stanza {
    /// A `<message/>`.
    Message(Message),
    /// A `<presence/>`.
    Presence(Presence),
    /// An `<iq/>`.
    Iq(Iq),
}

impl Stanza {
    /// Whether `el` is a stanza by name and namespace (`message`, `presence` or `iq`
    /// in `jabber:client` or `jabber:server`), without validating it.
    pub fn is_stanza(el: &Element) -> bool {
        is_content_ns(el.ns()) && matches!(el.name(), "message" | "presence" | "iq")
    }

    /// The stanza's `id`.
    pub fn id(&self) -> Option<&str> {
        match self {
            Stanza::Message(m) => m.id.as_deref(),
            Stanza::Presence(p) => p.id.as_deref(),
            Stanza::Iq(iq) => Some(&iq.id),
        }
    }

    /// The stanza's `from`.
    pub fn from(&self) -> Option<&Jid> {
        match self {
            Stanza::Message(m) => m.from.as_ref(),
            Stanza::Presence(p) => p.from.as_ref(),
            Stanza::Iq(iq) => iq.from.as_ref(),
        }
    }

    /// The stanza's `to`.
    pub fn to(&self) -> Option<&Jid> {
        match self {
            Stanza::Message(m) => m.to.as_ref(),
            Stanza::Presence(p) => p.to.as_ref(),
            Stanza::Iq(iq) => iq.to.as_ref(),
        }
    }

    /// Sets `from` (a server stamps the sender's full JID, RFC 6120 §8.1.2.1).
    pub fn set_from(&mut self, from: Option<Jid>) {
        match self {
            Stanza::Message(m) => m.from = from,
            Stanza::Presence(p) => p.from = from,
            Stanza::Iq(iq) => iq.from = from,
        }
    }

    /// Sets `to`.
    pub fn set_to(&mut self, to: Option<Jid>) {
        match self {
            Stanza::Message(m) => m.to = to,
            Stanza::Presence(p) => p.to = to,
            Stanza::Iq(iq) => iq.to = to,
        }
    }
}

impl TryFrom<Element> for Stanza {
    type Error = InvalidStanza;

    /// ```
    /// use xmpp_stanza::{parse_element, NsContext, Stanza};
    ///
    /// let el = parse_element("<presence/>", &NsContext::client()).unwrap();
    /// assert!(matches!(Stanza::try_from(el), Ok(Stanza::Presence(_))));
    /// ```
    fn try_from(el: Element) -> Result<Stanza, InvalidStanza> {
        if !is_content_ns(el.ns()) {
            return Err(InvalidStanza::new(
                el,
                InvalidElement::bad_request(Problem::UnexpectedElement),
            ));
        }
        match el.name() {
            "message" => Message::try_from(el).map(Stanza::Message),
            "presence" => Presence::try_from(el).map(Stanza::Presence),
            "iq" => Iq::try_from(el).map(Stanza::Iq),
            _ => Err(InvalidStanza::new(
                el,
                InvalidElement::bad_request(Problem::UnexpectedElement),
            )),
        }
    }
}

impl From<Stanza> for Element {
    fn from(s: Stanza) -> Element {
        match s {
            Stanza::Message(m) => m.into(),
            Stanza::Presence(p) => p.into(),
            Stanza::Iq(iq) => iq.into(),
        }
    }
}

impl From<Message> for Stanza {
    fn from(m: Message) -> Stanza {
        Stanza::Message(m)
    }
}

impl From<Presence> for Stanza {
    fn from(p: Presence) -> Stanza {
        Stanza::Presence(p)
    }
}

impl From<Iq> for Stanza {
    fn from(iq: Iq) -> Stanza {
        Stanza::Iq(iq)
    }
}

/// A stanza element that could not be converted: the element, untouched, what was
/// wrong with it, and the stanza error condition to answer with.
///
/// ```
/// use xmpp_stanza::{parse_element, Iq, NsContext, Problem, StanzaErrorCondition};
///
/// let el = parse_element("<iq id='1' type='get'><a xmlns='urn:a'/><b xmlns='urn:b'/></iq>",
///                        &NsContext::client()).unwrap();
/// let err = Iq::try_from(el).unwrap_err();
/// assert_eq!(err.problem(), Problem::PayloadCount);
/// assert_eq!(err.condition(), StanzaErrorCondition::BadRequest);
/// let reply = err.error_reply().unwrap();
/// assert_eq!(reply.attr("type"), Some("error"));
/// assert_eq!(reply.attr("id"), Some("1"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidStanza {
    element: Box<Element>,
    error: InvalidElement,
}

impl InvalidStanza {
    pub(crate) fn new(element: Element, error: InvalidElement) -> InvalidStanza {
        InvalidStanza {
            element: Box::new(element),
            error,
        }
    }

    /// What was wrong.
    pub fn problem(&self) -> Problem {
        self.error.problem()
    }

    /// The stanza error condition to answer with.
    pub fn condition(&self) -> crate::StanzaErrorCondition {
        self.error.condition()
    }

    /// The problem and condition together.
    pub fn error(&self) -> InvalidElement {
        self.error
    }

    /// The rejected element.
    pub fn element(&self) -> &Element {
        &self.element
    }

    /// The rejected element, by value.
    pub fn into_element(self) -> Element {
        *self.element
    }

    /// The error reply to send back (`None` if the rejected stanza is itself an
    /// error, which must not be answered, or not a stanza at all).
    pub fn error_reply(&self) -> Option<Element> {
        if !Stanza::is_stanza(&self.element) {
            return None;
        }
        error_reply(&self.element, &StanzaError::new(self.error.condition()))
    }
}

impl fmt::Display for InvalidStanza {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid <{}/>: {}", self.element.name(), self.error)
    }
}

impl std::error::Error for InvalidStanza {}

/// Whether `ns` is a stanza content namespace.
pub(crate) fn is_content_ns(ns: &Namespace) -> bool {
    *ns == ns::CLIENT || *ns == ns::SERVER
}
