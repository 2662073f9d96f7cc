//! Channel-binding data a TLS layer extracts: `tls-server-end-point` from a
//! certificate (RFC 5929 §4) and the `tls-exporter` parameters (RFC 9266).

use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::{ChannelBinding, ChannelBindingType};

/// The exporter label of `tls-exporter` (RFC 9266 §2): keying material exported with
/// this label, an empty context and [`TLS_EXPORTER_LEN`] bytes.
pub const TLS_EXPORTER_LABEL: &[u8] = b"EXPORTER-Channel-Binding";

/// How many bytes of keying material `tls-exporter` takes (RFC 9266 §2).
pub const TLS_EXPORTER_LEN: usize = 32;

/// `tls-server-end-point` data for a DER certificate (RFC 5929 §4.1): its hash with the
/// hash function of its signature algorithm, SHA-256 when that is MD5 or SHA-1. `None`
/// when the certificate cannot be parsed or its algorithm names no hash (e.g. Ed25519).
///
/// A client takes the server's certificate, a server its own.
///
/// ```
/// // Not a certificate: no binding data.
/// assert!(xmpp_sasl::tls_server_end_point(b"not DER").is_none());
/// ```
pub fn tls_server_end_point(cert_der: &[u8]) -> Option<ChannelBinding> {
    let data = match signature_hash(cert_der)? {
        Hash::Sha256 => Sha256::digest(cert_der).to_vec(),
        Hash::Sha384 => Sha384::digest(cert_der).to_vec(),
        Hash::Sha512 => Sha512::digest(cert_der).to_vec(),
    };
    Some(ChannelBinding::new(
        ChannelBindingType::TlsServerEndPoint,
        data,
    ))
}

/// The hash RFC 5929 §4.1 selects.
#[derive(Debug, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// The hash of a certificate's `signatureAlgorithm`, read from the DER:
/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }`.
fn signature_hash(der: &[u8]) -> Option<Hash> {
    let (cert, _) = der_tlv(der, 0x30)?;
    let (_tbs, rest) = der_tlv(cert, 0x30)?;
    let (alg, _) = der_tlv(rest, 0x30)?;
    let (oid, params) = der_tlv(alg, 0x06)?;
    // PKCS#1 sha*WithRSAEncryption 1.2.840.113549.1.1.x and ECDSA 1.2.840.10045.4.x.
    const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01];
    const ECDSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04];
    match oid {
        [p @ .., 4 | 5] if p == RSA => Some(Hash::Sha256), // MD5, SHA-1 -> SHA-256
        [p @ .., 11] if p == RSA => Some(Hash::Sha256),
        [p @ .., 12] if p == RSA => Some(Hash::Sha384),
        [p @ .., 13] if p == RSA => Some(Hash::Sha512),
        [p @ .., 10] if p == RSA => pss_hash(params), // RSASSA-PSS: hash in the parameters
        [p @ .., 1] if p == ECDSA => Some(Hash::Sha256), // ecdsa-with-SHA1 -> SHA-256
        [p @ .., 3, 2] if p == ECDSA => Some(Hash::Sha256),
        [p @ .., 3, 3] if p == ECDSA => Some(Hash::Sha384),
        [p @ .., 3, 4] if p == ECDSA => Some(Hash::Sha512),
        _ => None,
    }
}

/// The hash of RSASSA-PSS parameters (RFC 4055): `[0] hashAlgorithm`, SHA-1 by default.
fn pss_hash(params: &[u8]) -> Option<Hash> {
    let Some((seq, _)) = der_tlv(params, 0x30) else {
        return Some(Hash::Sha256);
    };
    let Some((explicit, _)) = der_tlv(seq, 0xa0) else {
        return Some(Hash::Sha256);
    };
    let (alg, _) = der_tlv(explicit, 0x30)?;
    // id-sha256/384/512: 2.16.840.1.101.3.4.2.1/2/3
    match der_tlv(alg, 0x06)?.0 {
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 2] => Some(Hash::Sha384),
        [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 3] => Some(Hash::Sha512),
        _ => Some(Hash::Sha256),
    }
}

/// Splits one DER TLV with tag `tag` off `input`: (its contents, what follows).
fn der_tlv(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&t, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    if t != tag {
        return None;
    }
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (bytes, tail) = rest.split_at(n);
        rest = tail;
        bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b))
    };
    (rest.len() >= len).then(|| rest.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A DER certificate skeleton with `alg` as its signatureAlgorithm contents.
    fn cert_with(alg: &[u8]) -> Vec<u8> {
        let mut body = vec![0x30, 0x03, 0x02, 0x01, 0x01]; // tbsCertificate stand-in
        body.push(0x30);
        body.push(alg.len() as u8);
        body.extend_from_slice(alg);
        body.extend_from_slice(&[0x03, 0x02, 0x00, 0xff]); // signatureValue
        let mut der = vec![0x30, 0x81, body.len() as u8];
        der.extend(body);
        der
    }

    fn oid(bytes: &[u8]) -> Vec<u8> {
        let mut v = vec![0x06, bytes.len() as u8];
        v.extend_from_slice(bytes);
        v
    }

    #[test]
    fn rfc5929_hash_choice() {
        let rsa = |n| oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, n]);
        let ecdsa = |a: &[u8]| oid(&[&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04][..], a].concat());
        let cases = [
            (rsa(4), Some(Hash::Sha256)),
            (rsa(5), Some(Hash::Sha256)),
            (rsa(11), Some(Hash::Sha256)),
            (rsa(12), Some(Hash::Sha384)),
            (rsa(13), Some(Hash::Sha512)),
            (ecdsa(&[1]), Some(Hash::Sha256)),
            (ecdsa(&[3, 2]), Some(Hash::Sha256)),
            (ecdsa(&[3, 3]), Some(Hash::Sha384)),
            (ecdsa(&[3, 4]), Some(Hash::Sha512)),
            (oid(&[0x2b, 0x65, 0x70]), None), // Ed25519
        ];
        for (alg, want) in cases {
            assert_eq!(signature_hash(&cert_with(&alg)), want, "{alg:x?}");
        }
        let sha384 = oid(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 2]);
        let mut inner = vec![0x30, sha384.len() as u8];
        inner.extend(&sha384);
        let mut params = vec![0x30, inner.len() as u8 + 2, 0xa0, inner.len() as u8];
        params.extend(inner);
        let pss = [rsa(10), params].concat();
        assert_eq!(signature_hash(&cert_with(&pss)), Some(Hash::Sha384));
        assert_eq!(signature_hash(&cert_with(&rsa(10))), Some(Hash::Sha256));
    }

    #[test]
    fn end_point_is_the_hash_of_the_whole_certificate() {
        let der = cert_with(&oid(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 3, 3]));
        let cb = tls_server_end_point(&der).unwrap();
        assert_eq!(cb.kind(), ChannelBindingType::TlsServerEndPoint);
        assert_eq!(cb.data(), Sha384::digest(&der).as_slice());
    }

    #[test]
    fn garbage_never_panics() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 0x30) as u8).collect();
            let _ = signature_hash(&bytes);
        }
        assert_eq!(signature_hash(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), None);
        assert_eq!(signature_hash(&[]), None);
    }
}
