//! The benchmark PKI, built with the `openssl` crate from the committed keys in
//! `benches/fixtures/` (made by `make-keys.sh`): the same names, serials and validity every run.
//! Shared by `benches/verify.rs` and the examples that measure memory.
#![allow(dead_code)] // each user takes a different part

use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName,
    SubjectKeyIdentifier,
};
use openssl::x509::{X509Builder, X509NameBuilder, X509};

/// Verification time for every chain: 2021-03-14T02:38:27Z, when the seed chain was served.
pub const TIME: u64 = 1_615_689_507;
/// Host name of every generated leaf.
pub const HOST: &str = "bench.example.com";
/// Host name of the seed chain's leaf.
pub const SEED_HOST: &str = "justcc.mengkang.net";
/// Validity of every generated certificate: 2020-01-01 .. 2040-01-01.
const NOT_BEFORE: i64 = 1_577_836_800;
const NOT_AFTER: i64 = 2_208_988_800;

fn key(name: &str) -> PKey<Private> {
    let path = format!("{}/benches/fixtures/{name}.key", env!("CARGO_MANIFEST_DIR"));
    let pem = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    PKey::private_key_from_pem(&pem).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn name(cn: &str) -> openssl::x509::X509Name {
    let mut b = X509NameBuilder::new().expect("name");
    b.append_entry_by_text("O", "certchain bench").expect("O");
    b.append_entry_by_text("CN", cn).expect("CN");
    b.build()
}

/// What to build.
struct Spec<'a> {
    subject: &'a str,
    serial: u32,
    key: &'a PKey<Private>,
    issuer: Option<(&'a X509, &'a PKey<Private>)>,
    ca: bool,
    digest: MessageDigest,
    not_before: i64,
    /// Copy this SKI instead of deriving one from the key (the hostile case).
    ski_from: Option<&'a X509>,
}

fn build(s: Spec<'_>) -> X509 {
    let mut b = X509Builder::new().expect("builder");
    b.set_version(2).expect("version");
    let serial = Asn1Integer::from_bn(&BigNum::from_u32(s.serial).expect("bn")).expect("serial");
    b.set_serial_number(&serial).expect("serial");
    let subject = name(s.subject);
    b.set_subject_name(&subject).expect("subject");
    match s.issuer {
        Some((cert, _)) => b.set_issuer_name(cert.subject_name()).expect("issuer"),
        None => b.set_issuer_name(&subject).expect("issuer"),
    }
    b.set_not_before(&Asn1Time::from_unix(s.not_before).expect("time"))
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
    } else {
        b.append_extension(BasicConstraints::new().critical().build().expect("bc"))
            .expect("bc");
        b.append_extension(
            KeyUsage::new()
                .critical()
                .digital_signature()
                .key_encipherment()
                .build()
                .expect("ku"),
        )
        .expect("ku");
        b.append_extension(ExtendedKeyUsage::new().server_auth().build().expect("eku"))
            .expect("eku");
        let san = SubjectAlternativeName::new()
            .dns(HOST)
            .build(&b.x509v3_context(s.issuer.map(|(c, _)| &**c), None))
            .expect("san");
        b.append_extension(san).expect("san");
    }
    let ski = match s.ski_from {
        Some(c) => {
            let ski = c.subject_key_id().expect("has an SKI");
            let der = ski.as_slice().to_vec();
            let hex: Vec<String> = der.iter().map(|b| format!("{b:02X}")).collect();
            #[allow(deprecated)]
            openssl::x509::X509Extension::new(None, None, "subjectKeyIdentifier", &hex.join(":"))
                .expect("ski")
        }
        None => SubjectKeyIdentifier::new()
            .build(&b.x509v3_context(None, None))
            .expect("ski"),
    };
    b.append_extension(ski).expect("ski");
    if let Some((issuer, _)) = s.issuer {
        let aki = AuthorityKeyIdentifier::new()
            .keyid(true)
            .build(&b.x509v3_context(Some(issuer), None))
            .expect("aki");
        b.append_extension(aki).expect("aki");
    }
    let signer = s.issuer.map_or(s.key, |(_, k)| k);
    b.sign(signer, s.digest).expect("sign");
    b.build()
}

/// One benchmark chain: a root (in the trust store), an intermediate and leaves.
pub struct Chain {
    /// Row name, e.g. `rsa2048`.
    pub name: &'static str,
    /// What it is, for the report.
    pub title: &'static str,
    /// The root, DER.
    pub root: Vec<u8>,
    /// The intermediate, DER.
    pub int: Vec<u8>,
    /// Leaves under the intermediate, DER; `leaves[0]` is the cold-case leaf.
    pub leaves: Vec<Vec<u8>>,
    /// The leaf's host name.
    pub host: &'static str,
    int_x509: Option<X509>,
    int_key: Option<PKey<Private>>,
    leaf_key: Option<PKey<Private>>,
}

impl Chain {
    /// The cold-case chain as presented: leaf, intermediate.
    pub fn presented(&self) -> Vec<&[u8]> {
        vec![&self.leaves[0], &self.int]
    }

    /// Make `n` leaves in all (distinct serials and so distinct signatures).
    pub fn with_leaves(mut self, n: usize) -> Chain {
        let (Some(int), Some(int_key), Some(leaf_key)) =
            (&self.int_x509, &self.int_key, &self.leaf_key)
        else {
            return self;
        };
        let digest = MessageDigest::sha256();
        while self.leaves.len() < n {
            let serial = 1000 + self.leaves.len() as u32;
            let leaf = build(Spec {
                subject: "bench leaf",
                serial,
                key: leaf_key,
                issuer: Some((int, int_key)),
                ca: false,
                digest,
                not_before: NOT_BEFORE,
                ski_from: None,
            });
            self.leaves.push(leaf.to_der().expect("der"));
        }
        self
    }

