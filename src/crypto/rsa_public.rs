//! The RSA public operation for PKCS#1 v1.5 verification, in variable time over the public
//! exponent.
//!
//! `rsa` 0.10 raises the signature to `e` with `crypto-bigint`'s constant-time fixed-window
//! exponentiation (`pow_bounded_exp`: 16 precomputed powers, then a constant-time table scan per
//! 4-bit window). Everything in a signature verification is public, so certchain raises it by
//! plain left-to-right square-and-multiply over the bits of `e` instead, with the same
//! `crypto-bigint` Montgomery arithmetic and the key's Montgomery parameters that `rsa` already
//! computed: for `e = 65537`, 16 squarings and one multiplication instead of about 36
//! multiplications and five table scans (about half the time; see benches/NOTES.md).
//!
//! The padding is checked the way `rsa` checks it (RFC 8017 section 8.2.2): the signature must
//! be exactly `k` bytes and below the modulus, and the whole `EM = 00 01 FF.. 00 DigestInfo || H`
//! is rebuilt (the DigestInfo prefix is `rsa`'s own, with explicit NULL parameters) and compared
//! as a whole, so no other encoding is accepted. A unit test checks every verdict against
//! `rsa`'s `verify`.

use std::sync::OnceLock;

use const_oid::AssociatedOid;
use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{Integer, Odd};
use rsa::{BoxedUint, Pkcs1v15Sign};
use sha2::Digest;

use crate::crypto::SignatureError;

/// An RSA public key decoded for verification: the modulus's Montgomery parameters computed
/// once, in variable time (`rsa::PublicKey::new` computes them in constant time, ~4x slower,
/// which for a key used once costs as much as the verification), and `rsa`'s own key built
/// only when a PSS signature needs it.
#[derive(Debug)]
pub(crate) struct RsaKey {
    n: BoxedUint,
    e: BoxedUint,
    params: BoxedMontyParams,
    /// The modulus's length in bytes.
    k: usize,
    /// `rsa`'s key, for RSASSA-PSS (whose encoding `rsa` checks).
    full: OnceLock<Result<rsa::PublicKey, SignatureError>>,
}

impl RsaKey {
    /// A key from its modulus and exponent, with the checks of
    /// `rsa::PublicKey::new_with_size_limits(n, e, min_bits..=max_bits)` and its errors.
    pub(crate) fn new(
        n: BoxedUint,
        e: BoxedUint,
        min_bits: usize,
        max_bits: usize,
    ) -> Result<RsaKey, SignatureError> {
        let rejected =
            |err: rsa::Error| SignatureError::Malformed(format!("RSA public key rejected: {err}"));
        if min_bits > max_bits {
            return Err(rejected(rsa::Error::InvalidArguments));
        }
        let bits = n.bit_width_vartime() as usize;
        if bits < min_bits {
            return Err(rejected(rsa::Error::ModulusTooSmall));
        }
        if bits > max_bits {
            return Err(rejected(rsa::Error::ModulusTooLarge));
        }
        if e >= n || bool::from(n.is_even()) || bool::from(n.is_zero()) {
            return Err(rejected(rsa::Error::InvalidModulus));
        }
        if e.is_even().into() {
            return Err(rejected(rsa::Error::InvalidExponent));
        }
        if e < BoxedUint::from(rsa::PublicKey::MIN_PUB_EXPONENT) {
            return Err(rejected(rsa::Error::PublicExponentTooSmall));
        }
        if e > BoxedUint::from(rsa::PublicKey::MAX_PUB_EXPONENT) {
            return Err(rejected(rsa::Error::PublicExponentTooLarge));
        }
        let odd = Odd::new(n.clone())
            .into_option()
            .ok_or_else(|| rejected(rsa::Error::InvalidModulus))?;
        Ok(RsaKey {
            params: BoxedMontyParams::new_vartime(odd),
            k: bits.div_ceil(8),
            n,
            e,
            full: OnceLock::new(),
        })
    }

