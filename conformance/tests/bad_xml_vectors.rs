//! Runs the `bad-xml` suite of the conformance binary on the shared RFC 6120 §11
//! vectors: every case rejected with its condition (or an acceptable alternative)
//! and both positive controls accepted, fed whole and one byte at a time.

// Test helpers outside #[test] functions: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

#[test]
fn shared_bad_xml_vectors_all_pass() {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "vectors", "bad-xml"]
        .iter()
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(["bad-xml", &dir.to_string_lossy()])
        .output()
        .expect("conformance binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert_eq!(
        stdout.lines().last(),
        Some("36 passed, 0 failed, 0 skipped"),
        "{stdout}"
    );
    assert!(!stdout.contains("FAIL"), "{stdout}");
}

#[test]
fn a_failing_case_is_reported() {
    // A directory whose only case expects the wrong condition for a comment.
    let dir = std::env::temp_dir().join(format!("bad-xml-suite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.json"),
        r#"{"cases":[{"file":"c.xml","expected_condition":"bad-format","acceptable_alternatives":[]},
                     {"file":"ok.xml","expected_condition":"(none: ACCEPT)"}]}"#,
    )
    .unwrap();
    let header =
        "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
    std::fs::write(dir.join("c.xml"), format!("{header}<!-- c -->")).unwrap();
    std::fs::write(dir.join("ok.xml"), format!("{header}<message/>")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(["bad-xml", &dir.to_string_lossy()])
        .output()
        .expect("conformance binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.contains("FAIL c.xml: want bad-format, got restricted-xml"),
        "{stdout}"
    );
    assert_eq!(
        stdout.lines().last(),
        Some("1 passed, 1 failed, 0 skipped"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
