//! Names: RFC 5280 distinguished-name comparison, and the host names and IP addresses a leaf is
//! checked against.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use der::{Decode, Encode, Reader, SliceReader, Tagged};
use x509_cert::name::Name;

use crate::cert::AltName;
use crate::error::{Error, ErrorKind};

/// A distinguished name normalised for comparison (RFC 5280 section 7.1, the common subset of
/// RFC 4518): string attributes compared case-insensitively with outer white space removed and
/// inner runs folded to one space; other values compared as DER. Usable as a map key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameKey(Vec<u8>);

impl NameKey {
    /// Normalise a parsed name.
    pub fn from_name(name: &Name) -> Result<NameKey, Error> {
        let mut out = Vec::new();
        for rdn in name.iter_rdn() {
            let mut avas: Vec<Vec<u8>> = Vec::new();
            for ava in rdn.iter() {
                let mut one = Vec::new();
                push_lv(&mut one, ava.oid.as_bytes());
                let value = &ava.value;
                match normalise_string(tag_byte(value.tag()), value.value()) {
                    Some(s) => {
                        one.push(b'S');
                        push_lv(&mut one, s.as_bytes());
                    }
                    None => {
                        let der = value.to_der().map_err(|e| {
                            Error::new(ErrorKind::Malformed, format!("name attribute: {e}"))
                        })?;
                        one.push(b'R');
                        push_lv(&mut one, &der);
                    }
                }
                avas.push(one);
            }
            // a multi-valued RDN is a SET: its order does not matter
            avas.sort();
            out.push(b'{');
            for a in avas {
                out.extend_from_slice(&a);
            }
            out.push(b'}');
        }
        Ok(NameKey(out))
    }

    /// Normalise a name from its DER (the whole `Name` TLV), as [`NameKey::from_name`] does
    /// with the decoded name.
    pub fn from_der(der: &[u8]) -> der::Result<NameKey> {
        Ok(name_parts(der, false)?.key)
    }

    /// Whether this is the empty name.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `self` lies within the subtree `base` (all of `base`'s RDNs are a prefix of `self`).
    pub fn within(&self, base: &NameKey) -> bool {
        // RDNs are encoded as `{...}` groups with length-prefixed contents, so a byte prefix that
        // ends on a group boundary is an RDN prefix.
        self.0.starts_with(&base.0)
    }
}

/// What certchain keeps of a distinguished name, read from its DER in one walk.
pub(crate) struct NameParts {
    /// The normalised key ([`NameKey::from_name`]'s).
    pub(crate) key: NameKey,
    /// The commonName values ([`common_names`]'s), when asked for.
    pub(crate) common_names: Vec<String>,
    /// The emailAddress values ([`email_addresses`]'s), when asked for.
    pub(crate) emails: Vec<String>,
    /// Whether the name has no RDN.
    pub(crate) empty: bool,
}

/// One DER TLV of `r` (whose input is `input`): its tag, its value, and the whole TLV.
fn next_tlv<'a>(
    input: &'a [u8],
    r: &mut SliceReader<'a>,
) -> der::Result<(der::Tag, &'a [u8], &'a [u8])> {
    let start = usize::try_from(r.position())?;
    let header = der::Header::decode(r)?;
    let value = r.read_slice(header.length())?;
    let end = usize::try_from(r.position())?;
    let whole = input
        .get(start..end)
        .ok_or_else(|| r.error(der::ErrorKind::Failed))?;
    Ok((header.tag(), value, whole))
}

