//! The conformance runner: `conformance <suite> FILE...`.
//!
//! Each suite reads vector files in the formats described in
//! `conformance/vectors/README.md`, prints `FAIL <id>: <why>` per failure and
//! ends with `N passed, M failed, K skipped` (preceded by `disputed: N (<ids>)` when
//! records marked disputed were run: they count as skipped, never as failures); the
//! exit status is 1 if anything failed and 2 on a usage or input error.

mod bad_xml_suite;
mod hex;
mod jid_suite;
mod pair;
mod pair_cmd;
mod sasl_suite;
mod sessions_suite;
mod stanzas_suite;
mod stringprep_suite;
mod tally;
mod transcripts_suite;

use std::process::ExitCode;

/// A suite: its name on the command line, a one-line description, and its entry point.
struct Suite {
    name: &'static str,
    about: &'static str,
    run: fn(&[String]) -> ExitCode,
}

/// Every suite the runner knows, in the order `--help` lists them.
const SUITES: &[Suite] = &[
    Suite {
        name: "jid",
        about: "JID parsing/normalisation vectors (jid.json format), RFC 6122 and RFC 7622",
        run: jid_suite::run,
    },
    Suite {
        name: "bad-xml",
        about: "XML a stream reader must reject (bad-xml/index.json format), RFC 6120 §11",
        run: bad_xml_suite::run,
    },
    Suite {
        name: "stringprep",
        about: "string preparation profile vectors (stringprep.json format)",
        run: stringprep_suite::run,
    },
    Suite {
        name: "sasl",
        about: "SASL vectors (sasl.json format): PLAIN, DIGEST-MD5, SCRAM client and server",
        run: sasl_suite::run,
    },
    Suite {
        name: "pair",
        about: "pair [--seed S] [--chunk N]: a full client<->server session in memory, printed",
        run: pair_cmd::run,
    },
    Suite {
        name: "sessions",
        about: "(no files) client<->server sessions in memory: every mechanism, failure paths, timers",
        run: sessions_suite::run,
    },
    Suite {
        name: "stanzas",
        about: "typed stanza round trips over files of top-level stanzas (optionally in a stream)",
        run: stanzas_suite::run,
    },
    Suite {
        name: "transcripts",
        about: "RFC C2S transcripts replayed against our client and server, every byte split",
        run: transcripts_suite::run,
    },
];

fn usage() -> ExitCode {
    eprintln!("usage: conformance <suite> FILE...\n\nsuites:");
    for suite in SUITES {
        eprintln!("  {:<12} {}", suite.name, suite.about);
    }
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((name, rest)) = args.split_first() else {
        return usage();
    };
    match SUITES.iter().find(|s| s.name == name.as_str()) {
        Some(suite) => (suite.run)(rest),
        None => usage(),
    }
}
