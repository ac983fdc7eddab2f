//! Name constraints on rfc822Name apply to the subject's emailAddress attributes when the
//! certificate has no subjectAltName (RFC 5280 4.2.1.10), so a constrained CA cannot escape its
//! constraint by putting the address in the subject instead of a SAN.

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
