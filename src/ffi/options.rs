//! `certchain_options`: what a verification asks for, as a boxed [`Policy`].

use std::ffi::c_char;

use super::boundary::{arg_mut, arg_str, arg_time, catch, catch_status, invalid};
use super::status::certchain_status;
use crate::name::ServerName;
use crate::policy::{Policy, Purpose};

/// Purpose for certchain_options_set_purpose: a TLS server certificate (the leaf's
/// extendedKeyUsage, if present, must allow serverAuth). The default.
pub const CERTCHAIN_PURPOSE_SERVER: u32 = 0;
/// Purpose for certchain_options_set_purpose: a TLS client certificate (clientAuth).
pub const CERTCHAIN_PURPOSE_CLIENT: u32 = 1;
/// Purpose for certchain_options_set_purpose: no extendedKeyUsage requirement.
pub const CERTCHAIN_PURPOSE_ANY: u32 = 2;

/// The inputs of a verification besides the certificates: time, host, purpose, limits (opaque).
///
/// Ownership: created by certchain_options_new, owned by the caller, released with
/// certchain_options_free. Setters need exclusive access; once set up, the same options may be
/// passed to any number of concurrent certchain_verify_with_options calls, which only read them.
pub struct certchain_options {
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

/// Allow at most `max_intermediates` intermediates between the leaf and the trust anchor
/// (default 10; 0 means the leaf must be issued by a trust anchor). A longer path is the verdict
/// CERTCHAIN_CHAIN_TOO_LONG.
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
