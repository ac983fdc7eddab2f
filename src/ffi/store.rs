//! `certchain_store`: a trust store shared as an `Arc<TrustStore>`.

use std::ffi::c_char;
use std::path::Path;
use std::sync::Arc;

use super::boundary::{arg_bytes, arg_mut, arg_str, catch, catch_status, null_arg};
use super::status::certchain_status;
use crate::error::Error;
use crate::store::TrustStore;

/// A set of trust anchors (opaque).
///
/// Ownership: a store is reference-counted and read-only once built. The pointer a constructor
/// writes is owned by the caller, who releases it with certchain_store_free exactly once. A store
/// may be used by any number of threads at the same time (certchain_verify only reads it), and
/// certchain_result objects do not refer to it, so it may be freed while results live on.
pub struct certchain_store {
    _private: [u8; 0],
}

/// Hand a store to C: the pointer carries one strong count of the `Arc`.
pub(crate) fn into_raw(store: TrustStore) -> *mut certchain_store {
    // `*mut` only because C declares the out-parameter `certchain_store **`: the store is never
    // mutated through it.
    Arc::into_raw(Arc::new(store)).cast_mut().cast()
}

/// Borrow the store behind a handle.
///
/// # Safety
/// `ptr` is NULL or a live pointer from [`into_raw`] that is not freed during `'a`.
pub(crate) unsafe fn store_ref<'a>(ptr: *const certchain_store) -> Option<&'a TrustStore> {
    // SAFETY: such a pointer came from `Arc::into_raw` of an `Arc<TrustStore>`.
    unsafe { ptr.cast::<TrustStore>().as_ref() }
}

/// A new strong reference to the store behind a handle.
///
/// # Safety
/// As for [`store_ref`].
pub(crate) unsafe fn store_arc(ptr: *const certchain_store) -> Result<Arc<TrustStore>, Error> {
    if ptr.is_null() {
        return Err(null_arg("store"));
    }
    let ptr = ptr.cast::<TrustStore>();
    // SAFETY: `ptr` came from `Arc::into_raw` and the caller's count keeps it alive; we add a
    // count of our own and take it back as an `Arc` (dropped normally, even on unwinding).
    unsafe {
        Arc::increment_strong_count(ptr);
        Ok(Arc::from_raw(ptr))
    }
}

/// Build with `make` and write the handle to `out` on success only.
fn build(
    out: *mut *mut certchain_store,
    make: impl FnOnce() -> Result<TrustStore, Error>,
) -> Result<(), Error> {
    // SAFETY: `out` is NULL or writable, per each export's contract.
    let out = unsafe { arg_mut(out, "out") }?;
    let store = make()?;
    // A broken anchor is CERTCHAIN_MALFORMED now, not a surprise at the first verification.
    store.parse_all()?;
    *out = into_raw(store);
    Ok(())
}

/// Build a trust store from the certificates of a PEM bundle (any number of CERTIFICATE blocks,
/// text between them allowed, other blocks ignored) or of concatenated DER certificates.
///
/// `data` points to `len` bytes, borrowed for the duration of the call only. Input without any
/// certificate (empty, text only, garbage) or with a broken block is CERTCHAIN_MALFORMED; NULL
/// `data` or `out` is CERTCHAIN_INVALID_ARGUMENT. On CERTCHAIN_OK, `*out` receives a new store
/// that the caller frees with certchain_store_free; on failure `*out` is left untouched and
/// certchain_last_error() says why.
#[no_mangle]
pub extern "C" fn certchain_store_from_pem(
    data: *const u8,
    len: usize,
    out: *mut *mut certchain_store,
) -> certchain_status {
    catch_status("certchain_store_from_pem", || {
        // SAFETY: the caller promises `len` readable bytes at `data`.
        let bytes = unsafe { arg_bytes(data, len, "data") }?;
        build(out, || TrustStore::from_pem(bytes, "store"))
    })
}

