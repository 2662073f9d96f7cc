//! [`TestRuntime`](crate::loopback::TestRuntime) for the runtimes enabled by features.

#[cfg(feature = "tokio")]
impl crate::loopback::TestRuntime for xmpp_tokio::Tokio {
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

    fn adopt(stream: std::net::TcpStream) -> xmpp_tokio::TokioTransport {
        xmpp_tokio::TokioTransport::Plain(tokio::net::TcpStream::from_std(stream).unwrap())
    }
}

#[cfg(feature = "smol")]
impl crate::loopback::TestRuntime for xmpp_smol::Smol {
    fn block_on<F: std::future::Future + Send + 'static>(f: F) -> F::Output
    where
        F::Output: Send,
    {
        smol::block_on(f)
    }

    fn adopt(stream: std::net::TcpStream) -> xmpp_smol::SmolTransport {
        xmpp_smol::SmolTransport::Plain(async_net::TcpStream::try_from(stream).unwrap())
    }
}
