//! [`CryptoBackend`] built on the pure-Rust RustCrypto crates: `rsa` (PKCS#1 v1.5 and
//! PSS), `p256` and `p384` (ECDSA), and `sha2`.
//!
//! Notes on how the underlying crates are used:
//!
//! * **RSA keys** are decoded by [`super::parse_public_key`], not by `rsa`'s own SPKI
//!   decoder: that one only accepts 1024..=8192-bit moduli and `id-RSASSA-PSS` keys
//!   without parameters. We build the key ([`super::rsa_public`]) with the checks of
//!   `PublicKey::new_with_size_limits` (512..=16384 bits) and its Montgomery parameters
//!   computed in variable time; `rsa`'s own key is built only for PSS. Exponent 1, even
//!   exponents and even moduli are rejected while parsing (Malformed); exponents above `rsa::PublicKey::MAX_PUB_EXPONENT` (2^33 - 1)
//!   and moduli above 16384 bits are refused (Unsupported) before any arithmetic.
//! * **PKCS#1 v1.5** ([`super::rsa_public`]): the signature is raised to `e` by
//!   square-and-multiply (variable time over the public exponent; `rsa` uses a constant-time
//!   windowed exponentiation, about twice the work), then the full
//!   `EM = 00 01 FF.. 00 DigestInfo` encoding (`rsa`'s DigestInfo, with explicit NULL
//!   parameters) is rebuilt and compared as a whole, as `rsa` does, so no alternative
//!   encodings are accepted. The signature must be exactly `k` bytes long. A unit test checks
//!   the verdicts against `rsa`'s.
//! * **PSS salt length**: `rsa` 0.10 auto-detects the salt length only when
//!   `Pss::salt_len` is `None` (`VerifyingKey::new_with_auto_salt_len`). We always pass
//!   `Some(salt_len)` from the AlgorithmIdentifier, in which case `emsa_pss_verify`
//!   checks that the `emLen - hLen - sLen - 2` leftmost octets of DB are zero and the
//!   next is `0x01` (RFC 8017 section 9.1.2 step 10), i.e. the salt is exactly
//!   `salt_len` bytes. A signature made with any other salt length is `Invalid`; the
//!   tests check this. MGF1 always uses the message hash (the parser rejects others).
//! * **ECDSA**: we hash the message ourselves and verify the prehash with `ecdsa`'s steps
//!   (`hazmat::verify_prehashed`, [`super::ec_table`]), so any of SHA-256/384/512 works on
//!   either curve; `u1·G + u2·Q` is certchain's own variable-time arithmetic (Jacobian
//!   formulas over `fiat-crypto`'s field arithmetic, [`super::ec_jacobian`], and a key's tables from its fourth use), whose verdicts
//!   unit tests and the `signature` fuzz target compare with `ecdsa`'s. `ecdsa` 0.17 takes the leftmost `ceil(log2 n / 8)` bytes of a longer digest
//!   and zero-pads a shorter one (`bits2int` of FIPS 186-5 / SEC1 4.1.4 step 5; both
//!   curve orders are whole bytes). It accepts any prehash length and, for P-256/P-384,
//!   does not demand low-S. Signatures are strict DER `Ecdsa-Sig-Value` with
//!   `0 < r, s < n`. Points are validated to lie on the curve (else Malformed);
//!   compressed points are accepted.

use std::any::Any;
use std::sync::Arc;

use super::ec_table::{self, FixedBase, GeneratorTable, TableSlot};
use super::rsa_public::RsaKey;
use super::{
    parse_public_key, CryptoBackend, HashAlg, PreparedKey, PublicKeyRef, RsaKeyRef, RsaKeyUse,
    SignatureAlgorithm, SignatureError,
};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::{BoxedUint, Pss};
use sha2::digest::FixedOutputReset;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// Smallest RSA modulus (bits) the backend will do arithmetic with. Policy (e.g. a
/// 2048-bit minimum) is the caller's business; this only bounds nonsense.
const MIN_RSA_BITS: usize = 512;
/// Largest RSA modulus (bits) the backend will do arithmetic with (the AWS-LC backend hands
/// larger ones to this one), so the largest certchain accepts in a certificate.
pub(crate) const MAX_RSA_BITS: usize = 16384;

/// The RustCrypto backend (pure Rust, no system libraries). Stateless.
#[derive(Debug, Default, Clone, Copy)]
pub struct RustCrypto;

