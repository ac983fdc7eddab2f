//! `certchain check`: everything wrong with a certificate file (and its key) before nginx or a
//! client finds out, each finding with a stable id, a severity, the certificate it is about and
//! a fix. It builds on the core verifier: the path it finds (or the best failed one) decides
//! order, missing intermediates, extras and the per-depth problems.
//!
//! Exit codes: 0 = no errors (warnings allowed), 1 = errors, 2 = usage or input error.

use std::io::Write;
use std::sync::Arc;

use certchain::crypto::{parse_signature_algorithm, SignatureError};
use certchain::{
    covers_name, parse_time, rfc3339, Bundle, Certificate, ChainEntry, Error, ErrorKind, Policy,
    ServerName, TrustStore, Verifier,
};
use serde_json::{json, Value};

use crate::certinfo;
use crate::files;
use crate::keys::{self, KeyFile};
use crate::report::{self, Counts, Finding, Loc, Severity};
use crate::scan;
use crate::style::{pad, Style};
use crate::Format;

/// `certchain check` options.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// The certificate file to deploy (nginx's ssl_certificate): leaf first, then intermediates.
    #[arg(long, value_name = "CERT.pem", required_unless_present = "nginx")]
    cert: Option<String>,
    /// The private key file (nginx's ssl_certificate_key).
    #[arg(long, value_name = "KEY.pem", requires = "cert")]
    key: Option<String>,
    /// A host name or IP address the leaf must cover. Repeatable.
    #[arg(long = "host", value_name = "NAME", requires = "cert")]
    hosts: Vec<String>,
    /// Trust anchors: `mozilla` (embedded, the default), `system`, a PEM/DER file or a directory. Repeatable.
    #[arg(long = "roots", value_name = "SRC")]
    roots: Vec<String>,
    /// Extra candidate intermediates (PEM or DER), e.g. the one a missing-intermediate names. Repeatable.
    #[arg(long = "untrusted", value_name = "FILE")]
    untrusted: Vec<String>,
    /// Check time: RFC 3339 (2025-06-01T00:00:00Z) or @UNIX. Default: now.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Warn about certificates that expire within this many days.
    #[arg(long = "warn-days", value_name = "N", default_value_t = 30)]
    warn_days: u32,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Write the leaf and its intermediates in path order (no root, extras or duplicates) to a new file.
    #[arg(long = "fix-chain", value_name = "OUT.pem", requires = "cert")]
    fix_chain: Option<String>,
    /// Check every TLS server block of this nginx configuration instead of --cert/--key/--host.
    #[arg(long, value_name = "NGINX.conf", conflicts_with_all = ["cert", "key", "hosts", "fix_chain"])]
    nginx: Option<String>,
}

/// What every check shares: the trust store, the time and the extra intermediates.
pub struct Context {
    /// The trust store.
    pub store: Arc<TrustStore>,
    /// How the store was chosen, for messages (`mozilla`, a file name, …).
    pub store_desc: String,
    /// Check time, Unix seconds.
    pub time: u64,
    /// `--warn-days`.
    pub warn_days: u32,
    /// Certificates from `--untrusted`.
    pub untrusted: Vec<Item>,
}

/// A certificate and where it came from.
#[derive(Clone, Debug)]
pub struct Item {
    /// The certificate.
    pub cert: Certificate,
    /// The file it is in.
    pub file: String,
    /// 1-based block index in that file.
    pub block: usize,
    /// BEGIN line (0 for DER).
    pub line: usize,
}

impl Item {
    fn loc(&self) -> Loc {
        Loc::file(&self.file)
            .block(self.block)
            .line(self.line)
            .subject(self.cert.subject())
    }
}

/// A host to check against the leaf: the parsed name and how it was written.
pub struct Host {
    /// Parsed.
    pub name: ServerName,
    /// As written.
    pub raw: String,
}

/// One certificate of the path, and where it came from.
pub struct PathCert {
    /// The certificate.
    pub cert: Certificate,
    /// Where it came from (`None`: the trust store).
    pub source: Option<Item>,
    /// Whether it is the trust anchor.
    pub trust_anchor: bool,
    /// Found by issuer name after the verifier stopped (its signature is not verified).
    pub by_name: bool,
}

/// The outcome of `--fix-chain`.
pub enum Fixed {
    /// Written.
    Written {
        /// The file.
        path: String,
        /// How many certificates.
        count: usize,
    },
    /// Not written, and why.
    Refused(String),
}

/// Everything `check` found about one certificate file (and key).
pub struct Report {
    /// The certificate file.
    pub cert_file: String,
    /// The key file.
    pub key_file: Option<String>,
    /// The key, described (`PKCS#8 (PRIVATE KEY), RSA-2048`).
    pub key_desc: Option<String>,
    /// The hosts checked.
    pub hosts: Vec<String>,
    /// Unique certificates of the file, in file order.
    pub certificates: Vec<Item>,
    /// The path (verified, or the best failed one), leaf first.
    pub path: Vec<PathCert>,
    /// Whether the core verified the chain.
    pub verified: bool,
    /// The findings, errors first.
    pub findings: Vec<Finding>,
    /// Set when the input could not be used at all (exit 2 in `--cert` mode).
    pub input_error: Option<String>,
    /// `--fix-chain`.
    pub fixed: Option<Fixed>,
}

impl Report {
    fn counts(&self) -> Counts {
        Counts::of(&self.findings)
    }
}

