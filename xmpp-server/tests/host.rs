//! The [`Host`] glue end to end in memory: real `ClientConnection`s talk to real
//! `ServerConnection`s (fake TLS with fixed channel-binding data), and the host maps
//! the server connections' events to the router and its actions back to commands.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Instant;

use xmpp_core::{
    ClientCommand, ClientConfig, ClientConnection, ClientEvent, CloseReason, Connection,
    IqResponse, Output, RequestId, SaslPolicy, ServerCommand, ServerConfig, ServerConnection,
    ServerEvent, ServerTransport, TlsInfo, TlsVersion,
};
use xmpp_jid::{BareJid, Jid};
use xmpp_sasl::scram::ScramClientOptions;
use xmpp_sasl::{ChannelBinding, ChannelBindingType, InsecureSeededEntropy, Mechanism, Password};
use xmpp_server::{Action, Change, Host, Router, RouterConfig, SessionId, Timestamp};
use xmpp_stanza::{Iq, IqPayload, Message, Presence, Stanza, StreamErrorCondition};

const DOMAIN: &str = "example.com";
const ITERATIONS: u32 = 64;

fn fake_tls() -> TlsInfo {
    TlsInfo::new(TlsVersion::Tls13)
        .with_channel_binding(ChannelBinding::new(
            ChannelBindingType::TlsExporter,
            vec![0x42; 32],
        ))
        .with_channel_binding(ChannelBinding::new(
            ChannelBindingType::TlsServerEndPoint,
            vec![0x17; 32],
        ))
}

/// One client connection and the server connection it talks to.
struct Link {
    session: SessionId,
    client: ClientConnection,
    server: ServerConnection,
    client_events: Vec<ClientEvent>,
    client_closed: Option<CloseReason>,
    server_closed: Option<CloseReason>,
    c2s: Vec<u8>,
    s2c: Vec<u8>,
    client_tls: bool,
    server_tls: bool,
    reported_closed: bool,
}

struct World {
    host: Host<InsecureSeededEntropy>,
    config: Arc<ServerConfig>,
    links: Vec<Link>,
    now: Instant,
    persisted: Vec<Change>,
    /// Every action in order: `persist` or `send`/`other` with the session.
    order: Vec<String>,
    /// Commands a connection refused (expected only for closed connections).
    refused: usize,
    seed: u64,
}

impl World {
    fn new() -> World {
        let mut config = RouterConfig::new(BareJid::new(DOMAIN).unwrap());
        config.scram_iterations = ITERATIONS;
        let mut host = Host::new(Router::new(config, InsecureSeededEntropy::new(7)));
        for (user, pw) in [("alice", "pw-alice"), ("bob", "pw-bob")] {
            host.router_mut()
                .create_account(user, &Password::new(pw))
                .unwrap();
        }
        let server = ServerConfig::new(DOMAIN)
            .unwrap()
            .with_sasl(SaslPolicy::default().with_scram_iterations(ITERATIONS))
            .with_bind_features(Host::<InsecureSeededEntropy>::bind_features());
        let mut world = World {
            host,
            config: Arc::new(server),
            links: Vec::new(),
            now: Instant::now(),
            persisted: Vec::new(),
            order: Vec::new(),
            refused: 0,
            seed: 100,
        };
        world.run();
        world
    }

    /// Connects `jid` (bare, or full to ask for that resource) with `password`;
    /// returns the link's index.
    fn connect(&mut self, jid: &str, password: &str) -> usize {
        let jid = Jid::new(jid).unwrap();
        let mut config = ClientConfig::new(jid.to_bare(), password)
            .unwrap()
            .with_scram_options(
                ScramClientOptions::new().insecure_min_iterations_for_tests(ITERATIONS),
            );
        if let Some(resource) = jid.resource() {
            config = config.with_resource(resource);
        }
        self.seed += 2;
        let client = ClientConnection::new(
            config,
            Box::new(InsecureSeededEntropy::new(self.seed)),
            self.now,
        )
        .unwrap();
        let server = ServerConnection::new(
            self.config.clone(),
            ServerTransport::StartTls,
            Box::new(InsecureSeededEntropy::new(self.seed + 1)),
            self.now,
        );
        let session = SessionId(self.links.len() as u64 + 1);
        self.host.handle_open(self.now, session).unwrap();
        self.links.push(Link {
            session,
            client,
            server,
            client_events: Vec::new(),
            client_closed: None,
            server_closed: None,
            c2s: Vec::new(),
            s2c: Vec::new(),
            client_tls: false,
            server_tls: false,
            reported_closed: false,
        });
        self.run();
        self.links.len() - 1
    }

