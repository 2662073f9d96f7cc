//! The serializer: elements to bytes, relative to a namespace context.
//!
//! Output is deterministic: attributes in the element's order, namespace
//! declarations first and only where the context (or an ancestor in the output)
//! does not already make them. Text escapes `&`, `<`, `>` and CR; attribute values
//! (quoted with `'`) also escape `'`, tab and LF, so that parsing the output gives
//! back exactly the same element.

use crate::context::NsContext;
use crate::element::{Attribute, Element, Node};
use crate::error::SerializeError;
use crate::ns::{self, Namespace};
use crate::reference::{is_name_char, is_name_start_char};

/// Prefix declarations made by the output so far, innermost last.
struct Scope<'c> {
    ctx: &'c NsContext,
    declared: Vec<(String, Namespace)>,
}

impl Scope<'_> {
    fn lookup_prefix(&self, prefix: &str) -> Option<&Namespace> {
        if let Some((_, ns)) = self.declared.iter().rev().find(|(p, _)| p == prefix) {
            return Some(ns);
        }
        self.ctx.prefix_ns(prefix)
    }

    /// A prefix in scope bound to `ns` (not shadowed by a later declaration).
    fn prefix_for(&self, ns: &Namespace) -> Option<&str> {
        if *ns == Namespace::XML {
            return Some("xml");
        }
        let local = self.declared.iter().rev().map(|(p, n)| (p.as_str(), n));
        let ctx = self
            .ctx
            .prefixes()
            .iter()
            .map(|b| (b.prefix.as_str(), &b.ns));
        local
            .chain(ctx)
            .find(|(p, n)| *n == ns && self.lookup_prefix(p) == Some(ns))
            .map(|(p, _)| p)
    }

    fn fresh_prefix(&self) -> String {
        (0usize..)
            .map(|i| format!("ns{i}"))
            .find(|p| self.lookup_prefix(p).is_none())
            .unwrap_or_default()
    }
}

impl Element {
    /// Appends this element as XML to `out`, leaving out the namespace declarations
    /// `ctx` already makes (so a stanza written with the stream's context carries no
    /// `xmlns='jabber:client'`).
    ///
    /// ```
    /// use xmpp_stanza::{Element, Namespace, NsContext};
    ///
    /// let msg = Element::new("message", Namespace::CLIENT)
    ///     .with_attr("to", "romeo@example.net")
    ///     .with_child(Element::new("body", Namespace::CLIENT).with_text("a < b & 'c'"));
    /// let mut out = Vec::new();
    /// msg.write_to(&mut out, &NsContext::client()).unwrap();
    /// assert_eq!(out, b"<message to='romeo@example.net'><body>a &lt; b &amp; 'c'</body></message>");
    /// ```
    pub fn write_to(&self, out: &mut Vec<u8>, ctx: &NsContext) -> Result<(), SerializeError> {
        let mark = out.len();
        let mut scope = Scope {
            ctx,
            declared: Vec::new(),
        };
        let result = write_element(self, out, &mut scope, ctx.default_ns());
        if result.is_err() {
            out.truncate(mark);
        }
        result
    }

    /// This element as a standalone XML string (every namespace declared).
    pub fn to_xml(&self) -> Result<String, SerializeError> {
        self.to_xml_in(&NsContext::empty())
    }

    /// This element as an XML string relative to `ctx` (see [`Element::write_to`]).
    pub fn to_xml_in(&self, ctx: &NsContext) -> Result<String, SerializeError> {
        let mut out = Vec::new();
        self.write_to(&mut out, ctx)?;
        // Everything written is either copied from `str`s or ASCII markup.
        Ok(String::from_utf8(out).unwrap_or_default())
    }

    /// Writes only the start tag of this element (attributes, no children, not
    /// closed), declaring the default namespace and every prefix of `content` —
    /// the context its content will be written in — plus a prefix for any attribute
    /// namespace `content` has none for. This is how a stream header is written:
    /// `<stream:stream xmlns='jabber:client' xmlns:stream='...' ...>`.
    ///
    /// The element name uses a prefix of `content` bound to its namespace if there is
    /// one.
    pub fn write_start_tag(
        &self,
        out: &mut Vec<u8>,
        content: &NsContext,
    ) -> Result<(), SerializeError> {
        let mark = out.len();
        let result = write_start_tag(self, out, content);
        if result.is_err() {
            out.truncate(mark);
        }
        result
    }