/// Read a `Name` (RDNSequence: SEQUENCE OF SET OF SEQUENCE { type OID, value ANY }) from its DER
/// without decoding it into `x509_cert::name::Name`, which allocates a vector per RDN and a copy
/// of every value: that decode and the key built from it were the larger part of indexing a
/// trust anchor and about a fifth of parsing a certificate. It decodes each TLV with `der`'s
/// reader, as that decode does, so it refuses what `Name::from_der` refuses, and the key is the
/// one [`NameKey::from_name`] builds from the decoded name (a unit test compares both over the
/// limbo and fixture certificates and damaged copies of them). Attribute values are read as
/// given (DER: a non-string value's TLV is exactly what re-encoding it gives); the attributes of
/// a multi-valued RDN are listed in their input order (x509-cert sorts them when decoding).
pub(crate) fn name_parts(der: &[u8], strings: bool) -> der::Result<NameParts> {
    const CN: &[u8] = const_oid::db::rfc4519::CN.as_bytes();
    const EMAIL: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x01];
    let mut outer = SliceReader::new(der)?;
    let (tag, rdns, _) = next_tlv(der, &mut outer)?;
    tag.assert_eq(der::Tag::Sequence)?;
    outer.finish()?;
    let mut parts = NameParts {
        // The key of a name of single-valued RDNs is its DER plus 2 bytes an RDN (and an RDN's
        // DER is at least 9 bytes): sized so that it is never grown.
        key: NameKey(Vec::with_capacity(rdns.len() + rdns.len() / 4 + 8)),
        common_names: Vec::new(),
        emails: Vec::new(),
        empty: rdns.is_empty(),
    };
    let out = &mut parts.key.0;
    let mut r = SliceReader::new(rdns)?;
    // Where each attribute of a multi-valued RDN was written in `out`.
    let mut multi: Vec<std::ops::Range<usize>> = Vec::new();
    while !r.is_finished() {
        let (tag, set, _) = next_tlv(rdns, &mut r)?;
        tag.assert_eq(der::Tag::Set)?;
        let mut s = SliceReader::new(set)?;
        out.push(b'{');
        let rdn_start = out.len();
        multi.clear();
        while !s.is_finished() {
            let (tag, ava, _) = next_tlv(set, &mut s)?;
            tag.assert_eq(der::Tag::Sequence)?;
            let mut a = SliceReader::new(ava)?;
            let oid: const_oid::ObjectIdentifier = Decode::decode(&mut a)?;
            let (_, value, value_tlv) = next_tlv(ava, &mut a)?;
            a.finish()?;
            // The first identifier octet: class, constructed bit and a low tag number (31 for
            // a high one), which is what [`tag_byte`] gives for the decoded tag.
            let tag = value_tlv.first().copied().unwrap_or_default();
            let oid = oid.as_bytes();
            let ava_start = out.len();
            push_lv(out, oid);
            if !push_normalised(out, tag, value) {
                out.push(b'R');
                push_lv(out, value_tlv);
            }
            if !(multi.is_empty() && s.is_finished()) {
                // not the RDN's only attribute (nearly always it is: then nothing is sorted)
                multi.push(ava_start..out.len());
            }
            if strings && oid == CN {
                parts.common_names.extend(directory_string(tag, value));
            } else if strings && oid == EMAIL {
                parts.emails.push(match tag {
                    0x16 => String::from_utf8(value.to_vec()).unwrap_or_default(),
                    _ => String::new(),
                });
            }
        }
        if !multi.is_empty() {
            // a multi-valued RDN is a SET: its order does not matter, so its attributes are
            // written sorted
            let mut avas: Vec<Vec<u8>> = multi
                .iter()
                .map(|range| out.get(range.clone()).unwrap_or_default().to_vec())
                .collect();
            avas.sort();
            out.truncate(rdn_start);
            for a in &avas {
                out.extend_from_slice(a);
            }
        }
        out.push(b'}');
    }
    Ok(parts)
}

/// The first identifier octet of `tag` as DER writes it (class, constructed bit, and the number
/// when below 31): what the string types are told apart by, without encoding the value.
fn tag_byte(tag: der::Tag) -> u8 {
    let number = tag.number().value();
    (tag.class() as u8) | (u8::from(tag.is_constructed()) << 5) | (number.min(31) as u8)
}

