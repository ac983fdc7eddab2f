//! The checks made on a candidate path, at every depth (0 = leaf, the last one = trust anchor):
//! validity, what each certificate may do, key strength, name constraints and the host name.
//! Signature checks happen while the path is built (see `path.rs`).

use crate::cert::{AltName, Certificate};
use crate::crl::{show_names, Crl, ALL_REASONS};
use crate::crypto::{parse_signature_algorithm, CryptoBackend, PublicKeyKind};
use crate::error::{CertError, ErrorKind};
use crate::name::{san_covers, ServerName};
use crate::policy::{eku, Policy, Profile};
use crate::rules::{self, Role};
use crate::time::rfc3339;

fn err(kind: ErrorKind, message: String) -> CertError {
    CertError { kind, message }
}

/// Every problem of the path `certs` (leaf first; the last is an anchor when `anchored`), per depth.
pub(crate) fn evaluate(
    certs: &[&Certificate],
    anchored: bool,
    policy: &Policy,
    backend: &dyn CryptoBackend,
) -> Vec<Vec<CertError>> {
    let mut out: Vec<Vec<CertError>> = vec![Vec::new(); certs.len()];
    let last = certs.len().saturating_sub(1);
    for ((depth, cert), errors) in certs.iter().enumerate().zip(out.iter_mut()) {
        let is_anchor = anchored && depth == last;
        let role = if depth == 0 {
            Role::Leaf
        } else if is_anchor && cert.is_self_issued() {
            Role::Root
        } else {
            Role::Intermediate
        };
        check_validity(cert, policy, errors);
        check_critical(cert, errors);
        check_key(cert, policy, errors);
        rules::check(cert, role, is_anchor, policy, errors);
        if depth == 0 {
            check_leaf_eku(cert, policy, errors);
            if let Some(name) = &policy.name {
                check_name(cert, name, policy, errors);
            }
        } else {
            check_issuer(cert, depth, is_anchor, certs, policy, errors);
        }
    }
    check_name_constraints(certs, policy, &mut out);
    if !policy.crls.is_empty() {
        check_revocation(certs, anchored, policy, backend, &mut out);
    }
    out
}

fn check_validity(cert: &Certificate, policy: &Policy, errors: &mut Vec<CertError>) {
    if policy.time > cert.not_after() {
        errors.push(err(
            ErrorKind::Expired,
            format!(
                "certificate expired at {}; verification time {}",
                rfc3339(cert.not_after()),
                rfc3339(policy.time)
            ),
        ));
    } else if policy.time < cert.not_before() {
        errors.push(err(
            ErrorKind::NotYetValid,
            format!(
                "certificate is not valid before {}; verification time {}",
                rfc3339(cert.not_before()),
                rfc3339(policy.time)
            ),
        ));
    }
}

fn check_critical(cert: &Certificate, errors: &mut Vec<CertError>) {
    for oid in cert.unknown_critical_extensions() {
        errors.push(err(
            ErrorKind::UnknownCriticalExtension,
            format!(
                "critical extension {} is not understood, so the certificate must be rejected",
                crate::cert::oid_name(oid)
            ),
        ));
    }
}

fn check_key(cert: &Certificate, policy: &Policy, errors: &mut Vec<CertError>) {
    match cert.public_key_kind() {
        Ok(PublicKeyKind::Rsa { bits, .. }) if bits < policy.min_rsa_bits => errors.push(err(
            ErrorKind::WeakKey,
            format!(
                "RSA key of {bits} bits is below the minimum of {}; reissue with a 2048-bit or larger key",
                policy.min_rsa_bits
            ),
        )),
        // No backend verifies with a larger key, as an issuer's or in a TLS handshake.
        Ok(PublicKeyKind::Rsa { bits, .. })
            if usize::try_from(bits).unwrap_or(usize::MAX) > crate::crypto::rustcrypto::MAX_RSA_BITS =>
        {
            errors.push(err(
                ErrorKind::UnsupportedAlgorithm,
                format!(
                    "RSA key of {bits} bits is above the maximum of {} certchain supports",
                    crate::crypto::rustcrypto::MAX_RSA_BITS
                ),
            ))
        }
        _ => {}
    }
}

