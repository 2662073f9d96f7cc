//! The small runtime glue that runs hickory-resolver on smol: a
//! [`RuntimeProvider`] with async-io sockets and timers, and smol's executor.

use std::future::Future;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use async_net::TcpStream;
use futures::{AsyncRead, AsyncWrite, FutureExt};
use hickory_resolver::net::runtime::{DnsTcpStream, DnsUdpSocket, RuntimeProvider, Spawn, Time};
use smol::{Async, Timer};

/// hickory-resolver's view of smol.
#[derive(Clone, Copy, Debug, Default)]
pub struct SmolDns;

type BoxIo<T> = Pin<Box<dyn Send + Future<Output = io::Result<T>>>>;

impl RuntimeProvider for SmolDns {
    type Handle = SmolDns;
    type Timer = SmolTime;
    type Udp = SmolUdp;
    type Tcp = SmolTcp;

    fn create_handle(&self) -> SmolDns {
        SmolDns
    }

    /// `bind_addr` is not supported (the resolver only uses it when configured to).
    fn connect_tcp(
        &self,
        addr: SocketAddr,
        _bind: Option<SocketAddr>,
        wait: Option<Duration>,
    ) -> BoxIo<SmolTcp> {
        let wait = wait.unwrap_or(Duration::from_secs(5));
        Box::pin(async move {
            let connecting = TcpStream::connect(addr).map(|r| r.map(SmolTcp));
            futures::select_biased! {
                stream = connecting.fuse() => stream,
                _ = Timer::after(wait).fuse() => Err(io::ErrorKind::TimedOut.into()),
            }
        })
    }

    fn bind_udp(&self, local: SocketAddr, _server: SocketAddr) -> BoxIo<SmolUdp> {
        Box::pin(async move { Async::<UdpSocket>::bind(local).map(SmolUdp) })
    }
}

impl Spawn for SmolDns {
    fn spawn_bg(&mut self, future: impl Future<Output = ()> + Send + 'static) {
        smol::spawn(future).detach();
    }
}

/// async-io timers for hickory.
#[derive(Clone, Copy, Debug)]
pub struct SmolTime;

#[async_trait::async_trait]
impl Time for SmolTime {
    async fn delay_for(duration: Duration) {
        Timer::after(duration).await;
    }

    async fn timeout<F: 'static + Future + Send>(
        duration: Duration,
        future: F,
    ) -> io::Result<F::Output> {
        futures::select_biased! {
            value = future.fuse() => Ok(value),
            _ = Timer::after(duration).fuse() => Err(io::ErrorKind::TimedOut.into()),
        }
    }
}

/// A UDP socket for hickory.
#[derive(Debug)]
pub struct SmolUdp(Async<UdpSocket>);

impl DnsUdpSocket for SmolUdp {
    type Time = SmolTime;

    fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        loop {
            match self.0.get_ref().recv_from(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    ready!(self.0.poll_readable(cx))?
                }
                result => return Poll::Ready(result),
            }
        }
    }

    fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        loop {
            match self.0.get_ref().send_to(buf, target) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    ready!(self.0.poll_writable(cx))?
                }
                result => return Poll::Ready(result),
            }
        }
    }
}

/// A TCP stream for hickory.
#[derive(Debug)]
pub struct SmolTcp(TcpStream);

impl DnsTcpStream for SmolTcp {
    type Time = SmolTime;
}

impl AsyncRead for SmolTcp {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for SmolTcp {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_close(cx)
    }
}
