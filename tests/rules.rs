//! Rules checked on certificates generated at test time (tests/common): name constraints on
//! rfc822Name apply to the subject's emailAddress attributes when the certificate has no
//! subjectAltName (RFC 5280 4.2.1.10), so a constrained CA cannot escape its constraint by putting
//! the address in the subject; and an authorityInfoAccess that does not decode, is empty or is
//! critical is refused (RFC 5280 4.2.2.1).

use std::sync::Arc;

use certchain::{Certificate, ErrorKind, Policy, Profile, Verifier};
use openssl::pkey::{PKey, Private};

mod common;
use common::*;

/// root → intermediate permitted only mailboxes at example.test → leaf.
fn pki() -> (Arc<certchain::TrustStore>, Certificate, PKey<Private>) {
    let rk = key();
    let ik = key();
    let r = root("NC Email Root", &rk);
    let permitted = ["email:example.test".to_string()];
    let i = build(Spec {
        subject: "NC Email Int",
        serial: 2,
        key: &ik,
        issuer: Some(("NC Email Root", &rk)),
        ca: true,
        names: &permitted,
        ski_of: None,
        subject_email: None,
        extra: &[],
    });
    (store([r]), i, ik)
}

fn leaf_with(ik: &PKey<Private>, sans: &[String], email: &str) -> Certificate {
    build(Spec {
        subject: "Mail User",
        serial: 1000,
        key: &key(),
        issuer: Some(("NC Email Int", ik)),
        ca: false,
        names: sans,
        ski_of: None,
        subject_email: Some(email),
        extra: &[],
    })
}

/// RFC 5280 profile: the WebPKI profile also wants a SAN in every leaf.
fn policy() -> Policy {
    Policy::rfc5280().at(AT)
}

#[test]
fn a_subject_email_inside_the_permitted_subtree_verifies() {
    let (store, i, ik) = pki();
    let l = leaf_with(&ik, &[], "alice@example.test");
    assert_eq!(l.subject_email_addresses(), ["alice@example.test"]);
    assert!(l.subject_alt_names().is_none());
    let ok = Verifier::new(store)
        .verify(&[l, i], &policy())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok.len(), 3);
}

#[test]
fn a_subject_email_outside_the_permitted_subtree_fails_without_a_san() {
    let (store, i, ik) = pki();
    let l = leaf_with(&ik, &[], "mallory@evil.test");
    let e = Verifier::new(store)
        .verify(&[l, i], &policy())
        .expect_err("outside the constraint");
    assert_eq!(e.kind(), ErrorKind::NameConstraints, "{e}");
    assert_eq!(e.depth(), Some(0));
    assert_eq!(
        e.message(),
        "email:mallory@evil.test is outside the permitted name constraints of the CA at depth 1 (CN=NC Email Int,O=certchain limits)"
    );
}

#[test]
fn with_a_san_the_sans_are_what_the_constraint_applies_to() {
    let (store, i, ik) = pki();
    // An rfc822Name SAN outside the subtree fails; inside passes whatever the subject says.
    let bad = leaf_with(
        &ik,
        &["email:mallory@evil.test".to_string()],
        "x@example.test",
    );
    let e = Verifier::new(Arc::clone(&store))
        .verify(&[bad, i.clone()], &policy())
        .expect_err("outside");
    assert_eq!(e.kind(), ErrorKind::NameConstraints, "{e}");
    let good = leaf_with(
        &ik,
        &["email:alice@example.test".to_string()],
        "m@evil.test",
    );
    let ok = Verifier::new(store)
        .verify(&[good, i], &policy().with_profile(Profile::Rfc5280))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok.len(), 3);
}

/// A leaf under the plain test PKI carrying one more extension.
fn leaf_with_extension(
    oid: &str,
    critical: bool,
    value: Vec<u8>,
) -> (Policy, Verifier, Vec<Certificate>) {
    let rk = key();
    let ik = key();
    let r = root("AIA Root", &rk);
    let i = ca("AIA Int", 2, &ik, Some(("AIA Root", &rk)));
    let extra = [(oid, critical, value)];
    let l = build(Spec {
        subject: HOST,
        serial: 1000,
        key: &key(),
        issuer: Some(("AIA Int", &ik)),
        ca: false,
        names: &[HOST.to_string()],
        ski_of: None,
        subject_email: None,
        extra: &extra,
    });
    let p = Policy::new(AT).with_name(certchain::ServerName::parse(HOST).expect("host"));
    (p, Verifier::new(store([r])), vec![l, i])
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    assert!(content.len() < 128);
    let mut v = vec![tag, content.len() as u8];
    v.extend_from_slice(content);
    v
}

/// AccessDescription { accessMethod, accessLocation }.
fn access(method: &[u8], location: Vec<u8>) -> Vec<u8> {
    tlv(0x30, &[tlv(0x06, method), location].concat())
}

const CA_ISSUERS: &[u8] = &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
const AIA: &str = "1.3.6.1.5.5.7.1.1";

