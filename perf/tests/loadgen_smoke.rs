//! The load benchmark's generator stays usable: `loadgen` against the server host
//! (in-process, flood control off) with tiny numbers. The real run is
//! `scripts/load-bench.sh`; no figure is checked here, only that every message
//! arrives exactly once and idle connections are held.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::process::Command;

use xmpp_server_host::MemoryStore;
use xmpp_testkit::{inproc, processes};
use xmpp_tokio::Tokio;

#[test]
fn loadgen_runs_against_the_server() {
    let dir = processes::temp_dir("loadgen-smoke");
    let certs = processes::certs(&dir, inproc::DOMAIN);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // The generator insists on at least 4096 SCRAM iterations, as real clients do.
    let settings = inproc::settings(None).with_scram_iterations(4096);
    let accounts = ["u0", "u1", "u2", "u3", "i0", "i1"];
    let running = runtime.block_on(inproc::start_with_users::<Tokio, _>(
        &certs,
        MemoryStore,
        settings,
        &accounts,
    ));
    let loadgen = |mode: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_loadgen"))
            .args(["--server", &format!("127.0.0.1:{}", running.port)])
            .args(["--domain", inproc::DOMAIN, "--label", "smoke"])
            .arg("--ca")
            .arg(certs.join("ca.pem"))
            .args(["--server-pid", &std::process::id().to_string()])
            .args(mode)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let result = loadgen(&[
        "throughput",
        "--pairs",
        "2",
        "--messages",
        "300",
        "--window",
        "16",
    ]);
    assert!(
        result.contains("delivered=600 lost=0 duplicates=0"),
        "{result}"
    );
    let result = loadgen(&[
        "idle",
        "--connections",
        "12",
        "--accounts",
        "2",
        "--hold",
        "0",
    ]);
    assert!(
        result.contains(" connections=12 answered_ping=12 "),
        "{result}"
    );
    runtime.block_on(running.server.shutdown()).unwrap();
}
