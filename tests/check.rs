//! `certchain check`: one fixture per finding (fixtures/check/, made by
//! fixtures/generate-check.sh), each asserting the finding's id, severity, the certificate it
//! names and the exit code; --fix-chain; the nginx configuration reader. The time is fixed.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const F: &str = "fixtures/check";
const AT: &str = "2025-06-01T00:00:00Z";
const LEAF: &str = "CN=good.example.test";
const INT: &str = "CN=Certchain Check Intermediate,O=certchain check tests";
const ROOT: &str = "CN=Certchain Check Root,O=certchain check tests";

fn certchain() -> Command {
    let mut c = Command::cargo_bin("certchain").expect("binary built");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR");
    c
}

/// `check --format json --at AT --roots fixtures/check/root.pem ARGS…` → (exit code, JSON).
fn check(args: &[&str]) -> (i32, Value) {
    let roots = format!("{F}/root.pem");
    let mut all = vec!["check", "--format", "json", "--at", AT, "--roots", &roots];
    all.extend_from_slice(args);
    let out = certchain().args(&all).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn cert(path: &str) -> String {
    format!("{F}/{path}")
}

fn ids(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

/// The only finding with this id.
fn only<'a>(v: &'a Value, id: &str) -> &'a Value {
    let all: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == id)
        .collect();
    assert_eq!(all.len(), 1, "exactly one {id} in {:#}", v["findings"]);
    all[0]
}

/// Assert a finding's severity, block, depth and subject.
fn assert_finding(
    f: &Value,
    severity: &str,
    block: Option<u64>,
    depth: Option<u64>,
    subject: Option<&str>,
) {
    assert_eq!(f["severity"], severity, "{f:#}");
    assert_eq!(f["block"].as_u64(), block, "{f:#}");
    assert_eq!(f["depth"].as_u64(), depth, "{f:#}");
    assert_eq!(f["subject"].as_str(), subject, "{f:#}");
    assert!(!f["fix"].as_str().unwrap().is_empty(), "{f:#}");
}

// ---------------------------------------------------------------- the good deployment

