#!/usr/bin/env bash
# Doozer against etcd, side by side (issue 7; PERFORMANCE.md): a 3-node durable Doozer cluster and a 3-member etcd
# cluster on loopback, one after the other, driven by the same wrk settings; one table at the end, then failover,
# watch fan-out and memory. See bench/README.md.
#
#   bench/vs-etcd.sh
#
# Environment (defaults in brackets):
#   BENCH_DURATION [10]      seconds per wrk point          BENCH_WARMUP [3]   seconds per warm-up
#   BENCH_STEADY_WARMUP [20] seconds of writes before the table's warm-ups (JIT steady state)
#   BENCH_CONNS ["16 64 256"] connection counts             BENCH_FOLLOWER_CONNS [64] reads at a follower
#   BENCH_SYSTEMS ["etcd doozer"]                           BENCH_PHASES ["table failover watch memory"]
#   BENCH_WATCHERS [10000]   BENCH_WATCH_WRITES [100]       BENCH_FILES [1000000] (memory phase, 100-byte files)
#   BENCH_WATCH_INTERVAL_MS [10]  pause between the watch phase's writes
#   BENCH_FILL_CONNS [256]   wrk connections of the memory fill
#   BENCH_DOOZER_MODE [cluster]  "single": one in-memory doozerd (before the cluster exists; no failover)
#   BENCH_LOCK=0 (do not take /tmp/doozer-build.lock)       BENCH_NO_BUILD=1 (use the binaries already built)
#   BENCH_LOGS=DIR           keep the servers' logs and wrk's raw output there
#   BENCH_REPORT_ONLY=DIR    print the report of a run kept with BENCH_LOGS=DIR, run nothing
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
duration=${BENCH_DURATION:-10}
warmup=${BENCH_WARMUP:-3}
# A first, longer warm-up of writes: doozerd's JIT needs ~15 s of load to reach steady state (tiered compilation);
# measured 3 s after start, its writes/s were 30-40 % lower (bench/RESULTS.md, run 7a). etcd gets the same.
steady=${BENCH_STEADY_WARMUP:-20}
conns_list=${BENCH_CONNS:-16 64 256}
follower_conns=${BENCH_FOLLOWER_CONNS:-64}
systems=${BENCH_SYSTEMS:-etcd doozer}
# doozerd runs with its recommended GC setting (README, "Tuning"), given to doozerd only; set it to 0 for the runtime's
# default budget.
doozer_gen0=${DOTNET_GCgen0size:-0x400000}
phases=${BENCH_PHASES:-table failover watch memory}
watchers=${BENCH_WATCHERS:-10000}
watch_writes=${BENCH_WATCH_WRITES:-100}
watch_interval_ms=${BENCH_WATCH_INTERVAL_MS:-10}
files=${BENCH_FILES:-1000000}
doozer_mode=${BENCH_DOOZER_MODE:-cluster}
work=$(mktemp -d /tmp/doozer-vs-etcd.XXXXXX)
results="$work/results"
notes="$work/notes"
: >"$results"
: >"$notes"
if [ -n "${BENCH_REPORT_ONLY:-}" ]; then
  # Print the report of an earlier run kept with BENCH_LOGS (e.g. one stopped before its end).
  cp "$BENCH_REPORT_ONLY/results" "$BENCH_REPORT_ONLY/notes" "$work/"
  systems="" phases="table"
fi
server_pids=()
child_pid=""
started=$(date +%s)

