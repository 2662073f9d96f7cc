//! Public-API tests of the stream reader and writer: one input per stream error
//! condition the reader produces, restarts at the exact byte (STARTTLS with the
//! injection check, SASL success with a pipelined header), limits switched at
//! runtime, server-to-server streams, and what `StreamEvents` leaves unread.

// Test helpers outside #[test] functions: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xmpp_core::{
    Limits, ReadError, ReadErrorKind, ReaderConfig, StreamAttributes, StreamEvent, StreamReader,
    StreamVersion, StreamWriter,
};
use xmpp_stanza::{Element, Namespace, StreamErrorCondition as C, XmlRule, ns};

const HEADER: &str = "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' \
                      xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

/// The first error reading `input` whole and one byte at a time (which must agree).
fn error_of(input: &[u8]) -> ReadError {
    let run = |chunk: usize| {
        let mut reader = StreamReader::new(ReaderConfig::c2s());
        for piece in input.chunks(chunk) {
            if let Some(Err(e)) = reader.feed(piece).find(Result::is_err) {
                return e;
            }
        }
        panic!("accepted: {}", String::from_utf8_lossy(input));
    };
    let whole = run(input.len().max(1));
    assert_eq!(run(1), whole);
    whole
}

fn body_error(body: &str) -> ReadError {
    error_of(format!("{HEADER}{body}").as_bytes())
}

