//! The `transcripts` suite: `conformance transcripts FILE...` replays the RFC
//! transcripts of client-to-server streams (`vectors/transcripts/`) against our
//! client and our server, wherever they apply, comparing structure (names,
//! namespaces, the attributes that matter; not ids or whitespace — the RFC 6120/6121
//! transcripts were reconstructed).
//!
//! Every replay runs first with each turn of peer input whole; then again cut at
//! every byte of the peer's input (transcripts with up to [`EVERY_SPLIT_LIMIT`] bytes
//! of it) or in [`RANDOM_CHUNKINGS`] seeded random chunkings (longer ones). Each run
//! must give the same output, events and close as the first. `--split-stride N`
//! (before the files) cuts at every N-th byte only, for quicker debug-build runs.
//!
//! | module | job |
//! |---|---|
//! | `parse` | transcript lines and XML text into top-level units |
//! | `compare` | structural comparison, id mapping |
//! | `replay` | feeding a connection, collecting and comparing its units |
//! | `scram` | the transcripts' SCRAM nonces, on either side |
//! | `setups` | fresh connections and preambles |
//! | `scenarios` | which file applies to which role |
//! | `checks` | what must hold after a replay |
//! | `own` | which of the project's own transcripts (`vectors/extra/transcripts/`) apply |

mod checks;
mod compare;
mod own;
mod parse;
mod replay;
mod scenarios;
mod scram;
mod setups;

use std::path::Path;
use std::process::ExitCode;

use parse::{Kind, Unit};
use replay::{Plan, replay};
use scenarios::{CASES, Case, ERRATA, NOT_C2S, Select};

use crate::tally::Tally;

/// Replays whose peer input is at most this long are cut at every byte.
pub const EVERY_SPLIT_LIMIT: usize = 2500;
/// Random chunkings for longer ones.
pub const RANDOM_CHUNKINGS: u64 = 48;

/// Runs the suite over `files`.
pub fn run(args: &[String]) -> ExitCode {
    let usage = || {
        eprintln!("usage: conformance transcripts [--split-stride N] FILE...");
        ExitCode::from(2)
    };
    let (stride, files) = match args {
        [flag, n, rest @ ..] if flag == "--split-stride" => match n.parse::<usize>() {
            Ok(n) if n > 0 => (n, rest),
            _ => return usage(),
        },
        _ => (1, args),
    };
    if files.is_empty() {
        return usage();
    }
    let mut tally = Tally::default();
    for path in files {
        let name = Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{path}: {e}");
                return ExitCode::from(2);
            }
        };
        if let Some((_, why)) = NOT_C2S.iter().find(|(f, _)| *f == name) {
            println!("SKIP {name}: {why}");
            tally.skip();
            continue;
        }
        let mut units = match parse::transcript(&text) {
            Ok(u) => u,
            Err(why) => {
                tally.fail(&name, format!("cannot parse: {why}"));
                continue;
            }
        };
        for (file, index, dir, why) in ERRATA {
            if *file == name
                && let Some(unit) = units.get_mut(*index)
            {
                println!("NOTE {name}: unit {index} relabelled: {why}");
                unit.dir = *dir;
            }
        }
        let cases: Vec<&Case> = CASES
            .iter()
            .chain(own::CASES)
            .filter(|c| c.file == name)
            .collect();
        if cases.is_empty() {
            println!("SKIP {name}: no replay defined for this file");
            tally.skip();
            continue;
        }
        for case in cases {
            for (i, instance) in instances(&units, case.select).into_iter().enumerate() {
                let id = format!("{name} [{:?}] {} #{i}", case.role, case.name);
                if let Some(why) = (case.skip)(&instance) {
                    println!("SKIP {id}: {why}");
                    tally.skip();
                    continue;
                }
                tally.record(&id, run_case(case, &instance, stride));
            }
        }
    }
    tally.finish()
}

/// The unit lists one case replays.
fn instances(units: &[Unit], select: Select) -> Vec<Vec<Unit>> {
    match select {
        Select::All => vec![units.to_vec()],
        Select::Indices(indices) => vec![
            indices
                .iter()
                .filter_map(|&i| units.get(i).cloned())
                .collect(),
        ],
        Select::EachGroup => {
            let last = units.iter().map(|u| u.group).max().unwrap_or(0);
            (0..=last)
                .map(|g| {
                    units
                        .iter()
                        .filter(|u| u.group == g)
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .filter(|v| !v.is_empty())
                .collect()
        }
        Select::EachStreamError => units
            .iter()
            .enumerate()
            .filter(|(_, u)| {
                u.element()
                    .is_some_and(|e| e.is("error", xmpp_stanza::ns::STREAM))
            })
            .map(|(i, u)| {
                let mut v = vec![u.clone()];
                if let Some(next) = units.get(i + 1).filter(|n| n.kind == Kind::Close) {
                    v.push(next.clone());
                }
                v
            })
            .collect(),
    }
}

/// One case: the whole-turn run, its checks, then the other chunkings.
fn run_case(case: &Case, units: &[Unit], stride: usize) -> Result<(), String> {
    let base = replay((case.setup)(units)?, units, Plan::Whole, case.payloads);
    base.result.clone()?;
    (case.check)(&base, units).map_err(|why| format!("after the replay: {why}"))?;
    let plans: Vec<Plan> = if base.peer_bytes <= EVERY_SPLIT_LIMIT {
        (1..base.peer_bytes)
            .step_by(stride)
            .map(Plan::SplitAt)
            .collect()
    } else {
        (1..=RANDOM_CHUNKINGS).map(Plan::Random).collect()
    };
    for plan in plans {
        let other = replay((case.setup)(units)?, units, plan, case.payloads);
        if other != base {
            let why = match (&other.result, other.output == base.output) {
                (Err(e), _) => e.clone(),
                (Ok(()), false) => "different output".to_owned(),
                _ => format!(
                    "different events or close: {:?} / {:?}",
                    other.events, other.closed
                ),
            };
            return Err(format!("{plan:?}: {why}"));
        }
    }
    Ok(())
}
