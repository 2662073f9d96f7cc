//! The tokio adapter against our own server core over loopback TCP + TLS.

#[path = "common/loopback.rs"]
mod loopback;

#[path = "common/tokio_runtime.rs"]
mod runtime;

use loopback::*;
use xmpp_tokio::Tokio;

#[test]
fn login_message_iq_close() {
    Tokio::block_on(async {
        let pki = pki("tokio-happy");
        let port = start_server::<Tokio>(pki.server.clone());
        assert_eq!(happy_path::<Tokio>(port, &pki).await, expected_trace());
    });
}

#[test]
fn failures_are_typed() {
    Tokio::block_on(async {
        let pki = pki("tokio-fail");
        let port = start_server::<Tokio>(pki.server.clone());
        wrong_password::<Tokio>(port, &pki).await;
        untrusted_certificate::<Tokio>(port, &loopback::pki("tokio-other")).await;
        nothing_listening::<Tokio>(&loopback::pki("tokio-none")).await;
    });
}
