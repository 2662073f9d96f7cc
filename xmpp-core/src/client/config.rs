//! [`ClientConfig`]: who the client is, how it secures and authenticates the stream,
//! and its timeouts.

use std::time::Duration;

use xmpp_jid::BareJid;
use xmpp_sasl::scram::ScramClientOptions;
use xmpp_sasl::{ClientPolicy, Password, SaltedPasswordCache};
use xmpp_stanza::CompactStr;

use crate::connection::{ConfigError, TlsInfo};
use crate::stream::Limits;

/// How the client secures the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsMode {
    /// STARTTLS (RFC 6120 §5) must be offered and is negotiated before anything else;
    /// a server that does not offer it is left with
    /// [`CloseReason::TlsNotOffered`](crate::CloseReason::TlsNotOffered). The default.
    StartTlsRequired,
    /// The transport is TLS from the first byte (XEP-0368 direct TLS); the handshake
    /// already completed with this result.
    DirectTls(TlsInfo),
    /// **INSECURE — for tests on loopback only.** Negotiates STARTTLS when the server
    /// offers it and otherwise goes on without TLS, so credentials and stanzas may
    /// cross the network in the clear. PLAIN still needs
    /// [`ClientPolicy::insecure_allow_plain_without_tls`] as well.
    InsecureAllowPlaintext,
}

/// What the client does when the server refuses the requested resource with
/// `conflict` (RFC 6120 §7.7.2.2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResourceConflict {
    /// Binds again without a resource, letting the server choose one (the default).
    #[default]
    ServerAssigned,
    /// Gives up: [`CloseReason::BindFailed`](crate::CloseReason::BindFailed).
    Fail,
}

/// The client's timeouts; `None` disables a timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ClientTimeouts {
    /// From construction until the session is online (default 60 s).
    pub negotiation: Option<Duration>,
    /// How long to wait for the server's `</stream:stream>` after ours (default 10 s).
    pub close: Duration,
    /// Idle time after which a whitespace keepalive is sent while online
    /// (default 60 s; `None` or zero: never).
    pub keepalive: Option<Duration>,
    /// How long an IQ request waits for its response by default (default 30 s).
    pub iq: Duration,
    /// How long the server may stay silent before the stream is closed with
    /// `connection-timeout` (default: no limit).
    pub read_idle: Option<Duration>,
}

impl Default for ClientTimeouts {
    fn default() -> Self {
        ClientTimeouts {
            negotiation: Some(Duration::from_secs(60)),
            close: Duration::from_secs(10),
            keepalive: Some(Duration::from_secs(60)),
            iq: Duration::from_secs(30),
            read_idle: None,
        }
    }
}

/// Configuration of a [`ClientConnection`](crate::ClientConnection).
///
/// ```
/// use std::time::Duration;
/// use xmpp_core::{ClientConfig, ClientTimeouts};
/// use xmpp_jid::BareJid;
/// use xmpp_sasl::{ClientPolicy, Mechanism};
///
/// let jid = BareJid::new("juliet@im.example.com").unwrap();
/// let mut timeouts = ClientTimeouts::default();
/// timeouts.keepalive = Some(Duration::from_secs(120));
/// let config = ClientConfig::new(jid, "r0m30myr0m30")
///     .unwrap()
///     .with_resource("balcony")
///     .with_policy(ClientPolicy::new().allow_only(&[Mechanism::ScramSha256]))
///     .with_timeouts(timeouts);
/// assert_eq!(config.jid().domain(), "im.example.com");
/// ```
#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub(crate) jid: BareJid,
    pub(crate) password: Password,
    pub(crate) cache: SaltedPasswordCache,
    pub(crate) resource: Option<CompactStr>,
    pub(crate) tls: TlsMode,
    pub(crate) policy: ClientPolicy,
    pub(crate) scram: ScramClientOptions,
    pub(crate) timeouts: ClientTimeouts,
    pub(crate) on_conflict: ResourceConflict,
    pub(crate) lang: Option<CompactStr>,
    pub(crate) limits: Limits,
    pub(crate) max_stanzas_before_online: usize,
}

