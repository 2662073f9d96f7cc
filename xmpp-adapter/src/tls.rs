//! rustls configuration: the client's (trust roots, SNI and name check against the
//! XMPP domain) and the server's ([`ServerTlsConfig`]), on the ring provider.

use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ConnectionCommon, ProtocolVersion, RootCertStore, ServerConfig};
use xmpp_core::{TlsInfo, TlsVersion};
use xmpp_sasl::{ChannelBinding, tls_server_end_point};

use crate::Error;

/// The ALPN protocol id of XMPP client streams over direct TLS (XEP-0368).
const ALPN_XMPP_CLIENT: &[u8] = b"xmpp-client";

/// The [`TlsInfo`] of a finished handshake on `conn`: its version and channel-binding
/// data — `tls-exporter` from rustls' keying-material exporter, and `end_point`
/// (the `tls-server-end-point` data of the server's certificate, if any).
pub fn tls_info<D>(conn: &ConnectionCommon<D>, end_point: Option<ChannelBinding>) -> TlsInfo {
    let version = match conn.protocol_version() {
        Some(ProtocolVersion::TLSv1_3) => TlsVersion::Tls13,
        Some(ProtocolVersion::TLSv1_2) => TlsVersion::Tls12,
        _ => TlsVersion::Other,
    };
    TlsInfo::from_handshake(version, end_point, |label, len| {
        let exported = conn.export_keying_material(vec![0u8; len], label, Some(&[]));
        exported.ok()
    })
}

/// The [`TlsInfo`] of a finished client handshake: [`tls_info`] with the
/// `tls-server-end-point` data of the certificate the server presented.
pub fn client_tls_info(conn: &rustls::ClientConnection) -> TlsInfo {
    let cert = conn.peer_certificates().and_then(|c| c.first());
    tls_info(conn, cert.and_then(|c| tls_server_end_point(c)))
}

/// The [`TlsInfo`] of a finished server handshake: [`tls_info`] with the
/// `tls-server-end-point` data of our own certificate.
pub fn server_tls_info(conn: &rustls::ServerConnection, config: &ServerTlsConfig) -> TlsInfo {
    tls_info(conn, config.end_point.clone())
}

/// The rustls provider every configuration uses.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client configuration trusting the certificates in the PEM file `ca_file` only, or,
/// without one, the Mozilla roots (webpki-roots).
///
/// The server name given at handshake time is the XMPP domain: it is sent as SNI and the
/// certificate is checked against it (never against an SRV target host).
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, Error> {
    let mut roots = RootCertStore::empty();
    match ca_file {
        Some(path) => {
            for cert in read_certs(path)? {
                roots
                    .add(cert)
                    .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// `config` announcing the XEP-0368 ALPN id, for direct TLS.
pub fn with_alpn(config: &Arc<ClientConfig>) -> Arc<ClientConfig> {
    let mut config = ClientConfig::clone(config);
    config.alpn_protocols = vec![ALPN_XMPP_CLIENT.to_vec()];
    Arc::new(config)
}

/// The TLS name of an XMPP domain, for SNI and the certificate check.
pub fn server_name(domain: &str) -> Result<ServerName<'static>, Error> {
    ServerName::try_from(domain.to_owned()).map_err(|e| Error::Tls(format!("{domain}: {e}")))
}

/// What a server needs for its side of STARTTLS or direct TLS: the rustls
/// configuration, and the `tls-server-end-point` binding of its certificate.
#[derive(Clone, Debug)]
pub struct ServerTlsConfig {
    /// The rustls server configuration.
    pub config: Arc<ServerConfig>,
    /// Channel-binding data of the certificate (RFC 5929), if its algorithm has one.
    pub end_point: Option<ChannelBinding>,
}

impl ServerTlsConfig {
    /// From a certificate chain (end-entity first) and its private key.
    pub fn new(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<ServerTlsConfig, Error> {
        let end_point = chain.first().and_then(|c| tls_server_end_point(c));
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| Error::Tls(e.to_string()))?;
        config.alpn_protocols = vec![ALPN_XMPP_CLIENT.to_vec()];
        Ok(ServerTlsConfig {
            config: Arc::new(config),
            end_point,
        })
    }

    /// From PEM files: the chain in `cert_file`, the key in `key_file`.
    pub fn from_pem_files(cert_file: &Path, key_file: &Path) -> Result<ServerTlsConfig, Error> {
        let chain = read_certs(cert_file)?;
        let key = rustls_pemfile::private_key(&mut open(key_file)?)
            .map_err(|e| Error::Config(format!("{}: {e}", key_file.display())))?
            .ok_or_else(|| Error::Config(format!("{}: no private key", key_file.display())))?;
        ServerTlsConfig::new(chain, key)
    }
}

/// Every certificate in a PEM file (at least one).
fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs: Vec<_> = rustls_pemfile::certs(&mut open(path)?)
        .collect::<Result<_, _>>()
        .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(Error::Config(format!("{}: no certificate", path.display())));
    }
    Ok(certs)
}

fn open(path: &Path) -> Result<BufReader<std::fs::File>, Error> {
    std::fs::File::open(path)
        .map(BufReader::new)
        .map_err(|e| Error::Config(format!("{}: {e}", path.display())))
}
