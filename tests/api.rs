//! The Rust API on real input: the 2021 Let's Encrypt chain, bundle reading, error fields.

use std::sync::Arc;

use certchain::policy::eku;
use certchain::{Bundle, Encoding, ErrorKind, Policy, Purpose, ServerName, TrustStore, Verifier};

const SEED_TIME: u64 = 1_615_689_507; // 2021-03-14T02:38:27Z
const DEC_2026: u64 = 1_796_083_200; // 2026-12-01T00:00:00Z

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn seed() -> (Verifier, Bundle) {
    let store =
        TrustStore::from_pem(&fixture("letsencrypt-2021/dst-root-ca-x3.pem"), "dst").unwrap();
    let chain = Bundle::parse(&fixture("letsencrypt-2021/cert.pem"), "cert.pem").unwrap();
    (Verifier::new(Arc::new(store)), chain)
}

#[test]
fn seed_chain_verifies_in_2021() {
    let (v, chain) = seed();
    let policy =
        Policy::new(SEED_TIME).with_name(ServerName::parse("justcc.mengkang.net").unwrap());
    let verified = v.verify(&chain.certificates, &policy).expect("verifies");
    let subjects: Vec<&str> = verified.certificates().map(|c| c.subject()).collect();
    assert_eq!(
        subjects,
        [
            "CN=justcc.mengkang.net",
            "CN=R3,O=Let's Encrypt,C=US",
            "CN=DST Root CA X3,O=Digital Signature Trust Co."
        ]
    );
    let anchors: Vec<bool> = verified.entries().iter().map(|e| e.trust_anchor).collect();
    assert_eq!(anchors, [false, false, true]);
    let fps: Vec<String> = verified.certificates().map(|c| c.sha256_hex()).collect();
    assert_eq!(
        fps,
        [
            "AD6FDB2BEBEF52480450A40930919F3B20C4DE4B3240A04F71671AFCC4AC7E9C",
            "730C1BDCD85F57CE5DC0BBA733E5F1BA5A925B2A771D640A26F7A454224DAD3B",
            "0687260331A72403D909F105E69BCF0D32E1BD2493FFC6D9206D11BCD6770739"
        ]
    );
    assert_eq!(verified.anchor().unwrap().subject(), subjects[2]);
}

#[test]
fn seed_chain_expired_in_2026_at_every_depth() {
    let (v, chain) = seed();
    let policy = Policy::new(DEC_2026).with_name(ServerName::parse("justcc.mengkang.net").unwrap());
    let err = v.verify(&chain.certificates, &policy).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expired);
    assert_eq!(err.code(), 300);
    assert_eq!(err.depth(), Some(0));
    assert_eq!(err.subject(), Some("CN=justcc.mengkang.net"));
    assert_eq!(
        err.message(),
        "certificate expired at 2021-06-06T01:26:54Z; verification time 2026-12-01T00:00:00Z"
    );
    assert_eq!(err.path().len(), 3);
    for (depth, entry) in err.path().iter().enumerate() {
        let kinds: Vec<ErrorKind> = entry.errors.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [ErrorKind::Expired], "depth {depth}");
    }
    assert!(err.path()[2].trust_anchor);
}

#[test]
fn seed_chain_wrong_host() {
    let (v, chain) = seed();
    let policy = Policy::new(SEED_TIME).with_name(ServerName::parse("mengkang.net").unwrap());
    let err = v.verify(&chain.certificates, &policy).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HostnameMismatch);
    assert_eq!(err.depth(), Some(0));
    assert_eq!(
        err.message(),
        "mengkang.net is not covered: the certificate covers DNS:justcc.mengkang.net"
    );
}

#[test]
fn seed_chain_against_mozilla_lacks_dst_root() {
    let (_, chain) = seed();
    let v = Verifier::new(Arc::new(TrustStore::mozilla()));
    let err = v
        .verify(&chain.certificates, &Policy::new(SEED_TIME))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownIssuer);
    assert_eq!(err.depth(), Some(1));
    assert_eq!(err.subject(), Some("CN=R3,O=Let's Encrypt,C=US"));
    assert!(
        err.message().contains("CN=DST Root CA X3"),
        "{}",
        err.message()
    );
}

