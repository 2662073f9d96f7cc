//! The load benchmark's tools stay usable: the `loadgen` example against the
//! `server` example with tiny numbers (the real run is `scripts/load-bench.sh`; no
//! figure is checked here, only that every message arrives exactly once and idle
//! connections are held).

#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "common/processes.rs"]
mod processes;

use std::process::Command;

use processes::ServerProcess;

const DOMAIN: &str = "example.test";

#[test]
fn loadgen_runs_against_the_server() {
    let dir = processes::temp_dir("loadgen-smoke");
    let certs = processes::certs(&dir, DOMAIN);
    let mut args = vec!["--flood".to_owned(), "off".to_owned()];
    for user in ["u0", "u1", "u2", "u3", "i0", "i1"] {
        args.extend(["--add-user".to_owned(), format!("{user}:pw-{user}")]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = ServerProcess::start(&certs, DOMAIN, &args);
    let loadgen = |mode: &[&str]| {
        let out = Command::new(processes::example("loadgen"))
            .args(["--server", &format!("127.0.0.1:{}", server.port)])
            .args(["--domain", DOMAIN, "--label", "smoke"])
            .arg("--ca")
            .arg(certs.join("ca.pem"))
            .args(["--server-pid", &server.child.id().to_string()])
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
    assert!(result.contains("idle connections=12"), "{result}");
    server.stop();
}
