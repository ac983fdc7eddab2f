//! `certchain show FILE`: every certificate of a PEM or DER file, in file order, with what an
//! operator looks for: names, validity and days left, key, algorithm, extensions, fingerprint.
//!
//! Exit codes: 0 = shown, 2 = unreadable file, no certificate, or a block that could not be read
//! (the readable ones are still shown).

use std::io::Write;

use certchain::{rfc3339, Bundle, Certificate};
use serde_json::{json, Value};

use crate::certinfo::{self, colon_hex};
use crate::scan;
use crate::style::{pad, Style};
use crate::Format;

/// `certchain show` options.
#[derive(clap::Args)]
pub struct ShowArgs {
    /// Time for "days left": RFC 3339 or @UNIX. Default: now.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// PEM or DER file, `-` for standard input.
    #[arg(value_name = "FILE")]
    file: String,
}

struct Shown {
    index: usize,
    line: usize,
    cert: Certificate,
}

/// Run `certchain show`.
pub fn run(args: &ShowArgs) -> u8 {
    let time = match &args.at {
        Some(t) => match certchain::parse_time(t) {
            Some(t) => t,
            None => {
                eprintln!("certchain show: --at {t:?}: expected RFC 3339 or @UNIX");
                return 2;
            }
        },
        None => crate::now(),
    };
    let (bytes, name) = match crate::read_input(&args.file) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("certchain show: {}", certchain::printable(e.message()));
            return 2;
        }
    };
    let mut problems: Vec<String> = Vec::new();
    let mut shown = Vec::new();
    let mut cut_short = false;
    if scan::looks_like_der(&bytes) {
        match Bundle::parse_allow_empty(&bytes, &name) {
            Ok(b) => {
                for (i, c) in b.certificates.into_iter().enumerate() {
                    shown.push(Shown {
                        index: i + 1,
                        line: 0,
                        cert: c,
                    });
                }
            }
            Err(e) => problems.push(e.message().to_string()),
        }
    } else {
        let s = scan::scan(&bytes);
        cut_short = s.cut_short;
        for p in &s.problems {
            problems.push(format!("{name}: line {}: {}", p.line, p.message));
        }
        let mut n = 0;
        for b in &s.blocks {
            if !matches!(
                b.label.as_str(),
                "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
            ) {
                continue;
            }
            n += 1;
            let Some(der) = b.der.as_deref() else {
                continue;
            };
            let der = if b.label == "TRUSTED CERTIFICATE" {
                use der::Reader;
                der::SliceReader::new(der)
                    .ok()
                    .and_then(|mut r| r.tlv_bytes().ok())
                    .unwrap_or(der)
            } else {
                der
            };
            match Certificate::from_der(der) {
                Ok(c) => shown.push(Shown {
                    index: n,
                    line: b.line,
                    cert: c,
                }),
                Err(e) if !b.had_problem => problems.push(format!(
                    "{name}: line {}: not a valid certificate: {}",
                    b.line,
                    e.message()
                )),
                Err(_) => {}
            }
        }
    }
    let style = Style::for_stdout();
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Text => write_text(&mut out, &shown, time, style),
        Format::Json => {
            let certs: Vec<Value> = shown.iter().map(|s| to_json(s, time)).collect();
            writeln!(
                out,
                "{}",
                json!({"file": name, "time": rfc3339(time), "certificates": certs, "problems": problems})
            )
        }
    };
    drop(out);
    let write_failed = crate::output_failed(written);
    if matches!(args.format, Format::Text) {
        for p in &problems {
            eprintln!("certchain show: {}", certchain::printable(p));
        }
    }
    if write_failed {
        return 2;
    }
    if shown.is_empty() {
        if matches!(args.format, Format::Text) {
            let part = if cut_short {
                " in the part of the file read"
            } else {
                ""
            };
            eprintln!(
                "certchain show: {}: no certificate found{part}",
                certchain::printable(&name)
            );
        }
        return 2;
    }
    if problems.is_empty() {
        0
    } else {
        2
    }
}

