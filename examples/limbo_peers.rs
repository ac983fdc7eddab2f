//! The peers certchain is compared with, run on x509-limbo here: rustls-webpki 0.103 (`ALL_VERIFICATION_ALGS`: ring and aws-lc-rs) and
//! the system's OpenSSL 3 (the `openssl` crate: `X509_STORE_CTX` with `X509_V_FLAG_X509_STRICT`).
//! Writes a limbo results file for each, which `tests/conformance.sh` scores with the suite's
//! `score.py` to put their per-namespace numbers beside certchain's in CONFORMANCE.md.
//!
//!     cargo run --release --example limbo_peers -- LIMBO_JSON WEBPKI_RESULTS OPENSSL_RESULTS
//!
//! Each harness runs what its verifier can express and reports the rest as SKIPPED with the
//! reason (rustls-webpki: no maximum chain depth, CRLs not wired here, EKUs other than the
//! purpose's; OpenSSL: EKUs other than the purpose's).

use std::time::Duration;

use openssl::stack::Stack;
use openssl::x509::store::{X509Lookup, X509StoreBuilder};
use openssl::x509::verify::{X509VerifyFlags, X509VerifyParam};
use openssl::x509::{X509PurposeId, X509StoreContext, X509};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, UnixTime};
use serde_json::{json, Value};
use webpki::{anchor_from_trusted_cert, EndEntityCert, KeyUsage};

type Verdict = (&'static str, String);

fn pems(tc: &Value, key: &str) -> Vec<String> {
    tc[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn time(tc: &Value) -> u64 {
    tc["validation_time"]
        .as_str()
        .and_then(certchain::parse_time)
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        })
}

fn client(tc: &Value) -> bool {
    tc["validation_kind"] == "CLIENT"
}

/// Whether the case asks for EKUs beyond the purpose's own (serverAuth / clientAuth).
fn custom_eku(tc: &Value) -> bool {
    let own = if client(tc) {
        "clientAuth"
    } else {
        "serverAuth"
    };
    tc["extended_key_usage"]
        .as_array()
        .is_some_and(|a| a.iter().any(|e| e.as_str() != Some(own)))
}

fn peer_name(tc: &Value) -> Option<(String, String)> {
    let pn = tc["expected_peer_name"].as_object()?;
    let kind = pn.get("kind")?.as_str()?.to_string();
    let value = pn.get("value")?.as_str()?.to_string();
    matches!(kind.as_str(), "DNS" | "IP").then_some((kind, value))
}

fn webpki_case(tc: &Value) -> Verdict {
    if tc["max_chain_depth"].as_u64().is_some() {
        return ("SKIPPED", "no maximum chain depth in rustls-webpki".into());
    }
    if !pems(tc, "crls").is_empty() {
        return ("SKIPPED", "CRLs are not wired in this harness".into());
    }
    if custom_eku(tc) {
        return ("SKIPPED", "EKUs other than the purpose's".into());
    }
    let ders = |key: &str| -> Result<Vec<CertificateDer<'static>>, String> {
        pems(tc, key)
            .iter()
            .map(|p| CertificateDer::from_pem_slice(p.as_bytes()).map_err(|e| format!("{e:?}")))
            .collect()
    };
    let run = || -> Result<(), String> {
        let roots = ders("trusted_certs")?;
        let anchors: Vec<_> = roots
            .iter()
            .map(|c| {
                anchor_from_trusted_cert(c)
                    .map(|a| a.to_owned())
                    .map_err(|e| format!("anchor: {e:?}"))
            })
            .collect::<Result<_, _>>()?;
        let ints = ders("untrusted_intermediates")?;
        let leaf = CertificateDer::from_pem_slice(
            tc["peer_certificate"]
                .as_str()
                .unwrap_or_default()
                .as_bytes(),
        )
        .map_err(|e| format!("{e:?}"))?;
        let ee = EndEntityCert::try_from(&leaf).map_err(|e| format!("leaf: {e:?}"))?;
        let usage = if client(tc) {
            KeyUsage::client_auth()
        } else {
            KeyUsage::server_auth()
        };
        ee.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &anchors,
            &ints,
            UnixTime::since_unix_epoch(Duration::from_secs(time(tc))),
            usage,
            None,
            None,
        )
        .map_err(|e| format!("{e:?}"))?;
        if let Some((_, value)) = peer_name(tc) {
            let name = rustls_pki_types::ServerName::try_from(value.as_str())
                .map_err(|e| format!("name: {e:?}"))?;
            ee.verify_is_valid_for_subject_name(&name)
                .map_err(|e| format!("{e:?}"))?;
        }
        Ok(())
    };
    match run() {
        Ok(()) => ("SUCCESS", "verified".into()),
        Err(e) => ("FAILURE", e),
    }
}