impl CryptoBackend for RustCrypto {
    fn name(&self) -> &'static str {
        "rustcrypto"
    }

    fn verify(
        &self,
        alg: SignatureAlgorithm,
        spki_der: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        DecodedKey::decode(spki_der)?.verify(alg, message, signature)
    }

    fn prepare(&self, spki_der: &[u8]) -> Result<Option<Arc<dyn PreparedKey>>, SignatureError> {
        Ok(Some(Arc::new(DecodedKey::decode(spki_der)?)))
    }

    fn verify_prepared(
        &self,
        key: &dyn PreparedKey,
        alg: SignatureAlgorithm,
        spki_der: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        match key.as_any().downcast_ref::<DecodedKey>() {
            Some(key) => key.verify(alg, message, signature),
            None => self.verify(alg, spki_der, message, signature),
        }
    }
}

/// A public key decoded for the RustCrypto crates: what [`RustCrypto::prepare`] caches.
///
/// Decoding problems that [`RustCrypto::verify`] reports only after matching the algorithm to
/// the key type (an RSA size limit, an EC point off the curve) are kept as errors inside, so a
/// prepared key gives exactly the verdicts of an unprepared one.
#[derive(Debug)]
pub(crate) enum DecodedKey {
    /// An RSA key (with its precomputed Montgomery parameters) and its usage.
    Rsa {
        key: Result<RsaKey, SignatureError>,
        usage: RsaKeyUse,
    },
    /// A P-256 key, and its precomputed multiples from its fourth use on.
    P256(
        Result<p256::ecdsa::VerifyingKey, SignatureError>,
        TableSlot<p256::NistP256>,
    ),
    /// A P-384 key, and its precomputed multiples from its fourth use on.
    P384(
        Result<p384::ecdsa::VerifyingKey, SignatureError>,
        TableSlot<p384::NistP384>,
    ),
}

