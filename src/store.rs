//! The trust store: trust-anchor certificates indexed by normalised subject and by key identifier.
//!
//! A built store is immutable; share it with `Arc` to verify from many threads at once. The
//! `from_file`, `from_dir` and `system` constructors read files; nothing else in the core does.
//!
//! Loading a bundle indexes each anchor without parsing it whole (its subject is read, its outer
//! structure checked; a duplicate is found by comparing bytes with the one anchor of the same
//! subject, or by SHA-256 when several share it); an anchor is parsed on first use and its key
//! decoded on first use, each once. The index by subjectKeyIdentifier is built on the first
//! lookup by key identifier (path building looks issuers up by subject only). [`TrustStore::parse_all`] parses every anchor now, for callers
//! that want a broken anchor to be a load error (the CLI and the C API do).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use sha2::{Digest, Sha256};

use crate::cert::{anchor_index, anchor_ski, Certificate};
use crate::crypto::{CryptoBackend, PreparedKey};
use crate::error::{Error, ErrorKind};
use crate::name::NameKey;
use crate::pem::{RawBundle, TrustSettings};

/// Where OpenSSL and Go look for the system bundle on Debian/Ubuntu, Fedora/RHEL, openSUSE and
/// Alpine, in that order.
pub const SYSTEM_BUNDLE_PATHS: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/etc/pki/tls/cacert.pem",
];

/// Where the system's hashed certificate directory usually is.
pub const SYSTEM_DIR_PATHS: &[&str] = &["/etc/ssl/certs", "/etc/pki/tls/certs"];

/// A set of trust anchors.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
    by_subject: HashMap<NameKey, Vec<usize>>,
    /// The SHA-256 of every anchor whose subject is shared with another one.
    by_digest: HashMap<[u8; 32], usize>,
    /// Built on the first lookup by key identifier ([`TrustStore::by_key_id`]): path building
    /// looks issuers up by subject only, so a load does not read every anchor's extensions.
    by_ski: OnceLock<HashMap<Vec<u8>, Vec<usize>>>,
    skipped: Vec<String>,
}

/// How many backends besides the first keep their own prepared copy of an anchor's key; a
/// further backend verifies with the key undecoded.
const MAX_OTHER_BACKENDS: usize = 4;

/// A backend's name and the key it prepared.
type BackendKey = (&'static str, Option<Arc<dyn PreparedKey>>);

/// One trust anchor: its DER, parsed on first use.
#[derive(Clone, Debug)]
struct Anchor {
    der: Vec<u8>,
    /// How errors name it (`roots.pem: line 5: certificate 2 (block 2)`), formatted when needed.
    origin: Origin,
    cert: OnceLock<Result<Certificate, String>>,
    /// The public key as the first backend that needs it prepared it (`None`: it prepares
    /// nothing, or the key does not decode), with that backend's name.
    key: OnceLock<BackendKey>,
    /// The same for other backends (a store shared by verifiers with different backends), at
    /// most [`MAX_OTHER_BACKENDS`], each slot taken by the first backend to reach it; made on
    /// first need. No lock: a slot is a `OnceLock`.
    other_keys: OnceLock<Box<[OnceLock<BackendKey>; MAX_OTHER_BACKENDS]>>,
    /// OpenSSL trust settings (from a `TRUSTED CERTIFICATE` block), if any.
    trust: Option<TrustSettings>,
}

/// Where an anchor came from, for its errors.
#[derive(Clone, Debug)]
enum Origin {
    /// Certificate `index` (0-based) of the bundle `source`, in the block at `line` (0: DER).
    Block {
        source: Arc<str>,
        line: usize,
        index: usize,
        block: usize,
    },
    /// Root `i` of the embedded Mozilla set.
    Embedded(usize),
    /// Added already parsed.
    Parsed,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Block {
                source,
                line,
                index,
                block,
            } => f.write_str(&crate::pem::describe_block(source, *line, *index, *block)),
            Origin::Embedded(i) => write!(f, "embedded root {i}"),
            Origin::Parsed => f.write_str("trust anchor"),
        }
    }
}

