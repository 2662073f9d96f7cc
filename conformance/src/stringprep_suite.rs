//! The `stringprep` suite: string preparation profile vectors (`stringprep.json`
//! format).
//!
//! Runs records whose profile is `nameprep`, `nodeprep`, `resourceprep`, `saslprep`,
//! `precis-usernamecasemapped` or `precis-opaquestring`; other profiles are skipped.
//! A libidn-style `flags` field is honoured: `STRINGPREP_NO_UNASSIGNED` (unassigned code
//! points rejected) is what the JID and SASL code always does; records asking for
//! `STRINGPREP_NO_NFKC` or `STRINGPREP_NO_BIDI` (behaviours no XMPP profile has) are
//! skipped. A record expects either `output` or a failure; any failure kind matches.
//! A record whose `input` is null gives its input as raw bytes in `input_hex`; bytes
//! that are not UTF-8 (an encoded surrogate, say) must be rejected by the profile —
//! and are, before it runs: the profiles take only Unicode strings. Records marked
//! `disputed` are run and reported, never counted as failures.

use std::borrow::Cow;
use std::process::ExitCode;

use serde::Deserialize;
use serde_json::Value;
use xmpp_jid::profiles;

use crate::tally::Tally;

/// A profile vector file.
#[derive(Debug, Deserialize)]
struct File {
    vectors: Vec<Record>,
}

/// One profile vector.
#[derive(Debug, Deserialize)]
struct Record {
    id: String,
    profile: String,
    /// The input; null (or absent) when `input_hex` gives it.
    #[serde(default)]
    input: Option<String>,
    /// The input as raw bytes, for inputs that are not valid UTF-8.
    #[serde(default)]
    input_hex: Option<String>,
    output: Option<String>,
    #[serde(default)]
    flags: Value,
    #[serde(default)]
    disputed: bool,
}

/// libidn `Stringprep_profile_flags` values.
const NO_NFKC: u64 = 1;
const NO_BIDI: u64 = 2;
const NO_UNASSIGNED: u64 = 4;

/// Entry point: `conformance stringprep FILE...`.
pub fn run(files: &[String]) -> ExitCode {
    if files.is_empty() {
        eprintln!("usage: conformance stringprep FILE...");
        return ExitCode::from(2);
    }
    let mut tally = Tally::default();
    for path in files {
        let file = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<File>(&text).map_err(|e| e.to_string()));
        match file {
            Ok(file) => {
                let before = tally.failed();
                check_file(&file, &mut tally);
                crate::jid_suite::report_file(path, tally.failed() - before);
            }
            Err(why) => {
                eprintln!("{path}: {why}");
                return ExitCode::from(2);
            }
        }
    }
    tally.finish()
}

fn check_file(file: &File, tally: &mut Tally) {
    for record in &file.vectors {
        let flags = match parse_flags(&record.flags) {
            Ok(flags) => flags,
            Err(why) => {
                tally.fail(&record.id, why);
                continue;
            }
        };
        if flags & (NO_NFKC | NO_BIDI) != 0 {
            tally.skip();
            continue;
        }
        let Some(prepare) = profile_fn(&record.profile, flags & NO_UNASSIGNED != 0) else {
            tally.skip();
            continue;
        };
        tally.record_maybe_disputed(&record.id, record.disputed, check(record, prepare));
    }
}

/// Reads `flags`: absent/null/0, a number, a flag name, names joined by `|`, `,` or
/// spaces, or an array of names.
fn parse_flags(value: &Value) -> Result<u64, String> {
    fn name(n: &str) -> Result<u64, String> {
        match n.trim() {
            "" | "0" => Ok(0),
            "STRINGPREP_NO_NFKC" => Ok(NO_NFKC),
            "STRINGPREP_NO_BIDI" => Ok(NO_BIDI),
            "STRINGPREP_NO_UNASSIGNED" => Ok(NO_UNASSIGNED),
            other => Err(format!("unknown flag {other:?}")),
        }
    }
    match value {
        Value::Null => Ok(0),
        Value::Number(n) => n.as_u64().ok_or_else(|| format!("bad flags {n}")),
        Value::String(s) => s
            .split(['|', ',', ' '])
            .try_fold(0, |acc, n| Ok(acc | name(n)?)),
        Value::Array(items) => items.iter().try_fold(0, |acc, item| match item {
            Value::String(n) => Ok(acc | name(n)?),
            other => Err(format!("bad flag {other}")),
        }),
        other => Err(format!("bad flags {other}")),
    }
}

type Prepare = fn(&str) -> Result<Cow<'_, str>, String>;

