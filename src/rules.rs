//! The profile rules, as data where they are about extensions (which extension a role must, may
//! or must not carry, and its criticality) and as small functions where they are about contents.
//! Each rule cites the section it comes from. RFC 5280 rules apply under both profiles; CA/Browser
//! Forum Baseline Requirements rules ("CABF") only under [`Profile::WebPki`].

use const_oid::db::rfc5280 as oids;
use const_oid::ObjectIdentifier;

use crate::cert::{AltName, Certificate};
use crate::crypto::{PublicKeyKind, SignatureError};
use crate::error::{CertError, ErrorKind};
use crate::name::is_valid_dns_name;
use crate::policy::{eku, Policy, Profile};

/// The role a certificate plays on a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Depth 0.
    Leaf,
    /// A CA between the leaf and the top, or a trust anchor that is not self-issued.
    Intermediate,
    /// A self-issued certificate at the top of the path (a root).
    Root,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Presence {
    Must,
    MustNot,
    May,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Criticality {
    Critical,
    NonCritical,
    Either,
}

struct ExtensionRule {
    oid: ObjectIdentifier,
    name: &'static str,
    roles: &'static [Role],
    presence: Presence,
    criticality: Criticality,
    webpki_only: bool,
    /// Self-issued certificates are exempt from the presence requirement.
    except_self_issued: bool,
    cite: &'static str,
}

const CA: &[Role] = &[Role::Intermediate, Role::Root];
const NOT_ROOT: &[Role] = &[Role::Leaf, Role::Intermediate];
const INTERMEDIATE: &[Role] = &[Role::Intermediate];
const LEAF: &[Role] = &[Role::Leaf];
const ROOT: &[Role] = &[Role::Root];

const EXTENSION_RULES: &[ExtensionRule] = &[
    // A self-signed certificate (a root, or a self-signed leaf) has no other authority to name.
    ExtensionRule {
        oid: oids::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        name: "authorityKeyIdentifier",
        roles: NOT_ROOT,
        presence: Presence::Must,
        criticality: Criticality::NonCritical,
        webpki_only: false,
        except_self_issued: true,
        cite: "RFC 5280 4.2.1.1",
    },
    ExtensionRule {
        oid: oids::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        name: "authorityKeyIdentifier",
        roles: ROOT,
        presence: Presence::May,
        criticality: Criticality::NonCritical,
        webpki_only: false,
        except_self_issued: false,
        cite: "RFC 5280 4.2.1.1",
    },
    // A root is trusted by configuration, and one root of the Mozilla set (TWCA Global Root CA)
    // has no subjectKeyIdentifier: required of intermediates only (see limbo-exceptions.json).
    ExtensionRule {
        oid: oids::ID_CE_SUBJECT_KEY_IDENTIFIER,
        name: "subjectKeyIdentifier",
        roles: INTERMEDIATE,
        presence: Presence::Must,
        criticality: Criticality::NonCritical,
        webpki_only: false,
        except_self_issued: false,
        cite: "RFC 5280 4.2.1.2",
    },
    ExtensionRule {
        oid: oids::ID_CE_SUBJECT_KEY_IDENTIFIER,
        name: "subjectKeyIdentifier",
        roles: &[Role::Leaf, Role::Root],
        presence: Presence::May,
        criticality: Criticality::NonCritical,
        webpki_only: false,
        except_self_issued: false,
        cite: "RFC 5280 4.2.1.2",
    },
    ExtensionRule {
        oid: oids::ID_CE_BASIC_CONSTRAINTS,
        name: "basicConstraints",
        roles: CA,
        presence: Presence::May, // absence is reported as not_a_ca by the path checks
        criticality: Criticality::Critical,
        webpki_only: false,
        except_self_issued: false,
        cite: "RFC 5280 4.2.1.9",
    },
    ExtensionRule {
        oid: oids::ID_CE_NAME_CONSTRAINTS,
        name: "nameConstraints",
        roles: LEAF,
        presence: Presence::MustNot,
        criticality: Criticality::Either,
        webpki_only: false,
        except_self_issued: false,
        cite: "RFC 5280 4.2.1.10",
    },
    ExtensionRule {
        oid: oids::ID_CE_EXT_KEY_USAGE,
        name: "extKeyUsage",
        roles: ROOT,
        presence: Presence::MustNot,
        criticality: Criticality::Either,
        webpki_only: true,
        except_self_issued: false,
        cite: "CABF BR 7.1.2.1.2",
    },
];

fn violation(message: String) -> CertError {
    CertError {
        kind: ErrorKind::PolicyViolation,
        message,
    }
}

/// Every profile-rule problem of `cert` in `role`.
pub(crate) fn check(
    cert: &Certificate,
    role: Role,
    is_anchor: bool,
    policy: &Policy,
    out: &mut Vec<CertError>,
) {
    let webpki = policy.profile == Profile::WebPki;
    for rule in EXTENSION_RULES {
        if !rule.roles.contains(&role) || (rule.webpki_only && !webpki) {
            continue;
        }
        let crit = cert.extension_criticality(&rule.oid);
        match (rule.presence, crit) {
            (Presence::Must, None) if !(rule.except_self_issued && cert.is_self_issued()) => out
                .push(violation(format!(
                    "{} is missing ({}: it is required in this certificate)",
                    rule.name, rule.cite
                ))),
            (Presence::MustNot, Some(_)) => out.push(violation(format!(
                "{} must not be present in this certificate ({})",
                rule.name, rule.cite
            ))),
            _ => {}
        }
        match (rule.criticality, crit) {
            (Criticality::Critical, Some(false)) => out.push(violation(format!(
                "{} must be marked critical ({})",
                rule.name, rule.cite
            ))),
            (Criticality::NonCritical, Some(true)) => out.push(violation(format!(
                "{} must not be marked critical ({})",
                rule.name, rule.cite
            ))),
            _ => {}
        }
    }
    // A trust anchor is trusted by configuration; real roots have serial 0 (Starfield G2).
    if !is_anchor {
        check_serial(cert, out);
    }
    if let Some(problem) = cert.authority_info_access_problem() {
        out.push(violation(format!(
            "authorityInfoAccess {problem} (RFC 5280 4.2.2.1)"
        )));
    }
    check_san(cert, role, webpki, out);
    check_name_constraints_syntax(cert, policy, out);
    check_key_type(cert, policy, out);
    if role == Role::Leaf {
        check_leaf(cert, policy, out);
    }
    if role == Role::Root && webpki {
        check_root_aki(cert, out);
    }
}

/// RFC 5280 4.1.2.2: a positive integer of at most 20 octets.
fn check_serial(cert: &Certificate, out: &mut Vec<CertError>) {
    let s = cert.serial();
    if s.first().is_some_and(|b| b & 0x80 != 0) {
        out.push(violation(
            "the serial number is negative (RFC 5280 4.1.2.2)".into(),
        ));
    } else if s.iter().all(|&b| b == 0) {
        out.push(violation(
            "the serial number is zero (RFC 5280 4.1.2.2)".into(),
        ));
    } else if s.len() > 21 || (s.len() == 21 && s.first() != Some(&0)) {
        out.push(violation(
            "the serial number is longer than 20 octets (RFC 5280 4.1.2.2)".into(),
        ));
    }
}

fn check_san(cert: &Certificate, role: Role, webpki: bool, out: &mut Vec<CertError>) {
    // (a wildcard over a public suffix is not an error here: such a SAN just never matches; see
    // `name::san_covers`)
    let crit = cert.extension_criticality(&oids::ID_CE_SUBJECT_ALT_NAME);
    if cert.subject_is_empty() {
        match crit {
            None => out.push(violation(
                "the subject is empty and there is no subjectAltName (RFC 5280 4.2.1.6)".into(),
            )),
            Some(false) => out.push(violation(
                "the subject is empty, so subjectAltName must be critical (RFC 5280 4.2.1.6)"
                    .into(),
            )),
            Some(true) => {}
        }
    } else if webpki && crit == Some(true) {
        out.push(violation(
            "subjectAltName must not be critical when the subject is not empty (CABF BR 7.1.2.7.12)".into(),
        ));
    }
    for name in cert.subject_alt_names().unwrap_or_default() {
        match name {
            AltName::Dns(d) => {
                let wildcard_ok = role == Role::Leaf;
                if !is_preferred_dns_syntax(d, wildcard_ok) {
                    out.push(violation(format!(
                        "subjectAltName dNSName {d:?} is not a valid host name (RFC 5280 4.2.1.6)"
                    )));
                }
            }
            AltName::Ip(b) if b.len() != 4 && b.len() != 16 => out.push(violation(format!(
                "subjectAltName iPAddress has {} bytes, not 4 or 16 (RFC 5280 4.2.1.6)",
                b.len()
            ))),
            AltName::Email(e) if !is_valid_mailbox(e) => out.push(violation(format!(
                "subjectAltName rfc822Name {e:?} is not a valid mailbox (RFC 5280 4.2.1.6)"
            ))),
            _ => {}
        }
    }
}

/// LDH labels (RFC 1034 3.5 as modified by RFC 1123 2.1), no underscore; a leaf may have a single
/// `*` as its whole left-most label.
fn is_preferred_dns_syntax(name: &str, allow_wildcard: bool) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    is_valid_dns_name(name, allow_wildcard)
        && !name.contains('_')
        && name.split('.').count() >= 1
        && !name
            .split('.')
            .next_back()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
}

