//! Every bound on hostile input triggers with a precise error, not a timeout: the size and
//! certificate count of a bundle, the presented chain's size, candidate issuers sharing one name,
//! signature checks, chain depth (a cross-sign cycle of 50 CAs), name-constraint comparisons
//! (10,000 SANs against 1,000 constraints), and extensions (50,000 in one certificate).
//!
//! The trust graphs are described in code and built at test time with the `openssl` crate
//! (fresh P-256 keys, fixed names, serials and validity), so the topology is what each test reads.

use std::time::{Duration, Instant};

use assert_cmd::Command;
use certchain::{
    Bundle, Certificate, ErrorKind, Limits, Policy, ServerName, TrustStore, Verifier,
    MAX_BUNDLE_BYTES, MAX_BUNDLE_CERTIFICATES,
};
use openssl::pkey::{PKey, Private};

mod common;
use common::*;

/// Anything that must end by a limit ends well within this (debug build, 2 cores).
const PROMPT: Duration = Duration::from_secs(20);

/// Verify and return the error, checking that the search ended promptly.
fn refused(v: &Verifier, chain: &[Certificate], policy: &Policy) -> certchain::Error {
    let start = Instant::now();
    let e = v
        .verify(chain, policy)
        .expect_err("a hostile chain must not verify");
    assert!(start.elapsed() < PROMPT, "took {:?}", start.elapsed());
    e
}

/// A working chain under the limits, to show each test's PKI verifies when it is not hostile.
#[test]
fn the_test_pki_verifies() {
    let rk = key();
    let ik = key();
    let r = root("Limits Root", &rk);
    let i = ca("Limits Int", 2, &ik, Some(("Limits Root", &rk)));
    let l = leaf("Limits Int", &ik, &[HOST.to_string()]);
    let ok = Verifier::new(store([r]))
        .verify(&[l, i], &policy())
        .unwrap_or_else(|e| panic!("{e}"));
    let subjects: Vec<&str> = ok.certificates().map(Certificate::subject).collect();
    assert_eq!(
        subjects,
        [
            "CN=host.example.test,O=certchain limits",
            "CN=Limits Int,O=certchain limits",
            "CN=Limits Root,O=certchain limits"
        ]
    );
}

#[test]
fn a_bundle_of_10000_certificates_with_one_subject_is_refused_by_count() {
    let rk = key();
    let r = root("One Subject", &rk);
    let one = pem(&[&r]);
    let text = one.repeat(10_000);
    let start = Instant::now();
    let e = Bundle::parse(text.as_bytes(), "many.pem").expect_err("over the limit");
    assert!(start.elapsed() < PROMPT);
    assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    let line = MAX_BUNDLE_CERTIFICATES * one.lines().count() + 1;
    assert_eq!(
        e.message(),
        format!(
            "many.pem: more than the limit of {MAX_BUNDLE_CERTIFICATES} certificates in one bundle (line {line})"
        )
    );
    // The same as a trust store, and as DER.
    let e = TrustStore::from_pem(text.as_bytes(), "many.pem").expect_err("over the limit");
    assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    let der = r.der().repeat(10_000);
    let e = Bundle::parse(&der, "many.der").expect_err("over the limit");
    assert_eq!(
        e.message(),
        format!(
            "many.der: more than the limit of {MAX_BUNDLE_CERTIFICATES} certificates in one bundle"
        )
    );
    // Exactly at the limit is fine.
    let at_limit = one.repeat(MAX_BUNDLE_CERTIFICATES);
    let b = Bundle::parse(at_limit.as_bytes(), "limit.pem").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.certificates.len(), MAX_BUNDLE_CERTIFICATES);

    // The CLI: an input error (exit 2) naming the file, for a chain and for a trust store.
    let dir = std::env::temp_dir().join(format!("certchain-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let many = dir.join("many.pem");
    std::fs::write(&many, &text).expect("write");
    let out = Command::cargo_bin("certchain")
        .expect("bin")
        .args(["verify", "--at", "@1748736000"])
        .arg(&many)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("more than the limit of 4096 certificates in one bundle"),
        "{stderr}"
    );
    assert!(stderr.contains("many.pem"), "{stderr}");
    let out = Command::cargo_bin("certchain")
        .expect("bin")
        .args(["verify", "--at", "@1748736000", "--roots"])
        .arg(&many)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/rsa/chain.pem"
        ))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("4096 certificates"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bundle_over_the_size_limit_is_refused_before_parsing() {
    let big = vec![b'#'; MAX_BUNDLE_BYTES + 1];
    let e = Bundle::parse(&big, "huge.pem").expect_err("over the limit");
    assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    assert_eq!(
        e.message(),
        format!(
            "huge.pem: input is {} bytes, more than the limit of {MAX_BUNDLE_BYTES}",
            MAX_BUNDLE_BYTES + 1
        )
    );
}

/// `n` distinct self-signed CAs all named `cn`, each with its own serial (one shared key).
fn same_name_cas(cn: &str, n: u32, key: &PKey<Private>) -> Vec<Certificate> {
    (0..n)
        .map(|i| {
            build(Spec {
                subject: cn,
                serial: 10 + i,
                key,
                issuer: None,
                ca: true,
                names: &[],
                ski_of: None,
                subject_email: None,
                extra: &[],
            })
        })
        .collect()
}

#[test]
fn a_store_with_1000_anchors_of_one_name_is_refused_by_the_candidate_limit() {
    let real = key();
    let impostor = key();
    let mut anchors = same_name_cas("Crowded Root", 1000, &impostor);
    anchors.push(root("Crowded Root", &real));
    let v = Verifier::new(store(anchors));
    let l = leaf("Crowded Root", &real, &[HOST.to_string()]);
    let e = refused(&v, std::slice::from_ref(&l), &policy());
    assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    assert_eq!(e.depth(), Some(0));
    assert_eq!(e.subject(), Some("CN=host.example.test,O=certchain limits"));
    assert!(
        e.message().starts_with(
            "1001 certificates are named CN=Crowded Root,O=certchain limits, the issuer of this certificate: more than the limit of 64 candidate issuers"
        ),
        "{}",
        e.message()
    );
    // With the limit raised, the signature budget ends the search instead (impostors sort
    // first by nothing, so some of the 100 checks go to them), and never by a timeout.
    let raised = policy().with_limits(Limits {
        max_issuer_candidates: 2000,
        ..Limits::default()
    });
    let start = Instant::now();
    let r = v.verify(std::slice::from_ref(&l), &raised);
    assert!(start.elapsed() < PROMPT);
    match r {
        Ok(chain) => assert_eq!(chain.len(), 2),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
            assert!(e.message().contains("signature checks (limit 100)"), "{e}");
        }
    }
}

