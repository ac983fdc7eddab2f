//! Bounded, thread-safe caches that let a long-lived [`crate::Verifier`] skip repeated work:
//!
//! * [`SignatureCache`]: signatures that verified, keyed by SHA-256 over the issuer's
//!   SubjectPublicKeyInfo, the signature algorithm, the signature and the signed TBS bytes' own
//!   SHA-256. A
//!   service verifying many leaves under the same intermediate checks the intermediate → root
//!   signature once. Only successes are stored, so a hit can only repeat a verdict the backend
//!   already gave for exactly these bytes; any other input misses and is verified.
//! * [`KeyCache`]: public keys decoded by the crypto backend ([`crate::crypto::PreparedKey`]),
//!   keyed by the SubjectPublicKeyInfo bytes, for intermediates (trust anchors keep theirs in
//!   the [`crate::TrustStore`]).
//!
//! Both are split into shards, each a `Mutex` around a map and a CLOCK ring (second-chance
//! eviction: an entry used since the hand last passed survives one more turn), so the size
//! stays bounded and two threads rarely wait on the same lock.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use sha2::{Digest, Sha256};

use crate::cert::Certificate;
use crate::crypto::PreparedKey;
use crate::error::{Error, ErrorKind};
use crate::path::{VerifiedChain, Verifier};
use crate::policy::Policy;

/// Default sizes (functions, not associated consts, so cbindgen leaves them out of the C header).
const SIGNATURES_BY_DEFAULT: usize = 4096;
const KEYS_BY_DEFAULT: usize = 1024;
const CERTS_BY_DEFAULT: usize = 256;

/// Shards per cache: a power of two, enough that 2-8 threads seldom meet on one lock.
const SHARDS: usize = 16;

/// One shard: a map from key to slot, and the CLOCK ring of slots.
#[derive(Debug)]
struct Shard<K, V> {
    index: HashMap<K, usize>,
    slots: Vec<Slot<K, V>>,
    hand: usize,
}

#[derive(Debug)]
struct Slot<K, V> {
    key: K,
    value: V,
    referenced: bool,
}

