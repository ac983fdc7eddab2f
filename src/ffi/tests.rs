//! Unit tests of the C ABI: the status constants against `ErrorKind`, the version macros, the
//! panic boundary of every export, the committed header, and the exports called from Rust.

use std::collections::BTreeMap;
use std::ffi::{c_char, CStr};
use std::ptr;

use super::boundary::{catch, catch_status};
use super::*;
use crate::error::{Error, ErrorKind};

/// The exports' sources, for the checks that read them.
const SOURCES: &[(&str, &str)] = &[
    ("mod.rs", include_str!("mod.rs")),
    ("boundary.rs", include_str!("boundary.rs")),
    ("builder.rs", include_str!("builder.rs")),
    ("options.rs", include_str!("options.rs")),
    ("result.rs", include_str!("result.rs")),
    ("status.rs", include_str!("status.rs")),
    ("store.rs", include_str!("store.rs")),
    ("verify.rs", include_str!("verify.rs")),
];

fn header() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/include/certchain.h");
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e} (generate it with cbindgen)"))
}

fn fixture(rel: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn text(p: *const c_char) -> String {
    assert!(!p.is_null());
    // SAFETY: the library hands out NUL-terminated strings.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
}

fn last_error() -> String {
    text(certchain_last_error())
}

/// `(name, value)` of every `NAME = VALUE,` line of the `certchain_status` enum in the header.
fn header_status_constants(h: &str) -> BTreeMap<String, u32> {
    let start = h
        .find("enum certchain_status")
        .expect("the header declares enum certchain_status");
    let body = &h[start..];
    let body = &body[..body.find("};").expect("end of the enum")];
    body.lines()
        .filter_map(|l| {
            let (name, value) = l.trim().trim_end_matches(',').split_once(" = ")?;
            Some((name.to_owned(), value.parse().expect("a decimal value")))
        })
        .collect()
}

#[test]
fn every_error_kind_has_its_status_and_back() {
    for &kind in ErrorKind::ALL {
        let status = certchain_status::from_kind(kind);
        assert_eq!(status as u32, kind.code(), "{kind:?}");
        assert_eq!(status.kind(), Some(kind));
    }
    assert_eq!(certchain_status::CERTCHAIN_OK as u32, 0);
    assert_eq!(certchain_status::CERTCHAIN_OK.kind(), None);
    assert_eq!(certchain_status::CERTCHAIN_EXPIRED as u32, 300);
    assert_eq!(certchain_status::CERTCHAIN_MALFORMED as u32, 100);
    assert_eq!(certchain_status::CERTCHAIN_INVALID_ARGUMENT as u32, 101);
    assert_eq!(certchain_status::CERTCHAIN_IO as u32, 102);
}

#[test]
fn header_status_constants_are_exactly_ok_and_the_error_kinds() {
    let constants = header_status_constants(&header());
    let mut expected: BTreeMap<String, u32> = ErrorKind::ALL
        .iter()
        .map(|k| {
            (
                format!("CERTCHAIN_{}", k.as_str().to_ascii_uppercase()),
                k.code(),
            )
        })
        .collect();
    expected.insert("CERTCHAIN_OK".into(), 0);
    assert_eq!(
        constants, expected,
        "the header's certchain_status vs 0 + ErrorKind::ALL"
    );
    for (name, code) in &constants {
        let kind_name = text(certchain_error_kind_name(*code));
        assert_eq!(
            format!("CERTCHAIN_{}", kind_name.to_ascii_uppercase()),
            *name
        );
        if *code != 0 {
            let kind = ErrorKind::from_code(*code).expect("a kind");
            assert_eq!(certchain_status::from_kind(kind).kind(), Some(kind));
        }
    }
}

#[test]
fn error_kind_names() {
    assert_eq!(text(certchain_error_kind_name(0)), "ok");
    assert_eq!(text(certchain_error_kind_name(300)), "expired");
    assert_eq!(text(certchain_error_kind_name(600)), "hostname_mismatch");
    for code in [1, 99, 103, 299, 9999, u32::MAX] {
        assert!(certchain_error_kind_name(code).is_null(), "{code}");
    }
    for &k in ErrorKind::ALL {
        assert_eq!(text(certchain_error_kind_name(k.code())), k.as_str());
    }
}

#[test]
fn version_matches_cargo_toml() {
    assert_eq!(text(certchain_version()), env!("CARGO_PKG_VERSION"));
    let major: u32 = env!("CARGO_PKG_VERSION_MAJOR").parse().unwrap();
    let minor: u32 = env!("CARGO_PKG_VERSION_MINOR").parse().unwrap();
    let patch: u32 = env!("CARGO_PKG_VERSION_PATCH").parse().unwrap();
    assert!(
        minor < 100 && patch < 100,
        "CERTCHAIN_VERSION_NUMBER needs MINOR and PATCH below 100"
    );
    assert_eq!(
        (
            CERTCHAIN_VERSION_MAJOR,
            CERTCHAIN_VERSION_MINOR,
            CERTCHAIN_VERSION_PATCH
        ),
        (major, minor, patch),
        "update the CERTCHAIN_VERSION_* constants in src/ffi/mod.rs and regenerate the header"
    );
    assert_eq!(
        CERTCHAIN_VERSION_NUMBER,
        major * 10000 + minor * 100 + patch
    );
    let h = header();
    for (name, value) in [("MAJOR", major), ("MINOR", minor), ("PATCH", patch)] {
        let line = format!("#define CERTCHAIN_VERSION_{name} {value}\n");
        assert!(
            h.contains(&line),
            "the header lacks {line:?}: regenerate it"
        );
    }
    assert!(
        h.contains("#define CERTCHAIN_VERSION_NUMBER "),
        "the header lacks CERTCHAIN_VERSION_NUMBER"
    );
}

/// The exported functions of `src`: `(name, body after the opening brace)`.
fn exports_of(file: &str, src: &'static str) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for chunk in src.split("#[no_mangle]").skip(1) {
        let sig = chunk.trim_start();
        let rest = sig.strip_prefix("pub extern \"C\" fn ").unwrap_or_else(|| {
            panic!("{file}: #[no_mangle] not on a `pub extern \"C\" fn`: {sig:.60}")
        });
        let name = rest.split('(').next().unwrap().trim().to_owned();
        let body = &rest[rest.find('{').expect("a body") + 1..];
        out.push((name, body));
    }
    out
}

