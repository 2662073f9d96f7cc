//! Runs the `jid` and `stringprep` suites of the conformance binary on the shared RFC
//! vectors and on this crate's extra vectors, and checks the runner's contract
//! (`FAIL <id>: ...` lines, the summary line, the exit status).

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
    let nums: Vec<usize> = last
        .split(", ")
        .map(|part| part.split(' ').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(nums.len(), 3, "summary line {last:?}");
    assert!(last.ends_with(" skipped"), "summary line {last:?}");
    (nums[0], nums[1], nums[2])
}

#[test]
fn shared_jid_vectors_all_pass() {
    let out = run(&["jid", &vectors("jid.json")]);
    let (passed, failed, skipped) = summary(&out);
    assert_eq!(failed, 0, "{}", String::from_utf8_lossy(&out.stdout));
    assert!(out.status.success());
    // 92 vectors, 3 of them disputed: run, reported, counted as skipped.
    assert_eq!((passed, skipped), (89, 3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let reported = lines.iter().filter(|l| l.starts_with("DISPUTED ")).count();
    assert_eq!(reported, 3, "{stdout}");
    assert!(
        lines[lines.len() - 2].starts_with("disputed: 3 ("),
        "{stdout}"
    );
}

#[test]
fn shared_stringprep_vectors_all_pass() {
    let out = run(&["stringprep", &vectors("stringprep.json")]);
    let (passed, failed, _) = summary(&out);
    assert_eq!(failed, 0, "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(passed, 7);
    assert!(out.status.success());
}

#[test]
fn extra_vectors_all_pass() {
    for (suite, file, count) in [
        ("jid", "extra/jid.json", 42),
        ("stringprep", "extra/stringprep.json", 97),
    ] {
        let out = run(&[suite, &vectors(file)]);
        assert_eq!(
            summary(&out),
            (count, 0, 0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(out.status.success());
    }
}

#[test]
fn failures_are_reported_and_set_the_exit_status() {
    let dir = std::env::temp_dir().join(format!("conformance-jid-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("wrong.json");
    std::fs::write(
        &file,
        r#"{"vectors":[
            {"id":"ok","input":"a@b","valid":true,"profile":"both",
             "expected":{"local":"a","domain":"b","resource":null,"full":"a@b"}},
            {"id":"bad-expect","input":"A@b","valid":true,"profile":"rfc6122",
             "expected":{"local":"A","domain":"b","resource":null,"full":"A@b"}},
            {"id":"bad-valid","input":"a@b","valid":false,"profile":"rfc7622"},
            {"id":"skip","input":"x","valid":false,"profile":"both","disputed":true}
        ]}"#,
    )
    .unwrap();
    let out = run(&["jid", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("FAIL bad-expect: "), "{stdout}");
    assert!(stdout.contains("FAIL bad-valid: "), "{stdout}");
    assert_eq!(summary(&out), (1, 2, 1));
    assert_eq!(out.status.code(), Some(1));

    let sp = dir.join("sp.json");
    std::fs::write(
        &sp,
        r#"{"vectors":[
            {"id":"n1","profile":"nodeprep","input":"ABC","output":"abc","error":null},
            {"id":"n2","profile":"nodeprep","input":"a b","output":"a b","error":null},
            {"id":"u1","profile":"nameprep","input":"\u0221","output":null,"error":"unassigned",
             "flags":"STRINGPREP_NO_UNASSIGNED"},
            {"id":"k1","profile":"nameprep","input":"\u2168","output":"\u2168","error":null,
             "flags":"STRINGPREP_NO_NFKC"},
            {"id":"x1","profile":"iscsi","input":"a","output":"a","error":null}
        ]}"#,
    )
    .unwrap();
    let out = run(&["stringprep", sp.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("FAIL n2: "), "{stdout}");
    assert_eq!(summary(&out), (2, 1, 2));
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stringprep_input_hex_and_disputed_records() {
    let dir = std::env::temp_dir().join(format!("conformance-sp-hex-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("hex.json");
    std::fs::write(
        &file,
        r#"{"vectors":[
            {"id":"h1","profile":"saslprep","input":null,"input_hex":"eda080",
             "output":null,"error":"invalid UTF-8","flags":null},
            {"id":"h2","profile":"nodeprep","input":null,"input_hex":"4142",
             "output":"ab","error":null},
            {"id":"h3","profile":"resourceprep","input":null,"input_hex":"ff",
             "output":"x","error":null},
            {"id":"d1","profile":"nodeprep","input":"ABC","output":"ABC","error":null,
             "disputed":true}
        ]}"#,
    )
    .unwrap();
    let out = run(&["stringprep", file.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("FAIL h3: "), "{stdout}");
    assert!(stdout.contains("DISPUTED d1: "), "{stdout}");
    assert!(!stdout.contains("FAIL d1"), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[lines.len() - 2], "disputed: 1 (d1)", "{stdout}");
    assert_eq!(summary(&out), (2, 1, 1));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["jid"]).status.code(), Some(2));
    assert_eq!(
        run(&["jid", "/nonexistent/vectors.json"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["no-such-suite"]).status.code(), Some(2));
}
