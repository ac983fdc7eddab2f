//! One error type for the whole crate: a stable [`ErrorKind`] with a numeric code, the depth of the
//! certificate it is about (0 = leaf), that certificate's subject, and a message that says what to do.

use std::fmt;

/// What went wrong, as a stable kind. The numeric codes are part of the C ABI: they are grouped,
/// never renumbered and never reused. `0` is success and is not a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
#[repr(u32)]
pub enum ErrorKind {
    // 1xx: input
    /// The input is not a certificate (broken PEM, truncated or invalid DER, bad field).
    Malformed = 100,
    /// An API argument is invalid (e.g. an empty host name, a NULL pointer from C).
    InvalidArgument = 101,
    /// A file or directory could not be read.
    Io = 102,

    // 2xx: path building
    /// No issuer of a certificate could be found in the chain or the trust store.
    UnknownIssuer = 200,
    /// Path building ran out of its budget of signature checks or steps.
    BudgetExceeded = 201,
    /// The path needs more intermediates than the policy allows.
    ChainTooLong = 202,

    // 3xx: time
    /// The verification time is after the certificate's notAfter.
    Expired = 300,
    /// The verification time is before the certificate's notBefore.
    NotYetValid = 301,

    // 4xx: signatures and keys
    /// A signature does not verify with its issuer's key.
    BadSignature = 400,
    /// A signature algorithm or key type certchain does not support.
    UnsupportedAlgorithm = 401,
    /// A key below the policy's strength (e.g. RSA under 2048 bits).
    WeakKey = 402,
    /// A signature made with a weak hash (SHA-1, MD5).
    WeakSignature = 403,

    // 5xx: what a certificate may do
    /// A certificate that issued another one is not a CA (basicConstraints).
    NotACa = 500,
    /// An issuer's pathLenConstraint is exceeded.
    PathLengthExceeded = 501,
    /// The keyUsage extension does not allow this use.
    KeyUsage = 502,
    /// The extendedKeyUsage extension does not allow the purpose.
    ExtendedKeyUsage = 503,
    /// A name is outside an issuer's name constraints.
    NameConstraints = 504,
    /// A critical extension certchain does not understand.
    UnknownCriticalExtension = 505,
    /// The certificate breaks a rule of the policy's profile (WebPKI or RFC 5280).
    PolicyViolation = 506,

    // 6xx: names
    /// The leaf does not cover the requested host name or IP address.
    HostnameMismatch = 600,

    // 7xx: revocation
    /// The certificate is revoked by a supplied CRL.
    Revoked = 700,
    /// A supplied CRL for the certificate's issuer cannot be used (stale, badly signed, out of
    /// scope, ...), so its revocation status is unknown; certchain fails closed.
    RevocationUnknown = 701,
}