fn push_lv(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// The commonName values of a name, as written (for display and the CA/B Forum CN rule; never
/// used for host matching). [`name_parts`] reads them from the DER; this is the reference its
/// test compares with.
#[cfg(test)]
pub(crate) fn common_names(name: &Name) -> Vec<String> {
    const CN: const_oid::ObjectIdentifier = const_oid::db::rfc4519::CN;
    name.iter()
        .filter(|ava| ava.oid == CN)
        .filter_map(|ava| directory_string(tag_byte(ava.value.tag()), ava.value.value()))
        .collect()
}

/// [`name_parts`] reads these from the DER; this is the reference its test compares with.
///
/// The subject's emailAddress attributes (PKCS #9, IA5String), which name constraints on rfc822Name
/// cover when a certificate has no subjectAltName (RFC 5280 4.2.1.10). A value that is not an
/// IA5String is kept as "" so that it fails closed against any constraint.
#[cfg(test)]
pub(crate) fn email_addresses(name: &Name) -> Vec<String> {
    const EMAIL: const_oid::ObjectIdentifier =
        const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");
    name.iter()
        .filter(|ava| ava.oid == EMAIL)
        .map(|ava| match tag_byte(ava.value.tag()) {
            0x16 => String::from_utf8(ava.value.value().to_vec()).unwrap_or_default(),
            _ => String::new(),
        })
        .collect()
}

/// Append `S` and the normalised string, length first, as [`NameKey::from_name`] writes a string
/// attribute; `false` (nothing written) when the value is not a string.
fn push_normalised(out: &mut Vec<u8>, tag: u8, value: &[u8]) -> bool {
    if matches!(tag, 0x0C | 0x13 | 0x14 | 0x16) && value.is_ascii() {
        // normalise_string's ASCII path, written in place
        out.push(b'S');
        let len_at = out.len();
        out.extend_from_slice(&[0; 4]);
        let start = out.len();
        for word in value
            .split(|&b| matches!(b, 9..=13 | b' '))
            .filter(|w| !w.is_empty())
        {
            if out.len() > start {
                out.push(b' ');
            }
            out.extend(word.iter().map(u8::to_ascii_lowercase));
        }
        let len = (out.len() - start) as u32;
        if let Some(slot) = out.get_mut(len_at..start) {
            slot.copy_from_slice(&len.to_be_bytes());
        }
        return true;
    }
    match normalise_string(tag, value) {
        Some(s) => {
            out.push(b'S');
            push_lv(out, s.as_bytes());
            true
        }
        None => false,
    }
}

fn normalise_string(tag: u8, value: &[u8]) -> Option<String> {
    // ASCII text (nearly every name): one pass, no intermediate strings. The white space is
    // what `split_whitespace` splits on among ASCII characters (TAB, LF, VT, FF, CR, space).
    if matches!(tag, 0x0C | 0x13 | 0x14 | 0x16) && value.is_ascii() {
        let mut out = String::with_capacity(value.len());
        for word in value
            .split(|&b| matches!(b, 9..=13 | b' '))
            .filter(|w| !w.is_empty())
        {
            if !out.is_empty() {
                out.push(' ');
            }
            out.extend(word.iter().map(|&b| char::from(b.to_ascii_lowercase())));
        }
        return Some(out);
    }
    let s = directory_string(tag, value)?;
    let folded: Vec<&str> = s.split_whitespace().collect();
    Some(folded.join(" ").to_lowercase())
}

/// A DirectoryString-like value as text, by its DER tag byte.
fn directory_string(tag: u8, value: &[u8]) -> Option<String> {
    Some(match tag {
        // UTF8String, PrintableString, TeletexString (read as Latin text), IA5String
        0x0C | 0x13 | 0x14 | 0x16 => String::from_utf8(value.to_vec()).ok()?,
        0x1E => {
            if !value.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = value
                .chunks_exact(2)
                .filter_map(|c| <[u8; 2]>::try_from(c).ok())
                .map(u16::from_be_bytes)
                .collect();
            String::from_utf16(&units).ok()?
        }
        0x1C => {
            if !value.len().is_multiple_of(4) {
                return None;
            }
            value
                .chunks_exact(4)
                .map(|c| {
                    <[u8; 4]>::try_from(c)
                        .ok()
                        .map(u32::from_be_bytes)
                        .and_then(char::from_u32)
                })
                .collect::<Option<String>>()?
        }
        _ => return None,
    })
}

/// The identity a leaf is checked against: a DNS name or an IP address.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ServerName {
    /// A DNS name, stored lower-case without a trailing dot.
    Dns(String),
    /// An IP address.
    Ip(IpAddr),
}

impl ServerName {
    /// Parse a host name or IP address (IPv6 with or without brackets).
    pub fn parse(s: &str) -> Result<ServerName, Error> {
        let trimmed = s
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .unwrap_or(s);
        if let Ok(ip) = IpAddr::from_str(trimmed) {
            return Ok(ServerName::Ip(ip));
        }
        let name = s.strip_suffix('.').unwrap_or(s).to_ascii_lowercase();
        // A last label of digits only is no host name (RFC 3696 2: top-level domains are not
        // all-numeric): it is an IP address written some other way (`192.0.2.10.`, `10.1`).
        if name
            .rsplit('.')
            .next()
            .is_some_and(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{s:?} is neither an IP address in standard form nor a DNS name (its last label is all digits)"),
            ));
        }
        if !is_valid_dns_name(&name, false) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("{s:?} is not a valid DNS name or IP address"),
            ));
        }
        Ok(ServerName::Dns(name))
    }
}

impl fmt::Display for ServerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerName::Dns(d) => f.write_str(d),
            ServerName::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// Whether `name` is a syntactically valid DNS name (LDH labels, 1..=63 bytes each, at most 253
/// bytes). With `allow_wildcard`, the first label may be exactly `*`.
pub fn is_valid_dns_name(name: &str, allow_wildcard: bool) -> bool {
    if name.is_empty() || name.len() > 253 {
        return false;
    }
    for (i, label) in name.split('.').enumerate() {
        if i == 0 && allow_wildcard && label == "*" {
            continue;
        }
        if label.is_empty()
            || label.len() > 63
            || label.starts_with('-')
            || label.ends_with('-')
            || !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return false;
        }
    }
    true
}

