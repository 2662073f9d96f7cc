//! What typed conversions share: the conversion error ([`InvalidElement`],
//! [`Problem`]), language-tagged text ([`LangText`]) and small helpers for reading
//! and writing elements.

use std::fmt;

use xmpp_jid::Jid;

use crate::element::{Attribute, Element, Node, is_xml_whitespace};
use crate::ns::{self, Namespace};
use crate::stanza_error::StanzaErrorCondition;
use crate::text::CompactStr;

/// What was wrong with an element that could not be converted to a typed value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Problem {
    /// The element is not the kind the type represents (other name or namespace).
    UnexpectedElement,
    /// A required attribute is missing.
    MissingAttribute(&'static str),
    /// An attribute has a value the protocol does not allow (including a JID that
    /// does not parse).
    InvalidAttribute(&'static str),
    /// The named element carries an attribute its protocol does not define (and the
    /// typed value has nowhere to keep).
    UnexpectedAttribute(&'static str),
    /// A required child element is missing.
    MissingChild(&'static str),
    /// A child element that may appear at most once appears more often.
    DuplicateChild(&'static str),
    /// A child element has content the protocol does not allow (a `priority` of 300,
    /// a `show` of `busy`, a nested element where only text is allowed, ...).
    InvalidChild(&'static str),
    /// Character data (other than whitespace) where only elements are allowed.
    UnexpectedText,
    /// An IQ `get`/`set` without exactly one payload, or a `result` with more than one
    /// (RFC 6120 §8.2.3).
    PayloadCount,
    /// Character data that must be base64 (RFC 4648 §4) is not.
    InvalidBase64,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::UnexpectedElement => f.write_str("unexpected element"),
            Problem::MissingAttribute(a) => write!(f, "missing attribute '{a}'"),
            Problem::InvalidAttribute(a) => write!(f, "invalid value of attribute '{a}'"),
            Problem::UnexpectedAttribute(e) => write!(f, "unexpected attribute on <{e}/>"),
            Problem::MissingChild(c) => write!(f, "missing child element <{c}/>"),
            Problem::DuplicateChild(c) => write!(f, "more than one <{c}/>"),
            Problem::InvalidChild(c) => write!(f, "invalid content of <{c}/>"),
            Problem::UnexpectedText => f.write_str("unexpected character data"),
            Problem::PayloadCount => f.write_str("wrong number of IQ payload elements"),
            Problem::InvalidBase64 => f.write_str("invalid base64 data"),
        }
    }
}

/// An element that could not be converted to a typed value: what was wrong, and
/// the RFC 6120 §8.3.3 stanza error condition to answer with.
///
/// ```
/// use xmpp_stanza::{Element, Namespace, Presence, Problem, StanzaErrorCondition};
///
/// let el = Element::new("presence", Namespace::CLIENT).with_attr("type", "busy");
/// let err = Presence::try_from(el).unwrap_err();
/// assert_eq!(err.problem(), Problem::InvalidAttribute("type"));
/// assert_eq!(err.condition(), StanzaErrorCondition::BadRequest);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InvalidElement {
    problem: Problem,
    condition: StanzaErrorCondition,
}

impl InvalidElement {
    /// An error with an explicit answer condition.
    pub fn new(problem: Problem, condition: StanzaErrorCondition) -> InvalidElement {
        InvalidElement { problem, condition }
    }

    /// An error answered with `bad-request`.
    pub fn bad_request(problem: Problem) -> InvalidElement {
        InvalidElement::new(problem, StanzaErrorCondition::BadRequest)
    }

    /// What was wrong.
    pub fn problem(&self) -> Problem {
        self.problem
    }

    /// The stanza error condition to answer with (`bad-request`, `jid-malformed`, ...).
    pub fn condition(&self) -> StanzaErrorCondition {
        self.condition
    }
}

impl fmt::Display for InvalidElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (answer: {})", self.problem, self.condition.name())
    }
}

impl std::error::Error for InvalidElement {}

/// Human-readable text with an optional `xml:lang` (a `body`, `subject`, `status`,
/// or error `text`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LangText {
    /// The element's own `xml:lang`, if it has one (otherwise the language is
    /// inherited from the enclosing stanza or stream).
    pub lang: Option<CompactStr>,
    /// The text.
    pub text: CompactStr,
}

impl LangText {
    /// Text without its own language tag.
    pub fn new(text: impl Into<CompactStr>) -> LangText {
        LangText {
            lang: None,
            text: text.into(),
        }
    }

    /// Text tagged with `lang`.
    pub fn with_lang(lang: impl Into<CompactStr>, text: impl Into<CompactStr>) -> LangText {
        LangText {
            lang: Some(lang.into()),
            text: text.into(),
        }
    }

    /// Reads a text-only element (attributes other than `xml:lang` and child
    /// elements are refused as `InvalidChild(name)`).
    pub(crate) fn from_element(
        el: &Element,
        name: &'static str,
    ) -> Result<LangText, InvalidElement> {
        LangText::check(el, name)?;
        Ok(LangText {
            lang: el.lang().map(CompactStr::from),
            text: text_of(el),
        })
    }

