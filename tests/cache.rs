//! The caches never change a verdict: every golden case gives the same story with the caches
//! off, on and cold, on and warm (run twice), and through one verifier shared by all cases (and
//! with each crypto backend built in); and an altered TBS or signature byte misses the cache.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use certchain::crypto::{CryptoBackend, RustCrypto};
use certchain::{
    parse_time, Bundle, Certificate, ErrorKind, Limits, Policy, Purpose, ServerName, TrustStore,
    Verifier,
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn certs(path: &str) -> Vec<Certificate> {
    let bytes = std::fs::read(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    Bundle::parse(&bytes, path)
        .unwrap_or_else(|e| panic!("{e}"))
        .certificates
}

fn store(spec: &str) -> TrustStore {
    match spec {
        "mozilla" => TrustStore::mozilla(),
        path => TrustStore::from_file(&root().join(path)).unwrap_or_else(|e| panic!("{e}")),
    }
}

/// One golden case: its trust store, presented chain and policy.
struct Case {
    name: String,
    store: Arc<TrustStore>,
    chain: Vec<Certificate>,
    policy: Policy,
}

fn case(file: &Path) -> Case {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
    let head = text.split("expected:").next().unwrap_or_default();
    let (mut roots, mut chain, mut untrusted) = (None, None, Vec::new());
    let mut policy = Policy::new(0);
    for line in head.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let v = v.trim();
        match k {
            "roots" => roots = Some(v.to_string()),
            "chain" => chain = Some(v.to_string()),
            "untrusted" => untrusted.push(v.to_string()),
            "time" => policy.time = parse_time(v).unwrap_or_else(|| panic!("time {v}")),
            "host" => policy.name = Some(ServerName::parse(v).unwrap_or_else(|e| panic!("{e}"))),
            "purpose" => {
                policy.purpose = match v {
                    "client" => Purpose::ClientAuth,
                    "any" => Purpose::Any,
                    _ => Purpose::ServerAuth,
                }
            }
            "max-depth" => {
                policy.limits = Limits {
                    max_intermediates: v.parse().unwrap_or_else(|e| panic!("{e}")),
                    ..policy.limits
                }
            }
            _ => {}
        }
    }
    let mut certs = certs(&chain.unwrap_or_else(|| panic!("{}: no chain", file.display())));
    for u in untrusted {
        certs.extend(self::certs(&u));
    }
    Case {
        name: file.display().to_string(),
        store: Arc::new(store(&roots.unwrap_or_else(|| panic!("no roots")))),
        chain: certs,
        policy,
    }
}

fn cases() -> Vec<Case> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/golden"))
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    files.sort();
    assert!(files.len() > 20, "golden cases: {}", files.len());
    files.iter().map(|f| case(f)).collect()
}

/// The whole story of a verification: the verdict, and each depth's errors.
fn story(v: &Verifier, c: &Case) -> String {
    match v.verify(&c.chain, &c.policy) {
        Ok(chain) => format!(
            "OK {:?}",
            chain
                .certificates()
                .map(|x| x.subject().to_string())
                .collect::<Vec<_>>()
        ),
        Err(e) => format!(
            "{} at {:?}: {} | {:?}",
            e.kind(),
            e.depth(),
            e.message(),
            e.path()
                .iter()
                .map(|d| (
                    d.certificate.subject().to_string(),
                    d.errors.iter().map(|x| x.kind).collect::<Vec<_>>()
                ))
                .collect::<Vec<_>>()
        ),
    }
}

fn backends() -> Vec<Arc<dyn CryptoBackend>> {
    #[allow(unused_mut)]
    let mut v: Vec<Arc<dyn CryptoBackend>> = vec![Arc::new(RustCrypto)];
    #[cfg(feature = "aws-lc-rs")]
    v.push(Arc::new(certchain::crypto::AwsLc));
    v
}

#[test]
fn caches_never_change_a_verdict() {
    let cases = cases();
    for backend in backends() {
        // One verifier per store would share nothing across stores; one cache shared by every
        // case checks that entries from one case never answer for another.
        for c in &cases {
            let plain =
                Verifier::with_backend(Arc::clone(&c.store), Arc::clone(&backend)).without_cache();
            let want = story(&plain, c);
            let cached = Verifier::with_backend(Arc::clone(&c.store), Arc::clone(&backend));
            assert_eq!(story(&cached, c), want, "{} cold cache", c.name);
            assert_eq!(story(&cached, c), want, "{} warm cache", c.name);
            assert_eq!(story(&cached.clone(), c), want, "{} clone", c.name);
        }
        // The same verifier (so the same caches) for every case of one store, in both orders.
        let mut by_store: Vec<(&Case, Verifier)> = Vec::new();
        for c in &cases {
            let v = by_store
                .iter()
                .find(|(o, _)| Arc::ptr_eq(&o.store, &c.store))
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| {
                    Verifier::with_backend(Arc::clone(&c.store), Arc::clone(&backend))
                });
            by_store.push((c, v));
        }
        for (c, v) in by_store.iter().chain(by_store.iter().rev()) {
            let plain =
                Verifier::with_backend(Arc::clone(&c.store), Arc::clone(&backend)).without_cache();
            assert_eq!(story(v, c), story(&plain, c), "{} shared", c.name);
        }
    }
}

