//! The bundle reader (PEM with any number of blocks and text between them, or concatenated DER):
//! `Bundle::parse` and `Bundle::parse_allow_empty` on arbitrary bytes.
#![no_main]

use certchain::{Bundle, Encoding, ErrorKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lenient = Bundle::parse_allow_empty(data, "fuzz");
    let strict = Bundle::parse(data, "fuzz");

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
