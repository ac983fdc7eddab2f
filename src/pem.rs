//! Reading certificate bundles: PEM files with any number of blocks (and text between them, CRLF
//! or LF, a UTF-8 BOM), or DER. Errors name the source and the line (PEM) or block (DER).

use const_oid::ObjectIdentifier;
use der::asn1::{AnyRef, OctetString};
use der::{Reader, SliceReader, TagMode, TagNumber};

use crate::cert::Certificate;
use crate::error::{Error, ErrorKind};
use crate::policy::eku;

/// Labels whose block holds a certificate.
const CERT_LABELS: &[&str] = &["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"];

/// Upper bound on one bundle's size (a system bundle is ~200 KiB).
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;

/// Upper bound on the certificates in one bundle. The largest public trust stores hold a few
/// hundred (Mozilla's ~150, Windows' ~400); a chain file holds a handful.
pub const MAX_BUNDLE_CERTIFICATES: usize = 4096;

fn too_many_certificates(source: &str, line: usize) -> Error {
    let at = if line > 0 {
        format!(" (line {line})")
    } else {
        String::new()
    };
    Error::new(
        ErrorKind::BudgetExceeded,
        format!(
            "{source}: more than the limit of {MAX_BUNDLE_CERTIFICATES} certificates in one bundle{at}"
        ),
    )
}

/// How the input was encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// PEM text.
    Pem,
    /// Binary DER (one or more concatenated certificates).
    Der,
}

/// A block that is not a certificate (a private key, a CRL, ...): skipped for verification and
/// reported to the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedBlock {
    /// The PEM label, e.g. `PRIVATE KEY` or `X509 CRL`.
    pub label: String,
    /// The line of its BEGIN boundary (1-based).
    pub line: usize,
    /// Its DER contents, kept only for blocks a later stage may use (`X509 CRL`); empty otherwise
    /// (private keys are never kept).
    pub der: Vec<u8>,
}

/// Where a certificate came from in its bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockOrigin {
    /// The 0-based index of the certificate among the bundle's certificates.
    pub index: usize,
    /// The 1-based position of its block among all the file's PEM blocks, certificates or not
    /// (a private key or CRL before it counts); for DER, the certificate's position (`index + 1`).
    pub block: usize,
    /// The line of its BEGIN boundary (1-based) for PEM; 0 for DER.
    pub line: usize,
    /// The OpenSSL trust settings that follow the certificate in a `TRUSTED CERTIFICATE` block,
    /// if there are any; `None` for every other block and for DER.
    pub trust: Option<TrustSettings>,
}

/// OpenSSL trust settings: the `X509_CERT_AUX` that follows the certificate in a
/// `TRUSTED CERTIFICATE` block (`openssl x509 -addtrust/-addreject/-setalias -trustout`).
///
/// ```text
/// SEQUENCE { trust SEQUENCE OF OID OPTIONAL, reject [0] IMPLICIT SEQUENCE OF OID OPTIONAL,
///            alias UTF8String OPTIONAL, keyid OCTET STRING OPTIONAL, other [1] ... OPTIONAL }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustSettings {
    /// The uses the certificate is trusted for (`-addtrust`); `None` when there is no list.
    pub trust: Option<Vec<ObjectIdentifier>>,
    /// The uses it is rejected for (`-addreject`); `None` when there is no list.
    pub reject: Option<Vec<ObjectIdentifier>>,
    /// Its alias (`-setalias`).
    pub alias: Option<String>,
}

impl TrustSettings {
    /// Decode the DER of an `X509_CERT_AUX` (all of `der`, nothing after it).
    pub fn from_der(der: &[u8]) -> Result<TrustSettings, String> {
        decode_aux(der).map_err(|e| e.to_string())
    }

    /// Whether a trust anchor with these settings may end a path that must serve one of the
    /// `required` extendedKeyUsages (empty: no requirement), as OpenSSL decides it: rejected when
    /// the reject list holds a required use or anyExtendedKeyUsage; when there is a trust list,
    /// trusted only if it holds a required use or anyExtendedKeyUsage. With no requirement only
    /// a rejected anyExtendedKeyUsage refuses. `Err` says why not.
    pub fn allows(&self, required: &[ObjectIdentifier]) -> Result<(), String> {
        let hit = |list: &[ObjectIdentifier]| {
            list.iter()
                .find(|o| **o == eku::ANY || required.contains(o))
                .copied()
        };
        if let Some(o) = self.reject.as_deref().and_then(hit) {
            return Err(format!("they reject {}", eku_name(&o)));
        }
        match self.trust.as_deref() {
            Some(list) if !required.is_empty() && hit(list).is_none() => {
                let trusted: Vec<String> = list.iter().map(eku_name).collect();
                Err(if trusted.is_empty() {
                    "their trust list is empty".to_string()
                } else {
                    format!("they trust it only for {}", trusted.join(", "))
                })
            }
            _ => Ok(()),
        }
    }
}