/// Flip one byte of `der` at `at`, and parse it again.
fn altered(cert: &Certificate, at: usize) -> Certificate {
    let mut der = cert.der().to_vec();
    der[at] ^= 0x01;
    Certificate::from_der(&der).unwrap_or_else(|e| panic!("still parses: {e}"))
}

/// The offset of the last serial-number byte in the DER (inside the TBS, harmless to flip):
/// `30 82 LL LL` (certificate) `30 82 LL LL` (TBS) `A0 03 02 01 02` (v3) `02 LEN serial...`.
fn serial_offset(cert: &Certificate) -> usize {
    let der = cert.der();
    assert_eq!(
        &der[8..13],
        &[0xa0, 0x03, 0x02, 0x01, 0x02],
        "v3 certificate, long lengths"
    );
    assert_eq!(der[13], 0x02, "serial INTEGER");
    let len = usize::from(der[14]);
    assert!(len < 0x80 && len == cert.serial().len());
    15 + len - 1
}

#[test]
fn altered_tbs_or_signature_misses_the_cache() {
    for backend in backends() {
        for (roots, chain, time) in [
            (
                "fixtures/rsa/root.pem",
                "fixtures/rsa/chain.pem",
                1_748_736_000,
            ),
            (
                "fixtures/ecdsa/root.pem",
                "fixtures/ecdsa/chain.pem",
                1_748_736_000,
            ),
        ] {
            let store = Arc::new(store(roots));
            let chain = certs(chain);
            let policy = Policy::new(time);
            let v = Verifier::with_backend(store, Arc::clone(&backend));
            assert!(v.verify(&chain, &policy).is_ok());
            assert!(v.verify(&chain, &policy).is_ok());
            let cache = v.signature_cache().unwrap_or_else(|| panic!("cache on"));
            let before = cache.stats();
            assert!(before.hits >= 2, "{before:?}");
            assert_eq!(cache.len(), 2);

            let leaf = &chain[0];
            let int = &chain[1];
            let last = leaf.der().len() - 1;
            for (what, bad) in [
                (
                    "leaf TBS",
                    vec![altered(leaf, serial_offset(leaf)), int.clone()],
                ),
                ("leaf signature", vec![altered(leaf, last), int.clone()]),
                (
                    "intermediate TBS",
                    vec![leaf.clone(), altered(int, serial_offset(int))],
                ),
                (
                    "intermediate signature",
                    vec![leaf.clone(), altered(int, int.der().len() - 1)],
                ),
            ] {
                let misses = cache.stats().misses;
                let e = v
                    .verify(&bad, &policy)
                    .expect_err("an altered certificate must not verify");
                assert_eq!(e.kind(), ErrorKind::BadSignature, "{what}: {e}");
                assert!(cache.stats().misses > misses, "{what} missed the cache");
                assert_eq!(cache.len(), 2, "{what}: failures are not cached");
            }
            // The good chain still verifies from the cache.
            assert!(v.verify(&chain, &policy).is_ok());
        }
    }
}

/// ECDSA keys that verify again and again (the anchor kept by the store; the intermediate in the
/// key cache) switch to precomputed tables after a few uses: before and after, a good chain
/// verifies and every altered leaf or intermediate is a bad signature.
#[test]
fn keys_used_again_and_again_keep_their_verdicts() {
    for backend in backends() {
        let store = Arc::new(store("fixtures/ecdsa/root.pem"));
        let chain = certs("fixtures/ecdsa/chain.pem");
        let policy = Policy::new(1_748_736_000);
        let (leaf, int) = (&chain[0], &chain[1]);
        let bad = [
            vec![altered(leaf, serial_offset(leaf)), int.clone()],
            vec![altered(leaf, leaf.der().len() - 1), int.clone()],
            vec![leaf.clone(), altered(int, serial_offset(int))],
            vec![leaf.clone(), altered(int, int.der().len() - 1)],
        ];
        for v in [
            Verifier::with_backend(Arc::clone(&store), Arc::clone(&backend)).without_cache(),
            Verifier::with_backend(Arc::clone(&store), Arc::clone(&backend)),
        ] {
            for round in 0..10 {
                let ok = v.verify(&chain, &policy);
                assert!(ok.is_ok(), "{} round {round}: {ok:?}", backend.name());
                for (i, bad) in bad.iter().enumerate() {
                    let e = v.verify(bad, &policy).expect_err("altered");
                    assert_eq!(e.kind(), ErrorKind::BadSignature, "round {round}, case {i}");
                }
            }
        }
    }
}