fn eku_names(ekus: &[const_oid::ObjectIdentifier]) -> String {
    ekus.iter()
        .map(crate::cert::oid_name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_leaf_eku(cert: &Certificate, policy: &Policy, errors: &mut Vec<CertError>) {
    let required = policy.effective_ekus();
    if required.is_empty() || required.contains(&eku::ANY) {
        return;
    }
    match cert.extended_key_usage() {
        Some(have) => {
            let any_ok = policy.profile == Profile::Rfc5280 && have.contains(&eku::ANY);
            if !any_ok && !required.iter().any(|r| have.contains(r)) {
                errors.push(err(
                    ErrorKind::ExtendedKeyUsage,
                    format!(
                        "extendedKeyUsage ({}) does not include {}",
                        eku_names(have),
                        eku_names(&required)
                    ),
                ));
            }
        }
        None if policy.profile == Profile::WebPki => errors.push(err(
            ErrorKind::ExtendedKeyUsage,
            format!(
                "no extendedKeyUsage extension; the WebPKI profile requires one including {}",
                eku_names(&required)
            ),
        )),
        None => {}
    }
}

fn check_issuer(
    cert: &Certificate,
    depth: usize,
    is_anchor: bool,
    certs: &[&Certificate],
    policy: &Policy,
    errors: &mut Vec<CertError>,
) {
    match cert.basic_constraints() {
        Some(bc) if bc.ca => {
            if let Some(max) = bc.path_len {
                // non-self-issued intermediates between this certificate and the leaf
                let below = certs
                    .get(1..depth)
                    .unwrap_or_default()
                    .iter()
                    .filter(|c| !c.is_self_issued())
                    .count();
                if below > usize::from(max) {
                    errors.push(err(
                        ErrorKind::PathLengthExceeded,
                        format!(
                            "pathLenConstraint {max} allows {max} intermediate(s) below this CA, the path has {below}"
                        ),
                    ));
                }
            }
        }
        // A version 1 trust anchor has no extensions; it is trusted as a CA by being in the store.
        None if is_anchor && cert.version() == 0 => {}
        Some(_) => errors.push(err(
            ErrorKind::NotACa,
            "basicConstraints says cA=FALSE, but this certificate issued the one below it".into(),
        )),
        None => errors.push(err(
            ErrorKind::NotACa,
            "no basicConstraints extension, so this certificate may not issue certificates".into(),
        )),
    }
    if let Some(ku) = cert.key_usage() {
        if !ku.key_cert_sign {
            errors.push(err(
                ErrorKind::KeyUsage,
                "keyUsage lacks keyCertSign, so this key may not sign certificates".into(),
            ));
        }
    }
    let required = policy.effective_ekus();
    if let Some(have) = cert.extended_key_usage() {
        // anyExtendedKeyUsage alone stands for every purpose only under RFC 5280; the WebPKI
        // forbids it in TLS subordinate CAs (CABF BR 7.1.2.10.6), and OpenSSL and rustls-webpki
        // refuse it there too, as for the leaf.
        let any_ok = policy.profile == Profile::Rfc5280 && have.contains(&eku::ANY);
        if !required.is_empty()
            && !required.contains(&eku::ANY)
            && !any_ok
            && !required.iter().any(|r| have.contains(r))
        {
            errors.push(err(
                ErrorKind::ExtendedKeyUsage,
                format!(
                    "this CA's extendedKeyUsage ({}) does not allow {}",
                    eku_names(have),
                    eku_names(&required)
                ),
            ));
        }
    }
}

fn check_name(cert: &Certificate, name: &ServerName, policy: &Policy, errors: &mut Vec<CertError>) {
    let sans = cert.subject_alt_names().unwrap_or_default();
    if !san_covers(sans, name, policy.profile == Profile::WebPki) {
        let listed: Vec<String> = sans
            .iter()
            .filter(|s| matches!(s, AltName::Dns(_) | AltName::Ip(_)))
            .map(|s| s.to_string())
            .collect();
        let what = if listed.is_empty() {
            "the certificate has no DNS or IP subjectAltName (the common name is never used)"
                .to_string()
        } else {
            format!("the certificate covers {}", listed.join(", "))
        };
        errors.push(err(
            ErrorKind::HostnameMismatch,
            format!("{name} is not covered: {what}"),
        ));
    }
}

/// Apply each CA's nameConstraints to the certificates below it, within the comparison budget.
fn check_name_constraints(certs: &[&Certificate], policy: &Policy, out: &mut [Vec<CertError>]) {
    let mut comparisons: u64 = 0;
    let limit = u64::from(policy.limits.max_name_constraint_checks);
    for (ca_depth, ca) in certs.iter().enumerate().skip(1) {
        let Some(nc) = ca.name_constraints() else {
            continue;
        };
        let constraints =
            nc.permitted.as_ref().map_or(0, Vec::len) + nc.excluded.as_ref().map_or(0, Vec::len);
        for (depth, cert) in certs.iter().enumerate().take(ca_depth) {
            // self-issued intermediates are exempt (RFC 5280 6.1.4 (b))
            if depth > 0 && cert.is_self_issued() {
                continue;
            }
            let mut names: Vec<AltName> = match cert.subject_alt_names() {
                Some(sans) => sans.to_vec(),
                // RFC 5280 4.2.1.10: without a subjectAltName, rfc822Name constraints apply to
                // the subject's emailAddress attributes.
                None => cert
                    .subject_email_addresses()
                    .iter()
                    .map(|e| AltName::Email(e.clone()))
                    .collect(),
            };
            if !cert.subject_is_empty() {
                names.push(AltName::Directory(
                    cert.subject_key().clone(),
                    cert.subject().to_string(),
                ));
            }
            comparisons += (names.len() as u64) * (constraints as u64);
            let Some(errs) = out.get_mut(depth) else {
                continue;
            };
            if comparisons > limit {
                errs.push(err(
                    ErrorKind::BudgetExceeded,
                    format!(
                        "checking names against the name constraints of the CA at depth {ca_depth} needs more than {limit} comparisons"
                    ),
                ));
                return;
            }
            for name in &names {
                if let Some(problem) = constraint_problem(
                    name,
                    nc.permitted.as_deref(),
                    nc.excluded.as_deref().unwrap_or_default(),
                ) {
                    errs.push(err(
                        ErrorKind::NameConstraints,
                        format!(
                            "{name} {problem} of the CA at depth {ca_depth} ({})",
                            ca.subject()
                        ),
                    ));
                }
            }
        }
    }
}

/// Revocation from the caller's CRLs: every certificate below the anchor is looked up in the CRLs
/// of its issuer (the next certificate up the path) whose scope covers it. A CRL from the issuer
/// that is out of scope says nothing about the certificate: when only such CRLs were supplied,
/// or the in-scope ones cover only some revocation reasons, the status is unknown (fail closed).
/// With no CRL from the issuer at all, nothing is checked.
fn check_revocation(
    certs: &[&Certificate],
    anchored: bool,
    policy: &Policy,
    backend: &dyn CryptoBackend,
    out: &mut [Vec<CertError>],
) {
    let top = if anchored {
        certs.len().saturating_sub(1)
    } else {
        certs.len()
    };
    for depth in 0..top {
        let (Some(cert), Some(issuer)) = (certs.get(depth), certs.get(depth + 1)) else {
            continue;
        };
        let Some(errs) = out.get_mut(depth) else {
            continue;
        };
        let is_ca = depth > 0 || cert.basic_constraints().is_some_and(|b| b.ca);
        let mut out_of_scope = Vec::new();
        let mut in_scope = false;
        let mut concluded = false;
        let mut reasons = 0u16;
        for crl in policy.crls.iter().filter(|c| crl_is_for(c, issuer)) {
            if let Err(why) = crl_covers(crl, cert, is_ca) {
                out_of_scope.push(format!("CRL {} ({why})", crl.source()));
                continue;
            }
            in_scope = true;
            if let Err(problem) = crl_usable(crl, issuer, policy, backend) {
                errs.push(err(
                    ErrorKind::RevocationUnknown,
                    format!(
                        "the CRL from {} ({}) cannot be used: {problem}",
                        crl.issuer(),
                        crl.source()
                    ),
                ));
                concluded = true;
                continue;
            }
            reasons |= crl.scope().reasons.unwrap_or(ALL_REASONS);
            if let Some(date) = crl.revocation_of(cert.serial()) {
                errs.push(err(
                    ErrorKind::Revoked,
                    format!(
                        "serial {} was revoked at {} by {} (CRL {})",
                        cert.serial_hex(),
                        rfc3339(date),
                        crl.issuer(),
                        crl.source()
                    ),
                ));
                concluded = true;
            }
        }
        if concluded {
            continue;
        }
        if !in_scope && !out_of_scope.is_empty() {
            errs.push(err(
                ErrorKind::RevocationUnknown,
                format!(
                    "no CRL from {} covers this certificate: the scope of each supplied CRL \
                     does not cover it (RFC 5280 5.2.5): {}",
                    issuer.subject(),
                    out_of_scope.join("; ")
                ),
            ));
        } else if in_scope && reasons & ALL_REASONS != ALL_REASONS {
            errs.push(err(
                ErrorKind::RevocationUnknown,
                format!(
                    "the CRLs from {} cover only some revocation reasons (onlySomeReasons), \
                     not all of them (RFC 5280 6.3.3)",
                    issuer.subject()
                ),
            ));
        }
    }
}

/// Whether `crl`'s issuingDistributionPoint covers `cert` (RFC 5280 6.3.3 (b)(2)); `Err` says why
/// not. Distribution point names are compared byte for byte (their DER).
fn crl_covers(crl: &Crl, cert: &Certificate, is_ca: bool) -> Result<(), String> {
    let scope = crl.scope();
    if scope.only_attribute {
        return Err("it covers only attribute certificates: onlyContainsAttributeCerts".into());
    }
    if scope.only_ca && !is_ca {
        return Err("it covers only CA certificates: onlyContainsCACerts".into());
    }
    if scope.only_user && is_ca {
        return Err("it covers only end-entity certificates: onlyContainsUserCerts".into());
    }
    let Some(idp) = &scope.distribution_point else {
        return Ok(());
    };
    match cert.crl_distribution_point_names() {
        None => Err(format!(
            "its distribution point {} does not cover a certificate without \
             cRLDistributionPoints",
            show_names(idp)
        )),
        Some(dp) if idp.iter().any(|i| dp.iter().any(|d| d.der == i.der)) => Ok(()),
        Some(dp) => Err(format!(
            "its distribution point {} is not one of the certificate's \
             cRLDistributionPoints {}",
            show_names(idp),
            show_names(dp)
        )),
    }
}

fn crl_is_for(crl: &Crl, issuer: &Certificate) -> bool {
    crl.issuer_key() == issuer.subject_key()
        && match (crl.authority_key_id(), issuer.subject_key_id()) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        }
}

fn crl_usable(
    crl: &Crl,
    issuer: &Certificate,
    policy: &Policy,
    backend: &dyn CryptoBackend,
) -> Result<(), String> {
    if let Some(u) = crl.unsupported().first() {
        return Err(format!("{u}: not supported"));
    }
    if issuer.key_usage().is_some_and(|k| !k.crl_sign) {
        return Err(format!(
            "the issuer's keyUsage lacks cRLSign ({})",
            issuer.subject()
        ));
    }
    if !crl.has_crl_number() {
        return Err("it has no cRLNumber (RFC 5280 5.2.3)".into());
    }
    if crl.this_update() > policy.time {
        return Err(format!(
            "it is not valid before {}",
            rfc3339(crl.this_update())
        ));
    }
    match crl.next_update() {
        Some(n) if n < policy.time => {
            return Err(format!("it is stale: nextUpdate was {}", rfc3339(n)))
        }
        None => return Err("it has no nextUpdate".into()),
        _ => {}
    }
    if crl.signature_algorithm_der() != crl.tbs_signature_algorithm_der() {
        return Err("its inner and outer signature algorithms differ".into());
    }
    let alg =
        parse_signature_algorithm(crl.signature_algorithm_der()).map_err(|e| e.to_string())?;
    backend
        .verify(alg, issuer.spki_der(), crl.tbs_der(), crl.signature())
        .map_err(|e| {
            format!(
                "its signature does not verify with the key of {}: {e}",
                issuer.subject()
            )
        })
}

fn same_form(a: &AltName, b: &AltName) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn constraint_problem(
    name: &AltName,
    permitted: Option<&[AltName]>,
    excluded: &[AltName],
) -> Option<&'static str> {
    for c in excluded.iter().filter(|c| same_form(c, name)) {
        match excluded_match(name, c) {
            Some(true) => return Some("is excluded by the name constraints"),
            None => return Some("cannot be checked against the name constraints"),
            Some(false) => {}
        }
    }
    if let Some(permitted) = permitted {
        let relevant: Vec<&AltName> = permitted.iter().filter(|c| same_form(c, name)).collect();
        if !relevant.is_empty() {
            let mut any = false;
            for c in relevant {
                match subtree_match(name, c) {
                    Some(true) => any = true,
                    None => return Some("cannot be checked against the name constraints"),
                    Some(false) => {}
                }
            }
            if !any {
                return Some("is outside the permitted name constraints");
            }
        }
    }
    None
}

