//! The XML layer through the public API: tree builder well-formedness rules and the
//! stream error condition each violation maps to, namespaces, and the serializer.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use xmpp_stanza::{
    Attribute, Construct, Element, Limits, Namespace, Node, NsContext, StreamErrorCondition as C,
    TreeBuilder, XmlRule, ns, parse_element,
};

fn client(input: &str) -> Result<Element, xmpp_stanza::ParseError> {
    parse_element(input, &NsContext::client())
}

fn rule(input: &str) -> (XmlRule, C) {
    let err = client(input).expect_err(input);
    (err.rule(), err.condition())
}

#[test]
fn builds_a_chat_message() {
    let e = client(
        "<message from='juliet@example.com/balcony' id='ktx72v49' to='romeo@example.net' \
         type='chat' xml:lang='en'><body>Art thou not Romeo, and a Montague?</body></message>",
    )
    .unwrap();
    assert!(e.is("message", ns::CLIENT));
    assert_eq!(e.attr("to"), Some("romeo@example.net"));
    assert_eq!(e.lang(), Some("en"));
    assert_eq!(e.attrs().len(), 5);
    let body = e.child("body", ns::CLIENT).unwrap();
    assert_eq!(body.text(), "Art thou not Romeo, and a Montague?");
}

#[test]
fn resolves_namespaces_from_context_and_declarations() {
    let e = client(
        "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>\
         <c xmlns:p='urn:p' p:a='1' b='2'><p:d/></c></stream:features>",
    )
    .unwrap();
    assert!(e.is("features", ns::STREAM));
    let tls = e.child("starttls", ns::XMPP_TLS).unwrap();
    assert!(tls.has_child("required", ns::XMPP_TLS));
    let c = e.child("c", ns::CLIENT).unwrap();
    assert_eq!(c.attr_ns("a", "urn:p"), Some("1"));
    assert_eq!(c.attr("b"), Some("2"));
    assert!(c.has_child("d", "urn:p"));
    // Undeclaring the default namespace.
    let e = client("<a xmlns=''><b/></a>").unwrap();
    assert_eq!(e.ns(), &Namespace::NONE);
    assert!(e.has_child("b", ""));
    // A prefixed stanza in the content namespace (bad-xml 36, a positive control).
    let e = client("<c:message xmlns:c='jabber:client'/>").unwrap();
    assert!(e.is("message", ns::CLIENT));
    // Prefix scope ends with the element.
    assert_eq!(
        rule("<a><b xmlns:p='urn:p'/><p:c/></a>").0,
        XmlRule::UndeclaredPrefix
    );
}

#[test]
fn text_references_cdata_and_line_ends() {
    let e =
        client("<body>a &lt;&gt;&amp;&apos;&quot; &#65;&#x1F600;<![CDATA[<x>&amp;]]>\r\nz</body>")
            .unwrap();
    assert_eq!(e.nodes().len(), 1, "adjacent text is one node");
    assert_eq!(e.text(), "a <>&'\" A😀<x>&amp;\nz");
    let e = client("<a v='x&#10;y\tz&apos;'/>").unwrap();
    assert_eq!(e.attr("v"), Some("x\ny z'"));
    let e = client("<a>  <b/>\n</a>").unwrap();
    assert_eq!(e.nodes().len(), 3, "whitespace between elements is kept");
    assert!(matches!(&e.nodes()[0], Node::Text(t) if t == "  "));
}

