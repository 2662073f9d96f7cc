//! Property tests of the stream reader:
//!
//! * any chunking of a valid stream gives exactly the events of feeding it whole,
//!   and those are the elements that were written (splits land anywhere, inside
//!   tags, references and multi-byte characters included);
//! * arbitrary bytes — alone, after a valid header, or as a mutated valid stream —
//!   never panic, end in at most one error after which nothing more is read, and
//!   give the same outcome in every chunking.

// Test helpers outside #[test] functions: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use xmpp_core::{
    ReadError, ReaderConfig, StreamAttributes, StreamEvent, StreamReader, StreamWriter,
};
use xmpp_stanza::{Element, Namespace, Node};

/// How feeding a stream went: the events, then the error if there was one.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    events: Vec<StreamEvent>,
    error: Option<ReadError>,
}

/// Feeds `bytes` cut into pieces of the given sizes (used cyclically).
fn feed(bytes: &[u8], sizes: &[usize]) -> Outcome {
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    let mut events = Vec::new();
    let mut rest = bytes;
    let mut cut = sizes.iter().cycle();
    while !rest.is_empty() {
        let n = cut
            .next()
            .copied()
            .unwrap_or(rest.len())
            .clamp(1, rest.len());
        let (piece, tail) = rest.split_at(n);
        rest = tail;
        for event in reader.feed(piece) {
            match event {
                Ok(e) => events.push(e),
                Err(error) => {
                    // Sticky: nothing more is read.
                    assert_eq!(reader.read(b"<presence/>"), Err(error));
                    return Outcome {
                        events,
                        error: Some(error),
                    };
                }
            }
        }
    }
    Outcome {
        events,
        error: None,
    }
}

fn whole(bytes: &[u8]) -> Outcome {
    feed(bytes, &[bytes.len().max(1)])
}

