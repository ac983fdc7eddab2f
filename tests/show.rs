//! `certchain show`: every certificate of a file with its fields, as text and JSON; exit codes.

use assert_cmd::Command;
use serde_json::Value;

const AT: &str = "2025-06-01T00:00:00Z";

fn certchain() -> Command {
    let mut c = Command::cargo_bin("certchain").expect("binary built");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn colon_hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn certs_of(path: &str) -> Vec<certchain::Certificate> {
    let bytes = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    certchain::Bundle::parse(&bytes, path).unwrap().certificates
}

#[test]
fn text_lists_every_field_of_every_certificate() {
    let out = certchain()
        .args(["show", "--at", AT, "fixtures/check/good/cert.pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let certs = certs_of("fixtures/check/good/cert.pem");
    let (leaf, int) = (&certs[0], &certs[1]);
    let expected_leaf = [
        "certificate 1 (line 1)".to_string(),
        "  subject    CN=good.example.test".into(),
        "  issuer     CN=Certchain Check Intermediate,O=certchain check tests".into(),
        format!("  serial     {}", colon_hex(leaf.serial())),
        "  valid      2025-01-01T00:00:00Z .. 2026-01-01T00:00:00Z (214 days left)".into(),
        "  key        RSA 2048 bits (e=65537)".into(),
        "  signature  sha256WithRSAEncryption".into(),
        "  san        DNS:good.example.test, DNS:www.good.example.test".into(),
        format!("  ski        {}", colon_hex(leaf.subject_key_id().unwrap())),
        format!(
            "  aki        {}",
            colon_hex(leaf.authority_key_id().unwrap())
        ),
        "  basic      CA:FALSE (critical)".into(),
        "  key usage  digitalSignature, keyEncipherment (critical)".into(),
        "  ext usage  serverAuth".into(),
        "  aia        caIssuers http://pki.example.test/check-int.der".into(),
        format!("  sha256     {}", colon_hex(leaf.sha256())),
        String::new(),
        "certificate 2 (line 24)".into(),
    ];
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[..expected_leaf.len()], expected_leaf, "{text}");
    assert!(text.contains("  basic      CA:TRUE, pathlen:0 (critical)\n"));
    assert!(text.contains("  key usage  digitalSignature, keyCertSign, cRLSign (critical)\n"));
    assert!(text.contains(&format!("  sha256     {}\n", colon_hex(int.sha256()))));
    assert!(!text.contains('\x1b'));
}

#[test]
fn json_for_ecdsa_pss_and_der() {
    let run = |file: &str| -> Value {
        let out = certchain()
            .args(["show", "--format", "json", "--at", AT, file])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{file}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let v = run("fixtures/ecdsa/leaf.pem");
    let c = &v["certificates"][0];
    assert_eq!(c["key"], "EC P-256");
    assert_eq!(c["signature_algorithm"], "ecdsa-with-SHA256");
    assert_eq!(
        c["san"],
        serde_json::json!(["DNS:ecdsa.example.test", "IP:192.0.2.10"])
    );
    assert_eq!(c["days_left"], 214);
    assert_eq!(c["basic_constraints"]["ca"], false);
    assert_eq!(c["extended_key_usage"], serde_json::json!(["serverAuth"]));

    let v = run("fixtures/rsa-pss/leaf.pem");
    assert_eq!(
        v["certificates"][0]["signature_algorithm"],
        "RSASSA-PSS (SHA-256, salt 32)"
    );

    let v = run("fixtures/check/der-not-pem/cert.der");
    let certs = v["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[0]["line"], Value::Null);
    assert_eq!(
        certs[1]["subject"],
        "CN=Certchain Check Intermediate,O=certchain check tests"
    );
    assert_eq!(
        certs[1]["aia"],
        serde_json::json!([{"method": "caIssuers", "uri": "http://pki.example.test/check-root.der"}])
    );
    let expected = certs_of("fixtures/check/good/cert.pem");
    assert_eq!(certs[0]["sha256"], expected[0].sha256_hex());

    let v = run("fixtures/check/expired/cert.pem");
    assert_eq!(v["certificates"][0]["days_left"], -151);
}

#[test]
fn exit_2_for_unreadable_files_and_broken_blocks() {
    let out = certchain()
        .args(["show", "fixtures/bad-pem/empty.pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no certificate found"));
    let out = certchain()
        .args(["show", "fixtures/check/nope.pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // the readable certificate is shown, the truncated block reported, and the exit code says so
    let out = certchain()
        .args([
            "show",
            "--at",
            AT,
            "fixtures/check/malformed-pem/truncated.pem",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout)
        .starts_with("certificate 1 (line 1)\n  subject    CN=good.example.test\n"));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("line 24: block CERTIFICATE starting at line 24 is truncated"));
    // The file's last line is its 33rd (a final newline does not start a 34th).
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("the file ends (line 33) before its END line"));
}
