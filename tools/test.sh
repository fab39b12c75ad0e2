#!/usr/bin/env bash
# Runs every kgw test on this machine, installing what it needs first:
#   unit tests (Check, via ctest) in a -Werror build and in an ASan+UBSan build,
#   the generated codec's drift check, the differential test against Kafka's
#   own Java classes, bounded fuzzing, and the integration tests against a real
#   Apache Kafka cluster with real clients.
# Usage: tools/test.sh [--quick]   (--quick: unit tests only)
# Exits non-zero if any stage fails; prints one summary line per stage and a
# closing "N passed, N failed" line.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
quick=0
[ "${1:-}" = "--quick" ] && quick=1
jobs=${KGW_JOBS:-2}

passed=0
failed=0
summary=()

stage() {
  local name=$1
  shift
  echo "=== $name: $*" >&2
  local t0=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    summary+=("PASS  $name ($((SECONDS - t0)) s)")
  else
    failed=$((failed + 1))
    summary+=("FAIL  $name ($((SECONDS - t0)) s)")
  fi
}

build() {
  local dir=$1
  shift
  cmake -S "$root" -B "$dir" -G Ninja -DKGW_WERROR=ON "$@" >/dev/null &&
    ninja -C "$dir" -j "$jobs"
}

unit() {
  local dir=$1
  ctest --test-dir "$dir" --output-on-failure -j "$jobs"
}

tools/install-deps.sh || exit 1

stage "build" build build
stage "unit tests" unit build
if [ $quick -eq 0 ]; then
  stage "build (ASan+UBSan)" build build-asan -DKGW_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
  stage "unit tests (ASan+UBSan)" unit build-asan
  [ -x tools/codegen/check.sh ] && stage "codec generated code matches schemas" tools/codegen/check.sh
  [ -x tools/codec-diff.sh ] && stage "codec vs Kafka's Java classes" tools/codec-diff.sh build
  [ -x tools/fuzz.sh ] && stage "fuzzing (bounded)" tools/fuzz.sh "${KGW_FUZZ_SECONDS:-60}"
  [ -x tools/integration.sh ] && stage "integration tests (real Kafka, real clients)" tools/integration.sh
fi

echo
printf '%s\n' "${summary[@]}"
echo "stages: $passed passed, $failed failed"
[ $failed -eq 0 ]
