//! Runs the `sasl` suite of the conformance binary on the shared RFC vectors and on the
//! extra (independently computed) vectors, and checks that it catches a corrupted record.

// Test helpers outside #[test] functions: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn vectors(name: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "vectors", name]
        .iter()
        .collect();
    path.to_string_lossy().into_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(args)
        .output()
        .expect("conformance binary runs")
}

/// The last stdout line, parsed as `N passed, M failed, K skipped`.
fn summary(out: &Output) -> (usize, usize, usize) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().expect("summary line");
    assert!(last.ends_with(" skipped"), "summary line {last:?}");
    let nums: Vec<usize> = last
        .split(", ")
        .map(|part| part.split(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(nums.len(), 3, "summary line {last:?}");
    (nums[0], nums[1], nums[2])
}

#[test]
fn shared_sasl_vectors_all_pass() {
    let out = run(&["sasl", &vectors("sasl.json")]);
    let (passed, failed, skipped) = summary(&out);
    assert_eq!(failed, 0, "{}", String::from_utf8_lossy(&out.stdout));
    assert!(out.status.success());
    // 2 PLAIN, 3 DIGEST-MD5 (RFC 3920's via its recomputed values), 3 SCRAM.
    assert_eq!((passed, skipped), (8, 0));
}

#[test]
fn extra_sasl_vectors_all_pass() {
    let out = run(&["sasl", &vectors("extra/sasl.json")]);
    let (passed, failed, skipped) = summary(&out);
    assert_eq!(failed, 0, "{}", String::from_utf8_lossy(&out.stdout));
    assert!(out.status.success());
    // 26, and 6 message-only invalid PLAIN records.
    assert_eq!((passed, skipped), (32, 0));
}

#[test]
fn corrupted_records_fail_with_their_id() {
    let text = std::fs::read_to_string(vectors("sasl.json")).unwrap();
    let corrupted = text
        .replace(
            "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
            "v=rmF9pqV8S7suAoZWja4dJRkFsKQX",
        )
        .replace("response=6084c6db", "response=6084c6dc");
    let dir = std::env::temp_dir().join(format!("sasl-vectors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("corrupted.json");
    std::fs::write(&path, corrupted).unwrap();
    let out = run(&["sasl", path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(summary(&out), (6, 2, 0), "{stdout}");
    assert!(stdout.contains("#scram-sha-1-rfc5802: "), "{stdout}");
    assert!(stdout.contains("#digest-md5-rfc2831-acap: "), "{stdout}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn message_only_plain_records_and_disputed_ones() {
    let dir = std::env::temp_dir().join(format!("sasl-msg-only-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("plain.json");
    std::fs::write(
        &path,
        r#"{"vectors":[
            {"id":"two-fields","mechanism":"PLAIN","valid":false,"fail_at":"message",
             "message_hex":"74696d0074616e737461616674616e7374616166",
             "expected":"failure: malformed-request"},
            {"valid":false,"fail_at":"message","message_hex":"0074696d00",
             "expected":"failure: malformed-request"},
            {"id":"well-formed","mechanism":"PLAIN","valid":false,"fail_at":"message",
             "message_hex":"0074696d0074616e737461616674616e7374616166",
             "expected":"failure"},
            {"id":"disputed","mechanism":"PLAIN","valid":false,"fail_at":"message",
             "message_hex":"0074696d0074616e737461616674616e7374616166",
             "expected":"failure","disputed":true}
        ]}"#,
    )
    .unwrap();
    let out = run(&["sasl", path.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The well-formed message is accepted by a store holding its own credentials.
    assert!(stdout.contains("#well-formed: server accepted"), "{stdout}");
    assert!(stdout.contains("#disputed: server accepted"), "{stdout}");
    assert!(stdout.contains("DISPUTED "), "{stdout}");
    assert_eq!(summary(&out), (2, 1, 1), "{stdout}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_and_input_errors_exit_2() {
    assert_eq!(run(&["sasl"]).status.code(), Some(2));
    assert_eq!(
        run(&["sasl", "/nonexistent/sasl.json"]).status.code(),
        Some(2)
    );
}