#[test]
fn good_chain_and_key_exit_0_without_findings() {
    let (code, v) = check(&[
        "--cert",
        &cert("good/cert.pem"),
        "--key",
        &cert("good/key.pem"),
        "--host",
        "good.example.test",
        "--host",
        "www.good.example.test",
    ]);
    assert_eq!(code, 0, "{v:#}");
    assert!(ids(&v).is_empty(), "{v:#}");
    assert_eq!(v["verified"], true);
    assert_eq!(v["key_type"], "PKCS#8 (PRIVATE KEY), RSA-2048");
    let path: Vec<&str> = v["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["subject"].as_str().unwrap())
        .collect();
    assert_eq!(path, [LEAF, INT, ROOT]);
    assert_eq!(v["path"][0]["days_left"], 214);
    assert_eq!(v["path"][2]["trust_anchor"], true);
    assert_eq!(v["summary"]["errors"], 0);
}

#[test]
fn text_output_is_aligned_and_plain_when_not_a_terminal() {
    let roots = cert("root.pem");
    let out = certchain()
        .args(["check", "--at", AT, "--roots", &roots, "--cert"])
        .arg(cert("missing-intermediate/cert.pem"))
        .args(["--key", &cert("key-mismatch/key-rsa.pem")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b'), "no colour on a pipe: {text}");
    let lines: Vec<&str> = text.lines().collect();
    let mi = lines
        .iter()
        .position(|l| l.starts_with("error    missing-intermediate  block 1 (line 1), depth 0 (CN=good.example.test): the issuer CN=Certchain Check Intermediate"))
        .unwrap_or_else(|| panic!("{text}"));
    // the fix hint is on the next line, under the message column
    assert!(
        lines[mi + 1].starts_with(
            "                               fix: download http://pki.example.test/check-int.der"
        ),
        "{text}"
    );
    let km = lines
        .iter()
        .position(|l| l.starts_with("error    key-mismatch          block 1 (line 1), depth 0 (CN=good.example.test): the RSA-2048 key in fixtures/check/key-mismatch/key-rsa.pem (line 1) is not the key of this certificate"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(lines[km + 1].trim_start().starts_with("fix: "));
    assert!(
        text.ends_with("NOT READY: 2 errors, 0 warnings, 0 info\n"),
        "{text}"
    );
}

// ---------------------------------------------------------------- the file itself

#[test]
fn malformed_pem_end_and_begin_on_one_line() {
    let (code, v) = check(&["--cert", &cert("malformed-pem/end-begin-same-line.pem")]);
    assert_eq!(code, 1);
    let f = only(&v, "malformed-pem");
    assert_finding(f, "error", None, None, None);
    assert_eq!(f["line"], 23);
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("END and BEGIN on one line"));
    // both certificates are still read, and the chain behind the broken line verifies
    assert_eq!(v["certificates"].as_array().unwrap().len(), 2);
    assert_eq!(v["verified"], true);
    assert_eq!(ids(&v), ["malformed-pem"]);
}

#[test]
fn malformed_pem_header_lines_in_a_certificate_block() {
    // OpenSSL's PEM reader (nginx) refuses a certificate block with RFC 1421 headers.
    let (code, v) = check(&["--cert", &cert("malformed-pem/headers.pem")]);
    assert_eq!(code, 1);
    let f = only(&v, "malformed-pem");
    assert_finding(f, "error", Some(1), None, None);
    assert_eq!(f["line"], 1);
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("PEM header lines (Comment) before its base64"));
    assert_eq!(ids(&v), ["malformed-pem"]);
}

#[test]
fn malformed_pem_text_before_begin_drops_the_leaf_like_openssl() {
    let (code, v) = check(&["--cert", &cert("malformed-pem/text-before-begin.pem")]);
    assert_eq!(code, 1);
    let f = only(&v, "malformed-pem");
    assert_eq!(f["line"], 23);
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("END CERTIFICATE without a BEGIN boundary at the start of a line"));
    // what nginx would load: the intermediate alone, as the leaf
    assert_eq!(v["certificates"].as_array().unwrap().len(), 1);
}

#[test]
fn trusted_certificate_block_after_the_leaf() {
    // nginx reads the chain with PEM_read_bio_X509, which skips TRUSTED CERTIFICATE blocks.
    let (code, v) = check(&["--cert", &cert("trusted-certificate-block/cert.pem")]);
    assert_eq!(code, 1);
    let f = only(&v, "trusted-certificate-block");
    assert_finding(f, "error", Some(2), None, None);
    assert_eq!(f["line"], 24);
    assert_eq!(ids(&v), ["trusted-certificate-block"]);
}

#[test]
fn malformed_pem_bad_base64_names_the_line() {
    let (code, v) = check(&["--cert", &cert("malformed-pem/bad-base64.pem")]);
    assert_eq!(code, 1);
    let f = only(&v, "malformed-pem");
    assert_finding(f, "error", Some(1), None, None);
    assert_eq!(f["line"], 5);
    assert!(f["message"].as_str().unwrap().contains("'!' at column 10"));
    // the leaf was in the broken block: the intermediate is not judged as a leaf
    assert_finding(only(&v, "no-leaf-certificate"), "error", None, None, None);
    assert_eq!(ids(&v).len(), 2, "{v:#}");
}

#[test]
fn malformed_pem_truncated_block() {
    let (code, v) = check(&["--cert", &cert("malformed-pem/truncated.pem")]);
    assert_eq!(code, 1);
    let f = only(&v, "malformed-pem");
    assert_finding(f, "error", Some(2), None, None);
    assert_eq!(f["line"], 24);
    assert!(f["message"].as_str().unwrap().contains("truncated"));
    assert_finding(
        only(&v, "missing-intermediate"),
        "error",
        Some(1),
        Some(0),
        Some(LEAF),
    );
}

#[test]
fn malformed_pem_reports_every_problem_and_goes_on() {
    let (code, v) = check(&["--cert", &cert("malformed-pem/several.pem")]);
    assert_eq!(code, 1);
    let lines: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "malformed-pem")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 24, 74]);
    // blocks 3 (leaf), 4 (intermediate) and 5 (root) were readable and form the path
    assert_eq!(v["verified"], true);
    assert_finding(
        only(&v, "root-included"),
        "warning",
        Some(5),
        Some(2),
        Some(ROOT),
    );
}

#[test]
fn der_not_pem() {
    let (code, v) = check(&["--cert", &cert("der-not-pem/cert.der")]);
    assert_eq!(code, 1);
    let f = only(&v, "der-not-pem");
    assert_finding(f, "error", None, None, None);
    assert_eq!(f["file"], cert("der-not-pem/cert.der"));
    assert_eq!(v["certificates"].as_array().unwrap().len(), 2);
    assert_eq!(v["verified"], true);
    assert_eq!(ids(&v), ["der-not-pem"]);
}

#[test]
fn private_key_in_cert_file_is_a_warning() {
    let (code, v) = check(&["--cert", &cert("private-key-in-cert-file/cert.pem")]);
    assert_eq!(code, 0);
    let f = only(&v, "private-key-in-cert-file");
    assert_finding(f, "warning", Some(2), None, None);
    assert_eq!(f["line"], 24);
    assert_eq!(ids(&v), ["private-key-in-cert-file"]);
    // the intermediate after the key is still on the path, as block 3
    assert_eq!(v["path"][1]["block"], 3);
}

