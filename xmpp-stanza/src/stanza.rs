//! [`Stanza`] (any of message, presence, iq), the conversion error
//! [`InvalidStanza`], and what the three stanza kinds share: addressing attributes.
//!
//! Conversion from an element is done in two passes so that a rejected element is
//! handed back untouched (the caller needs it to answer with an error): the first
//! pass only reads and validates (parsing JIDs and enumerations), the second moves
//! strings and payloads out of the element without copying.

use std::fmt;

use xmpp_jid::Jid;

use crate::convert::{InvalidElement, LangText, Problem, jid_attr};
use crate::element::{Attribute, Element, Node};
use crate::iq::Iq;
use crate::message::Message;
use crate::ns::{self, Namespace};
use crate::presence::Presence;
use crate::stanza_error::{StanzaError, error_reply};
use crate::text::CompactStr;

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

/// The addressing attributes every stanza has, and the ones it does not model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) from: Option<Jid>,
    pub(crate) to: Option<Jid>,
    pub(crate) id: Option<CompactStr>,
    pub(crate) lang: Option<CompactStr>,
    pub(crate) attrs: Vec<Attribute>,
}

/// A stanza element after the steps every stanza kind shares: its header moved
/// out, and what the kind's own first pass found.
pub(crate) struct Converted<C> {
    /// The element, without its attributes.
    pub(crate) el: Element,
    pub(crate) header: Header,
    pub(crate) checked: C,
}

/// The conversion steps every stanza kind shares: the element must be `name` in a
/// content namespace; the first pass parses `from` and `to`, then runs the kind's
/// own `check` (which returns its findings and whether the `type` value is one it
/// models); only then is anything moved out of the element. A rejected element is
/// handed back untouched, for the error reply.
pub(crate) fn convert<C>(
    mut el: Element,
    name: &str,
    check: impl FnOnce(&Element) -> Result<(C, bool), InvalidElement>,
) -> Result<Converted<C>, InvalidStanza> {
    if el.name() != name || !is_content_ns(el.ns()) {
        let error = InvalidElement::bad_request(Problem::UnexpectedElement);
        return Err(InvalidStanza::new(el, error));
    }
    let first_pass = jid_attr(&el, "from").and_then(|from| {
        let to = jid_attr(&el, "to")?;
        Ok((from, to, check(&el)?))
    });
    let (from, to, (checked, type_modelled)) = match first_pass {
        Ok(found) => found,
        Err(e) => return Err(InvalidStanza::new(el, e)),
    };
    let header = take_header(&mut el, from, to, type_modelled);
    Ok(Converted {
        el,
        header,
        checked,
    })
}

/// The `type` attribute read with `from_name`; `None` when absent, bad-request when
/// present but not a value the stanza kind defines.
pub(crate) fn stanza_type<T>(
    el: &Element,
    from_name: fn(&str) -> Option<T>,
) -> Result<Option<T>, InvalidElement> {
    el.attr("type")
        .map(|t| {
            from_name(t).ok_or(InvalidElement::bad_request(Problem::InvalidAttribute(
                "type",
            )))
        })
        .transpose()
}

/// The child elements of a converted stanza in order, text dropped, without the
/// `<error/>` child the first pass already read (the first one in the stanza's
/// namespace) when `skip_error`.
pub(crate) fn child_elements(
    el: &mut Element,
    skip_error: bool,
) -> impl Iterator<Item = Element> + use<> {
    let ns = el.ns().clone();
    let mut skip_error = skip_error;
    el.take_nodes()
        .into_iter()
        .filter_map(move |node| match node {
            Node::Element(child) => {
                let is_error = skip_error && child.name() == "error" && *child.ns() == ns;
                skip_error &= !is_error;
                (!is_error).then_some(child)
            }
            Node::Text(_) => None,
        })
}

/// The text among `texts` in the stanza's language `stanza_lang`: the one without
/// its own `xml:lang` or with the stanza's, else the first.
pub(crate) fn pick_lang_text<'a>(
    texts: &'a [LangText],
    stanza_lang: Option<&str>,
) -> Option<&'a str> {
    texts
        .iter()
        .find(|t| t.lang.is_none() || t.lang.as_deref() == stanza_lang)
        .or(texts.first())
        .map(|t| t.text.as_str())
}

