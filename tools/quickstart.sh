#!/usr/bin/env bash
# Runs kgw in front of a local Apache Kafka 4.4.0 (KRaft, one node, id 1, on
# 127.0.0.1:9092), in the foreground. On a fresh Debian machine it first
# installs what it needs (tools/install-deps.sh) and builds kgw into build/.
# Clients connect to the gateway on 127.0.0.1:19092 (configs/quickstart.yaml).
# Ctrl-C stops kgw and Kafka.
#
# Usage: tools/quickstart.sh
# Environment: KGW_QUICKSTART_DIR (Kafka's data and logs, default
# ~/.cache/kgw/quickstart; kept between runs), KGW_CONFIG (default
# configs/quickstart.yaml), KGW_BIN (default build/gateway/kgw).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${KGW_QUICKSTART_DIR:-$HOME/.cache/kgw/quickstart}
config=${KGW_CONFIG:-$root/configs/quickstart.yaml}
kgw=${KGW_BIN:-$root/build/gateway/kgw}

say() { echo "quickstart: $*" >&2; }

"$root/tools/install-deps.sh"
if [ ! -x "$kgw" ]; then
  say "building kgw into $root/build"
  cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$root/build" -j "${KGW_JOBS:-2}" kgw
fi
[ -x "$kgw" ] || { say "no kgw binary at $kgw after the build"; exit 1; }
"$kgw" -c "$config" --check-config || { say "$config is not valid (see above)"; exit 1; }

kgw_pid=""
stopping=0
cleanup() {
  [ $stopping -eq 1 ] && return
  stopping=1
  trap '' INT TERM
  if [ -n "$kgw_pid" ] && kill -0 "$kgw_pid" 2>/dev/null; then
    say "stopping kgw"
    kill -TERM "$kgw_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$kgw_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$kgw_pid" 2>/dev/null && kill -KILL "$kgw_pid" 2>/dev/null
  fi
  say "stopping Kafka"
  "$root/tools/kafka-cluster.sh" stop --dir "$dir" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting Apache Kafka 4.4.0 (one node) in $dir"
mkdir -p "$dir"
"$root/tools/kafka-cluster.sh" start --single --dir "$dir" >/dev/null

say "starting kgw -c $config"
"$kgw" -c "$config" &
kgw_pid=$!
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/19092) 2>/dev/null && break
  kill -0 "$kgw_pid" 2>/dev/null || { say "kgw exited during start-up"; exit 1; }
  sleep 0.1
done

cat >&2 <<EOF

kgw is running: clients connect to 127.0.0.1:19092 (Kafka itself is on 127.0.0.1:9092).
Try, in another terminal:

  kcat -b 127.0.0.1:19092 -L                                  # brokers are gateway addresses
  echo 'hello from kgw' | kcat -b 127.0.0.1:19092 -P -t quickstart
  kcat -b 127.0.0.1:19092 -C -t quickstart -o beginning -e    # read it back
  tools/kafka-cluster.sh bin kafka-topics --bootstrap-server 127.0.0.1:19092 --list

Kafka's log: $dir/node-1/server.log. Press Ctrl-C to stop kgw and Kafka.

EOF
set +e
wait "$kgw_pid"
rc=$?
kgw_pid=""
[ $stopping -eq 0 ] && say "kgw exited with code $rc"
exit $rc
