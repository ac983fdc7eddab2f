//! The command line on hostile paths and files: output never replaces a device, FIFO or symbolic
//! link; a FIFO in a trust-store directory is skipped, not waited on; nginx configurations
//! nested too deep or endless are refused with a message; byte-identical copies in a chain do
//! not count against the chain-size limit.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;

const AT: &str = "2025-06-01T00:00:00Z";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("certchain-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("tmp dir");
    d
}

fn mkfifo(p: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .expect("mkfifo");
    assert!(ok.success());
}

fn is_fifo(p: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_fifo())
}

/// Run the CLI from the repository root, failing the test if it takes more than 20 s.
fn run(args: &[&str]) -> Output {
    let start = Instant::now();
    let out = Command::cargo_bin("certchain")
        .expect("bin")
        .current_dir(root())
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .expect("run");
    assert!(start.elapsed() < Duration::from_secs(20), "{args:?} hung");
    out
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `verify` of the rsa/ chain at a time inside its validity, with `--roots DIR`.
fn verify_rsa_chain_with_roots(dir: &Path) -> Output {
    run(&[
        "verify",
        "--roots",
        dir.to_str().expect("utf-8"),
        "--at",
        "@1748736000",
        "--host",
        "rsa.example.test",
        "fixtures/rsa/chain.pem",
    ])
}

fn check_fix(out: &Path) -> Output {
    let out = out.to_str().expect("utf-8 path");
    run(&[
        "check",
        "--cert",
        "fixtures/check/fix-chain/messy.pem",
        "--roots",
        "fixtures/check/root.pem",
        "--at",
        AT,
        "--fix-chain",
        out,
    ])
}

#[test]
fn fix_chain_never_replaces_a_fifo() {
    let d = tmp("fifo");
    let fifo = d.join("out.pem");
    mkfifo(&fifo);
    let o = check_fix(&fifo);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("exists and is not a regular file"),
        "{}",
        stderr(&o)
    );
    assert!(is_fifo(&fifo), "the FIFO was replaced");
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn fix_chain_writes_through_a_symbolic_link() {
    // certbot's live/*.pem are links into archive/: the file is replaced, the link stays.
    let d = tmp("link");
    let real = d.join("real.pem");
    std::fs::write(&real, "old contents\n").expect("write");
    let link = d.join("link.pem");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let o = check_fix(&link);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o)); // messy.pem has findings
    assert!(std::fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    let written = std::fs::read_to_string(&real).expect("read");
    assert_eq!(written.matches("-----BEGIN CERTIFICATE-----").count(), 2);
    // The fixed chain verifies.
    let o = run(&[
        "verify",
        "--roots",
        "fixtures/check/root.pem",
        "--at",
        AT,
        real.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn a_fifo_in_a_trust_store_directory_is_skipped() {
    let d = tmp("rootsdir");
    std::fs::copy(root().join("fixtures/rsa/root.pem"), d.join("root.pem")).expect("copy");
    mkfifo(&d.join("zz.pem"));
    let o = verify_rsa_chain_with_roots(&d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The FIFO is named as skipped.
    assert!(
        stderr(&o).contains("zz.pem: not a regular file, skipped"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn a_dangling_link_in_a_trust_store_directory_is_named_as_such() {
    let d = tmp("rootsdir-dangling");
    std::fs::copy(root().join("fixtures/rsa/root.pem"), d.join("root.pem")).expect("copy");
    std::os::unix::fs::symlink(d.join("gone.pem"), d.join("old.pem")).expect("symlink");
    let o = verify_rsa_chain_with_roots(&d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("old.pem: a symbolic link to nothing (its target does not exist), skipped"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&d).ok();
}

/// A file in a `--roots` directory that does not parse is skipped (the directory's other roots
/// still verify), and the CLI says which and why on standard error.
#[test]
fn a_broken_file_in_a_trust_store_directory_is_skipped_and_named() {
    let d = tmp("rootsdir-broken");
    std::fs::copy(root().join("fixtures/rsa/root.pem"), d.join("root.pem")).expect("copy");
    std::fs::write(
        d.join("broken.pem"),
        "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
    )
    .expect("write");
    let o = verify_rsa_chain_with_roots(&d);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("note: --roots "), "{err}");
    assert!(
        err.contains("broken.pem: line 2: invalid CERTIFICATE block starting at line 1"),
        "{err}"
    );
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn nginx_blocks_nested_too_deep_are_refused() {
    let d = tmp("nginx-deep");
    let conf = d.join("nginx.conf");
    std::fs::write(&conf, "x { ".repeat(8000) + &"}".repeat(8000)).expect("write");
    let o = run(&["check", "--nginx", conf.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(":1: blocks nested more than 64 deep"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn an_endless_nginx_include_is_refused_at_the_size_limit() {
    let d = tmp("nginx-zero");
    let conf = d.join("nginx.conf");
    std::fs::write(&conf, "include /dev/zero;\n").expect("write");
    let o = run(&["check", "--nginx", conf.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "/dev/zero: larger than 16777216 bytes (included from {}:1)",
            conf.display()
        )),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn copies_of_an_intermediate_do_not_count_against_the_chain_limit() {
    let d = tmp("copies");
    let leaf = std::fs::read_to_string(root().join("fixtures/rsa/leaf.pem")).expect("leaf");
    let int = std::fs::read_to_string(root().join("fixtures/rsa/int.pem")).expect("int");
    let chain = d.join("chain.pem");
    std::fs::write(&chain, leaf + &int.repeat(300)).expect("write");
    let o = run(&[
        "verify",
        "--roots",
        "fixtures/rsa/root.pem",
        "--at",
        "@1748736000",
        "--host",
        "rsa.example.test",
        chain.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn system_roots_use_both_ssl_cert_file_and_ssl_cert_dir_like_openssl() {
    let d = tmp("sslcertdir");
    std::fs::copy(root().join("fixtures/rsa/root.pem"), d.join("rsa-root.pem")).expect("copy");
    for chain in ["fixtures/rsa/chain.pem", "fixtures/ecdsa/chain.pem"] {
        let o = Command::cargo_bin("certchain")
            .expect("bin")
            .current_dir(root())
            .env("SSL_CERT_FILE", "fixtures/ecdsa/root.pem")
            .env("SSL_CERT_DIR", &d)
            .args(["verify", "--roots", "system", "--at", "@1748736000", chain])
            .timeout(Duration::from_secs(20))
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(0), "{chain}: {}", stderr(&o));
    }
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn a_file_of_many_crl_blocks_gets_a_short_message() {
    // 100,000 CRL blocks and no certificate: the error counts them instead of naming each one.
    let d = tmp("crlblocks");
    let crl = std::fs::read_to_string(root().join("fixtures/crl/root.crl.pem")).expect("crl");
    let f = d.join("crls.pem");
    std::fs::write(&f, crl.repeat(100_000)).expect("write");
    let o = run(&["verify", "--at", "@1748736000", f.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains("no certificate found (only: 100000 × X509 CRL)"),
        "{}",
        &e[..e.len().min(500)]
    );
    assert!(e.len() < 1000, "{} bytes of error output", e.len());
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn check_and_show_read_at_most_4096_pem_blocks() {
    // 20,000 empty CERTIFICATE blocks: findings stop at the bundle limit, with a finding that
    // says so, instead of one finding per block.
    let d = tmp("empty-blocks");
    let f = d.join("empty.pem");
    std::fs::write(
        &f,
        "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n".repeat(20_000),
    )
    .expect("write");
    let path = f.to_str().expect("utf-8");
    let o = run(&["check", "--cert", path, "--at", AT]);
    assert_eq!(o.status.code(), Some(2));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("line 8193: more than 4096 PEM blocks: the rest of the file, from line 8193, is not read"),
        "{}",
        &out[out.len().saturating_sub(2000)..]
    );
    assert!(out.len() < 2_000_000, "{} bytes", out.len());
    let o = run(&["show", path]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.len() + o.stderr.len() < 2_000_000);
    let err = String::from_utf8_lossy(&o.stderr);
    // an empty block is called empty, and the closing line says only part of the file was read
    assert!(
        err.contains(
            "line 1: block CERTIFICATE starting at line 1 is empty (nothing between BEGIN and END)"
        ),
        "{}",
        &err[..err.len().min(2000)]
    );
    assert!(
        err.trim_end()
            .ends_with("empty.pem: no certificate found in the part of the file read"),
        "{}",
        &err[err.len().saturating_sub(2000)..]
    );
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn fix_chain_never_writes_into_a_trust_store_directory() {
    // Found by a newcomer's attack run: --fix-chain over the root file of a --roots directory
    // replaced the trust anchor with the leaf and intermediate. A new file in that directory
    // could become an anchor too (a directory without hash names is read as every *.pem).
    let d = tmp("fixroots");
    let anchor = d.join("root.pem");
    std::fs::copy(root().join("fixtures/check/root.pem"), &anchor).expect("copy");
    let before = std::fs::read(&anchor).expect("read");
    for target in [anchor.clone(), d.join("fullchain.pem")] {
        let o = run(&[
            "check",
            "--cert",
            "fixtures/check/fix-chain/messy.pem",
            "--roots",
            d.to_str().expect("utf-8"),
            "--at",
            AT,
            "--fix-chain",
            target.to_str().expect("utf-8"),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("is inside the trust-store directory"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(std::fs::read(&anchor).expect("read"), before);
    assert!(!d.join("fullchain.pem").exists());
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn output_that_cannot_be_written_exits_2() {
    // Found by a second attack run: `show … >/dev/full` exited 0 with nothing said, so a full
    // disk could leave a truncated report behind a success code.
    if !Path::new("/dev/full").exists() {
        return;
    }
    for args in [
        &["show", "fixtures/rsa/chain.pem"][..],
        &[
            "verify",
            "--at",
            "@1748736000",
            "--roots",
            "fixtures/rsa/root.pem",
            "fixtures/rsa/chain.pem",
        ],
        &[
            "check",
            "--format",
            "json",
            "--cert",
            "fixtures/check/good/cert.pem",
            "--roots",
            "fixtures/check/root.pem",
            "--at",
            AT,
        ],
        &["check", "--nginx", "fixtures/check/nginx/nginx.conf"],
    ] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_certchain"))
            .current_dir(root())
            .args(args)
            .stdout(full)
            .output()
            .expect("run");
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("certchain: cannot write the output: No space left on device"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn control_characters_from_nginx_configurations_and_paths_are_escaped() {
    // Found by a second attack run: server_name values and paths from the configuration, and
    // paths given on the command line, were printed with their ESC bytes.
    let d = tmp("nginx-esc");
    let conf = d.join("nginx.conf");
    std::fs::write(
        &conf,
        "http { server { listen 443 ssl; server_name a\x1b[31mred.example; \
         ssl_certificate /nonexistent/\x1b[2Jx.pem; ssl_certificate_key k.pem; } }\n",
    )
    .expect("write");
    let o = run(&["check", "--nginx", conf.to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(!text.contains('\x1b'), "{text}");
    assert!(text.contains(r"a\x1b[31mred.example"), "{text}");
    assert!(text.contains(r"/nonexistent/\x1b[2Jx.pem"), "{text}");
    let o = run(&["verify", "/nonexistent/\x1b[2Jz.pem"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(r"/nonexistent/\x1b[2Jz.pem: No such file"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&d).ok();
}

/// A `TRUSTED CERTIFICATE` block written as the certificate's base64, a `-----` line, then the
/// trust settings' base64 is refused as malformed: the PEM fast path once took the `-----` line
/// for the end of the body, dropping the trust settings (here: reject serverAuth) and so
/// trusting the root for everything (found by an attack run).
#[test]
fn a_dash_line_cannot_cut_the_trust_settings_off_a_trusted_certificate() {
    use base64::Engine as _;
    let pem = std::fs::read_to_string(root().join("fixtures/trust/root-reject-server.pem"))
        .expect("fixture");
    let (label, der) = pem_rfc7468::decode_vec(pem.as_bytes()).expect("pem");
    assert_eq!(label, "TRUSTED CERTIFICATE");
    // The certificate TLV's length (long form: 0x30 0x82 hi lo), then the trust settings.
    assert_eq!(&der[..2], &[0x30, 0x82]);
    let cert_len = 4 + usize::from(der[2]) * 256 + usize::from(der[3]);
    let (cert, aux) = der.split_at(cert_len);
    assert!(!aux.is_empty());
    let wrap = |bytes: &[u8]| -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        b64.as_bytes()
            .chunks(64)
            .map(|c| format!("{}\n", std::str::from_utf8(c).expect("ascii")))
            .collect()
    };
    let forged = format!(
        "-----BEGIN TRUSTED CERTIFICATE-----\n{}-----\n{}-----END TRUSTED CERTIFICATE-----\n",
        wrap(cert),
        wrap(aux)
    );
    let dir = tmp("dash-trust");
    let roots = dir.join("trust-strip.pem");
    std::fs::write(&roots, forged).expect("write");
    let out = run(&[
        "verify",
        "--at",
        AT,
        "--roots",
        roots.to_str().expect("utf-8"),
        "fixtures/trust/leaf.pem",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("invalid TRUSTED CERTIFICATE block starting at line 1"),
        "{}",
        stderr(&out)
    );
    // The untouched file still verifies nothing for serverAuth (the settings reject it).
    let out = run(&[
        "verify",
        "--at",
        AT,
        "--roots",
        "fixtures/trust/root-reject-server.pem",
        "fixtures/trust/leaf.pem",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}
