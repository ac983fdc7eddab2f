//! certchain against rustls-webpki 0.103 (ring and aws-lc-rs) and OpenSSL, on the same chains,
//! the same trust store (the system bundle plus the benchmark roots) and the same time, in one
//! run. `benches/report.sh` runs this and writes BENCHMARKS.md.
//!
//! * `cold/CHAIN/APPROACH`: parse the presented chain from DER and verify it, every iteration;
//!   certchain with its caches off (`Verifier::without_cache`; trust-anchor keys are decoded
//!   once per store, as the store is long-lived).
//! * `warm/CHAIN/APPROACH`: a leaf not seen before under one intermediate, per iteration;
//!   certchain with its default caches, warmed with another leaf of the same intermediate (so
//!   the intermediate → root signature is a cache hit and the leaf's signature is not).
//! * `store/system/APPROACH`: build a trust store from the system bundle's PEM bytes.
//! * `hostile/...`: the leaf presented with 1,000 certificates that carry its issuer's subject
//!   and key identifier but another key, ahead of the real intermediate.
//! * `threads/CHAIN/N`: N threads sharing one store and verifier, time per verification.
//!
//! The aws-lc-rs rows of certchain need `--features aws-lc-rs`.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use certchain::crypto::{CryptoBackend, RustCrypto};
use certchain::{Certificate, Limits, Policy, ServerName, TrustStore, Verifier};
use common::Chain;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use openssl::stack::Stack;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::{X509StoreContext, X509VerifyResult, X509};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor, UnixTime};
use webpki::{anchor_from_trusted_cert, EndEntityCert, KeyUsage};

static RING_ALGS: &[&dyn SignatureVerificationAlgorithm] = &[
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512,
    webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::ring::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];

static AWS_ALGS: &[&dyn SignatureVerificationAlgorithm] = &[
    webpki::aws_lc_rs::ECDSA_P256_SHA256,
    webpki::aws_lc_rs::ECDSA_P256_SHA384,
    webpki::aws_lc_rs::ECDSA_P256_SHA512,
    webpki::aws_lc_rs::ECDSA_P384_SHA256,
    webpki::aws_lc_rs::ECDSA_P384_SHA384,
    webpki::aws_lc_rs::ECDSA_P384_SHA512,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA384,
    webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA512,
    webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
];