impl Anchor {
    /// The parsed certificate (parsed now if this is its first use); `Err` says why it does not
    /// parse, naming the anchor.
    fn parsed(&self) -> Result<&Certificate, &str> {
        self.cert
            .get_or_init(|| {
                Certificate::from_der(&self.der)
                    .map_err(|e| format!("{}: {}", self.origin, e.message()))
            })
            .as_ref()
            .map_err(String::as_str)
    }

    fn cert(&self) -> Option<&Certificate> {
        self.parsed().ok()
    }
}

impl TrustStore {
    /// An empty store.
    pub fn new() -> TrustStore {
        TrustStore::default()
    }

    /// Add a trust anchor. A certificate already present is ignored. Returns whether it was added.
    pub fn add(&mut self, cert: Certificate) -> bool {
        self.add_with_trust(cert, None)
    }

    /// Add a trust anchor with OpenSSL trust settings (from a `TRUSTED CERTIFICATE` block; `None`:
    /// trusted for every purpose). A certificate already present is ignored, settings included:
    /// the first copy added wins. Returns whether it was added.
    pub fn add_with_trust(&mut self, cert: Certificate, trust: Option<TrustSettings>) -> bool {
        let cert_subject = cert.subject_key().clone();
        let anchor = Anchor {
            der: cert.der().to_vec(),
            // Only named when it does not parse, and it is parsed already.
            origin: Origin::Parsed,
            cert: OnceLock::new(),
            key: OnceLock::new(),
            other_keys: OnceLock::new(),
            trust,
        };
        let _ = anchor.cert.set(Ok(cert));
        self.insert(anchor, cert_subject)
    }

    /// Where the anchor with exactly this DER is. Looked up by its subject: the usual subject
    /// has one anchor, whose bytes are compared; anchors that share a subject are also indexed
    /// by SHA-256, which `digest` gives for the one looked for (no digest is computed for an
    /// anchor alone with its subject, nearly all of them).
    fn position(
        &self,
        der: &[u8],
        subject: &NameKey,
        digest: impl FnOnce() -> [u8; 32],
    ) -> Option<usize> {
        match self.by_subject.get(subject)?.as_slice() {
            [i] => self.anchors.get(*i).filter(|a| a.der == der).map(|_| *i),
            _ => self.by_digest.get(&digest()).copied(),
        }
    }

    /// Where `cert` is among the anchors, if it is one.
    fn position_of(&self, cert: &Certificate) -> Option<usize> {
        self.position(cert.der(), cert.subject_key(), || *cert.sha256())
    }

