//! Failure paths after authentication: binding refused, the legacy session, stream
//! errors both ways, early closes, forged addresses, invalid stanzas, command misuse.

use xmpp_core::{
    ClientCommand, ClientEvent, CloseReason, ResourceConflict, ServerCommand, ServerEvent,
    Violation,
};
use xmpp_stanza::{Message, Stanza, StanzaErrorCondition, StreamError, StreamErrorCondition};

use super::failures::{jid, online, outcome, replace_once};
use super::{PairScenario, check, standard};
use crate::pair::{Dir, Pair, Router};
use crate::pair_cmd::{PASSWORD, client_config, server_config};

/// The scenarios, by name.
pub const SCENARIOS: &[(&str, PairScenario)] = &[
    ("bind conflict: server-assigned retry", bind_conflict_retry),
    ("bind conflict: give up", bind_conflict_fail),
    ("bind not-allowed", bind_not_allowed),
    ("legacy session required", legacy_session_required),
    (
        "stream error from the server mid-session",
        server_stream_error,
    ),
    ("see-other-host", see_other_host),
    ("stream error from the client", client_stream_error),
    (
        "server closes its stream during negotiation",
        server_closes_early,
    ),
    ("connection lost during SASL", eof_during_sasl),
    ("forged from", forged_from),
    ("invalid stanza from the server", invalid_stanza_from_server),
    ("command misuse", command_misuse),
];

fn bound_jid(pair: &Pair) -> Option<String> {
    pair.client_events.iter().find_map(|e| match e {
        ClientEvent::Online { jid, .. } => Some(jid.to_string()),
        _ => None,
    })
}

fn bind_conflict_retry(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = standard(chunk);
    pair.router
        .bind_errors
        .push_back(StanzaErrorCondition::Conflict);
    pair.run();
    let generated = pair
        .server_events
        .iter()
        .filter(|e| {
            matches!(
                e,
                ServerEvent::BindRequested {
                    requested: None,
                    ..
                }
            )
        })
        .count();
    let r = check(
        bound_jid(&pair)
            .is_some_and(|j| j.starts_with("juliet@example.com/") && !j.ends_with("/balcony")),
        || format!("bound {:?}", bound_jid(&pair)),
    )
    .and(check(generated == 1, || "no server-assigned retry".into()));
    outcome(pair, r)
}

fn bind_conflict_fail(chunk: usize) -> (Pair, Result<(), String>) {
    let client = client_config().with_resource_conflict(ResourceConflict::Fail);
    let mut pair = Pair::new(client, server_config(), Router::with_juliet(PASSWORD), 1);
    pair.chunk = chunk;
    pair.router
        .bind_errors
        .push_back(StanzaErrorCondition::Conflict);
    pair.run();
    let r = check(
        pair.client_closed == Some(CloseReason::BindFailed(StanzaErrorCondition::Conflict)),
        || format!("{:?}", pair.client_closed),
    );
    outcome(pair, r)
}

fn bind_not_allowed(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = standard(chunk);
    pair.router
        .bind_errors
        .push_back(StanzaErrorCondition::NotAllowed);
    pair.run();
    let r = check(
        pair.client_closed == Some(CloseReason::BindFailed(StanzaErrorCondition::NotAllowed)),
        || format!("{:?}", pair.client_closed),
    );
    outcome(pair, r)
}

fn legacy_session_required(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = standard(chunk);
    pair.rewrite_s2c = Some(replace_once(
        "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session>",
        "<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>".into(),
    ));
    pair.run();
    let sent_session = String::from_utf8_lossy(&pair.bytes(Dir::C2s))
        .contains("<session xmlns='urn:ietf:params:xml:ns:xmpp-session'/>");
    let r = check(sent_session, || "no session request".into())
        .and(check(pair.client_online(), || {
            format!("{:?}", pair.client_closed)
        }));
    outcome(pair, r)
}

fn server_stream_error(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = match online(chunk) {
        Ok(p) => p,
        Err(e) => return (standard(chunk), Err(e)),
    };
    let sent = pair.server_command(ServerCommand::CloseWithError(Box::new(StreamError::new(
        StreamErrorCondition::Conflict,
    ))));
    let r = check(sent.is_ok(), || format!("{sent:?}"))
        .and(check(
            matches!(&pair.client_closed, Some(CloseReason::PeerError(e)) if e.condition == StreamErrorCondition::Conflict),
            || format!("{:?}", pair.client_closed),
        ))
        .and(check(
            pair.server_closed == Some(CloseReason::LocalError(StreamErrorCondition::Conflict)),
            || format!("{:?}", pair.server_closed),
        ));
    outcome(pair, r)
}

fn see_other_host(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = match online(chunk) {
        Ok(p) => p,
        Err(e) => return (standard(chunk), Err(e)),
    };
    let error = StreamError::see_other_host("[2001:db8::1]:5222");
    let _ = pair.server_command(ServerCommand::CloseWithError(Box::new(error)));
    let r = check(
        pair.client_closed.as_ref().and_then(|c| c.see_other_host()) == Some("[2001:db8::1]:5222"),
        || format!("{:?}", pair.client_closed),
    );
    outcome(pair, r)
}

