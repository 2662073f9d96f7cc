//! A loopback scenario shared by the tokio and smol test suites (included with
//! `#[path]`): our client against our own server core, both through the adapter, over
//! TCP on 127.0.0.1 with rustls and a test CA made by rcgen.

use std::future::Future;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::channel::mpsc;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use xmpp_adapter::{
    Client, ConnectConfig, Error, Event, Events, Runtime, ServeOptions, ServerTlsConfig, Session,
    SessionEvent, SessionEvents,
};
use xmpp_core::{IqResponse, ServerCommand, ServerConfig, ServerEvent};
use xmpp_jid::Jid;
use xmpp_sasl::{Account, CredentialAnswer};
use xmpp_stanza::{Element, Iq, Message, Stanza, StanzaErrorCondition};

pub const DOMAIN: &str = "example.test";
pub const PASSWORD: &str = "pw-alice-Zq81";

/// What a test runtime adds to [`Runtime`].
pub trait TestRuntime: Runtime {
    /// Runs a future to completion on this runtime.
    fn block_on<F: Future + Send + 'static>(f: F) -> F::Output
    where
        F::Output: Send;
    /// The runtime's transport for an accepted std stream.
    fn adopt(stream: std::net::TcpStream) -> Self::Transport;
}

/// A test CA and a server certificate for [`DOMAIN`] it signs.
pub struct Pki {
    pub dir: PathBuf,
    pub ca_file: PathBuf,
    pub server: ServerTlsConfig,
}

pub fn pki(name: &str) -> Pki {
    let dir = std::env::temp_dir().join(format!("xmpp-adapter-{name}-{}", std::process::id()));
    let certs = crate::processes::certs(&dir, DOMAIN);
    let server =
        ServerTlsConfig::from_pem_files(&certs.join("server.pem"), &certs.join("server.key"))
            .unwrap();
    Pki {
        dir,
        ca_file: certs.join("ca.pem"),
        server,
    }
}

/// Starts our server on 127.0.0.1 (accounts alice and bob with [`PASSWORD`]); returns
/// its port. It serves every connection until the test process ends.
pub fn start_server<R: TestRuntime>(tls: ServerTlsConfig) -> u16 {
    start_server_with::<R>(Some(tls), false)
}

/// [`start_server`], with TLS from the first byte (XEP-0368) if `direct_tls`, and
/// without TLS at all (a plaintext test server) if `tls` is `None`.
pub fn start_server_with<R: TestRuntime>(tls: Option<ServerTlsConfig>, direct_tls: bool) -> u16 {
    start_server_config::<R>(tls, direct_tls, ServerConfig::new(DOMAIN).unwrap())
}

/// [`start_server_with`] with the core's configuration given.
pub fn start_server_config<R: TestRuntime>(
    tls: Option<ServerTlsConfig>,
    direct_tls: bool,
    config: ServerConfig,
) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, mut rx) = mpsc::unbounded();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(1000) {
            if tx.unbounded_send(stream.unwrap()).is_err() {
                break;
            }
        }
    });
    let config = Arc::new(config);
    R::spawn(async move {
        while let Some(stream) = rx.next().await {
            stream.set_nonblocking(true).unwrap();
            let options = ServeOptions {
                tls: tls.clone(),
                direct_tls,
                tls_timeout: Duration::from_secs(5),
            };
            if let Ok((session, events)) =
                xmpp_adapter::serve_with::<R>(R::adopt(stream), config.clone(), options).await
            {
                R::spawn(serve_session(session, events));
            }
        }
    });
    port
}

