#!/usr/bin/env bash
# Fetches the pinned Kafka schemas and regenerates gateway/kafka/gen.
# Usage: tools/codegen/regen.sh [SCHEMA_DIR]
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

schemas="${1:-}"
if [ -z "$schemas" ]; then
    schemas="$tmp/schemas"
    "$root/tools/fetch-schemas.sh" "$schemas"
fi
rm -f "$root"/gateway/kafka/gen/kgw_*.[ch]
python3 "$root/tools/codegen/kgw_codegen.py" "$schemas" "$root/gateway/kafka/gen"
