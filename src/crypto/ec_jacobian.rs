//! `u1·G + u2·Q` for an ECDSA verification in Jacobian coordinates, for a key without tables
//! (an intermediate's key decoded for one chain, a key before its fourth use).
//!
//! `ecdsa` 0.17 computes it with `primeorder`'s complete formulas (Renes, Costello and Batina
//! 2015): constant time and free of special cases, at ~11 multiplications and ~21 additions a
//! doubling. Nothing in a verification is secret, so this module uses the classic
//! variable-time Jacobian formulas of the Explicit-Formulas Database for `a = -3` (P-256 and
//! P-384): `dbl-2001-b` (3M + 5S), `madd-2007-bl` (7M + 4S) and `add-2007-bl` (11M + 5S), with
//! their special cases (the identity, `P + P`, `P + -P`) tested for and handled, and an
//! interleaved width-w NAF multiplication (Straus): ~256 shared doublings, ~28 mixed additions
//! of odd multiples of G (a static table of 64 affine points per curve) and ~43 additions of
//! odd multiples of Q (8 points computed per call). Unit tests compare every operation and the
//! whole combination with `primeorder`'s arithmetic, special cases included.
//!
//! The field arithmetic under these formulas is `fiat-crypto`'s (Montgomery multiplication,
//! squaring, addition and subtraction for the P-256 and P-384 primes, generated from formally
//! verified specifications): in a loop on this machine a P-256 multiplication takes ~29 ns and a
//! squaring ~27 ns against ~38 ns for `p256` 0.14's field element (`primefield` over
//! `crypto-bigint`), and a P-384 multiplication ~59 against ~72 ns. Points enter and leave in
//! `primeorder`'s types; [`JacobianCurve`] converts a coordinate through its canonical bytes.

use std::ops::{Add, Mul, Neg, Sub};
use std::sync::OnceLock;

use elliptic_curve::ff::{Field, PrimeField};
use elliptic_curve::group::{Curve as _, Group as _};
use elliptic_curve::hazmat::FieldArithmetic;
use elliptic_curve::ops::Invert;
use elliptic_curve::point::AffineCoordinates;
use elliptic_curve::{FieldBytes, Scalar};
use primeorder::{AffinePoint, PrimeCurveParams, ProjectivePoint};

/// A base field element of curve `C`, as `primeorder` has it.
type Fe<C> = <C as FieldArithmetic>::FieldElement;

/// The field arithmetic the formulas need.
pub(crate) trait FieldOps:
    Copy
    + std::fmt::Debug
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    fn square(&self) -> Self;
    fn double(&self) -> Self;
    fn is_zero(&self) -> bool;
}

/// A curve whose points [`Jacobian`] and [`Affine`] hold in the field type [`Self::F`].
pub(crate) trait JacobianCurve: PrimeCurveParams {
    type F: FieldOps;
    /// `x` in the fast field type.
    fn to_fast(x: &Fe<Self>) -> Self::F;
    /// `x` back as `primeorder`'s field element (`None` never: `x` is reduced).
    fn to_fe(x: &Self::F) -> Option<Fe<Self>>;
}

/// `impl $trait for $name` with the fiat-crypto function `$f` (Montgomery form in and out).
macro_rules! fiat_binop {
    ($name:ident, $m:ident, $mont:ident, $limbs:literal, $trait:ident, $method:ident, $f:ident) => {
        impl $trait for $name {
            type Output = $name;
            #[inline]
            fn $method(self, rhs: $name) -> $name {
                let mut out = fiat_crypto::$m::$mont([0; $limbs]);
                fiat_crypto::$m::$f(
                    &mut out,
                    &fiat_crypto::$m::$mont(self.0),
                    &fiat_crypto::$m::$mont(rhs.0),
                );
                $name(out.0)
            }
        }
    };
}