    /// Moves bytes, events and actions until nothing moves.
    fn run(&mut self) {
        let wall = Timestamp::from_unix_millis(1_700_000_000_000);
        for _ in 0..10_000 {
            let mut moved = false;
            for link in &mut self.links {
                loop {
                    match link.client.poll_output() {
                        Output::Transmit(b) => link.c2s.extend(b),
                        Output::StartTls { .. } => link.client_tls = true,
                        Output::Event(e) => link.client_events.push(e),
                        Output::Closed(r) => link.client_closed = Some(r),
                        Output::Wait(_) => break,
                    }
                }
                loop {
                    match link.server.poll_output() {
                        Output::Transmit(b) => link.s2c.extend(b),
                        Output::StartTls { .. } => link.server_tls = true,
                        Output::Event(e) => {
                            self.host
                                .handle_event(self.now, wall, link.session, e)
                                .unwrap();
                            moved = true;
                        }
                        Output::Closed(r) => link.server_closed = Some(r),
                        Output::Wait(_) => break,
                    }
                }
                if link.server_closed.is_some() && !link.reported_closed {
                    link.reported_closed = true;
                    self.host.handle_closed(self.now, link.session).unwrap();
                    moved = true;
                }
                if !link.c2s.is_empty() {
                    let bytes = std::mem::take(&mut link.c2s);
                    link.server.handle_input(self.now, &bytes);
                    moved = true;
                }
                if !link.s2c.is_empty() {
                    let bytes = std::mem::take(&mut link.s2c);
                    link.client.handle_input(self.now, &bytes);
                    moved = true;
                }
                if link.client_tls && link.server_tls {
                    (link.client_tls, link.server_tls) = (false, false);
                    link.server.handle_tls_established(self.now, fake_tls());
                    link.client.handle_tls_established(self.now, fake_tls());
                    moved = true;
                }
            }
            while let Some(action) = self.host.poll_output() {
                moved = true;
                match action {
                    Action::Persist(change) => {
                        self.order.push("persist".into());
                        self.persisted.push(*change);
                    }
                    Action::Command { session, command } => {
                        let kind = match &command {
                            ServerCommand::Send(_) => "send",
                            _ => "other",
                        };
                        self.order.push(format!("{kind} {}", session.0));
                        let link = self.links.iter_mut().find(|l| l.session == session);
                        let link = link.expect("a command for a session the host opened");
                        if link.server.handle_command(self.now, command).is_err() {
                            self.refused += 1;
                        }
                    }
                    other => panic!("unexpected action {other:?}"),
                }
            }
            if !moved {
                return;
            }
        }
        panic!("the world did not settle");
    }

    fn send(&mut self, link: usize, stanza: impl Into<Stanza>) {
        self.links[link]
            .client
            .handle_command(self.now, ClientCommand::send(stanza))
            .unwrap();
        self.run();
    }

    /// Stanzas the client received (and forgets them).
    fn received(&mut self, link: usize) -> Vec<Stanza> {
        let events = std::mem::take(&mut self.links[link].client_events);
        events
            .into_iter()
            .filter_map(|e| match e {
                ClientEvent::Stanza(s) => Some(*s),
                _ => None,
            })
            .collect()
    }

    fn online_jid(&self, link: usize) -> Option<String> {
        self.links[link].client_events.iter().find_map(|e| match e {
            ClientEvent::Online { jid, .. } => Some(jid.to_string()),
            _ => None,
        })
    }