/// Text XML 1.0 can carry (no C0 controls but tab, LF, CR; no U+FFFE/U+FFFF),
/// with plenty of markup characters and multi-byte ones.
fn text() -> impl Strategy<Value = String> {
    let chars = prop_oneof![
        4 => prop::char::range('a', 'z'),
        2 => prop::sample::select(vec!['<', '>', '&', '\'', '"', ' ', '\t', '\n', '\r', ']']),
        2 => prop::sample::select(vec!['é', 'ß', 'Ж', '中', '😀', '\u{FFFD}', '\u{10FFFF}']),
        1 => any::<char>().prop_filter("XML Char", |c| {
            !matches!(*c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
        }),
    ];
    prop::collection::vec(chars, 1..24).prop_map(|v| v.into_iter().collect())
}

fn namespace() -> impl Strategy<Value = Namespace> {
    prop::sample::select(vec![
        "jabber:client",
        "urn:example:a",
        "urn:example:b",
        "jabber:iq:roster",
    ])
    .prop_map(Namespace::intern)
}

/// An element with unique attributes and children that never put two text nodes
/// side by side (the model merges adjacent text).
fn element(depth: u32) -> BoxedStrategy<Element> {
    let name = prop::sample::select(vec!["body", "item", "x", "query", "group", "c"]);
    let attrs = prop::collection::btree_map(
        prop::sample::select(vec!["id", "type", "to", "jid", "name"]),
        text(),
        0..3,
    );
    let leaf = (name, namespace(), attrs).prop_map(|(name, ns, attrs)| {
        let mut e = Element::new(name.to_owned(), ns);
        for (k, v) in attrs {
            e.set_attr(k.to_owned(), v);
        }
        e
    });
    if depth == 0 {
        return (leaf, proptest::option::of(text()))
            .prop_map(|(e, t)| match t {
                Some(t) => e.with_text(t),
                None => e,
            })
            .boxed();
    }
    let child = prop_oneof![
        element(depth - 1).prop_map(Node::Element),
        text().prop_map(|t| Node::Text(t.into()))
    ];
    (leaf, prop::collection::vec(child, 0..4))
        .prop_map(|(mut e, children)| {
            let mut last_text = false;
            for c in children {
                match c {
                    Node::Text(t) if !last_text => {
                        e = e.with_text(t.to_string());
                        last_text = true;
                    }
                    Node::Text(_) => {}
                    Node::Element(child) => {
                        e = e.with_child(child);
                        last_text = false;
                    }
                }
            }
            e
        })
        .boxed()
}

/// A top-level stanza: message, presence or iq in jabber:client around an element.
fn stanza() -> impl Strategy<Value = Element> {
    (
        prop::sample::select(vec!["message", "presence", "iq"]),
        element(2),
        text(),
    )
        .prop_map(|(name, child, id)| {
            Element::new(name.to_owned(), Namespace::CLIENT)
                .with_attr("id", id)
                .with_child(child)
        })
}

/// A written stream of `stanzas` with whitespace keepalives between them.
fn write_stream(stanzas: &[Element], keepalive_every: usize) -> Vec<u8> {
    let mut w = StreamWriter::c2s();
    let mut out = Vec::new();
    w.open(
        &mut out,
        &StreamAttributes::new().to("example.com").lang("en"),
    )
    .unwrap();
    for (i, s) in stanzas.iter().enumerate() {
        w.element(&mut out, s).unwrap();
        if i % keepalive_every.max(1) == 0 {
            w.keepalive(&mut out).unwrap();
        }
    }
    w.close(&mut out).unwrap();
    out
}

fn sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(prop_oneof![3 => 1usize..8, 1 => 8usize..200], 1..16)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn chunking_never_changes_the_events(
        stanzas in prop::collection::vec(stanza(), 1..6),
        keepalive_every in 1usize..4,
        sizes in sizes(),
    ) {
        let bytes = write_stream(&stanzas, keepalive_every);
        let once = whole(&bytes);
        prop_assert_eq!(once.error, None);
        prop_assert_eq!(once.events.len(), stanzas.len() + 2);
        for (event, stanza) in once.events[1..].iter().zip(&stanzas) {
            prop_assert_eq!(event, &StreamEvent::Element(stanza.clone()));
        }
        prop_assert_eq!(once.events.last(), Some(&StreamEvent::StreamClosed));
        prop_assert_eq!(feed(&bytes, &sizes), once);
    }

    #[test]
    fn one_byte_at_a_time_equals_whole(stanzas in prop::collection::vec(stanza(), 1..3)) {
        let bytes = write_stream(&stanzas, 1);
        prop_assert_eq!(feed(&bytes, &[1]), whole(&bytes));
    }

    #[test]
    fn arbitrary_bytes_end_in_events_or_one_error(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        with_header in any::<bool>(),
        sizes in sizes(),
    ) {
        let mut input = Vec::new();
        if with_header {
            input.extend_from_slice(
                b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
                  xmlns:stream='http://etherx.jabber.org/streams'>",
            );
        }
        input.extend_from_slice(&bytes);
        prop_assert_eq!(feed(&input, &sizes), whole(&input));
    }

    #[test]
    fn mutated_streams_behave_the_same_in_any_chunking(
        stanzas in prop::collection::vec(stanza(), 1..4),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
        sizes in sizes(),
    ) {
        let mut bytes = write_stream(&stanzas, 2);
        for (at, byte, op) in edits {
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ => { bytes.remove(i); }
            }
        }
        prop_assert_eq!(feed(&bytes, &sizes), whole(&bytes));
    }

    #[test]
    fn markup_soup_behaves_the_same_in_any_chunking(
        parts in prop::collection::vec(prop::sample::select(vec![
            "<", ">", "/", "'", "\"", "=", " ", "!", "?", "-", "[", "]", "&", ";", "a", "b:c",
            "xmlns", "xmlns:p", "<![CDATA[", "]]>", "<!--", "<?x", "</", "/>", "é", "\u{0}", "&amp;",
        ]), 0..80),
        sizes in sizes(),
    ) {
        let mut input = b"<stream:stream xmlns='jabber:client' \
                          xmlns:stream='http://etherx.jabber.org/streams'><message>"
            .to_vec();
        for p in parts {
            input.extend_from_slice(p.as_bytes());
        }
        prop_assert_eq!(feed(&input, &sizes), whole(&input));
    }
}