fn is_valid_mailbox(e: &str) -> bool {
    match e.rsplit_once('@') {
        Some((local, host)) => {
            !local.is_empty()
                && local.bytes().all(|b| b.is_ascii_graphic() && b != b'@')
                && is_valid_dns_name(host, false)
        }
        None => false,
    }
}

/// Whether `domain` is itself a public suffix (ICANN or private section of the PSL).
pub(crate) fn is_public_suffix(domain: &str) -> bool {
    let d = domain.to_ascii_lowercase();
    match psl::suffix(d.as_bytes()) {
        Some(s) => s.is_known() && s.as_bytes() == d.as_bytes(),
        None => false,
    }
}

/// RFC 5280 4.2.1.10: at least one of permitted/excluded, non-empty, well-formed bases.
fn check_name_constraints_syntax(cert: &Certificate, policy: &Policy, out: &mut Vec<CertError>) {
    let Some(nc) = cert.name_constraints() else {
        return;
    };
    if policy.profile == Profile::Rfc5280
        && cert.extension_criticality(&oids::ID_CE_NAME_CONSTRAINTS) == Some(false)
    {
        out.push(violation(
            "nameConstraints must be marked critical (RFC 5280 4.2.1.10)".into(),
        ));
    }
    let empty = |v: &Option<Vec<AltName>>| v.as_ref().is_none_or(|v| v.is_empty());
    if empty(&nc.permitted) && empty(&nc.excluded) {
        out.push(violation(
            "nameConstraints has neither permitted nor excluded subtrees (RFC 5280 4.2.1.10)"
                .into(),
        ));
    }
    for base in nc.permitted.iter().chain(nc.excluded.iter()).flatten() {
        let ok = match base {
            AltName::Dns(d) => d.is_empty() || is_valid_dns_name(d, false),
            AltName::Ip(b) => {
                (b.len() == 8 || b.len() == 32) && b.get(b.len() / 2..).is_some_and(contiguous_mask)
            }
            AltName::Email(e) => {
                if e.contains('@') {
                    is_valid_mailbox(e)
                } else {
                    let host = e.strip_prefix('.').unwrap_or(e);
                    is_valid_dns_name(host, false)
                }
            }
            _ => true,
        };
        if !ok {
            out.push(violation(format!(
                "name constraint {base} is not well-formed (RFC 5280 4.2.1.10)"
            )));
        }
    }
}

