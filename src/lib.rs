//! certchain verifies X.509 certificate chains the way a careful TLS client does: it builds a path
//! from the leaf through the presented intermediates to a trust anchor, backtracking across
//! cross-signed issuers, and checks every depth (signature over the exact TBS bytes, validity at
//! the given time, basic constraints, path length, key usage, EKU, name constraints, critical
//! extensions), then the host name. Errors say which certificate failed (depth 0 = leaf) and why.
//!
//! The core reads no clock and no files: the time is in the [`Policy`] and the trust anchors in the
//! [`TrustStore`] (whose `from_file`/`from_dir`/`system` constructors are the only file readers).
//!
//! ```no_run
//! use std::sync::Arc;
//! use certchain::{Bundle, Policy, ServerName, TrustStore, Verifier};
//!
//! let store = Arc::new(TrustStore::from_file("roots.pem".as_ref())?);
//! let chain = Bundle::parse(&certchain::read_bundle_file("cert.pem".as_ref())?, "cert.pem")?;
//! let policy = Policy::new(1_615_689_507).with_name(ServerName::parse("justcc.mengkang.net")?);
//! let verified = Verifier::new(store).verify(&chain.certificates, &policy)?;
//! for (depth, cert) in verified.certificates().enumerate() {
//!     println!("depth={depth} {}", cert.subject());
//! }
//! # Ok::<(), certchain::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_op_in_unsafe_fn)]
// Input is hostile: nothing reachable from it may panic. Tests may.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

mod cache;
mod cert;
mod checks;
mod covers;
mod crl;
pub mod crypto;
mod error;
pub mod ffi;
mod name;
mod path;
mod pem;
pub mod policy;
mod rules;
mod store;
#[cfg(test)]
mod testutil;
mod time;

pub use cache::{CacheStats, KeyCache, SignatureCache};
pub use cert::{
    hex, oid_name, printable, AltName, BasicConstraintsInfo, Certificate, KeyUsageInfo,
    NameConstraintSet,
};
pub use covers::covers_name;
pub use crl::Crl;
pub use error::{CertError, Error, ErrorKind};
pub use name::{NameKey, ServerName};
pub use path::{ChainEntry, VerifiedChain, Verifier};
pub use pem::{
    BlockOrigin, Bundle, Encoding, SkippedBlock, TrustSettings, MAX_BUNDLE_BYTES,
    MAX_BUNDLE_CERTIFICATES,
};
pub use policy::{Limits, Policy, Profile, Purpose};
pub use store::{read_bundle_file, TrustStore, SYSTEM_BUNDLE_PATHS, SYSTEM_DIR_PATHS};
pub use time::{parse_time, rfc3339};
