//! Passwords and SASL payloads never reach the logs: every record of a full session
//! (and of a failed login) is captured at TRACE level and searched.

use xmpp_testkit::loopback::*;
use xmpp_tokio::Tokio;

#[test]
fn no_secret_is_logged() {
    let logs = capture_logs();
    Tokio::block_on(async {
        let pki = pki("tokio-logs");
        let port = start_server::<Tokio>(pki.server.clone());
        assert_eq!(happy_path::<Tokio>(port, &pki).await, expected_trace());
        wrong_password::<Tokio>(port, &pki).await;
    });
    check_logs(&logs.lock().unwrap());
}