/// Whether `name` may stand for a name inside the excluded subtree `base`. A wildcard dNSName
/// `*.example.com` conflicts with an excluded `bar.example.com`, a name it would match
/// (CVE-2025-61727: exclusions must hold for every name a wildcard can stand for).
fn excluded_match(name: &AltName, base: &AltName) -> Option<bool> {
    if let (AltName::Dns(n), AltName::Dns(b)) = (name, base) {
        if let Some(suffix) = n.strip_prefix("*.") {
            let b = b.to_ascii_lowercase();
            let b = b.strip_suffix('.').unwrap_or(&b);
            if b.split_once('.')
                .is_some_and(|(_, parent)| parent.eq_ignore_ascii_case(suffix))
            {
                return Some(true);
            }
        }
    }
    subtree_match(name, base)
}

/// Whether `name` lies within the subtree `base` (same form); `None` when it cannot be evaluated.
fn subtree_match(name: &AltName, base: &AltName) -> Option<bool> {
    match (name, base) {
        (AltName::Dns(n), AltName::Dns(b)) => Some(dns_in_subtree(n, b)),
        (AltName::Ip(n), AltName::Ip(b)) => ip_in_subtree(n, b),
        (AltName::Email(n), AltName::Email(b)) => Some(email_in_subtree(n, b)),
        (AltName::Uri(n), AltName::Uri(b)) => uri_host(n).map(|h| dns_in_subtree(&h, b)),
        (AltName::Directory(n, _), AltName::Directory(b, _)) => Some(n.within(b)),
        (AltName::Other(_), AltName::Other(_)) => None,
        _ => Some(false),
    }
}