/// Run `certchain check`.
pub fn run(args: &CheckArgs) -> u8 {
    let style = Style::for_stdout();
    let prepared = (|| -> Result<_, String> {
        let time = match &args.at {
            Some(t) => parse_time(t).ok_or_else(|| {
                format!("--at {t:?}: expected RFC 3339 (2025-06-01T00:00:00Z) or @UNIX")
            })?,
            None => crate::now(),
        };
        let hosts = args
            .hosts
            .iter()
            .map(|h| {
                ServerName::parse(h)
                    .map(|name| Host {
                        name,
                        raw: h.clone(),
                    })
                    .map_err(|e| format!("--host: {}", e.message()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let (Some(out), Some(cert)) = (&args.fix_chain, &args.cert) {
            let mut inputs: Vec<String> = vec![cert.clone()];
            inputs.extend(args.key.iter().cloned());
            inputs.extend(args.untrusted.iter().cloned());
            for r in &args.roots {
                if r == "system" {
                    inputs.extend(files::system_store_paths());
                } else {
                    inputs.push(r.clone());
                }
            }
            let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
            files::refuse_if_input(out, &inputs)?;
        }
        let store = crate::load_store(&args.roots).map_err(|e| e.to_string())?;
        let mut untrusted = Vec::new();
        for u in &args.untrusted {
            let (bytes, name) = crate::read_input(u).map_err(|e| e.to_string())?;
            let b = Bundle::parse(&bytes, &name).map_err(|e| e.to_string())?;
            for (c, o) in b.certificates.into_iter().zip(b.origins) {
                untrusted.push(Item {
                    cert: c,
                    file: name.clone(),
                    block: o.block,
                    line: o.line,
                });
            }
        }
        let store_desc = if args.roots.is_empty() {
            "mozilla".to_string()
        } else {
            args.roots.join(", ")
        };
        let ctx = Context {
            store: Arc::new(store),
            store_desc,
            time,
            warn_days: args.warn_days,
            untrusted,
        };
        Ok((ctx, hosts))
    })();
    let (ctx, hosts) = match prepared {
        Ok(p) => p,
        Err(e) => return input_error(args.format, &e),
    };

    if let Some(conf) = &args.nginx {
        return crate::nginx::run(conf, &ctx, args.format, style);
    }
    let Some(cert) = &args.cert else {
        return input_error(args.format, "give --cert CERT.pem or --nginx NGINX.conf");
    };
    let mut report = match check_files(cert, args.key.as_deref(), &hosts, &ctx) {
        Ok(r) => r,
        Err(e) => return input_error(args.format, &e),
    };
    let mut write_failed = false;
    if let Some(out) = &args.fix_chain {
        if report.input_error.is_none() {
            let fixed = fix_chain(&report, out);
            write_failed = fixed.is_err();
            report.fixed = Some(fixed.unwrap_or_else(Fixed::Refused));
        }
    }
    let mut stdout = std::io::stdout().lock();
    let written = match args.format {
        Format::Text => write_text(&mut stdout, &report, &ctx, style),
        Format::Json => writeln!(stdout, "{}", report_json(&report, &ctx)),
    };
    drop(stdout);
    if report.input_error.is_some() || write_failed || crate::output_failed(written) {
        2
    } else if report.counts().errors > 0 {
        1
    } else {
        0
    }
}

fn input_error(format: Format, message: &str) -> u8 {
    match format {
        Format::Text => eprintln!("certchain check: {}", certchain::printable(message)),
        Format::Json => println!("{}", json!({"error": message, "findings": []})),
    }
    2
}

/// Read and check one certificate file, an optional key file and hosts. `Err` only when a file
/// cannot be read at all; a file without certificates gives a report with `input_error` set.
pub fn check_files(
    cert_path: &str,
    key_path: Option<&str>,
    hosts: &[Host],
    ctx: &Context,
) -> Result<Report, String> {
    let (bytes, cert_file) = read_limited(cert_path)?;
    let key = match key_path {
        Some(p) => Some(read_limited(p)?),
        None => None,
    };
    Ok(check_bytes(&bytes, &cert_file, key.as_ref(), hosts, ctx))
}

fn read_limited(path: &str) -> Result<(Vec<u8>, String), String> {
    let (bytes, name) = crate::read_input(path).map_err(|e| e.message().to_string())?;
    if bytes.len() > certchain::MAX_BUNDLE_BYTES {
        return Err(format!(
            "{name}: {} bytes, more than the limit of {}",
            bytes.len(),
            certchain::MAX_BUNDLE_BYTES
        ));
    }
    Ok((bytes, name))
}

const CERT_LABELS: &[&str] = &["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"];

/// The certificates of a certificate file, with findings about its encoding and blocks.
fn read_certificates(
    bytes: &[u8],
    file: &str,
    findings: &mut Vec<Finding>,
    unreadable: &mut usize,
) -> Vec<Item> {
    let mut items = Vec::new();
    if scan::looks_like_der(bytes) {
        findings.push(Finding::new(
            "der-not-pem",
            Severity::Error,
            Loc::file(file),
            "the file is DER (binary); nginx reads certificates only as PEM text",
            format!("convert it: openssl x509 -inform DER -in {file} -out cert.pem (once per certificate), then point ssl_certificate at the PEM file"),
        ));
        match Bundle::parse_allow_empty(bytes, file) {
            Ok(b) => {
                for (c, o) in b.certificates.into_iter().zip(b.origins) {
                    items.push(Item {
                        cert: c,
                        file: file.to_string(),
                        block: o.block,
                        line: 0,
                    });
                }
            }
            Err(e) => findings.push(Finding::new(
                "malformed-certificate",
                Severity::Error,
                Loc::file(file),
                e.message().to_string(),
                "get the certificate again from your CA (the file is cut short or corrupted)",
            )),
        }
        return items;
    }
    let scanned = scan::scan(bytes);
    for p in &scanned.problems {
        let mut loc = Loc::file(file).line(p.line);
        loc.block = p.block;
        findings.push(Finding::new(
            "malformed-pem",
            Severity::Error,
            loc,
            p.message.clone(),
            "nginx refuses the whole file: repair the block from the original (each BEGIN and END line on a line of its own, base64 unchanged)",
        ));
    }
    let has_key = scanned
        .blocks
        .iter()
        .any(|b| b.label.ends_with("PRIVATE KEY"));
    let mut certificate_blocks = 0usize;
    for b in &scanned.blocks {
        let loc = Loc::file(file).block(b.index).line(b.line);
        if CERT_LABELS.contains(&b.label.as_str()) {
            certificate_blocks += 1;
            if !b.headers.is_empty() && !b.had_problem {
                // OpenSSL's PEM reader accepts only Proc-Type/DEK-Info (encryption) headers,
                // and a certificate is never encrypted: nginx fails to load the file.
                let names: Vec<&str> = b.headers.iter().map(|(k, _)| k.as_str()).take(4).collect();
                findings.push(Finding::new(
                    "malformed-pem",
                    Severity::Error,
                    loc.clone(),
                    format!(
                        "the {} block has PEM header lines ({}) before its base64: OpenSSL (and nginx) refuse to load it",
                        b.label,
                        names.join(", ")
                    ),
                    "delete the 'Name: value' lines between the BEGIN line and the base64",
                ));
            }
            if b.label == "TRUSTED CERTIFICATE" && certificate_blocks > 1 {
                findings.push(Finding::new(
                    "trusted-certificate-block",
                    Severity::Error,
                    loc.clone(),
                    "a TRUSTED CERTIFICATE block after the leaf: nginx reads the chain with PEM_read_bio_X509, which skips this label, so the certificate is never sent".to_string(),
                    "write it as a plain certificate (openssl x509 -in FILE -out plain.pem gives a CERTIFICATE block) and put that in the chain file",
                ));
            }
            let Some(der) = b.der.as_deref() else {
                *unreadable += 1;
                continue;
            };
            let der = if b.label == "TRUSTED CERTIFICATE" {
                first_tlv(der).unwrap_or(der)
            } else {
                der
            };
            match Certificate::from_der(der) {
                Ok(cert) => items.push(Item {
                    cert,
                    file: file.to_string(),
                    block: b.index,
                    line: b.line,
                }),
                Err(e) => {
                    *unreadable += 1;
                    if !b.had_problem {
                        findings.push(Finding::new(
                            "malformed-certificate",
                            Severity::Error,
                            loc,
                            format!(
                                "the block decodes, but not to a certificate: {}",
                                e.message()
                            ),
                            "replace the block with the certificate as your CA issued it",
                        ));
                    }
                }
            }
        } else if b.label.ends_with("PRIVATE KEY") {
            findings.push(Finding::new(
                "private-key-in-cert-file",
                Severity::Warning,
                loc,
                format!("a {} block: the private key is in the certificate file, which is usually readable by more users and programs than the key should be", b.label),
                "move the key to its own file (mode 0600) and point ssl_certificate_key at it",
            ));
        } else if b.label == "EC PARAMETERS" && has_key {
            // part of the EC key reported above
        } else {
            let fix = match b.label.as_str() {
                "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
                    "this is the signing request, not a certificate: delete it (and make sure the issued certificate is in the file)"
                }
                "PKCS7" => {
                    "convert the PKCS#7 bundle: openssl pkcs7 -print_certs -in FILE -out chain.pem, then keep only the certificates"
                }
                _ => "delete the block: ssl_certificate should hold certificates only",
            };
            findings.push(Finding::new(
                "non-certificate-block",
                Severity::Warning,
                loc,
                format!("a {} block is not a certificate (nginx skips it)", b.label),
                fix,
            ));
        }
    }
    items
}

fn first_tlv(der: &[u8]) -> Option<&[u8]> {
    use der::Reader;
    let mut r = der::SliceReader::new(der).ok()?;
    r.tlv_bytes().ok()
}

fn is_ca(c: &Certificate) -> bool {
    c.basic_constraints().is_some_and(|b| b.ca)
}

fn check_bytes(
    bytes: &[u8],
    cert_file: &str,
    key: Option<&(Vec<u8>, String)>,
    hosts: &[Host],
    ctx: &Context,
) -> Report {
    let mut findings = Vec::new();
    let mut unreadable = 0usize;
    let items = read_certificates(bytes, cert_file, &mut findings, &mut unreadable);
    let mut report = Report {
        cert_file: cert_file.to_string(),
        key_file: key.map(|(_, n)| n.clone()),
        key_desc: None,
        hosts: hosts.iter().map(|h| h.raw.clone()).collect(),
        certificates: Vec::new(),
        path: Vec::new(),
        verified: false,
        findings: Vec::new(),
        input_error: None,
        fixed: None,
    };

    // duplicates
    let mut unique: Vec<Item> = Vec::new();
    for it in items {
        if let Some(first) = unique.iter().find(|u| u.cert == it.cert) {
            findings.push(Finding::new(
                "duplicate-certificate",
                Severity::Warning,
                it.loc(),
                format!(
                    "block {} is a copy of block {}; clients get the same certificate twice",
                    it.block, first.block
                ),
                format!("delete block {} from the file", it.block),
            ));
        } else {
            unique.push(it);
        }
    }

    // the key
    let key_file = key.map(|(bytes, name)| {
        let scanned = scan::scan(bytes);
        if scan::looks_like_der(bytes) || (scanned.blocks.is_empty() && scan::looks_binary(bytes)) {
            findings.push(Finding::new(
                "der-not-pem",
                Severity::Error,
                Loc::file(name),
                "the key file is DER (binary); nginx reads private keys only as PEM text",
                format!("convert it: openssl pkey -inform DER -in {name} -out key.pem"),
            ));
        } else {
            for p in &scanned.problems {
                let mut loc = Loc::file(name).line(p.line);
                loc.block = p.block;
                findings.push(Finding::new(
                    "malformed-pem",
                    Severity::Error,
                    loc,
                    p.message.clone(),
                    "nginx refuses a broken key file: restore the key from a good copy",
                ));
            }
        }
        (name.clone(), keys::read_key_file(bytes, &scanned))
    });
    let key_public = match &key_file {
        Some((_, KeyFile::Key { public, .. })) => Some(public.clone()),
        _ => None,
    };

    if unique.is_empty() {
        let msg = format!("{cert_file}: no certificate found");
        findings.push(Finding::new(
            "no-certificate",
            Severity::Error,
            Loc::file(cert_file),
            "the file holds no readable certificate",
            "point ssl_certificate at the PEM file with your certificate and its intermediates (e.g. fullchain.pem)",
        ));
        report::sort(&mut findings);
        report.findings = findings;
        report.input_error = Some(msg);
        return report;
    }

    // which certificate is the leaf: the key's, else the first end-entity, else the first
    let spki_matches = |it: &Item| {
        key_public.as_ref().is_some_and(|k| {
            keys::spki_public_key(it.cert.spki_der())
                .ok()
                .is_some_and(|p| &p == k)
        })
    };
    let end_entity = unique
        .iter()
        .position(spki_matches)
        .or_else(|| {
            unique
                .iter()
                .position(|i| !is_ca(&i.cert) && !i.cert.is_self_issued())
        })
        .or_else(|| unique.iter().position(|i| !is_ca(&i.cert)));
    if end_entity.is_none() && unreadable > 0 {
        // Only CA certificates are readable: the leaf is most likely the unreadable block, and
        // judging a CA certificate as the server's would only add noise.
        findings.push(Finding::new(
            "no-leaf-certificate",
            Severity::Error,
            Loc::file(cert_file),
            format!(
                "every readable certificate is a CA certificate; the leaf is probably in the unreadable block{} reported above",
                if unreadable == 1 { "" } else { "s" }
            ),
            "repair the leaf's block (or copy the certificate again from your CA), then check again",
        ));
        if let Some((name, kf)) = &key_file {
            if let KeyFile::Key { public, format, .. } = kf {
                report.key_desc = Some(format!("{format}, {}", public.describe()));
            } else if let Some(first) = unique.first() {
                report.key_desc = key_finding(kf, name, first, &mut findings);
            }
        }
        report::sort(&mut findings);
        report.certificates = unique;
        report.findings = findings;
        return report;
    }
    let leaf_idx = end_entity.unwrap_or(0);
    let Some(leaf_item) = unique.get(leaf_idx).or(unique.first()).cloned() else {
        return report;
    };
    let leaf = leaf_item.cert.clone();
    if leaf_idx != 0 {
        if let Some(first) = unique.first() {
            let why = if spki_matches(&leaf_item) {
                " (it is the certificate of the key)"
            } else {
                ""
            };
            findings.push(Finding::new(
                "wrong-order",
                Severity::Error,
                leaf_item.loc().depth(0),
                format!(
                    "the leaf{why} is block {}, but block {} ({}) comes first; nginx serves the first certificate as the server certificate",
                    leaf_item.block,
                    first.block,
                    first.cert.subject()
                ),
                "put the leaf first, then each intermediate after the certificate it issued (--fix-chain OUT.pem writes that file)",
            ));
        }
    }

    // verify: the leaf, the file's other certificates, then --untrusted
    let mut chain = vec![leaf.clone()];
    chain.extend(
        unique
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != leaf_idx)
            .map(|(_, it)| it.cert.clone()),
    );
    chain.extend(
        ctx.untrusted
            .iter()
            .filter(|u| !unique.iter().any(|i| i.cert == u.cert))
            .map(|u| u.cert.clone()),
    );
    let policy = Policy::new(ctx.time);
    let verifier = Verifier::new(ctx.store.clone());
    let (entries, verified, failure): (Vec<ChainEntry>, bool, Option<Error>) =
        match verifier.verify(&chain, &policy) {
            Ok(v) => (v.entries().to_vec(), true, None),
            Err(e) => (e.path().to_vec(), false, Some(e)),
        };
    let entries = if entries.is_empty() {
        vec![ChainEntry {
            certificate: leaf.clone(),
            trust_anchor: false,
            errors: Vec::new(),
        }]
    } else {
        entries
    };
    if let Some(e) = failure
        .as_ref()
        .filter(|_| entries.iter().all(|x| x.errors.is_empty()))
    {
        // a failure outside any path (budget, limits)
        findings.push(Finding::new(
            &e.kind().as_str().replace('_', "-"),
            Severity::Error,
            leaf_item.loc().depth(e.depth().unwrap_or(0)),
            e.message().to_string(),
            fix_for_kind(e.kind()),
        ));
    }
    let find_item = |c: &Certificate, anchor: bool| -> Option<Item> {
        unique
            .iter()
            .chain(ctx.untrusted.iter())
            .find(|i| i.cert == *c)
            .or_else(|| {
                anchor
                    .then(|| unique.iter().find(|i| i.cert.same_subject_and_key(c)))
                    .flatten()
            })
            .cloned()
    };
    let mut path: Vec<PathCert> = entries
        .iter()
        .map(|e| PathCert {
            cert: e.certificate.clone(),
            source: find_item(&e.certificate, e.trust_anchor),
            trust_anchor: e.trust_anchor,
            by_name: false,
        })
        .collect();
    // Where the core stopped short of an anchor (a weak or bad signature, a too long chain), go
    // on by issuer names, so order, extras and the other certificates' problems are still seen.
    let pool: Vec<Item> = unique.iter().chain(ctx.untrusted.iter()).cloned().collect();
    extend_by_names(&mut path, &pool, &ctx.store, &find_item);
    let anchored = path.last().is_some_and(|p| p.trust_anchor);

    // per depth: time, key strength, signature algorithm, and the core's other findings
    let top = path.len().saturating_sub(1);
    let no_errors = Vec::new();
    for (depth, pc) in path.iter().enumerate() {
        let errors = entries
            .get(depth)
            .filter(|_| !pc.by_name)
            .map_or(&no_errors, |e| &e.errors);
        let loc = match &pc.source {
            Some(it) => it.loc().depth(depth),
            None => Loc::default().depth(depth).subject(pc.cert.subject()),
        };
        let role = role(depth, pc.trust_anchor);
        time_findings(&pc.cert, role, &loc, ctx, &mut findings);
        if let Some(bits) = certinfo::rsa_bits(&pc.cert).filter(|b| *b < 2048) {
            findings.push(Finding::new(
                "weak-key",
                Severity::Error,
                loc.clone(),
                format!("RSA key of {bits} bits; clients reject RSA keys under 2048 bits"),
                match role {
                    Role::Leaf => "generate a new key (RSA 2048+ or EC P-256), request a new certificate for it and deploy both",
                    _ => "use a chain whose CAs have RSA keys of 2048 bits or more (ask your CA for its current chain)",
                },
            ));
        }
        if !pc.trust_anchor {
            if let Err(SignatureError::WeakAlgorithm(alg)) =
                parse_signature_algorithm(pc.cert.signature_algorithm_der())
            {
                findings.push(Finding::new(
                    "weak-signature",
                    Severity::Error,
                    loc.clone(),
                    format!("signed with {alg}, which clients reject"),
                    match role {
                        Role::Leaf => "have the certificate reissued with SHA-256 or better",
                        _ => "replace the intermediate with the CA's current one, signed with SHA-256 or better",
                    },
                ));
            }
        }
        for err in errors {
            match err.kind {
                // reported above (once per depth), below (the path's end) or per --host
                ErrorKind::Expired
                | ErrorKind::NotYetValid
                | ErrorKind::WeakKey
                | ErrorKind::WeakSignature
                | ErrorKind::UnknownIssuer
                | ErrorKind::HostnameMismatch => {}
                kind => findings.push(Finding::new(
                    &kind.as_str().replace('_', "-"),
                    Severity::Error,
                    loc.clone(),
                    err.message.clone(),
                    fix_for_kind(kind),
                )),
            }
        }
        // an anchor the store holds but whose trust settings (TRUSTED CERTIFICATE) refuse it
        let refused = errors.iter().find(|e| {
            e.kind == ErrorKind::UnknownIssuer && !pc.trust_anchor && ctx.store.contains(&pc.cert)
        });
        if let (true, Some(e)) = (depth == top && !anchored, refused) {
            findings.push(Finding::new(
                "untrusted-root",
                Severity::Error,
                loc.clone(),
                e.message.clone(),
                "the trust store's TRUSTED CERTIFICATE settings refuse this root for the purpose: pass it as a plain CERTIFICATE, or re-export it with the right -addtrust (openssl x509 -addtrust serverAuth -trustout)",
            ));
        } else if depth == top && !anchored {
            findings.push(unknown_issuer(&pc.cert, depth, loc.clone(), ctx));
        }
    }

    // the file's own certificates: the root, order, extras
    let on_path = |it: &Item| {
        path.iter()
            .any(|p| p.cert == it.cert || (p.trust_anchor && p.cert.same_subject_and_key(&it.cert)))
    };
    for (depth, pc) in path.iter().enumerate() {
        let Some(it) = pc.source.as_ref().filter(|i| i.file == cert_file) else {
            continue;
        };
        let dead_end_root = !anchored && depth == top && depth > 0 && pc.cert.is_self_issued();
        if pc.trust_anchor || dead_end_root {
            findings.push(Finding::new(
                "root-included",
                Severity::Warning,
                it.loc().depth(depth),
                format!(
                    "the root is in the file; clients must already have it, so it only adds {} bytes to every handshake",
                    it.cert.der().len()
                ),
                format!("delete block {} from the file", it.block),
            ));
        }
    }
    let mut last: Option<(usize, &Item)> = None;
    for (depth, pc) in path.iter().enumerate().skip(1) {
        let Some(it) = pc.source.as_ref().filter(|i| i.file == cert_file) else {
            continue;
        };
        if let Some((prev_depth, prev)) = last {
            if it.block < prev.block {
                findings.push(Finding::new(
                    "wrong-order",
                    Severity::Warning,
                    it.loc().depth(depth),
                    format!(
                        "the intermediates are not in issuing order: block {} (depth {depth}) comes before block {} (depth {prev_depth}, {}), which it issued",
                        it.block,
                        prev.block,
                        prev.cert.subject()
                    ),
                    "order the file leaf first, then each issuer right after the certificate it issued (--fix-chain OUT.pem writes that file)",
                ));
                break;
            }
        }
        last = Some((depth, it));
    }
    for (i, it) in unique.iter().enumerate() {
        if i == leaf_idx || on_path(it) {
            continue;
        }
        let issues_on_path = path
            .iter()
            .any(|p| !p.trust_anchor && p.cert.issuer_key() == it.cert.subject_key());
        if issues_on_path {
            findings.push(Finding::new(
                "unused-intermediate",
                Severity::Info,
                it.loc(),
                "an alternative issuer (a cross-signed or older copy) that the path to this trust store does not use",
                format!("keep it only if clients with other trust stores need it; otherwise delete block {}", it.block),
            ));
        } else {
            findings.push(Finding::new(
                "unrelated-certificate",
                Severity::Warning,
                it.loc(),
                format!(
                    "not part of the chain of {}; clients get it for nothing",
                    leaf.subject()
                ),
                format!("delete block {} (it belongs to another chain)", it.block),
            ));
        }
    }

    // host names
    for h in hosts {
        if !covers_name(&leaf, &h.name) {
            findings.push(Finding::new(
                "hostname-mismatch",
                Severity::Error,
                leaf_item.loc().depth(0),
                format!("{} is not covered: {}", h.raw, covered_names(&leaf)),
                format!(
                    "get a certificate whose subjectAltName includes {}, or serve {} from another server block",
                    h.raw, h.raw
                ),
            ));
        }
    }

    // the key
    if let Some((name, kf)) = &key_file {
        report.key_desc = key_finding(kf, name, &leaf_item, &mut findings);
    }

    report::sort(&mut findings);
    report.certificates = unique;
    report.path = path;
    report.verified = verified;
    report.findings = findings;
    report
}

/// Extend a path that ends short of an anchor by issuer names (AKI/SKI agreement first): the
/// trust store's anchors, then the file's and `--untrusted` certificates not yet on the path.
fn extend_by_names(
    path: &mut Vec<PathCert>,
    pool: &[Item],
    store: &TrustStore,
    find_item: &dyn Fn(&Certificate, bool) -> Option<Item>,
) {
    while let Some(top) = path.last() {
        if top.trust_anchor || top.cert.is_self_issued() || path.len() > 32 {
            return;
        }
        let child = top.cert.clone();
        let kid_rank = |c: &Certificate| match (child.authority_key_id(), c.subject_key_id()) {
            (Some(a), Some(s)) if a == s => 0u8,
            (Some(_), Some(_)) => 2,
            _ => 1,
        };
        let fresh = |c: &Certificate| !path.iter().any(|p| p.cert.same_subject_and_key(c));
        let mut anchors: Vec<&Certificate> = store
            .by_subject(child.issuer_key())
            .filter(|c| fresh(c))
            .collect();
        anchors.sort_by_key(|c| kid_rank(c));
        if let Some(a) = anchors.first() {
            let a = (*a).clone();
            path.push(PathCert {
                source: find_item(&a, true),
                cert: a,
                trust_anchor: true,
                by_name: true,
            });
            return;
        }
        let mut issuers: Vec<&Item> = pool
            .iter()
            .filter(|i| i.cert.subject_key() == child.issuer_key() && fresh(&i.cert))
            .collect();
        issuers.sort_by_key(|i| kid_rank(&i.cert));
        let Some(next) = issuers.first().map(|i| (*i).clone()) else {
            return;
        };
        path.push(PathCert {
            cert: next.cert.clone(),
            source: Some(next),
            trust_anchor: false,
            by_name: true,
        });
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Leaf,
    Intermediate,
    Anchor,
}

fn role(depth: usize, anchor: bool) -> Role {
    if anchor {
        Role::Anchor
    } else if depth == 0 {
        Role::Leaf
    } else {
        Role::Intermediate
    }
}

fn time_findings(c: &Certificate, role: Role, loc: &Loc, ctx: &Context, out: &mut Vec<Finding>) {
    let t = ctx.time;
    if t > c.not_after() {
        let ago = certinfo::days_between(c.not_after(), t);
        out.push(Finding::new(
            "expired",
            Severity::Error,
            loc.clone(),
            format!(
                "expired at {} ({ago} days before {})",
                rfc3339(c.not_after()),
                rfc3339(t)
            ),
            match role {
                Role::Leaf => "renew the certificate and deploy the new one",
                Role::Intermediate => "replace the intermediate with your CA's current one (the chain file your CA issued with the certificate)",
                Role::Anchor => "the root expired: get a chain to a current root from your CA",
            },
        ));
    } else if t < c.not_before() {
        let days = certinfo::days_between(t, c.not_before());
        out.push(Finding::new(
            "not-yet-valid",
            Severity::Error,
            loc.clone(),
            format!(
                "not valid before {} (in {days} days; check time {})",
                rfc3339(c.not_before()),
                rfc3339(t)
            ),
            "deploy it once it is valid (or check the clock of this machine)",
        ));
    } else {
        let left = c.not_after() - t;
        if left < u64::from(ctx.warn_days) * 86_400 {
            let days = certinfo::days_between(t, c.not_after());
            out.push(Finding::new(
                "expires-soon",
                Severity::Warning,
                loc.clone(),
                format!(
                    "expires at {} (in {days} days; warning at {} days)",
                    rfc3339(c.not_after()),
                    ctx.warn_days
                ),
                match role {
                    Role::Leaf => "renew it now and deploy the new certificate",
                    Role::Intermediate => {
                        "get your CA's replacement intermediate and deploy it with the leaf"
                    }
                    Role::Anchor => {
                        "move to a chain under the CA's newer root before this one expires"
                    }
                },
            ));
        }
    }
}

fn unknown_issuer(c: &Certificate, depth: usize, loc: Loc, ctx: &Context) -> Finding {
    let urls = certinfo::ca_issuers(c);
    if c.is_self_issued() {
        return Finding::new(
            "untrusted-root",
            Severity::Error,
            loc,
            format!(
                "a self-signed certificate that the trust store ({}) does not hold",
                ctx.store_desc
            ),
            "use a certificate from a CA your clients trust (for a private CA, pass its root with --roots and install it on every client)",
        );
    }
    let aia = match urls.first() {
        Some(u) => format!("; its AIA caIssuers URL is {u}"),
        None => String::new(),
    };
    if depth == 0 {
        let fix = match urls.first() {
            Some(u) => format!("download {u}, convert it to PEM (openssl x509 -inform DER) and append it after the leaf, or pass it with --untrusted and write the file with --fix-chain OUT.pem"),
            None => format!("append the intermediate {} (from your CA's chain file) after the leaf", c.issuer()),
        };
        return Finding::new(
            "missing-intermediate",
            Severity::Error,
            loc,
            format!(
                "the issuer {} is neither in the file nor in the trust store{aia}",
                c.issuer()
            ),
            fix,
        );
    }
    Finding::new(
        "untrusted-root",
        Severity::Error,
        loc,
        format!(
            "the chain ends here: the issuer {} is not in the trust store ({}){aia}",
            c.issuer(),
            ctx.store_desc
        ),
        format!(
            "if {} is an intermediate, append it to the file; if it is a root, the chain is meant for another trust store (check --roots, or get a chain to a root clients trust)",
            c.issuer()
        ),
    )
}

fn covered_names(c: &Certificate) -> String {
    let names: Vec<String> = c
        .subject_alt_names()
        .unwrap_or_default()
        .iter()
        .filter(|n| matches!(n, certchain::AltName::Dns(_) | certchain::AltName::Ip(_)))
        .map(|n| n.to_string())
        .collect();
    if names.is_empty() {
        "the certificate has no DNS or IP subjectAltName (the common name is never used)".into()
    } else {
        format!("the certificate covers {}", names.join(", "))
    }
}

fn key_finding(kf: &KeyFile, name: &str, leaf: &Item, out: &mut Vec<Finding>) -> Option<String> {
    match kf {
        KeyFile::Key {
            public,
            format,
            line,
        } => {
            let desc = format!("{format}, {}", public.describe());
            match keys::spki_public_key(leaf.cert.spki_der()) {
                Ok(cert_key) if &cert_key == public => {}
                // About the leaf (its block and depth); the key file is named in the message.
                Ok(cert_key) => out.push(Finding::new(
                    "key-mismatch",
                    Severity::Error,
                    Loc::file(&leaf.file)
                        .block(leaf.block)
                        .line(leaf.line)
                        .depth(0)
                        .subject(leaf.cert.subject()),
                    format!(
                        "the {} key in {name} (line {line}) is not the key of this certificate ({}); nginx refuses to start (\"key values mismatch\")",
                        public.describe(),
                        cert_key.describe()
                    ),
                    "use the private key the certificate was requested with (or get the certificate reissued for this key)",
                )),
                Err(what) => out.push(Finding::new(
                    "key-not-checked",
                    Severity::Info,
                    Loc::file(name).line(*line).subject(leaf.cert.subject()),
                    format!("the leaf's key is {what}, which certchain cannot compare"),
                    "check the pair with openssl: compare `openssl x509 -pubkey` and `openssl pkey -pubout`",
                )),
            }
            Some(desc)
        }
        KeyFile::Encrypted { format, line } => {
            out.push(Finding::new(
                "encrypted-key",
                Severity::Warning,
                Loc::file(name).line(*line),
                format!("the key is encrypted ({format}); certchain never decrypts keys, so it cannot check that it matches the leaf"),
                "nginx needs ssl_password_file for an encrypted key (or decrypt it once: openssl pkey -in KEY -out KEY.plain, mode 0600)",
            ));
            Some(format.to_string())
        }
        KeyFile::Unsupported { what, line } => {
            out.push(Finding::new(
                "key-not-checked",
                Severity::Info,
                Loc::file(name).line(*line),
                format!("the key file holds {what}, which certchain cannot compare with the leaf"),
                "check the pair with openssl: compare `openssl x509 -pubkey` and `openssl pkey -pubout`",
            ));
            None
        }
        KeyFile::Malformed { message, line } => {
            out.push(Finding::new(
                "malformed-key",
                Severity::Error,
                Loc::file(name).line(*line),
                message.clone(),
                "point ssl_certificate_key (--key) at the PEM private key that belongs to this certificate",
            ));
            None
        }
    }
}

fn fix_for_kind(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::BadSignature => "the certificate was not signed by the issuer on the path: get the matching intermediate from your CA",
        ErrorKind::UnsupportedAlgorithm => "use a certificate with an RSA or ECDSA P-256/P-384 key and a SHA-2 signature",
        ErrorKind::NotACa => "the certificate above the leaf is not a CA certificate: replace it with your CA's intermediate",
        ErrorKind::PathLengthExceeded => "the chain has more intermediates than a CA allows: use the chain your CA issued",
        ErrorKind::KeyUsage | ErrorKind::ExtendedKeyUsage => "get a certificate issued for TLS servers (serverAuth) from your CA",
        ErrorKind::NameConstraints => "the host names are outside what the CA may issue for: get the certificate from a CA allowed to issue them",
        ErrorKind::UnknownCriticalExtension => "clients reject unknown critical extensions: get the certificate reissued without it",
        ErrorKind::PolicyViolation => "the certificate breaks a WebPKI rule: get it reissued by a CA that follows the CA/Browser Forum rules",
        ErrorKind::ChainTooLong | ErrorKind::BudgetExceeded => "use the shortest chain your CA offers; drop extra cross-signed certificates",
        ErrorKind::Malformed => "replace the certificate with the one your CA issued",
        ErrorKind::Revoked => "the certificate is revoked: get a new one",
        _ => "see the message",
    }
}

/// Write the path (leaf and intermediates, no anchor) to `out`, atomically.
fn fix_chain(report: &Report, out: &str) -> Result<Fixed, String> {
    if !report
        .path
        .last()
        .is_some_and(|p| p.trust_anchor && !p.by_name)
    {
        let why = if report.path.last().is_some_and(|p| p.trust_anchor) {
            "the path to the trust anchor was completed by names only (see the signature errors above), so it is not a verified chain; fix those first"
        } else {
            "no path from the leaf to a trust anchor, so there is no chain to write; fix the errors above first"
        };
        return Ok(Fixed::Refused(why.into()));
    }
    let mut pem = String::new();
    let mut count = 0;
    for p in report.path.iter().filter(|p| !p.trust_anchor) {
        let block =
            pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, p.cert.der())
                .map_err(|e| format!("{out}: {e}"))?;
        pem.push_str(&block);
        count += 1;
    }
    files::write_atomically(out, pem.as_bytes())?;
    Ok(Fixed::Written {
        path: out.to_string(),
        count,
    })
}

fn path_source(p: &PathCert, cert_file: &str) -> String {
    let anchor = if p.trust_anchor { ", trust anchor" } else { "" };
    match &p.source {
        Some(it) if it.file == cert_file => format!("block {}{anchor}", it.block),
        Some(it) => format!("{} block {}{anchor}", it.file, it.block),
        None => "trust store".to_string(),
    }
}

fn validity_note(c: &Certificate, time: u64) -> String {
    if time > c.not_after() {
        format!("expired {}", rfc3339(c.not_after()))
    } else if time < c.not_before() {
        format!("valid from {}", rfc3339(c.not_before()))
    } else {
        format!(
            "until {} ({} days)",
            rfc3339(c.not_after()),
            certinfo::days_between(time, c.not_after())
        )
    }
}

/// The human-readable report of one certificate file (`indent` prefixes every line).
pub fn write_report_body(
    out: &mut impl Write,
    r: &Report,
    ctx: &Context,
    style: Style,
    indent: &str,
    show_context: bool,
) -> std::io::Result<()> {
    let label = |s: &str| style.bold(&pad(s, 8));
    let n = r.certificates.len();
    writeln!(
        out,
        "{indent}{} {} ({n} certificate{})",
        label("cert"),
        r.cert_file,
        if n == 1 { "" } else { "s" }
    )?;
    if let Some(k) = &r.key_file {
        match &r.key_desc {
            Some(d) => writeln!(out, "{indent}{} {k} ({d})", label("key"))?,
            None => writeln!(out, "{indent}{} {k}", label("key"))?,
        }
    }
    if !r.hosts.is_empty() {
        writeln!(out, "{indent}{} {}", label("hosts"), r.hosts.join(" "))?;
    }
    if show_context {
        writeln!(
            out,
            "{indent}{} {}  {} {}",
            label("at"),
            rfc3339(ctx.time),
            style.bold("roots"),
            ctx.store_desc
        )?;
    }
    if !r.path.is_empty() {
        let rows: Vec<(String, String, String)> = r
            .path
            .iter()
            .map(|p| {
                let mut source = path_source(p, &r.cert_file);
                if p.by_name {
                    source.push_str(" (by name)");
                }
                (
                    p.cert.subject().to_string(),
                    source,
                    validity_note(&p.cert, ctx.time),
                )
            })
            .collect();
        let w1 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        let w2 = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
        for (d, (subject, source, note)) in rows.iter().enumerate() {
            let head = if d == 0 { label("path") } else { pad("", 8) };
            writeln!(
                out,
                "{indent}{head} depth {d}  {}  {}  {note}",
                pad(subject, w1),
                pad(source, w2)
            )?;
        }
        if !r.path.last().is_some_and(|p| p.trust_anchor) {
            writeln!(out, "{indent}{} (no trust anchor reached)", pad("", 8))?;
        }
    }
    if !r.findings.is_empty() {
        writeln!(out)?;
        report::write_findings(out, &r.findings, &r.cert_file, indent, style)?;
    }
    Ok(())
}

fn write_text(
    out: &mut impl Write,
    r: &Report,
    ctx: &Context,
    style: Style,
) -> std::io::Result<()> {
    write_report_body(out, r, ctx, style, "", true)?;
    match &r.fixed {
        Some(Fixed::Written { path, count }) => writeln!(
            out,
            "wrote {path}: the leaf and {} intermediate{} in path order",
            count.saturating_sub(1),
            if *count == 2 { "" } else { "s" }
        )?,
        Some(Fixed::Refused(why)) => {
            writeln!(out, "{}: {why}", style.error("not writing --fix-chain"))?
        }
        None => {}
    }
    let c = r.counts();
    let verdict = if r.input_error.is_some() {
        style.error("cannot check")
    } else if c.errors > 0 {
        style.error("NOT READY")
    } else if matches!(r.fixed, Some(Fixed::Refused(_))) {
        // the files are fine, but the chain asked for was not written (exit 2)
        style.error("ready to deploy, but --fix-chain was not written")
    } else {
        style.ok("ready to deploy")
    };
    writeln!(out, "\n{verdict}: {}", c.sentence(style))
}

/// The JSON of one certificate file's report.
pub fn report_json(r: &Report, ctx: &Context) -> Value {
    let path: Vec<Value> = r
        .path
        .iter()
        .enumerate()
        .map(|(d, p)| {
            json!({
                "depth": d,
                "subject": p.cert.subject(),
                "issuer": p.cert.issuer(),
                "not_after": rfc3339(p.cert.not_after()),
                "days_left": certinfo::days_between(ctx.time, p.cert.not_after()),
                "trust_anchor": p.trust_anchor,
                "by_name": p.by_name,
                "file": p.source.as_ref().map(|s| s.file.clone()),
                "block": p.source.as_ref().map(|s| s.block),
            })
        })
        .collect();
    let certs: Vec<Value> = r
        .certificates
        .iter()
        .map(|it| {
            json!({
                "block": it.block,
                "line": (it.line > 0).then_some(it.line),
                "subject": it.cert.subject(),
                "issuer": it.cert.issuer(),
                "sha256": it.cert.sha256_hex(),
            })
        })
        .collect();
    let fixed = match &r.fixed {
        Some(Fixed::Written { path, count }) => json!({"written": path, "certificates": count}),
        Some(Fixed::Refused(why)) => json!({"written": null, "refused": why}),
        None => Value::Null,
    };
    json!({
        "cert": r.cert_file,
        "key": r.key_file,
        "key_type": r.key_desc,
        "hosts": r.hosts,
        "time": rfc3339(ctx.time),
        "roots": ctx.store_desc,
        "certificates": certs,
        "path": path,
        "verified": r.verified,
        "findings": r.findings.iter().map(Finding::to_json).collect::<Vec<_>>(),
        "summary": r.counts().to_json(),
        "error": r.input_error,
        "fix_chain": fixed,
    })
}
