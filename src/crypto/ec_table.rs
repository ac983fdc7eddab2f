//! ECDSA verification with precomputed multiples of the public key and of the generator, for
//! keys that verify more than once (trust anchors kept by a store, intermediates kept by the key
//! cache).
//!
//! `ecdsa` 0.17 verifies with `lincomb_vartime` (an interleaved multiplication: about 256
//! doublings shared by u1·G and u2·Q and ~86 additions on P-256), whatever the key. When both
//! points are fixed, both products can come from tables instead, with no doubling at all: for
//! each byte position `i` of a scalar the table holds `1..=8` times `256^i·P` (in affine form,
//! for the cheaper mixed addition), and a scalar's signed radix-16 digits (`primeorder`'s
//! `Radix16Decomposition`, each in `-8..=8`) pick one entry per digit. The even digits sum into
//! one accumulator and the odd ones into another, which is multiplied by 16 at the end (four
//! doublings), the layout of `primeorder`'s own `BasepointTable`. A verification is then ~130
//! mixed additions and four doublings instead of ~340 group operations.
//!
//! A table costs ~500 group operations to build (about two verifications) and 33 x 8 affine
//! points (~17 KB) on P-256, 49 x 8 (~38 KB) on P-384, so it is built only for a prepared key
//! from its fourth use on, and at most 128 exist at once in the process ([`TableSlot`]; a key
//! past that limit verifies without tables until a place is free). Everything here is variable time: every input of a
//! signature verification is public.
//!
//! The verdict is `ecdsa`'s `verify_prehash` verdict, step for step (`hazmat::verify_prehashed`:
//! the digest reduced the same way, `w = s^-1`, `u1 = z·w`, `u2 = r·w`, then `x(u1·G + u2·Q)`
//! reduced mod n compared with r); a unit test compares the two on valid, altered and edge-case
//! signatures of both curves and all three digests.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::OnceLock;

use ecdsa::EcdsaCurve;
use elliptic_curve::bigint::{BitOps, Encoding};
use elliptic_curve::group::{Curve as _, Group};
use elliptic_curve::ops::Reduce;
use elliptic_curve::FieldBytesSize;
use primeorder::{array::typenum::Unsigned, Radix16Digits};
use primeorder::{AffinePoint, PrimeCurveParams, ProjectivePoint, Radix16Decomposition};

use super::ec_jacobian::{Affine, Jacobian, JacobianCurve};

/// `1..=8` times `256^i·P` for every byte position `i` of a scalar (and one more for the top
/// carry digit), in affine form.
pub(crate) struct FixedBase<C: JacobianCurve> {
    tables: Vec<[Affine<C>; 8]>,
}

impl<C: JacobianCurve> std::fmt::Debug for FixedBase<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FixedBase({} positions)", self.tables.len())
    }
}

impl<C: JacobianCurve> FixedBase<C> {
    /// The tables for `point` (which must not be the identity); `None` if a multiple is the
    /// identity (never for a point of the prime-order group: j·256^i with 1 <= j <= 8 is not a
    /// multiple of the prime order n), so that a broken table is never used.
    pub(crate) fn new(point: ProjectivePoint<C>) -> Option<FixedBase<C>> {
        let positions = FieldBytesSize::<C>::USIZE + 1;
        let mut projective = Vec::with_capacity(positions * 8);
        let mut base = point;
        for _ in 0..positions {
            let mut multiple = base;
            for j in 0..8 {
                projective.push(multiple);
                if j < 7 {
                    multiple += base;
                }
            }
            for _ in 0..8 {
                base = base.double();
            }
        }
        let mut affine = vec![AffinePoint::<C>::IDENTITY; projective.len()];
        ProjectivePoint::<C>::batch_normalize(&projective, &mut affine);
        let affine: Vec<Affine<C>> = affine.iter().map(Affine::new).collect::<Option<_>>()?;
        let tables: Vec<[Affine<C>; 8]> = affine
            .chunks_exact(8)
            .map(|c| <[Affine<C>; 8]>::try_from(c).ok())
            .collect::<Option<_>>()?;
        (tables.len() == positions).then_some(FixedBase { tables })
    }

