#!/usr/bin/env bash
# The C tests (tests/c/api_test.c: every function and error path; tests/c/threaded_test.c:
# 8 threads, one shared store, 4000 verifications) under AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer included) and under Valgrind (memcheck, full leak check), against the release
# library installed with `make install` into a temporary prefix. Any error or leak fails.
#
# Before the real runs, a canary program that leaks a certchain_result must FAIL under both
# tools, so a tool that silently does nothing (LeakSanitizer refused by ptrace restrictions, an
# option typo) cannot make this script pass.
#
# Usage: bash .ci/c-sanitizers.sh        (from anywhere; installs valgrind and pkg-config if
#                                         missing when run as root)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

note() { printf -- '--- %s\n' "$*"; }

if ! command -v valgrind >/dev/null 2>&1; then
  note "installing valgrind"
  apt-get install -y -q --no-install-recommends valgrind >/dev/null || {
    apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends valgrind >/dev/null
  }
fi
valgrind --version

work="$(mktemp -d "${TMPDIR:-/tmp}/certchain-c-sanitizers.XXXXXX")"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

start=$(date +%s)
note "make install PREFIX=$prefix (release library)"
make -s install PREFIX="$prefix"
libs_private="$(sed -n 's/^Libs.private: *//p' "$prefix/lib/pkgconfig/certchain.pc")"
note "library ready after $(( $(date +%s) - start )) s; static link: libcertchain.a $libs_private"

CC="${CC:-cc}"
cflags=(-Wall -Wextra -Werror -std=c11 -g -I"$prefix/include")
san=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1)
# shellcheck disable=SC2206  # word splitting of the library list is intended
link=("$prefix/lib/libcertchain.a" $libs_private)

build() { # build OUT SOURCE EXTRA...
  local out="$1" src="$2"
  shift 2
  "$CC" "${cflags[@]}" "$@" "$src" "${link[@]}" -o "$work/$out"
}

export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
vg=(valgrind -q --error-exitcode=9 --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible)

note "canary: a leaked result must be caught by both tools"
cat > "$work/canary.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "certchain.h"
int main(int argc, char **argv) {
    (void)argc;
    certchain_store *store = NULL;
    certchain_result *r = NULL;
    static const unsigned char junk[] = "junk";
    if (certchain_store_from_file(argv[1], &store) != CERTCHAIN_OK) return 2;
    if (certchain_verify(store, junk, 4, NULL, 0, &r) != CERTCHAIN_OK) return 2;
    certchain_store_free(store);
    r = NULL; /* leaked on purpose */
    puts("canary ran");
    return 0;
}
C
build canary_asan "$work/canary.c" "${san[@]}"
build canary "$work/canary.c" -O1
root_pem="$repo/fixtures/rsa/root.pem"
if "$work/canary_asan" "$root_pem" >"$work/canary.log" 2>&1; then
  cat "$work/canary.log"; echo "FAIL: LeakSanitizer did not report the canary's leak" >&2; exit 1
fi
grep -q "detected memory leaks" "$work/canary.log" || {
  cat "$work/canary.log"; echo "FAIL: the canary failed, but not with a leak report" >&2; exit 1; }
if "${vg[@]}" "$work/canary" "$root_pem" >"$work/canary.log" 2>&1; then
  cat "$work/canary.log"; echo "FAIL: Valgrind did not report the canary's leak" >&2; exit 1
fi
grep -q "definitely lost" "$work/canary.log" || {
  cat "$work/canary.log"; echo "FAIL: Valgrind failed on the canary, but not with a leak" >&2; exit 1; }
note "canary caught by LeakSanitizer and Valgrind"

api_args=("$repo/fixtures" "$repo/tests/c/data")
thr_args=("$repo/fixtures" 500) # 8 threads x 500 = 4000 verifications

t=$(date +%s)
note "ASan+UBSan: api_test"
build api_test_asan tests/c/api_test.c "${san[@]}"
"$work/api_test_asan" "${api_args[@]}"
note "ASan+UBSan: threaded_test"
build threaded_test_asan tests/c/threaded_test.c "${san[@]}" -pthread
"$work/threaded_test_asan" "${thr_args[@]}"
note "ASan+UBSan done in $(( $(date +%s) - t )) s"

t=$(date +%s)
build api_test tests/c/api_test.c -O1
build threaded_test tests/c/threaded_test.c -O1 -pthread
note "Valgrind: api_test"
"${vg[@]}" "$work/api_test" "${api_args[@]}"
note "Valgrind: threaded_test"
"${vg[@]}" "$work/threaded_test" "${thr_args[@]}"
note "Valgrind done in $(( $(date +%s) - t )) s"

note "C sanitizers: all clean in $(( $(date +%s) - start )) s"
