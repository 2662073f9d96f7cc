//! Our smol client against our embedded server: the same interop scenario and the
//! same expected trace as the tokio client's (`xmpp-tokio/tests/server_clients.rs`).
//! The server (xmpp-tokio's `server` example code) runs in-process on its own tokio
//! runtime; the clients run on smol.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../xmpp-tokio/tests/common/buddy.rs"]
mod buddy;
#[allow(dead_code)]
#[path = "../../xmpp-tokio/examples/server/embedded/mod.rs"]
mod embedded;
#[path = "../../xmpp-tokio/tests/common/inproc.rs"]
mod inproc;
#[path = "../../xmpp-tokio/tests/common/processes.rs"]
mod processes;

use xmpp_sasl::scram::ScramClientOptions;
use xmpp_smol::Smol;

#[test]
fn smol_clients_against_our_server() {
    let dir = processes::temp_dir("smol-clients");
    let certs = processes::certs(&dir, inproc::DOMAIN);
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let running = server_rt.block_on(inproc::start(&certs, None, None));
    let trace = smol::block_on(buddy::run::<Smol>(
        inproc::DOMAIN,
        running.port,
        &running.ca_file,
        ("alice", "bob"),
        |c| {
            c.with_core(|c| {
                c.with_scram_options(
                    ScramClientOptions::new().insecure_min_iterations_for_tests(inproc::ITERATIONS),
                )
            })
        },
    ));
    assert_eq!(
        trace,
        buddy::expected(inproc::DOMAIN, ("alice", "bob"), "SCRAM-SHA-512-PLUS")
    );
    server_rt.block_on(running.server.shutdown()).unwrap();
}