    /// Index `anchor` unless the same certificate is already there. Anchors sharing a subject
    /// are told apart by digest, not by comparing each with every other (found by an attack
    /// run: 4,096 large anchors with one subject, differing in their last bytes, took 7.5 s to
    /// load when each was compared with the ones before it).
    fn insert(&mut self, anchor: Anchor, subject: NameKey) -> bool {
        let i = self.anchors.len();
        // One hash of the subject, which the map keeps if it is new.
        match self.by_subject.entry(subject) {
            std::collections::hash_map::Entry::Occupied(mut entry) => {
                let bucket = entry.get_mut();
                if let [only] = bucket.as_slice() {
                    // The subject's second anchor: its first one is indexed by digest too.
                    let Some(first) = self.anchors.get(*only) else {
                        return false;
                    };
                    if first.der == anchor.der {
                        return false;
                    }
                    self.by_digest
                        .insert(Sha256::digest(&first.der).into(), *only);
                }
                match self.by_digest.entry(Sha256::digest(&anchor.der).into()) {
                    std::collections::hash_map::Entry::Occupied(_) => return false,
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(i);
                    }
                }
                bucket.push(i);
            }
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(vec![i]);
            }
        }
        self.by_ski = OnceLock::new();
        self.anchors.push(anchor);
        true
    }

    /// Add one anchor from its DER without parsing it whole (see the module documentation);
    /// `origin` names it in errors.
    fn add_der(
        &mut self,
        der: Vec<u8>,
        origin: Origin,
        trust: Option<TrustSettings>,
    ) -> Result<bool, Error> {
        let subject = anchor_index(&der)
            .map_err(|e| Error::new(ErrorKind::Malformed, format!("{origin}: {}", e.message())))?;
        // A duplicate (the same bytes as an anchor already indexed) is dropped by `insert`.
        let anchor = Anchor {
            der,
            origin,
            cert: OnceLock::new(),
            key: OnceLock::new(),
            other_keys: OnceLock::new(),
            trust,
        };
        Ok(self.insert(anchor, subject))
    }

    /// Add every anchor of `other`, with its trust settings (anchors already present are kept
    /// once, as in [`TrustStore::add_with_trust`]), and what `other` skipped when loading.
    /// Returns how many anchors were added.
    pub fn merge(&mut self, other: &TrustStore) -> usize {
        self.skipped.extend(other.skipped.iter().cloned());
        // Each of `other`'s anchors with its subject, in `other`'s order.
        let mut subjects: Vec<Option<&NameKey>> = vec![None; other.anchors.len()];
        for (subject, bucket) in &other.by_subject {
            for &i in bucket {
                if let Some(slot) = subjects.get_mut(i) {
                    *slot = Some(subject);
                }
            }
        }
        other
            .anchors
            .iter()
            .zip(subjects)
            .filter_map(|(a, subject)| Some((a, subject?)))
            .filter(|(a, subject)| self.insert((*a).clone(), (*subject).clone()))
            .count()
    }

    /// Parse every anchor now (each is otherwise parsed on first use): the first that does not
    /// parse is an error naming it (its file and block).
    pub fn parse_all(&self) -> Result<(), Error> {
        for a in &self.anchors {
            a.parsed()
                .map_err(|e| Error::new(ErrorKind::Malformed, e.to_string()))?;
        }
        Ok(())
    }

    /// Add every certificate of a PEM or DER bundle; `source` names it in errors. Non-certificate
    /// blocks are ignored; the trust settings of `TRUSTED CERTIFICATE` blocks are kept with their
    /// anchor. Returns how many certificates were added.
    pub fn add_bundle(&mut self, bytes: &[u8], source: &str) -> Result<usize, Error> {
        let bundle = RawBundle::parse(bytes, source)?;
        self.add_raw(bundle, source)
    }

    fn add_raw(&mut self, bundle: RawBundle, source: &str) -> Result<usize, Error> {
        let mut added = 0;
        let source: Arc<str> = Arc::from(source);
        self.anchors.reserve(bundle.certs.len());
        self.by_subject.reserve(bundle.certs.len());
        for raw in bundle.certs {
            let origin = Origin::Block {
                source: Arc::clone(&source),
                line: raw.origin.line,
                index: raw.origin.index,
                block: raw.origin.block,
            };
            added += usize::from(self.add_der(raw.der, origin, raw.origin.trust)?);
        }
        Ok(added)
    }

    /// A store from PEM or DER bytes (at least one certificate).
    pub fn from_pem(bytes: &[u8], source: &str) -> Result<TrustStore, Error> {
        let mut store = TrustStore::new();
        store.add_bundle(bytes, source)?;
        Ok(store)
    }

    /// A store from a PEM or DER file.
    pub fn from_file(path: &Path) -> Result<TrustStore, Error> {
        let mut store = TrustStore::new();
        store.add_file(path)?;
        Ok(store)
    }

    /// Add the certificates of a PEM or DER file.
    pub fn add_file(&mut self, path: &Path) -> Result<usize, Error> {
        let bytes = read_bundle_file(path)?;
        self.add_bundle(&bytes, &path.display().to_string())
    }

    /// A store from an OpenSSL-style directory: the hash-named files (`5ed36f99.0`) when there are
    /// any, else every `*.pem`, `*.crt` and `*.cer` file. Unreadable or unparsable files in a
    /// directory are recorded in [`TrustStore::skipped`], not fatal.
    pub fn from_dir(path: &Path) -> Result<TrustStore, Error> {
        let mut store = TrustStore::new();
        store.add_dir(path)?;
        if store.is_empty() {
            // Say why when files were refused (the first reason, and how many more).
            let why = match store.skipped.as_slice() {
                [] => String::new(),
                [one] => format!(" (skipped: {one})"),
                [first, rest @ ..] => {
                    format!(" (skipped: {first}; and {} more file(s))", rest.len())
                }
            };
            return Err(Error::new(
                ErrorKind::Malformed,
                format!(
                    // "loaded" when files were there but refused: a file is added whole or not
                    // at all, so one broken anchor makes its whole file skipped
                    "{}: no certificate {} the directory{why}",
                    path.display(),
                    if why.is_empty() {
                        "found in"
                    } else {
                        "loaded from"
                    }
                ),
            ));
        }
        Ok(store)
    }

    /// Add the certificates of an OpenSSL-style directory (see [`TrustStore::from_dir`]).
    pub fn add_dir(&mut self, path: &Path) -> Result<usize, Error> {
        let entries = std::fs::read_dir(path).map_err(|e| io_error(path, &e))?;
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        let hashed: Vec<PathBuf> = files.iter().filter(|p| is_hash_name(p)).cloned().collect();
        let chosen = if hashed.is_empty() {
            files
                .into_iter()
                .filter(|p| {
                    matches!(
                        p.extension().and_then(|e| e.to_str()),
                        Some("pem" | "crt" | "cer")
                    )
                })
                .collect()
        } else {
            hashed
        };
        let mut added = 0;
        for file in chosen {
            // Only regular files (links followed): opening a FIFO would block, a device never end.
            match std::fs::metadata(&file) {
                Ok(m) if m.is_file() => {}
                Ok(_) => {
                    self.skipped
                        .push(format!("{}: not a regular file, skipped", file.display()));
                    continue;
                }
                Err(e) => {
                    // a dangling symbolic link (the usual case), or no permission to look
                    let why = if e.kind() == std::io::ErrorKind::NotFound {
                        "a symbolic link to nothing (its target does not exist)".to_string()
                    } else {
                        e.to_string()
                    };
                    self.skipped
                        .push(format!("{}: {why}, skipped", file.display()));
                    continue;
                }
            }
            // A file is added whole or not at all: its anchors go into a store of their own first.
            let name = file.display().to_string();
            let mut one = TrustStore::new();
            match read_bundle_file(&file)
                .and_then(|b| RawBundle::parse(&b, &name))
                .and_then(|bundle| one.add_raw(bundle, &name))
                .and_then(|_| one.parse_all())
            {
                Ok(_) => added += self.merge(&one),
                Err(e) => self.skipped.push(e.to_string()),
            }
        }
        Ok(added)
    }

    /// The system trust store, found where OpenSSL looks: `$SSL_CERT_FILE`, `$SSL_CERT_DIR`, then
    /// the usual bundle paths of Debian/Ubuntu, Fedora/RHEL, openSUSE and Alpine, then the usual
    /// directories.
    pub fn system() -> Result<TrustStore, Error> {
        // Like OpenSSL's default paths: $SSL_CERT_FILE and $SSL_CERT_DIR (a ':'-separated list)
        // each replace their default, and when both are set both are used.
        let env_file = std::env::var_os("SSL_CERT_FILE");
        let env_dir = std::env::var_os("SSL_CERT_DIR");
        if env_file.is_some() || env_dir.is_some() {
            let mut store = TrustStore::new();
            if let Some(file) = &env_file {
                store.add_file(Path::new(file))?;
            }
            if let Some(dirs) = &env_dir {
                for dir in std::env::split_paths(dirs) {
                    store.add_dir(&dir)?;
                }
            }
            if store.is_empty() {
                return Err(Error::new(
                    ErrorKind::Io,
                    "no certificate found in $SSL_CERT_FILE / $SSL_CERT_DIR",
                ));
            }
            return Ok(store);
        }
        for p in SYSTEM_BUNDLE_PATHS {
            let path = Path::new(p);
            if path.is_file() {
                return TrustStore::from_file(path);
            }
        }
        for p in SYSTEM_DIR_PATHS {
            let path = Path::new(p);
            if path.is_dir() {
                if let Ok(store) = TrustStore::from_dir(path) {
                    return Ok(store);
                }
            }
        }
        Err(Error::new(
            ErrorKind::Io,
            format!(
                "no system trust store found (looked at $SSL_CERT_FILE, $SSL_CERT_DIR, {} and {}); install ca-certificates or pass --roots FILE",
                SYSTEM_BUNDLE_PATHS.join(", "),
                SYSTEM_DIR_PATHS.join(", ")
            ),
        ))
    }

    /// The Mozilla root set embedded at build time (from the `webpki-root-certs` crate).
    pub fn mozilla() -> TrustStore {
        let mut store = TrustStore::new();
        for (i, der) in webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().enumerate() {
            if let Err(e) = store.add_der(der.to_vec(), Origin::Embedded(i), None) {
                store.skipped.push(e.to_string());
            }
        }
        store
    }

    /// Number of anchors.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether the store has no anchor.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    /// All anchors that parse, in the order added (this parses every anchor not used yet).
    pub fn anchors(&self) -> Vec<&Certificate> {
        self.anchors.iter().filter_map(Anchor::cert).collect()
    }

    /// Files or embedded certificates that could not be used, with the reason: those refused
    /// when loading, then anchors found not to parse on first use (or by [`Self::parse_all`]).
    pub fn skipped(&self) -> Vec<String> {
        let late = self
            .anchors
            .iter()
            .filter_map(|a| a.cert.get()?.as_ref().err().cloned());
        self.skipped.iter().cloned().chain(late).collect()
    }

    /// Why the anchors named `name` cannot be used, when there are some and none parses.
    pub(crate) fn unusable(&self, name: &NameKey) -> Option<&str> {
        let all: Vec<&Anchor> = self
            .by_subject
            .get(name)?
            .iter()
            .filter_map(|&i| self.anchors.get(i))
            .collect();
        let mut reason = None;
        for a in all {
            match a.parsed() {
                Ok(_) => return None,
                Err(e) => reason = reason.or(Some(e)),
            }
        }
        reason
    }

    /// Anchors whose subject is `name`.
    pub fn by_subject<'a>(&'a self, name: &NameKey) -> impl Iterator<Item = &'a Certificate> + 'a {
        self.by_subject
            .get(name)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.anchors.get(i)?.cert())
    }

    /// Anchors whose subjectKeyIdentifier is `ski`.
    pub fn by_key_id<'a>(&'a self, ski: &[u8]) -> impl Iterator<Item = &'a Certificate> + 'a {
        self.by_ski
            .get_or_init(|| {
                let mut index: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
                for (i, a) in self.anchors.iter().enumerate() {
                    // An anchor parsed already has its identifier at hand; the others are read
                    // from their DER (see `anchor_ski`).
                    let ski = match a.cert.get() {
                        Some(Ok(c)) => c.subject_key_id().map(<[u8]>::to_vec),
                        _ => anchor_ski(&a.der),
                    };
                    if let Some(ski) = ski {
                        index.entry(ski).or_default().push(i);
                    }
                }
                index
            })
            .get(ski)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.anchors.get(i)?.cert())
    }

    /// The OpenSSL trust settings the anchor `cert` was added with (from a `TRUSTED CERTIFICATE`
    /// block), if any.
    pub fn trust_settings(&self, cert: &Certificate) -> Option<&TrustSettings> {
        let i = self.position_of(cert)?;
        self.anchors.get(i)?.trust.as_ref()
    }

    /// Whether this exact certificate (same DER) is an anchor.
    pub fn contains(&self, cert: &Certificate) -> bool {
        self.position_of(cert).is_some()
    }

    /// The anchor's public key prepared by `backend`, decoded on first use and then kept (for
    /// the first backend that asks and up to [`MAX_OTHER_BACKENDS`] more). `None` when `cert`
    /// is not an anchor, the backend does not prepare keys, the key does not decode
    /// (verification then reports why), or more backends than that share the store.
    pub(crate) fn anchor_key(
        &self,
        cert: &Certificate,
        backend: &dyn CryptoBackend,
    ) -> Option<Arc<dyn PreparedKey>> {
        let i = self.position_of(cert)?;
        let anchor = self.anchors.get(i)?;
        let prepare = || backend.prepare(cert.spki_der()).ok().flatten();
        let (first_backend, first) = anchor.key.get_or_init(|| (backend.name(), prepare()));
        if *first_backend == backend.name() {
            return first.clone();
        }
        // Another backend was first: this one keeps its own copy in the first free slot.
        let others = anchor.other_keys.get_or_init(Default::default);
        for slot in others.iter() {
            let (name, key) = slot.get_or_init(|| (backend.name(), prepare()));
            if *name == backend.name() {
                return key.clone();
            }
        }
        None
    }
}

