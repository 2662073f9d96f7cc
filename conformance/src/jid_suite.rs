//! The `jid` suite: JID parsing and normalisation vectors (`jid.json` format).
//!
//! Each vector names a profile (`rfc6122`, `rfc7622`, or `both` = check under both);
//! valid vectors must parse to the expected parts and normalised form, invalid ones
//! must be rejected. Vectors marked `disputed` are skipped.

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
        if vector.disputed {
            tally.skip();
            continue;
        }
        tally.record(&vector.id, check(vector));
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

fn decode_hex(hex: &str) -> Result<Vec<u8>, String> {
    if !hex.len().is_multiple_of(2) {
        return Err("odd-length input_hex".into());
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or_else(|| format!("bad hex at {i}"))
        })
        .collect()
}

/// Checks one vector under each profile it names.
fn check(vector: &Vector) -> Result<(), String> {
    let input: Option<String> = match (&vector.input, &vector.input_hex) {
        (Some(s), _) => Some(s.clone()),
        // Raw bytes: invalid UTF-8 can never be a JID.
        (None, Some(hex)) => String::from_utf8(decode_hex(hex)?).ok(),
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
