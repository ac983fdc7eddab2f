//! The C API from C, as a C programmer gets it: `make install` puts `libcertchain.a`,
//! `libcertchain.so`, `certchain.h` and `certchain.pc` into a temporary prefix, and the C
//! programs are built with `cc -Wall -Wextra -Werror -std=c11` against that installed header and
//! library, then run: `examples/verify.c` (output and exit codes checked), `tests/c/api_test.c`
//! (every function and error path), `tests/c/threaded_test.c` (8 threads, one shared store,
//! 4000 verifications) and `tests/c/version_test.c` (the version macros against Cargo.toml).
//! Also: the pkg-config way (shared and static), a staged install with DESTDIR and `make
//! uninstall`, and the header against what cbindgen 0.29.4 generates.
//!
//! The same C tests run under AddressSanitizer + UBSan and under Valgrind in
//! `.ci/c-sanitizers.sh` (release library), not here, to keep `cargo test` fast.
//!
//! Where the library comes from: `cargo test` builds the library only as an rlib, so the
//! Makefile's build step (`cargo rustc --lib -- --print native-static-libs`) runs from here, in
//! the same target directory and profile (`make install PROFILE=debug TARGET_DIR=...`): cargo
//! releases its lock on the build directory before it runs the tests, so this neither deadlocks
//! nor rebuilds the dependencies (a few seconds when the library is up to date, plus the
//! library's own compilation after a change).
//!
//! Without a C compiler (`$CC`, else `cc`) or `make`, these tests are skipped with a note on
//! stderr; without `pkg-config`, only the pkg-config test is. CI installs all three.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

const CFLAGS: &[&str] = &["-Wall", "-Wextra", "-Werror", "-std=c11"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn tmp() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c_example");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A note the test harness does not capture, so a skip is never silent.
fn note(msg: &str) {
    let _ = writeln!(std::io::stderr(), "c_example: {msg}");
}

fn works(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn c_compiler() -> Option<&'static str> {
    static CC: OnceLock<Option<String>> = OnceLock::new();
    CC.get_or_init(|| {
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
        if !works(&cc, "--version") {
            note(&format!(
                "SKIPPED: no C compiler ({cc}) found; the C API tests did not run"
            ));
            return None;
        }
        if !works("make", "--version") {
            note("SKIPPED: no make found; the C API tests did not run");
            return None;
        }
        Some(cc)
    })
    .as_deref()
}

/// `make` in the repository, for the target directory and profile of this test. Calls are
/// serialised: they share the build's output files.
fn make(args: &[&str]) -> Output {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let exe = std::env::current_exe().expect("the test's path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/c_example-HASH"); // -> target/<profile>
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("debug");
    let target_dir = profile_dir.parent().expect("the target directory");
    let started = std::time::Instant::now();
    let out = Command::new("make")
        .arg("-s")
        .args(args)
        .arg(format!("PROFILE={profile}"))
        .arg(format!("TARGET_DIR={}", target_dir.display()))
        .current_dir(root())
        .output()
        .expect("run make");
    assert!(
        out.status.success(),
        "make {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    note(&format!(
        "make {} took {:.1} s",
        args.join(" "),
        started.elapsed().as_secs_f64()
    ));
    out
}

/// An installed copy of the C library: the prefix, and the Libs.private of its certchain.pc.
struct Installed {
    prefix: PathBuf,
    libs_private: Vec<String>,
}

fn pc_field(pc: &str, field: &str) -> String {
    pc.lines()
        .find_map(|l| l.strip_prefix(field))
        .unwrap_or_else(|| panic!("certchain.pc has no {field} line:\n{pc}"))
        .trim()
        .to_owned()
}

/// `make install PREFIX=<tmp>/prefix`, once.
fn installed() -> &'static Installed {
    static INSTALLED: OnceLock<Installed> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let prefix = tmp().join("prefix");
        let _ = std::fs::remove_dir_all(&prefix);
        make(&["install", &format!("PREFIX={}", prefix.display())]);
        let pc = std::fs::read_to_string(prefix.join("lib/pkgconfig/certchain.pc"))
            .expect("make install wrote certchain.pc");
        let libs_private = pc_field(&pc, "Libs.private:")
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        Installed {
            prefix,
            libs_private,
        }
    })
}