/// The preparation function for a profile name, as the JID and SASL code applies it.
///
/// The JID profiles always reject unassigned code points (RFC 6122 stored strings);
/// SASLprep follows the flag: strict with `STRINGPREP_NO_UNASSIGNED`, otherwise the
/// query form that the SCRAM and PLAIN code applies (RFC 5802 §2.2).
fn profile_fn(profile: &str, no_unassigned: bool) -> Option<Prepare> {
    Some(match profile {
        "nameprep" => |s| profiles::nameprep(s).map_err(|e| e.to_string()),
        "nodeprep" => |s| profiles::nodeprep(s).map_err(|e| e.to_string()),
        "resourceprep" => |s| profiles::resourceprep(s).map_err(|e| e.to_string()),
        "saslprep" if no_unassigned => |s| xmpp_sasl::saslprep(s).map_err(|e| e.to_string()),
        "saslprep" => |s| xmpp_sasl::saslprep_query(s).map_err(|e| e.to_string()),
        "precis-usernamecasemapped" => precis_localpart,
        "precis-opaquestring" => |s| profiles::opaque_string(s).map_err(|e| e.to_string()),
        _ => return None,
    })
}

/// UsernameCaseMapped as RFC 7622 §3.3 uses it for localparts: the profile, then the
/// characters `"&'/:<>@` prohibited. (The 1023-byte JID bound is not a profile rule.)
fn precis_localpart(s: &str) -> Result<Cow<'_, str>, String> {
    let out = profiles::username_case_mapped(s).map_err(|e| e.to_string())?;
    match out.chars().find(|c| "\"&'/:<>@".contains(*c)) {
        Some(c) => Err(format!("{c:?} is prohibited in an RFC 7622 localpart")),
        None => Ok(out),
    }
}

/// The record's input: `input`, or the bytes of `input_hex` (`Err(bytes)` when they
/// are not UTF-8).
fn input(record: &Record) -> Result<Result<Cow<'_, str>, Vec<u8>>, String> {
    match (&record.input, &record.input_hex) {
        (Some(text), _) => Ok(Ok(Cow::Borrowed(text))),
        (None, Some(hex)) => Ok(String::from_utf8(crate::hex::decode(hex)?)
            .map(Cow::Owned)
            .map_err(|e| e.into_bytes())),
        (None, None) => Err("record has neither input nor input_hex".into()),
    }
}

fn check(record: &Record, prepare: Prepare) -> Result<(), String> {
    let text = match input(record)? {
        Ok(text) => text,
        // Not UTF-8: no profile can take it, which is the rejection expected.
        Err(bytes) => {
            return match &record.output {
                None => Ok(()),
                Some(want) => Err(format!(
                    "input hex {} is not UTF-8 and cannot prepare to {want:?}",
                    crate::hex::encode(&bytes)
                )),
            };
        }
    };
    match (prepare(&text), &record.output) {
        (Ok(got), Some(want)) if got == want.as_str() => Ok(()),
        (Ok(got), Some(want)) => Err(format!("output {got:?}, expected {want:?}")),
        (Ok(got), None) => Err(format!("output {got:?}, expected a failure")),
        (Err(_), None) => Ok(()),
        (Err(why), Some(want)) => Err(format!("failed ({why}), expected {want:?}")),
    }
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
    fn input_hex_that_is_not_utf8_must_be_rejected() {
        // ED A0 80 encodes the surrogate U+D800; C0 AF is an overlong "/".
        let tally = tally_of(
            r#"{"vectors":[
                {"id":"x1","profile":"saslprep","input":null,"input_hex":"61eda080",
                 "output":null,"error":"invalid UTF-8"},
                {"id":"x2","profile":"nodeprep","input":null,"input_hex":"c0af",
                 "output":null,"error":"invalid UTF-8"},
                {"id":"x3","profile":"resourceprep","input":null,"input_hex":"61eda080",
                 "output":"a","error":null},
                {"id":"x4","profile":"nameprep","input":null,"input_hex":"41",
                 "output":"a","error":null},
                {"id":"x5","profile":"iscsi","input":null,"input_hex":"eda080",
                 "output":null,"error":"x"},
                {"id":"x6","profile":"nameprep","input":null,"output":"a","error":null}
            ]}"#,
        );
        // x1, x2 (rejected), x4 (valid hex input) pass; x3 (claims an output) and x6
        // (no input at all) fail; x5's profile is skipped.
        assert_eq!(tally.counts(), ((3, 2, 1), &[][..]));
    }

    #[test]
    fn flags_and_disputed_records() {
        let tally = tally_of(
            r#"{"vectors":[
                {"id":"d1","profile":"nodeprep","input":"ABC","output":"ABC","error":null,
                 "disputed":true},
                {"id":"f1","profile":"nameprep","input":"\u0221","output":null,
                 "error":"unassigned","flags":["STRINGPREP_NO_UNASSIGNED"]},
                {"id":"f2","profile":"nameprep","input":"x","output":"x","error":null,
                 "flags":"STRINGPREP_NO_BIDI"}
            ]}"#,
        );
        let ids = ["d1".to_owned()];
        assert_eq!(tally.counts(), ((1, 0, 2), &ids[..]));
    }
}
