//! What the conversions of [`Message`](crate::Message), [`Presence`](crate::Presence)
//! and [`Iq`](crate::Iq) share: the addressing header, the two-pass conversion
//! (validate first, so a rejected element is handed back untouched; then move
//! strings and payloads out without copying), language-tagged children, the
//! `<error/>` child, and reply addressing.

use xmpp_jid::Jid;

use crate::convert::{InvalidElement, LangText, Problem, jid_attr};
use crate::element::{Attribute, Element, Node};
use crate::ns::{self, Namespace};
use crate::stanza::{InvalidStanza, is_content_ns};
use crate::stanza_error::StanzaError;
use crate::text::CompactStr;

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
/// language (inheritance). Allocation-free for zero or one such child (the usual
/// case); otherwise sorts the languages, so a hostile stanza with thousands of
/// bodies costs O(n log n), not O(n²).
pub(crate) fn check_unique_langs(el: &Element, name: &'static str) -> Result<(), InvalidElement> {
    let ns = el.ns().as_str();
    let mut named = el.children_named(name, ns);
    if named.next().is_none() || named.next().is_none() {
        return Ok(());
    }
    let stanza_lang = el.lang();
    let langs = el
        .children_named(name, ns)
        .map(|child| child.lang().or(stanza_lang))
        .collect();
    match find_duplicate(langs) {
        Some(_) => Err(InvalidElement::bad_request(Problem::DuplicateChild(name))),
        None => Ok(()),
    }
}

/// A value that occurs twice in `values`, found by sorting (deterministic, no
/// hashing).
pub(crate) fn find_duplicate<T: Ord>(mut values: Vec<T>) -> Option<T> {
    values.sort_unstable();
    let i = values.windows(2).position(|w| w[0] == w[1])?;
    Some(values.swap_remove(i))
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
