//! CRL parsing: `Crl::from_der` and `Crl::parse_bundle` on arbitrary bytes; a CRL that parses is
//! then used to check a fixed good chain (fixtures/crl), which it may only revoke or make
//! "revocation unknown".
#![no_main]

use std::sync::{Arc, OnceLock};

use certchain::{Bundle, Certificate, Crl, ErrorKind, Policy, TrustStore, Verifier};
use libfuzzer_sys::fuzz_target;

const TIME: u64 = 1_748_736_000;

fn fixture() -> &'static (Verifier, Vec<Certificate>) {
    static FIXTURE: OnceLock<(Verifier, Vec<Certificate>)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let store = TrustStore::from_pem(include_bytes!("../../fixtures/crl/root.pem"), "root")
            .expect("crl root");
        let chain = Bundle::parse(include_bytes!("../../fixtures/crl/good-chain.pem"), "chain")
            .expect("good chain")
            .certificates;
        let verifier = Verifier::new(Arc::new(store));
        verifier
            .verify(&chain, &Policy::new(TIME))
            .expect("the good chain verifies without CRLs");
        (verifier, chain)
    })
}

fuzz_target!(|data: &[u8]| {
    let one = Crl::from_der(data, "fuzz");
    let all = Crl::parse_bundle(data, "fuzz");
    if data.first() == Some(&0x30) {
        // DER input: parse_bundle is from_der.
        match (&one, &all) {
            (Ok(c), Ok(v)) => assert_eq!(v.as_slice(), std::slice::from_ref(c)),
            (Err(a), Err(b)) => assert_eq!(a.message(), b.message()),
            _ => panic!("from_der and parse_bundle disagree on DER input"),
        }
    }
    for r in [&one]
        .into_iter()
        .map(|r| r.as_ref().map(std::slice::from_ref))
        .chain([all.as_ref().map(Vec::as_slice)])
    {
        match r {
            Ok(crls) => {
                assert!(!crls.is_empty());
                for c in crls {
                    let _ = (c.issuer(), c.this_update(), c.next_update());
                    assert!(c.source().starts_with("fuzz"));
                    assert!(!c.der().is_empty());
                }
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Malformed, "{e}");
                assert!(
                    e.message().contains("fuzz"),
                    "the error names the source: {e}"
                );
            }
        }
    }
    if let Ok(c) = &one {
        assert_eq!(c.der(), data);
    }

    // A CRL can only take a good chain from valid to revoked or revocation-unknown.
    let crls: Vec<Crl> = one.into_iter().chain(all.into_iter().flatten()).collect();
    if crls.is_empty() {
        return;
    }
    let (verifier, chain) = fixture();
    let policy = Policy::new(TIME).with_crls(crls);
    if let Err(e) = verifier.verify(chain, &policy) {
        assert!(
            matches!(e.kind(), ErrorKind::Revoked | ErrorKind::RevocationUnknown),
            "a CRL made the good chain fail with {e}"
        );
    }
});
