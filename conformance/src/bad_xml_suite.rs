//! The `bad-xml` suite: inputs a stream parser must reject (RFC 6120 §11, §4.9),
//! plus positive controls, run through `xmpp_core::StreamReader`.
//!
//! `DIR/index.json` lists the cases (`file`, `expected_condition`,
//! `acceptable_alternatives`; `(none: ACCEPT)` marks a positive control). Each file
//! is fed to a fresh `jabber:client` reader twice — whole, and one byte at a time —
//! and both runs must end the same way: with a stream error whose condition is the
//! expected one or an acceptable alternative, at the same offset, or (for a
//! positive control) with no error at all. Cases marked `"disputed": true` are run
//! and reported, never counted as failures.

use std::path::Path;
use std::process::ExitCode;

use serde::Deserialize;
use xmpp_core::{ReadError, ReaderConfig, StreamReader};

use crate::tally::Tally;

/// Marks a positive control in `expected_condition`.
const ACCEPT: &str = "(none: ACCEPT)";

/// `index.json`.
#[derive(Debug, Deserialize)]
struct Index {
    cases: Vec<Case>,
}

/// One case of the index.
#[derive(Debug, Deserialize)]
struct Case {
    file: String,
    expected_condition: String,
    #[serde(default)]
    acceptable_alternatives: Vec<String>,
    #[serde(default)]
    disputed: bool,
}

/// How feeding a case ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// Every byte was read without error.
    Accepted,
    /// The reader stopped with this error.
    Rejected(ReadError),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Accepted => f.write_str("accepted"),
            Outcome::Rejected(e) => write!(f, "{} ({e})", e.condition()),
        }
    }
}

/// Entry point: `conformance bad-xml DIR...`.
pub fn run(dirs: &[String]) -> ExitCode {
    if dirs.is_empty() {
        eprintln!("usage: conformance bad-xml DIR...");
        return ExitCode::from(2);
    }
    let mut tally = Tally::default();
    for dir in dirs {
        let index = match load(dir) {
            Ok(index) => index,
            Err(why) => {
                eprintln!("{dir}: {why}");
                return ExitCode::from(2);
            }
        };
        let before = tally.failed();
        for case in &index.cases {
            record_case(
                case,
                std::fs::read(Path::new(dir).join(&case.file)),
                &mut tally,
            );
        }
        crate::jid_suite::report_file(dir, tally.failed() - before);
    }
    tally.finish()
}

/// Checks one case on its file's bytes into `tally` (disputed cases are reported,
/// never failed; an unreadable file is a failure).
fn record_case(case: &Case, bytes: std::io::Result<Vec<u8>>, tally: &mut Tally) {
    match bytes {
        Ok(bytes) => tally.record_maybe_disputed(&case.file, case.disputed, check(case, &bytes)),
        Err(e) => tally.fail(&case.file, format!("cannot read: {e}")),
    }
}

fn load(dir: &str) -> Result<Index, String> {
    let path = Path::new(dir).join("index.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Feeds `bytes` to a fresh reader in `chunk`-byte pieces.
fn feed(bytes: &[u8], chunk: usize) -> Outcome {
    let mut reader = StreamReader::new(ReaderConfig::c2s());
    for piece in bytes.chunks(chunk.max(1)) {
        if let Some(Err(e)) = reader.feed(piece).find(Result::is_err) {
            return Outcome::Rejected(e);
        }
    }
    Outcome::Accepted
}

/// Runs one case whole and byte by byte.
fn check(case: &Case, bytes: &[u8]) -> Result<(), String> {
    let whole = feed(bytes, bytes.len());
    let bytewise = feed(bytes, 1);
    if whole != bytewise {
        return Err(format!("whole: {whole}; one byte at a time: {bytewise}"));
    }
    let accepted = if case.expected_condition == ACCEPT {
        whole == Outcome::Accepted
    } else {
        match whole {
            Outcome::Accepted => false,
            Outcome::Rejected(e) => {
                let got = e.condition().name();
                got == case.expected_condition
                    || case.acceptable_alternatives.iter().any(|alt| alt == got)
            }
        }
    };
    if accepted {
        Ok(())
    } else {
        Err(format!("want {}, got {whole}", case.expected_condition))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "<?xml version='1.0'?><stream:stream to='example.com' \
        version='1.0' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";

    #[test]
    fn disputed_cases_are_reported_not_failed() {
        let index: Index = serde_json::from_str(
            r#"{"cases":[
                {"file":"a.xml","expected_condition":"restricted-xml","disputed":true},
                {"file":"b.xml","expected_condition":"(none: ACCEPT)"}
            ]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let mut tally = Tally::default();
        let accepted = format!("{HEADER}<message/>");
        for case in &index.cases {
            record_case(case, Ok(accepted.clone().into_bytes()), &mut tally);
        }
        let ids = ["a.xml".to_owned()];
        assert_eq!(tally.counts(), ((1, 0, 1), &ids[..]));
    }
}