#[test]
fn well_formedness_violations_and_their_conditions() {
    let cases: &[(&str, XmlRule, C)] = &[
        (
            "<message><body>hi</message>",
            XmlRule::MismatchedEndTag,
            C::NotWellFormed,
        ),
        (
            "<message></presence>",
            XmlRule::MismatchedEndTag,
            C::NotWellFormed,
        ),
        (
            "<a:b xmlns:a='urn:a'></b>",
            XmlRule::MismatchedEndTag,
            C::NotWellFormed,
        ),
        ("<message>", XmlRule::Truncated, C::NotWellFormed),
        ("<message to='a'", XmlRule::Truncated, C::NotWellFormed),
        ("<a/></a>", XmlRule::UnexpectedEndTag, C::NotWellFormed),
        (
            "<message to='a@b' to='c@d'/>",
            XmlRule::DuplicateAttribute,
            C::NotWellFormed,
        ),
        (
            "<a xmlns:p='urn:x' xmlns:q='urn:x' p:v='1' q:v='2'/>",
            XmlRule::DuplicateAttribute,
            C::NotWellFormed,
        ),
        (
            "<a xmlns:p='urn:x' xmlns:p='urn:y'/>",
            XmlRule::DuplicateAttribute,
            C::NotWellFormed,
        ),
        (
            "<a xmlns='urn:x' xmlns='urn:y'/>",
            XmlRule::DuplicateAttribute,
            C::NotWellFormed,
        ),
        (
            "<foo:bar/>",
            XmlRule::UndeclaredPrefix,
            C::BadNamespacePrefix,
        ),
        (
            "<a p:x='1'/>",
            XmlRule::UndeclaredPrefix,
            C::BadNamespacePrefix,
        ),
        ("<xmlns:a/>", XmlRule::ReservedPrefix, C::NotWellFormed),
        (
            "<a xmlns:xml='urn:x'/>",
            XmlRule::ReservedPrefix,
            C::NotWellFormed,
        ),
        (
            "<a xmlns:xmlns='urn:x'/>",
            XmlRule::ReservedPrefix,
            C::NotWellFormed,
        ),
        (
            "<a xmlns:p='http://www.w3.org/2000/xmlns/'/>",
            XmlRule::ReservedPrefix,
            C::NotWellFormed,
        ),
        (
            "<a xmlns='http://www.w3.org/XML/1998/namespace'/>",
            XmlRule::ReservedPrefix,
            C::NotWellFormed,
        ),
        (
            "<a xmlns:p=''/>",
            XmlRule::EmptyPrefixBinding,
            C::NotWellFormed,
        ),
        (
            "<stream:features xmlns:stream='http://other'/>",
            XmlRule::RebindsFixedPrefix,
            C::InvalidNamespace,
        ),
        (
            "<message><body>&foo;</body></message>",
            XmlRule::UndefinedEntity,
            C::RestrictedXml,
        ),
        ("<a v='&foo;'/>", XmlRule::UndefinedEntity, C::RestrictedXml),
        ("<a>&amp</a>", XmlRule::MalformedReference, C::NotWellFormed),
        (
            "<a>a & b</a>",
            XmlRule::MalformedReference,
            C::NotWellFormed,
        ),
        (
            "<message><body>&#0;</body></message>",
            XmlRule::IllegalCharacterReference,
            C::NotWellFormed,
        ),
        (
            "<message><body>&#xD800;</body></message>",
            XmlRule::IllegalCharacterReference,
            C::NotWellFormed,
        ),
        (
            "<a>&#xFFFE;</a>",
            XmlRule::IllegalCharacterReference,
            C::NotWellFormed,
        ),
        (
            "<a v='&#1;'/>",
            XmlRule::IllegalCharacterReference,
            C::NotWellFormed,
        ),
        (
            "<message><body>a\u{0}b</body></message>",
            XmlRule::IllegalCharacter,
            C::NotWellFormed,
        ),
        (
            "<message><body>a\u{1}b</body></message>",
            XmlRule::IllegalCharacter,
            C::NotWellFormed,
        ),
        (
            "<message><body>\u{FFFE}</body></message>",
            XmlRule::IllegalCharacter,
            C::NotWellFormed,
        ),
        (
            "<a v='\u{FFFF}'/>",
            XmlRule::IllegalCharacter,
            C::NotWellFormed,
        ),
        (
            "<message to=a@b/>",
            XmlRule::Syntax(Construct::Attribute),
            C::NotWellFormed,
        ),
        (
            "<message to='a<b'/>",
            XmlRule::Syntax(Construct::Attribute),
            C::NotWellFormed,
        ),
        (
            "<a>]]></a>",
            XmlRule::Syntax(Construct::Text),
            C::NotWellFormed,
        ),
        (
            "<1a/>",
            XmlRule::Syntax(Construct::StartTag),
            C::NotWellFormed,
        ),
        (
            "<message><body>a<!-- c -->b</body></message>",
            XmlRule::Comment,
            C::RestrictedXml,
        ),
        ("<!-- hi --><message/>", XmlRule::Comment, C::RestrictedXml),
        (
            "<?foo bar?><message/>",
            XmlRule::ProcessingInstruction,
            C::RestrictedXml,
        ),
        (
            "<a><?xml version='1.0'?></a>",
            XmlRule::ProcessingInstruction,
            C::RestrictedXml,
        ),
        ("<!DOCTYPE a><a/>", XmlRule::Dtd, C::RestrictedXml),
        ("<a><!ENTITY x 'y'></a>", XmlRule::Dtd, C::RestrictedXml),
        (
            "hello<message/>",
            XmlRule::TextOutsideElement,
            C::NotWellFormed,
        ),
        (
            "<message/>hello",
            XmlRule::TextOutsideElement,
            C::NotWellFormed,
        ),
        (
            "<![CDATA[x]]><a/>",
            XmlRule::TextOutsideElement,
            C::NotWellFormed,
        ),
        ("<a/><b/>", XmlRule::MultipleElements, C::NotWellFormed),
        ("", XmlRule::NoElement, C::NotWellFormed),
        ("  \n", XmlRule::NoElement, C::NotWellFormed),
    ];
    for (input, want_rule, want_condition) in cases {
        assert_eq!(rule(input), (*want_rule, *want_condition), "{input}");
    }
}

