//! The connections' public API, driven with raw bytes: output order, deadlines,
//! terminal close, configuration errors, asynchronous answers and their misuse.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use xmpp_core::*;
use xmpp_jid::{BareJid, FullJid};
use xmpp_sasl::{Account, CredentialAnswer, InsecureSeededEntropy};
use xmpp_stanza::{Stanza, StanzaErrorCondition};

const HEADER: &str = "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' \
    xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
/// PLAIN for juliet / r0m30myr0m30.
const AUTH: &str = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMG15cjBtMzA=</auth>";

/// Everything a connection put out until `Wait`.
struct Drained<E> {
    bytes: String,
    events: Vec<E>,
    start_tls: Vec<(TlsRole, String)>,
    closed: Option<CloseReason>,
    wait: Option<Instant>,
    /// The kinds in order: 'T'ransmit, 'S'tartTls, 'E'vent, 'C'losed.
    order: String,
}

fn drain<C: Connection>(c: &mut C) -> Drained<C::Event> {
    let mut d = Drained {
        bytes: String::new(),
        events: Vec::new(),
        start_tls: Vec::new(),
        closed: None,
        wait: None,
        order: String::new(),
    };
    loop {
        match c.poll_output() {
            Output::Transmit(b) => {
                d.order.push('T');
                d.bytes.push_str(&String::from_utf8(b).unwrap());
            }
            Output::StartTls { role, server_name } => {
                d.order.push('S');
                d.start_tls.push((role, server_name.to_string()));
            }
            Output::Event(e) => {
                d.order.push('E');
                d.events.push(e);
            }
            Output::Closed(r) => {
                d.order.push('C');
                d.closed = Some(r);
            }
            Output::Wait(w) => {
                d.wait = w;
                return d;
            }
        }
    }
}

fn server(transport: ServerTransport, now: Instant) -> ServerConnection {
    let config = ServerConfig::new("example.com").unwrap();
    ServerConnection::new(
        Arc::new(config),
        transport,
        Box::new(InsecureSeededEntropy::new(1)),
        now,
    )
}

fn direct_tls() -> ServerTransport {
    ServerTransport::DirectTls(TlsInfo::new(TlsVersion::Tls13))
}

/// A server over direct TLS with juliet authenticated and (optionally) bound.
fn server_authenticated(now: Instant) -> ServerConnection {
    let mut s = server(direct_tls(), now);
    s.handle_input(now, format!("{HEADER}{AUTH}").as_bytes());
    let d = drain(&mut s);
    let Some(ServerEvent::CredentialsRequested { id, authcid, .. }) = d.events.first() else {
        panic!("{:?}", d.events)
    };
    assert_eq!(authcid, "juliet");
    let answer = CredentialAnswer::Found(Account::with_password("r0m30myr0m30"));
    s.handle_command(now, ServerCommand::ProvideCredentials { id: *id, answer })
        .unwrap();
    let d = drain(&mut s);
    assert!(d.bytes.starts_with("<success"), "{}", d.bytes);
    s.handle_input(now, HEADER.as_bytes());
    let d = drain(&mut s);
    assert!(
        d.bytes
            .contains("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>")
    );
    s
}

