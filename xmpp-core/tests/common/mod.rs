//! An in-memory client/server pair for the connection tests: a virtual clock,
//! seeded entropy, a pass-through "TLS" layer with fixed channel-binding bytes, and
//! a scheduler that delivers each direction completely before turning to the other.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use xmpp_core::{
    ClientConfig, ClientConnection, ClientEvent, CloseReason, Connection, Output, SaslPolicy,
    ServerCommand, ServerConfig, ServerConnection, ServerEvent, ServerTransport, TlsInfo,
    TlsVersion,
};
use xmpp_jid::BareJid;
use xmpp_sasl::scram::{ScramClientOptions, ScramHash, ScramKeys};
use xmpp_sasl::{
    Account, ChannelBinding, ChannelBindingType, CredentialAnswer, InsecureSeededEntropy, Password,
};

/// Iterations for test keys: low, allowed only through xmpp-sasl's explicit test
/// option.
pub const ITERATIONS: u32 = 16;
pub const PASSWORD: &str = "r0m30myr0m30";

/// The fake TLS layer's result: fixed channel-binding bytes.
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

/// The account juliet with SCRAM keys for every hash and the password (for PLAIN and
/// DIGEST-MD5).
pub fn account(password: &str) -> Account {
    let pw = Password::new(password);
    let salt = b"pair-test-salt-1";
    let mut account = Account::with_password(pw.clone());
    for hash in [ScramHash::Sha1, ScramHash::Sha256, ScramHash::Sha512] {
        account = account.and_scram_keys(ScramKeys::derive(hash, &pw, salt, ITERATIONS).unwrap());
    }
    account
}

pub fn client_config() -> ClientConfig {
    ClientConfig::new(BareJid::new("juliet@example.com").unwrap(), PASSWORD)
        .unwrap()
        .with_resource("balcony")
        .with_scram_options(ScramClientOptions::new().insecure_min_iterations_for_tests(ITERATIONS))
}

pub fn server_config() -> ServerConfig {
    ServerConfig::new("example.com")
        .unwrap()
        .with_sasl(SaslPolicy::default().with_scram_iterations(ITERATIONS))
}

/// How the server side answers requests.
pub struct Answers {
    pub password: String,
    /// Bind answer: `None` accepts the requested JID.
    pub bind_error: Option<xmpp_stanza::StanzaErrorCondition>,
    /// Answer only the first n bind requests with the error.
    pub bind_errors_left: usize,
}

impl Default for Answers {
    fn default() -> Self {
        Answers {
            password: PASSWORD.to_owned(),
            bind_error: None,
            bind_errors_left: 0,
        }
    }
}

pub struct Pair {
    pub client: ClientConnection,
    pub server: ServerConnection,
    pub now: Instant,
    pub chunk: usize,
    pub answers: Answers,
    pub client_events: Vec<ClientEvent>,
    pub server_events: Vec<ServerEvent>,
    pub client_closed: Option<CloseReason>,
    pub server_closed: Option<CloseReason>,
    /// Everything each side transmitted, in order.
    pub c2s_log: Vec<u8>,
    pub s2c_log: Vec<u8>,
    c2s: Vec<u8>,
    s2c: Vec<u8>,
    client_tls: bool,
    server_tls: bool,
    /// Whether the transport delivers (false: bytes are dropped, to test timeouts).
    pub connected: bool,
}

impl Pair {
    pub fn new(client: ClientConfig, server: ServerConfig, seed: u64) -> Pair {
        let now = Instant::now();
        let client =
            ClientConnection::new(client, Box::new(InsecureSeededEntropy::new(seed)), now).unwrap();
        let server = ServerConnection::new(
            Arc::new(server),
            ServerTransport::StartTls,
            Box::new(InsecureSeededEntropy::new(seed.wrapping_add(1))),
            now,
        );
        Pair {
            client,
            server,
            now,
            chunk: usize::MAX,
            answers: Answers::default(),
            client_events: Vec::new(),
            server_events: Vec::new(),
            client_closed: None,
            server_closed: None,
            c2s_log: Vec::new(),
            s2c_log: Vec::new(),
            c2s: Vec::new(),
            s2c: Vec::new(),
            client_tls: false,
            server_tls: false,
            connected: true,
        }
    }

