//! The C ABI, called through its `extern "C"` functions exactly as a C program would: a store
//! from fuzzed PEM (directly and through the builder), options (time, host, purpose, profile,
//! EKU, CRL, max depth) from fuzzed values, certchain_verify / certchain_verify_with_options on a
//! fuzzed chain, every result accessor at every depth and one past the end, then every free.
//! Under ASan a leak, an out-of-bounds read of the caller's buffers or a use after free is a
//! crash; a panic caught by the C boundary aborts too (libFuzzer's panic hook).
//!
//! Input: byte 0 = flags, byte 1 = max depth, byte 2 = purpose, byte 3 = profile, then up to
//! four sections separated by `SEP`: chain, store PEM, CRL, host name / EKU. Shorter inputs are
//! padded with zeros (seed-corpus.sh writes seeds in this format).
#![no_main]

use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::sync::OnceLock;

use certchain::ffi::*;
use certchain::Certificate;
use libfuzzer_sys::fuzz_target;

const SEP: &[u8] = b"\n%%certchain-fuzz%%\n";

/// The fixed store's roots: the fixtures' (RSA, ECDSA, RSA-PSS, CRL, cross-signed, pathlen,
/// Let's Encrypt's DST Root CA X3).
const ROOTS: &[&[u8]] = &[
    include_bytes!("../../fixtures/rsa/root.pem"),
    include_bytes!("../../fixtures/ecdsa/root.pem"),
    include_bytes!("../../fixtures/rsa-pss/root.pem"),
    include_bytes!("../../fixtures/crl/root.pem"),
    include_bytes!("../../fixtures/cross-signed/roots.pem"),
    include_bytes!("../../fixtures/pathlen/root.pem"),
    include_bytes!("../../fixtures/letsencrypt-2021/dst-root-ca-x3.pem"),
];

struct Store(*mut certchain_store);
// SAFETY: a certchain_store is an Arc<TrustStore>, documented as usable from many threads.
unsafe impl Send for Store {}
unsafe impl Sync for Store {}

fn fixed_store() -> *const certchain_store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE
        .get_or_init(|| {
            let mut b = ptr::null_mut();
            assert!(ok(certchain_store_builder_new(&mut b)));
            for pem in ROOTS {
                assert!(ok(certchain_store_builder_add_pem(
                    b,
                    pem.as_ptr(),
                    pem.len()
                )));
            }
            let mut s = ptr::null_mut();
            assert!(ok(certchain_store_builder_build(b, &mut s)));
            assert!(certchain_store_len(s) >= ROOTS.len());
            Store(s)
        })
        .0
}

fn ok(status: certchain_status) -> bool {
    if status == certchain_status::CERTCHAIN_OK {
        return true;
    }
    // A failing call says why, and it was never a panic.
    let e = certchain_last_error();
    assert!(!e.is_null());
    // SAFETY: certchain_last_error returns a NUL-terminated string valid until the next call.
    let msg = unsafe { CStr::from_ptr(e) }.to_string_lossy();
    assert!(!msg.is_empty(), "status {status:?} without a message");
    assert!(!msg.contains("internal error (panic"), "{msg}");
    let name = certchain_error_kind_name(status as u32);
    assert!(!name.is_null(), "status {status:?} has no name");
    false
}

/// An exactly sized heap copy, so ASan sees any read past the caller's bytes.
fn exact(bytes: &[u8]) -> Box<[u8]> {
    bytes.to_vec().into_boxed_slice()
}

/// A C string of `bytes` up to the first NUL.
fn c_str(bytes: &[u8]) -> CString {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    CString::new(&bytes[..end]).unwrap()
}

