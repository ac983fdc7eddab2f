//! Peak-memory probe: `rss_certchain [rustcrypto|awslc] ROOTS.pem CHAIN.pem HOST UNIX_TIME` loads
//! the trust store, verifies the chain once and exits (0 = verified). `benches/report.sh` runs it
//! under `/usr/bin/time -v`. Links nothing but certchain (and aws-lc-rs with the feature).

use std::sync::Arc;

use certchain::crypto::{CryptoBackend, RustCrypto};
use certchain::{Bundle, Policy, ServerName, TrustStore, Verifier};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, backend, roots, chain, host, time] = args.as_slice() else {
        eprintln!("usage: rss_certchain rustcrypto|awslc ROOTS.pem CHAIN.pem HOST UNIX_TIME");
        std::process::exit(2);
    };
    let backend: Arc<dyn CryptoBackend> = match backend.as_str() {
        "rustcrypto" => Arc::new(RustCrypto),
        #[cfg(feature = "aws-lc-rs")]
        "awslc" => Arc::new(certchain::crypto::AwsLc),
        other => {
            eprintln!("backend {other} is not built in");
            std::process::exit(2);
        }
    };
    let run = || -> Result<(), certchain::Error> {
        let store = Arc::new(TrustStore::from_file(roots.as_ref())?);
        let bytes = std::fs::read(chain)
            .map_err(|e| certchain::Error::new(certchain::ErrorKind::Io, e.to_string()))?;
        let chain = Bundle::parse(&bytes, chain)?;
        let policy = Policy::new(time.parse().unwrap_or(0)).with_name(ServerName::parse(host)?);
        Verifier::with_backend(store, backend).verify(&chain.certificates, &policy)?;
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
