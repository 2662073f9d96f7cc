//! [`ServerConfig`]: the domain served, SASL policy, limits and timeouts of the
//! receiving entity. One configuration is shared (in an `Arc`) by every connection;
//! how one connection's transport is secured is not configuration but an argument of
//! [`ServerConnection::new`](crate::ServerConnection::new)
//! ([`ServerTransport`](crate::ServerTransport)).

use std::time::Duration;

use xmpp_jid::BareJid;
use xmpp_sasl::{ChannelBindingType, Mechanism};
use xmpp_stanza::Element;

use crate::connection::{ConfigError, TlsInfo, TlsVersion};
use crate::stream::Limits;

/// Which SASL mechanisms the server offers, and their parameters. `Debug` redacts
/// the decoy secret.
///
/// # Channel binding by default
///
/// The default offers every SCRAM mechanism, `-PLUS` ones included whenever the TLS
/// layer gave channel-binding data (RFC 5802 §6: `tls-exporter` on TLS 1.3,
/// RFC 9266; `tls-server-end-point`, RFC 5929 §4), advertises those types with
/// XEP-0440 `<sasl-channel-binding/>`, and PLAIN over TLS. The gs2 flag is checked
/// strictly (see `xmpp_sasl`'s server documentation): a `p=` type this connection
/// cannot verify is refused, never accepted unbound; `y` is refused whenever `-PLUS`
/// was offered on the connection. So a client that binds correctly
/// (`xmpp-tokio`, which reads XEP-0440) gets `SCRAM-SHA-512-PLUS` with
/// `tls-exporter`, and a man in the middle who strips `-PLUS` from the offer is
/// detected by its `y`.
///
/// No server-side choice can also give SCRAM to clients that bind with
/// `tls-unique` only, as Debian bookworm's slixmpp 1.8.3 does even on TLS 1.3
/// (where `tls-unique` is undefined and rustls cannot export it): its `-PLUS`
/// attempts carry `p=tls-unique`, and its retries without `-PLUS` carry `y`, which
/// is exactly what a stripped offer to a binding client looks like. Accepting
/// either would let an attacker downgrade the clients that do it right; offering no
/// `-PLUS` on some connections would do the same (whatever decides it — TLS version,
/// stream header — the attacker picks on its own leg to the server). Such a client
/// logs in with PLAIN instead, after one refusal per offered SCRAM mechanism (it
/// tries each once, strongest first). Those refusals happen before any credential
/// is consulted, so the first one per mechanism does not count toward
/// [`ServerConfig::with_max_auth_failures`]; they are still reported as
/// [`ServerEvent::AuthFailed`](crate::ServerEvent::AuthFailed) with an error for
/// which [`SaslError::is_channel_binding_refusal`](xmpp_sasl::SaslError::is_channel_binding_refusal)
/// holds.
///
/// [`plus_only_with_default_binding`](Self::plus_only_with_default_binding) trades
/// that protection away on TLS 1.2 (rustls has no `tls-unique` there), for SCRAM
/// instead of PLAIN for such clients on TLS 1.2.
///
/// ```
/// use xmpp_core::SaslPolicy;
/// use xmpp_sasl::Mechanism;
///
/// // The server host's chain: still -PLUS on TLS 1.3.
/// let policy = SaslPolicy::default()
///     .with_mechanisms(&Mechanism::ALL)
///     .plus_only_with_default_binding()
///     .with_scram_iterations(4096)
///     .with_decoy_secret([1; 32]);
/// # let _ = policy;
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SaslPolicy {
    /// The `xmpp-sasl` configuration without any stream's TLS state or binding data:
    /// mechanisms, iterations, decoy secret, DIGEST-MD5, PLAIN without TLS, SASLprep.
    /// Each stream clones it once ([`for_stream`](Self::for_stream)).
    template: xmpp_sasl::ServerConfig,
    /// Whether `-PLUS` needs the TLS version's default binding type (an `xmpp-core`
    /// rule: it chooses which binding data a stream hands `xmpp-sasl`).
    plus_needs_default_binding: bool,
}

impl std::fmt::Debug for SaslPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The template's `Debug` redacts the decoy secret.
        f.debug_struct("SaslPolicy")
            .field("template", &self.template)
            .field(
                "plus_needs_default_binding",
                &self.plus_needs_default_binding,
            )
            .finish()
    }
}

impl Default for SaslPolicy {
    /// Every SCRAM mechanism (`-PLUS` when the TLS layer gave channel-binding data)
    /// and PLAIN over TLS (clients such as go-sendxmpp only do PLAIN); no DIGEST-MD5;
    /// 4096 iterations for keys derived from stored passwords and decoys.
    fn default() -> Self {
        SaslPolicy {
            template: xmpp_sasl::ServerConfig::new(false).with_scram_iterations(4096),
            plus_needs_default_binding: false,
        }
    }
}

