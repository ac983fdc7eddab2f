//! Trust anchors are indexed when a bundle is loaded and parsed on first use: what that means for
//! a broken anchor (library, CLI, C API) and that a lazily loaded store verifies like an eager one.

use std::sync::Arc;

use assert_cmd::Command;
use certchain::{Bundle, Certificate, ErrorKind, Policy, ServerName, TrustStore, Verifier};

const RSA_TIME: u64 = 1_748_736_000; // 2025-06-01, inside the rsa/ fixtures' windows

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn pem(der: &[u8]) -> Vec<u8> {
    pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, der)
        .expect("pem")
        .into_bytes()
}

fn rsa_root_der() -> Vec<u8> {
    Bundle::parse(&fixture("rsa/root.pem"), "root")
        .unwrap()
        .certificates[0]
        .der()
        .to_vec()
}

/// The rsa/ root with the BOOLEAN inside its basicConstraints value retagged as an OCTET STRING:
/// every TLV is still well formed (so the store indexes it), but the extension does not decode.
fn broken_root_pem() -> Vec<u8> {
    let mut der = rsa_root_der();
    let needle = [0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff];
    let at = der
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the root's basicConstraints cA=TRUE value");
    der[at + 4] = 0x04;
    assert!(Certificate::from_der(&der).is_err());
    pem(&der)
}

fn rsa_chain() -> Vec<Certificate> {
    Bundle::parse(&fixture("rsa/chain.pem"), "chain")
        .unwrap()
        .certificates
}

fn policy() -> Policy {
    Policy::new(RSA_TIME).with_name(ServerName::parse("rsa.example.test").unwrap())
}

#[test]
fn a_lazily_loaded_store_verifies_like_an_eager_one() {
    let lazy = TrustStore::from_pem(&fixture("rsa/root.pem"), "root.pem").unwrap();
    let mut eager = TrustStore::new();
    assert!(eager.add(Certificate::from_der(&rsa_root_der()).unwrap()));
    let subjects = |store: TrustStore| -> Vec<String> {
        Verifier::new(Arc::new(store))
            .verify(&rsa_chain(), &policy())
            .expect("verifies")
            .certificates()
            .map(|c| c.subject().to_string())
            .collect()
    };
    let want = [
        "CN=rsa.example.test",
        "CN=Certchain Test RSA Intermediate",
        "CN=Certchain Test RSA Root,O=certchain tests",
    ];
    assert_eq!(subjects(lazy), want);
    assert_eq!(subjects(eager), want);
}

#[test]
fn a_broken_anchor_loads_and_is_named_when_used() {
    let store = Arc::new(TrustStore::from_pem(&broken_root_pem(), "roots.pem").expect("indexed"));
    assert_eq!(store.len(), 1);
    assert!(store.skipped().is_empty(), "{:?}", store.skipped());

    // Verification names the anchor that does not parse, at the depth whose issuer it is.
    let e = Verifier::new(Arc::clone(&store))
        .verify(&rsa_chain(), &policy())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownIssuer, "{e}");
    assert_eq!(e.depth(), Some(1), "{e}");
    assert!(
        e.message()
            .contains("is in the trust store, but that trust anchor does not parse: roots.pem: line 1: certificate 1 (block 1): extension id-ce-basicConstraints"),
        "{e}"
    );
    // Now it is among the unusable ones, and it is no anchor.
    assert_eq!(store.skipped().len(), 1, "{:?}", store.skipped());
    assert!(store.anchors().is_empty());

    // parse_all makes it a load error, as the CLI and the C API do.
    let e = TrustStore::from_pem(&broken_root_pem(), "roots.pem")
        .unwrap()
        .parse_all()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed);
    assert!(
        e.message().starts_with(
            "roots.pem: line 1: certificate 1 (block 1): extension id-ce-basicConstraints"
        ),
        "{e}"
    );
}

#[test]
fn a_structurally_broken_anchor_is_still_a_load_error() {
    let der = rsa_root_der();
    // truncated; with bytes after it; not a certificate at all
    let mut trailing = der.clone();
    trailing.extend_from_slice(&[0x05, 0x00]);
    for (bad, says) in [
        (der[..200].to_vec(), "truncated"),
        (trailing, "trailing data"),
        (vec![0x30, 0x03, 0x02, 0x01, 0x05], "truncated or not DER"),
    ] {
        let e = TrustStore::from_pem(&pem(&bad), "roots.pem").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{e}");
        assert!(
            e.message()
                .starts_with("roots.pem: line 1: certificate 1 (block 1): "),
            "{e}"
        );
        assert!(e.message().contains(says), "{says}: {e}");
    }
}

