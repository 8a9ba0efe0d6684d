#!/usr/bin/env bash
# The whole test suite, as CI runs it: checks that includes point the
# allowed way (scripts/check_layers.sh, a second; a violation stops the run
# at once), installs dependencies, then builds and runs four lanes: plain
# Release, ASAN+UBSAN, TSAN (lock-free pipe and mailbox tests plus the
# threaded socket tests), and fuzz (every libFuzzer target built with clang
# and run for a bounded time from its seed corpus).
#   ZLINK_SKIP_DEPS=1   do not apt-get (already installed)
#   ZLINK_LANES="release asan tsan fuzz"   choose lanes; "libzmq" (not in the
#     default set, to keep CI under 30 min) runs the public tests on the system libzmq
set -euo pipefail
cd "$(dirname "$0")/.."
echo "=== layers: include directions (doc/DESIGN.md, Layers)"
bash scripts/check_layers.sh || { echo "=== layers FAILED: no lane runs"; exit 1; }
[ "${ZLINK_SKIP_DEPS:-0}" = 1 ] || bash scripts/install-deps.sh
JOBS=$(nproc)
LANES=${ZLINK_LANES:-"release asan tsan fuzz"}
status=0

# run_lane NAME "TARGETS or empty for all" CMAKE_ARGS...
run_lane() {
  local name=$1 targets=$2; shift 2
  local dir=build-ci/$name
  echo "=== lane $name: configure"
  cmake -S . -B "$dir" "$@" >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log"; return 1; }
  echo "=== lane $name: build"
  local t=()
  [ -n "$targets" ] && t=(--target $targets)
  cmake --build "$dir" -j"$JOBS" "${t[@]}" >"$dir.build.log" 2>&1 || { tail -50 "$dir.build.log"; return 1; }
}

# Sanitizer lanes compile at -O1 with line tables only (-g1): enough for
# symbolized reports, and about half the build time of -O2 -g, which is most
# of CI's wall time.
SAN_FLAGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
  "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG")

mkdir -p build-ci
for lane in $LANES; do
  case $lane in
    release)
      run_lane release "" -DCMAKE_BUILD_TYPE=Release || { status=1; continue; }
      echo "=== lane release: test"
      (cd build-ci/release && ctest -j"$JOBS" --output-on-failure --timeout 180) || status=1
      ;;
    asan)
      # Programs not built with the sanitizer cannot load an instrumented
      # libzmq.so.5 (the system-binary compat run and pyzmq on zlink).
      run_lane asan "" "${SAN_FLAGS[@]}" -DZLINK_SANITIZE=address,undefined \
        -DZLINK_BUILD_BENCH=OFF || { status=1; continue; }
      echo "=== lane asan: test"
      (cd build-ci/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        ctest -j"$JOBS" --output-on-failure --timeout 300 -E 'compat\.(system_binary|czmq_on_zlink|cppzmq_on_zlink)|bench\.|interop\.PyzmqDropin') || status=1
      ;;
    tsan)
      # The lock-free pipe/queue tests, the message pool (with its per-thread
      # small-body caches), the application-thread write races, the
      # mailbox's lazy wake-up and the threaded socket tests.
      tsan_targets="unit_test_spsc_queue unit_test_pipe unit_test_msg_pool unit_test_msg_pool_small unit_test_app_thread_write unit_test_app_thread_write_races unit_test_app_thread_write_curve unit_test_recv_wake $(cd tests/sockets && ls test_*.cpp | sed 's/^/sockets_/; s/\.cpp$//' | tr '\n' ' ')"
      run_lane tsan "$tsan_targets" "${SAN_FLAGS[@]}" -DZLINK_SANITIZE=thread \
        -DZLINK_BUILD_BENCH=OFF || { status=1; continue; }
      echo "=== lane tsan: test"
      (cd build-ci/tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
        ctest -j"$JOBS" --output-on-failure --timeout 300 -R '^(unit\.(spsc_queue|pipe)\.|unit\.MsgPool|unit\..*AppThreadWrite|unit\.RecvWake|sockets\.)') || status=1
      ;;
    libzmq)
      # The public-behaviour tests (api, sockets, network, interop) built
      # against the system libzmq 4.3.4: proves the expectations themselves.
      run_lane libzmq "" -DCMAKE_BUILD_TYPE=Release -DZLINK_TESTS_AGAINST_LIBZMQ=ON \
        -DZLINK_BUILD_BENCH=OFF || { status=1; continue; }
      echo "=== lane libzmq: test"
      (cd build-ci/libzmq && ctest -j"$JOBS" --output-on-failure --timeout 180 -E 'soak\.') || status=1
      ;;
    fuzz)
      echo "=== lane fuzz: build and run (${ZLINK_FUZZ_SECONDS:-45} s per target)"
      ZLINK_FUZZ_BUILD=build-ci/fuzz bash scripts/run_fuzz.sh || status=1
      ;;
    *) echo "unknown lane $lane"; status=1 ;;
  esac
done
if [ $status = 0 ]; then echo "=== all lanes passed"; else echo "=== some lane FAILED"; fi
exit $status
