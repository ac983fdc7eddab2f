//! x509-limbo conformance: every testcase of `LIMBO_JSON` (default `../shared/limbo/limbo-dev.json`)
//! through the Rust API. A result that differs from the expectation fails the test unless the case
//! is listed in `tests/limbo-exceptions.json` with a reason; a listed case that now matches fails
//! too, so the file stays true. An entry with `"skip": true` is a feature certchain decided not to
//! support: the case still runs (and fails the test if its verdict changes), but is reported as
//! SKIPPED; at most 5 may be. `LIMBO_RESULTS=path` writes a limbo results file for `score.py`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use certchain::{
    parse_time, policy::eku, Bundle, Crl, Limits, Policy, Profile, Purpose, ServerName, TrustStore,
    Verifier,
};
use serde_json::{json, Value};

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The verdict for one testcase: (SUCCESS | FAILURE | SKIPPED, context).
fn run_case(tc: &Value) -> (&'static str, String) {
    match try_case(tc) {
        Ok(()) => ("SUCCESS", "verified".into()),
        Err(e) => ("FAILURE", e),
    }
}

fn pems(tc: &Value, key: &str) -> String {
    tc[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("")
        })
        .unwrap_or_default()
}

fn try_case(tc: &Value) -> Result<(), String> {
    try_case_with(tc, None)
}

