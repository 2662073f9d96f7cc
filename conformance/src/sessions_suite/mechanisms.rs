//! Full sessions for every SASL mechanism and TLS arrangement: authenticate with
//! exactly the mechanism asked for, bind, a message each way, a graceful close.

use xmpp_core::{
    ClientCommand, ClientEvent, CloseReason, SaslPolicy, ServerCommand, ServerEvent,
    ServerTransport, TlsMode,
};
use xmpp_jid::Jid;
use xmpp_sasl::{ClientPolicy, Mechanism};
use xmpp_stanza::{Message, Stanza};

use super::{PairScenario, check, standard};
use crate::pair::{Pair, Router, fake_tls};
use crate::pair_cmd::PASSWORD;

/// The scenarios, by name.
pub const SCENARIOS: &[(&str, PairScenario)] = &[
    ("PLAIN over STARTTLS", |c| {
        with(c, Mechanism::Plain, Transport::StartTls)
    }),
    ("SCRAM-SHA-1", |c| {
        with(c, Mechanism::ScramSha1, Transport::StartTls)
    }),
    ("SCRAM-SHA-256", |c| {
        with(c, Mechanism::ScramSha256, Transport::StartTls)
    }),
    ("SCRAM-SHA-512", |c| {
        with(c, Mechanism::ScramSha512, Transport::StartTls)
    }),
    ("SCRAM-SHA-1-PLUS", |c| {
        with(c, Mechanism::ScramSha1Plus, Transport::StartTls)
    }),
    ("SCRAM-SHA-256-PLUS", |c| {
        with(c, Mechanism::ScramSha256Plus, Transport::StartTls)
    }),
    ("SCRAM-SHA-512-PLUS", |c| {
        with(c, Mechanism::ScramSha512Plus, Transport::StartTls)
    }),
    ("DIGEST-MD5 (historic)", |c| {
        with(c, Mechanism::DigestMd5, Transport::StartTls)
    }),
    ("SCRAM-SHA-256-PLUS over direct TLS", |c| {
        with(c, Mechanism::ScramSha256Plus, Transport::Direct)
    }),
    ("PLAIN without TLS (insecure test options)", |c| {
        with(c, Mechanism::Plain, Transport::Plaintext)
    }),
    ("SCRAM-SHA-256 without TLS (insecure test options)", |c| {
        with(c, Mechanism::ScramSha256, Transport::Plaintext)
    }),
    ("default policy picks SCRAM-SHA-512-PLUS", default_policy),
];

/// How the stream is secured.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Transport {
    StartTls,
    Direct,
    Plaintext,
}

fn with(chunk: usize, mechanism: Mechanism, tls: Transport) -> (Pair, Result<(), String>) {
    let mut policy = ClientPolicy::new().allow_only(&[mechanism]);
    let mut sasl = SaslPolicy::default().with_scram_iterations(crate::pair::TEST_ITERATIONS);
    if mechanism == Mechanism::DigestMd5 {
        policy = policy.enable_historic_digest_md5();
        sasl = sasl.enable_historic_digest_md5();
    }
    let mut client = crate::pair_cmd::client_config();
    let server = crate::pair_cmd::server_config();
    let mut transport = ServerTransport::StartTls;
    match tls {
        Transport::StartTls => {}
        Transport::Direct => {
            client = client.with_tls(TlsMode::DirectTls(fake_tls()));
            transport = ServerTransport::DirectTls(fake_tls());
        }
        Transport::Plaintext => {
            policy = policy.insecure_allow_plain_without_tls();
            sasl = sasl.insecure_allow_plain_without_tls();
            client = client.with_tls(TlsMode::InsecureAllowPlaintext);
            transport = ServerTransport::InsecurePlaintext;
        }
    }
    let router = Router::with_juliet(PASSWORD);
    let mut pair = Pair::with_transport(
        client.with_policy(policy),
        server.with_sasl(sasl),
        transport,
        router,
        1,
    );
    pair.chunk = chunk;
    let result = session(&mut pair, mechanism, tls);
    (pair, result)
}

/// Runs a session and checks it.
fn session(pair: &mut Pair, mechanism: Mechanism, tls: Transport) -> Result<(), String> {
    pair.run();
    check(
        matches!(pair.client_events.first(), Some(ClientEvent::Authenticated { mechanism: m }) if *m == mechanism),
        || format!("client did not authenticate with {}", mechanism.name()),
    )?;
    check(pair.client_online(), || "client not online".into())?;
    let starttls = pair.client_starttls_count;
    check((starttls == 1) == (tls == Transport::StartTls), || {
        format!("{starttls} STARTTLS hand-offs")
    })?;
    let romeo = Jid::new("romeo@example.net").map_err(|e| e.to_string())?;
    let juliet = Jid::new("juliet@example.com/balcony").map_err(|e| e.to_string())?;
    pair.client_command(ClientCommand::send(Message::chat(romeo.clone(), "hello")))
        .map_err(|e| e.to_string())?;
    let mut back = Message::chat(juliet, "hello yourself");
    back.from = Some(romeo);
    pair.server_command(ServerCommand::send(Stanza::Message(back)))
        .map_err(|e| e.to_string())?;
    pair.client_command(ClientCommand::Close)
        .map_err(|e| e.to_string())?;
    check(
        pair.server_events
            .iter()
            .any(|e| matches!(e, ServerEvent::Stanza(s) if matches!(**s, Stanza::Message(_)))),
        || "server did not get the message".into(),
    )?;
    check(
        pair.client_events
            .iter()
            .any(|e| matches!(e, ClientEvent::Stanza(s) if matches!(**s, Stanza::Message(_)))),
        || "client did not get the message".into(),
    )?;
    check(pair.client_closed == Some(CloseReason::Local), || {
        "client did not close gracefully".into()
    })?;
    check(pair.server_closed == Some(CloseReason::Peer), || {
        "server did not see the close".into()
    })
}

fn default_policy(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = standard(chunk);
    let result = session(&mut pair, Mechanism::ScramSha512Plus, Transport::StartTls);
    (pair, result)
}