/// A `fiat-crypto` field element in Montgomery form, with the operations of [`FieldOps`] and
/// the conversions of [`JacobianCurve`] for `$curve` (whose `primeorder` field element has the
/// same modulus; the bytes in between are canonical big-endian, fiat's little-endian).
macro_rules! fiat_field {
    ($name:ident, $curve:ty, $limbs:literal, $bytes:literal, $m:ident,
     $mont:ident, $plain:ident, $mul:ident, $square:ident, $add:ident, $sub:ident, $opp:ident,
     $to_mont:ident, $from_mont:ident, $nonzero:ident, $one:ident, $to_bytes:ident,
     $from_bytes:ident) => {
        #[derive(Clone, Copy, Debug)]
        pub(crate) struct $name([u64; $limbs]);

        fiat_binop!($name, $m, $mont, $limbs, Add, add, $add);
        fiat_binop!($name, $m, $mont, $limbs, Sub, sub, $sub);
        fiat_binop!($name, $m, $mont, $limbs, Mul, mul, $mul);

        impl Neg for $name {
            type Output = $name;
            #[inline]
            fn neg(self) -> $name {
                let mut out = fiat_crypto::$m::$mont([0; $limbs]);
                fiat_crypto::$m::$opp(&mut out, &fiat_crypto::$m::$mont(self.0));
                $name(out.0)
            }
        }

        impl FieldOps for $name {
            const ZERO: $name = $name([0; $limbs]);
            const ONE: $name = {
                let mut out = fiat_crypto::$m::$mont([0; $limbs]);
                fiat_crypto::$m::$one(&mut out);
                $name(out.0)
            };
            #[inline]
            fn square(&self) -> $name {
                let mut out = fiat_crypto::$m::$mont([0; $limbs]);
                fiat_crypto::$m::$square(&mut out, &fiat_crypto::$m::$mont(self.0));
                $name(out.0)
            }
            #[inline]
            fn double(&self) -> $name {
                *self + *self
            }
            #[inline]
            fn is_zero(&self) -> bool {
                // fiat's outputs are fully reduced: zero has one representation.
                let mut any = 0u64;
                fiat_crypto::$m::$nonzero(&mut any, &self.0);
                any == 0
            }
        }

        impl JacobianCurve for $curve {
            type F = $name;
            fn to_fast(x: &Fe<Self>) -> $name {
                let mut le: [u8; $bytes] = [0; $bytes];
                for (d, s) in le.iter_mut().zip(x.to_repr().iter().rev()) {
                    *d = *s;
                }
                let mut plain = fiat_crypto::$m::$plain([0; $limbs]);
                fiat_crypto::$m::$from_bytes(&mut plain.0, &le);
                let mut out = fiat_crypto::$m::$mont([0; $limbs]);
                fiat_crypto::$m::$to_mont(&mut out, &plain);
                $name(out.0)
            }
            fn to_fe(x: &$name) -> Option<Fe<Self>> {
                let mut plain = fiat_crypto::$m::$plain([0; $limbs]);
                fiat_crypto::$m::$from_mont(&mut plain, &fiat_crypto::$m::$mont(x.0));
                let mut le: [u8; $bytes] = [0; $bytes];
                fiat_crypto::$m::$to_bytes(&mut le, &plain.0);
                let mut be = FieldBytes::<Self>::default();
                for (d, s) in be.iter_mut().zip(le.iter().rev()) {
                    *d = *s;
                }
                Option::from(Fe::<Self>::from_repr(be))
            }
        }
    };
}

fiat_field!(
    P256Field,
    p256::NistP256,
    4,
    32,
    p256_64,
    fiat_p256_montgomery_domain_field_element,
    fiat_p256_non_montgomery_domain_field_element,
    fiat_p256_mul,
    fiat_p256_square,
    fiat_p256_add,
    fiat_p256_sub,
    fiat_p256_opp,
    fiat_p256_to_montgomery,
    fiat_p256_from_montgomery,
    fiat_p256_nonzero,
    fiat_p256_set_one,
    fiat_p256_to_bytes,
    fiat_p256_from_bytes
);
fiat_field!(
    P384Field,
    p384::NistP384,
    6,
    48,
    p384_64,
    fiat_p384_montgomery_domain_field_element,
    fiat_p384_non_montgomery_domain_field_element,
    fiat_p384_mul,
    fiat_p384_square,
    fiat_p384_add,
    fiat_p384_sub,
    fiat_p384_opp,
    fiat_p384_to_montgomery,
    fiat_p384_from_montgomery,
    fiat_p384_nonzero,
    fiat_p384_set_one,
    fiat_p384_to_bytes,
    fiat_p384_from_bytes
);

