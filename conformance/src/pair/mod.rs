//! An in-memory client/server pair: our `ClientConnection` against our
//! `ServerConnection` on a virtual clock, with seeded entropy, a pass-through fake TLS
//! layer that hands both sides fixed channel-binding bytes, and a small router that
//! answers the server's requests (credentials, binding, roster).
//!
//! Scheduling is chunking-independent by construction: each turn delivers *all*
//! bytes pending in one direction (cut into `chunk`-byte pieces) before the other
//! side's output is collected, so a correct connection produces the same bytes and
//! events whatever the chunk size. The transcript records each turn.
//!
//! | module | job |
//! |---|---|
//! | `router` | the server side's application: accounts, bind policy, IQ answers |
//! | `render` | the transcript split into top-level units, events as short lines |

pub mod render;
pub mod router;

use std::sync::Arc;
use std::time::{Duration, Instant};

use xmpp_core::{
    ClientCommand, ClientConfig, ClientConnection, ClientEvent, CloseReason, Connection, Output,
    ServerCommand, ServerConfig, ServerConnection, ServerEvent, ServerTransport, TlsInfo,
    TlsVersion,
};
use xmpp_sasl::{ChannelBinding, ChannelBindingType, InsecureSeededEntropy};

pub use router::Router;

/// SCRAM iteration count of the pair's accounts: low, accepted by the client only
/// through xmpp-sasl's explicit test option (`insecure_min_iterations_for_tests`).
pub const TEST_ITERATIONS: u32 = 64;

/// The fake TLS layer's fixed channel-binding data.
pub fn fake_tls() -> TlsInfo {
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

/// Who sent a turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Client to server.
    C2s,
    /// Server to client.
    S2c,
}

/// One entry of the transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Turn {
    /// Bytes delivered in one direction.
    Bytes(Dir, Vec<u8>),
    /// Both sides completed the (fake) TLS handshake.
    Tls,
    /// The virtual clock moved on by this much.
    Time(Duration),
}

/// A byte rewriter between the two sides (to inject or strip data).
pub type Rewrite = Box<dyn FnMut(&[u8]) -> Vec<u8>>;

/// The pair and everything it saw.
pub struct Pair {
    pub client: ClientConnection,
    pub server: ServerConnection,
    pub router: Router,
    /// Bytes per `handle_input` call.
    pub chunk: usize,
    base: Instant,
    /// Virtual time since the start.
    pub elapsed: Duration,
    pub client_events: Vec<ClientEvent>,
    pub server_events: Vec<ServerEvent>,
    pub client_closed: Option<CloseReason>,
    pub server_closed: Option<CloseReason>,
    /// Whether a side asked for TLS (`StartTls` output) since the last handshake.
    client_tls: bool,
    server_tls: bool,
    /// How many `StartTls` outputs each side produced in all.
    pub client_starttls_count: usize,
    pub transcript: Vec<Turn>,
    c2s: Vec<u8>,
    s2c: Vec<u8>,
    /// Whether bytes reach the other side (false: dropped, as by a dead link).
    pub connected: bool,
    /// Rewrites applied to each direction's bytes before delivery.
    pub rewrite_c2s: Option<Rewrite>,
    pub rewrite_s2c: Option<Rewrite>,
    /// What the fake TLS layer reports to each side.
    pub client_tls_info: TlsInfo,
    pub server_tls_info: TlsInfo,
}

impl Pair {
    /// A pair created at virtual time zero, the server's transport awaiting
    /// STARTTLS; entropy seeded with `seed` (client) and `seed + 1` (server).
    pub fn new(client: ClientConfig, server: ServerConfig, router: Router, seed: u64) -> Pair {
        Pair::with_transport(client, server, ServerTransport::StartTls, router, seed)
    }

    /// [`Pair::new`] with the server's transport security given.
    pub fn with_transport(
        client: ClientConfig,
        server: ServerConfig,
        transport: ServerTransport,
        router: Router,
        seed: u64,
    ) -> Pair {
        let base = Instant::now();
        let client =
            ClientConnection::new(client, Box::new(InsecureSeededEntropy::new(seed)), base);
        let client = match client {
            Ok(c) => c,
            // The harness builds valid configurations; a refusal is a harness bug.
            Err(e) => unreachable_config(e),
        };
        let server = ServerConnection::new(
            Arc::new(server),
            transport,
            Box::new(InsecureSeededEntropy::new(seed.wrapping_add(1))),
            base,
        );
        Pair {
            client,
            server,
            router,
            chunk: usize::MAX,
            base,
            elapsed: Duration::ZERO,
            client_events: Vec::new(),
            server_events: Vec::new(),
            client_closed: None,
            server_closed: None,
            client_tls: false,
            server_tls: false,
            client_starttls_count: 0,
            transcript: Vec::new(),
            c2s: Vec::new(),
            s2c: Vec::new(),
            connected: true,
            rewrite_c2s: None,
            rewrite_s2c: None,
            client_tls_info: fake_tls(),
            server_tls_info: fake_tls(),
        }
    }

