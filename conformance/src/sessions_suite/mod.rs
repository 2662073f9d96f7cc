//! The `sessions` suite: `conformance sessions` (no files) runs our
//! `ClientConnection` against our `ServerConnection` in memory for every SASL
//! mechanism and TLS arrangement, and through the failure paths — wrong password, no
//! common mechanism, TLS required but not offered, binding conflicts, stream errors
//! mid-session, a peer closing early, every timer firing, plaintext injected after
//! `<proceed/>` — plus server-side violations driven by raw bytes.
//!
//! Every pair scenario runs with 4096, 7 and 1 bytes per `handle_input`; besides its
//! own checks, the rendered transcript and events must be identical for the three.
//!
//! | module | job |
//! |---|---|
//! | `mechanisms` | full sessions per mechanism and TLS arrangement |
//! | `failures` | failure paths up to authentication (TLS, SASL, channel binding) |
//! | `session_errors` | failure paths after it (binding, stream errors, closes, misuse) |
//! | `timing` | the timers on the virtual clock |
//! | `scripted` | raw bytes against one connection (violations, limits) |

mod failures;
mod mechanisms;
mod scripted;
mod session_errors;
mod timing;

use std::process::ExitCode;

use crate::pair::{Pair, Router, render};
use crate::pair_cmd::{PASSWORD, client_config, server_config};
use crate::tally::Tally;

/// A pair scenario: builds and runs a pair with the given chunk size, checks it.
pub type PairScenario = fn(usize) -> (Pair, Result<(), String>);

/// A scenario without a pair (raw bytes against one connection).
pub type Scripted = fn() -> Result<(), String>;

/// A standard pair: juliet with her password, seed 1.
pub fn standard(chunk: usize) -> Pair {
    let mut pair = Pair::new(
        client_config(),
        server_config(),
        Router::with_juliet(PASSWORD),
        1,
    );
    pair.chunk = chunk;
    pair
}

/// `Err(what)` unless `ok`.
pub fn check(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what()) }
}

/// The rendered transcript and events (for the chunking comparison).
fn rendering(pair: &Pair) -> String {
    crate::pair_cmd::render_session(0, pair)
}

/// Runs `scenario` with every chunk size and compares.
fn run_pair(name: &str, scenario: PairScenario, tally: &mut Tally) {
    let mut first: Option<String> = None;
    for chunk in [4096, 7, 1] {
        let (pair, result) = scenario(chunk);
        if let Err(why) = result {
            tally.fail(
                format!("{name} (chunk {chunk})"),
                format!(
                    "{why}\n  client: {}\n  server: {}",
                    render::closed(&pair.client_closed),
                    render::closed(&pair.server_closed)
                ),
            );
            return;
        }
        let text = rendering(&pair);
        match &first {
            None => first = Some(text),
            Some(f) if *f != text => {
                tally.fail(
                    name,
                    format!("transcript with chunk {chunk} differs from chunk 4096"),
                );
                return;
            }
            Some(_) => {}
        }
    }
    tally.pass();
}

/// Runs the suite.
pub fn run(args: &[String]) -> ExitCode {
    if !args.is_empty() {
        eprintln!("usage: conformance sessions   (takes no files)");
        return ExitCode::from(2);
    }
    println!(
        "# sessions in memory; SCRAM iteration count {}: lowered with xmpp-sasl's explicit test \
         option (insecure_min_iterations_for_tests) to keep debug runs fast",
        crate::pair::TEST_ITERATIONS
    );
    let mut tally = Tally::default();
    let pairs = mechanisms::SCENARIOS
        .iter()
        .chain(failures::SCENARIOS)
        .chain(session_errors::SCENARIOS)
        .chain(timing::SCENARIOS);
    for (name, scenario) in pairs {
        run_pair(name, *scenario, &mut tally);
    }
    for (name, scenario) in scripted::SCENARIOS {
        tally.record(name, scenario());
    }
    tally.finish()
}
