//! The server side: configuration, the offered mechanism list, and [`SaslServer`], which
//! runs any mechanism and hands credential lookups to the application as outputs.
//!
//! # Channel binding: what the server accepts
//!
//! `-PLUS` mechanisms are offered when the connection has channel-binding data
//! ([`ServerConfig::with_channel_binding`]); the types are advertised with XEP-0440
//! ([`ServerConfig::offered_channel_binding_types`]). The gs2 flag of the SCRAM
//! `client-first-message` (RFC 5802 §6) is then checked strictly:
//!
//! | mechanism | flag | outcome |
//! |---|---|---|
//! | `-PLUS` | `p=<type>` with data here | bound to that data; `c=` must match it ([`SaslError::ChannelBindingMismatch`]) |
//! | `-PLUS` | `p=<type>` without data here (`tls-unique` on TLS 1.3: undefined there, RFC 9266 §1; unknown names) | refused: [`SaslError::UnsupportedChannelBindingType`] — never accepted unverified |
//! | non-PLUS | `n` | accepted: the client does not bind (also what XEP-0440 §3 tells a client with no shared type to send) |
//! | non-PLUS | `y` | refused with [`SaslError::ChannelBindingDowngrade`] when `-PLUS` was offered on this connection (someone stripped the offer, or the client ignored it); accepted otherwise |
//! | `-PLUS` with `n`/`y`, non-PLUS with `p=` | | refused as malformed |
//!
//! The two refusals of the first message ([`SaslError::is_channel_binding_refusal`])
//! happen before any credential is consulted.

use core::fmt;

use crate::credentials::Preparation;
use crate::digest_md5::DigestMd5Server;
use crate::plain::PlainServer;
use crate::scram::{DEFAULT_MIN_ITERATIONS, ScramServer};
use crate::{
    ChannelBinding, ChannelBindingType, CredentialAnswer, CredentialRequest, Entropy, Mechanism,
    SaslError,
};

/// What the server answers after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerStep {
    /// Send `<challenge/>` with this data (possibly empty).
    Challenge(Vec<u8>),
    /// Look up the user and answer with [`SaslServer::provide`]; nothing is sent meanwhile.
    NeedCredentials(CredentialRequest),
    /// Authentication succeeded: send `<success/>`.
    Success(ServerSuccess),
}

/// The outcome of a successful exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerSuccess {
    /// The mechanism used.
    pub mechanism: Mechanism,
    /// The authenticated identity (user name, after SASLprep).
    pub authcid: String,
    /// The authorization identity the application permitted, if one was requested.
    pub authzid: Option<String>,
    /// Additional data for `<success/>` (SCRAM's `server-final-message`).
    pub additional_data: Option<Vec<u8>>,
    /// The channel-binding type the exchange was bound to, if any.
    pub channel_binding: Option<ChannelBindingType>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct DigestSettings {
    realm: String,
    service: String,
    host: String,
}

