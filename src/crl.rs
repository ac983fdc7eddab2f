//! Certificate revocation lists supplied by the caller (the core fetches nothing).
//!
//! A CRL is used for a certificate when its issuer is the certificate's issuer (same normalised
//! name, and the same key identifier when both sides carry one). It must be signed by that
//! issuer's key, the issuer's keyUsage (if any) must allow cRLSign, it must be current at the
//! verification time (thisUpdate <= time <= nextUpdate) and carry a cRLNumber (RFC 5280 5.2.3);
//! a CRL that fails any of these makes the revocation status unknown, which fails closed.
//!
//! A CRL speaks only for the certificates in its scope (issuingDistributionPoint, RFC 5280 5.2.5
//! and 6.3.3 (b)(2)): onlyContainsUserCerts / onlyContainsCACerts against the certificate's cA
//! flag, never a certificate under onlyContainsAttributeCerts, and, when the IDP names a
//! distribution point, only a certificate whose cRLDistributionPoints share one of its names
//! (GeneralName DER, byte for byte). An out-of-scope CRL says nothing: if every CRL from the
//! issuer is out of scope, or the in-scope ones together cover only some reasons
//! (onlySomeReasons), the status is unknown. Indirect and delta CRLs are not supported (unknown).

use std::ops::Range;

use const_oid::db::rfc5280 as oids;
use der::{Decode, Encode, Reader, SliceReader};
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, CrlNumber};
use x509_cert::name::{Name, RdnSequence};

use crate::error::{Error, ErrorKind};
use crate::name::NameKey;
use crate::pem::Bundle;

/// A parsed CRL.
#[derive(Clone, Debug)]
pub struct Crl {
    der: Vec<u8>,
    tbs: Range<usize>,
    outer_sig_alg: Range<usize>,
    inner_sig_alg: Vec<u8>,
    signature: Vec<u8>,
    issuer: NameKey,
    issuer_display: String,
    this_update: u64,
    next_update: Option<u64>,
    revoked: Vec<(Vec<u8>, u64)>,
    has_crl_number: bool,
    aki: Option<Vec<u8>>,
    scope: Scope,
    unsupported: Vec<String>,
    source: String,
}

/// Which certificates a CRL speaks for (issuingDistributionPoint, RFC 5280 5.2.5).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Scope {
    pub only_user: bool,
    pub only_ca: bool,
    pub only_attribute: bool,
    /// onlySomeReasons as ReasonFlags bits (`None`: every reason).
    pub reasons: Option<u16>,
    /// The distributionPoint's names (`None`: the IDP names no distribution point).
    pub distribution_point: Option<Vec<DpName>>,
}

/// The revocation reasons of ReasonFlags a CRL can cover: keyCompromise (bit 1) to aACompromise
/// (bit 8); bit 0 is `unused`.
pub(crate) const ALL_REASONS: u16 = 0x1FE;

/// One name of a distribution point: its GeneralName DER, compared byte for byte, and how it is
/// shown in messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DpName {
    pub der: Vec<u8>,
    pub display: String,
}

impl DpName {
    pub(crate) fn new(g: &GeneralName) -> DpName {
        DpName {
            der: g.to_der().unwrap_or_default(),
            display: crate::cert::alt_name(g).map_or_else(
                |_| "<a name that cannot be shown>".into(),
                |n| n.to_string(),
            ),
        }
    }
}

/// The names of a DistributionPointName: its fullName, or the name relative to the CRL issuer
/// `issuer` made into a full directoryName (RFC 5280 4.2.1.13).
pub(crate) fn distribution_point_names(dpn: &DistributionPointName, issuer: &Name) -> Vec<DpName> {
    match dpn {
        DistributionPointName::FullName(names) => names.iter().map(DpName::new).collect(),
        DistributionPointName::NameRelativeToCRLIssuer(rdn) => {
            let mut seq = RdnSequence::from(issuer.clone());
            seq.push(rdn.clone());
            // A Name is its RDNSequence; going through DER avoids x509-cert's `hazmat` feature.
            seq.to_der()
                .and_then(|der| Name::from_der(&der))
                .map(|name| vec![DpName::new(&GeneralName::DirectoryName(name))])
                .unwrap_or_default()
        }
    }
}