#[test]
fn signature_is_over_the_input_tbs_bytes() {
    // Flip one byte inside the leaf's TBS (in its serial number): the DER still parses, the
    // signature must not verify.
    let (v, chain) = seed();
    let leaf = &chain.certificates[0];
    let mut der = leaf.der().to_vec();
    let serial_at = der
        .windows(leaf.serial().len())
        .position(|w| w == leaf.serial())
        .unwrap();
    der[serial_at + 2] ^= 0x01;
    let tampered = certchain::Certificate::from_der(&der).unwrap();
    let certs = vec![tampered, chain.certificates[1].clone()];
    let err = v.verify(&certs, &Policy::new(SEED_TIME)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadSignature);
    assert_eq!(err.depth(), Some(0));
}

#[test]
fn duplicates_and_extras_do_not_matter() {
    let (v, chain) = seed();
    let rsa_int = Bundle::parse(&fixture("rsa/int.pem"), "int")
        .unwrap()
        .certificates;
    let mut certs = vec![chain.certificates[0].clone()];
    certs.extend(rsa_int.clone()); // unrelated
    certs.push(chain.certificates[1].clone());
    certs.push(chain.certificates[1].clone()); // duplicate
    certs.push(chain.certificates[0].clone()); // the leaf again
    let verified = v.verify(&certs, &Policy::new(SEED_TIME)).expect("verifies");
    assert_eq!(verified.len(), 3);
}

#[test]
fn leaf_only_chain_error_and_empty_chain() {
    let (v, chain) = seed();
    let err = v
        .verify(&chain.certificates[..1], &Policy::new(SEED_TIME))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.depth()),
        (ErrorKind::UnknownIssuer, Some(0))
    );
    let err = v.verify(&[], &Policy::new(SEED_TIME)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn bundle_errors_name_the_file_and_line() {
    let cases: &[(&str, &str)] = &[
        (
            "bad-pem/bad-base64.pem",
            "bad-base64.pem: line 5: invalid CERTIFICATE block starting at line 1",
        ),
        (
            "bad-pem/end-begin-same-line.pem",
            "end-begin-same-line.pem: line 21: END and the next BEGIN on one line",
        ),
        (
            "bad-pem/truncated.pem",
            "truncated.pem: line 1: block CERTIFICATE is truncated",
        ),
        (
            "bad-pem/truncated.der",
            "truncated.der: DER certificate 1 is truncated or not DER",
        ),
        ("bad-pem/empty.pem", "empty.pem: no certificate found"),
    ];
    for (file, expected) in cases {
        let name = file.rsplit('/').next().unwrap();
        let err = Bundle::parse(&fixture(file), name).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Malformed, "{file}");
        assert!(
            err.message().starts_with(expected),
            "{file}: {}",
            err.message()
        );
    }
}

#[test]
fn bundles_with_comments_crlf_bom_keys_and_der() {
    let b = Bundle::parse(&fixture("bad-pem/crlf-bom.pem"), "crlf").unwrap();
    assert_eq!(b.certificates.len(), 2);
    assert_eq!(b.encoding, Encoding::Pem);
    assert_eq!(b.certificates[0].subject(), "CN=rsa.example.test");

    let b = Bundle::parse(&fixture("bad-pem/with-key.pem"), "with-key").unwrap();
    assert_eq!(b.certificates.len(), 2);
    assert_eq!(b.skipped.len(), 1);
    assert_eq!(b.skipped[0].label, "PRIVATE KEY");
    assert!(b.skipped[0].der.is_empty(), "private keys are never kept");

    let b = Bundle::parse(&fixture("bad-pem/chain.der"), "chain.der").unwrap();
    assert_eq!(b.encoding, Encoding::Der);
    assert_eq!(b.certificates.len(), 1);
    assert_eq!(b.certificates[0].subject(), "CN=rsa.example.test");
}

#[test]
fn store_indexes_by_subject_and_key_id() {
    let store = TrustStore::from_pem(&fixture("cross-signed/roots.pem"), "roots").unwrap();
    assert_eq!(store.len(), 2);
    let new_root = store
        .anchors()
        .into_iter()
        .find(|c| c.subject() == "CN=Certchain New Root")
        .unwrap();
    assert_eq!(store.by_subject(new_root.subject_key()).count(), 1);
    assert_eq!(
        store.by_key_id(new_root.subject_key_id().unwrap()).next(),
        Some(new_root)
    );
    // adding the same certificate again is a no-op
    let mut s2 = store.clone();
    assert!(!s2.add(new_root.clone()));
    assert_eq!(s2.len(), 2);
}

#[test]
fn store_from_directory() {
    let dir = format!("{}/fixtures/cross-signed", env!("CARGO_MANIFEST_DIR"));
    let store = TrustStore::from_dir(dir.as_ref()).unwrap();
    // old-root, new-root, roots (same two), both intermediates and the leaf: deduplicated
    assert_eq!(store.len(), 5);
}

