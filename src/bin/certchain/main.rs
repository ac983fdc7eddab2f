//! The `certchain` command line: the only part of certchain that reads files and the clock.
//!
//! Exit codes: 0 = verified, 1 = not verified, 2 = usage or input error. Never any other.
// The files it reads are hostile input, as for the library: nothing here may panic on them.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use certchain::{
    parse_time, policy::eku, rfc3339, Bundle, ChainEntry, Crl, Error, ErrorKind, Policy, Profile,
    Purpose, ServerName, TrustStore, Verifier,
};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::{json, Value};

mod certinfo;
mod check;
mod files;
mod keys;
mod nginx;
mod report;
mod scan;
mod show;
mod style;

#[derive(Parser)]
#[command(
    name = "certchain",
    version,
    about = "Verify X.509 certificate chains the way a careful TLS client does"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Verify a chain file (leaf first, then intermediates, as nginx's ssl_certificate).
    Verify(VerifyArgs),
    /// Find everything wrong with a certificate file and its key before nginx does.
    Check(check::CheckArgs),
    /// Print every certificate of a file: names, validity, key, extensions, fingerprint.
    Show(show::ShowArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum PurposeArg {
    Server,
    Client,
    Any,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    Webpki,
    Rfc5280,
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// Trust anchors: `mozilla` (embedded, the default), `system`, a PEM/DER file or a directory. Repeatable.
    #[arg(long = "roots", value_name = "SRC")]
    roots: Vec<String>,
    /// Extra candidate intermediates (PEM or DER file). Repeatable.
    #[arg(long = "untrusted", value_name = "FILE")]
    untrusted: Vec<String>,
    /// Host name or IP address the leaf must cover.
    #[arg(long, value_name = "NAME")]
    host: Option<String>,
    /// Verification time: RFC 3339 (2021-03-14T02:38:27Z) or @UNIX (@1615689507). Default: now.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// What the leaf is for.
    #[arg(long, value_enum, default_value = "server")]
    purpose: PurposeArg,
    /// Required EKU (server-auth, client-auth, code-signing, email-protection, time-stamping,
    /// ocsp-signing, any, or a dotted OID), overriding the purpose's default. Repeatable.
    #[arg(long = "eku", value_name = "NAME|OID")]
    eku: Vec<String>,
    /// The most intermediates allowed between the leaf and the trust anchor.
    #[arg(long = "max-depth", value_name = "N")]
    max_depth: Option<usize>,
    /// Certificate revocation lists (PEM or DER) to check every certificate against. Repeatable.
    #[arg(long = "crl", value_name = "FILE")]
    crl: Vec<String>,
    /// Rule set: webpki (default) or rfc5280 (private PKIs).
    #[arg(long, value_enum, default_value = "webpki")]
    profile: ProfileArg,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// The chain: PEM or DER file, `-` for standard input.
    #[arg(value_name = "CHAIN")]
    chain: String,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // Never any exit code but 0, 1 or 2: a bug that panics is reported as an input error.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("certchain: internal error: {info}");
    }));
    let result = std::panic::catch_unwind(|| match cli.command {
        Command::Verify(args) => verify(&args),
        Command::Check(args) => check::run(&args),
        Command::Show(args) => show::run(&args),
    });
    ExitCode::from(result.unwrap_or(2))
}

/// Read a file or `-` (standard input).
fn read_input(path: &str) -> Result<(Vec<u8>, String), Error> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(certchain::MAX_BUNDLE_BYTES as u64 + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::new(ErrorKind::Io, format!("<stdin>: {e}")))?;
        return Ok((buf, "<stdin>".to_string()));
    }
    let p = Path::new(path);
    if p.is_dir() {
        return Err(Error::new(
            ErrorKind::Io,
            format!("{path}: is a directory, not a file"),
        ));
    }
    certchain::read_bundle_file(p).map(|b| (b, path.to_string()))
}