/// The test server's application: accounts, binding, echo of messages, IQ results.
async fn serve_session(session: Session, mut events: SessionEvents) {
    while let Some(SessionEvent::Core(event)) = events.next().await {
        let command = match event {
            ServerEvent::CredentialsRequested { id, authcid, .. } => {
                let answer = match authcid.as_str() {
                    "alice" | "bob" => CredentialAnswer::Found(Account::with_password(PASSWORD)),
                    _ => CredentialAnswer::UnknownUser,
                };
                ServerCommand::ProvideCredentials { id, answer }
            }
            ServerEvent::BindRequested {
                id,
                user,
                requested,
            } => ServerCommand::Bind {
                id,
                // RFC 6120 §7.6: a resource the client left to the server.
                result: match requested {
                    Some(jid) => Ok(jid),
                    None => user
                        .with_resource("assigned")
                        .map_err(|_| StanzaErrorCondition::InternalServerError),
                },
            },
            ServerEvent::Stanza(stanza) => match *stanza {
                Stanza::Message(m) => {
                    let (Some(from), Some(body)) = (m.from.clone(), m.body()) else {
                        continue;
                    };
                    // "flood N": N messages in a burst, and no echo.
                    if let Some(n) = body.strip_prefix("flood ") {
                        for i in 0..n.parse().unwrap_or(0) {
                            let burst = Message::chat(from.clone(), format!("flood {i}"));
                            if session.command(ServerCommand::send(burst)).await.is_err() {
                                return;
                            }
                        }
                        continue;
                    }
                    let mut echo = Message::chat(from, format!("echo: {body}"));
                    echo.from = m.to.clone();
                    ServerCommand::send(echo)
                }
                Stanza::Iq(iq) if iq.id.starts_with("ignore") => continue,
                Stanza::Iq(iq) => {
                    let Some(mut reply) = iq.result_reply(None) else {
                        continue;
                    };
                    reply.from = Some(Jid::new(DOMAIN).unwrap());
                    ServerCommand::send(reply)
                }
                _ => continue,
            },
            _ => continue,
        };
        if session.command(command).await.is_err() {
            break;
        }
    }
}

/// One line per event, without the parts that change between runs.
pub fn describe(event: &Event) -> String {
    match event {
        Event::Authenticated(m) => format!("authenticated {}", m.name()),
        Event::Online { jid, .. } => format!("online {}", jid.to_bare()),
        Event::Stanza(s) => match &**s {
            Stanza::Message(m) => format!(
                "message {} {:?}",
                m.from.as_ref().map(|j| j.to_string()).unwrap_or_default(),
                m.body()
            ),
            other => format!("stanza {:?}", other.id()),
        },
        Event::Closed(None) => "closed".into(),
        Event::Closed(Some(e)) => format!("closed with {e}"),
        other => format!("{other:?}"),
    }
}

fn config(port: u16, pki: &Pki, password: &str) -> ConnectConfig {
    ConnectConfig::new(&format!("alice@{DOMAIN}/loop"), password)
        .unwrap()
        .server("127.0.0.1", port)
        .ca_file(&pki.ca_file)
}

/// Log in, message round trip, IQ ping, graceful close: the event trace.
pub async fn happy_path<R: TestRuntime>(port: u16, pki: &Pki) -> Vec<String> {
    let (client, mut events) = xmpp_adapter::connect_with::<R>(config(port, pki, PASSWORD))
        .await
        .unwrap();
    assert_eq!(client.jid().to_string(), format!("alice@{DOMAIN}/loop"));
    // The features after authentication reach the handle (they offered binding).
    assert!(client.features().bind && client.features().starttls.is_none());
    let mut trace = Vec::new();
    let next = async |events: &mut Events| {
        let event = events.next().await.unwrap();
        describe(&event)
    };
    trace.push(next(&mut events).await);
    trace.push(next(&mut events).await);
    client
        .send(Message::chat(Jid::new(DOMAIN).unwrap(), "hi"))
        .await
        .unwrap();
    trace.push(next(&mut events).await);
    let ping = Iq::get("ping-1", Element::new("ping", "urn:xmpp:ping"));
    match client.iq(ping, Some(Duration::from_secs(5))).await.unwrap() {
        IqResponse::Result(iq) => trace.push(format!("iq result {}", iq.id)),
        other => panic!("{other:?}"),
    }
    client.close().await.unwrap();
    trace.push(next(&mut events).await);
    assert!(events.next().await.is_none());
    assert!(matches!(
        client.send(Message::new()).await,
        Err(Error::Closed)
    ));
    trace
}

/// The trace [`happy_path`] must produce, with either adapter.
pub fn expected_trace() -> Vec<String> {
    [
        "authenticated SCRAM-SHA-512-PLUS",
        "online alice@example.test",
        "message example.test Some(\"echo: hi\")",
        "iq result ping-1",
        "closed",
    ]
    .map(String::from)
    .to_vec()
}

/// A wrong password fails with the server's SASL condition.
pub async fn wrong_password<R: TestRuntime>(port: u16, pki: &Pki) {
    match xmpp_adapter::connect_with::<R>(config(port, pki, "wrong")).await {
        Err(Error::Auth(e)) => {
            assert_eq!(
                e.condition(),
                Some(xmpp_sasl::SaslCondition::NotAuthorized),
                "{e}"
            )
        }
        other => panic!("expected an auth error: {:?}", other.map(|_| ())),
    }
}

