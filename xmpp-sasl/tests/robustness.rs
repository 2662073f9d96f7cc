//! Arbitrary bytes at every step of every mechanism, on both sides, end in a typed error or
//! a normal step — never a panic.

// Test helpers outside #[test] functions: failing loudly is their job.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{all_selections, client_options, server_config};
use proptest::prelude::*;
use xmpp_sasl::scram::SaltedPasswordCache;
use xmpp_sasl::{
    Account, ClientCredentials, CredentialAnswer, InsecureSeededEntropy, SaslClient, SaslServer,
    ServerStep, decode_payload,
};

/// Bytes biased towards the mechanisms' syntax so parsers get past their first checks.
fn message() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        &b"n,,"[..],
        b"y,,",
        b"p=tls-exporter,",
        b"a=x,",
        b"n=user,",
        b"r=",
        b"abc",
        b"s=QQ==,",
        b"i=1",
        b",",
        b"=",
        b"=2C",
        b"=3D",
        b"c=biws,",
        b"p=AAAA",
        b"v=",
        b"e=other",
        b"\0",
        b"\xff",
        b"username=\"u\",",
        b"nonce=\"n\",",
        b"algorithm=md5-sess",
        b"qop=auth,",
        b"\"",
        b"\\",
        b"rspauth=",
        b"m=x,",
        b"\xe2\x85\xa8",
    ]);
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn servers_never_panic(first in message(), second in message(), third in message(), seed in any::<u64>()) {
        let config = server_config();
        for selection in all_selections() {
            let mut entropy = InsecureSeededEntropy::new(seed);
            let mut server = SaslServer::start(&config, selection.mechanism.name(), &mut entropy).unwrap();
            let mut step = server.initial(Some(&first));
            for input in [&second, &third] {
                step = match step {
                    Ok(ServerStep::NeedCredentials(_)) => server.provide(CredentialAnswer::Found(
                        Account::with_password("pencil").permit_authzid(),
                    )),
                    Ok(_) => server.respond(input),
                    Err(e) => {
                        let _ = e.condition();
                        prop_assert!(server.respond(input).is_err());
                        break;
                    }
                };
            }
        }
    }

    #[test]
    fn clients_never_panic(first in message(), second in message(), seed in any::<u64>()) {
        let creds = ClientCredentials::new("user", "pencil");
        for selection in all_selections() {
            let mut entropy = InsecureSeededEntropy::new(seed);
            let (mut client, _) = SaslClient::start(
                &selection, &creds, &client_options(), SaltedPasswordCache::new(), &mut entropy,
            )
            .unwrap();
            if client.respond(&first).is_ok() {
                let _ = client.respond(&second);
            }
            let _ = client.finish(Some(&second));
            prop_assert!(client.finish(None).is_err());
        }
    }

    #[test]
    fn payload_decoding_never_panics(text in "[A-Za-z0-9+/=]{0,40}|\\PC{0,20}") {
        let _ = decode_payload(&text);
    }
}
