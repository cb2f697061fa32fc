# shellcheck shell=sh disable=SC2034 # sourced: PID and URL are the callers'
# Shell functions of the bench/run-bench* scripts (sourced by them; POSIX sh).

# The number of the last line of FILE ("name: number unit": every tool's headline).
last_number() { tail -n 1 "$1" | awk '{print $2}'; }

# The number after "NAME: " on the last such line of FILE.
field() { sed -n "s/^$2: \([0-9.]*\).*/\1/p" "$1" | tail -n 1; }

# A / B with two decimals, or n/a.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

# VALUE against TARGET: "met", "MISSED" or "not measured"; LE (third argument, 1) for targets
# that are a maximum.
verdict() {
    awk -v v="$1" -v t="$2" -v le="${3:-0}" 'BEGIN {
        if (v == "" || v == "n/a") print "not measured"
        else if ((le && v + 0 <= t + 0) || (!le && v + 0 >= t + 0)) print "met"
        else print "MISSED" }'
}

# Put SECTION (a file that starts with BEGIN and ends with END, two marker lines) into OUT:
# in place of the part between the same markers, else appended. Every other part of OUT is
# kept (each make target and each issue records its own figures there). Uses $TMP.
write_section() {
    if [ -f "$1" ] && grep -qxF "$3" "$1"; then
        awk -v sec="$2" -v b="$3" -v e="$4" '
            $0 == b { while ((getline line < sec) > 0) print line; skip = 1; next }
            $0 == e { skip = 0; next }
            !skip { print }' "$1" > "$TMP/out.md"
    elif [ -f "$1" ]; then
        { cat "$1"; echo; cat "$2"; } > "$TMP/out.md"
    else
        cp "$2" "$TMP/out.md"
    fi
    cat "$TMP/out.md" > "$1"
    echo "wrote $1" >&2
}

# A fresh devnet in $TMP/NAME with $BIN/petrod, blocks every $BLOCK_MS ms and the flags in
# $NODE_EXTRA; sets PID and URL. stop_node stops it.
start_node() {
    # shellcheck disable=SC2086 # NODE_EXTRA is a list of flags
    "$BIN/petrod" devnet --data "$TMP/$1" --http 127.0.0.1:0 --block-interval-ms "$BLOCK_MS" \
        --mempool-max 100000 ${NODE_EXTRA:-} --log-level warn > "$TMP/$1.out" 2> "$TMP/$1.err" &
    PID=$!
    i=0
    while ! grep -q '^ready' "$TMP/$1.out" 2>/dev/null; do
        i=$((i + 1))
        [ $i -le 600 ] || { echo "petrod did not start" >&2; cat "$TMP/$1.err" >&2; exit 1; }
        sleep 0.1
    done
    URL=$(sed -n 's/^ *api: *//p' "$TMP/$1.out" | head -n 1)
}

stop_node() {
    if [ -n "${PID:-}" ]; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
        PID=""
    fi
}
