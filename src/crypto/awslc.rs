//! [`CryptoBackend`] on `aws-lc-rs` (AWS-LC's assembly-optimised RSA and ECDSA), behind the
//! Cargo feature `aws-lc-rs`.
//!
//! The verdicts are those of the [`RustCrypto`] backend, case for case (the tests compare the
//! two over corrupted keys, signatures and messages):
//!
//! * Keys are decoded and checked by the shared [`super::parse_public_key`] first, and the
//!   RSA usage rules (an `id-RSASSA-PSS` key signs PSS only, within its parameters) and size
//!   and exponent bounds are the shared ones, so a key is refused by both backends with the same
//!   error.
//! * AWS-LC does the arithmetic for RSA moduli of 2048..=8192 bits (its
//!   `RSA_*_2048_8192_*` algorithms) with PKCS#1 v1.5, or with PSS when the salt length equals
//!   the digest length (`RsaPssSaltLength::Digest`, which AWS-LC checks exactly: the recovered
//!   salt must be that long, RFC 8017 section 9.1.2 step 10). aws-lc-rs takes a salt length
//!   only as a `'static` constant, so other salt lengths, and RSA keys outside 2048..=8192 bits
//!   (which a relaxed policy may allow), are verified by the RustCrypto code instead. MGF1
//!   always uses the message digest in both (the parser refuses anything else).
//! * ECDSA: P-256 and P-384 with SHA-256/384/512 (`ECDSA_P*_SHA*_ASN1`), strict DER
//!   `Ecdsa-Sig-Value`. A point AWS-LC refuses (off the curve) is `Malformed`, as in RustCrypto.
//!   A prepared EC key (a trust anchor, a cached intermediate) is verified by AWS-LC for its
//!   first three uses and then with the RustCrypto backend's key tables
//!   ([`super::ec_table`]), which measured faster than AWS-LC's P-256 and P-384 code.
//!
//! [`AwsLc::prepare`](CryptoBackend::prepare) keeps an `aws_lc_rs::signature::ParsedPublicKey`
//! per algorithm the key is used with, so AWS-LC parses a key (and builds its Montgomery
//! context) once rather than on every verification.

use std::any::Any;
use std::sync::{Arc, OnceLock};

use aws_lc_rs::signature::{self, ParsedPublicKey, VerificationAlgorithm};

use super::rustcrypto::{check_rsa_usage, rsa_limits, DecodedKey};
use super::{
    parse_public_key, CryptoBackend, HashAlg, PreparedKey, PublicKeyRef, RsaKeyUse, RustCrypto,
    SignatureAlgorithm, SignatureError,
};

/// RSA moduli AWS-LC verifies here (its `RSA_*_2048_8192_*` algorithms); others go to RustCrypto.
const AWS_RSA_BITS: std::ops::RangeInclusive<u64> = 2048..=8192;

/// The aws-lc-rs backend. Stateless; prepared keys carry the parsed AWS-LC keys.
#[derive(Debug, Default, Clone, Copy)]
pub struct AwsLc;

impl AwsLc {
    /// The backend.
    pub fn new() -> AwsLc {
        AwsLc
    }
}

/// Where a verification goes.
enum Route {
    /// AWS-LC, with this algorithm; `slot` indexes [`AwsKey::parsed`].
    Aws(&'static dyn VerificationAlgorithm, usize),
    /// The RustCrypto code (sizes or salt lengths aws-lc-rs has no algorithm for).
    Fallback,
}

/// The owned, decoded key: enough to route any algorithm without decoding again.
#[derive(Debug)]
enum KeyKind {
    Rsa {
        usage: RsaKeyUse,
        bits: u64,
        limits: Result<(), SignatureError>,
        der: Box<[u8]>,
    },
    P256(Box<[u8]>),
    P384(Box<[u8]>),
}

impl KeyKind {
    fn decode(spki_der: &[u8]) -> Result<KeyKind, SignatureError> {
        Ok(match parse_public_key(spki_der)? {
            PublicKeyRef::Rsa(key) => KeyKind::Rsa {
                usage: key.usage,
                bits: key.bits(),
                limits: rsa_limits(&key),
                der: key.der.into(),
            },
            PublicKeyRef::EcP256(point) => KeyKind::P256(point.into()),
            PublicKeyRef::EcP384(point) => KeyKind::P384(point.into()),
        })
    }

