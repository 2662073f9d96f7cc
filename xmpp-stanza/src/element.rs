//! The owned element tree: [`Element`], [`Node`] and [`Attribute`].
//!
//! Names are namespace-resolved: an element is identified by its namespace and local
//! name, never by the prefix it happened to be written with, and namespace
//! declarations are not attributes. Adjacent text is kept as one [`Node::Text`].

use std::borrow::Cow;

use crate::ns::Namespace;
use crate::text::CompactStr;

/// An attribute: namespace (usually [`Namespace::NONE`]), local name and value.
///
/// `xml:lang` is the attribute `lang` in [`Namespace::XML`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// The attribute's namespace; [`Namespace::NONE`] for an unprefixed attribute.
    pub ns: Namespace,
    /// The local name (no prefix).
    pub name: CompactStr,
    /// The value, with references already replaced.
    pub value: CompactStr,
}

impl Attribute {
    /// An unprefixed attribute.
    pub fn new(name: impl Into<CompactStr>, value: impl Into<CompactStr>) -> Attribute {
        Attribute {
            ns: Namespace::NONE,
            name: name.into(),
            value: value.into(),
        }
    }

    /// An attribute in namespace `ns`.
    pub fn with_ns(
        ns: impl Into<Namespace>,
        name: impl Into<CompactStr>,
        value: impl Into<CompactStr>,
    ) -> Attribute {
        Attribute {
            ns: ns.into(),
            name: name.into(),
            value: value.into(),
        }
    }

    /// Whether this attribute is `name` in namespace `ns`.
    pub fn is(&self, name: &str, ns: &str) -> bool {
        self.name == name && self.ns == ns
    }
}

/// A child of an element: an element or a run of character data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A child element.
    Element(Element),
    /// Character data (CDATA sections and references already folded in).
    Text(CompactStr),
}

impl Node {
    /// The element, if this node is one.
    pub fn as_element(&self) -> Option<&Element> {
        match self {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        }
    }

    /// The text, if this node is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Node::Text(t) => Some(t),
            Node::Element(_) => None,
        }
    }

    /// Whether this node is text made only of XML whitespace (space, tab, CR, LF).
    pub fn is_whitespace(&self) -> bool {
        matches!(self, Node::Text(t) if is_xml_whitespace(t))
    }
}

