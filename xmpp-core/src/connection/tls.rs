//! What the TLS layer hands the core: [`TlsInfo`] (version and channel-binding data)
//! and which side of the handshake to take ([`TlsRole`]).

use xmpp_sasl::{ChannelBinding, ChannelBindingType, TLS_EXPORTER_LABEL, TLS_EXPORTER_LEN};

/// The TLS protocol version the adapter negotiated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsVersion {
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
    /// Any other version (the core does not treat it differently).
    Other,
}

/// Which handshake the adapter runs on [`Output::StartTls`](crate::Output::StartTls).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TlsRole {
    /// Connect as a TLS client (the initiating entity).
    Client,
    /// Accept as a TLS server (the receiving entity).
    Server,
}

/// The result of a TLS handshake, as the adapter extracted it: the version and the
/// channel-binding data of the connection (RFC 5056), most preferred first.
///
/// Adapters extract `tls-exporter` with `export_keying_material` (label
/// `EXPORTER-Channel-Binding`, no context, 32 bytes, RFC 9266) and
/// `tls-server-end-point` as the hash of the server certificate (RFC 5929 §4). The
/// client uses the data to choose and run a SCRAM `-PLUS` mechanism; the server to
/// offer `-PLUS` mechanisms, advertise the types (XEP-0440) and check the client's
/// binding.
///
/// ```
/// use xmpp_core::{TlsInfo, TlsVersion};
/// use xmpp_sasl::{ChannelBinding, ChannelBindingType, TLS_EXPORTER_LABEL, TLS_EXPORTER_LEN};
///
/// let info = TlsInfo::new(TlsVersion::Tls13)
///     .with_channel_binding(ChannelBinding::new(ChannelBindingType::TlsExporter, vec![7; 32]));
/// assert_eq!(info.binding_types(), [ChannelBindingType::TlsExporter]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TlsInfo {
    /// The negotiated TLS version.
    pub version: TlsVersion,
    /// Channel-binding data of this connection, most preferred first (at most one per
    /// type: a later one of the same type replaces the earlier).
    pub channel_bindings: Vec<ChannelBinding>,
}

impl TlsInfo {
    /// A TLS connection of `version` without channel-binding data.
    pub fn new(version: TlsVersion) -> TlsInfo {
        TlsInfo {
            version,
            channel_bindings: Vec::new(),
        }
    }

    /// This information with `binding` added (replacing data of the same type).
    pub fn with_channel_binding(mut self, binding: ChannelBinding) -> TlsInfo {
        if let Some(slot) = self
            .channel_bindings
            .iter_mut()
            .find(|b| b.kind() == binding.kind())
        {
            *slot = binding;
        } else {
            self.channel_bindings.push(binding);
        }
        self
    }

    /// The information of a finished handshake of `version`: `tls-exporter` first —
    /// only on TLS 1.3, where RFC 9266 §3 makes it safe (on TLS 1.2 it needs the
    /// extended master secret, which cannot be checked here) — from `export`, which
    /// exports keying material for a label ([`TLS_EXPORTER_LABEL`]) with an empty
    /// context and [`TLS_EXPORTER_LEN`] bytes; then `end_point`, the
    /// `tls-server-end-point` data ([`xmpp_sasl::tls_server_end_point`] of the
    /// server's certificate).
    ///
    /// ```
    /// use xmpp_core::{TlsInfo, TlsVersion};
    /// use xmpp_sasl::ChannelBindingType;
    ///
    /// let info = TlsInfo::from_handshake(TlsVersion::Tls13, None, |_label, len| Some(vec![7; len]));
    /// assert_eq!(info.binding_types(), [ChannelBindingType::TlsExporter]);
    /// let info = TlsInfo::from_handshake(TlsVersion::Tls12, None, |_label, len| Some(vec![7; len]));
    /// assert!(info.binding_types().is_empty());
    /// ```
    pub fn from_handshake(
        version: TlsVersion,
        end_point: Option<ChannelBinding>,
        export: impl FnOnce(&[u8], usize) -> Option<Vec<u8>>,
    ) -> TlsInfo {
        let mut info = TlsInfo::new(version);
        let exported = match version {
            TlsVersion::Tls13 => export(TLS_EXPORTER_LABEL, TLS_EXPORTER_LEN),
            _ => None,
        };
        if let Some(data) = exported {
            let kind = ChannelBindingType::TlsExporter;
            info = info.with_channel_binding(ChannelBinding::new(kind, data));
        }
        if let Some(end_point) = end_point {
            info = info.with_channel_binding(end_point);
        }
        info
    }

    /// The channel-binding types available, in preference order.
    pub fn binding_types(&self) -> Vec<ChannelBindingType> {
        self.channel_bindings.iter().map(|b| b.kind()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binding_of_the_same_type_replaces_the_earlier() {
        let info = TlsInfo::new(TlsVersion::Tls12)
            .with_channel_binding(ChannelBinding::new(
                ChannelBindingType::TlsServerEndPoint,
                vec![1],
            ))
            .with_channel_binding(ChannelBinding::new(
                ChannelBindingType::TlsExporter,
                vec![2],
            ))
            .with_channel_binding(ChannelBinding::new(
                ChannelBindingType::TlsServerEndPoint,
                vec![3],
            ));
        assert_eq!(info.channel_bindings.len(), 2);
        assert_eq!(info.channel_bindings[0].data(), [3]);
        assert_eq!(
            info.binding_types(),
            [
                ChannelBindingType::TlsServerEndPoint,
                ChannelBindingType::TlsExporter
            ]
        );
    }
}
