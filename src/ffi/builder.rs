//! `certchain_store_builder`: a trust store under construction, as a boxed [`TrustStore`].
//!
//! A built `certchain_store` is immutable and shared (an `Arc`), so "adding to a store" happens
//! here: collect anchors from any number of sources, then `certchain_store_builder_build` turns
//! the builder into a store.

use std::ffi::c_char;
use std::path::Path;

use super::boundary::{arg_bytes, arg_mut, arg_str, catch, catch_status, invalid, null_arg};
use super::status::certchain_status;
use super::store::{certchain_store, into_raw, store_arc};
use crate::error::Error;
use crate::store::TrustStore;

/// A trust store under construction (opaque): certificates are added from PEM/DER bytes, files,
/// directories, the system store, the embedded Mozilla set or an existing store, then
/// certchain_store_builder_build makes an immutable certchain_store of them.
///
/// Ownership: created by certchain_store_builder_new and owned by the caller until it is passed
/// to certchain_store_builder_build (which always takes it) or certchain_store_builder_free.
/// A builder is not shared: one thread at a time, no concurrent calls on the same builder.
/// Certificates already present are kept once.
pub struct certchain_store_builder {
    store: TrustStore,
}

/// Borrow the builder behind a handle mutably.
///
/// # Safety
/// `ptr` is NULL or a live builder that nothing else uses during `'a`.
unsafe fn builder_mut<'a>(
    ptr: *mut certchain_store_builder,
) -> Result<&'a mut certchain_store_builder, Error> {
    // SAFETY: the caller's promise.
    unsafe { arg_mut(ptr, "builder") }
}

/// Add every anchor of `src` to `builder`, with its trust settings (duplicates are kept once).
/// Every anchor of `src` is parsed first: one that does not parse is an error naming it, and
/// nothing is added.
fn merge(builder: &mut certchain_store_builder, src: &TrustStore) -> Result<(), Error> {
    src.parse_all()?;
    builder.store.merge(src);
    Ok(())
}

/// Create an empty store builder. NULL `out` is CERTCHAIN_INVALID_ARGUMENT. On CERTCHAIN_OK,
/// `*out` receives a new builder, owned by the caller until it is passed to
/// certchain_store_builder_build or certchain_store_builder_free.
#[no_mangle]
pub extern "C" fn certchain_store_builder_new(
    out: *mut *mut certchain_store_builder,
) -> certchain_status {
    catch_status("certchain_store_builder_new", || {
        // SAFETY: the caller promises NULL or a writable pointer.
        let out = unsafe { arg_mut(out, "out") }?;
        *out = Box::into_raw(Box::new(certchain_store_builder {
            store: TrustStore::new(),
        }));
        Ok(())
    })
}

/// Add the certificates of a PEM bundle (any number of CERTIFICATE blocks, text between them
/// allowed, other blocks ignored) or of concatenated DER certificates. `data` points to `len`
/// bytes, borrowed for the call only. Input without any certificate (empty, text only, garbage)
/// or with a broken block is CERTCHAIN_MALFORMED; NULL `builder` or `data` is
/// CERTCHAIN_INVALID_ARGUMENT. On any failure the builder is left as it was: either every
/// certificate of the input is added or none.
#[no_mangle]
pub extern "C" fn certchain_store_builder_add_pem(
    builder: *mut certchain_store_builder,
    data: *const u8,
    len: usize,
) -> certchain_status {
    catch_status("certchain_store_builder_add_pem", || {
        // SAFETY: the caller promises a live builder it does not use elsewhere meanwhile, and
        // `len` readable bytes at `data`.
        let builder = unsafe { builder_mut(builder) }?;
        let bytes = unsafe { arg_bytes(data, len, "data") }?;
        merge(builder, &TrustStore::from_pem(bytes, "data")?)
    })
}

/// Add the certificates of a PEM or DER file. `path` is a NUL-terminated UTF-8 path, borrowed
/// for the call. An unreadable file is CERTCHAIN_IO; a file without certificates or with a broken
/// block is CERTCHAIN_MALFORMED (the message names the file and line). On failure the builder is
/// left as it was.
#[no_mangle]
pub extern "C" fn certchain_store_builder_add_file(
    builder: *mut certchain_store_builder,
    path: *const c_char,
) -> certchain_status {
    catch_status("certchain_store_builder_add_file", || {
        // SAFETY: as for certchain_store_builder_add_pem; `path` is NUL-terminated.
        let builder = unsafe { builder_mut(builder) }?;
        let path = unsafe { arg_str(path, "path") }?;
        merge(builder, &TrustStore::from_file(Path::new(path))?)
    })
}

