//! Channel-binding types and data (RFC 5056), given by the caller after TLS is up.

use core::fmt;

/// A channel-binding type usable with SCRAM `-PLUS` mechanisms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ChannelBindingType {
    /// `tls-exporter` (RFC 9266): keying material exported with the label
    /// `EXPORTER-Channel-Binding`; the default for TLS 1.3.
    TlsExporter,
    /// `tls-server-end-point` (RFC 5929 §4): a hash of the server's certificate.
    TlsServerEndPoint,
    /// `tls-unique` (RFC 5929 §3): the first Finished message; TLS 1.2 only. Supported for
    /// the RFC vectors and servers (such as ejabberd) that still advertise it.
    TlsUnique,
}

impl ChannelBindingType {
    /// Every type, in this crate's default preference order (strongest first).
    pub const ALL: [ChannelBindingType; 3] = [
        ChannelBindingType::TlsExporter,
        ChannelBindingType::TlsServerEndPoint,
        ChannelBindingType::TlsUnique,
    ];

    /// The registered name, as used in the gs2 header (`p=tls-exporter`) and XEP-0440.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelBindingType::TlsExporter => "tls-exporter",
            ChannelBindingType::TlsServerEndPoint => "tls-server-end-point",
            ChannelBindingType::TlsUnique => "tls-unique",
        }
    }

    /// Parses a registered name (case-sensitive, as RFC 5056 names are); `None` if unknown.
    pub fn from_name(name: &str) -> Option<Self> {
        ChannelBindingType::ALL
            .into_iter()
            .find(|t| t.as_str() == name)
    }
}

impl fmt::Display for ChannelBindingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Channel-binding data of one type for the current TLS connection, extracted by the
/// adapter and handed in by the caller.
///
/// ```
/// use xmpp_sasl::{ChannelBinding, ChannelBindingType};
/// let cb = ChannelBinding::new(ChannelBindingType::TlsExporter, vec![7; 32]);
/// assert_eq!(cb.kind().as_str(), "tls-exporter");
/// assert_eq!(cb.data().len(), 32);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ChannelBinding {
    kind: ChannelBindingType,
    data: Vec<u8>,
}

impl ChannelBinding {
    /// Binding data `data` of type `kind`.
    pub fn new(kind: ChannelBindingType, data: Vec<u8>) -> Self {
        Self { kind, data }
    }

    /// The binding type.
    pub fn kind(&self) -> ChannelBindingType {
        self.kind
    }

    /// The binding data.
    pub fn data(&self) -> &[u8] {
        &self.data
    }
}

impl fmt::Debug for ChannelBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChannelBinding")
            .field("kind", &self.kind)
            .field("data_len", &self.data.len())
            .finish()
    }
}

/// The channel-binding choice a SCRAM client announces in its gs2 header (RFC 5802 §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gs2Binding {
    /// `n`: the client does not (or cannot, with this server) use channel binding.
    NotSupported,
    /// `y`: the client supports channel binding but the server offered no `-PLUS`
    /// mechanism. A server that does support it must then fail the exchange (downgrade
    /// detection).
    ServerLacksSupport,
    /// `p=<type>`: bind to this data; only with a `-PLUS` mechanism.
    Bound(ChannelBinding),
}

impl Gs2Binding {
    /// The gs2 channel-binding flag as written in the header (`n`, `y` or `p=<type>`).
    pub fn flag(&self) -> String {
        match self {
            Gs2Binding::NotSupported => "n".to_owned(),
            Gs2Binding::ServerLacksSupport => "y".to_owned(),
            Gs2Binding::Bound(cb) => format!("p={}", cb.kind().as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_debug_hides_data() {
        for t in ChannelBindingType::ALL {
            assert_eq!(ChannelBindingType::from_name(t.as_str()), Some(t));
        }
        assert_eq!(ChannelBindingType::from_name("TLS-UNIQUE"), None);
        let cb = ChannelBinding::new(ChannelBindingType::TlsUnique, vec![0xAB; 12]);
        let shown = format!("{cb:?}");
        assert!(shown.contains("data_len: 12") && !shown.contains("171"));
        assert_eq!(Gs2Binding::Bound(cb).flag(), "p=tls-unique");
        assert_eq!(Gs2Binding::ServerLacksSupport.flag(), "y");
        assert_eq!(Gs2Binding::NotSupported.flag(), "n");
    }
}
