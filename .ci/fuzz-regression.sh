#!/usr/bin/env bash
# CI: the fuzz regression run. Builds the cargo-fuzz targets of fuzz/ (ASan, optimised, debug
# assertions and overflow checks on) and runs every target once over its committed corpus
# (fuzz/corpus/<target>/) and its crash regressions (fuzz/regressions/<target>/, if any): each
# input executed exactly once, no new fuzzing. Fails on any crash, panic, leak, timeout or OOM,
# and if a target executed fewer inputs than it has files.
#
#   bash .ci/fuzz-regression.sh
#
# cargo-fuzz passes nightly-only -Z flags to rustc; RUSTC_BOOTSTRAP=1 lets the stable toolchain
# accept them (see FUZZING.md). FUZZ_TARGET_DIR overrides the build directory (default fuzz/target).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
export RUSTC_BOOTSTRAP=1

CARGO_FUZZ_VERSION=0.13.2
if ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
cargo fuzz --version

TARGET_DIR=${FUZZ_TARGET_DIR:-fuzz/target}
TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
start=$(date +%s)
cargo fuzz build --target-dir "$TARGET_DIR"
built=$(date +%s)
echo "fuzz-regression: built in $((built - start)) s"

status=0
for target in $(cargo fuzz list); do
  dirs=("fuzz/corpus/$target")
  [ -d "fuzz/regressions/$target" ] && dirs+=("fuzz/regressions/$target")
  files=$(find "${dirs[@]}" -type f | wc -l)
  log=$(mktemp)
  t0=$(date +%s)
  # -runs=0 with corpus directories: libFuzzer executes every input once while loading the
  # corpus, then stops. Artifacts (a crashing input) go to fuzz/artifacts/<target>/.
  mkdir -p "fuzz/artifacts/$target"
  if "$TARGET_DIR/$TRIPLE/release/$target" -runs=0 -print_final_stats=1 -timeout=60 \
      -rss_limit_mb=2048 -artifact_prefix="fuzz/artifacts/$target/" "${dirs[@]}" >"$log" 2>&1; then
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    if [ "${executed:-0}" -lt "$files" ]; then
      echo "fuzz-regression: $target executed ${executed:-0} inputs of $files" >&2
      status=1
    else
      echo "fuzz-regression: $target: $files inputs, $executed executions, ok ($(( $(date +%s) - t0 )) s)"
    fi
  else
    echo "fuzz-regression: $target FAILED" >&2
    tail -n 60 "$log" >&2
    status=1
  fi
  rm -f "$log"
done
echo "fuzz-regression: total $(( $(date +%s) - start )) s"
exit "$status"
