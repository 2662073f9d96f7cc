//! Our tokio client against our server host (in-process on tokio, TLS over
//! loopback): the interop scenario — STARTTLS, SCRAM-SHA-512-PLUS (the strongest
//! offered), rosters, mutual subscription, presence, messages both ways, graceful
//! close. The smol adapter runs the same scenario in
//! `xmpp-smol/tests/server_clients.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xmpp_testkit::inproc;
use xmpp_tokio::Tokio;

#[test]
fn tokio_clients_against_our_server() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (trace, expected) = rt.block_on(inproc::buddy_scenario::<Tokio>("tokio-clients"));
    assert_eq!(trace, expected);
}