fn dns_in_subtree(name: &str, base: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let name = name.strip_suffix('.').unwrap_or(&name);
    let base = base.to_ascii_lowercase();
    let base = base.strip_suffix('.').unwrap_or(&base);
    if base.is_empty() {
        return true;
    }
    // A wildcard name is in the subtree if every name it stands for is (its suffix is), and it
    // conflicts with an exclusion it could expand into: treat `*.x` as the subtree `x`'s children.
    let name = name
        .strip_prefix("*.")
        .map(|s| s.to_string())
        .map_or(name.to_string(), |s| format!("wildcard.{s}"));
    if let Some(sub) = base.strip_prefix('.') {
        return name.ends_with(&format!(".{sub}"));
    }
    name == base || name.ends_with(&format!(".{base}"))
}

fn uri_host(uri: &str) -> Option<String> {
    let rest = uri.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.starts_with('[') {
        return None;
    }
    let host = host.split(':').next()?;
    (!host.is_empty()).then(|| host.to_string())
}

fn email_in_subtree(name: &str, base: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let base = base.to_ascii_lowercase();
    if base.contains('@') {
        return name == base;
    }
    let Some((_, host)) = name.rsplit_once('@') else {
        return false;
    };
    if let Some(sub) = base.strip_prefix('.') {
        host.ends_with(&format!(".{sub}"))
    } else {
        host == base
    }
}

