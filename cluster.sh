#!/usr/bin/env bash
# A local 3-node Doozer cluster on loopback, durable, with its data in a temporary directory.
#
#   ./cluster.sh            build doozerd (Release), start n1 (bootstrap), n2 and n3 (--attach n1), print the URLs,
#                           then wait; Ctrl-C (or kill -TERM) stops all three cleanly and removes the data.
#   CLUSTER_KEEP=1          keep the data directory afterwards (its path is printed).
#   CLUSTER_BASE_PORT=9100  client ports BASE+1..3, peer ports BASE+11..13.
#   CLUSTER_NO_BUILD=1      use the doozerd.dll already built.
set -euo pipefail
cd "$(dirname "$0")"

base=${CLUSTER_BASE_PORT:-9100}
# doozerd's recommended GC setting (README, "Tuning"): a 4 MiB gen0 budget keeps write p99 low.
export DOTNET_GCgen0size=${DOTNET_GCgen0size:-0x400000}
dll=src/Doozer.Server/bin/Release/net10.0/doozerd.dll
if [[ "${CLUSTER_NO_BUILD:-0}" != 1 ]]; then
    dotnet build src/Doozer.Server -c Release -v quiet -nologo >/dev/null
fi

data=$(mktemp -d /tmp/doozer-cluster.XXXXXX)
pids=()
stop() {
    trap - EXIT INT TERM
    echo "stopping..."
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ "${CLUSTER_KEEP:-0}" == 1 ]]; then echo "data kept in $data"; else rm -rf "$data"; fi
}
trap stop EXIT
trap 'exit 130' INT TERM

start() { # name index [--attach URL]
    local name=$1 i=$2
    shift 2
    dotnet "$dll" --name "$name" --listen "127.0.0.1:$((base + i))" --peer-listen "127.0.0.1:$((base + 10 + i))" \
        --data "$data/$name" "$@" >"$data/$name.log" 2>&1 &
    pids+=($!)
}

wait_ready() { # url
    for _ in $(seq 1 150); do
        if curl -sf "$1/readyz" >/dev/null 2>&1; then return 0; fi
        sleep 0.2
    done
    echo "$1 did not become ready; logs in $data" >&2
    CLUSTER_KEEP=1
    exit 1
}

start n1 1
wait_ready "http://127.0.0.1:$((base + 1))"
start n2 2 --attach "http://127.0.0.1:$((base + 1))"
start n3 3 --attach "http://127.0.0.1:$((base + 1))"
wait_ready "http://127.0.0.1:$((base + 2))"
wait_ready "http://127.0.0.1:$((base + 3))"
# The attached nodes are voters once each has claimed a vacant slot.
for _ in $(seq 1 100); do
    voters=$(curl -sf "http://127.0.0.1:$((base + 1))/cluster" | grep -o '"role":"voter"' | wc -l)
    [[ "$voters" -ge 3 ]] && break
    sleep 0.2
done

echo "Doozer cluster of 3 voters, data in $data:"
for i in 1 2 3; do echo "  n$i  http://127.0.0.1:$((base + i))   (peer http://127.0.0.1:$((base + 10 + i)), log $data/n$i.log)"; done
echo "Try: curl -X PUT --data hello http://127.0.0.1:$((base + 2))/tree/message; curl http://127.0.0.1:$((base + 3))/tree/message"
echo "Ctrl-C stops the cluster."
wait
