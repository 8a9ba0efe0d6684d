#!/usr/bin/env bash
# zlink vs libzmq: build, run interleaved repetitions, write CSVs, report.
#
#   bash benchwithzmq/run_benchmarks.sh --with-libzmq --quick
#   bash benchwithzmq/run_benchmarks.sh --with-libzmq --runs 5
#   bash benchwithzmq/run_benchmarks.sh --soak [--soak-seconds 600]
#
# Options (defaults in brackets):
#   --with-libzmq        also run the system libzmq, interleaved with zlink
#   --libzmq-only        self-check: the zlink slot runs the libzmq binary too
#                        (builds only benchwithzmq/, works while zlink does not)
#   --runs N             repetitions per configuration [3]
#   --quick              README mode: PAIR,PUSHPULL,REQREP; sizes 64,1024,65536;
#                        inproc,ipc,tcp; fewer messages; no strace (< 5 min;
#                        ~3 min from a fresh machine including apt-get and build)
#   --patterns LIST      comma list; a name runs throughput, REQREP runs latency,
#                        lat:NAME forces latency (PAIR DEALER DEALERROUTER
#                        ROUTERROUTER ROUTERPOLL) [all 7 throughput + REQREP + lat:PAIR]
#   --transports LIST    inproc,ipc,tcp [all]
#   --sizes LIST         bytes [64,256,1024,8192,65536,131072,262144]
#   --msgs N             throughput messages per run [scaled by size]
#   --lat-msgs N         latency round trips per run [5000, 2000 above 8 KiB]
#   --warmup N           warm-up messages [1000]
#   --pin | --no-pin     pin the two ends to cpus 0 and 1 [on when nproc >= 2]
#   --env 'A=1 B=2'      a zlink variant run with these variables; repeat to
#                        compare variants (--env '' is the plain build)
#   --build-dir DIR      [<repo>/build-benchwithzmq]
#   --out DIR            where CSVs go [quick: <build-dir>/bench-results/quick,
#                        full: benchwithzmq/results]
#   --report-dir DIR     where the .md and charts/ go [quick: --out, full: benchwithzmq]
#   --syscalls|--no-syscalls  strace -c -f syscalls per message [full: on]
#   --no-floor           skip the raw-socket floor
#   --no-build           use binaries already in --build-dir
#   --no-install         never apt-get missing packages
#   --soak               run the soak instead (soak.cpp: mixed patterns with
#                        reconnect churn; zlink and libzmq at the same time,
#                        each pinned to its own cpu); CSVs in <out>/soak/,
#                        chart charts/soak.png, a section in the results file
#   --soak-seconds N     soak duration [600; 60 with --quick]
#   --soak-serial        run zlink's soak, then libzmq's (each on all cpus)
#   --soak-args 'ARGS'   extra soak options (e.g. '--churn-per-s 120')
#   --security           run the security set instead (5 runs unless --runs):
#                        CURVE over tcp (zlink and libzmq), zlink tls:// and
#                        tcp://, libzmq through socat TLS tunnels
#                        (run_tls_compare.sh); PAIR,PUSHPULL,REQREP at
#                        64,1024,65536 unless --patterns/--sizes; CSVs in
#                        <out>/security/, a section in the results file
#   --latency-matrix     run issue 12's latency set instead (5 runs unless
#                        --runs): REQ/REP at 64 B and 1 KiB over tcp, ipc,
#                        inproc with both ends on one cpu, on two, and
#                        unpinned, p50..p99.9, libzmq and the raw floor
#                        interleaved; REQ/REP 64 B under a PUSH/PULL stream of
#                        the same processes (tcp, ipc); REQ/REP 64 B beside a
#                        busy loop on cpu 0 (tcp); syscalls per round
#                        trip. CSVs in <out>/latency/, a results-file section
#   --web                run zlink ws:// and wss:// beside tcp:// instead
#                        (5 runs unless --runs): PAIR throughput 64 B, 1 KiB,
#                        64 KiB and REQ/REP latency 64 B; libzmq's ws:// too.
#                        CSVs in <out>/web/, a results-file section
#   --no-extras          quick mode without its compact subset of those two
#                        (tcp 64 B on one cpu, under load, syscalls; ws 64 B)
#   --syscall-counter strace|perf  what counts syscalls [strace]
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
RUNS=3 WITH_LIBZMQ=0 LIBZMQ_ONLY=0 QUICK=0 PIN=auto SYSCALLS=auto FLOOR=1
BUILD=1 INSTALL=1 PATTERNS="" TRANSPORTS="" SIZES="" MSGS="" LAT_MSGS=""
WARMUP=1000 BUILD_DIR="$ROOT/build-benchwithzmq" OUT="" REPORT_DIR="" ENVS=() ENVS_SET=0
SOAK=0 SOAK_SECONDS="" SOAK_SERIAL=0 SOAK_ARGS="" SECURITY=0 RUNS_SET=0
LATMATRIX=0 WEB=0 EXTRAS=1 SYSCALL_COUNTER=strace ROW_TAG=""