fn ip_in_subtree(name: &[u8], base: &[u8]) -> Option<bool> {
    if base.len() != 8 && base.len() != 32 {
        return None;
    }
    let (addr, mask) = base.split_at(base.len() / 2);
    if name.len() != addr.len() {
        return Some(false);
    }
    Some(
        name.iter()
            .zip(addr)
            .zip(mask)
            .all(|((n, a), m)| n & m == a & m),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_subtrees() {
        assert!(dns_in_subtree("a.example.com", "example.com"));
        assert!(dns_in_subtree("example.com", "example.com"));
        assert!(!dns_in_subtree("badexample.com", "example.com"));
        assert!(dns_in_subtree("a.example.com", ".example.com"));
        assert!(!dns_in_subtree("example.com", ".example.com"));
        assert!(dns_in_subtree("*.example.com", "example.com"));
        assert!(dns_in_subtree("*.bad.example.com", "bad.example.com"));
    }

    #[test]
    fn ip_subtrees() {
        let base = [10, 0, 0, 0, 255, 0, 0, 0];
        assert_eq!(ip_in_subtree(&[10, 1, 2, 3], &base), Some(true));
        assert_eq!(ip_in_subtree(&[11, 1, 2, 3], &base), Some(false));
        assert_eq!(ip_in_subtree(&[10, 1, 2, 3], &[1, 2, 3]), None);
    }

    #[test]
    fn emails_and_uris() {
        assert!(email_in_subtree("a@example.com", "example.com"));
        assert!(email_in_subtree("a@x.example.com", ".example.com"));
        assert!(!email_in_subtree("a@example.com", "b@example.com"));
        assert_eq!(
            uri_host("https://user@www.example.com:443/x").as_deref(),
            Some("www.example.com")
        );
    }
}

#[cfg(test)]
mod anchor_tests {
    use super::*;

    /// Every root of the embedded Mozilla set passes the default profile's rules as a trust
    /// anchor at a time inside its validity window: the profile rules must not reject real roots.
    #[test]
    fn every_mozilla_root_is_an_acceptable_anchor() {
        let store = crate::TrustStore::mozilla();
        let mut bad = Vec::new();
        for root in store.anchors() {
            let policy = Policy::new(root.not_before() + 1);
            // the root as the anchor above some leaf (depth 1)
            let mut errors = Vec::new();
            check_validity(root, &policy, &mut errors);
            check_critical(root, &mut errors);
            check_key(root, &policy, &mut errors);
            rules::check(root, Role::Root, true, &policy, &mut errors);
            check_issuer(root, 1, true, &[root, root], &policy, &mut errors);
            if !errors.is_empty() {
                bad.push(format!("{}: {:?}", root.subject(), errors));
            }
        }
        assert!(
            bad.is_empty(),
            "{} roots rejected:\n{}",
            bad.len(),
            bad.join("\n")
        );
    }
}

#[cfg(test)]
mod crl_scope_tests {
    use super::*;

    fn read(path: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/fixtures/crl/dp/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
    }
    fn crl(name: &str) -> Crl {
        Crl::parse_bundle(&read(&format!("{name}.crl.pem")), name)
            .unwrap()
            .remove(0)
    }
    fn leaf(name: &str) -> Certificate {
        crate::Bundle::parse(&read(&format!("{name}-chain.pem")), name)
            .unwrap()
            .certificates
            .remove(0)
    }

    #[test]
    fn a_distribution_point_must_match_one_of_the_certificates() {
        let a = leaf("a-good");
        let nodp = leaf("nodp");
        assert_eq!(crl_covers(&crl("partA"), &a, false), Ok(()));
        assert_eq!(crl_covers(&crl("full"), &a, false), Ok(()));
        assert_eq!(crl_covers(&crl("full"), &nodp, false), Ok(()));
        assert_eq!(
            crl_covers(&crl("partB"), &a, false),
            Err(
                "its distribution point URI:http://crl.example.test/b.crl is not one of the \
                 certificate's cRLDistributionPoints URI:http://crl.example.test/a.crl"
                    .into()
            )
        );
        assert_eq!(
            crl_covers(&crl("partA"), &nodp, false),
            Err(
                "its distribution point URI:http://crl.example.test/a.crl does not cover a \
                 certificate without cRLDistributionPoints"
                    .into()
            )
        );
    }

    #[test]
    fn user_ca_and_reason_scopes() {
        let a = leaf("a-good");
        assert_eq!(
            crl_covers(&crl("ca-only"), &a, false),
            Err("it covers only CA certificates: onlyContainsCACerts".into())
        );
        assert_eq!(crl_covers(&crl("ca-only"), &a, true), Ok(()));
        let reasons = crl("reasons");
        assert_eq!(crl_covers(&reasons, &a, false), Ok(()));
        // keyCompromise only (ReasonFlags bit 1)
        assert_eq!(reasons.scope().reasons, Some(0b10));
        assert_eq!(crl("partA").scope().reasons, None);
    }
}
