use super::*;
use xmpp_stanza::StreamErrorCondition as C;

const HEADER: &str = "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' \
                      xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

/// Feeds `input` in `chunk`-byte pieces; all events and the error, if any.
fn events(input: &[u8], chunk: usize) -> (Vec<StreamEvent>, Option<ReadError>) {
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        for event in reader.feed(piece) {
            match event {
                Ok(e) => out.push(e),
                Err(e) => return (out, Some(e)),
            }
        }
    }
    (out, None)
}

fn all_chunkings(input: &[u8]) -> (Vec<StreamEvent>, Option<ReadError>) {
    let whole = events(input, input.len());
    for chunk in [1, 2, 3, 5, 7, 64] {
        assert_eq!(events(input, chunk), whole, "chunk {chunk}");
    }
    whole
}

#[test]
fn a_stream_in_any_chunking() {
    let input = format!(
        "{HEADER}<message to='romeo@example.net' xml:lang='fr'><body>Ça va &amp; 😀</body></message>\
         \n <presence/>\t<iq type='get' id='1'><query xmlns='jabber:iq:roster'/></iq></stream:stream>"
    );
    let (events, error) = all_chunkings(input.as_bytes());
    assert_eq!(error, None);
    assert_eq!(events.len(), 5);
    let StreamEvent::Element(m) = &events[1] else {
        panic!("{events:?}")
    };
    assert_eq!(
        m.child("body", "jabber:client").unwrap().text(),
        "Ça va & 😀"
    );
    assert_eq!(events[4], StreamEvent::StreamClosed);
}

#[test]
fn read_stops_after_each_event_with_exact_counts() {
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    let input = format!("{HEADER}<a xmlns='urn:x'/>  <b xmlns='urn:x'/>");
    let step = reader.read(input.as_bytes()).unwrap();
    assert_eq!(step.consumed, HEADER.len());
    assert!(matches!(step.event, Some(StreamEvent::StreamOpened(_))));
    let rest = &input.as_bytes()[step.consumed..];
    let step = reader.read(rest).unwrap();
    assert_eq!(step.consumed, 18);
    let rest = &rest[18..];
    let step = reader.read(rest).unwrap();
    assert_eq!(step.consumed, rest.len());
    assert!(matches!(step.event, Some(StreamEvent::Element(_))));
    assert_eq!(reader.offset(), input.len() as u64);
    assert_eq!(
        reader.read(b"  ").unwrap(),
        Step {
            consumed: 2,
            event: None
        }
    );
}

#[test]
fn reset_restarts_at_the_byte_after_the_trigger() {
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    let second = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
                  xmlns:stream='http://etherx.jabber.org/streams' id='2'>";
    let input =
        format!("{HEADER}<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>{second}<presence/>");
    let mut events = reader.feed(input.as_bytes());
    assert!(matches!(
        events.next(),
        Some(Ok(StreamEvent::StreamOpened(_)))
    ));
    assert!(matches!(events.next(), Some(Ok(StreamEvent::Element(e))) if e.name() == "success"));
    let rest = events.remaining();
    assert!(rest.starts_with(b"<?xml"));
    reader.reset();
    let got: Vec<_> = reader.feed(rest).collect();
    assert_eq!(got.len(), 2);
    let Ok(StreamEvent::StreamOpened(h)) = &got[0] else {
        panic!("{got:?}")
    };
    assert_eq!(h.id(), Some("2"));
    assert!(matches!(&got[1], Ok(StreamEvent::Element(e)) if e.name() == "presence"));
    assert_eq!(reader.offset(), input.len() as u64);
}

#[test]
fn errors_are_sticky_and_located() {
    let input = format!("{HEADER}<message><body>a<!-- c -->b</body></message>");
    let (_, e) = all_chunkings(input.as_bytes());
    let e = e.unwrap();
    assert_eq!(e.condition(), C::RestrictedXml);
    assert_eq!(e.offset(), (HEADER.len() + 16) as u64);
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    assert_eq!(
        reader.read(input.as_bytes()).map(|s| s.consumed),
        Ok(HEADER.len())
    );
    assert_eq!(reader.read(&input.as_bytes()[HEADER.len()..]), Err(e));
    assert_eq!(reader.read(b"<presence/>"), Err(e));
    assert_eq!(reader.error(), Some(e));
}

