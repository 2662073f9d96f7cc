//! Runs the `transcripts` suite over the RFC transcripts: every client-to-server
//! transcript replayed against our client and our server where it applies, in many
//! chunkings (every 5th byte split here, to keep debug builds quick; the release run
//! in `scripts/test-all.sh` cuts at every byte), server-to-server ones skipped.

// Test helpers outside #[test] functions: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

fn transcripts() -> Vec<String> {
    transcripts_in(&["vectors", "transcripts"])
}

/// The `.txt` files of a directory under this crate, sorted.
fn transcripts_in(dir: &[&str]) -> Vec<String> {
    let dir: PathBuf = std::iter::once(env!("CARGO_MANIFEST_DIR"))
        .chain(dir.iter().copied())
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".txt"))
        .collect();
    files.sort();
    files
}

#[test]
fn c2s_transcripts_replay_against_both_roles() {
    let files = transcripts();
    assert_eq!(files.len(), 15);
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(["transcripts", "--split-stride", "5"])
        .args(&files)
        .output()
        .expect("conformance binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let last = stdout.lines().last().unwrap();
    assert!(last.ends_with(" passed, 0 failed, 6 skipped"), "{stdout}");
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 120, "{stdout}");
    // Both roles of the full session, and the errata note.
    assert!(
        stdout.contains("NOTE rfc3920-c2s-tls.txt: unit 5 relabelled"),
        "{stdout}"
    );
    for skipped in [
        "rfc3920-s2s-tls.txt",
        "rfc6120-s2s-tls-sasl-external.txt",
        "rfc6121-presence-probe.txt",
    ] {
        assert!(stdout.contains(&format!("SKIP {skipped}")), "{stdout}");
    }
}

#[test]
fn a_damaged_transcript_fails() {
    let dir = std::env::temp_dir().join(format!("transcripts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let original = transcripts()
        .into_iter()
        .find(|f| f.ends_with("rfc6120-c2s-full.txt"))
        .unwrap();
    let text = std::fs::read_to_string(original).unwrap();
    // STARTTLS advertised as optional: our server (which requires it) differs.
    let damaged = dir.join("rfc6120-c2s-full.txt");
    assert!(text.contains("S:     <required/>\n"));
    std::fs::write(&damaged, text.replace("S:     <required/>\n", "")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(["transcripts", &damaged.to_string_lossy()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains("FAIL rfc6120-c2s-full.txt [Server]"),
        "{stdout}"
    );
    assert!(stdout.contains("features differ"), "{stdout}");
}

#[test]
fn own_transcripts_replay_at_every_byte_split() {
    // vectors/extra/transcripts: a jabber:server stanza on a client-to-server stream
    // ends it with invalid-namespace (RFC 6120 §4.8.3), from either peer.
    let files = transcripts_in(&["vectors", "extra", "transcripts"]);
    assert_eq!(files.len(), 1);
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .arg("transcripts")
        .args(&files)
        .output()
        .expect("conformance binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some("2 passed, 0 failed, 0 skipped"),
        "{stdout}"
    );
}
