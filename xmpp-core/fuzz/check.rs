//! The reader fuzz check, shared by the cargo-fuzz target (`fuzz_targets/reader.rs`)
//! and the stable replay of its corpus (`tests/fuzz_corpus.rs`).
//!
//! Input layout: byte 0 selects a prefix (bit 0: a valid stream header first) and
//! byte 1 a chunk size (1 + value); the rest is the stream. The reader must never
//! panic, must stop at one sticky error, and must give the same outcome fed whole,
//! one byte at a time, and in the chosen chunks.

use xmpp_core::{ReadError, ReaderConfig, StreamEvent, StreamReader};

const HEADER: &[u8] = b"<?xml version='1.0'?><stream:stream to='example.com' version='1.0' \
    xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

/// Events, then the error if one stopped the reader.
fn outcome(stream: &[u8], chunk: usize) -> (Vec<StreamEvent>, Option<ReadError>) {
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    let mut events = Vec::new();
    for piece in stream.chunks(chunk.max(1)) {
        let mut rest = piece;
        while !rest.is_empty() {
            match reader.read(rest) {
                Ok(step) => {
                    assert!(step.consumed <= rest.len());
                    assert!(step.event.is_some() || step.consumed == rest.len());
                    assert!(step.consumed > 0);
                    rest = &rest[step.consumed..];
                    events.extend(step.event);
                }
                Err(e) => {
                    assert_eq!(reader.read(b" <a/>"), Err(e), "errors are sticky");
                    assert!(e.offset() <= stream.len() as u64);
                    return (events, Some(e));
                }
            }
            assert!(reader.buffered_capacity() <= ReaderConfig::c2s().limits.max_stanza_bytes);
        }
    }
    (events, None)
}

/// Runs one fuzz input.
pub fn check(data: &[u8]) {
    let (mode, chunk, body) = match data {
        [mode, chunk, body @ ..] => (*mode, usize::from(*chunk) + 1, body),
        _ => (0, 1, data),
    };
    let mut stream = Vec::with_capacity(HEADER.len() + body.len());
    if mode & 1 == 1 {
        stream.extend_from_slice(HEADER);
    }
    stream.extend_from_slice(body);
    let whole = outcome(&stream, stream.len());
    assert_eq!(outcome(&stream, 1), whole, "one byte at a time");
    assert_eq!(outcome(&stream, chunk), whole, "chunks of {chunk}");
}
