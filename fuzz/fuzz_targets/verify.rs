//! Whole verification: the fuzzed bytes are read as a bundle (PEM or DER; `X509 CRL` blocks in it
//! become the policy's CRLs) and verified against a fixed trust store (the fixtures' roots and the
//! limbo roots in fuzz/store/) at fixed times, without and with a host name, then again through
//! `Verifier::verify_der`.
#![no_main]

use std::sync::{Arc, OnceLock};

use certchain::{
    covers_name, AltName, Bundle, Certificate, Crl, Error, ErrorKind, Policy, Profile, Purpose,
    ServerName, TrustStore, VerifiedChain, Verifier,
};
use libfuzzer_sys::fuzz_target;

/// 2025-06-01T00:00:00Z, the fixtures' verification time.
const FIXTURES_TIME: u64 = 1_748_736_000;
/// 2021-03-14T02:38:27Z, when the Let's Encrypt 2021 chain was valid.
const LETSENCRYPT_TIME: u64 = 1_615_689_507;

const ROOTS: &[(&str, &[u8])] = &[
    ("rsa", include_bytes!("../../fixtures/rsa/root.pem")),
    ("ecdsa", include_bytes!("../../fixtures/ecdsa/root.pem")),
    ("rsa-pss", include_bytes!("../../fixtures/rsa-pss/root.pem")),
    ("not-ca", include_bytes!("../../fixtures/not-ca/root.pem")),
    ("pathlen", include_bytes!("../../fixtures/pathlen/root.pem")),
    (
        "expired-int",
        include_bytes!("../../fixtures/expired-intermediate/root.pem"),
    ),
    (
        "missing-int",
        include_bytes!("../../fixtures/missing-intermediate/root.pem"),
    ),
    (
        "cross-signed",
        include_bytes!("../../fixtures/cross-signed/roots.pem"),
    ),
    (
        "rsa1024",
        include_bytes!("../../fixtures/weak/rsa1024/root.pem"),
    ),
    ("sha1", include_bytes!("../../fixtures/weak/sha1/root.pem")),
    ("crl", include_bytes!("../../fixtures/crl/root.pem")),
    (
        "dst-x3",
        include_bytes!("../../fixtures/letsencrypt-2021/dst-root-ca-x3.pem"),
    ),
    ("limbo", include_bytes!("../store/limbo-roots.pem")),
];

fn store() -> &'static Arc<TrustStore> {
    static STORE: OnceLock<Arc<TrustStore>> = OnceLock::new();
    STORE.get_or_init(|| {
        let mut store = TrustStore::new();
        for (name, pem) in ROOTS {
            let bundle = Bundle::parse(pem, name).expect("a fixed root bundle");
            for root in bundle.certificates {
                // One anchor per subject: most limbo roots are named `x509-limbo-root`, and ~150
                // candidates of one name would spend the signature budget on every input (an
                // execution per second); one per name keeps whole paths reachable at speed.
                if store.by_subject(root.subject_key()).next().is_none() {
                    store.add(root);
                }
            }
        }
        Arc::new(store)
    })
}

