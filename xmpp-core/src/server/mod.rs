//! The receiving entity: [`ServerConnection`] (`jabber:client`), its
//! [`ServerConfig`], events and commands.
//!
//! | module | job |
//! |---|---|
//! | `config` | [`ServerConfig`], [`SaslPolicy`], [`ServerTimeouts`] |
//! | `event` | [`ServerEvent`], [`ServerCommand`], [`RequestId`] |
//! | `transport` | [`ServerTransport`]: how this connection's transport is secured |
//! | `negotiate` | stream headers, features by state, STARTTLS |
//! | `sasl` | the SASL exchange with asynchronous credential lookups |
//! | `bind` | resource binding decided by the application |
//! | `online` | stanzas in (checked, stamped: [`stamp_from`]) and out, close |

mod bind;
mod config;
mod event;
mod negotiate;
mod online;
mod sasl;
mod transport;

use std::sync::Arc;
use std::time::Instant;

use xmpp_jid::{BareJid, FullJid};
use xmpp_sasl::Entropy;
use xmpp_stanza::{Element, StreamError, StreamErrorCondition};

pub use config::{SaslPolicy, ServerConfig, ServerTimeouts};
pub use event::{RequestId, ServerCommand, ServerEvent};
pub use online::stamp_from;
pub use transport::ServerTransport;

use crate::connection::role::Shared;
use crate::connection::wire::{self, Wire};
use crate::connection::{CommandError, Connection, Output, TimerKind, TlsInfo, TlsVersion};
use crate::stream::ReaderConfig;

use negotiate::Phase;

/// The server side of an XMPP client-to-server stream (RFC 6120 receiving entity,
/// `jabber:client`), sans IO: see [`Connection`] for the driving rules.
///
/// It answers the client's stream header, offers features by state and policy,
/// mirrors STARTTLS, runs SASL asking the application for credentials
/// ([`ServerEvent::CredentialsRequested`]), lets the application decide resource
/// binding ([`ServerEvent::BindRequested`]), and then delivers the client's stanzas —
/// checked and stamped with the session's JID — as events and sends stanzas on
/// command.
pub struct ServerConnection {
    wire: Wire<ServerEvent>,
    entropy: Box<dyn Entropy + Send>,
    config: Arc<ServerConfig>,
    phase: Phase,
    /// The TLS connection, once there is one.
    tls: Option<TlsInfo>,
    /// This stream's SASL configuration: the policy's template with the stream's
    /// TLS state and channel-binding data, made when the TLS state is known (on
    /// accept, and again once STARTTLS completes), for the offer and the exchange.
    sasl: xmpp_sasl::ServerConfig,
    /// Whether the transport began as plaintext that STARTTLS must secure
    /// ([`ServerTransport::StartTls`]): then STARTTLS is offered as
    /// mandatory-to-negotiate and SASL waits for it.
    starttls: bool,
    /// The authenticated account.
    user: Option<BareJid>,
    /// The bound JID.
    jid: Option<FullJid>,
    /// Failed authentications that count toward `max_auth_failures`.
    auth_failures: u8,
    /// Mechanisms whose first message was already refused once for its
    /// channel-binding flag alone (such a first refusal is not counted).
    binding_refused: Vec<xmpp_sasl::Mechanism>,
    next_request: u32,
}

impl std::fmt::Debug for ServerConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConnection")
            .field("domain", &self.config.domain)
            .field("phase", &self.phase)
            .field("tls", &self.tls.as_ref().map(|t| t.version))
            .field("user", &self.user)
            .field("jid", &self.jid)
            .finish_non_exhaustive()
    }
}