#[test]
fn error_offsets_point_at_the_construct() {
    let input = "<message><body>x</body><!-- c --></message>";
    assert_eq!(client(input).unwrap_err().offset(), 23);
    let input = "<message to='a' to='b'/>";
    assert_eq!(client(input).unwrap_err().offset(), 16);
    let input = "<a>ok</b>";
    assert_eq!(client(input).unwrap_err().offset(), 5);
    assert_eq!(client(input).unwrap_err().shifted(100).offset(), 105);
}

#[test]
fn whitespace_around_the_element_is_allowed() {
    assert!(client("\n  <presence/>\r\n ").is_ok());
}

#[test]
fn limits_are_enforced() {
    let mut b = TreeBuilder::with_limits(Limits {
        max_depth: 3,
        max_attributes: 2,
    });
    let ctx = NsContext::client();
    assert!(b.build("<a><b><c/></b></a>", &ctx).is_ok());
    let err = b.build("<a><b><c><d/></c></b></a>", &ctx).unwrap_err();
    assert_eq!(
        (err.rule(), err.condition()),
        (XmlRule::TooDeep, C::PolicyViolation)
    );
    assert!(b.build("<a x='1' y='2'/>", &ctx).is_ok());
    let err = b.build("<a x='1' y='2' z='3'/>", &ctx).unwrap_err();
    assert_eq!(
        (err.rule(), err.condition()),
        (XmlRule::TooManyAttributes, C::PolicyViolation)
    );
    // The builder is reusable after an error.
    assert!(b.build("<a><b/></a>", &ctx).is_ok());
    let deep = format!(
        "<message>{}{}</message>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    assert_eq!(
        parse_element(&deep, &ctx).unwrap_err().rule(),
        XmlRule::TooDeep
    );
    let attrs: String = (0..100_000).map(|i| format!(" a{i}='x'")).collect();
    let many = format!("<message{attrs}/>");
    assert_eq!(
        parse_element(&many, &ctx).unwrap_err().rule(),
        XmlRule::TooManyAttributes
    );
}

/// Serializing, cloning, comparing and dropping a tree recurse once per level, so
/// however large a caller sets `max_depth`, the builder never produces a tree deeper
/// than `Limits::MAX_DEPTH`: a peer cannot overflow the stack of the thread that
/// handles its stanzas (a 2 MiB tokio worker overflowed at ~2000 levels in debug).
#[test]
fn depth_is_capped_whatever_the_configured_limit() {
    let ctx = NsContext::client();
    let nested = |depth: usize| format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
    let mut b = TreeBuilder::with_limits(Limits {
        max_depth: usize::MAX,
        max_attributes: 8,
    });
    let err = b.build(&nested(Limits::MAX_DEPTH + 1), &ctx).unwrap_err();
    assert_eq!(
        (err.rule(), err.condition()),
        (XmlRule::TooDeep, C::PolicyViolation)
    );
    // The deepest tree accepted survives every recursive operation on a small stack.
    let deepest = b.build(&nested(Limits::MAX_DEPTH), &ctx).unwrap();
    let worker = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let copy = deepest.clone();
            assert_eq!(copy, deepest);
            let xml = deepest.to_xml_in(&ctx).unwrap();
            assert!(!format!("{deepest:?}").is_empty());
            drop(deepest);
            xml.len()
        })
        .unwrap();
    // `<a>`…`</a>` per level, the innermost written `<a/>`.
    assert_eq!(worker.join().unwrap(), 7 * (Limits::MAX_DEPTH - 1) + 4);
}

