//! Stream reader throughput on a deterministic, realistic client stream of at least
//! 20 MB (see `corpus/mod.rs`), side by side in one run:
//!
//! * `xmlparser_raw`: raw `xmlparser` tokenization of the whole buffer — the
//!   reference ceiling for this tokenizer (no framing, no tree, no checks);
//! * `reader_4k`: `StreamReader` fed 4 KiB chunks, producing element trees;
//! * `reader_1b`: the same fed one byte at a time.
//!
//! Throughput is reported in bytes; the stanza count is printed once so that
//! stanzas/s = stanzas / time per iteration. Before measuring, the bench also
//! records the largest buffer the reader held in each feeding mode.
//!
//! Run: `cargo bench -p xmpp-core --bench reader -- --measurement-time 5`

// Bench harness: failing loudly on a broken corpus is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use xmpp_core::{ReaderConfig, StreamEvent, StreamReader};

mod corpus;

/// Feeds `bytes` in `chunk`-byte pieces; returns the number of top-level elements
/// and the largest buffer the reader held between reads.
fn read_all(bytes: &[u8], chunk: usize) -> (usize, usize) {
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    let mut elements = 0;
    let mut held = 0;
    for piece in bytes.chunks(chunk) {
        for event in reader.feed(piece) {
            match event {
                Ok(StreamEvent::Element(e)) => {
                    black_box(e);
                    elements += 1;
                }
                Ok(_) => {}
                Err(e) => panic!("corpus rejected: {e}"),
            }
        }
        held = held.max(reader.buffered_capacity());
    }
    (elements, held)
}

fn tokenize(text: &str) -> usize {
    let mut tokens = 0;
    for token in xmlparser::Tokenizer::from(text) {
        black_box(token.expect("corpus tokenizes"));
        tokens += 1;
    }
    tokens
}

fn bench(c: &mut Criterion) {
    let corpus = corpus::generate(20 * 1024 * 1024);
    let bytes = &corpus.bytes;
    let text = std::str::from_utf8(bytes).expect("corpus is UTF-8");
    let limit = ReaderConfig::c2s().limits.max_stanza_bytes;
    for chunk in [4096, 1] {
        let (elements, held) = read_all(bytes, chunk);
        assert_eq!(elements, corpus.stanzas);
        assert!(held <= limit + chunk);
        eprintln!("chunk {chunk}: largest buffer held {held} bytes (limit {limit})");
    }
    eprintln!(
        "corpus: {} bytes, {} stanzas, {} xmlparser tokens",
        bytes.len(),
        corpus.stanzas,
        tokenize(text)
    );

    let mut group = c.benchmark_group("stream_read");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.bench_function("xmlparser_raw", |b| b.iter(|| tokenize(black_box(text))));
    group.bench_function("reader_4k", |b| b.iter(|| read_all(black_box(bytes), 4096)));
    group.bench_function("reader_1b", |b| b.iter(|| read_all(black_box(bytes), 1)));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
