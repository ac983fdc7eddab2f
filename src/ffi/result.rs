//! `certchain_result`: the verdict of one verification, with its C strings computed up front.

use std::ffi::{c_char, CString};

use super::boundary::{arg_mut, c_string, catch, catch_status, invalid, null_arg};
use super::status::{certchain_status, kind_name};
use crate::cert::Certificate;
use crate::error::{Error, ErrorKind};
use crate::path::{ChainEntry, VerifiedChain};

/// The length of a SHA-256 fingerprint written by certchain_result_sha256.
pub const CERTCHAIN_SHA256_LEN: usize = 32;

struct Entry {
    certificate: Certificate,
    subject: CString,
    issuer: CString,
    trust_anchor: bool,
}

impl Entry {
    fn new(e: &ChainEntry) -> Entry {
        Entry {
            subject: c_string(e.certificate.subject()),
            issuer: c_string(e.certificate.issuer()),
            certificate: e.certificate.clone(),
            trust_anchor: e.trust_anchor,
        }
    }
}

/// The verdict of one certchain_verify call (opaque): verified or why not, and the chain — the
/// verified path, or the best path found when verification failed — leaf (depth 0) first.
///
/// Ownership: owned by the caller, released with certchain_result_free. Every string and byte
/// pointer it hands out belongs to it and stays valid until it is freed. A result is never
/// modified after it is made, so several threads may read it at once. It does not refer to the
/// store, which may be freed first.
pub struct certchain_result {
    kind: Option<ErrorKind>,
    depth: Option<usize>,
    message: CString,
    entries: Vec<Entry>,
}

impl certchain_result {
    pub(crate) fn verified(chain: &VerifiedChain) -> certchain_result {
        certchain_result {
            kind: None,
            depth: None,
            message: CString::default(),
            entries: chain.entries().iter().map(Entry::new).collect(),
        }
    }

    pub(crate) fn failed(error: &Error) -> certchain_result {
        certchain_result {
            kind: Some(error.kind()),
            depth: error.depth(),
            message: c_string(&error.to_string()),
            entries: error.path().iter().map(Entry::new).collect(),
        }
    }

    fn entry(&self, depth: usize) -> Option<&Entry> {
        self.entries.get(depth)
    }
}

/// Borrow a result, or None for NULL.
///
/// # Safety
/// `r` is NULL or a live result that is not freed during `'a`.
unsafe fn get<'a>(r: *const certchain_result) -> Option<&'a certchain_result> {
    // SAFETY: the caller's promise.
    unsafe { r.as_ref() }
}

/// The verdict as a numeric code: 0 (CERTCHAIN_OK) when the chain verified, otherwise the error
/// code of the most specific problem found, e.g. CERTCHAIN_EXPIRED (300), CERTCHAIN_MALFORMED
/// (100) for a chain that does not parse. The codes are the certchain_status values, so this is
/// also "the error code" of the result (there is no separate function for it); its name is
/// certchain_result_error_kind, its detail certchain_result_message. NULL gives
/// CERTCHAIN_INVALID_ARGUMENT (101), never 0: a missing result must not read as "verified".
///
/// Ownership: `r` is borrowed for the call only; the caller keeps it (free it with certchain_result_free).
#[no_mangle]
pub extern "C" fn certchain_result_status(r: *const certchain_result) -> u32 {
    catch(
        "certchain_result_status",
        ErrorKind::InvalidArgument.code(),
        || {
            // SAFETY: the caller promises NULL or a live result.
            match unsafe { get(r) } {
                None => ErrorKind::InvalidArgument.code(),
                Some(r) => r.kind.map_or(0, ErrorKind::code),
            }
        },
    )
}

/// The snake_case name of the verdict: "ok" when verified, else e.g. "expired",
/// "hostname_mismatch". Static: never free it. NULL for a NULL result.
#[no_mangle]
pub extern "C" fn certchain_result_error_kind(r: *const certchain_result) -> *const c_char {
    catch("certchain_result_error_kind", std::ptr::null(), || {
        // SAFETY: the caller promises NULL or a live result.
        let Some(r) = (unsafe { get(r) }) else {
            return std::ptr::null();
        };
        kind_name(r.kind.map_or(0, ErrorKind::code)).map_or(std::ptr::null(), |c| c.as_ptr())
    })
}