#[test]
fn non_certificate_block() {
    let (code, v) = check(&["--cert", &cert("non-certificate-block/cert.pem")]);
    assert_eq!(code, 0);
    let f = only(&v, "non-certificate-block");
    assert_finding(f, "warning", Some(3), None, None);
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("CERTIFICATE REQUEST"));
}

// ---------------------------------------------------------------- order and contents

#[test]
fn wrong_order_leaf_not_first_is_an_error() {
    let (code, v) = check(&["--cert", &cert("wrong-order/leaf-not-first.pem")]);
    assert_eq!(code, 1);
    let f = only(&v, "wrong-order");
    assert_finding(f, "error", Some(2), Some(0), Some(LEAF));
    assert!(f["message"].as_str().unwrap().contains("block 1"));
    assert_eq!(ids(&v), ["wrong-order"]);
}

#[test]
fn wrong_order_of_intermediates_is_a_warning() {
    let (code, v) = check(&["--cert", &cert("wrong-order/intermediates.pem")]);
    assert_eq!(code, 0);
    let f = only(&v, "wrong-order");
    assert_finding(
        f,
        "warning",
        Some(2),
        Some(2),
        Some("CN=Certchain Check Intermediate A,O=certchain check tests"),
    );
    let (code, v) = check(&["--cert", &cert("wrong-order/right-order.pem")]);
    assert_eq!(code, 0);
    assert!(ids(&v).is_empty(), "{v:#}");
    assert_eq!(v["path"].as_array().unwrap().len(), 4);
}

#[test]
fn missing_intermediate_names_the_issuer_and_the_aia_url() {
    let (code, v) = check(&["--cert", &cert("missing-intermediate/cert.pem")]);
    assert_eq!(code, 1);
    let f = only(&v, "missing-intermediate");
    assert_finding(f, "error", Some(1), Some(0), Some(LEAF));
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains(&format!("the issuer {INT}")), "{msg}");
    assert!(
        msg.contains("http://pki.example.test/check-int.der"),
        "{msg}"
    );
    assert_eq!(ids(&v), ["missing-intermediate"]);
    // supplying the intermediate fixes it
    let int = cert("int.pem");
    let (code, v) = check(&[
        "--cert",
        &cert("missing-intermediate/cert.pem"),
        "--untrusted",
        &int,
    ]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["path"][1]["file"], int);
}

#[test]
fn root_included_is_a_warning() {
    let (code, v) = check(&["--cert", &cert("root-included/cert.pem")]);
    assert_eq!(code, 0);
    assert_finding(
        only(&v, "root-included"),
        "warning",
        Some(3),
        Some(2),
        Some(ROOT),
    );
    assert_eq!(ids(&v), ["root-included"]);
}

#[test]
fn unrelated_certificate() {
    let (code, v) = check(&["--cert", &cert("unrelated-certificate/cert.pem")]);
    assert_eq!(code, 0);
    assert_finding(
        only(&v, "unrelated-certificate"),
        "warning",
        Some(3),
        None,
        Some("CN=Certchain Check Unrelated,O=certchain check tests"),
    );
}

#[test]
fn duplicate_certificate() {
    let (code, v) = check(&["--cert", &cert("duplicate-certificate/cert.pem")]);
    assert_eq!(code, 0);
    let f = only(&v, "duplicate-certificate");
    assert_finding(f, "warning", Some(3), None, Some(INT));
    assert!(f["message"].as_str().unwrap().contains("copy of block 2"));
    assert_eq!(v["certificates"].as_array().unwrap().len(), 2);
}

// ---------------------------------------------------------------- keys

#[test]
fn matching_keys_in_every_format() {
    for (c, k, kind) in [
        (
            "good/cert.pem",
            "good/key.pem",
            "PKCS#8 (PRIVATE KEY), RSA-2048",
        ),
        (
            "good/cert.pem",
            "good/key-pkcs1.pem",
            "PKCS#1 (RSA PRIVATE KEY), RSA-2048",
        ),
        (
            "ec/cert.pem",
            "ec/key-pkcs8.pem",
            "PKCS#8 (PRIVATE KEY), EC P-256",
        ),
        (
            "ec/cert.pem",
            "ec/key-sec1.pem",
            "SEC1 (EC PRIVATE KEY), EC P-256",
        ),
        (
            "p384/cert.pem",
            "p384/key.pem",
            "PKCS#8 (PRIVATE KEY), EC P-384",
        ),
    ] {
        let (code, v) = check(&["--cert", &cert(c), "--key", &cert(k)]);
        assert_eq!(code, 0, "{c} + {k}: {v:#}");
        assert!(ids(&v).is_empty(), "{c} + {k}: {v:#}");
        assert_eq!(v["key_type"], kind);
    }
}

