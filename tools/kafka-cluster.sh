#!/usr/bin/env bash
# A real Apache Kafka 4.4.0 KRaft cluster on 127.0.0.1 for tests, benchmarks
# and the quickstart. Every node runs in combined mode (broker + controller)
# and all nodes form the controller quorum.
#
# Usage:
#   tools/kafka-cluster.sh start --dir DIR [--nodes N] [--base-port P] [--single]
#       Formats (first time) and starts N nodes (default 3), ids 1..N; on a DIR
#       that already holds a cluster, starts that cluster again. Node I's
#       broker listens on 127.0.0.1:P+I-1 (P defaults to 39092), its controller
#       on 127.0.0.1:P+100+I-1. --single is --nodes 1 --base-port 9092 (the
#       quickstart's 127.0.0.1:9092). Returns when every broker answers
#       metadata requests as an unfenced broker (bounded: KGW_KAFKA_START_TIMEOUT,
#       default 120 s); prints the bootstrap servers on stdout.
#   tools/kafka-cluster.sh stop --dir DIR            stops every node
#   tools/kafka-cluster.sh stop-node --dir DIR --node I
#   tools/kafka-cluster.sh start-node --dir DIR --node I
#   tools/kafka-cluster.sh status --dir DIR          one line per node
#   tools/kafka-cluster.sh bootstrap --dir DIR       prints host:port,host:port...
#   tools/kafka-cluster.sh bin TOOL [ARGS...]        runs a Kafka command-line tool
#       (kafka-topics, kafka-configs, kafka-consumer-groups,
#       kafka-console-producer, kafka-console-consumer, kafka-producer-perf-test,
#       kafka-consumer-perf-test, kafka-broker-api-versions, ...; `bin list`
#       names them all) with the cached classpath. Exits with the tool's code.
#   tools/kafka-cluster.sh fetch                     only resolves the jars
#   tools/kafka-cluster.sh mock [--brokers N] [--topic T:P]...
#       builds tools/kgw-mock-cluster.c (librdkafka's mock cluster) with cc
#       into ~/.cache/kgw/bin when missing or stale, then runs it in the
#       foreground: it prints the bootstrap servers and serves until SIGTERM.
#
# Files in DIR: cluster.env (the cluster's shape), node-I/server.properties,
# node-I/server.log (broker log, stdout and stderr), node-I/pid, node-I/data.
# Each node runs in its own process group; stop kills the group, so nothing
# is left running.
#
# Environment: KGW_KAFKA_LIBS (jar directory, default
# ~/.cache/kgw/kafka-4.4.0/libs, resolved with Maven from tools/kafka/pom.xml
# when missing), KAFKA_HEAP_OPTS (default "-Xmx384m -Xms128m"),
# KAFKA_GC_OPTS (default "-XX:+UseSerialGC"), JAVA (default java).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kafka_version=4.4.0
libs=${KGW_KAFKA_LIBS:-${HOME}/.cache/kgw/kafka-${kafka_version}/libs}
java_bin=${JAVA:-java}
heap_opts=${KAFKA_HEAP_OPTS:--Xmx384m -Xms128m}
gc_opts=${KAFKA_GC_OPTS:--XX:+UseSerialGC}
start_timeout=${KGW_KAFKA_START_TIMEOUT:-120}
stop_timeout=${KGW_KAFKA_STOP_TIMEOUT:-45}

die() {
  echo "kafka-cluster: $*" >&2
  exit 1
}

log() {
  echo "kafka-cluster: $*" >&2
}

# Resolves the Kafka jars into $libs once; a marker file records success so a
# half-finished copy is redone.
fetch_libs() {
  [ -f "$libs/.complete" ] && return 0
  command -v mvn >/dev/null || die "mvn not found; install maven (tools/install-deps.sh)"
  log "resolving Apache Kafka $kafka_version jars with Maven into $libs"
  mkdir -p "$libs"
  mvn -q -B -f "$here/kafka/pom.xml" "-Dkgw.libs=$libs" package >&2 ||
    die "Maven could not resolve Kafka $kafka_version (see the output above)"
  ls "$libs"/kafka_2.13-"$kafka_version".jar >/dev/null 2>&1 ||
    die "Maven finished but $libs has no kafka_2.13-$kafka_version.jar"
  touch "$libs/.complete"
}