/// What must hold of any verdict on `chain` under `policy`.
fn check(chain: &[Certificate], policy: &Policy, verdict: &Result<VerifiedChain, Error>) {
    let leaf = &chain[0];
    match verdict {
        Ok(v) => {
            assert!(!v.is_empty() && v.len() == v.entries().len());
            let entries = v.entries();
            assert_eq!(&entries[0].certificate, leaf, "the path starts at the leaf");
            let last = entries.last().unwrap();
            assert!(last.trust_anchor, "the path ends at a trust anchor");
            assert!(
                store().contains(&last.certificate),
                "the anchor is in the store"
            );
            assert_eq!(v.anchor(), Some(&last.certificate));
            assert!(
                entries[..entries.len() - 1].iter().all(|e| !e.trust_anchor),
                "only the last entry is a trust anchor"
            );
            assert!(
                entries.iter().all(|e| e.errors.is_empty()),
                "a verified path has no problems"
            );
            assert!(
                v.len() <= policy.limits.max_intermediates + 2,
                "{} certificates",
                v.len()
            );
            for pair in entries.windows(2) {
                assert_eq!(
                    pair[0].certificate.issuer_key(),
                    pair[1].certificate.subject_key(),
                    "each certificate is issued by the next"
                );
            }
            for e in entries {
                let c = &e.certificate;
                assert!(
                    c.not_before() <= policy.time && policy.time <= c.not_after(),
                    "{} is not valid at {}",
                    c.subject(),
                    policy.time
                );
                // A presented certificate or an anchor, nothing else.
                assert!(e.trust_anchor || chain.contains(c));
            }
            if let (Some(name), Profile::WebPki) = (&policy.name, policy.profile) {
                assert!(covers_name(leaf, name), "the leaf does not cover {name}");
            }
        }
        Err(e) => {
            assert!(
                !e.message().is_empty(),
                "an error without a message: {:?}",
                e.kind()
            );
            assert!(ErrorKind::from_code(e.code()) == Some(e.kind()));
            let path = e.path();
            if let Some(first) = path.first() {
                assert_eq!(&first.certificate, leaf, "the best path starts at the leaf");
                assert!(path[..path.len() - 1].iter().all(|x| !x.trust_anchor));
            }
            let _ = e.to_string();
        }
    }
}

fn host_for(leaf: &Certificate) -> ServerName {
    leaf.subject_alt_names()
        .unwrap_or_default()
        .iter()
        .find_map(|san| match san {
            AltName::Dns(d) => ServerName::parse(d.strip_prefix("*.").unwrap_or(d)).ok(),
            AltName::Ip(b) if b.len() == 4 || b.len() == 16 => ServerName::parse(&san.value()).ok(),
            _ => None,
        })
        .unwrap_or_else(|| ServerName::parse("example.com").unwrap())
}

fuzz_target!(|data: &[u8]| {
    let Ok(bundle) = Bundle::parse(data, "fuzz") else {
        return;
    };
    let chain = &bundle.certificates;
    let crls: Vec<Crl> = bundle
        .skipped
        .iter()
        .filter(|b| b.label == "X509 CRL")
        .filter_map(|b| Crl::from_der(&b.der, "fuzz").ok())
        .collect();
    let verifier = Verifier::new(store().clone());

    // At the fixtures' time, no host name, with the bundle's CRLs.
    let plain = Policy::new(FIXTURES_TIME).with_crls(crls.clone());
    let first = verifier.verify(chain, &plain);
    check(chain, &plain, &first);

    // At the Let's Encrypt time, with a host name the leaf names (or example.com); the input's
    // length picks the profile and purpose so both are explored.
    let named = Policy::new(LETSENCRYPT_TIME)
        .with_name(host_for(&chain[0]))
        .with_crls(crls)
        .with_profile(if data.len().is_multiple_of(2) {
            Profile::WebPki
        } else {
            Profile::Rfc5280
        })
        .with_purpose(if data.len().is_multiple_of(3) {
            Purpose::Any
        } else {
            Purpose::ServerAuth
        });
    let second = verifier.verify(chain, &named);
    check(chain, &named, &second);

    // The DER entry point reaches the same verdict (the caches are warm now, so a run that hit
    // the signature budget may not hit it again: those are not compared).
    let ders: Vec<&[u8]> = chain.iter().map(Certificate::der).collect();
    let again = verifier.verify_der(&ders, &plain);
    check(chain, &plain, &again);
    let budget = |r: &Result<VerifiedChain, Error>| matches!(r, Err(e) if e.kind() == ErrorKind::BudgetExceeded);
    if !budget(&first) && !budget(&again) {
        assert_eq!(
            first.as_ref().map(|v| v.len()).map_err(|e| e.kind()),
            again.as_ref().map(|v| v.len()).map_err(|e| e.kind()),
            "verify and verify_der disagree"
        );
    }
});
