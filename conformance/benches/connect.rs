//! Connect-to-online time against a real Prosody on loopback (STARTTLS, TLS 1.3,
//! SCRAM-SHA-256, bind), for both adapters, in one run: first the median of 20 single
//! logins each, then criterion's estimate (only TCP connect → `Online` is timed; the
//! graceful close after each login is not).
//!
//! Two Prosody instances: the stock configuration, and one with
//! `network_settings = { nagle = false }`. Stock Prosody writes without TCP_NODELAY,
//! so its stream features wait behind its unacknowledged TLS session ticket until the
//! client's delayed ACK (~40 ms on Linux); the second instance shows the time without
//! that stall.
//!
//! Needs Prosody: `conformance/interop/install.sh` (root/apt). Run with
//! `cargo bench -p xmpp-smol --bench connect`.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::Criterion;
use futures::StreamExt;
use xmpp_adapter::{ConnectConfig, Event, Runtime};

/// Ports of the stock instance and of the `nagle = false` one.
const PORTS: [u16; 2] = [16342, 16344];

fn interop(script: &str, args: &[&str]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/interop");
    let out = Command::new(dir.join(script)).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn config(work: &Path, port: u16) -> ConnectConfig {
    ConnectConfig::new("alice@example.test/bench", "pw-alice")
        .unwrap()
        .server("127.0.0.1", port)
        .ca_file(work.join("certs/ca.pem"))
}

/// One login: the time from starting to connect until online; then a graceful close.
async fn login<R: Runtime>(work: &Path, port: u16) -> Duration {
    let start = Instant::now();
    let (client, mut events) = xmpp_adapter::connect_with::<R>(config(work, port))
        .await
        .unwrap();
    let elapsed = start.elapsed();
    client.close().await.unwrap();
    while let Some(event) = events.next().await {
        if let Event::Closed(error) = event {
            assert!(error.is_none(), "{error:?}");
        }
    }
    elapsed
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    interop("install.sh", &[]);
    let work: PathBuf =
        std::env::temp_dir().join(format!("xmpp-bench-connect-{}", std::process::id()));
    let certs = work.join("certs");
    let certs = certs.to_str().unwrap();
    interop("certs.sh", &[certs, "example.test"]);
    let nodelay = work.join("nodelay.lua");
    std::fs::write(&nodelay, "network_settings = { nagle = false }\n").unwrap();
    let mut rundirs = Vec::new();
    for (port, extra) in PORTS
        .into_iter()
        .zip([None, Some(nodelay.to_str().unwrap())])
    {
        let rd = work
            .join(format!("prosody-{port}"))
            .to_str()
            .unwrap()
            .to_owned();
        let port = port.to_string();
        let mut args = vec!["start", rd.as_str(), "--port", &port, "--certs", certs];
        args.extend(
            extra
                .map(|file| ["--extra-config", file])
                .into_iter()
                .flatten(),
        );
        interop("prosody.sh", &args);
        interop("prosody.sh", &["register", &rd, "alice", "pw-alice"]);
        rundirs.push(rd);
    }

    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut c = Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    for (port, name) in PORTS.into_iter().zip(["stock", "nagle_off"]) {
        let tokio_samples: Vec<_> = (0..20)
            .map(|_| tokio.block_on(login::<xmpp_tokio::Tokio>(&work, port)))
            .collect();
        let smol_samples: Vec<_> = (0..20)
            .map(|_| smol::block_on(login::<xmpp_smol::Smol>(&work, port)))
            .collect();
        println!(
            "connect-to-online against Prosody ({name}), median of 20: tokio {:?}, smol {:?}",
            median(tokio_samples),
            median(smol_samples)
        );
        let mut group = c.benchmark_group(format!("connect_to_online_prosody_{name}"));
        group.bench_function("tokio", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| tokio.block_on(login::<xmpp_tokio::Tokio>(&work, port)))
                    .sum()
            })
        });
        group.bench_function("smol", |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| smol::block_on(login::<xmpp_smol::Smol>(&work, port)))
                    .sum()
            })
        });
        group.finish();
    }
    c.final_summary();
    for rd in &rundirs {
        interop("prosody.sh", &["stop", rd]);
    }
    let _ = std::fs::remove_dir_all(&work);
}