#[test]
fn stream_header_start_tag() {
    let mut b = TreeBuilder::new();
    let open = b
        .parse_start_tag(
            "<stream:stream from='im.example.com' id='t7AM' to='juliet@im.example.com' \
             version='1.0' xml:lang='en' xmlns='jabber:client' \
             xmlns:stream='http://etherx.jabber.org/streams'>",
            &NsContext::empty(),
        )
        .unwrap();
    assert!(open.element.is("stream", ns::STREAM));
    assert_eq!(open.element.attr("version"), Some("1.0"));
    assert!(!open.self_closing);
    assert_eq!(open.context.default_ns(), &Namespace::CLIENT);
    assert!(open.context.binding("stream").unwrap().fixed);
    // The context then parses stanzas and refuses rebinding the stream prefix.
    let f = b.build("<stream:features/>", &open.context).unwrap();
    assert!(f.is("features", ns::STREAM));
    let err = b
        .build(
            "<stream:features xmlns:stream='http://other'/>",
            &open.context,
        )
        .unwrap_err();
    assert_eq!(err.condition(), C::InvalidNamespace);
    // A wrong stream namespace is visible to the caller (it decides invalid-namespace).
    let open = b
        .parse_start_tag(
            "<stream:stream xmlns='jabber:client' xmlns:stream='http://wrong.example/ns'>",
            &NsContext::empty(),
        )
        .unwrap();
    assert_eq!(open.element.ns().as_str(), "http://wrong.example/ns");
    // An undeclared stream prefix.
    let err = b.parse_start_tag("<stream:stream xmlns='jabber:client'>", &NsContext::empty());
    assert_eq!(err.unwrap_err().condition(), C::BadNamespacePrefix);
    // More than a start tag.
    assert!(b.parse_start_tag("<a><b/>", &NsContext::empty()).is_err());
    assert_eq!(
        b.parse_start_tag("<stream:stream", &NsContext::empty())
            .unwrap_err()
            .rule(),
        XmlRule::Truncated
    );
}

#[test]
fn serializer_round_trips_and_omits_context_declarations() {
    let ctx = NsContext::client();
    let inputs = [
        "<message to='romeo@example.net' type='chat' xml:lang='en'><body>a &lt; b &amp; c &gt; d</body></message>",
        "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>",
        "<iq type='get' id='1'><query xmlns='jabber:iq:roster'/></iq>",
        "<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v='/></presence>",
        "<a xmlns='' v='&apos;&#xA;&#x9;&#xD;'>x&#xD;y</a>",
    ];
    for input in inputs {
        let e = parse_element(input, &ctx).unwrap();
        let out = e.to_xml_in(&ctx).unwrap();
        assert_eq!(out, input);
        assert_eq!(parse_element(&out, &ctx).unwrap(), e);
    }
    // Standalone output declares everything and still parses back equal.
    let e = parse_element(inputs[1], &ctx).unwrap();
    let standalone = e.to_xml().unwrap();
    assert_eq!(parse_element(&standalone, &NsContext::empty()).unwrap(), e);
}

#[test]
fn attribute_with_prefix_from_context() {
    let ctx = NsContext::client().with_prefix("db", "jabber:server:dialback");
    let e = Element::new("result", "jabber:server:dialback")
        .with_child(Element::new("x", Namespace::CLIENT));
    let xml = e.to_xml_in(&ctx).unwrap();
    assert_eq!(xml, "<db:result><x/></db:result>");
    let a = Element::new("a", Namespace::CLIENT).with_attr_ns("jabber:server:dialback", "v", "1");
    assert_eq!(a.to_xml_in(&ctx).unwrap(), "<a db:v='1'/>");
    assert_eq!(
        parse_element("<a db:v='1'/>", &ctx).unwrap().attrs()[0],
        Attribute::with_ns("jabber:server:dialback", "v", "1")
    );
}