/// The exported functions of the sources: `(file, name, body after the opening brace)`.
fn exports() -> Vec<(&'static str, String, &'static str)> {
    SOURCES
        .iter()
        .flat_map(|(file, src)| {
            exports_of(file, src)
                .into_iter()
                .map(move |(name, body)| (*file, name, body))
        })
        .collect()
}

/// What is wrong with the panic boundary of the exports of `src`: each export must start its
/// body with `catch("NAME", ...)` or `catch_status("NAME", ...)`, and only boundary.rs may call
/// `catch_unwind`.
fn boundary_violations(file: &str, src: &'static str) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, body) in exports_of(file, src) {
        if !name.starts_with("certchain_") {
            problems.push(format!("{file}: {name} lacks the certchain_ prefix"));
        }
        // The body without comment lines and white space, so rustfmt's line breaks don't matter.
        let first: String = body
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("//"))
            .collect::<String>()
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(80)
            .collect();
        let ok = [
            format!("catch(\"{name}\","),
            format!("catch_status(\"{name}\","),
            format!("boundary::catch(\"{name}\","),
        ]
        .iter()
        .any(|p| first.starts_with(p.as_str()));
        if !ok {
            problems.push(format!(
                "{file}: {name} must start with catch(\"{name}\", ...) or catch_status; starts \
                 with {first:?}"
            ));
        }
    }
    let n = src.matches("catch_unwind(").count();
    if n != usize::from(file == "boundary.rs") {
        problems.push(format!("{file}: catch_unwind outside the boundary"));
    }
    problems
}

#[test]
fn every_export_runs_inside_the_panic_boundary() {
    let exports = exports();
    assert!(exports.len() >= 44, "found only {} exports", exports.len());
    let problems: Vec<String> = SOURCES
        .iter()
        .flat_map(|(file, src)| boundary_violations(file, src))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The check above catches an export without the boundary, one that names another function,
/// a stray catch_unwind, and a missing prefix.
#[test]
fn the_boundary_check_catches_what_it_should() {
    const BAD: &str = r#"
#[no_mangle]
pub extern "C" fn certchain_naked(x: *const u8) -> u32 {
    // a comment
    unsafe { *x as u32 }
}

#[no_mangle]
pub extern "C" fn certchain_wrong_name() -> u32 {
    catch("certchain_other", 0, || 1)
}

#[no_mangle]
pub extern "C" fn unprefixed() {
    catch("unprefixed", (), || ())
}

#[no_mangle]
pub extern "C" fn certchain_good() -> u32 {
    catch_status("certchain_good", || Ok(()))
}
fn f() { let _ = std::panic::catch_unwind(|| ()); }
"#;
    let problems = boundary_violations("bad.rs", BAD);
    let joined = problems.join("\n");
    assert_eq!(problems.len(), 4, "{joined}");
    assert!(
        joined.contains("certchain_naked must start with"),
        "{joined}"
    );
    assert!(
        joined.contains("certchain_wrong_name must start with"),
        "{joined}"
    );
    assert!(
        joined.contains("unprefixed lacks the certchain_ prefix"),
        "{joined}"
    );
    assert!(
        joined.contains("catch_unwind outside the boundary"),
        "{joined}"
    );
    assert!(!joined.contains("certchain_good"), "{joined}");
}

/// Every source file of the C ABI is read by the checks above (a new file must be added to
/// SOURCES, or its exports would escape them).
#[test]
fn every_ffi_source_is_checked() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/ffi");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rs") && n != "tests.rs")
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = SOURCES.iter().map(|(f, _)| (*f).to_owned()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "src/ffi/*.rs vs SOURCES in src/ffi/tests.rs"
    );
}

#[test]
fn header_declares_exactly_the_exports_and_only_prefixed_names() {
    let h = header();
    let exports: Vec<String> = exports().into_iter().map(|(_, n, _)| n).collect();
    for name in &exports {
        assert!(
            h.contains(&format!("{name}(")),
            "the header lacks {name}: regenerate it"
        );
    }
    let mut declared = Vec::new();
    for line in h.lines() {
        if let Some(rest) = line.strip_prefix("#define ") {
            let name = rest.split_whitespace().next().unwrap_or_default();
            assert!(name.starts_with("CERTCHAIN_"), "unprefixed macro {name}");
        }
        if let Some(rest) = line.strip_prefix("typedef ") {
            let name = rest
                .trim_end_matches(';')
                .split_whitespace()
                .last()
                .unwrap_or_default();
            assert!(name.starts_with("certchain_"), "unprefixed typedef {line}");
        }
        if !line.starts_with(' ')
            && !line.starts_with('#')
            && !line.starts_with('/')
            && line.contains('(')
        {
            let before = &line[..line.find('(').unwrap()];
            let name = before.split([' ', '*']).next_back().unwrap_or_default();
            assert!(
                name.starts_with("certchain_"),
                "unprefixed function in {line:?}"
            );
            declared.push(name.to_owned());
        }
    }
    let mut a = declared.clone();
    a.sort();
    let mut b = exports.clone();
    b.sort();
    assert_eq!(a, b, "functions in the header vs #[no_mangle] exports");
}