die() { echo "run_benchmarks: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
    case "$1" in
    --with-libzmq) WITH_LIBZMQ=1 ;;
    --libzmq-only) LIBZMQ_ONLY=1 WITH_LIBZMQ=1 ;;
    --runs) RUNS=$2 RUNS_SET=1; shift ;;
    --quick) QUICK=1 ;;
    --patterns) PATTERNS=$2; shift ;;
    --transports) TRANSPORTS=$2; shift ;;
    --sizes) SIZES=$2; shift ;;
    --msgs) MSGS=$2; shift ;;
    --lat-msgs) LAT_MSGS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --pin) PIN=1 ;;
    --no-pin) PIN=0 ;;
    --env) ENVS+=("$2"); ENVS_SET=1; shift ;;
    --build-dir) BUILD_DIR=$(realpath -m "$2"); shift ;;
    --out) OUT=$(realpath -m "$2"); shift ;;
    --report-dir) REPORT_DIR=$(realpath -m "$2"); shift ;;
    --syscalls) SYSCALLS=1 ;;
    --no-syscalls) SYSCALLS=0 ;;
    --no-floor) FLOOR=0 ;;
    --no-build) BUILD=0 ;;
    --no-install) INSTALL=0 ;;
    --soak) SOAK=1 WITH_LIBZMQ=1 ;;
    --soak-seconds) SOAK_SECONDS=$2; shift ;;
    --soak-serial) SOAK_SERIAL=1 ;;
    --soak-args) SOAK_ARGS=$2; shift ;;
    --security) SECURITY=1 WITH_LIBZMQ=1 ;;
    --latency-matrix) LATMATRIX=1 WITH_LIBZMQ=1 ;;
    --web) WEB=1 WITH_LIBZMQ=1 ;;
    --no-extras) EXTRAS=0 ;;
    --syscall-counter) SYSCALL_COUNTER=$2; shift ;;
    -h|--help) sed -n '2,/^set -u/{/^#/p}' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
    esac
    shift
done
[[ $ENVS_SET == 1 ]] || ENVS=("")
[[ $SYSCALL_COUNTER == strace || $SYSCALL_COUNTER == perf ]] || die "--syscall-counter strace|perf"
SYSCALLS_ASKED=$SYSCALLS # quick mode's extras count syscalls unless --no-syscalls
# shellcheck source=bench_latency.sh
source "$HERE/bench_latency.sh"

if [[ $LATMATRIX == 1 || $WEB == 1 ]]; then # 10000 round trips: 10 samples past p99.9
    : "${SIZES:=$([[ $WEB == 1 ]] && echo 64,1024,65536 || echo 64,1024)}"
    [[ $RUNS_SET == 1 ]] || RUNS=5
    THR_BUDGET=$((256 << 20)) THR_MAX=2000000 THR_MIN=4000 LAT_SMALL=10000 LAT_BIG=2000
elif [[ $SECURITY == 1 ]]; then # batched small messages run for 0.5 s or more
    : "${PATTERNS:=PAIR,PUSHPULL,REQREP}" "${SIZES:=64,1024,65536}"
    [[ $RUNS_SET == 1 ]] || RUNS=5
    SYSCALLS=0 FLOOR=0
    THR_BUDGET=$((256 << 20)) THR_MAX=2000000 THR_MIN=4000 LAT_SMALL=5000 LAT_BIG=2000
