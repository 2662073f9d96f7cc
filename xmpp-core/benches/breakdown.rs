//! Where the reader's time goes, on the same corpus as `benches/reader.rs`: the
//! corpus is split into its top-level elements once (with `StreamReader::read`'s
//! consumed counts), then each stage runs alone over those slices:
//!
//! * `xmlparser_whole` / `xmlparser_per_element`: tokenization only;
//! * `utf8_per_element`: UTF-8 validation only;
//! * `build_per_element`: xmpp-stanza's tree builder (tokenization included);
//! * `reader_4k`: the whole reader, 4 KiB chunks (framer + glue + builder).
//!
//! So `reader_4k - build_per_element` is what the framer and the reader's glue
//! cost, and `build_per_element - xmlparser_per_element` what tree building adds
//! to tokenization. Run: `cargo bench -p xmpp-core --bench breakdown`.

// Bench harness: failing loudly on a broken corpus is its job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use xmpp_core::{ReaderConfig, StreamReader};
use xmpp_stanza::{NsContext, TreeBuilder};

mod corpus;

/// The text of every top-level element of `bytes` (not the header or close tag).
fn element_slices(bytes: &[u8]) -> Vec<&str> {
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    let mut rest = bytes;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let step = reader.read(rest).expect("corpus reads");
        if let Some(xmpp_core::StreamEvent::Element(_)) = step.event {
            let unit = std::str::from_utf8(&rest[..step.consumed]).expect("UTF-8");
            out.push(unit.trim_start());
        }
        rest = &rest[step.consumed..];
    }
    out
}

fn bench(c: &mut Criterion) {
    let corpus = corpus::generate(20 * 1024 * 1024);
    let bytes = &corpus.bytes;
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let elements = element_slices(bytes);
    assert_eq!(elements.len(), corpus.stanzas);
    let ctx = NsContext::client();

    let mut g = c.benchmark_group("breakdown");
    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.sample_size(10);
    g.bench_function("xmlparser_whole", |b| {
        b.iter(|| xmlparser::Tokenizer::from(black_box(text)).count())
    });
    g.bench_function("xmlparser_per_element", |b| {
        b.iter(|| {
            let mut n = 0;
            for s in &elements {
                for t in xmlparser::Tokenizer::from_fragment(s, 0..s.len()) {
                    black_box(t.expect("tokenizes"));
                    n += 1;
                }
            }
            n
        })
    });
    g.bench_function("utf8_per_element", |b| {
        b.iter(|| {
            let mut n = 0;
            for s in &elements {
                n += std::str::from_utf8(black_box(s.as_bytes())).map_or(0, str::len);
            }
            n
        })
    });
    g.bench_function("build_per_element", |b| {
        b.iter(|| {
            let mut builder = TreeBuilder::new();
            for s in &elements {
                black_box(builder.build(s, &ctx).expect("builds"));
            }
        })
    });
    g.bench_function("reader_4k", |b| {
        b.iter(|| {
            let mut reader = StreamReader::new(ReaderConfig::c2s());
            let mut n = 0;
            for piece in bytes.chunks(4096) {
                for event in reader.feed(piece) {
                    black_box(event.expect("reads"));
                    n += 1;
                }
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
