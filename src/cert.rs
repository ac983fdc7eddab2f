//! One parsed certificate: the original DER, the exact TBS bytes that were signed, and the fields
//! and extensions certchain uses, decoded once.

use std::fmt;
use std::net::IpAddr;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use const_oid::db::rfc5280 as oids;
use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, BitStringRef, Ia5String, OctetStringRef};
use der::{Decode, Reader, SliceReader};
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use x509_cert::certificate::Version;
use x509_cert::ext::pkix::constraints::name::GeneralSubtrees;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CrlDistributionPoints, ExtendedKeyUsage, KeyUsage,
    NameConstraints, SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

use crate::crl::{distribution_point_names, DpName};
use crate::crypto::{inspect_public_key, PublicKeyKind, SignatureError};
use crate::error::{Error, ErrorKind};
use crate::name::NameKey;

/// A name from a subjectAltName or a name constraint, in the forms certchain evaluates.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AltName {
    /// dNSName (as written; compared case-insensitively).
    Dns(String),
    /// iPAddress: 4 or 16 bytes in a SAN; address + mask (8 or 32 bytes) in a name constraint.
    Ip(Vec<u8>),
    /// rfc822Name.
    Email(String),
    /// uniformResourceIdentifier.
    Uri(String),
    /// directoryName, with its normalised key and display form.
    Directory(NameKey, String),
    /// Any other form (otherName, x400Address, ediPartyName, registeredID), by its tag number.
    Other(u8),
}

impl fmt::Display for AltName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AltName::Dns(d) => write!(f, "DNS:{}", printable(d)),
            AltName::Ip(b) => match ip_from_bytes(b) {
                Some(ip) => write!(f, "IP:{ip}"),
                None => write!(f, "IP:{}", hex(b)),
            },
            AltName::Email(e) => write!(f, "email:{}", printable(e)),
            AltName::Uri(u) => write!(f, "URI:{}", printable(u)),
            AltName::Directory(_, d) => write!(f, "DirName:{}", printable(d)),
            AltName::Other(t) => write!(f, "othername:<tag {t}>"),
        }
    }
}

/// `s` safe to print on a terminal or in a log line: control characters (C0 and C1: an ESC or
/// CSI that starts a terminal escape sequence, a newline that forges an extra output line, a NUL)
/// are written as `\xNN`, and the invisible characters that reorder or hide text (bidirectional
/// overrides and isolates, zero-width characters, the BOM) as `\u{NNNN}`. Names are
/// attacker-controlled; matching uses the raw value.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    fn invisible(c: char) -> bool {
        matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}')
    }
    if !s.chars().any(|c| c.is_control() || invisible(c)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else if invisible(c) {
            out.push_str(&format!("\\u{{{:04X}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

impl AltName {
    /// The name's value without its type prefix (`example.com`, `192.0.2.1`, `a@example.com`).
    pub fn value(&self) -> String {
        match self {
            AltName::Dns(v) | AltName::Email(v) | AltName::Uri(v) => printable(v).into_owned(),
            AltName::Ip(b) => ip_from_bytes(b).map_or_else(|| hex(b), |ip| ip.to_string()),
            AltName::Directory(_, d) => printable(d).into_owned(),
            AltName::Other(t) => format!("<tag {t}>"),
        }
    }
}

pub(crate) fn ip_from_bytes(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => <[u8; 4]>::try_from(b).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(b).ok().map(IpAddr::from),
        _ => None,
    }
}

/// Decoded nameConstraints: permitted and excluded subtrees.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameConstraintSet {
    /// Permitted subtrees (`None` = the extension has no permittedSubtrees).
    pub permitted: Option<Vec<AltName>>,
    /// Excluded subtrees (`None` = the extension has no excludedSubtrees).
    pub excluded: Option<Vec<AltName>>,
}

/// authorityKeyIdentifier, with which optional fields it carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthorityKeyIdInfo {
    /// keyIdentifier.
    pub key_id: Option<Vec<u8>>,
    /// Whether authorityCertIssuer is present.
    pub has_issuer: bool,
    /// Whether authorityCertSerialNumber is present.
    pub has_serial: bool,
}

/// basicConstraints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BasicConstraintsInfo {
    /// cA.
    pub ca: bool,
    /// pathLenConstraint.
    pub path_len: Option<u8>,
    /// Whether the extension is marked critical.
    pub critical: bool,
}

/// The keyUsage bits certchain looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyUsageInfo {
    /// digitalSignature.
    pub digital_signature: bool,
    /// keyEncipherment.
    pub key_encipherment: bool,
    /// keyAgreement.
    pub key_agreement: bool,
    /// keyCertSign.
    pub key_cert_sign: bool,
    /// cRLSign.
    pub crl_sign: bool,
    /// Whether the extension is marked critical.
    pub critical: bool,
}

/// A parsed X.509 certificate. Cheap to clone (shared).
#[derive(Clone)]
pub struct Certificate(Arc<Inner>);

