//! The stream reader on the fast tokenizer against the reader on the `xmlparser`
//! reference (`ReaderConfig::with_tokenizer`): the same events and the same error
//! (kind and offset) for the same bytes, whatever the chunking.
//!
//! * targeted edge cases, each with the outcome it must have: multi-byte UTF-8
//!   split at every byte, references, CDATA, comments, PIs and DTDs, attribute
//!   quoting and whitespace, `]]>` in text, names, illegal characters,
//!   whitespace and text between stanzas;
//! * property tests on mutated realistic stanzas, markup soup and arbitrary bytes.
//!
//! The fuzz corpora are replayed through the same comparison by `fuzz_corpus.rs`.

// Test helpers outside #[test] functions: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use xmpp_core::{ReadErrorKind, ReaderConfig, StreamEvent, StreamReader};
use xmpp_stanza::{Construct, TokenizerKind, XmlRule};

// The fuzz check's own entry points are replayed by `fuzz_corpus.rs`.
#[allow(dead_code)]
#[path = "../fuzz/differential.rs"]
mod differential;

use differential::{Outcome, outcome};

const HEADER: &str = "<stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

/// Reads `bytes` split at `cuts` (increasing indices) with the given tokenizer.
fn outcome_split(bytes: &[u8], cuts: &[usize], tokenizer: TokenizerKind) -> Outcome {
    let mut reader = StreamReader::new(ReaderConfig::c2s().with_tokenizer(tokenizer));
    let mut events = Vec::new();
    let mut from = 0;
    for &to in cuts.iter().chain([&bytes.len()]) {
        for event in reader.feed(&bytes[from..to]) {
            match event {
                Ok(event) => events.push(event),
                Err(e) => return (events, Some(e)),
            }
        }
        from = to;
    }
    (events, None)
}

/// The reference outcome of `bytes`, after checking that the fast reader gives it
/// fed whole, one byte at a time, and in chunks of each of `chunks`.
fn agreed(bytes: &[u8], chunks: &[usize]) -> Outcome {
    let reference = outcome(bytes, bytes.len(), TokenizerKind::Xmlparser);
    for &chunk in [bytes.len(), 1].iter().chain(chunks) {
        let fast = outcome(bytes, chunk, TokenizerKind::Fast);
        assert_eq!(fast, reference, "chunks of {chunk}: {bytes:?}");
    }
    reference
}

/// What a stream after [`HEADER`] must give: this many elements and then the
/// stream still open (`Ok`), or the elements before the error and its kind.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Elements(usize),
    Error(usize, ReadErrorKind),
}

fn check_case(body: &str, expect: Expect) {
    let bytes = format!("{HEADER}{body}").into_bytes();
    let (events, error) = agreed(&bytes, &[2, 3, 7]);
    assert!(
        matches!(events.first(), Some(StreamEvent::StreamOpened(_))),
        "{body:?}"
    );
    let elements = events.len() - 1;
    match expect {
        Expect::Elements(n) => {
            assert_eq!(error, None, "{body:?}");
            assert_eq!(elements, n, "{body:?}");
        }
        Expect::Error(n, kind) => {
            let error = error.unwrap_or_else(|| panic!("{body:?} accepted"));
            assert_eq!(error.kind(), kind, "{body:?}");
            assert_eq!(elements, n, "{body:?}");
        }
    }
}

fn xml(rule: XmlRule) -> ReadErrorKind {
    ReadErrorKind::Xml(rule)
}

fn syntax(construct: Construct) -> ReadErrorKind {
    xml(XmlRule::Syntax(construct))
}

