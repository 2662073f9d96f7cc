//! The tokio adapter against our own server core over loopback TCP + TLS.

use xmpp_testkit::loopback::{self, *};
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
        iq_timeout::<Tokio>(port, &pki).await;
        plaintext_server::<Tokio>(&pki).await;
        tls_handshake_timeout::<Tokio>(&pki).await;
        nothing_listening::<Tokio>(&loopback::pki("tokio-none")).await;
    });
}

#[test]
fn srv_records() {
    Tokio::block_on(async {
        let pki = pki("tokio-srv");
        let port = start_server::<Tokio>(pki.server.clone());
        srv_every_target_in_order::<Tokio>(port, &pki).await;
        let direct = start_server_with::<Tokio>(Some(pki.server.clone()), true);
        srv_direct_tls::<Tokio>(direct, &pki).await;
        srv_all_targets_fail::<Tokio>(&pki).await;
    });
}

#[test]
fn calls_are_answered_while_events_are_unread() {
    Tokio::block_on(async {
        let pki = pki("tokio-backlog");
        let port = start_server::<Tokio>(pki.server.clone());
        calls_while_events_pile_up::<Tokio>(port, &pki).await;
    });
}

#[test]
fn deadlines_are_kept_while_the_peer_floods() {
    Tokio::block_on(deadline_despite_a_flood::<Tokio>());
}

#[test]
fn calls_are_bounded_while_events_are_unread() {
    Tokio::block_on(async {
        let pki = pki("tokio-bounded");
        let port = start_server::<Tokio>(pki.server.clone());
        calls_are_bounded_while_events_pile_up::<Tokio>(port, &pki).await;
    });
}

#[test]
fn stanzas_before_online_are_bounded() {
    Tokio::block_on(loopback::stanzas_before_online_are_bounded::<Tokio>());
}

#[test]
fn the_close_reason_survives_a_failed_last_write() {
    Tokio::block_on(loopback::the_close_reason_survives_a_failed_last_write::<
        Tokio,
    >());
}

#[test]
fn self_signed_certificates_are_pinned() {
    Tokio::block_on(async {
        pinned_certificate::<Tokio>("tokio-pinned").await;
        other_pinned_certificate_is_refused::<Tokio>("tokio-pinned-other").await;
        pinned_certificate_without_its_key_is_refused::<Tokio>("tokio-pinned-nokey").await;
    });
}
