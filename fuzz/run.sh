#!/usr/bin/env bash
# Fuzz every target (or the ones named) for SECONDS of wall time, all at once, at low priority,
# then print each target's final libFuzzer numbers. New inputs go to $WORK/corpus/<t>/ (the
# committed seeds in fuzz/corpus/<t>/ are read, not written), logs to $WORK/<t>.log, crashes to
# fuzz/artifacts/<t>/; WORK defaults to fuzz/target/work.
#
#   bash fuzz/run.sh 1860                 # every target, 31 minutes
#   bash fuzz/run.sh 600 verify ffi       # two targets, 10 minutes
#
# Afterwards fold the new inputs into the committed corpus and minimise it:
#   cp fuzz/target/work/corpus/<t>/* fuzz/corpus/<t>/ && RUSTC_BOOTSTRAP=1 cargo fuzz cmin <t>
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export RUSTC_BOOTSTRAP=1
seconds=${1:?usage: fuzz/run.sh SECONDS [target...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)
cargo fuzz build
WORK=${WORK:-fuzz/target/work}
pids=()
for t in "${targets[@]}"; do
  mkdir -p "$WORK/corpus/$t"
  nice -n 10 cargo fuzz run "$t" "$WORK/corpus/$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=60 \
    >"$WORK/$t.log" 2>&1 &
  pids+=("$!")
done
status=0
for i in "${!targets[@]}"; do
  t=${targets[$i]}
  wait "${pids[$i]}" || { echo "$t: exit status $?" >&2; status=1; }
  log=$WORK/$t.log
  last=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -n 1)
  stat() { sed -n "s/^stat::$1: *//p" "$log"; }
  printf '%s: %s executions, %s exec/s, %s, new units %s, peak RSS %s MB\n' "$t" \
    "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" \
    "$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' <<<"$last")" \
    "$(stat new_units_added)" "$(stat peak_rss_mb)"
  if grep -qE '^==[0-9]+== ?ERROR|^SUMMARY|panicked at' "$log"; then
    echo "$t: CRASH, see $log and fuzz/artifacts/$t/" >&2
    status=1
  fi
done
exit "$status"