    /// Add `digit` (in `-8..=8`) times the table's point at position `i` to `acc`; `None`
    /// (never: a digit is at most 8 and `i` at most the last position) if there is no such
    /// entry, which makes the verification fail rather than compute another point.
    #[inline]
    fn add(&self, acc: &mut Jacobian<C>, i: usize, digit: i8) -> Option<()> {
        let index = usize::from(digit.unsigned_abs());
        if index == 0 {
            return Some(());
        }
        let point = self.tables.get(i)?.get(index - 1)?;
        *acc = if digit > 0 {
            acc.add_affine(point)
        } else {
            acc.add_affine(&point.neg())
        };
        Some(())
    }
}

/// Digit `i` of a decomposition (0 past its end, which `lincomb` never asks for: a scalar has
/// `2 * len + 1` digits and `lincomb` reads up to index `2 * len`).
fn digit<C: PrimeCurveParams>(digits: &Radix16Decomposition<Radix16Digits<C>>, i: usize) -> i8 {
    if i < Radix16Digits::<C>::USIZE {
        digits[i]
    } else {
        0
    }
}

/// The affine x-coordinate of `a·A + b·B` for the points of two tables (`None` for the
/// identity), summed in Jacobian coordinates ([`super::ec_jacobian`]).
fn lincomb<C: JacobianCurve>(
    a_table: &FixedBase<C>,
    a: &elliptic_curve::Scalar<C>,
    b_table: &FixedBase<C>,
    b: &elliptic_curve::Scalar<C>,
) -> Option<elliptic_curve::FieldBytes<C>> {
    let a_digits = Radix16Decomposition::<Radix16Digits<C>>::new(a);
    let b_digits = Radix16Decomposition::<Radix16Digits<C>>::new(b);
    let len = FieldBytesSize::<C>::USIZE;
    let mut even = Jacobian::<C>::identity();
    let mut odd = Jacobian::<C>::identity();
    a_table.add(&mut even, len, digit::<C>(&a_digits, 2 * len))?;
    b_table.add(&mut even, len, digit::<C>(&b_digits, 2 * len))?;
    for i in 0..len {
        a_table.add(&mut even, i, digit::<C>(&a_digits, 2 * i))?;
        b_table.add(&mut even, i, digit::<C>(&b_digits, 2 * i))?;
        a_table.add(&mut odd, i, digit::<C>(&a_digits, 2 * i + 1))?;
        b_table.add(&mut odd, i, digit::<C>(&b_digits, 2 * i + 1))?;
    }
    for _ in 0..4 {
        odd = odd.double();
    }
    even.add(&odd).affine_x()
}

/// The generator's tables, one per curve, built on first use.
pub(crate) trait GeneratorTable: JacobianCurve + EcdsaCurve {
    /// This curve's generator table (`None` never: see [`FixedBase::new`]).
    fn generator_table() -> Option<&'static FixedBase<Self>>;
}

impl GeneratorTable for p256::NistP256 {
    fn generator_table() -> Option<&'static FixedBase<Self>> {
        static TABLE: OnceLock<Option<FixedBase<p256::NistP256>>> = OnceLock::new();
        TABLE
            .get_or_init(|| FixedBase::new(p256::ProjectivePoint::GENERATOR))
            .as_ref()
    }
}

impl GeneratorTable for p384::NistP384 {
    fn generator_table() -> Option<&'static FixedBase<Self>> {
        static TABLE: OnceLock<Option<FixedBase<p384::NistP384>>> = OnceLock::new();
        TABLE
            .get_or_init(|| FixedBase::new(p384::ProjectivePoint::GENERATOR))
            .as_ref()
    }
}

