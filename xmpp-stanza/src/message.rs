//! [`Message`] stanzas (RFC 6120 §8.2.1, RFC 6121 §5).

use std::fmt;

use xmpp_jid::Jid;

use crate::convert::{InvalidElement, LangText, Problem, no_text};
use crate::element::Element;
use crate::ns::Namespace;
use crate::stanza::InvalidStanza;
use crate::stanza_error::StanzaError;
use crate::stanza_parts::{
    Converted, Header, check_unique_langs, child_elements, convert, find_error, pick_lang_text,
    reply_header, take_lang_text, write_header,
};
use crate::text::CompactStr;

/// The `type` of a message (RFC 6121 §5.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// One-to-one chat.
    Chat,
    /// An error reply.
    Error,
    /// Multi-user chat.
    Groupchat,
    /// An alert or notice that expects no reply.
    Headline,
    /// A standalone message (the default when `type` is absent).
    Normal,
}

impl MessageType {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageType::Chat => "chat",
            MessageType::Error => "error",
            MessageType::Groupchat => "groupchat",
            MessageType::Headline => "headline",
            MessageType::Normal => "normal",
        }
    }

    /// The type for an attribute value.
    pub fn from_name(s: &str) -> Option<MessageType> {
        Some(match s {
            "chat" => MessageType::Chat,
            "error" => MessageType::Error,
            "groupchat" => MessageType::Groupchat,
            "headline" => MessageType::Headline,
            "normal" => MessageType::Normal,
            _ => return None,
        })
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A conversation thread (RFC 6121 §5.2.5): its id and optional parent thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Thread {
    /// The thread identifier.
    pub id: CompactStr,
    /// The parent thread, if this thread was spawned from one.
    pub parent: Option<CompactStr>,
}

/// A `<message/>` stanza.
///
/// ```
/// use xmpp_stanza::{Message, MessageType, NsContext, Element, parse_element};
/// use xmpp_jid::Jid;
///
/// let msg = Message::chat(Jid::new("romeo@example.net").unwrap(), "Wherefore art thou?")
///     .with_id("m1");
/// let xml = Element::from(msg.clone()).to_xml_in(&NsContext::client()).unwrap();
/// assert_eq!(xml, "<message to='romeo@example.net' id='m1' type='chat'><body>Wherefore art thou?</body></message>");
/// let back = Message::try_from(parse_element(&xml, &NsContext::client()).unwrap()).unwrap();
/// assert_eq!(back, msg);
/// assert_eq!(back.body(), Some("Wherefore art thou?"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The stanza's namespace (`jabber:client` or `jabber:server`).
    pub ns: Namespace,
    /// The sender.
    pub from: Option<Jid>,
    /// The recipient.
    pub to: Option<Jid>,
    /// The stanza id.
    pub id: Option<CompactStr>,
    /// The `type` attribute; `None` when absent or not one RFC 6121 defines, both of
    /// which mean `normal` (§5.2.2). An unknown value is kept in `attrs`.
    pub kind: Option<MessageType>,
    /// The stanza's `xml:lang`.
    pub lang: Option<CompactStr>,
    /// `<subject/>` children, at most one per language.
    pub subjects: Vec<LangText>,
    /// `<body/>` children, at most one per language.
    pub bodies: Vec<LangText>,
    /// The `<thread/>` child.
    pub thread: Option<Thread>,
    /// The `<error/>` child of an error message.
    pub error: Option<StanzaError>,
    /// Every other child element (extension payloads), in order.
    pub payloads: Vec<Element>,
    /// Attributes this type does not model, kept.
    pub attrs: Vec<crate::Attribute>,
}

impl Message {
    /// An empty `normal` message (no `type` attribute) in `jabber:client`.
    pub fn new() -> Message {
        Message {
            ns: Namespace::CLIENT,
            from: None,
            to: None,
            id: None,
            kind: None,
            lang: None,
            subjects: Vec::new(),
            bodies: Vec::new(),
            thread: None,
            error: None,
            payloads: Vec::new(),
            attrs: Vec::new(),
        }
    }

    /// A chat message to `to` with one body.
    pub fn chat(to: Jid, body: impl Into<CompactStr>) -> Message {
        Message {
            to: Some(to),
            kind: Some(MessageType::Chat),
            bodies: vec![LangText::new(body)],
            ..Message::new()
        }
    }

    /// Sets the id.
    pub fn with_id(mut self, id: impl Into<CompactStr>) -> Message {
        self.id = Some(id.into());
        self
    }

    /// The effective type (`normal` when the attribute is absent).
    pub fn message_type(&self) -> MessageType {
        self.kind.unwrap_or(MessageType::Normal)
    }

