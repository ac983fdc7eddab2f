//! Private keys for `check --key`: which key a file holds (RSA PKCS#1 or PKCS#8, EC SEC1 or
//! PKCS#8 on P-256/P-384), reduced to its public half so it can be compared with a certificate's
//! subjectPublicKeyInfo. Encrypted keys are recognised and never decrypted. No key material is
//! ever printed: messages name the format, the type and the size only.

use const_oid::ObjectIdentifier;
use der::Decode;

use crate::scan::{self, Block};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSASSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// The public half of a key, in a form that compares key material (not encodings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKey {
    /// RSA: modulus and public exponent, big-endian without leading zeros.
    Rsa {
        /// The modulus.
        n: Vec<u8>,
        /// The public exponent.
        e: Vec<u8>,
    },
    /// An EC point on P-256.
    P256(p256::PublicKey),
    /// An EC point on P-384.
    P384(p384::PublicKey),
}

impl PublicKey {
    /// `RSA-2048`, `EC P-256`, …
    pub fn describe(&self) -> String {
        match self {
            PublicKey::Rsa { n, .. } => format!("RSA-{}", bit_len(n)),
            PublicKey::P256(_) => "EC P-256".into(),
            PublicKey::P384(_) => "EC P-384".into(),
        }
    }
}

fn bit_len(n: &[u8]) -> usize {
    match n.first() {
        Some(&b) => (n.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
        None => 0,
    }
}

fn strip_zeros(b: &[u8]) -> Vec<u8> {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(start..).unwrap_or_default().to_vec()
}

/// What a key file holds.
#[derive(Debug)]
pub enum KeyFile {
    /// A private key certchain can compare.
    Key {
        /// Its public half.
        public: PublicKey,
        /// The format, e.g. `PKCS#8` or `PKCS#1 (RSA PRIVATE KEY)`.
        format: &'static str,
        /// Line of the block (0 for DER).
        line: usize,
    },
    /// An encrypted key: recognised, not decrypted.
    Encrypted {
        /// How it is encrypted.
        format: &'static str,
        /// Line of the block.
        line: usize,
    },
    /// A private key of a type certchain cannot compare (Ed25519, DSA, P-521, OpenSSH …).
    Unsupported {
        /// What it is.
        what: String,
        /// Line of the block.
        line: usize,
    },
    /// Something that should be a key and is not readable as one.
    Malformed {
        /// What is wrong.
        message: String,
        /// Line of the block (0 when not about one).
        line: usize,
    },
}

/// Read the first private key of a key file (PEM, or DER as a fallback), the way nginx's
/// `ssl_certificate_key` does: other blocks are skipped. `EC PARAMETERS` blocks give the curve
/// of a SEC1 key without parameters.
pub fn read_key_file(bytes: &[u8], scanned: &scan::Scan) -> KeyFile {
    if scan::looks_like_der(bytes) || (scanned.blocks.is_empty() && scan::looks_binary(bytes)) {
        return from_der_any(bytes);
    }
    let mut curve: Option<ObjectIdentifier> = None;
    for block in &scanned.blocks {
        if block.label == "EC PARAMETERS" {
            curve = block
                .der
                .as_deref()
                .and_then(|d| ObjectIdentifier::from_der(d).ok());
            continue;
        }
        if !block.label.ends_with("PRIVATE KEY") {
            continue;
        }
        return from_block(block, curve);
    }
    KeyFile::Malformed {
        message: if scanned.blocks.is_empty() {
            "no PEM block at all, so no private key".into()
        } else {
            let labels: Vec<&str> = scanned.blocks.iter().map(|b| b.label.as_str()).collect();
            format!("no PRIVATE KEY block (found: {})", labels.join(", "))
        },
        line: 0,
    }
}

fn from_block(block: &Block, curve: Option<ObjectIdentifier>) -> KeyFile {
    let line = block.line;
    if block.label == "ENCRYPTED PRIVATE KEY" {
        return KeyFile::Encrypted {
            format: "PKCS#8 (ENCRYPTED PRIVATE KEY)",
            line,
        };
    }
    if block.proc_type_encrypted() {
        return KeyFile::Encrypted {
            format: "traditional OpenSSL encryption (Proc-Type: 4,ENCRYPTED)",
            line,
        };
    }
    let Some(der) = block.der.as_deref() else {
        return KeyFile::Malformed {
            message: format!(
                "the {} block starting at line {line} is not readable PEM",
                block.label
            ),
            line,
        };
    };
    let result = match block.label.as_str() {
        "RSA PRIVATE KEY" => pkcs1_key(der).map(|k| (k, "PKCS#1 (RSA PRIVATE KEY)")),
        "EC PRIVATE KEY" => sec1_key(der, curve).map(|k| (k, "SEC1 (EC PRIVATE KEY)")),
        "PRIVATE KEY" => pkcs8_key(der).map(|k| (k, "PKCS#8 (PRIVATE KEY)")),
        other => Err(KeyError::Unsupported(format!("a {other} block"))),
    };
    match result {
        Ok((public, format)) => KeyFile::Key {
            public,
            format,
            line,
        },
        Err(KeyError::Unsupported(what)) => KeyFile::Unsupported { what, line },
        Err(KeyError::Malformed(m)) => KeyFile::Malformed {
            message: format!("the {} block starting at line {line}: {m}", block.label),
            line,
        },
    }
}

fn from_der_any(der: &[u8]) -> KeyFile {
    if let Ok(k) = pkcs8_key(der) {
        return KeyFile::Key {
            public: k,
            format: "PKCS#8 DER",
            line: 0,
        };
    }
    if let Ok(k) = pkcs1_key(der) {
        return KeyFile::Key {
            public: k,
            format: "PKCS#1 DER",
            line: 0,
        };
    }
    if let Ok(k) = sec1_key(der, None) {
        return KeyFile::Key {
            public: k,
            format: "SEC1 DER",
            line: 0,
        };
    }
    if is_encrypted_pkcs8(der) {
        return KeyFile::Encrypted {
            format: "PKCS#8 DER, encrypted",
            line: 0,
        };
    }
    KeyFile::Malformed {
        message: "binary content that is not a PKCS#8, PKCS#1 or SEC1 private key".into(),
        line: 0,
    }
}

/// `EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING }`.
fn is_encrypted_pkcs8(der: &[u8]) -> bool {
    use der::Reader;
    let Ok(mut r) = der::SliceReader::new(der) else {
        return false;
    };
    let ok = r
        .sequence(|r| -> der::Result<()> {
            spki::AlgorithmIdentifierRef::decode(r)?;
            <&der::asn1::OctetStringRef>::decode(r)?;
            Ok(())
        })
        .is_ok();
    ok && r.is_finished()
}

#[derive(Debug)]
enum KeyError {
    Unsupported(String),
    Malformed(String),
}

fn malformed(what: &str, e: impl std::fmt::Display) -> KeyError {
    KeyError::Malformed(format!("{what}: {e}"))
}

fn pkcs1_key(der: &[u8]) -> Result<PublicKey, KeyError> {
    let k = pkcs1::RsaPrivateKey::<der::asn1::UintRef<'_>>::from_der(der)
        .map_err(|e| malformed("not a PKCS#1 RSA private key", e))?;
    Ok(PublicKey::Rsa {
        n: strip_zeros(k.modulus.as_bytes()),
        e: strip_zeros(k.public_exponent.as_bytes()),
    })
}

fn pkcs8_key(der: &[u8]) -> Result<PublicKey, KeyError> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(der)
        .map_err(|e| malformed("not a PKCS#8 private key", e))?;
    let oid = info.algorithm.oid;
    let inner = info.private_key.as_bytes();
    match oid {
        RSA_ENCRYPTION | RSASSA_PSS => pkcs1_key(inner),
        EC_PUBLIC_KEY => {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|e| malformed("EC key without a named curve", e))?;
            sec1_key(inner, Some(curve))
        }
        other => Err(KeyError::Unsupported(format!(
            "a PKCS#8 {} key",
            certchain::oid_name(&other)
        ))),
    }
}