/// Add the certificates of an OpenSSL-style directory, chosen as by certchain_store_from_dir
/// (unreadable or unparsable files in it are skipped). `path` is borrowed for the call. A
/// directory that cannot be read is CERTCHAIN_IO, one without any usable certificate
/// CERTCHAIN_MALFORMED; on failure the builder is left as it was.
#[no_mangle]
pub extern "C" fn certchain_store_builder_add_dir(
    builder: *mut certchain_store_builder,
    path: *const c_char,
) -> certchain_status {
    catch_status("certchain_store_builder_add_dir", || {
        // SAFETY: as for certchain_store_builder_add_file.
        let builder = unsafe { builder_mut(builder) }?;
        let path = unsafe { arg_str(path, "path") }?;
        merge(builder, &TrustStore::from_dir(Path::new(path))?)
    })
}

/// Add the system trust store, found as by certchain_store_system (`builder` is borrowed for the
/// call). None found is CERTCHAIN_IO, NULL `builder` CERTCHAIN_INVALID_ARGUMENT; on failure the
/// builder is left as it was.
#[no_mangle]
pub extern "C" fn certchain_store_builder_add_system(
    builder: *mut certchain_store_builder,
) -> certchain_status {
    catch_status("certchain_store_builder_add_system", || {
        // SAFETY: the caller promises NULL or a live builder it does not use elsewhere meanwhile.
        let builder = unsafe { builder_mut(builder) }?;
        merge(builder, &TrustStore::system()?)
    })
}

/// Add the Mozilla root set built into the library, as in certchain_store_mozilla (`builder` is
/// borrowed for the call). NULL `builder` is CERTCHAIN_INVALID_ARGUMENT.
#[no_mangle]
pub extern "C" fn certchain_store_builder_add_mozilla(
    builder: *mut certchain_store_builder,
) -> certchain_status {
    catch_status("certchain_store_builder_add_mozilla", || {
        // SAFETY: the caller promises NULL or a live builder it does not use elsewhere meanwhile.
        let builder = unsafe { builder_mut(builder) }?;
        merge(builder, &TrustStore::mozilla())
    })
}

/// Add every trust anchor of an existing `store` (borrowed for the call; it is not changed and
/// stays owned by the caller). This is how to extend a store: add it to a builder, add more,
/// build a new store.
#[no_mangle]
pub extern "C" fn certchain_store_builder_add_store(
    builder: *mut certchain_store_builder,
    store: *const certchain_store,
) -> certchain_status {
    catch_status("certchain_store_builder_add_store", || {
        // SAFETY: the caller promises NULL or live handles.
        let builder = unsafe { builder_mut(builder) }?;
        let store = unsafe { store_arc(store) }?;
        merge(builder, &store)
    })
}

/// The number of distinct certificates added to `builder` so far (borrowed for the call); 0 for
/// NULL.
#[no_mangle]
pub extern "C" fn certchain_store_builder_len(builder: *const certchain_store_builder) -> usize {
    catch("certchain_store_builder_len", 0, || {
        // SAFETY: the caller promises NULL or a live builder.
        unsafe { builder.as_ref() }.map_or(0, |b| b.store.len())
    })
}

/// Turn `builder` into an immutable, shareable store.
///
/// This call takes ownership of `builder` whatever it returns (unless `builder` is NULL): the
/// builder is released and must not be used or freed afterwards. On CERTCHAIN_OK, `*out`
/// receives a new store that the caller frees with certchain_store_free. A builder without any
/// certificate is CERTCHAIN_INVALID_ARGUMENT (an empty store could verify nothing), as are NULL
/// `builder` or `out`; then `*out` is left untouched.
#[no_mangle]
pub extern "C" fn certchain_store_builder_build(
    builder: *mut certchain_store_builder,
    out: *mut *mut certchain_store,
) -> certchain_status {
    catch_status("certchain_store_builder_build", || {
        if builder.is_null() {
            return Err(null_arg("builder"));
        }
        // SAFETY: non-NULL, so it came from `Box::into_raw` in certchain_store_builder_new and
        // the caller hands it over; it is dropped when this closure returns or unwinds.
        let builder = unsafe { Box::from_raw(builder) };
        // SAFETY: the caller promises NULL or a writable pointer.
        let out = unsafe { arg_mut(out, "out") }?;
        if builder.store.is_empty() {
            return Err(invalid(
                "the builder holds no certificate; add trust anchors before building",
            ));
        }
        *out = into_raw(builder.store);
        Ok(())
    })
}

/// Release a builder that was not passed to certchain_store_builder_build. NULL is a no-op.
#[no_mangle]
pub extern "C" fn certchain_store_builder_free(builder: *mut certchain_store_builder) {
    catch("certchain_store_builder_free", (), || {
        if !builder.is_null() {
            // SAFETY: the pointer came from `Box::into_raw` in certchain_store_builder_new.
            drop(unsafe { Box::from_raw(builder) });
        }
    })
}