    /// Writes the end tag matching [`Element::write_start_tag`] with the same context.
    pub fn write_end_tag(&self, out: &mut Vec<u8>, content: &NsContext) {
        out.extend_from_slice(b"</");
        if let Some(p) = content
            .prefix_for(self.ns())
            .filter(|_| *self.ns() != *content.default_ns())
        {
            out.extend_from_slice(p.as_bytes());
            out.push(b':');
        }
        out.extend_from_slice(self.name().as_bytes());
        out.push(b'>');
    }
}

fn write_start_tag(
    el: &Element,
    out: &mut Vec<u8>,
    content: &NsContext,
) -> Result<(), SerializeError> {
    check_name(el.name())?;
    out.push(b'<');
    let prefix = content
        .prefix_for(el.ns())
        .filter(|_| *el.ns() != *content.default_ns());
    if let Some(p) = prefix {
        out.extend_from_slice(p.as_bytes());
        out.push(b':');
    } else if *el.ns() != *content.default_ns() {
        return Err(SerializeError::UnboundNamespace);
    }
    out.extend_from_slice(el.name().as_bytes());
    out.extend_from_slice(b" xmlns='");
    escape_attr(content.default_ns().as_str(), out)?;
    out.push(b'\'');
    for b in content.prefixes() {
        check_name(&b.prefix)?;
        out.extend_from_slice(b" xmlns:");
        out.extend_from_slice(b.prefix.as_bytes());
        out.extend_from_slice(b"='");
        escape_attr(b.ns.as_str(), out)?;
        out.push(b'\'');
    }
    let mut scope = Scope {
        ctx: content,
        declared: Vec::new(),
    };
    declare_attr_namespaces(el, out, &mut scope)?;
    for a in el.attrs() {
        let p = attr_prefix(a, &scope)?;
        write_attr(out, p, a)?;
    }
    out.push(b'>');
    Ok(())
}

/// Declares a fresh prefix for each attribute namespace of `el` that has no prefix
/// in scope (unprefixed attributes are in no namespace, so these need one).
fn declare_attr_namespaces(
    el: &Element,
    out: &mut Vec<u8>,
    scope: &mut Scope<'_>,
) -> Result<(), SerializeError> {
    for a in el.attrs() {
        if !a.ns.is_none() && a.ns != ns::XMLNS && scope.prefix_for(&a.ns).is_none() {
            let p = scope.fresh_prefix();
            out.extend_from_slice(b" xmlns:");
            out.extend_from_slice(p.as_bytes());
            out.extend_from_slice(b"='");
            escape_attr(a.ns.as_str(), out)?;
            out.push(b'\'');
            scope.declared.push((p, a.ns.clone()));
        }
    }
    Ok(())
}

fn attr_prefix<'s>(a: &Attribute, scope: &'s Scope<'_>) -> Result<Option<&'s str>, SerializeError> {
    check_name(&a.name)?;
    if a.ns.is_none() {
        if a.name == "xmlns" {
            return Err(SerializeError::InvalidName);
        }
        return Ok(None);
    }
    if a.ns == ns::XMLNS {
        return Err(SerializeError::InvalidName);
    }
    Ok(scope.prefix_for(&a.ns))
}

fn write_attr(
    out: &mut Vec<u8>,
    prefix: Option<&str>,
    a: &Attribute,
) -> Result<(), SerializeError> {
    out.push(b' ');
    if let Some(p) = prefix {
        out.extend_from_slice(p.as_bytes());
        out.push(b':');
    }
    out.extend_from_slice(a.name.as_bytes());
    out.extend_from_slice(b"='");
    escape_attr(&a.value, out)?;
    out.push(b'\'');
    Ok(())
}

