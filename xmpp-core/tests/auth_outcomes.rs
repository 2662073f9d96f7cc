//! The server's authentication outcomes: one `ServerEvent::AuthFailed` per
//! `<failure/>`, queued right before its bytes, on every failure path; the
//! channel-binding policy of the default configuration (SCRAM-PLUS for clients that
//! bind right, PLAIN after one refusal per mechanism for slixmpp 1.8.3, which binds
//! with `tls-unique` on TLS 1.3), and how refusals count toward the per-stream limit.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::{Pair, client_config, fake_tls, server_config};
use xmpp_core::{
    CloseReason, Connection, Output, SaslPolicy, ServerCommand, ServerConfig, ServerConnection,
    ServerEvent, ServerTransport, Violation,
};
use xmpp_jid::BareJid;
use xmpp_sasl::{
    Account, AccountStatus, ChannelBindingType, CredentialAnswer, InsecureSeededEntropy,
    Malformation, Mechanism, MessageKind, SaslCondition, SaslError, encode_payload,
};

const HEADER: &str = "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' \
    xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
const SASL_NS: &str = "urn:ietf:params:xml:ns:xmpp-sasl";

/// One output, reduced to what the tests look at.
#[derive(Debug)]
enum Out {
    Bytes(String),
    Event(ServerEvent),
    Closed(CloseReason),
}

fn drain(s: &mut ServerConnection) -> Vec<Out> {
    let mut out = Vec::new();
    loop {
        match s.poll_output() {
            Output::Transmit(b) => out.push(Out::Bytes(String::from_utf8(b).unwrap())),
            Output::Event(e) => out.push(Out::Event(e)),
            Output::Closed(r) => out.push(Out::Closed(r)),
            Output::StartTls { .. } => panic!("no STARTTLS on direct TLS"),
            Output::Wait(_) => return out,
        }
    }
}

fn failures(out: &[Out]) -> Vec<&ServerEvent> {
    out.iter()
        .filter_map(|o| match o {
            Out::Event(e @ ServerEvent::AuthFailed { .. }) => Some(e),
            _ => None,
        })
        .collect()
}

/// A server on a TLS 1.3 connection with `tls-exporter` and `tls-server-end-point`
/// (what rustls gives), its stream open and features read.
fn open(config: ServerConfig) -> ServerConnection {
    let now = Instant::now();
    let mut s = ServerConnection::new(
        Arc::new(config),
        ServerTransport::DirectTls(fake_tls()),
        Box::new(InsecureSeededEntropy::new(9)),
        now,
    );
    s.handle_input(now, HEADER.as_bytes());
    let out = drain(&mut s);
    let Some(Out::Bytes(features)) = out.first() else {
        panic!("{out:?}")
    };
    assert!(features.contains("<mechanism>SCRAM-SHA-512-PLUS</mechanism>"));
    assert!(
        features.contains("<channel-binding type='tls-exporter'/>"),
        "{features}"
    );
    s
}

fn input(s: &mut ServerConnection, xml: &str) -> Vec<Out> {
    s.handle_input(Instant::now(), xml.as_bytes());
    drain(s)
}

fn auth(mechanism: &str, message: &str) -> String {
    format!(
        "<auth xmlns='{SASL_NS}' mechanism='{mechanism}'>{}</auth>",
        encode_payload(message.as_bytes())
    )
}

fn answer(s: &mut ServerConnection, out: &[Out], answer: CredentialAnswer) -> Vec<Out> {
    let Some(Out::Event(ServerEvent::CredentialsRequested { id, .. })) = out.first() else {
        panic!("{out:?}")
    };
    s.handle_command(
        Instant::now(),
        ServerCommand::ProvideCredentials { id: *id, answer },
    )
    .unwrap();
    drain(s)
}