/// Names for a message: `URI:a, URI:b`.
pub(crate) fn show_names(names: &[DpName]) -> String {
    if names.is_empty() {
        return "no name".into();
    }
    names
        .iter()
        .map(|n| n.display.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn bad(source: &str, msg: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Malformed, format!("{source}: CRL: {msg}"))
}

impl Crl {
    /// Parse one DER CRL; `source` names it in errors.
    pub fn from_der(der: &[u8], source: &str) -> Result<Crl, Error> {
        let (tbs, alg) = {
            let mut r = SliceReader::new(der).map_err(|e| bad(source, e))?;
            let header = der::Header::decode(&mut r).map_err(|e| bad(source, e))?;
            if header.tag() != der::Tag::Sequence {
                return Err(bad(source, "does not start with a SEQUENCE"));
            }
            let start = usize::try_from(r.position()).map_err(|e| bad(source, e))?;
            let tbs = r.tlv_bytes().map_err(|e| bad(source, e))?;
            let alg = r.tlv_bytes().map_err(|e| bad(source, e))?;
            (
                start..start + tbs.len(),
                start + tbs.len()..start + tbs.len() + alg.len(),
            )
        };
        let list = CertificateList::<x509_cert::certificate::Rfc5280>::from_der(der)
            .map_err(|e| bad(source, e))?;
        let t = &list.tbs_cert_list;
        let mut crl = Crl {
            der: der.to_vec(),
            tbs,
            outer_sig_alg: alg,
            inner_sig_alg: t.signature.to_der().map_err(|e| bad(source, e))?,
            signature: list
                .signature
                .as_bytes()
                .ok_or_else(|| bad(source, "signature has unused bits"))?
                .to_vec(),
            issuer: NameKey::from_name(&t.issuer)?,
            issuer_display: crate::cert::printable(&t.issuer.to_string()).into_owned(),
            this_update: t.this_update.to_unix_duration().as_secs(),
            next_update: t.next_update.map(|n| n.to_unix_duration().as_secs()),
            revoked: t
                .revoked_certificates
                .iter()
                .flatten()
                .map(|r| {
                    (
                        r.serial_number.as_bytes().to_vec(),
                        r.revocation_date.to_unix_duration().as_secs(),
                    )
                })
                .collect(),
            has_crl_number: false,
            aki: None,
            scope: Scope::default(),
            unsupported: Vec::new(),
            source: source.to_string(),
        };
        for ext in t.crl_extensions.iter().flatten() {
            let v = ext.extn_value.as_bytes();
            match ext.extn_id {
                oids::ID_CE_CRL_NUMBER => {
                    CrlNumber::from_der(v).map_err(|e| bad(source, format!("cRLNumber: {e}")))?;
                    crl.has_crl_number = true;
                }
                oids::ID_CE_AUTHORITY_KEY_IDENTIFIER => {
                    let aki = AuthorityKeyIdentifier::from_der(v)
                        .map_err(|e| bad(source, format!("authorityKeyIdentifier: {e}")))?;
                    crl.aki = aki.key_identifier.map(|k| k.as_bytes().to_vec());
                }
                oids::ID_CE_ISSUING_DISTRIBUTION_POINT => {
                    let idp = IssuingDistributionPoint::from_der(v)
                        .map_err(|e| bad(source, format!("issuingDistributionPoint: {e}")))?;
                    crl.scope = Scope {
                        only_user: idp.only_contains_user_certs,
                        only_ca: idp.only_contains_ca_certs,
                        only_attribute: idp.only_contains_attribute_certs,
                        reasons: idp.only_some_reasons.map(|r| r.bits() & ALL_REASONS),
                        distribution_point: idp
                            .distribution_point
                            .as_ref()
                            .map(|d| distribution_point_names(d, &t.issuer)),
                    };
                    if idp.indirect_crl {
                        crl.unsupported.push("indirect CRLs".into());
                    }
                }
                oids::ID_CE_DELTA_CRL_INDICATOR => crl.unsupported.push("delta CRLs".into()),
                _ if ext.critical => crl.unsupported.push(format!(
                    "critical extension {}",
                    crate::cert::oid_name(&ext.extn_id)
                )),
                _ => {}
            }
        }
        // RFC 5280 5.3: a CRL with a critical entry extension the verifier does not process
        // must not be used (reasonCode and invalidityDate are read as information only).
        let entry_exts = t
            .revoked_certificates
            .iter()
            .flatten()
            .flat_map(|r| r.crl_entry_extensions.iter().flatten());
        for ext in entry_exts {
            let understood = matches!(
                ext.extn_id,
                oids::ID_CE_CRL_REASONS | oids::ID_CE_INVALIDITY_DATE
            );
            // (a few are enough to refuse the CRL; a hostile one may hold thousands)
            if ext.critical && !understood && crl.unsupported.len() < 8 {
                let what = format!(
                    "critical entry extension {}",
                    crate::cert::oid_name(&ext.extn_id)
                );
                if !crl.unsupported.contains(&what) {
                    crl.unsupported.push(what);
                }
            }
        }
        Ok(crl)
    }

    /// Every CRL of a PEM (`X509 CRL` blocks) or DER input.
    pub fn parse_bundle(bytes: &[u8], source: &str) -> Result<Vec<Crl>, Error> {
        let trimmed = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if trimmed.first() == Some(&0x30) {
            return Ok(vec![Crl::from_der(trimmed, source)?]);
        }
        let bundle = Bundle::parse_allow_empty(bytes, source)?;
        let crls = bundle
            .skipped
            .iter()
            .filter(|b| b.label == "X509 CRL")
            .map(|b| Crl::from_der(&b.der, &format!("{source}: line {}", b.line)))
            .collect::<Result<Vec<_>, _>>()?;
        if crls.is_empty() {
            return Err(Error::new(
                ErrorKind::Malformed,
                format!("{source}: no X509 CRL block found"),
            ));
        }
        Ok(crls)
    }

    /// The CRL's DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The issuer, RFC 4514.
    pub fn issuer(&self) -> &str {
        &self.issuer_display
    }

    /// thisUpdate, Unix seconds.
    pub fn this_update(&self) -> u64 {
        self.this_update
    }

    /// nextUpdate, Unix seconds.
    pub fn next_update(&self) -> Option<u64> {
        self.next_update
    }

    /// Where the CRL came from (for messages).
    pub fn source(&self) -> &str {
        &self.source
    }

    pub(crate) fn issuer_key(&self) -> &NameKey {
        &self.issuer
    }
    pub(crate) fn authority_key_id(&self) -> Option<&[u8]> {
        self.aki.as_deref()
    }
    pub(crate) fn tbs_der(&self) -> &[u8] {
        self.der.get(self.tbs.clone()).unwrap_or_default()
    }
    pub(crate) fn signature_algorithm_der(&self) -> &[u8] {
        self.der.get(self.outer_sig_alg.clone()).unwrap_or_default()
    }
    pub(crate) fn tbs_signature_algorithm_der(&self) -> &[u8] {
        &self.inner_sig_alg
    }
    pub(crate) fn signature(&self) -> &[u8] {
        &self.signature
    }
    pub(crate) fn has_crl_number(&self) -> bool {
        self.has_crl_number
    }
    pub(crate) fn scope(&self) -> &Scope {
        &self.scope
    }
    pub(crate) fn unsupported(&self) -> &[String] {
        &self.unsupported
    }
    /// The revocation date of `serial`, if the CRL lists it.
    pub(crate) fn revocation_of(&self, serial: &[u8]) -> Option<u64> {
        self.revoked
            .iter()
            .find(|(s, _)| s == serial)
            .map(|(_, d)| *d)
    }
}

impl PartialEq for Crl {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}
impl Eq for Crl {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CRL (unsigned: parsing does not check the signature) with one entry carrying `exts`.
    fn crl_with_entry_extensions(exts: Vec<x509_cert::ext::Extension>) -> Vec<u8> {
        use der::asn1::{BitString, OctetString};
        use spki::AlgorithmIdentifierOwned;
        use x509_cert::crl::{RevokedCert, TbsCertList};
        use x509_cert::serial_number::SerialNumber;
        use x509_cert::time::Time;
        let alg = AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::ECDSA_WITH_SHA_256,
            parameters: None,
        };
        let time = Time::UtcTime(
            der::asn1::UtcTime::from_unix_duration(std::time::Duration::from_secs(1_748_736_000))
                .unwrap(),
        );
        let crl_number = x509_cert::ext::Extension {
            extn_id: oids::ID_CE_CRL_NUMBER,
            critical: false,
            extn_value: OctetString::new(vec![0x02, 0x01, 0x01]).unwrap(),
        };
        let tbs = TbsCertList {
            version: x509_cert::Version::V2,
            signature: alg.clone(),
            issuer: "CN=Issuer".parse().unwrap(),
            this_update: time,
            next_update: Some(time),
            revoked_certificates: Some(vec![RevokedCert {
                serial_number: SerialNumber::<x509_cert::certificate::Rfc5280>::new(&[0x05])
                    .unwrap(),
                revocation_date: time,
                crl_entry_extensions: Some(exts),
            }]),
            crl_extensions: Some(vec![crl_number]),
        };
        CertificateList {
            tbs_cert_list: tbs,
            signature_algorithm: alg,
            signature: BitString::from_bytes(&[0u8; 8]).unwrap(),
        }
        .to_der()
        .unwrap()
    }

    #[test]
    fn a_critical_entry_extension_makes_the_crl_unusable() {
        // RFC 5280 5.3 (found by an attack run: such a CRL was used; OpenSSL: error 36)
        let unknown = x509_cert::ext::Extension {
            extn_id: "1.2.3.4".parse().unwrap(),
            critical: true,
            extn_value: der::asn1::OctetString::new(vec![0x05, 0x00]).unwrap(),
        };
        let crl =
            Crl::from_der(&crl_with_entry_extensions(vec![unknown.clone()]), "t.crl").unwrap();
        assert_eq!(crl.unsupported(), ["critical entry extension 1.2.3.4"]);
        // the same extension not critical, and a critical reasonCode, are fine
        let mut quiet = unknown;
        quiet.critical = false;
        let reason = x509_cert::ext::Extension {
            extn_id: oids::ID_CE_CRL_REASONS,
            critical: true,
            extn_value: der::asn1::OctetString::new(vec![0x0A, 0x01, 0x01]).unwrap(),
        };
        let crl = Crl::from_der(&crl_with_entry_extensions(vec![quiet, reason]), "t.crl").unwrap();
        assert!(crl.unsupported().is_empty(), "{:?}", crl.unsupported());
        assert!(crl.revocation_of(&[0x05]).is_some());
    }

    #[test]
    fn a_name_relative_to_the_issuer_becomes_a_directory_name() {
        let issuer: Name = "CN=Issuer,O=Example".parse().unwrap();
        let full: Name = "CN=Partition 1,CN=Issuer,O=Example".parse().unwrap();
        let rdn = RdnSequence::from(full.clone())
            .iter()
            .last()
            .unwrap()
            .clone();
        let names = distribution_point_names(
            &DistributionPointName::NameRelativeToCRLIssuer(rdn),
            &issuer,
        );
        assert_eq!(names, vec![DpName::new(&GeneralName::DirectoryName(full))]);
        assert_eq!(
            show_names(&names),
            "DirName:CN=Partition 1,CN=Issuer,O=Example"
        );
    }
}
