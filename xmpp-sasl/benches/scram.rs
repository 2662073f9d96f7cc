//! Criterion benches: full SCRAM-SHA-1 / SCRAM-SHA-256 exchanges at 4096 iterations (client
//! side and server side measured separately, on the RFC 5802 / RFC 7677 messages), and our
//! PBKDF2 (`Hi`) against the `pbkdf2` crate for the same parameters. `openssl_pbkdf2.sh`
//! beside this file times OpenSSL's PBKDF2 for comparison.
//!
//! Run: `cargo bench -p xmpp-sasl --bench scram -- --measurement-time 5`

// A bench is test code: a wrong result should stop it loudly.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use xmpp_sasl::scram::{ScramClient, ScramClientOptions, ScramHash, ScramKeys, ScramServer, hi};
use xmpp_sasl::{
    Account, ClientCredentials, CredentialAnswer, Gs2Binding, InsecureSeededEntropy, Mechanism,
    Password, ServerConfig, ServerStep,
};

struct Vector {
    name: &'static str,
    hash: ScramHash,
    client_nonce: &'static str,
    server_nonce: &'static str,
    salt_b64: &'static str,
    client_first: &'static [u8],
    server_first: &'static [u8],
    client_final: &'static [u8],
    server_final: &'static [u8],
}

const VECTORS: [Vector; 2] = [
    Vector {
        name: "SCRAM-SHA-1",
        hash: ScramHash::Sha1,
        client_nonce: "fyko+d2lbbFgONRv9qkxdawL",
        server_nonce: "3rfcNHYJY1ZVvWVs7j",
        salt_b64: "QSXCR+Q6sek8bf92",
        client_first: b"n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
        server_first: b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
        client_final: b"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
        server_final: b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
    },
    Vector {
        name: "SCRAM-SHA-256",
        hash: ScramHash::Sha256,
        client_nonce: "rOprNGfwEbeRWgbNEkqO",
        server_nonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
        salt_b64: "W22ZaJ0SNY7soEsUEjb6gQ==",
        client_first: b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
        server_first: b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        client_final: b"c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        server_final: b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
    },
];

fn client_exchange(v: &Vector) {
    let creds = ClientCredentials::new("user", "pencil");
    let (mut client, first) = ScramClient::start_with_nonce(
        v.hash,
        Gs2Binding::NotSupported,
        &creds,
        ScramClientOptions::new(),
        v.client_nonce,
    )
    .unwrap();
    assert_eq!(first, v.client_first);
    let fin = client.respond(black_box(v.server_first)).unwrap();
    assert_eq!(fin, v.client_final);
    client.finish(Some(v.server_final)).unwrap();
}

fn server_exchange(v: &Vector, config: &ServerConfig, answer: &CredentialAnswer) {
    let mechanism = Mechanism::scram(v.hash, false);
    let mut entropy = InsecureSeededEntropy::new(1);
    let mut server =
        ScramServer::with_server_nonce(mechanism, config, v.server_nonce, &mut entropy).unwrap();
    let ServerStep::NeedCredentials(_) = server.initial(Some(black_box(v.client_first))).unwrap()
    else {
        panic!("expected a credential request")
    };
    let ServerStep::Challenge(sf) = server.provide(answer.clone()).unwrap() else {
        panic!("expected server-first")
    };
    assert_eq!(sf, v.server_first);
    let ServerStep::Success(success) = server.respond(v.client_final).unwrap() else {
        panic!("expected success")
    };
    assert_eq!(success.additional_data.as_deref(), Some(v.server_final));
}

fn exchanges(c: &mut Criterion) {
    let config = ServerConfig::new(true);
    for v in &VECTORS {
        let salt = xmpp_sasl::decode_payload(v.salt_b64).unwrap();
        let keys = ScramKeys::derive(v.hash, &Password::new("pencil"), &salt, 4096).unwrap();
        let stored = CredentialAnswer::Found(Account::with_scram_keys(keys));
        c.bench_function(&format!("{} client exchange (4096 it.)", v.name), |b| {
            b.iter(|| client_exchange(v))
        });
        c.bench_function(&format!("{} server exchange (stored keys)", v.name), |b| {
            b.iter(|| server_exchange(v, &config, &stored))
        });
        // A password-only account: the server derives the keys (PBKDF2) per exchange with a
        // salt of its own, so the step that does so is measured on its own.
        let password_only = CredentialAnswer::Found(Account::with_password("pencil"));
        c.bench_function(
            &format!("{} server first step (password-only account)", v.name),
            |b| {
                b.iter(|| {
                    let mut entropy = InsecureSeededEntropy::new(1);
                    let mechanism = Mechanism::scram(v.hash, false);
                    let mut server = ScramServer::with_server_nonce(
                        mechanism,
                        &config,
                        v.server_nonce,
                        &mut entropy,
                    )
                    .unwrap();
                    server.initial(Some(v.client_first)).unwrap();
                    server.provide(password_only.clone()).unwrap()
                })
            },
        );
    }
}

fn pbkdf2_compare(c: &mut Criterion) {
    let salt = [0x41u8; 16];
    let mut group = c.benchmark_group("PBKDF2 4096 iterations");
    group.bench_function("ours HMAC-SHA1", |b| {
        b.iter(|| hi(ScramHash::Sha1, black_box(b"pencil"), &salt, 4096))
    });
    group.bench_function("pbkdf2 crate HMAC-SHA1", |b| {
        b.iter(|| {
            let mut out = [0u8; 20];
            pbkdf2::pbkdf2_hmac::<sha1::Sha1>(black_box(b"pencil"), &salt, 4096, &mut out);
            out
        })
    });
    group.bench_function("ours HMAC-SHA256", |b| {
        b.iter(|| hi(ScramHash::Sha256, black_box(b"pencil"), &salt, 4096))
    });
    group.bench_function("pbkdf2 crate HMAC-SHA256", |b| {
        b.iter(|| {
            let mut out = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(black_box(b"pencil"), &salt, 4096, &mut out);
            out
        })
    });
    group.bench_function("ours HMAC-SHA512", |b| {
        b.iter(|| hi(ScramHash::Sha512, black_box(b"pencil"), &salt, 4096))
    });
    group.bench_function("pbkdf2 crate HMAC-SHA512", |b| {
        b.iter(|| {
            let mut out = [0u8; 64];
            pbkdf2::pbkdf2_hmac::<sha2::Sha512>(black_box(b"pencil"), &salt, 4096, &mut out);
            out
        })
    });
    group.finish();
}

criterion_group!(benches, exchanges, pbkdf2_compare);
criterion_main!(benches);