/// The default of [`ClientConfig::with_max_stanzas_before_online`].
const DEFAULT_MAX_STANZAS_BEFORE_ONLINE: usize = 64;

impl ClientConfig {
    /// A client for the account `jid` with `password`: STARTTLS required, the default
    /// mechanism policy ([`ClientPolicy::new`]), a server-assigned resource, default
    /// timeouts, `xml:lang='en'`, [`Limits::c2s`], at most 64 stanzas before online.
    pub fn new(jid: BareJid, password: impl Into<Password>) -> Result<ClientConfig, ConfigError> {
        if jid.node().is_none() {
            return Err(ConfigError::NoLocalpart);
        }
        Ok(ClientConfig {
            jid,
            password: password.into(),
            cache: SaltedPasswordCache::new(),
            resource: None,
            tls: TlsMode::StartTlsRequired,
            policy: ClientPolicy::new(),
            scram: ScramClientOptions::new(),
            timeouts: ClientTimeouts::default(),
            on_conflict: ResourceConflict::default(),
            lang: Some(CompactStr::from_static("en")),
            limits: Limits::c2s(),
            max_stanzas_before_online: DEFAULT_MAX_STANZAS_BEFORE_ONLINE,
        })
    }

    /// The account.
    pub fn jid(&self) -> &BareJid {
        &self.jid
    }

    /// How the stream is secured.
    pub fn tls_mode(&self) -> &TlsMode {
        &self.tls
    }

    /// Asks to bind `resource` (the server may still assign another).
    pub fn with_resource(mut self, resource: impl Into<CompactStr>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// How to secure the stream (default [`TlsMode::StartTlsRequired`]).
    pub fn with_tls(mut self, tls: TlsMode) -> Self {
        self.tls = tls;
        self
    }

    /// The SASL mechanism policy: allow-list, DIGEST-MD5, plaintext PLAIN.
    pub fn with_policy(mut self, policy: ClientPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Limits on the server's SCRAM iteration count.
    pub fn with_scram_options(mut self, options: ScramClientOptions) -> Self {
        self.scram = options;
        self
    }

    /// Salted passwords from earlier logins, so SCRAM need not run PBKDF2 again; get
    /// the updated cache back with
    /// [`ClientConnection::take_salted_password_cache`](crate::ClientConnection::take_salted_password_cache).
    pub fn with_salted_password_cache(mut self, cache: SaltedPasswordCache) -> Self {
        self.cache = cache;
        self
    }

    /// The timeouts.
    pub fn with_timeouts(mut self, timeouts: ClientTimeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// What to do when the requested resource is in use.
    pub fn with_resource_conflict(mut self, policy: ResourceConflict) -> Self {
        self.on_conflict = policy;
        self
    }

    /// The `xml:lang` of our stream (`None` leaves it out).
    pub fn with_lang(mut self, lang: Option<CompactStr>) -> Self {
        self.lang = lang;
        self
    }

    /// Limits on what the server may send.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// How many stanzas the server may send after authentication and before the
    /// session is online (while resource binding and the legacy session run; default
    /// 64). Stanzas are exchanged only once a resource is bound (RFC 6120 §7.1); a
    /// server may route a few in the meantime, but one that sends more than `max` is
    /// misbehaving: the stream is closed with `policy-violation` (RFC 6120 §4.9.3.14),
    /// [`Violation::TooManyStanzasBeforeOnline`](crate::Violation::TooManyStanzasBeforeOnline).
    /// This also bounds what an application buffers until
    /// [`ClientEvent::Online`](crate::ClientEvent::Online).
    pub fn with_max_stanzas_before_online(mut self, max: usize) -> Self {
        self.max_stanzas_before_online = max;
        self
    }

    /// The limit set with [`ClientConfig::with_max_stanzas_before_online`].
    pub fn max_stanzas_before_online(&self) -> usize {
        self.max_stanzas_before_online
    }
}