/// The depth (0 = leaf) of the certificate the verdict is about, or -1 when verified, when the
/// failure is not about one certificate (e.g. a chain that does not parse) or for NULL.
///
/// Ownership: `r` is borrowed for the call only; the caller keeps it (free it with certchain_result_free).
#[no_mangle]
pub extern "C" fn certchain_result_depth(r: *const certchain_result) -> i64 {
    catch("certchain_result_depth", -1, || {
        // SAFETY: the caller promises NULL or a live result.
        unsafe { get(r) }
            .and_then(|r| r.depth)
            .and_then(|d| i64::try_from(d).ok())
            .unwrap_or(-1)
    })
}

/// The full message of the verdict, e.g. "expired at depth 0 (CN=example.com): certificate
/// expired at 2021-06-06T01:26:54Z; verification time ...", or for a chain that does not parse
/// "malformed: chain: line 1: ..." (the chain is named "chain"; lines and blocks are counted in
/// the bytes given). "" when verified; NULL for a NULL result. Valid until the result is freed.
#[no_mangle]
pub extern "C" fn certchain_result_message(r: *const certchain_result) -> *const c_char {
    catch("certchain_result_message", std::ptr::null(), || {
        // SAFETY: the caller promises NULL or a live result.
        unsafe { get(r) }.map_or(std::ptr::null(), |r| r.message.as_ptr())
    })
}

/// The number of certificates in the result's chain: the verified path (leaf to trust anchor),
/// or the best path found when verification failed (possibly not reaching an anchor); 0 when the
/// chain did not parse, and for NULL. Valid depths are 0 .. len-1.
///
/// Ownership: `r` is borrowed for the call only; the caller keeps it (free it with certchain_result_free).
#[no_mangle]
pub extern "C" fn certchain_result_chain_len(r: *const certchain_result) -> usize {
    catch("certchain_result_chain_len", 0, || {
        // SAFETY: the caller promises NULL or a live result.
        unsafe { get(r) }.map_or(0, |r| r.entries.len())
    })
}

/// The subject of the certificate at `depth`, e.g. "CN=R3,O=Let's Encrypt,C=US" (RFC 4514
/// order). NULL for a NULL result or a depth out of range. Valid until the result is freed.
#[no_mangle]
pub extern "C" fn certchain_result_subject(
    r: *const certchain_result,
    depth: usize,
) -> *const c_char {
    catch("certchain_result_subject", std::ptr::null(), || {
        // SAFETY: the caller promises NULL or a live result.
        unsafe { get(r) }
            .and_then(|r| r.entry(depth))
            .map_or(std::ptr::null(), |e| e.subject.as_ptr())
    })
}

/// The issuer of the certificate at `depth`, formatted like certchain_result_subject. NULL for a
/// NULL result or a depth out of range. Valid until the result is freed.
#[no_mangle]
pub extern "C" fn certchain_result_issuer(
    r: *const certchain_result,
    depth: usize,
) -> *const c_char {
    catch("certchain_result_issuer", std::ptr::null(), || {
        // SAFETY: the caller promises NULL or a live result.
        unsafe { get(r) }
            .and_then(|r| r.entry(depth))
            .map_or(std::ptr::null(), |e| e.issuer.as_ptr())
    })
}

fn time_at(r: *const certchain_result, depth: usize, field: fn(&Certificate) -> u64) -> i64 {
    // SAFETY: the callers' callers promise NULL or a live result.
    unsafe { get(r) }
        .and_then(|r| r.entry(depth))
        .and_then(|e| i64::try_from(field(&e.certificate)).ok())
        .unwrap_or(-1)
}

/// The notBefore of the certificate at `depth`, in seconds since 1970-01-01T00:00:00Z; -1 for a
/// NULL result or a depth out of range.
///
/// Ownership: `r` is borrowed for the call only; the caller keeps it (free it with certchain_result_free).
#[no_mangle]
pub extern "C" fn certchain_result_not_before(r: *const certchain_result, depth: usize) -> i64 {
    catch("certchain_result_not_before", -1, || {
        time_at(r, depth, Certificate::not_before)
    })
}

