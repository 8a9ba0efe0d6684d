#!/usr/bin/env bash
# What a libzmq user needing TLS runs today: libzmq over tcp through socat TLS
# tunnels at both ends. One benchmark run through the tunnels; prints the
# bench CSV line (transport column "tcp+socat-tls").
#
#   run_tls_compare.sh --certs DIR  BENCH_BINARY [bench options...]
#   run_tls_compare.sh --make-certs DIR     (CA + server certificate for
#                                            127.0.0.1, as the README shows)
#
#   peer --tcp--> socat TCP-LISTEN:P3 --TLS--> socat OPENSSL-LISTEN:P2 --tcp--> bench bind P1
#
# The binding (measuring) side binds tcp://127.0.0.1:P1 and its peer process
# connects to tcp://127.0.0.1:P3. socat's server end presents DIR/server.crt
# and does not ask for a client certificate (as zlink's tls:// server without
# ZMQ_TLS_CA); the client end verifies it against DIR/ca.crt. Both ends set
# TCP_NODELAY (socat's default is Nagle, which would only make libzmq look
# worse). With "--pin 0,1" among the bench options the server-side socat runs
# on cpu 0 with the binding side and the client-side socat on cpu 1.
set -u -o pipefail

make_certs() { # dir
    local d=$1
    mkdir -p "$d"
    (
        cd "$d" || exit 1
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
            -subj "/CN=zlink bench CA" -keyout ca.key -out ca.crt &&
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
                -subj "/CN=server" -keyout server.key -out server.csr &&
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
                -extfile <(printf "subjectAltName=DNS:localhost,IP:127.0.0.1") -out server.crt
    ) >/dev/null 2>&1 || { echo "run_tls_compare: openssl failed in $d" >&2; return 1; }
}

if [[ ${1:-} == --make-certs ]]; then make_certs "$2"; exit; fi
[[ ${1:-} == --certs && $# -ge 3 ]] || { sed -n '2,18p' "$0"; exit 64; }
CERTS=$2 BIN=$3
shift 3
command -v socat >/dev/null || { echo "run_tls_compare: socat not installed (scripts/install-deps.sh)" >&2; exit 69; }

CPU_S="" CPU_C="" prev=""
for a in "$@"; do
    [[ $prev == --pin && $a =~ ^([0-9]+),([0-9]+)$ ]] && CPU_S=${BASH_REMATCH[1]} CPU_C=${BASH_REMATCH[2]}
    prev=$a
done

free_ports() { # three currently free loopback ports
    python3 -c 'import socket
ss=[socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1",0))
print(" ".join(str(s.getsockname()[1]) for s in ss))'
}
listening() { ss -ltnH "sport = :$1" 2>/dev/null | grep -q .; }
PIN_S=() PIN_C=() # taskset execs socat, so $! is socat's own pid
[[ -n $CPU_S ]] && PIN_S=(taskset -c "$CPU_S") PIN_C=(taskset -c "$CPU_C")

PIDS=()
cleanup() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

for attempt in 1 2 3; do
    read -r P1 P2 P3 <<<"$(free_ports)"
    PIDS=()
    "${PIN_S[@]}" socat OPENSSL-LISTEN:"$P2",bind=127.0.0.1,reuseaddr,fork,nodelay,verify=0,cert="$CERTS/server.crt",key="$CERTS/server.key" \
        TCP:127.0.0.1:"$P1",nodelay 2>/dev/null &
    PIDS+=($!)
    "${PIN_C[@]}" socat TCP-LISTEN:"$P3",bind=127.0.0.1,reuseaddr,fork,nodelay \
        OPENSSL:127.0.0.1:"$P2",nodelay,cafile="$CERTS/ca.crt" 2>/dev/null &
    PIDS+=($!)
    for _ in $(seq 100); do listening "$P2" && listening "$P3" && break; sleep 0.05; done
    if listening "$P2" && listening "$P3"; then
        "$BIN" "$@" --bind "tcp://127.0.0.1:$P1" --connect "tcp://127.0.0.1:$P3" \
            --transport tcp --transport-label tcp+socat-tls
        exit
    fi
    cleanup # a port was taken meanwhile: try others
done
echo "run_tls_compare: socat tunnels did not start" >&2
exit 70