elif [[ $QUICK == 1 ]]; then
    : "${PATTERNS:=PAIR,PUSHPULL,PUSHPULLx8,REQREP}" "${SIZES:=64,1024,65536}"
    [[ $SYSCALLS == auto ]] && SYSCALLS=0
    THR_BUDGET=$((64 << 20)) THR_MAX=300000 THR_MIN=4000 LAT_SMALL=2000 LAT_BIG=1000
else
    : "${PATTERNS:=PAIR,PUSHPULL,PUSHPULLx8,PUBSUB,DEALER,DEALERROUTER,ROUTERROUTER,ROUTERPOLL,REQREP,lat:PAIR}"
    : "${SIZES:=64,256,1024,8192,65536,131072,262144}"
    THR_BUDGET=$((256 << 20)) THR_MAX=1000000 THR_MIN=2000 LAT_SMALL=5000 LAT_BIG=2000
fi
: "${TRANSPORTS:=inproc,ipc,tcp}"
[[ $SYSCALLS == auto ]] && SYSCALLS=1
if [[ -z $OUT ]]; then
    if [[ $QUICK == 1 ]]; then OUT="$BUILD_DIR/bench-results/quick"; else OUT="$HERE/results"; fi
fi
NPROC=$(nproc)
if [[ $PIN == auto ]]; then PIN=$([[ $NPROC -ge 2 ]] && echo 1 || echo 0); fi
if [[ $PIN == 1 && $NPROC -lt 2 ]]; then echo "note: one cpu, not pinning" >&2; PIN=0; fi
PINARG=(); [[ $PIN == 1 ]] && PINARG=(--pin 0,1)