/// A bounded map with CLOCK eviction, sharded by a caller-supplied shard number.
#[derive(Debug)]
struct ClockMap<K, V> {
    shards: Vec<Mutex<Shard<K, V>>>,
    per_shard: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl<K: Hash + Eq + Clone, V: Clone> ClockMap<K, V> {
    fn new(capacity: usize) -> Self {
        let per_shard = capacity.div_ceil(SHARDS);
        let shards = (0..SHARDS)
            .map(|_| {
                Mutex::new(Shard {
                    index: HashMap::new(),
                    slots: Vec::new(),
                    hand: 0,
                })
            })
            .collect();
        ClockMap {
            shards,
            per_shard,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    fn shard(&self, n: usize) -> Option<MutexGuard<'_, Shard<K, V>>> {
        // A poisoned lock only means another thread panicked mid-update of a cache entry; the
        // map is still consistent enough to use (worst case a stale slot), so carry on.
        self.shards
            .get(n % SHARDS)
            .map(|m| m.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn get<Q>(&self, n: usize, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let found = self.shard(n).and_then(|mut s| {
            let i = *s.index.get(key)?;
            let slot = s.slots.get_mut(i)?;
            slot.referenced = true;
            Some(slot.value.clone())
        });
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn insert(&self, n: usize, key: K, value: V) {
        if self.per_shard == 0 {
            return;
        }
        let Some(mut s) = self.shard(n) else { return };
        if let Some(&i) = s.index.get(&key) {
            if let Some(slot) = s.slots.get_mut(i) {
                slot.value = value;
                slot.referenced = true;
            }
            return;
        }
        if s.slots.len() < self.per_shard {
            let i = s.slots.len();
            s.index.insert(key.clone(), i);
            s.slots.push(Slot {
                key,
                value,
                referenced: false,
            });
            return;
        }
        // CLOCK: clear reference bits until an unreferenced slot comes round (at most one
        // full turn plus one), then replace it.
        let len = s.slots.len();
        for _ in 0..=len {
            let hand = s.hand % len;
            s.hand = (hand + 1) % len;
            let Some(slot) = s.slots.get_mut(hand) else {
                return;
            };
            if slot.referenced {
                slot.referenced = false;
                continue;
            }
            let old = std::mem::replace(&mut slot.key, key.clone());
            slot.value = value;
            s.index.remove(&old);
            s.index.insert(key, hand);
            return;
        }
    }

    fn len(&self) -> usize {
        (0..SHARDS)
            .filter_map(|n| self.shard(n).map(|s| s.slots.len()))
            .sum()
    }

    fn clear(&self) {
        for n in 0..SHARDS {
            if let Some(mut s) = self.shard(n) {
                s.index.clear();
                s.slots.clear();
                s.hand = 0;
            }
        }
    }
}

/// Cache statistics: lookups that hit and that missed, since creation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups that found an entry.
    pub hits: u64,
    /// Lookups that did not.
    pub misses: u64,
}

/// The signatures a [`crate::Verifier`] has verified, bounded and shared between threads.
///
/// Keyed by SHA-256 over the length-prefixed issuer SubjectPublicKeyInfo, signature algorithm
/// (DER, parameters included), signature bits and the SHA-256 of the exact TBS bytes: changing
/// any of them misses. Only signatures that verified are stored. On a hit the backend is not called; the
/// check still counts against [`crate::Limits::max_signature_checks`], so a search stops at the
/// same point, with the same verdict, whether the cache is warm or cold.
#[derive(Debug)]
pub struct SignatureCache {
    map: ClockMap<[u8; 32], ()>,
}

impl Default for SignatureCache {
    fn default() -> Self {
        SignatureCache::new(SIGNATURES_BY_DEFAULT)
    }
}

impl SignatureCache {
    /// The capacity [`crate::Verifier::new`] uses: 4096 signatures (about 200 KiB).
    pub const fn default_capacity() -> usize {
        SIGNATURES_BY_DEFAULT
    }

    /// A cache holding about `capacity` signatures (rounded up to a multiple of 16); 0 stores
    /// nothing.
    pub fn new(capacity: usize) -> SignatureCache {
        SignatureCache {
            map: ClockMap::new(capacity),
        }
    }

    /// The cache key of one signature check: SHA-256 over the issuer's key, the algorithm, the
    /// signature (each length-prefixed) and `tbs_digest`, the SHA-256 of the signed TBS bytes
    /// ([`crate::Certificate::tbs_sha256`], kept with a parsed certificate, so a cached
    /// intermediate's edge to its issuer costs a hash of about 600 bytes, not of its whole TBS).
    pub fn key(
        issuer_spki: &[u8],
        algorithm_der: &[u8],
        signature: &[u8],
        tbs_digest: &[u8],
    ) -> [u8; 32] {
        let mut h = Sha256::new();
        for part in [issuer_spki, algorithm_der, signature] {
            h.update(u64::try_from(part.len()).unwrap_or(u64::MAX).to_be_bytes());
            h.update(part);
        }
        h.update(tbs_digest);
        h.finalize().into()
    }

    /// Whether this check is known to have verified.
    pub fn contains(&self, key: &[u8; 32]) -> bool {
        self.map.get(usize::from(key[0]), key).is_some()
    }

    /// Record a check that verified.
    pub fn insert(&self, key: [u8; 32]) {
        self.map.insert(usize::from(key[0]), key, ());
    }

    /// Number of signatures held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forget everything.
    pub fn clear(&self) {
        self.map.clear();
    }

    /// Hits and misses so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.map.hits.load(Ordering::Relaxed),
            misses: self.map.misses.load(Ordering::Relaxed),
        }
    }
}

/// Decoded public keys of intermediates, keyed by their SubjectPublicKeyInfo bytes.
#[derive(Debug)]
pub struct KeyCache {
    map: ClockMap<Box<[u8]>, Arc<dyn PreparedKey>>,
}

impl Default for KeyCache {
    fn default() -> Self {
        KeyCache::new(KEYS_BY_DEFAULT)
    }
}

impl KeyCache {
    /// The capacity [`crate::Verifier::new`] uses: 1024 keys.
    pub const fn default_capacity() -> usize {
        KEYS_BY_DEFAULT
    }

    /// A cache holding about `capacity` keys.
    pub fn new(capacity: usize) -> KeyCache {
        KeyCache {
            map: ClockMap::new(capacity),
        }
    }

    fn shard_of(spki: &[u8]) -> usize {
        // The last bytes of an SPKI are key material (the EC point or RSA exponent's
        // neighbour, the modulus tail): spread well enough for shard choice.
        spki.iter().rev().take(8).fold(0usize, |a, b| {
            a.wrapping_mul(31).wrapping_add(usize::from(*b))
        })
    }

    /// The prepared key for `spki`, if cached.
    pub fn get(&self, spki: &[u8]) -> Option<Arc<dyn PreparedKey>> {
        self.map.get(Self::shard_of(spki), spki)
    }

    /// Remember a prepared key.
    pub fn insert(&self, spki: &[u8], key: Arc<dyn PreparedKey>) {
        self.map.insert(Self::shard_of(spki), spki.into(), key);
    }

    /// Number of keys held.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hits and misses so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.map.hits.load(Ordering::Relaxed),
            misses: self.map.misses.load(Ordering::Relaxed),
        }
    }
}

