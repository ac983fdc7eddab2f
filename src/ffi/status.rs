//! `certchain_status`: the result of a call, 0 or the code of an [`ErrorKind`].

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

use super::boundary::catch;
use crate::error::ErrorKind;

/// The status of a call: CERTCHAIN_OK (0) on success, otherwise the code of what went wrong.
/// The same codes are the verdicts in a certchain_result (certchain_result_status). Codes are
/// grouped by hundreds, never renumbered and never reused; new ones may be added, so treat an
/// unknown non-zero value as a failure (certchain_error_kind_name gives NULL for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum certchain_status {
    /// Success; for a verdict: the chain verified.
    CERTCHAIN_OK = 0,

    /// The input is not a certificate (broken PEM, truncated or invalid DER, bad field, no
    /// certificate at all).
    CERTCHAIN_MALFORMED = 100,
    /// An argument is invalid: a NULL pointer, a string that is not UTF-8, a negative time, a host
    /// that is not a DNS name or IP address, an out-of-range value.
    CERTCHAIN_INVALID_ARGUMENT = 101,
    /// A file or directory could not be read.
    CERTCHAIN_IO = 102,

    /// No issuer of a certificate was found in the chain or the trust store.
    CERTCHAIN_UNKNOWN_ISSUER = 200,
    /// Path building ran out of its budget of signature checks or steps.
    CERTCHAIN_BUDGET_EXCEEDED = 201,
    /// The path needs more intermediates than allowed (certchain_options_set_max_depth).
    CERTCHAIN_CHAIN_TOO_LONG = 202,

    /// The verification time is after a certificate's notAfter.
    CERTCHAIN_EXPIRED = 300,
    /// The verification time is before a certificate's notBefore.
    CERTCHAIN_NOT_YET_VALID = 301,

    /// A signature does not verify with its issuer's key.
    CERTCHAIN_BAD_SIGNATURE = 400,
    /// A signature algorithm or key type certchain does not support.
    CERTCHAIN_UNSUPPORTED_ALGORITHM = 401,
    /// A key below the policy's strength (e.g. RSA under 2048 bits).
    CERTCHAIN_WEAK_KEY = 402,
    /// A signature made with a weak hash (SHA-1, MD5).
    CERTCHAIN_WEAK_SIGNATURE = 403,

    /// A certificate that issued another one is not a CA (basicConstraints).
    CERTCHAIN_NOT_A_CA = 500,
    /// An issuer's pathLenConstraint is exceeded.
    CERTCHAIN_PATH_LENGTH_EXCEEDED = 501,
    /// The keyUsage extension does not allow this use.
    CERTCHAIN_KEY_USAGE = 502,
    /// The extendedKeyUsage extension does not allow the purpose.
    CERTCHAIN_EXTENDED_KEY_USAGE = 503,
    /// A name is outside an issuer's name constraints.
    CERTCHAIN_NAME_CONSTRAINTS = 504,
    /// A critical extension certchain does not understand.
    CERTCHAIN_UNKNOWN_CRITICAL_EXTENSION = 505,
    /// A certificate breaks a rule of the policy's profile.
    CERTCHAIN_POLICY_VIOLATION = 506,

    /// The leaf does not cover the requested host name or IP address.
    CERTCHAIN_HOSTNAME_MISMATCH = 600,

    /// A certificate is revoked.
    CERTCHAIN_REVOKED = 700,
    /// A supplied CRL for a certificate's issuer cannot be used (stale, badly signed, out of
    /// scope), so the revocation status is unknown; verification fails closed.
    CERTCHAIN_REVOCATION_UNKNOWN = 701,
}

