//! Path building: from the leaf, depth-first with backtracking over every candidate issuer, trust
//! anchors first, then key-identifier agreement, then currently valid, then newest. Every
//! complete path is checked at every depth; the first that passes is returned. When none does,
//! the most specific failure of the best path is reported, with that path's per-depth problems.

use std::collections::HashMap;
use std::sync::Arc;

use crate::cache::{CertCache, KeyCache, SignatureCache};
use crate::cert::Certificate;
use crate::checks::evaluate;
use crate::crypto::{default_backend, parse_signature_algorithm, CryptoBackend, SignatureError};
use crate::error::{CertError, Error, ErrorKind};
use crate::pem::eku_name;
use crate::policy::Policy;
use crate::store::TrustStore;

/// One certificate of a path, with what was found wrong with it (empty on a verified path).
#[derive(Clone, Debug)]
pub struct ChainEntry {
    /// The certificate.
    pub certificate: Certificate,
    /// Whether it is the trust anchor that ends the path.
    pub trust_anchor: bool,
    /// The problems found at this depth.
    pub errors: Vec<CertError>,
}

/// A verified path, leaf first, ending at a trust anchor.
#[derive(Clone, Debug)]
pub struct VerifiedChain {
    entries: Vec<ChainEntry>,
}

impl VerifiedChain {
    /// The entries, leaf (depth 0) first; the last is the trust anchor.
    pub fn entries(&self) -> &[ChainEntry] {
        &self.entries
    }

    /// The certificates, leaf first.
    pub fn certificates(&self) -> impl Iterator<Item = &Certificate> {
        self.entries.iter().map(|e| &e.certificate)
    }

    /// The number of certificates, anchor included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Always false: a verified chain holds at least the leaf.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The trust anchor.
    pub fn anchor(&self) -> Option<&Certificate> {
        self.entries.last().map(|e| &e.certificate)
    }
}

/// Verifies chains against one trust store. Cheap to clone and safe to share between threads;
/// clones share the caches.
#[derive(Clone, Debug)]
pub struct Verifier {
    store: Arc<TrustStore>,
    backend: Arc<dyn CryptoBackend>,
    signatures: Option<Arc<SignatureCache>>,
    keys: Option<Arc<KeyCache>>,
    certs: Option<Arc<CertCache>>,
}

impl Verifier {
    /// A verifier over `store` with the default crypto backend
    /// ([`crate::crypto::default_backend`]) and the default caches.
    pub fn new(store: Arc<TrustStore>) -> Verifier {
        Verifier::with_backend(store, default_backend())
    }

    /// A verifier over `store` with a chosen crypto backend and the default caches: a
    /// [`SignatureCache`] of [`SignatureCache::default_capacity`] verified signatures and a
    /// [`KeyCache`] of decoded intermediate keys.
    pub fn with_backend(store: Arc<TrustStore>, backend: Arc<dyn CryptoBackend>) -> Verifier {
        Verifier {
            store,
            backend,
            signatures: Some(Arc::new(SignatureCache::default())),
            keys: Some(Arc::new(KeyCache::default())),
            certs: Some(Arc::new(CertCache::default())),
        }
    }

    /// The same verifier with no caches (signatures, intermediate keys, parsed intermediates
    /// for [`Verifier::verify_der`]): every signature is verified on every call (trust anchors'
    /// keys are still decoded once, by the store). Caching never changes a verdict; this is for
    /// measuring, or to bound memory.
    pub fn without_cache(mut self) -> Verifier {
        self.signatures = None;
        self.keys = None;
        self.certs = None;
        self
    }

    /// The same verifier with this signature cache (and a key cache).
    pub fn with_cache(mut self, cache: SignatureCache) -> Verifier {
        self.signatures = Some(Arc::new(cache));
        if self.keys.is_none() {
            self.keys = Some(Arc::new(KeyCache::default()));
        }
        if self.certs.is_none() {
            self.certs = Some(Arc::new(CertCache::default()));
        }
        self
    }

    pub(crate) fn cert_cache(&self) -> Option<&CertCache> {
        self.certs.as_deref()
    }

    /// The signature cache, when caching is on.
    pub fn signature_cache(&self) -> Option<&SignatureCache> {
        self.signatures.as_deref()
    }

    /// The crypto backend.
    pub fn backend(&self) -> &Arc<dyn CryptoBackend> {
        &self.backend
    }