    fn drain_client(&mut self) {
        loop {
            match self.client.poll_output() {
                Output::Transmit(b) => {
                    self.c2s_log.extend_from_slice(&b);
                    if self.connected {
                        self.c2s.extend_from_slice(&b);
                    }
                }
                Output::StartTls { .. } => self.client_tls = true,
                Output::Event(e) => self.client_events.push(e),
                Output::Closed(r) => self.client_closed = Some(r),
                Output::Wait(_) => return,
            }
        }
    }

    fn drain_server(&mut self) {
        loop {
            match self.server.poll_output() {
                Output::Transmit(b) => {
                    self.s2c_log.extend_from_slice(&b);
                    if self.connected {
                        self.s2c.extend_from_slice(&b);
                    }
                }
                Output::StartTls { .. } => self.server_tls = true,
                Output::Event(e) => {
                    self.answer(&e);
                    self.server_events.push(e);
                }
                Output::Closed(r) => self.server_closed = Some(r),
                Output::Wait(_) => return,
            }
        }
    }

    fn answer(&mut self, event: &ServerEvent) {
        let now = self.now;
        match event {
            ServerEvent::CredentialsRequested { id, authcid, .. } => {
                let answer = if authcid == "juliet" {
                    CredentialAnswer::Found(account(&self.answers.password))
                } else {
                    CredentialAnswer::UnknownUser
                };
                self.server
                    .handle_command(now, ServerCommand::ProvideCredentials { id: *id, answer })
                    .unwrap();
            }
            ServerEvent::BindRequested {
                id,
                user,
                requested,
            } => {
                let result = match self.answers.bind_error {
                    Some(c) if self.answers.bind_errors_left > 0 => {
                        self.answers.bind_errors_left -= 1;
                        Err(c)
                    }
                    // The client left the resource to us (RFC 6120 §7.6): choose one.
                    _ => Ok(requested
                        .clone()
                        .unwrap_or_else(|| user.with_resource("assigned").unwrap())),
                };
                self.server
                    .handle_command(now, ServerCommand::Bind { id: *id, result })
                    .unwrap();
            }
            _ => {}
        }
    }

    fn deliver(&mut self, to_server: bool) {
        let bytes = std::mem::take(if to_server {
            &mut self.c2s
        } else {
            &mut self.s2c
        });
        let chunk = self.chunk.max(1);
        for piece in bytes.chunks(chunk) {
            if to_server {
                self.server.handle_input(self.now, piece);
            } else {
                self.client.handle_input(self.now, piece);
            }
        }
    }

    /// Runs until neither side has anything to do.
    pub fn run(&mut self) {
        for _ in 0..10_000 {
            self.drain_client();
            self.drain_server();
            if !self.c2s.is_empty() {
                self.deliver(true);
                continue;
            }
            if !self.s2c.is_empty() {
                self.deliver(false);
                continue;
            }
            if self.client_tls && self.server_tls {
                self.client_tls = false;
                self.server_tls = false;
                self.server.handle_tls_established(self.now, fake_tls());
                self.client.handle_tls_established(self.now, fake_tls());
                continue;
            }
            return;
        }
        panic!("pair did not settle");
    }

    /// Advances the virtual clock by `d`, firing due timers, and runs.
    pub fn advance(&mut self, d: Duration) {
        self.now += d;
        self.client.handle_timeout(self.now);
        self.server.handle_timeout(self.now);
        self.run();
    }

    pub fn client_command(&mut self, c: xmpp_core::ClientCommand) {
        self.client.handle_command(self.now, c).unwrap();
        self.run();
    }

    pub fn server_command(&mut self, c: ServerCommand) {
        self.server.handle_command(self.now, c).unwrap();
        self.run();
    }

    pub fn client_online(&self) -> bool {
        self.client_events
            .iter()
            .any(|e| matches!(e, ClientEvent::Online { .. }))
    }
}
