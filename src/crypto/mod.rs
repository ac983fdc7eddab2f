//! Signature verification behind a small trait; the core decides policy (weak algorithms, key sizes),
//! a backend only does arithmetic.
//!
//! This module owns everything that is pure ASN.1: parsing a certificate's
//! `signatureAlgorithm` ([`parse_signature_algorithm`]) and looking inside a
//! `SubjectPublicKeyInfo` ([`inspect_public_key`]). A [`CryptoBackend`] is handed
//! the already-parsed algorithm plus the raw SPKI and does the maths.
//!
//! All functions here treat their input as hostile: every failure is an
//! error value, never a panic.

mod ec_jacobian;
mod ec_table;
mod rsa_public;
pub mod rustcrypto;
pub use rustcrypto::RustCrypto;
#[cfg(feature = "aws-lc-rs")]
pub mod awslc;
#[cfg(feature = "aws-lc-rs")]
pub use awslc::AwsLc;

use std::any::Any;
use std::sync::Arc;

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, UintRef};
use der::{Decode, Reader, SliceReader, Tag, TagMode, TagNumber, Tagged};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

/// A signature algorithm certchain understands (parsed from a DER AlgorithmIdentifier).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureAlgorithm {
    /// `sha256WithRSAEncryption` (RSASSA-PKCS1-v1_5 with SHA-256).
    RsaPkcs1Sha256,
    /// `sha384WithRSAEncryption` (RSASSA-PKCS1-v1_5 with SHA-384).
    RsaPkcs1Sha384,
    /// `sha512WithRSAEncryption` (RSASSA-PKCS1-v1_5 with SHA-512).
    RsaPkcs1Sha512,
    /// RSASSA-PSS; hash is also the MGF1 hash (mismatched MGF1 hash => Unsupported), salt_len from params
    RsaPss {
        /// The message digest, which is also the MGF1 digest.
        hash: HashAlg,
        /// The exact salt length in bytes the signature must use.
        salt_len: u32,
    },
    /// `ecdsa-with-SHA256`.
    EcdsaSha256,
    /// `ecdsa-with-SHA384`.
    EcdsaSha384,
    /// `ecdsa-with-SHA512`.
    EcdsaSha512,
}

/// A message digest used by a [`SignatureAlgorithm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// Why a signature could not be verified.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The signature is well-formed enough to check, and it does not verify.
    #[error("signature does not verify")]
    Invalid,
    /// SHA-1 / MD5 / MD2 based algorithms (name them, e.g. "sha1WithRSAEncryption")
    #[error("weak signature algorithm {0}")]
    WeakAlgorithm(String),
    /// algorithm or key type we don't support (say which OID/name)
    #[error("unsupported algorithm: {0}")]
    Unsupported(String),
    /// the key or algorithm parameters are malformed (say what)
    #[error("malformed: {0}")]
    Malformed(String),
    /// signature algorithm does not fit the key type (e.g. ECDSA alg with an RSA key, P-384 key with ecdsa-with-SHA256 is fine though)
    #[error("{0}")]
    KeyMismatch(String),
}

/// What kind of public key a DER SubjectPublicKeyInfo holds.
///
/// `rsaEncryption` keys and `id-RSASSA-PSS` keys are both reported as [`PublicKeyKind::Rsa`].
/// Anything else is an error that says which algorithm or curve it is
/// (e.g. "ECDSA curve secp521r1", "DSA", "Ed25519").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublicKeyKind {
    /// RSA, with the modulus size in bits and the public exponent (u64 if it fits; else u64::MAX)
    Rsa {
        /// Modulus size in bits (leading zero bits not counted).
        bits: u32,
        /// Public exponent, or `u64::MAX` if it does not fit in a `u64`.
        exponent: u64,
    },
    /// An ECDSA key on NIST P-256 (secp256r1).
    EcP256,
    /// An ECDSA key on NIST P-384 (secp384r1).
    EcP384,
}