/// The name OpenSSL's `-addtrust` uses for an extendedKeyUsage, else the dotted OID.
pub(crate) fn eku_name(oid: &ObjectIdentifier) -> String {
    match *oid {
        eku::SERVER_AUTH => "serverAuth".into(),
        eku::CLIENT_AUTH => "clientAuth".into(),
        eku::CODE_SIGNING => "codeSigning".into(),
        eku::EMAIL_PROTECTION => "emailProtection".into(),
        eku::TIME_STAMPING => "timeStamping".into(),
        eku::OCSP_SIGNING => "OCSPSigning".into(),
        eku::ANY => "anyExtendedKeyUsage".into(),
        other => other.to_string(),
    }
}

fn decode_aux(der: &[u8]) -> der::Result<TrustSettings> {
    let mut reader = SliceReader::new(der)?;
    let settings = reader.sequence(|r| {
        let trust: Option<Vec<ObjectIdentifier>> = r.decode()?;
        let reject =
            r.context_specific::<Vec<ObjectIdentifier>>(TagNumber(0), TagMode::Implicit)?;
        let alias: Option<String> = r.decode()?;
        let _keyid: Option<OctetString> = r.decode()?;
        let _other = r.context_specific::<Vec<AnyRef<'_>>>(TagNumber(1), TagMode::Implicit)?;
        Ok::<_, der::Error>(TrustSettings {
            trust,
            reject,
            alias,
        })
    })?;
    reader.finish()?;
    Ok(settings)
}

/// The certificates of one PEM or DER input, in input order, plus the blocks that were skipped.
#[derive(Clone, Debug)]
pub struct Bundle {
    /// The certificates, in the order they appear.
    pub certificates: Vec<Certificate>,
    /// Where each certificate came from (same order as `certificates`).
    pub origins: Vec<BlockOrigin>,
    /// Non-certificate blocks, in the order they appear.
    pub skipped: Vec<SkippedBlock>,
    /// How the input was encoded.
    pub encoding: Encoding,
}

impl Bundle {
    /// Parse a bundle. `source` names the input in errors (a file path, `<stdin>`, ...).
    ///
    /// An input with no certificate at all is an error (kind `malformed`).
    pub fn parse(bytes: &[u8], source: &str) -> Result<Bundle, Error> {
        let raw = RawBundle::parse(bytes, source)?;
        raw.parse_certificates(source)
    }

    /// Like [`Bundle::parse`], but an input without certificates gives an empty bundle.
    pub fn parse_allow_empty(bytes: &[u8], source: &str) -> Result<Bundle, Error> {
        RawBundle::parse_allow_empty(bytes, source)?.parse_certificates(source)
    }
}

/// A certificate block's DER, not parsed yet, and where it came from.
pub(crate) struct RawCert {
    pub(crate) der: Vec<u8>,
    pub(crate) origin: BlockOrigin,
}

impl RawCert {
    /// How errors name this certificate: `roots.pem: line 5: certificate 2 (block 3)` for PEM,
    /// `roots.der: DER certificate 2` for DER.
    pub(crate) fn describe(&self, source: &str) -> String {
        describe_block(
            source,
            self.origin.line,
            self.origin.index,
            self.origin.block,
        )
    }
}

/// How errors name certificate `index` (0-based) of `source`, whose block (`block`, 1-based among
/// all the file's blocks) begins at `line` (0 for DER): `roots.pem: line 5: certificate 2 (block
/// 3)`, `roots.der: DER certificate 2`.
pub(crate) fn describe_block(source: &str, line: usize, index: usize, block: usize) -> String {
    let n = index + 1;
    if line > 0 {
        format!("{source}: line {line}: certificate {n} (block {block})")
    } else {
        format!("{source}: DER certificate {n}")
    }
}

/// A bundle read down to each certificate's DER (PEM decoded, trust settings split off), with
/// nothing parsed: [`Bundle::parse`] parses each certificate, a trust store only indexes them.
pub(crate) struct RawBundle {
    pub(crate) certs: Vec<RawCert>,
    pub(crate) skipped: Vec<SkippedBlock>,
    pub(crate) encoding: Encoding,
}

impl RawBundle {
    /// Parse each certificate, naming the failing one.
    fn parse_certificates(self, source: &str) -> Result<Bundle, Error> {
        let mut certificates = Vec::with_capacity(self.certs.len());
        let mut origins = Vec::with_capacity(self.certs.len());
        for raw in self.certs {
            let cert = Certificate::from_der(&raw.der)
                .map_err(|e| malformed(format!("{}: {}", raw.describe(source), e.message())))?;
            certificates.push(cert);
            origins.push(raw.origin);
        }
        Ok(Bundle {
            certificates,
            origins,
            skipped: self.skipped,
            encoding: self.encoding,
        })
    }