/// A certificate from a CA we do not trust is refused during STARTTLS, with rustls'
/// verdict and the CA file.
pub async fn untrusted_certificate<R: TestRuntime>(port: u16, other: &Pki) {
    match xmpp_adapter::connect_with::<R>(config(port, other, PASSWORD)).await {
        Err(e @ Error::UntrustedCertificate { .. }) => {
            let Error::UntrustedCertificate { ca_file, source } = &e else {
                unreachable!()
            };
            assert_eq!(ca_file.as_deref(), Some(other.ca_file.as_path()), "{e}");
            // Both test CAs have the same (empty) name: the chain is built, and its
            // signature fails.
            use rustls::CertificateError::{BadSignature, UnknownIssuer};
            assert!(
                matches!(
                    source,
                    rustls::Error::InvalidCertificate(UnknownIssuer | BadSignature)
                ),
                "{e}"
            );
            assert!(e.to_string().contains("pin"), "{e}");
        }
        other => panic!("expected an untrusted certificate: {:?}", other.map(|_| ())),
    }
}

/// A self-signed certificate for [`DOMAIN`] marked as a CA, as
/// `openssl req -x509 -addext subjectAltName=DNS:…` makes them.
pub struct SelfSigned {
    /// Its PEM file (nothing else in it): the client's CA file to pin it.
    pub cert_file: PathBuf,
    /// The certificate.
    pub cert: CertificateDer<'static>,
    /// Its private key (PKCS #8 DER).
    pub key: Vec<u8>,
    /// A server presenting it.
    pub server: ServerTlsConfig,
}

/// A new [`SelfSigned`] certificate (its own key), written under a directory named
/// after `name`.
pub fn self_signed(name: &str) -> SelfSigned {
    let dir = std::env::temp_dir().join(format!("xmpp-adapter-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec![DOMAIN.to_owned()]).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    let cert_file = dir.join("server.crt");
    std::fs::write(&cert_file, cert.pem()).unwrap();
    let der = CertificateDer::from(cert.der().to_vec());
    let pkcs8 = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let server = ServerTlsConfig::new(vec![der.clone()], pkcs8).unwrap();
    SelfSigned {
        cert_file,
        cert: der,
        key: key.serialize_der(),
        server,
    }
}

/// Logs in to the test server on `port` trusting only `ca_file`, and closes: the
/// event trace.
async fn login_with_ca_file<R: TestRuntime>(
    port: u16,
    ca_file: &std::path::Path,
) -> Result<Vec<String>, Error> {
    let config = ConnectConfig::new(&format!("alice@{DOMAIN}/pinned"), PASSWORD)
        .unwrap()
        .server("127.0.0.1", port)
        .ca_file(ca_file);
    let (client, mut events) = xmpp_adapter::connect_with::<R>(config).await?;
    client.close().await.unwrap();
    let mut trace = Vec::new();
    while let Some(event) = events.next().await {
        trace.push(describe(&event));
    }
    Ok(trace)
}

/// A server with a self-signed CA certificate, and a client whose CA file is exactly
/// that certificate: the certificate is pinned, the login succeeds (with channel
/// binding).
pub async fn pinned_certificate<R: TestRuntime>(name: &str) {
    let server = self_signed(name);
    let port = start_server::<R>(server.server.clone());
    let trace = login_with_ca_file::<R>(port, &server.cert_file).await;
    assert_eq!(
        trace.unwrap(),
        [
            "authenticated SCRAM-SHA-512-PLUS",
            "online alice@example.test",
            "closed"
        ]
    );
}

/// A server with a self-signed certificate, and a client whose CA file holds another
/// self-signed certificate for the same name: refused as untrusted, with a message
/// that says how to pin.
pub async fn other_pinned_certificate_is_refused<R: TestRuntime>(name: &str) {
    let server = self_signed(&format!("{name}-server"));
    let other = self_signed(&format!("{name}-other"));
    let port = start_server::<R>(server.server.clone());
    match login_with_ca_file::<R>(port, &other.cert_file).await {
        Err(e @ Error::UntrustedCertificate { .. }) => {
            let Error::UntrustedCertificate { ca_file, source } = &e else {
                unreachable!()
            };
            assert_eq!(ca_file.as_deref(), Some(other.cert_file.as_path()), "{e}");
            assert!(
                matches!(source, rustls::Error::InvalidCertificate(_)),
                "{source:?}"
            );
            let message = e.to_string();
            for expected in ["neither in the CA file", "nor signed by", "pin", "exactly"] {
                assert!(message.contains(expected), "{expected:?} not in {message}");
            }
        }
        other => panic!("expected an untrusted certificate: {other:?}"),
    }
}

/// A server that presents the pinned certificate without its key (signing with
/// another one): the handshake signature does not verify, the connection is refused.
pub async fn pinned_certificate_without_its_key_is_refused<R: TestRuntime>(name: &str) {
    let pinned = self_signed(&format!("{name}-pinned"));
    let thief = self_signed(&format!("{name}-thief"));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(thief.key.clone()));
    let signer = provider.key_provider.load_private_key(key).unwrap();
    let stolen = rustls::sign::CertifiedKey::new(vec![pinned.cert.clone()], signer);
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(stolen)));
    let tls = ServerTlsConfig {
        config: Arc::new(config),
        end_point: None,
    };
    let port = start_server::<R>(tls);
    match login_with_ca_file::<R>(port, &pinned.cert_file).await {
        Err(Error::Tls(rustls::Error::InvalidCertificate(
            rustls::CertificateError::BadSignature,
        ))) => {}
        other => panic!("expected a bad handshake signature: {other:?}"),
    }
}