struct Inner {
    der: Vec<u8>,
    tbs: Range<usize>,
    outer_sig_alg: Range<usize>,
    // Where these DER fields are in `der` (they used to be copied out, an allocation each).
    inner_sig_alg: Range<usize>,
    signature: Range<usize>,
    version: u8,
    serial: Vec<u8>,
    subject: NameKey,
    issuer: NameKey,
    // RFC 4514 strings, formatted on first use from the names' DER: x509-cert's formatting
    // costs about 13 µs per name (an OID database search per attribute), more than the rest of
    // parsing, and path building needs only the normalised keys.
    subject_der: Range<usize>,
    issuer_der: Range<usize>,
    subject_display: OnceLock<String>,
    issuer_display: OnceLock<String>,
    subject_empty: bool,
    not_before: u64,
    not_after: u64,
    spki: Range<usize>,
    // What the key is (and whether it is well formed: an EC point on its curve), decided on first
    // use: path building evaluates a certificate on every path it appears in.
    key_kind: OnceLock<Result<PublicKeyKind, SignatureError>>,
    ski: Option<Vec<u8>>,
    aki: Option<AuthorityKeyIdInfo>,
    common_names: Vec<String>,
    subject_emails: Vec<String>,
    // authorityInfoAccess and cRLDistributionPoints are decoded on first use (only the profile
    // rules and CRL checking read them, and neither decode failure is a parse error): where
    // their values are in `der`, and what they decode to.
    aia_value: Option<Range<usize>>,
    aia_problem: OnceLock<Option<String>>,
    basic_constraints: Option<BasicConstraintsInfo>,
    key_usage: Option<KeyUsageInfo>,
    eku: Option<Vec<ObjectIdentifier>>,
    san: Option<Vec<AltName>>,
    name_constraints: Option<NameConstraintSet>,
    // The names of the cRLDistributionPoints (None = no such extension; one that does not decode
    // is an empty list: no CRL scoped to a distribution point matches it).
    crl_dp_value: Option<Range<usize>>,
    crl_dp_names: OnceLock<Vec<DpName>>,
    unknown_critical: Vec<ObjectIdentifier>,
    extension_oids: Vec<(ObjectIdentifier, bool)>,
    // The SHA-256 of the DER, computed on first use (a fingerprint to show, and what tells
    // certificates apart in a long presented chain).
    sha256: OnceLock<[u8; 32]>,
    // The SHA-256 of the TBS bytes, on first use (the signature cache's key is built from it).
    tbs_sha256: OnceLock<[u8; 32]>,
}

impl Inner {
    /// The bytes of `der` at `range` (one of the field ranges, always inside it).
    fn field(&self, range: &Range<usize>) -> &[u8] {
        self.der.get(range.clone()).unwrap_or_default()
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject())
            .field("issuer", &self.issuer())
            .field("sha256", &self.sha256_hex())
            .finish()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.der == other.0.der
    }
}
impl Eq for Certificate {}

fn bad(msg: impl fmt::Display) -> Error {
    Error::new(ErrorKind::Malformed, msg.to_string())
}

/// Split a DER TLV into (start of value, end) within `reader`'s input, checking the tag.
fn take_tlv<'a>(r: &mut SliceReader<'a>) -> Result<&'a [u8], der::Error> {
    r.tlv_bytes()
}

/// A certificate decoded as x509-cert decodes it (the same ASN.1 structure, the same derive and
/// the same field types for what is validated: version, serial, names, validity), but borrowing
/// the input where x509-cert copies it (algorithm identifiers, the key, the signature, extension
/// values): x509-cert's owned decode was about half the cost of parsing a certificate.
#[derive(der::Sequence)]
#[allow(dead_code)] // decoded to be validated; the unique identifiers are never read
struct CertView<'a> {
    tbs: TbsView<'a>,
    signature_algorithm: AlgorithmIdentifierRef<'a>,
    signature: BitStringRef<'a>,
}

/// TBSCertificate (RFC 5280 4.1), as `x509_cert::TbsCertificate` declares it.
#[derive(der::Sequence)]
#[allow(dead_code)] // decoded to be validated; the unique identifiers are never read
struct TbsView<'a> {
    #[asn1(context_specific = "0", default = "Default::default")]
    version: Version,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierRef<'a>,
    // The names are read from their DER by `name::name_parts` (decoding them into
    // `x509_cert::name::Name` was about a fifth of a parse).
    issuer: AnyRef<'a>,
    validity: Validity,
    subject: AnyRef<'a>,
    subject_public_key_info: SubjectPublicKeyInfoRef<'a>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    issuer_unique_id: Option<BitStringRef<'a>>,
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    subject_unique_id: Option<BitStringRef<'a>>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    extensions: Option<Vec<ExtensionView<'a>>>,
}

/// Extension (RFC 5280 4.1), as `x509_cert::ext::Extension` declares it, value borrowed.
#[derive(der::Sequence)]
struct ExtensionView<'a> {
    extn_id: ObjectIdentifier,
    #[asn1(default = "Default::default")]
    critical: bool,
    extn_value: &'a OctetStringRef,
}

/// The exact bytes (whole TLVs) of the TBS fields kept as DER: the signature algorithm, the
/// issuer, the subject and the subjectPublicKeyInfo; and the value of the `[3]` extensions field,
/// if present. `tbs` is the TBSCertificate TLV (decoded whole by [`CertView`] when parsing).
struct TbsFields<'a> {
    alg: &'a [u8],
    issuer: &'a [u8],
    subject: &'a [u8],
    spki: &'a [u8],
    extensions: Option<&'a [u8]>,
}

fn tbs_fields(tbs: &[u8]) -> der::Result<TbsFields<'_>> {
    let mut r = SliceReader::new(tlv_value(tbs)?)?;
    if r.peek_byte() == Some(0xA0) {
        r.tlv_bytes()?; // version [0] EXPLICIT
    }
    r.tlv_bytes()?; // serialNumber
    let alg = r.tlv_bytes()?;
    let issuer = r.tlv_bytes()?;
    r.tlv_bytes()?; // validity
    let subject = r.tlv_bytes()?;
    let spki = r.tlv_bytes()?;
    // issuerUniqueID [1], subjectUniqueID [2], extensions [3]
    let mut extensions = None;
    while let Some(tag) = r.peek_byte() {
        let field = r.tlv_bytes()?;
        if tag == 0xA3 {
            extensions = Some(tlv_value(field)?);
        }
    }
    Ok(TbsFields {
        alg,
        issuer,
        subject,
        spki,
        extensions,
    })
}