/// Window of the NAF of u1 (the generator's scalar): 2^(8-2) = 64 odd multiples of G.
const WINDOW_G: u32 = 8;
/// Window of the NAF of u2 (the key's scalar): 2^(5-2) = 8 odd multiples of Q per call.
const WINDOW_Q: u32 = 5;

/// A point (X/Z², Y/Z³); Z = 0 is the identity.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Jacobian<C: JacobianCurve> {
    x: C::F,
    y: C::F,
    z: C::F,
}

/// An affine point that is not the identity.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Affine<C: JacobianCurve> {
    x: C::F,
    y: C::F,
}

impl<C: JacobianCurve> Affine<C> {
    /// The coordinates of `p`; `None` for the identity.
    pub(crate) fn new(p: &AffinePoint<C>) -> Option<Affine<C>> {
        if bool::from(p.is_identity()) {
            return None;
        }
        let x = Option::from(Fe::<C>::from_repr(p.x()))?;
        let y = Option::from(Fe::<C>::from_repr(p.y()))?;
        Some(Affine {
            x: C::to_fast(&x),
            y: C::to_fast(&y),
        })
    }

    pub(crate) fn neg(&self) -> Affine<C> {
        Affine {
            x: self.x,
            y: -self.y,
        }
    }
}

#[cfg(test)]
impl<C: JacobianCurve> Affine<C> {
    /// The point as `primeorder` has it.
    pub(crate) fn point(&self) -> AffinePoint<C> {
        Option::from(AffinePoint::<C>::from_coordinates(
            &C::to_fe(&self.x).unwrap().to_repr(),
            &C::to_fe(&self.y).unwrap().to_repr(),
        ))
        .unwrap_or(AffinePoint::<C>::IDENTITY)
    }
}

impl<C: JacobianCurve> Jacobian<C> {
    pub(crate) fn identity() -> Jacobian<C> {
        Jacobian {
            x: C::F::ONE,
            y: C::F::ONE,
            z: C::F::ZERO,
        }
    }

    pub(crate) fn from_affine(p: &Affine<C>) -> Jacobian<C> {
        Jacobian {
            x: p.x,
            y: p.y,
            z: C::F::ONE,
        }
    }

    fn is_identity(&self) -> bool {
        self.z.is_zero()
    }

    fn neg(&self) -> Jacobian<C> {
        Jacobian {
            x: self.x,
            y: -self.y,
            z: self.z,
        }
    }

