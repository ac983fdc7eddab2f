#!/usr/bin/env bash
# Builds the seed corpora fuzz/corpus/<target>/ from the fixtures (fixtures/**/*.pem, *.der,
# *.crl*) and from a bounded, deterministic sample of the x509-limbo cases
# (../shared/limbo/limbo-dev.json relative to the repository root, or $LIMBO), and writes
# fuzz/store/limbo-roots.pem (the limbo roots the `verify` target's fixed store trusts).
#
#   bash fuzz/seed-corpus.sh            (from anywhere; needs python3)
#
# Files are named by the SHA-1 of their contents, as libFuzzer names corpus entries, so running
# it again adds nothing twice. Existing corpus files are kept (the committed corpus is the
# minimised result of fuzzing these seeds; see FUZZING.md).
set -euo pipefail
FUZZ=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$FUZZ")
LIMBO=${LIMBO:-$ROOT/../shared/limbo/limbo-dev.json}
# How many of the ~9,600 BetterTLS cases to take (every non-BetterTLS case is taken).
BETTERTLS_SAMPLE=${BETTERTLS_SAMPLE:-60}
export FUZZ ROOT LIMBO BETTERTLS_SAMPLE
python3 - <<'PY'
import base64, hashlib, json, os, re, sys
from pathlib import Path

fuzz, root = Path(os.environ["FUZZ"]), Path(os.environ["ROOT"])
limbo_path = Path(os.environ["LIMBO"])
sample = int(os.environ["BETTERTLS_SAMPLE"])
SEP = b"\n%%certchain-fuzz%%\n"  # the ffi target's section separator (fuzz_targets/ffi.rs)
counts = {}

def put(target, data):
    d = fuzz / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    p = d / hashlib.sha1(data).hexdigest()
    if not p.exists():
        p.write_bytes(data)
        counts[target] = counts.get(target, 0) + 1

BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n(.*?)-----END \1-----", re.S)

def blocks(pem, labels):
    out = []
    for m in BLOCK.finditer(pem):
        if m.group(1).decode() in labels:
            try:
                out.append(base64.b64decode(re.sub(rb"\s", b"", m.group(2)), validate=True))
            except Exception:
                pass
    return out

CERT = ("CERTIFICATE", "TRUSTED CERTIFICATE", "X509 CERTIFICATE")

def ffi_seed(flags, chain, store=b"", crl=b"", host=b""):
    # flags, max depth, purpose, profile; then chain SEP store SEP crl SEP host
    return bytes([flags, 4, 0, 0]) + chain + SEP + store + SEP + crl + SEP + host

# --- fixtures --------------------------------------------------------------------------------
fx = root / "fixtures"
files = sorted(p for p in fx.rglob("*") if p.is_file()
               and (p.suffix in (".pem", ".der") or ".crl" in p.name))
for p in files:
    data = p.read_bytes()
    rel = p.relative_to(fx).as_posix()
    put("pem_bundle", data)
    put("ffi", ffi_seed(0x00, data))
    if ".crl" in p.name:
        put("crl", data)
        for der in blocks(data, ("X509 CRL",)):
            put("crl", der)
        continue
    if p.suffix == ".der":
        put("verify", data)
        put("certificate", data)
    for der in blocks(data, CERT):
        put("certificate", der)
    if "key" not in rel and b"CERTIFICATE" in data:
        put("verify", data)

# the fixture sets with their roots, hosts and CRLs, for verify and ffi
HOSTS = {"rsa": b"rsa.example.test", "ecdsa": b"192.0.2.10", "rsa-pss": b"pss.example.test",
         "cross-signed": b"cross.example.test", "pathlen": b"pathlen.example.test",
         "expired-intermediate": b"expired-int.example.test", "not-ca": b"not-ca.example.test",
         "missing-intermediate": b"missing-int.example.test"}
for name, host in HOSTS.items():
    chain = (fx / name / "chain.pem").read_bytes()
    roots = fx / name / ("roots.pem" if name == "cross-signed" else "root.pem")
    put("ffi", ffi_seed(0x00, chain, roots.read_bytes(), b"", host))
    put("ffi", ffi_seed(0x09, chain, b"", b"", host))
le = fx / "letsencrypt-2021"
put("ffi", ffi_seed(0x0a, (le / "cert.pem").read_bytes(), b"", b"", b"justcc.mengkang.net"))
crl = fx / "crl"
for chain in ("good-chain.pem", "revoked-chain.pem"):
    for c in ("int.crl.pem", "root.crl.pem", "stale.crl.pem", "root-empty.crl.pem"):
        cb, crlb = (crl / chain).read_bytes(), (crl / c).read_bytes()
        put("verify", cb + crlb)
        put("ffi", ffi_seed(0x00, cb, (crl / "root.pem").read_bytes(), crlb, b""))
# a DER chain: leaf then intermediate
for name in ("rsa", "ecdsa"):
    put("verify", b"".join(blocks((fx / name / "chain.pem").read_bytes(), CERT)))

# --- limbo -----------------------------------------------------------------------------------
if not limbo_path.exists():
    print(f"seed-corpus: {limbo_path} not found, limbo seeds skipped", file=sys.stderr)
else:
    cases = json.loads(limbo_path.read_text())["testcases"]
    other = [c for c in cases if not c["id"].startswith("bettertls::")]
    better = [c for c in cases if c["id"].startswith("bettertls::")]
    step = max(1, len(better) // max(1, sample))
    chosen = other + better[::step][:sample]
    roots = []
    for c in chosen:
        chain = "".join([c["peer_certificate"]] + c["untrusted_intermediates"]).encode()
        crls = "".join(c.get("crls") or []).encode()
        store = "".join(c["trusted_certs"]).encode()
        for r in c["trusted_certs"]:
            if r not in roots:
                roots.append(r)
        name = c.get("expected_peer_name") or {}
        host = (name.get("value") or "").encode() if name.get("kind") in ("DNS", "IP") else b""
        put("pem_bundle", chain + crls)
        put("verify", chain + crls)
        put("ffi", ffi_seed(0x00, chain, store, crls, host))
        for der in blocks(chain + store, CERT):
            put("certificate", der)
        for der in blocks(crls, ("X509 CRL",)):
            put("crl", der)
        if crls:
            put("crl", crls)
    (fuzz / "store").mkdir(exist_ok=True)
    (fuzz / "store" / "limbo-roots.pem").write_text(
        "".join(r if r.endswith("\n") else r + "\n" for r in roots))
    print(f"seed-corpus: {len(chosen)} limbo cases, {len(roots)} limbo roots", file=sys.stderr)

for t in sorted(counts):
    print(f"seed-corpus: {t}: {counts[t]} new files", file=sys.stderr)
PY