fn load_store(roots: &[String]) -> Result<TrustStore, Error> {
    let sources: Vec<&str> = if roots.is_empty() {
        vec!["mozilla"]
    } else {
        roots.iter().map(String::as_str).collect()
    };
    let mut store = TrustStore::new();
    for src in sources {
        let part = match src {
            "mozilla" => TrustStore::mozilla(),
            "system" => TrustStore::system()?,
            path if Path::new(path).is_dir() => TrustStore::from_dir(Path::new(path))?,
            path => {
                let (bytes, name) = read_input(path)?;
                TrustStore::from_pem(&bytes, &name)?
            }
        };
        // An anchor that does not parse is an input error now (exit 2), naming its file and
        // block, rather than an unusable root found during verification.
        part.parse_all()?;
        // A directory skips what it cannot use (a file that does not read or parse, a FIFO), as
        // OpenSSL's does; say so, naming each file and why, instead of skipping in silence.
        if src != "system" {
            for why in part.skipped() {
                eprintln!(
                    "note: --roots {}: {}",
                    certchain::printable(src),
                    certchain::printable(&why)
                );
            }
        }
        store.merge(&part);
    }
    Ok(store)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn build_policy(args: &VerifyArgs) -> Result<Policy, Error> {
    let time = match &args.at {
        Some(t) => parse_time(t).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "--at {t:?}: expected RFC 3339 (2021-03-14T02:38:27Z) or @UNIX (@1615689507), at most 9999-12-31T23:59:59Z"
                ),
            )
        })?,
        None => now(),
    };
    let mut policy = Policy::new(time)
        .with_purpose(match args.purpose {
            PurposeArg::Server => Purpose::ServerAuth,
            PurposeArg::Client => Purpose::ClientAuth,
            PurposeArg::Any => Purpose::Any,
        })
        .with_profile(match args.profile {
            ProfileArg::Webpki => Profile::WebPki,
            ProfileArg::Rfc5280 => Profile::Rfc5280,
        });
    if let Some(h) = &args.host {
        policy = policy.with_name(ServerName::parse(h).map_err(|e| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("--host: {}", e.message()),
            )
        })?);
    }
    if !args.eku.is_empty() {
        let ekus = args
            .eku
            .iter()
            .map(|n| {
                eku::parse(n).ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidArgument,
                        format!("--eku {n:?}: not a known EKU name or a dotted OID"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        policy = policy.with_required_ekus(ekus);
    }
    if !args.crl.is_empty() {
        let mut crls = Vec::new();
        for f in &args.crl {
            let (bytes, name) = read_input(f)?;
            crls.extend(Crl::parse_bundle(&bytes, &name)?);
        }
        policy = policy.with_crls(crls);
    }
    if let Some(n) = args.max_depth {
        let mut limits = policy.limits;
        limits.max_intermediates = n;
        policy = policy.with_limits(limits);
    }
    Ok(policy)
}

enum Outcome {
    Verified(certchain::VerifiedChain),
    Failed(Error),
}

fn verify(args: &VerifyArgs) -> u8 {
    let prepared = (|| -> Result<_, Error> {
        let policy = build_policy(args)?;
        let (bytes, name) = read_input(&args.chain)?;
        let bundle = Bundle::parse(&bytes, &name)?;
        let mut chain = bundle.certificates.clone();
        for u in &args.untrusted {
            let (b, n) = read_input(u)?;
            chain.extend(Bundle::parse(&b, &n)?.certificates);
        }
        let store = load_store(&args.roots)?;
        Ok((policy, bundle, chain, store, name))
    })();
    let (policy, bundle, chain, store, name) = match prepared {
        Ok(p) => p,
        Err(e) => {
            report_input_error(args.format, &e);
            return 2;
        }
    };
    for s in &bundle.skipped {
        eprintln!(
            "note: {name}: line {}: skipped a {} block (not a certificate)",
            s.line, s.label
        );
    }
    let verifier = Verifier::new(Arc::new(store));
    let outcome = match verifier.verify(&chain, &policy) {
        Ok(v) => Outcome::Verified(v),
        Err(e) => Outcome::Failed(e),
    };
    let code = match &outcome {
        Outcome::Verified(_) => 0,
        Outcome::Failed(e) if matches!(e.kind(), ErrorKind::InvalidArgument | ErrorKind::Io) => 2,
        Outcome::Failed(_) => 1,
    };
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Text => write_text(
            &mut out,
            &outcome,
            matches!(args.purpose, PurposeArg::Client),
        ),
        Format::Json => writeln!(out, "{}", to_json(&outcome)),
    };
    drop(out);
    if output_failed(written) {
        return 2;
    }
    code
}

/// Whether writing the report to standard output failed (a full disk, a closed descriptor): then
/// the output is incomplete, which is said on standard error and exits 2. A reader that stopped
/// early (`| head`, a broken pipe) is not an error.
pub(crate) fn output_failed(written: std::io::Result<()>) -> bool {
    let result = written.and_then(|()| std::io::stdout().flush());
    match result {
        Ok(()) => false,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => false,
        Err(e) => {
            eprintln!("certchain: cannot write the output: {e}");
            true
        }
    }
}

fn report_input_error(format: Format, e: &Error) {
    match format {
        Format::Text => eprintln!("certchain: {}", certchain::printable(&e.to_string())),
        Format::Json => println!(
            "{}",
            json!({"verified": false, "chain": [], "error": error_json(e)})
        ),
    }
}

/// The per-depth story; for a client certificate, also the names it identifies the client by.
fn write_text(out: &mut impl Write, outcome: &Outcome, client: bool) -> std::io::Result<()> {
    let entries: &[ChainEntry] = match outcome {
        Outcome::Verified(v) => v.entries(),
        Outcome::Failed(e) => e.path(),
    };
    for (depth, e) in entries.iter().enumerate() {
        let anchor = if e.trust_anchor {
            " (trust anchor)"
        } else {
            ""
        };
        writeln!(out, "depth={depth} {}{anchor}", e.certificate.subject())?;
        if client && depth == 0 {
            let names: Vec<String> = e
                .certificate
                .subject_alt_names()
                .unwrap_or_default()
                .iter()
                .map(|n| n.to_string())
                .collect();
            if !names.is_empty() {
                writeln!(out, "  client names: {}", names.join(", "))?;
            }
        }
        for err in &e.errors {
            writeln!(out, "  error: {}: {}", err.kind, err.message)?;
        }
    }
    match outcome {
        Outcome::Verified(_) => writeln!(out, "OK"),
        Outcome::Failed(e) => writeln!(out, "error: {e}"),
    }
}

fn entry_json(depth: usize, e: &ChainEntry) -> Value {
    let c = &e.certificate;
    let san: Vec<String> = c
        .subject_alt_names()
        .unwrap_or_default()
        .iter()
        .map(|n| n.value())
        .collect();
    json!({
        "depth": depth,
        "subject": c.subject(),
        "issuer": c.issuer(),
        "serial": c.serial_hex(),
        "not_before": rfc3339(c.not_before()),
        "not_after": rfc3339(c.not_after()),
        "sha256": c.sha256_hex(),
        "san": san,
        "trust_anchor": e.trust_anchor,
        "errors": e.errors.iter().map(|x| json!({"kind": x.kind.as_str(), "message": x.message})).collect::<Vec<_>>(),
    })
}

fn error_json(e: &Error) -> Value {
    json!({
        "kind": e.kind().as_str(),
        "code": e.code(),
        "depth": e.depth(),
        "subject": e.subject(),
        "message": e.message(),
    })
}

fn to_json(outcome: &Outcome) -> Value {
    let (verified, entries, error) = match outcome {
        Outcome::Verified(v) => (true, v.entries(), Value::Null),
        Outcome::Failed(e) => (false, e.path(), error_json(e)),
    };
    json!({
        "verified": verified,
        "chain": entries.iter().enumerate().map(|(d, e)| entry_json(d, e)).collect::<Vec<_>>(),
        "error": error,
    })
}