fn days_left(c: &Certificate, time: u64) -> String {
    if time > c.not_after() {
        format!(
            "expired {} days ago",
            certinfo::days_between(c.not_after(), time)
        )
    } else if time < c.not_before() {
        format!(
            "not yet valid (starts in {} days)",
            certinfo::days_between(time, c.not_before())
        )
    } else {
        format!("{} days left", certinfo::days_between(time, c.not_after()))
    }
}

fn basic_constraints(c: &Certificate) -> Option<String> {
    c.basic_constraints().map(|b| {
        let mut s = if b.ca { "CA:TRUE" } else { "CA:FALSE" }.to_string();
        if let Some(n) = b.path_len {
            s.push_str(&format!(", pathlen:{n}"));
        }
        if b.critical {
            s.push_str(" (critical)");
        }
        s
    })
}

fn rows(s: &Shown, time: u64) -> Vec<(&'static str, String)> {
    let c = &s.cert;
    let mut r = vec![
        ("subject", c.subject().to_string()),
        ("issuer", c.issuer().to_string()),
        ("serial", colon_hex(c.serial())),
        (
            "valid",
            format!(
                "{} .. {} ({})",
                rfc3339(c.not_before()),
                rfc3339(c.not_after()),
                days_left(c, time)
            ),
        ),
        ("key", certinfo::key_description(c)),
        ("signature", certinfo::signature_algorithm(c)),
    ];
    let sans: Vec<String> = c
        .subject_alt_names()
        .unwrap_or_default()
        .iter()
        .map(|n| n.to_string())
        .collect();
    if !sans.is_empty() {
        r.push(("san", sans.join(", ")));
    }
    if let Some(ski) = c.subject_key_id() {
        r.push(("ski", colon_hex(ski)));
    }
    if let Some(aki) = c.authority_key_id() {
        r.push(("aki", colon_hex(aki)));
    }
    if let Some(bc) = basic_constraints(c) {
        r.push(("basic", bc));
    }
    if let Some((ku, critical)) = certinfo::key_usage(c) {
        let crit = if critical { " (critical)" } else { "" };
        r.push(("key usage", format!("{}{crit}", ku.join(", "))));
    }
    if let Some(eku) = certinfo::eku_names(c) {
        r.push(("ext usage", eku.join(", ")));
    }
    for (method, url) in certinfo::aia(c) {
        r.push(("aia", format!("{method} {url}")));
    }
    r.push(("sha256", colon_hex(c.sha256())));
    r
}

fn write_text(
    out: &mut impl Write,
    shown: &[Shown],
    time: u64,
    style: Style,
) -> std::io::Result<()> {
    for (i, s) in shown.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let at = if s.line > 0 {
            format!(" (line {})", s.line)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{}",
            style.bold(&format!("certificate {}{at}", s.index))
        )?;
        for (k, v) in rows(s, time) {
            writeln!(out, "  {} {v}", pad(k, 10))?;
        }
    }
    Ok(())
}

fn to_json(s: &Shown, time: u64) -> Value {
    let c = &s.cert;
    let (ku, ku_critical) = match certinfo::key_usage(c) {
        Some((k, crit)) => (Some(k), Some(crit)),
        None => (None, None),
    };
    json!({
        "index": s.index,
        "line": (s.line > 0).then_some(s.line),
        "subject": c.subject(),
        "issuer": c.issuer(),
        "serial": c.serial_hex(),
        "not_before": rfc3339(c.not_before()),
        "not_after": rfc3339(c.not_after()),
        "days_left": certinfo::days_between(time, c.not_after()),
        "key": certinfo::key_description(c),
        "signature_algorithm": certinfo::signature_algorithm(c),
        "san": c.subject_alt_names().unwrap_or_default().iter().map(|n| n.to_string()).collect::<Vec<_>>(),
        "ski": c.subject_key_id().map(certchain::hex),
        "aki": c.authority_key_id().map(certchain::hex),
        "basic_constraints": c.basic_constraints().map(|b| json!({"ca": b.ca, "path_len": b.path_len, "critical": b.critical})),
        "key_usage": ku,
        "key_usage_critical": ku_critical,
        "extended_key_usage": certinfo::eku_names(c),
        "aia": certinfo::aia(c).into_iter().map(|(m, u)| json!({"method": m, "uri": u})).collect::<Vec<_>>(),
        "sha256": c.sha256_hex(),
    })
}
