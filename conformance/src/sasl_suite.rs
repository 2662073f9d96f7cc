//! The `sasl` suite: SASL vectors (`sasl.json` format) run against `xmpp-sasl`.
//!
//! * PLAIN records: the client produces `message_hex`; the server accepts it for the given
//!   authcid/password, or fails when `expected` starts with `failure` (the runner's
//!   authorization policy lets a user act only as itself, so RFC 4616's Kurt/Ursel example
//!   fails with `invalid-authzid`). An invalid record may give only the message
//!   (`{"valid": false, "fail_at": "message", "message_hex", "expected"}`, no authcid or
//!   password): the server must reject it even though its store holds every user with
//!   the password the message itself carries. A record without `mechanism` that has a
//!   `message_hex` is a PLAIN record.
//! * DIGEST-MD5 records: the client computes `response` from `challenge` and the password
//!   and verifies `rspauth` (both as a second challenge and as success data); the server
//!   accepts the response and produces the same `rspauth`. A record without a password
//!   uses `recomputed_if_password_secret` when present and is skipped otherwise.
//! * SCRAM records (`SCRAM-SHA-1/-256/-512`, with or without `-PLUS`): run as client with
//!   the client nonce and as server with the server nonce, salt and iterations, comparing
//!   every message and the intermediate keys. The channel-binding type is the one the
//!   `gs2_header` names, with `channel_binding_data_b64` as its data; `skip_saslprep` uses
//!   names and passwords exactly as given. Iteration counts below 4096 are accepted here
//!   (the runner checks computations, not policy).
//! * `"valid": false` records must never succeed; `fail_at` names the message the
//!   receiving side must reject (`message`, `client_first`, `server_first`, `client_final`,
//!   `server_final`, `challenge`, `rspauth`). A server answering an unknown user's
//!   `client_first` with a decoy challenge and rejecting the client-final our client then
//!   sends passes too.
//!
//! Records with other mechanisms are skipped. Records marked `"disputed": true` are run
//! and reported, never counted as failures.

mod digest_md5;
mod plain;
mod record;
mod scram;

use std::process::ExitCode;

use serde_json::Value;

use crate::tally::Tally;
use record::Record;

/// Entry point: `conformance sasl FILE...`.
pub fn run(files: &[String]) -> ExitCode {
    if files.is_empty() {
        eprintln!("usage: conformance sasl FILE...");
        return ExitCode::from(2);
    }
    let mut tally = Tally::default();
    for path in files {
        let parsed = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()));
        let records = match parsed {
            Ok(Value::Object(mut top)) => match top.remove("vectors") {
                Some(Value::Array(records)) => records,
                _ => {
                    eprintln!("{path}: no \"vectors\" array");
                    return ExitCode::from(2);
                }
            },
            Ok(_) => {
                eprintln!("{path}: not a JSON object");
                return ExitCode::from(2);
            }
            Err(why) => {
                eprintln!("{path}: {why}");
                return ExitCode::from(2);
            }
        };
        let failed_before = tally.failed();
        check_records(path, &records, &mut tally);
        let failed = tally.failed() - failed_before;
        if failed > 0 {
            eprintln!("{path}: {failed} failed");
        }
    }
    tally.finish()
}

/// Checks the records of the file `path` into `tally`.
fn check_records(path: &str, records: &[Value], tally: &mut Tally) {
    for (index, value) in records.iter().enumerate() {
        let record = Record::new(value, index);
        let id = format!("{path}#{}", record.id());
        let disputed = record.flag("disputed", false);
        match check(&record) {
            Outcome::Pass => tally.record_maybe_disputed(id, disputed, Ok(())),
            Outcome::Skip => tally.skip(),
            Outcome::Fail(why) => tally.record_maybe_disputed(id, disputed, Err(why)),
        }
    }
}

/// What one record's check concluded.
pub(crate) enum Outcome {
    Pass,
    Skip,
    Fail(String),
}

impl From<Result<(), String>> for Outcome {
    fn from(result: Result<(), String>) -> Self {
        match result {
            Ok(()) => Outcome::Pass,
            Err(why) => Outcome::Fail(why),
        }
    }
}

fn check(record: &Record<'_>) -> Outcome {
    let mechanism = match record.mechanism() {
        Ok(m) => m,
        Err(why) => return Outcome::Fail(why),
    };
    match mechanism {
        "PLAIN" => plain::check(record),
        "DIGEST-MD5" => digest_md5::check(record),
        m if m.starts_with("SCRAM-") && xmpp_sasl::Mechanism::from_name(m).is_some() => {
            scram::check(record)
        }
        _ => Outcome::Skip,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn disputed_records_are_reported_not_failed() {
        let records = [
            // Wrong on purpose: the server accepts this message.
            json!({"id": "d1", "mechanism": "PLAIN", "valid": false, "fail_at": "message",
                   "message_hex": "0074696d0074616e737461616674616e7374616166",
                   "expected": "failure", "disputed": true}),
            json!({"id": "d2", "mechanism": "PLAIN", "valid": false, "fail_at": "message",
                   "message_hex": "74696d", "expected": "failure", "disputed": true}),
            json!({"id": "m1", "valid": false, "fail_at": "message",
                   "message_hex": "74696d0074616e737461616674616e7374616166",
                   "expected": "failure: malformed-request"}),
            json!({"id": "u1", "mechanism": "EXTERNAL", "disputed": true}),
        ];
        let mut tally = Tally::default();
        check_records("f.json", &records, &mut tally);
        let ((passed, failed, skipped), disputed) = tally.counts();
        assert_eq!((passed, failed, skipped), (1, 0, 3));
        assert_eq!(disputed, ["f.json#d1", "f.json#d2"]);
    }
}