fn sec1_key(der: &[u8], outer_curve: Option<ObjectIdentifier>) -> Result<PublicKey, KeyError> {
    let k =
        sec1::EcPrivateKey::from_der(der).map_err(|e| malformed("not a SEC1 EC private key", e))?;
    let curve = k
        .parameters
        .and_then(|p| p.named_curve())
        .or(outer_curve)
        .ok_or_else(|| {
            KeyError::Malformed(
                "the EC key names no curve (and no EC PARAMETERS block does)".into(),
            )
        })?;
    let derived = match curve {
        SECP256R1 => p256::SecretKey::from_slice(k.private_key)
            .map(|s| PublicKey::P256(s.public_key()))
            .map_err(|_| KeyError::Malformed("the P-256 private scalar is out of range".into()))?,
        SECP384R1 => p384::SecretKey::from_slice(k.private_key)
            .map(|s| PublicKey::P384(s.public_key()))
            .map_err(|_| KeyError::Malformed("the P-384 private scalar is out of range".into()))?,
        other => {
            return Err(KeyError::Unsupported(format!(
                "an EC key on {}",
                certchain::oid_name(&other)
            )))
        }
    };
    // A key file whose embedded public key is not the one its scalar gives is corrupt.
    if let Some(embedded) = k.public_key {
        let same = match &derived {
            PublicKey::P256(p) => {
                p256::PublicKey::from_sec1_bytes(embedded).ok().as_ref() == Some(p)
            }
            PublicKey::P384(p) => {
                p384::PublicKey::from_sec1_bytes(embedded).ok().as_ref() == Some(p)
            }
            PublicKey::Rsa { .. } => true,
        };
        if !same {
            return Err(KeyError::Malformed(
                "its embedded public key is not the one its private scalar gives".into(),
            ));
        }
    }
    Ok(derived)
}

