//! Connect-to-online time against a real Prosody on loopback (STARTTLS, TLS 1.3,
//! SCRAM-SHA-256, bind), for both adapters, in one run: first the median of 20 single
//! logins each, then criterion's estimate (only TCP connect → `Online` is timed; the
//! graceful close after each login is not).
//!
//! Needs Prosody: `conformance/interop/install.sh` (root/apt). Run with
//! `cargo bench -p xmpp-smol --bench connect`.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::Criterion;
use futures::StreamExt;
use xmpp_tokio::{ConnectConfig, Event, Runtime};

const PORT: u16 = 16342;

fn interop(script: &str, args: &[&str]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../conformance/interop");
    let out = Command::new(dir.join(script)).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{script}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn config(work: &Path) -> ConnectConfig {
    ConnectConfig::new("alice@example.test/bench", "pw-alice")
        .unwrap()
        .server("127.0.0.1", PORT)
        .ca_file(work.join("certs/ca.pem"))
}

/// One login: the time from starting to connect until online; then a graceful close.
async fn login<R: Runtime>(work: &Path) -> Duration {
    let start = Instant::now();
    let (client, mut events) = xmpp_tokio::connect_with::<R>(config(work)).await.unwrap();
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
    let rundir = work.join("prosody");
    let (certs, rd) = (work.join("certs"), rundir.to_str().unwrap().to_owned());
    interop("certs.sh", &[certs.to_str().unwrap(), "example.test"]);
    let port = PORT.to_string();
    interop(
        "prosody.sh",
        &[
            "start",
            &rd,
            "--port",
            &port,
            "--certs",
            certs.to_str().unwrap(),
        ],
    );
    interop("prosody.sh", &["register", &rd, "alice", "pw-alice"]);

    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let tokio_samples: Vec<_> = (0..20)
        .map(|_| tokio.block_on(login::<xmpp_tokio::Tokio>(&work)))
        .collect();
    let smol_samples: Vec<_> = (0..20)
        .map(|_| smol::block_on(login::<xmpp_smol::Smol>(&work)))
        .collect();
    println!(
        "connect-to-online, median of 20: tokio {:?}, smol {:?}",
        median(tokio_samples),
        median(smol_samples)
    );

    let mut c = Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    let mut group = c.benchmark_group("connect_to_online_prosody");
    group.bench_function("tokio", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| tokio.block_on(login::<xmpp_tokio::Tokio>(&work)))
                .sum()
        })
    });
    group.bench_function("smol", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| smol::block_on(login::<xmpp_smol::Smol>(&work)))
                .sum()
        })
    });
    group.finish();
    c.final_summary();
    interop("prosody.sh", &["stop", &rd]);
    let _ = std::fs::remove_dir_all(&work);
}