/// Compile `source` (relative to the repository) into `name`, with extra flags, against the
/// installed header and static library (linked as its certchain.pc says).
fn compile(cc: &str, source: &str, name: &str, extra: &[&str]) -> PathBuf {
    let inst = installed();
    let exe = tmp().join(name);
    let output = Command::new(cc)
        .args(CFLAGS)
        .args(extra)
        .arg("-I")
        .arg(inst.prefix.join("include"))
        .arg(root().join(source))
        .arg(inst.prefix.join("lib/libcertchain.a"))
        .args(&inst.libs_private)
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

/// A chain file that does not parse is CERTCHAIN_MALFORMED with no depth: an input error, so the
/// example exits 2 like the command line, with the message naming the file and line.
#[test]
fn example_reports_a_truncated_chain_file() {
    let Some(r) = run_verify(&[ROOTS, "bad-pem/truncated.pem", HOST, T_2021]) else {
        return;
    };
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "verify: bad-pem/truncated.pem: malformed: chain: line 1: block CERTIFICATE is truncated (no END boundary)\n"
    );
    let r = run_verify(&[ROOTS, "bad-pem/truncated.der", HOST, T_2021]).unwrap();
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.starts_with(
            "verify: bad-pem/truncated.der: malformed: chain: DER certificate 1 is truncated"
        ),
        "{}",
        r.stderr
    );
    let r = run_verify(&[ROOTS, "bad-pem/empty.pem", HOST, T_2021]).unwrap();
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
}

#[test]
fn example_reports_the_2021_chain_expired_in_2026() {
    let Some(r) = run_verify(&[ROOTS, CHAIN, HOST, "1796083200"]) else {
        return;
    };
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        format!(
            "{PATH_2021}error: expired at depth 0 (CN=justcc.mengkang.net): certificate expired at \
             2021-06-06T01:26:54Z; verification time 2026-12-01T00:00:00Z\n"
        )
    );
}

#[test]
fn example_against_the_mozilla_set_lacks_dst_root_ca_x3() {
    // DST Root CA X3 left the Mozilla set: unknown_issuer at depth 1, as the CLI and Rust API say.
    let Some(r) = run_verify(&["mozilla", CHAIN, HOST, T_2021]) else {
        return;
    };
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with(
            "depth=0 CN=justcc.mengkang.net\ndepth=1 CN=R3,O=Let's Encrypt,C=US\n\
             error: unknown_issuer at depth 1 (CN=R3,O=Let's Encrypt,C=US): "
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn example_backtracks_to_the_valid_cross_signing_root() {
    let Some(r) = run_verify(&[
        "cross-signed/roots.pem",
        "cross-signed/chain.pem",
        "cross.example.test",
        "1748736000",
    ]) else {
        return;
    };
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{}", r.stdout);
    assert_eq!(
        r.stdout,
        "depth=0 CN=cross.example.test\n\
         depth=1 CN=Certchain Cross Intermediate\n\
         depth=2 CN=Certchain New Root (trust anchor)\n\
         OK\n"
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

    // an endless chain file is refused at the library's 64 MiB bundle limit (it was read until
    // the process was killed), and a directory says so
    let r = run_verify(&[ROOTS, "/dev/zero", HOST, T_2021]).unwrap();
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr, "verify: /dev/zero: File too large\n");
    let r = run_verify(&[ROOTS, "/tmp", HOST, T_2021]).unwrap();
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr, "verify: /tmp: Is a directory\n");

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
            r.stderr
                .contains("usage: verify ROOTS.pem|mozilla CHAIN.pem"),
            "{args:?}: {}",
            r.stderr
        );
    }
}

/// Run a C test program, which must exit 0 and print `expect` on its first line.
fn run_c_test(exe: &Path, args: &[&Path], expect: &str) {
    let out = Command::new(exe).args(args).output().expect("run a C test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} failed ({}):\n{stdout}{stderr}",
        exe.display(),
        out.status
    );
    assert!(stdout.contains(expect), "{stdout}");
}

#[test]
fn api_test_passes() {
    let Some(cc) = c_compiler() else { return };
    let exe = compile(cc, "tests/c/api_test.c", "api_test", &[]);
    run_c_test(
        &exe,
        &[&root().join("fixtures"), &root().join("tests/c/data")],
        " checks passed",
    );
}

#[test]
fn threaded_test_passes() {
    let Some(cc) = c_compiler() else { return };
    let exe = compile(
        cc,
        "tests/c/threaded_test.c",
        "threaded_test",
        &["-pthread"],
    );
    run_c_test(
        &exe,
        &[&root().join("fixtures")],
        "threaded_test: 4000 verifications in 8 threads sharing one store passed",
    );
}

/// The version macros, evaluated by the C preprocessor and compiler, and certchain_version(),
/// against Cargo.toml.
#[test]
fn version_macros_match_cargo_toml() {
    let Some(cc) = c_compiler() else { return };
    let major: u32 = env!("CARGO_PKG_VERSION_MAJOR").parse().unwrap();
    let minor: u32 = env!("CARGO_PKG_VERSION_MINOR").parse().unwrap();
    let patch: u32 = env!("CARGO_PKG_VERSION_PATCH").parse().unwrap();
    let number = major * 10000 + minor * 100 + patch;
    let define = format!("-DEXPECTED_NUMBER={number}");
    let exe = compile(cc, "tests/c/version_test.c", "version_test", &[&define]);
    let out = Command::new(&exe).output().expect("run version_test");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "{major} {minor} {patch} {number} {}\n",
            env!("CARGO_PKG_VERSION")
        )
    );
}

