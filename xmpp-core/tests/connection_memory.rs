//! The memory an online, idle connection holds: its struct plus the heap it owns,
//! measured with a counting global allocator by dropping one side of an in-memory
//! pair and seeing how many bytes that frees. Run with `--nocapture` for the numbers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::alloc::System;

use common::*;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use xmpp_core::{ClientCommand, ClientConnection, ServerConnection};
use xmpp_stanza::{Element, Iq, Message, Stanza};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Net heap bytes allocated since `region` started.
fn held(region: &Region<'_, System>) -> isize {
    let c = region.change();
    c.bytes_allocated as isize - c.bytes_deallocated as isize
}

/// The heap freed by dropping `value`.
fn heap_of<T>(value: T) -> usize {
    let region = Region::new(GLOBAL);
    drop(value);
    (-held(&region)).max(0) as usize
}

/// A pair online, idle, after some traffic (a roster get, messages both ways, and
/// optionally a 100 KB message each way).
fn idle_pair(large: bool, chunk: usize) -> Pair {
    let mut pair = Pair::new(client_config(), server_config(), 11);
    pair.chunk = chunk;
    pair.run();
    assert!(pair.client_online());
    let roster = Iq::get("r1", Element::new("query", "jabber:iq:roster"));
    pair.client_command(ClientCommand::send(roster));
    let to = xmpp_jid::Jid::new("romeo@example.net").unwrap();
    let body = if large {
        "x".repeat(100_000)
    } else {
        "hello".to_owned()
    };
    for _ in 0..3 {
        pair.client_command(ClientCommand::send(Message::chat(
            to.clone(),
            body.as_str(),
        )));
        let back = Message::chat(
            xmpp_jid::Jid::new("juliet@example.com/balcony").unwrap(),
            body.as_str(),
        );
        pair.server_command(xmpp_core::ServerCommand::send(Stanza::Message(back)));
    }
    pair.client_events.clear();
    pair.server_events.clear();
    pair.c2s_log = Vec::new();
    pair.s2c_log = Vec::new();
    pair
}

// One #[test], so no other test thread allocates while a region is open.
#[test]
fn online_idle_connections_fit_in_4_kib() {
    for (large, chunk) in [(false, usize::MAX), (false, 7), (true, 4096), (true, 1000)] {
        let Pair { client, server, .. } = idle_pair(large, chunk);
        let client_struct = std::mem::size_of::<ClientConnection>();
        let server_struct = std::mem::size_of::<ServerConnection>();
        let client_heap = heap_of(client);
        let server_heap = heap_of(server);
        let client_total = client_struct + client_heap;
        let server_total = server_struct + server_heap;
        eprintln!(
            "100 KB messages: {large}, chunk {chunk}: client {client_struct} + {client_heap} = {client_total} bytes; \
             server {server_struct} + {server_heap} = {server_total} bytes"
        );
        assert!(client_total <= 4096, "client {client_total}");
        assert!(server_total <= 4096, "server {server_total}");
    }
}
