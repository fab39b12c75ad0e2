#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.c) with clang, ASan and
# UBSan into build-fuzz/ and runs each for a bounded time.
#
# Usage: tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET defaults to 60; TARGETs default to every fuzz_*.c.
# Corpora live in build-fuzz/corpus/<target>/; targets that support it are
# seeded with sample messages (KGW_FUZZ_WRITE_CORPUS). Crashes are written to
# build-fuzz/crashes/<target>/. Exits non-zero when a target crashes.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
shift || true
build="${KGW_FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${KGW_JOBS:-2}"

if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz.sh: clang is required (apt-get install clang)" >&2
    exit 1
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for src in "$root"/tests/fuzz/fuzz_*.c; do
        targets+=("$(basename "$src" .c)")
    done
fi

# Instrument the libraries too (fuzzer-no-link), not only the targets.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DKGW_FUZZ=ON \
    -DKGW_TESTS=OFF -DKGW_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
    >/dev/null
ninja -C "$build" -j "$jobs" "${targets[@]}"

failed=0
for t in "${targets[@]}"; do
    corpus="$build/corpus/$t"
    crashes="$build/crashes/$t"
    mkdir -p "$corpus" "$crashes"
    if [ -z "$(ls -A "$corpus")" ]; then
        # Targets that know KGW_FUZZ_WRITE_CORPUS write samples and exit; the
        # others run zero inputs (-runs=0) and leave the corpus empty.
        KGW_FUZZ_WRITE_CORPUS="$corpus" timeout 120 "$build/tests/fuzz/$t" -runs=0 \
            >/dev/null 2>&1 || true
    fi
    echo "== $t: ${seconds}s, corpus $(ls "$corpus" | wc -l) files"
    log="$build/$t.log"
    if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$build/tests/fuzz/$t" "$corpus" -max_len=65536 -max_total_time="$seconds" \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$crashes/" -print_final_stats=1 \
        >"$log" 2>&1; then
        grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^#[0-9]+.*DONE' "$log" || true
        echo "== $t: no crash"
    else
        failed=1
        tail -n 40 "$log"
        echo "== $t: CRASH, inputs in $crashes" >&2
    fi
done
exit $failed
