#!/usr/bin/env bash
# Single-node benchmark: one in-memory doozerd on loopback, driven by wrk (1 thread, 64 connections, 16-byte values),
# plus the SSE watch fan-out check (bench/Doozer.Bench.Watchers). Prints one table. See bench/README.md.
#
#   bench/single-node.sh
#
# Environment: BENCH_DURATION (seconds per point, default 10), BENCH_CONNECTIONS (default 64),
# BENCH_WARMUP (seconds, default 3), BENCH_WATCHERS (default 1000), BENCH_WRITES (watch test writes, default 200),
# BENCH_LOCK=0 (do not take /tmp/doozer-build.lock), BENCH_NO_BUILD=1 (use the binaries already built).
# Anything else in the environment reaches doozerd (e.g. DOTNET_gcServer=1 to try Server GC).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
duration=${BENCH_DURATION:-10}
conns=${BENCH_CONNECTIONS:-64}
warmup=${BENCH_WARMUP:-3}
watchers=${BENCH_WATCHERS:-1000}
writes=${BENCH_WRITES:-200}
work=$(mktemp -d /tmp/doozer-bench.XXXXXX)
node_pid=""
child_pid=""

# Stops the server started last: it runs in its own session (setsid), so its whole process group goes.
stop_server() {
  [ -n "$node_pid" ] || return 0
  kill -TERM -- "-$node_pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$node_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$node_pid" 2>/dev/null || true
  wait "$node_pid" 2>/dev/null || true
  node_pid=""
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$child_pid" ]; then kill "$child_pid" 2>/dev/null || true; fi
  stop_server || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Run a command in the background and wait for it, so that a signal reaches the traps at once.
run() {
  "$@" &
  child_pid=$!
  local rc=0
  wait "$child_pid" || rc=$?
  child_pid=""
  return "$rc"
}

# --- what the benchmark needs ------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}" >&2
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null 2>&1 || { echo "bench: the .NET SDK (dotnet) is required" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- the shared lock: builds and measurements of this machine's users go one at a time ------------------------------
if [ "${BENCH_LOCK:-1}" != 0 ]; then
  exec 9>/tmp/doozer-build.lock
  echo "bench: waiting for /tmp/doozer-build.lock" >&2
  flock 9
fi

# --- build (children never inherit the lock's descriptor, so no build server keeps it) -----------------------------
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  echo "bench: building doozerd and the watch client (Release)" >&2
  (cd "$root" && dotnet build -c Release src/Doozer.Server -v q -nologo 9>&- >"$work/build.log" 2>&1 &&
    dotnet build -c Release bench/Doozer.Bench.Watchers -v q -nologo 9>&- >>"$work/build.log" 2>&1 &&
    dotnet build -c Release bench/Doozer.Bench.Baseline -v q -nologo 9>&- >>"$work/build.log" 2>&1) ||
    { cat "$work/build.log" >&2; exit 1; }
fi
doozerd="$root/src/Doozer.Server/bin/Release/net10.0/doozerd.dll"
watch_client="$root/bench/Doozer.Bench.Watchers/bin/Release/net10.0/Doozer.Bench.Watchers.dll"
baseline="$root/bench/Doozer.Bench.Baseline/bin/Release/net10.0/Doozer.Bench.Baseline.dll"

# --- servers ------------------------------------------------------------------------------------------------------
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}
# start_server LOG READY_URL COMMAND...: starts COMMAND in its own session (process group) and waits until READY_URL answers.
start_server() {
  local log=$1 ready=$2; shift 2
  setsid "$@" 9>&- >"$log" 2>&1 &
  node_pid=$!
  for _ in $(seq 300); do
    curl -fsS -o /dev/null "$ready" 2>/dev/null && return 0
    kill -0 "$node_pid" 2>/dev/null || { echo "bench: $* exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "bench: $* never became ready" >&2; cat "$log" >&2; exit 1
}

# --- measurements --------------------------------------------------------------------------------------------------
rows=()
# point NAME SECONDS [wrk args...]: one wrk run; appends a table row unless NAME is empty (a warm-up).
point() {
  local name=$1 secs=$2; shift 2
  local out="$work/wrk.out"
  run wrk -t1 -c"$conns" -d"${secs}s" --timeout 5s --latency "$@" >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
  [ -n "$name" ] || return 0
  local rps p50 p99 errors socket
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  socket=$(grep -o 'Socket errors:.*' "$out" || true)
  rows+=("$(printf '%-34s %5s %12s %10s %10s  %s' "$name" "$conns" "$rps" "$p50" "$p99" "${errors:-0}${socket:+ ($socket)}")")
  echo "bench: $name: $rps req/s, p50 $p50, p99 $p99" >&2
}

# The machine's ceiling: a bare Kestrel app answering a constant, alone on the machine, then stopped.
port=$(free_port)
start_server "$work/baseline.log" "http://127.0.0.1:$port/" dotnet "$baseline" --urls "http://127.0.0.1:$port"
echo "bench: baseline (constant endpoint) at http://127.0.0.1:$port" >&2
point "" "$warmup" "http://127.0.0.1:$port/"
point "GET constant, bare Kestrel app" "$duration" "http://127.0.0.1:$port/"
stop_server

# One doozerd node, in memory.
port=$(free_port)
url="http://127.0.0.1:$port"
# doozerd's recommended GC setting (README, "Tuning") unless the environment sets another.
start_server "$work/doozerd.log" "$url/readyz" env DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x400000}" dotnet "$doozerd" --listen "127.0.0.1:$port" --memory
echo "bench: doozerd ready at $url (pid $node_pid)" >&2
# The file the reads fetch: 16 bytes.
curl -fsS -o /dev/null -X PUT --data-binary 0123456789abcdef "$url/tree/bench/get/k"

echo "bench: warming up (${warmup}s per operation)" >&2
point "" "$warmup" -s "$root/bench/wrk/put-one.lua" "$url/tree/bench/one/k"
point "" "$warmup" -s "$root/bench/wrk/put-many.lua" "$url/tree/bench/many/k0"
point "" "$warmup" "$url/tree/bench/get/k"
point "" "$warmup" "$url/livez"

point "GET /livez (doozerd, constant)" "$duration" "$url/livez"
point "PUT 16 B, one key" "$duration" -s "$root/bench/wrk/put-one.lua" "$url/tree/bench/one/k"
point "PUT 16 B, 1,000 keys" "$duration" -s "$root/bench/wrk/put-many.lua" "$url/tree/bench/many/k0"
point "GET 16 B file (linearizable)" "$duration" "$url/tree/bench/get/k"
point "GET 16 B file (stale)" "$duration" "$url/tree/bench/get/k?consistency=stale"

echo "bench: watch fan-out: $watchers SSE watchers on /**, $writes writes" >&2
watch_rc=0
run dotnet "$watch_client" --url "$url" --watchers "$watchers" --writes "$writes" --glob '/**' --path /bench/watch/k \
  >"$work/watch.out" 2>&1 || watch_rc=$?

kill -0 "$node_pid" 2>/dev/null || { echo "bench: doozerd died during the run:" >&2; tail -50 "$work/doozerd.log" >&2; exit 1; }
rss=$(ps -o rss= -p "$node_pid" 2>/dev/null | tr -d ' ' || true)
stop_server

# --- report --------------------------------------------------------------------------------------------------------
echo
echo "Doozer single node, in memory; wrk 1 thread, ${duration}s per point; $(nproc) cores; commit $(cd "$root" && git rev-parse --short HEAD)$(cd "$root" && git diff --quiet HEAD -- src || echo ' (+ uncommitted src changes)')"
printf '%-34s %5s %12s %10s %10s  %s\n' "operation" "conns" "req/s" "p50" "p99" "non-2xx"
for row in "${rows[@]}"; do echo "$row"; done
echo
cat "$work/watch.out"
[ -z "$rss" ] || echo "doozerd resident memory at the end: $((rss / 1024)) MiB"
if [ "$watch_rc" -ne 0 ]; then
  echo "bench: the watch fan-out check FAILED (exit $watch_rc)" >&2
  exit 1
fi