    /// The trust store.
    pub fn store(&self) -> &Arc<TrustStore> {
        &self.store
    }

    /// Verify a presented chain: `chain[0]` is the leaf, the rest are candidate intermediates in
    /// any order (extras and duplicates allowed), as in an nginx `ssl_certificate` file.
    pub fn verify(&self, chain: &[Certificate], policy: &Policy) -> Result<VerifiedChain, Error> {
        let (leaf, rest) = chain.split_first().ok_or_else(|| {
            Error::new(ErrorKind::InvalidArgument, "the chain holds no certificate")
        })?;
        self.verify_leaf(leaf, rest, policy)
    }

    /// Verify `leaf` using `intermediates` (any order) and the trust store.
    pub fn verify_leaf(
        &self,
        leaf: &Certificate,
        intermediates: &[Certificate],
        policy: &Policy,
    ) -> Result<VerifiedChain, Error> {
        // Copies (of the leaf or of each other) add nothing, so they do not count.
        let distinct = 1 + distinct_from(leaf, intermediates).len();
        if distinct > policy.limits.max_chain_certificates {
            return Err(Error::new(
                ErrorKind::BudgetExceeded,
                format!(
                    "the chain has {distinct} different certificates, more than the limit of {}",
                    policy.limits.max_chain_certificates
                ),
            ));
        }
        let mut search = Search::new(self, leaf, intermediates, policy);
        let mut path = vec![Node::Leaf];
        match search.extend(&mut path) {
            Ok(Some(entries)) => Ok(VerifiedChain { entries }),
            Ok(None) => Err(search.failure()),
            Err(e) => Err(e.with_path(search.best_entries())),
        }
    }
}

/// A certificate in the search: the leaf, a presented intermediate, or a store anchor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Node {
    Leaf,
    Presented(usize),
    Anchor(usize),
}

struct Failure {
    rank: u8,
    entries: Vec<ChainEntry>,
    primary: (usize, CertError),
}

struct Search<'a> {
    policy: &'a Policy,
    verifier: &'a Verifier,
    backend: &'a dyn CryptoBackend,
    store: &'a TrustStore,
    leaf: &'a Certificate,
    presented: Vec<&'a Certificate>,
    anchors: Vec<&'a Certificate>,
    anchor_index: HashMap<usize, usize>,
    signatures: HashMap<(Node, Node), Result<(), CertError>>,
    signature_checks: u32,
    steps: u32,
    best: Option<Failure>,
}

/// The certificates of `intermediates` that are neither a copy of `leaf` nor of an earlier one,
/// in order. A short chain (the usual leaf and one or two intermediates) is compared byte by
/// byte, which stops at the first difference; a longer one by SHA-256, so that a hostile chain
/// costs a digest per certificate rather than a comparison per pair.
fn distinct_from<'c>(leaf: &Certificate, intermediates: &'c [Certificate]) -> Vec<&'c Certificate> {
    let mut out: Vec<&Certificate> = Vec::with_capacity(intermediates.len());
    if intermediates.len() <= 8 {
        for c in intermediates {
            if c != leaf && !out.contains(&c) {
                out.push(c);
            }
        }
        return out;
    }
    let mut seen = std::collections::HashSet::with_capacity(intermediates.len() + 1);
    seen.insert(leaf.sha256());
    out.extend(intermediates.iter().filter(|c| seen.insert(c.sha256())));
    out
}

impl<'a> Search<'a> {
    fn new(
        v: &'a Verifier,
        leaf: &'a Certificate,
        intermediates: &'a [Certificate],
        policy: &'a Policy,
    ) -> Self {
        // Duplicates (and copies of the leaf) are dropped; presented copies of anchors are kept
        // out too, the anchor stands for them.
        let presented = distinct_from(leaf, intermediates)
            .into_iter()
            .filter(|c| !v.store.contains(c))
            .collect();
        Search {
            policy,
            verifier: v,
            backend: v.backend.as_ref(),
            store: &v.store,
            leaf,
            presented,
            anchors: Vec::new(),
            anchor_index: HashMap::new(),
            signatures: HashMap::new(),
            signature_checks: 0,
            steps: 0,
            best: None,
        }
    }

