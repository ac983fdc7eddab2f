//! The C API from C: builds `examples/verify.c` and `tests/c/api_test.c` with
//! `cc -Wall -Wextra -Werror -std=c11` against `libcertchain.a`, runs them and checks their output
//! and exit codes. Also checks that `include/certchain.h` is what cbindgen 0.29.4 generates.
//!
//! Where the static library comes from: `cargo test` builds the library only as an rlib, so it
//! does not refresh `target/debug/libcertchain.a`. The test therefore runs `cargo build --lib`
//! itself, in the same target directory and profile: cargo releases its lock on the build
//! directory before it runs the tests, so this neither deadlocks nor rebuilds the dependencies
//! (measured with cargo 1.95: about 2 s when the library is up to date, plus the library's own
//! compilation after a change; a separate target directory instead cost 80 s on first use).
//!
//! Without a C compiler (`$CC`, else `cc`), the C tests are skipped with a note on stderr.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// What `cargo rustc -q --lib --crate-type staticlib -- --print native-static-libs` prints for
/// x86_64-unknown-linux-gnu (Rust 1.95): the system libraries libcertchain.a needs.
const NATIVE_STATIC_LIBS: &str =
    "-lc -lm -lrt -lpthread -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc";

const CFLAGS: &[&str] = &["-Wall", "-Wextra", "-Werror", "-std=c11"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A note the test harness does not capture, so a skip is never silent.
fn note(msg: &str) {
    let _ = writeln!(std::io::stderr(), "c_example: {msg}");
}

fn c_compiler() -> Option<&'static str> {
    static CC: OnceLock<Option<String>> = OnceLock::new();
    CC.get_or_init(|| {
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
        match Command::new(&cc).arg("--version").output() {
            Ok(o) if o.status.success() => Some(cc),
            _ => {
                note(&format!(
                    "SKIPPED: no C compiler ({cc}) found; the C API tests did not run"
                ));
                None
            }
        }
    })
    .as_deref()
}

/// `libcertchain.a`, brought up to date by `cargo build --lib` in the target directory and
/// profile of this test.
fn staticlib() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test's path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>/deps/c_example-HASH"); // -> target/<profile>
        let profile = profile_dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("debug");
        let mut args = vec!["build", "--lib", "--quiet"];
        match profile {
            "debug" => {}
            "release" => args.push("--release"),
            other => args.extend(["--profile", other]),
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let started = std::time::Instant::now();
        let status = Command::new(&cargo)
            .args(&args)
            .current_dir(root())
            .status()
            .expect("run cargo build --lib");
        assert!(status.success(), "{cargo} {args:?} failed");
        let lib = profile_dir.join("libcertchain.a");
        assert!(
            lib.is_file(),
            "{} was not built (cross-compiling?)",
            lib.display()
        );
        note(&format!(
            "cargo {} took {:.1} s; using {}",
            args.join(" "),
            started.elapsed().as_secs_f64(),
            lib.display()
        ));
        lib
    })
}

