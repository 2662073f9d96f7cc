//! The `stringprep` suite: string preparation profile vectors (`stringprep.json`
//! format).
//!
//! Runs records whose profile is `nameprep`, `nodeprep`, `resourceprep`, `saslprep`,
//! `precis-usernamecasemapped` or `precis-opaquestring`; other profiles are skipped.
//! A libidn-style `flags` field is honoured: `STRINGPREP_NO_UNASSIGNED` (unassigned code
//! points rejected) is what the JID and SASL code always does; records asking for
//! `STRINGPREP_NO_NFKC` or `STRINGPREP_NO_BIDI` (behaviours no XMPP profile has) are
//! skipped. A record expects either `output` or a failure; any failure kind matches.

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
    input: String,
    output: Option<String>,
    #[serde(default)]
    flags: Value,
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
        tally.record(&record.id, check(record, prepare));
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

fn check(record: &Record, prepare: Prepare) -> Result<(), String> {
    match (prepare(&record.input), &record.output) {
        (Ok(got), Some(want)) if got == want.as_str() => Ok(()),
        (Ok(got), Some(want)) => Err(format!("output {got:?}, expected {want:?}")),
        (Ok(got), None) => Err(format!("output {got:?}, expected a failure")),
        (Err(_), None) => Ok(()),
        (Err(why), Some(want)) => Err(format!("failed ({why}), expected {want:?}")),
    }
}
