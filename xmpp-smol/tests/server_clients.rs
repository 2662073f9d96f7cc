//! Our smol client against our server host, both on smol (no tokio, no SQLite): the
//! same interop scenario and the same expected trace as the tokio client's
//! (`xmpp-tokio/tests/server_clients.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xmpp_sasl::scram::ScramClientOptions;
use xmpp_server_host::MemoryStore;
use xmpp_smol::Smol;
use xmpp_testkit::{buddy, inproc, processes};

#[test]
fn smol_clients_against_our_server() {
    smol::block_on(async {
        let dir = processes::temp_dir("smol-clients");
        let certs = processes::certs(&dir, inproc::DOMAIN);
        let running = inproc::start::<Smol, _>(&certs, MemoryStore, None).await;
        let trace = buddy::run::<Smol>(
            inproc::DOMAIN,
            running.port,
            &running.ca_file,
            ("alice", "bob"),
            |c| {
                c.with_core(|c| {
                    c.with_scram_options(
                        ScramClientOptions::new()
                            .insecure_min_iterations_for_tests(inproc::ITERATIONS),
                    )
                })
            },
        )
        .await;
        assert_eq!(
            trace,
            buddy::expected(inproc::DOMAIN, ("alice", "bob"), "SCRAM-SHA-512-PLUS")
        );
        running.server.shutdown().await.unwrap();
    });
}
