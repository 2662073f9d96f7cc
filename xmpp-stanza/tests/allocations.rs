//! How many heap allocations building, converting and writing a stanza costs,
//! measured with a counting global allocator. The bounds guard against
//! regressions; run with `--nocapture` to see the numbers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "common/samples.rs"]
mod samples;

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use xmpp_stanza::{Element, NsContext, Roster, Stanza, TreeBuilder};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations made by `f`, which runs alone (the test harness runs this file's
/// tests on one thread: see `measure_all`).
fn count<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let region = Region::new(GLOBAL);
    let out = f();
    (region.change().allocations, out)
}

// One #[test] so no other test thread allocates while a region is open.
#[test]
fn measure_all() {
    let ctx = NsContext::client();
    let mut builder = TreeBuilder::new();
    // Warm the builder's scratch space (its stacks grow once, then are reused).
    let _ = builder.build(&samples::roster_result(3), &ctx).unwrap();
    let mut out = Vec::with_capacity(4096);

    for (name, input, max_parse, max_typed) in [
        ("chat", samples::CHAT, 4, 4),
        ("chat (minimal)", samples::CHAT_MINIMAL, 3, 2),
        ("presence with caps", samples::PRESENCE_CAPS, 7, 3),
    ] {
        let (parse, el) = count(|| builder.build(input, &ctx).unwrap());
        let (typed, stanza) = count(|| Stanza::try_from(el.clone()).unwrap());
        let (clone, _) = count(|| el.clone());
        let (to_element, el2) = count(|| Element::from(stanza));
        out.clear();
        let (write, ()) = count(|| el2.write_to(&mut out, &ctx).unwrap());
        let (drop_el, ()) = count(|| drop(el));
        println!(
            "{name}: parse {parse}, to typed {} (+{clone} for the clone), typed->element \
             {to_element}, write {write}, drop {drop_el}",
            typed - clone
        );
        assert!(parse <= max_parse, "{name}: {parse} allocations to parse");
        assert!(
            typed - clone <= max_typed,
            "{name}: {} allocations to convert",
            typed - clone
        );
        assert_eq!(
            write, 0,
            "{name}: writing into a large enough buffer allocates nothing"
        );
    }

    let roster = samples::roster_result(200);
    let (parse, el) = count(|| builder.build(&roster, &ctx).unwrap());
    let query = el.child("query", "jabber:iq:roster").unwrap();
    let (typed, _) = count(|| Roster::try_from(query).unwrap());
    println!("roster of 200: parse {parse}, roster payload to typed {typed}");
    // Per item: item attrs, item children, group children (group text is inline).
    assert!(parse <= 3 * 200 + 8, "{parse}");
}