    /// `rsa`'s public key for the same modulus and exponent (built on first use).
    pub(crate) fn rsa(&self) -> Result<&rsa::PublicKey, SignatureError> {
        self.full
            .get_or_init(|| {
                rsa::PublicKey::new_with_size_limits(self.n.clone(), self.e.clone(), 0..=usize::MAX)
                    .map_err(|err| {
                        SignatureError::Malformed(format!("RSA public key rejected: {err}"))
                    })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// `signature ^ e mod n`, as `k` big-endian bytes, or `None` when the signature is not
    /// exactly `k` bytes or not below the modulus (RFC 8017 8.2.2 steps 1 and 2a).
    fn public_op(&self, signature: &[u8]) -> Option<Vec<u8>> {
        if signature.len() != self.k {
            return None;
        }
        let s = BoxedUint::from_be_slice(signature, self.params.bits_precision()).ok()?;
        if s >= self.n {
            return None;
        }
        let base = BoxedMontyForm::new(s, &self.params);
        let bits = self.e.bit_width_vartime();
        // e is odd and above 1 (checked in `new`), so its top bit is at least bit 1.
        let mut acc = base.clone();
        for i in (0..bits.saturating_sub(1)).rev() {
            acc = acc.square();
            if self.e.bit_vartime(i) {
                acc = acc.mul(&base);
            }
        }
        let m = acc.retrieve().to_be_bytes();
        // m < n, so every byte before the last k is zero.
        let (high, em) = m.split_at_checked(m.len().checked_sub(self.k)?)?;
        if high.iter().any(|&b| b != 0) {
            return None;
        }
        Some(em.to_vec())
    }

    /// Verify an RSASSA-PKCS1-v1_5 signature with digest `D` over `message`.
    pub(crate) fn verify_pkcs1v15<D>(
        &self,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), SignatureError>
    where
        D: Digest + AssociatedOid,
    {
        let em = self.public_op(signature).ok_or(SignatureError::Invalid)?;
        let hashed = D::digest(message);
        let prefix = Pkcs1v15Sign::new::<D>().prefix;
        // EM = 00 01 PS 00 T, T = prefix || hash, PS at least 8 bytes of 0xFF (RFC 8017 9.2).
        let expected_t = prefix.iter().chain(hashed.iter());
        let t_len = prefix.len() + hashed.len();
        let Some(ps_len) = em.len().checked_sub(t_len + 3).filter(|&ps| ps >= 8) else {
            return Err(SignatureError::Invalid);
        };
        let split = em.split_at_checked(2).and_then(|(head, rest)| {
            let (ps, rest) = rest.split_at_checked(ps_len)?;
            let (separator, t) = rest.split_at_checked(1)?;
            Some((head, ps, separator, t))
        });
        let Some((head, ps, separator, t)) = split else {
            return Err(SignatureError::Invalid);
        };
        let padding_ok = head == [0x00, 0x01]
            && ps.iter().all(|&b| b == 0xff)
            && separator == [0x00]
            && t.iter().eq(expected_t);
        if padding_ok {
            Ok(())
        } else {
            Err(SignatureError::Invalid)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::rustcrypto::DecodedKey;
    use openssl::bn::BigNum;
    use openssl::rsa::{Padding, Rsa};
    use sha2::{Sha256, Sha384, Sha512};

    /// A key of `bits` bits with exponent `e`, as OpenSSL's private key and certchain's decoded
    /// public key.
    fn key(bits: u32, e: u32) -> (Rsa<openssl::pkey::Private>, RsaKey) {
        let e = BigNum::from_u32(e).unwrap();
        let private = Rsa::generate_with_e(bits, &e).unwrap();
        let spki = openssl::pkey::PKey::from_rsa(private.clone())
            .unwrap()
            .public_key_to_der()
            .unwrap();
        match DecodedKey::decode(&spki).unwrap() {
            DecodedKey::Rsa { key, .. } => (private, key.unwrap()),
            other => panic!("not an RSA key: {other:?}"),
        }
    }

    /// The signature whose public operation gives exactly `em` (a raw private-key operation).
    fn raw_sign(private: &Rsa<openssl::pkey::Private>, em: &[u8]) -> Vec<u8> {
        let mut out = vec![0; private.size() as usize];
        let n = private
            .private_encrypt(em, &mut out, Padding::NONE)
            .unwrap();
        out.truncate(n);
        out
    }

    /// `00 01 FF.. 00 prefix hash` for a k-byte modulus, with `ps` bytes of padding.
    fn encoded(k: usize, prefix: &[u8], hash: &[u8]) -> Vec<u8> {
        let mut em = vec![0x00, 0x01];
        em.resize(k - prefix.len() - hash.len() - 1, 0xff);
        em.push(0x00);
        em.extend_from_slice(prefix);
        em.extend_from_slice(hash);
        em
    }

    /// certchain's verdict and `rsa`'s verdict for one signature, which must agree.
    fn verdict<D: Digest + AssociatedOid>(key: &RsaKey, msg: &[u8], sig: &[u8]) -> bool {
        let ours = key.verify_pkcs1v15::<D>(msg, sig);
        let theirs = key
            .rsa()
            .unwrap()
            .verify(Pkcs1v15Sign::new::<D>(), &D::digest(msg), sig);
        assert_eq!(ours.is_ok(), theirs.is_ok(), "signature {sig:02x?}");
        if let Err(err) = &ours {
            assert_eq!(*err, SignatureError::Invalid);
        }
        ours.is_ok()
    }

    fn check_key<D: Digest + AssociatedOid>(bits: u32, e: u32) {
        let (private, public) = key(bits, e);
        let k = public.k;
        let msg = b"certchain rsa public operation";
        let hash = D::digest(msg);
        let prefix = Pkcs1v15Sign::new::<D>().prefix;
        let good = raw_sign(&private, &encoded(k, &prefix, &hash));
        assert!(verdict::<D>(&public, msg, &good), "{bits}-bit key, e={e}");
        // Any other message, or any flipped bit of the signature, fails.
        assert!(!verdict::<D>(&public, b"another message", &good));
        for i in [0, 1, k / 2, k - 1] {
            let mut sig = good.clone();
            sig[i] ^= 0x10;
            assert!(!verdict::<D>(&public, msg, &sig), "byte {i}");
        }
        // Wrong lengths, zero, one, n - 1, n and above it.
        assert!(!verdict::<D>(&public, msg, &good[1..]));
        let mut longer = vec![0];
        longer.extend_from_slice(&good);
        assert!(!verdict::<D>(&public, msg, &longer));
        let mut one = vec![0; k];
        assert!(!verdict::<D>(&public, msg, &one));
        one[k - 1] = 1;
        assert!(!verdict::<D>(&public, msg, &one));
        let n = private.n().to_vec_padded(k as i32).unwrap();
        assert!(!verdict::<D>(&public, msg, &n));
        let mut n_minus_1 = n.clone();
        n_minus_1[k - 1] -= 1; // n is odd
        assert!(!verdict::<D>(&public, msg, &n_minus_1));
        assert!(!verdict::<D>(&public, msg, &vec![0xff; k]));
        // Encodings that are close but not the one: each must fail in both.
        let right = encoded(k, &prefix, &hash);
        let mut bad = Vec::new();
        let mut e = right.clone();
        e[1] = 0x02; // block type 2
        bad.push(e);
        let mut e = right.clone();
        e[5] = 0xfe; // a padding byte off
        bad.push(e);
        let mut e = right.clone();
        e[k - hash.len() - prefix.len() - 1] = 0x01; // separator not zero
        bad.push(e);
        // DigestInfo without the NULL parameters (shorter prefix, one more padding byte pair)
        let mut no_null = prefix.to_vec();
        no_null[1] -= 2;
        no_null[3] -= 2;
        let at = no_null.len() - 4; // 05 00 04 len: drop the 05 00
        no_null.drain(at..at + 2);
        bad.push(encoded(k, &no_null, &hash));
        let mut e = right.clone();
        e[k - 1] ^= 1; // the hash
        bad.push(e);
        // padding ending early, the rest of the DigestInfo shifted left with garbage after it
        let mut e = right.clone();
        e.remove(2);
        e.push(0x00);
        bad.push(e);
        for em in bad {
            assert_eq!(em.len(), k);
            let sig = raw_sign(&private, &em);
            assert!(!verdict::<D>(&public, msg, &sig), "EM {em:02x?}");
        }
    }

    #[test]
    fn key_checks_agree_with_rsa_crate() {
        let (private, _) = key(1024, 65537);
        let n = BoxedUint::from_be_slice(&private.n().to_vec(), 1024).unwrap();
        let int = |v: u64| BoxedUint::from_be_slice(&v.to_be_bytes(), 1024).unwrap();
        let even_n = n.wrapping_sub(BoxedUint::one_with_precision(1024));
        let cases = [
            (n.clone(), int(65537), 512, 4096),
            (n.clone(), int(65537), 2048, 4096), // too small
            (n.clone(), int(65537), 512, 1000),  // too large
            (n.clone(), int(65537), 4096, 512),  // an empty range
            (even_n, int(65537), 512, 4096),
            (n.clone(), int(65536), 512, 4096),
            (n.clone(), int(1), 512, 4096),
            (n.clone(), int((1 << 33) + 1), 512, 4096),
            (n.clone(), n.clone(), 512, 4096),
        ];
        for (n, e, min, max) in cases {
            let ours = RsaKey::new(n.clone(), e.clone(), min, max).map(|_| ());
            let theirs = rsa::PublicKey::new_with_size_limits(n, e.clone(), min..=max)
                .map(|_| ())
                .map_err(|err| {
                    SignatureError::Malformed(format!("RSA public key rejected: {err}"))
                });
            assert_eq!(ours, theirs, "e = {e}, bits {min}..={max}");
        }
    }

    /// Random damage to a valid encoding (bytes overwritten, inserted or removed anywhere, the
    /// padding, separator, DigestInfo and hash alike), signed raw: certchain and `rsa` agree on
    /// every one, and only the undamaged encodings verify.
    #[test]
    fn agrees_with_rsa_crate_on_damaged_encodings() {
        let (private, public) = key(2048, 65537);
        let k = public.k;
        let msg = b"damaged encodings";
        let right = encoded(
            k,
            &Pkcs1v15Sign::new::<Sha256>().prefix,
            &Sha256::digest(msg),
        );
        let mut next = crate::testutil::rng(0x005e_ed0f_c3a1);
        let (mut tried, mut verified) = (0, 0);
        for _ in 0..400 {
            let mut em = right.clone();
            for _ in 0..=(next() % 3) {
                let at = (next() as usize) % k;
                match next() % 4 {
                    0 => em[at] = next() as u8,
                    1 => em[at] ^= 1 << (next() % 8),
                    2 => {
                        em.insert(at, next() as u8);
                        em.pop();
                    }
                    _ => {
                        em.remove(at);
                        em.insert(2 + (next() as usize) % 8, 0xff);
                    }
                }
            }
            em[0] = 0; // below the modulus, so it can be signed raw
            let sig = raw_sign(&private, &em);
            tried += 1;
            let ok = verdict::<Sha256>(&public, msg, &sig);
            assert_eq!(ok, em == right, "EM {em:02x?}");
            verified += usize::from(ok);
            // Random signature bytes of the right length too.
            let random: Vec<u8> = (0..k).map(|_| next() as u8).collect();
            assert!(!verdict::<Sha256>(&public, msg, &random));
        }
        assert_eq!(tried, 400);
        assert!(verified < 400);
    }

    #[test]
    fn agrees_with_rsa_crate() {
        check_key::<Sha256>(2048, 65537);
        check_key::<Sha384>(2048, 3);
        check_key::<Sha512>(3072, 65537);
        // Moduli whose length is not a multiple of the 64-bit limb: k below the precision.
        check_key::<Sha256>(1000, 65537);
        check_key::<Sha256>(1031, 17);
        // An exponent with many set bits.
        check_key::<Sha256>(1024, 0x7fff_ffff);
    }

    /// The public operation against OpenSSL's `mod_exp` on random and structured odd moduli of
    /// sizes at and around limb edges up to 16384 bits, exponents up to 2^33 - 1, and s = 0, 1,
    /// 2, n - 1, n - 2 and random values (from a hostile review of this code).
    #[test]
    fn public_op_matches_openssl_mod_exp() {
        use openssl::bn::{BigNumContext, MsbOption};
        let mut ctx = BigNumContext::new().unwrap();
        let sizes = [
            512usize, 513, 575, 577, 1000, 1023, 1025, 2047, 2049, 4095, 4097, 16384,
        ];
        let exps: [u64; 4] = [3, 65537, (1 << 32) + 1, (1 << 33) - 1];
        let mut checked = 0;
        for &bits in &sizes {
            // a random odd modulus, 2^(bits-1) + 1 and 2^bits - 1
            let mut moduli = Vec::new();
            let mut n = BigNum::new().unwrap();
            n.rand(bits as i32, MsbOption::ONE, true).unwrap();
            moduli.push(n);
            let mut top = BigNum::new().unwrap();
            top.set_bit(bits as i32 - 1).unwrap();
            let one = BigNum::from_u32(1).unwrap();
            let mut m = BigNum::new().unwrap();
            m.checked_add(&top, &one).unwrap();
            moduli.push(m);
            let mut all = BigNum::new().unwrap();
            let mut p2 = BigNum::new().unwrap();
            p2.set_bit(bits as i32).unwrap();
            all.checked_sub(&p2, &one).unwrap();
            moduli.push(all);
            for n in moduli {
                assert_eq!(n.num_bits() as usize, bits);
                let nb = n.to_vec();
                let k = nb.len();
                for &e in &exps {
                    let e_bn = BigNum::from_dec_str(&e.to_string()).unwrap();
                    let prec = (k * 8).div_ceil(64) as u32 * 64;
                    let key = RsaKey::new(
                        BoxedUint::from_be_slice(&nb, prec).unwrap(),
                        BoxedUint::from_be_slice(&e.to_be_bytes(), 64).unwrap(),
                        512,
                        16384,
                    )
                    .unwrap();
                    let mut ss: Vec<BigNum> = Vec::new();
                    for v in [0u32, 1, 2] {
                        ss.push(BigNum::from_u32(v).unwrap());
                    }
                    for d in [1u32, 2] {
                        let mut x = BigNum::new().unwrap();
                        x.checked_sub(&n, &BigNum::from_u32(d).unwrap()).unwrap();
                        ss.push(x);
                    }
                    for _ in 0..2 {
                        let mut x = BigNum::new().unwrap();
                        n.rand_range(&mut x).unwrap();
                        ss.push(x);
                    }
                    for s in ss {
                        let sig = s.to_vec_padded(k as i32).unwrap();
                        let mut want = BigNum::new().unwrap();
                        want.mod_exp(&s, &e_bn, &n, &mut ctx).unwrap();
                        let want = want.to_vec_padded(k as i32).unwrap();
                        let got = key.public_op(&sig).unwrap();
                        assert_eq!(got, want, "bits {bits} e {e} n {n} s {s}");
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 12 * 3 * 4 * 7);
    }
}
