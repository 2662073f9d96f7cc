//! The memory a stream reader holds, measured with a counting global allocator:
//! the net heap bytes the reader keeps between reads (events dropped at once), for
//!
//! * a stanza larger than the limit dripped one byte at a time, and in 4 KiB
//!   chunks: never more than the limit (plus the reader's fixed state), and the
//!   error comes at the byte past the limit;
//! * the realistic benchmark corpus in 4 KiB chunks and one byte at a time: never
//!   more than the stanza limit plus one chunk, and far less in practice;
//! * after a large element: the buffer is released.
//!
//! Run with `--nocapture` to see the numbers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use xmpp_core::{Limits, ReadErrorKind, ReaderConfig, StreamReader};

#[path = "../benches/corpus/mod.rs"]
mod corpus;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The reader's fixed state (namespace context, builder scratch for small
/// elements, …): allowed on top of the buffered bytes.
const FIXED: isize = 16 * 1024;

/// Net heap bytes allocated since `region` started (stats_alloc already counts a
/// reallocation's growth or shrinkage in `bytes_allocated` / `bytes_deallocated`).
fn held(region: &Region<'_, System>) -> isize {
    let c = region.change();
    c.bytes_allocated as isize - c.bytes_deallocated as isize
}

/// Feeds `bytes` in `chunk`-byte pieces, dropping events at once; returns the
/// largest net heap the reader held after a read, and the error if any.
fn feed_measuring(
    reader: &mut StreamReader,
    bytes: &[u8],
    chunk: usize,
    region: &Region<'_, System>,
) -> (isize, Option<xmpp_core::ReadError>) {
    let mut peak = 0;
    for piece in bytes.chunks(chunk) {
        for event in reader.feed(piece) {
            if let Err(e) = event {
                return (peak.max(held(region)), Some(e));
            }
        }
        peak = peak.max(held(region));
    }
    (peak, None)
}

const HEADER: &[u8] = b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
    xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";

// One #[test], so no other test thread allocates while a region is open.
#[test]
fn reader_memory_stays_within_the_limit() {
    // An oversized stanza, dripped and in chunks.
    for (limit, chunk) in [(8 * 1024, 1), (8 * 1024, 4096), (256 * 1024, 4096)] {
        let config = ReaderConfig::c2s().with_limits(Limits::c2s().with_max_stanza_bytes(limit));
        let mut reader = StreamReader::new(config);
        let mut input = HEADER.to_vec();
        input.extend_from_slice(b"<message><body>");
        input.resize(HEADER.len() + 2 * limit + 10_000, b'x');
        let region = Region::new(GLOBAL);
        let (peak, error) = feed_measuring(&mut reader, &input, chunk, &region);
        let error = error.expect("the limit is enforced");
        assert_eq!(error.kind(), ReadErrorKind::StanzaTooLarge { limit });
        assert_eq!(error.offset(), (HEADER.len() + limit) as u64);
        eprintln!("oversized stanza, limit {limit}, chunk {chunk}: peak held {peak} bytes");
        assert!(
            peak <= limit as isize + FIXED,
            "held {peak} > {limit} + {FIXED}"
        );
        drop(reader);
    }

    // The benchmark corpus (4 MB of it).
    let corpus = corpus::generate(4 * 1024 * 1024);
    let limit = Limits::c2s().max_stanza_bytes;
    for chunk in [4096, 1] {
        let mut reader = StreamReader::new(ReaderConfig::c2s());
        let region = Region::new(GLOBAL);
        let (peak, error) = feed_measuring(&mut reader, &corpus.bytes, chunk, &region);
        assert_eq!(error, None);
        eprintln!("corpus, chunk {chunk}: peak held {peak} bytes (limit {limit})");
        assert!(peak <= (limit + chunk) as isize + FIXED);
        // Rosters of 200 items (~20 KB) are the largest elements: the reader holds
        // about one of them, not the limit.
        assert!(peak < 128 * 1024, "{peak}");
    }

    // A large element in one piece, then small ones: the buffer is released.
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    let mut input = HEADER.to_vec();
    input.extend_from_slice(b"<message><body>");
    input.extend(std::iter::repeat_n(b'y', 200_000));
    input.extend_from_slice(b"</body></message>");
    let region = Region::new(GLOBAL);
    let (peak, error) = feed_measuring(&mut reader, &input, 1000, &region);
    assert_eq!(error, None);
    let after = held(&region);
    eprintln!("200 KB element in 1000-byte chunks: peak {peak}, held after {after}");
    assert!(peak <= (limit + 1000) as isize + FIXED);
    assert!(after <= FIXED + 16 * 1024, "{after}");
}
