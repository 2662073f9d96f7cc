//! [`SaslClient`]: runs whichever mechanism [`ClientPolicy`](crate::ClientPolicy) selected.

use crate::digest_md5::DigestMd5Client;
use crate::plain::PlainClient;
use crate::scram::{SaltedPasswordCache, ScramClient, ScramClientOptions};
use crate::{ClientCredentials, Entropy, Gs2Binding, Mechanism, Parameter, SaslError, Selection};

/// Client settings beyond the credentials.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// SCRAM iteration-count limits.
    pub scram: ScramClientOptions,
    /// The server's domain, needed only for DIGEST-MD5's `digest-uri` (`xmpp/<domain>`).
    pub digest_md5_host: Option<String>,
}

#[derive(Debug)]
enum Inner {
    Plain(PlainClient),
    Scram(Box<ScramClient>),
    DigestMd5(DigestMd5Client),
}

/// A client-side SASL exchange.
///
/// The core sends `<auth mechanism='…'>` with the initial response returned by
/// [`start`](Self::start), answers each `<challenge/>` with [`respond`](Self::respond), and
/// on `<success/>` calls [`finish`](Self::finish), which verifies the server's proof (SCRAM
/// signature, DIGEST-MD5 `rspauth`) before the stream may restart. Any error means the
/// client should abort.
///
/// ```
/// use xmpp_sasl::*;
/// let selection = Selection { mechanism: Mechanism::Plain, binding: Gs2Binding::NotSupported };
/// let creds = ClientCredentials::new("tim", "tanstaaftanstaaf");
/// let mut entropy = InsecureSeededEntropy::new(1);
/// let (mut client, initial) = SaslClient::start(
///     &selection, &creds, &ClientOptions::default(), SaltedPasswordCache::new(), &mut entropy)?;
/// assert_eq!(initial.as_deref(), Some(&b"\0tim\0tanstaaftanstaaf"[..]));
/// client.finish(None)?;
/// # Ok::<(), SaslError>(())
/// ```
#[derive(Debug)]
pub struct SaslClient {
    mechanism: Mechanism,
    inner: Inner,
    cache: SaltedPasswordCache,
}

impl SaslClient {
    /// Starts the exchange chosen by `selection`. Returns the client and the initial
    /// response (`None` for DIGEST-MD5, which has none). `cache` is consulted and filled by
    /// SCRAM; get it back with [`take_cache`](Self::take_cache).
    ///
    /// A `-PLUS` mechanism needs [`Gs2Binding::Bound`] (else
    /// [`SaslError::ChannelBindingUnavailable`]); for a non-PLUS SCRAM mechanism a `Bound`
    /// binding is sent as `n` (binding data is only ever used with `-PLUS`).
    pub fn start(
        selection: &Selection,
        credentials: &ClientCredentials,
        options: &ClientOptions,
        cache: SaltedPasswordCache,
        entropy: &mut dyn Entropy,
    ) -> Result<(Self, Option<Vec<u8>>), SaslError> {
        let mechanism = selection.mechanism;
        let (inner, initial, cache) = match mechanism.scram_hash() {
            Some(hash) => {
                let binding = match (&selection.binding, mechanism.is_plus()) {
                    (Gs2Binding::Bound(_), true) => selection.binding.clone(),
                    (_, true) => return Err(SaslError::ChannelBindingUnavailable),
                    (Gs2Binding::Bound(_), false) => Gs2Binding::NotSupported,
                    (other, false) => other.clone(),
                };
                let (client, first) =
                    ScramClient::start(hash, binding, credentials, options.scram, entropy)?;
                (
                    Inner::Scram(Box::new(client.with_cache(cache))),
                    Some(first),
                    SaltedPasswordCache::new(),
                )
            }
            None if mechanism == Mechanism::Plain => {
                let (client, message) = PlainClient::start(credentials)?;
                (Inner::Plain(client), Some(message), cache)
            }
            None => {
                let host =
                    options
                        .digest_md5_host
                        .as_deref()
                        .ok_or(SaslError::InvalidParameter {
                            parameter: Parameter::DigestMd5Host,
                        })?;
                let client = DigestMd5Client::new(credentials, "xmpp", host, entropy)?;
                (Inner::DigestMd5(client), None, cache)
            }
        };
        Ok((
            SaslClient {
                mechanism,
                inner,
                cache,
            },
            initial,
        ))
    }

    /// The mechanism being run.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// Answers the decoded data of a `<challenge/>`.
    pub fn respond(&mut self, challenge: &[u8]) -> Result<Vec<u8>, SaslError> {
        match &mut self.inner {
            Inner::Plain(c) => c.respond(challenge),
            Inner::Scram(c) => c.respond(challenge),
            Inner::DigestMd5(c) => c.respond(challenge),
        }
    }

    /// Handles `<success/>` with its decoded additional data, if any. `Ok` only when the
    /// server proved knowledge of the password (for SCRAM and DIGEST-MD5).
    pub fn finish(&mut self, additional_data: Option<&[u8]>) -> Result<(), SaslError> {
        match &mut self.inner {
            Inner::Plain(c) => c.finish(additional_data),
            Inner::Scram(c) => c.finish(additional_data),
            Inner::DigestMd5(c) => c.finish(additional_data),
        }
    }

    /// Takes back the salted-password cache (with any entry this exchange added).
    pub fn take_cache(&mut self) -> SaltedPasswordCache {
        match &mut self.inner {
            Inner::Scram(c) => c.take_cache(),
            Inner::Plain(_) | Inner::DigestMd5(_) => core::mem::take(&mut self.cache),
        }
    }
}
