#!/usr/bin/env bash
# Runs kgw's integration tests (tests/integration, pytest) against a real
# Apache Kafka 4.4.0 cluster and real clients, and writes a JUnit report.
# It sets up the Python venv (tools/py-env.sh) and the mock-cluster tool;
# the test fixtures start and stop Kafka and kgw themselves.
#
# Usage: tools/integration.sh [PYTEST ARGS...]
#   e.g. tools/integration.sh -k codecs        (one group of scenarios)
# Environment:
#   KGW_BIN              the gateway binary (default build/gateway/kgw)
#   KGW_TEST_KAFKA_DIR   reuse (or start and keep) the cluster in this directory
#   KGW_JUNIT            JUnit XML path (default build/integration-junit.xml)
#   KGW_TEST_RECORDS, KGW_TEST_RECORDS_SLOW   records per codec (100000, 20000)
# Runs every test (no -x) and exits with pytest's exit code.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
venv=$("$root/tools/py-env.sh") || exit 1
"$root/tools/kafka-cluster.sh" fetch || exit 1
command -v kcat >/dev/null || { echo "integration: kcat not found (tools/install-deps.sh)" >&2; exit 1; }

junit=${KGW_JUNIT:-$root/build/integration-junit.xml}
mkdir -p "$(dirname "$junit")"
export KGW_BIN=${KGW_BIN:-$root/build/gateway/kgw}
[ -x "$KGW_BIN" ] || echo "integration: warning: $KGW_BIN is missing; every test through kgw will fail" >&2

cd "$root/tests/integration" || exit 1
"$venv/bin/python" -m pytest --junitxml="$junit" --durations=20 "$@"
rc=$?
echo "integration: JUnit report in $junit (pytest exit code $rc)" >&2
exit $rc