    /// 2P (`dbl-2001-b`, a = -3). A point with Y = 0 (none on these prime-order curves) gives
    /// Z = 0, the identity, as it must.
    pub(crate) fn double(&self) -> Jacobian<C> {
        if self.is_identity() {
            return *self;
        }
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x * gamma;
        let t = (self.x - delta) * (self.x + delta);
        let alpha = t.double() + t;
        let beta4 = beta.double().double();
        let x3 = alpha.square() - beta4.double();
        let z3 = (self.y + self.z).square() - gamma - delta;
        let gamma2_8 = gamma.square().double().double().double();
        let y3 = alpha * (beta4 - x3) - gamma2_8;
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// P + Q for an affine Q (`madd-2007-bl`).
    pub(crate) fn add_affine(&self, q: &Affine<C>) -> Jacobian<C> {
        if self.is_identity() {
            return Jacobian::from_affine(q);
        }
        let z1z1 = self.z.square();
        let u2 = q.x * z1z1;
        let s2 = q.y * self.z * z1z1;
        let h = u2 - self.x;
        let r = (s2 - self.y).double();
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Jacobian::identity()
            };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h * i;
        let v = self.x * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (self.y * j).double();
        let z3 = (self.z + h).square() - z1z1 - hh;
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// P + Q (`add-2007-bl`).
    pub(crate) fn add(&self, q: &Jacobian<C>) -> Jacobian<C> {
        if self.is_identity() {
            return *q;
        }
        if q.is_identity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = q.z.square();
        let u1 = self.x * z2z2;
        let u2 = q.x * z1z1;
        let s1 = self.y * q.z * z2z2;
        let s2 = q.y * self.z * z1z1;
        let h = u2 - u1;
        let r = (s2 - s1).double();
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Jacobian::identity()
            };
        }
        let i = h.double().square();
        let j = h * i;
        let v = u1 * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (s1 * j).double();
        let z3 = ((self.z + q.z).square() - z1z1 - z2z2) * h;
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// The affine x-coordinate as bytes; `None` for the identity.
    pub(crate) fn affine_x(&self) -> Option<FieldBytes<C>> {
        let z_inv: Fe<C> = Option::from(Invert::invert_vartime(&C::to_fe(&self.z)?))?;
        Some((C::to_fe(&self.x)? * z_inv.square()).to_repr())
    }
}

/// The width-`w` NAF of a scalar (`w` at most 8), least significant digit first: every digit
/// is zero or odd with absolute value below 2^(w-1), and a nonzero digit is followed by at
/// least w-1 zeros. `None` (never, for `w <= 8`) if a digit did not fit an `i8`.
fn wnaf<C: PrimeCurveParams>(k: &Scalar<C>, w: u32) -> Option<Vec<i8>> {
    let repr = k.to_repr();
    let bytes: &[u8] = repr.as_ref();
    // Little-endian 64-bit limbs of the big-endian representation, plus one for the carry a
    // negative digit adds.
    let mut limbs: Vec<u64> = bytes
        .rchunks(8)
        .map(|c| c.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
        .collect();
    limbs.push(0);
    let mut digits = Vec::with_capacity(limbs.len() * 64);
    let window = 1i64 << w;
    let mask = (1u64 << w) - 1;
    while limbs.iter().any(|&l| l != 0) {
        let low = limbs.first().copied().unwrap_or(0);
        let digit = if low & 1 == 1 {
            let mut d = i64::try_from(low & mask).ok()?;
            if d >= window / 2 {
                d -= window;
            }
            // k -= d (d odd, |d| < 2^(w-1)): the low w bits become zero.
            if d > 0 {
                sub_small(&mut limbs, d.unsigned_abs());
            } else {
                add_small(&mut limbs, d.unsigned_abs());
            }
            i8::try_from(d).ok()?
        } else {
            0
        };
        digits.push(digit);
        shift_right_one(&mut limbs);
    }
    Some(digits)
}

fn sub_small(limbs: &mut [u64], mut v: u64) {
    for l in limbs.iter_mut() {
        let (r, borrow) = l.overflowing_sub(v);
        *l = r;
        if !borrow {
            return;
        }
        v = 1;
    }
}

fn add_small(limbs: &mut [u64], mut v: u64) {
    for l in limbs.iter_mut() {
        let (r, carry) = l.overflowing_add(v);
        *l = r;
        if !carry {
            return;
        }
        v = 1;
    }
}

fn shift_right_one(limbs: &mut [u64]) {
    let mut carry = 0u64;
    for l in limbs.iter_mut().rev() {
        let next = *l & 1;
        *l = (*l >> 1) | (carry << 63);
        carry = next;
    }
}

/// `1, 3, 5, ..` times `p`: `count` odd multiples.
fn odd_multiples<C: JacobianCurve>(p: &Jacobian<C>, count: usize) -> Vec<Jacobian<C>> {
    let twice = p.double();
    let mut out = Vec::with_capacity(count);
    let mut m = *p;
    for _ in 0..count {
        out.push(m);
        m = m.add(&twice);
    }
    out
}

/// The odd multiples of a curve's generator for [`WINDOW_G`], in affine form, built once.
pub(crate) trait GeneratorMultiples: JacobianCurve {
    fn generator_multiples() -> &'static [Affine<Self>];
}

fn build_generator_multiples<C: JacobianCurve>() -> Vec<Affine<C>> {
    let g = ProjectivePoint::<C>::GENERATOR;
    let count = 1usize << (WINDOW_G - 2);
    let twice = g.double();
    let mut projective = Vec::with_capacity(count);
    let mut m = g;
    for _ in 0..count {
        projective.push(m);
        m += twice;
    }
    let mut affine = vec![AffinePoint::<C>::IDENTITY; count];
    ProjectivePoint::<C>::batch_normalize(&projective, &mut affine);
    // All or nothing: an entry missing would shift the others. (None is missing: an odd
    // multiple below 2^7 of G is never the identity.) An empty table fails every lookup.
    affine
        .iter()
        .map(Affine::new)
        .collect::<Option<Vec<_>>>()
        .unwrap_or_default()
}

impl GeneratorMultiples for p256::NistP256 {
    fn generator_multiples() -> &'static [Affine<Self>] {
        static TABLE: OnceLock<Vec<Affine<p256::NistP256>>> = OnceLock::new();
        TABLE.get_or_init(build_generator_multiples)
    }
}

