//! Certificate parsing: `Certificate::from_der` on arbitrary bytes, then every accessor and the
//! renderings (RFC 4514 names, SANs, OIDs, hex), with invariants that tie them together.
#![no_main]

use certchain::{covers_name, hex, oid_name, AltName, Certificate, ErrorKind, ServerName};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let cert = match Certificate::from_der(data) {
        Ok(c) => c,
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Malformed, "{e}");
            assert!(!e.message().is_empty());
            return;
        }
    };

    // The certificate is exactly the input; its parts are slices of it.
    assert_eq!(cert.der(), data);
    let tbs = cert.tbs_der();
    let alg = cert.signature_algorithm_der();
    assert!(!tbs.is_empty() && !alg.is_empty());
    // The TBS and the signature algorithm follow the outer header, in that order.
    let der = cert.der().as_ptr_range();
    let (t, a) = (tbs.as_ptr_range(), alg.as_ptr_range());
    assert!(
        der.start < t.start && t.end == a.start && a.end < der.end,
        "TBS/algorithm ranges"
    );
    assert_eq!(
        &data[t.start as usize - der.start as usize..][..tbs.len()],
        tbs
    );
    let _ = cert.tbs_signature_algorithm_der();
    let _ = cert.signature();
    assert!(
        cert.version() <= 2,
        "version {} (0 = v1, 2 = v3)",
        cert.version()
    );

    // Renderings.
    let _ = cert.serial();
    assert_eq!(cert.serial_hex(), hex(cert.serial()));
    assert_eq!(cert.sha256_hex(), hex(cert.sha256()));
    assert_eq!(cert.sha256_hex().len(), 64);
    let subject = cert.subject().to_string();
    let _ = cert.issuer();
    assert_eq!(
        cert.subject(),
        subject,
        "the subject renders the same twice"
    );
    let _ = cert.subject_is_empty();
    let _ = (cert.subject_key(), cert.issuer_key());
    if cert.subject_key() == cert.issuer_key() {
        assert!(cert.is_self_issued());
    }
    let _ = (cert.not_before(), cert.not_after());
    let _ = cert.spki_der();
    let _ = (cert.subject_key_id(), cert.authority_key_id());
    if let Some(aki) = cert.authority_key_id_info() {
        assert_eq!(aki.key_id.as_deref(), cert.authority_key_id());
    }
    let _ = cert.common_names();
    let _ = cert.basic_constraints();
    let _ = cert.key_usage();
    if let Some(ekus) = cert.extended_key_usage() {
        for oid in ekus {
            assert!(!oid_name(oid).is_empty());
        }
    }
    for (oid, critical) in cert.extensions() {
        assert_eq!(cert.extension_criticality(oid), Some(*critical));
        assert!(!oid_name(oid).is_empty());
    }
    for oid in cert.unknown_critical_extensions() {
        assert_eq!(cert.extension_criticality(oid), Some(true));
    }
    if let Some(nc) = cert.name_constraints() {
        for n in nc.permitted.iter().chain(nc.excluded.iter()).flatten() {
            let _ = (n.to_string(), n.value());
        }
    }
    let _ = format!("{cert:?}");

    // A name a SAN states exactly is covered by the certificate. Only the first SANs: each
    // covers_name call scans every SAN, and limbo's nc-dos leaves carry 2,049 of them (checking
    // all would make this harness, not certchain, quadratic: 2.5 s per execution).
    if let Some(sans) = cert.subject_alt_names() {
        for san in sans.iter().take(16) {
            let shown = san.to_string();
            assert!(shown.ends_with(&san.value()) || matches!(san, AltName::Other(_)));
            let literal = match san {
                AltName::Dns(d) => d.clone(),
                AltName::Ip(b) if b.len() == 4 || b.len() == 16 => san.value(),
                _ => continue,
            };
            if let Ok(name) = ServerName::parse(&literal) {
                let same_kind = matches!(
                    (san, &name),
                    (AltName::Dns(_), ServerName::Dns(_)) | (AltName::Ip(_), ServerName::Ip(_))
                );
                if same_kind {
                    assert!(covers_name(&cert, &name), "{san} does not cover {name}");
                }
            }
        }
    }

    // Parsing is deterministic.
    let again = Certificate::from_der(data).expect("the same bytes parse again");
    assert_eq!(again, cert);
    assert!(again.same_subject_and_key(&cert));
    assert_eq!(again.subject(), subject);
});