#[test]
fn panics_become_the_fallback_and_a_message() {
    assert_eq!(catch("certchain_test", 7, || -> i32 { panic!("boom") }), 7);
    let e = last_error();
    assert!(
        e.starts_with("certchain_test: internal error (panic: boom)"),
        "{e}"
    );
    let s = catch_status("certchain_test2", || -> Result<(), Error> {
        panic!("bang")
    });
    assert_eq!(s, certchain_status::CERTCHAIN_INVALID_ARGUMENT);
    assert!(last_error().contains("panic: bang"));
    let s = catch_status("certchain_test3", || {
        Err(Error::new(ErrorKind::Io, "x: gone"))
    });
    assert_eq!(s, certchain_status::CERTCHAIN_IO);
    assert_eq!(last_error(), "certchain_test3: io: x: gone");
}

#[test]
fn interior_nul_is_replaced() {
    assert_eq!(
        super::boundary::c_string("a\0b").to_str().unwrap(),
        "a\u{FFFD}b"
    );
}

/// The rsa/ root with its basicConstraints value broken inside well-formed TLVs: the store's
/// index accepts it, a full parse does not.
fn deeply_broken_root() -> Vec<u8> {
    let bundle = crate::Bundle::parse(&fixture("rsa/root.pem"), "root").unwrap();
    let mut der = bundle.certificates[0].der().to_vec();
    let needle = [0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff];
    let at = der.windows(7).position(|w| w == needle).unwrap();
    der[at + 4] = 0x04;
    pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &der)
        .unwrap()
        .into_bytes()
}

