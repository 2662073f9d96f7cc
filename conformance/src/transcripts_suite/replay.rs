//! The replay engine: feeds the peer's units of a transcript to one of our
//! connections (cut as a [`Plan`] says), takes what it writes apart into units and
//! compares them with the transcript's, issuing the application's commands where the
//! transcript shows our side acting on its own (sending a stanza, closing).

use std::collections::VecDeque;
use std::time::Instant;

use xmpp_core::{
    ClientCommand, ClientConnection, CloseReason, Connection, Output, ServerCommand,
    ServerConnection, ServerEvent, TlsInfo,
};
use xmpp_jid::FullJid;
use xmpp_sasl::{Account, CredentialAnswer, InsecureSeededEntropy};
use xmpp_stanza::{Bind, IqPayload, Stanza, StanzaErrorCondition, StreamError, ns};

use super::compare::{self, IdMap, Payloads, Writer};
use super::parse::{self, Dir, Kind, Unit};
use super::scram::ScramPeer;
use crate::pair::render;
use crate::pair::router::ASSIGNED_RESOURCE;

/// Our connection under test.
pub enum Side {
    /// The client role: the transcript's `S:` units are its input.
    Client(Box<ClientConnection>),
    /// The server role: the transcript's `C:` units are its input.
    Server(Box<ServerConnection>),
}

/// A connection ready for the transcript, and what the replay needs to know.
pub struct Setup {
    pub side: Side,
    pub now: Instant,
    /// Bytes our side wrote during a preamble that the transcript's first units show.
    pub initial_output: Vec<u8>,
    /// What the fake TLS layer reports.
    pub tls: TlsInfo,
    /// Whether TLS is already up (for the client header rule).
    pub tls_up: bool,
    /// The account the server's credential requests are answered with (`None`:
    /// unknown user).
    pub account: Option<Account>,
    /// Server role: recomputes the client's SCRAM messages for our server's nonce.
    pub scram: Option<ScramPeer>,
}

/// How the peer's bytes are cut into `handle_input` calls.
#[derive(Clone, Copy, Debug)]
pub enum Plan {
    /// Each turn (run of consecutive peer units) in one call.
    Whole,
    /// As `Whole`, but the turn holding byte `k` of the peer's stream is cut there.
    SplitAt(usize),
    /// Every turn cut into pieces of 1 to 40 bytes drawn from this seed.
    Random(u64),
}

/// What a replay produced.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Everything our side wrote.
    pub output: Vec<u8>,
    /// Its events, rendered.
    pub events: Vec<String>,
    /// How it closed, if it did.
    pub closed: Option<CloseReason>,
    /// The comparison's verdict.
    pub result: Result<(), String>,
    /// Bytes of peer input fed.
    pub peer_bytes: usize,
    /// Our units the transcript did not show (written after its end).
    pub leftover: Vec<String>,
}

struct Engine {
    setup: Setup,
    plan: Plan,
    rng: InsecureSeededEntropy,
    payloads: Payloads,
    ours: VecDeque<Unit>,
    output: Vec<u8>,
    pending_text: Vec<u8>,
    events: Vec<String>,
    closed: Option<CloseReason>,
    ids: IdMap,
    fed: usize,
    bind_answer: Option<Result<FullJid, StanzaErrorCondition>>,
}

/// Replays `units` against the setup's connection.
pub fn replay(setup: Setup, units: &[Unit], plan: Plan, payloads: Payloads) -> Outcome {
    let seed = match plan {
        Plan::Random(s) => s,
        _ => 1,
    };
    let mut engine = Engine {
        pending_text: setup.initial_output.clone(),
        output: setup.initial_output.clone(),
        setup,
        plan,
        rng: InsecureSeededEntropy::new(seed),
        payloads,
        ours: VecDeque::new(),
        events: Vec::new(),
        closed: None,
        ids: IdMap::default(),
        fed: 0,
        bind_answer: None,
    };
    let result = engine.run(units);
    if let Side::Client(c) = &mut engine.setup.side {
        super::scram::store_cache(c.take_salted_password_cache());
    }
    let leftover = engine.ours.iter().map(|u| u.text.clone()).collect();
    Outcome {
        output: engine.output,
        events: engine.events,
        closed: engine.closed,
        result,
        peer_bytes: engine.fed,
        leftover,
    }
}

impl Engine {
    fn ours_dir(&self) -> Dir {
        match self.setup.side {
            Side::Client(_) => Dir::C,
            Side::Server(_) => Dir::S,
        }
    }

