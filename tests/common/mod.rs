//! A small PKI built at test time with the `openssl` crate, for tests that describe their trust
//! graph in code (who signs whom, with which names and constraints): fresh P-256 keys, fixed
//! names, serials and validity. Shared by tests/limits.rs and tests/rules.rs.
#![allow(dead_code)] // each test file uses a different part

use std::sync::Arc;

use certchain::{Certificate, Policy, ServerName, TrustStore};
use openssl::asn1::{Asn1Integer, Asn1Object, Asn1OctetString, Asn1Time};
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::x509::extension::{BasicConstraints, ExtendedKeyUsage, KeyUsage};
use openssl::x509::{X509Builder, X509Extension, X509NameBuilder};

/// Verification time: 2025-06-01T00:00:00Z; every certificate is valid 2025-01-01 .. 2030-01-01.
pub const AT: u64 = 1_748_736_000;
pub const NOT_BEFORE: i64 = 1_735_689_600;
pub const NOT_AFTER: i64 = 1_893_456_000;
pub const HOST: &str = "host.example.test";

pub fn key() -> PKey<Private> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).expect("group");
    PKey::from_ec_key(EcKey::generate(&group).expect("ec key")).expect("pkey")
}

/// A 20-byte key identifier for `key` (SHA-256 of its SubjectPublicKeyInfo, truncated).
pub fn key_id(key: &PKey<Private>) -> Vec<u8> {
    let spki = key.public_key_to_der().expect("spki");
    openssl::sha::sha256(&spki)[..20].to_vec()
}

pub fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

pub fn extension(oid: &str, critical: bool, der: &[u8]) -> X509Extension {
    let oid = Asn1Object::from_str(oid).expect("oid");
    let value = Asn1OctetString::new_from_bytes(der).expect("octets");
    X509Extension::new_from_der(&oid, critical, &value).expect("extension")
}

/// One certificate of a trust graph.
pub struct Spec<'a> {
    pub subject: &'a str,
    pub serial: u32,
    pub key: &'a PKey<Private>,
    /// The issuer's name and key; `None` = self-signed.
    pub issuer: Option<(&'a str, &'a PKey<Private>)>,
    /// CA (with these permitted subtrees, if any) or leaf (with these SANs; none = no SAN
    /// extension). A name is a dNSName, or with an `email:` prefix an rfc822Name.
    pub ca: bool,
    pub names: &'a [String],
    /// Give the certificate this key's identifier instead of its own (an impostor's trick).
    pub ski_of: Option<&'a PKey<Private>>,
    /// An emailAddress attribute for the subject (PKCS #9).
    pub subject_email: Option<&'a str>,
    /// More extensions: (dotted OID, critical, DER value).
    pub extra: &'a [(&'a str, bool, Vec<u8>)],
}

pub fn name(cn: &str) -> openssl::x509::X509Name {
    name_with_email(cn, None)
}

fn name_with_email(cn: &str, email: Option<&str>) -> openssl::x509::X509Name {
    let mut b = X509NameBuilder::new().expect("name");
    b.append_entry_by_text("O", "certchain limits").expect("O");
    b.append_entry_by_text("CN", cn).expect("CN");
    if let Some(e) = email {
        b.append_entry_by_text("emailAddress", e)
            .expect("emailAddress");
    }
    b.build()
}

/// A GeneralName: `email:` prefix = rfc822Name [1], else dNSName [2].
fn general_name(n: &str) -> Vec<u8> {
    match n.strip_prefix("email:") {
        Some(e) => der_tlv(0x81, e.as_bytes()),
        None => der_tlv(0x82, n.as_bytes()),
    }
}