/// `bits2int` and reduction of a digest, as `ecdsa`'s `hazmat::verify_prehashed` does it: the
/// leftmost bytes of a longer digest, a shorter one zero-extended, reduced mod n.
fn digest_scalar<C: PrimeCurveParams + EcdsaCurve>(mut prehash: &[u8]) -> elliptic_curve::Scalar<C>
where
    elliptic_curve::Scalar<C>: Reduce<C::Uint>,
{
    let n_bits = C::ORDER.bit_width();
    let n_bytes = usize::try_from(n_bits.div_ceil(8)).unwrap_or(usize::MAX);
    if let Some(leftmost) = prehash.get(..n_bytes) {
        prehash = leftmost;
    }
    <elliptic_curve::Scalar<C> as Reduce<C::Uint>>::reduce(&C::Uint::from_be_slice_truncated(
        prehash, n_bits,
    ))
}

/// Verify `signature` over `prehash` with the key whose tables are `key`: true if it verifies.
pub(crate) fn verify_prehash<C>(
    key: &FixedBase<C>,
    prehash: &[u8],
    signature: &ecdsa::Signature<C>,
) -> bool
where
    C: GeneratorTable,
    elliptic_curve::Scalar<C>: Reduce<C::Uint>,
{
    verify_with(prehash, signature, |u1, u2| {
        lincomb(C::generator_table()?, u1, key, u2)
    })
}

/// Verify `signature` over `prehash` with the key `q`, which has no tables
/// ([`super::ec_jacobian`]): true if it verifies.
pub(crate) fn verify_prehash_untabled<C>(
    q: &AffinePoint<C>,
    prehash: &[u8],
    signature: &ecdsa::Signature<C>,
) -> bool
where
    C: GeneratorTable + super::ec_jacobian::GeneratorMultiples,
    elliptic_curve::Scalar<C>: Reduce<C::Uint>,
{
    verify_with(prehash, signature, |u1, u2| {
        super::ec_jacobian::lincomb(u1, q, u2)
    })
}

/// `ecdsa`'s verification steps around `x(u1·G + u2·Q)`, which `x_of` computes (`None` for
/// the identity, which never verifies).
fn verify_with<C>(
    prehash: &[u8],
    signature: &ecdsa::Signature<C>,
    x_of: impl FnOnce(
        &elliptic_curve::Scalar<C>,
        &elliptic_curve::Scalar<C>,
    ) -> Option<elliptic_curve::FieldBytes<C>>,
) -> bool
where
    C: PrimeCurveParams + EcdsaCurve,
    elliptic_curve::Scalar<C>: Reduce<C::Uint>,
{
    let (r, s) = signature.split_scalars();
    if C::NORMALIZE_S && bool::from(elliptic_curve::scalar::IsHigh::is_high(&*s)) {
        return false;
    }
    let z = digest_scalar::<C>(prehash);
    let s_inv = *elliptic_curve::ops::Invert::invert_vartime(&s);
    let u1 = z * s_inv;
    let u2 = *r * s_inv;
    match x_of(&u1, &u2) {
        Some(x) => *r == digest_scalar::<C>(&x),
        None => false,
    }
}

/// How many verifications a prepared key does before it gets tables. Building them costs about
/// two plain verifications, so a key used this often has already done more work than the
/// tables add: nobody can make certchain build tables for keys it would use only once or twice.
const USES_BEFORE_TABLE: u32 = 4;

/// At most this many key tables exist at once in the process (~17 KB each on P-256, ~38 KB on
/// P-384: at most ~5 MB), however many keys a store or a key cache holds; past it a key is
/// verified without tables until a place is free again.
const MAX_LIVE_TABLES: usize = 128;

/// Key tables alive now, and places reserved by builders (counted against [`MAX_LIVE_TABLES`]).
static LIVE_TABLES: AtomicUsize = AtomicUsize::new(0);

