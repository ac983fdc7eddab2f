//! Peak-memory probe for rustls-webpki 0.103 + ring: `rss_webpki ROOTS.pem CHAIN.pem HOST
//! UNIX_TIME` loads the anchors, verifies the chain once and exits (0 = verified).

use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use webpki::{anchor_from_trusted_cert, EndEntityCert, KeyUsage};

/// ring only (with both webpki features on, `ALL_VERIFICATION_ALGS` would link aws-lc-rs too).
static RING_ALGS: &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] = &[
    webpki::ring::ECDSA_P256_SHA256,
    webpki::ring::ECDSA_P256_SHA384,
    webpki::ring::ECDSA_P384_SHA256,
    webpki::ring::ECDSA_P384_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    webpki::ring::RSA_PKCS1_2048_8192_SHA384,
    webpki::ring::RSA_PKCS1_2048_8192_SHA512,
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, roots, chain, host, time] = args.as_slice() else {
        eprintln!("usage: rss_webpki ROOTS.pem CHAIN.pem HOST UNIX_TIME");
        std::process::exit(2);
    };
    let read = |p: &str| std::fs::read(p).unwrap_or_else(|e| panic!("{p}: {e}"));
    let roots = read(roots);
    let anchors: Vec<_> = CertificateDer::pem_slice_iter(&roots)
        .filter_map(|c| c.ok())
        .filter_map(|c| anchor_from_trusted_cert(&c).ok().map(|a| a.to_owned()))
        .collect();
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&read(chain))
        .filter_map(|c| c.ok())
        .collect();
    let Some((leaf, ints)) = chain.split_first() else {
        std::process::exit(2);
    };
    let time = UnixTime::since_unix_epoch(Duration::from_secs(time.parse().unwrap_or(0)));
    let ok = EndEntityCert::try_from(leaf).is_ok_and(|ee| {
        ee.verify_for_usage(
            RING_ALGS,
            &anchors,
            ints,
            time,
            KeyUsage::server_auth(),
            None,
            None,
        )
        .is_ok()
            && ServerName::try_from(host.as_str())
                .is_ok_and(|n| ee.verify_is_valid_for_subject_name(&n).is_ok())
    });
    std::process::exit(if ok { 0 } else { 1 });
}