#[test]
fn multibyte_characters_split_at_every_byte() {
    let body = "<message><élève xmlns='urn:x' ü='ö€𝄞'>café 中文 😀 ß</élève></message>";
    let bytes = format!("{HEADER}{body}").into_bytes();
    let reference = outcome(&bytes, bytes.len(), TokenizerKind::Xmlparser);
    assert_eq!(reference.1, None);
    assert_eq!(reference.0.len(), 2);
    for cut in HEADER.len()..bytes.len() {
        assert_eq!(
            outcome_split(&bytes, &[cut], TokenizerKind::Fast),
            reference,
            "split at {cut}"
        );
    }
    for cut in HEADER.len()..bytes.len() - 1 {
        assert_eq!(
            outcome_split(&bytes, &[cut, cut + 1], TokenizerKind::Fast),
            reference,
            "one byte at {cut}"
        );
    }
    let StreamEvent::Element(message) = &reference.0[1] else {
        panic!("not an element")
    };
    let child = message.child("élève", "urn:x").expect("child");
    assert_eq!(child.attr("ü"), Some("ö€𝄞"));
    assert_eq!(child.text(), "café 中文 😀 ß");
}

#[test]
fn references() {
    use Expect::{Elements, Error};
    let cases = [
        (
            "<message><body>&amp;&lt;&gt;&apos;&quot;</body></message>",
            Elements(1),
        ),
        ("<message id='&amp;&lt;&gt;&apos;&quot;'/>", Elements(1)),
        (
            "<message><body>&#x10FFFF;&#1114111;&#9;&#xA;&#xD;&#x41;</body></message>",
            Elements(1),
        ),
        (
            "<message><body>&#0;</body></message>",
            Error(0, xml(XmlRule::IllegalCharacterReference)),
        ),
        (
            "<message><body>&#xD800;</body></message>",
            Error(0, xml(XmlRule::IllegalCharacterReference)),
        ),
        (
            "<message><body>&#x110000;</body></message>",
            Error(0, xml(XmlRule::IllegalCharacterReference)),
        ),
        (
            "<message><body>&#xFFFE;</body></message>",
            Error(0, xml(XmlRule::IllegalCharacterReference)),
        ),
        (
            "<message><body>&nbsp;</body></message>",
            Error(0, xml(XmlRule::UndefinedEntity)),
        ),
        (
            "<message id='&foo;'/>",
            Error(0, xml(XmlRule::UndefinedEntity)),
        ),
        (
            "<message><body>a &amp b</body></message>",
            Error(0, xml(XmlRule::MalformedReference)),
        ),
        (
            "<message><body>a & b</body></message>",
            Error(0, xml(XmlRule::MalformedReference)),
        ),
    ];
    for (body, expect) in cases {
        check_case(body, expect);
    }
    // The values themselves, from both tokenizers.
    let bytes =
        format!("{HEADER}<message id='a&amp;b&#x20;c'><body>&lt;&#65;&gt;</body></message>")
            .into_bytes();
    let (events, _) = agreed(&bytes, &[]);
    let StreamEvent::Element(message) = &events[1] else {
        panic!("not an element")
    };
    assert_eq!(message.attr("id"), Some("a&b c"));
    assert_eq!(
        message.child("body", "jabber:client").unwrap().text(),
        "<A>"
    );
}

#[test]
fn restricted_markup_and_cdata() {
    use Expect::{Elements, Error};
    let cases = [
        (
            "<message><body><![CDATA[x < y && ]] > z]]></body></message>",
            Elements(1),
        ),
        ("<message><body><![CDATA[]]>a</body></message>", Elements(1)),
        (
            "<message><body><![CDATA[\u{FFFF}]]></body></message>",
            Error(0, xml(XmlRule::IllegalCharacter)),
        ),
        (
            "<message><!-- c --><body/></message>",
            Error(0, xml(XmlRule::Comment)),
        ),
        (
            "<message><?pi data?></message>",
            Error(0, xml(XmlRule::ProcessingInstruction)),
        ),
        (
            "<message><?xml version='1.0'?></message>",
            Error(0, xml(XmlRule::ProcessingInstruction)),
        ),
        (
            "<message><!DOCTYPE x></message>",
            Error(0, xml(XmlRule::Dtd)),
        ),
        ("<presence/><!ENTITY x 'y'>", Error(1, xml(XmlRule::Dtd))),
        ("<!-- c --><presence/>", Error(0, xml(XmlRule::Comment))),
        ("<![CDATA[x]]>", Error(0, xml(XmlRule::TextOutsideElement))),
        // `]]>` may not appear in character data, but may in an attribute value.
        (
            "<message><body>a ]]> b</body></message>",
            Error(0, syntax(Construct::Text)),
        ),
        ("<message id=']]>'/>", Elements(1)),
        ("<message><body>]] ] ]>] ]]</body></message>", Elements(1)),
    ];
    for (body, expect) in cases {
        check_case(body, expect);
    }
}