impl SaslPolicy {
    /// Applies one `xmpp-sasl` builder step to the template.
    fn map(mut self, f: impl FnOnce(xmpp_sasl::ServerConfig) -> xmpp_sasl::ServerConfig) -> Self {
        self.template = f(self.template);
        self
    }

    /// Offers only `mechanisms` (those usable on the stream; DIGEST-MD5 additionally
    /// needs [`enable_historic_digest_md5`](Self::enable_historic_digest_md5)).
    pub fn with_mechanisms(self, mechanisms: &[Mechanism]) -> Self {
        self.map(|t| t.with_mechanisms(mechanisms))
    }

    /// The SCRAM iteration count of keys derived on the fly (from stored passwords)
    /// and of decoys for unknown users; give the count the stored keys use.
    pub fn with_scram_iterations(self, iterations: u32) -> Self {
        self.map(|t| t.with_scram_iterations(iterations))
    }

    /// A server-wide secret from which decoy salts for unknown users are derived, so
    /// probes cannot tell unknown users from real ones.
    ///
    /// ```
    /// use xmpp_core::SaslPolicy;
    ///
    /// let policy = SaslPolicy::default().with_decoy_secret([7; 32]);
    /// assert!(format!("{policy:?}").contains("<redacted>"));
    /// ```
    pub fn with_decoy_secret(self, secret: [u8; 32]) -> Self {
        self.map(|t| t.with_decoy_secret(secret))
    }

    /// Offers the historic DIGEST-MD5 (RFC 6331), realm and host the server's domain
    /// (filled in by [`ServerConfig::with_sasl`]).
    pub fn enable_historic_digest_md5(self) -> Self {
        self.map(|t| t.enable_historic_digest_md5("", ""))
    }

    /// **INSECURE — for tests on loopback only.** Offers and accepts PLAIN on a
    /// stream without TLS.
    pub fn insecure_allow_plain_without_tls(self) -> Self {
        self.map(xmpp_sasl::ServerConfig::insecure_allow_plain_without_tls)
    }

    /// Uses user names and passwords exactly as received, without SASLprep.
    pub fn without_saslprep(self) -> Self {
        self.map(xmpp_sasl::ServerConfig::without_saslprep)
    }

    /// Offers `-PLUS` mechanisms only on TLS connections whose TLS layer provides the
    /// **default channel-binding type of the negotiated TLS version**: `tls-unique` on
    /// TLS 1.2 (RFC 5929, RFC 5802 §6) and `tls-exporter` on TLS 1.3 (RFC 9266).
    ///
    /// Clients that do not read the XEP-0440 advertisement bind with the default type,
    /// and a server that advertises `-PLUS` must then refuse their fallback (gs2 flag
    /// `y`) as a downgrade. With a TLS stack without `tls-unique` (rustls), such
    /// clients (slixmpp 1.8.3) then log in on TLS 1.2 with PLAIN (see the type's
    /// documentation); with this rule no `-PLUS` is offered on TLS 1.2 and they use
    /// SCRAM without binding. On TLS 1.3 `-PLUS` stays (`tls-exporter`, plus
    /// `tls-server-end-point` for XEP-0440 clients).
    ///
    /// **The price**: without `-PLUS` on TLS 1.2, a `y` is accepted there, so a man in
    /// the middle who negotiates TLS 1.2 on its own connection to the server can strip
    /// `-PLUS` from what it relays and the binding client's `y` no longer reveals it.
    /// Off by default; deployments that accept TLS 1.2 and want that protection should
    /// not call it.
    ///
    /// ```
    /// use xmpp_core::SaslPolicy;
    ///
    /// let policy = SaslPolicy::default().plus_only_with_default_binding();
    /// assert!(format!("{policy:?}").contains("plus_needs_default_binding: true"));
    /// ```
    pub fn plus_only_with_default_binding(mut self) -> Self {
        self.plus_needs_default_binding = true;
        self
    }

    /// The channel-binding data to hand the SASL machines for a TLS connection.
    fn bindings<'a>(&self, tls: &'a TlsInfo) -> &'a [xmpp_sasl::ChannelBinding] {
        let default = match tls.version {
            TlsVersion::Tls12 => Some(ChannelBindingType::TlsUnique),
            TlsVersion::Tls13 => Some(ChannelBindingType::TlsExporter),
            _ => None,
        };
        let has_default = tls
            .channel_bindings
            .iter()
            .any(|b| Some(b.kind()) == default);
        if self.plus_needs_default_binding && !has_default {
            return &[];
        }
        &tls.channel_bindings
    }

    /// The policy for a server of `domain`: DIGEST-MD5, if enabled, gets the domain
    /// as realm and host (re-enabling it also keeps it offered whatever
    /// [`with_mechanisms`](Self::with_mechanisms) was given, before or after).
    pub(crate) fn for_domain(self, domain: &str) -> Self {
        if !self.template.historic_digest_md5_enabled() {
            return self;
        }
        self.map(|t| t.enable_historic_digest_md5(domain, domain))
    }

    /// The `xmpp-sasl` configuration for one stream, TLS as given: the template,
    /// cloned once, with the stream's TLS state and channel-binding data.
    pub(crate) fn for_stream(&self, tls: Option<&TlsInfo>) -> xmpp_sasl::ServerConfig {
        let mut config = self.template.clone().with_tls(tls.is_some());
        for binding in tls.map(|t| self.bindings(t)).unwrap_or_default() {
            config = config.with_channel_binding(binding.clone());
        }
        config
    }
}