    fn mechanism(&self, link: usize) -> Option<Mechanism> {
        self.links[link].client_events.iter().find_map(|e| match e {
            ClientEvent::Authenticated { mechanism } => Some(*mechanism),
            _ => None,
        })
    }
}

fn chat(to: &str, body: &str) -> Message {
    Message::chat(Jid::new(to).unwrap(), body)
}

fn bodies(stanzas: &[Stanza]) -> Vec<(String, String)> {
    stanzas
        .iter()
        .filter_map(|s| match s {
            Stanza::Message(m) => Some((
                m.from.as_ref().map(|f| f.to_string()).unwrap_or_default(),
                m.body().unwrap_or_default().to_owned(),
            )),
            _ => None,
        })
        .collect()
}

#[test]
fn two_clients_log_in_with_plus_and_exchange_messages() {
    let mut w = World::new();
    let a = w.connect("alice@example.com/home", "pw-alice");
    let b = w.connect("bob@example.com", "pw-bob");
    assert_eq!(w.online_jid(a).as_deref(), Some("alice@example.com/home"));
    // Bob asked for no resource: the router chose one.
    let bob = w.online_jid(b).unwrap();
    assert!(bob.starts_with("bob@example.com/") && bob.len() > "bob@example.com/".len());
    assert_eq!(w.mechanism(a), Some(Mechanism::ScramSha512Plus));

    w.send(a, chat(&bob, "hello bob"));
    assert_eq!(
        bodies(&w.received(b)),
        [("alice@example.com/home".to_owned(), "hello bob".to_owned())]
    );
    // A message to a bare JID waits offline until the user is available.
    w.send(b, chat("alice@example.com", "hi alice"));
    assert_eq!(bodies(&w.received(a)), []);
    assert!(
        w.persisted
            .iter()
            .any(|c| matches!(c, Change::OfflineStored { .. }))
    );
    w.send(a, Presence::available());
    assert_eq!(
        bodies(&w.received(a)),
        [(bob.clone(), "hi alice".to_owned())]
    );
    assert!(
        w.persisted
            .iter()
            .any(|c| matches!(c, Change::OfflineDeleted { .. }))
    );
    assert_eq!(w.refused, 0);
}

