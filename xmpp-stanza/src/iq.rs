//! [`Iq`] stanzas (RFC 6120 §8.2.3): request/response with exactly one payload.

use xmpp_jid::Jid;

use crate::convert::{InvalidElement, Problem, no_text};
use crate::element::Element;
use crate::ns::Namespace;
use crate::stanza::InvalidStanza;
use crate::stanza_error::StanzaError;
use crate::stanza_parts::{Converted, Header, child_elements, convert, find_error, write_header};
use crate::text::CompactStr;

/// The type of an IQ and what it carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IqPayload {
    /// `type='get'` with its one payload element.
    Get(Element),
    /// `type='set'` with its one payload element.
    Set(Element),
    /// `type='result'` with zero or one payload element.
    Result(Option<Element>),
    /// `type='error'`: the error, and any other child elements (often the original
    /// request payload), in order.
    Error {
        /// The `<error/>` child.
        error: StanzaError,
        /// Other children, kept.
        other: Vec<Element>,
    },
}

impl IqPayload {
    /// The `type` attribute value.
    pub fn type_str(&self) -> &'static str {
        match self {
            IqPayload::Get(_) => "get",
            IqPayload::Set(_) => "set",
            IqPayload::Result(_) => "result",
            IqPayload::Error { .. } => "error",
        }
    }

    /// Whether this is a request (`get` or `set`) that must be answered.
    pub fn is_request(&self) -> bool {
        matches!(self, IqPayload::Get(_) | IqPayload::Set(_))
    }
}

/// An `<iq/>` stanza.
///
/// ```
/// use xmpp_stanza::{Element, Iq, IqPayload, NsContext, parse_element, ns};
///
/// let el = parse_element("<iq id='bv1bs71f' type='get'><query xmlns='jabber:iq:roster'/></iq>",
///                        &NsContext::client()).unwrap();
/// let iq = Iq::try_from(el).unwrap();
/// let IqPayload::Get(query) = &iq.payload else { panic!() };
/// assert!(query.is("query", ns::ROSTER));
/// let reply = iq.result_reply(None).unwrap();
/// assert_eq!(Element::from(reply).to_xml_in(&NsContext::client()).unwrap(),
///            "<iq id='bv1bs71f' type='result'/>");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Iq {
    /// The stanza's namespace (`jabber:client` or `jabber:server`).
    pub ns: Namespace,
    /// The sender.
    pub from: Option<Jid>,
    /// The recipient.
    pub to: Option<Jid>,
    /// The id (required for IQs).
    pub id: CompactStr,
    /// The stanza's `xml:lang`.
    pub lang: Option<CompactStr>,
    /// The type and payload.
    pub payload: IqPayload,
    /// Attributes this type does not model, kept.
    pub attrs: Vec<crate::Attribute>,
}

impl Iq {
    /// An IQ in `jabber:client` with no addresses.
    pub fn new(id: impl Into<CompactStr>, payload: IqPayload) -> Iq {
        Iq {
            ns: Namespace::CLIENT,
            from: None,
            to: None,
            id: id.into(),
            lang: None,
            payload,
            attrs: Vec::new(),
        }
    }

    /// A `get` request.
    pub fn get(id: impl Into<CompactStr>, payload: Element) -> Iq {
        Iq::new(id, IqPayload::Get(payload))
    }

    /// A `set` request.
    pub fn set(id: impl Into<CompactStr>, payload: Element) -> Iq {
        Iq::new(id, IqPayload::Set(payload))
    }

    /// Sets the recipient.
    pub fn with_to(mut self, to: Jid) -> Iq {
        self.to = Some(to);
        self
    }

    /// The `result` answering this request: addresses swapped, same id (`None` if
    /// this IQ is not a request).
    pub fn result_reply(&self, payload: Option<Element>) -> Option<Iq> {
        self.reply(IqPayload::Result(payload))
    }

    /// The `error` answering this request (`None` if this IQ is not a request).
    pub fn error_reply(&self, error: StanzaError) -> Option<Iq> {
        self.reply(IqPayload::Error {
            error,
            other: Vec::new(),
        })
    }

    fn reply(&self, payload: IqPayload) -> Option<Iq> {
        if !self.payload.is_request() {
            return None;
        }
        Some(Iq {
            ns: self.ns.clone(),
            from: self.to.clone(),
            to: self.from.clone(),
            id: self.id.clone(),
            lang: None,
            payload,
            attrs: Vec::new(),
        })
    }

    /// First pass: validation, and the values that need parsing.
    fn check(el: &Element) -> Result<(Checked, bool), InvalidElement> {
        if el.attr("id").is_none() {
            return Err(InvalidElement::bad_request(Problem::MissingAttribute("id")));
        }
        let kind = match el.attr("type") {
            None => {
                return Err(InvalidElement::bad_request(Problem::MissingAttribute(
                    "type",
                )));
            }
            Some("get") => Kind::Get,
            Some("set") => Kind::Set,
            Some("result") => Kind::Result,
            Some("error") => Kind::Error,
            Some(_) => {
                return Err(InvalidElement::bad_request(Problem::InvalidAttribute(
                    "type",
                )));
            }
        };
        no_text(el)?;
        let count = el.children().count();
        let error = match kind {
            Kind::Get | Kind::Set if count != 1 => {
                return Err(InvalidElement::bad_request(Problem::PayloadCount));
            }
            Kind::Result if count > 1 => {
                return Err(InvalidElement::bad_request(Problem::PayloadCount));
            }
            Kind::Error => Some(find_error(el)?),
            _ => None,
        };
        Ok((Checked { kind, error }, true))
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Get,
    Set,
    Result,
    Error,
}

struct Checked {
    kind: Kind,
    error: Option<StanzaError>,
}

impl TryFrom<Element> for Iq {
    type Error = InvalidStanza;

    fn try_from(el: Element) -> Result<Iq, InvalidStanza> {
        let Converted {
            mut el,
            header,
            checked,
        } = convert(el, "iq", Iq::check)?;
        let mut children = child_elements(&mut el, checked.error.is_some());
        let payload = match (checked.kind, checked.error) {
            (Kind::Error, Some(error)) => IqPayload::Error {
                error,
                other: children.collect(),
            },
            (Kind::Get, _) => match children.next() {
                Some(p) => IqPayload::Get(p),
                None => IqPayload::Result(None),
            },
            (Kind::Set, _) => match children.next() {
                Some(p) => IqPayload::Set(p),
                None => IqPayload::Result(None),
            },
            (Kind::Result | Kind::Error, _) => IqPayload::Result(children.next()),
        };
        Ok(Iq {
            ns: el.ns().clone(),
            from: header.from,
            to: header.to,
            id: header.id.unwrap_or_default(),
            lang: header.lang,
            payload,
            attrs: header.attrs,
        })
    }
}

impl From<Iq> for Element {
    fn from(iq: Iq) -> Element {
        let mut el = Element::new(CompactStr::from_static("iq"), iq.ns.clone());
        let kind = iq.payload.type_str();
        let header = Header {
            from: iq.from,
            to: iq.to,
            id: Some(iq.id),
            lang: iq.lang,
            attrs: iq.attrs,
        };
        write_header(&mut el, header, Some(kind));
        match iq.payload {
            IqPayload::Get(p) | IqPayload::Set(p) | IqPayload::Result(Some(p)) => {
                el.append_child(p)
            }
            IqPayload::Result(None) => {}
            IqPayload::Error { error, other } => {
                for o in other {
                    el.append_child(o);
                }
                el.append_child(error.to_element_in(iq.ns.clone()));
            }
        }
        el
    }
}