    /// As [`Bundle::parse`]: an input with no certificate at all is an error.
    pub(crate) fn parse(bytes: &[u8], source: &str) -> Result<RawBundle, Error> {
        let bundle = Self::parse_allow_empty(bytes, source)?;
        if bundle.certs.is_empty() {
            let extra = if bundle.skipped.is_empty() {
                String::new()
            } else {
                // each label once with its count, at most eight labels: a hostile file may hold
                // a million blocks
                let mut order: Vec<&str> = Vec::new();
                let mut counts: std::collections::HashMap<&str, usize> =
                    std::collections::HashMap::new();
                for s in &bundle.skipped {
                    let n = counts.entry(s.label.as_str()).or_insert(0);
                    if *n == 0 {
                        order.push(s.label.as_str());
                    }
                    *n += 1;
                }
                let mut labels: Vec<String> = order
                    .iter()
                    .take(8)
                    .map(|l| match counts.get(l) {
                        Some(&n) if n > 1 => format!("{n} × {l}"),
                        _ => (*l).to_string(),
                    })
                    .collect();
                if order.len() > 8 {
                    labels.push(format!("{} other kinds", order.len() - 8));
                }
                format!(" (only: {})", labels.join(", "))
            };
            return Err(Error::new(
                ErrorKind::Malformed,
                format!("{source}: no certificate found{extra}"),
            ));
        }
        Ok(bundle)
    }

    /// As [`Bundle::parse_allow_empty`].
    pub(crate) fn parse_allow_empty(bytes: &[u8], source: &str) -> Result<RawBundle, Error> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(Error::new(
                ErrorKind::BudgetExceeded,
                format!(
                    "{source}: input is {} bytes, more than the limit of {MAX_BUNDLE_BYTES}",
                    bytes.len()
                ),
            ));
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if looks_like_der(bytes) {
            return parse_der(bytes, source);
        }
        parse_pem(bytes, source)
    }
}

fn looks_like_der(bytes: &[u8]) -> bool {
    // A DER certificate starts with SEQUENCE and a long-form length; PEM text never starts with 0x30
    // followed by 0x80..0x84.
    matches!(bytes, [0x30, 0x80..=0x84, ..])
}

fn malformed(msg: String) -> Error {
    Error::new(ErrorKind::Malformed, msg)
}

fn parse_der(mut bytes: &[u8], source: &str) -> Result<RawBundle, Error> {
    let mut certs = Vec::new();
    let mut index = 0;
    while !bytes.is_empty() {
        if index >= MAX_BUNDLE_CERTIFICATES {
            return Err(too_many_certificates(source, 0));
        }
        let len = tlv_len(bytes).ok_or_else(|| {
            malformed(format!(
                "{source}: DER certificate {} is truncated or not DER ({} byte(s) left)",
                index + 1,
                bytes.len()
            ))
        })?;
        let (one, rest) = bytes.split_at(len);
        certs.push(RawCert {
            der: one.to_vec(),
            origin: BlockOrigin {
                index,
                block: index + 1,
                line: 0,
                trust: None,
            },
        });
        index += 1;
        bytes = rest;
    }
    Ok(RawBundle {
        certs,
        skipped: Vec::new(),
        encoding: Encoding::Der,
    })
}

/// The total length of the DER TLV at the start of `bytes`, if it fits in `bytes`.
pub(crate) fn tlv_len(bytes: &[u8]) -> Option<usize> {
    let first = *bytes.get(1)?;
    let (header, len) = if first < 0x80 {
        (2usize, first as usize)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *bytes.get(2 + i)? as usize;
        }
        (2 + n, len)
    };
    let total = header.checked_add(len)?;
    (total <= bytes.len()).then_some(total)
}

struct OpenBlock {
    label: String,
    line: usize,
    start: usize,
}

fn parse_pem(bytes: &[u8], source: &str) -> Result<RawBundle, Error> {
    let mut certs = Vec::new();
    let mut skipped = Vec::new();
    let mut open: Option<OpenBlock> = None;
    let mut offset = 0usize;

    for (i, raw_line) in Lines::new(bytes).enumerate() {
        let line_no = i + 1;
        let line_start = offset;
        offset += raw_line.len() + 1;
        let line = trim_end(raw_line);
        // Most lines are base64, which holds no '-' (`contains` is a word-at-a-time search).
        let boundary = holds(line, b'-');
        let begin_at = boundary.then(|| find(line, b"-----BEGIN ")).flatten();
        let end_at = boundary.then(|| find(line, b"-----END ")).flatten();

        match &open {
            None => {
                // Outside a block every line is explanatory text unless it starts a block. An
                // END boundary there closes a block whose BEGIN did not start its line (text or
                // indentation before it): OpenSSL and nginx skip such a block, so a certificate
                // would silently go missing.
                if end_at == Some(0) && begin_at.is_none() {
                    if let Some(label) = boundary_label(line, b"-----END ") {
                        return Err(malformed(format!(
                            "{source}: line {line_no}: END {label} without a BEGIN boundary at the start of a line (text or spaces before -----BEGIN make OpenSSL and nginx skip the block)"
                        )));
                    }
                }
                if begin_at == Some(0) {
                    if end_at.is_some()
                        || find(line.get(1..).unwrap_or_default(), b"-----BEGIN ").is_some()
                    {
                        return Err(malformed(format!(
                            "{source}: line {line_no}: a BEGIN boundary must be alone on its line"
                        )));
                    }
                    let label = boundary_label(line, b"-----BEGIN ").ok_or_else(|| {
                        malformed(format!(
                            "{source}: line {line_no}: malformed BEGIN boundary"
                        ))
                    })?;
                    open = Some(OpenBlock {
                        label,
                        line: line_no,
                        start: line_start,
                    });
                }
            }
            Some(block) => {
                if let Some(pos) = end_at {
                    if pos != 0 {
                        return Err(malformed(format!(
                            "{source}: line {line_no}: END boundary of the block that begins at line {} does not start the line",
                            block.line
                        )));
                    }
                    if begin_at.is_some() {
                        return Err(malformed(format!(
                            "{source}: line {line_no}: END and the next BEGIN on one line (put a line break between them)"
                        )));
                    }
                    let label = boundary_label(line, b"-----END ").ok_or_else(|| {
                        malformed(format!("{source}: line {line_no}: malformed END boundary"))
                    })?;
                    if label != block.label {
                        return Err(malformed(format!(
                            "{source}: line {line_no}: END {label} closes BEGIN {} from line {}",
                            block.label, block.line
                        )));
                    }
                    let end = (line_start + raw_line.len()).min(bytes.len());
                    let text = bytes.get(block.start..end).unwrap_or_default();
                    finish_block(block, text, source, &mut certs, &mut skipped)?;
                    open = None;
                } else if begin_at.is_some() {
                    return Err(malformed(format!(
                        "{source}: line {}: block {} is truncated (BEGIN without END before line {line_no})",
                        block.line, block.label
                    )));
                }
            }
        }
    }
    if let Some(block) = open {
        return Err(malformed(format!(
            "{source}: line {}: block {} is truncated (no END boundary)",
            block.line, block.label
        )));
    }
    if certs.is_empty() && skipped.is_empty() && !bytes.is_empty() && looks_binary(bytes) {
        return Err(malformed(format!(
            "{source}: neither PEM nor DER (no BEGIN boundary, and not a DER certificate)"
        )));
    }
    Ok(RawBundle {
        certs,
        skipped,
        encoding: Encoding::Pem,
    })
}