#[test]
fn key_mismatch_rsa_and_ec() {
    for (c, k, subject, key) in [
        (
            "good/cert.pem",
            "key-mismatch/key-rsa.pem",
            LEAF,
            "RSA-2048",
        ),
        (
            "ec/cert.pem",
            "key-mismatch/key-ec.pem",
            "CN=ec.example.test",
            "EC P-256",
        ),
        ("good/cert.pem", "key-mismatch/key-ec.pem", LEAF, "EC P-256"),
        (
            "p384/cert.pem",
            "ec/key-sec1.pem",
            "CN=p384.example.test",
            "EC P-256",
        ),
    ] {
        let (code, v) = check(&["--cert", &cert(c), "--key", &cert(k)]);
        assert_eq!(code, 1, "{c} + {k}");
        // about the leaf: its file, block and depth; the key file is named in the message
        let f = only(&v, "key-mismatch");
        assert_finding(f, "error", Some(1), Some(0), Some(subject));
        assert_eq!(f["file"], cert(c));
        let message = f["message"].as_str().unwrap();
        assert!(message.contains(key), "{f:#}");
        assert!(
            message.contains(&format!("key in {} (line", cert(k))),
            "{f:#}"
        );
        assert_eq!(ids(&v), ["key-mismatch"]);
    }
}

#[test]
fn encrypted_keys_are_reported_not_guessed() {
    for (k, how) in [
        ("good/key-encrypted.pem", "PKCS#8 (ENCRYPTED PRIVATE KEY)"),
        ("good/key-encrypted-legacy.pem", "Proc-Type: 4,ENCRYPTED"),
    ] {
        let (code, v) = check(&["--cert", &cert("good/cert.pem"), "--key", &cert(k)]);
        assert_eq!(code, 0, "{k}");
        let f = only(&v, "encrypted-key");
        assert_eq!(f["severity"], "warning");
        assert_eq!(f["file"], cert(k));
        assert_eq!(f["line"], 1);
        assert!(f["message"].as_str().unwrap().contains(how), "{f:#}");
        assert_eq!(ids(&v), ["encrypted-key"]);
    }
}

#[test]
fn the_key_finds_the_leaf_when_it_is_not_first() {
    let (code, v) = check(&[
        "--cert",
        &cert("wrong-order/leaf-not-first.pem"),
        "--key",
        &cert("good/key.pem"),
    ]);
    assert_eq!(code, 1);
    let f = only(&v, "wrong-order");
    assert_finding(f, "error", Some(2), Some(0), Some(LEAF));
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("the certificate of the key"));
    assert_eq!(ids(&v), ["wrong-order"]);
}

#[test]
fn a_file_without_a_key_is_malformed_key() {
    let (code, v) = check(&[
        "--cert",
        &cert("good/cert.pem"),
        "--key",
        &cert("good/leaf.pem"),
    ]);
    assert_eq!(code, 1);
    let f = only(&v, "malformed-key");
    assert_eq!(f["severity"], "error");
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("no PRIVATE KEY block"));
}

// ---------------------------------------------------------------- time, names, algorithms

#[test]
fn expired_leaf_at_depth_0() {
    let (code, v) = check(&["--cert", &cert("expired/cert.pem")]);
    assert_eq!(code, 1);
    let f = only(&v, "expired");
    assert_finding(
        f,
        "error",
        Some(1),
        Some(0),
        Some("CN=expired.example.test"),
    );
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("2025-01-01T00:00:00Z"));
}

#[test]
fn expired_intermediate_at_depth_1() {
    let (code, v) = check(&["--cert", &cert("expired/intermediate.pem")]);
    assert_eq!(code, 1);
    assert_finding(
        only(&v, "expired"),
        "error",
        Some(2),
        Some(1),
        Some("CN=Certchain Check Expired Intermediate,O=certchain check tests"),
    );
    assert_eq!(ids(&v), ["expired"]);
}