fn write_element(
    el: &Element,
    out: &mut Vec<u8>,
    scope: &mut Scope<'_>,
    default_ns: &Namespace,
) -> Result<(), SerializeError> {
    check_name(el.name())?;
    let declared_mark = scope.declared.len();
    out.push(b'<');
    let name_start = out.len();
    let mut new_default: Option<&Namespace> = None;
    if el.ns() != default_ns {
        match scope.prefix_for(el.ns()) {
            Some(p) if !el.ns().is_none() => {
                out.extend_from_slice(p.as_bytes());
                out.push(b':');
            }
            _ => new_default = Some(el.ns()),
        }
    }
    out.extend_from_slice(el.name().as_bytes());
    let name_end = out.len();
    if let Some(ns) = new_default {
        out.extend_from_slice(b" xmlns='");
        escape_attr(ns.as_str(), out)?;
        out.push(b'\'');
    }
    declare_attr_namespaces(el, out, scope)?;
    for a in el.attrs() {
        let p = attr_prefix(a, scope)?;
        write_attr(out, p, a)?;
    }
    let child_default = new_default.unwrap_or(default_ns);
    if el.nodes().is_empty() {
        out.extend_from_slice(b"/>");
    } else {
        out.push(b'>');
        for node in el.nodes() {
            match node {
                Node::Element(child) => write_element(child, out, scope, child_default)?,
                Node::Text(t) => escape_text(t, out)?,
            }
        }
        out.extend_from_slice(b"</");
        out.extend_from_within(name_start..name_end);
        out.push(b'>');
    }
    scope.declared.truncate(declared_mark);
    Ok(())
}

/// Checks that `name` is an XML NCName (ASCII fast path).
fn check_name(name: &str) -> Result<(), SerializeError> {
    let bytes = name.as_bytes();
    let ascii_ok = match bytes.first() {
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => bytes[1..]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')),
        _ => false,
    };
    if ascii_ok {
        return Ok(());
    }
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if is_name_start_char(c) && chars.all(is_name_char) => Ok(()),
        _ => Err(SerializeError::InvalidName),
    }
}

/// Escapes character data.
pub(crate) fn escape_text(s: &str, out: &mut Vec<u8>) -> Result<(), SerializeError> {
    escape(s, out, false)
}

/// Escapes an attribute value delimited by `'`.
pub(crate) fn escape_attr(s: &str, out: &mut Vec<u8>) -> Result<(), SerializeError> {
    escape(s, out, true)
}