fn contiguous_mask(mask: &[u8]) -> bool {
    let mut seen_zero = false;
    for byte in mask {
        for bit in (0..8).rev() {
            let one = byte & (1 << bit) != 0;
            if one && seen_zero {
                return false;
            }
            seen_zero |= !one;
        }
    }
    true
}

/// CABF BR 6.1.5 / 6.1.6: RSA with a modulus of at least 2048 bits that is a multiple of 8, or ECDSA
/// on P-256 or P-384 (P-521 too, which certchain cannot verify signatures with).
fn check_key_type(cert: &Certificate, policy: &Policy, out: &mut Vec<CertError>) {
    let webpki = policy.profile == Profile::WebPki;
    match cert.public_key_kind() {
        Ok(PublicKeyKind::Rsa { bits, .. }) => {
            if webpki && bits % 8 != 0 {
                out.push(violation(format!(
                    "RSA modulus of {bits} bits is not a multiple of 8 (CABF BR 6.1.5)"
                )));
            }
        }
        Ok(PublicKeyKind::EcP256 | PublicKeyKind::EcP384) => {}
        Err(SignatureError::Unsupported(what)) if webpki && !what.contains("secp521r1") => out
            .push(violation(format!(
                "{what} keys are not allowed (CABF BR 6.1.5: RSA, P-256, P-384 or P-521 only)"
            ))),
        Err(SignatureError::Malformed(m)) => out.push(CertError {
            kind: ErrorKind::Malformed,
            message: format!("public key: {m}"),
        }),
        Err(SignatureError::WeakAlgorithm(m)) => out.push(CertError {
            kind: ErrorKind::WeakKey,
            message: format!("public key restricted to {m}"),
        }),
        Err(_) => {}
    }
}

