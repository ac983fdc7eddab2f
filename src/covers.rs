//! Whether a certificate covers a host name, for callers that check several names against one
//! certificate (the CLI's `check --host`, every `server_name` of an nginx server block) without
//! building a path per name. The rule is the one the verifier applies to the leaf.

use crate::cert::Certificate;
use crate::name::{san_covers, ServerName};

/// Whether `cert`'s subjectAltName covers `name`: a DNS name (a `*.` wildcard stands for exactly
/// one left-most label, never a whole public suffix) or an IP address, as under the default
/// WebPKI profile. The subject's common name is never used.
pub fn covers_name(cert: &Certificate, name: &ServerName) -> bool {
    san_covers(cert.subject_alt_names().unwrap_or_default(), name, true)
}