fn escape(s: &str, out: &mut Vec<u8>, attribute: bool) -> Result<(), SerializeError> {
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let replacement: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#xD;",
            b'\'' if attribute => b"&apos;",
            b'\n' if attribute => b"&#xA;",
            b'\t' if attribute => b"&#x9;",
            b'\n' | b'\t' => continue,
            0..=0x1F => return Err(SerializeError::IllegalCharacter { ch: char::from(b) }),
            // U+FFFE and U+FFFF are EF BF BE / EF BF BF.
            0xEF if bytes.get(i + 1) == Some(&0xBF)
                && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                let ch = if bytes.get(i + 2) == Some(&0xBE) {
                    '\u{FFFE}'
                } else {
                    '\u{FFFF}'
                };
                return Err(SerializeError::IllegalCharacter { ch });
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[run..i]);
        out.extend_from_slice(replacement);
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(e: &Element, ctx: &NsContext) -> String {
        e.to_xml_in(ctx).unwrap()
    }

    #[test]
    fn escaping() {
        let mut out = Vec::new();
        escape_text("a&b<c>d'e\"f\r\n\tg", &mut out).unwrap();
        assert_eq!(out, b"a&amp;b&lt;c&gt;d'e\"f&#xD;\n\tg");
        out.clear();
        escape_attr("a&b<c>d'e\"f\r\n\tg", &mut out).unwrap();
        assert_eq!(out, b"a&amp;b&lt;c&gt;d&apos;e\"f&#xD;&#xA;&#x9;g");
        assert_eq!(
            escape_text("\u{0}", &mut out),
            Err(SerializeError::IllegalCharacter { ch: '\u{0}' })
        );
        assert_eq!(
            escape_attr("ok\u{FFFE}", &mut out),
            Err(SerializeError::IllegalCharacter { ch: '\u{FFFE}' })
        );
        assert_eq!(
            escape_text("\u{e9}\u{FFFF}", &mut out),
            Err(SerializeError::IllegalCharacter { ch: '\u{FFFF}' })
        );
        assert!(escape_text("\u{FFFD}\u{EFFF}\u{10FFFF}", &mut out).is_ok());
    }

    #[test]
    fn minimal_declarations() {
        let ctx = NsContext::client();
        let features = Element::new("features", Namespace::STREAM)
            .with_child(Element::new("bind", ns::XMPP_BIND));
        assert_eq!(
            xml(&features, &ctx),
            "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
        );
        assert_eq!(
            xml(&features, &NsContext::empty()),
            "<features xmlns='http://etherx.jabber.org/streams'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></features>"
        );
        let none = Element::new("a", Namespace::NONE);
        assert_eq!(xml(&none, &ctx), "<a xmlns=''/>");
        assert_eq!(xml(&none, &NsContext::empty()), "<a/>");
    }

    #[test]
    fn namespaced_attributes_get_prefixes() {
        let e = Element::new("message", Namespace::CLIENT)
            .with_attr_ns(ns::XML, "lang", "en")
            .with_attr_ns("urn:x", "a", "1")
            .with_child(Element::new("b", Namespace::CLIENT).with_attr_ns("urn:x", "c", "2"));
        assert_eq!(
            xml(&e, &NsContext::client()),
            "<message xmlns:ns0='urn:x' xml:lang='en' ns0:a='1'><b ns0:c='2'/></message>"
        );
        let ctx = NsContext::client().with_prefix("ns0", "urn:y");
        assert_eq!(
            xml(&e, &ctx),
            "<message xmlns:ns1='urn:x' xml:lang='en' ns1:a='1'><b ns1:c='2'/></message>"
        );
    }

    #[test]
    fn invalid_names_and_chars_are_refused() {
        let ctx = NsContext::empty();
        assert_eq!(
            Element::new("a b", "").to_xml_in(&ctx),
            Err(SerializeError::InvalidName)
        );
        assert_eq!(
            Element::new("", "").to_xml_in(&ctx),
            Err(SerializeError::InvalidName)
        );
        assert_eq!(
            Element::new("a", "")
                .with_attr("xmlns", "x")
                .to_xml_in(&ctx),
            Err(SerializeError::InvalidName)
        );
        assert_eq!(
            Element::new("a", "").with_text("\u{7}").to_xml_in(&ctx),
            Err(SerializeError::IllegalCharacter { ch: '\u{7}' })
        );
        let mut out = b"kept".to_vec();
        assert!(
            Element::new("a", "")
                .with_text("\u{7}")
                .write_to(&mut out, &ctx)
                .is_err()
        );
        assert_eq!(out, b"kept");
    }

    #[test]
    fn stream_header() {
        let header = Element::new("stream", Namespace::STREAM)
            .with_attr("to", "example.com")
            .with_attr("version", "1.0");
        let ctx = NsContext::client();
        let mut out = Vec::new();
        header.write_start_tag(&mut out, &ctx).unwrap();
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>"
        );
        out.clear();
        header.write_end_tag(&mut out, &ctx);
        assert_eq!(out, b"</stream:stream>");
    }

    /// A start tag whose element namespace is neither the content context's default
    /// nor bound to a prefix in it cannot be written (its end tag must match).
    #[test]
    fn start_tag_needs_its_namespace_in_the_context() {
        let mut out = b"kept".to_vec();
        let err = Element::new("open", "urn:elsewhere")
            .write_start_tag(&mut out, &NsContext::client())
            .unwrap_err();
        assert_eq!(err, SerializeError::UnboundNamespace);
        assert_eq!(out, b"kept");
    }

    /// A namespaced attribute whose namespace the content context has no prefix for
    /// gets one declared, as in `write_to` — it used to be written unprefixed,
    /// silently moving it out of its namespace.
    #[test]
    fn stream_header_declares_attribute_namespaces() {
        let header = Element::new("stream", Namespace::STREAM)
            .with_attr_ns(ns::XML, "lang", "en")
            .with_attr_ns("urn:example:custom", "flag", "1");
        let ctx = NsContext::client();
        let mut out = Vec::new();
        header.write_start_tag(&mut out, &ctx).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
             xmlns:ns0='urn:example:custom' xml:lang='en' ns0:flag='1'>"
        );
        let open = crate::TreeBuilder::new()
            .parse_start_tag(&text, &NsContext::empty())
            .unwrap();
        assert_eq!(open.element, header);
    }
}
