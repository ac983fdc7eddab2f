//! `certchain_options`: what a verification asks for, as a boxed [`Policy`].

use std::ffi::c_char;

use super::boundary::{arg_bytes, arg_mut, arg_str, arg_time, catch, catch_status, invalid};
use super::status::certchain_status;
use crate::crl::Crl;
use crate::name::ServerName;
use crate::policy::{eku, Policy, Profile, Purpose};

/// Purpose for certchain_options_set_purpose: a TLS server certificate (the leaf's
/// extendedKeyUsage, if present, must allow serverAuth). The default.
pub const CERTCHAIN_PURPOSE_SERVER: u32 = 0;
/// Purpose for certchain_options_set_purpose: a TLS client certificate (clientAuth).
pub const CERTCHAIN_PURPOSE_CLIENT: u32 = 1;
/// Purpose for certchain_options_set_purpose: no extendedKeyUsage requirement.
pub const CERTCHAIN_PURPOSE_ANY: u32 = 2;

/// Profile for certchain_options_set_profile: the CA/Browser Forum rules a public TLS client
/// applies (e.g. the leaf must carry an extendedKeyUsage extension). The default.
pub const CERTCHAIN_PROFILE_WEBPKI: u32 = 0;
/// Profile for certchain_options_set_profile: plain RFC 5280, for private PKIs (a leaf without
/// extendedKeyUsage is allowed; anyExtendedKeyUsage satisfies a required EKU).
pub const CERTCHAIN_PROFILE_RFC5280: u32 = 1;

/// The inputs of a verification besides the certificates: time, host, purpose, required EKUs,
/// profile, limits, CRLs (opaque).
///
/// Ownership: created by certchain_options_new, owned by the caller, released with
/// certchain_options_free. Setters need exclusive access; once set up, the same options may be
/// passed to any number of concurrent certchain_verify_with_options calls, which only read them.
/// Options keep no pointer into the caller's memory: strings and bytes are copied.
pub struct certchain_options {
    /// Everything, CRLs included (`policy.crls`, added with certchain_options_add_crl).
    pub(crate) policy: Policy,
}

/// Create options that verify at `unix_time` (seconds since 1970-01-01T00:00:00Z, not negative)
/// for a TLS server certificate, with no host check and the default limits. A negative time is
/// CERTCHAIN_INVALID_ARGUMENT. On CERTCHAIN_OK, `*out` receives new options that the caller frees
/// with certchain_options_free; on failure `*out` is left untouched.
#[no_mangle]
pub extern "C" fn certchain_options_new(
    unix_time: i64,
    out: *mut *mut certchain_options,
) -> certchain_status {
    catch_status("certchain_options_new", || {
        // SAFETY: the caller promises NULL or a writable pointer.
        let out = unsafe { arg_mut(out, "out") }?;
        let time = arg_time(unix_time, "unix_time")?;
        *out = Box::into_raw(Box::new(certchain_options {
            policy: Policy::new(time),
        }));
        Ok(())
    })
}

/// Set the verification time: `unix_time` seconds since 1970-01-01T00:00:00Z, not negative (a
/// negative time is CERTCHAIN_INVALID_ARGUMENT and leaves the options unchanged).
///
/// Ownership: `opts` is borrowed (mutably) for the call only: the caller keeps ownership, and must not use it from another thread meanwhile.
#[no_mangle]
pub extern "C" fn certchain_options_set_time(
    opts: *mut certchain_options,
    unix_time: i64,
) -> certchain_status {
    catch_status("certchain_options_set_time", || {
        // SAFETY: the caller promises NULL or live options it does not use elsewhere meanwhile.
        let opts = unsafe { arg_mut(opts, "opts") }?;
        opts.policy.time = arg_time(unix_time, "unix_time")?;
        Ok(())
    })
}

