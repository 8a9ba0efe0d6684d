#!/bin/bash
# Reproduces issue 9 item 2 by hand (the suite's version is
# tests/interop/test_close_delivery.cpp): a pyzmq PUSH (on the library in
# PUSH_LIBDIR, or the system libzmq if empty) connects over ipc to a pyzmq
# PULL on the system libzmq; one of them starts 0-90 ms after the other. The
# PUSH sends 2001 messages (SNDTIMEO 5 s, LINGER 2 s); a try is bad when the
# PULL gets fewer. STRACE=1 straces the PULL into st.<try>.
#   usage: ipc_close_race.sh TRIES PUSH_LIBDIR [ipc|tcp]
# Before the fix: zlink 5 of 16 bad (13 of 20 under strace), libzmq PUSH 3 of 32.
tries=$1; pushlib=$2; tr=${3:-ipc}
here=$(cd "$(dirname "$0")" && pwd); out=${OUT:-/tmp/ipc_close_race}; mkdir -p "$out"
bad=0
for i in $(seq 1 "$tries"); do
  if [ "$tr" = ipc ]; then ep="ipc://$out/race-$$-$i.sock"; else ep="tcp://127.0.0.1:$((20000 + RANDOM % 20000))"; fi
  off=$((RANDOM % 90)); wrap=""
  [ -n "$STRACE" ] && wrap="strace -f -tt -e trace=accept4,recvfrom,sendto,close,epoll_ctl -o $out/st.$i"
  if (( RANDOM % 2 )); then order="push late"
    ( sleep 0.0$(printf %02d $off); LD_LIBRARY_PATH=$pushlib /usr/bin/python3 "$here/ipc_close_race.py" push "$ep" > "$out/push.$i" ) &
    $wrap /usr/bin/python3 "$here/ipc_close_race.py" pull "$ep" > "$out/pull.$i" &
  else order="pull late"
    ( LD_LIBRARY_PATH=$pushlib /usr/bin/python3 "$here/ipc_close_race.py" push "$ep" > "$out/push.$i" ) &
    ( sleep 0.0$(printf %02d $off); $wrap /usr/bin/python3 "$here/ipc_close_race.py" pull "$ep" > "$out/pull.$i" ) &
  fi
  wait
  got=$(awk '{print $2}' "$out/pull.$i")
  if [ "$got" != 2001 ]; then bad=$((bad+1)); echo "try $i ($order, $off ms): $(cat "$out/push.$i") / $(cat "$out/pull.$i")"; fi
  rm -f "$out/race-$$-$i.sock"; [ "$got" = 2001 ] && rm -f "$out/st.$i"
done
echo "bad $bad of $tries"