/// The arithmetic. Implementations must be Send + Sync (shared across threads).
pub trait CryptoBackend: Send + Sync + std::fmt::Debug {
    /// Short name for diagnostics, e.g. "rustcrypto".
    fn name(&self) -> &'static str;
    /// Verify `signature` (raw BIT STRING contents: PKCS#1/PSS bytes for RSA, DER Ecdsa-Sig-Value for ECDSA) over `message` with the key in `spki_der`.
    ///
    /// # Errors
    /// [`SignatureError::Invalid`] if the signature does not verify;
    /// [`SignatureError::KeyMismatch`] if `alg` cannot be used with the key;
    /// [`SignatureError::Malformed`] / [`SignatureError::Unsupported`] for keys that
    /// cannot be used at all.
    fn verify(
        &self,
        alg: SignatureAlgorithm,
        spki_der: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError>;

    /// Decode the key in `spki_der` once, for many [`CryptoBackend::verify_prepared`] calls
    /// (decoding an RSA key costs as much as a tenth of a verification). `None`: this backend
    /// does not prepare keys, use [`CryptoBackend::verify`]. The default returns `None`.
    ///
    /// # Errors
    /// Whatever [`CryptoBackend::verify`] would report for this key before looking at the
    /// algorithm, message or signature (a key that cannot be decoded at all).
    fn prepare(&self, spki_der: &[u8]) -> Result<Option<Arc<dyn PreparedKey>>, SignatureError> {
        let _ = spki_der;
        Ok(None)
    }

    /// Verify with a key from [`CryptoBackend::prepare`]; the same verdict as
    /// [`CryptoBackend::verify`] with `spki_der`. A key prepared by another backend is ignored
    /// and `spki_der` is used. The default calls [`CryptoBackend::verify`].
    ///
    /// # Errors
    /// As [`CryptoBackend::verify`].
    fn verify_prepared(
        &self,
        key: &dyn PreparedKey,
        alg: SignatureAlgorithm,
        spki_der: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError> {
        let _ = key;
        self.verify(alg, spki_der, message, signature)
    }
}

/// A public key decoded by a backend's [`CryptoBackend::prepare`], opaque to everyone else.
pub trait PreparedKey: Send + Sync + std::fmt::Debug {
    /// The backend's [`CryptoBackend::name`], so a backend recognises its own keys.
    fn backend(&self) -> &'static str;
    /// For the backend to downcast to its own type.
    fn as_any(&self) -> &dyn Any;
}

/// The backend [`crate::Verifier::new`] uses: [`AwsLc`] when certchain is built with the
/// `aws-lc-rs` feature, else the pure-Rust [`RustCrypto`].
pub fn default_backend() -> Arc<dyn CryptoBackend> {
    #[cfg(feature = "aws-lc-rs")]
    {
        Arc::new(AwsLc::new())
    }
    #[cfg(not(feature = "aws-lc-rs"))]
    {
        Arc::new(RustCrypto)
    }
}

/// Object identifiers this module recognises.
mod oid {
    use const_oid::ObjectIdentifier as Oid;

    // PKCS#1 signature algorithms.
    pub const MD2_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.2");
    pub const MD4_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.3");
    pub const MD5_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.4");
    pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
    // OIW (legacy) variants.
    pub const OIW_MD5_WITH_RSA: Oid = Oid::new_unwrap("1.3.14.3.2.3");
    pub const OIW_SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.3.14.3.2.29");
    pub const OIW_DSA_WITH_SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.27");
    // ECDSA signature algorithms.
    pub const ECDSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
    pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
    // DSA.
    pub const DSA: Oid = Oid::new_unwrap("1.2.840.10040.4.1");
    pub const DSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10040.4.3");
    // Hashes.
    pub const MD2: Oid = Oid::new_unwrap("1.2.840.113549.2.2");
    pub const MD5: Oid = Oid::new_unwrap("1.2.840.113549.2.5");
    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
    // Public key types.
    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
    pub const X25519: Oid = Oid::new_unwrap("1.3.101.110");
    pub const X448: Oid = Oid::new_unwrap("1.3.101.111");
    pub const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
    pub const ED448: Oid = Oid::new_unwrap("1.3.101.113");
}

/// Human-readable name for an OID: the `const-oid` database name when known,
/// always followed by the dotted form.
fn describe_oid(oid: &ObjectIdentifier) -> String {
    match const_oid::db::DB.by_oid(oid) {
        Some(name) => format!("{name} ({oid})"),
        None => oid.to_string(),
    }
}

fn malformed(what: &str, err: impl std::fmt::Display) -> SignatureError {
    SignatureError::Malformed(format!("{what}: {err}"))
}

/// Name of a hash for diagnostics.
fn hash_name(hash: HashAlg) -> &'static str {
    match hash {
        HashAlg::Sha256 => "SHA-256",
        HashAlg::Sha384 => "SHA-384",
        HashAlg::Sha512 => "SHA-512",
    }
}

/// The weak (SHA-1 / MD5 / MD4 / MD2 based) signature algorithms we recognise by name.
fn weak_signature_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    let name = match *oid {
        oid::MD2_WITH_RSA => "md2WithRSAEncryption",
        oid::MD4_WITH_RSA => "md4WithRSAEncryption",
        oid::MD5_WITH_RSA => "md5WithRSAEncryption",
        oid::SHA1_WITH_RSA => "sha1WithRSAEncryption",
        oid::OIW_MD5_WITH_RSA => "md5WithRSA (OIW)",
        oid::OIW_SHA1_WITH_RSA => "sha1WithRSASignature (OIW)",
        oid::OIW_DSA_WITH_SHA1 => "dsaWithSHA1 (OIW)",
        oid::ECDSA_WITH_SHA1 => "ecdsa-with-SHA1",
        oid::DSA_WITH_SHA1 => "dsa-with-sha1",
        _ => return None,
    };
    Some(name)
}