fn check_result(r: *const certchain_result) {
    assert!(!r.is_null());
    let verdict = certchain_result_status(r);
    let kind = certchain_result_error_kind(r);
    assert!(!kind.is_null(), "verdict {verdict} has no kind name");
    let message = certchain_result_message(r);
    assert!(!message.is_null());
    // SAFETY: the result's strings are NUL-terminated and live until the result is freed.
    let message = unsafe { CStr::from_ptr(message) };
    let len = certchain_result_chain_len(r);
    let depth = certchain_result_depth(r);
    if verdict == 0 {
        assert_eq!(unsafe { CStr::from_ptr(kind) }, c"ok");
        assert!(len >= 1, "a verified chain holds at least the leaf");
        assert!(
            certchain_result_is_trust_anchor(r, len - 1),
            "it ends at a trust anchor"
        );
        assert!((0..len - 1).all(|d| !certchain_result_is_trust_anchor(r, d)));
        assert_eq!(depth, -1);
    } else {
        assert!(
            !message.to_bytes().is_empty(),
            "verdict {verdict} without a message"
        );
        assert!(
            depth < 0 || (depth as usize) < len.max(1),
            "depth {depth} of {len}"
        );
    }
    for d in 0..len {
        assert!(!certchain_result_subject(r, d).is_null());
        assert!(!certchain_result_issuer(r, d).is_null());
        let (nb, na) = (
            certchain_result_not_before(r, d),
            certchain_result_not_after(r, d),
        );
        let mut der: *const u8 = ptr::null();
        let mut der_len = 0usize;
        assert!(ok(certchain_result_der(r, d, &mut der, &mut der_len)));
        assert!(!der.is_null() && der_len > 0);
        // SAFETY: certchain_result_der hands out `der_len` bytes owned by the result.
        let bytes = unsafe { std::slice::from_raw_parts(der, der_len) };
        let cert = Certificate::from_der(bytes).expect("a result's DER parses");
        let mut digest = [0u8; CERTCHAIN_SHA256_LEN];
        assert!(ok(certchain_result_sha256(r, d, digest.as_mut_ptr())));
        assert_eq!(&digest, cert.sha256());
        assert_eq!(nb, i64::try_from(cert.not_before()).unwrap_or(-1));
        assert_eq!(na, i64::try_from(cert.not_after()).unwrap_or(-1));
    }
    // One past the end: NULL, -1, false, an error status, never a read out of bounds.
    assert!(certchain_result_subject(r, len).is_null());
    assert!(certchain_result_issuer(r, len).is_null());
    assert_eq!(certchain_result_not_before(r, len), -1);
    assert_eq!(certchain_result_not_after(r, len), -1);
    assert!(!certchain_result_is_trust_anchor(r, len));
    let (mut der, mut der_len) = (ptr::null(), 0usize);
    assert!(!ok(certchain_result_der(r, len, &mut der, &mut der_len)));
    let mut digest = [0u8; CERTCHAIN_SHA256_LEN];
    assert!(!ok(certchain_result_sha256(r, len, digest.as_mut_ptr())));
    assert!(!ok(certchain_result_sha256(r, 0, ptr::null_mut())));
}