fn looks_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(512).any(|&b| b == 0 || b >= 0x80) || matches!(bytes.first(), Some(0x30))
}

fn finish_block(
    block: &OpenBlock,
    text: &[u8],
    source: &str,
    certs: &mut Vec<RawCert>,
    skipped: &mut Vec<SkippedBlock>,
) -> Result<(), Error> {
    let is_cert = CERT_LABELS.contains(&block.label.as_str());
    let is_crl = block.label == "X509 CRL";
    if !is_cert && !is_crl {
        skipped.push(SkippedBlock {
            label: block.label.clone(),
            line: block.line,
            der: Vec::new(),
        });
        return Ok(());
    }
    let der = match decode_canonical_body(text) {
        Some(der) => Ok(der),
        None => {
            // Normalise line endings and trailing blanks so the strict RFC 7468 decoder sees
            // LF lines.
            let mut clean = Vec::with_capacity(text.len());
            for l in text.split(|&b| b == b'\n') {
                clean.extend_from_slice(trim_end(l));
                clean.push(b'\n');
            }
            decode_pem_block(&clean)
        }
    };
    let der = der.map_err(|e| {
        let line = bad_base64_line(text)
            .map(|off| block.line + off)
            .unwrap_or(block.line);
        malformed(format!(
            "{source}: line {line}: invalid {} block starting at line {}: {e}",
            block.label, block.line
        ))
    })?;
    if is_crl {
        skipped.push(SkippedBlock {
            label: block.label.clone(),
            line: block.line,
            der,
        });
        return Ok(());
    }
    let index = certs.len();
    if index >= MAX_BUNDLE_CERTIFICATES {
        return Err(too_many_certificates(source, block.line));
    }
    // Every block before this one is a certificate or a skipped block (other labels, CRLs).
    let block_no = index + skipped.len() + 1;
    // A TRUSTED CERTIFICATE carries OpenSSL trust settings (X509_CERT_AUX) after the certificate.
    let mut der = der;
    let aux = match tlv_len(&der) {
        Some(n) if block.label == "TRUSTED CERTIFICATE" => der.split_off(n.min(der.len())),
        _ => Vec::new(),
    };
    let trust = if aux.is_empty() {
        None
    } else {
        Some(TrustSettings::from_der(&aux).map_err(|e| {
            malformed(format!(
                "{source}: line {}: certificate {} (block {}): the trust settings after the certificate do not decode: {e}",
                block.line,
                index + 1,
                block_no,
            ))
        })?)
    };
    certs.push(RawCert {
        der,
        origin: BlockOrigin {
            index,
            block: block_no,
            line: block.line,
            trust,
        },
    });
    Ok(())
}

/// Whether `line` holds `byte`. A full scan without an early exit, which the compiler turns into
/// vector instructions: faster than `contains` (a `memchr`) on lines this short.
fn holds(line: &[u8], byte: u8) -> bool {
    line.iter().fold(false, |found, &b| found | (b == byte))
}

