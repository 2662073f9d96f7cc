//! Stanza throughput through online connections, side by side in one run:
//!
//! * `server_in_1_per_read`: 1000 messages fed to an online `ServerConnection` one
//!   per `handle_input` (checked, `from`-stamped, typed, reported as events);
//! * `server_in_batched`: the same 1000 in one `handle_input` call — the difference
//!   is the per-read cost (draining, releasing the parser's scratch memory);
//! * `client_out`: 1000 `Send` commands to an online `ClientConnection`, the bytes
//!   drained.
//!
//! Run: `cargo bench -p xmpp-core --bench connection -- --measurement-time 5`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use xmpp_core::{ClientCommand, ClientConnection, Connection, Output, ServerConnection};
use xmpp_jid::Jid;
use xmpp_stanza::Message;

#[path = "../tests/common/mod.rs"]
mod common;

const MESSAGES: usize = 1000;

fn online() -> (ClientConnection, ServerConnection) {
    let mut pair = common::Pair::new(common::client_config(), common::server_config(), 1);
    pair.run();
    assert!(pair.client_online());
    (pair.client, pair.server)
}

/// Drains a connection, counting events and bytes.
fn drain<C: Connection>(c: &mut C) -> (usize, Vec<u8>) {
    let mut events = 0;
    let mut bytes = Vec::new();
    loop {
        match c.poll_output() {
            Output::Event(e) => {
                black_box(e);
                events += 1;
            }
            Output::Transmit(b) => bytes.extend_from_slice(&b),
            Output::Wait(_) => return (events, bytes),
            _ => {}
        }
    }
}

/// The bytes of one message each, as the client writes them.
fn message_bytes(client: &mut ClientConnection) -> Vec<Vec<u8>> {
    let to = Jid::new("romeo@example.net").unwrap();
    (0..MESSAGES)
        .map(|i| {
            let m = Message::chat(to.clone(), "Art thou not Romeo, and a Montague?")
                .with_id(format!("m{i}"));
            client
                .handle_command(std::time::Instant::now(), ClientCommand::send(m))
                .unwrap();
            drain(client).1
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (mut client, mut server) = online();
    let messages = message_bytes(&mut client);
    let batch: Vec<u8> = messages.concat();
    let now = std::time::Instant::now();
    let mut group = c.benchmark_group("connection");
    group.throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function("server_in_1_per_read", |b| {
        b.iter(|| {
            let mut events = 0;
            for m in &messages {
                server.handle_input(now, m);
                events += drain(&mut server).0;
            }
            assert_eq!(events, MESSAGES);
        })
    });
    group.bench_function("server_in_batched", |b| {
        b.iter(|| {
            server.handle_input(now, &batch);
            assert_eq!(drain(&mut server).0, MESSAGES);
        })
    });
    let to = Jid::new("romeo@example.net").unwrap();
    group.bench_function("client_out", |b| {
        b.iter(|| {
            for i in 0..MESSAGES {
                let m = Message::chat(to.clone(), "Art thou not Romeo, and a Montague?")
                    .with_id(format!("m{i}"));
                client.handle_command(now, ClientCommand::send(m)).unwrap();
            }
            black_box(drain(&mut client).1);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