/// Build a trust store from a PEM or DER file. `path` is a NUL-terminated UTF-8 path, borrowed
/// for the call. An unreadable file is CERTCHAIN_IO; a file without certificates or with a broken
/// block is CERTCHAIN_MALFORMED (the message names the file and line). On CERTCHAIN_OK, `*out`
/// receives a new store that the caller frees with certchain_store_free; on failure `*out` is
/// left untouched and certchain_last_error() says why.
#[no_mangle]
pub extern "C" fn certchain_store_from_file(
    path: *const c_char,
    out: *mut *mut certchain_store,
) -> certchain_status {
    catch_status("certchain_store_from_file", || {
        // SAFETY: the caller promises a NUL-terminated string.
        let path = unsafe { arg_str(path, "path") }?;
        build(out, || TrustStore::from_file(Path::new(path)))
    })
}

/// Build a trust store from an OpenSSL-style directory: the hash-named files (5ed36f99.0) when
/// there are any, otherwise every *.pem, *.crt and *.cer file. Files that cannot be read or
/// parsed are skipped; a directory that cannot be read is CERTCHAIN_IO, one without any usable
/// certificate CERTCHAIN_MALFORMED. `path` is borrowed for the call. On CERTCHAIN_OK, `*out`
/// receives a new store that the caller frees with certchain_store_free; on failure `*out` is
/// left untouched and certchain_last_error() says why.
#[no_mangle]
pub extern "C" fn certchain_store_from_dir(
    path: *const c_char,
    out: *mut *mut certchain_store,
) -> certchain_status {
    catch_status("certchain_store_from_dir", || {
        // SAFETY: the caller promises a NUL-terminated string.
        let path = unsafe { arg_str(path, "path") }?;
        build(out, || TrustStore::from_dir(Path::new(path)))
    })
}

/// Load the system trust store where OpenSSL looks for it: $SSL_CERT_FILE, $SSL_CERT_DIR, then
/// the usual bundle files and directories of Debian/Ubuntu, Fedora/RHEL, openSUSE and Alpine.
/// None found is CERTCHAIN_IO. On CERTCHAIN_OK, `*out` receives a new store that the caller
/// frees with certchain_store_free; on failure `*out` is left untouched.
#[no_mangle]
pub extern "C" fn certchain_store_system(out: *mut *mut certchain_store) -> certchain_status {
    catch_status("certchain_store_system", || build(out, TrustStore::system))
}

/// The Mozilla root set built into the library (a snapshot taken when the library was built).
/// On CERTCHAIN_OK, `*out` receives a new store that the caller frees with
/// certchain_store_free; NULL `out` is CERTCHAIN_INVALID_ARGUMENT.
#[no_mangle]
pub extern "C" fn certchain_store_mozilla(out: *mut *mut certchain_store) -> certchain_status {
    catch_status("certchain_store_mozilla", || {
        build(out, || Ok(TrustStore::mozilla()))
    })
}

/// The number of trust anchors in `store` (duplicates are stored once); 0 for NULL.
///
/// Ownership: `store` is borrowed for the call only; the caller keeps it.
#[no_mangle]
pub extern "C" fn certchain_store_len(store: *const certchain_store) -> usize {
    catch("certchain_store_len", 0, || {
        // SAFETY: the caller promises NULL or a live store.
        unsafe { store_ref(store) }.map_or(0, TrustStore::len)
    })
}

/// Release the caller's reference to `store`, obtained from a certchain_store_* constructor.
/// Call it once per store; NULL is a no-op. The store must not be used afterwards by the
/// caller; a verification running in another thread at that moment keeps its own reference.
#[no_mangle]
pub extern "C" fn certchain_store_free(store: *const certchain_store) {
    catch("certchain_store_free", (), || {
        if !store.is_null() {
            // SAFETY: the pointer came from `into_raw` and carries the count we release here.
            drop(unsafe { Arc::from_raw(store.cast::<TrustStore>()) });
        }
    })
}
