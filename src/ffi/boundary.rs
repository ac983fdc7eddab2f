//! The panic boundary every export runs in, the per-thread last-error message, and the checked
//! conversions of C arguments.

use std::any::Any;
use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::status::certchain_status;
use crate::error::{Error, ErrorKind};

/// What a status-returning export answers when its body panicked. There is no "internal error"
/// kind among the stable codes; the message (see `certchain_last_error`) says it was a panic.
pub(crate) const PANIC_STATUS: certchain_status = certchain_status::CERTCHAIN_INVALID_ARGUMENT;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Run an export's body. A panic is caught here, recorded as the thread's last error and turned
/// into `on_panic`. This is the only `catch_unwind` of the C ABI; every export starts with it
/// (directly or through [`catch_status`]), which a unit test checks.
pub(crate) fn catch<T>(function: &'static str, on_panic: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            set_last_error(&format!(
                "{function}: internal error (panic: {}); please report this as a bug",
                panic_message(payload.as_ref())
            ));
            on_panic
        }
    }
}

/// [`catch`] for the exports that return a status: `Ok` is `CERTCHAIN_OK`; an error becomes its
/// kind's code and is recorded (prefixed with the function name) as the thread's last error.
pub(crate) fn catch_status(
    function: &'static str,
    body: impl FnOnce() -> Result<(), Error>,
) -> certchain_status {
    catch(function, PANIC_STATUS, || match body() {
        Ok(()) => certchain_status::CERTCHAIN_OK,
        Err(e) => {
            set_last_error(&format!("{function}: {e}"));
            certchain_status::from_kind(e.kind())
        }
    })
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "no message"
    }
}

fn set_last_error(message: &str) {
    let message = c_string(message);
    // `try_with`: during thread teardown the slot may be gone; the message is then dropped.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = message;
        }
    });
}

/// The message of the most recent call on the calling thread that returned an error status
/// (other than CERTCHAIN_OK), prefixed with the function's name, e.g.
/// "certchain_store_from_file: io: roots.pem: No such file or directory (os error 2)"; "" if no
/// call on this thread has failed yet. Verification verdicts are not call failures: they are in
/// the certchain_result.
///
/// The string belongs to the library and to the calling thread. It stays valid until the next
/// failing certchain_* call on the same thread; copy it to keep it longer. Never NULL.
#[no_mangle]
pub extern "C" fn certchain_last_error() -> *const c_char {
    catch("certchain_last_error", c"".as_ptr(), || {
        LAST_ERROR
            .try_with(|slot| {
                slot.try_borrow()
                    .map(|s| s.as_ptr())
                    .unwrap_or(c"".as_ptr())
            })
            .unwrap_or(c"".as_ptr())
    })
}

/// A C string from Rust text; NUL bytes, which C cannot represent, become U+FFFD.
pub(crate) fn c_string(s: &str) -> CString {
    CString::new(s).unwrap_or_else(|_| {
        let replaced = s.replace('\0', "\u{FFFD}");
        CString::new(replaced).unwrap_or_default()
    })
}

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, message)
}

pub(crate) fn null_arg(name: &str) -> Error {
    invalid(format!("{name} is NULL"))
}

/// Borrow `*ptr`, or fail if it is NULL.
///
/// # Safety
/// `ptr` is NULL or points to a valid `T` that is not mutated during `'a`.
pub(crate) unsafe fn arg_ref<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, Error> {
    // SAFETY: the caller's promise.
    unsafe { ptr.as_ref() }.ok_or_else(|| null_arg(name))
}

/// Borrow `*ptr` mutably, or fail if it is NULL.
///
/// # Safety
/// `ptr` is NULL or points to a valid `T` that nothing else accesses during `'a`.
pub(crate) unsafe fn arg_mut<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T, Error> {
    // SAFETY: the caller's promise.
    unsafe { ptr.as_mut() }.ok_or_else(|| null_arg(name))
}

/// The `len` bytes at `data`, or fail if `data` is NULL (even when `len` is 0).
///
/// # Safety
/// `data` is NULL or points to `len` readable bytes that are not mutated during `'a`.
pub(crate) unsafe fn arg_bytes<'a>(
    data: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8], Error> {
    if data.is_null() {
        return Err(null_arg(name));
    }
    if isize::try_from(len).is_err() {
        return Err(invalid(format!("{name}: length {len} is too large")));
    }
    // SAFETY: non-NULL, at most isize::MAX bytes, readable per the caller's promise.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// The NUL-terminated UTF-8 string at `ptr`, or fail if it is NULL or not UTF-8.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that is not mutated during `'a`.
pub(crate) unsafe fn arg_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(null_arg(name));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's promise.
    let s = unsafe { CStr::from_ptr(ptr) };
    s.to_str()
        .map_err(|e| invalid(format!("{name} is not valid UTF-8 ({e})")))
}

/// A verification time from C: seconds since the Unix epoch, not negative.
pub(crate) fn arg_time(unix_time: i64, name: &str) -> Result<u64, Error> {
    u64::try_from(unix_time).map_err(|_| {
        invalid(format!(
            "{name} is negative ({unix_time}); give seconds since 1970-01-01T00:00:00Z"
        ))
    })
}