fn bind_request(s: &mut ServerConnection, now: Instant) -> (RequestId, FullJid) {
    s.handle_input(
        now,
        b"<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>balcony</resource></bind></iq>",
    );
    let d = drain(s);
    match d.events.as_slice() {
        [
            ServerEvent::BindRequested {
                id,
                user,
                requested: Some(jid),
            },
        ] if jid.to_bare() == *user => (*id, jid.clone()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_client_opens_at_once_and_reports_its_deadline() {
    let now = Instant::now();
    let config = ClientConfig::new(BareJid::new("juliet@example.com").unwrap(), "pw").unwrap();
    let mut client =
        ClientConnection::new(config, Box::new(InsecureSeededEntropy::new(1)), now).unwrap();
    let d = drain(&mut client);
    assert_eq!(d.order, "T");
    assert!(d.bytes.contains("to='example.com'"));
    assert!(
        !d.bytes.contains("from="),
        "no from before TLS: {}",
        d.bytes
    );
    assert_eq!(d.wait, Some(now + Duration::from_secs(60)));
    assert!(!client.is_online());
    assert_eq!(
        client.handle_command(now, ClientCommand::send(xmpp_stanza::Presence::available())),
        Err(CommandError::NotOnline)
    );
}

#[test]
fn configuration_errors() {
    let domain_only = BareJid::new("example.com").unwrap();
    assert_eq!(
        ClientConfig::new(domain_only, "pw").err(),
        Some(ConfigError::NoLocalpart)
    );
    let config = ClientConfig::new(BareJid::new("juliet@example.com").unwrap(), "pw")
        .unwrap()
        .with_resource("bad\u{7}resource");
    let made = ClientConnection::new(
        config,
        Box::new(InsecureSeededEntropy::new(1)),
        Instant::now(),
    );
    assert_eq!(made.err(), Some(ConfigError::InvalidResource));
    assert_eq!(
        ServerConfig::new("juliet@example.com").err(),
        Some(ConfigError::InvalidDomain)
    );
    assert_eq!(
        ServerConfig::new("exa mple.com").err(),
        Some(ConfigError::InvalidDomain)
    );
}

#[test]
fn start_tls_comes_after_the_proceed_bytes_and_plaintext_after_it_is_refused() {
    let now = Instant::now();
    let mut s = server(ServerTransport::StartTls, now);
    s.handle_input(now, HEADER.as_bytes());
    let d = drain(&mut s);
    assert!(
        d.bytes
            .contains("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>")
    );
    assert!(
        !d.bytes.contains("<mechanisms"),
        "nothing but STARTTLS before TLS"
    );
    s.handle_input(now, b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    let d = drain(&mut s);
    assert_eq!(d.order, "TS");
    assert_eq!(
        d.bytes,
        "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
    );
    assert_eq!(d.start_tls, [(TlsRole::Server, "example.com".to_owned())]);
    // Plaintext before the handshake completes: abandoned without a word.
    s.handle_input(now, b"<iq type='get' id='x'/>");
    let d = drain(&mut s);
    assert_eq!(d.order, "C");
    assert_eq!(
        d.closed,
        Some(CloseReason::Violation(Violation::PlaintextBeforeTls))
    );
}

#[test]
fn closed_is_terminal() {
    let now = Instant::now();
    let mut s = server(ServerTransport::StartTls, now);
    s.handle_input(now, b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'><foo/>");
    let d = drain(&mut s);
    assert!(d.bytes.ends_with("</stream:stream>"));
    assert!(matches!(
        d.closed,
        Some(CloseReason::Violation(Violation::Read(_)))
    ));
    assert!(s.is_closed());
    s.handle_input(now, HEADER.as_bytes());
    s.handle_timeout(now + Duration::from_secs(3600));
    s.handle_eof(now);
    let d = drain(&mut s);
    assert_eq!((d.order.as_str(), d.wait), ("", None));
    assert_eq!(
        s.handle_command(now, ServerCommand::Close),
        Err(CommandError::Closed)
    );
}

#[test]
fn credentials_may_be_answered_later_and_stale_answers_are_refused() {
    let now = Instant::now();
    let mut s = server(direct_tls(), now);
    s.handle_input(now, format!("{HEADER}{AUTH}").as_bytes());
    let d = drain(&mut s);
    let Some(ServerEvent::CredentialsRequested { id, .. }) = d.events.first().cloned() else {
        panic!()
    };
    // The client gives up while the lookup runs.
    s.handle_input(now, b"<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
    let d = drain(&mut s);
    assert!(d.bytes.contains("<aborted/>"), "{}", d.bytes);
    let late = CredentialAnswer::Found(Account::with_password("r0m30myr0m30"));
    assert_eq!(
        s.handle_command(now, ServerCommand::ProvideCredentials { id, answer: late }),
        Err(CommandError::UnknownRequest)
    );
    // A second try, answered an hour later (no timer runs meanwhile but the
    // negotiation one, which here is a minute: so answer within it).
    s.handle_input(now, AUTH.as_bytes());
    let d = drain(&mut s);
    let Some(ServerEvent::CredentialsRequested { id, .. }) = d.events.first().cloned() else {
        panic!()
    };
    let later = now + Duration::from_secs(30);
    s.handle_timeout(later);
    assert!(drain(&mut s).closed.is_none());
    let answer = CredentialAnswer::Found(Account::with_password("r0m30myr0m30"));
    s.handle_command(later, ServerCommand::ProvideCredentials { id, answer })
        .unwrap();
    let d = drain(&mut s);
    assert!(d.bytes.starts_with("<success"));
    assert!(matches!(
        d.events.as_slice(),
        [ServerEvent::Authenticated { .. }]
    ));
}

#[test]
fn binding_is_the_applications_decision() {
    let now = Instant::now();
    let mut s = server_authenticated(now);
    let (id, jid) = bind_request(&mut s, now);
    assert_eq!(jid.as_str(), "juliet@example.com/balcony");
    let romeo = FullJid::new("romeo@example.net/orchard").unwrap();
    assert_eq!(
        s.handle_command(
            now,
            ServerCommand::Bind {
                id,
                result: Ok(romeo)
            }
        ),
        Err(CommandError::ForeignJid)
    );
    s.handle_command(
        now,
        ServerCommand::Bind {
            id,
            result: Err(StanzaErrorCondition::Conflict),
        },
    )
    .unwrap();
    let d = drain(&mut s);
    assert!(
        d.bytes
            .contains("<conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>")
    );
    assert_eq!(
        s.handle_command(
            now,
            ServerCommand::Bind {
                id,
                result: Ok(jid.clone())
            }
        ),
        Err(CommandError::UnknownRequest)
    );
    // The client tries again; the server assigns another resource of the same user.
    let (id, _) = bind_request(&mut s, now);
    let other = FullJid::new("juliet@example.com/other").unwrap();
    s.handle_command(
        now,
        ServerCommand::Bind {
            id,
            result: Ok(other.clone()),
        },
    )
    .unwrap();
    let d = drain(&mut s);
    assert!(
        d.bytes.contains("<jid>juliet@example.com/other</jid>"),
        "{}",
        d.bytes
    );
    assert_eq!(d.events, [ServerEvent::Online { jid: other.clone() }]);
    assert_eq!(s.jid(), Some(&other));
}

#[test]
fn a_resource_left_to_the_server_is_chosen_by_the_answer_and_a_bad_one_refused() {
    let now = Instant::now();
    let mut s = server_authenticated(now);
    // RFC 6120 §7.7.2.1: a resourcepart that does not prepare is answered by the
    // connection itself, and the application hears nothing of it.
    let too_long = "r".repeat(1024); // over the 1023 bytes a resourcepart may have
    let bind = format!(
        "<iq type='set' id='b0'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
         <resource>{too_long}</resource></bind></iq>"
    );
    s.handle_input(now, bind.as_bytes());
    let d = drain(&mut s);
    assert!(d.events.is_empty(), "{:?}", d.events);
    assert!(
        d.bytes.contains("id='b0'") && d.bytes.contains("<bad-request"),
        "{}",
        d.bytes
    );
    // §7.6: no resource asked for; the connection draws none, the answer chooses.
    s.handle_input(
        now,
        b"<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>",
    );
    let d = drain(&mut s);
    let [
        ServerEvent::BindRequested {
            id,
            user,
            requested: None,
        },
    ] = d.events.as_slice()
    else {
        panic!("{:?}", d.events)
    };
    assert_eq!(user.as_str(), "juliet@example.com");
    let chosen = user.with_resource("chosen").unwrap();
    s.handle_command(
        now,
        ServerCommand::Bind {
            id: *id,
            result: Ok(chosen.clone()),
        },
    )
    .unwrap();
    let d = drain(&mut s);
    assert!(
        d.bytes.contains("<jid>juliet@example.com/chosen</jid>"),
        "{}",
        d.bytes
    );
    assert_eq!(d.events, [ServerEvent::Online { jid: chosen }]);
}

#[test]
fn the_server_stamps_from_and_answers_the_legacy_session() {
    let now = Instant::now();
    let mut s = server_authenticated(now);
    let (id, jid) = bind_request(&mut s, now);
    s.handle_command(
        now,
        ServerCommand::Bind {
            id,
            result: Ok(jid),
        },
    )
    .unwrap();
    drain(&mut s);
    s.handle_input(
        now,
        b"<iq type='set' id='sess'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>\
          <message to='romeo@example.net'><body>hi</body></message>\
          <message from='juliet@example.com' to='romeo@example.net'><body>bare from is fine</body></message>\
          <iq type='get' id='q' to='example.com'/>",
    );
    let d = drain(&mut s);
    assert!(
        d.bytes.contains("<iq id='sess' type='result'/>"),
        "{}",
        d.bytes
    );
    // The invalid IQ (no payload) was answered with bad-request, not reported.
    assert!(
        d.bytes
            .contains("<bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"),
        "{}",
        d.bytes
    );
    assert_eq!(d.events.len(), 2);
    for e in &d.events {
        let ServerEvent::Stanza(s) = e else { panic!() };
        let Stanza::Message(m) = &**s else { panic!() };
        assert_eq!(
            m.from.as_ref().unwrap().as_str(),
            "juliet@example.com/balcony"
        );
    }
}

#[test]
fn wait_reports_the_earliest_deadline() {
    let now = Instant::now();
    let mut s = server_authenticated(now);
    let d = drain(&mut s);
    assert_eq!(
        d.wait,
        Some(now + Duration::from_secs(60)),
        "negotiation timer"
    );
    let (id, jid) = bind_request(&mut s, now);
    let later = now + Duration::from_secs(5);
    s.handle_command(
        later,
        ServerCommand::Bind {
            id,
            result: Ok(jid),
        },
    )
    .unwrap();
    let d = drain(&mut s);
    assert_eq!(
        d.wait, None,
        "online, no keepalive or read-idle timer by default"
    );
    s.handle_command(later, ServerCommand::Close).unwrap();
    let d = drain(&mut s);
    assert!(d.bytes.ends_with("</stream:stream>"));
    assert_eq!(
        d.wait,
        Some(later + Duration::from_secs(10)),
        "close handshake"
    );
    s.handle_timeout(later + Duration::from_secs(10));
    assert_eq!(
        drain(&mut s).closed,
        Some(CloseReason::Timeout(TimerKind::CloseHandshake))
    );
}

#[test]
fn bind_features_are_advertised_after_authentication_only() {
    let now = Instant::now();
    let ver = xmpp_stanza::Element::new(
        "ver",
        xmpp_stanza::Namespace::from_static("urn:xmpp:features:rosterver"),
    );
    let config = ServerConfig::new("example.com")
        .unwrap()
        .with_bind_features(vec![ver]);
    let mut s = ServerConnection::new(
        Arc::new(config),
        direct_tls(),
        Box::new(InsecureSeededEntropy::new(1)),
        now,
    );
    s.handle_input(now, HEADER.as_bytes());
    let before = drain(&mut s).bytes;
    assert!(
        before.contains("<mechanisms") && !before.contains("rosterver"),
        "{before}"
    );
    s.handle_input(now, AUTH.as_bytes());
    let d = drain(&mut s);
    let Some(ServerEvent::CredentialsRequested { id, .. }) = d.events.first() else {
        panic!("{:?}", d.events)
    };
    let answer = CredentialAnswer::Found(Account::with_password("r0m30myr0m30"));
    s.handle_command(now, ServerCommand::ProvideCredentials { id: *id, answer })
        .unwrap();
    drain(&mut s);
    s.handle_input(now, HEADER.as_bytes());
    let after = drain(&mut s).bytes;
    assert!(
        after.contains("<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>")
            && after.contains("<ver xmlns='urn:xmpp:features:rosterver'/>"),
        "{after}"
    );
}

#[test]
fn whitespace_after_starttls_and_proceed_is_not_injection() {
    // go-sendxmpp writes "<starttls .../>\n" in one go: the newline is whitespace
    // between elements (RFC 6120 §11.7), not plaintext pipelined before TLS.
    let now = Instant::now();
    let mut s = server(ServerTransport::StartTls, now);
    s.handle_input(now, HEADER.as_bytes());
    drain(&mut s);
    s.handle_input(
        now,
        b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\n \r\n",
    );
    let d = drain(&mut s);
    assert_eq!(d.order, "TS", "{:?}", d.closed);
    // More whitespace in a later read is ignored too; anything else is refused.
    s.handle_input(now, b"\n");
    assert_eq!(drain(&mut s).order, "");
    s.handle_input(now, b"\n<iq/>");
    assert_eq!(
        drain(&mut s).closed,
        Some(CloseReason::Violation(Violation::PlaintextBeforeTls))
    );
    // Whitespace then a command in the same read is still an injection.
    let mut s = server(ServerTransport::StartTls, now);
    s.handle_input(now, HEADER.as_bytes());
    drain(&mut s);
    s.handle_input(
        now,
        format!("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\n{AUTH}").as_bytes(),
    );
    let d = drain(&mut s);
    assert_eq!(
        d.closed,
        Some(CloseReason::Violation(Violation::PlaintextBeforeTls))
    );
    assert!(!d.bytes.contains("proceed"), "{}", d.bytes);

    // The client side: a newline after <proceed/> is fine.
    let config = ClientConfig::new(BareJid::new("juliet@example.com").unwrap(), "pw").unwrap();
    let mut c =
        ClientConnection::new(config, Box::new(InsecureSeededEntropy::new(2)), now).unwrap();
    drain(&mut c);
    c.handle_input(
        now,
        b"<?xml version='1.0'?><stream:stream from='example.com' id='s1' version='1.0' \
          xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\
          <stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>",
    );
    assert!(drain(&mut c).bytes.contains("<starttls"));
    c.handle_input(
        now,
        b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\r\n",
    );
    let d = drain(&mut c);
    assert_eq!(d.start_tls.len(), 1, "{:?}", d.closed);
    assert_eq!(d.closed, None);
}
