#!/usr/bin/env bash
# Makes tests/c/data/crl.pem and crl.der: an empty CRL from a throwaway CA (key discarded), used
# only to test that certchain_options_add_crl accepts a real CRL in PEM and in DER. Regenerate
# with `bash tests/c/data/make-crl.sh` (OpenSSL 3.x CLI); the output changes on every run.
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
  -subj "/CN=certchain C test CRL issuer" -days 3650 2>/dev/null
touch index.txt
echo 01 > crlnumber
cat > ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = index.txt
crlnumber = crlnumber
default_md = sha256
default_crl_days = 3650
CNF
openssl ca -config ca.cnf -gencrl -keyfile ca.key -cert ca.pem -out "$out/crl.pem" 2>/dev/null
openssl crl -in "$out/crl.pem" -outform DER -out "$out/crl.der"
echo "wrote $out/crl.pem and $out/crl.der"