# ---- dependencies ---------------------------------------------------------
pick_python() {
    for py in python3 /usr/bin/python3; do
        if command -v "$py" >/dev/null && "$py" -c 'import matplotlib' 2>/dev/null; then
            echo "$py"; return; fi
    done
    echo python3
}
ensure_deps() {
    local missing=()
    command -v cmake >/dev/null || missing+=(cmake)
    command -v c++ >/dev/null || missing+=(g++)
    [[ -f /usr/include/boost/version.hpp ]] || missing+=(libboost-dev)
    [[ $WITH_LIBZMQ == 1 && ! -f /usr/include/zmq.h ]] && missing+=(libzmq3-dev pkg-config)
    "$(pick_python)" -c 'import matplotlib' 2>/dev/null || missing+=(python3-matplotlib)
    if [[ $SECURITY == 1 ]]; then
        command -v socat >/dev/null || missing+=(socat)
        command -v openssl >/dev/null || missing+=(openssl)
    fi
    [[ $WEB == 1 || ($QUICK == 1 && $EXTRAS == 1) ]] && ! command -v openssl >/dev/null &&
        missing+=(openssl)
    [[ $SYSCALLS != 0 && $SYSCALL_COUNTER == strace ]] && ! command -v strace >/dev/null &&
        missing+=(strace)
    [[ ${#missing[@]} -eq 0 ]] && return
    if [[ $INSTALL == 0 ]] || ! command -v apt-get >/dev/null; then
        echo "warning: missing ${missing[*]} (install them first)" >&2; return
    fi
    local sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
    echo "installing ${missing[*]}" >&2
    $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}" >&2 ||
        die "apt-get install failed"
}

# ---- build ----------------------------------------------------------------
build() {
    local j=$NPROC
    if [[ $LIBZMQ_ONLY == 1 ]]; then
        BINDIR="$BUILD_DIR/standalone"
        if [[ $BUILD == 1 ]]; then
            cmake -S "$HERE" -B "$BINDIR" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
                cmake --build "$BINDIR" -j"$j" >/dev/null || die "standalone build failed"
        fi
        ZBIN="$BINDIR/bench_libzmq"
    else
        BINDIR="$BUILD_DIR/benchwithzmq"
        if [[ $BUILD == 1 ]]; then
            local targets=(bench_zlink raw_floor); [[ $WITH_LIBZMQ == 1 ]] && targets+=(bench_libzmq)
            [[ $SOAK == 1 ]] && targets=(soak_zlink soak_libzmq)
            cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
                -DZLINK_BUILD_TESTS=OFF -DZLINK_BUILD_BENCH=ON >/dev/null ||
                die "cmake configure failed (zlink not buildable? try --libzmq-only)"
            cmake --build "$BUILD_DIR" -j"$j" --target "${targets[@]}" 2>&1 | tail -5 >&2
            [[ ${PIPESTATUS[0]} == 0 ]] || die "build failed (try --libzmq-only)"
        fi
        ZBIN="$BINDIR/bench_zlink"
    fi
    LBIN="$BINDIR/bench_libzmq"
    RAWBIN="$BINDIR/raw_floor"
    if [[ $SOAK == 1 ]]; then
        ZBIN="$BINDIR/soak_zlink" LBIN="$BINDIR/soak_libzmq"
        [[ $LIBZMQ_ONLY == 1 ]] && ZBIN=$LBIN
    fi
    [[ -x $ZBIN ]] || die "missing $ZBIN"
    [[ $WITH_LIBZMQ == 0 || -x $LBIN ]] || die "missing $LBIN"
}

# ---- environment record -----------------------------------------------------
record_env() {
    local boost=unknown
    [[ -f /usr/include/boost/version.hpp ]] &&
        boost=$(sed -n 's/^#define BOOST_LIB_VERSION "\(.*\)"/\1/p' /usr/include/boost/version.hpp | tr _ .)
    {
        echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "kernel=$(uname -srm)"
        echo "cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
        echo "nproc=$NPROC"
        echo "compiler=$(c++ --version | head -1)"
        echo "cmake=$(cmake --version | head -1)"
        echo "boost=$boost"
        echo "libzmq=$([[ -x $LBIN ]] && "$LBIN" --version || echo none)"
        echo "zlink_reports=$("$ZBIN" --version)"
        echo "zlink_commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)"
        echo "runs=$RUNS"
        echo "warmup=$WARMUP"
        echo "pinned=$([[ $PIN == 1 ]] && echo 'yes (cpu 0: binding side, cpu 1: connecting side)' || echo no)"
        echo "quick=$QUICK"
        echo "libzmq_only=$LIBZMQ_ONLY"
        echo "zlink_variants=$(printf '[%s] ' "${ENVS[@]}")"
    } >"$OUT/env.txt"
}

# ---- runs -----------------------------------------------------------------
FAILED=0
TMO=60 # a normal run takes seconds; libzmq's ROUTER+poll over ipc sometimes stalls
msgs_for() { # kind size
    [[ $1 == load && -n ${LOAD_MSGS:-} ]] && { echo "$LOAD_MSGS"; return; }
    if [[ $1 == lat || $1 == load ]]; then
        [[ -n $LAT_MSGS ]] && { echo "$LAT_MSGS"; return; }
        [[ $2 -le 8192 ]] && echo "$LAT_SMALL" || echo "$LAT_BIG"
        return
    fi
    [[ -n $MSGS ]] && { echo "$MSGS"; return; }
    local n=$((THR_BUDGET / $2))
    ((n > THR_MAX)) && n=$THR_MAX
    ((n < THR_MIN)) && n=$THR_MIN
    echo "$n"
}

variant_label() { # envspec
    [[ -z $1 ]] && { echo zlink; return; }
    echo "zlink[$(echo "$1" | tr ', ' ';+')]"
}

run_one() { # run label bin envspec kind pattern transport size
    local run=$1 label=$2 bin=$3 envspec=$4 kind=$5 pat=$6 tr=$7 size=$8
    local msgs errf line rc
    local spread=() # PUSHPULLx8: one PUSH over 8 connections (bench --connections)
    [[ $pat =~ ^(.+)x([0-9]+)$ ]] && spread=(--pattern "${BASH_REMATCH[1]}" --connections "${BASH_REMATCH[2]}")
    msgs=$(msgs_for "$kind" "$size")
    errf=$(mktemp)
    # shellcheck disable=SC2086 # envspec is a list of VAR=val words
    line=$(env $envspec timeout $TMO "$bin" --mode "$kind" --pattern "$pat" --transport "$tr" \
        --size "$size" --msgs "$msgs" --warmup "$WARMUP" --lib "$label" "${PINARG[@]}" \
        "${spread[@]}" 2>"$errf")
    rc=$?
    if [[ $rc -ne 0 || -z $line ]]; then
        FAILED=$((FAILED + 1))
        {
            echo "FAILED (rc=$rc): $label $kind $pat $tr $size"
            sed 's/^/    /' "$errf"
        } | tee -a "$OUT/failures.txt" >&2
    else
        echo "$run,$line" >>"$OUT/raw.csv"
        grep '^#debug' "$errf" | sed "s|^|$label $kind $pat $tr $size |" >>"$OUT/debug_counters.txt"
    fi
    rm -f "$errf"
}

# Each configuration runs all its repetitions back to back, alternating which
# library goes first, so both see the same machine state.
run_config() { # kind pattern transport size
    local run v
    for ((run = 1; run <= RUNS; run++)); do
        if [[ $WITH_LIBZMQ == 1 && $((run % 2)) == 1 ]]; then
            run_one "$run" libzmq "$LBIN" "" "$@"; fi
        for v in "${ENVS[@]}"; do run_one "$run" "$(variant_label "$v")" "$ZBIN" "$v" "$@"; done
        if [[ $WITH_LIBZMQ == 1 && $((run % 2)) == 0 ]]; then
            run_one "$run" libzmq "$LBIN" "" "$@"; fi
    done
}

run_floor() {
    local kind tr size run line msgs
    for tr in ${TRANSPORTS//,/ }; do
        [[ $tr == inproc ]] && continue
        for kind in $FLOOR_KINDS; do
            for size in ${SIZES//,/ }; do
                msgs=$(msgs_for "$kind" "$size")
                for ((run = 1; run <= RUNS; run++)); do
                    if line=$(timeout $TMO "$RAWBIN" --mode "$kind" --transport "$tr" --size "$size" \
                        --msgs "$msgs" --warmup "$WARMUP" "${PINARG[@]}" 2>>"$OUT/failures.txt"); then
                        echo "$run,$line" >>"$OUT/raw.csv"
                    else
                        FAILED=$((FAILED + 1)); echo "FAILED: raw $kind $tr $size" | tee -a "$OUT/failures.txt" >&2
                    fi
                done
            done
        done
    done
}

make_report() {
    local py md charts
    py=$(pick_python)
    if [[ -z $REPORT_DIR ]]; then
        if [[ $QUICK == 1 ]]; then REPORT_DIR=$OUT; else REPORT_DIR=$HERE; fi
    fi
    mkdir -p "$REPORT_DIR"
    md="$REPORT_DIR/zlink_BENCHMARK_RESULTS.md" charts="$REPORT_DIR/charts"
    local notes=()
    # The hand-written reading of the committed full run goes into its report.
    [[ $QUICK == 0 && $REPORT_DIR == "$HERE" && -f $HERE/RESULTS_NOTES.md ]] &&
        notes=(--notes "$HERE/RESULTS_NOTES.md")
    "$py" "$HERE/report.py" --results "$OUT" --md "$md" --charts "$charts" --print-table "${notes[@]}" ||
        echo "report generation failed" >&2
    echo "" >&2
    echo "full results: $md (charts in $charts, CSVs in $OUT)" >&2
}

# ---- soak -------------------------------------------------------------------
# Both libraries run at the same time for the same wall-clock window, each
# pinned to its own cpu: they share the machine's noise moment by moment,
# neither can take the other's cpu, and the time axes line up. Each gets one
# cpu, so messages/s is lower than either would reach alone.
run_soak() {
    local sout="$OUT/soak" secs=${SOAK_SECONDS:-$([[ $QUICK == 1 ]] && echo 60 || echo 600)}
    mkdir -p "$sout"
    rm -f "$sout"/soak_*.csv "$sout"/soak_*.summary "$sout"/soak_*.log
    local concurrent=1; [[ $SOAK_SERIAL == 1 || $NPROC -lt 2 ]] && concurrent=0
    {
        echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "kernel=$(uname -srm)"
        echo "nproc=$NPROC"
        echo "libzmq=$("$LBIN" --version)"
        echo "zlink_reports=$("$ZBIN" --version)"
        echo "zlink_commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)"
        echo "soak_seconds=$secs"
        echo "soak_mode=$([[ $concurrent == 1 ]] && echo "concurrent ($([[ $PIN == 1 ]] && echo 'zlink pinned to cpu 0, libzmq to cpu 1' || echo unpinned))" || echo 'serial (zlink, then libzmq; unpinned)')"
        echo "soak_args=$SOAK_ARGS"
        echo "libzmq_only=$LIBZMQ_ONLY"
    } >"$sout/env.txt"
    echo "soak: $secs s, $([[ $concurrent == 1 ]] && echo 'both libraries at once' || echo 'one library after the other')" >&2
    local lib i=0 pids=() libs=(zlink libzmq) cpu0=-1 cpu1=-1
    [[ $PIN == 1 ]] && cpu0=0 cpu1=1
    start_one() { # lib bin cpu
        local pin=(); [[ $3 -ge 0 ]] && pin=(--pin "$3")
        # shellcheck disable=SC2086 # SOAK_ARGS is a list of options
        timeout --signal=KILL $((secs + 240)) "$2" --seconds "$secs" --lib "$1" "${pin[@]}" \
            --csv "$sout/soak_$1.csv" --summary "$sout/soak_$1.summary" $SOAK_ARGS 2>"$sout/soak_$1.log"
    }
    finish_one() { # lib rc: a run that died leaves a summary saying how
        local rc=$2
        [[ $rc -ne 0 ]] && { FAILED=$((FAILED + 1)); echo "soak $1: exit status $rc (see $sout/soak_$1.log)" >&2; }
        if [[ ! -s $sout/soak_$1.summary ]]; then
            echo "soak_summary lib=$1 result=CRASHED exit=$rc" >"$sout/soak_$1.summary"
        fi
        cat "$sout/soak_$1.summary" >&2
    }
    if [[ $concurrent == 1 ]]; then
        start_one zlink "$ZBIN" $cpu0 & pids+=($!)
        start_one libzmq "$LBIN" $cpu1 & pids+=($!)
        for lib in "${libs[@]}"; do wait "${pids[$i]}"; finish_one "$lib" $?; i=$((i + 1)); done
    else
        start_one zlink "$ZBIN" -1; finish_one zlink $?
        start_one libzmq "$LBIN" -1; finish_one libzmq $?
    fi
}

# ---- security -------------------------------------------------------------
run_security() {
    start_set security
    echo "run,$("$ZBIN" --header)" >"$SOUT/raw.csv" # no pin column here
    bench_certs || die "certificates"
    {
        echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "kernel=$(uname -srm)"
        echo "cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
        echo "nproc=$NPROC"
        echo "libzmq=$("$LBIN" --version)"
        echo "zlink_commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)"
        echo "openssl=$(openssl version)"
        echo "socat=$(socat -V 2>/dev/null | sed -n 's/^socat version \([^ ]*\).*/\1/p')"
        echo "runs=$RUNS"
        echo "warmup=$WARMUP"
        echo "pinned=$([[ $PIN == 1 ]] && echo 'yes (cpu 0: binding side and its socat, cpu 1: connecting side and its socat)' || echo no)"
    } >"$SOUT/env.txt"
    VARIANTS=(
        "libzmq|$LBIN --transport tcp --mechanism curve"
        "zlink|$ZBIN --transport tcp --mechanism curve"
        "zlink|$ZBIN --transport tcp"
        "zlink|$ZBIN --transport tls --tls-dir $CERTS"
        "libzmq+socat|bash $HERE/run_tls_compare.sh --certs $CERTS $LBIN"
    )
    local p kind pat size
    CONFIGS=()
    for p in ${PATTERNS//,/ }; do
        case "$p" in lat:*) kind=lat pat=${p#lat:} ;; REQREP) kind=lat pat=REQREP ;; *) kind=thr pat=$p ;; esac
        for size in ${SIZES//,/ }; do CONFIGS+=("$kind $pat $size"); done
    done
    run_variants
}

# The sets that rewrite only their own section of the results file.
run_section_set() { # name runner report-args...
    local name=$1 runner=$2 md
    shift 2
    $runner
    md="${REPORT_DIR:-$([[ $QUICK == 1 ]] && echo "$OUT" || echo "$HERE")}/zlink_BENCHMARK_RESULTS.md"
    "$(pick_python)" "$HERE/report_latency.py" --results "$OUT" --md "$md" --print "$@" ||
        echo "report generation failed" >&2
    [[ $FAILED -eq 0 ]] || { echo "$name FAILURES: $FAILED runs failed" >&2; exit 1; }
}

web_full() { run_web "thr PAIR 64" "thr PAIR 1024" "thr PAIR 65536" "lat REQREP 64"; }

main() {
    local t_start=$SECONDS
    [[ $INSTALL == 1 ]] && ensure_deps
    build
    mkdir -p "$OUT"
    if [[ $SECURITY == 1 ]]; then
        run_security
        # Only the security section of the results file is rewritten: the rest
        # (hand-written notes included) stays as the last full run left it.
        local md
        md="${REPORT_DIR:-$([[ $QUICK == 1 ]] && echo "$OUT" || echo "$HERE")}/zlink_BENCHMARK_RESULTS.md"
        "$(pick_python)" "$HERE/report_security.py" --results "$OUT" --md "$md" --print ||
            echo "report generation failed" >&2
        echo "total time: $((SECONDS - t_start)) s" >&2
        [[ $FAILED -eq 0 ]] || { echo "SECURITY FAILURES: $FAILED runs failed" >&2; exit 1; }
        return
    fi
    if [[ $LATMATRIX == 1 ]]; then
        run_section_set "LATENCY MATRIX" run_latency_matrix
        echo "total time: $((SECONDS - t_start)) s" >&2
        return
    fi
    if [[ $WEB == 1 ]]; then
        run_section_set WEB web_full
        echo "total time: $((SECONDS - t_start)) s" >&2
        return
    fi
    if [[ $SOAK == 1 ]]; then
        run_soak
        make_report
        [[ $FAILED -eq 0 ]] || { echo "SOAK FAILURES: $FAILED runs failed or found errors" >&2; exit 1; }
        return
    fi
    rm -f "$OUT"/raw.csv "$OUT"/failures.txt "$OUT"/debug_counters.txt "$OUT"/syscalls.csv
    echo "run,$("$ZBIN" --header)" >"$OUT/raw.csv"
    record_env
    echo "build done in $((SECONDS - t_start)) s; results in $OUT" >&2

    local configs=() p kind pat tr size
    FLOOR_KINDS=""
    for p in ${PATTERNS//,/ }; do
        case "$p" in
        lat:*) kind=lat pat=${p#lat:} ;;
        REQREP) kind=lat pat=REQREP ;;
        *) kind=thr pat=$p ;;
        esac
        [[ $FLOOR_KINDS == *$kind* ]] || FLOOR_KINDS="$FLOOR_KINDS $kind"
        for tr in ${TRANSPORTS//,/ }; do
            for size in ${SIZES//,/ }; do configs+=("$kind $pat $tr $size"); done
        done
    done
    local i=0 c
    for c in "${configs[@]}"; do
        i=$((i + 1))
        printf '[%d/%d] %s\n' "$i" "${#configs[@]}" "$c" >&2
        # shellcheck disable=SC2086
        run_config $c
    done
    [[ $FLOOR == 1 ]] && { echo "raw-socket floor" >&2; run_floor; }
    [[ $SYSCALLS == 1 ]] && { echo "syscalls per message ($SYSCALL_COUNTER)" >&2
        run_syscalls "$OUT/syscalls.csv" "thr lat" "$TRANSPORTS"; }
    if [[ $QUICK == 1 ]]; then
        rm -rf "$OUT/latency" "$OUT/web" # only this run's extras go into its report
        if [[ $EXTRAS == 1 ]]; then
            local t_extras=$SECONDS
            echo "latency extras: one cpu, under load, syscalls, ws" >&2
            run_latency_extras
            echo "latency extras took $((SECONDS - t_extras)) s" >&2
        fi
    fi
    echo "runs done in $((SECONDS - t_start)) s" >&2

    make_report
    echo "total time: $((SECONDS - t_start)) s" >&2
    if [[ $FAILED -ne 0 ]]; then
        echo "BENCHMARK FAILURES: $FAILED runs failed (see $OUT/failures.txt)" >&2
        exit 1
    fi
}

main