    /// `n` certificates with the intermediate's subject and SKI, newer than it, but another
    /// key: each one is a plausible issuer of the leaf whose signature check fails.
    pub fn impostors(&self, n: usize) -> Vec<Vec<u8>> {
        let (Some(int), Some(_)) = (&self.int_x509, &self.int_key) else {
            return Vec::new();
        };
        let wrong = key("rsa2048-wrong");
        let cn = int
            .subject_name()
            .entries_by_nid(openssl::nid::Nid::COMMONNAME)
            .next()
            .map(|e| String::from_utf8_lossy(e.data().as_slice()).into_owned())
            .expect("CN");
        (0..n)
            .map(|i| {
                build(Spec {
                    subject: &cn,
                    serial: 50_000 + i as u32,
                    key: &wrong,
                    issuer: None,
                    ca: true,
                    digest: MessageDigest::sha256(),
                    not_before: NOT_BEFORE + 86_400,
                    ski_from: Some(int),
                })
                .to_der()
                .expect("der")
            })
            .collect()
    }
}

fn chain(
    name: &'static str,
    title: &'static str,
    root_key: &str,
    root_digest: MessageDigest,
    int_key: &str,
    leaf_key: &str,
) -> Chain {
    let rk = key(root_key);
    let ik = key(int_key);
    let lk = key(leaf_key);
    let sha256 = MessageDigest::sha256();
    let root = build(Spec {
        subject: &format!("{name} root"),
        serial: 1,
        key: &rk,
        issuer: None,
        ca: true,
        digest: root_digest,
        not_before: NOT_BEFORE,
        ski_from: None,
    });
    let int = build(Spec {
        subject: &format!("{name} intermediate"),
        serial: 2,
        key: &ik,
        issuer: Some((&root, &rk)),
        ca: true,
        digest: root_digest,
        not_before: NOT_BEFORE,
        ski_from: None,
    });
    let leaf = build(Spec {
        subject: "bench leaf",
        serial: 1000,
        key: &lk,
        issuer: Some((&int, &ik)),
        ca: false,
        digest: sha256,
        not_before: NOT_BEFORE,
        ski_from: None,
    });
    Chain {
        name,
        title,
        root: root.to_der().expect("der"),
        int: int.to_der().expect("der"),
        leaves: vec![leaf.to_der().expect("der")],
        host: HOST,
        int_x509: Some(int),
        int_key: Some(ik),
        leaf_key: Some(lk),
    }
}

/// The four generated chains.
pub fn generated() -> Vec<Chain> {
    vec![
        chain(
            "rsa2048",
            "RSA-2048 root → int → leaf",
            "rsa2048-root",
            MessageDigest::sha256(),
            "rsa2048-int",
            "rsa2048-leaf",
        ),
        chain(
            "p256",
            "P-256 root → int → leaf",
            "p256-root",
            MessageDigest::sha256(),
            "p256-int",
            "p256-leaf",
        ),
        chain(
            "p384-p256",
            "P-384 root → P-256 int → leaf",
            "p384-root",
            MessageDigest::sha384(),
            "p256-int",
            "p256-leaf",
        ),
        chain(
            "rsa4096-rsa2048",
            "RSA-4096 root → RSA-2048 int → leaf",
            "rsa4096-root",
            MessageDigest::sha256(),
            "rsa2048-int",
            "rsa2048-leaf",
        ),
    ]
}

fn pem_to_der(path: &str) -> Vec<Vec<u8>> {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let pem = std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"));
    X509::stack_from_pem(&pem)
        .expect("pem")
        .iter()
        .map(|c| c.to_der().expect("der"))
        .collect()
}

/// The 2021 Let's Encrypt chain of `fixtures/letsencrypt-2021` (leaf, R3 cross-signed by DST).
pub fn seed() -> Chain {
    let chain = pem_to_der("fixtures/letsencrypt-2021/cert.pem");
    let root = pem_to_der("fixtures/letsencrypt-2021/dst-root-ca-x3.pem");
    Chain {
        name: "seed",
        title: "seed: Let's Encrypt 2021 (RSA-2048, DST Root CA X3 → R3 → leaf)",
        root: root.into_iter().next().expect("root"),
        int: chain.get(1).cloned().expect("R3"),
        leaves: vec![chain.first().cloned().expect("leaf")],
        host: SEED_HOST,
        int_x509: None,
        int_key: None,
        leaf_key: None,
    }
}

/// Where the system bundle is.
pub const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The system bundle's bytes (PEM).
pub fn system_bundle() -> Vec<u8> {
    std::fs::read(SYSTEM_BUNDLE)
        .unwrap_or_else(|e| panic!("{SYSTEM_BUNDLE}: {e} (apt-get install ca-certificates)"))
}

/// DER to PEM.
pub fn pem(der: &[u8]) -> String {
    X509::from_der(der)
        .and_then(|c| c.to_pem())
        .map(|p| String::from_utf8_lossy(&p).into_owned())
        .expect("pem")
}

/// The shared trust store, as PEM: the system bundle plus every benchmark root.
pub fn store_pem(chains: &[Chain]) -> Vec<u8> {
    let mut out = system_bundle();
    for c in chains {
        out.extend_from_slice(pem(&c.root).as_bytes());
    }
    out
}