    /// The current virtual instant.
    pub fn now(&self) -> Instant {
        self.base + self.elapsed
    }

    fn drain_client(&mut self) {
        loop {
            match self.client.poll_output() {
                Output::Transmit(bytes) => self.c2s.extend_from_slice(&bytes),
                Output::StartTls { .. } => {
                    self.client_tls = true;
                    self.client_starttls_count += 1;
                }
                Output::Event(e) => self.client_events.push(e),
                Output::Closed(reason) => self.client_closed = Some(reason),
                Output::Wait(_) => return,
            }
        }
    }

    fn drain_server(&mut self) {
        loop {
            match self.server.poll_output() {
                Output::Transmit(bytes) => self.s2c.extend_from_slice(&bytes),
                Output::StartTls { .. } => self.server_tls = true,
                Output::Event(e) => {
                    let now = self.now();
                    for command in self.router.answer(&e) {
                        // A refused answer is recorded as the router's error.
                        if let Err(err) = self.server.handle_command(now, command) {
                            self.router.errors.push(err);
                        }
                    }
                    self.server_events.push(e);
                }
                Output::Closed(reason) => self.server_closed = Some(reason),
                Output::Wait(_) => return,
            }
        }
    }

    /// Delivers everything pending in `dir`; returns whether anything was pending.
    fn deliver(&mut self, dir: Dir) -> bool {
        let pending = match dir {
            Dir::C2s => std::mem::take(&mut self.c2s),
            Dir::S2c => std::mem::take(&mut self.s2c),
        };
        if pending.is_empty() {
            return false;
        }
        let rewrite = match dir {
            Dir::C2s => self.rewrite_c2s.as_mut(),
            Dir::S2c => self.rewrite_s2c.as_mut(),
        };
        let bytes = match rewrite {
            Some(f) => f(&pending),
            None => pending,
        };
        if !self.connected || bytes.is_empty() {
            return true;
        }
        let now = self.now();
        for piece in bytes.chunks(self.chunk.max(1)) {
            match dir {
                Dir::C2s => self.server.handle_input(now, piece),
                Dir::S2c => self.client.handle_input(now, piece),
            }
        }
        self.transcript.push(Turn::Bytes(dir, bytes));
        true
    }

    /// Runs until neither side has anything more to do (bounded).
    pub fn run(&mut self) {
        for _ in 0..100_000 {
            self.drain_client();
            if self.deliver(Dir::C2s) {
                continue;
            }
            self.drain_server();
            if self.deliver(Dir::S2c) {
                continue;
            }
            if self.client_tls && self.server_tls {
                self.client_tls = false;
                self.server_tls = false;
                let now = self.now();
                self.transcript.push(Turn::Tls);
                self.server
                    .handle_tls_established(now, self.server_tls_info.clone());
                self.client
                    .handle_tls_established(now, self.client_tls_info.clone());
                continue;
            }
            return;
        }
    }

    /// Moves the virtual clock on by `by`, fires due timers on both sides, runs.
    pub fn advance(&mut self, by: Duration) {
        self.elapsed += by;
        self.transcript.push(Turn::Time(by));
        let now = self.now();
        self.client.handle_timeout(now);
        self.server.handle_timeout(now);
        self.run();
    }

    /// A client command, then run; the command's own result.
    pub fn client_command(
        &mut self,
        command: ClientCommand,
    ) -> Result<(), xmpp_core::CommandError> {
        let result = self.client.handle_command(self.now(), command);
        self.run();
        result
    }

    /// A server command, then run; the command's own result.
    pub fn server_command(
        &mut self,
        command: ServerCommand,
    ) -> Result<(), xmpp_core::CommandError> {
        let result = self.server.handle_command(self.now(), command);
        self.run();
        result
    }

    /// The transport breaks: the side `to` reads end-of-file.
    pub fn eof(&mut self, to: Dir) {
        let now = self.now();
        match to {
            Dir::C2s => self.server.handle_eof(now),
            Dir::S2c => self.client.handle_eof(now),
        }
        self.run();
    }

    /// Whether the client reported `Online`.
    pub fn client_online(&self) -> bool {
        self.client_events
            .iter()
            .any(|e| matches!(e, ClientEvent::Online { .. }))
    }

    /// All bytes that crossed in `dir`.
    pub fn bytes(&self, dir: Dir) -> Vec<u8> {
        let mut all = Vec::new();
        for turn in &self.transcript {
            if let Turn::Bytes(d, b) = turn
                && *d == dir
            {
                all.extend_from_slice(b);
            }
        }
        all
    }
}

#[cold]
fn unreachable_config(e: xmpp_core::ConfigError) -> ClientConnection {
    eprintln!("internal error: the harness built an invalid client configuration: {e}");
    std::process::exit(2)
}
