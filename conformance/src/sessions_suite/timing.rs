//! The timers: negotiation, close handshake, IQ, keepalive and read-idle timeouts on
//! the virtual clock.

use std::time::Duration;

use xmpp_core::{ClientCommand, ClientEvent, CloseReason, IqResponse, ServerTimeouts, TimerKind};
use xmpp_stanza::{Element, Iq, StreamErrorCondition};

use super::{PairScenario, check, standard};
use crate::pair::{Dir, Pair, Router, Turn};
use crate::pair_cmd::{PASSWORD, client_config, server_config};

/// The scenarios, by name.
pub const SCENARIOS: &[(&str, PairScenario)] = &[
    ("negotiation timeout", negotiation_timeout),
    ("close handshake timeout", close_timeout),
    ("IQ timeout", iq_timeout),
    ("whitespace keepalive", keepalive),
    ("read-idle timeout", read_idle),
];

/// A pair run until online, and whether it got there.
fn online(chunk: usize) -> (Pair, bool) {
    let mut pair = standard(chunk);
    pair.run();
    let online = pair.client_online();
    (pair, online)
}

fn negotiation_timeout(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = standard(chunk);
    pair.connected = false;
    pair.run();
    pair.advance(Duration::from_secs(59));
    let early = pair.client_closed.is_none() && pair.server_closed.is_none();
    pair.advance(Duration::from_secs(2));
    let timeout = Some(CloseReason::Timeout(TimerKind::Negotiation));
    let r = check(early, || "closed before the deadline".into())
        .and(check(pair.client_closed == timeout, || {
            format!("client {:?}", pair.client_closed)
        }))
        .and(check(pair.server_closed == timeout, || {
            format!("server {:?}", pair.server_closed)
        }));
    (pair, r)
}

fn close_timeout(chunk: usize) -> (Pair, Result<(), String>) {
    let (mut pair, online) = online(chunk);
    if !online {
        return (pair, Err("not online".into()));
    }
    pair.connected = false;
    let _ = pair.client_command(ClientCommand::Close);
    pair.advance(Duration::from_secs(9));
    let early = pair.client_closed.is_none();
    pair.advance(Duration::from_secs(2));
    let r = check(early, || "closed before the deadline".into()).and(check(
        pair.client_closed == Some(CloseReason::Timeout(TimerKind::CloseHandshake)),
        || format!("{:?}", pair.client_closed),
    ));
    (pair, r)
}

fn iq_timeout(chunk: usize) -> (Pair, Result<(), String>) {
    let (mut pair, online) = online(chunk);
    if !online {
        return (pair, Err("not online".into()));
    }
    pair.router.answer_iqs = false;
    let ping = Iq::get("ping-1", Element::new("ping", "urn:xmpp:ping"));
    let sent = pair.client_command(ClientCommand::SendIq {
        iq: Box::new(ping),
        timeout: Some(Duration::from_secs(5)),
    });
    pair.advance(Duration::from_secs(4));
    let early = pair.client.pending_iqs() == 1;
    pair.advance(Duration::from_secs(2));
    let timed_out = pair.client_events.iter().any(|e| {
        matches!(e, ClientEvent::IqResponse { id, response: IqResponse::Timeout } if id == "ping-1")
    });
    let r = check(sent.is_ok(), || format!("{sent:?}"))
        .and(check(early, || "no pending IQ before the deadline".into()))
        .and(check(timed_out, || "no timeout event".into()))
        .and(check(pair.client.pending_iqs() == 0, || {
            "still pending".into()
        }))
        .and(check(pair.client_closed.is_none(), || "closed".into()));
    (pair, r)
}

fn keepalive(chunk: usize) -> (Pair, Result<(), String>) {
    let (mut pair, online) = online(chunk);
    if !online {
        return (pair, Err("not online".into()));
    }
    pair.advance(Duration::from_secs(61));
    let sent_space = matches!(pair.transcript.last(), Some(Turn::Bytes(Dir::C2s, b)) if b == b" ");
    pair.advance(Duration::from_secs(61));
    let spaces = pair
        .transcript
        .iter()
        .filter(|t| matches!(t, Turn::Bytes(Dir::C2s, b) if b == b" "))
        .count();
    let _ = pair.client_command(ClientCommand::Close);
    let r = check(sent_space, || "no keepalive after 61 s".into())
        .and(check(spaces == 2, || format!("{spaces} keepalives")))
        .and(check(
            pair.client_closed == Some(CloseReason::Local),
            || format!("{:?}", pair.client_closed),
        ));
    (pair, r)
}

fn read_idle(chunk: usize) -> (Pair, Result<(), String>) {
    let mut timeouts = ServerTimeouts::default();
    timeouts.read_idle = Some(Duration::from_secs(30));
    let server = server_config().with_timeouts(timeouts);
    let mut pair = Pair::new(client_config(), server, Router::with_juliet(PASSWORD), 1);
    pair.chunk = chunk;
    pair.run();
    pair.advance(Duration::from_secs(31));
    let r = check(
        pair.server_closed == Some(CloseReason::Timeout(TimerKind::ReadIdle)),
        || format!("{:?}", pair.server_closed),
    )
    .and(check(
        matches!(&pair.client_closed, Some(CloseReason::PeerError(e)) if e.condition == StreamErrorCondition::ConnectionTimeout),
        || format!("{:?}", pair.client_closed),
    ));
    (pair, r)
}
