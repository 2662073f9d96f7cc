//! The initiating entity: [`ClientConnection`], its [`ClientConfig`], events and
//! commands.
//!
//! | module | job |
//! |---|---|
//! | `config` | [`ClientConfig`], [`TlsMode`], [`ClientTimeouts`] |
//! | `event` | [`ClientEvent`], [`ClientCommand`], [`IqResponse`] |
//! | `negotiate` | stream header, features, STARTTLS, binding, legacy session |
//! | `sasl` | the SASL exchange and the channel-binding fallback |
//! | `online` | stanzas in and out, IQ tracking, close |
//! | `iq` | the table of IQ requests in flight |

mod config;
mod event;
mod iq;
mod negotiate;
mod online;
mod sasl;

use std::time::Instant;

use xmpp_jid::FullJid;
use xmpp_sasl::{Entropy, SaltedPasswordCache};
use xmpp_stanza::{Element, StreamError, StreamErrorCondition};

pub use config::{ClientConfig, ClientTimeouts, ResourceConflict, TlsMode};
pub use event::{ClientCommand, ClientEvent, IqResponse};

use crate::connection::role::Shared;
use crate::connection::wire::{self, Wire};
use crate::connection::{
    CloseReason, CommandError, ConfigError, Connection, Output, TimerKind, TlsInfo, TlsVersion,
};
use crate::stream::ReaderConfig;

use iq::IqTracker;
use negotiate::Phase;

/// The client side of an XMPP client-to-server stream (RFC 6120 initiating entity),
/// sans IO: see [`Connection`] for the driving rules and the
/// [crate documentation](crate) for a complete loop.
///
/// From construction it opens the stream and negotiates on its own — STARTTLS (handing
/// the handshake to the caller with [`Output::StartTls`]), SASL, resource binding and,
/// where the server requires it, the legacy session — and then reports
/// [`ClientEvent::Online`]. Afterwards it sends stanzas on command, delivers the
/// server's as events, matches IQ responses to requests, keeps the stream alive with
/// whitespace, and closes it gracefully.
pub struct ClientConnection {
    wire: Wire<ClientEvent>,
    entropy: Box<dyn Entropy + Send>,
    config: Box<ClientConfig>,
    phase: Phase,
    /// The TLS connection, once there is one; its channel-binding data is dropped
    /// after authentication.
    tls: Option<TlsInfo>,
    authenticated: bool,
    /// The bound JID.
    jid: Option<FullJid>,
    iqs: IqTracker,
    /// Stanzas the server sent after authentication and before the session was
    /// online (bounded by [`ClientConfig::with_max_stanzas_before_online`]).
    early_stanzas: usize,
}

impl std::fmt::Debug for ClientConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConnection")
            .field("account", &self.config.jid)
            .field("phase", &self.phase)
            .field("tls", &self.tls.as_ref().map(|t| t.version))
            .field("authenticated", &self.authenticated)
            .field("jid", &self.jid)
            .field("pending_iqs", &self.iqs.len())
            .finish_non_exhaustive()
    }
}

impl ClientConnection {
    /// A client that starts negotiating at `now`: its stream header is the first
    /// output. `entropy` supplies every random byte (SCRAM nonces, stanza ids); give an
    /// OS-backed source outside tests.
    ///
    /// Fails if the requested resource is not a valid resourcepart.
    pub fn new(
        config: ClientConfig,
        entropy: Box<dyn Entropy + Send>,
        now: Instant,
    ) -> Result<ClientConnection, ConfigError> {
        if let Some(resource) = &config.resource {
            config
                .jid
                .with_resource(resource)
                .map_err(|_| ConfigError::InvalidResource)?;
        }
        let reader = ReaderConfig::c2s().with_limits(config.limits);
        let mut wire = Wire::new(
            reader,
            config.timeouts.keepalive,
            config.timeouts.read_idle,
            now,
        );
        wire.timers
            .set_after(TimerKind::Negotiation, now, config.timeouts.negotiation);
        let tls = match &config.tls {
            TlsMode::DirectTls(info) => Some(info.clone()),
            _ => None,
        };
        let mut client = ClientConnection {
            wire,
            entropy,
            config: Box::new(config),
            phase: Phase::AwaitHeader,
            tls,
            authenticated: false,
            jid: None,
            iqs: IqTracker::default(),
            early_stanzas: 0,
        };
        client.open_stream(now);
        Ok(client)
    }

    /// The bound full JID, once online.
    pub fn jid(&self) -> Option<&FullJid> {
        self.jid.as_ref()
    }

    /// Whether the session is online (stanzas may be sent).
    pub fn is_online(&self) -> bool {
        matches!(self.phase, Phase::Online)
    }

    /// The negotiated TLS version, if the stream is encrypted.
    pub fn tls_version(&self) -> Option<TlsVersion> {
        self.tls.as_ref().map(|t| t.version)
    }

    /// Number of IQ requests waiting for a response.
    pub fn pending_iqs(&self) -> usize {
        self.iqs.len()
    }

    /// Takes the salted-password cache (with this login's entry, once authenticated),
    /// to hand to the next connection's [`ClientConfig::with_salted_password_cache`].
    pub fn take_salted_password_cache(&mut self) -> SaltedPasswordCache {
        std::mem::take(&mut self.config.cache)
    }

    /// Bytes of heap memory the connection itself holds in buffers (reader buffer,
    /// output queue, IQ table) — a lower bound of its footprint, for monitoring.
    pub fn buffered_bytes(&self) -> usize {
        self.wire.heap_bytes() + self.iqs.heap_bytes()
    }

    /// The domain we connect to.
    fn domain(&self) -> &str {
        self.config.jid.domain()
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

    /// Ends the negotiation without a stream error: closes our stream and reports
    /// `reason` (the server is not at fault in a way a stream error could express).
    fn give_up(&mut self, reason: CloseReason) {
        self.wire.close_stream();
        self.wire.finish(reason);
    }
}

impl Connection for ClientConnection {
    type Event = ClientEvent;
    type Command = ClientCommand;

    fn handle_input(&mut self, now: Instant, input: &[u8]) {
        wire::feed(self, now, input);
    }

    fn handle_eof(&mut self, _now: Instant) {
        self.on_eof();
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.on_timers(now);
        while !self.wire.is_closed() {
            let Some(id) = self.iqs.take_expired(now) else {
                break;
            };
            self.wire.event(ClientEvent::IqResponse {
                id,
                response: IqResponse::Timeout,
            });
        }
    }

    fn handle_tls_established(&mut self, now: Instant, info: TlsInfo) {
        if self.wire.is_closed() || !matches!(self.phase, Phase::TlsHandshake) {
            return;
        }
        self.tls = Some(info);
        self.wire.tls_established();
        self.phase = Phase::AwaitHeader;
        self.open_stream(now);
    }

    fn handle_command(&mut self, now: Instant, command: ClientCommand) -> Result<(), CommandError> {
        match command {
            ClientCommand::Send(stanza) => self.send_stanza(now, *stanza, None),
            ClientCommand::SendIq { iq, timeout } => {
                self.send_stanza(now, xmpp_stanza::Stanza::Iq(*iq), timeout)
            }
            ClientCommand::Close => self.close(now),
            ClientCommand::CloseWithError(error) => self.close_with_error(*error),
        }
    }

    fn poll_output(&mut self) -> Output<ClientEvent> {
        let extra = self.iqs.earliest();
        self.wire.poll(extra)
    }

    fn is_closed(&self) -> bool {
        self.wire.is_closed()
    }
}