fn openssl_case(tc: &Value, scratch: &std::path::Path) -> Verdict {
    if custom_eku(tc) {
        return ("SKIPPED", "EKUs other than the purpose's".into());
    }
    let run = || -> Result<(), String> {
        let err = |e: openssl::error::ErrorStack| e.to_string();
        let mut b = X509StoreBuilder::new().map_err(err)?;
        for p in pems(tc, "trusted_certs") {
            let _ = b.add_cert(X509::from_pem(p.as_bytes()).map_err(err)?);
        }
        let mut flags = X509VerifyFlags::X509_STRICT;
        let crls = pems(tc, "crls");
        if !crls.is_empty() {
            let id = tc["id"].as_str().unwrap_or("case").replace([':', '/'], "_");
            let path = scratch.join(format!("{id}.crl.pem"));
            std::fs::write(&path, crls.concat()).map_err(|e| e.to_string())?;
            b.add_lookup(X509Lookup::file())
                .map_err(err)?
                .load_crl_file(&path, openssl::ssl::SslFiletype::PEM)
                .map_err(err)?;
            flags |= X509VerifyFlags::CRL_CHECK | X509VerifyFlags::CRL_CHECK_ALL;
        }
        let mut param = X509VerifyParam::new().map_err(err)?;
        param.set_time(time(tc) as _);
        param.set_flags(flags).map_err(err)?;
        param
            .set_purpose(if client(tc) {
                X509PurposeId::SSL_CLIENT
            } else {
                X509PurposeId::SSL_SERVER
            })
            .map_err(err)?;
        if let Some(d) = tc["max_chain_depth"].as_u64() {
            param.set_depth(d as _);
        }
        match peer_name(tc) {
            Some((kind, value)) if kind == "IP" => {
                param
                    .set_ip(value.parse().map_err(|e| format!("{e}"))?)
                    .map_err(err)?;
            }
            Some((_, value)) => param.set_host(&value).map_err(err)?,
            None => {}
        }
        b.set_param(&param).map_err(err)?;
        let store = b.build();
        let leaf = X509::from_pem(
            tc["peer_certificate"]
                .as_str()
                .unwrap_or_default()
                .as_bytes(),
        )
        .map_err(err)?;
        let mut chain = Stack::new().map_err(err)?;
        for p in pems(tc, "untrusted_intermediates") {
            chain
                .push(X509::from_pem(p.as_bytes()).map_err(err)?)
                .map_err(err)?;
        }
        let mut ctx = X509StoreContext::new().map_err(err)?;
        ctx.init(&store, &leaf, &chain, |c| {
            Ok(c.verify_cert()?
                .then_some(())
                .ok_or_else(|| format!("depth {}: {}", c.error_depth(), c.error().error_string())))
        })
        .map_err(err)?
    };
    match run() {
        Ok(()) => ("SUCCESS", "verified".into()),
        Err(e) => ("FAILURE", e),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, suite, webpki_out, openssl_out] = args.as_slice() else {
        eprintln!("usage: limbo_peers LIMBO_JSON WEBPKI_RESULTS OPENSSL_RESULTS");
        std::process::exit(2);
    };
    let suite: Value =
        serde_json::from_slice(&std::fs::read(suite).expect("read the suite")).expect("JSON");
    let cases = suite["testcases"].as_array().expect("testcases");
    let scratch = std::env::temp_dir().join(format!("limbo_peers.{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let write = |path: &str, harness: &str, f: &dyn Fn(&Value) -> Verdict| {
        let results: Vec<Value> = cases
            .iter()
            .map(|tc| {
                let (r, ctx) = f(tc);
                json!({"id": tc["id"], "actual_result": r, "context": ctx})
            })
            .collect();
        let doc = json!({"version": 1, "harness": harness, "results": results});
        std::fs::write(path, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    };
    write(webpki_out, "rustls-webpki-0.103", &webpki_case);
    write(openssl_out, "openssl-x509-strict", &|tc| {
        openssl_case(tc, &scratch)
    });
    let _ = std::fs::remove_dir_all(&scratch);
}