    fn run(&mut self, units: &[Unit]) -> Result<(), String> {
        self.drain()?;
        let mut i = 0;
        while i < units.len() {
            let unit = &units[i];
            if matches!(unit.kind, Kind::Text) {
                i += 1;
                continue;
            }
            if unit.dir != self.ours_dir() {
                let end = (i..units.len())
                    .find(|&j| units[j].dir == self.ours_dir())
                    .unwrap_or(units.len());
                self.look_ahead(&units[end..]);
                let mut turn = Vec::new();
                for u in &units[i..end] {
                    turn.extend_from_slice(self.peer_text(u)?.as_bytes());
                }
                self.feed(&turn);
                self.drain()?;
                i = end;
                continue;
            }
            if self.ours.is_empty() {
                self.command_for(unit)?;
                self.drain()?;
            }
            let Some(ours) = self.ours.pop_front() else {
                return Err(format!(
                    "expected our side to send {}, it sent nothing (closed: {})",
                    unit.text,
                    render::closed(&self.closed)
                ));
            };
            let writer = match self.setup.side {
                Side::Client(_) => Writer::Client {
                    tls: self.setup.tls_up,
                },
                Side::Server(_) => Writer::Server,
            };
            compare::units(unit, &ours, &mut self.ids, self.payloads, writer).map_err(|why| {
                format!(
                    "{why}\n  expected: {}\n  got:      {}",
                    unit.text, ours.text
                )
            })?;
            if let Some(scram) = &mut self.setup.scram {
                scram.observe(unit, &ours)?;
            }
            i += 1;
        }
        Ok(())
    }

    /// The text fed for a peer unit: ids translated, SCRAM messages recomputed.
    fn peer_text(&mut self, unit: &Unit) -> Result<String, String> {
        if let Some(scram) = &mut self.setup.scram
            && let Some(text) = scram.rewrite(unit)?
        {
            return Ok(text);
        }
        let mut text = unit.text.clone();
        if let Some(id) = unit.element().and_then(|e| e.attr("id")) {
            let ours = self.ids.ours(id);
            if ours != id {
                text = text.replacen(&format!("id='{id}'"), &format!("id='{ours}'"), 1);
            }
        }
        Ok(text)
    }

    /// Remembers how to answer a bind request from the next units our side sends.
    fn look_ahead(&mut self, next: &[Unit]) {
        let ours = self.ours_dir();
        let Some(iq) = next
            .iter()
            .take_while(|u| u.dir == ours)
            .filter_map(Unit::element)
            .find(|e| e.name() == "iq")
        else {
            return;
        };
        let Ok(Stanza::Iq(iq)) = Stanza::try_from(iq.clone()) else {
            return;
        };
        self.bind_answer = match &iq.payload {
            IqPayload::Result(Some(p)) if p.is("bind", ns::XMPP_BIND) => match Bind::try_from(p) {
                Ok(Bind::Result { jid }) => Some(Ok(jid)),
                _ => None,
            },
            IqPayload::Error { error, .. } => Some(Err(error.condition)),
            _ => None,
        };
    }

    fn feed(&mut self, bytes: &[u8]) {
        let now = self.setup.now;
        let start = self.fed;
        self.fed += bytes.len();
        let mut cuts: Vec<usize> = Vec::new();
        match self.plan {
            Plan::Whole => {}
            Plan::SplitAt(k) => {
                if k > start && k < start + bytes.len() {
                    cuts.push(k - start);
                }
            }
            Plan::Random(_) => {
                let mut at = 0;
                loop {
                    let mut b = [0u8; 1];
                    xmpp_sasl::Entropy::fill(&mut self.rng, &mut b);
                    at += 1 + usize::from(b[0] % 40);
                    if at >= bytes.len() {
                        break;
                    }
                    cuts.push(at);
                }
            }
        }
        let mut from = 0;
        for cut in cuts.into_iter().chain(std::iter::once(bytes.len())) {
            let piece = &bytes[from..cut];
            match &mut self.setup.side {
                Side::Client(c) => c.handle_input(now, piece),
                Side::Server(s) => s.handle_input(now, piece),
            }
            from = cut;
        }
    }

