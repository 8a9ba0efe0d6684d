#!/usr/bin/env bash
# Smoke test of the benchmark itself: every pattern and transport with very
# few messages. It asserts correctness only (exit status and one CSV line;
# the benchmark checks sizes, sequence and count), never speed. It also
# proves the checker bites: a run with --inject-fault must fail.
#
#   bash benchwithzmq/smoke_test.sh path/to/bench_zlink [path/to/raw_floor]
set -u -o pipefail
BENCH=${1:?usage: smoke_test.sh BENCH_BINARY [RAW_FLOOR_BINARY]}
RAW=${2:-}
FAILS=0 COUNT=0

check() { # description, command...
    local what=$1 out rc
    shift
    COUNT=$((COUNT + 1))
    out=$(timeout 60 "$@" 2>&1)
    rc=$?
    if [[ $rc -ne 0 ]] || ! grep -q '^[a-z]*,\(thr\|lat\|load\),' <<<"$out"; then
        echo "FAIL: $what (rc=$rc)"
        sed 's/^/    /' <<<"$out"
        FAILS=$((FAILS + 1))
    fi
}

# BENCH_SMOKE_TRANSPORTS narrows the transports (the build sets it to what
# the library under test implements).
for tr in ${BENCH_SMOKE_TRANSPORTS:-inproc ipc tcp}; do
    for p in PAIR PUSHPULL PUBSUB DEALER DEALERROUTER ROUTERROUTER ROUTERPOLL; do
        check "thr $p $tr 64" "$BENCH" --mode thr --pattern "$p" --transport "$tr" \
            --size 64 --msgs 300 --warmup 50 --timeout-ms 10000
        check "thr $p $tr 65536" "$BENCH" --mode thr --pattern "$p" --transport "$tr" \
            --size 65536 --msgs 20 --warmup 5 --timeout-ms 10000
    done
    for p in REQREP PAIR DEALER DEALERROUTER ROUTERROUTER ROUTERPOLL; do
        check "lat $p $tr 64" "$BENCH" --mode lat --pattern "$p" --transport "$tr" \
            --size 64 --msgs 100 --warmup 20 --timeout-ms 10000
    done
    # REQ/REP under a PUSH/PULL stream between the same two contexts.
    check "load REQREP $tr 64" "$BENCH" --mode load --pattern REQREP --transport "$tr" \
        --size 64 --msgs 50 --warmup 10 --timeout-ms 10000
    # The receiver must reject a wrong-sized message and fail the run.
    for mode in thr lat; do
        COUNT=$((COUNT + 1))
        p=$([[ $mode == thr ]] && echo PUSHPULL || echo REQREP)
        if out=$(timeout 60 "$BENCH" --mode $mode --pattern $p --transport "$tr" --size 64 \
            --msgs 100 --warmup 10 --timeout-ms 10000 --inject-fault 2>&1) ||
            ! grep -q "BENCH FAILURE" <<<"$out"; then
            echo "FAIL: $mode $tr --inject-fault was not detected"
            FAILS=$((FAILS + 1))
        fi
    done
done

# ws:// (zlink only), and wss:// below with the tls certificates.
if [[ ${BENCH_SMOKE_WS:-1} == 1 ]]; then
    check "thr PAIR ws" "$BENCH" --mode thr --pattern PAIR --transport ws --size 1024 \
        --msgs 300 --warmup 50 --timeout-ms 10000
    check "lat REQREP ws" "$BENCH" --mode lat --pattern REQREP --transport ws --size 64 \
        --msgs 100 --warmup 20 --timeout-ms 10000
fi

# The security options: CURVE, tls:// (certificates from the openssl CLI) and
# the socat TLS tunnels of run_tls_compare.sh, each skipped when its tool is
# missing.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check "thr PUSHPULL tcp curve" "$BENCH" --mode thr --pattern PUSHPULL --mechanism curve \
    --size 1024 --msgs 300 --warmup 50 --timeout-ms 10000
check "lat REQREP tcp curve" "$BENCH" --mode lat --pattern REQREP --mechanism curve \
    --size 64 --msgs 100 --warmup 20 --timeout-ms 10000
CERTS=$(mktemp -d)
trap 'rm -rf "$CERTS"' EXIT
if ! command -v openssl >/dev/null || ! bash "$HERE/run_tls_compare.sh" --make-certs "$CERTS"; then
    echo "skip: tls smoke (openssl CLI missing)"
else
    if [[ ${BENCH_SMOKE_TLS:-1} == 1 ]]; then
        check "thr PAIR tls" "$BENCH" --mode thr --pattern PAIR --transport tls --tls-dir "$CERTS" \
            --size 65536 --msgs 20 --warmup 5 --timeout-ms 10000
        check "lat REQREP tls" "$BENCH" --mode lat --pattern REQREP --transport tls \
            --tls-dir "$CERTS" --size 64 --msgs 100 --warmup 20 --timeout-ms 10000
    fi
    if [[ ${BENCH_SMOKE_WS:-1} == 1 ]]; then
        check "thr PAIR wss" "$BENCH" --mode thr --pattern PAIR --transport wss --tls-dir "$CERTS" \
            --size 65536 --msgs 20 --warmup 5 --timeout-ms 10000
        check "lat REQREP wss" "$BENCH" --mode lat --pattern REQREP --transport wss \
            --tls-dir "$CERTS" --size 64 --msgs 100 --warmup 20 --timeout-ms 10000
    fi
    if command -v socat >/dev/null; then
        check "thr PAIR socat tunnels" bash "$HERE/run_tls_compare.sh" --certs "$CERTS" "$BENCH" \
            --mode thr --pattern PAIR --size 1024 --msgs 300 --warmup 50 --timeout-ms 10000
    else
        echo "skip: socat tunnel smoke (socat missing)"
    fi
fi

if [[ -n $RAW ]]; then
    for tr in ipc tcp; do
        for mode in thr lat; do
            check "raw $mode $tr" "$RAW" --mode $mode --transport $tr --size 64 --msgs 200 --warmup 20
        done
    done
fi

echo "bench smoke: $((COUNT - FAILS))/$COUNT passed"
[[ $FAILS -eq 0 ]]
