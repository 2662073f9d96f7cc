//! Property tests: parse(serialize(e)) == e for generated element trees, in several
//! namespace contexts, with non-ASCII text, characters that need escaping and odd
//! namespace names; and the tree builder never panics on arbitrary input.

use proptest::prelude::*;
use xmpp_stanza::{Element, NsContext, parse_element};

const NAMESPACES: &[&str] = &[
    "",
    "jabber:client",
    "jabber:server",
    "http://etherx.jabber.org/streams",
    "urn:ietf:params:xml:ns:xmpp-stanzas",
    "urn:x",
    "urn:a'b\"c&d<e>f",
    "http://例え.jp/ns#\u{e9}",
    "urn:tab\tand\nnewline",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z_][a-zA-Z0-9_.-]{0,8}",
        Just("ünïcödé".to_string()),
        Just("名前".to_string()),
        Just("message".to_string()),
    ]
}

fn namespace() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(NAMESPACES)
}

fn text() -> impl Strategy<Value = String> {
    "[^\u{0}-\u{8}\u{B}\u{C}\u{E}-\u{1F}\u{FFFE}\u{FFFF}]{1,12}|[&<>'\"\r\n\t ]{1,6}|]]>"
}

fn attrs() -> impl Strategy<Value = Vec<(&'static str, String, String)>> {
    let attr_ns = prop_oneof![
        4 => Just(""),
        1 => Just("http://www.w3.org/XML/1998/namespace"),
        1 => namespace(),
    ];
    proptest::collection::vec((attr_ns, name(), text()), 0..4)
}

fn leaf() -> impl Strategy<Value = Element> {
    (name(), namespace(), attrs()).prop_map(|(name, ns, attrs)| {
        let mut e = Element::new(name, ns);
        for (ns, name, value) in attrs {
            if e.attr_ns(&name, ns).is_none() {
                e.set_attr_ns(ns, name, value);
            }
        }
        e
    })
}

#[derive(Clone, Debug)]
enum Child {
    Element(Element),
    Text(String),
}

fn tree() -> impl Strategy<Value = Element> {
    leaf().prop_recursive(4, 32, 4, |inner| {
        let child = prop_oneof![inner.prop_map(Child::Element), text().prop_map(Child::Text)];
        (leaf(), proptest::collection::vec(child, 0..4)).prop_map(|(mut e, children)| {
            for c in children {
                match c {
                    Child::Element(c) => e.append_child(c),
                    Child::Text(t) => e.append_text(t),
                }
            }
            e
        })
    })
}

fn contexts() -> Vec<NsContext> {
    vec![
        NsContext::empty(),
        NsContext::client(),
        NsContext::server().with_lang("en"),
        NsContext::client()
            .with_prefix("ns0", "urn:x")
            .with_prefix("p", "jabber:client"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn parse_of_serialize_is_identity(e in tree()) {
        for ctx in contexts() {
            let xml = e.to_xml_in(&ctx).unwrap();
            let back = parse_element(&xml, &ctx);
            prop_assert_eq!(back.as_ref(), Ok(&e), "context {:?}\n{}", ctx, xml);
            // Writing the parsed tree again gives the same bytes.
            prop_assert_eq!(back.unwrap().to_xml_in(&ctx).unwrap(), xml);
        }
    }

    #[test]
    fn arbitrary_input_never_panics(s in "(<[a-z:/!?]{0,3}|[a-z='\"&;# >]{0,4}|&#x?[0-9a-fA-F]{0,7};?|\u{0}|\u{FFFE}|<!\\[CDATA\\[|\\]\\]>|xmlns(:[a-z])?=''){0,24}") {
        let _ = parse_element(&s, &NsContext::client());
        let _ = xmpp_stanza::TreeBuilder::new().parse_start_tag(&s, &NsContext::empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let s = String::from_utf8_lossy(&bytes);
        let _ = parse_element(&s, &NsContext::client());
    }
}
