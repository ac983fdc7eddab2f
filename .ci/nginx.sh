#!/usr/bin/env bash
# The nginx module in a real nginx: installs Debian's nginx and nginx-dev, installs libcertchain
# (release) into a temporary prefix, builds examples/nginx as a dynamic module with nginx-dev's
# configure and Debian's conf_flags (binary compatible with /usr/sbin/nginx), then runs
# `nginx -t` with `load_module` on configurations whose ssl_certificate chains are good or
# broken, and checks the exit status and the message (file, depth, problem) of each.
#
# The certificates are made here with the OpenSSL CLI, valid around the current time: the
# module verifies at the current time, as nginx would serve them (the committed fixtures have
# fixed validity windows and expire). nginx only tests its configuration: nothing listens.
#
# Usage: bash .ci/nginx.sh          (as root: installs nginx and nginx-dev if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

note() { printf -- '--- %s\n' "$*"; }
start=$(date +%s)

if ! dpkg -s nginx nginx-dev >/dev/null 2>&1; then
  note "installing nginx and nginx-dev"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-upgrade nginx nginx-dev >/dev/null || {
    apt-get update -q >/dev/null && apt-get install -y -q --no-upgrade nginx nginx-dev >/dev/null
  }
fi
nginx -v
command -v openssl >/dev/null || { echo "nginx.sh: the openssl CLI is needed" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/certchain-nginx.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# --- libcertchain, installed the way a module author would use it
note "make install PREFIX=$work/prefix (release library)"
make -s install PREFIX="$work/prefix"

# --- the module, built against nginx-dev with Debian's configure flags
t=$(date +%s)
src="$(dpkg -L nginx-dev | grep '/conf_flags$' | head -n 1)"
src="${src%/conf_flags}"
cp -r "$src" "$work/nginx-src"
(
  cd "$work/nginx-src"
  # shellcheck disable=SC1091  # conf_flags is nginx-dev's; it sets the array NGX_CONF_FLAGS
  . ./conf_flags
  export CERTCHAIN_PREFIX="$work/prefix"
  ./configure "${NGX_CONF_FLAGS[@]}" --add-dynamic-module="$repo/examples/nginx" \
    >"$work/configure.log" 2>&1 || { tail -n 30 "$work/configure.log"; exit 1; }
  make -f objs/Makefile modules >"$work/make.log" 2>&1 || { tail -n 40 "$work/make.log"; exit 1; }
)
module="$work/nginx-src/objs/ngx_http_certchain_module.so"
test -f "$module"
exported="$(nm -D --defined-only "$module")"
if grep -q ' T certchain_' <<<"$exported"; then
  echo "FAIL: the module exports libcertchain's symbols (--exclude-libs,ALL missing?)" >&2
  exit 1
fi
note "module built in $(( $(date +%s) - t )) s: $module"

# --- test certificates, valid around now (EC P-256)
pki="$work/pki"
mkdir -p "$pki/newcerts"
touch "$pki/index.txt"
echo 1000 >"$pki/serial"
cat >"$pki/ca.cnf" <<'EOF'
[ca]
default_ca = test_ca
[test_ca]
database = index.txt
new_certs_dir = newcerts
serial = serial
default_md = sha256
policy = any_name
unique_subject = no
[any_name]
commonName = supplied
[req]
distinguished_name = dn
[dn]
EOF
cat >"$pki/int.ext" <<'EOF'
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
stamp() { date -u -d "$1" +%Y%m%d%H%M%SZ; }
now_minus_1d=$(stamp "-1 day")
now_plus_30d=$(stamp "+30 days")
now_plus_1y=$(stamp "+1 year")

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$pki/$1.key" 2>/dev/null; }
# issue NAME CN ISSUER EXTFILE START END
issue() {
  key "$1"
  openssl req -new -config "$pki/ca.cnf" -key "$pki/$1.key" -subj "/CN=$2" -out "$pki/$1.csr"
  (cd "$pki" && openssl ca -batch -notext -config ca.cnf -cert "$3.pem" -keyfile "$3.key" \
    -in "$1.csr" -out "$1.pem" -extfile "$4" -startdate "$5" -enddate "$6" 2>/dev/null)
}
leaf_ext() { # leaf_ext FILE SAN...
  local f="$1" san="DNS:$2"
  shift 2
  for n in "$@"; do san="$san,DNS:$n"; done
  cat >"$f" <<EOF
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
}

key root
openssl req -x509 -config "$pki/ca.cnf" -key "$pki/root.key" -subj "/CN=certchain nginx test root" \
  -days 365 -out "$pki/root.pem" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash"
issue int "certchain nginx test intermediate" root "$pki/int.ext" "$now_minus_1d" "$now_plus_1y"
leaf_ext "$pki/leaf.ext" good.test www.good.test
issue good "good.test" int "$pki/leaf.ext" "$now_minus_1d" "$now_plus_30d"
issue expired "good.test" int "$pki/leaf.ext" 20200101000000Z 20210101000000Z

cat "$pki/good.pem" "$pki/int.pem" >"$pki/good-chain.pem"
cat "$pki/expired.pem" "$pki/int.pem" >"$pki/expired-chain.pem"
cp "$pki/good.pem" "$pki/leaf-only.pem"
cat "$pki/int.pem" "$pki/good.pem" >"$pki/wrong-order.pem"

# --- nginx -t on one configuration
failures=0
cases=0
# conf NAME: writes $work/NAME/nginx.conf from stdin (the http{} body) and prints its path
conf() {
  local dir="$work/$1"
  mkdir -p "$dir/logs" "$dir/tmp"
  {
    echo "load_module $module;"
    echo "pid $dir/nginx.pid;"
    echo "error_log stderr notice;"
    echo "events { worker_connections 16; }"
    echo "http {"
    echo "  access_log off;"
    echo "  client_body_temp_path $dir/tmp/body;"
    echo "  proxy_temp_path $dir/tmp/proxy;"
    echo "  fastcgi_temp_path $dir/tmp/fastcgi;"
    echo "  uwsgi_temp_path $dir/tmp/uwsgi;"
    echo "  scgi_temp_path $dir/tmp/scgi;"
    cat
    echo "}"
  } >"$dir/nginx.conf"
  echo "$dir/nginx.conf"
}
server() { # server NAMES CERT KEY [EXTRA]
  cat <<EOF
  server {
    listen 127.0.0.1:18443 ssl;
    server_name $1;
    ssl_certificate $2;
    ssl_certificate_key $3;
    ${4:-}
  }
EOF
}
# expect NAME pass|fail [TEXT...]: run nginx -t on $work/NAME/nginx.conf
expect() {
  local name="$1" want="$2" rc=0
  shift 2
  cases=$((cases + 1))
  nginx -t -p "$work/$name" -c "$work/$name/nginx.conf" >"$work/$name/out" 2>&1 || rc=$?
  local ok=1
  if [ "$want" = pass ] && [ "$rc" -ne 0 ]; then ok=0; fi
  if [ "$want" = fail ] && [ "$rc" -eq 0 ]; then ok=0; fi
  for text in "$@"; do
    grep -qF -- "$text" "$work/$name/out" || { ok=0; echo "  missing: $text"; }
  done
  if [ "$ok" = 1 ]; then
    printf 'ok   %-22s nginx -t exit %d (%s)\n' "$name" "$rc" "$want"
  else
    failures=$((failures + 1))
    printf 'FAIL %-22s nginx -t exit %d, expected %s; output:\n' "$name" "$rc" "$want"
    sed 's/^/    /' "$work/$name/out"
  fi
  grep -F 'certchain:' "$work/$name/out" | sed 's/^/    | /' || true
}

trusted="certchain_trusted_certificate $pki/root.pem;"
key_good="$pki/good.key"

note "nginx -t with the module loaded"
{ echo "  $trusted"; server "good.test www.good.test" "$pki/good-chain.pem" "$key_good"; } | conf good >/dev/null
expect good pass "test is successful" \
  "ssl_certificate \"$pki/good-chain.pem\" for server_name \"www.good.test\" verified (3 certificates)"

{ echo "  $trusted"; server "good.test" "$pki/expired-chain.pem" "$pki/expired.key"; } | conf expired >/dev/null
expect expired fail "ssl_certificate \"$pki/expired-chain.pem\"" "certificate expired" \
  "expired at depth 0 (CN=good.test)" "test failed"

{ echo "  $trusted"; server "good.test" "$pki/leaf-only.pem" "$key_good"; } | conf missing-intermediate >/dev/null
expect missing-intermediate fail "ssl_certificate \"$pki/leaf-only.pem\"" \
  "missing intermediate certificate" "unknown_issuer at depth 0 (CN=good.test)" \
  "issuer CN=certchain nginx test intermediate is neither in the chain nor in the trust store"

{ echo "  $trusted"; server "good.test" "$pki/wrong-order.pem" "$key_good"; } | conf wrong-order >/dev/null
expect wrong-order fail "ssl_certificate \"$pki/wrong-order.pem\"" "wrong order: certificate 2 of the file (CN=good.test) is the leaf" \
  "at depth 0 (CN=certchain nginx test intermediate)"

{ echo "  $trusted"; server "good.test other.test" "$pki/good-chain.pem" "$key_good"; } | conf host-mismatch >/dev/null
expect host-mismatch fail "ssl_certificate \"$pki/good-chain.pem\" for server_name \"other.test\"" \
  "host name mismatch" "hostname_mismatch at depth 0 (CN=good.test)"

# Wildcard, regex and catch-all names are not checked; the literal one is.
{ echo "  $trusted"; server "good.test *.example.org ~^x\\d+\\.test\$ _" "$pki/good-chain.pem" "$key_good"; } \
  | conf non-literal-names >/dev/null
expect non-literal-names pass "test is successful"

# Without certchain_trusted_certificate: the Mozilla set, which does not have the test root.
server "good.test" "$pki/good-chain.pem" "$key_good" | conf default-mozilla >/dev/null
expect default-mozilla fail "ssl_certificate \"$pki/good-chain.pem\"" \
  "unknown_issuer" "verified against the Mozilla root set"

# certchain_check off, in the server{} or in http{}, lets a bad chain through.
{ echo "  $trusted"; server "good.test" "$pki/expired-chain.pem" "$pki/expired.key" "certchain_check off;"; } \
  | conf check-off-server >/dev/null
expect check-off-server pass "test is successful"
{ echo "  $trusted"; echo "  certchain_check off;"; server "good.test" "$pki/leaf-only.pem" "$key_good"; } \
  | conf check-off-http >/dev/null
expect check-off-http pass "test is successful"

# ssl_certificate inherited from http{} is checked in each server{}, with that server's names.
{
  echo "  $trusted"
  echo "  ssl_certificate $pki/good-chain.pem;"
  echo "  ssl_certificate_key $key_good;"
  echo "  server { listen 127.0.0.1:18443 ssl; server_name www.good.test; }"
  echo "  server { listen 127.0.0.1:18444 ssl; server_name elsewhere.test; }"
} | conf inherited >/dev/null
expect inherited fail "ssl_certificate \"$pki/good-chain.pem\" for server_name \"elsewhere.test\"" \
  "host name mismatch"

# ... but not in a plain-HTTP server{} (no "ssl" listen parameter on its addresses).
{
  echo "  $trusted"
  echo "  ssl_certificate $pki/good-chain.pem;"
  echo "  ssl_certificate_key $key_good;"
  echo "  server { listen 127.0.0.1:18443 ssl; server_name www.good.test; }"
  echo "  server { listen 127.0.0.1:18080; server_name elsewhere.test; }"
} | conf inherited-plain-http >/dev/null
expect inherited-plain-http pass "test is successful"

# certchain_trusted_certificate that cannot be read.
{ echo "  certchain_trusted_certificate $pki/no-such-root.pem;"; server "good.test" "$pki/good-chain.pem" "$key_good"; } \
  | conf bad-trusted >/dev/null
expect bad-trusted fail "certchain_trusted_certificate: certchain_store_from_file: io: $pki/no-such-root.pem"

note "nginx: $cases cases, $failures failed, in $(( $(date +%s) - start )) s"
[ "$failures" -eq 0 ]
