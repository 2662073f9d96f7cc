//! [`Presence`] stanzas (RFC 6120 §8.2.2, RFC 6121 §4).

use std::fmt;

use xmpp_jid::Jid;

use crate::convert::{InvalidElement, LangText, Problem, no_text, plain_text};
use crate::element::Element;
use crate::ns::Namespace;
use crate::stanza::InvalidStanza;
use crate::stanza_error::StanzaError;
use crate::stanza_parts::{
    Converted, Header, check_unique_langs, child_elements, convert, find_error, pick_lang_text,
    reply_header, stanza_type, take_lang_text, write_header,
};
use crate::text::CompactStr;

/// The `type` of a presence stanza (RFC 6121 §4.7.1); absence means available.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PresenceType {
    /// An error reply.
    Error,
    /// A request for the contact's current presence (sent by servers).
    Probe,
    /// A subscription request.
    Subscribe,
    /// A subscription approval.
    Subscribed,
    /// The entity is no longer available.
    Unavailable,
    /// Unsubscribing from the contact's presence.
    Unsubscribe,
    /// A subscription denial or cancellation.
    Unsubscribed,
}

impl PresenceType {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceType::Error => "error",
            PresenceType::Probe => "probe",
            PresenceType::Subscribe => "subscribe",
            PresenceType::Subscribed => "subscribed",
            PresenceType::Unavailable => "unavailable",
            PresenceType::Unsubscribe => "unsubscribe",
            PresenceType::Unsubscribed => "unsubscribed",
        }
    }

    /// The type for an attribute value (`available` is not one: it is the absence
    /// of the attribute).
    pub fn from_name(s: &str) -> Option<PresenceType> {
        Some(match s {
            "error" => PresenceType::Error,
            "probe" => PresenceType::Probe,
            "subscribe" => PresenceType::Subscribe,
            "subscribed" => PresenceType::Subscribed,
            "unavailable" => PresenceType::Unavailable,
            "unsubscribe" => PresenceType::Unsubscribe,
            "unsubscribed" => PresenceType::Unsubscribed,
            _ => return None,
        })
    }
}

impl fmt::Display for PresenceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `<show/>` availability sub-state (RFC 6121 §4.7.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Show {
    /// Temporarily away.
    Away,
    /// Free to chat.
    Chat,
    /// Do not disturb.
    Dnd,
    /// Extended away.
    Xa,
}

impl Show {
    /// The element text.
    pub fn as_str(self) -> &'static str {
        match self {
            Show::Away => "away",
            Show::Chat => "chat",
            Show::Dnd => "dnd",
            Show::Xa => "xa",
        }
    }

    /// The value for an element text.
    pub fn from_name(s: &str) -> Option<Show> {
        Some(match s {
            "away" => Show::Away,
            "chat" => Show::Chat,
            "dnd" => Show::Dnd,
            "xa" => Show::Xa,
            _ => return None,
        })
    }
}

/// A `<presence/>` stanza.
///
/// ```
/// use xmpp_stanza::{Presence, PresenceType, Show, NsContext, parse_element};
///
/// let el = parse_element("<presence xml:lang='en'><show>away</show><status>brb</status>\
///                         <priority>-1</priority></presence>", &NsContext::client()).unwrap();
/// let p = Presence::try_from(el).unwrap();
/// assert_eq!(p.show, Some(Show::Away));
/// assert_eq!(p.priority, Some(-1));
/// assert!(p.is_available());
/// let bad = parse_element("<presence><priority>300</priority></presence>", &NsContext::client()).unwrap();
/// assert!(Presence::try_from(bad).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presence {
    /// The stanza's namespace (`jabber:client` or `jabber:server`).
    pub ns: Namespace,
    /// The sender.
    pub from: Option<Jid>,
    /// The recipient.
    pub to: Option<Jid>,
    /// The stanza id.
    pub id: Option<CompactStr>,
    /// The `type`; `None` (attribute absent) means available.
    pub kind: Option<PresenceType>,
    /// The stanza's `xml:lang`.
    pub lang: Option<CompactStr>,
    /// The `<show/>` child.
    pub show: Option<Show>,
    /// `<status/>` children, at most one per language.
    pub statuses: Vec<LangText>,
    /// The `<priority/>` child, -128..=127.
    pub priority: Option<i8>,
    /// The `<error/>` child of an error presence.
    pub error: Option<StanzaError>,
    /// Every other child element (extension payloads), in order.
    pub payloads: Vec<Element>,
    /// Attributes this type does not model, kept.
    pub attrs: Vec<crate::Attribute>,
}

impl Presence {
    /// An available presence (no `type`) in `jabber:client`.
    pub fn available() -> Presence {
        Presence {
            ns: Namespace::CLIENT,
            from: None,
            to: None,
            id: None,
            kind: None,
            lang: None,
            show: None,
            statuses: Vec::new(),
            priority: None,
            error: None,
            payloads: Vec::new(),
            attrs: Vec::new(),
        }
    }

