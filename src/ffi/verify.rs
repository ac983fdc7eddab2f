//! `certchain_verify`: parse a presented chain and verify it against a store.

use std::ffi::c_char;
use std::sync::Arc;

use super::boundary::{arg_bytes, arg_mut, arg_ref, arg_str, arg_time, catch_status};
use super::options::certchain_options;
use super::result::certchain_result;
use super::status::certchain_status;
use super::store::{certchain_store, store_arc};
use crate::error::Error;
use crate::name::ServerName;
use crate::pem::Bundle;
use crate::policy::Policy;
use crate::store::TrustStore;
use crate::Verifier;

/// The verdict on `chain` under `policy`. Every failure past the argument checks — a chain that
/// does not parse included — is a verdict, not a call failure.
fn judge(store: Arc<TrustStore>, chain: &[u8], policy: &Policy) -> certchain_result {
    let bundle = match Bundle::parse(chain, "chain") {
        Ok(b) => b,
        Err(e) => return certchain_result::failed(&e),
    };
    match Verifier::new(store).verify(&bundle.certificates, policy) {
        Ok(verified) => certchain_result::verified(&verified),
        Err(e) => certchain_result::failed(&e),
    }
}

fn write_result(out: &mut *mut certchain_result, result: certchain_result) {
    *out = Box::into_raw(Box::new(result));
}

/// Verify a presented chain against `store` at `unix_time` (seconds since
/// 1970-01-01T00:00:00Z), for a TLS server certificate, checking that the leaf covers `host`
/// unless `host` is NULL.
///
/// `chain` points to `chain_len` bytes of PEM or DER (as in an nginx ssl_certificate file): the
/// first certificate is the leaf, the others are candidate intermediates in any order; other PEM
/// blocks (a private key) are ignored. The bytes, `host` and `store` are only borrowed for the
/// call; the store may be used by other threads at the same time.
///
/// The return value is the call's status. CERTCHAIN_OK: a verdict was reached and `*out`
/// receives a new result, owned by the caller and released with certchain_result_free; the
/// verdict itself is certchain_result_status(*out), 0 when the chain verified. A chain that does
/// not verify, and one that does not even parse (empty, garbage, truncated DER, broken PEM:
/// verdict CERTCHAIN_MALFORMED with a message naming the line or block), is still CERTCHAIN_OK
/// here. CERTCHAIN_INVALID_ARGUMENT: NULL `store`, `chain` or `out`, a negative time, or a `host`
/// that is not UTF-8 or not a valid DNS name or IP address; then nothing is written to `*out`
/// and certchain_last_error() says why.
#[no_mangle]
pub extern "C" fn certchain_verify(
    store: *const certchain_store,
    chain: *const u8,
    chain_len: usize,
    host: *const c_char,
    unix_time: i64,
    out: *mut *mut certchain_result,
) -> certchain_status {
    catch_status("certchain_verify", || {
        // SAFETY: the caller promises NULL or live arguments, as documented above.
        let store = unsafe { store_arc(store) }?;
        let chain = unsafe { arg_bytes(chain, chain_len, "chain") }?;
        let out = unsafe { arg_mut(out, "out") }?;
        let mut policy = Policy::new(arg_time(unix_time, "unix_time")?);
        if !host.is_null() {
            // SAFETY: non-NULL, so NUL-terminated per the caller's promise.
            let host = unsafe { arg_str(host, "host") }?;
            policy = policy.with_name(ServerName::parse(host)?);
        }
        write_result(out, judge(store, chain, &policy));
        Ok(())
    })
}

/// Verify like certchain_verify, with the time, host, purpose, required EKUs, profile and
/// limits taken from `opts` (borrowed for the call; several threads may verify with the same
/// options at once). Status and ownership as for certchain_verify: CERTCHAIN_OK with a new result
/// in `*out` whatever the verdict; CERTCHAIN_INVALID_ARGUMENT for NULL `store`, `chain`, `opts`
/// or `out`, with nothing written. CRLs added to `opts` are checked (see certchain_options_add_crl).
#[no_mangle]
pub extern "C" fn certchain_verify_with_options(
    store: *const certchain_store,
    chain: *const u8,
    chain_len: usize,
    opts: *const certchain_options,
    out: *mut *mut certchain_result,
) -> certchain_status {
    catch_status("certchain_verify_with_options", || -> Result<(), Error> {
        // SAFETY: the caller promises NULL or live arguments, as documented above.
        let store = unsafe { store_arc(store) }?;
        let chain = unsafe { arg_bytes(chain, chain_len, "chain") }?;
        let opts = unsafe { arg_ref(opts, "opts") }?;
        let out = unsafe { arg_mut(out, "out") }?;
        write_result(out, judge(store, chain, &opts.policy));
        Ok(())
    })
}