/// Second pass: moves `id`, `xml:lang` and unknown attributes out of `el`; `to`,
/// `from` and (when `type_modelled`) `type` were parsed in the first pass and are
/// dropped. A `type` the stanza type does not model is kept with the unknown ones.
pub(crate) fn take_header(
    el: &mut Element,
    from: Option<Jid>,
    to: Option<Jid>,
    type_modelled: bool,
) -> Header {
    let mut header = Header {
        from,
        to,
        ..Header::default()
    };
    for a in el.take_attrs() {
        if a.ns.is_none() {
            match a.name.as_str() {
                "id" => header.id = Some(a.value),
                "to" | "from" => {}
                "type" if type_modelled => {}
                _ => header.attrs.push(a),
            }
        } else if a.is("lang", ns::XML) {
            header.lang = Some(a.value);
        } else {
            header.attrs.push(a);
        }
    }
    header
}

/// Writes the header attributes in the usual order: from, to, id, type, xml:lang,
/// then the unknown ones (which never override a modelled one).
pub(crate) fn write_header(el: &mut Element, header: Header, kind: Option<&'static str>) {
    if let Some(from) = header.from {
        el.set_attr(CompactStr::from_static("from"), from.as_str());
    }
    if let Some(to) = header.to {
        el.set_attr(CompactStr::from_static("to"), to.as_str());
    }
    if let Some(id) = header.id {
        el.set_attr(CompactStr::from_static("id"), id);
    }
    if let Some(kind) = kind {
        el.set_attr(
            CompactStr::from_static("type"),
            CompactStr::from_static(kind),
        );
    }
    if let Some(lang) = header.lang {
        el.set_attr_ns(Namespace::XML, CompactStr::from_static("lang"), lang);
    }
    for a in header.attrs {
        if el.attr_ns(&a.name, a.ns.as_str()).is_none() {
            el.set_attr_ns(a.ns, a.name, a.value);
        }
    }
}

/// Second pass over a text-only child validated in the first: moves its language
/// and text out.
pub(crate) fn take_lang_text(mut el: Element) -> LangText {
    let lang = el
        .take_attrs()
        .into_iter()
        .find(|a| a.is("lang", ns::XML))
        .map(|a| a.value);
    let mut nodes = el.take_nodes();
    let text = match nodes.len() {
        0 => CompactStr::EMPTY,
        1 => match nodes.pop() {
            Some(Node::Text(t)) => t,
            _ => CompactStr::EMPTY,
        },
        _ => CompactStr::from(nodes.iter().filter_map(Node::as_text).collect::<String>()),
    };
    LangText { lang, text }
}

/// First-pass check that no two `name` children share a language (RFC 6121
/// §5.2.3, §4.7.2.2), where a child without `xml:lang` is in the stanza's
/// language (inheritance). Quadratic in the (tiny) number of such children, but
/// allocation-free.
pub(crate) fn check_unique_langs(el: &Element, name: &'static str) -> Result<(), InvalidElement> {
    let ns = el.ns().as_str();
    fn lang<'a>(child: &'a Element, stanza: &'a Element) -> Option<&'a str> {
        child.lang().or(stanza.lang())
    }
    for (i, a) in el.children_named(name, ns).enumerate() {
        if el
            .children_named(name, ns)
            .take(i)
            .any(|b| lang(b, el) == lang(a, el))
        {
            return Err(InvalidElement::bad_request(Problem::DuplicateChild(name)));
        }
    }
    Ok(())
}

/// Reads the first `<error/>` child in the stanza's namespace.
pub(crate) fn find_error(el: &Element) -> Result<StanzaError, InvalidElement> {
    let error = el
        .children()
        .find(|c| c.name() == "error" && c.ns() == el.ns())
        .ok_or(InvalidElement::bad_request(Problem::MissingChild("error")))?;
    StanzaError::try_from(error)
}

/// Swaps the addresses of a header for a reply, keeping the id and language.
pub(crate) fn reply_header(
    from: &Option<Jid>,
    to: &Option<Jid>,
    id: &Option<CompactStr>,
) -> Header {
    Header {
        from: to.clone(),
        to: from.clone(),
        id: id.clone(),
        lang: None,
        attrs: Vec::new(),
    }
}