impl certchain_status {
    /// The status reporting `kind`.
    pub(crate) fn from_kind(kind: ErrorKind) -> certchain_status {
        use certchain_status as S;
        match kind {
            ErrorKind::Malformed => S::CERTCHAIN_MALFORMED,
            ErrorKind::InvalidArgument => S::CERTCHAIN_INVALID_ARGUMENT,
            ErrorKind::Io => S::CERTCHAIN_IO,
            ErrorKind::UnknownIssuer => S::CERTCHAIN_UNKNOWN_ISSUER,
            ErrorKind::BudgetExceeded => S::CERTCHAIN_BUDGET_EXCEEDED,
            ErrorKind::ChainTooLong => S::CERTCHAIN_CHAIN_TOO_LONG,
            ErrorKind::Expired => S::CERTCHAIN_EXPIRED,
            ErrorKind::NotYetValid => S::CERTCHAIN_NOT_YET_VALID,
            ErrorKind::BadSignature => S::CERTCHAIN_BAD_SIGNATURE,
            ErrorKind::UnsupportedAlgorithm => S::CERTCHAIN_UNSUPPORTED_ALGORITHM,
            ErrorKind::WeakKey => S::CERTCHAIN_WEAK_KEY,
            ErrorKind::WeakSignature => S::CERTCHAIN_WEAK_SIGNATURE,
            ErrorKind::NotACa => S::CERTCHAIN_NOT_A_CA,
            ErrorKind::PathLengthExceeded => S::CERTCHAIN_PATH_LENGTH_EXCEEDED,
            ErrorKind::KeyUsage => S::CERTCHAIN_KEY_USAGE,
            ErrorKind::ExtendedKeyUsage => S::CERTCHAIN_EXTENDED_KEY_USAGE,
            ErrorKind::NameConstraints => S::CERTCHAIN_NAME_CONSTRAINTS,
            ErrorKind::UnknownCriticalExtension => S::CERTCHAIN_UNKNOWN_CRITICAL_EXTENSION,
            ErrorKind::PolicyViolation => S::CERTCHAIN_POLICY_VIOLATION,
            ErrorKind::HostnameMismatch => S::CERTCHAIN_HOSTNAME_MISMATCH,
            ErrorKind::Revoked => S::CERTCHAIN_REVOKED,
            ErrorKind::RevocationUnknown => S::CERTCHAIN_REVOCATION_UNKNOWN,
        }
    }

    /// The kind this status reports; `None` for CERTCHAIN_OK.
    #[cfg(test)]
    pub(crate) fn kind(self) -> Option<ErrorKind> {
        use certchain_status as S;
        Some(match self {
            S::CERTCHAIN_OK => return None,
            S::CERTCHAIN_MALFORMED => ErrorKind::Malformed,
            S::CERTCHAIN_INVALID_ARGUMENT => ErrorKind::InvalidArgument,
            S::CERTCHAIN_IO => ErrorKind::Io,
            S::CERTCHAIN_UNKNOWN_ISSUER => ErrorKind::UnknownIssuer,
            S::CERTCHAIN_BUDGET_EXCEEDED => ErrorKind::BudgetExceeded,
            S::CERTCHAIN_CHAIN_TOO_LONG => ErrorKind::ChainTooLong,
            S::CERTCHAIN_EXPIRED => ErrorKind::Expired,
            S::CERTCHAIN_NOT_YET_VALID => ErrorKind::NotYetValid,
            S::CERTCHAIN_BAD_SIGNATURE => ErrorKind::BadSignature,
            S::CERTCHAIN_UNSUPPORTED_ALGORITHM => ErrorKind::UnsupportedAlgorithm,
            S::CERTCHAIN_WEAK_KEY => ErrorKind::WeakKey,
            S::CERTCHAIN_WEAK_SIGNATURE => ErrorKind::WeakSignature,
            S::CERTCHAIN_NOT_A_CA => ErrorKind::NotACa,
            S::CERTCHAIN_PATH_LENGTH_EXCEEDED => ErrorKind::PathLengthExceeded,
            S::CERTCHAIN_KEY_USAGE => ErrorKind::KeyUsage,
            S::CERTCHAIN_EXTENDED_KEY_USAGE => ErrorKind::ExtendedKeyUsage,
            S::CERTCHAIN_NAME_CONSTRAINTS => ErrorKind::NameConstraints,
            S::CERTCHAIN_UNKNOWN_CRITICAL_EXTENSION => ErrorKind::UnknownCriticalExtension,
            S::CERTCHAIN_POLICY_VIOLATION => ErrorKind::PolicyViolation,
            S::CERTCHAIN_HOSTNAME_MISMATCH => ErrorKind::HostnameMismatch,
            S::CERTCHAIN_REVOKED => ErrorKind::Revoked,
            S::CERTCHAIN_REVOCATION_UNKNOWN => ErrorKind::RevocationUnknown,
        })
    }
}

/// The static C string naming `code`: "ok" for 0, the kind's snake_case name otherwise, `None`
/// for a code that is not a kind.
pub(crate) fn kind_name(code: u32) -> Option<&'static std::ffi::CStr> {
    // Built once and never freed (a few hundred bytes): the pointers handed out are static.
    static NAMES: OnceLock<Vec<(u32, CString)>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut v = vec![(0, c"ok".to_owned())];
        v.extend(
            ErrorKind::ALL
                .iter()
                .map(|k| (k.code(), super::boundary::c_string(k.as_str()))),
        );
        v
    });
    names
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| name.as_c_str())
}

/// The snake_case name of a status or verdict code: "ok" for 0, e.g. "expired" for 300 (the
/// names the certchain CLI and JSON output use). NULL for a code that is not a known kind.
/// The string is static: never free it.
#[no_mangle]
pub extern "C" fn certchain_error_kind_name(code: u32) -> *const c_char {
    catch("certchain_error_kind_name", std::ptr::null(), || {
        kind_name(code).map_or(std::ptr::null(), |c| c.as_ptr())
    })
}