fn try_case_with(tc: &Value, profile: Option<Profile>) -> Result<(), String> {
    let id = tc["id"].as_str().unwrap_or_default();
    let mut store = TrustStore::new();
    store
        .add_bundle(pems(tc, "trusted_certs").as_bytes(), "trusted_certs")
        .map_err(|e| e.to_string())?;
    let leaf = Bundle::parse(
        tc["peer_certificate"]
            .as_str()
            .unwrap_or_default()
            .as_bytes(),
        "peer_certificate",
    )
    .map_err(|e| e.to_string())?;
    let mut chain = leaf.certificates;
    let inter = pems(tc, "untrusted_intermediates");
    if !inter.is_empty() {
        chain.extend(
            Bundle::parse(inter.as_bytes(), "untrusted_intermediates")
                .map_err(|e| e.to_string())?
                .certificates,
        );
    }
    let time = match tc["validation_time"].as_str() {
        Some(t) => parse_time(t).ok_or(format!("bad validation_time {t}"))?,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    };
    let client = tc["validation_kind"] == "CLIENT";
    let mut policy = Policy::new(time).with_purpose(if client {
        Purpose::ClientAuth
    } else {
        Purpose::ServerAuth
    });
    let conflicts = tc["conflicts_with"]
        .as_array()
        .is_some_and(|a| !a.is_empty());
    let incompatible = tc["features"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == "rfc5280-incompatible-with-webpki"));
    if id.starts_with("rfc5280::") && (conflicts || incompatible) {
        policy = policy.with_profile(Profile::Rfc5280);
    }
    if let Some(p) = profile {
        policy = policy.with_profile(p);
    }
    if let Some(pn) = tc["expected_peer_name"].as_object() {
        if matches!(pn["kind"].as_str(), Some("DNS" | "IP")) {
            let v = pn["value"].as_str().unwrap_or_default();
            policy = policy.with_name(ServerName::parse(v).map_err(|e| e.to_string())?);
        }
    }
    if let Some(ekus) = tc["extended_key_usage"]
        .as_array()
        .filter(|a| !a.is_empty())
    {
        let oids = ekus
            .iter()
            .map(|e| {
                let name = e.as_str().unwrap_or_default();
                eku::parse(name).ok_or(format!("unknown EKU {name}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        policy = policy.with_required_ekus(oids);
    }
    let crls = pems(tc, "crls");
    if !crls.is_empty() {
        policy = policy
            .with_crls(Crl::parse_bundle(crls.as_bytes(), "crls").map_err(|e| e.to_string())?);
    }
    if let Some(d) = tc["max_chain_depth"].as_u64() {
        policy = policy.with_limits(Limits {
            max_intermediates: d as usize,
            ..Limits::default()
        });
    }
    let verified = Verifier::new(Arc::new(store))
        .verify(&chain, &policy)
        .map_err(|e| e.to_string())?;
    if client {
        if let Some(names) = tc["expected_peer_names"].as_array() {
            let sans: Vec<String> = verified.entries()[0]
                .certificate
                .subject_alt_names()
                .unwrap_or_default()
                .iter()
                .map(|n| n.to_string().to_lowercase())
                .collect();
            for want in names {
                let v = want["value"].as_str().unwrap_or_default().to_lowercase();
                if !sans
                    .iter()
                    .any(|s| s.split_once(':').is_some_and(|(_, x)| x == v))
                {
                    return Err(format!("peer name {v} not among the leaf's SANs {sans:?}"));
                }
            }
        }
    }
    Ok(())
}

/// A listed divergence: the result certchain gives, whether it is reported as skipped, and why.
struct Exception {
    actual: String,
    skip: bool,
    reason: String,
}

/// The most cases that may be reported as skipped (the bound).
const MAX_SKIPPED: usize = 5;

/// `tests/limbo-exceptions.json`: `{"case id": {"actual": "SUCCESS"|"FAILURE", "skip": bool?,
/// "reason": "..."}}`; every entry needs a reason of some substance.
fn exceptions() -> BTreeMap<String, Exception> {
    let doc: Value = serde_json::from_slice(
        &std::fs::read(manifest().join("tests/limbo-exceptions.json")).expect("exceptions file"),
    )
    .expect("exceptions JSON");
    doc.as_object()
        .expect("an object keyed by case id")
        .iter()
        .map(|(id, v)| {
            let actual = v["actual"].as_str().expect("actual").to_string();
            assert!(actual == "SUCCESS" || actual == "FAILURE", "{id}: actual");
            let reason = v["reason"].as_str().unwrap_or_default();
            assert!(
                reason.len() >= 40,
                "{id}: the exception needs a real reason"
            );
            let skip = v["skip"].as_bool().unwrap_or(false);
            (
                id.clone(),
                Exception {
                    actual,
                    skip,
                    reason: reason.to_string(),
                },
            )
        })
        .collect()
}

#[test]
fn limbo() {
    let path = std::env::var_os("LIMBO_JSON")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest().join("../shared/limbo/limbo-dev.json"));
    let Ok(bytes) = std::fs::read(&path) else {
        assert!(
            std::env::var_os("CI").is_none() && std::env::var_os("LIMBO_JSON").is_none(),
            "limbo suite not found at {}",
            path.display()
        );
        eprintln!(
            "SKIPPED: limbo suite not found at {} (set LIMBO_JSON)",
            path.display()
        );
        return;
    };
    let suite: Value = serde_json::from_slice(&bytes).expect("limbo JSON");
    let cases = suite["testcases"].as_array().expect("testcases");
    let exceptions: BTreeMap<String, Exception> = exceptions();

    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = cases.len().div_ceil(threads).max(1);
    let results: Vec<(String, &'static str, String, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|tc| {
                            let (r, ctx) = run_case(tc);
                            let expected = tc["expected_result"]
                                .as_str()
                                .unwrap_or_default()
                                .to_string();
                            (
                                tc["id"].as_str().unwrap_or_default().to_string(),
                                r,
                                ctx,
                                expected,
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("no panic in a case"))
            .collect()
    });

    if let Some(out) = std::env::var_os("LIMBO_RESULTS") {
        let doc = json!({
            "version": 1,
            "harness": "certchain",
            "results": results.iter().map(|(id, r, ctx, _)| match exceptions.get(id) {
                // A feature certchain decided not to support: reported as skipped, with why (the
                // verdict itself is still checked below).
                Some(x) if x.skip => json!({"id": id, "actual_result": "SKIPPED", "context": format!("{} (certchain's verdict: {r})", x.reason)}),
                _ => json!({"id": id, "actual_result": r, "context": ctx}),
            }).collect::<Vec<_>>(),
        });
        std::fs::write(&out, serde_json::to_vec_pretty(&doc).expect("json"))
            .expect("write results");
    }

    let mut unexpected = Vec::new();
    let mut stale = Vec::new();
    let (mut fa, mut fr) = (0, 0);
    for (id, actual, ctx, expected) in &results {
        let differs = actual != expected;
        match (differs, exceptions.get(id)) {
            (true, Some(x)) if x.actual != *actual => {
                unexpected.push(format!(
                    "{id}: listed as giving {}, got {actual} ({ctx})",
                    x.actual
                ));
            }
            (true, None) => {
                if actual == &"SUCCESS" {
                    fa += 1
                } else {
                    fr += 1
                }
                unexpected.push(format!("{id}: expected {expected}, got {actual} ({ctx})"));
            }
            (false, Some(_)) => stale.push(id.clone()),
            _ => {}
        }
    }
    let skipped: Vec<&String> = exceptions
        .iter()
        .filter(|(_, x)| x.skip)
        .map(|(id, _)| id)
        .collect();
    eprintln!(
        "limbo: {} cases, {} unexpected ({fa} false accepts, {fr} false rejects), {} listed exceptions, {} of them skipped",
        results.len(),
        unexpected.len(),
        exceptions.len(),
        skipped.len()
    );
    assert!(
        skipped.len() <= MAX_SKIPPED,
        "at most {MAX_SKIPPED} cases may be skipped: {skipped:?}"
    );
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} unexpected result(s):\n{}\n{} exception(s) that now match (remove them): {:?}",
        unexpected.len(),
        unexpected.join("\n"),
        stale.len(),
        stale
    );
}

/// The skipped pathlen case is a CA used as a leaf: refused under the WebPKI profile (a feature
/// certchain decided not to support), it verifies under the RFC 5280 profile, as the case expects.
#[test]
fn ca_leaf_pathlen_case_verifies_under_rfc5280() {
    let path = std::env::var_os("LIMBO_JSON")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest().join("../shared/limbo/limbo-dev.json"));
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("SKIPPED: limbo suite not found at {}", path.display());
        return;
    };
    let suite: Value = serde_json::from_slice(&bytes).expect("limbo JSON");
    let tc = suite["testcases"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|t| t["id"] == "pathlen::validation-ignores-pathlen-in-leaf")
        })
        .expect("case present");
    assert_eq!(try_case_with(tc, Some(Profile::Rfc5280)), Ok(()));
    let webpki = try_case_with(tc, Some(Profile::WebPki)).unwrap_err();
    assert!(
        webpki.contains("the end-entity certificate is a CA"),
        "{webpki}"
    );
}