# Maps a tool name (with or without .sh) to its main class.
tool_class() {
  case "${1%.sh}" in
  kafka-server-start) echo kafka.Kafka ;;
  kafka-storage) echo kafka.tools.StorageTool ;;
  kafka-topics) echo org.apache.kafka.tools.TopicCommand ;;
  kafka-configs) echo org.apache.kafka.tools.ConfigCommand ;;
  kafka-consumer-groups) echo org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  kafka-share-groups) echo org.apache.kafka.tools.consumer.group.ShareGroupCommand ;;
  kafka-groups) echo org.apache.kafka.tools.GroupsCommand ;;
  kafka-console-producer) echo org.apache.kafka.tools.ConsoleProducer ;;
  kafka-console-consumer) echo org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  kafka-console-share-consumer) echo org.apache.kafka.tools.consumer.ConsoleShareConsumer ;;
  kafka-producer-perf-test) echo org.apache.kafka.tools.ProducerPerformance ;;
  kafka-consumer-perf-test) echo org.apache.kafka.tools.ConsumerPerformance ;;
  kafka-broker-api-versions) echo org.apache.kafka.tools.BrokerApiVersionsCommand ;;
  kafka-metadata-quorum) echo org.apache.kafka.tools.MetadataQuorumCommand ;;
  kafka-transactions) echo org.apache.kafka.tools.TransactionsCommand ;;
  kafka-acls) echo org.apache.kafka.tools.AclCommand ;;
  kafka-get-offsets) echo org.apache.kafka.tools.GetOffsetShell ;;
  kafka-delete-records) echo org.apache.kafka.tools.DeleteRecordsCommand ;;
  kafka-leader-election) echo org.apache.kafka.tools.LeaderElectionCommand ;;
  kafka-reassign-partitions) echo org.apache.kafka.tools.reassign.ReassignPartitionsCommand ;;
  kafka-log-dirs) echo org.apache.kafka.tools.LogDirsCommand ;;
  kafka-features) echo org.apache.kafka.tools.FeatureCommand ;;
  kafka-cluster) echo org.apache.kafka.tools.ClusterTool ;;
  kafka-verifiable-producer) echo org.apache.kafka.tools.VerifiableProducer ;;
  kafka-verifiable-consumer) echo org.apache.kafka.tools.VerifiableConsumer ;;
  kafka-delegation-tokens) echo org.apache.kafka.tools.DelegationTokenCommand ;;
  kafka-client-metrics) echo org.apache.kafka.tools.ClientMetricsCommand ;;
  kafka-streams-groups) echo org.apache.kafka.tools.streams.StreamsGroupCommand ;;
  *) return 1 ;;
  esac
}

tool_names="kafka-topics kafka-configs kafka-consumer-groups kafka-share-groups kafka-groups
kafka-console-producer kafka-console-consumer kafka-console-share-consumer
kafka-producer-perf-test kafka-consumer-perf-test kafka-broker-api-versions
kafka-metadata-quorum kafka-transactions kafka-acls kafka-get-offsets
kafka-delete-records kafka-leader-election kafka-reassign-partitions kafka-log-dirs
kafka-features kafka-cluster kafka-verifiable-producer kafka-verifiable-consumer
kafka-delegation-tokens kafka-client-metrics kafka-streams-groups kafka-storage
kafka-server-start"