/// The server's timeouts; `None` disables a timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct ServerTimeouts {
    /// From accepting the connection until a resource is bound (default 60 s).
    pub negotiation: Option<Duration>,
    /// How long to wait for the client's `</stream:stream>` after ours (default 10 s).
    pub close: Duration,
    /// Idle time after which a whitespace keepalive is sent while online (default:
    /// none; clients keep their streams alive; zero also means never).
    pub keepalive: Option<Duration>,
    /// How long the client may stay silent before the stream is closed with
    /// `connection-timeout` (default: no limit).
    pub read_idle: Option<Duration>,
}

impl Default for ServerTimeouts {
    fn default() -> Self {
        ServerTimeouts {
            negotiation: Some(Duration::from_secs(60)),
            close: Duration::from_secs(10),
            keepalive: None,
            read_idle: None,
        }
    }
}

/// Configuration of [`ServerConnection`](crate::ServerConnection)s (RFC 6120
/// receiving entity, `jabber:client`) for one domain.
///
/// ```
/// use std::sync::Arc;
/// use xmpp_core::{Limits, SaslPolicy, ServerConfig};
/// use xmpp_sasl::Mechanism;
///
/// let config = ServerConfig::new("im.example.com")
///     .unwrap()
///     .with_sasl(SaslPolicy::default().with_mechanisms(&[Mechanism::ScramSha256, Mechanism::Plain]))
///     .with_limits(Limits::c2s().with_max_stanza_bytes(64 * 1024));
/// assert_eq!(config.domain(), "im.example.com");
/// let shared = Arc::new(config); // one per server, shared by its connections
/// # let _ = shared;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    pub(crate) domain: BareJid,
    pub(crate) sasl: SaslPolicy,
    pub(crate) legacy_session: bool,
    pub(crate) bind_features: Vec<Element>,
    pub(crate) timeouts: ServerTimeouts,
    pub(crate) limits: Limits,
    pub(crate) pre_auth_limits: Limits,
    pub(crate) max_auth_failures: u8,
}

impl ServerConfig {
    /// A server for `domain`: the default [`SaslPolicy`], the legacy session
    /// advertised as optional, [`Limits::pre_auth`] before authentication and [`Limits::c2s`] after, three failed authentications per
    /// stream, default timeouts.
    pub fn new(domain: &str) -> Result<ServerConfig, ConfigError> {
        let domain = BareJid::new(domain).map_err(|_| ConfigError::InvalidDomain)?;
        if domain.node().is_some() {
            return Err(ConfigError::InvalidDomain);
        }
        Ok(ServerConfig {
            domain,
            sasl: SaslPolicy::default(),
            legacy_session: true,
            bind_features: Vec::new(),
            timeouts: ServerTimeouts::default(),
            limits: Limits::c2s(),
            pre_auth_limits: Limits::pre_auth(),
            max_auth_failures: 3,
        })
    }

    /// The domain served (normalised).
    pub fn domain(&self) -> &str {
        self.domain.as_str()
    }

    /// The SASL policy.
    pub fn with_sasl(mut self, sasl: SaslPolicy) -> Self {
        self.sasl = sasl.for_domain(self.domain.as_str());
        self
    }

    /// Whether to advertise the legacy session (RFC 3921 §3) as `<optional/>`
    /// (default true; the request is answered either way).
    pub fn with_legacy_session(mut self, advertise: bool) -> Self {
        self.legacy_session = advertise;
        self
    }

    /// More stream features to advertise with resource binding after authentication,
    /// for what the application implements (for example RFC 6121 roster versioning
    /// `<ver xmlns='urn:xmpp:features:rosterver'/>` and pre-approval
    /// `<sub xmlns='urn:xmpp:features:pre-approval'/>`).
    pub fn with_bind_features(mut self, features: Vec<Element>) -> Self {
        self.bind_features = features;
        self
    }

