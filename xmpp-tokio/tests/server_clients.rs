//! Our tokio client against our server host (in-process on tokio, TLS over
//! loopback): the interop scenario — STARTTLS, SCRAM-SHA-512-PLUS (the strongest
//! offered), rosters, mutual subscription, presence, messages both ways, graceful
//! close. The smol adapter runs the same scenario in
//! `xmpp-smol/tests/server_clients.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xmpp_sasl::scram::ScramClientOptions;
use xmpp_server_host::MemoryStore;
use xmpp_testkit::{buddy, inproc, processes};
use xmpp_tokio::Tokio;

#[test]
fn tokio_clients_against_our_server() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = processes::temp_dir("tokio-clients");
        let certs = processes::certs(&dir, inproc::DOMAIN);
        let running = inproc::start::<Tokio, _>(&certs, MemoryStore, None).await;
        let trace = buddy::run::<Tokio>(
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