/// What `make install` puts where, with DESTDIR staging, and `make uninstall`.
#[test]
fn make_install_layout_and_uninstall() {
    if c_compiler().is_none() {
        return;
    }
    let stage = tmp().join("stage");
    let _ = std::fs::remove_dir_all(&stage);
    let dest = format!("DESTDIR={}", stage.display());
    make(&["install", "PREFIX=/opt/certchain", &dest]);
    let files = [
        "lib/libcertchain.a",
        "lib/libcertchain.so",
        "include/certchain.h",
        "lib/pkgconfig/certchain.pc",
    ];
    let base = stage.join("opt/certchain");
    for f in files {
        assert!(base.join(f).is_file(), "{f} was not installed");
    }
    assert_eq!(
        std::fs::read(base.join("include/certchain.h")).unwrap(),
        std::fs::read(root().join("include/certchain.h")).unwrap()
    );
    let pc = std::fs::read_to_string(base.join("lib/pkgconfig/certchain.pc")).unwrap();
    assert_eq!(pc_field(&pc, "prefix="), "/opt/certchain", "{pc}");
    assert_eq!(pc_field(&pc, "libdir="), "/opt/certchain/lib", "{pc}");
    assert_eq!(pc_field(&pc, "Version:"), env!("CARGO_PKG_VERSION"), "{pc}");
    assert_eq!(pc_field(&pc, "Libs:"), "-L${libdir} -lcertchain", "{pc}");
    let private = pc_field(&pc, "Libs.private:");
    assert!(
        private.contains("-lpthread") && private.contains("-ldl") && !private.contains('@'),
        "{pc}"
    );

    make(&["uninstall", "PREFIX=/opt/certchain", &dest]);
    for f in files {
        assert!(!base.join(f).exists(), "{f} is still there after uninstall");
    }
}

/// A program built the pkg-config way: `pkg-config --cflags --libs certchain` links the shared
/// library (the program needs it at run time); `pkg-config --static --cflags --libs certchain`
/// against a `make install-static` prefix links the archive (the program runs alone).
#[test]
fn pkg_config_shared_and_static() {
    let Some(cc) = c_compiler() else { return };
    if !works("pkg-config", "--version") {
        note("SKIPPED pkg-config test: pkg-config not found");
        return;
    }
    let pkg_config = |prefix: &Path, args: &[&str]| -> Vec<String> {
        let out = Command::new("pkg-config")
            .args(args)
            .arg("certchain")
            .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
            .output()
            .expect("run pkg-config");
        assert!(out.status.success(), "pkg-config {args:?} failed");
        String::from_utf8(out.stdout)
            .unwrap()
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    };
    let build = |flags: &[String], name: &str| -> PathBuf {
        let exe = tmp().join(name);
        let out = Command::new(cc)
            .args(CFLAGS)
            .arg(root().join("examples/verify.c"))
            .args(flags)
            .arg("-o")
            .arg(&exe)
            .output()
            .expect("run the C compiler");
        assert!(
            out.status.success(),
            "{cc} {flags:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        exe
    };
    let run = |exe: &Path, lib_dir: Option<&Path>| -> Output {
        let mut cmd = Command::new(exe);
        cmd.args([ROOTS, CHAIN, HOST, T_2021])
            .current_dir(root().join("fixtures"))
            .env_remove("LD_LIBRARY_PATH");
        if let Some(dir) = lib_dir {
            cmd.env("LD_LIBRARY_PATH", dir);
        }
        cmd.output().expect("run verify")
    };

    // Shared: both libraries installed; -lcertchain picks the .so.
    let both = &installed().prefix;
    let flags = pkg_config(both, &["--cflags", "--libs"]);
    assert!(flags.contains(&"-lcertchain".to_owned()), "{flags:?}");
    let exe = build(&flags, "verify_shared");
    let out = run(&exe, None);
    assert!(
        !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("libcertchain.so"),
        "linked dynamically, it needs libcertchain.so at run time: {out:?}"
    );
    let out = run(&exe, Some(&both.join("lib")));
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("OK\n"));

    // Static: only the archive installed; Libs.private brings the system libraries.
    let static_prefix = tmp().join("prefix-static");
    let _ = std::fs::remove_dir_all(&static_prefix);
    make(&[
        "install-static",
        &format!("PREFIX={}", static_prefix.display()),
    ]);
    assert!(!static_prefix.join("lib/libcertchain.so").exists());
    let flags = pkg_config(&static_prefix, &["--static", "--cflags", "--libs"]);
    assert!(flags.contains(&"-ldl".to_owned()), "{flags:?}");
    let exe = build(&flags, "verify_static");
    let out = run(&exe, None);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("OK\n"));
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