fuzz_target!(|data: &[u8]| {
    let mut head = [0u8; 4];
    for (h, b) in head.iter_mut().zip(data) {
        *h = *b;
    }
    let [flags, max_depth, purpose, profile] = head;
    let body = data.get(4..).unwrap_or_default();
    let mut sections: Vec<&[u8]> = Vec::new();
    let mut rest = body;
    while sections.len() < 3 {
        match rest.windows(SEP.len()).position(|w| w == SEP) {
            Some(at) => {
                sections.push(&rest[..at]);
                rest = &rest[at + SEP.len()..];
            }
            None => break,
        }
    }
    sections.push(rest);
    let chain = exact(sections[0]);
    let store_pem = sections.get(1).map(|s| exact(s));
    let crl = sections.get(2).map(|s| exact(s));
    let host = sections.get(3).map(|s| c_str(s));

    // The store: the fixed one, or one built from the input's PEM (alone, or added to the fixed
    // one through the builder).
    let mut own_store: *mut certchain_store = ptr::null_mut();
    if let Some(pem) = &store_pem {
        if flags & 0x01 == 0 {
            if ok(certchain_store_from_pem(
                pem.as_ptr(),
                pem.len(),
                &mut own_store,
            )) {
                assert!(!own_store.is_null());
                let _ = certchain_store_len(own_store);
            }
        } else {
            let mut b = ptr::null_mut();
            assert!(ok(certchain_store_builder_new(&mut b)));
            let _ = ok(certchain_store_builder_add_pem(b, pem.as_ptr(), pem.len()));
            assert!(ok(certchain_store_builder_add_store(b, fixed_store())));
            assert!(certchain_store_builder_len(b) >= certchain_store_len(fixed_store()));
            assert!(ok(certchain_store_builder_build(b, &mut own_store)));
        }
    }
    let store: *const certchain_store = if own_store.is_null() {
        fixed_store()
    } else {
        own_store
    };

    let time: i64 = match flags & 0x06 {
        0x00 => 1_748_736_000,
        0x02 => 1_615_689_507,
        0x04 => 1_767_225_600,        // 2026-01-01
        _ => -(i64::from(max_depth)), // negative: rejected (or 0)
    };

    // certchain_verify: time and host only.
    if flags & 0x08 != 0 {
        let mut r = ptr::null_mut();
        let host_ptr: *const c_char = host.as_ref().map_or(ptr::null(), |h| h.as_ptr());
        if ok(certchain_verify(
            store,
            chain.as_ptr(),
            chain.len(),
            host_ptr,
            time,
            &mut r,
        )) {
            check_result(r);
        } else {
            assert!(r.is_null(), "nothing is written on failure");
        }
        certchain_result_free(r);
    }

    // certchain_verify_with_options.
    let mut opts = ptr::null_mut();
    if ok(certchain_options_new(time, &mut opts)) {
        if flags & 0x10 != 0 {
            let _ = ok(certchain_options_set_time(opts, 1_615_689_507));
        }
        if let Some(h) = &host {
            if flags & 0x20 != 0 {
                let _ = ok(certchain_options_add_eku(opts, h.as_ptr()));
            } else {
                let _ = ok(certchain_options_set_host(opts, h.as_ptr()));
            }
        }
        let _ = ok(certchain_options_set_purpose(opts, u32::from(purpose % 4)));
        let _ = ok(certchain_options_set_profile(opts, u32::from(profile % 3)));
        if flags & 0x40 != 0 {
            let _ = ok(certchain_options_set_max_depth(opts, u32::from(max_depth)));
        }
        if let Some(c) = &crl {
            let _ = ok(certchain_options_add_crl(opts, c.as_ptr(), c.len()));
        }
        let mut r = ptr::null_mut();
        assert!(ok(certchain_verify_with_options(
            store,
            chain.as_ptr(),
            chain.len(),
            opts,
            &mut r
        )));
        check_result(r);
        certchain_result_free(r);
    } else {
        assert!(time < 0 && opts.is_null());
    }

    // NULL arguments are refused with a status, never a crash.
    if flags & 0x80 != 0 {
        let mut r = ptr::null_mut();
        assert!(!ok(certchain_verify(
            ptr::null(),
            chain.as_ptr(),
            chain.len(),
            ptr::null(),
            0,
            &mut r
        )));
        assert!(!ok(certchain_verify(
            store,
            ptr::null(),
            0,
            ptr::null(),
            0,
            &mut r
        )));
        assert!(!ok(certchain_verify(
            store,
            chain.as_ptr(),
            chain.len(),
            ptr::null(),
            0,
            ptr::null_mut()
        )));
        assert!(!ok(certchain_verify_with_options(
            store,
            chain.as_ptr(),
            chain.len(),
            ptr::null(),
            &mut r
        )));
        assert!(r.is_null());
        assert_ne!(certchain_result_status(ptr::null()), 0);
        assert_eq!(certchain_result_chain_len(ptr::null()), 0);
        assert!(!ok(certchain_options_set_host(
            ptr::null_mut(),
            c"example.com".as_ptr()
        )));
        assert!(!ok(certchain_options_add_crl(opts, ptr::null(), 0)));
    }

    certchain_options_free(opts);
    certchain_store_free(own_store);
});
