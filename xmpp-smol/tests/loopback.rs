//! The smol adapter against our own server core over loopback TCP + TLS: the same
//! scenario (and expected trace) as the tokio adapter's.

use xmpp_smol::Smol;
use xmpp_testkit::loopback::{self, *};

#[test]
fn login_message_iq_close() {
    Smol::block_on(async {
        let pki = pki("smol-happy");
        let port = start_server::<Smol>(pki.server.clone());
        assert_eq!(happy_path::<Smol>(port, &pki).await, expected_trace());
    });
}

#[test]
fn failures_are_typed() {
    Smol::block_on(async {
        let pki = pki("smol-fail");
        let port = start_server::<Smol>(pki.server.clone());
        wrong_password::<Smol>(port, &pki).await;
        untrusted_certificate::<Smol>(port, &loopback::pki("smol-other")).await;
        iq_timeout::<Smol>(port, &pki).await;
        plaintext_server::<Smol>(&pki).await;
        tls_handshake_timeout::<Smol>(&pki).await;
        nothing_listening::<Smol>(&loopback::pki("smol-none")).await;
    });
}

#[test]
fn srv_records() {
    Smol::block_on(async {
        let pki = pki("smol-srv");
        let port = start_server::<Smol>(pki.server.clone());
        srv_every_target_in_order::<Smol>(port, &pki).await;
        let direct = start_server_with::<Smol>(Some(pki.server.clone()), true);
        srv_direct_tls::<Smol>(direct, &pki).await;
        srv_all_targets_fail::<Smol>(&pki).await;
    });
}

#[test]
fn calls_are_answered_while_events_are_unread() {
    Smol::block_on(async {
        let pki = pki("smol-backlog");
        let port = start_server::<Smol>(pki.server.clone());
        calls_while_events_pile_up::<Smol>(port, &pki).await;
    });
}

#[test]
fn deadlines_are_kept_while_the_peer_floods() {
    Smol::block_on(deadline_despite_a_flood::<Smol>());
}

#[test]
fn calls_are_bounded_while_events_are_unread() {
    Smol::block_on(async {
        let pki = pki("smol-bounded");
        let port = start_server::<Smol>(pki.server.clone());
        calls_are_bounded_while_events_pile_up::<Smol>(port, &pki).await;
    });
}

#[test]
fn stanzas_before_online_are_bounded() {
    Smol::block_on(loopback::stanzas_before_online_are_bounded::<Smol>());
}

#[test]
fn the_close_reason_survives_a_failed_last_write() {
    Smol::block_on(loopback::the_close_reason_survives_a_failed_last_write::<
        Smol,
    >());
}

#[test]
fn self_signed_certificates_are_pinned() {
    Smol::block_on(async {
        pinned_certificate::<Smol>("smol-pinned").await;
        other_pinned_certificate_is_refused::<Smol>("smol-pinned-other").await;
        pinned_certificate_without_its_key_is_refused::<Smol>("smol-pinned-nokey").await;
    });
}