#[test]
fn expired_once_per_depth_on_the_2021_chain() {
    let out = certchain()
        .args(["check", "--format", "json", "--at", AT])
        .args(["--roots", "fixtures/letsencrypt-2021/dst-root-ca-x3.pem"])
        .args(["--cert", "fixtures/letsencrypt-2021/cert.pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let depths: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["id"] == "expired")
        .map(|f| f["depth"].as_u64().unwrap())
        .collect();
    assert_eq!(depths, [0, 1, 2]);
}

#[test]
fn expires_soon_follows_warn_days() {
    let (code, v) = check(&["--cert", &cert("expires-soon/cert.pem")]);
    assert_eq!(code, 0);
    let f = only(&v, "expires-soon");
    assert_finding(f, "warning", Some(1), Some(0), Some("CN=soon.example.test"));
    assert!(f["message"].as_str().unwrap().contains("in 14 days"));
    let (code, v) = check(&["--cert", &cert("expires-soon/cert.pem"), "--warn-days", "7"]);
    assert_eq!(code, 0);
    assert!(ids(&v).is_empty());
    // the good leaf (214 days left) with --warn-days 365
    let (_, v) = check(&["--cert", &cert("good/cert.pem"), "--warn-days", "365"]);
    assert_finding(
        only(&v, "expires-soon"),
        "warning",
        Some(1),
        Some(0),
        Some(LEAF),
    );
}

#[test]
fn not_yet_valid() {
    let (code, v) = check(&["--cert", &cert("not-yet-valid/cert.pem")]);
    assert_eq!(code, 1);
    assert_finding(
        only(&v, "not-yet-valid"),
        "error",
        Some(1),
        Some(0),
        Some("CN=future.example.test"),
    );
}

#[test]
fn hostname_mismatch_for_each_uncovered_host() {
    let (code, v) = check(&[
        "--cert",
        &cert("good/cert.pem"),
        "--host",
        "good.example.test",
        "--host",
        "shop.example.test",
        "--host",
        "WWW.good.example.test",
        "--host",
        "192.0.2.1",
    ]);
    assert_eq!(code, 1);
    let found: Vec<&Value> = v["findings"].as_array().unwrap().iter().collect();
    assert_eq!(found.len(), 2, "{v:#}");
    for (f, host) in found.iter().zip(["shop.example.test", "192.0.2.1"]) {
        assert_eq!(f["id"], "hostname-mismatch");
        assert_finding(f, "error", Some(1), Some(0), Some(LEAF));
        assert!(f["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{host} is not covered")));
    }
}

#[test]
fn weak_signature_and_weak_key() {
    let (code, v) = check(&["--cert", &cert("weak-signature/cert.pem")]);
    assert_eq!(code, 1);
    let f = only(&v, "weak-signature");
    assert_finding(f, "error", Some(1), Some(0), Some("CN=sha1.example.test"));
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("sha1WithRSAEncryption"));
    // the verifier stops at the weak signature; the path still goes on (by name) to the root
    assert_eq!(ids(&v), ["weak-signature"]);
    assert_eq!(v["path"][2]["by_name"], true);

    let (code, v) = check(&["--cert", &cert("weak-signature/md5.pem")]);
    assert_eq!(code, 1);
    let f = only(&v, "weak-signature");
    assert_finding(f, "error", Some(1), Some(0), Some("CN=md5.example.test"));
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("md5WithRSAEncryption"),
        "{f:#}"
    );

    let (code, v) = check(&["--cert", &cert("weak-key/cert.pem")]);
    assert_eq!(code, 1);
    let f = only(&v, "weak-key");
    assert_finding(f, "error", Some(1), Some(0), Some("CN=weak.example.test"));
    assert!(f["message"].as_str().unwrap().contains("1024 bits"));
}

