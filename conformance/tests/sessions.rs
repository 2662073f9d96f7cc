//! Runs the `sessions` suite (every mechanism, the failure paths, the timers, raw
//! violations; each pair scenario in three chunkings) and the `pair` subcommand,
//! whose output must be byte-identical for chunk sizes 1, 7 and 4096 and for repeated
//! runs with the same seed.

// Test helpers outside #[test] functions: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(args)
        .output()
        .expect("conformance binary runs")
}

#[test]
fn every_session_scenario_passes() {
    let out = run(&["sessions"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let last = stdout.lines().last().unwrap();
    assert!(last.ends_with(" passed, 0 failed, 0 skipped"), "{stdout}");
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 40, "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
}

#[test]
fn pair_output_is_the_same_for_every_chunking_and_run() {
    for seed in ["1", "42"] {
        let reference = run(&["pair", "--seed", seed, "--chunk", "4096"]);
        assert!(
            reference.status.success(),
            "{}",
            String::from_utf8_lossy(&reference.stderr)
        );
        let text = String::from_utf8_lossy(&reference.stdout).into_owned();
        for needle in [
            "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
            "-- TLS established",
            "mechanism='SCRAM-SHA-256-PLUS'",
            "<jid>juliet@example.com/balcony</jid>",
            "<query xmlns='jabber:iq:roster'/>",
            "C: </stream:stream>",
            "S: </stream:stream>",
        ] {
            assert!(text.contains(needle), "missing {needle}:\n{text}");
        }
        assert_eq!(text.matches("C: <message").count(), 3, "{text}");
        assert_eq!(text.matches("S: <message").count(), 3, "{text}");
        let events = text.lines().last().unwrap();
        assert!(
            events.starts_with("events: client [Authenticated(SCRAM-SHA-256-PLUS)"),
            "{events}"
        );
        for chunk in ["1", "7", "4096"] {
            let again = run(&["pair", "--seed", seed, "--chunk", chunk]);
            assert!(again.status.success());
            assert_eq!(again.stdout, reference.stdout, "seed {seed}, chunk {chunk}");
        }
    }
    let other = run(&["pair", "--seed", "2"]);
    assert_ne!(
        other.stdout,
        run(&["pair", "--seed", "1"]).stdout,
        "the seed matters"
    );
}

#[test]
fn pair_usage_errors() {
    assert_eq!(run(&["pair", "--chunk", "0"]).status.code(), Some(2));
    assert_eq!(run(&["pair", "--seed"]).status.code(), Some(2));
    assert_eq!(run(&["sessions", "file"]).status.code(), Some(2));
}
