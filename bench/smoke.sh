#!/bin/sh
# Smoke test of the bench tools (ctest label bench-smoke): correctness of the tools, no
# thresholds. bench-verify and bench-apply with tiny counts, then petro-bench against a real
# petrod on a free loopback port (100 accounts, 2000 payments; every payment must commit).
set -eu
BIN=${1:?usage: smoke.sh BIN_DIR}
TMP=$(mktemp -d)
PID=""
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

check_last() { # FILE NAME UNIT: the last line is `NAME: <number> UNIT`
    last=$(tail -n 1 "$1")
    echo "$last" | grep -Eq "^$2: [0-9]+ $3\$" || { echo "bad last line: $last" >&2; exit 1; }
}

"$BIN/bench-verify" --millis 100 > "$TMP/verify.txt"
cat "$TMP/verify.txt"
check_last "$TMP/verify.txt" verify_all_cores verify/s
"$BIN/bench-verify" --millis 50 --json | grep -q '"verify_all_cores":'

"$BIN/bench-apply" --accounts 200 --payments 3000 --block 500 > "$TMP/apply.txt"
cat "$TMP/apply.txt"
check_last "$TMP/apply.txt" apply_payments_per_sec payments/s
grep -Eq '^hash_floor_payments_per_sec: [0-9]+ payments/s' "$TMP/apply.txt" ||
    { echo "bench-apply printed no hashing floor" >&2; exit 1; }
# Deterministic: the same flags give the same state hash, text or JSON.
"$BIN/bench-apply" --accounts 200 --payments 3000 --block 500 --json > "$TMP/apply.json"
grep -q '"hash_floor_payments_per_sec":' "$TMP/apply.json"
h1=$(sed -n 's/^state_hash: \([0-9a-f]*\).*/\1/p' "$TMP/apply.txt")
h2=$(sed -n 's/.*"state_hash":"\([0-9a-f]*\)".*/\1/p' "$TMP/apply.json")
[ -n "$h1" ] && [ "$h1" = "$h2" ] || { echo "bench-apply state hash differs: $h1 $h2" >&2; exit 1; }

"$BIN/petrod" devnet --data "$TMP/node" --http 127.0.0.1:0 --block-interval-ms 50 \
    > "$TMP/petrod.out" 2> "$TMP/petrod.err" &
PID=$!
i=0
while ! grep -q '^ready' "$TMP/petrod.out" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 300 ]; then echo "petrod did not start" >&2; cat "$TMP/petrod.err" >&2; exit 1; fi
    sleep 0.1
done
URL=$(sed -n 's/^ *api: *//p' "$TMP/petrod.out" | head -n 1)
"$BIN/petro-bench" --node "$URL" --funder "$TMP/node/wallets/alice.json" --accounts 100 \
    --txs 2000 --connections 2 --batch 100 --node-pid "$PID" --timeout-s 30 > "$TMP/bench.txt"
cat "$TMP/bench.txt"
check_last "$TMP/bench.txt" committed_tps tx/s
grep -q '^rejected: 0$' "$TMP/bench.txt"
grep -q '^missing: 0 ' "$TMP/bench.txt"
grep -q '^committed: 2000 ' "$TMP/bench.txt"
grep -q '^node_peak_rss: [0-9.]* MiB$' "$TMP/bench.txt"
# A fixed offered rate, JSON output.
"$BIN/petro-bench" --node "$URL" --funder "$TMP/node/wallets/alice.json" --accounts 50 \
    --txs 500 --rate 2000 --batch 50 --json --timeout-s 30 > "$TMP/bench.json"
cat "$TMP/bench.json"
grep -q '"committed":500,' "$TMP/bench.json"
echo "bench smoke: ok"