/// Whether a SAN dNSName (possibly `*.example.com`) covers the host `host` (already lower-case).
/// The wildcard stands for exactly one whole left-most label; it never matches an IP address.
pub fn dns_name_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern
        .strip_suffix('.')
        .unwrap_or(pattern)
        .to_ascii_lowercase();
    if !is_valid_dns_name(&pattern, true) {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(suffix) => {
            // needs at least two labels after the wildcard (no `*.com`)
            if !suffix.contains('.') {
                return false;
            }
            match host.split_once('.') {
                Some((first, rest)) => !first.is_empty() && rest == suffix,
                None => false,
            }
        }
        None => pattern == host,
    }
}

/// Whether any SAN of the leaf covers `name`. With `public_suffix_rule` (the WebPKI profile), a
/// wildcard whose base is a public suffix (`*.co.uk`, `*.s3.amazonaws.com`) matches nothing: no
/// CA may issue one (CABF BR 3.2.2.6), so browsers ignore it.
pub fn san_covers(sans: &[AltName], name: &ServerName, public_suffix_rule: bool) -> bool {
    sans.iter().any(|san| match (san, name) {
        (AltName::Dns(p), ServerName::Dns(h)) => {
            dns_name_matches(p, h)
                && !(public_suffix_rule
                    && p.strip_prefix("*.")
                        .is_some_and(crate::rules::is_public_suffix))
        }
        (AltName::Ip(b), ServerName::Ip(ip)) => match ip {
            IpAddr::V4(v4) => b.as_slice() == v4.octets(),
            IpAddr::V6(v6) => b.as_slice() == v6.octets(),
        },
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    /// The one-pass ASCII normalisation gives what the general one gives: every ASCII byte
    /// (controls and white space included) in short strings of every string type.
    #[test]
    fn ascii_normalisation_matches_the_general_one() {
        let general = |v: &[u8]| {
            let s = String::from_utf8(v.to_vec()).unwrap();
            let folded: Vec<&str> = s.split_whitespace().collect();
            folded.join(" ").to_lowercase()
        };
        let mut next = crate::testutil::rng(0x2545_F491_4F6C_DD1D_u64);
        for _ in 0..20_000 {
            let len = (next() % 12) as usize;
            let v: Vec<u8> = (0..len)
                .map(|_| match next() % 4 {
                    0 => b" \t\n\x0b\x0c\r\x1c\x1f"[next() as usize % 8],
                    _ => (next() % 128) as u8,
                })
                .collect();
            for tag in [0x0C, 0x13, 0x14, 0x16] {
                assert_eq!(super::normalise_string(tag, &v), Some(general(&v)), "{v:?}");
            }
        }
    }

    use super::*;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(dns_name_matches("*.example.com", "www.example.com"));
        assert!(dns_name_matches("*.EXAMPLE.com", "www.example.com"));
        assert!(!dns_name_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_name_matches("*.example.com", "example.com"));
        assert!(!dns_name_matches("*.com", "example.com"));
        assert!(!dns_name_matches("w*.example.com", "www.example.com"));
        assert!(!dns_name_matches("www.*.com", "www.example.com"));
        assert!(dns_name_matches("example.com.", "example.com"));
        assert!(!dns_name_matches("exa\0mple.com", "exa"));
    }

    #[test]
    fn server_names_parse() {
        assert_eq!(
            ServerName::parse("Example.COM.").unwrap(),
            ServerName::Dns("example.com".into())
        );
        assert!(matches!(
            ServerName::parse("192.0.2.1").unwrap(),
            ServerName::Ip(_)
        ));
        assert!(matches!(
            ServerName::parse("[::1]").unwrap(),
            ServerName::Ip(_)
        ));
        assert_eq!(
            ServerName::parse("bad name").unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        assert!(ServerName::parse("").is_err());
        for ip_like in ["192.0.2.10.", "10.1", "0x7f.1", "127.0.0.01"] {
            let e = ServerName::parse(ip_like).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{ip_like}");
            assert!(e.message().contains("last label is all digits"), "{e}");
        }
    }

    #[test]
    fn wildcards_over_public_suffixes_match_nothing_under_webpki() {
        let sans = [AltName::Dns("*.s3.amazonaws.com".into())];
        let host = ServerName::parse("bucket.s3.amazonaws.com").unwrap();
        assert!(!san_covers(&sans, &host, true));
        assert!(san_covers(&sans, &host, false));
        let ok = [AltName::Dns("*.example.com".into())];
        assert!(san_covers(
            &ok,
            &ServerName::parse("www.example.com").unwrap(),
            true
        ));
    }

    #[test]
    fn ip_sans() {
        let sans = [AltName::Ip(vec![192, 0, 2, 10])];
        assert!(san_covers(
            &sans,
            &ServerName::parse("192.0.2.10").unwrap(),
            true
        ));
        assert!(!san_covers(
            &sans,
            &ServerName::parse("192.0.2.11").unwrap(),
            true
        ));
        assert!(!san_covers(
            &[AltName::Dns("192.0.2.10".into())],
            &ServerName::parse("192.0.2.10").unwrap(),
            true
        ));
    }
}