/// Parsed intermediates, keyed by SHA-256 of their DER: a certificate is a pure function of its
/// bytes, so a hit is exactly what parsing again would give.
#[derive(Debug)]
pub(crate) struct CertCache {
    map: ClockMap<[u8; 32], Certificate>,
}

impl Default for CertCache {
    fn default() -> Self {
        CertCache {
            map: ClockMap::new(CERTS_BY_DEFAULT),
        }
    }
}

impl CertCache {
    /// The parsed certificate for `der`, parsing (and remembering) it if it is new.
    fn parse(&self, der: &[u8]) -> Result<Certificate, Error> {
        let key: [u8; 32] = Sha256::digest(der).into();
        if let Some(c) = self.map.get(usize::from(key[0]), &key) {
            return Ok(c);
        }
        let c = Certificate::from_der(der)?;
        self.map.insert(usize::from(key[0]), key, c.clone());
        Ok(c)
    }
}

impl Verifier {
    /// Verify a chain given as DER certificates, `chain[0]` the leaf and the rest candidate
    /// intermediates in any order. The size limit is checked before anything is parsed; each
    /// certificate is parsed once, and with the caches on an intermediate seen before (up to
    /// 256 of them) is not parsed again. Same verdicts as [`Verifier::verify`].
    ///
    /// # Errors
    /// A certificate that does not parse (`malformed`), too many certificates
    /// (`budget_exceeded`), or the verification's failure.
    pub fn verify_der(&self, chain: &[&[u8]], policy: &Policy) -> Result<VerifiedChain, Error> {
        // Byte-identical copies are dropped first: they add nothing, so they do not count.
        let mut seen = std::collections::HashSet::new();
        let chain: Vec<&[u8]> = chain.iter().copied().filter(|d| seen.insert(*d)).collect();
        if chain.len() > policy.limits.max_chain_certificates {
            return Err(Error::new(
                ErrorKind::BudgetExceeded,
                format!(
                    "the chain has {} different certificates, more than the limit of {}",
                    chain.len(),
                    policy.limits.max_chain_certificates
                ),
            ));
        }
        let (leaf, rest) = chain.split_first().ok_or_else(|| {
            Error::new(ErrorKind::InvalidArgument, "the chain holds no certificate")
        })?;
        let leaf = Certificate::from_der(leaf)?;
        let intermediates = rest
            .iter()
            .map(|der| match self.cert_cache() {
                Some(cache) => cache.parse(der),
                None => Certificate::from_der(der),
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.verify_leaf(&leaf, &intermediates, policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(i: u32) -> [u8; 32] {
        Sha256::digest(i.to_be_bytes()).into()
    }

    #[test]
    fn stays_bounded_and_keeps_hot_entries() {
        let c = SignatureCache::new(64);
        c.insert(k(0));
        for i in 1..10_000 {
            assert!(c.contains(&k(0)), "hot entry evicted at {i}");
            c.insert(k(i));
            assert!(c.len() <= 64);
        }
        assert!(c.contains(&k(9_999)));
        assert!(!c.contains(&k(1)));
        let s = c.stats();
        assert!(s.hits >= 9_999 && s.misses >= 1, "{s:?}");
        c.clear();
        assert!(c.is_empty());
    }

    #[test]
    fn zero_capacity_stores_nothing() {
        let c = SignatureCache::new(0);
        c.insert(k(1));
        assert!(!c.contains(&k(1)));
        assert!(c.is_empty());
    }

    #[test]
    fn key_binds_every_part() {
        let base = SignatureCache::key(b"spki", b"alg", b"sig", b"tbs");
        assert_ne!(base, SignatureCache::key(b"spkj", b"alg", b"sig", b"tbs"));
        assert_ne!(base, SignatureCache::key(b"spki", b"alh", b"sig", b"tbs"));
        assert_ne!(base, SignatureCache::key(b"spki", b"alg", b"sih", b"tbs"));
        assert_ne!(base, SignatureCache::key(b"spki", b"alg", b"sig", b"tbt"));
        // Moving bytes between parts changes the key (length prefixes).
        assert_ne!(base, SignatureCache::key(b"spkia", b"lg", b"sig", b"tbs"));
        assert_ne!(base, SignatureCache::key(b"spki", b"alg", b"sigt", b"bs"));
    }

    #[test]
    fn shared_between_threads() {
        let c = Arc::new(SignatureCache::new(4096));
        let handles: Vec<_> = (0..4u32)
            .map(|t| {
                let c = Arc::clone(&c);
                std::thread::spawn(move || {
                    for i in 0..1000 {
                        c.insert(k(t * 1000 + i));
                    }
                })
            })
            .collect();
        for h in handles {
            assert!(h.join().is_ok());
        }
        assert!(c.len() <= 4096 && c.len() > 3000, "{}", c.len());
    }
}
