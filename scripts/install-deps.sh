#!/usr/bin/env bash
# Installs everything zlink needs on Debian 12 (run as root, or with sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Build: compiler, CMake, Boost (Asio), libsodium (CURVE). Tests: GoogleTest. Interop and the
# benchmark baseline: libzmq + pyzmq. Charts: matplotlib. strace: syscall counts.
# Fuzz lane: clang with its libFuzzer/sanitizer runtimes. tls:// interop:
# socat (a standard TLS terminator in front of libzmq).
$SUDO apt-get install -y -qq --no-install-recommends \
  g++ cmake make pkg-config git ca-certificates \
  libboost1.81-dev libsodium-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev \
  libzmq3-dev python3 python3-zmq python3-matplotlib strace procps util-linux \
  clang libclang-rt-14-dev socat >/dev/null
