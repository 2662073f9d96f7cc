//! Failure paths up to authentication: wrong credentials, no common mechanism, TLS
//! not offered or refused, plaintext injection, channel-binding mismatches.

use xmpp_core::{
    AuthError, ClientEvent, CloseReason, ServerEvent, ServerTransport, TlsInfo, TlsVersion,
    Violation,
};
use xmpp_jid::Jid;
use xmpp_sasl::{ChannelBinding, ChannelBindingType, ClientPolicy, Mechanism, SaslCondition};

use super::{PairScenario, check, standard};
use crate::pair::{Dir, Pair, Router};
use crate::pair_cmd::{PASSWORD, client_config, server_config};

/// The scenarios, by name.
pub const SCENARIOS: &[(&str, PairScenario)] = &[
    ("wrong password", wrong_password),
    ("unknown user", unknown_user),
    ("no common mechanism", no_common_mechanism),
    ("TLS required but not offered", tls_not_offered),
    ("STARTTLS refused by the server", starttls_refused),
    (
        "plaintext injected after <proceed/>",
        injected_after_proceed,
    ),
    (
        "plaintext pipelined after <starttls/>",
        injected_after_starttls,
    ),
    (
        "-PLUS rejected, no XEP-0440: retry with SCRAM and n",
        binding_fallback,
    ),
    (
        "-PLUS rejected despite XEP-0440: final",
        binding_mismatch_final,
    ),
    (
        "server binds tls-unique only: SCRAM with n at once",
        tls_unique_only,
    ),
];

/// A rewriter replacing the first occurrence of `from` by `to`.
pub(super) fn replace_once(from: &'static str, to: String) -> crate::pair::Rewrite {
    let mut done = false;
    Box::new(move |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        if done || !text.contains(from) {
            return bytes.to_vec();
        }
        done = true;
        text.replacen(from, &to, 1).into_bytes()
    })
}

/// A rewriter removing every `<name ...>...</name>` element.
fn strip_element(name: &'static str) -> crate::pair::Rewrite {
    Box::new(move |bytes: &[u8]| {
        let mut text = String::from_utf8_lossy(bytes).into_owned();
        let open = format!("<{name}");
        let close = format!("</{name}>");
        while let Some(start) = text.find(&open) {
            let Some(end) = text[start..].find(&close) else {
                break;
            };
            text.replace_range(start..start + end + close.len(), "");
        }
        text.into_bytes()
    })
}

fn auth_failure(pair: &Pair) -> Option<&AuthError> {
    match &pair.client_closed {
        Some(CloseReason::AuthFailed(e)) => Some(e),
        _ => None,
    }
}

fn authenticated_with(pair: &Pair) -> Option<Mechanism> {
    pair.client_events.iter().find_map(|e| match e {
        ClientEvent::Authenticated { mechanism } => Some(*mechanism),
        _ => None,
    })
}

fn credential_requests(pair: &Pair) -> usize {
    pair.server_events
        .iter()
        .filter(|e| matches!(e, ServerEvent::CredentialsRequested { .. }))
        .count()
}

pub(super) fn online(chunk: usize) -> Result<Pair, String> {
    let mut pair = standard(chunk);
    pair.run();
    check(pair.client_online(), || "not online".into())?;
    Ok(pair)
}

pub(super) fn jid(s: &str) -> Jid {
    Jid::new(s).unwrap_or_else(|_| std::process::exit(2))
}

pub(super) fn outcome(pair: Pair, result: Result<(), String>) -> (Pair, Result<(), String>) {
    (pair, result)
}

fn wrong_password(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = Pair::new(
        client_config(),
        server_config(),
        Router::with_juliet("nope"),
        1,
    );
    pair.chunk = chunk;
    pair.run();
    let r = check(
        auth_failure(&pair).and_then(AuthError::condition) == Some(SaslCondition::NotAuthorized),
        || format!("{:?}", pair.client_closed),
    )
    .and(check(pair.server_closed == Some(CloseReason::Peer), || {
        "server did not see the client close".into()
    }));
    outcome(pair, r)
}

fn unknown_user(chunk: usize) -> (Pair, Result<(), String>) {
    let mut router = Router::with_juliet(PASSWORD);
    router.accounts.clear();
    let mut pair = Pair::new(client_config(), server_config(), router, 1);
    pair.chunk = chunk;
    pair.run();
    let r = check(
        auth_failure(&pair).and_then(AuthError::condition) == Some(SaslCondition::NotAuthorized),
        || format!("{:?}", pair.client_closed),
    );
    outcome(pair, r)
}

fn no_common_mechanism(chunk: usize) -> (Pair, Result<(), String>) {
    let client =
        client_config().with_policy(ClientPolicy::new().allow_only(&[Mechanism::ScramSha1]));
    let sasl = xmpp_core::SaslPolicy::default().with_mechanisms(&[Mechanism::ScramSha256]);
    let mut pair = Pair::new(
        client,
        server_config().with_sasl(sasl),
        Router::with_juliet(PASSWORD),
        1,
    );
    pair.chunk = chunk;
    pair.run();
    let r = check(
        matches!(auth_failure(&pair), Some(AuthError::NoMechanism { offered, .. }) if offered.len() == 1),
        || format!("{:?}", pair.client_closed),
    );
    outcome(pair, r)
}