# run_tool TOOL ARGS...: runs a command-line tool in the foreground with a
# small client JVM (C1 only: these tools live for seconds).
run_tool() {
  local tool=$1
  shift
  local cls
  cls=$(tool_class "$tool") || die "unknown tool '$tool'; known tools: $(echo $tool_names)"
  fetch_libs
  exec "$java_bin" ${KGW_KAFKA_TOOL_HEAP:--Xmx256m} -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$here/kafka/log4j2-tools.properties" \
    -cp "$libs/*" "$cls" "$@"
}

# Reads DIR/cluster.env (written by start) into nodes, base_port.
load_env() {
  [ -f "$dir/cluster.env" ] || die "$dir/cluster.env not found: no cluster was started with --dir $dir"
  # shellcheck disable=SC1091
  . "$dir/cluster.env"
  nodes=$KGW_KAFKA_NODES
  base_port=$KGW_KAFKA_BASE_PORT
}

broker_port() { echo $((base_port + $1 - 1)); }
controller_port() { echo $((base_port + 100 + $1 - 1)); }

bootstrap_servers() {
  local i out=""
  for ((i = 1; i <= nodes; i++)); do
    out+="${out:+,}127.0.0.1:$(broker_port "$i")"
  done
  echo "$out"
}

# Prints 0 if the given TCP port on 127.0.0.1 accepts connections.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

node_pid() {
  local f="$dir/node-$1/pid" pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: the process must be this node's JVM.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/node-$1/server.properties" || return 1
  echo "$pid"
}

# A random Kafka Uuid (16 bytes, url-safe base64 without padding, not
# starting with '-', like org.apache.kafka.common.Uuid.randomUuid()).
random_uuid() {
  local u
  while :; do
    u=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [ "${u:0:1}" != "-" ] && echo "$u" && return 0
  done
}

write_config() {
  local i=$1 rf=$2 min_isr=$3 quorum=$4
  local nd="$dir/node-$i"
  cat >"$nd/server.properties" <<EOF
# Written by tools/kafka-cluster.sh for node $i of $nodes.
process.roles=broker,controller
node.id=$i
listeners=PLAINTEXT://127.0.0.1:$(broker_port "$i"),CONTROLLER://127.0.0.1:$(controller_port "$i")
advertised.listeners=PLAINTEXT://127.0.0.1:$(broker_port "$i"),CONTROLLER://127.0.0.1:$(controller_port "$i")
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
controller.quorum.bootstrap.servers=$quorum
log.dirs=$nd/data
metadata.log.dir=$nd/data
num.partitions=3
default.replication.factor=$rf
min.insync.replicas=$min_isr
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
log.retention.hours=24
log.segment.bytes=268435456
controlled.shutdown.enable=true
EOF
}

# Starts node I's JVM in its own session (so its process group can be killed
# as one) and records its pid.
launch_node() {
  local i=$1 nd="$dir/node-$1"
  if node_pid "$i" >/dev/null; then
    log "node $i already running (pid $(node_pid "$i"))"
    return 0
  fi
  port_open "$(broker_port "$i")" && die "port $(broker_port "$i") for node $i is already in use by another process"
  port_open "$(controller_port "$i")" && die "port $(controller_port "$i") for node $i is already in use by another process"
  echo "=== $(date -u '+%F %T') starting node $i" >>"$nd/server.log"
  # shellcheck disable=SC2086
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$nd/pid" \
    "$java_bin" $heap_opts $gc_opts -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$here/kafka/log4j2-server.properties" \
    "-Dkafka.logs.dir=$nd" \
    -cp "$libs/*" kafka.Kafka "$nd/server.properties" \
    >>"$nd/server.log" 2>&1 </dev/null &
  local t=0
  while [ ! -s "$nd/pid" ] && [ $t -lt 50 ]; do
    sleep 0.1
    t=$((t + 1))
  done
  [ -s "$nd/pid" ] || die "node $i did not start (see $nd/server.log)"
}

# Waits until the listed nodes are unfenced brokers in the cluster's metadata,
# as seen by Kafka's own admin client (kafka-broker-api-versions). Bounded.
wait_ready() {
  local deadline=$((SECONDS + start_timeout)) i want=("$@") out missing
  for i in "${want[@]}"; do
    while ! port_open "$(broker_port "$i")"; do
      node_pid "$i" >/dev/null || die "node $i exited during start-up; last lines of $dir/node-$i/server.log:
$(tail -n 30 "$dir/node-$i/server.log")"
      [ $SECONDS -lt $deadline ] || die "node $i's broker port $(broker_port "$i") not open after ${start_timeout}s (see $dir/node-$i/server.log)"
      sleep 0.5
    done
  done
  while :; do
    out=$("$0" bin kafka-broker-api-versions --bootstrap-server "$(bootstrap_servers)" 2>/dev/null || true)
    missing=""
    for i in "${want[@]}"; do
      echo "$out" | grep -qE "^127\.0\.0\.1:$(broker_port "$i") \(id: $i rack: [^ ]+ isFenced: false\)" ||
        missing+=" $i"
    done
    [ -z "$missing" ] && return 0
    [ $SECONDS -lt $deadline ] || die "nodes$missing not ready after ${start_timeout}s (see $dir/node-*/server.log)"
    sleep 1
  done
}

