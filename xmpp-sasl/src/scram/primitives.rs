//! HMAC and PBKDF2 (the SCRAM `Hi` function) on the raw SHA block functions.
//!
//! HMAC keys are absorbed once into precomputed inner/outer pad states (as OpenSSL does), so
//! each PBKDF2 iteration costs exactly two compression-function calls on pre-padded blocks.
//! The `sha1`/`sha2` crates pick SHA-NI / AVX2 at run time when the CPU has them.

use sha1::digest::Digest;
use sha1::digest::generic_array::GenericArray;
use sha1::digest::generic_array::typenum::{U64, U128};

/// Defines a module with a pre-keyed HMAC for one hash function.
macro_rules! keyed_hash {
    (
        $module:ident, $digest:ty, $word:ty, $words:expr, $block:expr, $out:expr,
        $len_bytes:expr, $block_size:ty, $iv:expr, $compress:path
    ) => {
        pub(crate) mod $module {
            use super::*;

            /// Digest length in bytes.
            pub(crate) const OUT: usize = $out;
            const BLOCK: usize = $block;
            const LEN_BYTES: usize = $len_bytes;
            const WORD: usize = core::mem::size_of::<$word>();
            type State = [$word; $words];
            type Block = GenericArray<u8, $block_size>;

            fn compress(state: &mut State, block: &Block) {
                $compress(state, core::slice::from_ref(block));
            }

            fn write_state(state: &State, out: &mut [u8]) {
                for (chunk, word) in out.chunks_exact_mut(WORD).zip(state.iter()) {
                    chunk.copy_from_slice(&word.to_be_bytes());
                }
            }

            fn length_field(block: &mut Block, message_len: usize) {
                let bits = (message_len as u128).wrapping_mul(8).to_be_bytes();
                block[BLOCK - LEN_BYTES..].copy_from_slice(&bits[16 - LEN_BYTES..]);
            }

            /// Hashes `parts` continuing from `state`, which has absorbed one block already.
            fn finish(mut state: State, parts: &[&[u8]]) -> [u8; OUT] {
                let total = BLOCK + parts.iter().map(|p| p.len()).sum::<usize>();
                let mut buf = Block::default();
                let mut fill = 0;
                for part in parts {
                    let mut rest: &[u8] = part;
                    while !rest.is_empty() {
                        let take = (BLOCK - fill).min(rest.len());
                        buf[fill..fill + take].copy_from_slice(&rest[..take]);
                        fill += take;
                        rest = &rest[take..];
                        if fill == BLOCK {
                            compress(&mut state, &buf);
                            fill = 0;
                        }
                    }
                }
                buf[fill] = 0x80;
                buf[fill + 1..].fill(0);
                if fill + 1 > BLOCK - LEN_BYTES {
                    compress(&mut state, &buf);
                    buf = Block::default();
                }
                length_field(&mut buf, total);
                compress(&mut state, &buf);
                let mut out = [0u8; OUT];
                write_state(&state, &mut out);
                out
            }

            /// A block holding an `OUT`-byte message after one absorbed block, padded.
            fn padded_digest_block() -> Block {
                let mut block = Block::default();
                block[OUT] = 0x80;
                length_field(&mut block, BLOCK + OUT);
                block
            }

            /// HMAC with the key already absorbed into the pad states.
            #[derive(Clone)]
            pub(crate) struct Keyed {
                inner: State,
                outer: State,
            }

            impl Keyed {
                /// Absorbs `key` (hashed first if longer than a block, RFC 2104).
                pub(crate) fn new(key: &[u8]) -> Self {
                    let mut k0 = Block::default();
                    if key.len() > BLOCK {
                        let digest = <$digest>::digest(key);
                        k0[..OUT].copy_from_slice(&digest);
                    } else {
                        k0[..key.len()].copy_from_slice(key);
                    }
                    let mut ipad = k0.clone();
                    ipad.iter_mut().for_each(|b| *b ^= 0x36);
                    let mut opad = k0;
                    opad.iter_mut().for_each(|b| *b ^= 0x5c);
                    let mut inner: State = $iv;
                    compress(&mut inner, &ipad);
                    let mut outer: State = $iv;
                    compress(&mut outer, &opad);
                    Self { inner, outer }
                }

                /// HMAC of the concatenation of `parts`.
                pub(crate) fn mac(&self, parts: &[&[u8]]) -> [u8; OUT] {
                    let inner = finish(self.inner, parts);
                    finish(self.outer, &[&inner])
                }

                /// PBKDF2 with this key as the password: the first output block, i.e. SCRAM's
                /// `Hi(password, salt, iterations)`. `iterations` of 0 behaves like 1.
                pub(crate) fn hi(&self, salt: &[u8], iterations: u32) -> [u8; OUT] {
                    let mut u = self.mac(&[salt, &1u32.to_be_bytes()]);
                    let mut t = u;
                    let mut inner_block = padded_digest_block();
                    let mut outer_block = padded_digest_block();
                    for _ in 1..iterations {
                        inner_block[..OUT].copy_from_slice(&u);
                        let mut state = self.inner;
                        compress(&mut state, &inner_block);
                        write_state(&state, &mut outer_block[..OUT]);
                        let mut state = self.outer;
                        compress(&mut state, &outer_block);
                        write_state(&state, &mut u);
                        t.iter_mut().zip(u.iter()).for_each(|(t, u)| *t ^= u);
                    }
                    t
                }
            }
        }
    };
}

