//! The C ABI, declared in `include/certchain.h` (generated from this module by cbindgen; see
//! `cbindgen.toml`).
//!
//! Conventions, following rustls-ffi:
//!
//! * Every symbol starts with `certchain_` (`CERTCHAIN_` for constants); functions are
//!   `certchain_<type>_<verb>`.
//! * Handles are opaque, each with one ownership rule: [`certchain_store`] is an `Arc<TrustStore>`
//!   (shared, read-only, usable from many threads at once), [`certchain_store_builder`],
//!   [`certchain_options`] and [`certchain_result`] are `Box`es owned by the caller. Every
//!   `*_free` accepts NULL.
//! * Every exported function runs its body inside the one panic boundary of `boundary.rs`: a
//!   panic becomes an error status (or NULL, 0, -1, false) instead of unwinding into C. There is
//!   no "internal error" code among the stable codes: a status-returning export that panicked
//!   returns CERTCHAIN_INVALID_ARGUMENT, and certchain_last_error() says it was a panic.
//! * Every pointer argument is NULL-checked, strings are checked for UTF-8, integers coming from
//!   C are converted with checks. Outputs are written only on success; out-parameters come last.
//! * Functions that can fail return a [`certchain_status`]: 0 on success, otherwise the code of a
//!   [`crate::ErrorKind`]. The message of the last failure on a thread is kept for
//!   [`certchain_last_error`].
// The exports take raw pointers in safe `extern "C"` signatures, as rustls-ffi does: C has no
// `unsafe`, and each function documents what the caller must guarantee about its pointers.
#![allow(clippy::not_unsafe_ptr_arg_deref)]
// The C names are the Rust names (certchain_store, CERTCHAIN_OK): what the header says is what
// the source says.
#![allow(non_camel_case_types)]

// The declaration order is the order of the header (cbindgen follows it); the comments keep
// rustfmt from sorting the list.
mod boundary; // the panic boundary, certchain_last_error, argument checks

mod status; // certchain_status, certchain_error_kind_name

mod store; // certchain_store

mod builder; // certchain_store_builder

mod options; // certchain_options

mod verify; // certchain_verify*

mod result; // certchain_result

pub use boundary::certchain_last_error;
pub use builder::{
    certchain_store_builder, certchain_store_builder_add_dir, certchain_store_builder_add_file,
    certchain_store_builder_add_mozilla, certchain_store_builder_add_pem,
    certchain_store_builder_add_store, certchain_store_builder_add_system,
    certchain_store_builder_build, certchain_store_builder_free, certchain_store_builder_len,
    certchain_store_builder_new,
};
pub use options::{
    certchain_options, certchain_options_add_crl, certchain_options_add_eku,
    certchain_options_free, certchain_options_new, certchain_options_set_host,
    certchain_options_set_max_depth, certchain_options_set_profile, certchain_options_set_purpose,
    certchain_options_set_time, CERTCHAIN_PROFILE_RFC5280, CERTCHAIN_PROFILE_WEBPKI,
    CERTCHAIN_PURPOSE_ANY, CERTCHAIN_PURPOSE_CLIENT, CERTCHAIN_PURPOSE_SERVER,
};
pub use result::{
    certchain_result, certchain_result_chain_len, certchain_result_depth, certchain_result_der,
    certchain_result_error_kind, certchain_result_free, certchain_result_is_trust_anchor,
    certchain_result_issuer, certchain_result_message, certchain_result_not_after,
    certchain_result_not_before, certchain_result_sha256, certchain_result_status,
    certchain_result_subject, CERTCHAIN_SHA256_LEN,
};
pub use status::{certchain_error_kind_name, certchain_status};
pub use store::{
    certchain_store, certchain_store_free, certchain_store_from_dir, certchain_store_from_file,
    certchain_store_from_pem, certchain_store_len, certchain_store_mozilla, certchain_store_system,
};
pub use verify::{certchain_verify, certchain_verify_with_options};

use std::ffi::c_char;

/// Major version of the certchain library this header belongs to.
pub const CERTCHAIN_VERSION_MAJOR: u32 = 0;
/// Minor version of the certchain library this header belongs to.
pub const CERTCHAIN_VERSION_MINOR: u32 = 1;
/// Patch version of the certchain library this header belongs to.
pub const CERTCHAIN_VERSION_PATCH: u32 = 0;
/// The version as one number, MAJOR * 10000 + MINOR * 100 + PATCH (0.1.0 is 100), usable in `#if`.
pub const CERTCHAIN_VERSION_NUMBER: u32 =
    CERTCHAIN_VERSION_MAJOR * 10000 + CERTCHAIN_VERSION_MINOR * 100 + CERTCHAIN_VERSION_PATCH;

const VERSION: &std::ffi::CStr = match std::ffi::CStr::from_bytes_with_nul(
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
) {
    Ok(v) => v,
    Err(_) => panic!("the package version contains a NUL byte"),
};

/// The version of the linked library, e.g. "0.1.0" (compare with CERTCHAIN_VERSION_* to detect a
/// header/library mismatch). The string is static: never free it.
#[no_mangle]
pub extern "C" fn certchain_version() -> *const c_char {
    boundary::catch("certchain_version", std::ptr::null(), || VERSION.as_ptr())
}

#[cfg(test)]
mod tests;