/// What a trust store indexes an anchor by, read without parsing the whole certificate: the
/// normalised subject. Checks the certificate's outer structure (a SEQUENCE of TBS, algorithm
/// and signature, nothing after it), the TBS fields up to the extensions and the subject; the
/// rest (the extensions included) is checked when the anchor is first used
/// ([`Certificate::from_der`]).
pub(crate) fn anchor_index(der: &[u8]) -> Result<NameKey, Error> {
    let walk = |e: der::Error| bad(format!("certificate is truncated or not DER: {e}"));
    let mut outer = SliceReader::new(der).map_err(|e| bad(format!("not DER: {e}")))?;
    let header = der::Header::decode(&mut outer).map_err(|e| bad(format!("not DER: {e}")))?;
    if header.tag() != der::Tag::Sequence {
        return Err(bad("not a certificate: does not start with a SEQUENCE"));
    }
    let body = outer.read_slice(header.length()).map_err(walk)?;
    if !outer.is_finished() {
        return Err(bad(
            "invalid certificate DER: trailing data after the certificate",
        ));
    }
    let mut r = SliceReader::new(body).map_err(walk)?;
    let tbs = r.tlv_bytes().map_err(walk)?;
    r.tlv_bytes().map_err(walk)?; // signatureAlgorithm
    r.tlv_bytes().map_err(walk)?; // signatureValue
    if !r.is_finished() {
        return Err(bad(
            "invalid certificate DER: trailing data in the certificate",
        ));
    }
    let fields = tbs_fields(tbs).map_err(walk)?;
    NameKey::from_der(fields.subject).map_err(|e| {
        let e = at_offset(e, range_in(der, fields.subject).start);
        bad(format!("invalid certificate DER: subject: {e}"))
    })
}

/// The subjectKeyIdentifier of a certificate that [`anchor_index`] accepted, read without
/// parsing it whole: each extension's TLVs are walked and only that one's value is decoded.
/// `None` when there is none, or when the certificate or the extension does not decode (left to
/// the full parse, like any other broken extension: the anchor is indexed without a key
/// identifier and fails when used).
pub(crate) fn anchor_ski(der: &[u8]) -> Option<Vec<u8>> {
    let mut r = SliceReader::new(tlv_value(der).ok()?).ok()?;
    let fields = tbs_fields(r.tlv_bytes().ok()?).ok()?;
    // The extensions: [3] EXPLICIT SEQUENCE OF Extension.
    let list = tlv_value(fields.extensions?).ok()?;
    let mut exts = SliceReader::new(list).ok()?;
    while !exts.is_finished() {
        let ext = exts.tlv_bytes().ok()?;
        let mut e = SliceReader::new(tlv_value(ext).ok()?).ok()?;
        if e.tlv_bytes().ok()? != SKI_OID_DER {
            continue;
        }
        return ExtensionView::from_der(ext)
            .ok()
            .and_then(|e| SubjectKeyIdentifier::from_der(e.extn_value.as_bytes()).ok())
            .map(|ski| ski.0.as_bytes().to_vec());
    }
    None
}