fn tls_not_offered(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = Pair::with_transport(
        client_config(),
        server_config(),
        ServerTransport::InsecurePlaintext,
        Router::with_juliet(PASSWORD),
        1,
    );
    pair.chunk = chunk;
    pair.run();
    let r = check(
        pair.client_closed == Some(CloseReason::TlsNotOffered),
        || format!("{:?}", pair.client_closed),
    )
    .and(check(credential_requests(&pair) == 0, || {
        "credentials were sent".into()
    }));
    outcome(pair, r)
}

fn starttls_refused(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = standard(chunk);
    pair.rewrite_s2c = Some(replace_once(
        "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
        "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>".into(),
    ));
    pair.run();
    let r = check(pair.client_closed == Some(CloseReason::TlsFailed), || {
        format!("{:?}", pair.client_closed)
    })
    .and(check(pair.client_starttls_count == 0, || {
        "client started TLS".into()
    }));
    outcome(pair, r)
}

fn injected_after_proceed(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = standard(chunk);
    pair.rewrite_s2c = Some(replace_once(
        "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
        "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\
         <success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>"
            .into(),
    ));
    pair.run();
    let c2s_before = pair.bytes(Dir::C2s);
    pair.eof(Dir::C2s);
    let r = check(
        pair.client_closed == Some(CloseReason::Violation(Violation::PlaintextBeforeTls)),
        || format!("{:?}", pair.client_closed),
    )
    .and(check(pair.client_starttls_count == 0, || {
        "client started TLS".into()
    }))
    .and(check(
        String::from_utf8_lossy(&c2s_before)
            .ends_with("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
        || "client wrote after <proceed/>".into(),
    ))
    .and(check(
        pair.server_closed == Some(CloseReason::ConnectionLost),
        || format!("server: {:?}", pair.server_closed),
    ));
    outcome(pair, r)
}

fn injected_after_starttls(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = standard(chunk);
    pair.rewrite_c2s = Some(replace_once(
        "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
        "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\
         <auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMG15cjBtMzA=</auth>"
            .into(),
    ));
    pair.run();
    let silent = !String::from_utf8_lossy(&pair.bytes(Dir::S2c)).contains("proceed");
    pair.eof(Dir::S2c);
    let r = check(
        pair.server_closed == Some(CloseReason::Violation(Violation::PlaintextBeforeTls)),
        || format!("server: {:?}", pair.server_closed),
    )
    .and(check(silent, || "the server answered the request".into()))
    .and(check(
        pair.client_closed == Some(CloseReason::ConnectionLost),
        || format!("client: {:?}", pair.client_closed),
    ))
    .and(check(credential_requests(&pair) == 0, || {
        "credentials were asked".into()
    }));
    outcome(pair, r)
}

/// The server's TLS layer reports binding data that differs from the client's.
fn mismatched_tls() -> TlsInfo {
    TlsInfo::new(TlsVersion::Tls12).with_channel_binding(ChannelBinding::new(
        ChannelBindingType::TlsExporter,
        vec![0x99; 32],
    ))
}

fn binding_fallback(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = standard(chunk);
    pair.server_tls_info = mismatched_tls();
    pair.rewrite_s2c = Some(strip_element("sasl-channel-binding"));
    pair.run();
    let r = check(
        authenticated_with(&pair) == Some(Mechanism::ScramSha512),
        || {
            format!(
                "authenticated with {:?}; closed {:?}",
                authenticated_with(&pair),
                pair.client_closed
            )
        },
    )
    .and(check(credential_requests(&pair) == 2, || {
        "expected two exchanges".into()
    }))
    .and(check(pair.client_online(), || "not online".into()));
    outcome(pair, r)
}

fn binding_mismatch_final(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = standard(chunk);
    pair.server_tls_info = mismatched_tls();
    pair.run();
    let r = check(
        matches!(
            auth_failure(&pair),
            Some(AuthError::Rejected {
                mechanism: Mechanism::ScramSha512Plus,
                condition: Some(SaslCondition::NotAuthorized),
                ..
            })
        ),
        || format!("{:?}", pair.client_closed),
    )
    .and(check(credential_requests(&pair) == 1, || "retried".into()));
    outcome(pair, r)
}

fn tls_unique_only(chunk: usize) -> (Pair, Result<(), String>) {
    let mut pair = standard(chunk);
    pair.server_tls_info = TlsInfo::new(TlsVersion::Tls12).with_channel_binding(
        ChannelBinding::new(ChannelBindingType::TlsUnique, vec![0x55; 12]),
    );
    pair.run();
    let r = check(
        authenticated_with(&pair) == Some(Mechanism::ScramSha512),
        || format!("{:?} {:?}", authenticated_with(&pair), pair.client_closed),
    )
    .and(check(credential_requests(&pair) == 1, || {
        "expected one exchange".into()
    }));
    outcome(pair, r)
}