    fn cert(&self, n: Node) -> &'a Certificate {
        match n {
            Node::Leaf => self.leaf,
            Node::Presented(i) => self.presented.get(i).copied().unwrap_or(self.leaf),
            Node::Anchor(i) => self.anchors.get(i).copied().unwrap_or(self.leaf),
        }
    }

    fn anchor_node(&mut self, c: &'a Certificate) -> Node {
        let len = self.anchors.len();
        // Each anchor is one `Certificate` of the store's, so its address names it.
        let i = *self.anchor_index.entry(c.identity()).or_insert(len);
        if i == len {
            self.anchors.push(c);
        }
        Node::Anchor(i)
    }

    /// Candidate issuers of `child` (at `depth`), best first; more than the limit is an error.
    fn candidates(&mut self, child: &Certificate, depth: usize) -> Result<Vec<Node>, Error> {
        let store = self.store;
        let mut out: Vec<Node> = Vec::new();
        for a in store.by_subject(child.issuer_key()) {
            out.push(self.anchor_node(a));
        }
        for (i, c) in self.presented.iter().enumerate() {
            if c.subject_key() == child.issuer_key() {
                out.push(Node::Presented(i));
            }
        }
        let limit = self.policy.limits.max_issuer_candidates;
        if out.len() > limit {
            return Err(self
                .budget_error(format!(
                    "{} certificates are named {}, the issuer of this certificate: more than the limit of {limit} candidate issuers",
                    out.len(),
                    child.issuer()
                ))
                .at(depth, child.subject().to_string()));
        }
        let aki = child.authority_key_id();
        let time = self.policy.time;
        let key = |n: &Node| {
            let c = self.cert(*n);
            let anchor = matches!(n, Node::Anchor(_));
            let kid = match (aki, c.subject_key_id()) {
                (Some(a), Some(s)) if a == s => 0u8,
                (Some(_), Some(_)) => 2,
                _ => 1,
            };
            let valid = c.not_before() <= time && time <= c.not_after();
            (!anchor, kid, !valid, std::cmp::Reverse(c.not_before()))
        };
        out.sort_by_key(key);
        Ok(out)
    }

    /// Extend `path` to a trust anchor; `Ok(Some)` on the first path that passes every check.
    fn extend(&mut self, path: &mut Vec<Node>) -> Result<Option<Vec<ChainEntry>>, Error> {
        let Some(&child_node) = path.last() else {
            return Ok(None);
        };
        if matches!(child_node, Node::Anchor(_)) {
            if let Some(refused) = self.refused_anchor(self.cert(child_node)) {
                // Checked like an anchor, but it ends no path.
                self.finish(path, true, false, Some((path.len() - 1, refused)));
                return Ok(None);
            }
            return Ok(self.finish(path, true, true, None));
        }
        let child = self.cert(child_node);
        let depth = path.len() - 1;
        let candidates = self.candidates(child, depth)?;
        let mut tried = 0usize;
        let mut too_long = false;
        for cand in candidates {
            let issuer = self.cert(cand);
            if path
                .iter()
                .any(|n| self.cert(*n).same_subject_and_key(issuer))
            {
                continue;
            }
            // `depth` certificates above the leaf are already intermediates
            if !matches!(cand, Node::Anchor(_)) && depth + 1 > self.policy.limits.max_intermediates
            {
                too_long = true;
                continue;
            }
            self.steps += 1;
            if self.steps > self.policy.limits.max_path_steps {
                return Err(self
                    .budget_error(format!(
                        "path building gave up after {} steps (limit {})",
                        self.steps - 1,
                        self.policy.limits.max_path_steps
                    ))
                    .at(depth, child.subject()));
            }
            tried += 1;
            // A budget that runs out while looking for this certificate's issuer is reported
            // at its depth, so the message says where the search was.
            let checked = self.check_signature(child_node, cand).map_err(|e| {
                if e.depth().is_none() {
                    e.at(depth, child.subject())
                } else {
                    e
                }
            })?;
            match checked {
                Ok(()) => {
                    path.push(cand);
                    if let Some(done) = self.extend(path)? {
                        return Ok(Some(done));
                    }
                    path.pop();
                }
                Err(e) => {
                    self.finish(path, false, false, Some((depth, e)));
                }
            }
        }
        if tried == 0 {
            let e = if too_long {
                CertError {
                    kind: ErrorKind::ChainTooLong,
                    message: format!(
                        "reaching a trust anchor needs more than {} intermediates",
                        self.policy.limits.max_intermediates
                    ),
                }
            } else {
                self.unknown_issuer(child)
            };
            self.finish(path, false, false, Some((depth, e)));
        }
        Ok(None)
    }

    /// Why the anchor `anchor` may not end a path for this policy's extendedKeyUsages: its OpenSSL
    /// trust settings (a `TRUSTED CERTIFICATE` block) do not allow them. `None` when it may.
    fn refused_anchor(&self, anchor: &Certificate) -> Option<CertError> {
        let settings = self.store.trust_settings(anchor)?;
        let required = self.policy.effective_ekus();
        let reason = settings.allows(&required).err()?;
        let uses = if required.is_empty() {
            "any use".to_string()
        } else {
            required
                .iter()
                .map(eku_name)
                .collect::<Vec<_>>()
                .join(" or ")
        };
        Some(CertError {
            kind: ErrorKind::UnknownIssuer,
            message: format!(
                "{} is in the trust store but its trust settings (TRUSTED CERTIFICATE) do not allow {uses}: {reason}",
                anchor.subject()
            ),
        })
    }

    fn unknown_issuer(&self, child: &Certificate) -> CertError {
        let message = if self.store.contains(child) {
            // Only the leaf can get here while in the store: a presented copy of an anchor is
            // replaced by the anchor. A leaf is never its own trust anchor.
            format!(
                "{} is itself in the trust store, but a leaf is never accepted as its own trust anchor; trust the CA that issued it instead",
                child.subject()
            )
        } else if let Some(reason) = self.store.unusable(child.issuer_key()) {
            format!(
                "issuer {} is in the trust store, but that trust anchor does not parse: {reason}",
                child.issuer()
            )
        } else if child.is_self_issued() {
            format!(
                "self-signed certificate {} is not in the trust store",
                child.subject()
            )
        } else {
            format!(
                "issuer {} is neither in the chain nor in the trust store; add the missing intermediate to the chain file, or the right root to the trust store",
                child.issuer()
            )
        };
        CertError {
            kind: ErrorKind::UnknownIssuer,
            message,
        }
    }

    fn budget_error(&self, message: String) -> Error {
        Error::new(ErrorKind::BudgetExceeded, message)
    }

    /// Whether `issuer` signed `child`, verifying at most once per pair.
    fn check_signature(
        &mut self,
        child: Node,
        issuer: Node,
    ) -> Result<Result<(), CertError>, Error> {
        if let Some(r) = self.signatures.get(&(child, issuer)) {
            return Ok(r.clone());
        }
        let c = self.cert(child);
        let i = self.cert(issuer);
        let result = if c.signature_algorithm_der() != c.tbs_signature_algorithm_der() {
            Err(CertError {
                kind: ErrorKind::Malformed,
                message: "the signature algorithm outside the TBS differs from the one inside it"
                    .into(),
            })
        } else {
            match parse_signature_algorithm(c.signature_algorithm_der()) {
                Err(e) => Err(signature_error(e, i)),
                Ok(alg) => {
                    let v = self.verifier;
                    let cache_key = v.signatures.as_ref().map(|cache| {
                        let key = SignatureCache::key(
                            i.spki_der(),
                            c.signature_algorithm_der(),
                            c.signature(),
                            c.tbs_sha256(),
                        );
                        (cache, key)
                    });
                    // A cache hit counts against the budget like a check: the budget then
                    // ends a search at the same point whether the cache is warm or cold, so the
                    // cache never changes a verdict (it only makes each check cheaper).
                    self.signature_checks += 1;
                    if self.signature_checks > self.policy.limits.max_signature_checks {
                        return Err(self.budget_error(format!(
                            "gave up after {} signature checks (limit {})",
                            self.signature_checks - 1,
                            self.policy.limits.max_signature_checks
                        )));
                    }
                    if cache_key
                        .as_ref()
                        .is_some_and(|(cache, key)| cache.contains(key))
                    {
                        // Verified before, byte for byte.
                        Ok(())
                    } else {
                        // The issuer's key decoded once: anchors' by the store, others' by the
                        // key cache (when caching is on).
                        let prepared = if matches!(issuer, Node::Anchor(_)) {
                            self.store.anchor_key(i, self.backend)
                        } else if let Some(keys) = &v.keys {
                            keys.get(i.spki_der()).or_else(|| {
                                let k = self.backend.prepare(i.spki_der()).ok().flatten()?;
                                keys.insert(i.spki_der(), Arc::clone(&k));
                                Some(k)
                            })
                        } else {
                            None
                        };
                        let verdict = match prepared {
                            Some(key) => self.backend.verify_prepared(
                                key.as_ref(),
                                alg,
                                i.spki_der(),
                                c.tbs_der(),
                                c.signature(),
                            ),
                            None => {
                                self.backend
                                    .verify(alg, i.spki_der(), c.tbs_der(), c.signature())
                            }
                        };
                        if let (Ok(()), Some((cache, key))) = (&verdict, cache_key) {
                            cache.insert(key);
                        }
                        verdict.map_err(|e| signature_error(e, i))
                    }
                }
            }
        };
        self.signatures.insert((child, issuer), result.clone());
        Ok(result)
    }

    /// Check a whole (or dead-end) path; keep it as the best failure if it fails. `anchored`: the
    /// path ends at a store anchor (checked as one); `trusted`: that anchor may end it.
    fn finish(
        &mut self,
        path: &[Node],
        anchored: bool,
        trusted: bool,
        extra: Option<(usize, CertError)>,
    ) -> Option<Vec<ChainEntry>> {
        let certs: Vec<&Certificate> = path.iter().map(|n| self.cert(*n)).collect();
        let mut errors = evaluate(&certs, anchored, self.policy, self.backend);
        if let Some((d, e)) = extra {
            if let Some(slot) = errors.get_mut(d) {
                slot.push(e);
            }
        }
        let entries: Vec<ChainEntry> = certs
            .iter()
            .zip(errors)
            .enumerate()
            .map(|(d, (c, errs))| ChainEntry {
                certificate: (*c).clone(),
                trust_anchor: anchored && trusted && d + 1 == path.len(),
                errors: errs,
            })
            .collect();
        // the most specific problem; at equal rank, the lowest depth
        let mut primary: Option<(usize, &CertError)> = None;
        for (d, e) in entries.iter().enumerate() {
            for err in &e.errors {
                if primary.is_none_or(|(_, p)| err.kind.rank() > p.kind.rank()) {
                    primary = Some((d, err));
                }
            }
        }
        let Some((pd, pe)) = primary else {
            return Some(entries);
        };
        let failure = Failure {
            rank: pe.kind.rank(),
            primary: (pd, pe.clone()),
            entries,
        };
        if self.best.as_ref().is_none_or(|b| failure.rank > b.rank) {
            self.best = Some(failure);
        }
        None
    }

    fn best_entries(&self) -> Vec<ChainEntry> {
        self.best
            .as_ref()
            .map(|b| b.entries.clone())
            .unwrap_or_default()
    }

    fn failure(self) -> Error {
        match self.best {
            Some(b) => {
                let (depth, e) = b.primary;
                let subject = b
                    .entries
                    .get(depth)
                    .map(|x| x.certificate.subject().to_string())
                    .unwrap_or_default();
                Error::new(e.kind, e.message)
                    .at(depth, subject)
                    .with_path(b.entries)
            }
            None => Error::new(
                ErrorKind::UnknownIssuer,
                "no path to a trust anchor was found",
            )
            .at(0, self.leaf.subject()),
        }
    }
}

fn signature_error(e: SignatureError, issuer: &Certificate) -> CertError {
    let (kind, message) = match e {
        SignatureError::Invalid => (
            ErrorKind::BadSignature,
            format!("signature does not verify with the key of {}", issuer.subject()),
        ),
        SignatureError::KeyMismatch(m) => (
            ErrorKind::BadSignature,
            format!("signature cannot be verified with the key of {}: {m}", issuer.subject()),
        ),
        SignatureError::WeakAlgorithm(a) => (
            ErrorKind::WeakSignature,
            format!("signed with {a}, a weak algorithm that is rejected; reissue with SHA-256 or better"),
        ),
        SignatureError::Unsupported(a) => (
            ErrorKind::UnsupportedAlgorithm,
            format!("unsupported signature algorithm or key: {a}"),
        ),
        SignatureError::Malformed(m) => (
            ErrorKind::Malformed,
            format!("the signature, or the key of {} that must verify it: {m}", issuer.subject()),
        ),
    };
    CertError { kind, message }
}