/// Whether `s` is made only of XML whitespace (space, tab, CR, LF).
pub fn is_xml_whitespace(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// An XML element with its attributes and ordered children.
///
/// Equality compares namespace, local name, the *set* of attributes (their order
/// does not matter in XML) and the children in order.
///
/// ```
/// use xmpp_stanza::{Element, Namespace, ns};
///
/// let msg = Element::new("message", Namespace::CLIENT)
///     .with_attr("type", "chat")
///     .with_child(Element::new("body", Namespace::CLIENT).with_text("hi"));
/// assert_eq!(msg.attr("type"), Some("chat"));
/// assert_eq!(msg.child("body", ns::CLIENT).map(|b| b.text()).as_deref(), Some("hi"));
/// ```
#[derive(Clone, Debug)]
pub struct Element {
    name: CompactStr,
    ns: Namespace,
    attrs: Vec<Attribute>,
    children: Vec<Node>,
}

impl Element {
    /// An element with no attributes and no children.
    pub fn new(name: impl Into<CompactStr>, ns: impl Into<Namespace>) -> Element {
        Element {
            name: name.into(),
            ns: ns.into(),
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }

    /// An element from its parts (used by the tree builder; keeps the given order).
    pub(crate) fn from_parts(name: CompactStr, ns: Namespace, attrs: Vec<Attribute>) -> Element {
        Element {
            name,
            ns,
            attrs,
            children: Vec::new(),
        }
    }

    /// The local name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The namespace.
    pub fn ns(&self) -> &Namespace {
        &self.ns
    }

    /// Whether this element is `name` in namespace `ns`.
    pub fn is(&self, name: &str, ns: &str) -> bool {
        self.name == name && self.ns == ns
    }

    /// Changes the namespace of this element only (not of its children).
    pub fn set_ns(&mut self, ns: impl Into<Namespace>) {
        self.ns = ns.into();
    }

    // ----- attributes -----

    /// The value of the unprefixed attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attr_ns(name, "")
    }

    /// The value of attribute `name` in namespace `ns` (`""` for none).
    pub fn attr_ns(&self, name: &str, ns: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.is(name, ns))
            .map(|a| a.value.as_str())
    }

    /// The `xml:lang` of this element itself (not inherited).
    pub fn lang(&self) -> Option<&str> {
        self.attr_ns("lang", crate::ns::XML)
    }

    /// The language in effect for this element: its own `xml:lang`, else `inherited`
    /// (the parent's effective language, or the stream's).
    pub fn lang_or<'a>(&'a self, inherited: Option<&'a str>) -> Option<&'a str> {
        self.lang().or(inherited)
    }

    /// All attributes, in document (or insertion) order.
    pub fn attrs(&self) -> &[Attribute] {
        &self.attrs
    }

    /// Sets the unprefixed attribute `name`, replacing an existing value in place.
    pub fn set_attr(&mut self, name: impl Into<CompactStr>, value: impl Into<CompactStr>) {
        self.set_attr_ns(Namespace::NONE, name, value);
    }

    /// Sets attribute `name` in namespace `ns`, replacing an existing value in place.
    pub fn set_attr_ns(
        &mut self,
        ns: impl Into<Namespace>,
        name: impl Into<CompactStr>,
        value: impl Into<CompactStr>,
    ) {
        let (ns, name, value) = (ns.into(), name.into(), value.into());
        match self.attrs.iter_mut().find(|a| a.name == name && a.ns == ns) {
            Some(a) => a.value = value,
            None => self.attrs.push(Attribute { ns, name, value }),
        }
    }

    /// Builder form of [`Element::set_attr`].
    pub fn with_attr(mut self, name: impl Into<CompactStr>, value: impl Into<CompactStr>) -> Self {
        self.set_attr(name, value);
        self
    }

    /// Builder form of [`Element::set_attr_ns`].
    pub fn with_attr_ns(
        mut self,
        ns: impl Into<Namespace>,
        name: impl Into<CompactStr>,
        value: impl Into<CompactStr>,
    ) -> Self {
        self.set_attr_ns(ns, name, value);
        self
    }

    /// Removes the unprefixed attribute `name` and returns its value.
    pub fn remove_attr(&mut self, name: &str) -> Option<CompactStr> {
        self.remove_attr_ns(name, "")
    }

    /// Removes attribute `name` in namespace `ns` and returns its value.
    pub fn remove_attr_ns(&mut self, name: &str, ns: &str) -> Option<CompactStr> {
        let i = self.attrs.iter().position(|a| a.is(name, ns))?;
        Some(self.attrs.remove(i).value)
    }

    /// Takes all attributes out of the element.
    pub fn take_attrs(&mut self) -> Vec<Attribute> {
        std::mem::take(&mut self.attrs)
    }

    // ----- children -----

    /// All child nodes in order.
    pub fn nodes(&self) -> &[Node] {
        &self.children
    }

    /// The child elements in order (text skipped).
    pub fn children(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(Node::as_element)
    }

    /// The child elements named `name` in namespace `ns`.
    pub fn children_named<'a>(
        &'a self,
        name: &'a str,
        ns: &'a str,
    ) -> impl Iterator<Item = &'a Element> {
        self.children().filter(move |c| c.is(name, ns))
    }

    /// The first child element named `name` in namespace `ns`.
    pub fn child(&self, name: &str, ns: &str) -> Option<&Element> {
        self.children().find(|c| c.is(name, ns))
    }

    /// Mutable access to the first child element named `name` in namespace `ns`.
    pub fn child_mut(&mut self, name: &str, ns: &str) -> Option<&mut Element> {
        self.children.iter_mut().find_map(|n| match n {
            Node::Element(e) if e.is(name, ns) => Some(e),
            _ => None,
        })
    }

    /// Whether a child element named `name` in namespace `ns` exists.
    pub fn has_child(&self, name: &str, ns: &str) -> bool {
        self.child(name, ns).is_some()
    }

    /// The character data directly inside this element (child elements' text not
    /// included). Borrowed unless it is split around child elements.
    pub fn text(&self) -> Cow<'_, str> {
        let mut texts = self.children.iter().filter_map(Node::as_text);
        let Some(first) = texts.next() else {
            return Cow::Borrowed("");
        };
        match texts.next() {
            None => Cow::Borrowed(first),
            Some(second) => {
                let mut s = String::from(first);
                s.push_str(second);
                texts.for_each(|t| s.push_str(t));
                Cow::Owned(s)
            }
        }
    }

    /// Appends a child element.
    pub fn append_child(&mut self, child: Element) {
        self.children.push(Node::Element(child));
    }

    /// Appends text, merging it with a preceding text node; empty text is ignored.
    pub fn append_text(&mut self, text: impl Into<CompactStr>) {
        let text = text.into();
        if text.is_empty() {
            return;
        }
        if let Some(Node::Text(prev)) = self.children.last_mut() {
            let mut merged = String::with_capacity(prev.len() + text.len());
            merged.push_str(prev);
            merged.push_str(&text);
            *prev = CompactStr::from(merged);
        } else {
            self.children.push(Node::Text(text));
        }
    }

    /// Appends a node (text is merged like [`Element::append_text`]).
    pub fn append_node(&mut self, node: Node) {
        match node {
            Node::Element(e) => self.append_child(e),
            Node::Text(t) => self.append_text(t),
        }
    }

    /// Sets the children (the tree builder already merged adjacent text).
    pub(crate) fn set_children(&mut self, children: Vec<Node>) {
        self.children = children;
    }

    /// Builder form of [`Element::append_child`].
    pub fn with_child(mut self, child: Element) -> Self {
        self.append_child(child);
        self
    }

    /// Builder form of [`Element::append_text`].
    pub fn with_text(mut self, text: impl Into<CompactStr>) -> Self {
        self.append_text(text);
        self
    }

    /// Removes and returns the first child element named `name` in namespace `ns`.
    pub fn remove_child(&mut self, name: &str, ns: &str) -> Option<Element> {
        let i = self
            .children
            .iter()
            .position(|n| matches!(n, Node::Element(e) if e.is(name, ns)))?;
        match self.children.remove(i) {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        }
    }

    /// Takes all child nodes out of the element.
    pub fn take_nodes(&mut self) -> Vec<Node> {
        std::mem::take(&mut self.children)
    }

    /// Splits the element into name, namespace, attributes and children.
    pub fn into_parts(self) -> (CompactStr, Namespace, Vec<Attribute>, Vec<Node>) {
        (self.name, self.ns, self.attrs, self.children)
    }

    /// Removes whitespace-only text from every element of this subtree that also has
    /// child elements (indentation between elements), recursively. Text-only
    /// elements keep their whitespace. Useful to compare pretty-printed XML with
    /// compact XML.
    pub fn strip_formatting(&mut self) {
        if self.children.iter().any(|n| matches!(n, Node::Element(_))) {
            self.children.retain(|n| !n.is_whitespace());
        }
        for n in &mut self.children {
            if let Node::Element(e) = n {
                e.strip_formatting();
            }
        }
    }
}

