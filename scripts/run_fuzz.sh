#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASAN+UBSAN) and runs each from the
# committed seed corpus (fuzz/corpus/<target>/) for a bounded time, two at a
# time. A crash, leak or sanitizer report fails the run; the reproducer is
# left in build-ci/fuzz/artifacts/.
#   ZLINK_FUZZ_SECONDS=45   time per target
#   ZLINK_FUZZ_BUILD=dir    build directory (default build-ci/fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${ZLINK_FUZZ_SECONDS:-45}
DIR=${ZLINK_FUZZ_BUILD:-build-ci/fuzz}
mkdir -p "$DIR"
CC=clang CXX=clang++ cmake -S . -B "$DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DZLINK_BUILD_TESTS=OFF -DZLINK_BUILD_BENCH=OFF >"$DIR/configure.log" 2>&1 ||
  { cat "$DIR/configure.log"; exit 1; }
cmake --build "$DIR" -j"$(nproc)" --target zlink_fuzz_targets >"$DIR/build.log" 2>&1 ||
  { tail -50 "$DIR/build.log"; exit 1; }

targets=$(cd fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//')
mkdir -p "$DIR/artifacts"
run_one() {
  local t=$1 work="$DIR/corpus/$1"
  rm -rf "$work" && mkdir -p "$work"
  # The committed seeds stay read-only inputs; new findings go to $work.
  if "$DIR/fuzz/$t" "$work" "fuzz/corpus/$t" -max_total_time="$SECS" -rss_limit_mb=2048 \
       -artifact_prefix="$DIR/artifacts/$t-" -print_final_stats=1 >"$DIR/$t.log" 2>&1; then
    echo "fuzz $t: ok ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$DIR/$t.log" | grep -o '[0-9]*$') runs in ${SECS}s)"
  else
    echo "fuzz $t: FAILED"; tail -40 "$DIR/$t.log"; return 1
  fi
}
status=0
pids=()
names=()
for t in $targets; do
  run_one "$t" & pids+=($!); names+=("$t")
  if [ ${#pids[@]} -ge "$(nproc)" ]; then
    wait "${pids[0]}" || status=1; pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
