//! The bundle reader (PEM with any number of blocks and text between them, or concatenated DER):
//! `Bundle::parse` and `Bundle::parse_allow_empty` on arbitrary bytes, and the same bytes as a
//! trust store (`TrustStore::from_pem`, which indexes anchors and parses them on first use).
#![no_main]

use certchain::{Bundle, Encoding, ErrorKind, TrustStore};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lenient = Bundle::parse_allow_empty(data, "fuzz");
    let strict = Bundle::parse(data, "fuzz");
    check_store(data, &strict);

    match &lenient {
        Ok(bundle) => {
            assert_eq!(bundle.certificates.len(), bundle.origins.len());
            for (i, origin) in bundle.origins.iter().enumerate() {
                assert_eq!(origin.index, i, "origins are numbered in input order");
            }
            match bundle.encoding {
                Encoding::Der => {
                    assert!(bundle.skipped.is_empty(), "DER has no skipped blocks");
                    assert!(bundle.origins.iter().all(|o| o.line == 0));
                    // DER is only chosen for input that starts like a certificate.
                    assert!(!bundle.certificates.is_empty());
                }
                Encoding::Pem => {
                    // Every block has a BEGIN line; blocks come in line order.
                    let mut lines: Vec<usize> = bundle.origins.iter().map(|o| o.line).collect();
                    assert!(lines.iter().all(|&l| l >= 1));
                    assert!(lines.windows(2).all(|w| w[0] < w[1]));
                    lines.extend(bundle.skipped.iter().map(|s| s.line));
                    lines.sort_unstable();
                    assert!(
                        lines.windows(2).all(|w| w[0] < w[1]),
                        "two blocks begin on one line"
                    );
                    for s in &bundle.skipped {
                        assert!(s.line >= 1);
                        // Only CRL blocks keep their DER (private keys never do).
                        assert!(
                            s.label == "X509 CRL" || s.der.is_empty(),
                            "{} kept",
                            s.label
                        );
                    }
                }
            }
            for cert in &bundle.certificates {
                // Every certificate read from a bundle is one DER certificate on its own.
                let again = certchain::Certificate::from_der(cert.der()).expect("re-parse");
                assert_eq!(&again, cert);
                let _ = cert.subject();
                let _ = cert.issuer();
            }
            // `parse` only adds the "no certificate" error.
            match &strict {
                Ok(b) => {
                    assert!(!bundle.certificates.is_empty());
                    assert_eq!(b.certificates, bundle.certificates);
                    assert_eq!(b.skipped, bundle.skipped);
                }
                Err(e) => {
                    assert!(bundle.certificates.is_empty());
                    assert_eq!(e.kind(), ErrorKind::Malformed);
                }
            }
        }
        Err(e) => {
            assert!(
                strict.is_err(),
                "parse accepted what parse_allow_empty refused"
            );
            assert_eq!(e.kind(), ErrorKind::Malformed);
            assert!(!e.message().is_empty());
            assert!(
                e.to_string().contains("fuzz"),
                "the error names the source: {e}"
            );
        }
    }
});

/// A lazily indexed store agrees with the eager bundle parse: it loads whenever the bundle parses
/// (and may load more, deferring a deep error to first use), every anchor that parses is found
/// by its subject and key identifier, and `parse_all` fails exactly when some anchor does not parse.
fn check_store(data: &[u8], strict: &Result<Bundle, certchain::Error>) {
    let store = TrustStore::from_pem(data, "fuzz");
    match (strict, &store) {
        (Ok(bundle), Ok(store)) => {
            // The key-identifier index built before any anchor is parsed (read from the DER)
            // finds what the parsed certificates say.
            let unparsed = TrustStore::from_pem(data, "fuzz").expect("loads as it did");
            for c in &bundle.certificates {
                if let Some(ski) = c.subject_key_id() {
                    assert!(unparsed.by_key_id(ski).any(|a| a == c));
                }
            }
            assert!(store.parse_all().is_ok(), "a parsed bundle's anchors parse");
            let anchors = store.anchors();
            assert_eq!(anchors.len(), store.len());
            assert!(store.len() <= bundle.certificates.len());
            for c in &bundle.certificates {
                assert!(store.contains(c));
                assert!(store.by_subject(c.subject_key()).any(|a| a == c));
                if let Some(ski) = c.subject_key_id() {
                    assert!(store.by_key_id(ski).any(|a| a == c));
                }
            }
        }
        (Ok(_), Err(e)) => panic!("the bundle parses but the store does not load: {e}"),
        (Err(_), Ok(store)) => {
            // Only a deep error (found when an anchor is parsed) may get this far.
            let e = store.parse_all().expect_err("the bundle did not parse");
            assert_eq!(e.kind(), ErrorKind::Malformed);
            assert!(e.message().starts_with("fuzz: "), "names the source: {e}");
            assert!(store.anchors().len() < store.len());
            assert!(!store.skipped().is_empty());
        }
        (Err(_), Err(e)) => {
            assert!(
                e.to_string().contains("fuzz"),
                "the error names the source: {e}"
            );
        }
    }
}
