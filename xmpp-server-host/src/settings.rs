//! [`ServerSettings`]: one description of the server from which the router's
//! configuration and the connections' configuration are both derived, so the
//! domain, the SCRAM iteration count and the limits are stated once.

use std::net::SocketAddr;
use std::time::Duration;

use xmpp_core::{Limits as StreamLimits, SaslPolicy, ServerConfig};
use xmpp_jid::BareJid;
use xmpp_sasl::Mechanism;
use xmpp_server::{AuthThrottleConfig, FloodLimit, RouterConfig, RouterLimits};

use crate::error::SettingsError;
use crate::throttle::Rates;

/// Stanzas per second a client may send by default before it is read more slowly.
pub const DEFAULT_STANZA_RATE: u32 = 10_000;
/// Stanzas a client may send at once above the rate, by default.
pub const DEFAULT_STANZA_BURST: u32 = 20_000;
/// Bytes per second a client may send by default before it is read more slowly.
pub const DEFAULT_BYTE_RATE: u32 = 4 * 1024 * 1024;

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
    write_timeout: Duration,
    outbox: usize,
    rates: Rates,
    auth_throttle: AuthThrottleConfig,
    metrics_listen: Option<SocketAddr>,
}

impl ServerSettings {
    /// A server for `domain` listening nowhere yet: 4096 SCRAM iterations, every
    /// SCRAM mechanism and PLAIN after TLS, `-PLUS` with `tls-exporter` on TLS 1.3,
    /// the router's default limits, clients read at most at
    /// [`DEFAULT_STANZA_RATE`] and [`DEFAULT_BYTE_RATE`] (the router closing only at
    /// ten times the stanza rate), 10,000 unauthenticated connections in total and
    /// per address, 10 s for a TLS handshake, 60 s for a write.
    pub fn new(domain: impl Into<String>) -> ServerSettings {
        ServerSettings {
            domain: domain.into(),
            starttls_listen: Vec::new(),
            direct_tls_listen: Vec::new(),
            scram_iterations: 4096,
            mechanisms: None,
            channel_binding: true,
            router_limits: RouterLimits {
                flood: Some(FloodLimit {
                    per_second: DEFAULT_STANZA_RATE * 10,
                    burst: DEFAULT_STANZA_BURST * 10,
                }),
                ..RouterLimits::default()
            },
            max_stanza_bytes: None,
            unauthenticated_total: 10_000,
            unauthenticated_per_address: 10_000,
            tls_timeout: Duration::from_secs(10),
            write_timeout: xmpp_adapter::WRITE_TIMEOUT,
            outbox: 4096,
            rates: Rates {
                stanzas: Some((DEFAULT_STANZA_RATE, DEFAULT_STANZA_BURST)),
                bytes: Some(DEFAULT_BYTE_RATE),
            },
            auth_throttle: AuthThrottleConfig::default(),
            metrics_listen: None,
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

    /// Per-session stanza rate: a client that sends faster is read more slowly
    /// (`None`: unlimited). The router's own limit, which closes the stream with
    /// `policy-violation`, is kept as a backstop at ten times this rate: with the
    /// socket throttled it only fires for what really is abuse.
    pub fn with_flood(mut self, flood: Option<FloodLimit>) -> Self {
        self.rates.stanzas = flood.map(|f| (f.per_second, f.burst));
        self.router_limits.flood = flood.map(|f| FloodLimit {
            per_second: f.per_second.saturating_mul(10),
            burst: f.burst.saturating_mul(10),
        });
        self
    }

    /// Per-session byte rate (`None`: unlimited); bursts of one second.
    pub fn with_byte_rate(mut self, bytes_per_second: Option<u32>) -> Self {
        self.rates.bytes = bytes_per_second;
        self
    }

    /// How long a write may wait for a client that does not read before its
    /// connection fails (60 s by default). Stanzas not written go back to the
    /// router either way.
    pub fn with_write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// The router's bounds on what one account or session may make it hold (its
    /// `flood` limit included: call [`ServerSettings::with_flood`] after this to
    /// derive it from the read rate).
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

    /// How failed authentications slow down further attempts from the same
    /// address or for the same account (the defaults of [`AuthThrottleConfig`]).
    pub fn with_auth_throttle(mut self, config: AuthThrottleConfig) -> Self {
        self.auth_throttle = config;
        self
    }

    /// Serves OpenMetrics at `http://ADDR/metrics` (off by default: `None`).
    pub fn with_metrics_listen(mut self, addr: Option<SocketAddr>) -> Self {
        self.metrics_listen = addr;
        self
    }

    /// The metrics endpoint's address, if any.
    pub fn metrics_listen(&self) -> Option<SocketAddr> {
        self.metrics_listen
    }

    /// The authentication throttle's configuration.
    pub fn auth_throttle(&self) -> &AuthThrottleConfig {
        &self.auth_throttle
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

    /// The per-connection read rates.
    pub fn rates(&self) -> Rates {
        self.rates
    }

    /// The write timeout.
    pub fn write_timeout(&self) -> Duration {
        self.write_timeout
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
        // `-PLUS` wherever TLS gives binding data, TLS 1.2 included: offering it only
        // with each version's default binding would let an attacker who connects
        // with TLS 1.2 make a binding client accept `y` (a downgrade).
        let sasl = sasl
            .with_mechanisms(&mechanisms)
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