#[test]
fn untrusted_root_self_signed_and_foreign_store() {
    let (code, v) = check(&[
        "--cert",
        &cert("untrusted-root/cert.pem"),
        "--key",
        &cert("untrusted-root/key.pem"),
    ]);
    assert_eq!(code, 1);
    assert_finding(
        only(&v, "untrusted-root"),
        "error",
        Some(1),
        Some(0),
        Some("CN=selfsigned.example.test"),
    );
    assert_eq!(ids(&v), ["untrusted-root"]);

    // the good chain against another trust store: it ends at the intermediate
    let out = certchain()
        .args([
            "check",
            "--format",
            "json",
            "--at",
            AT,
            "--roots",
            "fixtures/rsa/root.pem",
        ])
        .args(["--cert", &cert("good/cert.pem")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = only(&v, "untrusted-root");
    assert_finding(f, "error", Some(2), Some(1), Some(INT));
    assert!(f["message"].as_str().unwrap().contains(ROOT));
    assert_eq!(ids(&v), ["untrusted-root"]);
}

#[test]
fn core_verification_failures_keep_their_kind_and_depth() {
    let (code, v) = check(&["--cert", &cert("not-a-ca/cert.pem")]);
    assert_eq!(code, 1);
    assert_finding(
        only(&v, "not-a-ca"),
        "error",
        Some(2),
        Some(1),
        Some("CN=Certchain Check Not-CA Intermediate,O=certchain check tests"),
    );
}

// ---------------------------------------------------------------- exit 2

#[test]
fn input_and_usage_errors_exit_2() {
    let (code, v) = check(&["--cert", "fixtures/check/does-not-exist.pem"]);
    assert_eq!(code, 2);
    assert!(v["error"].as_str().unwrap().contains("does-not-exist.pem"));
    let (code, v) = check(&["--cert", "fixtures/bad-pem/empty.pem"]);
    assert_eq!(code, 2);
    assert_eq!(ids(&v), ["no-certificate"]);
    let (code, _) = check(&[
        "--cert",
        &cert("good/cert.pem"),
        "--key",
        "fixtures/check/nope.key",
    ]);
    assert_eq!(code, 2);
    let (code, _) = check(&["--cert", &cert("good/cert.pem"), "--host", "not a host"]);
    assert_eq!(code, 2);
    for args in [
        vec!["check"],
        vec!["check", "--cert", "x.pem", "--at", "yesterday"],
        vec!["check", "--nginx", "x.conf", "--key", "k.pem"],
        vec!["check", "--cert", "x.pem", "--warn-days", "-1"],
    ] {
        let out = certchain().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

// ---------------------------------------------------------------- --fix-chain

fn tmp_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("check")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn fix_chain_writes_leaf_and_intermediates_and_leaves_the_input_alone() {
    let d = tmp_dir("fix-chain");
    let input = d.join("messy.pem");
    let original = std::fs::read(cert("fix-chain/messy.pem")).unwrap();
    std::fs::write(&input, &original).unwrap();
    let out = d.join("fixed.pem");
    let (code, v) = check(&[
        "--cert",
        input.to_str().unwrap(),
        "--fix-chain",
        out.to_str().unwrap(),
    ]);
    // the input's findings still decide the exit code
    assert_eq!(code, 1);
    let mut found = ids(&v);
    found.sort();
    assert_eq!(
        found,
        [
            "duplicate-certificate",
            "root-included",
            "unrelated-certificate",
            "wrong-order"
        ]
    );
    assert_eq!(v["fix_chain"]["certificates"], 2);
    assert_eq!(std::fs::read(&input).unwrap(), original, "input unchanged");
    // no temporary file is left behind
    let names: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // the output re-verifies, leaf first, and has nothing left to fix
    let verify = certchain()
        .args([
            "verify",
            "--at",
            AT,
            "--roots",
            &cert("root.pem"),
            "--host",
            "good.example.test",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(verify.stdout).unwrap(),
        format!("depth=0 {LEAF}\ndepth=1 {INT}\ndepth=2 {ROOT} (trust anchor)\nOK\n")
    );
    let (code, v) = check(&["--cert", out.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(ids(&v).is_empty(), "{v:#}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.matches("-----BEGIN CERTIFICATE-----").count(), 2);
}

#[test]
fn fix_chain_with_the_missing_intermediate_from_untrusted() {
    let d = tmp_dir("fix-chain-untrusted");
    let out = d.join("fullchain.pem");
    let (code, _) = check(&[
        "--cert",
        &cert("missing-intermediate/cert.pem"),
        "--untrusted",
        &cert("int.pem"),
        "--fix-chain",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let (code, v) = check(&["--cert", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["certificates"].as_array().unwrap().len(), 2);
}

#[test]
fn fix_chain_refuses_without_a_path_and_over_an_input() {
    let d = tmp_dir("fix-chain-refuse");
    let out = d.join("out.pem");
    let (code, v) = check(&[
        "--cert",
        &cert("missing-intermediate/cert.pem"),
        "--fix-chain",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(v["fix_chain"]["refused"]
        .as_str()
        .unwrap()
        .contains("no path"));
    assert!(!out.exists());

    // over the input, directly or through a symbolic link: usage error, input untouched
    let input = d.join("in.pem");
    let original = std::fs::read(cert("fix-chain/messy.pem")).unwrap();
    std::fs::write(&input, &original).unwrap();
    let link = d.join("link.pem");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&input, &link).unwrap();
    #[cfg(not(unix))]
    std::fs::copy(&input, &link).unwrap();
    for target in [&input, &link] {
        let (code, v) = check(&[
            "--cert",
            input.to_str().unwrap(),
            "--fix-chain",
            target.to_str().unwrap(),
        ]);
        if cfg!(unix) || target == &input {
            assert_eq!(code, 2, "{target:?}");
            assert!(v["error"].as_str().unwrap().contains("is the input"));
        }
        assert_eq!(std::fs::read(&input).unwrap(), original);
    }
}

// ---------------------------------------------------------------- nginx

fn nginx(conf: &str) -> (i32, Value) {
    let roots = cert("root.pem");
    let out = certchain()
        .args([
            "check", "--format", "json", "--at", AT, "--roots", &roots, "--nginx", conf,
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), v)
}

fn pair_ids(server: &Value, i: usize) -> Vec<String> {
    ids(&server["certificates"][i]["report"])
}

#[test]
fn nginx_fixture_one_good_one_broken_server() {
    let (code, v) = nginx(&cert("nginx/nginx.conf"));
    assert_eq!(code, 1);
    assert_eq!(
        v["files"],
        serde_json::json!([cert("nginx/nginx.conf"), cert("nginx/conf.d/broken.conf")])
    );
    let servers = v["servers"].as_array().unwrap();
    assert_eq!(servers.len(), 2);

    // the included server comes first, where the include is
    let broken = &servers[0];
    assert_eq!(broken["file"], cert("nginx/conf.d/broken.conf"));
    assert_eq!(broken["line"], 3);
    assert_eq!(
        broken["server_names"],
        serde_json::json!(["good.example.test", "shop.example.test"])
    );
    assert_eq!(
        broken["certificates"][0]["ssl_certificate"],
        "../missing-intermediate/cert.pem"
    );
    assert_eq!(
        broken["certificates"][0]["cert_path"],
        cert("nginx/../missing-intermediate/cert.pem")
    );
    let report = &broken["certificates"][0]["report"];
    assert_eq!(
        pair_ids(broken, 0),
        ["missing-intermediate", "hostname-mismatch", "key-mismatch"]
    );
    assert_finding(
        only(report, "missing-intermediate"),
        "error",
        Some(1),
        Some(0),
        Some(LEAF),
    );
    let h = only(report, "hostname-mismatch");
    assert_finding(h, "error", Some(1), Some(0), Some(LEAF));
    assert!(h["message"]
        .as_str()
        .unwrap()
        .starts_with("shop.example.test is not covered"));
    let km = only(report, "key-mismatch");
    assert_finding(km, "error", Some(1), Some(0), Some(LEAF));
    assert_eq!(km["file"], cert("nginx/../missing-intermediate/cert.pem"));
    assert!(km["message"].as_str().unwrap().contains(&format!(
        "key in {} (line 1)",
        cert("nginx/../key-mismatch/key-rsa.pem")
    )));
    assert_eq!(broken["summary"]["errors"], 3);

    let good = &servers[1];
    assert_eq!(good["file"], cert("nginx/nginx.conf"));
    assert_eq!(good["line"], 7);
    assert!(pair_ids(good, 0).is_empty());
    assert!(good["findings"].as_array().unwrap().is_empty());
    assert_eq!(good["certificates"][0]["report"]["verified"], true);
    assert_eq!(v["summary"]["errors"], 3);
}

#[test]
fn nginx_text_names_each_server_block() {
    let roots = cert("root.pem");
    let out = certchain()
        .args([
            "check",
            "--at",
            AT,
            "--roots",
            &roots,
            "--nginx",
            &cert("nginx/nginx.conf"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(&format!(
            "nginx    {F}/nginx/nginx.conf: 2 TLS server blocks in 2 files\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "server {F}/nginx/conf.d/broken.conf:3  good.example.test shop.example.test"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "server {F}/nginx/nginx.conf:7  good.example.test www.good.example.test"
        )),
        "{text}"
    );
    assert!(
        text.contains("  OK: 0 errors, 0 warnings, 0 info\n"),
        "{text}"
    );
    assert!(
        text.ends_with("NOT READY: 3 errors, 0 warnings, 0 info\n"),
        "{text}"
    );
}

#[test]
fn nginx_inheritance_names_variables_and_missing_pieces() {
    let d = tmp_dir("nginx");
    let abs = |p: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(F)
            .join(p)
            .display()
            .to_string()
    };
    std::fs::create_dir_all(d.join("sites")).unwrap();
    std::fs::write(
        d.join("nginx.conf"),
        format!(
            "# test\nhttp {{\n  ssl_certificate {good};\n  ssl_certificate_key {key};\n  include sites/*.conf;\n  include none/*.conf;\n}}\n\
             stream {{\n  server {{\n    listen 9443 ssl;\n    ssl_certificate {good};\n  }}\n}}\n",
            good = abs("good/cert.pem"),
            key = abs("good/key.pem"),
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("sites/a.conf"),
        "server {\n  listen 443 ssl;\n  server_name good.example.test *.good.example.test ~^w+\\.example\\.test$;\n}\n\
         server {\n  listen 443;\n  server_name www.good.example.test;\n  ssl_certificate /etc/ssl/$ssl_server_name.pem;\n  ssl_certificate_key /etc/ssl/$ssl_server_name.key;\n}\n\
         server {\n  listen 8443 ssl;\n  ssl_certificate /nonexistent/cert.pem;\n}\n\
         server {\n  listen 80;\n  server_name plain.example.test;\n}\n",
    )
    .unwrap();
    let (code, v) = nginx(d.join("nginx.conf").to_str().unwrap());
    assert_eq!(code, 1, "{v:#}");
    let servers = v["servers"].as_array().unwrap();
    assert_eq!(servers.len(), 4, "the port-80 server is not TLS");

    // inherited from http; the wildcard and the regex are reported, not guessed
    let s0 = &servers[0];
    assert_eq!(s0["certificates"][0]["inherited"], true);
    assert!(pair_ids(s0, 0).is_empty());
    let names: Vec<(&str, &str)> = s0["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("server-name-not-checked", "info"),
            ("server-name-not-checked", "info")
        ]
    );

    // `listen 443` shares the ssl socket of the first server; variables are not checked
    let s1 = &servers[1];
    assert_eq!(s1["line"], 5);
    let f1: Vec<&str> = s1["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(f1, ["certificate-not-checked", "certificate-not-checked"]);
    assert_eq!(s1["summary"]["errors"], 0);

    // its own certificate, which does not exist (the key is inherited, as nginx does)
    let s2 = &servers[2];
    let f2: Vec<&str> = s2["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(f2, ["unreadable-file"]);
    assert_eq!(s2["findings"][0]["line"], 13);

    // a stream server with a certificate and no key anywhere
    let s3 = &servers[3];
    assert_eq!(s3["context"], "stream");
    let f3: Vec<&str> = s3["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(f3, ["no-ssl-certificate-key"]);
    assert!(pair_ids(s3, 0).is_empty());
    assert_eq!(v["summary"]["errors"], 2);
}

#[test]
fn nginx_configuration_errors_exit_2_with_file_and_line() {
    let d = tmp_dir("nginx-bad");
    std::fs::write(
        d.join("nginx.conf"),
        "http {\n  server {\n    listen 443 ssl\n  }\n}\n",
    )
    .unwrap();
    let (code, v) = nginx(d.join("nginx.conf").to_str().unwrap());
    assert_eq!(code, 2);
    let e = v["error"].as_str().unwrap();
    assert!(
        e.ends_with("nginx.conf:4: unexpected \"}\" (missing \";\" after listen?)"),
        "{e}"
    );
    std::fs::write(d.join("nginx.conf"), "http {\n  include missing.conf;\n}\n").unwrap();
    let (code, v) = nginx(d.join("nginx.conf").to_str().unwrap());
    assert_eq!(code, 2);
    assert!(v["error"]
        .as_str()
        .unwrap()
        .contains("nginx.conf:2: include missing.conf: no such file"));
    let (code, _) = nginx("fixtures/check/nginx/absent.conf");
    assert_eq!(code, 2);
}

// ---------------------------------------------------------------- colour

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    // script(1) gives the command a terminal; without it this test has nothing to run on
    let has_script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_script {
        eprintln!("script(1) not found: terminal colour not tested");
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("certchain");
    let cmd = format!(
        "{} check --cert {F}/expires-soon/cert.pem --roots {F}/root.pem --at {AT}",
        bin.display()
    );
    let run = |no_color: Option<&str>| {
        let mut c = std::process::Command::new("script");
        c.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["-qec", &cmd, "/dev/null"])
            .env_remove("NO_COLOR");
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        let out = c.output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let tty = run(None);
    assert!(tty.contains("\x1b[33mwarning\x1b[0m"), "{tty:?}");
    assert!(tty.contains("\x1b[1mexpires-soon\x1b[0m"), "{tty:?}");
    let plain = run(Some("1"));
    assert!(
        plain.contains("warning  expires-soon  block 1"),
        "{plain:?}"
    );
    assert!(!plain.contains('\x1b'), "{plain:?}");
}

/// A root in the trust store whose TRUSTED CERTIFICATE settings refuse serverAuth
/// (fixtures/trust/; OpenSSL: "error 28 at 1 depth lookup: certificate rejected") is reported as
/// such, not as a root the store does not hold.
#[test]
fn untrusted_root_refused_by_trust_settings() {
    let run = |roots: &str| {
        let out = certchain()
            .args(["check", "--format", "json", "--at", AT, "--roots", roots])
            .args(["--cert", "fixtures/trust/leaf.pem"])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), v)
    };
    let (code, v) = run("fixtures/trust/root-reject-server.pem");
    assert_eq!(code, Some(1));
    assert_eq!(ids(&v), ["untrusted-root"]);
    let f = only(&v, "untrusted-root");
    assert_finding(
        f,
        "error",
        None,
        Some(1),
        Some("CN=Certchain Trust-Settings Root"),
    );
    assert_eq!(
        f["message"],
        "CN=Certchain Trust-Settings Root is in the trust store but its trust settings (TRUSTED CERTIFICATE) do not allow serverAuth: they reject serverAuth"
    );
    let (code, v) = run("fixtures/trust/root-trust-server.pem");
    assert_eq!(code, Some(0), "{v:#}");
}
