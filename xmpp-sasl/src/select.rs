//! Client-side mechanism selection.

use crate::{ChannelBinding, ChannelBindingType, Gs2Binding, Mechanism, SaslError};

/// The client's choice: a mechanism and, for SCRAM, the gs2 channel-binding decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The mechanism to start.
    pub mechanism: Mechanism,
    /// For SCRAM: the gs2 flag and binding data (always [`Gs2Binding::Bound`] for `-PLUS`).
    /// Ignored by other mechanisms.
    pub binding: Gs2Binding,
}

/// What the client knows about the connection when choosing a mechanism.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionInfo<'a> {
    /// Whether the stream is TLS-protected (STARTTLS done, or direct TLS).
    pub tls_established: bool,
    /// Channel-binding data the TLS layer provides, in the client's order of preference
    /// (put `tls-exporter` first when available). Empty without TLS.
    pub channel_bindings: &'a [ChannelBinding],
    /// The binding types the server advertised with XEP-0440 `<sasl-channel-binding/>`, if
    /// it sent that feature (unknown names are ignored).
    pub server_binding_types: Option<&'a [ChannelBindingType]>,
}

/// The client's mechanism policy: which mechanisms it may use, in which order.
///
/// Default preference: `SCRAM-SHA-512-PLUS`, `-256-PLUS`, `-1-PLUS` (when binding data is
/// shared with the server), then `SCRAM-SHA-512`, `-256`, `-1`, then `PLAIN` over TLS.
/// DIGEST-MD5 only when [`enable_historic_digest_md5`](Self::enable_historic_digest_md5)
/// was called (ranked below SCRAM, above PLAIN); PLAIN without TLS only with the loudly
/// named [`insecure_allow_plain_without_tls`](Self::insecure_allow_plain_without_tls).
///
/// Channel binding never blocks a login: without a shared binding type, non-PLUS SCRAM is
/// used with gs2 flag `n`; if the server offered no `-PLUS` mechanism at all while the
/// client could bind, the flag is `y` so that a server which does support binding detects
/// the stripped offer (RFC 5802 §6).
///
/// ```
/// use xmpp_sasl::*;
/// let cb = [ChannelBinding::new(ChannelBindingType::TlsExporter, vec![9; 32])];
/// let info = ConnectionInfo { tls_established: true, channel_bindings: &cb, server_binding_types: None };
/// let pick = ClientPolicy::new().select(&["PLAIN", "SCRAM-SHA-1", "SCRAM-SHA-256-PLUS"], &info)?;
/// assert_eq!(pick.mechanism, Mechanism::ScramSha256Plus);
/// let pick = ClientPolicy::new().select(&["PLAIN", "SCRAM-SHA-1"], &info)?;
/// assert_eq!((pick.mechanism, pick.binding), (Mechanism::ScramSha1, Gs2Binding::ServerLacksSupport));
/// # Ok::<(), SaslError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClientPolicy {
    allowed: Option<Vec<Mechanism>>,
    digest_md5: bool,
    plain_without_tls: bool,
}

impl ClientPolicy {
    /// The default policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows only the listed mechanisms (preference order stays the built-in one).
    pub fn allow_only(mut self, mechanisms: &[Mechanism]) -> Self {
        self.allowed = Some(mechanisms.to_vec());
        self
    }

    /// Lets the historic DIGEST-MD5 (RFC 6331) be chosen when nothing better is offered.
    pub fn enable_historic_digest_md5(mut self) -> Self {
        self.digest_md5 = true;
        self
    }

    /// **Insecure**: lets PLAIN be chosen on a stream without TLS, sending the password in
    /// the clear. For tests on loopback only.
    pub fn insecure_allow_plain_without_tls(mut self) -> Self {
        self.plain_without_tls = true;
        self
    }

    fn allows(&self, m: Mechanism) -> bool {
        let listed = self.allowed.as_ref().is_none_or(|a| a.contains(&m));
        listed && (m != Mechanism::DigestMd5 || self.digest_md5)
    }

