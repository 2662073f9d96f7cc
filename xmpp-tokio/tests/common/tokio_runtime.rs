//! [`TestRuntime`] for tokio (shared by the loopback test binaries).

#![allow(clippy::unwrap_used)]

use crate::loopback::TestRuntime;
use xmpp_tokio::{Tokio, TokioTransport};

impl TestRuntime for Tokio {
    fn block_on<F: std::future::Future + Send + 'static>(f: F) -> F::Output
    where
        F::Output: Send,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(f)
    }

    fn adopt(stream: std::net::TcpStream) -> TokioTransport {
        TokioTransport::Plain(tokio::net::TcpStream::from_std(stream).unwrap())
    }
}