impl Element {
    /// Equality that ignores the order of this element's direct children (deeper
    /// levels are compared in order). Typed stanzas write their known children in a
    /// canonical order, so this is how a typed round trip is compared.
    pub fn eq_ignoring_child_order(&self, other: &Element) -> bool {
        let shallow = |e: &Element| e.clone_shallow();
        if shallow(self) != shallow(other) || self.children.len() != other.children.len() {
            return false;
        }
        let mut used = vec![false; other.children.len()];
        self.children.iter().all(|a| {
            let found = other
                .children
                .iter()
                .enumerate()
                .find(|(i, b)| !used[*i] && *b == a);
            match found {
                Some((i, _)) => {
                    used[i] = true;
                    true
                }
                None => false,
            }
        })
    }

    fn clone_shallow(&self) -> Element {
        Element {
            name: self.name.clone(),
            ns: self.ns.clone(),
            attrs: self.attrs.clone(),
            children: Vec::new(),
        }
    }
}

impl PartialEq for Element {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.ns == other.ns
            && self.attrs.len() == other.attrs.len()
            && self.attrs.iter().all(|a| {
                other
                    .attrs
                    .iter()
                    .any(|b| a.name == b.name && a.ns == b.ns && a.value == b.value)
            })
            && self.children == other.children
    }
}

impl Eq for Element {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_order_does_not_matter() {
        let a = Element::new("a", "urn:x")
            .with_attr("x", "1")
            .with_attr("y", "2");
        let b = Element::new("a", "urn:x")
            .with_attr("y", "2")
            .with_attr("x", "1");
        assert_eq!(a, b);
        assert_ne!(a, b.clone().with_attr("x", "3"));
        assert_ne!(
            a,
            Element::new("a", "urn:y")
                .with_attr("x", "1")
                .with_attr("y", "2")
        );
    }

    #[test]
    fn text_is_merged_and_read_back() {
        let mut e = Element::new("body", "jabber:client");
        e.append_text("a");
        e.append_text("");
        e.append_text("b");
        assert_eq!(e.nodes().len(), 1);
        assert_eq!(e.text(), "ab");
        e.append_child(Element::new("x", "urn:x"));
        e.append_text("c");
        assert_eq!(e.text(), "abc");
        assert!(matches!(e.text(), Cow::Owned(_)));
    }

    #[test]
    fn lookups_and_removal() {
        let mut e = Element::new("iq", "jabber:client")
            .with_attr_ns(crate::ns::XML, "lang", "en")
            .with_child(Element::new("query", "jabber:iq:roster"))
            .with_child(Element::new("query", "urn:other"));
        assert_eq!(e.lang(), Some("en"));
        assert_eq!(e.lang_or(Some("de")), Some("en"));
        assert_eq!(e.children().count(), 2);
        assert!(e.has_child("query", "urn:other"));
        assert_eq!(e.children_named("query", "jabber:iq:roster").count(), 1);
        assert!(e.remove_child("query", "jabber:iq:roster").is_some());
        assert!(e.child("query", "jabber:iq:roster").is_none());
        assert_eq!(
            e.remove_attr_ns("lang", crate::ns::XML).as_deref(),
            Some("en")
        );
        assert_eq!(e.lang(), None);
        e.set_attr("id", "1");
        e.set_attr("id", "2");
        assert_eq!(e.attrs().len(), 1);
        assert_eq!(e.attr("id"), Some("2"));
    }

    #[test]
    fn strip_formatting_keeps_text_only_whitespace() {
        let mut e = Element::new("a", "")
            .with_text("\n  ")
            .with_child(Element::new("b", "").with_text("  "))
            .with_text("\n");
        e.strip_formatting();
        assert_eq!(e.nodes().len(), 1);
        assert_eq!(
            e.child("b", "").map(|b| b.text().into_owned()),
            Some("  ".into())
        );
    }
}