fn client_stream_error(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = match online(chunk) {
        Ok(p) => p,
        Err(e) => return (standard(chunk), Err(e)),
    };
    let error = StreamError::new(StreamErrorCondition::PolicyViolation);
    let _ = pair.client_command(ClientCommand::CloseWithError(Box::new(error)));
    let r = check(
        matches!(&pair.server_closed, Some(CloseReason::PeerError(e)) if e.condition == StreamErrorCondition::PolicyViolation),
        || format!("{:?}", pair.server_closed),
    );
    outcome(pair, r)
}

fn server_closes_early(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = standard(chunk);
    let _ = pair.server_command(ServerCommand::Close);
    let r = check(pair.client_closed == Some(CloseReason::Peer), || {
        format!("{:?}", pair.client_closed)
    })
    .and(check(
        pair.server_closed == Some(CloseReason::Local),
        || format!("{:?}", pair.server_closed),
    ))
    .and(check(!pair.client_online(), || "online".into()));
    outcome(pair, r)
}

fn eof_during_sasl(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = standard(chunk);
    pair.rewrite_s2c = Some(Box::new(|bytes: &[u8]| {
        if String::from_utf8_lossy(bytes).contains("<challenge") {
            Vec::new()
        } else {
            bytes.to_vec()
        }
    }));
    pair.run();
    pair.eof(Dir::S2c);
    pair.eof(Dir::C2s);
    let r = check(
        pair.client_closed == Some(CloseReason::ConnectionLost),
        || format!("{:?}", pair.client_closed),
    )
    .and(check(
        pair.server_closed == Some(CloseReason::ConnectionLost),
        || format!("{:?}", pair.server_closed),
    ));
    outcome(pair, r)
}

fn forged_from(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = match online(chunk) {
        Ok(p) => p,
        Err(e) => return (standard(chunk), Err(e)),
    };
    let mut forged = Message::chat(jid("romeo@example.net"), "it was me");
    forged.from = Some(jid("romeo@example.net/orchard"));
    let _ = pair.client_command(ClientCommand::send(forged));
    let r = check(
        pair.server_closed == Some(CloseReason::Violation(Violation::InvalidFrom)),
        || format!("{:?}", pair.server_closed),
    )
    .and(check(
        matches!(&pair.client_closed, Some(CloseReason::PeerError(e)) if e.condition == StreamErrorCondition::InvalidFrom),
        || format!("{:?}", pair.client_closed),
    ))
    .and(check(
        !pair.server_events.iter().any(|e| matches!(e, ServerEvent::Stanza(_))),
        || "the forged stanza was delivered".into(),
    ));
    outcome(pair, r)
}

fn invalid_stanza_from_server(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = match online(chunk) {
        Ok(p) => p,
        Err(e) => return (standard(chunk), Err(e)),
    };
    // Two bodies in the same language: RFC 6121 §5.2.3 allows one per language.
    pair.rewrite_s2c = Some(replace_once(
        "<body>hi</body>",
        "<body>hi</body><body>hi again</body>".into(),
    ));
    let mut m = Message::chat(jid("juliet@example.com/balcony"), "hi");
    m.from = Some(jid("romeo@example.net/orchard"));
    let _ = pair.server_command(ServerCommand::send(Stanza::Message(m)));
    let r = check(
        pair.client_events
            .iter()
            .any(|e| matches!(e, ClientEvent::InvalidStanza(_))),
        || "no InvalidStanza event".into(),
    )
    .and(check(pair.client_closed.is_none(), || "closed".into()));
    outcome(pair, r)
}

fn command_misuse(chunk: usize) -> (Pair, Result<(), String>) {
    use xmpp_core::CommandError as E;
    use xmpp_stanza::{Element, Iq};
    let mut pair = standard(chunk);
    let ping = |id: &str| Iq::get(id.to_owned(), Element::new("ping", "urn:xmpp:ping"));
    let mut r = check(
        pair.client_command(ClientCommand::send(ping("p0"))) == Err(E::NotOnline),
        || "send before online".into(),
    );
    pair.run();
    pair.router.answer_iqs = false;
    r = r
        .and(check(
            pair.client_command(ClientCommand::send(ping(""))) == Err(E::MissingIqId),
            || "IQ without id".into(),
        ))
        .and(check(
            pair.client_command(ClientCommand::send(ping("p1"))).is_ok(),
            || "first ping".into(),
        ))
        .and(check(
            pair.client_command(ClientCommand::send(ping("p1"))) == Err(E::DuplicateIqId),
            || "duplicate id".into(),
        ));
    let stale = pair.server_events.iter().find_map(|e| match e {
        ServerEvent::CredentialsRequested { id, .. } => Some(*id),
        _ => None,
    });
    if let Some(id) = stale {
        let answer = xmpp_sasl::CredentialAnswer::UnknownUser;
        r = r.and(check(
            pair.server_command(ServerCommand::ProvideCredentials { id, answer })
                == Err(E::UnknownRequest),
            || "stale credentials answer".into(),
        ));
    }
    let _ = pair.client_command(ClientCommand::Close);
    r = r.and(check(
        pair.client_command(ClientCommand::send(ping("p2"))) == Err(E::Closed),
        || "send after close".into(),
    ));
    outcome(pair, r)
}