/// The lines of `bytes` split at LF, as `bytes.split(|&b| b == b'\n')` gives them (the last one
/// after the last LF, possibly empty). A PEM file is mostly lines of exactly 64 characters, so
/// that guess is checked first with a vectorised scan ([`holds`]) instead of comparing byte by
/// byte: this took the line splitting from the largest to a small part of reading a
/// bundle.
struct Lines<'a> {
    rest: &'a [u8],
    done: bool,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Lines<'a> {
        Lines {
            rest: bytes,
            done: false,
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.done {
            return None;
        }
        let rest = self.rest;
        let end = [PEM_LINE_WIDTH, PEM_LINE_WIDTH + 1]
            .into_iter()
            .find(|&w| rest.get(w) == Some(&b'\n'))
            .filter(|&w| rest.get(..w).is_some_and(|head| !holds(head, b'\n')))
            .or_else(|| rest.iter().position(|&b| b == b'\n'));
        match (end, end.and_then(|i| rest.get(..i))) {
            (Some(i), Some(line)) => {
                self.rest = rest.get(i + 1..).unwrap_or_default();
                Some(line)
            }
            _ => {
                self.done = true;
                Some(rest)
            }
        }
    }
}

/// The width every PEM writer uses (RFC 7468 section 2: 64 characters a line).
const PEM_LINE_WIDTH: usize = 64;

/// The body of a block (`text`: its BEGIN line to its END line) decoded by the fast path, when it
/// has the shape every PEM writer produces: lines of exactly 64 base64 characters and a last line
/// of at most 64, canonical padding, nothing else. `None` for any other body, which the strict
/// RFC 7468 decoder then decodes or refuses with its own message, so this path only ever accepts
/// what that decoder accepts, and to the same bytes (a unit test checks it on mutated bodies).
///
/// Why: `pem-rfc7468` decodes with `base64ct`, a constant-time decoder, at about 3 µs a
/// certificate: the largest cost of loading a system bundle (~0.4 ms for 144 roots). A
/// certificate is public, so constant time buys nothing here; `base64`'s decoder is ~5× faster.
fn decode_canonical_body(text: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    // The body is every line between the BEGIN line (the first) and the END line (the last):
    // all of them are decoded, so a line inside that looks like a boundary (`-----`, `-----X`)
    // holds bytes outside the alphabet and sends the block to the strict decoder, rather than
    // ending the body early (found by an attack run: the rest of the block was silently dropped).
    let first_lf = text.iter().position(|&b| b == b'\n')?;
    let last_lf = text.iter().rposition(|&b| b == b'\n')?;
    let region = text.get(first_lf + 1..last_lf)?;
    if !text.starts_with(b"-----BEGIN ") || !text.get(last_lf + 1..)?.starts_with(b"-----END ") {
        return None;
    }
    let mut body = Vec::with_capacity(region.len());
    let mut last_len = PEM_LINE_WIDTH;
    for raw in Lines::new(region) {
        let line = trim_end(raw);
        // Only the last body line may be shorter than the width. (The characters are left to
        // the decoder, which refuses any byte outside the alphabet and misplaced padding.)
        if last_len != PEM_LINE_WIDTH || line.is_empty() || line.len() > PEM_LINE_WIDTH {
            return None;
        }
        last_len = line.len();
        body.extend_from_slice(line);
    }
    // The standard alphabet with canonical padding required and non-zero trailing bits refused,
    // as RFC 7468 and `base64ct` require.
    base64::engine::general_purpose::STANDARD.decode(&body).ok()
}

fn decode_pem_block(clean: &[u8]) -> Result<Vec<u8>, String> {
    let mut decoder = pem_rfc7468::Decoder::new_detect_wrap(clean).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    decoder.decode_to_end(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf)
}

/// The offset (in lines, from the BEGIN line) of the first body line holding a non-base64 byte.
fn bad_base64_line(text: &[u8]) -> Option<usize> {
    text.split(|&b| b == b'\n')
        .enumerate()
        .skip(1)
        .find(|(_, l)| {
            let l = trim_end(l);
            !l.starts_with(b"-----")
                && l.iter()
                    .any(|&b| !(b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='))
        })
        .map(|(i, _)| i)
}

fn trim_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line.get(end - 1), Some(b' ' | b'\t' | b'\r')) {
        end -= 1;
    }
    line.get(..end).unwrap_or(line)
}