#[test]
fn presented_impostors_hit_the_candidate_limit_then_the_signature_budget() {
    let rk = key();
    let ik = key();
    let r = root("Impostor Root", &rk);
    let i = ca("Impostor Int", 2, &ik, Some(("Impostor Root", &rk)));
    let l = leaf("Impostor Int", &ik, &[HOST.to_string()]);
    // 200 certificates named like the intermediate, with another key but the real
    // intermediate's key identifier (so AKI/SKI ordering cannot tell them apart): the real one
    // comes last.
    let fake = key();
    let mut chain = vec![l.clone()];
    chain.extend((0..200).map(|n| {
        build(Spec {
            subject: "Impostor Int",
            serial: 10 + n,
            key: &fake,
            issuer: None,
            ca: true,
            names: &[],
            ski_of: Some(&ik),
            subject_email: None,
            extra: &[],
        })
    }));
    chain.push(i.clone());
    let v = Verifier::new(store([r]));
    let e = refused(&v, &chain, &policy());
    assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    assert_eq!(e.depth(), Some(0));
    assert!(
        e.message()
            .starts_with("201 certificates are named CN=Impostor Int"),
        "{}",
        e.message()
    );
    let raised = policy().with_limits(Limits {
        max_issuer_candidates: 1000,
        ..Limits::default()
    });
    let e = refused(&v, &chain, &raised);
    assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    assert_eq!(
        e.message(),
        "gave up after 100 signature checks (limit 100)"
    );
    // where the search was when the budget ran out
    assert!(e.depth().is_some() && e.subject().is_some(), "{e}");
    // Impostors with their own key identifiers sort after the real intermediate (its SKI is
    // the leaf's AKI), which is then tried first and verifies.
    let mut honest_order = vec![l];
    honest_order.extend(same_name_cas("Impostor Int", 200, &fake));
    honest_order.push(i);
    let ok = v
        .verify(&honest_order, &raised)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok.len(), 3);
    // Over the presented-chain size limit, it is refused before any search.
    let mut long = chain.clone();
    long.extend(same_name_cas("Padding", 60, &key()));
    let e = v.verify(&long, &raised).expect_err("too many");
    assert_eq!(
        e.message(),
        "the chain has 262 different certificates, more than the limit of 256"
    );
}