/// Parse a DER-encoded AlgorithmIdentifier (the whole SEQUENCE TLV).
///
/// * sha1WithRSAEncryption, md5WithRSAEncryption, md2..., ecdsa-with-SHA1, dsa-with-sha1
///   => [`SignatureError::WeakAlgorithm`] naming the algorithm.
/// * PKCS#1 v1.5 algorithms: parameters must be absent or NULL.
/// * ECDSA algorithms: parameters must be absent.
/// * RSASSA-PSS: the RSASSA-PSS-params are parsed (hashAlgorithm, maskGenAlgorithm
///   MGF1 with hash, saltLength, trailerField which must be 1). A SHA-1 hash or MGF1
///   hash, explicit or by default, => WeakAlgorithm; an MGF1 hash different from the
///   message hash => Unsupported.
/// * Unknown OIDs (Ed25519, DSA with SHA-256, sha224WithRSAEncryption, ...)
///   => [`SignatureError::Unsupported`] with the name and/or dotted OID.
///
/// # Errors
/// As above; undecodable DER (including trailing bytes) is [`SignatureError::Malformed`].
pub fn parse_signature_algorithm(alg_der: &[u8]) -> Result<SignatureAlgorithm, SignatureError> {
    let alg = AlgorithmIdentifierRef::from_der(alg_der)
        .map_err(|e| malformed("signature AlgorithmIdentifier", e))?;
    if let Some(name) = weak_signature_name(&alg.oid) {
        return Err(SignatureError::WeakAlgorithm(name.to_owned()));
    }
    match alg.oid {
        oid::SHA256_WITH_RSA => {
            pkcs1_params(alg.parameters, "sha256WithRSAEncryption")?;
            Ok(SignatureAlgorithm::RsaPkcs1Sha256)
        }
        oid::SHA384_WITH_RSA => {
            pkcs1_params(alg.parameters, "sha384WithRSAEncryption")?;
            Ok(SignatureAlgorithm::RsaPkcs1Sha384)
        }
        oid::SHA512_WITH_RSA => {
            pkcs1_params(alg.parameters, "sha512WithRSAEncryption")?;
            Ok(SignatureAlgorithm::RsaPkcs1Sha512)
        }
        oid::ECDSA_WITH_SHA256 => {
            ecdsa_params(alg.parameters, "ecdsa-with-SHA256")?;
            Ok(SignatureAlgorithm::EcdsaSha256)
        }
        oid::ECDSA_WITH_SHA384 => {
            ecdsa_params(alg.parameters, "ecdsa-with-SHA384")?;
            Ok(SignatureAlgorithm::EcdsaSha384)
        }
        oid::ECDSA_WITH_SHA512 => {
            ecdsa_params(alg.parameters, "ecdsa-with-SHA512")?;
            Ok(SignatureAlgorithm::EcdsaSha512)
        }
        oid::RSASSA_PSS => {
            let params = alg.parameters.ok_or_else(|| {
                SignatureError::Malformed(
                    "RSASSA-PSS signature algorithm without parameters".into(),
                )
            })?;
            let (hash, salt_len) = parse_pss_params(params)?;
            Ok(SignatureAlgorithm::RsaPss { hash, salt_len })
        }
        other => Err(SignatureError::Unsupported(format!(
            "signature algorithm {}",
            describe_oid(&other)
        ))),
    }
}

/// PKCS#1 v1.5 signature algorithms: parameters absent or NULL (RFC 4055 says NULL;
/// absent is accepted for interoperability).
fn pkcs1_params(params: Option<AnyRef<'_>>, name: &str) -> Result<(), SignatureError> {
    match params {
        None => Ok(()),
        Some(p) if p.is_null() => Ok(()),
        Some(_) => Err(SignatureError::Malformed(format!(
            "{name} parameters must be NULL or absent"
        ))),
    }
}

/// ECDSA signature algorithms: parameters must be absent (RFC 5758 section 3.2).
fn ecdsa_params(params: Option<AnyRef<'_>>, name: &str) -> Result<(), SignatureError> {
    match params {
        None => Ok(()),
        Some(_) => Err(SignatureError::Malformed(format!(
            "{name} parameters must be absent"
        ))),
    }
}

/// A hash AlgorithmIdentifier inside RSASSA-PSS-params (`what` is e.g. "hash" or "MGF1 hash").
fn pss_hash(alg: &AlgorithmIdentifierRef<'_>, what: &str) -> Result<HashAlg, SignatureError> {
    let hash = match alg.oid {
        oid::SHA256 => HashAlg::Sha256,
        oid::SHA384 => HashAlg::Sha384,
        oid::SHA512 => HashAlg::Sha512,
        oid::SHA1 => {
            return Err(SignatureError::WeakAlgorithm(format!(
                "RSASSA-PSS with {what} SHA-1"
            )))
        }
        oid::MD5 => {
            return Err(SignatureError::WeakAlgorithm(format!(
                "RSASSA-PSS with {what} MD5"
            )))
        }
        oid::MD2 => {
            return Err(SignatureError::WeakAlgorithm(format!(
                "RSASSA-PSS with {what} MD2"
            )))
        }
        other => {
            return Err(SignatureError::Unsupported(format!(
                "RSASSA-PSS with {what} {}",
                describe_oid(&other)
            )))
        }
    };
    match alg.parameters {
        None => Ok(hash),
        Some(p) if p.is_null() => Ok(hash),
        Some(_) => Err(SignatureError::Malformed(format!(
            "RSASSA-PSS {what} AlgorithmIdentifier parameters must be NULL or absent"
        ))),
    }
}