/// The certchain backends this build has: (row name, backend).
fn backends() -> Vec<(&'static str, Arc<dyn CryptoBackend>)> {
    #[allow(unused_mut)] // pushed to with the aws-lc-rs feature
    let mut v: Vec<(&'static str, Arc<dyn CryptoBackend>)> =
        vec![("certchain-rustcrypto", Arc::new(RustCrypto))];
    #[cfg(feature = "aws-lc-rs")]
    v.push(("certchain-awslc", Arc::new(certchain::crypto::AwsLc)));
    v
}

/// Everything the verifiers share.
struct World {
    chains: Vec<Chain>,
    store_pem: Vec<u8>,
    store: Arc<TrustStore>,
    anchors: Vec<TrustAnchor<'static>>,
    /// OpenSSL stores by host name (OpenSSL takes the host in the store's verify parameters).
    openssl: Vec<(&'static str, X509Store)>,
}

impl World {
    fn new() -> World {
        let mut chains: Vec<Chain> = common::generated()
            .into_iter()
            .map(|c| c.with_leaves(1000))
            .collect();
        chains.push(common::seed());
        let store_pem = common::store_pem(&chains);
        let store = Arc::new(TrustStore::from_pem(&store_pem, "store").expect("store"));
        World {
            anchors: webpki_anchors(&store_pem),
            openssl: [common::HOST, common::SEED_HOST]
                .into_iter()
                .map(|h| (h, openssl_store(&store_pem, Some(h))))
                .collect(),
            chains,
            store_pem,
            store,
        }
    }
}

fn webpki_anchors(pem: &[u8]) -> Vec<TrustAnchor<'static>> {
    CertificateDer::pem_slice_iter(pem)
        .filter_map(|c| c.ok())
        .filter_map(|c| anchor_from_trusted_cert(&c).ok().map(|a| a.to_owned()))
        .collect()
}

fn openssl_store(pem: &[u8], host: Option<&str>) -> X509Store {
    let mut b = X509StoreBuilder::new().expect("store");
    for c in X509::stack_from_pem(pem).expect("pem") {
        // Duplicates (none expected) are not an error worth stopping for.
        let _ = b.add_cert(c);
    }
    let mut param = openssl::x509::verify::X509VerifyParam::new().expect("param");
    param.set_time(common::TIME as _);
    if let Some(h) = host {
        param.set_host(h).expect("host");
    }
    b.set_param(&param).expect("param");
    b.build()
}

fn policy(host: &str) -> Policy {
    Policy::new(common::TIME).with_name(ServerName::parse(host).expect("host"))
}

/// certchain: parse the DER and verify (`verify_der`: with the caches on, an intermediate seen
/// before is not parsed again; with them off, every certificate is parsed every time).
fn certchain_verify(v: &Verifier, der: &[&[u8]], policy: &Policy) -> bool {
    v.verify_der(der, policy).is_ok()
}

/// rustls-webpki: parse the leaf, build and verify the path, check the name.
fn webpki_verify(
    algs: &[&dyn SignatureVerificationAlgorithm],
    anchors: &[TrustAnchor<'_>],
    der: &[&[u8]],
    host: &str,
) -> bool {
    let Some((leaf, rest)) = der.split_first() else {
        return false;
    };
    let leaf = CertificateDer::from(*leaf);
    let ints: Vec<CertificateDer<'_>> = rest.iter().map(|d| CertificateDer::from(*d)).collect();
    let Ok(ee) = EndEntityCert::try_from(&leaf) else {
        return false;
    };
    let time = UnixTime::since_unix_epoch(Duration::from_secs(common::TIME));
    let name = rustls_pki_types::ServerName::try_from(host).expect("host");
    ee.verify_for_usage(
        algs,
        anchors,
        &ints,
        time,
        KeyUsage::server_auth(),
        None,
        None,
    )
    .is_ok()
        && ee.verify_is_valid_for_subject_name(&name).is_ok()
}

/// OpenSSL: parse every certificate (X509::from_der), verify with the store's time and host.
fn openssl_verify(stores: &[(&str, X509Store)], der: &[&[u8]], host: &str) -> bool {
    let Some((_, store)) = stores.iter().find(|(h, _)| *h == host) else {
        return false;
    };
    let Some((leaf, rest)) = der.split_first() else {
        return false;
    };
    let Ok(leaf) = X509::from_der(leaf) else {
        return false;
    };
    let mut chain = Stack::new().expect("stack");
    for d in rest {
        if let Ok(c) = X509::from_der(d) {
            let _ = chain.push(c);
        }
    }
    let mut ctx = X509StoreContext::new().expect("ctx");
    ctx.init(store, &leaf, &chain, |c| {
        Ok(c.verify_cert()? && c.error() == X509VerifyResult::OK)
    })
    .unwrap_or(false)
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .without_plots()
}

/// Check every approach accepts every chain before timing anything.
fn sanity(w: &World) {
    for c in &w.chains {
        let der = c.presented();
        let p = policy(c.host);
        for (name, b) in backends() {
            let v = Verifier::with_backend(Arc::clone(&w.store), b);
            let certs: Vec<Certificate> = der
                .iter()
                .map(|d| Certificate::from_der(d).expect("parse"))
                .collect();
            if let Err(e) = v.verify(&certs, &p) {
                panic!("{name} rejects {}: {e}", c.name);
            }
        }
        assert!(
            webpki_verify(RING_ALGS, &w.anchors, &der, c.host),
            "webpki-ring {}",
            c.name
        );
        assert!(
            webpki_verify(AWS_ALGS, &w.anchors, &der, c.host),
            "webpki-awslc {}",
            c.name
        );
        assert!(
            openssl_verify(&w.openssl, &der, c.host),
            "openssl {}",
            c.name
        );
    }
}

fn cold(c: &mut Criterion, w: &World) {
    let mut g = c.benchmark_group("cold");
    for chain in &w.chains {
        let der = chain.presented();
        let p = policy(chain.host);
        for (name, b) in backends() {
            let v = Verifier::with_backend(Arc::clone(&w.store), b).without_cache();
            g.bench_function(BenchmarkId::new(chain.name, name), |bench| {
                bench.iter(|| assert!(certchain_verify(&v, &der, &p)))
            });
        }
        g.bench_function(BenchmarkId::new(chain.name, "webpki-ring"), |bench| {
            bench.iter(|| assert!(webpki_verify(RING_ALGS, &w.anchors, &der, chain.host)))
        });
        g.bench_function(BenchmarkId::new(chain.name, "webpki-awslc"), |bench| {
            bench.iter(|| assert!(webpki_verify(AWS_ALGS, &w.anchors, &der, chain.host)))
        });
        g.bench_function(BenchmarkId::new(chain.name, "openssl"), |bench| {
            bench.iter(|| assert!(openssl_verify(&w.openssl, &der, chain.host)))
        });
    }
    g.finish();
}

/// Time `total` verifications of leaves that are new to the verifier's caches, spread over
/// `threads` threads sharing one verifier: the leaves are used in cycles of 999; before each
/// cycle (untimed) a fresh verifier is made by `fresh` and warmed with leaf 0, so the
/// intermediate → root signature, the intermediate's key and its parsed form are cached, and no
/// timed leaf has been seen before. Returns the wall time of the timed part.
fn timed_leaves(
    chain: &Chain,
    total: u64,
    threads: usize,
    fresh: &(dyn Fn() -> Verifier + Sync),
    p: &Policy,
) -> Duration {
    let per_cycle = (chain.leaves.len() - 1) as u64;
    let mut left = total;
    let mut elapsed = Duration::ZERO;
    while left > 0 {
        let batch = left.min(per_cycle) as usize;
        let v = fresh();
        assert!(certchain_verify(&v, &[&chain.leaves[0], &chain.int], p));
        let start = Instant::now();
        std::thread::scope(|s| {
            for t in 0..threads {
                let v = &v;
                s.spawn(move || {
                    for i in (t..batch).step_by(threads) {
                        let leaf = &chain.leaves[1 + i];
                        assert!(certchain_verify(v, &[leaf, &chain.int], p));
                    }
                });
            }
        });
        elapsed += start.elapsed();
        left -= batch as u64;
    }
    elapsed
}

/// One iteration = a leaf not seen before, under the shared intermediate (1,000 leaves).
fn warm(c: &mut Criterion, w: &World) {
    let mut g = c.benchmark_group("warm");
    for chain in w.chains.iter().filter(|c| c.leaves.len() > 1) {
        let p = policy(chain.host);
        let n = chain.leaves.len();
        let run = |bench: &mut criterion::Bencher<'_>, f: &dyn Fn(&[&[u8]]) -> bool| {
            let mut i = 0usize;
            bench.iter(|| {
                i = (i + 1) % n;
                assert!(f(&[&chain.leaves[i], &chain.int]));
            })
        };
        for (name, b) in backends() {
            let fresh = || Verifier::with_backend(Arc::clone(&w.store), Arc::clone(&b));
            g.bench_function(BenchmarkId::new(chain.name, name), |bench| {
                bench.iter_custom(|iters| timed_leaves(chain, iters, 1, &fresh, &p))
            });
        }
        // The peers have no cache: cycling through the leaves is the same as new leaves.
        g.bench_function(BenchmarkId::new(chain.name, "webpki-ring"), |bench| {
            run(bench, &|der| {
                webpki_verify(RING_ALGS, &w.anchors, der, chain.host)
            })
        });
        g.bench_function(BenchmarkId::new(chain.name, "webpki-awslc"), |bench| {
            run(bench, &|der| {
                webpki_verify(AWS_ALGS, &w.anchors, der, chain.host)
            })
        });
        g.bench_function(BenchmarkId::new(chain.name, "openssl"), |bench| {
            run(bench, &|der| openssl_verify(&w.openssl, der, chain.host))
        });
    }
    g.finish();
}

fn store(c: &mut Criterion) {
    let pem = common::system_bundle();
    let mut g = c.benchmark_group("store");
    g.bench_function(BenchmarkId::new("system", "certchain"), |b| {
        b.iter(|| assert!(TrustStore::from_pem(&pem, "system").expect("store").len() > 100))
    });
    g.bench_function(BenchmarkId::new("system", "webpki"), |b| {
        b.iter(|| assert!(webpki_anchors(&pem).len() > 100))
    });
    g.bench_function(BenchmarkId::new("system", "openssl"), |b| {
        b.iter(|| openssl_store(&pem, None))
    });
    g.finish();
}

fn hostile(c: &mut Criterion, w: &World) {
    let Some(chain) = w.chains.iter().find(|c| c.name == "rsa2048") else {
        return;
    };
    let impostors = chain.impostors(1000);
    let mut der: Vec<&[u8]> = vec![&chain.leaves[0]];
    der.extend(impostors.iter().map(Vec::as_slice));
    der.push(&chain.int);
    let default_policy = policy(chain.host);
    // With the default limits the 1,001-certificate chain is refused for its size; with the
    // size and candidate-issuer limits raised, the signature budget (100 checks) is what stops
    // the search.
    let raised = policy(chain.host).with_limits(Limits {
        max_chain_certificates: 2000,
        max_issuer_candidates: 2000,
        ..Limits::default()
    });
    let mut g = c.benchmark_group("hostile");
    for (name, b) in backends() {
        let v = Verifier::with_backend(Arc::clone(&w.store), b);
        for (label, p) in [
            ("default-limits", &default_policy),
            ("signature-budget", &raised),
        ] {
            let certs: Vec<Certificate> = der
                .iter()
                .map(|d| Certificate::from_der(d).expect("parse"))
                .collect();
            let e = v
                .verify(&certs, p)
                .expect_err("hostile chain must not verify");
            eprintln!("hostile {name} {label}: {} ({})", e.kind(), e.message());
            g.bench_function(
                BenchmarkId::new(format!("rsa2048-{label}"), name),
                |bench| bench.iter(|| assert!(!certchain_verify(&v, &der, p))),
            );
        }
    }
    eprintln!(
        "hostile webpki-ring: {:?}",
        webpki_verify(RING_ALGS, &w.anchors, &der, chain.host)
    );
    g.bench_function(BenchmarkId::new("rsa2048", "webpki-ring"), |bench| {
        bench.iter(|| webpki_verify(RING_ALGS, &w.anchors, &der, chain.host))
    });
    g.bench_function(BenchmarkId::new("rsa2048", "webpki-awslc"), |bench| {
        bench.iter(|| webpki_verify(AWS_ALGS, &w.anchors, &der, chain.host))
    });
    g.bench_function(BenchmarkId::new("rsa2048", "openssl"), |bench| {
        bench.iter(|| openssl_verify(&w.openssl, &der, chain.host))
    });
    g.finish();
}

/// Time per verification with N threads sharing one verifier (so one store and one cache).
fn threads(c: &mut Criterion, w: &World) {
    let mut g = c.benchmark_group("threads");
    let Some(chain) = w.chains.iter().find(|c| c.name == "p256") else {
        return;
    };
    let p = policy(chain.host);
    // Control: the machine's own scaling on plain integer arithmetic (no shared data, no
    // allocation, no special instructions).
    for n in [1usize, 2] {
        g.bench_function(BenchmarkId::new("control-integer", n), |bench| {
            bench.iter_custom(|iters| {
                let start = Instant::now();
                std::thread::scope(|s| {
                    for t in 0..n {
                        s.spawn(move || {
                            let mut x = 0x9E37_79B9_7F4A_7C15u64 ^ t as u64;
                            for _ in 0..iters * 1000 {
                                x ^= x << 13;
                                x ^= x >> 7;
                                x ^= x << 17;
                                x = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
                            }
                            std::hint::black_box(x);
                        });
                    }
                });
                start.elapsed()
            })
        });
    }
    for (mode, cached) in [("cold", false), ("warm", true)] {
        let fresh = || {
            let v = Verifier::new(Arc::clone(&w.store));
            if cached {
                v
            } else {
                v.without_cache()
            }
        };
        for n in [1usize, 2] {
            g.bench_function(BenchmarkId::new(format!("p256-{mode}"), n), |bench| {
                // Wall time per verification: iters x n leaves, returned per iteration of n.
                bench.iter_custom(|iters| {
                    timed_leaves(chain, iters * n as u64, n, &fresh, &p) / n as u32
                })
            });
        }
    }
    g.finish();
}

fn benches(c: &mut Criterion) {
    let w = World::new();
    sanity(&w);
    eprintln!(
        "store: {} anchors ({} bytes of PEM)",
        w.store.len(),
        w.store_pem.len()
    );
    store(c);
    cold(c, &w);
    warm(c, &w);
    hostile(c, &w);
    threads(c, &w);
}

criterion_group! {
    name = group;
    config = config();
    targets = benches
}
criterion_main!(group);
