//! [`ConnectConfig`]: the client builder — the core's [`ClientConfig`] (account,
//! mechanisms, protocol timeouts) plus how to reach and secure the transport.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use xmpp_core::{ClientConfig, ClientTimeouts};
use xmpp_jid::Jid;
use xmpp_sasl::{ClientPolicy, Mechanism};

use crate::Error;

/// How the transport is secured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Security {
    /// STARTTLS required (the default); `_xmpps-client` SRV targets (direct TLS,
    /// XEP-0368) are used too, interleaved by priority.
    #[default]
    StartTls,
    /// Direct TLS only: `_xmpps-client` targets, or the domain on port 5223 without
    /// them.
    DirectTls,
    /// **INSECURE, tests on loopback only**: STARTTLS if offered, plaintext otherwise.
    InsecurePlaintext,
}

/// Everything [`connect_with`](crate::connect_with) needs.
///
/// ```
/// use std::time::Duration;
/// use xmpp_sasl::Mechanism;
/// use xmpp_adapter::ConnectConfig;
///
/// let config = ConnectConfig::new("juliet@example.test/balcony", "secret")?
///     .server("127.0.0.1", 15222)
///     .ca_file("certs/ca.pem")
///     .mechanisms(&[Mechanism::ScramSha256])
///     .connect_timeout(Duration::from_secs(5));
/// assert_eq!(config.domain(), "example.test");
/// # Ok::<(), xmpp_adapter::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ConnectConfig {
    pub(crate) core: ClientConfig,
    pub(crate) security: Security,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) server: Option<(String, u16)>,
    pub(crate) name_server: Option<SocketAddr>,
    pub(crate) connect_timeout: Duration,
    pub(crate) tls_timeout: Duration,
}

impl ConnectConfig {
    /// The account `jid` (a resource in it is requested at binding) with `password`;
    /// STARTTLS required, DNS SRV, Mozilla roots, 10 s connect and TLS timeouts.
    ///
    /// Fails with [`Error::Jid`] if `jid` is not a JID, [`Error::Config`] if the core
    /// refuses it (no localpart, an invalid resource).
    pub fn new(jid: &str, password: &str) -> Result<ConnectConfig, Error> {
        let jid = Jid::new(jid).map_err(|source| Error::Jid {
            jid: jid.into(),
            source,
        })?;
        let mut core = ClientConfig::new(jid.to_bare(), password)?;
        if let Some(resource) = jid.resource() {
            core = core.with_resource(resource);
        }
        Ok(ConnectConfig {
            core,
            security: Security::default(),
            ca_file: None,
            server: None,
            name_server: None,
            connect_timeout: Duration::from_secs(10),
            tls_timeout: Duration::from_secs(10),
        })
    }

    /// The XMPP domain (SNI and certificate name).
    pub fn domain(&self) -> &str {
        self.core.jid().domain()
    }

    /// How to secure the transport.
    pub fn security(mut self, security: Security) -> Self {
        self.security = security;
        self
    }

    /// Trust only the certificates in this PEM file (tests, private servers): what they
    /// sign, and each of them presented as it is — a server's self-signed certificate
    /// is pinned by giving a file that holds exactly it
    /// ([`client_config`](crate::client_config)).
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// Connect to `host:port` instead of looking up SRV records. The certificate is
    /// still checked against the XMPP domain.
    pub fn server(mut self, host: impl Into<String>, port: u16) -> Self {
        self.server = Some((host.into(), port));
        self
    }

    /// [`server`](Self::server) from a `HOST:PORT` string (`[v6]:port` too);
    /// [`Error::ServerAddress`] otherwise.
    pub fn server_addr(self, addr: &str) -> Result<Self, Error> {
        let bad = || Error::ServerAddress(addr.into());
        let (host, port) = addr.rsplit_once(':').ok_or_else(bad)?;
        let port = port.parse().map_err(|_| bad())?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(bad());
        }
        Ok(self.server(host, port))
    }

    /// Ask this DNS server (over UDP) for the SRV records instead of the system's
    /// resolvers (private deployments, tests).
    pub fn name_server(mut self, addr: SocketAddr) -> Self {
        self.name_server = Some(addr);
        self
    }

    /// Time allowed for each TCP connect (per target).
    pub fn connect_timeout(mut self, after: Duration) -> Self {
        self.connect_timeout = after;
        self
    }

    /// Time allowed for each TLS handshake.
    pub fn tls_timeout(mut self, after: Duration) -> Self {
        self.tls_timeout = after;
        self
    }

    /// Only these SASL mechanisms may be used (the client still prefers the strongest).
    pub fn mechanisms(mut self, allowed: &[Mechanism]) -> Self {
        self.core = self
            .core
            .with_policy(ClientPolicy::new().allow_only(allowed));
        self
    }

    /// The protocol timeouts (negotiation, close, keepalive, IQ, read idle).
    pub fn timeouts(mut self, timeouts: ClientTimeouts) -> Self {
        self.core = self.core.with_timeouts(timeouts);
        self
    }

    /// Any other setting of the core's [`ClientConfig`].
    pub fn with_core(mut self, f: impl FnOnce(ClientConfig) -> ClientConfig) -> Self {
        self.core = f(self.core);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses() {
        let c = ConnectConfig::new("a@example.test", "pw").unwrap();
        let c = c.server_addr("[::1]:5222").unwrap();
        assert_eq!(c.server, Some(("::1".into(), 5222)));
        for bad in ["nohost", ":5222", "h:port", "h:70000"] {
            assert!(c.clone().server_addr(bad).is_err(), "{bad}");
        }
        assert!(ConnectConfig::new("example.test", "pw").is_err());
        assert!(ConnectConfig::new("@@", "pw").is_err());
    }
}