/// Nothing listens: the connect fails with an IO error naming the attempt.
pub async fn nothing_listening<R: TestRuntime>(pki: &Pki) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    match xmpp_adapter::connect_with::<R>(config(port, pki, PASSWORD)).await {
        Err(Error::Io {
            during: "connect", ..
        }) => {}
        other => panic!("expected a connect error: {:?}", other.map(|_| ())),
    }
}

/// Sends every log record of the process, at TRACE level, into the returned buffer.
pub fn capture_logs() -> Arc<std::sync::Mutex<Vec<u8>>> {
    #[derive(Clone)]
    struct Buffer(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer(Arc::default());
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    buffer.0
}

/// The captured logs say what happened but hold no password and no SASL payload.
pub fn check_logs(logs: &[u8]) {
    use base64::Engine;
    let logs = String::from_utf8_lossy(logs);
    for expected in [
        "xmpp_client",
        "TLS established",
        "authenticated",
        "online",
        "closed",
        "write",
        "read",
    ] {
        assert!(
            logs.contains(expected),
            "no {expected:?} in the logs:\n{logs}"
        );
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let secrets = [
        PASSWORD.to_owned(),
        b64.encode(PASSWORD),
        "wrong".to_owned(),
        "n=alice".to_owned(), // SCRAM client-first message
        "biws".to_owned(),    // base64 of the gs2 header "n,,", starts every SCRAM payload
        "cD1".to_owned(),     // base64 of "p=" (a -PLUS gs2 header)
        "<auth".to_owned(),
        "<response".to_owned(),
        "<challenge".to_owned(),
    ];
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "{secret:?} was logged:\n{logs}"
        );
    }
}