/// Compile `source` (relative to the repository) into `name`, with extra flags; the library,
/// the include directory and the native libraries are added here.
fn compile(cc: &str, source: &str, name: &str, extra: &[&str]) -> PathBuf {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c_example");
    std::fs::create_dir_all(&out_dir).unwrap();
    let exe = out_dir.join(name);
    let output = Command::new(cc)
        .args(CFLAGS)
        .args(extra)
        .arg("-I")
        .arg(root().join("include"))
        .arg(root().join(source))
        .arg(staticlib())
        .args(NATIVE_STATIC_LIBS.split_whitespace())
        .arg("-o")
        .arg(&exe)
        .output()
        .expect("run the C compiler");
    assert!(
        output.status.success(),
        "{cc} {source} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    exe
}

fn verify_exe() -> Option<&'static Path> {
    let cc = c_compiler()?;
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    Some(EXE.get_or_init(|| compile(cc, "examples/verify.c", "verify", &[])))
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_verify(args: &[&str]) -> Option<Run> {
    let exe = verify_exe()?;
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(exe)
        .args(args)
        .current_dir(root().join("fixtures"))
        .output()
        .expect("run verify");
    Some(Run {
        code: status.code().expect("verify exited normally"),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    })
}

const ROOTS: &str = "letsencrypt-2021/dst-root-ca-x3.pem";
const CHAIN: &str = "letsencrypt-2021/cert.pem";
const HOST: &str = "justcc.mengkang.net";
const T_2021: &str = "1615689507"; // 2021-03-14T02:38:27Z
const T_2025_12: &str = "1764547200"; // 2025-12-01T00:00:00Z

const PATH_2021: &str = "depth=0 CN=justcc.mengkang.net\n\
                         depth=1 CN=R3,O=Let's Encrypt,C=US\n\
                         depth=2 CN=DST Root CA X3,O=Digital Signature Trust Co. (trust anchor)\n";

#[test]
fn example_verifies_the_2021_chain() {
    let Some(r) = run_verify(&[ROOTS, CHAIN, HOST, T_2021]) else {
        return;
    };
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{}", r.stdout);
    assert_eq!(r.stdout, format!("{PATH_2021}OK\n"));
    // "-" for no host
    let r = run_verify(&[ROOTS, CHAIN, "-", T_2021]).unwrap();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn example_reports_the_expired_leaf() {
    let Some(r) = run_verify(&[ROOTS, CHAIN, HOST, T_2025_12]) else {
        return;
    };
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "{PATH_2021}error: expired at depth 0 (CN=justcc.mengkang.net): certificate expired at \
             2021-06-06T01:26:54Z; verification time 2025-12-01T00:00:00Z\n"
        )
    );
}

#[test]
fn example_reports_the_wrong_host() {
    let Some(r) = run_verify(&[ROOTS, CHAIN, "wrong.example.com", T_2021]) else {
        return;
    };
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with(PATH_2021), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("\nerror: hostname_mismatch at depth 0 (CN=justcc.mengkang.net): "),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("wrong.example.com"), "{}", r.stdout);
}

/// A chain file that does not parse is a verdict of certchain_verify (CERTCHAIN_MALFORMED), so
/// the example exits 1 ("not verified"), with the message naming the line.
#[test]
fn example_reports_a_truncated_chain_file() {
    let Some(r) = run_verify(&[ROOTS, "bad-pem/truncated.pem", HOST, T_2021]) else {
        return;
    };
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        "error: malformed: chain: line 1: block CERTIFICATE is truncated (no END boundary)\n"
    );
    let r = run_verify(&[ROOTS, "bad-pem/truncated.der", HOST, T_2021]).unwrap();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .starts_with("error: malformed: chain: DER certificate 1 is truncated"),
        "{}",
        r.stdout
    );
}

