//! The differential fuzz check, shared by the cargo-fuzz target
//! (`fuzz_targets/differential.rs`) and the stable replay of the corpora
//! (`tests/fuzz_corpus.rs`).
//!
//! Input layout as in `check.rs`: byte 0 selects a prefix (bit 0: a valid stream
//! header first), byte 1 a chunk size (1 + value); the rest is the stream. Two
//! readers read it — one whose tree builder runs on the fast tokenizer, one on the
//! `xmlparser` reference — and must give exactly the same events and the same
//! error (kind and offset), fed whole and in the chosen chunks.

use xmpp_core::{ReadError, ReaderConfig, StreamEvent, StreamReader};
use xmpp_stanza::TokenizerKind;

const HEADER: &[u8] = b"<?xml version='1.0'?><stream:stream to='example.com' version='1.0' \
    xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

/// Events, then the error if one stopped the reader.
pub type Outcome = (Vec<StreamEvent>, Option<ReadError>);

/// Reads `stream` in `chunk`-byte pieces with the given tokenizer.
pub fn outcome(stream: &[u8], chunk: usize, tokenizer: TokenizerKind) -> Outcome {
    let mut reader = StreamReader::new(ReaderConfig::c2s().with_tokenizer(tokenizer));
    let mut events = Vec::new();
    for piece in stream.chunks(chunk.max(1)) {
        for event in reader.feed(piece) {
            match event {
                Ok(event) => events.push(event),
                Err(e) => return (events, Some(e)),
            }
        }
    }
    (events, None)
}

/// The stream a fuzz input stands for.
pub fn stream_of(data: &[u8]) -> (Vec<u8>, usize) {
    let (mode, chunk, body) = match data {
        [mode, chunk, body @ ..] => (*mode, usize::from(*chunk) + 1, body),
        _ => (0, 1, data),
    };
    let mut stream = Vec::with_capacity(HEADER.len() + body.len());
    if mode & 1 == 1 {
        stream.extend_from_slice(HEADER);
    }
    stream.extend_from_slice(body);
    (stream, chunk)
}

/// Runs one fuzz input.
pub fn check(data: &[u8]) {
    let (stream, chunk) = stream_of(data);
    let reference = outcome(&stream, stream.len(), TokenizerKind::Xmlparser);
    let fast = outcome(&stream, stream.len(), TokenizerKind::Fast);
    assert_eq!(fast, reference, "fast tokenizer, fed whole");
    let fast = outcome(&stream, chunk, TokenizerKind::Fast);
    assert_eq!(fast, reference, "fast tokenizer, chunks of {chunk}");
}