#[test]
fn cache_hits_spend_the_signature_budget_like_checks() {
    // Two candidate intermediates, neither reaching the store: with a budget of one check the
    // search stops with budget_exceeded, whether their signatures are cached or not.
    let chain = certs("fixtures/cross-signed/chain.pem");
    let v = Verifier::new(Arc::new(store("fixtures/rsa/root.pem")));
    let open = Policy::new(1_748_736_000);
    let tight = Policy::new(1_748_736_000).with_limits(Limits {
        max_signature_checks: 1,
        ..Limits::default()
    });
    for _ in 0..2 {
        let e = v.verify(&chain, &open).expect_err("unrelated store");
        assert_eq!(e.kind(), ErrorKind::UnknownIssuer);
        let e = v.verify(&chain, &tight).expect_err("budget");
        assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    }
    assert!(v.signature_cache().is_some_and(|c| c.stats().hits > 0));
}

#[test]
fn verify_der_agrees_with_verify() {
    for c in cases() {
        let der: Vec<&[u8]> = c.chain.iter().map(Certificate::der).collect();
        let v = Verifier::new(Arc::clone(&c.store));
        let want = story(&v.clone().without_cache(), &c);
        for v in [
            v.clone(),
            v,
            Verifier::new(Arc::clone(&c.store)).without_cache(),
        ] {
            for _ in 0..2 {
                let got = match v.verify_der(&der, &c.policy) {
                    Ok(_) => None,
                    Err(e) => Some((e.kind(), e.depth())),
                };
                let plain = match v.verify(&c.chain, &c.policy) {
                    Ok(_) => None,
                    Err(e) => Some((e.kind(), e.depth())),
                };
                assert_eq!(got, plain, "{}", c.name);
                assert_eq!(got.is_none(), want.starts_with("OK"), "{}", c.name);
            }
        }
    }
}

#[test]
fn verify_der_checks_the_size_before_parsing() {
    let v = Verifier::new(Arc::new(store("fixtures/rsa/root.pem")));
    let owned: Vec<Vec<u8>> = (0..300)
        .map(|i| format!("not a certificate {i}").into_bytes())
        .collect();
    let junk: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
    let e = v
        .verify_der(&junk, &Policy::new(1_748_736_000))
        .expect_err("too many");
    assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    assert_eq!(
        e.message(),
        "the chain has 300 different certificates, more than the limit of 256"
    );
    // Byte-identical copies count once: 300 copies of one junk block are judged as one.
    let copies = vec![&b"not a certificate"[..]; 300];
    let e = v
        .verify_der(&copies, &Policy::new(1_748_736_000))
        .expect_err("junk");
    assert_eq!(e.kind(), ErrorKind::Malformed);
    let e = v
        .verify_der(&junk[..2], &Policy::new(1_748_736_000))
        .expect_err("junk");
    assert_eq!(e.kind(), ErrorKind::Malformed);
    let e = v
        .verify_der(&[], &Policy::new(1_748_736_000))
        .expect_err("empty");
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn eight_threads_sharing_one_store_and_a_churning_cache_agree_with_one_thread() {
    // Per trust store, one verifier (one store, one signature cache of 16 entries, smaller than
    // the working set, so entries are evicted and re-added all along) shared by 8 threads, each
    // running every case of that store in its own rotated order, 25 rounds. Every story must be
    // the one a fresh single-threaded verifier without caches tells.
    let cases = cases();
    let want: Vec<String> = cases
        .iter()
        .map(|c| story(&Verifier::new(Arc::clone(&c.store)).without_cache(), c))
        .collect();
    let mut shared: Vec<Verifier> = Vec::new();
    let verifier_of: Vec<usize> = cases
        .iter()
        .map(|c| {
            if let Some(i) = shared.iter().position(|v| Arc::ptr_eq(v.store(), &c.store)) {
                return i;
            }
            shared.push(
                Verifier::new(Arc::clone(&c.store)).with_cache(certchain::SignatureCache::new(16)),
            );
            shared.len() - 1
        })
        .collect();
    let total = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..8 {
            let (cases, want, shared, verifier_of, total) =
                (&cases, &want, &shared, &verifier_of, &total);
            s.spawn(move || {
                for round in 0..25 {
                    for k in 0..cases.len() {
                        let i = (k + t * 7 + round) % cases.len();
                        let got = story(&shared[verifier_of[i]], &cases[i]);
                        assert_eq!(got, want[i], "thread {t} round {round}: {}", cases[i].name);
                        total.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert_eq!(
        total.load(std::sync::atomic::Ordering::Relaxed),
        8 * 25 * cases.len()
    );
    // The caches did churn: some lookups missed after the first round had filled them.
    let misses: u64 = shared
        .iter()
        .filter_map(|v| v.signature_cache().map(|c| c.stats().misses))
        .sum();
    let hits: u64 = shared
        .iter()
        .filter_map(|v| v.signature_cache().map(|c| c.stats().hits))
        .sum();
    assert!(hits > 0 && misses > 0, "hits {hits} misses {misses}");
}
