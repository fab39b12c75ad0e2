#!/usr/bin/env bash
# Regenerates the Kafka codec tables into a temporary directory and diffs
# them against the committed gateway/kafka/gen. Exit 0: no drift; exit 1: the
# committed files differ from what the generator produces (run
# tools/codegen/regen.sh); exit 2: the schemas could not be fetched.
#
# Usage: tools/codegen/check.sh [SCHEMA_DIR]
#   SCHEMA_DIR defaults to schemas extracted by tools/fetch-schemas.sh.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

schemas="${1:-}"
if [ -z "$schemas" ]; then
    schemas="$tmp/schemas"
    "$root/tools/fetch-schemas.sh" "$schemas" >/dev/null || exit 2
fi

python3 "$root/tools/codegen/kgw_codegen.py" "$schemas" "$tmp/gen"
if diff -ru "$root/gateway/kafka/gen" "$tmp/gen"; then
    echo "gateway/kafka/gen is up to date with the Kafka schemas"
    exit 0
fi
echo "gateway/kafka/gen differs from the generator output: run tools/codegen/regen.sh" >&2
exit 1