#[test]
fn an_anchor_that_does_not_parse_is_malformed_when_the_store_is_built() {
    let broken = deeply_broken_root();
    let sentinel = ptr::dangling_mut::<certchain_store>();
    let mut out = sentinel;
    let s = certchain_store_from_pem(broken.as_ptr(), broken.len(), &mut out);
    assert_eq!(s, certchain_status::CERTCHAIN_MALFORMED);
    assert_eq!(out, sentinel);
    assert!(
        last_error().starts_with(
            "certchain_store_from_pem: malformed: store: line 1: certificate 1 (block 1): extension id-ce-basicConstraints"
        ),
        "{}",
        last_error()
    );
    let mut b = ptr::null_mut::<certchain_store_builder>();
    assert_eq!(
        certchain_store_builder_new(&mut b),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(
        certchain_store_builder_add_pem(b, broken.as_ptr(), broken.len()),
        certchain_status::CERTCHAIN_MALFORMED
    );
    assert_eq!(certchain_store_builder_len(b), 0);
    certchain_store_builder_free(b);
}

fn store_from(bytes: &[u8]) -> (certchain_status, *mut certchain_store) {
    let mut out: *mut certchain_store = ptr::null_mut();
    let s = certchain_store_from_pem(bytes.as_ptr(), bytes.len(), &mut out);
    (s, out)
}

#[test]
fn stores() {
    let (s, store) = store_from(&fixture("letsencrypt-2021/dst-root-ca-x3.pem"));
    assert_eq!(s, certchain_status::CERTCHAIN_OK);
    assert_eq!(certchain_store_len(store), 1);
    certchain_store_free(store);

    let sentinel = ptr::dangling_mut::<certchain_store>();
    for bad in [&b""[..], b"garbage\n", b"\x30\x82\x01", b"\x00\xff\xfe"] {
        let mut out = sentinel;
        let s = certchain_store_from_pem(bad.as_ptr(), bad.len(), &mut out);
        assert_eq!(s, certchain_status::CERTCHAIN_MALFORMED, "{bad:?}");
        assert_eq!(out, sentinel, "nothing written on failure");
        assert!(
            last_error().starts_with("certchain_store_from_pem: malformed: store"),
            "{}",
            last_error()
        );
    }
    let mut out = sentinel;
    assert_eq!(
        certchain_store_from_pem(ptr::null(), 0, &mut out),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );
    assert_eq!(out, sentinel);
    assert_eq!(
        last_error(),
        "certchain_store_from_pem: invalid_argument: data is NULL"
    );
    assert_eq!(
        certchain_store_from_pem(b"x".as_ptr(), 1, ptr::null_mut()),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );

    let missing = c"/nonexistent/certchain/roots.pem";
    assert_eq!(
        certchain_store_from_file(missing.as_ptr(), &mut out),
        certchain_status::CERTCHAIN_IO
    );
    assert_eq!(
        certchain_store_from_dir(missing.as_ptr(), &mut out),
        certchain_status::CERTCHAIN_IO
    );
    assert_eq!(
        certchain_store_from_file(ptr::null(), &mut out),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );
    let not_utf8 = c"/tmp/\xff.pem";
    assert_eq!(
        certchain_store_from_file(not_utf8.as_ptr(), &mut out),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );
    assert!(last_error().contains("not valid UTF-8"));
    assert_eq!(out, sentinel);

    let mut moz: *mut certchain_store = ptr::null_mut();
    assert_eq!(
        certchain_store_mozilla(&mut moz),
        certchain_status::CERTCHAIN_OK
    );
    assert!(certchain_store_len(moz) > 100);
    certchain_store_free(moz);
    assert_eq!(
        certchain_store_mozilla(ptr::null_mut()),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );

    assert_eq!(certchain_store_len(ptr::null()), 0);
    certchain_store_free(ptr::null());
}

fn le_store() -> *mut certchain_store {
    let (s, store) = store_from(&fixture("letsencrypt-2021/dst-root-ca-x3.pem"));
    assert_eq!(s, certchain_status::CERTCHAIN_OK);
    store
}

fn verify(
    store: *const certchain_store,
    chain: &[u8],
    host: Option<&CStr>,
    time: i64,
) -> *mut certchain_result {
    let mut out: *mut certchain_result = ptr::null_mut();
    let host = host.map_or(ptr::null(), CStr::as_ptr);
    let s = certchain_verify(store, chain.as_ptr(), chain.len(), host, time, &mut out);
    assert_eq!(s, certchain_status::CERTCHAIN_OK, "{}", last_error());
    assert!(!out.is_null());
    out
}

#[test]
fn verify_letsencrypt_2021() {
    let store = le_store();
    let chain = fixture("letsencrypt-2021/cert.pem");
    let r = verify(store, &chain, Some(c"justcc.mengkang.net"), 1_615_689_507);
    certchain_store_free(store); // the result does not need the store
    assert_eq!(certchain_result_status(r), 0);
    assert_eq!(text(certchain_result_error_kind(r)), "ok");
    assert_eq!(text(certchain_result_message(r)), "");
    assert_eq!(certchain_result_depth(r), -1);
    assert_eq!(certchain_result_chain_len(r), 3);
    assert_eq!(
        text(certchain_result_subject(r, 0)),
        "CN=justcc.mengkang.net"
    );
    assert_eq!(
        text(certchain_result_issuer(r, 0)),
        "CN=R3,O=Let's Encrypt,C=US"
    );
    assert_eq!(
        text(certchain_result_subject(r, 2)),
        "CN=DST Root CA X3,O=Digital Signature Trust Co."
    );
    assert!(certchain_result_subject(r, 3).is_null());
    assert!(certchain_result_issuer(r, usize::MAX).is_null());
    assert!(!certchain_result_is_trust_anchor(r, 0));
    assert!(certchain_result_is_trust_anchor(r, 2));
    assert!(!certchain_result_is_trust_anchor(r, 3));
    assert_eq!(certchain_result_not_before(r, 0), 1_615_166_814); // 2021-03-08T01:26:54Z
    assert_eq!(certchain_result_not_after(r, 0), 1_622_942_814); // 2021-06-06T01:26:54Z
    assert_eq!(certchain_result_not_after(r, 3), -1);

    let mut der: *const u8 = ptr::null();
    let mut len = 0usize;
    assert_eq!(
        certchain_result_der(r, 0, &mut der, &mut len),
        certchain_status::CERTCHAIN_OK
    );
    // SAFETY: the result owns `len` bytes at `der` until freed.
    let der_bytes = unsafe { std::slice::from_raw_parts(der, len) }.to_vec();
    let leaf = crate::Bundle::parse(&fixture("letsencrypt-2021/leaf.pem"), "leaf").unwrap();
    assert_eq!(der_bytes, leaf.certificates[0].der());
    let (mut der2, mut len2) = (ptr::null::<u8>(), 7usize);
    assert_eq!(
        certchain_result_der(r, 3, &mut der2, &mut len2),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );
    assert_eq!((der2, len2), (ptr::null(), 7));
    assert_eq!(
        certchain_result_der(r, 0, ptr::null_mut(), &mut len2),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );

    let mut digest = [0u8; CERTCHAIN_SHA256_LEN];
    assert_eq!(
        certchain_result_sha256(r, 0, digest.as_mut_ptr()),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(&digest, leaf.certificates[0].sha256());
    let mut untouched = [9u8; 32];
    assert_eq!(
        certchain_result_sha256(r, 5, untouched.as_mut_ptr()),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );
    assert_eq!(untouched, [9u8; 32]);
    assert_eq!(
        certchain_result_sha256(r, 0, ptr::null_mut()),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );
    certchain_result_free(r);
}

#[test]
fn verdicts_are_in_the_result() {
    let store = le_store();
    let chain = fixture("letsencrypt-2021/cert.pem");

    let r = verify(store, &chain, Some(c"justcc.mengkang.net"), 1_764_547_200);
    assert_eq!(certchain_result_status(r), ErrorKind::Expired.code());
    assert_eq!(text(certchain_result_error_kind(r)), "expired");
    assert!(
        text(certchain_result_message(r)).starts_with("expired at depth "),
        "{}",
        text(certchain_result_message(r))
    );
    assert!(certchain_result_depth(r) >= 0);
    assert_eq!(certchain_result_chain_len(r), 3);
    certchain_result_free(r);

    let r = verify(store, &chain, Some(c"wrong.example.com"), 1_615_689_507);
    assert_eq!(
        certchain_result_status(r),
        ErrorKind::HostnameMismatch.code()
    );
    assert_eq!(text(certchain_result_error_kind(r)), "hostname_mismatch");
    assert_eq!(certchain_result_depth(r), 0);
    certchain_result_free(r);

    // No host: no host check.
    let r = verify(store, &chain, None, 1_615_689_507);
    assert_eq!(certchain_result_status(r), 0);
    certchain_result_free(r);

    for (bytes, needle) in [
        (&b""[..], "malformed: chain: no certificate found"),
        (b"garbage\n", "malformed: chain: no certificate found"),
        (
            b"\x30\x82\x05\x00\x01\x02",
            "malformed: chain: DER certificate 1",
        ),
    ] {
        let r = verify(store, bytes, None, 1_615_689_507);
        assert_eq!(certchain_result_status(r), ErrorKind::Malformed.code());
        let m = text(certchain_result_message(r));
        assert!(m.starts_with(needle), "{m}");
        assert_eq!(certchain_result_depth(r), -1);
        assert_eq!(certchain_result_chain_len(r), 0);
        assert!(certchain_result_subject(r, 0).is_null());
        certchain_result_free(r);
    }
    let r = verify(
        store,
        &fixture("bad-pem/truncated.pem"),
        None,
        1_615_689_507,
    );
    assert_eq!(certchain_result_status(r), ErrorKind::Malformed.code());
    assert!(
        text(certchain_result_message(r)).contains("chain: line 1:"),
        "{}",
        text(certchain_result_message(r))
    );
    certchain_result_free(r);

    certchain_store_free(store);
}

#[test]
fn verify_rejects_bad_arguments_without_writing() {
    let store = le_store();
    let chain = fixture("letsencrypt-2021/cert.pem");
    let sentinel = ptr::dangling_mut::<certchain_result>();
    let (c, n) = (chain.as_ptr(), chain.len());
    type Call<'a> = Box<dyn Fn(*mut *mut certchain_result) -> certchain_status + 'a>;
    let cases: [(&str, Call); 6] = [
        (
            "store is NULL",
            Box::new(|o| certchain_verify(ptr::null(), c, n, ptr::null(), 0, o)),
        ),
        (
            "chain is NULL",
            Box::new(|o| certchain_verify(store, ptr::null(), 0, ptr::null(), 0, o)),
        ),
        (
            "unix_time is negative",
            Box::new(|o| certchain_verify(store, c, n, ptr::null(), -1, o)),
        ),
        (
            "not a valid DNS name",
            Box::new(|o| certchain_verify(store, c, n, c"bad host".as_ptr(), 0, o)),
        ),
        (
            "not a valid DNS name",
            Box::new(|o| certchain_verify(store, c, n, c"".as_ptr(), 0, o)),
        ),
        (
            "not valid UTF-8",
            Box::new(|o| certchain_verify(store, c, n, c"\xc3".as_ptr(), 0, o)),
        ),
    ];
    for (needle, call) in &cases {
        let mut out = sentinel;
        assert_eq!(
            call(&mut out),
            certchain_status::CERTCHAIN_INVALID_ARGUMENT,
            "{needle}"
        );
        assert_eq!(out, sentinel, "{needle}");
        assert!(
            last_error().starts_with("certchain_verify: invalid_argument: "),
            "{}",
            last_error()
        );
        assert!(last_error().contains(needle), "{needle}: {}", last_error());
    }
    assert_eq!(
        certchain_verify(store, c, n, ptr::null(), 0, ptr::null_mut()),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );
    certchain_store_free(store);
}

#[test]
fn options() {
    let sentinel = ptr::dangling_mut::<certchain_options>();
    let mut o = sentinel;
    assert_eq!(
        certchain_options_new(-5, &mut o),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );
    assert_eq!(o, sentinel);
    assert_eq!(
        certchain_options_new(0, ptr::null_mut()),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );
    assert_eq!(
        certchain_options_new(1_615_689_507, &mut o),
        certchain_status::CERTCHAIN_OK
    );
    let bad = certchain_status::CERTCHAIN_INVALID_ARGUMENT;
    assert_eq!(certchain_options_set_host(o, c"not a host".as_ptr()), bad);
    assert_eq!(certchain_options_set_host(o, ptr::null()), bad);
    assert_eq!(
        certchain_options_set_host(ptr::null_mut(), c"a.example".as_ptr()),
        bad
    );
    assert_eq!(certchain_options_set_purpose(o, 3), bad);
    assert_eq!(certchain_options_set_purpose(ptr::null_mut(), 0), bad);
    assert_eq!(certchain_options_set_max_depth(ptr::null_mut(), 0), bad);

    let store = le_store();
    let chain = fixture("letsencrypt-2021/cert.pem");
    let run = |o: *const certchain_options| {
        let mut r: *mut certchain_result = ptr::null_mut();
        assert_eq!(
            certchain_verify_with_options(store, chain.as_ptr(), chain.len(), o, &mut r),
            certchain_status::CERTCHAIN_OK
        );
        let status = certchain_result_status(r);
        certchain_result_free(r);
        status
    };
    assert_eq!(
        certchain_options_set_host(o, c"JustCC.mengkang.net.".as_ptr()),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(run(o), 0);
    // This leaf allows serverAuth and clientAuth (see `purposes` for a server-only one).
    assert_eq!(
        certchain_options_set_purpose(o, CERTCHAIN_PURPOSE_CLIENT),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(run(o), 0);
    assert_eq!(
        certchain_options_set_max_depth(o, 0),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(run(o), ErrorKind::ChainTooLong.code());
    assert_eq!(
        certchain_options_set_max_depth(o, 1),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(
        certchain_options_set_host(o, c"wrong.example.com".as_ptr()),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(run(o), ErrorKind::HostnameMismatch.code());

    let mut r = ptr::null_mut::<certchain_result>();
    assert_eq!(
        certchain_verify_with_options(store, chain.as_ptr(), chain.len(), ptr::null(), &mut r),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );
    assert!(r.is_null());
    certchain_options_free(o);
    certchain_options_free(ptr::null_mut());
    certchain_store_free(store);
}

#[test]
fn purposes() {
    // The rsa set's leaf allows serverAuth only.
    let (s, store) = store_from(&fixture("rsa/root.pem"));
    assert_eq!(s, certchain_status::CERTCHAIN_OK);
    let chain = fixture("rsa/chain.pem");
    let mut o = ptr::null_mut::<certchain_options>();
    assert_eq!(
        certchain_options_new(1_748_736_000, &mut o),
        certchain_status::CERTCHAIN_OK
    );
    let run = |purpose: u32| {
        assert_eq!(
            certchain_options_set_purpose(o, purpose),
            certchain_status::CERTCHAIN_OK
        );
        let mut r: *mut certchain_result = ptr::null_mut();
        assert_eq!(
            certchain_verify_with_options(store, chain.as_ptr(), chain.len(), o, &mut r),
            certchain_status::CERTCHAIN_OK
        );
        let status = certchain_result_status(r);
        certchain_result_free(r);
        status
    };
    assert_eq!(run(CERTCHAIN_PURPOSE_SERVER), 0);
    assert_eq!(
        run(CERTCHAIN_PURPOSE_CLIENT),
        ErrorKind::ExtendedKeyUsage.code()
    );
    assert_eq!(run(CERTCHAIN_PURPOSE_ANY), 0);
    certchain_options_free(o);
    certchain_store_free(store);
}

#[test]
fn null_results_are_safe() {
    let r: *const certchain_result = ptr::null();
    assert_eq!(
        certchain_result_status(r),
        ErrorKind::InvalidArgument.code()
    );
    assert!(certchain_result_error_kind(r).is_null());
    assert_eq!(certchain_result_depth(r), -1);
    assert!(certchain_result_message(r).is_null());
    assert_eq!(certchain_result_chain_len(r), 0);
    assert!(certchain_result_subject(r, 0).is_null());
    assert!(certchain_result_issuer(r, 0).is_null());
    assert_eq!(certchain_result_not_before(r, 0), -1);
    assert_eq!(certchain_result_not_after(r, 0), -1);
    assert!(!certchain_result_is_trust_anchor(r, 0));
    let (mut d, mut l) = (ptr::null::<u8>(), 0usize);
    assert_eq!(
        certchain_result_der(r, 0, &mut d, &mut l),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );
    let mut h = [0u8; 32];
    assert_eq!(
        certchain_result_sha256(r, 0, h.as_mut_ptr()),
        certchain_status::CERTCHAIN_INVALID_ARGUMENT
    );
    certchain_result_free(ptr::null_mut());
}

#[test]
fn one_store_many_threads() {
    let store = le_store() as usize; // a usize crosses threads; the store is Sync
    let chain = fixture("letsencrypt-2021/cert.pem");
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let r = verify(
                    store as *const certchain_store,
                    &chain,
                    Some(c"justcc.mengkang.net"),
                    1_615_689_507,
                );
                assert_eq!(certchain_result_status(r), 0);
                certchain_result_free(r);
            });
        }
    });
    certchain_store_free(store as *const certchain_store);
}

#[test]
fn handles_are_shareable_as_documented() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<crate::TrustStore>(); // certchain_store: many threads at once
    send_sync::<certchain_options>(); // read by concurrent certchain_verify_with_options
    send_sync::<certchain_result>(); // read by several threads
}

fn crl_data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/c/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn store_builder() {
    let mut b = ptr::null_mut::<certchain_store_builder>();
    assert_eq!(
        certchain_store_builder_new(&mut b),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(certchain_store_builder_len(b), 0);
    let bad = certchain_status::CERTCHAIN_INVALID_ARGUMENT;
    assert_eq!(certchain_store_builder_new(ptr::null_mut()), bad);

    // Failures leave the builder as it was.
    let rsa = fixture("rsa/root.pem");
    let mut broken = rsa.clone();
    broken.extend_from_slice(&fixture("bad-pem/truncated.pem"));
    assert_eq!(
        certchain_store_builder_add_pem(b, broken.as_ptr(), broken.len()),
        certchain_status::CERTCHAIN_MALFORMED
    );
    assert_eq!(certchain_store_builder_len(b), 0);
    assert_eq!(certchain_store_builder_add_pem(b, b"".as_ptr(), 0), {
        certchain_status::CERTCHAIN_MALFORMED
    });
    assert_eq!(certchain_store_builder_add_pem(b, ptr::null(), 0), bad);
    assert_eq!(
        certchain_store_builder_add_pem(ptr::null_mut(), rsa.as_ptr(), rsa.len()),
        bad
    );
    assert_eq!(
        certchain_store_builder_add_file(b, c"/nonexistent/certchain.pem".as_ptr()),
        certchain_status::CERTCHAIN_IO
    );
    assert_eq!(certchain_store_builder_add_file(b, ptr::null()), bad);
    assert_eq!(
        certchain_store_builder_add_dir(b, c"/nonexistent/certchain".as_ptr()),
        certchain_status::CERTCHAIN_IO
    );
    assert_eq!(
        certchain_store_builder_add_dir(ptr::null_mut(), c".".as_ptr()),
        bad
    );
    assert_eq!(certchain_store_builder_add_system(ptr::null_mut()), bad);
    assert_eq!(certchain_store_builder_add_mozilla(ptr::null_mut()), bad);
    assert_eq!(certchain_store_builder_add_store(b, ptr::null()), bad);
    assert_eq!(certchain_store_builder_len(b), 0);

    // Sources add up; duplicates are kept once.
    assert_eq!(
        certchain_store_builder_add_pem(b, rsa.as_ptr(), rsa.len()),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(
        certchain_store_builder_add_pem(b, rsa.as_ptr(), rsa.len()),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(certchain_store_builder_len(b), 1);
    let le_root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/letsencrypt-2021/dst-root-ca-x3.pem\0"
    );
    assert_eq!(
        certchain_store_builder_add_file(b, le_root.as_ptr().cast()),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(certchain_store_builder_len(b), 2);
    let le_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/letsencrypt-2021\0");
    assert_eq!(
        certchain_store_builder_add_dir(b, le_dir.as_ptr().cast()),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(certchain_store_builder_len(b), 4); // + the leaf and R3 of that directory
    let (_, ecdsa) = store_from(&fixture("ecdsa/root.pem"));
    assert_eq!(
        certchain_store_builder_add_store(b, ecdsa),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(
        certchain_store_len(ecdsa),
        1,
        "the added store is unchanged"
    );
    certchain_store_free(ecdsa);
    assert_eq!(certchain_store_builder_len(b), 5);
    assert_eq!(
        certchain_store_builder_add_mozilla(b),
        certchain_status::CERTCHAIN_OK
    );
    let with_mozilla = certchain_store_builder_len(b);
    assert!(with_mozilla > 100, "{with_mozilla}");
    let s = certchain_store_builder_add_system(b);
    assert!(
        matches!(
            s,
            certchain_status::CERTCHAIN_OK
                | certchain_status::CERTCHAIN_IO
                | certchain_status::CERTCHAIN_MALFORMED
        ),
        "{s:?}"
    );
    let n = certchain_store_builder_len(b);

    // build takes the builder; the store verifies.
    let sentinel = ptr::dangling_mut::<certchain_store>();
    let mut store = sentinel;
    assert_eq!(
        certchain_store_builder_build(ptr::null_mut(), &mut store),
        bad
    );
    assert_eq!(store, sentinel);
    assert_eq!(
        certchain_store_builder_build(b, &mut store),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(certchain_store_len(store), n);
    let chain = fixture("rsa/chain.pem");
    let r = verify(store, &chain, Some(c"rsa.example.test"), 1_748_736_000);
    assert_eq!(certchain_result_status(r), 0);
    certchain_result_free(r);
    certchain_store_free(store);

    // An empty builder does not build, and is released all the same; so is one built with a
    // NULL `out`.
    let mut b = ptr::null_mut::<certchain_store_builder>();
    assert_eq!(
        certchain_store_builder_new(&mut b),
        certchain_status::CERTCHAIN_OK
    );
    let mut store = sentinel;
    assert_eq!(certchain_store_builder_build(b, &mut store), bad);
    assert!(last_error().contains("no certificate"), "{}", last_error());
    assert_eq!(store, sentinel);
    assert_eq!(
        certchain_store_builder_new(&mut b),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(certchain_store_builder_build(b, ptr::null_mut()), bad);

    assert_eq!(
        certchain_store_builder_new(&mut b),
        certchain_status::CERTCHAIN_OK
    );
    certchain_store_builder_free(b);
    certchain_store_builder_free(ptr::null_mut());
    assert_eq!(certchain_store_builder_len(ptr::null()), 0);
}

fn new_options(time: i64) -> *mut certchain_options {
    let mut o = ptr::null_mut::<certchain_options>();
    assert_eq!(
        certchain_options_new(time, &mut o),
        certchain_status::CERTCHAIN_OK
    );
    o
}

fn verdict(store: *const certchain_store, chain: &[u8], o: *const certchain_options) -> u32 {
    let mut r: *mut certchain_result = ptr::null_mut();
    assert_eq!(
        certchain_verify_with_options(store, chain.as_ptr(), chain.len(), o, &mut r),
        certchain_status::CERTCHAIN_OK,
        "{}",
        last_error()
    );
    let status = certchain_result_status(r);
    certchain_result_free(r);
    status
}

#[test]
fn options_time_ekus_profile() {
    let (_, store) = store_from(&fixture("rsa/root.pem"));
    let chain = fixture("rsa/chain.pem");
    let o = new_options(1_748_736_000);
    let bad = certchain_status::CERTCHAIN_INVALID_ARGUMENT;
    let ok = certchain_status::CERTCHAIN_OK;
    assert_eq!(verdict(store, &chain, o), 0);

    assert_eq!(certchain_options_set_time(o, -1), bad);
    assert_eq!(certchain_options_set_time(ptr::null_mut(), 0), bad);
    assert_eq!(verdict(store, &chain, o), 0, "unchanged by the failed call");
    assert_eq!(certchain_options_set_time(o, 1_800_000_000), ok); // 2027
    assert_eq!(verdict(store, &chain, o), ErrorKind::Expired.code());
    assert_eq!(certchain_options_set_time(o, 1_748_736_000), ok);

    // The rsa leaf allows serverAuth only.
    for name in [c"", c"server auth", c"1.2.x", c"clientauth"] {
        assert_eq!(certchain_options_add_eku(o, name.as_ptr()), bad, "{name:?}");
    }
    assert!(
        last_error().contains("nor a dotted OID"),
        "{}",
        last_error()
    );
    assert_eq!(certchain_options_add_eku(o, ptr::null()), bad);
    assert_eq!(
        certchain_options_add_eku(ptr::null_mut(), c"any".as_ptr()),
        bad
    );
    assert_eq!(verdict(store, &chain, o), 0);
    assert_eq!(certchain_options_add_eku(o, c"client-auth".as_ptr()), ok);
    assert_eq!(
        verdict(store, &chain, o),
        ErrorKind::ExtendedKeyUsage.code()
    );
    assert_eq!(
        certchain_options_add_eku(o, c"1.3.6.1.5.5.7.3.1".as_ptr()),
        ok
    );
    assert_eq!(verdict(store, &chain, o), 0, "any one of the EKUs suffices");

    let o2 = new_options(1_748_736_000);
    assert_eq!(certchain_options_add_eku(o2, c"codeSigning".as_ptr()), ok);
    assert_eq!(
        verdict(store, &chain, o2),
        ErrorKind::ExtendedKeyUsage.code()
    );
    assert_eq!(certchain_options_add_eku(o2, c"any".as_ptr()), ok);
    assert_eq!(
        verdict(store, &chain, o2),
        0,
        "\"any\" lifts the requirement"
    );
    certchain_options_free(o2);

    assert_eq!(certchain_options_set_profile(o, 2), bad);
    assert_eq!(certchain_options_set_profile(o, u32::MAX), bad);
    assert_eq!(certchain_options_set_profile(ptr::null_mut(), 0), bad);
    assert_eq!(
        certchain_options_set_profile(o, CERTCHAIN_PROFILE_RFC5280),
        ok
    );
    // SAFETY: `o` is live and not used elsewhere.
    assert_eq!(
        unsafe { &*o }.policy.profile,
        crate::policy::Profile::Rfc5280
    );
    assert_eq!(verdict(store, &chain, o), 0);
    assert_eq!(
        certchain_options_set_profile(o, CERTCHAIN_PROFILE_WEBPKI),
        ok
    );
    // SAFETY: as above.
    assert_eq!(
        unsafe { &*o }.policy.profile,
        crate::policy::Profile::WebPki
    );
    certchain_options_free(o);
    certchain_store_free(store);
}

#[test]
fn options_crls() {
    let o = new_options(1_748_736_000);
    let bad = certchain_status::CERTCHAIN_INVALID_ARGUMENT;
    let malformed = certchain_status::CERTCHAIN_MALFORMED;
    let add_to = |o: *mut certchain_options, bytes: &[u8]| {
        certchain_options_add_crl(o, bytes.as_ptr(), bytes.len())
    };
    let add = |bytes: &[u8]| add_to(o, bytes);
    assert_eq!(certchain_options_add_crl(o, ptr::null(), 0), bad);
    assert_eq!(
        certchain_options_add_crl(ptr::null_mut(), b"x".as_ptr(), 1),
        bad
    );
    assert_eq!(add(b""), malformed);
    assert_eq!(add(b"garbage"), malformed);
    assert_eq!(add(&fixture("rsa/root.pem")), malformed); // a certificate is not a CRL
    assert!(
        last_error().contains("no X509 CRL block"),
        "{}",
        last_error()
    );
    let der = crl_data("crl.der");
    assert_eq!(add(&der[..der.len() - 1]), malformed); // truncated DER
    assert!(
        last_error().contains("crl: CRL: ASN.1 DER message is incomplete"),
        "{}",
        last_error()
    );
    assert_eq!(add(&fixture("bad-pem/chain.der")), malformed); // a DER certificate
    let pem = String::from_utf8(crl_data("crl.pem")).unwrap();
    let bad_pem = pem.replacen("MIG8", "MIG9", 1);
    assert_eq!(add(bad_pem.as_bytes()), malformed);
    // SAFETY: `o` is live.
    assert!(
        unsafe { &*o }.policy.crls.is_empty(),
        "failed calls add nothing"
    );

    assert_eq!(add(pem.as_bytes()), certchain_status::CERTCHAIN_OK);
    assert_eq!(add(&der), certchain_status::CERTCHAIN_OK);
    // SAFETY: `o` is live.
    assert_eq!(unsafe { &*o }.policy.crls.len(), 2);
    certchain_options_free(o);

    // Revocation is checked (fixtures/crl, the verdicts of the golden crl-*.test cases).
    let (_, store) = store_from(&fixture("crl/root.pem"));
    let good = fixture("crl/good-chain.pem");
    let revoked = fixture("crl/revoked-chain.pem");
    let o = new_options(1_748_736_000);
    assert_eq!(
        verdict(store, &revoked, o),
        0,
        "no CRLs, no revocation check"
    );
    assert_eq!(
        add_to(o, &fixture("crl/int.crl.pem")),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(
        add_to(o, &fixture("crl/root-empty.crl.pem")),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(verdict(store, &good, o), 0);
    let mut r: *mut certchain_result = ptr::null_mut();
    assert_eq!(
        certchain_verify_with_options(store, revoked.as_ptr(), revoked.len(), o, &mut r),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(certchain_result_status(r), ErrorKind::Revoked.code());
    assert_eq!(text(certchain_result_error_kind(r)), "revoked");
    assert_eq!(certchain_result_depth(r), 0);
    assert!(text(certchain_result_message(r)).contains("was revoked at"));
    certchain_result_free(r);
    certchain_options_free(o);
    let o = new_options(1_748_736_000);
    assert_eq!(
        add_to(o, &fixture("crl/root.crl.pem")),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(verdict(store, &good, o), ErrorKind::Revoked.code()); // the intermediate
    certchain_options_free(o);
    let o = new_options(1_748_736_000);
    assert_eq!(
        add_to(o, &fixture("crl/stale.crl.pem")),
        certchain_status::CERTCHAIN_OK
    );
    assert_eq!(
        verdict(store, &good, o),
        ErrorKind::RevocationUnknown.code()
    );
    certchain_store_free(store);
    certchain_options_free(o);
}

#[test]
fn every_export_documents_who_owns_what() {
    // Each function's doc comment in the header says who owns its handles and buffers and for
    // how long: "borrowed for the call", "the caller frees ... with", "valid until", "owned by".
    let h = header();
    let words = ["own", "borrow", "release", "free", "valid until", "static"];
    for (_, name, _) in exports() {
        // the declaration: an occurrence of `name(` on a line that is not a comment
        let pattern = format!("{name}(");
        let line_start = h
            .match_indices(&pattern)
            .map(|(at, _)| h[..at].rfind('\n').unwrap_or(0))
            .find(|&ls| {
                let line = h[ls..].trim_start_matches('\n');
                !line.starts_with(" *") && !line.starts_with("/*")
            })
            .unwrap_or_else(|| panic!("{name} is not declared in the header"));
        let doc_end = h[..line_start]
            .rfind("*/")
            .unwrap_or_else(|| panic!("{name} has no doc comment"));
        let doc_start = h[..doc_end].rfind("/**").unwrap_or(0);
        let doc = h[doc_start..doc_end].to_lowercase();
        assert!(
            words.iter().any(|w| doc.contains(w)),
            "{name}: its doc comment does not say who owns what:\n{doc}"
        );
    }
}
