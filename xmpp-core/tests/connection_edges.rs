//! Edges of the connections' contract: timers that re-arm themselves, the number of
//! SASL attempts a stream allows, and stanzas in a namespace other than the stream's.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Pair, client_config, server_config};
use xmpp_core::*;
use xmpp_sasl::InsecureSeededEntropy;

/// Runs `f` on a thread and fails the test if it does not return within `limit`
/// (instead of hanging the suite).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("did not return within {limit:?}"))
}

#[test]
fn a_zero_keepalive_interval_sends_one_keepalive_per_timeout_call() {
    let written = within(Duration::from_secs(10), || {
        let mut timeouts = ClientTimeouts::default();
        timeouts.keepalive = Some(Duration::ZERO);
        let mut pair = Pair::new(client_config().with_timeouts(timeouts), server_config(), 3);
        pair.run();
        assert!(pair.client_online());
        let before = pair.c2s_log.len();
        let now = pair.now;
        pair.client.handle_timeout(now);
        let mut written = 0;
        loop {
            match pair.client.poll_output() {
                Output::Transmit(bytes) => written += bytes.len(),
                Output::Wait(_) => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(pair.c2s_log.len(), before);
        written
    });
    assert_eq!(written, 1, "one whitespace keepalive");
}