impl GeneratorMultiples for p384::NistP384 {
    fn generator_multiples() -> &'static [Affine<Self>] {
        static TABLE: OnceLock<Vec<Affine<p384::NistP384>>> = OnceLock::new();
        TABLE.get_or_init(build_generator_multiples)
    }
}

/// Whether the curve's `a` is -3, which [`Jacobian::double`] assumes (true of P-256 and P-384).
fn a_is_minus_three<C: PrimeCurveParams>() -> bool {
    C::EQUATION_A + Fe::<C>::ONE.double() + Fe::<C>::ONE == Fe::<C>::ZERO
}

/// The affine x-coordinate of `u1·G + u2·Q`, as bytes; `None` (a signature that does not
/// verify) for the identity, an identity key or a curve whose `a` is not -3.
pub(crate) fn lincomb<C: GeneratorMultiples>(
    u1: &Scalar<C>,
    q: &AffinePoint<C>,
    u2: &Scalar<C>,
) -> Option<FieldBytes<C>> {
    if !a_is_minus_three::<C>() {
        return None;
    }
    let g_multiples = C::generator_multiples();
    // A key is never the identity (`ecdsa::VerifyingKey` refuses it); if it were, reject.
    let q = Affine::new(q)?;
    let q_multiples = odd_multiples(&Jacobian::from_affine(&q), 1 << (WINDOW_Q - 2));
    let a = wnaf::<C>(u1, WINDOW_G)?;
    let b = wnaf::<C>(u2, WINDOW_Q)?;
    let mut acc = Jacobian::<C>::identity();
    for i in (0..a.len().max(b.len())).rev() {
        acc = acc.double();
        // A table entry that is not there (never: |d| < 2^(w-1) and the tables hold 2^(w-2)
        // odd multiples) fails the verification rather than skip a term.
        if let Some(&d) = a.get(i).filter(|d| **d != 0) {
            let p = g_multiples.get(usize::from(d.unsigned_abs() / 2))?;
            acc = acc.add_affine(&if d > 0 { *p } else { p.neg() });
        }
        if let Some(&d) = b.get(i).filter(|d| **d != 0) {
            let p = q_multiples.get(usize::from(d.unsigned_abs() / 2))?;
            acc = acc.add(&if d > 0 { *p } else { p.neg() });
        }
    }
    acc.affine_x()
}

#[cfg(test)]
mod tests {
    use super::*;
    use elliptic_curve::group::Group;