#[test]
fn example_input_errors_exit_2() {
    let Some(r) = run_verify(&["no-such-roots.pem", CHAIN, HOST, T_2021]) else {
        return;
    };
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr
            .starts_with("verify: certchain_store_from_file: io: no-such-roots.pem: "),
        "{}",
        r.stderr
    );

    let r = run_verify(&[ROOTS, "no-such-chain.pem", HOST, T_2021]).unwrap();
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("verify: no-such-chain.pem: "),
        "{}",
        r.stderr
    );

    // a trust store without certificates
    let r = run_verify(&["bad-pem/empty.pem", CHAIN, HOST, T_2021]).unwrap();
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("malformed: bad-pem/empty.pem: no certificate found"),
        "{}",
        r.stderr
    );

    // a host the library refuses
    let r = run_verify(&[ROOTS, CHAIN, "not a host", T_2021]).unwrap();
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .starts_with("verify: certchain_verify: invalid_argument: "),
        "{}",
        r.stderr
    );

    // usage
    for args in [
        &[][..],
        &[ROOTS],
        &[ROOTS, CHAIN, HOST, "soon"],
        &[ROOTS, CHAIN, HOST, "-1"],
    ] {
        let r = run_verify(args).unwrap();
        assert_eq!(r.code, 2, "{args:?}");
        assert!(
            r.stderr.contains("usage: verify ROOTS.pem CHAIN.pem"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

fn run_api_test(exe: &Path, wrapper: &[&str]) {
    let (program, args) = match wrapper.split_first() {
        Some((w, rest)) => (Path::new(w), rest.to_vec()),
        None => (exe, Vec::new()),
    };
    let mut cmd = Command::new(program);
    cmd.args(args);
    if !wrapper.is_empty() {
        cmd.arg(exe);
    }
    let out = cmd
        .arg(root().join("fixtures"))
        .output()
        .expect("run api_test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "api_test {wrapper:?} failed ({}):\n{stdout}{stderr}",
        out.status
    );
    assert!(
        stdout.starts_with("api_test: ") && stdout.contains(" checks passed"),
        "{stdout}"
    );
}

#[test]
fn api_test_passes() {
    let Some(cc) = c_compiler() else { return };
    let exe = compile(cc, "tests/c/api_test.c", "api_test", &[]);
    run_api_test(&exe, &[]);

    // Under Valgrind, when installed: no invalid access, no leak.
    match Command::new("valgrind").arg("--version").output() {
        Ok(o) if o.status.success() => run_api_test(
            &exe,
            &[
                "valgrind",
                "-q",
                "--error-exitcode=9",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite,indirect,possible",
            ],
        ),
        _ => note("valgrind not found: api_test ran without it"),
    }
}

#[test]
fn api_test_passes_under_sanitizers() {
    let Some(cc) = c_compiler() else { return };
    // Probe: the toolchain may lack the sanitizer runtimes.
    let probe_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c_example");
    std::fs::create_dir_all(&probe_dir).unwrap();
    let probe = probe_dir.join("probe.c");
    std::fs::write(&probe, "int main(void) { return 0; }\n").unwrap();
    let flags = [
        "-fsanitize=address,undefined",
        "-fno-sanitize-recover=all",
        "-g",
    ];
    let ok = Command::new(cc)
        .args(flags)
        .arg(&probe)
        .arg("-o")
        .arg(probe_dir.join("probe"))
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        note(&format!(
            "SKIPPED: {cc} cannot build with {flags:?}; api_test ran without sanitizers"
        ));
        return;
    }
    let exe = compile(cc, "tests/c/api_test.c", "api_test_asan", &flags);
    run_api_test(&exe, &[]);
}

/// The committed header is what the pinned cbindgen makes of the sources (checked when that
/// cbindgen is installed; CI should install it and run this).
#[test]
fn header_is_generated_by_cbindgen_0_29_4() {
    let version = Command::new("cbindgen").arg("--version").output();
    let version = match &version {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
        _ => {
            note("SKIPPED header check: cbindgen not found (cargo install cbindgen --version 0.29.4 --locked)");
            return;
        }
    };
    if version != "cbindgen 0.29.4" {
        note(&format!(
            "SKIPPED header check: found {version}, the header is pinned to cbindgen 0.29.4"
        ));
        return;
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("certchain.h");
    let status = Command::new("cbindgen")
        .args([
            "--config",
            "cbindgen.toml",
            "--crate",
            "certchain",
            "--quiet",
            "--output",
        ])
        .arg(&out)
        .current_dir(root())
        .status()
        .expect("run cbindgen");
    assert!(status.success(), "cbindgen failed");
    let generated = std::fs::read_to_string(&out).unwrap();
    let committed = std::fs::read_to_string(root().join("include/certchain.h")).unwrap();
    assert!(
        generated == committed,
        "include/certchain.h is stale: run `cbindgen --config cbindgen.toml --crate certchain \
         --output include/certchain.h`"
    );
}