/// A ring of `n` CAs, each certified by the next (and, with `double`, also by the one after),
/// none trusted; the leaf is issued by CA 0.
fn ring(n: usize, double: bool) -> (Certificate, Vec<Certificate>) {
    let keys: Vec<PKey<Private>> = (0..n).map(|_| key()).collect();
    let names: Vec<String> = (0..n).map(|i| format!("Ring CA {i}")).collect();
    let mut cas = Vec::new();
    for i in 0..n {
        let steps: &[usize] = if double { &[1, 2] } else { &[1] };
        for &step in steps {
            let j = (i + step) % n;
            cas.push(ca(
                &names[i],
                (100 + i * 2 + step) as u32,
                &keys[i],
                Some((&names[j], &keys[j])),
            ));
        }
    }
    (leaf(&names[0], &keys[0], &[HOST.to_string()]), cas)
}

#[test]
fn a_cross_sign_cycle_of_50_cas_ends_by_depth_then_by_loop_detection() {
    let (l, cas) = ring(50, false);
    let mut chain = vec![l];
    chain.extend(cas);
    let v = Verifier::new(store([root("Elsewhere Root", &key())]));
    // Default limits: ten intermediates deep, the next CA would be the eleventh.
    let e = refused(&v, &chain, &policy());
    assert_eq!(e.kind(), ErrorKind::ChainTooLong);
    assert_eq!(e.depth(), Some(10));
    assert_eq!(e.subject(), Some("CN=Ring CA 9,O=certchain limits"));
    assert_eq!(
        e.message(),
        "reaching a trust anchor needs more than 10 intermediates"
    );
    // With room for the whole ring, the search goes round once and stops where the next issuer
    // is already on the path: no anchor, so unknown_issuer at the last CA, after 50 checks.
    let roomy = policy().with_limits(Limits {
        max_intermediates: 100,
        ..Limits::default()
    });
    let e = refused(&v, &chain, &roomy);
    assert_eq!(e.kind(), ErrorKind::UnknownIssuer);
    assert_eq!(e.depth(), Some(50));
    assert_eq!(e.subject(), Some("CN=Ring CA 49,O=certchain limits"));
}

#[test]
fn a_doubly_cross_signed_cycle_of_50_cas_ends_by_a_budget() {
    // Every CA is certified by the next two: the paths branch at every step, so without budgets
    // the search would be exponential in the depth.
    let (l, cas) = ring(50, true);
    let mut chain = vec![l];
    chain.extend(cas);
    let v = Verifier::new(store([root("Elsewhere Root", &key())]));
    let roomy = policy().with_limits(Limits {
        max_intermediates: 100,
        ..Limits::default()
    });
    let e = refused(&v, &chain, &roomy);
    assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    assert_eq!(
        e.message(),
        "gave up after 100 signature checks (limit 100)"
    );
    // where the search was when the budget ran out
    assert!(e.depth().is_some() && e.subject().is_some(), "{e}");
    // Default depth limit: every path ends at ten intermediates.
    let e = refused(&v, &chain, &policy());
    assert_eq!(e.kind(), ErrorKind::ChainTooLong);
    // And the path-building step budget, when it is the tightest.
    let few_steps = policy().with_limits(Limits {
        max_path_steps: 50,
        ..Limits::default()
    });
    let e = refused(&v, &chain, &few_steps);
    assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    assert_eq!(
        e.message(),
        "path building gave up after 50 steps (limit 50)"
    );
    assert!(e.depth().is_some() && e.subject().is_some(), "{e}");
}

#[test]
fn ten_thousand_sans_against_a_thousand_name_constraints_hit_the_comparison_budget() {
    let rk = key();
    let ik = key();
    let r = root("NC Root", &rk);
    let permitted: Vec<String> = (0..1000).map(|i| format!("nc{i}.example.test")).collect();
    let i = build(Spec {
        subject: "NC Int",
        serial: 2,
        key: &ik,
        issuer: Some(("NC Root", &rk)),
        ca: true,
        names: &permitted,
        ski_of: None,
        subject_email: None,
        extra: &[],
    });
    let mut sans = vec![HOST.to_string()];
    sans.extend((0..9999).map(|j| format!("h{j}.nc999.example.test")));
    let l = leaf("NC Int", &ik, &sans);
    assert_eq!(l.subject_alt_names().map(|s| s.len()), Some(10_000));
    let v = Verifier::new(store([r]));
    let e = refused(&v, &[l, i.clone()], &policy());
    assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    assert_eq!(e.depth(), Some(0));
    assert_eq!(
        e.message(),
        "checking names against the name constraints of the CA at depth 1 needs more than 250000 comparisons"
    );
    // A leaf with a few names under the same CA is judged on its names.
    let inside = leaf("NC Int", &ik, &["h1.nc999.example.test".to_string()]);
    let p = Policy::new(AT).with_name(ServerName::parse("h1.nc999.example.test").expect("n"));
    let ok = v
        .verify(&[inside, i.clone()], &p)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok.len(), 3);
    let outside = leaf("NC Int", &ik, &["outside.example.org".to_string()]);
    let p = Policy::new(AT).with_name(ServerName::parse("outside.example.org").expect("n"));
    let e = refused(&v, &[outside, i], &p);
    assert_eq!(e.kind(), ErrorKind::NameConstraints, "{e}");
    assert_eq!(e.depth(), Some(0));
}

