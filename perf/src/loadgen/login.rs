//! Logging one load-generator connection in: the core's `ClientConnection` driven
//! by a minimal loop over tokio and tokio-rustls (the adapter's channel-based client
//! API would add its per-stanza overhead to every measured message). After binding,
//! the caller owns the TLS stream and speaks raw XML on it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use xmpp_adapter::{OsEntropy, server_end_point, server_name, tls_info};
use xmpp_core::{ClientConfig, ClientConnection, ClientEvent, Connection, Output};
use xmpp_jid::BareJid;
use xmpp_sasl::scram::SaltedPasswordCache;

/// Where and how to connect.
#[derive(Clone)]
pub struct Target {
    pub addr: String,
    pub domain: String,
    pub tls: Arc<rustls::ClientConfig>,
}

enum Io {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    Gone,
}

/// A logged-in connection: the TLS stream, online as `user@domain/resource`.
pub type Online = TlsStream<TcpStream>;

/// What a login negotiated, e.g. `TLSv1_3/SCRAM-SHA-512-PLUS`.
pub type Negotiated = String;

/// Logs in as `user` with `password` and `resource`, reusing (and returning) the
/// salted-password cache so repeated logins to one account skip PBKDF2; also says
/// which TLS version and SASL mechanism were used.
pub async fn login(
    target: &Target,
    user: &str,
    password: &str,
    resource: &str,
    cache: SaltedPasswordCache,
) -> Result<(Online, SaltedPasswordCache, Negotiated), String> {
    let jid = BareJid::new(&format!("{user}@{}", target.domain)).map_err(|e| e.to_string())?;
    let config = ClientConfig::new(jid, password)
        .map_err(|e| e.to_string())?
        .with_resource(resource)
        .with_salted_password_cache(cache);
    let entropy = OsEntropy::new().map_err(|e| e.to_string())?;
    let mut conn = ClientConnection::new(config, Box::new(entropy), Instant::now())
        .map_err(|e| e.to_string())?;
    let tcp = TcpStream::connect(&target.addr)
        .await
        .map_err(|e| format!("connect {}: {e}", target.addr))?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let mut io = Io::Plain(tcp);
    let mut buf = vec![0u8; 8192];
    let mut mechanism = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        loop {
            match conn.poll_output() {
                Output::Transmit(bytes) => write(&mut io, &bytes).await?,
                Output::StartTls { .. } => {
                    let Io::Plain(tcp) = std::mem::replace(&mut io, Io::Gone) else {
                        return Err("STARTTLS twice".into());
                    };
                    let name = server_name(&target.domain).map_err(|e| e.to_string())?;
                    let tls = TlsConnector::from(target.tls.clone())
                        .connect(name, tcp)
                        .await
                        .map_err(|e| format!("TLS: {e}"))?;
                    let session = tls.get_ref().1;
                    let cert = session.peer_certificates().and_then(|c| c.first());
                    let info = tls_info(session, cert.and_then(|c| server_end_point(c)));
                    io = Io::Tls(Box::new(tls));
                    conn.handle_tls_established(Instant::now(), info);
                }
                Output::Event(ClientEvent::Authenticated { mechanism: m, .. }) => {
                    mechanism = Some(m);
                }
                Output::Event(ClientEvent::Online { .. }) => {
                    let cache = conn.take_salted_password_cache();
                    let Io::Tls(tls) = io else {
                        return Err("online without TLS".into());
                    };
                    let version = tls.get_ref().1.protocol_version();
                    let negotiated = format!(
                        "{}/{}",
                        version.map_or_else(|| "?".to_owned(), |v| format!("{v:?}")),
                        mechanism.map_or("?", |m| m.name())
                    );
                    return Ok((*tls, cache, negotiated));
                }
                Output::Event(_) => {}
                Output::Closed(reason) => return Err(format!("{user}: closed: {reason}")),
                Output::Wait(_) => break,
            }
        }
        let read = async {
            match &mut io {
                Io::Plain(s) => s.read(&mut buf).await,
                Io::Tls(s) => s.read(&mut buf).await,
                Io::Gone => Ok(0),
            }
        };
        let n = tokio::time::timeout_at(deadline, read)
            .await
            .map_err(|_| format!("{user}: login timed out"))?
            .map_err(|e| format!("{user}: read: {e}"))?;
        if n == 0 {
            conn.handle_eof(Instant::now());
        } else {
            conn.handle_input(Instant::now(), buf.get(..n).unwrap_or_default());
        }
    }
}

async fn write(io: &mut Io, bytes: &[u8]) -> Result<(), String> {
    let result = match io {
        Io::Plain(s) => s.write_all(bytes).await,
        Io::Tls(s) => match s.write_all(bytes).await {
            Ok(()) => s.flush().await,
            Err(e) => Err(e),
        },
        Io::Gone => return Err("no transport".into()),
    };
    result.map_err(|e| format!("write: {e}"))
}