pub fn build(s: Spec<'_>) -> Certificate {
    let mut b = X509Builder::new().expect("builder");
    b.set_version(2).expect("version");
    let serial = Asn1Integer::from_bn(&BigNum::from_u32(s.serial).expect("bn")).expect("serial");
    b.set_serial_number(&serial).expect("serial");
    b.set_subject_name(&name_with_email(s.subject, s.subject_email))
        .expect("subject");
    let (issuer_name, signer) = s.issuer.unwrap_or((s.subject, s.key));
    b.set_issuer_name(&name(issuer_name)).expect("issuer");
    b.set_not_before(&Asn1Time::from_unix(NOT_BEFORE).expect("time"))
        .expect("nb");
    b.set_not_after(&Asn1Time::from_unix(NOT_AFTER).expect("time"))
        .expect("na");
    b.set_pubkey(s.key).expect("pubkey");
    if s.ca {
        b.append_extension(BasicConstraints::new().critical().ca().build().expect("bc"))
            .expect("bc");
        b.append_extension(
            KeyUsage::new()
                .critical()
                .key_cert_sign()
                .crl_sign()
                .build()
                .expect("ku"),
        )
        .expect("ku");
        if !s.names.is_empty() {
            // NameConstraints ::= SEQUENCE { permittedSubtrees [0] GeneralSubtrees }
            let subtrees: Vec<u8> = s
                .names
                .iter()
                .flat_map(|n| der_tlv(0x30, &general_name(n)))
                .collect();
            let nc = der_tlv(0x30, &der_tlv(0xA0, &subtrees));
            b.append_extension(extension("2.5.29.30", true, &nc))
                .expect("nc");
        }
    } else {
        b.append_extension(
            KeyUsage::new()
                .critical()
                .digital_signature()
                .build()
                .expect("ku"),
        )
        .expect("ku");
        b.append_extension(ExtendedKeyUsage::new().server_auth().build().expect("eku"))
            .expect("eku");
        if !s.names.is_empty() {
            let sans: Vec<u8> = s.names.iter().flat_map(|n| general_name(n)).collect();
            b.append_extension(extension("2.5.29.17", false, &der_tlv(0x30, &sans)))
                .expect("san");
        }
    }
    b.append_extension(extension(
        "2.5.29.14",
        false,
        &der_tlv(0x04, &key_id(s.ski_of.unwrap_or(s.key))),
    ))
    .expect("ski");
    if s.issuer.is_some() {
        let aki = der_tlv(0x30, &der_tlv(0x80, &key_id(signer)));
        b.append_extension(extension("2.5.29.35", false, &aki))
            .expect("aki");
    }
    for (oid, critical, value) in s.extra {
        b.append_extension(extension(oid, *critical, value))
            .expect("extension");
    }
    b.sign(signer, MessageDigest::sha256()).expect("sign");
    let der = b.build().to_der().expect("der");
    Certificate::from_der(&der).unwrap_or_else(|e| panic!("{e}"))
}

/// A plain CA certificate: `issuer` = (name, key) of its issuer, `None` = self-signed.
pub fn ca(
    subject: &str,
    serial: u32,
    key: &PKey<Private>,
    issuer: Option<(&str, &PKey<Private>)>,
) -> Certificate {
    build(Spec {
        subject,
        serial,
        key,
        issuer,
        ca: true,
        names: &[],
        ski_of: None,
        subject_email: None,
        extra: &[],
    })
}

pub fn root(cn: &str, key: &PKey<Private>) -> Certificate {
    ca(cn, 1, key, None)
}

pub fn leaf(issuer: &str, issuer_key: &PKey<Private>, names: &[String]) -> Certificate {
    build(Spec {
        subject: HOST,
        serial: 1000,
        key: &key(),
        issuer: Some((issuer, issuer_key)),
        ca: false,
        names,
        ski_of: None,
        subject_email: None,
        extra: &[],
    })
}

pub fn store(anchors: impl IntoIterator<Item = Certificate>) -> Arc<TrustStore> {
    let mut s = TrustStore::new();
    for a in anchors {
        s.add(a);
    }
    Arc::new(s)
}

pub fn policy() -> Policy {
    Policy::new(AT).with_name(ServerName::parse(HOST).expect("host"))
}

pub fn pem(certs: &[&Certificate]) -> String {
    certs
        .iter()
        .map(|c| {
            let der = c.der();
            let b64 = openssl::base64::encode_block(der);
            let lines: Vec<&str> = b64
                .as_bytes()
                .chunks(64)
                .map(|l| std::str::from_utf8(l).expect("base64 is ASCII"))
                .collect();
            format!(
                "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                lines.join("\n")
            )
        })
        .collect()
}