has() { case " $2 " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
log() { echo "bench: $*" >&2; }
note() { echo "$*" >>"$notes"; log "$*"; }

# Every server runs in its own session (setsid), so its whole process group goes with it.
stop_servers() {
  local pid
  for pid in "${server_pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${server_pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 1 ] || break
    sleep 0.1
  done
  for pid in "${server_pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  server_pids=()
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$child_pid" ]; then kill -TERM -- "-$child_pid" 2>/dev/null || kill "$child_pid" 2>/dev/null || true; fi
  stop_servers || true
  # The files only (logs, wrk output, results), not the data directories.
  if [ -n "${BENCH_LOGS:-}" ]; then mkdir -p "$BENCH_LOGS" && find "$work" -maxdepth 1 -type f -exec cp {} "$BENCH_LOGS"/ \; 2>/dev/null || true; fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Run a client in the background, in its own process group, and wait for it, so that a signal reaches the traps at once.
run() {
  setsid "$@" 9>&- &
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
command -v jq >/dev/null 2>&1 || missing+=(jq)
if has etcd "$systems"; then
  command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
  command -v etcdctl >/dev/null 2>&1 || missing+=(etcd-client)
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian's etcd-server package starts a system etcd on the default ports: the benchmark wants none.
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now etcd >/dev/null 2>&1 || true; fi
fi
command -v dotnet >/dev/null 2>&1 || { log "the .NET SDK (dotnet) is required"; exit 2; }
[ -z "${BENCH_REPORT_ONLY:-}" ] || BENCH_LOCK=0 BENCH_NO_BUILD=1
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# --- the shared lock: builds and measurements of this machine's users go one at a time ------------------------------
if [ "${BENCH_LOCK:-1}" != 0 ]; then
  exec 9>/tmp/doozer-build.lock
  log "waiting for /tmp/doozer-build.lock"
  flock 9
fi

if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  log "building doozerd and the bench clients (Release)"
  (cd "$root" && for p in src/Doozer.Server bench/Doozer.Bench.Watchers bench/Doozer.Bench.Failover; do
    dotnet build -c Release "$p" -v q -nologo 9>&- >>"$work/build.log" 2>&1 || exit 1
  done) || { cat "$work/build.log" >&2; exit 1; }
fi
# What was measured: the commit and whether src/ had uncommitted changes when it was built.
if [ -z "${BENCH_REPORT_ONLY:-}" ]; then
  echo "$(cd "$root" && git rev-parse --short HEAD)$(cd "$root" && git diff --quiet HEAD -- src || echo ' + uncommitted src changes')" >"$work/commit"
  date -u '+%Y-%m-%d %H:%M UTC' >"$work/started"
else
  cp "$BENCH_REPORT_ONLY/commit" "$BENCH_REPORT_ONLY/started" "$work/" 2>/dev/null || true
fi
doozerd="$root/src/Doozer.Server/bin/Release/net10.0/doozerd.dll"
watch_client="$root/bench/Doozer.Bench.Watchers/bin/Release/net10.0/Doozer.Bench.Watchers.dll"
failover_client="$root/bench/Doozer.Bench.Failover/bin/Release/net10.0/Doozer.Bench.Failover.dll"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

# start_server NAME COMMAND...: starts COMMAND in its own session, logging to $work/NAME.log; sets $last_pid.
start_server() {
  local name=$1; shift
  setsid "$@" 9>&- >"$work/$name.log" 2>&1 &
  last_pid=$!
  server_pids+=("$last_pid")
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds; fails the run on timeout or
# when a server died.
wait_for() {
  local what=$1 secs=$2; shift 2
  local deadline=$(($(date +%s) + secs)) pid
  until "$@" >/dev/null 2>&1; do
    for pid in "${server_pids[@]}"; do
      kill -0 "$pid" 2>/dev/null || { log "a server died while waiting for $what; logs:"; tail -n 30 "$work"/*.log >&2; exit 1; }
    done
    [ "$(date +%s)" -lt "$deadline" ] || { log "timed out waiting for $what; logs:"; tail -n 30 "$work"/*.log >&2; exit 1; }
    sleep 0.2
  done
}

# CPU time (clock ticks) used so far by the current cluster's server processes: "total n1 n2 n3".
cpu_ticks() {
  local i total=0 t each=""
  for i in 1 2 3; do
    t=$(awk '{print $14 + $15}' "/proc/${pids[$i]}/stat" 2>/dev/null) || t=0
    total=$((total + ${t:-0}))
    each+=" ${t:-0}"
  done
  echo "$total$each"
}
# cores_between "TICKS0" "TICKS1" T0 T1: cores used in total and by each node over the interval.
cores_between() {
  awk -v a="$1" -v b="$2" -v hz="$ticks_per_second" -v t0="$3" -v t1="$4" 'BEGIN {
    split(a, x, " "); split(b, y, " "); d = hz * (t1 - t0)
    printf "%.2f|%.2f/%.2f/%.2f", (y[1] - x[1]) / d, (y[2] - x[2]) / d, (y[3] - x[3]) / d, (y[4] - x[4]) / d }'
}
ticks_per_second=$(getconf CLK_TCK 2>/dev/null || echo 100)

rss_mib() { ps -o rss= -p "$1" 2>/dev/null | awk '{printf "%.0f", $1 / 1024}'; }

# --- the clusters -------------------------------------------------------------------------------------------------
# Each sets: urls[1..3], pids[1..3], leader (index), follower (index of a non-leader).
declare -a urls pids doozer_args
leader=0
follower=0

doozer_cluster_ready() {
  local i
  for i in 1 2 3; do
    curl -fsS --max-time 2 "${urls[$i]}/cluster" |
      jq -e '(.leader != null) and ([.members[] | select(.role == "voter")] | length == 3)' >/dev/null || return 1
  done
}

start_doozer() {
  local tag=$1 i api peer
  urls=() pids=()
  if [ "$doozer_mode" = single ]; then
    api=$(free_port)
    urls[1]="http://127.0.0.1:$api"
    start_server "doozer-$tag-n1" env DOTNET_GCgen0size="$doozer_gen0" dotnet "$doozerd" --listen "127.0.0.1:$api" --memory --name n1
    pids[1]=$last_pid
    wait_for "doozerd" 60 curl -fsS "${urls[1]}/readyz"
    urls[2]=${urls[1]} urls[3]=${urls[1]} pids[2]=${pids[1]} pids[3]=${pids[1]}
    leader=1 follower=1
    log "doozer ($tag): ONE in-memory node at ${urls[1]} (BENCH_DOOZER_MODE=single)"
    return
  fi
  mkdir -p "$work/doozer-$tag"
  for i in 1 2 3; do
    api=$(free_port)
    peer=$(free_port)
    urls[$i]="http://127.0.0.1:$api"
    local attach=()
    [ "$i" = 1 ] || attach=(--attach "${urls[1]}")
    # Kept so that the memory phase can restart a node exactly as it was started.
    doozer_args[$i]="--listen 127.0.0.1:$api --peer-listen 127.0.0.1:$peer --data $work/doozer-$tag/n$i --name n$i ${attach[*]}"
    # shellcheck disable=SC2086
    start_server "doozer-$tag-n$i" env DOTNET_GCgen0size="$doozer_gen0" dotnet "$doozerd" ${doozer_args[$i]}
    pids[$i]=$last_pid
    # n1 bootstraps the cluster: the others attach to it once it answers.
    [ "$i" != 1 ] || wait_for "doozer n1" 60 curl -fsS "${urls[1]}/readyz"
  done
  wait_for "a 3-voter Doozer cluster with a leader" 120 doozer_cluster_ready
  local leader_url
  leader_url=$(curl -fsS "${urls[1]}/cluster" | jq -r '.leader as $l | .members[] | select(.id == $l) | .url')
  leader=0
  for i in 1 2 3; do [ "${urls[$i]%/}" != "${leader_url%/}" ] || leader=$i; done
  [ "$leader" != 0 ] || { log "doozer: the leader's url $leader_url is none of ${urls[*]}"; exit 1; }
  follower=$((leader % 3 + 1))
  note "doozer ($tag): 3 voters, leader n$leader ${urls[$leader]} (pid ${pids[$leader]}), follower n$follower ${urls[$follower]}"
}

etcd_leader() {
  local i
  for i in 1 2 3; do
    if [ "$(curl -fsS --max-time 2 "${urls[$i]}/v2/stats/self" | jq -r .state)" = StateLeader ]; then
      echo "$i"
      return 0
    fi
  done
  return 1
}

etcd_ready() {
  local i
  for i in 1 2 3; do curl -fsS --max-time 2 "${urls[$i]}/health" | jq -e '.health == "true"' >/dev/null || return 1; done
  etcd_leader >/dev/null
}

start_etcd() {
  local tag=$1 i cluster="" client peer
  local -a peers
  urls=() pids=()
  for i in 1 2 3; do
    client=$(free_port)
    urls[$i]="http://127.0.0.1:$client"
    peers[$i]="http://127.0.0.1:$(free_port)"
    cluster+="${cluster:+,}e$i=${peers[$i]}"
  done
  for i in 1 2 3; do
    start_server "etcd-$tag-e$i" etcd --name "e$i" --data-dir "$work/etcd-$tag/e$i" \
      --listen-client-urls "${urls[$i]}" --advertise-client-urls "${urls[$i]}" \
      --listen-peer-urls "${peers[$i]}" --initial-advertise-peer-urls "${peers[$i]}" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "bench-$$-$tag" \
      --enable-v2 --logger zap --log-level warn
    pids[$i]=$last_pid
  done
  wait_for "a healthy 3-member etcd cluster with a leader" 60 etcd_ready
  leader=$(etcd_leader)
  follower=$((leader % 3 + 1))
  note "etcd ($tag): 3 members, leader e$leader ${urls[$leader]} (pid ${pids[$leader]}), follower e$follower ${urls[$follower]}"
}

# --- wrk points -----------------------------------------------------------------------------------------------------
# point SYSTEM OP CONNS SECONDS [wrk args...]: one wrk run (1 thread); records a row unless OP is empty (a warm-up).
point() {
  local sys=$1 op=$2 conns=$3 secs=$4; shift 4
  local out="$work/wrk-$sys-$(echo "$op" | tr -c 'a-zA-Z0-9' _)-$conns.out"
  local cpu0 cpu1 t0 t1
  cpu0=$(cpu_ticks)
  t0=$(date +%s.%N)
  run wrk -t1 -c"$conns" -d"${secs}s" --timeout 5s --latency "$@" >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
  cpu1=$(cpu_ticks)
  t1=$(date +%s.%N)
  [ -n "$op" ] || { rm -f "$out"; return 0; }
  local rps p50 p99 errors socket cores each
  # Cores the three servers used during the point (of $(nproc)); wrk itself takes the rest.
  IFS='|' read -r cores each <<<"$(cores_between "$cpu0" "$cpu1" "$t0" "$t1")"
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  socket=$(grep -o 'Socket errors:.*' "$out" | tr -d ',' | awk '{print $3"/"$5"/"$7"/"$9}' || true)
  printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$sys" "$op" "$conns" "$rps" "$p50" "$p99" "${errors:-0}" "${socket:-}" "$cores" "$each" >>"$results"
  log "$sys: $op, $conns conns: $rps req/s, p50 $p50, p99 $p99, non-2xx ${errors:-0}${socket:+, socket errors $socket}; servers used $cores cores (node 1/2/3: $each; leader $leader)"
}

# The operations, in order: label, then how each system is asked. Writes go to the leader; reads to the leader at every
# connection count, and to a follower at BENCH_FOLLOWER_CONNS.
OPS=("write 16 B, 1 key" "write 16 B, 1,000 keys" "read, linearizable" "read, stale"
  "read, linearizable, follower" "read, stale, follower")

# request SYSTEM OP: the wrk arguments (script and URL) of OP against the current cluster.
request() {
  local sys=$1 op=$2 l=${urls[$leader]} f=${urls[$follower]}
  case "$sys/$op" in
    "doozer/write 16 B, 1 key") echo "-s $root/bench/wrk/put-one.lua $l/tree/bench/one/k" ;;
    "doozer/write 16 B, 1,000 keys") echo "-s $root/bench/wrk/put-many.lua $l/tree/bench/many/k0" ;;
    "doozer/read, linearizable") echo "$l/tree/bench/get/k" ;;
    "doozer/read, stale") echo "$l/tree/bench/get/k?consistency=stale" ;;
    "doozer/read, linearizable, follower") echo "$f/tree/bench/get/k" ;;
    "doozer/read, stale, follower") echo "$f/tree/bench/get/k?consistency=stale" ;;
    "etcd/write 16 B, 1 key") echo "-s $root/bench/wrk/etcd-put-one.lua $l/v2/keys/bench/one" ;;
    "etcd/write 16 B, 1,000 keys") echo "-s $root/bench/wrk/etcd-put-many.lua $l/v2/keys/bench/many/k0" ;;
    "etcd/read, linearizable") echo "$l/v2/keys/bench/get?quorum=true" ;;
    "etcd/read, stale") echo "$l/v2/keys/bench/get" ;;
    "etcd/read, linearizable, follower") echo "$f/v2/keys/bench/get?quorum=true" ;;
    "etcd/read, stale, follower") echo "$f/v2/keys/bench/get" ;;
  esac
}

# The 16-byte file the reads fetch.
seed() {
  case $1 in
    doozer) curl -fsS -o /dev/null -X PUT --data-binary 0123456789abcdef "${urls[$leader]}/tree/bench/get/k" ;;
    etcd) curl -fsS -o /dev/null -X PUT -d value=0123456789abcdef "${urls[$leader]}/v2/keys/bench/get" ;;
  esac
}

table_phase() {
  local sys=$1 op conns
  seed "$sys"
  log "$sys: warming up (${steady}s of writes, then ${warmup}s per operation, 64 connections)"
  local -a req
  read -ra req <<<"$(request "$sys" "${OPS[0]}")"
  point "$sys" "" 64 "$steady" "${req[@]}"
  for op in "${OPS[@]}"; do
    read -ra req <<<"$(request "$sys" "$op")"
    point "$sys" "" 64 "$warmup" "${req[@]}"
  done
  for conns in $conns_list; do
    for op in "${OPS[@]}"; do
      case "$op" in *follower) [ "$conns" = "$follower_conns" ] || continue ;; esac
      read -ra req <<<"$(request "$sys" "$op")"
      point "$sys" "$op" "$conns" "$duration" "${req[@]}"
    done
  done
  local i line="$sys resident memory after the table:"
  for i in 1 2 3; do
    line+=" node $i $(rss_mib "${pids[$i]}") MiB;"
    [ "$sys/$doozer_mode" != doozer/single ] || break
  done
  note "$line"
}

failover_phase() {
  local sys=$1 out="$work/failover-$sys.out"
  if [ "$sys" = doozer ] && [ "$doozer_mode" = single ]; then
    note "doozer failover: skipped (one node, BENCH_DOOZER_MODE=single)"
    return
  fi
  log "$sys: failover: 16 writers over the 3 nodes; kill -9 of the leader ($sys node $leader, pid ${pids[$leader]}) after 3 s"
  run dotnet "$failover_client" --kind "$sys" --urls "${urls[1]},${urls[2]},${urls[3]}" --kill-pid "${pids[$leader]}" \
    --writers 16 --before-s 3 --after-s 8 --timeout-ms 1000 >"$out" 2>&1 || { cat "$out" >&2; note "$sys failover: FAILED (no write succeeded after the kill)"; return; }
  note "$sys $(grep '^failover:' "$out")"
  grep '^result:' "$out" | sed "s/^result:/failover $sys/" >>"$results.failover"
}

watch_phase() {
  local out="$work/watch.out" rc=0
  log "doozer: watch fan-out: $watchers SSE watchers on node $follower, $watch_writes writes to the leader (node $leader), one every $watch_interval_ms ms"
  local cpu0 cpu1 t0 t1 cores each
  cpu0=$(cpu_ticks)
  t0=$(date +%s.%N)
  run dotnet "$watch_client" --url "${urls[$follower]}" --write-url "${urls[$leader]}" --watchers "$watchers" \
    --writes "$watch_writes" --interval-ms "$watch_interval_ms" --glob '/**' --path /bench/watch/k --timeout 300 \
    --open-concurrency 200 --timeline 1 >"$out" 2>&1 || rc=$?
  cpu1=$(cpu_ticks)
  t1=$(date +%s.%N)
  IFS='|' read -r cores each <<<"$(cores_between "$cpu0" "$cpu1" "$t0" "$t1")"
  while read -r line; do note "doozer $line"; done < <(grep '^watchers:' "$out")
  note "doozer watch phase: $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s; the servers used $cores cores (node 1/2/3: $each; leader $leader, watched $follower); the watch client the rest"
  note "doozer resident memory with the watchers closed: node $follower (watched) $(rss_mib "${pids[$follower]}") MiB"
  [ "$rc" = 0 ] || { tail -n 20 "$out" >&2; note "doozer watch fan-out: FAILED (exit $rc)"; }
}

memory_phase() {
  local out="$work/fill.out" i line rev fill_conns=${BENCH_FILL_CONNS:-256}
  log "doozer: memory: $files files of 100 bytes (1,000 per directory), wrk with $fill_conns connections to the leader"
  # wrk's thread stops itself after the last file, but wrk itself waits out -d: once the store's revision has grown
  # by the files and stopped growing, SIGINT ends wrk, which then prints its figures.
  local base last=-1 now t0 t1=""
  t0=$(date +%s.%N)
  base=$(curl -fsS "${urls[$leader]}/rev?consistency=stale" | jq -r .rev)
  setsid wrk -t1 -c"$fill_conns" -d900s --timeout 10s -s "$root/bench/wrk/fill.lua" "${urls[$leader]}/tree/bench/mem/d0/k0" \
    -- "$files" "$fill_conns" 9>&- >"$out" 2>&1 &
  child_pid=$!
  local dead=""
  while kill -0 "$child_pid" 2>/dev/null; do
    sleep 1
    for i in 1 2 3; do kill -0 "${pids[$i]}" 2>/dev/null || dead=$i; done
    if [ -n "$dead" ]; then
      kill -TERM -- "-$child_pid" 2>/dev/null || true
      wait "$child_pid" 2>/dev/null || true
      child_pid=""
      note "doozer memory: FAILED: node $dead died during the fill, after $(($(date +%s) - ${t0%.*})) s; the end of its log:"
      grep -v '^\s*at Microsoft\.\|^\s*at System\.' "$work/doozer-mem-n$dead.log" | grep -A6 -m1 'crit\|fail\|Unhandled' | sed 's/^/    /' >>"$notes" || true
      return
    fi
    now=$(curl -fsS --max-time 5 "${urls[$leader]}/rev?consistency=stale" 2>/dev/null | jq -r .rev) || continue
    if [ "$now" -ge $((base + files)) ]; then
      [ -n "$t1" ] || t1=$(date +%s.%N)
      [ "$now" != "$last" ] || kill -INT "$child_pid" 2>/dev/null || true
    fi
    last=$now
  done
  wait "$child_pid" || { cat "$out" >&2; child_pid=""; note "doozer memory: the fill FAILED"; return; }
  child_pid=""
  local secs rps errors
  # The time until the revision had grown by the files (polled every second).
  secs=$(awk -v a="$t0" -v b="${t1:-$t0}" 'BEGIN {printf "%.0f", b - a}')
  rps=$(awk -v n="$files" -v s="$secs" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "?" }')
  errors=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  # Every node has applied the last write before its memory is read.
  rev=$(curl -fsS "${urls[$leader]}/rev" | jq -r .rev)
  note "doozer fill: $files files of 100 bytes in about $secs s (~$rps writes/s, $fill_conns connections), non-2xx ${errors:-0}; store revision $rev"
  for i in 1 2 3; do wait_for "node $i to apply rev $rev" 120 sh -c "[ \$(curl -fsS '${urls[$i]}/rev?consistency=stale' | jq -r .rev) -ge $rev ]"; done
  sleep 2
  line="doozer resident memory holding $files files of 100 bytes:"
  for i in 1 2 3; do
    line+=" node $i$([ "$i" = "$leader" ] && echo ' (leader)') $(rss_mib "${pids[$i]}") MiB"
    if [ "$doozer_mode" = single ]; then line+=";"; break; fi
    line+=" (data dir $(du -sm "$work/doozer-mem/n$i" | cut -f1) MiB);"
  done
  note "$line"
  [ "$doozer_mode" != single ] || return 0
  restart_phase "$rev"
}

# restart_phase REV: kill -9 of every node holding the files, then each started again with the same command: the time
# until all three answer /readyz (a leader elected, the log above each snapshot recovered) and until each has applied
# REV, and each node's peak resident memory (VmHWM) on the way and its resident size at the end.
restart_phase() {
  local rev=$1 t0 ready caught i line
  for i in 1 2 3; do kill -9 "${pids[$i]}"; done
  for i in 1 2 3; do wait "${pids[$i]}" 2>/dev/null || true; done
  # wait_for fails the run when a server it knows has died: these were meant to.
  server_pids=()
  t0=$(date +%s.%N)
  for i in 1 2 3; do
    # shellcheck disable=SC2086
    start_server "doozer-mem-n$i-restart" env DOTNET_GCgen0size="$doozer_gen0" dotnet "$doozerd" ${doozer_args[$i]}
    pids[$i]=$last_pid
  done
  for i in 1 2 3; do wait_for "the restarted node $i" 300 curl -fsS "${urls[$i]}/readyz"; done
  ready=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  for i in 1 2 3; do
    wait_for "the restarted node $i to apply rev $rev" 300 sh -c "[ \$(curl -fsS '${urls[$i]}/rev?consistency=stale' | jq -r .rev) -ge $rev ]"
  done
  caught=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  sleep 2
  line="doozer restart (kill -9 of every node holding the files, each started again with its --data): all ready in $ready s, rev $rev applied everywhere in $caught s; peak / final resident:"
  for i in 1 2 3; do
    line+=" node $i $(awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/${pids[$i]}/status") / $(rss_mib "${pids[$i]}") MiB;"
  done
  note "$line"
}

# --- the run --------------------------------------------------------------------------------------------------------
for sys in $systems; do
  if has table "$phases" || has failover "$phases" || { [ "$sys" = doozer ] && has watch "$phases"; }; then
    "start_$sys" main
    ! has table "$phases" || table_phase "$sys"
    [ "$sys" != doozer ] || ! has watch "$phases" || watch_phase
    ! has failover "$phases" || failover_phase "$sys"
    stop_servers
  fi
  if [ "$sys" = doozer ] && has memory "$phases"; then
    start_doozer mem
    memory_phase
    stop_servers
  fi
done

# --- report ---------------------------------------------------------------------------------------------------------
commit=$(cat "$work/commit" 2>/dev/null || echo '(not kept)')
echo
echo "Doozer ($([ "$doozer_mode" = single ] && echo 'ONE in-memory node' || echo '3 nodes, durable')) vs etcd $(etcd --version 2>/dev/null | awk '/etcd Version/ {print $3}') (3 members, v2 API);" \
  "wrk 1 thread, ${duration}s per point after ${warmup}s warm-ups; writes to the leader, reads at the leader unless marked;" \
  "doozerd DOTNET_GCgen0size=$doozer_gen0; $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB; commit $commit; started $(cat "$work/started" 2>/dev/null || echo '(not kept)')$([ -n "${BENCH_REPORT_ONLY:-}" ] || echo "; took $(($(date +%s) - started)) s")"
if has table "$phases"; then
  fmt='%-30s %5s %10s %10s %7s %9s %9s %9s %9s %7s %7s  %s\n'
  # shellcheck disable=SC2059
  printf "$fmt" operation conns "Doozer/s" "etcd/s" ratio "D p50" "D p99" "e p50" "e p99" "D cores" "e cores" "non-2xx D/e"
  for conns in $conns_list; do
    for op in "${OPS[@]}"; do
      d=$(awk -F'|' -v o="$op" -v c="$conns" '$1 == "doozer" && $2 == o && $3 == c' "$results")
      e=$(awk -F'|' -v o="$op" -v c="$conns" '$1 == "etcd" && $2 == o && $3 == c' "$results")
      [ -n "$d$e" ] || continue
      IFS='|' read -r _ _ _ drps dp50 dp99 derr dsock dcores _ <<<"${d:-|||-|-|-|-||-|}"
      IFS='|' read -r _ _ _ erps ep50 ep99 eerr esock ecores _ <<<"${e:-|||-|-|-|-||-|}"
      ratio=$(awk -v a="${drps:-0}" -v b="${erps:-0}" 'BEGIN { if (a > 0 && b > 0) printf "%.2fx", a / b; else print "-" }')
      # shellcheck disable=SC2059
      printf "$fmt" "$op" "$conns" "${drps:--}" "${erps:--}" "$ratio" "${dp50:--}" "${dp99:--}" "${ep50:--}" "${ep99:--}" "${dcores:--}" "${ecores:--}" \
        "${derr:--}${dsock:+ sock $dsock}/${eerr:--}${esock:+ sock $esock}"
    done
  done
  echo
  echo "Server CPU by node during each point (cores; node 1/2/3; the leader is named below):"
  awk -F'|' '{printf "  %-6s %-30s %4s conns: %s of %s\n", $1, $2, $3, $10, $9}' "$results"
  echo
fi
cat "$notes"