#[test]
fn the_cli_refuses_a_broken_anchor_when_loading() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp/lazy_store");
    std::fs::create_dir_all(&dir).unwrap();
    let roots = dir.join("broken-root.pem");
    std::fs::write(&roots, broken_root_pem()).unwrap();
    let out = Command::cargo_bin("certchain")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["verify", "--roots"])
        .arg(&roots)
        .args([
            "--at",
            "@1748736000",
            "--host",
            "rsa.example.test",
            "fixtures/rsa/chain.pem",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(
            "broken-root.pem: line 1: certificate 1 (block 1): extension id-ce-basicConstraints"
        ),
        "{stderr}"
    );
}

#[test]
fn a_directory_skips_a_broken_file_and_merging_keeps_the_reason() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp/lazy_store_dir");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.pem"), fixture("rsa/root.pem")).unwrap();
    std::fs::write(dir.join("b.pem"), broken_root_pem()).unwrap();
    let store = TrustStore::from_dir(&dir).unwrap();
    assert_eq!(store.len(), 1);
    let skipped = store.skipped();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0]
            .contains("b.pem: line 1: certificate 1 (block 1): extension id-ce-basicConstraints"),
        "{skipped:?}"
    );
    let mut merged = TrustStore::new();
    assert_eq!(merged.merge(&store), 1);
    assert_eq!(merged.skipped(), skipped);

    // Only broken files: the error says why.
    std::fs::remove_file(dir.join("a.pem")).unwrap();
    std::fs::write(dir.join("c.pem"), pem(&rsa_root_der()[..100])).unwrap();
    let e = TrustStore::from_dir(&dir).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Malformed);
    assert!(
        e.message()
            .contains("no certificate loaded from the directory (skipped: ")
            && e.message()
                .contains("b.pem: line 1: certificate 1 (block 1)")
            && e.message().ends_with("; and 1 more file(s))"),
        "{e}"
    );
}

#[test]
fn a_broken_key_identifier_is_a_broken_anchor_like_any_other_extension() {
    // The rsa/ root with its subjectKeyIdentifier's inner OCTET STRING retagged as an INTEGER,
    // followed by the good rsa/ root: the bundle loads, the first anchor is unusable.
    let mut der = rsa_root_der();
    let ski_oid = [0x06, 0x03, 0x55, 0x1d, 0x0e];
    let at = der
        .windows(ski_oid.len())
        .position(|w| w == ski_oid)
        .expect("the root has an SKI");
    // OID, then OCTET STRING { OCTET STRING keyid }: retag the inner one.
    let inner = at + ski_oid.len() + 2;
    assert_eq!(der[inner], 0x04);
    der[inner] = 0x02;
    assert!(Certificate::from_der(&der).is_err());
    let mut bundle = pem(&der);
    bundle.extend(fixture("ecdsa/root.pem"));
    let store = TrustStore::from_pem(&bundle, "roots.pem").expect("loads");
    assert_eq!(store.len(), 2);
    assert_eq!(store.anchors().len(), 1);
    let skipped = store.skipped();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0].starts_with(
            "roots.pem: line 1: certificate 1 (block 1): extension id-ce-subjectKeyIdentifier"
        ),
        "{skipped:?}"
    );
    let e = store.parse_all().unwrap_err();
    assert_eq!(e.message(), skipped[0]);
}

/// Anchors that share a subject are kept apart and deduplicated exactly: 256 copies of the rsa/
/// root differing only in the last byte of the signature (each indexed, none parsed at load),
/// every one given twice, and the real root. Each is found again (`contains`), a variant never
/// added is not, and a verification meets the candidate-issuer limit. (These are the anchors an attack run used to make
/// loading quadratic: each compared with every earlier one, in full.)
#[test]
fn many_anchors_with_one_subject_are_told_apart_by_their_bytes() {
    let real = rsa_root_der();
    let variant = |b: u8| {
        let mut d = real.clone();
        *d.last_mut().expect("not empty") = b;
        d
    };
    let mut bundle = Vec::new();
    for round in 0..2 {
        for b in 0..=255u8 {
            bundle.extend(pem(&variant(b)));
        }
        if round == 0 {
            bundle.extend(pem(&real));
        }
    }
    let store = TrustStore::from_pem(&bundle, "many.pem").expect("loads");
    // The real root is one of the variants (its own last byte): 256 anchors in all.
    assert!((0..=255u8).any(|b| variant(b) == real));
    assert_eq!(store.len(), 256);
    for b in [0u8, 1, 127, 254, 255] {
        let c = Certificate::from_der(&variant(b)).expect("parses");
        assert!(store.contains(&c), "variant {b}");
    }
    // Same subject, a byte changed elsewhere: not an anchor.
    let mut other = real.clone();
    let n = other.len();
    other[n - 2] ^= 0x01;
    assert!(!store.contains(&Certificate::from_der(&other).expect("parses")));
    // Verification meets the candidate-issuer limit (64) rather than trying 257 roots.
    let e = Verifier::new(Arc::new(store))
        .verify(&rsa_chain(), &policy())
        .expect_err("too many candidate issuers");
    assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    assert!(
        e.message().contains("256 certificates are named"),
        "{}",
        e.message()
    );
}