cmd_start() {
  local single=0 explicit=0
  nodes=3
  base_port=39092
  while [ $# -gt 0 ]; do
    case $1 in
    --dir) dir=$2; shift 2 ;;
    --nodes) nodes=$2; explicit=1; shift 2 ;;
    --base-port) base_port=$2; explicit=1; shift 2 ;;
    --single) single=1; explicit=1; shift ;;
    *) die "start: unknown argument '$1'" ;;
    esac
  done
  [ -n "${dir:-}" ] || die "start: --dir DIR is required"
  if [ $single -eq 1 ]; then
    nodes=1
    base_port=9092
  fi
  [[ $nodes =~ ^[1-9][0-9]*$ ]] || die "start: --nodes must be a positive integer, got '$nodes'"
  [[ $base_port =~ ^[1-9][0-9]*$ ]] && [ "$base_port" -le 65000 ] ||
    die "start: --base-port must be an integer in 1..65000, got '$base_port'"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  fetch_libs

  if [ -f "$dir/cluster.env" ]; then
    # Restarting an existing cluster: its shape comes from cluster.env; an
    # explicitly different shape is an error rather than a silent reformat.
    local want_nodes=$nodes want_port=$base_port
    load_env
    [ $explicit -eq 0 ] || { [ "$nodes" = "$want_nodes" ] && [ "$base_port" = "$want_port" ]; } ||
      die "$dir holds a cluster of $nodes nodes on base port $base_port, not $want_nodes on $want_port; stop it and remove $dir"
  else
    local rf=$((nodes < 3 ? nodes : 3))
    local min_isr=$((nodes >= 3 ? 2 : 1))
    local cluster_id quorum="" initial="" i
    cluster_id=$(random_uuid)
    for ((i = 1; i <= nodes; i++)); do
      quorum+="${quorum:+,}127.0.0.1:$(controller_port "$i")"
      initial+="${initial:+,}$i@127.0.0.1:$(controller_port "$i"):$(random_uuid)"
    done
    for ((i = 1; i <= nodes; i++)); do
      mkdir -p "$dir/node-$i/data"
      write_config "$i" "$rf" "$min_isr" "$quorum"
    done
    # Format every node's storage with the same cluster id and the same
    # initial controller set (a dynamic KRaft quorum, as Kafka 4.x expects).
    # The formats are independent; run them two at a time.
    log "formatting $nodes node(s), cluster id $cluster_id"
    local pids=() rc=0
    for ((i = 1; i <= nodes; i++)); do
      "$0" bin kafka-storage format --cluster-id "$cluster_id" --initial-controllers "$initial" \
        --config "$dir/node-$i/server.properties" >"$dir/node-$i/format.log" 2>&1 &
      pids+=($!)
      if [ ${#pids[@]} -ge 2 ]; then
        wait "${pids[0]}" || rc=1
        pids=("${pids[@]:1}")
      fi
    done
    for p in "${pids[@]}"; do wait "$p" || rc=1; done
    [ $rc -eq 0 ] || die "formatting failed: $(cat "$dir"/node-*/format.log)"
    cat >"$dir/cluster.env" <<EOF
KGW_KAFKA_NODES=$nodes
KGW_KAFKA_BASE_PORT=$base_port
KGW_KAFKA_CLUSTER_ID=$cluster_id
EOF
  fi

  local all=() i
  for ((i = 1; i <= nodes; i++)); do
    launch_node "$i"
    all+=("$i")
  done
  log "waiting for $nodes broker(s) (at most ${start_timeout}s)"
  # In a subshell so that a failure (die) comes back here: a cluster that
  # did not come up is stopped rather than left half running.
  if ! (wait_ready "${all[@]}"); then
    log "start failed; stopping the nodes it started"
    for i in "${all[@]}"; do stop_one "$i"; done
    wait_stopped "${all[@]}"
    exit 1
  fi
  log "ready: $(bootstrap_servers)"
  bootstrap_servers
}

# Stops node I: SIGTERM to its process group (a controlled shutdown), then
# SIGKILL after $stop_timeout seconds.
stop_one() {
  local i=$1 pid
  pid=$(node_pid "$i") || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
}

wait_stopped() {
  local deadline=$((SECONDS + stop_timeout)) i pid
  for i in "$@"; do
    while pid=$(node_pid "$i"); do
      if [ $SECONDS -ge $deadline ]; then
        log "node $i (pid $pid) did not stop within ${stop_timeout}s; killing it"
        kill -KILL -- "-$pid" 2>/dev/null || true
        sleep 0.5
        continue
      fi
      sleep 0.3
    done
    rm -f "$dir/node-$i/pid"
  done
}

parse_dir_node() {
  node=""
  while [ $# -gt 0 ]; do
    case $1 in
    --dir) dir=$2; shift 2 ;;
    --node) node=$2; shift 2 ;;
    *) die "unknown argument '$1'" ;;
    esac
  done
  [ -n "${dir:-}" ] || die "--dir DIR is required"
  [ -d "$dir" ] || die "--dir $dir does not exist"
  dir=$(cd "$dir" && pwd)
  load_env
}