/// An extension that appears more than once (RFC 5280 4.2), if any: the one whose second copy
/// comes first. Sorting keeps this O(n log n): comparing each extension with every earlier one
/// took minutes on a certificate with 200,000 empty extensions (found by an attack run).
fn repeated_extension(extensions: &[ExtensionView<'_>]) -> Option<ObjectIdentifier> {
    if extensions.len() <= 16 {
        return extensions.iter().enumerate().find_map(|(i, e)| {
            extensions
                .get(..i)?
                .iter()
                .any(|p| p.extn_id == e.extn_id)
                .then_some(e.extn_id)
        });
    }
    let mut order: Vec<(&[u8], usize)> = extensions
        .iter()
        .enumerate()
        .map(|(i, e)| (e.extn_id.as_bytes(), i))
        .collect();
    order.sort_unstable();
    order
        .windows(2)
        .filter_map(|w| match w {
            [(a, _), (b, j)] if a == b => Some(*j),
            _ => None,
        })
        .min()
        .and_then(|j| extensions.get(j))
        .map(|e| e.extn_id)
}

/// The DER of the subjectKeyIdentifier OID (2.5.29.14).
const SKI_OID_DER: &[u8] = &[0x06, 0x03, 0x55, 0x1D, 0x0E];

/// `e`, found in a part of a certificate that starts `offset` bytes into it, with its position
/// counted from the certificate's first byte (as the rest of the parse counts it), not the part's.
fn at_offset(e: der::Error, offset: usize) -> der::Error {
    let absolute = e
        .position()
        .zip(der::Length::try_from(offset).ok())
        .and_then(|(p, o)| (p + o).ok());
    match absolute {
        Some(position) => der::Error::new(e.kind(), position),
        None => e,
    }
}

/// The value of the DER TLV `tlv` (which must be exactly one TLV).
fn tlv_value(tlv: &[u8]) -> der::Result<&[u8]> {
    let mut r = SliceReader::new(tlv)?;
    let header = der::Header::decode(&mut r)?;
    let value = r.read_slice(header.length())?;
    r.finish()?;
    Ok(value)
}

impl Certificate {
    /// Parse one DER certificate. Trailing bytes after it are an error.
    pub fn from_der(der: &[u8]) -> Result<Certificate, Error> {
        // Locate the exact TBS and signatureAlgorithm bytes of the input.
        let (tbs_range, alg_range) = {
            let mut r = SliceReader::new(der).map_err(|e| bad(format!("not DER: {e}")))?;
            let header = der::Header::decode(&mut r).map_err(|e| bad(format!("not DER: {e}")))?;
            if header.tag() != der::Tag::Sequence {
                return Err(bad("not a certificate: does not start with a SEQUENCE"));
            }
            let start_tbs = usize::try_from(r.position()).map_err(bad)?;
            let tbs = take_tlv(&mut r)
                .map_err(|e| bad(format!("certificate is truncated or not DER: {e}")))?;
            let start_alg = start_tbs + tbs.len();
            let alg = take_tlv(&mut r)
                .map_err(|e| bad(format!("certificate is truncated or not DER: {e}")))?;
            (start_tbs..start_alg, start_alg..start_alg + alg.len())
        };
        let parsed =
            CertView::from_der(der).map_err(|e| bad(format!("invalid certificate DER: {e}")))?;
        let tbs = &parsed.tbs;
        let TbsFields {
            alg: alg_der,
            issuer: issuer_der,
            subject: subject_der,
            spki: spki_der,
            ..
        } = der
            .get(tbs_range.clone())
            .ok_or_else(|| bad("certificate is truncated"))
            .and_then(|t| {
                tbs_fields(t).map_err(|e| bad(format!("invalid certificate DER: {e}")))
            })?;

        let name_err = |which: &str, name: &[u8], e: der::Error| {
            let e = at_offset(e, range_in(der, name).start);
            bad(format!("invalid certificate DER: {which}: {e}"))
        };
        let subject = crate::name::name_parts(subject_der, true)
            .map_err(|e| name_err("subject", subject_der, e))?;
        let issuer = crate::name::name_parts(issuer_der, false)
            .map_err(|e| name_err("issuer", issuer_der, e))?;
        let not_before = tbs.validity.not_before.to_unix_duration().as_secs();
        let not_after = tbs.validity.not_after.to_unix_duration().as_secs();
        let signature = parsed
            .signature
            .as_bytes()
            .ok_or_else(|| bad("signature BIT STRING has unused bits"))?;

        let mut inner = Inner {
            der: der.to_vec(),
            tbs: tbs_range,
            outer_sig_alg: alg_range,
            inner_sig_alg: range_in(der, alg_der),
            signature: range_in(der, signature),
            version: tbs.version as u8,
            serial: tbs.serial_number.as_bytes().to_vec(),
            subject_empty: subject.empty,
            subject: subject.key,
            issuer: issuer.key,
            subject_der: range_in(der, subject_der),
            issuer_der: range_in(der, issuer_der),
            subject_display: OnceLock::new(),
            key_kind: OnceLock::new(),
            issuer_display: OnceLock::new(),
            not_before,
            not_after,
            spki: range_in(der, spki_der),
            ski: None,
            aki: None,
            common_names: subject.common_names,
            subject_emails: subject.emails,
            aia_value: None,
            aia_problem: OnceLock::new(),
            basic_constraints: None,
            key_usage: None,
            eku: None,
            san: None,
            name_constraints: None,
            crl_dp_value: None,
            crl_dp_names: OnceLock::new(),
            unknown_critical: Vec::new(),
            extension_oids: Vec::new(),
            sha256: OnceLock::new(),
            tbs_sha256: OnceLock::new(),
        };
        let extensions = tbs.extensions.as_deref().unwrap_or(&[]);
        if let Some(id) = repeated_extension(extensions) {
            return Err(bad(format!(
                "extension {} appears more than once",
                oid_name(&id)
            )));
        }
        inner.extension_oids.reserve(extensions.len());
        for ext in extensions {
            let id = ext.extn_id;
            inner.extension_oids.push((id, ext.critical));
            let value = ext.extn_value.as_bytes();
            let ctx = |e: der::Error| bad(format!("extension {}: {e}", oid_name(&id)));
            match id {
                oids::ID_CE_BASIC_CONSTRAINTS => {
                    let bc = BasicConstraints::from_der(value).map_err(ctx)?;
                    inner.basic_constraints = Some(BasicConstraintsInfo {
                        ca: bc.ca,
                        path_len: bc.path_len_constraint,
                        critical: ext.critical,
                    });
                }
                oids::ID_CE_KEY_USAGE => {
                    let ku = KeyUsage::from_der(value).map_err(ctx)?;
                    inner.key_usage = Some(KeyUsageInfo {
                        digital_signature: ku.digital_signature(),
                        key_encipherment: ku.key_encipherment(),
                        key_agreement: ku.key_agreement(),
                        key_cert_sign: ku.key_cert_sign(),
                        crl_sign: ku.crl_sign(),
                        critical: ext.critical,
                    });
                }
                oids::ID_CE_EXT_KEY_USAGE => {
                    let eku = ExtendedKeyUsage::from_der(value).map_err(ctx)?;
                    inner.eku = Some(eku.0);
                }
                oids::ID_CE_SUBJECT_ALT_NAME => {
                    let san = SubjectAltName::from_der(value).map_err(ctx)?;
                    let names = san.0.iter().map(alt_name).collect::<Result<Vec<_>, _>>()?;
                    inner.san = Some(names);
                }
                oids::ID_CE_SUBJECT_KEY_IDENTIFIER => {
                    let ski = SubjectKeyIdentifier::from_der(value).map_err(ctx)?;
                    inner.ski = Some(ski.0.as_bytes().to_vec());
                }
                oids::ID_CE_AUTHORITY_KEY_IDENTIFIER => {
                    let aki = AuthorityKeyIdentifier::from_der(value).map_err(ctx)?;
                    inner.aki = Some(AuthorityKeyIdInfo {
                        key_id: aki.key_identifier.map(|k| k.as_bytes().to_vec()),
                        has_issuer: aki.authority_cert_issuer.is_some(),
                        has_serial: aki.authority_cert_serial_number.is_some(),
                    });
                }
                oids::ID_CE_NAME_CONSTRAINTS => {
                    let nc = NameConstraints::from_der(value).map_err(ctx)?;
                    let conv = |t: &GeneralSubtrees| -> Result<Vec<AltName>, Error> {
                        t.iter().map(|s| alt_name(&s.base)).collect()
                    };
                    inner.name_constraints = Some(NameConstraintSet {
                        permitted: nc.permitted_subtrees.as_ref().map(conv).transpose()?,
                        excluded: nc.excluded_subtrees.as_ref().map(conv).transpose()?,
                    });
                }
                oids::ID_CE_CRL_DISTRIBUTION_POINTS => {
                    // Only used to decide which partitioned CRLs cover the certificate, so a
                    // value that does not decode is not a parse error: it matches no CRL.
                    inner.crl_dp_value = Some(range_in(der, value));
                    if ext.critical {
                        inner.unknown_critical.push(id);
                    }
                }
                oids::ID_PE_AUTHORITY_INFO_ACCESS => {
                    // Informational for a verifier: a problem is a profile violation (rules.rs),
                    // not a parse error. It must not be critical (RFC 5280 4.2.2.1).
                    inner.aia_value = Some(range_in(der, value));
                    if ext.critical {
                        inner.unknown_critical.push(id);
                    }
                }
                _ if ext.critical && !is_understood_critical(&id) => {
                    inner.unknown_critical.push(id);
                }
                _ => {}
            }
        }
        Ok(Certificate(Arc::new(inner)))
    }

    /// The certificate as it was given (DER).
    pub fn der(&self) -> &[u8] {
        &self.0.der
    }

    /// The exact TBSCertificate bytes of the input: what the issuer signed.
    pub fn tbs_der(&self) -> &[u8] {
        self.0.der.get(self.0.tbs.clone()).unwrap_or_default()
    }

    /// The outer signatureAlgorithm, as DER.
    pub fn signature_algorithm_der(&self) -> &[u8] {
        self.0
            .der
            .get(self.0.outer_sig_alg.clone())
            .unwrap_or_default()
    }

    /// The signature algorithm inside the TBS, as DER.
    pub fn tbs_signature_algorithm_der(&self) -> &[u8] {
        self.0.field(&self.0.inner_sig_alg)
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        self.0.field(&self.0.signature)
    }

    /// X.509 version as written (0 = v1, 2 = v3).
    pub fn version(&self) -> u8 {
        self.0.version
    }

    /// The serial number's bytes (big-endian, as encoded).
    pub fn serial(&self) -> &[u8] {
        &self.0.serial
    }

    /// The serial number in upper-case hex.
    pub fn serial_hex(&self) -> String {
        hex(&self.0.serial)
    }

    /// The subject as an RFC 4514 string (`CN=R3,O=Let's Encrypt,C=US`).
    pub fn subject(&self) -> &str {
        self.0
            .subject_display
            .get_or_init(|| display_name(self.0.field(&self.0.subject_der)))
    }

    /// The issuer as an RFC 4514 string.
    pub fn issuer(&self) -> &str {
        self.0
            .issuer_display
            .get_or_init(|| display_name(self.0.field(&self.0.issuer_der)))
    }

    /// Whether the subject is an empty sequence.
    pub fn subject_is_empty(&self) -> bool {
        self.0.subject_empty
    }

    /// The subject, normalised for comparison (RFC 5280 section 7.1).
    pub fn subject_key(&self) -> &NameKey {
        &self.0.subject
    }

    /// The issuer, normalised for comparison.
    pub fn issuer_key(&self) -> &NameKey {
        &self.0.issuer
    }

    /// Whether subject and issuer are the same name (a self-issued certificate).
    pub fn is_self_issued(&self) -> bool {
        self.0.subject == self.0.issuer
    }

    /// notBefore, Unix seconds.
    pub fn not_before(&self) -> u64 {
        self.0.not_before
    }

    /// notAfter, Unix seconds.
    pub fn not_after(&self) -> u64 {
        self.0.not_after
    }

    /// The SubjectPublicKeyInfo, DER.
    pub fn spki_der(&self) -> &[u8] {
        self.0.field(&self.0.spki)
    }

    /// What the public key is ([`inspect_public_key`] of [`Self::spki_der`]), computed once.
    pub fn public_key_kind(&self) -> Result<PublicKeyKind, SignatureError> {
        self.0
            .key_kind
            .get_or_init(|| inspect_public_key(self.0.field(&self.0.spki)))
            .clone()
    }

    /// subjectKeyIdentifier.
    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.0.ski.as_deref()
    }

    /// authorityKeyIdentifier's keyIdentifier.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.0.aki.as_ref().and_then(|a| a.key_id.as_deref())
    }

    /// The whole authorityKeyIdentifier, when present.
    pub fn authority_key_id_info(&self) -> Option<&AuthorityKeyIdInfo> {
        self.0.aki.as_ref()
    }

    /// The subject's commonName values, as written.
    pub fn common_names(&self) -> &[String] {
        &self.0.common_names
    }

    /// What is wrong with the authorityInfoAccess extension, if it is present and malformed.
    pub fn authority_info_access_problem(&self) -> Option<&str> {
        let range = self.0.aia_value.clone()?;
        self.0
            .aia_problem
            .get_or_init(|| aia_problem(self.0.der.get(range).unwrap_or_default()))
            .as_deref()
    }

    /// The subject's emailAddress attribute values (PKCS #9), in order.
    pub fn subject_email_addresses(&self) -> &[String] {
        &self.0.subject_emails
    }

    /// Whether the extension `oid` is present, and if so whether it is critical.
    pub fn extension_criticality(&self, oid: &ObjectIdentifier) -> Option<bool> {
        self.0
            .extension_oids
            .iter()
            .find(|(o, _)| o == oid)
            .map(|(_, c)| *c)
    }

    /// basicConstraints, when present.
    pub fn basic_constraints(&self) -> Option<BasicConstraintsInfo> {
        self.0.basic_constraints
    }

    /// keyUsage, when present.
    pub fn key_usage(&self) -> Option<KeyUsageInfo> {
        self.0.key_usage
    }

    /// extendedKeyUsage OIDs, when present.
    pub fn extended_key_usage(&self) -> Option<&[ObjectIdentifier]> {
        self.0.eku.as_deref()
    }

    /// subjectAltName entries, when present.
    pub fn subject_alt_names(&self) -> Option<&[AltName]> {
        self.0.san.as_deref()
    }

    /// nameConstraints, when present.
    pub fn name_constraints(&self) -> Option<&NameConstraintSet> {
        self.0.name_constraints.as_ref()
    }

    /// The names of the cRLDistributionPoints (fullName, a name relative to the issuer made
    /// absolute, or the cRLIssuer names of a point without a name), when the extension is present.
    pub(crate) fn crl_distribution_point_names(&self) -> Option<&[DpName]> {
        let range = self.0.crl_dp_value.clone()?;
        let names = self.0.crl_dp_names.get_or_init(|| {
            let value = self.0.der.get(range).unwrap_or_default();
            match (
                CrlDistributionPoints::from_der(value),
                Name::from_der(self.0.field(&self.0.issuer_der)),
            ) {
                (Ok(dps), Ok(issuer)) => crl_dp_names(&dps, &issuer),
                _ => Vec::new(),
            }
        });
        Some(names)
    }

    /// Critical extensions certchain does not understand.
    pub fn unknown_critical_extensions(&self) -> &[ObjectIdentifier] {
        &self.0.unknown_critical
    }

    /// Every extension's OID and criticality, in order.
    pub fn extensions(&self) -> &[(ObjectIdentifier, bool)] {
        &self.0.extension_oids
    }

    /// This parsed certificate's address: the same for its clones, different for another parse
    /// of the same DER (which compares equal).
    pub(crate) fn identity(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// SHA-256 of the TBS bytes (what the issuer signed), computed once.
    pub fn tbs_sha256(&self) -> &[u8; 32] {
        self.0
            .tbs_sha256
            .get_or_init(|| Sha256::digest(self.tbs_der()).into())
    }

    /// SHA-256 of the DER.
    pub fn sha256(&self) -> &[u8; 32] {
        self.0
            .sha256
            .get_or_init(|| Sha256::digest(&self.0.der).into())
    }

    /// SHA-256 of the DER in upper-case hex.
    pub fn sha256_hex(&self) -> String {
        hex(self.sha256())
    }

    /// The same subject and the same key: the identity used to refuse a certificate twice on a path.
    pub fn same_subject_and_key(&self, other: &Certificate) -> bool {
        self.0.subject == other.0.subject && self.spki_der() == other.spki_der()
    }
}

