# Sourced by run_benchmarks.sh (uses its globals: RUNS, PINARG, ZBIN, LBIN,
# RAWBIN, OUT, WARMUP, FAILED, ...). The latency set of issue 12 and the
# ws/wss rows of issue 13:
#   run_syscalls       syscalls per message or round trip (strace or perf)
#   run_latency_matrix REQ/REP latency pinned on one cpu, on two, unpinned,
#                      with the raw floor; under load; syscalls per round trip
#   run_web            zlink ws:// and wss:// beside tcp://
#   run_latency_extras the compact subset of both in quick mode
# Each set writes <out>/<set>/raw.csv (bench CSV lines after "run,pin,").
# The matrix's pin modes and load transports can be narrowed by hand:
# LM_PINS="two" LM_LOAD_TRANSPORTS=tcp LM_BUSY_TRANSPORTS="" bash run_benchmarks.sh --latency-matrix
# and a zlink variant added: LM_ZLINK_ENV='ZLINK_REACTOR_READ=0'.

# pin mode -> bench --pin argument: one = both ends on cpu 0, two = cpu 0
# and cpu 1, none = wherever the scheduler puts them.
pin_args() {
    case "$1" in one) PINARG=(--pin 0,0) ;; two) PINARG=(--pin 0,1) ;; *) PINARG=() ;; esac
}

# One line per variant and run into $SOUT/raw.csv; ROW_TAG (the pin mode)
# becomes the second column.
run_sec_one() { # run label kind pat size command...
    local run=$1 label=$2 kind=$3 pat=$4 size=$5 line rc errf
    shift 5
    errf=$(mktemp)
    line=$(timeout $TMO "$@" --mode "$kind" --pattern "$pat" --size "$size" \
        --msgs "$(msgs_for "$kind" "$size")" --warmup "$WARMUP" --lib "$label" "${PINARG[@]}" 2>"$errf")
    rc=$?
    if [[ $rc -ne 0 || -z $line ]]; then
        FAILED=$((FAILED + 1))
        { echo "FAILED (rc=$rc): $label $kind $pat $size ${ROW_TAG:+pin=$ROW_TAG }($*)"
            sed 's/^/    /' "$errf"; } |
            tee -a "$SOUT/failures.txt" >&2
    else
        echo "$run${ROW_TAG:+,$ROW_TAG},$line" >>"$SOUT/raw.csv"
    fi
    rm -f "$errf"
}

