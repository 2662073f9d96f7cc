//! rustls configuration: the client's (trust roots or pinned certificates, SNI and name
//! check against the XMPP domain) and the server's ([`ServerTlsConfig`]), on the ring
//! provider.

use std::fmt;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{WebPkiServerVerifier, verify_server_name};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, ClientConfig, ConnectionCommon, DigitallySignedStruct, OtherError,
    ProtocolVersion, RootCertStore, ServerConfig, SignatureScheme,
};
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
///
/// A certificate of the CA file is trusted in two ways: as a trust anchor (what it
/// signs is trusted, with the usual checks of validity and name), and *pinned* — a
/// server that presents exactly that certificate (byte for byte) as its end-entity
/// certificate is trusted without an issuer, even if it is self-signed and marked as a
/// CA (as `openssl req -x509` makes them), and whatever its validity period. A pinned
/// certificate must still name the domain, and the handshake signature must still
/// verify with its key: a copy of the certificate without the key is refused.
///
/// A certificate trusted neither way fails the handshake with
/// [`Error::UntrustedCertificate`] (through [`Error::tls`]).
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, Error> {
    let provider = provider();
    let mut roots = RootCertStore::empty();
    let mut pinned = Vec::new();
    match ca_file {
        Some(path) => {
            for cert in read_certs(path)? {
                roots
                    .add(cert.clone())
                    .map_err(|e| file_error(path)(io::Error::new(io::ErrorKind::InvalidData, e)))?;
                pinned.push(cert);
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| Error::TlsConfig(rustls::Error::Other(OtherError(Arc::new(e)))))?;
    let verifier = PinningVerifier {
        pinned,
        webpki,
        algorithms: provider.signature_verification_algorithms,
        ca_file: ca_file.map(Path::to_path_buf),
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(Error::TlsConfig)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The client's certificate verifier ([`client_config`]): a certificate of the CA file
/// presented as it is is pinned; every other one goes through rustls' WebPKI verifier.
#[derive(Debug)]
struct PinningVerifier {
    /// The certificates of the CA file (none with the Mozilla roots).
    pinned: Vec<CertificateDer<'static>>,
    /// The usual verifier, on the same certificates as trust anchors.
    webpki: Arc<WebPkiServerVerifier>,
    /// The provider's signature algorithms, for the handshake signatures.
    algorithms: WebPkiSupportedAlgorithms,
    /// The CA file, for the error message.
    ca_file: Option<PathBuf>,
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self
            .pinned
            .iter()
            .any(|p| p.as_ref() == end_entity.as_ref())
        {
            // Trusted as it is: no issuer and no validity period to check. It must
            // still name the domain; the handshake signature proves the key.
            let cert = ParsedCertificate::try_from(end_entity)?;
            verify_server_name(&cert, server_name)?;
            return Ok(ServerCertVerified::assertion());
        }
        let verified = self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        verified.map_err(|error| match error {
            // No path to a trusted certificate (unknown issuer, a CA certificate as
            // the end entity, a chain that does not verify): say what trust means here.
            rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer
                | CertificateError::BadSignature
                | CertificateError::Other(_),
            ) => {
                let not_trusted = NotTrusted {
                    ca_file: self.ca_file.clone(),
                    source: error,
                };
                let other = OtherError(Arc::new(not_trusted));
                rustls::Error::InvalidCertificate(CertificateError::Other(other))
            }
            other => other,
        })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The verdict of [`PinningVerifier`] on a certificate it cannot trust, carried inside
/// the rustls error (as [`CertificateError::Other`]) through the handshake to
/// [`Error::tls`], which makes it an [`Error::UntrustedCertificate`].
#[derive(Debug)]
struct NotTrusted {
    ca_file: Option<PathBuf>,
    source: rustls::Error,
}

impl fmt::Display for NotTrusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ca_file = self.ca_file.as_deref();
        Untrusted {
            ca_file,
            source: &self.source,
        }
        .fmt(f)
    }
}

impl std::error::Error for NotTrusted {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The CA file and rustls' own verdict, if `error` is [`PinningVerifier`]'s refusal of
/// an untrusted certificate.
pub(crate) fn untrusted(error: &rustls::Error) -> Option<(Option<PathBuf>, rustls::Error)> {
    let rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(inner))) = error
    else {
        return None;
    };
    let not_trusted = inner.downcast_ref::<NotTrusted>()?;
    Some((not_trusted.ca_file.clone(), not_trusted.source.clone()))
}

/// The message of [`Error::UntrustedCertificate`]: what was trusted, rustls' verdict,
/// and how to pin a self-signed certificate.
pub(crate) struct Untrusted<'a> {
    /// The CA file; `None` for the Mozilla roots.
    pub(crate) ca_file: Option<&'a Path>,
    /// rustls' verdict.
    pub(crate) source: &'a rustls::Error,
}

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = self.source;
        match self.ca_file {
            Some(path) => write!(
                f,
                "the server's certificate is neither in the CA file {} nor signed by a \
                 certificate in it ({source}); to trust a self-signed certificate, pin it: \
                 put exactly that certificate in the CA file",
                path.display()
            ),
            None => write!(
                f,
                "the server's certificate is not signed by a trusted root ({source}); to \
                 trust a self-signed certificate, pin it: give a CA file holding exactly \
                 that certificate"
            ),
        }
    }
}