/// Require the leaf to cover `host`: a DNS name (case-insensitive, trailing dot allowed) or an
/// IPv4/IPv6 address (brackets allowed), NUL-terminated UTF-8, borrowed for the call. NULL, an
/// empty string or anything that is neither a valid DNS name nor an IP address is
/// CERTCHAIN_INVALID_ARGUMENT and leaves the options unchanged.
#[no_mangle]
pub extern "C" fn certchain_options_set_host(
    opts: *mut certchain_options,
    host: *const c_char,
) -> certchain_status {
    catch_status("certchain_options_set_host", || {
        // SAFETY: the caller promises NULL or live options it does not use elsewhere meanwhile.
        let opts = unsafe { arg_mut(opts, "opts") }?;
        // SAFETY: the caller promises NULL or a NUL-terminated string.
        let host = unsafe { arg_str(host, "host") }?;
        opts.policy.name = Some(ServerName::parse(host)?);
        Ok(())
    })
}

/// Set the purpose: CERTCHAIN_PURPOSE_SERVER, CERTCHAIN_PURPOSE_CLIENT or CERTCHAIN_PURPOSE_ANY.
/// Any other value is CERTCHAIN_INVALID_ARGUMENT and leaves the options unchanged.
///
/// Ownership: `opts` is borrowed (mutably) for the call only: the caller keeps ownership, and must not use it from another thread meanwhile.
#[no_mangle]
pub extern "C" fn certchain_options_set_purpose(
    opts: *mut certchain_options,
    purpose: u32,
) -> certchain_status {
    catch_status("certchain_options_set_purpose", || {
        // SAFETY: as for certchain_options_set_host.
        let opts = unsafe { arg_mut(opts, "opts") }?;
        opts.policy.purpose = match purpose {
            CERTCHAIN_PURPOSE_SERVER => Purpose::ServerAuth,
            CERTCHAIN_PURPOSE_CLIENT => Purpose::ClientAuth,
            CERTCHAIN_PURPOSE_ANY => Purpose::Any,
            other => {
                return Err(invalid(format!(
                    "purpose {other} is not a CERTCHAIN_PURPOSE_* value"
                )))
            }
        };
        Ok(())
    })
}

/// Add an extendedKeyUsage the leaf may carry. Once one is added, the leaf must carry at least one
/// of the added EKUs (any one suffices) instead of the purpose's default (serverAuth for
/// CERTCHAIN_PURPOSE_SERVER). `name_or_oid` is NUL-terminated UTF-8, borrowed for the call: one of
/// "server-auth", "client-auth", "code-signing", "email-protection", "time-stamping",
/// "ocsp-signing" (or their RFC 5280 names "serverAuth", ..., "OCSPSigning"), "any" (no EKU
/// requirement at all) or a dotted OID such as "1.3.6.1.5.5.7.3.1". NULL or anything else is
/// CERTCHAIN_INVALID_ARGUMENT and leaves the options unchanged.
#[no_mangle]
pub extern "C" fn certchain_options_add_eku(
    opts: *mut certchain_options,
    name_or_oid: *const c_char,
) -> certchain_status {
    catch_status("certchain_options_add_eku", || {
        // SAFETY: as for certchain_options_set_host.
        let opts = unsafe { arg_mut(opts, "opts") }?;
        let name = unsafe { arg_str(name_or_oid, "name_or_oid") }?;
        let oid = eku::parse(name).ok_or_else(|| {
            invalid(format!(
                "{name:?} is neither a known extendedKeyUsage name (server-auth, client-auth, \
                 code-signing, email-protection, time-stamping, ocsp-signing, any) nor a dotted OID"
            ))
        })?;
        let ekus = opts.policy.required_ekus.get_or_insert_with(Vec::new);
        if !ekus.contains(&oid) {
            ekus.push(oid);
        }
        Ok(())
    })
}

