//! [`TestRuntime`] for smol (shared by the loopback test binaries).

#![allow(clippy::unwrap_used)]

use crate::loopback::TestRuntime;
use xmpp_smol::{Smol, SmolTransport};

impl TestRuntime for Smol {
    fn block_on<F: std::future::Future + Send + 'static>(f: F) -> F::Output
    where
        F::Output: Send,
    {
        smol::block_on(f)
    }

    fn adopt(stream: std::net::TcpStream) -> SmolTransport {
        SmolTransport::Plain(async_net::TcpStream::try_from(stream).unwrap())
    }
}