#[test]
fn invalid_utf8_is_reported_where_it_is_whatever_the_chunking() {
    for bad in [&b"\xC0\xAF"[..], b"\xED\xA0\x80", b"\xFF", b"\xE2\x82<"] {
        let mut input = format!("{HEADER}<message><body>ab").into_bytes();
        let at = input.len() as u64;
        input.extend_from_slice(bad);
        input.extend_from_slice(b"</body></message>");
        let (_, e) = all_chunkings(&input);
        let e = e.unwrap();
        assert_eq!(
            (e.kind(), e.offset()),
            (ReadErrorKind::InvalidUtf8, at),
            "{bad:?}"
        );
    }
}

#[test]
fn a_utf8_error_before_a_framer_fault_wins() {
    let input = format!("{HEADER}<message>\u{0}").into_bytes();
    let mut bad = input.clone();
    bad.pop();
    bad.extend_from_slice(b"\xFF<!--");
    let (_, e) = all_chunkings(&bad);
    assert_eq!(e.unwrap().kind(), ReadErrorKind::InvalidUtf8);
}

#[test]
fn stream_close_must_match_the_header() {
    let (_, e) = all_chunkings(format!("{HEADER}</stream:streams>").as_bytes());
    assert_eq!(e.unwrap().kind(), ReadErrorKind::MismatchedStreamClose);
    let input =
        "<s:stream xmlns='jabber:client' xmlns:s='http://etherx.jabber.org/streams'></s:stream >";
    let (events, e) = all_chunkings(input.as_bytes());
    assert_eq!(e, None);
    assert_eq!(events.last(), Some(&StreamEvent::StreamClosed));
    let (_, e) = all_chunkings(format!("{HEADER}</stream:stream><a/>").as_bytes());
    assert_eq!(e.unwrap().kind(), ReadErrorKind::DataAfterClose);
}

#[test]
fn top_level_checks() {
    let (_, e) = all_chunkings(format!("{HEADER}<foo xmlns='jabber:client'/>").as_bytes());
    let e = e.unwrap();
    assert_eq!(
        (e.condition(), e.offset()),
        (C::UnsupportedStanzaType, HEADER.len() as u64)
    );
    let (_, e) =
        all_chunkings(format!("{HEADER}<stream:features xmlns:stream='http://other'/>").as_bytes());
    assert_eq!(e.unwrap().condition(), C::InvalidNamespace);
    let (events, e) =
        all_chunkings(format!("{HEADER}<c:message xmlns:c='jabber:client'/>").as_bytes());
    assert_eq!((events.len(), e), (2, None));
}

#[test]
fn lowering_the_limit_applies_to_the_next_element_and_from_the_next_byte() {
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    let big = format!("<message><body>{}</body></message>", "x".repeat(100));
    assert!(reader.feed(HEADER.as_bytes()).all(|e| e.is_ok()));
    assert!(reader.feed(big.as_bytes()).all(|e| e.is_ok()));
    reader.set_limits(Limits::c2s().with_max_stanza_bytes(64));
    let e = reader.feed(big.as_bytes()).find_map(Result::err).unwrap();
    assert_eq!(e.kind(), ReadErrorKind::StanzaTooLarge { limit: 64 });
    assert_eq!(e.offset(), (HEADER.len() + big.len() + 64) as u64);
}

#[test]
fn the_size_limit_holds_in_text_and_values_for_every_chunking() {
    let limit = 64;
    let start = HEADER.len() as u64;
    let mut accepted = 0;
    for stanza in [
        format!("<message><body>{}</body></message>", "x".repeat(100)),
        format!("<message id='{}'/>", "x".repeat(100)),
        format!("<message id=\"{}\"/>", "x".repeat(100)),
        // Exactly at the limit: accepted.
        format!("<message><body>{}</body></message>", "x".repeat(64 - 32)),
    ] {
        let mut outcomes = Vec::new();
        for chunk in [1, 2, 7, stanza.len()] {
            // The header is longer than the limit: lower it once the stream is open.
            let mut reader = StreamReader::new(ReaderConfig::c2s());
            assert!(reader.feed(HEADER.as_bytes()).all(|e| e.is_ok()));
            reader.set_limits(Limits::c2s().with_max_stanza_bytes(limit));
            let mut error = None;
            for piece in stanza.as_bytes().chunks(chunk) {
                if let Some(e) = reader.feed(piece).find_map(Result::err) {
                    error = Some(e);
                    break;
                }
            }
            outcomes.push(error);
        }
        assert!(outcomes.windows(2).all(|w| w[0] == w[1]), "{outcomes:?}");
        match outcomes[0] {
            Some(e) => {
                assert!(stanza.len() > limit, "{stanza}");
                assert_eq!(e.kind(), ReadErrorKind::StanzaTooLarge { limit });
                assert_eq!(e.offset(), start + limit as u64);
            }
            None => {
                assert_eq!(stanza.len(), limit);
                accepted += 1;
            }
        }
    }
    assert_eq!(accepted, 1);
}

