//! [`ServerSettings`]: one description of the server from which the router's
//! configuration and the connections' configuration are both derived, so the
//! domain, the SCRAM iteration count and the limits are stated once.

use std::net::SocketAddr;
use std::time::Duration;

use xmpp_core::{Limits as StreamLimits, SaslPolicy, ServerConfig};
use xmpp_jid::BareJid;
use xmpp_sasl::Mechanism;
use xmpp_server::{FloodLimit, Limits as RouterLimits, RouterConfig};

use crate::error::SettingsError;

/// Everything the host needs to know about the server it runs, with defaults that
/// work with real clients.
///
/// ```
/// use xmpp_server_host::ServerSettings;
/// let settings = ServerSettings::new("example.test")
///     .with_starttls_listen(vec!["127.0.0.1:5222".parse().unwrap()])
///     .with_scram_iterations(4096);
/// assert_eq!(settings.router_config().unwrap().scram_iterations, 4096);
/// assert_eq!(settings.connection_config([7; 32]).unwrap().domain(), "example.test");
/// ```
#[derive(Clone, Debug)]
pub struct ServerSettings {
    domain: String,
    starttls_listen: Vec<SocketAddr>,
    direct_tls_listen: Vec<SocketAddr>,
    scram_iterations: u32,
    mechanisms: Option<Vec<Mechanism>>,
    channel_binding: bool,
    router_limits: RouterLimits,
    max_stanza_bytes: Option<usize>,
    unauthenticated_total: usize,
    unauthenticated_per_address: usize,
    tls_timeout: Duration,
    outbox: usize,
}

impl ServerSettings {
    /// A server for `domain` listening nowhere yet: 4096 SCRAM iterations, every
    /// SCRAM mechanism and PLAIN after TLS, `-PLUS` with `tls-exporter` on TLS 1.3,
    /// the router's default limits, 10,000 unauthenticated connections in total and
    /// per address, 10 s for a TLS handshake.
    pub fn new(domain: impl Into<String>) -> ServerSettings {
        ServerSettings {
            domain: domain.into(),
            starttls_listen: Vec::new(),
            direct_tls_listen: Vec::new(),
            scram_iterations: 4096,
            mechanisms: None,
            channel_binding: true,
            router_limits: RouterLimits::default(),
            max_stanza_bytes: None,
            unauthenticated_total: 10_000,
            unauthenticated_per_address: 10_000,
            tls_timeout: Duration::from_secs(10),
            outbox: 4096,
        }
    }

    /// Addresses where clients connect and negotiate STARTTLS (RFC 6120 §5; port
    /// 5222 by convention).
    pub fn with_starttls_listen(mut self, addrs: Vec<SocketAddr>) -> Self {
        self.starttls_listen = addrs;
        self
    }

    /// Addresses where clients speak TLS from the first byte (XEP-0368; port 5223
    /// by convention).
    pub fn with_direct_tls_listen(mut self, addrs: Vec<SocketAddr>) -> Self {
        self.direct_tls_listen = addrs;
        self
    }

    /// PBKDF2 iterations of SCRAM keys derived for new passwords (RFC 7677: at
    /// least 4096).
    pub fn with_scram_iterations(mut self, iterations: u32) -> Self {
        self.scram_iterations = iterations;
        self
    }

    /// Offers only these SASL mechanisms (`None`: the default set).
    pub fn with_mechanisms(mut self, mechanisms: Option<Vec<Mechanism>>) -> Self {
        self.mechanisms = mechanisms;
        self
    }

    /// Whether SCRAM `-PLUS` is offered where the TLS layer gives the default
    /// channel binding of its version (`tls-exporter` on TLS 1.3, RFC 9266).
    pub fn with_channel_binding(mut self, on: bool) -> Self {
        self.channel_binding = on;
        self
    }

    /// Per-session stanza rate (`None`: unlimited).
    pub fn with_flood(mut self, flood: Option<FloodLimit>) -> Self {
        self.router_limits.flood = flood;
        self
    }