impl PreparedKey for DecodedKey {
    fn backend(&self) -> &'static str {
        "rustcrypto"
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The ECDSA verdict of `$key` (a `$curve::ecdsa::VerifyingKey`, with its tables `$table` if
/// any) on a DER signature over `$message`: the steps shared by [`DecodedKey::verify`] and the
/// aws-lc-rs backend's table path. A signature that is not DER is `Invalid`.
macro_rules! ecdsa_over {
    ($curve:ident, $table:expr, $key:expr, $alg:expr, $message:expr, $signature:expr) => {
        match $curve::ecdsa::Signature::from_der($signature) {
            Ok(sig) => ecdsa_verdict($table, $key, &ecdsa_prehash($alg, $message), &sig),
            Err(_) => Err(SignatureError::Invalid),
        }
    };
}

impl DecodedKey {
    /// Decode a SubjectPublicKeyInfo.
    pub(crate) fn decode(spki_der: &[u8]) -> Result<DecodedKey, SignatureError> {
        Ok(match parse_public_key(spki_der)? {
            PublicKeyRef::Rsa(key) => DecodedKey::Rsa {
                key: rsa_public_key(&key),
                usage: key.usage,
            },
            PublicKeyRef::EcP256(point) => DecodedKey::P256(p256_key(point), TableSlot::default()),
            PublicKeyRef::EcP384(point) => DecodedKey::P384(p384_key(point), TableSlot::default()),
        })
    }

    /// Verify `signature` over `message` with this key.
    pub(crate) fn verify(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        match (alg, self) {
            (
                SignatureAlgorithm::RsaPkcs1Sha256
                | SignatureAlgorithm::RsaPkcs1Sha384
                | SignatureAlgorithm::RsaPkcs1Sha512,
                DecodedKey::Rsa { key, usage },
            ) => {
                check_rsa_usage(alg, *usage)?;
                let public = key.as_ref().map_err(Clone::clone)?;
                match alg {
                    SignatureAlgorithm::RsaPkcs1Sha384 => {
                        public.verify_pkcs1v15::<Sha384>(message, signature)
                    }
                    SignatureAlgorithm::RsaPkcs1Sha512 => {
                        public.verify_pkcs1v15::<Sha512>(message, signature)
                    }
                    _ => public.verify_pkcs1v15::<Sha256>(message, signature),
                }
            }
            (SignatureAlgorithm::RsaPss { hash, salt_len }, DecodedKey::Rsa { key, usage }) => {
                check_rsa_usage(alg, *usage)?;
                let public = key.as_ref().map_err(Clone::clone)?.rsa()?;
                let salt_len = usize::try_from(salt_len).map_err(|_| SignatureError::Invalid)?;
                match hash {
                    HashAlg::Sha256 => rsa_pss::<Sha256>(public, salt_len, message, signature),
                    HashAlg::Sha384 => rsa_pss::<Sha384>(public, salt_len, message, signature),
                    HashAlg::Sha512 => rsa_pss::<Sha512>(public, salt_len, message, signature),
                }
            }
            (
                SignatureAlgorithm::EcdsaSha256
                | SignatureAlgorithm::EcdsaSha384
                | SignatureAlgorithm::EcdsaSha512,
                DecodedKey::P256(key, slot),
            ) => {
                let key = key.as_ref().map_err(Clone::clone)?;
                ecdsa_over!(
                    p256,
                    slot.get(key.as_affine()),
                    key,
                    alg,
                    message,
                    signature
                )
            }
            (
                SignatureAlgorithm::EcdsaSha256
                | SignatureAlgorithm::EcdsaSha384
                | SignatureAlgorithm::EcdsaSha512,
                DecodedKey::P384(key, slot),
            ) => {
                let key = key.as_ref().map_err(Clone::clone)?;
                ecdsa_over!(
                    p384,
                    slot.get(key.as_affine()),
                    key,
                    alg,
                    message,
                    signature
                )
            }
            (
                SignatureAlgorithm::EcdsaSha256
                | SignatureAlgorithm::EcdsaSha384
                | SignatureAlgorithm::EcdsaSha512,
                DecodedKey::Rsa { .. },
            ) => Err(SignatureError::KeyMismatch(
                "ECDSA signature algorithm used with an RSA key".into(),
            )),
            (_, DecodedKey::P256(..) | DecodedKey::P384(..)) => Err(SignatureError::KeyMismatch(
                "RSA signature algorithm used with an EC key".into(),
            )),
        }
    }
}

impl DecodedKey {
    /// An ECDSA verdict from this key's tables when it has them, counting this use towards
    /// building them as [`DecodedKey::verify`] does (from the fourth use on); `None`, for the
    /// caller to verify another way, before that, for a key that could not be decoded, an RSA
    /// key or an RSA algorithm. The aws-lc-rs backend uses it for keys it verifies with again
    /// and again, where a table verification is faster than AWS-LC's.
    #[cfg(feature = "aws-lc-rs")]
    pub(crate) fn verify_tabled(
        &self,
        alg: SignatureAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Option<Result<(), SignatureError>> {
        if !matches!(
            alg,
            SignatureAlgorithm::EcdsaSha256
                | SignatureAlgorithm::EcdsaSha384
                | SignatureAlgorithm::EcdsaSha512
        ) {
            return None;
        }
        match self {
            DecodedKey::P256(Ok(key), slot) => {
                let table = slot.get(key.as_affine())?;
                Some(ecdsa_over!(p256, Some(table), key, alg, message, signature))
            }
            DecodedKey::P384(Ok(key), slot) => {
                let table = slot.get(key.as_affine())?;
                Some(ecdsa_over!(p384, Some(table), key, alg, message, signature))
            }
            _ => None,
        }
    }

    /// Whether this EC key has its tables (tests).
    #[cfg(all(test, feature = "aws-lc-rs"))]
    pub(crate) fn has_table(&self) -> bool {
        match self {
            DecodedKey::P256(_, slot) => slot.has_table(),
            DecodedKey::P384(_, slot) => slot.has_table(),
            DecodedKey::Rsa { .. } => false,
        }
    }
}

/// Whether an RSA signature algorithm may be used with a key of this usage (RFC 4055): an
/// `id-RSASSA-PSS` key signs PSS only, and a key with PSS parameters only with its hash and at
/// least its salt length. Shared by every backend so their verdicts agree.
pub(crate) fn check_rsa_usage(
    alg: SignatureAlgorithm,
    usage: RsaKeyUse,
) -> Result<(), SignatureError> {
    match alg {
        SignatureAlgorithm::RsaPss { hash, salt_len } => {
            if let RsaKeyUse::PssRestricted {
                hash: key_hash,
                min_salt_len,
            } = usage
            {
                if key_hash != hash || salt_len < min_salt_len {
                    return Err(SignatureError::KeyMismatch(format!(
                        "RSASSA-PSS parameters ({}, salt {salt_len}) not allowed by the key's \
                         parameters ({}, salt at least {min_salt_len})",
                        super::hash_name(hash),
                        super::hash_name(key_hash)
                    )));
                }
            }
            Ok(())
        }
        _ if usage != RsaKeyUse::Any => Err(SignatureError::KeyMismatch(
            "PKCS#1 v1.5 signature made with an RSASSA-PSS-only (id-RSASSA-PSS) key".into(),
        )),
        _ => Ok(()),
    }
}

/// An ECDSA verdict: with the key's tables when it has them, else in Jacobian coordinates
/// (`ec_jacobian`); both are `ecdsa`'s verification step for step.
fn ecdsa_verdict<C>(
    table: Option<&FixedBase<C>>,
    key: &ecdsa::VerifyingKey<C>,
    prehash: &[u8],
    sig: &ecdsa::Signature<C>,
) -> Result<(), SignatureError>
where
    C: GeneratorTable + super::ec_jacobian::GeneratorMultiples,
    elliptic_curve::Scalar<C>: elliptic_curve::ops::Reduce<C::Uint>,
    ecdsa::VerifyingKey<C>: PrehashVerifier<ecdsa::Signature<C>>,
{
    let valid = match table {
        Some(table) => ec_table::verify_prehash(table, prehash, sig),
        None => ec_table::verify_prehash_untabled(key.as_affine(), prehash, sig),
    };
    if valid {
        Ok(())
    } else {
        Err(SignatureError::Invalid)
    }
}

/// Digest of `message` with the hash named by an ECDSA algorithm.
fn ecdsa_prehash(alg: SignatureAlgorithm, message: &[u8]) -> Vec<u8> {
    match alg {
        SignatureAlgorithm::EcdsaSha384 => Sha384::digest(message).to_vec(),
        SignatureAlgorithm::EcdsaSha512 => Sha512::digest(message).to_vec(),
        _ => Sha256::digest(message).to_vec(),
    }
}

/// Decode and validate a SEC1 P-256 point (must be on the curve, not the identity).
pub(crate) fn p256_key(point: &[u8]) -> Result<p256::ecdsa::VerifyingKey, SignatureError> {
    p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| {
        SignatureError::Malformed("EC public key is not a valid point on P-256".into())
    })
}

/// Decode and validate a SEC1 P-384 point (must be on the curve, not the identity).
pub(crate) fn p384_key(point: &[u8]) -> Result<p384::ecdsa::VerifyingKey, SignatureError> {
    p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| {
        SignatureError::Malformed("EC public key is not a valid point on P-384".into())
    })
}

/// Refuse RSA sizes and exponents we won't do arithmetic on (every backend applies the same
/// bounds, so their verdicts agree).
pub(crate) fn rsa_limits(key: &RsaKeyRef<'_>) -> Result<(), SignatureError> {
    let bits = key.bits();
    if bits > MAX_RSA_BITS as u64 {
        return Err(SignatureError::Unsupported(format!(
            "RSA key of {bits} bits (at most {MAX_RSA_BITS} supported)"
        )));
    }
    if bits < MIN_RSA_BITS as u64 {
        return Err(SignatureError::Unsupported(format!(
            "RSA key of {bits} bits (at least {MIN_RSA_BITS} supported)"
        )));
    }
    if key.exponent() > rsa::PublicKey::MAX_PUB_EXPONENT {
        return Err(SignatureError::Unsupported(format!(
            "RSA public exponent larger than {}",
            rsa::PublicKey::MAX_PUB_EXPONENT
        )));
    }
    Ok(())
}

/// Build an `rsa` public key, refusing sizes and exponents we won't do arithmetic on.
pub(crate) fn rsa_public_key(key: &RsaKeyRef<'_>) -> Result<RsaKey, SignatureError> {
    rsa_limits(key)?;
    let n = boxed_uint(key.n)?;
    let e = boxed_uint(key.e)?;
    RsaKey::new(n, e, MIN_RSA_BITS, MAX_RSA_BITS)
}

/// Big-endian bytes to a `BoxedUint` of just enough (64-bit aligned) precision.
fn boxed_uint(be: &[u8]) -> Result<BoxedUint, SignatureError> {
    let bits = be
        .len()
        .checked_mul(8)
        .and_then(|b| u32::try_from(b).ok())
        .ok_or_else(|| SignatureError::Unsupported("RSA integer too large".into()))?;
    let precision = bits.div_ceil(64).max(1) * 64;
    BoxedUint::from_be_slice(be, precision)
        .map_err(|_| SignatureError::Malformed("RSA integer could not be decoded".into()))
}

fn rsa_pss<D>(
    key: &rsa::PublicKey,
    salt_len: usize,
    message: &[u8],
    signature: &[u8],
) -> Result<(), SignatureError>
where
    D: Digest + FixedOutputReset,
{
    let hashed = D::digest(message);
    // `Some(salt_len)`: exact salt length, never auto-detected (see module docs).
    key.verify(Pss::<D>::new_with_salt(salt_len), &hashed, signature)
        .map_err(|_| SignatureError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::super::{inspect_public_key, parse_signature_algorithm, PublicKeyKind};
    use super::*;
    use der::{Decode, Encode, Reader, SliceReader};

    const RSA_SHA256: &[u8] = include_bytes!("testdata/rsa2048_sha256.der");
    const RSA_PSS_SHA256: &[u8] = include_bytes!("testdata/rsa2048_pss_sha256.der");
    const RSAPSS_KEY_SHA256: &[u8] = include_bytes!("testdata/rsapss_key_sha256.der");
    const P256_SHA256: &[u8] = include_bytes!("testdata/p256_sha256.der");
    const P256_SHA384: &[u8] = include_bytes!("testdata/p256_sha384.der");
    const P384_SHA384: &[u8] = include_bytes!("testdata/p384_sha384.der");
    const P384_SHA256: &[u8] = include_bytes!("testdata/p384_sha256.der");

    /// The pieces of a certificate a verifier needs.
    struct Parts {
        tbs: Vec<u8>,
        alg: Vec<u8>,
        sig: Vec<u8>,
        spki: Vec<u8>,
    }

    fn split(cert_der: &[u8]) -> Parts {
        // Raw bytes exactly as signed, straight from the DER.
        let mut outer = SliceReader::new(cert_der).unwrap();
        let (tbs, alg) = outer
            .sequence(|r| {
                let tbs = r.tlv_bytes()?;
                let alg = r.tlv_bytes()?;
                let _sig = r.tlv_bytes()?;
                Ok::<_, der::Error>((tbs.to_vec(), alg.to_vec()))
            })
            .unwrap();
        outer.finish().unwrap();
        // Decoded view for the signature bits and the subject key.
        let cert = x509_cert::Certificate::from_der(cert_der).unwrap();
        let sig = cert.signature().as_bytes().unwrap().to_vec();
        let spki = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap();
        Parts {
            tbs,
            alg,
            sig,
            spki,
        }
    }

    fn check_self_signed(cert: &[u8], want_alg: SignatureAlgorithm, want_kind: PublicKeyKind) {
        let p = split(cert);
        let alg = parse_signature_algorithm(&p.alg).unwrap();
        assert_eq!(alg, want_alg);
        assert_eq!(inspect_public_key(&p.spki), Ok(want_kind));
        assert_eq!(RustCrypto.verify(alg, &p.spki, &p.tbs, &p.sig), Ok(()));

        // Flip one bit in each of a few TBS bytes: never verifies.
        for i in [0, p.tbs.len() / 2, p.tbs.len() - 1] {
            let mut tbs = p.tbs.clone();
            tbs[i] ^= 0x01;
            assert_eq!(
                RustCrypto.verify(alg, &p.spki, &tbs, &p.sig),
                Err(SignatureError::Invalid),
                "tbs byte {i}"
            );
        }
        // Damaged signatures: flipped, truncated, extended, empty, garbage.
        let mut sig = p.sig.clone();
        let last = sig.len() - 1;
        sig[last] ^= 0x01;
        assert_eq!(
            RustCrypto.verify(alg, &p.spki, &p.tbs, &sig),
            Err(SignatureError::Invalid)
        );
        for bad in [
            &p.sig[..p.sig.len() - 1],
            &[p.sig.as_slice(), &[0]].concat()[..],
            &[][..],
            &[0xff; 7][..],
        ] {
            assert_eq!(
                RustCrypto.verify(alg, &p.spki, &p.tbs, bad),
                Err(SignatureError::Invalid)
            );
        }
        // Garbage keys never panic.
        assert!(matches!(
            RustCrypto.verify(alg, b"\x30\x03\x02\x01\x00", &p.tbs, &p.sig),
            Err(SignatureError::Malformed(_))
        ));
        assert!(matches!(
            RustCrypto.verify(alg, &p.spki[..p.spki.len() - 1], &p.tbs, &p.sig),
            Err(SignatureError::Malformed(_))
        ));
    }

    #[test]
    fn rsa_pkcs1_sha256() {
        check_self_signed(
            RSA_SHA256,
            SignatureAlgorithm::RsaPkcs1Sha256,
            PublicKeyKind::Rsa {
                bits: 2048,
                exponent: 65537,
            },
        );
    }

    #[test]
    fn rsa_pss_sha256() {
        let pss = SignatureAlgorithm::RsaPss {
            hash: HashAlg::Sha256,
            salt_len: 32,
        };
        let rsa = PublicKeyKind::Rsa {
            bits: 2048,
            exponent: 65537,
        };
        check_self_signed(RSA_PSS_SHA256, pss, rsa);
        check_self_signed(RSAPSS_KEY_SHA256, pss, rsa);
    }

    #[test]
    fn pss_salt_length_is_enforced() {
        let p = split(RSA_PSS_SHA256);
        for salt_len in [0, 20, 31, 33, 48, 64, 222, 223, 10_000, u32::MAX] {
            let alg = SignatureAlgorithm::RsaPss {
                hash: HashAlg::Sha256,
                salt_len,
            };
            assert_eq!(
                RustCrypto.verify(alg, &p.spki, &p.tbs, &p.sig),
                Err(SignatureError::Invalid),
                "salt_len {salt_len}"
            );
        }
        // Wrong hash.
        let alg = SignatureAlgorithm::RsaPss {
            hash: HashAlg::Sha384,
            salt_len: 32,
        };
        assert_eq!(
            RustCrypto.verify(alg, &p.spki, &p.tbs, &p.sig),
            Err(SignatureError::Invalid)
        );
        // PSS signature checked as PKCS#1 v1.5, and the other way round.
        assert_eq!(
            RustCrypto.verify(SignatureAlgorithm::RsaPkcs1Sha256, &p.spki, &p.tbs, &p.sig),
            Err(SignatureError::Invalid)
        );
        let q = split(RSA_SHA256);
        let alg = SignatureAlgorithm::RsaPss {
            hash: HashAlg::Sha256,
            salt_len: 32,
        };
        assert_eq!(
            RustCrypto.verify(alg, &q.spki, &q.tbs, &q.sig),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn pss_only_key_restrictions() {
        let p = split(RSAPSS_KEY_SHA256);
        // The key's parameters say SHA-256 with salt >= 32.
        assert!(matches!(
            RustCrypto.verify(SignatureAlgorithm::RsaPkcs1Sha256, &p.spki, &p.tbs, &p.sig),
            Err(SignatureError::KeyMismatch(_))
        ));
        for (hash, salt_len) in [(HashAlg::Sha384, 32), (HashAlg::Sha256, 31)] {
            assert!(matches!(
                RustCrypto.verify(
                    SignatureAlgorithm::RsaPss { hash, salt_len },
                    &p.spki,
                    &p.tbs,
                    &p.sig
                ),
                Err(SignatureError::KeyMismatch(_))
            ));
        }
    }

    /// A prepared key gives the verdicts of an unprepared one on every use: ECDSA keys switch to
    /// precomputed tables from their fourth use on, RSA keys keep their Montgomery parameters.
    #[test]
    fn prepared_keys_agree_on_every_use() {
        for cert in [
            RSA_SHA256,
            RSA_PSS_SHA256,
            P256_SHA256,
            P256_SHA384,
            P384_SHA384,
            P384_SHA256,
        ] {
            let p = split(cert);
            let alg = parse_signature_algorithm(&p.alg).unwrap();
            let key = RustCrypto.prepare(&p.spki).unwrap().unwrap();
            let mut bad_tbs = p.tbs.clone();
            bad_tbs[10] ^= 0x04;
            let mut bad_sig = p.sig.clone();
            let last = bad_sig.len() - 3;
            bad_sig[last] ^= 0x01;
            for round in 0..4 {
                for (tbs, sig, want) in [
                    (&p.tbs, &p.sig, Ok(())),
                    (&bad_tbs, &p.sig, Err(SignatureError::Invalid)),
                    (&p.tbs, &bad_sig, Err(SignatureError::Invalid)),
                ] {
                    let prepared = RustCrypto.verify_prepared(&*key, alg, &p.spki, tbs, sig);
                    assert_eq!(prepared, want, "{alg:?}, round {round}");
                    assert_eq!(RustCrypto.verify(alg, &p.spki, tbs, sig), want);
                }
            }
        }
    }

    #[test]
    fn ecdsa_same_size_hashes() {
        check_self_signed(
            P256_SHA256,
            SignatureAlgorithm::EcdsaSha256,
            PublicKeyKind::EcP256,
        );
        check_self_signed(
            P384_SHA384,
            SignatureAlgorithm::EcdsaSha384,
            PublicKeyKind::EcP384,
        );
    }

    #[test]
    fn ecdsa_cross_size_hashes() {
        // Longer digest truncated to the P-256 order; shorter digest on P-384.
        check_self_signed(
            P256_SHA384,
            SignatureAlgorithm::EcdsaSha384,
            PublicKeyKind::EcP256,
        );
        check_self_signed(
            P384_SHA256,
            SignatureAlgorithm::EcdsaSha256,
            PublicKeyKind::EcP384,
        );
        // Same signature, wrong hash.
        let p = split(P256_SHA384);
        for alg in [
            SignatureAlgorithm::EcdsaSha256,
            SignatureAlgorithm::EcdsaSha512,
        ] {
            assert_eq!(
                RustCrypto.verify(alg, &p.spki, &p.tbs, &p.sig),
                Err(SignatureError::Invalid)
            );
        }
    }

    #[test]
    fn key_mismatch() {
        let rsa = split(RSA_SHA256);
        let ec = split(P256_SHA256);
        assert!(matches!(
            RustCrypto.verify(
                SignatureAlgorithm::EcdsaSha256,
                &rsa.spki,
                &rsa.tbs,
                &rsa.sig
            ),
            Err(SignatureError::KeyMismatch(_))
        ));
        assert!(matches!(
            RustCrypto.verify(
                SignatureAlgorithm::RsaPkcs1Sha256,
                &ec.spki,
                &ec.tbs,
                &ec.sig
            ),
            Err(SignatureError::KeyMismatch(_))
        ));
        // Someone else's key.
        let other = split(P384_SHA256);
        assert_eq!(
            RustCrypto.verify(
                SignatureAlgorithm::EcdsaSha256,
                &other.spki,
                &ec.tbs,
                &ec.sig
            ),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn ec_point_off_curve_is_malformed() {
        for cert in [P256_SHA256, P384_SHA384] {
            let p = split(cert);
            let mut spki = p.spki.clone();
            let last = spki.len() - 1;
            spki[last] ^= 0x01; // y changes, x stays: no longer on the curve
            assert!(matches!(
                inspect_public_key(&spki),
                Err(SignatureError::Malformed(_))
            ));
            let alg = parse_signature_algorithm(&p.alg).unwrap();
            assert!(matches!(
                RustCrypto.verify(alg, &spki, &p.tbs, &p.sig),
                Err(SignatureError::Malformed(_))
            ));
        }
    }

    #[test]
    fn compressed_point_works() {
        let p = split(P256_SHA256);
        let key = p256_key(&p.spki[p.spki.len() - 65..]).unwrap();
        let compressed = key.to_sec1_point(true);
        let point = compressed.as_bytes();
        // Rebuild the SPKI around the compressed point.
        let prefix = p.spki[..p.spki.len() - 65 - 3].to_vec(); // up to the BIT STRING
        let alg_seq = &prefix[2..];
        let mut content = alg_seq.to_vec();
        content.extend([0x03, (point.len() + 1) as u8, 0x00]);
        content.extend_from_slice(point);
        let mut spki = vec![0x30, content.len() as u8];
        spki.extend(content);
        assert_eq!(inspect_public_key(&spki), Ok(PublicKeyKind::EcP256));
        assert_eq!(
            RustCrypto.verify(SignatureAlgorithm::EcdsaSha256, &spki, &p.tbs, &p.sig),
            Ok(())
        );
    }

    #[test]
    fn rsa_limits() {
        // An RSA SPKI with a 16392-bit odd modulus is refused before arithmetic.
        let mut n = vec![0x00, 0xff];
        n.extend(std::iter::repeat_n(0x11, 2048));
        let spki = rsa_spki(&n, &[0x01, 0x00, 0x01]);
        assert_eq!(
            inspect_public_key(&spki),
            Ok(PublicKeyKind::Rsa {
                bits: 16392,
                exponent: 65537
            })
        );
        assert!(matches!(
            RustCrypto.verify(SignatureAlgorithm::RsaPkcs1Sha256, &spki, b"m", &[0; 2049]),
            Err(SignatureError::Unsupported(_))
        ));
        // Exponent beyond rsa's RSADoS limit.
        let p = split(RSA_SHA256);
        let PublicKeyRef::Rsa(key) = super::super::parse_public_key(&p.spki).unwrap() else {
            unreachable!("RSA test certificate")
        };
        let n_der = [&[0u8][..], key.n].concat();
        let spki = rsa_spki(&n_der, &[0x04, 0x00, 0x00, 0x00, 0x01]); // 2^34 + 1
        assert!(matches!(
            RustCrypto.verify(SignatureAlgorithm::RsaPkcs1Sha256, &spki, &p.tbs, &p.sig),
            Err(SignatureError::Unsupported(_))
        ));
        // Exponent 3 is arithmetic the backend does (and the signature is then invalid).
        let spki = rsa_spki(&n_der, &[0x03]);
        assert_eq!(
            RustCrypto.verify(SignatureAlgorithm::RsaPkcs1Sha256, &spki, &p.tbs, &p.sig),
            Err(SignatureError::Invalid)
        );
        // Exponent 1 and even exponents are malformed.
        for e in [&[0x01][..], &[0x01, 0x00, 0x00][..]] {
            let spki = rsa_spki(&n_der, e);
            assert!(matches!(
                RustCrypto.verify(SignatureAlgorithm::RsaPkcs1Sha256, &spki, &p.tbs, &p.sig),
                Err(SignatureError::Malformed(_))
            ));
        }
    }

    /// rsaEncryption SPKI around the given DER INTEGER contents.
    fn rsa_spki(n: &[u8], e: &[u8]) -> Vec<u8> {
        use der::asn1::{AnyRef, BitString, UintRef};
        use spki::{AlgorithmIdentifier, SubjectPublicKeyInfo};
        let n = UintRef::new(n).unwrap();
        let e = UintRef::new(e).unwrap();
        let mut key = Vec::new();
        let seq_len = (n.encoded_len().unwrap() + e.encoded_len().unwrap()).unwrap();
        der::Header::new(der::Tag::Sequence, seq_len)
            .encode_to_vec(&mut key)
            .unwrap();
        n.encode_to_vec(&mut key).unwrap();
        e.encode_to_vec(&mut key).unwrap();
        SubjectPublicKeyInfo {
            algorithm: AlgorithmIdentifier {
                oid: super::super::oid::RSA_ENCRYPTION,
                parameters: Some(AnyRef::NULL),
            },
            subject_public_key: BitString::from_bytes(&key).unwrap(),
        }
        .to_der()
        .unwrap()
    }

    #[test]
    fn garbage_never_panics() {
        let p = split(P256_SHA256);
        let algs = [
            SignatureAlgorithm::RsaPkcs1Sha256,
            SignatureAlgorithm::RsaPss {
                hash: HashAlg::Sha512,
                salt_len: 64,
            },
            SignatureAlgorithm::EcdsaSha384,
        ];
        for alg in algs {
            for bad in [&b""[..], b"\x30\x00", b"garbage", &[0x30; 300]] {
                assert!(matches!(
                    RustCrypto.verify(alg, bad, b"msg", b"sig"),
                    Err(SignatureError::Malformed(_))
                ));
            }
            // Truncations of a real SPKI.
            for len in 0..p.spki.len() {
                assert!(RustCrypto
                    .verify(alg, &p.spki[..len], b"msg", &p.sig)
                    .is_err());
                assert!(inspect_public_key(&p.spki[..len]).is_err());
            }
        }
        // Every single-byte corruption of every test certificate's SPKI, alg and signature.
        for cert in [RSA_SHA256, RSA_PSS_SHA256, P256_SHA256, P384_SHA384] {
            let p = split(cert);
            let alg = parse_signature_algorithm(&p.alg).unwrap();
            for i in 0..p.alg.len() {
                let mut a = p.alg.clone();
                a[i] ^= 0x5a;
                let _ = parse_signature_algorithm(&a);
            }
            for i in 0..p.spki.len() {
                // Any change to the key, structural or not, must fail verification.
                let mut s = p.spki.clone();
                s[i] ^= 0x5a;
                let _ = inspect_public_key(&s);
                assert!(
                    RustCrypto.verify(alg, &s, &p.tbs, &p.sig).is_err(),
                    "byte {i}"
                );
            }
        }
    }

    #[test]
    fn backend_is_shareable() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<RustCrypto>();
        let b: Box<dyn CryptoBackend> = Box::new(RustCrypto);
        assert_eq!(b.name(), "rustcrypto");
    }
}