    /// The body in the stanza's default language: the one without its own
    /// `xml:lang` (or with the stanza's), else the first.
    pub fn body(&self) -> Option<&str> {
        pick_lang_text(&self.bodies, self.lang.as_deref())
    }

    /// The subject in the stanza's default language (see [`Message::body`]).
    pub fn subject(&self) -> Option<&str> {
        pick_lang_text(&self.subjects, self.lang.as_deref())
    }

    /// The error reply to this message: addresses swapped, same id, `type='error'`
    /// (`None` if this message is itself an error).
    pub fn error_reply(&self, error: StanzaError) -> Option<Message> {
        if self.message_type() == MessageType::Error {
            return None;
        }
        let h = reply_header(&self.from, &self.to, &self.id);
        Some(Message {
            ns: self.ns.clone(),
            from: h.from,
            to: h.to,
            id: h.id,
            kind: Some(MessageType::Error),
            error: Some(error),
            ..Message::new()
        })
    }

    /// First pass: validation, and the values that need parsing; says whether the
    /// `type` value is one this type models.
    fn check(el: &Element) -> Result<(Checked, bool), InvalidElement> {
        // RFC 6121 §5.2.2: a type the application does not understand means
        // `normal`; the value itself is kept among the unmodelled attributes.
        let kind = el.attr("type").and_then(MessageType::from_name);
        no_text(el)?;
        let ns = el.ns().as_str();
        let mut threads = 0;
        for child in el.children().filter(|c| c.ns() == ns) {
            match child.name() {
                name @ ("body" | "subject") => {
                    LangText::check(child, if name == "body" { "body" } else { "subject" })?;
                }
                "thread" => {
                    threads += 1;
                    let attrs_ok = child
                        .attrs()
                        .iter()
                        .all(|a| a.ns.is_none() && a.name == "parent");
                    if threads > 1 {
                        return Err(InvalidElement::bad_request(Problem::DuplicateChild(
                            "thread",
                        )));
                    }
                    if !attrs_ok || child.children().next().is_some() || child.text().is_empty() {
                        return Err(InvalidElement::bad_request(Problem::InvalidChild("thread")));
                    }
                }
                _ => {}
            }
        }
        for name in ["body", "subject"] {
            check_unique_langs(el, name)?;
        }
        let error = match kind {
            Some(MessageType::Error) => Some(find_error(el)?),
            _ => None,
        };
        Ok((Checked { kind, error }, kind.is_some()))
    }
}

impl Default for Message {
    fn default() -> Self {
        Message::new()
    }
}

struct Checked {
    kind: Option<MessageType>,
    error: Option<StanzaError>,
}

impl TryFrom<Element> for Message {
    type Error = InvalidStanza;

    fn try_from(el: Element) -> Result<Message, InvalidStanza> {
        let Converted {
            mut el,
            header,
            checked,
        } = convert(el, "message", Message::check)?;
        let mut msg = Message {
            ns: el.ns().clone(),
            from: header.from,
            to: header.to,
            id: header.id,
            kind: checked.kind,
            lang: header.lang,
            attrs: header.attrs,
            ..Message::new()
        };
        for mut child in child_elements(&mut el, checked.error.is_some()) {
            if child.ns() != &msg.ns {
                msg.payloads.push(child);
                continue;
            }
            match child.name() {
                "body" => msg.bodies.push(take_lang_text(child)),
                "subject" => msg.subjects.push(take_lang_text(child)),
                "thread" => {
                    let parent = child.remove_attr("parent");
                    msg.thread = Some(Thread {
                        id: take_lang_text(child).text,
                        parent,
                    });
                }
                _ => msg.payloads.push(child),
            }
        }
        msg.error = checked.error;
        Ok(msg)
    }
}

impl From<Message> for Element {
    fn from(msg: Message) -> Element {
        let mut el = Element::new(CompactStr::from_static("message"), msg.ns.clone());
        let header = Header {
            from: msg.from,
            to: msg.to,
            id: msg.id,
            lang: msg.lang,
            attrs: msg.attrs,
        };
        write_header(&mut el, header, msg.kind.map(MessageType::as_str));
        for s in &msg.subjects {
            el.append_child(s.to_element("subject", msg.ns.clone()));
        }
        for b in &msg.bodies {
            el.append_child(b.to_element("body", msg.ns.clone()));
        }
        if let Some(thread) = msg.thread {
            let mut t = Element::new(CompactStr::from_static("thread"), msg.ns.clone());
            if let Some(parent) = thread.parent {
                t.set_attr("parent", parent);
            }
            el.append_child(t.with_text(thread.id));
        }
        for p in msg.payloads {
            el.append_child(p);
        }
        if let Some(error) = msg.error {
            el.append_child(error.to_element_in(msg.ns.clone()));
        }
        el
    }
}