#[test]
fn memory_stays_within_the_limit_when_a_huge_element_is_dripped() {
    let limit = 4096;
    let mut reader = StreamReader::new(
        ReaderConfig::c2s().with_limits(Limits::c2s().with_max_stanza_bytes(limit)),
    );
    assert!(reader.feed(HEADER.as_bytes()).all(|e| e.is_ok()));
    assert!(reader.feed(b"<message><body>").all(|e| e.is_ok()));
    let mut sent = HEADER.len() + 15;
    let err = loop {
        let byte = if sent.is_multiple_of(3) { "é" } else { "y" };
        if let Some(Err(e)) = reader.feed(byte.as_bytes()).next() {
            break e;
        }
        sent += byte.len();
        assert!(
            reader.buffered_capacity() <= limit,
            "{}",
            reader.buffered_capacity()
        );
        assert!(sent < HEADER.len() + 2 * limit, "limit not enforced");
    };
    assert_eq!(err.condition(), C::PolicyViolation);
    assert_eq!(err.offset(), (HEADER.len() + limit) as u64);
    // After a completed large element the buffer is released.
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    assert!(reader.feed(HEADER.as_bytes()).all(|e| e.is_ok()));
    let big = format!("<message><body>{}</body></message>", "z".repeat(100_000));
    for chunk in big.as_bytes().chunks(1000) {
        assert!(reader.feed(chunk).all(|e| e.is_ok()));
    }
    assert!(reader.buffered_capacity() <= 16 * 1024);
}

#[test]
fn a_lowered_limit_releases_a_buffer_grown_under_the_old_one() {
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    assert!(reader.feed(HEADER.as_bytes()).all(|e| e.is_ok()));
    // 12 KiB in 1 KiB reads: the buffer grows to between 12 and 16 KiB and is kept.
    let mid = format!("<message><body>{}</body></message>", "m".repeat(12 * 1024));
    for chunk in mid.as_bytes().chunks(1024) {
        assert!(reader.feed(chunk).all(|e| e.is_ok()));
    }
    assert!(reader.buffered_capacity() > 8 * 1024);
    let limit = 8 * 1024;
    reader.set_limits(Limits::c2s().with_max_stanza_bytes(limit));
    assert!(reader.buffered_capacity() <= limit);
    // Lowered while an element is partly read: released when it completes.
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    assert!(reader.feed(HEADER.as_bytes()).all(|e| e.is_ok()));
    for chunk in mid.as_bytes().chunks(1024) {
        assert!(reader.feed(chunk).all(|e| e.is_ok()));
    }
    let (head, tail) = mid.as_bytes().split_at(12 * 1024);
    assert!(reader.feed(head).all(|e| e.is_ok()));
    reader.set_limits(Limits::c2s().with_max_stanza_bytes(12 * 1024 + 64));
    assert!(reader.feed(tail).all(|e| e.is_ok()));
    assert!(reader.buffered_capacity() <= 12 * 1024 + 64);
}

#[test]
fn empty_reads_and_keepalives() {
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    assert_eq!(
        reader.read(b"").unwrap(),
        Step {
            consumed: 0,
            event: None
        }
    );
    assert!(reader.feed(HEADER.as_bytes()).all(|e| e.is_ok()));
    assert!(!reader.is_mid_element());
    for _ in 0..100 {
        assert_eq!(
            reader.read(b" \n").unwrap(),
            Step {
                consumed: 2,
                event: None
            }
        );
    }
    assert_eq!(reader.read(b"<pres").unwrap().event, None);
    assert!(reader.is_mid_element());
}