impl ServerConnection {
    /// A connection accepted at `now`, waiting for the client's stream header.
    /// `config` is the server's, shared by all its connections; `transport` says how
    /// this one connection is secured (STARTTLS to come, or TLS from the first byte
    /// with its handshake result). `entropy` supplies stream ids and SCRAM nonces
    /// (resources the client leaves to the server are chosen by whoever answers
    /// [`ServerEvent::BindRequested`]).
    pub fn new(
        config: Arc<ServerConfig>,
        transport: ServerTransport,
        entropy: Box<dyn Entropy + Send>,
        now: Instant,
    ) -> ServerConnection {
        let reader = ReaderConfig::c2s().with_limits(config.pre_auth_limits);
        let mut wire = Wire::new(
            reader,
            config.timeouts.keepalive,
            config.timeouts.read_idle,
            now,
        );
        wire.timers
            .set_after(TimerKind::Negotiation, now, config.timeouts.negotiation);
        let starttls = matches!(transport, ServerTransport::StartTls);
        let tls = match transport {
            ServerTransport::DirectTls(info) => Some(info),
            ServerTransport::StartTls | ServerTransport::InsecurePlaintext => None,
        };
        let sasl = config.sasl.for_stream(tls.as_ref());
        ServerConnection {
            wire,
            entropy,
            config,
            phase: Phase::AwaitHeader,
            tls,
            sasl,
            starttls,
            user: None,
            jid: None,
            auth_failures: 0,
            binding_refused: Vec::new(),
            next_request: 0,
        }
    }

    /// The authenticated account, once authenticated.
    pub fn user(&self) -> Option<&BareJid> {
        self.user.as_ref()
    }

    /// The bound full JID, once online.
    pub fn jid(&self) -> Option<&FullJid> {
        self.jid.as_ref()
    }

    /// Whether the session is online.
    pub fn is_online(&self) -> bool {
        matches!(self.phase, Phase::Online)
    }

    /// The negotiated TLS version, if the stream is encrypted.
    pub fn tls_version(&self) -> Option<TlsVersion> {
        self.tls.as_ref().map(|t| t.version)
    }

    /// Bytes of heap memory the connection holds in buffers (reader buffer, output
    /// queue) — a lower bound of its footprint, for monitoring.
    pub fn buffered_bytes(&self) -> usize {
        self.wire.heap_bytes()
    }

    /// A fresh request id.
    fn request_id(&mut self) -> RequestId {
        self.next_request = self.next_request.wrapping_add(1);
        RequestId(self.next_request)
    }

    /// Writes an element we built; on the (unexpected) failure to serialize it, the
    /// connection closes. Returns whether it was written.
    fn send_internal(&mut self, now: Instant, element: &Element) -> bool {
        if self.wire.send(now, element).is_ok() {
            return true;
        }
        self.fail_locally(&StreamError::new(StreamErrorCondition::InternalServerError));
        false
    }
}

impl Connection for ServerConnection {
    type Event = ServerEvent;
    type Command = ServerCommand;

    fn handle_input(&mut self, now: Instant, input: &[u8]) {
        wire::feed(self, now, input);
    }

    fn handle_eof(&mut self, _now: Instant) {
        self.on_eof();
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.on_timers(now);
    }

    fn handle_tls_established(&mut self, _now: Instant, info: TlsInfo) {
        if self.wire.is_closed() || !matches!(self.phase, Phase::TlsHandshake) {
            return;
        }
        self.sasl = self.config.sasl.for_stream(Some(&info));
        self.tls = Some(info);
        self.wire.tls_established();
        self.phase = Phase::AwaitHeader;
    }

    fn handle_command(&mut self, now: Instant, command: ServerCommand) -> Result<(), CommandError> {
        if self.wire.is_closed() {
            return Err(CommandError::Closed);
        }
        match command {
            ServerCommand::ProvideCredentials { id, answer } => self.provide(now, id, answer),
            ServerCommand::Bind { id, result } => self.answer_bind(now, id, result),
            ServerCommand::Send(stanza) => self.send_stanza(now, *stanza),
            ServerCommand::Close => self.close(now),
            ServerCommand::CloseWithError(error) => {
                self.fail_locally(&error);
                Ok(())
            }
        }
    }

    fn poll_output(&mut self) -> Output<ServerEvent> {
        self.wire.poll(None)
    }

    fn is_closed(&self) -> bool {
        self.wire.is_closed()
    }
}