    /// The timeouts.
    pub fn with_timeouts(mut self, timeouts: ServerTimeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Limits after authentication.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Limits before authentication (smaller: an unauthenticated peer gets little).
    pub fn with_pre_auth_limits(mut self, limits: Limits) -> Self {
        self.pre_auth_limits = limits;
        self
    }

    /// Failed authentications allowed on one stream before it is closed with
    /// `policy-violation` (RFC 6120 §6.4.5 suggests 2 to 5; at least 1; default 3).
    /// Exchanges the client aborts count as failures. A first message refused for its
    /// channel-binding flag alone is not counted the first time per mechanism (no
    /// credential was consulted; see [`SaslPolicy`]), so a stream sees at most one
    /// such refusal per offered mechanism beyond this count.
    pub fn with_max_auth_failures(mut self, failures: u8) -> Self {
        self.max_auth_failures = failures.max(1);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_sasl::ChannelBinding;

    /// What a stream of `example.com` gets from `policy`, TLS as given.
    fn build(policy: SaslPolicy, tls: Option<&TlsInfo>) -> xmpp_sasl::ServerConfig {
        policy.for_domain("example.com").for_stream(tls)
    }

    fn names(config: &xmpp_sasl::ServerConfig) -> Vec<&'static str> {
        config
            .offered_mechanisms()
            .iter()
            .map(|m| m.name())
            .collect()
    }

    #[test]
    fn what_the_policy_offers_by_tls_state() {
        let policy = SaslPolicy::default();
        let plaintext = build(policy.clone(), None);
        assert_eq!(
            names(&plaintext),
            ["SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1"]
        );
        let tls = TlsInfo::new(TlsVersion::Tls13).with_channel_binding(ChannelBinding::new(
            ChannelBindingType::TlsExporter,
            vec![1; 32],
        ));
        let secured = build(policy, Some(&tls));
        assert_eq!(names(&secured).len(), 7);
        assert!(names(&secured).contains(&"SCRAM-SHA-256-PLUS"));
        assert!(names(&secured).contains(&"PLAIN"));
        let insecure = build(
            SaslPolicy::default().insecure_allow_plain_without_tls(),
            None,
        );
        assert!(names(&insecure).contains(&"PLAIN"));
        let digest = build(
            SaslPolicy::default()
                .with_mechanisms(&[Mechanism::ScramSha1])
                .enable_historic_digest_md5(),
            Some(&TlsInfo::new(TlsVersion::Tls12)),
        );
        assert_eq!(names(&digest), ["SCRAM-SHA-1", "DIGEST-MD5"]);
        // Enabled before the mechanisms are chosen: still offered.
        let digest_first = build(
            SaslPolicy::default()
                .enable_historic_digest_md5()
                .with_mechanisms(&[Mechanism::ScramSha1]),
            None,
        );
        assert_eq!(names(&digest_first), ["SCRAM-SHA-1", "DIGEST-MD5"]);
    }

    #[test]
    fn plus_only_with_the_default_binding_of_the_tls_version() {
        let end_point = ChannelBinding::new(ChannelBindingType::TlsServerEndPoint, vec![2; 32]);
        let exporter = ChannelBinding::new(ChannelBindingType::TlsExporter, vec![1; 32]);
        let unique = ChannelBinding::new(ChannelBindingType::TlsUnique, vec![3; 12]);
        let strict = SaslPolicy::default().plus_only_with_default_binding();
        let plus =
            |policy: &SaslPolicy, info: TlsInfo| build(policy.clone(), Some(&info)).plus_offered();
        let tls12 = || TlsInfo::new(TlsVersion::Tls12);
        let tls13 = || TlsInfo::new(TlsVersion::Tls13);
        // rustls on TLS 1.2: only tls-server-end-point, which clients do not default to.
        assert!(!plus(
            &strict,
            tls12().with_channel_binding(end_point.clone())
        ));
        assert!(plus(
            &SaslPolicy::default(),
            tls12().with_channel_binding(end_point.clone())
        ));
        assert!(plus(&strict, tls12().with_channel_binding(unique)));
        // TLS 1.3: tls-exporter is the default; tls-server-end-point alone is not.
        assert!(!plus(
            &strict,
            tls13().with_channel_binding(end_point.clone())
        ));
        let both = tls13()
            .with_channel_binding(exporter)
            .with_channel_binding(end_point);
        let config = build(strict, Some(&both));
        assert!(config.plus_offered());
        assert_eq!(config.offered_channel_binding_types().len(), 2);
    }

    #[test]
    fn the_domain_is_normalised_and_must_be_a_domain() {
        let config = ServerConfig::new("Example.COM").unwrap();
        assert_eq!(config.domain(), "example.com");
        assert_eq!(
            ServerConfig::new("example.com/resource").err(),
            Some(ConfigError::InvalidDomain)
        );
        assert_eq!(config.with_max_auth_failures(0).max_auth_failures, 1);
    }
}
