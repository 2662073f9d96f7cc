//! Passwords and SASL payloads never reach the logs: every record of a full session
//! (and of a failed login) through the smol adapter is captured at TRACE level and
//! searched.

use xmpp_smol::Smol;
use xmpp_testkit::loopback::*;

#[test]
fn no_secret_is_logged() {
    let logs = capture_logs();
    Smol::block_on(async {
        let pki = pki("smol-logs");
        let port = start_server::<Smol>(pki.server.clone());
        assert_eq!(happy_path::<Smol>(port, &pki).await, expected_trace());
        wrong_password::<Smol>(port, &pki).await;
    });
    check_logs(&logs.lock().unwrap());
}