/// Read a bundle file, at most [`MAX_BUNDLE_BYTES`](crate::MAX_BUNDLE_BYTES) of it: a larger file
/// (or an endless one such as `/dev/zero` or a pipe) is refused with `budget_exceeded` naming it,
/// after reading one byte past the limit, never loaded whole.
pub fn read_bundle_file(path: &Path) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let limit = crate::MAX_BUNDLE_BYTES;
    let file = std::fs::File::open(path).map_err(|e| io_error(path, &e))?;
    // Sized from the file's length when it has one (a regular file), so that reading it does not
    // grow the buffer by doubling (a 224 KB bundle took 256 KiB); a pipe or FIFO says 0.
    let hint = file
        .metadata()
        .map(|m| {
            usize::try_from(m.len())
                .unwrap_or(usize::MAX)
                .min(limit + 1)
        })
        .unwrap_or(0);
    let mut bytes = Vec::with_capacity(hint.saturating_add(1));
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, &e))?;
    if bytes.len() > limit {
        return Err(Error::new(
            ErrorKind::BudgetExceeded,
            format!(
                "{}: more than {limit} bytes, the limit for one bundle",
                path.display()
            ),
        ));
    }
    Ok(bytes)
}

fn io_error(path: &Path, e: &std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{}: {e}", path.display()))
}

