#!/usr/bin/env bash
# Extract Kafka's message schemas (common/message/*.json) from the pinned
# kafka-clients jar into the directory given as the only argument.
#
# The jar is taken from the local Maven repository (~/.m2) when present and
# resolved with `mvn dependency:get` from Maven Central otherwise, so the script
# works on a fresh machine that has Maven and unzip (or python3).
#
# Usage: tools/fetch-schemas.sh OUT_DIR
set -euo pipefail

KAFKA_VERSION="4.4.0"
ARTIFACT="org.apache.kafka:kafka-clients:${KAFKA_VERSION}"

if [ $# -ne 1 ]; then
    echo "usage: $0 OUT_DIR" >&2
    exit 2
fi
out_dir="$1"

m2_repo="${MAVEN_REPO:-$HOME/.m2/repository}"
jar="${m2_repo}/org/apache/kafka/kafka-clients/${KAFKA_VERSION}/kafka-clients-${KAFKA_VERSION}.jar"

if [ ! -f "$jar" ]; then
    if ! command -v mvn >/dev/null 2>&1; then
        echo "$0: $jar is missing and mvn is not installed to fetch ${ARTIFACT}" >&2
        exit 1
    fi
    mvn -q -B -Dmaven.repo.local="$m2_repo" dependency:get -Dartifact="${ARTIFACT}" -Dtransitive=false
fi
if [ ! -f "$jar" ]; then
    echo "$0: Maven did not produce $jar" >&2
    exit 1
fi

mkdir -p "$out_dir"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$jar" 'common/message/*.json' -d "$tmp"
else
    python3 - "$jar" "$tmp" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        if name.startswith("common/message/") and name.endswith(".json"):
            z.extract(name, sys.argv[2])
PY
fi
count=$(find "$tmp/common/message" -name '*.json' | wc -l)
if [ "$count" -eq 0 ]; then
    echo "$0: no common/message/*.json found in $jar" >&2
    exit 1
fi
cp "$tmp"/common/message/*.json "$out_dir"/
echo "extracted $count Kafka ${KAFKA_VERSION} message schemas into $out_dir"