fn check_leaf(cert: &Certificate, policy: &Policy, out: &mut Vec<CertError>) {
    let webpki = policy.profile == Profile::WebPki;
    let is_ca = cert.basic_constraints().is_some_and(|b| b.ca);
    if !is_ca && cert.key_usage().is_some_and(|k| k.key_cert_sign) {
        out.push(CertError {
            kind: ErrorKind::KeyUsage,
            message:
                "keyUsage asserts keyCertSign but basicConstraints cA is not set (RFC 5280 4.2.1.9)"
                    .into(),
        });
    }
    if !webpki {
        return;
    }
    if is_ca {
        out.push(violation(
            "the end-entity certificate is a CA (basicConstraints cA=TRUE; CABF BR 7.1.2.7.8)"
                .into(),
        ));
    }
    if cert
        .extended_key_usage()
        .is_some_and(|e| e.contains(&eku::ANY))
    {
        out.push(CertError {
            kind: ErrorKind::ExtendedKeyUsage,
            message: "anyExtendedKeyUsage is not allowed in a subscriber certificate (CABF BR 7.1.2.7.10)"
                .into(),
        });
    }
    // Browsers match names only against the subjectAltName, and name constraints on DNS names
    // are evaluated only there: a leaf without one names nothing a TLS client can check.
    if cert.subject_alt_names().is_none() {
        out.push(violation(
            "the end-entity certificate has no subjectAltName (CABF BR 7.1.2.7.12)".into(),
        ));
    }
}

/// CABF BR 7.1.2.1.3: a root's authorityKeyIdentifier, if present, holds only keyIdentifier, equal
/// to its subjectKeyIdentifier.
fn check_root_aki(cert: &Certificate, out: &mut Vec<CertError>) {
    let Some(aki) = cert.authority_key_id_info() else {
        return;
    };
    if aki.has_issuer || aki.has_serial {
        out.push(violation(
            "a root's authorityKeyIdentifier must hold only keyIdentifier (CABF BR 7.1.2.1.3)"
                .into(),
        ));
    }
    match (&aki.key_id, cert.subject_key_id()) {
        (None, _) => out.push(violation(
            "a root's authorityKeyIdentifier lacks keyIdentifier (CABF BR 7.1.2.1.3)".into(),
        )),
        (Some(k), Some(s)) if k.as_slice() != s => out.push(violation(
            "a root's authorityKeyIdentifier differs from its subjectKeyIdentifier (CABF BR 7.1.2.1.3)"
                .into(),
        )),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert!(contiguous_mask(&[255, 255, 0, 0]));
        assert!(contiguous_mask(&[255, 240, 0, 0]));
        assert!(!contiguous_mask(&[255, 0, 255, 0]));
    }

    #[test]
    fn public_suffixes() {
        assert!(is_public_suffix("com"));
        assert!(is_public_suffix("co.uk"));
        assert!(is_public_suffix("s3.amazonaws.com"));
        assert!(!is_public_suffix("example.com"));
    }

    #[test]
    fn dns_syntax() {
        assert!(is_preferred_dns_syntax("a-b.example.com", false));
        assert!(!is_preferred_dns_syntax("foo_bar.example.com", false));
        assert!(is_preferred_dns_syntax("*.example.com", true));
        assert!(!is_preferred_dns_syntax("*.example.com", false));
        assert!(!is_preferred_dns_syntax("192.168.1.1", false));
    }
}