/// Where `needle` (not empty) first occurs in `haystack`. Candidates are found by the first byte
/// alone, so a base64 line (which holds no `-`) costs one scan: comparing every window made this
/// the largest cost of reading a bundle after base64 and parsing.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(i) = haystack.get(from..)?.iter().position(|&b| b == first) {
        let at = from + i;
        if haystack.get(at + 1..at + needle.len()) == Some(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn boundary_label(line: &[u8], prefix: &[u8]) -> Option<String> {
    let rest = line.strip_prefix(prefix)?;
    let label = rest.strip_suffix(b"-----")?;
    if label.is_empty()
        || label
            .iter()
            .any(|&b| !(b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ' || b == b'-'))
    {
        return None;
    }
    String::from_utf8(label.to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path decodes the usual shape, and whatever it decodes, the strict decoder
    /// decodes to the same bytes: bodies of every length up to 300 bytes, written at the usual
    /// width and others, with CRLF and trailing blanks, and damaged (a byte replaced by each of a
    /// few characters, a line dropped or doubled, padding added or removed).
    #[test]
    fn the_fast_base64_path_only_decodes_what_the_strict_decoder_decodes() {
        fn strict(text: &[u8]) -> Option<Vec<u8>> {
            let mut clean = Vec::new();
            for l in text.split(|&b| b == b'\n') {
                clean.extend_from_slice(trim_end(l));
                clean.push(b'\n');
            }
            decode_pem_block(&clean).ok()
        }
        let mut fast_hits = 0;
        let mut check = |text: &[u8]| {
            if let Some(fast) = decode_canonical_body(text) {
                fast_hits += 1;
                assert_eq!(
                    Some(fast),
                    strict(text),
                    "{}",
                    String::from_utf8_lossy(text)
                );
            }
        };
        let mut next = crate::testutil::rng(0x9E37_79B9_7F4A_7C15_u64);
        for len in 0..300usize {
            let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let pem = pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &data)
                .unwrap();
            let text = pem.trim_end().as_bytes().to_vec();
            if len > 0 {
                assert!(
                    decode_canonical_body(&text).is_some(),
                    "usual shape, {len} bytes"
                );
            }
            check(&text);
            check(pem.trim_end().replace('\n', "\r\n").as_bytes());
            check(pem.trim_end().replace('\n', " \t\n").as_bytes());
            // Other widths.
            let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            for width in [4, 16, 60, 63, 65, 76, 128] {
                let mut t = String::from("-----BEGIN CERTIFICATE-----\n");
                for chunk in body.as_bytes().chunks(width) {
                    t.push_str(std::str::from_utf8(chunk).unwrap());
                    t.push('\n');
                }
                t.push_str("-----END CERTIFICATE-----");
                check(t.as_bytes());
            }
            // Damage to the body (the boundary lines reach this decoder checked).
            let body_start = 28;
            let body_end = text.len() - 25;
            for _ in 0..12 {
                if body_end <= body_start {
                    break;
                }
                let mut t = text.clone();
                let i = body_start + (next() as usize) % (body_end - body_start);
                t[i] = b"=A/+ -\n\r\0\xff.Q"[(next() as usize) % 12];
                check(&t);
            }
            let lines: Vec<&str> = pem.trim_end().lines().collect();
            for i in 1..lines.len().saturating_sub(1) {
                let mut dropped = lines.clone();
                dropped.remove(i);
                check(dropped.join("\n").as_bytes());
                let mut doubled = lines.clone();
                doubled.insert(i, lines[i]);
                check(doubled.join("\n").as_bytes());
            }
            // Lines inside the body that look like boundaries (not BEGIN or END ones, which
            // the line reader ends or refuses the block at).
            for inner in [
                "-----",
                "-----X",
                "-----END",
                "-----BEGIN",
                "-----\ngarbage!!",
            ] {
                let t = pem
                    .trim_end()
                    .replace("\n-----END", &format!("\n{inner}\n-----END"));
                assert!(decode_canonical_body(t.as_bytes()).is_none(), "{t}");
                check(t.as_bytes());
                if lines.len() > 3 {
                    let mut mid = lines.clone();
                    mid.insert(2, inner);
                    assert!(decode_canonical_body(mid.join("\n").as_bytes()).is_none());
                }
            }
            let padded = pem.trim_end().replace("\n-----END", "=\n-----END");
            check(padded.as_bytes());
            let unpadded = pem.trim_end().replace("=\n-----END", "\n-----END");
            check(unpadded.as_bytes());
        }
        assert!(fast_hits > 1000, "{fast_hits}");
    }

    /// A body line that starts like a boundary but is neither BEGIN nor END (`-----`) is not
    /// the end of the block: the block is refused, naming its line, as the strict decoder
    /// refuses it, and the trust settings after it are not cut off.
    #[test]
    fn a_dash_line_inside_a_block_is_an_error_not_its_end() {
        let pem = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rsa/root.pem"),
        )
        .unwrap();
        let dashed = pem.replace("\n-----END", "\n-----\ngarbage!!\n-----END");
        let e = Bundle::parse(dashed.as_bytes(), "dash.pem").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed);
        assert!(
            e.message()
                .contains("invalid CERTIFICATE block starting at line 1"),
            "{e}"
        );
        // A trust store refuses it too (the store reads blocks through the same decoder).
        let e = crate::TrustStore::from_pem(dashed.as_bytes(), "dash.pem").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{e}");
        let lines: Vec<&str> = pem.lines().collect();
        let mut split = lines.clone();
        split.insert(lines.len() / 2, "-----");
        let e = Bundle::parse(split.join("\n").as_bytes(), "split.pem").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed, "{e}");
    }

    #[test]
    fn lines_split_as_split_does() {
        let line = "A".repeat(64);
        for text in [
            String::new(),
            "\n".into(),
            "\n\n".into(),
            "a".into(),
            "a\n".into(),
            "a\nb".into(),
            format!("{line}\n{line}\r\n{line}"),
            format!("{line}\n"),
            format!("{line}{line}\n{line}x\n\n"),
            format!("{}\n{}", "A".repeat(63), "B".repeat(65)),
            format!("{}\n{line}", "A".repeat(30)),
        ] {
            let ours: Vec<&[u8]> = Lines::new(text.as_bytes()).collect();
            let theirs: Vec<&[u8]> = text.as_bytes().split(|&b| b == b'\n').collect();
            assert_eq!(ours, theirs, "{text:?}");
        }
    }

    #[test]
    fn find_locates_the_first_occurrence() {
        assert_eq!(find(b"-----BEGIN X", b"-----BEGIN "), Some(0));
        assert_eq!(find(b"x ----BEGIN -----BEGIN A", b"-----BEGIN "), Some(12));
        assert_eq!(
            find(b"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A", b"-----END "),
            None
        );
        assert_eq!(find(b"-----EN", b"-----END "), None);
        assert_eq!(find(b"", b"-----END "), None);
        assert_eq!(find(b"a-b--c-----END ", b"-----END "), Some(6));
    }

    #[test]
    fn tlv_len_bounds() {
        assert_eq!(tlv_len(&[0x30, 0x02, 0x01, 0x00]), Some(4));
        assert_eq!(tlv_len(&[0x30, 0x03, 0x01, 0x00]), None);
        assert_eq!(tlv_len(&[0x30, 0x81]), None);
        assert_eq!(tlv_len(&[0x30, 0x85, 1, 1, 1, 1, 1]), None);
        assert_eq!(tlv_len(&[]), None);
    }

    #[test]
    fn text_only_has_no_certificates() {
        let err = Bundle::parse(b"just some text\n", "x.pem").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Malformed);
        assert!(err.message().contains("x.pem: no certificate found"));
    }

    #[test]
    fn a_block_whose_begin_does_not_start_its_line_is_an_error() {
        let good = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        for prefix in ["x", " ", "\0"] {
            let text = format!("{prefix}{good}");
            let err = Bundle::parse(text.as_bytes(), "c.pem").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Malformed);
            assert_eq!(
                err.message(),
                "c.pem: line 3: END CERTIFICATE without a BEGIN boundary at the start of a line (text or spaces before -----BEGIN make OpenSSL and nginx skip the block)"
            );
        }
    }

    #[test]
    fn truncated_block_names_its_line() {
        let err =
            Bundle::parse(b"hello\n-----BEGIN CERTIFICATE-----\nMIIB\n", "t.pem").unwrap_err();
        assert!(
            err.message()
                .starts_with("t.pem: line 2: block CERTIFICATE is truncated"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn block_numbers_count_every_block_of_the_file() {
        let root = String::from_utf8(fixture("root.pem")).unwrap();
        let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        let crl = std::fs::read_to_string(format!(
            "{}/fixtures/crl/root.crl.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let text = format!("{key}{root}{crl}{root}");
        let b = Bundle::parse_allow_empty(text.as_bytes(), "k.pem").unwrap();
        let blocks: Vec<(usize, usize)> = b.origins.iter().map(|o| (o.index, o.block)).collect();
        assert_eq!(blocks, [(0, 2), (1, 4)]);
        // Errors name the block by that number: an anchor found broken when first parsed (its
        // subjectKeyIdentifier is an INTEGER, not an OCTET STRING) ...
        let good = Bundle::parse(root.as_bytes(), "r").unwrap().certificates[0]
            .der()
            .to_vec();
        let ski_oid = [0x06, 0x03, 0x55, 0x1D, 0x0E, 0x04];
        let at = good
            .windows(ski_oid.len())
            .position(|w| w == ski_oid)
            .expect("the root has a subjectKeyIdentifier");
        let mut broken = good.clone();
        broken[at + ski_oid.len() + 1] = 0x02;
        let broken =
            pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &broken)
                .unwrap();
        let text = format!("{key}{root}{broken}");
        let store = crate::TrustStore::from_pem(text.as_bytes(), "k.pem").unwrap();
        let err = store.parse_all().unwrap_err();
        assert!(
            err.message()
                .contains(": certificate 2 (block 3): extension id-ce-subjectKeyIdentifier"),
            "{}",
            err.message()
        );
        // ... and trust settings that do not decode.
        let mut der = good;
        der.extend_from_slice(&[0x30, 0x05, 0x02, 0x01]);
        let trusted =
            pem_rfc7468::encode_string("TRUSTED CERTIFICATE", pem_rfc7468::LineEnding::LF, &der)
                .unwrap();
        let text = format!("{key}{root}{trusted}");
        let err = Bundle::parse(text.as_bytes(), "t.pem").unwrap_err();
        assert!(
            err.message()
                .contains(": certificate 2 (block 3): the trust settings"),
            "{}",
            err.message()
        );
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/fixtures/trust/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn trust_of(name: &str) -> Option<TrustSettings> {
        let b = Bundle::parse(&fixture(name), name).unwrap();
        assert_eq!(b.certificates.len(), 1);
        b.origins[0].trust.clone()
    }

    #[test]
    fn trusted_certificate_blocks_keep_their_trust_settings() {
        assert_eq!(trust_of("root.pem"), None);
        assert_eq!(
            trust_of("root-reject-server.pem"),
            Some(TrustSettings {
                trust: None,
                reject: Some(vec![eku::SERVER_AUTH]),
                alias: None,
            })
        );
        assert_eq!(
            trust_of("root-trust-client.pem"),
            Some(TrustSettings {
                trust: Some(vec![eku::CLIENT_AUTH]),
                reject: None,
                alias: None,
            })
        );
        assert_eq!(
            trust_of("root-alias.pem"),
            Some(TrustSettings {
                trust: None,
                reject: None,
                alias: Some("Certchain trust alias".into()),
            })
        );
        // the same certificate either way
        let plain = Bundle::parse(&fixture("root.pem"), "a").unwrap();
        let trusted = Bundle::parse(&fixture("root-reject-server.pem"), "b").unwrap();
        assert_eq!(plain.certificates, trusted.certificates);
    }

    #[test]
    fn aux_decoder_refuses_malformed_trailers() {
        // SEQUENCE { SEQUENCE OF { serverAuth } }: well formed
        let ok = [
            0x30, 0x0c, 0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01,
        ];
        assert_eq!(
            TrustSettings::from_der(&ok).unwrap().trust,
            Some(vec![eku::SERVER_AUTH])
        );
        // truncated
        assert!(TrustSettings::from_der(&ok[..ok.len() - 1]).is_err());
        // trailing bytes after the SEQUENCE
        assert!(TrustSettings::from_der(&[&ok[..], &[0x05, 0x00]].concat()).is_err());
        // not a SEQUENCE
        assert!(TrustSettings::from_der(&[0x04, 0x00]).is_err());
        // an element the structure has no place for (an INTEGER)
        assert!(TrustSettings::from_der(&[0x30, 0x03, 0x02, 0x01, 0x01]).is_err());
        // the trust list holds something that is not an OID
        assert!(TrustSettings::from_der(&[0x30, 0x04, 0x30, 0x02, 0x05, 0x00]).is_err());
    }

    #[test]
    fn malformed_trust_settings_are_a_malformed_input_error() {
        let root = Bundle::parse(&fixture("root.pem"), "r").unwrap();
        let mut der = root.certificates[0].der().to_vec();
        der.extend_from_slice(&[0x30, 0x05, 0x02, 0x01]); // truncated SEQUENCE
        let pem =
            pem_rfc7468::encode_string("TRUSTED CERTIFICATE", pem_rfc7468::LineEnding::LF, &der)
                .unwrap();
        let text = format!("a comment\n{pem}");
        let err = Bundle::parse(text.as_bytes(), "t.pem").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Malformed);
        assert!(
            err.message().starts_with(
                "t.pem: line 2: certificate 1 (block 1): the trust settings after the certificate do not decode"
            ),
            "{}",
            err.message()
        );
        // the same bytes as a plain CERTIFICATE block are not a certificate (trailing data)
        let plain = pem.replace("TRUSTED CERTIFICATE", "CERTIFICATE");
        assert_eq!(
            Bundle::parse(plain.as_bytes(), "p.pem").unwrap_err().kind(),
            ErrorKind::Malformed
        );
    }

    #[test]
    fn trust_settings_decide_by_the_required_uses() {
        let s = |trust: Option<Vec<_>>, reject: Option<Vec<_>>| TrustSettings {
            trust,
            reject,
            alias: None,
        };
        let server = [eku::SERVER_AUTH];
        let client = [eku::CLIENT_AUTH];
        // no lists: trusted for everything
        assert!(s(None, None).allows(&server).is_ok());
        assert!(s(None, None).allows(&[]).is_ok());
        // reject list
        let r = s(None, Some(vec![eku::SERVER_AUTH]));
        assert_eq!(
            r.allows(&server).unwrap_err(),
            "they reject serverAuth".to_string()
        );
        assert!(r.allows(&client).is_ok());
        assert!(r.allows(&[]).is_ok());
        let any = s(None, Some(vec![eku::ANY]));
        assert!(any.allows(&server).is_err());
        assert!(any.allows(&[]).is_err());
        // trust list
        let t = s(Some(vec![eku::CLIENT_AUTH]), None);
        assert_eq!(
            t.allows(&server).unwrap_err(),
            "they trust it only for clientAuth".to_string()
        );
        assert!(t.allows(&client).is_ok());
        assert!(t.allows(&[eku::SERVER_AUTH, eku::CLIENT_AUTH]).is_ok());
        assert!(t.allows(&[]).is_ok());
        assert!(s(Some(vec![eku::ANY]), None).allows(&server).is_ok());
        assert!(s(Some(vec![]), None).allows(&server).is_err());
        // a rejection wins over a trust
        assert!(
            s(Some(vec![eku::SERVER_AUTH]), Some(vec![eku::SERVER_AUTH]))
                .allows(&server)
                .is_err()
        );
    }

    #[test]
    fn private_keys_are_skipped_not_kept() {
        let b = Bundle::parse_allow_empty(
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "k.pem",
        )
        .unwrap();
        assert_eq!(b.skipped.len(), 1);
        assert_eq!(b.skipped[0].label, "PRIVATE KEY");
        assert_eq!(b.skipped[0].line, 1);
        assert!(b.skipped[0].der.is_empty());
    }
}