/// One SRV record: priority, weight, port, target.
pub type SrvData = (u16, u16, u16, &'static str);

/// A DNS server on 127.0.0.1 (UDP) answering SRV queries from `zone` (name → records
/// of priority, weight, port, target) and nothing else; the names asked are sent on
/// the returned channel. It stops after 60 s.
pub fn fake_dns(
    zone: Vec<(&'static str, Vec<SrvData>)>,
) -> (std::net::SocketAddr, std::sync::mpsc::Receiver<String>) {
    use hickory_resolver::proto::op::{Message, MessageType};
    use hickory_resolver::proto::rr::rdata::SRV;
    use hickory_resolver::proto::rr::{Name, RData, Record};
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let addr = socket.local_addr().unwrap();
    let (asked, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let end = std::time::Instant::now() + Duration::from_secs(60);
        let mut buf = [0u8; 1500];
        while std::time::Instant::now() < end {
            let Ok((n, peer)) = socket.recv_from(&mut buf) else {
                continue;
            };
            let Ok(query) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            let mut response = Message::response(query.metadata.id, query.metadata.op_code);
            response.metadata.message_type = MessageType::Response;
            response.metadata.recursion_desired = query.metadata.recursion_desired;
            response.metadata.recursion_available = true;
            for q in &query.queries {
                let name = q.name().to_string();
                let _ = asked.send(name.clone());
                response.add_query(q.clone());
                for (_, records) in zone.iter().filter(|(n, _)| *n == name) {
                    for &(priority, weight, port, target) in records {
                        let srv =
                            SRV::new(priority, weight, port, Name::from_ascii(target).unwrap());
                        response.add_answer(Record::from_rdata(
                            q.name().clone(),
                            60,
                            RData::SRV(srv),
                        ));
                    }
                }
            }
            let _ = socket.send_to(&response.to_vec().unwrap(), peer);
        }
    });
    (addr, rx)
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Logs in through `dns` (no host override) and closes; the names it asked.
pub async fn login_via_dns<R: TestRuntime>(
    dns: std::net::SocketAddr,
    pki: &Pki,
) -> Result<Vec<String>, Error> {
    let config = ConnectConfig::new(&format!("alice@{DOMAIN}/srv"), PASSWORD)
        .unwrap()
        .ca_file(&pki.ca_file)
        .name_server(dns);
    let (client, mut events) = xmpp_adapter::connect_with::<R>(config).await?;
    client.close().await.unwrap();
    let mut trace = Vec::new();
    while let Some(event) = events.next().await {
        trace.push(describe(&event));
    }
    Ok(trace)
}

/// `_xmpp-client` records: the first target refuses, the second (same name check:
/// the certificate is for the domain, not for the 127.0.0.1 target) is used.
pub async fn srv_every_target_in_order<R: TestRuntime>(port: u16, pki: &Pki) {
    let (dns, asked) = fake_dns(vec![(
        "_xmpp-client._tcp.example.test.",
        vec![
            (1, 0, closed_port(), "127.0.0.1."),
            (2, 0, port, "127.0.0.1."),
        ],
    )]);
    let trace = login_via_dns::<R>(dns, pki).await.unwrap();
    assert_eq!(
        trace,
        [
            "authenticated SCRAM-SHA-512-PLUS",
            "online alice@example.test",
            "closed"
        ]
    );
    let asked: Vec<String> = asked.try_iter().collect();
    assert!(
        asked.contains(&"_xmpps-client._tcp.example.test.".to_owned()),
        "{asked:?}"
    );
    assert!(
        asked.contains(&"_xmpp-client._tcp.example.test.".to_owned()),
        "{asked:?}"
    );
}

/// `_xmpps-client` (XEP-0368) records are used with direct TLS.
pub async fn srv_direct_tls<R: TestRuntime>(direct_port: u16, pki: &Pki) {
    let (dns, _) = fake_dns(vec![
        (
            "_xmpps-client._tcp.example.test.",
            vec![(5, 0, direct_port, "127.0.0.1.")],
        ),
        (
            "_xmpp-client._tcp.example.test.",
            vec![(5, 0, closed_port(), "127.0.0.1.")],
        ),
    ]);
    let trace = login_via_dns::<R>(dns, pki).await.unwrap();
    assert_eq!(
        trace,
        [
            "authenticated SCRAM-SHA-512-PLUS",
            "online alice@example.test",
            "closed"
        ]
    );
}

/// Every target refuses: one error listing each attempt in order.
pub async fn srv_all_targets_fail<R: TestRuntime>(pki: &Pki) {
    let (a, b) = (closed_port(), closed_port());
    let (dns, _) = fake_dns(vec![(
        "_xmpp-client._tcp.example.test.",
        vec![(1, 0, a, "127.0.0.1."), (2, 0, b, "127.0.0.1.")],
    )]);
    match login_via_dns::<R>(dns, pki).await {
        Err(e @ Error::Unreachable(_)) => {
            let Error::Unreachable(attempts) = &e else {
                unreachable!()
            };
            assert_eq!(attempts.len(), 2, "{e}");
            for ((target, error), port) in attempts.iter().zip([a, b]) {
                assert_eq!((target.host.as_str(), target.port), ("127.0.0.1", port));
                assert_eq!(target.tls, xmpp_adapter::TargetTls::StartTls);
                assert!(
                    matches!(
                        error,
                        Error::Io {
                            during: "connect",
                            ..
                        }
                    ),
                    "{error:?}"
                );
            }
            let message = e.to_string();
            assert!(
                message.starts_with(&format!("no server reachable: 127.0.0.1:{a} (STARTTLS): ")),
                "{message}"
            );
        }
        other => panic!("expected Unreachable: {other:?}"),
    }
}

/// An IQ nobody answers resolves as a timeout; the session goes on.
pub async fn iq_timeout<R: TestRuntime>(port: u16, pki: &Pki) {
    let (client, _events) = xmpp_adapter::connect_with::<R>(config(port, pki, PASSWORD))
        .await
        .unwrap();
    let ignored = Iq::get("ignore-1", Element::new("ping", "urn:xmpp:ping"));
    let response = client
        .iq(ignored, Some(Duration::from_millis(200)))
        .await
        .unwrap();
    assert_eq!(response, IqResponse::Timeout);
    let answer = Iq::new("answer-1", xmpp_stanza::IqPayload::Result(None));
    assert!(matches!(
        client.iq(answer, None).await,
        Err(Error::NotARequest)
    ));
    let ping = Iq::get("ping-2", Element::new("ping", "urn:xmpp:ping"));
    assert!(matches!(
        client.iq(ping, None).await.unwrap(),
        IqResponse::Result(_)
    ));
}

/// A peer that accepts TCP but never answers the TLS handshake times out.
pub async fn tls_handshake_timeout<R: TestRuntime>(pki: &Pki) {
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let config = config(port, pki, PASSWORD)
        .security(xmpp_adapter::Security::DirectTls)
        .tls_timeout(Duration::from_millis(300));
    match xmpp_adapter::connect_with::<R>(config).await {
        Err(Error::Timeout("TLS handshake")) => {}
        other => panic!("expected a handshake timeout: {:?}", other.map(|_| ())),
    }
    drop(silent);
}

/// A server without TLS: refused by default (STARTTLS required), usable with the
/// loudly named test mode.
pub async fn plaintext_server<R: TestRuntime>(pki: &Pki) {
    let port = start_server_with::<R>(None, false);
    match xmpp_adapter::connect_with::<R>(config(port, pki, PASSWORD)).await {
        Err(Error::Policy(xmpp_core::CloseReason::TlsNotOffered)) => {}
        other => panic!("expected TlsNotOffered: {:?}", other.map(|_| ())),
    }
    let insecure = config(port, pki, PASSWORD).security(xmpp_adapter::Security::InsecurePlaintext);
    let (client, mut events) = xmpp_adapter::connect_with::<R>(insecure).await.unwrap();
    assert!(matches!(events.next().await, Some(Event::Authenticated(_))));
    client.close().await.unwrap();
    let mut last = None;
    while let Some(event) = events.next().await {
        last = Some(describe(&event));
    }
    assert_eq!(last.as_deref(), Some("closed"));
}

/// `fut`'s output, or `None` after `after`.
async fn within<R: Runtime, T>(after: Duration, fut: impl Future<Output = T>) -> Option<T> {
    use futures::FutureExt;
    let timer = R::sleep_until(std::time::Instant::now() + after);
    futures::select! {
        value = fut.fuse() => Some(value),
        () = timer.fuse() => None,
    }
}

/// A client online with the test server, after asking it for a burst of 200
/// messages and leaving half a second for them to arrive unread; the server's JID.
async fn online_with_unread_flood<R: TestRuntime>(port: u16, pki: &Pki) -> (Client, Events, Jid) {
    let (client, events) = xmpp_adapter::connect_with::<R>(config(port, pki, PASSWORD))
        .await
        .unwrap();
    let server = Jid::new(DOMAIN).unwrap();
    client
        .send(Message::chat(server.clone(), "flood 200"))
        .await
        .unwrap();
    R::sleep_until(std::time::Instant::now() + Duration::from_millis(500)).await;
    (client, events, server)
}

/// The application calls its handle while it leaves events unread (here: more than
/// the event channel holds): the call is still answered, and no event is lost.
pub async fn calls_while_events_pile_up<R: TestRuntime>(port: u16, pki: &Pki) {
    let (client, mut events, server) = online_with_unread_flood::<R>(port, pki).await;
    let call = client.send(Message::chat(server, "after the flood"));
    let answered = within::<R, _>(Duration::from_secs(10), call).await;
    assert!(
        matches!(answered, Some(Ok(()))),
        "the call was not answered while events were unread: {answered:?}"
    );
    let mut bodies = Vec::new();
    while bodies.len() < 201 {
        let event = within::<R, _>(Duration::from_secs(10), events.next()).await;
        match event.flatten() {
            Some(Event::Stanza(s)) => match *s {
                Stanza::Message(m) => bodies.push(m.body().unwrap_or_default().to_owned()),
                other => panic!("{other:?}"),
            },
            Some(Event::Authenticated(_) | Event::Online { .. }) => {}
            other => panic!("after {} messages: {other:?}", bodies.len()),
        }
    }
    let expected: Vec<String> = (0..200)
        .map(|i| format!("flood {i}"))
        .chain(["echo: after the flood".to_owned()])
        .collect();
    assert_eq!(bodies, expected);
    client.close().await.unwrap();
}

/// While events wait unread, the driver serves only a bounded number of calls (what
/// they send cannot be written before the events are delivered): the rest wait —
/// and are all answered, in order, once the application reads its events again.
pub async fn calls_are_bounded_while_events_pile_up<R: TestRuntime>(port: u16, pki: &Pki) {
    use futures::stream::FuturesOrdered;
    let (client, mut events, server) = online_with_unread_flood::<R>(port, pki).await;
    // "flood 0": no burst, no echo — only the call's own answer.
    let mut calls: FuturesOrdered<_> = (0..200)
        .map(|_| client.send(Message::chat(server.clone(), "flood 0")))
        .collect();
    let mut answered = 0;
    let _ = within::<R, _>(Duration::from_millis(500), async {
        while let Some(result) = calls.next().await {
            result.unwrap();
            answered += 1;
        }
    })
    .await;
    assert!(
        (1..=64).contains(&answered),
        "{answered} calls answered while events were unread"
    );
    let mut bodies = 0;
    while bodies < 200 || !calls.is_empty() {
        futures::select! {
            event = events.next() => match event {
                Some(Event::Stanza(_)) => bodies += 1,
                Some(Event::Authenticated(_) | Event::Online { .. }) => {}
                other => panic!("after {bodies} messages: {other:?}"),
            },
            result = calls.select_next_some() => {
                result.unwrap();
                answered += 1;
            }
        }
    }
    assert_eq!((bodies, answered), (200, 200));
    client.close().await.unwrap();
}

/// A runtime `R` whose only transport is a peer that, after a stream header, sends
/// whitespace as fast as it is read — its reads never wait — until told to stop.
pub struct Flood<R>(std::marker::PhantomData<R>);

/// [`Flood`]'s transport.
pub struct FloodTransport {
    header: Option<Vec<u8>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    /// Every write fails (the peer is gone).
    writes_fail: bool,
}

/// [`Flood`] listens nowhere.
pub struct NoListener;

impl xmpp_adapter::Listener for NoListener {
    type Transport = FloodTransport;

    async fn accept(&mut self) -> std::io::Result<(FloodTransport, std::net::SocketAddr)> {
        Err(std::io::ErrorKind::Unsupported.into())
    }

    fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        Err(std::io::ErrorKind::Unsupported.into())
    }
}

impl<R: Runtime> Runtime for Flood<R> {
    type Transport = FloodTransport;
    type Listener = NoListener;
    type Dns = R::Dns;

    async fn bind(_: std::net::SocketAddr) -> std::io::Result<NoListener> {
        Err(std::io::ErrorKind::Unsupported.into())
    }

    async fn connect(_: &str, _: u16) -> std::io::Result<FloodTransport> {
        Err(std::io::ErrorKind::Unsupported.into())
    }

    fn sleep_until(at: std::time::Instant) -> impl Future<Output = ()> + Send {
        R::sleep_until(at)
    }

    fn spawn(task: impl Future<Output = ()> + Send + 'static) {
        R::spawn(task)
    }

    fn dns() -> R::Dns {
        R::dns()
    }
}

impl xmpp_adapter::Transport for FloodTransport {
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(header) = self.header.take() {
            buf[..header.len()].copy_from_slice(&header);
            return Ok(header.len());
        }
        if self.stop.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(0);
        }
        buf.fill(b' ');
        Ok(buf.len())
    }

    async fn write_all(&mut self, _: &[u8]) -> std::io::Result<()> {
        match self.writes_fail {
            true => Err(std::io::ErrorKind::BrokenPipe.into()),
            false => Ok(()),
        }
    }

    async fn shutdown(&mut self) -> std::io::Result<()> {
        Ok(())
    }

    async fn start_tls(
        &mut self,
        side: &xmpp_adapter::TlsSide,
        _: &str,
    ) -> Result<xmpp_core::TlsInfo, Error> {
        Err(Error::NoTlsConfig { role: side.role() })
    }
}