/// Parse RSASSA-PSS-params (RFC 4055 section 3.1), given the parameters of the
/// `id-RSASSA-PSS` AlgorithmIdentifier. Returns the (message = MGF1) hash and salt length.
///
/// ```text
/// RSASSA-PSS-params ::= SEQUENCE {
///     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
///     saltLength         [2] INTEGER DEFAULT 20,
///     trailerField       [3] TrailerField DEFAULT trailerFieldBC }
/// ```
fn parse_pss_params(params: AnyRef<'_>) -> Result<(HashAlg, u32), SignatureError> {
    const WHAT: &str = "RSASSA-PSS parameters";
    if params.tag() != Tag::Sequence {
        return Err(SignatureError::Malformed(format!(
            "{WHAT} are not a SEQUENCE"
        )));
    }
    let mut reader = SliceReader::new(params.value()).map_err(|e| malformed(WHAT, e))?;
    let hash_alg: Option<AlgorithmIdentifierRef<'_>> = reader
        .context_specific(TagNumber(0), TagMode::Explicit)
        .map_err(|e| malformed(WHAT, e))?;
    let mask_gen: Option<AlgorithmIdentifierRef<'_>> = reader
        .context_specific(TagNumber(1), TagMode::Explicit)
        .map_err(|e| malformed(WHAT, e))?;
    let salt_len: Option<u32> = reader
        .context_specific(TagNumber(2), TagMode::Explicit)
        .map_err(|e| malformed(WHAT, e))?;
    let trailer: Option<u32> = reader
        .context_specific(TagNumber(3), TagMode::Explicit)
        .map_err(|e| malformed(WHAT, e))?;
    // Unknown, duplicated or out-of-order fields are left unread.
    reader.finish().map_err(|e| malformed(WHAT, e))?;

    let hash = match hash_alg {
        Some(alg) => pss_hash(&alg, "hash")?,
        None => {
            return Err(SignatureError::WeakAlgorithm(
                "RSASSA-PSS with default hash SHA-1".into(),
            ))
        }
    };
    let mgf1_hash = match mask_gen {
        None => {
            return Err(SignatureError::WeakAlgorithm(
                "RSASSA-PSS with default mask generation MGF1-SHA-1".into(),
            ))
        }
        Some(mgf) => {
            if mgf.oid != oid::MGF1 {
                return Err(SignatureError::Unsupported(format!(
                    "RSASSA-PSS mask generation function {}",
                    describe_oid(&mgf.oid)
                )));
            }
            let inner = mgf.parameters.ok_or_else(|| {
                SignatureError::Malformed("RSASSA-PSS MGF1 without a hash algorithm".into())
            })?;
            let inner: AlgorithmIdentifierRef<'_> = inner
                .decode_as()
                .map_err(|e| malformed("RSASSA-PSS MGF1 hash algorithm", e))?;
            pss_hash(&inner, "MGF1 hash")?
        }
    };
    if mgf1_hash != hash {
        return Err(SignatureError::Unsupported(format!(
            "RSASSA-PSS with hash {} but MGF1 hash {}",
            hash_name(hash),
            hash_name(mgf1_hash)
        )));
    }
    match trailer {
        None | Some(1) => {}
        Some(other) => {
            return Err(SignatureError::Malformed(format!(
                "RSASSA-PSS trailerField {other} (must be 1)"
            )))
        }
    }
    Ok((hash, salt_len.unwrap_or(20)))
}

/// How an RSA key may be used, from its SPKI algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RsaKeyUse {
    /// `rsaEncryption`: PKCS#1 v1.5 or PSS with any parameters.
    Any,
    /// `id-RSASSA-PSS` without parameters: PSS only, any parameters.
    PssOnly,
    /// `id-RSASSA-PSS` with parameters (RFC 4055 section 3.1): PSS only, with this
    /// hash and a salt at least this long.
    PssRestricted {
        /// The only hash the key may be used with.
        hash: HashAlg,
        /// The minimum salt length.
        min_salt_len: u32,
    },
}

/// The big-endian magnitude bytes of a decoded RSA public key (no leading zero bytes,
/// both non-zero) and how it may be used.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RsaKeyRef<'a> {
    /// Modulus, big-endian, no leading zeros.
    pub(crate) n: &'a [u8],
    /// Public exponent, big-endian, no leading zeros.
    pub(crate) e: &'a [u8],
    /// Restrictions from the SPKI algorithm.
    pub(crate) usage: RsaKeyUse,
    /// The whole `RSAPublicKey` DER (the SPKI's BIT STRING contents).
    #[cfg_attr(not(feature = "aws-lc-rs"), allow(dead_code))]
    pub(crate) der: &'a [u8],
}

impl RsaKeyRef<'_> {
    /// Modulus size in bits.
    pub(crate) fn bits(&self) -> u64 {
        bit_len(self.n)
    }

    /// Public exponent, saturating to `u64::MAX`.
    pub(crate) fn exponent(&self) -> u64 {
        if self.e.len() > 8 {
            return u64::MAX;
        }
        self.e
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
    }
}

