//! The `jid` suite: JID parsing and normalisation vectors (`jid.json` format).
//!
//! Each vector names a profile (`rfc6122`, `rfc7622`, or `both` = check under both);
//! valid vectors must parse to the expected parts and normalised form, invalid ones
//! must be rejected. An `input_hex` record gives raw bytes instead of `input`: bytes
//! that are not UTF-8 are never a JID. Vectors marked `disputed` are run and
//! reported, never counted as failures.

use std::process::ExitCode;

use serde::Deserialize;
use xmpp_jid::{Jid, Profile};

use crate::tally::Tally;

/// A JID vector file.
#[derive(Debug, Deserialize)]
struct File {
    vectors: Vec<Vector>,
}

/// One JID vector.
#[derive(Debug, Deserialize)]
struct Vector {
    id: String,
    input: Option<String>,
    input_hex: Option<String>,
    valid: bool,
    expected: Option<Expected>,
    profile: String,
    #[serde(default)]
    disputed: bool,
}

/// The expected parts of a valid vector (`null` = absent).
#[derive(Debug, Deserialize)]
struct Expected {
    local: Option<String>,
    domain: String,
    resource: Option<String>,
    full: String,
}

/// Entry point: `conformance jid FILE...`.
pub fn run(files: &[String]) -> ExitCode {
    if files.is_empty() {
        eprintln!("usage: conformance jid FILE...");
        return ExitCode::from(2);
    }
    let mut tally = Tally::default();
    for path in files {
        match load(path) {
            Ok(file) => {
                let before = tally.failed();
                check_file(&file, &mut tally);
                report_file(path, tally.failed() - before);
            }
            Err(why) => {
                eprintln!("{path}: {why}");
                return ExitCode::from(2);
            }
        }
    }
    tally.finish()
}

/// Notes on stderr which file the failures came from (stdout keeps the plain format).
pub fn report_file(path: &str, failures: usize) {
    if failures > 0 {
        eprintln!("{path}: {failures} failed");
    }
}

fn load(path: &str) -> Result<File, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| e.to_string())
}

/// Checks every vector of `file` into `tally`.
fn check_file(file: &File, tally: &mut Tally) {
    for vector in &file.vectors {
        tally.record_maybe_disputed(&vector.id, vector.disputed, check(vector));
    }
}

fn profiles(name: &str) -> Result<&'static [Profile], String> {
    match name {
        "rfc6122" => Ok(&[Profile::Rfc6122]),
        "rfc7622" => Ok(&[Profile::Rfc7622]),
        "both" => Ok(&[Profile::Rfc6122, Profile::Rfc7622]),
        other => Err(format!("unknown profile {other:?}")),
    }
}

/// Checks one vector under each profile it names.
fn check(vector: &Vector) -> Result<(), String> {
    let input: Option<String> = match (&vector.input, &vector.input_hex) {
        (Some(s), _) => Some(s.clone()),
        // Raw bytes: invalid UTF-8 can never be a JID.
        (None, Some(hex)) => String::from_utf8(crate::hex::decode(hex)?).ok(),
        (None, None) => return Err("vector has neither input nor input_hex".into()),
    };
    for &profile in profiles(&vector.profile)? {
        let result = input.as_deref().map(|s| Jid::parse_with(s, profile));
        match (vector.valid, result) {
            (false, None) | (false, Some(Err(_))) => {}
            (false, Some(Ok(jid))) => {
                return Err(format!(
                    "{profile:?}: accepted as {:?}, expected rejection",
                    jid.as_str()
                ));
            }
            (true, None) => return Err(format!("{profile:?}: input is not UTF-8")),
            (true, Some(Err(e))) => return Err(format!("{profile:?}: rejected ({e})")),
            (true, Some(Ok(jid))) => {
                let expected = vector
                    .expected
                    .as_ref()
                    .ok_or("valid vector without expected")?;
                compare(profile, &jid, expected)?;
            }
        }
    }
    Ok(())
}

fn compare(profile: Profile, jid: &Jid, expected: &Expected) -> Result<(), String> {
    let checks = [
        ("local", jid.node(), expected.local.as_deref()),
        ("domain", Some(jid.domain()), Some(expected.domain.as_str())),
        ("resource", jid.resource(), expected.resource.as_deref()),
        ("full", Some(jid.as_str()), Some(expected.full.as_str())),
    ];
    for (what, got, want) in checks {
        if got != want {
            return Err(format!("{profile:?}: {what} is {got:?}, expected {want:?}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally_of(json: &str) -> Tally {
        let file: File = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        let mut tally = Tally::default();
        check_file(&file, &mut tally);
        tally
    }

    #[test]
    fn input_hex_that_is_not_utf8_is_never_a_jid() {
        // "a@" + an encoded surrogate (ED A0 80) + ".example": invalid UTF-8.
        let tally = tally_of(
            r#"{"vectors":[
                {"id":"h1","input":null,"input_hex":"6140eda0802e6578616d706c65",
                 "valid":false,"profile":"both"},
                {"id":"h2","input_hex":"6140eda0802e6578616d706c65","valid":true,
                 "profile":"rfc7622","expected":{"local":"a","domain":"x","resource":null,
                 "full":"a@x"}},
                {"id":"h3","input_hex":"6140622e6578616d706c65","valid":true,
                 "profile":"both","expected":{"local":"a","domain":"b.example",
                 "resource":null,"full":"a@b.example"}}
            ]}"#,
        );
        assert_eq!(tally.counts(), ((2, 1, 0), &[][..]));
    }

    #[test]
    fn disputed_vectors_run_but_never_fail() {
        let tally = tally_of(
            r#"{"vectors":[
                {"id":"d1","input":"a@b","valid":false,"profile":"both","disputed":true},
                {"id":"d2","input":"a@b","valid":true,"profile":"both","disputed":true,
                 "expected":{"local":"a","domain":"b","resource":null,"full":"a@b"}},
                {"id":"ok","input":"a@b","valid":true,"profile":"both",
                 "expected":{"local":"a","domain":"b","resource":null,"full":"a@b"}}
            ]}"#,
        );
        let ids = ["d1".to_owned(), "d2".to_owned()];
        assert_eq!(tally.counts(), ((1, 0, 2), &ids[..]));
    }
}