#[test]
fn budget_is_a_precise_error() {
    // Two candidate intermediates, neither reaching the (unrelated) store: each costs a signature
    // check. With a budget of one check the search stops with budget_exceeded, not a verdict.
    let chain = Bundle::parse(&fixture("cross-signed/chain.pem"), "chain").unwrap();
    let store = TrustStore::from_pem(&fixture("rsa/root.pem"), "rsa").unwrap();
    let v = Verifier::new(Arc::new(store));
    let err = v
        .verify(&chain.certificates, &Policy::new(1_748_736_000))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.depth()),
        (ErrorKind::UnknownIssuer, Some(1))
    );
    let limits = certchain::Limits {
        max_signature_checks: 1,
        ..certchain::Limits::default()
    };
    let err = v
        .verify(
            &chain.certificates,
            &Policy::new(1_748_736_000).with_limits(limits),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BudgetExceeded);
    assert!(
        err.message().contains("signature checks (limit 1)"),
        "{}",
        err.message()
    );
}

// ---- OpenSSL trust settings (TRUSTED CERTIFICATE blocks in the trust store), fixtures/trust/.
// OpenSSL 3.0's verdicts are in fixtures/trust/README.md (checked by generate-trust.sh):
// `openssl verify -purpose sslserver -CAfile root-reject-server.pem leaf.pem` and
// `-CAfile root-trust-client.pem` say "error 28 at 1 depth lookup: certificate rejected";
// `-purpose sslclient` with root-trust-client.pem, and `-purpose sslserver` with
// root-trust-server.pem, root-alias.pem or root.pem, say OK.

const TRUST_TIME: u64 = 1_748_736_000; // 2025-06-01T00:00:00Z
const TRUST_ROOT: &str = "CN=Certchain Trust-Settings Root";

fn trust_verify(
    roots: &str,
    policy: &Policy,
) -> Result<certchain::VerifiedChain, certchain::Error> {
    let store = TrustStore::from_pem(&fixture(&format!("trust/{roots}")), roots).unwrap();
    trust_verify_in(store, policy)
}

fn trust_verify_in(
    store: TrustStore,
    policy: &Policy,
) -> Result<certchain::VerifiedChain, certchain::Error> {
    let chain = Bundle::parse(&fixture("trust/leaf.pem"), "leaf.pem").unwrap();
    Verifier::new(Arc::new(store)).verify(&chain.certificates, policy)
}

fn refused(err: &certchain::Error, uses: &str, why: &str) {
    assert_eq!(err.kind(), ErrorKind::UnknownIssuer, "{err}");
    assert_eq!(err.depth(), Some(1), "{err}");
    assert_eq!(err.subject(), Some(TRUST_ROOT));
    assert_eq!(
        err.message(),
        format!("{TRUST_ROOT} is in the trust store but its trust settings (TRUSTED CERTIFICATE) do not allow {uses}: {why}")
    );
    // the root is on the reported path, but not as a trust anchor
    let anchors: Vec<bool> = err.path().iter().map(|e| e.trust_anchor).collect();
    assert_eq!(anchors, [false, false]);
}

#[test]
fn trust_settings_plain_root_verifies() {
    let server = Policy::new(TRUST_TIME);
    let v = trust_verify("root.pem", &server).expect("a plain root anchors");
    let anchors: Vec<bool> = v.entries().iter().map(|e| e.trust_anchor).collect();
    assert_eq!(anchors, [false, true]);
    // settings without a trust or reject list (an alias only) change nothing
    trust_verify("root-alias.pem", &server).expect("alias only: trusted as before");
    let store = TrustStore::from_pem(&fixture("trust/root-alias.pem"), "a").unwrap();
    let root = &store.anchors()[0];
    assert_eq!(
        store.trust_settings(root).and_then(|t| t.alias.as_deref()),
        Some("Certchain trust alias")
    );
}

#[test]
fn trust_settings_reject_server_auth() {
    // OpenSSL: error 28 at 1 depth lookup: certificate rejected (sslserver); OK (sslclient)
    let err = trust_verify("root-reject-server.pem", &Policy::new(TRUST_TIME)).unwrap_err();
    refused(&err, "serverAuth", "they reject serverAuth");
    let client = Policy::new(TRUST_TIME).with_purpose(Purpose::ClientAuth);
    trust_verify("root-reject-server.pem", &client).expect("clientAuth is not rejected");
    let any = Policy::new(TRUST_TIME).with_purpose(Purpose::Any);
    trust_verify("root-reject-server.pem", &any).expect("no EKU required");
    // explicit EKUs are what the settings are held against
    let explicit = Policy::new(TRUST_TIME).with_required_ekus(vec![eku::SERVER_AUTH]);
    refused(
        &trust_verify("root-reject-server.pem", &explicit).unwrap_err(),
        "serverAuth",
        "they reject serverAuth",
    );
}