/// A decoded SubjectPublicKeyInfo.
#[derive(Clone, Copy, Debug)]
pub(crate) enum PublicKeyRef<'a> {
    /// An RSA key.
    Rsa(RsaKeyRef<'a>),
    /// SEC1-encoded P-256 point (structure checked, not yet checked to be on the curve).
    EcP256(&'a [u8]),
    /// SEC1-encoded P-384 point (structure checked, not yet checked to be on the curve).
    EcP384(&'a [u8]),
}

/// Length in bits of a big-endian integer without leading zero bytes.
fn bit_len(be: &[u8]) -> u64 {
    match be.first() {
        None => 0,
        Some(first) => {
            let len = u64::try_from(be.len()).unwrap_or(u64::MAX);
            len.saturating_sub(1)
                .saturating_mul(8)
                .saturating_add(u64::from(8 - first.leading_zeros()))
        }
    }
}

/// Strip leading zero bytes (DER minimal encoding leaves at most one for the value 0).
fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(start..).unwrap_or_default()
}

/// Decode a SubjectPublicKeyInfo into the parts a backend needs, checking structure
/// only (EC points are not checked to lie on the curve here).
pub(crate) fn parse_public_key(spki_der: &[u8]) -> Result<PublicKeyRef<'_>, SignatureError> {
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|e| malformed("SubjectPublicKeyInfo", e))?;
    let key_bytes = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| SignatureError::Malformed("public key BIT STRING has unused bits".into()))?;
    let params = spki.algorithm.parameters;
    match spki.algorithm.oid {
        oid::RSA_ENCRYPTION => {
            match params {
                None => {}
                Some(p) if p.is_null() => {}
                Some(_) => {
                    return Err(SignatureError::Malformed(
                        "rsaEncryption key parameters must be NULL".into(),
                    ))
                }
            }
            parse_rsa_public_key(key_bytes, RsaKeyUse::Any).map(PublicKeyRef::Rsa)
        }
        oid::RSASSA_PSS => {
            let usage = match params {
                None => RsaKeyUse::PssOnly,
                Some(p) => {
                    let (hash, min_salt_len) = parse_pss_params(p)?;
                    RsaKeyUse::PssRestricted { hash, min_salt_len }
                }
            };
            parse_rsa_public_key(key_bytes, usage).map(PublicKeyRef::Rsa)
        }
        oid::EC_PUBLIC_KEY => {
            let params = params.ok_or_else(|| {
                SignatureError::Malformed("EC public key without curve parameters".into())
            })?;
            let (field_len, p256) = match params.tag() {
                Tag::ObjectIdentifier => {
                    let curve: ObjectIdentifier = params
                        .decode_as()
                        .map_err(|e| malformed("EC named curve", e))?;
                    match curve {
                        oid::SECP256R1 => (32usize, true),
                        oid::SECP384R1 => (48usize, false),
                        other => {
                            let name = const_oid::db::DB
                                .by_oid(&other)
                                .map_or_else(|| other.to_string(), str::to_owned);
                            return Err(SignatureError::Unsupported(format!("ECDSA curve {name}")));
                        }
                    }
                }
                Tag::Null => {
                    return Err(SignatureError::Unsupported(
                        "EC key with implicitly specified curve".into(),
                    ))
                }
                Tag::Sequence => {
                    return Err(SignatureError::Unsupported(
                        "EC key with explicit curve parameters".into(),
                    ))
                }
                _ => {
                    return Err(SignatureError::Malformed(
                        "EC public key curve parameters are not a named curve".into(),
                    ))
                }
            };
            check_sec1_point(key_bytes, field_len)?;
            Ok(if p256 {
                PublicKeyRef::EcP256(key_bytes)
            } else {
                PublicKeyRef::EcP384(key_bytes)
            })
        }
        other => {
            let name = match other {
                oid::ED25519 => "Ed25519".to_owned(),
                oid::ED448 => "Ed448".to_owned(),
                oid::X25519 => "X25519".to_owned(),
                oid::X448 => "X448".to_owned(),
                oid::DSA => "DSA".to_owned(),
                _ => format!("public key algorithm {}", describe_oid(&other)),
            };
            Err(SignatureError::Unsupported(name))
        }
    }
}

/// Structural check of a SEC1 point encoding: uncompressed (`04 || X || Y`) or
/// compressed (`02`/`03 || X`). Whether it is on the curve is left to the backend.
fn check_sec1_point(point: &[u8], field_len: usize) -> Result<(), SignatureError> {
    let ok = match point.first() {
        Some(0x04) => point.len() == 1 + 2 * field_len,
        Some(0x02 | 0x03) => point.len() == 1 + field_len,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(SignatureError::Malformed(format!(
            "EC public key is not a SEC1 point encoding for a {}-bit curve",
            field_len * 8
        )))
    }
}