/// `config` announcing the XEP-0368 ALPN id, for direct TLS.
pub fn with_alpn(config: &Arc<ClientConfig>) -> Arc<ClientConfig> {
    let mut config = ClientConfig::clone(config);
    config.alpn_protocols = vec![ALPN_XMPP_CLIENT.to_vec()];
    Arc::new(config)
}

/// The TLS name of an XMPP domain, for SNI and the certificate check.
pub fn server_name(domain: &str) -> Result<ServerName<'static>, Error> {
    ServerName::try_from(domain.to_owned()).map_err(|source| Error::ServerName {
        name: domain.into(),
        source,
    })
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
            .map_err(Error::TlsConfig)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(Error::TlsConfig)?;
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
            .map_err(file_error(key_file))?
            .ok_or_else(|| file_error(key_file)(invalid_data("no PEM private key")))?;
        ServerTlsConfig::new(chain, key)
    }
}

/// Every certificate in a PEM file (at least one).
fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs: Vec<_> = rustls_pemfile::certs(&mut open(path)?)
        .collect::<Result<_, _>>()
        .map_err(file_error(path))?;
    if certs.is_empty() {
        return Err(file_error(path)(invalid_data("no PEM certificate")));
    }
    Ok(certs)
}

fn open(path: &Path) -> Result<BufReader<std::fs::File>, Error> {
    std::fs::File::open(path)
        .map(BufReader::new)
        .map_err(file_error(path))
}

/// A function making an [`Error::File`] for `path`, for `map_err`.
fn file_error(path: &Path) -> impl FnOnce(io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::File { path, source }
}

/// An [`io::ErrorKind::InvalidData`] error: a file's content is unusable.
fn invalid_data(what: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unusable_ca_file_is_named() {
        let missing = Path::new("/nonexistent/xmpp-adapter/ca.pem");
        match client_config(Some(missing)) {
            Err(Error::File { path, source }) => {
                assert_eq!(
                    (path.as_path(), source.kind()),
                    (missing, io::ErrorKind::NotFound)
                );
            }
            other => panic!("{other:?}"),
        }
        let name = format!("xmpp-adapter-no-pem-{}.pem", std::process::id());
        let empty = std::env::temp_dir().join(name);
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let result = client_config(Some(&empty));
        let _ = std::fs::remove_file(&empty);
        match result {
            Err(e @ Error::File { .. }) => {
                assert_eq!(
                    e.to_string(),
                    format!("{}: no PEM certificate", empty.display())
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
