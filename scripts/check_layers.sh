#!/usr/bin/env bash
# Dependencies between the parts of src/ point one way (doc/DESIGN.md,
# "Layers"). This check reads the #include lines of every file under src/
# and fails, listing each one, when a file includes a group it may not.
# Three more rules catch what an include line hides: nothing below the C API
# calls a zmq_* function; only the engine and the transports include Asio;
# the groups below ctx and the socket base do not name ctx_t or
# socket_base_t (a forward declaration is a dependency too).
#   scripts/check_layers.sh [SRC_DIR]    (default: src)
set -uo pipefail
cd "$(dirname "$0")/.."
SRC=${1:-src}

# The group of a file (path from the repository root), into $group.
group_of() {
  case $1 in
    "$SRC"/api/*) group=api ;;
    "$SRC"/core/ctx.* | "$SRC"/core/socket_base.*) group=core-upper ;;
    "$SRC"/core/*) group=core-lower ;; # a new core file is lower unless listed above
    "$SRC"/sockets/*) group=sockets ;;
    "$SRC"/engine/*) group=engine ;;
    "$SRC"/transports/*) group=transports ;;
    "$SRC"/protocol/mechanisms/*) group=mechanisms ;;
    "$SRC"/protocol/*) group=protocol ;;
    *) group=unknown ;;
  esac
}

# What each group may include besides itself: whole groups, or single
# headers of a group. Socket types derive from the socket base, so they may
# include that one header of core-upper. Core-upper reaches the io side only
# through the headers listed (the interfaces it implements, the io threads
# the context owns, a socket's network endpoints, the transport table).
core_upper_to_io="engine/engine_host.hpp engine/io_thread_pool.hpp engine/network_endpoints.hpp \
transports/endpoint_host.hpp transports/endpoint_table.hpp transports/transport.hpp"
allowed_for() {
  case $1 in
    api) allowed="core-upper engine transports protocol mechanisms core-lower" ;;
    core-upper) allowed="core-lower $core_upper_to_io" ;;
    sockets) allowed="core-lower core/socket_base.hpp" ;;
    engine) allowed="transports protocol mechanisms core-lower" ;;
    transports) allowed="core-lower" ;;
    mechanisms) allowed="protocol core-lower" ;;
    protocol) allowed="core-lower" ;;
    *) allowed="" ;;
  esac
  allowed=" $1 $allowed "
}

asio_groups=" engine transports "
below_core_upper=" engine transports mechanisms protocol core-lower "

violations=0
report() {
  echo "$1"
  violations=$((violations + 1))
}

mapfile -t files < <(find "$SRC" -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) | sort)
for file in "${files[@]}"; do
  group_of "$file"
  [ "$group" = unknown ] && report "$file: in no layer (add its folder to scripts/check_layers.sh and doc/DESIGN.md)"
done

# 1. Includes.
quoted='^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)"'
while IFS=: read -r file line text; do
  group_of "$file"
  from=$group
  allowed_for "$from"
  if [[ $text =~ $quoted ]]; then
    target=${BASH_REMATCH[1]}
    if [ ! -f "$SRC/$target" ]; then
      report "$file:$line: \"$target\" is not a path from $SRC/"
      continue
    fi
    group_of "$SRC/$target"
    case $allowed in *" $group "* | *" $target "*) continue ;; esac
    report "$file:$line: $from may not include $group: $text"
  elif [[ $text == *'<boost/asio'* && $asio_groups != *" $from "* ]]; then
    report "$file:$line: $from may not include Asio: $text"
  fi
done < <(grep -Hn '^[[:space:]]*#[[:space:]]*include' "${files[@]}")

# 2. Calls into the C API and names of core-upper classes, outside comments.
api_call='(^|[^A-Za-z0-9_])(zmq_[a-z0-9_]*[a-z0-9])[[:space:]]*\('
upper_name='(^|[^A-Za-z0-9_])(ctx_t|socket_base_t)([^A-Za-z0-9_]|$)'
while IFS=: read -r file line text; do
  group_of "$file"
  if [ "$group" != api ] && [[ $text =~ $api_call ]] && [[ ${BASH_REMATCH[2]} != *_t ]]; then
    report "$file:$line: $group calls the C API (${BASH_REMATCH[2]}): ${text#"${text%%[![:space:]]*}"}"
  fi
  if [[ $below_core_upper == *" $group "* && $text =~ $upper_name ]]; then
    report "$file:$line: $group names ${BASH_REMATCH[2]}: ${text#"${text%%[![:space:]]*}"}"
  fi
done < <(awk '{ code = $0; sub(/\/\/.*/, "", code)
                if (code ~ /zmq_|ctx_t|socket_base_t/) print FILENAME ":" FNR ":" code }' "${files[@]}")

if [ $violations -gt 0 ]; then
  echo "check_layers: $violations violation(s); the allowed directions are in doc/DESIGN.md (Layers)"
  exit 1
fi
echo "check_layers: every include points the allowed way"
