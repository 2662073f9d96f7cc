//! [`SmolTransport`]: an async-net TCP stream, plain or with TLS (futures-rustls).

use std::io;

use async_net::TcpStream;
use futures::{AsyncReadExt, AsyncWriteExt};
use futures_rustls::{TlsAcceptor, TlsConnector, TlsStream};
use xmpp_adapter::{Error, TlsSide, Transport, client_tls_info, server_name, server_tls_info};
use xmpp_core::TlsInfo;

/// A TCP stream, plain or with TLS.
#[derive(Debug)]
#[non_exhaustive]
pub enum SmolTransport {
    /// Plain TCP (before STARTTLS).
    Plain(TcpStream),
    /// TLS over TCP.
    Tls(Box<TlsStream<TcpStream>>),
    /// Gone (a handshake failed midway).
    Closed,
}

impl From<TcpStream> for SmolTransport {
    fn from(stream: TcpStream) -> Self {
        SmolTransport::Plain(stream)
    }
}

impl Transport for SmolTransport {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            SmolTransport::Plain(s) => s.read(buf).await,
            SmolTransport::Tls(s) => s.read(buf).await,
            SmolTransport::Closed => Ok(0),
        }
    }

    async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            SmolTransport::Plain(s) => s.write_all(buf).await,
            SmolTransport::Tls(s) => {
                s.write_all(buf).await?;
                s.flush().await
            }
            SmolTransport::Closed => Err(io::ErrorKind::NotConnected.into()),
        }
    }

    async fn shutdown(&mut self) -> io::Result<()> {
        match self {
            SmolTransport::Plain(s) => s.shutdown(std::net::Shutdown::Write),
            SmolTransport::Tls(s) => s.close().await,
            SmolTransport::Closed => Ok(()),
        }
    }

    async fn start_tls(&mut self, side: &TlsSide, name: &str) -> Result<TlsInfo, Error> {
        let SmolTransport::Plain(tcp) = std::mem::replace(self, SmolTransport::Closed) else {
            return Err(Error::AlreadyTls);
        };
        let (stream, info) = match side {
            TlsSide::Client(config) => {
                let s = TlsConnector::from(config.clone())
                    .connect(server_name(name)?, tcp)
                    .await;
                let s = s.map_err(Error::tls_handshake)?;
                let info = client_tls_info(s.get_ref().1);
                (TlsStream::from(s), info)
            }
            TlsSide::Server(server) => {
                let s = TlsAcceptor::from(server.config.clone()).accept(tcp).await;
                let s = s.map_err(Error::tls_handshake)?;
                let info = server_tls_info(s.get_ref().1, server);
                (TlsStream::from(s), info)
            }
        };
        *self = SmolTransport::Tls(Box::new(stream));
        Ok(info)
    }
}
