//! `cargo run --example verify -- ROOTS.pem CHAIN.pem [HOST] [UNIX_TIME]`
//!
//! The Rust API in thirty lines: build a trust store, read a chain, verify it, print the
//! per-depth story. Exit 0 = verified, 1 = not verified, 2 = usage or input error.

use std::process::ExitCode;
use std::sync::Arc;

use certchain::{Bundle, Policy, ServerName, TrustStore, Verifier};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if !(3..=5).contains(&args.len()) {
        eprintln!("usage: verify ROOTS.pem CHAIN.pem [HOST] [UNIX_TIME]");
        return ExitCode::from(2);
    }
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    };
    let time = match args.get(4) {
        Some(t) => match t.parse() {
            Ok(t) => t,
            Err(_) => {
                eprintln!("UNIX_TIME must be a number of seconds, not {t:?}");
                return ExitCode::from(2);
            }
        },
        None => now(),
    };
    let setup = || -> Result<_, certchain::Error> {
        let store = TrustStore::from_file(args[1].as_ref())?;
        let bytes = std::fs::read(&args[2]).map_err(|e| {
            certchain::Error::new(certchain::ErrorKind::Io, format!("{}: {e}", args[2]))
        })?;
        let chain = Bundle::parse(&bytes, &args[2])?;
        let mut policy = Policy::new(time);
        if let Some(host) = args.get(3).filter(|h| !h.is_empty()) {
            policy = policy.with_name(ServerName::parse(host)?);
        }
        Ok((store, chain, policy))
    };
    let (store, chain, policy) = match setup() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let result = Verifier::new(Arc::new(store)).verify(&chain.certificates, &policy);
    let entries = match &result {
        Ok(v) => v.entries(),
        Err(e) => e.path(),
    };
    for (depth, e) in entries.iter().enumerate() {
        let anchor = if e.trust_anchor {
            " (trust anchor)"
        } else {
            ""
        };
        println!("depth={depth} {}{anchor}", e.certificate.subject());
    }
    match result {
        Ok(_) => {
            println!("OK");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("error: {e}");
            ExitCode::from(1)
        }
    }
}