    fn projective<C: JacobianCurve>(p: &Jacobian<C>) -> ProjectivePoint<C> {
        if p.is_identity() {
            return ProjectivePoint::<C>::IDENTITY;
        }
        let z_inv = Option::<Fe<C>>::from(Field::invert(&C::to_fe(&p.z).unwrap())).unwrap();
        let x = (C::to_fe(&p.x).unwrap() * z_inv.square()).to_repr();
        let y = (C::to_fe(&p.y).unwrap() * z_inv.square() * z_inv).to_repr();
        let affine: AffinePoint<C> = Option::from(AffinePoint::<C>::from_coordinates(&x, &y))
            .expect("the result is on the curve");
        affine.into()
    }

    fn jacobian<C: JacobianCurve>(p: &ProjectivePoint<C>) -> Jacobian<C> {
        match Affine::new(&p.to_affine()) {
            Some(a) => {
                // Another Z than 1, so the formulas are exercised in general position.
                let z = C::F::ONE.double() + C::F::ONE.double().double().double();
                Jacobian {
                    x: a.x * z.square(),
                    y: a.y * z.square() * z,
                    z,
                }
            }
            None => Jacobian::identity(),
        }
    }

    /// fiat-crypto's field against `primeorder`'s: the constants, the conversions both ways
    /// and every operation on edge and random elements.
    fn field_agrees<C: JacobianCurve>(seed: u64) {
        let mut next = crate::testutil::rng(seed);
        let fe = |v: u64| Fe::<C>::from(v);
        let mut values = vec![Fe::<C>::ZERO, Fe::<C>::ONE, -Fe::<C>::ONE, -fe(2), fe(2)];
        for _ in 0..40 {
            let mut x = Fe::<C>::ZERO;
            for _ in 0..7 {
                x = x * fe(1 << 32) * fe(1 << 32) + fe(next());
            }
            values.push(x);
        }
        assert!(C::F::ZERO.is_zero() && !C::F::ONE.is_zero());
        assert_eq!(C::to_fe(&C::F::ONE), Some(Fe::<C>::ONE));
        assert_eq!(C::to_fe(&C::F::ZERO), Some(Fe::<C>::ZERO));
        for a in &values {
            let fa = C::to_fast(a);
            assert_eq!(C::to_fe(&fa), Some(*a));
            assert_eq!(fa.is_zero(), bool::from(a.is_zero()));
            assert_eq!(C::to_fe(&fa.square()), Some(a.square()));
            assert_eq!(C::to_fe(&fa.double()), Some(a.double()));
            assert_eq!(C::to_fe(&-fa), Some(-*a));
            for b in &values {
                let fb = C::to_fast(b);
                assert_eq!(C::to_fe(&(fa * fb)), Some(*a * *b));
                assert_eq!(C::to_fe(&(fa + fb)), Some(*a + *b));
                assert_eq!(C::to_fe(&(fa - fb)), Some(*a - *b));
            }
        }
    }

    #[test]
    fn fiat_fields_agree_with_primeorder() {
        field_agrees::<p256::NistP256>(0xf1a7);
        field_agrees::<p384::NistP384>(0xf1a8);
    }

