//! A raw XMPP client for bad-input tests: it writes exactly the bytes a test gives
//! it (over TCP, or TLS after a hand-driven STARTTLS) and reads what comes back, so
//! it can misbehave in ways our real client never would.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

const WAIT: Duration = Duration::from_secs(10);

enum Io {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    Closed,
}

/// A raw connection and everything read from it so far.
pub struct Raw {
    io: Io,
    domain: String,
    /// Text received and not yet consumed by a wait.
    pub received: String,
    /// Whether the server closed the TCP connection.
    pub eof: bool,
}

impl Raw {
    /// Connects to 127.0.0.1:`port` for `domain`.
    pub async fn connect(port: u16, domain: &str) -> Raw {
        let tcp = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        Raw {
            io: Io::Plain(tcp),
            domain: domain.to_owned(),
            received: String::new(),
            eof: false,
        }
    }

    /// Writes `bytes` (errors are ignored: the server may already have closed).
    pub async fn send(&mut self, bytes: &[u8]) {
        let _ = match &mut self.io {
            Io::Plain(s) => s.write_all(bytes).await,
            Io::Tls(s) => match s.write_all(bytes).await {
                Ok(()) => s.flush().await,
                Err(e) => Err(e),
            },
            Io::Closed => Ok(()),
        };
    }

    /// The stream header for our domain.
    pub async fn header(&mut self) {
        let header = format!(
            "<?xml version='1.0'?><stream:stream to='{}' version='1.0' xmlns='jabber:client' \
             xmlns:stream='http://etherx.jabber.org/streams'>",
            self.domain
        );
        self.send(header.as_bytes()).await;
    }

    /// Reads until `needle` has arrived (and returns everything up to and including
    /// it), or the connection ends, or the wait times out (then panics).
    pub async fn read_until(&mut self, needle: &str) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Some(i) = self.received.find(needle) {
                let rest = self.received.split_off(i + needle.len());
                return std::mem::replace(&mut self.received, rest);
            }
            if self.eof {
                panic!(
                    "connection closed before {needle:?}; got {:?}",
                    self.received
                );
            }
            self.read_some(deadline).await;
        }
    }

    /// Reads until the server closes the connection; returns all that arrived.
    pub async fn read_to_end(&mut self) -> String {
        let deadline = tokio::time::Instant::now() + WAIT;
        while !self.eof {
            self.read_some(deadline).await;
        }
        std::mem::take(&mut self.received)
    }

    async fn read_some(&mut self, deadline: tokio::time::Instant) {
        let mut buf = vec![0u8; 65536];
        let read = async {
            match &mut self.io {
                Io::Plain(s) => s.read(&mut buf).await,
                Io::Tls(s) => s.read(&mut buf).await,
                Io::Closed => Ok(0),
            }
        };
        match tokio::time::timeout_at(deadline, read).await {
            Ok(Ok(0)) | Ok(Err(_)) => self.eof = true,
            Ok(Ok(n)) => self.received.push_str(&String::from_utf8_lossy(&buf[..n])),
            Err(_) => panic!("timed out; got {:?}", self.received),
        }
    }

    /// Header, features, STARTTLS, and the TLS handshake trusting `ca_file`.
    pub async fn starttls(&mut self, ca_file: &Path) {
        self.header().await;
        self.read_until("</stream:features>").await;
        self.send(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
            .await;
        self.read_until("<proceed").await;
        self.read_until("/>").await;
        let Io::Plain(tcp) = std::mem::replace(&mut self.io, Io::Closed) else {
            panic!("not plain TCP")
        };
        let config = xmpp_tokio::client_config(Some(ca_file)).unwrap();
        let name = xmpp_tokio::server_name(&self.domain).unwrap();
        let tls = TlsConnector::from(config).connect(name, tcp).await.unwrap();
        self.io = Io::Tls(Box::new(tls));
    }

    /// After [`Raw::starttls`]: SASL PLAIN, the stream restart and binding `resource`.
    pub async fn login(&mut self, user: &str, password: &str, resource: &str) {
        self.header().await;
        self.read_until("</stream:features>").await;
        let auth = format!(
            "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>{}</auth>",
            plain(user, password)
        );
        self.send(auth.as_bytes()).await;
        self.read_until("<success").await;
        self.header().await;
        self.read_until("</stream:features>").await;
        let bind = format!(
            "<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
             <resource>{resource}</resource></bind></iq>"
        );
        self.send(bind.as_bytes()).await;
        self.read_until("</iq>").await;
    }

    /// Reads to the end and checks that a stream error with `condition` came before
    /// the close.
    pub async fn expect_stream_error(&mut self, condition: &str) -> String {
        let rest = self.read_to_end().await;
        let want = format!("<{condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>");
        assert!(
            rest.contains("<stream:error>") && rest.contains(&want),
            "expected a {condition} stream error, got {rest:?}"
        );
        rest
    }
}

/// PLAIN credentials as base64.
pub fn plain(user: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{password}"))
}
