//! `<stream:features/>` (RFC 6120 §4.3.2) with the features this crate models:
//! STARTTLS (§5.4.1), SASL mechanisms (§6.4.1), resource binding (§7.4) and the
//! legacy session establishment of RFC 3921 §3. Any other feature is kept.

use crate::convert::{InvalidElement, Problem, expect, no_text, other_attrs, push_attrs, text_of};
use crate::element::{Attribute, Element, Node};
use crate::ns::{self, Namespace};
use crate::text::CompactStr;

/// The STARTTLS feature: `<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StartTlsFeature {
    /// Whether the feature carries `<required/>` (mandatory-to-negotiate).
    pub required: bool,
}

/// The legacy session feature of RFC 3921 §3 (`urn:ietf:params:xml:ns:xmpp-session`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionFeature {
    /// Whether the feature carries `<optional/>` (the server does not require the
    /// session request; draft-cridland-xmpp-session).
    pub optional: bool,
}

/// A `<stream:features/>` element.
///
/// ```
/// use xmpp_stanza::{StreamFeatures, StartTlsFeature, Element, NsContext};
///
/// let f = StreamFeatures {
///     starttls: Some(StartTlsFeature { required: true }),
///     ..StreamFeatures::default()
/// };
/// let xml = Element::from(f.clone()).to_xml_in(&NsContext::client()).unwrap();
/// assert_eq!(xml, "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>\
///                  <required/></starttls></stream:features>");
/// let back = StreamFeatures::try_from(&xmpp_stanza::parse_element(&xml, &NsContext::client()).unwrap());
/// assert_eq!(back.unwrap(), f);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamFeatures {
    /// STARTTLS, if offered.
    pub starttls: Option<StartTlsFeature>,
    /// The SASL mechanisms offered, in the server's order (`None` if the
    /// `<mechanisms/>` feature is absent).
    pub mechanisms: Option<Vec<CompactStr>>,
    /// Extension elements inside `<mechanisms/>` other than `<mechanism/>` (such as
    /// XEP-0233's `<hostname/>`), kept and written back after the mechanisms (only
    /// written when `mechanisms` is `Some`).
    pub mechanism_extensions: Vec<Element>,
    /// Whether resource binding is offered.
    pub bind: bool,
    /// Whether the bind feature carried `<required/>`, as Prosody sends it (RFC 3920
    /// style; RFC 6120 §7.3.1 makes binding mandatory anyway). Only meaningful with
    /// `bind`; kept so the feature is written back as received.
    pub bind_required: bool,
    /// The legacy session feature, if offered.
    pub session: Option<SessionFeature>,
    /// Every other feature element (and any known one in a form this type does not
    /// model), kept in order.
    pub other: Vec<Element>,
    /// Attributes of `<stream:features/>` itself, kept.
    pub attrs: Vec<Attribute>,
}

impl StreamFeatures {
    /// Whether no feature at all is offered (negotiation is complete).
    pub fn is_empty(&self) -> bool {
        self.starttls.is_none()
            && self.mechanisms.is_none()
            && !self.bind
            && self.session.is_none()
            && self.other.is_empty()
    }

    /// Whether the SASL mechanism `name` is offered.
    pub fn offers_mechanism(&self, name: &str) -> bool {
        self.mechanisms
            .as_ref()
            .is_some_and(|m| m.iter().any(|n| n == name))
    }
}

fn only_child(el: &Element, name: &str, ns: &str) -> Option<bool> {
    let plain = el.attrs().is_empty() && no_text(el).is_ok();
    let mut children = el.children();
    match (plain, children.next(), children.next()) {
        (true, None, _) => Some(false),
        (true, Some(c), None) if c.is(name, ns) && c.attrs().is_empty() && c.nodes().is_empty() => {
            Some(true)
        }
        _ => None,
    }
}

/// The mechanism names and the extension children of `<mechanisms/>`; `None` if a
/// `<mechanism/>` is not a plain non-empty name (the feature is then kept whole).
fn mechanisms(el: &Element) -> Option<(Vec<CompactStr>, Vec<Element>)> {
    if !el.attrs().is_empty() || no_text(el).is_err() {
        return None;
    }
    let mut names = Vec::new();
    let mut extensions = Vec::new();
    for m in el.children() {
        if *m.ns() != ns::XMPP_SASL {
            extensions.push(m.clone());
            continue;
        }
        let ok = m.name() == "mechanism"
            && m.attrs().is_empty()
            && m.children().next().is_none()
            && !m.text().is_empty();
        if !ok {
            return None;
        }
        names.push(text_of(m));
    }
    Some((names, extensions))
}

impl TryFrom<&Element> for StreamFeatures {
    type Error = InvalidElement;

    fn try_from(el: &Element) -> Result<StreamFeatures, InvalidElement> {
        expect(el, "features", ns::STREAM)?;
        let mut f = StreamFeatures {
            attrs: other_attrs(el, &[], false),
            ..Default::default()
        };
        for node in el.nodes() {
            let child = match node {
                Node::Element(c) => c,
                Node::Text(t) if crate::is_xml_whitespace(t) => continue,
                Node::Text(_) => return Err(InvalidElement::bad_request(Problem::UnexpectedText)),
            };
            let ns = child.ns().as_str();
            let known = match (child.name(), ns) {
                ("starttls", ns::XMPP_TLS) if f.starttls.is_none() => {
                    only_child(child, "required", ns::XMPP_TLS)
                        .map(|required| f.starttls = Some(StartTlsFeature { required }))
                }
                ("mechanisms", ns::XMPP_SASL) if f.mechanisms.is_none() => {
                    mechanisms(child).map(|(names, extensions)| {
                        f.mechanisms = Some(names);
                        f.mechanism_extensions = extensions;
                    })
                }
                ("bind", ns::XMPP_BIND) if !f.bind => only_child(child, "required", ns::XMPP_BIND)
                    .map(|required| {
                        f.bind = true;
                        f.bind_required = required;
                    }),
                ("session", ns::XMPP_SESSION) if f.session.is_none() => {
                    only_child(child, "optional", ns::XMPP_SESSION)
                        .map(|optional| f.session = Some(SessionFeature { optional }))
                }
                _ => None,
            };
            if known.is_none() {
                f.other.push(child.clone());
            }
        }
        Ok(f)
    }
}