#[test]
fn attributes_names_and_characters() {
    use Expect::{Elements, Error};
    let cases = [
        ("<message id=\"it's\" to='say \"hi\"'/>", Elements(1)),
        ("<message id='a>b'/>", Elements(1)),
        ("<message id = 'a'\n\tto\r\n=\n'b' />", Elements(1)),
        ("<message id='a\tb\nc\r\nd'/>", Elements(1)),
        ("<message id=abc/>", Error(0, syntax(Construct::Attribute))),
        (
            "<message id='a'to='b'/>",
            Error(0, syntax(Construct::Attribute)),
        ),
        (
            "<message id='a<b'/>",
            Error(0, syntax(Construct::Attribute)),
        ),
        (
            "<message id='a' id='b'/>",
            Error(0, xml(XmlRule::DuplicateAttribute)),
        ),
        ("<message></message  >", Elements(1)),
        (
            "<message></message id='x'>",
            Error(0, syntax(Construct::EndTag)),
        ),
        (
            "<message><body></bodx></message>",
            Error(0, xml(XmlRule::MismatchedEndTag)),
        ),
        (
            "<message><1a/></message>",
            Error(0, syntax(Construct::StartTag)),
        ),
        (
            "<message><a:b:c xmlns:a='u'/></message>",
            Error(0, syntax(Construct::StartTag)),
        ),
        (
            "<message><:a/></message>",
            Error(0, syntax(Construct::StartTag)),
        ),
        (
            "<message><\u{300}a/></message>",
            Error(0, syntax(Construct::StartTag)),
        ),
        ("<message><a\u{B7}b xmlns='urn:x'/></message>", Elements(1)),
        (
            "<message><p:x/></message>",
            Error(0, xml(XmlRule::UndeclaredPrefix)),
        ),
        (
            "<message><body>a\u{1}b</body></message>",
            Error(0, xml(XmlRule::IllegalCharacter)),
        ),
        (
            "<message id='a\u{B}b'/>",
            Error(0, xml(XmlRule::IllegalCharacter)),
        ),
        (
            "<message><body>\u{FFFE}</body></message>",
            Error(0, xml(XmlRule::IllegalCharacter)),
        ),
        (
            "<message id='\u{FFFF}'/>",
            Error(0, xml(XmlRule::IllegalCharacter)),
        ),
        (
            "<message><body>\u{FFFD}\u{EFFF}\u{F000}\u{7F}\u{80}\u{9F}</body></message>",
            Elements(1),
        ),
    ];
    for (body, expect) in cases {
        check_case(body, expect);
    }
}

#[test]
fn whitespace_rules() {
    use Expect::{Elements, Error};
    let cases = [
        (" \n\t\r <presence/> \n <presence/>\t", Elements(2)),
        ("<message><body>a\r\nb\rc\n</body></message>", Elements(1)),
        (
            "  x <presence/>",
            Error(0, xml(XmlRule::TextOutsideElement)),
        ),
        (
            "\u{A0}<presence/>",
            Error(0, xml(XmlRule::TextOutsideElement)),
        ),
    ];
    for (body, expect) in cases {
        check_case(body, expect);
    }
    // Line ends are normalised in text, and all whitespace in attribute values.
    let bytes =
        format!("{HEADER}<message id='a\tb\r\nc'><body>x\r\ny\rz</body></message>").into_bytes();
    let (events, _) = agreed(&bytes, &[]);
    let StreamEvent::Element(message) = &events[1] else {
        panic!("not an element")
    };
    assert_eq!(message.attr("id"), Some("a b c"));
    assert_eq!(
        message.child("body", "jabber:client").unwrap().text(),
        "x\ny\nz"
    );
}