#[test]
fn an_endless_input_file_is_refused_after_the_size_limit() {
    // /dev/zero never ends: it is read one byte past the limit, then refused (exit 2), as a
    // chain and as a trust store; the library's reader says the same.
    let e = certchain::read_bundle_file(std::path::Path::new("/dev/zero")).expect_err("endless");
    assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    assert_eq!(
        e.message(),
        format!("/dev/zero: more than {MAX_BUNDLE_BYTES} bytes, the limit for one bundle")
    );
    let e = TrustStore::from_file(std::path::Path::new("/dev/zero")).expect_err("endless");
    assert_eq!(e.kind(), ErrorKind::BudgetExceeded);
    for args in [
        vec!["verify", "/dev/zero"],
        vec!["verify", "--roots", "/dev/zero", "fixtures/rsa/chain.pem"],
    ] {
        let start = Instant::now();
        let out = Command::cargo_bin("certchain")
            .expect("bin")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(&args)
            .output()
            .expect("run");
        assert!(start.elapsed() < PROMPT);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("/dev/zero: more than 67108864 bytes, the limit for one bundle"),
            "{args:?}: {stderr}"
        );
    }
}

/// The seed chain's leaf with its extensions replaced by empty ones of the OIDs `oids` (the
/// signature no longer matches, which parsing does not look at).
fn leaf_with_extensions(oids: &[const_oid::ObjectIdentifier]) -> Vec<u8> {
    use der::{Decode, Reader, SliceReader};
    fn value(tlv: &[u8]) -> &[u8] {
        let mut r = SliceReader::new(tlv).unwrap();
        let h = der::Header::decode(&mut r).unwrap();
        r.read_slice(h.length()).unwrap()
    }
    let leaf = Bundle::parse(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/letsencrypt-2021/leaf.pem"
        ))
        .unwrap(),
        "leaf",
    )
    .unwrap();
    let der = leaf.certificates[0].der().to_vec();
    let mut r = SliceReader::new(value(&der)).unwrap();
    let (tbs, alg, sig) = (
        r.tlv_bytes().unwrap(),
        r.tlv_bytes().unwrap(),
        r.tlv_bytes().unwrap(),
    );
    let mut fields = SliceReader::new(value(tbs)).unwrap();
    let mut kept = Vec::new();
    while !fields.is_finished() {
        let field = fields.tlv_bytes().unwrap();
        if field.first() != Some(&0xA3) {
            kept.extend_from_slice(field);
        }
    }
    let mut list = Vec::new();
    for oid in oids {
        let mut ext = der_tlv(0x06, oid.as_bytes());
        ext.extend(der_tlv(0x04, &[]));
        list.extend(der_tlv(0x30, &ext));
    }
    kept.extend(der_tlv(0xA3, &der_tlv(0x30, &list)));
    let mut cert = der_tlv(0x30, &kept);
    cert.extend_from_slice(alg);
    cert.extend_from_slice(sig);
    der_tlv(0x30, &cert)
}

/// A repeated extension is found by sorting: comparing each extension with every earlier one made
/// a 5.5 MB certificate of 240,000 empty extensions cost 43 s of CPU (found by an attack run).
#[test]
fn many_extensions_parse_and_a_repeated_one_is_named() {
    let oid = |i: u32| const_oid::ObjectIdentifier::new(&format!("1.3.6.1.4.1.99999.{i}")).unwrap();
    let many: Vec<_> = (0..50_000).map(oid).collect();
    let c = Certificate::from_der(&leaf_with_extensions(&many)).unwrap();
    assert_eq!(c.extensions().len(), 50_000);
    // The extension whose second copy comes first is named.
    let mut long = many.clone();
    long.extend([oid(49_999), oid(7)]);
    for (list, repeated) in [
        (vec![oid(1), oid(2), oid(1)], 1),
        (vec![oid(3), oid(2), oid(2), oid(3)], 2),
        (long, 49_999),
    ] {
        let e = Certificate::from_der(&leaf_with_extensions(&list)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed);
        assert!(
            e.message().contains(&format!(
                "extension {} appears more than once",
                oid(repeated)
            )),
            "{e}"
        );
    }
    assert!(Certificate::from_der(&leaf_with_extensions(&[oid(1), oid(2)])).is_ok());
}