/// Where `part` (a slice borrowed from `whole`) lies in `whole`.
fn range_in(whole: &[u8], part: &[u8]) -> Range<usize> {
    let start = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
    start..start.saturating_add(part.len())
}

/// RFC 4514 form of a DER Name (one x509-cert itself encoded, so it decodes again).
fn display_name(der: &[u8]) -> String {
    x509_cert::name::Name::from_der(der)
        .map(|n| printable(&n.to_string()).into_owned())
        .unwrap_or_default()
}

/// What is wrong with an authorityInfoAccess value, if anything: it must decode and hold at least
/// one access description (RFC 5280 4.2.2.1: SIZE (1..MAX)). The location's form is not checked:
/// RFC 5280 says a caIssuers location SHOULD be a URI, not MUST (x509-limbo's rfc5280::ee-aia
/// expects a dNSName location to verify).
fn aia_problem(value: &[u8]) -> Option<String> {
    use x509_cert::ext::pkix::AuthorityInfoAccessSyntax;
    match AuthorityInfoAccessSyntax::from_der(value) {
        Ok(aia) if aia.0.is_empty() => Some("holds no access description".into()),
        Ok(_) => None,
        Err(e) => Some(format!("does not decode ({e})")),
    }
}

/// Every name of every distribution point (RFC 5280 6.3.3 (b)(2)(i): the distributionPoint's
/// names, or the cRLIssuer's when the point has no distributionPoint).
fn crl_dp_names(dps: &CrlDistributionPoints, issuer: &x509_cert::name::Name) -> Vec<DpName> {
    let mut out = Vec::new();
    for dp in &dps.0 {
        match (&dp.distribution_point, &dp.crl_issuer) {
            (Some(name), _) => out.extend(distribution_point_names(name, issuer)),
            (None, Some(crl_issuer)) => out.extend(crl_issuer.iter().map(DpName::new)),
            (None, None) => {}
        }
    }
    out
}