/// A peer that keeps the transport readable (whitespace without end) is still held
/// to the negotiation deadline: the connection closes with the timeout.
pub async fn deadline_despite_a_flood<R: TestRuntime>() {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let header = format!(
        "<?xml version='1.0'?><stream:stream to='{DOMAIN}' version='1.0' \
         xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
    );
    let transport = FloodTransport {
        header: Some(header.into_bytes()),
        stop: stop.clone(),
        writes_fail: false,
    };
    let mut timeouts = xmpp_core::ServerTimeouts::default();
    timeouts.negotiation = Some(Duration::from_millis(300));
    let config = Arc::new(ServerConfig::new(DOMAIN).unwrap().with_timeouts(timeouts));
    let options = ServeOptions {
        tls: None,
        direct_tls: false,
        tls_timeout: Duration::from_secs(5),
    };
    let (_session, mut events) = xmpp_adapter::serve_with::<Flood<R>>(transport, config, options)
        .await
        .unwrap();
    let last = within::<R, _>(Duration::from_secs(5), async {
        let mut last = None;
        while let Some(event) = events.next().await {
            last = Some(event);
        }
        last
    })
    .await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let timeout = xmpp_core::CloseReason::Timeout(xmpp_core::TimerKind::Negotiation);
    assert!(
        matches!(&last, Some(Some(SessionEvent::Closed(Some(Error::Stream(r))))) if *r == timeout),
        "no negotiation timeout while the peer floods: {last:?}"
    );
}