/// The outputs are exactly: the `AuthFailed` event, then the `<failure/>` bytes
/// (with `condition`), then whatever `rest` allows (a stream error and `Closed`).
fn assert_failed(
    out: &[Out],
    mechanism: Option<Mechanism>,
    authcid: Option<&str>,
    error: SaslError,
) {
    assert_eq!(failures(out).len(), 1, "{out:?}");
    let [Out::Event(event), Out::Bytes(bytes), ..] = out else {
        panic!("{out:?}")
    };
    let condition = error.condition();
    assert_eq!(
        *event,
        ServerEvent::AuthFailed {
            mechanism,
            authcid: authcid.map(str::to_owned),
            condition,
            error,
        }
    );
    let expected = format!(
        "<failure xmlns='{SASL_NS}'><{}/></failure>",
        condition.as_str()
    );
    assert!(bytes.starts_with(&expected), "{bytes}");
}

fn juliet() -> CredentialAnswer {
    CredentialAnswer::Found(Account::with_password("r0m30myr0m30"))
}

#[test]
fn slixmpp_1_8_3_on_tls_1_3_gets_plain_after_one_refusal_per_scram_mechanism() {
    // What slixmpp 1.8.3 sends against the default offer (captured from the real
    // client): every -PLUS with p=tls-unique, every SCRAM with y, then PLAIN.
    let mut s = open(server_config());
    let tries = [
        (
            "SCRAM-SHA-512-PLUS",
            "p=tls-unique",
            Mechanism::ScramSha512Plus,
        ),
        (
            "SCRAM-SHA-256-PLUS",
            "p=tls-unique",
            Mechanism::ScramSha256Plus,
        ),
        ("SCRAM-SHA-1-PLUS", "p=tls-unique", Mechanism::ScramSha1Plus),
        ("SCRAM-SHA-512", "y", Mechanism::ScramSha512),
        ("SCRAM-SHA-256", "y", Mechanism::ScramSha256),
        ("SCRAM-SHA-1", "y", Mechanism::ScramSha1),
    ];
    for (name, flag, mechanism) in tries {
        let out = input(
            &mut s,
            &auth(name, &format!("{flag},,n=juliet,r=2191702974047166")),
        );
        let error = if flag == "y" {
            SaslError::ChannelBindingDowngrade
        } else {
            SaslError::UnsupportedChannelBindingType
        };
        assert!(error.is_channel_binding_refusal());
        assert_failed(&out, Some(mechanism), None, error);
        assert_eq!(out.len(), 2, "not closed: {out:?}");
    }
    let out = input(&mut s, &auth("PLAIN", "\0juliet\0r0m30myr0m30"));
    let out = answer(&mut s, &out, juliet());
    assert!(
        matches!(&out[0], Out::Bytes(b) if b.starts_with("<success")),
        "{out:?}"
    );
    assert!(matches!(
        &out[1],
        Out::Event(ServerEvent::Authenticated {
            mechanism: Mechanism::Plain,
            channel_binding: None,
            ..
        })
    ));
}

#[test]
fn a_repeated_binding_refusal_counts_like_any_failure() {
    let mut s = open(server_config());
    let unique = auth("SCRAM-SHA-512-PLUS", "p=tls-unique,,n=juliet,r=1");
    // The first refusal of SCRAM-SHA-512-PLUS is free; the next three count.
    for _ in 0..3 {
        let out = input(&mut s, &unique);
        assert_eq!(out.len(), 2, "{out:?}");
    }
    let out = input(&mut s, &unique);
    assert_failed(
        &out,
        Some(Mechanism::ScramSha512Plus),
        None,
        SaslError::UnsupportedChannelBindingType,
    );
    assert!(matches!(&out[1], Out::Bytes(b) if b.contains("<policy-violation")));
    assert!(matches!(
        out.last(),
        Some(Out::Closed(CloseReason::Violation(
            Violation::TooManyAuthFailures
        )))
    ));
}

#[test]
fn three_wrong_passwords_close_the_stream_after_three_events() {
    let mut s = open(server_config());
    for i in 1..=3 {
        let out = input(&mut s, &auth("PLAIN", "\0juliet\0guess"));
        let out = answer(&mut s, &out, juliet());
        assert_failed(
            &out,
            Some(Mechanism::Plain),
            Some("juliet"),
            SaslError::AuthenticationFailed,
        );
        let closed = matches!(out.last(), Some(Out::Closed(_)));
        assert_eq!(closed, i == 3, "{out:?}");
    }
}