/// Extensions that may be critical because certchain processes them, or because they only narrow
/// what the certificate may do and are safe to accept unenforced.
fn is_understood_critical(oid: &ObjectIdentifier) -> bool {
    [
        oids::ID_CE_CERTIFICATE_POLICIES,
        oids::ID_CE_POLICY_CONSTRAINTS,
        oids::ID_CE_INHIBIT_ANY_POLICY,
        oids::ID_CE_POLICY_MAPPINGS,
    ]
    .contains(oid)
}

fn ia5(s: &Ia5String) -> String {
    s.to_string()
}

pub(crate) fn alt_name(g: &GeneralName) -> Result<AltName, Error> {
    Ok(match g {
        GeneralName::DnsName(s) => AltName::Dns(ia5(s)),
        GeneralName::Rfc822Name(s) => AltName::Email(ia5(s)),
        GeneralName::UniformResourceIdentifier(s) => AltName::Uri(ia5(s)),
        GeneralName::IpAddress(o) => AltName::Ip(o.as_bytes().to_vec()),
        GeneralName::DirectoryName(n) => AltName::Directory(NameKey::from_name(n)?, n.to_string()),
        GeneralName::OtherName(_) => AltName::Other(0),
        GeneralName::EdiPartyName(_) => AltName::Other(5),
        GeneralName::RegisteredId(_) => AltName::Other(8),
    })
}