/// A scripted plaintext server (std TCP, a thread): features with PLAIN, `<success/>`,
/// features with bind — and then, instead of answering the bind request, messages
/// without end (up to `limit`, or until the client goes away).
fn stanzas_before_bind_server(limit: usize) -> u16 {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut seen = String::new();
        let mut wait_for = |tcp: &mut std::net::TcpStream, what: &str, count: usize| {
            let mut buf = [0u8; 4096];
            while seen.matches(what).count() < count {
                let n = tcp.read(&mut buf).unwrap();
                assert!(n > 0, "the client closed early: {seen}");
                seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        };
        let header = format!(
            "<?xml version='1.0'?><stream:stream from='{DOMAIN}' id='s1' version='1.0' \
             xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>"
        );
        wait_for(&mut tcp, "<stream:stream", 1);
        let sasl = "urn:ietf:params:xml:ns:xmpp-sasl";
        let features = format!(
            "{header}<stream:features><mechanisms xmlns='{sasl}'>\
             <mechanism>PLAIN</mechanism></mechanisms></stream:features>"
        );
        tcp.write_all(features.as_bytes()).unwrap();
        wait_for(&mut tcp, "</auth>", 1);
        tcp.write_all(format!("<success xmlns='{sasl}'/>").as_bytes())
            .unwrap();
        wait_for(&mut tcp, "<stream:stream", 2);
        let bind = "<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/>";
        let features = format!("{header}<stream:features>{bind}</stream:features>");
        tcp.write_all(features.as_bytes()).unwrap();
        wait_for(&mut tcp, "xmpp-bind", 1);
        let message = format!("<message from='{DOMAIN}'><body>early</body></message>");
        for _ in 0..limit {
            if tcp.write_all(message.as_bytes()).is_err() {
                return;
            }
        }
        // Leave the connection open (the client decides when it ends).
        std::thread::sleep(Duration::from_secs(30));
    });
    port
}

