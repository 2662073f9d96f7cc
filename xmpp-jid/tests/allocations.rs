//! The crate docs promise that parsing an all-ASCII JID allocates exactly once (the
//! normalised string); counted here with a counting global allocator.

#![allow(clippy::unwrap_used)]

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use xmpp_jid::{BareJid, FullJid, Jid, Profile};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn allocations<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let region = Region::new(GLOBAL);
    let out = f();
    (region.change().allocations, out)
}

// One #[test] so no other test thread allocates while a region is open.
#[test]
fn ascii_jids_allocate_once() {
    for input in [
        "juliet@example.com/balcony",
        "Juliet@Example.COM/Balcony",
        "juliet@example.com.",
        "example.com",
        "a.example.com/b@example.net",
    ] {
        for profile in [Profile::Rfc6122, Profile::Rfc7622] {
            let (n, jid) = allocations(|| Jid::parse_with(input, profile).unwrap());
            assert_eq!(n, 1, "{input} ({profile:?}) -> {jid}");
        }
    }
    let (n, _) = allocations(|| FullJid::new("romeo@example.net/orchard").unwrap());
    assert_eq!(n, 1);
    let (n, _) = allocations(|| BareJid::new("Romeo@Example.NET").unwrap());
    assert_eq!(n, 1);
}