    /// The key bytes aws-lc-rs parses: `RSAPublicKey` DER, or the SEC1 point.
    fn bytes(&self) -> &[u8] {
        match self {
            KeyKind::Rsa { der, .. } => der,
            KeyKind::P256(p) | KeyKind::P384(p) => p,
        }
    }

    /// Check `alg` against the key exactly as RustCrypto does, then pick who does the maths.
    fn route(&self, alg: SignatureAlgorithm) -> Result<Route, SignatureError> {
        use SignatureAlgorithm as A;
        match (alg, self) {
            (
                A::RsaPkcs1Sha256 | A::RsaPkcs1Sha384 | A::RsaPkcs1Sha512 | A::RsaPss { .. },
                KeyKind::Rsa {
                    usage,
                    bits,
                    limits,
                    ..
                },
            ) => {
                check_rsa_usage(alg, *usage)?;
                limits.clone()?;
                if !AWS_RSA_BITS.contains(bits) {
                    return Ok(Route::Fallback);
                }
                Ok(match alg {
                    A::RsaPkcs1Sha256 => Route::Aws(&signature::RSA_PKCS1_2048_8192_SHA256, 0),
                    A::RsaPkcs1Sha384 => Route::Aws(&signature::RSA_PKCS1_2048_8192_SHA384, 1),
                    A::RsaPkcs1Sha512 => Route::Aws(&signature::RSA_PKCS1_2048_8192_SHA512, 2),
                    A::RsaPss {
                        hash: HashAlg::Sha256,
                        salt_len: 32,
                    } => Route::Aws(&signature::RSA_PSS_2048_8192_SHA256, 3),
                    A::RsaPss {
                        hash: HashAlg::Sha384,
                        salt_len: 48,
                    } => Route::Aws(&signature::RSA_PSS_2048_8192_SHA384, 4),
                    A::RsaPss {
                        hash: HashAlg::Sha512,
                        salt_len: 64,
                    } => Route::Aws(&signature::RSA_PSS_2048_8192_SHA512, 5),
                    _ => Route::Fallback,
                })
            }
            (A::EcdsaSha256, KeyKind::P256(_)) => {
                Ok(Route::Aws(&signature::ECDSA_P256_SHA256_ASN1, 6))
            }
            (A::EcdsaSha384, KeyKind::P256(_)) => {
                Ok(Route::Aws(&signature::ECDSA_P256_SHA384_ASN1, 7))
            }
            (A::EcdsaSha512, KeyKind::P256(_)) => {
                Ok(Route::Aws(&signature::ECDSA_P256_SHA512_ASN1, 8))
            }
            (A::EcdsaSha256, KeyKind::P384(_)) => {
                Ok(Route::Aws(&signature::ECDSA_P384_SHA256_ASN1, 6))
            }
            (A::EcdsaSha384, KeyKind::P384(_)) => {
                Ok(Route::Aws(&signature::ECDSA_P384_SHA384_ASN1, 7))
            }
            (A::EcdsaSha512, KeyKind::P384(_)) => {
                Ok(Route::Aws(&signature::ECDSA_P384_SHA512_ASN1, 8))
            }
            (A::EcdsaSha256 | A::EcdsaSha384 | A::EcdsaSha512, KeyKind::Rsa { .. }) => {
                Err(SignatureError::KeyMismatch(
                    "ECDSA signature algorithm used with an RSA key".into(),
                ))
            }
            (_, KeyKind::P256(_) | KeyKind::P384(_)) => Err(SignatureError::KeyMismatch(
                "RSA signature algorithm used with an EC key".into(),
            )),
        }
    }

