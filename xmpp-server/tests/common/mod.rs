//! A test harness around [`Router`]: accounts, sessions that log in with one call,
//! stanzas sent as XML, and the outputs collected for assertions.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use xmpp_core::RequestId;
use xmpp_jid::{BareJid, FullJid, Jid};
use xmpp_sasl::{InsecureSeededEntropy, Password};
use xmpp_server::{Change, Router, RouterConfig, RouterOutput, SessionId, Timestamp};
use xmpp_stanza::{Element, NsContext, Stanza, parse_element};

pub const DOMAIN: &str = "example.com";

pub struct Harness {
    pub router: Router<InsecureSeededEntropy>,
    pub now: Instant,
    pub wall: Timestamp,
    next_session: u64,
    /// Every `Persist` ever emitted, in order.
    pub log: Vec<Change>,
}

/// The outputs of one step, without the `Persist`s (which go to the log).
#[derive(Debug, Default)]
pub struct Outs {
    pub all: Vec<RouterOutput>,
    pub changes: Vec<Change>,
}

impl Outs {
    /// Stanzas delivered to `session`, as XML.
    pub fn to(&self, session: SessionId) -> Vec<String> {
        self.all
            .iter()
            .filter_map(|o| match o {
                RouterOutput::Deliver { session: s, stanza } if *s == session => Some(xml(stanza)),
                _ => None,
            })
            .collect()
    }

    /// Typed stanzas delivered to `session`.
    pub fn stanzas(&self, session: SessionId) -> Vec<Stanza> {
        self.all
            .iter()
            .filter_map(|o| match o {
                RouterOutput::Deliver { session: s, stanza } if *s == session => {
                    Some(stanza.clone())
                }
                _ => None,
            })
            .collect()
    }

    /// Whether nothing at all was delivered.
    pub fn no_deliveries(&self) -> bool {
        !self
            .all
            .iter()
            .any(|o| matches!(o, RouterOutput::Deliver { .. }))
    }

    /// The sessions closed, with the stream error condition.
    pub fn closes(&self) -> Vec<(SessionId, String)> {
        self.all
            .iter()
            .filter_map(|o| match o {
                RouterOutput::Close { session, error } => {
                    Some((*session, error.condition.name().to_owned()))
                }
                _ => None,
            })
            .collect()
    }

    /// Whether any stanza delivered to `session` contains every fragment.
    pub fn got(&self, session: SessionId, fragments: &[&str]) -> bool {
        self.to(session)
            .iter()
            .any(|x| fragments.iter().all(|f| x.contains(f)))
    }
}

pub fn xml(stanza: &Stanza) -> String {
    Element::from(stanza.clone())
        .to_xml_in(&NsContext::client())
        .unwrap()
}

pub fn bare(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

pub fn jid(s: &str) -> Jid {
    Jid::new(s).unwrap()
}

impl Harness {
    pub fn new() -> Harness {
        Harness::with_config(|_| {})
    }

    pub fn with_config(f: impl FnOnce(&mut RouterConfig)) -> Harness {
        let mut config = RouterConfig::new(bare(DOMAIN));
        // Key derivation is not under test here; keep debug-mode tests fast.
        config.scram_iterations = 2;
        f(&mut config);
        Harness {
            router: Router::new(config, InsecureSeededEntropy::new(7)),
            now: Instant::now(),
            wall: Timestamp::from_unix_millis(1_700_000_000_000),
            next_session: 0,
            log: Vec::new(),
        }
    }

    /// A router loaded from this one's log, as after a restart (sessions are gone).
    pub fn restart(&self) -> Harness {
        let router = Router::load(
            self.router.config().clone(),
            InsecureSeededEntropy::new(8),
            self.log.clone(),
        )
        .unwrap();
        Harness {
            router,
            now: self.now,
            wall: self.wall,
            next_session: self.next_session,
            log: self.log.clone(),
        }
    }

    pub fn drain(&mut self) -> Outs {
        let mut outs = Outs::default();
        while let Some(o) = self.router.poll_output() {
            if let RouterOutput::Persist(c) = &o {
                self.log.push(c.clone());
                outs.changes.push(c.clone());
            }
            outs.all.push(o);
        }
        outs
    }

    pub fn account(&mut self, name: &str) -> BareJid {
        let jid = self
            .router
            .create_account(name, &Password::new(format!("{name}-password")))
            .unwrap();
        self.drain();
        jid
    }

    /// Opens a session, binds `user@domain/resource` and brings it online.
    pub fn login(&mut self, user: &str, resource: &str) -> SessionId {
        let (session, jid) = self.login_bound(user, Some(resource));
        assert_eq!(jid.resource(), resource);
        session
    }

    pub fn login_bound(&mut self, user: &str, resource: Option<&str>) -> (SessionId, FullJid) {
        self.next_session += 1;
        let session = SessionId(self.next_session);
        self.router.open_session(self.now, session).unwrap();
        self.router
            .bind_requested(self.now, session, RequestId::from_raw(1), user, resource)
            .unwrap();
        let outs = self.drain();
        let jid = outs
            .all
            .iter()
            .find_map(|o| match o {
                RouterOutput::Bind {
                    session: s,
                    result: Ok(jid),
                    ..
                } if *s == session => Some(jid.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("bind failed: {outs:?}"));
        self.router.session_online(self.now, session).unwrap();
        (session, jid)
    }

    /// Sends XML (in `jabber:client`) from `session`.
    pub fn send(&mut self, session: SessionId, xml: &str) -> Outs {
        let element = parse_element(xml, &NsContext::client()).unwrap();
        self.now += Duration::from_millis(1);
        self.router
            .element_received(self.now, self.wall, session, element)
            .unwrap();
        self.drain()
    }

    /// Initial presence, draining everything.
    pub fn available(&mut self, session: SessionId) -> Outs {
        self.send(session, "<presence/>")
    }

    /// Roster get (making the session an interested resource).
    pub fn roster_get(&mut self, session: SessionId) -> Outs {
        self.send(
            session,
            "<iq type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>",
        )
    }

    pub fn close(&mut self, session: SessionId) -> Outs {
        self.router.session_closed(self.now, session).unwrap();
        self.drain()
    }

    /// A full mutual subscription between two accounts, driven by their sessions.
    pub fn befriend(&mut self, a: SessionId, a_jid: &str, b: SessionId, b_jid: &str) {
        self.send(a, &format!("<presence to='{b_jid}' type='subscribe'/>"));
        self.send(b, &format!("<presence to='{a_jid}' type='subscribed'/>"));
        self.send(b, &format!("<presence to='{a_jid}' type='subscribe'/>"));
        self.send(a, &format!("<presence to='{b_jid}' type='subscribed'/>"));
    }
}