/// Realistic stanzas to mutate.
fn stanza() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "<message from='romeo@montague.lit/orchard' to='juliet@capulet.lit/balcony' \
         type='chat' id='m1' xml:lang='en'><body>Art thou not Romeo, &amp; a Montague?</body>\
         <active xmlns='http://jabber.org/protocol/chatstates'/></message>",
        "<message from='coven@chat.shakespeare.lit/thirdwitch' type='groupchat' id='g1'>\
         <body>Ünïcode 😀 &lt;tag&gt;</body><delay xmlns='urn:xmpp:delay' \
         stamp='2002-10-13T23:58:37Z'/></message>",
        "<presence><show>away</show><status>Привет</status><priority>5</priority>\
         <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' \
         ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>",
        "<iq type='result' id='r'><query xmlns='jabber:iq:roster' ver='1'>\
         <item jid='a@b' name='A &#x42;' subscription='both'><group>Friends</group></item>\
         </query></iq>",
        "<message><body><![CDATA[x < y & z]]>\r\n</body><x xmlns='urn:x' a=\"1\t2\"/></message>",
    ])
}

/// Pieces that make markup edge cases likely.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "<",
        ">",
        "/",
        "/>",
        "</",
        "!",
        "?",
        "=",
        "'",
        "\"",
        " ",
        "\t",
        "\n",
        "\r",
        ":",
        "&",
        ";",
        "#",
        "x",
        "1",
        "-",
        ".",
        "é",
        "·",
        "\u{300}",
        "\u{1}",
        "\u{FFFE}",
        "\u{FFFF}",
        "😀",
        "]",
        "]]>",
        "<![CDATA[",
        "<!--",
        "<?",
        "<!DOCTYPE",
        "&amp;",
        "&#x41;",
        "&#0;",
        "xmlns",
        "xmlns:p",
        "xml:lang",
        "p:",
        "<a",
        "</a>",
        "<body>",
        "</body>",
        " x='1'",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn mutated_stanzas_agree(
        stanzas in prop::collection::vec(stanza(), 1..4),
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), piece(), any::<u8>(), 0u8..4),
            1..4,
        ),
        chunk in 1usize..64,
    ) {
        let mut bytes = HEADER.as_bytes().to_vec();
        for s in stanzas {
            bytes.extend_from_slice(s.as_bytes());
        }
        for (at, piece, byte, op) in edits {
            let i = HEADER.len() + at.index(bytes.len() - HEADER.len());
            match op {
                0 => bytes[i] = byte,
                1 => { bytes.splice(i..i, piece.bytes()); }
                2 => { bytes.splice(i..(i + 1), piece.bytes()); }
                _ => { bytes.remove(i); }
            }
        }
        let reference = outcome(&bytes, bytes.len(), TokenizerKind::Xmlparser);
        prop_assert_eq!(&outcome(&bytes, bytes.len(), TokenizerKind::Fast), &reference);
        prop_assert_eq!(&outcome(&bytes, chunk, TokenizerKind::Fast), &reference);
    }

    #[test]
    fn markup_soup_agrees(
        parts in prop::collection::vec(piece(), 0..60),
        chunk in 1usize..16,
    ) {
        let mut bytes = format!("{HEADER}<message>").into_bytes();
        for p in parts {
            bytes.extend_from_slice(p.as_bytes());
        }
        bytes.extend_from_slice(b"</message>");
        let reference = outcome(&bytes, bytes.len(), TokenizerKind::Xmlparser);
        prop_assert_eq!(&outcome(&bytes, bytes.len(), TokenizerKind::Fast), &reference);
        prop_assert_eq!(&outcome(&bytes, chunk, TokenizerKind::Fast), &reference);
    }

    #[test]
    fn arbitrary_bytes_agree(
        body in prop::collection::vec(any::<u8>(), 0..200),
        with_header in any::<bool>(),
        chunk in 1usize..16,
    ) {
        let mut bytes = Vec::new();
        if with_header {
            bytes.extend_from_slice(HEADER.as_bytes());
        }
        bytes.extend_from_slice(&body);
        let reference = outcome(&bytes, bytes.len(), TokenizerKind::Xmlparser);
        prop_assert_eq!(&outcome(&bytes, chunk, TokenizerKind::Fast), &reference);
    }
}