keyed_hash!(
    sha1_hmac,
    sha1::Sha1,
    u32,
    5,
    64,
    20,
    8,
    U64,
    [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0
    ],
    sha1::compress
);

keyed_hash!(
    sha256_hmac,
    sha2::Sha256,
    u32,
    8,
    64,
    32,
    8,
    U64,
    [
        0x6a09_e667,
        0xbb67_ae85,
        0x3c6e_f372,
        0xa54f_f53a,
        0x510e_527f,
        0x9b05_688c,
        0x1f83_d9ab,
        0x5be0_cd19,
    ],
    sha2::compress256
);

keyed_hash!(
    sha512_hmac,
    sha2::Sha512,
    u64,
    8,
    128,
    64,
    16,
    U128,
    [
        0x6a09_e667_f3bc_c908,
        0xbb67_ae85_84ca_a73b,
        0x3c6e_f372_fe94_f82b,
        0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1,
        0x9b05_688c_2b3e_6c1f,
        0x1f83_d9ab_fb41_bd6b,
        0x5be0_cd19_137e_2179,
    ],
    sha2::compress512
);

#[cfg(test)]
mod tests {
    use super::*;
    use hmac::{Hmac, Mac};

    fn reference_hmac<M: Mac + hmac::digest::KeyInit>(key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key).unwrap();
        mac.update(msg);
        mac.finalize().into_bytes().to_vec()
    }

    #[test]
    fn hmac_matches_the_hmac_crate_for_all_lengths() {
        let data: Vec<u8> = (0..=255u8).cycle().take(400).collect();
        for key_len in [0, 1, 20, 63, 64, 65, 127, 128, 129, 200] {
            for msg_len in [0, 1, 55, 56, 63, 64, 65, 111, 112, 119, 120, 128, 129, 300] {
                let key = &data[..key_len];
                let msg = &data[100..100 + msg_len];
                let (a, b) = msg.split_at(msg_len / 3);
                assert_eq!(
                    sha1_hmac::Keyed::new(key).mac(&[a, b]).to_vec(),
                    reference_hmac::<Hmac<sha1::Sha1>>(key, msg)
                );
                assert_eq!(
                    sha256_hmac::Keyed::new(key).mac(&[a, b]).to_vec(),
                    reference_hmac::<Hmac<sha2::Sha256>>(key, msg)
                );
                assert_eq!(
                    sha512_hmac::Keyed::new(key).mac(&[a, b]).to_vec(),
                    reference_hmac::<Hmac<sha2::Sha512>>(key, msg)
                );
            }
        }
    }

    #[test]
    fn hi_matches_rfc6070_and_the_pbkdf2_crate() {
        // RFC 6070 test vectors (PBKDF2-HMAC-SHA1, dkLen 20).
        let cases: [(&[u8], &[u8], u32, &str); 3] = [
            (
                b"password",
                b"salt",
                1,
                "0c60c80f961f0e71f3a9b524af6012062fe037a6",
            ),
            (
                b"password",
                b"salt",
                2,
                "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957",
            ),
            (
                b"password",
                b"salt",
                4096,
                "4b007901b765489abead49d926f721d065a429c1",
            ),
        ];
        for (p, s, i, hex) in cases {
            let got = sha1_hmac::Keyed::new(p).hi(s, i);
            let got: String = got.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(got, hex);
        }
        for iterations in [1, 2, 3, 100] {
            let mut expected = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(b"pencil", b"NaCl", iterations, &mut expected);
            assert_eq!(
                sha256_hmac::Keyed::new(b"pencil").hi(b"NaCl", iterations),
                expected
            );
            let mut expected = [0u8; 64];
            pbkdf2::pbkdf2_hmac::<sha2::Sha512>(b"pencil", b"NaCl", iterations, &mut expected);
            assert_eq!(
                sha512_hmac::Keyed::new(b"pencil").hi(b"NaCl", iterations),
                expected
            );
        }
    }
}