impl ErrorKind {
    /// Every kind, in code order.
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::Malformed,
        ErrorKind::InvalidArgument,
        ErrorKind::Io,
        ErrorKind::UnknownIssuer,
        ErrorKind::BudgetExceeded,
        ErrorKind::ChainTooLong,
        ErrorKind::Expired,
        ErrorKind::NotYetValid,
        ErrorKind::BadSignature,
        ErrorKind::UnsupportedAlgorithm,
        ErrorKind::WeakKey,
        ErrorKind::WeakSignature,
        ErrorKind::NotACa,
        ErrorKind::PathLengthExceeded,
        ErrorKind::KeyUsage,
        ErrorKind::ExtendedKeyUsage,
        ErrorKind::NameConstraints,
        ErrorKind::UnknownCriticalExtension,
        ErrorKind::PolicyViolation,
        ErrorKind::HostnameMismatch,
        ErrorKind::Revoked,
        ErrorKind::RevocationUnknown,
    ];

    /// The stable numeric code (also used by the C ABI).
    pub fn code(self) -> u32 {
        self as u32
    }

    /// The kind with this code, if any.
    pub fn from_code(code: u32) -> Option<ErrorKind> {
        Self::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// The stable snake_case name used in JSON and by the CLI (`expired`, `unknown_issuer`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Malformed => "malformed",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::Io => "io",
            ErrorKind::UnknownIssuer => "unknown_issuer",
            ErrorKind::BudgetExceeded => "budget_exceeded",
            ErrorKind::ChainTooLong => "chain_too_long",
            ErrorKind::Expired => "expired",
            ErrorKind::NotYetValid => "not_yet_valid",
            ErrorKind::BadSignature => "bad_signature",
            ErrorKind::UnsupportedAlgorithm => "unsupported_algorithm",
            ErrorKind::WeakKey => "weak_key",
            ErrorKind::WeakSignature => "weak_signature",
            ErrorKind::NotACa => "not_a_ca",
            ErrorKind::PathLengthExceeded => "path_length_exceeded",
            ErrorKind::KeyUsage => "key_usage",
            ErrorKind::ExtendedKeyUsage => "extended_key_usage",
            ErrorKind::NameConstraints => "name_constraints",
            ErrorKind::UnknownCriticalExtension => "unknown_critical_extension",
            ErrorKind::PolicyViolation => "policy_violation",
            ErrorKind::HostnameMismatch => "hostname_mismatch",
            ErrorKind::Revoked => "revoked",
            ErrorKind::RevocationUnknown => "revocation_unknown",
        }
    }

    /// How specific the failure is: when no path verifies, the failure of the highest rank is
    /// reported (an expired certificate says more than an unknown issuer).
    pub(crate) fn rank(self) -> u8 {
        match self {
            ErrorKind::InvalidArgument | ErrorKind::Io => 0,
            ErrorKind::UnknownIssuer => 10,
            ErrorKind::ChainTooLong => 15,
            ErrorKind::BadSignature => 20,
            ErrorKind::HostnameMismatch => 30,
            ErrorKind::UnsupportedAlgorithm => 40,
            ErrorKind::WeakKey | ErrorKind::WeakSignature => 45,
            ErrorKind::NotACa
            | ErrorKind::PathLengthExceeded
            | ErrorKind::KeyUsage
            | ErrorKind::ExtendedKeyUsage
            | ErrorKind::NameConstraints
            | ErrorKind::PolicyViolation => 50,
            ErrorKind::UnknownCriticalExtension | ErrorKind::Malformed => 60,
            ErrorKind::Expired | ErrorKind::NotYetValid => 70,
            ErrorKind::Revoked => 80,
            ErrorKind::RevocationUnknown => 75,
            ErrorKind::BudgetExceeded => 90,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem found with one certificate of a path (kept per depth for reports).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertError {
    /// The kind of problem.
    pub kind: ErrorKind,
    /// What is wrong and what to do about it.
    pub message: String,
}

/// The error type of certchain.
///
/// `depth` is the position in the path (0 = leaf) of the certificate the error is about, when the
/// error is about one; `subject` is that certificate's subject. For verification failures, `path`
/// holds the best path that was found, leaf first, with the problems found at each depth.
#[derive(Clone, Debug)]
pub struct Error {
    kind: ErrorKind,
    depth: Option<usize>,
    subject: Option<String>,
    message: String,
    path: Vec<crate::ChainEntry>,
}

impl Error {
    /// A new error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            depth: None,
            subject: None,
            message: message.into(),
            path: Vec::new(),
        }
    }

    /// The same error, about the certificate at `depth` with `subject`.
    pub fn at(mut self, depth: usize, subject: impl Into<String>) -> Self {
        self.depth = Some(depth);
        self.subject = Some(subject.into());
        self
    }

    pub(crate) fn with_path(mut self, path: Vec<crate::ChainEntry>) -> Self {
        self.path = path;
        self
    }

    /// The stable kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable numeric code of the kind.
    pub fn code(&self) -> u32 {
        self.kind.code()
    }

    /// The depth of the certificate this is about (0 = leaf), if it is about one.
    pub fn depth(&self) -> Option<usize> {
        self.depth
    }

    /// The subject of the certificate this is about, if it is about one.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The message, without the depth prefix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The best path found when verification failed (leaf first, with per-depth problems);
    /// empty for errors that are not about a path.
    pub fn path(&self) -> &[crate::ChainEntry] {
        &self.path
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.depth, &self.subject) {
            (Some(d), Some(s)) => write!(f, "{} at depth {d} ({s}): {}", self.kind, self.message),
            (Some(d), None) => write!(f, "{} at depth {d}: {}", self.kind, self.message),
            _ => write!(f, "{}: {}", self.kind, self.message),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        for (i, k) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(ErrorKind::from_code(k.code()), Some(*k));
            for other in &ErrorKind::ALL[i + 1..] {
                assert_ne!(k.code(), other.code());
                assert_ne!(k.as_str(), other.as_str());
            }
        }
        assert_eq!(ErrorKind::Expired.code(), 300);
        assert_eq!(ErrorKind::from_code(0), None);
    }

    #[test]
    fn display_names_depth_and_subject() {
        let e = Error::new(ErrorKind::Expired, "expired at X").at(1, "CN=R3");
        assert_eq!(e.to_string(), "expired at depth 1 (CN=R3): expired at X");
    }
}