fn is_hash_name(p: &Path) -> bool {
    let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some((hash, n)) = name.split_once('.') else {
        return false;
    };
    let hash = hash.strip_prefix('r').unwrap_or(hash); // no CRL files (`.r0`)
    hash.len() == 8
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_names() {
        assert!(is_hash_name(Path::new("/x/5ed36f99.0")));
        assert!(is_hash_name(Path::new("5ed36f99.12")));
        assert!(!is_hash_name(Path::new("5ed36f99.r0")));
        assert!(!is_hash_name(Path::new("ca.pem")));
    }

    #[test]
    fn mozilla_set_loads_and_is_indexed() {
        let store = TrustStore::mozilla();
        assert!(store.len() > 100, "{}", store.len());
        assert!(store.skipped().is_empty(), "{:?}", store.skipped());
        let isrg = store
            .anchors()
            .into_iter()
            .find(|c| c.subject().contains("CN=ISRG Root X1"))
            .expect("ISRG Root X1 is in the Mozilla set");
        assert_eq!(store.by_subject(isrg.subject_key()).count(), 1);
        let ski = isrg.subject_key_id().expect("has an SKI");
        assert!(store.by_key_id(ski).any(|c| c == isrg));
        assert!(!store
            .anchors()
            .iter()
            .any(|c| c.subject().contains("DST Root CA X3")));
    }

    #[test]
    fn merge_keeps_the_order_and_the_subjects() {
        let all = TrustStore::mozilla();
        let mut merged = TrustStore::new();
        let first = all.anchors()[0].clone();
        assert!(merged.add(first.clone()));
        assert_eq!(merged.merge(&all), all.len() - 1);
        assert_eq!(merged.len(), all.len());
        let order = |s: &TrustStore| -> Vec<String> {
            s.anchors().iter().map(|c| c.sha256_hex()).collect()
        };
        assert_eq!(order(&merged), order(&all));
        for c in all.anchors() {
            assert!(merged.by_subject(c.subject_key()).any(|m| m == c));
            assert!(merged.contains(c));
        }
    }

    /// A backend that only prepares keys, counting how often, under its own name.
    #[derive(Debug)]
    struct Named(&'static str, std::sync::atomic::AtomicUsize);

    #[derive(Debug)]
    struct NamedKey(&'static str);

    impl PreparedKey for NamedKey {
        fn backend(&self) -> &'static str {
            self.0
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    impl CryptoBackend for Named {
        fn name(&self) -> &'static str {
            self.0
        }
        fn verify(
            &self,
            _: crate::crypto::SignatureAlgorithm,
            _: &[u8],
            _: &[u8],
            _: &[u8],
        ) -> Result<(), crate::crypto::SignatureError> {
            Err(crate::crypto::SignatureError::Invalid)
        }
        fn prepare(
            &self,
            _: &[u8],
        ) -> Result<Option<Arc<dyn PreparedKey>>, crate::crypto::SignatureError> {
            self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok((self.0 != "none").then(|| Arc::new(NamedKey(self.0)) as Arc<dyn PreparedKey>))
        }
    }

    #[test]
    fn each_backend_sharing_a_store_keeps_its_own_anchor_keys() {
        let store = TrustStore::mozilla();
        let anchor = store.anchors()[0].clone();
        let names = ["first", "none", "b", "c", "d", "e"];
        let backends: Vec<Named> = names.iter().map(|n| Named(n, Default::default())).collect();
        for _ in 0..3 {
            for b in &backends {
                let key = store.anchor_key(&anchor, b);
                match b.0 {
                    // A backend that prepares nothing (one of the four others kept), and one
                    // past that limit.
                    "none" | "e" => assert!(key.is_none(), "{}", b.0),
                    name => assert_eq!(key.map(|k| k.backend()), Some(name)),
                }
            }
        }
        // Each kept backend prepared the key once (also the one that prepared nothing); the one
        // past the limit verifies with the key undecoded and never prepares it.
        let counts: Vec<usize> = backends
            .iter()
            .map(|b| b.1.load(std::sync::atomic::Ordering::Relaxed))
            .collect();
        assert_eq!(counts, [1, 1, 1, 1, 1, 0]);
    }

    #[test]
    fn key_id_index_is_built_on_first_use_and_follows_later_additions() {
        let all = TrustStore::mozilla();
        let with_ski: Vec<&Certificate> = all
            .anchors()
            .into_iter()
            .filter(|c| c.subject_key_id().is_some())
            .take(2)
            .collect();
        let [a, b] = with_ski.as_slice() else {
            panic!("two Mozilla roots with a key identifier");
        };
        let (ski_a, ski_b) = (a.subject_key_id().unwrap(), b.subject_key_id().unwrap());
        let found = |store: &TrustStore, ski: &[u8]| -> Vec<String> {
            store
                .by_key_id(ski)
                .map(|c| c.subject().to_string())
                .collect()
        };
        let mut store = TrustStore::new();
        // Added as DER: not parsed, so the index reads the identifier from the DER.
        assert!(store
            .add_der(a.der().to_vec(), Origin::Embedded(0), None)
            .unwrap());
        assert!(store.anchors[0].cert.get().is_none());
        assert_eq!(found(&store, ski_a), [a.subject()]);
        assert!(found(&store, ski_b).is_empty());
        // An anchor added after the index was built is found by it.
        assert!(store.add((*b).clone()));
        assert_eq!(found(&store, ski_b), [b.subject()]);
        assert_eq!(found(&store, ski_a), [a.subject()]);
        assert_eq!(store.by_key_id(&[0xAB; 20]).count(), 0);
    }
}