/// Server-side SASL configuration for one connection: TLS state, channel-binding data,
/// enabled mechanisms and SCRAM parameters.
///
/// ```
/// use xmpp_sasl::{ChannelBinding, ChannelBindingType, Mechanism, ServerConfig};
/// let config = ServerConfig::new(true)
///     .with_channel_binding(ChannelBinding::new(ChannelBindingType::TlsExporter, vec![1; 32]));
/// let names: Vec<_> = config.offered_mechanisms().iter().map(|m| m.name()).collect();
/// assert_eq!(names, ["SCRAM-SHA-512-PLUS", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-1-PLUS",
///                    "SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"]);
/// assert_eq!(config.offered_channel_binding_types(), [ChannelBindingType::TlsExporter]);
/// assert_eq!(ServerConfig::new(false).offered_mechanisms(),
///            [Mechanism::ScramSha512, Mechanism::ScramSha256, Mechanism::ScramSha1]);
/// ```
///
/// A configuration without per-connection data can serve as a template: clone it per
/// connection and add that connection's TLS state ([`with_tls`](Self::with_tls)) and
/// channel-binding data ([`with_channel_binding`](Self::with_channel_binding)).
#[derive(Clone, PartialEq, Eq)]
pub struct ServerConfig {
    tls: bool,
    channel_bindings: Vec<ChannelBinding>,
    enabled: Vec<Mechanism>,
    plain_without_tls: bool,
    digest: Option<DigestSettings>,
    scram_iterations: u32,
    decoy_secret: Option<[u8; 32]>,
    preparation: Preparation,
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("tls", &self.tls)
            .field("channel_bindings", &self.channel_bindings)
            .field("offered", &self.offered_mechanisms())
            .field("scram_iterations", &self.scram_iterations)
            .field("decoy_secret", &self.decoy_secret.map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

impl ServerConfig {
    /// Defaults for a stream that is (`true`) or is not TLS-protected: every SCRAM
    /// mechanism, PLAIN only over TLS, DIGEST-MD5 off, 4096 iterations for keys derived on
    /// the fly, no channel binding until data is added.
    pub fn new(tls_established: bool) -> Self {
        ServerConfig {
            tls: tls_established,
            channel_bindings: Vec::new(),
            enabled: Mechanism::ALL
                .into_iter()
                .filter(|m| *m != Mechanism::DigestMd5)
                .collect(),
            plain_without_tls: false,
            digest: None,
            scram_iterations: DEFAULT_MIN_ITERATIONS,
            decoy_secret: None,
            preparation: Preparation::Saslprep,
        }
    }

    /// Sets whether the stream is TLS-protected, as [`new`](Self::new) does: for a
    /// configuration prepared once as a template and cloned per connection.
    ///
    /// ```
    /// use xmpp_sasl::{Mechanism, ServerConfig};
    /// let template = ServerConfig::new(false).with_mechanisms(&[Mechanism::ScramSha256, Mechanism::Plain]);
    /// assert_eq!(template.offered_mechanisms(), [Mechanism::ScramSha256]);
    /// let secured = template.clone().with_tls(true);
    /// assert_eq!(secured.offered_mechanisms(), [Mechanism::ScramSha256, Mechanism::Plain]);
    /// ```
    pub fn with_tls(mut self, tls_established: bool) -> Self {
        self.tls = tls_established;
        self
    }

    /// Adds channel-binding data for this TLS connection; `-PLUS` mechanisms are offered
    /// when there is at least one. Data of a type already present replaces it.
    pub fn with_channel_binding(mut self, binding: ChannelBinding) -> Self {
        self.channel_bindings.retain(|b| b.kind() != binding.kind());
        self.channel_bindings.push(binding);
        self
    }

    /// Restricts the enabled mechanisms to `mechanisms` (DIGEST-MD5 additionally needs
    /// [`enable_historic_digest_md5`](Self::enable_historic_digest_md5)).
    pub fn with_mechanisms(mut self, mechanisms: &[Mechanism]) -> Self {
        self.enabled = mechanisms.to_vec();
        if self.digest.is_none() {
            self.enabled.retain(|m| *m != Mechanism::DigestMd5);
        }
        self
    }

    /// Enables the historic DIGEST-MD5 (RFC 6331) with `realm`, accepting `digest-uri`
    /// `xmpp/<host>`. Accounts must then store passwords.
    pub fn enable_historic_digest_md5(mut self, realm: &str, host: &str) -> Self {
        self.digest = Some(DigestSettings {
            realm: realm.to_owned(),
            service: "xmpp".to_owned(),
            host: host.to_owned(),
        });
        if !self.enabled.contains(&Mechanism::DigestMd5) {
            self.enabled.push(Mechanism::DigestMd5);
        }
        self
    }

    /// Whether DIGEST-MD5 was enabled with
    /// [`enable_historic_digest_md5`](Self::enable_historic_digest_md5).
    pub fn historic_digest_md5_enabled(&self) -> bool {
        self.digest.is_some()
    }

    /// **Insecure**: offers and accepts PLAIN on a stream without TLS, exposing passwords
    /// to anyone on the path. For tests on loopback only.
    pub fn insecure_allow_plain_without_tls(mut self) -> Self {
        self.plain_without_tls = true;
        self
    }

    /// Iteration count for SCRAM keys derived from stored passwords and for decoys
    /// (default 4096). Give the count your stored keys use, so decoys look alike.
    pub fn with_scram_iterations(mut self, iterations: u32) -> Self {
        self.scram_iterations = iterations.max(1);
        self
    }

    /// A server-wide secret from which decoy salts for unknown users (and salts for
    /// password-only accounts) are derived, so repeated probes see a stable salt per name
    /// and cannot tell unknown users from real ones. Without it those salts are random per
    /// exchange.
    pub fn with_decoy_secret(mut self, secret: [u8; 32]) -> Self {
        self.decoy_secret = Some(secret);
        self
    }

    /// Uses received user names and passwords exactly as sent, without SASLprep.
    pub fn without_saslprep(mut self) -> Self {
        self.preparation = Preparation::Exact;
        self
    }

    /// The mechanisms to advertise in `<mechanisms/>`, strongest first.
    pub fn offered_mechanisms(&self) -> Vec<Mechanism> {
        Mechanism::ALL
            .into_iter()
            .filter(|m| self.enabled.contains(m) && self.usable(*m))
            .collect()
    }

    fn usable(&self, mechanism: Mechanism) -> bool {
        match mechanism {
            Mechanism::Plain => self.tls || self.plain_without_tls,
            Mechanism::DigestMd5 => self.digest.is_some(),
            m if m.is_plus() => self.tls && !self.channel_bindings.is_empty(),
            _ => true,
        }
    }

    /// The channel-binding types to advertise with XEP-0440 `<sasl-channel-binding/>`
    /// (empty when no `-PLUS` mechanism is offered).
    pub fn offered_channel_binding_types(&self) -> Vec<ChannelBindingType> {
        if !self.plus_offered() {
            return Vec::new();
        }
        ChannelBindingType::ALL
            .into_iter()
            .filter(|t| self.channel_bindings.iter().any(|b| b.kind() == *t))
            .collect()
    }

    /// Whether a `-PLUS` mechanism is offered (so a client sending gs2 flag `y` is
    /// rejected as a downgrade).
    pub fn plus_offered(&self) -> bool {
        self.offered_mechanisms().iter().any(|m| m.is_plus())
    }

    pub(crate) fn channel_bindings(&self) -> &[ChannelBinding] {
        &self.channel_bindings
    }

    pub(crate) fn preparation(&self) -> Preparation {
        self.preparation
    }

    pub(crate) fn scram_iterations(&self) -> u32 {
        self.scram_iterations
    }

    pub(crate) fn decoy_secret(&self) -> Option<[u8; 32]> {
        self.decoy_secret
    }
}

#[derive(Debug)]
enum Inner {
    Plain(PlainServer),
    Scram(Box<ScramServer>),
    DigestMd5(DigestMd5Server),
    /// Aborted: every further call is out of order.
    Aborted,
}

/// A server-side SASL exchange for any offered mechanism.
///
/// Each call returns the next [`ServerStep`] or the error to report; the error's
/// [`condition`](SaslError::condition) goes into `<failure/>`. After an error the exchange
/// is over (further calls give [`SaslError::UnexpectedStep`]).
///
/// ```
/// use xmpp_sasl::*;
/// let config = ServerConfig::new(true);
/// let mut entropy = InsecureSeededEntropy::new(1);
/// let mut server = SaslServer::start(&config, "PLAIN", &mut entropy)?;
/// let ServerStep::NeedCredentials(request) = server.initial(Some(b"\0tim\0tanstaaftanstaaf"))? else {
///     unreachable!()
/// };
/// assert_eq!(request.authcid, "tim");
/// let step = server.provide(CredentialAnswer::Found(Account::with_password("tanstaaftanstaaf")))?;
/// assert!(matches!(step, ServerStep::Success(_)));
/// # Ok::<(), SaslError>(())
/// ```
#[derive(Debug)]
pub struct SaslServer {
    mechanism: Mechanism,
    inner: Inner,
    /// The identity the client claimed, once a credential request named it.
    authcid: Option<String>,
}

impl SaslServer {
    /// Starts the exchange the client asked for with `<auth mechanism='…'/>`. Fails with
    /// `invalid-mechanism` for unknown or unoffered mechanisms and `encryption-required` for
    /// PLAIN without TLS.
    pub fn start(
        config: &ServerConfig,
        mechanism_name: &str,
        entropy: &mut dyn Entropy,
    ) -> Result<Self, SaslError> {
        let mechanism = Mechanism::from_name(mechanism_name).ok_or(SaslError::InvalidMechanism)?;
        if !config.offered_mechanisms().contains(&mechanism) {
            let plain_needs_tls = mechanism == Mechanism::Plain
                && config.enabled.contains(&Mechanism::Plain)
                && !config.tls;
            return Err(if plain_needs_tls {
                SaslError::EncryptionRequired
            } else {
                SaslError::InvalidMechanism
            });
        }
        let inner = match mechanism {
            Mechanism::Plain => Inner::Plain(PlainServer::new(
                config.preparation,
                config.scram_iterations,
            )),
            Mechanism::DigestMd5 => {
                let d = config.digest.as_ref().ok_or(SaslError::InvalidMechanism)?;
                Inner::DigestMd5(DigestMd5Server::new(&d.realm, &d.service, &d.host, entropy))
            }
            m => Inner::Scram(Box::new(ScramServer::new(m, config, entropy)?)),
        };
        Ok(SaslServer {
            mechanism,
            inner,
            authcid: None,
        })
    }

    /// The mechanism being run.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// The authentication identity the client claimed (after SASLprep), from the step
    /// that asked for its credentials ([`ServerStep::NeedCredentials`]) on — also after
    /// the exchange failed, so a failure can be attributed (RFC 6120 §6.4.5 counts
    /// failed attempts). `None` while no identity was named, and for exchanges refused
    /// before that (a malformed or channel-binding-refused first message). It is what
    /// the client *claimed*: unknown users answered with a decoy have one too.
    ///
    /// ```
    /// use xmpp_sasl::*;
    /// let config = ServerConfig::new(true);
    /// let mut entropy = InsecureSeededEntropy::new(1);
    /// let mut server = SaslServer::start(&config, "PLAIN", &mut entropy)?;
    /// assert_eq!(server.authcid(), None);
    /// server.initial(Some(b"\0tim\0wrong"))?;
    /// let failed = server.provide(CredentialAnswer::UnknownUser);
    /// assert_eq!(failed, Err(SaslError::AuthenticationFailed));
    /// assert_eq!(server.authcid(), Some("tim"));
    /// # Ok::<(), SaslError>(())
    /// ```
    pub fn authcid(&self) -> Option<&str> {
        self.authcid.as_deref()
    }

    /// Remembers the identity a credential request names.
    fn note(&mut self, step: Result<ServerStep, SaslError>) -> Result<ServerStep, SaslError> {
        if let Ok(ServerStep::NeedCredentials(request)) = &step {
            self.authcid = Some(request.authcid.clone());
        }
        step
    }

    /// Handles the initial response of `<auth/>`: `None` when the element was empty, the
    /// decoded data otherwise (`=` decodes to an empty message).
    pub fn initial(&mut self, initial_response: Option<&[u8]>) -> Result<ServerStep, SaslError> {
        let step = match &mut self.inner {
            Inner::Plain(s) => s.initial(initial_response),
            Inner::Scram(s) => s.initial(initial_response),
            Inner::DigestMd5(s) => s.initial(initial_response),
            Inner::Aborted => Err(SaslError::UnexpectedStep),
        };
        self.note(step)
    }

    /// Handles the decoded data of a `<response/>`.
    pub fn respond(&mut self, response: &[u8]) -> Result<ServerStep, SaslError> {
        let step = match &mut self.inner {
            Inner::Plain(s) => s.respond(response),
            Inner::Scram(s) => s.respond(response),
            Inner::DigestMd5(s) => s.respond(response),
            Inner::Aborted => Err(SaslError::UnexpectedStep),
        };
        self.note(step)
    }

    /// Answers a [`ServerStep::NeedCredentials`] request.
    pub fn provide(&mut self, answer: CredentialAnswer) -> Result<ServerStep, SaslError> {
        match &mut self.inner {
            Inner::Plain(s) => s.provide(answer),
            Inner::Scram(s) => s.provide(answer),
            Inner::DigestMd5(s) => s.provide(answer),
            Inner::Aborted => Err(SaslError::UnexpectedStep),
        }
    }

    /// The client sent `<abort/>`: ends the exchange; report the returned error's condition
    /// (`aborted`).
    pub fn abort(&mut self) -> SaslError {
        self.inner = Inner::Aborted;
        SaslError::Aborted
    }
}
