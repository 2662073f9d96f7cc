//! Our smol client against our server host, both on smol (no tokio, no SQLite): the
//! same interop scenario and the same expected trace as the tokio client's
//! (`xmpp-tokio/tests/server_clients.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xmpp_smol::Smol;
use xmpp_testkit::inproc;

#[test]
fn smol_clients_against_our_server() {
    let (trace, expected) = smol::block_on(inproc::buddy_scenario::<Smol>("smol-clients"));
    assert_eq!(trace, expected);
}
