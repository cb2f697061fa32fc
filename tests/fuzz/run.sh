#!/bin/sh
# Run every libFuzzer target of a PETRO_FUZZ build for SECONDS each (make fuzz, make test).
#   tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
# New inputs go to BUILD_DIR/fuzz-work/<target>/ (the committed corpus in
# tests/fuzz/corpus/<target>/ is read, never written). A crash leaves its input in
# tests/fuzz/crashes/ and fails the run: fix the bug, then commit the input into the
# target's corpus as regression-<name> so the replay tests keep it.
# Appends one line per target to BUILD_DIR/fuzz-hours.log: date, target, seconds, runs, result.
set -eu
build=$1
seconds=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
targets=${*:-"fuzz_tx_decode fuzz_block_decode fuzz_amount fuzz_address fuzz_tx_body fuzz_wallet fuzz_block_apply"}
mkdir -p "$here/crashes" "$build/fuzz-work"
status=0
for t in $targets; do
    work="$build/fuzz-work/$t"
    mkdir -p "$work"
    log="$build/fuzz-work/$t.log"
    echo "fuzz: $t for ${seconds}s"
    if "$build/bin/$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2560 \
        -max_len=16384 -print_final_stats=1 -artifact_prefix="$here/crashes/$t-" \
        "$work" "$here/corpus/$t" >"$log" 2>&1; then
        result=ok
    else
        result=FAILED
        status=1
        tail -n 40 "$log"
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $t ${seconds}s runs=${runs:-0} $result" |
        tee -a "$build/fuzz-hours.log"
done
exit $status