/// A prepared key's tables: built on the key's [`USES_BEFORE_TABLE`]th use (or the first use
/// after that when a place is free among [`MAX_LIVE_TABLES`]), then shared by every later use;
/// released with the key.
#[derive(Debug, Default)]
pub(crate) struct TableSlot<C: JacobianCurve> {
    /// Uses counted up to [`USES_BEFORE_TABLE`] (not beyond, so it never wraps).
    uses: AtomicU32,
    /// Set by the one thread that builds the tables: others verify without them meanwhile
    /// instead of waiting for the build (~0.5 ms).
    building: AtomicBool,
    /// Set once a place was taken and the tables built (`None` inside if they could not be,
    /// which [`FixedBase::new`] never gives for a valid key: the key then does without).
    table: OnceLock<Option<FixedBase<C>>>,
}

impl<C: JacobianCurve> TableSlot<C> {
    /// The tables for `point` (this slot's key), building them from the key's
    /// [`USES_BEFORE_TABLE`]th use on; `None` before that, and while the process holds
    /// [`MAX_LIVE_TABLES`] tables.
    pub(crate) fn get(&self, point: &AffinePoint<C>) -> Option<&FixedBase<C>> {
        if let Some(table) = self.table.get() {
            return table.as_ref();
        }
        if self.uses.load(Ordering::Relaxed) < USES_BEFORE_TABLE
            && self.uses.fetch_add(1, Ordering::Relaxed) + 1 < USES_BEFORE_TABLE
        {
            return None;
        }
        // Another thread is building them: do without until they are there.
        if self.building.load(Ordering::Acquire) {
            return None;
        }
        // Reserve a place first; give it back if the limit is reached (a later use tries
        // again), if another thread started building this key's tables meanwhile, or if they
        // were built meanwhile.
        if LIVE_TABLES.fetch_add(1, Ordering::AcqRel) >= MAX_LIVE_TABLES {
            LIVE_TABLES.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        if self.building.swap(true, Ordering::AcqRel) {
            LIVE_TABLES.fetch_sub(1, Ordering::AcqRel);
            return self.table.get().and_then(Option::as_ref);
        }
        let mut built = false;
        let table = self.table.get_or_init(|| {
            built = true;
            FixedBase::new(ProjectivePoint::<C>::from(*point))
        });
        if !built {
            LIVE_TABLES.fetch_sub(1, Ordering::AcqRel);
        }
        table.as_ref()
    }
}

#[cfg(all(test, feature = "aws-lc-rs"))]
impl<C: JacobianCurve> TableSlot<C> {
    /// Whether the tables were built.
    pub(crate) fn has_table(&self) -> bool {
        matches!(self.table.get(), Some(Some(_)))
    }
}

impl<C: JacobianCurve> Drop for TableSlot<C> {
    fn drop(&mut self) {
        if self.table.get().is_some() {
            LIVE_TABLES.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
    use sha2::{Digest, Sha256, Sha384, Sha512};

    /// Check the table verdict and the untabled (Jacobian) one against `ecdsa`'s on one
    /// signature; returns the verdict.
    fn agree<C>(
        table: &FixedBase<C>,
        key: &ecdsa::VerifyingKey<C>,
        prehash: &[u8],
        sig: &ecdsa::Signature<C>,
    ) -> bool
    where
        C: GeneratorTable + super::super::ec_jacobian::GeneratorMultiples,
        elliptic_curve::Scalar<C>: Reduce<C::Uint>,
        ecdsa::VerifyingKey<C>: PrehashVerifier<ecdsa::Signature<C>>,
    {
        let ours = verify_prehash(table, prehash, sig);
        let theirs = key.verify_prehash(prehash, sig).is_ok();
        assert_eq!(ours, theirs, "prehash {prehash:02x?}");
        let untabled = verify_prehash_untabled(key.as_affine(), prehash, sig);
        assert_eq!(untabled, theirs, "untabled, prehash {prehash:02x?}");
        ours
    }

    fn digests(msg: &[u8]) -> Vec<Vec<u8>> {
        vec![
            Sha256::digest(msg).to_vec(),
            Sha384::digest(msg).to_vec(),
            Sha512::digest(msg).to_vec(),
        ]
    }

    macro_rules! curve_test {
        ($name:ident, $curve:ident) => {
            #[test]
            fn $name() {
                use $curve::ecdsa::{Signature, SigningKey, VerifyingKey};
                let mut checked = 0;
                for seed in 1u8..=4 {
                    let mut bytes = $curve::FieldBytes::default();
                    for (i, b) in bytes.iter_mut().enumerate() {
                        *b = seed.wrapping_mul(31).wrapping_add(i as u8);
                    }
                    let signing = SigningKey::from_bytes(&bytes).unwrap();
                    let key = VerifyingKey::from(&signing);
                    let table = FixedBase::new((*key.as_affine()).into()).unwrap();
                    let other = {
                        bytes[0] ^= 0x80;
                        VerifyingKey::from(&SigningKey::from_bytes(&bytes).unwrap())
                    };
                    let other_table = FixedBase::new((*other.as_affine()).into()).unwrap();
                    for msg in [&b"a TBSCertificate"[..], b"", &[0xff; 300]] {
                        for prehash in digests(msg) {
                            let sig: Signature = signing.sign_prehash(&prehash).unwrap();
                            assert!(agree(&table, &key, &prehash, &sig));
                            // Another key, another digest, a flipped digest bit: never.
                            assert!(!agree(&other_table, &other, &prehash, &sig));
                            let mut altered = prehash.clone();
                            altered[0] ^= 1;
                            assert!(!agree(&table, &key, &altered, &sig));
                            // The high-S twin verifies in both (no low-S rule on these curves).
                            let (r, s) = sig.split_scalars();
                            let high = Signature::from_scalars(*r, -*s).unwrap();
                            assert!(agree(&table, &key, &prehash, &high));
                            // r and s swapped, r + 1, s + 1: never.
                            let swapped = Signature::from_scalars(*s, *r).unwrap();
                            assert!(!agree(&table, &key, &prehash, &swapped));
                            let one = <$curve::Scalar as elliptic_curve::Field>::ONE;
                            if let Ok(sig) = Signature::from_scalars(*r + one, *s) {
                                assert!(!agree(&table, &key, &prehash, &sig));
                            }
                            if let Ok(sig) = Signature::from_scalars(*r, *s + one) {
                                assert!(!agree(&table, &key, &prehash, &sig));
                            }
                            checked += 1;
                        }
                    }
                    // A digest of the order's own length and a shorter one (zero-extended).
                    for len in [20, 32, 48] {
                        let prehash = vec![0x5a; len];
                        let sig: Signature = signing.sign_prehash(&prehash).unwrap();
                        assert!(agree(&table, &key, &prehash, &sig));
                    }
                }
                assert_eq!(checked, 4 * 3 * 3);
            }
        };
    }

    /// Random keys, digests and damaged signatures (a byte of r or s changed): the tables and
    /// `ecdsa` agree on every one.
    macro_rules! random_test {
        ($name:ident, $curve:ident) => {
            #[test]
            fn $name() {
                use $curve::ecdsa::{Signature, SigningKey, VerifyingKey};
                let mut next = crate::testutil::rng(0x7ab1e5 + stringify!($curve).len() as u64);
                let mut valid = 0;
                for _ in 0..40 {
                    let mut bytes = $curve::FieldBytes::default();
                    bytes.iter_mut().for_each(|b| *b = next() as u8);
                    let Ok(signing) = SigningKey::from_bytes(&bytes) else {
                        continue;
                    };
                    let key = VerifyingKey::from(&signing);
                    let table = FixedBase::new((*key.as_affine()).into()).unwrap();
                    for _ in 0..4 {
                        let prehash: Vec<u8> = (0..[32, 48, 64][(next() % 3) as usize])
                            .map(|_| next() as u8)
                            .collect();
                        let sig: Signature = signing.sign_prehash(&prehash).unwrap();
                        valid += usize::from(agree(&table, &key, &prehash, &sig));
                        let mut raw = sig.to_bytes();
                        let at = (next() as usize) % raw.len();
                        raw[at] ^= (next() as u8) | 1;
                        if let Ok(damaged) = Signature::from_slice(&raw) {
                            assert!(!agree(&table, &key, &prehash, &damaged));
                        }
                    }
                }
                assert!(valid >= 150, "{valid}");
            }
        };
    }

    random_test!(p256_table_agrees_on_random_signatures, p256);
    random_test!(p384_table_agrees_on_random_signatures, p384);
    curve_test!(p256_table_agrees_with_ecdsa, p256);
    curve_test!(p384_table_agrees_with_ecdsa, p384);

    #[test]
    fn slots_build_tables_after_some_uses_without_waiting_and_within_the_limit() {
        let g = p256::AffinePoint::GENERATOR;
        let slot = TableSlot::<p256::NistP256>::default();
        for _ in 1..USES_BEFORE_TABLE {
            assert!(slot.get(&g).is_none());
        }
        assert!(slot.get(&g).is_some());
        assert!(slot.get(&g).is_some());
        // A slot being built by another thread is not waited for.
        let slot2 = TableSlot::<p256::NistP256>::default();
        for _ in 1..USES_BEFORE_TABLE {
            assert!(slot2.get(&g).is_none());
        }
        // As if another thread had started the build: this use does without, at once.
        slot2.building.store(true, Ordering::Release);
        assert!(slot2.get(&g).is_none());
        assert!(slot2.table.get().is_none());
        // That thread's build lands (with the place it reserved); every later use has them.
        LIVE_TABLES.fetch_add(1, Ordering::AcqRel);
        assert!(slot2.table.set(FixedBase::new(g.into())).is_ok());
        assert!(slot2.get(&g).is_some());
        // Two threads reaching the build together: one builds, the other does not wait.
        let both = TableSlot::<p256::NistP256>::default();
        for _ in 1..USES_BEFORE_TABLE {
            assert!(both.get(&g).is_none());
        }
        let got: Vec<bool> = std::thread::scope(|s| {
            let a = s.spawn(|| both.get(&g).is_some());
            let b = s.spawn(|| both.get(&g).is_some());
            vec![a.join().unwrap(), b.join().unwrap()]
        });
        assert!(got.contains(&true), "the builder has them: {got:?}");
        assert!(both.get(&g).is_some());
        // Other tests build tables in parallel, so the limit is checked on the counter itself:
        // with it reached, a slot whose turn comes does without, and gets its tables on a use
        // after a place is free again.
        let held = LIVE_TABLES.fetch_add(MAX_LIVE_TABLES, Ordering::AcqRel);
        assert!(held >= 1);
        let late = TableSlot::<p256::NistP256>::default();
        for _ in 0..USES_BEFORE_TABLE + 2 {
            assert!(late.get(&g).is_none());
        }
        LIVE_TABLES.fetch_sub(MAX_LIVE_TABLES, Ordering::AcqRel);
        assert!(late.get(&g).is_some());
        assert_eq!(late.uses.load(Ordering::Relaxed), USES_BEFORE_TABLE);
    }

    #[test]
    fn no_tables_for_the_identity() {
        assert!(FixedBase::new(p256::ProjectivePoint::IDENTITY).is_none());
        assert!(FixedBase::new(p384::ProjectivePoint::IDENTITY).is_none());
    }

    #[test]
    fn generator_table_holds_multiples_of_g() {
        let t = p256::NistP256::generator_table().unwrap();
        let g = p256::ProjectivePoint::GENERATOR;
        assert_eq!(t.tables.len(), 33);
        assert_eq!(
            p256::ProjectivePoint::from(t.tables[0][2].point()),
            g * p256::Scalar::from(3u64)
        );
        assert_eq!(
            p256::ProjectivePoint::from(t.tables[1][0].point()),
            g * p256::Scalar::from(256u64)
        );
    }
}