/// The notAfter of the certificate at `depth`, in seconds since 1970-01-01T00:00:00Z; -1 for a
/// NULL result or a depth out of range.
///
/// Ownership: `r` is borrowed for the call only; the caller keeps it (free it with certchain_result_free).
#[no_mangle]
pub extern "C" fn certchain_result_not_after(r: *const certchain_result, depth: usize) -> i64 {
    catch("certchain_result_not_after", -1, || {
        time_at(r, depth, Certificate::not_after)
    })
}

/// Whether the certificate at `depth` is the trust anchor (from the store) that ends the path.
/// false for a NULL result or a depth out of range.
///
/// Ownership: `r` is borrowed for the call only; the caller keeps it (free it with certchain_result_free).
#[no_mangle]
pub extern "C" fn certchain_result_is_trust_anchor(
    r: *const certchain_result,
    depth: usize,
) -> bool {
    catch("certchain_result_is_trust_anchor", false, || {
        // SAFETY: the caller promises NULL or a live result.
        unsafe { get(r) }
            .and_then(|r| r.entry(depth))
            .is_some_and(|e| e.trust_anchor)
    })
}

/// The DER encoding of the certificate at `depth`: on CERTCHAIN_OK, `*der` points to `*len`
/// bytes owned by the result, valid until it is freed (do not free them). A NULL argument or a
/// depth out of range is CERTCHAIN_INVALID_ARGUMENT, and nothing is written.
#[no_mangle]
pub extern "C" fn certchain_result_der(
    r: *const certchain_result,
    depth: usize,
    der: *mut *const u8,
    len: *mut usize,
) -> certchain_status {
    catch_status("certchain_result_der", || {
        // SAFETY: the caller promises NULL or a live result, and NULL or writable outputs.
        let r = unsafe { get(r) }.ok_or_else(|| null_arg("result"))?;
        let der = unsafe { arg_mut(der, "der") }?;
        let len = unsafe { arg_mut(len, "len") }?;
        let bytes = r
            .entry(depth)
            .ok_or_else(|| out_of_range(r, depth))?
            .certificate
            .der();
        *der = bytes.as_ptr();
        *len = bytes.len();
        Ok(())
    })
}

/// Write the SHA-256 fingerprint of the DER of the certificate at `depth` to `out`, which must
/// have room for CERTCHAIN_SHA256_LEN (32) bytes. A NULL argument or a depth out of range is
/// CERTCHAIN_INVALID_ARGUMENT, and nothing is written.
///
/// Ownership: `r` is borrowed for the call only; `out` is the caller's buffer, written during the call and never kept: the caller owns both before and after.
#[no_mangle]
pub extern "C" fn certchain_result_sha256(
    r: *const certchain_result,
    depth: usize,
    out: *mut u8,
) -> certchain_status {
    catch_status("certchain_result_sha256", || {
        // SAFETY: the caller promises NULL or a live result.
        let r = unsafe { get(r) }.ok_or_else(|| null_arg("result"))?;
        if out.is_null() {
            return Err(null_arg("out"));
        }
        let digest = r
            .entry(depth)
            .ok_or_else(|| out_of_range(r, depth))?
            .certificate
            .sha256();
        // SAFETY: `out` is non-NULL with room for 32 bytes per the caller's promise, and cannot
        // overlap the result's own memory that the caller does not own.
        unsafe { std::ptr::copy_nonoverlapping(digest.as_ptr(), out, CERTCHAIN_SHA256_LEN) };
        Ok(())
    })
}

fn out_of_range(r: &certchain_result, depth: usize) -> Error {
    invalid(format!(
        "depth {depth} is out of range (the chain has {} certificates)",
        r.entries.len()
    ))
}

/// Release a result from certchain_verify or certchain_verify_with_options, with every string
/// and byte pointer obtained from it. NULL is a no-op.
#[no_mangle]
pub extern "C" fn certchain_result_free(r: *mut certchain_result) {
    catch("certchain_result_free", (), || {
        if !r.is_null() {
            // SAFETY: the pointer came from `Box::into_raw` in certchain_verify*.
            drop(unsafe { Box::from_raw(r) });
        }
    })
}