    /// Parse the key for one AWS-LC algorithm; a refusal is reported as RustCrypto reports it.
    fn parse(
        &self,
        alg: &'static dyn VerificationAlgorithm,
    ) -> Result<ParsedPublicKey, SignatureError> {
        ParsedPublicKey::new(alg, self.bytes()).map_err(|_| match self {
            KeyKind::P256(_) => {
                SignatureError::Malformed("EC public key is not a valid point on P-256".into())
            }
            KeyKind::P384(_) => {
                SignatureError::Malformed("EC public key is not a valid point on P-384".into())
            }
            KeyKind::Rsa { .. } => {
                SignatureError::Malformed("RSA public key rejected by AWS-LC".into())
            }
        })
    }
}

/// Number of [`AwsKey::parsed`] slots (PKCS#1 x3, PSS x3, ECDSA x3 hashes).
const SLOTS: usize = 9;

/// A key prepared by [`AwsLc`]: decoded once, parsed by AWS-LC once per algorithm used.
#[derive(Debug)]
struct AwsKey {
    kind: KeyKind,
    parsed: [OnceLock<Result<ParsedPublicKey, SignatureError>>; SLOTS],
    /// The key decoded for the RustCrypto code, on first need: for what AWS-LC has no
    /// algorithm for, and for an EC key's tables (from its fourth use).
    fallback: OnceLock<Result<DecodedKey, SignatureError>>,
    spki: Box<[u8]>,
}

impl PreparedKey for AwsKey {
    fn backend(&self) -> &'static str {
        "aws-lc-rs"
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn aws_verify(
    key: &ParsedPublicKey,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError> {
    key.verify_sig(message, signature)
        .map_err(|_| SignatureError::Invalid)
}

impl CryptoBackend for AwsLc {
    fn name(&self) -> &'static str {
        "aws-lc-rs"
    }

    fn verify(
        &self,
        alg: SignatureAlgorithm,
        spki_der: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        let kind = KeyKind::decode(spki_der)?;
        match kind.route(alg)? {
            Route::Aws(aws_alg, _) => aws_verify(&kind.parse(aws_alg)?, message, signature),
            Route::Fallback => RustCrypto.verify(alg, spki_der, message, signature),
        }
    }

    fn prepare(&self, spki_der: &[u8]) -> Result<Option<Arc<dyn PreparedKey>>, SignatureError> {
        Ok(Some(Arc::new(AwsKey {
            kind: KeyKind::decode(spki_der)?,
            parsed: Default::default(),
            fallback: OnceLock::new(),
            spki: spki_der.into(),
        })))
    }

    fn verify_prepared(
        &self,
        key: &dyn PreparedKey,
        alg: SignatureAlgorithm,
        spki_der: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        let Some(key) = key.as_any().downcast_ref::<AwsKey>() else {
            return self.verify(alg, spki_der, message, signature);
        };
        match key.kind.route(alg)? {
            Route::Aws(aws_alg, slot) => {
                // An EC key verified with again and again (a trust anchor, a cached
                // intermediate) gets certchain's key tables on its fourth use, as in the
                // RustCrypto backend: a table verification measured faster than AWS-LC's on
                // this machine (P-256 ~49 against ~62 µs, P-384 ~150 against ~211 µs), with the
                // same verdicts (the tests compare them). Before that, AWS-LC.
                if matches!(key.kind, KeyKind::P256(_) | KeyKind::P384(_)) {
                    if let Ok(decoded) = key
                        .fallback
                        .get_or_init(|| DecodedKey::decode(&key.spki))
                        .as_ref()
                    {
                        if let Some(verdict) = decoded.verify_tabled(alg, message, signature) {
                            return verdict;
                        }
                    }
                }
                let Some(cell) = key.parsed.get(slot) else {
                    return aws_verify(&key.kind.parse(aws_alg)?, message, signature);
                };
                let parsed = cell.get_or_init(|| key.kind.parse(aws_alg));
                aws_verify(parsed.as_ref().map_err(Clone::clone)?, message, signature)
            }
            Route::Fallback => key
                .fallback
                .get_or_init(|| DecodedKey::decode(&key.spki))
                .as_ref()
                .map_err(Clone::clone)?
                .verify(alg, message, signature),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode, Reader, SliceReader};

    const CERTS: &[&[u8]] = &[
        include_bytes!("testdata/rsa2048_sha256.der"),
        include_bytes!("testdata/rsa2048_pss_sha256.der"),
        include_bytes!("testdata/rsapss_key_sha256.der"),
        include_bytes!("testdata/p256_sha256.der"),
        include_bytes!("testdata/p256_sha384.der"),
        include_bytes!("testdata/p384_sha384.der"),
        include_bytes!("testdata/p384_sha256.der"),
    ];

    /// (tbs, signature algorithm, signature, spki) of a self-signed certificate.
    fn split(cert_der: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>) {
        let mut outer = SliceReader::new(cert_der).unwrap();
        let (tbs, alg) = outer
            .sequence(|r| {
                let tbs = r.tlv_bytes()?;
                let alg = r.tlv_bytes()?;
                let _sig = r.tlv_bytes()?;
                Ok::<_, der::Error>((tbs.to_vec(), alg.to_vec()))
            })
            .unwrap();
        let cert = x509_cert::Certificate::from_der(cert_der).unwrap();
        let sig = cert.signature().as_bytes().unwrap().to_vec();
        let spki = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap();
        (tbs, alg, sig, spki)
    }

    const ALGS: &[SignatureAlgorithm] = &[
        SignatureAlgorithm::RsaPkcs1Sha256,
        SignatureAlgorithm::RsaPkcs1Sha384,
        SignatureAlgorithm::RsaPkcs1Sha512,
        SignatureAlgorithm::RsaPss {
            hash: HashAlg::Sha256,
            salt_len: 32,
        },
        SignatureAlgorithm::RsaPss {
            hash: HashAlg::Sha256,
            salt_len: 20,
        },
        SignatureAlgorithm::RsaPss {
            hash: HashAlg::Sha384,
            salt_len: 48,
        },
        SignatureAlgorithm::RsaPss {
            hash: HashAlg::Sha512,
            salt_len: 64,
        },
        SignatureAlgorithm::EcdsaSha256,
        SignatureAlgorithm::EcdsaSha384,
        SignatureAlgorithm::EcdsaSha512,
    ];

    /// Same verdict from RustCrypto, AwsLc, and AwsLc with a prepared key (used twice, so the
    /// cached AWS-LC key is exercised).
    fn same(
        alg: SignatureAlgorithm,
        spki: &[u8],
        msg: &[u8],
        sig: &[u8],
    ) -> Result<(), SignatureError> {
        let want = RustCrypto.verify(alg, spki, msg, sig);
        assert_eq!(AwsLc.verify(alg, spki, msg, sig), want, "{alg:?}");
        match AwsLc.prepare(spki) {
            Ok(Some(key)) => {
                for _ in 0..2 {
                    assert_eq!(
                        AwsLc.verify_prepared(key.as_ref(), alg, spki, msg, sig),
                        want,
                        "prepared {alg:?}"
                    );
                }
            }
            Ok(None) => unreachable!("AwsLc always prepares"),
            Err(e) => assert_eq!(Err(e), want.clone(), "prepare {alg:?}"),
        }
        want
    }

    #[test]
    fn agrees_with_rustcrypto_on_good_signatures() {
        for cert in CERTS {
            let (tbs, alg, sig, spki) = split(cert);
            let alg = super::super::parse_signature_algorithm(&alg).unwrap();
            assert_eq!(same(alg, &spki, &tbs, &sig), Ok(()), "{alg:?}");
            for other in ALGS {
                let _ = same(*other, &spki, &tbs, &sig);
            }
        }
    }

    #[test]
    fn agrees_with_rustcrypto_on_corruptions() {
        for cert in CERTS {
            let (tbs, alg, sig, spki) = split(cert);
            let alg = super::super::parse_signature_algorithm(&alg).unwrap();
            for i in [0, tbs.len() / 2, tbs.len() - 1] {
                let mut t = tbs.clone();
                t[i] ^= 1;
                assert_eq!(same(alg, &spki, &t, &sig), Err(SignatureError::Invalid));
            }
            for i in 0..sig.len() {
                let mut s = sig.clone();
                s[i] ^= 0x41;
                assert!(same(alg, &spki, &tbs, &s).is_err(), "sig byte {i}");
            }
            for bad in [
                &sig[..sig.len() - 1],
                &[sig.as_slice(), &[0]].concat()[..],
                &[][..],
            ] {
                assert!(same(alg, &spki, &tbs, bad).is_err());
            }
            for i in 0..spki.len() {
                let mut k = spki.clone();
                k[i] ^= 0x5a;
                assert!(same(alg, &k, &tbs, &sig).is_err(), "spki byte {i}");
            }
            for len in 0..spki.len() {
                assert!(same(alg, &spki[..len], &tbs, &sig).is_err());
            }
        }
    }

    /// An EC key prepared once and used again and again: AWS-LC for its first three uses,
    /// certchain's tables from the fourth; every verdict is RustCrypto's.
    #[test]
    fn ec_key_used_again_gets_tables_with_the_same_verdicts() {
        for cert in &CERTS[3..] {
            let (tbs, alg, sig, spki) = split(cert);
            let alg = super::super::parse_signature_algorithm(&alg).unwrap();
            let key = AwsLc.prepare(&spki).unwrap().unwrap();
            let aws = key.as_any().downcast_ref::<AwsKey>().unwrap();
            let mut cases: Vec<(SignatureAlgorithm, Vec<u8>, Vec<u8>)> = vec![
                (alg, tbs.clone(), sig.clone()),
                (alg, tbs.clone(), sig.clone()),
                (alg, tbs.clone(), sig.clone()),
            ];
            for other in &ALGS[7..] {
                cases.push((*other, tbs.clone(), sig.clone()));
            }
            let mut t = tbs.clone();
            t[tbs.len() / 2] ^= 1;
            cases.push((alg, t, sig.clone()));
            for i in 0..sig.len() {
                let mut s = sig.clone();
                s[i] ^= 0x41;
                cases.push((alg, tbs.clone(), s));
            }
            cases.push((alg, tbs.clone(), sig[..sig.len() - 1].to_vec()));
            cases.push((alg, tbs.clone(), [sig.as_slice(), &[0]].concat()));
            cases.push((alg, tbs.clone(), Vec::new()));
            cases.push((alg, tbs.clone(), sig.clone()));
            for (n, (a, m, s)) in cases.iter().enumerate() {
                let want = RustCrypto.verify(*a, &spki, m, s);
                let got = AwsLc.verify_prepared(key.as_ref(), *a, &spki, m, s);
                assert_eq!(got, want, "use {n}, {a:?}");
            }
            let decoded = aws.fallback.get().unwrap().as_ref().unwrap();
            assert!(
                decoded.has_table(),
                "tables built after {} uses",
                cases.len()
            );
            assert_eq!(
                AwsLc.verify_prepared(key.as_ref(), alg, &spki, &tbs, &sig),
                Ok(())
            );
        }
    }

    #[test]
    fn off_curve_point_is_malformed_in_both() {
        let (tbs, _, sig, spki) = split(CERTS[3]);
        let mut k = spki.clone();
        let last = k.len() - 1;
        k[last] ^= 1;
        assert!(matches!(
            same(SignatureAlgorithm::EcdsaSha256, &k, &tbs, &sig),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn foreign_prepared_key_falls_back() {
        let (tbs, alg, sig, spki) = split(CERTS[0]);
        let alg = super::super::parse_signature_algorithm(&alg).unwrap();
        let Ok(Some(rc_key)) = RustCrypto.prepare(&spki) else {
            unreachable!("RustCrypto prepares")
        };
        assert_eq!(
            AwsLc.verify_prepared(rc_key.as_ref(), alg, &spki, &tbs, &sig),
            Ok(())
        );
        assert_eq!(rc_key.backend(), "rustcrypto");
        assert_eq!(AwsLc.name(), "aws-lc-rs");
    }
}