#[test]
fn each_condition_the_reader_produces() {
    let cases: Vec<(Vec<u8>, C, ReadErrorKind)> = vec![
        (
            format!("{HEADER}<!-- c -->").into_bytes(),
            C::RestrictedXml,
            ReadErrorKind::Xml(XmlRule::Comment),
        ),
        (
            format!("{HEADER}<message><body>&xxe;</body></message>").into_bytes(),
            C::RestrictedXml,
            ReadErrorKind::Xml(XmlRule::UndefinedEntity),
        ),
        (
            b"<?xml version='1.0'?><!DOCTYPE x><stream:stream>".to_vec(),
            C::RestrictedXml,
            ReadErrorKind::Xml(XmlRule::Dtd),
        ),
        (
            format!("{HEADER}hello").into_bytes(),
            C::NotWellFormed,
            ReadErrorKind::Xml(XmlRule::TextOutsideElement),
        ),
        (
            format!("{HEADER}<message><body>\u{1}</body></message>").into_bytes(),
            C::NotWellFormed,
            ReadErrorKind::Xml(XmlRule::IllegalCharacter),
        ),
        (
            [HEADER.as_bytes(), b"<message>\xC0\xAF</message>"].concat(),
            C::NotWellFormed,
            ReadErrorKind::InvalidUtf8,
        ),
        (
            b"\xFF\xFE<\0".to_vec(),
            C::UnsupportedEncoding,
            ReadErrorKind::NotUtf8,
        ),
        (
            b"<?xml version='1.0' encoding='ISO-8859-1'?><stream:stream>".to_vec(),
            C::UnsupportedEncoding,
            ReadErrorKind::Xml(XmlRule::UnsupportedEncoding),
        ),
        (
            format!("{HEADER}<message><a><b>").into_bytes(),
            C::PolicyViolation,
            ReadErrorKind::TooDeep { limit: 2 },
        ),
        (
            b"<stream:stream xmlns:stream='urn:wrong'>".to_vec(),
            C::InvalidNamespace,
            ReadErrorKind::StreamNamespace,
        ),
        (
            b"<stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>"
                .to_vec(),
            C::InvalidNamespace,
            ReadErrorKind::ContentNamespace,
        ),
        (
            b"<stream xmlns='http://etherx.jabber.org/streams'>".to_vec(),
            C::BadNamespacePrefix,
            ReadErrorKind::UnprefixedStream,
        ),
        (
            format!("{HEADER}<foo:bar/>").into_bytes(),
            C::BadNamespacePrefix,
            ReadErrorKind::Xml(XmlRule::UndeclaredPrefix),
        ),
        (
            b"<stream:stream version='2.0' xmlns:stream='http://etherx.jabber.org/streams'>"
                .to_vec(),
            C::UnsupportedVersion,
            ReadErrorKind::UnsupportedVersion,
        ),
        (
            b"<stream:features xmlns:stream='http://etherx.jabber.org/streams'>".to_vec(),
            C::BadFormat,
            ReadErrorKind::NotStreamElement,
        ),
        (
            format!("{HEADER}<stream:features xmlns:stream='urn:x'/>").into_bytes(),
            C::InvalidNamespace,
            ReadErrorKind::Xml(XmlRule::RebindsFixedPrefix),
        ),
        (
            format!("{HEADER}<x xmlns='jabber:client'/>").into_bytes(),
            C::UnsupportedStanzaType,
            ReadErrorKind::UnsupportedStanzaType,
        ),
        (
            format!("{HEADER}<message xmlns='jabber:server'/>").into_bytes(),
            C::InvalidNamespace,
            ReadErrorKind::StanzaNamespace,
        ),
    ];
    for (input, condition, kind) in cases {
        let e = if matches!(kind, ReadErrorKind::TooDeep { .. }) {
            // With a depth limit of 2.
            let mut limits = Limits::c2s();
            limits.max_depth = 2;
            let mut reader = StreamReader::new(ReaderConfig::c2s().with_limits(limits));
            reader.feed(&input).find_map(Result::err).unwrap()
        } else {
            error_of(&input)
        };
        assert_eq!(
            (e.condition(), e.kind()),
            (condition, kind),
            "{}",
            String::from_utf8_lossy(&input)
        );
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn errors_carry_absolute_offsets() {
    let e = body_error("<message><body>ok</body></message> <presence><!--x--></presence>");
    let at = HEADER.len() + "<message><body>ok</body></message> <presence>".len();
    assert_eq!(e.offset(), at as u64);
}

#[test]
fn starttls_proceed_then_injected_plaintext_is_visible() {
    let mut reader = StreamReader::new(ReaderConfig::c2s().with_limits(Limits::pre_auth()));
    let input = format!(
        "{HEADER}<stream:features><starttls xmlns='{}'><required/></starttls></stream:features>\
         <proceed xmlns='{}'/><message to='victim@example.com'><body>injected</body></message>",
        ns::XMPP_TLS,
        ns::XMPP_TLS
    );
    let mut events = reader.feed(input.as_bytes());
    assert!(matches!(
        events.next(),
        Some(Ok(StreamEvent::StreamOpened(_)))
    ));
    let Some(Ok(StreamEvent::Element(features))) = events.next() else {
        panic!()
    };
    assert!(features.is("features", ns::STREAM));
    let Some(Ok(StreamEvent::Element(proceed))) = events.next() else {
        panic!()
    };
    assert!(proceed.is("proceed", ns::XMPP_TLS));
    // The connection stops here: bytes after <proceed/> in the same read are an
    // injection attempt (RFC 6120 §5.4.3.3) and must not be parsed.
    assert!(events.remaining().starts_with(b"<message"));
    assert!(!reader.is_mid_element());
    reader.reset();
    // After TLS, the new stream starts from scratch.
    let mut events = reader.feed(HEADER.as_bytes());
    assert!(matches!(
        events.next(),
        Some(Ok(StreamEvent::StreamOpened(_)))
    ));
}

#[test]
fn sasl_success_then_pipelined_header_is_read_by_the_reset_reader() {
    let second = "<stream:stream xmlns='jabber:client' \
                  xmlns:stream='http://etherx.jabber.org/streams' id='restarted' version='1.0'>";
    let input = format!(
        "{HEADER}<success xmlns='{}'>dj1wTk5ERlZFUXh1WHhDb1NFaVc4R0VaKzFSU289</success>{second}\
         <stream:features><bind xmlns='{}'/></stream:features>",
        ns::XMPP_SASL,
        ns::XMPP_BIND
    );
    // Byte by byte and whole: the restart happens at the same byte.
    for chunk in [1, 3, input.len()] {
        let mut reader = StreamReader::new(ReaderConfig::c2s());
        let mut seen = Vec::new();
        let mut pending: Vec<u8> = Vec::new();
        for piece in input.as_bytes().chunks(chunk) {
            pending.extend_from_slice(piece);
            let mut rest: &[u8] = &pending;
            while !rest.is_empty() {
                let step = reader.read(rest).unwrap();
                rest = &rest[step.consumed..];
                if let Some(event) = step.event {
                    let restart =
                        matches!(&event, StreamEvent::Element(e) if e.is("success", ns::XMPP_SASL));
                    seen.push(event);
                    if restart {
                        reader.reset();
                    }
                }
            }
            pending.clear();
        }
        assert_eq!(seen.len(), 4, "chunk {chunk}");
        let StreamEvent::StreamOpened(h) = &seen[2] else {
            panic!("{seen:?}")
        };
        assert_eq!(h.id(), Some("restarted"));
        assert_eq!(reader.offset(), input.len() as u64);
    }
}

#[test]
fn pre_auth_limit_then_the_larger_one() {
    let mut reader = StreamReader::new(ReaderConfig::c2s().with_limits(Limits::pre_auth()));
    assert!(reader.feed(HEADER.as_bytes()).all(|e| e.is_ok()));
    let big = format!("<message><body>{}</body></message>", "a".repeat(10_000));
    // Before authentication 10 KB is too much ...
    let mut strict = StreamReader::new(ReaderConfig::c2s().with_limits(Limits::pre_auth()));
    assert!(strict.feed(HEADER.as_bytes()).all(|e| e.is_ok()));
    let e = strict.feed(big.as_bytes()).find_map(Result::err).unwrap();
    assert_eq!(e.kind(), ReadErrorKind::StanzaTooLarge { limit: 8192 });
    // ... and after it, fine.
    reader.set_limits(Limits::c2s());
    assert_eq!(reader.config().limits, Limits::c2s());
    let events: Vec<_> = reader.feed(big.as_bytes()).collect();
    assert!(matches!(events.as_slice(), [Ok(StreamEvent::Element(_))]));
}

#[test]
fn server_to_server_streams_with_dialback() {
    let mut writer = StreamWriter::s2s();
    let mut out = Vec::new();
    writer
        .open(
            &mut out,
            &StreamAttributes::new().from("a.example").to("b.example"),
        )
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("xmlns='jabber:server'"));
    // The peer's header declares the dialback prefix, which its content uses.
    let peer = "<stream:stream xmlns='jabber:server' xmlns:db='jabber:server:dialback' \
                xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>\
                <db:result from='b.example' to='a.example'>b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3</db:result>\
                <presence from='x@b.example' to='y@a.example'/>";
    let mut reader = StreamReader::new(ReaderConfig::s2s());
    let events: Vec<StreamEvent> = reader.feed(peer.as_bytes()).map(Result::unwrap).collect();
    let StreamEvent::StreamOpened(h) = &events[0] else {
        panic!()
    };
    assert_eq!(h.content_namespace(), &Namespace::SERVER);
    assert_eq!(h.version(), Some(StreamVersion::V1_0));
    assert!(
        matches!(&events[1], StreamEvent::Element(e) if e.is("result", "jabber:server:dialback"))
    );
    assert!(matches!(&events[2], StreamEvent::Element(e) if e.is("presence", "jabber:server")));
    // A jabber:client stream is refused by an s2s reader.
    let mut reader = StreamReader::new(ReaderConfig::s2s());
    let e = reader
        .feed(HEADER.as_bytes())
        .find_map(Result::err)
        .unwrap();
    assert_eq!(e.condition(), C::InvalidNamespace);
}

#[test]
fn events_after_an_error_and_the_header_accessors() {
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    let input = format!("{HEADER}<presence/><!--x--><presence/>");
    let mut events = reader.feed(input.as_bytes());
    let Some(Ok(StreamEvent::StreamOpened(h))) = events.next() else {
        panic!()
    };
    assert_eq!(
        (h.to(), h.from(), h.id(), h.lang()),
        (Some("example.com"), None, None, None)
    );
    assert_eq!(h.prefix(), Some("stream"));
    assert!(h.element().is("stream", ns::STREAM));
    assert_eq!(h.context().prefix_ns("stream"), Some(&Namespace::STREAM));
    assert!(matches!(events.next(), Some(Ok(StreamEvent::Element(_)))));
    assert!(matches!(events.next(), Some(Err(_))));
    assert_eq!(events.remaining(), b"");
    assert!(events.next().is_none());
    assert!(reader.error().is_some());
}

#[test]
fn written_elements_read_back_identically() {
    let mut writer = StreamWriter::c2s();
    let mut out = Vec::new();
    writer
        .open(&mut out, &StreamAttributes::new().to("example.com"))
        .unwrap();
    let iq = Element::new("iq", Namespace::CLIENT)
        .with_attr("type", "result")
        .with_attr("id", "r1")
        .with_child(
            Element::new("query", Namespace::intern(ns::ROSTER)).with_child(
                Element::new("item", Namespace::intern(ns::ROSTER))
                    .with_attr("jid", "nurse@example.com")
                    .with_attr("name", "Nurse & <Co>")
                    .with_child(
                        Element::new("group", Namespace::intern(ns::ROSTER)).with_text("Servants"),
                    ),
            ),
        );
    writer.element(&mut out, &iq).unwrap();
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    for chunk in out.chunks(5) {
        for event in reader.feed(chunk) {
            if let StreamEvent::Element(e) = event.unwrap() {
                assert_eq!(e, iq);
            }
        }
    }
}
