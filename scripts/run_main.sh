#!/usr/bin/env bash
# The main job: install dependencies, build zlink in Release, and run the
# benchmark against libzmq in quick mode (prints the zlink/libzmq table).
#   ZLINK_SKIP_DEPS=1   do not apt-get (already installed)
# The full run: bash benchwithzmq/run_benchmarks.sh --with-libzmq --runs 5
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${ZLINK_SKIP_DEPS:-0}" = 1 ] || bash scripts/install-deps.sh
exec bash benchwithzmq/run_benchmarks.sh --with-libzmq --quick "$@"