/// Runs `steps` on a fresh connection and returns the outputs of the last.
fn one_failure(steps: &[&str], answer_with: Option<CredentialAnswer>) -> Vec<Out> {
    let mut s = open(server_config());
    let mut out = Vec::new();
    for step in steps {
        out = input(&mut s, step);
        if let (Some(Out::Event(ServerEvent::CredentialsRequested { .. })), Some(a)) =
            (out.first(), answer_with.clone())
        {
            out = answer(&mut s, &out, a);
        }
    }
    out
}

/// The outputs of one failure, and the mechanism, identity and error it must report.
type Case = (Vec<Out>, Option<Mechanism>, Option<&'static str>, SaslError);

#[test]
fn every_failure_path_reports_exactly_one_auth_failed_before_its_failure() {
    let abort = format!("<abort xmlns='{SASL_NS}'/>");
    let plain = auth("PLAIN", "\0juliet\0r0m30myr0m30");
    let cases: Vec<Case> = vec![
        // Unknown, unoffered and missing mechanisms.
        (
            one_failure(&[&auth("X-UNKNOWN", "x")], None),
            None,
            None,
            SaslError::InvalidMechanism,
        ),
        (
            one_failure(&[&auth("DIGEST-MD5", "x")], None),
            Some(Mechanism::DigestMd5),
            None,
            SaslError::InvalidMechanism,
        ),
        (
            one_failure(&[&format!("<auth xmlns='{SASL_NS}'>AA==</auth>")], None),
            None,
            None,
            SaslError::InvalidMechanism,
        ),
        // Unreadable elements.
        (
            one_failure(
                &[&format!(
                    "<auth xmlns='{SASL_NS}' mechanism='PLAIN'>not base64!</auth>"
                )],
                None,
            ),
            Some(Mechanism::Plain),
            None,
            SaslError::IncorrectEncoding,
        ),
        (
            one_failure(&[&format!("<abort xmlns='{SASL_NS}'><x/></abort>")], None),
            None,
            None,
            SaslError::Malformed {
                message: MessageKind::XmppElement,
                what: Malformation::UnexpectedData,
            },
        ),
        // A malformed SASL message.
        (
            one_failure(&[&auth("PLAIN", "juliet")], None),
            Some(Mechanism::Plain),
            None,
            SaslError::Malformed {
                message: MessageKind::PlainMessage,
                what: Malformation::WrongFieldCount,
            },
        ),
        // Wrong password; unknown user (a decoy path, reported the same way).
        (
            one_failure(&[&auth("PLAIN", "\0juliet\0wrong")], Some(juliet())),
            Some(Mechanism::Plain),
            Some("juliet"),
            SaslError::AuthenticationFailed,
        ),
        (
            one_failure(
                &[&auth("PLAIN", "\0nobody\0wrong")],
                Some(CredentialAnswer::UnknownUser),
            ),
            Some(Mechanism::Plain),
            Some("nobody"),
            SaslError::AuthenticationFailed,
        ),
        // Refused accounts and a store that is down.
        (
            one_failure(
                &[&plain],
                Some(CredentialAnswer::Found(
                    Account::with_password("r0m30myr0m30").status(AccountStatus::Disabled),
                )),
            ),
            Some(Mechanism::Plain),
            Some("juliet"),
            SaslError::AccountDisabled,
        ),
        (
            one_failure(&[&plain], Some(CredentialAnswer::TemporaryFailure)),
            Some(Mechanism::Plain),
            Some("juliet"),
            SaslError::TemporaryFailure,
        ),
        // An authorization identity the store permits but that is not ours.
        (
            one_failure(
                &[&auth("PLAIN", "romeo@example.net\0juliet\0r0m30myr0m30")],
                Some(CredentialAnswer::Found(
                    Account::with_password("r0m30myr0m30").permit_authzid(),
                )),
            ),
            Some(Mechanism::Plain),
            Some("juliet"),
            SaslError::InvalidAuthzid,
        ),
        // Aborts: during a credential lookup, and with nothing running.
        (
            one_failure(&[&plain, &abort], None),
            Some(Mechanism::Plain),
            Some("juliet"),
            SaslError::Aborted,
        ),
        (one_failure(&[&abort], None), None, None, SaslError::Aborted),
        // A response with no exchange running.
        (
            one_failure(&[&format!("<response xmlns='{SASL_NS}'/>")], None),
            None,
            None,
            SaslError::UnexpectedStep,
        ),
        // Bad base64 in a SCRAM response, after the identity was named.
        (
            one_failure(
                &[
                    &auth("SCRAM-SHA-256", "n,,n=juliet,r=abc"),
                    &format!("<response xmlns='{SASL_NS}'>%%%</response>"),
                ],
                Some(juliet()),
            ),
            Some(Mechanism::ScramSha256),
            Some("juliet"),
            SaslError::IncorrectEncoding,
        ),
        // A client-first with a flag that contradicts the mechanism.
        (
            one_failure(&[&auth("SCRAM-SHA-256-PLUS", "n,,n=juliet,r=abc")], None),
            Some(Mechanism::ScramSha256Plus),
            None,
            SaslError::Malformed {
                message: MessageKind::ScramClientFirst,
                what: Malformation::ChannelBindingFlagMismatch,
            },
        ),
    ];
    for (out, mechanism, authcid, error) in cases {
        assert_failed(&out, mechanism, authcid, error);
        assert!(
            !out.iter().any(|o| matches!(o, Out::Closed(_))),
            "one failure does not close: {out:?}"
        );
    }
}

#[test]
fn our_client_gets_scram_sha_512_plus_with_tls_exporter_under_the_hosts_policy() {
    // The chain the server host builds its policy with.
    let policy = SaslPolicy::default()
        .with_mechanisms(&Mechanism::ALL)
        .plus_only_with_default_binding()
        .with_scram_iterations(common::ITERATIONS)
        .with_decoy_secret([3; 32]);
    for config in [
        server_config(),
        ServerConfig::new("example.com").unwrap().with_sasl(policy),
    ] {
        let mut pair = Pair::new(client_config(), config, 11);
        pair.run();
        assert!(pair.client_online(), "{:?}", pair.client_events);
        let jid = BareJid::new("juliet@example.com").unwrap();
        assert!(
            pair.server_events.contains(&ServerEvent::Authenticated {
                jid,
                mechanism: Mechanism::ScramSha512Plus,
                channel_binding: Some(ChannelBindingType::TlsExporter),
            }),
            "{:?}",
            pair.server_events
        );
        assert!(
            !pair
                .server_events
                .iter()
                .any(|e| matches!(e, ServerEvent::AuthFailed { .. }))
        );
    }
}

#[test]
fn scram_failures_through_our_client_are_reported_once() {
    // A wrong password: the -PLUS exchange fails after the proof.
    let mut pair = Pair::new(client_config(), server_config(), 12);
    pair.answers.password = "not the password".to_owned();
    pair.run();
    let failed: Vec<_> = pair
        .server_events
        .iter()
        .filter(|e| matches!(e, ServerEvent::AuthFailed { .. }))
        .collect();
    assert_eq!(
        failed,
        [&ServerEvent::AuthFailed {
            mechanism: Some(Mechanism::ScramSha512Plus),
            authcid: Some("juliet".to_owned()),
            condition: SaslCondition::NotAuthorized,
            error: SaslError::AuthenticationFailed,
        }]
    );
    // An unknown user gets the decoy path and the same report, under its name.
    let romeo = xmpp_core::ClientConfig::new(BareJid::new("romeo@example.com").unwrap(), "pw")
        .unwrap()
        .with_scram_options(
            xmpp_sasl::scram::ScramClientOptions::new()
                .insecure_min_iterations_for_tests(common::ITERATIONS),
        );
    let mut pair = Pair::new(romeo, server_config(), 13);
    pair.run();
    let failed: Vec<_> = pair
        .server_events
        .iter()
        .filter(|e| matches!(e, ServerEvent::AuthFailed { .. }))
        .collect();
    assert_eq!(
        failed,
        [&ServerEvent::AuthFailed {
            mechanism: Some(Mechanism::ScramSha512Plus),
            authcid: Some("romeo".to_owned()),
            condition: SaslCondition::NotAuthorized,
            error: SaslError::AuthenticationFailed,
        }]
    );
}
