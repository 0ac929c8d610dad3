#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, one after the
# other, on one core, and prints the executions of each:
#
#   fuzz/run.sh 600                      # every target, 10 minutes each
#   fuzz/run.sh 60 wstep_payload inspect
#
# Needs nightly and cargo-fuzz (`cargo install cargo-fuzz`). Seeds the
# corpus first (fuzz/seed.sh). A crash stops that target, leaves its input
# in fuzz/artifacts/<target>/ and makes the script exit 1 at the end; once
# fixed, copy the input to fuzz/regressions/, which the normal test suite
# replays (crates/cepces/tests/fuzz_replay.rs). Logs: fuzz/logs/<target>.log.
set -uo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
all=(envelope envelope_roundtrip xcep_roundtrip wstep_roundtrip wstep_payload discover_roundtrip inspect enroll)
[ "$#" -gt 0 ] && targets=("$@") || targets=("${all[@]}")

./seed.sh
cargo +nightly fuzz build -O || exit 2
mkdir -p logs
failed=0
printf '%-20s %8s %12s %10s %8s  %s\n' target seconds executions exec/s corpus result
for t in "${targets[@]}"; do
  log=logs/$t.log
  start=$(date +%s)
  cargo +nightly fuzz run -O "$t" "corpus/$t" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  size=$(find "corpus/$t" -type f | wc -l)
  result=ok
  if [ "$rc" -ne 0 ]; then result="CRASH (rc $rc, see $log)"; failed=1; fi
  printf '%-20s %8s %12s %10s %8s  %s\n' "$t" "$took" "${execs:-?}" "${rate:-?}" "$size" "$result"
done
exit "$failed"