    /// The application command that makes our side send `unit`.
    fn command_for(&mut self, unit: &Unit) -> Result<(), String> {
        let now = self.setup.now;
        let result = match (&mut self.setup.side, &unit.kind) {
            (Side::Client(c), Kind::Close) => c.handle_command(now, ClientCommand::Close),
            (Side::Server(s), Kind::Close) => s.handle_command(now, ServerCommand::Close),
            (side, Kind::Element(e)) if e.is("error", ns::STREAM) => {
                let error = StreamError::try_from(e).map_err(|err| err.to_string())?;
                match side {
                    Side::Client(c) => {
                        c.handle_command(now, ClientCommand::CloseWithError(Box::new(error)))
                    }
                    Side::Server(s) => {
                        s.handle_command(now, ServerCommand::CloseWithError(Box::new(error)))
                    }
                }
            }
            (side, Kind::Element(e)) if Stanza::is_stanza(e) => {
                let stanza = Stanza::try_from(e.clone()).map_err(|err| err.to_string())?;
                match side {
                    Side::Client(c) => c.handle_command(now, ClientCommand::send(stanza)),
                    Side::Server(s) => s.handle_command(now, ServerCommand::send(stanza)),
                }
            }
            _ => {
                return Err(format!(
                    "expected our side to send {}, it sent nothing (closed: {})",
                    unit.text,
                    render::closed(&self.closed)
                ));
            }
        };
        result.map_err(|e| format!("command for {}: {e}", unit.text))
    }

    /// Collects our side's output: bytes into units, TLS completed at once, events
    /// recorded and the server's requests answered.
    fn drain(&mut self) -> Result<(), String> {
        for _ in 0..10_000 {
            let now = self.setup.now;
            let output = match &mut self.setup.side {
                Side::Client(c) => match c.poll_output() {
                    Output::Event(e) => {
                        self.events.push(render::client_event(&e));
                        continue;
                    }
                    other => other.map_event(),
                },
                Side::Server(s) => match s.poll_output() {
                    Output::Event(e) => {
                        self.events.push(render::server_event(&e));
                        if let Some(command) = self.answer(&e) {
                            let answered = match &mut self.setup.side {
                                Side::Server(s) => s.handle_command(now, command),
                                Side::Client(_) => Ok(()),
                            };
                            answered.map_err(|err| format!("answering {e:?}: {err}"))?;
                        }
                        continue;
                    }
                    other => other.map_event(),
                },
            };
            match output {
                Drained::Bytes(b) => {
                    self.output.extend_from_slice(&b);
                    self.pending_text.extend_from_slice(&b);
                }
                Drained::StartTls => {
                    let tls = self.setup.tls.clone();
                    self.setup.tls_up = true;
                    match &mut self.setup.side {
                        Side::Client(c) => c.handle_tls_established(now, tls),
                        Side::Server(s) => s.handle_tls_established(now, tls),
                    }
                }
                Drained::Closed(r) => self.closed = Some(r),
                Drained::Wait => break,
            }
        }
        let text = String::from_utf8_lossy(&std::mem::take(&mut self.pending_text)).into_owned();
        let ours = self.ours_dir();
        for (text, kind) in parse::split(&text)? {
            if kind != Kind::Text {
                self.ours.push_back(Unit {
                    dir: ours,
                    text,
                    kind,
                    group: 0,
                });
            }
        }
        Ok(())
    }

    /// The server-side application's answer to a request event.
    fn answer(&mut self, event: &ServerEvent) -> Option<ServerCommand> {
        match event {
            ServerEvent::CredentialsRequested { id, .. } => {
                let answer = match &self.setup.account {
                    Some(a) => CredentialAnswer::Found(a.clone()),
                    None => CredentialAnswer::UnknownUser,
                };
                Some(ServerCommand::ProvideCredentials { id: *id, answer })
            }
            ServerEvent::BindRequested {
                id,
                user,
                requested,
            } => {
                // The transcript's answer, else the requested resource, else one of
                // ours (RFC 6120 §7.6: the server chooses when the client did not).
                let result = self.bind_answer.take().unwrap_or_else(|| match requested {
                    Some(jid) => Ok(jid.clone()),
                    None => user
                        .with_resource(ASSIGNED_RESOURCE)
                        .map_err(|_| StanzaErrorCondition::InternalServerError),
                });
                Some(ServerCommand::Bind { id: *id, result })
            }
            _ => None,
        }
    }
}

/// An output other than an event.
enum Drained {
    Bytes(Vec<u8>),
    StartTls,
    Closed(CloseReason),
    Wait,
}

trait MapEvent {
    fn map_event(self) -> Drained;
}

impl<E> MapEvent for Output<E> {
    fn map_event(self) -> Drained {
        match self {
            Output::Transmit(b) => Drained::Bytes(b),
            Output::StartTls { .. } => Drained::StartTls,
            Output::Closed(r) => Drained::Closed(r),
            Output::Event(_) | Output::Wait(_) => Drained::Wait,
        }
    }
}