/// A server that sends stanzas without end before binding completes: the client
/// does not buffer them all while it waits to be online — its core closes with
/// `policy-violation` past the configured maximum (not the negotiation timeout, long
/// after).
pub async fn stanzas_before_online_are_bounded<R: TestRuntime>() {
    let port = stanzas_before_bind_server(20_000);
    let policy = xmpp_sasl::ClientPolicy::new()
        .allow_only(&[xmpp_sasl::Mechanism::Plain])
        .insecure_allow_plain_without_tls();
    let mut timeouts = xmpp_core::ClientTimeouts::default();
    timeouts.negotiation = Some(Duration::from_secs(8));
    let config = ConnectConfig::new(&format!("alice@{DOMAIN}/loop"), PASSWORD)
        .unwrap()
        .server("127.0.0.1", port)
        .security(xmpp_adapter::Security::InsecurePlaintext)
        .timeouts(timeouts)
        .with_core(|c| c.with_policy(policy));
    let result = within::<R, _>(
        Duration::from_secs(20),
        xmpp_adapter::connect_with::<R>(config),
    );
    let too_many =
        xmpp_core::CloseReason::Violation(xmpp_core::Violation::TooManyStanzasBeforeOnline);
    match result.await {
        Some(Err(Error::Stream(reason))) if reason == too_many => {}
        other => panic!("{:?}", other.map(|r| r.map(|_| ()))),
    }
}

/// A peer that sends garbage and is gone before our stream error can be written: the
/// connection still reports the violation it closed for, not the failed last write.
pub async fn the_close_reason_survives_a_failed_last_write<R: TestRuntime>() {
    let transport = FloodTransport {
        header: Some(b"<?xml version='1.0'?><garbage/>".to_vec()),
        stop: Arc::new(std::sync::atomic::AtomicBool::new(true)),
        writes_fail: true,
    };
    let config = Arc::new(ServerConfig::new(DOMAIN).unwrap());
    let options = ServeOptions {
        tls: None,
        direct_tls: false,
        tls_timeout: Duration::from_secs(5),
    };
    let (_session, events) = xmpp_adapter::serve_with::<Flood<R>>(transport, config, options)
        .await
        .unwrap();
    let last = within::<R, _>(Duration::from_secs(5), events.collect::<Vec<_>>()).await;
    let last = last.and_then(|mut events| events.pop());
    assert!(
        matches!(
            &last,
            Some(SessionEvent::Closed(Some(Error::Stream(
                xmpp_core::CloseReason::Violation(_)
            ))))
        ),
        "{last:?}"
    );
}