    /// A presence of the given type.
    pub fn of_type(kind: PresenceType) -> Presence {
        Presence {
            kind: Some(kind),
            ..Presence::available()
        }
    }

    /// Sets the recipient.
    pub fn with_to(mut self, to: Jid) -> Presence {
        self.to = Some(to);
        self
    }

    /// Whether this is available presence (no `type`).
    pub fn is_available(&self) -> bool {
        self.kind.is_none()
    }

    /// The status in the stanza's default language (the one without its own
    /// `xml:lang`, or with the stanza's), else the first.
    pub fn status(&self) -> Option<&str> {
        pick_lang_text(&self.statuses, self.lang.as_deref())
    }

    /// The error reply to this presence (`None` if it is itself an error).
    pub fn error_reply(&self, error: StanzaError) -> Option<Presence> {
        if self.kind == Some(PresenceType::Error) {
            return None;
        }
        let h = reply_header(&self.from, &self.to, &self.id);
        Some(Presence {
            ns: self.ns.clone(),
            from: h.from,
            to: h.to,
            id: h.id,
            error: Some(error),
            ..Presence::of_type(PresenceType::Error)
        })
    }

    /// First pass: validation, and the values that need parsing.
    fn check(el: &Element) -> Result<(Checked, bool), InvalidElement> {
        let kind = stanza_type(el, PresenceType::from_name)?;
        no_text(el)?;
        let ns = el.ns().as_str();
        let mut show = None;
        let mut priority = None;
        for child in el.children().filter(|c| c.ns() == ns) {
            match child.name() {
                "show" => {
                    if show.is_some() {
                        return Err(InvalidElement::bad_request(Problem::DuplicateChild("show")));
                    }
                    show = Some(
                        Show::from_name(&plain_text(child, "show")?)
                            .ok_or(InvalidElement::bad_request(Problem::InvalidChild("show")))?,
                    );
                }
                "priority" => {
                    if priority.is_some() {
                        return Err(InvalidElement::bad_request(Problem::DuplicateChild(
                            "priority",
                        )));
                    }
                    let invalid = InvalidElement::bad_request(Problem::InvalidChild("priority"));
                    let text = plain_text(child, "priority")?;
                    priority = Some(text.parse::<i8>().map_err(|_| invalid)?);
                }
                "status" => {
                    LangText::check(child, "status")?;
                }
                _ => {}
            }
        }
        check_unique_langs(el, "status")?;
        let error = match kind {
            Some(PresenceType::Error) => Some(find_error(el)?),
            _ => None,
        };
        let checked = Checked {
            kind,
            show,
            priority,
            error,
        };
        Ok((checked, true))
    }
}

struct Checked {
    kind: Option<PresenceType>,
    show: Option<Show>,
    priority: Option<i8>,
    error: Option<StanzaError>,
}

impl TryFrom<Element> for Presence {
    type Error = InvalidStanza;

    fn try_from(el: Element) -> Result<Presence, InvalidStanza> {
        let Converted {
            mut el,
            header,
            checked,
        } = convert(el, "presence", Presence::check)?;
        let mut p = Presence {
            ns: el.ns().clone(),
            from: header.from,
            to: header.to,
            id: header.id,
            kind: checked.kind,
            lang: header.lang,
            show: checked.show,
            priority: checked.priority,
            attrs: header.attrs,
            ..Presence::available()
        };
        for child in child_elements(&mut el, checked.error.is_some()) {
            if child.ns() != &p.ns {
                p.payloads.push(child);
                continue;
            }
            match child.name() {
                "show" | "priority" => {}
                "status" => p.statuses.push(take_lang_text(child)),
                _ => p.payloads.push(child),
            }
        }
        p.error = checked.error;
        Ok(p)
    }
}

impl From<Presence> for Element {
    fn from(p: Presence) -> Element {
        let mut el = Element::new(CompactStr::from_static("presence"), p.ns.clone());
        let header = Header {
            from: p.from,
            to: p.to,
            id: p.id,
            lang: p.lang,
            attrs: p.attrs,
        };
        write_header(&mut el, header, p.kind.map(PresenceType::as_str));
        if let Some(show) = p.show {
            el.append_child(
                Element::new(CompactStr::from_static("show"), p.ns.clone())
                    .with_text(CompactStr::from_static(show.as_str())),
            );
        }
        for s in &p.statuses {
            el.append_child(s.to_element("status", p.ns.clone()));
        }
        if let Some(priority) = p.priority {
            el.append_child(
                Element::new(CompactStr::from_static("priority"), p.ns.clone())
                    .with_text(priority.to_string()),
            );
        }
        for payload in p.payloads {
            el.append_child(payload);
        }
        if let Some(error) = p.error {
            el.append_child(error.to_element_in(p.ns.clone()));
        }
        el
    }
}