/// The public key of a certificate's subjectPublicKeyInfo, or what it is when certchain cannot
/// compare it.
pub fn spki_public_key(spki_der: &[u8]) -> Result<PublicKey, String> {
    let spki = spki::SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|e| format!("unreadable subjectPublicKeyInfo: {e}"))?;
    let bits = spki
        .subject_public_key
        .as_bytes()
        .ok_or("subjectPublicKeyInfo key has unused bits")?;
    match spki.algorithm.oid {
        RSA_ENCRYPTION | RSASSA_PSS => {
            let k = pkcs1::RsaPublicKey::<der::asn1::UintRef<'_>>::from_der(bits)
                .map_err(|e| format!("unreadable RSA public key: {e}"))?;
            Ok(PublicKey::Rsa {
                n: strip_zeros(k.modulus.as_bytes()),
                e: strip_zeros(k.public_exponent.as_bytes()),
            })
        }
        EC_PUBLIC_KEY => match spki.algorithm.parameters_oid() {
            Ok(SECP256R1) => p256::PublicKey::from_sec1_bytes(bits)
                .map(PublicKey::P256)
                .map_err(|_| "invalid P-256 point".to_string()),
            Ok(SECP384R1) => p384::PublicKey::from_sec1_bytes(bits)
                .map(PublicKey::P384)
                .map_err(|_| "invalid P-384 point".to_string()),
            Ok(other) => Err(format!("an EC key on {}", certchain::oid_name(&other))),
            Err(_) => Err("an EC key without a named curve".into()),
        },
        other => Err(format!("a {} key", certchain::oid_name(&other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_len(&[0x80, 0]), 16);
        assert_eq!(bit_len(&[0x01, 0]), 9);
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(strip_zeros(&[0, 0, 1, 0]), vec![1, 0]);
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        let s = scan::scan(b"-----BEGIN PRIVATE KEY-----\nAAEC\n-----END PRIVATE KEY-----\n");
        assert!(matches!(
            read_key_file(b"", &s),
            KeyFile::Malformed { line: 1, .. }
        ));
        let s = scan::scan(b"no key here\n");
        assert!(matches!(
            read_key_file(b"no key here\n", &s),
            KeyFile::Malformed { .. }
        ));
        assert!(matches!(
            read_key_file(&[0x30, 0x82, 0, 1, 0], &scan::Scan::default()),
            KeyFile::Malformed { .. }
        ));
    }
}
