//! Adversarial certificates (fixtures/adversarial/, made by fixtures/generate-adversarial.sh):
//! each is wrong in exactly one way, and each test asserts the exact kind certchain reports, the
//! depth, and part of the message. `good` is the positive control made by the same DER builder.
//! OpenSSL 3.0's verdict on every case is in fixtures/adversarial/README.md.

use std::sync::Arc;

use assert_cmd::Command;
use certchain::{
    AltName, Bundle, Error, ErrorKind, Policy, Profile, ServerName, TrustStore, VerifiedChain,
    Verifier,
};
use serde_json::Value;

/// 2025-06-01T00:00:00Z, the fixtures' verification time.
const AT: u64 = 1_748_736_000;
const DIR: &str = "fixtures/adversarial";
const ROOT: &str = "CN=Certchain Adversarial Root,O=certchain tests";
const INT: &str = "CN=Certchain Adversarial Intermediate";

fn read(path: &str) -> Vec<u8> {
    let p = format!("{}/{DIR}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

fn store(path: &str) -> Arc<TrustStore> {
    Arc::new(TrustStore::from_pem(&read(path), path).unwrap_or_else(|e| panic!("{e}")))
}

fn bundle(case: &str) -> Bundle {
    let path = format!("{case}/chain.pem");
    Bundle::parse(&read(&path), &path).unwrap_or_else(|e| panic!("{case}: {e}"))
}

fn host(case: &str) -> String {
    format!("{case}.example.test")
}

/// Verify `CASE/chain.pem` against `roots` for `host`, under `profile`.
fn verify_with(
    case: &str,
    roots: &str,
    host: &str,
    profile: Profile,
) -> Result<VerifiedChain, Error> {
    let chain = bundle(case);
    let policy = Policy::new(AT)
        .with_profile(profile)
        .with_name(ServerName::parse(host).unwrap());
    Verifier::new(store(roots)).verify(&chain.certificates, &policy)
}

fn verify(case: &str) -> Result<VerifiedChain, Error> {
    verify_with(case, "root.pem", &host(case), Profile::WebPki)
}

fn subjects(v: &VerifiedChain) -> Vec<&str> {
    v.certificates().map(|c| c.subject()).collect()
}

/// The chain verifies, leaf + intermediate + root.
fn ok(case: &str, int: &str) {
    let v = verify(case).unwrap_or_else(|e| panic!("{case}: {e}"));
    let leaf = format!("CN={}", host(case));
    assert_eq!(subjects(&v), [leaf.as_str(), int, ROOT], "{case}");
    assert!(v.entries()[2].trust_anchor);
}

/// Verification fails with `kind` at `depth`, and the message holds `part`.
fn fails(result: Result<VerifiedChain, Error>, kind: ErrorKind, depth: usize, part: &str) -> Error {
    let e = result.expect_err("must not verify");
    assert_eq!((e.kind(), e.depth()), (kind, Some(depth)), "{e}");
    assert!(e.message().contains(part), "{e}");
    e
}

/// `CASE/FILE` is refused when read: kind malformed, no depth, the message holds `part`.
fn unreadable(case: &str, file: &str, part: &str) {
    let path = format!("{case}/{file}");
    let e = Bundle::parse(&read(&path), &path).expect_err("must not parse");
    assert_eq!((e.kind(), e.depth()), (ErrorKind::Malformed, None), "{e}");
    assert!(e.message().contains(part), "{case}: {e}");
}

fn certchain(roots: &str, host: &str, file: &str) -> (Option<i32>, Value, String) {
    let out = Command::cargo_bin("certchain")
        .expect("binary built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["verify", "--format", "json", "--at", &format!("@{AT}")])
        .args(["--roots", &format!("{DIR}/{roots}"), "--host", host])
        .arg(format!("{DIR}/{file}"))
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `certchain verify --format json FILE` exits 2 (input error) with a malformed error.
fn input_error(file: &str, part: &str) {
    let (code, json, stderr) = certchain("root.pem", "x.example.test", file);
    assert_eq!(code, Some(2), "{file}: {json} {stderr}");
    assert_eq!(json["verified"], false, "{file}");
    assert_eq!(json["error"]["kind"], "malformed", "{file}");
    assert_eq!(json["error"]["code"], 100, "{file}");
    let message = json["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(part), "{file}: {message}");
}

// ---------------------------------------------------------------- the control

#[test]
fn good_control_made_by_the_same_builder_verifies() {
    ok("good", INT);
    fails(
        verify_with("good", "root.pem", "other.example.test", Profile::WebPki),
        ErrorKind::HostnameMismatch,
        0,
        "covers DNS:good.example.test",
    );
    let (code, json, _) = certchain("root.pem", "good.example.test", "good/chain.pem");
    assert_eq!(code, Some(0));
    assert_eq!(json["verified"], true);
}

// ---------------------------------------------------------------- (a), (b) non-DER TBS

#[test]
fn tbs_with_long_form_length_signed_over_those_bytes_is_malformed() {
    // OpenSSL 3.0 accepts it (it verifies the signature over the bytes as given).
    unreadable(
        "tbs-long-length",
        "chain.pem",
        "truncated or not DER: incorrect length for SEQUENCE",
    );
}

#[test]
fn tbs_signed_in_der_but_written_with_long_form_length_is_malformed() {
    // OpenSSL 3.0: certificate signature failure (error 7).
    unreadable(
        "tbs-der-signed",
        "chain.pem",
        "truncated or not DER: incorrect length for SEQUENCE",
    );
    for case in ["tbs-long-length", "tbs-der-signed"] {
        input_error(
            &format!("{case}/chain.pem"),
            "incorrect length for SEQUENCE",
        );
    }
}

// ---------------------------------------------------------------- (c)

#[test]
fn outer_and_inner_signature_algorithms_differ() {
    // The signature is valid for the outer algorithm; the mismatch alone is the problem.
    let e = fails(
        verify("sig-alg-mismatch"),
        ErrorKind::Malformed,
        0,
        "the signature algorithm outside the TBS differs from the one inside it",
    );
    assert_eq!(e.subject(), Some("CN=sig-alg-mismatch.example.test"));
    let (code, json, _) = certchain(
        "root.pem",
        &host("sig-alg-mismatch"),
        "sig-alg-mismatch/chain.pem",
    );
    assert_eq!(code, Some(1));
    assert_eq!(json["error"]["kind"], "malformed");
    assert_eq!(json["error"]["depth"], 0);
}

// ---------------------------------------------------------------- (d)

#[test]
fn trailing_bytes_after_the_certificate() {
    unreadable(
        "trailing-after-cert",
        "chain.pem",
        "trailing data at end of DER message: decoded 906 bytes, 2 bytes remaining",
    );
    unreadable(
        "trailing-after-cert",
        "chain.der",
        "DER certificate 2: not DER",
    );
    input_error("trailing-after-cert/chain.pem", "trailing data");
    input_error(
        "trailing-after-cert/chain.der",
        "DER certificate 2: not DER",
    );
}

#[test]
fn trailing_bytes_inside_the_certificate_sequence() {
    unreadable(
        "trailing-inside-cert",
        "chain.pem",
        "trailing data at end of DER message: decoded 908 bytes, 2 bytes remaining",
    );
    input_error("trailing-inside-cert/chain.pem", "trailing data");
}

// ---------------------------------------------------------------- (e)

#[test]
fn duplicate_extensions_are_malformed() {
    unreadable(
        "duplicate-san",
        "chain.pem",
        "extension id-ce-subjectAltName appears more than once",
    );
    unreadable(
        "duplicate-basic-constraints",
        "chain.pem",
        "extension id-ce-basicConstraints appears more than once",
    );
    input_error("duplicate-san/chain.pem", "appears more than once");
    input_error(
        "duplicate-basic-constraints/chain.pem",
        "appears more than once",
    );
}

// ---------------------------------------------------------------- (f)

#[test]
fn negative_zero_and_oversized_serials() {
    // RFC 5280 4.1.2.2 applies under both profiles; OpenSSL 3.0 accepts all three.
    for profile in [Profile::WebPki, Profile::Rfc5280] {
        for (case, part) in [
            ("serial-negative", "the serial number is negative"),
            ("serial-zero", "the serial number is zero"),
            (
                "serial-21-octets",
                "the serial number is longer than 20 octets",
            ),
        ] {
            fails(
                verify_with(case, "root.pem", &host(case), profile),
                ErrorKind::PolicyViolation,
                0,
                part,
            );
        }
    }
    let (code, json, _) = certchain("root.pem", &host("serial-zero"), "serial-zero/chain.pem");
    assert_eq!(
        (code, json["error"]["kind"].as_str()),
        (Some(1), Some("policy_violation"))
    );
}

#[test]
fn twenty_octet_serial_with_its_sign_octet_is_fine() {
    ok("serial-20-octets", INT);
    assert_eq!(
        bundle("serial-20-octets").certificates[0].serial().len(),
        21
    );
}

// ---------------------------------------------------------------- (g)

#[test]
fn invalid_time_encodings_are_malformed() {
    // OpenSSL 3.0 parses these certificates, then fails them with error 13 (format error in
    // certificate's notBefore field).
    for (case, part) in [
        (
            "utctime-no-seconds",
            "malformed ASN.1 DER value for UTCTime",
        ),
        ("utctime-fraction", "malformed ASN.1 DER value for UTCTime"),
        ("utctime-offset", "malformed ASN.1 DER value for UTCTime"),
        (
            "gentime-fraction",
            "malformed ASN.1 DER value for GeneralizedTime",
        ),
        (
            "gentime-no-z",
            "malformed ASN.1 DER value for GeneralizedTime",
        ),
    ] {
        unreadable(case, "chain.pem", part);
    }
    for case in ["utctime-no-seconds", "utctime-offset", "gentime-no-z"] {
        input_error(&format!("{case}/chain.pem"), "invalid certificate DER");
    }
}

#[test]
fn generalized_time_before_2050_is_accepted() {
    // RFC 5280 4.1.2.5 tells CAs to use UTCTime through 2049, but the value is unambiguous:
    // certchain, OpenSSL 3.0 (also with -x509_strict) and rustls-webpki all accept it.
    ok("gentime-before-2050", INT);
    assert_eq!(
        bundle("gentime-before-2050").certificates[0].not_before(),
        1_735_689_600
    );
}

// ---------------------------------------------------------------- (h)

#[test]
fn zero_length_key_is_malformed() {
    fails(
        verify("leaf-key-empty"),
        ErrorKind::Malformed,
        0,
        "public key: RSAPublicKey",
    );
}

#[test]
fn rsa_keys_above_16384_bits_are_unsupported() {
    ok("leaf-rsa-16384", INT);
    fails(
        verify("leaf-rsa-16392"),
        ErrorKind::UnsupportedAlgorithm,
        0,
        "RSA key of 16392 bits is above the maximum of 16384 certchain supports",
    );
    // As an issuer's key: refused by its size before any arithmetic (the error is about the
    // signature of the certificate below, at depth 0).
    fails(
        verify("int-rsa-16392"),
        ErrorKind::UnsupportedAlgorithm,
        0,
        "RSA key of 16392 bits (at most 16384 supported)",
    );
}

#[test]
fn even_rsa_modulus_on_the_issuer_is_malformed() {
    let e = fails(
        verify("int-rsa-even-modulus"),
        ErrorKind::Malformed,
        0,
        "RSA modulus is zero or even",
    );
    assert!(
        e.message()
            .contains("the key of CN=Certchain Adversarial Intermediate Even Modulus"),
        "{e}"
    );
}

// ---------------------------------------------------------------- (i)

#[test]
fn ec_points_off_the_curve_or_at_infinity_are_malformed() {
    fails(
        verify("leaf-ec-off-curve"),
        ErrorKind::Malformed,
        0,
        "not a valid point on P-256",
    );
    fails(
        verify("leaf-ec-infinity"),
        ErrorKind::Malformed,
        0,
        "not a SEC1 point encoding",
    );
    let e = fails(
        verify("int-ec-off-curve"),
        ErrorKind::Malformed,
        0,
        "not a valid point on P-256",
    );
    assert!(e.message().contains("Intermediate EC Off-Curve"), "{e}");
}

#[test]
fn compressed_ec_issuer_key_verifies() {
    ok(
        "int-ec-compressed",
        "CN=Certchain Adversarial Intermediate EC Compressed",
    );
}

// ---------------------------------------------------------------- (j)

#[test]
fn rsa_exponent_1_issuer_verifies_nothing() {
    // The leaf's "signature" is the PKCS#1 v1.5 encoded message itself, which s^1 mod n turns
    // into the expected value: OpenSSL 3.0 accepts this chain. certchain refuses the key.
    let e = fails(
        verify("int-rsa-e1"),
        ErrorKind::Malformed,
        0,
        "RSA public exponent is 1",
    );
    assert!(e.message().contains("Intermediate Exponent 1"), "{e}");
    // every backend refuses it, the pure-Rust one explicitly too
    let chain = bundle("int-rsa-e1");
    let v = Verifier::with_backend(store("root.pem"), Arc::new(certchain::crypto::RustCrypto));
    let e = v.verify(&chain.certificates, &Policy::new(AT)).unwrap_err();
    assert_eq!((e.kind(), e.depth()), (ErrorKind::Malformed, Some(0)));
}

#[test]
fn even_rsa_exponent_issuer_verifies_nothing() {
    fails(
        verify("int-rsa-e4"),
        ErrorKind::Malformed,
        0,
        "RSA public exponent is even",
    );
}

// ---------------------------------------------------------------- (k)

#[test]
fn nul_in_san_is_never_matched() {
    let cert = &bundle("san-nul").certificates[0];
    assert_eq!(
        cert.subject_alt_names().unwrap(),
        [AltName::Dns("good.example\0.evil.test".into())]
    );
    for profile in [Profile::WebPki, Profile::Rfc5280] {
        for name in ["good.example", "evil.test", "san-nul.example.test"] {
            let e = fails(
                verify_with("san-nul", "root.pem", name, profile),
                ErrorKind::PolicyViolation,
                0,
                r#"subjectAltName dNSName "good.example\0.evil.test" is not a valid host name"#,
            );
            let kinds: Vec<ErrorKind> = e.path()[0].errors.iter().map(|x| x.kind).collect();
            assert!(
                kinds.contains(&ErrorKind::HostnameMismatch),
                "{name}: {kinds:?}"
            );
        }
    }
    for name in ["good.example\0.evil.test", "good.example\0"] {
        assert_eq!(
            ServerName::parse(name).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
    }
}

#[test]
fn nul_in_common_name_is_never_matched() {
    let cert = &bundle("cn-nul").certificates[0];
    assert_eq!(cert.common_names(), ["good.example\0.evil.test"]);
    for name in ["good.example", "evil.test"] {
        // under the WebPKI profile a leaf without subjectAltName is refused as such, and the
        // host is not matched either
        let e = fails(
            verify_with("cn-nul", "root.pem", name, Profile::WebPki),
            ErrorKind::PolicyViolation,
            0,
            "the end-entity certificate has no subjectAltName (CABF BR 7.1.2.7.12)",
        );
        assert!(e.path()[0].errors.iter().any(|x| {
            x.kind
            == ErrorKind::HostnameMismatch
            && x.message.contains(
                "the certificate has no DNS or IP subjectAltName (the common name is never used)"
            )
        }));
        fails(
            verify_with("cn-nul", "root.pem", name, Profile::Rfc5280),
            ErrorKind::HostnameMismatch,
            0,
            "the certificate has no DNS or IP subjectAltName (the common name is never used)",
        );
    }
    let (code, json, _) = certchain("root.pem", "good.example", "cn-nul/chain.pem");
    assert_eq!(
        (code, json["error"]["kind"].as_str()),
        (Some(1), Some("policy_violation"))
    );
}

// ---------------------------------------------------------------- (l)

#[test]
fn idn_homograph_does_not_match_the_ascii_name() {
    fails(
        verify_with("idn-homograph", "root.pem", "apple.com", Profile::WebPki),
        ErrorKind::HostnameMismatch,
        0,
        "apple.com is not covered: the certificate covers DNS:xn--pple-43d.com",
    );
    // the A-label is a name of its own, and the certificate does cover it
    let v = verify_with(
        "idn-homograph",
        "root.pem",
        "xn--pple-43d.com",
        Profile::WebPki,
    )
    .unwrap();
    assert_eq!(subjects(&v)[0], "CN=xn--pple-43d.com");
    // a U-label is not a host name certchain takes
    let e = ServerName::parse("\u{430}pple.com").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
}

#[test]
fn utf8_dns_name_in_san_is_malformed() {
    // OpenSSL 3.0 accepts the certificate.
    unreadable(
        "san-utf8",
        "chain.pem",
        "extension id-ce-subjectAltName: malformed ASN.1 DER value for IA5String",
    );
    input_error("san-utf8/chain.pem", "IA5String");
}

// ---------------------------------------------------------------- (m)

#[test]
fn leaf_in_the_trust_store_is_not_its_own_anchor() {
    // Store = the leaf alone: the path must still reach a root (OpenSSL 3.0: error 20 at
    // depth 1; it accepts the chain only with -partial_chain).
    fails(
        verify_with(
            "leaf-in-store",
            "leaf-in-store/leaf.pem",
            &host("leaf-in-store"),
            Profile::WebPki,
        ),
        ErrorKind::UnknownIssuer,
        1,
        &format!("issuer {ROOT} is neither in the chain nor in the trust store"),
    );
    // Store = root + leaf: the path goes to the root.
    let v = verify_with(
        "leaf-in-store",
        "leaf-in-store/root-and-leaf.pem",
        &host("leaf-in-store"),
        Profile::WebPki,
    )
    .unwrap();
    assert_eq!(subjects(&v), ["CN=leaf-in-store.example.test", INT, ROOT]);
}

#[test]
fn self_signed_leaf_in_the_trust_store_is_not_its_own_anchor() {
    // OpenSSL 3.0 accepts it (also with -x509_strict), as Go does; certchain, like
    // rustls-webpki, never takes an end-entity certificate as a trust anchor.
    let e = fails(
        verify_with(
            "self-signed-leaf-in-store",
            "self-signed-leaf-in-store/chain.pem",
            "self-signed-leaf.example.test",
            Profile::WebPki,
        ),
        ErrorKind::UnknownIssuer,
        0,
        "CN=self-signed-leaf.example.test is itself in the trust store, but a leaf is never accepted as its own trust anchor",
    );
    assert_eq!(e.path().len(), 1);
}

// ---------------------------------------------------------------- (n)

#[test]
fn trusted_root_whose_validity_has_ended() {
    let e = fails(
        verify_with(
            "expired-root",
            "expired-root/root.pem",
            &host("expired-root"),
            Profile::WebPki,
        ),
        ErrorKind::Expired,
        2,
        "certificate expired at 2024-06-01T00:00:00Z; verification time 2025-06-01T00:00:00Z",
    );
    assert_eq!(
        e.subject(),
        Some("CN=Certchain Adversarial Expired Root,O=certchain tests")
    );
    assert!(e.path()[2].trust_anchor);
    let (code, json, _) = certchain(
        "expired-root/root.pem",
        &host("expired-root"),
        "expired-root/chain.pem",
    );
    assert_eq!(code, Some(1));
    assert_eq!(json["error"]["kind"], "expired");
    assert_eq!(json["error"]["depth"], 2);
}

#[test]
fn control_characters_in_names_are_escaped_in_text_output() {
    // Found by a newcomer's attack run: a SAN holding ESC or a newline was printed raw, so a
    // certificate could clear the terminal or forge an "OK" line in the text output.
    for args in [
        vec![
            "verify",
            "--at",
            "@1748736000",
            "--roots",
            "fixtures/adversarial/root.pem",
            "--host",
            "other.test",
            "fixtures/adversarial/san-nul/chain.pem",
        ],
        vec!["show", "fixtures/adversarial/san-nul/chain.pem"],
    ] {
        let out = Command::cargo_bin("certchain")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(&args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains('\0'), "{args:?}: raw NUL in {text:?}");
        assert!(
            text.contains(r"DNS:good.example\x00.evil.test"),
            "{args:?}: {text}"
        );
    }
    assert_eq!(
        AltName::Dns("a\u{1b}[2Jb\nOK".into()).to_string(),
        r"DNS:a\x1b[2Jb\x0aOK"
    );
    // C1 controls (an 8-bit CSI, NEL) and the characters that reorder or hide text
    assert_eq!(
        certchain::printable("evil\u{9b}2J\u{85}\u{202E}RLO\u{200B}"),
        r"evil\x9b2J\x85\u{202E}RLO\u{200B}"
    );
    assert_eq!(certchain::printable("Zürich ✓"), "Zürich ✓");
}