/// Decode `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` and
/// reject keys that cannot be valid: modulus zero or even, exponent below 3 or even,
/// exponent not below the modulus.
fn parse_rsa_public_key(bytes: &[u8], usage: RsaKeyUse) -> Result<RsaKeyRef<'_>, SignatureError> {
    const WHAT: &str = "RSAPublicKey";
    let mut reader = SliceReader::new(bytes).map_err(|e| malformed(WHAT, e))?;
    let (n, e) = reader
        .sequence(|r| {
            let n = r.decode::<UintRef<'_>>()?;
            let e = r.decode::<UintRef<'_>>()?;
            Ok::<_, der::Error>((n, e))
        })
        .map_err(|e| malformed(WHAT, e))?;
    reader.finish().map_err(|e| malformed(WHAT, e))?;
    let n = strip_zeros(n.as_bytes());
    let e = strip_zeros(e.as_bytes());
    if n.last().is_none_or(|b| b & 1 == 0) {
        return Err(SignatureError::Malformed(
            "RSA modulus is zero or even".into(),
        ));
    }
    match e.last() {
        None => {
            return Err(SignatureError::Malformed(
                "RSA public exponent is zero".into(),
            ))
        }
        Some(b) if b & 1 == 0 => {
            return Err(SignatureError::Malformed(
                "RSA public exponent is even".into(),
            ))
        }
        Some(_) => {}
    }
    if e == [1] {
        return Err(SignatureError::Malformed("RSA public exponent is 1".into()));
    }
    // Both are minimal big-endian magnitudes, so a shorter one is smaller.
    if e.len() > n.len() || (e.len() == n.len() && e >= n) {
        return Err(SignatureError::Malformed(
            "RSA public exponent is not smaller than the modulus".into(),
        ));
    }
    Ok(RsaKeyRef {
        n,
        e,
        usage,
        der: bytes,
    })
}