# Every CONFIGS entry ("kind pattern size") RUNS times; each run has every
# VARIANTS entry ("label|command") once, the order rotated each run so no
# variant always goes first (or last) on a noisy machine.
run_variants() {
    local c k=0 run i n=${#VARIANTS[@]} v
    for c in "${CONFIGS[@]}"; do
        k=$((k + 1))
        printf '[%d/%d] %s%s\n' "$k" "${#CONFIGS[@]}" "${ROW_TAG:+pin=$ROW_TAG }" "$c" >&2
        for ((run = 1; run <= RUNS; run++)); do
            for ((i = 0; i < n; i++)); do
                v=${VARIANTS[$(((i + run) % n))]}
                # shellcheck disable=SC2086 # the config and command are word lists
                run_sec_one "$run" "${v%%|*}" $c ${v#*|}
            done
        done
    done
}

# Certificates for tls:// and wss:// (once per invocation).
bench_certs() {
    [[ -n ${CERTS:-} ]] && return 0
    command -v openssl >/dev/null || return 1
    CERTS=$(mktemp -d)
    # shellcheck disable=SC2064 # expand now: the directory of this run
    trap "rm -rf '$CERTS'" EXIT
    bash "$HERE/run_tls_compare.sh" --make-certs "$CERTS"
}

# Total system calls of a command and every process and thread it starts.
count_syscalls() { # command...
    local tmp n=""
    tmp=$(mktemp)
    if [[ $SYSCALL_COUNTER == perf ]]; then
        perf stat -x, -e raw_syscalls:sys_enter -o "$tmp" "$@" >/dev/null 2>&1 &&
            n=$(awk -F, '/raw_syscalls:sys_enter/ {print $1}' "$tmp")
    else
        strace -f -c -o "$tmp" "$@" >/dev/null 2>&1 && n=$(awk '$NF == "total" {print $4}' "$tmp")
    fi
    rm -f "$tmp"
    echo "$n"
}

syscall_counter_ok() {
    if [[ $SYSCALL_COUNTER == perf ]]; then
        perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1 && return 0
        echo "perf cannot count raw_syscalls:sys_enter here: no syscall figures" >&2
    else
        command -v strace >/dev/null && return 0
        echo "strace not found: no syscall figures (scripts/install-deps.sh installs it)" >&2
    fi
    return 1
}

# Syscalls per message (thr) or per round trip (lat) of both processes: two
# runs of N1 and N2 messages after the same warm-up, (calls2 - calls1) /
# (N2 - N1), so set-up, warm-up and teardown cancel out. The counter slows
# every call (strace by 10x or more), so these runs never feed the timings,
# and a library that spins before parking parks more often under strace.
run_syscalls() { # out-file kinds transports
    local file=$1 kinds=$2 trs=$3
    syscall_counter_ok || return 0
    echo "lib,kind,pattern,transport,size,msgs,syscalls,syscalls_per_msg,method" >"$file"
    local tr kind pat n1 n2 lib bin c1 c2 args
    for tr in ${trs//,/ }; do
        for kind in $kinds; do
            [[ $kind == thr ]] && { pat=PAIR n1=10000 n2=30000; } || { pat=REQREP n1=500 n2=2500; }
            [[ $QUICK == 1 && $kind == lat ]] && n1=200 n2=1000 # strace: ~2 ms per libzmq round trip
            for lib in libzmq zlink raw; do
                [[ $lib == libzmq && $WITH_LIBZMQ == 0 ]] && continue
                [[ $lib == raw && ($tr == inproc || $FLOOR == 0) ]] && continue
                bin=$ZBIN
                [[ $lib == libzmq ]] && bin=$LBIN
                [[ $lib == raw ]] && bin=$RAWBIN
                args=(--mode "$kind" --pattern $pat --transport "$tr" --size 64 --warmup 200
                    --lib $lib "${PINARG[@]}")
                c1=$(count_syscalls timeout $TMO "$bin" "${args[@]}" --msgs $n1)
                c2=$(count_syscalls timeout $TMO "$bin" "${args[@]}" --msgs $n2)
                if [[ -z $c1 || -z $c2 ]]; then
                    echo "syscall count failed: $lib $kind $tr" >&2
                    continue
                fi
                [[ $lib == raw ]] && pat=$([[ $kind == thr ]] && echo STREAM || echo PINGPONG)
                echo "$lib,$kind,$pat,$tr,64,$((n2 - n1)),$((c2 - c1)),$(awk -v c=$((c2 - c1)) \
                    -v m=$((n2 - n1)) 'BEGIN{printf "%.2f", c/m}'),difference-$SYSCALL_COUNTER" >>"$file"
                [[ $kind == thr ]] && pat=PAIR || pat=REQREP
            done
        done
    done
}

set_env_record() { # dir what
    {
        echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "kernel=$(uname -srm)"
        echo "cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
        echo "nproc=$NPROC"
        echo "libzmq=$([[ -x $LBIN ]] && "$LBIN" --version || echo none)"
        echo "zlink_commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)"
        echo "runs=$RUNS"
        echo "warmup=$WARMUP"
        echo "quick=$QUICK"
        echo "set=$2"
        echo "syscall_counter=$SYSCALL_COUNTER"
        echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
    } >"$1/env.txt"
}

start_set() { # name: fresh <out>/<name>/ with the CSV header
    SOUT="$OUT/$1"
    mkdir -p "$SOUT"
    rm -f "$SOUT"/raw.csv "$SOUT"/failures.txt "$SOUT"/syscalls.csv
    echo "run,pin,$("$ZBIN" --header)" >"$SOUT/raw.csv"
    set_env_record "$SOUT" "$1"
}

# REQ/REP latency for each pin mode x transport x size: libzmq, zlink and
# (not inproc) the raw ping-pong, interleaved; then latency under load and
# syscalls per round trip.
lat_matrix_cells() { # pins transports sizes
    local pin tr s
    for pin in $1; do
        [[ $pin == two && $NPROC -lt 2 ]] && { echo "one cpu: no 'two' pin mode" >&2; continue; }
        ROW_TAG=$pin
        pin_args "$pin"
        for tr in ${2//,/ }; do
            VARIANTS=("zlink|$ZBIN --transport $tr")
            # LM_ZLINK_ENV='A=0 B=1': also zlink with those variables, as
            # zlink[A=0;B=1] in raw.csv (the report's tables skip it).
            [[ -n ${LM_ZLINK_ENV:-} ]] &&
                VARIANTS+=("$(variant_label "$LM_ZLINK_ENV")|env $LM_ZLINK_ENV $ZBIN --transport $tr")
            [[ $WITH_LIBZMQ == 1 ]] && VARIANTS+=("libzmq|$LBIN --transport $tr")
            [[ $tr != inproc && $FLOOR == 1 ]] && VARIANTS+=("raw|$RAWBIN --transport $tr")
            CONFIGS=()
            for s in ${3//,/ }; do CONFIGS+=("lat REQREP $s"); done
            run_variants
        done
    done
}

# One config, zlink and libzmq interleaved, for each transport (pins as set).
zlink_libzmq_cells() { # config transports
    local tr
    for tr in ${2//,/ }; do
        VARIANTS=("zlink|$ZBIN --transport $tr")
        [[ $WITH_LIBZMQ == 1 ]] && VARIANTS+=("libzmq|$LBIN --transport $tr")
        CONFIGS=("$1")
        run_variants
    done
}

load_cells() { # pins transports
    local pin
    for pin in $1; do
        [[ $pin == two && $NPROC -lt 2 ]] && continue
        ROW_TAG=$pin
        pin_args "$pin"
        zlink_libzmq_cells "load REQREP 64" "$2"
    done
}

# REQ/REP 64 B on two cpus with a CPU-bound busy loop on cpu 0 (the binding
# side's cpu): what a neighbour program does to each library's round trip.
neighbour_cells() { # transports
    [[ $NPROC -lt 2 ]] && return 0
    local hog
    ROW_TAG=busy
    pin_args two
    taskset -c 0 sh -c 'while :; do :; done' &
    hog=$!
    zlink_libzmq_cells "lat REQREP 64" "$1"
    kill "$hog" 2>/dev/null
    wait "$hog" 2>/dev/null || true
}

run_latency_matrix() {
    start_set latency
    lat_matrix_cells "${LM_PINS:-one two none}" "$TRANSPORTS" "$SIZES"
    echo "latency under load" >&2
    LOAD_MSGS=${LOAD_MSGS:-3000} # zlink's round trips under load take milliseconds here
    load_cells "two none" "${LM_LOAD_TRANSPORTS:-tcp,ipc}"
    LOAD_MSGS=""
    echo "latency beside a busy loop" >&2
    local saved_lat=$LAT_MSGS
    LAT_MSGS=${LM_BUSY_MSGS:-3000} # a round trip can wait out a time slice (ms)
    neighbour_cells "${LM_BUSY_TRANSPORTS-tcp}"
    LAT_MSGS=$saved_lat
    local saved=("${PINARG[@]}")
    if [[ $SYSCALLS != 0 ]]; then
        echo "syscalls per round trip ($SYSCALL_COUNTER)" >&2
        pin_args two
        run_syscalls "$SOUT/syscalls.csv" lat "$TRANSPORTS"
    fi
    PINARG=("${saved[@]}") ROW_TAG=""
}

# zlink ws:// and wss:// beside zlink tcp:// (and, not in quick mode,
# libzmq's own ws://, which Debian's 4.3.4 carries although zmq_has("ws")
# says 0), pinned as set.
run_web() { # configs...
    start_set web
    local pin=two; [[ $PIN == 1 ]] || pin=none
    ROW_TAG=$pin
    pin_args "$pin"
    VARIANTS=("zlink|$ZBIN --transport tcp" "zlink|$ZBIN --transport ws")
    if bench_certs; then
        VARIANTS+=("zlink|$ZBIN --transport wss --tls-dir $CERTS")
    else
        echo "openssl missing: no wss:// rows" >&2
    fi
    [[ $WITH_LIBZMQ == 1 && $QUICK == 0 ]] &&
        VARIANTS+=("libzmq|$LBIN --transport ws" "libzmq|$LBIN --transport tcp")
    CONFIGS=("$@")
    run_variants
    ROW_TAG=""
}

# Quick mode's compact subset (a few seconds each): REQ/REP 64 B over tcp with
# both ends on one cpu; under load over tcp; syscalls per round trip over
# tcp; ws/wss 64 B throughput and latency.
run_latency_extras() {
    local saved=("${PINARG[@]}") saved_warmup=$WARMUP t=$SECONDS
    start_set latency
    lat_matrix_cells one tcp 64
    echo "  one cpu: $((SECONDS - t)) s" >&2 && t=$SECONDS
    WARMUP=100 LOAD_MSGS=500 # a round trip under load can take milliseconds
    load_cells two tcp
    WARMUP=$saved_warmup LOAD_MSGS=""
    echo "  under load: $((SECONDS - t)) s" >&2 && t=$SECONDS
    if [[ $SYSCALLS_ASKED != 0 ]]; then
        pin_args two
        run_syscalls "$SOUT/syscalls.csv" lat tcp
        echo "  syscalls: $((SECONDS - t)) s" >&2 && t=$SECONDS
    fi
    run_web "thr PAIR 64" "lat REQREP 64"
    echo "  ws/wss: $((SECONDS - t)) s" >&2
    PINARG=("${saved[@]}") ROW_TAG=""
}