/// Set the profile: CERTCHAIN_PROFILE_WEBPKI (the default) or CERTCHAIN_PROFILE_RFC5280. Any
/// other value is CERTCHAIN_INVALID_ARGUMENT and leaves the options unchanged.
///
/// Ownership: `opts` is borrowed (mutably) for the call only: the caller keeps ownership, and must not use it from another thread meanwhile.
#[no_mangle]
pub extern "C" fn certchain_options_set_profile(
    opts: *mut certchain_options,
    profile: u32,
) -> certchain_status {
    catch_status("certchain_options_set_profile", || {
        // SAFETY: as for certchain_options_set_host.
        let opts = unsafe { arg_mut(opts, "opts") }?;
        opts.policy.profile = match profile {
            CERTCHAIN_PROFILE_WEBPKI => Profile::WebPki,
            CERTCHAIN_PROFILE_RFC5280 => Profile::Rfc5280,
            other => {
                return Err(invalid(format!(
                    "profile {other} is not a CERTCHAIN_PROFILE_* value"
                )))
            }
        };
        Ok(())
    })
}

/// Add certificate revocation lists: `data` points to `len` bytes (borrowed for the call; they
/// are copied) holding one DER CRL, or PEM text with one or more "X509 CRL" blocks (other blocks
/// are ignored). Each CRL must parse as an X.509 CertificateList; otherwise the call is
/// CERTCHAIN_MALFORMED and no CRL of the input is added. NULL `opts` or `data` is
/// CERTCHAIN_INVALID_ARGUMENT.
///
/// Every later certchain_verify_with_options with these options checks revocation against the
/// CRLs added, at every depth below the trust anchor: a CRL whose issuer is the certificate's
/// issuer and whose scope covers it is consulted; a serial listed there is the verdict
/// CERTCHAIN_REVOKED at that depth; such a CRL that cannot be used (bad signature, the issuer may
/// not sign CRLs, outside thisUpdate..nextUpdate at the verification time, an unknown critical
/// extension) is CERTCHAIN_REVOCATION_UNKNOWN. When CRLs from the issuer were added but none
/// covers the certificate (issuingDistributionPoint: a distribution point that is not one of the
/// certificate's cRLDistributionPoints, onlyContainsCACerts for a leaf, ...) or those that do
/// cover only some reasons, that is CERTCHAIN_REVOCATION_UNKNOWN too. A certificate for whose
/// issuer no CRL was added is not checked for revocation.
#[no_mangle]
pub extern "C" fn certchain_options_add_crl(
    opts: *mut certchain_options,
    data: *const u8,
    len: usize,
) -> certchain_status {
    catch_status("certchain_options_add_crl", || {
        // SAFETY: as for certchain_options_set_host; `len` readable bytes at `data`.
        let opts = unsafe { arg_mut(opts, "opts") }?;
        let bytes = unsafe { arg_bytes(data, len, "data") }?;
        let crls = Crl::parse_bundle(bytes, "crl")?;
        opts.policy.crls.extend(crls);
        Ok(())
    })
}

/// Allow at most `max_intermediates` intermediates between the leaf and the trust anchor
/// (default 10; 0 means the leaf must be issued by a trust anchor). A longer path is the verdict
/// CERTCHAIN_CHAIN_TOO_LONG.
///
/// Ownership: `opts` is borrowed (mutably) for the call only: the caller keeps ownership, and must not use it from another thread meanwhile.
#[no_mangle]
pub extern "C" fn certchain_options_set_max_depth(
    opts: *mut certchain_options,
    max_intermediates: u32,
) -> certchain_status {
    catch_status("certchain_options_set_max_depth", || {
        // SAFETY: as for certchain_options_set_host.
        let opts = unsafe { arg_mut(opts, "opts") }?;
        let n = usize::try_from(max_intermediates)
            .map_err(|_| invalid(format!("max depth {max_intermediates} is too large")))?;
        opts.policy.limits.max_intermediates = n;
        Ok(())
    })
}

/// Release options created by certchain_options_new. NULL is a no-op. The options must not be
/// used afterwards.
#[no_mangle]
pub extern "C" fn certchain_options_free(opts: *mut certchain_options) {
    catch("certchain_options_free", (), || {
        if !opts.is_null() {
            // SAFETY: the pointer came from `Box::into_raw` in certchain_options_new.
            drop(unsafe { Box::from_raw(opts) });
        }
    })
}
