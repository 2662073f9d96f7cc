//! `conformance pair --seed S --chunk N`: one full client<->server session in memory —
//! STARTTLS (fake, pass-through TLS with fixed channel-binding bytes),
//! SCRAM-SHA-256-PLUS, resource binding, a roster get, three messages each way, and a
//! graceful close — printed as a transcript of both directions followed by one line
//! with the events each side saw.
//!
//! The output depends on the seed only: the same for every chunk size (bytes per
//! `handle_input` call) and every run. The chunk size is reported on stderr. Exit
//! status 0 when the session went as it should, 1 otherwise (the reason on stderr),
//! 2 on a usage error.

use std::process::ExitCode;

use xmpp_core::{
    ClientCommand, ClientConfig, ClientEvent, ServerCommand, ServerConfig, ServerEvent,
};
use xmpp_jid::{BareJid, Jid};
use xmpp_sasl::scram::ScramClientOptions;
use xmpp_sasl::{ClientPolicy, InsecureSeededEntropy, Mechanism};
use xmpp_stanza::{CompactStr, Element, Iq, Message, Stanza, ns};

use crate::pair::{Pair, Router, TEST_ITERATIONS, render};

/// The account's password.
pub const PASSWORD: &str = "r0m30myr0m30";

fn usage() -> ExitCode {
    eprintln!("usage: conformance pair [--seed S] [--chunk N]");
    ExitCode::from(2)
}

/// Parses `--seed S --chunk N` (defaults 1 and 4096).
fn parse(args: &[String]) -> Option<(u64, usize)> {
    let (mut seed, mut chunk) = (1u64, 4096usize);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next()?;
        match flag.as_str() {
            "--seed" => seed = value.parse().ok()?,
            "--chunk" => chunk = value.parse().ok().filter(|n| *n > 0)?,
            _ => return None,
        }
    }
    Some((seed, chunk))
}

/// The client's configuration for the pair: juliet, SCRAM iterations down to the
/// pair's test count.
pub fn client_config() -> ClientConfig {
    let jid = BareJid::new("juliet@example.com").ok();
    let config = jid.and_then(|jid| ClientConfig::new(jid, PASSWORD).ok());
    match config {
        Some(c) => c.with_resource("balcony").with_scram_options(
            ScramClientOptions::new().insecure_min_iterations_for_tests(TEST_ITERATIONS),
        ),
        None => {
            eprintln!("internal error: client configuration");
            std::process::exit(2)
        }
    }
}

/// The server's configuration for the pair.
pub fn server_config() -> ServerConfig {
    match ServerConfig::new("example.com") {
        Ok(c) => {
            c.with_sasl(xmpp_core::SaslPolicy::default().with_scram_iterations(TEST_ITERATIONS))
        }
        Err(e) => {
            eprintln!("internal error: server configuration: {e}");
            std::process::exit(2)
        }
    }
}

fn jid(s: &str) -> Jid {
    match Jid::new(s) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("internal error: {s}: {e}");
            std::process::exit(2)
        }
    }
}

/// Runs the session; returns the pair and what went wrong, if anything.
pub fn session(seed: u64, chunk: usize) -> (Pair, Vec<String>) {
    let client =
        client_config().with_policy(ClientPolicy::new().allow_only(&[Mechanism::ScramSha256Plus]));
    let mut pair = Pair::new(client, server_config(), Router::with_juliet(PASSWORD), seed);
    pair.chunk = chunk;
    let mut problems = Vec::new();
    pair.run();
    if !pair.client_online() {
        problems.push("the client did not get online".to_owned());
    }
    let mut ids = InsecureSeededEntropy::new(seed ^ 0x5EED);
    let roster_id = xmpp_core::stanza_id(&mut ids);
    let roster = Iq::get(
        roster_id.clone(),
        Element::new(CompactStr::from_static("query"), ns::ROSTER),
    );
    let mut check = |what: &str, r: Result<(), xmpp_core::CommandError>| {
        if let Err(e) = r {
            problems.push(format!("{what}: {e}"));
        }
    };
    check(
        "roster get",
        pair.client_command(ClientCommand::send(roster)),
    );
    let romeo = jid("romeo@example.net");
    let juliet = jid("juliet@example.com/balcony");
    let lines = [
        "Art thou not Romeo, and a Montague?",
        "How cam'st thou hither, tell me, and wherefore?",
        "By whose direction found'st thou out this place?",
    ];
    let answers = [
        "Neither, fair saint, if either thee dislike.",
        "With love's light wings did I o'erperch these walls.",
        "By love, that first did prompt me to inquire.",
    ];
    for (n, (line, answer)) in lines.iter().zip(answers).enumerate() {
        let id = xmpp_core::stanza_id(&mut ids);
        let out = Message::chat(romeo.clone(), *line).with_id(id);
        check(
            "client message",
            pair.client_command(ClientCommand::send(out)),
        );
        let mut back = Message::chat(juliet.clone(), answer).with_id(format!("r{n}"));
        back.from = Some(jid("romeo@example.net/orchard"));
        check(
            "server message",
            pair.server_command(ServerCommand::send(Stanza::Message(back))),
        );
    }
    check("close", pair.client_command(ClientCommand::Close));
    problems.extend(verify(&pair, &roster_id));
    (pair, problems)
}