fn feature(name: &'static str, ns: &'static str, flag: Option<&'static str>) -> Element {
    let ns = Namespace::from_static(ns);
    let mut el = Element::new(CompactStr::from_static(name), ns.clone());
    if let Some(flag) = flag {
        el.append_child(Element::new(CompactStr::from_static(flag), ns));
    }
    el
}

impl From<StreamFeatures> for Element {
    fn from(f: StreamFeatures) -> Element {
        let mut el = Element::new(CompactStr::from_static("features"), Namespace::STREAM);
        push_attrs(&mut el, &f.attrs);
        if let Some(tls) = f.starttls {
            el.append_child(feature(
                "starttls",
                ns::XMPP_TLS,
                tls.required.then_some("required"),
            ));
        }
        if let Some(mechs) = f.mechanisms {
            let sasl = Namespace::from_static(ns::XMPP_SASL);
            let mut m = Element::new(CompactStr::from_static("mechanisms"), sasl.clone());
            for name in mechs {
                m.append_child(
                    Element::new(CompactStr::from_static("mechanism"), sasl.clone())
                        .with_text(name),
                );
            }
            for extension in f.mechanism_extensions {
                m.append_child(extension);
            }
            el.append_child(m);
        }
        if f.bind {
            el.append_child(feature(
                "bind",
                ns::XMPP_BIND,
                f.bind_required.then_some("required"),
            ));
        }
        if let Some(s) = f.session {
            el.append_child(feature(
                "session",
                ns::XMPP_SESSION,
                s.optional.then_some("optional"),
            ));
        }
        for o in f.other {
            el.append_child(o);
        }
        el
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NsContext, parse_element};

    #[test]
    fn all_features_and_unknown_ones() {
        let xml = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\
            <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism>\
            <mechanism>PLAIN</mechanism></mechanisms><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>\
            <session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>\
            <ver xmlns='urn:xmpp:features:rosterver'/></stream:features>";
        let el = parse_element(xml, &NsContext::client()).unwrap();
        let f = StreamFeatures::try_from(&el).unwrap();
        assert_eq!(f.starttls, Some(StartTlsFeature { required: false }));
        assert!(f.offers_mechanism("PLAIN"));
        assert!(f.bind);
        assert_eq!(f.session, Some(SessionFeature { optional: true }));
        assert_eq!(f.other.len(), 1);
        assert_eq!(
            Element::from(f.clone())
                .to_xml_in(&NsContext::client())
                .unwrap(),
            xml
        );
        assert!(!f.is_empty());
        let empty = parse_element("<stream:features/>", &NsContext::client()).unwrap();
        assert!(StreamFeatures::try_from(&empty).unwrap().is_empty());
    }

    /// Prosody advertises `<bind><required/></bind>` (RFC 3920 style): that is the
    /// bind feature, and it is written back as received.
    #[test]
    fn bind_with_required_is_the_bind_feature() {
        let xml = "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/></bind>\
            <session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session></stream:features>";
        let el = parse_element(xml, &NsContext::client()).unwrap();
        let f = StreamFeatures::try_from(&el).unwrap();
        assert!(f.bind);
        assert!(f.bind_required);
        assert!(f.other.is_empty());
        assert_eq!(
            Element::from(f.clone())
                .to_xml_in(&NsContext::client())
                .unwrap(),
            xml
        );
        let plain = StreamFeatures {
            bind: true,
            ..StreamFeatures::default()
        };
        assert_eq!(
            Element::from(plain)
                .to_xml_in(&NsContext::client())
                .unwrap(),
            "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
        );
    }

    /// Extension elements inside `<mechanisms/>` (XEP-0233 `<hostname/>`) do not hide
    /// the mechanisms, and are written back after them.
    #[test]
    fn mechanisms_with_extension_children() {
        let xml = "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>\
            <mechanism>GSSAPI</mechanism><mechanism>SCRAM-SHA-1</mechanism>\
            <hostname xmlns='urn:xmpp:domain-based-name:1'>auth42.us.example.com</hostname>\
            </mechanisms></stream:features>";
        let el = parse_element(xml, &NsContext::client()).unwrap();
        let f = StreamFeatures::try_from(&el).unwrap();
        assert!(f.offers_mechanism("SCRAM-SHA-1"));
        assert_eq!(f.mechanism_extensions.len(), 1);
        assert!(f.other.is_empty());
        assert_eq!(
            Element::from(f).to_xml_in(&NsContext::client()).unwrap(),
            xml
        );
    }

    #[test]
    fn odd_known_features_are_kept_verbatim() {
        let xml = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><x/></starttls>\
            <mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism/></mechanisms>\
            <bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/><x/></bind>\
            </stream:features>";
        let el = parse_element(xml, &NsContext::client()).unwrap();
        let f = StreamFeatures::try_from(&el).unwrap();
        assert_eq!(f.starttls, None);
        assert_eq!(f.mechanisms, None);
        assert!(!f.bind);
        assert_eq!(f.other.len(), 3);
        assert_eq!(
            Element::from(f).to_xml_in(&NsContext::client()).unwrap(),
            xml
        );
    }
}