    /// The router's bounds on what one account or session may make it hold.
    pub fn with_router_limits(mut self, limits: RouterLimits) -> Self {
        self.router_limits = limits;
        self
    }

    /// The largest stanza a client may send after authentication (`None`: the
    /// core's default, 256 KiB).
    pub fn with_max_stanza_bytes(mut self, bytes: Option<usize>) -> Self {
        self.max_stanza_bytes = bytes;
        self
    }

    /// Connections not yet authenticated: at most `total` at once, and at most
    /// `per_address` from one IP address. Beyond either, new connections are closed
    /// at once.
    pub fn with_unauthenticated_limits(mut self, total: usize, per_address: usize) -> Self {
        self.unauthenticated_total = total;
        self.unauthenticated_per_address = per_address;
        self
    }

    /// Time allowed for a TLS handshake.
    pub fn with_tls_timeout(mut self, timeout: Duration) -> Self {
        self.tls_timeout = timeout;
        self
    }

    /// Commands that may wait for one connection; a connection whose queue is full
    /// (a client that does not read) is closed with `resource-constraint`.
    pub fn with_outbox(mut self, commands: usize) -> Self {
        self.outbox = commands.max(1);
        self
    }

    /// The domain served.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The STARTTLS listen addresses.
    pub fn starttls_listen(&self) -> &[SocketAddr] {
        &self.starttls_listen
    }

    /// The direct-TLS listen addresses.
    pub fn direct_tls_listen(&self) -> &[SocketAddr] {
        &self.direct_tls_listen
    }

    /// The unauthenticated-connection bounds: (total, per address).
    pub fn unauthenticated_limits(&self) -> (usize, usize) {
        (self.unauthenticated_total, self.unauthenticated_per_address)
    }

    /// The TLS handshake timeout.
    pub fn tls_timeout(&self) -> Duration {
        self.tls_timeout
    }

    /// The per-connection command queue bound.
    pub fn outbox(&self) -> usize {
        self.outbox
    }

    /// The served domain as a JID.
    fn domain_jid(&self) -> Result<BareJid, SettingsError> {
        match BareJid::new(&self.domain) {
            Ok(jid) if jid.node().is_none() => Ok(jid),
            _ => Err(SettingsError::Domain(self.domain.clone())),
        }
    }

    /// The router's configuration.
    pub fn router_config(&self) -> Result<RouterConfig, SettingsError> {
        if self.scram_iterations == 0 {
            return Err(SettingsError::ScramIterations);
        }
        let mut config = RouterConfig::new(self.domain_jid()?);
        config.scram_iterations = self.scram_iterations;
        config.limits = self.router_limits.clone();
        Ok(config)
    }

    /// The configuration every client connection shares; `decoy` keys the fake
    /// SCRAM salts of unknown accounts (RFC 5802 §9: answer them like known ones),
    /// drawn once per server start.
    pub fn connection_config(&self, decoy: [u8; 32]) -> Result<ServerConfig, SettingsError> {
        let mut sasl = SaslPolicy::default();
        let mut mechanisms = self.mechanisms.clone().unwrap_or_else(|| {
            Mechanism::ALL
                .into_iter()
                .filter(|m| *m != Mechanism::DigestMd5)
                .collect()
        });
        if !self.channel_binding {
            mechanisms.retain(|m| !m.is_plus());
        }
        if mechanisms.is_empty() {
            return Err(SettingsError::NoMechanism);
        }
        if mechanisms.contains(&Mechanism::DigestMd5) {
            sasl = sasl.enable_historic_digest_md5();
        }
        let sasl = sasl
            .with_mechanisms(&mechanisms)
            .plus_only_with_default_binding()
            .with_scram_iterations(self.scram_iterations)
            .with_decoy_secret(decoy);
        let mut config = ServerConfig::new(&self.domain)
            .map_err(|_| SettingsError::Domain(self.domain.clone()))?
            .with_sasl(sasl)
            .with_bind_features(xmpp_server::bind_features());
        if let Some(bytes) = self.max_stanza_bytes {
            config = config.with_limits(StreamLimits::c2s().with_max_stanza_bytes(bytes));
        }
        Ok(config)
    }
}
