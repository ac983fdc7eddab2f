//! Golden tests: each `tests/golden/*.test` file names a chain, a trust store, a time, a host and
//! the expected per-depth story (`depth=N SUBJECT`, `  error: KIND`, then `OK` or
//! `error: KIND at depth N`). Optional keys: `untrusted:`, `purpose:`, `max-depth:`, `crl:`
//! (repeatable). One runner, readable diffs.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use certchain::{
    parse_time, Bundle, ChainEntry, Crl, Limits, Policy, Purpose, ServerName, TrustStore, Verifier,
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(path: &str) -> Bundle {
    let p = root().join(path);
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    Bundle::parse(&bytes, path).unwrap_or_else(|e| panic!("{e}"))
}

fn store(spec: &str) -> TrustStore {
    match spec {
        "mozilla" => TrustStore::mozilla(),
        path => TrustStore::from_file(&root().join(path)).unwrap_or_else(|e| panic!("{e}")),
    }
}

fn render(entries: &[ChainEntry], last: String) -> String {
    let mut out = String::new();
    for (d, e) in entries.iter().enumerate() {
        let anchor = if e.trust_anchor {
            " (trust anchor)"
        } else {
            ""
        };
        out += &format!("depth={d} {}{anchor}\n", e.certificate.subject());
        for err in &e.errors {
            out += &format!("  error: {}\n", err.kind);
        }
    }
    out + &last + "\n"
}

fn run(file: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let (head, expected) = text
        .split_once("expected:\n")
        .ok_or("no `expected:` section")?;
    let mut roots = None;
    let mut chain = None;
    let mut untrusted = Vec::new();
    let mut time = None;
    let mut host = None;
    let mut purpose = Purpose::ServerAuth;
    let mut max_depth = None;
    let mut crls = Vec::new();
    for line in head.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (k, v) = line.split_once(':').ok_or(format!("bad line {line:?}"))?;
        let v = v.trim();
        match k {
            "roots" => roots = Some(v.to_string()),
            "chain" => chain = Some(v.to_string()),
            "untrusted" => untrusted.push(v.to_string()),
            "time" => time = Some(parse_time(v).ok_or(format!("bad time {v}"))?),
            "host" => host = Some(v.to_string()),
            "purpose" => {
                purpose = match v {
                    "server" => Purpose::ServerAuth,
                    "client" => Purpose::ClientAuth,
                    "any" => Purpose::Any,
                    _ => return Err(format!("bad purpose {v}")),
                }
            }
            "max-depth" => max_depth = Some(v.parse::<usize>().map_err(|e| e.to_string())?),
            "crl" => {
                let bytes = std::fs::read(root().join(v)).map_err(|e| format!("{v}: {e}"))?;
                crls.extend(Crl::parse_bundle(&bytes, v).map_err(|e| e.to_string())?);
            }
            _ => return Err(format!("unknown key {k}")),
        }
    }
    let mut certs = load(&chain.ok_or("no chain")?).certificates;
    for u in &untrusted {
        certs.extend(load(u).certificates);
    }
    let mut policy = Policy::new(time.ok_or("no time")?)
        .with_purpose(purpose)
        .with_crls(crls);
    if let Some(h) = host {
        policy = policy.with_name(ServerName::parse(&h).map_err(|e| e.to_string())?);
    }
    if let Some(n) = max_depth {
        policy = policy.with_limits(Limits {
            max_intermediates: n,
            ..Limits::default()
        });
    }
    let verifier = Verifier::new(Arc::new(store(&roots.ok_or("no roots")?)));
    let actual = match verifier.verify(&certs, &policy) {
        Ok(v) => render(v.entries(), "OK".into()),
        Err(e) => render(
            e.path(),
            format!(
                "error: {} at depth {}",
                e.kind(),
                e.depth().map_or(-1, |d| d as i64)
            ),
        ),
    };
    if actual != expected {
        return Err(format!("expected:\n{expected}\nactual:\n{actual}"));
    }
    Ok(())
}

#[test]
fn golden_files() {
    let dir = root().join("tests/golden");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/golden exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|x| x == "test"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "only {} golden files", files.len());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| run(f).err().map(|e| format!("--- {}\n{e}", f.display())))
        .collect();
    assert!(
        failures.is_empty(),
        "{} golden file(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
