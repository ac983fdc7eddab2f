//! The `certchain verify` command line: output, JSON shape and the 0/1/2 exit codes.

use assert_cmd::Command;
use serde_json::Value;

const SEED: &str = "fixtures/letsencrypt-2021";

fn certchain() -> Command {
    let mut c = Command::cargo_bin("certchain").expect("binary built");
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn seed_args(at: &str) -> Vec<String> {
    vec![
        "verify".into(),
        "--roots".into(),
        format!("{SEED}/dst-root-ca-x3.pem"),
        "--at".into(),
        at.into(),
        "--host".into(),
        "justcc.mengkang.net".into(),
        format!("{SEED}/cert.pem"),
    ]
}

#[test]
fn seed_chain_verifies_exit_0() {
    let out = certchain().args(seed_args("@1615689507")).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "depth=0 CN=justcc.mengkang.net\n\
         depth=1 CN=R3,O=Let's Encrypt,C=US\n\
         depth=2 CN=DST Root CA X3,O=Digital Signature Trust Co. (trust anchor)\n\
         OK\n"
    );
}

#[test]
fn rfc3339_time_is_the_same_instant() {
    let out = certchain()
        .args(seed_args("2021-03-14T02:38:27Z"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn expired_today_exit_1_with_every_depth() {
    let out = certchain()
        .args(seed_args("2026-12-01T00:00:00Z"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.matches("  error: expired: certificate expired at")
            .count(),
        3,
        "{text}"
    );
    assert!(text.ends_with(
        "error: expired at depth 0 (CN=justcc.mengkang.net): certificate expired at 2021-06-06T01:26:54Z; verification time 2026-12-01T00:00:00Z\n"
    ), "{text}");
}

#[test]
fn json_output_shape() {
    let mut args = seed_args("@1615689507");
    args.insert(1, "--format".into());
    args.insert(2, "json".into());
    let out = certchain().args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], true);
    assert_eq!(v["error"], Value::Null);
    let chain = v["chain"].as_array().unwrap();
    assert_eq!(chain.len(), 3);
    assert_eq!(chain[0]["depth"], 0);
    assert_eq!(chain[0]["subject"], "CN=justcc.mengkang.net");
    assert_eq!(chain[0]["issuer"], "CN=R3,O=Let's Encrypt,C=US");
    assert_eq!(chain[0]["not_before"], "2021-03-08T01:26:54Z");
    assert_eq!(chain[0]["not_after"], "2021-06-06T01:26:54Z");
    assert_eq!(
        chain[0]["sha256"],
        "AD6FDB2BEBEF52480450A40930919F3B20C4DE4B3240A04F71671AFCC4AC7E9C"
    );
    assert_eq!(chain[0]["san"], serde_json::json!(["justcc.mengkang.net"]));
    assert_eq!(chain[0]["trust_anchor"], false);
    assert_eq!(chain[2]["trust_anchor"], true);
    assert!(chain[0]["serial"].as_str().unwrap().len() >= 2);
    assert_eq!(chain[1]["errors"], serde_json::json!([]));

    let mut args = seed_args("2026-12-01T00:00:00Z");
    args.insert(1, "--format".into());
    args.insert(2, "json".into());
    let out = certchain().args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["error"]["kind"], "expired");
    assert_eq!(v["error"]["code"], 300);
    assert_eq!(v["error"]["depth"], 0);
    assert_eq!(v["error"]["subject"], "CN=justcc.mengkang.net");
    for d in 0..3 {
        assert_eq!(v["chain"][d]["errors"][0]["kind"], "expired", "depth {d}");
    }
}

#[test]
fn default_roots_are_mozilla() {
    let out = certchain()
        .args(["verify", "--at", "@1615689507", &format!("{SEED}/cert.pem")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("error: unknown_issuer at depth 1 (CN=R3,O=Let's Encrypt,C=US)"),
        "{text}"
    );
}

#[test]
fn chain_from_stdin() {
    let pem = std::fs::read(format!("{}/{SEED}/cert.pem", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let out = certchain()
        .args([
            "verify",
            "--roots",
            &format!("{SEED}/dst-root-ca-x3.pem"),
            "--at",
            "@1615689507",
            "-",
        ])
        .write_stdin(pem)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn wrong_host_exit_1() {
    let mut args = seed_args("@1615689507");
    args[6] = "example.org".into();
    let out = certchain().args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("error: hostname_mismatch at depth 0"));
}

fn exit_2(args: &[&str], stderr_has: &str) {
    let out = certchain().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(stderr_has), "{args:?}: {err}");
}

#[test]
fn input_and_usage_errors_exit_2() {
    exit_2(
        &["verify", "fixtures/no-such-file.pem"],
        "fixtures/no-such-file.pem: No such file",
    );
    exit_2(
        &["verify", "fixtures/bad-pem/bad-base64.pem"],
        "fixtures/bad-pem/bad-base64.pem: line 5:",
    );
    exit_2(
        &["verify", "fixtures/bad-pem/truncated.pem"],
        "line 1: block CERTIFICATE is truncated",
    );
    exit_2(
        &["verify", "fixtures/bad-pem/end-begin-same-line.pem"],
        "line 21: END and the next BEGIN on one line",
    );
    exit_2(
        &["verify", "fixtures/bad-pem/truncated.der"],
        "truncated.der: DER certificate 1 is truncated",
    );
    exit_2(
        &["verify", "fixtures/bad-pem/empty.pem"],
        "empty.pem: no certificate found",
    );
    exit_2(
        &["verify", "--at", "yesterday", "fixtures/rsa/chain.pem"],
        "--at \"yesterday\"",
    );
    exit_2(
        &["verify", "--host", "not a host", "fixtures/rsa/chain.pem"],
        "--host",
    );
    exit_2(
        &[
            "verify",
            "--roots",
            "fixtures/none.pem",
            "fixtures/rsa/chain.pem",
        ],
        "fixtures/none.pem",
    );
    exit_2(
        &[
            "verify",
            "--roots",
            "fixtures/bad-pem/empty.pem",
            "fixtures/rsa/chain.pem",
        ],
        "no certificate found",
    );
    exit_2(
        &["verify", "--eku", "bogus", "fixtures/rsa/chain.pem"],
        "--eku \"bogus\"",
    );
    exit_2(&["verify"], "CHAIN");
    exit_2(
        &["verify", "--purpose", "mail", "fixtures/rsa/chain.pem"],
        "mail",
    );
    exit_2(&["frobnicate"], "frobnicate");
    exit_2(&["verify", "fixtures"], "is a directory");
}

#[test]
fn json_input_error_is_still_json() {
    let out = certchain()
        .args([
            "verify",
            "--format",
            "json",
            "fixtures/bad-pem/truncated.pem",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["error"]["kind"], "malformed");
    assert_eq!(v["error"]["code"], 100);
}

#[test]
fn skipped_blocks_are_reported() {
    let out = certchain()
        .args([
            "verify",
            "--roots",
            "fixtures/rsa/root.pem",
            "--at",
            "@1748736000",
            "fixtures/bad-pem/with-key.pem",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("skipped a PRIVATE KEY block"), "{err}");
}

#[test]
fn options_used_by_harnesses() {
    let base = [
        "verify",
        "--roots",
        "fixtures/rsa/root.pem",
        "--at",
        "@1748736000",
    ];
    let run = |extra: &[&str]| {
        certchain()
            .args(base)
            .args(extra)
            .arg("fixtures/rsa/chain.pem")
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(run(&["--purpose", "client"]), Some(1));
    assert_eq!(run(&["--purpose", "any"]), Some(0));
    assert_eq!(run(&["--eku", "server-auth"]), Some(0));
    assert_eq!(run(&["--eku", "1.3.6.1.5.5.7.3.1"]), Some(0));
    assert_eq!(run(&["--eku", "code-signing"]), Some(1));
    assert_eq!(run(&["--max-depth", "1"]), Some(0));
    assert_eq!(run(&["--max-depth", "0"]), Some(1));
    assert_eq!(run(&["--profile", "rfc5280"]), Some(0));
}

#[test]
fn inputs_are_never_modified() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let files = [
        format!("{dir}/{SEED}/cert.pem"),
        format!("{dir}/{SEED}/dst-root-ca-x3.pem"),
    ];
    let before: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    certchain().args(seed_args("@1615689507")).output().unwrap();
    let after: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert_eq!(before, after);
}

#[test]
fn crl_option() {
    let run = |crls: &[&str], chain: &str| {
        let mut c = certchain();
        c.args([
            "verify",
            "--roots",
            "fixtures/crl/root.pem",
            "--at",
            "@1748736000",
        ]);
        for f in crls {
            c.args(["--crl", f]);
        }
        c.arg(chain).output().unwrap()
    };
    let out = run(
        &["fixtures/crl/int.crl.pem"],
        "fixtures/crl/revoked-chain.pem",
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("error: revoked at depth 0 (CN=revoked.crl.example.test): serial 1002 was revoked at 2025-04-15T00:00:00Z by CN=Certchain CRL Intermediate"), "{text}");
    let out = run(
        &[
            "fixtures/crl/int.crl.pem",
            "fixtures/crl/root-empty.crl.pem",
        ],
        "fixtures/crl/good-chain.pem",
    );
    assert_eq!(out.status.code(), Some(0));
    exit_2(
        &[
            "verify",
            "--crl",
            "fixtures/crl/garbage.crl.pem",
            "fixtures/crl/good-chain.pem",
        ],
        "fixtures/crl/garbage.crl.pem: line 1: CRL:",
    );
    exit_2(
        &[
            "verify",
            "--crl",
            "fixtures/crl/none.pem",
            "fixtures/crl/good-chain.pem",
        ],
        "fixtures/crl/none.pem",
    );
    exit_2(
        &[
            "verify",
            "--crl",
            "fixtures/rsa/root.pem",
            "fixtures/crl/good-chain.pem",
        ],
        "no X509 CRL block",
    );
}

/// CRL scope (issuingDistributionPoint): fixtures/crl/dp/ (see fixtures/generate-crl.sh). Each
/// case notes OpenSSL 3.0's `openssl verify -crl_check` verdict on the same files.
#[test]
fn crl_scope() {
    let run = |chain: &str, crls: &[&str]| {
        let mut c = certchain();
        c.args([
            "verify",
            "--roots",
            "fixtures/crl/dp/root.pem",
            "--at",
            "@1748736000",
        ]);
        for f in crls {
            c.args(["--crl", &format!("fixtures/crl/dp/{f}.crl.pem")]);
        }
        let out = c
            .arg(format!("fixtures/crl/dp/{chain}-chain.pem"))
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let ok = |chain: &str, crls: &[&str]| {
        let (code, text) = run(chain, crls);
        assert_eq!(code, Some(0), "{chain} {crls:?}: {text}");
        assert!(text.ends_with("OK\n"), "{chain} {crls:?}: {text}");
    };
    let fails = |chain: &str, crls: &[&str], line: &str| {
        let (code, text) = run(chain, crls);
        assert_eq!(code, Some(1), "{chain} {crls:?}: {text}");
        assert!(text.contains(line), "{chain} {crls:?}: {text}");
    };
    let revoked_by = |crl: &str| {
        format!(
            "error: revoked at depth 0 (CN=a-revoked.dp.example.test): serial 3002 was revoked \
             at 2025-04-15T00:00:00Z by CN=Certchain CRL-DP Intermediate (CRL \
             fixtures/crl/dp/{crl}.crl.pem: line 1)"
        )
    };
    let out_of_scope = |cn: &str| {
        format!(
            "error: revocation_unknown at depth 0 (CN={cn}): no CRL from CN=Certchain CRL-DP \
             Intermediate covers this certificate: the scope of each supplied CRL does not cover \
             it (RFC 5280 5.2.5): CRL fixtures/crl/dp/"
        )
    };
    // OpenSSL: OK
    ok("a-good", &["partA"]);
    // OpenSSL: error 23, certificate revoked
    fails("a-revoked", &["partA"], &revoked_by("partA"));
    // The bug: partition B's CRL does not list the leaf of partition A, and said OK.
    // OpenSSL: error 44, different CRL scope
    fails(
        "a-revoked",
        &["partB"],
        &format!(
            "{}partB.crl.pem: line 1 (its distribution point URI:http://crl.example.test/b.crl \
             is not one of the certificate's cRLDistributionPoints \
             URI:http://crl.example.test/a.crl)",
            out_of_scope("a-revoked.dp.example.test")
        ),
    );
    // OpenSSL: error 44, different CRL scope
    fails(
        "a-good",
        &["partB"],
        &out_of_scope("a-good.dp.example.test"),
    );
    // With the in-scope CRL too, it is the one used, in either order.
    // OpenSSL: error 23, certificate revoked / OK
    fails("a-revoked", &["partA", "partB"], &revoked_by("partA"));
    fails("a-revoked", &["partB", "partA"], &revoked_by("partA"));
    ok("a-good", &["partB", "partA"]);
    // A CRL without IDP covers every certificate of its issuer.
    // OpenSSL: error 23, certificate revoked / OK
    fails("a-revoked", &["full"], &revoked_by("full"));
    ok("nodp", &["full"]);
    // No cRLDistributionPoints: a CRL scoped to a distribution point does not cover it.
    // OpenSSL: error 44, different CRL scope
    fails(
        "nodp",
        &["partA"],
        &format!(
            "{}partA.crl.pem: line 1 (its distribution point URI:http://crl.example.test/a.crl \
             does not cover a certificate without cRLDistributionPoints)",
            out_of_scope("nodp.dp.example.test")
        ),
    );
    // onlyContainsCACerts does not cover a leaf. OpenSSL: error 44, different CRL scope
    fails(
        "a-good",
        &["ca-only"],
        &format!(
            "{}ca-only.crl.pem: line 1 (it covers only CA certificates: onlyContainsCACerts)",
            out_of_scope("a-good.dp.example.test")
        ),
    );
    // onlySomeReasons keyCompromise: a listed serial is revoked, an unlisted one is unknown (the
    // other reasons are not covered). OpenSSL: error 3, unable to get certificate CRL, for both
    // (it does not use a CRL until the reasons are complete; RFC 5280 6.3.3 (f)-(i) does).
    fails("a-revoked", &["reasons"], &revoked_by("reasons"));
    fails(
        "a-good",
        &["reasons"],
        "error: revocation_unknown at depth 0 (CN=a-good.dp.example.test): the CRLs from \
         CN=Certchain CRL-DP Intermediate cover only some revocation reasons (onlySomeReasons)",
    );
    // ... and with a full-scope CRL from the same issuer all reasons are covered. OpenSSL: OK
    ok("a-good", &["reasons", "full"]);
    // No CRL from the leaf's issuer at all: no revocation check, as before.
    let (code, text) = run("a-good", &[]);
    assert_eq!(code, Some(0), "{text}");

    // JSON: the kind, its depth and the message.
    let out = certchain()
        .args([
            "verify",
            "--roots",
            "fixtures/crl/dp/root.pem",
            "--at",
            "@1748736000",
            "--format",
            "json",
            "--crl",
            "fixtures/crl/dp/partB.crl.pem",
            "fixtures/crl/dp/a-revoked-chain.pem",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["error"]["kind"], "revocation_unknown");
    assert_eq!(v["error"]["depth"], 0);
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("scope")
            && msg.contains("its distribution point URI:http://crl.example.test/b.crl"),
        "{msg}"
    );
    assert_eq!(v["chain"][1]["errors"], serde_json::json!([]));
}

#[test]
fn client_purpose_reports_the_client_names() {
    let out = certchain()
        .args([
            "verify",
            "--roots",
            "fixtures/rsa/root.pem",
            "--at",
            "@1748736000",
            "--purpose",
            "client",
            "--eku",
            "server-auth",
            "fixtures/rsa/chain.pem",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("depth=0 CN=rsa.example.test\n  client names: DNS:rsa.example.test, DNS:*.rsa.example.test\n"), "{text}");
}

#[test]
fn a_leaf_whose_begin_does_not_start_its_line_is_an_input_error_not_skipped() {
    // Found by a newcomer's attack run: "x-----BEGIN CERTIFICATE-----" read the leaf's block as
    // prose, and R3 was then verified as if it were the leaf. OpenSSL (and nginx) skip such a
    // block; certchain says where it is.
    let chain =
        std::fs::read_to_string(format!("{}/{SEED}/cert.pem", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let path = std::env::temp_dir().join(format!("certchain-xbegin-{}.pem", std::process::id()));
    std::fs::write(&path, format!("x{chain}")).unwrap();
    let end_line = chain
        .lines()
        .position(|l| l.starts_with("-----END"))
        .unwrap()
        + 1;
    for cmd in [&["verify"][..], &["show"][..]] {
        let out = certchain()
            .args(cmd)
            .arg(&path)
            .args(
                ["--at", "@1615689507"]
                    .iter()
                    .filter(|_| cmd[0] == "verify"),
            )
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!(
                "line {end_line}: END CERTIFICATE without a BEGIN boundary at the start of a line"
            )),
            "{cmd:?}: {err}"
        );
    }
    let out = certchain()
        .args(["check", "--cert"])
        .arg(&path)
        .args(["--at", "@1615689507", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = json.to_string();
    assert!(found.contains("malformed-pem"), "{found}");
    std::fs::remove_file(&path).ok();
}

/// `--roots` honours the trust settings of TRUSTED CERTIFICATE blocks (fixtures/trust/; OpenSSL's
/// verdicts, in fixtures/trust/README.md, are the same: "error 28 at 1 depth lookup: certificate
/// rejected" where this exits 1, OK where this exits 0).
#[test]
fn trusted_certificate_settings_in_roots() {
    let run = |roots: &str, purpose: &str| {
        let out = certchain()
            .args([
                "verify",
                "--roots",
                &format!("fixtures/trust/{roots}"),
                "--at",
                "@1748736000",
                "--purpose",
                purpose,
                "fixtures/trust/leaf.pem",
            ])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap(),
        )
    };
    let refused = "error: unknown_issuer at depth 1 (CN=Certchain Trust-Settings Root): CN=Certchain Trust-Settings Root is in the trust store but its trust settings (TRUSTED CERTIFICATE) do not allow";
    // openssl x509 -addreject serverAuth -trustout
    let (code, text) = run("root-reject-server.pem", "server");
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(&format!("{refused} serverAuth: they reject serverAuth")),
        "{text}"
    );
    assert!(!text.contains("(trust anchor)"), "{text}");
    // openssl x509 -addtrust clientAuth -trustout
    let (code, text) = run("root-trust-client.pem", "server");
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "{refused} serverAuth: they trust it only for clientAuth"
        )),
        "{text}"
    );
    let (code, text) = run("root-trust-client.pem", "client");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.ends_with("(trust anchor)\nOK\n"), "{text}");
    // openssl x509 -addtrust serverAuth -trustout
    let (code, text) = run("root-trust-server.pem", "server");
    assert_eq!(code, Some(0), "{text}");
    // the plain root
    let (code, text) = run("root.pem", "server");
    assert_eq!(code, Some(0), "{text}");
}
