//! The RustCrypto backend's own arithmetic against the crates it stands in for: a PKCS#1 v1.5
//! encoding damaged by the fuzzed bytes is signed raw (OpenSSL, no padding) and certchain's
//! verdict must be `rsa`'s; an ECDSA signature made with a fuzzed key over a fuzzed message and
//! damaged by fuzzed bytes must get `ecdsa`'s verdict on every use of a prepared key, the later
//! ones through the key's precomputed tables.
#![no_main]

use std::sync::OnceLock;

use certchain::crypto::{CryptoBackend, RustCrypto, SignatureAlgorithm};
use libfuzzer_sys::fuzz_target;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Padding;
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256, Sha384, Sha512};

struct RsaKey {
    private: openssl::rsa::Rsa<Private>,
    spki: Vec<u8>,
    public: rsa::PublicKey,
}

fn rsa_key() -> &'static RsaKey {
    static KEY: OnceLock<RsaKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let pem = include_bytes!("../../fixtures/keys/rsa-leaf.key");
        let pkey = PKey::private_key_from_pem(pem).expect("fixture key");
        let spki = pkey.public_key_to_der().expect("spki");
        let public = rsa::PublicKey::from_public_key_der(&spki).expect("rsa decodes it");
        RsaKey {
            private: pkey.rsa().expect("an RSA key"),
            spki,
            public,
        }
    })
}

/// `00 01 FF.. 00 prefix hash` for a k-byte modulus.
fn encoded(k: usize, prefix: &[u8], hash: &[u8]) -> Vec<u8> {
    let mut em = vec![0x00, 0x01];
    em.resize(k - prefix.len() - hash.len() - 1, 0xff);
    em.push(0x00);
    em.extend_from_slice(prefix);
    em.extend_from_slice(hash);
    em
}

fn rsa_case<D: Digest + const_oid::AssociatedOid>(alg: SignatureAlgorithm, data: &[u8]) {
    let key = rsa_key();
    let (msg, mask) = data.split_at(
        data.len()
            .min(usize::from(data.first().copied().unwrap_or(0))),
    );
    let prefix = rsa::Pkcs1v15Sign::new::<D>().prefix;
    let k = key.private.size() as usize;
    let mut em = encoded(k, &prefix, &D::digest(msg));
    // The mask lands at the end of the encoding (the hash, the DigestInfo, then the padding).
    for (b, m) in em.iter_mut().rev().zip(mask) {
        *b ^= m;
    }
    em[0] = 0; // below the modulus
    let mut sig = vec![0; k];
    let Ok(n) = key.private.private_encrypt(&em, &mut sig, Padding::NONE) else {
        return;
    };
    sig.truncate(n);
    let ours = RustCrypto.verify(alg, &key.spki, msg, &sig);
    let theirs = key
        .public
        .verify(rsa::Pkcs1v15Sign::new::<D>(), &D::digest(msg), &sig);
    assert_eq!(
        ours.is_ok(),
        theirs.is_ok(),
        "certchain {ours:?}, rsa {theirs:?}"
    );
}

macro_rules! ec_case {
    ($name:ident, $curve:ident, $alg:expr) => {
        fn $name(data: &[u8]) {
            use $curve::ecdsa::signature::{Signer, Verifier};
            use $curve::ecdsa::{Signature, SigningKey, VerifyingKey};
            use $curve::pkcs8::EncodePublicKey;
            let len = $curve::FieldBytes::default().len();
            if data.len() < len {
                return;
            }
            let (secret, rest) = data.split_at(len);
            let Ok(signing) = SigningKey::from_slice(secret) else {
                return;
            };
            let (msg, mask) = rest.split_at(
                rest.len()
                    .min(usize::from(rest.first().copied().unwrap_or(0))),
            );
            let sig: Signature = signing.sign(msg);
            let mut raw = sig.to_bytes();
            for (b, m) in raw.iter_mut().zip(mask) {
                *b ^= m;
            }
            let Ok(sig) = Signature::from_slice(&raw) else {
                return;
            };
            let key = VerifyingKey::from(&signing);
            let spki = key.to_public_key_der().expect("spki").to_vec();
            let der = sig.to_der();
            let theirs = key.verify(msg, &sig).is_ok();
            let prepared = RustCrypto.prepare(&spki).expect("key").expect("prepared");
            for round in 0..6 {
                let ours = RustCrypto.verify_prepared(&*prepared, $alg, &spki, msg, der.as_bytes());
                assert_eq!(ours.is_ok(), theirs, "round {round}: certchain {ours:?}");
            }
        }
    };
}

ec_case!(p256_case, p256, SignatureAlgorithm::EcdsaSha256);
ec_case!(p384_case, p384, SignatureAlgorithm::EcdsaSha384);

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 5 {
        0 => rsa_case::<Sha256>(SignatureAlgorithm::RsaPkcs1Sha256, rest),
        1 => rsa_case::<Sha384>(SignatureAlgorithm::RsaPkcs1Sha384, rest),
        2 => rsa_case::<Sha512>(SignatureAlgorithm::RsaPkcs1Sha512, rest),
        3 => p256_case(rest),
        _ => p384_case(rest),
    }
});