    macro_rules! curve_tests {
        ($ops:ident, $comb:ident, $curve:ident, $c:ty) => {
            #[test]
            fn $ops() {
                use $curve::{ProjectivePoint as P, Scalar as S};
                assert!(a_is_minus_three::<$c>());
                let mut next = crate::testutil::rng(0x1ac0b1 + stringify!($curve).len() as u64);
                let mut points = vec![P::IDENTITY, P::GENERATOR, -P::GENERATOR];
                for _ in 0..12 {
                    points.push(P::GENERATOR * S::from(next()));
                }
                points.push(points[3]);
                points.push(-points[4]);
                for p in &points {
                    let jp = jacobian(p);
                    assert_eq!(projective(&jp.double()), p.double());
                    if let Some(a) = Affine::new(&p.to_affine()) {
                        assert_eq!(projective(&Jacobian::from_affine(&a)), *p);
                    }
                    for q in &points {
                        let jq = jacobian(q);
                        // Includes P + P, P + -P and the identity on either side.
                        assert_eq!(projective(&jp.add(&jq)), p + q, "add");
                        if let Some(qa) = Affine::new(&q.to_affine()) {
                            assert_eq!(projective(&jp.add_affine(&qa)), p + q, "madd");
                        }
                    }
                }
            }

            #[test]
            fn $comb() {
                use $curve::{ProjectivePoint as P, Scalar as S};
                let mut next = crate::testutil::rng(0xc0b1 + stringify!($curve).len() as u64);
                let random = |next: &mut dyn FnMut() -> u64| {
                    let mut s = S::ZERO;
                    for _ in 0..8 {
                        s = s * S::from(1u64 << 32) * S::from(1u64 << 32) + S::from(next());
                    }
                    s
                };
                let mut scalars = vec![S::ZERO, S::ONE, -S::ONE, S::from(2u64), -S::from(2u64)];
                scalars.push(S::from(u64::MAX));
                for _ in 0..20 {
                    scalars.push(random(&mut next));
                }
                let q = P::GENERATOR * random(&mut next);
                let mut checked = 0;
                for u1 in &scalars {
                    for u2 in scalars.iter().take(10) {
                        let want = (P::GENERATOR * u1 + q * u2).to_affine();
                        let got = lincomb::<$c>(u1, &q.to_affine(), u2);
                        if bool::from(want.is_identity()) {
                            assert!(got.is_none());
                        } else {
                            assert_eq!(got, Some(want.x()));
                        }
                        checked += 1;
                    }
                }
                // Q = ±G and u2 = ∓u1 (the sum cancels), Q = G with u1 = u2 (a doubling
                // inside the sum).
                for u in scalars.iter().skip(1) {
                    assert!(lincomb::<$c>(u, &(-P::GENERATOR).to_affine(), u).is_none());
                    let want = (P::GENERATOR * (*u + *u)).to_affine();
                    let got = lincomb::<$c>(u, &P::GENERATOR.to_affine(), u);
                    assert_eq!(got, Some(want.x()));
                }
                // An identity key (which `ecdsa` never holds) verifies nothing.
                let identity = P::IDENTITY.to_affine();
                assert!(lincomb::<$c>(&S::ONE, &identity, &S::ONE).is_none());
                assert!(P::GENERATOR.is_identity().unwrap_u8() == 0);
                assert_eq!(checked, scalars.len() * 10);
            }
        };
    }

    curve_tests!(
        p256_jacobian_ops_agree_with_primeorder,
        p256_lincomb_agrees,
        p256,
        p256::NistP256
    );
    curve_tests!(
        p384_jacobian_ops_agree_with_primeorder,
        p384_lincomb_agrees,
        p384,
        p384::NistP384
    );

    #[test]
    fn wnaf_digits_rebuild_the_scalar() {
        use p256::Scalar as S;
        let mut next = crate::testutil::rng(0x4af);
        for _ in 0..200 {
            let k = S::from(next()) * S::from(next()) * S::from(next()) * S::from(next());
            for w in [2, 5, 8] {
                let digits = wnaf::<p256::NistP256>(&k, w).unwrap();
                let mut back = S::ZERO;
                let mut last_nonzero: Option<usize> = None;
                for (i, &d) in digits.iter().enumerate().rev() {
                    back = back.double();
                    if d != 0 {
                        assert!(d % 2 != 0);
                        assert!(i32::from(d).abs() < 1 << (w - 1));
                        if let Some(j) = last_nonzero {
                            assert!(j - i >= w as usize);
                        }
                        last_nonzero = Some(i);
                        back += if d > 0 {
                            S::from(d as u64)
                        } else {
                            -S::from(d.unsigned_abs() as u64)
                        };
                    }
                }
                assert_eq!(back, k);
                assert!(digits.len() <= 257);
            }
        }
    }
}