require_node() {
  [[ $node =~ ^[1-9][0-9]*$ ]] && [ "$node" -le "$nodes" ] ||
    die "--node must be one of 1..$nodes, got '${node}'"
}

cmd_stop() {
  parse_dir_node "$@"
  local i all=()
  for ((i = 1; i <= nodes; i++)); do
    stop_one "$i"
    all+=("$i")
  done
  wait_stopped "${all[@]}"
  log "stopped"
}

cmd_stop_node() {
  parse_dir_node "$@"
  require_node
  stop_one "$node"
  wait_stopped "$node"
  log "node $node stopped"
}

cmd_start_node() {
  parse_dir_node "$@"
  require_node
  fetch_libs
  launch_node "$node"
  if ! (wait_ready "$node"); then
    log "node $node did not become ready; stopping it"
    stop_one "$node"
    wait_stopped "$node"
    exit 1
  fi
  log "node $node ready on 127.0.0.1:$(broker_port "$node")"
}

cmd_status() {
  parse_dir_node "$@"
  local i pid state rc=0
  for ((i = 1; i <= nodes; i++)); do
    if pid=$(node_pid "$i"); then
      if port_open "$(broker_port "$i")"; then state="running pid $pid"; else state="starting pid $pid"; fi
    else
      state="stopped"
      rc=3
    fi
    echo "node $i 127.0.0.1:$(broker_port "$i") controller 127.0.0.1:$(controller_port "$i") $state"
  done
  return $rc
}

# Builds tools/kgw-mock-cluster.c against Debian's librdkafka (pkg-config
# rdkafka) into the cache, when missing or older than its source.
mock_bin=${KGW_CACHE:-$HOME/.cache/kgw}/bin/kgw-mock-cluster
build_mock() {
  local src="$here/kgw-mock-cluster.c"
  [ -x "$mock_bin" ] && [ "$mock_bin" -nt "$src" ] && return 0
  local flags
  flags=$(pkg-config --cflags --libs rdkafka) || die "pkg-config rdkafka failed: install librdkafka-dev"
  mkdir -p "$(dirname "$mock_bin")"
  # shellcheck disable=SC2086
  cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$mock_bin.tmp$$" "$src" $flags ||
    die "building $src failed"
  mv "$mock_bin.tmp$$" "$mock_bin"
}

main() {
  local cmd=${1:-}
  [ $# -gt 0 ] && shift
  case $cmd in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  stop-node) cmd_stop_node "$@" ;;
  start-node) cmd_start_node "$@" ;;
  status) cmd_status "$@" ;;
  bootstrap)
    parse_dir_node "$@"
    bootstrap_servers
    ;;
  bin)
    [ $# -ge 1 ] || die "bin: TOOL is required; known tools: $(echo $tool_names)"
    if [ "$1" = list ]; then
      echo $tool_names | tr ' ' '\n'
      exit 0
    fi
    run_tool "$@"
    ;;
  fetch) fetch_libs ;;
  mock)
    build_mock
    exec "$mock_bin" "$@"
    ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
    ;;
  esac
}

# One line, read whole before it runs: editing this file while a cluster
# command is running cannot change what that command executes.
main "$@"; exit $?
