//! Password guessing is slowed down across connections: after the free failures,
//! each further attempt from the same address waits longer — for known and unknown
//! accounts alike — and the real password still gets in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use xmpp_adapter::{ConnectConfig, Error};
use xmpp_server::AuthThrottleConfig;
use xmpp_server_host::MemoryStore;
use xmpp_testkit::{inproc, processes};
use xmpp_tokio::Tokio;

/// One login attempt; how long the answer took and whether it succeeded.
async fn attempt(port: u16, ca: &std::path::Path, user: &str, password: &str) -> (Duration, bool) {
    let config = ConnectConfig::new(&format!("{user}@{}/x", inproc::DOMAIN), password)
        .unwrap()
        .server("127.0.0.1", port)
        .ca_file(ca)
        .with_core(|c| {
            c.with_scram_options(
                xmpp_sasl::scram::ScramClientOptions::new()
                    .insecure_min_iterations_for_tests(inproc::ITERATIONS),
            )
        });
    let started = Instant::now();
    let outcome = xmpp_tokio::connect(config).await;
    let elapsed = started.elapsed();
    match outcome {
        Ok((client, _events)) => {
            client.close().await.unwrap();
            (elapsed, true)
        }
        Err(Error::Auth(_)) => (elapsed, false),
        Err(other) => panic!("expected an authentication outcome: {other}"),
    }
}

#[test]
fn failed_logins_slow_down_further_attempts_from_the_address() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = processes::temp_dir("auth-throttle");
        let certs = processes::certs(&dir, inproc::DOMAIN);
        let throttle = AuthThrottleConfig {
            free_failures: 2,
            base_delay: Duration::from_millis(400),
            max_delay: Duration::from_millis(1600),
            ..AuthThrottleConfig::default()
        };
        let settings = inproc::settings(None).with_auth_throttle(throttle);
        let running = inproc::start_with::<Tokio, _>(&certs, MemoryStore, settings).await;
        let (port, ca) = (running.port, running.ca_file.clone());
        // Up to two failures are free: three attempts are answered at once.
        for user in ["alice", "nobody", "alice"] {
            let (_, ok) = attempt(port, &ca, user, "guess").await;
            assert!(!ok);
        }
        // Then each attempt from this address waits, counted from the failure
        // before it: 400 ms, 800 ms, 1600 ms — for a known account and for one that
        // does not exist alike. (Less a margin for the time between that failure
        // and the next attempt's start.)
        let mut waits = Vec::new();
        for user in ["alice", "nobody", "alice"] {
            let (elapsed, ok) = attempt(port, &ca, user, "guess").await;
            assert!(!ok);
            waits.push(elapsed);
        }
        let margin = Duration::from_millis(100);
        assert!(waits[0] + margin >= Duration::from_millis(400), "{waits:?}");
        assert!(waits[1] + margin >= Duration::from_millis(800), "{waits:?}");
        assert!(
            waits[2] + margin >= Duration::from_millis(1600),
            "{waits:?}"
        );
        // The right password is held too (a pause must not reveal the verdict), but
        // gets in.
        let (elapsed, ok) = attempt(port, &ca, "alice", "pw-alice").await;
        assert!(ok, "the real user was locked out");
        assert!(
            elapsed + margin >= Duration::from_millis(1600),
            "{elapsed:?}"
        );
        let stats = running.server.shutdown().await.unwrap();
        assert_eq!(stats.auth_delayed, 4, "{stats:?}");
    });
}