    /// Checks that `el` is a text-only element (what [`LangText::from_element`]
    /// accepts) without copying its text.
    pub(crate) fn check(el: &Element, name: &'static str) -> Result<(), InvalidElement> {
        let only_lang = el.attrs().iter().all(|a| a.is("lang", ns::XML));
        if !only_lang || el.children().next().is_some() {
            return Err(InvalidElement::bad_request(Problem::InvalidChild(name)));
        }
        Ok(())
    }

    /// Writes the text as element `name` in `ns`.
    pub(crate) fn to_element(&self, name: &'static str, ns: Namespace) -> Element {
        let mut el = Element::new(CompactStr::from_static(name), ns);
        if let Some(lang) = &self.lang {
            el.set_attr_ns(Namespace::XML, "lang", lang.clone());
        }
        el.with_text(self.text.clone())
    }
}

/// The text of an element that may carry neither attributes nor child elements
/// (`show`, `priority`, a roster `group`, a bound `jid`); anything else is
/// `InvalidChild(name)` rather than dropped.
pub(crate) fn plain_text(el: &Element, name: &'static str) -> Result<CompactStr, InvalidElement> {
    if !el.attrs().is_empty() || el.children().next().is_some() {
        return Err(InvalidElement::bad_request(Problem::InvalidChild(name)));
    }
    Ok(text_of(el))
}

/// The single text node of `el` (or the concatenation if it is split).
pub(crate) fn text_of(el: &Element) -> CompactStr {
    match el.nodes() {
        [] => CompactStr::EMPTY,
        [Node::Text(t)] => t.clone(),
        _ => CompactStr::from(el.text().into_owned()),
    }
}

/// `name` as one of the static `names` (so a [`Problem`] can name the element);
/// `UnexpectedElement` if it is none of them.
pub(crate) fn one_of(name: &str, names: &[&'static str]) -> Result<&'static str, InvalidElement> {
    names
        .iter()
        .copied()
        .find(|n| *n == name)
        .ok_or(InvalidElement::bad_request(Problem::UnexpectedElement))
}

/// Refuses every attribute of `el` except the unprefixed ones in `known`, naming
/// the element `name` in the error.
pub(crate) fn only_attrs(
    el: &Element,
    name: &'static str,
    known: &[&str],
) -> Result<(), InvalidElement> {
    let unexpected = el
        .attrs()
        .iter()
        .any(|a| !(a.ns.is_none() && known.contains(&a.name.as_str())));
    if unexpected {
        Err(InvalidElement::bad_request(Problem::UnexpectedAttribute(
            name,
        )))
    } else {
        Ok(())
    }
}

/// Checks the element's name and namespace.
pub(crate) fn expect(el: &Element, name: &str, ns: &str) -> Result<(), InvalidElement> {
    if el.is(name, ns) {
        Ok(())
    } else {
        Err(InvalidElement::bad_request(Problem::UnexpectedElement))
    }
}

/// The attributes of `el` other than the unprefixed ones named in `known` (and
/// `xml:lang` when `with_lang`), cloned.
pub(crate) fn other_attrs(el: &Element, known: &[&str], with_lang: bool) -> Vec<Attribute> {
    el.attrs()
        .iter()
        .filter(|a| {
            let is_known = a.ns.is_none() && known.contains(&a.name.as_str());
            let is_lang = with_lang && a.is("lang", ns::XML);
            !is_known && !is_lang
        })
        .cloned()
        .collect()
}

/// Refuses non-whitespace text directly inside `el`.
pub(crate) fn no_text(el: &Element) -> Result<(), InvalidElement> {
    let has_text = el
        .nodes()
        .iter()
        .any(|n| matches!(n, Node::Text(t) if !is_xml_whitespace(t)));
    if has_text {
        Err(InvalidElement::bad_request(Problem::UnexpectedText))
    } else {
        Ok(())
    }
}

/// Parses an optional JID attribute; a malformed one is `jid-malformed`.
pub(crate) fn jid_attr(el: &Element, name: &'static str) -> Result<Option<Jid>, InvalidElement> {
    el.attr(name)
        .map(|v| {
            Jid::new(v).map_err(|_| {
                InvalidElement::new(
                    Problem::InvalidAttribute(name),
                    StanzaErrorCondition::JidMalformed,
                )
            })
        })
        .transpose()
}

/// Appends `extra` attributes (kept from parsing) to `el`.
pub(crate) fn push_attrs(el: &mut Element, extra: &[Attribute]) {
    for a in extra {
        el.set_attr_ns(a.ns.clone(), a.name.clone(), a.value.clone());
    }
}

/// A child element with no attributes and no content: `<name xmlns='ns'/>`.
pub(crate) fn empty(name: &'static str, ns: &'static str) -> Element {
    Element::new(CompactStr::from_static(name), Namespace::from_static(ns))
}
