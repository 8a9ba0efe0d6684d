#!/usr/bin/env bash
# Installs everything zlink needs on Debian 12 (run as root, or with sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Build: compiler, CMake, Boost (Asio), libsodium (CURVE). Tests: GoogleTest. Interop and the
# benchmark baseline: libzmq + pyzmq. Drop-in checks: czmq and cppzmq programs
# (tests/compat), a Jupyter front end and IPython kernel (tests/interop). Charts: matplotlib. strace: syscall counts.
# Fuzz lane: clang with its libFuzzer/sanitizer runtimes. tls:// interop:
# socat (a standard TLS terminator in front of libzmq). ws:// interop:
# Node.js and npm (tests/interop installs jszmq and puppeteer-core from npm
# into the build tree on first run); Chromium, headless, as the browser peer,
# and certutil (libnss3-tools) to make it trust the test CA for wss://.
$SUDO apt-get install -y -qq --no-install-recommends \
  g++ cmake make pkg-config git ca-certificates \
  libboost1.81-dev libsodium-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev \
  libzmq3-dev python3 python3-zmq python3-matplotlib strace procps util-linux \
  libczmq-dev cppzmq-dev python3-jupyter-client python3-ipykernel \
  clang libclang-rt-14-dev socat nodejs chromium libnss3-tools >/dev/null
# Debian's nodejs leaves npm to its own package; NodeSource's carries it.
command -v npm >/dev/null || $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