/// Inspect (decode) a DER SubjectPublicKeyInfo.
///
/// `rsaEncryption` and `id-RSASSA-PSS` keys are reported as [`PublicKeyKind::Rsa`]
/// (whatever their size: policy on sizes belongs to the caller). EC keys on P-256 and
/// P-384 are fully validated, including that the point lies on the curve.
///
/// # Errors
/// Unknown key types/curves => [`SignatureError::Unsupported`] naming them (e.g.
/// "ECDSA curve secp521r1", "DSA", "Ed25519"); broken encodings, impossible RSA keys
/// (even modulus, exponent 1 or even) and EC points off the curve => [`SignatureError::Malformed`].
/// An `id-RSASSA-PSS` key whose parameters are unusable is reported like the same
/// parameters in a signature algorithm (e.g. SHA-1 => [`SignatureError::WeakAlgorithm`]).
pub fn inspect_public_key(spki_der: &[u8]) -> Result<PublicKeyKind, SignatureError> {
    match parse_public_key(spki_der)? {
        PublicKeyRef::Rsa(key) => Ok(PublicKeyKind::Rsa {
            bits: u32::try_from(key.bits()).unwrap_or(u32::MAX),
            exponent: key.exponent(),
        }),
        PublicKeyRef::EcP256(point) => {
            rustcrypto::p256_key(point)?;
            Ok(PublicKeyKind::EcP256)
        }
        PublicKeyRef::EcP384(point) => {
            rustcrypto::p384_key(point)?;
            Ok(PublicKeyKind::EcP384)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wrap `content` in a DER TLV with the given tag (short or long form length).
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else if len < 0x100 {
            out.extend_from_slice(&[0x81, len as u8]);
        } else {
            out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
        }
        out.extend_from_slice(content);
        out
    }

    fn oid_tlv(oid: &ObjectIdentifier) -> Vec<u8> {
        tlv(0x06, oid.as_bytes())
    }

    fn alg_id(oid: &ObjectIdentifier, params: Option<&[u8]>) -> Vec<u8> {
        let mut content = oid_tlv(oid);
        if let Some(p) = params {
            content.extend_from_slice(p);
        }
        tlv(0x30, &content)
    }

    const NULL: &[u8] = &[0x05, 0x00];

    fn pss_alg(
        hash: Option<&ObjectIdentifier>,
        mgf_hash: Option<&ObjectIdentifier>,
        salt: Option<u8>,
        trailer: Option<u8>,
    ) -> Vec<u8> {
        let mut seq = Vec::new();
        if let Some(h) = hash {
            seq.extend(tlv(0xa0, &alg_id(h, Some(NULL))));
        }
        if let Some(h) = mgf_hash {
            seq.extend(tlv(0xa1, &alg_id(&oid::MGF1, Some(&alg_id(h, Some(NULL))))));
        }
        if let Some(s) = salt {
            seq.extend(tlv(0xa2, &[0x02, 0x01, s]));
        }
        if let Some(t) = trailer {
            seq.extend(tlv(0xa3, &[0x02, 0x01, t]));
        }
        alg_id(&oid::RSASSA_PSS, Some(&tlv(0x30, &seq)))
    }

    fn is_malformed<T: std::fmt::Debug>(r: Result<T, SignatureError>) -> bool {
        matches!(r, Err(SignatureError::Malformed(_)))
    }

    #[test]
    fn pkcs1_and_ecdsa_algorithms() {
        let cases = [
            (oid::SHA256_WITH_RSA, SignatureAlgorithm::RsaPkcs1Sha256),
            (oid::SHA384_WITH_RSA, SignatureAlgorithm::RsaPkcs1Sha384),
            (oid::SHA512_WITH_RSA, SignatureAlgorithm::RsaPkcs1Sha512),
        ];
        for (o, want) in cases {
            assert_eq!(parse_signature_algorithm(&alg_id(&o, Some(NULL))), Ok(want));
            assert_eq!(parse_signature_algorithm(&alg_id(&o, None)), Ok(want));
            let bad = alg_id(&o, Some(&[0x02, 0x01, 0x00]));
            assert!(is_malformed(parse_signature_algorithm(&bad)));
        }
        let cases = [
            (oid::ECDSA_WITH_SHA256, SignatureAlgorithm::EcdsaSha256),
            (oid::ECDSA_WITH_SHA384, SignatureAlgorithm::EcdsaSha384),
            (oid::ECDSA_WITH_SHA512, SignatureAlgorithm::EcdsaSha512),
        ];
        for (o, want) in cases {
            assert_eq!(parse_signature_algorithm(&alg_id(&o, None)), Ok(want));
            assert!(is_malformed(parse_signature_algorithm(&alg_id(
                &o,
                Some(NULL)
            ))));
        }
    }

    #[test]
    fn weak_algorithms() {
        // sha1WithRSAEncryption, byte for byte as found in certificates.
        let sha1_rsa = [
            0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05,
            0x00,
        ];
        assert_eq!(
            parse_signature_algorithm(&sha1_rsa),
            Err(SignatureError::WeakAlgorithm(
                "sha1WithRSAEncryption".into()
            ))
        );
        for (o, name) in [
            (oid::MD5_WITH_RSA, "md5WithRSAEncryption"),
            (oid::MD2_WITH_RSA, "md2WithRSAEncryption"),
            (oid::ECDSA_WITH_SHA1, "ecdsa-with-SHA1"),
            (oid::DSA_WITH_SHA1, "dsa-with-sha1"),
        ] {
            assert_eq!(
                parse_signature_algorithm(&alg_id(&o, None)),
                Err(SignatureError::WeakAlgorithm(name.into()))
            );
        }
    }

    #[test]
    fn unsupported_algorithms() {
        for o in [
            oid::ED25519,
            ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.14"), // sha224WithRSAEncryption
            ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.2"), // dsa-with-sha256
            ObjectIdentifier::new_unwrap("1.2.3.4.5"),
        ] {
            match parse_signature_algorithm(&alg_id(&o, None)) {
                Err(SignatureError::Unsupported(msg)) => {
                    assert!(msg.contains(&o.to_string()), "{msg}")
                }
                other => panic!("{o}: {other:?}"),
            }
        }
    }

    #[test]
    fn pss_params() {
        let s256 = oid::SHA256;
        let s384 = oid::SHA384;
        assert_eq!(
            parse_signature_algorithm(&pss_alg(Some(&s256), Some(&s256), Some(32), None)),
            Ok(SignatureAlgorithm::RsaPss {
                hash: HashAlg::Sha256,
                salt_len: 32
            })
        );
        // Explicit trailerField 1 accepted; default salt length is 20.
        assert_eq!(
            parse_signature_algorithm(&pss_alg(Some(&s384), Some(&s384), None, Some(1))),
            Ok(SignatureAlgorithm::RsaPss {
                hash: HashAlg::Sha384,
                salt_len: 20
            })
        );
        assert!(is_malformed(parse_signature_algorithm(&pss_alg(
            Some(&s256),
            Some(&s256),
            Some(32),
            Some(2)
        ))));
        assert!(matches!(
            parse_signature_algorithm(&pss_alg(Some(&s256), Some(&s384), Some(32), None)),
            Err(SignatureError::Unsupported(_))
        ));
        // All defaults (SHA-1), empty SEQUENCE.
        assert!(matches!(
            parse_signature_algorithm(&pss_alg(None, None, None, None)),
            Err(SignatureError::WeakAlgorithm(_))
        ));
        assert!(matches!(
            parse_signature_algorithm(&pss_alg(Some(&s256), None, Some(32), None)),
            Err(SignatureError::WeakAlgorithm(_))
        ));
        assert!(matches!(
            parse_signature_algorithm(&pss_alg(Some(&oid::SHA1), Some(&oid::SHA1), None, None)),
            Err(SignatureError::WeakAlgorithm(_))
        ));
        // Missing parameters entirely.
        assert!(is_malformed(parse_signature_algorithm(&alg_id(
            &oid::RSASSA_PSS,
            None
        ))));
        // Out-of-order fields are left unread => malformed.
        let mut seq = tlv(0xa2, &[0x02, 0x01, 0x20]);
        seq.extend(tlv(0xa0, &alg_id(&s256, Some(NULL))));
        let alg = alg_id(&oid::RSASSA_PSS, Some(&tlv(0x30, &seq)));
        assert!(is_malformed(parse_signature_algorithm(&alg)));
    }

    #[test]
    fn garbage_is_malformed() {
        for bad in [
            &b""[..],
            &b"\x00"[..],
            &b"\x30"[..],
            &b"\x30\x80"[..],
            &b"\x30\x03\x06\x01"[..],
            &b"hello, world"[..],
            &[0xff; 64][..],
        ] {
            assert!(is_malformed(parse_signature_algorithm(bad)), "{bad:?}");
            assert!(is_malformed(inspect_public_key(bad)), "{bad:?}");
        }
        // Trailing bytes after a valid AlgorithmIdentifier.
        let mut alg = alg_id(&oid::SHA256_WITH_RSA, Some(NULL));
        alg.push(0);
        assert!(is_malformed(parse_signature_algorithm(&alg)));
    }

    /// Build an SPKI.
    fn spki(alg: &[u8], key: &[u8]) -> Vec<u8> {
        let mut bits = vec![0u8];
        bits.extend_from_slice(key);
        let mut content = alg.to_vec();
        content.extend(tlv(0x03, &bits));
        tlv(0x30, &content)
    }

    fn rsa_key(n: &[u8], e: &[u8]) -> Vec<u8> {
        let mut content = tlv(0x02, n);
        content.extend(tlv(0x02, e));
        tlv(0x30, &content)
    }

    #[test]
    fn rsa_key_checks() {
        let rsa_alg = alg_id(&oid::RSA_ENCRYPTION, Some(NULL));
        let mut n = vec![0x00, 0xc5];
        n.extend([0x11; 254]);
        n.push(0x0f); // odd, 2048 bits
        let good = spki(&rsa_alg, &rsa_key(&n, &[0x01, 0x00, 0x01]));
        assert_eq!(
            inspect_public_key(&good),
            Ok(PublicKeyKind::Rsa {
                bits: 2048,
                exponent: 65537
            })
        );
        // PSS-only key without parameters is still RSA.
        let pss_key = spki(
            &alg_id(&oid::RSASSA_PSS, None),
            &rsa_key(&n, &[0x01, 0x00, 0x01]),
        );
        assert_eq!(
            inspect_public_key(&pss_key),
            Ok(PublicKeyKind::Rsa {
                bits: 2048,
                exponent: 65537
            })
        );
        // Huge exponent saturates.
        let big_e = spki(&rsa_alg, &rsa_key(&n, &[0x01; 9]));
        assert_eq!(
            inspect_public_key(&big_e),
            Ok(PublicKeyKind::Rsa {
                bits: 2048,
                exponent: u64::MAX
            })
        );
        for (n, e) in [
            (&n[..], &[0x01][..]),
            (&n[..], &[0x02][..]),
            (&n[..], &[0x01, 0x00, 0x00][..]),
            (&n[..], &[0x00][..]),
            (&[0x00][..], &[0x03][..]),
            (&[0x10][..], &[0x03][..]),
            (&[0x05][..], &[0x07][..]),
            (&[0x80, 0x01][..], &[0x03][..]), // negative modulus
        ] {
            let key = spki(&rsa_alg, &rsa_key(n, e));
            assert!(is_malformed(inspect_public_key(&key)), "{n:?} {e:?}");
        }
        // rsaEncryption with non-NULL parameters.
        let key = spki(
            &alg_id(&oid::RSA_ENCRYPTION, Some(&[0x02, 0x01, 0x00])),
            &rsa_key(&n, &[0x03]),
        );
        assert!(is_malformed(inspect_public_key(&key)));
    }

    #[test]
    fn other_key_types_are_named() {
        let ed = spki(&alg_id(&oid::ED25519, None), &[0u8; 32]);
        assert_eq!(
            inspect_public_key(&ed),
            Err(SignatureError::Unsupported("Ed25519".into()))
        );
        let dsa = spki(&alg_id(&oid::DSA, None), &[0x02, 0x01, 0x05]);
        assert_eq!(
            inspect_public_key(&dsa),
            Err(SignatureError::Unsupported("DSA".into()))
        );
        let p521 = ObjectIdentifier::new_unwrap("1.3.132.0.35");
        let ec = spki(
            &alg_id(&oid::EC_PUBLIC_KEY, Some(&oid_tlv(&p521))),
            &[0x04; 133],
        );
        assert_eq!(
            inspect_public_key(&ec),
            Err(SignatureError::Unsupported("ECDSA curve secp521r1".into()))
        );
        let explicit = spki(
            &alg_id(&oid::EC_PUBLIC_KEY, Some(&tlv(0x30, &[0x02, 0x01, 0x01]))),
            &[0x04; 65],
        );
        assert!(matches!(
            inspect_public_key(&explicit),
            Err(SignatureError::Unsupported(_))
        ));
        let no_curve = spki(&alg_id(&oid::EC_PUBLIC_KEY, None), &[0x04; 65]);
        assert!(is_malformed(inspect_public_key(&no_curve)));
        // Wrong point length for P-256.
        let short = spki(
            &alg_id(&oid::EC_PUBLIC_KEY, Some(&oid_tlv(&oid::SECP256R1))),
            &[0x04; 64],
        );
        assert!(is_malformed(inspect_public_key(&short)));
    }
}