    /// Chooses a mechanism from the names the server offered.
    ///
    /// Fails with [`SaslError::PlainRequiresTls`] when only PLAIN would do but the stream is
    /// not encrypted, and [`SaslError::NoAcceptableMechanism`] otherwise.
    pub fn select<S: AsRef<str>>(
        &self,
        offered: &[S],
        info: &ConnectionInfo<'_>,
    ) -> Result<Selection, SaslError> {
        let offered: Vec<Mechanism> = offered
            .iter()
            .filter_map(|name| Mechanism::from_name(name.as_ref()))
            .collect();
        let server_offers_plus = offered.iter().any(|m| m.is_plus());
        let usable_bindings: &[ChannelBinding] = if info.tls_established {
            info.channel_bindings
        } else {
            &[]
        };
        let shared = usable_bindings.iter().find(|cb| {
            info.server_binding_types
                .is_none_or(|types| types.contains(&cb.kind()))
        });
        let mut plain_refused = false;
        for m in Mechanism::ALL {
            if !offered.contains(&m) || !self.allows(m) {
                continue;
            }
            let binding = if m.is_plus() {
                match shared {
                    Some(cb) => Gs2Binding::Bound(cb.clone()),
                    None => continue,
                }
            } else if m.scram_hash().is_some() && !usable_bindings.is_empty() && !server_offers_plus
            {
                Gs2Binding::ServerLacksSupport
            } else {
                Gs2Binding::NotSupported
            };
            if m == Mechanism::Plain && !info.tls_established && !self.plain_without_tls {
                plain_refused = true;
                continue;
            }
            return Ok(Selection {
                mechanism: m,
                binding,
            });
        }
        Err(if plain_refused {
            SaslError::PlainRequiresTls
        } else {
            SaslError::NoAcceptableMechanism
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cb(kind: ChannelBindingType) -> ChannelBinding {
        ChannelBinding::new(kind, vec![1, 2, 3])
    }

    const ALL_NAMES: [&str; 8] = [
        "PLAIN",
        "DIGEST-MD5",
        "SCRAM-SHA-1",
        "SCRAM-SHA-1-PLUS",
        "SCRAM-SHA-256",
        "SCRAM-SHA-256-PLUS",
        "SCRAM-SHA-512",
        "SCRAM-SHA-512-PLUS",
    ];

    fn info<'a>(
        tls: bool,
        cbs: &'a [ChannelBinding],
        types: Option<&'a [ChannelBindingType]>,
    ) -> ConnectionInfo<'a> {
        ConnectionInfo {
            tls_established: tls,
            channel_bindings: cbs,
            server_binding_types: types,
        }
    }

    #[test]
    fn prefers_plus_then_strongest_hash() {
        let cbs = [cb(ChannelBindingType::TlsExporter)];
        let s = ClientPolicy::new()
            .select(&ALL_NAMES, &info(true, &cbs, None))
            .unwrap();
        assert_eq!(s.mechanism, Mechanism::ScramSha512Plus);
        assert_eq!(s.binding, Gs2Binding::Bound(cbs[0].clone()));
        let s = ClientPolicy::new()
            .select(&ALL_NAMES, &info(true, &[], None))
            .unwrap();
        assert_eq!(
            (s.mechanism, s.binding),
            (Mechanism::ScramSha512, Gs2Binding::NotSupported)
        );
    }

    #[test]
    fn xep0440_picks_a_shared_type_or_falls_back_with_n() {
        let cbs = [
            cb(ChannelBindingType::TlsExporter),
            cb(ChannelBindingType::TlsServerEndPoint),
        ];
        let types = [
            ChannelBindingType::TlsServerEndPoint,
            ChannelBindingType::TlsUnique,
        ];
        let s = ClientPolicy::new()
            .select(&ALL_NAMES, &info(true, &cbs, Some(&types)))
            .unwrap();
        assert_eq!(s.binding, Gs2Binding::Bound(cbs[1].clone()));
        // No shared type: never fail, fall back to non-PLUS with `n` (a `y` would be rejected
        // by a server that offered -PLUS).
        let only_unique = [ChannelBindingType::TlsUnique];
        let s = ClientPolicy::new()
            .select(&ALL_NAMES, &info(true, &cbs, Some(&only_unique)))
            .unwrap();
        assert_eq!(
            (s.mechanism, s.binding),
            (Mechanism::ScramSha512, Gs2Binding::NotSupported)
        );
    }

    #[test]
    fn y_flag_when_server_offers_no_plus() {
        let cbs = [cb(ChannelBindingType::TlsExporter)];
        let s = ClientPolicy::new()
            .select(&["SCRAM-SHA-256", "PLAIN"], &info(true, &cbs, None))
            .unwrap();
        assert_eq!(
            (s.mechanism, s.binding),
            (Mechanism::ScramSha256, Gs2Binding::ServerLacksSupport)
        );
        // Without TLS binding data is meaningless: `n`.
        let s = ClientPolicy::new()
            .select(&["SCRAM-SHA-256"], &info(false, &cbs, None))
            .unwrap();
        assert_eq!(s.binding, Gs2Binding::NotSupported);
        // Allow-list excluding PLUS while the server offers it: `n`, not `y`.
        let s = ClientPolicy::new()
            .allow_only(&[Mechanism::ScramSha1])
            .select(&ALL_NAMES, &info(true, &cbs, None))
            .unwrap();
        assert_eq!(
            (s.mechanism, s.binding),
            (Mechanism::ScramSha1, Gs2Binding::NotSupported)
        );
    }

    #[test]
    fn plain_and_digest_rules() {
        let e = ClientPolicy::new()
            .select(&["PLAIN"], &info(false, &[], None))
            .unwrap_err();
        assert_eq!(e, SaslError::PlainRequiresTls);
        let s = ClientPolicy::new()
            .insecure_allow_plain_without_tls()
            .select(&["PLAIN"], &info(false, &[], None))
            .unwrap();
        assert_eq!(s.mechanism, Mechanism::Plain);
        let s = ClientPolicy::new()
            .select(&["PLAIN"], &info(true, &[], None))
            .unwrap();
        assert_eq!(s.mechanism, Mechanism::Plain);
        let e = ClientPolicy::new()
            .select(&["DIGEST-MD5", "X-OAUTH"], &info(true, &[], None))
            .unwrap_err();
        assert_eq!(e, SaslError::NoAcceptableMechanism);
        let s = ClientPolicy::new()
            .enable_historic_digest_md5()
            .select(&["PLAIN", "DIGEST-MD5"], &info(true, &[], None))
            .unwrap();
        assert_eq!(s.mechanism, Mechanism::DigestMd5);
        let e = ClientPolicy::new()
            .allow_only(&[Mechanism::ScramSha256])
            .select(&["SCRAM-SHA-1"], &info(true, &[], None))
            .unwrap_err();
        assert_eq!(e, SaslError::NoAcceptableMechanism);
        let none: [&str; 0] = [];
        assert!(
            ClientPolicy::new()
                .select(&none, &info(true, &[], None))
                .is_err()
        );
    }
}