#[test]
fn subscription_and_roster_changes_are_persisted_before_the_answer() {
    let mut w = World::new();
    let a = w.connect("alice@example.com/home", "pw-alice");
    let _b = w.connect("bob@example.com/work", "pw-bob");
    let before = w.persisted.len();
    let mut subscribe = Presence::of_type(xmpp_stanza::PresenceType::Subscribe);
    subscribe.to = Some(Jid::new("bob@example.com").unwrap());
    w.send(a, subscribe);
    let changes = &w.persisted[before..];
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, Change::RosterItemSet { .. })),
        "{changes:?}"
    );
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, Change::PendingInSet { .. })),
        "{changes:?}"
    );
    // A roster get is answered by the router, with the pending item.
    let get = Iq::new("r1", IqPayload::Get(xmpp_stanza::Roster::default().into()));
    w.send(a, get);
    let events = std::mem::take(&mut w.links[a].client_events);
    let answer = events.iter().find_map(|e| match e {
        ClientEvent::IqResponse {
            id,
            response: IqResponse::Result(iq),
        } if id.as_str() == "r1" => Some(iq.clone()),
        _ => None,
    });
    let roster = answer
        .and_then(|iq| match iq.payload {
            IqPayload::Result(Some(query)) => xmpp_stanza::Roster::try_from(&query).ok(),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{events:?}"));
    assert_eq!(roster.items.len(), 1);
    assert_eq!(roster.items[0].jid.as_str(), "bob@example.com");

    // A roster set: the change is an action before the push and the result.
    let mut item = xmpp_stanza::RosterItem::new(Jid::new("carol@example.com").unwrap());
    item.name = Some("Carol".into());
    let roster = xmpp_stanza::Roster {
        items: vec![item],
        ..Default::default()
    };
    w.order.clear();
    w.send(a, Iq::new("r2", IqPayload::Set(roster.into())));
    let session = w.links[a].session.0;
    assert_eq!(
        w.order,
        [
            "persist".to_owned(),
            format!("send {session}"),
            format!("send {session}")
        ]
    );
}

#[test]
fn a_new_session_for_the_same_resource_replaces_the_old_one() {
    let mut w = World::new();
    let first = w.connect("alice@example.com/home", "pw-alice");
    let second = w.connect("alice@example.com/home", "pw-alice");
    assert_eq!(
        w.online_jid(second).as_deref(),
        Some("alice@example.com/home")
    );
    let closed = w.links[first].client_closed.clone();
    assert!(
        matches!(&closed, Some(CloseReason::PeerError(e)) if e.condition == StreamErrorCondition::Conflict),
        "{closed:?}"
    );
    // The old session's close reached the router: only one session is left.
    assert_eq!(w.host.router().session_count(), 1);
}

#[test]
fn a_wrong_password_is_refused_and_leaves_nothing_pending() {
    let mut w = World::new();
    let link = w.connect("alice@example.com", "wrong");
    assert_eq!(w.online_jid(link), None);
    let closed = w.links[link].client_closed.clone();
    assert!(
        matches!(&closed, Some(CloseReason::AuthFailed(_))),
        "{closed:?}"
    );
    // The client gave up; its connection's close reached the router.
    assert_eq!(w.host.router().session_count(), 0);
    assert!(w.host.poll_output().is_none());
}

#[test]
fn the_connections_request_id_comes_back_unchanged_unless_the_session_closed() {
    let mut w = World::new();
    let wall = Timestamp::from_unix_millis(1_700_000_000_000);
    let request = |n| ServerEvent::CredentialsRequested {
        id: RequestId::from_raw(n),
        mechanism: Mechanism::ScramSha256,
        authcid: "alice".into(),
        authzid: None,
    };
    // Two sessions whose connections both numbered their request 7: one id space,
    // keyed by session, with no translation in between.
    for session in [SessionId(50), SessionId(51)] {
        w.host.handle_open(w.now, session).unwrap();
        w.host
            .handle_event(w.now, wall, session, request(7))
            .unwrap();
        match w.host.poll_output() {
            Some(Action::Command {
                session: s,
                command: ServerCommand::ProvideCredentials { id, .. },
            }) => assert_eq!((s, id), (session, RequestId::from_raw(7))),
            other => panic!("{other:?}"),
        }
        assert!(w.host.poll_output().is_none());
    }
    // A session reported closed before its answer was polled gets none.
    let session = SessionId(52);
    w.host.handle_open(w.now, session).unwrap();
    w.host
        .handle_event(w.now, wall, session, request(1))
        .unwrap();
    w.host.handle_closed(w.now, session).unwrap();
    assert!(w.host.poll_output().is_none());
}

#[test]
fn closing_broadcasts_unavailable_and_forgets_the_session() {
    let mut w = World::new();
    let a = w.connect("alice@example.com/home", "pw-alice");
    let b = w.connect("bob@example.com/work", "pw-bob");
    // Directed presence from bob to alice: alice learns when bob leaves.
    let mut directed = Presence::available();
    directed.to = Some(Jid::new("alice@example.com/home").unwrap());
    w.send(b, directed);
    w.received(a);
    let now = w.now;
    w.links[b]
        .client
        .handle_command(now, ClientCommand::Close)
        .unwrap();
    w.run();
    assert_eq!(w.links[b].client_closed, Some(CloseReason::Local));
    let got = w.received(a);
    assert!(
        got.iter().any(|s| matches!(s, Stanza::Presence(p)
            if p.kind == Some(xmpp_stanza::PresenceType::Unavailable))),
        "{got:?}"
    );
    assert_eq!(w.host.router().session_count(), 1);
}

#[test]
fn bind_features_name_what_the_router_implements() {
    let names: Vec<String> = Host::<InsecureSeededEntropy>::bind_features()
        .iter()
        .map(|e| format!("{}:{}", e.name(), e.ns().as_str()))
        .collect();
    assert_eq!(
        names,
        [
            "ver:urn:xmpp:features:rosterver",
            "sub:urn:xmpp:features:pre-approval"
        ]
    );
}