#[test]
fn a_well_formed_authority_info_access_verifies() {
    let uri = tlv(0x86, b"http://pki.example.test/int.der");
    let (p, v, chain) = leaf_with_extension(AIA, false, tlv(0x30, &access(CA_ISSUERS, uri)));
    let ok = v.verify(&chain, &p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok.len(), 3);
}

#[test]
fn a_malformed_authority_info_access_is_a_policy_violation() {
    // An empty sequence, and bytes that are not an AuthorityInfoAccessSyntax at all.
    for (value, problem) in [
        (
            tlv(0x30, &[]),
            "authorityInfoAccess holds no access description",
        ),
        (
            vec![0x04, 0x01, 0x00],
            "authorityInfoAccess does not decode",
        ),
    ] {
        let (p, v, chain) = leaf_with_extension(AIA, false, value);
        let e = v.verify(&chain, &p).expect_err("malformed AIA");
        assert_eq!(e.kind(), ErrorKind::PolicyViolation, "{e}");
        assert_eq!(e.depth(), Some(0));
        assert!(e.message().starts_with(problem), "{}", e.message());
    }
}

#[test]
fn a_ca_issuers_location_that_is_not_a_uri_is_accepted() {
    // RFC 5280 4.2.2.1: the location SHOULD be a URI (x509-limbo rfc5280::ee-aia).
    let dns = tlv(0x82, b"pki.example.test");
    let (p, v, chain) = leaf_with_extension(AIA, false, tlv(0x30, &access(CA_ISSUERS, dns)));
    assert_eq!(v.verify(&chain, &p).map(|c| c.len()).ok(), Some(3));
}

#[test]
fn a_critical_authority_info_access_is_rejected() {
    let uri = tlv(0x86, b"http://pki.example.test/int.der");
    let (p, v, chain) = leaf_with_extension(AIA, true, tlv(0x30, &access(CA_ISSUERS, uri)));
    let e = v.verify(&chain, &p).expect_err("critical AIA");
    assert_eq!(e.kind(), ErrorKind::UnknownCriticalExtension, "{e}");
}

/// An intermediate whose extendedKeyUsage is anyExtendedKeyUsage alone: refused for serverAuth
/// under the WebPKI profile (CABF BR 7.1.2.10.6; OpenSSL says "unsuitable certificate purpose",
/// rustls-webpki refuses it too), accepted under RFC 5280, where it stands for every purpose.
#[test]
fn an_intermediate_with_only_any_extended_key_usage() {
    let rk = key();
    let ik = key();
    let r = root("AnyEKU Root", &rk);
    let any_eku = der_tlv(0x30, &der_tlv(0x06, &[0x55, 0x1d, 0x25, 0x00]));
    let i = build(Spec {
        subject: "AnyEKU Int",
        serial: 2,
        key: &ik,
        issuer: Some(("AnyEKU Root", &rk)),
        ca: true,
        names: &[],
        ski_of: None,
        subject_email: None,
        extra: &[("2.5.29.37", false, any_eku)],
    });
    let l = leaf("AnyEKU Int", &ik, &[HOST.to_string()]);
    let v = Verifier::new(store([r]));
    let chain = [l, i];
    let e = v.verify(&chain, &common::policy()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ExtendedKeyUsage, "{e}");
    assert_eq!(e.depth(), Some(1));
    assert_eq!(
        e.message(),
        "this CA's extendedKeyUsage (anyExtendedKeyUsage) does not allow id-kp-serverAuth"
    );
    let rfc = Policy::rfc5280()
        .at(AT)
        .with_name(certchain::ServerName::parse(HOST).unwrap());
    let ok = v.verify(&chain, &rfc).unwrap();
    assert_eq!(ok.entries().len(), 3);
}

/// A leaf without subjectAltName, verified with no host name: the WebPKI profile refuses it
/// (CABF BR 7.1.2.7.12; name constraints on DNS names are evaluated on SANs only, so such a leaf
/// passed an excluded subtree its commonName was in), RFC 5280 accepts it.
#[test]
fn a_leaf_without_subject_alt_name() {
    let rk = key();
    let ik = key();
    let r = root("NoSAN Root", &rk);
    let i = ca("NoSAN Int", 2, &ik, Some(("NoSAN Root", &rk)));
    let l = leaf("NoSAN Int", &ik, &[]);
    assert!(l.subject_alt_names().is_none());
    let v = Verifier::new(store([r]));
    let chain = [l, i];
    let e = v.verify(&chain, &Policy::new(AT)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PolicyViolation, "{e}");
    assert_eq!(e.depth(), Some(0));
    assert_eq!(
        e.message(),
        "the end-entity certificate has no subjectAltName (CABF BR 7.1.2.7.12)"
    );
    assert_eq!(
        v.verify(&chain, &Policy::rfc5280().at(AT))
            .unwrap()
            .entries()
            .len(),
        3
    );
}