#[test]
fn trust_settings_trust_list_without_server_auth() {
    // OpenSSL: error 28 at 1 depth lookup: certificate rejected (sslserver); OK (sslclient)
    let err = trust_verify("root-trust-client.pem", &Policy::new(TRUST_TIME)).unwrap_err();
    refused(&err, "serverAuth", "they trust it only for clientAuth");
    let client = Policy::new(TRUST_TIME).with_purpose(Purpose::ClientAuth);
    let v = trust_verify("root-trust-client.pem", &client).expect("trusted for clientAuth");
    assert!(v.entries()[1].trust_anchor);
    let explicit = Policy::new(TRUST_TIME).with_required_ekus(vec![eku::CLIENT_AUTH]);
    trust_verify("root-trust-client.pem", &explicit).expect("explicit clientAuth");
}

#[test]
fn trust_settings_trust_server_auth() {
    // OpenSSL: OK (sslserver); error 28 at 1 depth lookup: certificate rejected (sslclient)
    trust_verify("root-trust-server.pem", &Policy::new(TRUST_TIME)).expect("trusted for it");
    let client = Policy::new(TRUST_TIME).with_purpose(Purpose::ClientAuth);
    refused(
        &trust_verify("root-trust-server.pem", &client).unwrap_err(),
        "clientAuth",
        "they trust it only for serverAuth",
    );
    // No EKU required: only a rejected anyExtendedKeyUsage refuses. (OpenSSL's `-purpose any`
    // checks the trust list for anyExtendedKeyUsage and rejects this root there.)
    let any = Policy::new(TRUST_TIME).with_purpose(Purpose::Any);
    trust_verify("root-trust-server.pem", &any).expect("no EKU required");
}

#[test]
fn trust_settings_reject_any_eku() {
    // OpenSSL: error 28 at 1 depth lookup: certificate rejected (sslserver and any)
    refused(
        &trust_verify("root-reject-any.pem", &Policy::new(TRUST_TIME)).unwrap_err(),
        "serverAuth",
        "they reject anyExtendedKeyUsage",
    );
    let any = Policy::new(TRUST_TIME).with_purpose(Purpose::Any);
    refused(
        &trust_verify("root-reject-any.pem", &any).unwrap_err(),
        "any use",
        "they reject anyExtendedKeyUsage",
    );
}

#[test]
fn trust_settings_survive_add_dir_and_merge() {
    let dir = std::env::temp_dir().join(format!("certchain-trust-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("root.pem"),
        fixture("trust/root-reject-server.pem"),
    )
    .unwrap();
    let from_dir = TrustStore::from_dir(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let from_dir = from_dir.unwrap();
    let server = Policy::new(TRUST_TIME);
    let mut merged = TrustStore::new();
    assert_eq!(merged.merge(&from_dir), 1);
    refused(
        &trust_verify_in(from_dir, &server).unwrap_err(),
        "serverAuth",
        "they reject serverAuth",
    );
    refused(
        &trust_verify_in(merged, &server).unwrap_err(),
        "serverAuth",
        "they reject serverAuth",
    );
}

#[test]
fn trust_settings_of_presented_certificates_are_ignored() {
    // The rejecting TRUSTED CERTIFICATE is only presented, in the chain; the store holds the plain
    // root: the chain verifies.
    let store = TrustStore::from_pem(&fixture("trust/root.pem"), "root.pem").unwrap();
    let mut chain = fixture("trust/leaf.pem");
    chain.extend(fixture("trust/root-reject-server.pem"));
    let chain = Bundle::parse(&chain, "chain.pem").unwrap();
    assert_eq!(chain.certificates.len(), 2);
    let v = Verifier::new(Arc::new(store))
        .verify(&chain.certificates, &Policy::new(TRUST_TIME))
        .expect("aux data of presented certificates plays no part");
    assert_eq!(v.len(), 2);
    // the embedded Mozilla set carries no settings
    let mozilla = TrustStore::mozilla();
    assert!(mozilla
        .anchors()
        .iter()
        .all(|a| mozilla.trust_settings(a).is_none()));
}
