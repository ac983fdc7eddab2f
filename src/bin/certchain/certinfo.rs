//! Certificate details the verifier does not keep but people want to see: AIA URLs, every
//! keyUsage bit, EKU names, the key type and the signature algorithm by name. Decoded from the
//! certificate's DER with x509-cert; anything unreadable is simply left out.

use certchain::crypto::{
    inspect_public_key, parse_signature_algorithm, HashAlg, PublicKeyKind, SignatureAlgorithm,
};
use certchain::{oid_name, Certificate};
use const_oid::db::rfc5280 as oids;
use const_oid::ObjectIdentifier;
use der::Decode;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AuthorityInfoAccessSyntax, KeyUsage};

const CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");
const OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");

/// The raw value of the extension `oid`, with its criticality.
fn extension(cert: &Certificate, oid: ObjectIdentifier) -> Option<(Vec<u8>, bool)> {
    let parsed = x509_cert::Certificate::from_der(cert.der()).ok()?;
    let exts = parsed.tbs_certificate().extensions()?;
    exts.iter()
        .find(|e| e.extn_id == oid)
        .map(|e| (e.extn_value.as_bytes().to_vec(), e.critical))
}

/// AIA entries as (`caIssuers` | `ocsp` | OID, URI).
pub fn aia(cert: &Certificate) -> Vec<(String, String)> {
    let Some((value, _)) = extension(cert, oids::ID_PE_AUTHORITY_INFO_ACCESS) else {
        return Vec::new();
    };
    let Ok(aia) = AuthorityInfoAccessSyntax::from_der(&value) else {
        return Vec::new();
    };
    aia.0
        .iter()
        .filter_map(|d| {
            let GeneralName::UniformResourceIdentifier(uri) = &d.access_location else {
                return None;
            };
            let method = match d.access_method {
                CA_ISSUERS => "caIssuers".to_string(),
                OCSP => "ocsp".to_string(),
                other => oid_name(&other),
            };
            Some((method, uri.to_string()))
        })
        .collect()
}

/// The AIA caIssuers URLs (where the issuer's certificate can be downloaded).
pub fn ca_issuers(cert: &Certificate) -> Vec<String> {
    aia(cert)
        .into_iter()
        .filter(|(m, _)| m == "caIssuers")
        .map(|(_, u)| u)
        .collect()
}

/// Every keyUsage bit set, by name, and whether the extension is critical.
pub fn key_usage(cert: &Certificate) -> Option<(Vec<&'static str>, bool)> {
    let (value, critical) = extension(cert, oids::ID_CE_KEY_USAGE)?;
    let ku = KeyUsage::from_der(&value).ok()?;
    let bits = [
        (ku.digital_signature(), "digitalSignature"),
        (ku.non_repudiation(), "nonRepudiation"),
        (ku.key_encipherment(), "keyEncipherment"),
        (ku.data_encipherment(), "dataEncipherment"),
        (ku.key_agreement(), "keyAgreement"),
        (ku.key_cert_sign(), "keyCertSign"),
        (ku.crl_sign(), "cRLSign"),
        (ku.encipher_only(), "encipherOnly"),
        (ku.decipher_only(), "decipherOnly"),
    ];
    Some((
        bits.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect(),
        critical,
    ))
}

/// EKU OIDs by their short names (`serverAuth`), dotted when unknown.
pub fn eku_names(cert: &Certificate) -> Option<Vec<String>> {
    cert.extended_key_usage().map(|ekus| {
        ekus.iter()
            .map(|o| {
                let n = oid_name(o);
                n.strip_prefix("id-kp-").map(str::to_string).unwrap_or(n)
            })
            .collect()
    })
}

/// `RSA 2048 bits`, `EC P-256`, or what the key is when certchain does not support it.
pub fn key_description(cert: &Certificate) -> String {
    match inspect_public_key(cert.spki_der()) {
        Ok(PublicKeyKind::Rsa { bits, exponent }) => format!("RSA {bits} bits (e={exponent})"),
        Ok(PublicKeyKind::EcP256) => "EC P-256".into(),
        Ok(PublicKeyKind::EcP384) => "EC P-384".into(),
        Err(e) => format!("{e}"),
    }
}

/// The RSA modulus size, when the key is RSA.
pub fn rsa_bits(cert: &Certificate) -> Option<u32> {
    match inspect_public_key(cert.spki_der()) {
        Ok(PublicKeyKind::Rsa { bits, .. }) => Some(bits),
        _ => None,
    }
}

fn hash_name(h: HashAlg) -> &'static str {
    match h {
        HashAlg::Sha256 => "SHA-256",
        HashAlg::Sha384 => "SHA-384",
        HashAlg::Sha512 => "SHA-512",
    }
}

/// The signature algorithm by name (`sha256WithRSAEncryption`, `RSASSA-PSS (SHA-256, salt 32)`).
pub fn signature_algorithm(cert: &Certificate) -> String {
    if let Ok(SignatureAlgorithm::RsaPss { hash, salt_len }) =
        parse_signature_algorithm(cert.signature_algorithm_der())
    {
        return format!("RSASSA-PSS ({}, salt {salt_len})", hash_name(hash));
    }
    match spki::AlgorithmIdentifierRef::from_der(cert.signature_algorithm_der()) {
        Ok(alg) => oid_name(&alg.oid),
        Err(_) => "unreadable".into(),
    }
}

/// Colon-separated upper-case hex (`AB:CD:…`).
pub fn colon_hex(bytes: &[u8]) -> String {
    // Written into one buffer: a string per byte took ~60 times the input's size in memory on a
    // certificate with a 32 MiB key identifier (found by a newcomer check).
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len().saturating_mul(3));
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        let _ = write!(out, "{b:02X}"); // writing to a String cannot fail
    }
    out
}

/// Whole days from `now` to `then` (negative when `then` is past).
pub fn days_between(now: u64, then: u64) -> i64 {
    let diff = i128::from(then) - i128::from(now);
    i64::try_from(diff.div_euclid(86_400)).unwrap_or(if diff < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::colon_hex;

    #[test]
    fn colon_hex_is_openssl_style() {
        assert_eq!(colon_hex(&[]), "");
        assert_eq!(colon_hex(&[0x0A]), "0A");
        assert_eq!(colon_hex(&[0x00, 0xFF, 0x1B, 0xC4]), "00:FF:1B:C4");
        let big = colon_hex(&[0xAB; 1000]);
        assert_eq!(big.len(), 2999);
        assert!(big.capacity() <= 3000);
    }
}