/// What the finished session must show.
fn verify(pair: &Pair, roster_id: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut want = |ok: bool, what: &str| {
        if !ok {
            problems.push(what.to_owned());
        }
    };
    want(
        matches!(
            pair.client_events.first(),
            Some(ClientEvent::Authenticated {
                mechanism: Mechanism::ScramSha256Plus
            })
        ),
        "client authenticated with SCRAM-SHA-256-PLUS",
    );
    want(
        pair.client_events.iter().any(|e| matches!(e,
            ClientEvent::IqResponse { id, response: xmpp_core::IqResponse::Result(_) } if id == roster_id)),
        "roster result",
    );
    let client_messages = pair
        .client_events
        .iter()
        .filter(|e| matches!(e, ClientEvent::Stanza(s) if matches!(**s, Stanza::Message(_))))
        .count();
    want(client_messages == 3, "three messages to the client");
    let server_messages = pair
        .server_events
        .iter()
        .filter(|e| matches!(e, ServerEvent::Stanza(s)
            if matches!(&**s, Stanza::Message(m) if m.from.as_ref().map(|f| f.as_str()) == Some("juliet@example.com/balcony"))))
        .count();
    want(
        server_messages == 3,
        "three messages to the server, from stamped",
    );
    want(
        pair.client_closed == Some(xmpp_core::CloseReason::Local),
        "client closed gracefully",
    );
    want(
        pair.server_closed == Some(xmpp_core::CloseReason::Peer),
        "server saw the client close",
    );
    want(
        pair.router.errors.is_empty(),
        "every server command accepted",
    );
    problems
}

/// The printed form: header, transcript, one line of events.
pub fn render_session(seed: u64, pair: &Pair) -> String {
    let mut out = format!(
        "# conformance pair, seed {seed}: ClientConnection <-> ServerConnection in memory \
         (virtual clock, seeded entropy, fake pass-through TLS)\n\
         # SCRAM iteration count {TEST_ITERATIONS}: lowered with xmpp-sasl's explicit test option \
         (insecure_min_iterations_for_tests) to keep debug runs fast\n"
    );
    out.push_str(&render::transcript(&pair.transcript));
    let client: Vec<String> = pair
        .client_events
        .iter()
        .map(render::client_event)
        .collect();
    let server: Vec<String> = pair
        .server_events
        .iter()
        .map(render::server_event)
        .collect();
    out.push_str(&format!(
        "events: client [{}; {}] server [{}; {}]\n",
        client.join(", "),
        render::closed(&pair.client_closed),
        server.join(", "),
        render::closed(&pair.server_closed),
    ));
    out
}

/// The subcommand.
pub fn run(args: &[String]) -> ExitCode {
    let Some((seed, chunk)) = parse(args) else {
        return usage();
    };
    eprintln!("pair: seed {seed}, chunk {chunk} bytes per handle_input");
    let (pair, problems) = session(seed, chunk);
    print!("{}", render_session(seed, &pair));
    if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        for p in problems {
            eprintln!("FAIL pair: {p}");
        }
        ExitCode::FAILURE
    }
}