/// A readable name for an OID: the database name when known, else dotted.
pub fn oid_name(oid: &ObjectIdentifier) -> String {
    const_oid::db::DB
        .by_oid(oid)
        .map(str::to_string)
        .unwrap_or_else(|| oid.to_string())
}

/// Upper-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02X}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    /// Every certificate of the fixtures and of the limbo suite (when present), as DER.
    fn corpus() -> Vec<Vec<u8>> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut pems: Vec<Vec<u8>> = Vec::new();
        let mut dirs = vec![root.join("fixtures"), root.join("../shared/seed-chain")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|e| e == "pem") {
                    pems.push(std::fs::read(&p).unwrap());
                }
            }
        }
        if let Ok(bytes) = std::fs::read(root.join("../shared/limbo/limbo-dev.json")) {
            let suite: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            for tc in suite["testcases"].as_array().unwrap() {
                let mut add = |v: &serde_json::Value| {
                    if let Some(s) = v.as_str() {
                        pems.push(s.as_bytes().to_vec());
                    }
                };
                add(&tc["peer_certificate"]);
                for key in ["trusted_certs", "untrusted_intermediates"] {
                    for v in tc[key].as_array().into_iter().flatten() {
                        add(v);
                    }
                }
            }
        }
        let mut out = Vec::new();
        for pem in pems {
            let text = String::from_utf8_lossy(&pem).into_owned();
            for block in text.split("-----BEGIN CERTIFICATE-----").skip(1) {
                let Some((body, _)) = block.split_once("-----END CERTIFICATE-----") else {
                    continue;
                };
                let whole = format!("-----BEGIN CERTIFICATE-----{body}-----END CERTIFICATE-----\n");
                if let Ok((_, der)) = pem_rfc7468::decode_vec(whole.as_bytes()) {
                    out.push(der);
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// certchain's borrowed view accepts exactly what x509-cert's own decoder accepts, and the
    /// key, algorithm and serial it keeps are the bytes x509-cert would encode (names are kept
    /// as given, and decode to the same name).
    fn agrees_with_x509_cert(der: &[u8]) {
        let ours = Certificate::from_der(der);
        let theirs = x509_cert::Certificate::from_der(der);
        match (&ours, &theirs) {
            (Ok(c), Ok(x)) => {
                let tbs = x.tbs_certificate();
                assert_eq!(
                    c.spki_der(),
                    tbs.subject_public_key_info().to_der().unwrap()
                );
                assert_eq!(
                    c.tbs_signature_algorithm_der(),
                    tbs.signature().to_der().unwrap()
                );
                // The names are kept as given; `der` sorts an unsorted SET OF when decoding, so
                // compare them as decoded.
                let again = |d: &[u8]| Name::from_der(d).unwrap().to_der().unwrap();
                assert_eq!(
                    again(c.0.field(&c.0.subject_der)),
                    tbs.subject().to_der().unwrap()
                );
                assert_eq!(
                    again(c.0.field(&c.0.issuer_der)),
                    tbs.issuer().to_der().unwrap()
                );
                // What the names are read as without x509-cert's `Name` in between.
                assert_eq!(c.subject_key(), &NameKey::from_name(tbs.subject()).unwrap());
                assert_eq!(&c.0.issuer, &NameKey::from_name(tbs.issuer()).unwrap());
                assert_eq!(c.common_names(), crate::name::common_names(tbs.subject()));
                assert_eq!(
                    c.subject_email_addresses(),
                    crate::name::email_addresses(tbs.subject())
                );
                assert_eq!(c.subject_is_empty(), tbs.subject().is_empty());
                assert_eq!(c.serial(), tbs.serial_number().as_bytes());
                assert_eq!(c.version(), tbs.version() as u8);
                assert_eq!(
                    c.extensions().len(),
                    tbs.extensions().map_or(0, |e| e.len())
                );
            }
            (Err(_), Err(_)) => {}
            // x509-cert accepts a few things certchain refuses on purpose (a repeated extension,
            // a malformed known extension, a signature with unused bits): never the reverse.
            (Err(e), Ok(_)) => assert!(
                e.message().contains("extension")
                    || e.message().contains("unused bits")
                    || e.message().contains("name attribute"),
                "only x509-cert accepts: {e}"
            ),
            (Ok(_), Err(e)) => panic!("only certchain accepts ({e})"),
        }
        // A trust store's index of a certificate that parses is what the parse says.
        if let Ok(c) = &ours {
            let subject = anchor_index(der).expect("indexes what parses");
            assert_eq!(&subject, c.subject_key());
            assert_eq!(anchor_ski(der).as_deref(), c.subject_key_id());
        }
    }

    /// A name read from its DER: refused where x509-cert's `Name` decode refuses it, else the
    /// key built from the decoded name.
    fn name_walk_agrees(der: &[u8]) {
        let ours = crate::name::name_parts(der, true);
        let theirs = Name::from_der(der);
        match (ours, theirs) {
            (Ok(p), Ok(n)) => {
                assert_eq!(p.key, NameKey::from_name(&n).unwrap(), "{der:02x?}");
                assert_eq!(p.common_names, crate::name::common_names(&n));
                assert_eq!(p.emails, crate::name::email_addresses(&n));
                assert_eq!(p.empty, n.is_empty());
            }
            (Err(_), Err(_)) => {}
            (Ok(_), Err(e)) => panic!("only the walk accepts ({e}): {der:02x?}"),
            (Err(e), Ok(_)) => panic!("only x509-cert accepts ({e}): {der:02x?}"),
        }
    }

    #[test]
    fn a_name_error_is_placed_in_the_certificate() {
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/rsa/leaf.pem"
        ))
        .unwrap();
        let good = crate::Bundle::parse(&pem, "leaf.pem").unwrap().certificates[0].clone();
        let subject = good.0.subject_der.clone();
        let mut der = good.der().to_vec();
        // The subject's last attribute value claims one byte more than its SEQUENCE holds.
        // Find the length byte of the last value: walk back from the end of the name to the
        // value's tag (its value is ASCII, its length below 128).
        let name = good.0.field(&subject).to_vec();
        let value_len_at = (2..name.len())
            .rev()
            .find(|&i| usize::from(name[i]) == name.len() - i - 1 && name[i - 1] == 0x0C)
            .expect("the name ends with a short UTF8String");
        der[subject.start + value_len_at] += 1;
        let relative = crate::name::name_parts(&der[subject.clone()], true)
            .err()
            .expect("the damaged name does not read")
            .position()
            .expect("the error has a position");
        let absolute = usize::try_from(relative).unwrap() + subject.start;
        let e = Certificate::from_der(&der).unwrap_err();
        assert!(
            e.message()
                .starts_with("invalid certificate DER: subject: ")
                && e.message().ends_with(&format!("at DER byte {absolute}")),
            "{} (the subject starts at {})",
            e.message(),
            subject.start
        );
        let e = anchor_index(&der).unwrap_err();
        assert!(
            e.message().ends_with(&format!("at DER byte {absolute}")),
            "{e}"
        );
    }

    #[test]
    fn names_read_from_der_as_x509_cert_reads_them() {
        let corpus = corpus();
        let mut names: Vec<Vec<u8>> = Vec::new();
        for der in &corpus {
            if let Ok(c) = Certificate::from_der(der) {
                names.push(c.0.field(&c.0.subject_der).to_vec());
                names.push(c.0.field(&c.0.issuer_der).to_vec());
            }
        }
        // Multi-valued RDNs (rare in the corpus): two and three attributes, a string and a
        // non-string value, written in DER's SET OF order, plus the same attributes unsorted.
        let tlv = |tag: u8, parts: &[&[u8]]| -> Vec<u8> {
            let body = parts.concat();
            let mut out = vec![tag, u8::try_from(body.len()).unwrap()];
            out.extend_from_slice(&body);
            out
        };
        let ava = |arc: u8, value: &[u8]| tlv(0x30, &[&[0x06, 0x03, 0x55, 0x04, arc], value]);
        let cn = ava(3, &tlv(0x0C, &[b"Host  Name"]));
        let org = ava(10, &tlv(0x13, &[b"Org"]));
        let odd = ava(11, &tlv(0x02, &[&[0x05]]));
        let country = tlv(0x31, &[&ava(6, &tlv(0x13, &[b"US"]))]);
        let sorted_set = |avas: &mut Vec<Vec<u8>>| {
            avas.sort();
            tlv(0x31, &avas.iter().map(Vec::as_slice).collect::<Vec<_>>())
        };
        let two = sorted_set(&mut vec![cn.clone(), org.clone()]);
        let three = sorted_set(&mut vec![org.clone(), odd.clone(), cn.clone()]);
        let multi = [
            tlv(0x30, &[&country, &two]),
            tlv(0x30, &[&three]),
            tlv(0x30, &[&two, &three, &country]),
            tlv(0x30, &[&tlv(0x31, &[&odd, &cn, &org])]),
        ];
        for name in &multi {
            name_walk_agrees(name);
        }
        assert!(crate::name::name_parts(&multi[0], true).is_ok());
        names.extend(multi);
        names.sort();
        names.dedup();
        assert!(names.len() > 100, "{}", names.len());
        for name in &names {
            name_walk_agrees(name);
        }
        // Damaged copies of an evenly spread sample: every truncation, and every byte changed
        // three ways.
        for name in names.iter().step_by(names.len() / 150 + 1) {
            for len in 0..name.len() {
                name_walk_agrees(&name[..len]);
            }
            for i in 0..name.len() {
                for flip in [0x01, 0x20, 0x80] {
                    let mut bad = name.clone();
                    bad[i] ^= flip;
                    name_walk_agrees(&bad);
                }
            }
        }
    }

    #[test]
    fn the_borrowed_view_decodes_as_x509_cert_does() {
        let corpus = corpus();
        assert!(corpus.len() > 100, "{}", corpus.len());
        for der in &corpus {
            agrees_with_x509_cert(der);
        }
        // Damaged copies: every truncation and a byte flipped at every 7th position of a few.
        for der in corpus.iter().take(40) {
            for len in (0..der.len()).step_by(11) {
                agrees_with_x509_cert(&der[..len]);
            }
            for i in (0..der.len()).step_by(7) {
                let mut bad = der.clone();
                bad[i] ^= 0x41;
                agrees_with_x509_cert(&bad);
            }
        }
    }
}
